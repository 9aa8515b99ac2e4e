"""Verify a bundle completely without changing anything.

At the department the verdict is the import's own: `prepare_import(dry_run=True)` decides (trust state,
sequence and chain rules, missing evidence, records of other units), so `bundle verify` and
`bundle import --dry-run` give the same answer and exit code. With a given key, or at a unit with its
own keys, only the signature and the hashes are checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from thidua_desktop.core.bundles.host import BundleHost
from thidua_desktop.core.bundles.import_plan import BundleSummary, ImportStatus, prepare_import, verify_steps
from thidua_desktop.core.bundles.keys import keyring_of
from thidua_desktop.core.bundles.minisign import PublicKey
from thidua_desktop.core.bundles.reader import OpenBundle, check_signature, open_bundle, parse_signature, scan
from thidua_desktop.core.models import Unit
from thidua_desktop.core.progress import CancelFn, ProgressFn, never_cancelled
from thidua_desktop.core.roles import Role

_STATUS_LABELS = {
    ImportStatus.NEW: "chưa nhận, có thể nhận",
    ImportStatus.ALREADY: "đã nhận trước đây",
    ImportStatus.HELD: "sẽ được giữ lại chờ xử lý (không áp dụng)",
}


@dataclass(frozen=True)
class VerifyReport:
    summary: BundleSummary
    signer_label: str
    sequence_label: str
    warnings: tuple[str, ...]
    status: ImportStatus | None = None  # the import's verdict (None when checked with a given key)

    @property
    def message(self) -> str:
        lines = [
            f"Gói hợp lệ: {self.summary.title}.",
            f"Chữ ký: {self.signer_label}.",
            f"{self.summary.mode_label}: {self.summary.record_count} hoạt động, {self.summary.evidence_count} tệp "
            f"minh chứng ({self.summary.evidence_included} tệp gửi kèm), mọi mã băm đều khớp.",
            f"Tình trạng ở Sở: {self.sequence_label.rstrip('.')}.",
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
    """Check a file without changing anything: the import's verdict at the department, else the signature."""
    if public_key is None and workspace.role is Role.DEPARTMENT:
        prepared = prepare_import(workspace, Path(path), dry_run=True, progress=progress, cancel=cancel)
        try:
            preview, signer = prepared.preview, prepared.signer
            label = _STATUS_LABELS[preview.status]
            if preview.status is ImportStatus.HELD:
                label += f" — {preview.held_message}"
            state = "khóa mới, chờ Sở đối chiếu phiếu" if signer.pending else "trong danh sách tin cậy"
            notices = tuple(n for n in preview.notices if not preview.held_message or preview.held_message not in n)
            return VerifyReport(preview.summary, f"khóa {signer.key_id} của {preview.summary.unit_name}, {state}",
                                label, tuple(preview.warnings) + notices, preview.status)
        finally:
            prepared.discard()
    with open_bundle(Path(path)) as bundle:
        summary = BundleSummary.of(bundle, _registry_name(workspace, bundle.manifest.unit_code))
        warnings = (summary.name_warning,) if summary.name_warning else ()
        key = public_key or _own_public_key(workspace, bundle)
        if key is None:  # not set up as the department: its (empty) registry decides, as before
            with workspace.sessions() as session:
                signer, _campaign, _unit = verify_steps(session, bundle)
            scan(bundle, progress=progress, cancel=cancel)
            return VerifyReport(summary, f"khóa {signer.key_id}, trong danh sách tin cậy", "không kiểm tra", warnings)
        check_signature(bundle, parse_signature(bundle), key)
        scan(bundle, progress=progress, cancel=cancel)
        if public_key is not None:
            return VerifyReport(summary, f"đúng khóa {key.key_id_hex} (dấu vân tay {key.fingerprint})",
                                "không kiểm tra (dùng khóa cho trước)", warnings)
        return VerifyReport(summary, f"khóa {key.key_id_hex} của chính máy này", "gói do máy này tạo", warnings)


def _registry_name(workspace: BundleHost, unit_code: str) -> str | None:
    with workspace.sessions() as session:
        return session.scalar(select(Unit.name).where(Unit.code == unit_code))


def _own_public_key(workspace: BundleHost, bundle: OpenBundle) -> PublicKey | None:
    """At a unit, its own keys verify its own bundles (it has no trust registry)."""
    if workspace.role is not Role.UNIT:
        return None
    for key in keyring_of(workspace).list_keys():
        if key.key_id == bundle.manifest.key_id and key.unit_code == bundle.manifest.unit_code:
            return key.public_key
    return None
