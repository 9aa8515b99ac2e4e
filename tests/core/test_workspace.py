"""The Workspace (core/workspace.py): opening and upgrading a data folder, configuring this machine,
settings, the services it hands out, and backups and restore."""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from thidua_desktop.core import backup
from thidua_desktop.core.activities import ActivityDraft, ActivityService
from thidua_desktop.core.errors import NotFoundError, UserError
from thidua_desktop.core.evidence import EvidenceService
from thidua_desktop.core.migrations import LATEST_SCHEMA_VERSION
from thidua_desktop.core.models import AuditEntry, Setting
from thidua_desktop.core.overview import OverviewService
from thidua_desktop.core.query import ActivityQueries
from thidua_desktop.core.units import UnitService
from thidua_desktop.core.workspace import DEFAULT_SETTINGS, ROLE_LABELS, Role, Workspace

FIXTURE_DIR = Path(__file__).parent.parent / "fixtures" / "db"


def _add(workspace: Workspace, title: str) -> str:
    campaign = workspace.campaign()
    draft = ActivityDraft(criterion_id=campaign.criteria_by_code["1"].id, activity_date=date(2024, 3, 1), title=title,
                          values={campaign.indicators_by_code["1.a"].id: 1})
    return workspace.activities().create("PTP-CM", draft).created[0]


def _audit(workspace: Workspace, entity: str) -> list[AuditEntry]:
    with workspace.sessions() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.entity == entity).order_by(AuditEntry.id)))


def test_opening_a_new_folder_creates_everything_once(tmp_path: Path, database_url: str | None) -> None:
    with Workspace.open(tmp_path / "data", database_url=database_url, actor="kiểm thử") as workspace:
        report = workspace.open_report
        assert report.migration.created and report.migration.to_version == LATEST_SCHEMA_VERSION
        assert report.catalogue.added == ("KH-78-STP-2023",) and report.units_seeded == 20
        assert report.backup_before_upgrade is None
        assert all(folder.is_dir() for folder in (workspace.layout.evidence_dir, workspace.layout.backups_dir))
        assert workspace.actor == "kiểm thử"
        assert workspace.role is None and not workspace.is_configured and workspace.own_unit() is None
        assert workspace.is_sqlite is (database_url is None)
        if database_url is None:
            assert workspace.database_label == str(workspace.layout.database_file)
        else:
            assert "***@" in workspace.database_label  # the password is never shown
    with Workspace.open(tmp_path / "data", database_url=database_url) as again:
        report = again.open_report
        assert not report.migration.created and not report.migration.upgraded
        assert report.catalogue.added == () and report.units_seeded == 0


def test_an_old_database_is_backed_up_then_upgraded(tmp_path: Path) -> None:
    data_dir = tmp_path / "old"
    data_dir.mkdir()
    shutil.copyfile(FIXTURE_DIR / "schema_v1.sqlite", data_dir / "thidua.sqlite")
    with Workspace.open(data_dir) as workspace:
        report = workspace.open_report
        assert report.migration.upgraded and report.migration.from_version == 1
        assert report.backup_before_upgrade is not None and report.backup_before_upgrade.is_file()
        assert backup.describe_backup(report.backup_before_upgrade).schema_version == 1
        assert "truoc-nang-cap-v1" in report.backup_before_upgrade.name
        assert backup.describe_backup(report.backup_before_upgrade).reason_label == "Trước khi nâng cấp"


def test_configure_sets_role_and_unit_and_refuses_what_cannot_be(tmp_path: Path, database_url: str | None) -> None:
    with Workspace.open(tmp_path / "data", database_url=database_url) as workspace:
        with pytest.raises(UserError, match="Chưa chọn đơn vị"):
            workspace.configure(Role.UNIT, None)
        with pytest.raises(NotFoundError):
            workspace.configure(Role.UNIT, "KHONG-CO")
        assert workspace.role is None and workspace.setting("unit_code") is None  # nothing half-saved
        workspace.configure(Role.UNIT, "PTP-TT")
        assert workspace.role is Role.UNIT and workspace.is_configured
        assert workspace.own_unit().name == "Phòng Tư pháp huyện Tri Tôn"
        workspace.configure(Role.DEPARTMENT, None)
        assert workspace.role is Role.DEPARTMENT and workspace.own_unit().code == "STP"
        assert ROLE_LABELS[workspace.role] == "Sở Tư pháp (tiếp nhận, tổng hợp)"


def test_settings_default_persist_and_audit_only_changes(workspace: Workspace, tmp_path: Path) -> None:
    assert workspace.setting("evidence_max_mb") == DEFAULT_SETTINGS["evidence_max_mb"] == 50
    assert workspace.setting("no_such_setting") is None
    changes = workspace.set_settings(evidence_max_mb=20, downscale_photos=True)  # downscaling is on already
    assert changes == {"evidence_max_mb": [50, 20]}
    assert workspace.setting("evidence_max_mb") == 20
    assert workspace.set_settings(evidence_max_mb=20) == {}
    entries = [e for e in _audit(workspace, "settings") if "evidence_max_mb" in e.changes_json]
    assert len(entries) == 1 and json.loads(entries[0].changes_json) == {"evidence_max_mb": [50, 20]}
    with workspace.sessions() as session:
        assert json.loads(session.get(Setting, "evidence_max_mb").value) == 20
    assert workspace.evidence().max_bytes == 20 * 1024 * 1024  # services read the settings when handed out


def test_services_are_typed_and_share_the_campaign(workspace: Workspace) -> None:
    campaign = workspace.campaign()
    assert isinstance(workspace.activities(), ActivityService) and workspace.activities().campaign is campaign
    assert isinstance(workspace.activity_queries(), ActivityQueries) and workspace.activity_queries().campaign is campaign
    assert isinstance(workspace.overview(), OverviewService) and workspace.overview().campaign is campaign
    assert isinstance(workspace.units(), UnitService) and isinstance(workspace.evidence(), EvidenceService)
    assert workspace.activities().actor == workspace.units().actor == "kiểm thử"


def test_a_failed_transaction_writes_nothing(workspace: Workspace) -> None:
    with pytest.raises(RuntimeError), workspace.transaction() as session:
        session.add(Setting(key="tam", value="1"))
        session.flush()
        raise RuntimeError("mất điện")
    assert workspace.setting("tam") is None


def test_backups_are_listed_newest_first_and_broken_ones_are_not_offered(sqlite_workspace: Workspace) -> None:
    ws = sqlite_workspace
    assert ws.backups() == []
    first = ws.backup_now("thu-cong")
    second = ws.backup_now("khi-thoat")
    (ws.layout.backups_dir / "thidua-20991231-000000-000000-hong.sqlite").write_bytes(b"not a database")
    assert [info.path for info in ws.backups()] == [second, first]
    assert [info.reason for info in ws.backups()] == ["khi-thoat", "thu-cong"]
    assert [info.reason_label for info in ws.backups()] == ["Khi thoát", "Thủ công"]
    odd = ws.backup_now("thu")
    assert ws.backups()[0].path == odd and ws.backups()[0].reason_label == "thu"  # unknown: shown as written


def test_daily_backup_is_taken_once_a_day(sqlite_workspace: Workspace) -> None:
    ws = sqlite_workspace
    taken = ws.backup_if_due()
    assert taken is not None and taken.stem.endswith("hang-ngay")
    assert ws.backup_if_due() is None  # the newest one is minutes old
    assert ws.backup_if_due(max_age_hours=0) is not None
    assert backup.backup_taken_at(taken) > datetime.now() - timedelta(minutes=5)


def test_restore_goes_back_and_can_be_undone(sqlite_workspace: Workspace) -> None:
    ws = sqlite_workspace
    kept = _add(ws, "Trước khi sao lưu")
    saved = ws.backup_now("thu-cong")
    later = _add(ws, "Sau khi sao lưu")
    campaign_before = ws.campaign()
    safety = ws.restore_backup(saved).safety_copy
    assert ws.activities().get(kept).draft.title == "Trước khi sao lưu"
    with pytest.raises(NotFoundError):
        ws.activities().get(later)
    assert ws.campaign() is not campaign_before  # caches are dropped with the data they came from
    assert [e.entity_key for e in _audit(ws, "database") if e.action == "restore"] == [saved.name]
    ws.restore_backup(safety)  # the copy taken before restoring brings the later activity back
    assert ws.activities().get(later).draft.title == "Sau khi sao lưu"


def test_shared_database_leaves_backups_to_the_server(workspace: Workspace, tmp_path: Path) -> None:
    if workspace.is_sqlite:
        pytest.skip("PostgreSQL only")
    assert workspace.backup_now() is None and workspace.backup_if_due() is None
    with pytest.raises(UserError, match="Chỉ khôi phục được"):
        workspace.restore_backup(tmp_path / "thidua-20240101-000000-000000-thu-cong.sqlite")
