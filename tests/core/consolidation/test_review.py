"""Review: accept/query, approving (locking) a unit's period, and holding back bundles that would change it."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from sqlalchemy import select

from tests.core.consolidation.sample import Sample, fake_import
from thidua_desktop.core.consolidation.models import ReviewStatus
from thidua_desktop.core.consolidation.review import (
    discard_pending,
    hold,
    hold_back_locked,
    list_locks,
    lock_period,
    pending_records,
    queried_items,
    release_pending,
    review_summary,
    set_review,
    unlock_period,
)
from thidua_desktop.core.errors import UserError, ValidationError
from thidua_desktop.core.models import Activity, AuditEntry, Unit
from thidua_desktop.core.query import Period
from thidua_desktop.core.workspace import Workspace

Y2024 = Period.year(2024)


def _unit_id(workspace: Workspace, code: str) -> int:
    with workspace.sessions() as session:
        return session.scalar(select(Unit.id).where(Unit.code == code))


def _record(workspace: Workspace, uuid: str, **changes: object) -> dict:
    """An incoming bundle record for an existing activity, as the manifest carries it."""
    with workspace.sessions() as session:
        activity = session.scalar(select(Activity).where(Activity.uuid == uuid))
        record = {"uuid": uuid, "revision": activity.revision + 1, "date": activity.activity_date.isoformat(),
                  "title": activity.title, "deleted_at": None}
    record.update(changes)
    return record


def test_accept_query_and_queried_items_per_unit(workspace: Workspace, sample: Sample) -> None:
    campaign = workspace.campaign()
    with workspace.transaction() as session:
        set_review(session, sample.activity_id(workspace, "a1"), ReviewStatus.ACCEPTED, actor="chị Hà")
        set_review(session, sample.activity_id(workspace, "a2"), ReviewStatus.QUERIED, "Thiếu biên bản", actor="chị Hà")
        set_review(session, sample.activity_id(workspace, "b1"), ReviewStatus.QUERIED, "Số vụ việc chưa khớp", actor="anh Đức")
        with pytest.raises(ValidationError):
            set_review(session, sample.activity_id(workspace, "b2"), ReviewStatus.QUERIED, "  ", actor="anh Đức")
    with workspace.sessions() as session:
        items = queried_items(session, campaign, period=Y2024)
        assert [(i.unit_code, i.title, i.comment) for i in items] == [
            ("PTP-LX", "Hòa giải và đánh giá chuẩn tiếp cận", "Số vụ việc chưa khớp"),
            ("PTP-CM", "Hòa giải ở cơ sở tại ấp vùng sâu", "Thiếu biên bản"),
        ]  # master-data order: Long Xuyên comes before Chợ Mới
        summary = review_summary(session, campaign, Y2024)
        cm = summary[_unit_id(workspace, "PTP-CM")]
        assert (cm.activities, cm.accepted, cm.queried, cm.unreviewed) == (4, 1, 1, 2)
        actions = session.scalars(select(AuditEntry.action).where(AuditEntry.action.in_(["accept", "query"]))).all()
        assert sorted(actions) == ["accept", "query", "query"]
    # The unit answers with a new revision: the query shows as answered.
    campaign_info = workspace.campaign()
    detail = workspace.activities().get(sample.uuids["a2"])
    detail.draft.values[campaign_info.indicators_by_code["2.2.f"].id] = 4
    workspace.activities().update(sample.uuids["a2"], detail.draft)
    with workspace.sessions() as session:
        answered = queried_items(session, campaign, unit_id=_unit_id(workspace, "PTP-CM"))
        assert answered[0].answered and answered[0].state_label == "Đơn vị đã gửi bản sửa, chờ xem lại"


def test_lock_refuses_open_queries_then_holds_back_changes_until_unlocked(workspace: Workspace, sample: Sample) -> None:
    campaign = workspace.campaign()
    cm = _unit_id(workspace, "PTP-CM")
    with workspace.transaction() as session:
        set_review(session, sample.activity_id(workspace, "a2"), ReviewStatus.QUERIED, "Thiếu biên bản", actor="chị Hà")
    with workspace.transaction() as session, pytest.raises(UserError, match="đang đề nghị giải trình"):
        lock_period(session, campaign, cm, Y2024, actor="chị Hà")
    with workspace.transaction() as session:
        lock = lock_period(session, campaign, cm, Y2024, actor="chị Hà", note="Đã họp Hội đồng", allow_open_queries=True)
    assert lock.label == "Năm 2024" and lock.covers(Period.quarter(2024, 3))
    with workspace.transaction() as session, pytest.raises(UserError, match="đã được duyệt"):
        lock_period(session, campaign, cm, Period.quarter(2024, 2), actor="chị Hà")

    changed_2024 = _record(workspace, sample.uuids["a2"], title="Hòa giải (sửa)")
    moved_out = _record(workspace, sample.uuids["a3"], date="2025-01-15")  # leaving 2024 changes 2024 too
    old_year = _record(workspace, sample.uuids["a5"], title="Hội nghị 2023 (sửa)")  # 2023 is not locked
    deleted = _record(workspace, sample.uuids["a4"], deleted_at="2025-02-01T00:00:00.000000Z")
    new_in_lock = {"uuid": "11111111-2222-4333-8444-555555555555", "revision": 1, "date": "2024-12-01",
                   "title": "Hoạt động mới trong năm đã duyệt", "deleted_at": None}
    not_newer = _record(workspace, sample.uuids["a1"], revision=1)  # the same revision: nothing to change
    with workspace.sessions() as session:
        to_apply, held = hold_back_locked(
            session, cm, [changed_2024, moved_out, old_year, deleted, new_in_lock, not_newer], campaign_id=campaign.id
        )
    assert [r["uuid"] for r in to_apply] == [sample.uuids["a5"], sample.uuids["a1"]]
    assert [(h.record["uuid"], h.change) for h in held] == [
        (sample.uuids["a2"], "changed"), (sample.uuids["a3"], "changed"), (sample.uuids["a4"], "deleted"),
        (new_in_lock["uuid"], "new"),
    ]
    assert all("Năm 2024" in h.reason for h in held)

    first_import = fake_import(workspace, "PTP-CM", 3, datetime(2025, 2, 1))
    with workspace.transaction() as session:
        assert hold(session, first_import, held, actor="máy nhận gói") == 4
    newer = dict(changed_2024, revision=changed_2024["revision"] + 1, title="Hòa giải (sửa lần 2)")
    second_import = fake_import(workspace, "PTP-CM", 4, datetime(2025, 2, 10))
    with workspace.transaction() as session:
        _apply, held_again = hold_back_locked(session, cm, [newer], campaign_id=campaign.id)
        hold(session, second_import, held_again, actor="máy nhận gói")
    with workspace.sessions() as session:
        pending = pending_records(session, unit_id=cm)
        assert len(pending) == 4 and all(p.locked for p in pending)
        assert {p.title for p in pending} >= {"Hòa giải (sửa lần 2)", "Hoạt động mới trong năm đã duyệt"}
        everything = pending_records(session, unit_id=cm, include_resolved=True)
        assert [p.state_label for p in everything].count("Đã có bản mới hơn") == 1
        assert session.get(Activity, sample.activity_id(workspace, "a2")).title == "Hòa giải ở cơ sở tại ấp vùng sâu"

    applied: list[dict] = []
    with workspace.transaction() as session:
        assert release_pending(session, lambda _s, _u, records: applied.extend(records), actor="chị Hà") == 0
        with pytest.raises(ValidationError):
            unlock_period(session, lock.id, actor="chị Hà", reason=" ")
        unlock_period(session, lock.id, actor="chị Hà", reason="Đơn vị xin bổ sung số liệu")
        assert list_locks(session, campaign) == []
        discard_pending(session, next(p.id for p in pending_records(session) if p.change == "new"),
                        actor="chị Hà", reason="Trùng với hoạt động đã có")
        assert release_pending(session, lambda _s, _u, records: applied.extend(records), actor="chị Hà") == 3
    assert sorted(r["title"] for r in applied) == sorted([
        "Hòa giải (sửa lần 2)", "Đánh giá chuẩn tiếp cận pháp luật đợt 1", "Đánh giá chuẩn tiếp cận pháp luật đợt 2",
    ])
    with workspace.sessions() as session:
        assert pending_records(session) == []
        states = sorted(p.state_label for p in pending_records(session, include_resolved=True))
        assert states == ["Đã bỏ qua", "Đã có bản mới hơn", "Đã áp dụng", "Đã áp dụng", "Đã áp dụng"]
        audit = session.scalars(select(AuditEntry.action).where(AuditEntry.entity.in_(["period_lock", "activity"]))).all()
        for action in ("lock", "unlock", "hold", "discard", "release", "query"):
            assert action in audit, action
        held_json = session.scalar(select(AuditEntry.changes_json).where(AuditEntry.action == "hold"))
        assert "Năm 2024" in json.loads(held_json)["reason"]
