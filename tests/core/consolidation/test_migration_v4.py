"""Schema step 4 turns a database without the consolidation objects into exactly what a fresh one has."""

from __future__ import annotations

from sqlalchemy import inspect

from thidua_desktop.core.consolidation.migration import v4_consolidation
from thidua_desktop.core.consolidation.models import CONSOLIDATION_INDEXES, CONSOLIDATION_TABLES
from thidua_desktop.core.migrations import MIGRATIONS
from thidua_desktop.core.workspace import Workspace


def _shape(workspace: Workspace) -> dict[str, tuple[set[str], set[str]]]:
    inspector = inspect(workspace.engine)
    return {
        table: ({c["name"] for c in inspector.get_columns(table)}, {i["name"] for i in inspector.get_indexes(table)})
        for table in inspector.get_table_names()
    }


def test_step_4_creates_the_review_tables_and_the_covering_index(workspace: Workspace) -> None:
    assert MIGRATIONS[4] is v4_consolidation
    fresh = _shape(workspace)
    names = {model.__tablename__ for model in CONSOLIDATION_TABLES}
    assert names <= set(fresh) and "ix_activities_consolidation" in fresh["activities"][1]
    with workspace.engine.begin() as conn:  # back to the state before step 4
        for index in CONSOLIDATION_INDEXES:
            index.drop(conn)
        for model in reversed(CONSOLIDATION_TABLES):
            model.__table__.drop(conn)
    before = _shape(workspace)
    assert not names & set(before) and "ix_activities_consolidation" not in before["activities"][1]
    with workspace.engine.begin() as conn:
        v4_consolidation(conn)
    assert _shape(workspace) == fresh
