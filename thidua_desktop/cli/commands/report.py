"""`thidua report …`: award dossiers, the nomination list, certificates on blank forms and their calibration."""

from __future__ import annotations

import argparse
from pathlib import Path

from thidua_desktop.cli.common import add_workspace_arguments, open_workspace, printer
from thidua_desktop.core.awards.certificates import Offset
from thidua_desktop.core.awards.documents import write_file
from thidua_desktop.core.awards.ranking import Candidate
from thidua_desktop.core.awards.service import KIND_LABELS
from thidua_desktop.core.errors import NotFoundError, UserError
from thidua_desktop.core.text import format_number


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("report", help="hồ sơ đề nghị khen thưởng, giấy khen và báo cáo in")
    report_sub = parser.add_subparsers(dest="report_command", required=True, metavar="LỆNH")

    dossier = report_sub.add_parser("dossier", help="ghi toàn bộ hồ sơ của một đề nghị (PDF và Word)")
    add_workspace_arguments(dossier)
    dossier.add_argument("--nomination", required=True, type=int, metavar="SỐ", help="số đề nghị (xem: report nominations list)")
    dossier.add_argument("--out", required=True, type=Path, metavar="THƯ_MỤC", help="thư mục ghi hồ sơ")
    dossier.set_defaults(handler=run_dossier)

    nominations = report_sub.add_parser("nominations", help="các đề nghị khen thưởng")
    nominations_sub = nominations.add_subparsers(dest="nominations_command", required=True, metavar="LỆNH")
    listing = nominations_sub.add_parser("list", help="liệt kê đề nghị khen thưởng theo đợt")
    add_workspace_arguments(listing)
    listing.add_argument("--round", type=int, metavar="SỐ", help="chỉ đợt xét này (mặc định: mọi đợt)")
    listing.set_defaults(handler=run_list)
    create = nominations_sub.add_parser(
        "create", help="lập đề nghị cho tập thể (đơn vị), điền sẵn thành tích từ số liệu; mặc định theo bảng xếp hạng"
    )
    add_workspace_arguments(create)
    create.add_argument("--unit", action="append", default=[], metavar="MÃ", help="mã đơn vị (lặp lại được)")
    create.add_argument("--award", metavar="MÃ", help="hình thức khen thưởng, ví dụ GK-STP (mặc định: theo xếp hạng)")
    create.set_defaults(handler=run_create)

    certificates = report_sub.add_parser("certificates", help="in tên lên phôi giấy khen, bằng khen (PDF, in 100%%)")
    add_workspace_arguments(certificates)
    certificates.add_argument("--nomination", required=True, type=int, action="append", metavar="SỐ",
                              help="số đề nghị (lặp lại để in nhiều tờ)")
    certificates.add_argument("--out", required=True, type=Path, metavar="TỆP", help="tệp PDF cần ghi")
    certificates.set_defaults(handler=run_certificates)

    calibration = report_sub.add_parser("calibration", help="trang in thử để hiệu chỉnh vị trí in trên phôi")
    add_workspace_arguments(calibration)
    calibration.add_argument("--form", required=True, metavar="MÃ", help="mã mẫu phôi, ví dụ giay-khen-a4")
    calibration.add_argument("--out", type=Path, metavar="TỆP", help="tệp PDF của trang in thử")
    calibration.add_argument("--set-offset", nargs=2, type=float, metavar=("X_MM", "Y_MM"),
                             help="lưu độ lệch mới (mm; X dương: sang phải, Y dương: xuống dưới)")
    calibration.set_defaults(handler=run_calibration)


def _offset_text(offset: Offset) -> str:
    return f"độ lệch X = {format_number(offset.x_mm, decimals=1)} mm, Y = {format_number(offset.y_mm, decimals=1)} mm"


def run_dossier(args: argparse.Namespace) -> int:
    with open_workspace(args) as workspace:
        result = workspace.awards().documents.write_dossier(args.nomination, args.out,
                                                            progress=printer("Đang tạo hồ sơ"))
    print(f"Đã ghi {len(result.files)} tệp vào {result.folder} (căn cứ theo {result.regime}):")
    for path in result.files:
        print(f"  {path.name}")
    return 0


def run_list(args: argparse.Namespace) -> int:
    with open_workspace(args) as workspace:
        service = workspace.awards()
        rounds = [r for r in service.rounds() if args.round in (None, r.id)]
        if args.round is not None and not rounds:
            raise NotFoundError(f"Không có đợt xét khen thưởng số {args.round}.")
        for round_info in rounds:
            items = service.nominations(round_info.id)
            print(f"Đợt {round_info.id}: {round_info.name} — {format_number(len(items))} đề nghị")
            for item in items:
                award = service.catalog.award_type(item.draft.award_type_code).short_name
                votes = f" ({item.votes_label} phiếu)" if item.votes_total else ""
                print(f"  {item.id:>5}  {KIND_LABELS[item.kind]:<8} {item.name:<45} {award:<34} "
                      f"{item.status_label}{votes}")
    return 0


def run_create(args: argparse.Namespace) -> int:
    """Draft collective nominations: the ranking's proposals, or the units and award given."""
    with open_workspace(args) as workspace:
        service = workspace.awards()
        issuer = workspace.own_unit()
        if issuer is None:
            raise UserError("Máy này chưa thiết lập đơn vị.", hint="Mở chương trình để chọn vai trò và đơn vị trước.")
        round_info = service.ensure_round(issuer)
        if args.unit:
            if not args.award:
                raise UserError("Hãy ghi hình thức khen thưởng với --award, ví dụ --award GK-STP.")
            service.catalog.award_type(args.award)  # refuses an unknown code with its own message
            candidates = [Candidate(code, args.award, 0.0) for code in args.unit]
        else:
            choices = service.ranking_choices()
            candidates = [c.candidate(args.award) for c in choices if c.proposed_award]
        report = service.create_from_candidates(round_info.id, candidates)
        for nomination_id in report.created:
            item = service.get(nomination_id)
            print(f"Đã lập đề nghị số {nomination_id}: {item.name} — "
                  f"{service.catalog.award_type(item.draft.award_type_code).short_name}")
        for reason in (*report.skipped, *report.warnings):
            print(f"Lưu ý: {reason}")
        if not report.created:
            print("Không lập thêm đề nghị nào.")
    return 0


def run_certificates(args: argparse.Namespace) -> int:
    with open_workspace(args) as workspace:
        batch = workspace.awards().documents.certificates(args.nomination)
    if batch.drafts:
        print(f"Lưu ý: {batch.drafts} đề nghị còn ở trạng thái dự thảo.")
    write_file(args.out, batch.pdf)
    print(f"Đã ghi {batch.pages} trang vào {args.out} ({_offset_text(batch.offset)}). "
          "Khi in, chọn tỉ lệ 100% (không co giãn).")
    return 0


def run_calibration(args: argparse.Namespace) -> int:
    with open_workspace(args) as workspace:
        documents = workspace.awards().documents
        documents.calibration_page(args.form)  # refuses an unknown form with its own message
        if args.set_offset:
            documents.save_offset(args.form, Offset(*args.set_offset))
        offset = documents.offset(args.form)
        print(f"Phôi {args.form}: {_offset_text(offset)}.")
        if args.out:
            documents.save_calibration_page(args.form, args.out)
            print(f"Đã ghi trang in thử vào {args.out}. In ở tỉ lệ 100% trên giấy trắng cùng khổ với phôi.")
    return 0
