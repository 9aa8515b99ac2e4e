"""Shared fixtures. Qt runs offscreen; no Qt fixture is autouse, so core tests never start Qt."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.pop("THIDUA_DATA_DIR", None)

from thidua_desktop.core.workspace import Role, Workspace  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures"


def _database_urls() -> list[str]:
    urls = ["sqlite"]
    if os.environ.get("THIDUA_TEST_PG_URL"):
        urls.append("postgresql")
    return urls


@pytest.fixture(params=_database_urls())
def engine_kind(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def database_url(engine_kind: str, tmp_path: Path) -> Iterator[str | None]:
    """None for the embedded SQLite file; a fresh PostgreSQL database when THIDUA_TEST_PG_URL is set."""
    if engine_kind == "sqlite":
        yield None
        return
    import uuid

    from sqlalchemy import create_engine, text

    admin_url = os.environ["THIDUA_TEST_PG_URL"]
    name = f"thidua_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield admin_url.rsplit("/", 1)[0] + f"/{name}"
    _drop_database(admin, name)
    admin.dispose()


def _drop_database(admin: Any, name: str) -> None:
    """Drop a throw-away database; an autovacuum worker still inside it may refuse FORCE for a moment."""
    import time

    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    for attempt in range(20):
        try:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            return
        except DBAPIError:
            if attempt == 19:
                raise
            time.sleep(0.25)


def _unit_workspace(data_dir: Path, database_url: str | None) -> Workspace:
    """A fresh data folder configured as a district office (Phòng Tư pháp huyện Chợ Mới)."""
    ws = Workspace.open(data_dir, database_url=database_url, actor="kiểm thử")
    ws.configure(Role.UNIT, "PTP-CM")
    return ws


@pytest.fixture
def workspace(tmp_path: Path, database_url: str | None) -> Iterator[Workspace]:
    """On SQLite, and on PostgreSQL too when THIDUA_TEST_PG_URL is set."""
    ws = _unit_workspace(tmp_path / "data", database_url)
    yield ws
    ws.close()


@pytest.fixture
def sqlite_workspace(tmp_path: Path) -> Iterator[Workspace]:
    """SQLite only: for file-level checks (backups, WAL) and GUI tests."""
    ws = _unit_workspace(tmp_path / "data", None)
    yield ws
    ws.close()
