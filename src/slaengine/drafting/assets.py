"""The equipment list (设备清单 / asset list): a table of units and their parts.

Theory of operation: a table (Markdown rows or a .docx table) whose header names an id column
(编号, 设备编号, ID) and a class column (类别, 类型, class, type) lists assets. Each following row
is one asset: its id, its name (名称, name), its class (成套设备 / 整机 / unit → ``unit``;
关键部件 / key part → ``key_part``; 部件 / 零部件 / part → ``part``), and for a part the unit it
belongs to (所属, unit, parent). A part whose unit is not in the table, or a row whose class
cannot be told, is returned for review rather than guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from slaengine.drafting.text import Sentence

_ID = re.compile(r"^(?:设备)?编号$|^id$|^asset(?: id)?$", re.I)
_NAME = re.compile(r"名称|^name$", re.I)
_CLASS = re.compile(r"类别|类型|^class$|^type$", re.I)
_PARENT = re.compile(r"所属|^unit$|^parent$", re.I)
_CLASSES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"关键部件|关键零部件|核心部件|key[ _]?part", re.I), "key_part"),
    (re.compile(r"成套设备|整机|整套|^设备$|^unit$", re.I), "unit"),
    (re.compile(r"部件|零件|^part$", re.I), "part"),
)


@dataclass(frozen=True, slots=True)
class FoundAsset:
    id: str
    name: str | None
    kind: str
    unit: str | None
    sentence: Sentence


@dataclass(frozen=True, slots=True)
class BadRow:
    sentence: Sentence
    reason: str


def _cells(sentence: Sentence) -> list[str]:
    return [cell.strip() for cell in sentence.plain.split("|")]


def asset_header(sentence: Sentence) -> dict[str, int] | None:
    """Column positions when this table row is an asset list's header."""
    if not sentence.table_row:
        return None
    columns: dict[str, int] = {}
    for i, cell in enumerate(_cells(sentence)):
        for key, pattern in (("id", _ID), ("name", _NAME), ("class", _CLASS), ("unit", _PARENT)):
            if key not in columns and pattern.search(cell):
                columns[key] = i
                break
    return columns if "id" in columns and "class" in columns else None


def asset_row(sentence: Sentence, columns: dict[str, int]) -> FoundAsset | BadRow:
    cells = _cells(sentence)

    def cell(key: str) -> str | None:
        index = columns.get(key)
        if index is None or index >= len(cells):
            return None
        return cells[index] or None

    asset_id, kind_text = cell("id"), cell("class") or ""
    if not asset_id:
        return BadRow(sentence, "a row of the asset list without an id")
    kind = next((kind for pattern, kind in _CLASSES if pattern.search(kind_text)), None)
    if kind is None:
        return BadRow(
            sentence,
            f"asset {asset_id}: class {kind_text!r} is not a unit (成套设备), key part (关键部件) "
            "or part (部件)",
        )
    unit = cell("unit")
    if unit in ("-", "—", "/"):
        unit = None
    if kind != "unit" and unit is None:
        return BadRow(sentence, f"asset {asset_id}: a {kind} needs the unit it belongs to (所属)")
    # names keep the tender's own words (the original text, cell by cell)
    original = [c.strip() for c in sentence.text.split("|")]
    name_index = columns.get("name")
    name = original[name_index] if name_index is not None and name_index < len(original) else None
    return FoundAsset(asset_id, name or None, kind, unit if kind != "unit" else None, sentence)
