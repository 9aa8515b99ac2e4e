"""A round's documents as one numbered set: own numbers, issuers and signers; references that name a
document of the set; a set that disagrees is refused before anything is printed (issue 13, item 1)."""

from __future__ import annotations

import re
import shutil
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from tests.core.awards.conftest import NUMBERS, OFFICE
from tests.core.awards.pdfcheck import full_text
from thidua_desktop.core import documents as d
from thidua_desktop.core.awards.service import AwardService, RoundInfo
from thidua_desktop.core.documents.numbering import DossierMismatch, check_set, set_problems
from thidua_desktop.core.errors import ValidationError
from thidua_desktop.core.workspace import Workspace


def _numbers(text: str) -> list[str]:
    return re.findall(r"Số: (\S+/\S+)", text)


def _attached(text: str) -> list[str]:
    return re.findall(r"Kèm theo \S+ \S* ?số (\S+/[^\s)]+)", text)


def test_every_document_has_its_own_number_issuer_and_signer(service: AwardService, several_awards: RoundInfo) -> None:
    documents = service.documents.round_set(several_awards.id)
    texts = {doc.name: full_text(d.render_pdf(doc)) for doc in documents}
    numbers = [n for text in texts.values() for n in _numbers(text)]
    assert sorted(numbers) == sorted(["15/TTr-STP", "16/TTr-STP", "15/TTr-VP", "03/BB-HĐTĐKT"])
    office = texts["01-to-trinh-giay-khen-cua-giam-doc-so-tu-phap"]
    assert "VĂN PHÒNG" in office and "KT. CHÁNH VĂN PHÒNG PHÓ CHÁNH VĂN PHÒNG" in office and "Phạm Thị Lan" in office
    office_list = texts["02-danh-sach-giay-khen-cua-giam-doc-so-tu-phap"]
    assert ("(Kèm theo Tờ trình số 15/TTr-VP ngày 05/12/2025 của Văn phòng Sở Tư pháp tỉnh An Giang)"
            in office_list)
    assert "Phạm Thị Lan" in office_list and "Nguyễn Văn Minh" not in office_list
    ministry_list = texts["02-danh-sach-bang-khen-bo-truong-bo-tu-phap"]
    assert "(Kèm theo Tờ trình số 15/TTr-STP ngày 05/12/2025 của Sở Tư pháp tỉnh An Giang)" in ministry_list
    assert "Nguyễn Văn Minh" in ministry_list
    assert "Số: 03/BB-HĐTĐKT" in texts["04-bien-ban-hop-hoi-dong"]


def test_numbers_are_distinct_and_references_name_a_document_of_the_set_in_the_pdf(
        service: AwardService, several_awards: RoundInfo) -> None:
    documents = service.documents.round_set(several_awards.id)
    text = full_text(d.render_pdf(documents))
    numbers = _numbers(text)
    assert len(numbers) == len(set(numbers)) == 4
    cited = _attached(text)
    assert len(cited) == 3 and set(cited) <= set(numbers)


def test_two_documents_with_one_number_cannot_be_saved(service: AwardService, several_awards: RoundInfo) -> None:
    with pytest.raises(ValidationError) as caught:
        service.save_round(replace(several_awards, numbers={**NUMBERS, "to_trinh/BK-UBND": "15"}))
    message = str(caught.value)
    assert "cùng số 15/TTr-STP" in message and "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh" in message
    service.save_round(replace(several_awards, numbers={**NUMBERS, "to_trinh/GK-STP": "16"}))  # other symbol: fine


def test_a_set_that_disagrees_is_refused_naming_the_fix(service: AwardService, several_awards: RoundInfo) -> None:
    documents = service.documents.round_set(several_awards.id)
    clash = [doc if doc.ref is None or doc.ref.key != "to_trinh/BK-UBND" else replace(doc, ref=replace(doc.ref, number="15"))
             for doc in documents]
    problems = set_problems(clash)
    assert any("cùng số 15/TTr-STP" in p and "Số văn bản" in p for p in problems)
    without_submission = [doc for doc in documents if doc.name != "01-to-trinh-giay-khen-cua-giam-doc-so-tu-phap"]
    with pytest.raises(DossierMismatch) as caught:
        check_set(without_submission)
    assert "không có trong hồ sơ" in str(caught.value) and "15/TTr-VP" in str(caught.value)
    stale = [replace(doc, cites=(replace(doc.cites[0], number="99"),)) if doc.cites else doc for doc in documents]
    assert any("khác với" in p for p in set_problems(stale))
    doubled = [replace(doc, ref=replace(doc.ref, symbol="BC-STP/BC-STP")) if doc.ref else doc for doc in documents[:1]]
    assert any("lặp lại" in p for p in set_problems(doubled))


def test_a_blank_number_leaves_room_and_the_reference_agrees(service: AwardService, several_awards: RoundInfo) -> None:
    service.save_round(replace(several_awards, numbers={}))
    text = full_text(d.render_pdf(service.documents.round_set(several_awards.id)))
    assert "Kèm theo Tờ trình số /TTr-VP ngày 05/12/2025" in " ".join(text.replace("\u00a0", " ").split())


def test_numbers_and_signers_are_saved_and_audited(service: AwardService, several_awards: RoundInfo,
                                                  demo_workspace: Workspace) -> None:
    assert several_awards.numbers == NUMBERS and several_awards.signers == OFFICE
    saved, _ = service.save_round(replace(several_awards, numbers={"bien_ban": "4"}, signers={}))
    assert saved.numbers == {"bien_ban": "4"} and saved.signers == {}
    with demo_workspace.sessions() as session:
        rows = session.execute(d_sql("SELECT changes_json FROM audit_log WHERE entity = 'award_round'")).all()
    assert any("number:to_trinh/BK-BTP" in r[0] and "signer:VP" in r[0] for r in rows)


def d_sql(statement: str):  # noqa: ANN201 - tiny helper
    from sqlalchemy import text

    return text(statement)


def test_step_8_moves_the_single_number_to_the_first_award_types_submission(tmp_path: Path) -> None:
    fixture = Path(__file__).parents[2] / "fixtures" / "db" / "schema_v7.sqlite"
    data_dir = tmp_path / "old"
    data_dir.mkdir()
    shutil.copyfile(fixture, data_dir / "thidua.sqlite")
    conn = sqlite3.connect(data_dir / "thidua.sqlite")
    unit_id = conn.execute("SELECT id FROM units WHERE code = 'STP'").fetchone()[0]
    conn.execute("INSERT INTO award_rounds (uuid, campaign_id, name, themed, issuing_unit_id, header_parent, "
                 "header_agency, agency_symbol, place, submission_number, signer_authority, signer_title, signer_name, "
                 "meeting_place, chair_name, chair_title, secretary_name, created_at, updated_at) VALUES "
                 "('r1', 1, 'Đợt 1', 1, ?, '', '', 'STP', '', '15', '', '', '', '', '', '', '', '2025-01-01', "
                 "'2025-01-01')", (unit_id,))
    conn.execute("INSERT INTO award_nominations (uuid, round_id, kind, award_type_code, unit_id, name, name_sort_key, "
                 "hometown, residence, position, qualifications, unit_profile, achievements, activities_summary, "
                 "figures_json, summary, note, status, sort_order, revision, created_at, updated_at) VALUES "
                 "('n1', 1, 'collective', 'BK-UBND', ?, 'X', '', '', '', '', '', '', '', '', '[]', '', '', 'draft', 0, "
                 "1, '2025-01-01', '2025-01-01')", (unit_id,))
    conn.commit()
    conn.close()
    with Workspace.open(data_dir) as upgraded:
        assert upgraded.awards().get_round(1).numbers == {"to_trinh/BK-UBND": "15"}
