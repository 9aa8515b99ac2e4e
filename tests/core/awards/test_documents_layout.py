"""The Nghị định 30/2020 document module, checked on the rendered PDF and .docx themselves."""

from __future__ import annotations

import io
import unicodedata
from datetime import date

import docx
import pytest
from docx.shared import Mm

from tests.core.awards.pdfcheck import chunks, fonts, full_text, page_sizes_mm, page_texts
from thidua_desktop.core import documents as d

BODY = (
    "Trong giai đoạn 2023 – 2025, Phòng Tư pháp huyện Chợ Mới đã tổ chức 45 cuộc tuyên truyền, phổ biến chủ "
    "trương, chính sách giảm nghèo với 3.120 lượt người tham dự; phối hợp với Ủy ban nhân dân các xã thực hiện "
    "nhiều mô hình phổ biến, giáo dục pháp luật cho người nghèo."
)


def sample(*, name: str = "Phòng Tư pháp huyện Chợ Mới", paragraphs: int = 30,
           orientation: d.Orientation = d.Orientation.PORTRAIT) -> d.Document:
    return d.Document(
        name="mau",
        letterhead=d.Letterhead("UBND TỈNH AN GIANG", "SỞ TƯ PHÁP", d.number_line(5, "TTr-STP"),
                                d.place_date("An Giang", date(2024, 2, 5))),
        title=d.Title("TỜ TRÌNH", ("Về việc đề nghị tặng Bằng khen của Bộ trưởng Bộ Tư pháp",)),
        blocks=(
            d.para("Kính gửi: ", "Bộ trưởng Bộ Tư pháp", style=d.ParaStyle.CENTER),
            d.para("Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022;", style=d.ParaStyle.BASIS),
            d.Heading("I. Tập thể"),
            d.para("1. ", d.Run(name, bold=True), "."),
            d.Heading("II. Kết quả", level=1),
            *[d.para(BODY) for _ in range(paragraphs)],
            d.table([d.Column("STT", 1, d.Align.CENTER), d.Column("Tên tập thể", 6), d.Column("Kết quả", 2, d.Align.RIGHT)],
                    [d.Row(("I. TẬP THỂ",), section=True), ("1", name, "1.234.567")]),
        ),
        closing=d.Closing(("- Như trên;", "- Lưu: VT, TĐKT."),
                          (d.Signature(("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"), name="Nguyễn Văn Minh"),)),
        orientation=orientation,
    )


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return d.render_pdf(sample())


def test_national_title_motto_and_document_type_are_extractable_exactly(pdf: bytes) -> None:
    text = full_text(pdf)
    for phrase in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "TỜ TRÌNH",
                   "Số: 05/TTr-STP", "An Giang, ngày 05 tháng 02 năm 2024", "Phòng Tư pháp huyện Chợ Mới",
                   "Nơi nhận:", "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Nguyễn Văn Minh", "1.234.567"):
        assert phrase in text, phrase


def test_page_is_a4_and_the_left_margin_measured_from_text_is_30_to_35_mm(pdf: bytes) -> None:
    sizes = page_sizes_mm(pdf)
    assert len(sizes) >= 3 and set(sizes) == {(210.0, 297.0)}
    found = chunks(pdf)
    for page in range(len(sizes)):
        on_page = [c for c in found if c.page == page]
        left = round(min(c.x_mm for c in on_page), 2)
        assert 30.0 <= left <= 35.0, (page, left)
        assert max(c.y_mm for c in on_page) <= 297 - 20 + 1  # nothing in the bottom margin
        body = [c for c in on_page if c.text != str(page + 1)]
        assert min(c.y_mm for c in body) >= 20 - 1  # only the page number sits in the top margin


def test_landscape_pages_keep_the_same_margins() -> None:
    pdf = d.render_pdf(sample(orientation=d.Orientation.LANDSCAPE))
    assert set(page_sizes_mm(pdf)) == {(297.0, 210.0)}
    assert 30.0 <= round(min(c.x_mm for c in chunks(pdf) if c.page == 0), 2) <= 35.0


def test_page_numbers_are_centred_in_the_top_margin_from_page_two(pdf: bytes) -> None:
    found = chunks(pdf)
    numbers = [c for c in found if c.y_mm < 20]
    assert [c.text for c in numbers] == [str(n) for n in range(2, len(page_sizes_mm(pdf)) + 1)]
    assert {c.page for c in numbers} == set(range(1, len(page_sizes_mm(pdf))))
    for number in numbers:  # centred over the text block (30 mm … 195 mm)
        assert abs(number.x_mm + 1.2 - (30 + (210 - 30 - 15) / 2)) < 2.5


def test_every_font_used_is_liberation_serif_embedded_and_subset(pdf: bytes) -> None:
    used = fonts(pdf)
    assert used and all(used.values()), used
    assert all("+LiberationSerif" in name for name in used), used


def test_user_text_is_literal_not_markup() -> None:
    pdf = d.render_pdf(sample(name="Tổ <b>& hòa giải</b> <font size=40>ấp 3"))
    text = full_text(pdf)
    assert "Tổ <b>& hòa giải</b> <font size=40>ấp 3" in text


def test_text_is_nfc_normalised_whatever_the_input_form() -> None:
    decomposed = unicodedata.normalize("NFD", "Phòng Tư pháp huyện Chợ Mới")
    assert decomposed != "Phòng Tư pháp huyện Chợ Mới"
    text = full_text(d.render_pdf(sample(name=decomposed)))
    assert text.count("Phòng Tư pháp huyện Chợ Mới") >= 2
    assert unicodedata.normalize("NFC", text) == text


def test_control_characters_are_dropped() -> None:
    assert d.clean("A\x00B\x0bC\nD") == "ABC\nD"


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2024, 2, 5), "An Giang, ngày 05 tháng 02 năm 2024"),
        (date(2024, 1, 15), "An Giang, ngày 15 tháng 01 năm 2024"),
        (date(2025, 7, 1), "An Giang, ngày 01 tháng 7 năm 2025"),
        (date(2025, 12, 31), "An Giang, ngày 31 tháng 12 năm 2025"),
    ],
)
def test_place_and_date_take_leading_zeros_for_days_below_10_and_months_1_and_2(day: date, expected: str) -> None:
    assert d.place_date("An Giang", day) == expected


def test_number_line_pads_small_numbers_and_leaves_room_when_blank() -> None:
    assert d.number_line(5, "TTr-STP") == "Số: 05/TTr-STP"
    assert d.number_line("12", "BC-STP") == "Số: 12/BC-STP"
    assert d.number_line(None, "TTr-STP").startswith("Số:\u00a0") and d.number_line(None, "TTr-STP").endswith("/TTr-STP")
    assert d.place_date("Chợ Mới", None, year=2025) == "Chợ Mới, ngày\u00a0\u00a0\u00a0\u00a0\u00a0tháng\u00a0\u00a0\u00a0\u00a0\u00a0năm 2025"


def test_several_documents_in_one_pdf_number_their_pages_separately() -> None:
    pdf = d.render_pdf([sample(paragraphs=25), sample(paragraphs=25, orientation=d.Orientation.LANDSCAPE)])
    sizes = page_sizes_mm(pdf)
    first_landscape = sizes.index((297.0, 210.0))
    texts = page_texts(pdf)
    assert texts[first_landscape].lstrip().startswith("UBND TỈNH AN GIANG")  # no page number on its page 1
    numbers = [c.text for c in chunks(pdf) if c.y_mm < 20 and c.page > first_landscape]
    assert numbers[0] == "2"


def test_docx_opens_with_the_same_headings_and_page_setup() -> None:
    document = sample(name="Tổ <b>& hòa giải")
    word = docx.Document(io.BytesIO(d.render_docx(document)))
    headings = [p.text for p in word.paragraphs if p.style.name.startswith("Heading")]
    assert headings == document.headings() == ["TỜ TRÌNH", "I. Tập thể", "II. Kết quả"]
    section = word.sections[0]
    assert (round(section.page_width / Mm(1)), round(section.page_height / Mm(1))) == (210, 297)
    assert round(section.left_margin / Mm(1)) == 30 and round(section.right_margin / Mm(1)) == 15
    assert round(section.top_margin / Mm(1)) == 20 and round(section.bottom_margin / Mm(1)) == 20
    assert section.different_first_page_header_footer
    assert "PAGE" in section.header._element.xml  # noqa: SLF001
    cells = [c.text for t in word.tables for row in t.rows for c in row.cells]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in cells[1] and "Độc lập - Tự do - Hạnh phúc" in cells[1]
    assert "Số: 05/TTr-STP" in cells
    body = "\n".join(p.text for p in word.paragraphs)
    assert "1. Tổ <b>& hòa giải." in body
    justified = [p for p in word.paragraphs if p.text == BODY]
    assert justified and justified[0].paragraph_format.first_line_indent == Mm(12.7)


def test_docx_landscape_section() -> None:
    word = docx.Document(io.BytesIO(d.render_docx(sample(orientation=d.Orientation.LANDSCAPE))))
    section = word.sections[0]
    assert (round(section.page_width / Mm(1)), round(section.page_height / Mm(1))) == (297, 210)


def test_write_document_writes_pdf_and_docx(tmp_path) -> None:  # noqa: ANN001
    paths = d.write_document(sample(paragraphs=1), tmp_path / "ra")
    assert [p.name for p in paths] == ["mau.pdf", "mau.docx"]
    assert paths[0].read_bytes().startswith(b"%PDF") and paths[1].read_bytes().startswith(b"PK")
    assert not list((tmp_path / "ra").glob(".*partial"))


@pytest.mark.parametrize(("parent", "agency", "lines"), [
    ("UBND THÀNH PHỐ LONG XUYÊN", "PHÒNG TƯ PHÁP", ["UBND THÀNH PHỐ", "LONG XUYÊN", "PHÒNG TƯ PHÁP"]),
    ("SỞ TƯ PHÁP TỈNH AN GIANG", "TRUNG TÂM TRỢ GIÚP PHÁP LÝ NHÀ NƯỚC",
     ["SỞ TƯ PHÁP TỈNH AN GIANG", "TRUNG TÂM", "TRỢ GIÚP PHÁP LÝ", "NHÀ NƯỚC"]),
    ("UBND TỈNH AN GIANG", "SỞ TƯ PHÁP\nVĂN PHÒNG", ["UBND TỈNH AN GIANG", "SỞ TƯ PHÁP", "VĂN PHÒNG"]),
])
def test_letterhead_names_wrap_between_names_never_inside_one(parent: str, agency: str, lines: list[str]) -> None:
    from thidua_desktop.core.documents.pdf import letterhead_columns

    head = d.Letterhead(parent, agency, d.number_line(5, "BC-STP"), d.place_date("An Giang", date(2025, 12, 5)))
    columns = letterhead_columns(head, 165 * 72 / 25.4)
    assert [line.replace("\u00a0", " ") for line in (*columns.parent_lines, *columns.agency_lines)] == lines
    assert columns.left >= 0.40 * 165 * 72 / 25.4
    pdf_lines = [" ".join(line.split()) for line in page_texts(d.render_pdf(d.Document(
        "x", d.Title("BÁO CÁO"), (d.para("Nội dung."),), letterhead=head)))[0].splitlines()]
    assert all(line in pdf_lines for line in lines), pdf_lines
