"""Import at the department, second half: apply a prepared import in one transaction.

`apply_import` re-checks the sequence state under a lock and applies everything in one transaction:
evidence files are moved into the store before the commit, the original file is archived unchanged,
and on any failure both are removed again, so a failed import leaves the database and the store as
they were. Changes a guard holds back go to the pending list (`pending.py`) instead of the rows.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from thidua_desktop.core import audit
from thidua_desktop.core.activities import ChangeReport
from thidua_desktop.core.bundles import canonical
from thidua_desktop.core.bundles.container import BUNDLE_SUFFIX
from thidua_desktop.core.bundles.guards import ChangeKind
from thidua_desktop.core.bundles.host import BundleHost
from thidua_desktop.core.bundles.import_plan import (
    BundleSummary,
    ImportStatus,
    Plan,
    PreparedImport,
    check_missing_evidence,
    check_sequence,
    plan_changes,
    present_evidence,
)
from thidua_desktop.core.bundles.manifest import EvidenceItem, Manifest
from thidua_desktop.core.bundles.models import BundleImport, PendingRecord
from thidua_desktop.core.bundles.trust import enrol_rotated
from thidua_desktop.core.catalogue import CampaignInfo
from thidua_desktop.core.evidence import EvidenceStore
from thidua_desktop.core.models import Activity, ActivityEvidence, Evidence, IndicatorValue, Unit
from thidua_desktop.core.paths import DataLayout
from thidua_desktop.core.progress import CancelFn, ProgressFn, StepCounter, never_cancelled
from thidua_desktop.core.records import apply_record, remove_received

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
            return f"{self.summary.title} — đã nhận trước đây, không có gì thay đổi."
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
    ids: dict[str, int] = {}
    shas = [item.sha256 for item in items]
    for start in range(0, len(shas), 500):
        ids.update(session.execute(
            select(Evidence.sha256, Evidence.id).where(Evidence.sha256.in_(shas[start : start + 500]))
        ).all())
    added = [Evidence(sha256=item.sha256, original_name=item.name, mime_type=item.mime_type, size=item.size)
             for item in items if item.sha256 not in ids]
    session.add_all(added)
    session.flush()
    ids.update((row.sha256, row.id) for row in added)
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


def archive_path_for(layout: DataLayout, manifest: Manifest) -> Path:
    return (layout.bundles_dir / "archive" / manifest.unit_code / manifest.campaign_code
            / f"{manifest.seq:05d}_{manifest.bundle_id}{BUNDLE_SUFFIX}")


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
            return ImportReport(preview.summary, ImportStatus.ALREADY, dict.fromkeys(ChangeKind, 0), 0, 0, (), ())
        if prepared.staging is None or prepared.staging.archive_copy is None:
            raise ValueError("a dry-run preparation cannot be applied")
        return _apply(workspace, prepared, progress, cancel)
    finally:
        prepared.discard()


@dataclass
class _MovedFiles:
    """Files moved into place inside the transaction: removed again unless it commits."""

    promoted: list[Path] = field(default_factory=list)
    archived: Path | None = None

    def promote(self, staged: Mapping[str, Path], store: EvidenceStore) -> None:
        for sha, path in staged.items():
            final = store.path_for(sha)
            if final.exists():
                continue
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, final)
            self.promoted.append(final)
        _fsync_dirs(self.promoted)

    def archive(self, copy: Path) -> None:
        assert self.archived is not None
        self.archived.parent.mkdir(parents=True, exist_ok=True)
        os.replace(copy, self.archived)
        _fsync_dirs([self.archived])

    def undo(self) -> None:
        for path in self.promoted:
            path.unlink(missing_ok=True)
        if self.archived is not None:
            with contextlib.suppress(OSError):
                self.archived.unlink(missing_ok=True)


def _apply(workspace: BundleHost, prepared: PreparedImport, progress: ProgressFn | None,
           cancel: CancelFn) -> ImportReport:
    files = _MovedFiles()
    steps = StepCounter(APPLY_STEPS, progress, cancel)
    try:
        with workspace.write_sessions.begin() as session:  # on SQLite: the write lock from BEGIN
            steps.check()
            report = _apply_in(session, workspace, prepared, files, steps)
    except BaseException:
        files.undo()
        raise
    if progress and report.status is ImportStatus.NEW:
        progress(APPLY_STEPS, APPLY_STEPS)
    return report


def _apply_in(session: Session, workspace: BundleHost, prepared: PreparedImport, files: _MovedFiles,
              steps: StepCounter) -> ImportReport:
    """Re-check under the lock, then evidence, the import row, the records and the archived file."""
    bundle, campaign, signer, staging = prepared.bundle, prepared.campaign, prepared.signer, prepared.staging
    assert staging is not None and staging.archive_copy is not None
    manifest = bundle.manifest
    store = workspace.evidence_store()
    _lock_unit(session, signer.unit_id)
    unit = session.get(Unit, signer.unit_id)
    status, warnings = check_sequence(session, manifest, unit.id, campaign.id, unit.name, flag=None)
    if status is ImportStatus.ALREADY:
        return ImportReport(prepared.preview.summary, status, dict.fromkeys(ChangeKind, 0), 0, 0, (), ())
    present = present_evidence(session, store, [e.sha256 for e in manifest.evidence])
    check_missing_evidence(bundle, unit.name, present | set(staging.evidence))
    plan = plan_changes(session, manifest, unit.id, campaign)
    steps.step()
    evidence_ids = _ensure_evidence_rows(session, manifest.evidence)
    files.promote(staging.evidence, store)
    steps.step()
    files.archived = archive_path_for(workspace.layout, manifest)
    promoted = set(files.promoted)
    added = [e for e in manifest.evidence if store.path_for(e.sha256) in promoted]
    row = _import_row(workspace, prepared, plan, added, warnings, files.archived)
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
    files.archive(staging.archive_copy)
    steps.step()
    return ImportReport(
        prepared.preview.summary, ImportStatus.NEW, counts, len(added), sum(e.size for e in added),
        tuple(warnings), tuple(prepared.preview.notices), row.id, *touched, held=row.held_count,
    )


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
