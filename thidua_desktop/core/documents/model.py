"""The document model: what a Nghị định 30/2020 document says, independent of PDF or Word.

Builders produce a `Document` of plain, immutable blocks; `pdf.render_pdf` and `docx.render_docx`
lay the same content out under the same rules. No block holds markup: text is text, formatting is
carried by `Run` flags, so user input can never be mistaken for reportlab markup.
"""

from __future__ import annotations

import enum
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

# Characters XML cannot carry (and reportlab would choke on); newlines and tabs are kept.
_CONTROL_OK = {"\n", "\t"}


def clean(text: str) -> str:
    """NFC, without control characters: every string passes through here before it reaches a renderer."""
    normalised = unicodedata.normalize("NFC", text)
    return "".join(ch for ch in normalised if ch in _CONTROL_OK or unicodedata.category(ch) != "Cc")


class Orientation(enum.StrEnum):
    PORTRAIT = "portrait"
    LANDSCAPE = "landscape"


class Align(enum.StrEnum):
    LEFT = "left"
    CENTER = "center"
    RIGHT = "right"
    JUSTIFY = "justify"


@dataclass(frozen=True)
class Run:
    """A stretch of text with one formatting; the text is literal (never parsed as markup)."""

    text: str
    bold: bool = False
    italic: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", clean(self.text))


class ParaStyle(enum.StrEnum):
    BODY = "body"  # justified, first-line indent, 14 pt: the running text
    BASIS = "basis"  # a "Căn cứ …;" line: like BODY, italic
    CENTER = "center"  # centred, no indent: "Kính gửi", sub-titles, notes under a title
    PLAIN = "plain"  # flush left, no indent
    NOTE = "note"  # centred italic, smaller: "(Kèm theo Tờ trình số …)"


@dataclass(frozen=True)
class Paragraph:
    runs: tuple[Run, ...]
    style: ParaStyle = ParaStyle.BODY

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


def para(*parts: str | Run, style: ParaStyle = ParaStyle.BODY) -> Paragraph:
    """A paragraph from plain strings (regular runs) and `Run`s: `para("Kính gửi: ", Run(x, bold=True))`."""
    return Paragraph(tuple(p if isinstance(p, Run) else Run(p) for p in parts), style)


def paragraphs(text: str, style: ParaStyle = ParaStyle.BODY) -> list[Paragraph]:
    """User text (one paragraph per non-empty line) as body paragraphs, each with its own indent."""
    return [para(line.strip(), style=style) for line in clean(text).splitlines() if line.strip()]


@dataclass(frozen=True)
class Heading:
    """A numbered section heading ("I. THÀNH TÍCH ĐẠT ĐƯỢC" level 1, "1. Kết quả …" level 2), bold."""

    text: str
    level: int = 1

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", clean(self.text))


@dataclass(frozen=True)
class Column:
    title: str
    width: float  # relative share of the table width
    align: Align = Align.LEFT

    def __post_init__(self) -> None:
        object.__setattr__(self, "title", clean(self.title))


@dataclass(frozen=True)
class Row:
    """A table row; a `section` row spans every column in bold ("I. TẬP THỂ")."""

    cells: tuple[str, ...]
    section: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "cells", tuple(clean(str(c)) for c in self.cells))


@dataclass(frozen=True)
class Table:
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    font_size: float = 12.0

    def __post_init__(self) -> None:
        for row in self.rows:
            expected = 1 if row.section else len(self.columns)
            if len(row.cells) != expected:
                raise ValueError(f"row has {len(row.cells)} cells, expected {expected}: {row.cells!r}")


def table(columns: Sequence[Column], rows: Iterable[Sequence[str] | Row], *, font_size: float = 12.0) -> Table:
    return Table(
        tuple(columns),
        tuple(r if isinstance(r, Row) else Row(tuple(r)) for r in rows),
        font_size,
    )


@dataclass(frozen=True)
class PageBreak:
    pass


Block = Paragraph | Heading | Table | PageBreak


@dataclass(frozen=True)
class Letterhead:
    """The two-column header: agency (left) and national motto (right), number and place-date below."""

    parent_agency: str  # "UBND TỈNH AN GIANG" (caps, regular)
    agency: str  # "SỞ TƯ PHÁP" (caps, bold, short rule under it)
    number_line: str | None  # "Số: 05/TTr-STP", or None for documents without a number
    place_date: str  # "An Giang, ngày 05 tháng 02 năm 2024"


@dataclass(frozen=True)
class Title:
    kind: str  # "TỜ TRÌNH" (bold caps)
    summary: tuple[str, ...] = ()  # the trích yếu lines (bold), with a short rule under the last


@dataclass(frozen=True)
class Signature:
    """A signer block: authority lines in bold caps, an italic note, room to sign, the name in bold."""

    lines: tuple[str, ...]  # ("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC")
    name: str = ""
    note: str = ""  # "(Ký, đóng dấu)"


@dataclass(frozen=True)
class Closing:
    """The end of the document: "Nơi nhận" (left) and the signer (right), or two signers side by side."""

    recipients: tuple[str, ...] = ()  # each "- …;" item, the last "- Lưu: VT, …"
    signatures: tuple[Signature, ...] = ()


@dataclass(frozen=True)
class DocumentRef:
    """Who issued a document under which number: what a cross-reference to it repeats.

    A document carries its own `ref`; a document that names another ("Kèm theo Tờ trình số …")
    carries a copy of that document's ref in `cites`, so a set can be checked for agreement
    (`numbering.check_set`) before it is printed.
    """

    key: str  # unique within a dossier: "to_trinh/BK-BTP", "bien_ban"
    label: str  # how the check names it: "Tờ trình đề nghị tặng Bằng khen của Bộ trưởng Bộ Tư pháp"
    kind: str  # in running text: "Tờ trình", "Biên bản", "Báo cáo"
    number: str  # "" while the văn thư has not given one yet
    symbol: str  # "TTr-STP"
    day: date | None
    issuer: str  # in running text: "Sở Tư pháp tỉnh An Giang"

    @property
    def number_text(self) -> str:
        """"05/TTr-STP", or room to write the number by hand ("        /TTr-STP")."""
        return number_line(self.number or None, self.symbol).removeprefix("Số:").lstrip(" ")

    def number_and_date(self, *, year: int | None = None) -> str:
        """"số 05/TTr-STP ngày 05/12/2025", with room to write a missing number or date by hand."""
        if self.day is not None:
            day = f"{self.day.day:02d}/{self.day.month:02d}/{self.day.year}"
        else:
            day = f"………/………/{year}" if year else "………/………/………"
        return f"số {self.number_text} ngày {day}"

    def citation(self, *, year: int | None = None) -> str:
        """"Tờ trình số 05/TTr-STP ngày 05/12/2025 của Sở Tư pháp tỉnh An Giang"."""
        return f"{self.kind} {self.number_and_date(year=year)} của {self.issuer}"


@dataclass(frozen=True)
class Document:
    """One printable document; `name` is the file stem ("01-to-trinh-giay-khen").

    `ref` is its own number (None: a document without one, like a Báo cáo thành tích); `cites` are
    the documents of the same set it names in its text.
    """

    name: str
    title: Title
    blocks: tuple[Block, ...]
    letterhead: Letterhead | None = None
    closing: Closing | None = None
    orientation: Orientation = Orientation.PORTRAIT
    author: str = ""
    keywords: tuple[str, ...] = field(default_factory=tuple)
    ref: DocumentRef | None = None
    cites: tuple[DocumentRef, ...] = ()
    notes: tuple[str, ...] = ()  # "check before official use": shown in the preview, never printed

    def headings(self) -> list[str]:
        """The document type and its section headings, in order: what both renderers mark as headings."""
        return [clean(self.title.kind)] + [b.text for b in self.blocks if isinstance(b, Heading)]


# --- ND 30/2020 text conventions ----------------------------------------------------------------

def place_date(place: str, day: date | None, *, year: int | None = None) -> str:
    """"An Giang, ngày 05 tháng 02 năm 2024": day < 10 and months 1–2 take a leading zero.

    Without a day, blanks are left to be filled by hand ("ngày     tháng     năm 2025").
    """
    if day is None:
        gap = "\u00a0" * 5
        return f"{place}, ngày{gap}tháng{gap}năm {year or ''}".rstrip()
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def number_line(number: int | str | None, symbol: str) -> str:
    """"Số: 05/TTr-STP"; numbers below 10 take a leading zero; no number leaves room to write it."""
    if number is None or str(number).strip() == "":
        return f"Số:{chr(0xA0) * 8}/{symbol}"
    text = str(number).strip()
    if text.isdigit() and int(text) < 10:
        text = f"{int(text):02d}"
    return f"Số: {text}/{symbol}"


def long_date(day: date) -> str:
    """"ngày 05 tháng 02 năm 2024" inside a sentence (same leading-zero rule as the date line)."""
    return place_date("", day).removeprefix(", ")
