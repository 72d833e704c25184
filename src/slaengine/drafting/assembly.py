"""Putting a draft together from what the tender's sentences said (``findings``).

Theory of operation: once every sentence is read, the terms are made: commitments get their ids
(the example contract's: ``ack-3min``, ``repair-general-30min``) and names; clauses are attached
to the commitments their condition names (a clause may come before or after its commitment in
the tender) or to the inspection obligation; a commitment left without any clause is listed;
the inspection steps become one schedule; the warranty, the asset list, the calendars and the
contract's facts (options first, then what the tender states) are laid out in file order.
Whatever had to be assumed (the working hours, the time zone, the re-warranty policy, the span
of a schedule) is listed. The result is plain data plus ``Term``s with their sources and review
notes; nothing here writes files.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from slaengine.drafting.clauses import money
from slaengine.drafting.figures import durations, target_text
from slaengine.drafting.findings import Findings
from slaengine.drafting.items import (
    ASSUMPTION,
    CONFLICT,
    IGNORED,
    NO_PENALTY,
    NOT_UNDERSTOOD,
    REVIEW_KINDS,
    UNLINKED,
    Draft,
    DraftError,
    Review,
    Term,
    is_chinese,
    quote,
)
from slaengine.drafting.responses import ALWAYS, OFFICE, FoundCommitment
from slaengine.drafting.text import Sentence
from slaengine.drafting.upkeep import FoundStep
from slaengine.drafting.vocabulary import DEFAULT_SEVERITIES, SEVERITIES, SHAPE_BY_NAME

#: The contract facts a tender may state, as a review item names them.
_FACT_NAMES = {
    "id": "contract id",
    "price": "contract price",
    "accepted_on": "acceptance date",
    "name": "project name",
    "supplier": "supplier",
    "customer": "customer",
}


def _same_fact(one: Any, other: Any) -> bool:
    """Two statements of a fact agree: as sums when both are figures ("1,000,000.00" is 1000000)."""
    try:
        return Decimal(str(one).replace(",", "")) == Decimal(str(other).replace(",", ""))
    except (ArithmeticError, ValueError):
        return str(one).strip() == str(other).strip()


class Assembly:
    """Terms from findings: ``finish`` gives the draft."""

    def __init__(self, findings: Findings) -> None:
        self.options = findings.options
        self.reviews = findings.reviews
        self.commitments = findings.commitments
        self.clauses = findings.clauses
        self.caps = findings.caps
        self.warranty_terms = findings.warranty_terms
        self.rewarranty = findings.rewarranty
        self.replaced_only = findings.replaced_only
        self.warranty_sources = findings.warranty_sources
        self.extension = findings.extension
        self.steps = findings.steps
        self.hours = findings.hours
        self.assets = findings.assets
        self.facts = findings.facts
        self.mentions = findings.fact_mentions
        self.severities_seen = findings.severities_seen
        self.aliases = findings.aliases
        self.categories = findings.categories
        self.measures = findings.measures
        self.contacts = findings.contacts
        self.term_of: dict[tuple[str, str | None, str | None], Term] = {}

    def finish(self, tender: Path) -> Draft:
        section_notes: dict[str, list[str]] = {}
        facts = self._facts(section_notes)
        commitments = self._commitment_terms()
        obligations = self._obligation_terms()
        clauses = self._clause_terms(commitments, obligations)
        for term in commitments:
            if not term.data.get("clauses"):
                note = "no penalty: the tender states no consequence for missing this target"
                self._flag(term, NO_PENALTY, note, term.sources[0])
        self._kinds_for_review(commitments)
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
            "measures": self._measure_terms(commitments),
            "contacts": self._contact_terms(),
        }
        if sections["obligations"] and (
            not (sections["warranty"] and sections["assets"]) or self.replaced_only
        ):
            self._obligation_without_warranty(sections, facts["accepted_on"])
        # by line, then by kind; review items about the whole contract (no line) come last
        self.reviews.sort(key=lambda r: (r.line or 10**9, REVIEW_ORDER.get(r.kind, 9)))
        given = {
            "id": self.options.id,
            "price": self.options.price,
            "currency": self.options.currency,
            "accepted_on": self.options.accepted_on,
        }
        fact_sources = {
            key: sentence
            for key, (_, sentence) in self.facts.items()
            if key in facts and given.get(key) is None
        }
        self._facts_not_drafted(given, fact_sources)
        return Draft(tender, facts, sections, self.reviews, section_notes, fact_sources)

    def _facts_not_drafted(self, given: dict[str, Any], used: dict[str, Sentence]) -> None:
        """A contract fact the tender states that the draft does not take from that sentence —
        an option gave it, or the tender said it before — is listed, never passed over: as a
        conflict when the figures differ."""
        for key, value, sentence in self.mentions:
            if used.get(key) is sentence:
                continue
            kept = given.get(key)
            source = f"--{key.replace('_', '-')}" if kept is not None else "its first statement"
            if kept is None:
                kept = self.facts[key][0]
            same = _same_fact(kept, value)
            self.reviews.append(
                Review(
                    IGNORED if same else CONFLICT,
                    f"the {_FACT_NAMES.get(key, key)} stated here ({value}) is the one the draft "
                    f"takes from {source}"
                    if same
                    else f"the tender states the {_FACT_NAMES.get(key, key)} as {value} here; the "
                    f"draft takes {kept} from {source}: check which is right",
                    sentence.line,
                    sentence.text,
                    key,
                )
            )

    def _flag(
        self, term: Term, kind: str, note: str, sentence: Sentence, item: str | None = None
    ) -> None:
        """A review item about a term: written above the term in the YAML and listed, at the
        sentence it concerns."""
        term.notes.append(note)
        self.reviews.append(Review(kind, note, sentence.line, sentence.text, item or term.id))

    def _kinds_for_review(self, commitments: list[Term]) -> None:
        """A kind of fault of the tender's own ("困人", "Store down") drafted as a level is a
        reading, not a word of the vocabulary: each is listed once, at the first sentence that
        gives it a target, so that a kind read from the wrong words is never drafted in silence."""
        named = {key for key, _, _, _ in SEVERITIES}
        for key, name in self.categories.items():
            if key in named or key not in self.severities_seen:
                continue
            term = next(
                (t for t in commitments if (t.data.get("applies_to") or {}).get("severity") == key),
                None,
            )
            if term is None:
                continue
            note = (
                f"'{name}' is read as a kind of fault of the tender's own and drafted as the level "
                f"'{key}' with its own targets: check the name and that these targets are its own"
            )
            self._flag(term, ASSUMPTION, note, term.sources[0])

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
                facts[key] = {"zh" if is_chinese(found[key]) else "en": found[key]}
        facts.update(
            {
                "currency": currency,
                "price": money(Decimal(str(price))),
                "timezone": timezone,
                "accepted_on": accepted_on,
                "severities": self._severities(),
            }
        )
        return facts

    def _severities(self) -> dict[str, dict[str, str]]:
        """The tender's own levels, in scheme order; the three named ones when it names none."""
        seen = self.severities_seen or set(DEFAULT_SEVERITIES)
        levels = {key: {"zh": zh, "en": en} for key, zh, en, _ in SEVERITIES if key in seen}
        for key, name in self.categories.items():
            if key in seen and key not in levels:
                levels[key] = {"zh" if is_chinese(name) else "en": name}
        for key in sorted(seen - set(levels)):
            levels[key] = _ordinal_names(key)  # "Class C", "Level 5": a scheme read by its form
        return levels

    def _commitment_terms(self) -> list[Term]:
        terms: list[Term] = []
        used: set[str] = set()
        groups: dict[tuple[str, str | None], list[tuple[Term, FoundCommitment]]] = {}
        for (shape_name, severity, _zone), pair in self.commitments.items():
            groups.setdefault((shape_name, severity), []).append(pair)
        for (shape_name, severity), pairs in groups.items():
            # the zone stated first is the commitment's own target ("市区2小时"); the others
            # (郊县4小时, 跨省24小时) are rows of its target table
            term, found = pairs[0]
            for other, _ in pairs[1:]:
                for source in other.sources:
                    term.add_source(source)
                term.notes.extend(other.notes)
                term.reviews.extend(other.reviews)
            shape = SHAPE_BY_NAME[shape_name]
            target_id = found.target[:-1] + "min" if found.target.endswith("m") else found.target
            term_id = shape.id_pattern.format(t=target_id, sev=f"{severity}-" if severity else "")
            if severity and "{sev}" not in shape.id_pattern:
                # "ack-level-1-15min": one answer target per level of the tender's scheme
                prefix, _, rest = term_id.rpartition("-")
                term_id = f"{prefix}-{severity}-{rest}"
            if term_id in used:
                term_id = f"{term_id}-{severity or ('zones' if len(pairs) > 1 else 'all')}"
            while term_id in used:
                term_id += "-2"
            used.add(term_id)
            term.id = term_id
            for review in term.reviews:
                review.item = term_id
            chinese = any(is_chinese(s.text) for s in term.sources)
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
            rows: list[dict[str, Any]] = [
                {"when": {"zone": other.zone}, "target": other.target}
                for _, other in pairs[1:]
                if other.zone
            ]
            if rows:
                term.data["targets"] = rows
                note = (
                    f"targets by zone: {found.target} is for zone {found.zone or '(none)'} and any "
                    "site without a zone; give the assets (or the tickets' events) a `zone` "
                    "attribute: " + ", ".join(str(r["when"]["zone"]) for r in rows)
                )
                self._flag(term, ASSUMPTION, note, term.sources[0], item=term_id)
            calendars = {other.calendar for _, other in pairs}
            if len(calendars) > 1:
                note = "zones stated on different calendars (working days and hours): check"
                self._flag(term, CONFLICT, note, term.sources[0], item=term_id)
            for (name, sev, _zone), (_, said) in self.commitments.items():
                if name == shape_name and sev == severity:
                    self.term_of[(name, sev, said.target)] = term
            terms.append(term)
        return terms

    def _clause_terms(self, commitments: list[Term], obligations: list[Term]) -> list[Term]:
        terms: list[Term] = []
        used_kinds = {sev for (_name, sev, _zone) in self.commitments}
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
                for shape, named_severity, target in found.shapes:
                    # a level of the tender's own kinds ("中心平台故障超过6小时未恢复的")
                    severity = (
                        named_severity
                        or next(
                            (
                                key
                                for key, name in self.categories.items()
                                # a label no target uses ("违约：…", "Liquidated damages:")
                                # is no kind the penalty can name
                                if key in used_kinds
                                and (
                                    key in found.condition
                                    or name in found.condition
                                    or any(
                                        re.search(rf"\b{abbr}\b", found.condition)
                                        for abbr in re.findall(
                                            r"[(（]([A-Z][A-Z0-9]{1,5})[)）]", name
                                        )
                                    )
                                )
                            ),
                            None,
                        )
                        # "… by which a Critical restore target is exceeded": a declared level
                        # named by its word where plain language would not count it
                        or next(
                            (
                                key
                                for key in sorted(self.severities_seen)
                                if re.fullmatch(r"[a-z]+", key)
                                and re.search(rf"\b{key}\b", found.condition, re.I)
                            ),
                            None,
                        )
                    )
                    if severity is not None and severity not in self.severities_seen:
                        severity = self.aliases.get(severity, severity)
                    # "未能在4小时内到达现场的": only the commitment whose target is 4 hours
                    exact = [
                        term
                        for (name, sev, tgt), term in self.term_of.items()
                        if name == shape.shape
                        and (severity is None or sev == severity)
                        and target is not None
                        and tgt == target
                    ]
                    linked.extend(
                        term
                        for term in (
                            exact
                            or [
                                term
                                for (name, sev, _z), (term, _) in self.commitments.items()
                                if name == shape.shape and (severity is None or sev == severity)
                            ]
                        )
                        if term not in linked
                    )
            if found.kind == "costs":
                base, english = "C-costs", "Supplier bears all costs arising"
            chinese_name = found.name if is_chinese(found.name) else _LATE_ZH.get(base, "违约")
            data["name"] = {"zh": chinese_name, "en": english}
            term = self._clause_term(terms, base, data, sentence)
            if term is None:
                continue
            if not linked and not found.site_rules and not found.inspection:
                # no action word names what is charged for ("If the Vendor is not there within
                # four hours …"): the commitment whose target the condition states, when only
                # one has it
                said = {
                    target_text(s)
                    for s in durations(found.condition)
                    if not (s.unit == "wd" and s.value % 1)  # 半个工作日: no target
                }
                owners = [
                    t
                    for (_n, _s, tgt), t in self.term_of.items()
                    if tgt is not None and tgt in said
                ]
                if len(owners) == 1:
                    linked = owners
                    note = (
                        "attached to the only commitment whose target its condition states; "
                        "no action word names it: check it"
                    )
                    self._flag(term, ASSUMPTION, note, sentence)
            if not linked and not found.site_rules and not found.inspection:
                # "For each failure to respond to an emergency request, … $500 per instance":
                # the act named is not one the level has, but the level has only one commitment
                owners = self._only_commitment_of_level(found.condition)
                if owners:
                    linked = owners
                    note = (
                        "attached to the only commitment of the level its condition names; "
                        "the act it names is not that commitment's: check it"
                    )
                    self._flag(term, ASSUMPTION, note, sentence)
            if not linked and not found.site_rules:
                note = (
                    "not attached to any commitment or obligation: the draft could not tell what "
                    "it is charged for; add its id under the right commitment's clauses"
                )
                self._flag(term, UNLINKED, note, sentence)
            for owner in linked:
                clauses = owner.data.setdefault("clauses", [])
                if term.id not in clauses:
                    clauses.append(term.id)
        if self.extension is not None:
            terms.append(self.extension)
        return terms

    def _only_commitment_of_level(self, condition: str) -> list[Term]:
        """The one commitment of the only level a penalty's condition names by its key or its
        name ("failure to respond to an emergency request"), else none."""
        names = self._severities()
        named = {
            sev
            for (_name, sev, _zone) in self.commitments
            if sev is not None
            and any(
                re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", condition, re.I)
                for word in (sev, self.categories.get(sev, ""), names.get(sev, {}).get("en", ""))
                if word and len(word) > 2
            )
        }
        if len(named) != 1:
            return []
        owners = [term for (_n, sev, _z), (term, _) in self.commitments.items() if sev in named]
        return owners if len(owners) == 1 else []

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
            self._flag(term, CONFLICT, note, sentence, item=term_id)
        terms.append(term)
        return term

    def _obligation_terms(self) -> list[Term]:
        """One obligation per periodic duty: the steps of one schedule (第一年每季度 …
        满一年后每半年) make one obligation; a duty of its own (每月巡检 beside
        每半年全面保养, two visits a year beside an annual check) makes another,
        met by ``inspection_done`` events that name it (``attrs.duty``)."""
        if not self.steps:
            return []
        terms: list[Term] = []
        for n, steps in enumerate(_duties(self.steps), start=1):
            term_id = "inspection" if n == 1 else f"inspection-{n}"
            terms.append(self._obligation_term(term_id, steps))
        return terms

    def _obligation_term(self, term_id: str, steps: list[tuple[FoundStep, Sentence]]) -> Term:
        term = Term("obligations", term_id, {}, [])
        for _, sentence in steps:
            term.add_source(sentence)
        unique: dict[FoundStep, Sentence] = {}
        for step, sentence in sorted(steps, key=lambda pair: pair[0].order):
            unique.setdefault(step, sentence)
        steps = list(unique.items())
        data: dict[str, Any] = {
            "name": {"zh": "定期巡检", "en": "Periodic inspection"},
            "met_by": "inspection_done",
        }
        if term_id != "inspection":
            number = term_id.rsplit("-", 1)[1]
            data["name"] = {"zh": f"定期巡检（{number}）", "en": f"Periodic inspection {number}"}
            data["met_by"] = {"type": "inspection_done", "attrs": {"duty": term_id}}
            note = (
                f"{quote(steps[0][1])} is a periodic duty of its own: it is met by "
                f"inspection_done events with attrs.duty = {term_id}"
            )
            self._flag(term, ASSUMPTION, note, steps[0][1], item=term_id)
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
                        self._flag(term, ASSUMPTION, note, sentence, item=term_id)
                schedule.append(entry)
            ends = [i for i, entry in enumerate(schedule) if "until" in entry]
            if ends and ends[0] != len(schedule) - 1:
                note = "two schedules both run until the warranty ends: keep one"
                self._flag(term, CONFLICT, note, steps[0][1], item=term_id)
                schedule = schedule[: ends[0] + 1]
            data["schedule"] = schedule
        term.data = data
        return term

    def _measure_terms(self, commitments: list[Term]) -> list[Term]:
        terms: list[Term] = []
        for found, sentence in self.measures:
            data = dict(found)
            if data["kind"] == "on_time_rate":
                shape = data.pop("shape", None)
                named = [t.id for t in commitments if t.data["use"] == shape]
                if not commitments:
                    self.reviews.append(
                        Review(
                            NOT_UNDERSTOOD,
                            "an on-time rate, but the draft has no commitment to measure it on: "
                            "add the measure by hand",
                            sentence.line,
                            sentence.text,
                            data["id"],
                        )
                    )
                    continue
                data["commitments"] = named or [t.id for t in commitments]
                if not named:
                    self.reviews.append(
                        Review(
                            ASSUMPTION,
                            "the on-time rate names no action the draft has: measured on every "
                            "commitment",
                            sentence.line,
                            sentence.text,
                            data["id"],
                        )
                    )
            same = next((t for t in terms if t.data["kind"] == data["kind"]), None)
            if same is not None:
                if (same.data["target"], same.data["period"]) != (data["target"], data["period"]):
                    note = (
                        f"{data['kind']} stated twice differently ({quote(same.sources[0])}): "
                        "the draft keeps the first"
                    )
                    same.notes.append(note)
                    self.reviews.append(
                        Review(CONFLICT, note, sentence.line, sentence.text, same.id)
                    )
                same.add_source(sentence)
                continue
            body = {k: v for k, v in data.items() if k != "id"}
            terms.append(Term("measures", data["id"], body, [sentence]))
        return terms

    def _contact_terms(self) -> list[Term]:
        terms: list[Term] = []
        used: set[str] = set()
        for data, sentence in self.contacts:
            base = _slug(data["role"])
            term_id = base
            n = 2
            while term_id in used:
                term_id, n = f"{base}-{n}", n + 1
            used.add(term_id)
            body = {"name": data["name"], "lang": data["lang"], "channels": data["channels"]}
            term = Term("contacts", term_id, body, [sentence])
            if data["phones"]:
                note = (
                    "phone " + ", ".join(data["phones"]) + ": a phone number is no alert "
                    "channel; the contact is alerted through the log"
                    + (" and by e-mail" if data["emails"] else "")
                    + " — add a webhook or e-mail if alerts must reach them"
                )
                self._flag(term, ASSUMPTION, note, sentence, item=term_id)
            terms.append(term)
        return terms

    def _obligation_without_warranty(
        self, sections: dict[str, list[Term]], accepted_on: date
    ) -> None:
        """An obligation until the warranty ends needs the warranty and the asset list: without
        them it runs for the unit's warranty term (or a year) from acceptance, and says so."""
        unit = self.warranty_terms.get("unit")
        span = unit[0] if unit else "1y"
        if self.replaced_only:  # 维保: only the parts replaced are warranted, no unit term
            why = "the draft's warranty covers only the parts replaced (no unit term)"
            fix = "give the units a term and put back 'until: warranty_end', or keep the dates"
        else:
            why = "the draft has no warranty or no asset list"
            fix = "add the assets and put back 'until: warranty_end'"
        kept = []
        for term in sections["obligations"]:
            if "per" in term.data:
                # N a year until the warranty ends: without the asset list, until the day the
                # unit's term ends counted from acceptance
                years, months = (int(span[:-1]), 0) if span.endswith("y") else (0, int(span[:-2]))
                until = _add_months(accepted_on, years * 12 + months)
                term.data["until"] = until
                note = (
                    f"runs until the warranty ends in the tender, but {why}: it runs until "
                    f"{until.isoformat()} ({span} from acceptance) instead; {fix}"
                )
            else:
                for entry in term.data["schedule"]:
                    if entry.pop("until", None) == "warranty_end":
                        entry["for"] = span
                note = (
                    f"runs until the warranty ends in the tender, but {why}: it runs for {span} "
                    f"from acceptance instead; {fix}"
                )
            self._flag(term, ASSUMPTION, note, term.sources[0])
            kept.append(term)
        sections["obligations"] = kept

    def _warranty_terms(self) -> list[Term]:
        if not self.warranty_sources:
            return []
        first = self.warranty_sources[0]
        if "unit" not in self.warranty_terms and not self.replaced_only:
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
        if not self.replaced_only:
            terms.setdefault("part", "unit")
        # else: a maintenance contract that warrants only the parts it replaces (维保期内更换的
        # 配件保修1年): the units have no cover of their own
        term = Term("warranty", "warranty", {"terms": terms}, list(self.warranty_sources))
        if self.rewarranty is None:
            note = (
                "the tender does not say how a replaced part is warranted: "
                "fresh_term (一包) assumed"
            )
            self._flag(term, ASSUMPTION, note, first, item="warranty")
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
                    data["name"] = {"zh" if is_chinese(asset.name) else "en": asset.name}
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
                part["name"] = {"zh" if is_chinese(asset.name) else "en": asset.name}
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
        country = self.options.holidays or _country_of(timezone)
        if country:
            data["holidays"] = {"country": country}
        if self.options.holidays is None and country != "CN":
            # the holidays follow the time zone given: say so (Chinese holidays are the
            # documented default, and with no time zone given its own review item covers them)
            note = (
                f"public holidays of {country} assumed from the time zone {timezone}; "
                "give --holidays to choose the country"
                if country
                else f"no public holidays assumed: the time zone {timezone} names no country "
                "the draft knows; give --holidays"
            )
            notes.setdefault(OFFICE, []).append(note)
            self.reviews.append(Review(ASSUMPTION, note, item=OFFICE))
        calendars.append(Term("calendars", OFFICE, data, sources))
        return calendars


#: Chinese names of clauses drafted from English text.
_LATE_ZH = {f"P-{shape.clause_prefix}": shape.late_zh for shape in SHAPE_BY_NAME.values()} | {
    "P-site": "违反现场管理规定",
    "P-inspection": "未按期巡检",
    "C-costs": "承担由此而发生的一切费用",
}

REVIEW_ORDER = {kind: i for i, kind in enumerate(REVIEW_KINDS)}


_ROLE_IDS = {
    "服务热线": "hotline",
    "报修电话": "hotline",
    "客服热线": "hotline",
    "客服电话": "hotline",
    "热线": "hotline",
    "专线": "hotline",
    "投诉电话": "complaints",
    "监督电话": "supervision",
    "项目经理": "project-manager",
    "服务经理": "service-manager",
    "联系人": "contact",
    "技术负责人": "technical-lead",
    "值班电话": "duty",
    "值班工程师": "duty-engineer",
}


def _ordinal_names(key: str) -> dict[str, str]:
    """Names of a level read as a scheme word and an ordinal (``class-c``, ``level-5``, ``p5``)."""
    scheme, _, ordinal = key.rpartition("-")
    if scheme == "class":
        return {"zh": f"{ordinal.upper()}类", "en": f"Class {ordinal.upper()}"}
    if scheme == "level":
        return {"zh": f"{ordinal}级", "en": f"Level {ordinal}"}
    if key.startswith("sev"):
        return {"zh": f"严重性{key[3:]}", "en": f"Severity {key[3:]}"}
    if key.startswith("p") and key[1:].isdigit():
        return {"zh": key.upper(), "en": f"Priority {key[1:]}"}
    return {"en": key}


def _slug(role: str) -> str:
    if role in _ROLE_IDS:
        return _ROLE_IDS[role]
    text = "-".join(re.findall(r"[a-z0-9]+", role.lower()))
    return text or "contact"


def _add_months(day: date, months: int) -> date:
    year, month = divmod(day.month - 1 + months, 12)
    target_year, target_month = day.year + year, month + 1
    for last in (31, 30, 29, 28):
        try:
            return date(target_year, target_month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # unreachable: every month has a 28th


def _clause_terms_equal(a: dict[str, Any], b: dict[str, Any]) -> bool:
    ignore = {"name"}
    return {k: v for k, v in a.items() if k not in ignore} == {
        k: v for k, v in b.items() if k not in ignore
    }


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


def _duties(
    steps: list[tuple[FoundStep, Sentence]],
) -> list[list[tuple[FoundStep, Sentence]]]:
    """The periodic duties among the steps, in the tender's order: the steps with a span (the
    first year, the first N years) and the step that follows them (满一年后, thereafter: in the
    same sentence if there is one, else the next) are one schedule; every other step (a
    frequency for the whole term, N visits a year) is a duty of its own."""
    spans = [i for i, (step, _) in enumerate(steps) if step.span_for and step.per is None]
    chain: set[int] = set(spans)
    if spans:
        rest = [
            i
            for i, (step, _) in enumerate(steps)
            if i not in chain and step.per is None and step.span_for is None
        ]
        lines = {steps[i][1].line for i in spans}
        same = [i for i in rest if steps[i][1].line in lines]
        after = [i for i in rest if i > spans[-1]]
        if same or after:
            chain.add((same or after)[0])
    duties: list[list[tuple[FoundStep, Sentence]]] = []
    chained: list[tuple[FoundStep, Sentence]] = []
    by_frequency: dict[tuple[str | None, str | None, int | None], int] = {}
    for i, pair in enumerate(steps):
        if i in chain:
            if not chained:
                duties.append(chained)
            chained.append(pair)
            continue
        step = pair[0]
        key = (step.every, step.per, step.count)
        if key in by_frequency:
            # the same frequency said twice ("每月巡检一次" in two places): one duty
            duties[by_frequency[key]].append(pair)
            continue
        by_frequency[key] = len(duties)
        duties.append([pair])
    return duties


#: The country of a time zone's public holidays, by the zone's name (IANA).
_ZONE_COUNTRIES = (
    (re.compile(r"^(?:Asia/(?:Shanghai|Chongqing|Harbin|Urumqi)|PRC)$"), "CN"),
    (re.compile(r"^Asia/(?:Taipei)$"), "TW"),
    (re.compile(r"^Asia/Hong_Kong$"), "HK"),
    (re.compile(r"^Asia/Macau$"), "MO"),
    (re.compile(r"^Asia/Singapore$"), "SG"),
    (re.compile(r"^Asia/Tokyo$"), "JP"),
    (
        re.compile(
            r"^(?:America/(?:New_York|Chicago|Denver|Phoenix|Los_Angeles|Anchorage|Detroit"
            r"|Indiana/.+|Kentucky/.+|Boise)|Pacific/Honolulu|US/.+)$"
        ),
        "US",
    ),
    (re.compile(r"^America/(?:Toronto|Vancouver|Edmonton|Winnipeg|Halifax|Regina)$"), "CA"),
    (re.compile(r"^Europe/London$"), "GB"),
    (re.compile(r"^Europe/Dublin$"), "IE"),
    (re.compile(r"^Europe/Berlin$"), "DE"),
    (re.compile(r"^Europe/Paris$"), "FR"),
    (re.compile(r"^Australia/.+$"), "AU"),
    (re.compile(r"^Pacific/Auckland$"), "NZ"),
)


def _country_of(timezone: str) -> str | None:
    return next((country for zone, country in _ZONE_COUNTRIES if zone.match(timezone)), None)
