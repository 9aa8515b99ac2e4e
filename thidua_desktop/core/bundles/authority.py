"""Step 2 of an import (docs/bundle-format.md §6): who signed, in which trust state, for which unit.

The signature is checked with the registry's key, or with a new key a rotation statement of a
registered key announces. A key announced that way is *pending* until staff check its new paper
sheet: its bundles verify, but are held (never applied). Unit names shown to staff come from the
department's registry, never from the manifest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from thidua_desktop.core.bundles import canonical
from thidua_desktop.core.bundles.errors import (
    AuthorityError,
    RevokedKeyError,
    SignatureError,
    UntrustedKeyError,
)
from thidua_desktop.core.bundles.keys import rotation_trusted_comment
from thidua_desktop.core.bundles.minisign import MinisignError, PublicKey, Signature
from thidua_desktop.core.bundles.models import TrustedKey
from thidua_desktop.core.bundles.reader import RESEND_HINT, OpenBundle, check_signature
from thidua_desktop.core.bundles.trust import KeyState, revoked_for
from thidua_desktop.core.catalogue import CampaignInfo
from thidua_desktop.core.models import Unit


@dataclass(frozen=True)
class Signer:
    """Who signed: an enrolled key, or a key waiting for its sheet (`pending`), and the chain if any."""

    key_id: str
    public_key: PublicKey
    unit_id: int
    rotation: tuple[dict[str, Any], ...] = ()
    pending: bool = False


def _safe_public_key(text: str) -> PublicKey:
    try:
        return PublicKey.from_base64(text)
    except MinisignError:
        raise SignatureError("Khóa công khai ghi trong gói không hợp lệ.", hint=RESEND_HINT, reason="malformed") from None


def registry_unit(session: Session, bundle: OpenBundle) -> Unit:
    """The unit the manifest's code names, as the department's registry knows it."""
    manifest = bundle.manifest
    unit = session.scalar(select(Unit).where(Unit.code == manifest.unit_code))
    if unit is None:
        raise AuthorityError(
            f"Gói “{bundle.path.name}” ghi đơn vị mã “{manifest.unit_code}”, không có trong danh sách đơn vị của Sở.",
            hint="Kiểm tra Cài đặt › Đơn vị, hoặc liên hệ đơn vị gửi.", reason="unknown-unit",
        )
    return unit


def resolve_signer(session: Session, bundle: OpenBundle, signature: Signature, campaign: CampaignInfo) -> Signer:
    """Verify with the registry's key (or a rotation chain), then the key's authority and state."""
    manifest = bundle.manifest
    unit = registry_unit(session, bundle)
    row = session.scalar(select(TrustedKey).where(TrustedKey.key_id == manifest.key_id))
    if row is not None:
        check_signature(bundle, signature, PublicKey.from_base64(row.public_key))
        if row.public_key != manifest.public_key:
            raise SignatureError("Khóa công khai ghi trong gói khác với khóa đã đăng ký.", hint=RESEND_HINT,
                                 reason="key-mismatch")
        check_authority(session, bundle, row, unit, campaign)
        return Signer(row.key_id, PublicKey.from_base64(row.public_key), unit.id,
                      pending=row.state == KeyState.PENDING)
    chain = _rotation_chain(session, bundle, unit, campaign)
    if chain is None:
        raise UntrustedKeyError(
            f"Gói “{bundle.path.name}” ghi là của {unit.name} ({unit.code}) nhưng được ký bằng khóa {manifest.key_id}, "
            "chưa có trong danh sách khóa tin cậy của Sở.",
            # No fingerprint here on purpose: staff must read it from the unit's signed paper sheet.
            hint="Không có gì bị thay đổi. Chỉ đăng ký khóa theo phiếu đăng ký khóa có chữ ký, đóng dấu của đơn vị: "
            "gõ dấu vân tay in trên phiếu (“Đăng ký khóa…” hoặc thidua keys enrol --fingerprint). Nếu chưa có phiếu, "
            "gọi điện cho đơn vị theo số điện thoại Sở đã có để xác minh.",
            reason="unknown-key", key_id=manifest.key_id, public_key=manifest.public_key, unit_code=unit.code,
        )
    public = _safe_public_key(manifest.public_key)
    check_signature(bundle, signature, public)
    return Signer(manifest.key_id, public, unit.id, tuple(chain), pending=True)


def check_authority(session: Session, bundle: OpenBundle, row: TrustedKey, unit: Unit, campaign: CampaignInfo) -> None:
    manifest = bundle.manifest
    if row.unit_id != unit.id:
        owner = session.get(Unit, row.unit_id)
        raise AuthorityError(
            f"Gói “{bundle.path.name}” ghi là của {unit.name} nhưng được ký bằng khóa {row.key_id} "
            f"của {owner.name if owner else 'đơn vị khác'}. Một khóa chỉ được ký cho đơn vị của mình.",
            hint="Không có gì bị thay đổi. Hãy báo cho cả hai đơn vị và đề nghị gửi lại gói đúng.",
            reason="foreign-key",
        )
    if revoked_for(row, campaign.id, manifest.seq):
        raise RevokedKeyError(
            f"Gói số {manifest.seq} của {unit.name} được ký bằng khóa {row.key_id}, "
            f"đã bị thu hồi từ gói số {row.revoked_from_seq} ({row.revoke_reason or 'không ghi lý do'}).",
            hint="Không có gì bị thay đổi. Đơn vị cần ký lại bằng khóa mới đã đăng ký với Sở.",
            reason="revoked",
        )


def _verified(item: dict[str, Any], old_public: PublicKey) -> bool:
    statement = item["statement"]
    try:
        signature = Signature.parse(item["signature"].encode("utf-8"))
        if signature.trusted_comment != rotation_trusted_comment(statement):
            return False
        old_public.verify(canonical.encode(statement), signature)
    except (MinisignError, canonical.CanonicalError):
        return False
    return True


def _rotation_chain(session: Session, bundle: OpenBundle, unit: Unit, campaign: CampaignInfo) -> list[dict] | None:
    """The statements linking the signer's key to a registered key of the same unit, oldest first."""
    manifest = bundle.manifest
    by_new = {item["statement"]["new_key_id"]: item for item in manifest.rotation}
    chain: list[dict[str, Any]] = []
    current_id, current_public = manifest.key_id, manifest.public_key
    for _ in range(len(by_new) + 1):
        item = by_new.get(current_id)
        if item is None:
            return None
        statement = item["statement"]
        if statement["new_public_key"] != current_public or statement["unit"] != unit.code:
            return None
        old_id = statement["old_key_id"]
        old_row = session.scalar(select(TrustedKey).where(TrustedKey.key_id == old_id))
        old_public = PublicKey.from_base64(old_row.public_key) if old_row else (
            _safe_public_key(by_new[old_id]["statement"]["new_public_key"]) if old_id in by_new else None
        )
        if old_public is None or not _verified(item, old_public):
            return None
        chain.insert(0, statement)
        if old_row is not None:
            if old_row.unit_id != unit.id or revoked_for(old_row, campaign.id, manifest.seq):
                return None
            return chain
        current_id, current_public = old_id, by_new[old_id]["statement"]["new_public_key"]
    return None
