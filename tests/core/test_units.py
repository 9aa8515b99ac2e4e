"""Units (core/units.py): the seeded list, dated validity, letterheads, and the UnitService changes."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import select

from thidua_desktop.core.errors import NotFoundError, UserError, ValidationError
from thidua_desktop.core.models import AuditEntry, UnitKind
from thidua_desktop.core.units import UnitInfo, header_defaults, seed_units
from thidua_desktop.core.workspace import Role, Workspace

DISTRICTS_END = date(2025, 6, 30)  # district-level offices end with the 2025 reorganisation


def _new_unit(code: str = "STP-MOI", **changes: object) -> UnitInfo:
    info = UnitInfo(
        id=0, code=code, name="Phòng Quản lý mới", short_name="", kind=UnitKind.DEPARTMENT_OFFICE,
        parent_code="STP", parent_agency="SỞ TƯ PHÁP TỈNH AN GIANG", valid_from=date(2025, 7, 1), valid_to=None,
        merged_into_code=None,
    )
    return replace(info, **changes)


def _audit(workspace: Workspace, key: str) -> list[tuple[str, dict]]:
    with workspace.sessions() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.entity == "unit", AuditEntry.entity_key == key).order_by(AuditEntry.id)
        ).all()
        return [(e.action, json.loads(e.changes_json)) for e in entries]


def test_a_new_data_folder_is_seeded_once_and_edits_survive_reopening(tmp_path) -> None:  # noqa: ANN001
    with Workspace.open(tmp_path / "data") as workspace:
        assert workspace.open_report.units_seeded == 20
        units = workspace.units().list()
        assert [u.code for u in units][:2] == ["STP", "STP-VP"]  # the file's order
        assert sum(u.kind is UnitKind.DISTRICT_OFFICE for u in units) == 11
        workspace.units().edit(replace(workspace.units().get("PTP-CM"), short_name="PTP huyện Chợ Mới"))
        with workspace.write_sessions.begin() as session:
            assert seed_units(session, actor="kiểm thử") == 0  # a list already there is never reseeded
    with Workspace.open(tmp_path / "data") as workspace:
        assert workspace.open_report.units_seeded == 0
        assert workspace.units().get("PTP-CM").short_name == "PTP huyện Chợ Mới"


def test_validity_is_dated_for_reorganisations(workspace: Workspace) -> None:
    units = workspace.units()
    district = units.get("PTP-CM")
    assert district.valid_to == DISTRICTS_END
    assert district.is_valid_on(DISTRICTS_END) and not district.is_valid_on(date(2025, 7, 1))
    assert units.get("STP").is_valid_on(date(2008, 1, 1)) and not units.get("STP").is_valid_on(date(2007, 12, 31))
    before = {u.code for u in units.list(valid_on=DISTRICTS_END)}
    after = {u.code for u in units.list(valid_on=date(2025, 7, 1))}
    assert "PTP-CM" in before and "PTP-CM" not in after
    assert before - after == {u.code for u in units.list(kinds=[UnitKind.DISTRICT_OFFICE])}


def test_lookups(workspace: Workspace) -> None:
    units = workspace.units()
    assert units.department().code == "STP"
    assert units.find("PTP-TT").name == "Phòng Tư pháp huyện Tri Tôn"
    assert units.find("KHONG-CO") is None and units.find(None) is None
    with pytest.raises(NotFoundError, match="KHONG-CO"):
        units.get("KHONG-CO")
    offices = units.list(kinds=[UnitKind.DEPARTMENT_OFFICE])
    assert offices and all(u.kind is UnitKind.DEPARTMENT_OFFICE and u.parent_code == "STP" for u in offices)


def test_letterhead_follows_the_unit_and_its_parent_agency(workspace: Workspace) -> None:
    assert header_defaults(workspace.units().get("PTP-CM")) == {
        "header_parent": "UBND HUYỆN CHỢ MỚI", "header_agency": "PHÒNG TƯ PHÁP", "agency_symbol": "PTP",
        "place": "Chợ Mới",
    }
    assert header_defaults(workspace.units().get("STP")) == {
        "header_parent": "UBND TỈNH AN GIANG", "header_agency": "SỞ TƯ PHÁP", "agency_symbol": "STP",
        "place": "An Giang",
    }


def test_add_reports_and_audits_a_new_unit_and_refuses_a_taken_code(workspace: Workspace) -> None:
    units = workspace.units()
    change = units.add(_new_unit())
    assert change.code == "STP-MOI" and change.created and not change.empty
    assert {"name", "kind", "valid_from", "parent_id"} <= set(change.changed_fields)
    added = units.get("STP-MOI")
    assert added.short_name == "Phòng Quản lý mới"  # no short name: the full name is used
    assert added.parent_code == "STP" and added.valid_from == date(2025, 7, 1)
    assert [action for action, _changes in _audit(workspace, "STP-MOI")] == ["create"]
    with pytest.raises(ValidationError) as error:
        units.add(_new_unit(name="Trùng mã"))
    assert error.value.problems == {"code": "Đã có đơn vị mã “STP-MOI”."}
    assert units.get("STP-MOI").name == "Phòng Quản lý mới"


def test_edit_reports_only_what_changed(workspace: Workspace) -> None:
    units = workspace.units()
    district = units.get("PTP-CM")
    change = units.edit(replace(district, name="  Phòng Tư pháp thị xã Chợ Mới "))
    assert not change.created and change.changed_fields == ("name",)
    assert units.get("PTP-CM").name == "Phòng Tư pháp thị xã Chợ Mới"
    assert _audit(workspace, "PTP-CM")[-1] == (
        "update", {"name": ["Phòng Tư pháp huyện Chợ Mới", "Phòng Tư pháp thị xã Chợ Mới"]}
    )
    assert units.edit(units.get("PTP-CM")).empty  # saving unchanged writes no audit entry
    assert len(_audit(workspace, "PTP-CM")) == 1
    with pytest.raises(NotFoundError):
        units.edit(_new_unit(code="CHUA-CO"))
    assert units.find("CHUA-CO") is None


def test_invalid_units_are_refused_field_by_field(workspace: Workspace) -> None:
    units = workspace.units()
    with pytest.raises(ValidationError) as error:
        units.add(_new_unit(code=" ", name="", valid_from=date(2025, 7, 1), valid_to=date(2025, 1, 1)))
    assert set(error.value.problems) == {"code", "name", "valid_to"}
    with pytest.raises(ValidationError) as error:
        units.add(_new_unit(parent_code="KHONG-CO", merged_into_code="STP-MOI"))
    assert error.value.problems == {
        "parent_code": "Không có đơn vị mã “KHONG-CO”.",
        "merged_into_code": "Một đơn vị không thể trỏ tới chính nó.",
    }
    with pytest.raises(ValidationError, match="chính nó"):
        units.edit(replace(units.get("PTP-CM"), parent_code="PTP-CM"))
    assert units.find("STP-MOI") is None


def test_dissolve_ends_validity_without_a_successor(workspace: Workspace) -> None:
    units = workspace.units()
    units.add(_new_unit(merged_into_code="STP"))
    change = units.dissolve("STP-MOI", date(2026, 3, 31))
    assert set(change.changed_fields) == {"valid_to", "merged_into_id"}
    dissolved = units.get("STP-MOI")
    assert dissolved.valid_to == date(2026, 3, 31) and dissolved.merged_into_code is None
    assert dissolved.is_valid_on(date(2026, 3, 31)) and not dissolved.is_valid_on(date(2026, 4, 1))
    with pytest.raises(ValidationError, match="sau ngày bắt đầu"):
        units.dissolve("STP-MOI", date(2025, 6, 1))  # before it was founded
    assert units.get("STP-MOI").valid_to == date(2026, 3, 31)


def test_merge_points_to_a_unit_that_exists_the_next_day(workspace: Workspace) -> None:
    units = workspace.units()
    units.add(_new_unit())
    with pytest.raises(ValidationError, match="không còn hoạt động vào ngày 01/07/2025"):
        units.merge("PTP-LX", "PTP-CD", DISTRICTS_END)  # Châu Đốc ends the same day
    with pytest.raises(ValidationError, match="chính nó"):
        units.merge("PTP-LX", "PTP-LX", date(2025, 3, 31))
    with pytest.raises(NotFoundError):
        units.merge("PTP-LX", "KHONG-CO", DISTRICTS_END)
    assert units.get("PTP-LX").merged_into_code is None
    change = units.merge("PTP-LX", "STP-MOI", DISTRICTS_END)
    assert change.changed_fields == ("merged_into_id",)  # the end date was already the reorganisation day
    assert units.get("PTP-LX").merged_into_code == "STP-MOI"
    assert units.merge("PTP-LX", "STP-MOI", DISTRICTS_END).empty


def test_configuring_the_department_uses_the_department_unit(workspace: Workspace) -> None:
    workspace.configure(Role.DEPARTMENT, None)
    assert workspace.own_unit().code == "STP"
    with pytest.raises(UserError, match="Chưa chọn đơn vị"):
        workspace.configure(Role.UNIT, None)
    with pytest.raises(NotFoundError):
        workspace.configure(Role.UNIT, "KHONG-CO")
    assert workspace.role is Role.DEPARTMENT  # a refused change leaves the settings as they were
