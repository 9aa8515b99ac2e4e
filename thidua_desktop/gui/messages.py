"""User-facing message boxes: Vietnamese text for known errors, details tucked away for the rest."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QInputDialog, QMessageBox, QPushButton, QWidget

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
    """Ask before doing something; True only when `yes` is chosen.

    The one question box of the app. `no` is the safe answer (keep editing, keep the key, do not restore), so
    Enter, Space on the focused button and Esc all choose it: a reflexive Enter never discards, replaces or
    restores anything; `yes` takes a deliberate click (or Tab, then Enter).
    """
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(title)
    box.setText(text)
    if informative:
        box.setInformativeText(informative)
    yes_button = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
    no_button = box.addButton(no, QMessageBox.ButtonRole.RejectRole)
    make_safe_default(yes_button, no_button)
    box.setDefaultButton(no_button)
    box.setEscapeButton(no_button)
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


def make_safe_default(risky: QPushButton, safe: QPushButton) -> None:
    """Enter chooses `safe`; `risky` is never the default, even when focused (Space or a click chooses it).

    The buttons must already be inside their dialog: QDialog remembers a default set earlier only then,
    and would otherwise promote the first button of the focus chain (the risky OK) when shown.
    """
    risky.setAutoDefault(False)
    risky.setDefault(False)
    safe.setAutoDefault(True)
    safe.setDefault(True)


def dialog_buttons(dialog: QDialog, accept_text: str, reject_text: str = "Hủy", *,
                   destructive: bool = False) -> QDialogButtonBox:
    """OK/Cancel with Vietnamese labels (Qt's own labels are English without a translator), wired to the dialog.

    `destructive` (revoke, replace a key…): Enter chooses Cancel, as in `confirm`.
    """
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, dialog)
    ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
    cancel = buttons.button(QDialogButtonBox.StandardButton.Cancel)
    ok.setText(accept_text)
    cancel.setText(dialog.tr(reject_text))
    if destructive:
        make_safe_default(ok, cancel)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons
