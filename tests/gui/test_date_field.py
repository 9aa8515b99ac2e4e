"""The date field holds exactly what was typed, in every place a date is entered (issue 12, story 1)."""

from __future__ import annotations

from datetime import date

import pytest

from PySide6.QtCore import QDate, Qt

from tests.gui.test_activities_page import _fill, _page
from thidua_desktop.core.errors import UserError
from thidua_desktop.gui.context import AppContext
from thidua_desktop.gui.date_field import DateField, OptionalDate


def _retype(qtbot, field: DateField, text: str) -> None:  # noqa: ANN001
    """Select the whole date with Ctrl+A, then type over it, key by key."""
    field.line_edit.setFocus()
    qtbot.keyClick(field.line_edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(field.line_edit, text)


def test_typing_over_a_selection_keeps_exactly_what_was_typed(qtbot) -> None:  # noqa: ANN001
    field = DateField()
    qtbot.addWidget(field)
    field.show()
    changes: list[object] = []
    field.dateChanged.connect(changes.append)
    field.setDate(date(2024, 3, 15))
    for typed, expected in (("20/04/2024", date(2024, 4, 20)), ("5/2/2024", date(2024, 2, 5)),
                            ("05.02.2023", date(2023, 2, 5)), ("7-11-2024", date(2024, 11, 7))):
        _retype(qtbot, field, typed)
        assert field.date() == expected and field.error() == ""
    qtbot.keyClick(field.line_edit, Qt.Key.Key_Return)
    assert field.text() == "07/11/2024"  # shown the usual way once typing is done
    # Only the day: select "07" and type another day.
    field.line_edit.setSelection(0, 2)
    qtbot.keyClicks(field.line_edit, "28")
    assert field.date() == date(2024, 11, 28)
    assert changes[-1] == date(2024, 11, 28)


def test_an_impossible_date_is_refused_never_clamped(qtbot) -> None:  # noqa: ANN001
    field = DateField()
    qtbot.addWidget(field)
    field.setDate(date(2024, 3, 15))
    _retype(qtbot, field, "31/02/2024")
    assert field.date() is None
    assert field.error() == "Ngày “31/02/2024” không có thật trên lịch."
    assert field.text() == "31/02/2024"  # left as typed, for the officer to correct
    with pytest.raises(UserError, match="Ngày sinh: Ngày “31/02/2024” không có thật"):
        field.checked_date("Ngày sinh")
    _retype(qtbot, field, "32/1/2024")
    assert field.date() is None and "không có thật" in field.error()
    _retype(qtbot, field, "1/2")
    assert field.date() is None and "ngày/tháng/năm" in field.error()
    qtbot.keyClicks(field.line_edit, "abc")  # letters cannot even be typed
    assert field.text() == "1/2"


def test_calendar_popup_picks_a_date(qtbot) -> None:  # noqa: ANN001
    field = DateField()
    qtbot.addWidget(field)
    field.show()
    field.setDate(date(2024, 3, 15))
    qtbot.mouseClick(field.calendar_button, Qt.MouseButton.LeftButton)
    assert field.calendar.selectedDate() == QDate(2024, 3, 15)
    field.calendar.clicked.emit(QDate(2024, 3, 9))
    assert field.date() == date(2024, 3, 9) and field.text() == "09/03/2024"


def test_optional_date_names_its_field_in_the_refusal(qtbot) -> None:  # noqa: ANN001
    optional = OptionalDate("Có ngày bắt đầu")
    qtbot.addWidget(optional)
    optional.set_value(date(2020, 1, 1))
    _retype(qtbot, optional.edit, "29/2/2023")
    with pytest.raises(UserError, match="Hiệu lực từ: Ngày “29/2/2023” không có thật"):
        optional.value("Hiệu lực từ")
    _retype(qtbot, optional.edit, "29/2/2024")
    assert optional.value() == date(2024, 2, 29)
    optional.enabled.setChecked(False)
    assert optional.value() is None


def test_the_saved_activity_has_the_date_typed_over_the_old_one(qtbot, context: AppContext) -> None:  # noqa: ANN001
    page = _page(qtbot, context)
    form = page.add_activity()
    _fill(qtbot, form, title="Hòa giải tranh chấp ranh đất", values={"2.2.e": "2", "2.2.f": "2"})
    assert form.date.date() == date(2024, 3, 15)
    _retype(qtbot, form.date, "20/04/2024")
    form.activateWindow()
    qtbot.waitUntil(form.isActiveWindow, timeout=2000)
    qtbot.keyClick(form.date.line_edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert not form.isVisible()
    detail = context.workspace.activities().get(page.model.uuid_at(0))
    assert detail.draft.activity_date == date(2024, 4, 20)


def test_the_form_refuses_an_impossible_date_and_forgets_the_message_once_fixed(
    qtbot, context: AppContext  # noqa: ANN001
) -> None:
    page = _page(qtbot, context)
    form = page.add_activity()
    _fill(qtbot, form, title="Hòa giải tranh chấp ranh đất", values={"2.2.e": "2", "2.2.f": "2"})
    _retype(qtbot, form.date, "31/02/2024")
    assert "không có thật trên lịch" in form.date_warning.text()  # said at once, in Vietnamese
    assert form.save(and_new=False) is False
    assert form.status_label.text() == "Chưa lưu: hãy sửa các mục báo đỏ."
    assert page.model.rowCount() == 0
    _retype(qtbot, form.date, "29/02/2024")
    assert form.date_warning.text() == ""
    assert form.status_label.text() == ""  # nothing is red any more
    assert form.save(and_new=False)
    assert context.workspace.activities().get(page.model.uuid_at(0)).draft.activity_date == date(2024, 2, 29)


def test_every_date_field_of_the_app_is_the_typed_date_field() -> None:
    """No stock QDateEdit is left anywhere in the GUI."""
    from pathlib import Path

    import thidua_desktop.gui as gui

    offenders = [p.name for p in Path(gui.__file__).parent.rglob("*.py") if "QDateEdit" in p.read_text(encoding="utf-8")]
    assert offenders == []
