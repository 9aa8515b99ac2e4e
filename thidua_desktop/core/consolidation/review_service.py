"""`workspace.review()`: review (thẩm định) at the department, as one typed service.

Accept or query activities, approve (lock) and unlock a unit's period, list the changes held back by a
lock and apply or discard them, and record the council's reviewed scores. Every change returns a report
the GUI announces, so pages refresh from it. The "unlock, list the freed held changes, apply them" flow
lives here once (`unlock_period`, `apply_unlocked`); the GUI and the CLI only ask and print.

Held changes are applied by the bundle side (`bundles.pending.resolve_pending`), reached through the
`PendingResolver` the workspace hands in, so this module does not depend on the workspace.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from thidua_desktop.core.activities import ChangeReport
from thidua_desktop.core.concurrency import with_retry
from thidua_desktop.core.consolidation.models import ReviewStatus
from thidua_desktop.core.consolidation.review import (
    LockInfo,
    PendingInfo,
    QueriedItem,
    ReviewReport,
    UnitReviewSummary,
    clear_review,
    list_locks,
    lock_period,
    pending_records,
    queried_items,
    review_summary,
    set_review,
    unlock_period,
)
from thidua_desktop.core.consolidation.scoring import ScoringScheme, set_reviewed_score
from thidua_desktop.core.consolidation.service import ServiceContext, data_scheme
from thidua_desktop.core.errors import NotFoundError
from thidua_desktop.core.models import Unit
from thidua_desktop.core.progress import CancelFn, ProgressFn, check_cancel, never_cancelled
from thidua_desktop.core.query import Period

T = TypeVar("T")


class PendingResolver(Protocol):
    """Applies (or discards) held changes in one transaction: `bundles.pending.resolve_pending` bound to a workspace."""

    def __call__(self, ids: list[int], *, apply: bool, progress: ProgressFn | None = None,
                 cancel: CancelFn = never_cancelled) -> ChangeReport: ...


@dataclass(frozen=True)
class LockReport(ReviewReport):
    """A lock added or lifted; after an unlock, the held changes it freed (and, if asked, what applying them did)."""

    lock: LockInfo | None = None
    freed: tuple[PendingInfo, ...] = ()
    applied: ChangeReport | None = None


@dataclass(frozen=True)
class PendingReport:
    """Held changes applied or discarded: `changes` is what the GUI announces; `requested` how many were asked."""

    changes: ChangeReport
    requested: int


class ReviewService:
    def __init__(self, context: ServiceContext, resolve_pending: PendingResolver) -> None:
        self._context = context
        self._resolve = resolve_pending

    @property
    def actor(self) -> str:
        return self._context.actor

    def unit_id(self, code: str) -> int:
        """The id of a unit by its code (as the CLI names units); `NotFoundError` for an unknown code."""
        with self._context.sessions() as session:
            unit_id = session.scalar(select(Unit.id).where(Unit.code == code))
        if unit_id is None:
            raise NotFoundError(f"Không có đơn vị mã “{code}”.", hint="Xem danh sách: thidua units list")
        return unit_id

    # --- activity reviews --------------------------------------------------------------------------------
    def _write(self, work: Callable[[Session], T]) -> T:
        """One write transaction, run again after a collision with another reviewer (`with_retry`)."""
        def attempt() -> T:
            with self._context.write_sessions.begin() as session:
                return work(session)
        return with_retry(attempt)

    def accept(self, activity_id: int) -> ReviewReport:
        """Two reviewers on one item: the last one wins, and the audit log keeps both."""
        return self._write(lambda s: set_review(s, activity_id, ReviewStatus.ACCEPTED, actor=self.actor))

    def query(self, activity_id: int, comment: str) -> ReviewReport:
        """Ask the unit to explain or correct an activity (a comment is required)."""
        return self._write(lambda s: set_review(s, activity_id, ReviewStatus.QUERIED, comment, actor=self.actor))

    def clear(self, activity_id: int) -> ReviewReport:
        return self._write(lambda s: clear_review(s, activity_id, actor=self.actor))

    def accept_all(self, activity_ids: Sequence[int]) -> ReviewReport:
        """Accept several activities in one transaction (the reviewer selected them together)."""
        return self._review_all(activity_ids, ReviewStatus.ACCEPTED)

    def query_all(self, activity_ids: Sequence[int], comment: str) -> ReviewReport:
        """Ask the units to explain several activities with one comment, in one transaction."""
        return self._review_all(activity_ids, ReviewStatus.QUERIED, comment)

    def clear_all(self, activity_ids: Sequence[int]) -> ReviewReport:
        with self._context.write_sessions.begin() as session:
            return _merged([clear_review(session, i, actor=self.actor) for i in activity_ids])

    def _review_all(self, activity_ids: Sequence[int], status: ReviewStatus, comment: str = "") -> ReviewReport:
        with self._context.write_sessions.begin() as session:
            return _merged([set_review(session, i, status, comment, actor=self.actor) for i in activity_ids])

    def queried_items(self, *, period: Period | None = None, unit_id: int | None = None) -> list[QueriedItem]:
        with self._context.sessions() as session:
            return queried_items(session, self._context.campaign, period=period, unit_id=unit_id)

    def summary(self, period: Period) -> dict[int, UnitReviewSummary]:
        """Per unit: activities in the period, accepted, queried, and the lock covering it."""
        with self._context.sessions() as session:
            return review_summary(session, self._context.campaign, period)

    # --- period locks ------------------------------------------------------------------------------------
    def locks(self, *, unit_id: int | None = None) -> list[LockInfo]:
        with self._context.sessions() as session:
            return list_locks(session, self._context.campaign, unit_id=unit_id)

    def lock_covering(self, unit_id: int, period: Period) -> LockInfo | None:
        """The approval that covers the whole period for the unit, if any."""
        return next((lock for lock in self.locks(unit_id=unit_id) if lock.covers(period)), None)

    def lock_period(self, unit_id: int, period: Period, *, note: str = "",
                    allow_open_queries: bool = False) -> LockReport:
        """Approve (lock) a unit's period; `OpenQueriesError` while queried items remain, unless allowed."""
        lock = self._write(lambda s: lock_period(s, self._context.campaign, unit_id, period, actor=self.actor,
                                                 note=note, allow_open_queries=allow_open_queries))
        return LockReport(units=(unit_id,), lock=lock)

    def unlock_period(self, unit_id: int, period: Period, reason: str, *, apply_freed: bool = False,
                      progress: ProgressFn | None = None, cancel: CancelFn = never_cancelled) -> LockReport:
        """Lift the approval covering the period (a reason is required) and list the held changes it freed.

        With `apply_freed`, those changes are applied too (a second transaction: the unlock stands even if
        the user cancels before applying). `NotFoundError` when the period is not approved.
        """
        campaign = self._context.campaign

        def unlock(session: Session) -> tuple[LockInfo, tuple[PendingInfo, ...]]:
            covering = [lock for lock in list_locks(session, campaign, unit_id=unit_id) if lock.covers(period)]
            if not covering:
                code = session.scalar(select(Unit.code).where(Unit.id == unit_id)) or ""
                raise NotFoundError(f"Số liệu {period.phrase} của {code} chưa được duyệt.", hint="Không có gì để mở khóa.")
            lock = unlock_period(session, covering[0].id, actor=self.actor, reason=reason)
            return lock, tuple(p for p in pending_records(session, unit_id=unit_id) if not p.locked)

        lock, freed = self._write(unlock)
        applied = None
        if apply_freed and freed:
            applied = self._apply([p.id for p in freed], progress, cancel).changes
        return LockReport(units=(unit_id,), pending_changed=True, lock=lock, freed=freed, applied=applied)

    # --- held changes ("chờ xử lý") ----------------------------------------------------------------------
    def pending(self, *, unit_id: int | None = None, include_resolved: bool = False) -> list[PendingInfo]:
        with self._context.sessions() as session:
            return pending_records(session, unit_id=unit_id, include_resolved=include_resolved)

    def apply_unlocked(self, *, unit_id: int | None = None, progress: ProgressFn | None = None,
                       cancel: CancelFn = never_cancelled) -> PendingReport:
        """Apply every held change (of one unit, or all) whose period is no longer locked, in one transaction."""
        ids = [p.id for p in self.pending(unit_id=unit_id) if not p.locked]
        return self._apply(ids, progress, cancel)

    def discard(self, ids: Sequence[int], *, progress: ProgressFn | None = None,
                cancel: CancelFn = never_cancelled) -> PendingReport:
        """Discard held changes: the department's current data stays as it is."""
        return self._resolve_all(list(ids), False, progress, cancel)

    def _apply(self, ids: list[int], progress: ProgressFn | None, cancel: CancelFn) -> PendingReport:
        return self._resolve_all(ids, True, progress, cancel)

    def _resolve_all(self, ids: list[int], apply: bool, progress: ProgressFn | None, cancel: CancelFn) -> PendingReport:
        """One transaction (all or nothing): Cancel part-way rolls it back and leaves every change pending."""
        check_cancel(cancel)
        changes = self._resolve(ids, apply=apply, progress=progress, cancel=cancel) if ids else ChangeReport()
        return PendingReport(changes, len(ids))

    # --- reviewed scores ---------------------------------------------------------------------------------
    def set_score(self, unit_id: int, period: Period, criterion_code: str, points: float | None, *,
                  note: str = "", scheme: ScoringScheme | None = None) -> ReviewReport:
        """The council's points for one criterion of a unit (None: back to the self-score); audited."""
        campaign = self._context.campaign
        with self._context.write_sessions.begin() as session:
            scheme = scheme or data_scheme(session, campaign, self._context.layout)
            set_reviewed_score(session, campaign, unit_id, period, criterion_code, points, note=note,
                               actor=self.actor, scheme=scheme)
        return ReviewReport(units=(unit_id,))


def _merged(reports: Sequence[ReviewReport]) -> ReviewReport:
    """One report for several review changes (the GUI announces it once)."""
    activities = tuple(dict.fromkeys(a for r in reports for a in r.activities))
    units = tuple(dict.fromkeys(u for r in reports for u in r.units))
    return ReviewReport(activities=activities, units=units)


__all__ = ["LockReport", "PendingReport", "PendingResolver", "ReviewService"]
