"""GUI fixtures: a synchronous task runner, so background jobs finish before the next assertion."""

from __future__ import annotations

import pytest

from thidua_desktop.core.workspace import Workspace
from thidua_desktop.gui.context import AppContext
from thidua_desktop.gui.fonts import register_fonts
from thidua_desktop.gui.tasks import TaskRunner


@pytest.fixture
def context(qapp, sqlite_workspace: Workspace) -> AppContext:  # noqa: ANN001 - pytest-qt fixture
    """A district office's copy (Phòng Tư pháp huyện Chợ Mới) with jobs run inline."""
    register_fonts()
    return AppContext(sqlite_workspace, TaskRunner(synchronous=True))


@pytest.fixture
def no_confirm(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Answer 'yes' to every confirmation and record what was asked."""
    asked: list[str] = []

    def fake_confirm(_parent, title, text, **_kwargs) -> bool:  # noqa: ANN001
        asked.append(f"{title}: {text}")
        return True

    monkeypatch.setattr("thidua_desktop.gui.messages.confirm", fake_confirm)
    monkeypatch.setattr("thidua_desktop.gui.activity_form.confirm", fake_confirm)
    monkeypatch.setattr("thidua_desktop.gui.pages.settings.confirm", fake_confirm)
    return asked


def type_text(widget, text: str) -> None:  # noqa: ANN001
    """Type Unicode text key by key (QTest.keyClicks only handles ASCII, and Vietnamese is not ASCII)."""
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    widget.setFocus()
    for char in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, char))
