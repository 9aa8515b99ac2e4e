"""`BundleService`: everything the GUI and the CLI do with signed bundles, keys and the trust registry.

`workspace.bundles()` returns one. The GUI and the CLI call these methods and open no session; the
rules stay in the modules beside this one (plan/apply/verify/history of an import, the exporter, the
pending list, keys and trust). Mutations return a report of what changed; long work takes `progress`
and `cancel` (core/progress.py) so the GUI can run it off its thread with a Cancel button.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from thidua_desktop.core.activities import ChangeReport
from thidua_desktop.core.bundles import exporter, holds, importer, keys, pending, revocation, trust
from thidua_desktop.core.bundles.chain import ImportStatus
from thidua_desktop.core.bundles.exporter import ExportRecord, ExportReport, ExportStatus
from thidua_desktop.core.bundles.holds import FreezeInfo, HeldInfo
from thidua_desktop.core.bundles.host import BundleHost
from thidua_desktop.core.bundles.importer import (
    ImportInfo,
    ImportOutcome,
    ImportReport,
    PreparedImport,
    VerifyReport,
)
from thidua_desktop.core.bundles.keys import OwnKey
from thidua_desktop.core.bundles.manifest import Manifest
from thidua_desktop.core.bundles.minisign import PublicKey
from thidua_desktop.core.bundles.pending import PendingInfo
from thidua_desktop.core.bundles.reader import open_bundle
from thidua_desktop.core.bundles.revocation import ResetReport, RevokeReport
from thidua_desktop.core.bundles.trust import ConfirmReport, EnrolReport, TrustedKeyInfo, UnenrolReport
from thidua_desktop.core.errors import Cancelled, NotFoundError, UserError
from thidua_desktop.core.models import Unit, UnitKind
from thidua_desktop.core.progress import CancelFn, ProgressFn, never_cancelled
from thidua_desktop.core.shared_store import share_cached_files
from thidua_desktop.core.units import UnitInfo, get_unit, list_units


@dataclass(frozen=True)
class EvidenceRecovery:
    """What `recover_evidence` did: files shared from this machine, files restored from bundles."""

    shared: int
    restored: int
    outcomes: tuple[ImportOutcome, ...]


@dataclass(frozen=True)
class KeyReport:
    """A signing key created, rotated or replaced at a unit (each is audit-logged)."""

    action: str  # "create" / "rotate" / "replace"
    key: OwnKey


@dataclass(frozen=True)
class BundleOpening:
    """What a bundle says about itself before it is verified: enough to offer enrolling its key."""

    unit_code: str
    public_key: str
    key_id: str


class BundleService:
    """Signed bundles of one data folder: export at a unit; import, pending changes and trust at the Sở."""

    def __init__(self, host: BundleHost) -> None:
        self._host = host

    # --- the department: import -------------------------------------------------------------
    def prepare_import(self, path: Path, *, dry_run: bool = False, progress: ProgressFn | None = None,
                       cancel: CancelFn = never_cancelled) -> PreparedImport:
        """Verify and (unless `dry_run`) stage a file; the preview waits in the result. Nothing changes."""
        return importer.prepare_import(self._host, path, dry_run=dry_run, progress=progress, cancel=cancel)

    def apply_import(self, prepared: PreparedImport, *, progress: ProgressFn | None = None,
                     cancel: CancelFn = never_cancelled) -> ImportReport:
        return importer.apply_with_retry(self._host, prepared, progress=progress, cancel=cancel)

    def import_file(self, path: Path, *, progress: ProgressFn | None = None,
                    cancel: CancelFn = never_cancelled) -> ImportReport:
        return importer.import_bundle(self._host, path, progress=progress, cancel=cancel)

    def import_many(self, paths: Sequence[Path], *, progress: ProgressFn | None = None,
                    cancel: CancelFn = never_cancelled) -> list[ImportOutcome]:
        """Files and folders in sequence order, each in its own transaction; refusals don't stop the rest."""
        return importer.import_many(self._host, paths, progress=progress, cancel=cancel)

    def recover_evidence(self, paths: Sequence[Path] = (), *, progress: ProgressFn | None = None,
                         cancel: CancelFn = never_cancelled) -> EvidenceRecovery:
        """Get lost evidence back: this machine's files into the shared store, then the bundles given.

        A bundle received before is not applied again; its files the store lacks are put back from it
        (see `import_apply`), so any copy of the unit's original files (mail, USB, the unit's outbox) serves.
        """
        shared = share_cached_files(self._host.evidence_store(), cancel=cancel)
        outcomes = importer.import_many(self._host, paths, progress=progress, cancel=cancel) if paths else []
        restored = sum(o.report.evidence_added for o in outcomes if o.report is not None)
        return EvidenceRecovery(shared, restored, tuple(outcomes))

    @staticmethod
    def expand_paths(paths: Sequence[Path]) -> list[Path]:
        return importer.expand_paths(paths)

    @staticmethod
    def peek(path: Path) -> Manifest | None:
        return importer.peek(path)

    def verify(self, path: Path, *, public_key: PublicKey | None = None, progress: ProgressFn | None = None,
               cancel: CancelFn = never_cancelled) -> VerifyReport:
        return importer.verify_bundle(self._host, path, public_key=public_key, progress=progress, cancel=cancel)

    def imports(self, *, bundle_ids: Sequence[int] | None = None) -> list[ImportInfo]:
        """Received bundles, newest first."""
        return importer.list_imports(self._host, bundle_ids=bundle_ids)

    def pending(self) -> list[PendingInfo]:
        """Changes held back at import (e.g. approved periods), oldest first."""
        return pending.list_pending(self._host)

    def resolve_pending(self, ids: Sequence[int], *, apply: bool, progress: ProgressFn | None = None,
                        cancel: CancelFn = never_cancelled) -> ChangeReport:
        """Apply or discard held changes in one transaction; those a guard still holds stay pending."""
        return pending.resolve_pending(self._host, list(ids), apply=apply, progress=progress, cancel=cancel)

    # --- the unit: export -------------------------------------------------------------------
    def export(self, destination: Path | None = None, *, passphrase: str, mode: str = "delta",
               progress: ProgressFn | None = None, cancel: CancelFn = never_cancelled) -> ExportReport:
        return exporter.export_bundle(self._host, destination, passphrase=passphrase, mode=mode,
                                      progress=progress, cancel=cancel)

    def export_status(self) -> ExportStatus:
        return exporter.export_status(self._host)

    def export_history(self) -> list[ExportRecord]:
        return exporter.export_history(self._host)

    def outgoing_dir(self) -> Path:
        return exporter.outgoing_dir(self._host)

    def next_file_name(self, seq: int) -> str:
        """The default name of the unit's bundle number `seq`."""
        return exporter.bundle_file_name(keys.own_unit_code(self._host), self._host.campaign().code, seq)

    # --- the unit: its signing keys ---------------------------------------------------------
    def own_key(self) -> OwnKey | None:
        """The unit's current signing key, or None before one is made."""
        return keys.keyring_of(self._host).current(keys.own_unit_code(self._host))

    def require_key(self) -> OwnKey:
        """The current key, or NoKeyError saying how to make one."""
        return keys.current_key(self._host)

    def own_keys(self) -> list[tuple[OwnKey, bool]]:
        """Every key this machine made, with whether it is the one in use."""
        keyring = keys.keyring_of(self._host)
        current = keyring.current()
        return [(key, current is not None and key.key_id == current.key_id) for key in keyring.list_keys()]

    def create_key(self, passphrase: str, confirmation: str | None = None) -> KeyReport:
        return KeyReport("create", keys.create_key(self._host, passphrase, confirmation))

    def rotate_key(self, old_passphrase: str, new_passphrase: str, confirmation: str | None = None) -> KeyReport:
        return KeyReport("rotate", keys.rotate_key(self._host, old_passphrase, new_passphrase, confirmation))

    def replace_lost_key(self, new_passphrase: str, confirmation: str | None = None) -> KeyReport:
        return KeyReport("replace", keys.replace_lost_key(self._host, new_passphrase, confirmation))

    def public_key_file_text(self, key: OwnKey) -> str:
        """The `.pub` file to send the department: it names the unit, which enrolment checks."""
        return keys.public_key_file_text(key.public_key, key.unit_code)

    def retired_secret_keys(self) -> list[OwnKey]:
        """Retired keys whose secret file is still on this machine (to offer removing them)."""
        return keys.keyring_of(self._host).retired_secrets()

    def remove_retired_secret_keys(self) -> list[OwnKey]:
        """Delete the secret files of retired keys, after the user confirmed; audited."""
        return keys.remove_retired_keys(self._host)

    def write_enrolment_sheet(self, target: Path, key: OwnKey | None = None) -> Path:
        from thidua_desktop.core.bundles.sheet import write_enrolment_sheet

        return write_enrolment_sheet(self._host, target, key)

    # --- the department: trust registry -----------------------------------------------------
    def trusted_keys(self) -> list[TrustedKeyInfo]:
        with self._host.sessions() as session:
            return trust.list_trusted_keys(session)

    @staticmethod
    def parse_public_key(text: str) -> PublicKey:
        """A pasted key line or .pub file text, or TrustRegistryError."""
        return trust.parse_public_key(text)

    @staticmethod
    def opening(path: Path) -> BundleOpening:
        """Read a bundle's own statement of unit and key (to enrol a key from a received file)."""
        with open_bundle(path) as bundle:
            m = bundle.manifest
            return BundleOpening(m.unit_code, m.public_key, m.key_id)

    def enrol(self, unit_code: str, public_key: str, *, confirmed: bool = False,
              typed_fingerprint: str | None = None, note: str = "") -> EnrolReport:
        return trust.enrol_key(self._host, unit_code, public_key, confirmed=confirmed,
                               typed_fingerprint=typed_fingerprint, note=note)

    def revoke(self, key_id: str, from_seq: int, reason: str) -> RevokeReport:
        """Revoke a key and, in cascade, the keys it endorsed from `from_seq` on; held bundles are rejected."""
        return revocation.revoke_key(self._host, key_id, from_seq, reason)

    def unenrol(self, key_id: str, reason: str) -> UnenrolReport:
        """Undo an enrolment (a wrong unit code) while no bundle was received under the key."""
        return trust.unenrol_key(self._host, key_id, reason)

    def reset_sequence(self, unit_code: str, to_seq: int, reason: str) -> ResetReport:
        """After revoking: received bundles above `to_seq` signed by revoked keys leave the chain."""
        return revocation.reset_sequence(self._host, unit_code, to_seq, reason)

    # --- the department: held bundles, pending keys and frozen chains ------------------------
    def holds(self, *, include_resolved: bool = False) -> list[HeldInfo]:
        """Bundles kept aside for staff (“chờ xử lý”), by unit and seq."""
        return holds.list_holds(self._host, include_resolved=include_resolved)

    def freezes(self) -> list[FreezeInfo]:
        """Units whose chain is frozen by a fork until staff choose a branch."""
        return holds.list_freezes(self._host)

    def confirm_key(self, key_id: str, *, typed_fingerprint: str | None = None, confirmed: bool = False,
                    progress: ProgressFn | None = None, cancel: CancelFn = never_cancelled
                    ) -> tuple[ConfirmReport, list[ImportOutcome]]:
        """Confirm a pending key from its new paper sheet, then import the bundles it signed (held till now)."""
        report = trust.confirm_key(self._host, key_id, typed_fingerprint=typed_fingerprint, confirmed=confirmed)
        return report, self.release_holds(holds.releasable(self._host, report.key_id), progress=progress,
                                          cancel=cancel)

    def choose_branch(self, unit_code: str, head_hold_id: int | None, reason: str, *,
                      progress: ProgressFn | None = None, cancel: CancelFn = never_cancelled) -> list[ImportOutcome]:
        """End a freeze: keep the received chain (None) or the held branch through that bundle; then import it."""
        chosen = holds.choose_branch(self._host, unit_code, head_hold_id, reason)
        return self.release_holds(chosen, progress=progress, cancel=cancel)

    def approve_holds(self, ids: Sequence[int], reason: str, *, progress: ProgressFn | None = None,
                      cancel: CancelFn = never_cancelled) -> list[ImportOutcome]:
        """Allow held sequence jumps once (staff checked with the unit), then import them."""
        return self.release_holds(holds.approve(self._host, ids, reason), progress=progress, cancel=cancel)

    def release_holds(self, ids: Sequence[int], *, progress: ProgressFn | None = None,
                      cancel: CancelFn = never_cancelled) -> list[ImportOutcome]:
        """Import held bundles again, in the given order; those still held stay, refusals do not stop the rest."""
        outcomes = []
        for index, hold_id in enumerate(ids):
            if cancel():
                raise Cancelled()
            path = holds.held_file(self._host, hold_id)
            try:
                report = importer.import_bundle(self._host, path, cancel=cancel)
            except UserError as error:
                outcomes.append(ImportOutcome(path, None, error))
                continue
            if report.status is not ImportStatus.HELD:
                holds.mark_applied(self._host, hold_id)
            outcomes.append(ImportOutcome(path, report, None, report.summary.unit_code, report.summary.seq))
            if progress:
                progress(index + 1, len(ids))
        return outcomes

    def default_revoke_seq(self, unit_code: str) -> int:
        """The first bundle number not yet received from the unit in this plan: where a revocation starts."""
        campaign = self._host.campaign()
        with self._host.sessions() as session:
            unit_id = session.scalar(select(Unit.id).where(Unit.code == unit_code))
            if unit_id is None:
                raise NotFoundError(f"Không có đơn vị mã “{unit_code}”.", hint="Kiểm tra Cài đặt › Đơn vị.")
            return trust.last_imported_seq(session, unit_id, campaign.id) + 1

    def incidents(self) -> list[dict[str, Any]]:
        """Equivocations and forks flagged at import, oldest first."""
        return trust.list_incidents(self._host.layout)

    # --- units, as the dialogs show them ---------------------------------------------------
    def sending_units(self) -> list[UnitInfo]:
        """The units that send bundles (every unit but the department), in list order."""
        with self._host.sessions() as session:
            return [u for u in list_units(session) if u.kind is not UnitKind.DEPARTMENT]

    def unit(self, code: str) -> UnitInfo:
        with self._host.sessions() as session:
            return get_unit(session, code)

