"""Record changes held back at import by a guard (e.g. a review lock), listed until someone decides.

Applying one writes the record as the bundle carried it (through the record codec, as the importer does),
unless a later bundle already brought a newer revision (then it is marked superseded); discarding keeps
the department's current data. Both are audit-logged. Whether a change may go through is asked of the
registered guards (`guards.held_reason`), the same rule that held it back at import.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from thidua_desktop.core import audit
from thidua_desktop.core.activities import ChangeReport
from thidua_desktop.core.bundles.guards import (
    CHANGE_LABELS,
    ChangeKind,
    GuardContext,
    RecordChange,
    held_reason,
)
from thidua_desktop.core.bundles.host import BundleHost
from thidua_desktop.core.bundles.models import BundleImport, PendingRecord
from thidua_desktop.core.catalogue import CampaignInfo, load_campaign_info
from thidua_desktop.core.models import Activity, Campaign, Evidence, Unit, utc_now
from thidua_desktop.core.progress import CancelFn, ProgressFn, StepCounter, never_cancelled
from thidua_desktop.core.records import apply_record, remove_received


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


def list_pending(workspace: BundleHost) -> list[PendingInfo]:
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


def resolve_pending(workspace: BundleHost, ids: list[int], *, apply: bool, progress: ProgressFn | None = None,
                    cancel: CancelFn = never_cancelled) -> ChangeReport:
    """Apply (or discard) held changes in one transaction, oldest bundle first.

    A change a guard still holds (its period is still approved) stays pending: applying never bypasses
    a lock. Cancel rolls the whole transaction back.
    """
    created: list[str] = []
    updated: list[str] = []
    deleted: list[str] = []
    with workspace.write_sessions.begin() as session:  # on SQLite: the write lock from BEGIN
        rows = session.scalars(
            select(PendingRecord)
            .join(BundleImport, BundleImport.id == PendingRecord.import_id)
            .where(PendingRecord.id.in_(ids))
            .order_by(BundleImport.seq, PendingRecord.id)
        ).all()
        steps = StepCounter(len(rows), progress, cancel)
        for pending in rows:
            steps.step()
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


def _later_import_owns(session: Session, row: Activity | None, origin: BundleImport) -> bool:
    """True when the row already comes from a later bundle of the unit: an older held change must not win."""
    if row is None or row.source_bundle_id is None:
        return False
    source = session.get(BundleImport, row.source_bundle_id)
    return source is not None and source.seq > origin.seq


def _held_by_guard(session: Session, pending: PendingRecord, origin: BundleImport, campaign: CampaignInfo,
                   row: Activity | None, record: dict[str, Any] | None) -> bool:
    """Ask the registered guards again, about the change as it was held: a lock still in place keeps it."""
    kind = ChangeKind(pending.change)
    day = date.fromisoformat(record["date"]) if record else (row.activity_date if row is not None else None)
    criterion = campaign.criteria_by_id.get(row.criterion_id) if row is not None else None
    change = RecordChange(
        pending.activity_uuid, kind, record["title"] if record else (row.title if row is not None else ""), day,
        record["criterion"] if record else (criterion.code if criterion else ""),
        row.revision if row is not None else None, record["revision"] if record else (row.revision if row else 0),
        removed=record is None,
    )
    return held_reason(session, GuardContext(origin.unit_id, origin.campaign_id, change, record, row)) is not None


def _apply_one(session: Session, pending: PendingRecord) -> tuple[str, str | None]:
    """(resolution, kind): resolution is applied / superseded / locked; kind is created / updated / deleted."""
    origin = session.get(BundleImport, pending.import_id)
    code = session.scalar(select(Campaign.code).where(Campaign.id == origin.campaign_id))
    campaign = load_campaign_info(session, code)
    row = session.scalar(
        select(Activity).where(Activity.uuid == pending.activity_uuid)
        .options(selectinload(Activity.values), selectinload(Activity.attachments))
    )
    record = json.loads(pending.record_json) if pending.record_json else None
    if origin.superseded_seq is not None:  # its bundle left the chain (a rejected branch, a revoked key)
        return "superseded", None
    if _held_by_guard(session, pending, origin, campaign, row, record):
        return "locked", None
    if _later_import_owns(session, row, origin):
        return "superseded", None
    if record is None:  # absent from the unit's snapshot: a deletion
        if row is not None and row.deleted_at is None:
            remove_received(row, origin.id)
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
    apply_record(row, record, campaign, evidence_ids, origin.id)
    session.flush()
    return "applied", kind
