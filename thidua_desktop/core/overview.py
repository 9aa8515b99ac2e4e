"""Tiến độ: each indicator of one unit (or the whole province) per campaign year and for the whole campaign.

The overview page shows it as columns; the rule of which periods make the columns and which targets
count as met lives here.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from thidua_desktop.core.catalogue import CampaignInfo
from thidua_desktop.core.query import ActivityFilter, IndicatorResult, Period, indicator_values


@dataclass(frozen=True)
class ProgressColumn:
    """One period's results (indicator id → result); `whole_campaign` marks the closing all-years column."""

    period: Period
    whole_campaign: bool
    results: dict[int, IndicatorResult]


@dataclass(frozen=True)
class TargetSummary:
    """The indicators that have a target, sorted by where they stand."""

    met: tuple[IndicatorResult, ...]
    missed: tuple[IndicatorResult, ...]
    no_data: tuple[IndicatorResult, ...]

    @property
    def with_target(self) -> int:
        return len(self.met) + len(self.missed) + len(self.no_data)

    @classmethod
    def of(cls, results: dict[int, IndicatorResult]) -> TargetSummary:
        with_target = [r for r in results.values() if r.indicator.target is not None]
        return cls(
            tuple(r for r in with_target if r.target_met),
            tuple(r for r in with_target if r.target_met is False),
            tuple(r for r in with_target if r.target_met is None),
        )


@dataclass(frozen=True)
class UnitProgress:
    columns: tuple[ProgressColumn, ...]  # the campaign's years in order, then the whole campaign

    @property
    def whole_campaign(self) -> ProgressColumn:
        return self.columns[-1]

    @property
    def targets(self) -> TargetSummary:
        """Targets are judged on the whole campaign: a year may lag as long as the campaign catches up."""
        return TargetSummary.of(self.whole_campaign.results)


class OverviewService:
    """Read-only progress figures for one campaign."""

    def __init__(self, sessions: sessionmaker[Session], campaign: CampaignInfo) -> None:
        self.sessions = sessions
        self.campaign = campaign

    def progress(self, unit_id: int | None = None) -> UnitProgress:
        """One unit's progress (`unit_id`), or the whole province's (None)."""
        base = ActivityFilter(campaign_id=self.campaign.id, unit_ids=frozenset({unit_id}) if unit_id else None)
        periods = [(Period.year(year), False) for year in self.campaign.years]
        periods.append((Period.campaign(self.campaign), True))
        with self.sessions() as session:
            columns = tuple(
                ProgressColumn(period, whole, indicator_values(session, self.campaign, base.with_(period=period))[None])
                for period, whole in periods
            )
        return UnitProgress(columns)
