"""The one date field of the app: typed as written (dd/mm/yyyy), with a calendar button.

Qt's stock date edit edits day, month and year as separate sections: typing a whole date over a selection
keeps parts of the old one, and an impossible day is silently clamped (31/02 → 28/02). Here the officer
types free text ("5/2/2024", "05.02.2024", "5-2-2024"), parsed by the one rule in core/text.py; the field
holds exactly what was typed or says in Vietnamese why it is not a date — it never guesses.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, QLocale, QRegularExpression, Qt, Signal
from PySide6.QtGui import QColor, QPalette, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QCalendarWidget,
    QCheckBox,
    QHBoxLayout,
    QLineEdit,
    QMenu,
    QSizePolicy,
    QToolButton,
    QWidget,
    QWidgetAction,
)

from thidua_desktop.core.errors import UserError
from thidua_desktop.core.text import format_date, parse_date

INVALID_BACKGROUND = QColor("#fdecea")  # a palette colour: unlike a style sheet it never changes the field's size
DATE_HINT = "Nhập ngày dạng ngày/tháng/năm, ví dụ 05/02/2024 (hoặc 5/2/2024, 5.2.2024, 5-2-2024)."


def as_date(value: date | QDate) -> date:
    return date(value.year(), value.month(), value.day()) if isinstance(value, QDate) else value


class DateField(QWidget):
    """A line edit for dd/mm/yyyy plus a calendar popup; `date()` is None while the text is not a valid date."""

    dateChanged = Signal(object)  # noqa: N815 - Qt naming; the new `date`, or None when the text is not one
    editingFinished = Signal()  # noqa: N815 - Qt naming
    edited = Signal()  # the text changed: the date, or why it is not one, may have changed

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._minimum: date | None = None
        self._maximum: date | None = None
        self._value: date | None = None
        self._error = ""
        self._finished = True  # typing done (or the text was set): every error may be shown
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        self.line_edit = QLineEdit()
        self.line_edit.setPlaceholderText(self.tr("ngày/tháng/năm"))
        self.line_edit.setValidator(QRegularExpressionValidator(QRegularExpression(r"[0-9/.\- ]{0,12}"), self))
        self.line_edit.setMaxLength(12)
        self.line_edit.setFixedWidth(self.line_edit.fontMetrics().horizontalAdvance("00/00/00000") + 24)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)  # a date needs no half-screen field
        self.calendar_button = QToolButton()
        self.calendar_button.setText("▾")
        self.calendar_button.setToolTip(self.tr("Chọn trên lịch"))
        self.calendar_button.setAccessibleName(self.tr("Chọn ngày trên lịch"))
        self.calendar_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes field to field, not into the button
        self.calendar_button.clicked.connect(self.show_calendar)
        row.addWidget(self.line_edit, 1)
        row.addWidget(self.calendar_button)
        self.setFocusProxy(self.line_edit)
        self.line_edit.textChanged.connect(self._parse)
        self.line_edit.textEdited.connect(self._typing)
        self.line_edit.editingFinished.connect(self._finish)

    # --- the API the forms use ------------------------------------------------------------
    def date(self) -> date | None:
        """The typed date, or None when the field is empty or its text is not a real date in range."""
        return self._value

    def setDate(self, value: date | QDate | None) -> None:  # noqa: N802 - Qt naming, as on Qt's date edit
        self._finished = True
        self.line_edit.setText(format_date(as_date(value)) if value is not None else "")

    def text(self) -> str:
        return self.line_edit.text()

    def error(self) -> str:
        """Why the text is not a usable date (Vietnamese), or "" when it is one or the field is empty."""
        return self._error

    def visible_error(self) -> str:
        """The error worth showing now: while typing, only once the text looks whole (d/m/yyyy), not at "3"."""
        if not self._error:
            return ""
        parts = self.line_edit.text().strip().replace("-", "/").replace(".", "/").split("/")
        whole = len(parts) == 3 and len(parts[2]) == 4
        return self._error if whole or self._finished else ""

    def is_empty(self) -> bool:
        return not self.line_edit.text().strip()

    def checked_date(self, label: str) -> date | None:
        """The date for saving: None when empty; a UserError naming the field when the text is not a date."""
        if self._error:
            raise UserError(f"{label}: {self._error}", hint=DATE_HINT)
        return self._value

    def setMinimumDate(self, value: date | QDate | None) -> None:  # noqa: N802 - Qt naming
        self._minimum = as_date(value) if value is not None else None
        self._parse(self.line_edit.text())

    def setMaximumDate(self, value: date | QDate | None) -> None:  # noqa: N802 - Qt naming
        self._maximum = as_date(value) if value is not None else None
        self._parse(self.line_edit.text())

    def setReadOnly(self, read_only: bool) -> None:  # noqa: N802 - Qt naming
        self.line_edit.setReadOnly(read_only)
        self.calendar_button.setEnabled(not read_only)

    # --- parsing --------------------------------------------------------------------------
    def _parse(self, text: str) -> None:
        value: date | None = None
        error = ""
        if text.strip():
            try:
                value = parse_date(text)
            except ValueError as problem:
                error = str(problem)
            else:
                if self._minimum and value < self._minimum:
                    error = f"Ngày {format_date(value)} trước ngày sớm nhất được nhận ({format_date(self._minimum)})."
                elif self._maximum and value > self._maximum:
                    error = f"Ngày {format_date(value)} sau ngày muộn nhất được nhận ({format_date(self._maximum)})."
                if error:
                    value = None
        changed = value != self._value
        self._value, self._error = value, error
        palette = self.line_edit.palette()
        palette.setColor(QPalette.ColorRole.Base, INVALID_BACKGROUND if error else self.palette().color(QPalette.ColorRole.Base))
        self.line_edit.setPalette(palette)
        self.line_edit.setToolTip(error or self.tr(DATE_HINT))
        if changed:
            self.dateChanged.emit(value)
        self.edited.emit()

    def _typing(self, _text: str) -> None:
        self._finished = False
        self.edited.emit()

    def _finish(self) -> None:
        """Once typing is done, a valid date is shown the usual way (05/02/2024); a wrong one stays as typed."""
        self._finished = True
        if self._value is not None and self.line_edit.text() != format_date(self._value):
            self.line_edit.setText(format_date(self._value))
        self.editingFinished.emit()

    # --- calendar -------------------------------------------------------------------------
    def show_calendar(self) -> None:
        menu = QMenu(self)
        calendar = QCalendarWidget(menu)
        calendar.setGridVisible(True)
        calendar.setLocale(QLocale(QLocale.Language.Vietnamese, QLocale.Country.Vietnam))  # "Tháng 4", "T2"…
        calendar.setFirstDayOfWeek(Qt.DayOfWeek.Monday)
        if self._minimum:
            calendar.setMinimumDate(QDate(self._minimum.year, self._minimum.month, self._minimum.day))
        if self._maximum:
            calendar.setMaximumDate(QDate(self._maximum.year, self._maximum.month, self._maximum.day))
        shown = self._value or date.today()
        calendar.setSelectedDate(QDate(shown.year, shown.month, shown.day))
        action = QWidgetAction(menu)
        action.setDefaultWidget(calendar)
        menu.addAction(action)

        def chosen(picked: QDate) -> None:
            self.setDate(picked)
            menu.close()
            self.line_edit.setFocus()
            self.editingFinished.emit()

        calendar.clicked.connect(chosen)
        calendar.activated.connect(chosen)
        self.calendar = calendar  # reachable from tests while the popup is open
        menu.popup(self.mapToGlobal(self.rect().bottomLeft()))
        calendar.setFocus()


class OptionalDate(QWidget):
    """A date that may be absent (no start / still valid): a check box and a DateField."""

    def __init__(self, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.label = label
        self.enabled = QCheckBox(label)
        self.edit = DateField()
        row.addWidget(self.enabled)
        row.addWidget(self.edit, 1)
        self.enabled.toggled.connect(self.edit.setEnabled)
        self.set_value(None)

    def set_value(self, value: date | None) -> None:
        self.enabled.setChecked(value is not None)
        self.edit.setEnabled(value is not None)
        self.edit.setDate(value if value else date.today())

    def value(self, label: str | None = None) -> date | None:
        """None when unticked; a UserError (Vietnamese, naming the field) when ticked but not a real date."""
        if not self.enabled.isChecked():
            return None
        day = self.edit.checked_date(label or self.label)
        if day is None:
            raise UserError(f"{label or self.label}: chưa nhập ngày.", hint=DATE_HINT)
        return day
