"""Schema step 5: the award tables (rounds, nominations, prior awards)."""

from __future__ import annotations

from sqlalchemy import Connection

from thidua_desktop.core.awards.models import AWARD_TABLES


def v5_award_tables(conn: Connection) -> None:
    """v5: create the award tables exactly as `create_all` would (portable DDL from the models)."""
    for table in AWARD_TABLES:  # parents before children
        table.create(conn)
