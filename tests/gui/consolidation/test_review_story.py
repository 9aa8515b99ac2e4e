"""Story 11 (issue 12): review several activities at once, a lock warns about unreviewed items with their count,
unlock → apply held changes → offer to lock again, and reviews are signed with the official's name from Settings.
Driven with real clicks and keys (pytest-qt); prompts are answered by typing into the real dialogs."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select

from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QInputDialog, QPushButton

from tests.core.bundles.conftest import enrol, make_unit
from tests.core.consolidation.sample import Sample
from tests.gui.conftest import type_text
from tests.gui.consolidation.conftest import OFFICIAL, Answers, select_text
from thidua_desktop.core.bundles.importer import import_bundle
from thidua_desktop.core.consolidation.models import ActivityReview, ReviewStatus
from thidua_desktop.core.workspace import Role, Workspace
from thidua_desktop.gui.consolidation.drilldown_dialog import DrillDownDialog
from thidua_desktop.gui.context import AppContext
from thidua_desktop.gui.pages.consolidation import ConsolidationPage
from thidua_desktop.gui.tasks import TaskRunner

ENGLISH = {"OK", "&OK", "Cancel", "&Cancel"}


def _reviews(workspace: Workspace) -> dict[int, ActivityReview]:
    with workspace.sessions() as session:
        return {r.activity_id: r for r in session.scalars(select(ActivityReview))}


def _unit_dialog(qtbot, page: ConsolidationPage, workspace: Workspace) -> DrillDownDialog:  # noqa: ANN001
    select_text(page.period, "Năm 2024")
    page.tabs.setCurrentWidget(page.review_tab)
    cm = workspace.review().unit_id("PTP-CM")
    dialog = DrillDownDialog(page.context, page.filter, None, [cm], heading="Thẩm định — Chợ Mới", parent=page)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _click_row(dialog: DrillDownDialog, row: int, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    rect = dialog.list.visualRect(dialog.list.model().index(row, 2))
    QTest.mouseClick(dialog.list.viewport(), Qt.MouseButton.LeftButton, modifier, rect.center())


def answer_input(text: str, seen: list[list[str]]) -> None:
    """When the next text prompt opens: note its buttons, type `text` key by key and press its accept button."""

    def reply() -> None:
        dialog = next((w for w in QApplication.topLevelWidgets() if isinstance(w, QInputDialog) and w.isVisible()), None)
        if dialog is None:
            QTimer.singleShot(20, reply)
            return
        buttons = dialog.findChild(QDialogButtonBox).buttons()
        seen.append([b.text() for b in buttons])
        editor = dialog.focusWidget()
        type_text(editor, text)
        accept = next(b for b in buttons
                      if dialog.findChild(QDialogButtonBox).buttonRole(b) == QDialogButtonBox.ButtonRole.AcceptRole)
        QTest.mouseClick(accept, Qt.MouseButton.LeftButton)

    QTimer.singleShot(20, reply)


def test_accept_and_query_several_selected_activities(qtbot, page: ConsolidationPage, workspace: Workspace,  # noqa: ANN001
                                                      sample: Sample) -> None:
    dialog = _unit_dialog(qtbot, page, workspace)
    assert dialog.list.rowCount() == 4
    _click_row(dialog, 0)
    _click_row(dialog, 2, Qt.KeyboardModifier.ControlModifier)
    chosen = [dialog.result.rows[0].activity_id, dialog.result.rows[2].activity_id]
    QTest.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)
    reviews = _reviews(workspace)
    assert sorted(reviews) == sorted(chosen)
    assert {(r.status, r.reviewer) for r in reviews.values()} == {(ReviewStatus.ACCEPTED, OFFICIAL)}

    _click_row(dialog, 1)
    _click_row(dialog, 3, Qt.KeyboardModifier.ShiftModifier)
    queried = [dialog.result.rows[i].activity_id for i in (1, 2, 3)]
    seen: list[list[str]] = []
    answer_input("Bổ sung biên bản", seen)
    QTest.mouseClick(dialog.query_button, Qt.MouseButton.LeftButton)
    reviews = _reviews(workspace)
    assert all(reviews[i].status is ReviewStatus.QUERIED and reviews[i].comment == "Bổ sung biên bản" for i in queried)
    assert seen and not ENGLISH & set(seen[0]), seen  # "Đồng ý"/"Hủy", not Qt's OK/Cancel


def test_reviews_are_signed_with_the_officials_name_never_the_login(qtbot, page: ConsolidationPage,  # noqa: ANN001
                                                                    workspace: Workspace, sample: Sample) -> None:
    workspace.set_settings(official_name="")
    dialog = _unit_dialog(qtbot, page, workspace)
    _click_row(dialog, 0)
    seen: list[list[str]] = []
    answer_input("Lê Văn Duyệt", seen)  # asked once, the first time
    QTest.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)
    assert {r.reviewer for r in _reviews(workspace).values()} == {"Lê Văn Duyệt"}
    assert workspace.official_name == "Lê Văn Duyệt" and not ENGLISH & set(seen[0])
    _click_row(dialog, 1)
    QTest.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)  # not asked again
    assert len(seen) == 1 and {r.reviewer for r in _reviews(workspace).values()} == {"Lê Văn Duyệt"}


def test_the_official_name_is_a_setting(qtbot, context: AppContext) -> None:  # noqa: ANN001
    from thidua_desktop.gui.pages.settings import SettingsPage

    page = SettingsPage(context)
    qtbot.addWidget(page)
    page.show()
    page.official_name.clear()
    type_text(page.official_name, "Phạm Thị Hội Đồng")
    QTest.mouseClick(next(b for b in page.findChildren(QPushButton) if b.text() == "Lưu họ tên"), Qt.MouseButton.LeftButton)
    assert context.workspace.official_name == "Phạm Thị Hội Đồng"
    assert context.workspace.review().actor == "Phạm Thị Hội Đồng"


def test_locking_with_unreviewed_items_warns_with_the_count(page: ConsolidationPage, workspace: Workspace,
                                                             sample: Sample, answers: Answers) -> None:
    select_text(page.period, "Năm 2024")
    page.tabs.setCurrentWidget(page.review_tab)
    tab = page.review_tab
    cm = workspace.review().unit_id("PTP-CM")
    tab.select_unit(cm)
    answers.reply = False
    assert not tab.lock_selected(note="Biên bản số 4")
    assert len(answers) == 1 and "Còn 4 hoạt động" in answers[0] and "chưa được thẩm định" in answers[0]
    assert workspace.review().lock_covering(cm, page.filter.period) is None
    answers.reply = True
    assert tab.lock_selected(note="Biên bản số 4")
    lock = workspace.review().lock_covering(cm, page.filter.period)
    assert lock is not None and lock.locked_by == OFFICIAL


def test_after_unlock_and_applying_held_changes_offers_to_lock_again(qtbot, workspace: Workspace, tmp_path: Path,  # noqa: ANN001
                                                                      answers: Answers) -> None:
    workspace.configure(Role.DEPARTMENT, None)
    office = make_unit(tmp_path / "ptp-cm")
    try:
        approved = office.add("Phổ biến pháp luật tại xã Kiến An", day=date(2024, 3, 5))
        enrol(workspace, office)
        import_bundle(workspace, office.export().path)
        page = ConsolidationPage(AppContext(workspace, TaskRunner(synchronous=True)))
        qtbot.addWidget(page)
        page.show()
        select_text(page.period, "Năm 2024")
        page.tabs.setCurrentWidget(page.review_tab)
        tab = page.review_tab
        cm = workspace.review().unit_id("PTP-CM")
        tab.select_unit(cm)
        assert tab.lock_selected(note="Biên bản số 5")
        office.edit(approved, title="Sửa sau khi Sở đã duyệt")
        page.context.announce(import_bundle(workspace, office.export().path).change_report)
        answers.clear()
        tab.select_unit(cm)
        assert tab.unlock_selected(reason="Đơn vị bổ sung số liệu")
        assert workspace.review().pending() == []  # applied
        assert any(q.startswith("Duyệt lại số liệu") for q in answers), answers
        lock = workspace.review().lock_covering(cm, page.filter.period)
        assert lock is not None and lock.note == "Biên bản số 5" and lock.locked_by == OFFICIAL
    finally:
        office.workspace.close()
