"""Schema step 4: the review tables and the covering indexes behind the consolidated table."""

from __future__ import annotations

from sqlalchemy import Connection

from thidua_desktop.core.consolidation.models import CONSOLIDATION_INDEXES, CONSOLIDATION_TABLES


def v4_consolidation(conn: Connection) -> None:
    """v4: create the tables and indexes exactly as `create_all` would (portable DDL from the models)."""
    for model in CONSOLIDATION_TABLES:
        model.__table__.create(conn)
    for index in CONSOLIDATION_INDEXES:
        index.create(conn)
