"""Reading a tender sentence by sentence: what each sentence says, and what it leaves in doubt.

Theory of operation: the tender's sentences (``text.sentences``) are read in order, each by the
first recogniser that understands it, in this order: boilerplate (produces nothing), the
contract's facts (合同编号, 项目名称, 投标人, 招标人, contract price, acceptance date), the
working week (工作日为周一至周五9:00-17:30), a cap per contract year, a warranty extension on a
failed final inspection, a penalty or compensation clause, periodic inspections, warranty terms,
response commitments. A sentence none of them understands is listed for review when it carries a
time or money figure, and silently passed over when it does not (headings, prose).

What is found is kept as found (``Findings``): a commitment stated a second time with a different
target is a conflict at once (the stricter target is kept), but ids, links between clauses and
commitments, and assumptions are the assembly's (``assembly``), which runs once all is read.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from slaengine.drafting.assets import BadRow, FoundAsset, asset_header, asset_row
from slaengine.drafting.clauses import FoundClause, Unread, find_cap, find_clause
from slaengine.drafting.figures import amounts, has_figure
from slaengine.drafting.items import (
    CONFLICT,
    NOT_UNDERSTOOD,
    DraftOptions,
    Review,
    Term,
    quote,
)
from slaengine.drafting.responses import (
    FoundCommitment,
    FoundHours,
    Unclear,
    find_commitments,
    find_hours,
)
from slaengine.drafting.text import Sentence
from slaengine.drafting.upkeep import FoundStep, find_steps, find_warranty
from slaengine.drafting.vocabulary import (
    BOILERPLATE,
    CONTRACT_PRICE,
    EXTEND,
    FINAL_INSPECTION,
    WORKING_DAY,
)

_NEGATED = re.compile(
    r"^(?:如|若|如果)?(?:未|不能|未能|没有|无法|不)|\bif\b.*\b(?:not|fail)|fail", re.I
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


class Findings:
    """What the sentences say, read one by one (``read``); ``assembly`` makes terms of it."""

    def __init__(self, options: DraftOptions) -> None:
        self.options = options
        self.reviews: list[Review] = []
        self.commitments: dict[tuple[str, str | None], tuple[Term, FoundCommitment]] = {}
        self.clauses: list[tuple[FoundClause, Sentence]] = []
        self.caps: dict[str, Term] = {}
        self.warranty_terms: dict[str, tuple[str, Sentence]] = {}
        self.rewarranty: tuple[str, Sentence] | None = None
        self.warranty_sources: list[Sentence] = []
        self.extension: Term | None = None
        self.steps: list[tuple[FoundStep, Sentence]] = []
        self.hours: tuple[FoundHours, Sentence] | None = None
        self.assets: list[FoundAsset] = []
        self.facts: dict[str, tuple[Any, Sentence]] = {}
        self._asset_columns: dict[str, int] | None = None

    # --- reading ---------------------------------------------------------------------------

    def read(self, sentence: Sentence) -> None:
        if sentence.table_row and self._table_row(sentence):
            return
        if not sentence.table_row:
            self._asset_columns = None
        plain = sentence.plain
        if BOILERPLATE.search(plain):
            return
        for reader in (
            self._fact,
            self._hours,
            self._cap,
            self._extension,
            self._clause,
            self._steps,
            self._warranty,
            self._commitments,
        ):
            if reader(sentence):
                return
        if has_figure(plain):
            self._review(
                NOT_UNDERSTOOD,
                sentence,
                "has a time or money figure the draft did not understand: check whether it is "
                "a commitment and add it by hand",
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

    def _table_row(self, sentence: Sentence) -> bool:
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
            return True
        if CONTRACT_PRICE.search(plain) and not sentence.table_row:
            sums = amounts(plain)
            if sums and not re.search(r"%|扣|罚|penalt|deduct", plain, re.I):
                self.facts.setdefault("price", (sums[0].value, sentence))
                if _CNY.search(plain):
                    self.facts.setdefault("currency", ("CNY", sentence))
                return True
        return False

    def _hours(self, sentence: Sentence) -> bool:
        if not WORKING_DAY.search(sentence.plain):
            return False
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
        found = find_clause(sentence)
        if found is None:
            return False
        if isinstance(found, Unread):
            self._review(
                NOT_UNDERSTOOD, sentence, f"reads like a penalty clause, but: {found.reason}"
            )
            return True
        self.clauses.append((found, sentence))
        if not _NEGATED.search(found.condition):
            # "30分钟内到达现场，否则每超时10分钟扣200元": the commitment is stated here too
            condition = Sentence(sentence.line, sentence.text, found.condition, sentence.table_row)
            self._commitments(condition, quiet=True)
        return True

    def _warranty(self, sentence: Sentence) -> bool:
        found = find_warranty(sentence)
        if found is None or found.extension is not None:
            return False
        self.warranty_sources.append(sentence)
        for kind, term in found.terms.items():
            if kind in self.warranty_terms and self.warranty_terms[kind][0] != term:
                first = self.warranty_terms[kind]
                self._review(
                    CONFLICT,
                    sentence,
                    f"warranty term for {kind} stated twice: {first[0]} ({quote(first[1])}) and "
                    f"{term}; the draft keeps the longer",
                    "warranty",
                )
                if _months(term) > _months(first[0]):
                    self.warranty_terms[kind] = (term, sentence)
            else:
                self.warranty_terms.setdefault(kind, (term, sentence))
        if found.rewarranty is not None:
            self.rewarranty = self.rewarranty or (found.rewarranty, sentence)
        return True

    def _steps(self, sentence: Sentence) -> bool:
        steps = find_steps(sentence)
        self.steps.extend((step, sentence) for step in steps)
        return bool(steps)

    def _commitments(self, sentence: Sentence, quiet: bool = False) -> bool:
        found = find_commitments(sentence)
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
            self._commitment(item, sentence)
        return bool(found)

    def _commitment(self, found: FoundCommitment, sentence: Sentence) -> None:
        key = (found.shape.shape, found.severity)
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


def _months(term: str) -> int:
    number = int(re.sub(r"\D", "", term) or 0)
    return number * 12 if term.endswith("y") else number
