"""The command line imports only what a command uses (issue 23): ``slaengine -h`` is written
from cli/main.py's table, and each command's module is imported when that command runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from slaengine.cli.main import COMMANDS, LazyGroup, app


def _loaded_group(prefix: str) -> LazyGroup:
    import typer

    group = typer.main.get_group(app)
    assert isinstance(group, LazyGroup)
    for word in prefix.split():
        group = group.get_command(None, word)
        assert isinstance(group, LazyGroup)
    return group


def test_the_table_says_what_each_command_says_of_itself() -> None:
    # The table's line is the command's own short help, so `-h` reads the same as before the
    # commands were loaded lazily; a changed docstring without its table line fails here.
    for key, (_, line) in COMMANDS.items():
        *group, name = key.split()
        command = _loaded_group(" ".join(group)).get_command(None, name)
        assert command is not None, key
        assert command.get_short_help_str(200) == line, key


def test_help_lists_every_command_in_the_table_order() -> None:
    runner = CliRunner()
    for group in ("", "contract"):
        text = runner.invoke(app, [*group.split(), "-h"], terminal_width=80).output
        listed = [
            line.split()[0]
            for line in text.split("Commands:\n", 1)[1].splitlines()
            if line.startswith("  ")
        ]
        prefix = f"{group} " if group else ""
        expected = [
            key[len(prefix) :]
            for key in COMMANDS
            if key.startswith(prefix) and " " not in key[len(prefix) :]
        ]
        assert listed == expected


def test_help_and_a_command_import_only_their_own_modules() -> None:
    script = (
        "import sys\n"
        "from slaengine.cli.main import app\n"
        "try:\n"
        "    app(sys.argv[1:], prog_name='slaengine')\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(','.join(sorted(m for m in sys.modules if m.startswith(('slaengine', 'pydantic')))))"
    )

    def imported(*args: str) -> set[str]:
        result = subprocess.run(
            [sys.executable, "-c", script, *args], capture_output=True, text=True, check=True
        )
        return set(result.stdout.strip().splitlines()[-1].split(","))

    shown = imported("-h")
    assert not any(m.startswith("slaengine.cli.") and m != "slaengine.cli.main" for m in shown)
    assert not any(m.startswith("pydantic") for m in shown)  # no contract model was built
    contract_help = imported("contract", "-h")
    assert "slaengine.contract.models" not in contract_help
    validate = imported("contract", "validate", "-h")
    assert "slaengine.cli.contract" in validate
    assert not {"slaengine.cli.service", "slaengine.cli.statement"} & validate
    # Pricing does not pull in the alert channels (how e-mail is sent is not the contract's).
    assert "slaengine.alerts.channels" not in imported("replay", "-h")


def test_an_unknown_command_is_still_named_with_a_suggestion() -> None:
    result = CliRunner().invoke(app, ["repaly"])
    assert result.exit_code == 2
    assert "No such command 'repaly'. Did you mean 'replay'?" in result.output


def test_a_contract_loads_without_the_alert_layer() -> None:
    # The contract language owns what it says of channels (contract/channels.py); the alert
    # layer reads it. Loading a contract with contacts and channels imports no alert module.
    script = (
        "import sys\n"
        "from slaengine.bundled import example_contract\n"
        "from slaengine.contract import load_contract\n"
        "contract = load_contract(example_contract())\n"
        "assert any(contact.channels for contact in contract.contacts), 'no channels to load'\n"
        "print(sorted(m for m in sys.modules if m.startswith('slaengine.alerts')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_validating_a_contract_needs_neither_holiday_tables_nor_the_rule_engine() -> None:
    # The example tender has a working-hours calendar with China's holidays: validating it
    # checks the country against the holidays package's registry without importing the package,
    # and counts its rules without loading durable_rules' engine (issue 23: start-up).
    script = (
        "import sys\n"
        "from slaengine.cli.main import app\n"
        "from slaengine.bundled import example_contract\n"
        "try:\n"
        "    app(['contract', 'validate', str(example_contract())], prog_name='slaengine')\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('holidays', 'durable')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert "ok:" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_no_contract_field_makes_its_default_with_the_builtin_list() -> None:
    # Building the contract's schema asks inspect.signature of every default factory; for the
    # builtin ``list`` that parses a text signature (~0.1 ms a field, ~70 fields at every
    # command's start-up), so the models use contract.base.empty_list (issue 23: start-up).
    import pydantic

    import slaengine.contract.models  # noqa: F401 (imports every part of the language)

    def models(root: type[pydantic.BaseModel]) -> list[type[pydantic.BaseModel]]:
        found = [root]
        for sub in root.__subclasses__():
            found.extend(models(sub))
        return found

    language = [
        m for m in models(pydantic.BaseModel) if m.__module__.startswith("slaengine.contract.")
    ]
    assert len(language) > 30
    builtin = [
        f"{m.__module__}.{m.__qualname__}.{name}"
        for m in language
        for name, info in m.model_fields.items()
        if info.default_factory is list
    ]
    assert builtin == []


# `slaengine contract validate FILE` is answered without typer (cli/entry.py); every other form,
# and every usage error, goes through typer. Both must say the same, byte for byte.
_THROUGH_TYPER = "from slaengine.cli.main import app\napp(prog_name='slaengine')\n"
_AS_INSTALLED = "from slaengine.cli.entry import main\nmain(prog_name='slaengine')\n"


def _run(program: str, *args: str, cwd: Path) -> tuple[int, str, str]:
    result = subprocess.run(
        [sys.executable, "-c", program, *args], capture_output=True, text=True, cwd=cwd
    )
    return result.returncode, result.stdout, result.stderr


def test_validate_without_typer_says_what_typer_says(tmp_path: Path) -> None:
    from slaengine.bundled import example_contract

    example = example_contract().read_text(encoding="utf-8")
    files = {
        "good.yaml": example,
        "broken.yaml": "id: [unclosed\n",
        "misspelt.yaml": example.replace("timezone:", "timezon:", 1),
        "empty.yaml": "",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "folder").mkdir()
    seen = set()
    for file in [*files, "./good.yaml", "missing.yaml", "folder", str(tmp_path / "good.yaml")]:
        fast = _run(_AS_INSTALLED, "contract", "validate", file, cwd=tmp_path)
        slow = _run(_THROUGH_TYPER, "contract", "validate", file, cwd=tmp_path)
        assert fast == slow, file
        seen.add(fast[0])
    assert seen == {0, 2}  # both an accepted and a refused contract were compared
    # Forms the plain path leaves to typer: help, options, a missing or an extra argument.
    for args in (["-h"], ["--version"], ["good.yaml", "-h"], [], ["good.yaml", "other.yaml"]):
        fast = _run(_AS_INSTALLED, "contract", "validate", *args, cwd=tmp_path)
        slow = _run(_THROUGH_TYPER, "contract", "validate", *args, cwd=tmp_path)
        assert fast == slow, args


def test_validate_as_installed_imports_neither_typer_nor_the_engine() -> None:
    # The installed script and `python -m slaengine` start at cli/entry.py: a plain
    # `contract validate FILE` imports no typer (its parameter layer was a third of the
    # command), no command module that needs it, and no holidays tables or rule engine; nor
    # rich, whose console would print its "ok" line unchanged to a pipe.
    script = (
        "import sys\n"
        "from slaengine.bundled import example_contract\n"
        "from slaengine.cli.entry import main\n"
        "sys.argv = ['slaengine', 'contract', 'validate', str(example_contract())]\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in\n"
        "    ('typer', 'click', 'holidays', 'durable', 'rich') or m.startswith('slaengine.cli.')\n"
        "    and m not in ('slaengine.cli.entry', 'slaengine.cli.plain')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert "ok:" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_replay_without_typer_says_what_typer_says(tmp_path: Path) -> None:
    # `slaengine replay CONTRACT EVENTS` with at most --as-of and --format is answered without
    # typer (cli/entry.py); the two paths must print the same bytes with the same exit code.
    from slaengine.bundled import example_contract

    root = Path(__file__).parent.parent
    contract = str(example_contract())
    month = (root / "examples" / "demo-month.jsonl").read_text(encoding="utf-8")
    files = {
        "month.jsonl": month,
        "rejected.jsonl": '{"not": "an event"}\n',
        "empty.jsonl": "",
        "broken.yaml": "id: [unclosed\n",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "folder").mkdir()
    at = ["--as-of", "2026-11-01T00:00:00+08:00"]
    cases = [
        [contract, "month.jsonl", *at, "--format", "json"],
        [contract, "month.jsonl", *at, "-f", "jsonl"],
        [contract, "month.jsonl", "--as-of=2026-11-01T00:00:00+08:00", "--format=json"],
        [contract, "month.jsonl", *at],  # the table
        ["--format", "json", *at, contract, "month.jsonl"],  # options first
        [contract, "rejected.jsonl", *at, "-f", "json"],  # every event rejected: 1
        [contract, "empty.jsonl", *at, "-f", "json"],  # judged, with a note
        [contract, "missing.jsonl", *at, "-f", "json"],
        [contract, "folder", *at, "-f", "json"],
        ["broken.yaml", "month.jsonl", *at, "-f", "json"],
        ["missing.yaml", "month.jsonl", *at, "-f", "json"],
        [contract, "month.jsonl", "--as-of", "yesterday", "-f", "json"],
    ]
    seen = set()
    for args in cases:
        fast = _run(_AS_INSTALLED, "replay", *args, cwd=tmp_path)
        slow = _run(_THROUGH_TYPER, "replay", *args, cwd=tmp_path)
        assert fast == slow, args
        seen.add(fast[0])
    assert seen == {0, 1, 2}
    # Standard input (`-`), the form a pipe from `slaengine import` runs.
    for program in (_AS_INSTALLED, _THROUGH_TYPER):
        piped = subprocess.run(
            [sys.executable, "-c", program, "replay", contract, "-", *at, "-f", "jsonl"],
            input=month,
            capture_output=True,
            text=True,
            cwd=tmp_path,
        )
        seen.add((piped.returncode, piped.stdout, piped.stderr))  # type: ignore[arg-type]
    piped_runs = [item for item in seen if isinstance(item, tuple)]
    assert len(piped_runs) == 1 and piped_runs[0][0] == 0 and piped_runs[0][1]
    # Forms the plain path leaves to typer: help, an unknown format or option, --db, a missing
    # or extra argument, an option without its value, a repeated option.
    for args in (
        ["-h"],
        [contract, "month.jsonl", "--format", "xml"],
        [contract, "month.jsonl", "--db", "nowhere.db"],
        [contract, "month.jsonl", "--amendment", "x.yaml"],
        [contract],
        [contract, "month.jsonl", "other.jsonl"],
        [contract, "month.jsonl", "--as-of"],
        [contract, "month.jsonl", *at, "-f", "json", "-f", "jsonl"],
        [contract, "month.jsonl", *at, "--"],
    ):
        fast = _run(_AS_INSTALLED, "replay", *args, cwd=tmp_path)
        slow = _run(_THROUGH_TYPER, "replay", *args, cwd=tmp_path)
        assert fast == slow, args


def test_replay_as_installed_imports_neither_typer_nor_rich() -> None:
    # A JSON replay of a file imports no typer, no command module that needs it and not rich
    # (its one line on stderr is written as rich would write it). The holiday tables are
    # imported: the month's tickets run on the tender's working hours with China's holidays.
    root = Path(__file__).parent.parent
    script = (
        "import sys\n"
        "from slaengine.bundled import example_contract\n"
        "from slaengine.cli.entry import main\n"
        "sys.argv = ['slaengine', 'replay', str(example_contract()),\n"
        f"    {str(root / 'examples' / 'demo-month.jsonl')!r}, '--format', 'json']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in\n"
        "    ('typer', 'click', 'rich') or m.startswith('slaengine.cli.')\n"
        "    and m not in ('slaengine.cli.entry', 'slaengine.cli.plain', 'slaengine.cli.inputs')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert '"clocks"' in result.stdout or '"tickets"' in result.stdout
    assert "accepted" in result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_a_summary_line_is_written_as_rich_writes_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # `say` skips rich only where rich would print the text unchanged; markup, emoji codes and
    # control characters go through the console.
    from rich.console import Console

    from slaengine.cli.plain import say

    for text in (
        "10 event(s) read from ten.jsonl: 10 accepted, 0 rejected, 0 duplicate(s)",
        "3 event(s) read from 月报.jsonl: 3 accepted",
        "read from [bold]x[/].jsonl: 1 accepted",
        "read from C:\\smile:x:.jsonl: 1 accepted",
        "read from :smile: .jsonl",
        "tab\there",
    ):
        say(text)
        ours = capsys.readouterr().err
        Console(stderr=True).print(text, highlight=False, soft_wrap=True)
        assert ours == capsys.readouterr().err, text


def test_the_ok_line_is_written_as_rich_writes_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # `contract validate` writes its "ok" line without rich only where rich would write the
    # same: not a terminal, no markup or emoji code, no wrapping at the console's 160 columns.
    from rich.console import Console

    from slaengine.cli.plain import _as_is_on_stdout

    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
        monkeypatch.delenv(name, raising=False)
    counts = "contract HT-2026-017 v1, 9 commitments, 11 clauses, 1 obligations, 42 rules"
    lines = [
        f"ok: contracts/example-tender.yaml — {counts}",
        f"ok: 合同/招标.yaml — {counts}",
        f"ok: {'x' * 120}.yaml — {counts}",  # longer than 160 columns: rich wraps it
        f"ok: {'合' * 40}.yaml — {counts}",
        f"ok: a[b].yaml — {counts}",
        f"ok: c:smile:.yaml — {counts}",
    ]
    written = 0
    for line in lines:
        plain = _as_is_on_stdout(line)
        ours = capsys.readouterr().out
        if not plain:
            assert ours == ""
            continue
        written += 1
        Console(soft_wrap=False, width=160).print(line.replace("ok:", "[green]ok[/]:", 1))
        assert ours == capsys.readouterr().out, line
    assert written == 2
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert not _as_is_on_stdout(lines[0])
