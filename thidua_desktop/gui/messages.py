"""User-facing message boxes: Vietnamese text for known errors, details tucked away for the rest."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QInputDialog, QMessageBox, QWidget

from thidua_desktop.core.errors import UserError


def show_error(parent: QWidget | None, error: BaseException, details: str = "") -> None:
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("ThiĐua Desktop")
    if isinstance(error, UserError):
        box.setText(error.message)
        if error.hint:
            box.setInformativeText(error.hint)
    else:
        box.setText("Đã xảy ra lỗi ngoài dự kiến. Dữ liệu đã lưu trước đó vẫn an toàn.")
        box.setInformativeText(f"{type(error).__name__}: {error}")
        if details:
            box.setDetailedText(details)
    box.exec()


def confirm(parent: QWidget | None, title: str, text: str, *, informative: str = "", yes: str = "Đồng ý", no: str = "Không") -> bool:
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(title)
    box.setText(text)
    if informative:
        box.setInformativeText(informative)
    yes_button = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
    box.addButton(no, QMessageBox.ButtonRole.RejectRole)
    box.exec()
    return box.clickedButton() is yes_button


def text_prompt(parent: QWidget | None, title: str, label: str, text: str = "", *, multiline: bool = False,
                accept: str = "Đồng ý") -> QInputDialog:
    """The dialog `ask_text` shows: Vietnamese buttons (`QInputDialog.getText` would show Qt's "OK"/"Cancel")."""
    dialog = QInputDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setLabelText(label)
    dialog.setOption(QInputDialog.InputDialogOption.UsePlainTextEditForTextInput, multiline)
    dialog.setTextValue(text)
    dialog.setOkButtonText(accept)
    dialog.setCancelButtonText(dialog.tr("Hủy"))
    return dialog


def ask_text(parent: QWidget | None, title: str, label: str, text: str = "", *, multiline: bool = False,
             accept: str = "Đồng ý") -> str | None:
    """A line (or a paragraph) from the user; None when cancelled."""
    dialog = text_prompt(parent, title, label, text, multiline=multiline, accept=accept)
    return dialog.textValue() if dialog.exec() == QDialog.DialogCode.Accepted else None


def dialog_buttons(dialog: QDialog, accept_text: str, reject_text: str = "Hủy") -> QDialogButtonBox:
    """OK/Cancel with Vietnamese labels (Qt's own labels are English without a translator), wired to the dialog."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    buttons.button(QDialogButtonBox.StandardButton.Ok).setText(accept_text)
    buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(dialog.tr(reject_text))
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons
