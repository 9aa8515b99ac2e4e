"""The activity-record codec: draft → row → bundle record → row gives the same row, derived columns too."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from thidua_desktop.core.models import Activity, ActivityEvidence
from thidua_desktop.core.records import (
    ActivityDraft,
    apply_draft,
    apply_record,
    record_draft,
    remove_received,
    row_draft,
    row_record,
)
from thidua_desktop.core.workspace import Workspace

DERIVED = ("search_text", "title_sort_key", "commune_sort_key", "figures_summary", "lead_value", "evidence_count")
FIELDS = ("criterion_id", "activity_date", "title", "commune", "is_poor_commune", "is_remote_area",
          "is_ethnic_area", "description", "responsible_officer", "revision", "created_at", "updated_at",
          "deleted_at") + DERIVED


def _load(session, uuid: str) -> Activity:  # noqa: ANN001 - Session
    return session.scalar(
        select(Activity).where(Activity.uuid == uuid)
        .options(selectinload(Activity.values), selectinload(Activity.attachments).selectinload(ActivityEvidence.evidence))
    )


def test_draft_row_record_row_round_trip(workspace: Workspace) -> None:
    campaign = workspace.campaign()
    draft = ActivityDraft(
        criterion_id=campaign.criteria_by_code["2.2"].id, activity_date=date(2024, 3, 5),
        title="  Hòa giải ở cơ sở tại Ấp Tân Thành ", commune="xã Kiến An", is_remote_area=True,
        responsible_officer="Nguyễn Thị Thu Hà",
        values={campaign.indicators_by_code["2.2.b"].id: 2, campaign.indicators_by_code["2.2.c"].id: 45},
    )
    uuid = workspace.activities().create(workspace.setting("unit_code"), draft).created[0]
    unit_code = workspace.setting("unit_code")
    with workspace.write_sessions.begin() as session:
        original = _load(session, uuid)
        assert original.title == "Hòa giải ở cơ sở tại Ấp Tân Thành"  # normalised on the way in
        assert original.search_text and original.figures_summary and original.lead_value
        assert row_draft(original).values == draft.values
        record = row_record(original, unit_code, campaign)
        assert record_draft(record, campaign) == replace(row_draft(original), attachments=None)
        copy = Activity(uuid="00000000-0000-4000-8000-000000000001", unit_id=original.unit_id,
                        campaign_id=original.campaign_id)
        session.add(copy)
        apply_record(copy, record, campaign, {}, import_id=None)
        session.flush()
        for name in FIELDS:
            assert getattr(copy, name) == getattr(original, name), name
        again = row_record(copy, unit_code, campaign)
        assert {**again, "uuid": record["uuid"]} == record

        remove_received(copy, import_id=None)
        assert copy.deleted_at is not None and copy.attachments == [] and copy.evidence_count == 0
        tombstone = row_record(copy, unit_code, campaign)
        assert tombstone["deleted_at"] and tombstone["attachments"] == []


def test_a_draft_updates_values_in_place_and_recomputes_the_summary(workspace: Workspace) -> None:
    campaign = workspace.campaign()
    b, c = campaign.indicators_by_code["2.2.b"].id, campaign.indicators_by_code["2.2.c"].id
    row = Activity(uuid="00000000-0000-4000-8000-000000000002", values=[], attachments=[])
    draft = ActivityDraft(criterion_id=campaign.criteria_by_code["2.2"].id, activity_date=date(2024, 1, 2),
                          title="Hoạt động", values={b: 2, c: 45})
    apply_draft(row, draft, campaign)
    first = row.values[0]
    summary = row.figures_summary
    apply_draft(row, ActivityDraft(**{**vars(draft), "values": {b: 7}}), campaign)
    assert [(v.indicator_id, v.value) for v in row.values] == [(b, 7)] and row.values[0] is first
    assert row.figures_summary != summary and row.lead_value == 7
