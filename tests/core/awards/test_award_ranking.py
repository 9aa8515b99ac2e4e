"""Nominations from the consolidation ranking ("Tạo đề nghị từ bảng xếp hạng")."""

from __future__ import annotations

from dataclasses import replace

from thidua_desktop.core.awards.ranking import ranking_choices
from thidua_desktop.core.awards.service import AwardService, RoundInfo
from thidua_desktop.core.consolidation.scoring import AwardRule, load_scheme, rank_units
from thidua_desktop.core.query import Period
from thidua_desktop.core.workspace import Workspace


def test_ranked_units_with_proposals_become_nominations(service: AwardService, award_round: RoundInfo,
                                                       demo_workspace: Workspace) -> None:
    campaign = demo_workspace.campaign()
    with demo_workspace.sessions() as session:
        # the demo data scores 20–60 %: lower the Giấy khen threshold so the quota picks the top two
        scheme = load_scheme(session, campaign)
        scheme = replace(scheme, awards=(AwardRule("GK-STP", "Giấy khen của Giám đốc Sở Tư pháp", 0.0, 2, None),))
        ranking = rank_units(session, campaign, Period.campaign(campaign), scheme=scheme)
        choices = ranking_choices(session, campaign, scheme=scheme)
    assert [c.unit_code for c in choices] == [r.unit.code for r in ranking.rows]
    assert [c.rank for c in choices] == [r.rank for r in ranking.rows]
    assert [c.proposed_award for c in choices[:3]] == ["GK-STP", "GK-STP", None]
    top = choices[0]
    assert top.summary.startswith("Xếp hạng 1, đạt ") and top.summary.endswith("cả giai đoạn 2023–2025")
    assert "Điểm chưa được Hội đồng thẩm định (đang là điểm tự chấm)." in top.warnings

    picked = [c.candidate() for c in choices if c.proposed_award] + [choices[2].candidate("BK-UBND")]
    change = service.create_from_candidates(award_round.id, picked)
    assert len(change.created) == 3 and change.skipped == ()
    assert any(w.startswith(f"{top.unit_name}: Điểm chưa được") for w in change.warnings)
    stored = {n.unit.code: n for n in service.nominations(award_round.id)}
    assert stored[top.unit_code].draft.award_type_code == "GK-STP"
    assert stored[top.unit_code].draft.score == round(top.points, 2)
    assert stored[top.unit_code].draft.summary == top.summary
    assert stored[choices[2].unit_code].draft.award_type_code == "BK-UBND"
