"""Reading a tender document into numbered lines of text, whatever its format.

The line numbers are the provenance a reviewer checks a draft against, so they must mean the same
thing every time: for ``.txt`` and ``.md`` they are the file's own lines; for ``.docx`` each
paragraph is one line and each table row one line (its cells joined by `` | ``), in document
order; for ``.pdf`` they are the lines of the extracted text, counted through the whole document
(``slaengine contract draft --text`` prints exactly these numbered lines). Nothing here interprets
the text; reading never drops a line, blank lines included, so the numbers stay stable.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from slaengine.errors import SlaError

#: The formats ``contract draft`` reads, by file suffix.
FORMATS = (".txt", ".md", ".docx", ".pdf")


class TenderError(SlaError):
    """A tender document that cannot be read (format, encoding, damaged file)."""


@dataclass(frozen=True, slots=True)
class Line:
    number: int
    text: str
    #: True for a row of a table (a .docx table, or a Markdown ``| a | b |`` row).
    table_row: bool = False


def read_tender(path: Path) -> list[Line]:
    """The tender's text as numbered lines; a clear TenderError when it cannot be read."""
    if not path.exists():
        raise TenderError(f"{path}: no such file")
    if path.is_dir():
        raise TenderError(f"{path}: is a directory; give a .txt, .md, .docx or .pdf file")
    suffix = path.suffix.lower()
    if suffix in (".txt", ".md"):
        texts = _plain(path)
    elif suffix == ".docx":
        return _numbered(_docx(path))
    elif suffix == ".pdf":
        texts = _pdf(path)
    else:
        raise TenderError(
            f"{path}: cannot read {suffix or 'a file without a suffix'}; "
            f"give one of {', '.join(FORMATS)}"
        )
    if suffix in (".txt", ".md"):
        texts = _aligned(texts)
    borderless = (
        _borderless_rows(texts) | _spaced_rows(texts) if suffix in (".txt", ".md") else set()
    )
    return _numbered(
        (text, _looks_like_row(text) or i in borderless) for i, text in enumerate(texts)
    )


def _numbered(rows: Iterable[tuple[str, bool]]) -> list[Line]:
    return [Line(number, text, row) for number, (text, row) in enumerate(rows, start=1)]


def _looks_like_row(text: str) -> bool:
    stripped = text.strip()
    return stripped.startswith("|") and stripped.count("|") >= 2


def _borderless_cells(text: str) -> int:
    """The number of cells of a line written as a table row without its outer pipes
    ("Kitchen | Use | Specialist clean"), 0 when it is none."""
    stripped = text.strip()
    if not stripped or stripped.startswith("|") or "|" not in stripped:
        return 0
    cells = [cell.strip() for cell in stripped.split("|")]
    return len(cells) if all(cells) else 0


#: A rule drawn under a plain-text table's header ("-----+-------", "------   ------").
_RULE = re.compile(r"\s*[-=]{3,}[-=+|:\s]*")


def _is_rule(text: str) -> bool:
    return bool(_RULE.fullmatch(text)) and text.count("-") + text.count("=") >= 6


def _borderless_rows(texts: list[str]) -> set[int]:
    """The lines of a plain-text table without outer pipes: two or more lines in a row with
    the same number of cells (a single line "Ref. 2027/031 | Depot: …" is a heading); a rule
    of dashes under the header ("Priority | Attend site" / "-----+-----") is one of them."""
    rows: set[int] = set()
    i = 0
    while i < len(texts):
        count = _borderless_cells(texts[i])
        j = i + 1
        while (
            count
            and j < len(texts)
            and (
                _borderless_cells(texts[j]) == count
                or (
                    _is_rule(texts[j])
                    and j + 1 < len(texts)
                    and _borderless_cells(texts[j + 1]) == count
                )
            )
        ):
            j += 1
        if count and j - i >= 2:
            rows.update(range(i, j))
        i = j
    return rows


def _aligned(texts: list[str]) -> list[str]:
    """A plain-text table whose columns are aligned by blanks, with a rule of dashes under its
    header ("Level    Response    On site" / "-----    --------    -------"): the header and
    each row below it with as many cells (two or more blanks apart) as the rule has runs of
    dashes are written as table rows ("| Level | Response | On site |"), as a PDF's layout
    rows are; the rows end at a line with another number of cells."""
    out = list(texts)
    for i, text in enumerate(texts):
        if not i or not _is_rule(text) or "|" in text or "+" in text:
            continue
        columns = len(text.split())
        if columns < 2:
            continue

        def cells(line: str) -> list[str]:
            return [cell for cell in _CELL_GAP.split(line.strip()) if cell]

        if len(cells(texts[i - 1])) != columns or "|" in texts[i - 1]:
            continue
        j = i + 1
        while j < len(texts) and len(cells(texts[j])) == columns and "|" not in texts[j]:
            j += 1
        if j == i + 1:
            continue
        if j < len(texts) and texts[j][:1].isspace() and texts[j].strip():
            continue  # a cell's words wrapped onto an indented line: ``_spaced_rows`` reads it
        for k in (i - 1, *range(i + 1, j)):
            out[k] = "| " + " | ".join(cells(texts[k])) + " |"
        out[i] = "|" + "|".join(["---"] * columns) + "|"  # the rule, as a Markdown table's
    return out


#: A run of two or more blanks (or a tab) between the cells of a plain-text table.
SPACED_GAP = re.compile(r"\t+|[ \u3000]{2,}")
#: A rule under a plain-text table's header ("----   --------", "=====").
_SPACED_RULE = re.compile(r"^[\s\-=─━_]+$")


def spaced_cells(text: str) -> list[str]:
    """The cells of a line whose words stand in blocks apart by runs of blanks."""
    return [cell for cell in SPACED_GAP.split(text.strip()) if cell]


def _spaced_rows(texts: list[str]) -> set[int]:
    """The rows of a plain-text table whose columns are aligned by runs of blanks: two or more
    lines of three or more cells, with only a rule ("----") or an indented line continuing a
    cell ("         电气故障…") between them; a blank line or a line of prose ends the table."""
    rows: set[int] = set()
    block: list[int] = []
    cells = 0
    for i, text in enumerate([*texts, ""]):
        if "|" not in text and len(spaced_cells(text)) >= 3:
            block.append(i)
            cells += 1
            continue
        if block and text.strip() and (_SPACED_RULE.match(text) or text[:1].isspace()):
            block.append(i)  # a rule, or a cell's words wrapped onto an indented line
            continue
        if cells >= 2:
            rows.update(block)
        block = []
        cells = 0
    return rows


def _plain(path: Path) -> list[str]:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        # Chinese tenders saved as plain text are often GBK; GB 18030 is its superset.
        try:
            return raw.decode(encoding).splitlines()
        except UnicodeDecodeError:
            continue
    raise TenderError(f"{path}: neither UTF-8 nor GB 18030 text")


def _docx(path: Path) -> Iterator[tuple[str, bool]]:
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError) as exc:
        raise TenderError(f"{path}: not a readable .docx file ({exc})") from None
    except Exception as exc:  # a damaged zip raises zipfile/lxml errors of many kinds
        raise TenderError(f"{path}: not a readable .docx file ({exc})") from None
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            yield block.text, False
        elif isinstance(block, Table):
            for row in block.rows:
                cells: list[str] = []
                for cell in row.cells:
                    text = " ".join(cell.text.split())
                    if not cells or cells[-1] != text:  # merged cells repeat their text
                        cells.append(text)
                yield "| " + " | ".join(cells) + " |", True


#: Two or more blanks between words of a PDF line in layout mode: a gap between table cells.
_CELL_GAP = re.compile(r"\s{2,}")
#: Two Chinese figures one blank apart ("30分钟 2小时", "≤15分钟 ≤1小时"): narrow cells the
#: layout ran together; the second figure may open with its bound (≤, <, ＜, ≦), and then no
#: blank at all may part them ("≤20分钟≤40分钟").
_JAMMED = re.compile(
    r"(?<=[\u4e00-\u9fff]) (?=[≤≦<＜]?\d)|(?:(?<=分钟)|(?<=小时)|(?<=[天日周月年]))(?=[≤≦<＜]\d)"
)


def _pdf(path: Path) -> list[str]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        # the layout mode keeps a table's row on one line, its cells apart by runs of blanks
        pages = [page.extract_text(extraction_mode="layout") or "" for page in reader.pages]
    except (PdfReadError, ValueError, OSError) as exc:
        raise TenderError(f"{path}: not a readable PDF ({exc})") from None
    lines: list[str] = []
    for page in pages:
        raw = page.splitlines()
        split = [
            [
                piece
                for cell in _CELL_GAP.split(line.strip())
                for piece in (_JAMMED.split(cell) if _JAMMED.search(cell) else [cell])
            ]
            for line in raw
        ]
        for i, (line, cells) in enumerate(zip(raw, split, strict=True)):
            # a two-column table (项目 | 时限): rows of two cells one under another
            beside = [split[j] for j in (i - 1, i + 1) if 0 <= j < len(split)]
            two = len(cells) == 2 and any(len(other) >= 2 and all(other) for other in beside)
            if (len(cells) >= 3 or two) and all(cells):
                line = "| " + " | ".join(cells) + " |"  # a table row: cells as in a .docx
            lines.append(line.rstrip())
    if not any(line.strip() for line in lines):
        raise TenderError(
            f"{path}: the PDF has no text layer (a scan of images); run OCR on it first "
            "(e.g. ocrmypdf) and draft from the result"
        )
    return lines
