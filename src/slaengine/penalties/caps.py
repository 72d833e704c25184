"""Caps: per breach (on the clause), per contract year and on the whole contract (``caps``).

* A per-breach cap (``cap`` as an amount, ``cap_percent`` as a percentage of the price; the
  lower wins when both are given) limits what one trigger of a clause costs. The line shows the
  capped amount, what it would have been (``uncapped_amount``) and the cap in its formula.
* The yearly cap (``caps.per_contract_year``) and the contract-total cap (``caps.contract_total``)
  limit penalties only; compensation is never capped with them. When one bites, the lines keep
  what was owed and an adjustment line brings the total down to the cap, so billing sees both.
  Lines are taken in the order they occurred: the ones that push a year past its cap are the ones
  cut (``year_cut``, ``total_cut`` on each line). A statement for a billing period carries the
  cuts of its own lines, so the adjustments of a year's statements add up to the year's.
* The rolling cap (``caps.rolling``) limits penalties over any N consecutive calendar months
  (``rolling_cut``, an adjustment line per month). Every cap's room counts what was charged;
  where the yearly and the rolling cap would both cut a line, the one with less room left takes
  the cut, so a part one cap cut never uses the other's room and each adjustment's arithmetic
  ("penalties − cap = over") holds. The contract-total cap comes after both.
* Waived lines are outside the totals and so outside the caps.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, MutableMapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from slaengine.contract.models import Cap, ClauseBase, Contract, RollingCap, ServiceCreditClause
from slaengine.errors import SlaError
from slaengine.money import ZERO, money, percent_of
from slaengine.penalties.lines import ADJUSTMENT, PENALTY, Line, Priced, Trigger
from slaengine.penalties.words import amount_text, percent_text
from slaengine.penalties.years import year_span_text

PER_CONTRACT_YEAR, CONTRACT_TOTAL = "per_contract_year", "contract_total"


@dataclass(frozen=True, slots=True)
class BreachCap:
    """A clause's cap per breach, with its wording in both languages."""

    amount: Decimal
    en: str
    zh: str


def breach_cap(clause: ClauseBase, price: Decimal | None, trigger: Trigger) -> BreachCap | None:
    """The clause's cap per breach (per event, per period), or None."""
    options: list[BreachCap] = []
    per_en, per_zh = (
        ("per period", "每期") if trigger.source == "period" else ("per breach", "每次")
    )
    if clause.cap is not None:
        cap = money(clause.cap)
        text = amount_text(cap)
        options.append(BreachCap(cap, f"capped at {text} {per_en}", f"{per_zh}封顶{text}"))
    if clause.cap_percent is not None:
        cap = percent_of(_priced(price), clause.cap_percent)
        text, pct = amount_text(cap), percent_text(clause.cap_percent)
        options.append(
            BreachCap(
                cap,
                f"capped at {text} ({pct} of price) {per_en}",
                f"{per_zh}封顶{text}（合同价的{pct}）",
            )
        )
    if isinstance(clause, ServiceCreditClause) and clause.cap_percent_of_fee is not None:
        cap = percent_of(clause.fee, clause.cap_percent_of_fee)
        text, pct = amount_text(cap), percent_text(clause.cap_percent_of_fee)
        options.append(
            BreachCap(
                cap,
                f"capped at {text} ({pct} of fee) {per_en}",
                f"{per_zh}封顶{text}（服务费的{pct}）",
            )
        )
    return min(options, key=lambda option: option.amount) if options else None


def apply_breach_cap(
    priced: Sequence[Priced], cap: BreachCap | None
) -> list[tuple[Priced, Decimal | None, str | None]]:
    """Each priced amount with what it was before the cap (None if the cap took nothing).

    The cap holds for one trigger as a whole: when a trigger has several lines (cost claims),
    the first are paid in full and the one that reaches the cap is cut."""
    result: list[tuple[Priced, Decimal | None, str | None]] = []
    room = cap.amount if cap is not None else None
    for item in priced:
        if item.amount is None or room is None or cap is None:
            result.append((item, None, None))
            continue
        if item.amount <= room:
            room -= item.amount
            result.append((item, None, None))
            continue
        capped = room
        room = ZERO
        text = amount_text(item.amount)
        result.append(
            (
                replace(
                    item,
                    amount=capped,
                    formula_en=f"{item.formula_en} = {text}, {cap.en}",
                    formula_zh=f"{item.formula_zh} = {text}，{cap.zh}",
                ),
                item.amount,
                cap.en,
            )
        )
    return result


def _priced(price: Decimal | None) -> Decimal:
    """The contract price, which the contract's validation requires wherever a cap is a
    percentage of it."""
    if price is None:
        raise SlaError("a cap is a percentage of the contract price, and the contract gives none")
    return price


def cap_amount(cap: Cap | None, price: Decimal | None) -> tuple[Decimal, str, str] | None:
    """A yearly or total cap as an amount, with its words (``128000.00 (10% of price)``)."""
    if cap is None:
        return None
    if cap.amount is not None:
        amount = money(cap.amount)
        return amount, amount_text(amount), amount_text(amount)
    assert cap.percent_of_price is not None
    amount = percent_of(_priced(price), cap.percent_of_price)
    pct = percent_text(cap.percent_of_price)
    return (
        amount,
        f"{amount_text(amount)} ({pct} of price)",
        f"{amount_text(amount)}（合同价的{pct}）",
    )


def allocate(penalties: Sequence[Line], contract: Contract) -> list[Line]:
    """Penalty lines with what the yearly, rolling-window and contract-total caps take off each
    (in the order the lines occurred; the yearly or the rolling cap, whichever has less room,
    then the contract total). Every cap's room counts what was charged. Lines that do not
    count (waived) are returned unchanged."""
    yearly = cap_amount(contract.caps.per_contract_year, contract.price)
    total = cap_amount(contract.caps.contract_total, contract.price)
    rolling = contract.caps.rolling
    order = sorted(range(len(penalties)), key=lambda i: penalties[i].order_key())
    used_in_year: dict[int, Decimal] = defaultdict(lambda: ZERO)
    used_in_month: dict[int, Decimal] = defaultdict(lambda: ZERO)
    used_in_total = ZERO
    result = list(penalties)
    for index in order:
        line = penalties[index]
        if not line.counts or line.amount is None:
            continue
        year_cut, rolling_cut = cut_by_period_caps(
            line, contract, yearly, rolling, used_in_year, used_in_month
        )
        total_cut = ZERO
        charged = line.amount - year_cut - rolling_cut
        if total is not None:
            room = max(ZERO, total[0] - used_in_total)
            total_cut = max(ZERO, charged - room)
            used_in_total += charged - total_cut
        if year_cut or total_cut or rolling_cut:
            result[index] = line.with_cuts(year_cut, total_cut, rolling_cut)
    return result


def cut_by_period_caps(
    line: Line,
    contract: Contract,
    yearly: tuple[Decimal, str, str] | None,
    rolling: RollingCap | None,
    used_in_year: MutableMapping[int, Decimal],
    used_in_month: MutableMapping[int, Decimal],
) -> tuple[Decimal, Decimal]:
    """What the yearly and the rolling-window cap take off ``line`` (year cut, rolling cut),
    given what was charged so far in each contract year and calendar month; adds what is now
    charged to both. The one arithmetic of ``allocate`` and of the money page's resumed runs
    (penalties/cap_runs.py)."""
    owed = line.amount or ZERO
    year_cut = rolling_cut = ZERO
    year_room = window_room = None
    month = 0
    if yearly is not None:
        year_room = max(ZERO, yearly[0] - used_in_year.get(line.contract_year, ZERO))
    if rolling is not None:
        month = month_index(line.billed_at, contract)
        given = sum(
            (used_in_month.get(m, ZERO) for m in range(month - rolling.months + 1, month + 1)),
            ZERO,
        )
        window_room = max(ZERO, rolling_cap(contract, month)[0] - given)
    # Where both would cut, the cap with less room left takes the whole cut and the other
    # keeps its room: a part one cap cut was never charged, so it uses none of the other's
    # (the window slides while the year stays), and each adjustment's arithmetic holds.
    if window_room is not None and (year_room is None or window_room < year_room):
        rolling_cut = max(ZERO, owed - window_room)
    elif year_room is not None:
        year_cut = max(ZERO, owed - year_room)
    charged = owed - year_cut - rolling_cut
    if yearly is not None:
        used_in_year[line.contract_year] = used_in_year.get(line.contract_year, ZERO) + charged
    if rolling is not None:
        used_in_month[month] = used_in_month.get(month, ZERO) + charged
    return year_cut, rolling_cut


def month_index(when: datetime, contract: Contract) -> int:
    """The calendar month of ``when`` in the contract's time zone, as year × 12 + month − 1."""
    local = when.astimezone(ZoneInfo(contract.timezone))
    return local.year * 12 + local.month - 1


def _month_text(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def rolling_cap(contract: Contract, month: int) -> tuple[Decimal, str, str, int, int]:
    """The rolling cap of the window of ``caps.rolling.months`` months ending with ``month``:
    (amount, its words en and zh, the window's first month, the months of fees counted)."""
    rolling = contract.caps.rolling
    assert rolling is not None
    first = month - rolling.months + 1
    if rolling.amount is not None:
        amount = money(rolling.amount)
        return amount, amount_text(amount), amount_text(amount), first, 0
    assert rolling.percent_of_fees is not None and rolling.monthly_fee is not None
    # the fees of the window's months the contract ran (from the month of acceptance on)
    accepted = contract.accepted_on
    start = accepted.year * 12 + accepted.month - 1 if accepted is not None else first
    months = max(1, month - max(first, start) + 1)
    fees = money(rolling.monthly_fee) * months
    amount = percent_of(fees, rolling.percent_of_fees)
    pct, fee = percent_text(rolling.percent_of_fees), amount_text(rolling.monthly_fee)
    return (
        amount,
        f"{amount_text(amount)} ({pct} of fees {months} × {fee} = {amount_text(fees)})",
        f"{amount_text(amount)}（服务费{months} × {fee} = {amount_text(fees)}的{pct}）",
        first,
        months,
    )


def _rolling_adjustments(
    lines: Sequence[Line], every_line: Sequence[Line], contract: Contract
) -> list[Line]:
    """One adjustment line per month in which the rolling cap cut ``lines``."""
    rolling = contract.caps.rolling
    if rolling is None:
        return []
    cut: dict[int, list[Line]] = defaultdict(list)
    # the cut lines in occurrence order (filtered first: sorting is stable, and most lines are
    # never cut)
    for line in sorted((x for x in lines if x.rolling_cut), key=Line.order_key):
        cut[month_index(line.billed_at, contract)].append(line)
    counted = [x for x in every_line if x.section == PENALTY and x.counts and x.amount is not None]
    result: list[Line] = []
    for month, cut_lines in sorted(cut.items()):
        amount, cap_en, cap_zh, first, _ = rolling_cap(contract, month)
        here = sum((x.rolling_cut for x in cut_lines), ZERO)
        window = [x for x in counted if first <= month_index(x.billed_at, contract) <= month]
        owed = sum(((x.amount or ZERO) - x.year_cut for x in window), ZERO)
        over = sum((x.rolling_cut for x in window), ZERO)
        span = f"{_month_text(first)} – {_month_text(month)}"
        en = (
            f"rolling cap {cap_en} over any {rolling.months} months, {span}: penalties "
            f"{amount_text(owed)} − cap {amount_text(amount)} = {amount_text(over)} over the cap"
        )
        zh = (
            f"任意连续{rolling.months}个月封顶{cap_zh}，{span}：违约金{amount_text(owed)}"
            f" − 封顶{amount_text(amount)} = 超出{amount_text(over)}"
        )
        if here != over:
            en += f"; {amount_text(here)} of it in this month"
            zh += f"；其中本月{amount_text(here)}"
        first_line = cut_lines[0]
        result.append(
            Line(
                id=f"cap/rolling/{_month_text(month)}",
                section=ADJUSTMENT,
                clause=None,
                kind="rolling",
                source="cap",
                occurred_at=first_line.occurred_at,
                billed_at=first_line.billed_at,
                contract_year=first_line.contract_year,
                amount=-here,
                formula_en=en,
                formula_zh=zh,
            )
        )
    return result


def adjustments(
    lines: Sequence[Line],
    every_line: Sequence[Line],
    contract: Contract,
    ordered: bool = False,
    sums_of: Callable[[], YearSums] | None = None,
) -> list[Line]:
    """Adjustment lines for the cuts of ``lines`` (all penalties, or one statement's), one per
    cap and contract year; ``every_line`` (all penalties) supplies the year's figures.
    ``ordered``: ``lines`` are in occurrence order already (``Line.order_key``), as
    ``allocate`` gives them: not sorted again. ``sums_of``: ``YearSums(every_line)``, made
    once by the caller for several calls over the same lines (``Charges.year_sums``)."""
    result: list[Line] = _rolling_adjustments(lines, every_line, contract)
    sums: YearSums | None = None
    for cap_kind, attribute in ((PER_CONTRACT_YEAR, "year_cut"), (CONTRACT_TOTAL, "total_cut")):
        cap = cap_amount(getattr(contract.caps, cap_kind), contract.price)
        if cap is None:
            continue
        cut: dict[int, list[Line]] = defaultdict(list)
        # the cut lines in occurrence order (filtered first: sorting is stable)
        chosen = [x for x in lines if getattr(x, attribute)]
        for line in chosen if ordered else sorted(chosen, key=Line.order_key):
            cut[line.contract_year].append(line)
        for year, cut_lines in sorted(cut.items()):
            here = sum((getattr(x, attribute) for x in cut_lines), ZERO)
            first = cut_lines[0]
            if sums is None:
                sums = sums_of() if sums_of is not None else YearSums(every_line)
            en, zh = _cap_words(cap_kind, cap, year, here, sums, contract)
            result.append(
                Line(
                    id=f"cap/{cap_kind}/{year}",
                    section=ADJUSTMENT,
                    clause=None,
                    kind=cap_kind,
                    source="cap",
                    occurred_at=first.occurred_at,
                    billed_at=first.billed_at,
                    contract_year=year,
                    amount=-here,
                    formula_en=en,
                    formula_zh=zh,
                )
            )
    return result


class YearSums:
    """The sums the cap adjustments' words give, over every counted penalty line, in one pass:
    per contract year what was owed, what the rolling cap and the yearly cap cut; and over the
    whole contract what the total cap cut."""

    def __init__(self, every_line: Sequence[Line]) -> None:
        #: year -> [owed, rolling cut, yearly cut]
        self.years: dict[int, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO, ZERO])
        self.after_caps = ZERO
        self.total_cut = ZERO
        for x in every_line:
            if x.section != PENALTY or not x.counts or x.amount is None:
                continue
            sums = self.years[x.contract_year]
            sums[0] += x.amount
            sums[1] += x.rolling_cut
            sums[2] += x.year_cut
            self.after_caps += x.amount - x.year_cut - x.rolling_cut
            self.total_cut += x.total_cut


def _cap_words(
    cap_kind: str,
    cap: tuple[Decimal, str, str],
    year: int,
    here: Decimal,
    sums: YearSums,
    contract: Contract,
) -> tuple[str, str]:
    amount, cap_en, cap_zh = cap
    if cap_kind == PER_CONTRACT_YEAR:
        owed_in_year, rolled, over = sums.years.get(year, [ZERO, ZERO, ZERO])
        # a part the rolling cap cut was never charged, so the year does not count it
        owed = owed_in_year - rolled
        span = year_span_text(contract, year)
        after_en = " after the rolling cap" if rolled else ""
        after_zh = "（连续月份封顶后）" if rolled else ""
        en = (
            f"yearly cap {cap_en}, contract year {year} ({span}): penalties{after_en} "
            f"{amount_text(owed)} − cap {amount_text(amount)} = {amount_text(over)} over the cap"
        )
        zh = (
            f"年度封顶{cap_zh}，第{year}合同年（{span}）：违约金{after_zh}{amount_text(owed)}"
            f" − 封顶{amount_text(amount)} = 超出{amount_text(over)}"
        )
    else:
        owed = sums.after_caps
        over = sums.total_cut
        caps_en = "yearly and rolling caps" if contract.caps.rolling else "yearly caps"
        caps_zh = "年度及连续月份封顶" if contract.caps.rolling else "年度封顶"
        en = (
            f"contract total cap {cap_en}: penalties after {caps_en} {amount_text(owed)}"
            f" − cap {amount_text(amount)} = {amount_text(over)} over the cap"
        )
        zh = (
            f"合同总额封顶{cap_zh}：{caps_zh}后违约金{amount_text(owed)}"
            f" − 封顶{amount_text(amount)} = 超出{amount_text(over)}"
        )
    if here != over:
        en += f"; {amount_text(here)} of it in this statement"
        zh += f"；其中本账单{amount_text(here)}"
    return en, zh
