"""Review (thẩm định): accept or query activities, approve a unit's period, and guard approved data.

Approving a unit's data for a period locks it. From then on a bundle that would change, add or delete
an activity dated inside the lock is not applied: the bundle importer asks `review_lock_guard` about
every change, keeps the held ones in its pending list ("chờ xử lý"), and they wait there until a
reviewer lifts the lock and applies them (or discards them) through `bundles.pending.resolve_pending`.
Nothing locked ever changes silently, and every step is written to the audit log.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, delete, func, select
from sqlalchemy.orm import Session

from thidua_desktop.core import audit
from thidua_desktop.core.bundles.guards import GuardContext, register_guard
from thidua_desktop.core.bundles.models import BundleImport, PendingRecord
from thidua_desktop.core.catalogue import CampaignInfo
from thidua_desktop.core.concurrency import database_now
from thidua_desktop.core.consolidation.models import (
    REVIEW_STATUS_LABELS,
    ActivityReview,
    PeriodLock,
    ReviewStatus,
)
from thidua_desktop.core.consolidation.periods import period_key
from thidua_desktop.core.errors import NotFoundError, UserError, ValidationError
from thidua_desktop.core.locks import (
    forget_cached_locks,
    lock_reason,
    locks_by_unit,
    record_date,
    unit_locks,
)
from thidua_desktop.core.models import Activity, Unit
from thidua_desktop.core.query import Period
from thidua_desktop.core.text import format_datetime, nfc


@dataclass(frozen=True)
class ReviewReport:
    """What a review action changed, announced to the GUI so that pages refresh only what they show."""

    activities: tuple[int, ...] = ()
    units: tuple[int, ...] = ()
    pending_changed: bool = False


class OpenQueriesError(UserError):
    """Approving was refused because queried items remain; the caller may confirm and approve anyway.

    Callers branch on this type (and its `count`), never on the message.
    """

    def __init__(self, unit_name: str, count: int, period: Period) -> None:
        super().__init__(
            f"{unit_name} còn {count} hoạt động đang đề nghị giải trình trong {period.phrase}.",
            hint="Hãy chấp nhận hoặc xử lý các mục đó trước, hoặc xác nhận duyệt dù còn mục chưa giải trình.",
        )
        self.count = count


# --- activity reviews ------------------------------------------------------------------------------


def _activity(session: Session, activity_id: int, *, lock: bool = False) -> Activity:
    activity = session.get(Activity, activity_id, with_for_update=lock or None, populate_existing=lock)
    if activity is None:
        raise NotFoundError("Không tìm thấy hoạt động này.", hint="Có thể nó vừa bị xóa hẳn; hãy tải lại danh sách.")
    return activity


def set_review(
    session: Session, activity_id: int, status: ReviewStatus, comment: str = "", *, actor: str
) -> ReviewReport:
    """Accept an activity, or query it with a comment saying what the unit must explain or correct."""
    comment = nfc(comment.strip())
    if status is ReviewStatus.QUERIED and not comment:
        raise ValidationError({"comment": "Hãy ghi nội dung đề nghị đơn vị giải trình."})
    activity = _activity(session, activity_id, lock=True)  # two reviewers: one after the other, both audited
    review = session.scalar(select(ActivityReview).where(ActivityReview.activity_id == activity_id))
    before = {"status": str(review.status), "comment": review.comment} if review else {}
    now = database_now(session)  # after the row lock: two reviewers' times follow their order
    if review is None:
        review = ActivityReview(activity_id=activity_id)
        session.add(review)
    review.status, review.comment = status, comment
    review.reviewed_revision, review.reviewer, review.reviewed_at = activity.revision, actor, now
    session.flush()
    changes = audit.diff(before, {"status": str(status), "comment": comment})
    changes["revision"] = [None, activity.revision]
    audit.record(session, actor, "accept" if status is ReviewStatus.ACCEPTED else "query", "activity", activity.uuid, changes)
    return ReviewReport(activities=(activity_id,), units=(activity.unit_id,))


def clear_review(session: Session, activity_id: int, *, actor: str) -> ReviewReport:
    activity = _activity(session, activity_id)
    review = session.scalar(select(ActivityReview).where(ActivityReview.activity_id == activity_id))
    if review is None:
        return ReviewReport()
    audit.record(session, actor, "unreview", "activity", activity.uuid, {"status": [str(review.status), None]})
    session.delete(review)
    session.flush()
    return ReviewReport(activities=(activity_id,), units=(activity.unit_id,))


@dataclass(frozen=True)
class QueriedItem:
    activity_id: int
    uuid: str
    unit_id: int
    unit_code: str
    unit_name: str
    activity_date: date
    title: str
    comment: str
    reviewer: str
    reviewed_at: datetime
    answered: bool  # the unit sent a new revision since the query

    @property
    def state_label(self) -> str:
        return "Đơn vị đã gửi bản sửa, chờ xem lại" if self.answered else "Chờ đơn vị giải trình"


def queried_items(
    session: Session, campaign: CampaignInfo, *, period: Period | None = None, unit_id: int | None = None
) -> list[QueriedItem]:
    """Queried activities, grouped by unit (master-data order) then by date."""
    conditions = [
        ActivityReview.status == ReviewStatus.QUERIED,
        Activity.campaign_id == campaign.id,
        Activity.deleted_at.is_(None),
    ]
    if period is not None:
        conditions.append(Activity.activity_date.between(period.start, period.end))
    if unit_id is not None:
        conditions.append(Activity.unit_id == unit_id)
    rows = session.execute(
        select(Activity, ActivityReview, Unit)
        .join(ActivityReview, ActivityReview.activity_id == Activity.id)
        .join(Unit, Unit.id == Activity.unit_id)
        .where(*conditions)
        .order_by(Unit.sort_order, Unit.name_sort_key, Activity.activity_date, Activity.id)
    ).all()
    return [
        QueriedItem(
            a.id, a.uuid, u.id, u.code, u.short_name or u.name, a.activity_date, a.title, r.comment, r.reviewer,
            r.reviewed_at, a.revision > r.reviewed_revision,
        )
        for a, r, u in rows
    ]


@dataclass(frozen=True)
class UnitReviewSummary:
    unit_id: int
    activities: int
    accepted: int
    queried: int
    lock: LockInfo | None

    @property
    def unreviewed(self) -> int:
        return self.activities - self.accepted - self.queried


def review_summary(session: Session, campaign: CampaignInfo, period: Period) -> dict[int, UnitReviewSummary]:
    """Per unit: activities in the period, how many are accepted or queried, and the lock covering the period."""
    rows = session.execute(
        select(Activity.unit_id, ActivityReview.status, func.count())
        .outerjoin(ActivityReview, ActivityReview.activity_id == Activity.id)
        .where(
            Activity.campaign_id == campaign.id,
            Activity.deleted_at.is_(None),
            Activity.activity_date.between(period.start, period.end),
        )
        .group_by(Activity.unit_id, ActivityReview.status)
    ).all()
    counts: dict[int, dict[ReviewStatus | None, int]] = {}
    for unit_id, status, count in rows:
        counts.setdefault(unit_id, {})[status] = int(count)
    locks = {lock.unit_id: lock for lock in list_locks(session, campaign) if lock.covers(period)}
    return {
        unit_id: UnitReviewSummary(
            unit_id,
            sum(per.values()),
            per.get(ReviewStatus.ACCEPTED, 0),
            per.get(ReviewStatus.QUERIED, 0),
            locks.get(unit_id),
        )
        for unit_id, per in counts.items()
    } | {
        unit_id: UnitReviewSummary(unit_id, 0, 0, 0, lock) for unit_id, lock in locks.items() if unit_id not in counts
    }


# --- period locks ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LockInfo:
    id: int
    campaign_id: int
    unit_id: int
    unit_code: str
    unit_name: str
    starts_on: date
    ends_on: date
    label: str
    note: str
    locked_by: str
    locked_at: datetime

    def covers(self, period: Period) -> bool:
        return self.starts_on <= period.start and period.end <= self.ends_on

    def contains(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on

    @property
    def description(self) -> str:
        return f"“{self.label}” (duyệt ngày {format_datetime(self.locked_at)} bởi {self.locked_by})"


def _lock_info(lock: PeriodLock, unit: Unit) -> LockInfo:
    return LockInfo(
        lock.id, lock.campaign_id, lock.unit_id, unit.code, unit.short_name or unit.name, lock.starts_on,
        lock.ends_on, lock.label, lock.note, lock.locked_by, lock.locked_at,
    )


def list_locks(session: Session, campaign: CampaignInfo | None = None, *, unit_id: int | None = None) -> list[LockInfo]:
    query = select(PeriodLock, Unit).join(Unit, Unit.id == PeriodLock.unit_id)
    if campaign is not None:
        query = query.where(PeriodLock.campaign_id == campaign.id)
    if unit_id is not None:
        query = query.where(PeriodLock.unit_id == unit_id)
    query = query.order_by(Unit.sort_order, Unit.name_sort_key, PeriodLock.starts_on, PeriodLock.ends_on)
    return [_lock_info(lock, unit) for lock, unit in session.execute(query)]


def lock_period(
    session: Session,
    campaign: CampaignInfo,
    unit_id: int,
    period: Period,
    *,
    actor: str,
    note: str = "",
    allow_open_queries: bool = False,
) -> LockInfo:
    """Approve a unit's data for a period; refuses while queried items remain unless told otherwise."""
    # The unit's row lock, as import takes it: a lock waits for an import in flight and is stamped after it.
    unit = session.get(Unit, unit_id, with_for_update=True, populate_existing=True)
    if unit is None:
        raise NotFoundError("Không tìm thấy đơn vị.", hint="Hãy tải lại danh sách đơn vị.")
    for existing in list_locks(session, campaign, unit_id=unit_id):
        if existing.covers(period):
            raise UserError(
                f"Số liệu {period.phrase} của {existing.unit_name} đã được duyệt trong kỳ {existing.description}.",
                hint="Không cần duyệt lại. Muốn sửa, hãy mở khóa kỳ đó trước.",
            )
    open_queries = queried_items(session, campaign, period=period, unit_id=unit_id)
    if open_queries and not allow_open_queries:
        raise OpenQueriesError(unit.short_name or unit.name, len(open_queries), period)
    lock = PeriodLock(
        campaign_id=campaign.id, unit_id=unit_id, starts_on=period.start, ends_on=period.end, label=period.label,
        note=nfc(note.strip()), locked_by=actor, locked_at=database_now(session),
    )
    session.add(lock)
    session.flush()
    forget_cached_locks(session)
    audit.record(
        session, actor, "lock", "period_lock", f"{unit.code}:{period_key(period, campaign)}",
        {"period": period.label, "start": period.start, "end": period.end, "note": lock.note,
         "open_queries": len(open_queries)},
    )
    return _lock_info(lock, unit)


def unlock_period(session: Session, lock_id: int, *, actor: str, reason: str) -> LockInfo:
    """Lift an approval (a reason is required); held changes for the unit may then be released."""
    reason = nfc(reason.strip())
    if not reason:
        raise ValidationError({"reason": "Hãy ghi lý do mở khóa kỳ đã duyệt."})
    row = session.execute(select(PeriodLock, Unit).join(Unit, Unit.id == PeriodLock.unit_id).where(PeriodLock.id == lock_id)).first()
    if row is None:
        raise NotFoundError("Kỳ đã duyệt này không còn.", hint="Có thể người khác vừa mở khóa; hãy tải lại.")
    lock, unit = row
    session.get(Unit, unit.id, with_for_update=True)  # waits for an import of the unit in flight
    info = _lock_info(lock, unit)
    session.execute(delete(PeriodLock).where(PeriodLock.id == lock_id))
    forget_cached_locks(session)
    audit.record(
        session, actor, "unlock", "period_lock", f"{unit.code}:{lock.starts_on.isoformat()}..{lock.ends_on.isoformat()}",
        {"period": lock.label, "reason": reason, "locked_by": lock.locked_by, "locked_at": lock.locked_at},
    )
    return info


# --- the import guard ----------------------------------------------------------------------------------


@register_guard
def review_lock_guard(session: Session, context: GuardContext) -> str | None:
    """The bundle importer's guard (registered in `bundles.guards`): hold changes to approved periods.

    The importer asks only about new, changed and deleted records; a held one goes to its pending list
    ("chờ xử lý") with this reason, and `bundles.pending.resolve_pending` applies it once unlocked.
    """
    locks = unit_locks(session, context.unit_id, context.campaign_id)
    if not locks:
        return None
    current = context.existing.activity_date if context.existing is not None else None
    return lock_reason(locks, current, record_date(context.record))


@dataclass(frozen=True)
class PendingInfo:
    id: int
    unit_id: int
    unit_code: str
    unit_name: str
    activity_uuid: str
    change: str
    title: str
    activity_date: date | None
    reason: str
    bundle_seq: int
    held_at: datetime
    resolution: str | None
    locked: bool  # still inside a locked period: applying it now would change approved data

    @property
    def change_label(self) -> str:
        return {"new": "Thêm mới", "changed": "Sửa đổi", "deleted": "Xóa"}.get(self.change, self.change)

    @property
    def state_label(self) -> str:
        if self.resolution is None:
            return "Chờ xử lý (kỳ còn khóa)" if self.locked else "Chờ xử lý (đã mở khóa, có thể áp dụng)"
        return {"applied": "Đã áp dụng", "discarded": "Đã bỏ qua", "superseded": "Đã có bản mới hơn"}.get(
            self.resolution, self.resolution
        )


def pending_records(
    session: Session, *, unit_id: int | None = None, include_resolved: bool = False
) -> list[PendingInfo]:
    """The "chờ xử lý" list held by the importer, each saying whether its period is still locked."""
    query = (
        select(PendingRecord, BundleImport, Unit)
        .join(BundleImport, BundleImport.id == PendingRecord.import_id)
        .join(Unit, Unit.id == BundleImport.unit_id)
        .order_by(Unit.sort_order, PendingRecord.held_at, PendingRecord.id)
    )
    if unit_id is not None:
        query = query.where(BundleImport.unit_id == unit_id)
    if not include_resolved:
        query = query.where(PendingRecord.resolution.is_(None))
    rows = session.execute(query).all()
    locks = locks_by_unit(session, {bundle.unit_id for _p, bundle, _u in rows}, None)
    current = _current_rows(session, [p.activity_uuid for p, _b, _u in rows])
    result = []
    for pending, bundle, unit in rows:
        record = json.loads(pending.record_json) if pending.record_json else None
        day, title = current.get(pending.activity_uuid, (None, ""))
        campaign_locks = [lock for lock in locks.get(unit.id, []) if lock.campaign_id == bundle.campaign_id]
        result.append(
            PendingInfo(
                pending.id, unit.id, unit.code, unit.short_name or unit.name, pending.activity_uuid, pending.change,
                str(record.get("title", "")) if record else title, record_date(record) or day, pending.reason,
                bundle.seq, pending.held_at, pending.resolution,
                lock_reason(campaign_locks, day, record_date(record)) is not None,
            )
        )
    return result


def _current_rows(session: Session, uuids: Sequence[str]) -> dict[str, tuple[date, str]]:
    found: dict[str, tuple[date, str]] = {}
    for start in range(0, len(uuids), 500):
        for uuid, day, title in session.execute(
            select(Activity.uuid, Activity.activity_date, Activity.title).where(Activity.uuid.in_(uuids[start : start + 500]))
        ):
            found[uuid] = (day, title)
    return found


def open_query_count(session: Session, campaign: CampaignInfo, unit_ids: Iterable[int], period: Period) -> dict[int, int]:
    """Queried, not yet re-reviewed activities per unit in a period (ranking flags these units)."""
    ids = sorted(set(unit_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(Activity.unit_id, func.count())
        .join(ActivityReview, ActivityReview.activity_id == Activity.id)
        .where(
            and_(
                ActivityReview.status == ReviewStatus.QUERIED,
                Activity.campaign_id == campaign.id,
                Activity.deleted_at.is_(None),
                Activity.activity_date.between(period.start, period.end),
                Activity.unit_id.in_(ids),
            )
        )
        .group_by(Activity.unit_id)
    ).all()
    return {unit_id: int(count) for unit_id, count in rows}


__all__ = [
    "REVIEW_STATUS_LABELS", "LockInfo", "OpenQueriesError", "PendingInfo", "QueriedItem", "ReviewReport", "ReviewStatus",
    "UnitReviewSummary", "clear_review", "list_locks", "lock_period", "lock_reason", "open_query_count",
    "pending_records", "queried_items", "review_lock_guard", "review_summary", "set_review", "unlock_period",
]
