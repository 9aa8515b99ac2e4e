#!/usr/bin/env bash
# CI job for the installer (issue 7): build the Linux onedir with PyInstaller, run the frozen binary
# offscreen with --self-test (temp database, campaign, PDF page, Qt/QtPdf, bundle check), package the
# .tar.gz, and fail if any of it fails. Takes about 1 minute on the 2-core CI machine.
#
# Called from .ci/run after the test command (which made .venv):   bash .ci/installer.sh
# Needs: the venv's Python with a shared libpython (pyenv's is), `strip` from binutils, and the Qt
# offscreen libraries that .ci/run already installs.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-}"
if [ -z "$PYTHON" ]; then
    if [ -x .venv/bin/python ]; then PYTHON=.venv/bin/python; else PYTHON=python3; fi
fi
started=$(date +%s)
WORK="$(mktemp -d "${TMPDIR:-/tmp}/thidua-installer-ci.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

if ! command -v strip >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
    apt-get install -y -qq --no-install-recommends binutils >/dev/null
fi

if ! "$PYTHON" -c "import thidua_desktop.gui.app, reportlab" 2>/dev/null; then
    echo "installer: $PYTHON cannot import the app; run the README's test command first (it makes .venv)" >&2
    exit 1
fi
echo "installer: pip install pyinstaller"
"$PYTHON" -m pip install -q "pyinstaller>=6.10"

echo "installer: pyinstaller installer/thidua-desktop.spec"
"$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
    --workpath "$WORK/work" --distpath "$WORK/dist" installer/thidua-desktop.spec
ONEDIR="$WORK/dist/thidua-desktop"
built=$(date +%s)

echo "installer: frozen --self-test (QT_QPA_PLATFORM=offscreen, no user data)"
mkdir -p "$WORK/home"
env -u THIDUA_DATA_DIR -u THIDUA_DATABASE_URL HOME="$WORK/home" TMPDIR="$WORK" QT_QPA_PLATFORM=offscreen \
    timeout 300 "$ONEDIR/thidua-desktop" --self-test

echo "installer: package .tar.gz"
"$PYTHON" installer/linux/package.py --onedir "$ONEDIR" --out "$WORK/out"

echo "installer: onedir $(du -sm "$ONEDIR" | cut -f1) MB; build $(( built - started )) s, total $(( $(date +%s) - started )) s"
