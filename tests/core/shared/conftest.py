"""A shared department: one PostgreSQL database, reviewers on separate data folders and processes.

Every test here needs THIDUA_TEST_PG_URL (CI sets it) and is skipped without it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import _drop_database
from tests.core.bundles.conftest import cheap_key_derivation, department, unit  # noqa: F401  (autouse here too)
from thidua_desktop.core.workspace import Role, Workspace

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database for one test."""
    admin_url = os.environ.get("THIDUA_TEST_PG_URL")
    if not admin_url:
        pytest.skip("THIDUA_TEST_PG_URL is not set")
    from sqlalchemy import create_engine, text

    name = f"thidua_shared_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield admin_url.rsplit("/", 1)[0] + f"/{name}"
    _drop_database(admin, name)
    admin.dispose()


@dataclass
class Reviewer:
    name: str
    data_dir: Path
    url: str

    def open(self) -> Workspace:
        return Workspace.open(self.data_dir, database_url=self.url, actor=self.name)


@pytest.fixture
def reviewers(tmp_path: Path, pg_url: str) -> tuple[Reviewer, Reviewer]:
    """Reviewer A sets the department up; reviewer B joins the same database from another data folder."""
    first = Reviewer("Chuyên viên A", tmp_path / "reviewer-a", pg_url)
    second = Reviewer("Chuyên viên B", tmp_path / "reviewer-b", pg_url)
    with first.open() as ws:
        ws.configure(Role.DEPARTMENT, None)
    return first, second


def run_together(tmp_path: Path, jobs: list[tuple[Reviewer, list[str]]]) -> list[dict[str, object]]:
    """Start one process per job, let them all go at the same instant, and return what each printed.

    A process that fails with anything but a user error (a traceback) fails the test.
    """
    go = tmp_path / f"go-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    processes = []
    for index, (reviewer, args) in enumerate(jobs):
        actor = f"{reviewer.name} #{index}"
        processes.append(subprocess.Popen(
            [sys.executable, "-m", "tests.core.shared.worker", str(reviewer.data_dir), reviewer.url, actor, str(go),
             *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        ))
    deadline = time.monotonic() + 120
    while len(list(tmp_path.glob(f"{go.name}.ready-*"))) < len(jobs):
        assert time.monotonic() < deadline, "workers did not start"
        assert all(p.poll() is None for p in processes), [p.communicate() for p in processes]
        time.sleep(0.01)
    go.touch()
    results = []
    for process in processes:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
        assert "Traceback" not in err, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results
