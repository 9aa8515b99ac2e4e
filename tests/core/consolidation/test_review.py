"""Review: accept/query with queried items per unit, and approving (locking) a unit's period."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from tests.core.consolidation.sample import Sample
from thidua_desktop.core.consolidation.models import PeriodLock, ReviewStatus
from thidua_desktop.core.consolidation.review import (
    list_locks,
    lock_period,
    lock_reason,
    queried_items,
    review_summary,
    set_review,
    unlock_period,
)
from thidua_desktop.core.errors import UserError, ValidationError
from thidua_desktop.core.models import AuditEntry, Unit
from thidua_desktop.core.query import Period
from thidua_desktop.core.workspace import Workspace

Y2024 = Period.year(2024)


def _unit_id(workspace: Workspace, code: str) -> int:
    with workspace.sessions() as session:
        return session.scalar(select(Unit.id).where(Unit.code == code))


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


def test_locks_refuse_open_queries_and_name_the_approved_period(workspace: Workspace, sample: Sample) -> None:
    campaign = workspace.campaign()
    cm = _unit_id(workspace, "PTP-CM")
    with workspace.transaction() as session:
        set_review(session, sample.activity_id(workspace, "a2"), ReviewStatus.QUERIED, "Thiếu biên bản", actor="chị Hà")
    with workspace.transaction() as session, pytest.raises(UserError, match="đang đề nghị giải trình"):
        lock_period(session, campaign, cm, Y2024, actor="chị Hà")
    with workspace.transaction() as session:
        lock = lock_period(session, campaign, cm, Y2024, actor="chị Hà", note="Đã họp Hội đồng", allow_open_queries=True)
    assert lock.label == "Năm 2024" and lock.covers(Period.quarter(2024, 3)) and not lock.covers(Period.year(2023))
    with workspace.transaction() as session, pytest.raises(UserError, match="đã được duyệt"):
        lock_period(session, campaign, cm, Period.quarter(2024, 2), actor="chị Hà")
    with workspace.sessions() as session:
        locks = list_locks(session, campaign)
        assert [(lock.unit_code, lock.label, lock.note) for lock in locks] == [("PTP-CM", "Năm 2024", "Đã họp Hội đồng")]
        summary = review_summary(session, campaign, Y2024)[cm]
        assert summary.lock is not None and summary.lock.id == lock.id
        reason = lock_reason([session.get(PeriodLock, lock.id)], date(2023, 5, 1), date(2024, 2, 1))
        assert reason is not None and "Năm 2024" in reason  # moving an activity into the approved year
        assert lock_reason([session.get(PeriodLock, lock.id)], date(2023, 5, 1), date(2025, 2, 1)) is None
    with workspace.transaction() as session:
        with pytest.raises(ValidationError):
            unlock_period(session, lock.id, actor="chị Hà", reason=" ")
        unlock_period(session, lock.id, actor="chị Hà", reason="Đơn vị xin bổ sung số liệu")
        assert list_locks(session, campaign) == []
    with workspace.sessions() as session:
        audit = session.scalars(select(AuditEntry).where(AuditEntry.entity == "period_lock")).all()
        assert [entry.action for entry in audit] == ["lock", "unlock"]
        assert json.loads(audit[1].changes_json)["reason"] == "Đơn vị xin bổ sung số liệu"
