"""What a draft is made of: terms read from sentences, and what a reviewer must look at.

Also the draft itself (``Draft``), the options that fill what a tender does not say
(``DraftOptions``) and the error when neither says it (``DraftError``).

A ``Term`` is one item of the contract file (a commitment, a clause, the warranty, an
obligation, a cap, an asset, a calendar) with the sentences it was read from; a ``Review`` is a
reason a person must check something: a sentence with a figure nobody understood, a commitment
stated twice with different targets, a commitment without a penalty, an assumption the draft had
to make. Reviews are both printed (and written as JSON) and written into the YAML as
``# REVIEW:`` comments above the term they concern.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from slaengine.drafting.text import Sentence
from slaengine.errors import SlaError

#: Review kinds, in the order a reviewer should work through them.
NOT_UNDERSTOOD = "not_understood"
CONFLICT = "conflict"
UNLINKED = "unlinked"
NO_PENALTY = "no_penalty"
ASSUMPTION = "assumption"
#: boilerplate with a figure (bid validity 90 days): drafted as nothing, listed so that no
#: figure of the tender is passed over in silence.
IGNORED = "ignored"
REVIEW_KINDS = (NOT_UNDERSTOOD, CONFLICT, UNLINKED, NO_PENALTY, ASSUMPTION, IGNORED)


@dataclass(slots=True)
class Review:
    kind: str
    message: str
    line: int | None = None
    text: str | None = None
    #: the id of the term it concerns (``onsite-30min``, ``P-ack``), if any.
    item: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "item": self.item,
            "line": self.line,
            "text": self.text,
            "message": self.message,
        }


@dataclass(slots=True)
class Term:
    section: str
    id: str
    data: dict[str, Any]
    sources: list[Sentence] = field(default_factory=list)
    #: what a comment above the term tells the reviewer (the review items about it).
    notes: list[str] = field(default_factory=list)
    #: review items about it, to name it once its id is known.
    reviews: list[Review] = field(default_factory=list)

    def add_source(self, sentence: Sentence) -> None:
        if all(s.line != sentence.line or s.text != sentence.text for s in self.sources):
            self.sources.append(sentence)

    def source_json(self) -> dict[str, Any] | list[dict[str, Any]]:
        entries = [{"line": s.line, "text": s.text} for s in self.sources]
        return entries[0] if len(entries) == 1 else entries


def quote(sentence: Sentence) -> str:
    return f"line {sentence.line}: “{sentence.text}”"


def is_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


class DraftError(SlaError):
    """The tender lacks something a contract cannot do without, and no option gave it."""


@dataclass(frozen=True, slots=True)
class DraftOptions:
    id: str | None = None
    price: Decimal | None = None
    currency: str | None = None
    accepted_on: date | None = None
    timezone: str | None = None
    #: the country of the working-hours calendar's public holidays; None: the time zone's
    #: (Asia/Shanghai → CN, America/New_York → US, Europe/London → GB …), listed for review.
    holidays: str | None = None


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
    #: the sentence a top-level fact was read from, when no option gave it (合同编号 …).
    fact_sources: dict[str, Sentence] = field(default_factory=dict)

    def count(self, section: str) -> int:
        return len(self.sections.get(section, []))
