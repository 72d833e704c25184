"""Shared fixtures. PostgreSQL: tests marked ``postgres`` take ``pg_url``.

``pg_url`` is a URL to a fresh, empty schema of the test database (``SLAENGINE_TEST_PG_URL``, or
postgresql+psycopg://postgres@127.0.0.1:5432/test), dropped after the test. When the server cannot
be reached the test is skipped with the reason — except under ``CI=true``, where it fails: CI must
prove the PostgreSQL paths, not quietly skip them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

#: The suite runs on 2 worker processes (pyproject's addopts, ``--dist loadgroup``). The modules
#: that time a live server against the clock (an alert within a second of its deadline, a breach
#: on the board within 2 s) carry this mark: one worker runs them one after another, so two of
#: them never share the cores (the other worker runs the rest meanwhile).
REALTIME = pytest.mark.xdist_group("realtime")


def pg_base_url() -> str:
    return os.environ.get("SLAENGINE_TEST_PG_URL") or DEFAULT_PG_URL


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a new schema of its own (dropped afterwards)."""
    base = pg_base_url()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OperationalError as exc:
        engine.dispose()
        reason = f"PostgreSQL not reachable at {make_url(base)!r}: {exc.orig}"
        if _in_ci():
            pytest.fail(f"{reason} (CI=true: the PostgreSQL tests must run)")
        pytest.skip(f"{reason} (set SLAENGINE_TEST_PG_URL to run the postgres tests)")
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with engine.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A store URL, once for a SQLite file and once for PostgreSQL (``pg_url``)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    url: str = request.getfixturevalue("pg_url")
    return url


def pytest_configure(config: pytest.Config) -> None:
    """The cache of validated contracts (contract/cache.py) of this run, not the user's: a
    folder of its own per process (each xdist worker's), removed at the end."""
    if "SLAENGINE_CACHE_DIR" not in os.environ:
        import tempfile

        folder = tempfile.mkdtemp(prefix="slaengine-test-cache-")
        os.environ["SLAENGINE_CACHE_DIR"] = folder
        config.stash[_CACHE_DIR] = folder


def pytest_unconfigure(config: pytest.Config) -> None:
    folder = config.stash.get(_CACHE_DIR, None)
    if folder is not None:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)
        os.environ.pop("SLAENGINE_CACHE_DIR", None)


_CACHE_DIR = pytest.StashKey[str]()
