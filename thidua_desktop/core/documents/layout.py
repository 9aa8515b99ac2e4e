"""Nghị định 30/2020/NĐ-CP, Phụ lục I, as numbers: one source for the PDF and the Word renderers."""

from __future__ import annotations

from collections.abc import Callable
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

# Letterhead: room between the two columns, and the narrowest the left one gets.
HEADER_GUTTER_MM = 5.0
_PLACE_WORDS = ("THÀNH PHỐ ", "THỊ XÃ ", "HUYỆN ", "TỈNH ", "QUẬN ", "XÃ ", "PHƯỜNG ")
NBSP = "\u00a0"


# Names of bodies and terms a letterhead line never splits (a data list: add to it, never to the code paths).
NO_SPLIT_TERMS = ("TRUNG TÂM", "TRỢ GIÚP PHÁP LÝ", "NHÀ NƯỚC", "SỞ TƯ PHÁP", "PHÒNG TƯ PHÁP", "TƯ PHÁP",
                  "ĐẤU GIÁ TÀI SẢN", "ỦY BAN NHÂN DÂN", "HỘI ĐỒNG NHÂN DÂN", "VĂN PHÒNG", "THANH TRA",
                  "CÔNG CHỨNG", "PHỔ BIẾN", "GIÁO DỤC PHÁP LUẬT", "HÀNH CHÍNH TƯ PHÁP", "BỔ TRỢ TƯ PHÁP",
                  "THÀNH PHỐ", "THỊ XÃ", "ĐẶC KHU")


def bind_place_names(text: str) -> str:
    """"UBND THÀNH PHỐ LONG XUYÊN": the place name after its administrative word, and the terms of
    `NO_SPLIT_TERMS`, are bound with no-break spaces, so a header wraps between names, never inside one
    ("UBND THÀNH PHỐ / LONG XUYÊN", not "UBND THÀNH PHỐ LONG / XUYÊN")."""
    upper = text.upper()
    for word in _PLACE_WORDS:
        index = upper.rfind(word)
        if index >= 0 and (index == 0 or upper[index - 1] == " "):
            start = index + len(word)
            text = text[:start] + text[start:].replace(" ", NBSP)
            break
    for term in NO_SPLIT_TERMS:
        text = text.replace(term, term.replace(" ", NBSP))
    return text


def header_lines(text: str, width_of: Callable[[str], float], room: float) -> list[str]:
    """The lines of a letterhead text in a column `room` wide: explicit line breaks are kept; a line
    too wide is split at the space that best balances the two parts (no-break spaces never split)."""
    lines: list[str] = []
    for line in text.splitlines() or [""]:
        lines += _balanced(line, width_of, room)
    return lines


def _balanced(line: str, width_of: Callable[[str], float], room: float) -> list[str]:
    words = line.split(" ")
    if width_of(line) <= room or len(words) < 2:
        return [line]
    def parts(i: int) -> tuple[str, str]:
        return " ".join(words[:i]), " ".join(words[i:])

    two_lines = [i for i in range(1, len(words)) if all(width_of(p) <= room for p in parts(i))]
    if two_lines:  # the fewest lines, then the most even
        best = min(two_lines, key=lambda i: max(width_of(p) for p in parts(i)))
        return list(parts(best))
    fitting = [i for i in range(1, len(words)) if width_of(parts(i)[0]) <= room]
    best = max(fitting, default=1)  # fill the first line, break the rest the same way
    return [parts(best)[0], *_balanced(parts(best)[1], width_of, room)]


def header_left_width(lines_needed: Callable[[float], list[str]], width_of: Callable[[str], float],
                      text_width: float, right_needed: float) -> float:
    """The left column's width: its share of the text width, widened (up to what the national title
    leaves) until its lines break only where `header_lines` chose, with a gutter before the right one."""
    gutter = HEADER_GUTTER_MM * MM
    widest = text_width - right_needed - gutter
    base = text_width * HEADER_LEFT_SHARE
    needed = max((width_of(line) for line in lines_needed(widest)), default=0.0) + gutter
    return max(base, min(needed, widest))
