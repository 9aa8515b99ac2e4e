"""Nominations and review rounds: validated edits, votes and status, candidates from the ranking.

Every mutation is one transaction that writes the audit log and returns a `NominationChange`, from
which the GUI refreshes. A submitted nomination is frozen until it is reopened, so what was sent is
what the database shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from thidua_desktop.core import audit
from thidua_desktop.core.awards.catalog import AwardCatalog, load_catalog
from thidua_desktop.core.awards.models import (
    AwardNomination,
    AwardRound,
    NominationStatus,
    NomineeKind,
    PriorAward,
    PriorAwardCategory,
    Sex,
)
from thidua_desktop.core.awards.prefill import (
    FigureRow,
    Prefill,
    compute_prefill,
    figures_from_json,
    figures_to_json,
)
from thidua_desktop.core.catalogue import CampaignInfo
from thidua_desktop.core.errors import NotFoundError, ValidationError
from thidua_desktop.core.models import Campaign, UnitKind, utc_now
from thidua_desktop.core.text import format_date, nfc, sort_key
from thidua_desktop.core.units import UnitInfo, header_defaults, list_units

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


@dataclass(frozen=True)
class RoundInfo:
    """A review round: the issuing agency's header, number and date, signer and council meeting."""

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
    submission_number: str = ""
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

    def basis_date(self) -> date:
        """The date that chooses the legal basis: the document's date, or today while it is still blank."""
        return self.document_date or date.today()


_ROUND_FIELDS = [f.name for f in fields(RoundInfo) if f.name not in ("id", "campaign_id", "issuing_unit_code")]


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


def _clean(text: str) -> str:
    return nfc(text.strip())


def _prior_info(row: PriorAward) -> PriorAwardInfo:
    return PriorAwardInfo(row.category, row.year, row.award, row.decision_number, row.decision_date, row.issuing_body)


def _to_info(row: AwardNomination, units: dict[int, UnitInfo]) -> NominationInfo:
    draft = NominationDraft(
        kind=row.kind, award_type_code=row.award_type_code, unit_code=units[row.unit_id].code, name=row.name,
        sex=row.sex, birth_date=row.birth_date, hometown=row.hometown, residence=row.residence, position=row.position,
        qualifications=row.qualifications, unit_profile=row.unit_profile, achievements=row.achievements,
        activities_summary=row.activities_summary, figures=figures_from_json(row.figures_json), summary=row.summary,
        note=row.note, score=row.score, prior_awards=tuple(_prior_info(p) for p in row.prior_awards),
    )
    return NominationInfo(row.id, row.uuid, row.round_id, row.status, row.votes_for, row.votes_against,
                          row.votes_total, row.submitted_at, row.revision, units[row.unit_id], draft)


def _round_info(row: AwardRound, units: dict[int, UnitInfo]) -> RoundInfo:
    return RoundInfo(id=row.id, campaign_id=row.campaign_id, issuing_unit_code=units[row.issuing_unit_id].code,
                     **{name: getattr(row, name) for name in _ROUND_FIELDS})


def _snapshot(row: AwardNomination) -> dict[str, object]:
    names = ("kind", "award_type_code", "unit_id", "name", "sex", "birth_date", "hometown", "residence", "position",
             "qualifications", "unit_profile", "achievements", "activities_summary", "summary", "note", "score",
             "status", "votes_for", "votes_against", "votes_total")
    snap: dict[str, object] = {n: getattr(row, n) for n in names}
    snap["prior_awards"] = [
        [str(p.category), p.year, p.award, p.decision_number, p.decision_date, p.issuing_body] for p in row.prior_awards
    ]
    return {k: (str(v) if isinstance(v, (NomineeKind, NominationStatus, Sex)) else v) for k, v in snap.items()}


class AwardService:
    """Rounds and nominations of one campaign."""

    def __init__(self, sessions: sessionmaker[Session], campaign: CampaignInfo, actor: str,
                 catalog: AwardCatalog | None = None) -> None:
        self.sessions = sessions
        self.campaign = campaign
        self.actor = actor
        self.catalog = catalog or load_catalog()

    @classmethod
    def for_workspace(cls, workspace) -> AwardService:  # noqa: ANN001 - avoids importing Workspace here
        return cls(workspace.sessions, workspace.campaign(), workspace.actor, load_catalog(award_data_dir(workspace)))

    # --- reading ------------------------------------------------------------------------------
    def _units(self, session: Session) -> dict[int, UnitInfo]:
        return {u.id: u for u in list_units(session)}

    def rounds(self) -> list[RoundInfo]:
        with self.sessions() as session:
            units = self._units(session)
            rows = session.scalars(select(AwardRound).where(AwardRound.campaign_id == self.campaign.id)
                                   .order_by(AwardRound.id))
            return [_round_info(r, units) for r in rows]

    def get_round(self, round_id: int) -> RoundInfo:
        with self.sessions() as session:
            return _round_info(self._load_round(session, round_id), self._units(session))

    def nominations(self, round_id: int) -> list[NominationInfo]:
        """The round's nominations: collectives first, each kind in the order they were proposed."""
        with self.sessions() as session:
            units = self._units(session)
            rows = session.scalars(
                select(AwardNomination).where(AwardNomination.round_id == round_id)
                .options(selectinload(AwardNomination.prior_awards))
                .order_by(AwardNomination.sort_order, AwardNomination.id)
            ).all()
            infos = [_to_info(r, units) for r in rows]
        return sorted(infos, key=lambda n: n.kind is NomineeKind.INDIVIDUAL)

    def get(self, nomination_id: int) -> NominationInfo:
        with self.sessions() as session:
            return _to_info(self._load(session, nomination_id), self._units(session))

    def _load(self, session: Session, nomination_id: int) -> AwardNomination:
        row = session.get(AwardNomination, nomination_id)
        if row is None:
            raise NotFoundError(f"Không có đề nghị khen thưởng số {nomination_id}.",
                                hint="Danh sách đề nghị: thidua report nominations list.")
        return row

    @staticmethod
    def _unit(session: Session, code: str) -> UnitInfo:
        return next(u for u in list_units(session) if u.code == code)

    def _load_round(self, session: Session, round_id: int) -> AwardRound:
        row = session.get(AwardRound, round_id)
        if row is None:
            raise NotFoundError(f"Không có đợt xét khen thưởng số {round_id}.")
        return row

    # --- rounds ---------------------------------------------------------------------------------
    def new_round_defaults(self, issuing_unit: UnitInfo) -> RoundInfo:
        """A round pre-filled for the final review of the campaign, issued by `issuing_unit`."""
        department = issuing_unit.kind is UnitKind.DEPARTMENT
        return RoundInfo(
            id=None, campaign_id=self.campaign.id, issuing_unit_code=issuing_unit.code,
            name=f"Tổng kết phong trào thi đua giai đoạn {self.campaign.starts_on.year} – {self.campaign.ends_on.year}",
            signer_authority="GIÁM ĐỐC" if department else "TRƯỞNG PHÒNG",
            chair_title="Giám đốc Sở, Chủ tịch Hội đồng" if department else "",
            **header_defaults(issuing_unit),
        )

    def ensure_round(self, issuing_unit: UnitInfo) -> RoundInfo:
        """The campaign's first round, created with defaults if there is none yet."""
        existing = self.rounds()
        if existing:
            return existing[0]
        return self.save_round(self.new_round_defaults(issuing_unit))[0]

    def save_round(self, info: RoundInfo) -> tuple[RoundInfo, NominationChange]:
        problems: dict[str, str] = {}
        if not info.name.strip():
            problems["name"] = "Tên đợt xét khen thưởng không được để trống."
        if info.members_total is not None and info.members_present is not None and info.members_present > info.members_total:
            problems["members_present"] = "Số thành viên có mặt không thể lớn hơn tổng số thành viên Hội đồng."
        with self.sessions.begin() as session:
            by_code = {u.code: u for u in list_units(session)}
            if info.issuing_unit_code not in by_code:
                problems["issuing_unit_code"] = f"Không có đơn vị mã “{info.issuing_unit_code}”."
            if problems:
                raise ValidationError(problems)
            row = self._load_round(session, info.id) if info.id else AwardRound(campaign_id=self.campaign.id)
            before = {n: getattr(row, n, None) for n in _ROUND_FIELDS} if info.id else {}
            for name in _ROUND_FIELDS:
                value = getattr(info, name)
                setattr(row, name, _clean(value) if isinstance(value, str) else value)
            row.issuing_unit_id = by_code[info.issuing_unit_code].id
            row.updated_at = utc_now()
            if not info.id:
                session.add(row)
            session.flush()
            changes = audit.diff(before, {n: getattr(row, n) for n in _ROUND_FIELDS})
            if changes:
                audit.record(session, self.actor, "update" if info.id else "create", "award_round", row.uuid, changes)
            saved = _round_info(row, {u.id: u for u in by_code.values()})
        return saved, NominationChange(rounds_changed=(saved.id,))

    # --- nominations ----------------------------------------------------------------------------
    def _validate(self, session: Session, round_row: AwardRound, draft: NominationDraft) -> dict[str, str]:
        problems: dict[str, str] = {}
        codes = {a.code: a for a in self.catalog.award_types}
        award = codes.get(draft.award_type_code)
        if award is None:
            problems["award_type_code"] = f"Không có hình thức khen thưởng mã “{draft.award_type_code}”."
        elif not award.allows(draft.kind):
            problems["award_type_code"] = f"{award.name} không xét cho {KIND_LABELS[draft.kind].lower()}."
        elif round_row.themed and not award.themed:
            problems["award_type_code"] = (f"{award.name} không xét trong phong trào thi đua theo chuyên đề; "
                                           "hãy chọn Giấy khen hoặc Bằng khen.")
        if draft.unit_code not in {u.code for u in list_units(session)}:
            problems["unit_code"] = f"Không có đơn vị mã “{draft.unit_code}”."
        if draft.kind is NomineeKind.INDIVIDUAL and not draft.name.strip():
            problems["name"] = "Chưa nhập họ và tên cá nhân được đề nghị."
        if draft.birth_date and draft.birth_date >= date.today():
            problems["birth_date"] = "Ngày sinh phải trước ngày hôm nay."
        for index, prior in enumerate(draft.prior_awards, start=1):
            if not prior.award.strip():
                problems[f"prior_awards.{index}"] = f"Dòng khen thưởng đã nhận số {index}: chưa nhập tên danh hiệu, hình thức."
            elif not 1945 <= prior.year <= date.today().year:
                problems[f"prior_awards.{index}"] = f"Dòng khen thưởng đã nhận số {index}: năm {prior.year} không hợp lệ."
        return problems

    @staticmethod
    def _apply(row: AwardNomination, draft: NominationDraft, unit: UnitInfo) -> None:
        row.kind = draft.kind
        row.award_type_code = draft.award_type_code
        row.unit_id = unit.id
        row.name = _clean(draft.name) or unit.name
        row.name_sort_key = sort_key(row.name)
        individual = draft.kind is NomineeKind.INDIVIDUAL
        row.sex = draft.sex if individual else None
        row.birth_date = draft.birth_date if individual else None
        for name in ("hometown", "residence", "position", "qualifications"):
            setattr(row, name, _clean(getattr(draft, name)) if individual else "")
        for name in ("unit_profile", "achievements", "activities_summary", "summary", "note"):
            setattr(row, name, _clean(getattr(draft, name)))
        row.figures_json = figures_to_json(draft.figures)
        row.score = draft.score
        row.prior_awards = [
            PriorAward(category=p.category, year=p.year, award=_clean(p.award), decision_number=_clean(p.decision_number),
                       decision_date=p.decision_date, issuing_body=_clean(p.issuing_body), position=i)
            for i, p in enumerate(draft.prior_awards)
        ]
        row.updated_at = utc_now()

    def create(self, round_id: int, draft: NominationDraft) -> tuple[int, NominationChange]:
        with self.sessions.begin() as session:
            round_row = self._load_round(session, round_id)
            problems = self._validate(session, round_row, draft)
            if problems:
                raise ValidationError(problems)
            order = session.scalar(select(func.max(AwardNomination.sort_order))
                                   .where(AwardNomination.round_id == round_id)) or 0
            row = AwardNomination(round_id=round_id, sort_order=order + 1, status=NominationStatus.DRAFT)
            self._apply(row, draft, self._unit(session, draft.unit_code))
            session.add(row)
            session.flush()
            audit.record(session, self.actor, "create", "nomination", row.uuid, _snapshot(row))
            return row.id, NominationChange(created=(row.id,))

    def update(self, nomination_id: int, draft: NominationDraft, *, expected_revision: int | None = None) -> NominationChange:
        with self.sessions.begin() as session:
            row = self._load(session, nomination_id)
            self._check_editable(row)
            if expected_revision is not None and row.revision != expected_revision:
                raise ValidationError({"revision": "Đề nghị này vừa được sửa ở nơi khác; hãy tải lại rồi sửa tiếp."})
            problems = self._validate(session, row.round, draft)
            if problems:
                raise ValidationError(problems)
            before = _snapshot(row)
            self._apply(row, draft, self._unit(session, draft.unit_code))
            changes = audit.diff(before, _snapshot(row))
            if not changes and row.figures_json == figures_to_json(draft.figures):
                return NominationChange()
            row.revision += 1
            audit.record(session, self.actor, "update", "nomination", row.uuid, changes)
            return NominationChange(updated=(row.id,))

    @staticmethod
    def _check_editable(row: AwardNomination) -> None:
        if row.status is NominationStatus.SUBMITTED:
            raise ValidationError({"status": f"“{row.name}” đã trình; hãy “Mở lại” đề nghị trước khi sửa."})

    def delete(self, nomination_ids: Sequence[int]) -> NominationChange:
        with self.sessions.begin() as session:
            deleted = []
            for nomination_id in nomination_ids:
                row = self._load(session, nomination_id)
                self._check_editable(row)
                audit.record(session, self.actor, "delete", "nomination", row.uuid, _snapshot(row))
                session.delete(row)
                deleted.append(nomination_id)
            return NominationChange(deleted=tuple(deleted))

    def record_votes(self, nomination_id: int, votes_for: int, votes_against: int, votes_total: int) -> NominationChange:
        """The council's vote: moves a draft to "council voted"; for + against may be below total (abstentions)."""
        problems: dict[str, str] = {}
        if votes_total <= 0:
            problems["votes_total"] = "Tổng số phiếu phải lớn hơn 0."
        if votes_for < 0 or votes_against < 0:
            problems["votes_for"] = "Số phiếu không được âm."
        elif votes_for + votes_against > votes_total:
            problems["votes_for"] = "Số phiếu đồng ý và không đồng ý cộng lại vượt quá tổng số phiếu."
        if problems:
            raise ValidationError(problems)
        return self._transition(nomination_id, NominationStatus.VOTED, votes=(votes_for, votes_against, votes_total))

    def submit(self, nomination_id: int) -> NominationChange:
        return self._transition(nomination_id, NominationStatus.SUBMITTED)

    def reopen(self, nomination_id: int) -> NominationChange:
        """Back from submitted to voted (or from voted to draft, clearing the vote)."""
        with self.sessions() as session:
            status = self._load(session, nomination_id).status
        target = NominationStatus.VOTED if status is NominationStatus.SUBMITTED else NominationStatus.DRAFT
        return self._transition(nomination_id, target)

    def _transition(self, nomination_id: int, target: NominationStatus,
                    votes: tuple[int, int, int] | None = None) -> NominationChange:
        with self.sessions.begin() as session:
            row = self._load(session, nomination_id)
            before = _snapshot(row)
            if target is NominationStatus.VOTED and votes is not None:
                self._check_editable(row)
                row.votes_for, row.votes_against, row.votes_total = votes
            elif target is NominationStatus.SUBMITTED:
                if row.status is not NominationStatus.VOTED:
                    raise ValidationError({"status": f"“{row.name}” chưa có kết quả bình xét của Hội đồng; "
                                                     "hãy nhập kết quả biểu quyết trước khi trình."})
                row.submitted_at = utc_now()
            elif target is NominationStatus.DRAFT:
                row.votes_for = row.votes_against = row.votes_total = None
            if target is not NominationStatus.SUBMITTED:
                row.submitted_at = None
            row.status = target
            row.revision += 1
            row.updated_at = utc_now()
            session.flush()
            audit.record(session, self.actor, "status", "nomination", row.uuid, audit.diff(before, _snapshot(row)))
            return NominationChange(updated=(row.id,))

    # --- pre-fill and candidates -----------------------------------------------------------------
    def plan_number(self, session: Session) -> str:
        return session.get(Campaign, self.campaign.id).plan_number

    def prefill(self, draft: NominationDraft, *, as_of: date | None = None) -> Prefill:
        """Section II, key activities and summary drafted from the unit's data (nothing is saved)."""
        with self.sessions() as session:
            unit = next((u for u in list_units(session) if u.code == draft.unit_code), None)
            if unit is None:
                raise NotFoundError(f"Không có đơn vị mã “{draft.unit_code}”.")
            person = draft.name if draft.kind is NomineeKind.INDIVIDUAL else ""
            return compute_prefill(session, self.campaign, unit, plan_number=self.plan_number(session),
                                   person_name=person, as_of=as_of)

    def create_from_candidates(self, round_id: int, candidates: Sequence[Candidate], *,
                               as_of: date | None = None) -> NominationChange:
        """Draft collective nominations for ranked units, pre-filled; existing ones are skipped, not duplicated."""
        with self.sessions() as session:
            existing = {
                (unit_id, award)
                for unit_id, award in session.execute(
                    select(AwardNomination.unit_id, AwardNomination.award_type_code)
                    .where(AwardNomination.round_id == round_id, AwardNomination.kind == NomineeKind.COLLECTIVE)
                )
            }
            by_code = {u.code: u for u in list_units(session)}
        created: list[int] = []
        skipped: list[str] = []
        warnings: list[str] = []
        for candidate in candidates:
            unit = by_code.get(candidate.unit_code)
            if unit is None:
                skipped.append(f"{candidate.unit_code}: không có trong danh sách đơn vị.")
                continue
            if (unit.id, candidate.award_type_code) in existing:
                skipped.append(f"{unit.name}: đã có đề nghị hình thức này trong đợt.")
                continue
            draft = NominationDraft(NomineeKind.COLLECTIVE, candidate.award_type_code, unit.code,
                                    summary=_clean(candidate.summary), score=candidate.score)
            try:
                draft = draft.with_prefill(self.prefill(draft, as_of=as_of))
                if candidate.summary:
                    draft = replace(draft, summary=_clean(candidate.summary))
                new_id, _change = self.create(round_id, draft)
            except ValidationError as error:
                skipped.append(f"{unit.name}: {' '.join(error.problems.values())}")
                continue
            existing.add((unit.id, candidate.award_type_code))
            created.append(new_id)
            warnings += [f"{unit.name}: {w}" for w in candidate.warnings]
        return NominationChange(created=tuple(created), skipped=tuple(skipped), warnings=tuple(warnings))


def award_data_dir(workspace) -> Path:  # noqa: ANN001
    """The data folder's `awards/`, whose files override the bundled award data."""
    return workspace.layout.root / "awards"


__all__ = [
    "AwardService", "Candidate", "NominationChange", "NominationDraft", "NominationInfo", "PriorAwardInfo",
    "RoundInfo", "header_defaults",
]
