"""Printing names and achievement lines onto pre-printed blank certificates (phôi Giấy khen, Bằng khen).

Positions come from the certificate form data (mm from the form's top-left corner); each printer
feeds paper a little off, so a per-form X/Y offset in mm is calibrated with a test page and saved
in the data set's settings. PDFs are produced at the form's exact size and must be printed at 100 %.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.pdfgen.canvas import Canvas

from thidua_desktop.core.awards.catalog import CertificateForm, CertificateLine, fill
from thidua_desktop.core.awards.models import NomineeKind
from thidua_desktop.core.awards.records import HONORIFIC, NominationInfo, Offset, SettingsStore
from thidua_desktop.core.documents import clean
from thidua_desktop.core.documents.layout import MM
from thidua_desktop.core.documents.pdf import (
    FONT,
    FONT_BOLD,
    FONT_BOLD_ITALIC,
    FONT_ITALIC,
    register_fonts,
    string_width,
)
from thidua_desktop.core.text import format_number

OFFSETS_SETTING = "award_certificate_offsets"
MIN_FONT_SIZE = 10.0
FIELD_LABELS = {"recipient": "Tên tập thể / cá nhân", "detail": "Chức vụ, đơn vị", "achievement": "Thành tích"}


def load_offsets(settings: SettingsStore) -> dict[str, Offset]:
    """Every form's calibrated offset, kept in the data set's settings."""
    raw = settings.setting(OFFSETS_SETTING) or {}
    return {code: Offset(float(v[0]), float(v[1])) for code, v in raw.items()}


def save_offset(settings: SettingsStore, form_code: str, offset: Offset) -> None:
    """Store one form's calibrated offset (audited like every setting)."""
    raw = dict(settings.setting(OFFSETS_SETTING) or {})
    raw[form_code] = [round(offset.x_mm, 1), round(offset.y_mm, 1)]
    settings.set_settings(**{OFFSETS_SETTING: raw})


@dataclass(frozen=True)
class CertificateText:
    recipient: str
    detail: str
    achievement: str

    def field(self, name: str) -> str:
        return getattr(self, name, "")


def certificate_text(form: CertificateForm, nomination: NominationInfo, values: dict) -> CertificateText:
    """What goes on one certificate: the nominee, their position and unit, the achievement line."""
    draft = nomination.draft
    if nomination.kind is NomineeKind.COLLECTIVE:
        recipient, detail = draft.name, ""
    else:
        honorific = HONORIFIC.get(draft.sex) if draft.sex else None
        recipient = f"{honorific} {draft.name}" if honorific else draft.name
        detail = ", ".join(p for p in (draft.position, nomination.unit.name) if p)
    return CertificateText(recipient, detail, fill(form.achievement, values))


def _face(line: CertificateLine) -> str:
    return {(False, False): FONT, (True, False): FONT_BOLD, (False, True): FONT_ITALIC,
            (True, True): FONT_BOLD_ITALIC}[(line.bold, line.italic)]


def _wrap(text: str, face: str, size: float, width: float) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and string_width(f"{lines[-1]} {word}", face, size) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def fit_lines(text: str, line: CertificateLine) -> tuple[list[str], float]:
    """Wrap text to the line's width and line count, shrinking the font (not below 10 pt) if needed."""
    face = _face(line)
    size = line.size
    width = line.width_mm * MM
    while True:
        lines = _wrap(clean(text), face, size, width)
        widest = max((string_width(t, face, size) for t in lines), default=0.0)
        if (len(lines) <= line.max_lines and widest <= width) or size <= MIN_FONT_SIZE:
            return lines, size
        size -= 0.5


def _canvas(form: CertificateForm, buffer: io.BytesIO, title: str) -> Canvas:
    register_fonts()
    width, height = form.page_mm
    canvas = Canvas(buffer, pagesize=(width * MM, height * MM), invariant=1, initialFontName=FONT)
    canvas.setTitle(clean(title))
    canvas.setCreator("ThiĐua Desktop")
    return canvas


def _draw_lines(canvas: Canvas, form: CertificateForm, text: CertificateText, offset: Offset) -> None:
    height = form.page_mm[1] * MM
    for line in form.lines:
        content = text.field(line.field)
        if not content:
            continue
        wrapped, size = fit_lines(content, line)
        canvas.setFont(_face(line), size)
        for index, part in enumerate(wrapped):
            x = (line.x_mm + offset.x_mm) * MM
            y = height - (line.y_mm + offset.y_mm) * MM - index * size * 1.25
            canvas.drawCentredString(x, y, part)


def certificates_pdf(form: CertificateForm, texts: Sequence[CertificateText], offset: Offset) -> bytes:
    """One page per certificate, only the variable lines, at the form's exact size (print at 100 %)."""
    buffer = io.BytesIO()
    canvas = _canvas(form, buffer, form.name)
    for text in texts:
        _draw_lines(canvas, form, text, offset)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _ruler(canvas: Canvas, width_mm: float, height_mm: float) -> None:
    """Millimetre ticks along the top and left edges, numbered every 10 mm, to read the offset off the page."""
    height = height_mm * MM
    canvas.setLineWidth(0.3)
    canvas.setFont(FONT, 6)
    for mm in range(0, int(width_mm) + 1):
        tick = 4 if mm % 10 == 0 else (2.5 if mm % 5 == 0 else 1.5)
        canvas.line(mm * MM, height, mm * MM, height - tick * MM)
        if mm % 10 == 0 and mm:
            canvas.drawCentredString(mm * MM, height - 7 * MM, str(mm))
    for mm in range(0, int(height_mm) + 1):
        tick = 4 if mm % 10 == 0 else (2.5 if mm % 5 == 0 else 1.5)
        canvas.line(0, height - mm * MM, tick * MM, height - mm * MM)
        if mm % 10 == 0 and mm:
            canvas.drawString(5 * MM, height - mm * MM - 2, str(mm))


def calibration_pdf(form: CertificateForm, offset: Offset) -> bytes:
    """A test page: rulers, a cross at each line's position (offset applied) and sample text.

    Print it on plain paper, lay it on a blank form against the light, and read how far each cross
    sits from where that line belongs; add those millimetres to the offset and print again.
    """
    buffer = io.BytesIO()
    canvas = _canvas(form, buffer, f"Trang in thử – {form.name}")
    width_mm, height_mm = form.page_mm
    height = height_mm * MM
    _ruler(canvas, width_mm, height_mm)
    canvas.setStrokeColor(colors.black)
    canvas.setLineWidth(0.4)
    for line in form.lines:
        x = (line.x_mm + offset.x_mm) * MM
        y = height - (line.y_mm + offset.y_mm) * MM
        canvas.line(x - 6 * MM, y, x + 6 * MM, y)
        canvas.line(x, y - 6 * MM, x, y + 6 * MM)
        half = line.width_mm * MM / 2
        canvas.setDash(2, 2)
        canvas.line(x - half, y, x - 8 * MM, y)
        canvas.line(x + 8 * MM, y, x + half, y)
        canvas.setDash()
        canvas.setFont(FONT, 8)
        canvas.drawString(x + 2 * MM, y + 2 * MM,
                          f"{FIELD_LABELS.get(line.field, line.field)} (x = {format_number(line.x_mm, decimals=1)} mm, "
                          f"y = {format_number(line.y_mm, decimals=1)} mm)")
    canvas.setFont(FONT, 10)
    notes = [
        f"Trang in thử hiệu chỉnh phôi: {form.name}.",
        f"Độ lệch đang dùng: X = {format_number(offset.x_mm, decimals=1)} mm, "
        f"Y = {format_number(offset.y_mm, decimals=1)} mm (X dương: sang phải; Y dương: xuống dưới).",
        "In trang này trên giấy trắng cùng khổ với tỉ lệ 100%, đặt chồng lên phôi và soi đèn;",
        "đo khoảng cách từ mỗi dấu chữ thập tới vị trí dòng tương ứng trên phôi rồi cộng vào độ lệch.",
    ]
    for index, note in enumerate(notes):
        canvas.drawString(20 * MM, 22 * MM - index * 13, clean(note))
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
