"""Export at a unit (Gửi gói dữ liệu): the full snapshot of the unit's records, signed, in one file.

The file is streamed to a temp file beside the destination and renamed only when complete; memory
stays bounded whatever the evidence size, and Cancel (or any error) leaves no file behind. Delta mode
lists evidence that earlier bundles carried without shipping it again. The sequence number is
reserved in the database (`app_meta`) before the file is put in place, and a restore carries the
numbers and history sent since the backup into the restored database (`core/backup.py`), so a number
is never reused (the department would flag that as equivocation) and the next bundle continues the
sequence the department knows. Versions before schema 6 kept the reservation in `bundles/sequence.json`;
the migration step imported it.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import uuid as uuid_module
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from thidua_desktop import APP_NAME, __version__
from thidua_desktop.core import audit
from thidua_desktop.core.activities import ChangeReport
from thidua_desktop.core.bundles import canonical
from thidua_desktop.core.bundles.container import BUNDLE_SUFFIX, MANIFEST_NAME, SIGNATURE_NAME, ZipWriter
from thidua_desktop.core.bundles.errors import ExportDestinationError, ExportEvidenceError, RoleError
from thidua_desktop.core.bundles.host import BundleHost
from thidua_desktop.core.bundles.keys import current_key, keyring_of
from thidua_desktop.core.bundles.manifest import (
    FORMAT,
    SIGNATURE_COMMENT,
    compute_counts,
    evidence_entry_name,
    format_timestamp,
    text_problems,
    trusted_comment,
)
from thidua_desktop.core.bundles.minisign import SecretKey
from thidua_desktop.core.bundles.models import BundleExport, BundleExportEvidence
from thidua_desktop.core.bundles.streaming import (
    Digest,
    SyncedWriter,
    Workers,
    read_chunks,
)
from thidua_desktop.core.catalogue import CampaignInfo
from thidua_desktop.core.errors import Cancelled, ValidationError
from thidua_desktop.core.evidence import EvidenceStore
from thidua_desktop.core.models import Activity, ActivityEvidence, AppMeta, Evidence, Unit, utc_now
from thidua_desktop.core.progress import CancelFn, ProgressFn, never_cancelled
from thidua_desktop.core.records import date_warnings, row_record
from thidua_desktop.core.text import nfc

SEQUENCE_META_PREFIX = "bundle_seq:"  # app_meta key: prefix + "unit|campaign" → last number reserved
MODES = ("delta", "full")


def bundle_file_name(unit_code: str, campaign_code: str, seq: int) -> str:
    return f"{unit_code}_{campaign_code}_{seq:04d}{BUNDLE_SUFFIX}"


def outgoing_dir(workspace: BundleHost) -> Path:
    return workspace.layout.bundles_dir / "outgoing"


@dataclass(frozen=True)
class ExportRecord:
    """One row of the export history."""

    seq: int
    created_at: datetime
    mode: str
    file_name: str
    file_path: str
    file_size: int
    manifest_sha256: str
    signer_key_id: str
    record_count: int
    evidence_included: int
    evidence_included_bytes: int

    @property
    def mode_label(self) -> str:
        return "Đầy đủ" if self.mode == "full" else "Bổ sung"


@dataclass(frozen=True)
class ExportStatus:
    """What the next bundle would carry, for the Bundles page and `thidua bundle export --dry-run`."""

    records: int
    deleted: int
    unsent: int  # never sent, or edited since the last bundle
    evidence: int
    evidence_bytes: int
    evidence_unshipped: int
    evidence_unshipped_bytes: int
    next_seq: int
    history: tuple[ExportRecord, ...]


@dataclass(frozen=True)
class ExportReport:
    path: Path
    bundle_id: str
    seq: int
    mode: str
    file_size: int
    manifest_sha256: str
    key_id: str
    record_count: int
    deleted_count: int
    evidence_count: int
    evidence_included: int
    evidence_included_bytes: int
    sent: tuple[str, ...]  # activities whose "sent" status changed
    warnings: tuple[str, ...] = ()  # what the department's reviewer will be warned about (dates)

    @property
    def change_report(self) -> ChangeReport:
        return ChangeReport(updated=self.sent)


def _require_unit(workspace: BundleHost) -> tuple[str, CampaignInfo]:
    from thidua_desktop.core.roles import Role

    if workspace.role is not Role.UNIT:
        raise RoleError(
            "Máy của Sở Tư pháp không gửi gói dữ liệu.",
            hint="Gửi gói dữ liệu là việc của máy đơn vị; máy của Sở dùng “Nhận gói dữ liệu”.",
        )
    return workspace.setting("unit_code"), workspace.campaign()


def sequence_meta_key(unit_code: str, campaign_code: str) -> str:
    return f"{SEQUENCE_META_PREFIX}{unit_code}|{campaign_code}"


def _reserved_seq(session: Session, unit_code: str, campaign_code: str) -> int:
    row = session.get(AppMeta, sequence_meta_key(unit_code, campaign_code))
    return int(row.value) if row else 0


def _history(session: Session, unit_id: int, campaign_id: int) -> list[BundleExport]:
    return list(session.scalars(
        select(BundleExport)
        .where(BundleExport.unit_id == unit_id, BundleExport.campaign_id == campaign_id)
        .order_by(BundleExport.seq.desc())
    ))


def _shipped(session: Session, unit_id: int, campaign_id: int) -> set[str]:
    return set(session.scalars(
        select(BundleExportEvidence.sha256)
        .join(BundleExport, BundleExport.id == BundleExportEvidence.export_id)
        .where(BundleExport.unit_id == unit_id, BundleExport.campaign_id == campaign_id)
        .distinct()
    ))


def _unit_row(session: Session, unit_code: str) -> Unit:
    unit = session.scalar(select(Unit).where(Unit.code == unit_code))
    assert unit is not None, unit_code
    return unit


def _export_record(row: BundleExport) -> ExportRecord:
    return ExportRecord(
        row.seq, row.created_at, row.mode, row.file_name, row.file_path, row.file_size, row.manifest_sha256,
        row.signer_key_id, row.record_count, row.evidence_included, row.evidence_included_bytes,
    )


def export_status(workspace: BundleHost) -> ExportStatus:
    unit_code, campaign = _require_unit(workspace)
    with workspace.sessions() as session:
        unit = _unit_row(session, unit_code)
        scope = (Activity.unit_id == unit.id, Activity.campaign_id == campaign.id)
        records = session.scalar(select(func.count()).select_from(Activity).where(*scope)) or 0
        deleted = session.scalar(select(func.count()).select_from(Activity).where(*scope, Activity.deleted_at.is_not(None))) or 0
        unsent = session.scalar(
            select(func.count()).select_from(Activity).where(
                *scope, (Activity.sent_revision.is_(None)) | (Activity.sent_revision < Activity.revision)
            )
        ) or 0
        files = session.execute(
            select(Evidence.sha256, Evidence.size)
            .join(ActivityEvidence, ActivityEvidence.evidence_id == Evidence.id)
            .join(Activity, Activity.id == ActivityEvidence.activity_id)
            .where(*scope, Activity.deleted_at.is_(None))
            .distinct()
        ).all()
        shipped = _shipped(session, unit.id, campaign.id)
        history = _history(session, unit.id, campaign.id)
        next_seq = _next_seq(session, unit_code, campaign.code, history)
    unshipped = [(sha, size) for sha, size in files if sha not in shipped]
    return ExportStatus(
        records, deleted, unsent, len(files), sum(size for _sha, size in files), len(unshipped),
        sum(size for _sha, size in unshipped), next_seq, tuple(_export_record(row) for row in history),
    )


def _next_seq(session: Session, unit_code: str, campaign_code: str, history: Sequence[BundleExport]) -> int:
    """One past the highest number sent or reserved: both live in the database."""
    from_history = history[0].seq if history else 0
    return max(from_history, _reserved_seq(session, unit_code, campaign_code)) + 1


def _load_records(session: Session, unit: Unit, campaign: CampaignInfo) -> tuple[list[Activity], list[dict[str, Any]]]:
    rows = list(session.scalars(
        select(Activity)
        .where(Activity.unit_id == unit.id, Activity.campaign_id == campaign.id)
        .options(selectinload(Activity.values), selectinload(Activity.attachments).selectinload(ActivityEvidence.evidence))
        .order_by(Activity.uuid)
    ))
    records = [row_record(r, unit.code, campaign) for r in rows]
    return rows, records


def _evidence_list(rows: Sequence[Activity], shipped: set[str]) -> list[dict[str, Any]]:
    by_sha: dict[str, Evidence] = {}
    for row in rows:
        if row.deleted_at is None:
            for link in row.attachments:
                by_sha.setdefault(link.evidence.sha256, link.evidence)
    return [
        {"sha256": sha, "size": int(e.size), "mime_type": e.mime_type, "name": nfc(e.original_name),
         "included": sha not in shipped}
        for sha, e in sorted(by_sha.items())
    ]


def _check_store(workspace: BundleHost, rows: Sequence[Activity], evidence: Sequence[dict[str, Any]]) -> None:
    """Fail before writing anything if a file to ship is missing or has the wrong size."""
    store = workspace.evidence_store()
    for item in evidence:
        if not item["included"]:
            continue
        path = store.path_for(item["sha256"])
        if not path.is_file() or path.stat().st_size != item["size"]:
            raise _store_problem(rows, item)


def _store_problem(rows: Sequence[Activity], item: dict[str, Any]) -> ExportEvidenceError:
    owner = next((r.title for r in rows for link in r.attachments if link.evidence.sha256 == item["sha256"]), "")
    return ExportEvidenceError(
        f"Tệp minh chứng “{item['name']}” của hoạt động “{owner[:80]}” bị mất hoặc bị thay đổi trong kho minh chứng "
        "của máy này, nên chưa tạo được gói.",
        hint="Mở hoạt động đó, gỡ tệp hỏng và đính kèm lại tệp gốc, rồi tạo gói lại. Chưa có gì được gửi.",
    )


def export_bundle(
    workspace: BundleHost,
    destination: Path | None = None,
    *,
    passphrase: str | None = None,
    secret_key: SecretKey | None = None,
    mode: str = "delta",
    progress: ProgressFn | None = None,
    cancel: CancelFn = never_cancelled,
    created_at: datetime | None = None,
) -> ExportReport:
    """Write the next bundle to `destination` (a file or a folder; default: bundles/outgoing/).

    `created_at` (UTC) is for the demo data set, which replays bundles sent in earlier years.
    """
    if mode not in MODES:
        raise ValueError(mode)
    unit_code, campaign = _require_unit(workspace)
    key = current_key(workspace)
    if secret_key is None:
        secret_key = keyring_of(workspace).unlock(key, passphrase or "")
    with workspace.sessions() as session:
        unit = _unit_row(session, unit_code)
        rows, records = _load_records(session, unit, campaign)
        history = _history(session, unit.id, campaign.id)
        shipped = _shipped(session, unit.id, campaign.id) if mode == "delta" else set()
        seq = _next_seq(session, unit_code, campaign.code, history)
    evidence = _evidence_list(rows, shipped)
    if all(item["included"] for item in evidence):
        mode = "full"  # nothing to leave out: the bundle is complete on its own
    _check_store(workspace, rows, evidence)
    last = history[0] if history else None
    bundle_id = str(uuid_module.uuid4())
    public = key.public_key
    manifest = {
        "format": FORMAT,
        "bundle_id": bundle_id,
        "created_at": format_timestamp(created_at or utc_now()),
        "app": {"name": APP_NAME, "version": __version__},
        "unit": {"code": unit.code, "name": unit.name},
        "campaign": {"code": campaign.code, "version": campaign.version},
        "seq": seq,
        "previous": {"seq": last.seq, "manifest_sha256": last.manifest_sha256} if last else None,
        "mode": mode,
        "signer": {"key_id": public.key_id_hex, "public_key": public.to_base64(),
                   "rotation": keyring_of(workspace).endorsements()},
        "records": records,
        "evidence": evidence,
        "counts": compute_counts(records, evidence),
    }
    _check_text(manifest)
    raw = canonical.encode(manifest)
    signature = secret_key.sign(raw, trusted_comment(bundle_id, unit.code, seq, campaign.code), SIGNATURE_COMMENT)
    target = _target(workspace, destination, unit.code, campaign.code, seq)
    temp = write_bundle_file(workspace.evidence_store(), target, raw, signature.text().encode("utf-8"), evidence,
                             progress, cancel)
    manifest_sha = canonical_sha(raw)
    try:
        size = temp.stat().st_size
        _reserve_seq(workspace, unit.code, campaign.code, seq)  # a number once used is never reused
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    try:  # only a bundle that exists on disk is recorded as sent
        sent = _record_export(workspace, unit, campaign, manifest, manifest_sha, target, size, rows)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    counts = manifest["counts"]
    return ExportReport(
        target, bundle_id, seq, mode, target.stat().st_size, manifest_sha, public.key_id_hex, counts["records"],
        counts["deleted"], counts["evidence"], counts["evidence_included"], counts["evidence_included_bytes"], sent,
        tuple(date_warnings(records, campaign)),
    )


def _check_text(manifest: dict[str, Any]) -> None:
    """Refuse to sign text the department would refuse (the same rule, `manifest.text_problems`)."""
    found = text_problems(manifest)
    if found:
        raise ValidationError({f"text:{index}": f"Nội dung {problem}; hãy mở hoạt động và gõ lại ô đó."
                               for index, problem in enumerate(found[:10])})


def canonical_sha(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def _target(workspace: BundleHost, destination: Path | None, unit_code: str, campaign_code: str, seq: int) -> Path:
    name = bundle_file_name(unit_code, campaign_code, seq)
    if destination is None:
        return outgoing_dir(workspace) / name
    destination = Path(destination)
    if destination.is_dir() or destination.suffix.lower() != BUNDLE_SUFFIX:
        destination.mkdir(parents=True, exist_ok=True)  # a folder (new or not): the bundle gets its own name
        destination = destination / name
    if destination.exists():
        raise ExportDestinationError(
            f"Đã có tệp “{destination.name}” ở nơi lưu; gói mới không ghi đè lên gói cũ.",
            hint="Hãy chọn một thư mục, hoặc đặt tên tệp khác.",
        )
    return destination


def write_bundle_file(store: EvidenceStore, target: Path, manifest: bytes, signature: bytes,
                      evidence: Sequence[dict[str, Any]], progress: ProgressFn | None = None,
                      cancel: CancelFn = never_cancelled) -> Path:
    """Stream the bundle into a temp file beside the target (same disk, so the rename is atomic).

    The layout is canonical, so the same manifest, signature and evidence always give the same bytes:
    this also rebuilds an archived bundle from the evidence store, byte for byte (`archive.py`).
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial")
    os.close(fd)
    temp = Path(name)
    temp.unlink()
    total = sum(item["size"] for item in evidence if item["included"]) + len(manifest)
    done = len(manifest)
    with Workers() as workers:
        out = SyncedWriter(temp, workers)
        try:
            writer = ZipWriter(out)
            writer.add_bytes(MANIFEST_NAME, manifest)
            writer.add_bytes(SIGNATURE_NAME, signature)
            shipped: list[tuple[dict[str, Any], Digest]] = []  # hashes checked at the end: no pipeline stall
            for item in evidence:
                if not item["included"]:
                    continue
                source_fd = os.open(store.path_for(item["sha256"]), os.O_RDONLY | getattr(os, "O_BINARY", 0))
                try:
                    digest = Digest(workers)

                    def chunks(fd: int = source_fd, size: int = item["size"]):  # noqa: ANN202 - generator
                        nonlocal done
                        for chunk in read_chunks(fd, 0, size, cancel):
                            done += len(chunk)
                            if progress:
                                progress(done, total)
                            yield chunk

                    writer.add_chunks(evidence_entry_name(item["sha256"]), item["size"], chunks(), digest)
                except EOFError:
                    raise _store_problem([], item) from None
                finally:
                    os.close(source_fd)
                shipped.append((item, digest))
            for item, digest in shipped:
                if digest.sha256() != item["sha256"]:
                    raise _store_problem([], item)
            writer.finish()
            if cancel():
                raise Cancelled()
            out.close_durably()
        except BaseException:
            out.abandon()
            raise
    if progress:
        progress(total, total)
    return temp


def _reserve_seq(workspace: BundleHost, unit_code: str, campaign_code: str, seq: int) -> None:
    """Committed before the file is put in place: a number once used is never handed out again."""
    with workspace.transaction() as session:
        key = sequence_meta_key(unit_code, campaign_code)
        row = session.get(AppMeta, key)
        if row is None:
            session.add(AppMeta(key=key, value=str(seq)))
        elif int(row.value) < seq:
            row.value = str(seq)


def _record_export(workspace: BundleHost, unit: Unit, campaign: CampaignInfo, manifest: dict[str, Any], manifest_sha: str,
                   target: Path, size: int, rows: Sequence[Activity]) -> tuple[str, ...]:
    """History row, shipped evidence and "sent" revisions, once the bundle file is in place."""
    seq = manifest["seq"]
    counts = manifest["counts"]
    with workspace.transaction() as session:
        row = BundleExport(
            bundle_uuid=manifest["bundle_id"], unit_id=unit.id, campaign_id=campaign.id, seq=seq, mode=manifest["mode"],
            created_by=workspace.actor, file_name=target.name, file_path=str(target), file_size=size,
            manifest_sha256=manifest_sha, signer_key_id=manifest["signer"]["key_id"],
            record_count=counts["records"], deleted_count=counts["deleted"], evidence_count=counts["evidence"],
            evidence_included=counts["evidence_included"], evidence_included_bytes=counts["evidence_included_bytes"],
        )
        session.add(row)
        session.flush()
        shipped = [e["sha256"] for e in manifest["evidence"] if e["included"]]
        if shipped:
            session.execute(
                BundleExportEvidence.__table__.insert(), [{"export_id": row.id, "sha256": sha} for sha in shipped]
            )
        changed = [(r.id, r.uuid, r.revision) for r in rows if r.sent_revision != r.revision]
        if changed:
            session.execute(update(Activity), [{"id": i, "sent_revision": rev} for i, _uuid, rev in changed])
        audit.record(session, workspace.actor, "export", "bundle", manifest["bundle_id"],
                     {"seq": seq, "mode": manifest["mode"], "file": target.name, "size": size,
                      "manifest_sha256": manifest_sha, "records": counts["records"],
                      "evidence_included": counts["evidence_included"]})
    return tuple(uuid for _id, uuid, _rev in changed)


def export_history(workspace: BundleHost) -> list[ExportRecord]:
    unit_code, campaign = _require_unit(workspace)
    with workspace.sessions() as session:
        unit = _unit_row(session, unit_code)
        return [_export_record(row) for row in _history(session, unit.id, campaign.id)]
