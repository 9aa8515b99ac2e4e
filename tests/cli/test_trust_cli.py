"""Issue 11's trust stories through the `thidua` command (a subprocess, as staff run it).

Units are set up in-process (cheap keys); every department command runs as a separate process, and
every refusal leaves the department's database and evidence store byte-identical."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.core.bundles.conftest import PASSPHRASE, Unit, make_unit, resign, state
from thidua_desktop.core.bundles import keys as bundle_keys
from thidua_desktop.core.bundles.exporter import export_bundle
from thidua_desktop.core.bundles.keys import rotate_key
from thidua_desktop.core.workspace import Role, Workspace

NEW_PASSPHRASE = "cụm mật khẩu khóa mới của đơn vị"


@pytest.fixture(autouse=True)
def cheap_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(bundle_keys.KDF_LIMITS, "opslimit", 2**15)
    monkeypatch.setitem(bundle_keys.KDF_LIMITS, "memlimit", 2**24)


def thidua(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "thidua_desktop.cli.main", *args, "--data-dir", str(data)],
                          capture_output=True, text=True, env=env, timeout=120, check=False)


@pytest.fixture
def sites(tmp_path: Path) -> Iterator[tuple[Unit, Path]]:
    unit = make_unit(tmp_path / "unit")
    department = tmp_path / "department"
    with Workspace.open(department) as ws:
        ws.configure(Role.DEPARTMENT, None)
    pub = tmp_path / "cho-moi.pub"
    pub.write_text(unit.workspace.bundles().public_key_file_text(unit.key), encoding="utf-8")
    done = thidua(department, "keys", "enrol", "--unit", "PTP-CM", "--pub-file", str(pub),
                  "--fingerprint", unit.key.fingerprint)
    assert done.returncode == 0, done.stderr
    unit.add("Gói 1")
    first = unit.export().path
    assert thidua(department, "bundle", "import", str(first)).returncode == 0
    yield unit, department
    unit.workspace.close()


def _state(data: Path) -> dict[str, object]:
    with Workspace.open(data) as ws:
        return state(ws)


def _refused(data: Path, code: int, *args: str) -> subprocess.CompletedProcess[str]:
    before = _state(data)
    done = thidua(data, *args)
    assert done.returncode == code, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    assert _state(data) == before
    return done


def test_rotation_is_held_until_keys_confirm_with_the_paper_fingerprint(sites: tuple[Unit, Path]) -> None:
    unit, department = sites
    old = unit.key
    unit.key = rotate_key(unit.workspace, PASSPHRASE, NEW_PASSPHRASE, NEW_PASSPHRASE)
    unit.add("Sau khi thay khóa")
    bundle = export_bundle(unit.workspace, unit.files.parent / "outbox", passphrase=NEW_PASSPHRASE).path
    verify = thidua(department, "bundle", "verify", str(bundle))
    dry = thidua(department, "bundle", "import", "--dry-run", str(bundle))
    assert verify.returncode == dry.returncode == 0 and "chờ xử lý" in verify.stdout
    done = thidua(department, "bundle", "import", str(bundle))
    assert done.returncode == 0 and "Chờ xử lý" in done.stdout and "1 tệp chờ xử lý" in done.stdout
    held = thidua(department, "bundle", "held")
    assert "Khóa mới chờ đối chiếu phiếu" in held.stdout and "Phòng Tư pháp huyện Chợ Mới" in held.stdout
    _refused(department, 39, "keys", "confirm", unit.key.key_id, "--fingerprint", old.fingerprint)
    done = thidua(department, "keys", "confirm", unit.key.key_id, "--fingerprint", unit.key.fingerprint)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"Khóa cũ {old.key_id}" in done.stdout and "Đã nhận" in done.stdout
    assert "Tổng cộng: 0 gói chờ xử lý." in thidua(department, "bundle", "held").stdout


def test_fork_then_next_is_held_and_staff_choose_the_received_branch(sites: tuple[Unit, Path],
                                                                     tmp_path: Path) -> None:
    unit, department = sites
    unit.add("Gói 2 thật")
    genuine = unit.export().path
    twin = resign(genuine, tmp_path / "twin.thidua", unit, lambda m: m["records"][0].update(title="Nhánh khác"),
                  keep_signer=True)

    def next_of_twin(manifest: dict) -> None:
        manifest["seq"], manifest["bundle_id"] = 3, "11111111-2222-4333-8444-555555555555"
        manifest["previous"]["seq"] = 2

    assert thidua(department, "bundle", "import", str(genuine)).returncode == 0
    assert "Chờ xử lý" in thidua(department, "bundle", "import", str(twin)).stdout
    after_twin = resign(twin, tmp_path / "twin3.thidua", unit, next_of_twin, keep_signer=True)
    done = thidua(department, "bundle", "import", str(after_twin))
    assert done.returncode == 0 and "Chờ xử lý" in done.stdout and "đóng băng" in done.stdout
    assert "Đóng băng" in thidua(department, "bundle", "held").stdout
    chose = thidua(department, "bundle", "choose", "--unit", "PTP-CM", "--keep-received", "--reason", "Đã gọi điện")
    assert chose.returncode == 0 and "không còn bị đóng băng" in chose.stdout
    _refused(department, 32, "bundle", "import", str(after_twin))


def test_verify_and_dry_run_give_the_import_verdict(sites: tuple[Unit, Path], tmp_path: Path) -> None:
    unit, department = sites
    first = Path(unit.workspace.bundles().export_history()[0].file_path)
    unit.add("Gói 2")
    second = unit.export().path  # never received
    unit.add("Gói 3")
    assert thidua(department, "bundle", "import", str(unit.export().path)).returncode == 0
    for args in (("bundle", "verify", str(second)), ("bundle", "import", "--dry-run", str(second)),
                 ("bundle", "import", str(second))):
        _refused(department, 31, *args)  # rollback: the same verdict and exit code everywhere
    huge = resign(first, tmp_path / "huge.thidua", unit,
                  lambda m: m.update(seq=2**63 - 1, previous=None, bundle_id="99999999-2222-4333-8444-555555555555"),
                  keep_signer=True)
    codes = {thidua(department, *a, str(huge)).returncode for a in (("bundle", "verify"), ("bundle", "import",
                                                                                          "--dry-run"))}
    assert codes == {0}
    done = thidua(department, "bundle", "import", str(huge))
    assert done.returncode == 0 and "Số thứ tự nhảy quá xa" in done.stdout and "Chờ xử lý" in done.stdout


def test_unknown_key_and_enrolment_checks(sites: tuple[Unit, Path], tmp_path: Path) -> None:
    unit, department = sites
    thief = make_unit(tmp_path / "thief")
    thief.add("Giả mạo")
    forged = thief.export().path
    done = _refused(department, 26, "bundle", "import", str(forged))
    assert thief.key.fingerprint not in done.stdout + done.stderr and "phiếu" in done.stdout + done.stderr
    # a copied fingerprint does not match what the paper sheet says
    _refused(department, 39, "keys", "enrol", "--unit", "PTP-CM", "--from-bundle", str(forged),
             "--fingerprint", unit.key.fingerprint)
    # the .pub names its unit: enrolling it under another code is refused
    lx = make_unit(tmp_path / "lx", "PTP-LX")
    pub = tmp_path / "lx.pub"
    pub.write_text(lx.workspace.bundles().public_key_file_text(lx.key), encoding="utf-8")
    _refused(department, 39, "keys", "enrol", "--unit", "PTP-CM", "--pub-file", str(pub), "--fingerprint",
             lx.key.fingerprint)
    typo = thidua(department, "keys", "enrol", "--unit", "PTP-AP", "--public-key", lx.key.public_key.to_base64(),
                  "--fingerprint", lx.key.fingerprint)
    assert typo.returncode == 0
    undone = thidua(department, "keys", "unenrol", lx.key.key_id, "--reason", "Nhập nhầm mã đơn vị")
    assert undone.returncode == 0 and "Đã hủy đăng ký" in undone.stdout
    shutil.rmtree(tmp_path / "lx" / "outbox")
    thief.workspace.close()
    lx.workspace.close()


def test_name_spoof_is_a_warning_in_verify_preview_and_import(sites: tuple[Unit, Path], tmp_path: Path) -> None:
    unit, department = sites
    unit.add("Gói 2")
    spoof = resign(unit.export().path, tmp_path / "spoof.thidua", unit,
                   lambda m: m["unit"].update(name="Phòng Tư pháp thành phố Long Xuyên"), keep_signer=True)
    for args in (("bundle", "verify"), ("bundle", "import", "--dry-run"), ("bundle", "import")):
        done = thidua(department, *args, str(spoof))
        assert done.returncode == 0, done.stdout + done.stderr
        headline = done.stdout.splitlines()[0]
        assert "Chợ Mới" in headline and "Long Xuyên" not in headline
        assert "Gói tự ghi tên đơn vị là “Phòng Tư pháp thành phố Long Xuyên”" in done.stdout


def test_thief_rotation_then_revoke_cascade_and_reset(sites: tuple[Unit, Path], tmp_path: Path) -> None:
    unit, department = sites
    unit.workspace.engine.dispose()
    shutil.copytree(unit.workspace.layout.root, tmp_path / "thief" / "data")
    (tmp_path / "thief" / "outbox").mkdir()
    thief = Unit(Workspace.open(tmp_path / "thief" / "data", actor="kẻ gian"), unit.key, tmp_path / "thief")
    thief.add("Giả mạo bằng khóa cũ")
    forged_direct = resign(thief.export().path, tmp_path / "f50.thidua", thief, lambda m: m.update(seq=50),
                           keep_signer=True)
    thief.key = rotate_key(thief.workspace, PASSPHRASE, NEW_PASSPHRASE, NEW_PASSPHRASE)
    thief.add("Giả mạo bằng khóa mới")
    rotated = export_bundle(thief.workspace, tmp_path / "thief" / "outbox", passphrase=NEW_PASSPHRASE).path
    assert "Chờ xử lý" in thidua(department, "bundle", "import", str(rotated)).stdout
    assert thidua(department, "bundle", "import", str(forged_direct)).returncode == 0  # valid key: applied
    revoke = thidua(department, "keys", "revoke", unit.key.key_id, "--from-seq", "2", "--reason", "Máy bị lấy cắp")
    assert revoke.returncode == 0
    assert f"Thu hồi theo: khóa {thief.key.key_id}" in revoke.stdout
    assert "Gói bị ảnh hưởng: số 50 (gói đã nhận" in revoke.stdout and "gói chờ xử lý, nay bị loại" in revoke.stdout
    reset = thidua(department, "keys", "reset-seq", "--unit", "PTP-CM", "--to-seq", "1", "--reason", "Số của kẻ gian")
    assert reset.returncode == 0 and "50" in reset.stdout
    fresh = bundle_keys.replace_lost_key(unit.workspace, NEW_PASSPHRASE, NEW_PASSPHRASE)
    enrol = thidua(department, "keys", "enrol", "--unit", "PTP-CM", "--public-key", fresh.public_key.to_base64(),
                   "--fingerprint", fresh.fingerprint)
    assert enrol.returncode == 0
    unit.add("Gói 2 thật")
    genuine = export_bundle(unit.workspace, unit.files.parent / "outbox", passphrase=NEW_PASSPHRASE).path
    done = thidua(department, "bundle", "import", str(genuine))
    assert done.returncode == 0 and "Đã nhận Gói số 2" in done.stdout
    _refused(department, 27, "bundle", "import", str(rotated))
    thief.workspace.close()
