"""Every database an earlier release created upgrades to exactly the schema a fresh one gets, keeps its
rows, and keeps the covering indexes the activity list and totals run on (SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import BigInteger, DateTime, MetaData, create_engine, inspect, select, text
from sqlalchemy.types import DATETIME

from tests.conftest import _drop_database
from tests.core.query_plans import LIST_INDEX, TOTALS_INDEX, benchmark_plans
from tests.core.schema_snapshot import differences, postgres_schema, sqlite_schema
from thidua_desktop.core.activities import activity_search_text
from thidua_desktop.core.errors import DatabaseVersionError
from thidua_desktop.core.migrations import LATEST_SCHEMA_VERSION, MIGRATIONS
from thidua_desktop.core.text import fold, sort_key
from thidua_desktop.core.workspace import Workspace

FIXTURE_DIR = Path(__file__).parent.parent / "fixtures" / "db"
RELEASES = json.loads((FIXTURE_DIR / "RELEASES.json").read_text(encoding="utf-8"))
OLD_VERSIONS = range(1, LATEST_SCHEMA_VERSION)
# Rows the app itself adds or refreshes at start: the version, the audit trail, campaign files loaded since.
CHANGING_TABLES = {"app_meta", "audit_log", "campaigns", "criteria", "indicators"}


def _fixture(version: int) -> Path:
    return FIXTURE_DIR / f"schema_v{version}.sqlite"


def test_migration_steps_are_contiguous_and_every_old_version_has_a_frozen_release_fixture() -> None:
    assert sorted(MIGRATIONS) == list(range(2, LATEST_SCHEMA_VERSION + 1))
    for version in OLD_VERSIONS:
        assert _fixture(version).is_file(), f"thiếu cơ sở dữ liệu mẫu cho lược đồ {version}"
        release = RELEASES.get(str(version))
        assert release, f"lược đồ {version}: chưa ghi commit phát hành (tests/fixtures/build_release_fixtures.py)"
        digest = hashlib.sha256(_fixture(version).read_bytes()).hexdigest()
        assert digest == release["sha256"], f"schema_v{version}.sqlite đã bị tạo lại; tệp mẫu phải giữ nguyên"


def _rows(path: Path) -> dict[str, tuple[list[str], list[tuple]]]:
    conn = sqlite3.connect(f"file:{path.as_posix()}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        result = {}
        for table in tables:
            columns = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]
            result[table] = (columns, sorted(conn.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr))
        return result
    finally:
        conn.close()


def _project(rows: dict[str, tuple[list[str], list[tuple]]], table: str, columns: list[str]) -> list[tuple]:
    names, values = rows[table]
    positions = [names.index(c) for c in columns]
    return sorted((tuple(row[i] for i in positions) for row in values), key=repr)


def _assert_rows_kept(before: dict, after: dict) -> None:
    """Every row of every table is still there with the same values (new columns aside)."""
    for table, (columns, _values) in before.items():
        if table in CHANGING_TABLES:
            continue
        assert _project(after, table, columns) == _project(before, table, columns), f"bảng {table} đã thay đổi"
    audit_before = set(_project(before, "audit_log", before["audit_log"][0]))
    assert audit_before <= set(_project(after, "audit_log", before["audit_log"][0]))


def _assert_derived_columns_match_the_app(path: Path) -> None:
    """Columns a step back-fills hold what the app itself would have written."""
    conn = sqlite3.connect(f"file:{path.as_posix()}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "SELECT a.title, a.commune, a.responsible_officer, a.search_text, a.title_sort_key, a.commune_sort_key, "
            "a.evidence_count, (SELECT COUNT(*) FROM activity_evidence e WHERE e.activity_id = a.id) FROM activities a"
        ).fetchall()
    finally:
        conn.close()
    assert rows
    for title, commune, officer, search, title_key, commune_key, evidence_count, links in rows:
        assert search == activity_search_text(title, commune, officer)
        assert (title_key, commune_key, evidence_count) == (sort_key(title), sort_key(commune), links)


def _assert_plans_use_covering_indexes(workspace: Workspace) -> None:
    plans = benchmark_plans(workspace)
    assert LIST_INDEX in plans["list"], plans["list"]
    assert LIST_INDEX in plans["search"], plans["search"]
    assert TOTALS_INDEX in plans["totals"], plans["totals"]
    if workspace.is_sqlite:
        assert f"COVERING INDEX {LIST_INDEX}" in plans["search"], plans["search"]
        assert f"COVERING INDEX {TOTALS_INDEX}" in plans["totals"], plans["totals"]


@pytest.fixture(scope="module")
def fresh_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("fresh")
    Workspace.open(data_dir).close()
    return data_dir / "thidua.sqlite"


@pytest.mark.parametrize("version", OLD_VERSIONS)
def test_release_database_upgrades_to_the_fresh_schema_keeping_rows_and_speed(
    version: int, tmp_path: Path, fresh_sqlite: Path
) -> None:
    data_dir = tmp_path / "old"
    data_dir.mkdir()
    database = data_dir / "thidua.sqlite"
    shutil.copyfile(_fixture(version), database)
    before = _rows(database)

    with Workspace.open(data_dir) as upgraded:  # the real startup path
        report = upgraded.open_report
        assert report.migration.from_version == version
        assert report.migration.to_version == LATEST_SCHEMA_VERSION
        assert report.backup_before_upgrade is not None and report.backup_before_upgrade.is_file()
        _assert_plans_use_covering_indexes(upgraded)

    assert differences(sqlite_schema(database), sqlite_schema(fresh_sqlite)) == {}
    after = _rows(database)
    _assert_rows_kept(before, after)
    _assert_derived_columns_match_the_app(database)
    conn = sqlite3.connect(database)
    assert conn.execute("SELECT COUNT(*) FROM activities WHERE deleted_at IS NOT NULL").fetchone()[0] == 1
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    with Workspace.open(data_dir) as again:  # the final check is idempotent
        assert not again.open_report.migration.repair.changed
        assert not again.open_report.migration.upgraded


def test_an_edited_release_step_is_repaired_at_start(tmp_path: Path, fresh_sqlite: Path) -> None:
    """The v2 release kept `ix_activities_campaign_date` and had no covering indexes; step 2 was edited later."""
    data_dir = tmp_path / "old"
    data_dir.mkdir()
    shutil.copyfile(_fixture(2), data_dir / "thidua.sqlite")
    with Workspace.open(data_dir) as upgraded:
        repair = upgraded.open_report.migration.repair
    assert "ix_activities_campaign_date" in repair.indexes_dropped
    assert {LIST_INDEX, TOTALS_INDEX} <= set(repair.indexes_created)


# --- PostgreSQL ------------------------------------------------------------------------------------------


@pytest.fixture
def pg_database() -> Iterator[str]:
    admin_url = os.environ.get("THIDUA_TEST_PG_URL")
    if not admin_url:
        pytest.skip("THIDUA_TEST_PG_URL is not set")
    names: list[str] = []
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")

    def make() -> str:
        name = f"thidua_test_{uuid.uuid4().hex[:12]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        names.append(name)
        return admin_url.rsplit("/", 1)[0] + f"/{name}"

    yield make  # type: ignore[misc]
    for name in names:
        _drop_database(admin, name)
    admin.dispose()


# Columns whose type a step set on PostgreSQL only (SQLite's INTEGER is already 64-bit): from that version on,
# a PostgreSQL database of the release has this type, which the SQLite fixture cannot show.
POSTGRES_ONLY_TYPES = {("bundle_imports", "seq"): (7, BigInteger)}


def replay_on_postgres(fixture: Path, url: str, version: int) -> dict[str, int]:
    """The fixture's own schema (as the old version created it) and rows, on an empty PostgreSQL database."""
    source = create_engine(f"sqlite:///{fixture.as_posix()}")
    target = create_engine(url)
    metadata = MetaData()
    metadata.reflect(source)
    for table in metadata.tables.values():
        for column in table.columns:
            if isinstance(column.type, DATETIME):
                column.type = DateTime()
            since, pg_type = POSTGRES_ONLY_TYPES.get((table.name, column.name), (None, None))
            if since is not None and version >= since:
                column.type = pg_type()
    counts = {}
    try:
        metadata.create_all(target)
        with source.connect() as read, target.begin() as write:
            for table in metadata.sorted_tables:
                rows = [dict(r._mapping) for r in read.execute(select(table))]
                counts[table.name] = len(rows)
                if rows:
                    write.execute(table.insert(), rows)
                if "id" in table.c and rows:
                    write.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                       f"(SELECT MAX(id) FROM \"{table.name}\"))"))
    finally:
        source.dispose()
        target.dispose()
    return counts


@pytest.mark.parametrize("version", OLD_VERSIONS)
def test_release_database_upgrades_on_postgresql(version: int, tmp_path: Path, pg_database) -> None:  # noqa: ANN001
    old_url, fresh_url = pg_database(), pg_database()
    before = replay_on_postgres(_fixture(version), old_url, version)
    with Workspace.open(tmp_path / "old", database_url=old_url) as upgraded:
        assert upgraded.open_report.migration.from_version == version
        _assert_plans_use_covering_indexes(upgraded)
        upgraded_schema = postgres_schema(upgraded.engine)
        with upgraded.engine.connect() as conn:
            after = {t: conn.execute(text(f'SELECT COUNT(*) FROM "{t}"')).scalar() for t in before}
            activities = conn.execute(text(
                "SELECT uuid, title, commune, responsible_officer, revision, deleted_at IS NULL, search_text "
                "FROM activities")).all()
    with Workspace.open(tmp_path / "fresh", database_url=fresh_url) as fresh:
        fresh_schema = postgres_schema(fresh.engine)
    assert differences(upgraded_schema, fresh_schema) == {}
    assert {t: n for t, n in after.items() if t not in CHANGING_TABLES} == {
        t: n for t, n in before.items() if t not in CHANGING_TABLES
    }
    conn = sqlite3.connect(_fixture(version))
    original = {r[0]: r[1:] for r in conn.execute(
        "SELECT uuid, title, commune, responsible_officer, revision, deleted_at IS NULL FROM activities")}
    conn.close()
    assert {r[0]: (r[1], r[2], r[3], r[4], int(r[5])) for r in activities} == original
    assert all(r.search_text == activity_search_text(r.title, r.commune, r.responsible_officer) for r in activities)


# --- failures ------------------------------------------------------------------------------------------


def _contents(path: Path) -> dict[str, object]:
    """The schema and every table's rows (sorted, so storage order does not matter), read without writing."""
    conn = sqlite3.connect(f"file:{path.as_posix()}?mode=ro", uri=True)
    try:
        schema = sorted(conn.execute("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"))
        tables = [name for kind, name, _sql in schema if kind == "table"]
        rows = {table: sorted(conn.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr) for table in tables}
    finally:
        conn.close()
    return {"schema": schema, **rows}


def test_failed_migration_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data_dir = tmp_path / "old"
    data_dir.mkdir()
    shutil.copyfile(_fixture(1), data_dir / "thidua.sqlite")
    original = _contents(data_dir / "thidua.sqlite")
    assert any(original[table] for table in ("activities", "indicator_values", "units"))  # something to lose

    def explode(conn) -> None:  # noqa: ANN001
        MIGRATIONS_BEFORE[2](conn)
        raise RuntimeError("mất điện giữa chừng")

    MIGRATIONS_BEFORE = dict(MIGRATIONS)
    monkeypatch.setitem(MIGRATIONS, 2, explode)
    with pytest.raises(RuntimeError):
        Workspace.open(data_dir)
    after = _contents(data_dir / "thidua.sqlite")
    assert after.keys() == original.keys()
    for table in original:
        assert after[table] == original[table], f"bảng {table} đã bị thay đổi"
    conn = sqlite3.connect(data_dir / "thidua.sqlite")
    columns = {r[1] for r in conn.execute("PRAGMA table_info(activities)")}
    version = conn.execute("SELECT value FROM app_meta WHERE key='schema_version'").fetchone()[0]
    conn.close()
    assert "search_text" not in columns
    assert version == "1"


def test_newer_database_is_refused_and_left_unchanged(tmp_path: Path) -> None:
    data_dir = tmp_path / "new"
    data_dir.mkdir()
    shutil.copyfile(_fixture(1), data_dir / "thidua.sqlite")
    conn = sqlite3.connect(data_dir / "thidua.sqlite")
    conn.execute("UPDATE app_meta SET value = '999' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    before = (data_dir / "thidua.sqlite").read_bytes()
    with pytest.raises(DatabaseVersionError) as error:
        Workspace.open(data_dir)
    assert "phiên bản mới hơn" in error.value.message
    assert (data_dir / "thidua.sqlite").read_bytes() == before
    assert not list((data_dir / "backups").glob("*.sqlite"))


def test_sqlite_pragmas_are_set_per_connection(workspace: Workspace) -> None:
    if not workspace.is_sqlite:
        pytest.skip("SQLite only")
    with workspace.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10_000


def test_search_text_is_folded(tmp_path: Path) -> None:
    data_dir = tmp_path / "old"
    data_dir.mkdir()
    shutil.copyfile(_fixture(1), data_dir / "thidua.sqlite")
    conn = sqlite3.connect(data_dir / "thidua.sqlite")
    uuid_, title = conn.execute("SELECT uuid, title FROM activities LIMIT 1").fetchone()
    conn.close()
    Workspace.open(data_dir).close()
    conn = sqlite3.connect(data_dir / "thidua.sqlite")
    search = conn.execute("SELECT search_text FROM activities WHERE uuid = ?", (uuid_,)).fetchone()[0]
    conn.close()
    assert fold(title) in search


def test_columns_are_inspected_the_same_way(tmp_path: Path) -> None:  # the former column-only check, kept
    data_dir = tmp_path / "old"
    data_dir.mkdir()
    shutil.copyfile(_fixture(1), data_dir / "thidua.sqlite")
    with Workspace.open(data_dir) as upgraded, Workspace.open(tmp_path / "fresh") as fresh:
        columns = [{t: {c["name"] for c in inspect(e).get_columns(t)} for t in inspect(e).get_table_names()}
                   for e in (upgraded.engine, fresh.engine)]
    assert columns[0] == columns[1]
