"""Writing a draft: the contract YAML with ``# REVIEW:`` comments, and the review report as JSON.

Theory of operation: the YAML is written section by section in the order of the example
contract, each term as YAML (PyYAML's dumper, so quoting is always right) with its ``source``
last and any review notes as ``# REVIEW:`` comments just above it. The text is then validated by
the same loader ``contract validate`` uses: a draft that would not validate is a bug and is never
written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from slaengine.contract import Contract, parse_contract
from slaengine.drafting.items import REVIEW_KINDS, Draft, Term

_LIST_SECTIONS = ("commitments", "clauses", "assets", "obligations", "measures", "contacts")


def _dump(data: Any) -> str:
    """Block style, with the innermost mappings in flow style ({zh: ..., en: ...})."""
    flat = isinstance(data, dict) and not any(isinstance(v, dict | list) for v in data.values())
    return yaml.safe_dump(
        data,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False if flat else None,
        width=100,
    )


def _indent(text: str, spaces: int) -> list[str]:
    return [" " * spaces + line for line in text.rstrip("\n").split("\n")]


def _with_source(term: Term) -> dict[str, Any]:
    data = dict(term.data)
    if term.sources:
        data["source"] = term.source_json()
    return data


def _notes(notes: list[str], spaces: int) -> list[str]:
    return [" " * spaces + "# REVIEW: " + " ".join(note.split()) for note in notes]


def to_yaml(draft: Draft) -> str:
    reviews = len(draft.reviews)
    lines = [
        f"# Drafted by `slaengine contract draft` from {draft.tender.name}.",
        "# Every term carries `source: {line, text}`: check each against the tender.",
        f"# {reviews} item(s) to review, marked `# REVIEW:` below "
        "(and listed by `contract draft`, or in its --report file).",
    ]
    for key, value in draft.facts.items():
        lines.extend(_notes(draft.section_notes.get(key, []), 0))
        if key in draft.fact_sources:
            source = draft.fact_sources[key]
            lines.append(f"# from line {source.line}: {source.text}")
        lines.extend(_dump({key: value}).rstrip("\n").split("\n"))
    calendars = draft.sections["calendars"]
    lines.append("")
    lines.append("calendars:")
    for term in calendars:
        lines.extend(_notes(draft.section_notes.get(term.id, []) + term.notes, 2))
        if term.sources:
            for source in term.sources:
                lines.append(f"  # from line {source.line}: {source.text}")
        lines.extend(_indent(_dump({term.id: term.data}), 2))
    lines.extend(["", "rules: [after-sales]"])
    for section in ("commitments", "clauses"):
        _list_section(lines, section, draft.sections[section])
    if draft.sections["caps"]:
        lines.extend(["", "caps:"])
        for term in draft.sections["caps"]:
            lines.extend(_notes(term.notes, 2))
            lines.extend(_indent(_dump({term.id: _with_source(term)}), 2))
    for term in draft.sections["warranty"]:
        lines.append("")
        lines.extend(_notes(term.notes, 0))
        lines.extend(_dump({"warranty": _with_source(term)}).rstrip("\n").split("\n"))
    for section in ("assets", "obligations", "measures", "contacts"):
        _list_section(lines, section, draft.sections.get(section, []))
    return "\n".join(lines) + "\n"


def _list_section(lines: list[str], section: str, terms: list[Term]) -> None:
    if not terms:
        if section == "commitments":  # required, even when the tender gave none
            lines.extend(
                ["", "# REVIEW: the tender states no response commitment", "commitments: []"]
            )
        return
    lines.extend(["", f"{section}:"])
    for term in terms:
        lines.extend(_notes(term.notes, 2))
        lines.extend(_indent(_dump([{"id": term.id, **_with_source(term)}]), 2))


def validated(text: str, path: Path) -> Contract:
    """The draft's YAML as ``contract validate`` reads it (it must pass: see the module docstring).

    ``path`` is where the file will be: rule libraries are looked up next to it."""
    return parse_contract(text, path)


def report_json(draft: Draft, output: str | None) -> dict[str, Any]:
    counts = {kind: 0 for kind in REVIEW_KINDS}
    for review in draft.reviews:
        counts[review.kind] += 1
    return {
        "tender": str(draft.tender),
        "contract": draft.facts["id"],
        "output": output,
        "found": {section: draft.count(section) for section in _LIST_SECTIONS}
        | {
            "warranty": bool(draft.sections["warranty"]),
            "caps": [term.id for term in draft.sections["caps"]],
            "calendars": [term.id for term in draft.sections["calendars"]],
        },
        "review_counts": counts,
        "reviews": [review.to_json() for review in draft.reviews],
    }
