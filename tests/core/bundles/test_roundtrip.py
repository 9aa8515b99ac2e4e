"""Unit → department: evidence, edits and deletions, repeated imports, delta bundles, provenance."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from thidua_desktop.core.bundles.archive import ArchivedBundle
from thidua_desktop.core.bundles.errors import MissingEvidenceError, RoleError
from thidua_desktop.core.bundles.exporter import export_history, export_status
from thidua_desktop.core.bundles.guards import ChangeKind
from thidua_desktop.core.bundles.importer import (
    ImportStatus,
    apply_import,
    import_bundle,
    import_many,
    prepare_import,
)
from thidua_desktop.core.bundles.models import BundleImport
from thidua_desktop.core.errors import Cancelled
from thidua_desktop.core.models import Activity, AuditEntry
from thidua_desktop.core.query import ActivityFilter, activity_ids, fetch_rows
from thidua_desktop.core.workspace import Workspace

from .conftest import Unit, enrol, pdf_bytes, state


def _activity(ws: Workspace, uuid: str) -> Activity:
    with ws.sessions() as session:
        row = session.scalar(select(Activity).where(Activity.uuid == uuid))
        assert row is not None
        session.expunge(row)
        return row


def test_round_trip_with_evidence_edits_and_deletions(unit: Unit, department: Workspace) -> None:
    first = unit.add("Phổ biến pháp luật cho người nghèo tại xã Kiến An", attach=[pdf_bytes(1), pdf_bytes(2)])
    second = unit.add("Hòa giải ở cơ sở tại ấp Long Bình", criterion="2.2", values={"2.2.e": 4, "2.2.f": 3})
    third = unit.add("Trợ giúp pháp lý lưu động", criterion="2.4", values={"2.4.e": 1, "2.4.f": 30},
                     attach=[pdf_bytes(3)])
    enrol(department, unit)

    bundle1 = unit.export()
    assert (bundle1.seq, bundle1.mode, bundle1.record_count, bundle1.evidence_included) == (1, "full", 3, 3)
    report = import_bundle(department, bundle1.path)
    assert report.status is ImportStatus.NEW
    assert report.counts == {ChangeKind.NEW: 3, ChangeKind.CHANGED: 0, ChangeKind.UNCHANGED: 0, ChangeKind.DELETED: 0}
    assert report.evidence_added == 3
    assert set(report.created) == {first, second, third}

    row = _activity(department, first)
    source = _activity(unit.workspace, first)
    assert (row.title, row.revision, row.evidence_count, row.created_at, row.updated_at) == (
        source.title, source.revision, 2, source.created_at, source.updated_at)
    assert row.search_text == source.search_text and row.title_sort_key == source.title_sort_key
    assert row.figures_summary == source.figures_summary == "2 buổi · 45 lượt người"
    assert row.lead_value == source.lead_value
    assert row.sent_revision == row.revision
    store = department.evidence_store()
    detail = department.activities().get(first)
    sent = unit.workspace.activities().get(first).draft.attachments
    assert detail.draft.attachments == sent and len(sent) == 2
    assert all(store.check(a.sha256).value == "ok" for a in detail.draft.attachments)

    # the unit's list now shows "Đã gửi"
    with unit.workspace.sessions() as session:
        flt = ActivityFilter(campaign_id=unit.workspace.campaign().id)
        rows = fetch_rows(session, activity_ids(session, flt))
    assert {r.status for r in rows.values()} == {"Đã gửi"}

    # second bundle: one edit, one deletion, one new activity with a new photo
    unit.edit(first, title="Phổ biến pháp luật cho người nghèo tại xã Kiến An (bổ sung)")
    unit.workspace.activities().delete([second])
    fourth = unit.add("Tập huấn hòa giải viên", values={"2.2.h": 1}, attach=[pdf_bytes(4)])
    bundle2 = unit.export()
    assert (bundle2.seq, bundle2.mode, bundle2.evidence_included) == (2, "delta", 1)
    prepared = prepare_import(department, bundle2.path)
    kinds = {c.uuid: c.kind for c in prepared.preview.changes}
    assert kinds == {first: ChangeKind.CHANGED, second: ChangeKind.DELETED, third: ChangeKind.UNCHANGED,
                     fourth: ChangeKind.NEW}
    assert [e.size for e in prepared.preview.evidence_to_add] == [len(pdf_bytes(4))]
    report = apply_import(department, prepared)
    assert report.counts[ChangeKind.CHANGED] == 1 and report.counts[ChangeKind.DELETED] == 1

    assert _activity(department, first).title.endswith("(bổ sung)")
    assert _activity(department, second).deleted_at is not None
    with department.sessions() as session:
        imports = session.scalars(select(BundleImport).order_by(BundleImport.seq)).all()
        assert [i.seq for i in imports] == [1, 2]
        assert _activity(department, first).source_bundle_id == imports[1].id
        assert _activity(department, third).source_bundle_id == imports[0].id  # unchanged keeps its source
        actions = set(session.scalars(select(AuditEntry.action).where(AuditEntry.entity == "activity")))
    assert {"import-create", "import-update", "import-delete"} <= actions
    archived = ArchivedBundle.open(department.layout, imports[1].archive_path)
    assert archived.manifest.raw == prepared.bundle.manifest.raw  # the signed manifest, as received
    rebuilt = archived.rebuild(department.evidence_store(), department.layout.root / "rebuilt.thidua")
    assert rebuilt.read_bytes() == bundle2.path.read_bytes()  # the original file, byte for byte
    assert archived.problems(department.evidence_store(), unit.key.public_key) == []


def test_same_bundle_twice_is_a_no_op(unit: Unit, department: Workspace) -> None:
    unit.add("Tuyên truyền giảm nghèo", attach=[pdf_bytes(7)])
    enrol(department, unit)
    bundle = unit.export()
    import_bundle(department, bundle.path)
    before = state(department)
    again = import_bundle(department, bundle.path)
    assert again.status is ImportStatus.ALREADY
    assert "đã nhận" in again.message
    assert state(department) == before


def test_delta_with_missing_evidence_is_refused_with_the_list_and_full_works(unit: Unit, department: Workspace) -> None:
    unit.add("Hội nghị quán triệt", attach=[pdf_bytes(10), pdf_bytes(11)])
    enrol(department, unit)
    lost = unit.export()  # never reaches the department
    unit.add("Phát tờ rơi", attach=[pdf_bytes(12)])
    delta = unit.export()
    assert delta.mode == "delta" and delta.evidence_included == 1
    before = state(department)
    with pytest.raises(MissingEvidenceError) as refused:
        import_bundle(department, delta.path)
    assert len(refused.value.missing) == 2
    assert "Gói đầy đủ" in refused.value.hint
    assert state(department) == before
    full = unit.export(mode="full")
    assert full.evidence_included == 3 and full.seq == 3
    report = import_bundle(department, full.path)
    assert report.evidence_added == 3 and report.counts[ChangeKind.NEW] == 2
    assert report.warnings and "số 1 đến 2" in report.warnings[0]  # a gap is a warning, not a refusal
    assert lost.seq == 1


def test_delta_re_export_after_one_new_activity_ships_only_the_new_file(unit: Unit) -> None:
    for index in range(5):
        unit.add(f"Hoạt động {index}", attach=[pdf_bytes(100 + index, 200_000)])
    first = unit.export()
    unit.add("Hoạt động mới", attach=[pdf_bytes(999)])
    status = export_status(unit.workspace)
    assert (status.unsent, status.evidence_unshipped, status.next_seq) == (1, 1, 2)
    second = unit.export()
    assert second.evidence_included == 1
    assert second.file_size < first.file_size / 20
    history = export_history(unit.workspace)
    assert [(h.seq, h.mode, h.evidence_included) for h in history] == [(2, "delta", 1), (1, "full", 5)]
    assert history[0].manifest_sha256 == second.manifest_sha256 and history[0].file_size == second.file_size


def test_cancelled_export_leaves_no_file_and_no_history(unit: Unit) -> None:
    unit.add("Có minh chứng", attach=[pdf_bytes(1, 3_000_000)])
    outbox = unit.files.parent / "outbox"
    calls = {"n": 0}

    def cancel() -> bool:
        calls["n"] += 1
        return calls["n"] > 1

    with pytest.raises(Cancelled):
        unit.export(outbox, cancel=cancel)
    assert list(outbox.iterdir()) == []
    assert export_history(unit.workspace) == []
    assert unit.export(outbox).seq == 1  # the number was not used up


def test_cancelled_import_leaves_everything_unchanged(unit: Unit, department: Workspace) -> None:
    unit.add("Có minh chứng", attach=[pdf_bytes(1, 3_000_000)])
    enrol(department, unit)
    bundle = unit.export()
    before = state(department)
    calls = {"n": 0}

    def cancel() -> bool:
        calls["n"] += 1
        return calls["n"] > 2

    with pytest.raises(Cancelled):
        import_bundle(department, bundle.path, cancel=cancel)
    assert state(department) == before
    prepared = prepare_import(department, bundle.path)
    with pytest.raises(Cancelled):
        apply_import(department, prepared, cancel=lambda: True)
    assert state(department) == before


def test_dry_run_and_discarded_preview_change_nothing(unit: Unit, department: Workspace) -> None:
    unit.add("Xem trước", attach=[pdf_bytes(5)])
    enrol(department, unit)
    bundle = unit.export()
    before = state(department)
    dry = prepare_import(department, bundle.path, dry_run=True)
    assert dry.staging is None and dry.preview.counts[ChangeKind.NEW] == 1
    dry.discard()
    prepared = prepare_import(department, bundle.path)
    assert prepared.staging is not None and prepared.staging.folder.exists()
    prepared.discard()
    assert state(department) == before


def test_roles_are_enforced(unit: Unit, department: Workspace, tmp_path: Path) -> None:
    unit.add("Một hoạt động")
    bundle = unit.export()
    with pytest.raises(RoleError):
        import_bundle(unit.workspace, bundle.path)
    with pytest.raises(RoleError):
        from thidua_desktop.core.bundles.exporter import export_bundle

        export_bundle(department, tmp_path, passphrase="x")


def test_folder_import_applies_in_sequence_order_and_reports_each_file(unit: Unit, department: Workspace,
                                                                       tmp_path: Path) -> None:
    folder = tmp_path / "nhan"
    folder.mkdir()
    unit.add("Gói 1", attach=[pdf_bytes(21)])
    first = unit.export(folder)
    unit.add("Gói 2", attach=[pdf_bytes(22)])
    second = unit.export(folder)
    (folder / "khong-phai-goi.thidua").write_bytes(b"hello")
    enrol(department, unit)
    import_bundle(department, first.path)
    outcomes = import_many(department, [folder])
    assert [(o.path.name, o.status_label) for o in outcomes] == [
        (first.path.name, "Đã nhận trước đây"), (second.path.name, "Đã nhận"), ("khong-phai-goi.thidua", "Từ chối"),
    ]
    assert "không phải gói dữ liệu" in outcomes[2].detail
