"""Penalty and compensation clauses, and caps on penalties per contract year.

Theory of operation: a clause sentence names a condition and then a consequence; the consequence
begins at the first penalty word (扣, 罚, 违约金, 承担, penalty, deduct ...). The condition says
what the clause is for: the response shapes it names ("未在30分钟内到达现场"), periodic
inspections, or site rules (then the clause is charged per ``site_violation`` event). The
consequence gives the kind, read in this order:

- "承担由此而发生的一切费用" / "all costs arising" → ``costs`` (compensation, no amount);
- a unit of lateness ("每超时10分钟", "per started hour") with an amount → ``per_started``,
  with a percentage of the contract price → ``percent_of_price_per_started``;
- otherwise an amount → ``fixed``, a percentage of the contract price → ``percent_of_price``.

A figure after a cap word (最高不超过, at most) is the clause's cap, as an amount or a percentage
of the price. A sentence that caps penalties per contract year
("每个合同年度违约金累计不超过合同价的10%") is a contract cap, not a clause. Anything with a
figure that fits none of these is returned as not understood.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from slaengine.drafting.figures import (
    CURRENCY,
    Amount,
    amounts,
    durations,
    percents,
    target_text,
    unit_text,
)
from slaengine.drafting.responses import (
    clause_of,
    infer_action,
    levels_in_list,
    listed_levels,
    phrases,
    severity_in,
    shape_near,
)
from slaengine.drafting.text import Sentence, unnumbered
from slaengine.drafting.vocabulary import (
    CAP,
    CONTRACT_PRICE,
    CONTRACT_TOTAL,
    COSTS,
    DOWN_KIND,
    FINAL_INSPECTION,
    INSPECTION,
    PENALTY,
    PER_BARE_UNIT,
    PER_UNIT,
    SITE_RULES,
    TOTAL_CAP,
    YEAR_CAP,
    ShapeWords,
)

#: A Chinese character: the text is Chinese (the act follows its figure).
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(slots=True)
class FoundClause:
    kind: str
    #: the clause's terms as they go in the contract file (amount, unit, percent, cap ...).
    terms: dict[str, str]
    #: what it is charged for: (shape, severity) pairs, the inspection obligation, site rules.
    shapes: list[tuple[ShapeWords, str | None, str | None]] = field(default_factory=list)
    inspection: bool = False
    site_rules: bool = False
    #: the condition as the tender words it (plain text), and its first phrase (the name).
    condition: str = ""
    name: str = ""


@dataclass(frozen=True, slots=True)
class FoundCap:
    scope: str  # per_contract_year or contract_total
    terms: dict[str, str]


@dataclass(frozen=True, slots=True)
class Unread:
    """A clause sentence whose consequence could not be read."""

    reason: str


def money(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'))}"


def percent(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def find_cap(sentence: Sentence) -> FoundCap | None:
    plain = sentence.plain
    cap = CAP.search(plain)
    if cap is None or not TOTAL_CAP.search(plain) or not PENALTY.search(plain):
        return None
    if YEAR_CAP.search(plain):
        scope = "per_contract_year"
    elif CONTRACT_TOTAL.search(plain) or (
        # "罚款总额以契约价金总额10%为上限": the total of the whole contract
        re.search(
            r"(?:罚款|违约金|扣款|罚金)(?:之|的)?(?:总额|合计|总计)"
            # "违约金以契约价金总额20%为上限": the penalties as a share of the whole price
            r"|(?:罚款|违约金|扣款|罚金)以(?:合同|契约)[^，,。；;]{0,4}?总额"
            r"|\b(?:total|aggregate) (?:amount of )?(?:all )?"
            r"(?:liquidated damages|penalt(?:y|ies)|deductions)\b",
            plain,
            re.I,
        )
        and not re.search(r"每月|每季|当月|per month|monthly", plain, re.I)
    ):
        scope = "contract_total"
    else:
        return None
    after = plain[cap.end() :]
    if not percents(after) and not amounts(after) and re.match(r"上限|为限", cap.group(0)):
        after = plain[: cap.start()]  # "以…10%为上限": the figure before the words
    figures = percents(after)
    if figures and CONTRACT_PRICE.search(plain):
        return FoundCap(scope, {"percent_of_price": percent(figures[0].value)})
    sums = amounts(after)
    if sums:
        return FoundCap(scope, {"amount": money(sums[0].value)})
    return None


#: Where a second sum opens a penalty of its own (", and USD 300 per day for …", "; GBP 50 …").
_NEXT_SUM = re.compile(
    r"\s*(?:,|;|，|；)\s*(?:and\s+|plus\s+|以及|并)?"
    rf"(?=(?:{CURRENCY})\s*\d)",
    re.I,
)


def split_sums(sentence: Sentence) -> list[Sentence]:
    """A penalty sentence whose later part opens with a sum of its own ("Liquidated damages:
    USD 150 for each hour …, and USD 300 per day for any bus not returned to service within 24
    hours") as one sentence per sum, each under the sentence's label; the sentence itself
    when it has one sum, or its second sum is a cap ("…, capped at USD 5,000")."""
    plain = sentence.plain
    sums = amounts(plain)
    if len(sums) < 2 or CAP.search(plain):
        return [sentence]
    cuts = [m for m in _NEXT_SUM.finditer(plain) if m.end() > sums[0].start]
    if not cuts:
        return [sentence]
    label = _PENALTY_LABEL.match(plain)
    lead = plain[: label.end()] if label and PENALTY.search(label.group(0)) else ""
    parts, start = [], 0
    for cut in cuts:
        parts.append(plain[start : cut.start()])
        start = cut.end()
    parts.append(plain[start:])
    pieces = [p if i == 0 else lead + p for i, p in enumerate(parts)]
    if not all(amounts(p) for p in pieces):
        return [sentence]
    return [Sentence(sentence.line, sentence.text, p, sentence.table_row) for p in pieces]


def find_clause(sentence: Sentence) -> FoundClause | Unread | None:
    plain = sentence.plain
    if _ENDS_CONTRACT.search(plain):
        return Unread(
            "a total of penalties that lets the buyer end the contract, not a penalty of its "
            "own: the contract language has no termination; no clause drafted"
        )
    consequence: re.Match[str] | None = PENALTY.search(plain)
    label = _PENALTY_LABEL.match(plain)
    if consequence is not None and label is not None and consequence.start() < label.end():
        # "六、罚则：超低温冷冻柜故障未能于4小时内到场者，每次罚款3000元": the heading's word
        consequence = (
            PENALTY.search(plain, label.end())
            # "Liquidated damages: for late arrival on an emergency call-out, HK$500 for each
            # hour": no penalty word after the heading, the condition runs up to the amount
            or _MONEY_START.search(plain, label.end())
            or consequence
        )
    heading = _PENALTY_HEADING.match(plain)
    if consequence is not None and heading is not None and consequence.start() < heading.end():
        # "Penalties Late attendance on a Critical fault: KES 5,000 for each hour", "A.6
        # Liquidated Damages A.6.1 Late arrival: $250.00 per hour": a heading run into its
        # first clause (no colon after it): the condition runs from the clause to the amount
        consequence = (
            PENALTY.search(plain, heading.end())
            or _MONEY_START.search(plain, heading.end())
            or consequence
        )
    if (
        consequence is None
        and _FAILURE.match(unnumbered(plain))
        and (amounts(plain) or (percents(plain) and CONTRACT_PRICE.search(plain)))
    ):
        # "Failure to arrive within 45 minutes: USD 500 per occurrence", "未按时到场：每次500元"
        consequence = re.search(r"[:：]|" + _MONEY_START.pattern, plain)
    if consequence is None:
        return None
    condition = unnumbered(plain[: consequence.start()])
    name = re.split(r"[,;]", condition)[0].strip().removesuffix("的")
    found = FoundClause("", {}, condition=condition, name=name)
    if SITE_RULES.search(condition):
        found.site_rules = True
    elif INSPECTION.search(condition) and not FINAL_INSPECTION.search(condition):
        found.inspection = True
    else:
        found.shapes = _shapes(condition)
        trailing = _TRAILING_CONDITION.search(plain, consequence.end())
        if not found.shapes and trailing:
            # "Service credit: AUD 250 for each P1 incident where service is not restored
            # within 6 hours": the condition follows the amount
            found.shapes = _shapes(plain[trailing.start() :])
            found.condition = f"{condition} {plain[trailing.start() :]}".strip()
    if COSTS.search(plain):
        found.kind = "costs"
        return found
    cap_at = CAP.search(plain, consequence.start())
    end = cap_at.start() if cap_at else len(plain)
    sums = [a for a in amounts(plain) if a.start < end]
    shares = [p for p in percents(plain) if p.start < end]
    by_price = bool(CONTRACT_PRICE.search(plain))
    if shares and not by_price:
        return Unread("a percentage, but not of the contract price")
    try:
        unit = _lateness_unit(plain)
    except ValueError as exc:
        return Unread(str(exc))
    if sums:
        found.kind = "per_started" if unit else "fixed"
        found.terms["amount"] = money(sums[0].value)
    elif shares:
        found.kind = "percent_of_price_per_started" if unit else "percent_of_price"
        found.terms["percent"] = percent(shares[0].value)
    else:
        return Unread("no amount or percentage of the contract price")
    if unit:
        found.terms["unit"] = unit
    if cap_at is not None:
        _cap(plain[cap_at.end() :], found, by_price)
    return found


#: "Once the penalties reach 10% of the contract price, the buyer may terminate the contract",
#: "违约金累计达到合同价10%的，甲方有权解除合同": a threshold of the penalties' total that ends
#: the contract.
_ENDS_CONTRACT = re.compile(
    r"\b(?:cumulative|total|aggregate|accumulated)\b[^.;。；]{0,80}"
    r"\b(?:reach(?:es|ed)?|exceed(?:s|ed)?|amounts? to)\b[^.;。；]{0,120}"
    r"\b(?:terminat\w*|rescind\w*|rescission|cancel\w*)\b"
    r"|累计[^。；]{0,40}(?:达到|超过)[^。；]{0,60}(?:解除|终止)(?:本)?(?:合同|契约|合约)",
    re.I,
)
_PENALTY_LABEL = re.compile(
    r"^\s*(?:[(（]?[\d一二三四五六七八九十]+(?:\.\d+)*[.、)）]?\s*)?[^:：,，。;；]{1,24}[:：]\s*"
)
#: A penalty section's heading run into the clause after it (no colon): its words alone, then
#: a clause number or a capital that starts the clause.
_PENALTY_HEADING = re.compile(
    r"^\s*(?:[A-Z]?\.?\d+(?:\.\d+)*\.?\s+)?(?:penalties|penalty clauses?|liquidated damages"
    r"|service credits|deductions|damages)\s+(?:[A-Z]?\.?\d+(?:\.\d+)+\.?\s+)?(?=(?-i:[A-Z]))",
    re.I,
)
_TRAILING_CONDITION = re.compile(
    r"\b(?:for (?:each|every|any)\b.{0,40}?\b(?:where|if|when|that|which)|where|if|when"
    r"|for (?:each|every|any)\b(?=.{0,40}\bnot\b))\b"
    r"(?=.*\b(?:not|fails?|late|later than|beyond|exceed(?:s|ed)?)\b)",
    re.I,
)
#: Where a sum of money starts ("USD 500", "HK$500", "500元").
_MONEY_START = re.compile(
    rf"(?=(?:{CURRENCY})\s*\d)"
    r"|(?=\d[\d,.]*\s*元)"
)
_FAILURE = re.compile(
    r"\s*(?:未能|未|不能|逾期|迟到|failure to|fails? to|late\b|if .{0,40}\bnot\b"
    # "Emergency requests not completed within 8 hours: USD 250 …", "Severity 1 resolution
    # later than 8 hours: GBP 150 …": a subject, then its failure, before the colon
    r"|[^:：]{0,60}\b(?:not|later than)\b[^:：]{0,40}\d[^:：]{0,20}[:：]"
    # "Planned visit not completed in its month: GBP 500 per visit", "Missed monthly visit:
    # R2 000.00", "Defect still open after 5 days: …": a failure in a label, a sum after it
    r"|[^:：]{0,80}\b(?:not|missed|skipped|late|still open|overdue|outstanding)\b[^:：]{0,80}[:：]"
    rf"(?=\s*(?:{CURRENCY}|[A-Z]{{0,2}}\$|R)\s?\d"
    # "P1 fault not restored in time: one-tenth of one percent (0.1%) of the contract price …":
    # a share after the label, written out and then in figures
    r"|[^:：]{0,40}?\d+(?:\.\d+)?\s*(?:%|percent\b|per cent\b)))",
    re.I,
)

#: "修复超过8小时的", "exceeds 4 hours": the target the lateness is counted from.
_EXCEEDED = re.compile(
    r"(?:超过|超出|逾|晚于|迟于|exceed(?:s|ing)?|more than|longer than|later than|beyond)\s*$", re.I
)


#: The failure in a penalty's condition: the act after it is the one charged for.
_NEGATION = re.compile(r"\b(?:not|never|fail(?:s|ed|ure)? to)\b|未能|未|没有|不能", re.I)


#: The unit a lateness is counted in, after the failure it counts ("每迟到1小时", "每晚到30分钟"):
#: no act of its own.
_PER_LATENESS = re.compile(r"\s*每(?:迟到|晚到|延迟|延误|逾期|超时|超过|超出|拖延)")


def _shapes(condition: str) -> list[tuple[ShapeWords, str | None, str | None]]:
    """Each shape the condition names ("未能在3分钟内答复或30分钟内到达现场"), with its severity
    and the target it names (the clause is attached to that commitment only)."""
    named: list[tuple[ShapeWords, str | None, str | None]] = []
    text_all = condition.replace("或", ",").replace(" or ", ",")
    bounds = phrases(text_all)
    for index, (start, end) in enumerate(bounds):
        text = text_all[start:end]
        if named and _PER_LATENESS.match(text):
            continue  # "…未能按时到场的，每迟到1小时": the unit the lateness is counted in
        shape = None
        failed = _NEGATION.search(text)
        if failed is not None:
            # "Where a Priority 1 work order is not attended within …": the act not done is
            # the one after the negation, not a word of the subject before it (work order)
            rest = text[failed.end() :]
            # "未能于到场后8小时内修复": in Chinese the act follows its figure, and an act
            # before the figure that starts the clock (到场后) is not the one failed
            figure = next(iter(durations(rest)), None) if _CJK.search(rest) else None
            shape = shape_near(rest, figure.end if figure else 0, (0, len(rest)))
        shape = shape or shape_near(text, 0, (0, len(text)))
        if shape is None:
            # no action word: the nearest general cue ("not there within 4 hours" names none;
            # "逾4小時未到場" names one), as for a commitment
            guess = infer_action(text, 0, (0, len(text)))
            shape = guess[0] if guess is not None else None
        if shape is None:
            continue
        targets = [
            s
            for s in durations(text)
            if (s.within or s.labelled or _EXCEEDED.search(text, 0, s.start))
            and not (s.unit == "wd" and s.value % 1)  # "半个工作日": no target a clock keeps
        ]
        target = target_text(targets[0]) if targets else None
        # "返厂维修" must not also count as a repair: only the first (most specific) shape
        severity = severity_in(text) or ("down" if DOWN_KIND.search(text) else None)
        # "乙类、丙类故障逾修复时限者", "二级、三级故障排除超时的": the failure of each level
        # listed, not only the last
        listed = (
            listed_levels(text_all, bounds, index) if severity is not None else []
        ) or levels_in_list(clause_of(text_all, start, end))
        for each in listed if severity in listed else [severity]:
            triple = (shape, each, target)
            if triple not in named:
                named.append(triple)
    return named


def _lateness_unit(plain: str) -> str | None:
    for match in PER_UNIT.finditer(plain):
        rest = plain[match.end() :]
        spans = [s for s in durations(rest) if s.start == 0 or rest[: s.start].isspace()]
        if spans and spans[0].unit in ("mo", "y"):
            continue  # "每半年" is a schedule (an inspection every half year), not lateness
        if spans:
            return unit_text(spans[0])
        if re.match(r"(?:business|working) (?:day|hour)|工作(?:日|天|小时)", rest, re.I):
            raise ValueError("a unit of lateness in working time cannot be counted as fixed time")
        bare = PER_BARE_UNIT.match(rest)
        if bare:
            word = bare.group(1).lower()
            return {
                "小时": "1h",
                "hour": "1h",
                "天": "24h",
                "日": "24h",
                "day": "24h",
                # "for each week or part thereof": a week of 7 days of 24 hours
                "周": "168h",
                "week": "168h",
            }.get(word, "1m")
    return None


def _cap(after: str, found: FoundClause, by_price: bool) -> None:
    shares: list[Amount] = percents(after)
    sums = amounts(after)
    if shares and by_price and (not sums or shares[0].start < sums[0].start):
        found.terms["cap_percent"] = percent(shares[0].value)
    elif sums:
        found.terms["cap"] = money(sums[0].value)
