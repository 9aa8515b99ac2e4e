"""Documents in the name of dissolved bodies: after a unit's end date its successor issues them.

The 2025 reorganisation ended the district Phòng Tư pháp on 30/6/2025. A document dated later cannot
be headed "UBND HUYỆN … / PHÒNG TƯ PHÁP": it is made by (on behalf of) the unit it was merged into
(`valid_to` and `merged_into` in the units master data), or refused with a message saying what to set.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from thidua_desktop.core.errors import UserError
from thidua_desktop.core.text import format_date
from thidua_desktop.core.units import UnitInfo


class DissolvedIssuer(UserError):
    """A document dated after its issuer's end date, and no successor in the units data."""

    exit_code = 2


def ended_on(unit: UnitInfo) -> date | None:
    """The first day the unit no longer exists (the day after `valid_to`)."""
    return unit.valid_to + timedelta(days=1) if unit.valid_to else None


def issuing_unit_on(unit: UnitInfo, day: date | None, units: Mapping[str, UnitInfo]) -> UnitInfo:
    """Who issues a document dated `day` in the name of `unit`: the unit while it exists, else its
    successor (following `merged_into` as far as needed); refuses when the chain ends in nothing."""
    if day is None:
        return unit
    current, seen = unit, {unit.code}
    while current.valid_to is not None and day > current.valid_to:
        successor = units.get(current.merged_into_code or "")
        if successor is None or successor.code in seen:
            raise DissolvedIssuer(
                f"{unit.name} đã kết thúc hoạt động từ ngày {format_date(ended_on(current))}; "
                f"văn bản đề ngày {format_date(day)} không thể ban hành nhân danh đơn vị này.",
                hint=f"Ghi đơn vị kế thừa (“Sáp nhập vào”) của {current.name} trong Danh mục đơn vị, "
                     f"hoặc đặt ngày văn bản không muộn hơn {format_date(current.valid_to)}.",
            )
        current = successor
        seen.add(current.code)
    return current


def dissolved_note(unit: UnitInfo, day: date | None) -> str:
    """Why a nominee may not exist any more on the document date (a warning, the council decides)."""
    if day is None or unit.valid_to is None or day <= unit.valid_to:
        return ""
    return f"{unit.name} đã kết thúc hoạt động từ ngày {format_date(ended_on(unit))}, trước ngày văn bản"
