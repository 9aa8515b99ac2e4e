"""Nominations: storage, validation, votes and status, pre-fill from the data, candidates from the ranking."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.core.awards.conftest import department_round, person
from thidua_desktop.core.awards.models import NominationStatus, NomineeKind, PriorAwardCategory
from thidua_desktop.core.awards.service import (
    AwardService,
    Candidate,
    NominationDraft,
    PriorAwardInfo,
    RoundInfo,
    header_defaults,
)
from thidua_desktop.core.errors import Cancelled, ValidationError
from thidua_desktop.core.models import Activity, AuditEntry
from thidua_desktop.core.query import ActivityFilter, indicator_values
from thidua_desktop.core.text import format_number, format_percent
from thidua_desktop.core.units import get_unit
from thidua_desktop.core.workspace import Workspace


def test_header_defaults_use_the_units_historical_letterhead(workspace: Workspace) -> None:
    with workspace.sessions() as session:
        district, department, office = (get_unit(session, c) for c in ("PTP-CM", "STP", "STP-VP"))
    assert header_defaults(district) == {"header_parent": "UBND HUYỆN CHỢ MỚI", "header_agency": "PHÒNG TƯ PHÁP",
                                         "agency_symbol": "PTP", "place": "Chợ Mới"}
    assert header_defaults(department) == {"header_parent": "UBND TỈNH AN GIANG", "header_agency": "SỞ TƯ PHÁP",
                                           "agency_symbol": "STP", "place": "An Giang"}
    assert header_defaults(office)["header_agency"] == "VĂN PHÒNG SỞ"
    with workspace.sessions() as session:
        assert header_defaults(get_unit(session, "PTP-LX"))["place"] == "Long Xuyên"


def test_an_individual_nomination_round_trips_with_its_prior_awards(service: AwardService, award_round: RoundInfo,
                                                                   demo_workspace: Workspace) -> None:
    new_id, change = service.create(award_round.id, person())
    assert change.created == (new_id,)
    stored = service.get(new_id)
    assert stored.status is NominationStatus.DRAFT and stored.revision == 1
    assert stored.draft == person()
    assert stored.unit.name == "Phòng Tư pháp huyện Chợ Mới"
    assert stored.draft.prior_awards[0].decision_text == (
        "Quyết định số 125/QĐ-STP ngày 20/12/2022 của Sở Tư pháp tỉnh An Giang")
    with demo_workspace.sessions() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.entity == "nomination")).one()
    assert entry.action == "create" and "Nguyễn Thị Thu Hà" in entry.changes_json


def test_a_collective_takes_the_units_name_and_drops_person_fields(service: AwardService, award_round: RoundInfo) -> None:
    draft = person(kind=NomineeKind.COLLECTIVE, name="", unit_code="PTP-TT")
    stored = service.get(service.create(award_round.id, draft)[0])
    assert stored.name == "Phòng Tư pháp huyện Tri Tôn"
    assert (stored.draft.sex, stored.draft.birth_date, stored.draft.position) == (None, None, "")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"award_type_code": "TTLDXS"}, "award_type_code", "không xét cho cá nhân"),
        ({"award_type_code": "CSTDCS"}, "award_type_code", "theo chuyên đề"),
        ({"award_type_code": "KHONG-CO"}, "award_type_code", "Không có hình thức"),
        ({"name": "  "}, "name", "họ và tên"),
        ({"unit_code": "XYZ"}, "unit_code", "Không có đơn vị"),
        ({"birth_date": date(2999, 1, 1)}, "birth_date", "Ngày sinh"),
        ({"prior_awards": (PriorAwardInfo(PriorAwardCategory.TITLE, 1800, "Lao động tiên tiến"),)},
         "prior_awards.1", "năm 1800"),
    ],
)
def test_invalid_nominations_are_refused_with_the_field_named(service: AwardService, award_round: RoundInfo,
                                                              changes: dict, field: str, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        service.create(award_round.id, person(**changes))
    assert message in caught.value.problems[field]
    assert service.nominations(award_round.id) == []


def test_status_goes_draft_voted_submitted_and_a_submitted_nomination_is_frozen(
        service: AwardService, award_round: RoundInfo) -> None:
    new_id, _ = service.create(award_round.id, person())
    with pytest.raises(ValidationError, match="chưa có kết quả bình xét"):
        service.submit(new_id)
    with pytest.raises(ValidationError, match="vượt quá"):
        service.record_votes(new_id, 8, 3, 9)
    service.record_votes(new_id, 8, 1, 9)
    voted = service.get(new_id)
    assert (voted.status, voted.votes_label, round(voted.approval_percent, 1)) == (NominationStatus.VOTED, "8/9", 88.9)
    service.submit(new_id)
    submitted = service.get(new_id)
    assert submitted.status is NominationStatus.SUBMITTED and submitted.submitted_at is not None
    with pytest.raises(ValidationError, match="đã trình"):
        service.update(new_id, person(position="Phó Trưởng phòng"))
    with pytest.raises(ValidationError, match="đã trình"):
        service.delete([new_id])
    service.reopen(new_id)
    assert service.get(new_id).status is NominationStatus.VOTED
    service.update(new_id, person(position="Phó Trưởng phòng"))
    service.reopen(new_id)
    reopened = service.get(new_id)
    assert (reopened.status, reopened.votes_total, reopened.draft.position) == (
        NominationStatus.DRAFT, None, "Phó Trưởng phòng")


def test_a_stale_revision_is_refused(service: AwardService, award_round: RoundInfo) -> None:
    new_id, _ = service.create(award_round.id, person())
    service.update(new_id, person(note="lần 1"), expected_revision=1)
    with pytest.raises(ValidationError, match="vừa được sửa"):
        service.update(new_id, person(note="lần 2"), expected_revision=1)
    assert service.update(new_id, person(note="lần 1")).empty


def test_prefilled_figures_are_the_units_indicator_results(service: AwardService, demo_workspace: Workspace) -> None:
    campaign = demo_workspace.campaign()
    with demo_workspace.sessions() as session:
        unit = get_unit(session, "PTP-CM")
        expected = indicator_values(session, campaign, ActivityFilter(campaign_id=campaign.id,
                                                                     unit_ids=frozenset({unit.id})))[None]
        activity_count = session.scalar(select(func.count()).select_from(Activity).where(
            Activity.unit_id == unit.id, Activity.deleted_at.is_(None)))
    prefill = service.prefill(NominationDraft(NomineeKind.COLLECTIVE, "BK-BTP", "PTP-CM"))
    rows = {row.code: row for row in prefill.figures if not row.section}
    by_code = {r.indicator.code: r for r in expected.values()}
    assert rows["1.b"].value == format_number(by_code["1.b"].value) and rows["1.b"].unit == "lượt người"
    assert rows["2.1.c"].value == format_percent(by_code["2.1.c"].value)
    assert rows["2.1.c"].target == "≥ 100%"
    assert rows["2.1.c"].assessment == ("Đạt" if by_code["2.1.c"].target_met else "Chưa đạt")
    assert rows["2.3.g"].assessment == "Đạt"  # nothing reported against "≤ 0 complaints" meets the target
    assert [r.label for r in prefill.figures if r.section][0].startswith("1. ")
    assert prefill.achievements.startswith(f"Trong giai đoạn 2023 – 2025, Phòng Tư pháp huyện Chợ Mới đã triển khai "
                                           f"{activity_count} hoạt động")
    assert f"số lượt người tham dự: {format_number(by_code['1.b'].value)} lượt người" in prefill.achievements
    assert prefill.activities_summary.startswith("Các hoạt động tiêu biểu của Phòng Tư pháp huyện Chợ Mới:")
    assert prefill.activities_summary.count("\n- Ngày ") >= 5


def test_an_individuals_prefill_lists_the_activities_they_led(service: AwardService, demo_workspace: Workspace) -> None:
    with demo_workspace.sessions() as session:
        unit = get_unit(session, "PTP-CM")
        officer, led = session.execute(
            select(Activity.responsible_officer, func.count()).where(Activity.unit_id == unit.id)
            .group_by(Activity.responsible_officer).order_by(func.count().desc()).limit(1)).one()
    prefill = service.prefill(person(name=officer))
    assert f"trực tiếp phụ trách {led} hoạt động" in prefill.achievements
    assert prefill.activities_summary.startswith(f"Trực tiếp phụ trách {led} hoạt động của Phòng Tư pháp huyện Chợ Mới")


def test_candidates_from_the_ranking_become_prefilled_drafts_once(service: AwardService, award_round: RoundInfo) -> None:
    candidates = [Candidate("PTP-CM", "BK-BTP", 92.5, "Xếp thứ nhất, 92,5 điểm"), Candidate("PTP-TT", "GK-STP", 88.0),
                  Candidate("PTP-XX", "BK-BTP", 80.0), Candidate("PTP-CM", "BK-BTP", 92.5)]
    change = service.create_from_candidates(award_round.id, candidates)
    assert len(change.created) == 2
    assert change.skipped == ("PTP-XX: không có trong danh sách đơn vị.",
                              "Phòng Tư pháp huyện Chợ Mới: đã có đề nghị hình thức này trong đợt.")
    first, second = service.nominations(award_round.id)
    assert (first.name, first.draft.score, first.draft.summary) == (
        "Phòng Tư pháp huyện Chợ Mới", 92.5, "Xếp thứ nhất, 92,5 điểm")
    assert re.fullmatch(r"\d+ hoạt động hưởng ứng phong trào(; đạt \d+/\d+ chỉ tiêu có mục tiêu)?", second.draft.summary)
    assert first.draft.figures and first.draft.achievements.startswith("Trong giai đoạn")
    assert all(n.status is NominationStatus.DRAFT for n in (first, second))
    again = service.create_from_candidates(award_round.id, candidates[:2])
    assert again.created == () and len(again.skipped) == 2


def test_nominations_list_collectives_first(service: AwardService, award_round: RoundInfo) -> None:
    service.create(award_round.id, person())
    service.create(award_round.id, person(kind=NomineeKind.COLLECTIVE, name="", unit_code="PTP-TT"))
    assert [n.kind for n in service.nominations(award_round.id)] == [NomineeKind.COLLECTIVE, NomineeKind.INDIVIDUAL]


def test_round_settings_are_validated_and_audited(service: AwardService, demo_workspace: Workspace) -> None:
    round_info = department_round(service, demo_workspace)
    assert (round_info.header_agency, round_info.place, round_info.agency_symbol) == ("SỞ TƯ PHÁP", "An Giang", "STP")
    with pytest.raises(ValidationError, match="có mặt"):
        service.save_round(replace(round_info, members_present=12))
    assert service.rounds() == [round_info]
    with demo_workspace.sessions() as session:
        actions = session.scalars(select(AuditEntry.action).where(AuditEntry.entity == "award_round")).all()
    assert actions == ["create", "update"]


def test_the_service_lists_units_and_the_rounds_document_context(service: AwardService, award_round: RoundInfo,
                                                                demo_workspace: Workspace) -> None:
    codes = [u.code for u in service.units()]
    assert "STP" in codes and "PTP-CM" in codes
    context = service.dossier_context(award_round.id)
    assert context.round.id == award_round.id and context.issuing_unit.code == "STP"
    assert context.campaign.id == demo_workspace.campaign().id


def test_a_cancelled_prefill_or_ranking_stops(service: AwardService) -> None:
    with pytest.raises(Cancelled):
        service.prefill(person(), cancel=lambda: True)
    with pytest.raises(Cancelled):
        service.ranking_choices(cancel=lambda: True)
    seen: list[tuple[int, int]] = []
    choices = service.ranking_choices(progress=lambda d, t: seen.append((d, t)))
    assert choices and seen == [(0, 1), (1, 1)]


def test_cancelled_candidates_leave_the_round_as_it_was(service: AwardService, award_round: RoundInfo,
                                                         demo_workspace: Workspace) -> None:
    candidates = [Candidate("PTP-CM", "BK-BTP", 92.5), Candidate("PTP-TT", "GK-STP", 88.0)]
    checks = iter(range(100))
    with pytest.raises(Cancelled):  # cancelled after the first nomination was added inside the transaction
        service.create_from_candidates(award_round.id, candidates, cancel=lambda: next(checks) >= 2)
    assert service.nominations(award_round.id) == []
    with demo_workspace.sessions() as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry)
                              .where(AuditEntry.entity == "nomination")) == 0
    steps: list[tuple[int, int]] = []
    change = service.create_from_candidates(award_round.id, candidates, progress=lambda d, t: steps.append((d, t)))
    assert len(change.created) == 2 and steps == [(0, 2), (1, 2), (2, 2)]
