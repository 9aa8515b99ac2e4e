"""Several reviewers on one database: transient conflicts are retried, times come from the database.

On a shared PostgreSQL database two transactions can collide (a deadlock, a serialization failure, a
unique key another reviewer inserted a moment earlier). Such a collision changes nothing — the database
rolled the transaction back — so the unit of work is simply run again, a bounded number of times, and
then reported in Vietnamese. Audit times are read from the database inside the transaction right before
it commits: one clock for every reviewer, and a transaction that waited for another's lock is stamped
after it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from thidua_desktop.core.errors import UserError

log = logging.getLogger(__name__)

T = TypeVar("T")
RETRY_ATTEMPTS = 3
# serialization_failure, deadlock_detected, unique_violation, lock_not_available
TRANSIENT_SQLSTATES = frozenset({"40001", "40P01", "23505", "55P03"})


class ConcurrentChangeError(UserError):
    """Another reviewer kept changing the same data; nothing of this attempt was saved."""

    exit_code = 42

    def __init__(self, attempts: int) -> None:
        super().__init__(
            f"Cơ sở dữ liệu dùng chung đang được người khác cập nhật cùng dữ liệu này; đã thử {attempts} lần "
            "nhưng chưa lưu được.",
            hint="Không có gì bị thay đổi. Hãy đợi một lát rồi làm lại.",
        )
        self.attempts = attempts


def sqlstate(error: BaseException) -> str | None:
    """The SQLSTATE of a database error (psycopg: `sqlstate`, psycopg2: `pgcode`), or None."""
    orig = getattr(error, "orig", None)
    return getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)


def is_transient(error: BaseException) -> bool:
    """A collision with another transaction that a fresh attempt can get past."""
    if not isinstance(error, DBAPIError):
        return False
    if sqlstate(error) in TRANSIENT_SQLSTATES:
        return True
    return "database is locked" in str(getattr(error, "orig", ""))  # SQLite's busy timeout ran out


def with_retry(work: Callable[[], T], *, attempts: int = RETRY_ATTEMPTS, pause: float = 0.05) -> T:
    """Run `work` (one whole transaction) again after a transient collision; then `ConcurrentChangeError`."""
    for attempt in range(1, attempts + 1):
        try:
            return work()
        except DBAPIError as error:
            if not is_transient(error):
                raise
            log.warning("transient database conflict (attempt %d/%d): %s", attempt, attempts, sqlstate(error))
            if attempt == attempts:
                raise ConcurrentChangeError(attempts) from error
            time.sleep(pause * attempt)
    raise AssertionError("unreachable")


def database_now(session: Session) -> datetime:
    """Now, by the database's clock when it has one (naive UTC, like `models.utc_now`).

    `clock_timestamp()` is the time of this call, not of BEGIN: called right before commit, after every
    lock was taken, it orders transactions that waited for one another the way they committed.
    """
    if session.get_bind().dialect.name == "postgresql":
        value = session.scalar(text("SELECT clock_timestamp() AT TIME ZONE 'UTC'"))
        if isinstance(value, datetime):
            return value.replace(tzinfo=None)
    return datetime.now(UTC).replace(tzinfo=None)
