#!/bin/sh
# Cài ThiĐua Desktop cho người dùng hiện tại (không cần quyền quản trị).
# Install ThiĐua Desktop for the current user (no root): the program goes to ~/.local/opt/thidua-desktop,
# a launcher to ~/.local/bin, the menu entry, icons and the .thidua file type to ~/.local/share.
# Running it again upgrades in place. User data (~/.local/share/thidua-desktop) is never touched.
set -eu

HERE="$(cd "$(dirname "$0")" && pwd)"
PREFIX="${HOME}/.local"

usage() {
    cat <<EOF
Cách dùng: ./install.sh [--prefix THƯ_MỤC]

Cài ThiĐua Desktop cho người dùng hiện tại, không cần quyền quản trị.
  --prefix THƯ_MỤC   nơi cài (mặc định: ~/.local)
Chạy lại lệnh này để nâng cấp; dữ liệu của bạn được giữ nguyên.
EOF
}

while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) PREFIX="$2"; shift 2 ;;
        --prefix=*) PREFIX="${1#--prefix=}"; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "Tham số không hợp lệ: $1" >&2; usage >&2; exit 2 ;;
    esac
done

if [ ! -x "$HERE/thidua-desktop" ] || [ ! -d "$HERE/_internal" ]; then
    echo "Lỗi: hãy chạy install.sh từ thư mục đã giải nén (thiếu tệp chương trình thidua-desktop)." >&2
    exit 1
fi

APP_DIR="$PREFIX/opt/thidua-desktop"
BIN_DIR="$PREFIX/bin"
SHARE_DIR="$PREFIX/share"

echo "Đang cài ThiĐua Desktop vào $APP_DIR …"
mkdir -p "$PREFIX/opt" "$BIN_DIR" "$SHARE_DIR/applications" "$SHARE_DIR/mime/packages"

# Copy to a staging folder first, then swap it in: an interrupted upgrade leaves the old version working.
STAGING="$APP_DIR.dang-cai.$$"
rm -rf "$STAGING"
mkdir -p "$STAGING"
cp -R "$HERE/thidua-desktop" "$HERE/_internal" "$HERE/uninstall.sh" "$STAGING/"
cp -R "$HERE/share" "$STAGING/share"
if [ -d "$APP_DIR" ]; then
    rm -rf "$APP_DIR.cu"
    mv "$APP_DIR" "$APP_DIR.cu"
fi
mv "$STAGING" "$APP_DIR"
rm -rf "$APP_DIR.cu"

ln -sf "$APP_DIR/thidua-desktop" "$BIN_DIR/thidua-desktop"

# Menu entry with absolute paths, so it works even when ~/.local/bin is not on PATH.
sed -e "s|^Exec=.*|Exec=\"$APP_DIR/thidua-desktop\" %f|" \
    -e "s|^TryExec=.*|TryExec=$APP_DIR/thidua-desktop|" \
    "$HERE/share/applications/thidua-desktop.desktop" > "$SHARE_DIR/applications/thidua-desktop.desktop"
chmod 644 "$SHARE_DIR/applications/thidua-desktop.desktop"

for icon in "$HERE"/share/icons/hicolor/*/apps/thidua-desktop.*; do
    size_dir="$(basename "$(dirname "$(dirname "$icon")")")"
    for kind in apps mimetypes; do
        target_name="thidua-desktop"
        [ "$kind" = mimetypes ] && target_name="application-x-thidua-bundle"
        mkdir -p "$SHARE_DIR/icons/hicolor/$size_dir/$kind"
        cp "$icon" "$SHARE_DIR/icons/hicolor/$size_dir/$kind/$target_name.${icon##*.}"
    done
done

cp "$HERE/share/mime/packages/thidua-desktop.xml" "$SHARE_DIR/mime/packages/thidua-desktop.xml"

# Desktop databases: optional tools; the program works without them, only the menu may refresh later.
if command -v update-mime-database >/dev/null 2>&1; then
    update-mime-database "$SHARE_DIR/mime" >/dev/null 2>&1 || true
fi
if command -v update-desktop-database >/dev/null 2>&1; then
    update-desktop-database "$SHARE_DIR/applications" >/dev/null 2>&1 || true
fi
if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -f "$SHARE_DIR/icons/hicolor/index.theme" ]; then
    gtk-update-icon-cache -q -t "$SHARE_DIR/icons/hicolor" >/dev/null 2>&1 || true
fi
if command -v xdg-mime >/dev/null 2>&1; then
    xdg-mime default thidua-desktop.desktop application/x-thidua-bundle >/dev/null 2>&1 || true
fi

echo "Đã cài xong ThiĐua Desktop."
echo "  • Mở từ menu ứng dụng (mục Văn phòng), hoặc gõ lệnh: $BIN_DIR/thidua-desktop"
echo "  • Bấm đúp vào tệp .thidua để mở gói dữ liệu bằng ThiĐua Desktop."
echo "  • Gỡ cài đặt: $APP_DIR/uninstall.sh (dữ liệu của bạn được giữ lại)."
