"""The main window: navigation on the left, one page per area on the right."""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass

from PySide6.QtCore import QSettings, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from thidua_desktop.core.workspace import ROLE_LABELS, Role
from thidua_desktop.gui.about_dialog import AboutDialog
from thidua_desktop.gui.context import AppContext
from thidua_desktop.gui.geometry import fit_to_screen, keep_on_screen

BACKUP_CHECK_MS = 60 * 60 * 1000


@dataclass(frozen=True)
class PageSpec:
    key: str
    title: str
    module: str
    class_name: str
    roles: frozenset[Role] | None = None  # None: every role


PAGES = [
    PageSpec("activities", "Hoạt động", "thidua_desktop.gui.pages.activities", "ActivitiesPage"),
    PageSpec("overview", "Tiến độ đơn vị", "thidua_desktop.gui.pages.overview", "OverviewPage"),
    PageSpec("bundles", "Gửi/Nhận gói dữ liệu", "thidua_desktop.gui.pages.bundles", "BundlesPage"),
    PageSpec("consolidation", "Tổng hợp", "thidua_desktop.gui.pages.consolidation", "ConsolidationPage",
             frozenset({Role.DEPARTMENT})),
    PageSpec("awards", "Khen thưởng", "thidua_desktop.gui.pages.awards", "AwardsPage"),
    PageSpec("settings", "Cài đặt", "thidua_desktop.gui.pages.settings", "SettingsPage"),
]


def _available(spec: PageSpec) -> bool:
    return importlib.util.find_spec(spec.module) is not None


class MainWindow(QMainWindow):
    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.context = context
        workspace = context.workspace
        self.setWindowTitle(self._title())
        self.settings = QSettings(str(workspace.layout.root / "window.ini"), QSettings.Format.IniFormat)

        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setFixedWidth(210)
        self.nav.setIconSize(QSize(20, 20))
        self.nav.setStyleSheet(
            "#navigation { background: #17324d; color: white; border: none; font-size: 11pt; }"
            "#navigation::item { padding: 10px 14px; }"
            "#navigation::item:selected { background: #2f6ea5; }"
        )
        self.stack = QStackedWidget()
        column = QVBoxLayout()
        column.setContentsMargins(0, 0, 0, 0)
        header = QLabel(workspace.campaign().display_name)
        header.setObjectName("campaignHeader")
        header.setWordWrap(True)
        header.setStyleSheet("#campaignHeader { background: #eef3f8; padding: 8px 14px; font-weight: bold; color: #17324d; }")
        column.addWidget(header)
        pages = QScrollArea()  # a page wider or taller than a small or scaled screen scrolls, never runs off it
        pages.setWidget(self.stack)
        pages.setWidgetResizable(True)
        pages.setFrameShape(QFrame.Shape.NoFrame)
        column.addWidget(pages, 1)
        row.addWidget(self.nav)
        row.addLayout(column, 1)
        self.setCentralWidget(central)

        self.pages: dict[str, QWidget] = {}
        self._build_pages()
        self.nav.currentRowChanged.connect(self.stack.setCurrentIndex)
        self.stack.currentChanged.connect(self._size_by_current_page)
        self.nav.setCurrentRow(0)
        self._role_seen = (workspace.role, workspace.setting("unit_code"))
        context.changed.connect(self._rebuild_if_role_changed)

        self._build_menu()
        self._update_status()
        context.changed.connect(lambda _report: self._update_status())
        self._restore_geometry()
        self.backup_timer = QTimer(self)
        self.backup_timer.setInterval(BACKUP_CHECK_MS)
        self.backup_timer.timeout.connect(self.backup_if_due)
        self.backup_timer.start()
        QTimer.singleShot(0, self.backup_if_due)

    def backup_if_due(self) -> None:
        """Daily rolling backup, off the GUI thread."""
        workspace = self.context.workspace
        self.context.tasks.run(
            lambda _progress, _cancel: workspace.backup_if_due(),
            title=self.tr("Đang sao lưu…"),
            parent=self,
            on_done=lambda _path: None,
            on_error=lambda error, _details: logging.getLogger(__name__).warning("daily backup failed: %s", error),
            show_progress=False,
        )

    def _build_pages(self) -> None:
        role = self.context.workspace.role
        for spec in PAGES:
            if not _available(spec) or (spec.roles is not None and role not in spec.roles):
                continue
            page_class = getattr(importlib.import_module(spec.module), spec.class_name)
            page = page_class(self.context)
            self.pages[spec.key] = page
            self.stack.addWidget(page)
            item = QListWidgetItem(self.tr(spec.title))
            item.setData(Qt.ItemDataRole.UserRole, spec.key)
            self.nav.addItem(item)

    def _size_by_current_page(self, current: int) -> None:
        """The window's minimum is the shown page's, not the widest of all pages (a hidden page is Ignored)."""
        for index in range(self.stack.count()):
            policy = QSizePolicy.Policy.Preferred if index == current else QSizePolicy.Policy.Ignored
            self.stack.widget(index).setSizePolicy(policy, policy)
        self.stack.updateGeometry()

    def _rebuild_if_role_changed(self, _report: object) -> None:
        """Pages are built for a role (unit or department); a new role or unit gets fresh pages."""
        workspace = self.context.workspace
        now = (workspace.role, workspace.setting("unit_code"))
        if now != self._role_seen:
            self._role_seen = now
            QTimer.singleShot(0, self.rebuild_pages)  # not from inside the announcing page's own slot

    def rebuild_pages(self) -> None:
        current = self.nav.currentItem().data(Qt.ItemDataRole.UserRole) if self.nav.currentItem() else None
        self.nav.blockSignals(True)
        self.nav.clear()
        for page in self.pages.values():
            self.stack.removeWidget(page)
            page.deleteLater()
        self.pages = {}
        self._build_pages()
        self.nav.blockSignals(False)
        self.show_page(current) if current in self.pages else self.nav.setCurrentRow(0)

    def _title(self) -> str:
        unit = self.context.workspace.own_unit()
        suffix = " — DỮ LIỆU MẪU" if self.context.workspace.layout.root.name == "demo" else ""
        return f"ThiĐua Desktop — {unit.name if unit else ''}{suffix}"

    def _build_menu(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("&Tệp"))
        quit_action = QAction(self.tr("Thoát"), self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        help_menu = self.menuBar().addMenu(self.tr("Trợ &giúp"))
        guide = QAction(self.tr("Hướng dẫn sử dụng"), self)
        guide.setShortcut(QKeySequence(Qt.Key.Key_F1))
        guide.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        guide.triggered.connect(self.show_help)
        help_menu.addAction(guide)
        about = QAction(self.tr("Giới thiệu…"), self)
        about.triggered.connect(self.show_about)
        help_menu.addAction(about)

    def show_help(self) -> None:
        from thidua_desktop.gui.help_dialog import HelpDialog

        if getattr(self, "help_dialog", None) is None:
            self.help_dialog = HelpDialog(self)
        self.help_dialog.show()
        self.help_dialog.raise_()
        self.help_dialog.activateWindow()

    def show_about(self) -> None:
        AboutDialog(self.context.workspace, self).exec()

    def show_page(self, key: str) -> QWidget:
        for row in range(self.nav.count()):
            if self.nav.item(row).data(Qt.ItemDataRole.UserRole) == key:
                self.nav.setCurrentRow(row)
                self.stack.setCurrentWidget(self.pages[key])
        return self.pages[key]

    def page_titles(self) -> list[str]:
        return [self.nav.item(row).text() for row in range(self.nav.count())]

    def _update_status(self) -> None:
        workspace = self.context.workspace
        role = workspace.role
        unit = workspace.own_unit()
        self.setWindowTitle(self._title())
        self.statusBar().showMessage(
            f"{ROLE_LABELS[role] if role else ''} · {unit.name if unit else ''} · Dữ liệu: {workspace.layout.root}"
        )

    def _restore_geometry(self) -> None:
        geometry = self.settings.value("geometry")
        if geometry is not None and self.restoreGeometry(geometry):
            keep_on_screen(self)  # saved on a larger screen, or before display scaling went up
            return
        fit_to_screen(self, (1280, 800))  # a 1366 × 768 office laptop at 100–150 % as well as a large monitor

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if self.context.tasks.running:  # an import, a restore… would be cut off half-way
            QMessageBox.information(
                self, self.tr("Đang làm việc"),
                self.tr("Ứng dụng đang thực hiện một việc (nhận gói, khôi phục, xuất tệp…). Hãy chờ việc đó xong, "
                        "hoặc bấm Hủy trong cửa sổ tiến độ, rồi đóng lại."))
            event.ignore()
            return
        for page in self.pages.values():
            can_close = getattr(page, "can_close", None)
            if can_close is not None and not can_close():
                event.ignore()
                return
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.sync()
        try:
            self.context.workspace.backup_now("khi-thoat")
        except Exception:  # noqa: BLE001 - a failed exit backup must not keep the window open
            logging.getLogger(__name__).exception("exit backup failed")
        super().closeEvent(event)
