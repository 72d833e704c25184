"""Money and time in words, in Chinese and English: the formulas billing staff read.

Every amount is shown exactly as it is charged (``"12800.00"``: no thousands separators, so
the text of a formula is the text of the JSON amount), and every duration in whole units down
to the second, so that a formula can be checked by hand.
"""

from __future__ import annotations

from decimal import Decimal

from slaengine.durations import Duration
from slaengine.money import money

_SPAN_UNITS = (
    (86400, {"en": "d", "zh": "天"}),
    (3600, {"en": "h", "zh": "小时"}),
    (60, {"en": "min", "zh": "分钟"}),
    (1, {"en": "s", "zh": "秒"}),
)
_UNIT_WORDS = {
    "en": {"s": "s", "m": "min", "h": "h", "d": "d", "mo": "mo", "y": "y"},
    "zh": {"s": "秒", "m": "分钟", "h": "小时", "d": "天", "mo": "个月", "y": "年"},
}


def amount_text(value: Decimal) -> str:
    """``12800.00``; a negative adjustment ``-12800.00``."""
    return f"{money(value):f}"


def percent_text(value: Decimal) -> str:
    """``0.05%``, ``1%``, ``10%``: the percentage as the contract writes it."""
    text = f"{value.normalize():f}"
    return f"{text}%"


def span_words(seconds: int, lang: str) -> str:
    """``1 h 1 min`` / ``1小时1分钟``: every non-zero unit, so nothing is rounded away."""
    if seconds <= 0:
        return "0 min" if lang != "zh" else "0分钟"
    zh = lang == "zh"
    parts: list[str] = []
    rest = seconds
    # each unit's word with what goes before it, by language: two lines of pricing a breach
    for size, word in _SPAN_WORDS_ZH if zh else _SPAN_WORDS_EN:
        if rest >= size:
            count, rest = divmod(rest, size)
            parts.append(f"{count}{word}")
    return ("" if zh else " ").join(parts)


_SPAN_WORDS_EN = tuple((size, f" {words['en']}") for size, words in _SPAN_UNITS)
_SPAN_WORDS_ZH = tuple((size, words["zh"]) for size, words in _SPAN_UNITS)


def unit_words(unit: Duration, lang: str) -> str:
    """A unit of lateness as the contract writes it: ``10 min``, ``24 h`` / ``10分钟``."""
    words = _UNIT_WORDS["zh" if lang == "zh" else "en"]
    if lang == "zh":
        return f"{unit.amount}{words[unit.unit]}"
    return f"{unit.amount} {words[unit.unit]}"


#: Labels of statements and reports: column headers, sections, totals.
LABELS: dict[str, dict[str, str]] = {
    "en": {
        "statement": "Statement",
        "contract": "contract",
        "name": "name",
        "supplier": "supplier",
        "customer": "customer",
        "currency": "currency",
        "period": "period",
        "as_of": "as of",
        "complete": "complete",
        "incomplete": "period not over at as of: amounts may still change",
        "date": "date",
        "section": "section",
        "ticket": "ticket",
        "subject": "commitment / obligation",
        "cycle": "cycle",
        "late_by": "late by",
        "clause": "clause",
        "clause_name": "clause name",
        "formula": "formula",
        "amount": "amount",
        "status": "status",
        "waiver": "waiver",
        "contract_year": "contract year",
        "dispute": "dispute",
        "line": "line",
        "penalty": "penalty",
        "compensation": "compensation",
        "adjustment": "cap adjustment",
        "remedy": "remedy",
        "provisional": "provisional",
        "waived": "waived",
        "item": "item",
        "totals": "Totals",
        "penalties_before_caps": "penalties before caps",
        "cap_adjustments": "cap adjustments",
        "penalties": "penalties charged",
        "compensation_total": "compensation",
        "chargeable": "chargeable total (penalties + compensation)",
        "waived_total": "waived (not charged)",
        "provisional_total": "of which provisional",
        "lines": "Lines",
        "compliance": "Compliance",
        "commitment": "commitment",
        "judged": "judged",
        "met": "on time",
        "breached": "breached",
        "on_time_rate": "on-time rate",
        "median": "median time to stop",
        "p90": "90th percentile time to stop",
        "chargeable_tickets": "Chargeable tickets (asset out of warranty)",
        "tickets_sheet": "Chargeable tickets",
        "asset": "asset",
        "severity": "severity",
        "reported_at": "reported",
        "basis": "warranty basis",
        "measures": "Measures",
        "measure": "measure",
        "measure_name": "name",
        "period_from": "from",
        "period_to": "to",
        "figure": "figure",
        "target": "target",
        "measure_status": "status",
        "measure_basis": "how computed",
        "status_met": "met",
        "status_below": "below target",
        "status_above": "above ceiling",
        "status_no_data": "no data",
        "status_so_far": "so far",
        "unknown_warranty": "tickets with warranty not known",
        "none": "none",
        "unapplied_waivers": "waivers that matched no breach",
        "by": "by",
    },
    "zh": {
        "statement": "对账单",
        "contract": "合同",
        "name": "名称",
        "supplier": "供应商",
        "customer": "采购人",
        "currency": "币种",
        "period": "账期",
        "as_of": "计算时点",
        "complete": "账期已结束",
        "incomplete": "计算时点账期尚未结束：金额仍可能变化",
        "date": "日期",
        "section": "类别",
        "ticket": "工单",
        "subject": "承诺 / 义务",
        "cycle": "轮次",
        "late_by": "超时",
        "clause": "条款",
        "clause_name": "条款名称",
        "formula": "计算方式",
        "amount": "金额",
        "status": "状态",
        "waiver": "豁免",
        "contract_year": "合同年度",
        "dispute": "异议",
        "line": "明细",
        "penalty": "违约金",
        "compensation": "赔偿",
        "adjustment": "封顶调整",
        "remedy": "补救措施",
        "provisional": "暂计",
        "waived": "已豁免",
        "item": "项目",
        "totals": "合计",
        "penalties_before_caps": "违约金（封顶前）",
        "cap_adjustments": "封顶调整",
        "penalties": "违约金合计",
        "compensation_total": "赔偿合计",
        "chargeable": "应付合计（违约金＋赔偿）",
        "waived_total": "已豁免（不计入）",
        "provisional_total": "其中暂计",
        "lines": "明细",
        "compliance": "履约情况",
        "commitment": "承诺",
        "judged": "已判定",
        "met": "按时",
        "breached": "违约",
        "on_time_rate": "按时率",
        "median": "完成用时中位数",
        "p90": "完成用时90分位",
        "chargeable_tickets": "收费工单（资产已过保修期）",
        "tickets_sheet": "收费工单",
        "asset": "资产",
        "severity": "故障等级",
        "reported_at": "报修时间",
        "basis": "保修依据",
        "measures": "考核指标",
        "measure": "指标",
        "measure_name": "名称",
        "period_from": "起",
        "period_to": "止",
        "figure": "实际值",
        "target": "目标",
        "measure_status": "结果",
        "measure_basis": "计算方式",
        "status_met": "达标",
        "status_below": "低于目标",
        "status_above": "超出上限",
        "status_no_data": "无数据",
        "status_so_far": "暂计",
        "unknown_warranty": "保修状态未知的工单",
        "none": "无",
        "unapplied_waivers": "未匹配到违约的豁免",
        "by": "批准人",
    },
}


def label(key: str, lang: str) -> str:
    return LABELS["zh" if lang == "zh" else "en"][key]
