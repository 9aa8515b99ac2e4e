"""Tiến độ đơn vị and Cài đặt: what they show comes from the services, and changes are announced."""

from __future__ import annotations

from datetime import date

from thidua_desktop.core.activities import ActivityDraft
from thidua_desktop.core.units import UnitChange
from thidua_desktop.gui.context import AppContext
from thidua_desktop.gui.pages.overview import OverviewPage
from thidua_desktop.gui.pages.settings import SettingsPage
from thidua_desktop.gui.unit_dialog import UnitDialog


def _mediation(context: AppContext, day: date, received: int, settled: int) -> None:
    campaign = context.workspace.campaign()
    ind = campaign.indicators_by_code
    draft = ActivityDraft(criterion_id=campaign.criteria_by_code["2.2"].id, activity_date=day, title="Hòa giải",
                          values={ind["2.2.e"].id: received, ind["2.2.f"].id: settled})
    context.announce(context.workspace.activities().create("PTP-CM", draft))


def test_overview_shows_years_then_the_whole_campaign(qtbot, context: AppContext) -> None:  # noqa: ANN001
    page = OverviewPage(context)
    qtbot.addWidget(page)
    assert page.unit.currentText() == "Phòng Tư pháp huyện Chợ Mới" and not page.unit.isEnabled()
    assert page.model.column_titles[:4] == ["Năm 2023", "Năm 2024", "Năm 2025", "Cả giai đoạn"]
    assert page.summary.text() == "Cả giai đoạn: đạt 0/6 mục tiêu; chưa có số liệu: 6 chỉ tiêu."
    _mediation(context, date(2024, 5, 1), 4, 3)  # announced: the page refreshes itself
    assert page.model.missed_codes() == ["2.2.g"]
    assert page.summary.text().startswith("Cả giai đoạn: đạt 0/6 mục tiêu; chưa đạt: Tỷ lệ hòa giải thành")
    _mediation(context, date(2025, 5, 1), 1, 1)
    assert page.heading.text() == "Tiến độ thực hiện: Phòng Tư pháp huyện Chợ Mới"


def test_settings_lists_units_and_saves_an_edit_through_the_dialog(
    qtbot, context: AppContext, monkeypatch  # noqa: ANN001
) -> None:
    page = SettingsPage(context)
    qtbot.addWidget(page)
    codes = [page.units_model.record(row).code for row in range(page.units_model.rowCount())]
    assert codes == [u.code for u in context.workspace.units().list()] and len(codes) == 20
    assert page.unit_label.text() == "Phòng Tư pháp huyện Chợ Mới"

    row = codes.index("PTP-CM")
    dialog = UnitDialog(context.workspace.units(), page.units_model.record(row), page)
    qtbot.addWidget(dialog)
    assert dialog.code.isReadOnly() and dialog.valid_to.value() == date(2025, 6, 30)
    dialog.short_name.setText("PTP Chợ Mới (cũ)")
    dialog.accept()
    assert dialog.change == UnitChange("PTP-CM", False, ("short_name",))
    assert context.workspace.units().get("PTP-CM").short_name == "PTP Chợ Mới (cũ)"

    adding = UnitDialog(context.workspace.units(), None, page)
    qtbot.addWidget(adding)
    adding.code.setText("PTP-CM")  # a taken code: refused, the dialog stays open with the input
    adding.name.setText("Trùng mã")
    shown: list[object] = []
    monkeypatch.setattr("thidua_desktop.gui.unit_dialog.show_error", lambda _parent, error, *_a: shown.append(error))
    adding.accept()
    assert adding.change is None and "Đã có đơn vị mã “PTP-CM”" in str(shown[0])
    assert context.workspace.units().get("PTP-CM").name == "Phòng Tư pháp huyện Chợ Mới"


def test_settings_offers_only_restorable_backups(qtbot, context: AppContext) -> None:  # noqa: ANN001
    workspace = context.workspace
    taken = workspace.backup_now("thu-cong")
    (workspace.layout.backups_dir / "thidua-20991231-000000-000000-hong.sqlite").write_bytes(b"hong")
    page = SettingsPage(context)
    qtbot.addWidget(page)
    assert page.backups_model.rowCount() == 1 and page.backups_model.record(0).path == taken
    assert page.backups_model.data(page.backups_model.index(0, 1)) == "Thủ công"
    page.backup_now()
    assert page.backups_model.rowCount() == 2
