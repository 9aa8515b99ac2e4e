"""The one activity-record codec: draft ⇄ row ⇄ bundle record, with the derived list columns.

An activity exists in three shapes: the `ActivityDraft` the form (or CLI) edits, the `Activity` row,
and the record a bundle carries (docs/bundle-format.md §4). Every conversion between them lives
here, and so do the derived columns (search text, sort keys, the "key figures" summary), so a row
written by the form, by an import or by a held change resolved later is the same row.

A leaf of the core (models, catalogue and text only), so that activities, the importer, the pending
list and the exporter all use it without importing each other.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from thidua_desktop.core.catalogue import CampaignInfo, IndicatorInfo
from thidua_desktop.core.models import Activity, ActivityEvidence, IndicatorValue, utc_now
from thidua_desktop.core.text import fold, format_number, nfc, sort_key, text_problem, visible_text

Record = dict[str, Any]  # one activity as a bundle carries it
_TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


@dataclass(frozen=True)
class AttachmentDraft:
    """A file already copied into the evidence store, as the form (or a bundle) wants it linked."""

    sha256: str
    file_name: str
    mime_type: str
    size: int
    caption: str = ""


@dataclass
class ActivityDraft:
    """What the form (or CLI, or a bundle) supplies; `values` maps indicator id → integer value."""

    criterion_id: int
    activity_date: date
    title: str
    commune: str = ""
    is_poor_commune: bool = False
    is_remote_area: bool = False
    is_ethnic_area: bool = False
    description: str = ""
    responsible_officer: str = ""
    values: dict[int, int] = field(default_factory=dict)
    attachments: list[AttachmentDraft] | None = None  # None leaves the current attachments as they are


# --- derived columns -------------------------------------------------------------------------------


def activity_search_text(title: str, commune: str, officer: str) -> str:
    return fold(" ".join(part for part in (title, commune, officer) if part))


def figures_text(values: Iterable[tuple[str, bool, int]]) -> tuple[str, int]:
    """The list's "key figures" text and its sort value from (unit, is_key, value): key indicators first."""
    ordered = sorted(values, key=lambda item: not item[1])
    parts = [f"{format_number(v)} {unit}" for unit, _key, v in ordered if v][:3]
    lead = next((v for _unit, _key, v in ordered if v), 0)
    return " · ".join(parts), lead


def summarise_figures(values: Iterable[tuple[IndicatorInfo, int]]) -> tuple[str, int]:
    """"Of which" parts (on time, successful) are left out: the whole already says what was done."""
    return figures_text((ind.unit, ind.is_key, v) for ind, v in values if ind.part_of_id is None)


def _derive_columns(activity: Activity, values: Mapping[int, int], campaign: CampaignInfo) -> None:
    """The columns the lists sort and search on, computed from the stored fields, never typed in."""
    activity.search_text = activity_search_text(activity.title, activity.commune, activity.responsible_officer)
    activity.title_sort_key = sort_key(activity.title)
    activity.commune_sort_key = sort_key(activity.commune)
    activity.figures_summary, activity.lead_value = summarise_figures(
        (campaign.indicators_by_id[k], v) for k, v in sorted(values.items())
    )


def _set_fields(activity: Activity, draft: ActivityDraft) -> None:
    activity.criterion_id = draft.criterion_id
    activity.activity_date = draft.activity_date
    activity.title = draft.title
    activity.commune = draft.commune
    activity.is_poor_commune = draft.is_poor_commune
    activity.is_remote_area = draft.is_remote_area
    activity.is_ethnic_area = draft.is_ethnic_area
    activity.description = draft.description
    activity.responsible_officer = draft.responsible_officer


# --- draft → row ---------------------------------------------------------------------------------


def normalised(draft: ActivityDraft) -> ActivityDraft:
    """What a person typed, as it is stored: NFC text without surrounding blanks."""
    return replace(
        draft, title=nfc(draft.title.strip()), commune=nfc(draft.commune.strip()),
        description=nfc(draft.description.strip()), responsible_officer=nfc(draft.responsible_officer.strip()),
    )


def apply_draft(activity: Activity, draft: ActivityDraft, campaign: CampaignInfo) -> None:
    """Write a person's draft into a row (values updated in place), with the derived columns."""
    _set_fields(activity, normalised(draft))
    existing = {v.indicator_id: v for v in activity.values}
    wanted = {k: int(v) for k, v in draft.values.items() if v is not None}
    for indicator_id, row in list(existing.items()):
        if indicator_id not in wanted:
            activity.values.remove(row)
    for indicator_id, value in wanted.items():
        if indicator_id in existing:
            existing[indicator_id].value = value
        else:
            activity.values.append(IndicatorValue(indicator_id=indicator_id, value=value))
    _derive_columns(activity, wanted, campaign)


# --- row → draft ---------------------------------------------------------------------------------


def row_draft(activity: Activity) -> ActivityDraft:
    """A stored row as the form edits it (attachments need the evidence loaded)."""
    return ActivityDraft(
        criterion_id=activity.criterion_id,
        activity_date=activity.activity_date,
        title=activity.title,
        commune=activity.commune,
        is_poor_commune=activity.is_poor_commune,
        is_remote_area=activity.is_remote_area,
        is_ethnic_area=activity.is_ethnic_area,
        description=activity.description,
        responsible_officer=activity.responsible_officer,
        values={v.indicator_id: v.value for v in activity.values},
        attachments=[
            AttachmentDraft(a.evidence.sha256, a.file_name or a.evidence.original_name, a.evidence.mime_type,
                            a.evidence.size, a.caption)
            for a in activity.attachments
        ],
    )


# --- row → record --------------------------------------------------------------------------------


def format_timestamp(value: datetime) -> str:
    """UTC, always with microseconds, so a stored time round-trips exactly."""
    return value.strftime(_TIMESTAMP_FORMAT)


def parse_timestamp(text: str) -> datetime:
    return datetime.strptime(text, _TIMESTAMP_FORMAT)


def row_record(activity: Activity, unit_code: str, campaign: CampaignInfo) -> Record:
    """One activity as it travels; a tombstone keeps its fields and figures but carries no attachments.

    Used both to write a bundle and to compare an incoming record with the department's row, so
    "unchanged" means byte-identical.
    """
    deleted = activity.deleted_at is not None
    indicator_codes = {i.id: i.code for i in campaign.indicators}
    attachments = [] if deleted else sorted(
        (
            {"sha256": link.evidence.sha256, "file_name": link.file_name, "caption": link.caption,
             "position": link.position}
            for link in activity.attachments
        ),
        key=lambda a: (a["position"], a["sha256"]),
    )
    return {
        "uuid": activity.uuid,
        "unit": unit_code,
        "revision": activity.revision,
        "criterion": campaign.criteria_by_id[activity.criterion_id].code,
        "date": activity.activity_date.isoformat(),
        "title": activity.title,
        "description": activity.description,
        "commune": activity.commune,
        "responsible_officer": activity.responsible_officer,
        "poor_commune": bool(activity.is_poor_commune),
        "remote_area": bool(activity.is_remote_area),
        "ethnic_area": bool(activity.is_ethnic_area),
        "created_at": format_timestamp(activity.created_at),
        "updated_at": format_timestamp(activity.updated_at),
        "deleted_at": format_timestamp(activity.deleted_at) if deleted else None,
        "values": {indicator_codes[v.indicator_id]: int(v.value) for v in activity.values},
        "attachments": attachments,
    }


# --- record → draft / row ------------------------------------------------------------------------


def record_draft(record: Mapping[str, Any], campaign: CampaignInfo) -> ActivityDraft | None:
    """The record in the form the app validates and stores; None if a code is unknown here."""
    criterion = campaign.criteria_by_code.get(record["criterion"])
    if criterion is None or any(code not in campaign.indicators_by_code for code in record["values"]):
        return None
    return ActivityDraft(
        criterion_id=criterion.id,
        activity_date=date.fromisoformat(record["date"]),
        title=record["title"],
        commune=record["commune"],
        is_poor_commune=record["poor_commune"],
        is_remote_area=record["remote_area"],
        is_ethnic_area=record["ethnic_area"],
        description=record["description"],
        responsible_officer=record["responsible_officer"],
        values={campaign.indicators_by_code[c].id: v for c, v in record["values"].items()},
    )


def apply_record(activity: Activity, record: Mapping[str, Any], campaign: CampaignInfo,
                 evidence_ids: Mapping[str, int], import_id: int) -> None:
    """Write a received record into a row exactly as the unit holds it (no normalising: it is compared
    byte for byte with the next bundle), with the derived columns computed as for a draft.

    The row's old values and attachments must already be gone (the importer deletes them in bulk).
    """
    draft = record_draft(record, campaign)
    if draft is None:
        raise KeyError(f"unknown criterion or indicator in record {record['uuid']}")
    _set_fields(activity, draft)
    activity.revision = record["revision"]
    activity.sent_revision = record["revision"]
    activity.created_at = parse_timestamp(record["created_at"])
    activity.updated_at = parse_timestamp(record["updated_at"])
    activity.deleted_at = parse_timestamp(record["deleted_at"]) if record["deleted_at"] else None
    activity.values = [IndicatorValue(indicator_id=i, value=v) for i, v in sorted(draft.values.items())]
    _derive_columns(activity, draft.values, campaign)
    activity.attachments = [
        ActivityEvidence(evidence_id=evidence_ids[a["sha256"]], caption=a["caption"], file_name=a["file_name"],
                         position=a["position"])
        for a in record["attachments"]
    ]
    activity.evidence_count = len(record["attachments"])
    activity.source_bundle_id = import_id


def remove_received(activity: Activity, import_id: int) -> None:
    """The one deletion of a received record: a tombstone without attachments, owned by the bundle that
    removed it (used at import and when a held deletion is applied later)."""
    activity.deleted_at = utc_now()
    activity.attachments = []
    activity.evidence_count = 0
    activity.source_bundle_id = import_id


# --- text safety of a record -------------------------------------------------------------------------

# field → (label, multi-line): the record's free-text fields, as the form labels them
RECORD_TEXT_FIELDS: dict[str, tuple[str, bool]] = {
    "title": ("tên hoạt động", False),
    "description": ("mô tả", True),
    "commune": ("địa bàn", False),
    "responsible_officer": ("cán bộ phụ trách", False),
}
ATTACHMENT_TEXT_FIELDS: dict[str, tuple[str, bool]] = {"file_name": ("tên tệp", False), "caption": ("chú thích", True)}


def draft_text_problems(draft: ActivityDraft) -> dict[str, str]:
    """Form field → message, for the free-text fields of a draft (the form's and a bundle's one rule)."""
    fields = {"title": draft.title, "description": draft.description, "commune": draft.commune,
              "responsible_officer": draft.responsible_officer}
    problems: dict[str, str] = {}
    for name, value in fields.items():
        label, multiline = RECORD_TEXT_FIELDS[name]
        problem = text_problem(value, multiline=multiline)
        if problem:
            problems[name] = f"Ô “{label}” {problem}; hãy gõ lại nội dung ô này."
    return problems


def record_text_problems(record: Mapping[str, Any]) -> list[str]:
    """What is unsafe in a bundle record's text fields (and its attachments'), named for a message."""
    found: list[str] = []
    for name, (label, multiline) in RECORD_TEXT_FIELDS.items():
        problem = text_problem(record[name], multiline=multiline)
        if problem:
            found.append(f"{label} {problem}")
    for attachment in record["attachments"]:
        for name, (label, multiline) in ATTACHMENT_TEXT_FIELDS.items():
            problem = text_problem(attachment[name], multiline=multiline)
            if problem:
                found.append(f"{label} “{visible_text(attachment['file_name'], limit=40)}” {problem}")
    return found


DATE_MARGIN_DAYS = 92  # activities reported a little before or after the campaign's period are usual


def _day(value: date) -> str:
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"  # strftime drops the zeros of year 1


def date_warnings(records: Iterable[Mapping[str, Any]], campaign: CampaignInfo) -> list[str]:
    """A warning for live records dated outside the campaign's period by more than the margin.

    Not a refusal: the unit signed these dates and the reviewer decides, but a date like 0001-01-01 or
    2099-12-31 must be seen before it lands in a period's totals.
    """
    margin = timedelta(days=DATE_MARGIN_DAYS)
    earliest, latest = campaign.starts_on - margin, campaign.ends_on + margin
    outside = [r for r in records if r["deleted_at"] is None
               and not earliest <= date.fromisoformat(r["date"]) <= latest]
    if not outside:
        return []
    shown = "; ".join(f"“{visible_text(r['title'], limit=50)}” ngày {_day(date.fromisoformat(r['date']))}"
                      for r in outside[:5])
    return [
        f"{len(outside)} hoạt động có ngày thực hiện nằm ngoài thời gian của phong trào "
        f"({campaign.starts_on:%d/%m/%Y} – {campaign.ends_on:%d/%m/%Y}) quá {DATE_MARGIN_DAYS} ngày: {shown}"
        f"{'…' if len(outside) > 5 else ''}. Hãy kiểm tra lại với đơn vị trước khi tổng hợp."
    ]
