"""Killing the importer at a random moment leaves a consistent database, and importing again works."""

from __future__ import annotations

import hashlib
import random
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from thidua_desktop.core.bundles.importer import ImportStatus, import_bundle
from thidua_desktop.core.workspace import Role, Workspace

from .conftest import enrol, make_unit, pdf_bytes

CHILD = """
import sys
from pathlib import Path
from thidua_desktop.core.workspace import Workspace
from thidua_desktop.core.bundles.importer import import_bundle
workspace = Workspace.open(sys.argv[1], actor="tiến trình nhận gói")
print("start", flush=True)
import_bundle(workspace, Path(sys.argv[2]))
print("done", flush=True)
"""
ACTIVITIES = 120
FILES = 24


def _child(department: Path, bundle: Path) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-c", CHILD, str(department), str(bundle)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "start", process.stderr.read() if process.stderr else ""
    return process


def _check_consistent(department: Path) -> int:
    """Integrity, all-or-nothing rows, and a store holding only complete files; returns the import count."""
    conn = sqlite3.connect(department / "thidua.sqlite")
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        imports = conn.execute("SELECT COUNT(*) FROM bundle_imports").fetchone()[0]
        activities = conn.execute("SELECT COUNT(*) FROM activities").fetchone()[0]
        links = conn.execute("SELECT COUNT(*) FROM activity_evidence").fetchone()[0]
        archive = conn.execute("SELECT archive_path FROM bundle_imports").fetchall()
    finally:
        conn.close()
    assert (imports, activities, links) in ((0, 0, 0), (1, ACTIVITIES, FILES))
    for path in (department / "evidence").rglob("*"):
        if path.is_file():
            assert hashlib.sha256(path.read_bytes()).hexdigest() == path.name  # never a partial file
    if imports:
        assert len(list((department / "evidence").rglob("*/*"))) == FILES
        assert (department / archive[0][0] / "manifest.json").is_file()  # the signed manifest is archived
    return imports


@pytest.mark.slow
def test_killing_the_importer_never_leaves_a_partial_import(tmp_path: Path) -> None:
    unit = make_unit(tmp_path / "unit")
    for index in range(ACTIVITIES):
        attach = [pdf_bytes(index, 600_000)] if index < FILES else None
        unit.add(f"Hoạt động số {index}", attach=attach)
    bundle = unit.export().path
    pristine = tmp_path / "pristine"
    department = Workspace.open(pristine, actor="kiểm thử")
    department.configure(Role.DEPARTMENT, None)
    enrol(department, unit)
    department.close()
    unit.workspace.close()

    timing = tmp_path / "timing"
    shutil.copytree(pristine, timing)
    process = _child(timing, bundle)  # returns once the workspace is open: the import starts now
    started = time.perf_counter()
    assert process.wait(timeout=120) == 0, process.stderr.read() if process.stderr else ""
    duration = time.perf_counter() - started
    assert _check_consistent(timing) == 1

    rng = random.Random(20240305)
    outcomes = set()
    for trial, fraction in enumerate((0.05, 0.3, 0.55, 0.8, 1.05)):  # spread over the import, jittered
        copy = tmp_path / f"trial-{trial}"
        shutil.copytree(pristine, copy)
        process = _child(copy, bundle)
        time.sleep(duration * fraction * rng.uniform(0.8, 1.2))
        process.kill()
        process.wait(timeout=30)
        outcomes.add(_check_consistent(copy))
        with Workspace.open(copy, actor="kiểm thử") as reopened:
            report = import_bundle(reopened, bundle)
            assert report.status in (ImportStatus.NEW, ImportStatus.ALREADY)
        assert _check_consistent(copy) == 1
    assert 0 in outcomes, outcomes  # at least one kill landed before the commit
