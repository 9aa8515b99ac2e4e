"""`thidua report …`: the whole dossier written from the command line, the nomination list, certificates."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import docx
import pytest

from tests.core.awards.conftest import department_round, person
from tests.core.awards.pdfcheck import full_text, page_sizes_mm
from thidua_desktop.cli.main import main
from thidua_desktop.core.awards.service import Candidate
from thidua_desktop.core.demo import populate
from thidua_desktop.core.units import get_unit, save_unit
from thidua_desktop.core.workspace import Role, Workspace


@pytest.fixture
def data_dir(tmp_path: Path) -> tuple[Path, int, int]:
    """A data folder with one voted collective and one draft individual nomination."""
    root = tmp_path / "data"
    with Workspace.open(root, actor="kiểm thử") as workspace:
        workspace.configure(Role.DEPARTMENT, None)
        populate(workspace)
        service = workspace.awards()
        round_info = department_round(service, workspace)
        collective = service.create_from_candidates(round_info.id, [Candidate("PTP-TT", "BK-BTP", 91.0)]).created[0]
        service.record_votes(collective, 9, 0, 9)
        individual, _ = service.create(round_info.id, person())
    return root, collective, individual


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_nominations_list(data_dir: tuple[Path, int, int], capsys: pytest.CaptureFixture[str]) -> None:
    root, collective, individual = data_dir
    code, out, _ = run(capsys, "report", "nominations", "list", "--data-dir", str(root))
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Đợt 1: Tổng kết phong trào thi đua giai đoạn 2023 – 2025 — 2 đề nghị"
    assert lines[1].split()[:2] == [str(collective), "Tập"] and "Phòng Tư pháp huyện Tri Tôn" in lines[1]
    assert "Hội đồng đã bình xét (9/9 phiếu)" in lines[1]
    assert "Nguyễn Thị Thu Hà" in lines[2] and lines[2].rstrip().endswith("Dự thảo")


def test_dossier_writes_every_document(data_dir: tuple[Path, int, int], tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    root, collective, _ = data_dir
    out_dir = tmp_path / "ho so"
    code, _, err = run(capsys, "report", "dossier", "--nomination", str(collective), "--out", str(out_dir),
                       "--data-dir", str(root))
    assert code == 2 and "Phòng Tư pháp huyện Tri Tôn đã kết thúc hoạt động từ ngày 01/07/2025" in err
    assert not out_dir.exists()
    with Workspace.open(root, actor="kiểm thử") as workspace, workspace.write_sessions.begin() as session:
        for code in ("PTP-TT", "PTP-CM"):  # the collective's office and the individual's
            save_unit(session, replace(get_unit(session, code), merged_into_code="STP"), actor="kiểm thử")
    code, out, _ = run(capsys, "report", "dossier", "--nomination", str(collective), "--out", str(out_dir),
                       "--data-dir", str(root))
    assert code == 0
    assert "Đã ghi 11 tệp" in out and "Nghị định số 152/2025/NĐ-CP" in out
    names = sorted(p.name for p in out_dir.iterdir())
    assert names == [  # every listed nominee's report: the Tờ trình says they are attached
        "01-to-trinh-bang-khen-bo-truong-bo-tu-phap.docx", "01-to-trinh-bang-khen-bo-truong-bo-tu-phap.pdf",
        "02-danh-sach-bang-khen-bo-truong-bo-tu-phap.docx", "02-danh-sach-bang-khen-bo-truong-bo-tu-phap.pdf",
        "03-bao-cao-thanh-tich-nguyen-thi-thu-ha.docx", "03-bao-cao-thanh-tich-nguyen-thi-thu-ha.pdf",
        "03-bao-cao-thanh-tich-phong-tu-phap-huyen-tri-ton.docx", "03-bao-cao-thanh-tich-phong-tu-phap-huyen-tri-ton.pdf",
        "04-bien-ban-hop-hoi-dong.docx", "04-bien-ban-hop-hoi-dong.pdf",
        "05-phoi-bk-btp-phong-tu-phap-huyen-tri-ton.pdf",
    ]
    report = full_text((out_dir / "03-bao-cao-thanh-tich-phong-tu-phap-huyen-tri-ton.pdf").read_bytes())
    assert "UBND HUYỆN TRI TÔN" not in report and "Tên tập thể đề nghị khen thưởng: Phòng Tư pháp huyện Tri Tôn" in report
    assert "Sở Tư pháp tỉnh An Giang lập báo cáo thay Phòng Tư pháp huyện Tri Tôn" in report
    word = docx.Document(io.BytesIO((out_dir / "01-to-trinh-bang-khen-bo-truong-bo-tu-phap.docx").read_bytes()))
    assert [p.text for p in word.paragraphs if p.style.name.startswith("Heading")] == ["TỜ TRÌNH", "I. Tập thể", "II. Cá nhân"]


def test_unknown_nomination_is_a_clear_error(data_dir: tuple[Path, int, int], tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "report", "dossier", "--nomination", "999", "--out", str(tmp_path / "x"),
                       "--data-dir", str(data_dir[0]))
    assert code == 6 and "Không có đề nghị khen thưởng số 999." in err
    assert not (tmp_path / "x").exists()


def test_calibration_saves_the_offset_and_certificates_use_it(data_dir: tuple[Path, int, int], tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    root, collective, individual = data_dir
    code, out, _ = run(capsys, "report", "calibration", "--form", "bang-khen-a3", "--set-offset", "1.5", "-2",
                       "--out", str(tmp_path / "thu.pdf"), "--data-dir", str(root))
    assert code == 0 and "độ lệch X = 1,5 mm, Y = -2,0 mm" in out
    assert "X = 1,5 mm, Y = -2,0 mm" in full_text((tmp_path / "thu.pdf").read_bytes())
    code, out, _ = run(capsys, "report", "certificates", "--nomination", str(collective), "--nomination",
                       str(individual), "--out", str(tmp_path / "phoi.pdf"), "--data-dir", str(root))
    assert code == 0 and "Lưu ý: 1 đề nghị còn ở trạng thái dự thảo." in out
    assert page_sizes_mm((tmp_path / "phoi.pdf").read_bytes()) == [(420.0, 297.0)] * 2
    text = full_text((tmp_path / "phoi.pdf").read_bytes())
    assert "Phòng Tư pháp huyện Tri Tôn" in text and "Bà Nguyễn Thị Thu Hà" in text


def test_nominations_create_for_named_units_and_skip_duplicates(data_dir: tuple[Path, int, int],
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    root = str(data_dir[0])
    code, out, _ = run(capsys, "report", "nominations", "create", "--data-dir", root, "--unit", "PTP-CM",
                       "--award", "GK-STP")
    assert code == 0 and "Phòng Tư pháp huyện Chợ Mới — Giấy khen của Giám đốc Sở Tư pháp" in out
    code, out, _ = run(capsys, "report", "nominations", "create", "--data-dir", root, "--unit", "PTP-CM",
                       "--award", "GK-STP")
    assert code == 0 and "đã có đề nghị hình thức này" in out and "Không lập thêm đề nghị nào." in out
    code, _, err = run(capsys, "report", "nominations", "create", "--data-dir", root, "--unit", "PTP-CM")
    assert code == 1 and "--award" in err
    code, out, _ = run(capsys, "report", "nominations", "list", "--data-dir", root)
    assert out.count("Phòng Tư pháp huyện Chợ Mới") == 1


def test_the_round_and_an_individual_nomination_are_set_from_the_cli(
        data_dir: tuple[Path, int, int], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root, _, _ = data_dir
    code, out, _ = run(capsys, "report", "round", "--document-date", "20/06/2025", "--number", "to_trinh/GK-STP=21",
                       "--number", "bien_ban=4", "--office-signer", "VP=Phạm Thị Lan", "--data-dir", str(root))
    assert code == 0 and "Ngày văn bản: 20/06/2025" in out
    assert "Số: 21/TTr-VP" in out and "Số: 04/BB-HĐTĐKT" in out and "Người ký (VP): Phạm Thị Lan" in out
    code, _, err = run(capsys, "report", "round", "--number", "to_trinh/BK-UBND=5", "--data-dir", str(root))
    assert code == 5 and "cùng số 05/TTr-STP" in err  # the Bằng khen Bộ trưởng's Tờ trình is 05 already
    code, out, _ = run(capsys, "report", "nominations", "create", "--person", "Trần Văn Bảy", "--unit", "PTP-CM",
                       "--award", "GK-STP", "--position", "Chuyên viên", "--sex", "nam", "--birth-date", "02/09/1985",
                       "--data-dir", str(root))
    assert code == 0 and "Trần Văn Bảy — Giấy khen của Giám đốc Sở Tư pháp" in out
    code, out, _ = run(capsys, "report", "dossier", "--round", "1", "--out", str(tmp_path / "dot"), "--data-dir", str(root))
    assert code == 0, out
    names = sorted(p.name for p in (tmp_path / "dot").iterdir())
    assert "01-to-trinh-giay-khen-cua-giam-doc-so-tu-phap.pdf" in names and "04-bien-ban-hop-hoi-dong.docx" in names
    text = full_text((tmp_path / "dot" / "01-to-trinh-giay-khen-cua-giam-doc-so-tu-phap.pdf").read_bytes())
    assert "Số: 21/TTr-VP" in text and "Phạm Thị Lan" in text and "Ông Trần Văn Bảy, Chuyên viên" in text
    assert "Chợ Mới, ngày" not in text and "An Giang, ngày 20 tháng 6 năm 2025" in text


def test_the_summary_report_takes_its_date_from_the_cli(data_dir: tuple[Path, int, int], tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    root, _, _ = data_dir
    code, out, err = run(capsys, "report", "summary", "--period", "2024", "--date", "15/01/2026", "--number", "7",
                         "--out", str(tmp_path / "bc.pdf"), "--data-dir", str(root))
    assert code == 0, err
    text = full_text((tmp_path / "bc.pdf").read_bytes())
    assert "Số: 07/BC-STP" in text and "An Giang, ngày 15 tháng 01 năm 2026" in text
    assert "Kèm theo Báo cáo số 07/BC-STP ngày 15/01/2026" in text
