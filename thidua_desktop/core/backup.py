"""Rolling database backups through SQLite's online backup API, and restore."""

from __future__ import annotations

import enum
import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from thidua_desktop.core.errors import UserError

BACKUP_PREFIX = "thidua-"
BACKUP_SUFFIX = ".sqlite"


class BackupReason(enum.StrEnum):
    """Why a backup was taken: the last part of its file name."""

    DAILY = "hang-ngay"
    ON_EXIT = "khi-thoat"
    MANUAL = "thu-cong"
    BEFORE_RESTORE = "truoc-khi-khoi-phuc"
    BEFORE_UPGRADE = "truoc-nang-cap"  # followed by "-v" and the schema version it upgraded from

    @classmethod
    def before_upgrade_from(cls, version: int) -> str:
        return f"{cls.BEFORE_UPGRADE}-v{version}"


REASON_LABELS = {
    BackupReason.DAILY: "Hằng ngày",
    BackupReason.ON_EXIT: "Khi thoát",
    BackupReason.MANUAL: "Thủ công",
    BackupReason.BEFORE_RESTORE: "Trước khi khôi phục",
    BackupReason.BEFORE_UPGRADE: "Trước khi nâng cấp",
}


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    taken_at: datetime
    reason: str
    activity_count: int
    evidence_count: int
    schema_version: int | None

    @property
    def reason_label(self) -> str:
        """The reason in words; a reason this version does not know is shown as written."""
        if self.reason.startswith(f"{BackupReason.BEFORE_UPGRADE}-"):
            return REASON_LABELS[BackupReason.BEFORE_UPGRADE]
        return REASON_LABELS.get(self.reason, self.reason)


def backup_sqlite(source_file: Path, backups_dir: Path, *, reason: str, keep: int = 10) -> Path:
    """Copy a live database consistently (even while in use) and keep only the newest `keep` backups."""
    backups_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    final = backups_dir / f"{BACKUP_PREFIX}{stamp}-{reason}{BACKUP_SUFFIX}"
    partial = final.with_suffix(".partial")
    source = sqlite3.connect(f"file:{source_file.as_posix()}?mode=ro", uri=True)
    try:
        target = sqlite3.connect(partial)
        try:
            source.backup(target)
            target.execute("PRAGMA journal_mode = DELETE")
        finally:
            target.close()
        os.replace(partial, final)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        source.close()
    prune_backups(backups_dir, keep)
    return final


def list_backups(backups_dir: Path) -> list[Path]:
    if not backups_dir.is_dir():
        return []
    return sorted(backups_dir.glob(f"{BACKUP_PREFIX}*{BACKUP_SUFFIX}"), reverse=True)


ROLLING_REASONS = (BackupReason.DAILY, BackupReason.ON_EXIT, BackupReason.MANUAL)


def prune_backups(backups_dir: Path, keep: int) -> list[Path]:
    """Keep the newest `keep` rolling backups; safety copies (before an upgrade or a restore) are never pruned."""
    rolling = [p for p in list_backups(backups_dir) if p.stem.endswith(ROLLING_REASONS)]
    removed = rolling[max(keep, 1):]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


def backup_taken_at(path: Path) -> datetime:
    """From the file name (falling back to its time stamp), without opening the database."""
    parts = path.stem[len(BACKUP_PREFIX):].split("-")
    try:
        return datetime.strptime("-".join(parts[:3]), "%Y%m%d-%H%M%S-%f")
    except ValueError:
        return datetime.fromtimestamp(path.stat().st_mtime)


def describe_backup(path: Path) -> BackupInfo:
    """Date and record counts, shown before a restore so the user knows what they are going back to."""
    taken_at = backup_taken_at(path)
    reason = "-".join(path.stem[len(BACKUP_PREFIX):].split("-")[3:]) or "thủ công"
    try:
        conn = sqlite3.connect(f"file:{path.as_posix()}?mode=ro", uri=True)
        try:
            activities = conn.execute("SELECT COUNT(*) FROM activities WHERE deleted_at IS NULL").fetchone()[0]
            evidence = conn.execute("SELECT COUNT(*) FROM evidence").fetchone()[0]
            row = conn.execute("SELECT value FROM app_meta WHERE key = 'schema_version'").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise UserError(
            f"Bản sao lưu “{path.name}” bị hỏng hoặc không phải cơ sở dữ liệu ThiĐua ({exc}).",
            hint="Hãy chọn một bản sao lưu khác.",
        ) from None
    return BackupInfo(path, taken_at, reason, activities, evidence, int(row[0]) if row else None)


def restore_sqlite(backup_file: Path, database_file: Path, backups_dir: Path) -> Path:
    """Replace the database by a backup; the current state is itself backed up first, so restore is undoable."""
    describe_backup(backup_file)  # refuses a broken file before anything changes
    safety = backup_sqlite(database_file, backups_dir, reason=BackupReason.BEFORE_RESTORE, keep=1_000) if database_file.exists() else None
    target = sqlite3.connect(database_file)
    source = sqlite3.connect(f"file:{backup_file.as_posix()}?mode=ro", uri=True)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
    return safety or backup_file
