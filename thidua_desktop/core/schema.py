"""The one schema (`Base.metadata`, every module with tables imported here) and the check that brings a
database to it.

A feature package with tables of its own adds one import line here.

`converge_schema` runs at every start after the numbered migration steps: whatever path a database
took (a released step, a step edited after release, a table created from newer models), it ends with
the tables, indexes and column defaults a fresh database gets from the models. It is idempotent and
only ever adds what the models declare or removes what they no longer declare; it never touches rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Connection, Inspector, Table, inspect, text
from sqlalchemy.schema import CreateTable

from thidua_desktop.core import models
from thidua_desktop.core.awards import models as award_models
from thidua_desktop.core.bundles import models as bundle_models
from thidua_desktop.core.consolidation import models as consolidation_models

__all__ = ["SchemaRepair", "award_models", "bundle_models", "consolidation_models", "converge_schema", "models"]

# Index names this application creates; an index with this prefix that no model declares is stale.
OWN_INDEX_PREFIX = "ix_"


@dataclass
class SchemaRepair:
    """What `converge_schema` changed (empty on a database that already matched the models)."""

    tables_created: list[str] = field(default_factory=list)
    indexes_created: list[str] = field(default_factory=list)
    indexes_dropped: list[str] = field(default_factory=list)
    tables_redefined: list[str] = field(default_factory=list)  # defaults or stored definition aligned

    @property
    def changed(self) -> bool:
        return bool(self.tables_created or self.indexes_created or self.indexes_dropped or self.tables_redefined)


def converge_schema(conn: Connection) -> SchemaRepair:
    """Create missing tables and indexes, drop superseded ones, align column defaults with the models."""
    repair = SchemaRepair()
    metadata = models.Base.metadata
    existing = set(inspect(conn).get_table_names())
    for table in metadata.sorted_tables:
        if table.name not in existing:
            table.create(conn)  # with its indexes
            repair.tables_created.append(table.name)
    inspector = inspect(conn)
    for table in metadata.sorted_tables:
        if table.name in repair.tables_created:
            continue
        present = {ix["name"] for ix in inspector.get_indexes(table.name)}
        declared = {ix.name for ix in table.indexes}
        for index in sorted(table.indexes, key=lambda ix: str(ix.name)):
            if index.name not in present:
                index.create(conn)
                repair.indexes_created.append(str(index.name))
        for name in sorted(n for n in present if n and n.startswith(OWN_INDEX_PREFIX) and n not in declared):
            conn.execute(text(f'DROP INDEX "{name}"'))
            repair.indexes_dropped.append(name)
        if _align_definition(conn, table, inspector):
            repair.tables_redefined.append(table.name)
    return repair


def _server_default(table: Table, column: str) -> str | None:
    default = table.c[column].server_default
    return None if default is None else str(getattr(default, "arg", default))


def _align_definition(conn: Connection, table: Table, inspector: Inspector) -> bool:
    """Steps add NOT NULL columns with a DEFAULT (ALTER TABLE requires one) where the models declare none;
    on SQLite the stored CREATE TABLE text also keeps every ALTER TABLE appended to it."""
    if conn.dialect.name == "sqlite":
        return _rewrite_sqlite_table_sql(conn, table)
    stray = [
        c["name"] for c in inspector.get_columns(table.name)
        if c["name"] in table.c and c.get("default") is not None and _server_default(table, c["name"]) is None
        and not str(c["default"]).startswith("nextval(")  # a SERIAL key's sequence is part of the model
    ]
    for name in stray:
        conn.execute(text(f'ALTER TABLE "{table.name}" ALTER COLUMN "{name}" DROP DEFAULT'))
    return bool(stray)


def _sqlite_shape(conn: Connection, table_name: str) -> tuple[list[tuple], ...]:
    """What the rows on disk depend on: columns (position, name, type, NOT NULL, key: all but the
    default), the foreign keys' columns, and the indexes that keys and UNIQUE constraints imply."""
    columns = [tuple(r[:4]) + (r[5],) for r in conn.exec_driver_sql(f'PRAGMA table_info("{table_name}")')]
    foreign = sorted(tuple(r[2:5]) for r in conn.exec_driver_sql(f'PRAGMA foreign_key_list("{table_name}")'))
    implied = sorted(
        (unique, origin, tuple(r[2] for r in conn.exec_driver_sql(f'PRAGMA index_info("{name}")')))
        for _seq, name, unique, origin, _partial in conn.exec_driver_sql(f'PRAGMA index_list("{table_name}")')
        if origin != "c"
    )
    return columns, foreign, implied


def _rewrite_sqlite_table_sql(conn: Connection, table: Table) -> bool:
    """Replace the stored CREATE TABLE text by the models' when only column defaults differ.

    This is SQLite's documented procedure for changing a column default (ALTER TABLE, "making other kinds
    of table schema changes"): the rows on disk do not depend on defaults, so no row is rewritten. The
    new text is checked to describe exactly the same columns, in the same order, with the same keys; if
    it would not, nothing is changed and the migration test reports the difference.
    """
    fresh_sql = str(CreateTable(table).compile(dialect=conn.dialect)).strip()
    stored = conn.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table.name,)
    ).scalar()
    if stored == fresh_sql or stored is None or stored.upper().count("CHECK") != fresh_sql.upper().count("CHECK"):
        return False  # a CHECK would apply to rows never checked against it: left for the test to report
    before = _sqlite_shape(conn, table.name)
    probe = f"_thidua_probe_{table.name}"
    conn.exec_driver_sql(fresh_sql.replace(f"CREATE TABLE {table.name} ", f'CREATE TEMP TABLE "{probe}" ', 1))
    try:
        after = _sqlite_shape(conn, probe)
    finally:
        conn.exec_driver_sql(f'DROP TABLE temp."{probe}"')
    if before != after:
        return False
    cookie = conn.exec_driver_sql("PRAGMA schema_version").scalar()
    conn.exec_driver_sql("PRAGMA writable_schema = ON")
    try:
        conn.exec_driver_sql(
            "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?", (fresh_sql, table.name)
        )
        conn.exec_driver_sql(f"PRAGMA schema_version = {int(cookie) + 1}")  # other connections re-read it
    finally:
        conn.exec_driver_sql("PRAGMA writable_schema = RESET")
    return True
