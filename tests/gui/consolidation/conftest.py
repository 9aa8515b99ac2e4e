"""Fixtures for the Tổng hợp page: the hand-checked sample data, a shown page, and scripted confirmations."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.core.consolidation.sample import Sample, populate
from thidua_desktop.core.bundles import keys
from thidua_desktop.core.workspace import Workspace
from thidua_desktop.gui.context import AppContext
from thidua_desktop.gui.fonts import register_fonts
from thidua_desktop.gui.pages.consolidation import ConsolidationPage
from thidua_desktop.gui.tasks import TaskRunner


class Answers(list):
    """The questions asked (as "title: text"); `reply` is the answer given to the next ones."""

    reply = True


@pytest.fixture
def sample(workspace: Workspace) -> Sample:
    return populate(workspace)


@pytest.fixture
def page(qtbot, workspace: Workspace, sample: Sample) -> Iterator[ConsolidationPage]:  # noqa: ANN001
    register_fonts()
    context = AppContext(workspace, TaskRunner(synchronous=True))
    widget = ConsolidationPage(context)
    qtbot.addWidget(widget)
    widget.resize(1400, 800)
    widget.show()
    yield widget


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> Answers:
    """Answer confirmations of the review tab with `answers.reply` (yes by default), recording each question."""
    asked = Answers()

    def reply(_parent, title, text, **_kwargs) -> bool:  # noqa: ANN001
        asked.append(f"{title}: {text}")
        return asked.reply

    monkeypatch.setattr("thidua_desktop.gui.consolidation.review_tab.confirm", reply)
    return asked


@pytest.fixture(autouse=True)
def cheap_key_derivation(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(keys.KDF_LIMITS, "opslimit", 2**15)
    monkeypatch.setitem(keys.KDF_LIMITS, "memlimit", 2**24)


def select_text(combo, text: str) -> None:  # noqa: ANN001
    index = combo.findText(text)
    assert index >= 0, text
    combo.setCurrentIndex(index)


OFFICIAL = "Trần Thị Thẩm Định"


@pytest.fixture(autouse=True)
def official_named(request: pytest.FixtureRequest) -> None:
    """The department's official is named in Settings (reviews are signed with it; unset, the GUI asks)."""
    if "workspace" in request.fixturenames:
        request.getfixturevalue("workspace").set_settings(official_name=OFFICIAL)
