"""Two reviewers, two data folders, one PostgreSQL database: evidence, races and the audit order."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from tests.core.bundles.conftest import enrol, make_unit, pdf_bytes
from tests.core.shared.conftest import Reviewer, run_together
from thidua_desktop.core.bundles.models import BundleImport
from thidua_desktop.core.consolidation.models import ActivityReview, PeriodLock
from thidua_desktop.core.evidence import FileState
from thidua_desktop.core.models import (
    Activity,
    ActivityEvidence,
    AuditEntry,
    Evidence,
    EvidenceBlob,
    EvidenceChunk,
)
from thidua_desktop.core.shared_store import SharedEvidenceStore
from thidua_desktop.core.workspace import Workspace

BIG = 3 * 1024 * 1024 + 17  # several 1 MiB chunks


def counts(ws: Workspace) -> dict[str, int]:
    with ws.sessions() as session:
        return {
            name: session.scalar(select(func.count()).select_from(model)) or 0
            for name, model in [("imports", BundleImport), ("activities", Activity), ("evidence", Evidence),
                                ("links", ActivityEvidence), ("blobs", EvidenceBlob), ("chunks", EvidenceChunk)]
        }


def assert_store_whole(ws: Workspace) -> None:
    """Every evidence row has its complete file in the shared store, and nothing is stored twice."""
    with ws.sessions() as session:
        shas = set(session.scalars(select(Evidence.sha256)))
        blobs = session.execute(select(EvidenceBlob.sha256, EvidenceBlob.size, EvidenceBlob.chunk_count)).all()
        chunk_rows = dict(session.execute(select(EvidenceChunk.sha256, func.count()).group_by(EvidenceChunk.sha256)).all())
    assert {b.sha256 for b in blobs} == shas
    for blob in blobs:
        assert chunk_rows[blob.sha256] == blob.chunk_count == max(1, -(-blob.size // (1024 * 1024)))
    store = ws.evidence_store()
    assert isinstance(store, SharedEvidenceStore)
    assert all(store.check(sha) is FileState.OK for sha in shas)


def test_second_reviewer_sees_every_photo_and_imports_the_next_delta(tmp_path: Path,
                                                                      reviewers: tuple[Reviewer, Reviewer]) -> None:
    first, second = reviewers
    unit = make_unit(tmp_path / "unit")
    photo = pdf_bytes(1, BIG)
    uuid = unit.add("Hòa giải ở xã Kiến An", attach=[photo, pdf_bytes(2)])
    bundle1 = unit.export().path
    unit.edit(uuid, title="Hòa giải thành ở xã Kiến An")
    bundle2 = unit.export().path  # a delta: refers to the photo without carrying it
    with first.open() as a:
        enrol(a, unit)
        assert a.bundles().import_file(bundle1).evidence_added == 2
    with second.open() as b:
        assert b.actor == "Chuyên viên B" and b.is_configured  # joined: no second setup
        store = b.evidence_store()
        assert not (b.layout.evidence_dir / hashlib.sha256(photo).hexdigest()[:2]).exists()
        assert store.path_for(hashlib.sha256(photo).hexdigest()).read_bytes() == photo  # fetched from the database
        report = b.bundles().import_file(bundle2)
        assert report.counts and report.import_id is not None
        with b.sessions() as session:
            assert session.scalar(select(BundleImport.imported_by).where(BundleImport.seq == 2)) == "Chuyên viên B"
        assert_store_whole(b)
    unit.workspace.close()


def test_two_units_sharing_evidence_import_at_once(tmp_path: Path, reviewers: tuple[Reviewer, Reviewer]) -> None:
    first, second = reviewers
    shared = [pdf_bytes(seed, BIG if seed == 10 else 50_000) for seed in range(10, 16)]  # the same files at both
    units = [make_unit(tmp_path / code, code) for code in ("PTP-CM", "PTP-TT")]
    paths = []
    for unit in units:
        unit.add("Tuyên truyền pháp luật", attach=shared[:3])
        unit.add("Trợ giúp pháp lý", attach=shared[3:] + [pdf_bytes(hash(unit.key.key_id) % 1000)])
        paths.append(unit.export().path)
    with first.open() as a:
        for unit in units:
            enrol(a, unit)
    results = run_together(tmp_path, [(first, ["import", str(paths[0])]), (second, ["import", str(paths[1])])])
    assert [r["status"] for r in results] == ["new", "new"], results
    with first.open() as a:
        c = counts(a)
        assert (c["imports"], c["activities"], c["evidence"], c["links"], c["blobs"]) == (2, 4, 8, 14, 8)
        assert_store_whole(a)
    for unit in units:
        unit.workspace.close()


def test_the_same_bundle_twice_at_once_lands_once(tmp_path: Path, reviewers: tuple[Reviewer, Reviewer]) -> None:
    first, second = reviewers
    unit = make_unit(tmp_path / "unit")
    for n in range(3):
        unit.add(f"Hoạt động {n}", attach=[pdf_bytes(100 + n, 200_000)])
    path = unit.export().path
    with first.open() as a:
        enrol(a, unit)
    results = run_together(tmp_path, [(first, ["import", str(path)]), (second, ["import", str(path)])])
    assert sorted(r["status"] for r in results) == ["already", "new"], results
    with first.open() as a:
        c = counts(a)
        assert (c["imports"], c["activities"], c["evidence"], c["links"], c["blobs"]) == (1, 3, 3, 3, 3)
        assert_store_whole(a)
    unit.workspace.close()


def test_import_racing_a_lock_ends_consistent_and_in_true_order(tmp_path: Path,
                                                                reviewers: tuple[Reviewer, Reviewer]) -> None:
    first, second = reviewers
    unit = make_unit(tmp_path / "unit")
    for n in range(20):
        unit.add(f"Hoạt động {n}", day=date(2024, 3, 1 + n), attach=[pdf_bytes(200 + n, 100_000)])
    path = unit.export().path
    with first.open() as a:
        enrol(a, unit)
    results = run_together(tmp_path, [(first, ["import", str(path)]), (second, ["lock", "PTP-CM", "2024"])])
    assert [r["status"] for r in results] == ["new", "locked"], results
    with first.open() as a, a.sessions() as session:
        row = session.scalars(select(BundleImport)).one()
        lock = session.scalars(select(PeriodLock)).one()
        received = session.scalar(select(func.count()).select_from(Activity)) or 0
        # Whichever committed first is stamped first, and the data agree with that order.
        if row.imported_at < lock.locked_at:
            assert (received, row.held_count) == (20, 0)
        else:
            assert (received, row.held_count) == (0, 20)
    # Unlocking while another import of the same unit is in flight: both land, nothing is lost.
    unit.add("Hoạt động bổ sung", day=date(2024, 12, 1))
    path2 = unit.export().path
    results = run_together(tmp_path, [(first, ["import", str(path2)]), (second, ["unlock", "PTP-CM", "2024"])])
    assert [r["status"] for r in results] == ["new", "unlocked"], results
    with first.open() as a, a.sessions() as session:
        assert session.scalar(select(func.count()).select_from(PeriodLock)) == 0
        assert session.scalar(select(func.count()).select_from(BundleImport)) == 2
        live = session.scalar(select(func.count()).select_from(Activity))
        held = a.review().pending()
        assert live + len(held) >= 21 and live == 21 - len(held)
    unit.workspace.close()


def test_two_reviewers_review_the_same_item(tmp_path: Path, reviewers: tuple[Reviewer, Reviewer]) -> None:
    """Decision: the last writer wins, and the audit log records both reviewers with their times."""
    first, second = reviewers
    unit = make_unit(tmp_path / "unit")
    unit.add("Hòa giải ở xã Kiến An")
    path = unit.export().path
    with first.open() as a:
        enrol(a, unit)
        a.bundles().import_file(path)
        with a.sessions() as session:
            activity_id, activity_uuid = session.execute(select(Activity.id, Activity.uuid)).one()
    results = run_together(tmp_path, [(first, ["accept", str(activity_id)]),
                                      (second, ["query", str(activity_id), "Thiếu biên bản"])])
    assert sorted(r["status"] for r in results) == ["accepted", "queried"], results
    with first.open() as a, a.sessions() as session:
        review = session.scalars(select(ActivityReview)).one()
        entries = session.execute(
            select(AuditEntry.actor, AuditEntry.action, AuditEntry.at)
            .where(AuditEntry.entity_key == activity_uuid, AuditEntry.action.in_(["accept", "query"]))
            .order_by(AuditEntry.id)
        ).all()
        assert len(entries) == 2 and {e.action for e in entries} == {"accept", "query"}
        assert review.status.value == entries[-1].action.replace("accept", "accepted").replace("query", "queried")
        assert review.reviewer == entries[-1].actor
    unit.workspace.close()
