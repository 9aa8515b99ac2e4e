"""A small, hand-checkable data set for the consolidation tests (core, GUI and CLI share it).

Figures for "Năm 2024", worked out by hand from the activities below:

| unit    | activities | 1.a | 1.b | 2.1.a | 2.1.b | 2.1.c  | 2.2.d | 2.2.e | 2.2.f | 2.2.g | 3.a        | 3.d |
|---------|-----------:|----:|----:|------:|------:|-------:|------:|------:|------:|------:|-----------:|----:|
| PTP-CM  | 4          | 2   | 120 |       |       |        | 9 (latest of 7, 9) | 4 | 3 | 75 % (miss) |   |     |
| PTP-LX  | 2 (b3 is deleted, b4 is 2023) | | |  |       |        | 5     | 6     | 6     | 100 % | 10.000.000 | 20  |
| STP-VP  | 1          |     |     | 3     | 2     | 66,7 % (miss) |  |      |       |       |            |     |
| Toàn tỉnh | 7        | 2   | 120 | 3     | 2     | 66,7 % (miss) | 14 | 10    | 9     | 90 % (miss) | 10.000.000 | 20 |

Over the whole campaign PTP-CM adds a5 (2023: 1.a = 1, 1.b = 50) and PTP-LX adds b4 (2023: 2.3.d = 100,
2.3.e = 90 → 2.3.f = 90 % (miss); 2.3.g = 1, a missed "≤ 0" target).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from thidua_desktop.core.activities import ActivityDraft
from thidua_desktop.core.workspace import Role, Workspace


@dataclass(frozen=True)
class Sample:
    uuids: dict[str, str]  # label (a1, b2, …) → activity uuid

    def activity_id(self, workspace: Workspace, label: str) -> int:
        from sqlalchemy import select

        from thidua_desktop.core.models import Activity

        with workspace.sessions() as session:
            return session.scalar(select(Activity.id).where(Activity.uuid == self.uuids[label]))


ACTIVITIES = [
    # label, unit, criterion, date, title, flags (poor, remote, ethnic), values
    ("a1", "PTP-CM", "1", date(2024, 2, 10), "Tuyên truyền giảm nghèo tại xã Kiến An", (True, False, False), {"1.a": 2, "1.b": 120}),
    ("a2", "PTP-CM", "2.2", date(2024, 5, 20), "Hòa giải ở cơ sở tại ấp vùng sâu", (False, True, False), {"2.2.e": 4, "2.2.f": 3}),
    ("a3", "PTP-CM", "2.2", date(2024, 8, 1), "Đánh giá chuẩn tiếp cận pháp luật đợt 1", (False, False, False), {"2.2.d": 7}),
    ("a4", "PTP-CM", "2.2", date(2024, 11, 15), "Đánh giá chuẩn tiếp cận pháp luật đợt 2", (False, False, False), {"2.2.d": 9}),
    ("a5", "PTP-CM", "1", date(2023, 6, 1), "Hội nghị quán triệt Chỉ thị 05-CT/TW", (False, False, False), {"1.a": 1, "1.b": 50}),
    ("b1", "PTP-LX", "2.2", date(2024, 3, 3), "Hòa giải và đánh giá chuẩn tiếp cận", (False, True, True), {"2.2.e": 6, "2.2.f": 6, "2.2.d": 5}),
    ("b2", "PTP-LX", "3", date(2024, 7, 7), "Trao quà cho hộ nghèo", (True, False, False), {"3.a": 10_000_000, "3.d": 20}),
    ("b3", "PTP-LX", "1", date(2024, 9, 9), "Tuyên truyền (đã xóa)", (False, False, False), {"1.a": 3, "1.b": 200}),
    ("b4", "PTP-LX", "2.3", date(2023, 12, 31), "Giải quyết hồ sơ hộ tịch", (False, False, False), {"2.3.d": 100, "2.3.e": 90, "2.3.g": 1}),
    ("c1", "STP-VP", "2.1", date(2024, 4, 4), "Thẩm định dự thảo chính sách hỗ trợ hộ nghèo", (False, False, False), {"2.1.a": 3, "2.1.b": 2}),
]
DELETED = {"b3"}


def department(workspace: Workspace) -> Workspace:
    workspace.configure(Role.DEPARTMENT, None)
    return workspace


def add_activity(
    workspace: Workspace, unit: str, criterion: str, day: date, title: str,
    flags: tuple[bool, bool, bool] = (False, False, False), values: dict[str, int] | None = None,
) -> str:
    campaign = workspace.campaign()
    draft = ActivityDraft(
        criterion_id=campaign.criteria_by_code[criterion].id,
        activity_date=day,
        title=title,
        commune="xã Kiến An",
        is_poor_commune=flags[0],
        is_remote_area=flags[1],
        is_ethnic_area=flags[2],
        values={campaign.indicators_by_code[k].id: v for k, v in (values or {}).items()},
    )
    return workspace.activities().create(unit, draft).created[0]


def populate(workspace: Workspace) -> Sample:
    department(workspace)
    uuids = {label: add_activity(workspace, unit, crit, day, title, flags, values)
             for label, unit, crit, day, title, flags, values in ACTIVITIES}
    workspace.activities().delete([uuids[label] for label in DELETED])
    return Sample(uuids)


def fake_import(
    workspace: Workspace, unit_code: str, seq: int, created: datetime, *, imported: datetime | None = None,
    key_id: str = "0123456789ABCDEF", activities: list[str] = (), **counts: int,
) -> int:
    """A bundle-import row as the importer records it (for tests that need provenance, not a real bundle)."""
    from sqlalchemy import select, update

    from thidua_desktop.core.bundles.models import BundleImport
    from thidua_desktop.core.models import Activity, Unit

    campaign = workspace.campaign()
    with workspace.transaction() as session:
        unit_id = session.scalar(select(Unit.id).where(Unit.code == unit_code))
        row = BundleImport(
            bundle_uuid=str(uuid.uuid4()), unit_id=unit_id, campaign_id=campaign.id, seq=seq, mode="full",
            manifest_sha256=f"{seq:064x}", signer_key_id=key_id, created_at=created,
            imported_at=imported or created + timedelta(days=1), file_name=f"{unit_code}-{seq}.thidua",
            file_size=1000, archive_path=f"bundles/{unit_code}-{seq}.thidua", **counts,
        )
        session.add(row)
        session.flush()
        if activities:
            session.execute(update(Activity).where(Activity.uuid.in_(list(activities))).values(source_bundle_id=row.id))
        return row.id
