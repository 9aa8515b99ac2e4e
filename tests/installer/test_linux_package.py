"""The Linux package pieces that run in seconds: desktop entry, MIME type, tarball layout, install/uninstall.

The PyInstaller build itself is exercised by .ci/installer.sh (about a minute); here a stand-in
executable takes its place so that the packaging and the per-user install are tested on every run.
"""

from __future__ import annotations

import configparser
import importlib.util
import os
import shutil
import stat
import subprocess
import tarfile
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINUX = ROOT / "installer" / "linux"
_spec = importlib.util.spec_from_file_location("thidua_installer_linux_package", LINUX / "package.py")
assert _spec is not None and _spec.loader is not None
package = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(package)

MIME_NS = "{http://www.freedesktop.org/standards/shared-mime-info}"


def _desktop_entry(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    parser.optionxform = str  # keys are case-sensitive
    parser.read(path, encoding="utf-8")
    return parser["Desktop Entry"]


def test_desktop_entry_declares_the_app_and_the_bundle_type() -> None:
    entry = _desktop_entry(LINUX / "thidua-desktop.desktop")
    assert entry["Type"] == "Application"
    assert entry["Name"] == "ThiĐua Desktop"
    assert entry["Exec"] == "thidua-desktop %f"  # one file path, as `thidua-desktop FILE` expects
    assert entry["Icon"] == "thidua-desktop"
    assert entry["MimeType"] == "application/x-thidua-bundle;"
    assert entry["StartupWMClass"] == "thidua-desktop"  # = QGuiApplication.desktopFileName
    assert "Tư pháp" in entry["Comment"]


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None, reason="desktop-file-utils not installed")
def test_desktop_entry_passes_desktop_file_validate() -> None:
    result = subprocess.run(
        ["desktop-file-validate", str(LINUX / "thidua-desktop.desktop")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == ""  # no warnings either


def test_mime_type_maps_the_extension() -> None:
    root = ET.parse(LINUX / "thidua-desktop-mime.xml").getroot()
    assert root.tag == f"{MIME_NS}mime-info"
    (mime_type,) = root.findall(f"{MIME_NS}mime-type")
    assert mime_type.get("type") == "application/x-thidua-bundle"
    assert [g.get("pattern") for g in mime_type.findall(f"{MIME_NS}glob")] == ["*.thidua"]
    comments = {c.get("{http://www.w3.org/XML/1998/namespace}lang"): c.text for c in mime_type.findall(f"{MIME_NS}comment")}
    assert comments == {None: "ThiĐua data bundle", "vi": "Gói dữ liệu ThiĐua"}
    assert mime_type.find(f"{MIME_NS}icon").get("name") == "thidua-desktop"


@pytest.mark.skipif(shutil.which("update-mime-database") is None, reason="shared-mime-info not installed")
def test_update_mime_database_accepts_the_type(tmp_path: Path) -> None:
    (tmp_path / "packages").mkdir()
    shutil.copy(LINUX / "thidua-desktop-mime.xml", tmp_path / "packages" / "thidua-desktop.xml")
    result = subprocess.run(["update-mime-database", str(tmp_path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "application/x-thidua-bundle:*.thidua" in (tmp_path / "globs2").read_text()
    assert "application/x-thidua-bundle:thidua-desktop" in (tmp_path / "icons").read_text()


@pytest.mark.parametrize("script", ["install.sh", "uninstall.sh"])
def test_shell_scripts_parse(script: str) -> None:
    assert subprocess.run(["sh", "-n", str(LINUX / script)]).returncode == 0


@pytest.mark.parametrize("script", ["installer/build_linux.sh", ".ci/installer.sh"])
def test_build_scripts_parse(script: str) -> None:
    assert subprocess.run(["bash", "-n", str(ROOT / script)]).returncode == 0


@pytest.fixture
def fake_onedir(tmp_path: Path) -> Path:
    """A stand-in for dist/thidua-desktop: an executable that records its arguments."""
    onedir = tmp_path / "dist" / "thidua-desktop"
    (onedir / "_internal" / "resources").mkdir(parents=True)
    (onedir / "_internal" / "resources" / "marker.txt").write_text("tài nguyên", encoding="utf-8")
    exe = onedir / "thidua-desktop"
    exe.write_text('#!/bin/sh\nprintf "chay:%s\\n" "$@"\n')
    exe.chmod(0o755)
    return onedir


def test_archive_layout(fake_onedir: Path, tmp_path: Path) -> None:
    archive = package.build_archive(fake_onedir, tmp_path / "out", version="9.8.7", arch="x86_64")
    assert archive.name == "thidua-desktop-9.8.7-linux-x86_64.tar.gz"
    top = "thidua-desktop-9.8.7-linux-x86_64"
    with tarfile.open(archive) as tar:
        members = {m.name: m for m in tar.getmembers()}
    expected = {
        f"{top}/thidua-desktop", f"{top}/_internal/resources/marker.txt", f"{top}/install.sh",
        f"{top}/uninstall.sh", f"{top}/HUONG-DAN.txt", f"{top}/share/applications/thidua-desktop.desktop",
        f"{top}/share/mime/packages/thidua-desktop.xml",
        f"{top}/share/icons/hicolor/scalable/apps/thidua-desktop.svg",
    } | {f"{top}/share/icons/hicolor/{s}x{s}/apps/thidua-desktop.png" for s in package.ICON_SIZES}
    assert expected <= set(members)
    assert all(name == top or name.startswith(f"{top}/") for name in members)
    for name in ("thidua-desktop", "install.sh", "uninstall.sh"):
        assert members[f"{top}/{name}"].mode & stat.S_IXUSR
    assert {(m.uid, m.gid, m.uname) for m in members.values()} == {(0, 0, "")}


def _run(cmd: list[str], home: Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "THIDUA_"))}
    env["HOME"] = str(home)
    return subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8", env=env, timeout=60, **kwargs)


def test_install_upgrade_and_uninstall_keep_user_data(fake_onedir: Path, tmp_path: Path) -> None:
    archive = package.build_archive(fake_onedir, tmp_path / "out", version="1.0.0", arch="x86_64")
    with tarfile.open(archive) as tar:
        tar.extractall(tmp_path / "giai-nen", filter="data")
    unpacked = tmp_path / "giai-nen" / "thidua-desktop-1.0.0-linux-x86_64"
    home = tmp_path / "home"
    home.mkdir()

    first = _run(["sh", str(unpacked / "install.sh")], home)
    assert first.returncode == 0, first.stderr
    assert "Đã cài xong ThiĐua Desktop." in first.stdout
    app_dir = home / ".local" / "opt" / "thidua-desktop"
    launcher = home / ".local" / "bin" / "thidua-desktop"
    assert launcher.is_symlink() and launcher.resolve() == (app_dir / "thidua-desktop").resolve()
    assert _run([str(launcher), "/tmp/goi du lieu.thidua"], home).stdout == "chay:/tmp/goi du lieu.thidua\n"
    desktop = home / ".local" / "share" / "applications" / "thidua-desktop.desktop"
    assert _desktop_entry(desktop)["Exec"] == f'"{app_dir}/thidua-desktop" %f'
    if shutil.which("desktop-file-validate"):
        assert subprocess.run(["desktop-file-validate", str(desktop)]).returncode == 0
    share = home / ".local" / "share"
    assert (share / "mime" / "packages" / "thidua-desktop.xml").is_file()
    assert (share / "icons" / "hicolor" / "48x48" / "apps" / "thidua-desktop.png").is_file()
    assert (share / "icons" / "hicolor" / "48x48" / "mimetypes" / "application-x-thidua-bundle.png").is_file()

    data = share / "thidua-desktop"
    data.mkdir()
    (data / "thidua.sqlite").write_bytes(b"du lieu that")
    again = _run(["sh", str(unpacked / "install.sh")], home)  # an upgrade in place
    assert again.returncode == 0, again.stderr
    assert (data / "thidua.sqlite").read_bytes() == b"du lieu that"
    assert not list((home / ".local" / "opt").glob("thidua-desktop.*"))  # no staging leftovers

    removed = _run(["sh", str(app_dir / "uninstall.sh")], home)
    assert removed.returncode == 0, removed.stderr
    assert "Dữ liệu của bạn được giữ lại tại:" in removed.stdout
    assert not app_dir.exists() and not launcher.exists() and not desktop.exists()
    assert not (share / "mime" / "packages" / "thidua-desktop.xml").exists()
    assert (data / "thidua.sqlite").read_bytes() == b"du lieu that"


def test_uninstall_deletes_data_only_when_asked_and_confirmed(fake_onedir: Path, tmp_path: Path) -> None:
    archive = package.build_archive(fake_onedir, tmp_path / "out", version="1.0.0", arch="x86_64")
    with tarfile.open(archive) as tar:
        tar.extractall(tmp_path / "x", filter="data")
    home = tmp_path / "home"
    home.mkdir()
    install = tmp_path / "x" / "thidua-desktop-1.0.0-linux-x86_64" / "install.sh"
    data = home / ".local" / "share" / "thidua-desktop"
    uninstall = home / ".local" / "opt" / "thidua-desktop" / "uninstall.sh"

    assert _run(["sh", str(install)], home).returncode == 0
    data.mkdir(parents=True)
    (data / "thidua.sqlite").write_bytes(b"x")
    declined = _run(["sh", str(uninstall), "--xoa-du-lieu"], home, input="khong\n")
    assert declined.returncode == 0
    assert "Dữ liệu được giữ lại tại" in declined.stdout
    assert data.is_dir()

    assert _run(["sh", str(install)], home).returncode == 0
    confirmed = _run(["sh", str(uninstall), "--xoa-du-lieu"], home, input="XOA\n")
    assert confirmed.returncode == 0
    assert "Đã xóa dữ liệu tại" in confirmed.stdout
    assert not data.exists()
