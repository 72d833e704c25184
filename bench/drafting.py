"""How well drafting reads after-sales texts (``bench/run.py --sections drafting``).

The texts are the project's own (tests/drafting_texts/: Simplified and Traditional Chinese and
English, as .txt/.md, and as .docx and .pdf built here from ``*.docx.md`` / ``*.pdf.md``
sources, tables included), each with the terms a person reads out of it by hand in
``keys.json``. Each text is drafted, the draft validated, and its terms written in the same
plain form as the answer key:

* ``commit <shape> sev=<severity|*> zone=<zone|*> <target> <calendar>`` — a commitment, and each
  row of its target table by zone;
* ``penalty <shape> sev=<severity|*> <target> <kind> <amount|percent>[/<unit>]`` — a clause,
  once per commitment it is attached to (``penalty inspection …`` for an obligation,
  ``penalty ? …`` when attached to nothing);
* ``warranty <class> <term>``, ``rewarranty <policy>`` (when the text states it);
* ``inspection every=<period>[ first=<span>]`` or ``inspection per=<period> count=<n>``;
* ``measure <kind> <target> <period>``; ``contact <phone or e-mail>``;
* ``severities <the declared levels>``.

A drafted term that says what a key term says in another unit (``72h`` for ``3d`` in a calendar
that counts every hour, ``7d`` for ``1w``, ``12mo`` for ``1y``) is the key's term:
``same_meaning``. Working time is not converted (``1d office``, a working day, is not ``8h
office``).

Recall is the share of the key's terms the draft has, precision the share of the draft's terms
the key has; both are given for the texts the drafter was tuned on and for the held-out texts
(``heldout`` in keys.json: written last, never tuned on). ``silent`` counts the sentences and
table rows with a figure that are neither the source of a term nor a review item, and each phone
number or e-mail address that is neither a drafted contact nor named by a review item (must be 0).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from slaengine.drafting import Draft, DraftOptions, draft_tender, to_yaml, validated
from slaengine.drafting.figures import has_figure
from slaengine.drafting.reading import read_tender
from slaengine.drafting.text import sentences
from slaengine.drafting.vocabulary import EMAIL, PHONE, unread_phones

TEXTS = Path(__file__).resolve().parent.parent / "tests" / "drafting_texts"


@dataclass
class Scored:
    name: str
    heldout: bool
    expected: set[str]
    drafted: set[str]
    #: terms the drafter is known to miss or get wrong on a text it was tuned on (keys.json
    #: ``known_misses`` / ``known_wrong``, each with its reason in ``why``).
    known_misses: set[str] = field(default_factory=set)
    known_wrong: set[str] = field(default_factory=set)
    silent: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def found(self) -> set[str]:
        return self.expected & self.drafted


def build(source: Path, into: Path) -> Path:
    """The tender file of a text: itself, or the .docx / .pdf built from its source."""
    name = source.name
    if name.endswith(".docx.md"):
        return _docx(source, into / name.removesuffix(".md"))
    if name.endswith(".pdf.md"):
        return _pdf(source, into / name.removesuffix(".md"))
    return source


def _blocks(source: Path) -> list[str | list[list[str]]]:
    """Paragraphs and tables (runs of ``| a | b |`` lines) of a source, in order."""
    blocks: list[str | list[list[str]]] = []
    for line in source.read_text(encoding="utf-8").splitlines():
        text = line.strip()
        if text.startswith("|"):
            cells = [c.strip() for c in text.strip("|").split("|")]
            if all(set(c) <= set("-: ") for c in cells):
                continue
            if blocks and isinstance(blocks[-1], list):
                blocks[-1].append(cells)
            else:
                blocks.append([cells])
        elif text:
            blocks.append(text.lstrip("# "))
    return blocks


def _docx(source: Path, target: Path) -> Path:
    import docx

    document = docx.Document()
    for block in _blocks(source):
        if isinstance(block, str):
            document.add_paragraph(block)
            continue
        table = document.add_table(rows=len(block), cols=max(len(row) for row in block))
        for r, row in enumerate(block):
            for c, cell in enumerate(row):
                table.cell(r, c).text = cell
    document.save(str(target))
    return target


def _pdf(source: Path, target: Path) -> Path:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    chinese = bool(re.search(r"[\u4e00-\u9fff]", source.read_text(encoding="utf-8")))
    font = "STSong-Light" if chinese else "Helvetica"
    style = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=15)
    flow: list[Any] = []
    for block in _blocks(source):
        if isinstance(block, str):
            flow.append(Paragraph(block, style))
            continue
        width = max(len(row) for row in block)
        table = Table([row + [""] * (width - len(row)) for row in block])
        table.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), font),
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ]
            )
        )
        flow.append(table)
    SimpleDocTemplate(str(target), pagesize=A4).build(flow)
    return target


def keys() -> dict[str, Any]:
    """The answer keys; ``SLAENGINE_DRAFTING_TEXTS`` (file-name prefixes, comma-separated)
    scores only the texts whose names start with one of them ("z5,z6": two batches)."""
    data: dict[str, Any] = json.loads((TEXTS / "keys.json").read_text(encoding="utf-8"))
    only = [p for p in os.environ.get("SLAENGINE_DRAFTING_TEXTS", "").split(",") if p.strip()]
    if only:
        data = {name: entry for name, entry in data.items() if name.startswith(tuple(only))}
    return data


def options(entry: dict[str, Any]) -> DraftOptions:
    return DraftOptions(
        id=entry.get("id", "T-1"),
        price=Decimal(entry.get("price", "1000000.00")),
        currency=entry.get("currency", "CNY"),
        accepted_on=date.fromisoformat(entry.get("accepted_on", "2026-01-01")),
        timezone=entry.get("timezone", "Asia/Shanghai"),
    )


def terms(contract: dict[str, Any], reviews: list[dict[str, Any]]) -> set[str]:
    """The draft's terms in the answer key's plain form (see the module docstring)."""
    found: set[str] = {"severities " + ",".join(sorted(contract.get("severities", {})))}
    by_clause: dict[str, list[str]] = {}
    for c in contract.get("commitments", []):
        sev = (c.get("applies_to") or {}).get("severity", "*")
        found.add(f"commit {c['use']} sev={sev} zone=* {c['target']} {c['calendar']}")
        for row in c.get("targets", []):
            when = row["when"]
            zone = when.get("zone", "*")
            zone = ",".join(zone) if isinstance(zone, list) else zone
            rsev = when.get("severity", sev)
            found.add(f"commit {c['use']} sev={rsev} zone={zone} {row['target']} {c['calendar']}")
        for clause in c.get("clauses", []):
            by_clause.setdefault(clause, []).append(f"{c['use']} sev={sev} {c['target']}")
    for o in contract.get("obligations", []):
        for clause in o.get("clauses", []):
            by_clause.setdefault(clause, []).append("inspection")
        schedule = o.get("schedule")
        if schedule:
            for i, step in enumerate(schedule):
                first = f" first={step['for']}" if "for" in step and i < len(schedule) - 1 else ""
                found.add(f"inspection every={step['every']}{first}")
        else:
            found.add(f"inspection per={o['per']} count={o['count']}")
    for cl in contract.get("clauses", []):
        if cl["kind"] in ("warranty_extension",):
            found.add(f"extension {cl['extend_by']}")
            continue
        value = cl.get("amount") or cl.get("percent") or ""
        if cl.get("unit"):
            value += f"/{cl['unit']}"
        for owner in by_clause.get(cl["id"], ["?"]):
            found.add(f"penalty {owner} {cl['kind']} {value}".rstrip())
    warranty = contract.get("warranty")
    if warranty:
        for kind, term in warranty["terms"].items():
            if term != "unit":
                found.add(f"warranty {kind} {term}")
        assumed = any(
            r["kind"] == "assumption" and r["item"] == "warranty" and "replaced" in r["message"]
            for r in reviews
        )
        if not assumed:
            found.add(f"rewarranty {warranty['rewarranty']}")
    for m in contract.get("measures", []):
        found.add(f"measure {m['kind']} {m['target']} {m['period']}")
    for ct in contract.get("contacts", []):
        text = " ".join(str(v) for v in ct["name"].values())
        for channel in ct.get("channels", []):
            text += " " + " ".join(channel.get("to", []))
        for value in [*PHONE.findall(text), *EMAIL.findall(text)]:
            found.add(f"contact {value}")
    return found


def silent(tender: Path, draft: Draft, drafted: set[str] | None = None) -> list[str]:
    """Sentences and table rows with a figure that are neither the source of a term (a
    commitment, clause, cap, warranty, asset, obligation, measure, contact, the calendar's
    week, a contract fact) nor the subject of a review item; and, term by term, each phone
    number and e-mail address of the text (PHONE, EMAIL, or a number of a phone's look in a
    sentence about phones: ``unread_phones``) that is neither a drafted contact nor named by a
    review item, even in a sentence that is the source of another term."""
    accounted = {(r.line, r.text) for r in draft.reviews if r.line}
    for terms_of in draft.sections.values():
        for term in terms_of:
            accounted.update((s.line, s.text) for s in term.sources)
    accounted.update((s.line, s.text) for s in draft.fact_sources.values())
    lines = read_tender(tender)
    said = " ".join(r.message for r in draft.reviews)
    lost: list[str] = []
    for sentence in sentences(lines, wrapped=tender.suffix.lower() == ".pdf"):
        if has_figure(sentence.plain) and (sentence.line, sentence.text) not in accounted:
            lost.append(f"line {sentence.line}: {sentence.text}")
        if drafted is None:
            continue
        plain = sentence.plain
        for value in [*PHONE.findall(plain), *EMAIL.findall(plain), *unread_phones(plain)]:
            if f"contact {value}" not in drafted and value not in said:
                lost.append(f"line {sentence.line}: contact {value} neither drafted nor listed")
    return lost


#: A duration of a term: a figure and its unit (m minutes, h hours, d days, mo months, y years).
_DURATION = re.compile(r"(?<![\w.])(\d+)(mo|y|m|h|d|w)(?!\w)")
_MINUTES = {"m": 1, "h": 60, "d": 1440, "w": 10080}


def same_meaning(term: str) -> str:
    """A term with its durations in one unit: minutes for a calendar that counts every hour,
    months for months and years; a commitment counted in working time keeps its own unit."""
    office = term.startswith("commit ") and term.endswith(" office")

    def one_unit(m: re.Match[str]) -> str:
        figure, unit = int(m.group(1)), m.group(2)
        if unit in ("mo", "y"):
            return f"{figure * 12 if unit == 'y' else figure}mo"
        return m.group(0) if office else f"{figure * _MINUTES[unit]}min"

    return _DURATION.sub(one_unit, term)


def as_keyed(drafted: set[str], expected: set[str]) -> set[str]:
    """The drafted terms, each spelled as the key's term of the same meaning where the key has one
    the draft does not already spell as the key does (two terms of one meaning stay two)."""
    unmatched = {same_meaning(t): t for t in expected - drafted}
    return {t if t in expected else unmatched.pop(same_meaning(t), t) for t in sorted(drafted)}


def score_text(name: str, entry: dict[str, Any], work: Path) -> Scored:
    tender = build(TEXTS / name, work)
    expected = set(entry["terms"])
    result = Scored(
        name,
        bool(entry.get("heldout")),
        expected,
        set(),
        set(entry.get("known_misses", [])),
        set(entry.get("known_wrong", [])),
    )
    try:
        draft = draft_tender(tender, options(entry))
        text = to_yaml(draft)
        validated(text, work / "draft.yaml")
    except Exception as exc:  # a text that does not draft or validate is a finding, not a crash
        result.error = f"{type(exc).__name__}: {exc}"
        return result
    data = yaml.safe_load(text)
    reviews = [r.to_json() for r in draft.reviews]
    drafted = terms(data, reviews)
    result.silent = silent(tender, draft, drafted)
    result.drafted = as_keyed(drafted, expected)
    return result


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _summary(scored: list[Scored]) -> dict[str, Any]:
    expected = sum(len(s.expected) for s in scored)
    drafted = sum(len(s.drafted) for s in scored)
    found = sum(len(s.found) for s in scored)
    return {
        "texts": len(scored),
        "terms_expected": expected,
        "terms_drafted": drafted,
        "terms_right": found,
        "recall_pct": _rate(found, expected),
        "precision_pct": _rate(found, drafted),
        "failed_to_draft": [s.name for s in scored if s.error],
        "silent": sum(len(s.silent) for s in scored),
    }


def score_all() -> list[Scored]:
    with tempfile.TemporaryDirectory(prefix="slaengine-drafting-") as tmp:
        return [score_text(name, entry, Path(tmp)) for name, entry in keys().items()]


def drafting_section() -> dict[str, Any]:
    scored = score_all()
    return {
        "tuned": _summary([s for s in scored if not s.heldout]),
        "never_seen": _summary([s for s in scored if s.heldout]),
        "per_text": {
            s.name: {
                "heldout": s.heldout,
                "recall_pct": _rate(len(s.found), len(s.expected)),
                "precision_pct": _rate(len(s.found), len(s.drafted)),
                "missed": sorted(s.expected - s.drafted),
                "wrong": sorted(s.drafted - s.expected),
                "silent": s.silent,
                "error": s.error,
            }
            for s in scored
        },
    }


if __name__ == "__main__":
    print(json.dumps(drafting_section(), ensure_ascii=False, indent=1))
