"""The HTTP API of the live service (FastAPI; OpenAPI docs at /docs). The app a user runs, the
API with the web console, is ``slaengine.server.create_app``."""

from slaengine.api.app import create_api

__all__ = ["create_api"]
