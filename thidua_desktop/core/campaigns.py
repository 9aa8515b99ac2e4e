"""The campaign catalogue: campaign data files, validated on load and synchronised into the database.

A later plan (say 2026–2030) is one more JSON file in `resources/campaigns/` (or the data folder's
`campaigns/`), with no code change. A broken file is refused as a whole, with a message naming the field.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from thidua_desktop.core.errors import CampaignFileError
from thidua_desktop.core.models import Aggregation, Campaign, Criterion, Indicator, TargetOp
from thidua_desktop.core.resources import resource_path
from thidua_desktop.core.text import nfc

CAMPAIGN_FORMAT = "thidua-campaign/1"


@dataclass(frozen=True)
class TargetDef:
    op: TargetOp
    value: int

    def is_met(self, actual: float | None) -> bool | None:
        """None without data, even for a ceiling: "no complaints" is met by reporting 0, not by silence."""
        if actual is None:
            return None
        return actual >= self.value if self.op is TargetOp.AT_LEAST else actual <= self.value

    def label(self) -> str:
        return f"{'≥' if self.op is TargetOp.AT_LEAST else '≤'} {self.value}"


@dataclass(frozen=True)
class IndicatorDef:
    code: str
    name: str
    unit: str
    aggregation: Aggregation
    criterion_code: str
    numerator: str | None = None
    denominator: str | None = None
    part_of: str | None = None
    target: TargetDef | None = None
    key: bool = False


@dataclass(frozen=True)
class CriterionDef:
    code: str
    title: str
    description: str
    parent_code: str | None
    indicators: tuple[IndicatorDef, ...]


@dataclass(frozen=True)
class CampaignDef:
    code: str
    version: int
    plan_number: str
    title: str
    issued_by: str
    issued_on: date
    starts_on: date
    ends_on: date
    criteria: tuple[CriterionDef, ...]
    source_sha256: str
    source_text: str
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def indicators(self) -> list[IndicatorDef]:
        return [ind for crit in self.criteria for ind in crit.indicators]


class _Reader:
    """Walks the parsed JSON, keeping the path of the field being read for error messages."""

    def __init__(self, file_label: str) -> None:
        self.file_label = file_label

    def fail(self, path: str, problem: str) -> CampaignFileError:
        return CampaignFileError(
            f"Tệp phong trào thi đua “{self.file_label}” bị lỗi ở trường “{path}”: {problem}",
            hint="Chương trình chưa nạp tệp này. Vui lòng sửa tệp (hoặc xin tệp đúng từ Sở Tư pháp) rồi mở lại.",
        )

    def required(self, obj: dict[str, Any], key: str, path: str, kind: type | tuple[type, ...] = str) -> Any:
        if not isinstance(obj, dict):
            raise self.fail(path, "phải là một đối tượng JSON.")
        if key not in obj or obj[key] in (None, ""):
            raise self.fail(f"{path}.{key}" if path else key, "thiếu trường bắt buộc.")
        return self.typed(obj[key], f"{path}.{key}" if path else key, kind)

    def optional(self, obj: dict[str, Any], key: str, path: str, kind: type | tuple[type, ...], default: Any) -> Any:
        if key not in obj or obj[key] is None:
            return default
        return self.typed(obj[key], f"{path}.{key}" if path else key, kind)

    def typed(self, value: Any, path: str, kind: type | tuple[type, ...]) -> Any:
        if kind is int and isinstance(value, bool) or not isinstance(value, kind):
            names = {str: "chuỗi ký tự", int: "số nguyên", list: "danh sách", dict: "đối tượng", bool: "true/false"}
            wanted = names.get(kind, str(kind)) if isinstance(kind, type) else "giá trị hợp lệ"
            raise self.fail(path, f"phải là {wanted}.")
        return nfc(value) if isinstance(value, str) else value

    def date(self, obj: dict[str, Any], key: str, path: str) -> date:
        raw = self.required(obj, key, path)
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise self.fail(f"{path}.{key}" if path else key, f"“{raw}” không phải ngày dạng YYYY-MM-DD.") from None


def _reject_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise ValueError(f"khóa “{key}” xuất hiện hai lần")
        seen[key] = value
    return seen


class _PlanReader(_Reader):
    """Reads the criteria tree and its indicators, refusing duplicate codes and dangling references."""

    def __init__(self, file_label: str) -> None:
        super().__init__(file_label)
        self.criteria: list[CriterionDef] = []
        self.criterion_codes: set[str] = set()
        self.indicator_paths: dict[str, str] = {}  # indicator code → where it is in the file, for messages

    def criteria_tree(self, items: list[Any], path: str, parent: str | None) -> None:
        """Depth first, so a parent always comes before its children (the plan's own order)."""
        for index, raw in enumerate(items):
            here = f"{path}[{index}]"
            code = self.required(raw, "code", here)
            if code in self.criterion_codes:
                raise self.fail(f"{here}.code", f"mã tiêu chí “{code}” bị trùng.")
            self.criterion_codes.add(code)
            indicators = [
                self.indicator(raw_ind, f"{here}.indicators[{j}]", code)
                for j, raw_ind in enumerate(self.optional(raw, "indicators", here, list, []))
            ]
            self.criteria.append(
                CriterionDef(
                    code=code,
                    title=self.required(raw, "title", here),
                    description=self.optional(raw, "description", here, str, ""),
                    parent_code=parent,
                    indicators=tuple(indicators),
                )
            )
            self.criteria_tree(self.optional(raw, "children", here, list, []), f"{here}.children", code)

    def indicator(self, raw: Any, here: str, criterion_code: str) -> IndicatorDef:
        code = self.required(raw, "code", here)
        if code in self.indicator_paths:
            raise self.fail(f"{here}.code", f"mã chỉ tiêu “{code}” bị trùng (đã có ở {self.indicator_paths[code]}).")
        self.indicator_paths[code] = here
        aggregation_raw = self.required(raw, "aggregation", here)
        try:
            aggregation = Aggregation(aggregation_raw)
        except ValueError:
            raise self.fail(
                f"{here}.aggregation", f"“{aggregation_raw}” không hợp lệ (chỉ nhận sum, latest hoặc ratio)."
            ) from None
        target = self.target(raw, here)
        numerator = denominator = None
        if aggregation is Aggregation.RATIO:
            numerator = self.required(raw, "numerator", here)
            denominator = self.required(raw, "denominator", here)
        return IndicatorDef(
            code=code,
            name=self.required(raw, "name", here),
            unit=self.required(raw, "unit", here),
            aggregation=aggregation,
            criterion_code=criterion_code,
            numerator=numerator,
            denominator=denominator,
            part_of=self.optional(raw, "part_of", here, str, None),
            target=target,
            key=self.optional(raw, "key", here, bool, False),
        )

    def target(self, raw: Any, here: str) -> TargetDef | None:
        raw_target = self.optional(raw, "target", here, dict, None)
        if raw_target is None:
            return None
        op_raw = self.required(raw_target, "op", f"{here}.target")
        try:
            op = TargetOp(op_raw)
        except ValueError:
            raise self.fail(f"{here}.target.op", f"“{op_raw}” không hợp lệ (chỉ nhận >= hoặc <=).") from None
        return TargetDef(op, self.required(raw_target, "value", f"{here}.target", int))

    def check_references(self) -> None:
        """Ratios and "of which" parts must name an indicator of the file that is not itself a ratio."""
        by_code = {ind.code: ind for crit in self.criteria for ind in crit.indicators}
        for ind in by_code.values():
            here = self.indicator_paths[ind.code]
            for attr in ("numerator", "denominator", "part_of"):
                ref = getattr(ind, attr)
                if ref is None:
                    continue
                if ref not in by_code:
                    raise self.fail(f"{here}.{attr}", f"chỉ tiêu “{ref}” không tồn tại trong tệp.")
                if by_code[ref].aggregation is Aggregation.RATIO:
                    raise self.fail(f"{here}.{attr}", f"chỉ tiêu “{ref}” là tỷ lệ, không dùng làm thành phần được.")
        if not by_code:
            raise self.fail("criteria", "phong trào chưa có chỉ tiêu nào.")


def _load_json(source_text: str, file_label: str, reader: _Reader) -> dict[str, Any]:
    try:
        data = json.loads(source_text, object_pairs_hook=_reject_duplicate_keys)
    except (json.JSONDecodeError, ValueError) as exc:
        raise CampaignFileError(
            f"Tệp phong trào thi đua “{file_label}” không đọc được (JSON sai cú pháp: {exc}).",
            hint="Chương trình chưa nạp tệp này. Vui lòng sửa tệp hoặc xin tệp đúng từ Sở Tư pháp.",
        ) from None
    if not isinstance(data, dict):
        raise reader.fail("(gốc)", "phải là một đối tượng JSON.")
    fmt = reader.required(data, "format", "")
    if fmt != CAMPAIGN_FORMAT:
        raise reader.fail("format", f"định dạng “{fmt}” không được hỗ trợ (cần “{CAMPAIGN_FORMAT}”).")
    return data


def parse_campaign(source_text: str, file_label: str) -> CampaignDef:
    """A campaign file, checked whole: the first problem is named with its path in the file."""
    reader = _PlanReader(file_label)
    data = _load_json(source_text, file_label, reader)
    period = reader.required(data, "period", "", dict)
    starts_on = reader.date(period, "start", "period")
    ends_on = reader.date(period, "end", "period")
    if ends_on < starts_on:
        raise reader.fail("period.end", "ngày kết thúc trước ngày bắt đầu.")
    reader.criteria_tree(reader.required(data, "criteria", "", list), "criteria", None)
    reader.check_references()
    version = reader.required(data, "version", "", int)
    return CampaignDef(
        code=reader.required(data, "code", ""),
        version=version,
        plan_number=reader.required(data, "plan_number", ""),
        title=reader.required(data, "title", ""),
        issued_by=reader.required(data, "issued_by", ""),
        issued_on=reader.date(data, "issued_on", ""),
        starts_on=starts_on,
        ends_on=ends_on,
        criteria=tuple(reader.criteria),
        source_sha256=hashlib.sha256(source_text.encode("utf-8")).hexdigest(),
        source_text=source_text,
        extra={k: v for k, v in data.items() if k in ("scoring",)},
    )


def load_campaign_file(path: Path) -> CampaignDef:
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CampaignFileError(
            f"Không đọc được tệp phong trào thi đua “{path.name}” ({exc}).",
            hint="Kiểm tra tệp còn nguyên vẹn và được lưu dạng UTF-8.",
        ) from None
    return parse_campaign(source, path.name)


def campaign_files(extra_dirs: list[Path] | None = None) -> list[Path]:
    folders = [resource_path("campaigns"), *(extra_dirs or [])]
    return sorted((p for folder in folders if folder.is_dir() for p in folder.glob("*.json")), key=lambda p: (p.name, str(p)))


@dataclass(frozen=True)
class CatalogueSyncReport:
    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()


def sync_campaign(session: Session, definition: CampaignDef) -> str | None:
    """Upsert one campaign by code, keeping criterion and indicator ids stable; returns 'added'/'updated'/None."""
    campaign = session.scalar(select(Campaign).where(Campaign.code == definition.code))
    if campaign is not None and campaign.source_sha256 == definition.source_sha256:
        return None
    if campaign is not None and campaign.version > definition.version:
        return None  # the database already holds a newer edition of this plan
    outcome = "updated" if campaign else "added"
    if campaign is None:
        campaign = Campaign(code=definition.code)
        session.add(campaign)
    campaign.version = definition.version
    campaign.plan_number = definition.plan_number
    campaign.title = definition.title
    campaign.issued_by = definition.issued_by
    campaign.issued_on = definition.issued_on
    campaign.starts_on = definition.starts_on
    campaign.ends_on = definition.ends_on
    campaign.source_sha256 = definition.source_sha256
    campaign.definition_json = definition.source_text
    session.flush()

    criteria_by_code = {c.code: c for c in session.scalars(select(Criterion).where(Criterion.campaign_id == campaign.id))}
    for order, crit in enumerate(definition.criteria):
        row = criteria_by_code.get(crit.code) or Criterion(campaign_id=campaign.id, code=crit.code)
        row.title, row.description, row.sort_order = crit.title, crit.description, order
        row.parent_id = criteria_by_code[crit.parent_code].id if crit.parent_code else None
        session.add(row)
        session.flush()
        criteria_by_code[crit.code] = row

    indicators_by_code = {
        i.code: i for i in session.scalars(select(Indicator).where(Indicator.campaign_id == campaign.id))
    }
    for order, ind in enumerate(definition.indicators):
        row = indicators_by_code.get(ind.code) or Indicator(campaign_id=campaign.id, code=ind.code)
        row.name, row.unit_of_measure, row.aggregation = ind.name, ind.unit, ind.aggregation
        row.criterion_id = criteria_by_code[ind.criterion_code].id
        row.target_op = ind.target.op if ind.target else None
        row.target_value = ind.target.value if ind.target else None
        row.is_key, row.sort_order = ind.key, order
        session.add(row)
        indicators_by_code[ind.code] = row
    session.flush()
    for ind in definition.indicators:
        row = indicators_by_code[ind.code]
        row.numerator_id = indicators_by_code[ind.numerator].id if ind.numerator else None
        row.denominator_id = indicators_by_code[ind.denominator].id if ind.denominator else None
        row.part_of_id = indicators_by_code[ind.part_of].id if ind.part_of else None
    session.flush()
    return outcome


def sync_catalogue(session: Session, extra_dirs: list[Path] | None = None) -> CatalogueSyncReport:
    """Validate every campaign file first, then write; one broken file stops the whole load."""
    definitions = [load_campaign_file(path) for path in campaign_files(extra_dirs)]
    added: list[str] = []
    updated: list[str] = []
    for definition in definitions:
        outcome = sync_campaign(session, definition)
        if outcome == "added":
            added.append(definition.code)
        elif outcome == "updated":
            updated.append(definition.code)
    return CatalogueSyncReport(tuple(added), tuple(updated))
