"""Figures in a plain sentence: lengths of time, amounts of money, percentages.

Theory of operation: recognisers ask for the figures of a sentence (or of a part of it) and get
them with their positions, so they can tell "30分钟内" (a target: the figure is followed by 内, or
preceded by "within") from "每超时10分钟" (a unit of lateness). Dates (2026年1月15日) and
ordinals (第2年) are not lengths of time. ``has_figure`` is what decides whether a sentence that
no recogniser understood must be listed for review: it has a time or money figure in it.
Money is Decimal from the text's digits; 万 multiplies by 10,000.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

#: Canonical units: m (minutes), h, d (calendar days), wd (working days), w, mo, y.
_UNIT_WORDS: tuple[tuple[str, str], ...] = (
    ("m", r"分钟|minutes?|mins?"),
    ("wh", r"个?工作小时|(?:local )?(?:business|working) hours?"),
    ("h", r"小时|钟头|hours?|hrs?|h(?![a-z])"),
    ("wd", r"个?工作日|个?工作天|个?上班日|(?:local )?(?:working|business) days?|workdays?"),
    # "30日历天" (Taiwan's calendar days), "14个历日" (Hong Kong's): calendar days
    ("d", r"个?自然日|个?日历[日天]|个?历日|天|日|(?:calendar )?days?|d(?![a-z])"),
    ("w", r"周|星期|weeks?"),
    ("mo", r"个月|months?"),
    ("y", r"年|years?"),
)
_UNIT_RE = "|".join(pattern for _, pattern in _UNIT_WORDS)
_DURATION = re.compile(
    # a unit is a word of its own: "4.1 Weekly inspection", "2.3 Monthly report" (a clause
    # number before a frequency word) is no length of time
    rf"(?P<num>\d+(?:\.\d+)?)(?:\s*|-)(?P<ge>个)?\s*(?P<half>半)?\s*(?P<unit>{_UNIT_RE})(?![a-z])"
    rf"|(?<![\d.])半\s*(?P<hunit>个?小时|天|年|个月)",
    re.IGNORECASE,
)
#: The currencies a sum is written with before its figure ("USD 500", "HK$500", "PHP 5,000.00",
#: "₱5,000"): one list for every rule that looks for where a sum starts.
CURRENCY = (
    r"RMB|CNY|¥|\$|USD|EUR|€|GBP|£|AUD|CAD|NZD|HKD|SGD|TWD|NTD|NT\$|A\$|C\$|HK\$|S\$|NZ\$"
    r"|INR|Rs\.?|₹|JPY|KRW|CHF|MYR|THB|AED|ZAR|MOP|PHP|₱"
    # the other ISO codes a tender writes before a sum (KES 5,000, NGN 250,000, SEK 1 200), in
    # capitals only ("try 3 times" is no sum), and the Kenyan and Ugandan shilling's KSh / USh
    r"|(?-i:\b(?:KES|UGX|TZS|RWF|ETB|NGN|GHS|ZMW|MWK|BWP|NAD|MUR|EGP|MAD|TND|SAR|QAR|KWD|BHD|OMR"
    r"|PKR|BDT|LKR|NPR|IDR|VND|MXN|BRL|CLP|COP|PEN|ARS|SEK|NOK|DKK|ISK|PLN|CZK|HUF|RON|TRY|ILS)\b)"
    r"|\b(?-i:KSh|Ksh|USh)\.?"
)
_MONEY = re.compile(
    r"(?P<num>\d[\d,]*(?:\.\d+)?)\s*(?P<wan>万)?\s*(?:元|块|yuan|RMB|CNY)"
    rf"|(?:{CURRENCY}"
    # the South African rand written R5,000 / R 12 500: a sum of thousands, not a label (R1)
    r"|\bR(?=\s?\d{1,3}(?:[, ]\d{3})+(?!\d)|\s?\d{4,}|\s?\d+\.\d\d(?!\d)))"
    # thousands set apart by blanks ("R2 000.00", "€ 12 500"), as by commas
    r"\s*(?P<num2>\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?![\d,])(?:\.\d+)?|\d[\d,]*(?:\.\d+)?)"
    r"\s*(?P<wan2>万)?",
    re.IGNORECASE,
)
_PERCENT = re.compile(r"(?P<num>\d+(?:\.\d+)?)\s*(?:%|percent\b|per cent\b)", re.IGNORECASE)
#: Words for "within" before or after a length of time, marking it as a target.
_WITHIN_AFTER = re.compile(
    r"\s*(?:以内|之内|内|或更短|或以内|or less|or sooner|at the latest|max(?:imum)?\b)", re.I
)
_WITHIN_BEFORE = re.compile(
    r"(?:within|in no more than|no later than|no more than|no longer than|not (?:to )?exceed"
    r"|must not exceed|shall not exceed|not more than|less than|at most|up to"
    # "Call response time will be maximum 24 hours", "a maximum of 4 hours"
    r"|(?:a |the )?max(?:imum|\.)?(?: of)?"
    r"|不超过|不得超过|不超|不大于|不多于|最迟|最长|≤|<=|<)\s*(?:the\s+)?$",
    re.I,
)
#: A limit changed for a place: "该段到场时限放宽至2小时", "the attendance time is extended to 6
#: hours" (also a sentence's mark of such a limit, in findings).
RELAXED_TO = (
    r"(?:放宽|延长|调整|放寬|延長|調整)(?:至|到|为|為)"
    r"|\b(?:extended|relaxed|increased|lengthened) to\b"
)
#: A figure right after a label ("响应时间: 2小时", "Priority 1: 30 minutes", "响应时间为2小时",
#: "处理时限2小时", "响应：接报后15分钟"), or alone in a table cell: a target when the label or
#: column names an action.
_LABELLED = re.compile(
    r"(?:[:：]|时间为|时限为|时间是|为|\||时间|时限|时效"
    rf"|{RELAXED_TO}"
    # "the on-site time for a Priority 1 fault shall be 8 hours": what the limit is for between
    r"|\b(?:time|target|limit)(?: for [^,;:.]{1,40}?)? (?:is|shall be|will be)"
    r"|\b(?:times|targets|limits)(?: for [^,;:.]{1,40}?)? (?:are|shall be|will be)"
    # "故障响应：接报后15分钟", "提交报告时间：故障排除后3个工作日", "到场时限为接报后4小时":
    # the clock's start between
    rf"|(?:[:：]|时间为|时限为|{RELAXED_TO})\s*[^\d，,:：;；。|]{{1,8}}?(?:后|後)的?)\s*$",
    re.I,
)
#: "2-4小时": a range; the figure read is its upper end.
_RANGE = re.compile(r"\d+(?:\.\d+)?\s*(?:-|~|～|至|到|—|–|to)\s*$")


@dataclass(frozen=True, slots=True)
class Span:
    value: Decimal
    unit: str
    start: int
    end: int
    #: followed by 内 / preceded by "within": a target, not a unit of lateness.
    within: bool = False
    #: after a label or alone in a table cell ("响应时间: 2小时"): a target if an action is named.
    labelled: bool = False
    #: the upper end of a range ("2-4小时").
    ranged: bool = False


@dataclass(frozen=True, slots=True)
class Amount:
    value: Decimal
    start: int
    end: int


def _unit(word: str) -> str:
    for unit, pattern in _UNIT_WORDS:
        if re.fullmatch(pattern, word, re.IGNORECASE):
            return unit
    raise KeyError(word)  # unreachable: the word was matched by one of these patterns


def durations(text: str) -> list[Span]:
    """Lengths of time in ``text`` (dates and ordinals excluded)."""
    found = []
    for match in _DURATION.finditer(text):
        if match.group("hunit"):
            value, unit = Decimal("0.5"), _unit(match.group("hunit"))
        else:
            value = Decimal(match.group("num"))
            unit = _unit(match.group("unit"))
            if match.group("half"):
                value += Decimal("0.5")
            if _is_date_or_ordinal(text, match.start(), match.end(), unit, value):
                continue
        start = match.start()
        ranged = _RANGE.search(text, 0, start)
        if ranged:
            start = ranged.start()
        within = bool(_WITHIN_AFTER.match(text, match.end()))
        within |= bool(_WITHIN_BEFORE.search(text, 0, start))
        labelled = bool(_LABELLED.search(text, 0, start)) or not text[:start].strip()
        found.append(
            Span(value, unit, start, match.end(), within, labelled and not within, bool(ranged))
        )
    return found


def _is_date_or_ordinal(text: str, start: int, end: int, unit: str, value: Decimal) -> bool:
    if text[max(0, start - 1) : start] == "第":
        return True  # 第2年: the second year, an ordinal
    if unit == "y" and value >= 1900:
        return True  # 2026年: a date
    if unit == "y" and re.match(r"\s*(?:\d{1,2}\s*月|度|年度)", text[end:]):
        return True  # 115年3月31日, 115年度 (a Taiwanese year of the Republic): a date
    if (
        unit == "y"
        and value >= 80
        and re.search(r"(?:民国|民國|中华民国|中華民國)\s*$", text[:start])
    ):
        return True  # 民國115年
    return unit == "d" and bool(re.search(r"月\s*$", text[:start]))  # 1月15日


def ordinal_years(text: str) -> list[tuple[int, int]]:
    """``第N年`` (the Nth year), as (N, position)."""
    return [(int(m.group(1)), m.start()) for m in re.finditer(r"第\s*(\d+)\s*个?年", text)]


def amounts(text: str) -> list[Amount]:
    found = []
    for match in _MONEY.finditer(text):
        number = match.group("num") or match.group("num2")
        value = Decimal(re.sub(r"[,\s]", "", number))
        if match.group("wan") or match.group("wan2"):
            value *= 10000
        found.append(Amount(value, match.start(), match.end()))
    return found


def percents(text: str) -> list[Amount]:
    return [Amount(Decimal(m.group("num")), m.start(), m.end()) for m in _PERCENT.finditer(text)]


_LEFTOVER_NUMERAL = re.compile(
    r"[零〇一二两三四五六七八九十百千万壹贰叁肆伍陆柒捌玖拾佰仟]+\s*个?\s*(?:分钟|小时|工作日|天|元)"
)


#: A count: "每年2次", "twice a year" (normalised to "2 times"), "3 visits".
_COUNT = re.compile(r"(?<![\d.])\d+\s*(?:次|遍|times\b|visits?\b)", re.I)

#: A spelled-out English number before a unit of time ("within thirty minutes"): not read as a
#: figure (only digits are), but recognised as one so that the sentence is flagged, not missed.
_SPELLED = re.compile(
    r"\b(?:an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty"
    r"|thirty|forty|forty-five|fifty|sixty|ninety|hundred|half an?)\s+(?:\w+\s+)?"
    r"(?:minutes?|hours?|days?|weeks?|months?|years?)\b",
    re.IGNORECASE,
)


def has_figure(text: str) -> bool:
    """A time or money figure a reader would take for a term (decides "not understood")."""
    if durations(text) or amounts(text) or percents(text) or _COUNT.search(text):
        return True
    return bool(_LEFTOVER_NUMERAL.search(text) or _SPELLED.search(text))


def target_text(span: Span) -> str:
    """The contract's duration text for a target (3m, 1h, 90m, 3d) and its unit family."""
    minutes = {
        "m": Decimal(1),
        "h": Decimal(60),
        "wh": Decimal(60),
        "d": Decimal(1440),
        "w": Decimal(10080),
    }
    if span.unit == "wd":
        if span.value != span.value.to_integral_value():
            raise ValueError(f"{span.value} working days is not a whole number of days")
        return f"{int(span.value)}d"
    if span.unit in ("mo", "y"):
        if span.value != span.value.to_integral_value():
            months = span.value * 12 if span.unit == "y" else span.value
            if months == months.to_integral_value():
                return f"{int(months)}mo"
            return f"{int(months * 30)}d"
        return f"{int(span.value)}{span.unit}"
    total = span.value * minutes[span.unit]
    if total != total.to_integral_value():
        return f"{int(total * 60)}s"
    whole = int(total)
    if span.unit == "d" and whole % 1440 == 0:
        return f"{whole // 60}h"  # a calendar day on a 24x7 clock: 24h, 48h
    if whole % 60 == 0 and whole >= 60:
        return f"{whole // 60}h"
    return f"{whole}m"


def unit_text(span: Span) -> str:
    """A unit of lateness (per started ...): a fixed length; a day is 24 hours."""
    if span.unit in ("wd", "wh"):
        raise ValueError("a unit of lateness in working time cannot be counted as fixed time")
    return target_text(span)
