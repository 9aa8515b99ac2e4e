"""Import at the department, first half: verify a bundle, apply the sequence rules, build the preview.

`prepare_import` runs every check of docs/bundle-format.md §6 and stages new evidence outside the
store; only then is a preview built (new / changed / unchanged / deleted per record, and which
changes a registered guard holds back). Nothing is changed yet: `import_apply` does that.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from thidua_desktop.core.bundles import canonical
from thidua_desktop.core.bundles.authority import Signer, resolve_signer
from thidua_desktop.core.bundles.chain import (
    MAX_SEQ_JUMP_SETTING,
    HoldReason,
    ImportStatus,
    Verdict,
    decide,
    local_time,
    max_seq_jump,
    name_warning,
)
from thidua_desktop.core.bundles.errors import (
    AuthorityError,
    EquivocationError,
    MissingEvidenceError,
    RoleError,
)
from thidua_desktop.core.bundles.guards import ChangeKind, GuardContext, RecordChange, held_reason
from thidua_desktop.core.bundles.holds import hold_bundle
from thidua_desktop.core.bundles.host import BundleHost
from thidua_desktop.core.bundles.manifest import EvidenceItem, Manifest
from thidua_desktop.core.bundles.minisign import PublicKey
from thidua_desktop.core.bundles.reader import (
    OpenBundle,
    Staging,
    check_content,
    content_warnings,
    load_campaign,
    open_bundle,
    parse_signature,
    scan,
)
from thidua_desktop.core.bundles.trust import record_incident
from thidua_desktop.core.catalogue import CampaignInfo
from thidua_desktop.core.evidence import EvidenceStore
from thidua_desktop.core.models import Activity, ActivityEvidence, Evidence, Unit
from thidua_desktop.core.progress import CancelFn, ProgressFn, never_cancelled
from thidua_desktop.core.records import row_record
from thidua_desktop.core.roles import Role
from thidua_desktop.core.text import format_datetime

__all__ = ["HoldReason", "ImportStatus", "Signer", "local_time"]


@dataclass(frozen=True)
class BundleSummary:
    """What staff read about a bundle. `unit_name` is the registry's; the manifest's own is only a warning."""

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
    manifest_unit_name: str = ""

    @classmethod
    def of(cls, bundle: OpenBundle, registry_name: str | None) -> BundleSummary:
        m = bundle.manifest
        name = registry_name or f"đơn vị mã {m.unit_code} (chưa có trong danh sách đơn vị)"
        return cls(
            bundle.path.name, bundle.archive.size, m.bundle_id, m.unit_code, name, m.campaign_code, m.seq,
            m.created_at, m.mode, m.key_id, PublicKey.from_base64(m.public_key).fingerprint, m.sha256,
            m.counts["records"], m.counts["evidence"], m.counts["evidence_included"], m.unit_name,
        )

    @property
    def name_warning(self) -> str | None:
        """The manifest names the unit differently from the registry: shown as a warning, never as the title."""
        return name_warning(self.manifest_unit_name, self.unit_name, self.unit_code)

    @property
    def mode_label(self) -> str:
        return "Gói đầy đủ" if self.mode == "full" else "Gói bổ sung"

    @property
    def title(self) -> str:
        return f"Gói số {self.seq} của {self.unit_name} (tạo lúc {format_datetime(local_time(self.created_at))})"


@dataclass
class ImportPreview:
    summary: BundleSummary
    status: ImportStatus
    changes: list[RecordChange] = field(default_factory=list)
    evidence_to_add: list[EvidenceItem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    verdict: Verdict | None = None

    @property
    def held_message(self) -> str:
        return self.verdict.held_message if self.verdict else ""

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


def require_department(workspace: BundleHost) -> None:
    if workspace.role is not Role.DEPARTMENT:
        raise RoleError(
            "Chỉ máy của Sở Tư pháp mới nhận gói dữ liệu.",
            hint="Máy này được thiết lập cho một đơn vị: hãy dùng “Gửi gói dữ liệu” để gửi số liệu về Sở.",
        )


# --- sequence rules ------------------------------------------------------------------------------


def check_sequence(session: Session, manifest: Manifest, unit_id: int, campaign_id: int, unit_name: str,
                   *, flag: Callable[..., None] | None) -> tuple[ImportStatus, list[str]]:
    """The apply step's re-check under the lock: a bundle that became held since its preview is not applied."""
    verdict = decide(session, manifest, unit_id, campaign_id, unit_name, pending_key=False, max_jump=2**63,
                     flag=flag)
    if verdict.status is ImportStatus.HELD:
        raise EquivocationError(
            f"Trong lúc xem trước, chuỗi gói của {unit_name} đã thay đổi: {verdict.held_message}",
            hint="Không có gì bị thay đổi. Hãy nhận lại tệp này.", reason="changed-meanwhile",
        )
    spoofed = name_warning(manifest.unit_name, unit_name, manifest.unit_code)
    return verdict.status, ([spoofed] if spoofed else []) + verdict.warnings


def present_evidence(session: Session, store: EvidenceStore, shas: Sequence[str]) -> set[str]:
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
            hint="Các tệp này được gửi trong một gói trước. Hãy nhận (lại) gói đó trước — nếu Sở đã nhận, các tệp "
            "còn thiếu sẽ được bổ sung từ gói (bản lưu ở thư mục bundles/archive của máy đã nhận) — hoặc đề nghị "
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


@dataclass
class Plan:
    changes: list[RecordChange]
    rows: dict[str, Activity]
    records: dict[str, dict[str, Any]]


def plan_changes(session: Session, manifest: Manifest, unit_id: int, campaign: CampaignInfo) -> Plan:
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
        elif canonical.encode(row_record(row, manifest.unit_code, campaign)) == canonical.encode(record):
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
    return Plan(held, rows, records)


# --- prepare -------------------------------------------------------------------------------------


def verify_steps(session: Session, bundle: OpenBundle) -> tuple[Signer, CampaignInfo, Unit]:
    signature = parse_signature(bundle)
    campaign = load_campaign(session, bundle)
    signer = resolve_signer(session, bundle, signature, campaign)
    check_content(bundle, campaign)
    unit = session.get(Unit, signer.unit_id)
    assert unit is not None
    return signer, campaign, unit


def flagger(workspace: BundleHost) -> Callable[..., None]:
    return lambda kind, **details: record_incident(workspace.layout, kind, actor=workspace.actor, **details)


def prepare_import(
    workspace: BundleHost,
    path: Path,
    *,
    dry_run: bool = False,
    progress: ProgressFn | None = None,
    cancel: CancelFn = never_cancelled,
) -> PreparedImport:
    """Every check, then the verdict and the preview; new evidence is staged unless `dry_run` (or held).

    This is the one decision of verify, import --dry-run and import: nothing is changed yet.
    """
    require_department(workspace)
    bundle = open_bundle(Path(path))
    staging: Staging | None = None
    try:
        store = workspace.evidence_store()
        with workspace.sessions() as session:
            signer, campaign, unit = verify_steps(session, bundle)
            included = [e.sha256 for e in bundle.manifest.evidence if e.included]
            present_included = present_evidence(session, store, included)
            verdict = decide(session, bundle.manifest, unit.id, campaign.id, unit.name, pending_key=signer.pending,
                             max_jump=max_seq_jump(workspace.setting(MAX_SEQ_JUMP_SETTING)), flag=None)
        to_stage = set(included) - present_included
        restoring = verdict.status is ImportStatus.ALREADY and to_stage  # files the store lost: put back
        if not dry_run and (verdict.status is ImportStatus.NEW or restoring):
            staging = Staging.create(workspace.layout.bundles_dir)
        scan(bundle, staging=staging, stage=to_stage, progress=progress, cancel=cancel)
        with workspace.sessions() as session:
            verdict = decide(session, bundle.manifest, unit.id, campaign.id, unit.name, pending_key=signer.pending,
                             max_jump=max_seq_jump(workspace.setting(MAX_SEQ_JUMP_SETTING)), flag=flagger(workspace))
            preview = _preview(session, store, bundle, signer, campaign, unit, verdict, to_stage)
        return PreparedImport(bundle, signer, campaign, preview, staging)
    except BaseException:
        bundle.close()
        if staging is not None:
            staging.discard()
        raise


def _preview(session: Session, store: EvidenceStore, bundle: OpenBundle, signer: Signer, campaign: CampaignInfo,
             unit: Unit, verdict: Verdict, to_stage: set[str]) -> ImportPreview:
    """Records of other units are refused whatever the verdict, missing evidence unless held; then the preview."""
    summary = BundleSummary.of(bundle, unit.name)
    preview = ImportPreview(summary, verdict.status, warnings=list(verdict.warnings), verdict=verdict)
    if summary.name_warning:
        preview.warnings.insert(0, summary.name_warning)
    if verdict.status is ImportStatus.ALREADY:
        return preview
    if verdict.status is ImportStatus.NEW:  # a held bundle may rely on files of an earlier held one:
        present = present_evidence(session, store, [e.sha256 for e in bundle.manifest.evidence])
        check_missing_evidence(bundle, unit.name, present | to_stage)  # checked again when it is released
    preview.changes = plan_changes(session, bundle.manifest, unit.id, campaign).changes
    preview.evidence_to_add = [e for e in bundle.manifest.evidence if e.sha256 in to_stage]
    preview.warnings.extend(content_warnings(bundle.manifest, campaign))
    if campaign.version != bundle.manifest.campaign_version:
        preview.warnings.append(
            f"Đơn vị dùng phiên bản {bundle.manifest.campaign_version} của kế hoạch, Sở dùng phiên bản "
            f"{campaign.version}; các mã tiêu chí, chỉ tiêu vẫn khớp nên gói vẫn nhận được."
        )
    if verdict.status is ImportStatus.HELD:
        preview.notices.append(f"Gói sẽ được giữ lại chờ xử lý, không áp dụng: {verdict.held_message}")
    if signer.rotation:
        preview.notices.append(
            f"Đơn vị thông báo đã thay khóa: khóa mới {signer.key_id} được khóa cũ "
            f"{signer.rotation[0]['old_key_id']} xác nhận. Khóa mới chỉ được dùng sau khi Sở đối chiếu dấu vân tay "
            "với phiếu đăng ký mới có chữ ký, đóng dấu; khóa cũ vẫn dùng được tới lúc đó."
        )
    return preview


def hold_prepared(workspace: BundleHost, prepared: PreparedImport) -> None:
    """Keep a held bundle aside (the apply step calls this instead of applying it)."""
    bundle, preview = prepared.bundle, prepared.preview
    assert preview.verdict is not None and preview.status is ImportStatus.HELD
    if preview.verdict.already_held:
        return
    hold_bundle(workspace, bundle.manifest, bundle.path, bundle.archive.size, prepared.signer.unit_id,
                prepared.campaign.id, prepared.signer.key_id, prepared.signer.rotation, preview.verdict)
