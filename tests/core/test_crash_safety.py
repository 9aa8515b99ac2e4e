"""Killing the app in the middle of saving loses at most the save in flight; the database stays intact."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

CHILD = r"""
import sys
from datetime import date
from thidua_desktop.core.activities import ActivityDraft
from thidua_desktop.core.workspace import Role, Workspace

ws = Workspace.open(sys.argv[1], actor="con")
ws.configure(Role.UNIT, "PTP-CM")
campaign = ws.campaign()
crit = campaign.criteria_by_code["1"].id
ind = campaign.indicators_by_code["1.a"].id
service = ws.activities()

def draft(n):
    return ActivityDraft(criterion_id=crit, activity_date=date(2024, 1, 1), title=f"Tuyên truyền lần {n}", values={ind: n})

uuid = service.create("PTP-CM", draft(0)).created[0]
n = 0
while True:
    n += 1
    service.update(uuid, draft(n))
    if n % 3 == 0:
        service.create("PTP-CM", draft(n))
    print(n, flush=True)
"""


def test_killing_a_saving_process_leaves_old_or_new_record(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(data_dir)], stdout=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        saves = 0
        while saves < 40 and time.monotonic() < deadline:
            line = child.stdout.readline()
            if not line:
                break
            saves = int(line)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert saves >= 40

    conn = sqlite3.connect(data_dir / "thidua.sqlite")
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        rows = conn.execute(
            "SELECT a.title, a.revision, v.value FROM activities a JOIN indicator_values v ON v.activity_id = a.id"
        ).fetchall()
    finally:
        conn.close()
    assert rows
    for title, revision, value in rows:
        # title, value and revision were written in one transaction: they must agree.
        assert title == f"Tuyên truyền lần {value}"
        assert revision in (1, value + 1)  # created once, or edited once per save
    edited = max(rows, key=lambda r: r[1])
    assert edited[1] == edited[2] + 1 and edited[2] >= saves  # the last acknowledged save is there
