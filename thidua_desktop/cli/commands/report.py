"""`thidua report …`: award dossiers, the nomination list, certificates on blank forms and their calibration."""

from __future__ import annotations

import argparse
from dataclasses import replace
from datetime import date
from pathlib import Path

from thidua_desktop.cli.commands.consolidate import _filter as consolidation_filter
from thidua_desktop.cli.commands.consolidate import _period_and_filters as period_and_filters
from thidua_desktop.cli.common import add_workspace_arguments, open_workspace, printer
from thidua_desktop.core.awards.certificates import Offset
from thidua_desktop.core.awards.documents import write_file
from thidua_desktop.core.awards.models import NomineeKind, Sex
from thidua_desktop.core.awards.ranking import Candidate
from thidua_desktop.core.awards.service import (
    KIND_LABELS,
    AwardService,
    NominationDraft,
    RoundInfo,
    SignerInfo,
)
from thidua_desktop.core.errors import NotFoundError, UserError
from thidua_desktop.core.text import format_date, format_number, parse_date


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("report", help="hồ sơ đề nghị khen thưởng, giấy khen và báo cáo in")
    report_sub = parser.add_subparsers(dest="report_command", required=True, metavar="LỆNH")

    dossier = report_sub.add_parser("dossier", help="ghi hồ sơ của một đề nghị, hoặc cả đợt xét (PDF và Word)")
    add_workspace_arguments(dossier)
    target = dossier.add_mutually_exclusive_group(required=True)
    target.add_argument("--nomination", type=int, metavar="SỐ", help="số đề nghị (xem: report nominations list)")
    target.add_argument("--round", type=int, metavar="SỐ", help="cả đợt xét: mọi hình thức, một bộ số văn bản")
    dossier.add_argument("--out", required=True, type=Path, metavar="THƯ_MỤC", help="thư mục ghi hồ sơ")
    dossier.set_defaults(handler=run_dossier)

    round_parser = report_sub.add_parser("round", help="thông tin đợt xét: ngày, số từng văn bản, người ký, cuộc họp")
    add_workspace_arguments(round_parser)
    round_parser.add_argument("--round", type=int, metavar="SỐ", help="đợt xét (mặc định: đợt đầu tiên)")
    round_parser.add_argument("--document-date", metavar="NGÀY", help="ngày văn bản, ví dụ 05/12/2025 (chọn căn cứ pháp lý)")
    round_parser.add_argument("--meeting-date", metavar="NGÀY", help="ngày họp Hội đồng")
    round_parser.add_argument("--number", action="append", default=[], metavar="VĂN_BẢN=SỐ",
                              help="số của một văn bản, ví dụ to_trinh/BK-BTP=15 hoặc bien_ban=3 (lặp lại được)")
    round_parser.add_argument("--signer", metavar="HỌ_TÊN", help="họ tên người ký của cơ quan trình")
    round_parser.add_argument("--office-signer", action="append", default=[], metavar="KÝ_HIỆU=HỌ_TÊN",
                              help="người ký của cơ quan khác trình thay, ví dụ VP=Phạm Thị Lan (lặp lại được)")
    round_parser.add_argument("--members", nargs=2, type=int, metavar=("CÓ_MẶT", "TỔNG_SỐ"),
                              help="số thành viên Hội đồng có mặt và tổng số")
    round_parser.set_defaults(handler=run_round)

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
    create.add_argument("--person", metavar="HỌ_TÊN", help="đề nghị cho cá nhân (cần --unit là nơi công tác, --award)")
    create.add_argument("--position", default="", metavar="CHỨC_VỤ", help="chức vụ của cá nhân")
    create.add_argument("--sex", choices=("nam", "nu"), help="giới tính của cá nhân")
    create.add_argument("--birth-date", metavar="NGÀY", help="ngày sinh của cá nhân")
    create.set_defaults(handler=run_create)

    summary = report_sub.add_parser("summary", help="báo cáo tổng hợp kết quả phong trào (PDF và Word), có ngày văn bản")
    period_and_filters(summary, places=False)
    summary.add_argument("--out", required=True, type=Path, metavar="TỆP", help="tệp PDF; tệp .docx cùng tên ghi kèm")
    summary.add_argument("--date", metavar="NGÀY", help="ngày văn bản, ví dụ 15/01/2026 (mặc định: hôm nay)")
    summary.add_argument("--number", default="", metavar="SỐ", help="số văn bản, ví dụ 125")
    summary.add_argument("--signer", default="", metavar="HỌ_TÊN", help="họ tên người ký")
    summary.set_defaults(handler=run_summary)

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


def _date(text: str | None, field: str) -> date | None:
    if text is None:
        return None
    try:
        return parse_date(text)
    except ValueError as error:
        raise UserError(f"{field}: {error}", hint="Ghi ngày dạng ngày/tháng/năm, ví dụ 05/12/2025.") from None


def _pairs(items: list[str], option: str) -> dict[str, str]:
    pairs = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UserError(f"{option} “{item}” chưa đúng dạng KHÓA=GIÁ_TRỊ.", hint=f"Ví dụ: {option} to_trinh/BK-BTP=15")
        pairs[key.strip()] = value.strip()
    return pairs


def run_round(args: argparse.Namespace) -> int:
    """Set what the GUI's “Thông tin đợt…” sets (only the options given), then show the round."""
    with open_workspace(args) as workspace:
        service = workspace.awards()
        rounds = service.rounds()
        info = next((r for r in rounds if args.round in (None, r.id)), None)
        if info is None:
            raise NotFoundError("Chưa có đợt xét khen thưởng." if args.round is None
                                else f"Không có đợt xét khen thưởng số {args.round}.",
                                hint="Lập đề nghị trước (report nominations create) để tạo đợt.")
        changes: dict[str, object] = {}
        if args.document_date:
            changes["document_date"] = _date(args.document_date, "--document-date")
        if args.meeting_date:
            changes["meeting_date"] = _date(args.meeting_date, "--meeting-date")
        if args.number:
            changes["numbers"] = {**info.numbers, **_pairs(args.number, "--number")}
        if args.signer is not None:
            changes["signer_name"] = args.signer
        if args.office_signer:
            signers = dict(info.signers)
            for key, name in _pairs(args.office_signer, "--office-signer").items():
                signers[key] = replace(signers.get(key, SignerInfo()), name=name)
            changes["signers"] = signers
        if args.members:
            changes["members_present"], changes["members_total"] = args.members
        if changes:
            info, _ = service.save_round(replace(info, **changes))
        _print_round(service, info)
    return 0


def _print_round(service: AwardService, info: RoundInfo) -> None:
    print(f"Đợt {info.id}: {info.name}")
    print(f"  Ngày văn bản: {format_date(info.document_date) or '(chưa có)'}; "
          f"họp Hội đồng: {format_date(info.meeting_date) or '(chưa họp)'}")
    for ref in service.numbered_documents(info):
        print(f"  {ref.key:<22} Số: {ref.number_text.replace(chr(0xA0), ' ').strip():<18} {ref.label}")
    for key, signer in info.signers.items():
        print(f"  Người ký ({key}): {' / '.join(p for p in (signer.authority, signer.title, signer.name) if p)}")


def run_dossier(args: argparse.Namespace) -> int:
    with open_workspace(args) as workspace:
        documents = workspace.awards().documents
        if args.round is not None:
            result = documents.write_round_dossier(args.round, args.out, progress=printer("Đang tạo hồ sơ"))
        else:
            result = documents.write_dossier(args.nomination, args.out, progress=printer("Đang tạo hồ sơ"))
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
        if not rounds:
            print("Chưa có đợt xét khen thưởng nào.")
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
    with open_workspace(args, create=True) as workspace:
        service = workspace.awards()
        issuer = workspace.own_unit()
        if issuer is None:
            raise UserError("Máy này chưa thiết lập đơn vị.", hint="Mở chương trình để chọn vai trò và đơn vị trước.")
        round_info = service.ensure_round(issuer)
        if args.person:
            return _create_person(service, round_info.id, args)
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


def _create_person(service: AwardService, round_id: int, args: argparse.Namespace) -> int:
    """An individual nomination (cá nhân), as the GUI's “Thêm cá nhân” makes it."""
    if len(args.unit) != 1 or not args.award:
        raise UserError("Đề nghị cho cá nhân cần đúng một --unit (nơi công tác) và --award.",
                        hint='Ví dụ: report nominations create --person "Nguyễn Thị Thu Hà" --unit PTP-CM --award GK-STP')
    sex = {"nam": Sex.MALE, "nu": Sex.FEMALE}.get(args.sex or "")
    draft = NominationDraft(NomineeKind.INDIVIDUAL, args.award, args.unit[0], name=args.person, sex=sex,
                            birth_date=_date(args.birth_date, "--birth-date"), position=args.position)
    nomination_id, _ = service.create(round_id, draft)
    print(f"Đã lập đề nghị số {nomination_id}: {args.person} — {service.catalog.award_type(args.award).short_name}")
    return 0


def run_summary(args: argparse.Namespace) -> int:
    """The summary report, dated as the GUI dates it (not always today)."""
    day = _date(args.date, "--date")
    with open_workspace(args) as workspace:
        paths = workspace.consolidation().write_summary_report(
            consolidation_filter(workspace, args), args.out, number=args.number, signer_name=args.signer, day=day,
            progress=printer("Đang lập báo cáo"))
    print("Đã ghi " + ", ".join(str(p) for p in paths))
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
    with open_workspace(args, create=bool(args.set_offset)) as workspace:
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
