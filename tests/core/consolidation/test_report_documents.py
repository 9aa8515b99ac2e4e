"""The department's printed documents agree with themselves and with the date (issue 13): one number and
symbol, the appendix naming its report, recipients in force on the date, self-scores never shown as assessed."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pypdf import PdfReader

from tests.core.consolidation.sample import Sample
from thidua_desktop.core.consolidation.table import ConsolidationFilter
from thidua_desktop.core.query import Period
from thidua_desktop.core.workspace import Workspace

Y2024 = Period.year(2024)


def _text(path: Path) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(str(path)).pages).split())


def test_the_summary_report_and_its_appendix_are_one_numbered_set(workspace: Workspace, sample: Sample,
                                                                  tmp_path: Path) -> None:
    service = workspace.consolidation()
    paths = service.write_summary_report(ConsolidationFilter(Y2024), tmp_path / "bc.pdf", number="125/BC-STP",
                                         signer_name="Cao Thanh Sơn", day=date(2026, 1, 15))
    text = _text(paths[0])
    assert "Số: 125/BC-STP" in text and "BC-STP/BC-STP" not in text
    assert "(Kèm theo Báo cáo số 125/BC-STP ngày 15/01/2026 của Sở Tư pháp tỉnh An Giang)" in text
    assert "tại Phụ lục kèm theo Báo cáo này" in text
    assert "Phòng Tư pháp các huyện, thị xã, thành phố;" not in text  # no district office in 2026
    assert "An Giang, ngày 15 tháng 01 năm 2026" in text
    assert "chưa thẩm định" in text and "(tự chấm)" in text  # nothing was assessed in the sample
    assert all(p.stat().st_mode & 0o777 == tmp_path.stat().st_mode & 0o666 for p in paths)
    earlier = _text(service.write_summary_report(ConsolidationFilter(Y2024), tmp_path / "bc25.pdf",
                                                 day=date(2025, 2, 1))[0])
    assert "Phòng Tư pháp các huyện, thị xã, thành phố;" in earlier


def test_the_reminder_list_is_an_attachment_not_a_numbered_notice(workspace: Workspace, sample: Sample,
                                                                  tmp_path: Path) -> None:
    service = workspace.consolidation()
    report = service.completeness(Y2024, as_of=date(2025, 2, 1))
    text = _text(service.save_reminder_pdf(report, tmp_path / "nhac.pdf", date(2025, 2, 1)))
    assert "DANH SÁCH" in text and "/TB-STP An Giang" not in text and "Số:" not in text.split("DANH SÁCH")[0]
    assert "(Kèm theo Thông báo số" in text and "TB-STP ngày 01/02/2025 của Sở Tư pháp tỉnh An Giang)" in text
