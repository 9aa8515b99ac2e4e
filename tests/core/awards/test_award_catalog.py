"""Award data files: award types, certificate forms, and the legal basis chosen by the document's date."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

import thidua_desktop.core.awards as awards_package
from thidua_desktop.core.awards.catalog import AwardDataError, fill, load_catalog
from thidua_desktop.core.awards.models import NomineeKind
from thidua_desktop.core.resources import resource_path

VALUES = {
    "plan_number": "78/KH-STP", "plan_date": "ngày 27 tháng 4 năm 2023", "plan_issuer": "Sở Tư pháp tỉnh An Giang",
    "campaign_title": "Ngành Tư pháp chung tay vì người nghèo", "period": "2023 – 2025",
    "council": "Hội đồng Thi đua – Khen thưởng Sở Tư pháp", "meeting_date": "",
}


@pytest.mark.parametrize(
    ("day", "code", "decree"),
    [
        (date(2024, 2, 5), "ND98-2023", "Nghị định số 98/2023/NĐ-CP"),
        (date(2025, 6, 30), "ND98-2023", "Nghị định số 98/2023/NĐ-CP"),
        (date(2025, 7, 1), "ND152-2025", "Nghị định số 152/2025/NĐ-CP"),
        (date(2025, 12, 5), "ND152-2025", "Nghị định số 152/2025/NĐ-CP"),
    ],
)
def test_legal_basis_switches_on_1_july_2025(day: date, code: str, decree: str) -> None:
    regime = load_catalog().regime_for(day)
    assert regime.code == code
    lines = regime.basis_lines(VALUES)
    assert any(decree in line for line in lines)
    other = "152/2025" if code == "ND98-2023" else "98/2023"
    assert not any(other in line for line in lines)


def test_basis_lines_end_with_semicolons_and_a_full_stop_and_skip_lines_missing_data() -> None:
    regime = load_catalog().regime_for(date(2024, 2, 5))
    without_meeting = regime.basis_lines(VALUES)
    assert all(line.startswith("Căn cứ ") for line in without_meeting)
    assert all(line.endswith(";") for line in without_meeting[:-1]) and without_meeting[-1].endswith(".")
    assert "Kế hoạch số 78/KH-STP ngày 27 tháng 4 năm 2023 của Sở Tư pháp tỉnh An Giang" in without_meeting[-1]
    with_meeting = regime.basis_lines(VALUES | {"meeting_date": "ngày 01 tháng 12 năm 2025"})
    assert len(with_meeting) == len(without_meeting) + 1
    assert with_meeting[-1] == ("Căn cứ kết quả bình xét của Hội đồng Thi đua – Khen thưởng Sở Tư pháp "
                                "tại cuộc họp ngày 01 tháng 12 năm 2025.")


def test_nd152_reuses_the_nd98_form_wording_where_it_does_not_override_it() -> None:
    catalog = load_catalog()
    old, new = catalog.regime_for(date(2025, 6, 30)), catalog.regime_for(date(2025, 7, 1))
    assert new.form("to_trinh")["title"] == old.form("to_trinh")["title"] == "TỜ TRÌNH"
    assert new.form("to_trinh")["form"] != old.form("to_trinh")["form"]
    assert new.form("bien_ban") == old.form("bien_ban")


def test_award_types_carry_their_granting_authority_and_allowed_nominees() -> None:
    catalog = load_catalog()
    minister = catalog.award_type("BK-BTP")
    assert (minister.name, minister.authority) == ("Bằng khen của Bộ trưởng Bộ Tư pháp", "Bộ trưởng Bộ Tư pháp")
    assert minister.allows(NomineeKind.COLLECTIVE) and minister.allows(NomineeKind.INDIVIDUAL)
    themed_individual = [a.code for a in catalog.types_for(NomineeKind.INDIVIDUAL, themed=True)]
    assert themed_individual == ["GK-STP", "BK-BTP", "BK-UBND"]
    assert "CSTDCS" in [a.code for a in catalog.types_for(NomineeKind.INDIVIDUAL, themed=False)]
    assert catalog.certificate("giay-khen-a4").page_mm == (297.0, 210.0)


def test_a_file_in_the_data_folder_overrides_the_bundled_one(tmp_path: Path) -> None:
    override = json.loads((resource_path("awards", "legal-basis", "nd-152-2025.json")).read_text(encoding="utf-8"))
    override["legal_basis"] = ["Căn cứ văn bản thử nghiệm {plan_number}"]
    (tmp_path / "legal-basis").mkdir()
    (tmp_path / "legal-basis" / "nd-152-2025.json").write_text(json.dumps(override, ensure_ascii=False), encoding="utf-8")
    regime = load_catalog(tmp_path).regime_for(date(2025, 8, 1))
    assert regime.basis_lines(VALUES) == ["Căn cứ văn bản thử nghiệm 78/KH-STP."]
    assert load_catalog().regime_for(date(2025, 8, 1)).basis_lines(VALUES)[0].startswith("Căn cứ Luật")


def test_overlapping_validity_is_refused(tmp_path: Path) -> None:
    override = json.loads((resource_path("awards", "legal-basis", "nd-152-2025.json")).read_text(encoding="utf-8"))
    override["valid_from"] = "2025-06-01"
    (tmp_path / "legal-basis").mkdir()
    (tmp_path / "legal-basis" / "nd-152-2025.json").write_text(json.dumps(override, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(AwardDataError, match="chồng lên nhau"):
        load_catalog(tmp_path)


def test_an_unknown_placeholder_names_itself() -> None:
    with pytest.raises(AwardDataError, match="so_hieu"):
        fill("Căn cứ {so_hieu}", {})


def test_no_legal_text_is_hard_coded_in_python() -> None:
    for source in Path(awards_package.__file__).parent.glob("*.py"):
        text = source.read_text(encoding="utf-8")
        for needle in ("NĐ-CP", "TT-BTP", "TT-BNV", "Luật Thi đua, khen thưởng ngày"):
            assert needle not in text, f"{source.name} chứa “{needle}”"
