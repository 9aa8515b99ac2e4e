"""The period-lock rule, in one place: an activity dated in an approved ("đã duyệt") period of its unit
waits for an unlock, whether it comes as a direct edit or in a bundle.

A leaf of the core (models and text only), so that activities, the importer and the review all ask it
without importing each other.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from thidua_desktop.core.consolidation.models import PeriodLock
from thidua_desktop.core.text import format_date

Record = Mapping[str, Any]  # one activity record as a bundle carries it (docs/bundle-format.md)
_LOCK_CACHE = "consolidation.locks"  # session.info key: locks read once per import session


def forget_cached_locks(session: Session) -> None:
    """Call after adding or removing a lock inside a session that may have asked before."""
    session.info.pop(_LOCK_CACHE, None)


def locks_by_unit(session: Session, unit_ids: Iterable[int], campaign_id: int | None) -> dict[int, list[PeriodLock]]:
    query = select(PeriodLock).where(PeriodLock.unit_id.in_(sorted(set(unit_ids))))
    if campaign_id is not None:
        query = query.where(PeriodLock.campaign_id == campaign_id)
    found: dict[int, list[PeriodLock]] = {}
    for lock in session.scalars(query):
        found.setdefault(lock.unit_id, []).append(lock)
    return found


def covering_lock(locks: Sequence[PeriodLock], day: date | None) -> PeriodLock | None:
    if day is None:
        return None
    return next((lock for lock in locks if lock.starts_on <= day <= lock.ends_on), None)


def unit_locks(session: Session, unit_id: int, campaign_id: int | None) -> list[PeriodLock]:
    """The unit's locks, read once per session: an import asks about every changed record."""
    cache = session.info.setdefault(_LOCK_CACHE, {})
    key = (unit_id, campaign_id)
    if key not in cache:
        cache[key] = locks_by_unit(session, [unit_id], campaign_id).get(unit_id, [])
    return cache[key]


def record_date(record: Record | None) -> date | None:
    raw = record.get("date") if record else None
    if isinstance(raw, date):
        return raw
    return date.fromisoformat(raw) if raw else None


def lock_reason(locks: Sequence[PeriodLock], current: date | None, incoming: date | None) -> str | None:
    """Why a change must wait, or None: the activity is dated in an approved period before or after it.

    Moving an activity out of an approved year changes that year too, so both dates count.
    """
    lock = covering_lock(locks, current) or covering_lock(locks, incoming)
    if lock is None:
        return None
    return (
        f"Thuộc kỳ đã duyệt “{lock.label}” (duyệt ngày {format_date(lock.locked_at)} bởi {lock.locked_by}); "
        "chờ mở khóa để áp dụng."
    )


def period_lock_reason(
    session: Session, unit_id: int, campaign_id: int, current: date | None, incoming: date | None
) -> str | None:
    """Why a direct edit in this copy must wait for an unlock, or None (the same rule as for bundles)."""
    return lock_reason(unit_locks(session, unit_id, campaign_id), current, incoming)
