"""`workspace.bundles()`: the one door the GUI and the CLI use for bundles, keys, trust and pending changes."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from thidua_desktop.core.bundles import guards
from thidua_desktop.core.bundles.errors import NoKeyError, RoleError
from thidua_desktop.core.bundles.guards import ChangeKind
from thidua_desktop.core.bundles.importer import ImportStatus
from thidua_desktop.core.bundles.service import BundleService, KeyReport
from thidua_desktop.core.errors import Cancelled
from thidua_desktop.core.models import Activity
from thidua_desktop.core.workspace import Role, Workspace

from .conftest import PASSPHRASE, Unit, make_unit

LOCKED = "Kỳ đã duyệt"


def _enrol(service: BundleService, unit: Unit) -> None:
    report = service.enrol(unit.workspace.setting("unit_code"), unit.key.public_key.to_base64(), confirmed=True)
    assert report.key_id == unit.key.key_id


def test_unit_side_keys_and_export(tmp_path: Path) -> None:
    unit = make_unit(tmp_path / "unit")
    try:
        service = unit.workspace.bundles()
        assert service.own_key() == unit.key and service.require_key() == unit.key
        rotated = service.rotate_key(PASSPHRASE, PASSPHRASE + "2", PASSPHRASE + "2")
        assert isinstance(rotated, KeyReport) and rotated.action == "rotate"
        assert service.own_key() == rotated.key != unit.key
        assert [(k.key_id, current) for k, current in service.own_keys()] == [
            (unit.key.key_id, False), (rotated.key.key_id, True)]
        unit.add("Phổ biến pháp luật")
        status = service.export_status()
        assert (status.next_seq, status.records) == (1, 1)
        report = service.export(tmp_path / "out", passphrase=PASSPHRASE + "2", mode="full")
        assert report.path.exists() and report.seq == 1 and report.path.name == service.next_file_name(1)
        assert [r.seq for r in service.export_history()] == [1]
        assert service.export_status().next_seq == 2
        sheet = service.write_enrolment_sheet(tmp_path / "sheet.pdf")
        assert sheet.read_bytes().startswith(b"%PDF")
    finally:
        unit.workspace.close()


def test_a_unit_without_a_key_is_told_how_to_make_one(tmp_path: Path) -> None:
    with Workspace.open(tmp_path / "data") as ws:
        ws.configure(Role.UNIT, "PTP-CM")
        service = ws.bundles()
        assert service.own_key() is None
        with pytest.raises(NoKeyError):
            service.require_key()
        assert service.create_key(PASSPHRASE, PASSPHRASE).action == "create"
        assert service.own_key() is not None


def test_department_imports_verifies_and_keeps_a_registry(unit: Unit, department: Workspace) -> None:
    service = department.bundles()
    uuid = unit.add("Hòa giải ở cơ sở")
    path = unit.export().path
    opening = service.opening(path)
    assert (opening.unit_code, opening.key_id) == ("PTP-CM", unit.key.key_id)
    assert "PTP-CM" in {u.code for u in service.sending_units()}
    assert all(u.code != department.setting("unit_code") for u in service.sending_units())
    _enrol(service, unit)
    assert [k.key_id for k in service.trusted_keys()] == [unit.key.key_id]

    assert "chưa nhận, có thể nhận" in service.verify(path).message
    prepared = service.prepare_import(path, dry_run=True)
    prepared.discard()
    assert prepared.preview.counts[ChangeKind.NEW] == 1 and service.imports() == []
    report = service.import_file(path)
    assert report.change_report.created == (uuid,)
    assert [(i.unit_code, i.seq) for i in service.imports()] == [("PTP-CM", 1)]
    assert service.import_many([path])[0].report.status is ImportStatus.ALREADY

    assert service.default_revoke_seq("PTP-CM") == 2
    revoked = service.revoke(unit.key.key_id, 2, "Mất máy")
    assert revoked.from_seq == 2 and service.trusted_keys()[0].revoked_from_seq == 2
    assert service.unit("PTP-CM").code == "PTP-CM"
    assert service.incidents() == []


def test_the_department_cannot_export_and_a_unit_cannot_import(unit: Unit, department: Workspace) -> None:
    with pytest.raises(RoleError):
        department.bundles().export_status()
    with pytest.raises(RoleError):
        unit.workspace.bundles().prepare_import(unit.export().path)


def test_pending_changes_are_resolved_through_the_service(unit: Unit, department: Workspace,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    service = department.bundles()
    uuid = unit.add("Hoạt động")
    _enrol(service, unit)
    service.import_file(unit.export().path)
    held = {uuid}
    monkeypatch.setattr(guards, "_GUARDS", [lambda _s, c: LOCKED if c.change.uuid in held else None])
    unit.edit(uuid, title="Sửa sau khi duyệt")
    assert service.import_file(unit.export().path).held == 1
    [waiting] = service.pending()
    assert (waiting.activity_uuid, waiting.reason) == (uuid, LOCKED)

    assert service.resolve_pending([waiting.id], apply=True).empty  # the guard still holds it
    held.clear()
    with pytest.raises(Cancelled):
        service.resolve_pending([waiting.id], apply=True, cancel=lambda: True)
    assert [p.id for p in service.pending()] == [waiting.id]  # Cancel rolled everything back
    seen: list[tuple[int, int]] = []
    report = service.resolve_pending([waiting.id], apply=True, progress=lambda d, t: seen.append((d, t)))
    assert report.updated == (uuid,) and service.pending() == [] and seen[-1] == (1, 1)
    with department.sessions() as session:
        assert session.scalar(select(Activity.title).where(Activity.uuid == uuid)) == "Sửa sau khi duyệt"
