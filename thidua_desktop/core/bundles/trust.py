"""The department's trust registry: which public key may sign for which unit, and from which seq it may not.

- Enrolment binds a key to a unit after someone confirmed its fingerprint against the paper sheet.
  A unit has one key in use: enrolling a new one retires the others from the next sequence number.
- Rotation: a bundle signed by a new key carries a statement signed by the old key; the new key is
  then *pending*: its bundles are held, and the old key stays valid, until staff confirm the new key's
  fingerprint from its new paper sheet (`confirm_key`), which retires the old key.
- Revocation (`revocation.py`) from seq N of campaign C refuses the key for seq ≥ N in C and for every
  other campaign, and cascades to the keys it endorsed from N on.
- An enrolment can be undone while no bundle was received under it (a wrong unit code, say).
Every change is written to the audit log. Incidents (equivocation, forks) are appended to
`bundles/incidents.jsonl` outside the database, because a refused import must not change the database.
"""

from __future__ import annotations

import enum
import json
import os
import re
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
from thidua_desktop.core.bundles.models import BundleImport, HeldBundle, TrustedKey
from thidua_desktop.core.models import Campaign, Unit, utc_now
from thidua_desktop.core.paths import DataLayout
from thidua_desktop.core.text import nfc

INCIDENTS_FILE = "incidents.jsonl"
QR_PREFIX = "thidua-key:1"
_DECLARED_UNIT = re.compile(r"unit=([A-Za-z0-9._-]{1,64})")


class KeyState(enum.StrEnum):
    ENROLLED = "enrolled"  # checked against a signed and sealed paper sheet
    PENDING = "pending"  # announced by a rotation statement; waits for its new sheet


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
    state: str = KeyState.ENROLLED
    endorsed_at_seq: int | None = None

    @property
    def pending(self) -> bool:
        return self.state == KeyState.PENDING and self.revoked_from_seq is None

    @property
    def status(self) -> str:
        if self.state == KeyState.PENDING:
            return "Chờ đối chiếu phiếu" if self.revoked_from_seq is None else "Không được xác nhận (thu hồi)"
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


def declared_unit(text: str) -> str | None:
    """The unit code a `.pub` file's comment or an enrolment sheet's QR text names (None for a bare key)."""
    found = _DECLARED_UNIT.search(text.split("\n")[0] if not text.startswith(QR_PREFIX) else text)
    return found.group(1) if found else None


def parse_public_key(text: str) -> PublicKey:
    text = text.strip()
    if text.startswith(QR_PREFIX):  # the QR code of the enrolment sheet: thidua-key:1;unit=…;key=RW…
        text = next((part[4:] for part in text.split(";") if part.startswith("key=")), "")
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
            r.state, r.endorsed_at_seq,
        )
        for r in rows
    ]


def last_imported_seq(session: Session, unit_id: int, campaign_id: int) -> int:
    """The highest seq received from the unit (superseded imports have seq = -id and do not count)."""
    return session.scalar(
        select(func.coalesce(func.max(BundleImport.seq), 0)).where(
            BundleImport.unit_id == unit_id, BundleImport.campaign_id == campaign_id, BundleImport.seq > 0
        )
    ) or 0


def _unit(session: Session, code: str) -> Unit:
    unit = session.scalar(select(Unit).where(Unit.code == code))
    if unit is None:
        raise TrustRegistryError(f"Không có đơn vị mã “{code}”.", hint="Kiểm tra lại mã đơn vị trong Cài đặt › Đơn vị.")
    return unit


def retire_others(session: Session, unit_id: int, keep_key_id: str, campaign_id: int, from_seq: int,
                  reason: str, actor: str) -> list[str]:
    """A unit has one key in use: every other key of it is refused from `from_seq` (audited)."""
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
            other.retired_by_key_id = keep_key_id
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


def check_fingerprint(public: PublicKey, typed_fingerprint: str | None, confirmed: bool) -> None:
    """The fingerprint was typed from the paper sheet (CLI) or compared group by group (GUI checkbox)."""
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


def _check_declared_unit(public_key_text: str, unit: Unit) -> None:
    declared = declared_unit(public_key_text)
    if declared is not None and declared != unit.code:
        raise TrustRegistryError(
            f"Khóa này được tạo cho đơn vị mã “{declared}” (ghi trong tệp khóa công khai hoặc mã QR của phiếu), "
            f"không phải {unit.name} ({unit.code}).",
            hint="Không có gì bị thay đổi. Kiểm tra lại mã đơn vị: đăng ký nhầm đơn vị sẽ khóa đơn vị đó lại.",
        )


def enrol_key(
    workspace: BundleHost,
    unit_code: str,
    public_key_text: str,
    *,
    typed_fingerprint: str | None = None,
    confirmed: bool = False,
    note: str = "",
) -> EnrolReport:
    """Bind a key to a unit once its fingerprint was checked against the unit's paper sheet.

    `typed_fingerprint` (CLI) must equal the key's; otherwise `confirmed` (GUI checkbox) must be set.
    A `.pub` file or QR text that names another unit is refused. A revoked key is free to enrol again.
    """
    public = parse_public_key(public_key_text)
    check_fingerprint(public, typed_fingerprint, confirmed)
    campaign = workspace.campaign()
    with workspace.transaction() as session:
        unit = _unit(session, unit_code)
        _check_declared_unit(public_key_text.strip(), unit)
        row = session.scalar(select(TrustedKey).where(TrustedKey.key_id == public.key_id_hex))
        if row is not None and row.public_key != public.to_base64():
            raise TrustRegistryError(f"Đã có một khóa khác cùng mã {public.key_id_hex}.",
                                     hint="Hãy đề nghị đơn vị tạo khóa mới.")
        if row is not None and row.revoked_from_seq is None:
            if row.unit_id != unit.id:
                owner = session.get(Unit, row.unit_id)
                raise TrustRegistryError(
                    f"Mã khóa {public.key_id_hex} đã được đăng ký cho {owner.name if owner else 'đơn vị khác'}.",
                    hint="Một khóa chỉ được ký cho một đơn vị. Nếu đăng ký nhầm, hãy hủy đăng ký đó "
                    "(thidua keys unenrol) hoặc thu hồi khóa trước.",
                )
            if row.state == KeyState.ENROLLED:
                return EnrolReport(row.key_id, unit.code, row.fingerprint, True, ())
        previous = None if row is None else {"unit_id": row.unit_id, "revoked_from_seq": row.revoked_from_seq,
                                             "state": row.state}
        if row is None:
            row = TrustedKey(key_id=public.key_id_hex, public_key=public.to_base64(), fingerprint=public.fingerprint)
            session.add(row)
        row.unit_id, row.method, row.state, row.enrolled_by = unit.id, "enrolment", KeyState.ENROLLED, workspace.actor
        row.enrolled_at, row.note = utc_now(), nfc(note.strip())
        row.revoked_from_seq = row.revoked_campaign_id = row.revoked_at = row.revoked_by = row.revoke_reason = None
        session.flush()
        audit.record(session, workspace.actor, "enrol", "trusted_key", row.key_id,
                     {"unit": unit.code, "fingerprint": row.fingerprint, "note": row.note, "previous": previous})
        retired = retire_others(
            session, unit.id, row.key_id, campaign.id, last_imported_seq(session, unit.id, campaign.id) + 1,
            f"Thay bằng khóa {row.key_id} (đăng ký lại)", workspace.actor,
        )
        return EnrolReport(row.key_id, unit.code, row.fingerprint, False, tuple(retired))


@dataclass(frozen=True)
class UnenrolReport:
    key_id: str
    unit_code: str
    restored_key_ids: tuple[str, ...]  # keys this enrolment had retired, in use again


def unenrol_key(workspace: BundleHost, key_id: str, reason: str) -> UnenrolReport:
    """Undo an enrolment (a wrong unit code, say) while no bundle was received or held under the key."""
    reason = nfc(reason.strip())
    if not reason:
        raise TrustRegistryError("Chưa ghi lý do hủy đăng ký.", hint="Ví dụ: đăng ký nhầm mã đơn vị.")
    with workspace.transaction() as session:
        row = _key_row(session, key_id)
        used = session.scalar(select(func.count()).select_from(BundleImport).where(
            BundleImport.signer_key_id == row.key_id)) or 0
        used += session.scalar(select(func.count()).select_from(HeldBundle).where(
            HeldBundle.signer_key_id == row.key_id)) or 0
        if used:
            raise TrustRegistryError(
                f"Đã nhận {used} gói ký bằng khóa {row.key_id}, nên không hủy đăng ký được.",
                hint="Hãy thu hồi khóa (thidua keys revoke) thay vì hủy đăng ký; lịch sử các gói được giữ nguyên.",
            )
        unit = session.get(Unit, row.unit_id)
        restored = []
        for other in session.scalars(select(TrustedKey).where(TrustedKey.retired_by_key_id == row.key_id)):
            other.revoked_from_seq = other.revoked_campaign_id = other.revoked_at = None
            other.revoked_by = other.revoke_reason = other.retired_by_key_id = None
            audit.record(session, workspace.actor, "restore", "trusted_key", other.key_id, {"undone": row.key_id})
            restored.append(other.key_id)
        audit.record(session, workspace.actor, "unenrol", "trusted_key", row.key_id,
                     {"unit": unit.code if unit else None, "fingerprint": row.fingerprint, "reason": reason})
        session.delete(row)
        return UnenrolReport(row.key_id, unit.code if unit else "", tuple(restored))


def _key_row(session: Session, key_id: str) -> TrustedKey:
    row = session.scalar(select(TrustedKey).where(TrustedKey.key_id == key_id.strip().upper()))
    if row is None:
        raise TrustRegistryError(f"Không có khóa {key_id} trong danh sách khóa tin cậy.",
                                 hint="Xem danh sách bằng: thidua keys list")
    return row


@dataclass(frozen=True)
class ConfirmReport:
    key_id: str
    unit_code: str
    fingerprint: str
    retired_key_ids: tuple[str, ...]
    from_seq: int


def confirm_key(workspace: BundleHost, key_id: str, *, typed_fingerprint: str | None = None,
                confirmed: bool = False) -> ConfirmReport:
    """A pending (rotated) key becomes the unit's key once its new paper sheet was checked.

    The unit's other keys are retired from the first bundle the new key signed (or the next one).
    The bundles it signed stay held until they are released (`BundleService.confirm_key` does both).
    """
    campaign = workspace.campaign()
    with workspace.transaction() as session:
        row = _key_row(session, key_id)
        if row.state != KeyState.PENDING or row.revoked_from_seq is not None:
            raise TrustRegistryError(
                f"Khóa {row.key_id} không ở trạng thái chờ đối chiếu phiếu.",
                hint="Chỉ xác nhận được khóa mới do đơn vị thay khóa và chưa bị thu hồi (xem thidua keys list).",
            )
        check_fingerprint(PublicKey.from_base64(row.public_key), typed_fingerprint, confirmed)
        unit = session.get(Unit, row.unit_id)
        first_held = session.scalar(select(func.min(HeldBundle.seq)).where(
            HeldBundle.signer_key_id == row.key_id, HeldBundle.campaign_id == campaign.id,
            HeldBundle.resolved_at.is_(None)))
        from_seq = int(first_held) if first_held else last_imported_seq(session, row.unit_id, campaign.id) + 1
        row.state = KeyState.ENROLLED
        audit.record(session, workspace.actor, "confirm", "trusted_key", row.key_id,
                     {"unit": unit.code, "fingerprint": row.fingerprint, "endorsed_by": row.endorsed_by_key_id})
        retired = retire_others(session, row.unit_id, row.key_id, campaign.id, from_seq,
                                f"Thay bằng khóa {row.key_id} (đã đối chiếu phiếu mới)", workspace.actor)
        return ConfirmReport(row.key_id, unit.code, row.fingerprint, tuple(retired), from_seq)


def register_rotated(session: Session, actor: str, unit_id: int, seq: int,
                     statements: list[dict[str, Any]]) -> list[str]:
    """Record keys announced by (verified) rotation statements as *pending*; nothing is retired yet."""
    registered = []
    for statement in statements:
        if session.scalar(select(TrustedKey.id).where(TrustedKey.key_id == statement["new_key_id"])) is not None:
            continue
        public = PublicKey.from_base64(statement["new_public_key"])
        session.add(
            TrustedKey(
                key_id=public.key_id_hex, public_key=public.to_base64(), fingerprint=public.fingerprint,
                unit_id=unit_id, method="rotation", state=KeyState.PENDING, endorsed_by_key_id=statement["old_key_id"],
                endorsed_at_seq=seq, enrolled_by=actor,
            )
        )
        session.flush()
        audit.record(session, actor, "pending", "trusted_key", public.key_id_hex,
                     {"method": "rotation", "endorsed_by": statement["old_key_id"], "seq": seq})
        registered.append(public.key_id_hex)
    return registered


def enrol_rotated(session: Session, actor: str, unit_id: int, campaign_id: int, seq: int,
                  statements: list[dict[str, Any]]) -> list[str]:
    """Kept for the import's apply step: rotated keys are only ever registered as pending."""
    del campaign_id
    return register_rotated(session, actor, unit_id, seq, statements)


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
