"""Everything a database's schema consists of, as plain data that two databases can be compared by.

SQLite: `sqlite_master` (tables, indexes, triggers, views with their SQL) and the pragmas (columns with
types, NOT NULL, defaults and keys; indexes with their columns; foreign keys). PostgreSQL: the
SQLAlchemy inspector (columns with types and defaults, keys, indexes, unique constraints, views) and
`information_schema.triggers`.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, inspect, text


def sqlite_schema(path: Path) -> dict[str, Any]:
    conn = sqlite3.connect(f"file:{path.as_posix()}?mode=ro", uri=True)
    try:
        objects = sorted(conn.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
        ).fetchall())
        snapshot: dict[str, Any] = {"objects": objects}
        for kind, name, _table, _sql in objects:
            if kind != "table":
                continue
            snapshot[f"{name}.columns"] = conn.execute(f'PRAGMA table_xinfo("{name}")').fetchall()
            snapshot[f"{name}.foreign_keys"] = sorted(
                tuple(r[2:]) for r in conn.execute(f'PRAGMA foreign_key_list("{name}")')
            )
            indexes = {}
            for _seq, index, unique, origin, partial in conn.execute(f'PRAGMA index_list("{name}")'):
                columns = [r[2] for r in conn.execute(f'PRAGMA index_info("{index}")')]
                key = index if not index.startswith("sqlite_autoindex") else f"auto({','.join(columns)})"
                indexes[key] = (unique, origin, partial, columns)
            snapshot[f"{name}.indexes"] = indexes
        return snapshot
    finally:
        conn.close()


def postgres_schema(engine: Engine) -> dict[str, Any]:
    inspector = inspect(engine)
    snapshot: dict[str, Any] = {"tables": sorted(inspector.get_table_names()), "views": sorted(inspector.get_view_names())}
    for table in snapshot["tables"]:
        snapshot[f"{table}.columns"] = [
            (c["name"], str(c["type"]), c["nullable"], c.get("default")) for c in inspector.get_columns(table)
        ]
        snapshot[f"{table}.primary_key"] = inspector.get_pk_constraint(table)["constrained_columns"]
        snapshot[f"{table}.foreign_keys"] = sorted(
            (tuple(fk["constrained_columns"]), fk["referred_table"], tuple(fk["referred_columns"]),
             tuple(sorted((fk.get("options") or {}).items())))
            for fk in inspector.get_foreign_keys(table)
        )
        snapshot[f"{table}.indexes"] = sorted(
            (ix["name"], tuple(ix["column_names"]), bool(ix["unique"])) for ix in inspector.get_indexes(table)
        )
        snapshot[f"{table}.unique"] = sorted(tuple(u["column_names"]) for u in inspector.get_unique_constraints(table))
    with engine.connect() as conn:
        snapshot["triggers"] = sorted(conn.execute(text(
            "SELECT event_object_table, trigger_name, event_manipulation, action_statement "
            "FROM information_schema.triggers WHERE trigger_schema = current_schema()"
        )).all())
    return snapshot


def differences(upgraded: dict[str, Any], fresh: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Only what differs, keyed as in the snapshots: (upgraded, fresh)."""
    return {k: (upgraded.get(k), fresh.get(k)) for k in sorted(set(upgraded) | set(fresh)) if upgraded.get(k) != fresh.get(k)}
