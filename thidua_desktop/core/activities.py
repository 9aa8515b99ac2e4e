"""Activities (hoạt động): validated create/update, soft delete with tombstones, restore, and lookup.

Every mutation is one transaction that bumps the revision, writes the audit log and returns a
`ChangeReport`, from which the GUI refreshes only what changed.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from thidua_desktop.core import audit
from thidua_desktop.core.catalogue import CampaignInfo
from thidua_desktop.core.errors import NotFoundError, UserError, ValidationError
from thidua_desktop.core.models import Activity, ActivityEvidence, Evidence, Unit, utc_now
from thidua_desktop.core.records import (  # the codec; re-exported here for the callers of activities
    ActivityDraft,
    AttachmentDraft,
    activity_search_text,
    apply_draft,
    draft_text_problems,
    figures_text,
    row_draft,
    summarise_figures,
)
from thidua_desktop.core.text import format_date, format_number, nfc
from thidua_desktop.core.units import UnitInfo

__all__ = [
    "ActivityDraft", "ActivityService", "AttachmentDraft", "ChangeReport", "activity_search_text", "figures_text",
    "summarise_figures", "validate_draft",
]

MAX_VALUE = 10**15  # a quadrillion đồng: far above any real figure, well inside a 64-bit column


@dataclass(frozen=True)
class ChangeReport:
    created: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    deleted: tuple[str, ...] = ()
    restored: tuple[str, ...] = ()
    evidence_changed: tuple[str, ...] = ()

    @property
    def touched(self) -> set[str]:
        return set(self.created) | set(self.updated) | set(self.deleted) | set(self.restored) | set(
            self.evidence_changed
        )

    @property
    def empty(self) -> bool:
        return not self.touched


class DraftWarningCode(enum.StrEnum):
    """What a warning is about, so that a caller decides what to show by kind, never by its wording."""

    UNIT_NOT_VALID = "unit-not-valid"  # the unit did not exist (yet, or any more) on the activity's date
    DATE_OUTSIDE_CAMPAIGN = "date-outside-campaign"
    NO_FIGURES = "no-figures"


@dataclass(frozen=True)
class DraftWarning:
    """Something the user may accept before saving: a kind to branch on and a Vietnamese message to show."""

    code: DraftWarningCode
    message: str

    def __str__(self) -> str:
        return self.message


def validate_draft(
    campaign: CampaignInfo, draft: ActivityDraft, unit: UnitInfo | None = None
) -> tuple[dict[str, str], list[DraftWarning]]:
    """Problems that block saving (field → message) and warnings the user may accept."""
    problems: dict[str, str] = {}
    warnings: list[DraftWarning] = []
    if unit is not None and draft.activity_date is not None and not unit.is_valid_on(draft.activity_date):
        ended = unit.valid_to and draft.activity_date > unit.valid_to
        warnings.append(DraftWarning(
            DraftWarningCode.UNIT_NOT_VALID,
            f"{unit.name} {'đã thôi hoạt động từ sau ngày ' + format_date(unit.valid_to) if ended else 'chưa được thành lập vào ngày này'}"
            f" (ngày hoạt động {format_date(draft.activity_date)}).",
        ))
    if draft.criterion_id not in campaign.criteria_by_id:
        problems["criterion"] = "Chưa chọn tiêu chí của kế hoạch."
    if not draft.title.strip():
        problems["title"] = "Chưa nhập tên hoạt động."
    for name, message in draft_text_problems(draft).items():
        problems.setdefault(name, message)
    if draft.activity_date is None:
        problems["activity_date"] = "Chưa nhập ngày thực hiện."
    elif not campaign.contains(draft.activity_date):
        warnings.append(DraftWarning(
            DraftWarningCode.DATE_OUTSIDE_CAMPAIGN,
            f"Ngày {draft.activity_date:%d/%m/%Y} nằm ngoài thời gian của phong trào "
            f"({campaign.starts_on:%d/%m/%Y} – {campaign.ends_on:%d/%m/%Y}).",
        ))
    allowed = {i.id for i in campaign.entered_indicators_of(draft.criterion_id)}
    for indicator_id, value in draft.values.items():
        indicator = campaign.indicators_by_id.get(indicator_id)
        if indicator is None or indicator_id not in allowed:
            criterion = campaign.criteria_by_id.get(draft.criterion_id)
            problems[f"value:{indicator_id}"] = (
                f"“{indicator.name if indicator else indicator_id}” không thuộc tiêu chí "
                f"{criterion.code if criterion else 'đã chọn'}.")
        elif value < 0:
            problems[f"value:{indicator_id}"] = f"“{indicator.name}” không được là số âm."
        elif value > MAX_VALUE:
            problems[f"value:{indicator_id}"] = f"“{indicator.name}” quá lớn (tối đa {format_number(MAX_VALUE)})."
    for indicator_id, value in draft.values.items():
        indicator = campaign.indicators_by_id.get(indicator_id)
        if indicator is None or indicator.part_of_id is None:
            continue
        whole = draft.values.get(indicator.part_of_id, 0)
        if value > whole:
            whole_ind = campaign.indicators_by_id[indicator.part_of_id]
            problems[f"value:{indicator_id}"] = (
                f"“{indicator.name}” ({format_number(value)}) không được lớn hơn "
                f"“{whole_ind.name}” ({format_number(whole)})."
            )
    if not draft.values and "criterion" not in problems:
        warnings.append(DraftWarning(
            DraftWarningCode.NO_FIGURES, "Hoạt động chưa có số liệu nào; nó sẽ không được cộng vào kết quả."
        ))
    return problems, warnings


def _snapshot(activity: Activity) -> dict[str, object]:
    return {
        "criterion_id": activity.criterion_id,
        "activity_date": activity.activity_date.isoformat(),
        "title": activity.title,
        "commune": activity.commune,
        "is_poor_commune": activity.is_poor_commune,
        "is_remote_area": activity.is_remote_area,
        "is_ethnic_area": activity.is_ethnic_area,
        "description": activity.description,
        "responsible_officer": activity.responsible_officer,
        "values": {str(v.indicator_id): v.value for v in sorted(activity.values, key=lambda v: v.indicator_id)},
        "attachments": [
            [a.evidence.sha256, a.file_name, a.caption]
            for a in sorted(activity.attachments, key=lambda link: link.position)
            if a.evidence
        ],
    }


def sync_attachments(session: Session, activity: Activity, drafts: list[AttachmentDraft]) -> None:
    """Make the activity's links exactly `drafts` (by sha256, in order), creating Evidence rows as needed."""
    current = {link.evidence.sha256: link for link in activity.attachments}
    wanted: dict[str, AttachmentDraft] = {}
    for draft in drafts:
        wanted.setdefault(draft.sha256, draft)  # the same file twice on one activity is kept once
    for sha, link in list(current.items()):
        if sha not in wanted:
            activity.attachments.remove(link)
    for position, (sha, draft) in enumerate(wanted.items(), start=1):
        link = current.get(sha)
        if link is None:
            evidence = session.scalar(select(Evidence).where(Evidence.sha256 == sha))
            if evidence is None:
                evidence = Evidence(
                    sha256=sha, original_name=nfc(draft.file_name), mime_type=draft.mime_type, size=draft.size
                )
                session.add(evidence)
                session.flush()
            link = ActivityEvidence(evidence=evidence, file_name=nfc(draft.file_name))
            activity.attachments.append(link)
        link.caption = nfc(draft.caption.strip())
        link.position = position
    activity.evidence_count = len(wanted)


def check_not_locked(session: Session, activity: Activity, new_day: date | None) -> None:
    """Approved (locked) periods are read-only here too, not only for incoming bundles.

    A record that came in a unit's bundle is the unit's: only the unit's next bundle may change it,
    otherwise that bundle would silently overwrite the edit (or bring a deletion back).
    """
    if activity.source_bundle_id is not None:
        unit = session.get(Unit, activity.unit_id)
        raise UserError(
            f"Hoạt động “{activity.title}” do {unit.name if unit else 'đơn vị'} gửi lên qua gói dữ liệu; "
            "chỉ đơn vị đó sửa được.",
            hint="Nếu số liệu chưa đúng, hãy đề nghị đơn vị giải trình (Tổng hợp › Thẩm định) để đơn vị sửa và gửi lại.",
        )
    from thidua_desktop.core.locks import period_lock_reason

    current = activity.activity_date if activity.id is not None else None
    reason = period_lock_reason(session, activity.unit_id, activity.campaign_id, current, new_day)
    if reason:
        raise UserError(
            f"Không sửa được hoạt động “{activity.title or ''}”: {reason}",
            hint="Số liệu kỳ này đã được Sở duyệt. Muốn sửa, hãy đề nghị người duyệt mở khóa kỳ đó.",
        )


SHORT_ID_LENGTH = 8  # how many characters of an activity id lists show
SHORT_ID_MIN = 4


class ActivityService:
    """Activity mutations and lookups for one campaign and one actor."""

    def __init__(
        self, sessions: sessionmaker[Session], write_sessions: sessionmaker[Session], campaign: CampaignInfo, actor: str
    ) -> None:
        """Reads use `sessions`; mutations use `write_sessions`, which take SQLite's write lock at BEGIN."""
        self.sessions = sessions
        self.write_sessions = write_sessions
        self.campaign = campaign
        self.actor = actor

    def _check(self, draft: ActivityDraft) -> None:
        problems, _warnings = validate_draft(self.campaign, draft)
        if problems:
            raise ValidationError(problems)

    def _load(self, session: Session, uuid: str, *, for_update: bool = False) -> Activity:
        """`for_update` locks the row on PostgreSQL, so two reviewers' edits cannot silently overwrite each other."""
        query = select(Activity).where(Activity.uuid == uuid)
        if for_update:
            query = query.with_for_update()
        activity = session.scalar(
            query
            .options(
                selectinload(Activity.values),
                selectinload(Activity.attachments).selectinload(ActivityEvidence.evidence),
            )
        )
        if activity is None:
            raise NotFoundError(f"Không tìm thấy hoạt động {uuid}.", hint="Có thể nó đã bị xóa hẳn; hãy tải lại danh sách.")
        return activity

    def create(self, unit_code: str, draft: ActivityDraft, *, uuid: str | None = None) -> ChangeReport:
        self._check(draft)
        with self.write_sessions.begin() as session:
            unit_id = session.scalar(select(Unit.id).where(Unit.code == unit_code))
            if unit_id is None:
                raise NotFoundError(f"Không có đơn vị mã “{unit_code}”.", hint="Kiểm tra Cài đặt › Đơn vị.")
            activity = Activity(unit_id=unit_id, campaign_id=self.campaign.id, revision=1, title=draft.title)
            check_not_locked(session, activity, draft.activity_date)
            if uuid:
                activity.uuid = uuid
            activity.values = []
            activity.attachments = []
            apply_draft(activity, draft, self.campaign)
            session.add(activity)
            if draft.attachments is not None:
                sync_attachments(session, activity, draft.attachments)
            session.flush()
            audit.record(session, self.actor, "create", "activity", activity.uuid, _snapshot(activity))
            return ChangeReport(created=(activity.uuid,))

    def update(self, uuid: str, draft: ActivityDraft, *, expected_revision: int | None = None) -> ChangeReport:
        self._check(draft)
        with self.write_sessions.begin() as session:
            activity = self._load(session, uuid, for_update=True)
            if expected_revision is not None and activity.revision != expected_revision:
                raise ValidationError(
                    {"revision": "Hoạt động này vừa được sửa ở nơi khác. Hãy đóng biểu mẫu và mở lại để xem bản mới."}
                )
            check_not_locked(session, activity, draft.activity_date)
            before = _snapshot(activity)
            apply_draft(activity, draft, self.campaign)
            if draft.attachments is not None:
                sync_attachments(session, activity, draft.attachments)
            session.flush()
            changes = audit.diff(before, _snapshot(activity))
            if not changes:
                return ChangeReport()
            activity.revision += 1
            activity.updated_at = utc_now()
            audit.record(session, self.actor, "update", "activity", uuid, changes)
            return ChangeReport(updated=(uuid,))

    def delete(self, uuids: Sequence[str]) -> ChangeReport:
        return self._set_tombstone(uuids, deleted=True)

    def restore(self, uuids: Sequence[str]) -> ChangeReport:
        return self._set_tombstone(uuids, deleted=False)

    def _set_tombstone(self, uuids: Sequence[str], *, deleted: bool) -> ChangeReport:
        done: list[str] = []
        with self.write_sessions.begin() as session:
            for uuid in uuids:
                activity = self._load(session, uuid, for_update=True)
                if (activity.deleted_at is not None) == deleted:
                    continue
                check_not_locked(session, activity, activity.activity_date)
                activity.deleted_at = utc_now() if deleted else None
                activity.revision += 1
                activity.updated_at = utc_now()
                audit.record(session, self.actor, "delete" if deleted else "restore", "activity", uuid, {})
                done.append(uuid)
        return ChangeReport(deleted=tuple(done)) if deleted else ChangeReport(restored=tuple(done))

    def resolve_id(self, short: str) -> str:
        """The full id of the one activity whose id starts with `short` (lists show the first 8 characters)."""
        text = short.strip().lower()
        if len(text) < SHORT_ID_MIN:
            raise UserError(f"Mã hoạt động “{short}” quá ngắn.", hint=f"Ghi ít nhất {SHORT_ID_MIN} ký tự đầu của mã.")
        with self.sessions() as session:
            found = session.scalars(
                select(Activity.uuid)
                .where(Activity.campaign_id == self.campaign.id, Activity.uuid.startswith(text, autoescape=True))
                .limit(2)
            ).all()
        if not found:
            raise NotFoundError(f"Không có hoạt động mã “{short}”.", hint="Xem mã ở cột cuối của: thidua activity list")
        if len(found) > 1:
            raise UserError(f"Có nhiều hoạt động có mã bắt đầu bằng “{short}”.", hint="Ghi thêm vài ký tự của mã.")
        return found[0]

    def get(self, uuid: str) -> ActivityDetail:
        with self.sessions() as session:
            activity = self._load(session, uuid)
            return ActivityDetail.from_row(activity, session)


@dataclass(frozen=True)
class ActivityDetail:
    uuid: str
    unit_code: str
    unit_name: str
    revision: int
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None
    draft: ActivityDraft
    from_bundle: bool = False  # recorded by a unit and received in its bundle: read-only here

    @classmethod
    def from_row(cls, activity: Activity, session: Session) -> ActivityDetail:
        unit = session.get(Unit, activity.unit_id)
        assert unit is not None
        draft = row_draft(activity)
        return cls(
            activity.uuid, unit.code, unit.name, activity.revision, activity.created_at, activity.updated_at,
            activity.deleted_at, draft, activity.source_bundle_id is not None,
        )
