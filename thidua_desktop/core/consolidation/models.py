"""Tables of the department's review work: activity reviews, period locks, reporting deadlines, reviewed scores.

They hang off the core tables by id and never change them, so a unit's copy of the app simply leaves
them empty. A covering index serves the consolidation GROUP BY (see `CONSOLIDATION_INDEXES`).
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from thidua_desktop.core.models import Activity, Base, _value_enum, utc_now


class ReviewStatus(enum.StrEnum):
    ACCEPTED = "accepted"  # "Đã chấp nhận"
    QUERIED = "queried"  # "Đề nghị giải trình": the unit must explain or correct it


REVIEW_STATUS_LABELS = {ReviewStatus.ACCEPTED: "Đã chấp nhận", ReviewStatus.QUERIED: "Đề nghị giải trình"}


class ActivityReview(Base):
    """The reviewer's verdict on one activity; `reviewed_revision` shows whether it changed since."""

    __tablename__ = "activity_reviews"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"), unique=True)
    status: Mapped[ReviewStatus] = mapped_column(_value_enum(ReviewStatus, 16))
    comment: Mapped[str] = mapped_column(Text, default="")
    reviewed_revision: Mapped[int] = mapped_column(Integer)
    reviewer: Mapped[str] = mapped_column(Text)
    reviewed_at: Mapped[datetime] = mapped_column(DateTime, default=utc_now)


class PeriodLock(Base):
    """A unit's data approved for a date range: later bundles may not change it silently."""

    __tablename__ = "period_locks"
    __table_args__ = (UniqueConstraint("campaign_id", "unit_id", "starts_on", "ends_on"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    label: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text, default="")
    locked_by: Mapped[str] = mapped_column(Text)
    locked_at: Mapped[datetime] = mapped_column(DateTime, default=utc_now)


class ReportingDeadline(Base):
    """The date by which units must have sent their data for one period (overrides the default rule)."""

    __tablename__ = "reporting_deadlines"
    __table_args__ = (UniqueConstraint("campaign_id", "period_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    period_key: Mapped[str] = mapped_column(String(32))
    due_on: Mapped[date] = mapped_column(Date)


class ScoreReview(Base):
    """The reviewer's points for one criterion of one unit and period (the "điểm thẩm định")."""

    __tablename__ = "score_reviews"
    __table_args__ = (UniqueConstraint("campaign_id", "unit_id", "period_key", "criterion_code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    period_key: Mapped[str] = mapped_column(String(32))
    criterion_code: Mapped[str] = mapped_column(String(32))
    points: Mapped[float] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text, default="")
    reviewer: Mapped[str] = mapped_column(Text)
    reviewed_at: Mapped[datetime] = mapped_column(DateTime, default=utc_now)


# Covering index for the consolidation GROUP BY: every filter and group column of the activity side, so the
# join reads activities from the index alone (the value side is covered by `ix_values_activity_cover`).
# A plain index on the filter columns would force a table lookup per activity: slower than no index at all.
ACTIVITY_CONSOLIDATION_INDEX = Index(
    "ix_activities_consolidation",
    Activity.campaign_id,
    Activity.deleted_at,
    Activity.activity_date,
    Activity.unit_id,
    Activity.is_poor_commune,
    Activity.is_remote_area,
    Activity.is_ethnic_area,
)
CONSOLIDATION_INDEXES = (ACTIVITY_CONSOLIDATION_INDEX,)
CONSOLIDATION_TABLES = (ActivityReview, PeriodLock, ReportingDeadline, ScoreReview)
