"""Schema steps of the awards feature: 5 (award tables) and 8 (a number per document, signers per issuer)."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from thidua_desktop.core.awards.models import AWARD_TABLES


def v5_award_tables(conn: Connection) -> None:
    """v5: create the award tables exactly as `create_all` would (portable DDL from the models)."""
    for table in AWARD_TABLES:  # parents before children
        table.create(conn)


# Step 8's DDL, frozen: later changes to the model classes must not change what this step creates.
_V8 = MetaData()
_V8_ROUNDS = Table("award_rounds", _V8, Column("id", Integer, primary_key=True))
_V8_NUMBERS = Table(
    "award_document_numbers", _V8,
    Column("id", Integer, primary_key=True),
    Column("round_id", Integer, ForeignKey("award_rounds.id", ondelete="CASCADE"), nullable=False),
    Column("document_key", String(64), nullable=False),
    Column("number", String(32), nullable=False),
    UniqueConstraint("round_id", "document_key", name="uq_award_document_numbers_key"),
)
_V8_SIGNERS = Table(
    "award_round_signers", _V8,
    Column("id", Integer, primary_key=True),
    Column("round_id", Integer, ForeignKey("award_rounds.id", ondelete="CASCADE"), nullable=False),
    Column("issuer", String(32), nullable=False),
    Column("authority", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("name", Text, nullable=False),
    UniqueConstraint("round_id", "issuer", name="uq_award_round_signers_issuer"),
)


_V8_NOMINATIONS = Table("award_nominations", _V8, Column("id", Integer, primary_key=True))
_V8_OVERRIDES = Table(
    "award_threshold_overrides", _V8,
    Column("id", Integer, primary_key=True),
    Column("nomination_id", Integer, ForeignKey("award_nominations.id", ondelete="CASCADE"), nullable=False,
           unique=True),
    Column("reason", Text, nullable=False),
    Column("actor", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),
)


def v8_document_numbers(conn: Connection) -> None:
    """v8: one number per document of a round, a signer per issuing body, threshold overrides.

    A round's single "số tờ trình" becomes the number of the Tờ trình of its first nomination's award
    type; the other Tờ trình and the Biên bản start blank (the old column stays, no longer read).
    """
    for table in (_V8_NUMBERS, _V8_SIGNERS, _V8_OVERRIDES):
        table.create(conn, checkfirst=True)  # idempotent: a database relabelled as older may have them already
    rounds = conn.execute(text("SELECT id, submission_number FROM award_rounds WHERE submission_number <> ''")).all()
    for round_id, number in rounds:
        award = conn.execute(
            text("SELECT award_type_code FROM award_nominations WHERE round_id = :r ORDER BY sort_order, id LIMIT 1"),
            {"r": round_id},
        ).scalar()
        key = f"to_trinh/{award}"
        taken = conn.execute(text("SELECT 1 FROM award_document_numbers WHERE round_id = :r AND document_key = :k"),
                             {"r": round_id, "k": key}).first()
        if award and taken is None:
            conn.execute(_V8_NUMBERS.insert().values(round_id=round_id, document_key=key,
                                                     number=number))
