"""Import at the department (Nhận gói dữ liệu): verify, sequence rules, preview, then one transaction.

`prepare_import` runs every check of docs/bundle-format.md §6 and stages new evidence outside the
store; only then is a preview built (new / changed / unchanged / deleted per record). `apply_import`
re-checks the sequence state under a lock and applies everything in one transaction: evidence files
are moved into the store before the commit, the original file is archived unchanged, and on any
failure both are removed again, so a failed import leaves the database and the store as they were.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import json
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from thidua_desktop.core import audit
from thidua_desktop.core.activities import ChangeReport, activity_search_text, summarise_figures
from thidua_desktop.core.bundles import canonical
from thidua_desktop.core.bundles.container import BUNDLE_SUFFIX
from thidua_desktop.core.bundles.errors import (
    AuthorityError,
    BundleError,
    EquivocationError,
    MissingEvidenceError,
    RoleError,
    RollbackError,
)
from thidua_desktop.core.bundles.guards import (
    ChangeKind,
    GuardContext,
    RecordChange,
    held_reason,
)
from thidua_desktop.core.bundles.manifest import EvidenceItem, Manifest, activity_record, parse_timestamp
from thidua_desktop.core.bundles.minisign import PublicKey
from thidua_desktop.core.bundles.models import BundleImport, PendingRecord
from thidua_desktop.core.bundles.reader import (
    OpenBundle,
    Signer,
    Staging,
    check_content,
    check_signature,
    load_campaign,
    open_bundle,
    parse_signature,
    resolve_signer,
    scan,
)
from thidua_desktop.core.bundles.trust import enrol_rotated, record_incident
from thidua_desktop.core.catalogue import CampaignInfo
from thidua_desktop.core.errors import Cancelled, UserError
from thidua_desktop.core.models import Activity, ActivityEvidence, Evidence, IndicatorValue, Unit, utc_now
from thidua_desktop.core.progress import CancelFn, ProgressFn, never_cancelled
from thidua_desktop.core.text import format_datetime, sort_key


@dataclass(frozen=True)
class BundleSummary:
    file_name: str
    file_size: int
    bundle_id: str
    unit_code: str
    unit_name: str
    campaign_code: str
    seq: int
    created_at: datetime
    mode: str
    key_id: str
    fingerprint: str
    manifest_sha256: str
    record_count: int
    evidence_count: int
    evidence_included: int

    @classmethod
    def of(cls, bundle: OpenBundle) -> BundleSummary:
        m = bundle.manifest
        return cls(
            bundle.path.name, bundle.archive.size, m.bundle_id, m.unit_code, m.unit_name, m.campaign_code, m.seq,
            m.created_at, m.mode, m.key_id, PublicKey.from_base64(m.public_key).fingerprint, m.sha256,
            m.counts["records"], m.counts["evidence"], m.counts["evidence_included"],
        )

    @property
    def mode_label(self) -> str:
        return "Gói đầy đủ" if self.mode == "full" else "Gói bổ sung"

    @property
    def title(self) -> str:
        return f"Gói số {self.seq} của {self.unit_name} (tạo lúc {format_datetime(local_time(self.created_at))})"


class ImportStatus(enum.StrEnum):
    NEW = "new"
    ALREADY = "already"


@dataclass
class ImportPreview:
    summary: BundleSummary
    status: ImportStatus
    changes: list[RecordChange] = field(default_factory=list)
    evidence_to_add: list[EvidenceItem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    @property
    def counts(self) -> dict[ChangeKind, int]:
        counts = dict.fromkeys(ChangeKind, 0)
        for change in self.changes:
            counts[change.kind] += 1
        return counts

    @property
    def held(self) -> list[RecordChange]:
        return [c for c in self.changes if c.held_reason]

    @property
    def evidence_bytes(self) -> int:
        return sum(item.size for item in self.evidence_to_add)


@dataclass
class PreparedImport:
    """A verified bundle and its staged files, waiting for the user to confirm the preview."""

    bundle: OpenBundle
    signer: Signer
    campaign: CampaignInfo
    preview: ImportPreview
    staging: Staging | None

    def discard(self) -> None:
        self.bundle.close()
        if self.staging is not None:
            self.staging.discard()
            self.staging = None


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


def local_time(utc: datetime) -> datetime:
    """Stored times are naive UTC; people read the machine's local time (UTC+7 in Viet Nam)."""
    return utc.replace(tzinfo=UTC).astimezone().replace(tzinfo=None)


def _require_department(workspace) -> None:  # noqa: ANN001
    from thidua_desktop.core.roles import Role

    if workspace.role is not Role.DEPARTMENT:
        raise RoleError(
            "Chỉ máy của Sở Tư pháp mới nhận gói dữ liệu.",
            hint="Máy này được thiết lập cho một đơn vị: hãy dùng “Gửi gói dữ liệu” để gửi số liệu về Sở.",
        )


# --- sequence rules ------------------------------------------------------------------------------


def check_sequence(session: Session, manifest: Manifest, unit_id: int, campaign_id: int, unit_name: str,
                   *, flag: Callable[..., None] | None) -> tuple[ImportStatus, list[str]]:
    """Already received → no-op; lower seq → rollback; same seq, other content → equivocation; gap → warning."""
    same_id = session.scalar(select(BundleImport).where(BundleImport.bundle_uuid == manifest.bundle_id))
    same_seq = session.scalar(
        select(BundleImport).where(
            BundleImport.unit_id == unit_id, BundleImport.campaign_id == campaign_id, BundleImport.seq == manifest.seq
        )
    )
    if same_id is not None and same_id.manifest_sha256 == manifest.sha256:
        return ImportStatus.ALREADY, []
    clash = same_seq or same_id
    if clash is not None:
        if flag:
            flag("equivocation", unit=manifest.unit_code, campaign=manifest.campaign_code, seq=manifest.seq,
                 bundle_id=manifest.bundle_id, manifest_sha256=manifest.sha256,
                 imported_bundle_id=clash.bundle_uuid, imported_sha256=clash.manifest_sha256)
        raise EquivocationError(
            f"{unit_name} đã gửi hai gói khác nhau cùng số thứ tự {manifest.seq}: gói này khác gói số "
            f"{clash.seq} đã nhận ngày {format_datetime(local_time(clash.imported_at))}. Gói bị từ chối và đã được ghi cảnh báo.",
            hint="Không có gì bị thay đổi. Hãy gọi điện cho đơn vị để tìm hiểu (có thể máy của đơn vị đã khôi phục "
            "dữ liệu cũ, hoặc tệp bị giả mạo).",
            reason="equivocation",
        )
    last = session.scalar(
        select(BundleImport)
        .where(BundleImport.unit_id == unit_id, BundleImport.campaign_id == campaign_id)
        .order_by(BundleImport.seq.desc())
        .limit(1)
    )
    warnings: list[str] = []
    if last is not None and manifest.seq < last.seq:
        raise RollbackError(
            f"Gói số {manifest.seq} của {unit_name} cũ hơn gói số {last.seq} đã nhận ngày "
            f"{format_datetime(local_time(last.imported_at))}; nhận nó sẽ đưa số liệu về trạng thái cũ.",
            hint="Không có gì bị thay đổi. Gói mới hơn đã chứa toàn bộ số liệu của gói này; có thể bỏ tệp này đi.",
            reason="rollback",
        )
    last_seq = last.seq if last is not None else 0
    if manifest.seq > last_seq + 1:
        missing = f"số {last_seq + 1}" if manifest.seq == last_seq + 2 else f"từ số {last_seq + 1} đến {manifest.seq - 1}"
        warnings.append(
            f"Chưa nhận các gói {missing} của {unit_name}. Gói này vẫn nhận được vì mỗi gói chứa toàn bộ "
            "số liệu của đơn vị; nếu là gói bổ sung, có thể cần các tệp minh chứng từ các gói còn thiếu."
        )
    previous = manifest.previous
    if last is not None and previous is not None and previous["seq"] == last.seq and (
        previous["manifest_sha256"] != last.manifest_sha256
    ):
        warnings.append(
            f"Gói này cho biết gói số {last.seq} của đơn vị khác với gói số {last.seq} Sở đã nhận "
            "(đơn vị có thể đã tạo hai gói cùng số). Đã ghi cảnh báo; nên gọi điện cho đơn vị để kiểm tra."
        )
        if flag:
            flag("fork", unit=manifest.unit_code, campaign=manifest.campaign_code, seq=manifest.seq,
                 bundle_id=manifest.bundle_id, previous_seq=last.seq, claimed_sha256=previous["manifest_sha256"],
                 imported_sha256=last.manifest_sha256)
    return ImportStatus.NEW, warnings


def _present(session: Session, store, shas: Sequence[str]) -> set[str]:  # noqa: ANN001 - EvidenceStore
    """The evidence the department already has: a database row and the file in the store."""
    found: set[str] = set()
    for start in range(0, len(shas), 500):
        batch = list(shas[start : start + 500])
        found |= set(session.scalars(select(Evidence.sha256).where(Evidence.sha256.in_(batch))))
    return {sha for sha in found if store.has(sha)}


def check_missing_evidence(bundle: OpenBundle, unit_name: str, present: set[str]) -> None:
    missing = [item for item in bundle.manifest.evidence if not item.included and item.sha256 not in present]
    if missing:
        names = ", ".join(f"“{m.name}”" for m in missing[:10]) + ("…" if len(missing) > 10 else "")
        raise MissingEvidenceError(
            f"Gói bổ sung số {bundle.manifest.seq} của {unit_name} dùng {len(missing)} tệp minh chứng mà Sở "
            f"chưa có: {names}.",
            hint="Các tệp này được gửi trong một gói trước mà Sở chưa nhận. Hãy nhận gói đó trước, hoặc đề nghị "
            "đơn vị tạo “Gói đầy đủ” và gửi lại. Không có gì bị thay đổi.",
            missing=tuple((m.sha256, m.name) for m in missing),
        )


# --- preview -------------------------------------------------------------------------------------


def _load_rows(session: Session, uuids: Sequence[str]) -> dict[str, Activity]:
    rows: dict[str, Activity] = {}
    for start in range(0, len(uuids), 500):
        batch = list(uuids[start : start + 500])
        for row in session.scalars(
            select(Activity)
            .where(Activity.uuid.in_(batch))
            .options(selectinload(Activity.values), selectinload(Activity.attachments).selectinload(ActivityEvidence.evidence))
        ):
            rows[row.uuid] = row
    return rows


def _row_record(row: Activity, unit_code: str, campaign: CampaignInfo) -> dict[str, Any]:
    indicator_codes = {i.id: i.code for i in campaign.indicators}
    return activity_record(row, unit_code, campaign.criteria_by_id[row.criterion_id].code, indicator_codes)


@dataclass
class _Plan:
    changes: list[RecordChange]
    rows: dict[str, Activity]
    records: dict[str, dict[str, Any]]


def plan_changes(session: Session, manifest: Manifest, unit_id: int, campaign: CampaignInfo) -> _Plan:
    """Per record: new / changed / unchanged / deleted, with the reason a guard holds it back (if any)."""
    records = {r["uuid"]: r for r in manifest.records}
    rows = _load_rows(session, list(records))
    changes: list[RecordChange] = []
    for uuid, record in records.items():
        row = rows.get(uuid)
        if row is not None and (row.unit_id != unit_id or row.campaign_id != campaign.id):
            raise AuthorityError(
                f"Hoạt động “{record['title'][:80]}” ({uuid}) trong gói đã có ở Sở nhưng thuộc đơn vị hoặc kế hoạch "
                "khác. Một đơn vị không được ghi đè hoạt động của đơn vị khác.",
                hint="Không có gì bị thay đổi. Hãy báo cho đơn vị gửi.", reason="foreign-record",
            )
        tombstone = record["deleted_at"] is not None
        if row is None:
            kind = ChangeKind.DELETED if tombstone else ChangeKind.NEW
        elif canonical.encode(_row_record(row, manifest.unit_code, campaign)) == canonical.encode(record):
            kind = ChangeKind.UNCHANGED
        elif tombstone and row.deleted_at is None:
            kind = ChangeKind.DELETED
        else:
            kind = ChangeKind.CHANGED
        changes.append(
            RecordChange(uuid, kind, record["title"], date.fromisoformat(record["date"]), record["criterion"],
                         row.revision if row is not None else None, record["revision"])
        )
    absent = session.scalars(
        select(Activity).where(
            Activity.unit_id == unit_id, Activity.campaign_id == campaign.id, Activity.deleted_at.is_(None),
            Activity.source_bundle_id.is_not(None),
        )
    )
    for row in absent:
        if row.uuid not in records:
            rows[row.uuid] = row
            changes.append(
                RecordChange(row.uuid, ChangeKind.DELETED, row.title, row.activity_date,
                             campaign.criteria_by_id[row.criterion_id].code, row.revision, row.revision, removed=True)
            )
    held = []
    for change in changes:
        reason = None
        if change.kind is not ChangeKind.UNCHANGED:
            context = GuardContext(unit_id, campaign.id, change, records.get(change.uuid), rows.get(change.uuid))
            reason = held_reason(session, context)
        held.append(dataclasses.replace(change, held_reason=reason) if reason else change)
    held.sort(key=lambda c: (list(ChangeKind).index(c.kind), c.activity_date, c.uuid))
    return _Plan(held, rows, records)


# --- prepare -------------------------------------------------------------------------------------


def _verify_steps(session: Session, bundle: OpenBundle) -> tuple[Signer, CampaignInfo, Unit]:
    signature = parse_signature(bundle)
    campaign = load_campaign(session, bundle)
    signer = resolve_signer(session, bundle, signature, campaign)
    check_content(bundle, campaign)
    unit = session.get(Unit, signer.unit_id)
    assert unit is not None
    return signer, campaign, unit


def _flagger(workspace) -> Callable[..., None]:  # noqa: ANN001
    return lambda kind, **details: record_incident(workspace.layout, kind, actor=workspace.actor, **details)


def prepare_import(
    workspace,  # noqa: ANN001 - Workspace
    path: Path,
    *,
    dry_run: bool = False,
    progress: ProgressFn | None = None,
    cancel: CancelFn = never_cancelled,
) -> PreparedImport:
    """Every check, then the preview; new evidence is staged unless `dry_run`. Nothing is changed yet."""
    _require_department(workspace)
    bundle = open_bundle(Path(path))
    staging: Staging | None = None
    try:
        store = workspace.evidence_store()
        with workspace.sessions() as session:
            signer, campaign, unit = _verify_steps(session, bundle)
            included = [e.sha256 for e in bundle.manifest.evidence if e.included]
            present_included = _present(session, store, included)
        to_stage = set(included) - present_included
        if not dry_run:
            staging = Staging.create(workspace.layout.bundles_dir)
        scan(bundle, staging=staging, stage=to_stage, progress=progress, cancel=cancel)
        with workspace.sessions() as session:
            status, warnings = check_sequence(session, bundle.manifest, unit.id, campaign.id, unit.name,
                                              flag=_flagger(workspace))
            summary = BundleSummary.of(bundle)
            preview = ImportPreview(summary, status, warnings=warnings)
            if status is ImportStatus.NEW:
                present = _present(session, store, [e.sha256 for e in bundle.manifest.evidence])
                check_missing_evidence(bundle, unit.name, present | to_stage)
                preview.changes = plan_changes(session, bundle.manifest, unit.id, campaign).changes
                preview.evidence_to_add = [e for e in bundle.manifest.evidence if e.sha256 in to_stage]
                if campaign.version != bundle.manifest.campaign_version:
                    preview.warnings.append(
                        f"Đơn vị dùng phiên bản {bundle.manifest.campaign_version} của kế hoạch, Sở dùng phiên bản "
                        f"{campaign.version}; các mã tiêu chí, chỉ tiêu vẫn khớp nên gói vẫn nhận được."
                    )
                if signer.rotation:
                    preview.notices.append(
                        f"Đơn vị đã thay khóa: khóa mới {signer.key_id} được khóa cũ "
                        f"{signer.rotation[0]['old_key_id']} xác nhận; khóa mới sẽ được đăng ký khi nhận gói."
                    )
        return PreparedImport(bundle, signer, campaign, preview, staging)
    except BaseException:
        bundle.close()
        if staging is not None:
            staging.discard()
        raise


# --- apply ---------------------------------------------------------------------------------------


@contextmanager
def write_session(workspace) -> Iterator[Session]:  # noqa: ANN001
    """One transaction that takes SQLite's write lock at BEGIN, so two importers cannot interleave."""
    with workspace.engine.connect() as conn:
        if workspace.is_sqlite:
            conn.info["write"] = True
        try:
            with Session(bind=conn, expire_on_commit=False) as session, session.begin():
                yield session
        finally:
            conn.info.pop("write", None)


def fill_activity(activity: Activity, record: dict[str, Any], campaign: CampaignInfo, evidence_ids: dict[str, int],
          import_id: int) -> None:
    """Copy a record into a row, with the derived list columns computed as the activity service does."""
    activity.criterion_id = campaign.criteria_by_code[record["criterion"]].id
    activity.activity_date = date.fromisoformat(record["date"])
    activity.title = record["title"]
    activity.description = record["description"]
    activity.commune = record["commune"]
    activity.responsible_officer = record["responsible_officer"]
    activity.is_poor_commune = record["poor_commune"]
    activity.is_remote_area = record["remote_area"]
    activity.is_ethnic_area = record["ethnic_area"]
    activity.revision = record["revision"]
    activity.sent_revision = record["revision"]
    activity.created_at = parse_timestamp(record["created_at"])
    activity.updated_at = parse_timestamp(record["updated_at"])
    activity.deleted_at = parse_timestamp(record["deleted_at"]) if record["deleted_at"] else None
    activity.search_text = activity_search_text(activity.title, activity.commune, activity.responsible_officer)
    activity.title_sort_key = sort_key(activity.title)
    activity.commune_sort_key = sort_key(activity.commune)
    values = sorted((campaign.indicators_by_code[code].id, value) for code, value in record["values"].items())
    activity.values = [IndicatorValue(indicator_id=i, value=v) for i, v in values]
    activity.figures_summary, activity.lead_value = summarise_figures(
        (campaign.indicators_by_id[i], v) for i, v in values
    )
    activity.attachments = [
        ActivityEvidence(evidence_id=evidence_ids[a["sha256"]], caption=a["caption"], file_name=a["file_name"],
                         position=a["position"])
        for a in record["attachments"]
    ]
    activity.evidence_count = len(record["attachments"])
    activity.source_bundle_id = import_id


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


def archive_path_for(layout, manifest: Manifest) -> Path:  # noqa: ANN001 - DataLayout
    return (layout.bundles_dir / "archive" / manifest.unit_code / manifest.campaign_code
            / f"{manifest.seq:05d}_{manifest.bundle_id}{BUNDLE_SUFFIX}")


def apply_import(
    workspace,  # noqa: ANN001 - Workspace
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


def _apply(workspace, prepared: PreparedImport, progress: ProgressFn | None, cancel: CancelFn) -> ImportReport:  # noqa: ANN001
    bundle, campaign, signer, staging = prepared.bundle, prepared.campaign, prepared.signer, prepared.staging
    assert staging is not None and staging.archive_copy is not None
    manifest = bundle.manifest
    store = workspace.evidence_store()
    actor = workspace.actor
    promoted: list[Path] = []
    archived: Path | None = None
    committed = False
    steps = 6

    def step(done: int) -> None:
        if cancel():
            raise Cancelled()
        if progress:
            progress(done, steps)

    try:
        with write_session(workspace) as session:
            step(0)
            _lock_unit(session, signer.unit_id)
            unit = session.get(Unit, signer.unit_id)
            status, warnings = check_sequence(session, manifest, unit.id, campaign.id, unit.name, flag=None)
            if status is ImportStatus.ALREADY:
                return ImportReport(prepared.preview.summary, status, dict.fromkeys(ChangeKind, 0), 0, 0, (), ())
            present = _present(session, store, [e.sha256 for e in manifest.evidence])
            check_missing_evidence(bundle, unit.name, present | set(staging.evidence))
            plan = plan_changes(session, manifest, unit.id, campaign)
            step(1)
            evidence_ids = _ensure_evidence_rows(session, manifest.evidence)
            for sha, staged in staging.evidence.items():
                final = store.path_for(sha)
                if final.exists():
                    continue
                final.parent.mkdir(parents=True, exist_ok=True)
                os.replace(staged, final)
                promoted.append(final)
            _fsync_dirs(promoted)
            step(2)
            archived = archive_path_for(workspace.layout, manifest)
            counts = dict.fromkeys(ChangeKind, 0)
            for change in plan.changes:
                counts[change.kind] += 1
            promoted_set = set(promoted)
            added = [e for e in manifest.evidence if store.path_for(e.sha256) in promoted_set]
            row = BundleImport(
                bundle_uuid=manifest.bundle_id, unit_id=unit.id, campaign_id=campaign.id, seq=manifest.seq,
                mode=manifest.mode, manifest_sha256=manifest.sha256,
                previous_sha256=manifest.previous["manifest_sha256"] if manifest.previous else None,
                signer_key_id=signer.key_id, created_at=manifest.created_at,
                app_version=manifest.data["app"]["version"], imported_by=actor, file_name=bundle.path.name,
                file_size=bundle.archive.size, archive_path=archived.relative_to(workspace.layout.root).as_posix(),
                new_count=counts[ChangeKind.NEW], changed_count=counts[ChangeKind.CHANGED],
                unchanged_count=counts[ChangeKind.UNCHANGED], deleted_count=counts[ChangeKind.DELETED],
                held_count=sum(1 for c in plan.changes if c.held_reason), evidence_added=len(added),
                evidence_added_bytes=sum(e.size for e in added),
                warnings_json=json.dumps(warnings, ensure_ascii=False),
            )
            session.add(row)
            session.flush()
            step(3)
            touched = _write_records(session, plan, campaign, evidence_ids, row.id, unit.id, actor, manifest)
            enrolled = enrol_rotated(session, actor, unit.id, campaign.id, manifest.seq, list(signer.rotation))
            audit.record(
                session, actor, "import", "bundle", manifest.bundle_id,
                {"unit": unit.code, "seq": manifest.seq, "manifest_sha256": manifest.sha256,
                 "signer": signer.key_id, "counts": {str(k): v for k, v in counts.items()},
                 "evidence_added": len(added), "file": bundle.path.name, "enrolled_keys": enrolled},
            )
            step(4)
            archived.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging.archive_copy, archived)
            _fsync_dirs([archived])
            step(5)
        committed = True
    except BaseException:
        if not committed:
            for path in promoted:
                path.unlink(missing_ok=True)
            if archived is not None:
                with contextlib.suppress(OSError):
                    archived.unlink(missing_ok=True)
        raise
    if progress:
        progress(steps, steps)
    return ImportReport(
        prepared.preview.summary, ImportStatus.NEW, counts, len(added), sum(e.size for e in added),
        tuple(warnings), tuple(prepared.preview.notices), row.id, *touched, held=row.held_count,
    )


def _write_records(session: Session, plan: _Plan, campaign: CampaignInfo, evidence_ids: dict[str, int],
                   import_id: int, unit_id: int, actor: str, manifest: Manifest
                   ) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Insert and rewrite rows; held changes go to the pending list instead."""
    created: list[str] = []
    updated: list[str] = []
    deleted: list[str] = []
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
            row.deleted_at = utc_now()
            row.attachments = []
            row.evidence_count = 0
            row.source_bundle_id = import_id
        else:
            if row is None:
                row = Activity(uuid=change.uuid, unit_id=unit_id, campaign_id=campaign.id)
                session.add(row)
            fill_activity(row, record, campaign, evidence_ids, import_id)
        action = {ChangeKind.NEW: "import-create", ChangeKind.CHANGED: "import-update",
                  ChangeKind.DELETED: "import-delete"}[change.kind]
        audit.record(session, actor, action, "activity", change.uuid,
                     {"bundle": manifest.bundle_id, "seq": manifest.seq, "revision": change.revision_after})
        {ChangeKind.NEW: created, ChangeKind.CHANGED: updated, ChangeKind.DELETED: deleted}[change.kind].append(change.uuid)
    session.flush()
    return tuple(created), tuple(updated), tuple(deleted)


# --- one call: verify, or import a file, or many ---------------------------------------------------


def import_bundle(workspace, path: Path, *, progress: ProgressFn | None = None,  # noqa: ANN001
                  cancel: CancelFn = never_cancelled) -> ImportReport:
    """Prepare and apply without stopping at the preview (CLI, folders, tests)."""
    prepared = prepare_import(workspace, path, progress=_scaled(progress, 0, 90), cancel=cancel)
    return apply_import(workspace, prepared, progress=_scaled(progress, 90, 100), cancel=cancel)


def _scaled(progress: ProgressFn | None, low: int, high: int) -> ProgressFn | None:
    if progress is None:
        return None
    return lambda done, total: progress(low + (high - low) * done // max(total, 1), 100)


def expand_paths(paths: Sequence[Path]) -> list[Path]:
    """Files as given; folders become their .thidua files (recursively, hidden folders skipped)."""
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found.extend(sorted(
                p for p in path.rglob(f"*{BUNDLE_SUFFIX}")
                if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
            ))
        else:
            found.append(path)
    return found


def peek(path: Path) -> Manifest | None:
    """The manifest of a file without verifying it: only to sort a folder or offer an enrolment."""
    try:
        with open_bundle(path) as bundle:
            return bundle.manifest
    except (BundleError, OSError):
        return None


@dataclass(frozen=True)
class ImportOutcome:
    path: Path
    report: ImportReport | None
    error: UserError | None
    unit_code: str = ""
    seq: int | None = None

    @property
    def status_label(self) -> str:
        if self.error is not None:
            return "Từ chối"
        assert self.report is not None
        return "Đã nhận trước đây" if self.report.status is ImportStatus.ALREADY else "Đã nhận"

    @property
    def detail(self) -> str:
        if self.error is not None:
            return self.error.message
        assert self.report is not None
        return self.report.message


def import_many(workspace, paths: Sequence[Path], *, progress: ProgressFn | None = None,  # noqa: ANN001
                cancel: CancelFn = never_cancelled) -> list[ImportOutcome]:
    """Import files in (unit, campaign, seq) order, each in its own transaction; refusals don't stop the rest."""
    files = expand_paths(paths)
    peeked = [(path, peek(path)) for path in files]
    peeked.sort(key=lambda item: (item[1] is None, *(
        (item[1].unit_code, item[1].campaign_code, item[1].seq) if item[1] else ("", "", 0)), item[0].name))
    outcomes: list[ImportOutcome] = []
    for index, (path, manifest) in enumerate(peeked):
        if cancel():
            raise Cancelled()
        unit, seq = (manifest.unit_code, manifest.seq) if manifest else ("", None)
        part = _scaled(progress, 100 * index // max(len(peeked), 1), 100 * (index + 1) // max(len(peeked), 1))
        try:
            outcomes.append(ImportOutcome(path, import_bundle(workspace, path, progress=part, cancel=cancel), None,
                                          unit, seq))
        except UserError as error:
            outcomes.append(ImportOutcome(path, None, error, unit, seq))
    if progress:
        progress(100, 100)
    return outcomes


@dataclass(frozen=True)
class VerifyReport:
    summary: BundleSummary
    signer_label: str
    sequence_label: str
    warnings: tuple[str, ...]

    @property
    def message(self) -> str:
        lines = [
            f"Gói hợp lệ: {self.summary.title}.",
            f"Chữ ký: {self.signer_label}.",
            f"{self.summary.mode_label}: {self.summary.record_count} hoạt động, {self.summary.evidence_count} tệp "
            f"minh chứng ({self.summary.evidence_included} tệp gửi kèm), mọi mã băm đều khớp.",
            f"Tình trạng ở Sở: {self.sequence_label}.",
        ]
        return "\n".join(lines + [f"Lưu ý: {w}" for w in self.warnings])


def verify_bundle(
    workspace,  # noqa: ANN001 - Workspace
    path: Path,
    *,
    public_key: PublicKey | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelFn = never_cancelled,
) -> VerifyReport:
    """Check a file completely without changing anything: with the trust registry, or a given key."""
    with open_bundle(Path(path)) as bundle:
        summary = BundleSummary.of(bundle)
        if public_key is not None:
            check_signature(bundle, parse_signature(bundle), public_key)
            scan(bundle, progress=progress, cancel=cancel)
            return VerifyReport(summary, f"đúng khóa {public_key.key_id_hex} (dấu vân tay {public_key.fingerprint})",
                                "không kiểm tra (dùng khóa cho trước)", ())
        own = _own_public_key(workspace, bundle)
        if own is not None:
            check_signature(bundle, parse_signature(bundle), own)
            scan(bundle, progress=progress, cancel=cancel)
            return VerifyReport(summary, f"khóa {own.key_id_hex} của chính máy này", "gói do máy này tạo", ())
        with workspace.sessions() as session:
            signer, campaign, unit = _verify_steps(session, bundle)
        scan(bundle, progress=progress, cancel=cancel)
        with workspace.sessions() as session:
            try:
                status, warnings = check_sequence(session, bundle.manifest, unit.id, campaign.id, unit.name,
                                                  flag=_flagger(workspace))
                label = "đã nhận trước đây" if status is ImportStatus.ALREADY else "chưa nhận, có thể nhận"
            except (RollbackError, EquivocationError) as refusal:
                status, warnings, label = ImportStatus.NEW, [], f"sẽ bị từ chối — {refusal.message}"
        via = f" (khóa mới, được khóa {signer.rotation[0]['old_key_id']} xác nhận)" if signer.rotation else ""
        return VerifyReport(summary, f"khóa {signer.key_id} của {unit.name}, trong danh sách tin cậy{via}", label,
                            tuple(warnings))


def _own_public_key(workspace, bundle: OpenBundle) -> PublicKey | None:  # noqa: ANN001
    """At a unit, its own keys verify its own bundles (it has no trust registry)."""
    from thidua_desktop.core.bundles.keys import keyring_of
    from thidua_desktop.core.roles import Role

    if workspace.role is not Role.UNIT:
        return None
    for key in keyring_of(workspace).list_keys():
        if key.key_id == bundle.manifest.key_id and key.unit_code == bundle.manifest.unit_code:
            return key.public_key
    return None


@dataclass(frozen=True)
class ImportInfo:
    """One received bundle, for the department's list and the consolidation drill-down."""

    id: int
    unit_code: str
    unit_name: str
    seq: int
    mode: str
    created_at: datetime
    imported_at: datetime
    imported_by: str
    signer_key_id: str
    file_name: str
    file_size: int
    new_count: int
    changed_count: int
    unchanged_count: int
    deleted_count: int
    held_count: int
    evidence_added: int
    archive_path: str
    warnings: tuple[str, ...]

    @property
    def mode_label(self) -> str:
        return "Đầy đủ" if self.mode == "full" else "Bổ sung"


def list_imports(workspace, *, bundle_ids: Sequence[int] | None = None) -> list[ImportInfo]:  # noqa: ANN001
    """Received bundles, newest first (or the given ones: which bundle an activity came from)."""
    with workspace.sessions() as session:
        units = {u.id: u for u in session.scalars(select(Unit))}
        query = select(BundleImport).order_by(BundleImport.imported_at.desc(), BundleImport.id.desc())
        if bundle_ids is not None:
            query = query.where(BundleImport.id.in_(list(bundle_ids)))
        return [
            ImportInfo(
                r.id, units[r.unit_id].code, units[r.unit_id].name, r.seq, r.mode, r.created_at, r.imported_at,
                r.imported_by, r.signer_key_id, r.file_name, r.file_size, r.new_count, r.changed_count,
                r.unchanged_count, r.deleted_count, r.held_count, r.evidence_added, r.archive_path,
                tuple(json.loads(r.warnings_json or "[]")),
            )
            for r in session.scalars(query)
        ]
