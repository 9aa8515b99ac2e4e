"""Import guards (e.g. the review lock) hold changes back in a pending list; nothing is applied silently."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from thidua_desktop.core.bundles import guards
from thidua_desktop.core.bundles.guards import GuardContext
from thidua_desktop.core.bundles.importer import (
    apply_import,
    import_bundle,
    list_imports,
    prepare_import,
)
from thidua_desktop.core.bundles.pending import list_pending, resolve_pending
from thidua_desktop.core.models import Activity
from thidua_desktop.core.workspace import Workspace

from .conftest import Unit, enrol

LOCKED = "Số liệu quý I/2024 đã được duyệt và khóa"


def _title(ws: Workspace, uuid: str) -> str:
    with ws.sessions() as session:
        return session.scalar(select(Activity.title).where(Activity.uuid == uuid))


def test_held_changes_wait_for_a_decision(unit: Unit, department: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    locked = unit.add("Hoạt động đã duyệt")
    free = unit.add("Hoạt động chưa duyệt")
    enrol(department, unit)
    import_bundle(department, unit.export().path)
    unit.edit(locked, title="Hoạt động đã duyệt (sửa sau khi duyệt)")
    unit.edit(free, title="Hoạt động chưa duyệt (sửa)")
    seen: list[GuardContext] = []
    approved = {locked}

    def review_lock(_session, context: GuardContext) -> str | None:  # noqa: ANN001
        seen.append(context)
        return LOCKED if context.change.uuid in approved else None

    monkeypatch.setattr(guards, "_GUARDS", [review_lock])
    prepared = prepare_import(department, unit.export().path)
    assert [(c.uuid, c.held_reason) for c in prepared.preview.held] == [(locked, LOCKED)]
    assert {c.change.uuid for c in seen} == {locked, free}  # unchanged records are not asked about
    report = apply_import(department, prepared)
    assert report.held == 1 and "giữ lại" in report.message
    assert _title(department, locked) == "Hoạt động đã duyệt"
    assert _title(department, free) == "Hoạt động chưa duyệt (sửa)"
    assert [i.held_count for i in list_imports(department)] == [1, 0]

    pending = list_pending(department)
    assert [(p.activity_uuid, p.reason, p.seq, p.change_label) for p in pending] == [(locked, LOCKED, 2, "Sửa")]
    assert resolve_pending(department, [pending[0].id], apply=True).empty  # the same guard still holds it
    assert [p.id for p in list_pending(department)] == [pending[0].id]
    approved.clear()  # the reviewer unlocks the period
    changed = resolve_pending(department, [pending[0].id], apply=True)
    assert changed.updated == (locked,)
    assert _title(department, locked) == "Hoạt động đã duyệt (sửa sau khi duyệt)"
    assert list_pending(department) == []


def test_discarded_and_superseded_pending_changes(unit: Unit, department: Workspace,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    uuid = unit.add("Hoạt động")
    enrol(department, unit)
    import_bundle(department, unit.export().path)
    monkeypatch.setattr(guards, "_GUARDS", [lambda _s, _c: LOCKED])
    unit.edit(uuid, title="Sửa lần 1")
    import_bundle(department, unit.export().path)
    discarded = list_pending(department)[0]
    resolve_pending(department, [discarded.id], apply=False)
    assert _title(department, uuid) == "Hoạt động"
    unit.edit(uuid, title="Sửa lần 2")
    import_bundle(department, unit.export().path)
    monkeypatch.setattr(guards, "_GUARDS", [])
    unit.edit(uuid, title="Sửa lần 3")
    import_bundle(department, unit.export().path)
    assert _title(department, uuid) == "Sửa lần 3"
    stale = list_pending(department)[0]
    assert resolve_pending(department, [stale.id], apply=True).updated == ()  # a newer revision is already here
    assert _title(department, uuid) == "Sửa lần 3"
