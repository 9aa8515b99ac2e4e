"""Gửi/Nhận gói dữ liệu: a unit signs and exports its data; the department verifies, previews and imports it.

A thin layer over `workspace.bundles()`: long work (export, verification, import, resolving held
changes) runs through `context.tasks.run` with progress and Cancel; every question to the user goes
through `Prompts`, so tests can answer them without opening dialogs.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QVBoxLayout, QWidget

from thidua_desktop.core.workspace import Role
from thidua_desktop.gui.context import AppContext
from thidua_desktop.gui.pages.bundles.common import note
from thidua_desktop.gui.pages.bundles.department import DepartmentSection
from thidua_desktop.gui.pages.bundles.dialogs import Prompts
from thidua_desktop.gui.pages.bundles.unit_side import UnitSection

if TYPE_CHECKING:
    from thidua_desktop.gui.main_window import MainWindow  # which imports this page lazily (gui.app)


def open_bundle_file(window: MainWindow, path: Path) -> None:
    """A double-clicked `.thidua` file: the department previews and imports it; a unit's copy only checks it."""
    page: BundlesPage = window.show_page("bundles")
    if page.department_section is not None:
        page.department_section.import_one(path)
    else:
        page.prompts.inform(page.tr(
            "Máy này là máy của đơn vị: gói “{name}” dùng để gửi về Sở Tư pháp (qua USB, thư điện tử…), "
            "không nhận vào máy đơn vị."
        ).format(name=path.name))


class BundlesPage(QWidget):
    """Gửi/Nhận gói dữ liệu: the unit's export, or the department's import, by the machine's role."""

    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.context = context
        self.workspace = context.workspace
        self.bundles = self.workspace.bundles()
        self.prompts = Prompts(self)
        self.open_files = True  # open a printed sheet in the PDF viewer (tests turn it off)
        self.last_sheet: Path | None = None
        layout = QVBoxLayout(self)
        self.role = self.workspace.role
        self.unit_section: UnitSection | None = None
        self.department_section: DepartmentSection | None = None
        if self.role is Role.UNIT:
            self.unit_section = UnitSection(self)
            layout.addWidget(self.unit_section)
        elif self.role is Role.DEPARTMENT:
            self.department_section = DepartmentSection(self)
            layout.addWidget(self.department_section)
        else:
            layout.addWidget(note(self.tr("Máy này chưa được thiết lập là máy của đơn vị hay của Sở.")))
        self.refresh()
        context.changed.connect(self._on_changed)

    def refresh(self) -> None:
        for section in (self.unit_section, self.department_section):
            if section is not None:
                section.refresh()

    def _on_changed(self, _report: object) -> None:
        if self.isVisible():
            self.refresh()

    def showEvent(self, event) -> None:  # noqa: ANN001, N802 - Qt override
        self.refresh()
        super().showEvent(event)
