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


#: In order of precedence when one phrase names two actions ("返厂维修" is a factory repair).
SHAPES: tuple[ShapeWords, ...] = (
    ShapeWords(
        "factory-repair",
        _words(r"返厂|返回厂家|寄回厂家|return(?:ed)? to (?:the )?factory|factory repair"),
        "factory-repair-{t}",
        "factory",
        "返厂维修",
        "Complete a return-to-factory repair",
        "返厂维修逾期",
        "Late factory repair",
    ),
    ShapeWords(
        "present-a-plan",
        _words(r"方案|repair plan|action plan|workaround plan|\bplan\b"),
        "{sev}plan-{t}",
        "plan",
        "拿出维修方案",
        "Present a repair plan",
        "未按时拿出方案",
        "Late repair plan",
    ),
    ShapeWords(
        "hand-in-report",
        _words(r"报告|(?:maintenance|service|repair|written|incident|root[- ]cause) report|\bRCA\b"),
        "report-{t}",
        "report",
        "送交维修报告",
        "Hand in the maintenance report",
        "未按时送交维修报告",
        "Late maintenance report",
    ),
    ShapeWords(
        "call-back",
        _words(r"回访|call(?:-| )?back|follow-up call|follow up with"),
        "callback-{t}",
        "callback",
        "回访",
        "Call the customer back",
        "未按时回访",
        "Late call-back",
    ),
    ShapeWords(
        "dispatch-engineer",
        _words(r"派遣|派出|派工|指派|安排(?:工程师|人员|技术人员)|dispatch"),
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
            r"到达现场|到场|到位|赶到|赶赴|抵达|到达|进入抢修现场|上门|on[- ]site|arriv|at the site"
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
            r"修复|修好|排除|解决|处置完毕|处理完毕|处理完成|维修到位|维修完毕|完成维修|恢复正常|恢复运行"
            r"|恢复系统|恢复使用|恢复供|恢复业务|完工|\bfix|\brepair|restor|resol|\bsolution|mitigat"
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
            r"答复|响应|反应|回复|应答|回应|接听|联系|处置|受理|\brespon|\banswer|acknowledg|contact"
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

#: Severity levels: key, Chinese and English names, and the words that name them.
SEVERITIES: tuple[tuple[str, str, str, re.Pattern[str]], ...] = (
    ("general", "一般故障", "General fault", _words(r"一般故障|一般性故障|普通故障|general|minor")),
    ("major", "重大故障", "Major fault", _words(r"重大故障|严重故障|重大|严重|major|critical")),
    ("emergency", "紧急故障", "Emergency", _words(r"紧急|emergenc|urgent")),
)

#: Penalty and compensation language: where a consequence begins.
PENALTY = _words(
    r"扣罚|扣除|扣|罚款|罚|违约金|赔偿|赔付|承担|支付|penalt|deduct|liquidated damages|forfeit"
    r"|\bbears?\b|compensat|\bpay"
)
#: The supplier bears all costs arising (compensation, not a penalty).
COSTS = _words(
    r"一切费用|全部费用|所有费用|由此(?:而)?(?:产生|发生|造成)的(?:一切|全部)?(?:费用|损失)"
    r"|all (?:the )?costs|all expenses|any costs"
)
#: A cap on a clause: the figure after these words.
CAP = _words(
    r"最高不超过|最多不超过|累计不超过|不超过|封顶|上限|为限|at most|capped at|not exceed|maximum of"
)
CONTRACT_PRICE = _words(r"合同(?:总)?(?:价|金额|价款|总额)|contract (?:price|value|sum|amount)")
#: "per started unit of lateness": 每超时10分钟, 每逾期1天, per started hour, for every 10 minutes.
PER_UNIT = _words(
    r"每(?:超时|超过|逾期|延迟|延误|迟到|晚)?\s*(?=\d|半|小时|天|日)"
    r"|per (?:started |additional )?(?=\d|hour|day|minute)|for (?:each|every) (?:started )?"
)
PER_BARE_UNIT = _words(r"^(小时|天|日|hour|day|minute)")
YEAR_CAP = _words(r"合同年度|每年|每一年度|per contract year|each contract year|any contract year")
TOTAL_CAP = _words(r"累计|合计|总额|总计|in total|aggregate|total")
CONTRACT_TOTAL = _words(r"合同期内|整个合同期|合同有效期内|over the (?:whole )?contract")
SITE_RULES = _words(r"违反.{0,8}(?:管理规定|规章|制度)|site (?:rules|regulations)")
INSPECTION = _words(
    r"巡检|巡视|定期检查|定期维护|预防性维护|保养|inspection|preventive maintenance"
)
FINAL_INSPECTION = _words(r"终验|最终验收|最终检验|final inspection|final acceptance")

WARRANTY = _words(r"质保|保修|warrant|guarantee")
KEY_PART = _words(
    r"关键部件|核心部件|主要部件|关键零部件|key (?:parts?|components?)|critical (?:parts?|components?)"
)
OTHER_PART = _words(r"(?:其他|其它|一般|普通)零?部件|other parts|wearing parts")
FRESH_TERM = _words(
    r"一包|重新计算|重新起算|重新享受|再保修一个|fresh|restart|new (?:full )?warranty"
    r"|full warranty from the"
)
REMAINING_TERM = _words(r"剩余质保期|剩余保修期|remaining warranty|remainder of the warranty")
EXTEND = _words(r"延长|extend")

WORKING_DAY = _words(r"工作日|working day|business day")
WEEKDAY_RANGE: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        _words(r"(?:周|星期)一(?:至|到|-)(?:周|星期)?五|monday to friday|mon(?:day)?\s*-\s*fri"),
        "mon-fri",
    ),
    (
        _words(r"(?:周|星期)一(?:至|到|-)(?:周|星期)?六|monday to saturday|mon(?:day)?\s*-\s*sat"),
        "mon-sat",
    ),
)
TIME_RANGE = re.compile(r"(\d{1,2}):(\d{2})\s*(?:-|~|至|到|—|–|to)\s*(\d{1,2}):(\d{2})")

#: Sentences that commit to nothing: validity of the bid, legal disclaimers, document matter.
BOILERPLATE = _words(
    r"投标有效期|解释权|以招标文件为准|免责|仅供参考|版权所有|不构成|法律法规|不可抗力|第\s*\d+\s*页"
    r"|disclaim|governing law|governed by|reserves? the right|for reference only|confidential|bid validity"
    r"|force majeure|page \d+"
)
