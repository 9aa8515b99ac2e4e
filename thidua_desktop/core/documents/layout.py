"""Nghị định 30/2020/NĐ-CP, Phụ lục I, as numbers: one source for the PDF and the Word renderers."""

from __future__ import annotations

from dataclasses import dataclass

from thidua_desktop.core.documents.model import Orientation

MM = 72.0 / 25.4  # points per millimetre

A4_MM = (210.0, 297.0)


@dataclass(frozen=True)
class Margins:
    """In millimetres; each value inside the range the decree allows."""

    top: float = 20.0  # 20–25
    bottom: float = 20.0  # 20–25
    left: float = 30.0  # 30–35 (binding edge)
    right: float = 15.0  # 15–20


MARGINS = Margins()


def page_size_mm(orientation: Orientation) -> tuple[float, float]:
    width, height = A4_MM
    return (height, width) if orientation is Orientation.LANDSCAPE else (width, height)


def text_width_mm(orientation: Orientation) -> float:
    return page_size_mm(orientation)[0] - MARGINS.left - MARGINS.right


# Font sizes (pt) within the decree's ranges.
BODY_SIZE = 14.0  # 13–14, justified
LEADING = 17.0  # ≈ single line spacing of a Times-metric font at 14 pt (rule: 1–1.5 lines)
PARAGRAPH_GAP = 6.0  # ≥ 6 pt between paragraphs
FIRST_LINE_INDENT_MM = 12.7  # 1–1.27 cm
HEADER_CAPS_SIZE = 13.0  # parent agency, agency, national title: 12–13
MOTTO_SIZE = 14.0  # "Độc lập - Tự do - Hạnh phúc": 13–14
NUMBER_SIZE = 13.0  # "Số: …": 13
TITLE_SIZE = 14.0  # document type and summary: 13–14
PAGE_NUMBER_SIZE = 13.0  # 13–14, centred in the top margin, not on page 1
RECIPIENTS_HEADING_SIZE = 12.0  # "Nơi nhận:" bold italic
RECIPIENTS_SIZE = 11.0
SIGNATURE_SIZE = 14.0
SIGNATURE_SPACE_MM = 25.0  # room to sign and seal
TABLE_SIZE = 12.0

# Header column shares of the text width (left: agency, right: national motto).
HEADER_LEFT_SHARE = 0.40
AGENCY_RULE_SHARE = 0.40  # short rule under the agency: 1/3–1/2 of its text
SUMMARY_RULE_SHARE = 0.35  # under the summary line: 1/3–1/2 of its text

NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
RECIPIENTS_HEADING = "Nơi nhận:"
