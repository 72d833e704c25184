"""Sentences of a tender, each kept twice: as written (provenance) and in a plain form (parsing).

Theory of operation: a paragraph (a line of a .txt/.md file, a paragraph or table row of a
.docx; in a PDF, consecutive lines until one ends a sentence, because PDF text wraps mid-sentence)
is cut into sentences at 。；;！!？? and at a full stop followed by a space. The ``text`` of a
sentence is exactly what the tender says there (only surrounding blanks and Markdown markers
trimmed); recognisers never read it. They read ``plain``: the same sentence with full-width
characters made half-width (NFKC), Traditional characters made Simplified (OpenCC), and Chinese
numerals that count something (三分钟, 十五分钟, 一个工作日, 五年, 两次, 伍佰元, 百分之零点零五)
made Arabic by cn2an. Numerals not followed by a unit (一般, 一切, 一包) are words, not numbers, and
stay as they are.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from slaengine.drafting.reading import SPACED_GAP, Line, spaced_cells


@dataclass(frozen=True, slots=True)
class Sentence:
    line: int
    #: exactly as the tender writes it: what a reviewer compares.
    text: str
    #: normalised for parsing (half-width, Simplified, Arabic numerals).
    plain: str
    table_row: bool = False


_CN = "零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟"
#: what a numeral counts; only numerals followed by one of these are numbers.
_COUNTED = (
    r"个?半?(?:分钟|小时|钟头|个?工作[日天]|个?上班日|个?历日|天|日|周|星期|个?月|季度|年|次|元"
    r"|万元|倍|%)"
)
_NUMERAL = re.compile(rf"[{_CN}]+(?:点[{_CN}]+)?(?={_COUNTED})")
_PER_MILLE = re.compile(rf"千分之([{_CN}]+(?:点[{_CN}]+)?|\d+(?:\.\d+)?)")
_PERCENT = re.compile(rf"百分之([{_CN}]+(?:点[{_CN}]+)?|\d+(?:\.\d+)?)")
_SENTENCE_END = re.compile(r"[。；;！!？?]|\.(?=\s|$)")
_PDF_SENTENCE_END = ("。", "；", ";", "！", "!", "？", "?", ".", ":", "：")
#: A word shortened with a point before a figure ("Rs. 1,000", "No. 5"): no end of a sentence.
_ABBREVIATED = re.compile(r"\b(?:Rs|Re|No|Nos|Ref|Cl|Art|Sec|approx)$", re.I)
_FIGURE_NEXT = re.compile(r"\s*\d")
_MARKERS = re.compile(r"^\s*(?:#+|[-*+>]|\d+\.(?!\d))\s+")


@cache
def _t2s() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


def _per_mille(numeral: str) -> str:
    """千分之一 is 0.1%."""
    value = Decimal(_arabic(numeral)) / 10
    return f"{value.normalize():f}%"


def _arabic(numeral: str) -> str:
    import cn2an  # imported on first use: it takes a third of a second

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # cn2an warns as well as raising
            value = cn2an.cn2an(numeral, "smart")
    except (ValueError, KeyError, IndexError, TypeError):
        return numeral  # not a well-formed numeral: left for the "not understood" review
    return _number_text(value)


def _number_text(value: int | float) -> str:
    text = f"{value:f}" if isinstance(value, float) else str(value)
    return text.rstrip("0").rstrip(".") if "." in text else text


_NUMBERING = re.compile(
    r"^\s*(?:[A-Z]?\d+(?:\.\d+)+\s+|\d+[.、)](?!\d)\s*|\(\d+\)\s*|[一二三四五六七八九十]+、\s*"
    r"|第\s*[一二三四五六七八九十百\d]+\s*[条條款章节節项項]\s*)"
)


def unnumbered(plain: str) -> str:
    """A plain sentence without its clause number ("2.1 ", "(3)", "一、"), for names."""
    return _NUMBERING.sub("", plain, count=1)


_UNITS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_TEENS = (
    "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
    "eighteen", "nineteen",
)  # fmt: skip
_TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
#: English numbers in words up to ninety-nine, compounds too ("twenty-one", "sixty-five").
_ENGLISH = {
    **{word: n for n, word in enumerate(_UNITS, 1)},
    **{word: n for n, word in enumerate(_TEENS, 10)},
    **{tens: 10 * n for n, tens in enumerate(_TENS, 2)},
    **{
        f"{tens}-{unit}": 10 * n + u
        for n, tens in enumerate(_TENS, 2)
        for u, unit in enumerate(_UNITS, 1)
    },
}
_SPELLED_THEN_DIGITS = re.compile(
    r"\b(?:(?:[a-z]+-)?[a-z]+ and )?(?:one half|a half|"
    + "|".join(sorted(_ENGLISH, key=len, reverse=True))
    + r")\s*\((\d+(?:\.\d+)?)\)",
    re.I,
)
_SPELLED_UNIT = re.compile(
    r"\b(" + "|".join(sorted(_ENGLISH, key=len, reverse=True)) + r")\b(?=\s+(?:\(\d+\)\s*)?"
    r"(?:(?:local\s+|business\s+|working\s+|calendar\s+|full\s+)?"
    r"(?:minutes?|hours?|days?|weeks?|months?|years?)"
    r"|(?:[\w-]+\s+){0,3}(?:times?|visits?|inspections?))\b)",
    re.I,
)
_NEXT_DAY = re.compile(
    r"\b(?:(?:by|on|within|in) )?(?:the )?next (local )?(business|working) day\b", re.I
)
#: "| P3 | 4 hrs | NBD | 5 days |": the next business day abbreviated, alone in a table cell
#: (not a label's part, as in the service option "9x5 NBD").
_NBD_CELL = re.compile(r"(?<=\|)\s*(?:NBD|NWD)\s*(?=\||$)")
_HALF_HOUR = re.compile(r"\bhalf an hour\b", re.I)
#: "次一工作天内到场", "下一个工作日内": the next business day, one working day (after t2s).
_NEXT_DAY_ZH = re.compile(r"(?:次一?|(?<![以如])下一?)个?(工作[日天]|上班日)")
#: "| 三级 | ≤4小时 | 次日 | 3个工作日内 |": the next day alone in a table cell, one day (a
#: working day only when it says so: 次一工作天 above). Not "次日内到场" in running text: a
#: reviewer reads whether the next day means within 24 hours or by the end of the next day.
_NEXT_DAY_CELL_ZH = re.compile(r"(?<=\|)\s*(?:次日|翌日)(?:之?内|以内)?\s*(?=\||$)")
#: "次日上门", "翌日派员到场": an act on the next day in running text, one day around the clock
#: (the draft lists it: within 24 hours, or by the end of the next day? ``next_day_act``).
_NEXT_DAY_ACT_ZH = re.compile(
    r"(?:次日|翌日|第二天)(?:之?内|以内)?(?=[^，,；;。|]{0,4}?"
    r"(?:上门|到场|到达|赶到|赶赴|派员|派人|修复|排除|处理|响应|答复|回复))"
)
#: "三(3)年", "一(1)個工作天": a Chinese numeral with its digits in brackets.
_CN_THEN_DIGITS = re.compile(r"[零一二两三四五六七八九十百]+\s*\((\d+(?:\.\d+)?)\)")
#: "【≥5】年", "[ 3 ]个工作日": a figure filled into a form's brackets.
_FORM_BRACKETS = re.compile(r"[【\[]\s*((?:≥|≤|>=|<=|>|<)?\s*\d+(?:\.\d+)?)\s*[】\]]")
#: Page furniture inside a line or table row ("第 3 页 共 12 页", "Page 3 of 12", "- 3 -").
_PAGE = re.compile(
    r"第\s*\d+\s*页(?:\s*[/,，]?\s*共\s*\d+\s*页)?|共\s*\d+\s*页|\bpage\s+\d+(?:\s+of\s+\d+)?\b"
    r"|^\s*-\s*\d+\s*-\s*$",
    re.I,
)


def _english(plain: str) -> str:
    plain = _SPELLED_THEN_DIGITS.sub(lambda m: m.group(1), plain)
    plain = _NEXT_DAY.sub(lambda m: f"within 1 {m.group(1) or ''}{m.group(2)} day", plain)
    plain = _NBD_CELL.sub(
        lambda m: f" within 1 {'working' if 'W' in m.group(0) else 'business'} day ", plain
    )
    plain = _HALF_HOUR.sub("30 minutes", plain)
    plain = re.sub(r"\bper annum\b", "per year", plain, flags=re.I)  # "12 visits per annum"
    plain = re.sub(r"\btwice\b", "2 times", plain, flags=re.I)
    plain = re.sub(r"\bonce\b(?= (?:a|per|every) )", "1 time", plain, flags=re.I)
    # "a three-year on-site warranty", "a 5-year warranty": a term written as one word
    plain = re.sub(
        r"\b(\d+|" + "|".join(sorted(_ENGLISH, key=len, reverse=True)) + r")-(year|month)\b",
        lambda m: f"{_ENGLISH.get(m.group(1).lower(), m.group(1))} {m.group(2)}s",
        plain,
        flags=re.I,
    )
    return _SPELLED_UNIT.sub(lambda m: str(_ENGLISH[m.group(1).lower()]), plain)


_CARE_OF_PERCENT = re.compile(r"(\d)\s*℅")


#: The words of the next day, the same in both scripts.
_NEXT_DAY_WORD = re.compile(r"次日|翌日|第二天")


def next_day_act(text: str) -> str | None:
    """The words of an act on the next day in running text ("次日上门"), read as one day."""
    if not _NEXT_DAY_WORD.search(text):
        return None  # most sentences: no second conversion of their text
    match = _NEXT_DAY_ACT_ZH.search(_t2s().convert(unicodedata.normalize("NFKC", text)))
    if match is None:
        return None
    rest = re.match(r"[^，,；;。|]{0,4}", match.string[match.end() :])
    return match.group(0) + (rest.group(0) if rest else "")


def normalise(text: str) -> str:
    """The plain form of a sentence (see the module docstring)."""
    # "完好率95℅": the care-of sign typed for a per cent sign after a figure (NFKC makes it c/o)
    plain = unicodedata.normalize("NFKC", _CARE_OF_PERCENT.sub(r"\1%", text))
    plain = _t2s().convert(plain)
    plain = _FORM_BRACKETS.sub(lambda m: m.group(1), plain)
    plain = _CN_THEN_DIGITS.sub(lambda m: m.group(1), plain)
    plain = _NEXT_DAY_ZH.sub(lambda m: "1个" + m.group(1), plain)
    plain = _NEXT_DAY_CELL_ZH.sub(" 1天内 ", plain)
    plain = _NEXT_DAY_ACT_ZH.sub("1天内", plain)
    plain = _PAGE.sub(" ", plain)
    plain = _english(plain)
    plain = _PERCENT.sub(lambda m: _arabic(m.group(1)) + "%", plain)
    plain = _PER_MILLE.sub(lambda m: _per_mille(m.group(1)), plain)
    plain = re.sub(r"(\d+(?:\.\d+)?)\s*‰", lambda m: _per_mille(m.group(1)), plain)
    return _NUMERAL.sub(lambda m: _arabic(m.group(0)), plain)


def sentences(lines: list[Line], *, wrapped: bool = False) -> list[Sentence]:
    """The sentences of the tender in order; ``wrapped`` joins lines that break mid-sentence."""
    result: list[Sentence] = []
    above: tuple[str, int] | None = None  # the last row of a table aligned by blanks
    for first, text, row in _paragraphs(lines, wrapped):
        if row:
            spaced = "|" not in text
            cells = (
                spaced_cells(text)  # a plain-text table aligned by runs of blanks
                if spaced
                else [cell.strip() for cell in text.strip().strip("|").split("|")]
            )
            if all(not cell or set(cell) <= set("-=─━_:+ ") for cell in cells):
                continue  # the |---|---| rule under a Markdown table header
            if spaced and len(cells) == 1 and above is not None:
                # a cell's words wrapped onto the next line: back into the cell above them
                raw, index = above
                raw = _continued(raw, text)
                above = (raw, index)
                body = " | ".join(spaced_cells(raw))
                result[index] = Sentence(result[index].line, body, normalise(body), True)
                continue
            above = (text, len(result)) if spaced else None
            body = " | ".join(cells).strip()
            result.append(Sentence(first, body, normalise(body), table_row=True))
            continue
        above = None
        text = _MARKERS.sub("", text)
        start = 0
        for match in [*_SENTENCE_END.finditer(text), None]:
            if (
                match
                and _ABBREVIATED.search(text, 0, match.start())
                and _FIGURE_NEXT.match(text, match.end())
            ):
                continue  # "a penalty of Rs. 1,000", "Clause No. 5": an abbreviation's point
            end = match.start() if match else len(text)
            piece = text[start:end].strip()
            if piece:
                result.append(Sentence(first, piece, normalise(piece)))
            if match:
                start = match.end()
    return result


def _continued(row: str, more: str) -> str:
    """A row of a table aligned by blanks with the words of an indented line below it added to
    the cell they stand under (the cell starting at or left of them)."""
    column = len(more) - len(more.lstrip())
    starts = [m.end() for m in SPACED_GAP.finditer(row) if m.start() > 0]
    lead = len(row) - len(row.lstrip())
    cut = max([lead, *(s for s in starts if s <= column)])
    end = SPACED_GAP.search(row, cut)
    at = end.start() if end else len(row.rstrip())
    return row[:at] + more.strip() + row[at:]


def _paragraphs(lines: list[Line], wrapped: bool) -> list[tuple[int, str, bool]]:
    if not wrapped:
        return _hanging(lines)
    joined: list[tuple[int, str, bool]] = []
    open_paragraph = False
    for line in lines:
        text = line.text.strip()
        if not text:
            open_paragraph = False
            continue
        if line.table_row:
            joined.append((line.number, text, True))
            open_paragraph = False
            continue
        # "Each planned visit not made in its month:" ⏎ "$750.00.": a label's colon at the end
        # of a line, its sum alone on the next: one clause
        sum_after_colon = (
            bool(joined)
            and not joined[-1][2]
            and joined[-1][1].endswith((":", "："))
            and _SUM_LINE.match(text) is not None
        )
        # "…(at present, the Fenwick Park loop only):" ⏎ "the mechanic shall be on site …": a
        # colon before words that go on in small letters is no end of the sentence
        colon_goes_on = (
            bool(joined)
            and not joined[-1][2]
            and joined[-1][1].endswith((":", "："))
            and text[:1].islower()
            and not _LIST_ITEM.match(text)
        )
        if (
            (open_paragraph or sum_after_colon or colon_goes_on)
            and not _MARKERS.match(text)
            and not _starts_clause(text)
        ):
            number, before, _ = joined[-1]
            glue = (
                " " if before[-1:].isascii() and (text[:1].isascii() or text[:1] in "£€₹") else ""
            )
            joined[-1] = (number, before + glue + text, False)
        else:
            joined.append((line.number, text, False))
        # "Section 8. Warranty" ⏎ "Compressors: 5 years.": a line far shorter than the page's
        # width ends where it does (a heading, or a paragraph's last line), stop or no stop
        short = len(text) < (_SHORT_CJK if re.search(r"[\u4e00-\u9fff]", text) else _SHORT_LATIN)
        open_paragraph = not text.endswith(_PDF_SENTENCE_END) and not short
    return joined


#: An item of a list: "a) …", "(iv) …", "2. …".
_LIST_ITEM = re.compile(r"^[(（]?(?:[a-z]|[ivx]{1,4}|\d{1,3})[.)）]\s", re.I)


def _hanging(lines: list[Line]) -> list[tuple[int, str, bool]]:
    """The lines of a text that is not wrapped, with the lines a hand-wrapped clause continues
    on joined to it: an English line that stops mid-sentence (no stop, colon or semicolon at
    its end) and a line under it indented deeper, or opening with a small letter ("(a) For a
    bus more than 50 km from the" ⏎ "    Main Garage, the P1 on-site time is 6 hours")."""
    joined: list[tuple[int, str, bool]] = []
    indent = 0
    for line in lines:
        text = line.text
        lead = len(text) - len(text.lstrip())
        body = text.strip()
        if (
            joined
            and body
            and not line.table_row
            and not joined[-1][2]
            and re.search(r"[A-Za-z0-9,)]$", joined[-1][1].rstrip()) is not None
            and (lead > indent or body[:1].islower())
            and body[:1].isascii()
            and body[:1].isalnum()
            and not _MARKERS.match(body)
            and not _starts_clause(body)
            and not _LIST_ITEM.match(body)
        ):
            number, before, _ = joined[-1]
            joined[-1] = (number, before.rstrip() + " " + body, False)
            continue
        joined.append((line.number, text, line.table_row))
        if body:
            indent = lead
    return joined


#: A PDF line shorter than these (characters) is no line wrapped at the page's edge.
_SHORT_LATIN = 40
_SHORT_CJK = 16

#: A line that is only a sum of money ("$750.00.", "KES 20,000 per visit.", "£1,000").
_SUM_LINE = re.compile(
    r"^(?:[$£€¥₹]|(?-i:[A-Z]{2,3})\$?\s?)\s?\d[\d,]*(?:\.\d+)?(?:\s+[a-z][\w ]{0,30})?[.;]?$"
)


_CLAUSE_START = re.compile(
    r"^(?:\d+(?:\.\d+)+|[(（]?[一二三四五六七八九十]+[、)）]|第[一二三四五六七八九十\d]+[章条节級级])"
)


def _starts_clause(text: str) -> bool:
    """A numbered clause or a heading begins a new paragraph even after an unfinished line."""
    return bool(_CLAUSE_START.match(text))
