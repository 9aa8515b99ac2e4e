"""`thidua consolidate …`: the department's consolidated table, reporting status, ranking, review locks, reports.

    thidua consolidate table --period 2024 [--kind district_office] [--poor] [--xlsx OUT.xlsx]
    thidua consolidate completeness --period 2024 [--deadline 15/01/2025] [--reminders] [--pdf OUT.pdf]
    thidua consolidate rank --period campaign [--candidates]
    thidua consolidate lock --unit PTP-CM --period 2024 [--note …] [--force]   /   unlock … --reason …
    thidua consolidate pending
    thidua consolidate report --period 2024 --out BAO-CAO.pdf
"""

from __future__ import annotations

import argparse
from pathlib import Path

from thidua_desktop.cli.common import add_workspace_arguments, open_workspace, printer
from thidua_desktop.core.consolidation.completeness import reminder_lines
from thidua_desktop.core.consolidation.periods import period_from_key
from thidua_desktop.core.consolidation.scoring import award_candidates, format_points
from thidua_desktop.core.consolidation.table import ConsolidationFilter, format_cell
from thidua_desktop.core.errors import NotFoundError, UserError
from thidua_desktop.core.models import UnitKind
from thidua_desktop.core.text import format_date, format_number, format_percent, parse_date
from thidua_desktop.core.workspace import Workspace


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("consolidate", help="tổng hợp, tình hình gửi báo cáo, thẩm định và xếp hạng (phía Sở)")
    commands = parser.add_subparsers(dest="consolidate_command", required=True, metavar="LỆNH")

    table = commands.add_parser("table", help="bảng tổng hợp đơn vị × chỉ tiêu")
    _period_and_filters(table)
    table.add_argument("--indicators", help="mã chỉ tiêu cần in, cách nhau bởi dấu phẩy (mặc định: chỉ tiêu chính)")
    table.add_argument("--xlsx", type=Path, help="xuất cả bảng (kèm tình hình gửi báo cáo và xếp hạng) ra tệp Excel")
    table.set_defaults(handler=run_table)

    sent = commands.add_parser("completeness", help="tình hình gửi báo cáo của các đơn vị")
    _period_and_filters(sent, places=False)
    sent.add_argument("--as-of", help="tính đến ngày dd/mm/yyyy (mặc định: hôm nay)")
    sent.add_argument("--deadline", help="đặt hạn gửi báo cáo của kỳ (dd/mm/yyyy; “mac-dinh” để bỏ)")
    sent.add_argument("--reminders", action="store_true", help="chỉ in danh sách đơn vị cần nhắc")
    sent.add_argument("--pdf", type=Path, help="lưu danh sách nhắc thành tệp PDF")
    sent.set_defaults(handler=run_completeness)

    rank = commands.add_parser("rank", help="chấm điểm và xếp hạng đơn vị")
    _period_and_filters(rank)
    rank.add_argument("--candidates", action="store_true", help="kèm đề xuất khen thưởng")
    rank.set_defaults(handler=run_rank)

    lock = commands.add_parser("lock", help="duyệt (khóa) số liệu một kỳ của một đơn vị")
    add_workspace_arguments(lock)
    lock.add_argument("--unit", required=True, help="mã đơn vị, ví dụ PTP-CM")
    lock.add_argument("--period", required=True, help="kỳ: 2024, 2024-Q2 hoặc campaign")
    lock.add_argument("--note", default="", help="ghi chú, ví dụ số biên bản họp Hội đồng")
    lock.add_argument("--force", action="store_true", help="duyệt dù còn hoạt động đang đề nghị giải trình")
    lock.set_defaults(handler=run_lock)

    unlock = commands.add_parser("unlock", help="mở khóa kỳ đã duyệt")
    add_workspace_arguments(unlock)
    unlock.add_argument("--unit", required=True, help="mã đơn vị")
    unlock.add_argument("--period", required=True, help="kỳ đã duyệt")
    unlock.add_argument("--reason", required=True, help="lý do mở khóa")
    unlock.set_defaults(handler=run_unlock)

    pending = commands.add_parser("pending", help="thay đổi chờ xử lý (gói gửi sau khi số liệu đã duyệt)")
    add_workspace_arguments(pending)
    pending.add_argument("--apply-unlocked", action="store_true", help="áp dụng các thay đổi mà kỳ đã được mở khóa")
    pending.add_argument("--discard", type=int, action="append", default=[], metavar="SỐ", help="bỏ qua thay đổi số …")
    pending.set_defaults(handler=run_pending)

    report = commands.add_parser("report", help="báo cáo tổng hợp kết quả thực hiện phong trào thi đua (PDF và Word)")
    _period_and_filters(report, places=False)
    report.add_argument("--out", required=True, type=Path, help="tệp PDF cần ghi; tệp .docx cùng tên được ghi kèm")
    report.add_argument("--number", default="", help="số văn bản, ví dụ 12")
    report.add_argument("--signer", default="", help="họ tên người ký")
    report.set_defaults(handler=run_report)


def _period_and_filters(parser: argparse.ArgumentParser, *, places: bool = True) -> None:
    add_workspace_arguments(parser)
    parser.add_argument("--period", default="campaign", help="kỳ: 2024, 2024-Q2 (hoặc Q2/2024), campaign (mặc định)")
    parser.add_argument("--kind", choices=[UnitKind.DISTRICT_OFFICE.value, UnitKind.DEPARTMENT_OFFICE.value],
                        help="chỉ một loại đơn vị")
    if places:
        parser.add_argument("--poor", action="store_true", help="chỉ hoạt động tại xã nghèo")
        parser.add_argument("--remote", action="store_true", help="chỉ hoạt động tại vùng sâu, vùng xa")
        parser.add_argument("--ethnic", action="store_true", help="chỉ hoạt động tại vùng đồng bào dân tộc thiểu số")


def _filter(workspace: Workspace, args: argparse.Namespace) -> ConsolidationFilter:
    period = period_from_key(args.period, workspace.campaign())
    return ConsolidationFilter(
        period,
        unit_kinds=frozenset({UnitKind(args.kind)}) if args.kind else None,
        poor_commune=True if getattr(args, "poor", False) else None,
        remote_area=True if getattr(args, "remote", False) else None,
        ethnic_area=True if getattr(args, "ethnic", False) else None,
    )


def _date(text: str, field: str) -> object:
    try:
        return parse_date(text)
    except ValueError as error:
        raise UserError(f"{field}: {error}", hint="Ghi ngày dạng ngày/tháng/năm, ví dụ 15/01/2025.") from None


def run_table(args: argparse.Namespace) -> int:
    with open_workspace(args) as workspace:
        campaign = workspace.campaign()
        flt = _filter(workspace, args)
        service = workspace.consolidation()
        table = service.table(flt, progress=printer("Đang tổng hợp"))
        if args.xlsx:
            service.export_excel(args.xlsx, table, progress=printer("Đang ghi Excel"))
        if args.indicators:
            codes = [c.strip() for c in args.indicators.split(",") if c.strip()]
            unknown = [c for c in codes if c not in campaign.indicators_by_code]
            if unknown:
                raise NotFoundError(f"Kế hoạch không có chỉ tiêu {', '.join(unknown)}.", hint="Xem mã chỉ tiêu trong bảng Excel.")
            indicators = [campaign.indicators_by_code[c] for c in codes]
        else:
            indicators = [i for i in campaign.indicators if i.is_key]
        print(f"BẢNG TỔNG HỢP — {flt.description}")
        print("Chỉ tiêu: " + "; ".join(f"{i.code} = {i.name} ({i.unit})" for i in indicators))
        header = [f"{'Đơn vị':<34}", f"{'Số HĐ':>7}", *(f"{i.code:>13}" for i in indicators)]
        print(" ".join(header))
        for row in (*table.rows, table.total):
            cells = [f"{format_cell(i, row.cells[table.column_of[i.id]]) + ('*' if row.cells[table.column_of[i.id]].missed else ''):>13}"
                     for i in indicators]
            print(" ".join([f"{row.label[:34]:<34}", f"{format_number(row.activities):>7}", *cells]))
        if any(row.cells[table.column_of[i.id]].missed for row in (*table.rows, table.total) for i in indicators):
            print("* chưa đạt chỉ tiêu kế hoạch")
        if args.xlsx:
            print(f"Đã ghi {args.xlsx}")
    return 0


def run_completeness(args: argparse.Namespace) -> int:
    with open_workspace(args, create=bool(args.deadline)) as workspace:
        service = workspace.consolidation()
        flt = _filter(workspace, args)
        if args.deadline:
            due = None if args.deadline.strip().lower() in ("mac-dinh", "mặc định", "default") else _date(args.deadline, "--deadline")
            service.set_deadline(flt.period, due)
        as_of = _date(args.as_of, "--as-of") if args.as_of else None
        report = service.completeness(flt.period, as_of=as_of, unit_kinds=flt.unit_kinds)
        if args.pdf:
            service.save_reminder_pdf(report, args.pdf, report.as_of)
        if args.reminders:
            print("\n".join(reminder_lines(report)))
        else:
            print(f"TÌNH HÌNH GỬI BÁO CÁO — {report.period.label}, hạn {format_date(report.deadline)}")
            print(report.summary)
            for row in report.rows:
                last = row.last_bundle
                sent = f"gói {last.seq}, lập {format_date(last.created_at)}, khóa {last.signer_key_id}" if last else "—"
                print(f"{row.unit.name[:44]:<44} {row.status_label:<24} {sent:<44} "
                      f"{format_number(row.records):>6} HĐ {format_number(row.evidence_files):>5} tệp")
        if args.pdf:
            print(f"Đã ghi danh sách nhắc vào {args.pdf}")
    return 0


def run_rank(args: argparse.Namespace) -> int:
    with open_workspace(args) as workspace:
        flt = _filter(workspace, args)
        ranking = workspace.consolidation().ranking(flt, progress=printer("Đang chấm điểm"))
        codes = [c.code for c in ranking.scheme.criteria]
        print(f"XẾP HẠNG — {flt.description}")
        print(" ".join([f"{'Hạng':>4}", f"{'Đơn vị':<38}", *(f"{c:>5}" for c in codes), f"{'Tự chấm':>8}", f"{'Thẩm định':>9}", f"{'Tỷ lệ':>7}"]))
        for row in ranking.rows:
            print(" ".join([
                f"{row.rank:>4}", f"{row.unit.name[:38]:<38}",
                *(f"{format_points(c.reviewed_points):>5}" for c in row.criteria),
                f"{format_points(row.self_total):>8}", f"{format_points(row.reviewed_total):>9}", f"{format_percent(row.percent):>7}",
            ]))
        if args.candidates:
            proposals = award_candidates(ranking)
            print("ĐỀ XUẤT KHEN THƯỞNG:" if proposals else "Chưa có đơn vị đạt ngưỡng đề nghị khen thưởng.")
            for proposal in proposals:
                notes = f" — lưu ý: {' '.join(proposal.warnings)}" if proposal.warnings else ""
                print(f"- {proposal.award_title}: {proposal.unit.name}. {proposal.summary}{notes}")
    return 0


def run_lock(args: argparse.Namespace) -> int:
    with open_workspace(args, create=True) as workspace:
        review = workspace.review()
        period = period_from_key(args.period, workspace.campaign())
        report = review.lock_period(review.unit_id(args.unit), period, note=args.note, allow_open_queries=args.force)
        assert report.lock is not None
        print(f"Đã duyệt (khóa) số liệu {report.lock.label} của {report.lock.unit_name}.")
    return 0


def run_unlock(args: argparse.Namespace) -> int:
    with open_workspace(args, create=True) as workspace:
        review = workspace.review()
        period = period_from_key(args.period, workspace.campaign())
        report = review.unlock_period(review.unit_id(args.unit), period, args.reason)
        assert report.lock is not None
        print(f"Đã mở khóa {report.lock.label} của {report.lock.unit_name}.")
        if report.freed:
            print(f"Có {len(report.freed)} thay đổi chờ xử lý nay có thể áp dụng (xem: thidua consolidate pending).")
    return 0


def run_pending(args: argparse.Namespace) -> int:
    with open_workspace(args, create=bool(args.discard or args.apply_unlocked)) as workspace:
        review = workspace.review()
        if args.discard:
            review.discard(args.discard)
            print(f"Đã bỏ qua {len(args.discard)} thay đổi.")
        if args.apply_unlocked:
            applied = review.apply_unlocked()
            print(f"Đã áp dụng {len(applied.changes.updated)}/{applied.requested} thay đổi "
                  "(các thay đổi cũ hơn số liệu hiện có được bỏ qua).")
        items = review.pending()
    if not items:
        print("Không có thay đổi nào chờ xử lý.")
        return 0
    print(f"THAY ĐỔI CHỜ XỬ LÝ ({len(items)}):")
    for item in items:
        state = "còn khóa" if item.locked else "đã mở khóa, có thể áp dụng"
        day = format_date(item.activity_date) if item.activity_date else ""
        print(f"- [{item.id}] {item.unit_code} gói {item.bundle_seq}: {item.change_label} “{item.title}” ({day}) — {state}")
    return 0


def run_report(args: argparse.Namespace) -> int:
    with open_workspace(args) as workspace:
        flt = _filter(workspace, args)
        paths = workspace.consolidation().write_summary_report(
            flt, args.out, number=args.number, signer_name=args.signer, progress=printer("Đang lập báo cáo"))
        print("Đã ghi " + ", ".join(str(p) for p in paths))
    return 0
