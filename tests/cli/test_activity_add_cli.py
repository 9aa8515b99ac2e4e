"""`thidua activity add … --attach` is one transaction: all or nothing (issue 12, stories 2 and 3), run as a real process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from thidua_desktop.core.workspace import Workspace

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"This program cannot be run in DOS mode."


def thidua(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "thidua_desktop.cli.main", *args], capture_output=True, text=True,
                          env=env, timeout=120, check=False)


def _add(data: Path, *attach: Path) -> subprocess.CompletedProcess[str]:
    extra = [item for path in attach for item in ("--attach", str(path))]
    return thidua("activity", "add", "--data-dir", str(data), "--unit", "PTP-TT", "--criterion", "2.4",
                  "--date", "12/3/2024", "--title", "Trợ giúp pháp lý lưu động tại xã Ô Lâm",
                  "--value", "2.4.e=1", "--value", "2.4.f=45", *extra)


def _state(data: Path) -> tuple[int, list[str]]:
    with Workspace.open(data) as workspace:
        count = workspace.activity_queries().count(_all(workspace))
    store = data / "evidence"
    files = sorted(p.name for p in store.rglob("*") if p.is_file()) if store.is_dir() else []
    return count, files


def test_a_failing_attachment_saves_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with Workspace.open(data) as workspace:
        workspace.set_settings(evidence_max_mb=1)
        store_dir = workspace.layout.evidence_dir
    assert store_dir == data / "evidence"
    good = tmp_path / "bien-ban.pdf"
    good.write_bytes(b"%PDF-1.4 bien ban" * 100)
    big = tmp_path / "ban-scan.pdf"
    big.write_bytes(b"%PDF-1.4\n" + b"0" * (2 * 1024 * 1024))
    renamed = tmp_path / "anh-trao-qua.jpg"
    renamed.write_bytes(EXE + os.urandom(5000))
    for attach, message in (((good, tmp_path / "khong-co.jpg"), "Không tìm thấy tệp “khong-co.jpg”"),
                            ((good, big), "vượt giới hạn 1 MB"),
                            ((renamed,), "chương trình Windows")):
        result = _add(data, *attach)
        assert result.returncode == 1, result.stderr
        assert "Lỗi:" in result.stderr and message in result.stderr
        assert "Traceback" not in result.stderr
        assert _state(data) == (0, [])  # no activity, no copied file left behind: a retry starts clean

    result = _add(data, good)
    assert result.returncode == 0, result.stderr
    count, files = _state(data)
    assert count == 1 and len(files) == 1
    with Workspace.open(data) as workspace:
        rows = list(workspace.activity_queries().pages(_all(workspace)))[0].rows
        detail = workspace.activities().get(rows[0].uuid)
        assert [a.file_name for a in detail.draft.attachments] == ["bien-ban.pdf"]
        assert detail.revision == 1  # saved with its evidence in one go


def _all(workspace: Workspace):  # noqa: ANN202
    from thidua_desktop.core.query import ActivityFilter

    return ActivityFilter(campaign_id=workspace.campaign().id)
