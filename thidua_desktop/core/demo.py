"""Demo data: realistic Vietnamese sample activities for every unit and year, or a large synthetic set.

`thidua demo` writes into a separate demo folder, so a newcomer sees a living app without touching
real data; `--scale N` makes N activities for benchmarks.
"""

from __future__ import annotations

import io
import random
import tempfile
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from thidua_desktop.core.activities import activity_search_text, summarise_figures
from thidua_desktop.core.catalogue import CampaignInfo
from thidua_desktop.core.evidence import EvidenceStore
from thidua_desktop.core.models import (
    Activity,
    ActivityEvidence,
    AuditEntry,
    Evidence,
    IndicatorValue,
    UnitKind,
    utc_now,
)
from thidua_desktop.core.progress import CancelFn, ProgressFn, check_cancel, never_cancelled
from thidua_desktop.core.text import sort_key
from thidua_desktop.core.units import UnitInfo
from thidua_desktop.core.workspace import Role, Workspace

COMMUNES: dict[str, list[str]] = {
    "PTP-LX": ["phường Mỹ Bình", "phường Mỹ Long", "phường Bình Đức", "xã Mỹ Hòa Hưng", "xã Mỹ Khánh"],
    "PTP-CD": ["phường Châu Phú A", "phường Vĩnh Mỹ", "phường Núi Sam", "xã Vĩnh Tế", "xã Vĩnh Châu"],
    "PTP-TC": ["phường Long Thạnh", "phường Long Sơn", "xã Phú Lộc", "xã Vĩnh Xương", "xã Tân An"],
    "PTP-TB": ["phường Nhà Bàng", "phường Chi Lăng", "xã An Cư", "xã Văn Giáo", "xã Tân Lợi", "xã An Hảo"],
    "PTP-AP": ["thị trấn An Phú", "thị trấn Long Bình", "xã Quốc Thái", "xã Phú Hữu", "xã Khánh Bình", "xã Nhơn Hội"],
    "PTP-CP": ["thị trấn Cái Dầu", "xã Bình Long", "xã Khánh Hòa", "xã Mỹ Đức", "xã Ô Long Vĩ"],
    "PTP-CT": ["thị trấn An Châu", "xã Vĩnh Bình", "xã Bình Hòa", "xã Cần Đăng", "xã Vĩnh Lợi"],
    "PTP-CM": ["thị trấn Chợ Mới", "xã Kiến An", "xã Long Điền A", "xã Hòa Bình", "xã Tấn Mỹ", "xã Mỹ Hiệp"],
    "PTP-PT": ["thị trấn Phú Mỹ", "thị trấn Chợ Vàm", "xã Phú Thạnh", "xã Hiệp Xương", "xã Phú Lâm"],
    "PTP-TS": ["thị trấn Núi Sập", "thị trấn Óc Eo", "xã Vọng Thê", "xã Tây Phú", "xã Định Mỹ"],
    "PTP-TT": ["thị trấn Tri Tôn", "thị trấn Ba Chúc", "xã Lê Trì", "xã Châu Lăng", "xã An Tức", "xã Ô Lâm"],
}
# Communes treated as poor / remote border / ethnic-minority (Khmer) areas in the sample data.
POOR = {"xã Ô Lâm", "xã An Tức", "xã Lê Trì", "xã Châu Lăng", "xã An Cư", "xã Văn Giáo", "xã Tân Lợi", "xã Ô Long Vĩ", "xã Phú Hữu"}
REMOTE = {"xã Vĩnh Xương", "xã Khánh Bình", "xã Nhơn Hội", "xã Phú Hữu", "xã An Cư", "xã Lê Trì", "xã Vĩnh Tế", "xã Ô Lâm"}
ETHNIC = {"xã Châu Lăng", "xã Lê Trì", "xã An Tức", "xã Ô Lâm", "xã Văn Giáo", "xã An Cư", "thị trấn Tri Tôn", "thị trấn Ba Chúc"}

OFFICERS = [
    "Nguyễn Thị Thu Hà", "Trần Văn Hùng", "Lê Thị Ngọc Diễm", "Phạm Minh Đức", "Huỳnh Thị Kim Loan",
    "Võ Thanh Tâm", "Đặng Thị Mỹ Linh", "Bùi Quốc Khánh", "Chau Sóc Khanh", "Néang Sà Phi",
    "Lâm Văn Đạt", "Dương Thị Bích Trâm", "Đỗ Hoàng Phúc", "Ngô Thị Tuyết Mai", "Trương Công Danh",
]


@dataclass(frozen=True)
class Template:
    criterion: str
    title: str  # {xa} → commune, {thang} → month
    values: dict[str, tuple[int, int]]
    parts: dict[str, str] | None = None  # part indicator → whole indicator: mostly equal, sometimes less


TEMPLATES = [
    Template("1", "Tuyên truyền chính sách giảm nghèo bền vững tại {xa}", {"1.a": (1, 3), "1.b": (40, 180), "1.c": (50, 400)}),
    Template("1", "Hội nghị quán triệt Chỉ thị số 05-CT/TW về giảm nghèo bền vững", {"1.a": (1, 1), "1.b": (30, 120)}),
    Template("1", "Phát tờ rơi về Chương trình mục tiêu quốc gia giảm nghèo tại {xa}", {"1.c": (200, 1500)}),
    Template("2.1", "Thẩm định dự thảo văn bản hỗ trợ hộ nghèo, hộ cận nghèo", {"2.1.a": (1, 4)}, {"2.1.b": "2.1.a"}),
    Template("2.1", "Góp ý dự thảo Đề án hỗ trợ nhà ở cho hộ nghèo", {"2.1.a": (1, 2)}, {"2.1.b": "2.1.a"}),
    Template("2.1", "Cung cấp ý kiến pháp lý về chính sách bảo trợ xã hội", {"2.1.d": (1, 6)}, {"2.1.e": "2.1.d"}),
    Template("2.2", "Phổ biến, giáo dục pháp luật cho người nghèo tại {xa}", {"2.2.b": (1, 3), "2.2.c": (30, 150)}),
    Template("2.2", "Xây dựng mô hình “Tủ sách pháp luật cho hộ nghèo” tại {xa}", {"2.2.a": (1, 1), "2.2.b": (1, 2), "2.2.c": (20, 60)}),
    Template("2.2", "Hòa giải ở cơ sở tại ấp vùng sâu {xa}", {"2.2.e": (1, 8)}, {"2.2.f": "2.2.e"}),
    Template("2.2", "Tập huấn kỹ năng hòa giải ở cơ sở cho hòa giải viên", {"2.2.h": (1, 2)}),
    Template("2.2", "Đánh giá xã, phường, thị trấn đạt chuẩn tiếp cận pháp luật năm {nam}", {"2.2.d": (3, 12)}),
    Template("2.3", "Tuyên truyền pháp luật hộ tịch tại vùng đồng bào dân tộc {xa}", {"2.3.a": (1, 3)}),
    Template("2.3", "Bồi dưỡng nghiệp vụ cho công chức Tư pháp – Hộ tịch", {"2.3.b": (1, 1), "2.3.c": (15, 60)}),
    Template("2.3", "Giải quyết hồ sơ đăng ký hộ tịch, chứng thực tháng {thang}", {"2.3.d": (80, 900)}, {"2.3.e": "2.3.d"}),
    Template("2.3", "Tự kiểm tra đăng ký hộ tịch, chứng thực năm {nam}: không có phản ánh sách nhiễu, phiền hà",
             {"2.3.d": (60, 400), "2.3.g": (0, 0)}, {"2.3.e": "2.3.d"}),
    Template("2.3", "Tập huấn Thỏa thuận toàn cầu về Di cư hợp pháp, an toàn và trật tự", {"2.3.h": (1, 1), "2.3.c": (20, 50)}),
    Template("2.4", "Trợ giúp pháp lý lưu động tại {xa}", {"2.4.e": (1, 1), "2.4.f": (15, 90), "2.4.d": (1, 6)}),
    Template("2.4", "Thực hiện vụ việc trợ giúp pháp lý cho người nghèo", {"2.4.d": (1, 4), "2.4.f": (1, 4)}),
    Template("2.4", "Ban hành văn bản hướng dẫn trợ giúp pháp lý trong Chương trình giảm nghèo", {"2.4.a": (1, 1)}, {"2.4.b": "2.4.a"}),
    Template("3", "Trao quà Tết cho hộ nghèo tại {xa}", {"3.d": (20, 120), "3.a": (5_000_000, 40_000_000)}),
    Template("3", "Đóng góp xây dựng nhà Đại đoàn kết tại {xa}", {"3.c": (1, 2), "3.a": (30_000_000, 60_000_000)}),
    Template("3", "Trao học bổng cho học sinh nghèo vượt khó", {"3.d": (5, 30), "3.a": (2_000_000, 15_000_000)}),
    Template("3", "Tặng tủ sách pháp luật cho ấp thuộc {xa}", {"3.e": (1, 2), "3.b": (3_000_000, 8_000_000)}),
    Template("3", "Thăm hỏi, phụng dưỡng Mẹ Việt Nam anh hùng và người già cô đơn", {"3.f": (1, 4), "3.b": (1_000_000, 5_000_000)}),
    Template("3", "Ngày công làm đường giao thông nông thôn tại {xa}", {"3.g": (10, 60)}),
    Template("3", "Hỗ trợ công chức ngành Tư pháp có hoàn cảnh khó khăn", {"3.h": (1, 3), "3.a": (2_000_000, 10_000_000)}),
]
MONEY_STEP = 500_000


@dataclass(frozen=True)
class DemoReport:
    activities: int
    values: int
    evidence_files: int
    units: int
    bundles: int = 0


def _round_money(value: int, indicator_code: str, campaign: CampaignInfo) -> int:
    return value - value % MONEY_STEP if campaign.indicators_by_code[indicator_code].is_money else value


@cache
def _sample_photos(count: int = 12) -> tuple[bytes, ...]:
    """Small generated 'photos' (gradients with a caption band), drawn once per process."""
    from PIL import Image, ImageDraw

    rng = random.Random(7)
    photos = []
    for index in range(count):
        base = (rng.randrange(60, 200), rng.randrange(60, 200), rng.randrange(60, 200))
        image = Image.new("RGB", (640, 480), base)
        draw = ImageDraw.Draw(image)
        for y in range(0, 480, 8):
            shade = tuple(min(255, c + y // 6) for c in base)
            draw.rectangle([0, y, 640, y + 8], fill=shade)
        draw.rectangle([0, 400, 640, 480], fill=(30, 30, 30))
        draw.text((20, 430), f"Anh minh chung mau so {index + 1}", fill=(255, 255, 255))
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=80)
        photos.append(buffer.getvalue())
    return tuple(photos)


def _sample_images(store: EvidenceStore) -> list[tuple[int, str, int]]:
    """The sample photos stored like real evidence: (size, sha256, index)."""
    made = []
    for index, data in enumerate(_sample_photos()):
        sha, size, _existed = store.add_stream(io.BytesIO(data), len(data))
        made.append((size, sha, index))
    return made


# Sample units whose data reaches the department: all but one district office, which "never reported".
NEVER_REPORTED = {"PTP-AP"}
# Offices whose final report reaches the department after the deadline.
LATE_UNITS = frozenset({"PTP-TC"})
# Offices that do (almost) everything the plan asks, so the ranking proposes award candidates.
STAR_UNITS = frozenset({"PTP-CD", "PTP-TB", "PTP-TT"})
DEMO_PASSPHRASE = "du lieu mau 2023"
Plan = list[tuple[UnitInfo, date, Template]]


def _make_plan(
    rng: random.Random, campaign: CampaignInfo, units: list[UnitInfo], scale: int | None, stars: frozenset[str] = frozenset()
) -> Plan:
    """(unit, date, template) triples; `stars` are offices that took part in almost every kind of activity."""
    templates = [t for t in TEMPLATES if t.criterion in campaign.criteria_by_code]
    today = min(date.today(), campaign.ends_on)
    plan: Plan = []
    if scale:
        span = (today - campaign.starts_on).days
        for _ in range(scale):
            unit = rng.choice(units)
            day = campaign.starts_on + timedelta(days=rng.randrange(span + 1))
            if unit.valid_to and day > unit.valid_to:
                day = unit.valid_to - timedelta(days=rng.randrange(180))
            plan.append((unit, day, rng.choice(templates)))
        return plan
    for unit in units:
        for year in campaign.years:
            for template in templates:
                chance = 0.95 if unit.code in stars else 0.55 if unit.kind is UnitKind.DISTRICT_OFFICE else 0.25
                if rng.random() < chance:
                    day = date(year, rng.randrange(1, 13), rng.randrange(1, 29))
                    if day > today or (unit.valid_to and day > unit.valid_to):
                        continue
                    plan.append((unit, day, template))
    return plan


def _evidence_rows(session: Session, images: list[tuple[int, str, int]], now: datetime) -> list[tuple[str, int]]:
    """(sha256, evidence id) of the sample photos, adding the Evidence rows that are not there yet."""
    evidence_ids = {}
    for size, sha, index in images:
        existing = session.scalar(select(Evidence.id).where(Evidence.sha256 == sha))
        if existing is None:
            existing = session.execute(
                insert(Evidence).values(
                    sha256=sha, original_name=f"anh-minh-chung-{index + 1:02d}.jpg", mime_type="image/jpeg",
                    size=size, created_at=now,
                )
            ).inserted_primary_key[0]
        evidence_ids[sha] = existing
    return list(evidence_ids.items())


def _sample_values(template: Template, rng: random.Random, campaign: CampaignInfo) -> dict[str, int]:
    """Indicator code → a plausible value; "of which" parts are mostly equal to their whole, sometimes one less."""
    values: dict[str, int] = {}
    for code, (lo, hi) in template.values.items():
        values[code] = _round_money(rng.randint(lo, hi), code, campaign)
    for part, whole in (template.parts or {}).items():
        values[part] = values[whole] - (1 if values[whole] > 1 and rng.random() < 0.12 else 0)
    return values


def _insert_plan(
    workspace: Workspace,
    plan: Plan,
    rng: random.Random,
    *,
    progress: ProgressFn | None = None,
    cancel: CancelFn = never_cancelled,
    replace: bool = True,
) -> tuple[int, int]:
    """Bulk-insert sample activities (with values and photo links) in one transaction; (activities, values).

    `replace` first empties the activity tables (a fresh demo or benchmark set); otherwise rows are added.
    """
    campaign = workspace.campaign()
    criteria = campaign.criteria_by_code
    unit_ids = {unit.code: unit.id for unit in workspace.units().list()}
    images = _sample_images(EvidenceStore(workspace.layout.evidence_dir))
    now = utc_now()
    activity_rows: list[dict] = []
    value_rows: list[dict] = []
    link_rows: list[dict] = []
    with workspace.transaction() as session:
        if replace:
            session.execute(delete(ActivityEvidence))
            session.execute(delete(IndicatorValue))
            session.execute(delete(Activity))
        next_activity = (session.scalar(select(func.max(Activity.id))) or 0) + 1
        image_list = _evidence_rows(session, images, now)
        for number, (unit, day, template) in enumerate(plan):
            if number % 5000 == 0:
                check_cancel(cancel)
                if progress:
                    progress(number, len(plan))
            communes = COMMUNES.get(unit.code) or [c for cs in COMMUNES.values() for c in cs]
            commune = rng.choice(communes)
            title = template.title.format(xa=commune, thang=f"{day.month:02d}/{day.year}", nam=day.year)
            values = _sample_values(template, rng, campaign)
            activity_id = next_activity + number
            indicator_pairs = [(campaign.indicators_by_code[c], v) for c, v in values.items()]
            summary, lead = summarise_figures(indicator_pairs)
            officer = rng.choice(OFFICERS)
            attach = rng.random() < 0.6
            activity_rows.append(
                {
                    "id": activity_id, "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    "unit_id": unit_ids[unit.code], "campaign_id": campaign.id, "criterion_id": criteria[template.criterion].id,
                    "activity_date": day, "commune": commune, "is_poor_commune": commune in POOR,
                    "is_remote_area": commune in REMOTE, "is_ethnic_area": commune in ETHNIC, "title": title,
                    "description": f"{officer} chủ trì; phối hợp UBND {commune} thực hiện.",
                    "responsible_officer": officer, "revision": 1, "created_at": now, "updated_at": now,
                    "deleted_at": None, "search_text": activity_search_text(title, commune, officer),
                    "title_sort_key": sort_key(title), "commune_sort_key": sort_key(commune),
                    "evidence_count": 1 if attach else 0, "figures_summary": summary, "lead_value": lead,
                    "sent_revision": None,
                }
            )
            for indicator, value in indicator_pairs:
                value_rows.append({"activity_id": activity_id, "indicator_id": indicator.id, "value": value})
            if attach:
                sha, evidence_id = image_list[number % len(image_list)]
                link_rows.append(
                    {"activity_id": activity_id, "evidence_id": evidence_id, "caption": "Ảnh hoạt động",
                     "file_name": f"anh-{number + 1}.jpg", "position": 1}
                )
        for rows, table in ((activity_rows, Activity), (value_rows, IndicatorValue), (link_rows, ActivityEvidence)):
            for start in range(0, len(rows), 20_000):
                session.execute(insert(table), rows[start : start + 20_000])
        session.add(
            AuditEntry(actor=workspace.actor, action="demo", entity="activity", entity_key="*",
                       changes_json=f'{{"count": {len(activity_rows)}}}')
        )
    return len(activity_rows), len(value_rows)


def populate(
    workspace: Workspace,
    *,
    scale: int | None = None,
    seed: int = 78,
    progress: ProgressFn | None = None,
    cancel: CancelFn = never_cancelled,
    via_bundles: bool = False,
) -> DemoReport:
    """Fill a (demo) workspace with sample data for every unit, by direct insertion (fast, for tests).

    With `via_bundles` (the `thidua demo` and `thidua-desktop --demo` data set, for a department),
    district offices' data arrives the real way: each office gets its own temporary copy of the app and
    a signing key, records its activities there and exports signed bundles, and the department enrols
    the key and imports them; one office never reports. The department's own offices record directly.
    `scale` makes a large synthetic set by direct insertion, for benchmarks.
    """
    rng = random.Random(seed)
    campaign = workspace.campaign()
    units = [u for u in workspace.units().list() if u.kind is not UnitKind.DEPARTMENT]
    if workspace.role is None:
        workspace.configure(Role.DEPARTMENT, None)
    plan = _make_plan(rng, campaign, units, scale, STAR_UNITS if via_bundles else frozenset())
    if scale or not via_bundles or workspace.role is not Role.DEPARTMENT:
        activities, values = _insert_plan(workspace, plan, rng, progress=progress, cancel=cancel)
        return DemoReport(activities, values, 12, len(units), 0)

    direct = [item for item in plan if item[0].kind is not UnitKind.DISTRICT_OFFICE]
    activities, values = _insert_plan(workspace, direct, rng)
    by_unit: dict[str, Plan] = {}
    for item in plan:
        if item[0].kind is UnitKind.DISTRICT_OFFICE and item[0].code not in NEVER_REPORTED:
            by_unit.setdefault(item[0].code, []).append(item)
    bundles = 0
    for done, (code, unit_plan) in enumerate(sorted(by_unit.items()), start=1):
        check_cancel(cancel)
        report = _send_through_bundles(workspace, code, unit_plan, random.Random(f"{seed}-{code}"))
        activities += report[0]
        values += report[1]
        bundles += report[2]
        if progress:
            progress(done, len(by_unit))
    return DemoReport(activities, values, 12, len({i[0].code for i in direct}) + len(by_unit), bundles)


def _send_through_bundles(department: Workspace, unit_code: str, plan: Plan, rng: random.Random) -> tuple[int, int, int]:
    """One district office's copy: record, sign and export (earlier years, then the last one), import."""
    from thidua_desktop.core.bundles.exporter import export_bundle
    from thidua_desktop.core.bundles.importer import import_bundle
    from thidua_desktop.core.bundles.keys import create_key
    from thidua_desktop.core.bundles.trust import enrol_key

    last_year = max(day.year for _unit, day, _t in plan)
    with tempfile.TemporaryDirectory(prefix="thidua-demo-unit-") as folder:
        unit_copy = Workspace.open(Path(folder), actor=f"cán bộ {unit_code}")
        try:
            unit_copy.configure(Role.UNIT, unit_code)
            key = create_key(unit_copy, DEMO_PASSPHRASE, DEMO_PASSPHRASE)
            enrol_key(department, unit_code, key.public_key.file_text(), confirmed=True, note="Dữ liệu mẫu")
            earlier = [item for item in plan if item[1].year < last_year]
            later = [item for item in plan if item[1].year == last_year]
            first_counts = _insert_plan(unit_copy, earlier, rng)
            # Sent in early January after each reporting year, as offices do; one office is late in the end.
            first = export_bundle(unit_copy, Path(folder) / "gui-lan-1.thidua", passphrase=DEMO_PASSPHRASE,
                                  mode="full", created_at=datetime(last_year, 1, 7, 2, 30))
            import_bundle(department, first.path)
            later_counts = _insert_plan(unit_copy, later, rng, replace=False)  # the last year, sent later
            final_day = 20 if unit_code in LATE_UNITS else 6
            second = export_bundle(unit_copy, Path(folder) / "gui-lan-2.thidua", passphrase=DEMO_PASSPHRASE,
                                   created_at=datetime(last_year + 1, 1, final_day, 2, 30))
            import_bundle(department, second.path)
        finally:
            unit_copy.close()
    return first_counts[0] + later_counts[0], first_counts[1] + later_counts[1], 2
