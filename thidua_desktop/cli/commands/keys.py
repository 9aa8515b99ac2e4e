"""`thidua keys …`: the unit's signing key (init, show, rotate, forgot-passphrase, print-sheet) and the
department's trust registry (enrol, revoke, list). Messages are the GUI's; exit codes name the failure.

Passphrases are asked on the terminal, or read from THIDUA_KEY_PASSPHRASE (and THIDUA_NEW_KEY_PASSPHRASE
for the new key of a rotation) or from the first line of --passphrase-file, for scripts.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from thidua_desktop.cli.common import add_workspace_arguments, not_configured_error, open_workspace, printer
from thidua_desktop.cli.passphrase import NEW_PASSPHRASE_ENV, read_passphrase, with_passphrase
from thidua_desktop.core.bundles.errors import RoleError, TrustRegistryError
from thidua_desktop.core.bundles.importer import ImportOutcome
from thidua_desktop.core.bundles.keys import OwnKey
from thidua_desktop.core.bundles.service import BundleService
from thidua_desktop.core.text import format_date
from thidua_desktop.core.workspace import Role, Workspace


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("keys", help="khóa ký gói dữ liệu (đơn vị) và danh sách khóa tin cậy (Sở)")
    keys_sub = parser.add_subparsers(dest="keys_command", required=True, metavar="LỆNH")

    def command(name: str, help_text: str, handler, passphrase: bool = False) -> argparse.ArgumentParser:  # noqa: ANN001
        cmd = keys_sub.add_parser(name, help=help_text)
        add_workspace_arguments(cmd)
        if passphrase:
            cmd.add_argument("--passphrase-file", help="đọc cụm mật khẩu từ dòng đầu của tệp này")
        cmd.set_defaults(handler=handler)
        return cmd

    command("init", "tạo khóa ký cho đơn vị của máy này", run_init, passphrase=True)
    command("show", "xem mã khóa, dấu vân tay và khóa công khai", run_show).add_argument(
        "--pub", type=Path, help="ghi khóa công khai ra tệp .pub để gửi Sở")
    command("rotate", "thay khóa định kỳ (khóa cũ xác nhận khóa mới)", run_rotate, passphrase=True)
    command("forgot-passphrase", "quên cụm mật khẩu: tạo khóa mới và đăng ký lại với Sở", run_forgot,
            passphrase=True).set_defaults(passphrase_file_env=NEW_PASSPHRASE_ENV)  # the file holds the new one
    command("print-sheet", "in phiếu đăng ký khóa (PDF) để ký, đóng dấu và gửi Sở", run_sheet).add_argument(
        "--out", type=Path, required=True, help="tệp PDF cần ghi")
    enrol = command("enrol", "Sở: đăng ký khóa của một đơn vị sau khi đối chiếu phiếu đăng ký", run_enrol)
    enrol.add_argument("--unit", required=True, help="mã đơn vị, ví dụ PTP-CM")
    source = enrol.add_mutually_exclusive_group(required=True)
    source.add_argument("--public-key", help="dòng khóa công khai (bắt đầu bằng RW…)")
    source.add_argument("--pub-file", type=Path, help="tệp .pub do đơn vị gửi")
    source.add_argument("--from-bundle", type=Path, help="lấy khóa công khai ghi trong một gói của đơn vị")
    enrol.add_argument("--fingerprint", required=True, help="dấu vân tay in trên phiếu, ví dụ \"ABCD 1234 …\"")
    enrol.add_argument("--note", default="", help="ghi chú, ví dụ số công văn kèm phiếu")
    revoke = command("revoke", "Sở: thu hồi một khóa từ một số thứ tự gói trở đi", run_revoke)
    revoke.add_argument("key_id", metavar="MÃ_KHÓA")
    revoke.add_argument("--from-seq", type=int, required=True, help="thu hồi từ gói số này (kể cả gói này)")
    revoke.add_argument("--reason", required=True, help="lý do, ví dụ: máy của đơn vị bị mất")
    command("list", "liệt kê khóa (Sở: danh sách khóa tin cậy; đơn vị: các khóa của máy này)", run_list)
    confirm = command("confirm", "Sở: xác nhận khóa mới của đơn vị đã thay khóa, theo phiếu đăng ký mới", run_confirm)
    confirm.add_argument("key_id", metavar="MÃ_KHÓA")
    confirm.add_argument("--fingerprint", required=True, help="dấu vân tay in trên phiếu đăng ký MỚI")
    unenrol = command("unenrol", "Sở: hủy một lần đăng ký nhầm (khi chưa nhận gói nào ký bằng khóa đó)", run_unenrol)
    unenrol.add_argument("key_id", metavar="MÃ_KHÓA")
    unenrol.add_argument("--reason", required=True, help="lý do, ví dụ: nhập nhầm mã đơn vị")
    reset = command("reset-seq", "Sở: sau khi thu hồi khóa, đặt lại số thứ tự gói của một đơn vị", run_reset)
    reset.add_argument("--unit", required=True, help="mã đơn vị")
    reset.add_argument("--to-seq", type=int, required=True, help="số của gói cuối cùng còn giữ lại trong chuỗi")
    reset.add_argument("--reason", required=True, help="lý do")
    purge = command("remove-retired", "đơn vị: xóa khỏi máy các khóa bí mật đã thay (sau khi xác nhận)",
                    run_remove_retired)
    purge.add_argument("--yes", action="store_true", help="không hỏi lại")


def _print_key(key: OwnKey, workspace: Workspace) -> None:
    unit = workspace.own_unit()
    print(f"Đơn vị: {unit.name if unit else key.unit_code} ({key.unit_code})")
    print(f"Mã khóa: {key.key_id}")
    print(f"Dấu vân tay: {key.fingerprint}")
    print(f"Khóa công khai: {key.public_key.to_base64()}")
    print(f"Ngày tạo: {format_date(key.created_at)}")


def _require(workspace: Workspace, role: Role) -> None:
    if workspace.role is None:
        raise not_configured_error()
    if workspace.role is not role:
        if role is Role.UNIT:
            raise RoleError("Lệnh này dành cho máy của đơn vị.", hint="Máy của Sở dùng: thidua keys enrol/revoke/list.")
        raise RoleError("Lệnh này dành cho máy của Sở Tư pháp.", hint="Máy của đơn vị dùng: thidua keys init/show.")


def run_init(args: argparse.Namespace) -> int:
    with open_workspace(args, create=True) as workspace:
        _require(workspace, Role.UNIT)
        passphrase, confirmation = read_passphrase(args, "Đặt cụm mật khẩu cho khóa ký (ít nhất 8 ký tự): ",
                                                   confirm=True)
        key = workspace.bundles().create_key(passphrase, confirmation).key
        print("Đã tạo khóa ký gói dữ liệu.")
        _print_key(key, workspace)
        print("Tiếp theo: in phiếu đăng ký (thidua keys print-sheet --out phieu.pdf), ký, đóng dấu và gửi Sở Tư pháp.")
    return 0


def run_show(args: argparse.Namespace) -> int:
    with open_workspace(args) as workspace:
        _require(workspace, Role.UNIT)
        key = workspace.bundles().require_key()
        _print_key(key, workspace)
        if args.pub:
            args.pub.write_text(workspace.bundles().public_key_file_text(key), encoding="utf-8")
            print(f"Đã ghi khóa công khai vào {args.pub}.")
    return 0


def run_rotate(args: argparse.Namespace) -> int:
    with open_workspace(args, create=True) as workspace:
        _require(workspace, Role.UNIT)
        new, confirmation = read_passphrase(args, "Cụm mật khẩu cho khóa mới: ", env=NEW_PASSPHRASE_ENV, confirm=True)
        key = with_passphrase(args, lambda old: workspace.bundles().rotate_key(old, new, confirmation),
                              "Cụm mật khẩu của khóa hiện tại: ").key
        print("Đã thay khóa. Các gói từ nay được ký bằng khóa mới và mang lời xác nhận của khóa cũ.")
        print("Sở chỉ áp dụng các gói đó sau khi đối chiếu dấu vân tay với phiếu đăng ký MỚI: hãy in phiếu")
        print("(thidua keys print-sheet --out phieu.pdf), ký, đóng dấu và gửi Sở.")
        _print_key(key, workspace)
        print("Khóa cũ vẫn còn trên máy; khi Sở đã xác nhận khóa mới, xóa nó bằng: thidua keys remove-retired")
    return 0


def run_forgot(args: argparse.Namespace) -> int:
    with open_workspace(args, create=True) as workspace:
        _require(workspace, Role.UNIT)
        new, confirmation = read_passphrase(args, "Cụm mật khẩu cho khóa mới: ", env=NEW_PASSPHRASE_ENV, confirm=True)
        key = workspace.bundles().replace_lost_key(new, confirmation).key
        print("Đã tạo khóa mới. Khóa cũ không dùng được nữa.")
        _print_key(key, workspace)
        print("Sở Tư pháp chưa biết khóa này: hãy in phiếu đăng ký (thidua keys print-sheet --out phieu.pdf),")
        print("ký, đóng dấu và gửi Sở để đăng ký lại trước khi gửi gói dữ liệu.")
    return 0


def run_sheet(args: argparse.Namespace) -> int:
    with open_workspace(args) as workspace:
        _require(workspace, Role.UNIT)
        path = workspace.bundles().write_enrolment_sheet(args.out)
        print(f"Đã ghi phiếu đăng ký khóa vào {path}.")
    return 0


def _public_key_text(args: argparse.Namespace) -> str:
    if args.public_key:
        return args.public_key
    if args.pub_file:
        try:
            return args.pub_file.read_text(encoding="utf-8")
        except OSError as exc:
            raise TrustRegistryError(f"Không đọc được tệp {args.pub_file}: {exc.strerror}.",
                                     hint="Kiểm tra lại đường dẫn tệp .pub.") from None
    opening = BundleService.opening(args.from_bundle)
    if opening.unit_code != args.unit:
        raise TrustRegistryError(
            f"Gói {args.from_bundle.name} ghi đơn vị {opening.unit_code}, không phải {args.unit}.",
            hint="Kiểm tra lại mã đơn vị.",
        )
    return opening.public_key


def run_enrol(args: argparse.Namespace) -> int:
    with open_workspace(args, create=True) as workspace:
        _require(workspace, Role.DEPARTMENT)
        text = _public_key_text(args)
        BundleService.parse_public_key(text)
        report = workspace.bundles().enrol(args.unit, text, typed_fingerprint=args.fingerprint, note=args.note)
        if report.already_enrolled:
            print(f"Khóa {report.key_id} đã có trong danh sách khóa tin cậy của {report.unit_code}.")
        else:
            print(f"Đã đăng ký khóa {report.key_id} (dấu vân tay {report.fingerprint}) cho đơn vị {report.unit_code}.")
        for retired in report.retired_key_ids:
            print(f"Khóa cũ {retired} của đơn vị không còn được nhận cho các gói mới.")
    return 0


def run_revoke(args: argparse.Namespace) -> int:
    with open_workspace(args, create=True) as workspace:
        _require(workspace, Role.DEPARTMENT)
        report = workspace.bundles().revoke(args.key_id, args.from_seq, args.reason)
        print(f"Đã thu hồi khóa {report.key_id} của {report.unit_code} từ gói số {report.from_seq}.")
        for key_id in report.cascaded_key_ids:
            print(f"Thu hồi theo: khóa {key_id} (do khóa bị thu hồi xác nhận khi thay khóa).")
        for affected in report.affected:
            print(f"Gói bị ảnh hưởng: {affected.label}.")
        if report.already_imported:
            print("Nên xem lại số liệu của các gói đã nhận ở trên; nếu kẻ gian đã dùng số thứ tự, đặt lại bằng: "
                  "thidua keys reset-seq")
        if report.chain_unfrozen:
            print("Chuỗi gói của đơn vị không còn bị đóng băng.")
    return 0


def run_confirm(args: argparse.Namespace) -> int:
    with open_workspace(args) as workspace:
        _require(workspace, Role.DEPARTMENT)
        report, outcomes = workspace.bundles().confirm_key(args.key_id, typed_fingerprint=args.fingerprint,
                                                           progress=printer("Đang nhận các gói chờ xử lý"))
        print(f"Đã xác nhận khóa {report.key_id} của {report.unit_code} theo phiếu đăng ký mới.")
        for retired in report.retired_key_ids:
            print(f"Khóa cũ {retired} không còn được nhận từ gói số {report.from_seq}.")
        return print_outcomes(outcomes)


def run_unenrol(args: argparse.Namespace) -> int:
    with open_workspace(args) as workspace:
        _require(workspace, Role.DEPARTMENT)
        report = workspace.bundles().unenrol(args.key_id, args.reason)
        print(f"Đã hủy đăng ký khóa {report.key_id} ({report.unit_code}); khóa này được gỡ khỏi danh sách tin cậy.")
        for key_id in report.restored_key_ids:
            print(f"Khóa {key_id} mà lần đăng ký nhầm đã thay được dùng lại.")
    return 0


def run_reset(args: argparse.Namespace) -> int:
    with open_workspace(args) as workspace:
        _require(workspace, Role.DEPARTMENT)
        report = workspace.bundles().reset_sequence(args.unit, args.to_seq, args.reason)
        seqs = ", ".join(map(str, report.superseded)) or "không có"
        print(f"Đã đặt lại số thứ tự gói của {report.unit_code} về {report.to_seq}; các gói bị loại khỏi chuỗi: {seqs}.")
    return 0


def run_remove_retired(args: argparse.Namespace) -> int:
    with open_workspace(args) as workspace:
        _require(workspace, Role.UNIT)
        bundles = workspace.bundles()
        retired = bundles.retired_secret_keys()
        if not retired:
            print("Máy này không còn khóa bí mật nào đã thay.")
            return 0
        print("Các khóa bí mật đã thay còn trên máy: " + ", ".join(k.key_id for k in retired))
        if not args.yes and input("Xóa hẳn các khóa này khỏi máy? Gõ “có” để xác nhận: ").strip().lower() != "có":
            print("Chưa xóa gì.")
            return 1
        removed = bundles.remove_retired_secret_keys()
        print(f"Đã xóa {len(removed)} khóa bí mật cũ; khóa công khai của chúng vẫn được giữ để đối chiếu.")
    return 0


def print_outcomes(outcomes: list[ImportOutcome]) -> int:
    """One line per imported file (and the hint of a refusal); the exit code of the first refusal, else 0."""
    first_error = None
    for outcome in outcomes:
        print(f"{outcome.path.name}: {outcome.status_label}. {outcome.detail}")
        if outcome.error is not None:
            print(f"  {outcome.error.hint}")
            first_error = first_error or outcome.error
        elif outcome.report is not None:
            for warning in outcome.report.warnings:
                print(f"  Lưu ý: {warning}")
    return first_error.exit_code if first_error else 0


def run_list(args: argparse.Namespace) -> int:
    with open_workspace(args) as workspace:
        if workspace.role is Role.DEPARTMENT:
            keys = workspace.bundles().trusted_keys()
            for key in keys:
                print(f"{key.unit_code:<10} {key.key_id}  {key.fingerprint}  {format_date(key.enrolled_at)}  "
                      f"{key.status}  {key.method_label}")
            print(f"Tổng cộng: {len(keys)} khóa tin cậy.")
            return 0
        if workspace.role is not Role.UNIT:
            raise not_configured_error()
        own = workspace.bundles().own_keys()
        if not own:
            print("Máy này chưa có khóa ký (tạo khóa: thidua keys init).")
        for key, in_use in own:
            state = "đang dùng" if in_use else "đã thay"
            print(f"{key.key_id}  {key.fingerprint}  {format_date(key.created_at)}  {state}")
    return 0
