"""`thidua activity list/add/export-csv`: recording and listing activities from scripts."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from thidua_desktop.cli.common import add_workspace_arguments, open_workspace, printer
from thidua_desktop.core.activities import SHORT_ID_LENGTH, ActivityDraft, validate_draft
from thidua_desktop.core.catalogue import CampaignInfo
from thidua_desktop.core.errors import UserError, ValidationError
from thidua_desktop.core.export import write_activities_csv
from thidua_desktop.core.query import ActivityFilter, ActivityRow, Period
from thidua_desktop.core.text import format_date, format_number, parse_date, parse_number
from thidua_desktop.core.workspace import Role, Workspace


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("activity", help="ghi nhận và liệt kê hoạt động")
    act_sub = parser.add_subparsers(dest="activity_command", required=True, metavar="LỆNH")

    listing = act_sub.add_parser("list", help="liệt kê hoạt động")
    _add_filter_arguments(listing)
    listing.set_defaults(handler=run_list)

    export = act_sub.add_parser("export-csv", help="xuất danh sách hoạt động ra tệp CSV (UTF-8, mở được bằng Excel)")
    _add_filter_arguments(export)
    export.add_argument("--out", required=True, type=Path, help="tệp CSV cần ghi")
    export.set_defaults(handler=run_export)

    add = act_sub.add_parser("add", help="thêm một hoạt động")
    add_workspace_arguments(add)
    add.add_argument("--unit", help="mã đơn vị (mặc định: đơn vị của máy này)")
    add.add_argument("--criterion", required=True, help="mã tiêu chí, ví dụ 2.2")
    add.add_argument("--date", required=True, help="ngày thực hiện dd/mm/yyyy")
    add.add_argument("--title", required=True, help="tên hoạt động")
    add.add_argument("--commune", default="", help="xã, phường, thị trấn")
    add.add_argument("--poor", action="store_true", help="xã nghèo")
    add.add_argument("--remote", action="store_true", help="vùng sâu, vùng xa")
    add.add_argument("--ethnic", action="store_true", help="vùng đồng bào dân tộc thiểu số")
    add.add_argument("--officer", default="", help="người phụ trách")
    add.add_argument("--description", default="", help="mô tả")
    add.add_argument("--value", action="append", default=[], metavar="MÃ=SỐ", help="số liệu chỉ tiêu, ví dụ 2.2.b=3")
    add.add_argument("--attach", action="append", default=[], type=Path, metavar="TỆP", help="tệp minh chứng")
    add.set_defaults(handler=run_add)

    show = act_sub.add_parser("show", help="xem chi tiết một hoạt động")
    add_workspace_arguments(show)
    show.add_argument("id", metavar="MÃ", help=f"mã hoạt động ({SHORT_ID_LENGTH} ký tự đầu là đủ)")
    show.set_defaults(handler=run_show)
    for name, help_text, handler in (("delete", "xóa hoạt động (đưa vào thùng rác)", run_delete),
                                     ("restore", "khôi phục hoạt động từ thùng rác", run_restore)):
        command = act_sub.add_parser(name, help=help_text)
        add_workspace_arguments(command)
        command.add_argument("ids", nargs="+", metavar="MÃ", help=f"mã hoạt động ({SHORT_ID_LENGTH} ký tự đầu là đủ)")
        command.set_defaults(handler=handler)


def _add_filter_arguments(parser: argparse.ArgumentParser) -> None:
    add_workspace_arguments(parser)
    parser.add_argument("--criterion", help="chỉ tiêu chí này (kèm tiêu chí con)")
    parser.add_argument("--year", type=int, help="chỉ năm này")
    parser.add_argument("--search", default="", help="tìm theo tên, địa bàn, người phụ trách (không cần dấu)")
    parser.add_argument("--unit", help="chỉ đơn vị này")
    parser.add_argument("--deleted", action="store_true", help="xem thùng rác")


def _filter(workspace: Workspace, args: argparse.Namespace) -> ActivityFilter:
    campaign = workspace.campaign()
    flt = ActivityFilter(campaign_id=campaign.id, search=args.search, deleted=args.deleted)
    if args.criterion:
        criterion = campaign.criteria_by_code.get(args.criterion)
        if criterion is None:
            raise UserError(f"Không có tiêu chí “{args.criterion}”.", hint=_criteria_hint(workspace))
        flt = flt.with_(criterion_ids=frozenset(campaign.criterion_and_descendants(criterion.id)))
    if args.year:
        flt = flt.with_(period=Period.year(args.year))
    unit_code = args.unit or (workspace.setting("unit_code") if workspace.role is Role.UNIT else None)
    if unit_code:
        flt = flt.with_(unit_ids=frozenset({workspace.units().get(unit_code).id}))
    return flt


def _criteria_hint(workspace: Workspace) -> str:
    return "Các mã tiêu chí: " + ", ".join(c.code for c in workspace.campaign().criteria)


def _rows(workspace: Workspace, args: argparse.Namespace) -> Iterator[ActivityRow]:
    for page in workspace.activity_queries().pages(_filter(workspace, args)):
        yield from page.rows


def run_list(args: argparse.Namespace) -> int:
    with open_workspace(args) as workspace:
        count = 0
        department = workspace.role is Role.DEPARTMENT
        for row in _rows(workspace, args):
            count += 1
            unit = f"{row.unit_name[:22]:<22} " if department else ""
            status = row.department_status if department else row.status
            print(f"{format_date(row.activity_date)}  {unit}{row.criterion_code:<4} {row.title[:60]:<60} "
                  f"{row.place[:40]:<40} {row.figures}  [{status}]  {row.uuid[:SHORT_ID_LENGTH]}")
        print(f"Tổng cộng: {count} hoạt động.")
    return 0


def run_export(args: argparse.Namespace) -> int:
    with open_workspace(args) as workspace:
        count = write_activities_csv(
            workspace.activity_queries(), _filter(workspace, args), args.out, progress=printer("Đang xuất")
        )
        print(f"Đã ghi {count} hoạt động vào {args.out}.")
    return 0


def run_add(args: argparse.Namespace) -> int:
    with open_workspace(args, create=True) as workspace:
        campaign = workspace.campaign()
        criterion = campaign.criteria_by_code.get(args.criterion)
        if criterion is None:
            raise UserError(f"Không có tiêu chí “{args.criterion}”.", hint=_criteria_hint(workspace))
        values: dict[int, int] = {}
        for item in args.value:
            code, _, raw = item.partition("=")
            indicator = campaign.indicators_by_code.get(code.strip())
            if indicator is None:
                raise UserError(f"Không có chỉ tiêu “{code}”.", hint="Ví dụ: --value 2.2.b=3")
            try:
                values[indicator.id] = parse_number(raw)
            except ValueError as exc:
                raise UserError(f"Số liệu của chỉ tiêu {code}: {exc}") from None
        try:
            day = parse_date(args.date)
        except ValueError as exc:
            raise ValidationError({"activity_date": str(exc)}) from None
        draft = ActivityDraft(
            criterion_id=criterion.id, activity_date=day, title=args.title, commune=args.commune,
            is_poor_commune=args.poor, is_remote_area=args.remote, is_ethnic_area=args.ethnic,
            description=args.description, responsible_officer=args.officer, values=values,
        )
        unit_code = args.unit or workspace.setting("unit_code")
        if not unit_code:
            raise UserError("Máy này chưa chọn đơn vị.", hint="Dùng --unit MÃ hoặc thiết lập trong chương trình.")
        problems, warnings = validate_draft(campaign, draft, workspace.units().get(unit_code))
        if problems:
            raise _with_indicator_codes(ValidationError(problems), campaign)  # before copying any file
        # One command, one transaction: the files are copied first and linked by the same save; if anything
        # fails, nothing is saved and the copies no record references are removed (a retry starts clean).
        with workspace.evidence().staged_files(args.attach, progress=printer("Đang chép minh chứng")) as files:
            try:
                report = workspace.activities().create(unit_code, replace(draft, attachments=files))
            except ValidationError as error:
                raise _with_indicator_codes(error, campaign) from None
        uuid = report.created[0]
        for warning in warnings:
            print(f"Lưu ý: {warning.message}")
        print(f"Đã lưu hoạt động {uuid[:SHORT_ID_LENGTH]}.")
    return 0


def _with_indicator_codes(error: ValidationError, campaign: CampaignInfo) -> ValidationError:
    """The CLI user typed indicator codes, so each figure's problem starts with the code it is about."""
    named: dict[str, str] = {}
    for key, message in error.problems.items():
        kind, _, ident = key.partition(":")
        indicator = campaign.indicators_by_id.get(int(ident)) if kind == "value" and ident.isdigit() else None
        named[key] = f"Chỉ tiêu {indicator.code}: {message}" if indicator else message
    return ValidationError(named)


def run_show(args: argparse.Namespace) -> int:
    with open_workspace(args) as workspace:
        service = workspace.activities()
        detail = service.get(service.resolve_id(args.id))
        campaign = workspace.campaign()
        draft = detail.draft
        criterion = campaign.criteria_by_id[draft.criterion_id]
        places = [label for flag, label in ((draft.is_poor_commune, "xã nghèo"), (draft.is_remote_area, "vùng sâu, vùng xa"),
                                            (draft.is_ethnic_area, "vùng đồng bào DTTS")) if flag]
        lines = [
            ("Mã", detail.uuid), ("Đơn vị", f"{detail.unit_name} ({detail.unit_code})"),
            ("Tiêu chí", criterion.label), ("Ngày thực hiện", format_date(draft.activity_date)),
            ("Tên hoạt động", draft.title), ("Địa bàn", ", ".join([draft.commune, *places]).strip(", ")),
            ("Người phụ trách", draft.responsible_officer), ("Mô tả", draft.description),
            ("Trạng thái", "đã xóa (trong thùng rác)" if detail.deleted_at else f"phiên bản {detail.revision}"),
        ]
        for label, value in lines:
            if value:
                print(f"{label + ':':<17}{value}")
        for indicator_id, value in draft.values.items():
            indicator = campaign.indicators_by_id[indicator_id]
            print(f"  {indicator.code:<8} {format_number(value):>8} {indicator.unit:<12} {indicator.name}")
        for attachment in draft.attachments or []:
            print(f"  Minh chứng: {attachment.file_name}")
    return 0


def _change(args: argparse.Namespace, *, delete: bool) -> int:
    with open_workspace(args, create=True) as workspace:
        service = workspace.activities()
        uuids = [service.resolve_id(short) for short in args.ids]
        report = service.delete(uuids) if delete else service.restore(uuids)
        done = report.deleted if delete else report.restored
        verb = "Đã xóa" if delete else "Đã khôi phục"
        print(f"{verb} {len(done)} hoạt động: {', '.join(u[:SHORT_ID_LENGTH] for u in done) or '—'}.")
    return 0


def run_delete(args: argparse.Namespace) -> int:
    return _change(args, delete=True)


def run_restore(args: argparse.Namespace) -> int:
    return _change(args, delete=False)
