"""What the importer plans for each record, and the guards that may hold a planned change back.

Other packages own the rules (the review lock is one) and register a guard here when imported; the
importer and the pending list both ask `held_reason`, so a held change is released by the same rule.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from thidua_desktop.core.models import Activity


class ChangeKind(enum.StrEnum):
    NEW = "new"
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    DELETED = "deleted"


CHANGE_LABELS = {
    ChangeKind.NEW: "Mới",
    ChangeKind.CHANGED: "Sửa",
    ChangeKind.UNCHANGED: "Không đổi",
    ChangeKind.DELETED: "Xóa",
}


@dataclass(frozen=True)
class RecordChange:
    uuid: str
    kind: ChangeKind
    title: str
    activity_date: date
    criterion_code: str
    revision_before: int | None
    revision_after: int
    removed: bool = False  # absent from the unit's snapshot (rather than sent as a tombstone)
    held_reason: str | None = None


@dataclass(frozen=True)
class GuardContext:
    """What a guard sees: one planned change, with the incoming record and the current row."""

    unit_id: int
    campaign_id: int
    change: RecordChange
    record: dict[str, Any] | None
    existing: Activity | None


Guard = Callable[[Session, GuardContext], str | None]
"""A guard returns a Vietnamese reason to hold the change back ("chờ xử lý"), or None to let it through."""

_GUARDS: list[Guard] = []


def register_guard(guard: Guard) -> Guard:
    """Add a guard (idempotent); the module that owns a rule registers it when it is imported."""
    if guard not in _GUARDS:
        _GUARDS.append(guard)
    return guard


def registered_guards() -> tuple[Guard, ...]:
    return tuple(_GUARDS)


def held_reason(session: Session, context: GuardContext) -> str | None:
    """The first guard's reason to hold this change, or None: import and the pending list both ask here."""
    return next((reason for guard in _GUARDS if (reason := guard(session, context))), None)
