"""Turn the PyInstaller onedir into the Linux download: one `.tar.gz` that runs in place and installs per user.

Layout of thidua-desktop-VERSION-linux-ARCH.tar.gz (one top folder):
    thidua-desktop, _internal/          the frozen app (runs from here without installing)
    install.sh, uninstall.sh            per-user install into ~/.local (no root), and its undo
    HUONG-DAN.txt                       Vietnamese instructions for the officer
    share/applications/thidua-desktop.desktop
    share/mime/packages/thidua-desktop.xml           .thidua → application/x-thidua-bundle
    share/icons/hicolor/{16x16…256x256,scalable}/apps/thidua-desktop.{png,svg}

Usage: python installer/linux/package.py --onedir dist/thidua-desktop --out dist
"""

from __future__ import annotations

import argparse
import platform
import shutil
import sys
import tarfile
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)
EXECUTABLES = {"thidua-desktop", "install.sh", "uninstall.sh"}


def _version() -> str:
    sys.path.insert(0, str(ROOT))
    from thidua_desktop import __version__

    return __version__


def stage(onedir: Path, target: Path) -> None:
    """Lay out the folder that becomes the archive's top folder."""
    if not (onedir / "thidua-desktop").is_file() or not (onedir / "_internal").is_dir():
        raise SystemExit(f"{onedir} is not a PyInstaller onedir build of thidua-desktop")
    shutil.copytree(onedir, target, symlinks=True)
    for name in ("install.sh", "uninstall.sh", "HUONG-DAN.txt"):
        shutil.copy2(HERE / name, target / name)
    share = target / "share"
    (share / "applications").mkdir(parents=True)
    shutil.copy2(HERE / "thidua-desktop.desktop", share / "applications" / "thidua-desktop.desktop")
    (share / "mime" / "packages").mkdir(parents=True)
    shutil.copy2(HERE / "thidua-desktop-mime.xml", share / "mime" / "packages" / "thidua-desktop.xml")
    icons = ROOT / "resources" / "icons"
    for size in ICON_SIZES:
        folder = share / "icons" / "hicolor" / f"{size}x{size}" / "apps"
        folder.mkdir(parents=True)
        shutil.copy2(icons / f"thidua-desktop-{size}.png", folder / "thidua-desktop.png")
    scalable = share / "icons" / "hicolor" / "scalable" / "apps"
    scalable.mkdir(parents=True)
    shutil.copy2(icons / "thidua-desktop.svg", scalable / "thidua-desktop.svg")
    for name in EXECUTABLES:
        (target / name).chmod(0o755)


def _normalise(info: tarfile.TarInfo) -> tarfile.TarInfo:
    """Owner-neutral entries, so extracting as any user gives files that user owns."""
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def build_archive(onedir: Path, out_dir: Path, *, version: str | None = None, arch: str | None = None) -> Path:
    version = version or _version()
    arch = arch or platform.machine() or "x86_64"
    top = f"thidua-desktop-{version}-linux-{arch}"
    out_dir.mkdir(parents=True, exist_ok=True)
    archive = out_dir / f"{top}.tar.gz"
    with tempfile.TemporaryDirectory() as tmp:
        staged = Path(tmp) / top
        stage(onedir, staged)
        partial = archive.with_suffix(".partial")
        with tarfile.open(partial, "w:gz", compresslevel=6) as tar:
            tar.add(staged, arcname=top, filter=_normalise)
        partial.replace(archive)
    return archive


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--onedir", type=Path, required=True, help="PyInstaller output folder (dist/thidua-desktop)")
    parser.add_argument("--out", type=Path, required=True, help="folder for the .tar.gz")
    parser.add_argument("--version", help="version in the file name (default: thidua_desktop.__version__)")
    args = parser.parse_args(argv)
    archive = build_archive(args.onedir, args.out, version=args.version)
    print(f"{archive} ({archive.stat().st_size / 1_048_576:.1f} MiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
