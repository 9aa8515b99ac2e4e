from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from thidua_desktop.core.activities import ActivityDraft, DraftWarningCode, validate_draft
from thidua_desktop.core.errors import ValidationError
from thidua_desktop.core.models import Activity, AuditEntry
from thidua_desktop.core.workspace import Workspace


def _draft(workspace: Workspace, **values: int) -> ActivityDraft:
    campaign = workspace.campaign()
    return ActivityDraft(
        criterion_id=campaign.criteria_by_code["2.2"].id,
        activity_date=date(2024, 2, 5),
        title="Hòa giải ở cơ sở tại ấp Kiến Thạnh",
        commune="xã Kiến An",
        is_remote_area=True,
        responsible_officer="Nguyễn Thị Thu Hà",
        values={campaign.indicators_by_code[code.replace("_", ".")].id: v for code, v in values.items()},
    )


def test_create_edit_delete_restore_bump_revision_and_audit(workspace: Workspace) -> None:
    service = workspace.activities()
    report = service.create("PTP-CM", _draft(workspace, **{"2_2_e": 4, "2_2_f": 3}))
    uuid = report.created[0]
    detail = service.get(uuid)
    assert detail.revision == 1 and detail.unit_code == "PTP-CM"
    assert sorted(detail.draft.values.values()) == [3, 4]

    changed = _draft(workspace, **{"2_2_e": 5, "2_2_f": 5})
    assert service.update(uuid, changed).updated == (uuid,)
    assert service.get(uuid).revision == 2
    assert service.update(uuid, changed).empty  # saving unchanged data is not an edit

    assert service.delete([uuid]).deleted == (uuid,)
    deleted = service.get(uuid)
    assert deleted.deleted_at is not None and deleted.revision == 3
    assert service.restore([uuid]).restored == (uuid,)
    assert service.get(uuid).deleted_at is None

    with workspace.sessions() as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.entity_key == uuid).order_by(AuditEntry.id)).all()
    assert [e.action for e in entries] == ["create", "update", "delete", "restore"]
    update = json.loads(entries[1].changes_json)
    campaign = workspace.campaign()
    received = str(campaign.indicators_by_code["2.2.e"].id)
    assert update["values"] == [{received: 4, str(campaign.indicators_by_code["2.2.f"].id): 3},
                                {received: 5, str(campaign.indicators_by_code["2.2.f"].id): 5}]
    assert entries[1].actor == "kiểm thử"


def test_validation_messages_are_vietnamese_and_block_saving(workspace: Workspace) -> None:
    campaign = workspace.campaign()
    draft = _draft(workspace, **{"2_2_e": 2, "2_2_f": 3})
    draft.title = "  "
    draft.values[campaign.indicators_by_code["2.2.b"].id] = -1
    problems, _warnings = validate_draft(campaign, draft)
    assert problems["title"] == "Chưa nhập tên hoạt động."
    assert "không được là số âm" in problems[f"value:{campaign.indicators_by_code['2.2.b'].id}"]
    assert "không được lớn hơn" in problems[f"value:{campaign.indicators_by_code['2.2.f'].id}"]
    with pytest.raises(ValidationError) as error:
        workspace.activities().create("PTP-CM", draft)
    assert "Dữ liệu chưa hợp lệ" in error.value.message


def test_indicator_of_another_criterion_is_refused(workspace: Workspace) -> None:
    campaign = workspace.campaign()
    draft = _draft(workspace, **{"3_a": 1_000_000})
    problems, _ = validate_draft(campaign, draft)
    assert problems == {f"value:{campaign.indicators_by_code['3.a'].id}": f"“{campaign.indicators_by_code['3.a'].name}” không thuộc tiêu chí 2.2."}


def test_date_outside_campaign_is_a_warning_not_an_error(workspace: Workspace) -> None:
    draft = _draft(workspace, **{"2_2_e": 1, "2_2_f": 1})
    draft.activity_date = date(2026, 1, 15)
    problems, warnings = validate_draft(workspace.campaign(), draft)
    assert problems == {}
    assert [(w.code, w.message) for w in warnings] == [
        (DraftWarningCode.DATE_OUTSIDE_CAMPAIGN,
         "Ngày 15/01/2026 nằm ngoài thời gian của phong trào (01/01/2023 – 31/12/2025).")
    ]


def test_text_is_stored_nfc_and_searchable_without_accents(workspace: Workspace) -> None:
    import unicodedata

    draft = _draft(workspace, **{"2_2_e": 1, "2_2_f": 1})
    draft.title = unicodedata.normalize("NFD", "Hòa giải tranh chấp đất đai")
    uuid = workspace.activities().create("PTP-CM", draft).created[0]
    from thidua_desktop.core.models import Activity

    with workspace.sessions() as session:
        row = session.scalar(select(Activity).where(Activity.uuid == uuid))
    assert row.title == unicodedata.normalize("NFC", "Hòa giải tranh chấp đất đai")
    assert "hoa giai tranh chap dat dai" in row.search_text
    assert row.figures_summary == "1 vụ việc"  # the "of which successful" part is not repeated


def test_approved_period_is_read_only_for_direct_edits(workspace: Workspace) -> None:
    from thidua_desktop.core.consolidation.review import lock_period, unlock_period
    from thidua_desktop.core.errors import UserError
    from thidua_desktop.core.query import Period

    service = workspace.activities()
    uuid = service.create("PTP-CM", _draft(workspace, **{"2_2_e": 1, "2_2_f": 1})).created[0]
    campaign = workspace.campaign()
    with workspace.transaction() as session:
        unit_id = session.scalar(select(Activity.unit_id).where(Activity.uuid == uuid))
        lock = lock_period(session, campaign, unit_id, Period.year(2024), actor="người duyệt")
    changed = _draft(workspace, **{"2_2_e": 2, "2_2_f": 2})
    with pytest.raises(UserError) as error:
        service.update(uuid, changed)
    assert "Năm 2024" in error.value.message and "mở khóa" in error.value.hint
    with pytest.raises(UserError):
        service.delete([uuid])
    moved_in = _draft(workspace, **{"2_2_e": 1, "2_2_f": 1})
    moved_in.activity_date = date(2023, 6, 1)
    other = service.create("PTP-CM", moved_in).created[0]
    moved_in.activity_date = date(2024, 6, 1)
    with pytest.raises(UserError):
        service.update(other, moved_in)  # moving an activity into an approved year changes that year too
    assert service.get(uuid).revision == 1
    with workspace.transaction() as session:
        unlock_period(session, lock.id, actor="người duyệt", reason="Đơn vị bổ sung số liệu")
    assert service.update(uuid, changed).updated == (uuid,)


def test_activity_after_the_unit_was_dissolved_is_flagged(workspace: Workspace) -> None:
    from thidua_desktop.core.units import get_unit

    draft = _draft(workspace, **{"2_2_e": 1, "2_2_f": 1})
    draft.activity_date = date(2025, 9, 1)
    with workspace.sessions() as session:
        unit = get_unit(session, "PTP-CM")
    problems, warnings = validate_draft(workspace.campaign(), draft, unit)
    assert problems == {}
    assert [(w.code, w.message) for w in warnings] == [
        (DraftWarningCode.UNIT_NOT_VALID,
         "Phòng Tư pháp huyện Chợ Mới đã thôi hoạt động từ sau ngày 30/06/2025 (ngày hoạt động 01/09/2025).")
    ]
    draft.activity_date = date(2025, 6, 30)
    assert validate_draft(workspace.campaign(), draft, unit)[1] == []
