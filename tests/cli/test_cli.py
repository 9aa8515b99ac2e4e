"""The `thidua` command line, run in-process through its entry function."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from thidua_desktop.cli.main import main
from thidua_desktop.core.workspace import Workspace


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_info_and_units(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Workspace.open(tmp_path).close()  # a data folder made by the GUI, whose role is not chosen yet
    code, out, _ = run(capsys, "info", "--data-dir", str(tmp_path))
    assert code == 0
    assert "Vai trò: chưa thiết lập" in out and "Phong trào: Kế hoạch 78/KH-STP" in out
    assert "78/KH-STP" in out
    code, out, _ = run(capsys, "units", "list", "--data-dir", str(tmp_path))
    assert code == 0
    assert "PTP-CM     Phòng Tư pháp huyện Chợ Mới" in out
    assert "30/06/2025" in out  # district level ends with the 2025 reorganisation


def test_demo_creates_a_separate_data_set(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "demo", "--data-dir", str(tmp_path))
    assert code == 0
    assert (tmp_path / "demo" / "thidua.sqlite").is_file()
    assert not (tmp_path / "thidua.sqlite").exists()  # real data untouched
    assert "hoạt động" in out
    code, out, _ = run(capsys, "activity", "list", "--data-dir", str(tmp_path), "--demo", "--search", "tri ton", "--year", "2024")
    assert code == 0
    assert "Tri Tôn" in out


def test_add_list_and_export_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["--data-dir", str(tmp_path)]
    photo = tmp_path / "bien-ban.pdf"
    photo.write_bytes(b"%PDF-1.4 bien ban")
    code, out, err = run(
        capsys, "activity", "add", *base, "--unit", "PTP-TT", "--criterion", "2.4", "--date", "12/03/2024",
        "--title", "Trợ giúp pháp lý lưu động tại xã Ô Lâm", "--commune", "xã Ô Lâm", "--poor", "--ethnic",
        "--value", "2.4.e=1", "--value", "2.4.f=45", "--attach", str(photo),
    )
    assert code == 0, err
    assert "Đã lưu hoạt động" in out
    code, out, _ = run(capsys, "activity", "list", *base, "--search", "tro giup")
    assert "12/03/2024" in out and "45 lượt người" in out and "Tổng cộng: 1 hoạt động." in out
    target = tmp_path / "out" / "hoat-dong.csv"
    code, out, _ = run(capsys, "activity", "export-csv", *base, "--out", str(target))
    assert code == 0
    with target.open(encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:5] == ["Mã", "Ngày", "Đơn vị", "Tiêu chí", "Tên hoạt động"]
    assert rows[1][1:5] == ["12/03/2024", "PTP Tri Tôn", "2.4", "Trợ giúp pháp lý lưu động tại xã Ô Lâm"]
    assert rows[1][5] == "xã Ô Lâm (xã nghèo, vùng đồng bào DTTS)"
    assert rows[1][7] == "1"


def test_errors_have_vietnamese_messages_and_distinct_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["--data-dir", str(tmp_path)]
    code, _, err = run(capsys, "activity", "add", *base, "--unit", "PTP-CM", "--criterion", "9", "--date", "01/01/2024", "--title", "x")
    assert code == 1 and "Không có tiêu chí “9”" in err
    code, _, err = run(capsys, "activity", "add", *base, "--unit", "PTP-CM", "--criterion", "2.2", "--date", "31/02/2024", "--title", "x")
    assert code == 5 and "không có thật trên lịch" in err
    code, _, err = run(
        capsys, "activity", "add", *base, "--unit", "PTP-CM", "--criterion", "2.2", "--date", "01/02/2024",
        "--title", "Hòa giải", "--value", "2.2.e=2", "--value", "2.2.f=3",
    )
    assert code == 5 and "không được lớn hơn" in err
    code, out, _ = run(capsys, "activity", "list", *base)
    assert "Tổng cộng: 0 hoạt động." in out  # nothing half-saved


def test_help_and_usage_errors_are_in_vietnamese(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("cách dùng: thidua") and "tùy chọn:" in out and "hiện hướng dẫn này rồi thoát" in out
    with pytest.raises(SystemExit) as exit_info:
        main(["activity", "add"])
    assert exit_info.value.code == 2
    assert "lỗi: thiếu tham số bắt buộc: --criterion, --date, --title" in capsys.readouterr().err


def test_add_prints_the_warnings_and_saves_anyway(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["--data-dir", str(tmp_path)]
    code, out, err = run(
        capsys, "activity", "add", *base, "--unit", "PTP-CM", "--criterion", "2.2", "--date", "01/09/2025",
        "--title", "Hòa giải sau sáp nhập",
    )
    assert code == 0, err
    assert out.splitlines()[:2] == [
        "Lưu ý: Phòng Tư pháp huyện Chợ Mới đã thôi hoạt động từ sau ngày 30/06/2025 (ngày hoạt động 01/09/2025).",
        "Lưu ý: Hoạt động chưa có số liệu nào; nó sẽ không được cộng vào kết quả.",
    ]
    assert "Đã lưu hoạt động" in out
    code, out, _ = run(capsys, "activity", "list", *base, "--unit", "PTP-CM")
    assert "Tổng cộng: 1 hoạt động." in out
    code, _, err = run(capsys, "activity", "list", *base, "--unit", "KHONG-CO")
    assert code == 6 and "Không có đơn vị mã “KHONG-CO”" in err
