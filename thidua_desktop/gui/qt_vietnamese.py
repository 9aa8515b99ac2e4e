"""Vietnamese for the words Qt itself shows: standard buttons, text-field context menus, the non-native
file dialog (Linux), message-box details.

PySide6 ships no `qtbase_vi.qm` (checked for 6.12: Qt translates qtbase into ~25 languages, not Vietnamese),
so `install()` loads Qt's own catalogue when one exists for the locale and, underneath it, this small
catalogue of the strings a user of this application can meet. Application text is Vietnamese at the source
and passes through untouched.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

_EDIT_MENU = {
    "&Undo": "&Hoàn tác",
    "&Redo": "&Làm lại",
    "Cu&t": "Cắ&t",
    "&Copy": "&Sao chép",
    "Copy &Link Location": "Sao chép địa chỉ &liên kết",
    "&Paste": "&Dán",
    "Delete": "Xóa",
    "Select All": "Chọn tất cả",
}

CATALOGUE: dict[str, dict[str, str]] = {
    "QPlatformTheme": {
        "OK": "Đồng ý",
        "Save": "Lưu",
        "Save All": "Lưu tất cả",
        "Open": "Mở",
        "&Yes": "&Có",
        "Yes to &All": "Có với tất &cả",
        "&No": "&Không",
        "N&o to All": "Không với tất cả",
        "Abort": "Hủy bỏ",
        "Retry": "Thử lại",
        "Ignore": "Bỏ qua",
        "Close": "Đóng",
        "Cancel": "Hủy",
        "Discard": "Bỏ thay đổi",
        "Help": "Trợ giúp",
        "Apply": "Áp dụng",
        "Reset": "Đặt lại",
        "Restore Defaults": "Khôi phục mặc định",
    },
    "QDialogButtonBox": {"OK": "Đồng ý"},
    "QProgressDialog": {"Cancel": "Hủy"},
    "QInputDialog": {"Enter a value:": "Nhập giá trị:"},
    "QLineEdit": _EDIT_MENU,
    "QWidgetTextControl": _EDIT_MENU,
    "QAbstractSpinBox": {"&Select All": "&Chọn tất cả", "&Step up": "&Tăng", "Step &down": "&Giảm"},
    "QMessageBox": {"Show Details...": "Xem chi tiết…", "Hide Details...": "Ẩn chi tiết…", "About Qt": "Về Qt"},
    "QFileDialog": {
        "Look in:": "Tìm trong:",
        "&Look in:": "&Tìm trong:",
        "Files of &type:": "&Loại tệp:",
        "File &name:": "&Tên tệp:",
        "Files of type:": "Loại tệp:",
        "Directory:": "Thư mục:",
        "&Open": "&Mở",
        "Open": "Mở",
        "&Save": "&Lưu",
        "Save As": "Lưu thành",
        "&Choose": "&Chọn",
        "Find Directory": "Chọn thư mục",
        "Back": "Quay lại",
        "Forward": "Tiến tới",
        "Parent Directory": "Thư mục cha",
        "Go back": "Quay lại",
        "Go forward": "Tiến tới",
        "Go to the parent directory": "Lên thư mục cha",
        "Create New Folder": "Tạo thư mục mới",
        "Create a New Folder": "Tạo thư mục mới",
        "New Folder": "Thư mục mới",
        "&New Folder": "Thư mục &mới",
        "List View": "Dạng danh sách",
        "Detail View": "Dạng chi tiết",
        "Change to list view mode": "Xem dạng danh sách",
        "Change to detail view mode": "Xem dạng chi tiết",
        "List of places and bookmarks": "Các vị trí và dấu trang",
        "Sidebar": "Thanh bên",
        "Recent Places": "Vị trí gần đây",
        "My Computer": "Máy tính",
        "All Files (*)": "Mọi tệp (*)",
        "All files (*)": "Mọi tệp (*)",
        "Directories": "Thư mục",
        "Files": "Tệp",
        "File": "Tệp",
        "%1 File": "Tệp %1",
        "File Folder": "Thư mục",
        "Folder": "Thư mục",
        "Alias": "Bí danh",
        "Shortcut": "Lối tắt",
        "Drive": "Ổ đĩa",
        "Unknown": "Không rõ",
        "Show &hidden files": "Hiện tệp ẩ&n",
        "&Rename": "Đổi &tên",
        "&Delete": "&Xóa",
        "Delete": "Xóa",
        "Remove": "Bỏ khỏi danh sách",
        "Confirm Delete": "Xác nhận xóa",
        "Could not delete directory.": "Không xóa được thư mục.",
        "Are you sure you want to delete '%1'?": "Xóa “%1”?",
        "'%1' is write protected.\nDo you want to delete it anyway?":
            "“%1” đang được bảo vệ chống ghi.\nVẫn xóa?",
        "%1 already exists.\nDo you want to replace it?": "Đã có tệp %1.\nGhi đè lên tệp đó?",
        "%1\nFile not found.\nPlease verify the correct file name was given.":
            "%1\nKhông tìm thấy tệp.\nHãy kiểm tra lại tên tệp.",
        "%1\nDirectory not found.\nPlease verify the correct directory name was given.":
            "%1\nKhông tìm thấy thư mục.\nHãy kiểm tra lại tên thư mục.",
    },
    "QAbstractFileIconProvider": {  # the file dialog's "Type" column
        "Folder": "Thư mục", "File Folder": "Thư mục", "File": "Tệp", "%1 File": "Tệp %1", "Drive": "Ổ đĩa",
        "Alias": "Bí danh", "Shortcut": "Lối tắt",
    },
    "QFileSystemModel": {
        "Name": "Tên",
        "Size": "Kích thước",
        "Type": "Loại",
        "Kind": "Loại",
        "Date Modified": "Ngày sửa",
        "My Computer": "Máy tính",
        "Computer": "Máy tính",
        "Invalid filename": "Tên tệp không hợp lệ",
        '<b>The name "%1" cannot be used.</b><p>Try using another name, with fewer characters or no punctuation marks.':
            "<b>Không dùng được tên “%1”.</b><p>Hãy đặt tên khác, ngắn hơn hoặc không có dấu câu.",
    },
}


class VietnameseQtTranslator(QTranslator):
    """Qt's own words in Vietnamese; everything else passes through untranslated."""

    def translate(self, context: str, source: str, disambiguation: str | None = None, n: int = -1) -> str | None:  # noqa: ARG002
        return CATALOGUE.get(context, {}).get(source)  # None: a null QString, "not mine" ('' would blank it)

    def isEmpty(self) -> bool:  # noqa: N802 - Qt override
        return False


_installed: list[QTranslator] = []  # kept alive: Qt does not own installed translators


def install(app: QCoreApplication, locale: QLocale | None = None) -> list[QTranslator]:
    """Install Qt's translations for `locale` (Vietnamese by default) where they exist, then this catalogue.

    Idempotent; returns the translators installed, the last one consulted first.
    """
    if _installed:
        return list(_installed)
    locale = locale or QLocale(QLocale.Language.Vietnamese, QLocale.Country.Vietnam)
    ours = VietnameseQtTranslator(app)
    app.installTranslator(ours)  # consulted after Qt's catalogue, when there is one
    _installed.append(ours)
    shipped = QTranslator(app)
    if shipped.load(locale, "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(shipped)
        _installed.append(shipped)
    return list(_installed)
