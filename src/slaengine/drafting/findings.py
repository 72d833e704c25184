"""Reading a tender sentence by sentence: what each sentence says, and what it leaves in doubt.

Theory of operation: the tender's sentences (``text.sentences``) are read in order. First the
contexts a sentence sets for the ones below it: a level named by a heading or label ("第一級 加急",
"I级故障："), an action named by a heading ("Target response times"), a level named earlier on the
same line (a clause cut at a semicolon). A table row is read by its table's header (columns of
actions and rows of levels, or the other way round) or as an asset row. Then each sentence goes
to the first recogniser that understands it, in this order: boilerplate (no term; listed as
``ignored`` when it has a figure, read normally when force majeure is only a proviso), the
contract's facts (合同编号, 项目名称, 投标人, 招标人, contract price, acceptance date), the
working week (工作日为周一至周五9:00-17:30), a cap per contract year, a warranty extension on a
failed final inspection, a warranty postponed by the downtime (listed), a penalty or
compensation clause, a period measure, periodic inspections, warranty terms, response
commitments; a phone number or an e-mail address also makes a contact, whatever else the
sentence says. A sentence none of them understands is listed for review when it carries a time,
a count, a percentage or a money figure — nothing with a figure is passed over in silence — and
passed over when it does not (headings, prose).

What is found is kept as found (``Findings``): a commitment (action, level, zone) stated a second
time with a different target is a conflict at once (the stricter target is kept); warranty
statements are kept with whether they name their class, and ``settle_warranty`` decides once
all is read (the scoped statement wins, every disagreement listed). Ids, links between clauses
and commitments, zone tables and assumptions are the assembly's (``assembly``).
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from typing import Any

from slaengine.drafting.assets import BadRow, FoundAsset, asset_header, asset_row
from slaengine.drafting.clauses import FoundClause, Unread, find_cap, find_clause, split_sums
from slaengine.drafting.figures import (
    RELAXED_TO,
    amounts,
    durations,
    has_figure,
    percents,
    target_text,
)
from slaengine.drafting.items import (
    ASSUMPTION,
    CONFLICT,
    IGNORED,
    NOT_UNDERSTOOD,
    DraftOptions,
    Review,
    Term,
    quote,
)
from slaengine.drafting.measures import find_contact, find_measure
from slaengine.drafting.responses import (
    ALWAYS,
    OFFICE,
    FoundCommitment,
    FoundHours,
    OpenZone,
    Unclear,
    find_commitments,
    find_hours,
    ordinal_level,
    phrases,
    severity_in,
    zone_in,
)
from slaengine.drafting.tables import (
    BARE_NUMBER,
    cell_action,
    header_unit,
    label_kind,
    strip_unit,
    with_unit,
    without_clock_start,
)
from slaengine.drafting.text import Sentence, next_day_act, unnumbered
from slaengine.drafting.upkeep import (
    FoundStep,
    _own_subject,
    duty_column,
    find_steps,
    find_warranty,
    has_frequency,
)
from slaengine.drafting.vocabulary import (
    BOILERPLATE,
    CHARGED,
    CONTRACT_PRICE,
    DISTANCE,
    DOWN_KIND,
    EXTEND,
    FINAL_INSPECTION,
    LEVEL_WORDS,
    MEASURES,
    OTHER_KIND,
    PAYMENT_TERMS,
    PENALTY,
    POSTPONE,
    SCHEME_CUE,
    SEVERITIES,
    SHAPE_BY_NAME,
    SHAPES,
    TOTAL_CAP,
    WARRANTY,
    WORKING_DAY,
    ZONES,
    ShapeWords,
    unread_phones,
)

#: What a fault led to, as a penalty's condition ("因故障导致手术取消的", "a fault resulting in
#: a cancelled flight").
_OUTCOME = re.compile(
    r"(?:故障|问题|原因|失误|事故).{0,6}(?:导致|造成|致使|引起|引发)"
    r"|resulting in|result(?:s|ed)? in|lead(?:s|ing)? to|led to|caus(?:es|ed|ing)\b",
    re.I,
)

_NEGATED = re.compile(
    r"^(?:如|若|如果)?(?:未|不能|未能|没有|无法|不)|未能|未按|未于|未在|不能|无法"
    r"|\bif\b.*\b(?:not|fail)|fail|\bnot (?:\w+ ){0,4}within\b|\blater than\b|\bexceed",
    re.I,
)
_FACTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "id",
        re.compile(
            r"合同编号\s*:?\s*([A-Za-z0-9][\w\-/.]*)|contract (?:no\.?|number)\s*:?\s*(\S+)", re.I
        ),
    ),
    ("name", re.compile(r"^(?:项目名称|project(?: name)?)\s*:\s*(.+)$", re.I)),
    ("supplier", re.compile(r"^(?:投标人|供应商|乙方|supplier|bidder)(?:名称)?\s*:\s*(.+)$", re.I)),
    (
        "customer",
        re.compile(r"^(?:招标人|采购人|甲方|customer|purchaser)(?:名称)?\s*:\s*(.+)$", re.I),
    ),
    (
        "accepted_on",
        re.compile(
            r"(?:验收(?:日期|时间)?|accepted on|acceptance date)\s*:?\s*(?:为|是)?\s*"
            r"(\d{4})\s*[年\-/]\s*(\d{1,2})\s*[月\-/]\s*(\d{1,2})",
            re.I,
        ),
    ),
)
_CNY = re.compile(r"元|人民币|RMB|CNY|¥", re.I)


#: A clause that refers back to the sites just named: "for those two sites", "at these".
_BACK_REFERENCE = re.compile(
    r"\s*(?:(?:for|at|to|on)\s+(?:those|these|such|the said|both|all such)\b|for them\b|there\b)",
    re.I,
)
#: The side of a distance band before its figure ("more than", "within").
_BAND_SIDE = re.compile(
    r"(?:more than|over|beyond|outside|greater than|farther than|further than|within|less than"
    r"|up to|under)\s*$",
    re.I,
)
#: A row label that is only a level's number or letter ("1", "II", "B") under a header naming
#: the scheme ("Category", "Level").
_BARE_LABEL = re.compile(r"\d{1,2}|[IVX]{1,4}|[A-E]|[一二三四五六七八九十]")


class Findings:
    """What the sentences say, read one by one (``read``); ``assembly`` makes terms of it."""

    def __init__(self, options: DraftOptions) -> None:
        self.options = options
        self.reviews: list[Review] = []
        self.commitments: dict[
            tuple[str, str | None, str | None], tuple[Term, FoundCommitment]
        ] = {}
        self.clauses: list[tuple[FoundClause, Sentence]] = []
        self.caps: dict[str, Term] = {}
        self.warranty_terms: dict[str, tuple[str, Sentence]] = {}
        #: every warranty term the tender states is for parts the supplier replaces
        self.replaced_only = False
        #: every warranty statement: (class, term, scoped?, sentence); ``settle_warranty``
        #: makes ``warranty_terms`` of them (a scoped statement wins over an unscoped one).
        self.warranty_statements: list[tuple[str, str, bool, Sentence]] = []
        self.rewarranty: tuple[str, Sentence] | None = None
        self.warranty_sources: list[Sentence] = []
        self.extension: Term | None = None
        self.steps: list[tuple[FoundStep, Sentence]] = []
        self.hours: tuple[FoundHours, Sentence] | None = None
        #: "24x7 for Priority 1 and during Business Hours for all other priorities": the levels
        #: kept round the clock, and the sentence; every other level's targets are working time
        self.office_but: tuple[set[str], Sentence] | None = None
        #: the levels whose targets a sentence counts in working time only
        self.office_levels: tuple[set[str], Sentence] | None = None
        self.assets: list[FoundAsset] = []
        self.facts: dict[str, tuple[Any, Sentence]] = {}
        #: every statement of a contract fact, the first (kept in ``facts``) and the rest
        self.fact_mentions: list[tuple[str, Any, Sentence]] = []
        self._asset_columns: dict[str, int] | None = None
        #: the severity levels the tender's terms name (declared as the contract's).
        self.severities_seen: set[str] = set()
        #: the levels a sentence declares as the tender's scheme ("Breakdowns are classified as
        #: Critical (…), Major (…) or Minor (…)"): each named by its bare word from then on.
        self.declared: set[str] = set()
        #: a level or an action named by a heading or label, for the lines just below it.
        self._level: tuple[str, int] | None = None
        self._action: tuple[ShapeWords, int] | None = None
        #: the actions (or levels) of the columns of the table being read.
        self._columns: dict[int, ShapeWords] | None = None
        self._column_levels: dict[int, str] | None = None
        #: a table whose columns are zones (| Service level | Metro sites | Regional sites |)
        self._column_zones: dict[int, str] | None = None
        #: the zone an action column's header names ("到场（离岛）"), by cell index.
        self._action_zones: dict[int, str] = {}
        #: the units of time the header states for the columns' bare numbers ("（分钟）")
        self._column_units: dict[int, str] | None = None
        #: the label of the row above (a cell merged down the rows repeats it)
        self._row_label: str | None = None
        #: the first header cell of a table whose columns are actions ("Category"): a row
        #: labelled by a bare number or letter ("1") names the level "Category 1"
        self._row_head: str | None = None
        #: below a header that names no role (| 服务内容 | 时限要求 |): rows name their own
        self._label_rows = False
        #: below such a header, the columns that name periodic work ("| Kitchen | Specialist
        #: clean |") or its frequency ("| Task | Frequency |"): "work" or "label" by column
        self._duty_columns: dict[int, tuple[str, str]] = {}
        #: the buyer's sites the tender places, and their zones (``site_zones``).
        self.sites: dict[str, str] = {}
        #: the kinds the rows of the table being read name, by key: (name, line).
        self._row_kinds: dict[str, tuple[str, int]] = {}
        self.measures: list[tuple[dict[str, Any], Sentence]] = []
        #: the tender's own kinds of call or fault used as levels ("Entrapments:",
        #: "前端摄像机故障："), by key, with their names.
        self.categories: dict[str, str] = {}
        #: a distance band named by a clause with no time figure ("Sites A and B are more
        #: than 60 km from the depot"), for a clause of the same line that refers back to it
        self._band: tuple[int, str] | None = None
        #: the line and act of the last limit drafted for a zone: a zone's bare limit in the
        #: next sentence goes on with its act
        self._zoned: tuple[int, ShapeWords] | None = None
        #: the act of the last commitment read, by line
        self._line_act: tuple[int, ShapeWords] | None = None
        #: kinds named by a sentence's label ("Entrapments: …"), declared once a commitment of
        #: that sentence (or a later one of its line) uses them: a label of a title or a party
        #: ("Maintenance of …:", "Proposer:") names no kind
        self._labelled: dict[str, str] = {}
        #: a level's other name given in its heading ("第一级 紧急故障": emergency is level-1)
        self.aliases: dict[str, str] = {}
        self.contacts: list[tuple[dict[str, Any], Sentence]] = []
        self._last_line = 0
        #: the level named by an earlier sentence of the same line (a clause cut at ；/;).
        self._same_line: tuple[int, str] | None = None
        #: the line and the act of a series of limits per level ("… acknowledge each fault:
        #: Critical within 15 minutes; High within 30 minutes")
        self._series: tuple[int, str] | None = None
        #: classes of sites by their zone ("B类：位于…县的县级分馆" → B: county)
        self._zone_classes: dict[str, str] = {}
        #: the line and the act of a sentence leading in to a list of limits ("… on site within
        #: the following times:")
        self._lead_in: tuple[int, ShapeWords] | None = None
        #: in a table; the consequence its header names (a table of penalties), if it names one
        self._table_open = False
        self._penalty_header: str | None = None
        #: the consequence a heading above names ("LIQUIDATED DAMAGES"), for the sums under it
        self._penalty_heading: str | None = None
        #: under a heading naming the warranty ("Section 8. Warranty")
        self._warranty_heading = False
        #: the act a sentence names for the table below it ("arrive on site within the times
        #: below")
        self._act_above: ShapeWords | None = None

    # --- reading ---------------------------------------------------------------------------

    def read(self, sentence: Sentence) -> None:
        if self._zone_class(sentence):
            return
        sentence = self._zone_classes_named(sentence)
        sentence = self._band_referred(sentence)
        sentence = self._headings_and_tables(sentence)
        sentence = self._level_series(sentence)
        sentence = self._under_lead_in(sentence)
        self._contexts(sentence)
        self._scheme(sentence)
        if sentence.table_row and self._table_row(sentence):
            return
        if not sentence.table_row:
            self._asset_columns = None
            self._columns = self._column_levels = self._column_zones = None
            self._action_zones = {}
            self._column_units = None
            self._row_label = self._row_head = None
            self._label_rows = False
            self._duty_columns = {}
        plain = sentence.plain
        payment = PAYMENT_TERMS.search(plain) is not None and not CHARGED.search(plain)
        if (BOILERPLATE.search(plain) or payment) and not _has_target(plain):
            if has_figure(plain):
                self._review(
                    IGNORED,
                    sentence,
                    "boilerplate (bid validity, force majeure, governing law, payment terms …) "
                    "with a figure: "
                    "no term drafted from it; check that it states no commitment",
                )
            return
        self._contact(sentence)
        next_day = None if sentence.table_row else next_day_act(sentence.text)
        if next_day is not None:
            # "次日上门，48小时内修复": the next day in running text is drafted as one day around
            # the clock and listed (within 24 hours, or by the end of the next day?)
            self._review(
                ASSUMPTION,
                sentence,
                f"a limit of the next day ({next_day}) is drafted as 1 day (24 hours): if the "
                "text means by the end of the next day, change the target",
            )
        for reader in (
            self._fact,
            self._hours,
            self._cap,
            self._extension,
            self._postponement,
            self._clause,
            self._measure,
            self._steps,
            self._warranty,
            self._commitments,
        ):
            if reader == self._clause and self._leading_measure(sentence):
                # "全年开机率不低于97%，每低于1个百分点，扣除服务费的1%": the measure, and the
                # consequence read (or listed) as a clause
                self._clause(sentence)
                return
            if reader(sentence):
                return
        if has_figure(plain):
            self._review(
                NOT_UNDERSTOOD,
                sentence,
                "has a time or money figure the draft did not understand: check whether it is "
                "a commitment and add it by hand",
            )

    def _band_referred(self, sentence: Sentence) -> Sentence:
        """ "Sites A and B are more than 60 km from the depot; for those sites the on-site time
        is 3 hours": a clause that names a distance band and no time figure, then a clause of
        the same line that refers back to those sites — the later clause's limit is the band's.
        """
        band, self._band = self._band, None
        if sentence.table_row:
            return sentence
        plain = sentence.plain
        if (
            band is not None
            and band[0] == sentence.line
            and _BACK_REFERENCE.match(unnumbered(plain))
            and zone_in(plain) is None
        ):
            return Sentence(sentence.line, sentence.text, f"{band[1]}: {plain}", False)
        distance = DISTANCE.search(plain)
        if distance is not None and zone_in(plain) and not durations(plain):
            side = _BAND_SIDE.search(plain, 0, distance.start())
            self._band = (
                sentence.line,
                plain[side.start() if side else distance.start() : distance.end()],
            )
        return sentence

    def failed(self, sentence: Sentence, exc: Exception) -> None:
        """The drafter failed on a sentence: it is listed, whole, for a person to read."""
        self._level = self._action = None  # no context from a sentence half read
        self._review(
            NOT_UNDERSTOOD,
            sentence,
            f"the drafter failed on this sentence ({type(exc).__name__}: {exc}): nothing of it "
            "is drafted; read it and add its terms by hand (and please report it)",
        )

    def _review(
        self, kind: str, sentence: Sentence | None, message: str, item: str | None = None
    ) -> Review:
        review = Review(
            kind,
            message,
            sentence.line if sentence else None,
            sentence.text if sentence else None,
            item,
        )
        self.reviews.append(review)
        return review

    def _zone_class(self, sentence: Sentence) -> bool:
        """A class of the buyer's sites defined by where they are ("B类：位于青山县、桐溪县的3个
        县级分馆"; "C类：偏远山区乡镇的5处自助图书馆"): the class is that zone wherever the text
        names it ("B类点位3小时内到达"), no level of faults."""
        defined = _ZONE_CLASS_DEF.match(sentence.plain) if not sentence.table_row else None
        if defined is None:
            return False
        rest = defined.group(2)
        zone = zone_in(rest)
        if zone is None or durations(rest) or re.search(r"故障|缺陷|fault", rest, re.I):
            return False
        self._zone_classes[defined.group(1)] = zone
        self._review(
            ASSUMPTION,
            sentence,
            f"sites of class {defined.group(1)} are read as zone {zone} wherever the text names "
            "the class; check the zone and give those sites' assets that zone",
        )
        return True

    def _zone_classes_named(self, sentence: Sentence) -> Sentence:
        """ "B类点位3小时内到达" with B类 a class of sites: the class's zone in its place."""
        if not self._zone_classes:
            return sentence
        plain = sentence.plain
        for letter, zone in self._zone_classes.items():
            plain = re.sub(
                rf"{letter}类(?=点位|站点|网点|场地|地区|区域|场馆|点|站|馆)",
                f"{letter}类场所（{_zone_words(zone)}）",
                plain,
            )
        if plain == sentence.plain:
            return sentence
        plain = re.sub(r"([A-Z])类场所", r"\1组场所", plain)  # no level "B类" any more
        return Sentence(sentence.line, sentence.text, plain, sentence.table_row)

    def _under_lead_in(self, sentence: Sentence) -> Sentence:
        """A sentence that names an act and ends in a colon before its list ("The Contractor
        shall have a technician on site within the following times:" ⏎ "(a) Priority 1:
        Metropolitan Zone 1 hour; Regional Zone 3 hours"): each bare figure of the items below
        is that act's limit, read as "… be on site within 1 hour"."""
        if sentence.table_row:
            return sentence
        plain = sentence.plain
        spans = durations(plain)
        acts = {w.shape for w in SHAPES if w.words.search(plain)}
        if (
            not spans
            and len(acts) == 1
            and plain.rstrip().endswith((":", "："))
            and _TABLE_BELOW.search(plain)
        ):
            self._lead_in = (sentence.line, SHAPE_BY_NAME[acts.pop()])
            return sentence
        if self._lead_in is None:
            return sentence
        line, act = self._lead_in
        ended = not spans or sentence.line - line > 6 or _CLAUSE_NUMBER.match(plain) is not None
        if ended:
            self._lead_in = None
        if ended or acts:
            return sentence
        chinese = _CJK_CHAR.search(plain) is not None
        for span in reversed(spans):
            if span.within:
                continue
            if chinese:
                plain = f"{plain[: span.end]}内{act.zh}{plain[span.end :]}"
            else:
                plain = f"{plain[: span.start]}{act.en.lower()} within {plain[span.start :]}"
        return Sentence(sentence.line, sentence.text, plain, sentence.table_row)

    def _level_series(self, sentence: Sentence) -> Sentence:
        """An act, a colon, then its limit per level, cut at semicolons ("The Supplier will
        acknowledge each fault: Critical within 15 minutes; High within 30 minutes; …"): each
        piece is read as "<level>: <the act> <its limit>"."""
        if sentence.table_row:
            return sentence
        plain = sentence.plain
        head: str | None = None
        item: re.Match[str] | None = None
        labelled = _SERIES_HEAD.match(plain)
        if labelled is not None:
            item = _SERIES_ITEM.match(labelled.group("item"))
            head = labelled.group("head")
            if (
                item is None
                or severity_in(item.group("level")) is None
                or severity_in(head) is not None
                or not any(w.words.search(head) for w in SHAPES)
            ):
                head = item = None
            else:
                self._series = (sentence.line, head)
        elif self._series is not None and self._series[0] == sentence.line:
            item = _SERIES_ITEM.match(plain)
            if item is not None and severity_in(item.group("level")) is not None:
                head = self._series[1]
        if head is None or item is None:
            return sentence
        read = f"{item.group('level').strip()}: {head.strip()} {item.group('rest')}"
        return Sentence(sentence.line, sentence.text, read, sentence.table_row)

    def _headings_and_tables(self, sentence: Sentence) -> Sentence:
        """What a heading or a table's header says of the lines under it: a row of a table whose
        header names the consequence ("| Failure | Liquidated damages |", "| 违约情形 | 违约金 |")
        states a penalty even when the row does not say the word (the header's word is added to
        its plain text), as does a sum under a heading naming it ("LIQUIDATED DAMAGES"); the
        terms under a warranty heading are the warranty's; a sentence naming an act for the table
        below it ("within the times below") gives that table its act."""
        if not sentence.table_row:
            if self._table_open:
                self._act_above = None  # a table ended: the act said above it was its own
            self._table_open = False
            self._penalty_header = None
            plain = sentence.plain
            # "… shall arrive on site within the times below": the act of the table that follows
            acts = {w.shape for w in SHAPES if w.words.search(plain)}
            if len(acts) == 1 and _TABLE_BELOW.search(plain):
                self._act_above = SHAPE_BY_NAME[acts.pop()]
            if not has_figure(plain):
                # "C6  LIQUIDATED DAMAGES", "五、违约责任": a heading naming the consequence holds
                # for the sums listed under it, until the next heading
                word = PENALTY.search(plain)
                short = len(plain) <= (20 if _CJK_CHAR.search(plain) else 40)
                # (or a sentence that ends in a colon: "Vendor shall pay, as liquidated damages
                # and not as a penalty:" ⏎ "a) $500 for each …")
                lead_in = plain.rstrip().endswith((":", "："))
                self._penalty_heading = (
                    word.group(0) if word is not None and (short or lead_in) else None
                )
                # "8. Warranty on parts" ⏎ "X-ray tubes …: 12 months from installation": the
                # terms under a heading naming the warranty are the warranty's
                self._warranty_heading = short and WARRANTY.search(plain) is not None
            elif self._penalty_heading is not None and PENALTY.search(plain) is None:
                return _with_penalty_word(sentence, self._penalty_heading)
            return sentence
        if not self._table_open:
            self._table_open = True
            word = PENALTY.search(sentence.plain)
            self._penalty_header = (
                word.group(0) if word is not None and not has_figure(sentence.plain) else None
            )
            return sentence
        if self._penalty_header is not None and PENALTY.search(sentence.plain) is None:
            return _with_penalty_word(sentence, self._penalty_header)
        return sentence

    def _contexts(self, sentence: Sentence) -> None:
        """A level or action named by a heading or label ("第一级 加急", "I级故障:",
        "Target response times") holds for the lines just below it, until a gap or another."""
        if not sentence.table_row:
            named = next(
                (
                    lvl
                    for s, e in phrases(sentence.plain)
                    if (lvl := severity_in(sentence.plain[s:e]))
                ),
                None,
            )
            if named is not None:
                self._same_line = (sentence.line, named)
                if self._level is not None and self._level[0] != named:
                    # "丙類故障：不影響售票…" then "（一）甲類故障：…": another level named on a
                    # line of its own ends the context of the one above
                    self._level = None
            defined = _DEFINES_NON_KIND.search(sentence.plain)
            if named is None and defined and not durations(sentence.plain):
                # "All other failures are Non-emergency. The Contractor shall attend within 1
                # business day …": the kind the sentence defines, for the rest of its line
                kind = category(defined.group(1) or defined.group(2))
                if kind is not None:
                    self._same_line = (sentence.line, kind[0])
                    self._labelled.setdefault(kind[0], kind[1])
        if sentence.line - self._last_line > 2:
            self._level = self._action = None
        self._last_line = sentence.line
        plain = unnumbered(sentence.plain).strip()
        spans = durations(plain)
        if sentence.table_row:
            self._level = None  # a table says its levels itself; none outlives it
            return
        if spans:
            return  # only a heading or a label line sets a context, not a term
        if _SECTION.match(sentence.plain) and severity_in(plain) is None:
            # "二、响应及处理时限": a new section of the text ends the level of a label above
            self._level = None
        head = re.split(r"[:：|,，(]", plain, maxsplit=1)[0].strip()
        short = len(head) <= (12 if _CJK_CHAR.search(head) else 24)
        level = severity_in(head) if short else None  # not "一级故障指全站停运…", a definition
        if level is not None:
            # "一般故障：指设备仍可降负荷运行的故障": a label that defines its level is no heading
            # of the lines below (a list of definitions names no level for what follows it)
            defines = _DEFINITION_REST.search(plain[len(head) :].lstrip(":：| "))
            self._level = (level, sentence.line) if defines is None else None
            self.severities_seen.add(level)
            # "第一级 紧急故障": the level's other name, for clauses that use it
            # (a level read by its form, "甲類", has no words of its own to take out)
            words = next((w for key, _zh, _en, w in SEVERITIES if key == level), None)
            other = severity_in(words.sub(" ", head)) if words is not None else None
            if other is not None and other != level:
                self.aliases.setdefault(other, level)
        if len(plain) <= 60:
            shapes = {w.shape for w in SHAPES if w.words.search(plain)}
            if len(shapes) == 1 and re.search(r"时间|时限|time|target", plain, re.I):
                self._action = (SHAPE_BY_NAME[shapes.pop()], sentence.line)

    def _scheme(self, sentence: Sentence) -> None:
        """A sentence that classes faults into two or more levels of a known scheme by their
        bare words ("Faults are classed as Critical, Major or Minor", "故障分为紧急、重要和一般
        三级") declares them, whether or not a target names each later."""
        plain = sentence.plain
        if sentence.table_row or not SCHEME_CUE.search(plain):
            return
        bare = re.sub(r"[(（][^)）]*[)）]", " ", plain)  # not a word of a level's definition
        named = {key for key, words in LEVEL_WORDS.items() if words.search(bare)}
        if len(named) >= 2:
            self.declared |= named
            self.severities_seen |= named
            # "Critical (…), Major (…) or Minor (…)": a list of levels, no heading of one
            if self._level is not None and self._level[1] == sentence.line:
                self._level = None

    def _declared_level(self, plain: str) -> str | None:
        """The one declared level a sentence names by its bare word ("For a Critical
        breakdown …"), if it names just one."""
        named = {
            key
            for key in self.declared
            for match in LEVEL_WORDS[key].finditer(plain)
            # an English level word as a defined term: capitalised, and no part of a compound
            # ("the low-voltage panel", "a major overhaul" name no level)
            if not match.group(0)[0].islower() and plain[match.end() : match.end() + 1] != "-"
        }
        return named.pop() if len(named) == 1 else None

    def _table_row(self, sentence: Sentence) -> bool:
        if self._grid_row(sentence):
            return True
        header = asset_header(sentence)
        if header is not None:
            self._asset_columns = header
            return True
        if self._asset_columns is None:
            return False
        row = asset_row(sentence, self._asset_columns)
        if isinstance(row, BadRow):
            self._review(NOT_UNDERSTOOD, sentence, row.reason)
        else:
            self.assets.append(row)
        return True

    def _fact(self, sentence: Sentence) -> bool:
        plain = sentence.plain.strip()
        for key, pattern in _FACTS:
            match = pattern.search(plain)
            if match is None:
                continue
            groups = [g for g in match.groups() if g is not None]
            if key == "accepted_on":
                try:
                    value: Any = date(int(groups[0]), int(groups[1]), int(groups[2]))
                except ValueError:
                    self._review(NOT_UNDERSTOOD, sentence, "an acceptance date that is no date")
                    return True
            else:
                value = groups[0].strip().rstrip("。.")
            self.facts.setdefault(key, (value, sentence))
            self.fact_mentions.append((key, value, sentence))
            return True
        if CONTRACT_PRICE.search(plain) and not sentence.table_row:
            sums = amounts(plain)
            if sums and not re.search(r"%|扣|罚|penalt|deduct", plain, re.I):
                self.facts.setdefault("price", (sums[0].value, sentence))
                self.fact_mentions.append(("price", sums[0].value, sentence))
                if _CNY.search(plain):
                    self.facts.setdefault("currency", ("CNY", sentence))
                return True
        return False

    def _hours(self, sentence: Sentence) -> bool:
        if not WORKING_DAY.search(sentence.plain):
            return False
        in_hours = _LEVELS_IN_HOURS.search(sentence.plain)
        if in_hours is not None:
            # "Severity 3 and Severity 4 times are counted in business hours only", "非紧急故障的
            # 时限只计算办公时间": those levels' targets are measured in working time
            # (``settle_calendars``)
            head = sentence.plain[: in_hours.end()]
            named = {key for key, _zh, _en, words in SEVERITIES if words.search(head)}
            # "C级故障仅于上班时间受理", "Priority 3 and 4 …": levels read by their form too
            named |= {
                level
                for piece in re.split(r"及|和|与|、|,|，|\band\b", head)
                if (level := ordinal_level(piece)) is not None
            }
            non = _NON_KIND_ANY.search(head)
            kind = category(non.group(0)) if non is not None else None
            if kind is not None:
                named.add(kind[0])
            if not named and not SEVERITIES_NAMED.search(head) and _ALL_TARGETS.search(head):
                named = {"*"}  # "Targets … count business hours only": every level's
            if named:
                self.office_levels = (named, sentence)
                if find_hours(sentence) is None and not durations(sentence.plain):
                    self._review(
                        ASSUMPTION,
                        sentence,
                        f"the targets of {', '.join(sorted(named))} are measured in working "
                        "time (the office calendar)",
                        "office",
                    )
                    return True
        hours = find_hours(sentence)
        if hours is None:
            return False
        if self.hours is not None and self.hours[0] != hours:
            self._review(
                CONFLICT,
                sentence,
                f"working hours stated twice differently (also {quote(self.hours[1])}); "
                "the draft keeps the first",
                "office",
            )
        elif self.hours is None:
            self.hours = (hours, sentence)
        if _OTHERS_IN_HOURS.search(sentence.plain):
            kept = {key for key, _zh, _en, words in SEVERITIES if words.search(sentence.plain)}
            if kept:
                self.office_but = (kept, sentence)
        if any(span.within for span in durations(sentence.plain)):
            # "acknowledge within 1 hour during business hours (Monday - Friday, 8:00-17:00)"
            self._commitments(sentence)
        return True

    def _cap(self, sentence: Sentence) -> bool:
        cap = find_cap(sentence)
        if cap is None:
            return False
        if cap.scope in self.caps:
            term = self.caps[cap.scope]
            if term.data != cap.terms:
                self._review(
                    CONFLICT,
                    sentence,
                    f"a second, different {cap.scope} cap; the draft keeps the first",
                    cap.scope,
                )
                term.notes.append(f"stated differently on line {sentence.line}")
            term.add_source(sentence)
        else:
            self.caps[cap.scope] = Term("caps", cap.scope, dict(cap.terms), [sentence])
        # "…每逾1小时罚款2000元，罚款总额以契约总价10%为上限": the penalty before the cap is a
        # clause of its own, read as one (never dropped with the cap's sentence)
        total = TOTAL_CAP.search(sentence.plain)
        if total is not None:
            cut = max(sentence.plain.rfind(mark, 0, total.start()) for mark in ",，;；")
            if cut > 0:
                before = Sentence(
                    sentence.line, sentence.text, sentence.plain[:cut], sentence.table_row
                )
                if isinstance(find_clause(before), FoundClause):
                    self._clause(before)
        return True

    def _extension(self, sentence: Sentence) -> bool:
        plain = sentence.plain
        if not (FINAL_INSPECTION.search(plain) and EXTEND.search(plain)):
            return False
        found = find_warranty(sentence)
        if found is None or found.extension is None:
            return False
        if self.extension is None:
            self.extension = Term(
                "clauses",
                "W-final",
                {
                    "name": {
                        "zh": "终验不合格延长保修期",
                        "en": "Failed final inspection extends the warranty",
                    },
                    "kind": "warranty_extension",
                    "extend_by": found.extension,
                    "on_event": {"type": "final_inspection", "attrs": {"passed": False}},
                },
                [sentence],
            )
        elif self.extension.data["extend_by"] != found.extension:
            self._review(
                CONFLICT,
                sentence,
                "a second, different warranty extension; the draft keeps the first",
                "W-final",
            )
            self.extension.notes.append(f"stated differently on line {sentence.line}")
        else:
            self.extension.add_source(sentence)
        return True

    def _clause(self, sentence: Sentence) -> bool:
        pieces = split_sums(sentence)
        if len(pieces) > 1 and all(isinstance(find_clause(p), FoundClause) for p in pieces):
            # "USD 150 for each hour …, and USD 300 per day for …": a clause per sum
            for piece in pieces:
                self._clause(piece)
            return True
        found = find_clause(sentence)
        if found is None:
            return False
        if isinstance(found, FoundClause) and _BEARS_BELOW.search(sentence.plain):
            # "单次金额低于800元的零部件由乙方承担": the parts the supplier pays for up to a sum,
            # a share of the costs, no penalty for a failure
            self._review(
                NOT_UNDERSTOOD,
                sentence,
                "the costs the supplier bears up to a sum (a share of the repair costs, no "
                "penalty for a missed target): no clause drafted; agree how it is invoiced",
            )
            return True
        if isinstance(found, Unread):
            self._review(
                NOT_UNDERSTOOD, sentence, f"reads like a penalty clause, but: {found.reason}"
            )
            return True
        if (
            self.clauses
            and self.clauses[-1][1].line == sentence.line
            and found.shapes
            and all(severity is None for _shape, severity, _target in found.shapes)
            and _NO_SUBJECT.match(found.condition)
        ):
            # "甲类故障逾到场时限者，每逾1小时罚…；逾修复时限者，每逾1小时罚…": a condition
            # with no subject goes on about the one level the clause before it named
            levels = {severity for _shape, severity, _target in self.clauses[-1][0].shapes}
            if len(levels) == 1 and None not in levels:
                (level,) = levels
                found.shapes = [(shape, level, target) for shape, _s, target in found.shapes]
        if (
            found.kind != "costs"
            and not (found.shapes or found.inspection or found.site_rules)
            and _OUTCOME.search(found.condition)
            and not durations(found.condition)
        ):
            # "因空调故障导致手术取消的，每台次另扣5000元": a sum for what a fault led to, no
            # target missed; no event of the contract language marks the outcome
            self._review(
                NOT_UNDERSTOOD,
                sentence,
                "a penalty for an outcome of a fault (what it led to), not for a target missed: "
                "no commitment or event of the contract language marks it; no clause drafted — "
                "agree how it is claimed (e.g. a costs claim) and add it by hand",
            )
            return True
        self.clauses.append((found, sentence))
        negated = _NEGATED.search(found.condition)
        if found.inspection:
            # "每月巡检一次，漏检一次扣罚2000元", "每月巡检一次，未按时巡检的，每次扣…": the
            # duty is stated here too, before the failure the penalty is for
            head = found.condition[: negated.start()] if negated else found.condition
            stated = Sentence(sentence.line, sentence.text, head, sentence.table_row)
            if find_steps(stated):
                self._steps(stated)
                return True
        if not negated:
            # "30分钟内到达现场，否则每超时10分钟扣200元": the commitment is stated here too
            condition = Sentence(sentence.line, sentence.text, found.condition, sentence.table_row)
            self._commitments(condition, quiet=True)
        return True

    def _warranty(self, sentence: Sentence) -> bool:
        continued = (
            bool(self.warranty_sources)
            and self.warranty_sources[-1].line == sentence.line
            and not WARRANTY.search(sentence.plain)
        )
        in_section = self._warranty_heading and not sentence.table_row
        under_heading = (
            in_section
            and not WARRANTY.search(sentence.plain)
            and _YEARS_OR_MONTHS.search(sentence.plain) is not None
        )
        if continued or under_heading:
            # "The tube is warranted for 12 months; the complete system for 24 months"
            sentence = Sentence(
                sentence.line, sentence.text, sentence.plain + " (warranty)", sentence.table_row
            )
        found = find_warranty(sentence)
        if found is None or found.extension is not None:
            return False
        parts_first = any(
            said[0] in ("component", "key_part", "part") and said[3].line == sentence.line
            for said in self.warranty_statements
        )
        self.warranty_sources.append(sentence)
        for kind, term, scoped in found.scoped:
            unit_above = any(
                said[0] in ("unit", "subject") and said[3].line != sentence.line
                for said in self.warranty_statements
            )
            if (
                continued
                and kind == "subject"
                and (not parts_first or _LISTED.search(_before_term(sentence.plain)))
            ) or (in_section and kind in ("subject", "unit") and not scoped and unit_above):
                # (or, under a warranty heading, a thing of its own after the unit's line:
                # "Complete plant: 24 months." ⏎ "Compressors and pump motors: 5 years.")
                # "Terminals are warranted for 3 years; receipt printers and scanners for 1
                # year": a thing of its own after the line's first term, which named no part,
                # is a part, whose class (key part or other) the whole unit's term decides
                # (after a part — "X-ray tubes … 2 years; the rest of the system …" — it is
                # the unit, as before); a list of things ("…; print heads, build platforms and
                # resin tanks for 6 months") is parts, never the whole machine
                kind, scoped = "component", True
            self.warranty_statements.append((kind, term, scoped, sentence))
        if found.rewarranty is not None:
            self.rewarranty = self.rewarranty or (found.rewarranty, sentence)
        return True

    def _steps(self, sentence: Sentence) -> bool:
        steps = find_steps(sentence)
        if (
            not steps
            and self.steps
            and self.steps[-1][1].line == sentence.line
            and _VISIT_ONLY.search(sentence.plain)
        ):
            # "每月上门巡检保养一次；第二年起每两个月上门一次": the same line goes on about the
            # visits its first clause named, by frequency and visit alone
            steps = find_steps(Sentence(sentence.line, sentence.text, "巡检：" + sentence.plain))
        self.steps.extend((step, sentence) for step in steps)
        if steps:
            # "每季度巡检一次，并于巡检后5个工作日内提交巡检报告": the report's limit as well
            self._commitments(sentence, quiet=True)
        return bool(steps)

    def _grid_row(self, sentence: Sentence) -> bool:
        """A table whose columns are actions (响应时间 | 到场时间 | 修复时间) and rows levels, or
        whose columns are levels and rows actions. A header row sets the columns; the rows
        below are read by them."""
        cells = [c.strip() for c in sentence.plain.split("|")]
        in_table = (
            self._columns is not None
            or self._column_levels is not None
            or self._column_zones is not None
        )
        if in_table and cells and not cells[0] and self._row_label is not None:
            # a cell merged down the rows: the label of the row above holds for this one
            cells[0] = self._row_label
            sentence = Sentence(sentence.line, sentence.text, " | ".join(cells), True)
        row_unit = header_unit(cells[0]) if cells else None
        if (self._column_units or row_unit) and any(BARE_NUMBER.match(c) for c in cells[1:]):
            # "| 一级 | 30 | 2 |" under "| 级别 | 响应时间（分钟） | 到场时间（小时） |": the
            # unit of the header (or of the row's label) for the bare numbers of its cells
            units = self._column_units or {}
            cells = [
                with_unit(c, units.get(i) or row_unit) if i else c for i, c in enumerate(cells)
            ]
            sentence = Sentence(sentence.line, sentence.text, " | ".join(cells), True)
        if cells and cells[0]:
            self._row_label = cells[0]
        if not in_table and self._duty_rows(sentence, cells):
            return True
        if not durations(sentence.plain) and not amounts(sentence.plain):
            if any(BARE_NUMBER.match(c) for c in cells[1:]) and (in_table or self._label_rows):
                self._bare_cells(sentence, cells)
                return True
            actions = {
                i: shape for i, cell in enumerate(cells) if (shape := _cell_shape(cell)) is not None
            }
            if actions:
                # "| Event | Response | Attendance | Rectification |": a header cell no action
                # word names takes the action of its word's class (Rectification: the
                # equipment's state), listed for review
                for i, head in enumerate(cells):
                    if i in actions or not i or severity_in(head) or zone_in(head):
                        continue
                    inferred = cell_action(head, infer=True)
                    if inferred is not None and inferred.inferred is not None:
                        actions[i] = inferred.shape
                        self._review(
                            ASSUMPTION,
                            sentence,
                            f"no action word names the column '{head}': the draft reads it as "
                            f"'{inferred.shape.shape}' from the word '{inferred.inferred}'; "
                            "check it",
                        )
            units = {i: unit for i, head in enumerate(cells) if (unit := header_unit(head))}
            levels = {i: lvl for i, cell in enumerate(cells) if (lvl := severity_in(cell))}
            kinds: dict[int, tuple[str, str]] = {
                i: named
                for i, cell in enumerate(cells)
                if i and i not in levels and (named := category(cell)) is not None
            }
            if (
                kinds
                and len(levels) + len(kinds) >= 2
                and not actions
                and _ITEM_HEAD.match(cells[0])
                # "| 项目 | 频次 | 主要内容 |": a schedule of periodic work, no kinds of fault
                and not any(duty_column(cell) == "label" for cell in cells[1:])
            ):
                # "| 项目 | 受困救援 | 停梯故障 | 一般故障 |": the tender's kinds as columns
                for key, name in kinds.values():
                    self.categories.setdefault(key, name)
                levels.update({i: named[0] for i, named in kinds.items()})
            # "More than 50 miles from a depot": the band up to its distance, so that the rest
            # of the header ("depot") does not name the action of the row's cells
            zones = {
                i: cell[: band.end()] if (band := DISTANCE.search(cell)) else cell
                for i, cell in enumerate(cells)
                if i and zone_in(cell)
            }
            self._label_rows = False
            if len(zones) >= 2 and not actions and not levels:
                self._column_zones, self._columns, self._column_levels = zones, None, None
                self._column_units = units
                return True
            self._column_zones = None
            if len(levels) >= 2 and len(levels) > len(actions):
                self._column_levels, self._columns = levels, None
                self._column_units = units
                self.severities_seen.update(levels.values())
                return True
            if actions:
                self._columns, self._column_levels = actions, None
                self._column_units = units
                self._row_head = cells[0] if cells and 0 not in actions else None
                self._row_kinds = {}
                # "| 级别 | 到场（市区） | 到场（离岛） |": an action's column for one zone
                self._action_zones = {i: zones[i] for i in actions if i in zones}
                return True
            # "| 服务内容 | 时限要求 |": a header naming no role; its rows name their own
            self._label_rows = len(cells) >= 2 and not has_figure(sentence.plain)
            self._duty_columns = {
                i: (how, cell) for i, cell in enumerate(cells) if i and (how := duty_column(cell))
            }
            return False
        if self._column_zones is not None:
            action = _cell_shape(cells[0]) if cells else None
            if action is None:
                return False
            for i, zone in self._column_zones.items():
                if i < len(
                    cells
                ):  # "| Technician on site | 8 business hours | Next Business Day |"
                    cell = Sentence(sentence.line, sentence.text, f"{zone}: {cells[i]}", True)
                    self._commitments(cell, action=action, columns={0: action})
            self._bare_cells(sentence, cells)
            return True
        if self._column_levels is not None:
            action = _cell_shape(cells[0]) if cells else None
            if action is None and cells and self._act_above is not None and zone_in(cells[0]):
                # "| Within 30 miles | 4 hours | 8 hours |" under "| Site | Severity 1 |
                # Severity 2 |", the act named above the table: each level's zone row
                act = self._act_above
                for i, level in self._column_levels.items():
                    if i < len(cells) and durations(cells[i]):
                        plain = f"{cells[0]}: {cells[i]}"
                        cell = Sentence(sentence.line, sentence.text, plain, True)
                        self._commitments(cell, level=level, action=act, columns={0: act})
                return True
            if action is None:
                return self._acts_in_cells(sentence, cells, self._column_levels)
            for i, level in self._column_levels.items():
                if i < len(cells):
                    cell = Sentence(sentence.line, sentence.text, cells[i], True)
                    self._commitments(cell, level=level, action=action, columns={0: action})
            self._bare_cells(sentence, cells)
            return True
        if self._columns is not None:
            row_level = next((lvl for cell in cells[:2] if (lvl := severity_in(cell))), None)
            if row_level is None and self._row_head and cells and _BARE_LABEL.fullmatch(cells[0]):
                # "| 1 | 30 minutes |" under "| Category | Response |": the level "Category 1"
                row_level = severity_in(f"{self._row_head} {cells[0]}")
            named = category(cells[0], row=True) if row_level is None and cells else None
            if named is not None:  # | Entrapment | 45 minutes | 4 hours |
                first = self._row_kinds.get(named[0])
                if first is not None and first[0] != named[1]:
                    # "| Store down (all lanes) |" and "| Lane down |": the rows of one table
                    # are kinds of their own, even when one general word names both
                    self._split_kind(named[0], first)
                    named = (_own_key(named[1]), named[1])
                self._row_kinds.setdefault(named[0], (named[1], sentence.line))
                row_level = named[0]
                self.categories.setdefault(named[0], named[1])
            if row_level:
                self.severities_seen.add(row_level)
            if self._action_zones and not zone_in(cells[0]):
                # the zone its column's header names, said before each cell of that column
                cells = [
                    f"{self._action_zones[i]}: {cell}"
                    if i in self._action_zones and durations(cell)
                    else cell
                    for i, cell in enumerate(cells)
                ]
                sentence = Sentence(sentence.line, sentence.text, " | ".join(cells), True)
            self._commitments(sentence, level=row_level, columns=self._columns)
            self._bare_cells(sentence, cells)
            return True
        return self._label_row(sentence, cells)

    def _duty_rows(self, sentence: Sentence, cells: list[str]) -> bool:
        """A row below a header whose column names periodic work ("| Kitchen | Use |
        Specialist clean |" then "| Main kitchen | Heavy | every 3 months |"): the frequency of
        each such cell is that work's, and the label's when the column only says how often
        ("| Task | Frequency |" then "| Filter change | quarterly |")."""
        if not self._duty_columns or not self._label_rows or not cells:
            return False
        found = False
        for i, (how, head) in self._duty_columns.items():
            if i >= len(cells) or not has_frequency(cells[i]):
                continue
            work = cells[0] if how == "label" else head
            duty = Sentence(sentence.line, sentence.text, f"{work}: {cells[i]}", True)
            if how == "label" and not find_steps(duty):
                # "| 初效过滤器 | 每月一次 |" under "| 项目 | 频次 |": the header says how often
                # each row's work is done, whatever words name the work
                upkeep = "定期维护" if _CJK_CHAR.search(work) else "maintenance"
                duty = Sentence(sentence.line, sentence.text, f"{work} {upkeep}: {cells[i]}", True)
            found = self._steps(duty) or found
        return found

    def _acts_in_cells(self, sentence: Sentence, cells: list[str], levels: dict[int, str]) -> bool:
        """A row of a table whose columns are levels and whose cells name their own acts
        ("| Remote | Attend 4 hours, complete 8 hours | Attend 3 business days, … |"): each
        act of a cell a commitment of the column's level, in the row's zone when its label
        names one (any other label is the base row)."""
        acting = [
            i
            for i in levels
            if i < len(cells)
            and durations(cells[i])
            and sum(1 for w in SHAPES for _ in w.words.finditer(cells[i])) >= 1
        ]
        if not cells or not acting:
            return False
        zone = zone_in(cells[0])
        for i in acting:
            text = f"{cells[0]}: {cells[i]}" if zone else cells[i]
            cell = Sentence(sentence.line, sentence.text, text, True)
            self._commitments(cell, level=levels[i])
        self._bare_cells(sentence, cells)
        return True

    def _label_row(self, sentence: Sentence, cells: list[str]) -> bool:
        """A row outside a header of roles whose label names both a kind and an action
        ("| 困人救援到场 | 15分钟 |", "| Entrapment attendance | 30 minutes |"): each cell a
        commitment of that kind and action. A label naming only an action is read as any
        sentence is."""
        if len(cells) < 2 or has_figure(cells[0]) or not durations(" | ".join(cells[1:])):
            return False
        action = cell_action(cells[0], infer=True)
        if action is None:
            return False
        level = severity_in(cells[0])
        named: tuple[str, str] | None = None
        if level is None:
            rest = label_kind(cells[0], action)
            named = category(rest, row=True) if rest and not _AGENT.search(rest) else None
            level = named[0] if named is not None else None
        if level is None:
            return False
        if named is not None:
            self.categories.setdefault(named[0], named[1])
        self.severities_seen.add(level)
        columns = {i: action.shape for i in range(1, len(cells))}
        found = self._commitments(sentence, level=level, action=action.shape, columns=columns)
        if found and action.inferred is not None:
            self._review(
                ASSUMPTION,
                sentence,
                f"no action word names the row '{cells[0]}': the draft reads it as "
                f"'{action.shape.shape}' from the word '{action.inferred}'; check it",
            )
        return found

    def _bare_cells(self, sentence: Sentence, cells: list[str]) -> None:
        """Never silent: a cell of a table of terms holding a bare number no header gives a
        unit to is listed."""
        bare = [c for c in cells[1:] if BARE_NUMBER.match(c)]
        if bare:
            self._review(
                NOT_UNDERSTOOD,
                sentence,
                f"a bare number ({', '.join(bare)}) in a table cell whose header and row state "
                "no unit: the draft cannot tell a time limit from a count; add it by hand",
            )

    def _commitments(
        self,
        sentence: Sentence,
        quiet: bool = False,
        *,
        level: str | None = None,
        action: ShapeWords | None = None,
        columns: dict[int, ShapeWords] | None = None,
    ) -> bool:
        if level is None and self._same_line is not None and self._same_line[0] == sentence.line:
            level = self._same_line[1]  # "Severity 2: respond in 1 hour; resolve in 8 hours"
        if level is None and self._level is not None and not _EVERY_FAULT.search(sentence.plain):
            # not "（三）每次故障修复后，3个工作日内提交维修记录": every fault, whatever the
            # level of the heading or label above
            level = self._level[0]
        if action is None and self._action is not None:
            action = self._action[0]
        if level is None and self.declared and not sentence.table_row:
            level = self._declared_level(sentence.plain)
        if level is None and not sentence.table_row:
            label = _LABEL.match(sentence.plain)
            named = category(label.group(1)) if label else None
            if named is None:  # "第三条 修复时限：锅炉停炉故障须在6小时内恢复供热"
                rest = sentence.plain[label.end() :] if label else sentence.plain
                first = _KIND_FIRST.match(rest)
                named = category(first.group(1) or first.group(2)) if first else None
            if named is not None:  # "Entrapments: arrive within 45 minutes", "前端摄像机故障：…"
                level = named[0]
                self._labelled.setdefault(named[0], named[1])
                self._same_line = (sentence.line, level)
        named_sites = [name for name in self.sites if name in sentence.plain]
        if named_sites and not sentence.table_row:
            # "东湖分院60分钟内到达" with "东湖分院位于东湖县…" elsewhere: the site's zone
            plain = sentence.plain
            for name in named_sites:
                plain = plain.replace(name, f"{name}（{_zone_words(self.sites[name])}）")
            sentence = Sentence(sentence.line, sentence.text, plain, sentence.table_row)
        zoned = (
            self._zoned[1]
            if self._zoned is not None and 0 <= sentence.line - self._zoned[0] <= 1
            else None
        )
        if (
            zoned is None
            and self._line_act is not None
            and self._line_act[0] == sentence.line
            and _RELAXED.search(sentence.plain)
        ):
            # "一般故障次日到场；石门岭火化点放宽至48小时": the act of the clause before
            zoned = self._line_act[1]
        found = find_commitments(sentence, level=level, action=action, columns=columns, zoned=zoned)
        carried: tuple[str, str] | None = None
        for item in found:
            if isinstance(item, Unclear):
                if not quiet:
                    self._review(
                        NOT_UNDERSTOOD,
                        sentence,
                        f"a time limit ({item.phrase}) whose action (answer, dispatch, arrive, "
                        "repair, plan, report, call back, factory repair) could not be told",
                    )
                continue
            if isinstance(item, OpenZone):
                if not quiet:
                    self._review(
                        NOT_UNDERSTOOD,
                        sentence,
                        f"the target for zone {item.zone} is left open ({item.phrase}): agree "
                        "one and add it to the commitment's targets",
                    )
                continue
            if item.shape.shape == "hand-in-report" and _PERIOD_REPORT.search(sentence.plain):
                # "每月首10个工作天内提交上月服务报告": the month's report, not a fault's (no
                # ticket starts its clock)
                if not quiet:
                    self._review(
                        NOT_UNDERSTOOD,
                        sentence,
                        f"a report of the past period ({item.phrase}): no fault's report; no "
                        "commitment drafted (agree how it is tracked)",
                    )
                continue
            own = _phrase_kind(item.phrase) if not sentence.table_row else None
            if own is None and item.severity is None and not sentence.table_row:
                # "For a truck that is down and blocking a bay, a technician shall be on site
                # within 3 hours": the kind named once, in an earlier phrase of the sentence
                kinds = {
                    k
                    for a, b in phrases(sentence.plain)
                    if (k := _phrase_kind(sentence.plain[a:b]))
                }
                own = kinds.pop() if len(kinds) == 1 else None
            if own is None and item.severity is None and not sentence.table_row:
                own = self._kind_named(sentence.plain)
            if (
                own is None
                and carried is not None
                and item.severity == level
                and severity_in(item.phrase) is None
            ):
                # "其他故障8小时内到达现场，24小时内修复": the phrase's kind runs on to the
                # phrases after it that name none
                own = carried
            if own is not None:
                carried = own
            if own is not None and own[0] != item.severity:
                # "制冷机组停机故障8小时内修复，一般故障48小时内修复": each phrase its own kind
                self.categories.setdefault(own[0], own[1])
                item = replace(item, severity=own[0])
            if item.inferred is not None and _BUYER_ACTS.search(sentence.plain):
                # "Where a stoppage is not cleared within 60 minutes, the Owner's staff will
                # start …": the limit starts the buyer's own act, no commitment of the supplier
                if not quiet:
                    self._review(
                        NOT_UNDERSTOOD,
                        sentence,
                        f"a time limit ({item.phrase}) after which the buyer acts: not read as "
                        "a commitment of the supplier's; check it",
                    )
                continue
            if item.severity in self._labelled:
                self.categories.setdefault(item.severity, self._labelled[item.severity])
            self._commitment(item, sentence)
            self._line_act = (sentence.line, item.shape)
            if item.zone is not None:
                self._zoned = (sentence.line, item.shape)
            if item.inferred is not None and not quiet:
                self._review(
                    ASSUMPTION,
                    sentence,
                    f"no action word names the time limit {item.target} ({item.phrase}): the "
                    f"draft infers '{item.shape.shape}' from the word '{item.inferred}'; check it",
                )
            if item.ranged and not quiet:
                self._review(
                    CONFLICT,
                    sentence,
                    f"a range of targets ({item.phrase}): the draft keeps the upper end "
                    f"{item.target}; agree one figure",
                )
        return bool(found)

    def _kind_named(self, plain: str) -> tuple[str, str] | None:
        """The tender's own kind, declared earlier by a label, that a later sentence names in
        passing ("a written trouble report … within 3 business days after each off-air
        fault"): the only one it names, by its key's words; "other" and "down" are words of
        any sentence, not names."""
        named = [
            (key, name)
            for key, name in self.categories.items()
            if key not in ("other", "down")
            and len(key) >= 2
            and (
                # a Chinese kind named as a fault ("大部件故障处理完毕后…"), not its noun alone
                # ("需返厂维修的仪器" names no 仪器故障)
                (
                    _CJK_CHAR.search(key) is not None
                    and re.search(rf"(?<!非){re.escape(key)}(?:类|類)?故障", plain) is not None
                )
                or re.search(
                    rf"(?<![\w-]){'[- ]'.join(map(re.escape, key.split('-')))}(?![\w-])",
                    plain,
                    re.I,
                )
            )
        ]
        return named[0] if len(named) == 1 else None

    def _split_kind(self, key: str, first: tuple[str, int]) -> None:
        """The commitments of an earlier row read as the general kind ``key`` take the row's
        own name (a second row named the same general kind in other words)."""
        name, line = first
        own = _own_key(name)
        for (shape, severity, zone), (term, found) in list(self.commitments.items()):
            if severity == key and any(source.line == line for source in term.sources):
                del self.commitments[(shape, severity, zone)]
                self.commitments[(shape, own, zone)] = (term, replace(found, severity=own))
        self.categories[own] = name
        self.severities_seen.add(own)
        if not any(severity == key for (_s, severity, _z) in self.commitments):
            self.categories.pop(key, None)
            self.severities_seen.discard(key)
        self._row_kinds[own] = first
        self._row_kinds.pop(key, None)

    def _commitment(self, found: FoundCommitment, sentence: Sentence) -> None:
        if found.severity:
            self.severities_seen.add(found.severity)
        key = (found.shape.shape, found.severity, found.zone)
        if key not in self.commitments:
            term = Term("commitments", "", {}, [sentence])
            self.commitments[key] = (term, found)
            return
        term, kept = self.commitments[key]
        if (kept.target, kept.calendar) == (found.target, found.calendar):
            term.add_source(sentence)
            return
        stricter = found if found.seconds < kept.seconds else kept
        first = term.sources[0]
        message = (
            f"the same commitment is stated twice with different targets: {kept.target} "
            f"({quote(first)}) and {found.target} ({quote(sentence)}); the draft keeps the "
            f"stricter {stricter.target}"
        )
        term.reviews.append(self._review(CONFLICT, sentence, message))
        term.notes.append(message)
        term.add_source(sentence)
        self.commitments[key] = (term, stricter)

    def _postponement(self, sentence: Sentence) -> bool:
        plain = sentence.plain
        if not (POSTPONE.search(plain) and WARRANTY.search(plain)):
            return False
        double = "双倍" in plain or "twice" in plain.lower()
        if find_measure(sentence) is not None and _FLOOR.search(plain):
            self._measure(sentence)  # "年开机率不低于95%，低于95%的，质保期双倍顺延"
        postponed = POSTPONE.search(plain)
        assert postponed is not None
        fixed = [s for s in durations(plain[postponed.end() :]) if s.unit in ("mo", "y")]
        if fixed and not double:
            # "同一设备因同一原因维修满3次的，质保期顺延12个月": a fixed extension on a condition
            # no event of the contract language marks (W-final is a failed final inspection)
            self._review(
                NOT_UNDERSTOOD,
                sentence,
                f"the warranty is extended by {target_text(fixed[0])} on a condition no event "
                "of the contract language marks (a warranty_extension clause fires on an event: "
                "W-final on a failed final inspection); extend the affected assets' warranty by "
                "hand when it happens",
            )
            return True
        self._review(
            NOT_UNDERSTOOD,
            sentence,
            "the warranty is postponed by the time out of service"
            + (" twice over (双倍顺延)" if double else " (顺延)")
            + ": the contract language has no such clause; extend the affected assets' "
            "warranty by hand (assets' accepted_on) or agree a fixed extension",
        )
        return True

    def _measure(self, sentence: Sentence) -> bool:
        found = find_measure(sentence)
        if found is None:
            return False
        # "网络可用率每月不低于99.5%，用户满意度不低于90%": a measure per phrase
        parts = [
            part
            for s, e in phrases(sentence.plain)
            if (
                part := find_measure(
                    Sentence(sentence.line, sentence.text, sentence.plain[s:e], sentence.table_row)
                )
            )
        ]
        if len({part[0]["kind"] for part in parts}) < 2:
            parts = [found]
        for data, note in parts:
            self.measures.append((data, sentence))
            if note:
                self._review(ASSUMPTION, sentence, note, data["id"])
        return True

    def _leading_measure(self, sentence: Sentence) -> bool:
        """A sentence that states a measure's floor first and its penalty after."""
        penalty = PENALTY.search(sentence.plain)
        found = find_measure(sentence)
        if penalty is None or found is None:
            return False
        at = next(w for k, w in MEASURES if k == found[0]["kind"]).search(sentence.plain)
        if at is None or at.start() > penalty.start() or not _FLOOR.search(sentence.plain):
            return False
        return self._measure(sentence)

    def _contact(self, sentence: Sentence) -> None:
        found = find_contact(sentence)
        if found is not None:
            self.contacts.append((found, sentence))
        unread = unread_phones(sentence.plain)
        if unread:  # never silent: a phone number of a form no rule reads yet
            self._review(
                NOT_UNDERSTOOD,
                sentence,
                f"{', '.join(unread)} looks like a phone number the draft did not read: add the "
                "contact by hand",
            )


#: A floor stated as such ("不低于97%", "at least 95%"), not a trigger ("低于97%的").
_FLOOR = re.compile(
    r"不低于|不少于|不小于|达到|应达|≥|at least|no less than|not less than|minimum of", re.I
)
#: A label before a colon; a bracketed description in it counts as one character, however long
#: ("Off-air faults (station silent, or operating below 50% of licensed power):").
_LABEL = re.compile(
    r"^\s*(?:\d+(?:\.\d+)*\.?\s+|\d+[.、)]\s*)?"
    r"((?:[^:：|(（]|[(（][^:：|()（）]{0,160}[)）]|[(（]){1,60}?)\s*[:：]"
)
#: "影响病人安全之故障，应于2小时内到院": a kind of fault named first, as a label would.
_KIND_FIRST = re.compile(
    r"^\s*(?:\(?\d+[.、)]\s*)?([^,，:：|]{2,20}?(?:故障|事件|问题))\s*(?:[,，]|须|应|必须|需)"
    r"|^\s*(?:\(?\d+[.、)]\s*)?([^,，:：|]{2,12}?故障(?:致|导致|造成)[^,，:：|]{2,12}?)者\s*[,，]"
)
_CATEGORY_STOP = re.compile(
    r"note|remark|scope|contact|phone|e-?mail|time|target|hours|address|project|name|date"
    r"|备注|说明|^注$|联系|电话|热线|邮箱|时间|时限|期限|期间|地址|项目|名称|日期|合同|范围|方式|要求|承诺|标准"
    r"|叫修|报修|^处理|处理(?:方式|流程|程序|时限)?$|品质|质量|罚则|保固|定期|服务"
    # "| Item | Description | Location | Qty |": the columns of a list of the equipment
    r"|^(?:description|location|site|qty|quantity|model|make|brand|serial(?: (?:no\.?|number))?"
    r"|units?|no\.?|manufacturer|year(?: installed)?|asset(?: (?:no\.?|tag|number))?)$"
    r"|^(?:数量|型号|规格|品牌|位置|地点|单位|序号)$",
    re.I,
)
_CATEGORY_TAIL = re.compile(
    r"\s*(?:calls?|call-?outs?|requests?|faults?|incidents?|tickets?|issues?|problems?"
    r"|breakdowns?|failures?|故障|报修|事件|问题|类)$",
    re.I,
)
_CJK_CHAR = re.compile(r"[\u4e00-\u9fff]")
#: the text after a level's label that defines it ("指设备仍可降负荷运行的故障", "单列密集架不能电动
#:运行，但尚可手动开合的故障", "照明异常，仍可使用者", "means a loss of …"): a definition, not a
#: heading of what follows.
#: An English act and a colon before its first level's limit ("The Supplier will have a
#: technician on site: Critical within 2 hours").
_SERIES_HEAD = re.compile(r"^(?P<head>[^:：]{5,160}?)[:：]\s*(?P<item>[A-Z].*)$")
#: A level and its limit: "High within 30 minutes", "Priority 2 by the end of the next day".
_SERIES_ITEM = re.compile(
    r"^\s*(?P<level>[A-Za-z][\w-]*(?:\s+[\w-]+){0,2}?)\s+"
    r"(?P<rest>(?:within|by|in|no later than)\b.*)$"
)


def _with_penalty_word(sentence: Sentence, word: str) -> Sentence:
    """The sentence with the word of the heading or header above it that names the consequence
    ("credits", "liquidated damages") said before its first sum or percentage."""
    sums = [*amounts(sentence.plain)]
    if CONTRACT_PRICE.search(sentence.plain):
        sums += percents(sentence.plain)  # "0.1% of the contract price per day", no measure
    if not sums:
        return sentence
    at = min(a.start for a in sums)
    lead = re.sub(r"^\s*[(（]?(?:[a-z]|[ivx]{1,4}|\d{1,3})[.)）]\s*", "", sentence.plain[:at])
    if unnumbered(lead).strip(" ([（)）|"):
        plain = f"{sentence.plain[:at]}{word} {sentence.plain[at:]}"
    else:
        # "a) $500 for each Severity 1 ticket for which …": the sum first, its condition after
        plain = f"{sentence.plain} | {word}"
    return Sentence(sentence.line, sentence.text, plain, sentence.table_row)


#: Costs the supplier bears below a sum: "单次金额低于800元的零部件由乙方承担", "parts costing
#: less than $500 each are borne by the Contractor".
_BEARS_BELOW = re.compile(
    r"(?:低于|不超过|不足|少于|以下)\s*\d[\d,.]*\s*元(?:以下|以内)?的?[^，,。；;]{0,16}?"
    r"由(?:乙方|中标人|供应商|承包商|投标人|承办商|厂商)(?:自行)?(?:承担|负担|支付)"
    r"|\d[\d,.]*\s*元(?:以下|以内)的?[^，,。；;]{0,16}?由(?:乙方|中标人|供应商|承包商|投标人|承办商|厂商)"
    r"(?:自行)?(?:承担|负担|支付)"
    r"|\b(?:below|under|up to|less than|not exceeding)\s+\S{0,4}\d[\d,.]*[^.;]{0,60}?"
    r"\b(?:borne|paid) by the (?:contractor|supplier|vendor)\b",
    re.I,
)
#: A limit changed for a place: "放宽至48小时", "is extended to 6 hours".
_RELAXED = re.compile(RELAXED_TO, re.I)
#: A class of sites defined by where they are: "A类：总馆、主城区6个分馆…".
_ZONE_CLASS_DEF = re.compile(r"^\s*([A-E])类\s*[:：]\s*(.+)$")
#: A report of the past month or quarter ("上月服务报告", "the previous month's report").
_PERIOD_REPORT = re.compile(
    r"上(?:一)?(?:个)?(?:月|季度|季|年度)[^，,。；;]{0,8}?(?:报告|报表)"
    r"|\b(?:previous|last|preceding) (?:month|quarter)(?:'s|’s)? [\w ]{0,20}?reports?\b",
    re.I,
)
#: A clause of its own: "B4.3 …", "5.2 …", "第三条".
_CLAUSE_NUMBER = re.compile(r"^\s*(?:[A-Z]?\d+(?:\.\d+)+\b|第[一二三四五六七八九十\d]+条)")
#: A visit named by itself: "上门一次", "到场1次", "one visit".
_VISIT_ONLY = re.compile(r"(?:上门|到场|到现场)\s*\d*\s*次|\bvisits?\b", re.I)
#: A sentence that points at the table after it: "within the times below", "如下表".
_TABLE_BELOW = re.compile(
    r"\b(?:below|as follows|following (?:table|times|targets))\b|(?:下表|如下|以下)", re.I
)
#: A term of years or months ("5 years", "12个月").
_YEARS_OR_MONTHS = re.compile(r"\d+\s*(?:years?|yrs?|months?|年|个月|月)", re.I)
#: The heading of a section of the text: "二、…", "第三章 …", "第2条 …".
_SECTION = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+、|第[一二三四五六七八九十\d]+[章节節条條部])"
)
_DEFINITION_REST = re.compile(
    r"^(?:是指|系指|指|即|means\b|refers to\b|is defined as\b)"
    # "…、门禁及视频等附属设施异常": the cases of the level, what they are of named between
    r"|^.{6,}(?:的|等)[\u4e00-\u9fff]{0,6}?(?:故障|问题|情况|事件|缺陷|異常|异常|問題)[；;。.]?$"
    # "空调、照明等异常，舱体仍可使用者": the cases that are of the level, closed by 者
    r"|^.{6,}[\u4e00-\u9fff]者[；;。.]?$",
    re.I,
)
#: A row label's rest that names who acts, not a kind of fault ("工程师到场", "Engineer on site").
_AGENT = re.compile(
    r"工程师|技术员|技术人员|人员|专人|服务商|维保单位|乙方|我方|厂家|供应商"
    r"|engineer|technician|staff|personnel|team|vendor|contractor|supplier|provider|mechanic",
    re.I,
)


#: A phrase that begins with its own kind of fault ("制冷机组停机故障8小时内修复").
_PHRASE_KIND = re.compile(
    r"^\s*(?:[(（]?\d+[.、)）]\s*)?(?:[^,，:：|\d]{0,8}?(?:发生|出现|遇到|如遇|遇有))?"
    r"([^,，:：|\d]{2,14}?故障)\s*(?:时|的)?\s*(?:须|应|必须|需|要)?\s*(?:在|于)?"
    r"\s*(?:(?:到场|到达现场|到达|抵达)后)?\s*(?:\d|$)"
)
_OTHER_LABEL = re.compile(r"^(?:all )?(?:other|remaining)\b|^(?:其他|其它|其余)", re.I)
_CLASS = re.compile(r"^([A-Ea-e])\s*[类級级]$")
_ITEM_HEAD = re.compile(
    r"^(?:服务)?(?:项目|内容|类别|事项|要求|指标|标准)$|^时限(?:要求)?$"
    r"|^(?:item|service|category|metric|(?:service )?requirement)s?$",
    re.I,
)
_EN_CLASS = re.compile(
    r"^(?:category|class|type|cat\.?|severity|priority|level|grade)\s+([A-E])$", re.I
)
#: A name made only of words for any fault or any call ("故障", "故障召唤", "报修服务",
#: "Fault call-outs", "Service requests"): every call, no kind of its own.
_GENERIC = re.compile(
    r"^(?:(?:故障|报修|叫修|事件|问题|召唤|呼叫|维修|服务|响应|处理)){1,3}$"
    r"|^(?:(?:faults?|breakdowns?|service|repair|maintenance)[ -])?"
    r"(?:faults?|calls?|call-?outs?|incidents?|breakdowns?|requests?)$",
    re.I,
)


#: A sentence that defines the lesser kind: "All other failures are Non-emergency",
#: "其余故障为非紧急故障".
_NON_KIND_ANY = re.compile(
    r"non-?(?:critical|urgent|emergency)\b|非(?:紧急|急)(?:维修|故障|报修|召唤|呼叫|事件)?", re.I
)
_DEFINES_NON_KIND = re.compile(
    r"\b(?:is|are)\s+(?:(?:an?|the)\s+)?(?:treated as\s+|classed as\s+)?"
    r"(non-?(?:critical|urgent|emergency))\b(?:\s+(?:calls?|faults?|failures?|requests?))?\s*$"
    r"|(?:为|属于|属|是)\s*(非(?:紧急|急)(?:故障|维修|报修)?)\s*$",
    re.I,
)
_NON_KIND = re.compile(
    r"^\s*(?:[(（]?\d+(?:\.\d+)*[.、)）]?\s*)?(?:就|对于|对|如属|凡属|属于|若为|如为)?\s*"
    r"(non-?(?:critical|urgent|emergency)\b"
    r"|非(?:紧急|急)(?:维修|故障|报修|召唤|呼叫|事件)?)",
    re.I,
)


#: A penalty's condition that opens with the failure itself, naming no fault or level
#: ("逾修复时限者", "超过修复时限的", "未能按时修复的").
_NO_SUBJECT = re.compile(r"\s*(?:逾|超过|超出|超时|未能|未按|迟于|晚于|延误)")
#: A condition on a limit whose consequence is the buyer's own act ("Where a stoppage is not
#: cleared within 60 minutes, the Owner's supervisor will begin …", "如2小时内未能排除，甲方将自行
#: 处理"): the limit is a trigger, not a target of the supplier's.
_BUYER_ACTS = re.compile(
    r"^(?:\d+(?:\.\d+)*\s+)?(?:where|if|should|when)\b[^,;]{0,160}?\bnot\b[^,;]{0,80}?,\s*"
    r"(?:the\s+)?(?:principal|owner|client|employer|purchaser|customer|buyer|authority|hospital"
    r"|council)(?:'s\s+[\w -]{1,30}?)?\s+(?:will|may|shall|can|is entitled to|has the right to)\b"
    r"|(?:如|若|倘)[^，,；;。]{0,40}?未能?[^，,；;。]{0,20}?[，,]\s*"
    r"(?:甲方|业主|采购人|招标人|本院|本馆|院方|馆方|用户)(?:将|有权|可|得)",
    re.I,
)
#: A sentence about every fault, whatever its level ("每次故障修复后", "所有故障", "after every
#: incident"): no level of a heading or label above holds for it.
_EVERY_FAULT = re.compile(
    r"(?:每次|每一次|每起|所有|任何|各类|各级|全部)(?:的)?(?:故障|报修|叫修|维修|事件|问题)"
    # "每次紧急抢修或故障修复完成后": a level's repair or any fault's
    r"|(?:每次|每一次|每起)[^，,；;。]{1,6}?(?:或|或者|及|和|与)(?:其他|一般)?(?:故障|报修|维修)"
    r"|\b(?:each|every|all|any)\s+(?:faults?|incidents?|calls?|repairs?|breakdowns?|tickets?)\b",
    re.I,
)


def _zone_words(zone: str) -> str:
    """Words of a zone that ``zone_in`` reads back: 郊县, "beyond 100 km"."""
    band = re.fullmatch(r"(within|beyond)-(\d+)(km|mi)", zone)
    if band is not None:
        return f"{band.group(1)} {band.group(2)} {'km' if band.group(3) == 'km' else 'miles'}"
    return next(z for key, z, _en, _w in ZONES if key == zone)


def _phrase_kind(phrase: str) -> tuple[str, str] | None:
    """The kind of fault a phrase names of its own: first in a Chinese phrase
    ("制冷机组停机故障8小时内修复"), in passing in an English one ("for a machine that is
    down", "for all other calls")."""
    if severity_in(phrase) is not None and not _NON_KIND.match(phrase):
        return None
    non = _NON_KIND.match(phrase)
    if non:  # "Non-critical faults will be attended …", "非紧急维修须于2个工作天内到场"
        return category(non.group(1))
    if not _CJK_CHAR.search(phrase):
        if DOWN_KIND.search(phrase):
            return "down", "Down"
        if OTHER_KIND.search(phrase):
            return "other", "Other"
        return None
    match = _PHRASE_KIND.match(phrase)
    return category(match.group(1)) if match else None


def _own_key(name: str) -> str:
    """The key of a kind by its whole name ("Store down" → store-down, 停梯故障 → 停梯)."""
    if _CJK_CHAR.search(name):
        return re.sub(r"(?:故障|问题|事件)$", "", name) or name
    return "-".join(re.findall(r"[a-z0-9]+", name.lower())) or name


_PREPOSITION = re.compile(
    r"\s+(?:on|in|at|for|of|with|during|outside|within|affecting|where|that|which)\b.*$", re.I
)
_ABBREVIATION = re.compile(r"[(（]\s*([A-Z][A-Z0-9]{1,5})\s*[)）]")


def category(label: str, *, row: bool = False) -> tuple[str, str] | None:
    """A kind of call or fault the tender sets targets by ("Entrapments", "Shutdown calls",
    "前端摄像机故障") when it names no level of a known scheme: its key and its name. The
    first cell of a table row may name it with digits ("24x7x4", "9x5 NBD") when the cell holds
    no figure; a long English name is cut at its first preposition ("Vehicle off road (VOR)
    breakdowns on route" is vehicle-off-road), and a bracketed abbreviation is kept in the
    name (penalties name the kind by it)."""
    abbreviation = _ABBREVIATION.search(label)
    text = re.sub(r"\s*[(（][^)）]*[)）]", "", unnumbered(label)).strip()
    digits_ok = row and re.search(r"[A-Za-z]", text) is not None and not has_figure(text)
    if not text or (re.search(r"\d", text) and not digits_ok) or _CATEGORY_STOP.search(text):
        return None
    if not _CJK_CHAR.search(text) and len(text.split()) > 4:
        cut = _CATEGORY_TAIL.sub("", _PREPOSITION.sub("", text)).strip()
        if cut and cut != text and len(cut.split()) <= 4:
            found = category(cut, row=row)
            if found is not None and abbreviation is not None:
                return found[0], f"{found[1]} ({abbreviation.group(1)})"
            return found
    if _GENERIC.match(text):
        return None  # "故障须在24小时内修好": any fault, not a kind of its own
    if DOWN_KIND.search(text):
        return "down", text
    if (OTHER_KIND.search(text) or _OTHER_LABEL.search(text)) and len(text.split()) <= 4:
        return "other", text
    klass = _CLASS.match(_CATEGORY_TAIL.sub("", text).strip()) or _EN_CLASS.match(text)
    if klass:
        return f"class-{klass.group(1).lower()}", text
    if zone_in(text) or severity_in(text) or any(w.words.search(text) for w in SHAPES):
        return None
    chinese = bool(_CJK_CHAR.search(text))
    caused = re.search(r"故障(?:致|导致|造成)(.{2,12})$", text) if chinese else None
    if caused:  # "充电桩故障致车辆无法充电": the kind is what the fault causes
        return category(caused.group(1))
    needing = re.match(r"(.{2,8}?)故障(?:需要|需|须|要|必须).{2,10}$", text) if chinese else None
    if needing:  # "大部件故障需吊装更换": the kind is what fails, not what its repair needs
        return category(needing.group(1))
    if chinese and len(text) > 12:
        # "道闸无法抬杆等影响车辆通行的故障": examples, then the kind they belong to
        short = re.split(r"等|即|之类", text)[-1].strip()
        if short != text and 2 <= len(short) <= 12:
            return category(short)
    if (chinese and len(text) > 12) or (not chinese and len(text.split()) > 4):
        return None
    base = _CATEGORY_TAIL.sub("", text).strip() or text
    if chinese:
        if re.match(r"(?:就|对于|对|如属|凡属|属于|若为|如为)?非(?:紧急|急)", base):
            return "non-emergency", text  # 非紧急故障, 非紧急召唤: the level below emergency
        base = re.sub(r"[之的]$", "", base) or base
        return base, text
    words = base.lower().split()
    if (
        len(words) == 1
        and len(words[0]) > 4
        and words[0].endswith("s")
        and not words[0].endswith("ss")
    ):
        words[0] = words[0][:-1]  # "Entrapments" names the kind "entrapment"
    key = "-".join(re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)*", " ".join(words)))
    return (key, text) if key else None


def _has_target(plain: str) -> bool:
    """A force-majeure proviso inside a real commitment ("不可抗力除外，2小时内到达现场")."""
    if not re.search(
        r"除(?:因)?不可抗力(?:因素)?(?:外|以外|之外)|不可抗力(?:因素)?除外"
        r"|(?:except|excluding|other than)(?: in cases? of| for)? force majeure",
        plain,
        re.I,
    ):
        return False
    return any(isinstance(found, FoundCommitment) for found in find_commitments(_bare(plain)))


def _bare(plain: str) -> Sentence:
    return Sentence(0, plain, plain)


#: "… by a competent engineer", "… by the Contractor's technician": who does the act, at the
#: end of a row label.
_BY_WHOM = re.compile(
    r"\s+by\s+(?:an?\s+|the\s+)?(?:[\w'’-]+\s+){0,3}?(?:engineers?|technicians?|staff|crews?"
    r"|fitters?|mechanics?|contractor|supplier|person|personnel)\s*$",
    re.I,
)
_MAKE_SAFE = re.compile(r"\bmake[- ]safe\b", re.I)


def _cell_shape(cell: str) -> ShapeWords | None:
    """The action a table header cell names (响应时间, 修复时间, Resolution …); its unit
    ("Tool returned to production (hours)") is no part of its name's length."""
    cell = without_clock_start(strip_unit(cell)) if cell else cell
    head, comma, rest = (cell or "").partition(",")
    if comma and zone_in(rest) and not zone_in(head):
        cell = head  # "Technician on site, offices beyond 30 miles": the act; the zone after
    if cell and len(cell) > 30 and not re.search(r"\d", cell):
        # "Telephone response by competent engineer": who acts is no part of the action's name
        cell = _BY_WHOM.sub("", cell)
    # an English label of a state restored is longer ("Plant restored to normal operation")
    longer = re.search(r"\b(?:restored|returned|brought back) to\b", cell or "", re.I)
    if not cell or len(cell) > (40 if longer else 30):
        return None
    if DISTANCE.search(cell):
        return None  # "Within 50 miles of a depot": a distance band is a zone, not an action
    if re.fullmatch(
        r"call[- ]?back(?: time)?|calls? returned|return(?:ed)? calls?", cell.strip(), re.I
    ):
        # a "Callback" column, "Call returned by a certified mechanic": the first answer
        return SHAPE_BY_NAME["answer-the-call"]
    if _MAKE_SAFE.search(cell) and SHAPE_BY_NAME["fix-after-arrival"].words.search(cell):
        # "Make safe and restore service": the time runs until the service is back, the
        # later of the two acts the label names
        return SHAPE_BY_NAME["fix-after-arrival"]
    for words in SHAPES:
        if words.words.search(cell):
            return words
    return None


#: "Severity 3 and Severity 4 times are counted in business hours only", "三级、四级故障时限按工作
#: 时间计算": the levels named are served in working time.
_LEVELS_IN_HOURS = re.compile(
    r"\b(?:times?|targets?|limits?|clocks?)\b[^.;]{0,80}?\b(?:counted|measured|calculated|run"
    r"|counts?)\s+(?:(?:in|during|within|on)\s+)?(?:business|working|normal|office)"
    r" (?:hours|days|time)"
    r"|(?:时限|时间)[^，,；;。]{0,4}?(?:按|以|只|仅)(?:计算)?[^，,；;。]{0,6}?(?:办公|工作|上班)"
    r"(?:时间|日|时段)",
    re.I,
)
#: A sentence about the targets as a whole ("Targets are measured …", "所有时限", "各项时限").
_ALL_TARGETS = re.compile(
    r"^\s*(?:all |the )?(?:targets|times|limits)\b|(?:所有|全部|各项)时限", re.I
)
#: Any level's name in a sentence (numbered or named).
SEVERITIES_NAMED = re.compile(
    r"\b(?:priority|severity|sev|level|category|class|tier|P\d|S\d)\b|[一二三四甲乙丙]级|紧急|一般|重大",
    re.I,
)
#: "… during Business Hours for all other priorities", "其他级别故障在工作时间内".
_OTHERS_IN_HOURS = re.compile(
    r"\b(?:for )?all other (?:priorities|severities|severity levels|levels|priority levels)\b"
    r"|(?:其他|其它|其余)(?:级别|等级|优先级|各级)",
    re.I,
)


def settle_calendars(findings: Findings) -> None:
    """A tender that keeps some levels round the clock and serves all the others during
    business hours: the others' targets are measured in working time, and listed."""
    if findings.office_but is not None:
        kept, sentence = findings.office_but
        only: set[str] | None = None
    elif findings.office_levels is not None:
        kept, (only, sentence) = set(), findings.office_levels
    else:
        return
    every = only is not None and "*" in only  # "Targets … count business hours only"
    for key, (term, found) in list(findings.commitments.items()):
        if (found.severity is None and not every) or found.severity in kept:
            continue
        if found.calendar != ALWAYS:
            continue
        if only is not None and not every and found.severity not in only:
            continue
        findings.commitments[key] = (term, replace(found, calendar=OFFICE))
        note = (
            f"{found.target} is measured in working time (office): {quote(sentence)} serves "
            f"{found.severity} only during business hours"
        )
        term.notes.append(note)
        term.reviews.append(findings._review(ASSUMPTION, sentence, note))


#: The words around a warranty's term that name no thing ("… is warranted for", "Warranty on
#: parts: …").
_WARRANTY_FRAME = re.compile(
    r"\b(?:for|on|to|at|in|by|with|parts?|periods?|terms?|carr(?:y|ies)|given|provided)\b", re.I
)
#: "All other parts", "any other replacement parts", "其他零部件": the parts not named before.
_ALL_OTHER = re.compile(
    r"\b(?:all|any|the) other (?:\w+ )?(?:parts|components|spares)\b"
    r"|(?:其他|其它|其余)(?:零部件|部件|零件|配件)",
    re.I,
)


def settle_warranty(findings: Findings) -> None:
    """Per class, the term a scoped statement gives (成套设备质保期3年) wins over an unscoped one
    (质保期5年); two different scoped terms keep the longer. Every disagreement is listed.
    A part named by what it is (压缩机质保5年) is a key part when its term is longer than the
    whole unit's, another part when it is not; without a unit term it is the unit's."""
    said = findings.warranty_statements
    if not any(s[0] == "unit" and s[2] for s in said):
        # "Tubes, detectors and intensifiers: 12 months. All other parts: 6 months.": things
        # named in an unscoped statement, then the other parts: the things are parts too, key
        # parts when their term is longer than the other parts'
        for i, (kind, term, named, sentence) in enumerate(said):
            others = [
                o
                for o in said[i + 1 :]
                if o[0] in ("part", "replaced") and _ALL_OTHER.search(o[3].plain)
            ]
            subject = _WARRANTY_FRAME.sub(" ", WARRANTY.sub(" ", _before_term(sentence.plain)))
            if kind == "unit" and not named and others and _own_subject(subject):
                longer = _months(term) > max(_months(o[1]) for o in others)
                said[i] = ("key_part" if longer else "part", term, True, sentence)
    # (a key part named beside them — "new major components we supply: 24 months" — is the
    # longer term of a part fitted in the service, still no term of the units)
    findings.replaced_only = (
        bool(said)
        and any(s[0] == "replaced" for s in said)
        and all(s[0] in ("replaced", "key_part") for s in said)
    )
    # a part the supplier fits in the service is a part, beside the unit's term or alone (a
    # maintenance contract that warrants only the parts it replaces: no unit term at all)
    findings.warranty_statements = [
        ("part", s[1], True, s[3]) if s[0] == "replaced" else s for s in said
    ]
    statements = findings.warranty_statements
    if statements and all(s[0] in ("component", "key_part", "part") for s in statements):
        # "Printers are warranted for 12 months; the laser module for 24 months; print heads …
        # for 6 months", and no term for the whole anywhere: the thing the line's warranty
        # sentence names first, before the parts it goes on to, is the whole machine
        first = statements[0]
        later = [s for s in statements[1:] if s[3].line == first[3].line]
        if first[0] == "component" and later and WARRANTY.search(first[3].plain):
            statements[0] = ("unit", first[1], True, first[3])
    units = [s for s in findings.warranty_statements if s[0] == "unit"]
    scoped_units = [s for s in units if s[2]]
    if scoped_units:
        # a thing named in a sentence of its own ("The magnet is covered for 10 years") beside
        # the whole unit's scoped term: a part, as in one sentence
        findings.warranty_statements = [
            ("component" if s[0] == "subject" else s[0], s[1], s[2], s[3])
            for s in findings.warranty_statements
        ]
    else:
        findings.warranty_statements = [
            ("unit" if s[0] == "subject" else s[0], s[1], s[2], s[3])
            for s in findings.warranty_statements
        ]
        units = [s for s in findings.warranty_statements if s[0] == "unit"]
    unit_months = max((_months(s[1]) for s in scoped_units or units), default=None)
    resolved = []
    for kind, term, named, sentence in findings.warranty_statements:
        if kind == "component":
            if unit_months is None:
                kind, named = "unit", False
            else:
                kind = "key_part" if _months(term) > unit_months else "part"
        resolved.append((kind, term, named, sentence))
    findings.warranty_statements = resolved
    for kind in ("unit", "key_part", "part"):
        said = [s for s in findings.warranty_statements if s[0] == kind]
        if not said:
            continue
        scoped = [s for s in said if s[2]]
        pool = scoped or said
        best = max(pool, key=lambda s: _months(s[1]))
        findings.warranty_terms[kind] = (best[1], best[3])
        for other in said:
            if other[1] == best[1]:
                continue
            why = (
                "an unscoped statement; the scoped one wins"
                if best[2] and not other[2]
                else "the draft keeps the longer"
            )
            findings.reviews.append(
                Review(
                    CONFLICT,
                    f"warranty term for {kind} stated differently: {best[1]} "
                    f"({quote(best[3])}) and {other[1]} ({quote(other[3])}): {why}",
                    other[3].line,
                    other[3].text,
                    "warranty",
                )
            )


#: Several things named together ("print heads, build platforms and resin tanks").
_LISTED = re.compile(r",|\band\b|、|和|及")


def _before_term(plain: str) -> str:
    """A warranty phrase up to its term ("print heads, build platforms and resin tanks")."""
    spans = durations(plain)
    return plain[: spans[0].start] if spans else plain


def _months(term: str) -> float:
    number = int(re.sub(r"\D", "", term) or 0)
    if term.endswith("d"):
        return number / 30  # "90 days": three months, shorter than a year's unit term
    return number * 12 if term.endswith("y") else number
