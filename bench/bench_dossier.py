"""Award dossier generation: a dossier of at least 100 pages, built from the database and rendered to PDF.

Run: python bench/bench_dossier.py [--pages 100]
Prints the time to build the documents (database reads, pre-filled texts) and to render them with the
Nghị định 30/2020 layout, against a budget of 2 s, and a ratio against a baseline measured in the same
run: reportlab drawing the same text, line by line, in the same embedded font, with no layout at all.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from thidua_desktop.core import documents as d
from thidua_desktop.core.awards.dossier import bao_cao, bien_ban, danh_sach, to_trinh
from thidua_desktop.core.awards.models import NomineeKind, Sex
from thidua_desktop.core.awards.service import AwardService, Candidate, NominationDraft
from thidua_desktop.core.demo import OFFICERS, populate
from thidua_desktop.core.documents.pdf import FONT, register_fonts
from thidua_desktop.core.models import UnitKind
from thidua_desktop.core.units import get_unit, list_units
from thidua_desktop.core.workspace import Role, Workspace

BUDGET_SECONDS = 2.0


def median_time(fn, repeat: int = 3) -> tuple[float, object]:  # noqa: ANN001
    samples, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), result


def prepare(root: Path) -> tuple[Workspace, AwardService, int]:
    """Demo data, a round, a collective nomination for every district office and one person from each."""
    workspace = Workspace.open(root, actor="bench")
    workspace.configure(Role.DEPARTMENT, None)
    populate(workspace)
    service = workspace.awards()
    with workspace.sessions() as session:
        round_info = service.ensure_round(get_unit(session, "STP"))
        districts = [u for u in list_units(session) if u.kind is UnitKind.DISTRICT_OFFICE]
    service.create_from_candidates(round_info.id, [Candidate(u.code, "BK-BTP", 90.0 - i) for i, u in enumerate(districts)])
    for index, unit in enumerate(districts):
        draft = NominationDraft(NomineeKind.INDIVIDUAL, "GK-STP", unit.code, name=OFFICERS[index % len(OFFICERS)],
                                sex=Sex.FEMALE if index % 2 else Sex.MALE, position="Chuyên viên")
        service.create(round_info.id, draft.with_prefill(service.prefill(draft)))
    return workspace, service, round_info.id


def build_documents(workspace: Workspace, service: AwardService, round_id: int) -> list[d.Document]:
    """The round's full dossier: Tờ trình and Danh sách per award type, every report, the minutes."""
    nominations = service.nominations(round_id)
    context = service.dossier_context(round_id)
    documents: list[d.Document] = []
    for code in dict.fromkeys(n.draft.award_type_code for n in nominations):
        award = service.catalog.award_type(code)
        same = [n for n in nominations if n.draft.award_type_code == code]
        documents += [to_trinh(context, award, same), danh_sach(context, same, award)]
    documents += [bao_cao(context, n) for n in nominations]
    documents.append(bien_ban(context, nominations))
    return documents


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def first_pages(documents: list[d.Document], pages_wanted: int) -> int:
    """How many leading documents make up at least `pages_wanted` pages (counted once, untimed)."""
    pages = 0
    for index, document in enumerate(documents, start=1):
        pages += page_count(d.render_pdf(document))
        if pages >= pages_wanted:
            return index
    raise SystemExit(f"Dữ liệu mẫu chỉ đủ {pages} trang.")


def baseline(pdf: bytes) -> float:
    """Seconds for reportlab to draw the same text, line by line at fixed positions, in the same font."""
    register_fonts()
    pages = [page.extract_text().splitlines() for page in PdfReader(io.BytesIO(pdf)).pages]

    def draw() -> bytes:
        buffer = io.BytesIO()
        canvas = Canvas(buffer, pagesize=A4, invariant=1, initialFontName=FONT)
        for lines in pages:
            canvas.setFont(FONT, 14)
            for row, line in enumerate(lines):
                canvas.drawString(85, 800 - row * 16, line)
            canvas.showPage()
        canvas.save()
        return buffer.getvalue()

    seconds, _ = median_time(draw)
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=100, help="số trang tối thiểu của hồ sơ (mặc định 100)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as temp:
        workspace, service, round_id = prepare(Path(temp) / "data")
        try:
            count = first_pages(build_documents(workspace, service, round_id), args.pages)
            build_time, documents = median_time(lambda: build_documents(workspace, service, round_id)[:count])
            render_time, pdf = median_time(lambda: d.render_pdf(documents))
            pages = page_count(pdf)
            plain = baseline(pdf)
            docx_time, _ = median_time(lambda: [d.render_docx(doc) for doc in documents], repeat=1)
        finally:
            workspace.close()
    total = build_time + render_time
    verdict = "OK" if total <= BUDGET_SECONDS and pages >= args.pages else "CHẬM"
    print(f"Hồ sơ: {len(documents)} văn bản, {pages} trang, {len(pdf) / 1024:.0f} KB")
    print(f"Dựng nội dung từ cơ sở dữ liệu       {build_time * 1000:8.1f} ms")
    print(f"Dàn trang và xuất PDF                {render_time * 1000:8.1f} ms")
    print(f"Tổng                                 {total * 1000:8.1f} ms   ngưỡng {BUDGET_SECONDS * 1000:.0f} ms   {verdict}")
    print(f"Mỗi trang                            {total * 1000 / pages:8.2f} ms")
    print(f"Mốc so sánh: reportlab vẽ cùng chữ, không dàn trang  {plain * 1000:8.1f} ms   "
          f"tỉ lệ {render_time / plain:.1f}×")
    print(f"(Thêm: xuất {len(documents)} tệp .docx   {docx_time * 1000:8.1f} ms)")
    return 0 if verdict == "OK" else 1


if __name__ == "__main__":
    sys.exit(main())
