"""First-time setup of a shared department, and a second reviewer joining it, from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.core.shared.conftest import pg_url  # noqa: F401  (fixture)
from thidua_desktop.cli.main import main
from thidua_desktop.core.models import AuditEntry, Setting
from thidua_desktop.core.workspace import Role, Workspace


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_setup_then_join_from_the_cli(tmp_path: Path, pg_url: str,  # noqa: F811 - the fixture
                                      capsys: pytest.CaptureFixture[str]) -> None:
    a, b = tmp_path / "may-a", tmp_path / "may-b"
    code, out, err = run(capsys, "setup", "--role", "department", "--database-url", pg_url, "--data-dir", str(a),
                         "--name", "Nguyễn Văn An")
    assert code == 0, err
    assert "Đã thiết lập Sở Tư pháp" in out
    code, out, err = run(capsys, "setup", "--role", "department", "--database-url", pg_url, "--data-dir", str(b),
                         "--name", "Trần Thị Bình")
    assert code == 0, err
    assert "đã tham gia Sở Tư pháp" in out and "Trần Thị Bình" in out
    # Each machine remembers the database and its reviewer; the shared settings were written once.
    assert json.loads((b / "machine.json").read_text(encoding="utf-8"))["reviewer_name"] == "Trần Thị Bình"
    with Workspace.open(b) as ws:
        assert not ws.is_sqlite and ws.role is Role.DEPARTMENT and ws.actor == "Trần Thị Bình"
        with ws.sessions() as session:
            entries = session.execute(select(AuditEntry.actor, AuditEntry.action)
                                      .where(AuditEntry.entity == "reviewer").order_by(AuditEntry.id)).all()
            role_changes = session.scalars(select(AuditEntry.id).where(AuditEntry.entity == "settings")).all()
            assert session.get(Setting, "role") is not None
    assert [tuple(e) for e in entries] == [("Nguyễn Văn An", "setup"), ("Trần Thị Bình", "join")]
    assert len(role_changes) == 1  # no second setup of the department


def test_setup_needs_a_name_and_refuses_a_unit_database(tmp_path: Path, pg_url: str,  # noqa: F811 - the fixture
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "setup", "--role", "department", "--database-url", pg_url, "--data-dir",
                       str(tmp_path / "x"))
    assert code != 0 and "họ tên" in err and "Traceback" not in err
    code, _, err = run(capsys, "setup", "--role", "unit", "--unit", "PTP-CM", "--database-url", pg_url,
                       "--data-dir", str(tmp_path / "u"))
    assert code == 0, err
    code, _, err = run(capsys, "setup", "--role", "department", "--database-url", pg_url, "--data-dir",
                       str(tmp_path / "y"), "--name", "Lê Văn Cường")
    assert code != 0 and "đã được thiết lập cho một đơn vị" in err
