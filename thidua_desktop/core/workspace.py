"""The one entry object that owns an open data folder: database, settings and campaign catalogue.

The GUI and the CLI both open their data through `Workspace.open`, so they see the same state.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from thidua_desktop.core import audit, backup
from thidua_desktop.core.activities import ActivityService
from thidua_desktop.core.awards.catalog import load_catalog
from thidua_desktop.core.awards.service import AwardService, award_data_dir
from thidua_desktop.core.bundles.import_apply import recover_interrupted_imports
from thidua_desktop.core.bundles.service import BundleService
from thidua_desktop.core.campaigns import CatalogueSyncReport, sync_catalogue
from thidua_desktop.core.catalogue import CampaignInfo, load_campaign_info
from thidua_desktop.core.consolidation import review as _review  # noqa: F401  (registers its import guard)
from thidua_desktop.core.consolidation.review_service import ReviewService
from thidua_desktop.core.consolidation.service import ConsolidationService, ServiceContext
from thidua_desktop.core.db import is_sqlite, make_engine, make_session_factory
from thidua_desktop.core.errors import NotFoundError, UserError
from thidua_desktop.core.evidence import EvidenceService, EvidenceStore
from thidua_desktop.core.machine import MachineSettings, load_machine, save_machine
from thidua_desktop.core.migrations import (
    MigrationReport,
    check_not_newer,
    peek_sqlite_version,
    pending_upgrade,
    prepare_database,
)
from thidua_desktop.core.models import Setting
from thidua_desktop.core.overview import OverviewService
from thidua_desktop.core.paths import DATABASE_URL_ENV, DataLayout
from thidua_desktop.core.progress import CancelFn, check_cancel, never_cancelled
from thidua_desktop.core.query import ActivityQueries
from thidua_desktop.core.roles import ROLE_LABELS, Role
from thidua_desktop.core.shared_store import SharedEvidenceStore
from thidua_desktop.core.text import nfc
from thidua_desktop.core.units import UnitInfo, UnitService, seed_units

__all__ = ["ROLE_LABELS", "NoDataError", "Role", "Workspace"]

DEFAULT_SETTINGS: dict[str, Any] = {
    "role": None,
    "unit_code": None,
    "campaign_code": None,
    "evidence_max_mb": 50,
    "downscale_photos": True,
    "photo_max_px": 2000,
    "backup_keep": 10,
    "official_name": "",  # who reviews and approves at the department (Cài đặt › Máy này)
}


class NoDataError(NotFoundError):
    """A folder (or database) opened for reading holds no data: most often a mistyped --data-dir."""


@dataclass(frozen=True)
class OpenReport:
    migration: MigrationReport
    catalogue: CatalogueSyncReport
    units_seeded: int
    backup_before_upgrade: Path | None

    @property
    def upgrade_message(self) -> str | None:
        """What opening changed in the database itself, for the CLI and the GUI; None when nothing."""
        migration = self.migration
        if migration.upgraded:
            where = (f"bản sao lưu trước khi nâng cấp: {self.backup_before_upgrade}" if self.backup_before_upgrade
                     else "cơ sở dữ liệu dùng chung được sao lưu trên máy chủ")
            return (f"Đã nâng cấp cơ sở dữ liệu từ lược đồ {migration.from_version} lên {migration.to_version}; "
                    f"{where}.")
        repair = migration.repair
        if repair.changed:
            parts = len(repair.tables_created) + len(repair.indexes_created) + len(repair.indexes_dropped)
            return f"Đã sửa cấu trúc cơ sở dữ liệu cho khớp phiên bản này ({parts + len(repair.tables_redefined)} chỗ)."
        return None


def _no_data(where: str, *, demo: bool) -> NoDataError:
    if demo:
        return NoDataError(f"Chưa có dữ liệu mẫu ở “{where}”.", hint="Tạo dữ liệu mẫu bằng lệnh: thidua demo")
    return NoDataError(
        f"Không có dữ liệu ở “{where}”.",
        hint="Kiểm tra lại tên thư mục (--data-dir). Máy mới: thiết lập bằng lệnh "
        "thidua setup --role unit --unit MÃ_ĐƠN_VỊ (hoặc --role department), hoặc mở chương trình ThiĐua Desktop.",
    )


class Workspace:
    def __init__(self, layout: DataLayout, engine: Engine, *, actor: str | None = None) -> None:
        self.layout = layout
        self.engine = engine
        self.sessions: sessionmaker[Session] = make_session_factory(engine)
        self.write_sessions: sessionmaker[Session] = make_session_factory(engine, write=True)
        self.actor = actor or audit.current_actor()
        self.open_report: OpenReport | None = None
        self._campaign: CampaignInfo | None = None

    @classmethod
    def open(
        cls,
        data_dir: Path | str | None = None,
        *,
        demo: bool = False,
        database_url: str | None = None,
        actor: str | None = None,
        create: bool = True,
    ) -> Workspace:
        """Open (creating or upgrading) a data folder; on any error nothing is left half-initialised.

        `create=False` is for reading: a folder or database without data raises NoDataError instead of
        being silently created empty (a mistyped folder name would otherwise look like "no activities").
        """
        layout = DataLayout.resolve(data_dir, demo=demo)
        machine = load_machine(layout.root)
        url = database_url or os.environ.get(DATABASE_URL_ENV) or machine.database_url or layout.sqlite_url()
        actor = actor or machine.reviewer_name
        local = url == layout.sqlite_url()
        if not create and local and not layout.database_file.is_file():
            raise _no_data(str(layout.root), demo=demo)
        layout.ensure()
        if local:
            check_not_newer(peek_sqlite_version(layout.database_file))
        engine = make_engine(url)
        try:
            if not create and pending_upgrade(engine)[0] is None:
                raise _no_data(engine.url.render_as_string(hide_password=True), demo=demo)
            workspace = cls(layout, engine, actor=actor)
            workspace.open_report = workspace._initialise()
        except Exception:
            engine.dispose()
            raise
        recover_interrupted_imports(workspace)  # a killed import's staging and uncommitted files
        return workspace

    def _initialise(self) -> OpenReport:
        self._remove_restore_leftovers()  # a restore killed before its final copy changed nothing else
        current, latest = pending_upgrade(self.engine)
        check_not_newer(current)
        backup_path = None
        if current is not None and current < latest and is_sqlite(self.engine):
            backup_path = backup.backup_sqlite(
                self.layout.database_file, self.layout.backups_dir,
                reason=backup.BackupReason.before_upgrade_from(current), keep=1_000,
            )
        migration = prepare_database(self.engine, data_dir=self.layout.root)
        with self.sessions.begin() as session:
            catalogue = sync_catalogue(session, [self.layout.root / "campaigns"])
            seeded = seed_units(session, actor=self.actor)
        return OpenReport(migration, catalogue, seeded, backup_path)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One committed unit of work; rolled back whole on any error."""
        with self.write_sessions.begin() as session:
            yield session

    @property
    def is_sqlite(self) -> bool:
        return is_sqlite(self.engine)

    @property
    def database_label(self) -> str:
        if self.is_sqlite:
            return str(self.layout.database_file)
        return self.engine.url.render_as_string(hide_password=True)

    # --- settings -------------------------------------------------------------------------
    def setting(self, key: str) -> Any:
        with self.sessions() as session:
            row = session.get(Setting, key)
            return json.loads(row.value) if row else DEFAULT_SETTINGS.get(key)

    def set_settings(self, **values: Any) -> dict[str, list[Any]]:
        """Write several settings in one transaction; returns the audit diff."""
        with self.transaction() as session:
            changes: dict[str, list[Any]] = {}
            for key, value in values.items():
                row = session.get(Setting, key)
                old = json.loads(row.value) if row else DEFAULT_SETTINGS.get(key)
                if old == value:
                    continue
                if row is None:
                    session.add(Setting(key=key, value=json.dumps(value, ensure_ascii=False)))
                else:
                    row.value = json.dumps(value, ensure_ascii=False)
                changes[key] = [old, value]
            if changes:
                audit.record(session, self.actor, "update", "settings", "*", changes)
        return changes

    @property
    def role(self) -> Role | None:
        value = self.setting("role")
        return Role(value) if value else None

    @property
    def is_configured(self) -> bool:
        role = self.role
        return role is Role.DEPARTMENT or (role is Role.UNIT and bool(self.setting("unit_code")))

    def configure(self, role: Role, unit_code: str | None, *, official_name: str | None = None) -> None:
        if role is Role.UNIT and not unit_code:
            raise UserError("Chưa chọn đơn vị.", hint="Hãy chọn đơn vị mà máy này ghi nhận số liệu.")
        if role is Role.DEPARTMENT:
            unit_code = unit_code or self.units().department().code
        self.units().get(unit_code)  # refuses an unknown code
        officer = {} if official_name is None else {"official_name": " ".join(official_name.split())}
        self.set_settings(role=str(role), unit_code=unit_code, **officer)

    @property
    def needs_reviewer_name(self) -> bool:
        """A shared database opened from a machine that has not said who works on it (see `setup_shared_department`)."""
        return (not self.is_sqlite and self.role is not Role.UNIT
                and load_machine(self.layout.root).reviewer_name is None)

    def setup_shared_department(self, reviewer_name: str) -> bool:
        """Set this machine up as a reviewer of the department whose database it opened; True if it joined.

        The first reviewer sets the database up as the department; a later one only joins (the shared
        settings are left as they are). Either way the machine remembers the database and the reviewer's
        name, which the audit log records from then on.
        """
        name = nfc(reviewer_name.strip())
        if not name:
            raise UserError("Chưa có họ tên người thẩm định.", hint="Ví dụ: --name \"Nguyễn Văn An\".")
        role = self.role
        if role is Role.UNIT:
            raise UserError(
                "Cơ sở dữ liệu này đã được thiết lập cho một đơn vị, không phải Sở Tư pháp.",
                hint="Hãy kiểm tra lại địa chỉ cơ sở dữ liệu (--database-url).",
            )
        self.actor = name
        if role is None:
            self.configure(Role.DEPARTMENT, None)
        url = None if self.is_sqlite else self.engine.url.render_as_string(hide_password=False)
        save_machine(self.layout.root, MachineSettings(url, name))
        with self.transaction() as session:
            audit.record(session, name, "join" if role else "setup", "reviewer", name[:64],
                         {"data_dir": str(self.layout.root)})
        return role is not None

    def own_unit(self) -> UnitInfo | None:
        code = self.setting("unit_code")
        return self.units().get(code) if code else None

    def units(self) -> UnitService:
        return UnitService(self.sessions, self.write_sessions, self.actor)

    # --- campaign -------------------------------------------------------------------------
    def campaign(self) -> CampaignInfo:
        if self._campaign is None:
            with self.sessions() as session:
                self._campaign = load_campaign_info(session, self.setting("campaign_code"))
        return self._campaign

    def activities(self) -> ActivityService:
        return ActivityService(self.sessions, self.write_sessions, self.campaign(), self.actor)

    def awards(self) -> AwardService:
        """Review rounds, nominations and their documents; award data in the data folder overrides the bundled."""
        return AwardService(self.sessions, self.campaign(), self.actor, load_catalog(award_data_dir(self.layout.root)),
                            settings=self, write_sessions=self.write_sessions)

    @property
    def official_name(self) -> str:
        """The official's name ("" until set): reviews and approvals are signed with it.

        On a shared database the `official_name` setting is shared by every reviewer, so the name this
        machine remembers (`thidua setup --name`, machine.json) wins there.
        """
        if not self.is_sqlite:
            reviewer = load_machine(self.layout.root).reviewer_name
            if reviewer:
                return reviewer
        return str(self.setting("official_name") or "").strip()

    def _department_context(self) -> ServiceContext:
        """Department work is signed by the official named in Settings, not the computer's login name."""
        return ServiceContext(self.sessions, self.write_sessions, self.campaign(), self.official_name or self.actor,
                              self.layout)

    def consolidation(self) -> ConsolidationService:
        """The department's tables, completeness, ranking, drill-down and exports."""
        return ConsolidationService(self._department_context(), self.evidence_store())

    def review(self) -> ReviewService:
        """Accept/query, lock/unlock periods, held changes and reviewed scores at the department."""
        from thidua_desktop.core.bundles.pending import resolve_pending

        return ReviewService(self._department_context(), partial(resolve_pending, self))

    def bundles(self) -> BundleService:
        """Signed bundles: export, import and pending changes, keys and the trust registry."""
        return BundleService(self)

    def activity_queries(self) -> ActivityQueries:
        return ActivityQueries(self.sessions, self.campaign())

    def overview(self) -> OverviewService:
        return OverviewService(self.sessions, self.campaign())

    def evidence_store(self) -> EvidenceStore:
        """The local store (SQLite); on a shared PostgreSQL database, the files in it with a local cache."""
        if self.is_sqlite:
            return EvidenceStore(self.layout.evidence_dir)
        return SharedEvidenceStore(self.layout.evidence_dir, self.engine, self.actor)

    def evidence(self) -> EvidenceService:
        downscale = int(self.setting("photo_max_px")) if self.setting("downscale_photos") else None
        return EvidenceService(
            self.sessions,
            self.write_sessions,
            self.evidence_store(),
            self.actor,
            max_bytes=int(self.setting("evidence_max_mb")) * 1024 * 1024,
            downscale_to=downscale,
        )

    def backup_if_due(self, *, max_age_hours: float = 24) -> Path | None:
        """The daily rolling backup: taken when the newest one is older than a day (or none exists)."""
        if not self.is_sqlite:
            return None
        existing = backup.list_backups(self.layout.backups_dir)
        if existing:
            newest = backup.backup_taken_at(existing[0])
            if (datetime.now() - newest).total_seconds() < max_age_hours * 3600:
                return None
        return self.backup_now(backup.BackupReason.DAILY)

    def _require_local_sqlite(self) -> None:
        if not self.is_sqlite:
            raise UserError("Chỉ khôi phục được cơ sở dữ liệu SQLite trên máy này.",
                            hint="Với PostgreSQL, hãy nhờ quản trị viên khôi phục từ bản sao lưu của máy chủ.")

    def restore_plan(self, backup_file: Path) -> backup.RestorePlan:
        """What restoring `backup_file` would undo (and what it keeps), computed without changing anything."""
        self._require_local_sqlite()
        plan = backup.plan_restore(backup_file, self.layout.database_file)
        check_not_newer(plan.backup.schema_version)
        return plan

    def restore_backup(self, backup_file: Path, *, cancel: CancelFn = never_cancelled) -> backup.RestoreReport:
        """Replace the database by a backup (after backing up the current state), keeping what was sent.

        The restored database is built aside — the backup upgraded like any old database, then the bundles
        and activities sent since it carried over (`core/backup.py`), so numbering and sent state stay those
        the department knows — and only then copied over the live one in one SQLite transaction. A crash,
        an error or Cancel at any point before that leaves the database exactly as it was.
        """
        plan = self.restore_plan(backup_file)
        check_cancel(cancel)
        backup.describe_backup(backup_file)  # refuses a broken file before anything is written
        safety = backup.backup_sqlite(self.layout.database_file, self.layout.backups_dir,
                                      reason=backup.BackupReason.BEFORE_RESTORE, keep=1_000)
        work = self._restore_work_file()
        try:
            backup.put_back(backup_file, work)
            migration, kept, carried = self._rebuild_restored(work, backup_file, safety, cancel)
            check_cancel(cancel)
            self.engine.dispose()
            backup.put_back(work, self.layout.database_file)
        finally:
            self._remove_restore_leftovers()
        self.engine.dispose()
        self._campaign = None
        upgraded_from = migration.from_version if migration.upgraded else None
        return backup.RestoreReport(plan, safety, upgraded_from, kept, carried)

    def _restore_work_file(self) -> Path:
        return self.layout.database_file.with_name(".dang-khoi-phuc.sqlite")

    def _remove_restore_leftovers(self) -> None:
        """The aside copy of a restore (and its WAL files); after a crash, removed at the next start."""
        work = self._restore_work_file()
        for leftover in (work, work.with_name(work.name + "-wal"), work.with_name(work.name + "-shm")):
            leftover.unlink(missing_ok=True)

    def _rebuild_restored(self, work: Path, backup_file: Path, safety: Path,
                          cancel: CancelFn) -> tuple[MigrationReport, int, tuple[int, ...]]:
        """Upgrade the copy of the backup at `work` and carry into it what was sent since (see restore_backup)."""
        engine = make_engine(f"sqlite:///{work.as_posix()}")
        try:
            migration = prepare_database(engine, data_dir=self.layout.root)
            with make_session_factory(engine, write=True).begin() as session:
                sync_catalogue(session, [self.layout.root / "campaigns"])  # plans added since the backup
                seed_units(session, actor=self.actor)
            engine.dispose()
            check_cancel(cancel)
            kept, carried = backup.carry_sent_state(work, safety)
            with make_session_factory(engine, write=True).begin() as session:
                audit.record(session, self.actor, "restore", "database", backup_file.name,
                             {"safety_copy": safety.name, "kept": kept, "bundles_carried": list(carried)})
        finally:
            engine.dispose()
        return migration, kept, carried

    def backups(self) -> list[backup.BackupInfo]:
        """The backups that can be restored, newest first; a broken file is simply not offered."""
        infos = []
        for path in backup.list_backups(self.layout.backups_dir):
            try:
                infos.append(backup.describe_backup(path))
            except Exception:  # noqa: BLE001, S112 - unreadable: not a backup one could go back to
                continue
        return infos

    def backup_now(self, reason: str = backup.BackupReason.MANUAL) -> Path | None:
        if not self.is_sqlite or not self.layout.database_file.exists():
            return None
        return backup.backup_sqlite(
            self.layout.database_file, self.layout.backups_dir, reason=reason, keep=int(self.setting("backup_keep"))
        )
