"""`thidua consolidate …` in-process on the hand-checked sample data: output, files written, exit codes."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.core.consolidation.sample import Sample, fake_import, populate
from thidua_desktop.cli.main import main
from thidua_desktop.core.consolidation.models import ReviewStatus
from thidua_desktop.core.consolidation.review import set_review
from thidua_desktop.core.workspace import Workspace


@pytest.fixture
def sample(workspace: Workspace) -> Sample:
    return populate(workspace)


@pytest.fixture
def where(workspace: Workspace) -> list[str]:
    """The arguments that make the CLI open the test's data (SQLite folder, or the PostgreSQL database)."""
    args = ["--data-dir", str(workspace.layout.root)]
    if not workspace.is_sqlite:
        args += ["--database-url", workspace.engine.url.render_as_string(hide_password=False)]
    return args


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_table_prints_figures_and_writes_excel(sample: Sample, where: list[str], tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "tổng hợp.xlsx"
    code, out, _err = run(capsys, "consolidate", "table", *where, "--period", "2024", "--indicators", "1.a,2.2.d,2.2.g",
                          "--xlsx", str(target))
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "BẢNG TỔNG HỢP — Năm 2024"
    cm = next(line for line in lines if line.startswith("PTP Chợ Mới"))
    assert cm.split() == ["PTP", "Chợ", "Mới", "4", "2", "9", "75,0%*"]
    total = next(line for line in lines if line.startswith("Toàn tỉnh"))
    assert total.split() == ["Toàn", "tỉnh", "7", "2", "14", "90,0%*"]
    assert "* chưa đạt chỉ tiêu kế hoạch" in out
    assert load_workbook(target).sheetnames == ["Đơn vị × chỉ tiêu", "Chỉ tiêu × đơn vị", "Tình hình gửi báo cáo", "Xếp hạng"]

    code, out, _err = run(capsys, "consolidate", "table", *where, "--period", "2024", "--poor", "--indicators", "1.a,3.d")
    assert code == 0 and next(x for x in out.splitlines() if x.startswith("Toàn tỉnh")).split() == ["Toàn", "tỉnh", "2", "2", "20"]
    code, _out, err = run(capsys, "consolidate", "table", *where, "--period", "năm ngoái")
    assert code == 1 and "Không hiểu kỳ báo cáo" in err
    code, _out, err = run(capsys, "consolidate", "table", *where, "--indicators", "9.9")
    assert code == 6 and "không có chỉ tiêu 9.9" in err


def test_completeness_deadline_and_reminders(workspace: Workspace, sample: Sample, where: list[str], tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    fake_import(workspace, "PTP-CM", 2, datetime(2025, 1, 5), activities=[sample.uuids["a1"]])
    fake_import(workspace, "PTP-LX", 1, datetime(2025, 1, 20))
    code, out, _err = run(capsys, "consolidate", "completeness", *where, "--period", "2024", "--as-of", "01/02/2025")
    assert code == 0
    assert out.splitlines()[0] == "TÌNH HÌNH GỬI BÁO CÁO — Năm 2024, hạn 10/01/2025"
    lx = next(line for line in out.splitlines() if line.startswith("Phòng Tư pháp thành phố Long Xuyên"))
    assert "Gửi muộn 10 ngày" in lx and "gói 1, lập 20/01/2025" in lx
    pdf = tmp_path / "nhac.pdf"
    code, out, _err = run(capsys, "consolidate", "completeness", *where, "--period", "2024", "--as-of", "01/02/2025",
                          "--deadline", "31/01/2025", "--reminders", "--kind", "district_office", "--pdf", str(pdf))
    assert code == 0 and pdf.read_bytes().startswith(b"%PDF")
    lines = out.splitlines()
    assert lines[0] == "Danh sách đơn vị chưa gửi báo cáo năm 2024 (hạn 31/01/2025):"
    assert len([line for line in lines if line[:2].rstrip(".").isdigit()]) == 9  # 11 districts, 2 sent
    assert not any("Long Xuyên" in line for line in lines)
    code, _out, err = run(capsys, "consolidate", "completeness", *where, "--deadline", "32/01/2025")
    assert code == 1 and "--deadline" in err


def test_rank_lock_unlock_pending_and_report(workspace: Workspace, sample: Sample, where: list[str], tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(capsys, "consolidate", "rank", *where, "--period", "2024", "--candidates")
    assert code == 0 and out.splitlines()[0] == "XẾP HẠNG — Năm 2024"
    assert out.splitlines()[2].split()[0] == "1"
    assert "ĐỀ XUẤT KHEN THƯỞNG" in out or "Chưa có đơn vị đạt ngưỡng" in out

    with workspace.transaction() as session:
        set_review(session, sample.activity_id(workspace, "a2"), ReviewStatus.QUERIED, "Thiếu biên bản", actor="chị Hà")
    code, _out, err = run(capsys, "consolidate", "lock", *where, "--unit", "PTP-CM", "--period", "2024")
    assert code == 1 and "đang đề nghị giải trình" in err
    code, out, _err = run(capsys, "consolidate", "lock", *where, "--unit", "PTP-CM", "--period", "2024", "--force",
                          "--note", "Biên bản số 3")
    assert code == 0 and out.strip() == "Đã duyệt (khóa) số liệu Năm 2024 của PTP Chợ Mới."
    code, out, _err = run(capsys, "consolidate", "pending", *where)
    assert code == 0 and out.strip() == "Không có thay đổi nào chờ xử lý."
    code, out, _err = run(capsys, "consolidate", "unlock", *where, "--unit", "PTP-CM", "--period", "2024",
                          "--reason", "Bổ sung số liệu")
    assert code == 0 and out.strip() == "Đã mở khóa Năm 2024 của PTP Chợ Mới."
    code, _out, err = run(capsys, "consolidate", "unlock", *where, "--unit", "PTP-CM", "--period", "2024", "--reason", "x")
    assert code == 6 and "chưa được duyệt" in err

    report = tmp_path / "báo cáo.pdf"
    code, out, _err = run(capsys, "consolidate", "report", *where, "--period", "2024", "--out", str(report),
                          "--number", "7", "--signer", "Cao Thanh Sơn")
    assert code == 0 and report.is_file() and report.with_suffix(".docx").is_file()
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(str(report)).pages)
    assert "Số: 07/BC-STP" in text and "BÁO CÁO" in text and "Tổng hợp kết quả thực hiện phong trào thi đua" in text
