"""Nominations and review rounds: validated edits, votes and status, candidates from the ranking.

Every mutation is one transaction that writes the audit log and returns a `NominationChange`, from
which the GUI refreshes. A submitted nomination is frozen until it is reopened, so what was sent is
what the database shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields, replace
from datetime import date
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from thidua_desktop.core import audit
from thidua_desktop.core.awards import eligibility, ranking
from thidua_desktop.core.awards.catalog import AwardCatalog, Submitter, load_catalog
from thidua_desktop.core.awards.documents import AwardDocuments
from thidua_desktop.core.awards.dossier import (
    DossierContext,
    duplicate_numbers,
    load_context,
    numbered_documents,
)
from thidua_desktop.core.awards.eligibility import Eligibility, ScoreLine
from thidua_desktop.core.awards.models import (
    AwardDocumentNumber,
    AwardNomination,
    AwardRound,
    AwardRoundSigner,
    AwardThresholdOverride,
    NominationStatus,
    NomineeKind,
    PriorAward,
    Sex,
)
from thidua_desktop.core.awards.prefill import Prefill, compute_prefill, figures_from_json, figures_to_json
from thidua_desktop.core.awards.records import (
    CATEGORY_LABELS,
    HONORIFIC,
    KIND_LABELS,
    SEX_LABELS,
    STATUS_LABELS,
    Candidate,
    NominationChange,
    NominationDraft,
    NominationInfo,
    OffsetChange,
    PriorAwardInfo,
    RoundInfo,
    SettingsStore,
    SignerInfo,
)
from thidua_desktop.core.catalogue import CampaignInfo
from thidua_desktop.core.consolidation.scoring import load_scheme
from thidua_desktop.core.documents.model import DocumentRef
from thidua_desktop.core.errors import NotFoundError, ValidationError
from thidua_desktop.core.models import Campaign, UnitKind, utc_now
from thidua_desktop.core.progress import CancelFn, ProgressFn, StepCounter, check_cancel, never_cancelled
from thidua_desktop.core.text import nfc, sort_key
from thidua_desktop.core.units import UnitInfo, header_defaults, list_units

_ROUND_FIELDS = [f.name for f in fields(RoundInfo)
                 if f.name not in ("id", "campaign_id", "issuing_unit_code", "numbers", "signers")]


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
    numbers = {n.document_key: n.number for n in row.document_numbers if n.number}
    signers = {s.issuer: SignerInfo(s.authority, s.title, s.name) for s in row.signers}
    return RoundInfo(id=row.id, campaign_id=row.campaign_id, issuing_unit_code=units[row.issuing_unit_id].code,
                     numbers=numbers, signers=signers, **{name: getattr(row, name) for name in _ROUND_FIELDS})


def _round_snapshot(row: AwardRound) -> dict[str, object]:
    """The round's fields as the audit log records them, with each document number and signer."""
    snap: dict[str, object] = {n: getattr(row, n, None) for n in _ROUND_FIELDS}
    snap |= {f"number:{n.document_key}": n.number for n in row.document_numbers}
    snap |= {f"signer:{s.issuer}": " / ".join((s.authority, s.title, s.name)) for s in row.signers}
    return snap


def _store_numbers_and_signers(row: AwardRound, info: RoundInfo) -> None:
    """Replace the round's document numbers and signers with `info`'s (blank ones are not stored)."""
    numbers = {key: _clean(value) for key, value in info.numbers.items() if value.strip()}
    existing = {n.document_key: n for n in row.document_numbers}
    for key, item in existing.items():
        if key not in numbers:
            row.document_numbers.remove(item)
    for key, value in numbers.items():
        if key in existing:
            existing[key].number = value
        else:
            row.document_numbers.append(AwardDocumentNumber(document_key=key, number=value))
    signers = {key: s for key, s in info.signers.items() if not s.empty}
    current = {s.issuer: s for s in row.signers}
    for key, item in current.items():
        if key not in signers:
            row.signers.remove(item)
    for key, signer in signers.items():
        target = current.get(key) or AwardRoundSigner(issuer=key)
        target.authority, target.title, target.name = (_clean(signer.authority), _clean(signer.title),
                                                       _clean(signer.name))
        if key not in current:
            row.signers.append(target)


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
                 catalog: AwardCatalog | None = None, *, settings: SettingsStore | None = None,
                 write_sessions: sessionmaker[Session] | None = None) -> None:
        self.sessions = sessions
        self.write_sessions = write_sessions or sessions
        self.campaign = campaign
        self.actor = actor
        self.catalog = catalog or load_catalog()
        self.documents = AwardDocuments(self, settings if settings is not None else MemorySettings())

    def units(self) -> list[UnitInfo]:
        """Every unit, in the order the pickers show them."""
        with self.sessions() as session:
            return list_units(session)

    def dossier_context(self, round_id: int) -> DossierContext:
        """What the round's documents share (issuer, plan, legal data, each nominee's thresholds), from one read."""
        with self.sessions() as session:
            round_info = _round_info(self._load_round(session, round_id), self._units(session))
            context = load_context(session, round_info, self.campaign, self.catalog)
            return replace(context, eligibility=self._eligibility(session, round_info))

    def eligibility(self, round_id: int) -> dict[int, Eligibility]:
        """Each nomination of the round against its vote ratio, score line and the members present."""
        with self.sessions() as session:
            return self._eligibility(session, _round_info(self._load_round(session, round_id), self._units(session)))

    def _eligibility(self, session: Session, round_info: RoundInfo) -> dict[int, Eligibility]:
        units = self._units(session)
        rows = session.scalars(select(AwardNomination).where(AwardNomination.round_id == round_info.id)
                               .options(selectinload(AwardNomination.prior_awards))).all()
        overrides = dict(session.execute(
            select(AwardThresholdOverride.nomination_id, AwardThresholdOverride.reason)
            .join(AwardNomination).where(AwardNomination.round_id == round_info.id)).all())
        lines = self._score_lines(session)
        return {row.id: eligibility.check(_to_info(row, units), round_info, self.catalog, lines,
                                          overrides.get(row.id, "")) for row in rows}

    def _score_lines(self, session: Session) -> dict[str, ScoreLine]:
        """The ranking's line per award (the scoring scheme's `min_percent`); none without a scheme."""
        try:
            scheme = load_scheme(session, self.campaign)
        except NotFoundError:
            return {}
        return {rule.code: ScoreLine(rule.min_percent, scheme.standard_total) for rule in scheme.awards}

    def override_threshold(self, nomination_id: int, reason: str) -> NominationChange:
        """Propose a nominee below a threshold all the same: an explicit decision with its reason, audited."""
        if not reason.strip():
            raise ValidationError({"reason": "Ghi lý do vẫn đề nghị (ví dụ: theo kết luận của Chủ tịch Hội đồng)."})
        with self.write_sessions.begin() as session:
            row = self._load(session, nomination_id)
            existing = session.scalar(select(AwardThresholdOverride)
                                      .where(AwardThresholdOverride.nomination_id == nomination_id))
            if existing is None:
                existing = AwardThresholdOverride(nomination_id=nomination_id, reason="", actor=self.actor)
                session.add(existing)
            existing.reason, existing.actor, existing.created_at = _clean(reason), self.actor, utc_now()
            audit.record(session, self.actor, "override_threshold", "nomination", row.uuid, {"reason": existing.reason})
        return NominationChange(updated=(nomination_id,))

    def clear_override(self, nomination_id: int) -> NominationChange:
        with self.write_sessions.begin() as session:
            row = self._load(session, nomination_id)
            existing = session.scalar(select(AwardThresholdOverride)
                                      .where(AwardThresholdOverride.nomination_id == nomination_id))
            if existing is None:
                return NominationChange()
            session.delete(existing)
            audit.record(session, self.actor, "clear_override", "nomination", row.uuid, {"reason": existing.reason})
        return NominationChange(updated=(nomination_id,))

    def numbered_documents(self, info: RoundInfo) -> list[DocumentRef]:
        """The round's documents that take a number, with their symbols as `info` would print them."""
        with self.sessions() as session:
            return numbered_documents(load_context(session, info, self.campaign, self.catalog))

    def signing_bodies(self) -> dict[str, Submitter]:
        """Issuing bodies other than the round's agency (the Văn phòng), by symbol: their signer is per round."""
        return {a.submitted_by.agency_symbol: a.submitted_by for a in self.catalog.award_types if a.submitted_by}

    def ranking_choices(self, *, progress: ProgressFn | None = None,
                        cancel: CancelFn = never_cancelled) -> list[ranking.RankingChoice]:
        """Every ranked unit of the whole campaign with the award the ranking proposes (a department's copy)."""
        steps = StepCounter(1, progress, cancel)
        with self.sessions() as session:
            choices = ranking.ranking_choices(session, self.campaign)
        steps.step()
        return choices

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
        with self.write_sessions.begin() as session:
            by_code = {u.code: u for u in list_units(session)}
            if info.issuing_unit_code not in by_code:
                problems["issuing_unit_code"] = f"Không có đơn vị mã “{info.issuing_unit_code}”."
            else:
                problems |= duplicate_numbers(load_context(session, info, self.campaign, self.catalog))
            if problems:
                raise ValidationError(problems)
            row = self._load_round(session, info.id) if info.id else AwardRound(campaign_id=self.campaign.id)
            most_votes = max((n.votes_total or 0 for n in row.nominations), default=0) if info.id else 0
            if info.members_present is not None and most_votes > info.members_present:
                raise ValidationError({"members_present": f"Đã có đề nghị được biểu quyết với {most_votes} phiếu, "
                                                          f"nhiều hơn {info.members_present} thành viên có mặt."})
            before = _round_snapshot(row) if info.id else {}
            for name in _ROUND_FIELDS:
                value = getattr(info, name)
                setattr(row, name, _clean(value) if isinstance(value, str) else value)
            _store_numbers_and_signers(row, info)
            row.issuing_unit_id = by_code[info.issuing_unit_code].id
            row.updated_at = utc_now()
            if not info.id:
                session.add(row)
            session.flush()
            changes = audit.diff(before, _round_snapshot(row))
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
        with self.write_sessions.begin() as session:
            new_id = self._insert(session, self._load_round(session, round_id), draft)
            return new_id, NominationChange(created=(new_id,))

    def _insert(self, session: Session, round_row: AwardRound, draft: NominationDraft) -> int:
        """Validate and add one draft nomination at the end of the round, audited; raises `ValidationError`."""
        problems = self._validate(session, round_row, draft)
        if problems:
            raise ValidationError(problems)
        order = session.scalar(select(func.max(AwardNomination.sort_order))
                               .where(AwardNomination.round_id == round_row.id)) or 0
        row = AwardNomination(round_id=round_row.id, sort_order=order + 1, status=NominationStatus.DRAFT)
        self._apply(row, draft, self._unit(session, draft.unit_code))
        session.add(row)
        session.flush()
        audit.record(session, self.actor, "create", "nomination", row.uuid, _snapshot(row))
        return row.id

    def update(self, nomination_id: int, draft: NominationDraft, *, expected_revision: int | None = None) -> NominationChange:
        with self.write_sessions.begin() as session:
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
        with self.write_sessions.begin() as session:
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
        with self.sessions() as session:
            present = self._load(session, nomination_id).round.members_present
        if present is not None and votes_total > present:
            problems["votes_total"] = (f"Tổng số phiếu ({votes_total}) không thể nhiều hơn số thành viên Hội đồng "
                                       f"có mặt ({present}); sửa số phiếu, hoặc số thành viên có mặt ở Thông tin đợt…")
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
        with self.write_sessions.begin() as session:
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

    def prefill(self, draft: NominationDraft, *, as_of: date | None = None, progress: ProgressFn | None = None,
                cancel: CancelFn = never_cancelled) -> Prefill:
        """Section II, key activities and summary drafted from the unit's data (nothing is saved)."""
        steps = StepCounter(1, progress, cancel)
        with self.sessions() as session:
            prefill = self._prefill(session, draft, as_of)
        steps.step()
        return prefill

    def _prefill(self, session: Session, draft: NominationDraft, as_of: date | None) -> Prefill:
        unit = next((u for u in list_units(session) if u.code == draft.unit_code), None)
        if unit is None:
            raise NotFoundError(f"Không có đơn vị mã “{draft.unit_code}”.")
        person = draft.name if draft.kind is NomineeKind.INDIVIDUAL else ""
        return compute_prefill(session, self.campaign, unit, plan_number=self.plan_number(session),
                               person_name=person, as_of=as_of)

    def create_from_candidates(self, round_id: int, candidates: Sequence[Candidate], *, as_of: date | None = None,
                               progress: ProgressFn | None = None, cancel: CancelFn = never_cancelled,
                               ) -> NominationChange:
        """Draft collective nominations for ranked units, pre-filled; existing ones are skipped, not duplicated.

        One transaction: a cancelled job (or any error) leaves the round as it was.
        """
        steps = StepCounter(len(candidates), progress, cancel)
        created: list[int] = []
        skipped: list[str] = []
        warnings: list[str] = []
        with self.write_sessions.begin() as session:
            round_row = self._load_round(session, round_id)
            existing = {(unit_id, award) for unit_id, award in session.execute(
                select(AwardNomination.unit_id, AwardNomination.award_type_code)
                .where(AwardNomination.round_id == round_id, AwardNomination.kind == NomineeKind.COLLECTIVE))}
            by_code = {u.code: u for u in list_units(session)}
            for candidate in candidates:
                check_cancel(cancel)
                unit = by_code.get(candidate.unit_code)
                if unit is None:
                    skipped.append(f"{candidate.unit_code}: không có trong danh sách đơn vị.")
                elif (unit.id, candidate.award_type_code) in existing:
                    skipped.append(f"{unit.name}: đã có đề nghị hình thức này trong đợt.")
                else:
                    try:
                        created.append(self._insert(session, round_row, self._candidate_draft(session, candidate,
                                                                                               unit, as_of)))
                    except ValidationError as error:
                        skipped.append(f"{unit.name}: {' '.join(error.problems.values())}")
                    else:
                        existing.add((unit.id, candidate.award_type_code))
                        warnings += [f"{unit.name}: {w}" for w in candidate.warnings]
                steps.step()
        return NominationChange(created=tuple(created), skipped=tuple(skipped), warnings=tuple(warnings))

    def _candidate_draft(self, session: Session, candidate: Candidate, unit: UnitInfo,
                         as_of: date | None) -> NominationDraft:
        draft = NominationDraft(NomineeKind.COLLECTIVE, candidate.award_type_code, unit.code,
                                summary=_clean(candidate.summary), score=candidate.score)
        draft = draft.with_prefill(self._prefill(session, draft, as_of))
        return replace(draft, summary=_clean(candidate.summary)) if candidate.summary else draft


def award_data_dir(data_root: Path) -> Path:
    """The data folder's `awards/`, whose files override the bundled award data."""
    return data_root / "awards"


class MemorySettings:
    """Settings kept in memory: a service built without a data set (tests, tools) still calibrates."""

    def __init__(self) -> None:
        self.values: dict[str, object] = {}

    def setting(self, key: str) -> object:
        return self.values.get(key)

    def set_settings(self, **values: object) -> dict[str, list[object]]:
        changes = {k: [self.values.get(k), v] for k, v in values.items() if self.values.get(k) != v}
        self.values.update(values)
        return changes


__all__ = [
    "CATEGORY_LABELS", "HONORIFIC", "KIND_LABELS", "SEX_LABELS", "STATUS_LABELS", "AwardService", "Candidate",
    "NominationChange", "NominationDraft", "NominationInfo", "OffsetChange", "PriorAwardInfo", "RoundInfo",
    "award_data_dir", "header_defaults",
]
