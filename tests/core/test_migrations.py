"""Every committed fixture database (one per earlier schema version) upgrades without losing data."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import inspect

from thidua_desktop.core.errors import DatabaseVersionError
from thidua_desktop.core.migrations import LATEST_SCHEMA_VERSION, MIGRATIONS
from thidua_desktop.core.text import fold
from thidua_desktop.core.workspace import Workspace

FIXTURE_DIR = Path(__file__).parent.parent / "fixtures" / "db"


def _fixture(version: int) -> Path:
    return FIXTURE_DIR / f"schema_v{version}.sqlite"


def test_migration_steps_are_contiguous_and_every_old_version_has_a_fixture() -> None:
    assert sorted(MIGRATIONS) == list(range(2, LATEST_SCHEMA_VERSION + 1))
    for version in range(1, LATEST_SCHEMA_VERSION):
        assert _fixture(version).is_file(), f"thiếu cơ sở dữ liệu mẫu cho lược đồ {version}"


def _counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        return {
            table: conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            for table in ("activities", "indicator_values", "evidence", "activity_evidence", "units", "audit_log")
        }
    finally:
        conn.close()


def _columns(engine) -> dict[str, set[str]]:  # noqa: ANN001
    inspector = inspect(engine)
    return {t: {c["name"] for c in inspector.get_columns(t)} for t in inspector.get_table_names()}


@pytest.mark.parametrize("version", range(1, LATEST_SCHEMA_VERSION))
def test_fixture_upgrades_to_latest_keeping_every_record(version: int, tmp_path: Path) -> None:
    data_dir = tmp_path / "old"
    data_dir.mkdir()
    shutil.copyfile(_fixture(version), data_dir / "thidua.sqlite")
    before = _counts(data_dir / "thidua.sqlite")
    conn = sqlite3.connect(data_dir / "thidua.sqlite")
    titles_before = dict(conn.execute("SELECT uuid, title FROM activities").fetchall())
    conn.close()

    with Workspace.open(data_dir) as upgraded, Workspace.open(tmp_path / "fresh") as fresh:
        assert upgraded.open_report.migration.from_version == version
        assert upgraded.open_report.backup_before_upgrade is not None
        assert _columns(upgraded.engine) == _columns(fresh.engine)
        after = _counts(data_dir / "thidua.sqlite")
        assert {k: v for k, v in after.items() if k != "audit_log"} == {
            k: v for k, v in before.items() if k != "audit_log"
        }
        conn = sqlite3.connect(data_dir / "thidua.sqlite")
        titles_after = dict(conn.execute("SELECT uuid, title FROM activities").fetchall())
        search = dict(conn.execute("SELECT uuid, search_text FROM activities").fetchall())
        deleted = conn.execute("SELECT COUNT(*) FROM activities WHERE deleted_at IS NOT NULL").fetchone()[0]
        version_now = conn.execute("SELECT value FROM app_meta WHERE key='schema_version'").fetchone()[0]
        conn.close()
        assert titles_after == titles_before
        assert deleted == 1
        assert int(version_now) == LATEST_SCHEMA_VERSION
        some_uuid = next(iter(titles_before))
        assert fold(titles_before[some_uuid]) in search[some_uuid]


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
