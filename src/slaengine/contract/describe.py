"""A contract as a person reads it, in English or Chinese: each term in words.

``slaengine contract show`` and the console's contract page print these texts; they are the
terms of the file, not a computation (the money of a percentage is worked out from the price so
that a reader can check it against the tender). A value of the model is never shown as Python
writes it: ``98``, not ``Decimal('98')``; ``10m``, not a ``Duration``.

Pure: text from the validated model; no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from slaengine.contract.models import (
    Asset,
    Cap,
    Clause,
    Commitment,
    Condition,
    Contract,
    CostsClause,
    FixedClause,
    Measure,
    MeasureCreditClause,
    Obligation,
    PercentOfPriceClause,
    PercentOfPricePerStartedClause,
    PerStartedClause,
    Remedy,
    RollingCap,
    ServiceCreditClause,
    Text,
    WarrantyExtensionClause,
)
from slaengine.durations import Duration
from slaengine.money import percent_of

#: Labels of ``contract show``, by language.
LABELS: dict[str, dict[str, str]] = {
    "en": {
        "version": "version",
        "supplier": "supplier",
        "customer": "customer",
        "price": "price",
        "no_price": "not given (no term is a percentage of it); amounts in {currency}",
        "accepted": "accepted on",
        "not_given": "not given",
        "in_force": "in force from",
        "timezone": "time zone",
        "severities": "severities",
        "calendars": "calendars",
        "commitments": "commitments",
        "clauses": "clauses (penalties and compensation)",
        "caps": "caps",
        "no_caps": "no caps",
        "warranty": "warranty",
        "no_warranty": "no warranty terms",
        "assets": "assets",
        "obligations": "periodic obligations",
        "measures": "measures (per period)",
        "remedies": "repeat-failure remedies (三包)",
        "contacts": "contacts (who is alerted)",
        "no_clauses": "no penalty or compensation clauses",
    },
    "zh": {
        "version": "版本",
        "supplier": "供应商",
        "customer": "采购人",
        "price": "合同价",
        "no_price": "未给出（无按合同价比例计算的条款）；金额以 {currency} 计",
        "accepted": "验收日期",
        "not_given": "未给出",
        "in_force": "生效日期",
        "timezone": "时区",
        "severities": "故障等级",
        "calendars": "日历",
        "commitments": "服务承诺",
        "clauses": "违约金与赔偿条款",
        "caps": "上限",
        "no_caps": "无上限",
        "warranty": "质保",
        "no_warranty": "无质保条款",
        "assets": "设备",
        "obligations": "定期义务",
        "measures": "考核指标（按期间）",
        "remedies": "三包（多次维修的补救）",
        "contacts": "联系人（告警对象）",
        "no_clauses": "无违约金或赔偿条款",
    },
}

_UNITS = {
    "en": {"s": "s", "m": "min", "h": "h", "d": "d", "mo": "mo", "y": "y"},
    "zh": {"s": "秒", "m": "分钟", "h": "小时", "d": "天", "mo": "个月", "y": "年"},
}
_CLASSES = {
    "en": {"unit": "unit", "key_part": "key part", "part": "part"},
    "zh": {"unit": "成套设备", "key_part": "关键部件", "part": "一般部件"},
}
_PERIODS = {
    "en": {
        "month": "month",
        "quarter": "quarter",
        "contract_year": "contract year",
        "week": "week",
        "day": "day",
    },
    "zh": {
        "month": "月",
        "quarter": "季度",
        "contract_year": "合同年度",
        "week": "周",
        "day": "日",
    },
}


def period_words(period: str, lang: str) -> str:
    """A measure's period: a named one (month, week, ...) or a fixed length such as ``5m``."""
    named = _PERIODS["zh" if lang == "zh" else "en"].get(period)
    return named if named is not None else duration_words(Duration.parse(period), lang)


def label(key: str, lang: str) -> str:
    return LABELS["zh" if lang == "zh" else "en"][key]


def name_text(text: Text | None, lang: str, fallback: str = "") -> str:
    """A bilingual name in ``lang`` (``both``: 中文 / English), or whichever is given."""
    if text is None:
        return fallback
    if lang == "zh":
        return text.zh or text.en or fallback
    if lang == "en":
        return text.en or text.zh or fallback
    return text.both()


def value_text(value: Any) -> str:
    """A value of the model as the contract file writes it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, Duration | date):
        return str(value) if isinstance(value, Duration) else value.isoformat()
    if isinstance(value, Text):
        return value.both()
    if isinstance(value, Condition):
        return condition_text(value)
    if isinstance(value, BaseModel):
        shown = [
            f"{key} {value_text(getattr(value, key))}"
            for key in value.model_fields_set
            if key not in ("source",) and getattr(value, key) not in (None, [], {})
        ]
        return ", ".join(sorted(shown))
    if isinstance(value, dict):
        return ", ".join(f"{k} {value_text(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return "; ".join(value_text(item) for item in value)
    return str(value)


def condition_text(condition: Condition) -> str:
    """``final_inspection (attrs.passed = false)``."""
    tests = [f"{k} = {value_text(v)}" for k, v in condition.fields().items() if k != "type"]
    return f"{condition.type} ({', '.join(tests)})" if tests else condition.type


def conditions_list(conditions: Iterable[Condition]) -> str:
    """``resolved, status_changed(attrs.status=waiting)``: each condition with what it tests,
    as ``contract show``'s table and the console's contract page list them.

    Parentheses, not brackets: rich would take ``[attrs.status=waiting]`` for markup and drop
    it, leaving "pause: status_changed / status_changed"."""
    parts = []
    for condition in conditions:
        extra = {k: v for k, v in condition.fields().items() if k != "type"}
        tests = ", ".join(f"{k}={_yaml_value(v)}" for k, v in extra.items())
        parts.append(f"{condition.type}({tests})" if tests else condition.type)
    return ", ".join(parts) or "—"


def _yaml_value(value: Any) -> str:
    """A tested value as it is written in YAML (``true``, not ``True``)."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def conditions_words(conditions: Iterable[Condition], lang: str) -> str:
    words = [condition_text(c) for c in conditions]
    return (" 或 " if lang == "zh" else " or ").join(words) or "—"


def duration_words(duration: Duration, lang: str) -> str:
    """``10 min`` / ``10分钟``."""
    unit = _UNITS["zh" if lang == "zh" else "en"][duration.unit]
    return f"{duration.amount}{unit}" if lang == "zh" else f"{duration.amount} {unit}"


def _percent_of(base: Decimal | None, percent: Decimal) -> Decimal | None:
    return None if base is None else percent_of(base, percent)


def _share(percent: Decimal, base: Decimal | None, what: str, currency: str, lang: str) -> str:
    """``0.05% of the price (640.00 CNY)`` / ``合同价的0.05%（640.00 CNY）``."""
    amount = _percent_of(base, percent)
    money = f" ({amount:f} {currency})" if amount is not None and lang != "zh" else ""
    if lang == "zh":
        money = f"（{amount:f} {currency}）" if amount is not None else ""
        return f"{what}的{value_text(percent)}%{money}"
    return f"{value_text(percent)}% of the {what}{money}"


def clause_words(clause: Clause, contract: Contract, lang: str) -> str:
    """What a clause charges, in words: ``200.00 CNY per started 10 min late, at most 5000.00
    CNY per breach``."""
    zh = lang == "zh"
    cur = contract.currency
    price_word = "合同价" if zh else "price"
    if isinstance(clause, FixedClause):
        text = f"每次违约 {clause.amount:f} {cur}" if zh else f"{clause.amount:f} {cur} per breach"
    elif isinstance(clause, PerStartedClause):
        unit = duration_words(clause.unit, lang)
        text = (
            f"每迟延{unit}（不足按{unit}计）{clause.amount:f} {cur}"
            if zh
            else f"{clause.amount:f} {cur} per started {unit} late"
        )
    elif isinstance(clause, PercentOfPriceClause):
        share = _share(clause.percent, contract.price, price_word, cur, lang)
        text = f"每次 {share}" if zh else f"{share} each time"
    elif isinstance(clause, PercentOfPricePerStartedClause):
        share = _share(clause.percent, contract.price, price_word, cur, lang)
        unit = duration_words(clause.unit, lang)
        text = (
            f"每迟延{unit}（不足按{unit}计）{share}" if zh else f"{share} per started {unit} late"
        )
    elif isinstance(clause, CostsClause):
        claim = conditions_words(clause.claim, lang)
        attr = clause.amount_attr
        text = (
            f"违约工单上索赔的全部费用（{claim} 的 attrs.{attr}），作为赔偿，不计入违约金上限"
            if zh
            else f"compensation: every cost claimed ({claim}, attrs.{attr}) on a ticket where "
            "a commitment naming this clause was breached; not under the penalty caps"
        )
    elif isinstance(clause, WarrantyExtensionClause):
        extend = duration_words(clause.extend_by, lang)
        text = (
            f"质保期延长{extend}（补救，非金额）"
            if zh
            else f"extends the warranty by {extend} (a remedy, not money)"
        )
    elif isinstance(clause, ServiceCreditClause | MeasureCreditClause):
        text = _credit_words(clause, cur, lang)
    else:
        text = value_text(clause)
    if clause.minimum is not None:
        text += (
            f"，每次最低 {clause.minimum:f} {cur}"
            if zh
            else f", at least {clause.minimum:f} {cur} a line"
        )
    text += _cap_words(clause, contract, lang)
    if clause.pays == "compensation":
        text += (
            "；作为赔偿付给采购人，不计入违约金上限"
            if zh
            else "; paid to the customer as compensation, not under the penalty caps"
        )
    if clause.on_event:
        events = conditions_words(clause.on_event, lang)
        text += f"；每发生一次 {events}" if zh else f"; for each {events} event"
    return text


def _cap_words(clause: Clause, contract: Contract, lang: str) -> str:
    zh = lang == "zh"
    cur = contract.currency
    credit = isinstance(clause, ServiceCreditClause | MeasureCreditClause)
    each = ("每期" if credit else "每次") if zh else ("per period" if credit else "per breach")
    if clause.cap is not None:
        return (
            f"，{each}最多 {clause.cap:f} {cur}" if zh else f", at most {clause.cap:f} {cur} {each}"
        )
    if clause.cap_percent is not None:
        share = _share(clause.cap_percent, contract.price, "合同价" if zh else "price", cur, lang)
        return f"，{each}最多{share}" if zh else f", at most {share} {each}"
    return ""


def _credit_words(
    clause: ServiceCreditClause | MeasureCreditClause, currency: str, lang: str
) -> str:
    """A service or measure credit: the fee and its tiers, each with its money."""
    zh = lang == "zh"
    fee = clause.fee
    subject = (
        clause.measure if isinstance(clause, MeasureCreditClause) else "+".join(clause.commitments)
    )
    parts = []
    tiers_given: list[Any] = list(clause.tiers)
    for tier in tiers_given:
        bound = (
            tier.below if getattr(tier, "below", None) is not None else getattr(tier, "above", None)
        )
        below = getattr(tier, "below", None) is not None
        money = _percent_of(fee, tier.percent)
        if zh:
            side = "低于" if below else "高于"
            parts.append(
                f"{side}{value_text(bound)}% → 服务费的{value_text(tier.percent)}%"
                f"（{money:f} {currency}）"
            )
        else:
            parts.append(
                f"{'below' if below else 'above'} {value_text(bound)}% → "
                f"{value_text(tier.percent)}% of the fee ({money:f} {currency})"
            )
    step = clause.per_started if isinstance(clause, MeasureCreditClause) else None
    if step is not None:
        parts.append(
            f"每差{value_text(step.step)}个百分点扣{value_text(step.percent)}%"
            if zh
            else f"{value_text(step.percent)}% per started {value_text(step.step)} points short"
        )
    tiers = "；".join(parts) if zh else "; ".join(parts)
    if zh:
        return f"按 {subject} 每期服务费 {fee:f} {currency} 扣减：{tiers}（取最严重的一档）"
    return (
        f"a credit on the period's fee of {fee:f} {currency} by {subject}: {tiers} "
        "(the most severe tier that applies)"
    )


def cap_words(scope: str, cap: Cap, contract: Contract, lang: str) -> str:
    zh = lang == "zh"
    where = {
        "per_contract_year": ("违约金每合同年度最多", "penalties per contract year at most"),
        "contract_total": ("违约金合同期内合计最多", "penalties over the contract at most"),
    }[scope][0 if zh else 1]
    cur = contract.currency
    if cap.amount is not None:
        return f"{where} {cap.amount:f} {cur}"
    assert cap.percent_of_price is not None
    share = _share(cap.percent_of_price, contract.price, "合同价" if zh else "price", cur, lang)
    return f"{where}{share}" if zh else f"{where} {share}"


def rolling_cap_words(cap: RollingCap, contract: Contract, lang: str) -> str:
    """``penalties over any 12 consecutive months at most 10% of those months' fees ...``."""
    zh = lang == "zh"
    cur = contract.currency
    months = cap.months
    window = (
        f"任意连续{months}个月"
        if zh
        else ("any calendar month" if months == 1 else f"any {months} consecutive months")
    )
    less = "，扣除窗口内已扣金额" if zh else ", less what was already charged in the window"
    if cap.amount is not None:
        if zh:
            return f"违约金{window}内最多 {cap.amount:f} {cur}{less}"
        return f"penalties over {window} at most {cap.amount:f} {cur}{less}"
    assert cap.percent_of_fees is not None and cap.monthly_fee is not None
    percent = value_text(cap.percent_of_fees)
    full = _percent_of(cap.monthly_fee * months, cap.percent_of_fees)
    assert full is not None
    if zh:
        return (
            f"违约金{window}内不超过该期间服务费的{percent}%"
            f"（每月服务费 {cap.monthly_fee:f} {cur}，满{months}个月为 {full:f} {cur}；"
            f"合同未履行的月份不计服务费）{less}"
        )
    whose = "that month's fee" if months == 1 else "those months' fees"
    return (
        f"penalties over {window} at most {percent}% of {whose} ({cap.monthly_fee:f} {cur} a "
        f"month the contract ran: {full:f} {cur} over a full {months} months){less}"
    )


def commitment_words(commitment: Commitment, lang: str) -> list[str]:
    """How a commitment's clocks run and how their lateness is counted, where the file says
    more than the defaults (one clock, wall-clock lateness)."""
    zh = lang == "zh"
    lines = []
    if commitment.runs == "per_start":
        lines.append("每次开始事件各自计时" if zh else "a clock per start")
    elif commitment.runs == "per_window":
        lines.append(
            "每个未答复窗口计时一次（计时未停止时，新的开始事件不另行计时）"
            if zh
            else "a clock per window (a start while one is open opens none)"
        )
    if commitment.lateness == "calendar":
        lines.append(
            f"超时按{commitment.calendar}日历的工作时间计"
            if zh
            else f"lateness in working time of calendar {commitment.calendar}"
        )
    return lines


def warranty_words(contract: Contract, lang: str) -> list[str]:
    zh = lang == "zh"
    warranty = contract.warranty
    if warranty is None:
        return []
    lines = []
    parts_only = warranty.replaced_parts_only
    if parts_only:
        lines.append(
            "仅保修更换的部件：设备本身（成套设备及其原有部件）自验收起不在质保范围内"
            if zh
            else "only the parts replaced under the contract are warranted: the equipment as "
            "accepted (the units and their original parts) has no cover"
        )
    for kind, term in warranty.terms.items():
        who = _CLASSES["zh" if zh else "en"][kind]
        if term.follows is not None:
            follows = _CLASSES["zh" if zh else "en"].get(term.follows, term.follows)
            lines.append(f"{who}：随{follows}" if zh else f"{who}: follows its {follows}")
            continue
        length = duration_words(term.duration, lang) if term.duration is not None else "—"
        usage = (
            f" or {value_text(term.usage_limit)} {term.usage_unit}, whichever comes first"
            if term.usage_limit is not None and not zh
            else (
                f"或{value_text(term.usage_limit)}{term.usage_unit}，以先到者为准"
                if term.usage_limit is not None
                else ""
            )
        )
        if parts_only:
            lines.append(
                f"{who}：更换后自更换之日起{length}{usage}"
                if zh
                else f"{who}: {length} from the day it is replaced{usage}"
            )
            continue
        lines.append(
            f"{who}：自验收起{length}{usage}" if zh else f"{who}: {length} from acceptance{usage}"
        )
    policy = warranty.rewarranty
    if zh:
        policies = {
            "fresh_term": "自更换之日起重新计算一个完整质保期（一包）",
            "remaining": "仅剩余质保期",
        }
        lines.append(
            f"{'在保期内再次更换的部件' if parts_only else '更换部件的质保'}："
            f"{policies.get(policy, policy)}"
        )
        lines.append(f"质保到期前{duration_words(warranty.remind_before, lang)}提醒")
        if warranty.extend_by_repairs is not None:
            repair = warranty.extend_by_repairs
            lines.append(
                "修理占用时间不计入有效期：每次修理（"
                f"{conditions_words(repair.from_, lang)} 至 {conditions_words(repair.until, lang)}"
                "）按其时长顺延质保期，不足一日按一日计"
            )
        lines.append(
            "无终检：成套设备不在质保范围内（内置义务 final-inspection 不适用）"
            if parts_only and warranty.final_inspection
            else "每个质保期的最后一个月做终检（内置义务 final-inspection）"
            if warranty.final_inspection
            else "无终检：不设内置的 final-inspection 义务"
        )
    else:
        lines.append(
            ("a part replaced again while covered: " if parts_only else "a replaced part: ")
            + {
                "fresh_term": "a fresh full term from the day it was replaced (一包)",
                "remaining": "only what its predecessor had left",
            }.get(policy, policy)
        )
        lines.append(f"reminder {duration_words(warranty.remind_before, lang)} before cover ends")
        if warranty.extend_by_repairs is not None:
            repair = warranty.extend_by_repairs
            lines.append(
                "repair time does not count against the cover: each repair ("
                f"{conditions_words(repair.from_, lang)} → {conditions_words(repair.until, lang)})"
                " moves the cover's end by its length in days, a started day counting whole"
            )
        lines.append(
            "no final inspection: the units have no warranty (the built-in final-inspection "
            "obligation does not apply)"
            if parts_only and warranty.final_inspection
            else "a final inspection in the last month of each cover (the built-in "
            "final-inspection obligation)"
            if warranty.final_inspection
            else "no final inspection: the built-in final-inspection obligation is removed"
        )
    return lines


def asset_rows(asset: Asset, lang: str) -> list[tuple[str, str, str, str]]:
    """(id, class, name, details) of a unit and its parts, parts indented."""
    classes = _CLASSES["zh" if lang == "zh" else "en"]
    details = value_text(asset.attrs) if asset.attrs else ""
    if asset.accepted_on is not None:
        own = f"验收 {asset.accepted_on}" if lang == "zh" else f"accepted on {asset.accepted_on}"
        details = ", ".join(x for x in (details, own) if x)
    rows = [(asset.id, classes[asset.kind], name_text(asset.name, lang), details)]
    for part in asset.parts:
        rows.append(
            (
                f"  {part.id}",
                classes[part.kind],
                name_text(part.name, lang),
                value_text(part.attrs) if part.attrs else "",
            )
        )
    return rows


def schedule_words(obligation: Obligation, lang: str) -> str:
    zh = lang == "zh"
    parts = []
    for step in obligation.schedule:
        every = duration_words(step.every, lang)
        if step.for_ is not None:
            span = (
                f"，持续{duration_words(step.for_, lang)}"
                if zh
                else f" for {duration_words(step.for_, lang)}"
            )
        elif step.until == "warranty_end":
            span = "，直至质保期满" if zh else " until the warranty ends"
        elif step.until is not None:
            span = f"，至{step.until}" if zh else f" until {step.until}"
        else:
            span = ""
        parts.append(f"每{every}一次{span}" if zh else f"every {every}{span}")
    if obligation.per is not None:
        count = obligation.count or 1
        parts.append(
            f"每{duration_words(obligation.per, lang)}{count}次"
            if zh
            else f"{count} per {duration_words(obligation.per, lang)}"
        )
    text = ("，然后" if zh else ", then ").join(parts) or "—"
    if obligation.for_each == "unit":
        text += "（每台设备）" if zh else " (for each unit)"
    return text


def measure_words(measure: Measure, lang: str) -> str:
    zh = lang == "zh"
    period = period_words(measure.period, lang)
    at_most = measure.direction == "at_most" or (
        measure.direction is None and measure.kind == "repeat_faults"
    )
    bound = ("不高于" if at_most else "不低于") if zh else ("at most" if at_most else "at least")
    text = (
        f"{measure.kind}：每{period}{bound}{value_text(measure.target)}%"
        if zh
        else f"{measure.kind}: {bound} {value_text(measure.target)}% per {period}"
    )
    scope = [*measure.assets, *measure.commitments]
    if scope:
        text += f"（{', '.join(scope)}）" if zh else f" ({', '.join(scope)})"
    return text


def remedy_words(remedy: Remedy, contract: Contract, lang: str) -> str:
    zh = lang == "zh"
    repairs = conditions_words(remedy.repairs, lang)
    done = conditions_words(remedy.done_by, lang)
    warranty = ("（质保期内）" if zh else " under warranty") if remedy.within_warranty else ""
    if remedy.repair_time is not None:
        total = duration_words(remedy.repair_time, lang)
        begun = conditions_words(remedy.repair_from, lang)
        trigger = (
            f"同一部件{warranty}累计修理时间（每次自 {begun} 至 {repairs}）超过{total}后"
            if zh
            else f"once a part's total repair time ({begun} → {repairs}){warranty} exceeds "
            f"{total}, it owes"
        )
    else:
        trigger = (
            f"同一部件第{remedy.count}次维修（{repairs}）{warranty}后"
            if zh
            else f"the {_ordinal(remedy.count)} repair ({repairs}) of a part{warranty} owes"
        )
    if remedy.target is None:
        deadline = (
            "，以 {done} 完成更换（无期限）" if zh else " its replacement ({done}), no deadline"
        )
        return trigger + deadline.format(done=done)
    target = duration_words(remedy.target, lang)
    if zh:
        return f"{trigger}，{target}内以 {done} 完成更换（日历 {remedy.calendar}）"
    return f"{trigger} its replacement ({done}) within {target} on the {remedy.calendar} calendar"


def _ordinal(number: int) -> str:
    """``2nd``, ``3rd``, ``11th``, ``21st``."""
    if 10 <= number % 100 <= 20:
        return f"{number}th"
    return f"{number}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(number % 10, 'th') }"
