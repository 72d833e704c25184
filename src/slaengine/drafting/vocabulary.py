"""The words tenders use for each term, in Chinese (Simplified; Traditional text is converted
first) and English: data, not code, so a new phrasing is one more alternative in a pattern.

Each response shape of the rule library (rules/after-sales.yaml) has the words that name its
action, the id pattern of the commitments drafted from it (the example contract's ids:
``ack-3min``, ``repair-general-30min``, ``emergency-plan-5min``), the prefix of its penalty
clause (``P-ack``) and the names shown in reports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ShapeWords:
    shape: str
    words: re.Pattern[str]
    #: ``{t}`` is the target (3min, 1h, 3d), ``{sev}`` the severity and its dash when given.
    id_pattern: str
    clause_prefix: str
    zh: str
    en: str
    late_zh: str
    late_en: str


def _words(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


#: "under the Evacuation Plan", "in accordance with the Safety Plan": a plan named by its title
#: as the rule some work follows, not a plan to present (one lookbehind per fixed width).
_NAMED_PLAN_BEFORE = "".join(
    rf"(?<!\b{prep} the (?-i:[A-Z][a-z]{{{n}}}) )"
    for prep in ("under", "per", "with", "to", "in", "following")
    for n in range(2, 16)
)

#: In order of precedence when one phrase names two actions ("返厂维修" is a factory repair).
SHAPES: tuple[ShapeWords, ...] = (
    ShapeWords(
        "factory-repair",
        _words(
            r"返厂|返回厂家|寄回厂家|返修中心|return(?:ed)? to (?:the )?factory|factory repair"
            # "需送原廠修理者", "寄回原厂维修", "sent back to the manufacturer"
            r"|(?:送|寄|运|運)(?:回)?(?:原厂|原廠|厂家|廠商|生产厂|生產廠)"
            # "須送廠大修者": sent to the works for an overhaul
            r"|(?:送|运|運)(?:回)?(?:厂|廠)(?:大修|维修|維修|修理|检修|檢修)"
            # "须拆回工场维修": taken back to the contractor's workshop
            r"|(?:拆|送|运|運|带|帶)回(?:工场|工場|车间|車間|厂房|廠房)"
            # "送返承办商厂房或原厂维修", "运回供应商工厂修理": the supplier's own workshop
            r"|(?:送|寄|运|運)(?:回|返)(?:承办商|承包商|供应商|厂商|乙方|卖方)?的?"
            r"(?:原厂|厂家|厂房|工厂|工场|维修厂|修理厂|维修中心)"
            r"|(?:sent|shipped|returned) (?:back )?to (?:the )?(?:manufacturer|vendor|oem)\b"
            # "boards that must go back to the OEM", "has to go to our Hamilton workshop for
            # bench repair": the part is taken away to be repaired
            r"|\b(?:go(?:es)?|sent|shipped|taken|carried|returned) (?:back )?to (?:the |our |its |their "
            r"|an? )?(?:[A-Z][\w-]*(?:'s|’s)? )?(?:manufacturer|vendor|OEM|workshop|factory|works|repair (?:centre"
            r"|center|shop))\b|\b(?:bench|workshop|off-site) (?:repairs?|overhauls?|rebuilds?)\b"
            # "sent for depot repair", "sent to the Contractor's depot", "the manufacturer's
            # depot" (not "attend the Depot", the buyer's own rail depot)
            r"|\bdepot (?:repairs?|turnarounds?|returns?)\b|\breturn[- ]to[- ]depot\b"
            r"|\b(?:returned|back) from (?:the |our |a )?(?:repair )?depot\b"
            r"|\breturn(?:s|ed)? (?:the |a )?[\w -]{0,24}?from (?:its|the|our|their) (?:repair )?depot\b"
            r"|\b(?:vendor|contractor|supplier|manufacturer)(?:'s|’s) (?:repair )?depot\b"
            r"|\b(?:sent|shipped|returned|taken|carried|goes?) (?:back )?to (?:the |our |a |an )?"
            r"(?:[A-Z][\w-]*(?:'s|’s)? )?(?:manufacturer(?:'s|’s) |service |repair )?depot\b"
            # "removed for overhaul", "returned from the component rebuild facility": the part
            # is taken away to a place of repair and comes back
            # "removed for workshop overhaul", "removed for a full rebuild": one word between
            r"|\bremoved (?:from (?:site|service) )?for (?:an? )?(?:[a-z-]+ )?(?:rebuild|overhaul"
            r"|refurbishment)\b"
            r"|\b(?:rebuild|overhaul|refurbishment) (?:facility|facilities|shop|workshop|cent(?:re|er))\b"
        ),
        "factory-repair-{t}",
        "factory",
        "返厂维修",
        "Complete a return-to-factory repair",
        "返厂维修逾期",
        "Late factory repair",
    ),
    ShapeWords(
        "present-a-plan",
        # "书面修复计画": a plan for the repair (计划, or 计画 as Taiwan writes it)
        _words(
            r"方案|(?:修复|抢修|排除|处理|处置)计[划画]|repair plan|action plan|workaround plan"
            rf"|{_NAMED_PLAN_BEFORE}\bplan\b"
        ),
        "{sev}plan-{t}",
        "plan",
        "拿出维修方案",
        "Present a repair plan",
        "未按时拿出方案",
        "Late repair plan",
    ),
    ShapeWords(
        "hand-in-report",
        _words(
            r"报告|(?:maintenance|service|repair|written|incident|root[- ]cause|analysis|failure|fault"
            r"|trouble|breakdown|outage|call-?out|visit)(?: [a-z-]+)? report|root[- ]cause analysis|\bRCA\b|\bRFO\b|reason[- ]for[- ]outage|job sheets?|job cards?"
            r"|纪录表|记录表|记录单|维修单|服务单|服务报告单"
            # "提交维修记录及故障原因分析": the record of a repair, an analysis of its cause
            r"|(?:维修|维护|检修|抢修|服务|处理)记录|原因分析"
            r"|service ticket|work order|service record"
            # "a post-visit report", "A report … shall be issued within 5 working days": a report
            # named as the thing handed over
            r"|\bpost-[a-z]+ reports?\b"
            r"|\breports?\b(?=[^.;:]{0,120}?\b(?:shall|will|must|is to|are to)\s+be\s+(?:issued"
            r"|submitted|sent|delivered|provided|supplied|handed (?:in|over)|e-?mailed|uploaded)\b)"
        ),
        "report-{t}",
        "report",
        "送交维修报告",
        "Hand in the maintenance report",
        "未按时送交维修报告",
        "Late maintenance report",
    ),
    ShapeWords(
        "call-back",
        _words(
            r"回访|call(?:ed|s|ing)?(?:-| )?back|follow-up call|follow up with"
            # "the technician phones you back", "rings the customer back"
            r"|\b(?:call|phone|ring|telephone)(?:ed|s|ing)?\s+(?:you|them|him|her"
            r"|(?:the|our|your) [\w-]+(?: [\w-]+)?)\s+back\b"
            # "messages left on the answerphone are returned within 1 hour", "return voicemails":
            # the customer's message answered by a call to them
            r"|\b(?:calls?|messages?|voicemails?)\s+left\s+(?:on|with|in|at|for)\b[^.;]{0,80}?"
            r"\breturned\b|\breturn(?:s|ed|ing)?\s+(?:the |all |any )?(?:voicemails?|(?:voice )?messages?)\b"
        ),
        "callback-{t}",
        "callback",
        "回访",
        "Call the customer back",
        "未按时回访",
        "Late call-back",
    ),
    ShapeWords(
        "dispatch-engineer",
        # not "1小时内派遣合资格工程人员到达现场": sent to arrive, the arrival is the limit's act
        _words(
            r"(?:派遣|派出|派工|指派|[调委增加选]派|安排(?:工程师|人员|技术人员))"
            r"(?![^，,。；;]{0,12}?(?:到达现场|到场|赶到现场|抵达现场))|dispatch"
        ),
        "dispatch-{t}",
        "dispatch",
        "派出工程师",
        "Dispatch an engineer",
        "未按时派出工程师",
        "Late dispatch",
    ),
    ShapeWords(
        "be-on-site",
        _words(
            r"到达现场|到场|到位|赶到|赶赴|抵达|到达|到[院厂校馆店站所楼库厅]|进入抢修现场|上门|arriv|attendance"
            # "the engineer reporting at site" (Indian English): arriving
            r"|\breport(?:s|ed|ing)? (?:at|to) (?:the )?site\b"
            # "the unit is back on site", "a copy is left on site": a thing that comes back or
            # stays, not a person arriving
            r"|(?<!\bback )(?<!\bleft )(?<!\bkept )(?<!\bheld )(?<!\bstored )on[- ]?site"
            r"|at the site|\battend(?:s|ed|ing)?\b|\bmake[- ]safe|\bmade safe"
            # "Technician at the unit", "an engineer at the machine": a person at the equipment
            r"|\b(?:technicians?|engineers?|mechanics?|fitters?|FSEs?|crews?|teams?)\s+at\s+(?:the\s+)?"
            r"(?:unit|machine|equipment|tool|vehicle|truck|trailer|crane|locomotive|vessel|pump|generator"
            r"|turbine|aircraft|asset|device|lift|elevator|printer"
            r"|installation|premises|location|plant|system|instrument|analy[sz]er)s?\b"
            # "Technician on farm", "engineer-on-vessel targets": a person at a place (not on
            # call, on duty or on the phone: a standby, no visit)
            r"|\b(?:technicians?|engineers?|mechanics?|fitters?|FSEs?)[\s-]+on[\s-]+(?:the[\s-]+)?"
            r"(?!(?:call|duty|standby|stand-by|hand|leave|phone|line|rota|roster)\b)[a-z]{3,}"
        ),
        "onsite-{t}",
        "onsite",
        "到达现场",
        "Be on site",
        "未按时到场",
        "Late arrival on site",
    ),
    ShapeWords(
        "fix-after-arrival",
        _words(
            r"修复|修好|排除|消缺|解决|处置完毕|处理完毕|处理完成|维修到位|维修完毕|完成维修|恢复正常|恢复运行"
            r"|(?<!提)完成(?![\u4e00-\u9fff]{0,2}(?:派|报告|方案|回访|响应|到场|巡检|保养|检测|交付|培训|安装))"
            r"|恢复(?!原状)|完工|\bfix(?!ed\s+(?:sums?|amounts?|charges?|fees?|prices?|rates?|penalt(?:y|ies)|deductions?)\b)|\brepair|restor|resol|\bsolution|mitigat|\bcomplet(?!ion (?:reports?|certificates?|records?|sheets?)\b)"
            r"|return(?:ed|s)?(?:\s+[\w-]+){0,4}?\s+to (?:full |normal )?(?:service|clinical use|use|work"
            r"|operation|production)"
            r"|back (?:in|to|into) service|replac(?:e|es|ed|ement)\b|\bworkaround"
            r"|\boutages? (?=exceed|lasting|longer|of more)"
        ),
        "repair-{sev}{t}",
        "repair",
        "修复",
        "Fix the fault",
        "未按时修复",
        "Late repair",
    ),
    ShapeWords(
        "answer-the-call",
        _words(
            r"答复|响应|反应|回复|应答|回应|回电|接听|联系|处置|受理|远程诊断|远程支持|电话确认"
            r"|\brespon|\banswer|acknowledg|(?<!site )(?<!named )(?<!the )(?<!a )(?<!customer )contact"
            r"|remote (?:diagnos|support|assistance)|(?:tele)?phone support"
            r"|return(?:s|ed)? (?:the |a |their |all )?(?:phone )?calls?"
        ),
        "ack-{t}",
        "ack",
        "予以答复",
        "Answer the fault call",
        "未按时答复",
        "Late answer to a fault call",
    ),
)

SHAPE_BY_NAME = {words.shape: words for words in SHAPES}

#: Severity levels: key, Chinese and English names, and the words that name them. A tender's
#: own scheme is declared as the contract's severities: only the levels its text names (the
#: three named ones when it names none). Numbered schemes come first: "Priority 1 (Critical)" is
#: P1, "Urgent SEV1" is severity 1. A word that is also plain language (严重, high, critical)
#: counts only where it names a level: before 故障/问题/事件/级, as a label ("高:") or alone in
#: a table cell.
_FAULT = r"(?:性)?(?:故障|问题|事件|事故|缺陷|疑问|级别|级|等级|情况)"
#: what "重大" qualifies when it names no level: a part or a work ("重大部件损坏", "重大检修").
_MAJOR_NOUN = r"零部件|部件|零件|配件|组件|器件|部位|设备|维修|检修|修理|改造"
#: a line that reports come in on ("紧急热线", "紧急报修电话"): named by a level word, yet no level
_LINE = r"(?:报修|维修|服务|求助|联络|联系)?(?:热线|电话|专线|号码|手机)"
_EN_FAULT = r"(?:\s*[-(]?\s*(?:faults?|incidents?|issues?|problems?|priority|severity|requests?|calls?|level))"


def _numbered(key: str, zh: str, en: str, words: str) -> tuple[str, str, str, re.Pattern[str]]:
    return key, zh, en, _words(words)


_CN_DIGITS = ("一", "二", "三", "四")
_ROMAN = ("I", "II", "III", "IV")
_ROMAN_U = ("Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ")

SEVERITIES: tuple[tuple[str, str, str, re.Pattern[str]], ...] = (
    *(
        _numbered(
            f"sev{n}",
            f"严重性{n}",
            f"Severity {n}",
            rf"\bsev(?:erity)?\s*(?:level\s*)?-?\s*{n}(?![\d.])|严重(?:性|等级)\s*{n}(?!\d)",
        )
        for n in (1, 2, 3, 4)
    ),
    *(
        _numbered(
            f"p{n}",
            f"P{n}",
            f"Priority {n}",
            rf"(?<![A-Za-z0-9_-])P\s*{n}(?![\d.A-Za-z])|\bpriority\s*(?:level\s*)?{n}\b"
            rf"|优先级\s*{n}(?!\d)|{n}\s*级优先",
        )
        for n in (1, 2, 3, 4)
    ),
    *(
        _numbered(
            f"level-{n}",
            f"{_CN_DIGITS[n - 1]}级",
            f"Level {n}",
            # not "故障按下列三级划分", "分为三级": a count of levels
            rf"(?<!下列)(?<!以下)(?<!如下)(?<!分为)(?<!分成)(?<!共分)"
            rf"第?(?:{_CN_DIGITS[n - 1]}|{n}|{_ROMAN_U[n - 1]})\s*级(?!建造|资质|医院|部件|划分)"
            rf"|(?<![A-Za-z]){_ROMAN[n - 1]}\s*级|\blevel\s*{n}\b|\b(?:tier)\s*{n}\b"
            rf"|第?{_CN_DIGITS[n - 1]}类(?=缺陷|故障|问题|事件|隐患)|\bcat(?:egory|\.)?\s*{n}\b",
        )
        for n in (1, 2, 3, 4)
    ),
    (
        "general",
        "一般故障",
        "General fault",
        _words(
            rf"一般{_FAULT}|普通故障|^普通$|一般$|^一般|general{_EN_FAULT}|^general\b"
            # "restore normal production": the state a repair returns to, not a level
            r"|(?<!\brestore\s)(?<!\brestores\s)(?<!\brestored\s)(?<!\brestoring\s)"
            r"(?<!\bresume\s)(?<!\bresumes\s)(?<!\bto\s)\bnormal\b"
            # "normal operation shall be restored", "normal working hours": a state or a time
            r"(?!\s+(?:operations?|operating|service|production|working|running|functions?"
            r"|functioning|use|conditions?|state|hours|business|order|output|supply|power)\b)"
        ),
    ),
    (
        "major",
        "重大故障",
        "Major fault",
        _words(
            rf"重大{_FAULT}|重大(?!{_MAJOR_NOUN})|大的故障|较大故障|\bmajor{_EN_FAULT}"
            # "Major components …", "Major off-season works …": a size of a part or a work
            rf"|^major\b(?!\s+(?:[a-z]+-[a-z-]+\s+)?(?:parts?|components?|sub-?assembl(?:y|ies)"
            rf"|assembl(?:y|ies)|spares?|works?|projects?|overhauls?|upgrades?|refurbishments?"
            rf"|renovations?|modifications?|alterations?|refits?)\b)"
            rf"|\(major\)|^major$"
        ),
    ),
    (
        "emergency",
        "紧急故障",
        "Emergency",
        # "24小时紧急热线", "emergency hotline": the line calls come in on names no level
        _words(
            rf"(?<!非)紧急(?!{_LINE})|加急|(?<!non-)(?<!non )emergenc(?!y (?:hot ?)?lines?\b"
            r"|y (?:tele)?phone\b|y (?:phone |contact )?numbers?\b"
            # "emergency stops", "emergency lighting": a device of the equipment, no level
            r"|y[ -](?:stops?|stop buttons?|buttons?|lighting|lights?|exits?|generators?|brakes?"
            r"|power|drives?|showers?|alarms?)\b)"
        ),
    ),
    ("urgent", "加急", "Urgent", _words(r"(?<!non-)(?<!non )\burgent\b")),
    (
        "critical",
        "严重故障",
        "Critical",
        _words(
            rf"(?<!较)严重{_FAULT}|^严重$|(?<!non-)(?<!non )\bcritical{_EN_FAULT}|^critical\b"
            rf"|\(critical\)"
        ),
    ),
    (
        "important",
        "重要故障",
        "Important",
        _words(rf"重要{_FAULT}|较严重{_FAULT}|^重要$|\bimportant\b"),
    ),
    (
        "high",
        "高",
        "High",
        _words(rf"高级{_FAULT}|高优先级|^高$|^高[:：]|\bhigh{_EN_FAULT}|^high\b|\(high\)"),
    ),
    (
        "medium",
        "中",
        "Medium",
        _words(rf"中级{_FAULT}|中优先级|^中$|^中[:：]|\bmedium\b|\bmoderate\b"),
    ),
    (
        "low",
        "低",
        "Low",
        _words(rf"低级{_FAULT}|低优先级|^低$|^低[:：]|\blow{_EN_FAULT}|^low\b|\(low\)"),
    ),
    (
        "routine",
        "常规",
        "Routine",
        _words(
            rf"常规{_FAULT}|^常规$|\broutine\b(?! (?:maintenance|inspections?|servic\w*|checks?|visits?|cleaning|tests?)\b)"
            # "例行维修要求": a routine request for repair is a level; "例行维修/例行检查" alone is upkeep
            rf"|例行{_FAULT}|例行(?:维修|维护|修理|报修)?(?:要求|请求|申请|工单)"
        ),
    ),
    ("minor", "轻微故障", "Minor", _words(rf"轻微{_FAULT}|次要{_FAULT}|轻度|^轻微$|\bminor\b")),
)
#: A level of a named scheme by its bare word ("Critical", "Major", "紧急"), as a sentence that
#: declares the scheme lists it ("Breakdowns are classified as Critical (…), Major (…) or Minor
#: (…)", "故障分为紧急、重要和一般三级"); after such a sentence the word alone names the level.
LEVEL_WORDS: dict[str, re.Pattern[str]] = {
    key: re.compile(words)
    for key, words in (
        ("critical", r"(?<!non-)(?<!non )\b[Cc]ritical\b|(?<!较)严重(?!性)"),
        ("major", r"\b[Mm]ajor\b|重大"),
        ("minor", r"\b[Mm]inor\b|轻微|次要"),
        ("emergency", rf"(?<!non-)(?<!non )\b[Ee]mergency\b|(?<!非)紧急(?!{_LINE})"),
        ("urgent", r"(?<!non-)(?<!non )\b[Uu]rgent\b|加急"),
        ("important", r"\b[Ii]mportant\b|(?<!较)重要"),
        ("high", r"\b[Hh]igh\b"),
        ("medium", r"\b[Mm]edium\b"),
        ("low", r"\b[Ll]ow\b"),
        ("routine", r"\b[Rr]outine\b"),
        ("general", r"一般"),
    )
}
#: The words of a sentence that declares a scheme of levels: what the levels are classed as.
SCHEME_CUE = re.compile(
    r"\b(?:classified|classed|categori[sz]ed|graded|grouped|ranked|prioriti[sz]ed|designated)"
    r"\s+(?:as|into|by)\b|\b(?:falls?|fall) into\b|\b(?:defined|treated) as (?:either )?"
    r"|(?:分为|分成|划分为|分作|定为|定义为)",
    re.I,
)
#: Declared when the tender names no level at all (the example contract's three).
DEFAULT_SEVERITIES = ("general", "major", "emergency")

#: Penalty and compensation language: where a consequence begins.
PENALTY = _words(
    r"扣罚|扣除|扣|罚款|罚|违约金|赔偿|赔付|承担|支付|penalt|deduct|liquidated damages|forfeit"
    r"|\bbears?\b|compensat|\bpay|\bcredit"
    # "the Authority may assess USD 250 for each hour": assessing a sum, not a fault
    r"|\b(?:assess|levy|levie|impose|withh[oe]ld)(?:s|d|ed)?\s+(?=(?:(?-i:[A-Z]{3})\b|[$£€¥]|US\$|\d"
    r"|(?:a |an )?(?:sum|amount|credit|deduction|charge|fine)\b))"
    # "a visit missed attracts a fixed charge of $300", "incurs a deduction of …": a sum the
    # failure brings on
    r"|\b(?:attract|incur)(?:s|red|ring|ed|ing)?\s+(?=(?:(?-i:[A-Z]{3})\b|[$£€¥]|US\$|\d"
    r"|(?:a |an )?(?:fixed |flat |set )?(?:sum|amount|deduction|charge|fine|fee)\b))"
)
#: The supplier bears all costs arising (compensation, not a penalty).
COSTS = _words(
    r"一切费用|全部费用|所有费用|由此(?:而)?(?:产生|发生|造成)的(?:一切|全部)?(?:费用|损失)"
    r"|all (?:the )?costs|all expenses|any costs"
)
#: A cap on a clause: the figure after these words.
CAP = _words(
    r"最高不超过|最多不超过|累计不超过|不超过|封顶|上限|为限|at most|capped at|not exceed|maximum of"
    r"|(?:a |an )?(?:ceiling|upper limit) of(?=\s*(?:[A-Z]{2,3}\$?|Rs\.?|[$£€¥₹])?\s*\d)"
)
CONTRACT_PRICE = _words(
    r"合同(?:总)?(?:价|金额|价款|总额)|(?:契约|合约)(?:总)?(?:价|金额|价金|总额)"
    r"|contract (?:price|value|sum|amount)"
)
#: "per started unit of lateness": 每超时10分钟, 每逾期1天, per started hour, for every 10 minutes.
PER_UNIT = _words(
    r"每(?:超时|超过|超出|超期|超|逾期|逾时|逾|延期|延迟|延误|迟到|迟|晚)?\s*(?=\d|半|小时|天|日)"
    r"|per (?:started |additional |further )?(?=\d|hour|day|minute|week)"
    r"|for (?:each|every) (?:started |full |further |additional |subsequent |part of an? )?"
    r"|(?<=\d元)\s*/\s*(?=小时|天|日|分钟)|(?<=\d)\s*/\s*(?=hour|hr\b|day)"
)
PER_BARE_UNIT = _words(r"^(小时|天|日|周|hour|day|minute|week)")
YEAR_CAP = _words(
    r"合同年度|每年|每一年度|per contract year|each contract year|any contract year"
    # "shall not exceed 10% of the annual contract value": the cap of each contract year
    r"|annual contract (?:price|value|sum|amount)"
)
TOTAL_CAP = _words(r"累计|合计|总额|总计|in total|aggregate|total")
CONTRACT_TOTAL = _words(r"合同期内|整个合同期|合同有效期内|over the (?:whole )?contract")
SITE_RULES = _words(r"违反.{0,8}(?:管理规定|规章|制度)|site (?:rules|regulations)")
INSPECTION = _words(
    r"巡检|巡视|巡查|漏检|漏巡|定期检查|定期维护|预防性维护|保养|检修|检测(?![器仪])|检验|测试|清洗|清洁|校准|inspect"
    r"|(?:全面|安全|例行|年度|常规|综合|定期|远程|远端)检查|年检|[周月季]检|应急演练|演练|预防性试验|试验"
    r"|service visits?|preventative|\bserviced\b|\binspected\b|\btested\b|load tests?"
    r"|\bPPM\b|\broutine (?:service|servicing)s?\b"
    r"|\b(?:operating|routine|planned|scheduled|safety) checks?\b|\bmissed (?:checks?|visits?)\b"
    r"|健康检查|\baudits?\b|safety tests?|electrical tests?|overhaul"
    r"|cleaning|cleaned|calibrat|health checks?|\bchecked (?:every|once|\d)|\bchecks? (?:every|once)"
    r"|preventive maintenance|planned maintenance|maintenance visits?|servicing|examination"
    r"|safety checks?|(?:periodic|annual|routine) checks?|tests? of"
    # "Missed monthly PM visit", "a booked quarterly service": a planned visit by its
    # abbreviation or its period (not a service fee, desk or level)
    r"|\bPM (?:visits?|services?|calls?)\b"
    # "PPM visit missed", "quarterly PPM": planned preventive maintenance by its abbreviation
    r"|\bPPMs?\b"
    # "one image quality test each year", "a leak survey every quarter": a test by its period
    r"|\b(?:tests?|checks?|surveys?)\s+(?:each|every|per|once (?:a|per|every))\s+"
    r"(?:year|month|quarter|week)\b"
    r"|\b(?:monthly|quarterly|annual|yearly|six-monthly|half-yearly|weekly|booked|scheduled)"
    r" (?:(?:maintenance|preventive|preventative) )?services?\b"
    r"(?! (?:fees?|charges?|prices?|invoices?|credits?|levels?|desk|hours|reports?|reviews?"
    r"|meetings?|summar|statements?|agreements?|contracts?|managers?|terms?|periods?"
    r"|providers?|plans?))"
)
FINAL_INSPECTION = _words(r"终验|最终验收|最终检验|final inspection|final acceptance")

WARRANTY = _words(
    r"质保|保修|保固|保用|三包|warrant|covered for \w+ (?:years?|months?)"
    # not a "Performance Bank Guarantee" or a "bid guarantee": a security the buyer holds
    r"|(?<!bank )(?<!performance )(?<!bid )(?<!tender )guarantee(?! (?:bond|fund))"
    # the construction contracts' warranty (UK, AU, NZ, IN, ZA; FIDIC): the period in which
    # the contractor makes good the defects that appear
    r"|defects? liability period|defects? notification period|\bDLP\b"
)
KEY_PART = _words(
    r"关键部件|核心部件|主要部件|关键零部件|主要零部件|核心零部件|关键零件|主要零件|核心零件"
    r"|key (?:parts?|components?)"
    r"|critical (?:parts?|components?)|major (?:parts?|components?)|main (?:parts?|components?)"
)
WHOLE_UNIT = _words(
    r"成套设备|整套设备|整机|整体|设备整机|全套|整套|整梯|整屏|整车|整台|其余设备|其他设备"
    r"|(?<![调完修])整(?:桩|柜|站|架|座|组|件设备|套|部|辆|条线)"
    r"|whole (?:unit|system)"
    r"|complete (?:unit|system)"
    r"|entire (?:unit|system)|equipment as a whole|整台|其余部分|the rest of"
    # "The AMI system hardware … is warranted for 24 months", "These installations are …"
    r"|\bthe (?:[\w-]+ ){0,2}system (?:replaced|supplied|installed|provided|delivered)\b"
    r"|\bsystem hardware\b|\b(?:these |all (?:the )?|all of the )(?:installations|systems|equipment)\b"
)
OTHER_PART = _words(
    r"(?:其他|其它|其余|一般|普通)(?:零部件|零组件|零件|部件|配件)|易损件|耗材|辅机|辅助设备|附属设备"
    r"|更换[之的]?(?:零部件|零组件|零件|部件|配件)"
    r"|other parts|wearing parts|consumables|replacement parts?|replaced parts?|spare parts?"
)
#: A part named by what it is (压缩机, 球管, an inverter, batteries): a key part when its warranty
#: is longer than the whole unit's, another part when it is shorter.
COMPONENT = _words(
    r"压缩机|球管|探测器|逆变器|主板|电源模块|电路板|板卡|电机|马达|曳引机|控制器|控制柜|变频器|变压器"
    r"|显示屏|液晶屏|屏幕|触摸屏|硬盘|光源|灯珠|发动机|水泵|风机|电池|传感器|打印机"
    r"|模块|相机|摄像机|摄像头|镜头|读卡器|阀门|阀|电极|探头|灯管|滤网|充电枪|线缆|电缆"
    r"|compressors?|tubes?|detectors?|inverters?|mother ?boards?|main ?boards?|motors?|engines?"
    r"|controllers?|displays?|screens?|panels?|sensors?|circuit boards?|modules?|batter(?:y|ies)"
    r"|printers?|pumps?|drives?|hard disks?|power supplies|light sources?"
)
FRESH_TERM = _words(
    r"一包(?![\d一二两三四五六七八九十])|重新计算|重新起算|重新享受|再保修一个|\b(?:a)?fresh\b|restart"
    r"|new (?:full )?warranty"
    r"|full warranty from the"
)
REMAINING_TERM = _words(
    r"剩余质保期|剩余保修期|原(?:质保|保修|保固|保用)期(?:的)?(?:剩余|余下|尚余)"
    r"|(?:剩余|余下|尚余)(?:的)?(?:质保|保修|保固|保用)?(?:期间|时间|期限)"
    r"|(?:剩余|余下|尚余)的?[^，,。；;]{0,4}?(?:质保|保修|保固|保用)期"
    r"|remaining warranty|(?:remainder|rest|unexpired (?:part|portion|balance)) of the (?:original )?warranty"
    r"|balance of the (?:original )?warranty"
)
EXTEND = _words(r"延长|extend")

WORKING_DAY = _words(
    r"工作日|工作时间|办公时间|上班时间|working day|business day|business hours|working hours"
    r"|support hours"
    r"|office hours|coverage hours|service hours|help ?desk (?:hours|is (?:open|staffed))|staffed"
)
WEEKDAY_RANGE: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        _words(
            r"(?:周|星期)一(?:至|到|-)(?:周|星期)?五|monday (?:to|through|thru) friday|mon(?:day)?\s*[-–]\s*fri"
        ),
        "mon-fri",
    ),
    (
        _words(
            r"(?:周|星期)一(?:至|到|-)(?:周|星期)?六|monday (?:to|through|thru) saturday|mon(?:day)?\s*[-–]\s*sat"
        ),
        "mon-sat",
    ),
)
TIME_RANGE = re.compile(r"(\d{1,2}):(\d{2})\s*(?:-|~|至|到|—|–|to)\s*(\d{1,2}):(\d{2})")
#: "7:30 AM to 4:30 PM", "8am-5pm": a range of clock times on the 12-hour clock.
TIME_RANGE_12H = re.compile(
    r"\b(\d{1,2})(?::(\d{2}))?\s*([ap])\.?m\.?\s*(?:-|~|—|–|to|until)\s*"
    r"(\d{1,2})(?::(\d{2}))?\s*([ap])\.?m\.?",
    re.I,
)

#: Sentences that commit to nothing: validity of the bid, legal disclaimers, document matter.
BOILERPLATE = _words(
    r"投标有效期|解释权|以招标文件为准|免责|仅供参考|版权所有|不构成|法律法规|不可抗力|第\s*\d+\s*页"
    r"|disclaim|governing law|governed by|reserves? the right|for reference only|confidential|bid validity"
    r"|force majeure|page \d+"
    # "shall carry general liability insurance of not less than $5,000,000 per occurrence"
    r"|\b(?:liability|indemnity|professional|workers'? compensation) insurance\b|责任保险|公众责任险"
)
#: Payment terms: what the buyer pays and when ("付款方式：到货验收后支付合同价的60%"), no
#: penalty of the supplier's (unless the sentence names one: 违约金, 扣罚 …).
PAYMENT_TERMS = _words(
    r"付款方式|付款条件|支付方式|结算方式|付款进度|payment terms|terms of payment|payment schedule"
    # "invoiced quarterly in arrears", "payable monthly in advance": the buyer's payments
    r"|\b(?:invoiced|payable|paid|billed)\s+(?:\w+\s+){0,2}in\s+(?:arrears|advance)\b"
    r"|(?:验收(?:合格)?|签订|签约|到货)后\s*支付(?:合同总价|合同价款|合同价|合同金额|合同款)的?"
    r"\s*\d+(?:\.\d+)?\s*%"
    # "采购预算：人民币120万元", "最高限价80万元", "the budget for the service is …": what the
    # buyer means to pay for the service, no sum charged to the supplier
    r"|(?:采购|项目|服务)?预算(?:金额|资金|价)?\s*(?:为|是|[:：])|最高限价|招标控制价"
    r"|\b(?:the |a |an |our |annual |total |approved )*budget(?:ed)?\b(?:\s+(?:amount|ceiling))?"
    r"\s*(?:is|of|for|:)"
    # "供货款按合同价的60%在到货验收后支付", "合同总价的20%作为预付款", "安装费用为港币286,000元，
    # 另行一次性支付", "an advance payment of 10%": the buyer's payments by milestone
    r"|(?:合同价|合同总价|合同金额|契约价|货款|供货款)[^。；;]{0,6}?的?\s*\d+(?:\.\d+)?\s*%\s*"
    r"(?:在|于|作为|为|于)"
    r"|作为预付款|预付款|(?:费用|价款|费)为[^。；;]{0,16}?元[^。；;]{0,12}?(?:一次性)?(?:支付|付款|给付)"
    r"|\b(?:advance|down|mobili[sz]ation) payment\b"
    # "运维费每年人民币41.6万元，按年度支付": a fee and when it is paid
    r"|元\s*[，,]?\s*(?:按|分|每)(?:年度|年|季度|季|月|半年|期)度?(?:支付|付款|结算|拨付)"
    # "合同总价……分四期于每季末验收后拨付": the price paid in instalments
    r"|(?:总价|价款|合同价|契约价|服务费|费用|价金)[^。；;]{0,40}?分\s*[\d一二三四五六七八九十]+\s*期"
    r"[^，,。；;]{0,20}?(?:支付|拨付|付款|给付|请款)"
    # "Monthly fee $9,000, invoiced on the 1st and payable by the 20th": the fee, then when it is
    # invoiced or paid ("serviced quarterly and invoiced monthly" names no fee: a duty's sentence)
    r"|\b(?:fees?|price|charges?|sum)\b[^.;]{0,60}?\b(?:invoiced|payable|paid)\s+(?:monthly"
    r"|quarterly|annually|yearly|in (?:arrears|advance)|(?:on|by) the \d{1,2}(?:st|nd|rd|th)\b)"
)
#: The words of a sum charged to the supplier, beside payment terms.
CHARGED = _words(r"违约|罚|扣除|扣减|扣款|赔偿|penalt|liquidated damages|deduct|credit")

#: Site zones and distance bands a target may depend on (市区2小时, 郊县4小时, 跨省24小时, 200公里内):
#: the zone id (an asset or event attribute ``zone``), its names, the words that name it.
ZONES: tuple[tuple[str, str, str, re.Pattern[str]], ...] = (
    (
        "city",
        "市区",
        "City",
        _words(
            # not "城区外" / "市区以外": outside the city is the suburbs' zone
            r"(?:市区|市内|城区|主城区|本市|省会城市|省会|市周边|同城)(?!以外|之外|外)"
            r"|\bin[- ]city\b|\burban\b|\bcity\b"
            r"|\bmetro(?:politan)?\b"
        ),
    ),
    (
        "county",
        "郊县",
        "Suburbs and counties",
        _words(
            r"郊区|郊县|县区|区县|县级|县市区|县城|县域|外县|各县|乡镇|跨县|(?:市区|城区|主城区)(?:以外|之外|外)"
            # "位于长岭县境内的站点": a place within a named county (not the whole of the buyer's
            # own county: 全县, 本县)
            r"|(?<![全本该])(?<=[\u4e00-\u9fff])县(?:境内|境|辖区内|辖区)"
            # "平阴县分拨中心的紧急故障": a site of the buyer's in a named county
            # "到达现场（清禾县、石渡县）": named counties standing alone
            r"|(?<![全本该])(?<=[\u4e00-\u9fff])县(?=\s*(?:[、，,）)]|$))"
            r"|(?<![全本该])(?<=[\u4e00-\u9fff])县(?=[\u4e00-\u9fff]{0,6}?(?:分拨中心|分中心|中心|分院|分厂"
            r"|分部|分公司|分站|网点|站点|库区|厂区|园区|校区|院区|基地|仓库|门店|营业部))"
            r"|\bsuburb|\bcount(?:y|ies)\b|\brural\b"
        ),
    ),
    (
        "province",
        "省内",
        "Within the province",
        _words(
            r"省内|自治区内|自治區內|其他盟市|跨地区|跨市|外地|(?:本市|市内)(?:以外|之外|外)|本省|地级市|地市|江浙沪地区|周边省份|周边省市|邻近省份|\bin[- ]province\b|\bregional\b|\bother cities\b"
        ),
    ),
    (
        "remote",
        "跨省/偏远地区",
        "Out of province or remote",
        _words(
            r"跨省|省外|外省|偏远|边远|离岛|海岛|外岛|江浙沪外|其他地区|\bremote\b|out[- ]of[- ](?:province|state)"
            # "嶼東分廠因需搭乘交通船": a place reached by boat
            r"|(?:搭乘|乘坐|乘搭|乘)(?:交通船|渡轮|轮渡|渡船)"
            r"|(?:outlying|offshore|off-shore|outer) islands?"
            # "the island pier", "call-outs to island sites": a place reached across water
            r"|\bisland (?:piers?|sites?|ports?|harbou?rs?|jett(?:y|ies)|stations?|ferr(?:y|ies)"
            r"|depots?|communit(?:y|ies)|locations?)\b"
            # "reflecting ferry schedules", "sites reached by ferry": a place across water
            r"|\bferry (?:schedules?|timetables?|sailings?|crossings?|times)\b|\bby ferry\b"
        ),
    ),
)
#: "200公里内" / "200 km": a distance band, read as a zone ``within-200km`` / ``beyond-200km``.
DISTANCE = re.compile(
    r"(\d+)\s*(公里|千米|km|kilomet(?:er|re)s?|miles?\b|mi\b)\s*(以内|之内|内|以外|之外|外|以上)?",
    re.I,
)
#: "within 50 miles of" / "more than 50 miles away": the side of an English distance band.
DISTANCE_BEYOND = re.compile(
    r"(?:more than|over|beyond|outside|greater than|farther than|further than"
    r"|超过|超出|大于|多于|远于|逾)\s*$",
    re.I,
)
#: A zone whose target is left open: 偏远地区另议.
OPEN_TERM = _words(
    r"另议|另行(?:商定|协商|约定)|协商(?:确定|解决)|视情况|by agreement|to be agreed|best effort"
)

#: Period measures: kind, the words that name them.
MEASURES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "first_time_fix",
        _words(
            r"[一1]次(?:性)?修复率|首次修复率|一次修好率|first[- ]time[- ]fix"
            r"|首次到场即?(?:完成)?修复"
            # "first-visit fix rate", "fixed on the first visit": one visit puts it right
            r"|first[- ](?:visit|call)[- ]fix|(?:fix(?:ed)?|rectified|resolved|repaired|cleared)"
            r" (?:at|on|during) (?:the )?first (?:visit|attendance|call-?out)"
        ),
    ),
    (
        "on_time_rate",
        _words(
            r"[按准]时(?:到场|到达|响应|修复)?率|及时率|on[- ]time (?:\w+ )?rate|SLA targets? .{0,20}met"
            r"|%\s*of (?:all )?(?:\w+ ){0,2}(?:incidents|calls|tickets|requests|faults|jobs|work orders"
            r"|attendances|call-?outs|responses|arrivals|repairs)\b"
            r".{0,60}\bwithin\b"
            # "meet the on-site times in Table 5-1 for at least 95% of tickets"
            r"|\bmeet (?:the )?[\w -]{0,24}\btimes\b[^.;]{0,40}?\bfor (?:at least )?(?=\d+(?:\.\d+)?\s*%)"
        ),
    ),
    ("satisfaction", _words(r"满意度|满意率|satisfaction")),
    (
        "availability",
        _words(
            # "燈具正常運作比率每月不少於98%", 亮灯率: the share of the equipment working
            r"正常运作比?率|运作比率|亮灯率|正常运作时间|正常运行时间|"
            r"可用率|可利用率|可用性|可用度|开机率|在线率|完好率|妥善率|正常运行率|运行率|运转率|保证率|availability|uptime"
            r"|\bavailable (?:(?:at least|not less than|no less than|a minimum of) )?(?=\d)"
            # "available for not less than 99.5% of scheduled time", "available for milking at
            # least 98% of the hours": what the equipment is available for, then the share
            # "refrigeration is available to the ice pad for not less than 98.5% of …"
            r"|\bavailable (?:to|at|in) (?:[\w-]+ ){1,4}?for (?:at least |not less than |no less than"
            r" |a minimum of )?(?=\d+(?:\.\d+)?\s*%)"
            r"|\bavailable for (?:[a-z-]+ ){0,2}?(?:(?:at least|not less than|no less than"
            r"|a minimum of) )?(?=\d+(?:\.\d+)?\s*%)"
            # "92% of the covered units shall be serviceable": a share of the fleet in service
            # (not a share of spares, stock or staff: "95% of spare parts shall be available")
            r"|\d+(?:\.\d+)?\s*%\s*of\b(?![^.;%]{0,60}?\b(?:spares?|parts?|stock|staff|engineers?"
            r"|technicians?|personnel)\b)[^.;%]{0,60}?\b(?:be|are|is|remain)\s+(?:fully )?"
            r"(?:serviceable|available|operational|in service|mission[- ]capable)\b"
        ),
    ),
)
MEASURE_PERIODS: tuple[tuple[re.Pattern[str], str], ...] = (
    # "可用率每季不得低于…", "按季考核": the quarter without its 度
    (_words(r"季度|(?:每|按|当|本|逐)季|quarter"), "quarter"),
    (
        _words(
            r"年度|每年|全年|合同年|合同期|契约期|服务期内|contract year|contract term|contract period|calendar year|(?<![\d第])年[\u4e00-\u9fff]{0,6}率|annual|per year|yearly"
        ),
        "contract_year",
    ),
    (_words(r"月|month"), "month"),
)
#: Contacts: a phone number, an e-mail address, a named role.
PHONE = re.compile(
    r"(?<![\d-])(?:\+?86[- ]?)?(?:400[- ]?\d{3}[- ]?\d{4}|0\d{1,3}[- ]?\d{6,8}|1[3-9]\d{9}"
    r"|\(?\d{3}\)?[ -]\d{3}-\d{4}|\+\d{1,3}(?:[ -]\d{1,4}){2,4}"
    r"|\(0\d{1,3}\)\s?\d{3,4}-?\d{3,4}|0\d{1,2}-\d{4}-\d{4}|0\d{3} \d{3} \d{4}|0\d{4} \d{3} \d{3}|1[38]00 \d{3} \d{3,4}"
    r"|1[- ]8[0-9]{2}[- ]\d{3}[- ]\d{4}|0800[- ]\d{3}[- ]\d{3,4}|09\d{2}-\d{3}-\d{3}|400\d-\d{3}-\d{3}"
    # an Indian toll-free number (1800-425-6619)
    r"|1800-\d{3}-\d{4}"
    # an eight-digit local number (Hong Kong, Singapore) after a colon or a phone word
    r"|(?:(?<=[:：])|(?<=[:：] )|(?<=[线線话話])|(?<=[线線话話] )|(?<=[Tt]el )|(?<=[Tt]el\. )"
    r"|(?<=[Pp]hone )|(?<=[Hh]otline )|(?<=[Mm]obile )|(?<=[Cc]ell ))[2-9]\d{3}[ -]\d{4}"
    # or, in a space, after a name in Chinese ("合約經理 黃先生 9271 6630"), not before a unit
    r"|(?<=[\u4e00-\u9fff] )[2-9]\d{3} \d{4}(?! ?[\u4e00-\u9fff%])"
    # a three-digit area or mobile code, three digits and three or four (Ireland: 094 902 6631,
    # New Zealand mobiles: 027 418 9306)
    r"|0\d{2} \d{3} \d{3,4}"
    # a British number with a four-digit area or mobile code and six digits (01632 960184,
    # 07700 900123), or London's and the other two-digit codes in groups of four (020 7946 0321)
    r"|0\d{4} \d{6}|0\d{2} \d{4} \d{4}"
    # a two-digit area code and eight digits (Australia: 08 8632 7700, (02) 9876 5432)
    r"|0[2-9] \d{4} \d{4}|\(0[2-9]\) ?\d{4} \d{4}"
    # an international number with the trunk 0 in brackets (+353 (0)1 000 4417)
    r"|\+\d{1,3} \(0\)\d{1,4}(?:[ -]\d{2,4}){1,3}"
    # a Hong Kong, Macau, Singapore or Taiwan number after its country code in brackets
    # ((852) 3000 0188)
    r"|\((?:852|853|65|886)\)\s?\d{4}[ -]?\d{4}"
    # a New Zealand or Dublin landline: a one-digit area code after 0, three digits and four
    # (07 376 9150, 01 000 7420)
    r"|0[1-9] \d{3} \d{4}"
    # an Australian mobile in groups of four, three and three (0417 302 985)
    r"|04\d{2} \d{3} \d{3}"
    # a two- or three-digit area code in brackets, three digits and four ((084) 216 4473)
    r"|\(0\d{1,3}\) ?\d{3} \d{4}"
    # a Chinese area code, a hyphen and the local number in two groups (0510-8562 3371)
    r"|0\d{2,3}-\d{3,4} \d{4}"
    # a Chinese mobile in groups of three, four and four (139 5733 2846), after a colon or a
    # phone word, or not before a unit
    r"|(?:(?<=[:：])|(?<=[:：] )|(?<=[机機线線话話])|(?<=[机機线線话話] ))1[3-9]\d[ -]\d{4}[ -]\d{4}"
    r"|1[3-9]\d[ -]\d{4}[ -]\d{4}(?! ?[\u4e00-\u9fff%])"
    r")(?![\d-])"
)
#: What looks like a phone number whatever its form (seven to fifteen digits in groups), in a
#: sentence with a word for a phone or a line: never silent, a number of this look that PHONE
#: does not read is listed for review (``unread_phones``).
_PHONE_LIKE = re.compile(r"(?<![\w.@/-])\+?\(?\d[\d ().-]{5,}\d(?![\w@%/:-])")
_PHONE_WORD = _words(
    r"电话|手机|热线|专线|传真|联系|联络|\btel\b|phone|hotline|\bline\b|\bfax|mobile|\bcall"
    r"|contact"
)
_DATE_LIKE = re.compile(r"\d{4}\s*[-/.]\s*\d{1,2}\s*[-/.]\s*\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{4}")


def unread_phones(plain: str) -> list[str]:
    """Numbers of a phone's look in a sentence about phones or lines that PHONE does not read
    (the forms no rule knows yet): the draft lists them, so no phone number is lost silently."""
    if not _PHONE_WORD.search(plain):
        return []
    taken = [m.span() for m in PHONE.finditer(plain)] + [m.span() for m in EMAIL.finditer(plain)]
    found = []
    for match in _PHONE_LIKE.finditer(plain):
        text = match.group(0).strip(" ().-")
        digits = re.sub(r"\D", "", text)
        if not 7 <= len(digits) <= 15 or _DATE_LIKE.search(text):
            continue
        if any(a < match.end() and match.start() < b for a, b in taken):
            continue
        if re.search(
            r"(?:\bno\.?|number|编号|合同号|#)\s*[:：]?\s*$", plain[: match.start()], re.I
        ):
            continue  # "Contract No. 2027-0736": a reference, not a phone
        found.append(text)
    return found


#: An e-mail address, in ASCII: a label glued to it (邮箱noc@…) is not part of it.
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
ROLE = _words(
    r"项目经理|服务经理|售后(?:服务)?(?:经理|负责人|工程师)|技术负责人|总工程师|值班(?:工程师|人员|电话)|服务热线|"
    r"报修电话|联系人|投诉电话|监督电话|客服(?:热线|电话)|热线|专线|account manager|service manager|project manager"
    r"|support (?:line|desk|hotline)|hotline|help ?desk|duty engineer|escalation"
    # the desk or centre that takes the calls, and the manager of the contract (UK, AU, NZ)
    r"|service ?desk|(?:contact|call|customer (?:service|care)) cent(?:re|er)"
    r"|(?:fault|breakdown) (?:reporting )?line|contract manager"
)
#: The warranty postponed by the time out of service (顺延, 双倍顺延): no clause kind has it.
POSTPONE = _words(
    r"顺延|相应延长|双倍延长|extended by (?:the|twice the) (?:downtime|time)"
    # "If a compressor fails more than twice …, its warranty is extended by 12 months",
    # "累计返修3次以上的，该部件质保期延长6个月"
    r"|\bextended (?:by|for) (?:a further |an additional |another )?(?=\d)"
    r"|(?:质保|保修|保固|保用)期(?:再|另行|相应)?延长(?=\s*\d)"
)

#: A kind of fault named in passing (a machine that is down, System down, down trucks) and the
#: rest of them (for all other calls): the levels ``down`` and ``other``.
DOWN_KIND = re.compile(
    r"\b(?:that|which) (?:is|are) down\b"
    r"|\b(?:system|machine|unit|line|equipment|site|instrument|analy[sz]er|device|server|network"
    r"|plant|vehicle|truck|lift|elevator|printer|scanner|terminal|chiller|boiler|link|host)[- ]down\b"
    r"|^\s*(?:the )?(?!slow|shut|break|count|step|wind|turn|cool|calm|touch)[a-z]+[- ]down\s*$"
    r"|^\s*down\b|\bdown (?:machines?|units?|systems?|equipment|trucks?|vehicles?)\b",
    re.I,
)
OTHER_KIND = re.compile(
    r"\ball other\b|\bother (?:calls?|faults?|breakdowns?|incidents?|requests?|problems?)\b",
    re.I,
)
