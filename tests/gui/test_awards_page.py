"""Drive the Khen thưởng page as the department's emulation officer, and as a district office drafting its own."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from PySide6.QtCore import QObject
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QDialog

from tests.core.awards.pdfcheck import full_text, page_sizes_mm
from tests.gui.conftest import type_text
from thidua_desktop.core.awards.certificates import Offset, load_offsets
from thidua_desktop.core.awards.models import NominationStatus, NomineeKind, Sex
from thidua_desktop.core.awards.ranking import ranking_choices
from thidua_desktop.core.awards.service import Candidate
from thidua_desktop.core.consolidation.scoring import AwardRule, load_scheme
from thidua_desktop.core.demo import populate
from thidua_desktop.core.workspace import Role, Workspace
from thidua_desktop.gui.context import AppContext
from thidua_desktop.gui.fonts import register_fonts
from thidua_desktop.gui.main_window import MainWindow
from thidua_desktop.gui.pages import awards as awards_page
from thidua_desktop.gui.pages.awards import (
    AwardsPage,
    CalibrationDialog,
    RankingDialog,
    RoundDialog,
)
from thidua_desktop.gui.pages.settings import DataRestored
from thidua_desktop.gui.printing import open_pdf, render_true_size
from thidua_desktop.gui.tasks import TaskRunner


@pytest.fixture
def department(qapp, tmp_path: Path) -> Iterator[AppContext]:  # noqa: ANN001 - pytest-qt fixture
    register_fonts()
    workspace = Workspace.open(tmp_path / "so", actor="cán bộ thi đua")
    workspace.configure(Role.DEPARTMENT, None)
    populate(workspace)
    yield AppContext(workspace, TaskRunner(synchronous=True))
    workspace.close()


@pytest.fixture
def errors(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(awards_page.messages, "show_error", lambda _parent, error, _details="": shown.append(str(error)))
    monkeypatch.setattr(awards_page.messages, "confirm", lambda *_a, **_k: True)
    monkeypatch.setattr(awards_page.QMessageBox, "information", lambda *_a: shown.append(" ".join(map(str, _a[1:]))))
    return shown


def _page(qtbot, context: AppContext) -> AwardsPage:  # noqa: ANN001
    page = AwardsPage(context)
    qtbot.addWidget(page)
    page.resize(1300, 800)
    page.show()
    return page


def pdf_pages(data: bytes) -> int:
    holder = QObject()
    return open_pdf(data, holder).pageCount()


def test_the_page_is_listed_in_the_main_window(qtbot, department: AppContext) -> None:  # noqa: ANN001
    window = MainWindow(department)
    qtbot.addWidget(window)
    assert "Khen thưởng" in window.page_titles()
    assert isinstance(window.show_page("awards"), AwardsPage)


def test_a_district_office_drafts_its_own_report_from_its_data(qtbot, context: AppContext, errors: list[str]) -> None:  # noqa: ANN001
    populate(context.workspace)
    page = _page(qtbot, context)
    assert page.ranking_button.isHidden()  # a unit's copy has no ranking of every unit
    page.new_nomination(NomineeKind.COLLECTIVE)
    assert page.editor.unit.currentData() == "PTP-CM"
    assert page.editor.award.currentData() == "GK-STP"
    page.editor.prefill_button.click()
    assert page.editor.achievements.toPlainText().startswith("Trong giai đoạn 2023 – 2025, Phòng Tư pháp huyện Chợ Mới")
    assert page.editor.figures and page.editor.figures_table.rowCount() > 5
    type_text(page.editor.unit_profile, "Phòng có 4 công chức.")
    assert page.save() and errors == []
    nomination = context.workspace.awards().get(page.current_id)
    assert nomination.name == "Phòng Tư pháp huyện Chợ Mới" and nomination.draft.unit_profile == "Phòng có 4 công chức."
    assert nomination.draft.figures == page.editor.figures
    round_info = page.current_round()
    assert (round_info.header_parent, round_info.header_agency) == ("UBND HUYỆN CHỢ MỚI", "PHÒNG TƯ PHÁP")

    page.tabs.setCurrentIndex(2)
    page.document_combo.setCurrentIndex(page.document_combo.findData("bao_cao"))
    assert page.preview.page_count() >= 2
    text = full_text(page.preview.data)
    assert "UBND HUYỆN CHỢ MỚI" in text and "Phòng có 4 công chức." in text


def test_an_individual_is_entered_voted_submitted_and_reopened(qtbot, department: AppContext,  # noqa: ANN001
                                                               errors: list[str]) -> None:
    page = _page(qtbot, department)
    page.new_nomination(NomineeKind.INDIVIDUAL)
    page.editor.award.setCurrentIndex(page.editor.award.findData("BK-BTP"))
    page.editor.unit.setCurrentIndex(page.editor.unit.findData("PTP-TT"))
    type_text(page.editor.name, "Chau Sóc Khanh")
    page.editor.sex.setCurrentIndex(page.editor.sex.findData(Sex.MALE))
    page.editor.birth_date.set_value(date(1979, 8, 2))
    type_text(page.editor.position, "Trưởng phòng")
    page.editor.prior.add_row()
    page.editor.prior.item(0, 2).setText("Giấy khen của Giám đốc Sở Tư pháp")
    page.editor.prior.item(0, 3).setText("88/QĐ-STP")
    page.editor.prior.item(0, 4).setText("15/01/2023")
    assert page.dirty and page.save() and errors == []
    assert page.model.rowCount() == 1 and page.model.data(page.model.index(0, 1)) == "Chau Sóc Khanh"
    stored = department.workspace.awards().get(page.current_id)
    assert stored.draft.birth_date == date(1979, 8, 2)
    assert stored.draft.prior_awards[0].decision_text == "Quyết định số 88/QĐ-STP ngày 15/01/2023"

    page.votes.votes_for.setValue(7)
    page.votes.votes_against.setValue(1)
    page.votes.votes_total.setValue(9)
    page.votes.record_votes_button.click()
    assert page.current.status is NominationStatus.VOTED
    assert page.model.data(page.model.index(0, 5)) == "7/9 (77,8%)"
    page.votes.submit_button.click()
    assert page.current.status is NominationStatus.SUBMITTED and not page.editor.isEnabled()
    page.votes.reopen_button.click()
    assert page.current.status is NominationStatus.VOTED and page.editor.isEnabled()


def test_invalid_input_is_reported_and_nothing_saved(qtbot, department: AppContext, errors: list[str]) -> None:  # noqa: ANN001
    page = _page(qtbot, department)
    page.new_nomination(NomineeKind.INDIVIDUAL)
    assert not page.save()
    assert "Chưa nhập họ và tên cá nhân được đề nghị." in errors[0]
    page.editor.name.setText("Lê Thị Mai")
    page.editor.prior.add_row()
    page.editor.prior.item(0, 2).setText("Lao động tiên tiến")
    page.editor.prior.item(0, 4).setText("31/02/2023")
    assert not page.save()
    assert "không có thật trên lịch" in errors[1]
    assert page.model.rowCount() == 0 and page.dirty


def test_unsaved_edits_ask_before_they_are_dropped(qtbot, department: AppContext, monkeypatch) -> None:  # noqa: ANN001
    asked: list[str] = []
    monkeypatch.setattr(awards_page.messages, "confirm", lambda _p, _t, text, **_k: asked.append(text) or False)
    page = _page(qtbot, department)
    page.new_nomination(NomineeKind.COLLECTIVE)
    assert page.can_close() is False
    assert asked == ["Đề nghị đang sửa chưa được lưu. Bỏ các thay đổi?"]


def test_candidates_from_the_ranking(qtbot, department: AppContext, errors: list[str], monkeypatch) -> None:  # noqa: ANN001
    workspace = department.workspace
    campaign = workspace.campaign()
    with workspace.sessions() as session:
        scheme = replace(load_scheme(session, campaign),
                         awards=(AwardRule("BK-BTP", "Bằng khen của Bộ trưởng Bộ Tư pháp", 0.0, 2, None),))
        choices = ranking_choices(session, campaign, scheme=scheme)
    monkeypatch.setattr("thidua_desktop.core.awards.ranking.ranking_choices", lambda *_a, **_k: choices)
    monkeypatch.setattr(RankingDialog, "exec", lambda self: QDialog.DialogCode.Accepted)
    page = _page(qtbot, department)
    page.from_ranking()
    assert page.model.rowCount() == 2
    assert [page.model.data(page.model.index(r, 1)) for r in range(2)] == [c.unit_name for c in choices[:2]]
    assert page.model.data(page.model.index(0, 3)) == "Bằng khen Bộ trưởng Bộ Tư pháp"
    assert errors[0].startswith("Tạo đề nghị từ bảng xếp hạng Đã tạo 2 đề nghị")
    assert page.current is not None and page.current.draft.achievements  # pre-filled


def test_ranking_dialog_lets_staff_add_a_unit_and_change_the_award(qtbot, department: AppContext) -> None:  # noqa: ANN001
    with department.workspace.sessions() as session:
        choices = ranking_choices(session, department.workspace.campaign())
    service = department.workspace.awards()
    dialog = RankingDialog(choices, service.catalog.types_for(NomineeKind.COLLECTIVE, themed=True))
    qtbot.addWidget(dialog)
    proposed = {choices[i].unit_code for i, check in enumerate(dialog.checks) if check.isChecked()}
    assert proposed == {c.unit_code for c in choices if c.proposed_award}  # ticked exactly where proposed
    below = next(i for i, check in enumerate(dialog.checks) if not check.isChecked())  # under every threshold
    dialog.checks[below].setChecked(True)
    dialog.awards[below].setCurrentIndex(dialog.awards[below].findData("GK-STP"))
    added = [c for c in dialog.candidates() if c.unit_code == choices[below].unit_code]
    assert [(c.unit_code, c.award_type_code) for c in added] == [(choices[below].unit_code, "GK-STP")]
    assert len(dialog.candidates()) == len(proposed) + 1


def test_printing_puts_every_page_at_its_true_size(qtbot, department: AppContext, tmp_path: Path) -> None:  # noqa: ANN001
    service = department.workspace.awards()
    page = _page(qtbot, department)
    round_id = page.ensure_round()
    nomination_id = service.create_from_candidates(round_id, [Candidate("PTP-TT", "BK-BTP", 90.0)]).created[0]
    page.reload_nominations()
    page.select(nomination_id)
    data = page.render_choice("all").pdf
    printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "in.pdf"))
    assert render_true_size(data, printer) == pdf_pages(data)
    printed = (tmp_path / "in.pdf").read_bytes()
    sizes = [(round(w), round(h)) for w, h in page_sizes_mm(printed)]
    assert sizes == [(round(w), round(h)) for w, h in page_sizes_mm(data)]
    assert (297, 210) in sizes and (210, 297) in sizes  # the landscape Danh sách stays landscape

    certificate = page.render_choice("certificate").pdf
    assert page_sizes_mm(certificate) == [(420.0, 297.0)]


def test_save_the_whole_dossier_and_calibrate_the_blank_form(qtbot, department: AppContext, tmp_path: Path,  # noqa: ANN001
                                                             errors: list[str]) -> None:
    page = _page(qtbot, department)
    page.new_nomination(NomineeKind.COLLECTIVE)
    assert page.save()
    page.save_dossier(str(tmp_path / "ho-so"))
    names = sorted(p.name for p in (tmp_path / "ho-so").iterdir())
    assert len(names) == 9 and names[0].startswith("01-to-trinh-") and names[-1].startswith("05-phoi-")
    assert errors == []

    dialog = CalibrationDialog(department)
    qtbot.addWidget(dialog)
    dialog.form.setCurrentIndex(dialog.form.findData("giay-khen-a4"))
    dialog.x.setValue(2.5)
    dialog.y.setValue(-1.0)
    assert "X = 2,5 mm, Y = -1,0 mm" in full_text(dialog.preview.data)
    dialog.save_button.click()
    assert load_offsets(department.workspace)["giay-khen-a4"] == Offset(2.5, -1.0)


def test_round_dialog_takes_the_new_issuers_historical_letterhead(qtbot, department: AppContext) -> None:  # noqa: ANN001
    page = _page(qtbot, department)
    page.ensure_round()
    service = department.workspace.awards()
    dialog = RoundDialog(page.current_round(), page.units, page, numbered=service.numbered_documents(page.current_round()),
                         signing_bodies=service.signing_bodies())
    qtbot.addWidget(dialog)
    assert dialog.edits["header_agency"].text() == "SỞ TƯ PHÁP"
    dialog.issuer.setCurrentIndex(dialog.issuer.findData("PTP-CM"))
    dialog.numbers["to_trinh/GK-STP"].setText("7")
    dialog.document_date.set_value(date(2025, 6, 30))
    value = dialog.value()
    assert (value.header_parent, value.header_agency, value.agency_symbol, value.place) == (
        "UBND HUYỆN CHỢ MỚI", "PHÒNG TƯ PHÁP", "PTP", "Chợ Mới")
    assert (value.issuing_unit_code, value.number("to_trinh/GK-STP"), value.document_date) == (
        "PTP-CM", "7", date(2025, 6, 30))
    department.workspace.awards().save_round(value)
    page.reload_rounds()
    assert page.basis_label.text() == "Ngày văn bản: 30/06/2025 — căn cứ Nghị định số 98/2023/NĐ-CP"


def test_a_restored_backup_reloads_the_page(qtbot, department: AppContext, errors: list[str]) -> None:  # noqa: ANN001
    page = _page(qtbot, department)
    page.new_nomination(NomineeKind.COLLECTIVE)
    assert page.save()
    department.workspace.awards().delete([page.current_id])  # as if the data went back in time
    department.announce(DataRestored())
    assert page.model.rowCount() == 0 and page.current is None and not page.dirty
    assert page.editor.unit.count() == len(page.units)


class CancellingRunner(TaskRunner):
    """Runs jobs inline like the tests' runner, but the user presses Cancel after `checks` cancel checks."""

    def __init__(self, checks: int) -> None:
        super().__init__(synchronous=True)
        self.checks = checks
        self.cancelled: list[str] = []

    def run(self, job, *, title: str, on_cancelled=None, **kwargs) -> None:  # noqa: ANN001, ANN003
        asked = iter(range(1_000))
        super().run(lambda progress, _cancel: job(progress, lambda: next(asked) >= self.checks), title=title,
                    on_cancelled=lambda: self.cancelled.append(title) or (on_cancelled and on_cancelled()), **kwargs)


def test_cancel_stops_award_jobs_and_leaves_nothing_written(qtbot, department: AppContext, errors: list[str],  # noqa: ANN001
                                                            tmp_path: Path, monkeypatch) -> None:
    page = _page(qtbot, department)
    round_id = page.ensure_round()
    runner = CancellingRunner(checks=2)  # cancelled once the first nomination is written inside the transaction
    page.context.tasks = runner
    page.create_candidates([Candidate("PTP-TT", "BK-BTP", 90.0), Candidate("PTP-CM", "BK-BTP", 80.0)])
    assert runner.cancelled == ["Đang tạo đề nghị…"]
    assert department.workspace.awards().nominations(round_id) == [] and page.model.rowCount() == 0
    assert errors == []  # no "Đã tạo …" message, no error

    page.context.tasks = TaskRunner(synchronous=True)
    page.create_candidates([Candidate("PTP-TT", "BK-BTP", 90.0)])
    assert page.model.rowCount() == 1 and page.current is not None
    assert errors.pop().startswith("Tạo đề nghị từ bảng xếp hạng Đã tạo 1 đề nghị")
    achievements = page.editor.achievements.toPlainText()
    page.context.tasks = runner = CancellingRunner(checks=0)
    page.dossier.save_pdf(str(tmp_path / "to-trinh.pdf"))
    page.save_dossier(str(tmp_path / "ho-so"))
    page.editor.prefill_button.click()
    page.from_ranking()
    assert runner.cancelled == ["Đang lưu…", "Đang lưu hồ sơ…", "Đang tổng hợp số liệu của đơn vị…",
                                "Đang xếp hạng các đơn vị…"]
    assert not (tmp_path / "to-trinh.pdf").exists() and not (tmp_path / "ho-so").exists()
    assert not page.dirty and errors == []  # the cancelled pre-fill changed nothing on screen
    assert page.editor.achievements.toPlainText() == achievements


def test_a_saved_offset_refreshes_the_certificate_preview(qtbot, department: AppContext, errors: list[str]) -> None:  # noqa: ANN001
    page = _page(qtbot, department)
    round_id = page.ensure_round()
    page.create_candidates([Candidate("PTP-TT", "BK-BTP", 90.0)])
    page.tabs.setCurrentIndex(2)
    page.document_combo.setCurrentIndex(page.document_combo.findData("certificate"))
    before = page.preview.data
    assert before is not None and department.workspace.awards().nominations(round_id)
    dialog = CalibrationDialog(department, page)
    qtbot.addWidget(dialog)
    dialog.form.setCurrentIndex(dialog.form.findData("bang-khen-a3"))
    dialog.x.setValue(4.0)
    dialog.save_button.click()
    assert page.preview.data is not None and page.preview.data != before
    assert page.preview.data == page.render_choice("certificate").pdf


def test_a_nominee_below_the_ratio_is_flagged_and_overridden_with_a_reason(qtbot, department: AppContext,  # noqa: ANN001
                                                                            errors: list[str],
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    page = _page(qtbot, department)
    round_id = page.ensure_round()
    service = department.workspace.awards()
    nomination = service.create_from_candidates(round_id, [Candidate("PTP-TS", "BK-BTP", 92.0)]).created[0]
    service.record_votes(nomination, 3, 4, 7)
    page.reload_nominations()
    page.select(nomination)
    assert not page.votes.override_button.isHidden() and "dưới tỷ lệ 50%" in page.votes.status_label.text()
    assert page.model.data(page.model.index(0, 5)).endswith("⚠")
    monkeypatch.setattr(awards_page.page.QInputDialog, "getText", lambda *_a, **_k: ("Chủ tịch Hội đồng kết luận", True))
    page.votes.override_button.click()
    assert "Đã ghi nhận vẫn đề nghị: Chủ tịch Hội đồng kết luận" in page.votes.status_label.text()
    assert service.eligibility(round_id)[nomination].may_print and not errors


def test_save_word_is_offered_only_for_documents_with_a_word_version(qtbot, department: AppContext) -> None:  # noqa: ANN001
    page = _page(qtbot, department)
    combo = page.dossier.document_combo
    combo.setCurrentIndex(combo.findData("all"))
    button = page.dossier.save_docx_button  # the tab itself is disabled until a nomination is chosen
    assert not button.isEnabledTo(page.dossier) and "PDF" in button.toolTip()
    combo.setCurrentIndex(combo.findData("bien_ban"))
    assert button.isEnabledTo(page.dossier)
