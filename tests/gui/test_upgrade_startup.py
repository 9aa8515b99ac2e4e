"""Upgrade safety through the app's own startup path (`gui.app`), not just `Workspace.open`.

A newer app opening an older database backs it up and migrates it, keeping every record; an older app
opening a newer database refuses with a Vietnamese message and leaves the file byte-identical. The GUI
module is imported but Qt is only started by the one test that runs `main()`.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from thidua_desktop.core.errors import DatabaseVersionError, UserError
from thidua_desktop.core.migrations import LATEST_SCHEMA_VERSION
from thidua_desktop.gui import app as gui_app

FIXTURE_V1 = Path(__file__).parent.parent / "fixtures" / "db" / "schema_v1.sqlite"
TABLES = ("activities", "indicator_values", "evidence", "activity_evidence", "units")


def _snapshot(path: Path) -> dict[str, object]:
    conn = sqlite3.connect(f"file:{path.as_posix()}?mode=ro", uri=True)
    try:
        counts = {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}
        titles = dict(conn.execute("SELECT uuid, title FROM activities").fetchall())
        version = int(conn.execute("SELECT value FROM app_meta WHERE key = 'schema_version'").fetchone()[0])
    finally:
        conn.close()
    return {"counts": counts, "titles": titles, "version": version}


def _old_data_dir(tmp_path: Path) -> Path:
    data_dir = tmp_path / "du-lieu"
    data_dir.mkdir()
    shutil.copyfile(FIXTURE_V1, data_dir / "thidua.sqlite")
    return data_dir


def test_startup_upgrades_an_old_database_after_a_backup(tmp_path: Path) -> None:
    data_dir = _old_data_dir(tmp_path)
    before = _snapshot(data_dir / "thidua.sqlite")
    assert before["version"] == 1
    assert LATEST_SCHEMA_VERSION > 1

    args = gui_app.build_parser().parse_args(["--data-dir", str(data_dir)])
    workspace = gui_app.open_workspace(args)
    try:
        report = workspace.open_report
        assert report.migration.upgraded
        assert (report.migration.from_version, report.migration.to_version) == (1, LATEST_SCHEMA_VERSION)
        backup = report.backup_before_upgrade
        assert backup is not None and backup.parent == data_dir / "backups"
        assert "truoc-nang-cap-v1" in backup.name
        assert len(workspace.campaign().criteria) > 0  # the campaign loads on the upgraded schema
    finally:
        workspace.close()

    after = _snapshot(data_dir / "thidua.sqlite")
    assert after["version"] == LATEST_SCHEMA_VERSION
    assert after["counts"] == before["counts"]
    assert after["titles"] == before["titles"]
    assert before["counts"]["activities"] > 100  # the fixture really holds data
    # The backup is the database as it was before the upgrade, so the user can go back to it.
    assert _snapshot(backup) == before


def test_startup_twice_upgrades_once(tmp_path: Path) -> None:
    data_dir = _old_data_dir(tmp_path)
    args = gui_app.build_parser().parse_args(["--data-dir", str(data_dir)])
    gui_app.open_workspace(args).close()
    second = gui_app.open_workspace(args)
    try:
        assert not second.open_report.migration.upgraded
        assert second.open_report.backup_before_upgrade is None
    finally:
        second.close()
    assert len(list((data_dir / "backups").glob("*.sqlite"))) == 1


def _newer_data_dir(tmp_path: Path) -> Path:
    data_dir = _old_data_dir(tmp_path)
    conn = sqlite3.connect(data_dir / "thidua.sqlite")
    conn.execute("UPDATE app_meta SET value = ? WHERE key = 'schema_version'", (str(LATEST_SCHEMA_VERSION + 1),))
    conn.commit()
    conn.close()
    return data_dir


def test_startup_refuses_a_newer_database_and_changes_nothing(tmp_path: Path) -> None:
    data_dir = _newer_data_dir(tmp_path)
    before = (data_dir / "thidua.sqlite").read_bytes()
    args = gui_app.build_parser().parse_args(["--data-dir", str(data_dir)])
    with pytest.raises(DatabaseVersionError) as refused:
        gui_app.open_workspace(args)
    assert "được tạo bởi phiên bản mới hơn" in refused.value.message
    assert f"lược đồ {LATEST_SCHEMA_VERSION + 1}" in refused.value.message
    assert "Không có gì bị thay đổi" in refused.value.hint
    assert (data_dir / "thidua.sqlite").read_bytes() == before
    assert sorted(p.name for p in data_dir.iterdir() if p.name.startswith("thidua.sqlite")) == ["thidua.sqlite"]
    assert not list((data_dir / "backups").glob("*"))


def test_main_shows_the_refusal_in_vietnamese_and_exits_4(
    qapp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch  # noqa: ANN001
) -> None:
    from thidua_desktop.gui.crash import uninstall_crash_handler

    data_dir = _newer_data_dir(tmp_path)
    before = (data_dir / "thidua.sqlite").read_bytes()
    shown: list[BaseException] = []
    monkeypatch.setattr(gui_app, "show_error", lambda _parent, error, *a, **k: shown.append(error))
    try:
        code = gui_app.main(["--data-dir", str(data_dir)])
    finally:
        uninstall_crash_handler()
    assert code == DatabaseVersionError.exit_code == 4
    assert len(shown) == 1 and isinstance(shown[0], UserError)
    assert shown[0].message.startswith("Cơ sở dữ liệu được tạo bởi phiên bản mới hơn của chương trình")
    assert (data_dir / "thidua.sqlite").read_bytes() == before
    assert (data_dir / "logs" / "thidua-desktop.log").is_file()  # the crash log is set up before anything else
