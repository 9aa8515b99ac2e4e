"""Schema step 3: the bundle tables, and `activities.source_bundle_id` (which bundle last changed a row)."""

from __future__ import annotations

from sqlalchemy import Connection, text

from thidua_desktop.core.bundles.models import TABLES


def v3_signed_bundles(conn: Connection) -> None:
    """Create the five bundle tables and add the provenance column; portable SQL for SQLite and PostgreSQL."""
    for model in TABLES:  # in dependency order
        model.__table__.create(conn)
    conn.execute(text("ALTER TABLE activities ADD COLUMN source_bundle_id INTEGER REFERENCES bundle_imports(id)"))
