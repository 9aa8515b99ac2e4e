#!/usr/bin/env bash
# Build the Linux download: PyInstaller onedir → dist/thidua-desktop-VERSION-linux-ARCH.tar.gz
# (with .desktop file, icons, the .thidua MIME type, install.sh/uninstall.sh), then smoke-test it.
#
# Usage: installer/build_linux.sh [PYTHON]
#   PYTHON: interpreter of a venv that has the app installed (default: .venv/bin/python, else python3).
#   It must be a CPython built with a shared libpython (pyenv: PYTHON_CONFIGURE_OPTS=--enable-shared).
# Env: THIDUA_BUILD_DIR (default build/installer) for PyInstaller's work files, DIST_DIR (default dist).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${1:-}"
if [ -z "$PYTHON" ]; then
    if [ -x .venv/bin/python ]; then PYTHON=.venv/bin/python; else PYTHON=python3; fi
fi
BUILD_DIR="${THIDUA_BUILD_DIR:-build/installer}"
DIST_DIR="${DIST_DIR:-dist}"
started=$(date +%s)

if ! "$PYTHON" -c "import PyInstaller" 2>/dev/null; then
    echo "+ installing the build extra (PyInstaller)"
    "$PYTHON" -m pip install -q -e ".[build]"
fi

echo "+ pyinstaller installer/thidua-desktop.spec"
"$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
    --workpath "$BUILD_DIR/work" --distpath "$BUILD_DIR/dist" installer/thidua-desktop.spec

ONEDIR="$BUILD_DIR/dist/thidua-desktop"
echo "+ onedir: $(du -sh "$ONEDIR" | cut -f1) in $ONEDIR"

echo "+ smoke test: thidua-desktop --self-test (offscreen)"
QT_QPA_PLATFORM=offscreen "$ONEDIR/thidua-desktop" --self-test

echo "+ packaging"
"$PYTHON" installer/linux/package.py --onedir "$ONEDIR" --out "$DIST_DIR"
echo "+ done in $(( $(date +%s) - started )) s"
