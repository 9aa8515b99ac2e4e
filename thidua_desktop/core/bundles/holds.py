"""Bundles held for staff (“chờ xử lý”) and frozen chains: storing them and the decisions that end them.

A held bundle is verified (signature, hashes, content) but neither refused nor applied: its file is
kept under `bundles/held/<unit>/<campaign>/` and a row says why (`chain.HoldReason`). A fork also
freezes the unit's chain. Staff leave each state by an audited decision: confirm the pending key
(`trust.confirm_key`), choose a branch (`choose_branch`), allow a jump (`approve`), or revoke the key
(`revocation.py`). Approved holds are then imported again (`BundleService.release_holds`); bundles of
a branch that was not chosen stay on disk, marked rejected.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from thidua_desktop.core import audit
from thidua_desktop.core.bundles.chain import HOLD_LABELS, HoldReason, Verdict, active_freeze, last_import
from thidua_desktop.core.bundles.container import BUNDLE_SUFFIX
from thidua_desktop.core.bundles.errors import TrustRegistryError
from thidua_desktop.core.bundles.host import BundleHost
from thidua_desktop.core.bundles.manifest import Manifest
from thidua_desktop.core.bundles.models import BundleImport, ChainFreeze, HeldBundle, PendingRecord
from thidua_desktop.core.bundles.trust import register_rotated
from thidua_desktop.core.models import Campaign, Unit, utc_now
from thidua_desktop.core.text import nfc


@dataclass(frozen=True)
class HeldInfo:
    id: int
    unit_code: str
    unit_name: str  # from the registry
    campaign_code: str
    seq: int
    bundle_id: str
    manifest_sha256: str
    previous_sha256: str | None
    signer_key_id: str
    reason: HoldReason
    detail: str
    file_name: str
    held_at: datetime
    approved: bool
    resolution: str | None

    @property
    def reason_label(self) -> str:
        return HOLD_LABELS[self.reason]


@dataclass(frozen=True)
class FreezeInfo:
    unit_code: str
    unit_name: str
    seq: int
    detail: str
    frozen_at: datetime



def _copy_durably(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    shutil.copyfile(source, partial)
    with partial.open("rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(partial, target)


def hold_bundle(host: BundleHost, manifest: Manifest, source: Path, file_size: int, unit_id: int, campaign_id: int,
                signer_key_id: str, rotation: Sequence[dict], verdict: Verdict) -> int:
    """Keep a verified bundle aside (file and row), register keys it announces as pending, freeze on a fork."""
    assert verdict.hold_reason is not None
    target = (host.layout.bundles_dir / "held" / manifest.unit_code / manifest.campaign_code
              / f"{manifest.seq:05d}_{manifest.sha256[:16]}{BUNDLE_SUFFIX}")
    copied = not target.exists()
    if copied:
        _copy_durably(source, target)
    try:
        with host.transaction() as session:
            row = session.scalar(select(HeldBundle).where(HeldBundle.manifest_sha256 == manifest.sha256))
            if row is None:
                row = HeldBundle(
                    bundle_uuid=manifest.bundle_id, manifest_sha256=manifest.sha256, unit_id=unit_id,
                    campaign_id=campaign_id, seq=manifest.seq, signer_key_id=signer_key_id,
                    previous_sha256=manifest.previous["manifest_sha256"] if manifest.previous else None,
                    file_name=source.name, file_size=file_size, held_by=host.actor,
                    held_path=target.relative_to(host.layout.root).as_posix(),
                )
                session.add(row)
            row.reason, row.detail = str(verdict.hold_reason), verdict.hold_detail
            row.approved_at = row.approved_by = None
            session.flush()
            register_rotated(session, host.actor, unit_id, manifest.seq, list(rotation))
            if verdict.hold_reason is HoldReason.FORK and active_freeze(session, unit_id, campaign_id) is None:
                session.add(ChainFreeze(unit_id=unit_id, campaign_id=campaign_id, seq=manifest.seq,
                                        detail=verdict.hold_detail))
                audit.record(session, host.actor, "freeze", "bundle_chain", manifest.unit_code,
                             {"seq": manifest.seq, "bundle": manifest.bundle_id, "sha256": manifest.sha256})
            audit.record(session, host.actor, "hold", "bundle", manifest.bundle_id,
                         {"unit": manifest.unit_code, "seq": manifest.seq, "reason": str(verdict.hold_reason),
                          "signer": signer_key_id, "file": source.name})
            return row.id
    except BaseException:
        if copied:
            target.unlink(missing_ok=True)
        raise


def _info(session: Session, row: HeldBundle) -> HeldInfo:
    unit = session.get(Unit, row.unit_id)
    campaign = session.get(Campaign, row.campaign_id)
    return HeldInfo(row.id, unit.code, unit.name, campaign.code if campaign else "", row.seq, row.bundle_uuid,
                    row.manifest_sha256, row.previous_sha256, row.signer_key_id, HoldReason(row.reason), row.detail,
                    row.file_name, row.held_at, row.approved_at is not None, row.resolution)


def list_holds(host: BundleHost, *, include_resolved: bool = False) -> list[HeldInfo]:
    with host.sessions() as session:
        query = select(HeldBundle).order_by(HeldBundle.unit_id, HeldBundle.seq, HeldBundle.id)
        if not include_resolved:
            query = query.where(HeldBundle.resolved_at.is_(None))
        return [_info(session, row) for row in session.scalars(query)]


def list_freezes(host: BundleHost) -> list[FreezeInfo]:
    with host.sessions() as session:
        result = []
        for row in session.scalars(select(ChainFreeze).where(ChainFreeze.lifted_at.is_(None))):
            unit = session.get(Unit, row.unit_id)
            result.append(FreezeInfo(unit.code, unit.name, row.seq, row.detail, row.frozen_at))
        return result


def held_file(host: BundleHost, hold_id: int) -> Path:
    with host.sessions() as session:
        row = session.get(HeldBundle, hold_id)
        if row is None:
            raise TrustRegistryError(f"Không có gói chờ xử lý số {hold_id}.", hint="Xem: thidua bundle held")
        return host.layout.root / row.held_path


def _unresolved(session: Session, ids: Sequence[int]) -> list[HeldBundle]:
    rows = [session.get(HeldBundle, i) for i in ids]
    missing = [str(i) for i, row in zip(ids, rows, strict=True) if row is None or row.resolved_at is not None]
    if missing:
        raise TrustRegistryError(f"Không có gói chờ xử lý số {', '.join(missing)}.", hint="Xem: thidua bundle held")
    return rows  # type: ignore[return-value]


def approve(host: BundleHost, ids: Sequence[int], reason: str) -> list[int]:
    """Staff checked with the unit (a sequence jump): these holds may pass the jump rule once."""
    reason = _reason(reason)
    with host.transaction() as session:
        rows = _unresolved(session, ids)
        for row in rows:
            if row.reason != HoldReason.SEQ_JUMP:
                raise TrustRegistryError(
                    f"Gói chờ xử lý số {row.id} ({HOLD_LABELS[HoldReason(row.reason)]}) không xác nhận theo cách này.",
                    hint="Khóa mới: đối chiếu phiếu (thidua keys confirm). Hai nhánh: chọn nhánh (thidua bundle choose).",
                )
            row.approved_at, row.approved_by = utc_now(), host.actor
            audit.record(session, host.actor, "approve", "bundle", row.bundle_uuid, {"seq": row.seq, "reason": reason})
        return [row.id for row in sorted(rows, key=lambda r: r.seq)]


def _reason(reason: str) -> str:
    reason = nfc(reason.strip())
    if not reason:
        raise TrustRegistryError("Chưa ghi lý do.", hint="Ví dụ: đã gọi điện xác minh với đơn vị.")
    return reason


def _branch_of(rows: list[HeldBundle], seeds: set[str]) -> list[HeldBundle]:
    """The held bundles linked to `seeds` by their previous hashes, both ways (ancestors and descendants)."""
    members = {r.manifest_sha256 for r in rows if r.manifest_sha256 in seeds}
    by_sha = {r.manifest_sha256: r for r in rows}
    changed = True
    while changed:
        changed = False
        for row in rows:
            linked = row.previous_sha256 in members or row.previous_sha256 in seeds
            parent_of_member = any(by_sha[m].previous_sha256 == row.manifest_sha256 for m in members if m in by_sha)
            if row.manifest_sha256 not in members and (linked or parent_of_member):
                members.add(row.manifest_sha256)
                changed = True
    return [r for r in rows if r.manifest_sha256 in members]


def choose_branch(host: BundleHost, unit_code: str, head_hold_id: int | None, reason: str) -> list[int]:
    """End a freeze: keep the received chain (`head_hold_id` None) or the held branch through that bundle.

    Choosing a held branch supersedes the received bundles from where it parts (their seq becomes -id,
    the number is kept in `superseded_seq`); the other branch's held bundles are marked rejected. Their
    files all stay on disk. Returns the holds to import now, in sequence order.
    """
    reason = _reason(reason)
    campaign = host.campaign()
    with host.transaction() as session:
        unit = session.scalar(select(Unit).where(Unit.code == unit_code))
        freeze = active_freeze(session, unit.id, campaign.id) if unit else None
        if unit is None or freeze is None:
            raise TrustRegistryError(f"Chuỗi gói của đơn vị “{unit_code}” không bị đóng băng.",
                                     hint="Xem các gói chờ xử lý: thidua bundle held")
        rows = list(session.scalars(select(HeldBundle).where(
            HeldBundle.unit_id == unit.id, HeldBundle.campaign_id == campaign.id, HeldBundle.resolved_at.is_(None),
            HeldBundle.reason.in_([HoldReason.FORK, HoldReason.FROZEN]))))
        if head_hold_id is None:
            last = last_import(session, unit.id, campaign.id)
            chosen = [r for r in _branch_of(rows, {last.manifest_sha256} if last else set())
                      if last is None or r.seq > last.seq]
        else:
            head = next((r for r in rows if r.id == head_hold_id), None)
            if head is None:
                raise TrustRegistryError(f"Gói chờ xử lý số {head_hold_id} không thuộc chuỗi bị đóng băng của "
                                         f"{unit.name}.", hint="Xem: thidua bundle held")
            chosen = _branch_of(rows, {head.manifest_sha256})
            supersede_imports(session, unit.id, campaign.id, min(r.seq for r in chosen),
                       f"Sở chọn nhánh khác (gói chờ xử lý số {head.id}): {reason}", host.actor)
        now = utc_now()
        for row in rows:
            if row in chosen:
                row.approved_at, row.approved_by = now, host.actor
            else:
                row.resolved_at, row.resolved_by, row.resolution = now, host.actor, "rejected"
                row.detail = f"nhánh không được chọn: {reason}"
        lift_freeze(session, freeze, "kept-received" if head_hold_id is None else "chose-held", host.actor)
        audit.record(session, host.actor, "choose-branch", "bundle_chain", unit.code,
                     {"head": head_hold_id, "chosen": sorted(r.seq for r in chosen), "reason": reason,
                      "rejected": sorted(r.seq for r in rows if r not in chosen)})
        return [r.id for r in sorted(chosen, key=lambda r: r.seq)]


def supersede_imports(session: Session, unit_id: int, campaign_id: int, from_seq: int, reason: str, actor: str) -> list[int]:
    """Take received bundles from `from_seq` on out of the chain (kept, with their number, for the record).

    Their changes still held back by a guard go with them: staff rejected that branch (or its key), so
    applying them later would bring the rejected data in through the pending list.
    """
    rows = session.scalars(select(BundleImport).where(
        BundleImport.unit_id == unit_id, BundleImport.campaign_id == campaign_id, BundleImport.seq >= from_seq))
    taken = []
    for row in rows:
        taken.append(row.seq)
        row.superseded_seq, row.seq = row.seq, -row.id
        row.superseded_at, row.superseded_reason = utc_now(), reason
        audit.record(session, actor, "supersede", "bundle", row.bundle_uuid, {"seq": row.superseded_seq,
                                                                              "reason": reason})
        for pending in session.scalars(select(PendingRecord).where(
                PendingRecord.import_id == row.id, PendingRecord.resolved_at.is_(None))):
            pending.resolved_at, pending.resolved_by, pending.resolution = utc_now(), actor, "superseded"
    session.flush()
    return sorted(taken)




def lift_freeze(session: Session, freeze: ChainFreeze, resolution: str, actor: str) -> None:
    freeze.lifted_at, freeze.lifted_by, freeze.resolution = utc_now(), actor, resolution
    audit.record(session, actor, "unfreeze", "bundle_chain", str(freeze.unit_id),
                 {"seq": freeze.seq, "resolution": resolution})


def reject_signed_by(session: Session, key_ids: Sequence[str], actor: str, reason: str) -> list[HeldBundle]:
    """Held bundles signed by revoked keys: rejected (the files stay on disk)."""
    rows = list(session.scalars(select(HeldBundle).where(
        HeldBundle.signer_key_id.in_(list(key_ids)), HeldBundle.resolved_at.is_(None))))
    for row in rows:
        row.resolved_at, row.resolved_by, row.resolution = utc_now(), actor, "rejected"
        row.detail = reason
        audit.record(session, actor, "reject", "bundle", row.bundle_uuid, {"seq": row.seq, "reason": reason})
    return rows


def releasable(host: BundleHost, key_id: str) -> list[int]:
    """Unresolved holds signed by a key (to import once the key is confirmed), in sequence order."""
    with host.sessions() as session:
        return list(session.scalars(select(HeldBundle.id).where(
            HeldBundle.signer_key_id == key_id, HeldBundle.resolved_at.is_(None)).order_by(HeldBundle.seq)))


def mark_applied(host: BundleHost, hold_id: int) -> None:
    """The held bundle was imported: its row is resolved and the held copy removed (it is archived now)."""
    with host.transaction() as session:
        row = session.get(HeldBundle, hold_id)
        if row is None or row.resolved_at is not None:
            return
        row.resolved_at, row.resolved_by, row.resolution = utc_now(), host.actor, "applied"
        path = host.layout.root / row.held_path
    path.unlink(missing_ok=True)
