"""Printed documents of the department's side, laid out by the shared Nghị định 30/2020 module (`core.documents`).

- `reminder_document`: the list of units that have not sent their report for a period (to remind them).
- `summary_report`: "Báo cáo tổng hợp kết quả thực hiện phong trào thi đua" for a period: figures against
  targets, who reported, ranking and proposed awards, with the consolidated table as an appendix.

Both take their letterhead from the department's master data, so they look like the award dossier.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from thidua_desktop.core import documents as d
from thidua_desktop.core.awards.service import header_defaults
from thidua_desktop.core.consolidation.completeness import Completeness
from thidua_desktop.core.models import Unit, UnitKind
from thidua_desktop.core.text import format_date
from thidua_desktop.core.units import get_unit


@dataclass(frozen=True)
class Header:
    """Who issues the document and who signs it (editable before printing)."""

    parent_agency: str = "UBND TỈNH AN GIANG"
    agency: str = "SỞ TƯ PHÁP"
    symbol: str = "STP"
    place: str = "An Giang"
    signer_lines: tuple[str, ...] = ("GIÁM ĐỐC",)
    signer_name: str = ""
    number: str = ""


def department_header(session: Session) -> Header:
    """The department's letterhead lines and place from the units master data (the award dossier's rules)."""
    code = session.scalar(select(Unit.code).where(Unit.kind == UnitKind.DEPARTMENT).order_by(Unit.sort_order).limit(1))
    if code is None:
        return Header()
    values = header_defaults(get_unit(session, code))
    return Header(values["header_parent"], values["header_agency"], values["agency_symbol"], values["place"] or "An Giang")


def _letterhead(header: Header, symbol: str, day: date | None) -> d.Letterhead:
    return d.Letterhead(
        header.parent_agency,
        header.agency,
        d.number_line(header.number or None, f"{symbol}-{header.symbol}"),
        d.place_date(header.place, day),
    )


def _closing(header: Header, recipients: Sequence[str]) -> d.Closing:
    return d.Closing(tuple(recipients), (d.Signature(header.signer_lines, name=header.signer_name),))


def reminder_document(report: Completeness, campaign_title: str, header: Header, day: date | None = None) -> d.Document:
    """"Danh sách đơn vị chưa gửi báo cáo", as an attachment to the department's reminder letter."""
    rows = []
    for number, row in enumerate(report.reminders, start=1):
        last = row.last_bundle
        rows.append((
            str(number),
            row.unit.name,
            row.status_label,
            f"Gói số {last.seq}, lập {format_date(last.created_at)}" if last else "Chưa có",
        ))
    if not rows:
        rows.append(d.Row(("Tất cả đơn vị đã gửi báo cáo đúng quy định.",), section=True))
    blocks: list[d.Block] = [
        d.para(
            f"Thực hiện phong trào thi đua “{campaign_title}”, hạn gửi số liệu {report.period.label} về Sở Tư pháp "
            f"là ngày {format_date(report.deadline)}. Đến ngày {format_date(report.as_of)}, các đơn vị dưới đây chưa "
            "gửi gói dữ liệu báo cáo (đã ký số) của kỳ này:"
        ),
        d.table(
            [d.Column("STT", 0.6, d.Align.CENTER), d.Column("Đơn vị", 4.2), d.Column("Tình trạng", 2.2),
             d.Column("Gói dữ liệu gần nhất", 2.6)],
            rows,
        ),
        d.para(
            "Đề nghị Thủ trưởng các đơn vị chỉ đạo lập và gửi gói dữ liệu báo cáo về Sở Tư pháp trong thời gian sớm "
            "nhất để kịp tổng hợp, đánh giá kết quả thực hiện phong trào./."
        ),
    ]
    return d.Document(
        name=f"danh-sach-chua-gui-bao-cao-{report.period.start:%Y%m%d}",
        letterhead=_letterhead(header, "TB", day),
        title=d.Title("DANH SÁCH", (f"Đơn vị chưa gửi báo cáo kết quả phong trào thi đua {report.period.label}",)),
        blocks=tuple(blocks),
        closing=_closing(header, ("- Như danh sách trên;", "- Lưu: VT, TĐKT.")),
    )

