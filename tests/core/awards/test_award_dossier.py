"""The generated dossier: each document's text, layout, fonts and legal basis, read back from the PDF and .docx."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date
from pathlib import Path

import docx
import pytest

from tests.core.awards.conftest import department_round, person
from tests.core.awards.pdfcheck import chunks, fonts, full_text, page_sizes_mm
from thidua_desktop.core import documents as d
from thidua_desktop.core.awards.models import NomineeKind
from thidua_desktop.core.awards.service import AwardService, Candidate, RoundInfo
from thidua_desktop.core.errors import Cancelled
from thidua_desktop.core.workspace import Workspace


def test_dossier_has_the_four_documents_of_the_nomination(demo_workspace: Workspace, nominated: tuple[int, int]) -> None:
    dossier = demo_workspace.awards().documents.build(nominated[0])
    assert [doc.name for doc in dossier.documents] == [
        "01-to-trinh-bang-khen-bo-truong-bo-tu-phap", "02-danh-sach-bang-khen-bo-truong-bo-tu-phap",
        "03-bao-cao-thanh-tich-phong-tu-phap-huyen-cho-moi", "04-bien-ban-hop-hoi-dong"]
    assert [doc.orientation for doc in dossier.documents] == [
        d.Orientation.PORTRAIT, d.Orientation.LANDSCAPE, d.Orientation.PORTRAIT, d.Orientation.PORTRAIT]


def test_to_trinh_text_layout_and_fonts(demo_workspace: Workspace, nominated: tuple[int, int]) -> None:
    to_trinh = demo_workspace.awards().documents.build(nominated[0]).documents[0]
    pdf = d.render_pdf(to_trinh)
    text = full_text(pdf)
    for phrase in (
        "UBND TỈNH AN GIANG", "SỞ TƯ PHÁP", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
        "Số: 05/TTr-STP", "An Giang, ngày 05 tháng 12 năm 2025", "TỜ TRÌNH",
        "Về việc đề nghị tặng Bằng khen của Bộ trưởng Bộ Tư pháp", "Kính gửi: Bộ trưởng Bộ Tư pháp",
        "tặng Bằng khen của Bộ trưởng Bộ Tư pháp cho 1 tập thể và 1 cá nhân",
        "I. Tập thể", "1. Phòng Tư pháp huyện Chợ Mới.", "II. Cá nhân",
        "1. Bà Nguyễn Thị Thu Hà, Trưởng phòng, Phòng Tư pháp huyện Chợ Mới.",
        "Căn cứ kết quả bình xét của Hội đồng Thi đua – Khen thưởng Sở Tư pháp tỉnh An Giang tại cuộc họp "
        "ngày 01 tháng 12 năm 2025.",
        "Nơi nhận:", "- Lưu: VT, TĐKT.", "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Nguyễn Văn Minh",
    ):
        assert phrase in text, phrase
    assert set(page_sizes_mm(pdf)) == {(210.0, 297.0)}
    assert 30.0 <= round(min(c.x_mm for c in chunks(pdf)), 2) <= 35.0
    assert all(fonts(pdf).values())


@pytest.mark.parametrize(("day", "cited", "not_cited"), [
    (date(2025, 6, 30), "Nghị định số 98/2023/NĐ-CP ngày 31 tháng 12 năm 2023", "152/2025"),
    (date(2025, 7, 1), "Nghị định số 152/2025/NĐ-CP", "98/2023"),
])
def test_the_to_trinh_cites_the_decree_in_force_on_its_date(service: AwardService, demo_workspace: Workspace,
                                                           nominated: tuple[int, int], day: date, cited: str,
                                                           not_cited: str) -> None:
    department_round(service, demo_workspace, document_date=day)
    text = full_text(d.render_pdf(demo_workspace.awards().documents.build(nominated[0]).documents[0]))
    assert cited in text and not_cited not in text
    assert d.place_date("An Giang", day) in text


def test_danh_sach_is_a_landscape_table_split_into_collectives_and_individuals(
        demo_workspace: Workspace, nominated: tuple[int, int]) -> None:
    pdf = d.render_pdf(demo_workspace.awards().documents.build(nominated[0]).documents[1])
    assert set(page_sizes_mm(pdf)) == {(297.0, 210.0)}
    text = full_text(pdf)
    for phrase in ("DANH SÁCH", "Đề nghị tặng Bằng khen của Bộ trưởng Bộ Tư pháp",
                   "(Kèm theo Tờ trình số 05/TTr-STP ngày 05/12/2025 của Sở Tư pháp tỉnh An Giang)",
                   "Họ và tên / Tên tập thể", "Tóm tắt thành tích", "I. TẬP THỂ", "II. CÁ NHÂN", "Nguyễn Thị Thu Hà"):
        assert phrase in text, phrase
    assert text.index("I. TẬP THỂ") < text.index("Phòng Tư pháp huyện Chợ Mới") < text.index("II. CÁ NHÂN")
    assert 30.0 <= round(min(c.x_mm for c in chunks(pdf)), 2) <= 35.0


def test_report_of_a_district_office_keeps_its_historical_letterhead(
        service: AwardService, demo_workspace: Workspace, nominated: tuple[int, int]) -> None:
    department_round(service, demo_workspace, document_date=date(2025, 6, 30))
    dossier = demo_workspace.awards().documents.build(nominated[0])
    report = dossier.documents[2]
    pdf = d.render_pdf(report)
    text = full_text(pdf)
    for phrase in ("UBND HUYỆN CHỢ MỚI", "PHÒNG TƯ PHÁP", "Chợ Mới, ngày 30 tháng 6 năm 2025", "BÁO CÁO THÀNH TÍCH",
                   "Tên tập thể đề nghị khen thưởng: Phòng Tư pháp huyện Chợ Mới", "I. SƠ LƯỢC ĐẶC ĐIỂM, TÌNH HÌNH",
                   "II. THÀNH TÍCH ĐẠT ĐƯỢC", "theo chuyên đề", "2. Các hoạt động tiêu biểu",
                   "THỦ TRƯỞNG ĐƠN VỊ CẤP TRÊN TRỰC TIẾP", "(Ký, đóng dấu)"):
        assert phrase in text, phrase
    lead = next(f for f in dossier.nomination.draft.figures if f.code == "1.b")
    assert f"Số lượt người tham dự lượt người {lead.value}" in text  # the figures table row
    assert report.headings()[:3] == ["BÁO CÁO THÀNH TÍCH", "I. SƠ LƯỢC ĐẶC ĐIỂM, TÌNH HÌNH", "II. THÀNH TÍCH ĐẠT ĐƯỢC"]


def test_an_individuals_report_lists_person_fields_and_prior_awards(
        demo_workspace: Workspace, nominated: tuple[int, int]) -> None:
    text = full_text(d.render_pdf(demo_workspace.awards().documents.build(nominated[1]).documents[2]))
    for phrase in ("- Họ và tên: Nguyễn Thị Thu Hà", "- Giới tính: Nữ", "- Ngày, tháng, năm sinh: 04/03/1982",
                   "- Chức vụ (đảng, chính quyền, đoàn thể): Trưởng phòng", "III. CÁC HÌNH THỨC ĐÃ ĐƯỢC KHEN THƯỞNG",
                   "1. Hình thức khen thưởng", "Quyết định số 125/QĐ-STP ngày 20/12/2022 của Sở Tư pháp tỉnh An Giang",
                   "NGƯỜI BÁO CÁO THÀNH TÍCH", "Tham mưu tổ chức 12 đợt trợ giúp pháp lý lưu động."):
        assert phrase in text, phrase


def test_minutes_record_each_vote_and_the_conclusion(demo_workspace: Workspace, nominated: tuple[int, int]) -> None:
    text = full_text(d.render_pdf(demo_workspace.awards().documents.build(nominated[0]).documents[3]))
    for phrase in ("BIÊN BẢN", "Họp Hội đồng Thi đua – Khen thưởng Sở Tư pháp tỉnh An Giang", "Số:",
                   "/BB-HĐTĐKT", "Hôm nay, ngày 01 tháng 12 năm 2025, tại Phòng họp Sở Tư pháp",
                   "- Chủ trì: Trần Thị Hoa, Giám đốc Sở, Chủ tịch Hội đồng.", "- Thư ký: Lê Văn Bình.",
                   "9/11 thành viên", "9 0 9 100,0% Đạt", "8 1 9 88,9% Đạt",
                   "Hội đồng thống nhất đề nghị khen thưởng 1 tập thể và 1 cá nhân", "THƯ KÝ", "CHỦ TRÌ"):
        assert phrase in text, phrase


def test_markup_in_a_name_prints_literally_everywhere(service: AwardService, award_round: RoundInfo,
                                                    demo_workspace: Workspace) -> None:
    new_id, _ = service.create(award_round.id, person(name="Trần <b>& Co</b>", position="Chuyên viên <i>"))
    dossier = demo_workspace.awards().documents.build(new_id)
    text = full_text(d.render_pdf(list(dossier.documents)))
    assert "Trần <b>& Co</b>, Chuyên viên <i>, Phòng Tư pháp huyện Chợ Mới" in text
    assert "- Họ và tên: Trần <b>& Co</b>" in text


def test_write_dossier_writes_every_document_as_pdf_and_docx_and_the_certificate(
        demo_workspace: Workspace, nominated: tuple[int, int], tmp_path: Path) -> None:
    result = demo_workspace.awards().documents.write_dossier(nominated[1], tmp_path / "ho-so")
    names = sorted(p.name for p in (tmp_path / "ho-so").iterdir())
    assert names == sorted(p.name for p in result.files)
    # the Tờ trình says every listed nominee's report is attached: both reports are written (issue 13, item 4)
    assert len([n for n in names if n.endswith(".pdf")]) == 6 and len([n for n in names if n.endswith(".docx")]) == 5
    assert {"03-bao-cao-thanh-tich-phong-tu-phap-huyen-cho-moi.pdf", "03-bao-cao-thanh-tich-nguyen-thi-thu-ha.pdf",
            "05-phoi-bk-btp-nguyen-thi-thu-ha.pdf"} <= set(names)
    assert result.regime == "Nghị định số 152/2025/NĐ-CP"
    dossier = demo_workspace.awards().documents.build(nominated[1])
    for document in dossier.documents:
        word = docx.Document(io.BytesIO((tmp_path / "ho-so" / f"{document.name}.docx").read_bytes()))
        headings = [p.text for p in word.paragraphs if p.style.name.startswith("Heading")]
        assert headings == document.headings()
        pdf_text = full_text((tmp_path / "ho-so" / f"{document.name}.pdf").read_bytes())
        assert all(h in pdf_text for h in headings)
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]
    assert (tmp_path / "ho-so").stat().st_mode & 0o777 == tmp_path.stat().st_mode & 0o777  # not a private temp dir


def test_a_cancelled_dossier_leaves_nothing_behind(demo_workspace: Workspace, nominated: tuple[int, int],
                                                  tmp_path: Path) -> None:
    calls = iter(range(100))
    (tmp_path / "ra").mkdir()
    with pytest.raises(Cancelled):
        demo_workspace.awards().documents.write_dossier(nominated[0], tmp_path / "ra" / "ho-so", cancel=lambda: next(calls) >= 3)
    assert list((tmp_path / "ra").iterdir()) == []


def test_rewriting_into_an_existing_folder_replaces_the_files(demo_workspace: Workspace, nominated: tuple[int, int],
                                                             service: AwardService, tmp_path: Path) -> None:
    folder = tmp_path / "ho-so"
    demo_workspace.awards().documents.write_dossier(nominated[1], folder)
    (folder / "ghi-chu.txt").write_text("giữ nguyên", encoding="utf-8")
    service.update(nominated[1], replace(service.get(nominated[1]).draft, position="Phó Trưởng phòng"))
    demo_workspace.awards().documents.write_dossier(nominated[1], folder)
    assert (folder / "ghi-chu.txt").read_text(encoding="utf-8") == "giữ nguyên"
    assert "Phó Trưởng phòng" in full_text((folder / "03-bao-cao-thanh-tich-nguyen-thi-thu-ha.pdf").read_bytes())


def test_a_units_own_copy_drafts_its_report_under_its_own_letterhead(service: AwardService,
                                                                     demo_workspace: Workspace) -> None:
    own = demo_workspace.own_unit()
    assert own is not None and own.code == "PTP-CM"
    round_info = service.ensure_round(own)
    assert (round_info.header_parent, round_info.header_agency, round_info.agency_symbol) == (
        "UBND HUYỆN CHỢ MỚI", "PHÒNG TƯ PHÁP", "PTP")
    new_id, _ = service.create(round_info.id, person(kind=NomineeKind.COLLECTIVE, name="", award_type_code="GK-STP"))
    to_trinh = demo_workspace.awards().documents.build(new_id).documents[0]
    text = full_text(d.render_pdf(to_trinh))
    assert "Kính gửi: Giám đốc Sở Tư pháp" in text and "/TTr-PTP" in text
    assert "Chợ Mới, ngày" in text and "TRƯỞNG PHÒNG" in text


def test_the_directors_own_award_is_requested_by_the_office_not_by_the_director(
    service: AwardService, award_round: RoundInfo, demo_workspace: Workspace
) -> None:
    nomination = service.create_from_candidates(award_round.id, [Candidate("PTP-TT", "GK-STP", 70.0)]).created[0]
    text = full_text(d.render_pdf(demo_workspace.awards().documents.build(nomination).documents[0]))
    for phrase in ("SỞ TƯ PHÁP TỈNH AN GIANG", "VĂN PHÒNG", "/TTr-VP", "Kính gửi: Giám đốc Sở Tư pháp",
                   "Văn phòng Sở Tư pháp tỉnh An Giang kính đề nghị Giám đốc Sở Tư pháp", "CHÁNH VĂN PHÒNG"):
        assert phrase in text, phrase
    assert "KT. GIÁM ĐỐC" not in text  # the Director does not sign a request addressed to himself


def test_after_its_end_date_a_district_offices_report_is_made_by_its_successor(
        demo_workspace: Workspace, nominated: tuple[int, int]) -> None:
    text = full_text(d.render_pdf(demo_workspace.awards().documents.build(nominated[0]).documents[2]))
    assert "UBND HUYỆN CHỢ MỚI" not in text and "Chợ Mới, ngày" not in text
    assert "UBND TỈNH AN GIANG SỞ TƯ PHÁP" in text and "An Giang, ngày 05 tháng 12 năm 2025" in text
    assert ("(Sở Tư pháp tỉnh An Giang lập báo cáo thay Phòng Tư pháp huyện Chợ Mới, đơn vị đã kết thúc hoạt động "
            "từ ngày 01/07/2025)") in text
    assert "Tên tập thể đề nghị khen thưởng: Phòng Tư pháp huyện Chợ Mới" in text


def test_without_a_successor_a_document_after_the_end_date_is_refused(
        demo_workspace: Workspace, nominated: tuple[int, int]) -> None:
    from thidua_desktop.core.awards.succession import DissolvedIssuer
    from thidua_desktop.core.units import get_unit, save_unit

    with demo_workspace.write_sessions.begin() as session:
        save_unit(session, replace(get_unit(session, "PTP-CM"), merged_into_code=None), actor="test")
    documents = demo_workspace.awards().documents
    with pytest.raises(DissolvedIssuer) as caught:
        documents.render_choice("bao_cao", nominated[0])
    assert "Phòng Tư pháp huyện Chợ Mới đã kết thúc hoạt động từ ngày 01/07/2025" in str(caught.value)
    assert "Sáp nhập vào" in caught.value.hint
    assert demo_workspace.awards().eligibility(1)[nominated[0]].warnings  # the council sees it too
