"""The audit trail (who did what, when, from where; hash-chained, docs/audit.md) and the
confirmations of billing statements.

``trail`` appends and verifies records; ``confirmations`` records a statement's confirmation
and tells whether the statement changed since; ``web`` adds ``GET /audit`` and the console's
audit page; ``cli`` the ``slaengine audit`` commands.
"""
