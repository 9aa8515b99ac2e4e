"""What the awards feature hands to its callers: nominations, rounds, candidates and change reports.

A leaf module (dataclasses and labels only), so that the dossier builders, the certificates and the
ranking can name these shapes without importing the service that reads and writes them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, Protocol

from thidua_desktop.core.awards.models import NominationStatus, NomineeKind, PriorAwardCategory, Sex
from thidua_desktop.core.awards.prefill import FigureRow, Prefill
from thidua_desktop.core.text import format_date
from thidua_desktop.core.units import UnitInfo

KIND_LABELS = {NomineeKind.COLLECTIVE: "Tập thể", NomineeKind.INDIVIDUAL: "Cá nhân"}
STATUS_LABELS = {
    NominationStatus.DRAFT: "Dự thảo",
    NominationStatus.VOTED: "Hội đồng đã bình xét",
    NominationStatus.SUBMITTED: "Đã trình",
}
SEX_LABELS = {Sex.MALE: "Nam", Sex.FEMALE: "Nữ"}
HONORIFIC = {Sex.MALE: "Ông", Sex.FEMALE: "Bà"}  # how documents and certificates name a person
CATEGORY_LABELS = {PriorAwardCategory.TITLE: "Danh hiệu thi đua", PriorAwardCategory.AWARD: "Hình thức khen thưởng"}


@dataclass(frozen=True)
class PriorAwardInfo:
    category: PriorAwardCategory
    year: int
    award: str
    decision_number: str = ""
    decision_date: date | None = None
    issuing_body: str = ""

    @property
    def decision_text(self) -> str:
        """"Quyết định số 12/QĐ-STP ngày 05/02/2024 của Sở Tư pháp" — the form's third column."""
        parts = [f"Quyết định số {self.decision_number}" if self.decision_number else ""]
        if self.decision_date:
            parts.append(f"ngày {format_date(self.decision_date)}")
        if self.issuing_body:
            parts.append(f"của {self.issuing_body}")
        return " ".join(p for p in parts if p)


@dataclass(frozen=True)
class NominationDraft:
    """The editable content of a nomination, as the form, the CLI or the ranking supplies it."""

    kind: NomineeKind
    award_type_code: str
    unit_code: str
    name: str = ""  # blank for a collective: the unit's (historical) name is used
    sex: Sex | None = None
    birth_date: date | None = None
    hometown: str = ""
    residence: str = ""
    position: str = ""
    qualifications: str = ""
    unit_profile: str = ""
    achievements: str = ""
    activities_summary: str = ""
    figures: tuple[FigureRow, ...] = ()
    summary: str = ""
    note: str = ""
    score: float | None = None
    prior_awards: tuple[PriorAwardInfo, ...] = ()

    def with_prefill(self, prefill: Prefill) -> NominationDraft:
        return replace(self, achievements=prefill.achievements, activities_summary=prefill.activities_summary,
                       figures=prefill.figures, summary=self.summary or prefill.summary)


@dataclass(frozen=True)
class NominationInfo:
    id: int
    uuid: str
    round_id: int
    status: NominationStatus
    votes_for: int | None
    votes_against: int | None
    votes_total: int | None
    submitted_at: datetime | None
    revision: int
    unit: UnitInfo
    draft: NominationDraft

    @property
    def kind(self) -> NomineeKind:
        return self.draft.kind

    @property
    def name(self) -> str:
        return self.draft.name

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def votes_label(self) -> str:
        if self.votes_total is None:
            return ""
        return f"{self.votes_for}/{self.votes_total}"

    @property
    def approval_percent(self) -> float | None:
        if not self.votes_total or self.votes_for is None:
            return None
        return self.votes_for * 100.0 / self.votes_total


BIEN_BAN_KEY = "bien_ban"


def to_trinh_key(award_code: str) -> str:
    """The key of an award type's Tờ trình among a round's document numbers: "to_trinh/BK-BTP"."""
    return f"to_trinh/{award_code}"


@dataclass(frozen=True)
class SignerInfo:
    """Who signs for an issuing body of the round: authority ("KT. CHÁNH VĂN PHÒNG"), title, name."""

    authority: str = ""
    title: str = ""
    name: str = ""

    @property
    def empty(self) -> bool:
        return not (self.authority or self.title or self.name)


@dataclass(frozen=True)
class RoundInfo:
    """A review round: the issuing agency's header, date and signer, each document's number, the meeting.

    `numbers` maps a document key (`to_trinh_key(code)`, `BIEN_BAN_KEY`) to its number; `signers`
    maps another issuing body's symbol ("VP", from the award data) to who signs for it.
    """

    id: int | None
    campaign_id: int
    name: str
    issuing_unit_code: str
    themed: bool = True
    header_parent: str = ""
    header_agency: str = ""
    agency_symbol: str = ""
    place: str = ""
    document_date: date | None = None
    signer_authority: str = ""
    signer_title: str = ""
    signer_name: str = ""
    meeting_date: date | None = None
    meeting_place: str = ""
    chair_name: str = ""
    chair_title: str = ""
    secretary_name: str = ""
    members_present: int | None = None
    members_total: int | None = None
    numbers: Mapping[str, str] = field(default_factory=dict)
    signers: Mapping[str, SignerInfo] = field(default_factory=dict)

    def number(self, key: str) -> str:
        return self.numbers.get(key, "").strip()

    def basis_date(self) -> date:
        """The date that chooses the legal basis: the document's date, or today while it is still blank."""
        return self.document_date or date.today()




@dataclass(frozen=True)
class Candidate:
    """A ranking result proposed for an award: what consolidation hands over."""

    unit_code: str
    award_type_code: str
    score: float | None = None
    summary: str = ""
    warnings: tuple[str, ...] = ()  # for the council's attention (open queries, missed targets, …)


@dataclass(frozen=True)
class NominationChange:
    created: tuple[int, ...] = ()
    updated: tuple[int, ...] = ()
    deleted: tuple[int, ...] = ()
    skipped: tuple[str, ...] = ()  # why a candidate was not added
    warnings: tuple[str, ...] = ()  # what the ranking flagged about the candidates that were added
    rounds_changed: tuple[int, ...] = ()

    @property
    def touched(self) -> set[int]:
        return set(self.created) | set(self.updated) | set(self.deleted)

    @property
    def empty(self) -> bool:
        return not self.touched and not self.rounds_changed


@dataclass(frozen=True)
class Offset:
    """Printer offset in mm on a blank certificate form: positive x moves the print right, positive y down."""

    x_mm: float = 0.0
    y_mm: float = 0.0


@dataclass(frozen=True)
class OffsetChange:
    """What saving a certificate form's printer offset changed (the GUI refreshes its preview from it)."""

    form_code: str
    before: Offset
    after: Offset

    @property
    def empty(self) -> bool:
        return self.before == self.after


class SettingsStore(Protocol):
    """Where the data set keeps its settings (the Workspace): offsets of the certificate forms live there."""

    def setting(self, key: str) -> Any: ...

    def set_settings(self, **values: Any) -> dict[str, list[Any]]: ...
