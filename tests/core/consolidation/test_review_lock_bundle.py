"""A bundle sent after the department approved (locked) a unit's year is held back, not applied, until unlocked.

This goes through the real signed-bundle importer: a district office records and exports, the department
imports, approves 2024, then receives a second bundle that edits a 2024 activity, adds one in 2024 and
one in 2025. Only the 2025 activity lands; the others wait in the pending list ("chờ xử lý").
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.core.bundles.conftest import enrol, make_unit
from thidua_desktop.core.bundles import keys
from thidua_desktop.core.bundles.importer import import_bundle, prepare_import
from thidua_desktop.core.bundles.pending import resolve_pending
from thidua_desktop.core.consolidation.review import list_locks, lock_period, pending_records, unlock_period
from thidua_desktop.core.consolidation.table import ConsolidationFilter, consolidated_table
from thidua_desktop.core.models import Activity, AuditEntry, Unit
from thidua_desktop.core.query import Period
from thidua_desktop.core.workspace import Role, Workspace

Y2024 = Period.year(2024)


@pytest.fixture(autouse=True)
def cheap_key_derivation(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(keys.KDF_LIMITS, "opslimit", 2**15)
    monkeypatch.setitem(keys.KDF_LIMITS, "memlimit", 2**24)


@pytest.fixture
def office(tmp_path: Path) -> Iterator:  # noqa: ANN001
    made = make_unit(tmp_path / "ptp-cm")
    yield made
    made.workspace.close()


def _titles(ws: Workspace) -> dict[str, str]:
    with ws.sessions() as session:
        return dict(session.execute(select(Activity.uuid, Activity.title)).all())


def test_bundle_changing_a_locked_year_waits_in_the_pending_list(office, workspace: Workspace) -> None:  # noqa: ANN001
    department = workspace
    department.configure(Role.DEPARTMENT, None)
    approved = office.add("Phổ biến pháp luật tại xã Kiến An", day=date(2024, 3, 5), values={"2.2.b": 2, "2.2.c": 45})
    enrol(department, office)
    import_bundle(department, office.export().path)
    campaign = department.campaign()
    with department.sessions() as session:
        unit_id = session.scalar(select(Unit.id).where(Unit.code == "PTP-CM"))
    with department.transaction() as session:
        lock = lock_period(session, campaign, unit_id, Y2024, actor="Hội đồng TĐKT", note="Biên bản số 3")

    office.edit(approved, title="Phổ biến pháp luật (sửa sau khi Sở đã duyệt)", values={
        campaign.indicators_by_code["2.2.b"].id: 5, campaign.indicators_by_code["2.2.c"].id: 300})
    late_2024 = office.add("Bổ sung hoạt động năm 2024", day=date(2024, 12, 20), values={"2.2.b": 1, "2.2.c": 20})
    in_2025 = office.add("Hoạt động năm 2025", day=date(2025, 2, 10), values={"2.2.b": 1, "2.2.c": 30})
    second = office.export().path

    preview = prepare_import(department, second).preview
    assert sorted(c.uuid for c in preview.held) == sorted([approved, late_2024])
    assert all("“Năm 2024”" in c.held_reason for c in preview.held)
    report = import_bundle(department, second)
    assert report.held == 2

    titles = _titles(department)
    assert titles[approved] == "Phổ biến pháp luật tại xã Kiến An"  # the approved figure did not change
    assert late_2024 not in titles and titles[in_2025] == "Hoạt động năm 2025"
    with department.sessions() as session:
        year = consolidated_table(session, campaign, ConsolidationFilter(Y2024))
        assert year.cell("PTP-CM", "2.2.c").value == 45
        waiting = pending_records(session, unit_id=unit_id)
    assert sorted((p.activity_uuid, p.change, p.locked) for p in waiting) == sorted(
        [(approved, "changed", True), (late_2024, "new", True)]
    )
    assert {p.state_label for p in waiting} == {"Chờ xử lý (kỳ còn khóa)"}
    forced = resolve_pending(department, [p.id for p in waiting], apply=True)
    assert forced.empty  # applying never bypasses the lock: both stay pending, nothing changed
    assert _titles(department)[approved] == "Phổ biến pháp luật tại xã Kiến An"
    with department.sessions() as session:
        assert len(pending_records(session, unit_id=unit_id)) == 2

    with department.transaction() as session:
        unlock_period(session, lock.id, actor="Hội đồng TĐKT", reason="Đơn vị bổ sung số liệu cuối năm")
        assert list_locks(session, campaign) == []
        now_free = pending_records(session, unit_id=unit_id)
    assert all(not p.locked for p in now_free)
    applied = resolve_pending(department, [p.id for p in now_free], apply=True)
    assert applied.updated == (approved,) and applied.created == (late_2024,)
    titles = _titles(department)
    assert titles[approved] == "Phổ biến pháp luật (sửa sau khi Sở đã duyệt)"
    assert titles[late_2024] == "Bổ sung hoạt động năm 2024"
    with department.sessions() as session:
        assert consolidated_table(session, campaign, ConsolidationFilter(Y2024)).cell("PTP-CM", "2.2.c").value == 320
        assert pending_records(session) == []
        actions = set(session.scalars(select(AuditEntry.action)).all())
    assert {"lock", "unlock", "pending-applied"} <= actions
