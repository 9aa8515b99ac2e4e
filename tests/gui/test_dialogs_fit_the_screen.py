"""Stories 10 and 14 (issue 12): every catalogued dialog and window (tests/gui/dialog_catalog.py) fits a 1366×768
screen less its task bar (1366×728 available) at Windows display scaling 100 %, 125 % and 150 %, and shows no
English Qt word (OK, Cancel, Look in:, the Undo/Cut/Copy/Paste menu…). One child process per scale factor:
Qt reads QT_SCALE_FACTOR once, at start-up."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.core.consolidation.sample import populate
from tests.gui.dialog_catalog import CATALOG
from thidua_desktop.core.workspace import Workspace

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("walk") / "data"
    with Workspace.open(folder, actor="kiểm thử") as workspace:
        populate(workspace)
    return folder


@pytest.mark.parametrize("factor", ["1", "1.25", "1.5"])
def test_every_dialog_fits_and_speaks_vietnamese(data_dir: Path, factor: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    env["QT_SCALE_FACTOR"] = factor
    result = subprocess.run([sys.executable, "-m", "tests.gui.dialog_walk", str(data_dir)], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    reports = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert [r["name"] for r in reports] == list(CATALOG)
    too_big = [f"{r['name']}: {r['size']} > {r['available']}" for r in reports if not r["fits"]]
    english = [f"{r['name']}: {r['english']}" for r in reports if r["english"]]
    blank = [r["name"] for r in reports if r["blank_buttons"]]
    assert not too_big, f"at {factor}×, off the screen: {too_big}"
    assert not english, f"English Qt words: {english}"
    assert not blank, f"buttons without text: {blank}"
