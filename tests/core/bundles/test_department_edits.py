"""At the department, a unit's records are the unit's: they change only through the unit's next bundle."""

from __future__ import annotations

from datetime import date

import pytest

from tests.core.bundles.conftest import Unit, enrol
from thidua_desktop.core.activities import ActivityDraft
from thidua_desktop.core.bundles.importer import import_bundle
from thidua_desktop.core.errors import UserError
from thidua_desktop.core.workspace import Workspace


def test_imported_records_are_read_only_at_the_department(unit: Unit, department: Workspace) -> None:
    received = unit.add("Trợ giúp pháp lý lưu động", criterion="2.4", values={"2.4.e": 1, "2.4.f": 30})
    enrol(department, unit)
    import_bundle(department, unit.export().path)
    service = department.activities()
    detail = service.get(received)
    assert detail.from_bundle
    campaign = department.campaign()
    with pytest.raises(UserError) as error:
        service.update(received, detail.draft)
    assert "do Phòng Tư pháp huyện Chợ Mới gửi lên" in error.value.message
    assert "giải trình" in error.value.hint
    with pytest.raises(UserError):
        service.delete([received])
    assert service.get(received).revision == detail.revision and service.get(received).deleted_at is None
    # The department's own offices still record directly in the same copy.
    own = ActivityDraft(criterion_id=campaign.criteria_by_code["1"].id, activity_date=date(2024, 5, 2),
                        title="Hội nghị quán triệt", values={campaign.indicators_by_code["1.a"].id: 1})
    made = service.create("STP-VP", own).created[0]
    assert not service.get(made).from_bundle
    assert service.delete([made]).deleted == (made,)


def test_export_to_a_new_folder_never_overwrites_an_earlier_bundle(unit: Unit, tmp_path) -> None:  # noqa: ANN001
    from thidua_desktop.core.bundles.errors import ExportDestinationError

    unit.add("Tuyên truyền", criterion="1", values={"1.a": 1})
    folder = tmp_path / "usb" / "gui-so"  # does not exist yet, no extension: a folder
    first = unit.export(folder)
    unit.add("Tuyên truyền lần 2", criterion="1", values={"1.a": 1})
    second = unit.export(folder)
    assert first.path.parent == folder == second.path.parent and first.path != second.path
    assert first.path.is_file() and second.path.is_file()
    with pytest.raises(ExportDestinationError):
        unit.export(second.path)  # an explicit existing file name is refused, not replaced


def test_the_department_list_says_where_each_record_came_from(unit: Unit, department: Workspace) -> None:
    from thidua_desktop.core.query import ActivityFilter, activity_ids, fetch_rows

    unit.add("Hòa giải ở cơ sở", values={"2.2.e": 2, "2.2.f": 2})
    enrol(department, unit)
    import_bundle(department, unit.export().path)
    campaign = department.campaign()
    own = ActivityDraft(criterion_id=campaign.criteria_by_code["1"].id, activity_date=date(2024, 5, 2),
                        title="Hội nghị quán triệt", values={campaign.indicators_by_code["1.a"].id: 1})
    department.activities().create("STP-VP", own)
    with department.sessions() as session:
        ids = activity_ids(session, ActivityFilter(campaign_id=campaign.id))
        rows = fetch_rows(session, ids)
    assert sorted(r.department_status for r in rows.values()) == ["Nhận qua gói", "Nhập tại Sở"]
