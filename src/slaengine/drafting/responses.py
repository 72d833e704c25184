"""Response commitments: "30分钟内到达现场", "respond within 30 minutes", and their calendars.

Theory of operation: a target is a length of time marked as a limit: followed by 内/以内/或更短,
after "within"/不超过/≤/"must not exceed", after a label ("响应时间：2小时"), alone in a table
cell under an action column, or right before the act ("6小时到场"); a range ("2-4小时") gives
its upper end. A sentence is cut at commas (and table cells) into phrases; the action a target
belongs to is the shape named on the side its language puts it — after the target in Chinese
("15分钟内派遣工程师"), before it in English ("respond within") — else on the other side, else
anywhere in the sentence, else the action of the table column or of a heading above. Words that
only start the clock ("of arrival", "到达现场后") are not the action. A phrase that is the
trigger of another term ("如12小时内未能解决，…") gives no target of its own. The severity is named
in the same phrase or an earlier one of the same sentence ("重大故障的，1小时内修复"), else comes
from the context the caller gives (a table row, a heading, an earlier sentence of the line); the
zone (市区, 郊县, 200公里以内) likewise, and a zone left open (偏远地区另议) is returned as such.
A target in working days or hours is measured on the working-hours calendar, as is one "during
business hours"; any other on the 24x7 one. A target no action word names takes the action of
the nearest general cue of its phrase by word class (a call, a place, the equipment's state, a
document: ``infer_action``), and the draft lists the inference; a target with no cue at all is
returned as not understood, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from slaengine.drafting.figures import Span, durations, target_text
from slaengine.drafting.text import Sentence, unnumbered
from slaengine.drafting.vocabulary import (
    DISTANCE,
    DISTANCE_BEYOND,
    OPEN_TERM,
    SEVERITIES,
    SHAPE_BY_NAME,
    SHAPES,
    TIME_RANGE,
    TIME_RANGE_12H,
    WEEKDAY_RANGE,
    ZONES,
    ShapeWords,
)

#: The two calendars a draft may use.
ALWAYS = "always"
OFFICE = "office"

_PHRASE_BREAK = re.compile(r"[,，、|;；]|\band\b|\bthen\b|\s/\s(?=\D)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class FoundCommitment:
    shape: ShapeWords
    severity: str | None
    target: str
    calendar: str
    #: the phrase the commitment was read from (its plain text: the draft's Chinese name).
    phrase: str
    #: the target in seconds (working days as 8-hour days), to tell the stricter of two targets.
    seconds: float
    #: the site zone or distance band the target is for (市区, 郊县, within-200km), if any.
    zone: str | None = None
    #: read from the upper end of a range ("2-4小时"): listed for review.
    ranged: bool = False
    #: the general cue the action was inferred from when no action word of the vocabulary was
    #: found ("遠端確認" → answer, by the class of 确认): listed for review.
    inferred: str | None = None


@dataclass(frozen=True, slots=True)
class OpenZone:
    """A zone whose target the tender leaves open (偏远地区另议)."""

    zone: str
    phrase: str


@dataclass(frozen=True, slots=True)
class Unclear:
    """A target whose action could not be told."""

    phrase: str


def phrases(plain: str) -> list[tuple[int, int]]:
    bounds = []
    start = 0
    for match in _PHRASE_BREAK.finditer(plain):
        if match.group(0) != "|" and _in_brackets(plain, match.start()):
            # "the regional campuses (Albury and Griffith) within 3 days", "a full rebuild
            # (diaphragm, valves and seals) annually": a bracket is one piece of its phrase
            continue
        bounds.append((start, match.start()))
        start = match.end()
    bounds.append((start, len(plain)))
    return bounds


def _in_brackets(plain: str, at: int) -> bool:
    """The position is inside a bracket opened before it and closed after it."""
    opened = max(plain.rfind("(", 0, at), plain.rfind("（", 0, at))
    if opened < 0 or max(plain.rfind(")", opened, at), plain.rfind("）", opened, at)) >= 0:
        return False
    closed = [i for i in (plain.find(")", at), plain.find("）", at)) if i >= 0]
    return bool(closed)


_ANCHOR = re.compile(
    r"(?:\b(?:of|after|upon|on|from|following|since|before|prior to)\s+(?:the\s+|its\s+)?"
    # "within four (4) hours of an emergency call": the call starts the clock
    r"|\b(?:of|after|upon|following)\s+(?:an?|each|any|every|the|its)\s+(?:[\w'’-]+\s+)?"
    r"|后的?|以后)$",
    re.I,
)
_CJK = re.compile(r"[\u4e00-\u9fff]")
#: An English phrase that goes on with the action of the one before ("…, and within 1 day").
_SERIES = re.compile(r"\s*(?:(?:and|or)\s+)?within\b", re.I)
#: A level named right after its figure: " for P2", " (Urgent)", " for Category 2 calls".
_LEVEL_AFTER = re.compile(
    r"\s*(?:for\s+(?:an?\s+|the\s+|all\s+)?[\w -]{1,24}?|\(\s*[\w -]{1,24}?\s*\))"
    r"(?:\s+(?:calls?|faults?|incidents?|defects?|breakdowns?|requests?|tickets?))?\s*[.;；]?\s*",
    re.I,
)
#: "within 1 hour during business hours": a target counted in working time.
_IN_HOURS = re.compile(
    r"\s*(?:\w+\s+){0,3}?(?:during|in|within) (?:normal |the |regular |standard |usual |ordinary )?"
    r"(?:business|working|office|help ?desk|support|service ?desk|coverage) hours",
    re.I,
)
#: "于办公时间内2小时内回复", "在工作时间内": the limit counted in working hours, said before it.
_IN_HOURS_ZH = re.compile(r"(?:办公|工作|上班)时间内\s*$")
#: What a phrase holds before its limit when it is only the limit (", within 8 hours").
_BARE_LIMIT = re.compile(
    r"\s*(?:(?:and|or|but)\s+)?(?:within|in|no later than|not later than)?\s*", re.I
)
#: Where the project's clock starts, not a ticket's: the contract signed or awarded, the goods
#: delivered or shipped ("合同签订后", "到货后", "中标后"; "of Notice to Proceed", "after contract
#: award"). A limit counted from these is a delivery or set-up milestone.
_PROJECT_START = re.compile(
    r"(?:合同|合约|合約|契约|契約)(?:签订|簽訂|签署|簽署|生效|开始|開始)|签订合同|簽訂合同|签约|簽約"
    # (not "中标人应在…": the winning bidder, a party)
    r"|中标(?!人|单位|方|供应商|商)|中標(?!人|單位|方|供應商|商)|决标|決標|得标|得標"
    r"|成交通知|(?:设备|設備|货物|貨物)?(?:到货|到貨|到矿|到港|发货|發貨|交货|交貨)(?=后|後|之日)"
    r"|(?:开工|開工)(?=后|後|之日)"
)
#: The project's set-up as the act of a limit ("120个日历日内完成安装调试", "30天内全部到货"): a
#: delivery or set-up milestone whatever its clock, no service commitment of a ticket.
_SETUP_AFTER = re.compile(
    r"\s*(?:之内|以内|内)?\s*(?:[，,]\s*)?(?:全部|完成|完工|组织)?\s*"
    r"(?:供货|到货|交货|发货|安装|调试|试运行|竣工|初验|终验|安装调试|供货安装"
    # "90日历天内完成全部乡镇卫生院的部署": the roll-out, a milestone of the project
    r"|[^，,。；;]{0,16}?(?:部署|上线|交付使用|割接))"
)
_PROJECT_START_AFTER = re.compile(
    r"\s*(?:\([^)]*\)\s*)?(?:calendar |working |business )?(?:days?|weeks?|months?)?\s*"
    r"(?:of|after|from|following)\s+(?:the\s+)?(?:date\s+of\s+(?:the\s+)?)?"
    r"(?:notice to proceed|ntp\b|contract (?:award|signature|signing|execution|start|commencement)"
    r"|award of (?:the )?contract|signing of (?:the )?contract"
    r"|execution of (?:the )?(?:contract|agreement)"
    r"|commencement date|purchase order|delivery\b|letter of (?:acceptance|award|intent)"
    r"|(?:the )?(?:award|acceptance) of (?:the )?(?:tender|bid|offer))",
    re.I,
)
#: A phrase that names only a level before its figure ("一般故障为", "二级：", "Priority 2 ").
_LEVEL_ONLY = re.compile(
    r"\s*(?:[\u4e00-\u9fff]{1,6}|[A-Za-z]+\s*\d?|[A-Za-z]+ [A-Za-z]+)\s*"
    r"(?:为|為|是|:|：|不超过|不得超过|不应超过|不大于|≤)?\s*"
    r"(?:within\s+)?"
)
#: A phrase that only caps the act named before it: "…当日修复，最迟不超过24小时".
_CEILING = re.compile(
    r"\s*(?:但|且|并且|並且|and|but)?\s*(?:最迟|最遲|至迟|至遲|最晚|最长|最長|不得晚于|不得晚於"
    r"|at the (?:latest|most)|no later than|not later than|in (?:any|no) (?:case|event)"
    r"|(?:and |but )?(?:in any case |in all cases )?(?:not|no) (?:more|later) than)",
    re.I,
)
#: "no more than ninety (90) days between visits", "两次保养间隔不超过": the spacing of a
#: periodic duty's visits, no limit on a ticket.
_BETWEEN_VISITS = re.compile(
    r"\s*(?:\([^)]*\)\s*)?(?:(?:shall|will|may|must) )?(?:elapse )?between (?:any |each )?"
    r"(?:two )?(?:consecutive |successive |scheduled )?(?:[\w-]+ )?"
    r"(?:visits?|services?|servicings?|inspections?|maintenance|calls|checks?)\b",
    re.I,
)
#: The noun of an act right after an English figure: "4 hr resolution", "2-hour on-site".
_ACT_AFTER = re.compile(
    r"\s*-?\s*(?:on-?site|onsite|response|resolution|restoration|repair|fix|arrival|attendance"
    r"|call-?back|acknowledg(?:e?ment))\b",
    re.I,
)
#: A phrase that is the condition of another term: "如…未能解决", "if not resolved within".
_CONDITION = re.compile(
    r"(?<!例)(?:如|若|倘若|\bif\b|\bshould\b).*(?:未能|不能|未|无法|\bnot\b|\bcannot\b|\bfails?\b)"
    # "紧急故障未能在修复时限内排除的，…": a failure named as a noun phrase (…的) is a condition
    r"|(?:未能|未按|不能|无法|未在)[^，,；;。]*的\s*$",
    re.I,
)


#: "on site to perform repairs": the repair is the purpose of the arrival, not the act timed.
_PURPOSE = re.compile(
    r"(?:on[- ]site|arrive|attend)\w*\s+to\s+(?:perform|carry out|make|begin|start|commence"
    r"|undertake|effect|do)\s+(?:the\s+|any\s+|all\s+)?$",
    re.I,
)
#: "24-hour dispatch", "全天24小时受理", "7×24小时热线": when the service is open, not a limit.
_ROUND_THE_CLOCK = re.compile(r"(?:全天|全年|昼夜|每天|每日|7\s*[×xX*]\s*)$")
_OPEN_HOURS = re.compile(
    r"\s*-?\s*(?:hours?|hr)\s+(?:a day|dispatch|hotline|service|helpline|help desk|emergency"
    r"|call cent(?:re|er)|cover|coverage|support|control|duty"
    r"|(?:(?:breakdown|fault|emergency|service|repair|call-?out)\s+)?(?:line|number|telephone))"
    r"|小时(?:值班|热线|服务热线|受理|专线|开通)",
    re.I,
)
#: Acts with a time limit that no response shape holds: a loaner, spare parts, training.
_OTHER_ACT = re.compile(
    r"备用机|备机|替代机|周转机|代用机|备品|备件|配件到位|零件到位|培训|临时(?:机组|设备|替代|保障)"
    r"|移动式"
    r"|\bloan(?:er)?\b|\bspare|standby (?:unit|machine)|temporary (?:unit|replacement)"
    r"|\btraining"
    # a new service ordered, not a fault: "New connections … completed within 30 working days"
    r"|\bnew (?:connections?|circuits?|installations?|service orders?)\b|\bprovisioning\b",
    re.I,
)


#: "50 km from the depot", "within 100 miles of our service centre": the place a distance band
#: is measured from, not an act.
_DISTANCE_FROM = re.compile(
    r"\d+\s*(?:km|kilomet(?:er|re)s?|miles?|mi)\s+(?:away\s+)?(?:from|of)\s+"
    r"(?:(?:the|our|its|a|an|nearest|closest|supplier'?s?|contractor'?s?)\s+)*(?:[\w-]+\s+)?$",
    re.I,
)


#: After a length of time, faults counted in it: "30日内因同一原因重复故障3次", "within any 30
#: days, three or more failures".
_COUNT_WINDOW = re.compile(
    r"\s*(?:之内|以内|内)[^，,。；;]{0,12}?(?:重复|累计|连续|先后)?(?:故障|维修|返修|报修|停机)\s*\d+\s*次"
    r"|\s*(?:period\s+)?[^.;]{0,20}?\b(?:\d+|three|four|five) or more"
    r" (?:failures|faults|breakdowns)",
    re.I,
)
#: A modal right before a phrase ("shall, within 4 hours, …").
_MODAL_BEFORE = re.compile(r"\b(?:shall|will|must|is to|are to)\s*,\s*$", re.I)
#: A limit referred back to: "在此时限内", "within that time", "within the same period".
_SAME_LIMIT = re.compile(
    r"(?:在)?(?:此|该|同一|上述)时限内|\bwithin (?:that|this|the same) (?:time|period|limit)\b",
    re.I,
)
#: A level's act "or any fault's": "紧急抢修或故障修复" (not "紧急或一般故障", two levels).
_OR_ANY_FAULT = re.compile(r"(?:或|或者|以及|及)(?:其他)?故障(?!等级|级别|分级|类别)")
#: A bracketed word after an act's word, or the close of the bracket it is in: "抢修（修复）".
_BRACKET_BETWEEN = re.compile(r"\s*[（(][^）)]{0,8}[）)]|[）)]")


def shape_near(plain: str, position: int, phrase: tuple[int, int]) -> ShapeWords | None:
    """The shape whose words name the action of a target at ``position`` in the phrase.

    Chinese names the action after the target ("15分钟内派遣工程师"), English before it
    ("respond within 30 minutes"): the nearest on that side wins, else the nearest on the other.
    Words that only anchor the time ("within 8 hours *of arrival*", "到达现场*后*30分钟内修复")
    are not the action."""
    start, end = phrase
    after: list[tuple[int, int, ShapeWords]] = []
    before: list[tuple[int, int, ShapeWords]] = []
    # "解决方案", "维修报告": a word of an act right before a document's word (a plan, a report)
    # is a compound whose head, the document, names the act ("到场处置" is two acts)
    heads = {
        match.start()
        for words in SHAPES
        if words.shape in ("present-a-plan", "hand-in-report")
        for match in words.words.finditer(plain, start, end)
        if _CJK.match(plain, match.start())
    }
    for rank, words in enumerate(SHAPES):
        for match in words.words.finditer(plain, start, end):
            # "抢修（修复）报告书": a bracket between the act's word and the document's
            skip = _BRACKET_BETWEEN.match(plain, match.end())
            if (match.end() in heads or (skip is not None and skip.end() in heads)) and _CJK.match(
                plain, match.end() - 1
            ):
                continue
            if _DISTANCE_FROM.search(plain, max(start, match.start() - 60), match.start()):
                continue  # "sites more than 50 km from the depot": where the band is measured
            if match.start() >= position:
                if _ANCHOR.search(plain, start, match.start()):
                    continue  # "within 8 hours of arrival": when the time starts, not the act
                after.append((match.start(), rank, words))
            else:
                if words.shape == "fix-after-arrival" and _PURPOSE.search(
                    plain, start, match.start()
                ):
                    continue  # "be on site to perform repairs within 4 hours": the arrival
                tail = plain[match.end() : min(position, match.end() + 8)]
                if re.match(r"[^,，:：]{0,4}后", tail) and match.end() < position:
                    continue  # "到达现场后30分钟内修复": the arrival starts the clock (not a
                    # label's act before its colon: "故障响应：接报后15分钟")
                before.append((position - match.end(), rank, words))
    english = not _CJK.search(plain, start, end)
    first, second = (before, after) if english else (after, before)
    if first and not english:
        chosen = min(first, key=lambda item: (item[0], item[1]))
        arrival = [a for a in first if a[2].shape == "be-on-site" and 0 < a[0] - chosen[0] <= 4]
        if chosen[2].shape == "dispatch-engineer" and arrival:
            return arrival[0][2]  # "4小时内派员到院处理": the clock stops on arrival
    if first:
        return min(first, key=lambda item: (item[0], item[1]))[2]
    if second:
        return min(second, key=lambda item: (item[0], item[1]))[2]
    return None


#: Word classes the action of a limit is inferred from when no action word of the vocabulary
#: names it: what the act is about (a call or message; a place; the state of the equipment;
#: a document), not a list of phrases. In precedence order for the same distance.
_CUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "hand-in-report",
        re.compile(
            r"报告|报表|书面|记录|纪录|总结|分析|说明书?|\breport|\bsummary|\banalys[ie]s"
            r"|write-?up|post-?mortem|\brecords?\b|\bdocument",
            re.I,
        ),
    ),
    (
        "be-on-site",
        re.compile(
            r"现场|到[达场现院厂站点校馆店所楼库厅]|抵|赴|莅|临场|进场|上门|驻场|出勤|出动|迟到|晚到"
            r"|on[- ]?site|at (?:the )?(?:site|premises|location|store|school|hospital|plant"
            r"|building|facility|property|station|depot)"
            r"|\bvisit|\bpresent\b|\bin attendance|\battend|\bcall[- ]?out"
            # a visit by its other names ("make a service call within 7 business days")
            r"|\b(?:service|site|house|maintenance|repair) calls?\b",
            re.I,
        ),
    ),
    (
        "fix-after-arrival",
        re.compile(
            r"修|复|排[除查]|恢|除[障故]|处理|妥|竣|换|整改|纠正|正常|运行|使用|通车|供[水电热气暖]"
            r"|\brectif|\bremed|\bclear|\bclos(?:e|ed|ure)\b|\bmend|\bcure"
            r"|operational|functional|working|running|\bback (?:up|online)|\bturn-?around"
            # "Robot milking again", "the press printing again": the equipment's work resumed
            # (not a fault that recurs, nor a call or visit made again)
            r"|\b(?!(?:fail|occurr|recurr|happen|break|call|visit|attend|report|contact|ring"
            r"|phon|email|send|arriv)ing\b)[a-z]{3,}ing again\b"
            r"|\bswap|\bexchange|\bcorrect",
            re.I,
        ),
    ),
    (
        "answer-the-call",
        re.compile(
            r"电话|致电|来电|远端|远程|线上|在线|联络|回覆|确认|告知|通知|接报|接单|接警|诊断|答|应"
            r"|\bcall|\bphone|telephon|e-?mail|\bremote|\brepl(?:y|ies)|\bnotif|\bconfirm"
            r"|\btriage|\bdiagnos|\bcontact|\backnowledg|\bticket",
            re.I,
        ),
    ),
)


def cue_shape(text: str) -> tuple[ShapeWords, str] | None:
    """The action a short label names by the class of one of its words (整改, Rectification,
    Attendance), in the classes' precedence order: the shape and the word."""
    for shape, words in _CUES:
        match = words.search(text)
        if match is not None:
            return next(w for w in SHAPES if w.shape == shape), match.group(0)
    return None


def infer_action(
    plain: str, position: int, phrase: tuple[int, int]
) -> tuple[ShapeWords, str] | None:
    """The action of a limit no vocabulary word names, inferred from the nearest general cue of
    the phrase (its word class: a call, a place, the equipment's state, a document): after the
    target in Chinese, before it in English, else on the other side. Returns the shape and the
    cue word (the draft lists the inference for review)."""
    start, end = phrase
    english = not _CJK.search(plain, start, end)
    near: list[tuple[int, int, int, str, str]] = []
    for rank, (shape, words) in enumerate(_CUES):
        for match in words.finditer(plain, start, end):
            if match.start() >= position:
                if _ANCHOR.search(plain, start, match.start()):
                    continue
                side, distance = (1 if english else 0), match.start() - position
            else:
                if re.match(r"[^,，]{0,4}后", plain[match.end() : position]):
                    continue  # "到达现场后30分钟内…": the clock's start, not the act
                side, distance = (0 if english else 1), position - match.end()
            near.append((side, distance, rank, shape, match.group(0)))
    if not near:
        return None
    _side, _distance, _rank, chosen, cue = min(near)
    return next(words for words in SHAPES if words.shape == chosen), cue


_ORDINALS = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
    "i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5",
    "一": "1", "二": "2", "三": "3", "四": "4", "五": "5",
    "Ⅰ": "1", "Ⅱ": "2", "Ⅲ": "3", "Ⅳ": "4", "Ⅴ": "5",
    "甲": "a", "乙": "b", "丙": "c", "丁": "d",
}  # fmt: skip
#: A level written as a scheme word and an ordinal, whatever the scheme and the ordinal's form:
#: "Class 3", "S1", "Level II", "Priority One", "甲类故障", "1类", "Grade B". Read when no
#: named level of the vocabulary fits; a letter gives ``class-x``, a number ``pN`` (priority),
#: ``sevN`` (severity) or ``level-N``.
_ORDINAL_LEVEL = re.compile(
    r"(?<![A-Za-z0-9])(?P<scheme>priority|prio|severity|sev|level|lvl|tier|class|category|cat"
    r"|grade|S(?=\d)|P(?=\d))\.?\s*[-:]?\s*"
    r"(?P<en>[1-5](?![\d.%])|one|two|three|four|five|iv|v|i{1,3}|[A-E])(?![A-Za-z0-9%])"
    # not "故障按下列三级划分", "分为三类": a count of the levels
    r"|(?<![\d.])(?<!下列)(?<!以下)(?<!如下)(?<!分为)(?<!分成)(?<!共分)"
    r"第?(?P<zh>[1-5一二三四五ⅠⅡⅢⅣⅤ甲乙丙丁]|[A-E])\s*(?:类|级|等|档)"
    r"(?!建造|资质|医院|部件|供应|客户|以上|以下|城市|单位|公司|地区|市|县|划分|\d)",
    re.I,
)


def ordinal_level(text: str) -> str | None:
    """A level named by a scheme word and an ordinal (see ``_ORDINAL_LEVEL``)."""
    match = _ORDINAL_LEVEL.search(text)
    if match is None:
        return None
    ordinal = match.group("en") or match.group("zh") or ""
    scheme = (match.group("scheme") or "").lower()
    if re.fullmatch(r"[A-Ea-e]", ordinal) and not (
        scheme in ("i", "v") or (scheme == "" and ordinal.lower() in ("i", "v"))
    ):
        return f"class-{ordinal.lower()}"
    value = _ORDINALS.get(ordinal.lower(), _ORDINALS.get(ordinal, ordinal))
    if not value.isdigit():
        return f"class-{value}"
    if scheme in ("priority", "prio", "p"):
        return f"p{value}"
    if scheme in ("severity", "sev", "s"):
        return f"sev{value}"
    return f"level-{value}"


def severity_in(text: str) -> str | None:
    """The level a text names; numbered schemes first ("Priority 1 (Critical)" is P1)."""
    # "Routine (normal service requests)": the level named outside the brackets first
    # (named or by its scheme's ordinal: "Severity 3 (questions, minor faults)" is sev3), then
    # the one named inside them
    bare = re.sub(r"[(（][^)）]*[)）]", " ", text).strip()
    for candidate in (bare, text.strip()) if bare != text.strip() else (text.strip(),):
        for key, _zh, _en, words in SEVERITIES:
            if words.search(candidate):
                return key
        found = ordinal_level(candidate)
        if found is not None:
            return found
    return None


#: Words joining listed levels ("甲类、乙类故障", "一级及二级故障", "Severity 1 and Severity 2").
_LEVEL_JOIN = re.compile(r"\s*(?:、|,|，|以及|及|和|与|或|/|&|\band\b|\bor\b)\s*", re.I)
#: A phrase that is a level's name alone ("甲类", "Priority 1").
_BARE_LEVEL = re.compile(r"\s*(?:[\u4e00-\u9fff]{1,6}|[A-Za-z]+\s*-?\s*\d)\s*")


def listed_levels(plain: str, bounds: list[tuple[int, int]], index: int) -> list[str]:
    """The levels a list names before the act of phrase ``index`` ("甲类、乙类故障修复后…",
    "一级及二级故障应于…", "Severity 1 and Severity 2 incidents: …"): each level's name alone,
    then the phrase naming the last level and the act; two levels or more, else none."""
    first = index
    while first > 0:
        start, end = bounds[first - 1]
        piece = unnumbered(plain[start:end]) if first == 1 else plain[start:end]
        if not (_BARE_LEVEL.fullmatch(piece) and severity_in(piece)):
            break
        first -= 1
    levels: list[str] = []
    listed = plain[bounds[first][0] : bounds[index][1]]
    for piece in _LEVEL_JOIN.split(unnumbered(listed) if first == 0 else listed):
        level = severity_in(piece)
        if level is None:
            break
        if level not in levels:
            levels.append(level)
        if not _BARE_LEVEL.fullmatch(piece):
            break  # the phrase that names the last level and the act
    return levels if len(levels) >= 2 else []


_LEVEL_AT_END = re.compile(r"\b([A-Za-z]+\s*-?\s*\d)\s*$")
_LEVEL_AT_START = re.compile(r"^\s*([A-Za-z]+\s*-?\s*\d)(?!\d)")


def levels_joined(clause: str) -> list[str]:
    """The levels an English clause lists after its act ("attend within 6 hours for any
    Priority 1 or Priority 2 fault"): each level's name joined to the next by "or", "and" or a
    comma, the first at the end of its piece, the others at the start of theirs; two or more."""
    pieces = _LEVEL_JOIN.split(clause)
    for first, piece in enumerate(pieces[:-1]):
        tail = _LEVEL_AT_END.search(piece)
        if tail is None or (level := severity_in(tail.group(1))) is None:
            continue
        levels = [level]
        for after in pieces[first + 1 :]:
            head = _LEVEL_AT_START.match(after)
            if head is None or (nxt := severity_in(head.group(1))) is None:
                break
            if nxt not in levels:
                levels.append(nxt)
            if after.strip() != head.group(1):
                break  # the piece that names the last level and goes on
        if len(levels) >= 2:
            return levels
    return []


#: A list of levels sharing the word after the last ("二级、三级故障", "一级和二级故障",
#: "一、二级故障"): its items and the shared word.
_LEVEL_LIST = re.compile(
    r"((?:[^\s、，,。；;:：和及与或]{1,8}(?:、|和|及|与|或|以及|/))+[^\s、，,。；;:：]{1,8}?)"
    r"(故障|问题|事件|缺陷|事故)"
)


def levels_in_list(text: str) -> list[str]:
    """The levels a list names, each in turn ("二级、三级故障排除超时的": level-2, level-3;
    "一、二级故障": level-1, level-2); none when the text lists fewer than two."""
    for match in _LEVEL_LIST.finditer(text):
        items = re.split(r"以及|、|和|及|与|或|/", match.group(1))
        levels: list[str] = []
        after = ""
        for item in reversed(items):  # the levels at the list's end ("各县级库点发生一级、二级")
            bare = re.search(r"[一二三四五六七八九十\dⅠⅡⅢⅣ]+$", item)
            if bare is not None and re.fullmatch(r"[一二三四五六七八九十\dⅠⅡⅢⅣ]+级", after):
                item = bare.group(0) + "级"  # "（偏远站点发生）一、二级故障": the ordinal shares 级
            elif bare is not None and bare.start() == 0:
                break  # "二、A类故障…": a clause's number, no level
            after = item
            level = severity_in(item + match.group(2))
            if level is None:
                break
            if level not in levels:
                levels.insert(0, level)
        if len(levels) >= 2:
            return levels
    return []


def clause_of(text: str, start: int, end: int) -> str:
    """The clause (between commas or semicolons, not the 、 of a list) holding a phrase."""
    before = max(text.rfind(mark, 0, start) for mark in ",，;；")
    after = [i for i in (text.find(mark, end) for mark in ",，;；") if i >= 0]
    return text[before + 1 : min(after) if after else len(text)]


def _condition_before(text: str, start: int) -> str:
    """The clause just before a phrase's clause when it states who or what the limit is for
    ("县级库点发生一级、二级故障的，到达现场时间不超过12小时"): it ends in 的."""
    before = max(text.rfind(mark, 0, start) for mark in ",，;；")
    if before <= 0 or text[before + 1 : start].strip():
        return ""  # the phrase does not open its clause
    clause = clause_of(text, before - 1, before - 1)
    return clause if clause.rstrip().endswith("的") else ""


#: A site of the buyer's named with where it is ("东湖分院位于东湖县城关镇", "北区厂区地处邻省…").
_SITE_AT = re.compile(
    r"([\u4e00-\u9fff]{1,8}?(?:分院|分部|分厂|分校|分公司|分中心|分站|院区|校区|厂区|库区|园区"
    # "石门岭火化点地处偏远山区": a point or station of the buyer's
    r"|(?<![重地])点|站点|服务点|处理站|泵站|分站|站|(?<![本我该])医院|街市|分馆))"
    r"\s*(?:位于|地处|坐落于|地址为|设在|在|[（(])\s*([^，,。；;）)]{2,30})"
)

#: An English place of a zone and its name: "the island pier on Kilbrook", "a remote depot at
#: Yarra Flats" (the name in capitals, up to four words).
_SITE_AT_EN = re.compile(
    r"\b((?:island|remote|outlying|offshore|rural|regional|metropolitan|urban) (?:piers?|sites?"
    r"|ports?|harbou?rs?|jett(?:y|ies)|stations?|depots?|branch(?:es)?|offices?|facilit(?:y|ies)))"
    r"\s+(?:on|at|in)\s+((?:[A-Z][\w'’-]+)(?:\s+[A-Z][\w'’-]+){0,3})"
)


#: An English place named with its distance: "the pump stations at Ngaroma Road, which are more
#: than 100 km by road from the depot".
_SITE_FAR_EN = re.compile(
    r"\b(?:at|on|in)\s+((?:[A-Z][\w'’-]+)(?:\s+[A-Z][\w'’-]+){0,3}),?\s+(?:which|that)\s+"
    r"(?:is|are|lies|lie|sits?)\s+((?:more than|over|beyond|further than|farther than)\s+\d+\s*"
    r"(?:km|kilomet(?:er|re)s|miles?))"
)


def site_zones(plain_texts: list[str]) -> dict[str, str]:
    """The buyer's sites the tender places ("东湖分院位于东湖县城关镇"): each site's name and the
    zone of where it is (a county town: ``county``), for targets that name the site instead of
    a zone ("本部30分钟内到达现场，东湖分院60分钟内到达")."""
    sites: dict[str, str] = {}
    for plain in plain_texts:
        for match in _SITE_AT.finditer(plain):
            where = match.group(2)
            zone = "county" if re.search(r"[\u4e00-\u9fff]县|乡|镇", where) else zone_in(where)
            if zone is not None and not zone.startswith(("within-", "beyond-")):
                sites.setdefault(match.group(1), zone)
        for match in _SITE_AT_EN.finditer(plain):
            # "the island pier on Kilbrook", "our remote depot at Yarra Flats": the place the
            # name stands for is of that zone wherever the name is used alone
            zone = zone_in(match.group(1))
            if zone is not None and not zone.startswith(("within-", "beyond-")):
                sites.setdefault(match.group(2), zone)
        for match in _SITE_FAR_EN.finditer(plain):
            zone = zone_in(match.group(2))
            if zone is not None:
                sites.setdefault(match.group(1), zone)
    return sites


#: A place that leads a sentence ("For sites more than 80 km from the depot, …", "At the
#: island stations, …").
_LEAD_PLACE = re.compile(r"(?:for|at|in|on|to|where)\b", re.I)
#: A clause that places what the phrase before it names ("which are more than 50 km from …").
_PLACED = re.compile(r"\s*(?:which|that|located|situated|being)\b", re.I)
#: The start of a reason given after a limit ("…, reflecting ferry schedules", "…, given the
#: distance to the outer islands"): the place it names is the limit's zone.
_REASON_AFTER = re.compile(
    r"(?:reflecting|given|because of|due to|owing to|allowing for|to allow for|in view of"
    r"|taking (?:into )?account (?:of )?)\b",
    re.I,
)


def zone_in(text: str) -> str | None:
    distance = DISTANCE.search(text)
    if distance:
        beyond = (distance.group(3) or "") in ("以外", "之外", "外", "以上") or bool(
            DISTANCE_BEYOND.search(text[: distance.start()])
        )
        unit = "mi" if distance.group(2).lower().startswith("mi") else "km"
        return f"{'beyond' if beyond else 'within'}-{distance.group(1)}{unit}"
    if _REMOTE_FIRST.search(text):
        return "remote"  # "偏远乡镇站牌": remote townships, not the county's ordinary ones
    for key, _zh, _en, words in ZONES:
        if words.search(text):
            return key
    return None


#: Words of the remote zone that win over a county word beside them ("偏远乡镇").
_REMOTE_FIRST = re.compile(r"偏远|边远|偏遠|邊遠")


def find_commitments(
    sentence: Sentence,
    *,
    level: str | None = None,
    action: ShapeWords | None = None,
    columns: dict[int, ShapeWords] | None = None,
    zoned: ShapeWords | None = None,
) -> list[FoundCommitment | Unclear | OpenZone]:
    """The targets a sentence states. ``level`` and ``action`` are what an earlier heading or
    label named ("第一级 加急" … "应急响应: 30分钟"; "Target response times" … "Priority 1:
    30 minutes"); ``columns`` the actions of a table's columns by cell index; ``zoned`` the
    act of a zone's limit in the sentence just before ("Sites within 50 km: on site within 4
    hours. Sites more than 50 km away: within 8 hours.")."""
    plain = sentence.plain
    respective = [] if sentence.table_row else _respective(plain)
    if respective:
        return list(respective)
    spans = durations(plain)
    bounds = phrases(plain)
    cells = _cell_starts(plain) if sentence.table_row else []
    found: list[FoundCommitment | Unclear | OpenZone] = []
    # "| 工程师到场 | 8个工作小时 |", "| 故障排除 | 到场后24小时 |": a row that names its action in
    # its first cell, in a table whose columns name none (项目 | 时限)
    row_action = None
    if sentence.table_row and columns is None and len(cells) >= 2:
        row_action = shape_near(plain, cells[1] - 1, (0, cells[1] - 1))
    last: ShapeWords | None = None  # "市区2小时内到达，郊县4小时内": the series keeps its action
    last_end = 0  # where the last limit read ends
    for start, end in bounds:
        piece = plain[start:end]
        if (
            OPEN_TERM.search(piece)
            and zone_in(piece)
            and not any(start <= s.start < end for s in spans)
        ):
            found.append(OpenZone(zone_in(piece) or "", unnumbered(piece).strip()))
    # "Severity 3 (questions, minor faults, …)": the text with levels' descriptions blanked
    described = _described(plain)
    spans = _series_spans(plain, spans)
    for span in spans:
        index = next(
            i for i, (s, e) in enumerate(bounds) if s <= span.start < e or i == len(bounds) - 1
        )
        phrase = bounds[index]
        column = None
        if columns is not None and cells:
            cell = max(i for i, at in enumerate(cells) if at <= span.start)
            column = columns.get(cell)
        elif row_action is not None and span.start >= cells[1]:
            column = row_action
        own = shape_near(plain, span.end, phrase)
        if (
            index + 1 < len(bounds)
            and not _CJK.search(plain, *phrase)
            and _MODAL_BEFORE.search(plain, 0, phrase[0])
        ):
            # "the Contractor shall, within one working day of diagnosis, give the Manager a
            # written action plan": the limit put between the modal and its verb is the verb's
            following = bounds[index + 1]
            verb = shape_near(plain, following[0], following)
            if verb is not None:
                own = verb
        same_shape = None
        if _CONDITION.search(plain[phrase[0] : phrase[1]]):
            # "6小时内仍无法排除的，须在此时限内提交处置方案": the same limit is the plan's
            same = _SAME_LIMIT.search(plain, phrase[1])
            holder = next((b for b in bounds if same and b[0] <= same.start() < b[1]), None)
            if same is not None and holder is not None:
                same_shape = shape_near(plain, same.end(), (same.end(), holder[1]))
            if same_shape is None and len(spans) > 1:
                # "如12小时内未能解决，24小时内提交方案": the 12 hours only trigger the plan
                continue
        if (
            span.unit == "h"
            and span.value == 24
            and not span.within
            and (
                _ROUND_THE_CLOCK.search(plain, 0, span.start)
                or _OPEN_HOURS.match(plain, span.start + len(str(span.value)))
            )
        ):
            continue  # "全天24小时受理报修", "24-hour dispatch": opening hours
        direct = _CJK.search(plain, span.start, span.end) is not None and any(
            words.words.match(plain, span.end) for words in SHAPES
        )  # "200公里以内6小时到场": a figure right before the act is its limit
        if (
            not direct
            and plain[span.end : span.end + 1] == "后"
            and re.search(r"(?:完毕|结束|完成|解决|修复)后\s*$", plain[: span.start])
            and SHAPE_BY_NAME["hand-in-report"].words.search(plain, span.end, span.end + 12)
        ):
            direct = True  # "故障处理完毕后24小时后提交书面报告": the report's limit
        if not direct and _ACT_AFTER.match(plain, span.end) and not _CJK.search(plain, *phrase):
            # "P1: 1 hr response, 4 hr resolution", "a 2-hour on-site response": the figure
            # right before the act's noun is its limit; the act is that noun's
            named = shape_near(plain, span.end, (span.end, phrase[1]))
            if named is not None:
                direct, own = True, named
        if not direct and sentence.table_row:
            # "| Attend 1 hour, complete 4 hours |", "| 到场1小时，修复4小时 |": in a table
            # cell, an act right before the figure is its limit, as "within" would say
            lead = plain[phrase[0] : span.start].rstrip()
            direct = any(
                match.end() == len(lead)
                or (
                    not _CJK.search(lead)
                    and len(lead.split()) <= 3
                    and re.search(r"[A-Za-z]$", lead) is not None
                )
                for words in [*(w.words for w in SHAPES), *(c for _s, c in _CUES)]
                for match in words.finditer(lead)
            )
        # "故障处理时限：一级故障2小时，二级故障8小时": a label naming the act (by a word of
        # the vocabulary or by its class), then a level and its figure in each phrase
        series_label = (
            None
            if span.within or span.labelled or direct or column is not None
            else _label_of_levels(plain, span, phrase)
        )
        if (
            series_label is None
            and action is not None
            and not (span.within or span.labelled or direct or column is not None)
            and _level_and_figure(plain, span, phrase)
        ):
            # "修复时限" ⏎ "紧急故障 2小时" ⏎ "一般故障 8小时": a level and its figure under a
            # heading that names the act
            series_label = (action, None)
        # "longer attendance times: 2 hours for P1 and 5 hours for P2", "targets are 5 hours
        # (Critical) and 24 hours (Urgent)": a figure then its level, in the series of the act
        # of the figure before it
        level_after = (
            last is not None
            and index > 0
            and not plain[phrase[0] : span.start].strip(" ;；")
            and _LEVEL_AFTER.fullmatch(plain, span.end, phrase[1]) is not None
            and severity_in(plain[span.end : phrase[1]]) is not None
        )
        if (
            not (span.within or span.labelled or direct or column is not None or series_label)
            and not level_after
        ):
            continue  # "每超时10分钟", "3年": a length of time, not a limit
        if _LATENESS.search(plain, phrase[0], span.start):
            continue  # "到场超时1小时以内扣500元": a band of lateness, not a limit
        if _COUNT_WINDOW.match(plain, span.end):
            continue  # "30日内因同一原因重复故障3次": a window faults are counted in, no limit
        if _BETWEEN_VISITS.match(plain, span.end):
            continue  # "no more than 90 days between visits": the spacing of a periodic duty
        if (
            _PROJECT_START.search(plain, phrase[0], span.start)
            or _PROJECT_START_AFTER.match(plain, span.end)
            or _SETUP_AFTER.match(plain, span.end, phrase[1])
        ):
            # "合同签订后60天内完成发货", "within 30 days of Notice to Proceed": a delivery or
            # set-up milestone counted from the contract, not a service commitment of a ticket
            found.append(Unclear(unnumbered(plain[phrase[0] : phrase[1]]).strip()))
            continue
        # "紧急故障到达现场时间为4小时，一般故障为24小时": a level and its figure only, in the
        # series of the act just named
        series_level = (
            last is not None
            and severity_in(plain[phrase[0] : span.start]) is not None
            and _LEVEL_ONLY.fullmatch(plain, phrase[0], span.start) is not None
            and len(plain[span.end : phrase[1]].strip(" 。.;；")) <= 2
        )
        if (
            span.labelled
            and not span.within
            and own is None
            and column is None
            and action is None
            and not series_level
            and not _TIME_LABEL.search(plain, phrase[0], span.start)
            and not (zoned is not None and zone_in(plain[phrase[0] : phrase[1]]))
        ):
            continue  # a figure after a label that names no action ("质保期: 3年")
        if series_label is not None:
            own = None  # the label's act, not a word of the level's name ("停梯故障")
        shape = column if column is not None and (own is None or not span.within) else own
        if same_shape is not None:
            shape = same_shape
        english = not _CJK.search(plain, phrase[0], phrase[1])
        other_act = (
            _OTHER_ACT.search(plain, phrase[0], span.start)
            if english
            else _OTHER_ACT.search(plain, span.end, min(phrase[1], span.end + 10))
        )
        if (
            other_act is not None
            and column is None
            and not (
                english and any(w.words.search(plain, phrase[0], other_act.start()) for w in SHAPES)
            )
        ):
            # "A loan ventilator shall be supplied within 24 hours when …"; not "repaired or
            # replaced with a loan bed within 24 hours", where the repair comes first
            shape = None
        if shape is None and _OTHER_ACT.search(plain, phrase[0], phrase[1]):
            # "24小时内提供同档次备用机", "a loaner within 1 day": an act the rule library has
            # no shape for, not the repair named elsewhere in the sentence
            if span.within:
                found.append(Unclear(unnumbered(plain[phrase[0] : phrase[1]]).strip()))
            continue
        if (
            shape is None
            and len([s for s in spans if s.within]) == 1
            and span.within
            and not any(_CONDITION.search(plain, a, b) for a, b in bounds[:index])
        ):
            # not after a failure ("紧急故障未能在时限内排除的，2小时内调运临时设备保障"): what
            # follows a failure is a remedy of its own, not the act that failed
            shape = shape_near(plain, span.end, (0, len(plain)))
        if (
            shape is None
            and span.labelled
            and zoned is not None
            and zone_in(plain[phrase[0] : phrase[1]])
        ):
            shape = zoned  # "一般故障次日到场；石门岭火化点（偏远）放宽至48小时"
        if shape is None and span.labelled:
            shape = action  # "Target response times" … "Priority 1: 30 minutes"
        label_cue = None
        if shape is None and series_label is not None:
            shape, label_cue = series_label
        if (
            shape is None
            and index > 0
            and span.within
            and _BARE_LIMIT.fullmatch(plain, phrase[0], span.start)
        ):
            # "service shall be restored, by temporary splice if necessary, within 8 hours": the
            # act named since the last target, before a phrase put between it and its limit
            shape = _act_before(plain, spans, bounds, index)
        if shape is None and (last or zoned) is not None and zone_in(plain[phrase[0] : phrase[1]]):
            shape = last or zoned  # "市区2小时内到达，郊县4小时内": the zones' series
        if (
            shape is None
            and span.within
            and index + 1 < len(bounds)
            and not plain[span.end : phrase[1]].strip(" 内以之")
            and zone_in(plain[bounds[index + 1][0] : bounds[index + 1][1]])
        ):
            # "市区4小时内、郊县8小时内到场": the zones' series names its act after the last
            following = bounds[index + 1]
            later = [s for s in spans if following[0] <= s.start < following[1] and s.within]
            if later:
                shape = shape_near(plain, later[0].end, (later[0].end, following[1]))
        if shape is None and last is not None and _SERIES.match(plain, phrase[0]):
            shape = last  # "on site within 4 hours for …, and within 1 business day for …"
        if shape is None and (series_level or level_after):
            shape = last
        if shape is None and index > 0 and _CEILING.match(plain, phrase[0]):
            # "一般故障当日修复，最迟不超过24小时", "repaired the same day, at the latest within
            # 24 hours": the ceiling of the act just named, which had no figure of its own
            shape = _act_before(plain, spans, bounds, index, reach=1)
            before = bounds[index - 1]
            if shape is None and not any(before[0] <= s.start < before[1] for s in spans):
                # "轻微故障可结合巡检处理，但最迟不超过5个工作日": an act of a word class
                guess = infer_action(plain, before[1], before)
                if guess is not None:
                    shape, label_cue = guess
        if (
            shape is not None
            and shape.shape == "fix-after-arrival"
            and SHAPES[0].words.search(_unbracketed(plain))
        ):
            # "返厂维修的，3个工作日内修复": the repair is the factory's; not a word of a
            # bracketed description ("Category A (lifting jacks, depot protection): restore …")
            shape = SHAPES[0]
        text = unnumbered(plain[phrase[0] : phrase[1]]).strip()
        inferred = label_cue
        if (
            shape is None
            and (span.within or span.labelled or direct)
            and not _CONDITION.search(plain[phrase[0] : phrase[1]])
        ):
            latin = _CJK.search(plain, phrase[0], phrase[1]) is None
            guess = infer_action(plain, span.start if latin else span.end, phrase)
            if guess is not None:
                shape, inferred = guess
        if shape is None:
            if span.within:
                found.append(Unclear(text))
            continue
        severity = None
        # "Severity 3 (questions, minor faults, …): response within …": a level named outside
        # brackets before one named in a bracketed description, whichever phrase holds it
        # (the description is read only when nothing outside it names a level)
        listed: list[str] = []
        for text_of in (described, plain) if described != plain else (plain,):
            for earlier in range(index, -1, -1):
                severity = severity_in(text_of[bounds[earlier][0] : bounds[earlier][1]])
                if severity:
                    if not sentence.table_row:
                        listed = listed_levels(text_of, bounds, earlier)
                    break
            if severity:
                break
        if severity and _OR_ANY_FAULT.search(plain, *bounds[earlier]):
            # "每次紧急抢修或故障修复完成后": a level's repair or any fault's; no level
            severity = None
        else:
            severity = severity or level
        if sentence.table_row and level is not None:
            severity = level  # the row's level, not a word of its definition cell ("一般缺陷")
        zone = None
        bracket = _BRACKET_AFTER.match(plain, span.end)
        if bracket is not None:
            zone = zone_in(bracket.group(1))  # "4 hours (metropolitan) or 24 hours (regional)"
        for earlier in range(index, -1, -1) if zone is None else ():
            zone = zone_in(plain[bounds[earlier][0] : bounds[earlier][1]])
            if zone or earlier < index:
                break  # the zone of this phrase, or of the one just before ("市区: 2小时内")
        if (
            zone is None
            and index > 1
            and _LEAD_PLACE.match(unnumbered(plain[bounds[0][0] : bounds[0][1]]))
            and not any(bounds[0][0] <= s.start < bounds[0][1] for s in spans)
        ):
            # "For sites more than 80 km away, arrival within 12 hours for P1 and within 48
            # hours for P2": a place that leads the sentence holds for each of its limits
            # (with the clause that places it: "For the rural hospitals, which are more than
            # 50 km from the workshop, …" is the distance band)
            lead_end = bounds[0][1]
            placed = next((b for b in bounds[1:index] if _PLACED.match(plain, b[0])), None)
            if placed is not None and not any(s.start < placed[1] for s in spans):
                lead_end = placed[1]
            zone = zone_in(plain[bounds[0][0] : lead_end])
        if (
            zone is None
            and index + 1 < len(bounds)
            and _REASON_AFTER.match(
                plain[bounds[index + 1][0] : bounds[index + 1][1]].lstrip(" ,;")
            )
        ):
            # "attendance within 24 hours, allowing for the ferry crossing": the reason given
            # after the limit names the place it is for
            zone = zone_in(plain[bounds[index + 1][0] : bounds[index + 1][1]])
        if (
            zone is None
            and (series_level or level_after)
            and found
            and isinstance(found[-1], FoundCommitment)
        ):
            zone = found[-1].zone  # "100公里以上的基地，紧急故障…4小时，一般故障为24小时"
        if (
            zone is None
            and not sentence.table_row
            and found
            and isinstance(found[-1], FoundCommitment)
            and found[-1].zone is not None
            and found[-1].shape is shape
            and found[-1].severity is not None
            and severity is not None
            and severity != found[-1].severity
            and severity_in(plain[phrase[0] : span.start]) == severity
            and not _PHRASE_STOP.search(plain, last_end, phrase[0])
            and not _OTHER_PLACES.search(plain, phrase[0], phrase[1])
        ):
            # "郊区站点，一级故障到场不超过2小时，二级故障到场不超过6小时": each level of the
            # series after the zone's condition keeps its zone, up to the sentence's semicolon
            zone = found[-1].zone
        if zone is None and sentence.table_row and len(cells) >= 2:
            zone = zone_in(plain[: cells[1]])  # "| 郊县网点 | 4小时 | 8小时 |": the row's zone
        if span.unit in ("mo", "y") or (span.unit == "wd" and span.value % 1):
            found.append(Unclear(text))  # a clock runs in minutes to working days, not months
            continue
        # "各县级库点发生一级、二级故障的，到达现场时间不超过12小时", "一、二级故障2小时内到场":
        # each level of a list, and the zone of the condition before the limit
        subject = "" if sentence.table_row else _condition_before(plain, phrase[0])
        if zone is None and subject:
            zone = zone_in(subject)
        # "甲类、乙类故障修复后7日内提交报告" (levels named before the act), "一、二级故障"
        listed = listed or (
            []
            if sentence.table_row
            else levels_in_list(clause_of(plain, span.start, span.end))
            or levels_in_list(subject)
            or levels_joined(clause_of(plain, span.start, span.end))
        )
        levels = listed if listed and (severity is None or severity in listed) else [severity]
        calendar = OFFICE if span.unit in ("wd", "wh") else ALWAYS
        if _IN_HOURS.match(plain, span.end) or _IN_HOURS_ZH.search(plain, phrase[0], span.start):
            calendar = OFFICE  # "within 1 hour during business hours", "工作时间内2小时内"
        last = shape
        last_end = span.end
        found.extend(
            FoundCommitment(
                shape,
                each,
                target_text(span),
                calendar,
                text,
                _seconds(span),
                zone,
                span.ranged,
                inferred,
            )
            for each in levels
        )
    return found


#: What ends a zone's condition over the levels after it: a semicolon or a full stop.
_PHRASE_STOP = re.compile(r"[;；。]")
#: A phrase that names the other places ("其他站点", "elsewhere"): no zone of the series before.
_OTHER_PLACES = re.compile(r"其他|其它|其余|\bother\b|\belsewhere\b|\ball remaining\b", re.I)


#: "分别延长为2小时及3小时", "6 hours and 10 hours respectively": figures paired in order with
#: the levels listed before them.
_RESPECTIVELY = re.compile(r"分别|各自|\brespectively\b", re.I)
_LIST_BREAK = re.compile(r"[,，;；、]|\band\b|\bor\b|以及|及|和|与|或", re.I)


def _respective(plain: str) -> list[FoundCommitment]:
    """ "甲类、乙类之到场时限，于逾60公里之车站，分别延长为2小时及3小时", "the on-site times for
    Priority 1 and Priority 2 faults are 6 hours and 10 hours respectively": one target per
    level listed, in order, for the act and zone the sentence names; none unless the levels
    and the figures pair up."""
    word = _RESPECTIVELY.search(plain)
    if word is None:
        return []
    clause = clause_of(plain, word.start(), word.end())
    at = plain.find(clause)
    spans = [s for s in durations(plain) if at <= s.start < at + len(clause)]
    if len(spans) < 2:
        return []
    subject = plain[: spans[0].start]
    levels: list[str] = []
    for piece in _LIST_BREAK.split(subject):
        level = severity_in(piece)
        if level is not None and level not in levels:
            levels.append(level)
    if len(levels) != len(spans):
        return []
    shape = shape_near(plain, spans[0].start, (0, spans[0].start))
    if shape is None:
        return []
    zone = zone_in(subject)
    text = unnumbered(plain).strip()
    return [
        FoundCommitment(
            shape,
            level,
            target_text(span),
            OFFICE if span.unit in ("wd", "wh") else ALWAYS,
            text,
            _seconds(span),
            zone,
            span.ranged,
        )
        for level, span in zip(levels, spans, strict=True)
    ]


#: "超时1小时以内", "逾期3天以上": how late, not a limit.
_LATENESS = re.compile(r"(?:超时|超过时限|逾时|逾期|迟到|延误|延迟|超出时限)\s*$")
#: A label that names a length of time: "处理时限为4小时", "處理時間：2小時" (the act before it
#: may be told by its word's class).
_TIME_LABEL = re.compile(r"(?:时间|时限|时效)\s*(?:为|是|[:：])?\s*$")
#: A label before a colon that names a length of time or an act: "故障处理时限：".
_LABEL_COLON = re.compile(r"([^。；;:：]{2,24}?)\s*[:：]")


def _level_and_figure(plain: str, span: Span, phrase: tuple[int, int]) -> bool:
    """The phrase holds a level before the figure and nothing of note after it ("一级故障2小时",
    "紧急故障 2小时")."""
    lead = phrase[0]
    return (
        severity_in(plain[lead : span.start]) is not None
        and _LEVEL_ONLY.fullmatch(plain, lead, span.start) is not None
        and len(plain[span.end : phrase[1]].strip(" 。.;；")) <= 2
    )


def _label_of_levels(
    plain: str, span: Span, phrase: tuple[int, int]
) -> tuple[ShapeWords, str | None] | None:
    """The act of a label whose colon is followed by levels and their figures ("故障处理时限：一级
    故障2小时，二级故障8小时"): the figure's phrase holds only a level before it and nothing
    after it; the act is the label's word, or its word's class (listed for review)."""
    colons = [m for m in _LABEL_COLON.finditer(plain, 0, span.start) if m.end() <= span.start]
    if not colons:
        return None
    label = colons[-1]
    if not _level_and_figure(plain, span, (max(phrase[0], label.end()), phrase[1])):
        return None
    if not _TIME_LABEL.search(plain, label.start(1), label.end()):
        return None
    named = shape_near(plain, label.end(1), (label.start(1), label.end(1)))
    if named is not None:
        return named, None
    guess = infer_action(plain, label.end(1), (label.start(1), label.end(1)))
    return guess


#: The words in brackets right after a figure: "4 hours (metropolitan)".
_BRACKET_AFTER = re.compile(r"\s*[(（]([^()（）]{1,40})[)）]")
#: What joins a figure to the limit before it: "within 4 hours (metro) or 24 hours (regional)".
_OR_NEXT = re.compile(r"\s*(?:[(（][^()（）]{1,40}[)）])?\s*(?:or|and|/)\s*$", re.I)


def _series_spans(plain: str, spans: list[Span]) -> list[Span]:
    """A figure joined by "or"/"and" to a limit just before it ("within 4 hours (metropolitan)
    or 24 hours (regional)") is a limit too, in the series of the first."""
    kept: list[Span] = []
    for span in spans:
        before = kept[-1] if kept else None
        if (
            before is not None
            and before.within
            and not span.within
            and _OR_NEXT.fullmatch(plain, before.end, span.start)
            and _BRACKET_AFTER.match(plain, span.end)
        ):
            span = replace(span, within=True, labelled=False)
        kept.append(span)
    return kept


def _act_before(
    plain: str,
    spans: list[Span],
    bounds: list[tuple[int, int]],
    index: int,
    reach: int | None = None,
) -> ShapeWords | None:
    """The act named in the phrases before phrase ``index`` (at most ``reach`` of them) since
    the last target: a limit phrase that only leads in to its figure (", within 8 hours", ",
    最迟不超过24小时") belongs to it."""
    since = max((s.end for s in spans if s.end <= bounds[index][0]), default=0)
    stop = -1 if reach is None else max(index - 1 - reach, -1)
    for earlier in range(index - 1, stop, -1):
        a, b = bounds[earlier]
        if b <= since or any(a <= s.start < b for s in spans):
            break
        named = shape_near(plain, b, (a, b))
        if named is not None:
            return named
    return None


def _described(plain: str) -> str:
    """The text with the bracketed description of a level blanked out ("Severity 3 (questions,
    minor faults): …", "Level 2 (partial loss, urgent requests): …"): a bracket right after the
    words that name a level; not one after a target ("within 8 hours (major faults)")."""

    def blank(match: re.Match[str]) -> str:
        # the words since the last bracket closed: "5 hours (Critical) and 24 hours (Urgent)"
        # names Urgent after a target, not in a description of Critical
        head = re.split(r"[,，;；:：|)）]", plain[: match.start()])[-1]
        if head.strip() and severity_in(head) is not None:
            return " " * len(match.group(0))
        return match.group(0)

    return re.sub(r"[(（][^()（）]*[)）]", blank, plain)


def _unbracketed(plain: str) -> str:
    """The text with what brackets hold blanked out: a description, an example list, an
    abbreviation, which names no action of its own."""
    return re.sub(r"[(（][^()（）]*[)）]", lambda m: " " * len(m.group(0)), plain)


def _cell_starts(plain: str) -> list[int]:
    starts = [0]
    starts.extend(m.end() for m in re.finditer(r"\|", plain))
    return starts


def _seconds(span: Span) -> float:
    per = {
        "m": 60,
        "h": 3600,
        "wh": 3600 * 3,  # a working hour is later than a wall-clock hour
        "d": 86400,
        "wd": 8 * 3600 * 3,
        "w": 7 * 86400,
        "mo": 30 * 86400,
    }
    return float(span.value) * per.get(span.unit, 365 * 86400)


@dataclass(frozen=True, slots=True)
class FoundHours:
    days: str
    intervals: list[str]


def find_hours(sentence: Sentence) -> FoundHours | None:
    """ "工作日为周一至周五9:00-17:30": the working-hours calendar's week."""
    plain = sentence.plain
    days = next((key for words, key in WEEKDAY_RANGE if words.search(plain)), None)
    intervals = [f"{int(a):02d}:{b}-{int(c):02d}:{d}" for a, b, c, d in TIME_RANGE.findall(plain)]
    if not intervals:
        intervals = [
            f"{_hour24(a, p1)}:{b or '00'}-{_hour24(c, p2)}:{d or '00'}"
            for a, b, p1, c, d, p2 in TIME_RANGE_12H.findall(plain)
        ]
    if days is None or not intervals:
        return None
    kept: list[str] = []
    for interval in sorted(set(intervals)):
        start, end = interval.split("-")
        if start >= end or any(start < k.split("-")[1] for k in kept):
            continue  # the same hours said twice, or a range that overlaps one kept
        kept.append(interval)
    if not kept:
        return None
    return FoundHours(days, kept)


def _hour24(hour: str, half: str) -> str:
    """ "7" "a" → "07", "4" "p" → "16", "12" "p" → "12", "12" "a" → "00"."""
    value = int(hour) % 12 + (12 if half.lower() == "p" else 0)
    return f"{value:02d}"
