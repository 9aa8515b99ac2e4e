"""Drive the activity list and form as a district officer would."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent

from tests.gui.conftest import type_text
from thidua_desktop.core.activities import ActivityDraft
from thidua_desktop.gui.context import AppContext
from thidua_desktop.gui.pages.activities import ActivitiesPage


def _page(qtbot, context: AppContext) -> ActivitiesPage:  # noqa: ANN001
    page = ActivitiesPage(context)
    qtbot.addWidget(page)
    page.resize(1300, 800)
    page.show()
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow, timeout=2000)
    return page


def _fill(qtbot, form, *, title: str, values: dict[str, str], criterion: str = "2.2") -> None:  # noqa: ANN001
    campaign = form.campaign
    form.criterion.set_criterion(campaign.criteria_by_code[criterion].id)
    form._show_indicators()
    form.date.setDate(QDate(2024, 3, 15))
    form.title_edit.clear()
    type_text(form.title_edit, title)
    type_text(form.commune, "xã Kiến An")
    form.remote.setChecked(True)
    for code, text in values.items():
        edit = form.value_edits[campaign.indicators_by_code[code].id]
        edit.clear()
        type_text(edit, text)
        edit.editingFinished.emit()


def test_create_then_edit_with_keyboard(qtbot, context: AppContext) -> None:  # noqa: ANN001
    page = _page(qtbot, context)
    form = page.add_activity()
    _fill(qtbot, form, title="Hòa giải tranh chấp đất đai ấp Kiến Thuận", values={"2.2.e": "12", "2.2.f": "11"})
    form.activateWindow()
    qtbot.waitUntil(form.isActiveWindow, timeout=2000)
    qtbot.keyClick(form.title_edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert not form.isVisible()
    assert page.model.rowCount() == 1
    uuid = page.model.uuid_at(0)
    detail = context.workspace.activities().get(uuid)
    campaign = context.workspace.campaign()
    assert detail.draft.values == {campaign.indicators_by_code["2.2.e"].id: 12, campaign.indicators_by_code["2.2.f"].id: 11}
    assert detail.draft.is_remote_area and detail.draft.activity_date == date(2024, 3, 15)
    assert page.model.data(page.model.index(0, page._column("Số liệu chính"))) == "12 vụ việc"
    assert page.totals_model.missed_codes() == ["2.2.g"]  # 11/12 successful < 100%

    page.table.selectRow(0)
    edit_form = page.edit_selected()
    assert edit_form.title_edit.text() == "Hòa giải tranh chấp đất đai ấp Kiến Thuận"
    assert edit_form.value_edits[campaign.indicators_by_code["2.2.e"].id].text() == "12"
    _fill(qtbot, edit_form, title="Hòa giải thành 12 vụ", values={"2.2.e": "12", "2.2.f": "12"})
    edit_form.save(and_new=False)
    assert context.workspace.activities().get(uuid).revision == 2
    assert page.totals_model.missed_codes() == []


def test_inline_validation_blocks_part_larger_than_whole(qtbot, context: AppContext) -> None:  # noqa: ANN001
    page = _page(qtbot, context)
    form = page.add_activity()
    _fill(qtbot, form, title="Hòa giải", values={"2.2.e": "3", "2.2.f": "5"})
    assert form.save(and_new=False) is False
    campaign = form.campaign
    error = form.value_errors[campaign.indicators_by_code["2.2.f"].id]
    assert error.isVisible() and "không được lớn hơn" in error.text()
    form.title_edit.clear()
    assert form.save(and_new=False) is False
    assert form.title_error.text() == "Chưa nhập tên hoạt động."
    assert page.model.rowCount() == 0


def test_save_and_new_keeps_criterion_and_date(qtbot, context: AppContext) -> None:  # noqa: ANN001
    page = _page(qtbot, context)
    form = page.add_activity()
    _fill(qtbot, form, title="Phổ biến pháp luật lần 1", values={"2.2.b": "1", "2.2.c": "1.250"}, criterion="2.2")
    assert form.save(and_new=True)
    assert form.isVisible() and form.title_edit.text() == ""
    assert form.criterion.criterion_id() == form.campaign.criteria_by_code["2.2"].id
    assert form.date.date() == QDate(2024, 3, 15)
    assert page.model.rowCount() == 1
    detail = context.workspace.activities().get(page.model.uuid_at(0))
    assert detail.draft.values[form.campaign.indicators_by_code["2.2.c"].id] == 1250


def test_escape_asks_before_discarding(qtbot, context: AppContext, monkeypatch) -> None:  # noqa: ANN001
    answers = [False, True]
    asked = []

    def fake_confirm(*_args, **_kwargs) -> bool:  # noqa: ANN002, ANN003
        asked.append(True)
        return answers.pop(0)

    monkeypatch.setattr("thidua_desktop.gui.activity_form.confirm", fake_confirm)
    page = _page(qtbot, context)
    form = page.add_activity()
    type_text(form.title_edit, "Chưa lưu")
    qtbot.keyClick(form, Qt.Key.Key_Escape)
    assert form.isVisible() and len(asked) == 1  # "keep editing"
    qtbot.keyClick(form, Qt.Key.Key_Escape)
    assert not form.isVisible() and len(asked) == 2
    assert page.model.rowCount() == 0
    clean = page.add_activity()
    qtbot.keyClick(clean, Qt.Key.Key_Escape)
    assert not clean.isVisible() and len(asked) == 2  # nothing typed: no question


def test_attach_by_drag_and_drop(qtbot, context: AppContext, tmp_path: Path) -> None:  # noqa: ANN001
    from PIL import Image

    photo = tmp_path / "trao-qua.png"
    Image.new("RGB", (300, 200), (10, 120, 30)).save(photo)
    minutes = tmp_path / "bien-ban.pdf"
    _write_pdf(minutes)
    page = _page(qtbot, context)
    form = page.add_activity()
    _fill(qtbot, form, title="Trao quà Tết cho hộ nghèo", values={"3.d": "40"}, criterion="3")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(photo)), QUrl.fromLocalFile(str(minutes))])
    event = QDropEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    form.dropEvent(event)
    assert form.evidence_list.count() == 2
    assert not form.evidence_list.item(1).icon().isNull()
    form.evidence_list.setCurrentRow(0)
    form.save(and_new=False)
    assert photo.exists() and minutes.exists()  # copied, never moved
    detail = context.workspace.activities().get(page.model.uuid_at(0))
    assert [a.file_name for a in detail.draft.attachments] == ["trao-qua.png", "bien-ban.pdf"]
    assert page.model.data(page.model.index(0, page._column("Minh chứng"))) == "2"


def test_search_without_accents_filters_and_totals(qtbot, context: AppContext) -> None:  # noqa: ANN001
    service = context.workspace.activities()
    campaign = context.workspace.campaign()
    for title, value in (("Hòa giải ở cơ sở ấp Long Hòa", 3), ("Tuyên truyền Luật Hộ tịch", 0), ("Đối thoại với người dân", 0)):
        crit = "2.2" if value else "2.3"
        values = {campaign.indicators_by_code["2.2.h"].id: value} if value else {campaign.indicators_by_code["2.3.a"].id: 1}
        service.create("PTP-CM", ActivityDraft(criterion_id=campaign.criteria_by_code[crit].id,
                                               activity_date=date(2024, 5, 1), title=title, values=values))
    page = _page(qtbot, context)
    assert page.model.rowCount() == 3
    type_text(page.search, "hoa giai")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=2000)
    assert page.model.data(page.model.index(0, page._column("Tên hoạt động"))) == "Hòa giải ở cơ sở ấp Long Hòa"
    classes = campaign.indicators_by_code["2.3.a"].id
    # Totals follow once typing pauses: only the searched activity's figures remain.
    qtbot.waitUntil(lambda: page.totals_model.results[0][classes].value is None, timeout=3000)
    assert page.totals_model.results[0][campaign.indicators_by_code["2.2.h"].id].value == 3
    page.search.clear()
    type_text(page.search, "DOI THOAI")  # "Đ" matches "d", case ignored
    qtbot.waitUntil(
        lambda: page.model.data(page.model.index(0, page._column("Tên hoạt động"))) == "Đối thoại với người dân",
        timeout=2000,
    )
    assert page.model.rowCount() == 1
    page.search.clear()
    type_text(page.search, "đối")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1 and page.search.text() == "đối", timeout=2000)
    assert "1 hoạt động" in page.count_label.text()


def test_delete_undo_and_restore_from_bin(qtbot, context: AppContext) -> None:  # noqa: ANN001
    campaign = context.workspace.campaign()
    service = context.workspace.activities()
    for n in range(3):
        service.create("PTP-CM", ActivityDraft(criterion_id=campaign.criteria_by_code["1"].id, activity_date=date(2024, 1, n + 1),
                                               title=f"Tuyên truyền {n}", values={campaign.indicators_by_code["1.a"].id: 1}))
    page = _page(qtbot, context)
    page.table.selectRow(0)
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    assert page.model.rowCount() == 2
    assert page.undo_bar.isVisible() and "Thùng rác" in page.undo_label.text()
    qtbot.mouseClick(page.undo_button, Qt.MouseButton.LeftButton)
    assert page.model.rowCount() == 3 and not page.undo_bar.isVisible()

    page.table.selectRow(1)
    deleted_uuid = page.model.uuid_at(1)
    page.delete_selected()
    page.bin_toggle.setChecked(True)
    assert page.model.rowCount() == 1 and page.model.uuid_at(0) == deleted_uuid
    assert page.model.data(page.model.index(0, page._column("Trạng thái"))) == "Đã xóa"
    page.table.selectRow(0)
    qtbot.mouseClick(page.restore_button, Qt.MouseButton.LeftButton)
    assert page.model.rowCount() == 0
    page.bin_toggle.setChecked(False)
    assert page.model.rowCount() == 3
    assert context.workspace.activities().get(deleted_uuid).revision == 3


def _write_pdf(path: Path) -> None:
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path))
    pdf.drawString(72, 720, "Bien ban")
    pdf.save()


def test_the_department_records_for_one_of_its_own_offices(qtbot, context: AppContext) -> None:  # noqa: ANN001
    from thidua_desktop.core.workspace import Role

    context.workspace.configure(Role.DEPARTMENT, None)
    page = _page(qtbot, context)
    form = page.add_activity()
    assert form.recording_unit.count() == 8 and form.recording_unit.currentData() == "STP-VP"
    form.recording_unit.setCurrentIndex(form.recording_unit.findData("STP-TGPL"))
    _fill(qtbot, form, title="Trợ giúp pháp lý lưu động", values={"2.4.e": "1", "2.4.f": "25"}, criterion="2.4")
    assert form.save(and_new=False)
    detail = context.workspace.activities().get(page.model.uuid_at(0))
    assert detail.unit_code == "STP-TGPL"  # not the Sở as a whole, which is not ranked against its offices
    page.table.selectRow(0)
    edit = page.edit_selected()
    assert edit.recording_unit.currentData() == "STP-TGPL" and not edit.recording_unit.isEnabled()


def test_a_damaged_evidence_file_is_shown_when_the_form_opens(qtbot, context: AppContext, tmp_path: Path) -> None:  # noqa: ANN001
    scan = tmp_path / "bien-ban.pdf"
    _write_pdf(scan)
    page = _page(qtbot, context)
    form = page.add_activity()
    _fill(qtbot, form, title="Tặng tủ sách pháp luật", values={"3.e": "1"}, criterion="3")
    form.add_files([scan])
    assert form.save(and_new=False)
    attachment = context.workspace.activities().get(page.model.uuid_at(0)).draft.attachments[0]
    context.workspace.evidence_store().path_for(attachment.sha256).write_bytes(b"%PDF-1.4 tampered")
    page.table.selectRow(0)
    again = page.edit_selected()
    assert "Tệp bị thay đổi (sai mã băm)" in again.evidence_list.item(0).text()  # reported, never dropped


def test_save_asks_about_warnings_except_the_date_already_on_the_form(
    qtbot, context: AppContext, no_confirm: list[str]  # noqa: ANN001
) -> None:
    page = _page(qtbot, context)
    form = page.add_activity()
    _fill(qtbot, form, title="Hòa giải sau khi hết phong trào", values={})
    form.date.setDate(QDate(2026, 1, 15))
    assert form.date_warning.isVisible() and "ngoài thời gian của phong trào" in form.date_warning.text()
    assert form.save(and_new=False)
    assert no_confirm == [
        "Lưu hoạt động?: Phòng Tư pháp huyện Chợ Mới đã thôi hoạt động từ sau ngày 30/06/2025 "
        "(ngày hoạt động 15/01/2026).\nHoạt động chưa có số liệu nào; nó sẽ không được cộng vào kết quả."
    ]
    assert page.model.rowCount() == 1
