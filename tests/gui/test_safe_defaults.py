"""Issue 12, stories 6 and 8: a reflexive Enter never discards, replaces, revokes or restores anything, and a
mistyped passphrase is asked again instead of ending the export. Real key presses on the real dialogs."""

from __future__ import annotations

from pathlib import Path

import pytest

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QWidget

from tests.gui.conftest import type_text
from thidua_desktop.core.bundles import keys as bundle_keys
from thidua_desktop.gui import messages
from thidua_desktop.gui.activity_form import ActivityForm
from thidua_desktop.gui.context import AppContext
from thidua_desktop.gui.pages.bundles import BundlesPage
from thidua_desktop.gui.pages.bundles.dialogs import PassphraseDialog, Prompts

PASSPHRASE = "cụm mật khẩu đúng"


@pytest.fixture(autouse=True)
def cheap_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(bundle_keys.KDF_LIMITS, "opslimit", 2**15)
    monkeypatch.setitem(bundle_keys.KDF_LIMITS, "memlimit", 2**24)


class KeyPresser:
    """Answers the modal dialogs that open, one after another, with real key presses: for each dialog, the
    text to type into its password fields (None: none) and the key to press."""

    def __init__(self, qtbot, answers: list[tuple[list[str] | None, Qt.Key]]) -> None:  # noqa: ANN001
        self.qtbot = qtbot
        self.answers = list(answers)
        self.seen: list[QWidget] = []
        self.timer = QTimer()
        self.timer.setInterval(30)
        self.timer.timeout.connect(self._tick)
        self.timer.start()

    def _tick(self) -> None:
        modal = QApplication.activeModalWidget()
        if modal is None or modal in self.seen or not modal.isVisible():
            return
        if not self.answers:
            self.timer.stop()
            return
        self.seen.append(modal)
        typed, key = self.answers.pop(0)
        fields = [f for f in modal.findChildren(QLineEdit) if f.echoMode() == QLineEdit.EchoMode.Password]
        for field, text in zip(fields, typed or [], strict=False):
            field.setFocus()
            type_text(field, text)
        target = fields[len(typed) - 1] if typed else (QApplication.focusWidget() or modal)
        self.qtbot.keyClick(target, key)

    def stop(self) -> None:
        self.timer.stop()


def test_enter_and_escape_choose_the_safe_answer(qtbot) -> None:  # noqa: ANN001
    presser = KeyPresser(qtbot, [(None, Qt.Key.Key_Return), (None, Qt.Key.Key_Enter), (None, Qt.Key.Key_Space),
                                 (None, Qt.Key.Key_Escape)])
    for _ in range(4):
        assert messages.confirm(None, "Khôi phục dữ liệu", "Khôi phục bản sao lưu?", yes="Khôi phục", no="Hủy") is False
    presser.stop()
    assert len(presser.seen) == 4


def test_enter_does_not_discard_the_activity_form(qtbot, context: AppContext) -> None:  # noqa: ANN001
    form = ActivityForm(context)
    qtbot.addWidget(form)
    form.show()
    type_text(form.title_edit, "Hòa giải tại ấp Long Hòa")
    presser = KeyPresser(qtbot, [(None, Qt.Key.Key_Return)])
    qtbot.keyClick(form.title_edit, Qt.Key.Key_Escape)  # asks "Bỏ thay đổi?"
    qtbot.waitUntil(lambda: len(presser.seen) == 1, timeout=3000)
    presser.stop()
    assert form.isVisible() and form.title_edit.text() == "Hòa giải tại ấp Long Hòa"
    form.title_edit.clear()  # nothing left to lose: closing at teardown asks nothing


def _unit_page(qtbot, context: AppContext) -> BundlesPage:  # noqa: ANN001
    page = BundlesPage(context)
    qtbot.addWidget(page)
    page.prompts = Prompts(page)
    page.open_files = False
    page.show()
    context.workspace.bundles().create_key(PASSPHRASE, PASSPHRASE)
    page.refresh()
    return page


def test_enter_neither_replaces_nor_rotates_the_key(qtbot, context: AppContext) -> None:  # noqa: ANN001
    page = _unit_page(qtbot, context)
    keys = page.unit_section.keys
    before = keys.key().key_id
    # "Quên cụm mật khẩu…": Enter on the question keeps the key.
    presser = KeyPresser(qtbot, [(None, Qt.Key.Key_Return)])
    qtbot.mouseClick(keys.forgot_button, Qt.MouseButton.LeftButton)
    presser.stop()
    # Said yes by a click, then Enter after typing the new passphrase twice: still nothing replaced.
    presser = KeyPresser(qtbot, [(["mật khẩu mới 2025", "mật khẩu mới 2025"], Qt.Key.Key_Return)])
    original = messages.confirm
    try:
        messages.confirm = lambda *_a, **_k: True  # type: ignore[assignment]
        keys.forgot()
    finally:
        messages.confirm = original  # type: ignore[assignment]
    presser.stop()
    # "Thay khóa…": Enter in the rotation dialog does not replace the key either.
    presser = KeyPresser(qtbot, [([PASSPHRASE, "mật khẩu mới 2025", "mật khẩu mới 2025"], Qt.Key.Key_Return)])
    qtbot.mouseClick(keys.rotate_button, Qt.MouseButton.LeftButton)
    presser.stop()
    assert keys.key().key_id == before


def test_enter_in_an_unlock_dialog_still_signs(qtbot) -> None:  # noqa: ANN001
    dialog = PassphraseDialog("unlock")
    qtbot.addWidget(dialog)
    dialog.show()
    type_text(dialog.fields[0], PASSPHRASE)
    qtbot.keyClick(dialog.fields[0], Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted  # not destructive: Enter means OK


def test_a_wrong_passphrase_is_asked_again(qtbot, context: AppContext, tmp_path: Path,  # noqa: ANN001
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    page = _unit_page(qtbot, context)
    section = page.unit_section
    monkeypatch.setattr(page.prompts, "save_path", lambda _t, default, _f: tmp_path / default.name)
    errors: list[BaseException] = []
    monkeypatch.setattr(page.prompts, "error", errors.append)
    monkeypatch.setattr(page.prompts, "inform", lambda _text: None)
    presser = KeyPresser(qtbot, [(["sai một"], Qt.Key.Key_Return), ([PASSPHRASE], Qt.Key.Key_Return)])
    section.export()
    presser.stop()
    assert not errors
    assert section.last_report is not None and section.last_report.path.is_file()
    second = presser.seen[1]
    assert isinstance(second, PassphraseDialog) and second.problem.isVisibleTo(second)
    assert "Cụm mật khẩu không đúng. Hãy nhập lại (còn 2 lần thử)" in second.problem.text()

    presser = KeyPresser(qtbot, [(["sai một"], Qt.Key.Key_Return), (["sai hai"], Qt.Key.Key_Return),
                                 (["sai ba"], Qt.Key.Key_Return)])
    section.export()
    presser.stop()
    assert len(presser.seen) == 3 and "còn 1 lần thử" in presser.seen[2].problem.text()
    assert isinstance(errors[-1], bundle_keys.WrongPassphraseError)
    assert section.history.rowCount() == 1
