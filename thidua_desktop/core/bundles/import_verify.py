"""Verify a bundle completely without changing anything: with the trust registry, a given key, or (at a
unit) the unit's own keys."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from thidua_desktop.core.bundles.errors import EquivocationError, RollbackError
from thidua_desktop.core.bundles.host import BundleHost
from thidua_desktop.core.bundles.import_plan import (
    BundleSummary,
    ImportStatus,
    check_sequence,
    flagger,
    verify_steps,
)
from thidua_desktop.core.bundles.keys import keyring_of
from thidua_desktop.core.bundles.minisign import PublicKey
from thidua_desktop.core.bundles.reader import OpenBundle, check_signature, open_bundle, parse_signature, scan
from thidua_desktop.core.progress import CancelFn, ProgressFn, never_cancelled
from thidua_desktop.core.roles import Role


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
    workspace: BundleHost,
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
            signer, campaign, unit = verify_steps(session, bundle)
        scan(bundle, progress=progress, cancel=cancel)
        with workspace.sessions() as session:
            try:
                status, warnings = check_sequence(session, bundle.manifest, unit.id, campaign.id, unit.name,
                                                  flag=flagger(workspace))
                label = "đã nhận trước đây" if status is ImportStatus.ALREADY else "chưa nhận, có thể nhận"
            except (RollbackError, EquivocationError) as refusal:
                status, warnings, label = ImportStatus.NEW, [], f"sẽ bị từ chối — {refusal.message}"
        via = f" (khóa mới, được khóa {signer.rotation[0]['old_key_id']} xác nhận)" if signer.rotation else ""
        return VerifyReport(summary, f"khóa {signer.key_id} của {unit.name}, trong danh sách tin cậy{via}", label,
                            tuple(warnings))


def _own_public_key(workspace: BundleHost, bundle: OpenBundle) -> PublicKey | None:
    """At a unit, its own keys verify its own bundles (it has no trust registry)."""
    if workspace.role is not Role.UNIT:
        return None
    for key in keyring_of(workspace).list_keys():
        if key.key_id == bundle.manifest.key_id and key.unit_code == bundle.manifest.unit_code:
            return key.public_key
    return None
