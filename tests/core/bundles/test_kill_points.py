"""SIGKILL the importer at chosen points of a 200 MiB bundle: the next app start or import leaves no debris.

The importer runs in a child process that stops at one named point and waits there to be killed, so
each kill lands exactly where the story says (not at a random moment): half-way through reading the
bundle, with everything staged, half-way through moving files into the store, with everything moved
and the manifest archived but not committed, and just after the commit. Then the data folder is opened
again (app start) or imported into directly (the import cleans up), and must hold exactly what a clean
import gives: the same counts ("thêm 40 tệp minh chứng"), no staging, no orphan file, no archive of a
bundle that was not imported, and a database that passes `PRAGMA integrity_check`.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from thidua_desktop.core.activities import ActivityDraft, AttachmentDraft
from thidua_desktop.core.bundles import staging as staging_module
from thidua_desktop.core.bundles.importer import ImportReport, ImportStatus, import_bundle
from thidua_desktop.core.workspace import Role, Workspace

from .conftest import enrol, make_unit

FILES = 40
FILE_BYTES = 5 * 1024 * 1024  # 40 × 5 MiB = 200 MiB of incompressible evidence
ACTIVITIES = 50  # ten of them without a file

CHILD = r"""
import sys, time
from pathlib import Path
from thidua_desktop.core.bundles import import_apply, reader, staging
from thidua_desktop.core.bundles.importer import apply_import, prepare_import
from thidua_desktop.core.workspace import Workspace

data, bundle, point, half_files = sys.argv[1], Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])
half = bundle.stat().st_size // 2

def stop(name):
    if name == point:
        print(f"at {name}", flush=True)
        time.sleep(600)  # the test kills us here

read_chunks, seen = reader.read_chunks, [0]
def counting_chunks(*args, **kwargs):
    for chunk in read_chunks(*args, **kwargs):
        seen[0] += len(chunk)
        if seen[0] >= half:
            stop("scan")
        yield chunk
reader.read_chunks = counting_chunks

move, moves = import_apply._move, [0]
def counting_move(source, target):
    move(source, target)
    moves[0] += 1
    if moves[0] == half_files:
        stop("promoting")
import_apply._move = counting_move

archive = import_apply._MovedFiles.archive
def archive_then_stop(self, *args, **kwargs):
    archive(self, *args, **kwargs)
    stop("archived")
import_apply._MovedFiles.archive = archive_then_stop

discard = staging.Staging.discard
def stop_then_discard(self):
    stop("committed")
    discard(self)
staging.Staging.discard = stop_then_discard

workspace = Workspace.open(data, actor="tiến trình nhận gói")
prepared = prepare_import(workspace, bundle)
stop("staged")
apply_import(workspace, prepared)
print("done", flush=True)
"""

POINTS = ("scan", "staged", "promoting", "archived", "committed")


def _build_bundle(root: Path) -> tuple[Path, Path]:
    """A unit with 200 MiB of random evidence, its exported bundle, and a department that enrolled it."""
    unit = make_unit(root / "unit")
    campaign = unit.workspace.campaign()
    store = unit.workspace.evidence_store()
    for index in range(ACTIVITIES):
        attachments = None
        if index < FILES:
            data = os.urandom(FILE_BYTES)
            sha, size, _existed = store.add_stream(io.BytesIO(data), len(data))
            attachments = [AttachmentDraft(sha, f"anh-{index + 1:02d}.jpg", "image/jpeg", size)]
        draft = ActivityDraft(
            criterion_id=campaign.criteria_by_code["2.2"].id, activity_date=date(2024, 1 + index % 12, 5),
            title=f"Phổ biến pháp luật đợt {index + 1}", commune="xã Kiến An",
            values={campaign.indicators_by_code["2.2.b"].id: 1 + index % 4}, attachments=attachments,
        )
        unit.workspace.activities().create("PTP-CM", draft)
    bundle = unit.export(mode="full").path
    pristine = root / "pristine"
    with Workspace.open(pristine, actor="kiểm thử") as department:
        department.configure(Role.DEPARTMENT, None)
        enrol(department, unit)
    unit.workspace.close()
    return bundle, pristine


def _kill_at(data: Path, bundle: Path, point: str) -> None:
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(data), str(bundle), point, str(FILES // 2)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert child.stdout is not None and child.stderr is not None
    line = child.stdout.readline().strip()
    if line != f"at {point}":
        child.kill()
        pytest.fail(f"the importer did not stop at {point}: {line!r} {child.stderr.read()}")
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    child.stdout.close()
    child.stderr.close()


def _database(data: Path) -> tuple[int, set[str], set[str]]:
    """Integrity checked; the number of imports, the evidence hashes and the archive paths it refers to."""
    conn = sqlite3.connect(data / "thidua.sqlite")
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        imports = conn.execute("SELECT COUNT(*) FROM bundle_imports").fetchone()[0]
        shas = {row[0] for row in conn.execute("SELECT sha256 FROM evidence")}
        archives = {row[0] for row in conn.execute("SELECT archive_path FROM bundle_imports")}
    finally:
        conn.close()
    return imports, shas, archives


def _store(data: Path) -> set[str]:
    """The store's files, each complete (its content hashes to its name)."""
    names = set()
    for path in (data / "evidence").rglob("*"):
        if path.is_file():
            with path.open("rb") as handle:
                assert hashlib.file_digest(handle, "sha256").hexdigest() == path.name  # never a partial file
            names.add(path.name)
    return names


def _archives(data: Path) -> set[str]:
    root = data / "bundles" / "archive"
    return {p.relative_to(data).as_posix() for p in root.glob("*/*/*")} if root.is_dir() else set()


def _assert_clean(data: Path, imports_expected: int) -> None:
    """No staging, no orphan evidence, no archive of a bundle the database does not hold."""
    imports, shas, archives = _database(data)
    assert imports == imports_expected
    assert not (data / "bundles" / staging_module.STAGING_DIR).exists()
    assert _store(data) == shas
    assert _archives(data) == archives


def _counts(report: ImportReport) -> tuple[object, ...]:
    return (report.status, dict(report.counts), report.evidence_added, report.evidence_added_bytes)


@pytest.mark.slow
def test_a_killed_import_leaves_no_debris_and_the_next_one_counts_like_a_clean_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bundle, pristine = _build_bundle(tmp_path)
    assert bundle.stat().st_size >= 200 * 1024 * 1024

    clean_copy = tmp_path / "clean"
    shutil.copytree(pristine, clean_copy)
    with Workspace.open(clean_copy, actor="kiểm thử") as department:
        clean = import_bundle(department, bundle)
    assert clean.evidence_added == FILES and f"thêm {FILES} tệp minh chứng" in clean.message
    _assert_clean(clean_copy, 1)

    for index, point in enumerate(POINTS):
        data = tmp_path / f"killed-{point}"
        shutil.copytree(pristine, data)
        _kill_at(data, bundle, point)
        committed = point == "committed"
        imports, shas, _archived = _database(data)
        assert imports == (1 if committed else 0)
        assert _store(data) >= shas  # whatever the kill left, every file is whole and none is missing

        if index % 2 == 0:  # app start cleans up...
            with Workspace.open(data, actor="kiểm thử"):
                pass
            _assert_clean(data, 1 if committed else 0)
        else:  # ...or, when it did not run, the next import does
            monkeypatch.setattr("thidua_desktop.core.workspace.recover_interrupted_imports", lambda _ws: None)
        with Workspace.open(data, actor="kiểm thử") as department:
            report = import_bundle(department, bundle)
        monkeypatch.undo()
        if committed:
            assert report.status is ImportStatus.ALREADY
        else:
            assert _counts(report) == _counts(clean), point
            assert f"thêm {FILES} tệp minh chứng" in report.message
        _assert_clean(data, 1)
        shutil.rmtree(data)  # 200 MiB each: keep the disk free for the next trial
