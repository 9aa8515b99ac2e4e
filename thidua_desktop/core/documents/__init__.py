"""Vietnamese administrative documents laid out per Nghị định 30/2020/NĐ-CP, as PDF and as Word.

Why a module of its own: award dossiers, the consolidated movement report and any later printout
must all look like real administrative documents, and staff must be able to reword them in Word.
So content is described once, as a small immutable model, and two renderers apply the same rules.

Usage::

    from datetime import date
    from thidua_desktop.core import documents as d

    doc = d.Document(
        name="bao-cao-tong-hop",  # file stem
        letterhead=d.Letterhead(
            parent_agency="UBND TỈNH AN GIANG", agency="SỞ TƯ PHÁP",
            number_line=d.number_line(12, "BC-STP"),          # "Số: 12/BC-STP"; None: no number line
            place_date=d.place_date("An Giang", date(2025, 2, 5)),  # "…, ngày 05 tháng 02 năm 2025"
        ),
        title=d.Title("BÁO CÁO", ("Tổng hợp kết quả thực hiện phong trào thi đua …",)),
        blocks=(
            d.Heading("I. KẾT QUẢ ĐẠT ĐƯỢC"),                     # level 1; level=2 for "1. …"
            d.para("Text, literal: <b>& prints as typed."),       # justified, first-line indent
            d.para("Căn cứ …;", style=d.ParaStyle.BASIS),         # italic basis line
            d.para("Kính gửi: ", d.Run("Bộ trưởng", bold=True), style=d.ParaStyle.CENTER),
            *d.paragraphs(user_text),                             # one paragraph per line of user text
            d.table([d.Column("STT", 1, d.Align.CENTER), d.Column("Nội dung", 6)],
                    [d.Row(("I. TẬP THỂ",), section=True), ("1", "…")]),
            d.PageBreak(),
        ),
        closing=d.Closing(
            recipients=("- Như trên;", "- Lưu: VT, TĐKT."),
            signatures=(d.Signature(("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"), name="Nguyễn Văn A"),),
        ),
        orientation=d.Orientation.PORTRAIT,                       # LANDSCAPE for wide tables
    )
    pdf_bytes = d.render_pdf(doc)          # or render_pdf([doc1, doc2]) for one printable file
    docx_bytes = d.render_docx(doc)
    d.write_document(doc, folder)          # folder/<name>.pdf and .docx, each written atomically

Rules applied (see `layout`): A4, margins 20/20/30/15 mm; two-column letterhead with the national
title, the motto and its rule of its own width, "Số: 05/…" (leading zero below 10) and the italic
place and date (leading zero for day < 10 and months 1–2); bold title and summary with a short rule;
14 pt justified body with 12.7 mm first-line indent and 6 pt after; "Nơi nhận" 12 pt bold italic with
11 pt items; signer block in bold caps with room to sign; page numbers centred in the top margin
from page 2 on. PDF text is Liberation Serif 2.x (bundled, OFL), embedded and subset. Every string is
NFC-normalised and stripped of control characters (`model.clean`); PDF text is escaped, so user text
never acts as reportlab markup. `Document.headings()` lists the headings both renderers mark.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from thidua_desktop.core.documents.model import (
    Align,
    Block,
    Closing,
    Column,
    Document,
    DocumentRef,
    Heading,
    Letterhead,
    Orientation,
    PageBreak,
    Paragraph,
    ParaStyle,
    Row,
    Run,
    Signature,
    Table,
    Title,
    clean,
    long_date,
    number_line,
    para,
    paragraphs,
    place_date,
    table,
)
from thidua_desktop.core.documents.pdf import render_pdf
from thidua_desktop.core.documents.word import render_docx
from thidua_desktop.core.fileio import atomic_write


def write_file(target: Path, data: bytes) -> Path:
    """Write atomically with the permissions of a file saved in that folder (not the temp file's 0600):
    a document saved to a shared folder must open for the colleague who prints it."""
    with atomic_write(target) as handle:
        handle.write(data)
    os.chmod(target, stat.S_IMODE(target.parent.stat().st_mode) & 0o666)
    return target


def write_document(document: Document, folder: Path) -> list[Path]:
    """Write `<name>.pdf` and `<name>.docx` into folder (each atomically); returns both paths."""
    rendered = {".pdf": render_pdf(document), ".docx": render_docx(document)}
    return [write_file(folder / f"{document.name}{suffix}", data) for suffix, data in rendered.items()]


__all__ = [
    "Align", "Block", "Closing", "Column", "Document", "DocumentRef", "Heading", "Letterhead", "Orientation", "PageBreak",
    "ParaStyle", "Paragraph", "Row", "Run", "Signature", "Table", "Title", "clean", "long_date", "number_line",
    "para", "paragraphs", "place_date", "render_docx", "render_pdf", "table", "write_document", "write_file",
]
