"""Reporting periods of a campaign (whole campaign, a year, a quarter), with stable keys and parsing.

Keys ("campaign", "2024", "2024-Q2") name a period in the database (deadlines, reviewed scores) and on
the command line; `query.Period` stays the one date-range type everywhere else.
"""

from __future__ import annotations

import re
from datetime import date

from thidua_desktop.core.catalogue import CampaignInfo
from thidua_desktop.core.errors import UserError
from thidua_desktop.core.query import Period

CAMPAIGN_KEY = "campaign"
_QUARTER_STARTS = {1: 1, 4: 2, 7: 3, 10: 4}


def _last_day_of_month(year: int, month: int) -> date:
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


def period_key(period: Period, campaign: CampaignInfo) -> str:
    """The stable key of a period: "campaign", "2024", "2024-Q2", or "2024-03-01..2024-05-31" otherwise."""
    start, end = period.start, period.end
    if (start, end) == (campaign.starts_on, campaign.ends_on):
        return CAMPAIGN_KEY
    if start == date(start.year, 1, 1) and end == date(start.year, 12, 31):
        return str(start.year)
    quarter = _QUARTER_STARTS.get(start.month)
    if start.day == 1 and quarter and end == _last_day_of_month(start.year, start.month + 2):
        return f"{start.year}-Q{quarter}"
    return f"{start.isoformat()}..{end.isoformat()}"


def period_from_key(key: str, campaign: CampaignInfo) -> Period:
    """Parse a key or what a user types: "campaign"/"cả giai đoạn", "2024", "2024-Q2", "Q2/2024", "quý 2/2024"."""
    text = key.strip().lower()
    for choice in period_choices(campaign):  # exactly what the app's own pickers show ("Quý II/2024")
        if choice.label.lower() == text:
            return choice
    if text in (CAMPAIGN_KEY, "all", "ca-giai-doan", "cả giai đoạn", "toàn kỳ"):
        return Period.campaign(campaign)
    text = re.sub(r"^năm\s+", "", text)
    if re.fullmatch(r"\d{4}", text):
        return Period.year(int(text))
    match = re.fullmatch(r"(\d{4})\s*-?\s*q\s*([1-4])", text) or re.fullmatch(
        r"(?:q|quý|quy)\s*([1-4])\s*[/-]\s*(\d{4})", text
    )
    if match:
        first, second = match.groups()
        year, quarter = (int(first), int(second)) if len(first) == 4 else (int(second), int(first))
        return Period.quarter(year, quarter)
    range_match = re.fullmatch(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", text)
    if range_match:
        start, end = (date.fromisoformat(part) for part in range_match.groups())
        if end >= start:
            return Period(start, end, f"Từ {start:%d/%m/%Y} đến {end:%d/%m/%Y}")
    raise UserError(
        f"Không hiểu kỳ báo cáo “{key}”.",
        hint="Ghi năm (2024), quý (2024-Q2 hoặc Q2/2024) hoặc “campaign” cho cả giai đoạn.",
    )


def period_choices(campaign: CampaignInfo) -> list[Period]:
    """What a period picker offers: the whole campaign, then each year followed by its four quarters."""
    choices = [Period.campaign(campaign)]
    for year in campaign.years:
        choices.append(Period.year(year))
        choices.extend(Period.quarter(year, quarter) for quarter in range(1, 5))
    return choices


def period_months(period: Period) -> float:
    """The length of a period in months (fractional for partial months): scales yearly scoring thresholds."""
    days = (period.end - period.start).days + 1
    return days * 12 / 365.25 if not _is_month_aligned(period) else float(_whole_months(period))


def _is_month_aligned(period: Period) -> bool:
    return period.start.day == 1 and period.end == _last_day_of_month(period.end.year, period.end.month)


def _whole_months(period: Period) -> int:
    return (period.end.year - period.start.year) * 12 + period.end.month - period.start.month + 1


def month_index(day: date) -> int:
    """A month as one integer (year × 12 + month − 1), the grain of the consolidation cube."""
    return day.year * 12 + day.month - 1


def month_range(period: Period) -> tuple[int, int] | None:
    """The first and last month index a month-aligned period covers; None if it starts or ends mid-month."""
    if not _is_month_aligned(period):
        return None
    return month_index(period.start), month_index(period.end)
