"""Whether a nomination may be proposed: the council's vote against the award's ratio, the unit's score
against the award's line, and the votes against the members present, all from data.

The ratio per award type is `min_vote_percent` in `resources/awards/award-types.json`; the score line
is the scoring scheme's `awards[].min_percent` (the rule the ranking already applies, kept in one
place). A nominee below a threshold is printed in a Tờ trình or Danh sách only after an explicit,
audited override (`AwardService.override_threshold`); the Biên bản always states the real result.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from thidua_desktop.core.awards.catalog import AwardCatalog
from thidua_desktop.core.awards.models import NomineeKind
from thidua_desktop.core.awards.records import NominationInfo, RoundInfo
from thidua_desktop.core.awards.succession import dissolved_note
from thidua_desktop.core.errors import UserError
from thidua_desktop.core.text import format_against, format_number, format_percent


@dataclass(frozen=True)
class ScoreLine:
    """The ranking's line for an award: minimum percent of the standard total."""

    min_percent: float
    standard_total: float


@dataclass(frozen=True)
class Eligibility:
    """One nomination's results against its thresholds, and what is wrong, in words for the user."""

    nomination_id: int
    name: str
    vote_percent: float | None  # None: not voted yet
    vote_threshold: float
    score_percent: float | None  # None: no score, or no line for this award
    score_threshold: float | None
    problems: tuple[str, ...]  # below a threshold, or votes that contradict the meeting
    override_reason: str = ""
    warnings: tuple[str, ...] = ()  # for the council's attention, not blocking (a nominee that no longer exists)

    @property
    def voted(self) -> bool:
        return self.vote_percent is not None

    @property
    def vote_passed(self) -> bool | None:
        return None if self.vote_percent is None else self.vote_percent + 1e-9 >= self.vote_threshold

    @property
    def below_threshold(self) -> bool:
        return bool(self.problems)

    @property
    def may_print(self) -> bool:
        """Listed in a Tờ trình / Danh sách: nothing below a threshold, or an override was recorded."""
        return not self.problems or bool(self.override_reason)

    def result_text(self) -> str:
        """The Biên bản's "Kết quả" cell: "Đạt", "Không đạt (dưới 70%)", "Chưa biểu quyết"."""
        if self.vote_percent is None:
            return "Chưa biểu quyết"
        if self.vote_passed:
            return "Đạt"
        return f"Không đạt (dưới {format_number(self.vote_threshold)}%)"


def check(nomination: NominationInfo, round_info: RoundInfo, catalog: AwardCatalog,
          score_lines: Mapping[str, ScoreLine], override_reason: str = "") -> Eligibility:
    """Every threshold of one nomination (pure: the service supplies the data)."""
    award = catalog.award_type(nomination.draft.award_type_code)
    problems: list[str] = []
    percent = nomination.approval_percent
    if percent is not None and percent + 1e-9 < award.min_vote_percent:
        problems.append(f"{nomination.votes_label} phiếu đồng ý ({format_percent(percent, target=award.min_vote_percent)}), "
                        f"dưới tỷ lệ {format_number(award.min_vote_percent)}% của {award.name}")
    present = round_info.members_present
    if nomination.votes_total is not None and present is not None and nomination.votes_total > present:
        problems.append(f"tổng số phiếu {nomination.votes_total} nhiều hơn số thành viên có mặt ({present})")
    line = score_lines.get(award.code)
    score_percent = None
    if line is not None and nomination.kind is NomineeKind.COLLECTIVE and nomination.draft.score is not None \
            and line.standard_total:
        score_percent = nomination.draft.score * 100.0 / line.standard_total
        if score_percent + 1e-9 < line.min_percent:
            problems.append(f"điểm {format_against(nomination.draft.score, line.min_percent * line.standard_total / 100)}"
                            f" ({format_percent(score_percent, target=line.min_percent)}), dưới mức "
                            f"{format_number(line.min_percent)}% để đề nghị {award.name}")
    warnings = ()
    if nomination.kind is NomineeKind.COLLECTIVE:
        note = dissolved_note(nomination.unit, round_info.document_date)
        warnings = (note,) if note else ()
    return Eligibility(nomination.id, nomination.name, percent, award.min_vote_percent, score_percent,
                       line.min_percent if line else None, tuple(problems), override_reason, warnings)


class BelowThreshold(UserError):
    """A document would propose a nominee below a threshold with no recorded override."""

    exit_code = 2


def check_printable(nominations: Sequence[NominationInfo], eligibility: Mapping[int, Eligibility]) -> None:
    """Refuse a Tờ trình / Danh sách / Báo cáo listing a nominee below a threshold without an override."""
    blocked = [eligibility[n.id] for n in nominations if n.id in eligibility and not eligibility[n.id].may_print]
    if blocked:
        lines = "\n".join(f"– {e.name}: {'; '.join(e.problems)}." for e in blocked)
        raise BelowThreshold(
            f"Không in đề nghị khen thưởng cho tập thể, cá nhân chưa đạt tiêu chuẩn:\n{lines}",
            hint="Xóa đề nghị khỏi đợt, sửa kết quả biểu quyết, hoặc bấm “Vẫn đề nghị…” ở thẻ Bình xét và ghi lý do "
                 "(được lưu vào nhật ký). Biên bản vẫn in được và ghi đúng kết quả từng người.",
        )
