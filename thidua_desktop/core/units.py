"""Units (đơn vị): master data seeded from `resources/units/`, editable, and dated for reorganisations."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from thidua_desktop.core import audit
from thidua_desktop.core.errors import NotFoundError, UserError, ValidationError
from thidua_desktop.core.models import Unit, UnitKind
from thidua_desktop.core.resources import resource_path
from thidua_desktop.core.text import nfc, sort_key

UNIT_KIND_LABELS = {
    UnitKind.DEPARTMENT: "Sở Tư pháp",
    UnitKind.DEPARTMENT_OFFICE: "Phòng, đơn vị thuộc Sở",
    UnitKind.DISTRICT_OFFICE: "Phòng Tư pháp cấp huyện",
}


@dataclass(frozen=True)
class UnitInfo:
    id: int
    code: str
    name: str
    short_name: str
    kind: UnitKind
    parent_code: str | None
    parent_agency: str
    valid_from: date | None
    valid_to: date | None
    merged_into_code: str | None

    @property
    def kind_label(self) -> str:
        return UNIT_KIND_LABELS[self.kind]

    def is_valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)


_LOCALITY_WORDS = ("THÀNH PHỐ ", "THỊ XÃ ", "HUYỆN ", "TỈNH ", "QUẬN ")


def header_defaults(unit: UnitInfo) -> dict[str, str]:
    """Letterhead lines, symbol and place for documents issued by `unit`, from its (historical) master data.

    "Phòng Tư pháp huyện Chợ Mới" under "UBND HUYỆN CHỢ MỚI" gives "PHÒNG TƯ PHÁP", symbol "PTP",
    place "Chợ Mới"; the Sở gives "UBND TỈNH AN GIANG" / "SỞ TƯ PHÁP", "STP", "An Giang".
    """
    parent = unit.parent_agency.upper()
    agency = unit.name.upper()
    locality = ""
    for word in _LOCALITY_WORDS:
        if word in parent:
            locality = parent[parent.rindex(word):]
            break
    if locality and agency.endswith(" " + locality):
        agency = agency[: -len(locality) - 1]
    symbol = "PTP" if unit.kind is UnitKind.DISTRICT_OFFICE else "STP"
    place = ""
    if locality:
        place = locality.split(" ", 1)[1] if not locality.startswith(("THÀNH PHỐ", "THỊ XÃ")) else locality.split(" ", 2)[2]
    return {"header_parent": parent, "header_agency": agency, "agency_symbol": symbol, "place": place.title()}


@dataclass(frozen=True)
class UnitChange:
    """What a change to the unit list did: pages that show units refresh from it."""

    code: str
    created: bool
    changed_fields: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not self.created and not self.changed_fields


def _to_info(unit: Unit, codes: dict[int, str]) -> UnitInfo:
    return UnitInfo(
        id=unit.id,
        code=unit.code,
        name=unit.name,
        short_name=unit.short_name or unit.name,
        kind=unit.kind,
        parent_code=codes.get(unit.parent_id) if unit.parent_id else None,
        parent_agency=unit.parent_agency,
        valid_from=unit.valid_from,
        valid_to=unit.valid_to,
        merged_into_code=codes.get(unit.merged_into_id) if unit.merged_into_id else None,
    )


def list_units(session: Session, *, valid_on: date | None = None) -> list[UnitInfo]:
    units = session.scalars(select(Unit).order_by(Unit.sort_order, Unit.name_sort_key)).all()
    codes = {u.id: u.code for u in units}
    infos = [_to_info(u, codes) for u in units]
    return [u for u in infos if valid_on is None or u.is_valid_on(valid_on)]


def get_unit(session: Session, code: str) -> UnitInfo:
    for unit in list_units(session):
        if unit.code == code:
            return unit
    raise NotFoundError(f"Không có đơn vị mã “{code}”.", hint="Kiểm tra lại mã đơn vị trong Cài đặt › Đơn vị.")


def save_unit(session: Session, info: UnitInfo, *, actor: str) -> UnitChange:
    """Create or update a unit by code, validating references and dates; writes the audit log."""
    problems: dict[str, str] = {}
    code = nfc(info.code.strip())
    name = nfc(info.name.strip())
    if not code:
        problems["code"] = "Mã đơn vị không được để trống."
    if not name:
        problems["name"] = "Tên đơn vị không được để trống."
    if info.valid_from and info.valid_to and info.valid_to < info.valid_from:
        problems["valid_to"] = "Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực."
    by_code = {u.code: u for u in session.scalars(select(Unit))}
    for field_name, ref in (("parent_code", info.parent_code), ("merged_into_code", info.merged_into_code)):
        if ref and ref not in by_code:
            problems[field_name] = f"Không có đơn vị mã “{ref}”."
        if ref and ref == code:
            problems[field_name] = "Một đơn vị không thể trỏ tới chính nó."
    if problems:
        raise ValidationError(problems)

    unit = by_code.get(code)
    created = unit is None
    before = _snapshot(unit) if unit else {}
    if unit is None:
        unit = Unit(code=code, sort_order=len(by_code))
        session.add(unit)
    unit.name = name
    unit.short_name = nfc(info.short_name.strip()) or name
    unit.kind = info.kind
    unit.parent_agency = nfc(info.parent_agency.strip())
    unit.valid_from, unit.valid_to = info.valid_from, info.valid_to
    unit.parent_id = by_code[info.parent_code].id if info.parent_code else None
    unit.merged_into_id = by_code[info.merged_into_code].id if info.merged_into_code else None
    unit.name_sort_key = sort_key(name)
    session.flush()
    changes = audit.diff(before, _snapshot(unit))
    if changes:
        audit.record(session, actor, "create" if created else "update", "unit", code, changes)
    return UnitChange(code, created, tuple(changes))


def _snapshot(unit: Unit) -> dict[str, object]:
    return {
        "name": unit.name,
        "short_name": unit.short_name,
        "kind": str(unit.kind),
        "parent_agency": unit.parent_agency,
        "valid_from": unit.valid_from.isoformat() if unit.valid_from else None,
        "valid_to": unit.valid_to.isoformat() if unit.valid_to else None,
        "parent_id": unit.parent_id,
        "merged_into_id": unit.merged_into_id,
    }


def default_units_file() -> Path:
    return resource_path("units", "an-giang-2023.json")


def seed_units(session: Session, *, actor: str, source: Path | None = None) -> int:
    """Load master data into an empty table; an existing (possibly edited) list is never overwritten."""
    if session.scalar(select(Unit.id).limit(1)) is not None:
        return 0
    data = json.loads((source or default_units_file()).read_text(encoding="utf-8"))
    count = 0
    for order, raw in enumerate(data["units"]):
        unit = Unit(
            code=raw["code"],
            name=nfc(raw["name"]),
            short_name=nfc(raw.get("short_name", raw["name"])),
            kind=UnitKind(raw["kind"]),
            parent_agency=nfc(raw.get("parent_agency", "")),
            valid_from=date.fromisoformat(raw["valid_from"]) if raw.get("valid_from") else None,
            valid_to=date.fromisoformat(raw["valid_to"]) if raw.get("valid_to") else None,
            sort_order=order,
            name_sort_key=sort_key(raw["name"]),
        )
        if raw.get("parent"):
            unit.parent_id = session.scalar(select(Unit.id).where(Unit.code == raw["parent"]))
        session.add(unit)
        session.flush()
        count += 1
    audit.record(session, actor, "seed", "unit", "*", {"count": count})
    return count


class UnitService:
    """The unit list for the GUI and the CLI: lookups, and changes that each return a `UnitChange`.

    A reorganisation never deletes a unit: it ends its validity (dissolve) and, when another unit takes
    over its work, points to that unit (merge), so older figures keep their historical name.
    """

    def __init__(self, sessions: sessionmaker[Session], write_sessions: sessionmaker[Session], actor: str) -> None:
        self.sessions = sessions
        self.write_sessions = write_sessions
        self.actor = actor

    def list(self, *, valid_on: date | None = None, kinds: Sequence[UnitKind] | None = None) -> Sequence[UnitInfo]:
        """Units in their display order; `valid_on` keeps those existing that day, `kinds` those of these kinds."""
        with self.sessions() as session:
            units = list_units(session, valid_on=valid_on)
        return [u for u in units if kinds is None or u.kind in kinds]

    def get(self, code: str) -> UnitInfo:
        with self.sessions() as session:
            return get_unit(session, code)

    def find(self, code: str | None) -> UnitInfo | None:
        """The unit with this code, or None for no code or an unknown one."""
        if not code:
            return None
        return next((u for u in self.list() if u.code == code), None)

    def department(self) -> UnitInfo:
        """The Sở Tư pháp itself: the unit a department copy records as when no office is chosen."""
        found = self.list(kinds=[UnitKind.DEPARTMENT])
        if not found:
            raise UserError("Danh sách đơn vị chưa có Sở Tư pháp.", hint="Thêm Sở Tư pháp trong Cài đặt › Đơn vị.")
        return found[0]

    def save(self, info: UnitInfo) -> UnitChange:
        """Create or update the unit with `info.code`."""
        with self.write_sessions.begin() as session:
            return save_unit(session, info, actor=self.actor)

    def add(self, info: UnitInfo) -> UnitChange:
        """A new unit; an existing code is refused rather than silently overwritten."""
        if self.find(nfc(info.code.strip())) is not None:
            raise ValidationError({"code": f"Đã có đơn vị mã “{info.code.strip()}”."})
        return self.save(info)

    def edit(self, info: UnitInfo) -> UnitChange:
        """Change an existing unit (its code stays: records and bundles refer to it)."""
        self.get(nfc(info.code.strip()))  # refuses an unknown code
        return self.save(info)

    def dissolve(self, code: str, last_day: date) -> UnitChange:
        """The unit stops existing after `last_day`; nobody takes over its work."""
        return self.save(replace(self._ending(code, last_day), merged_into_code=None))

    def merge(self, code: str, into_code: str, last_day: date) -> UnitChange:
        """The unit stops existing after `last_day` and `into_code` takes over its work from the next day."""
        ending = self._ending(code, last_day)
        into = self.get(into_code)
        if into.code == ending.code:
            raise ValidationError({"merged_into_code": "Một đơn vị không thể sáp nhập vào chính nó."})
        if not into.is_valid_on(last_day + timedelta(days=1)):
            raise ValidationError(
                {"merged_into_code": f"{into.name} không còn hoạt động vào ngày {last_day + timedelta(days=1):%d/%m/%Y}."}
            )
        return self.save(replace(ending, merged_into_code=into.code))

    def _ending(self, code: str, last_day: date) -> UnitInfo:
        """The unit as it will be once it ends after `last_day` (`save_unit` checks the dates)."""
        return replace(self.get(code), valid_to=last_day)
