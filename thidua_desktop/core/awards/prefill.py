"""Pre-filled achievements: section II of the report drafted from the unit's recorded figures and activities.

The result is only a starting point: the nomination stores the texts, staff edit them before printing,
and the figures table is kept as pre-filled so the printed report does not drift when data changes.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from thidua_desktop.core.catalogue import CampaignInfo, IndicatorInfo
from thidua_desktop.core.models import Activity, Aggregation, TargetOp
from thidua_desktop.core.query import ActivityFilter, IndicatorResult, Period, indicator_values
from thidua_desktop.core.text import fold, format_against, format_date, format_number, format_percent
from thidua_desktop.core.units import UnitInfo

KEY_ACTIVITIES_PER_CRITERION = 2
MAX_KEY_ACTIVITIES = 10


@dataclass(frozen=True)
class FigureRow:
    """One row of the figures table; a `section` row carries only the criterion label."""

    label: str
    unit: str = ""
    value: str = ""
    target: str = ""
    assessment: str = ""  # "Đạt" / "Chưa đạt" / ""
    code: str = ""
    section: bool = False


def figures_to_json(rows: tuple[FigureRow, ...] | list[FigureRow]) -> str:
    return json.dumps([asdict(r) for r in rows], ensure_ascii=False)


def figures_from_json(text: str) -> tuple[FigureRow, ...]:
    return tuple(FigureRow(**item) for item in json.loads(text or "[]"))


@dataclass(frozen=True)
class Prefill:
    achievements: str
    activities_summary: str
    figures: tuple[FigureRow, ...]
    summary: str  # one line for the Danh sách


@dataclass(frozen=True)
class _ActivityLine:
    criterion_id: int
    day: date
    title: str
    commune: str
    figures: str
    lead: int
    officer: str


def _value_text(indicator: IndicatorInfo, result: IndicatorResult) -> str:
    if result.value is None:
        return "—"
    target = indicator.target.value if indicator.target is not None else None
    if indicator.aggregation is Aggregation.RATIO:
        return format_percent(result.value, target=target)
    if float(result.value).is_integer():
        return format_number(result.value)
    return format_against(result.value, target, decimals=0)


def _target_text(indicator: IndicatorInfo) -> str:
    if indicator.target is None:
        return ""
    sign = "≥" if indicator.target.op is TargetOp.AT_LEAST else "≤"
    suffix = "%" if indicator.aggregation is Aggregation.RATIO else f" {indicator.unit}"
    return f"{sign} {format_number(indicator.target.value)}{suffix}"


def _effective(indicator: IndicatorInfo, result: IndicatorResult) -> IndicatorResult:
    """Nothing reported against an "at most" target (e.g. complaints) counts as zero, which meets it."""
    if (result.value is None and indicator.target is not None and indicator.aggregation is not Aggregation.RATIO
            and indicator.target.op is TargetOp.AT_MOST):
        return IndicatorResult(indicator, 0.0)
    return result


def _assessment(indicator: IndicatorInfo, result: IndicatorResult) -> tuple[str, bool | None]:
    if indicator.target is None:
        return "", None
    met = indicator.target.is_met(result.value)
    if met is None:
        return "Chưa có số liệu", None
    return ("Đạt" if met else "Chưa đạt"), met


def figures_table(campaign: CampaignInfo, results: dict[int, IndicatorResult]) -> tuple[list[FigureRow], list[str], list[str]]:
    """Rows grouped by criterion (only indicators with data or a target), and the targets met / missed."""
    rows: list[FigureRow] = []
    met: list[str] = []
    missed: list[str] = []
    for criterion in campaign.criteria:
        body = []
        for indicator in campaign.indicators_of(criterion.id):
            result = _effective(indicator, results.get(indicator.id, IndicatorResult(indicator, None)))
            if result.value is None and indicator.target is None:
                continue
            assessment, ok = _assessment(indicator, result)
            if ok is True:
                met.append(indicator.name)
            elif ok is False:
                missed.append(indicator.name)
            body.append(FigureRow(indicator.name, "%" if indicator.aggregation is Aggregation.RATIO else indicator.unit,
                                  _value_text(indicator, result), _target_text(indicator), assessment, indicator.code))
        if body or any(c.parent_id == criterion.id for c in campaign.criteria):
            rows.append(FigureRow(criterion.label, code=criterion.code, section=True))
            rows += body
    # drop parent sections left without any indicator row beneath them
    kept: list[FigureRow] = []
    for index, row in enumerate(rows):
        following = rows[index + 1] if index + 1 < len(rows) else None
        if row.section and (following is None or (following.section and not following.code.startswith(row.code + "."))):
            continue
        kept.append(row)
    return kept, met, missed


def _activities(session: Session, campaign: CampaignInfo, unit_id: int, until: date | None) -> list[_ActivityLine]:
    query = select(
        Activity.criterion_id, Activity.activity_date, Activity.title, Activity.commune, Activity.figures_summary,
        Activity.lead_value, Activity.responsible_officer,
    ).where(Activity.campaign_id == campaign.id, Activity.unit_id == unit_id, Activity.deleted_at.is_(None))
    if until is not None:
        query = query.where(Activity.activity_date <= until)
    return [_ActivityLine(*row) for row in session.execute(query.order_by(Activity.activity_date, Activity.id))]


def _key_activities(lines: list[_ActivityLine], campaign: CampaignInfo) -> list[_ActivityLine]:
    """The largest activities of each criterion (by their lead figure), listed in date order (a report
    reads as a chronicle: an official checks the dates against the period)."""
    by_criterion: dict[int, list[_ActivityLine]] = defaultdict(list)
    for line in lines:
        by_criterion[line.criterion_id].append(line)
    chosen: list[_ActivityLine] = []
    for criterion in campaign.criteria:
        best = sorted(by_criterion.get(criterion.id, []), key=lambda a: (-a.lead, a.day))
        chosen += sorted(best[:KEY_ACTIVITIES_PER_CRITERION], key=lambda a: a.day)
    return sorted(chosen[:MAX_KEY_ACTIVITIES], key=lambda a: (a.day, a.title))


def _activity_text(line: _ActivityLine) -> str:
    """One line of prose: the place only when the title does not already say it; figures joined with commas."""
    place = line.commune if line.commune and fold(line.commune) not in fold(line.title) else ""
    figures = line.figures.replace(" · ", ", ")
    details = ", ".join(part for part in (place and f"tại {place}", figures) if part)
    return f"- Ngày {format_date(line.day)}: {line.title}" + (f" ({details})" if details else "") + ";"


def _finish_list(items: list[str]) -> list[str]:
    if items:
        items[-1] = items[-1].rstrip(";") + "."
    return items


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _results_paragraphs(rows: list[FigureRow]) -> list[str]:
    """One "- Criterion: indicator value unit; …" line per criterion that has figures."""
    groups: list[tuple[str, list[str]]] = []
    for row in rows:
        if row.section:
            groups.append((row.label.split(". ", 1)[-1], []))
        elif row.value not in ("", "—") and groups:
            unit = "" if row.unit == "%" else f" {row.unit}"
            label = _lower_first(row.label).replace("trong đó: ", "trong đó ")
            groups[-1][1].append(f"{label}: {row.value}{unit}")
    return [f"- {label}: {'; '.join(items)}." for label, items in groups if items]


def compute_prefill(
    session: Session,
    campaign: CampaignInfo,
    unit: UnitInfo,
    *,
    plan_number: str,
    person_name: str = "",
    as_of: date | None = None,
) -> Prefill:
    """Draft section II (results vs. the plan's targets), the key activities and the one-line summary."""
    period = Period(campaign.starts_on, as_of, "") if as_of else None
    flt = ActivityFilter(campaign_id=campaign.id, unit_ids=frozenset({unit.id}), period=period)
    results = indicator_values(session, campaign, flt).get(None, {})
    rows, met, missed = figures_table(campaign, results)
    lines = _activities(session, campaign, unit.id, as_of)
    span = f"{campaign.starts_on.year} – {campaign.ends_on.year}"
    cut = f" (tính đến ngày {format_date(as_of)})" if as_of else ""

    own = [a for a in lines if person_name and fold(a.officer) == fold(person_name)]
    if person_name:
        led = f", trực tiếp phụ trách {format_number(len(own))} hoạt động" if own else ""
        opening = (f"Trong giai đoạn {span}{cut}, {person_name} cùng tập thể {unit.name} triển khai "
                   f"{format_number(len(lines))} hoạt động hưởng ứng phong trào thi đua “{campaign.title}”{led}. "
                   f"Kết quả chủ yếu của đơn vị:")
    else:
        opening = (f"Trong giai đoạn {span}{cut}, {unit.name} đã triển khai {format_number(len(lines))} hoạt động "
                   f"hưởng ứng phong trào thi đua “{campaign.title}”, đạt được những kết quả chủ yếu sau:")
    paragraphs = [opening]
    paragraphs += _results_paragraphs(rows)
    if met or missed:
        total = len(met) + len(missed)
        sentence = f"Đối với các chỉ tiêu có mục tiêu theo Kế hoạch số {plan_number}: đạt {len(met)}/{total} chỉ tiêu"
        sentence += f"; chưa đạt: {'; '.join(_lower_first(m) for m in missed)}." if missed else "."
        paragraphs.append(sentence)

    key_lines = lines
    lead_in = f"Các hoạt động tiêu biểu của {unit.name}:"
    if person_name:
        if own:
            key_lines = own
            lead_in = (f"Trực tiếp phụ trách {format_number(len(own))} hoạt động của {unit.name} "
                       f"trong phong trào thi đua, tiêu biểu là:")
        else:
            lead_in = f"Cùng tập thể {unit.name} tham gia thực hiện các hoạt động tiêu biểu:"
    key = _key_activities(key_lines, campaign)
    activities = "\n".join([lead_in, *_finish_list([_activity_text(a) for a in key])]) if key else ""

    summary = f"{format_number(len(lines))} hoạt động hưởng ứng phong trào"
    if met or missed:
        summary += f"; đạt {len(met)}/{len(met) + len(missed)} chỉ tiêu có mục tiêu"
    return Prefill("\n".join(paragraphs), activities, tuple(rows), summary)
