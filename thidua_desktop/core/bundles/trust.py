"""The department's trust registry: which public key may sign for which unit, and from which seq it may not.

- Enrolment binds a key to a unit after someone confirmed its fingerprint against the paper sheet.
  A unit has one key in use: enrolling a new one retires the others from the next sequence number.
- Rotation: a bundle signed by a new key carries a statement signed by the old key; importing it
  enrols the new key and retires the old one from that bundle's seq.
- Revocation from seq N of campaign C refuses the key for seq ≥ N in C and for every other campaign.
Every change is written to the audit log. Incidents (equivocation, forks) are appended to
`bundles/incidents.jsonl` outside the database, because a refused import must not change the database.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from thidua_desktop.core import audit
from thidua_desktop.core.bundles.errors import TrustRegistryError
from thidua_desktop.core.bundles.host import BundleHost
from thidua_desktop.core.bundles.minisign import MinisignError, PublicKey
from thidua_desktop.core.bundles.models import BundleImport, TrustedKey
from thidua_desktop.core.models import Campaign, Unit, utc_now
from thidua_desktop.core.paths import DataLayout
from thidua_desktop.core.text import nfc

INCIDENTS_FILE = "incidents.jsonl"


@dataclass(frozen=True)
class TrustedKeyInfo:
    key_id: str
    unit_code: str
    unit_name: str
    fingerprint: str
    public_key: str
    method: str
    endorsed_by_key_id: str | None
    enrolled_at: datetime
    enrolled_by: str
    revoked_from_seq: int | None
    revoked_campaign_code: str | None
    revoked_at: datetime | None
    revoke_reason: str | None

    @property
    def status(self) -> str:
        if self.revoked_from_seq is None:
            return "Đang dùng"
        return f"Thu hồi từ gói số {self.revoked_from_seq}"

    @property
    def method_label(self) -> str:
        if self.method == "rotation":
            return f"Thay khóa (xác nhận bởi {self.endorsed_by_key_id})"
        return "Đăng ký theo phiếu"


def revoked_for(key: TrustedKey, campaign_id: int, seq: int) -> bool:
    if key.revoked_from_seq is None:
        return False
    return key.revoked_campaign_id != campaign_id or seq >= key.revoked_from_seq


def normalise_fingerprint(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch in "0123456789ABCDEF")


def parse_public_key(text: str) -> PublicKey:
    try:
        return PublicKey.from_text(text)
    except MinisignError as exc:
        raise TrustRegistryError(
            f"Không đọc được khóa công khai: {exc}.",
            hint="Dán nguyên dòng khóa công khai (bắt đầu bằng “RW”) hoặc chọn tệp .pub do đơn vị gửi.",
        ) from None


def list_trusted_keys(session: Session) -> list[TrustedKeyInfo]:
    units = {u.id: u for u in session.scalars(select(Unit))}
    campaigns = {cid: code for cid, code in session.execute(select(Campaign.id, Campaign.code))}
    rows = session.scalars(select(TrustedKey).order_by(TrustedKey.unit_id, TrustedKey.enrolled_at)).all()
    return [
        TrustedKeyInfo(
            r.key_id, units[r.unit_id].code, units[r.unit_id].name, r.fingerprint, r.public_key, r.method,
            r.endorsed_by_key_id, r.enrolled_at, r.enrolled_by, r.revoked_from_seq,
            campaigns.get(r.revoked_campaign_id) if r.revoked_campaign_id else None, r.revoked_at, r.revoke_reason,
        )
        for r in rows
    ]


def last_imported_seq(session: Session, unit_id: int, campaign_id: int) -> int:
    return session.scalar(
        select(func.coalesce(func.max(BundleImport.seq), 0)).where(
            BundleImport.unit_id == unit_id, BundleImport.campaign_id == campaign_id
        )
    ) or 0


def _unit(session: Session, code: str) -> Unit:
    unit = session.scalar(select(Unit).where(Unit.code == code))
    if unit is None:
        raise TrustRegistryError(f"Không có đơn vị mã “{code}”.", hint="Kiểm tra lại mã đơn vị trong Cài đặt › Đơn vị.")
    return unit


def _retire_others(session: Session, unit_id: int, keep_key_id: str, campaign_id: int, from_seq: int,
                   reason: str, actor: str) -> list[str]:
    retired = []
    for other in session.scalars(
        select(TrustedKey).where(TrustedKey.unit_id == unit_id, TrustedKey.key_id != keep_key_id)
    ):
        if other.revoked_from_seq is None:
            other.revoked_from_seq = from_seq
            other.revoked_campaign_id = campaign_id
            other.revoked_at = utc_now()
            other.revoked_by = actor
            other.revoke_reason = reason
            audit.record(session, actor, "revoke", "trusted_key", other.key_id,
                         {"from_seq": from_seq, "reason": reason})
            retired.append(other.key_id)
    return retired


@dataclass(frozen=True)
class EnrolReport:
    key_id: str
    unit_code: str
    fingerprint: str
    already_enrolled: bool
    retired_key_ids: tuple[str, ...]


def enrol_key(
    workspace: BundleHost,
    unit_code: str,
    public_key_text: str,
    *,
    typed_fingerprint: str | None = None,
    confirmed: bool = False,
    note: str = "",
) -> EnrolReport:
    """Bind a key to a unit once its fingerprint was checked by a second channel.

    `typed_fingerprint` (CLI) must equal the key's; otherwise `confirmed` (GUI checkbox) must be set.
    """
    public = parse_public_key(public_key_text)
    if typed_fingerprint is not None:
        if normalise_fingerprint(typed_fingerprint) != normalise_fingerprint(public.fingerprint):
            raise TrustRegistryError(
                f"Dấu vân tay đã nhập không khớp với khóa {public.key_id_hex}.",
                # The right value is not shown: it would invite copying it instead of checking the paper sheet.
                hint="Hãy gõ lại đúng dấu vân tay in trên phiếu đăng ký khóa. Nếu vẫn không khớp, KHÔNG đăng ký: "
                "hãy gọi điện cho đơn vị để kiểm tra.",
            )
    elif not confirmed:
        raise TrustRegistryError(
            "Chưa xác nhận dấu vân tay của khóa.",
            hint="Hãy đối chiếu dấu vân tay với phiếu đăng ký có chữ ký, đóng dấu của đơn vị trước khi đăng ký.",
        )
    campaign = workspace.campaign()
    with workspace.transaction() as session:
        unit = _unit(session, unit_code)
        existing = session.scalar(select(TrustedKey).where(TrustedKey.key_id == public.key_id_hex))
        if existing is not None:
            if existing.public_key != public.to_base64() or existing.unit_id != unit.id:
                owner = session.get(Unit, existing.unit_id)
                raise TrustRegistryError(
                    f"Mã khóa {public.key_id_hex} đã được đăng ký cho {owner.name if owner else 'đơn vị khác'}.",
                    hint="Một khóa chỉ được ký cho một đơn vị. Hãy đề nghị đơn vị tạo khóa mới.",
                )
            return EnrolReport(existing.key_id, unit.code, existing.fingerprint, True, ())
        row = TrustedKey(
            key_id=public.key_id_hex, public_key=public.to_base64(), fingerprint=public.fingerprint,
            unit_id=unit.id, method="enrolment", enrolled_by=workspace.actor, note=nfc(note.strip()),
        )
        session.add(row)
        session.flush()
        audit.record(session, workspace.actor, "enrol", "trusted_key", row.key_id,
                     {"unit": unit.code, "fingerprint": row.fingerprint, "note": row.note})
        retired = _retire_others(
            session, unit.id, row.key_id, campaign.id, last_imported_seq(session, unit.id, campaign.id) + 1,
            f"Thay bằng khóa {row.key_id} (đăng ký lại)", workspace.actor,
        )
        return EnrolReport(row.key_id, unit.code, row.fingerprint, False, tuple(retired))


@dataclass(frozen=True)
class RevokeReport:
    key_id: str
    unit_code: str
    from_seq: int
    already_imported: tuple[int, ...]  # seqs received from this key at or after from_seq: to review


def revoke_key(workspace: BundleHost, key_id: str, from_seq: int, reason: str) -> RevokeReport:
    if from_seq < 1:
        raise TrustRegistryError("Số thứ tự gói phải từ 1 trở lên.", hint="Ví dụ: thu hồi từ gói số 5.")
    reason = nfc(reason.strip())
    if not reason:
        raise TrustRegistryError("Chưa ghi lý do thu hồi khóa.", hint="Ví dụ: máy của đơn vị bị mất.")
    campaign = workspace.campaign()
    with workspace.transaction() as session:
        row = session.scalar(select(TrustedKey).where(TrustedKey.key_id == key_id.strip().upper()))
        if row is None:
            raise TrustRegistryError(f"Không có khóa {key_id} trong danh sách khóa tin cậy.",
                                     hint="Xem danh sách bằng: thidua keys list")
        before = [row.revoked_from_seq, row.revoked_campaign_id]
        row.revoked_from_seq = from_seq
        row.revoked_campaign_id = campaign.id
        row.revoked_at = utc_now()
        row.revoked_by = workspace.actor
        row.revoke_reason = reason
        audit.record(session, workspace.actor, "revoke", "trusted_key", row.key_id,
                     {"from_seq": [before[0], from_seq], "campaign": campaign.code, "reason": reason})
        affected = session.scalars(
            select(BundleImport.seq).where(
                BundleImport.signer_key_id == row.key_id, BundleImport.campaign_id == campaign.id,
                BundleImport.seq >= from_seq,
            ).order_by(BundleImport.seq)
        ).all()
        unit = session.get(Unit, row.unit_id)
        return RevokeReport(row.key_id, unit.code if unit else "", from_seq, tuple(affected))


def enrol_rotated(session: Session, actor: str, unit_id: int, campaign_id: int, seq: int,
                  statements: list[dict[str, Any]]) -> list[str]:
    """Enrol keys announced by rotation statements (already verified), retiring their predecessors."""
    enrolled = []
    for statement in statements:
        if session.scalar(select(TrustedKey.id).where(TrustedKey.key_id == statement["new_key_id"])) is not None:
            continue
        public = PublicKey.from_base64(statement["new_public_key"])
        session.add(
            TrustedKey(
                key_id=public.key_id_hex, public_key=public.to_base64(), fingerprint=public.fingerprint,
                unit_id=unit_id, method="rotation", endorsed_by_key_id=statement["old_key_id"], enrolled_by=actor,
            )
        )
        session.flush()
        audit.record(session, actor, "enrol", "trusted_key", public.key_id_hex,
                     {"method": "rotation", "endorsed_by": statement["old_key_id"], "seq": seq})
        enrolled.append(public.key_id_hex)
    if enrolled:
        _retire_others(session, unit_id, enrolled[-1], campaign_id, seq, f"Thay bằng khóa {enrolled[-1]}", actor)
    return enrolled


# --- incidents (outside the database) --------------------------------------------------------------


def incidents_path(layout: DataLayout) -> Path:
    return layout.bundles_dir / INCIDENTS_FILE


def record_incident(layout: DataLayout, kind: str, **details: Any) -> None:
    """Append one line; flushed to disk, so a flagged equivocation survives a crash right after."""
    path = incidents_path(layout)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps({"at": utc_now().isoformat(timespec="seconds"), "kind": kind, **details},
                      ensure_ascii=False, sort_keys=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def list_incidents(layout: DataLayout) -> list[dict[str, Any]]:
    path = incidents_path(layout)
    if not path.exists():
        return []
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            found.append(json.loads(line))
        except ValueError:
            continue  # a line cut by a crash
    return found
