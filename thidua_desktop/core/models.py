"""SQLAlchemy 2 typed models: the one schema for SQLite (embedded) and PostgreSQL (department server)."""

from __future__ import annotations

import enum
import uuid as uuid_module
from datetime import UTC, date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def new_uuid() -> str:
    return str(uuid_module.uuid4())


class Base(DeclarativeBase):
    pass


def _value_enum(enum_class: type[enum.Enum], length: int) -> Enum:
    """Store an enum by its value (readable in SQL and stable across renames), as plain VARCHAR."""
    return Enum(enum_class, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


class AppMeta(Base):
    """Key/value facts about the database itself, including `schema_version`."""

    __tablename__ = "app_meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Setting(Base):
    """Settings that belong to this data set (role, own unit), not to the machine."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Aggregation(enum.StrEnum):
    SUM = "sum"
    LATEST = "latest"  # a stock: the most recent reported value counts, not the sum
    RATIO = "ratio"  # numerator / denominator, both other indicators, shown in percent


class TargetOp(enum.StrEnum):
    AT_LEAST = ">="
    AT_MOST = "<="


class Campaign(Base):
    __tablename__ = "campaigns"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    version: Mapped[int] = mapped_column(Integer)
    plan_number: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(Text)
    issued_by: Mapped[str] = mapped_column(Text)
    issued_on: Mapped[date] = mapped_column(Date)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    source_sha256: Mapped[str] = mapped_column(String(64))
    definition_json: Mapped[str] = mapped_column(Text)
    loaded_at: Mapped[datetime] = mapped_column(DateTime, default=utc_now)

    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="campaign", order_by="Criterion.sort_order", cascade="all, delete-orphan"
    )
    indicators: Mapped[list[Indicator]] = relationship(
        back_populates="campaign", order_by="Indicator.sort_order", cascade="all, delete-orphan"
    )


class Criterion(Base):
    __tablename__ = "criteria"
    __table_args__ = (UniqueConstraint("campaign_id", "code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("criteria.id"))
    code: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    campaign: Mapped[Campaign] = relationship(back_populates="criteria")
    parent: Mapped[Criterion | None] = relationship(remote_side="Criterion.id")


class Indicator(Base):
    __tablename__ = "indicators"
    __table_args__ = (UniqueConstraint("campaign_id", "code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id"))
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(Text)
    unit_of_measure: Mapped[str] = mapped_column(String(32))
    aggregation: Mapped[Aggregation] = mapped_column(_value_enum(Aggregation, 16))
    numerator_id: Mapped[int | None] = mapped_column(ForeignKey("indicators.id"))
    denominator_id: Mapped[int | None] = mapped_column(ForeignKey("indicators.id"))
    part_of_id: Mapped[int | None] = mapped_column(ForeignKey("indicators.id"))
    target_op: Mapped[TargetOp | None] = mapped_column(_value_enum(TargetOp, 4))
    target_value: Mapped[int | None] = mapped_column(BigInteger)
    is_key: Mapped[bool] = mapped_column(Boolean, default=False)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    campaign: Mapped[Campaign] = relationship(back_populates="indicators")
    criterion: Mapped[Criterion] = relationship()


class UnitKind(enum.StrEnum):
    DEPARTMENT = "department"  # Sở Tư pháp itself
    DEPARTMENT_OFFICE = "department_office"  # phòng, đơn vị thuộc Sở
    DISTRICT_OFFICE = "district_office"  # Phòng Tư pháp cấp huyện


class Unit(Base):
    __tablename__ = "units"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(Text)
    short_name: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[UnitKind] = mapped_column(_value_enum(UnitKind, 32))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    parent_agency: Mapped[str] = mapped_column(Text, default="")  # header line above the unit on documents
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    name_sort_key: Mapped[str] = mapped_column(Text, default="")

    parent: Mapped[Unit | None] = relationship(remote_side="Unit.id", foreign_keys=[parent_id])
    merged_into: Mapped[Unit | None] = relationship(remote_side="Unit.id", foreign_keys=[merged_into_id])

    def is_valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)


class Activity(Base):
    __tablename__ = "activities"
    __table_args__ = (
        Index("ix_activities_unit_date", "campaign_id", "unit_id", "activity_date"),
        # Covers the activity list: filter, date order and accent-free search without touching the table.
        Index("ix_activities_list", "campaign_id", "deleted_at", "activity_date", "id", "search_text"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id"))
    activity_date: Mapped[date] = mapped_column(Date)
    commune: Mapped[str] = mapped_column(Text, default="")
    is_poor_commune: Mapped[bool] = mapped_column(Boolean, default=False)
    is_remote_area: Mapped[bool] = mapped_column(Boolean, default=False)
    is_ethnic_area: Mapped[bool] = mapped_column(Boolean, default=False)
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    responsible_officer: Mapped[str] = mapped_column(Text, default="")
    revision: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utc_now)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime)  # tombstone: travels in bundles
    search_text: Mapped[str] = mapped_column(Text, default="")  # folded title/place/officer for search
    title_sort_key: Mapped[str] = mapped_column(Text, default="")
    commune_sort_key: Mapped[str] = mapped_column(Text, default="")
    evidence_count: Mapped[int] = mapped_column(Integer, default=0)  # kept in step, for fast filter/sort
    figures_summary: Mapped[str] = mapped_column(Text, default="")  # "12 buổi · 340 lượt người"
    lead_value: Mapped[int] = mapped_column(BigInteger, default=0)  # sort key of the figures column
    sent_revision: Mapped[int | None] = mapped_column(Integer)  # revision carried by the last bundle sent
    source_bundle_id: Mapped[int | None] = mapped_column(ForeignKey("bundle_imports.id"))  # bundle that last changed it

    unit: Mapped[Unit] = relationship()
    criterion: Mapped[Criterion] = relationship()
    values: Mapped[list[IndicatorValue]] = relationship(
        back_populates="activity", cascade="all, delete-orphan"
    )
    attachments: Mapped[list[ActivityEvidence]] = relationship(
        back_populates="activity", cascade="all, delete-orphan", order_by="ActivityEvidence.position"
    )


class IndicatorValue(Base):
    __tablename__ = "indicator_values"
    __table_args__ = (
        UniqueConstraint("activity_id", "indicator_id"),
        # Covering index for consolidation: GROUP BY indicator over one campaign's activities.
        Index("ix_values_indicator_activity_value", "indicator_id", "activity_id", "value"),
        # Covering index for totals driven from a filtered set of activities.
        Index("ix_values_activity_cover", "activity_id", "indicator_id", "value"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"))
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id"))
    value: Mapped[int] = mapped_column(BigInteger)

    activity: Mapped[Activity] = relationship(back_populates="values")
    indicator: Mapped[Indicator] = relationship()


class Evidence(Base):
    """One file in the content-addressed store, kept once however often it is attached."""

    __tablename__ = "evidence"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(Text)
    mime_type: Mapped[str] = mapped_column(String(128))
    size: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utc_now)


class ActivityEvidence(Base):
    """An attachment: links a stored file to an activity, with its own caption."""

    __tablename__ = "activity_evidence"
    __table_args__ = (UniqueConstraint("activity_id", "evidence_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"))
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence.id"))
    caption: Mapped[str] = mapped_column(Text, default="")
    file_name: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    activity: Mapped[Activity] = relationship(back_populates="attachments")
    evidence: Mapped[Evidence] = relationship()


class EvidenceBlob(Base):
    """A file held in the shared database (PostgreSQL department): present once every chunk is written.

    Written in the same transaction as its chunks, so a row here means the whole file is there.
    """

    __tablename__ = "evidence_blobs"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    chunk_count: Mapped[int] = mapped_column(Integer)
    stored_at: Mapped[datetime] = mapped_column(DateTime, default=utc_now)
    stored_by: Mapped[str] = mapped_column(Text, default="")


class EvidenceChunk(Base):
    """One piece (at most 1 MiB) of a shared file, so that no file is ever held in memory whole."""

    __tablename__ = "evidence_chunks"
    __table_args__ = (PrimaryKeyConstraint("sha256", "seq"),)
    sha256: Mapped[str] = mapped_column(String(64))
    seq: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_entity", "entity", "entity_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utc_now)
    actor: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(String(32))
    entity: Mapped[str] = mapped_column(String(32))
    entity_key: Mapped[str] = mapped_column(String(64))
    changes_json: Mapped[str] = mapped_column(Text, default="{}")
