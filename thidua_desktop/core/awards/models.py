"""Award tables: rounds (đợt xét khen thưởng), nominations (đề nghị khen thưởng) and prior awards.

Award types and legal texts are data files (`resources/awards/`), referenced here by code, so a new
decree or a new award changes no schema.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
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
from sqlalchemy.orm import Mapped, mapped_column, relationship

from thidua_desktop.core.models import Base, Campaign, Unit, _value_enum, new_uuid, utc_now


class NomineeKind(enum.StrEnum):
    COLLECTIVE = "collective"  # tập thể
    INDIVIDUAL = "individual"  # cá nhân


class NominationStatus(enum.StrEnum):
    DRAFT = "draft"  # dự thảo
    VOTED = "voted"  # Hội đồng đã bình xét, có kết quả biểu quyết
    SUBMITTED = "submitted"  # đã trình


class Sex(enum.StrEnum):
    MALE = "male"
    FEMALE = "female"


class PriorAwardCategory(enum.StrEnum):
    TITLE = "title"  # danh hiệu thi đua
    AWARD = "award"  # hình thức khen thưởng


class AwardRound(Base):
    """One review round of a movement: who issues the dossier, its number and date, the council meeting."""

    __tablename__ = "award_rounds"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    name: Mapped[str] = mapped_column(Text)
    themed: Mapped[bool] = mapped_column(Boolean, default=True)  # thi đua theo chuyên đề (else theo đợt)
    issuing_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    header_parent: Mapped[str] = mapped_column(Text, default="")  # "UBND TỈNH AN GIANG"
    header_agency: Mapped[str] = mapped_column(Text, default="")  # "SỞ TƯ PHÁP"
    agency_symbol: Mapped[str] = mapped_column(String(32), default="")  # "STP" in "05/TTr-STP"
    place: Mapped[str] = mapped_column(Text, default="")  # "An Giang"
    document_date: Mapped[date | None] = mapped_column(Date)  # chooses the legal basis
    submission_number: Mapped[str] = mapped_column(String(32), default="")  # số tờ trình
    signer_authority: Mapped[str] = mapped_column(Text, default="")  # "KT. GIÁM ĐỐC"
    signer_title: Mapped[str] = mapped_column(Text, default="")  # "PHÓ GIÁM ĐỐC"
    signer_name: Mapped[str] = mapped_column(Text, default="")
    meeting_date: Mapped[date | None] = mapped_column(Date)
    meeting_place: Mapped[str] = mapped_column(Text, default="")
    chair_name: Mapped[str] = mapped_column(Text, default="")
    chair_title: Mapped[str] = mapped_column(Text, default="")
    secretary_name: Mapped[str] = mapped_column(Text, default="")
    members_present: Mapped[int | None] = mapped_column(Integer)
    members_total: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utc_now)

    campaign: Mapped[Campaign] = relationship()
    issuing_unit: Mapped[Unit] = relationship()
    nominations: Mapped[list[AwardNomination]] = relationship(
        back_populates="round", order_by="AwardNomination.sort_order", cascade="all, delete-orphan"
    )
    document_numbers: Mapped[list[AwardDocumentNumber]] = relationship(cascade="all, delete-orphan")
    signers: Mapped[list[AwardRoundSigner]] = relationship(cascade="all, delete-orphan")


class AwardDocumentNumber(Base):
    """The number of one document of a round's dossier ("to_trinh/BK-BTP" → "15"): each its own (step 8).

    `submission_number` on the round (one number for every Tờ trình) is no longer read.
    """

    __tablename__ = "award_document_numbers"
    __table_args__ = (UniqueConstraint("round_id", "document_key", name="uq_award_document_numbers_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("award_rounds.id", ondelete="CASCADE"))
    document_key: Mapped[str] = mapped_column(String(64))
    number: Mapped[str] = mapped_column(String(32), default="")


class AwardRoundSigner(Base):
    """Who signs for another issuing body of the round (the Văn phòng's Tờ trình): authority, title, name."""

    __tablename__ = "award_round_signers"
    __table_args__ = (UniqueConstraint("round_id", "issuer", name="uq_award_round_signers_issuer"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("award_rounds.id", ondelete="CASCADE"))
    issuer: Mapped[str] = mapped_column(String(32))  # the issuing body's symbol in the award data ("VP")
    authority: Mapped[str] = mapped_column(Text, default="")  # "KT. CHÁNH VĂN PHÒNG" (blank: the data's lines)
    title: Mapped[str] = mapped_column(Text, default="")  # "PHÓ CHÁNH VĂN PHÒNG"
    name: Mapped[str] = mapped_column(Text, default="")


class AwardNomination(Base):
    """A proposal to award one collective or one person; its texts stay editable until submitted."""

    __tablename__ = "award_nominations"
    __table_args__ = (Index("ix_award_nominations_round", "round_id", "sort_order"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    round_id: Mapped[int] = mapped_column(ForeignKey("award_rounds.id", ondelete="CASCADE"))
    kind: Mapped[NomineeKind] = mapped_column(_value_enum(NomineeKind, 16))
    award_type_code: Mapped[str] = mapped_column(String(32))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))  # the collective, or the person's unit
    name: Mapped[str] = mapped_column(Text)  # collective's full name, or the person's name
    name_sort_key: Mapped[str] = mapped_column(Text, default="")
    sex: Mapped[Sex | None] = mapped_column(_value_enum(Sex, 8))
    birth_date: Mapped[date | None] = mapped_column(Date)
    hometown: Mapped[str] = mapped_column(Text, default="")
    residence: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[str] = mapped_column(Text, default="")
    qualifications: Mapped[str] = mapped_column(Text, default="")
    unit_profile: Mapped[str] = mapped_column(Text, default="")  # I. Sơ lược đặc điểm, tình hình
    achievements: Mapped[str] = mapped_column(Text, default="")  # II. Thành tích đạt được (editable)
    activities_summary: Mapped[str] = mapped_column(Text, default="")  # key activities (editable)
    figures_json: Mapped[str] = mapped_column(Text, default="[]")  # the figures table as pre-filled
    summary: Mapped[str] = mapped_column(Text, default="")  # one-line summary for the Danh sách
    note: Mapped[str] = mapped_column(Text, default="")
    score: Mapped[float | None] = mapped_column(Float)  # from the ranking, if created from it
    status: Mapped[NominationStatus] = mapped_column(_value_enum(NominationStatus, 16), default=NominationStatus.DRAFT)
    votes_for: Mapped[int | None] = mapped_column(Integer)
    votes_against: Mapped[int | None] = mapped_column(Integer)
    votes_total: Mapped[int | None] = mapped_column(Integer)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utc_now)

    round: Mapped[AwardRound] = relationship(back_populates="nominations")
    unit: Mapped[Unit] = relationship()
    prior_awards: Mapped[list[PriorAward]] = relationship(
        back_populates="nomination", order_by="PriorAward.position", cascade="all, delete-orphan"
    )


class AwardThresholdOverride(Base):
    """An explicit decision to propose a nominee below a threshold (vote ratio or score), with its reason
    and who took it (step 8); the audit log keeps the history."""

    __tablename__ = "award_threshold_overrides"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("award_nominations.id", ondelete="CASCADE"), unique=True)
    reason: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utc_now)


class PriorAward(Base):
    """An award already received: year, award, decision number and date, issuing body."""

    __tablename__ = "award_prior_awards"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("award_nominations.id", ondelete="CASCADE"))
    category: Mapped[PriorAwardCategory] = mapped_column(_value_enum(PriorAwardCategory, 16))
    year: Mapped[int] = mapped_column(Integer)
    award: Mapped[str] = mapped_column(Text)
    decision_number: Mapped[str] = mapped_column(Text, default="")
    decision_date: Mapped[date | None] = mapped_column(Date)
    issuing_body: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    nomination: Mapped[AwardNomination] = relationship(back_populates="prior_awards")


AWARD_TABLES = (AwardRound.__table__, AwardNomination.__table__, PriorAward.__table__)
