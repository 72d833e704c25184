"""Reading a mapping file of any shape: YAML with each field's line, validated by its model.

A mapping is a pydantic model (``LocatedModel``) that keeps the file it came from and the line
of every field, so both a problem found when the file is read (``load_model``) and one found
when the mapping is used later (``LocatedModel.error``: a column missing from a CSV header) name
the file, the line and the field. Every problem of a file is listed at once: a mapping is
usually written in one sitting, and fixing one error per run is slow.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any, TypeVar, get_args, get_origin

from pydantic import BaseModel, ConfigDict, PrivateAttr, ValidationError

from slaengine.contract.loader import LocatedYaml
from slaengine.errors import ContractError, SlaError

__all__ = ["Issues", "LinePath", "LocatedModel", "MappingError", "Model", "load_model"]

LinePath = tuple[str | int, ...]


class MappingError(SlaError):
    """A mapping file is not valid, or does not fit what it is applied to (a CSV's header).

    ``problems`` holds one line per problem, ``file:line: field: message``; ``line`` and
    ``field`` are those of the first problem (``None`` when it has no place in the file).
    """

    def __init__(
        self,
        path: str,
        problems: list[str],
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.path = path
        self.problems = problems
        self.line = line
        self.field = field
        if len(problems) == 1:
            super().__init__(problems[0])
        else:
            super().__init__(f"{path}: {len(problems)} problems\n" + "\n".join(problems))


class Issues(ValueError):
    """Cross-field problems found after shape validation, each with the path it belongs to.

    Raised inside a model validator; pydantic keeps the exception in the error's ``ctx``, so
    ``load_model`` can give each problem its own line instead of the model's first line.
    """

    def __init__(self, issues: list[tuple[LinePath, str]]) -> None:
        self.issues = issues
        super().__init__(
            "; ".join(f"{'.'.join(map(str, where))}: {message}" for where, message in issues)
        )


class Model(BaseModel):
    """A part of a mapping file: unknown fields are refused, nothing changes once read."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class LocatedModel(Model):
    """A mapping (of any shape) that remembers its file and the line of each field, so an error
    found when it is used can name them."""

    _source: Path | None = PrivateAttr(None)
    _lines: dict[LinePath, int] = PrivateAttr(default_factory=dict)

    @property
    def source(self) -> Path | None:
        """The file this mapping was loaded from (None when built in code)."""
        return self._source

    def line_of(self, *where: str | int) -> int | None:
        """The line of a field in the mapping file, for errors found when the mapping is used."""
        for end in range(len(where), 0, -1):
            if where[:end] in self._lines:
                return self._lines[where[:end]]
        return None

    def error(self, message: str, *where: str | int) -> MappingError:
        """A MappingError about one field of this mapping, naming its file and line."""
        name = str(self._source) if self._source else "<mapping>"
        line = self.line_of(*where)
        dotted = ".".join(str(part) for part in where) or "(top)"
        place = f"{name}:{line}" if line else name
        return MappingError(name, [f"{place}: {dotted}: {message}"], line, dotted)


_Loaded = TypeVar("_Loaded", bound=LocatedModel)


def _model_at(where: LinePath, root: type[BaseModel]) -> type[BaseModel] | None:
    """The model class a location points into (to list its fields in an error)."""
    model: type[BaseModel] = root
    items: type[BaseModel] | None = None  # the model of a list's items, for a position next
    for part in where:
        if isinstance(part, int) and items is not None:
            model, items = items, None
            continue
        info = model.model_fields.get(str(part))
        annotation = info.annotation if info else None
        args = [a for a in get_args(annotation) if isinstance(a, type) and issubclass(a, BaseModel)]
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            model = annotation
        elif get_origin(annotation) is list and args:
            items = args[0]
        else:
            return None
    return None if items is not None else model


def _describe(item: Any, root: type[BaseModel]) -> tuple[LinePath, str]:
    """One pydantic error as (path, message a mapping author can act on)."""
    loc: LinePath = tuple(item["loc"])
    kind = item["type"]
    if kind == "missing":
        parent = _model_at(loc[:-1], root)
        info = parent.model_fields.get(str(loc[-1])) if parent else None
        what = f" ({info.description})" if info and info.description else ""
        return loc, f"this field is required{what}"
    if kind == "extra_forbidden":
        parent = _model_at(loc[:-1], root)
        names = sorted(parent.model_fields) if parent else []
        near = difflib.get_close_matches(str(loc[-1]), names, n=1)
        hint = f"did you mean {near[0]!r}? " if near else ""
        return loc, f"unknown field; {hint}the fields here are: {', '.join(names)}"
    return loc, str(item["msg"]).removeprefix("Value error, ")


def load_model(path: Path, model: type[_Loaded]) -> _Loaded:
    """Read and validate a mapping file of any shape into ``model``; MappingError naming
    the file, and the line and field of each problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise MappingError(str(path), [f"{path}: no such mapping file"]) from None
    except UnicodeDecodeError:
        raise MappingError(str(path), [f"{path}: not UTF-8 text"], 1) from None
    try:
        located = LocatedYaml(path, text)
    except ContractError as exc:  # YAML syntax, empty file, duplicate keys
        raise MappingError(str(path), exc.problems, _first_line(exc.problems)) from None
    if not isinstance(located.data, dict):
        raise MappingError(
            str(path), [f"{path}:1: a mapping file is a set of 'field: value' lines"], 1
        )
    try:
        mapping = model.model_validate(located.data)
    except ValidationError as exc:
        found: list[tuple[LinePath, str]] = []
        for item in exc.errors(include_url=False):
            error = (item.get("ctx") or {}).get("error")
            if isinstance(error, Issues):
                found.extend(error.issues)
            else:
                found.append(_describe(item, model))
        problems = []
        for where, message in found:
            line = located.line_of(where)
            dotted = ".".join(str(part) for part in where) or "(top)"
            problems.append(f"{path}:{line}: {dotted}: {message}")
        first_line = located.line_of(found[0][0]) if found else None
        first_field = ".".join(str(part) for part in found[0][0]) if found else None
        raise MappingError(str(path), problems, first_line, first_field) from None
    mapping._source = path
    mapping._lines = dict(located.lines)
    return mapping


def _first_line(problems: list[str]) -> int | None:
    match = re.match(r"^.*?:(\d+):", problems[0]) if problems else None
    return int(match.group(1)) if match else None
