"""Drafting a contract from tender text (``slaengine contract draft``).

A tender response (投标文件 / 售后服务方案) in .txt, .md, .docx or .pdf is read into numbered lines
(``reading``), cut into sentences kept both as written and in a plain form (``text``), and each
sentence is read (``findings``) by the recognisers of response commitments (``responses``),
penalty clauses and caps (``clauses``), warranty terms and periodic obligations (``upkeep``), the
asset list (``assets``), period measures and contacts (``measures``), with the tender's words
kept as data (``vocabulary``) and its figures read by ``figures``. ``assembly`` puts the terms
together and lists what a reviewer must check (``items``); ``draft`` is the one entry;
``writing`` writes the contract YAML with ``# REVIEW:`` comments and the review report. See
docs/drafting.md.
"""

from slaengine.drafting.draft import Draft, DraftError, DraftOptions, draft_tender
from slaengine.drafting.reading import TenderError
from slaengine.drafting.writing import report_json, to_yaml, validated

__all__ = [
    "Draft",
    "DraftError",
    "DraftOptions",
    "TenderError",
    "draft_tender",
    "report_json",
    "to_yaml",
    "validated",
]
