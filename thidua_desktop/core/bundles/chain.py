"""The sequence and chain rules of one unit's bundles (docs/bundle-format.md §6 step 4 and §7.4).

`decide` is the one place that says what happens to a verified bundle: already received, refused
(rollback, a branch staff rejected), held for staff (“chờ xử lý”: pending key, fork, frozen chain,
a jump over the allowed maximum) or importable. Verify, import --dry-run and import all call it, so
they cannot disagree. It changes nothing; holding (`holds.py`) is done by the import's apply step.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from thidua_desktop.core.bundles.errors import EquivocationError, RollbackError
from thidua_desktop.core.bundles.manifest import Manifest
from thidua_desktop.core.bundles.models import BundleImport, ChainFreeze, HeldBundle
from thidua_desktop.core.text import format_datetime

MAX_SEQ_JUMP_SETTING = "bundle_max_seq_jump"
DEFAULT_MAX_SEQ_JUMP = 1000


class ImportStatus(enum.StrEnum):
    NEW = "new"
    ALREADY = "already"
    HELD = "held"  # kept aside for staff: neither refused nor applied


class HoldReason(enum.StrEnum):
    PENDING_KEY = "pending-key"
    FORK = "fork"
    FROZEN = "frozen"
    SEQ_JUMP = "seq-jump"


HOLD_LABELS = {
    HoldReason.PENDING_KEY: "Khóa mới chờ đối chiếu phiếu",
    HoldReason.FORK: "Hai nhánh gói cùng số",
    HoldReason.FROZEN: "Chuỗi gói đang bị đóng băng",
    HoldReason.SEQ_JUMP: "Số thứ tự nhảy quá xa",
}


@dataclass
class Verdict:
    status: ImportStatus
    warnings: list[str] = field(default_factory=list)
    hold_reason: HoldReason | None = None
    hold_detail: str = ""
    already_held: bool = False

    @property
    def held_message(self) -> str:
        return f"{HOLD_LABELS[self.hold_reason]}: {self.hold_detail}" if self.hold_reason else ""


def local_time(utc: datetime) -> datetime:
    """Stored times are naive UTC; people read the machine's local time (UTC+7 in Viet Nam)."""
    return utc.replace(tzinfo=UTC).astimezone().replace(tzinfo=None)


def name_warning(manifest_name: str, registry_name: str, unit_code: str) -> str | None:
    """The manifest names the unit differently from the registry: a warning, never the headline."""
    if not manifest_name or manifest_name == registry_name:
        return None
    return (f"Gói tự ghi tên đơn vị là “{manifest_name}”, khác với tên trong danh sách đơn vị của Sở "
            f"({registry_name}, mã {unit_code}). Sở luôn dùng tên trong danh sách; hãy hỏi lại đơn vị.")


def max_seq_jump(setting: object) -> int:
    try:
        value = int(setting) if setting is not None else DEFAULT_MAX_SEQ_JUMP  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return DEFAULT_MAX_SEQ_JUMP
    return max(value, 1)


def active_freeze(session: Session, unit_id: int, campaign_id: int) -> ChainFreeze | None:
    return session.scalar(select(ChainFreeze).where(
        ChainFreeze.unit_id == unit_id, ChainFreeze.campaign_id == campaign_id, ChainFreeze.lifted_at.is_(None)))


def last_import(session: Session, unit_id: int, campaign_id: int) -> BundleImport | None:
    """The newest received bundle still in the chain (superseded ones have seq = -id)."""
    return session.scalar(
        select(BundleImport)
        .where(BundleImport.unit_id == unit_id, BundleImport.campaign_id == campaign_id, BundleImport.seq > 0)
        .order_by(BundleImport.seq.desc()).limit(1)
    )


def _held(reason: HoldReason, detail: str, warnings: list[str]) -> Verdict:
    return Verdict(ImportStatus.HELD, warnings, reason, detail)


def decide(session: Session, manifest: Manifest, unit_id: int, campaign_id: int, unit_name: str, *,
           pending_key: bool, max_jump: int, flag: Callable[..., None] | None) -> Verdict:
    """What happens to this verified bundle; raises the refusals (rollback, rejected branch)."""
    hold = session.scalar(select(HeldBundle).where(HeldBundle.manifest_sha256 == manifest.sha256))
    same_id = session.scalar(select(BundleImport).where(BundleImport.bundle_uuid == manifest.bundle_id))
    if same_id is not None and same_id.manifest_sha256 == manifest.sha256:
        if same_id.superseded_seq is not None:
            raise _rejected_branch(manifest, unit_name, same_id.superseded_reason or "")
        return Verdict(ImportStatus.ALREADY)
    if hold is not None and hold.resolution == "rejected":
        raise _rejected_branch(manifest, unit_name, hold.detail)
    approved = hold is not None and hold.approved_at is not None and hold.resolved_at is None
    verdict = _sequence_verdict(session, manifest, unit_id, campaign_id, unit_name, same_id, approved=approved,
                                max_jump=max_jump, flag=flag)
    if verdict.status is ImportStatus.NEW and pending_key:
        verdict = _held(HoldReason.PENDING_KEY,
                        f"gói được ký bằng khóa mới {manifest.key_id} mà đơn vị thông báo đã thay; khóa này chờ Sở "
                        "đối chiếu dấu vân tay với phiếu đăng ký mới có chữ ký, đóng dấu.", verdict.warnings)
    if verdict.status is ImportStatus.HELD and hold is not None and hold.resolved_at is None:
        verdict.already_held = hold.reason == verdict.hold_reason and not approved
    return verdict


def _sequence_verdict(session: Session, manifest: Manifest, unit_id: int, campaign_id: int, unit_name: str,
                      same_id: BundleImport | None, *, approved: bool, max_jump: int,
                      flag: Callable[..., None] | None) -> Verdict:
    """Rollback → refused; same seq or previous hash differs → fork (held, freezes); frozen/jump → held."""
    clash = same_id or session.scalar(select(BundleImport).where(
        BundleImport.unit_id == unit_id, BundleImport.campaign_id == campaign_id, BundleImport.seq == manifest.seq))
    if clash is not None:
        if flag:
            flag("equivocation", unit=manifest.unit_code, campaign=manifest.campaign_code, seq=manifest.seq,
                 bundle_id=manifest.bundle_id, manifest_sha256=manifest.sha256,
                 imported_bundle_id=clash.bundle_uuid, imported_sha256=clash.manifest_sha256)
        return _held(HoldReason.FORK,
                     f"{unit_name} đã gửi hai gói khác nhau cùng số thứ tự {manifest.seq} (gói số {clash.seq} đã nhận "
                     f"ngày {format_datetime(local_time(clash.imported_at))}). Chuỗi gói của đơn vị bị đóng băng cho "
                     "tới khi Sở chọn nhánh đúng.", [])
    last = last_import(session, unit_id, campaign_id)
    if last is not None and manifest.seq < last.seq:
        raise RollbackError(
            f"Gói số {manifest.seq} của {unit_name} cũ hơn gói số {last.seq} đã nhận ngày "
            f"{format_datetime(local_time(last.imported_at))}; nhận nó sẽ đưa số liệu về trạng thái cũ.",
            hint="Không có gì bị thay đổi. Gói mới hơn đã chứa toàn bộ số liệu của gói này; có thể bỏ tệp này đi.",
            reason="rollback",
        )
    freeze = active_freeze(session, unit_id, campaign_id)
    if freeze is not None and not approved:
        return _held(HoldReason.FROZEN, f"từ gói số {freeze.seq}, Sở đã thấy hai nhánh gói của {unit_name}; "
                     "không gói nào của đơn vị được nhận cho tới khi Sở chọn nhánh (hoặc thu hồi khóa).", [])
    previous = manifest.previous
    if last is not None and previous is not None and previous["seq"] == last.seq and (
        previous["manifest_sha256"] != last.manifest_sha256
    ) and not approved:
        if flag:
            flag("fork", unit=manifest.unit_code, campaign=manifest.campaign_code, seq=manifest.seq,
                 bundle_id=manifest.bundle_id, previous_seq=last.seq, claimed_sha256=previous["manifest_sha256"],
                 imported_sha256=last.manifest_sha256)
        return _held(HoldReason.FORK,
                     f"gói này nối tiếp một gói số {last.seq} khác với gói số {last.seq} Sở đã nhận: có hai nhánh. "
                     "Chuỗi gói của đơn vị bị đóng băng cho tới khi Sở chọn nhánh đúng.", [])
    last_seq = last.seq if last is not None else 0
    warnings: list[str] = []
    if manifest.seq > last_seq + max_jump and not approved:
        return _held(HoldReason.SEQ_JUMP,
                     f"gói số {manifest.seq} nhảy {manifest.seq - last_seq} số so với gói số {last_seq} đã nhận "
                     f"(tối đa cho phép {max_jump}); cần Sở gọi điện xác minh rồi xác nhận.", [])
    if manifest.seq > last_seq + 1:
        missing = f"số {last_seq + 1}" if manifest.seq == last_seq + 2 else f"từ số {last_seq + 1} đến {manifest.seq - 1}"
        warnings.append(
            f"Chưa nhận các gói {missing} của {unit_name}. Gói này vẫn nhận được vì mỗi gói chứa toàn bộ "
            "số liệu của đơn vị; nếu là gói bổ sung, có thể cần các tệp minh chứng từ các gói còn thiếu."
        )
    return Verdict(ImportStatus.NEW, warnings)


def _rejected_branch(manifest: Manifest, unit_name: str, detail: str) -> EquivocationError:
    return EquivocationError(
        f"Gói số {manifest.seq} của {unit_name} thuộc nhánh Sở đã loại ({detail or 'không ghi lý do'}).",
        hint="Không có gì bị thay đổi. Bản kê và chữ ký của gói đã nhận trước đó vẫn được lưu để đối chiếu.",
        reason="rejected-branch",
    )
