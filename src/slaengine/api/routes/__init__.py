"""The API's routes, one router per resource, each built by a function that takes what its
routes need (the store, the live service, the tokens); ``create_api`` (api/app.py) includes
them in this order:

- ``health``: ``GET /health``;
- ``events``: ``POST /events``, ``POST /events/batch``;
- ``contracts``: ``GET /contracts``, a contract, its measures, ``POST .../rejudge`` and a
  ticket's clocks (``GET /contracts/{contract}/tickets/{ticket}``);
- ``breaches``: ``GET /breaches``, ``GET /penalties``;
- ``alerts``: ``GET /alerts``, an alert, ``POST /alerts/{alert_id}/ack``;
- ``audit``: ``GET /audit`` (operator only);
- ``disputes``: ``POST /disputes`` and ``GET /disputes``, a dispute, its evidence files
  (``POST``/``GET``), ``POST /disputes/{id}/decision`` (docs/disputes.md).

Each route declares its access rule with one dependency, ``requires(action, contract)``
(api/access.py; the actions and who may take them: slaengine.access). A new resource is a new
module here (copy ``breaches.py``: read-only routes; ``alerts.py``: one
that also writes), included from ``create_api`` with one line.
"""
