"""Tình hình gửi báo cáo: which units have sent their data for a period, when, and whether on time.

A bundle is a full snapshot of a unit's records, so "the unit reported for a period" means it sent a
bundle close enough to the deadline to hold the period's work: a bundle created in the reporting
window (from `WINDOW_DAYS` before the deadline, but not before the period starts) up to the deadline
is on time; the first one after the deadline is late by so many days. Each period's deadline is
configurable (stored per campaign and period key); without one it is `DEFAULT_GRACE_DAYS` after the
period ends. The department's own offices may record directly in its copy: with no bundle and direct
records they are "Nhập trực tiếp tại Sở", not late.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from thidua_desktop.core import audit
from thidua_desktop.core.bundles.models import BundleImport
from thidua_desktop.core.catalogue import CampaignInfo
from thidua_desktop.core.consolidation.models import ReportingDeadline
from thidua_desktop.core.consolidation.periods import period_key
from thidua_desktop.core.models import Activity, ActivityEvidence, UnitKind
from thidua_desktop.core.query import Period
from thidua_desktop.core.text import format_date, format_number
from thidua_desktop.core.units import UnitInfo, list_units

DEFAULT_GRACE_DAYS = 10
WINDOW_DAYS = 45


class ReportStatus(enum.StrEnum):
    ON_TIME = "on_time"
    LATE = "late"
    OVERDUE = "overdue"  # deadline passed, nothing sent for the period
    NOT_DUE = "not_due"  # nothing sent yet, but the deadline is still ahead
    NEVER = "never"  # no bundle ever received from this unit
    DIRECT = "direct"  # records directly in the department's copy; no bundle expected


STATUS_LABELS = {
    ReportStatus.ON_TIME: "Đúng hạn",
    ReportStatus.LATE: "Gửi muộn",
    ReportStatus.OVERDUE: "Quá hạn, chưa gửi",
    ReportStatus.NOT_DUE: "Chưa gửi (chưa đến hạn)",
    ReportStatus.NEVER: "Chưa từng gửi",
    ReportStatus.DIRECT: "Nhập trực tiếp tại Sở",
}
NEEDS_REMINDER = {ReportStatus.OVERDUE, ReportStatus.NOT_DUE, ReportStatus.NEVER}


@dataclass(frozen=True)
class BundleInfo:
    seq: int
    created_at: datetime  # when the unit made and signed it
    imported_at: datetime
    signer_key_id: str
    file_name: str
    records: int  # records the bundle carried (new, changed, unchanged and deleted)
    held: int

    @property
    def label(self) -> str:
        return f"Gói số {self.seq} lập {format_date(self.created_at)}, ký bằng khóa {self.signer_key_id}"


@dataclass(frozen=True)
class CompletenessRow:
    unit: UnitInfo
    status: ReportStatus
    last_bundle: BundleInfo | None
    report_bundle: BundleInfo | None  # the bundle that counts as the report for this period
    days_late: int
    records: int  # activities in the period held by the department
    evidence_files: int

    @property
    def bundle(self) -> BundleInfo | None:
        """The bundle the status speaks of (the one counted as the report; else the latest, which was not
        in time): a table shows its number and dates beside the status, never another bundle's."""
        return self.report_bundle or self.last_bundle

    @property
    def status_label(self) -> str:
        if self.status is ReportStatus.LATE:
            return f"{STATUS_LABELS[self.status]} {format_number(self.days_late)} ngày"
        return STATUS_LABELS[self.status]

    @property
    def needs_reminder(self) -> bool:
        return self.status in NEEDS_REMINDER


@dataclass(frozen=True)
class Completeness:
    period: Period
    deadline: date
    window_opens: date
    as_of: date
    rows: tuple[CompletenessRow, ...]

    def count(self, status: ReportStatus) -> int:
        return sum(1 for row in self.rows if row.status is status)

    @property
    def reminders(self) -> list[CompletenessRow]:
        return [row for row in self.rows if row.needs_reminder]

    @property
    def never_reported(self) -> list[CompletenessRow]:
        return [row for row in self.rows if row.status is ReportStatus.NEVER]

    @property
    def summary(self) -> str:
        sent = self.count(ReportStatus.ON_TIME) + self.count(ReportStatus.LATE)
        expected = sum(1 for row in self.rows if row.status is not ReportStatus.DIRECT)
        return (
            f"{format_number(sent)}/{format_number(expected)} đơn vị đã gửi báo cáo {self.period.phrase} "
            f"(hạn {format_date(self.deadline)}); {format_number(self.count(ReportStatus.LATE))} gửi muộn, "
            f"{format_number(len(self.reminders))} chưa gửi, trong đó {format_number(self.count(ReportStatus.NEVER))} "
            "chưa từng gửi."
        )


def default_deadline(period: Period) -> date:
    return period.end + timedelta(days=DEFAULT_GRACE_DAYS)


def deadline_for(session: Session, campaign: CampaignInfo, period: Period) -> date:
    due = session.scalar(
        select(ReportingDeadline.due_on).where(
            ReportingDeadline.campaign_id == campaign.id,
            ReportingDeadline.period_key == period_key(period, campaign),
        )
    )
    return due or default_deadline(period)


def set_deadline(session: Session, campaign: CampaignInfo, period: Period, due_on: date | None, *, actor: str) -> date:
    """Set (or with None, reset to the default rule) the reporting deadline of a period; audited."""
    key = period_key(period, campaign)
    row = session.scalar(
        select(ReportingDeadline).where(ReportingDeadline.campaign_id == campaign.id, ReportingDeadline.period_key == key)
    )
    old = row.due_on if row else default_deadline(period)
    if due_on is None:
        if row is not None:
            session.delete(row)
        due_on = default_deadline(period)
    elif row is None:
        session.add(ReportingDeadline(campaign_id=campaign.id, period_key=key, due_on=due_on))
    else:
        row.due_on = due_on
    session.flush()
    if old != due_on:
        audit.record(session, actor, "update", "reporting_deadline", key, {"due_on": [old, due_on]})
    return due_on


def _bundles(session: Session, campaign: CampaignInfo) -> dict[int, list[BundleInfo]]:
    """Every import of the campaign per unit, oldest first."""
    found: dict[int, list[BundleInfo]] = {}
    rows = session.scalars(
        select(BundleImport).where(BundleImport.campaign_id == campaign.id).order_by(BundleImport.seq)
    )
    for b in rows:
        records = b.new_count + b.changed_count + b.unchanged_count + b.deleted_count + b.held_count
        found.setdefault(b.unit_id, []).append(
            BundleInfo(b.seq, b.created_at, b.imported_at, b.signer_key_id, b.file_name, records, b.held_count)
        )
    return found


def _counts(session: Session, campaign: CampaignInfo, period: Period) -> tuple[dict[int, int], dict[int, int]]:
    live = (
        Activity.campaign_id == campaign.id,
        Activity.deleted_at.is_(None),
        Activity.activity_date.between(period.start, period.end),
    )
    records = dict(session.execute(select(Activity.unit_id, func.count()).where(*live).group_by(Activity.unit_id)).all())
    evidence = dict(
        session.execute(
            select(Activity.unit_id, func.count(distinct(ActivityEvidence.evidence_id)))
            .join(ActivityEvidence, ActivityEvidence.activity_id == Activity.id)
            .where(*live)
            .group_by(Activity.unit_id)
        ).all()
    )
    return records, evidence


def _direct_units(session: Session, campaign: CampaignInfo) -> set[int]:
    """Units with activities that no bundle brought: they record in this copy."""
    return set(
        session.scalars(
            select(Activity.unit_id)
            .where(Activity.campaign_id == campaign.id, Activity.source_bundle_id.is_(None))
            .distinct()
        )
    )


def _classify(
    bundles: list[BundleInfo], window_opens: date, deadline: date, as_of: date
) -> tuple[ReportStatus, BundleInfo | None, int]:
    if not bundles:
        return ReportStatus.NEVER, None, 0
    in_window = [b for b in bundles if window_opens <= b.created_at.date() <= deadline]
    if in_window:
        return ReportStatus.ON_TIME, in_window[-1], 0
    after = [b for b in bundles if b.created_at.date() > deadline]
    if after:
        return ReportStatus.LATE, after[0], (after[0].created_at.date() - deadline).days
    return (ReportStatus.OVERDUE if as_of > deadline else ReportStatus.NOT_DUE), None, 0


def completeness(
    session: Session,
    campaign: CampaignInfo,
    period: Period,
    *,
    as_of: date | None = None,
    unit_kinds: Iterable[UnitKind] | None = None,
    unit_ids: Iterable[int] | None = None,
) -> Completeness:
    """The reporting status of every unit that existed during the period (the department itself excluded)."""
    as_of = as_of or date.today()
    deadline = deadline_for(session, campaign, period)
    window_opens = max(period.start, deadline - timedelta(days=WINDOW_DAYS))
    kinds = set(unit_kinds) if unit_kinds is not None else None
    chosen = set(unit_ids) if unit_ids is not None else None
    bundles = _bundles(session, campaign)
    records, evidence = _counts(session, campaign, period)
    direct = _direct_units(session, campaign)
    rows = []
    for unit in list_units(session):
        if unit.kind is UnitKind.DEPARTMENT or (kinds is not None and unit.kind not in kinds) or (
                chosen is not None and unit.id not in chosen):
            continue
        if not ((unit.valid_from is None or unit.valid_from <= period.end) and (unit.valid_to is None or unit.valid_to >= period.start)):
            continue
        unit_bundles = bundles.get(unit.id, [])
        if not unit_bundles and unit.kind is UnitKind.DEPARTMENT_OFFICE and unit.id in direct:
            status, report, late = ReportStatus.DIRECT, None, 0
        else:
            status, report, late = _classify(unit_bundles, window_opens, deadline, as_of)
        rows.append(
            CompletenessRow(
                unit, status, unit_bundles[-1] if unit_bundles else None, report, late,
                int(records.get(unit.id, 0)), int(evidence.get(unit.id, 0)),
            )
        )
    return Completeness(period, deadline, window_opens, as_of, tuple(rows))


def reminder_lines(report: Completeness) -> list[str]:
    """The reminder list as plain lines (CLI, clipboard): one unit per line with what is missing."""
    lines = [f"Danh sách đơn vị chưa gửi báo cáo {report.period.phrase} (hạn {format_date(report.deadline)}):"]
    for number, row in enumerate(report.reminders, start=1):
        last = f"; gói gần nhất: {row.last_bundle.label}" if row.last_bundle else ""
        lines.append(f"{number}. {row.unit.name} — {row.status_label}{last}")
    if len(lines) == 1:
        lines.append("Tất cả đơn vị đã gửi báo cáo.")
    return lines
