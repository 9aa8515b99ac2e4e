"""Issue 12 as a first-hour user meets it: `thidua` and `thidua-desktop` run as real processes, so a Python
traceback, an English word or a silently created database would show exactly as the user sees it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ENGLISH_ARGPARSE = ("show program's version", "usage:", "options:", "DATA_DIR", "DATABASE_URL", "error:")


def thidua(*args: str, stdin: str | None = None, env: dict[str, str] | None = None,
           module: str = "thidua_desktop.cli.main") -> subprocess.CompletedProcess[str]:
    """Run a command as the user would; stdin is not a terminal (a pipe, or closed when None)."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("THIDUA_")}
    environment.update({"PYTHONIOENCODING": "utf-8", "QT_QPA_PLATFORM": "offscreen", **(env or {})})
    return subprocess.run([sys.executable, "-m", module, *args], input=stdin, capture_output=True, text=True,
                          encoding="utf-8", env=environment, timeout=120,
                          stdin=subprocess.DEVNULL if stdin is None else None)


def no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr + result.stdout, result.stderr


def test_gui_help_is_vietnamese() -> None:
    result = thidua("--help", module="thidua_desktop.gui.app")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("cách dùng: thidua-desktop")
    assert "--version             hiện phiên bản rồi thoát" in result.stdout
    assert "--data-dir THƯ_MỤC" in result.stdout
    for english in ENGLISH_ARGPARSE:
        assert english not in result.stdout


PASSPHRASE = "cụm mật khẩu đúng 2024"


@pytest.fixture(scope="module")
def unit_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A unit's data folder set up from the CLI, with a signing key and one activity (made once)."""
    data = tmp_path_factory.mktemp("mau") / "don-vi"
    setup = thidua("setup", "--data-dir", str(data), "--role", "unit", "--unit", "PTP-CM", "--name", "Nguyễn Văn An")
    assert setup.returncode == 0, setup.stderr
    init = thidua("keys", "init", "--data-dir", str(data), env={"THIDUA_KEY_PASSPHRASE": PASSPHRASE})
    assert init.returncode == 0, init.stderr
    add = thidua("activity", "add", "--data-dir", str(data), "--criterion", "2.2", "--date", "01/02/2024",
                 "--title", "Hòa giải tại xã Mỹ Hội Đông", "--value", "2.2.e=2")
    assert add.returncode == 0, add.stderr
    return data


@pytest.fixture
def unit_data(unit_template: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(unit_template, tmp_path / "don-vi"))


def test_setup_gives_a_fresh_folder_its_role_and_keys_init_says_so_before(tmp_path: Path) -> None:
    data = tmp_path / "moi"
    before = thidua("keys", "init", "--data-dir", str(data), env={"THIDUA_KEY_PASSPHRASE": PASSPHRASE})
    assert before.returncode != 0
    assert "chưa được thiết lập" in before.stderr and "thidua setup --role unit --unit" in before.stderr
    no_unit = thidua("setup", "--data-dir", str(data), "--role", "unit")
    assert no_unit.returncode == 2 and "PTP-CM     Phòng Tư pháp huyện Chợ Mới" in no_unit.stdout
    wrong = thidua("setup", "--data-dir", str(data), "--role", "unit", "--unit", "PTP-XX")
    assert wrong.returncode == 6 and "Không có đơn vị mã “PTP-XX”" in wrong.stderr
    done = thidua("setup", "--data-dir", str(data), "--role", "unit", "--unit", "PTP-CM", "--name", "Nguyễn  Văn An")
    assert done.returncode == 0, done.stderr
    assert "Phòng Tư pháp huyện Chợ Mới (PTP-CM)" in done.stdout and "Cán bộ sử dụng: Nguyễn Văn An." in done.stdout
    info = thidua("--data-dir", str(data), "info")  # a global option before the command
    assert info.returncode == 0, info.stderr
    assert "Vai trò: Đơn vị ghi nhận và gửi báo cáo" in info.stdout and "Huyện Chợ Mới" not in info.stdout
    department = thidua("setup", "--data-dir", str(tmp_path / "so"), "--role", "department")
    assert department.returncode == 0 and "Sở Tư pháp (tiếp nhận, tổng hợp)" in department.stdout


def test_a_mistyped_data_dir_is_not_created_by_a_reading_command(tmp_path: Path) -> None:
    typo = tmp_path / "du-lieu-go-sai"
    for command in (["info"], ["activity", "list"], ["units", "list"], ["bundle", "history"], ["keys", "list"]):
        result = thidua(*command, "--data-dir", str(typo))
        no_traceback(result)
        assert result.returncode == 6, (command, result.stderr)
        assert f"Không có dữ liệu ở “{typo}”" in result.stderr and "--data-dir" in result.stderr
    assert not typo.exists()
    before = thidua("--data-dir", str(typo), "activity", "list", "--demo")
    assert before.returncode == 6 and "thidua demo" in before.stderr


def test_no_python_traceback_for_passphrase_problems(unit_data: Path, tmp_path: Path) -> None:
    data = unit_data
    missing = thidua("bundle", "export", "--data-dir", str(data), "--passphrase-file", str(tmp_path / "khong-co.txt"))
    no_traceback(missing)
    assert missing.returncode == 1 and "Không tìm thấy tệp cụm mật khẩu" in missing.stderr
    no_terminal = thidua("bundle", "export", "--data-dir", str(data))  # stdin closed: nobody to ask
    no_traceback(no_terminal)
    assert no_terminal.returncode == 1
    assert "không có cửa sổ dòng lệnh" in no_terminal.stderr and "--passphrase-file" in no_terminal.stderr
    wrong = tmp_path / "sai.txt"
    wrong.write_text("cụm mật khẩu sai\n", encoding="utf-8")
    refused = thidua("bundle", "export", "--data-dir", str(data), "--passphrase-file", str(wrong))
    no_traceback(refused)
    assert refused.returncode == 37 and f"dòng đầu của tệp “{wrong}”" in refused.stderr
    assert not list((data / "bundles").rglob("*.thidua"))


def test_forgot_passphrase_reads_the_new_one_from_a_file(unit_data: Path, tmp_path: Path) -> None:
    data = unit_data
    new = tmp_path / "moi.txt"
    new.write_text("cụm mật khẩu mới 2025\n", encoding="utf-8")
    forgot = thidua("keys", "forgot-passphrase", "--data-dir", str(data), "--passphrase-file", str(new))
    assert forgot.returncode == 0, forgot.stderr
    assert "Đã tạo khóa mới" in forgot.stdout
    exported = thidua("bundle", "export", "--data-dir", str(data), "--passphrase-file", str(new))
    assert exported.returncode == 0, exported.stderr


def test_an_unexpected_error_is_logged_not_dumped(tmp_path: Path) -> None:
    data = tmp_path / "hong"
    data.mkdir()
    (data / "thidua.sqlite").write_bytes(b"not a database " * 40)
    result = thidua("info", "--data-dir", str(data))
    no_traceback(result)
    assert result.returncode == 70
    assert "Lỗi ngoài dự kiến" in result.stderr and "Dữ liệu đã lưu trước đó vẫn an toàn" in result.stderr
    log = (data / "logs" / "thidua-cli.log").read_text(encoding="utf-8")
    assert "Traceback" in log and "DatabaseError" in log


def test_errors_name_the_indicator_and_ids_are_short(unit_data: Path, tmp_path: Path) -> None:
    data = unit_data
    refused = thidua("activity", "add", "--data-dir", str(data), "--criterion", "2.2", "--date", "01/02/2024",
                     "--title", "Hòa giải", "--value", "2.2.e=2", "--value", "2.2.f=3", "--value", "2.4.e=1")
    assert refused.returncode == 5
    assert "- Chỉ tiêu 2.4.e: “Số đợt trợ giúp pháp lý lưu động tại địa bàn nghèo” không thuộc tiêu chí 2.2." \
        in refused.stderr
    assert "- Chỉ tiêu 2.2.f: “Trong đó: hòa giải thành” (3) không được lớn hơn" in refused.stderr
    listing = thidua("activity", "list", "--data-dir", str(data))
    short = listing.stdout.splitlines()[0].split()[-1]
    assert len(short) == 8
    shown = thidua("activity", "show", short[:6], "--data-dir", str(data))
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith(f"Mã:              {short}-") and "Hòa giải tại xã Mỹ Hội Đông" in shown.stdout
    deleted = thidua("activity", "delete", short, "--data-dir", str(data))
    assert deleted.returncode == 0 and f"Đã xóa 1 hoạt động: {short}." in deleted.stdout
    unknown = thidua("activity", "show", "ffffffff", "--data-dir", str(data))
    assert unknown.returncode == 6 and "Không có hoạt động mã “ffffffff”" in unknown.stderr


def _type_at_terminal(args: list[str], answers: list[str]) -> tuple[int, str]:
    """Run `thidua` on a pseudo-terminal (its controlling terminal, as getpass wants), typing one answer
    each time it asks for the passphrase; returns the exit code and everything shown."""
    import pty
    import select

    prompt = "Cụm mật khẩu của khóa ký:".encode()
    pid, fd = pty.fork()
    if pid == 0:  # the child: become `thidua`
        os.environ.pop("THIDUA_KEY_PASSPHRASE", None)
        os.execv(sys.executable, [sys.executable, "-m", "thidua_desktop.cli.main", *args])
    shown, answered = b"", 0
    while select.select([fd], [], [], 60)[0]:
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the child exited
            break
        if not chunk:
            break
        shown += chunk
        if shown.count(prompt) > answered and answered < len(answers):
            os.write(fd, (answers[answered] + "\n").encode())
            answered += 1
    else:
        os.kill(pid, 9)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), shown.decode("utf-8", errors="replace")


def test_a_wrong_passphrase_at_the_terminal_is_asked_again(unit_data: Path, tmp_path: Path) -> None:
    data = unit_data
    code, shown = _type_at_terminal(["bundle", "export", "--data-dir", str(data)], ["sai một", PASSPHRASE])
    assert code == 0, shown
    assert "Cụm mật khẩu không đúng. Hãy nhập lại (còn 2 lần thử" in shown and "Đã tạo gói" in shown
    code, shown = _type_at_terminal(["bundle", "export", "--data-dir", str(data)], ["sai một", "sai hai", "sai ba"])
    assert code == 37 and "còn 1 lần thử" in shown and "Lỗi: Cụm mật khẩu của khóa ký không đúng." in shown
    assert shown.count("Cụm mật khẩu của khóa ký:") == 3
