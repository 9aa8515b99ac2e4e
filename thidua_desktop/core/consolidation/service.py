"""`workspace.consolidation()`: the department's consolidated figures, as one typed service.

The GUI's Tổng hợp page and `thidua consolidate` both call this service; neither opens a session. It owns
the rules those two used to repeat, above all the scoring-folder rule (`data_scheme`): a scheme file in
the data folder's `scoring/` overrides the one shipped with the app.

Reads take what they need (a filter, a period) and return plain values; long ones take `progress` and
`cancel`. The review side (accept/query, locks, held changes, reviewed scores) is `ReviewService`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from thidua_desktop.core import documents
from thidua_desktop.core.catalogue import CampaignInfo
from thidua_desktop.core.consolidation.completeness import Completeness, completeness, set_deadline
from thidua_desktop.core.consolidation.cube import ConsolidationCube
from thidua_desktop.core.consolidation.drilldown import (
    DrillDown,
    EvidenceFile,
    copy_for_viewer,
    drill_down,
    evidence_files,
)
from thidua_desktop.core.consolidation.excel import ExcelViews, export_xlsx
from thidua_desktop.core.consolidation.report import (
    Header,
    department_header,
    reminder_document,
    summary_data,
    write_summary_files,
)
from thidua_desktop.core.consolidation.scoring import (
    Ranking,
    ScoringScheme,
    award_candidates,
    load_scheme,
    rank_units,
)
from thidua_desktop.core.consolidation.table import (
    ConsolidatedTable,
    ConsolidationFilter,
    FiguresSource,
    consolidated_table,
)
from thidua_desktop.core.errors import NotFoundError
from thidua_desktop.core.evidence import EvidenceStore
from thidua_desktop.core.fileio import atomic_write
from thidua_desktop.core.models import UnitKind
from thidua_desktop.core.paths import DataLayout
from thidua_desktop.core.progress import CancelFn, ProgressFn, never_cancelled, no_progress
from thidua_desktop.core.query import Period

SCORING_FOLDER = "scoring"  # in the data folder: a reviewer's own scoring scheme, preferred to the shipped one
VIEWER_FOLDER = ("cache", "xem-minh-chung")  # copies of evidence under their real names, for the system viewer


def scoring_dirs(layout: DataLayout) -> list[Path]:
    """The scoring-folder rule, in one place: the data folder's `scoring/` comes before the shipped schemes."""
    return [layout.root / SCORING_FOLDER]


def data_scheme(session: Session, campaign: CampaignInfo, layout: DataLayout) -> ScoringScheme:
    """The campaign's scoring scheme as this data folder sees it; `NotFoundError` when there is none."""
    return load_scheme(session, campaign, extra_dirs=scoring_dirs(layout))


@dataclass(frozen=True)
class DeadlineReport:
    """What `set_deadline` changed: the period's reporting deadline as it now stands."""

    period: Period
    deadline: date


@dataclass(frozen=True)
class ServiceContext:
    """What a department-side service needs from the workspace (no `Workspace` import: no cycle)."""

    sessions: sessionmaker[Session]
    write_sessions: sessionmaker[Session]
    campaign: CampaignInfo
    actor: str
    layout: DataLayout


class ConsolidationService:
    """Tables, completeness, reminders, ranking, drill-down and the exports of the department's side."""

    def __init__(self, context: ServiceContext, evidence_store: EvidenceStore) -> None:
        self._context = context
        self._store = evidence_store

    @property
    def campaign(self) -> CampaignInfo:
        return self._context.campaign

    # --- the table -------------------------------------------------------------------------------------
    def build_cube(self, *, progress: ProgressFn | None = None, cancel: CancelFn = never_cancelled) -> ConsolidationCube:
        """The month × place pre-aggregation that answers every later filter switch from memory."""
        with self._context.sessions() as session:
            return ConsolidationCube.build(session, self.campaign, progress=progress, cancel=cancel)

    def table(self, flt: ConsolidationFilter, *, figures: FiguresSource | None = None,
              progress: ProgressFn | None = None, cancel: CancelFn = never_cancelled) -> ConsolidatedTable:
        with self._context.sessions() as session:
            return consolidated_table(session, self.campaign, flt, figures=figures, progress=progress, cancel=cancel)

    # --- completeness and reminders ----------------------------------------------------------------------
    def completeness(self, period: Period, *, as_of: date | None = None,
                     unit_kinds: Iterable[UnitKind] | None = None,
                     unit_ids: Iterable[int] | None = None) -> Completeness:
        with self._context.sessions() as session:
            return completeness(session, self.campaign, period, as_of=as_of, unit_kinds=unit_kinds,
                                unit_ids=unit_ids)

    def set_deadline(self, period: Period, due_on: date | None) -> DeadlineReport:
        """Set the period's reporting deadline (None: back to the default); audited."""
        with self._context.write_sessions.begin() as session:
            deadline = set_deadline(session, self.campaign, period, due_on, actor=self._context.actor)
        return DeadlineReport(period, deadline)

    def department_header(self) -> Header:
        with self._context.sessions() as session:
            return department_header(session)

    def reminder_pdf(self, report: Completeness, day: date | None = None) -> bytes:
        """The list of units to remind, as a PDF attachment to the department's letter."""
        document = reminder_document(report, self.campaign.title, self.department_header(), day or date.today())
        return documents.render_pdf(document)

    def save_reminder_pdf(self, report: Completeness, target: Path, day: date | None = None) -> Path:
        with atomic_write(target) as handle:
            handle.write(self.reminder_pdf(report, day))
        return target

    # --- scoring and ranking -------------------------------------------------------------------------------
    def scheme(self) -> ScoringScheme:
        """The scoring scheme (the data folder's `scoring/` first); `NotFoundError` when the campaign has none."""
        with self._context.sessions() as session:
            return data_scheme(session, self.campaign, self._context.layout)

    def ranking(self, flt: ConsolidationFilter, *, table: ConsolidatedTable | None = None,
                scheme: ScoringScheme | None = None, progress: ProgressFn | None = None,
                cancel: CancelFn = never_cancelled) -> Ranking:
        """Score and rank the units of the filter; pass `table` to reuse figures already computed."""
        with self._context.sessions() as session:
            scheme = scheme or data_scheme(session, self.campaign, self._context.layout)
            return rank_units(session, self.campaign, flt, scheme=scheme, table=table, progress=progress, cancel=cancel)

    def ranking_or_none(self, flt: ConsolidationFilter, *, table: ConsolidatedTable | None = None) -> Ranking | None:
        """The ranking, or None when the campaign has no scoring scheme (exports then leave it out)."""
        try:
            return self.ranking(flt, table=table)
        except NotFoundError:
            return None

    # --- drill-down ----------------------------------------------------------------------------------------
    def drill_down(self, flt: ConsolidationFilter, indicator_id: int | None, unit_ids: list[int] | None) -> DrillDown:
        with self._context.sessions() as session:
            return drill_down(session, self.campaign, flt, indicator_id, unit_ids)

    def evidence_files(self, activity_id: int) -> list[EvidenceFile]:
        with self._context.sessions() as session:
            return evidence_files(session, self._store, activity_id)

    def viewer_copy(self, item: EvidenceFile) -> Path:
        """A copy of an evidence file under its real name, for the system viewer."""
        return copy_for_viewer(item, self._context.layout.root.joinpath(*VIEWER_FOLDER))

    # --- exports -------------------------------------------------------------------------------------------
    def export_excel(self, target: Path, table: ConsolidatedTable, *, progress: ProgressFn | None = None,
                     cancel: CancelFn = never_cancelled) -> Path:
        """The workbook of a table with its reporting status and (when there is a scheme) ranking sheets."""
        if target.suffix.lower() != ".xlsx":
            target = target.with_suffix(".xlsx")
        flt = table.filter
        report = self.completeness(flt.period, unit_kinds=flt.unit_kinds, unit_ids=flt.unit_ids)
        ranking = self.ranking_or_none(flt, table=table)
        views = ExcelViews(report, ranking, award_candidates(ranking) if ranking else ())
        return export_xlsx(target, table, views, progress=progress, cancel=cancel)

    def write_summary_report(
        self,
        flt: ConsolidationFilter,
        target: Path,
        *,
        number: str = "",
        signer_name: str = "",
        assessment: str = "",
        day: date | None = None,
        progress: ProgressFn | None = None,
        cancel: CancelFn = never_cancelled,
    ) -> list[Path]:
        """The summary report as PDF (report + appendix) and Word files beside it; the ranking part is
        left out when the campaign has no scoring scheme."""
        report = progress or no_progress
        report(0, 2)
        with self._context.sessions() as session:
            try:
                scheme: ScoringScheme | None = data_scheme(session, self.campaign, self._context.layout)
            except NotFoundError:
                scheme = None
            data = summary_data(session, self.campaign, flt, scheme=scheme)
            header = replace(department_header(session), number=number, signer_name=signer_name)
        report(1, 2)
        paths = write_summary_files(self.campaign, data, header, target, assessment=assessment,
                                    day=day or date.today(), cancel=cancel)
        report(2, 2)
        return paths


__all__ = [
    "SCORING_FOLDER", "ConsolidationService", "DeadlineReport", "ServiceContext", "data_scheme", "scoring_dirs",
]
