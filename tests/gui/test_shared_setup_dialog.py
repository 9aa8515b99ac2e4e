"""The first-start dialog on a shared department: the first reviewer sets it up, the next one joins."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.core.shared.conftest import pg_url  # noqa: F401  (fixture)
from thidua_desktop.core.workspace import Role, Workspace
from thidua_desktop.gui.app import ensure_configured  # noqa: F401  (the gate that shows the dialog)
from thidua_desktop.gui.setup_dialog import SetupDialog


def test_first_reviewer_sets_up_and_the_second_joins(qtbot, tmp_path: Path, pg_url: str) -> None:  # noqa: ANN001, F811
    first = Workspace.open(tmp_path / "a", database_url=pg_url)
    assert first.needs_reviewer_name and not first.is_configured
    dialog = SetupDialog(first)
    qtbot.addWidget(dialog)
    dialog.department_choice.setChecked(True)
    assert dialog.reviewer_name.isVisibleTo(dialog) and not dialog.key_box.isVisibleTo(dialog)
    dialog.reviewer_name.setText("Nguyễn Văn An")
    dialog.accept()
    assert first.role is Role.DEPARTMENT and not first.needs_reviewer_name and first.actor == "Nguyễn Văn An"
    first.close()

    second = Workspace.open(tmp_path / "b", database_url=pg_url)
    assert second.is_configured and second.needs_reviewer_name  # so the app shows the dialog to join
    joining = SetupDialog(second)
    qtbot.addWidget(joining)
    joining.resize(1000, 560)
    assert joining.department_choice.isChecked() and not joining.unit_choice.isEnabled()
    joining.reviewer_name.setText("Trần Thị Bình")
    if os.environ.get("THIDUA_SCREENSHOTS"):
        joining.show()
        qtbot.waitExposed(joining)
        joining.grab().save(os.environ["THIDUA_SCREENSHOTS"] + "/shared-join.png")
    joining.accept()
    assert json.loads((tmp_path / "b" / "machine.json").read_text(encoding="utf-8"))["reviewer_name"] == "Trần Thị Bình"
    assert second.actor == "Trần Thị Bình"
    second.close()
