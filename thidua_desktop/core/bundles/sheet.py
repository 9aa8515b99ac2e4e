"""The key enrolment sheet (Phiếu đăng ký khóa): a signed, sealed paper that lets the department confirm a
unit's public key through a second channel before trusting bundles signed with it.

It shows the unit, key id, fingerprint in groups, the public key itself, a QR code carrying the unit
and key, and space for the head of the unit's signature and seal, laid out like an administrative
document (Nghị định 30/2020) with the bundled Liberation Serif fonts, so Vietnamese prints anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.graphics.barcode import qr
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from thidua_desktop import APP_NAME
from thidua_desktop.core.bundles.host import BundleHost
from thidua_desktop.core.bundles.keys import OwnKey
from thidua_desktop.core.bundles.trust import QR_PREFIX
from thidua_desktop.core.fileio import atomic_write
from thidua_desktop.core.resources import font_path
from thidua_desktop.core.text import format_date
from thidua_desktop.core.units import header_defaults

SERIF = "ThiDuaSheetSerif"
SERIF_BOLD = "ThiDuaSheetSerif-Bold"
SERIF_ITALIC = "ThiDuaSheetSerif-Italic"
ORIGIN_LABELS = {
    "created": "Khóa tạo mới",
    "rotated": "Thay khóa định kỳ (khóa cũ đã xác nhận khóa mới)",
    "replaced": "Tạo lại do quên cụm mật khẩu — cần đăng ký lại",
}


def _register_fonts() -> None:
    if SERIF in pdfmetrics.getRegisteredFontNames():
        return
    for name, file_name in ((SERIF, "LiberationSerif-Regular.ttf"), (SERIF_BOLD, "LiberationSerif-Bold.ttf"),
                            (SERIF_ITALIC, "LiberationSerif-Italic.ttf")):
        pdfmetrics.registerFont(TTFont(name, str(font_path(file_name))))
    pdfmetrics.registerFontFamily(SERIF, normal=SERIF, bold=SERIF_BOLD, italic=SERIF_ITALIC, boldItalic=SERIF_BOLD)


def qr_payload(unit_code: str, key: OwnKey) -> str:
    """What the QR code holds: enough for the department to enrol the key by scanning."""
    return f"{QR_PREFIX};unit={unit_code};key={key.public_key.to_base64()}"


@dataclass(frozen=True)
class SheetInfo:
    unit_code: str
    unit_name: str
    parent_agency: str
    department_name: str
    header_agency: str = ""  # "PHÒNG TƯ PHÁP" under "UBND HUYỆN AN PHÚ", as on every other document


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=SERIF, fontSize=13, leading=17)
    return {
        "base": base,
        "center": ParagraphStyle("center", parent=base, alignment=TA_CENTER),
        "center_bold": ParagraphStyle("center_bold", parent=base, fontName=SERIF_BOLD, alignment=TA_CENTER),
        "header": ParagraphStyle("header", parent=base, fontSize=12, leading=15, alignment=TA_CENTER),
        "header_bold": ParagraphStyle("header_bold", parent=base, fontName=SERIF_BOLD, fontSize=12, leading=15,
                                      alignment=TA_CENTER),
        "title": ParagraphStyle("title", parent=base, fontName=SERIF_BOLD, fontSize=15, leading=20,
                                alignment=TA_CENTER, spaceBefore=14),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontName=SERIF_ITALIC, fontSize=12, alignment=TA_CENTER),
        "label": ParagraphStyle("label", parent=base, fontSize=12, leading=15),
        "value": ParagraphStyle("value", parent=base, fontName=SERIF_BOLD, fontSize=12, leading=15),
        "fingerprint": ParagraphStyle("fingerprint", parent=base, fontName=SERIF_BOLD, fontSize=17, leading=23),
        "small": ParagraphStyle("small", parent=base, fontSize=11, leading=14),
        "italic": ParagraphStyle("italic", parent=base, fontName=SERIF_ITALIC, fontSize=12, alignment=TA_CENTER),
    }


def render_enrolment_sheet(target: Path, info: SheetInfo, key: OwnKey, *, printed_at: datetime | None = None) -> Path:
    """Write the sheet as a one-page A4 PDF (atomically).

    One function on purpose: it reads top to bottom as the printed page does.
    """
    _register_fonts()
    s = _styles()
    fingerprint = key.fingerprint.split()
    header = Table(
        [[Paragraph(info.parent_agency.upper() or "&nbsp;", s["header"]),
          Paragraph("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", s["header_bold"])],
         [Paragraph(f"<b>{escape(info.header_agency or info.unit_name.upper())}</b>", s["header"]),
          Paragraph("<u>Độc lập - Tự do - Hạnh phúc</u>", s["center_bold"])]],
        colWidths=[78 * mm, 92 * mm],
    )
    header.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    size = 44 * mm
    widget = qr.QrCodeWidget(qr_payload(info.unit_code, key), barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    code = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    code.add(widget)
    rows = [
        ("Đơn vị", f"{info.unit_name} (mã {info.unit_code})"),
        ("Mã khóa", key.key_id),
        ("Ngày tạo khóa", format_date(key.created_at)),
        ("Loại", ORIGIN_LABELS.get(key.origin, key.origin)),
    ]
    details = Table(
        [[Paragraph(label, s["label"]), Paragraph(value, s["value"])] for label, value in rows]
        + [[Paragraph("Dấu vân tay", s["label"]),
            Paragraph(" ".join(fingerprint[:4]) + "<br/>" + " ".join(fingerprint[4:]), s["fingerprint"])]],
        colWidths=[32 * mm, 88 * mm],
    )
    details.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("BOTTOMPADDING", (0, 0), (-1, -1), 5)]))
    body = Table([[details, code]], colWidths=[122 * mm, 48 * mm])
    body.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("BOX", (0, 0), (-1, -1), 0.6, colors.black),
                              ("LEFTPADDING", (0, 0), (-1, -1), 6)]))
    signatures = Table(
        [[Paragraph("<b>NGƯỜI LẬP PHIẾU</b>", s["center"]),
          Paragraph("<i>……………, ngày …… tháng …… năm 20……</i>", s["center"])],
         [Paragraph("<i>(Ký, ghi rõ họ tên)</i>", s["italic"]), Paragraph("<b>THỦ TRƯỞNG ĐƠN VỊ</b>", s["center"])],
         ["", Paragraph("<i>(Ký, ghi rõ họ tên và đóng dấu)</i>", s["italic"])]],
        colWidths=[70 * mm, 100 * mm], rowHeights=[None, None, 34 * mm],
    )
    signatures.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    receipt = Table(
        [[Paragraph(
            "<b>Phần dành cho Sở Tư pháp.</b> Đã đối chiếu dấu vân tay với phần mềm ngày ……/……/20……, "
            "đã gọi điện xác nhận với đơn vị: □ Có &nbsp; □ Không. Người đăng ký khóa (ký, ghi rõ họ tên): "
            "……………………………………………", s["small"])]],
        colWidths=[170 * mm],
    )
    receipt.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 0.6, colors.black), ("TOPPADDING", (0, 0), (-1, -1), 6),
                                 ("BOTTOMPADDING", (0, 0), (-1, -1), 8)]))
    story = [
        header,
        Paragraph("PHIẾU ĐĂNG KÝ KHÓA KÝ GÓI DỮ LIỆU", s["title"]),
        Paragraph(f"(dùng cho phần mềm {APP_NAME})", s["subtitle"]),
        Spacer(1, 8),
        Paragraph(f"Kính gửi: {info.department_name}", s["center"]),
        Spacer(1, 8),
        Paragraph(
            f"{info.unit_name} đăng ký khóa dưới đây để ký các gói dữ liệu phong trào thi đua gửi về "
            f"{info.department_name}. Chỉ các gói được ký bằng khóa đã đăng ký mới được Sở tiếp nhận.", s["base"]),
        Spacer(1, 8),
        body,
        Spacer(1, 6),
        Paragraph("Khóa công khai (để đối chiếu hoặc nhập tay):", s["small"]),
        Paragraph(f"<b>{key.public_key.to_base64()}</b>", s["small"]),
        Spacer(1, 6),
        Paragraph(
            "<b>Hướng dẫn cho Sở Tư pháp:</b> khi đăng ký khóa (Gửi/Nhận gói dữ liệu › Khóa tin cậy › Đăng ký khóa), "
            "đọc từng nhóm dấu vân tay trên màn hình và so với phiếu này; nếu khác dù chỉ một ký tự, không đăng ký "
            "và gọi điện cho đơn vị. Có thể quét mã QR để điền sẵn khóa công khai.", s["small"]),
        Spacer(1, 10),
        signatures,
        Spacer(1, 6),
        receipt,
        Spacer(1, 4),
        Paragraph(f"In lúc {format_date(printed_at or datetime.now())} bằng {APP_NAME}.", s["small"]),
    ]
    with atomic_write(target, "wb") as handle:
        doc = SimpleDocTemplate(handle, pagesize=A4, leftMargin=25 * mm, rightMargin=15 * mm, topMargin=18 * mm,
                                bottomMargin=15 * mm, title=f"Phiếu đăng ký khóa {key.key_id}", author=info.unit_name)
        doc.build(story)
    return target


def write_enrolment_sheet(workspace: BundleHost, target: Path, key: OwnKey | None = None) -> Path:
    """The sheet of this unit's current key."""
    from sqlalchemy import select

    from thidua_desktop.core.bundles.keys import current_key
    from thidua_desktop.core.models import Unit, UnitKind

    key = key or current_key(workspace)
    unit = workspace.own_unit()
    with workspace.sessions() as session:
        department = session.scalar(select(Unit.name).where(Unit.kind == UnitKind.DEPARTMENT).limit(1))
    header = header_defaults(unit)
    info = SheetInfo(unit.code, unit.name, header["header_parent"], department or "Sở Tư pháp", header["header_agency"])
    return render_enrolment_sheet(Path(target), info, key)
