"""`workspace.consolidation()` and `workspace.review()`: the department's services as the GUI and CLI use them.

Covers the rules these services now own: the scoring-folder rule (a scheme in the data folder's
`scoring/` wins, for the ranking, the Excel export and the summary report alike), the typed
`OpenQueriesError`, and the "unlock, list the freed held changes, apply them" flow with a real bundle.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.core.bundles.conftest import enrol, make_unit
from tests.core.consolidation.sample import Sample
from tests.core.consolidation.test_scoring import SCHEME
from thidua_desktop.core.bundles import keys
from thidua_desktop.core.bundles.importer import import_bundle
from thidua_desktop.core.consolidation.models import ReviewStatus
from thidua_desktop.core.consolidation.review import OpenQueriesError, ReviewReport
from thidua_desktop.core.consolidation.review_service import LockReport
from thidua_desktop.core.consolidation.scoring import criterion_progress
from thidua_desktop.core.consolidation.service import SCORING_FOLDER, scoring_dirs
from thidua_desktop.core.consolidation.table import ConsolidationFilter
from thidua_desktop.core.errors import Cancelled, NotFoundError, UserError, ValidationError
from thidua_desktop.core.query import Period
from thidua_desktop.core.workspace import Role, Workspace

Y2024 = Period.year(2024)
OWN_TITLE = "Thang điểm riêng của Hội đồng Sở"


def _own_scheme(workspace: Workspace) -> Path:
    """A scheme in the data folder's scoring/ (as a reviewer would drop it there), with its own title."""
    folder = workspace.layout.root / SCORING_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{workspace.campaign().code.lower()}.json"
    path.write_text(json.dumps({**SCHEME, "title": OWN_TITLE}, ensure_ascii=False), encoding="utf-8")
    return path


# --- consolidation ---------------------------------------------------------------------------------------


def test_table_and_completeness_come_from_the_service(workspace: Workspace, sample: Sample) -> None:
    service = workspace.consolidation()
    table = service.table(ConsolidationFilter(Y2024))
    assert table.cell("PTP-CM", "2.2.d").value == 9 and table.total.activities == 7
    cube = service.build_cube()
    assert service.table(ConsolidationFilter(Y2024), figures=cube).cell(None, "2.2.d").value == 14

    before = service.completeness(Y2024, as_of=date(2025, 2, 1))
    assert before.deadline == date(2025, 1, 10)
    changed = service.set_deadline(Y2024, date(2025, 1, 31))
    assert (changed.period, changed.deadline) == (Y2024, date(2025, 1, 31))
    assert service.completeness(Y2024, as_of=date(2025, 2, 1)).deadline == date(2025, 1, 31)
    assert service.set_deadline(Y2024, None).deadline == date(2025, 1, 10)  # back to the default


def test_reminder_pdf_lists_units_to_remind(workspace: Workspace, sample: Sample, tmp_path: Path) -> None:
    service = workspace.consolidation()
    report = service.completeness(Y2024, as_of=date(2025, 2, 1))
    target = service.save_reminder_pdf(report, tmp_path / "nhắc.pdf", date(2025, 2, 1))
    from pypdf import PdfReader

    text = PdfReader(str(target)).pages[0].extract_text()
    assert "DANH SÁCH" in text and "Phòng Tư pháp huyện Tri Tôn" in text


def test_the_data_folders_scoring_scheme_wins_everywhere(workspace: Workspace, sample: Sample, tmp_path: Path) -> None:
    service = workspace.consolidation()
    shipped = service.scheme()
    assert shipped.title != OWN_TITLE
    assert scoring_dirs(workspace.layout) == [workspace.layout.root / "scoring"]
    _own_scheme(workspace)
    assert service.scheme().title == OWN_TITLE
    ranking = service.ranking(ConsolidationFilter(Y2024))
    assert ranking.scheme.title == OWN_TITLE
    assert [c.code for c in ranking.scheme.criteria] == ["1", "2.2", "2.1", "2.3"]

    table = service.table(ConsolidationFilter(Y2024))
    book = load_workbook(service.export_excel(tmp_path / "tong-hop", table))  # .xlsx is added
    assert (tmp_path / "tong-hop.xlsx").is_file()
    assert book.sheetnames[-1] == "Xếp hạng"
    assert any(OWN_TITLE in str(cell.value) for row in book["Xếp hạng"].iter_rows() for cell in row if cell.value)

    paths = service.write_summary_report(ConsolidationFilter(Y2024), tmp_path / "bao-cao.pdf", number="5",
                                         day=date(2025, 2, 1))
    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(str(paths[0])).pages)
    assert OWN_TITLE[1:].lower() in " ".join(text.split()).lower()  # "Căn cứ thang điểm riêng…"
    assert [p.suffix for p in paths] == [".pdf", ".docx", ".docx"]


def test_without_any_scheme_the_report_and_export_leave_the_ranking_out(
    workspace: Workspace, sample: Sample, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from thidua_desktop.core.consolidation import service as service_module

    def no_scheme(*_args: object, **_kwargs: object) -> None:
        raise NotFoundError("Phong trào chưa có thang điểm thi đua.")

    monkeypatch.setattr(service_module, "load_scheme", no_scheme)
    service = workspace.consolidation()
    with pytest.raises(NotFoundError):
        service.scheme()
    assert service.ranking_or_none(ConsolidationFilter(Y2024)) is None
    book = load_workbook(service.export_excel(tmp_path / "x.xlsx", service.table(ConsolidationFilter(Y2024))))
    assert "Xếp hạng" not in book.sheetnames and "Tình hình gửi báo cáo" in book.sheetnames
    paths = service.write_summary_report(ConsolidationFilter(Y2024), tmp_path / "bc.pdf")
    from pypdf import PdfReader

    text = " ".join("".join(p.extract_text() for p in PdfReader(str(paths[0])).pages).split())
    assert "Chưa có thang điểm thi đua" in text


def test_drill_down_and_evidence_through_the_service(workspace: Workspace, sample: Sample, tmp_path: Path) -> None:
    from PIL import Image

    photo = tmp_path / "ảnh.png"
    Image.new("RGB", (8, 8), (1, 2, 3)).save(photo)
    workspace.evidence().attach(sample.uuids["a2"], [photo])
    service = workspace.consolidation()
    campaign = workspace.campaign()
    result = service.drill_down(ConsolidationFilter(Y2024), campaign.indicators_by_code["2.2.g"].id, None)
    [row] = [r for r in result.rows if r.uuid == sample.uuids["a2"]]
    [file] = service.evidence_files(row.activity_id)
    copy = service.viewer_copy(file)
    assert copy.name == "ảnh.png" and copy.read_bytes() == photo.read_bytes()
    assert copy.is_relative_to(workspace.layout.root)


def test_criterion_progress_averages_reviewed_points(workspace: Workspace, sample: Sample) -> None:
    _own_scheme(workspace)
    ranking = workspace.consolidation().ranking(ConsolidationFilter(Y2024))
    cm = ranking.row_for("PTP-CM")
    own = criterion_progress(ranking, cm.unit.id)
    assert [p.points for p in own] == [c.reviewed_points for c in cm.criteria]
    assert own[0].percent == pytest.approx(own[0].points * 100 / 10)
    everyone = criterion_progress(ranking)
    assert everyone[0].points == pytest.approx(sum(r.criteria[0].reviewed_points for r in ranking.rows) / len(ranking.rows))
    assert all(p.below_awards == (p.percent < 30) for p in everyone)  # the lowest award needs 30 %


# --- review ----------------------------------------------------------------------------------------------


def test_accept_query_clear_and_scores(workspace: Workspace, sample: Sample) -> None:
    review = workspace.review()
    activity = sample.activity_id(workspace, "a2")
    with pytest.raises(ValidationError):
        review.query(activity, "  ")
    report = review.query(activity, "Thiếu biên bản")
    assert isinstance(report, ReviewReport) and report.activities == (activity,)
    [item] = review.queried_items(period=Y2024)
    assert (item.activity_id, item.comment) == (activity, "Thiếu biên bản")
    cm = review.unit_id("PTP-CM")
    assert review.summary(Y2024)[cm].queried == 1
    review.accept(activity)
    assert review.queried_items(period=Y2024) == [] and review.summary(Y2024)[cm].accepted == 1
    review.clear(activity)
    assert review.summary(Y2024)[cm].unreviewed == 4
    with pytest.raises(NotFoundError):
        review.unit_id("KHÔNG-CÓ")

    _own_scheme(workspace)  # set_score without a scheme uses the data folder's (2.2 allows up to 12)
    assert review.set_score(cm, Y2024, "2.2", 12, note="Mô hình tiêu biểu").units == (cm,)
    ranking = workspace.consolidation().ranking(ConsolidationFilter(Y2024))
    assert ranking.row_for("PTP-CM").criteria[1].reviewed_points == 12


def test_approving_with_open_queries_raises_a_typed_error(workspace: Workspace, sample: Sample) -> None:
    review = workspace.review()
    review.query(sample.activity_id(workspace, "a2"), "Thiếu biên bản")
    review.query(sample.activity_id(workspace, "a3"), "Thiếu danh sách")
    cm = review.unit_id("PTP-CM")
    with pytest.raises(OpenQueriesError) as refused:
        review.lock_period(cm, Y2024)
    assert refused.value.count == 2 and isinstance(refused.value, UserError)
    assert review.locks() == []
    report = review.lock_period(cm, Y2024, note="Biên bản số 3", allow_open_queries=True)
    assert isinstance(report, LockReport) and isinstance(report, ReviewReport)
    assert report.units == (cm,) and report.lock is not None and report.lock.note == "Biên bản số 3"
    assert review.lock_covering(cm, Y2024) == report.lock
    assert review.lock_covering(cm, Period.year(2023)) is None
    with pytest.raises(UserError) as again:
        review.lock_period(cm, Y2024)
    assert not isinstance(again.value, OpenQueriesError)  # already approved: a different refusal


@pytest.fixture(autouse=True)
def cheap_key_derivation(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(keys.KDF_LIMITS, "opslimit", 2**15)
    monkeypatch.setitem(keys.KDF_LIMITS, "memlimit", 2**24)


@pytest.fixture
def held(workspace: Workspace, tmp_path: Path) -> Iterator[tuple[Workspace, int, str]]:
    """A department whose approved 2024 holds back a bundle editing a 2024 activity: (department, unit id, uuid)."""
    office = make_unit(tmp_path / "ptp-cm")
    try:
        workspace.configure(Role.DEPARTMENT, None)
        approved = office.add("Phổ biến pháp luật tại xã Kiến An", day=date(2024, 3, 5))
        enrol(workspace, office)
        import_bundle(workspace, office.export().path)
        review = workspace.review()
        unit_id = review.unit_id("PTP-CM")
        review.lock_period(unit_id, Y2024)
        office.edit(approved, title="Sửa sau khi Sở đã duyệt")
        assert import_bundle(workspace, office.export().path).held == 1
        yield workspace, unit_id, approved
    finally:
        office.workspace.close()


def _title(workspace: Workspace, uuid: str) -> str:
    return workspace.activities().get(uuid).draft.title


def test_unlock_lists_the_freed_changes_and_applies_them_in_one_call(held: tuple[Workspace, int, str]) -> None:
    department, unit_id, approved = held
    review = department.review()
    [waiting] = review.pending()
    assert waiting.locked
    assert review.apply_unlocked().changes.empty  # applying never bypasses the lock
    with pytest.raises(NotFoundError):
        review.unlock_period(unit_id, Period.year(2023), "Không có kỳ này")

    progress: list[tuple[int, int]] = []
    report = review.unlock_period(unit_id, Y2024, "Đơn vị bổ sung số liệu", apply_freed=True,
                                  progress=lambda done, total: progress.append((done, total)))
    assert report.lock is not None and report.lock.label == "Năm 2024" and report.pending_changed
    assert [p.id for p in report.freed] == [waiting.id]
    assert report.applied is not None and report.applied.updated == (approved,)
    assert progress[-1] == (1, 1)
    assert _title(department, approved) == "Sửa sau khi Sở đã duyệt"
    assert review.pending() == [] and review.locks() == []
    with pytest.raises(NotFoundError, match="chưa được duyệt"):
        review.unlock_period(unit_id, Y2024, "Lần nữa")


def test_unlock_then_apply_later_and_cancel_leaves_the_change_pending(held: tuple[Workspace, int, str]) -> None:
    department, unit_id, approved = held
    review = department.review()
    with pytest.raises(ValidationError):
        review.unlock_period(unit_id, Y2024, "   ")  # a reason is required
    report = review.unlock_period(unit_id, Y2024, "Đơn vị bổ sung số liệu")
    assert report.applied is None and len(report.freed) == 1 and not report.freed[0].locked
    assert _title(department, approved) == "Phổ biến pháp luật tại xã Kiến An"  # not applied yet

    with pytest.raises(Cancelled):
        review.apply_unlocked(cancel=lambda: True)
    assert len(review.pending()) == 1 and _title(department, approved) == "Phổ biến pháp luật tại xã Kiến An"

    applied = review.apply_unlocked(unit_id=unit_id)
    assert applied.requested == 1 and applied.changes.updated == (approved,)
    assert review.pending() == []
    assert [p.resolution for p in review.pending(include_resolved=True)] == ["applied"]


def test_discarding_keeps_the_departments_data(held: tuple[Workspace, int, str]) -> None:
    department, _unit_id, approved = held
    review = department.review()
    [waiting] = review.pending()
    report = review.discard([waiting.id])
    assert report.requested == 1 and report.changes.empty
    assert review.pending() == [] and _title(department, approved) == "Phổ biến pháp luật tại xã Kiến An"
    assert review.discard([]).requested == 0


def test_review_statuses_are_the_models(workspace: Workspace, sample: Sample) -> None:
    review = workspace.review()
    review.accept(sample.activity_id(workspace, "c1"))
    result = workspace.consolidation().drill_down(ConsolidationFilter(Y2024), None, [review.unit_id("STP-VP")])
    assert [r.review.status for r in result.rows if r.review] == [ReviewStatus.ACCEPTED]
