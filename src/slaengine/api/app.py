"""The HTTP API's entry point, ``create_app``: for one commit it lives, whole, in
api/routes/contracts.py (moved there so that ``git log --follow`` keeps its history), and the
next commit splits it into one router per resource."""

from slaengine.api.routes.contracts import create_app

__all__ = ["create_app"]
