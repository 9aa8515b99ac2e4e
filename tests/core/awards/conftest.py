"""Award fixtures: the shared `workspace` (SQLite, and PostgreSQL in CI) with demo data and a review round."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from thidua_desktop.core.awards.models import NomineeKind, PriorAwardCategory, Sex
from thidua_desktop.core.awards.service import (
    AwardService,
    Candidate,
    NominationDraft,
    PriorAwardInfo,
    RoundInfo,
    SignerInfo,
)
from thidua_desktop.core.demo import populate
from thidua_desktop.core.units import get_unit, list_units, save_unit
from thidua_desktop.core.workspace import Workspace


@pytest.fixture
def demo_workspace(workspace: Workspace) -> Workspace:
    """Demo data whose district offices (ended 30/6/2025) name the Sở as successor, as the units editor allows."""
    populate(workspace)
    with workspace.write_sessions.begin() as session:
        for unit in list_units(session):
            if unit.valid_to is not None:
                save_unit(session, replace(unit, merged_into_code="STP"), actor="test")
    return workspace


@pytest.fixture
def service(demo_workspace: Workspace) -> AwardService:
    return demo_workspace.awards()


def department_round(service: AwardService, workspace: Workspace, **changes: object) -> RoundInfo:
    with workspace.sessions() as session:
        department = get_unit(session, "STP")
    base = service.ensure_round(department)
    values = {
        "document_date": date(2025, 12, 5), "numbers": {"to_trinh/BK-BTP": "5"}, "signer_authority": "KT. GIÁM ĐỐC",
        "signer_title": "PHÓ GIÁM ĐỐC", "signer_name": "Nguyễn Văn Minh", "meeting_date": date(2025, 12, 1),
        "meeting_place": "Phòng họp Sở Tư pháp", "chair_name": "Trần Thị Hoa", "secretary_name": "Lê Văn Bình",
        "members_present": 9, "members_total": 11,
    } | changes
    return service.save_round(replace(base, **values))[0]


@pytest.fixture
def award_round(service: AwardService, demo_workspace: Workspace) -> RoundInfo:
    return department_round(service, demo_workspace)


def person(**changes: object) -> NominationDraft:
    base = NominationDraft(
        NomineeKind.INDIVIDUAL, "BK-BTP", "PTP-CM", name="Nguyễn Thị Thu Hà", sex=Sex.FEMALE,
        birth_date=date(1982, 3, 4), position="Trưởng phòng", qualifications="Cử nhân Luật",
        achievements="Tham mưu tổ chức 12 đợt trợ giúp pháp lý lưu động.",
        prior_awards=(PriorAwardInfo(PriorAwardCategory.AWARD, 2022, "Giấy khen của Giám đốc Sở Tư pháp",
                                     "125/QĐ-STP", date(2022, 12, 20), "Sở Tư pháp tỉnh An Giang"),),
    )
    return replace(base, **changes)


@pytest.fixture
def nominated(service: AwardService, award_round: RoundInfo) -> tuple[int, int]:
    """A collective (Chợ Mới, voted 9/9) and an individual (voted 8/9), both for the Minister's Bằng khen."""
    collective = service.create_from_candidates(award_round.id, [Candidate("PTP-CM", "BK-BTP", 92.5)]).created[0]
    individual, _ = service.create(award_round.id, person())
    service.record_votes(collective, 9, 0, 9)
    service.record_votes(individual, 8, 1, 9)
    return collective, individual


NUMBERS = {"to_trinh/BK-BTP": "15", "to_trinh/BK-UBND": "16", "to_trinh/GK-STP": "15", "bien_ban": "3"}
OFFICE = {"VP": SignerInfo("KT. CHÁNH VĂN PHÒNG", "PHÓ CHÁNH VĂN PHÒNG", "Phạm Thị Lan")}


@pytest.fixture
def several_awards(service: AwardService, demo_workspace: Workspace) -> RoundInfo:
    """A round with three award types (two Tờ trình of the Sở, one of its Văn phòng), all voted."""
    info = department_round(service, demo_workspace, numbers=NUMBERS, signers=OFFICE)
    report = service.create_from_candidates(info.id, [Candidate("PTP-CM", "BK-BTP", 92.5),
                                                      Candidate("PTP-TS", "BK-UBND", 90.1),
                                                      Candidate("PTP-LX", "GK-STP", 88.0)])
    individual, _ = service.create(info.id, person(award_type_code="GK-STP"))
    for nomination_id in (*report.created, individual):
        service.record_votes(nomination_id, 9, 0, 9)
    return service.get_round(info.id)
