"""What every page shares: the open workspace, the task runner, and the change broadcast."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from thidua_desktop.core.workspace import Workspace
from thidua_desktop.gui.tasks import TaskRunner


class AppContext(QObject):
    """Pages announce what a mutation changed; other pages refresh from that report alone."""

    changed = Signal(object)

    def __init__(self, workspace: Workspace, tasks: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.tasks = tasks

    def announce(self, report: object) -> None:
        self.changed.emit(report)
