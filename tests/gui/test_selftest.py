"""`--self-test`: every step passes on a source checkout, failures are reported, real data is untouched."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from thidua_desktop import selftest
from thidua_desktop.core.migrations import LATEST_SCHEMA_VERSION
from thidua_desktop.selftest import FAILED, OK, SKIPPED, run_self_test, run_steps

EXPECTED_TITLES = [
    "Tài nguyên",
    "Cơ sở dữ liệu",
    "Phong trào thi đua",
    "Xuất PDF (reportlab)",
    "Giao diện Qt",
    "Xem PDF (QtPdf)",
    "Gói dữ liệu có chữ ký",
]


def test_every_step_passes_in_process(qapp, tmp_path: Path) -> None:  # noqa: ANN001
    results = run_steps(tmp_path)
    assert [r.title for r in results] == EXPECTED_TITLES
    by_title = {r.title: r for r in results}
    for title in EXPECTED_TITLES[:-1]:
        assert by_title[title].status == OK, by_title[title].detail
    assert f"lược đồ {LATEST_SCHEMA_VERSION}" in by_title["Cơ sở dữ liệu"].detail
    assert "7 tiêu chí, 39 chỉ tiêu" in by_title["Phong trào thi đua"].detail
    assert "phông Liberation Serif nhúng sẵn" in by_title["Xuất PDF (reportlab)"].detail
    assert "nền offscreen" in by_title["Giao diện Qt"].detail
    bundle = by_title["Gói dữ liệu có chữ ký"]
    if bundle.status == SKIPPED:
        assert "thidua_desktop.core.bundles" in bundle.detail
    else:  # the bundles feature is in this tree: a real key, export and verification ran
        assert bundle.status == OK, bundle.detail
        assert "chữ ký và nội dung hợp lệ" in bundle.detail
        assert "bảng kê bị sửa: sai chữ ký" in bundle.detail
    assert (tmp_path / "du-lieu" / "thidua.sqlite").is_file()
    assert (tmp_path / "tu-kiem-tra.pdf").read_bytes().startswith(b"%PDF-")


def test_a_failing_step_fails_the_run_but_later_steps_still_run(
    qapp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch  # noqa: ANN001
) -> None:
    def broken(_ctx: selftest.SelfTestContext) -> str:
        raise FileNotFoundError("thiếu thư mục resources/fonts")

    steps = [(t, broken if t == "Tài nguyên" else f, q) for t, f, q in selftest.STEPS]
    monkeypatch.setattr(selftest, "STEPS", steps)
    monkeypatch.setattr(selftest.tempfile, "tempdir", str(tmp_path))
    out = io.StringIO()
    assert run_self_test(out) == 1
    report = out.getvalue()
    assert "[  LỖI  ] 1. Tài nguyên: FileNotFoundError: thiếu thư mục resources/fonts" in report
    assert "[  đạt  ] 2. Cơ sở dữ liệu" in report
    assert "Kết quả: THẤT BẠI — 5 đạt, 1 bỏ qua, 1 lỗi" in report or "Kết quả: THẤT BẠI — 6 đạt, 0 bỏ qua, 1 lỗi" in report
    assert (tmp_path / selftest.REPORT_FILE_NAME).read_text(encoding="utf-8") in report


def test_without_qt_the_qt_steps_are_skipped(tmp_path: Path) -> None:
    results = run_steps(tmp_path, with_qt=False)
    statuses = {r.title: r.status for r in results}
    assert statuses["Giao diện Qt"] == SKIPPED
    assert statuses["Xem PDF (QtPdf)"] == SKIPPED
    assert FAILED not in statuses.values()


def test_command_line_self_test_exits_zero_and_leaves_user_data_alone(tmp_path: Path) -> None:
    user_data = tmp_path / "du-lieu-that"
    env = {**os.environ, "THIDUA_DATA_DIR": str(user_data), "QT_QPA_PLATFORM": "offscreen", "TMPDIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "thidua_desktop", "--self-test"],
        capture_output=True, text=True, encoding="utf-8", env=env, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Kết quả: THÀNH CÔNG" in result.stdout
    assert result.stdout.count("[  đạt  ]") >= 6
    assert not user_data.exists()
    saved = (tmp_path / selftest.REPORT_FILE_NAME).read_text(encoding="utf-8")
    assert saved.splitlines()[0] == "ThiĐua Desktop 0.1.0 — tự kiểm tra (mã nguồn)"
    assert not list(tmp_path.glob("thidua-tu-kiem-tra-*"))  # the temp data folder was removed
