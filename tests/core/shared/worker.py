"""One reviewer's process for the shared-department tests: waits for the start signal, acts, prints JSON.

`python -m tests.core.shared.worker DATA_DIR DATABASE_URL ACTOR GO_FILE ACTION [ARGS…]`; a user error is
printed as JSON (exit 0), anything else is a traceback and a non-zero exit, which the tests refuse.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from thidua_desktop.core.errors import UserError
from thidua_desktop.core.query import Period
from thidua_desktop.core.workspace import Workspace


def act(ws: Workspace, action: str, args: list[str]) -> dict[str, object]:
    if action == "import":
        report = ws.bundles().import_file(Path(args[0]))
        return {"status": str(report.status), "evidence_added": report.evidence_added}
    review = ws.review()
    if action == "lock":
        review.lock_period(review.unit_id(args[0]), Period.year(int(args[1])), allow_open_queries=True)
        return {"status": "locked"}
    if action == "unlock":
        review.unlock_period(review.unit_id(args[0]), Period.year(int(args[1])), "Bổ sung số liệu", apply_freed=True)
        return {"status": "unlocked"}
    if action == "accept":
        review.accept(int(args[0]))
        return {"status": "accepted"}
    if action == "query":
        review.query(int(args[0]), args[1])
        return {"status": "queried"}
    raise SystemExit(f"unknown action {action}")


def main() -> None:
    data_dir, url, actor, go, action, *args = sys.argv[1:]
    ws = Workspace.open(Path(data_dir), database_url=url, actor=actor)
    try:
        Path(go + f".ready-{actor}").touch()
        deadline = time.monotonic() + 120
        while not Path(go).exists() and time.monotonic() < deadline:
            time.sleep(0.005)
        try:
            result = act(ws, action, args)
        except UserError as error:
            result = {"status": "error", "error": type(error).__name__, "message": error.message}
        print(json.dumps(result, ensure_ascii=False))
    finally:
        ws.close()


if __name__ == "__main__":
    main()
