#!/bin/sh
# Gỡ ThiĐua Desktop đã cài bằng install.sh. Dữ liệu được GIỮ LẠI, trừ khi chọn --xoa-du-lieu.
# Uninstall what install.sh put in place. User data is kept unless --xoa-du-lieu ("delete data") is given,
# and even then only after typing XOA (or with --dong-y for scripted use).
set -eu

HERE="$(cd "$(dirname "$0")" && pwd)"
PREFIX="$(dirname "$(dirname "$HERE")")"   # …/PREFIX/opt/thidua-desktop → PREFIX
DATA_DIR="${THIDUA_DATA_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/thidua-desktop}"
REMOVE_DATA=0
ASSUME_YES=0

usage() {
    cat <<EOF
Cách dùng: $0 [--xoa-du-lieu [--dong-y]]

Gỡ ThiĐua Desktop khỏi máy. Mặc định dữ liệu của bạn được giữ lại tại:
  $DATA_DIR
  --xoa-du-lieu   xóa cả dữ liệu (cơ sở dữ liệu, minh chứng, bản sao lưu, nhật ký)
  --dong-y        không hỏi lại khi xóa dữ liệu
EOF
}

while [ $# -gt 0 ]; do
    case "$1" in
        --xoa-du-lieu) REMOVE_DATA=1; shift ;;
        --dong-y) ASSUME_YES=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "Tham số không hợp lệ: $1" >&2; usage >&2; exit 2 ;;
    esac
done

if [ "$(basename "$HERE")" != "thidua-desktop" ] || [ ! -x "$HERE/thidua-desktop" ]; then
    echo "Lỗi: chỉ chạy uninstall.sh trong thư mục đã cài (…/opt/thidua-desktop)." >&2
    exit 1
fi

SHARE_DIR="$PREFIX/share"
rm -f "$PREFIX/bin/thidua-desktop"
rm -f "$SHARE_DIR/applications/thidua-desktop.desktop"
rm -f "$SHARE_DIR/mime/packages/thidua-desktop.xml"
for icon in "$SHARE_DIR"/icons/hicolor/*/apps/thidua-desktop.* \
            "$SHARE_DIR"/icons/hicolor/*/mimetypes/application-x-thidua-bundle.*; do
    [ -e "$icon" ] && rm -f "$icon"
done
if command -v update-mime-database >/dev/null 2>&1 && [ -d "$SHARE_DIR/mime" ]; then
    update-mime-database "$SHARE_DIR/mime" >/dev/null 2>&1 || true
fi
if command -v update-desktop-database >/dev/null 2>&1 && [ -d "$SHARE_DIR/applications" ]; then
    update-desktop-database "$SHARE_DIR/applications" >/dev/null 2>&1 || true
fi
rm -rf "$HERE"
echo "Đã gỡ chương trình ThiĐua Desktop."

if [ "$REMOVE_DATA" -eq 1 ] && [ -d "$DATA_DIR" ]; then
    if [ "$ASSUME_YES" -ne 1 ]; then
        echo "CẢNH BÁO: sắp xóa vĩnh viễn toàn bộ dữ liệu tại $DATA_DIR"
        echo "(cơ sở dữ liệu, tệp minh chứng, bản sao lưu, khóa ký gói dữ liệu, nhật ký)."
        printf "Gõ XOA rồi Enter để xác nhận, hoặc Enter để giữ lại dữ liệu: "
        read -r answer || answer=""
        if [ "$answer" != "XOA" ]; then
            echo "Dữ liệu được giữ lại tại: $DATA_DIR"
            exit 0
        fi
    fi
    rm -rf "$DATA_DIR"
    echo "Đã xóa dữ liệu tại: $DATA_DIR"
else
    echo "Dữ liệu của bạn được giữ lại tại: $DATA_DIR"
    echo "Cài lại chương trình bất cứ lúc nào để dùng tiếp dữ liệu này."
fi
