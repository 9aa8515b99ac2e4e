"""Votes and scores against the thresholds in the data: contradictions refused, the Biên bản states each
result, a nominee below a threshold is proposed only after an explicit, audited override (issue 13, item 3)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import text

from tests.core.awards.pdfcheck import full_text
from thidua_desktop.core.awards.eligibility import BelowThreshold
from thidua_desktop.core.awards.service import AwardService, Candidate, RoundInfo
from thidua_desktop.core.errors import ValidationError
from thidua_desktop.core.workspace import Workspace


def test_votes_cannot_outnumber_the_members_present(service: AwardService, award_round: RoundInfo,
                                                    nominated: tuple[int, int]) -> None:
    with pytest.raises(ValidationError) as caught:
        service.record_votes(nominated[0], 9, 1, 10)  # 9 of 11 members present
    assert "có mặt (9)" in str(caught.value)
    with pytest.raises(ValidationError) as caught:
        service.save_round(replace(service.get_round(award_round.id), members_present=8))
    assert "9 phiếu" in str(caught.value)


def test_a_ratio_below_the_awards_line_is_stated_and_blocks_the_submission_until_overridden(
        service: AwardService, award_round: RoundInfo, demo_workspace: Workspace) -> None:
    service.save_round(replace(service.get_round(award_round.id), members_present=7))
    nomination = service.create_from_candidates(award_round.id, [Candidate("PTP-TS", "BK-BTP", 92.0)]).created[0]
    service.record_votes(nomination, 3, 4, 7)  # 42,9 % against the 50 % of the data file
    result = service.eligibility(award_round.id)[nomination]
    assert result.vote_passed is False and not result.may_print
    documents = demo_workspace.awards().documents
    minutes = full_text(documents.render_choice("bien_ban", nomination).pdf)
    assert "3 4 7 42,9% Không đạt (dưới 50%)" in minutes
    assert "Chưa có tập thể, cá nhân nào đạt tỷ lệ" in minutes and "không đề nghị khen thưởng: Phòng Tư pháp huyện Thoại Sơn" in minutes
    for key in ("to_trinh", "danh_sach", "all"):
        with pytest.raises(BelowThreshold) as caught:
            documents.render_choice(key, nomination)
        assert "3/7 phiếu đồng ý (42,9%), dưới tỷ lệ 50%" in str(caught.value) and "Vẫn đề nghị" in caught.value.hint
    with pytest.raises(ValidationError):
        service.override_threshold(nomination, "  ")
    service.override_threshold(nomination, "Theo kết luận của Chủ tịch Hội đồng")
    assert "Thoại Sơn" in full_text(documents.render_choice("to_trinh", nomination).pdf)
    with demo_workspace.sessions() as session:
        audited = session.execute(text("SELECT action, changes_json FROM audit_log WHERE action = 'override_threshold'")).all()
    assert len(audited) == 1 and "Chủ tịch Hội đồng" in audited[0][1]
    service.clear_override(nomination)
    with pytest.raises(BelowThreshold):
        documents.render_choice("to_trinh", nomination)


def test_a_score_below_the_rankings_line_needs_an_override(service: AwardService, award_round: RoundInfo,
                                                          demo_workspace: Workspace) -> None:
    nomination = service.create_from_candidates(award_round.id, [Candidate("PTP-TS", "BK-BTP", 60.0)]).created[0]
    service.record_votes(nomination, 9, 0, 9)
    result = service.eligibility(award_round.id)[nomination]
    assert result.vote_passed and not result.may_print
    assert any("dưới mức 85% để đề nghị Bằng khen của Bộ trưởng Bộ Tư pháp" in p for p in result.problems)
    with pytest.raises(BelowThreshold):
        demo_workspace.awards().documents.render_choice("to_trinh", nomination)
    assert "Đạt" in full_text(demo_workspace.awards().documents.render_choice("bien_ban", nomination).pdf)
