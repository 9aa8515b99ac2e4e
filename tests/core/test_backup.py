from __future__ import annotations

from datetime import date

import pytest

from thidua_desktop.core import backup
from thidua_desktop.core.activities import ActivityDraft
from thidua_desktop.core.errors import UserError
from thidua_desktop.core.workspace import Workspace


def _add(workspace: Workspace, title: str) -> str:
    campaign = workspace.campaign()
    draft = ActivityDraft(criterion_id=campaign.criteria_by_code["1"].id, activity_date=date(2024, 3, 1), title=title,
                          values={campaign.indicators_by_code["1.a"].id: 1})
    return workspace.activities().create("PTP-CM", draft).created[0]


def test_backup_and_restore_round_trip(sqlite_workspace: Workspace) -> None:
    ws = sqlite_workspace
    kept = _add(ws, "Trước khi sao lưu")
    path = ws.backup_now("thu")
    info = backup.describe_backup(path)
    assert info.activity_count == 1 and info.reason == "thu" and info.schema_version is not None
    later = _add(ws, "Sau khi sao lưu")
    ws.engine.dispose()
    safety = backup.restore_sqlite(path, ws.layout.database_file, ws.layout.backups_dir)
    assert backup.describe_backup(safety).activity_count == 2  # the state before restoring is kept too
    service = ws.activities()
    assert service.get(kept).draft.title == "Trước khi sao lưu"
    with pytest.raises(UserError):
        service.get(later)


def test_rolling_backups_keep_the_last_n(sqlite_workspace: Workspace) -> None:
    ws = sqlite_workspace
    ws.set_settings(backup_keep=3)
    for _ in range(5):
        ws.backup_now("hang-ngay")
    assert len(backup.list_backups(ws.layout.backups_dir)) == 3


def test_broken_backup_is_refused_before_anything_changes(sqlite_workspace: Workspace, tmp_path) -> None:
    broken = tmp_path / "thidua-20240101-000000-000000-x.sqlite"
    broken.write_bytes(b"not a database")
    before = sqlite_workspace.layout.database_file.read_bytes()
    with pytest.raises(UserError, match="bị hỏng"):
        backup.restore_sqlite(broken, sqlite_workspace.layout.database_file, sqlite_workspace.layout.backups_dir)
    assert sqlite_workspace.layout.database_file.read_bytes() == before


def test_safety_copies_are_never_rotated_away(sqlite_workspace: Workspace) -> None:
    ws = sqlite_workspace
    ws.set_settings(backup_keep=2)
    first = ws.backup_now("thu")
    ws.engine.dispose()
    safety = backup.restore_sqlite(first, ws.layout.database_file, ws.layout.backups_dir)
    for _ in range(4):
        ws.backup_now("khi-thoat")
    remaining = backup.list_backups(ws.layout.backups_dir)
    assert safety in remaining  # the copy taken before the restore survives many exits
    assert sum(p.stem.endswith("khi-thoat") for p in remaining) == 2
