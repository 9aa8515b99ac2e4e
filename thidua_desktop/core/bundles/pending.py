"""Record changes held back at import by a guard (e.g. a review lock), listed until someone decides.

Applying one writes the record as the bundle carried it, unless a later bundle already brought a newer
revision (then it is marked superseded); discarding keeps the department's current data.
Both are audit-logged.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from thidua_desktop.core import audit
from thidua_desktop.core.activities import ChangeReport
from thidua_desktop.core.bundles.guards import CHANGE_LABELS, ChangeKind
from thidua_desktop.core.bundles.importer import fill_activity, write_session
from thidua_desktop.core.bundles.models import BundleImport, PendingRecord
from thidua_desktop.core.catalogue import load_campaign_info
from thidua_desktop.core.models import Activity, Campaign, Evidence, Unit, utc_now


@dataclass(frozen=True)
class PendingInfo:
    id: int
    activity_uuid: str
    unit_code: str
    seq: int
    change: str
    reason: str
    title: str
    activity_date: date | None
    held_at: datetime

    @property
    def change_label(self) -> str:
        return CHANGE_LABELS[ChangeKind(self.change)]


def list_pending(workspace) -> list[PendingInfo]:  # noqa: ANN001 - Workspace
    with workspace.sessions() as session:
        units = {u.id: u.code for u in session.scalars(select(Unit))}
        rows = session.execute(
            select(PendingRecord, BundleImport)
            .join(BundleImport, BundleImport.id == PendingRecord.import_id)
            .where(PendingRecord.resolved_at.is_(None))
            .order_by(PendingRecord.held_at, PendingRecord.id)
        ).all()
        titles = dict(session.execute(
            select(Activity.uuid, Activity.title).where(Activity.uuid.in_([p.activity_uuid for p, _i in rows]))
        ).all())
    result = []
    for pending, origin in rows:
        record: dict[str, Any] = json.loads(pending.record_json) if pending.record_json else {}
        result.append(PendingInfo(
            pending.id, pending.activity_uuid, units.get(origin.unit_id, ""), origin.seq, pending.change,
            pending.reason, record.get("title") or titles.get(pending.activity_uuid, ""),
            date.fromisoformat(record["date"]) if record else None, pending.held_at,
        ))
    return result


def resolve_pending(workspace, ids: list[int], *, apply: bool) -> ChangeReport:  # noqa: ANN001 - Workspace
    """Apply (or discard) held changes in one transaction, oldest bundle first.

    A change whose period is still approved (locked) stays pending: applying must never bypass a lock.
    """
    created: list[str] = []
    updated: list[str] = []
    deleted: list[str] = []
    with write_session(workspace) as session:
        rows = session.scalars(
            select(PendingRecord)
            .join(BundleImport, BundleImport.id == PendingRecord.import_id)
            .where(PendingRecord.id.in_(ids))
            .order_by(BundleImport.seq, PendingRecord.id)
        ).all()
        for pending in rows:
            if pending.resolved_at is not None:
                continue
            resolution, kind = ("discarded", None)
            if apply:
                resolution, kind = _apply_one(session, pending)
                if resolution == "locked":
                    continue
                if resolution == "applied":
                    {"created": created, "deleted": deleted}.get(kind or "", updated).append(pending.activity_uuid)
            pending.resolved_at = utc_now()
            pending.resolved_by = workspace.actor
            pending.resolution = resolution
            audit.record(session, workspace.actor, f"pending-{resolution}", "activity", pending.activity_uuid,
                         {"pending_id": pending.id, "reason": pending.reason})
    return ChangeReport(created=tuple(created), updated=tuple(updated), deleted=tuple(deleted))


def _later_import_owns(session, row: Activity | None, origin: BundleImport) -> bool:  # noqa: ANN001 - Session
    """True when the row already comes from a later bundle of the unit: an older held change must not win."""
    if row is None or row.source_bundle_id is None:
        return False
    source = session.get(BundleImport, row.source_bundle_id)
    return source is not None and source.seq > origin.seq


def _apply_one(session, pending: PendingRecord) -> tuple[str, str | None]:  # noqa: ANN001 - Session
    """(resolution, kind): resolution is applied / superseded / locked; kind is created / updated / deleted."""
    from thidua_desktop.core.locks import period_lock_reason

    origin = session.get(BundleImport, pending.import_id)
    code = session.scalar(select(Campaign.code).where(Campaign.id == origin.campaign_id))
    campaign = load_campaign_info(session, code)
    row = session.scalar(
        select(Activity).where(Activity.uuid == pending.activity_uuid)
        .options(selectinload(Activity.values), selectinload(Activity.attachments))
    )
    record = json.loads(pending.record_json) if pending.record_json else None
    incoming = date.fromisoformat(record["date"]) if record else None
    current = row.activity_date if row is not None else None
    if period_lock_reason(session, origin.unit_id, origin.campaign_id, current, incoming):
        return "locked", None
    if _later_import_owns(session, row, origin):
        return "superseded", None
    if record is None:  # absent from the unit's snapshot: a deletion
        if row is not None and row.deleted_at is None:
            row.deleted_at = utc_now()
            row.attachments = []
            row.evidence_count = 0
            row.source_bundle_id = origin.id
        return "applied", "deleted"
    if row is not None and row.revision > record["revision"]:
        return "superseded", None
    shas = [a["sha256"] for a in record["attachments"]]
    evidence_ids = dict(session.execute(select(Evidence.sha256, Evidence.id).where(Evidence.sha256.in_(shas))).all())
    kind = "updated"
    if row is None:
        kind = "created"
        row = Activity(uuid=pending.activity_uuid, unit_id=origin.unit_id, campaign_id=origin.campaign_id)
        session.add(row)
    else:
        row.values = []
        row.attachments = []
        session.flush()
    fill_activity(row, record, campaign, evidence_ids, origin.id)
    session.flush()
    return "applied", kind
