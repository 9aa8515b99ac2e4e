"""A unit restores a backup taken after bundle 1 when it has sent bundles 1–3: it is told first what the
restore undoes, and the next bundle continues the sequence without losing or resurrecting anything at the
department."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from thidua_desktop.core.backup import BackupReason
from thidua_desktop.core.bundles.exporter import export_history
from thidua_desktop.core.bundles.guards import ChangeKind
from thidua_desktop.core.bundles.importer import import_bundle
from thidua_desktop.core.errors import NotFoundError
from thidua_desktop.core.models import Activity
from thidua_desktop.core.workspace import Workspace

from .conftest import Unit, enrol, pdf_bytes


def _held(department: Workspace) -> dict[str, tuple[str, int, bool]]:
    with department.sessions() as session:
        return {a.uuid: (a.title, a.revision, a.deleted_at is not None) for a in session.scalars(select(Activity))}


def test_restore_keeps_what_the_department_holds_and_says_what_it_undoes(unit: Unit, department: Workspace) -> None:
    enrol(department, unit)
    first = unit.add("Tuyên truyền tại xã Kiến An", attach=[pdf_bytes(1)])
    doomed = unit.add("Hội nghị sẽ bị xóa")
    import_bundle(department, unit.export().path)  # bundle 1
    saved = unit.workspace.backup_now(BackupReason.MANUAL)
    later = unit.add("Hòa giải tại xã Hội An sau sao lưu", attach=[pdf_bytes(2)])
    import_bundle(department, unit.export().path)  # bundle 2
    unit.edit(first, title="Tuyên truyền tại xã Kiến An (đã bổ sung)")
    unit.workspace.activities().delete([doomed])
    import_bundle(department, unit.export().path)  # bundle 3
    unsent = unit.add("Trợ giúp pháp lý chưa gửi")
    at_department = _held(department)

    plan = unit.workspace.restore_plan(saved)
    text = plan.consequences()
    assert [c.uuid for c in plan.lost] == [unsent]
    assert {c.uuid for c in plan.kept} == {first, doomed, later}
    assert "Sẽ mất 1 hoạt động" in text and "“Trợ giúp pháp lý chưa gửi”" in text
    assert "các gói số 2, 3" in text
    assert "gói số 4" in text
    assert plan.backup.schema_version is not None and plan.backup.activity_count == 2

    report = unit.workspace.restore_backup(saved)
    assert report.bundles_carried == (2, 3)
    assert report.kept == 3
    assert "Đã khôi phục bản sao lưu" in report.message and "gói số 4" in report.message

    activities = unit.workspace.activities()
    with pytest.raises(NotFoundError):
        activities.get(unsent)
    assert activities.get(first).draft.title == "Tuyên truyền tại xã Kiến An (đã bổ sung)"
    assert activities.get(later).draft.title == "Hòa giải tại xã Hội An sau sao lưu"
    assert len(unit.workspace.evidence().verify_activity(later)) == 1  # its evidence link came back too
    assert [r.seq for r in export_history(unit.workspace)] == [3, 2, 1]

    fourth = unit.export()
    assert fourth.seq == 4
    imported = import_bundle(department, fourth.path)
    assert imported.warnings == ()
    assert imported.counts[ChangeKind.NEW] == imported.counts[ChangeKind.CHANGED] == 0
    assert imported.counts[ChangeKind.DELETED] == 0
    assert _held(department) == at_department  # nothing lost, nothing brought back to life


def test_undoing_a_restore_brings_back_what_it_removed(unit: Unit) -> None:
    unit.add("Trước khi sao lưu")
    unit.export()
    saved = unit.workspace.backup_now(BackupReason.MANUAL)
    later = unit.add("Sau khi sao lưu, chưa gửi")
    report = unit.workspace.restore_backup(saved)
    assert report.kept == 0 and report.bundles_carried == ()
    undo = unit.workspace.restore_plan(report.safety_copy)
    assert undo.lost == ()  # going forward again loses nothing
    unit.workspace.restore_backup(report.safety_copy)
    assert unit.workspace.activities().get(later).draft.title == "Sau khi sao lưu, chưa gửi"
    assert unit.export().seq == 2


def test_cancelled_restore_leaves_the_database_as_it_was(unit: Unit) -> None:
    from thidua_desktop.core.errors import Cancelled

    unit.add("Trước khi sao lưu")
    saved = unit.workspace.backup_now(BackupReason.MANUAL)
    later = unit.add("Sau khi sao lưu")
    presses = iter([False, True])  # Cancel pressed once the backup is already in place
    with pytest.raises(Cancelled):
        unit.workspace.restore_backup(saved, cancel=lambda: next(presses))
    assert unit.workspace.activities().get(later).draft.title == "Sau khi sao lưu"


def test_department_is_told_which_received_bundles_a_restore_drops(unit: Unit, tmp_path) -> None:  # noqa: ANN001
    from thidua_desktop.core.workspace import Role

    with Workspace.open(tmp_path / "so", actor="chuyên viên Sở") as department:
        department.configure(Role.DEPARTMENT, None)
        enrol(department, unit)
        unit.add("Gói một")
        import_bundle(department, unit.export().path)
        saved = department.backup_now(BackupReason.MANUAL)
        unit.add("Gói hai")
        import_bundle(department, unit.export().path)
        plan = department.restore_plan(saved)
        assert plan.imports_since == ("PTP-CM số 2",)
        assert "Sẽ mất 1 gói đã nhận từ đơn vị sau bản sao lưu (PTP-CM số 2)" in plan.consequences()
        department.restore_backup(saved)
        import_bundle(department, unit.export().path)  # the unit's next bundle brings everything back
        assert {a[0] for a in _held(department).values()} == {"Gói một", "Gói hai"}


def test_files_of_activities_undone_by_a_restore_survive_the_store_sweep(unit: Unit) -> None:
    """The safety copy can bring such an activity back, so its file must stay in the store."""
    unit.add("Trước khi sao lưu")
    saved = unit.workspace.backup_now(BackupReason.MANUAL)
    later = unit.add("Sau khi sao lưu, có minh chứng", attach=[pdf_bytes("bien-ban-sau")])
    evidence = unit.workspace.evidence()
    files_before = {sha for sha, _path in unit.workspace.evidence_store().shas()}
    report = unit.workspace.restore_backup(saved)
    assert evidence.collect_orphans(grace_seconds=0) == 0
    assert {sha for sha, _path in unit.workspace.evidence_store().shas()} == files_before
    unit.workspace.restore_backup(report.safety_copy)
    attached = unit.workspace.activities().get(later).draft.attachments
    assert attached and all(unit.workspace.evidence_store().path_for(a.sha256).is_file() for a in attached)


def test_a_restore_killed_half_way_leaves_the_database_as_it_was(unit: Unit) -> None:
    """The restored database is built aside: a power cut before the final copy changes nothing."""
    import subprocess
    import sys
    import textwrap

    unit.add("Trước khi sao lưu")
    unit.export()
    saved = unit.workspace.backup_now(BackupReason.MANUAL)
    later = unit.add("Sau khi sao lưu")
    unit.export()
    root = unit.workspace.layout.root
    unit.workspace.engine.dispose()
    script = textwrap.dedent(f"""
        import os
        from thidua_desktop.core import backup
        from thidua_desktop.core.workspace import Workspace
        def die(*_a, **_k):
            os._exit(9)  # killed between upgrading the backup and carrying what was sent
        backup.carry_sent_state = die
        Workspace.open({str(root)!r}).restore_backup(__import__("pathlib").Path({str(saved)!r}))
    """)
    assert subprocess.run([sys.executable, "-c", script], check=False).returncode == 9
    with Workspace.open(root) as reopened:
        assert reopened.activities().get(later).draft.title == "Sau khi sao lưu"
        assert [r.seq for r in export_history(reopened)] == [2, 1]
    assert not list(root.glob(".dang-khoi-phuc*"))
