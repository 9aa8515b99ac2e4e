"""Evidence in the form: content checked, big photos kept downscaled, no orphan left in the store (issue 12)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PIL import Image

from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent

from tests.gui.test_activities_page import _fill, _page, _write_pdf
from thidua_desktop.gui.context import AppContext

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"This program cannot be run in DOS mode."


@pytest.fixture
def shown_errors(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    errors: list[str] = []
    monkeypatch.setattr("thidua_desktop.gui.evidence_panel.show_error",
                        lambda _parent, error, _details="": errors.append(str(error)))
    return errors


def _drop(form, *paths: Path) -> None:  # noqa: ANN001
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    form.dropEvent(QDropEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                              Qt.KeyboardModifier.NoModifier))


def _store(context: AppContext) -> set[str]:
    return {sha for sha, _path in context.workspace.evidence_store().shas()}


def test_a_program_renamed_as_a_photo_is_refused_by_the_form(qtbot, context: AppContext, tmp_path: Path,  # noqa: ANN001
                                                             shown_errors: list[str]) -> None:
    fake = tmp_path / "anh-trao-qua.jpg"
    fake.write_bytes(EXE + os.urandom(5000))
    page = _page(qtbot, context)
    form = page.add_activity()
    _drop(form, fake)
    assert form.evidence_list.count() == 0
    assert len(shown_errors) == 1 and "chương trình Windows" in shown_errors[0] and "không phải ảnh" in shown_errors[0]
    assert _store(context) == set()


def test_a_big_photo_is_accepted_and_the_hint_is_truthful(qtbot, context: AppContext, tmp_path: Path,  # noqa: ANN001
                                                          shown_errors: list[str]) -> None:
    context.workspace.set_settings(evidence_max_mb=1)
    photo = tmp_path / "IMG_0042.bmp"
    Image.linear_gradient("L").resize((3000, 2000)).convert("RGB").save(photo, "BMP")  # 18 MB
    page = _page(qtbot, context)
    form = page.add_activity()
    hint = form.evidence.findChildren(type(form.status_label))[0].text()
    assert "Tệp gốc được giữ nguyên" not in hint and "chỉ lưu bản thu nhỏ" in hint and "1 MB" in hint
    _drop(form, photo)
    assert shown_errors == [] and form.evidence_list.count() == 1
    assert form.evidence.attachments()[0].file_name == "IMG_0042.jpg"


def test_files_removed_from_the_form_leave_no_orphan(qtbot, context: AppContext, tmp_path: Path,  # noqa: ANN001
                                                     no_confirm: list[str]) -> None:
    kept, removed, shared = tmp_path / "bien-ban.pdf", tmp_path / "nham-tep.pdf", tmp_path / "dung-chung.pdf"
    for index, path in enumerate((kept, removed, shared)):
        _write_pdf(path)
        path.write_bytes(path.read_bytes() + b"%" + str(index).encode())
    page = _page(qtbot, context)
    other = page.add_activity()  # another form, still open, shows the shared file
    _drop(other, shared)
    form = page.add_activity()
    _fill(qtbot, form, title="Tặng tủ sách pháp luật", values={"3.e": "1"}, criterion="3")
    _drop(form, kept, removed, shared)
    assert form.evidence_list.count() == 3 and len(_store(context)) == 3
    for name in ("nham-tep.pdf", "dung-chung.pdf"):
        row = next(r for r in range(form.evidence_list.count()) if form.evidence.attachments()[r].file_name == name)
        form.evidence_list.setCurrentRow(row)
        qtbot.mouseClick(form.evidence.detach_button, Qt.MouseButton.LeftButton)
    assert form.save(and_new=False)
    saved = context.workspace.activities().get(page.model.uuid_at(0)).draft.attachments
    assert [a.file_name for a in saved] == ["bien-ban.pdf"]
    left = _store(context)
    assert saved[0].sha256 in left and len(left) == 2  # the wrong file is gone, the shared one is still shown
    other.reject()  # closed without saving (the form asked first): its copy is no longer needed by anyone
    assert no_confirm and no_confirm[-1].startswith("Bỏ thay đổi?")
    assert _store(context) == {saved[0].sha256}
