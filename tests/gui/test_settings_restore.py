"""Cài đặt → Sao lưu và khôi phục: the list shows each backup's schema version and counts, the
confirmation names what the restore undoes, and a message says what was restored."""

from __future__ import annotations

from datetime import date

import pytest

from PySide6.QtCore import Qt

from thidua_desktop.core.activities import ActivityDraft
from thidua_desktop.core.migrations import LATEST_SCHEMA_VERSION
from thidua_desktop.gui.context import AppContext
from thidua_desktop.gui.pages import settings
from thidua_desktop.gui.pages.settings import SettingsPage


def _add(context: AppContext, title: str) -> str:
    campaign = context.workspace.campaign()
    draft = ActivityDraft(criterion_id=campaign.criteria_by_code["2.2"].id, activity_date=date(2024, 3, 5), title=title)
    return context.workspace.activities().create("PTP-CM", draft).created[0]


def test_restore_names_what_it_undoes_and_says_what_it_restored(
    qtbot, context: AppContext, monkeypatch: pytest.MonkeyPatch  # noqa: ANN001
) -> None:
    _add(context, "Trước khi sao lưu")
    context.workspace.backup_now("thu-cong")
    _add(context, "Hòa giải sau khi sao lưu")
    page = SettingsPage(context)
    qtbot.addWidget(page)
    headers = [page.backups_model.headerData(c, Qt.Orientation.Horizontal) for c in
               range(page.backups_model.columnCount())]
    assert "Lược đồ" in headers and "Số hoạt động" in headers and "Gói đã gửi" in headers
    row = [page.backups_model.data(page.backups_model.index(0, c)) for c in range(len(headers))]
    assert row[headers.index("Lược đồ")] == str(LATEST_SCHEMA_VERSION)
    assert row[headers.index("Số hoạt động")] == "1" and row[headers.index("Gói đã gửi")] == "chưa gửi"

    asked: list[str] = []
    told: list[str] = []
    monkeypatch.setattr(settings, "confirm", lambda _p, _t, text, **kw: asked.append(text + "\n" + kw["informative"]) or True)
    monkeypatch.setattr(settings.QMessageBox, "information", lambda _p, _t, text: told.append(text))
    page.backups_table.selectRow(0)
    page.restore_selected()

    assert "Sẽ mất 1 hoạt động" in asked[0] and "“Hòa giải sau khi sao lưu”" in asked[0]
    assert f"lược đồ {LATEST_SCHEMA_VERSION}" in asked[0]
    assert told and told[0].startswith("Đã khôi phục bản sao lưu") and "1 hoạt động" in told[0]
    titles = [r.title for r in context.workspace.activity_queries().rows(
        context.workspace.activity_queries().ids(context.workspace.activity_queries().filter())).values()]
    assert titles == ["Trước khi sao lưu"]
