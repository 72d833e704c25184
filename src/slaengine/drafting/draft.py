"""Drafting a contract from a tender: every sentence read once, every term traced to its sentence.

Theory of operation: the tender's sentences (``text.sentences``) are read in order, each by the
first recogniser that understands it, in this order: boilerplate (produces nothing), the
contract's facts (合同编号, 项目名称, 投标人, 招标人, contract price, acceptance date), the
working week (工作日为周一至周五9:00-17:30), a cap per contract year, a warranty extension on a
failed final inspection, a penalty or compensation clause, warranty terms, periodic inspections,
response commitments. A sentence none of them understands is listed for review when it carries a
time or money figure, and silently passed over when it does not (headings, prose).

Once all sentences are read, the terms are put together: a commitment stated twice with
different targets keeps the stricter one and both sentences are listed as a conflict; clauses are
attached to the commitments their condition names (a clause may come before or after its
commitment in the tender); a commitment left without any clause is listed. Whatever the draft
had to assume (the working hours, the time zone, the re-warranty policy) is listed too. The
result is plain contract data plus ``Term``s (with sources and review notes) for the writer;
nothing here writes files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from slaengine.drafting.assets import BadRow, FoundAsset, asset_header, asset_row
from slaengine.drafting.clauses import FoundClause, Unread, find_cap, find_clause, money
from slaengine.drafting.figures import amounts, has_figure
from slaengine.drafting.items import (
    ASSUMPTION,
    CONFLICT,
    NO_PENALTY,
    NOT_UNDERSTOOD,
    UNLINKED,
    Review,
    Term,
    quote,
)
from slaengine.drafting.reading import read_tender
from slaengine.drafting.responses import (
    ALWAYS,
    OFFICE,
    FoundCommitment,
    FoundHours,
    Unclear,
    find_commitments,
    find_hours,
)
from slaengine.drafting.text import Sentence, sentences
from slaengine.drafting.upkeep import FoundStep, find_steps, find_warranty
from slaengine.drafting.vocabulary import (
    BOILERPLATE,
    CONTRACT_PRICE,
    EXTEND,
    FINAL_INSPECTION,
    SEVERITIES,
    SHAPE_BY_NAME,
    WORKING_DAY,
)
from slaengine.errors import SlaError


class DraftError(SlaError):
    """The tender lacks something a contract cannot do without, and no option gave it."""


@dataclass(frozen=True, slots=True)
class DraftOptions:
    id: str | None = None
    price: Decimal | None = None
    currency: str | None = None
    accepted_on: date | None = None
    timezone: str | None = None
    holidays: str = "CN"


@dataclass(slots=True)
class Draft:
    tender: Path
    #: the contract's top-level facts, in file order (id, version, name, ... accepted_on).
    facts: dict[str, Any]
    #: terms by section, in file order.
    sections: dict[str, list[Term]]
    reviews: list[Review]
    #: notes written above a section key (working hours or time zone assumed ...).
    section_notes: dict[str, list[str]] = field(default_factory=dict)

    def count(self, section: str) -> int:
        return len(self.sections.get(section, []))


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


class Drafter:
    """Reads sentences one by one (``read``), then assembles the draft (``finish``)."""

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

    # --- assembling ------------------------------------------------------------------------

    def finish(self, tender: Path) -> Draft:
        section_notes: dict[str, list[str]] = {}
        facts = self._facts(section_notes)
        commitments = self._commitment_terms()
        obligations = self._obligation_terms()
        clauses = self._clause_terms(commitments, obligations)
        for term in commitments:
            if not term.data.get("clauses"):
                note = "no penalty: the tender states no consequence for missing this target"
                term.notes.append(note)
                self.reviews.append(
                    Review(NO_PENALTY, note, term.sources[0].line, term.sources[0].text, term.id)
                )
        if not commitments:
            self.reviews.append(
                Review(
                    NOT_UNDERSTOOD,
                    "no response commitment was found in the tender (see `contract draft --text` "
                    "for the text as read)",
                    item="commitments",
                )
            )
        calendars = self._calendars(commitments, section_notes)
        sections: dict[str, list[Term]] = {
            "calendars": calendars,
            "commitments": commitments,
            "clauses": clauses,
            "caps": list(self.caps.values()),
            "warranty": self._warranty_terms(),
            "assets": self._asset_terms(),
            "obligations": obligations,
        }
        if sections["obligations"] and not (sections["warranty"] and sections["assets"]):
            self._obligation_without_warranty(sections)
        # by line, then by kind; review items about the whole contract (no line) come last
        self.reviews.sort(key=lambda r: (r.line or 10**9, REVIEW_ORDER.get(r.kind, 9)))
        return Draft(tender, facts, sections, self.reviews, section_notes)

    def _facts(self, notes: dict[str, list[str]]) -> dict[str, Any]:
        options = self.options
        found = {key: value for key, (value, _) in self.facts.items()}
        missing = []
        contract_id = options.id or found.get("id")
        price = options.price if options.price is not None else found.get("price")
        currency = options.currency or found.get("currency")
        accepted_on = options.accepted_on or found.get("accepted_on")
        for value, option, what in (
            (contract_id, "--id", "the contract id"),
            (price, "--price", "the contract price"),
            (currency, "--currency", "the currency"),
            (accepted_on, "--accepted-on", "the acceptance date"),
        ):
            if value is None:
                missing.append(f"{option} ({what})")
        if missing:
            raise DraftError(
                "the tender does not state " + ", ".join(missing) + ": give them as options"
            )
        timezone = options.timezone
        if timezone is None:
            timezone = "Asia/Shanghai"
            note = "time zone assumed Asia/Shanghai (the tender does not say; give --timezone)"
            notes["timezone"] = [note]
            self.reviews.append(Review(ASSUMPTION, note, item="timezone"))
        facts: dict[str, Any] = {"id": contract_id, "version": 1}
        for key in ("name", "supplier", "customer"):
            if key in found:
                facts[key] = {"zh" if _cjk(found[key]) else "en": found[key]}
        facts.update(
            {
                "currency": currency,
                "price": money(Decimal(str(price))),
                "timezone": timezone,
                "accepted_on": accepted_on,
                "severities": {key: {"zh": zh, "en": en} for key, zh, en, _ in SEVERITIES},
            }
        )
        return facts

    def _commitment_terms(self) -> list[Term]:
        terms: list[Term] = []
        used: set[str] = set()
        for (shape_name, severity), (term, found) in self.commitments.items():
            shape = SHAPE_BY_NAME[shape_name]
            target_id = found.target[:-1] + "min" if found.target.endswith("m") else found.target
            term_id = shape.id_pattern.format(t=target_id, sev=f"{severity}-" if severity else "")
            if term_id in used:
                term_id = f"{term_id}-{severity or len(used)}"
            used.add(term_id)
            term.id = term_id
            for review in term.reviews:
                review.item = term_id
            chinese = any(_cjk(s.text) for s in term.sources)
            english = f"{shape.en} within {_spoken(found.target, found.calendar)}"
            if severity:
                english += f" ({severity} faults)"
            term.data = {
                "use": shape_name,
                "name": {
                    "zh": found.phrase if chinese else _zh_name(found, shape.zh),
                    "en": english if chinese else found.phrase,
                },
                **({"applies_to": {"severity": severity}} if severity else {}),
                "target": found.target,
                "calendar": found.calendar,
            }
            terms.append(term)
        return terms

    def _clause_terms(self, commitments: list[Term], obligations: list[Term]) -> list[Term]:
        by_key = {key: term for key, (term, _) in self.commitments.items()}
        terms: list[Term] = []
        for found, sentence in self.clauses:
            data: dict[str, Any] = {"name": {}, "kind": found.kind, **found.terms}
            linked: list[Term] = []
            if found.site_rules:
                base, english = "P-site", "Breach of site rules"
                data["on_event"] = "site_violation"
            elif found.inspection:
                base, english = "P-inspection", "Missed periodic inspection"
                linked = obligations
            else:
                prefix = (
                    SHAPE_BY_NAME[found.shapes[0][0].shape].clause_prefix
                    if found.shapes
                    else "other"
                )
                base = f"P-{prefix}"
                english = found.shapes[0][0].late_en if found.shapes else "Penalty"
                for shape, severity in found.shapes:
                    linked.extend(
                        term
                        for (name, sev), term in by_key.items()
                        if name == shape.shape
                        and (severity is None or sev == severity)
                        and term not in linked
                    )
            if found.kind == "costs":
                base, english = "C-costs", "Supplier bears all costs arising"
            chinese_name = found.name if _cjk(found.name) else _LATE_ZH.get(base, "违约")
            data["name"] = {"zh": chinese_name, "en": english}
            term = self._clause_term(terms, base, data, sentence)
            if term is None:
                continue
            if not linked and not found.site_rules:
                note = (
                    "not attached to any commitment or obligation: the draft could not tell what "
                    "it is charged for; add its id under the right commitment's clauses"
                )
                term.notes.append(note)
                self.reviews.append(Review(UNLINKED, note, sentence.line, sentence.text, term.id))
            for target in linked:
                clauses = target.data.setdefault("clauses", [])
                if term.id not in clauses:
                    clauses.append(term.id)
        if self.extension is not None:
            terms.append(self.extension)
        return terms

    def _clause_term(
        self, terms: list[Term], base: str, data: dict[str, Any], sentence: Sentence
    ) -> Term | None:
        same_base = [t for t in terms if t.id == base or t.id.startswith(base + "-")]
        for existing in same_base:
            if _clause_terms_equal(existing.data, data):
                existing.add_source(sentence)
                return existing
        term_id = base if not same_base else f"{base}-{len(same_base) + 1}"
        term = Term("clauses", term_id, data, [sentence])
        if same_base and not base.startswith("C-"):
            note = (
                f"a second penalty for the same thing with different terms (see {same_base[0].id}, "
                f"{quote(same_base[0].sources[0])}): keep one"
            )
            term.notes.append(note)
            self.reviews.append(Review(CONFLICT, note, sentence.line, sentence.text, term_id))
        terms.append(term)
        return term

    def _obligation_terms(self) -> list[Term]:
        if not self.steps:
            return []
        steps = sorted(self.steps, key=lambda pair: pair[0].order)
        term = Term("obligations", "inspection", {}, [])
        for _, sentence in steps:
            term.add_source(sentence)
        data: dict[str, Any] = {
            "name": {"zh": "定期巡检", "en": "Periodic inspection"},
            "met_by": "inspection_done",
        }
        per_count = [step for step, _ in steps if step.per is not None]
        if per_count:
            step = per_count[0]
            data.update({"per": step.per, "count": step.count, "until": "warranty_end"})
        else:
            schedule = []
            for step, sentence in steps:
                entry: dict[str, Any] = {"every": step.every}
                if step.span_for:
                    entry["for"] = step.span_for
                else:
                    entry["until"] = "warranty_end"
                    if not step.until_warranty_end:
                        note = (
                            f"{quote(sentence)} does not say for how long: the draft assumes "
                            "until the warranty ends"
                        )
                        term.notes.append(note)
                        self.reviews.append(
                            Review(ASSUMPTION, note, sentence.line, sentence.text, "inspection")
                        )
                schedule.append(entry)
            ends = [i for i, entry in enumerate(schedule) if "until" in entry]
            if ends and ends[0] != len(schedule) - 1:
                note = "two schedules both run until the warranty ends: keep one"
                term.notes.append(note)
                self.reviews.append(
                    Review(CONFLICT, note, steps[0][1].line, steps[0][1].text, "inspection")
                )
                schedule = schedule[: ends[0] + 1]
            data["schedule"] = schedule
        term.data = data
        return [term]

    def _obligation_without_warranty(self, sections: dict[str, list[Term]]) -> None:
        """An obligation until the warranty ends needs the warranty and the asset list: without
        them it runs for the unit's warranty term (or a year) from acceptance, and says so."""
        unit = self.warranty_terms.get("unit")
        span = unit[0] if unit else "1y"
        kept = []
        for term in sections["obligations"]:
            if "per" in term.data:
                note = (
                    f"{term.id}: runs until the warranty ends, but the draft has no warranty or no "
                    "asset list: left out; add the assets and the obligation by hand"
                )
                source = term.sources[0]
                self.reviews.append(Review(NOT_UNDERSTOOD, note, source.line, source.text, term.id))
                continue
            for entry in term.data["schedule"]:
                if entry.pop("until", None) == "warranty_end":
                    entry["for"] = span
            note = (
                "runs until the warranty ends in the tender, but the draft has no warranty or no "
                f"asset list: it runs for {span} from acceptance instead; add the assets and put "
                "back 'until: warranty_end'"
            )
            term.notes.append(note)
            source = term.sources[0]
            self.reviews.append(Review(ASSUMPTION, note, source.line, source.text, term.id))
            kept.append(term)
        sections["obligations"] = kept

    def _warranty_terms(self) -> list[Term]:
        if not self.warranty_sources:
            return []
        first = self.warranty_sources[0]
        if "unit" not in self.warranty_terms:
            self.reviews.append(
                Review(
                    NOT_UNDERSTOOD,
                    "warranty terms without a term for the whole unit (成套设备质保期): the draft "
                    "has no warranty section; add one by hand",
                    first.line,
                    first.text,
                    "warranty",
                )
            )
            return []
        terms = {
            kind: self.warranty_terms[kind][0]
            for kind in ("unit", "key_part", "part")
            if kind in self.warranty_terms
        }
        terms.setdefault("part", "unit")
        term = Term("warranty", "warranty", {"terms": terms}, list(self.warranty_sources))
        if self.rewarranty is None:
            note = (
                "the tender does not say how a replaced part is warranted: "
                "fresh_term (一包) assumed"
            )
            term.notes.append(note)
            self.reviews.append(Review(ASSUMPTION, note, first.line, first.text, "warranty"))
            term.data["rewarranty"] = "fresh_term"
        else:
            term.data["rewarranty"] = self.rewarranty[0]
        term.data["remind_before"] = "30d"
        return [term]

    def _asset_terms(self) -> list[Term]:
        units: dict[str, Term] = {}
        for asset in self.assets:
            if asset.kind == "unit":
                data: dict[str, Any] = {"class": "unit"}
                if asset.name:
                    data["name"] = {"zh" if _cjk(asset.name) else "en": asset.name}
                units[asset.id] = Term("assets", asset.id, data, [asset.sentence])
        for asset in self.assets:
            if asset.kind == "unit":
                continue
            unit = units.get(asset.unit or "")
            if unit is None:
                self.reviews.append(
                    Review(
                        NOT_UNDERSTOOD,
                        f"part {asset.id} belongs to unit {asset.unit!r}, "
                        "which is not in the asset list",
                        asset.sentence.line,
                        asset.sentence.text,
                        asset.id,
                    )
                )
                continue
            part: dict[str, Any] = {"id": asset.id, "class": asset.kind}
            if asset.name:
                part["name"] = {"zh" if _cjk(asset.name) else "en": asset.name}
            part["source"] = {"line": asset.sentence.line, "text": asset.sentence.text}
            unit.data.setdefault("parts", []).append(part)
        return list(units.values())

    def _calendars(self, commitments: list[Term], notes: dict[str, list[str]]) -> list[Term]:
        calendars = [Term("calendars", ALWAYS, {"kind": "24x7"})]
        if not any(term.data["calendar"] == OFFICE for term in commitments):
            return calendars
        timezone = self.options.timezone or "Asia/Shanghai"
        if self.hours is None:
            hours = {"mon-fri": ["09:00-17:30"]}
            sources: list[Sentence] = []
            note = (
                "targets in working days, but the tender does not define its working hours: "
                "Monday to Friday 09:00-17:30 assumed"
            )
            notes[OFFICE] = [note]
            self.reviews.append(Review(ASSUMPTION, note, item=OFFICE))
        else:
            found, sentence = self.hours
            hours = {found.days: found.intervals}
            sources = [sentence]
        data: dict[str, Any] = {"kind": "working_hours", "timezone": timezone, "hours": hours}
        if self.options.holidays:
            data["holidays"] = {"country": self.options.holidays}
        calendars.append(Term("calendars", OFFICE, data, sources))
        return calendars


#: Chinese names of clauses drafted from English text.
_LATE_ZH = {f"P-{shape.clause_prefix}": shape.late_zh for shape in SHAPE_BY_NAME.values()} | {
    "P-site": "违反现场管理规定",
    "P-inspection": "未按期巡检",
    "C-costs": "承担由此而发生的一切费用",
}

REVIEW_ORDER = {
    kind: i for i, kind in enumerate((NOT_UNDERSTOOD, CONFLICT, UNLINKED, NO_PENALTY, ASSUMPTION))
}


def _clause_terms_equal(a: dict[str, Any], b: dict[str, Any]) -> bool:
    ignore = {"name"}
    return {k: v for k, v in a.items() if k not in ignore} == {
        k: v for k, v in b.items() if k not in ignore
    }


def _cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _months(term: str) -> int:
    number = int(re.sub(r"\D", "", term) or 0)
    return number * 12 if term.endswith("y") else number


def _spoken(target: str, calendar: str) -> str:
    number, unit = int(target[:-1]) if target[-1] != "o" else 0, target[-1]
    if calendar == OFFICE and unit == "d":
        word = "working day"
    else:
        word = {"s": "second", "m": "minute", "h": "hour", "d": "day"}[unit]
    return f"{number} {word}{'s' if number != 1 else ''}"


def _zh_name(found: FoundCommitment, action: str) -> str:
    number, unit = found.target[:-1], found.target[-1]
    if found.calendar == OFFICE and unit == "d":
        words = "个工作日"
    else:
        words = {"s": "秒", "m": "分钟", "h": "小时", "d": "天"}[unit]
    severity = next((zh for key, zh, _, _ in SEVERITIES if key == found.severity), "")
    return f"{severity}{number}{words}内{action}"


def draft_tender(path: Path, options: DraftOptions) -> Draft:
    """Read a tender document and draft its contract (see the module docstring)."""
    lines = read_tender(path)
    drafter = Drafter(options)
    for sentence in sentences(lines, wrapped=path.suffix.lower() == ".pdf"):
        drafter.read(sentence)
    return drafter.finish(path)
