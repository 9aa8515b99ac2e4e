"""Issue 13, done when: every document type of a round with several award types, rendered as PDF and as
.docx converted by LibreOffice, read back as text and checked the way an official would check it:
numbers distinct, every "Kèm theo … số X" naming a document of the set, no page holding only a
signature block, no figure below its target displayed as reaching it, NĐ 152 cited with its date."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import pytest

from tests.core.awards.conftest import person
from tests.core.awards.pdfcheck import page_texts
from thidua_desktop.core import documents as d
from thidua_desktop.core.awards.dossier import bao_cao
from thidua_desktop.core.awards.service import AwardService, Candidate, RoundInfo
from thidua_desktop.core.resources import font_path
from thidua_desktop.core.workspace import Workspace

Render = Callable[[Sequence[d.Document], Path], dict[str, list[str]]]  # documents → name → page texts


def _pdf_pages(documents: Sequence[d.Document], _work: Path) -> dict[str, list[str]]:
    return {doc.name: page_texts(d.render_pdf(doc)) for doc in documents}


def _word_pages(documents: Sequence[d.Document], work: Path) -> dict[str, list[str]]:
    """Each document's .docx converted to PDF by LibreOffice (one batch, a private profile), read back."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) không có trên máy này; CI cài libreoffice-writer-nogui")
    sources = work / "docx"
    sources.mkdir(parents=True, exist_ok=True)
    for doc in documents:
        (sources / f"{doc.name}.docx").write_bytes(d.render_docx(doc))
    out = work / "pdf"
    profile = (work / "lo-profile").as_uri()
    fonts = work / ".fonts"  # Times New Roman's metric twin, as on an office PC (fontconfig maps the name)
    fonts.mkdir(exist_ok=True)
    for face in font_path("LiberationSerif-Regular.ttf").parent.glob("LiberationSerif-*.ttf"):
        shutil.copy(face, fonts / face.name)
    subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(out), *sorted(str(p) for p in sources.glob("*.docx"))],
                   check=True, capture_output=True, timeout=300, env={**os.environ, "HOME": str(work)})
    missing = [doc.name for doc in documents if not (out / f"{doc.name}.pdf").is_file()]
    assert not missing, f"LibreOffice không chuyển được: {missing} (cần libreoffice-writer-nogui)"
    return {doc.name: page_texts((out / f"{doc.name}.pdf").read_bytes()) for doc in documents}


RENDERERS = [pytest.param(_pdf_pages, id="pdf"), pytest.param(_word_pages, id="docx-libreoffice")]


def _flat(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


def _closing_words(document: d.Document) -> set[str]:
    closing = document.closing
    if closing is None:
        return set()
    parts = [d.model.clean("Nơi nhận:"), *closing.recipients]
    for signature in closing.signatures:
        parts += [*signature.lines, signature.note, signature.name]
    return {word for part in parts for word in _flat(part).split()}


def lonely_signature_pages(document: d.Document, pages: list[str]) -> list[int]:
    """Pages whose only text is the closing (signer block, "Nơi nhận") and the page number."""
    closing = _closing_words(document)
    lonely = []
    for index, text in enumerate(pages):
        words = [w for w in _flat(text).split() if not w.isdigit()]
        if words and all(w in closing for w in words):
            lonely.append(index + 1)
    return lonely


def check_numbers_and_references(texts: dict[str, list[str]]) -> None:
    whole = _flat(" ".join(" ".join(pages) for pages in texts.values()))
    numbers = re.findall(r"Số: (\d+/\S+)", whole)
    assert numbers and len(numbers) == len(set(numbers)), numbers
    cited = re.findall(r"Kèm theo [^()]*?số (\d+/[^\s)]+)", whole)
    assert cited, "không có tham chiếu “Kèm theo …”"
    assert set(cited) <= set(numbers), (cited, numbers)


def check_percentages_never_cross(texts: dict[str, list[str]], thresholds: Sequence[float]) -> None:
    """Every vote row "for against total xx,x%": the shown ratio is on the same side of each line as the real one."""
    whole = _flat(" ".join(" ".join(pages) for pages in texts.values()))
    rows = re.findall(r"(\d[\d.]*) (\d[\d.]*) (\d[\d.]*) (\d+(?:,\d+)?) ?%", whole)
    assert rows
    for votes_for, _against, total, shown in rows:
        real = int(votes_for.replace(".", "")) * 100 / int(total.replace(".", ""))
        value = float(shown.replace(",", "."))
        for line in (*thresholds, 100.0):
            assert (value >= line) == (real >= line), (votes_for, total, shown, line)


@pytest.fixture
def full_round(service: AwardService, several_awards: RoundInfo) -> RoundInfo:
    """The several-award round, plus a vote of 2212/2213 (99,955 %: must not print as 100 %)."""
    info = service.save_round(replace(several_awards, members_present=None, members_total=None))[0]
    close_call = service.create_from_candidates(info.id, [Candidate("PTP-CD", "BK-UBND", 95.0)]).created[0]
    service.record_votes(close_call, 2212, 1, 2213)
    return service.get_round(info.id)


@pytest.mark.parametrize("render", RENDERERS)
def test_every_document_of_a_round_passes_an_officials_checks(service: AwardService, full_round: RoundInfo,
                                                             tmp_path: Path, render: Render) -> None:
    documents = service.documents.round_set(full_round.id)
    kinds = {doc.title.kind for doc in documents}
    assert kinds == {"TỜ TRÌNH", "DANH SÁCH", "BÁO CÁO THÀNH TÍCH", "BIÊN BẢN"}
    assert len([doc for doc in documents if doc.title.kind == "TỜ TRÌNH"]) == 3
    texts = render(documents, tmp_path)
    check_numbers_and_references(texts)
    for doc in documents:
        assert not lonely_signature_pages(doc, texts[doc.name]), doc.name
    check_percentages_never_cross(texts, [a.min_vote_percent for a in service.catalog.award_types])
    assert "100,0%" not in _flat(" ".join(texts["04-bien-ban-hop-hoi-dong"])).split("2.212 1 2.213")[1][:12]
    for name, pages in texts.items():
        text = _flat(" ".join(pages))
        for cited in re.findall(r"Nghị định số 152/2025/NĐ-CP(.{0,30})", text):
            if name.startswith("01-to-trinh"):
                assert cited.startswith(" ngày 14 tháng 6 năm 2025"), (name, cited)
    assert any("ngày 14 tháng 6 năm 2025 của Chính phủ quy định về phân cấp, phân quyền" in _flat(" ".join(p))
               for p in texts.values())


@pytest.mark.parametrize("render", RENDERERS)
def test_the_signer_never_stands_alone_whatever_the_length(service: AwardService, award_round: RoundInfo,
                                                          demo_workspace: Workspace, tmp_path: Path,
                                                          render: Render) -> None:
    """Reports ending in a table (prior awards) or in text, grown paragraph by paragraph across page ends."""
    individual, _ = service.create(award_round.id, person())
    collective = service.create_from_candidates(award_round.id, [Candidate("PTP-CM", "BK-BTP", 92.5)]).created[0]
    context = service.dossier_context(award_round.id)
    line = ("Chủ trì phối hợp tổ chức tuyên truyền, phổ biến pháp luật cho người dân tại các xã vùng sâu, "
            "vùng xa; theo dõi, đôn đốc việc thực hiện và tổng hợp kết quả báo cáo đúng hạn.")
    steps = range(8, 30) if render is _pdf_pages else range(12, 30, 3)
    documents = []
    for nomination_id in (individual, collective):
        nomination = service.get(nomination_id)
        for count in steps:
            grown = replace(nomination, draft=replace(nomination.draft, achievements="\n".join([line] * count),
                                                      activities_summary=""))
            documents.append(replace(bao_cao(context, grown), name=f"bao-cao-{nomination_id}-{count}"))
    texts = render(documents, tmp_path)
    lonely = {doc.name: lonely_signature_pages(doc, texts[doc.name]) for doc in documents}
    assert not {k: v for k, v in lonely.items() if v}
    assert any(len(texts[doc.name]) > 1 for doc in documents)
    del demo_workspace


def test_the_checks_can_fail() -> None:
    """The page check sees a signer alone, the number check sees a duplicate."""
    doc = d.Document("x", d.Title("BÁO CÁO"), (), closing=d.Closing((), (d.Signature(("GIÁM ĐỐC",), name="Lê Văn A"),)))
    assert lonely_signature_pages(doc, ["BÁO CÁO nội dung", "2 GIÁM ĐỐC Lê Văn A"]) == [2]
    with pytest.raises(AssertionError):
        check_numbers_and_references({"a": ["Số: 15/TTr-STP"], "b": ["Số: 15/TTr-STP Kèm theo Tờ trình số 15/TTr-STP"]})
    with pytest.raises(AssertionError):
        check_percentages_never_cross({"bb": ["2212 1 2213 100,0%"]}, [50.0])
