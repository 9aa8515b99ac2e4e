"""The activity form and list as an officer works them with the keyboard (issue 12, stories 5 and 7)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication

from tests.gui.conftest import type_text
from tests.gui.test_activities_page import _fill, _page
from tests.gui.test_date_field import _retype
from thidua_desktop.core.activities import ActivityDraft
from thidua_desktop.gui.context import AppContext


def _active(qtbot, form) -> None:  # noqa: ANN001
    form.activateWindow()
    qtbot.waitUntil(form.isActiveWindow, timeout=2000)


def test_tab_goes_down_the_form_figures_before_the_evidence_buttons(qtbot, context: AppContext) -> None:  # noqa: ANN001
    page = _page(qtbot, context)
    form = page.add_activity()
    _fill(qtbot, form, title="Hòa giải", values={"2.2.e": "3"})
    _active(qtbot, form)
    form.criterion.setFocus()
    visited = [QApplication.focusWidget()]
    for _ in range(20):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        visited.append(QApplication.focusWidget())
    expected = [form.criterion, form.date.line_edit, form.title_edit, form.commune, form.poor, form.remote, form.ethnic,
                form.officer, form.description, *form.value_edits.values(), form.evidence.evidence_list,
                form.evidence.add_files_button]
    assert visited[: len(expected)] == expected


def test_a_message_goes_as_soon_as_its_field_is_fixed(qtbot, context: AppContext) -> None:  # noqa: ANN001
    page = _page(qtbot, context)
    form = page.add_activity()
    _fill(qtbot, form, title="Hòa giải", values={"2.2.e": "3", "2.2.f": "5"})
    form.title_edit.clear()
    assert form.save(and_new=False) is False
    whole_error = form.value_errors[form.campaign.indicators_by_code["2.2.f"].id]
    assert form.title_error.text() == "Chưa nhập tên hoạt động."
    assert "không được lớn hơn" in whole_error.text()
    assert form.status_label.text() == "Chưa lưu: hãy sửa các mục báo đỏ."
    type_text(form.title_edit, "H")
    assert form.title_error.text() == ""  # fixed: gone at once, without leaving the field
    assert form.status_label.text() == "Chưa lưu: hãy sửa các mục báo đỏ."  # one red item is left
    edit = form.value_edits[form.campaign.indicators_by_code["2.2.f"].id]
    edit.selectAll()
    type_text(edit, "2")
    assert whole_error.text() == ""
    assert form.status_label.text() == ""  # nothing is red any more


def test_showing_a_message_does_not_move_the_fields_below(qtbot, context: AppContext) -> None:  # noqa: ANN001
    page = _page(qtbot, context)
    form = page.add_activity()
    _fill(qtbot, form, title="Hòa giải", values={"2.2.e": "3", "2.2.f": "5"})
    QApplication.processEvents()
    edits = list(form.value_edits.values())

    def places() -> list[QPoint]:
        QApplication.processEvents()
        return [w.mapTo(form, QPoint(0, 0)) for w in (form.title_edit, form.commune, form.officer, *edits)]

    before = places()
    form.title_edit.clear()
    assert form.save(and_new=False) is False  # red lines under the title and a figure
    assert places() == before
    _retype(qtbot, form.date, "31/02/2024")
    assert "không có thật" in form.date_warning.text() and places() == before


def test_computed_ratios_show_their_value(qtbot, context: AppContext) -> None:  # noqa: ANN001
    page = _page(qtbot, context)
    form = page.add_activity()
    _fill(qtbot, form, title="Hòa giải", values={"2.2.e": "12", "2.2.f": "11"})
    assert "Tỷ lệ hòa giải thành các vụ việc tại vùng sâu, vùng xa: 91,7%" in form.ratio_note.text()
    assert "chưa đạt" in form.ratio_note.text()
    edit = form.value_edits[form.campaign.indicators_by_code["2.2.f"].id]
    edit.selectAll()
    type_text(edit, "12")
    assert "100,0% (mục tiêu ≥ 100% — đạt)" in form.ratio_note.text()


def test_the_criterion_picker_elides_and_tells_the_whole_name(qtbot, context: AppContext) -> None:  # noqa: ANN001
    page = _page(qtbot, context)
    form = page.add_activity()
    criterion = form.campaign.criteria_by_code["2.2"]
    form.criterion.set_criterion(criterion.id)
    assert form.criterion.toolTip() == criterion.label
    form.criterion.setFixedWidth(220)
    shown = form.criterion.shown_text()
    assert shown.endswith("…") and criterion.label.startswith(shown[:-1])


def test_ctrl_z_undoes_a_delete_and_the_bin_shows_no_totals(qtbot, context: AppContext) -> None:  # noqa: ANN001
    campaign = context.workspace.campaign()
    for n in range(2):
        context.workspace.activities().create("PTP-CM", ActivityDraft(
            criterion_id=campaign.criteria_by_code["1"].id, activity_date=date(2024, 1, n + 1), title=f"Tuyên truyền {n}",
            values={campaign.indicators_by_code["1.a"].id: 1}))
    page = _page(qtbot, context)
    page.table.setFocus()
    page.table.selectRow(0)
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    assert page.model.rowCount() == 1
    qtbot.keyClick(page.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert page.model.rowCount() == 2 and page.undo_bar.isHidden()
    page.table.selectRow(0)
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    page.bin_toggle.setChecked(True)
    assert page.model.rowCount() == 1
    assert not page.totals.isVisible() and "không được cộng vào kết quả" in page.totals_title.text()
    page.bin_toggle.setChecked(False)
    qtbot.waitUntil(lambda: page.totals.isVisible() and "Tổng hợp theo bộ lọc" in page.totals_title.text(), timeout=2000)


def test_a_dissolved_unit_is_warned_about_on_the_form(qtbot, context: AppContext) -> None:  # noqa: ANN001
    """Phòng Tư pháp huyện Chợ Mới ceased after 30/06/2025 (the district level ended)."""
    unit = context.workspace.units().get("PTP-CM")
    assert unit.valid_to == date(2025, 6, 30)
    page = _page(qtbot, context)
    form = page.add_activity()
    assert form.date.date() is not None and form.date.date() <= unit.valid_to  # the default lies in its life
    assert form.date_warning.text() == ""
    _retype(qtbot, form.date, "15/07/2025")
    assert "đã thôi hoạt động từ sau ngày 30/06/2025" in form.date_warning.text()  # at once, under the date
    _retype(qtbot, form.date, "30/6/2025")
    assert form.date_warning.text() == ""


def test_editing_an_activity_to_a_date_after_the_unit_ceased_warns_too(
    qtbot, context: AppContext, no_confirm: list[str]  # noqa: ANN001
) -> None:
    campaign = context.workspace.campaign()
    uuid = context.workspace.activities().create("PTP-CM", ActivityDraft(
        criterion_id=campaign.criteria_by_code["1"].id, activity_date=date(2025, 3, 1), title="Tuyên truyền",
        values={campaign.indicators_by_code["1.a"].id: 1})).created[0]
    page = _page(qtbot, context)
    page.table.selectRow(0)
    form = page.edit_selected()
    assert form.date_warning.text() == ""
    _retype(qtbot, form.date, "1/9/2025")
    assert "đã thôi hoạt động" in form.date_warning.text()
    assert form.save(and_new=False)
    assert any("đã thôi hoạt động từ sau ngày 30/06/2025" in question for question in no_confirm)
    assert context.workspace.activities().get(uuid).draft.activity_date == date(2025, 9, 1)
