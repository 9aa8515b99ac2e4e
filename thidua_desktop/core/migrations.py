"""Schema versions: a new database is created at the latest version; an old one is upgraded step by step.

The version lives in `app_meta.schema_version`. All pending steps run in one transaction, so an
upgrade either finishes or leaves the database exactly as it was.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, Engine, inspect, text

from thidua_desktop.core.activities import activity_search_text, figures_text
from thidua_desktop.core.awards.migration import v5_award_tables, v8_document_numbers
from thidua_desktop.core.bundles.migration import v3_signed_bundles
from thidua_desktop.core.bundles.trust_migration import v7_trust_states
from thidua_desktop.core.consolidation.migration import v4_consolidation
from thidua_desktop.core.errors import DatabaseVersionError
from thidua_desktop.core.models import Base
from thidua_desktop.core.schema import SchemaRepair, converge_schema
from thidua_desktop.core.text import sort_key

SCHEMA_VERSION_KEY = "schema_version"
DATA_DIR_OPTION = "thidua_data_dir"  # execution option: the data folder, for steps that import files


def _v2_search_and_sort_keys(conn: Connection) -> None:
    """v2: search text, Vietnamese sort keys and list summaries, stored so that search and sort run in SQL."""
    conn.execute(text("ALTER TABLE activities ADD COLUMN search_text TEXT NOT NULL DEFAULT ''"))
    conn.execute(text("ALTER TABLE activities ADD COLUMN title_sort_key TEXT NOT NULL DEFAULT ''"))
    conn.execute(text("ALTER TABLE activities ADD COLUMN commune_sort_key TEXT NOT NULL DEFAULT ''"))
    conn.execute(text("ALTER TABLE activities ADD COLUMN evidence_count INTEGER NOT NULL DEFAULT 0"))
    conn.execute(text("ALTER TABLE activities ADD COLUMN figures_summary TEXT NOT NULL DEFAULT ''"))
    conn.execute(text("ALTER TABLE activities ADD COLUMN lead_value BIGINT NOT NULL DEFAULT 0"))
    conn.execute(text("ALTER TABLE activities ADD COLUMN sent_revision INTEGER"))
    conn.execute(text("ALTER TABLE units ADD COLUMN name_sort_key TEXT NOT NULL DEFAULT ''"))
    conn.execute(text("DROP INDEX IF EXISTS ix_activities_campaign_date"))
    conn.execute(
        text(
            "CREATE INDEX ix_activities_list ON activities "
            "(campaign_id, deleted_at, activity_date, id, search_text)"
        )
    )
    conn.execute(text("CREATE INDEX ix_values_activity_cover ON indicator_values (activity_id, indicator_id, value)"))
    rows = conn.execute(text("SELECT id, title, commune, responsible_officer FROM activities")).all()
    if rows:
        conn.execute(
            text(
                "UPDATE activities SET search_text = :search, title_sort_key = :key, commune_sort_key = :ckey, "
                "evidence_count = (SELECT COUNT(*) FROM activity_evidence ae WHERE ae.activity_id = :id) "
                "WHERE id = :id"
            ),
            [
                {"id": r.id, "search": activity_search_text(r.title, r.commune, r.responsible_officer),
                 "key": sort_key(r.title), "ckey": sort_key(r.commune)}
                for r in rows
            ],
        )
    _backfill_figures(conn)
    units = conn.execute(text("SELECT id, name FROM units")).all()
    if units:
        conn.execute(
            text("UPDATE units SET name_sort_key = :key WHERE id = :id"),
            [{"id": u.id, "key": sort_key(u.name)} for u in units],
        )


def _backfill_figures(conn: Connection) -> None:
    values = conn.execute(
        text(
            "SELECT v.activity_id, v.value, i.unit_of_measure, i.is_key FROM indicator_values v "
            "JOIN indicators i ON i.id = v.indicator_id WHERE i.part_of_id IS NULL ORDER BY v.activity_id, i.sort_order"
        )
    ).all()
    per_activity: dict[int, list[tuple[str, bool, int]]] = {}
    for row in values:
        per_activity.setdefault(row.activity_id, []).append((row.unit_of_measure, bool(row.is_key), row.value))
    if per_activity:
        conn.execute(
            text("UPDATE activities SET figures_summary = :summary, lead_value = :lead WHERE id = :id"),
            [{"id": k, **dict(zip(("summary", "lead"), figures_text(v), strict=True))} for k, v in per_activity.items()],
        )


def _v6_bundle_sequence_in_database(conn: Connection) -> None:
    """v6: the outgoing bundle counter moves from `bundles/sequence.json` into `app_meta`, keeping the
    higher of the two, so that numbering and sent state come from the database alone.

    Frozen with this step (a released step never changes): the file's name and its "unit|campaign" keys,
    and the `bundle_seq:` key prefix. The file is left in place for an older version of the app.
    """
    data_dir = conn.get_execution_options().get(DATA_DIR_OPTION)
    path = Path(data_dir) / "bundles" / "sequence.json" if data_dir is not None else None
    try:
        counters = json.loads(path.read_text(encoding="utf-8")) if path is not None and path.is_file() else {}
        counters = {str(k): int(v) for k, v in dict(counters).items()}
    except (OSError, ValueError, TypeError):
        counters = {}  # an unreadable file: the export history in the database still numbers on
    for pair, seq in sorted(counters.items()):
        key = f"bundle_seq:{pair}"
        row = conn.execute(text("SELECT value FROM app_meta WHERE key = :k"), {"k": key}).first()
        if row is None:
            conn.execute(text("INSERT INTO app_meta (key, value) VALUES (:k, :v)"), {"k": key, "v": str(seq)})
        elif int(row[0]) < seq:
            conn.execute(text("UPDATE app_meta SET value = :v WHERE key = :k"), {"k": key, "v": str(seq)})


def _v9_shared_evidence_store(conn: Connection) -> None:
    """v9: evidence files kept in the database itself (used when it is a shared PostgreSQL database).

    Frozen DDL (not the model classes), so later changes to the models never alter this step.
    """
    from sqlalchemy import BigInteger, Column, DateTime, Integer, LargeBinary, MetaData, String, Table, Text

    frozen = MetaData()
    Table("evidence_blobs", frozen,
          Column("sha256", String(64), primary_key=True), Column("size", BigInteger, nullable=False),
          Column("chunk_count", Integer, nullable=False), Column("stored_at", DateTime, nullable=False),
          Column("stored_by", Text, nullable=False))
    Table("evidence_chunks", frozen,
          Column("sha256", String(64), primary_key=True), Column("seq", Integer, primary_key=True),
          Column("data", LargeBinary, nullable=False))
    frozen.create_all(conn)


# Version → step. Version 1 is the first released schema; each later step upgrades from the one before.
# A feature package adds its step here under the next free number.
MIGRATIONS: dict[int, Callable[[Connection], None]] = {
    2: _v2_search_and_sort_keys,
    3: v3_signed_bundles,
    4: v4_consolidation,
    5: v5_award_tables,
    6: _v6_bundle_sequence_in_database,
    7: v7_trust_states,
    8: v8_document_numbers,
    9: _v9_shared_evidence_store,
}
LATEST_SCHEMA_VERSION = max(MIGRATIONS, default=1)


@dataclass(frozen=True)
class MigrationReport:
    created: bool
    from_version: int
    to_version: int
    repair: SchemaRepair = field(default_factory=SchemaRepair)  # what the final schema check fixed

    @property
    def upgraded(self) -> bool:
        return not self.created and self.from_version != self.to_version


def read_schema_version(conn: Connection) -> int | None:
    if not inspect(conn).has_table("app_meta"):
        return None
    row = conn.execute(text("SELECT value FROM app_meta WHERE key = :k"), {"k": SCHEMA_VERSION_KEY}).first()
    return int(row[0]) if row else None


def _write_schema_version(conn: Connection, version: int) -> None:
    updated = conn.execute(
        text("UPDATE app_meta SET value = :v WHERE key = :k"), {"k": SCHEMA_VERSION_KEY, "v": str(version)}
    )
    if updated.rowcount == 0:
        conn.execute(
            text("INSERT INTO app_meta (key, value) VALUES (:k, :v)"), {"k": SCHEMA_VERSION_KEY, "v": str(version)}
        )


def pending_upgrade(engine: Engine) -> tuple[int | None, int]:
    """(current version or None for an empty database, latest version), checked without changing anything."""
    with engine.connect() as conn:
        return read_schema_version(conn), LATEST_SCHEMA_VERSION


def peek_sqlite_version(database_file: Path) -> int | None:
    """Read the schema version without touching the file (no WAL switch), so a refusal changes nothing."""
    if not database_file.exists():
        return None
    conn = sqlite3.connect(f"file:{database_file.as_posix()}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT value FROM app_meta WHERE key = ?", (SCHEMA_VERSION_KEY,)).fetchone()
    except sqlite3.DatabaseError:
        return None
    finally:
        conn.close()
    return int(row[0]) if row else None


def check_not_newer(version: int | None) -> None:
    if version is not None and version > LATEST_SCHEMA_VERSION:
        raise DatabaseVersionError(
            f"Cơ sở dữ liệu được tạo bởi phiên bản mới hơn của chương trình (lược đồ {version}, "
            f"phiên bản này chỉ hiểu tới {LATEST_SCHEMA_VERSION}).",
            hint="Không có gì bị thay đổi. Vui lòng cài phiên bản ThiĐua Desktop mới nhất rồi mở lại.",
        )


def prepare_database(
    engine: Engine, *, target_version: int | None = None, data_dir: Path | None = None
) -> MigrationReport:
    """Create or upgrade, then converge on the models' schema (see `core/schema.py`).

    `target_version` stops early and skips the final check (used to build fixtures of old schema
    versions); `data_dir` lets a step import state that older versions kept in files beside the database.
    """
    target = LATEST_SCHEMA_VERSION if target_version is None else target_version
    with engine.begin() as conn:
        if data_dir is not None:
            conn.execution_options(**{DATA_DIR_OPTION: Path(data_dir)})
        version = read_schema_version(conn)
        if version is None:
            existing = inspect(conn).get_table_names()
            if existing:
                raise DatabaseVersionError(
                    "Tệp cơ sở dữ liệu này không phải của ThiĐua Desktop (không có thông tin phiên bản).",
                    hint="Hãy chọn đúng thư mục dữ liệu, hoặc một thư mục trống để bắt đầu mới.",
                )
            Base.metadata.create_all(conn)
            _write_schema_version(conn, LATEST_SCHEMA_VERSION)
            return MigrationReport(True, 0, LATEST_SCHEMA_VERSION)
        check_not_newer(version)
        for step in sorted(v for v in MIGRATIONS if version < v <= target):
            MIGRATIONS[step](conn)
            _write_schema_version(conn, step)
        repair = converge_schema(conn) if target_version is None else SchemaRepair()
        return MigrationReport(False, version, max(version, target), repair)
