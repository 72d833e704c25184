"""What the routers share: the answers every route documents and the parameters they reuse."""

from __future__ import annotations

from fastapi import Path

from slaengine.store.limits import INT_MAX

#: The highest id a route takes (a signed 64-bit column).
ID = Path(ge=1, le=INT_MAX)
DATE_TIME = {"format": "date-time"}
#: Every route that takes a token: a wrong one is a 401, too many wrong ones a 429; and any
#: request with a NUL in its path or query is a 400 (api/security.py).
AUTH = (400, 401, 429)
READ = (*AUTH, 422, 503)
