"""Small reusable inputs: the criterion tree picker, Vietnamese number entry, and the period picker."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPaintEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QStyle,
    QStyleOptionComboBox,
    QStylePainter,
    QTreeView,
    QWidget,
)

from thidua_desktop.core.catalogue import CampaignInfo
from thidua_desktop.core.query import Period
from thidua_desktop.core.text import format_number, parse_number

CRITERION_ID_ROLE = Qt.ItemDataRole.UserRole + 10


class CriterionPicker(QComboBox):
    """A combo box whose popup is the plan's criteria tree; only criteria with indicators are selectable
    unless `allow_groups` (filters may pick a parent such as "2" to include its children)."""

    def __init__(self, campaign: CampaignInfo, *, allow_groups: bool, all_label: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.campaign = campaign
        model = QStandardItemModel(self)
        recordable = {c.id for c in campaign.recordable_criteria()}
        items: dict[int, QStandardItem] = {}
        if all_label:
            everything = QStandardItem(all_label)
            everything.setData(None, CRITERION_ID_ROLE)
            model.appendRow(everything)
        for criterion in campaign.criteria:
            item = QStandardItem(criterion.label)
            item.setData(criterion.id, CRITERION_ID_ROLE)
            item.setToolTip(criterion.title)
            if not allow_groups and criterion.id not in recordable:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsSelectable)
            parent_item = items.get(criterion.parent_id) if criterion.parent_id else None
            (parent_item.appendRow if parent_item else model.appendRow)(item)
            items[criterion.id] = item
        self._items = items
        view = QTreeView(self)
        view.setHeaderHidden(True)
        view.setItemsExpandable(False)
        view.setRootIsDecorated(False)
        view.setIndentation(16)
        view.setWordWrap(True)
        self.setView(view)
        self.setModel(model)
        view.expandAll()
        self.setMinimumContentsLength(30)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        view.setMinimumWidth(620)
        self.currentIndexChanged.connect(lambda _i: self.setToolTip(self.full_text()))

    def full_text(self) -> str:
        """The chosen criterion's whole label ("2.2. Hòa giải ở cơ sở …"), for the tooltip."""
        index = self.view().currentIndex()
        return index.data(Qt.ItemDataRole.DisplayRole) if index.isValid() else self.currentText()

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        """Long criterion names end in "…" rather than being cut mid-letter; the tooltip has them whole."""
        painter = QStylePainter(self)
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        painter.drawComplexControl(QStyle.ComplexControl.CC_ComboBox, option)
        option.currentText = self.shown_text()
        painter.drawControl(QStyle.ControlElement.CE_ComboBoxLabel, option)

    def shown_text(self) -> str:
        """The text as painted in the closed box (elided to its width)."""
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        field = self.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                            QStyle.SubControl.SC_ComboBoxEditField, self)
        return self.fontMetrics().elidedText(option.currentText, Qt.TextElideMode.ElideRight, max(0, field.width() - 4))

    def showPopup(self) -> None:  # noqa: N802 - Qt override
        self.view().expandAll()
        super().showPopup()

    def criterion_id(self) -> int | None:
        index = self.view().currentIndex()
        if not index.isValid():
            return None
        return index.data(CRITERION_ID_ROLE)

    def set_criterion(self, criterion_id: int | None) -> None:
        model: QStandardItemModel = self.model()
        if criterion_id is None:
            self.setRootModelIndex(model.invisibleRootItem().index())
            self.setCurrentIndex(0 if model.rowCount() else -1)
            return
        item = self._items[criterion_id]
        index = item.index()
        self.setRootModelIndex(index.parent())
        self.setCurrentIndex(index.row())
        self.setRootModelIndex(model.invisibleRootItem().index())
        self.view().setCurrentIndex(index)


class NumberEdit(QLineEdit):
    """Integer entry shown the Vietnamese way (1.234.567), with the unit of measure as a suffix label."""

    value_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.setPlaceholderText("0")
        self.editingFinished.connect(self._reformat)
        self.textEdited.connect(lambda _t: self.value_changed.emit())

    def value(self) -> int | None:
        """None when empty; raises ValueError with a Vietnamese message when not a number."""
        if not self.text().strip():
            return None
        return parse_number(self.text())

    def set_value(self, value: int | None) -> None:
        self.setText("" if value is None else format_number(value))

    def _reformat(self) -> None:
        try:
            value = self.value()
        except ValueError:
            return
        self.set_value(value)


class PeriodPicker(QWidget):
    """Kind (campaign / year / quarter / month) + value, emitting the chosen `Period` or None."""

    changed = Signal()

    def __init__(self, campaign: CampaignInfo, *, kinds: tuple[str, ...] = ("campaign", "year", "quarter", "month"),
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.campaign = campaign
        self.kind = QComboBox()
        labels = {"campaign": "Cả giai đoạn", "year": "Theo năm", "quarter": "Theo quý", "month": "Theo tháng"}
        for kind in kinds:
            self.kind.addItem(self.tr(labels[kind]), kind)
        self.value = QComboBox()
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.kind)
        row.addWidget(self.value)
        self.kind.currentIndexChanged.connect(self._fill_values)
        self.value.currentIndexChanged.connect(lambda _i: self.changed.emit())
        self._fill_values()

    def _fill_values(self) -> None:
        kind = self.kind.currentData()
        self.value.blockSignals(True)
        self.value.clear()
        periods: list[Period] = []
        if kind == "year":
            periods = [Period.year(y) for y in self.campaign.years]
        elif kind == "quarter":
            periods = [Period.quarter(y, q) for y in self.campaign.years for q in range(1, 5)]
        elif kind == "month":
            periods = [Period.month(y, m) for y in self.campaign.years for m in range(1, 13)]
        for period in periods:
            self.value.addItem(period.label, period)
        self.value.setVisible(bool(periods))
        self.value.blockSignals(False)
        self.changed.emit()

    def period(self) -> Period | None:
        if self.kind.currentData() == "campaign":
            return None
        return self.value.currentData()

    def select(self, kind: str, label: str | None = None) -> None:
        self.kind.setCurrentIndex(self.kind.findData(kind))
        if label is not None:
            self.value.setCurrentIndex(self.value.findText(label))
