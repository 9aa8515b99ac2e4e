"""`thidua bundle export|verify|import|history`: signed bundles from the command line.

Every refusal prints the same Vietnamese message as the GUI and exits with its class's code (see
docs/bundle-format.md §8), so scripts can tell a tampered file from a replayed one.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from thidua_desktop.cli.commands.keys import print_outcomes
from thidua_desktop.cli.common import add_workspace_arguments, open_workspace, printer
from thidua_desktop.cli.passphrase import with_passphrase
from thidua_desktop.core.bundles.guards import CHANGE_LABELS, ChangeKind
from thidua_desktop.core.bundles.importer import (
    ImportPreview,
    ImportStatus,
    local_time,
)
from thidua_desktop.core.bundles.service import BundleService
from thidua_desktop.core.errors import UserError
from thidua_desktop.core.text import format_date, format_datetime, format_number
from thidua_desktop.core.workspace import Role

PREVIEW_LINES = 30


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("bundle", help="gửi và nhận gói dữ liệu có chữ ký")
    bundle_sub = parser.add_subparsers(dest="bundle_command", required=True, metavar="LỆNH")

    export = bundle_sub.add_parser("export", help="đơn vị: tạo gói dữ liệu có chữ ký để gửi Sở")
    add_workspace_arguments(export)
    export.add_argument("--out", type=Path, help="tệp hoặc thư mục đích (mặc định: thư mục bundles/outgoing)")
    export.add_argument("--full", action="store_true", help="gói đầy đủ: gửi kèm mọi tệp minh chứng")
    export.add_argument("--passphrase-file", help="đọc cụm mật khẩu từ dòng đầu của tệp này")
    export.add_argument("--dry-run", action="store_true", help="chỉ cho biết gói sẽ chứa gì, không tạo tệp")
    export.set_defaults(handler=run_export)

    verify = bundle_sub.add_parser("verify", help="kiểm tra chữ ký và toàn vẹn của một gói, không thay đổi gì")
    add_workspace_arguments(verify)
    verify.add_argument("file", type=Path, metavar="TỆP")
    verify.add_argument("--public-key", help="kiểm tra bằng khóa công khai này thay vì danh sách khóa tin cậy")
    verify.set_defaults(handler=run_verify)

    imp = bundle_sub.add_parser("import", help="Sở: nhận một hay nhiều gói (tệp hoặc thư mục)")
    add_workspace_arguments(imp)
    imp.add_argument("files", type=Path, nargs="+", metavar="TỆP")
    imp.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra và xem trước, không thay đổi gì")
    imp.set_defaults(handler=run_import)

    recover = bundle_sub.add_parser(
        "recover-evidence", help="Sở: lấy lại tệp minh chứng bị thiếu: đưa tệp của máy này vào kho dùng chung, "
                                 "rồi bổ sung từ các gói đã nhận trước đây (tệp hoặc thư mục)")
    add_workspace_arguments(recover)
    recover.add_argument("files", type=Path, nargs="*", metavar="TỆP")
    recover.set_defaults(handler=run_recover)

    held = bundle_sub.add_parser("held", help="Sở: các gói đang chờ xử lý (khóa mới, hai nhánh, số nhảy xa)")
    add_workspace_arguments(held)
    held.set_defaults(handler=run_held)

    choose = bundle_sub.add_parser("choose", help="Sở: chọn nhánh đúng khi chuỗi gói của đơn vị bị đóng băng")
    add_workspace_arguments(choose)
    choose.add_argument("--unit", required=True, help="mã đơn vị")
    branch = choose.add_mutually_exclusive_group(required=True)
    branch.add_argument("--keep-received", action="store_true", help="giữ nhánh Sở đã nhận")
    branch.add_argument("--held", type=int, metavar="SỐ", help="chọn nhánh của gói chờ xử lý số này")
    choose.add_argument("--reason", required=True, help="lý do, ví dụ: đã gọi điện xác minh với đơn vị")
    choose.set_defaults(handler=run_choose)

    approve = bundle_sub.add_parser("approve", help="Sở: cho phép gói có số thứ tự nhảy xa (đã xác minh)")
    add_workspace_arguments(approve)
    approve.add_argument("ids", type=int, nargs="+", metavar="SỐ")
    approve.add_argument("--reason", required=True, help="lý do, ví dụ: đã gọi điện xác minh với đơn vị")
    approve.set_defaults(handler=run_approve)

    release = bundle_sub.add_parser("release", help="Sở: xét lại các gói chờ xử lý (sau khi đã xử lý nguyên nhân)")
    add_workspace_arguments(release)
    release.add_argument("ids", type=int, nargs="+", metavar="SỐ")
    release.set_defaults(handler=run_release)

    history = bundle_sub.add_parser("history", help="lịch sử gói đã gửi (đơn vị) hoặc đã nhận (Sở)")
    add_workspace_arguments(history)
    history.set_defaults(handler=run_history)


def _size(value: int) -> str:
    if value >= 1024 * 1024:
        return f"{format_number(value / 1024 / 1024, decimals=1)} MB"
    return f"{format_number(max(value, 1) / 1024, decimals=0)} KB"


def run_export(args: argparse.Namespace) -> int:
    with open_workspace(args, create=True) as workspace:
        bundles = workspace.bundles()
        status = bundles.export_status()
        print(f"Gói số {status.next_seq}: {status.records} hoạt động ({status.deleted} đã xóa, {status.unsent} chưa gửi "
              f"hoặc đã sửa), {status.evidence} tệp minh chứng, trong đó {status.evidence_unshipped} tệp "
              f"({_size(status.evidence_unshipped_bytes)}) chưa gửi lần nào.")
        if args.dry_run:
            return 0
        bundles.require_key()  # no key: say how to make one before asking for its passphrase
        report = with_passphrase(args, lambda passphrase: bundles.export(
            args.out, passphrase=passphrase, mode="full" if args.full else "delta", progress=printer("Đang tạo gói")))
        kind = "đầy đủ" if report.mode == "full" else "bổ sung"
        print(f"Đã tạo gói {kind} số {report.seq}: {report.path}")
        print(f"{report.record_count} hoạt động, gửi kèm {report.evidence_included}/{report.evidence_count} tệp minh "
              f"chứng; dung lượng {_size(report.file_size)}; mã băm {report.manifest_sha256}.")
    return 0


def run_verify(args: argparse.Namespace) -> int:
    with open_workspace(args) as workspace:
        public = BundleService.parse_public_key(args.public_key) if args.public_key else None
        report = workspace.bundles().verify(args.file, public_key=public, progress=printer("Đang kiểm tra"))
        print(report.message)
    return 0


def print_preview(preview: ImportPreview) -> None:
    s = preview.summary
    print(s.title)
    print(f"  {s.mode_label} · khóa ký {s.key_id} · {s.record_count} hoạt động · {s.evidence_count} tệp minh chứng "
          f"({s.evidence_included} tệp gửi kèm)")
    if preview.status is ImportStatus.ALREADY:
        print("  Gói này đã nhận trước đây, không có gì thay đổi.")
        return
    counts = preview.counts
    print("  " + " · ".join(f"{CHANGE_LABELS[k]}: {counts[k]}" for k in ChangeKind))
    print(f"  Minh chứng sẽ thêm: {len(preview.evidence_to_add)} tệp ({_size(preview.evidence_bytes)})")
    shown = [c for c in preview.changes if c.kind is not ChangeKind.UNCHANGED]
    for change in shown[:PREVIEW_LINES]:
        held = f"  [giữ lại: {change.held_reason}]" if change.held_reason else ""
        print(f"  [{CHANGE_LABELS[change.kind]}] {format_date(change.activity_date)} {change.criterion_code:<5} "
              f"{change.title[:70]}{held}")
    if len(shown) > PREVIEW_LINES:
        print(f"  … và {len(shown) - PREVIEW_LINES} thay đổi khác.")
    for notice in preview.notices:
        print(f"  {notice}")
    for warning in preview.warnings:
        print(f"  Lưu ý: {warning}")


def run_import(args: argparse.Namespace) -> int:
    with open_workspace(args, create=True) as workspace:
        if args.dry_run:
            return _dry_run(workspace.bundles(), args.files)
        outcomes = workspace.bundles().import_many(args.files, progress=printer("Đang nhận gói"))
        if not outcomes:
            raise UserError("Không tìm thấy tệp .thidua nào.", hint="Kiểm tra lại đường dẫn tệp hoặc thư mục.")
        code = print_outcomes(outcomes)
        held = sum(1 for o in outcomes if o.report is not None and o.report.status is ImportStatus.HELD)
        refused = sum(1 for o in outcomes if o.error is not None)
        print(f"Tổng cộng: {len(outcomes)} tệp, {len(outcomes) - held - refused} tệp nhận được, {held} tệp chờ xử lý, "
              f"{refused} tệp bị từ chối.")
        if held:
            print("Xem các gói chờ xử lý: thidua bundle held")
        return code


def run_recover(args: argparse.Namespace) -> int:
    with open_workspace(args) as workspace:
        report = workspace.bundles().recover_evidence(args.files, progress=printer("Đang bổ sung minh chứng"))
        code = print_outcomes(list(report.outcomes)) if report.outcomes else 0
        print(f"Đã đưa {report.shared} tệp của máy này vào kho dùng chung; đã bổ sung {report.restored} tệp "
              "từ các gói.")
        return code


def _dry_run(bundles: BundleService, files: list[Path]) -> int:
    """Check and preview each file; nothing is staged or written."""
    first_error: UserError | None = None
    paths = bundles.expand_paths(files)
    for path in paths:
        try:
            prepared = bundles.prepare_import(path, dry_run=True, progress=printer(f"Đang kiểm tra {path.name}"))
        except UserError as error:
            print(f"{path.name}: Từ chối. {error}")
            first_error = first_error or error
            continue
        try:
            print_preview(prepared.preview)
        finally:
            prepared.discard()
    if not paths:
        raise UserError("Không tìm thấy tệp .thidua nào.", hint="Kiểm tra lại đường dẫn tệp hoặc thư mục.")
    print("Chạy thử: chưa có gì thay đổi.")
    return first_error.exit_code if first_error else 0


def run_held(args: argparse.Namespace) -> int:
    with open_workspace(args) as workspace:
        bundles = workspace.bundles()
        for freeze in bundles.freezes():
            print(f"Đóng băng: {freeze.unit_name} ({freeze.unit_code}) từ gói số {freeze.seq}. {freeze.detail}")
        held = bundles.holds()
        for item in held:
            print(f"[{item.id}] {item.unit_name} ({item.unit_code}) gói số {item.seq} · khóa {item.signer_key_id} · "
                  f"{item.reason_label}: {item.detail}")
        print(f"Tổng cộng: {len(held)} gói chờ xử lý.")
        if held:
            print("Khóa mới: thidua keys confirm MÃ_KHÓA --fingerprint \"…\" (gõ từ phiếu đăng ký mới). "
                  "Hai nhánh: thidua bundle choose. Số nhảy xa: thidua bundle approve. Không tin: thidua keys revoke.")
    return 0


def run_choose(args: argparse.Namespace) -> int:
    with open_workspace(args) as workspace:
        outcomes = workspace.bundles().choose_branch(args.unit, None if args.keep_received else args.held,
                                                     args.reason, progress=printer("Đang nhận nhánh đã chọn"))
        print(f"Đã chọn nhánh cho {args.unit}; chuỗi gói không còn bị đóng băng.")
        return print_outcomes(outcomes)


def run_approve(args: argparse.Namespace) -> int:
    with open_workspace(args) as workspace:
        return print_outcomes(workspace.bundles().approve_holds(args.ids, args.reason,
                                                                progress=printer("Đang nhận gói")))


def run_release(args: argparse.Namespace) -> int:
    """Import held bundles again: those whose cause is gone are applied, the others stay held."""
    with open_workspace(args) as workspace:
        return print_outcomes(workspace.bundles().release_holds(args.ids, progress=printer("Đang nhận gói")))


def run_history(args: argparse.Namespace) -> int:
    with open_workspace(args) as workspace:
        if workspace.role is Role.UNIT:
            sent = workspace.bundles().export_history()
            if not sent:
                print("Chưa gửi gói dữ liệu nào (tạo gói: thidua bundle export).")
            for row in sent:
                print(f"Số {row.seq:<4} {format_datetime(local_time(row.created_at))}  {row.mode_label:<8} "
                      f"{row.record_count:>5} hoạt động  {row.evidence_included:>4} tệp  {_size(row.file_size):>9}  "
                      f"{row.manifest_sha256[:16]}  {row.file_name}")
            return 0
        received = workspace.bundles().imports()
        if not received:
            print("Chưa nhận gói dữ liệu nào (nhận gói: thidua bundle import TỆP).")
        for row in reversed(received):  # oldest first
            print(f"{row.unit_code:<10} số {row.seq:<4} {format_datetime(local_time(row.imported_at))}  "
                  f"mới {row.new_count}, sửa {row.changed_count}, xóa {row.deleted_count}, "
                  f"không đổi {row.unchanged_count}  khóa {row.signer_key_id}  {row.file_name}")
    return 0
