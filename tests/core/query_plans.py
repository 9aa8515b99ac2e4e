"""The query plans of the benchmarks' index-dependent queries, read from the real queries the app runs.

The activity list (`ActivityQueries.ids`, with and without a search) must run on the covering index
`ix_activities_list`, and the filtered totals (`ActivityQueries.totals`) on `ix_values_activity_cover`
(bench/bench_activities.py measures both). The statements are captured as the app sends them and then
explained: `EXPLAIN QUERY PLAN` on SQLite, `EXPLAIN` on PostgreSQL after `VACUUM ANALYZE`, with sequential and
bitmap scans off: a test database has a few hundred rows, where PostgreSQL rightly reads the whole table;
turned off, the plan shows the index path it takes at the benchmark's size (an index-only scan).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import event

from thidua_desktop.core.query import Period
from thidua_desktop.core.workspace import Workspace

LIST_INDEX = "ix_activities_list"
TOTALS_INDEX = "ix_values_activity_cover"


def _captured(workspace: Workspace, run: Callable[[], Any]) -> list[tuple[str, Any]]:
    statements: list[tuple[str, Any]] = []

    def capture(_conn, _cursor, statement, parameters, _context, _many) -> None:  # noqa: ANN001
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    event.listen(workspace.engine, "before_cursor_execute", capture)
    try:
        run()
    finally:
        event.remove(workspace.engine, "before_cursor_execute", capture)
    return statements


def _plan(workspace: Workspace, statement: str, parameters: Any) -> str:
    if workspace.is_sqlite:
        with workspace.engine.connect() as conn:
            rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
            return "\n".join(str(row[-1]) for row in rows)
    with workspace.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE activities, indicator_values")  # as autovacuum would: statistics and the visibility map
        conn.exec_driver_sql("SET enable_seqscan = off")
        conn.exec_driver_sql("SET enable_bitmapscan = off")
        rows = conn.exec_driver_sql(f"EXPLAIN {statement}", parameters).all()
        return "\n".join(str(row[0]) for row in rows)


def benchmark_plans(workspace: Workspace) -> dict[str, str]:
    """label → plan text, for the list (plain and searched) and the filtered totals."""
    queries = workspace.activity_queries()
    everything = queries.filter()
    year = everything.with_(period=Period.year(2024))
    runs = {
        "list": (lambda: queries.ids(everything), "from activities"),
        "search": (lambda: queries.ids(everything.with_(search="hoa giai")), "from activities"),
        "totals": (lambda: queries.totals(year), "sum("),
    }
    plans = {}
    for label, (run, marker) in runs.items():
        statement, parameters = next(s for s in _captured(workspace, run) if marker in s[0].lower())
        plans[label] = _plan(workspace, statement, parameters)
    return plans
