"""Drill-down: from any figure of the consolidated table to the activities, evidence and bundles behind it.

A sum lists every activity that reported the indicator; a ratio lists the activities reporting either
part (numerator and denominator side by side); a stock lists only the latest report of each unit,
because only that one counts. Every row says which signed bundle brought it (unit, seq, signer key,
import date), so a reviewer can answer "where does this number come from?" down to the photo.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import and_, func, select, true
from sqlalchemy.orm import Session

from thidua_desktop.core.bundles.models import BundleImport
from thidua_desktop.core.catalogue import CampaignInfo, IndicatorInfo
from thidua_desktop.core.consolidation.models import REVIEW_STATUS_LABELS, ActivityReview, ReviewStatus
from thidua_desktop.core.consolidation.table import ConsolidationFilter
from thidua_desktop.core.evidence import EvidenceStore, viewer_copy
from thidua_desktop.core.models import Activity, ActivityEvidence, Aggregation, Evidence, IndicatorValue, Unit
from thidua_desktop.core.query import _conditions
from thidua_desktop.core.text import format_date, format_number

DEFAULT_LIMIT = 2_000


@dataclass(frozen=True)
class Provenance:
    """The signed bundle that last created or changed an activity at the department."""

    bundle_uuid: str
    unit_code: str
    seq: int
    signer_key_id: str
    created_at: datetime
    imported_at: datetime
    file_name: str

    @property
    def label(self) -> str:
        return (
            f"Gói số {self.seq} của {self.unit_code}, ký bằng khóa {self.signer_key_id}, "
            f"lập ngày {format_date(self.created_at)}, nhận ngày {format_date(self.imported_at)}"
        )


DIRECT_ENTRY_LABEL = "Nhập trực tiếp tại Sở (không qua gói dữ liệu)"


@dataclass(frozen=True)
class ReviewInfo:
    status: ReviewStatus
    comment: str
    reviewer: str
    reviewed_at: datetime
    stale: bool  # the activity changed after it was reviewed

    @property
    def label(self) -> str:
        text = REVIEW_STATUS_LABELS[self.status]
        return f"{text} (đã thay đổi sau khi thẩm định)" if self.stale else text


@dataclass(frozen=True)
class DrillRow:
    activity_id: int
    uuid: str
    unit_code: str
    unit_name: str
    activity_date: date
    title: str
    commune: str
    values: tuple[int | None, ...]  # aligned with `DrillDown.columns`
    evidence_count: int
    revision: int
    review: ReviewInfo | None
    provenance: Provenance | None

    @property
    def source_label(self) -> str:
        return self.provenance.label if self.provenance else DIRECT_ENTRY_LABEL


@dataclass(frozen=True)
class DrillDown:
    indicator: IndicatorInfo | None  # None: every activity of the units (the reviewer's full list)
    columns: tuple[IndicatorInfo, ...]
    rows: tuple[DrillRow, ...]
    total_rows: int  # before the display limit
    note: str

    @property
    def truncated(self) -> bool:
        return self.total_rows > len(self.rows)

    def column_totals(self) -> tuple[int, ...]:
        """Column sums over the listed rows: for an untruncated list they reproduce the cell's parts."""
        return tuple(sum(row.values[i] or 0 for row in self.rows) for i in range(len(self.columns)))


def _columns(campaign: CampaignInfo, indicator: IndicatorInfo) -> tuple[IndicatorInfo, ...]:
    if indicator.aggregation is Aggregation.RATIO:
        by_id = campaign.indicators_by_id
        return tuple(by_id[i] for i in (indicator.numerator_id, indicator.denominator_id) if i is not None)
    return (indicator,)


def _note(indicator: IndicatorInfo, columns: tuple[IndicatorInfo, ...]) -> str:
    if indicator.aggregation is Aggregation.RATIO and len(columns) == 2:
        return (
            f"Tỷ lệ = “{columns[0].name}” ÷ “{columns[1].name}” × 100%; "
            "danh sách gồm mọi hoạt động có báo cáo một trong hai phần."
        )
    if indicator.aggregation is Aggregation.LATEST:
        return "Chỉ tiêu tồn (số liệu thời điểm): chỉ báo cáo mới nhất của mỗi đơn vị trong kỳ được tính."
    return f"Tổng cộng “{indicator.name}” của các hoạt động dưới đây."


def _review_info(review: ActivityReview | None, revision: int) -> ReviewInfo | None:
    if review is None:
        return None
    return ReviewInfo(
        review.status, review.comment, review.reviewer, review.reviewed_at, review.reviewed_revision < revision
    )


def drill_down(
    session: Session,
    campaign: CampaignInfo,
    flt: ConsolidationFilter,
    indicator_id: int | None,
    unit_ids: Iterable[int] | None,
    *,
    limit: int = DEFAULT_LIMIT,
) -> DrillDown:
    """The activities behind one cell: one unit (`unit_ids=[id]`) or a set of units (the province row).

    With `indicator_id=None`, every activity of those units in the filter (what a reviewer goes through).
    """
    indicator = campaign.indicators_by_id[indicator_id] if indicator_id is not None else None
    columns = _columns(campaign, indicator) if indicator else ()
    column_ids = [c.id for c in columns]
    conditions = _conditions(flt.activity_filter(campaign.id, unit_ids))
    reporting = (
        Activity.id.in_(select(IndicatorValue.activity_id).where(IndicatorValue.indicator_id.in_(column_ids)))
        if indicator
        else true()
    )
    if indicator is not None and indicator.aggregation is Aggregation.LATEST:
        ranked = (
            select(
                Activity.id.label("activity_id"),
                func.row_number()
                .over(partition_by=Activity.unit_id, order_by=(Activity.activity_date.desc(), Activity.id.desc()))
                .label("rank"),
            )
            .where(and_(*conditions), reporting)
            .subquery()
        )
        selected = Activity.id.in_(select(ranked.c.activity_id).where(ranked.c.rank == 1))
    else:
        selected = and_(*conditions, reporting)
    total = session.scalar(select(func.count()).select_from(Activity).where(selected)) or 0
    result = session.execute(
        select(Activity, Unit, ActivityReview, BundleImport)
        .join(Unit, Unit.id == Activity.unit_id)
        .outerjoin(ActivityReview, ActivityReview.activity_id == Activity.id)
        .outerjoin(BundleImport, BundleImport.id == Activity.source_bundle_id)
        .where(selected)
        .order_by(Activity.activity_date.desc(), Activity.id.desc())
        .limit(limit)
    ).all()
    ids = [row[0].id for row in result]
    values: dict[tuple[int, int], int] = {}
    for start in range(0, len(ids) if column_ids else 0, 500):
        chunk = ids[start : start + 500]
        for activity_id, ind_id, value in session.execute(
            select(IndicatorValue.activity_id, IndicatorValue.indicator_id, IndicatorValue.value).where(
                IndicatorValue.activity_id.in_(chunk), IndicatorValue.indicator_id.in_(column_ids)
            )
        ):
            values[(activity_id, ind_id)] = int(value)
    bundle_units = _bundle_unit_codes(session, [r[3] for r in result if r[3] is not None])
    rows = tuple(
        DrillRow(
            activity_id=activity.id,
            uuid=activity.uuid,
            unit_code=unit.code,
            unit_name=unit.short_name or unit.name,
            activity_date=activity.activity_date,
            title=activity.title,
            commune=activity.commune,
            values=tuple(values.get((activity.id, c)) for c in column_ids),
            evidence_count=activity.evidence_count,
            revision=activity.revision,
            review=_review_info(review, activity.revision),
            provenance=_provenance(bundle, bundle_units) if bundle is not None else None,
        )
        for activity, unit, review, bundle in result
    )
    note = _note(indicator, columns) if indicator else f"Tất cả hoạt động trong kỳ ({flt.description})."
    return DrillDown(indicator, columns, rows, int(total), note)


def _bundle_unit_codes(session: Session, bundles: list[BundleImport]) -> dict[int, str]:
    unit_ids = {b.unit_id for b in bundles}
    if not unit_ids:
        return {}
    return dict(session.execute(select(Unit.id, Unit.code).where(Unit.id.in_(unit_ids))).all())


def _provenance(bundle: BundleImport, unit_codes: dict[int, str]) -> Provenance:
    return Provenance(
        bundle.bundle_uuid,
        unit_codes.get(bundle.unit_id, "?"),
        bundle.seq,
        bundle.signer_key_id,
        bundle.created_at,
        bundle.imported_at,
        bundle.file_name,
    )


def provenance_of(session: Session, activity_id: int) -> Provenance | None:
    """Which bundle an activity came from; None when it was recorded directly in this copy."""
    row = session.execute(
        select(BundleImport, Unit.code)
        .join(Activity, Activity.source_bundle_id == BundleImport.id)
        .join(Unit, Unit.id == BundleImport.unit_id)
        .where(Activity.id == activity_id)
    ).first()
    if row is None:
        return None
    bundle, code = row
    return _provenance(bundle, {bundle.unit_id: code})


@dataclass(frozen=True)
class EvidenceFile:
    attachment_id: int
    sha256: str
    file_name: str
    mime_type: str
    size: int
    caption: str
    path: Path
    present: bool  # the file is in this copy's evidence store

    @property
    def is_image(self) -> bool:
        return self.mime_type.startswith("image/")

    @property
    def is_pdf(self) -> bool:
        return self.mime_type == "application/pdf"

    @property
    def size_label(self) -> str:
        if self.size < 1024 * 1024:
            return f"{format_number(max(1, self.size // 1024))} KB"
        return f"{format_number(self.size / 1024 / 1024, decimals=1)} MB"


def evidence_files(session: Session, store: EvidenceStore, activity_id: int) -> list[EvidenceFile]:
    """The files attached to an activity, in their order, with where each lives in the store."""
    rows = session.execute(
        select(ActivityEvidence, Evidence)
        .join(Evidence, Evidence.id == ActivityEvidence.evidence_id)
        .where(ActivityEvidence.activity_id == activity_id)
        .order_by(ActivityEvidence.position, ActivityEvidence.id)
    ).all()
    files = []
    for link, evidence in rows:
        path = store.path_for(evidence.sha256)
        files.append(
            EvidenceFile(
                link.id, evidence.sha256, link.file_name or evidence.original_name, evidence.mime_type,
                evidence.size, link.caption, path, path.is_file(),
            )
        )
    return files


def copy_for_viewer(item: EvidenceFile, folder: Path) -> Path:
    """A copy under its real name for the system viewer (see `core.evidence.viewer_copy`)."""
    return viewer_copy(EvidenceStore(item.path.parent.parent), item.sha256, item.file_name, folder)
