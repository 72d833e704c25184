"""The OpenAPI docs at ``/docs``, served from the package so they work without the internet.

FastAPI's default page loads Swagger UI from a CDN and is blank offline (and leaks the visit to
a third party). The Swagger UI files (``swagger-ui-dist`` from the npm registry, unmodified, with
its licence) ship in ``api/static/swagger-ui`` and are served at ``/docs-assets``.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from slaengine.api.access import public

ASSETS = Path(__file__).parent / "static" / "swagger-ui"


def offline_docs(app: FastAPI) -> None:
    """Add ``/docs`` (Swagger UI from the package) to ``app``, made with ``docs_url=None``."""
    app.mount("/docs-assets", StaticFiles(directory=ASSETS), name="docs-assets")

    @app.get("/docs", include_in_schema=False, dependencies=[public("the API's documentation")])
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} — API",
            swagger_js_url="/docs-assets/swagger-ui-bundle.js",
            swagger_css_url="/docs-assets/swagger-ui.css",
            swagger_favicon_url="/docs-assets/favicon-32x32.png",
        )
