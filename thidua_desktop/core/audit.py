"""The audit log: who changed what, when, with old and new values."""

from __future__ import annotations

import getpass
import json
from typing import Any

from sqlalchemy.orm import Session

from thidua_desktop.core.models import AuditEntry


def current_actor() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name on some Windows service contexts
        return "không rõ"


def _jsonable(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def record(
    session: Session, actor: str, action: str, entity: str, entity_key: str, changes: dict[str, Any] | None = None
) -> AuditEntry:
    entry = AuditEntry(
        actor=actor,
        action=action,
        entity=entity,
        entity_key=str(entity_key),
        changes_json=json.dumps(_jsonable(changes or {}), ensure_ascii=False, sort_keys=True),
    )
    session.add(entry)
    return entry


def diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Any]]:
    """Field → [old, new] for the fields that differ."""
    return {key: [old.get(key), new.get(key)] for key in sorted(set(old) | set(new)) if old.get(key) != new.get(key)}
