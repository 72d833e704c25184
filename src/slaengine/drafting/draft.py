"""Drafting a contract from a tender: read every sentence, then put the terms together.

``draft_tender`` is the one entry: the tender file is read into numbered lines (``reading``),
cut into sentences (``text``), each sentence is read for what it says (``findings``) and the
terms are put together with their sources and review items (``assembly``). Writing the YAML and
the review report is ``writing``'s.
"""

from __future__ import annotations

from pathlib import Path

from slaengine.drafting.assembly import Assembly
from slaengine.drafting.findings import Findings, settle_calendars, settle_warranty
from slaengine.drafting.items import Draft, DraftError, DraftOptions
from slaengine.drafting.reading import read_tender
from slaengine.drafting.responses import site_zones
from slaengine.drafting.text import sentences

__all__ = ["Draft", "DraftError", "DraftOptions", "draft_tender"]


def draft_tender(path: Path, options: DraftOptions) -> Draft:
    """Read a tender document and draft its contract."""
    lines = read_tender(path)
    findings = Findings(options)
    read = sentences(lines, wrapped=path.suffix.lower() == ".pdf")
    findings.sites = site_zones([sentence.plain for sentence in read])
    for sentence in read:
        try:
            findings.read(sentence)
        except Exception as exc:
            # a fault of the drafter on one sentence stays with that sentence: it is listed
            # for review (with what failed) and the rest of the tender is still read
            findings.failed(sentence, exc)
    settle_warranty(findings)
    settle_calendars(findings)
    return Assembly(findings).finish(path)
