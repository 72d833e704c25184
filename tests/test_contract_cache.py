"""The cache of validated contracts (contract/cache.py; issue 23, "a command answers at once").

A contract from the cache must be the contract validation gives — for every contract shipped and
every draft of the drafting texts — with the same fingerprint; an entry that is stale (the file,
a rule library or the code changed), corrupt, foreign or of another format is ignored, never an
error; errors are the loader's own; ``SLAENGINE_NO_CACHE`` turns it off; and a command answered
from the cache builds no pydantic schema and imports neither PyYAML nor pydantic's plugin loader.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from slaengine.contract import Contract, load_contract, parse_contract
from slaengine.contract import cache as contract_cache
from slaengine.contract.cache import MAX_ENTRIES, load_contract_cached
from slaengine.errors import ContractError

ROOT = Path(__file__).resolve().parent.parent
TENDER = ROOT / "contracts" / "example-tender.yaml"
TEXTS = ROOT / "tests" / "drafting_texts"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache folder of the test's own; its entries are in ``<it>/contracts``."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("SLAENGINE_CACHE_DIR", str(folder))
    monkeypatch.delenv("SLAENGINE_NO_CACHE", raising=False)
    return folder / "contracts"


def _fingerprint(contract: Contract) -> str:
    # written out, not contract_fingerprint: that one answers from what the cache remembered
    return hashlib.sha256(contract.model_dump_json(by_alias=True).encode()).hexdigest()[:16]


def _same(cached: Contract, validated: Contract) -> None:
    assert cached == validated
    # equality compares the fields; the dumps also compare which fields were given, all the way
    # down, and the defaults (exclude_unset), as a command that dumps the contract sees them
    assert cached.model_dump_json(exclude_unset=True) == validated.model_dump_json(
        exclude_unset=True
    )
    assert cached.model_dump_json(by_alias=True) == validated.model_dump_json(by_alias=True)
    from slaengine.contract import contract_fingerprint

    assert contract_fingerprint(cached) == _fingerprint(validated)


def _loaded_from_cache(path: Path, monkeypatch: pytest.MonkeyPatch) -> Contract:
    """Load ``path`` through the cache, failing if it validates (it must be a hit)."""
    import slaengine.contract.loader as loader

    def no_validation(*args: object, **kwargs: object) -> Contract:
        raise AssertionError("validated: the cache was not used")

    with monkeypatch.context() as patched:
        patched.setattr(loader, "parse_contract", no_validation)
        patched.setattr(loader, "load_contract", no_validation)
        return load_contract_cached(path)


def _entries(cache: Path) -> list[Path]:
    return sorted(cache.glob("*.pickle")) if cache.is_dir() else []


def _drafts(tmp_path: Path) -> list[Path]:
    from slaengine.drafting import DraftOptions, draft_tender, to_yaml

    options = DraftOptions(
        id="T-1", price=Decimal("1000000"), currency="CNY", accepted_on=date(2026, 1, 15),
        timezone="Asia/Shanghai",
    )  # fmt: skip
    drafts = []
    # every second test text: over a hundred drafts of every language and form (each text's own
    # draft is validated by tests/test_drafting_texts.py; this test is about the cache)
    for text in (sorted(TEXTS.glob("*.txt")) + sorted(TEXTS.glob("*.md")))[::2]:
        draft = draft_tender(text, options)
        target = tmp_path / "drafts" / f"{text.name}.yaml"
        target.parent.mkdir(exist_ok=True)
        target.write_text(to_yaml(draft), encoding="utf-8")
        drafts.append(target)
    return drafts


def test_every_contract_and_draft_from_the_cache_is_the_validated_one(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = sorted((ROOT / "contracts").glob("*.yaml")) + _drafts(tmp_path)
    assert len(files) > 100
    for path in files:
        validated = load_contract(path)
        first = load_contract_cached(path)  # a miss: validated and kept
        _same(first, validated)
        again = _loaded_from_cache(path, monkeypatch)  # a hit: unpickled
        assert again is not first
        _same(again, validated)
    # one entry per distinct file, up to the cache's cap (the most recently written are kept)
    assert len(_entries(cache)) == min(MAX_ENTRIES, len({p.read_bytes() for p in files}))


def test_a_hit_reads_the_contracts_own_entry(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    load_contract_cached(TENDER)
    (entry,) = _entries(cache)
    assert entry.name == hashlib.sha256(TENDER.read_bytes()).hexdigest() + ".pickle"
    assert entry.stat().st_mode & 0o777 == 0o600
    assert cache.stat().st_mode & 0o777 == 0o700
    _same(_loaded_from_cache(TENDER, monkeypatch), load_contract(TENDER))


def _copy_with_rules(tmp_path: Path) -> Path:
    folder = tmp_path / "tender"
    (folder / "rules").mkdir(parents=True)
    shutil.copy(TENDER, folder / "tender.yaml")
    shutil.copy(ROOT / "rules" / "after-sales.yaml", folder / "rules" / "after-sales.yaml")
    return folder / "tender.yaml"


def test_a_changed_rule_library_is_a_miss(cache: Path, tmp_path: Path) -> None:
    contract = _copy_with_rules(tmp_path)
    assert "after-sales" in load_contract(contract).rules
    before = load_contract_cached(contract)
    library = contract.parent / "rules" / "after-sales.yaml"
    text = library.read_text(encoding="utf-8")
    assert "    stop: [dispatched, arrived]\n" in text
    library.write_text(text.replace("    stop: [dispatched, arrived]\n", "    stop: [arrived]\n"))
    after = load_contract_cached(contract)
    _same(after, load_contract(contract))
    assert after != before


def test_a_rule_library_found_elsewhere_is_a_miss(cache: Path, tmp_path: Path) -> None:
    # the same bytes in another folder, whose own rules/ shadows the shipped library
    load_contract_cached(TENDER)
    contract = _copy_with_rules(tmp_path)
    library = contract.parent / "rules" / "after-sales.yaml"
    library.write_text(library.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    _same(load_contract_cached(contract), load_contract(contract))
    # a rule library the contract names that is gone now: the loader's error, not the entry
    library.unlink()
    (contract.parent / "rules").rmdir()
    _same(load_contract_cached(contract), load_contract(contract))


def test_changed_code_is_a_miss(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    load_contract_cached(TENDER)
    (entry,) = _entries(cache)
    with entry.open("rb") as file:
        head = pickle.load(file)  # noqa: S301 - the test's own entry
        body = file.read()
    assert any(name == "slaengine.contract.models" for name, *_ in head["code"])
    assert any(name == "pydantic.version" for name, *_ in head["code"])
    name, where, size, mtime = head["code"][0]
    head["code"][0] = (name, where, size, mtime + 1)  # as if the file were edited
    entry.write_bytes(pickle.dumps(head) + body)
    import slaengine.contract.loader as loader

    calls: list[Path] = []
    real = loader.parse_contract

    def counted(text: str, path: Path, libraries: loader.LibrariesRead | None = None) -> Contract:
        calls.append(path)
        return real(text, path, libraries)

    validated = load_contract(TENDER)
    with monkeypatch.context() as patched:
        patched.setattr(loader, "parse_contract", counted)
        _same(load_contract_cached(TENDER), validated)
    assert calls == [TENDER]
    # ... and written again: the next load is a hit
    _same(_loaded_from_cache(TENDER, monkeypatch), load_contract(TENDER))


@pytest.mark.parametrize(
    "spoil",
    [
        "empty",
        "truncated",
        "garbage",
        "other format",
        "other python",
        "not a contract",
        "unknown class",
        "shared",
    ],
)
def test_a_spoilt_entry_is_ignored_and_written_again(
    spoil: str, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_contract_cached(TENDER)
    (entry,) = _entries(cache)
    data = entry.read_bytes()
    with entry.open("rb") as file:
        head = pickle.load(file)  # noqa: S301 - the test's own entry
        body = file.read()
    if spoil == "empty":
        entry.write_bytes(b"")
    elif spoil == "truncated":
        entry.write_bytes(data[: len(data) // 2])
    elif spoil == "garbage":
        entry.write_bytes(os.urandom(len(data)))
    elif spoil == "other format":
        entry.write_bytes(pickle.dumps({**head, "format": -1}) + body)
    elif spoil == "other python":
        entry.write_bytes(pickle.dumps({**head, "python": "2.7"}) + body)
    elif spoil == "not a contract":
        entry.write_bytes(pickle.dumps(head) + pickle.dumps({"id": "HT-2026-017"}))
    elif spoil == "unknown class":
        marker = b"slaengine.contract.models"
        assert marker in body
        entry.write_bytes(pickle.dumps(head) + body.replace(marker, b"slaengine.contract.nomodels"))
    elif spoil == "shared":
        entry.chmod(0o666)  # someone else could have written it: a pickle runs code
    _same(load_contract_cached(TENDER), load_contract(TENDER))
    assert entry.read_bytes() == data  # written again as the validation gives it
    assert entry.stat().st_mode & 0o777 == 0o600
    _same(_loaded_from_cache(TENDER, monkeypatch), load_contract(TENDER))


def test_errors_are_the_loaders_and_are_not_kept(cache: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(TENDER.read_text(encoding="utf-8").replace("id: HT", "idd: HT", 1))
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("name: caf\xe9\n".encode("latin-1"))
    for path in (broken, latin, tmp_path / "missing.yaml", tmp_path, tmp_path / "empty.yaml"):
        if path.name == "empty.yaml":
            path.write_text("")
        with pytest.raises(ContractError) as expected:
            load_contract(path)
        with pytest.raises(ContractError) as got:
            load_contract_cached(path)
        assert got.value.problems == expected.value.problems
        assert str(got.value) == str(expected.value)
    assert _entries(cache) == []


def test_windows_newlines_read_as_the_loader_reads_them(cache: Path, tmp_path: Path) -> None:
    crlf = tmp_path / "crlf.yaml"
    crlf.write_bytes(TENDER.read_bytes().replace(b"\n", b"\r\n"))
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    _same(load_contract_cached(crlf), load_contract(crlf))
    _same(load_contract_cached(crlf), parse_contract(TENDER.read_text(), tmp_path / "x.yaml"))


def test_no_cache_when_turned_off(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLAENGINE_NO_CACHE", "1")
    assert contract_cache.cache_folder() is None
    _same(load_contract_cached(TENDER), load_contract(TENDER))
    assert _entries(cache) == []
    monkeypatch.setenv("SLAENGINE_NO_CACHE", "0")
    assert contract_cache.cache_folder() == cache


def test_the_folder_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("SLAENGINE_CACHE_DIR", raising=False)
    monkeypatch.delenv("SLAENGINE_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert contract_cache.cache_folder() == tmp_path / "slaengine" / "contracts"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert contract_cache.cache_folder() == tmp_path / "home" / ".cache" / "slaengine" / "contracts"


def test_an_unwritable_folder_only_costs_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("SLAENGINE_CACHE_DIR", str(blocker))
    monkeypatch.delenv("SLAENGINE_NO_CACHE", raising=False)
    _same(load_contract_cached(TENDER), load_contract(TENDER))


def test_old_entries_are_pruned(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(contract_cache, "MAX_ENTRIES", 3)
    text = TENDER.read_text(encoding="utf-8")
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    for i in range(5):
        path = tmp_path / f"c{i}.yaml"
        path.write_text(text + f"\n# copy {i}\n", encoding="utf-8")
        load_contract_cached(path)
    assert len(_entries(cache)) == 3


# --- as a user runs the commands --------------------------------------------------------------

_PROBE = (
    "import sys, atexit\n"
    "def report():\n"
    "    from slaengine.contract.models import Contract\n"
    "    built = Contract.__pydantic_complete__\n"
    "    heavy = [m for m in ('yaml', 'slaengine.contract.loader', 'pydantic.plugin._loader',\n"
    "                         'importlib.metadata', 'pickle', 'tempfile',\n"
    "                         'slaengine.penalties.statement') if m in sys.modules]\n"
    "    print(f'PROBE built={built} imported={heavy}', file=sys.stderr)\n"
    "atexit.register(report)\n"
    "sys.argv = ['slaengine', *sys.argv[1:]]\n"
    "from slaengine.cli.entry import main\n"
    "main()\n"
)


def _run(
    args: list[str], cache: Path | None, probe: bool = False
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLAENGINE_")}
    if cache is None:
        env["SLAENGINE_NO_CACHE"] = "1"
    else:
        env["SLAENGINE_CACHE_DIR"] = str(cache.parent)
    command = ["-c", _PROBE, *args] if probe else ["-m", "slaengine", *args]
    return subprocess.run(
        [sys.executable, *command], capture_output=True, text=True, env=env, cwd=ROOT, check=False
    )


def _replay_args(tmp_path: Path) -> list[str]:
    events = tmp_path / "ten.jsonl"
    lines = (ROOT / "examples" / "demo-month.jsonl").read_text(encoding="utf-8").splitlines()
    events.write_text("\n".join(lines[:10]) + "\n", encoding="utf-8")
    return [
        "replay",
        str(TENDER),
        str(events),
        "--as-of",
        "2026-03-03T00:00:00+08:00",
        "-f",
        "json",
    ]


def test_a_command_from_the_cache_builds_no_schema_and_reads_no_yaml(
    cache: Path, tmp_path: Path
) -> None:
    for args in (_replay_args(tmp_path), ["contract", "validate", str(TENDER)]):
        shutil.rmtree(cache, ignore_errors=True)
        first = _run(args, cache, probe=True)
        assert first.returncode == 0, first.stderr
        assert "PROBE built=True" in first.stderr  # the miss validated
        again = _run(args, cache, probe=True)
        assert again.returncode == 0, again.stderr
        assert "PROBE built=False imported=[]" in again.stderr
        assert again.stdout == first.stdout


def test_a_command_says_the_same_from_the_cache_as_without_it(cache: Path, tmp_path: Path) -> None:
    # a contract with a warning (contract validate's advice) and one without, replay in JSON
    # and in a table, through the plain path and through typer's
    warned = tmp_path / "warned.yaml"
    text = TENDER.read_text(encoding="utf-8")
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    lines = text.splitlines()
    at = lines.index("    target: 3m")
    lines.insert(at + 1, "    cancel: [cancelled]")
    warned.write_text("\n".join(lines) + "\n", encoding="utf-8")
    replay = _replay_args(tmp_path)
    commands = [
        ["contract", "validate", str(TENDER)],
        ["contract", "validate", str(warned)],
        ["contract", "validate", "--", str(warned)],  # typer's path
        replay,
        [*replay[:-2], "-f", "table"],
        replay[:-2],  # a table by default
    ]
    for args in commands:
        plain = _run(args, None)
        miss = _run(args, cache)
        hit = _run(args, cache)
        assert (miss.returncode, miss.stdout, miss.stderr) == (
            plain.returncode,
            plain.stdout,
            plain.stderr,
        ), args
        assert (hit.returncode, hit.stdout, hit.stderr) == (
            plain.returncode,
            plain.stdout,
            plain.stderr,
        ), args
    assert "warning" in _run(["contract", "validate", str(warned)], cache).stderr
