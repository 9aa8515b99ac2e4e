"""`thidua keys …` and `thidua bundle …` end to end, in-process: messages and exit codes."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from thidua_desktop.cli.main import main
from thidua_desktop.core.activities import ActivityDraft
from thidua_desktop.core.bundles import keys as bundle_keys
from thidua_desktop.core.bundles.errors import (
    BundleFormatError,
    RoleError,
    TrustRegistryError,
    UntrustedKeyError,
    WrongPassphraseError,
)
from thidua_desktop.core.workspace import Role, Workspace

PASSPHRASE = "mật khẩu của Chợ Mới"


@pytest.fixture(autouse=True)
def cheap_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(bundle_keys.KDF_LIMITS, "opslimit", 2**15)
    monkeypatch.setitem(bundle_keys.KDF_LIMITS, "memlimit", 2**24)
    monkeypatch.setenv("THIDUA_KEY_PASSPHRASE", PASSPHRASE)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    unit, department = tmp_path / "unit", tmp_path / "department"
    with Workspace.open(unit) as ws:
        ws.configure(Role.UNIT, "PTP-CM")
        campaign = ws.campaign()
        draft = ActivityDraft(
            criterion_id=campaign.criteria_by_code["2.4"].id, activity_date=date(2024, 3, 12),
            title="Trợ giúp pháp lý lưu động tại xã Kiến An",
            values={campaign.indicators_by_code["2.4.e"].id: 1, campaign.indicators_by_code["2.4.f"].id: 45},
        )
        uuid = ws.activities().create("PTP-CM", draft).created[0]
        photo = tmp_path / "bien-ban.pdf"
        photo.write_bytes(b"%PDF-1.4 bien ban tro giup phap ly" * 100)
        ws.evidence().attach(uuid, [photo])
    with Workspace.open(department) as ws:
        ws.configure(Role.DEPARTMENT, None)
    return unit, department


def test_unit_to_department_by_command_line(folders: tuple[Path, Path], tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    unit, department = folders
    u, d = ["--data-dir", str(unit)], ["--data-dir", str(department)]

    code, out, err = run(capsys, "bundle", "export", *u)
    assert code == 36 and "chưa có khóa ký" in err  # NoKeyError, with the way out
    code, out, _ = run(capsys, "keys", "init", *u)
    assert code == 0 and "Đã tạo khóa ký" in out
    key_id = out.split("Mã khóa: ")[1].split()[0]
    fingerprint = out.split("Dấu vân tay: ")[1].splitlines()[0]
    sheet = tmp_path / "phieu.pdf"
    assert run(capsys, "keys", "print-sheet", *u, "--out", str(sheet))[0] == 0
    from pypdf import PdfReader

    text = PdfReader(sheet).pages[0].extract_text()
    assert key_id in text and "PHIẾU ĐĂNG KÝ KHÓA" in text and fingerprint.split()[0] in text

    outbox = tmp_path / "outbox"
    outbox.mkdir()
    code, out, err = run(capsys, "bundle", "export", *u, "--out", str(outbox))
    assert code == 0, err
    assert "Đã tạo gói đầy đủ số 1" in out
    bundle = next(outbox.glob("*.thidua"))

    code, out, err = run(capsys, "bundle", "verify", *u, str(bundle))
    assert code == 0 and "khóa" in out and "của chính máy này" in out
    code, out, err = run(capsys, "bundle", "import", *d, str(bundle))
    assert code == UntrustedKeyError.exit_code
    # the fingerprint to type comes from the paper sheet, never from the refusal
    assert "chưa có trong danh sách khóa tin cậy" in out and fingerprint not in out and "phiếu" in out

    code, _, err = run(capsys, "keys", "enrol", *d, "--unit", "PTP-CM", "--from-bundle", str(bundle),
                       "--fingerprint", "0000 0000 0000 0000 0000 0000 0000 0000")
    assert code == TrustRegistryError.exit_code and "không khớp" in err
    code, out, _ = run(capsys, "keys", "enrol", *d, "--unit", "PTP-CM", "--from-bundle", str(bundle),
                       "--fingerprint", fingerprint)
    assert code == 0 and f"Đã đăng ký khóa {key_id}" in out

    code, out, _ = run(capsys, "bundle", "import", *d, "--dry-run", str(bundle))
    assert code == 0 and "Mới: 1" in out and "Chạy thử" in out
    code, out, _ = run(capsys, "bundle", "verify", *d, str(bundle))
    assert code == 0 and "chưa nhận, có thể nhận" in out
    code, out, _ = run(capsys, "bundle", "import", *d, str(bundle))
    assert code == 0 and "Đã nhận" in out and "1 mới" in out
    code, out, _ = run(capsys, "bundle", "import", *d, str(bundle))
    assert code == 0 and "Đã nhận trước đây" in out
    code, out, _ = run(capsys, "bundle", "history", *d)
    assert "PTP-CM" in out and "mới 1" in out
    code, out, _ = run(capsys, "bundle", "history", *u)
    assert "Số 1" in out and "Đầy đủ" in out
    code, out, _ = run(capsys, "keys", "list", *d)
    assert key_id in out and "Đang dùng" in out

    code, out, _ = run(capsys, "keys", "revoke", *d, key_id, "--from-seq", "1", "--reason", "Kiểm thử")
    assert code == 0 and "Gói bị ảnh hưởng: số 1 (gói đã nhận" in out


def test_distinct_exit_codes(folders: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str],
                             monkeypatch: pytest.MonkeyPatch) -> None:
    unit, department = folders
    u, d = ["--data-dir", str(unit)], ["--data-dir", str(department)]
    assert run(capsys, "keys", "init", *u)[0] == 0
    monkeypatch.setenv("THIDUA_KEY_PASSPHRASE", "sai cụm mật khẩu")
    code, _, err = run(capsys, "bundle", "export", *u)
    assert code == WrongPassphraseError.exit_code and "không đúng" in err
    junk = tmp_path / "rac.thidua"
    junk.write_text("không phải gói", encoding="utf-8")
    code, _, err = run(capsys, "bundle", "verify", *d, str(junk))
    assert code == BundleFormatError.exit_code and "không phải gói dữ liệu ThiĐua" in err
    code, _, err = run(capsys, "bundle", "import", *u, str(junk))
    assert code == RoleError.exit_code
    codes = {UntrustedKeyError.exit_code, BundleFormatError.exit_code, RoleError.exit_code,
             WrongPassphraseError.exit_code, TrustRegistryError.exit_code}
    assert len(codes) == 5 and all(c not in (0, 1, 2) for c in codes)


def test_rotate_and_forgotten_passphrase(folders: tuple[Path, Path], capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    u = ["--data-dir", str(folders[0])]
    assert run(capsys, "keys", "init", *u)[0] == 0
    monkeypatch.setenv("THIDUA_NEW_KEY_PASSPHRASE", "cụm mật khẩu mới")
    code, out, _ = run(capsys, "keys", "rotate", *u)
    assert code == 0 and "Đã thay khóa" in out
    code, out, _ = run(capsys, "keys", "forgot-passphrase", *u)
    assert code == 0 and "đăng ký lại" in out
    code, out, _ = run(capsys, "keys", "list", *u)
    lines = out.strip().splitlines()
    assert len(lines) == 3 and [line.endswith("đang dùng") for line in lines] == [False, False, True]
    monkeypatch.setenv("THIDUA_KEY_PASSPHRASE", "cụm mật khẩu mới")
    code, out, _ = run(capsys, "bundle", "export", *u, "--dry-run")
    assert code == 0 and "Gói số 1: 1 hoạt động" in out
