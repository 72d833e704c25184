"""The HTTP API of the live service (FastAPI; OpenAPI docs at /docs)."""

from slaengine.api.app import create_app

__all__ = ["create_app"]
