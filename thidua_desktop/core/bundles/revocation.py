"""Revoking a key, and what follows from it: the keys it endorsed, held bundles, frozen chains, sequence.

Revoked from seq N of campaign C, a key is refused for seq ≥ N in C and for every other campaign. The
revocation cascades to every key the revoked key endorsed by a rotation statement carried from seq N
on (and on to the keys those endorsed): a thief who stole the old key cannot keep a key it announced.
The report lists every affected bundle, received or held, rotation bundles included. Bundles held
from a revoked key are rejected and the unit's frozen chain is lifted. Afterwards the department may
reset the unit's sequence (`reset_sequence`) so the genuine unit can continue past a thief's numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from thidua_desktop.core import audit
from thidua_desktop.core.bundles.chain import active_freeze, last_import
from thidua_desktop.core.bundles.errors import TrustRegistryError
from thidua_desktop.core.bundles.holds import lift_freeze, reject_signed_by, supersede_imports
from thidua_desktop.core.bundles.host import BundleHost
from thidua_desktop.core.bundles.models import BundleImport, TrustedKey
from thidua_desktop.core.bundles.trust import KeyState, revoked_for
from thidua_desktop.core.models import Unit, utc_now
from thidua_desktop.core.text import nfc


@dataclass(frozen=True)
class AffectedBundle:
    seq: int
    key_id: str
    bundle_id: str
    file_name: str
    held: bool  # still held (now rejected), not received
    rotation: bool  # the bundle that carried the rotation statement announcing `key_id`

    @property
    def label(self) -> str:
        kind = "gói chờ xử lý, nay bị loại" if self.held else "gói đã nhận"
        extra = ", mang lời thay khóa" if self.rotation else ""
        return f"số {self.seq} ({kind}{extra}; khóa {self.key_id}; {self.file_name})"


@dataclass(frozen=True)
class RevokeReport:
    key_id: str
    unit_code: str
    from_seq: int
    already_imported: tuple[int, ...]  # seqs received from the revoked keys at or after from_seq: to review
    cascaded_key_ids: tuple[str, ...] = ()
    affected: tuple[AffectedBundle, ...] = ()
    chain_unfrozen: bool = False


def _check(from_seq: int, reason: str) -> str:
    if from_seq < 1:
        raise TrustRegistryError("Số thứ tự gói phải từ 1 trở lên.", hint="Ví dụ: thu hồi từ gói số 5.")
    reason = nfc(reason.strip())
    if not reason:
        raise TrustRegistryError("Chưa ghi lý do thu hồi khóa.", hint="Ví dụ: máy của đơn vị bị mất.")
    return reason


def _revoke_row(session: Session, row: TrustedKey, campaign_id: int, campaign_code: str, from_seq: int, reason: str,
                actor: str) -> None:
    before = row.revoked_from_seq
    row.revoked_from_seq, row.revoked_campaign_id = from_seq, campaign_id
    row.revoked_at, row.revoked_by, row.revoke_reason = utc_now(), actor, reason
    audit.record(session, actor, "revoke", "trusted_key", row.key_id,
                 {"from_seq": [before, from_seq], "campaign": campaign_code, "reason": reason})


def _endorsed_after(session: Session, key_ids: list[str], from_seq: int) -> list[TrustedKey]:
    return list(session.scalars(select(TrustedKey).where(
        TrustedKey.endorsed_by_key_id.in_(key_ids),
        # a key still waiting for its sheet is never worth keeping once its endorser is revoked
        or_(TrustedKey.state == KeyState.PENDING, TrustedKey.endorsed_at_seq.is_(None),
            TrustedKey.endorsed_at_seq >= from_seq),
    )))


def revoke_key(workspace: BundleHost, key_id: str, from_seq: int, reason: str) -> RevokeReport:
    """Revoke a key and, in cascade, the keys it endorsed from `from_seq` on; audited, one transaction."""
    reason = _check(from_seq, reason)
    campaign = workspace.campaign()
    with workspace.transaction() as session:
        row = session.scalar(select(TrustedKey).where(TrustedKey.key_id == key_id.strip().upper()))
        if row is None:
            raise TrustRegistryError(f"Không có khóa {key_id} trong danh sách khóa tin cậy.",
                                     hint="Xem danh sách bằng: thidua keys list")
        _revoke_row(session, row, campaign.id, campaign.code, from_seq, reason, workspace.actor)
        revoked, frontier, cascaded = [row.key_id], [row.key_id], []
        while frontier:
            children = [k for k in _endorsed_after(session, frontier, from_seq) if k.key_id not in revoked]
            for child in children:
                if not revoked_for(child, campaign.id, from_seq):
                    _revoke_row(session, child, campaign.id, campaign.code, from_seq,
                                f"Được khóa {child.endorsed_by_key_id} xác nhận, khóa đó đã bị thu hồi: {reason}",
                                workspace.actor)
                cascaded.append(child.key_id)
            frontier = [k.key_id for k in children]
            revoked += frontier
        affected = _affected(session, revoked, campaign.id, from_seq)
        held = reject_signed_by(session, revoked, workspace.actor, f"khóa ký đã bị thu hồi: {reason}")
        affected += [AffectedBundle(h.seq, h.signer_key_id, h.bundle_uuid, h.file_name, True, False) for h in held]
        freeze = active_freeze(session, row.unit_id, campaign.id)
        if freeze is not None:
            lift_freeze(session, freeze, "revoked", workspace.actor)
        unit = session.get(Unit, row.unit_id)
        imported = tuple(sorted({a.seq for a in affected if not a.held}))
        return RevokeReport(row.key_id, unit.code if unit else "", from_seq, imported, tuple(cascaded),
                            tuple(sorted(affected, key=lambda a: (a.seq, a.held))), freeze is not None)


def _affected(session: Session, key_ids: list[str], campaign_id: int, from_seq: int) -> list[AffectedBundle]:
    endorsed_at = dict(session.execute(
        select(TrustedKey.key_id, TrustedKey.endorsed_at_seq).where(TrustedKey.key_id.in_(key_ids))).all())
    rows = session.scalars(select(BundleImport).where(
        BundleImport.signer_key_id.in_(key_ids), BundleImport.campaign_id == campaign_id,
        BundleImport.seq >= from_seq).order_by(BundleImport.seq))
    return [AffectedBundle(r.seq, r.signer_key_id, r.bundle_uuid, r.file_name, False,
                           endorsed_at.get(r.signer_key_id) == r.seq) for r in rows]


@dataclass(frozen=True)
class ResetReport:
    unit_code: str
    to_seq: int
    superseded: tuple[int, ...]


def reset_sequence(workspace: BundleHost, unit_code: str, to_seq: int, reason: str) -> ResetReport:
    """After a revocation: received bundles above `to_seq` leave the chain, so the unit continues from it.

    Allowed only when every one of them was signed by a key revoked for its number (audited).
    """
    reason = _check(max(to_seq, 1), reason)
    if to_seq < 0:
        raise TrustRegistryError("Số thứ tự phải từ 0 trở lên.", hint="Ví dụ: đặt lại về gói số 4.")
    campaign = workspace.campaign()
    with workspace.transaction() as session:
        unit = session.scalar(select(Unit).where(Unit.code == unit_code))
        if unit is None:
            raise TrustRegistryError(f"Không có đơn vị mã “{unit_code}”.", hint="Kiểm tra lại mã đơn vị.")
        rows = list(session.scalars(select(BundleImport).where(
            BundleImport.unit_id == unit.id, BundleImport.campaign_id == campaign.id, BundleImport.seq > to_seq)))
        keys = {k.key_id: k for k in session.scalars(select(TrustedKey).where(
            TrustedKey.key_id.in_([r.signer_key_id for r in rows])))}
        valid = sorted(r.seq for r in rows if r.signer_key_id not in keys
                       or not revoked_for(keys[r.signer_key_id], campaign.id, r.seq))
        if valid:
            raise TrustRegistryError(
                f"Các gói số {', '.join(map(str, valid))} của {unit.name} được ký bằng khóa chưa bị thu hồi, nên không "
                "đặt lại số thứ tự được.",
                hint="Chỉ đặt lại được sau khi thu hồi khóa đã ký các gói đó (thidua keys revoke).",
            )
        taken = supersede_imports(session, unit.id, campaign.id, to_seq + 1,
                                  f"Sở đặt lại số thứ tự về {to_seq} sau khi thu hồi khóa: {reason}", workspace.actor)
        audit.record(session, workspace.actor, "reset-sequence", "bundle_chain", unit.code,
                     {"to_seq": to_seq, "superseded": taken, "reason": reason})
        last = last_import(session, unit.id, campaign.id)
        assert last is None or last.seq <= to_seq
        return ResetReport(unit.code, to_seq, tuple(taken))
