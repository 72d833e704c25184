"""What the audit trail costs (docs/audit.md): appending a record in a transaction of its own,
and ``audit verify`` walking the chain. Prints one JSON object.

    .venv/bin/python bench/audit.py [--appends 300] [--records 20000] [--pg URL]

Over a SQLite file (``synchronous=FULL``, as the store runs) and, with ``--pg``, a PostgreSQL
database (a schema of its own, dropped afterwards). ``append_ms`` is the wall time of one
transaction that appends one record (what an acknowledgement adds, besides its own writes);
``verify_per_s`` is how many records ``verify`` checks a second. Figures on a shared machine:
read them with the load average printed beside them.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from slaengine.audit import trail
from slaengine.clock import FixedClock
from slaengine.store import Store

T0 = datetime(2026, 3, 2, tzinfo=UTC)
ACTOR = trail.Actor("bench", "cli", "bench@localhost")


def measure(url: str, appends: int, records: int) -> dict[str, Any]:
    store = Store.open(url, FixedClock(T0))
    try:
        start = time.perf_counter()
        for n in range(appends):
            with store.write() as session:
                trail.append(session, ACTOR, "rejudge", T0, contract="BENCH", details={"n": n})
        append_s = (time.perf_counter() - start) / appends
        with store.write() as session:  # the rest of the chain in one transaction
            for n in range(records - appends):
                trail.append(session, ACTOR, "rejudge", T0, contract="BENCH", details={"n": n})
        start = time.perf_counter()
        with store.sessions() as session:
            verdict = trail.verify(session)
        took = time.perf_counter() - start
        assert verdict.ok and verdict.checked == records
        return {
            "database": store.engine.dialect.name,
            "append_ms": round(append_s * 1000, 2),
            "records": verdict.checked,
            "verify_s": round(took, 2),
            "verify_per_s": int(verdict.checked / took),
        }
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appends", type=int, default=300)
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--pg", help="a PostgreSQL URL (postgresql+psycopg://...)")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as folder:
        results.append(measure(f"sqlite:///{folder}/audit.db", args.appends, args.records))
    if args.pg:
        schema = f"bench_audit_{uuid.uuid4().hex[:8]}"
        admin = create_engine(args.pg)
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            url = make_url(args.pg).update_query_dict({"options": f"-csearch_path={schema}"})
            rendered = url.render_as_string(hide_password=False)
            results.append(measure(rendered, args.appends, args.records))
        finally:
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
    print(json.dumps({"load_average": os.getloadavg()[0], "results": results}))


if __name__ == "__main__":
    main()
