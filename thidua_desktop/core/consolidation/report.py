"""Printed documents of the department's side, laid out by the shared Nghị định 30/2020 module (`core.documents`).

- `reminder_document`: the list of units that have not sent their report for a period (to remind them).
- `summary_report`: "Báo cáo tổng hợp kết quả thực hiện phong trào thi đua" for a period: figures against
  targets, who reported, ranking and proposed awards, with the consolidated table as an appendix.

Both take their letterhead from the department's master data, so they look like the award dossier.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from thidua_desktop.core import documents as d
from thidua_desktop.core.awards.service import header_defaults
from thidua_desktop.core.catalogue import CampaignInfo, IndicatorInfo
from thidua_desktop.core.consolidation.completeness import Completeness, ReportStatus, completeness
from thidua_desktop.core.consolidation.excel import NOT_ASSESSED, target_label
from thidua_desktop.core.consolidation.scoring import (
    AwardCandidate,
    Ranking,
    ScoringScheme,
    award_candidates,
    format_points,
    rank_units,
)
from thidua_desktop.core.consolidation.table import (
    Cell,
    ConsolidatedTable,
    ConsolidationFilter,
    FiguresSource,
    consolidated_table,
    format_cell,
)
from thidua_desktop.core.documents.numbering import check_set
from thidua_desktop.core.models import Aggregation, Campaign, Unit, UnitKind
from thidua_desktop.core.progress import CancelFn, ProgressFn, check_cancel, never_cancelled, no_progress
from thidua_desktop.core.resources import resource_path
from thidua_desktop.core.text import format_against, format_date, format_number, format_percent
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
    name: str = "Sở Tư pháp"  # in running text ("Kèm theo Báo cáo số … của Sở Tư pháp tỉnh An Giang")


def department_header(session: Session) -> Header:
    """The department's letterhead lines and place from the units master data (the award dossier's rules)."""
    code = session.scalar(select(Unit.code).where(Unit.kind == UnitKind.DEPARTMENT).order_by(Unit.sort_order).limit(1))
    if code is None:
        return Header()
    unit = get_unit(session, code)
    values = header_defaults(unit)
    return Header(values["header_parent"], values["header_agency"], values["agency_symbol"], values["place"] or "An Giang",
                  name=unit.name)


def _number(header: Header) -> str:
    """The number as typed, without a symbol typed after it ("125/BC-STP" → "125"): the program adds it."""
    return header.number.split("/", 1)[0].strip()


def _ref(header: Header, kind: str, symbol: str, day: date | None) -> d.DocumentRef:
    return d.DocumentRef(symbol.lower(), kind, kind, _number(header), f"{symbol}-{header.symbol}", day, header.name)


def _letterhead(header: Header, ref: d.DocumentRef | None, day: date | None) -> d.Letterhead:
    """The department's header; `ref` gives the number line (None: an attachment, without a number)."""
    return d.Letterhead(
        header.parent_agency,
        header.agency,
        d.number_line(ref.number or None, ref.symbol) if ref else None,
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
    notice = _ref(header, "Thông báo", "TB", day)
    blocks: list[d.Block] = [
        d.para(f"(Kèm theo {notice.citation(year=(day or date.today()).year)})", style=d.ParaStyle.NOTE),
        d.para(
            f"Thực hiện phong trào thi đua “{campaign_title}”, hạn gửi số liệu {report.period.phrase} về Sở Tư pháp "
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
        letterhead=_letterhead(header, None, day),
        title=d.Title("DANH SÁCH", (f"Đơn vị chưa gửi báo cáo kết quả phong trào thi đua {report.period.phrase}",)),
        blocks=tuple(blocks),
        closing=_closing(header, ("- Như danh sách trên;", "- Lưu: VT, TĐKT.")),
    )



# --- the summary report ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SummaryData:
    """Everything the summary report states, computed once (the GUI previews it, the CLI writes it)."""

    table: ConsolidatedTable
    completeness: Completeness
    ranking: Ranking | None
    candidates: tuple[AwardCandidate, ...]
    plan_date: date | None


def period_phrase(label: str) -> str:
    """A period label inside a sentence: "Năm 2024" → "năm 2024", "Cả giai đoạn 2023–2025" → "giai đoạn 2023–2025"."""
    text = label.removeprefix("Cả ")
    return text[:1].lower() + text[1:]


def _figure(indicator: IndicatorInfo, cell: Cell) -> str:
    """A figure as printed, never crossing its target (`core.text.format_against`), or "" without data."""
    if cell.value is None:
        return ""
    target = indicator.target.value if indicator.target is not None else None
    if indicator.aggregation is Aggregation.RATIO:
        return format_percent(cell.value, target=target)
    if float(cell.value).is_integer():
        return format_cell(indicator, cell)
    return format_against(cell.value, target, decimals=0)


def _value_text(indicator: IndicatorInfo, cell: Cell) -> str:
    text = _figure(indicator, cell)
    if not text:
        return "chưa có số liệu"
    return text if indicator.aggregation is Aggregation.RATIO else f"{text} {indicator.unit}"


def _assessment(indicator: IndicatorInfo, cell: Cell) -> str:
    if indicator.target is None:
        return ""
    return {True: "Đạt", False: "Chưa đạt", None: "Chưa có số liệu"}[cell.target_met]


def _criteria_blocks(table: ConsolidatedTable) -> list[d.Block]:
    blocks: list[d.Block] = []
    for number, group in enumerate(table.groups, start=1):
        blocks.append(d.Heading(f"{number}. {group.criterion.title}", level=2))
        lines = []
        rows = []
        for offset in range(group.count):
            column = group.start + offset
            indicator = table.indicators[column]
            cell = table.total.cells[column]
            verdict = _assessment(indicator, cell)
            lines.append(f"{indicator.name}: {_value_text(indicator, cell)}" + (f" ({verdict.lower()} chỉ tiêu kế hoạch {target_label(indicator)})" if verdict else ""))
            rows.append((str(offset + 1), indicator.name, indicator.unit, _figure(indicator, cell) or "—",
                         target_label(indicator), verdict))
        blocks.append(d.para("Kết quả toàn tỉnh: " + "; ".join(lines) + "."))
        blocks.append(d.table(
            [d.Column("STT", 0.7, d.Align.CENTER), d.Column("Chỉ tiêu", 5), d.Column("Đơn vị tính", 1.3, d.Align.CENTER),
             d.Column("Kết quả", 1.6, d.Align.RIGHT), d.Column("Chỉ tiêu kế hoạch", 1.3, d.Align.CENTER),
             d.Column("Đánh giá", 1.3, d.Align.CENTER)],
            rows, font_size=11,
        ))
    return blocks


def _completeness_blocks(report: Completeness) -> list[d.Block]:
    blocks: list[d.Block] = [d.para(report.summary)]
    late = [row for row in report.rows if row.status is ReportStatus.LATE]
    if late:
        blocks.append(d.para("Các đơn vị gửi muộn: " + "; ".join(f"{r.unit.name} ({r.days_late} ngày)" for r in late) + "."))
    if report.reminders:
        blocks.append(d.para("Các đơn vị chưa gửi báo cáo: " + "; ".join(r.unit.name for r in report.reminders) + "."))
    return blocks


def _misses_blocks(table: ConsolidatedTable) -> list[d.Block]:
    misses = [(row, ind) for row, ind in table.misses() if row.unit is not None]
    if not misses:
        return [d.para("Các đơn vị có số liệu đều đạt các chỉ tiêu kế hoạch có định mức.")]
    rows = [(str(n), row.unit.name, f"{ind.code}. {ind.name}",
             _figure(ind, row.cells[table.column_of[ind.id]]), target_label(ind))
            for n, (row, ind) in enumerate(misses, start=1)]
    return [d.table([d.Column("STT", 0.7, d.Align.CENTER), d.Column("Đơn vị", 3), d.Column("Chỉ tiêu", 4.2),
                     d.Column("Kết quả", 1.2, d.Align.RIGHT), d.Column("Chỉ tiêu KH", 1.2, d.Align.CENTER)],
                    rows, font_size=11)]


def _ranking_blocks(ranking: Ranking | None, candidates: Sequence[AwardCandidate]) -> list[d.Block]:
    if ranking is None:
        return [d.para("Chưa có thang điểm thi đua cho kế hoạch này nên chưa chấm điểm, xếp hạng.")]
    blocks: list[d.Block] = [d.para(
        f"Căn cứ {ranking.scheme.title[0].lower()}{ranking.scheme.title[1:]} (điểm chuẩn "
        f"{format_points(ranking.scheme.standard_total)} điểm), kết quả chấm điểm và xếp hạng như sau:"
    )]
    lines = [rule.min_percent for rule in ranking.scheme.awards]
    rows = [(str(r.rank), r.unit.name, format_points(r.self_total),
             format_points(r.reviewed_total) if r.reviewed else NOT_ASSESSED,
             format_percent(r.percent, target=lines) + ("" if r.reviewed else " (tự chấm)")) for r in ranking.rows]
    blocks.append(d.table([d.Column("Hạng", 0.7, d.Align.CENTER), d.Column("Đơn vị", 5), d.Column("Điểm tự chấm", 1.4, d.Align.RIGHT),
                           d.Column("Điểm thẩm định", 1.4, d.Align.RIGHT), d.Column("Tỷ lệ", 1.1, d.Align.RIGHT)],
                          rows, font_size=11))
    if any(not r.reviewed for r in ranking.rows):
        blocks.append(d.para(f"Đơn vị ghi “{NOT_ASSESSED}”: tỷ lệ tính theo điểm tự chấm, chưa được Sở thẩm định.",
                             style=d.ParaStyle.PLAIN))
    if candidates:
        blocks.append(d.para("Trên cơ sở kết quả xếp hạng, Sở Tư pháp đề xuất Hội đồng Thi đua – Khen thưởng xem xét "
                             "khen thưởng các tập thể sau:"))
        blocks += [d.para(f"- {c.award_title}: {c.unit.name} ({c.summary.lower()}).") for c in candidates]
    else:
        blocks.append(d.para("Chưa có đơn vị đạt ngưỡng điểm để đề xuất khen thưởng trong kỳ này."))
    return blocks


RECIPIENTS_FILE = "recipients.json"


def recipients(list_name: str, day: date) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """("Nơi nhận" lines in force on `day`, their "check before official use" notes), from
    `resources/awards/recipients.json`: no district office is addressed after the 2025 reorganisation."""
    raw = json.loads((resource_path("awards") / RECIPIENTS_FILE).read_text(encoding="utf-8"))[list_name]
    kept = [item for item in raw
            if (not item.get("from") or date.fromisoformat(item["from"]) <= day)
            and (not item.get("to") or day <= date.fromisoformat(item["to"]))]
    return tuple(item["text"] for item in kept), tuple(item["check"] for item in kept if item.get("check"))


def summary_documents(
    campaign: CampaignInfo,
    data: SummaryData,
    header: Header,
    *,
    day: date | None = None,
    assessment: str = "",
) -> tuple[d.Document, d.Document]:
    """The report and its landscape appendix (the consolidated table of key indicators per unit)."""
    table = data.table
    period = table.filter.period
    report_ref = _ref(header, "Báo cáo", "BC", day)
    issued = f" ngày {format_date(data.plan_date)}" if data.plan_date else ""
    districts = any(r.unit is not None and r.unit.kind is UnitKind.DISTRICT_OFFICE and r.has_data for r in table.rows)
    senders = "phòng, đơn vị thuộc Sở và Phòng Tư pháp các huyện, thị xã, thành phố" if districts else "đơn vị"
    intro = (
        f"Thực hiện Kế hoạch số {campaign.plan_number}{issued} của {campaign.issued_by} về phát động phong trào thi đua "
        f"“{campaign.title}” giai đoạn {campaign.starts_on.year} – {campaign.ends_on.year}, trên cơ sở số liệu do các "
        f"{senders} gửi về (gói dữ liệu có chữ ký xác thực của từng đơn vị), "
        f"Sở Tư pháp tổng hợp kết quả thực hiện phong trào {period_phrase(period.label)} như sau:"
    )
    own_text = d.paragraphs(assessment) or [d.para(
        f"{table.total.label} ghi nhận {format_number(table.total.activities)} hoạt động của {format_number(sum(1 for r in table.rows if r.has_data))} "
        f"đơn vị; {format_number(len(table.misses()))} trường hợp chưa đạt chỉ tiêu kế hoạch cần được các đơn vị tập trung khắc phục "
        "trong thời gian tới."
    )]
    addressed, checks = recipients("summary_report", day or date.today())
    blocks: list[d.Block] = [
        d.para(intro),
        d.Heading("I. TÌNH HÌNH GỬI BÁO CÁO"),
        *_completeness_blocks(data.completeness),
        d.Heading("II. KẾT QUẢ THỰC HIỆN CÁC NỘI DUNG PHONG TRÀO"),
        d.para("Số liệu các chỉ tiêu chính của từng đơn vị tại Phụ lục kèm theo Báo cáo này."),
        *_criteria_blocks(table),
        d.Heading("III. CÁC CHỈ TIÊU CHƯA ĐẠT"),
        *_misses_blocks(table),
        d.Heading("IV. CHẤM ĐIỂM, XẾP HẠNG VÀ ĐỀ XUẤT KHEN THƯỞNG"),
        *_ranking_blocks(data.ranking, data.candidates),
        d.Heading("V. ĐÁNH GIÁ CHUNG"),
        *own_text,
        d.para(f"Trên đây là báo cáo tổng hợp kết quả thực hiện phong trào thi đua {period_phrase(period.label)} của Sở Tư pháp./."),
    ]
    main = d.Document(
        name=f"bao-cao-tong-hop-{period.start:%Y%m%d}-{period.end:%Y%m%d}",
        letterhead=_letterhead(header, report_ref, day), ref=report_ref,
        title=d.Title("BÁO CÁO", ("Tổng hợp kết quả thực hiện phong trào thi đua", f"“{campaign.title}”",
                                  period.label.removeprefix("Cả ").capitalize() if period.label.startswith("Cả") else period.label)),
        blocks=tuple(blocks),
        closing=_closing(header, addressed),
        keywords=("thi đua", campaign.code, period.label), notes=checks,
    )
    return main, appendix_document(table, report_ref)


def appendix_document(table: ConsolidatedTable, report: d.DocumentRef | None = None) -> d.Document:
    """The appendix: every unit's figures for the key indicators, with the province row and misses starred;
    "(Kèm theo Báo cáo số …)" names the report it belongs to."""
    indicators = [i for i in table.indicators if i.is_key] or list(table.indicators[:10])
    columns = [d.Column("STT", 0.7, d.Align.CENTER), d.Column("Đơn vị", 2.6)]
    columns += [d.Column(f"{i.code} ({i.unit})", 1.9 if i.is_money else 1, d.Align.RIGHT) for i in indicators]
    rows: list[tuple[str, ...]] = []
    for number, row in enumerate((*table.rows, table.total), start=1):
        cells = []
        for indicator in indicators:
            cell = row.cells[table.column_of[indicator.id]]
            cells.append(_figure(indicator, cell) + ("*" if cell.missed else ""))
        rows.append((str(number) if row.unit else "", row.label, *cells))
    legend = "; ".join(f"{i.code}: {i.name}" for i in indicators)
    return d.Document(
        name="phu-luc-bang-tong-hop",
        title=d.Title("PHỤ LỤC", (f"Bảng tổng hợp số liệu các chỉ tiêu chính theo đơn vị — {table.filter.description}",)),
        blocks=(*((d.para(f"(Kèm theo {report.citation(year=(report.day or date.today()).year)})",
                             style=d.ParaStyle.NOTE),) if report else ()),
                d.table(columns, rows, font_size=9),
                d.para(f"Ghi chú: {legend}. Dấu * : chưa đạt chỉ tiêu kế hoạch.", style=d.ParaStyle.PLAIN)),
        orientation=d.Orientation.LANDSCAPE, cites=(report,) if report else (),
    )


def summary_data(session: Session, campaign: CampaignInfo, flt: ConsolidationFilter, *, scheme: ScoringScheme | None,
                 figures: FiguresSource | None = None, as_of: date | None = None) -> SummaryData:
    """The report's figures; `scheme` None (no scoring scheme for the campaign) leaves the ranking out."""
    table = consolidated_table(session, campaign, flt, figures=figures)
    report = completeness(session, campaign, flt.period, as_of=as_of, unit_kinds=flt.unit_kinds,
                          unit_ids=flt.unit_ids)
    ranking = rank_units(session, campaign, flt, table=table, scheme=scheme) if scheme is not None else None
    plan_date = session.scalar(select(Campaign.issued_on).where(Campaign.id == campaign.id))
    return SummaryData(table, report, ranking, tuple(award_candidates(ranking)) if ranking else (), plan_date)


def write_summary_files(
    campaign: CampaignInfo,
    data: SummaryData,
    header: Header,
    target: Path,
    *,
    assessment: str = "",
    day: date | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelFn = never_cancelled,
) -> list[Path]:
    """Write the report as PDF (report + appendix) and as Word files beside it, each atomically."""
    report = progress or no_progress
    report(0, 2)
    main, appendix = summary_documents(campaign, data, header, day=day or date.today(), assessment=assessment)
    check_set([main, appendix])
    target = target.with_suffix(".pdf")
    outputs = {
        target: d.render_pdf([main, appendix]),
        target.with_suffix(".docx"): d.render_docx(main),
        target.with_name(f"{target.stem}-phu-luc.docx"): d.render_docx(appendix),
    }
    check_cancel(cancel)  # the last point where nothing is written yet
    report(1, 2)
    for path, payload in outputs.items():
        d.write_file(path, payload)
    report(2, 2)
    return list(outputs)
