"""Tables of the bundle feature: the unit's export history, the department's imports and trust registry.

Created for fresh databases through `core/schema.py`, and for older ones by migration step 3
(`core/bundles/migration.py`). The unit's own secret key is not here but in the keys folder, so that
database backups and a shared PostgreSQL server never hold it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from thidua_desktop.core.models import Base, utc_now


class BundleExport(Base):
    """One bundle written by this unit (history: seq, date, size, hash)."""

    __tablename__ = "bundle_exports"
    __table_args__ = (UniqueConstraint("unit_id", "campaign_id", "seq"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bundle_uuid: Mapped[str] = mapped_column(String(36), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    seq: Mapped[int] = mapped_column(Integer)
    mode: Mapped[str] = mapped_column(String(8))  # full | delta
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utc_now)
    created_by: Mapped[str] = mapped_column(Text, default="")
    file_name: Mapped[str] = mapped_column(Text)
    file_path: Mapped[str] = mapped_column(Text, default="")
    file_size: Mapped[int] = mapped_column(BigInteger)
    manifest_sha256: Mapped[str] = mapped_column(String(64))
    signer_key_id: Mapped[str] = mapped_column(String(16))
    record_count: Mapped[int] = mapped_column(Integer, default=0)
    deleted_count: Mapped[int] = mapped_column(Integer, default=0)
    evidence_count: Mapped[int] = mapped_column(Integer, default=0)
    evidence_included: Mapped[int] = mapped_column(Integer, default=0)
    evidence_included_bytes: Mapped[int] = mapped_column(BigInteger, default=0)


class BundleExportEvidence(Base):
    """An evidence file a bundle carried: later delta bundles list it without shipping it again."""

    __tablename__ = "bundle_export_evidence"
    __table_args__ = (UniqueConstraint("export_id", "sha256"), Index("ix_bundle_export_evidence_sha", "sha256"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    export_id: Mapped[int] = mapped_column(ForeignKey("bundle_exports.id", ondelete="CASCADE"))
    sha256: Mapped[str] = mapped_column(String(64))


class TrustedKey(Base):
    """A unit's public key enrolled at the department; it may sign only for its own unit.

    A key signs a bundle of campaign C with sequence number s unless it is revoked for it: revoked
    from seq N in campaign C refuses s ≥ N there, and refuses every bundle of any other campaign.
    """

    __tablename__ = "trusted_keys"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key_id: Mapped[str] = mapped_column(String(16), unique=True)
    public_key: Mapped[str] = mapped_column(String(64), unique=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    method: Mapped[str] = mapped_column(String(16))  # enrolment | rotation
    endorsed_by_key_id: Mapped[str | None] = mapped_column(String(16))
    enrolled_at: Mapped[datetime] = mapped_column(DateTime, default=utc_now)
    enrolled_by: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    revoked_from_seq: Mapped[int | None] = mapped_column(Integer)
    revoked_campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_by: Mapped[str | None] = mapped_column(Text)
    revoke_reason: Mapped[str | None] = mapped_column(Text)
    # Added by schema step 7 (trust states), so they come last, where ALTER TABLE puts them.
    # enrolled | pending (announced by a rotation statement, waiting for staff to check its new sheet)
    state: Mapped[str] = mapped_column(String(16), default="enrolled")
    endorsed_at_seq: Mapped[int | None] = mapped_column(BigInteger)  # seq of the first bundle carrying it
    retired_by_key_id: Mapped[str | None] = mapped_column(String(16))  # the enrolment that retired this key


class BundleImport(Base):
    """A bundle received by the department: provenance of the activities it created or changed."""

    __tablename__ = "bundle_imports"
    __table_args__ = (UniqueConstraint("unit_id", "campaign_id", "seq"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bundle_uuid: Mapped[str] = mapped_column(String(36), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    # 64-bit on PostgreSQL (seq 2^63-1 is a valid, held number); SQLite's INTEGER is already 64-bit
    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"))
    mode: Mapped[str] = mapped_column(String(8))
    manifest_sha256: Mapped[str] = mapped_column(String(64))
    previous_sha256: Mapped[str | None] = mapped_column(String(64))
    signer_key_id: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime)  # when the unit made it
    app_version: Mapped[str] = mapped_column(String(50), default="")
    imported_at: Mapped[datetime] = mapped_column(DateTime, default=utc_now)
    imported_by: Mapped[str] = mapped_column(Text, default="")
    file_name: Mapped[str] = mapped_column(Text)
    file_size: Mapped[int] = mapped_column(BigInteger)
    archive_path: Mapped[str] = mapped_column(Text)  # relative to the data folder
    new_count: Mapped[int] = mapped_column(Integer, default=0)
    changed_count: Mapped[int] = mapped_column(Integer, default=0)
    unchanged_count: Mapped[int] = mapped_column(Integer, default=0)
    deleted_count: Mapped[int] = mapped_column(Integer, default=0)
    held_count: Mapped[int] = mapped_column(Integer, default=0)
    evidence_added: Mapped[int] = mapped_column(Integer, default=0)
    evidence_added_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    warnings_json: Mapped[str] = mapped_column(Text, default="[]")
    # Set when staff chose another branch of a fork, or reset the unit's sequence after a revocation:
    # `seq` then becomes -id (out of the sequence rules and of the unique constraint), the number stays here.
    superseded_seq: Mapped[int | None] = mapped_column(BigInteger)
    superseded_at: Mapped[datetime | None] = mapped_column(DateTime)
    superseded_reason: Mapped[str | None] = mapped_column(Text)


class PendingRecord(Base):
    """A record change held back by an import guard (for example a review lock), to apply later."""

    __tablename__ = "bundle_pending_records"
    __table_args__ = (Index("ix_bundle_pending_uuid", "activity_uuid"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("bundle_imports.id"))
    activity_uuid: Mapped[str] = mapped_column(String(36))
    change: Mapped[str] = mapped_column(String(16))  # new | changed | deleted
    reason: Mapped[str] = mapped_column(Text)
    record_json: Mapped[str] = mapped_column(Text)
    held_at: Mapped[datetime] = mapped_column(DateTime, default=utc_now)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)
    resolved_by: Mapped[str | None] = mapped_column(Text)
    resolution: Mapped[str | None] = mapped_column(String(16))  # applied | discarded | superseded


class HeldBundle(Base):
    """A verified bundle kept aside, neither refused nor applied, until staff decide (“chờ xử lý”).

    `reason`: pending-key (signed by a key whose new sheet is not checked yet), fork (same seq or
    previous hash differs from what was received), frozen (the unit's chain is frozen by a fork),
    seq-jump (the number jumps further than allowed). The file is kept under `bundles/held/`.
    """

    __tablename__ = "bundle_holds"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bundle_uuid: Mapped[str] = mapped_column(String(36))
    manifest_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    previous_sha256: Mapped[str | None] = mapped_column(String(64))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    seq: Mapped[int] = mapped_column(BigInteger)
    signer_key_id: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str] = mapped_column(Text, default="")
    file_name: Mapped[str] = mapped_column(Text)
    file_size: Mapped[int] = mapped_column(BigInteger)
    held_path: Mapped[str] = mapped_column(Text)  # relative to the data folder
    held_at: Mapped[datetime] = mapped_column(DateTime, default=utc_now)
    held_by: Mapped[str] = mapped_column(Text, default="")
    approved_at: Mapped[datetime | None] = mapped_column(DateTime)  # staff allowed it past its hold
    approved_by: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)
    resolved_by: Mapped[str | None] = mapped_column(Text)
    resolution: Mapped[str | None] = mapped_column(String(16))  # applied | rejected


class ChainFreeze(Base):
    """A unit's chain of bundles for one campaign, frozen because two branches were seen."""

    __tablename__ = "bundle_chain_freezes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    seq: Mapped[int] = mapped_column(BigInteger)  # where the branches part
    detail: Mapped[str] = mapped_column(Text, default="")
    frozen_at: Mapped[datetime] = mapped_column(DateTime, default=utc_now)
    lifted_at: Mapped[datetime | None] = mapped_column(DateTime)
    lifted_by: Mapped[str | None] = mapped_column(Text)
    resolution: Mapped[str | None] = mapped_column(Text)  # kept-received | chose-held | revoked


TABLES = [BundleExport, BundleExportEvidence, TrustedKey, BundleImport, PendingRecord]
TRUST_TABLES = [HeldBundle, ChainFreeze]
