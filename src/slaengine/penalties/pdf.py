"""The monthly statement (对账单) as a PDF document, A4, in Chinese or English (reportlab).

The document draws on the same rows as the terminal table, the CSV and the workbook
(slaengine.penalties.export): the heading with the contract's parties, every line with its
formula in words, the totals with the caps, and a confirmation block for both parties. When the
statement was confirmed (slaengine.audit.confirmations), the block says by whom, when and the
confirmed document's SHA-256 — and, when lines changed since, which ones.

Chinese needs a font with its glyphs embedded in the file: reportlab embeds TrueType outlines
only (``.ttf``, or ``.ttc`` collections of them; not the CFF outlines of most ``.otf`` files, nor
Debian's ``fonts-noto-cjk``). ``SLAENGINE_PDF_FONT`` names the font file; without it the first
of ``FONT_CANDIDATES`` found is used (Debian's ``fonts-wqy-zenhei`` and friends). None found
is a clear error naming the setting.

The same statement rendered twice gives the same bytes (reportlab's ``invariant`` mode: no
creation time, a fixed document id), so a confirmed document's hash can be reproduced from the
store by rendering it again with the confirmed ``as_of``.
"""

from __future__ import annotations

import io
import os
import threading
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from slaengine.errors import SlaError
from slaengine.penalties.caps import cap_amount
from slaengine.penalties.disputes import dispute_word
from slaengine.penalties.export import (
    LINE_COLUMNS,
    dispute_notes,
    heading_rows,
    line_rows,
    totals_rows,
)
from slaengine.penalties.statement import Statement
from slaengine.penalties.words import amount_text, label

#: The environment variable naming the font file (TrueType, .ttf or .ttc) with CJK glyphs.
FONT_ENV = "SLAENGINE_PDF_FONT"
#: Where Debian's packages put TrueType fonts with Chinese glyphs, in the order tried.
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",  # fonts-wqy-zenhei
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",  # fonts-wqy-microhei
    "/usr/share/fonts/truetype/arphic/uming.ttc",  # fonts-arphic-uming
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",  # fonts-droid-fallback
)

_WORDS: dict[str, tuple[str, str]] = {
    "title": ("Statement of SLA penalties and compensation", "售后服务违约金及赔偿对账单"),
    "parties": ("Parties", "合同双方"),
    "caps": ("Caps", "封顶"),
    "year_cap": ("Penalties are capped per contract year at", "每合同年度违约金上限"),
    "total_cap": ("Penalties are capped over the contract at", "合同期内违约金总上限"),
    "no_cap": ("No cap on penalties.", "违约金不设上限。"),
    "cap_note": (
        "Per-breach caps are applied in each line's formula; cap adjustment lines bring a "
        "contract year's penalties down to its cap.",
        "单次违约上限已在各明细的计算方式中体现；封顶调整行将合同年度违约金降至上限。",
    ),
    "confirmation": ("Confirmation", "确认"),
    "confirm_text": (
        "The parties have checked the lines and totals above and confirm this statement.",
        "双方已核对上述明细及合计，确认本对账单无误。",
    ),
    "customer_party": ("Customer", "甲方（采购人）"),
    "supplier_party": ("Supplier", "乙方（供应商）"),
    "signed_by": ("Name and signature", "签字"),
    "signed_on": ("Date", "日期"),
    "seal": ("Seal", "盖章"),
    "recorded": ("Recorded confirmations", "系统记录的确认"),
    "confirmed_by": ("confirmed by", "确认人"),
    "confirmed_at": ("at", "确认时间"),
    "document": ("document SHA-256", "文件 SHA-256"),
    "unchanged": ("the statement has not changed since.", "此后对账单未发生变化。"),
    "changed": (
        "the statement has changed since: {n} line(s) differ, listed below.",
        "此后对账单已发生变化：{n} 条明细不同，见下表。",
    ),
    "differences": ("Changes since the confirmation", "确认后的变化"),
    "then": ("as confirmed", "确认时"),
    "now": ("now", "现在"),
    "added": ("added", "新增"),
    "removed": ("removed", "已删除"),
    "page": ("page", "第{n}页"),
    "line_id": ("line", "明细"),
}


def _w(key: str, lang: str) -> str:
    en, zh = _WORDS[key]
    return zh if lang == "zh" else en


class FontMissing(SlaError):
    """No font with Chinese glyphs that reportlab can embed was found."""


@dataclass(frozen=True, slots=True)
class Recorded:
    """A recorded confirmation as the document shows it."""

    who: str
    party: str
    at: str
    document_sha256: str
    #: (line id, as confirmed, now): the lines that differ now; empty when unchanged.
    differences: list[tuple[str, str, str]]


def font_file() -> Path:
    """The CJK font to embed: ``SLAENGINE_PDF_FONT``, else the first Debian font found."""
    named = os.environ.get(FONT_ENV, "").strip()
    if named:
        path = Path(named).expanduser()
        if not path.is_file():
            raise FontMissing(f"{FONT_ENV}={named}: no such font file")
        return path
    for candidate in FONT_CANDIDATES:
        if Path(candidate).is_file():
            return Path(candidate)
    raise FontMissing(
        "no font with Chinese glyphs for the PDF statement: install Debian's fonts-wqy-zenhei "
        f"(apt-get install fonts-wqy-zenhei), or set {FONT_ENV} to a TrueType font file "
        "(.ttf or .ttc) that has them"
    )


_registered: dict[str, str] = {}
#: The console renders documents in several threads at once: one registers a font at a time.
_registering = threading.Lock()


def _font_name() -> str:
    """The font registered with reportlab (once per file)."""

    path = font_file()
    key = str(path.resolve())
    with _registering:
        return _registered.get(key) or _register(key)


def _register(key: str) -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    name = f"SlaCJK{len(_registered)}"
    try:
        font = (
            TTFont(name, key, subfontIndex=0) if key.lower().endswith(".ttc") else TTFont(name, key)
        )
    except Exception as exc:  # TTFError, or a damaged file's struct or index error
        raise FontMissing(
            f"{key}: reportlab cannot embed this font ({exc}); {FONT_ENV} must name a font "
            "with TrueType outlines (.ttf or .ttc), such as Debian's fonts-wqy-zenhei"
        ) from None
    pdfmetrics.registerFont(font)
    _registered[key] = name
    return name


def render_pdf(
    statement: Statement, lang: str, confirmations: list[Recorded] | None = None
) -> bytes:
    """The statement as an A4 PDF in ``lang`` (``zh`` or ``en``)."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    font = _font_name()
    contract = statement.contract
    base = ParagraphStyle("base", fontName=font, fontSize=8, leading=10.5, wordWrap="CJK")
    small = ParagraphStyle("small", parent=base, fontSize=7, leading=9)
    right = ParagraphStyle("right", parent=small, alignment=TA_RIGHT)
    title = ParagraphStyle("title", parent=base, fontSize=15, leading=19, spaceAfter=4)
    h2 = ParagraphStyle("h2", parent=base, fontSize=10.5, leading=14, spaceBefore=8, spaceAfter=3)

    def p(text: Any, style: ParagraphStyle = small) -> Paragraph:
        return Paragraph(escape(str(text)), style)

    grid = TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), font),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8ecf2")),
            ("LEFTPADDING", (0, 0), (-1, -1), 2.5),
            ("RIGHTPADDING", (0, 0), (-1, -1), 2.5),
        ]
    )
    story: list[Any] = []
    name = contract.name.get(lang) if contract.name else contract.id
    story.append(Paragraph(escape(f"{_w('title', lang)} · {statement.window.label}"), title))
    story.append(p(name, base))
    story.append(Spacer(1, 3 * mm))

    heading = [[p(key), p(value)] for key, value in heading_rows(statement, lang)]
    table = Table(heading, colWidths=[32 * mm, 148 * mm])
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story.append(table)

    # the lines: date, ticket, subject, clause, formula (with the waiver), amount, status
    story.append(Paragraph(escape(label("lines", lang)), h2))
    index = {column: LINE_COLUMNS.index(column) for column in LINE_COLUMNS}
    header = [
        p(label(column, lang))
        for column in ("date", "ticket", "subject", "clause", "formula", "amount", "status")
    ]
    rows: list[list[Any]] = [header]
    for row in line_rows(statement, lang):
        when = row[index["date"]]
        formula = str(row[index["formula"]])
        if row[index["waiver"]]:
            formula += f" — {label('waiver', lang)}: {row[index['waiver']]}"
        amount = row[index["amount"]]
        rows.append(
            [
                p(when.strftime("%Y-%m-%d %H:%M") if isinstance(when, datetime) else when),
                p(row[index["ticket"]]),
                p(row[index["subject"]]),
                p(row[index["clause"]]),
                p(formula),
                Paragraph(
                    escape(amount_text(amount) if isinstance(amount, Decimal) else ""), right
                ),
                p(row[index["status"]]),
            ]
        )
    if len(rows) == 1:
        rows.append([p(label("none", lang)), "", "", "", "", "", ""])
    widths = [22 * mm, 17 * mm, 27 * mm, 15 * mm, 66 * mm, 19 * mm, 14 * mm]
    lines = Table(rows, colWidths=widths, repeatRows=1)
    lines.setStyle(grid)
    story.append(lines)
    notes = dispute_notes(statement, lang)
    if notes:  # the disputed lines' footnote: [n] who contested it, why, the decision
        story.append(Spacer(1, 2 * mm))
        story.append(p(f"{dispute_word('footnote_title', lang)}. "
                       f"{dispute_word('footnote_intro', lang)}", base))  # fmt: skip
        for note in notes:
            story.append(p(note))

    # totals and caps
    story.append(Paragraph(escape(f"{label('totals', lang)} ({contract.currency})"), h2))
    totals = [[p(label("item", lang)), p(label("amount", lang))]]
    totals += [
        [p(item), Paragraph(escape(amount_text(amount)), right)]
        for item, amount in totals_rows(statement, lang)
    ]
    table = Table(totals, colWidths=[120 * mm, 40 * mm], hAlign="LEFT")
    table.setStyle(grid)
    story.append(table)
    story.append(Paragraph(escape(_w("caps", lang)), h2))
    yearly = cap_amount(contract.caps.per_contract_year, contract.price)
    total = cap_amount(contract.caps.contract_total, contract.price)
    caps = []
    if yearly is not None:
        caps.append(f"{_w('year_cap', lang)} {yearly[2] if lang == 'zh' else yearly[1]}")
    if total is not None:
        caps.append(f"{_w('total_cap', lang)} {total[2] if lang == 'zh' else total[1]}")
    for text in caps or [_w("no_cap", lang)]:
        story.append(p(text, base))
    story.append(p(_w("cap_note", lang)))

    story.extend(_confirmation(statement, lang, confirmations or [], p, base, h2, grid, mm))

    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(font, 7)
        page = _w("page", lang).format(n=doc.page)
        text = f"{contract.id} · {statement.window.label} · {page}"
        if lang == "en":
            text = f"{contract.id} · {statement.window.label} · {page} {doc.page}"
        canvas.drawRightString(A4[0] - 15 * mm, 9 * mm, text)
        canvas.restoreState()

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=16 * mm,
        title=f"{label('statement', lang)} {contract.id} {statement.window.label}",
        author="slaengine",
        subject=f"{contract.id} {statement.window.label}",
        invariant=1,
    )
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def _confirmation(
    statement: Statement,
    lang: str,
    recorded: list[Recorded],
    p: Any,
    base: Any,
    h2: Any,
    grid: Any,
    mm: float,
) -> list[Any]:
    from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle

    contract = statement.contract
    parts: list[Any] = [
        Paragraph(escape(_w("confirmation", lang)), h2),
        p(_w("confirm_text", lang), base),
    ]
    customer = contract.customer.get(lang) if contract.customer else ""
    supplier = contract.supplier.get(lang) if contract.supplier else ""
    block = [
        [p(_w("customer_party", lang)), p(_w("supplier_party", lang))],
        [p(customer, base), p(supplier, base)],
        [p(f"{_w('signed_by', lang)}:"), p(f"{_w('signed_by', lang)}:")],
        [p(f"{_w('signed_on', lang)}:"), p(f"{_w('signed_on', lang)}:")],
        [p(f"{_w('seal', lang)}:"), p(f"{_w('seal', lang)}:")],
    ]
    table = Table(
        block, colWidths=[90 * mm, 90 * mm], rowHeights=[None, None, 12 * mm, 8 * mm, 18 * mm]
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), base.fontName),
                ("BOX", (0, 0), (0, -1), 0.5, "#555555"),
                ("BOX", (1, 0), (1, -1), 0.5, "#555555"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    parts.append(Spacer(1, 2 * mm))
    parts.append(table)
    out: list[Any] = [KeepTogether(parts)]
    if not recorded:
        return out
    out.append(Paragraph(escape(_w("recorded", lang)), h2))
    for each in recorded:
        party = label("supplier" if each.party == "supplier" else "customer", lang)
        status = (
            _w("changed", lang).format(n=len(each.differences))
            if each.differences
            else _w("unchanged", lang)
        )
        out.append(
            p(
                f"{party} — {_w('confirmed_by', lang)} {each.who}, {_w('confirmed_at', lang)} "
                f"{each.at}; {_w('document', lang)} {each.document_sha256}; {status}",
                base,
            )
        )
        if each.differences:
            rows = [[p(_w("line_id", lang)), p(_w("then", lang)), p(_w("now", lang))]]
            for line, then, now in each.differences:
                rows.append([p(line), p(_w(then, lang) if then in _WORDS else then),
                             p(_w(now, lang) if now in _WORDS else now)])  # fmt: skip
            table = Table(rows, colWidths=[80 * mm, 50 * mm, 50 * mm], repeatRows=1)
            table.setStyle(grid)
            out.append(Spacer(1, 1.5 * mm))
            out.append(table)
    return out
