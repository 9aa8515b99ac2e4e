"""Schema step: trust states (pending keys, held bundles, frozen chains, superseded imports).

Self-contained: columns are added only when missing, because step 3 creates the bundle tables from
the current models (so a database upgraded from before step 3 already has them).
"""

from __future__ import annotations

from sqlalchemy import Connection, inspect, text

from thidua_desktop.core.bundles.models import TRUST_TABLES

_COLUMNS = {
    "trusted_keys": [
        ("state", "VARCHAR(16) NOT NULL DEFAULT 'enrolled'"),
        ("endorsed_at_seq", "BIGINT"),
        ("retired_by_key_id", "VARCHAR(16)"),
    ],
    "bundle_imports": [
        ("superseded_seq", "BIGINT"),
        ("superseded_at", "{timestamp}"),
        ("superseded_reason", "TEXT"),
    ],
}


def v7_trust_states(conn: Connection) -> None:
    """Add the trust-state columns and the held-bundle and chain-freeze tables (SQLite and PostgreSQL)."""
    inspector = inspect(conn)
    for table, columns in _COLUMNS.items():
        existing = {c["name"] for c in inspector.get_columns(table)}
        for name, ddl in columns:
            if name not in existing:
                ddl = ddl.format(timestamp="DATETIME" if conn.dialect.name == "sqlite" else "TIMESTAMP")
                conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {name} {ddl}"))
    if conn.dialect.name == "postgresql":  # seq 2^63-1 is a valid (held) number; INTEGER would overflow
        conn.execute(text("ALTER TABLE bundle_imports ALTER COLUMN seq TYPE BIGINT"))
    for model in TRUST_TABLES:
        model.__table__.create(conn, checkfirst=True)
