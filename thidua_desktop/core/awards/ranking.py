"""The ranking as award candidates: consolidation's scores and proposals, ready to become nominations.

The consolidation feature ranks units and proposes awards within each award's quota; this module
lists every ranked unit with its proposal (if any), so staff can also pick a unit the quota left out.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from thidua_desktop.core.awards.records import Candidate
from thidua_desktop.core.catalogue import CampaignInfo
from thidua_desktop.core.consolidation.scoring import (
    AwardCandidate,
    ScoringScheme,
    award_candidates,
    rank_units,
)
from thidua_desktop.core.query import Period


@dataclass(frozen=True)
class RankingChoice:
    """One ranked unit, with the award the ranking proposes for it (None: below every threshold or quota)."""

    rank: int
    unit_code: str
    unit_name: str
    points: float
    max_points: float
    percent: float
    proposed_award: str | None
    summary: str  # "Xếp hạng 1, đạt 85/100 điểm (85,0%) Cả giai đoạn 2023–2025"
    warnings: tuple[str, ...]

    def candidate(self, award_code: str | None = None) -> Candidate:
        code = award_code or self.proposed_award
        if code is None:
            raise ValueError(f"no award chosen for {self.unit_code}")
        return Candidate(self.unit_code, code, round(self.points, 2), self.summary, self.warnings)


def ranking_choices(session: Session, campaign: CampaignInfo, period: Period | None = None, *,
                    scheme: ScoringScheme | None = None) -> list[RankingChoice]:
    """Every ranked unit for the period (default: the whole campaign), in rank order, with its proposal."""
    period = period or Period.campaign(campaign)
    ranking = rank_units(session, campaign, period, scheme=scheme)
    proposals = {c.unit.code: c for c in award_candidates(ranking)}
    choices = []
    for row in ranking.rows:
        proposal = proposals.get(row.unit.code) or AwardCandidate(
            "", "", row.unit, row.rank, row.reviewed_total, row.max_total, row.percent, period, ())
        choices.append(RankingChoice(
            row.rank, row.unit.code, row.unit.name, row.reviewed_total, row.max_total, row.percent,
            proposal.award_code or None, proposal.summary, proposal.warnings))
    return choices
