"""Reading generated PDFs back the way a checker would: text, positions (mm), page sizes, fonts."""

from __future__ import annotations

import io
from dataclasses import dataclass

from pypdf import PdfReader
from pypdf.generic import DictionaryObject

MM = 72.0 / 25.4


@dataclass(frozen=True)
class Chunk:
    page: int
    x_mm: float  # from the page's left edge
    y_mm: float  # from the page's top edge
    text: str


def reader(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in reader(pdf).pages]


def full_text(pdf: bytes) -> str:
    """All text, with line breaks folded to spaces so phrases wrapped across lines still match."""
    return " ".join(" ".join(page_texts(pdf)).split())


def chunks(pdf: bytes) -> list[Chunk]:
    found: list[Chunk] = []
    for index, page in enumerate(reader(pdf).pages):
        height = float(page.mediabox.height)

        def visit(text, cm, tm, _font, _size, index=index, height=height):  # noqa: ANN001
            if text.strip():
                x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                found.append(Chunk(index, x / MM, (height - y) / MM, text.strip()))

        page.extract_text(visitor_text=visit)
    return found


def page_sizes_mm(pdf: bytes) -> list[tuple[float, float]]:
    return [(round(float(p.mediabox.width) / MM, 1), round(float(p.mediabox.height) / MM, 1)) for p in reader(pdf).pages]


def fonts(pdf: bytes) -> dict[str, bool]:
    """Every font resource used on any page → whether its program is embedded in the file."""
    result: dict[str, bool] = {}
    for page in reader(pdf).pages:
        resources = page.get("/Resources")
        font_dict = resources.get_object().get("/Font") if resources else None
        for ref in (font_dict.get_object().values() if font_dict else []):
            font: DictionaryObject = ref.get_object()
            descriptors = [font.get("/FontDescriptor")]
            for descendant in font.get("/DescendantFonts", []):
                descriptors.append(descendant.get_object().get("/FontDescriptor"))
            embedded = any(
                d is not None and any(k in d.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3"))
                for d in descriptors
            )
            result[str(font.get("/BaseFont"))] = embedded
    return result
