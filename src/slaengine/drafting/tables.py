"""The general table reader's word classes: what a header cell or a row label names.

A table of an after-sales text states its terms as cells at the crossing of a row and a column.
The row label and the column header each name one or more *roles* (a level or kind of fault, an
action, a zone, a unit); a cell is read with the roles of its row and its column. This module
classifies a header cell or a row label with the vocabularies the drafter already has; the
reading itself (``findings.Findings._grid_row``) puts the roles together.

* **action**: a word of the action vocabulary (响应, 到场, 修复, Response …), else a word of an
  action's *class* (整改, Rectification, Attendance: the equipment's state, a place, a call, a
  document) — the latter is an inference the draft lists for review;
* **unit**: a unit of time stated once in the header or the label (``响应时间（分钟）``,
  ``Response (hours)``, ``时限/小时``) for cells that hold bare numbers;
* the **label's action and kind**: "困人救援到场" names the kind 困人救援 and the action 到场;
  "Engineer on site" names only the action.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from slaengine.drafting.responses import cue_shape
from slaengine.drafting.vocabulary import DISTANCE, SHAPES, ShapeWords

#: A unit of time stated in a header or a row label, for the bare numbers of its cells.
_UNIT = re.compile(
    r"[(（/／]\s*(?P<unit>分钟|分|小时|时|工作小时|工作日|工作天|自然日|天|日|周"
    r"|mins?|minutes?|h|hrs?|hours?|business hours|working hours|business days|working days"
    r"|days?|weeks?)\s*[)）]?\s*$",
    re.I,
)
_UNIT_WORDS = {
    "分钟": "分钟", "分": "分钟", "小时": "小时", "时": "小时", "工作小时": "个工作小时",
    "工作日": "个工作日", "工作天": "个工作日", "自然日": "个自然日", "天": "天", "日": "天",
    "周": "周", "min": "minutes", "mins": "minutes", "minute": "minutes", "minutes": "minutes",
    "h": "hours", "hr": "hours", "hrs": "hours", "hour": "hours", "hours": "hours",
    "business hours": "business hours", "working hours": "business hours",
    "business days": "business days", "working days": "business days", "day": "days",
    "days": "days", "week": "weeks", "weeks": "weeks",
}  # fmt: skip
#: A cell that is a bare figure: "30", "≤ 2", "2-4", "0.5".
BARE_NUMBER = re.compile(r"^\s*(?:[≤<]=?\s*)?\d+(?:\.\d+)?(?:\s*[-–~～至]\s*\d+(?:\.\d+)?)?\s*$")


@dataclass(frozen=True)
class CellAction:
    """The action a header cell or row label names, and the class word when it was inferred."""

    shape: ShapeWords
    inferred: str | None = None


def header_unit(cell: str) -> str | None:
    """The unit of time a header cell or row label states for bare numbers, as a word the
    duration reader knows ("响应时间（分钟）" → 分钟, "Response (hours)" → hours)."""
    match = _UNIT.search(cell.strip())
    if match is None:
        return None
    return _UNIT_WORDS.get(match.group("unit").lower())


def with_unit(cell: str, unit: str | None) -> str:
    """A bare number with the unit of its header: "30" under "(分钟)" reads "30分钟"."""
    if unit is None or not BARE_NUMBER.match(cell):
        return cell
    return f"{cell.strip()} {unit}" if unit.isascii() else f"{cell.strip()}{unit}"


def strip_unit(cell: str) -> str:
    """A header cell without its unit ("响应时间（分钟）" → 响应时间)."""
    return _UNIT.sub("", cell.strip()).strip()


#: The start of a column's clock said before or after its act: "到场后修复", "Repair after
#: arrival" (the act is the repair; the arrival only starts its clock).
_CLOCK_START = re.compile(
    r"^\s*(?:到达现场|到场|到达|抵达|上门)(?:之)?后\s*"
    # "消缺时限(自到达现场起)": the clock's start said in a bracket after the act
    r"|\s*[(（]\s*(?:自|从|由)?(?:到达现场|到场|到达|抵达|上门)(?:之)?(?:后|起|时起)(?:计)?(?:算)?\s*[)）]"
    r"|\s*\b(?:after|from|following|upon|on)\s+(?:the\s+)?(?:(?:engineer|technician)(?:'s|’s|s')?\s+)?"
    r"(?:arrival|attendance)(?:\s+on\s+site)?\b",
    re.I,
)


def without_clock_start(text: str) -> str:
    """A header cell without the arrival that starts its clock ("到场后修复" → 修复), when what
    is left still names an act; else the cell as it is."""
    rest = _CLOCK_START.sub(" ", text).strip()
    if rest != text.strip() and rest and any(w.words.search(rest) for w in SHAPES):
        return rest
    return text


def cell_action(cell: str, *, infer: bool) -> CellAction | None:
    """The action a short header cell or row label names: a word of the action vocabulary, or
    (``infer``) a word of an action's class (整改 / Rectification: the equipment's state)."""
    text = without_clock_start(strip_unit(cell))
    if not text or len(text) > 30:
        return None
    if DISTANCE.search(text):
        # "Within 50 miles of a depot", "200公里以外": a distance band is a zone, whatever other
        # word ("depot") the cell holds
        return None
    if re.fullmatch(r"call[- ]?back(?: time)?", text, re.I):
        return CellAction(next(w for w in SHAPES if w.shape == "answer-the-call"))
    for words in SHAPES:
        if words.words.search(text):
            return CellAction(words)
    if not infer:
        return None
    cue = cue_shape(text)
    return CellAction(cue[0], cue[1]) if cue is not None else None


def label_kind(label: str, action: CellAction) -> str | None:
    """What a row label names besides its action ("困人救援到场" → 困人救援; "Engineer on
    site" → "Engineer"): the label with the action's words taken out, or None."""
    text = strip_unit(label)
    if action.inferred is None:
        rest = action.shape.words.sub(" ", text)
    else:
        rest = re.sub(rf"\w*{re.escape(action.inferred)}\w*", " ", text)
    rest = re.sub(r"\s+", " ", rest).strip(" -–:：,，")
    if not rest or cue_shape(rest) is not None:
        return None  # "故障分析报告": 分析 is a document's word too, no kind of fault
    return rest
