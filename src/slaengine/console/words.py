"""The console's words in English and Chinese, and which language a request gets.

A page is rendered in one language: ``?lang=zh|en`` chooses it and is remembered in a cookie;
without either, the browser's ``Accept-Language`` decides (any ``zh`` before ``en`` gives
Chinese). Every label of every page is in ``WORDS``, so a missing translation is a KeyError
in the tests, not an English word on a Chinese page.
"""

from __future__ import annotations

from typing import Literal

from fastapi import Request

Lang = Literal["en", "zh"]
LANG_COOKIE = "slaengine_lang"

WORDS: dict[str, tuple[str, str]] = {
    "app": ("SLA console", "SLA 控制台"),
    "board": ("Board", "看板"),
    "alerts": ("Alerts", "告警"),
    "money": ("Money", "违约金"),
    "compliance": ("Compliance", "达标率"),
    "warranty": ("Warranty", "质保"),
    "contracts": ("Contracts", "合同"),
    "commitments": ("Commitments", "服务承诺"),
    "api_docs": ("API", "API"),
    "sign_in": ("Sign in", "登录"),
    "sign_out": ("Sign out", "退出"),
    "token": ("Access token", "访问令牌"),
    "token_help": (
        "A token your administrator gave you (the viewer or operator token, or your own).",
        "请输入管理员提供的令牌（查看或操作令牌，或您自己的令牌）。",
    ),
    "wrong_token": ("That token is not valid.", "令牌无效。"),
    "wrong_password": ("Wrong user name or password.", "用户名或密码错误。"),
    "user_name": ("User name", "用户名"),
    "password": ("Password", "密码"),
    "or_password": ("or your user name and password", "或输入用户名和密码"),
    "users": ("Users", "用户"),
    "signed_in_as": ("Signed in as", "当前身份"),
    "viewer": ("viewer", "查看者"),
    "operator": ("operator", "操作员"),
    "open_clocks": ("Running clocks and open breaches", "计时中的时钟与未结违约"),
    "recent": ("Recently stopped", "最近结束"),
    "none": ("Nothing here.", "暂无。"),
    "contract": ("Contract", "合同"),
    "ticket": ("Ticket", "工单"),
    "commitment": ("Commitment", "承诺"),
    "severity": ("Severity", "故障级别"),
    "asset": ("Asset", "资产"),
    "status": ("Status", "状态"),
    "started": ("Started", "开始"),
    "deadline": ("Deadline", "截止"),
    "stopped": ("Stopped", "结束"),
    "time_left": ("Time left", "剩余"),
    "late": ("Late by", "超时"),
    "paused_for": ("Paused", "暂停时长"),
    "excused": ("Excused", "免责时长"),
    "cycle": ("Cycle", "轮次"),
    "occurrence": ("start no.", "次序"),
    "all": ("all", "全部"),
    "filter": ("Filter", "筛选"),
    "clear": ("Clear", "清除"),
    "previous": ("Previous", "上一页"),
    "next": ("Next", "下一页"),
    "page": ("Page", "第"),
    "of": ("of", "页，共"),
    "running": ("running", "计时中"),
    "paused": ("paused", "已暂停"),
    "met": ("met", "达标"),
    "breached": ("breached", "违约"),
    "cancelled": ("cancelled", "已取消"),
    "warning": ("warning", "预警"),
    "overdue": ("overdue", "已超时"),
    "open_breach": ("open breach", "违约未结"),
    "acknowledge": ("Acknowledge", "确认"),
    "acknowledged": ("Acknowledged", "已确认"),
    "unacknowledged": ("Waiting for acknowledgement", "待确认"),
    "acknowledged_by": ("by", "确认人"),
    "your_name": ("Your name", "您的姓名"),
    "kind": ("Kind", "类型"),
    "contact": ("Contact", "联系人"),
    "level": ("Level", "级别"),
    "raised": ("Raised", "告警时间"),
    "escalates_at": ("Escalates at", "升级时间"),
    "escalated": ("Escalated", "已升级"),
    "message": ("Message", "消息"),
    "delivery": ("Delivery", "发送"),
    "events": ("Events", "事件"),
    "event": ("Event", "事件"),
    "at": ("At", "时间"),
    "type": ("Type", "类型"),
    "details": ("Details", "详情"),
    "clocks": ("Clocks", "时钟"),
    "pauses": ("Pauses", "暂停"),
    "penalty_lines": ("Penalty and compensation lines", "违约金与赔偿明细"),
    "clause": ("Clause", "条款"),
    "formula": ("Formula", "计算公式"),
    "amount": ("Amount", "金额"),
    "provisional": ("provisional", "暂计"),
    "waived": ("waived", "已豁免"),
    "penalties": ("Penalties", "违约金"),
    "compensation": ("Compensation", "赔偿"),
    "this_month": ("This month", "本月"),
    "measures_this_month": ("Measures this month", "本月考核指标"),
    "this_year": ("This contract year", "本合同年度"),
    "by_clause": ("By clause", "按条款"),
    "lines": ("Lines", "明细"),
    "year_cap": ("Yearly cap", "年度上限"),
    "caps_and_warranty": ("Caps, warranty, measures and remedies", "上限、质保、考核指标与三包"),
    "cap_used": ("used", "已用"),
    "no_cap": ("no yearly cap", "无年度上限"),
    "cap_adjustment": ("Cap adjustment", "上限调整"),
    "chargeable": ("Charged", "应计"),
    "download": ("Download the statement", "下载结算单"),
    "period": ("Period", "期间"),
    "as_of": ("As of", "截至"),
    "on_time_rate": ("On-time rate", "按时率"),
    "judged": ("Judged", "已判定"),
    "median": ("Median time to stop", "中位用时"),
    "p90": ("p90 time to stop", "90分位用时"),
    "month": ("Month", "月份"),
    "expires": ("Cover ends", "质保截止"),
    "covered": ("Covered", "在保"),
    "basis": ("Basis", "依据"),
    "days_left": ("Days left", "剩余天数"),
    "yes": ("yes", "是"),
    "no": ("no", "否"),
    "inspections": ("Inspection calendar", "巡检日历"),
    "obligation": ("Obligation", "义务"),
    "period_start": ("From", "起"),
    "period_end": ("Until", "止"),
    "missed": ("missed", "未完成"),
    "upcoming": ("upcoming", "待进行"),
    "done": ("done", "已完成"),
    "name": ("Name", "名称"),
    "applies_to": ("Applies to", "适用范围"),
    "start_stop": ("Clock: start → stop", "计时：开始 → 结束"),
    "cancel_pause": ("Cancel · pause / resume", "取消 · 暂停 / 恢复"),
    "target": ("Target", "时限"),
    "clauses": ("Clauses", "条款"),
    "tender_wording": ("Tender wording", "投标原文"),
    "terms": ("Terms", "条件"),
    "price": ("Price", "合同金额"),
    "accepted_on": ("Accepted on", "验收日期"),
    "time_zone": ("Time zone", "时区"),
    "version": ("Version", "版本"),
    "not_found": ("Not found", "未找到"),
    "forbidden": (
        "Your roles do not allow this (ask an administrator).",
        "您的角色无权执行此操作（请联系管理员）。",
    ),
    "no_contract": ("No contract is loaded.", "尚未加载合同。"),
    "live": ("live", "实时"),
    "reconnecting": ("reconnecting…", "重新连接中…"),
    "total": ("Total", "合计"),
    "back_to_board": ("Back to the board", "返回看板"),
    "open_ticket": ("Open the ticket", "打开工单"),
    "nothing_to_ack": ("Already acknowledged.", "已确认。"),
    "retroactive": ("started retroactively", "追溯开始"),
    "kind_warning": ("warning", "预警"),
    "kind_breach": ("breach", "违约"),
    "kind_withdrawn": ("breach withdrawn", "违约撤销"),
    "kind_escalation": ("escalation", "升级"),
    "kind_obligation_missed": ("obligation missed", "义务未履行"),
    "kind_warranty_expiring": ("warranty expiring", "质保到期提醒"),
    "class_unit": ("unit", "整机"),
    "class_key_part": ("key part", "关键部件"),
    "class_part": ("part", "部件"),
    # disputes (console/disputes.py, docs/disputes.md)
    "disputes": ("Disputes", "异议"),
    "dispute": ("Dispute", "异议"),
    "dispute_line": ("Contest this line", "对此明细提出异议"),
    "dispute_reason": ("Reason", "理由"),
    "dispute_evidence": (
        "Evidence (PDF, PNG, JPEG or text; 5 MB each, 20 MB in all)",
        "证据（PDF、PNG、JPEG 或文本；每个不超过 5 MB，合计不超过 20 MB）",
    ),
    "dispute_file": ("File the dispute", "提交异议"),
    "dispute_state_open": ("open", "待处理"),
    "dispute_state_accepted": ("accepted", "已接受"),
    "dispute_state_rejected": ("rejected", "已驳回"),
    "dispute_filed_by": ("Filed by", "提出人"),
    "dispute_decided_by": ("Decided by", "裁定人"),
    "dispute_decision": ("Decision", "裁定"),
    "dispute_accept": ("Accept: waive the line", "接受：豁免该明细"),
    "dispute_reject": ("Reject: the line stands", "驳回：维持该明细"),
    "dispute_decide": ("Decide", "裁定"),
    "dispute_none": ("No disputes.", "没有异议。"),
    "dispute_open_count": ("open disputes", "待处理异议"),
    "dispute_all_states": ("all", "全部"),
    "dispute_amount_filed": ("Amount when filed", "提出时金额"),
    "dispute_needs": ("Say why, in words, and who you are.", "请填写理由及您的姓名。"),
    "dispute_too_large": ("An evidence file is too large.", "证据文件过大。"),
    "dispute_wrong_type": (
        "An evidence file is not a PDF, PNG, JPEG or plain text file.",
        "证据文件不是 PDF、PNG、JPEG 或纯文本文件。",
    ),
    "dispute_conflict": ("This cannot be done now.", "当前无法执行此操作。"),
    "dispute_refused": ("The dispute was refused.", "异议未被受理。"),
    "dispute_not_found": ("No such line or dispute.", "找不到该明细或异议。"),
    "audit_kind_dispute_filed": ("dispute filed", "提出异议"),
    "audit_kind_dispute_evidence_added": ("dispute evidence added", "补充异议证据"),
    "audit_kind_dispute_accepted": ("dispute accepted", "接受异议"),
    "audit_kind_dispute_rejected": ("dispute rejected", "驳回异议"),
}


def lang_of(request: Request) -> tuple[Lang, bool]:
    """The request's language, and whether it was chosen now (and should be remembered)."""
    asked = request.query_params.get("lang")
    if asked in ("zh", "en"):
        return asked, True  # type: ignore[return-value]
    kept = request.cookies.get(LANG_COOKIE)
    if kept in ("zh", "en"):
        return kept, False  # type: ignore[return-value]
    return from_accept_language(request.headers.get("accept-language", "")), False


def from_accept_language(header: str) -> Lang:
    """``zh`` when Chinese is preferred over English in an Accept-Language header, else ``en``."""
    best: tuple[float, Lang] | None = None
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        tag = tag.strip().lower()
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.split("-")[0]
        if primary not in ("zh", "en") or quality <= 0:
            continue
        # Higher quality wins; at equal quality the earlier tag does.
        score = quality - position * 1e-6
        if best is None or score > best[0]:
            best = (score, "zh" if primary == "zh" else "en")
    return best[1] if best is not None else "en"


def word(key: str, lang: Lang) -> str:
    en, zh = WORDS[key]
    return zh if lang == "zh" else en
