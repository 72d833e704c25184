"""Warranty terms and periodic obligations: what the supplier keeps up after acceptance.

Theory of operation, warranty: a sentence about 质保/保修/warranty is cut into phrases; a phrase
with a length of time in years or months (not a "within" target) gives a term to the class it
names: key parts (关键部件, key components), other parts (其他部件, other parts), else the
whole unit (成套设备, 设备, system). 一包 / 重新计算质保期 / a fresh warranty for a replaced part
is the ``fresh_term`` re-warranty; 剩余质保期 / remaining warranty is ``remaining``. A failed
final inspection (终验不合格) that extends the warranty (延长…一年) is a ``warranty_extension``
remedy, triggered by ``final_inspection`` with ``passed: false``.

Periodic obligations: inspections (巡检, inspection, preventive maintenance) with a frequency
(每季度 = every 3 months, 每N个月, 每半年 = 6 months, 每年 = 1 year, 每年N次 = N a year).
Each phrase with a frequency is one step of the schedule; its span is the first year
(第1年, 首年, first year: ``for: 1y``), the first N years (前N年), or from a later year on,
thereafter or during the warranty (``until: warranty_end``). Steps run one after another
from acceptance, in the order of their spans.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from slaengine.drafting.figures import Span, durations, target_text
from slaengine.drafting.responses import phrases
from slaengine.drafting.text import Sentence, unnumbered
from slaengine.drafting.vocabulary import (
    COMPONENT,
    EXTEND,
    FINAL_INSPECTION,
    FRESH_TERM,
    INSPECTION,
    KEY_PART,
    OTHER_PART,
    REMAINING_TERM,
    WARRANTY,
    WHOLE_UNIT,
)

_BEFORE_END = re.compile(r"满前|届满前|before (?:the )?(?:end|expiry)", re.I)
#: "warranted for 12 months from final acceptance": the final inspection as the start of a
#: term, not the inspection itself
_FROM_FINAL = re.compile(
    r"\b(?:from|after|following|upon|on|since)\s+(?:the\s+)?(?:date\s+of\s+)?(?:the\s+)?"
    r"(?:final acceptance|final inspection)(?:\s+(?:date|certificate))?"
    # "质保期为终验合格之日起36个月": counted from the final acceptance
    r"|(?:自|从|由)?(?:终验|最终验收)(?:合格|通过)?(?:之日|日)?(?:起|开始)(?:计算|计|算)?",
    re.I,
)


@dataclass(slots=True)
class FoundWarranty:
    terms: dict[str, str] = field(default_factory=dict)
    #: every term stated, with whether the phrase names its class (成套设备, 关键部件).
    scoped: list[tuple[str, str, bool]] = field(default_factory=list)
    rewarranty: str | None = None
    #: a failed final inspection extends the warranty by this much.
    extension: str | None = None


def _subject(text: str, term_at: int) -> str:
    """What a warranty phrase names before its warranty word, after a heading's label
    ("三、质保：激光光源质保5年" names 激光光源, not the heading)."""
    head = re.split(r"[:：]", text[:term_at])[-1]
    return re.split(r"质保|保修|保固|warrant|guarantee|cover|carr", head, maxsplit=1)[0]


#: A part the supplier fits or sells in the service, not the equipment as delivered.
_REPLACED = re.compile(
    # "更换之零组件" (零組件, the parts in Taiwan's wording)
    r"更换[的之]?[\u4e00-\u9fffA-Za-z]{0,10}?(?:零部件|零件|部件|配件|备件|灯具|器件|组件)|所更换|换上"
    # "更换的电机、加湿器、DDC控制器等配件": the parts listed, then the class they belong to
    r"|更换[的之]?(?:[\u4e00-\u9fffA-Za-z]{1,12}、)+[\u4e00-\u9fffA-Za-z]{1,12}?等"
    r"(?:零部件|零件|部件|配件|备件|器件|组件)"
    r"|replace(?:d|ment) (?:parts?|components?|spares?)|(?:parts?|spares?|components?) replaced"
    # "自更换之日起质保12个月", "warranted for 6 months from the date of replacement": a term
    # that starts when the part goes in is the fitted part's
    r"|(?:自|从|由)更换(?:之日|当日|日|时|后)?(?:起|开始)"
    r"|\bfrom (?:the (?:date|day|time) of )?(?:its |their )?(?:replacement|fitting)\b"
    r"|\bspares?\b|spare parts?|rebuilt|refurbished (?:parts?|units?)"
    # "Components supplied and fitted by the Contractor", "Parts we supply on chargeable
    # repairs": parts fitted in the service (not the equipment as delivered)
    r"|\b(?:parts?|components?)\b[^.;]{0,30}?\bfitted\b|\bfitted by\b"
    r"|\bfrom (?:the (?:date|day) of )?(?:fitting|fitment)\b"
    r"|\b(?:parts?|components?) (?:we|the (?:contractor|supplier|vendor))"
    r" (?:supply|supplies|fit|fits)\b[^.;]{0,30}?\b(?:repairs?|service|maintenance|call-?outs?)\b"
    # "Parts furnished under this Agreement", "materials supplied and labour performed under
    # the contract": what the service puts in, under the service contract itself
    r"|\b(?:parts?|components?|materials?)\s+(?:supplied|furnished|provided|installed)\b[^.;]{0,40}?"
    r"\bunder (?:this|the) (?:contract|agreement|order)\b"
    # "Parts and materials supplied by the Contractor": what the service provider puts in
    r"|\b(?:parts?|components?|materials?)\s+(?:supplied|furnished|provided|installed)\s+by\s+"
    r"(?:the\s+)?(?:contractor|supplier|vendor|service provider|maintainer)\b",
    re.I,
)
#: A phrase that names its own subject before the warranty word (then the phrase before is not
#: its subject).
_OWN_SUBJECT = re.compile(
    # (a modal before the term's start is no subject: "…更换之零件，应自验收日起保固1年")
    r"^\s*(?!(?:应当?|须|需|必须|均|将|可)?\s*(?:自|从|由|since\b|from\b))"
    r"[^\d\s，,：:]{2,}?(?:质保|保修|保固|保用|warrant|guarantee)",
    re.I,
)


#: A bracket that says what a term includes or leaves out, with no figure of its own.
_ASIDE = re.compile(
    r"[(（]\s*(?:含|包含|包括|不含|不包含|不包括|除|including|incl\b|excluding|excl\b|except)"
    r"[^)）\d]*[)）]",
    re.I,
)


_BRACKET = re.compile(r"[(（]([^()（）]*)[)）]")


def _bracket_terms(plain: str, bounds: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The phrases, with a bracket that states a term of its own split off as a phrase of its
    own ("整机质保2年（主要部件5年）": the key parts' term, not a second term of the unit)."""
    split: list[tuple[int, int]] = []
    for start, end in bounds:
        for bracket in _BRACKET.finditer(plain, start, end):
            if bracket.start() > start and any(
                _term_length(s) and not s.within for s in durations(bracket.group(1))
            ):
                split += [(start, bracket.start()), (bracket.start(1), bracket.end(1))]
                start = bracket.end()
        if plain[start:end].strip():
            split.append((start, end))
    return split


def _term_length(span: Span) -> bool:
    """A warranty's length: months or years, or days when a month or more ("90 days")."""
    return span.unit in ("y", "mo") or (span.unit == "d" and span.value >= 30)


def _term_text(span: Span) -> str:
    return f"{span.value.normalize():f}d" if span.unit == "d" else target_text(span)


#: The words that begin a warranty statement's term ("质保期", "is warranted", "carries a …").
_WARRANTY_WORD = re.compile(r"质保|保修|保固|保用|warrant|guarantee|cover|carr")


def _before_warranty_word(plain: str) -> str:
    """The text before a sentence's first warranty word: what the statement is about."""
    return _WARRANTY_WORD.split(plain, maxsplit=1)[0]


#: A new term denied: "不另重新计算", "不重新计算", "does not restart".
_NOT_FRESH = re.compile(
    r"不(?:另|再)?(?:重新计算|重新起算)|\b(?:does|shall|will) not restart", re.I
)


def find_warranty(sentence: Sentence) -> FoundWarranty | None:
    plain = sentence.plain
    if not WARRANTY.search(plain):
        return None
    found = FoundWarranty()
    if FINAL_INSPECTION.search(plain) and EXTEND.search(plain):
        extend = EXTEND.search(plain)
        assert extend is not None
        spans = [s for s in durations(plain[extend.start() :]) if s.unit in ("y", "mo")]
        if spans:
            found.extension = target_text(spans[0])
            return found
    terms = [s for s in durations(plain) if _term_length(s) and not s.within]
    if FINAL_INSPECTION.search(plain) and not terms:
        return found  # the final inspection itself (终验): its consequence is the extension
    if REMAINING_TERM.search(plain) and (_NOT_FRESH.search(plain) or not FRESH_TERM.search(plain)):
        # "其保用期以原保用期的余下期间为准，不另重新计算": the rest of the term, not a new one
        found.rewarranty = "remaining"
    elif FRESH_TERM.search(plain):
        found.rewarranty = "fresh_term"
    named_subjects: list[int] = []  # unscoped terms with a subject of their own
    previous: tuple[int, int] | None = None
    for start, end in _bracket_terms(plain, phrases(plain)):
        # the text before the phrase: the subject of "更换之零件，保固6个月"
        text, before = plain[start:end], plain[max(0, start - 40) : start]
        if (
            previous is not None
            and _AND.fullmatch(plain[previous[1] : start])
            and not durations(plain[previous[0] : previous[1]])
        ):
            # "All parts supplied and workmanship carried out under this contract are
            # guaranteed for …": a subject of two things cut at "and" is one subject
            text = plain[previous[0] : end]
        previous = (start, end)
        # "整机质保期为三年（含主要部件）", "整机质保3年（不含易损件）": what the term covers or
        # leaves out, said in a bracket after it, is no scope of its own
        text = _ASIDE.sub(" ", text)
        unstarted = _FROM_FINAL.sub(" ", text)  # "… from final acceptance" is the term's start
        if (
            _BEFORE_END.search(text)
            or "每" in text
            or INSPECTION.search(unstarted)
            or FINAL_INSPECTION.search(unstarted)
        ):
            continue  # "质保期满前一个月", "每半年巡检": a time before the end, a frequency
        if re.search(r"更换|replac", text, re.I) and (FRESH_TERM.search(text) or "剩余" in text):
            continue  # "更换的部件重新计算质保期": the re-warranty, not a term
        spans = [s for s in durations(text) if _term_length(s) and not s.within]
        if not spans:
            continue
        kind = (
            "key_part" if KEY_PART.search(text) else "part" if OTHER_PART.search(text) else "unit"
        )
        if kind != "key_part" and (
            _REPLACED.search(text) or (_REPLACED.search(before) and not _OWN_SUBJECT.search(text))
        ):
            # "维保期内更换的设备配件保修1年", "廠商維修更換之零件，保固6個月", "Spares replaced
            # under this contract carry a warranty of 6 months": the parts the supplier fits
            kind = "replaced"
        if kind == "unit" and not WHOLE_UNIT.search(text):
            subject = _subject(text, spans[0].start)
            if COMPONENT.search(subject) or (
                "unit" in found.terms
                and len(re.findall(r"[\u4e00-\u9fff]|[A-Za-z]+", subject)) >= 2
            ):
                # "压缩机质保5年", "X-ray tubes are warranted for 36 months"; a second subject
                # after the unit's term ("terminals 3 years; printers 1 year"): a part, whose
                # class (key part or other) the whole unit's term decides
                kind = "component"
        scoped = kind != "unit" or bool(WHOLE_UNIT.search(text))
        if kind == "unit" and not scoped and not found.scoped:
            # "The AMI system hardware, including collectors, …, is warranted for 24 months":
            # the whole, named before the phrases the sentence goes on with
            scoped = bool(WHOLE_UNIT.search(_before_warranty_word(plain)))
        term = _term_text(spans[0])
        found.scoped.append((kind, term, scoped))
        found.terms.setdefault(kind, term)
        if kind == "unit" and not scoped:
            subject = _subject(text, spans[0].start)
            if len(found.scoped) == 1 and re.match(
                r"\s*(?:(?:is|are|shall be|will be)\s+(?:warranted|guaranteed|covered)"
                r"|其?(?:的)?(?:质保|保修|保固|保用))",
                text,
            ):
                # "Meter registers and endpoint radios, including their batteries, are
                # warranted for 10 years", "…传感器属寿命件，质保期为2年": the subject is the
                # phrases before the warranty's word
                subject = _before_warranty_word(plain)
            if len(re.findall(r"[\u4e00-\u9fff]|[A-Za-z]+", subject)) >= 2:
                named_subjects.append(len(found.scoped) - 1)
    if any(kind == "unit" and scoped for kind, _, scoped in found.scoped):
        # "充电模块质保3年，整桩质保2年": a subject of its own named before the whole unit's
        # term in the same sentence is a part, whatever its name
        for at in named_subjects:
            _, term, _ = found.scoped[at]
            found.scoped[at] = ("component", term, True)
        found.terms = {}
        for kind, term, _ in found.scoped:
            found.terms.setdefault(kind, term)
    else:
        # "The magnet is covered for 10 years." with the whole system's term in another
        # sentence: a subject of its own, settled against the unit's scoped term later
        for at in named_subjects:
            kind, term, scoped = found.scoped[at]
            subject = _before_warranty_word(plain)
            if WHOLE_UNIT.search(subject):
                # "更换工程所提供的整套投放系统，保用期为24个月": the whole, named before
                found.scoped[at] = ("unit", term, True)
            elif _own_subject(subject):
                found.scoped[at] = ("subject", term, scoped)
    if not found.terms and found.rewarranty is None:
        return None
    return found


_GENERIC_SUBJECT = re.compile(
    r"本|该|此|所有|全部|设备|产品|系统|货物|项目|合同|契约|工程|整体|免费|提供|期|为|的|均|自|起"
    r"|\b(?:the|this|these|all|our|any|each|every|is|are|will|be|shall|of|and|supplied|under|contract"
    r"|equipment|systems?|products?|goods|items?|hardware|software|works?|from|delivered|installed)\b",
    re.I,
)


def _own_subject(subject: str) -> bool:
    """A subject that names a thing of its own (the magnet, 受信总机), not the delivery as a
    whole (本项目设备, all equipment supplied under this contract)."""
    rest = _GENERIC_SUBJECT.sub(" ", unnumbered(subject))
    return bool(re.search(r"[\u4e00-\u9fff]{2}|[A-Za-z]{3,}", rest))


@dataclass(frozen=True, slots=True)
class FoundStep:
    #: ``every`` (a period) or ``per``/``count`` (N times a period).
    every: str | None
    per: str | None
    count: int | None
    #: ``for`` (the first N years) or ``until: warranty_end``; None when the tender says neither.
    span_for: str | None
    until_warranty_end: bool
    #: the order of the span: 0 for the first year(s), 1 for "from a later year on".
    order: int


_FREQUENCIES: tuple[tuple[re.Pattern[str], str], ...] = (
    # "每两周", "fortnightly", "biweekly", every other week: before 每周 / weekly
    (
        re.compile(
            r"每(?:两|二|2)\s*(?:周|个?星期|个?礼拜)|每隔一周|隔周|fortnight|bi-?weekly"
            r"|every (?:two|2|other) weeks?",
            re.I,
        ),
        "14d",
    ),
    # "隔月巡检一次", "每隔一个月", every other month: as 每隔一周 is every two weeks
    (
        re.compile(r"(?<!\d)隔月|每隔\s*(?:一|1)\s*个?月|every (?:other|second) month", re.I),
        "2mo",
    ),
    # "半月保养", "每半个月": the fortnightly service of lifts, every 15 days
    (
        re.compile(
            r"每半个?月|半月(?:一次|保养|维保|巡检|检查)|twice[- ]monthly|semi-?monthly", re.I
        ),
        "15d",
    ),
    (
        re.compile(
            r"每(?:个)?季度?|quarterly|every quarter|(?:once|1 time) (?:a|per|each) quarter", re.I
        ),
        "3mo",
    ),
    # "six-monthly", "6 monthly", "biannually" (twice a year): before monthly and annual
    (
        re.compile(
            r"\b(?<![\d.])(?:six|6)[- ]?monthly\b|\bhalf[- ]?yearly\b|\bbi-?annual(?:ly)?\b"
            r"|\btwice[- ]yearly\b",
            re.I,
        ),
        "6mo",
    ),
    (re.compile(r"\b(?<![\d.])(?:three|3)[- ]?monthly\b", re.I), "3mo"),
    # "every other month", "every second month", "two-monthly": every 2 months
    (
        re.compile(r"\bevery (?:other|second) month\b|\b(?<![\d.])(?:two|2)[- ]?monthly\b", re.I),
        "2mo",
    ),
    (re.compile(r"\bevery third month\b", re.I), "3mo"),
    (re.compile(r"\b(?<![\d.])(?:twelve|12)[- ]?monthly\b", re.I), "1y"),
    # "biennially", "every other year": every 2 years, before annual
    (re.compile(r"\bbiennial(?:ly)?\b|\bevery (?:other|second) year\b", re.I), "2y"),
    (re.compile(r"每(?:个)?学期|each semester|every semester|every term", re.I), "6mo"),
    (re.compile(r"每半年|每6个月|semi-?annual|every (?:6|six) months|half-yearly", re.I), "6mo"),
    (
        re.compile(r"每月|每1个月|monthly|every month|(?:once|1 time) (?:a|per|each) month", re.I),
        "1mo",
    ),
    (
        re.compile(
            # not "每日营运结束后至翌日首班车前执行": the hours of the day the work is done in
            r"(?:每日|每天)(?![^，,。；;]{0,20}?(?:(?:至|到)(?:翌日|次日|隔日)|(?:后|後)(?:至|到)"
            r"[^，,。；;]{1,12}?前))"
            # not "作业高峰（每日8:00-20:00）": the hours of each day
            r"(?!\s*\d{1,2}\s*(?:[:：]\d{2}|点|時|时))"
            r"|(?<!\d)\bdaily\b|\bnightly\b|every (?:day|night)"
            r"|(?:once|1 time) (?:a|per|each) day",
            re.I,
        ),
        "1d",
    ),
    (
        re.compile(
            r"每周|每星期|每礼拜|weekly|every week|(?:once|1 time) (?:a|per|each) week", re.I
        ),
        "7d",
    ),
)
_EVERY_N = re.compile(
    r"每(?:隔)?\s*(\d+)\s*个月|every (\d+|two|three|four|six|twelve) months"
    r"|每(?:隔)?(两|二|三|四|六)个月",
    re.I,
)
_SPELLED = {"two": "2", "three": "3", "four": "4", "six": "6", "twelve": "12"}
_SPELLED.update({"两": "2", "二": "2", "三": "3", "四": "4", "六": "6"})
_SPELLED.update({"nine": "9", "九": "9", "十二": "12", "five": "5", "五": "5", "ten": "10"})
_SPELLED.update({"十": "10"})
_EVERY_DAYS = re.compile(r"每(?:隔)?\s*(\d+)\s*(?:天|日(?!前|内))|every (\d+) days", re.I)
#: "every 2 hours" of the clock; "every 500 hours of operation" counts the machine's running
#: hours, no calendar period (the calendar one is the "or annually" beside it).
_EVERY_HOURS = re.compile(
    r"每(?:隔)?\s*(\d+)\s*个?小时|every (\d+) hours(?! of (?:operation|running|use|service|run))",
    re.I,
)
_EVERY_WEEKS = re.compile(
    r"每(?:隔)?\s*(\d+|三|四)\s*(?:周|个?星期)|every (\d+|three|four) weeks", re.I
)
_PER_YEAR = re.compile(
    r"每学?年[^,;\d]{0,10}?(\d+)\s*次|(\d+) times (?:a|per|each|every) (?:calendar )?year"
    r"|(\d+) times (?:yearly|annually)"
    r"|(\d+|two|three|four|six|twelve) (?:[\w()-]+ ){0,5}?(?:visits?|inspections?|services?)"
    # "two visits per printer per year", "three PPM visits to each lecture theatre per academic
    # year": the count of each machine's visits
    r" (?:(?:per|for each|on each|to each|at each) (?:[\w-]+ ){1,2})?(?:a|per|each|every)"
    r" (?:contract |calendar |financial |academic |school )?year"
    # "Planned preventive maintenance visits: two per year": the count after a label
    r"|(?:visits?|inspections?|services?|servicing)\s*:\s*(\d+|two|three|four|six|twelve)"
    r" (?:a|per|each|every) year",
    re.I,
)
_PER_MONTH = re.compile(r"每月[^,;\d]{0,6}?(\d+)\s*次|(\d+) times (?:a|per|each|every) month", re.I)
_YEARLY = re.compile(
    r"每年|annual|yearly|every year|(?:once|1 time) (?:a|per|each|every) (?:calendar )?year"
    # "one safety test each year" (not "for each year of the term")
    r"|(?<!\bfor )\beach (?:calendar |contract )?year\b",
    re.I,
)
_FIRST_YEARS = re.compile(
    r"前\s*(\d+)\s*年|(?<![第满\d])(\d+)\s*年(?:内|之内|以内)|first (\d+) years", re.I
)
#: "during the first three months after handover", "前三个月内": the first N months.
_FIRST_MONTHS = re.compile(
    r"前\s*(\d+|两|二|三|四|六|九|十二)\s*个月|first (\d+|two|three|four|six|nine|twelve) months",
    re.I,
)
_FIRST_YEAR = re.compile(r"第\s*1\s*年(?!起)|首年|first year", re.I)
_LATER = re.compile(
    r"第\s*\d+\s*年(?:起|开始|以后|之后)|满?\s*\d+\s*年(?:后|以后|之后)|此后|之后|以后|其后"
    r"|thereafter|after that|from the \w+ year",
    re.I,
)
_WHOLE_WARRANTY = re.compile(
    r"质保期内|保修期内|直至质保期满|during the warranty|until the warranty", re.I
)


_PAPERWORK = re.compile(
    r"(?:巡检|巡视|保养|检修|inspection|maintenance)\s*(?:计划|报告|记录|纪录|方案|plan|report|schedule)"
    r"|提交|报送|送交|submit",
    re.I,
)


#: Work done on the equipment, by the class of the verb (checking, testing, cleaning, treating,
#: servicing, adjusting), not by listed phrases: with a frequency of its own in the same phrase
#: it is a periodic duty ("每月对灭菌器进行一次安全阀检查", "cooling towers are cleaned and
#: chemically treated every 3 months").
_DUTY_CLASS = re.compile(
    r"检查|查验|检定|检|测|试|清[洗洁扫理]|校|润滑|紧固|调整|保养|维护|维保|巡|养护|点检|普查"
    # "the Service Provider shall …": the party's name is no servicing
    r"|\bcheck|\btest|\bclean|\btreat|\bservic(?!e\s+(?:provider|company|contractor|agent)s?\b)"
    r"|\bmaint|\binspect|\bexamin|\bcalibrat"
    r"|\blubricat|\boverhaul|\baudit|\bdrill|\bsurvey|\bflush|\bdescal|\brecalibrat"
    # going along the route to look at it (巡视 in English): "lines are patrolled monthly"
    r"|\bpatrol|\brebuil[dt]"
    # replacing what wears out (更换滤芯, 更换易损密封件): work on the equipment
    r"|更[换換][^，,。；;]{0,8}?(?:滤|密封|耗材|易损|损耗|灯管|电池|皮带)"
    r"|\breplace[sd]? (?:the )?filters?"
    # "change the engine oil and filters": changing what wears out is work on the equipment
    r"|\bchang(?:e|es|ed|ing) (?:the )?(?:[\w-]+ )?(?:oil|filters?|belts?|batter(?:y|ies)|lamps?)\b"
    r"|\b(?:filter|oil|belt|battery|lamp) (?:change|replacement)s?\b"
    # running the equipment by hand (每月手动启动水泵运转一次), measuring its performance, and
    # visiting it where it stands (visit the site once a month): work on the equipment too
    r"|启动|起动|运转|试运行|试车|\bstart(?:ed|s)? up\b|\brun (?:on load|up|off-load)\b"
    r"|\b(?:test|trial)[- ]runs?\b"
    r"|\bmeasur|\bvisit",
    re.I,
)
#: What comes round with a frequency but is no work on the equipment: money, paperwork,
#: meetings, figures measured over a period, the service being open.
_NOT_DUTY = re.compile(
    r"费|价|款|账|发票|报告|报表|计划|方案|会议|例会|汇报|通报|可用率|开机率|率|热线|值班|受理"
    r"|\bfees?\b|\bcharges?\b|\binvoic|\bpay|\bprice|\bcredit|\breports?\b|\bplans?\b"
    r"|\breviews?\b|\bmeetings?\b|\bupdates?\b|availab|uptime|\brates?\b|\bhotline|\bdesk\b"
    # the service's own figures measured over a period ("response times are measured monthly")
    r"|\b(?:response|resolution|repair|arrival|attendance) times?\b|\bkpis?\b|\bsla\b"
    r"|响应时间|到场时间|修复时间|服务水平|考核"
    # teaching the buyer's staff ("refresher training every six months"): no work on the
    # equipment
    r"|培训|\btraining\b|\bcourses?\b",
    re.I,
)


#: A ceiling or floor on a share ("shall not exceed 1% of the stock at any monthly survey",
#: "每月巡查时故障灯不超过3%"): a figure measured at the survey, no duty of its own.
_SHARE_LIMIT = re.compile(
    r"(?:not (?:to )?exceed|no more than|not more than|less than|at least|不超过|不得超过|不高于"
    r"|不低于|不少于|低于|高于)\s*\d+(?:\.\d+)?\s*%",
    re.I,
)


#: Agreeing when the work is done ("保养日期须于每年1月前与医院议定"): no work of its own.
_SCHEDULING = re.compile(
    r"日期[^，,。；;]{0,16}?(?:议定|商定|约定|确定)|(?:议定|商定)[^，,。；;]{0,6}日期"
)


def _duty_phrase(phrase: str) -> bool:
    if _SHARE_LIMIT.search(phrase) or _SCHEDULING.search(phrase):
        return False
    if INSPECTION.search(phrase):
        return True
    every, per, _count = _frequency(phrase)
    return (
        (every is not None or per is not None)
        and _DUTY_CLASS.search(phrase) is not None
        and _NOT_DUTY.search(phrase) is None
    )


#: A header cell that only says "how often" ("Frequency", "Interval", "保养周期"): the row's own
#: label names the work.
_HOW_OFTEN = re.compile(r"^(?:\w+ )?(?:frequency|interval|schedule)$|周期$|频次$|频率$", re.I)


def duty_column(cell: str) -> str | None:
    """What a table's header cell says of the work done in its column with the frequencies of
    its cells: "work" when it names the work ("Specialist clean", "Filter change", 清洗),
    "label" when it only says how often ("Frequency") and the row's label names the work,
    else None."""
    text = cell.strip()
    if not text or len(text) > 40 or has_frequency(text):
        return None
    if _HOW_OFTEN.search(text):
        return "label"
    if _NOT_DUTY.search(text):
        return None
    if INSPECTION.search(text) or _DUTY_CLASS.search(text):
        return "work"
    return None


def has_frequency(text: str) -> bool:
    """The text states how often something is done (every 3 months, annually, 每季度)."""
    return any(_frequency(text)[:2])


#: The name of the contract itself ("Comprehensive Annual Maintenance Contract (CAMC)"): no
#: duty done once a year.
_CONTRACT_NAME = re.compile(
    r"\b(?:comprehensive\s+)?(?:annual|yearly)\s+(?:maintenance|service|support)\s+"
    r"(?:contracts?|agreements?)\b|\bC?AMC\b",
    re.I,
)


_AND = re.compile(r"\s*(?:and|&|和|及|与)\s*", re.I)


def _duty_bounds(plain: str) -> list[tuple[int, int]]:
    """The phrases of a sentence, with a frequency cut from its work at "and" joined again
    ("Annual structural and bearing survey of each span": the frequency is an adjective of the
    work named after the "and")."""
    bounds: list[tuple[int, int]] = []
    for start, end in phrases(plain):
        if bounds:
            a, b = bounds[-1]
            before, phrase = plain[a:b], plain[start:end]
            if (
                _AND.fullmatch(plain[b:start])
                and has_frequency(before)
                # the frequency and an adjective, no clause of its own ("Annual structural")
                and len(unnumbered(before).split()) <= 3
                and not _DUTY_CLASS.search(before)
                and not _NOT_DUTY.search(before)
                and not has_frequency(phrase)
                and _DUTY_CLASS.search(phrase)
                and not _NOT_DUTY.search(phrase)
            ):
                bounds[-1] = (a, end)
                continue
        bounds.append((start, end))
    return bounds


#: A periodic duty the buyer keeps: "Daily and weekly tests … are performed by HSSD staff and do
#: not form part of this contract", "每日巡查由甲方值班人员自行负责".
_NOT_OURS = re.compile(
    r"\b(?:do|does|shall|will) not form part of (?:this|the) (?:contract|agreement|services?)"
    r"|\b(?:excluded from|outside) (?:the scope of )?(?:this|the) (?:contract|agreement|services?)"
    r"|由(?:甲方|采购人|业主|院方|馆方|用户|使用单位)[^，,。；;]{0,12}?自行"
    # "馆方每年委托第三方检测机构对尾气排放检测一次": the buyer's own duty
    r"|^\s*(?:\d+[.、)]\s*)?(?:甲方|采购人|业主|院方|馆方|用户|使用单位|招标人)(?:每|将|自行|负责|委托)",
    re.I,
)


def find_steps(sentence: Sentence) -> list[FoundStep]:
    plain = _CONTRACT_NAME.sub(lambda m: " " * len(m.group(0)), sentence.plain)
    if _NOT_OURS.search(plain):
        return []
    if FINAL_INSPECTION.search(plain) or not (
        INSPECTION.search(plain)
        or any(_duty_phrase(plain[a:b]) for a, b in _duty_bounds(plain))
        # "change the engine oil and filters every 500 running hours or annually": the work and
        # its frequency in phrases of their own, cut at "and"
        or _duty_phrase(plain)
    ):
        return []
    steps: list[FoundStep] = []
    context = ""  # phrases since the last step: "质保期第一年内，每季度巡检一次"
    pending = False  # a duty named with no frequency yet ("Electrical testing of each column")
    for start, end in _duty_bounds(plain):
        phrase = plain[start:end]
        paperwork = _PAPERWORK.search(phrase) is not None
        plain_phrase = paperwork or not _duty_phrase(phrase)
        if (
            plain_phrase
            and not paperwork
            and not has_frequency(phrase)
            and _DUTY_CLASS.search(phrase)
            and not _NOT_DUTY.search(phrase)
            and _visit_frequency(context)
        ):
            # "每半月派工程师到站，对水泵进行润滑": the visit's phrase gives the frequency, the
            # phrase after it the work done on each visit
            plain_phrase = False
        if plain_phrase and not paperwork and not has_frequency(phrase):
            # "Insulation testing of each cable": work named, its frequency yet to come
            pending = pending or (
                _DUTY_CLASS.search(phrase) is not None and _NOT_DUTY.search(phrase) is None
            )
        if (
            pending
            and plain_phrase
            and not (paperwork or _NOT_DUTY.search(phrase))
            and has_frequency(phrase)
        ):
            # "Electrical testing of each column and feeder pillar shall be carried out every
            # five years": the frequency of the duty named in an earlier phrase, cut at "and"
            phrase, context, plain_phrase = context + phrase, "", False
        if (
            steps
            and not _duty_phrase(phrase)
            and not (_PAPERWORK.search(phrase) or _NOT_DUTY.search(phrase))
            and _LATER.search(phrase)
            and has_frequency(phrase)
        ):
            # "calibrated weekly during the first three months and monthly thereafter",
            # "前三个月每周校准一次，此后每月一次": the later step of the same duty
            every, per, count = _frequency(phrase)
            steps.append(FoundStep(every, per, count, None, True, 1))
            context = ""
            continue
        elif plain_phrase:
            # "每年对整梯做一次全面改造" names no inspection; "每月5日前提交保养报告",
            # "每月报送巡检计划" are paperwork deadlines, not inspections
            context += phrase + ","
            continue
        pending = False
        every, per, count = _frequency(phrase)
        seasons = _seasons(context + phrase)
        if seasons > 1:  # "每年寒假、暑假各…一次": the seasons cut at 、
            every, per, count = None, "1y", seasons
        times = re.search(r"(\d+)\s*次", phrase)
        if every is None and per is None and times and int(times.group(1)) > 1:
            # "每年免费校准一次、预防性维护两次": N times in the period of an earlier phrase
            period = _frequency(context + plain[:start])[0]
            if period in ("1y", "1mo"):
                every, per, count = None, period, int(times.group(1))
        if every is None and per is None:
            # "每月对组件、逆变器、汇流箱巡检一次": the frequency was in an earlier phrase
            every, per, count = _frequency(context)
        if every is None and per is None:
            context += phrase + ","
            pending = True
            continue
        text, context = context + phrase, ""
        first = _FIRST_YEARS.search(text)
        if first:
            years = first.group(1) or first.group(2) or first.group(3)
            steps.append(FoundStep(every, per, count, f"{years}y", False, 0))
        elif first_months := _FIRST_MONTHS.search(text):
            months = first_months.group(1) or first_months.group(2)
            steps.append(
                FoundStep(every, per, count, f"{_SPELLED.get(months.lower(), months)}mo", False, 0)
            )
        elif _FIRST_YEAR.search(text):
            steps.append(FoundStep(every, per, count, "1y", False, 0))
        elif _LATER.search(text) or _WHOLE_WARRANTY.search(text):
            steps.append(FoundStep(every, per, count, None, True, 1))
        else:
            steps.append(FoundStep(every, per, count, None, False, 1))
    return steps


def _visit_frequency(context: str) -> bool:
    """The phrase just before names a frequency of its own, and no money, paperwork or other
    thing that comes round ("每15天派工程师到场" but not "每季度提交报告")."""
    for piece in reversed([p for p in context.split(",") if p.strip()]):
        if _PAPERWORK.search(piece) or _NOT_DUTY.search(piece):
            return False
        if has_frequency(piece):
            # (a list of the work cut at 、 may lie between: "每年汛前，对闸门、启闭机检查")
            return not _LATER.search(piece)
    return False


#: "寒假、暑假各检修保养一次", "寒暑假期间各进行一次", "春秋两季各一次": once in each of the
#: year's named seasons (or halves), so as many times a year as seasons are named.
_SEASONS = re.compile(r"寒暑假|寒假|暑假|春秋|春季|夏季|秋季|冬季|上半年|下半年|汛前|汛后")
_EACH_SEASON = re.compile(r"各[^，,。；;]{0,14}?(?:一|1)\s*次")


def _seasons(text: str) -> int:
    """How many of the year's seasons a phrase names before 各…一次 (0: not that form)."""
    each = _EACH_SEASON.search(text)
    if each is None:
        return 0
    names = _SEASONS.findall(text, 0, each.start())
    return sum(2 if name in ("寒暑假", "春秋") else 1 for name in names)


def _frequency(text: str) -> tuple[str | None, str | None, int | None]:
    seasons = _seasons(text)
    if seasons > 1:
        return None, "1y", seasons
    per_year = _PER_YEAR.search(text)
    if per_year:
        times = next(g for g in per_year.groups() if g)
        count = int(_SPELLED.get(times.lower(), times))
        if count > 1:
            return None, "1y", count
    per_month = _PER_MONTH.search(text)
    if per_month and int(next(g for g in per_month.groups() if g)) > 1:
        return None, "1mo", int(next(g for g in per_month.groups() if g))
    for pattern, every in _FREQUENCIES:
        if pattern.search(text):
            return every, None, None
    every_n = _EVERY_N.search(text)
    if every_n:
        months = next(g for g in every_n.groups() if g)
        return f"{_SPELLED.get(months.lower(), months)}mo", None, None
    every_years = re.search(
        r"every (\d+|two|three|four|five|six|ten) years|每(\d+|两|二|三|四|五|六|十)年", text, re.I
    )
    if every_years:
        years = every_years.group(1) or every_years.group(2)
        return f"{_SPELLED.get(years.lower(), years)}y", None, None
    every_weeks = _EVERY_WEEKS.search(text)
    if every_weeks:
        weeks = next(g for g in every_weeks.groups() if g)
        weeks = {"三": "3", "四": "4", "three": "3", "four": "4"}.get(weeks.lower(), weeks)
        return f"{int(weeks) * 7}d", None, None
    every_days = _EVERY_DAYS.search(text)
    if every_days:
        return f"{every_days.group(1) or every_days.group(2)}d", None, None
    every_hours = _EVERY_HOURS.search(text)
    if every_hours:  # "每2小时巡视机房一次": rounds in the machine room
        return f"{every_hours.group(1) or every_hours.group(2)}h", None, None
    if _YEARLY.search(text):
        return "1y", None, None
    return None, None, None
