"""schemathesis against the real ``slaengine serve``: every operation of /openapi.json, 30
examples each, deterministic, with every check (no 500, only declared status codes, responses
as documented, bad input refused, valid input accepted; see tests/schemathesis/schemathesis.toml
for what "valid" cannot promise about an event)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.live_support import fast_contract
from tests.test_service_e2e import TOKEN, start, stop, wait_ready

pytestmark = pytest.mark.slow

ST = str(Path(sys.executable).with_name("st"))
CONFIG = Path(__file__).with_name("schemathesis") / "schemathesis.toml"


def test_schemathesis_finds_no_failure(tmp_path: Path) -> None:
    contract = tmp_path / "fast.yaml"
    contract.write_text(fast_contract(), encoding="utf-8")
    # schemathesis also tries wrong tokens; the throttle (tested in test_security.py) is set
    # out of its way, or its 429s would hide what the fuzzing is for.
    server = start(
        f"sqlite:///{tmp_path / 'fuzz.db'}", contract, tmp_path, {}, "serve",
        extra=("--auth-failures", "1000000"),
    )  # fmt: skip
    try:
        wait_ready(server)
        command = [ST, "--config-file", str(CONFIG), "--no-color", "run"]
        command += [f"{server.url}/openapi.json", "--header", f"Authorization: Bearer {TOKEN}"]
        command += [
            "--max-examples",
            "30",
            "--generation-deterministic",
        ]  # every check: the default
        command += ["--workers", "1", "--request-timeout", "10"]
        run = subprocess.run(
            command,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=400,
        )
        answers = server.log.read_text(errors="replace")
    finally:
        stop(server)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert " 500 " not in answers, "the server answered 500"
