"""The store: migrations, aware timestamps, contract versions, idempotent event intake, and the
CLI commands over it (``contract load``, ``ingest``, ``serve``'s refusal without a token)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select, text
from typer.testing import CliRunner

from slaengine.cli import common
from slaengine.cli.main import app
from slaengine.clock import FixedClock
from slaengine.store import Store, StoreError, database_url
from slaengine.store.migrate import alembic_config
from slaengine.store.models import Base, RejectedInput, StoredEvent, Ticket
from tests.live_support import event, fast_contract

T0 = datetime(2026, 3, 2, 1, 0, 0, tzinfo=UTC)
runner = CliRunner()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    url = (
        f"sqlite:///{tmp_path / 'store.db'}"
        if request.param == "sqlite"
        else request.getfixturevalue("pg_url")
    )
    opened = Store.open(url, FixedClock(T0))
    yield opened
    opened.close()


def _load(store: Store, tmp_path: Path, text: str, effective: date | None = None) -> bool:
    path = tmp_path / "fast.yaml"
    path.write_text(text, encoding="utf-8")
    return store.load_contract(text, path, effective).changed


def test_opening_migrates_the_schema_and_reopening_is_a_no_op(store: Store) -> None:
    tables = set(inspect(store.engine).get_table_names())
    assert {"events", "contract_versions", "clocks", "breaches", "alerts", "outbox"} <= tables
    assert "alembic_version" in tables
    again = Store.open(store.engine.url.render_as_string(hide_password=False), store.clock)
    again.close()


def test_timestamps_come_back_timezone_aware_in_utc(store: Store, tmp_path: Path) -> None:
    _load(store, tmp_path, fast_contract())
    shanghai = timezone(timedelta(hours=8))
    at = datetime(2026, 3, 2, 9, 0, 0, 123456, tzinfo=shanghai)
    store.add_events([(0, event("reported", "T1", at))], "test")
    with store.sessions() as session:
        row = session.scalars(select(StoredEvent)).one()
        assert row.at == at and row.at.tzinfo is not None and row.at.utcoffset() == timedelta(0)
        assert row.received_at == T0
        assert json.loads(row.body)["at"] == "2026-03-02T09:00:00.123456+08:00"


def test_a_changed_contract_is_a_new_version_and_an_unchanged_one_a_no_op(
    store: Store, tmp_path: Path
) -> None:
    assert _load(store, tmp_path, fast_contract())
    assert not _load(store, tmp_path, fast_contract())
    assert _load(store, tmp_path, fast_contract(ack_target="5s"), date(2026, 4, 1))
    with store.sessions() as session:
        rows = store.versions(session, "FAST-1")
        # The first version is in force from accepted_on (the file has no effective_from).
        assert [(r.version, r.effective_from) for r in rows] == [
            (1, date(2026, 1, 1)),
            (2, date(2026, 4, 1)),
        ]
        in_march = store.version_in_effect(session, "FAST-1", datetime(2026, 3, 20, tzinfo=UTC))
        in_april = store.version_in_effect(session, "FAST-1", datetime(2026, 4, 2, tzinfo=UTC))
        assert in_march is not None and in_april is not None
        assert (in_march.version, in_april.version) == (1, 2)
        assert str(store.context(in_april).contract.commitment("ack").target) == "5s"


def test_events_are_idempotent_and_conflicts_and_bad_input_are_kept(
    store: Store, tmp_path: Path
) -> None:
    _load(store, tmp_path, fast_contract())
    reported = event("reported", "T1", T0, "E-1")
    lines = [
        json.dumps(reported),
        json.dumps(reported),
        json.dumps({**reported, "severity": "major"}),
        "{not json",
        "",
        json.dumps({**event("arrived", "T1", T0), "at": "2026-03-02T09:00:00"}),
    ]
    result = store.add_events(enumerate(lines, start=1), "day.jsonl", raw=True)
    assert [e.id for e in result.accepted] == ["E-1"]
    assert result.duplicates == 1
    assert [r.line for r in result.rejected] == [3, 4, 6]
    assert result.tickets == {("FAST-1", "T1")}
    with store.sessions() as session:
        kept = session.scalars(select(RejectedInput).order_by(RejectedInput.id)).all()
        assert [(r.line, r.source) for r in kept] == [
            (3, "day.jsonl"),
            (4, "day.jsonl"),
            (6, "day.jsonl"),
        ]
        assert "different content" in kept[0].error
        assert kept[1].raw == "{not json"
        assert "no UTC offset" in kept[2].error
        assert session.scalars(select(Ticket.dirty)).one() is True
    again = store.add_events([(1, reported)], "api")
    assert (len(again.accepted), again.duplicates) == (0, 1)


def test_a_store_url_that_cannot_be_used_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="only SQLite"):
        Store.open("mysql://nobody@127.0.0.1/x", FixedClock(T0))
    assert database_url("live.db").startswith("sqlite:////")
    assert database_url("postgresql+psycopg://u@h/d") == "postgresql+psycopg://u@h/d"


def test_cli_loads_a_contract_and_ingests_events_with_line_numbers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(common, "CLOCK", FixedClock(T0 + timedelta(seconds=4)))
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    contract = tmp_path / "fast.yaml"
    contract.write_text(fast_contract(), encoding="utf-8")
    loaded = runner.invoke(app, ["contract", "load", str(contract), "--db", db])
    assert loaded.exit_code == 0, loaded.output
    assert "as version 1" in loaded.output
    again = runner.invoke(app, ["contract", "load", str(contract), "--db", db])
    assert "unchanged" in again.output
    events = tmp_path / "events.jsonl"
    events.write_text(
        json.dumps(event("reported", "T1", T0)) + "\n" + '{"id": "broken"\n', encoding="utf-8"
    )
    ingested = runner.invoke(app, ["ingest", str(events), "--db", db])
    assert ingested.exit_code == 0, ingested.output
    assert "1 event(s) stored" in ingested.output
    # 4 s after the report the 3 s answer is late: the ingest raised the breach (duty, manager).
    assert "1 ticket(s) evaluated, 2 alert(s) queued" in ingested.output
    assert "line 2: not valid JSON" in ingested.output
    repeat = runner.invoke(app, ["ingest", str(events), "--db", db])
    assert "0 event(s) stored, 1 duplicate(s) ignored" in repeat.output
    bad = runner.invoke(app, ["contract", "load", str(contract), "--db", db, "--effective", "x"])
    assert bad.exit_code == 2
    assert "--effective" in bad.output
    # --no-judge: stored, the ticket left dirty and due for the due pass of serve or consume.
    later = tmp_path / "later.jsonl"
    later.write_text(json.dumps(event("reported", "T2", T0)) + "\n", encoding="utf-8")
    left = runner.invoke(app, ["ingest", str(later), "--db", db, "--no-judge"])
    assert left.exit_code == 0, left.output
    assert "1 ticket(s) left to the due pass of serve, judge or consume" in left.output
    opened = Store.open(db, FixedClock(T0))
    with opened.sessions() as session:
        marked = {row.ticket: (row.dirty, row.next_due) for row in session.scalars(select(Ticket))}
    opened.close()
    assert marked["T1"][0] is False
    assert marked["T2"] == (True, T0 + timedelta(seconds=4))  # due when stored


def test_serve_refuses_to_listen_beyond_loopback_without_a_token(tmp_path: Path) -> None:
    answer = runner.invoke(
        app,
        ["serve", "--db", str(tmp_path / "s.db"), "--host", "0.0.0.0"],
        env={"SLAENGINE_API_TOKEN": ""},
    )
    assert answer.exit_code == 2
    assert "refusing to listen on 0.0.0.0 without an API token" in answer.output


def test_workers_starting_together_store_one_version(store: Store, tmp_path: Path) -> None:
    import threading

    url = store.engine.url.render_as_string(hide_password=False)
    text = fast_contract()
    path = tmp_path / "fast.yaml"
    path.write_text(text, encoding="utf-8")
    stores = [Store.open(url, FixedClock(T0)) for _ in range(4)]
    start = threading.Barrier(len(stores))
    results: list[bool] = []

    def load(each: Store) -> None:
        start.wait()
        results.append(each.load_contract(text, path).changed)

    threads = [threading.Thread(target=load, args=(each,)) for each in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for each in stores:
        each.close()
    assert sorted(results) == [False, False, False, True]
    with store.sessions() as session:
        assert [row.version for row in store.versions(session, "FAST-1")] == [1]


BOARD_INDEXES = {
    "ix_clocks_live": "status IN ('running', 'paused')",
    "ix_clocks_live_warn": "status IN ('running', 'paused')",
    "ix_clocks_open_breach": "status = 'breached'",
    "ix_clocks_stopped": "stopped_at IS NOT NULL",
}


def _index_sql(store: Store) -> dict[str, str]:
    """The board's clock indexes as the database holds them (their CREATE statements)."""
    if store.is_postgres:
        query = (
            "SELECT indexname, indexdef FROM pg_indexes "
            "WHERE tablename = 'clocks' AND schemaname = current_schema()"
        )
    else:
        query = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'clocks'"
    with store.engine.connect() as connection:
        found = {name: sql for name, sql in connection.execute(text(query)) if sql}
    return {name: sql for name, sql in found.items() if name in BOARD_INDEXES}


def test_migration_0003_gives_the_board_the_clock_indexes_the_models_declare(store: Store) -> None:
    with store.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    flat = [d for group in differences for d in (group if isinstance(group, list) else [group])]
    assert not [d for d in flat if "index" in str(d[0])], flat
    made = _index_sql(store)
    assert set(made) == set(BOARD_INDEXES)
    for name, where in BOARD_INDEXES.items():  # partial: the board's queries repeat the words
        assert "WHERE" in made[name] and where.split()[0] in made[name], made[name]
    config = alembic_config()
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0002")
    assert _index_sql(store) == {}
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    assert _index_sql(store) == made


def _last_analyze(url: str) -> object:
    from sqlalchemy import create_engine

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(
                text(
                    "SELECT last_analyze FROM pg_stat_user_tables "
                    "WHERE schemaname = current_schema() AND relname = 'events'"
                )
            ).scalar_one()
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_a_bulk_ingest_into_postgresql_brings_the_planner_statistics_up_to_date(
    pg_url: str, tmp_path: Path
) -> None:
    """After ``ANALYZE_AFTER`` events or more, ``slaengine ingest`` (the real command) analyses
    the tables at once rather than leave per-ticket reads on stale statistics until autovacuum
    comes by (measured twice as slow at 200,000 events, docs/benchmarks.md); a small load
    leaves that to autovacuum."""
    import subprocess
    import sys

    from slaengine.cli.service import ANALYZE_AFTER

    contract = tmp_path / "fast.yaml"
    contract.write_text(fast_contract(), encoding="utf-8")

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "slaengine", *args, "--db", pg_url],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    assert cli("contract", "load", str(contract)).returncode == 0
    small = tmp_path / "small.jsonl"
    small.write_text(json.dumps(event("reported", "S1", T0)) + "\n", encoding="utf-8")
    done = cli("ingest", str(small), "--no-judge")
    assert done.returncode == 0, done.stderr
    assert _last_analyze(pg_url) is None
    bulk = tmp_path / "bulk.jsonl"
    bulk.write_text(
        "".join(
            json.dumps(event("reported", f"B{n}", T0 + timedelta(seconds=n))) + "\n"
            for n in range(ANALYZE_AFTER)
        ),
        encoding="utf-8",
    )
    done = cli("ingest", str(bulk), "--no-judge")
    assert done.returncode == 0, done.stderr
    assert f"{ANALYZE_AFTER} event(s) stored" in done.stdout
    assert _last_analyze(pg_url) is not None
