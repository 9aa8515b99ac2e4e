"""Open every catalogued window on a 1366×728 screen (1366×768 less a task bar) at the QT_SCALE_FACTOR given in
the environment and report, one JSON line per window, whether it fits the screen's available geometry and which
known English Qt words it shows. Run in its own process per scale factor (Qt reads the factor at start-up):

    QT_SCALE_FACTOR=1.5 python -m tests.gui.dialog_walk DATA_DIR [SCREENSHOT_DIR]
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

SCREEN = Path(__file__).with_name("office_screen.json")
os.environ.setdefault("QT_QPA_PLATFORM", f"offscreen:configfile={SCREEN}")

from PySide6.QtCore import QModelIndex, Qt  # noqa: E402
from PySide6.QtWidgets import (  # noqa: E402
    QAbstractButton,
    QApplication,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTabBar,
    QToolButton,
    QWidget,
)

ENGLISH = {
    "OK", "Cancel", "Yes", "No", "Close", "Apply", "Save", "Open", "Discard", "Reset", "Help", "Abort", "Retry",
    "Ignore", "Look in:", "File name:", "Files of type:", "Undo", "Redo", "Cut", "Copy", "Paste", "Delete",
    "Select All", "Back", "Forward", "Parent Directory", "Create New Folder", "List View", "Detail View",
    "Show Details...", "Hide Details...", "Name", "Size", "Type", "Date Modified", "Kind", "Step up", "Step down",
}


def plain(text: str) -> str:
    """A label as read: without accelerator ampersands and the shortcut after a tab."""
    return re.sub(r"&(?!&)", "", text.split("\t")[0]).strip()


def visible_texts(window: QWidget) -> list[str]:
    texts: list[str] = []
    for widget in window.findChildren(QWidget):
        if not widget.isVisibleTo(window):
            continue
        if isinstance(widget, (QAbstractButton, QLabel)):
            texts.append(widget.text())
        elif isinstance(widget, QGroupBox):
            texts.append(widget.title())
        elif isinstance(widget, QTabBar):
            texts += [widget.tabText(i) for i in range(widget.count())]
        elif isinstance(widget, QHeaderView) and widget.model() is not None:
            model, orientation = widget.model(), widget.orientation()
            count = model.columnCount(QModelIndex()) if orientation is Qt.Orientation.Horizontal else 0
            texts += [str(model.headerData(c, orientation) or "") for c in range(count)]
    edits = [w for w in window.findChildren(QLineEdit) if w.isVisibleTo(window)]
    if edits:  # the text-field context menu every form shares
        menu = edits[0].createStandardContextMenu()
        texts += [action.text() for action in menu.actions()]
        menu.deleteLater()
    return texts


def english_in(window: QWidget) -> list[str]:
    return sorted({plain(t) for t in visible_texts(window)} & ENGLISH)


def blank_buttons(window: QWidget) -> int:
    """Buttons showing nothing at all (a translator that answers "" for text it does not know blanks them)."""
    return sum(1 for b in window.findChildren(QAbstractButton)
               if b.isVisibleTo(window) and not b.text().strip() and b.icon().isNull() and not b.toolTip()
               and not (isinstance(b, QToolButton) and b.arrowType() is not Qt.ArrowType.NoArrow))


def fits(window: QWidget) -> dict:
    area = window.screen().availableGeometry()
    frame = window.frameGeometry()
    return {
        "size": [frame.width(), frame.height()],
        "minimum": [window.minimumSizeHint().width(), window.minimumSizeHint().height()],
        "available": [area.width(), area.height()],
        "fits": area.contains(frame),
    }


def main(argv: list[str]) -> int:
    from tests.gui.dialog_catalog import Env, open_all
    from thidua_desktop.gui.app import make_application

    data_dir = Path(argv[0])
    shots = Path(argv[1]) if len(argv) > 1 else None
    make_application(["thidua-desktop"])
    env = Env.create(data_dir)
    factor = os.environ.get("QT_SCALE_FACTOR", "1")
    for name, window in open_all(env):
        report = {"name": name, "scale": factor, **fits(window), "english": english_in(window),
                  "blank_buttons": blank_buttons(window)}
        if shots is not None:
            shots.mkdir(parents=True, exist_ok=True)
            safe = re.sub(r"[^\w]+", "-", name).strip("-")
            window.grab().save(str(shots / f"{factor}-{safe}.png"))
        print(json.dumps(report, ensure_ascii=False), flush=True)
    QApplication.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
