"""An immutable in-memory view of one campaign (criteria tree + indicators), read once per use."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property

from sqlalchemy import select
from sqlalchemy.orm import Session

from thidua_desktop.core.campaigns import TargetDef
from thidua_desktop.core.errors import NotFoundError
from thidua_desktop.core.models import Aggregation, Campaign, Criterion, Indicator


@dataclass(frozen=True)
class CriterionInfo:
    id: int
    code: str
    title: str
    description: str
    parent_id: int | None
    depth: int

    @property
    def label(self) -> str:
        return f"{self.code}. {self.title}"


@dataclass(frozen=True)
class IndicatorInfo:
    id: int
    code: str
    name: str
    unit: str
    aggregation: Aggregation
    criterion_id: int
    numerator_id: int | None
    denominator_id: int | None
    part_of_id: int | None
    target: TargetDef | None
    is_key: bool

    @property
    def is_entered(self) -> bool:
        """Ratios are computed; sums and stocks are typed in on activities."""
        return self.aggregation is not Aggregation.RATIO

    @property
    def is_money(self) -> bool:
        return self.unit == "đồng"


@dataclass(frozen=True)
class CampaignInfo:
    id: int
    code: str
    version: int
    plan_number: str
    title: str
    issued_by: str
    starts_on: date
    ends_on: date
    criteria: tuple[CriterionInfo, ...]
    indicators: tuple[IndicatorInfo, ...]

    @cached_property
    def criteria_by_id(self) -> dict[int, CriterionInfo]:
        return {c.id: c for c in self.criteria}

    @cached_property
    def indicators_by_id(self) -> dict[int, IndicatorInfo]:
        return {i.id: i for i in self.indicators}

    @cached_property
    def indicators_by_code(self) -> dict[str, IndicatorInfo]:
        return {i.code: i for i in self.indicators}

    @cached_property
    def criteria_by_code(self) -> dict[str, CriterionInfo]:
        return {c.code: c for c in self.criteria}

    def indicators_of(self, criterion_id: int) -> list[IndicatorInfo]:
        return [i for i in self.indicators if i.criterion_id == criterion_id]

    def entered_indicators_of(self, criterion_id: int) -> list[IndicatorInfo]:
        return [i for i in self.indicators_of(criterion_id) if i.is_entered]

    def criterion_and_descendants(self, criterion_id: int) -> set[int]:
        found = {criterion_id}
        changed = True
        while changed:
            changed = False
            for crit in self.criteria:
                if crit.parent_id in found and crit.id not in found:
                    found.add(crit.id)
                    changed = True
        return found

    def recordable_criteria(self) -> list[CriterionInfo]:
        """Criteria that own entered indicators: the ones an activity can be filed under."""
        return [c for c in self.criteria if self.entered_indicators_of(c.id)]

    def contains(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on

    @property
    def years(self) -> list[int]:
        return list(range(self.starts_on.year, self.ends_on.year + 1))

    @property
    def display_name(self) -> str:
        return f"Kế hoạch {self.plan_number}: “{self.title}” ({self.starts_on.year}–{self.ends_on.year})"


def load_campaign_info(session: Session, campaign_code: str | None = None) -> CampaignInfo:
    query = select(Campaign).order_by(Campaign.starts_on.desc(), Campaign.id.desc())
    if campaign_code:
        query = select(Campaign).where(Campaign.code == campaign_code)
    campaign = session.scalars(query).first()
    if campaign is None:
        raise NotFoundError(
            f"Không tìm thấy phong trào thi đua “{campaign_code}”." if campaign_code else "Chưa có phong trào thi đua nào.",
            hint="Kiểm tra thư mục resources/campaigns của chương trình.",
        )
    rows = session.scalars(
        select(Criterion).where(Criterion.campaign_id == campaign.id).order_by(Criterion.sort_order)
    ).all()
    depth: dict[int, int] = {}
    criteria = []
    for row in rows:
        depth[row.id] = depth[row.parent_id] + 1 if row.parent_id in depth else 0
        criteria.append(CriterionInfo(row.id, row.code, row.title, row.description, row.parent_id, depth[row.id]))
    indicators = tuple(
        IndicatorInfo(
            id=i.id,
            code=i.code,
            name=i.name,
            unit=i.unit_of_measure,
            aggregation=i.aggregation,
            criterion_id=i.criterion_id,
            numerator_id=i.numerator_id,
            denominator_id=i.denominator_id,
            part_of_id=i.part_of_id,
            target=TargetDef(i.target_op, i.target_value) if i.target_op is not None else None,
            is_key=i.is_key,
        )
        for i in session.scalars(
            select(Indicator).where(Indicator.campaign_id == campaign.id).order_by(Indicator.sort_order)
        )
    )
    return CampaignInfo(
        id=campaign.id,
        code=campaign.code,
        version=campaign.version,
        plan_number=campaign.plan_number,
        title=campaign.title,
        issued_by=campaign.issued_by,
        starts_on=campaign.starts_on,
        ends_on=campaign.ends_on,
        criteria=tuple(criteria),
        indicators=indicators,
    )
