"""Import at the department, second half: apply a prepared import in one transaction.

`apply_import` re-checks the sequence state under a lock and applies everything in one transaction:
evidence files are moved from staging into the store before the commit and the signed manifest is
archived (`archive.py`); each move is journalled first (`staging.py`), and on any failure the moved
files are removed again, so a failed import leaves the database and the store as they were, and a
killed one is cleaned up exactly by the next import or app start (`recover_interrupted_imports`).
Changes a guard holds back go to the pending list (`pending.py`) instead of the rows.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from thidua_desktop.core import audit
from thidua_desktop.core.activities import ChangeReport
from thidua_desktop.core.bundles import canonical
from thidua_desktop.core.bundles.archive import archive_path_for, stage_archive
from thidua_desktop.core.bundles.guards import ChangeKind
from thidua_desktop.core.bundles.host import BundleHost
from thidua_desktop.core.bundles.import_plan import (
    BundleSummary,
    ImportStatus,
    Plan,
    PreparedImport,
    check_missing_evidence,
    check_sequence,
    hold_prepared,
    plan_changes,
    present_evidence,
)
from thidua_desktop.core.bundles.manifest import EvidenceItem, Manifest
from thidua_desktop.core.bundles.models import BundleImport, PendingRecord
from thidua_desktop.core.bundles.reader import content_warnings
from thidua_desktop.core.bundles.staging import (
    STAGING_DIR,
    Journalled,
    RecoveryReport,
    Staging,
    has_dead_imports,
    recover,
)
from thidua_desktop.core.bundles.trust import enrol_rotated
from thidua_desktop.core.catalogue import CampaignInfo
from thidua_desktop.core.concurrency import database_now
from thidua_desktop.core.evidence import EvidenceStore, FileState
from thidua_desktop.core.models import Activity, ActivityEvidence, Evidence, IndicatorValue, Unit, utc_now
from thidua_desktop.core.progress import CancelFn, ProgressFn, StepCounter, never_cancelled
from thidua_desktop.core.records import apply_record, remove_received
from thidua_desktop.core.shared_store import insert_ignoring_duplicates, publish_cached, restore_missing

logger = logging.getLogger(__name__)

APPLY_STEPS = 6
_AUDIT_ACTIONS = {ChangeKind.NEW: "import-create", ChangeKind.CHANGED: "import-update",
                  ChangeKind.DELETED: "import-delete"}


@dataclass(frozen=True)
class ImportReport:
    summary: BundleSummary
    status: ImportStatus
    counts: dict[ChangeKind, int]
    evidence_added: int
    evidence_added_bytes: int
    warnings: tuple[str, ...]
    notices: tuple[str, ...]
    import_id: int | None = None
    created: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    deleted: tuple[str, ...] = ()
    held: int = 0

    @property
    def change_report(self) -> ChangeReport:
        return ChangeReport(created=self.created, updated=self.updated, deleted=self.deleted)

    @property
    def message(self) -> str:
        if self.status is ImportStatus.ALREADY:
            if self.evidence_added:
                return (f"{self.summary.title} — đã nhận trước đây; đã bổ sung {self.evidence_added} tệp minh chứng "
                        "còn thiếu trong kho.")
            return f"{self.summary.title} — đã nhận trước đây, không có gì thay đổi."
        if self.status is ImportStatus.HELD:
            return f"{self.summary.title} — chưa áp dụng, giữ lại chờ xử lý. {' '.join(self.notices[:1])}"
        c = self.counts
        text = (
            f"Đã nhận {self.summary.title}: {c[ChangeKind.NEW]} mới, {c[ChangeKind.CHANGED]} sửa, "
            f"{c[ChangeKind.DELETED]} xóa, {c[ChangeKind.UNCHANGED]} không đổi; thêm {self.evidence_added} tệp minh chứng."
        )
        if self.held:
            text += f" {self.held} thay đổi được giữ lại chờ xử lý."
        return text


def _clear_children(session: Session, rows: Sequence[Activity]) -> None:
    """Drop values and attachments of rows about to be rewritten, in two statements."""
    ids = [row.id for row in rows]
    for start in range(0, len(ids), 500):
        batch = ids[start : start + 500]
        session.execute(delete(IndicatorValue).where(IndicatorValue.activity_id.in_(batch)))
        session.execute(delete(ActivityEvidence).where(ActivityEvidence.activity_id.in_(batch)))
    for row in rows:
        session.expire(row, ["values", "attachments"])


def _ensure_evidence_rows(session: Session, items: Sequence[EvidenceItem]) -> dict[str, int]:
    """Evidence rows by hash: inserted if absent (ON CONFLICT DO NOTHING, in hash order), then re-read.

    Two units' imports may bring the same file at once; the second insert waits for the first and keeps
    its row instead of failing on the unique key.
    """
    unique = {item.sha256: item for item in items}
    shas = sorted(unique)
    for start in range(0, len(shas), 500):
        insert_ignoring_duplicates(session, Evidence, [
            {"sha256": sha, "original_name": unique[sha].name, "mime_type": unique[sha].mime_type,
             "size": unique[sha].size, "created_at": utc_now()} for sha in shas[start : start + 500]
        ])
    ids: dict[str, int] = {}
    for start in range(0, len(shas), 500):
        ids.update(session.execute(
            select(Evidence.sha256, Evidence.id).where(Evidence.sha256.in_(shas[start : start + 500]))
        ).all())
    return ids


def _lock_unit(session: Session, unit_id: int) -> None:
    """Serialise imports for one unit on PostgreSQL (SQLite already holds its write lock)."""
    session.execute(select(Unit.id).where(Unit.id == unit_id).with_for_update())


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dirs(paths: Sequence[Path]) -> None:
    """Make renames durable (POSIX). In parallel: the file system commits concurrent flushes together."""
    folders = sorted({p.parent for p in paths})
    if os.name != "posix" or not folders:
        return
    with ThreadPoolExecutor(max_workers=min(8, len(folders))) as pool:
        list(pool.map(_fsync_dir, folders))


# Imports move files into the store while their transaction is open; recovery removes moved files the
# database does not refer to. On SQLite the write lock (taken at BEGIN) keeps them apart; on PostgreSQL
# imports take this advisory lock shared before moving files, and recovery takes it exclusively.
_STORE_LOCK_KEY = 0x7468_6964_7561  # "thidua"


def _lock_store(session: Session, *, exclusive: bool) -> bool:
    """Keep recovery and imports from moving store files at the same time; False if recovery must wait."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    if exclusive:
        return bool(session.scalar(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": _STORE_LOCK_KEY}))
    session.execute(text("SELECT pg_advisory_xact_lock_shared(:key)"), {"key": _STORE_LOCK_KEY})
    return True


def _move(source: Path, target: Path) -> None:
    """One rename into place (a seam for the kill test, which stops the importer between two moves)."""
    os.replace(source, target)


def apply_import(
    workspace: BundleHost,
    prepared: PreparedImport,
    *,
    progress: ProgressFn | None = None,
    cancel: CancelFn = never_cancelled,
) -> ImportReport:
    """Apply a prepared import in one transaction; the prepared import is discarded in every case."""
    preview = prepared.preview
    try:
        if preview.status is ImportStatus.ALREADY:
            return _already(workspace, prepared)
        if preview.status is ImportStatus.HELD:  # trust rules (holds.py): kept aside for staff, not applied
            hold_prepared(workspace, prepared)
            return ImportReport(preview.summary, ImportStatus.HELD, dict.fromkeys(ChangeKind, 0), 0, 0,
                                tuple(preview.warnings), tuple(preview.notices))
        if prepared.staging is None:
            raise ValueError("a dry-run preparation cannot be applied")
        return _apply(workspace, prepared, progress, cancel)
    finally:
        prepared.discard()


def _already(workspace: BundleHost, prepared: PreparedImport) -> ImportReport:
    """A bundle received before changes nothing, except that files the store lost are put back from it.

    This is what makes "receive the earlier bundle first" work even when it was received already.
    """
    staged = dict(prepared.staging.evidence) if prepared.staging is not None else {}
    restored = restore_missing(workspace.evidence_store(), staged) if staged else 0
    notices = (f"Đã bổ sung {restored} tệp minh chứng còn thiếu trong kho từ gói này.",) if restored else ()
    return ImportReport(prepared.preview.summary, ImportStatus.ALREADY, dict.fromkeys(ChangeKind, 0), restored,
                        0, (), notices)


@dataclass
class _MovedFiles:
    """Files moved into place inside the transaction: journalled first, removed again unless it commits."""

    staging: Staging
    promoted: list[Path] = field(default_factory=list)
    archived: Path | None = None

    def promote(self, shas: Sequence[str], store: EvidenceStore) -> None:
        """Move staged files into the store, replacing a damaged copy; an intact copy already there stays.

        An intact file without a row may belong to someone else (a form not yet saved, a held change): it
        is neither moved over nor journalled, so neither `undo` nor crash recovery can remove it. Moved
        files are touched, so the store's sweep never takes them for old debris before the commit.
        """
        moving = [sha for sha in shas if not self._intact(store, sha)]
        self.staging.journal(evidence=moving)
        for sha in moving:
            final = store.path_for(sha)
            final.parent.mkdir(parents=True, exist_ok=True)
            _move(self.staging.evidence[sha], final)
            os.utime(final)
            self.promoted.append(final)
        _fsync_dirs(self.promoted)

    def _intact(self, store: EvidenceStore, sha: str) -> bool:
        """This machine's copy is whole (on a shared department: its cache, which `publish_cached` shares)."""
        if EvidenceStore.check(store, sha) is not FileState.OK:
            return False
        self.staging.evidence[sha].unlink(missing_ok=True)
        return True

    def archive(self, target: Path, manifest_raw: bytes, signature: bytes, root: Path) -> None:
        staged = stage_archive(self.staging, manifest_raw, signature)
        self.staging.journal(archive=target.relative_to(root).as_posix())
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():  # debris of an import killed before it committed (recovery had to wait)
            shutil.rmtree(target)
        self.archived = target
        _move(staged, target)
        _fsync_dirs([target])

    def undo(self) -> None:
        for path in self.promoted:
            path.unlink(missing_ok=True)
        self.promoted.clear()
        if self.archived is not None:
            shutil.rmtree(self.archived, ignore_errors=True)
            self.archived = None


def _apply(workspace: BundleHost, prepared: PreparedImport, progress: ProgressFn | None,
           cancel: CancelFn) -> ImportReport:
    assert prepared.staging is not None
    files = _MovedFiles(prepared.staging)
    steps = StepCounter(APPLY_STEPS, progress, cancel)
    try:
        with workspace.write_sessions.begin() as session:  # on SQLite: the write lock from BEGIN
            try:
                steps.check()
                report = _apply_in(session, workspace, prepared, files, steps)
            except BaseException:
                files.undo()  # before the rollback releases the rows another import may be waiting on
                raise
    except BaseException:
        files.undo()  # the commit itself failed
        raise
    if progress and report.status is ImportStatus.NEW:
        progress(APPLY_STEPS, APPLY_STEPS)
    return report


def _apply_in(session: Session, workspace: BundleHost, prepared: PreparedImport, files: _MovedFiles,
              steps: StepCounter) -> ImportReport:
    """Re-check under the lock, then evidence, the import row, the records and the archived manifest."""
    bundle, campaign, signer, staging = prepared.bundle, prepared.campaign, prepared.signer, prepared.staging
    assert staging is not None
    manifest = bundle.manifest
    store = workspace.evidence_store()
    _lock_unit(session, signer.unit_id)
    if has_dead_imports(workspace.layout.bundles_dir) and _lock_store(session, exclusive=True):
        _recover_in(session, workspace)  # the next import cleans up after a killed one
    _lock_store(session, exclusive=False)
    unit = session.get(Unit, signer.unit_id)
    status, warnings = check_sequence(session, manifest, unit.id, campaign.id, unit.name, flag=None)
    if status is ImportStatus.ALREADY:
        return ImportReport(prepared.preview.summary, status, dict.fromkeys(ChangeKind, 0), 0, 0, (), ())
    warnings += content_warnings(manifest, campaign)
    present = present_evidence(session, store, [e.sha256 for e in manifest.evidence])
    check_missing_evidence(bundle, unit.name, present | set(staging.evidence))
    plan = plan_changes(session, manifest, unit.id, campaign)
    steps.step()
    evidence_ids = _ensure_evidence_rows(session, manifest.evidence)
    added = [e for e in manifest.evidence if e.sha256 in staging.evidence and e.sha256 not in present]
    files.promote([e.sha256 for e in added], store)
    publish_cached(store, [e.sha256 for e in manifest.evidence], session)  # shared department: into the database
    steps.step()
    archived = archive_path_for(workspace.layout, manifest)
    row = _import_row(workspace, prepared, plan, added, warnings, archived)
    session.add(row)
    session.flush()
    steps.step()
    touched = _write_records(session, plan, campaign, evidence_ids, row.id, unit.id, workspace.actor, manifest)
    enrolled = enrol_rotated(session, workspace.actor, unit.id, campaign.id, manifest.seq, list(signer.rotation))
    counts = _counts(plan)
    audit.record(
        session, workspace.actor, "import", "bundle", manifest.bundle_id,
        {"unit": unit.code, "seq": manifest.seq, "manifest_sha256": manifest.sha256,
         "signer": signer.key_id, "counts": {str(k): v for k, v in counts.items()},
         "evidence_added": len(added), "file": bundle.path.name, "enrolled_keys": enrolled},
    )
    steps.step()
    files.archive(archived, manifest.raw, bundle.signature_bytes, workspace.layout.root)
    row.imported_at = database_now(session)  # at commit, after every lock: the audit order is true
    steps.step()
    return ImportReport(
        prepared.preview.summary, ImportStatus.NEW, counts, len(added), sum(e.size for e in added),
        tuple(warnings), tuple(prepared.preview.notices), row.id, *touched, held=row.held_count,
    )


# --- recovery after a killed import --------------------------------------------------------------


def _referenced(session: Session, journalled: Journalled) -> Journalled:
    """Of the files dead imports moved into place, those the database refers to (committed imports)."""
    shas = sorted(journalled.evidence)
    kept: set[str] = set()
    for start in range(0, len(shas), 500):
        kept |= set(session.scalars(select(Evidence.sha256).where(Evidence.sha256.in_(shas[start : start + 500]))))
    archives = sorted(journalled.archives)
    kept_archives: set[str] = set()
    for start in range(0, len(archives), 500):
        kept_archives |= set(session.scalars(
            select(BundleImport.archive_path).where(BundleImport.archive_path.in_(archives[start : start + 500]))
        ))
    return Journalled(frozenset(kept), frozenset(kept_archives))


def _recover_in(session: Session, workspace: BundleHost) -> RecoveryReport:
    """Recovery inside a write transaction that already keeps other imports from moving files.

    A moved file the database refers to stays; on a shared department it is also published when the
    shared store lacks it (a file first imported before the store was shared), so no kept file is
    left only in this machine's cache.
    """
    store = workspace.evidence_store()
    kept: set[str] = set()

    def referenced(journalled: Journalled) -> Journalled:
        found = _referenced(session, journalled)
        kept.update(found.evidence)
        return found

    report = recover(workspace.layout.bundles_dir, referenced, layout_root=workspace.layout.root,
                     evidence_path=lambda sha: EvidenceStore.path_for(store, sha))
    publish_cached(store, kept, session)
    return report


def recover_interrupted_imports(workspace: BundleHost) -> RecoveryReport:
    """At app start: remove what killed imports left (staging, and moved files never committed).

    Cheap when there is nothing to do (one folder check). Never raises: a failure here must not keep the
    data folder from opening; the next import tries again.
    """
    if not (workspace.layout.bundles_dir / STAGING_DIR).is_dir():
        return RecoveryReport()
    try:
        with workspace.write_sessions.begin() as session:
            if not _lock_store(session, exclusive=True):
                return recover(workspace.layout.bundles_dir, None)  # an import is moving files: later
            report = _recover_in(session, workspace)
        if report.changed:
            logger.info("Đã dọn phần còn lại của %d lần nhận gói bị dừng giữa chừng: %d MB, %d tệp minh chứng, "
                        "%d bản lưu trữ", report.folders, report.bytes_freed // 2**20, len(report.evidence_removed),
                        len(report.archives_removed))
        return report
    except (OSError, SQLAlchemyError):
        logger.warning("Không dọn được phần còn lại của lần nhận gói bị dừng giữa chừng", exc_info=True)
        return RecoveryReport()


def _counts(plan: Plan) -> dict[ChangeKind, int]:
    counts = dict.fromkeys(ChangeKind, 0)
    for change in plan.changes:
        counts[change.kind] += 1
    return counts


def _import_row(workspace: BundleHost, prepared: PreparedImport, plan: Plan, added: Sequence[EvidenceItem],
                warnings: Sequence[str], archived: Path) -> BundleImport:
    """The received bundle's row: who sent it, what it changed, where its file is archived."""
    bundle, signer = prepared.bundle, prepared.signer
    manifest = bundle.manifest
    counts = _counts(plan)
    return BundleImport(
        bundle_uuid=manifest.bundle_id, unit_id=signer.unit_id, campaign_id=prepared.campaign.id, seq=manifest.seq,
        mode=manifest.mode, manifest_sha256=manifest.sha256,
        previous_sha256=manifest.previous["manifest_sha256"] if manifest.previous else None,
        signer_key_id=signer.key_id, created_at=manifest.created_at,
        app_version=manifest.data["app"]["version"], imported_by=workspace.actor, file_name=bundle.path.name,
        file_size=bundle.archive.size, archive_path=archived.relative_to(workspace.layout.root).as_posix(),
        new_count=counts[ChangeKind.NEW], changed_count=counts[ChangeKind.CHANGED],
        unchanged_count=counts[ChangeKind.UNCHANGED], deleted_count=counts[ChangeKind.DELETED],
        held_count=sum(1 for c in plan.changes if c.held_reason), evidence_added=len(added),
        evidence_added_bytes=sum(e.size for e in added),
        warnings_json=json.dumps(list(warnings), ensure_ascii=False),
    )


def _write_records(session: Session, plan: Plan, campaign: CampaignInfo, evidence_ids: dict[str, int],
                   import_id: int, unit_id: int, actor: str, manifest: Manifest
                   ) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Insert and rewrite rows; held changes go to the pending list instead."""
    touched: dict[ChangeKind, list[str]] = {ChangeKind.NEW: [], ChangeKind.CHANGED: [], ChangeKind.DELETED: []}
    rewrite = [plan.rows[c.uuid] for c in plan.changes
               if c.kind is not ChangeKind.UNCHANGED and not c.held_reason and c.uuid in plan.rows]
    _clear_children(session, rewrite)
    for change in plan.changes:
        if change.kind is ChangeKind.UNCHANGED:
            continue
        record = plan.records.get(change.uuid)
        if change.held_reason:
            session.add(PendingRecord(
                import_id=import_id, activity_uuid=change.uuid, change=str(change.kind), reason=change.held_reason,
                record_json=canonical.encode(record).decode("utf-8") if record else "",
            ))
            continue
        row = plan.rows.get(change.uuid)
        if change.removed:
            remove_received(row, import_id)
        else:
            if row is None:
                row = Activity(uuid=change.uuid, unit_id=unit_id, campaign_id=campaign.id)
                session.add(row)
            apply_record(row, record, campaign, evidence_ids, import_id)
        audit.record(session, actor, _AUDIT_ACTIONS[change.kind], "activity", change.uuid,
                     {"bundle": manifest.bundle_id, "seq": manifest.seq, "revision": change.revision_after})
        touched[change.kind].append(change.uuid)
    session.flush()
    return tuple(touched[ChangeKind.NEW]), tuple(touched[ChangeKind.CHANGED]), tuple(touched[ChangeKind.DELETED])
