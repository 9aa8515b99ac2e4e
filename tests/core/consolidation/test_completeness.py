"""Tình hình gửi báo cáo: on time, late, overdue, never reported, direct entry, and configurable deadlines."""

from __future__ import annotations

from datetime import date, datetime

from tests.core.consolidation.sample import Sample, fake_import
from thidua_desktop.core.consolidation.completeness import (
    ReportStatus,
    completeness,
    deadline_for,
    reminder_lines,
    set_deadline,
)
from thidua_desktop.core.query import Period
from thidua_desktop.core.workspace import Workspace

Y2024 = Period.year(2024)


def test_statuses_counts_and_reminder_list(workspace: Workspace, sample: Sample) -> None:
    campaign = workspace.campaign()
    fake_import(workspace, "PTP-CM", 1, datetime(2024, 6, 1), activities=[sample.uuids[k] for k in ("a1", "a2", "a5")])
    fake_import(workspace, "PTP-CM", 2, datetime(2025, 1, 5, 16, 0), key_id="AAAABBBBCCCCDDDD", new_count=2, unchanged_count=3)
    fake_import(workspace, "PTP-LX", 1, datetime(2025, 1, 20), activities=[sample.uuids["b1"], sample.uuids["b2"]])
    fake_import(workspace, "PTP-AP", 1, datetime(2024, 3, 1))  # long before the reporting window
    with workspace.sessions() as session:
        assert deadline_for(session, campaign, Y2024) == date(2025, 1, 10)  # default: 10 days after the period
        report = completeness(session, campaign, Y2024, as_of=date(2025, 2, 1))
    by_code = {row.unit.code: row for row in report.rows}
    assert "STP" not in by_code and len(by_code) == 11 + 8  # districts and department offices
    cm = by_code["PTP-CM"]
    assert cm.status is ReportStatus.ON_TIME and cm.report_bundle.seq == 2 and cm.last_bundle.seq == 2
    assert cm.last_bundle.signer_key_id == "AAAABBBBCCCCDDDD" and cm.last_bundle.records == 5
    assert (cm.records, cm.evidence_files) == (4, 0)
    lx = by_code["PTP-LX"]
    assert (lx.status, lx.days_late, lx.status_label) == (ReportStatus.LATE, 10, "Gửi muộn 10 ngày")
    assert lx.records == 2  # the deleted b3 does not count
    assert by_code["PTP-AP"].status is ReportStatus.OVERDUE
    assert by_code["PTP-TT"].status is ReportStatus.NEVER and by_code["PTP-TT"].last_bundle is None
    assert by_code["STP-VP"].status is ReportStatus.DIRECT  # a department office recording in the Sở's copy
    assert by_code["STP-TTR"].status is ReportStatus.NEVER
    assert {r.unit.code for r in report.reminders} == {
        code for code, row in by_code.items() if row.status in (ReportStatus.NEVER, ReportStatus.OVERDUE)
    }
    assert len(report.never_reported) == 8 + 7  # districts other than CM, LX, AP; offices other than VP
    assert report.summary.startswith("2/18 đơn vị đã gửi báo cáo năm 2024 (hạn 10/01/2025); 1 gửi muộn")
    lines = reminder_lines(report)
    assert lines[0] == "Danh sách đơn vị chưa gửi báo cáo năm 2024 (hạn 10/01/2025):"
    assert any(line.endswith("Phòng Tư pháp huyện An Phú — Quá hạn, chưa gửi; gói gần nhất: Gói số 1 lập 01/03/2024, ký bằng khóa 0123456789ABCDEF") for line in lines)

    # A later deadline turns the late unit on time; before a deadline a missing report is not yet overdue.
    with workspace.transaction() as session:
        set_deadline(session, campaign, Y2024, date(2025, 1, 31), actor="văn thư")
    with workspace.sessions() as session:
        later = {r.unit.code: r for r in completeness(session, campaign, Y2024, as_of=date(2025, 1, 25)).rows}
    assert later["PTP-LX"].status is ReportStatus.ON_TIME
    assert later["PTP-AP"].status is ReportStatus.NOT_DUE and later["PTP-AP"].needs_reminder
    with workspace.transaction() as session:
        assert set_deadline(session, campaign, Y2024, None, actor="văn thư") == date(2025, 1, 10)
        quarter = completeness(session, campaign, Period.quarter(2024, 4), as_of=date(2025, 2, 1))
    assert quarter.deadline == date(2025, 1, 10) and {r.unit.code: r.status for r in quarter.rows}["PTP-CM"] is ReportStatus.ON_TIME
