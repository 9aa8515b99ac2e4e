"""The CLI says when it upgraded a database (from which version, where the backup is) and explains an
empty listing instead of printing nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from thidua_desktop.cli.main import main
from thidua_desktop.core.migrations import LATEST_SCHEMA_VERSION

FIXTURES = Path(__file__).parent.parent / "fixtures" / "db"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_upgrade_is_reported_once_and_empty_history_is_explained(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copyfile(FIXTURES / "schema_v2.sqlite", data / "thidua.sqlite")
    code, out, err = run(capsys, "bundle", "history", "--data-dir", str(data))
    assert code == 0
    assert f"Đã nâng cấp cơ sở dữ liệu từ lược đồ 2 lên {LATEST_SCHEMA_VERSION}" in err
    backup = next((data / "backups").glob("*truoc-nang-cap-v2.sqlite"))
    assert str(backup) in err
    assert "Chưa gửi gói dữ liệu nào" in out

    code, out, err = run(capsys, "bundle", "history", "--data-dir", str(data))
    assert code == 0 and err == ""  # nothing upgraded the second time: nothing said
    assert "Chưa gửi gói dữ liệu nào" in out


def test_department_with_no_bundles_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from thidua_desktop.core.workspace import Role, Workspace

    with Workspace.open(tmp_path / "so") as workspace:
        workspace.configure(Role.DEPARTMENT, None)
    code, out, _err = run(capsys, "bundle", "history", "--data-dir", str(tmp_path / "so"))
    assert code == 0 and "Chưa nhận gói dữ liệu nào" in out
