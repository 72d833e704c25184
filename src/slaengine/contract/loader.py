"""Loading contract files and rule libraries, with errors that name the file, line and field.

YAML is composed into nodes first so that every value keeps its line; pydantic's error
locations are then mapped back to those lines. A commitment that says ``use: be-on-site`` takes
the shape's conditions from the rule library (rules/*.yaml) and overrides what it writes itself.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from slaengine.contract.files import rule_library_candidates, utf8_text
from slaengine.contract.fingerprint import contract_fingerprint as contract_fingerprint
from slaengine.contract.models import BUILTIN_EVENT_TYPES, Contract, RuleLibrary
from slaengine.errors import ContractError

LinePath = tuple[str | int, ...]

_FAST_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LocatedYaml:
    """YAML data plus the line of every value, by path (keys and list indexes)."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines: dict[LinePath, int] = {}
        #: Keys of an inline ``{…}`` given with no value, by (line, key): the text before them
        #: (key and value) — ``{en: 500 CNY per hour, at most 5000}`` cut at its comma.
        self.cut_texts: dict[tuple[int, str], tuple[str, str]] = {}
        self._scalars = yaml.SafeLoader("")
        try:
            try:
                # libyaml composes several times faster than the pure-Python parser (a
                # contract is read by every command); its nodes and marks are the same classes.
                node = yaml.compose(text, Loader=_FAST_LOADER)
            except yaml.YAMLError:
                # ... but its messages differ: a broken file is read again for PyYAML's words.
                node = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = f"{mark.line + 1}" if mark is not None else "?"
            problem = getattr(exc, "problem", None) or str(exc)
            context = getattr(exc, "context_mark", None)
            if context is not None and mark is not None and context.line != mark.line:
                # the parser notices late: say where the unfinished construct began too
                problem += (
                    f" (in what {getattr(exc, 'context', 'began')} at line {context.line + 1})"
                )
            raise ContractError(str(path), [f"{path}:{line}: not valid YAML: {problem}"]) from None
        if node is None:
            raise ContractError(str(path), [f"{path}:1: the file is empty"])
        self.data = self._construct(node, ())

    def _construct(self, node: yaml.Node, where: LinePath) -> Any:
        self.lines[where] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            before: tuple[str, str] | None = None
            for key_node, value_node in node.value:
                key = self._scalars.construct_object(key_node)
                bare = (
                    isinstance(value_node, yaml.ScalarNode)
                    and value_node.tag == "tag:yaml.org,2002:null"
                    and value_node.value == ""
                )
                if node.flow_style and bare and before is not None:
                    self.cut_texts[(key_node.start_mark.line + 1, str(key))] = before
                if isinstance(value_node, yaml.ScalarNode) and isinstance(
                    key_node, yaml.ScalarNode
                ):
                    before = (key_node.value, value_node.value)
                if isinstance(key, dict | list):
                    raise ContractError(
                        str(self.path),
                        [f"{self.path}:{key_node.start_mark.line + 1}: keys must be plain words"],
                    )
                if key in result:
                    raise ContractError(
                        str(self.path),
                        [f"{self.path}:{key_node.start_mark.line + 1}: {key!r} is given twice"],
                    )
                result[key] = self._construct(value_node, (*where, str(key)))
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self._construct(item, (*where, i)) for i, item in enumerate(node.value)]
        try:
            return self._scalars.construct_object(node)
        except ValueError:
            # An impossible date (2026-02-30) looks like a date to YAML but is not one: keep the
            # text, so validation names the line and the field instead of crashing.
            return node.value

    def line_of(self, loc: tuple[int | str, ...]) -> int:
        """The line of the deepest known value along a pydantic error location."""
        best: LinePath = ()
        for item in loc:
            candidate = (*best, item if isinstance(item, int) else str(item))
            if candidate in self.lines:
                best = candidate
            # else: a pydantic-only step (a union tag, a validator name); skip it
        return self.lines.get(best, 1)


def _problems(located: LocatedYaml, error: ValidationError, prefix: LinePath = ()) -> list[str]:
    problems = []
    for item in error.errors(include_url=False):
        loc = tuple(item["loc"])
        text = item["msg"].removeprefix("Value error, ")
        if text.startswith("@"):  # cross-reference problems, each with its own path
            for entry in text.split("\n"):
                dotted, _, message = entry[1:].partition("|")
                path = tuple(int(p) if p.isdigit() else p for p in dotted.split("."))
                full = (*loc, *path)
                line = located.line_of((*prefix, *full))
                field = ".".join(str(part) for part in full)
                problems.append(f"{located.path}:{line}: {field}: {message}")
            continue
        line = located.line_of((*prefix, *loc))
        field = ".".join(str(part) for part in loc) or "(top)"
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "missing":
            message = "this field is required"
        elif item["type"] == "extra_forbidden":
            cut = located.cut_texts.get((line, str(loc[-1]) if loc else ""))
            if cut is not None:
                # YAML ended the text at a comma inside {…}: the rest became a field of its own
                key, value = cut
                message = (
                    "unknown field — the text before it has a comma inside an inline {…}, "
                    f'where a comma ends a value: quote this text, {key}: "{value}, {loc[-1]}"'
                )
            else:
                message = "unknown field (misspelt? see docs/contracts.md for the fields)"
        elif item["type"] == "model_type":  # not "... or instance of HolidaySource"
            shown = repr(item["input"])
            shown = shown if len(shown) <= 40 else shown[:37] + "..."
            message = (
                f"{shown} is not a mapping: write its fields here as key: value "
                "(see docs/contracts.md)"
            )
        problems.append(f"{located.path}:{line}: {field}: {message}")
    return problems


#: What a load read of each rule library: its name as the contract gives it, the file, the
#: SHA-256 of its bytes (the cache of validated contracts keys its entries on them).
LibrariesRead = list[tuple[str, Path, str]]


def load_rule_library(
    name: str, near: Path, read: LibrariesRead | None = None
) -> tuple[RuleLibrary, Path]:
    """Find a rule library by name (``after-sales``) or path, next to the contract first;
    ``read`` (if given) is told which file was read, with its bytes' hash."""
    candidates = rule_library_candidates(name, near)
    for candidate in candidates:
        if candidate.is_file():
            data = candidate.read_bytes()
            if read is not None:
                read.append((name, candidate, hashlib.sha256(data).hexdigest()))
            located = LocatedYaml(candidate, utf8_text(data))
            try:
                return RuleLibrary.model_validate(located.data), candidate
            except ValidationError as exc:
                raise ContractError(str(candidate), _problems(located, exc)) from None
    raise FileNotFoundError(
        f"rule library {name!r} not found (looked in: {', '.join(str(c) for c in candidates)})"
    )


def load_contract(path: str | Path) -> Contract:
    """Read and validate a contract file; raise ContractError listing every problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ContractError(str(path), [f"{path}: no such file"]) from None
    except IsADirectoryError:
        raise ContractError(str(path), [f"{path}: is a directory, not a contract file"]) from None
    except UnicodeDecodeError:
        raise ContractError(str(path), [f"{path}: not UTF-8 text"]) from None
    return parse_contract(text, path)


def parse_contract(text: str, path: Path, libraries: LibrariesRead | None = None) -> Contract:
    """Validate a contract's text (read from ``path``); ``libraries`` (if given) is told which
    rule library files were read."""
    located = LocatedYaml(path, text)
    data = located.data
    if not isinstance(data, dict):
        raise ContractError(str(path), [f"{path}:1: a contract is a mapping of fields"])
    problems: list[str] = []
    data = _apply_shapes(data, located, problems, libraries)
    if problems:
        raise ContractError(str(path), problems)
    try:
        return Contract.model_validate(data)
    except ValidationError as exc:
        problems = _problems(located, exc)
        if not any(
            item["loc"] == () and item["msg"].removeprefix("Value error, ").startswith("@")
            for item in exc.errors()
        ):
            # The type errors stopped validation before the references were checked: check
            # them on the raw data too, so every problem of the file is reported at once.
            seen = set(problems)
            for dotted, message in raw_reference_problems(data):
                loc = tuple(int(p) if p.isdigit() else p for p in dotted.split("."))
                text = f"{located.path}:{located.line_of(loc)}: {dotted}: {message}"
                if text not in seen:
                    problems.append(text)
            problems.sort(key=_line_number)
        raise ContractError(str(path), problems) from None


def _line_number(problem: str) -> int:
    """The line of a ``file:line: field: message`` problem (to list a file's problems in order)."""
    found = re.match(r"^.*?:(\d+): ", problem)
    return int(found.group(1)) if found else 0


def _items(data: Any, key: str) -> list[tuple[int, dict[str, Any]]]:
    value = data.get(key) if isinstance(data, dict) else None
    if not isinstance(value, list):
        return []
    return [(i, item) for i, item in enumerate(value) if isinstance(item, dict)]


def _names(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def raw_reference_problems(data: dict[str, Any]) -> list[tuple[str, str]]:
    """The reference checks of ``Contract._references`` (an undefined calendar, clause,
    commitment, measure, severity or event type — the event types of every condition but a
    measure's), on data that did not validate: as far as its shape allows, never raising on a
    wrong type (the type error is reported already)."""
    problems: list[tuple[str, str]] = []
    calendars = data.get("calendars")
    calendar_names = sorted(str(n) for n in calendars) if isinstance(calendars, dict) else None
    severities = data.get("severities")
    severity_names = list(severities) if isinstance(severities, dict) else None
    clause_ids = {str(c.get("id")) for _, c in _items(data, "clauses")}
    commitment_ids = {str(c.get("id")) for _, c in _items(data, "commitments")}
    measure_ids = {str(m.get("id")) for _, m in _items(data, "measures")}
    types = set(BUILTIN_EVENT_TYPES) | {str(t) for t in _names(data.get("event_types"))}

    def calendar(where: str, name: Any) -> None:
        if calendar_names is not None and isinstance(name, str) and name not in calendar_names:
            problems.append(
                (where, f"calendar {name!r} is not defined (defined: {', '.join(calendar_names)})")
            )

    def clauses(where: str, refs: Any) -> None:
        for j, ref in enumerate(_names(refs)):
            if isinstance(ref, str) and ref not in clause_ids:
                known = ", ".join(sorted(clause_ids)) or "none"
                problems.append(
                    (f"{where}.{j}", f"clause {ref!r} is not defined (defined: {known})")
                )

    def event_types(where: str, conditions: Any) -> None:
        for j, condition in enumerate(_names(conditions)):
            kind = condition.get("type") if isinstance(condition, dict) else condition
            if isinstance(kind, str) and kind not in types:
                problems.append(
                    (
                        f"{where}.{j}.type",
                        f"event type {kind!r} is neither built in nor declared under "
                        "event_types (misspelt?)",
                    )
                )

    for i, commitment in _items(data, "commitments"):
        where = f"commitments.{i}"
        calendar(f"{where}.calendar", commitment.get("calendar"))
        clauses(f"{where}.clauses", commitment.get("clauses"))
        applies = commitment.get("applies_to")
        if isinstance(applies, dict) and severity_names is not None:
            for severity in _names(applies.get("severity")):
                if isinstance(severity, str) and severity not in severity_names:
                    problems.append(
                        (
                            f"{where}.applies_to.severity",
                            f"severity {severity!r} is not one of the contract's severities "
                            f"({', '.join(severity_names)})",
                        )
                    )
        for role in ("start", "stop", "cancel", "pause", "resume"):
            event_types(f"{where}.{role}", commitment.get(role))
    for i, clause in _items(data, "clauses"):
        for role in ("on_event", "claim"):
            event_types(f"clauses.{i}.{role}", clause.get(role))
    for i, obligation in _items(data, "obligations"):
        clauses(f"obligations.{i}.clauses", obligation.get("clauses"))
        event_types(f"obligations.{i}.met_by", obligation.get("met_by"))
    for i, remedy in _items(data, "remedies"):
        if remedy.get("calendar") is not None:
            calendar(f"remedies.{i}.calendar", remedy.get("calendar"))
        clauses(f"remedies.{i}.clauses", remedy.get("clauses"))
        for role in ("repairs", "done_by", "repair_from"):
            event_types(f"remedies.{i}.{role}", remedy.get(role))
    warranty = data.get("warranty")
    repairs = warranty.get("extend_by_repairs") if isinstance(warranty, dict) else None
    if isinstance(repairs, dict):
        for role in ("from", "until"):
            event_types(f"warranty.extend_by_repairs.{role}", repairs.get(role))
    for i, measure in _items(data, "measures"):
        if measure.get("maintenance") is not None:
            calendar(f"measures.{i}.maintenance", measure.get("maintenance"))
        for j, cid in enumerate(_names(measure.get("commitments"))):
            if isinstance(cid, str) and cid not in commitment_ids:
                problems.append(
                    (f"measures.{i}.commitments.{j}", f"commitment {cid!r} is not defined")
                )
    for i, clause in _items(data, "clauses"):
        for cid in _names(clause.get("commitments")):
            if isinstance(cid, str) and cid not in commitment_ids:
                problems.append((f"clauses.{i}.commitments", f"commitment {cid!r} is not defined"))
        name = clause.get("measure")
        if isinstance(name, str) and name not in measure_ids:
            problems.append(
                (
                    f"clauses.{i}.measure",
                    f"measure {name!r} is not defined "
                    f"(defined: {', '.join(sorted(measure_ids)) or 'none'})",
                )
            )
    return problems


_SHAPE_FIELDS = (
    "name",
    "start",
    "stop",
    "cancel",
    "pause",
    "resume",
    "target",
    "calendar",
    "applies_to",
)


def _apply_shapes(
    data: dict[str, Any],
    located: LocatedYaml,
    problems: list[str],
    read: LibrariesRead | None = None,
) -> dict[str, Any]:
    """Fill in commitments that ``use`` a shape from the contract's rule libraries."""
    libraries = data.get("rules") or []
    if not isinstance(libraries, list):
        problems.append(
            f"{located.path}:{located.line_of(('rules',))}: rules: give a list of names"
        )
        return data
    shapes: dict[str, dict[str, Any]] = {}
    event_types: list[str] = []
    for i, name in enumerate(libraries):
        try:
            library, _ = load_rule_library(str(name), located.path.parent, read)
        except FileNotFoundError as exc:
            problems.append(f"{located.path}:{located.line_of(('rules', i))}: rules.{i}: {exc}")
            continue
        event_types.extend(library.event_types)
        for shape_name, shape in library.shapes.items():
            shapes[shape_name] = shape.model_dump(exclude_none=True, exclude_defaults=True)
    commitments = data.get("commitments")
    if not isinstance(commitments, list) or problems:
        # a missing library would make every commitment that uses it an error too: say it once
        return data
    merged = []
    for i, commitment in enumerate(commitments):
        if isinstance(commitment, dict) and "use" in commitment:
            shape_name = commitment["use"]
            if shape_name not in shapes:
                known = ", ".join(sorted(shapes)) or "none: add the library under 'rules:'"
                line = located.line_of(("commitments", i, "use"))
                problems.append(
                    f"{located.path}:{line}: commitments.{i}.use: no shape {shape_name!r} in the "
                    f"contract's rule libraries (known: {known})"
                )
                merged.append(commitment)
                continue
            base = {k: v for k, v in shapes[shape_name].items() if k in _SHAPE_FIELDS}
            merged.append({**base, **commitment})
        else:
            merged.append(commitment)
    result = {**data, "commitments": merged}
    if event_types:
        result["event_types"] = [*event_types, *(data.get("event_types") or [])]
    return result
