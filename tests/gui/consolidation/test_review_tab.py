"""The Thẩm định tab: approving branches on the typed `OpenQueriesError`, every review change is written by a
task-runner job (never on the GUI thread), and Cancel before applying held changes leaves them pending."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from tests.core.bundles.conftest import enrol, make_unit
from tests.core.consolidation.sample import Sample
from tests.gui.consolidation.conftest import Answers, select_text
from thidua_desktop.core.bundles.importer import import_bundle
from thidua_desktop.core.query import Period
from thidua_desktop.core.workspace import Role, Workspace
from thidua_desktop.gui.context import AppContext
from thidua_desktop.gui.fonts import register_fonts
from thidua_desktop.gui.pages.consolidation import ConsolidationPage
from thidua_desktop.gui.tasks import TaskRunner

Y2024 = Period.year(2024)


class ScriptedRunner(TaskRunner):
    """Runs jobs inline, like the tests' runner, but can hold them back (`defer`) or press Cancel (`cancel`)."""

    def __init__(self) -> None:
        super().__init__(synchronous=True)
        self.titles: list[str] = []
        self.held: list[Callable[[], None]] = []
        self.defer = False
        self.cancel = False

    def run(self, job: Any, *, title: str, **kwargs: Any) -> None:  # noqa: ANN401 - the runner's own signature
        self.titles.append(title)
        if self.cancel:
            original = job
            job = lambda progress, _cancel: original(progress, lambda: True)  # noqa: E731
        if self.defer:
            self.held.append(lambda: TaskRunner.run(self, job, title=title, **kwargs))
            return
        super().run(job, title=title, **kwargs)

    def release(self) -> None:
        held, self.held = self.held, []
        for job in held:
            job()


def _page(qtbot, workspace: Workspace, runner: TaskRunner) -> ConsolidationPage:  # noqa: ANN001
    register_fonts()
    page = ConsolidationPage(AppContext(workspace, runner))
    qtbot.addWidget(page)
    page.show()
    select_text(page.period, "Năm 2024")
    page.tabs.setCurrentWidget(page.review_tab)
    return page


def test_approving_with_open_queries_asks_then_approves(page: ConsolidationPage, workspace: Workspace,
                                                         sample: Sample, answers: Answers) -> None:
    workspace.review().query(sample.activity_id(workspace, "a2"), "Thiếu biên bản")
    select_text(page.period, "Năm 2024")
    page.tabs.setCurrentWidget(page.review_tab)
    tab = page.review_tab
    cm = workspace.review().unit_id("PTP-CM")
    tab.select_unit(cm)
    answers.reply = False
    tab.lock_selected(note="Biên bản số 3")
    assert len(answers) == 1 and "còn 1 hoạt động đang đề nghị giải trình" in answers[0]
    assert workspace.review().locks() == []
    answers.reply = True
    tab.select_unit(cm)
    assert tab.lock_selected(note="Biên bản số 3")
    assert len(answers) == 2
    [lock] = workspace.review().locks()
    assert lock.note == "Biên bản số 3"
    assert tab.units.item(tab.unit_ids.index(cm), 5).text().startswith("Đã duyệt Năm 2024")


def test_review_changes_are_written_by_runner_jobs(qtbot, workspace: Workspace, sample: Sample,  # noqa: ANN001
                                                    answers: Answers) -> None:
    runner = ScriptedRunner()
    page = _page(qtbot, workspace, runner)
    tab = page.review_tab
    cm = workspace.review().unit_id("PTP-CM")
    tab.select_unit(cm)
    runner.defer = True
    assert tab.lock_selected(note="")
    assert workspace.review().locks() == []  # nothing was written on the GUI thread
    runner.release()
    assert len(workspace.review().locks()) == 1

    runner.cancel, runner.defer = True, False
    tab.select_unit(cm)
    assert tab.unlock_selected(reason="Bổ sung")
    assert len(workspace.review().locks()) == 1  # Cancel before the job started: still approved
    runner.cancel = False
    tab.select_unit(cm)
    assert tab.unlock_selected(reason="Bổ sung")
    assert workspace.review().locks() == []
    assert runner.titles == ["Đang tổng hợp số liệu…", "Đang duyệt số liệu…", "Đang mở khóa…", "Đang mở khóa…"]


def test_cancel_before_applying_held_changes_leaves_them_pending(qtbot, workspace: Workspace, tmp_path: Path,  # noqa: ANN001
                                                                  answers: Answers) -> None:
    workspace.configure(Role.DEPARTMENT, None)
    office = make_unit(tmp_path / "ptp-cm")
    try:
        approved = office.add("Phổ biến pháp luật tại xã Kiến An", day=date(2024, 3, 5))
        enrol(workspace, office)
        import_bundle(workspace, office.export().path)
        runner = ScriptedRunner()
        page = _page(qtbot, workspace, runner)
        tab = page.review_tab
        cm = workspace.review().unit_id("PTP-CM")
        tab.select_unit(cm)
        assert tab.lock_selected(note="")
        office.edit(approved, title="Sửa sau khi Sở đã duyệt")
        page.context.announce(import_bundle(workspace, office.export().path).change_report)
        page.tabs.setCurrentWidget(page.review_tab)
        assert tab.pending.rowCount() == 1

        answers.reply = False  # unlock, but do not apply the freed change now
        tab.select_unit(cm)
        assert tab.unlock_selected(reason="Đơn vị bổ sung số liệu")
        assert any("1 thay đổi" in question for question in answers)
        page.tabs.setCurrentWidget(page.review_tab)
        assert tab.apply_button.isEnabled()

        runner.cancel = True
        tab.apply_unlocked()
        assert len(workspace.review().pending()) == 1
        assert workspace.activities().get(approved).draft.title == "Phổ biến pháp luật tại xã Kiến An"
        runner.cancel = False
        tab.apply_unlocked()
        assert workspace.review().pending() == []
        assert workspace.activities().get(approved).draft.title == "Sửa sau khi Sở đã duyệt"
        assert runner.titles.count("Đang áp dụng các thay đổi chờ xử lý…") == 2
        page.tabs.setCurrentWidget(page.review_tab)
        assert tab.pending.rowCount() == 0
    finally:
        office.workspace.close()
