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
    last_bundle_seq: int | None = None  # the last bundle this unit had sent when the backup was taken

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
            has_bundles = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'bundle_exports'").fetchone()
            last_seq = conn.execute("SELECT MAX(seq) FROM bundle_exports").fetchone()[0] if has_bundles else None
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise UserError(
            f"Bản sao lưu “{path.name}” bị hỏng hoặc không phải cơ sở dữ liệu ThiĐua ({exc}).",
            hint="Hãy chọn một bản sao lưu khác.",
        ) from None
    return BackupInfo(path, taken_at, reason, activities, evidence, int(row[0]) if row else None, last_seq)


def restore_sqlite(backup_file: Path, database_file: Path, backups_dir: Path) -> Path:
    """Replace the database by a backup; the current state is itself backed up first, so restore is undoable."""
    describe_backup(backup_file)  # refuses a broken file before anything changes
    safety = backup_sqlite(database_file, backups_dir, reason=BackupReason.BEFORE_RESTORE, keep=1_000) if database_file.exists() else None
    put_back(backup_file, database_file)
    return safety or backup_file


def put_back(source_file: Path, database_file: Path) -> None:
    """Copy a database file over the live one through SQLite (consistent even with the WAL in use)."""
    target = sqlite3.connect(database_file)
    source = sqlite3.connect(f"file:{source_file.as_posix()}?mode=ro", uri=True)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()


# --- what a restore undoes, and what it must not --------------------------------------------------------
#
# The department already holds every bundle this unit sent, so a restore cannot take those back: the
# numbers and the history of bundles sent since the backup, and every activity sent since then (as it
# is now), are carried into the restored database. Everything else goes back to the backup, and the
# confirmation lists it first. The next bundle then continues the sequence the department knows and
# carries every record the department holds, so it never reads as deleting or reverting what was sent.

SEQUENCE_KEY_PATTERN = "bundle_seq:%"  # app_meta: the last bundle number reserved per unit and plan


@dataclass(frozen=True)
class ActivityChange:
    """An activity the current database holds differently from the backup."""

    uuid: str
    title: str
    sent: bool  # sent to the department since the backup: kept as it is now


@dataclass(frozen=True)
class RestorePlan:
    """What restoring `backup` would undo, computed before anything changes."""

    backup: BackupInfo
    created: tuple[ActivityChange, ...]  # recorded since the backup
    edited: tuple[ActivityChange, ...]  # edited, deleted or sent since the backup
    bundles_since: tuple[int, ...]  # numbers of the bundles sent since the backup
    next_seq: int | None  # the next bundle's number after the restore (None: no bundle sent yet)
    returning: int = 0  # live in the backup, gone or deleted now (and not sent so): they come back
    imports_since: tuple[str, ...] = ()  # at the department: bundles received since ("PTP-CM số 3")

    @property
    def lost(self) -> tuple[ActivityChange, ...]:
        return tuple(c for c in self.created + self.edited if not c.sent)

    @property
    def kept(self) -> tuple[ActivityChange, ...]:
        return tuple(c for c in self.created + self.edited if c.sent)

    def consequences(self, *, limit: int = 8) -> str:
        """The confirmation text: what will be lost, and what stays because the department has it."""
        lines = []
        created = [c for c in self.created if not c.sent]
        edited = [c for c in self.edited if not c.sent]
        if created:
            lines.append(f"Sẽ mất {len(created)} hoạt động ghi nhận sau bản sao lưu: {_titles(created, limit)}.")
        if edited:
            lines.append(f"{len(edited)} hoạt động sửa hoặc xóa sau bản sao lưu sẽ trở lại như cũ: "
                         f"{_titles(edited, limit)}.")
        if not created and not edited:
            lines.append("Không mất hoạt động nào: mọi thay đổi sau bản sao lưu đều đã gửi về Sở.")
        if self.returning:
            lines.append(f"Có lại {self.returning} hoạt động chỉ còn trong bản sao lưu.")
        if self.bundles_since:
            kept = f": {_titles(list(self.kept), limit)}" if self.kept else ""
            lines.append(
                f"Sau bản sao lưu đã gửi {_numbers(self.bundles_since)}; Sở đã có các gói này nên lịch sử gửi và "
                f"{len(self.kept)} hoạt động đã gửi được giữ nguyên như hiện tại{kept}."
            )
        if self.next_seq is not None:
            lines.append(f"Gói gửi tiếp theo vẫn là gói số {self.next_seq}.")
        if self.imports_since:
            shown = ", ".join(self.imports_since[:limit]) + ("…" if len(self.imports_since) > limit else "")
            lines.append(f"Sẽ mất {len(self.imports_since)} gói đã nhận từ đơn vị sau bản sao lưu ({shown}); "
                         "để có lại số liệu, hãy nhận lại chính các tệp gói đó (bản gốc đơn vị đã gửi); các quyết "
                         "tin cậy (thu hồi, xác nhận khóa, chọn nhánh) sau bản sao lưu cũng phải làm lại.")
        return "\n".join(lines)


def _titles(changes: list[ActivityChange], limit: int) -> str:
    shown = ", ".join(f"“{c.title[:60]}”" for c in changes[:limit])
    return shown + (f" và {len(changes) - limit} hoạt động khác" if len(changes) > limit else "")


def _numbers(seqs: tuple[int, ...]) -> str:
    return ("gói số " if len(seqs) == 1 else "các gói số ") + ", ".join(str(s) for s in seqs)


def _columns(conn: sqlite3.Connection, schema: str, table: str) -> list[str]:
    return [r[1] for r in conn.execute(f'PRAGMA {schema}.table_info("{table}")')]


def _attach(conn: sqlite3.Connection, path: Path, alias: str) -> None:
    conn.execute(f"ATTACH DATABASE ? AS {alias}", (f"file:{path.as_posix()}?mode=ro",))


def plan_restore(backup_file: Path, database_file: Path) -> RestorePlan:
    """Compare the current database with a backup (read only, on either side)."""
    info = describe_backup(backup_file)
    conn = sqlite3.connect(f"file:{database_file.as_posix()}?mode=ro", uri=True)
    try:
        _attach(conn, backup_file, "old")
        old_sent = "o.sent_revision" if "sent_revision" in _columns(conn, "old", "activities") else "NULL"
        rows = conn.execute(
            f"SELECT a.uuid, a.title, o.uuid IS NULL, a.sent_revision IS NOT NULL AND a.source_bundle_id IS NULL "  # noqa: S608
            f"AND (o.uuid IS NULL OR {old_sent} IS NULL OR {old_sent} < a.sent_revision) "
            "FROM main.activities a LEFT JOIN old.activities o ON o.uuid = a.uuid "
            "WHERE (o.uuid IS NULL AND (a.deleted_at IS NULL OR a.sent_revision IS NOT NULL)) "
            f"OR (o.uuid IS NOT NULL AND (a.revision > o.revision OR (a.deleted_at IS NULL) != (o.deleted_at IS NULL) "
            f"OR (a.sent_revision IS NOT NULL AND ({old_sent} IS NULL OR {old_sent} < a.sent_revision)))) "
            "ORDER BY a.activity_date, a.title"
        ).fetchall()
        old_bundles = "SELECT bundle_uuid FROM old.bundle_exports" if _columns(conn, "old", "bundle_exports") else (
            "SELECT NULL WHERE 0")
        since = tuple(r[0] for r in conn.execute(
            f"SELECT seq FROM main.bundle_exports WHERE bundle_uuid NOT IN ({old_bundles}) ORDER BY seq"  # noqa: S608
        ))
        old_imports = "SELECT bundle_uuid FROM old.bundle_imports" if _columns(conn, "old", "bundle_imports") else (
            "SELECT NULL WHERE 0")
        imports = tuple(f"{code} số {seq}" for code, seq in conn.execute(
            "SELECT u.code, i.seq FROM main.bundle_imports i JOIN main.units u ON u.id = i.unit_id "  # noqa: S608
            f"WHERE i.bundle_uuid NOT IN ({old_imports}) ORDER BY i.imported_at, u.code, i.seq"
        ))
        returning = conn.execute(
            "SELECT COUNT(*) FROM old.activities o LEFT JOIN main.activities a ON a.uuid = o.uuid "
            "WHERE o.deleted_at IS NULL AND (a.uuid IS NULL OR (a.deleted_at IS NOT NULL AND NOT "
            f"(a.sent_revision IS NOT NULL AND ({old_sent} IS NULL OR {old_sent} < a.sent_revision))))"
        ).fetchone()[0]
        highest = conn.execute(
            "SELECT MAX(n) FROM (SELECT MAX(seq) AS n FROM main.bundle_exports UNION ALL "
            "SELECT MAX(CAST(value AS INTEGER)) FROM main.app_meta WHERE key LIKE ?)", (SEQUENCE_KEY_PATTERN,)
        ).fetchone()[0]
    finally:
        conn.close()
    created = tuple(ActivityChange(u, t, bool(s)) for u, t, new, s in rows if new)
    edited = tuple(ActivityChange(u, t, bool(s)) for u, t, new, s in rows if not new)
    return RestorePlan(info, created, edited, since, highest + 1 if highest else None, returning, imports)


def carry_sent_state(database_file: Path, previous_file: Path) -> tuple[int, tuple[int, ...]]:
    """Into the restored database: the bundles sent (history, shipped evidence, reserved numbers) and every
    activity sent since the backup, as `previous_file` (the state just before the restore) holds them.

    One transaction; returns (activities kept, bundle numbers carried). Ids of units, plans, criteria and
    indicators are the same in both (the backup is an earlier state of the same database); a database
    where they are not is refused before anything is written.
    """
    conn = sqlite3.connect(database_file, isolation_level=None)
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        _attach(conn, previous_file, "sent")
        conn.execute("BEGIN IMMEDIATE")
        try:
            _check_same_catalogue(conn)
            bundles = _carry_bundles(conn)
            _carry_evidence_rows(conn)
            kept = _carry_sent_activities(conn)
            conn.execute("COMMIT")
        except sqlite3.IntegrityError as error:
            conn.execute("ROLLBACK")
            raise _foreign_backup() from error
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    finally:
        conn.close()
    return kept, bundles


def _foreign_backup() -> UserError:
    return UserError(
        "Bản sao lưu không cùng danh mục đơn vị, phong trào với dữ liệu hiện tại, nên không giữ lại được những gì "
        "đã gửi về Sở. Chưa có gì thay đổi.",
        hint="Hãy chọn bản sao lưu của chính máy này.",
    )


def _check_same_catalogue(conn: sqlite3.Connection) -> None:
    for table in ("units", "campaigns", "criteria", "indicators"):
        clash = conn.execute(
            f'SELECT COUNT(*) FROM sent."{table}" s JOIN main."{table}" m ON m.id = s.id '  # noqa: S608
            "WHERE m.code != s.code"
        ).fetchone()[0]
        if clash:
            raise _foreign_backup()


def _carry_bundles(conn: sqlite3.Connection) -> tuple[int, ...]:
    columns = [c for c in _columns(conn, "main", "bundle_exports") if c != "id"]
    names = ", ".join(columns)
    carried = tuple(r[0] for r in conn.execute(
        "SELECT seq FROM sent.bundle_exports WHERE bundle_uuid NOT IN (SELECT bundle_uuid FROM main.bundle_exports) "
        "ORDER BY seq"
    ))
    conn.execute(
        f"INSERT INTO main.bundle_exports ({names}) SELECT {names} FROM sent.bundle_exports "  # noqa: S608
        "WHERE bundle_uuid NOT IN (SELECT bundle_uuid FROM main.bundle_exports)"
    )
    conn.execute(
        "INSERT INTO main.bundle_export_evidence (export_id, sha256) SELECT m.id, e.sha256 "
        "FROM sent.bundle_export_evidence e JOIN sent.bundle_exports s ON s.id = e.export_id "
        "JOIN main.bundle_exports m ON m.bundle_uuid = s.bundle_uuid "
        "WHERE NOT EXISTS (SELECT 1 FROM main.bundle_export_evidence x WHERE x.export_id = m.id AND x.sha256 = e.sha256)"
    )
    for key, value in conn.execute("SELECT key, value FROM sent.app_meta WHERE key LIKE ?", (SEQUENCE_KEY_PATTERN,)).fetchall():
        current = conn.execute("SELECT value FROM main.app_meta WHERE key = ?", (key,)).fetchone()
        if current is None:
            conn.execute("INSERT INTO main.app_meta (key, value) VALUES (?, ?)", (key, value))
        elif int(current[0]) < int(value):
            conn.execute("UPDATE main.app_meta SET value = ? WHERE key = ?", (value, key))
    return carried


def _copy_rows(conn: sqlite3.Connection, table: str, where: str, *, by_activity: bool = False) -> None:
    """Rows of `sent.table` into `main.table` with new ids; `activity_id` follows the activity's uuid."""
    columns = [c for c in _columns(conn, "main", table) if c != "id"]
    picked = ", ".join("ma.id" if by_activity and c == "activity_id" else f"s.{c}" for c in columns)
    join = (" JOIN sent.activities sa ON sa.id = s.activity_id JOIN main.activities ma ON ma.uuid = sa.uuid"
            if by_activity else "")
    conn.execute(f"INSERT INTO main.{table} ({', '.join(columns)}) SELECT {picked} FROM sent.{table} s{join} "  # noqa: S608
                 f"WHERE {where}")


def _carry_evidence_rows(conn: sqlite3.Connection) -> None:
    """Every evidence row of the state before the restore, linked or not.

    A stored file is kept only while a row names it (the store's orphan sweep goes by rows), and the rows are
    only metadata: carrying them all means restoring never exposes a file that the safety copy, a later
    backup, an archived bundle or a held change still needs.
    """
    evidence = [c for c in _columns(conn, "main", "evidence") if c != "id"]
    conn.execute(
        f"INSERT INTO main.evidence ({', '.join(evidence)}) SELECT {', '.join(evidence)} FROM sent.evidence "  # noqa: S608
        "WHERE sha256 NOT IN (SELECT sha256 FROM main.evidence)"
    )


def _carry_sent_activities(conn: sqlite3.Connection) -> int:
    """Activities this unit sent in a later state than the backup has: replaced by their current rows.
    (At the department, received activities carry the sender's revision but come from a bundle: not these.)"""
    conn.execute("CREATE TEMP TABLE kept AS SELECT s.id AS id, s.uuid AS uuid FROM sent.activities s "
                 "LEFT JOIN main.activities m ON m.uuid = s.uuid "
                 "WHERE s.sent_revision IS NOT NULL AND s.source_bundle_id IS NULL "  # sent by this unit, not received
                 "AND (m.uuid IS NULL OR m.sent_revision IS NULL OR m.sent_revision < s.sent_revision)")
    try:
        kept = conn.execute("SELECT COUNT(*) FROM temp.kept").fetchone()[0]
        if kept:
            conn.execute("DELETE FROM main.activities WHERE uuid IN (SELECT uuid FROM temp.kept)")  # cascades
            _copy_rows(conn, "activities", "s.id IN (SELECT id FROM temp.kept)")
            _copy_rows(conn, "indicator_values", "s.activity_id IN (SELECT id FROM temp.kept)", by_activity=True)
            conn.execute(
                "INSERT INTO main.activity_evidence (activity_id, evidence_id, caption, file_name, position) "
                "SELECT ma.id, me.id, ae.caption, ae.file_name, ae.position FROM sent.activity_evidence ae "
                "JOIN sent.activities sa ON sa.id = ae.activity_id JOIN main.activities ma ON ma.uuid = sa.uuid "
                "JOIN sent.evidence se ON se.id = ae.evidence_id JOIN main.evidence me ON me.sha256 = se.sha256 "
                "WHERE ae.activity_id IN (SELECT id FROM temp.kept)"
            )
        return kept
    finally:
        conn.execute("DROP TABLE temp.kept")


@dataclass(frozen=True)
class RestoreReport:
    """What a restore did, for the success message."""

    plan: RestorePlan
    safety_copy: Path  # the state just before the restore: restoring it undoes the restore
    upgraded_from: int | None  # the backup's schema version when it was older than this app's
    kept: int  # activities carried over because the department holds them
    bundles_carried: tuple[int, ...]

    @property
    def message(self) -> str:
        info = self.plan.backup
        lines = [
            f"Đã khôi phục bản sao lưu lúc {info.taken_at:%d/%m/%Y %H:%M} ({info.reason_label.lower()}, lược đồ "
            f"{info.schema_version}): {info.activity_count} hoạt động, {info.evidence_count} tệp minh chứng."
        ]
        if self.upgraded_from is not None:
            lines.append(f"Bản sao lưu được nâng cấp từ lược đồ {self.upgraded_from}.")
        if self.kept or self.bundles_carried:
            lines.append(f"Giữ nguyên {self.kept} hoạt động và lịch sử {_numbers(self.bundles_carried)} đã gửi về Sở "
                         "sau bản sao lưu." if self.bundles_carried else
                         f"Giữ nguyên {self.kept} hoạt động đã gửi về Sở sau bản sao lưu.")
        if self.plan.next_seq is not None:
            lines.append(f"Gói gửi tiếp theo là gói số {self.plan.next_seq}.")
        lines.append(f"Dữ liệu ngay trước khi khôi phục được giữ ở bản sao “{self.safety_copy.name}”.")
        return "\n".join(lines)
