"""About: version, data folder and database, for support calls."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from thidua_desktop import __version__
from thidua_desktop.core.migrations import LATEST_SCHEMA_VERSION
from thidua_desktop.core.workspace import Workspace


class AboutDialog(QDialog):
    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Giới thiệu ThiĐua Desktop"))
        layout = QVBoxLayout(self)
        campaign = workspace.campaign()
        self.text = QLabel(
            self.tr(
                "<h3>ThiĐua Desktop {version}</h3>"
                "<p>Ghi nhận, gửi và tổng hợp kết quả phong trào thi đua ngành Tư pháp — hoạt động không cần mạng.</p>"
                "<p><b>Phong trào:</b> {campaign}</p>"
                "<p><b>Thư mục dữ liệu:</b><br>{folder}</p>"
                "<p><b>Cơ sở dữ liệu:</b><br>{database} (lược đồ {schema})</p>"
                "<p>Phông chữ Liberation 2.x theo giấy phép SIL Open Font License 1.1.</p>"
            ).format(
                version=__version__,
                campaign=campaign.display_name,
                folder=workspace.layout.root,
                database=workspace.database_label,
                schema=LATEST_SCHEMA_VERSION,
            )
        )
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(self.text.textInteractionFlags() | self.text.textInteractionFlags().TextSelectableByMouse)
        layout.addWidget(self.text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("Đóng"))
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)
