"""Certificates on pre-printed blank forms: positions in mm, the calibrated offset, the test page."""

from __future__ import annotations

import pytest

from tests.core.awards.conftest import person
from tests.core.awards.pdfcheck import MM, chunks, fonts, full_text, page_sizes_mm
from thidua_desktop.core.awards.catalog import CertificateLine, load_catalog
from thidua_desktop.core.awards.certificates import (
    CertificateText,
    Offset,
    calibration_pdf,
    certificates_pdf,
    fit_lines,
    load_offsets,
    save_offset,
)
from thidua_desktop.core.awards.service import AwardService, RoundInfo
from thidua_desktop.core.documents.pdf import FONT_BOLD, string_width
from thidua_desktop.core.workspace import Workspace

TEXT = CertificateText("Bà Nguyễn Thị Thu Hà", "Trưởng phòng, Phòng Tư pháp huyện Chợ Mới",
                       "Đã có thành tích xuất sắc trong phong trào thi đua theo chuyên đề")


@pytest.mark.parametrize("offset", [Offset(), Offset(2.5, -1.5)])
def test_the_name_is_centred_on_its_calibrated_position(offset: Offset) -> None:
    form = load_catalog().certificate("giay-khen-a4")
    pdf = certificates_pdf(form, [TEXT, TEXT], offset)
    assert page_sizes_mm(pdf) == [(297.0, 210.0), (297.0, 210.0)]
    line = next(li for li in form.lines if li.field == "recipient")
    name = next(c for c in chunks(pdf) if c.text == TEXT.recipient and c.page == 0)
    width_mm = string_width(TEXT.recipient, FONT_BOLD, line.size) / MM
    assert name.x_mm + width_mm / 2 == pytest.approx(line.x_mm + offset.x_mm, abs=0.05)
    assert name.y_mm == pytest.approx(line.y_mm + offset.y_mm, abs=0.05)
    assert all(fonts(pdf).values())


def test_long_achievements_wrap_and_shrink_to_fit_their_lines() -> None:
    line = CertificateLine("achievement", 148.5, 124, 120, 16, italic=True, max_lines=2)
    assert fit_lines("Đã có thành tích xuất sắc trong phong trào thi đua", line) == (
        ["Đã có thành tích xuất sắc trong phong trào thi đua"], 16)
    lines, size = fit_lines("Đã có thành tích xuất sắc trong phong trào thi đua " * 3, line)
    assert len(lines) == 2 and size == 11
    assert " ".join(lines) == ("Đã có thành tích xuất sắc trong phong trào thi đua " * 3).strip()
    overflow, smallest = fit_lines("Đã có thành tích xuất sắc trong phong trào thi đua " * 4, line)
    assert smallest == 10 and len(overflow) > 2  # never below 10 pt: the text is kept, not cut


def test_calibration_page_marks_every_line_and_states_the_offset() -> None:
    form = load_catalog().certificate("giay-khen-a4")
    text = full_text(calibration_pdf(form, Offset(1.5, -2.0)))
    assert "Trang in thử hiệu chỉnh phôi: Phôi Giấy khen khổ A4 (ngang)." in text
    assert "X = 1,5 mm, Y = -2,0 mm" in text
    assert "Tên tập thể / cá nhân (x = 148,5 mm, y = 98,0 mm)" in text
    assert "Thành tích (x = 148,5 mm, y = 124,0 mm)" in text


def test_offsets_are_saved_per_form_and_used_for_printing(service: AwardService, award_round: RoundInfo,
                                                          demo_workspace: Workspace) -> None:
    assert load_offsets(demo_workspace) == {}
    save_offset(demo_workspace, "bang-khen-a3", Offset(3.0, 4.5))
    save_offset(demo_workspace, "giay-khen-a4", Offset(-1.0, 0.5))
    assert load_offsets(demo_workspace) == {"bang-khen-a3": Offset(3.0, 4.5), "giay-khen-a4": Offset(-1.0, 0.5)}
    assert "X = 3,0 mm, Y = 4,5 mm" in full_text(service.documents.calibration_page("bang-khen-a3"))

    new_id, _ = service.create(award_round.id, person())
    batch = service.documents.certificates([new_id])
    pdf = batch.pdf
    assert (batch.form_code, batch.offset, batch.pages) == ("bang-khen-a3", Offset(3.0, 4.5), 1)
    form = load_catalog().certificate("bang-khen-a3")
    assert page_sizes_mm(pdf) == [(420.0, 297.0)]
    text = full_text(pdf)
    assert "Bà Nguyễn Thị Thu Hà" in text and "Trưởng phòng, Phòng Tư pháp huyện Chợ Mới" in text
    assert "Ngành Tư pháp chung tay vì người nghèo" in text
    name = next(c for c in chunks(pdf) if c.text == "Bà Nguyễn Thị Thu Hà")
    assert name.y_mm == pytest.approx(form.lines[0].y_mm + 4.5, abs=0.05)
