"""`workspace.awards().documents`: preview choices, Word and PDF files, certificates and offsets, each cancellable."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from tests.core.awards.conftest import person
from tests.core.awards.pdfcheck import full_text, page_sizes_mm
from thidua_desktop.core.awards.certificates import Offset, load_offsets
from thidua_desktop.core.awards.documents import (
    CHOICE_LABELS,
    DOCUMENT_KEYS,
    check_docx_choice,
    suggested_file_name,
)
from thidua_desktop.core.awards.service import AwardService, OffsetChange, RoundInfo
from thidua_desktop.core.errors import Cancelled, UserError
from thidua_desktop.core.workspace import Workspace


def test_every_preview_choice_renders_the_dossiers_pdf(service: AwardService, nominated: tuple[int, int]) -> None:
    documents = service.documents
    dossier = documents.build(nominated[1])
    for index, key in enumerate(DOCUMENT_KEYS):
        choice = documents.render_choice(key, nominated[1])
        assert choice.title == dossier.documents[index].name
        assert choice.pdf.startswith(b"%PDF")
    whole = documents.render_choice("all", nominated[1])
    assert whole.title == "Cả hồ sơ" and len(page_sizes_mm(whole.pdf)) >= 4
    certificate = documents.render_choice("certificate", nominated[1])
    assert certificate.title == "Phôi" and page_sizes_mm(certificate.pdf) == [(420.0, 297.0)]
    assert "Bà Nguyễn Thị Thu Hà" in full_text(certificate.pdf)


def test_a_cancelled_render_reports_cancelled(service: AwardService, nominated: tuple[int, int]) -> None:
    steps: list[tuple[int, int]] = []
    with pytest.raises(Cancelled):
        service.documents.render_choice("to_trinh", nominated[0], progress=lambda d, t: steps.append((d, t)),
                                        cancel=lambda: True)
    assert steps[0] == (0, 2)


def test_word_is_offered_for_the_four_documents_only(service: AwardService, nominated: tuple[int, int],
                                                     tmp_path: Path) -> None:
    for key in ("certificate", "all"):
        with pytest.raises(UserError, match="để lưu Word"):
            check_docx_choice(key)
        with pytest.raises(UserError):
            service.documents.save_choice(key, nominated[0], tmp_path / "x.docx", word=True)
    assert not (tmp_path / "x.docx").exists()
    target = service.documents.save_choice("bao_cao", nominated[1], tmp_path / "bao-cao.docx", word=True)
    text = "\n".join(p.text for p in docx.Document(str(target)).paragraphs)
    assert "Nguyễn Thị Thu Hà" in text
    assert suggested_file_name("bao_cao", "Nguyễn Thị Thu Hà") == "bao-cao-thanh-tich-nguyen-thi-thu-ha"
    assert set(CHOICE_LABELS) == {*DOCUMENT_KEYS, "certificate", "all"}


def test_a_cancelled_save_writes_no_file(service: AwardService, nominated: tuple[int, int], tmp_path: Path) -> None:
    (tmp_path / "ra").mkdir()
    target = tmp_path / "ra" / "to-trinh.pdf"
    with pytest.raises(Cancelled):
        service.documents.save_choice("to_trinh", nominated[0], target, cancel=lambda: True)
    assert list((tmp_path / "ra").iterdir()) == []
    service.documents.save_choice("to_trinh", nominated[0], target)
    assert "TỜ TRÌNH" in full_text(target.read_bytes())


def test_certificates_share_one_form_and_count_drafts(service: AwardService, award_round: RoundInfo,
                                                      nominated: tuple[int, int]) -> None:
    draft_id, _ = service.create(award_round.id, person(name="Trần Văn Nam"))
    batch = service.documents.certificates([nominated[1], draft_id])
    assert (batch.form_code, batch.pages, batch.drafts) == ("bang-khen-a3", 2, 1)
    assert page_sizes_mm(batch.pdf) == [(420.0, 297.0)] * 2
    other_form, _ = service.create(award_round.id, person(name="Lê Văn Tư", award_type_code="GK-STP"))
    with pytest.raises(UserError, match="không dùng chung một mẫu phôi"):
        service.documents.certificates([nominated[1], other_form])


def test_saving_an_offset_reports_the_change_and_keeps_it_in_the_settings(service: AwardService,
                                                                          demo_workspace: Workspace,
                                                                          tmp_path: Path) -> None:
    change = service.documents.save_offset("giay-khen-a4", Offset(1.5, -0.5))
    assert change == OffsetChange("giay-khen-a4", Offset(), Offset(1.5, -0.5)) and not change.empty
    assert load_offsets(demo_workspace) == {"giay-khen-a4": Offset(1.5, -0.5)}
    assert demo_workspace.awards().documents.offset("giay-khen-a4") == Offset(1.5, -0.5)
    assert service.documents.save_offset("giay-khen-a4", Offset(1.5, -0.5)).empty
    page = service.documents.save_calibration_page("giay-khen-a4", tmp_path / "thu.pdf")
    assert "X = 1,5 mm, Y = -0,5 mm" in full_text(page.read_bytes())
    with pytest.raises(UserError):
        service.documents.save_offset("khong-co", Offset(1.0, 1.0))
    assert "khong-co" not in load_offsets(demo_workspace)


def test_a_service_without_a_data_set_keeps_offsets_in_memory(demo_workspace: Workspace) -> None:
    service = AwardService(demo_workspace.sessions, demo_workspace.campaign(), "kiểm thử")
    service.documents.save_offset("giay-khen-a4", Offset(2.0, 0.0))
    assert service.documents.offset("giay-khen-a4") == Offset(2.0, 0.0)
    assert load_offsets(demo_workspace) == {}


def test_saved_files_take_the_folders_permissions_not_0600(demo_workspace: Workspace, nominated: tuple[int, int],
                                                          tmp_path: Path) -> None:
    tmp_path.chmod(0o775)
    documents = demo_workspace.awards().documents
    for target, word in ((tmp_path / "to-trinh.pdf", False), (tmp_path / "to-trinh.docx", True)):
        documents.save_choice("to_trinh", nominated[0], target, word=word)
        assert target.stat().st_mode & 0o777 == 0o664
    calibration = documents.save_calibration_page("giay-khen-a4", tmp_path / "thu.pdf")
    assert calibration.stat().st_mode & 0o777 == 0o664
