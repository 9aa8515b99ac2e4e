"""PDF rendering of the document model with reportlab: Liberation Serif embedded and subset.

Several documents can go into one PDF (a whole dossier for printing): each starts on a new page,
in its own orientation, with its own page numbering (none on its first page).
"""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    NextPageTemplate,
    PageTemplate,
    Spacer,
)
from reportlab.platypus import PageBreak as RLPageBreak
from reportlab.platypus import Paragraph as RLParagraph
from reportlab.platypus import Table as RLTable

from thidua_desktop.core.documents import layout as L
from thidua_desktop.core.documents.model import (
    Align,
    Closing,
    Column,
    Document,
    Heading,
    Letterhead,
    Orientation,
    PageBreak,
    Paragraph,
    ParaStyle,
    Run,
    Signature,
    Table,
    Title,
    clean,
)
from thidua_desktop.core.resources import font_path

FONT = "LiberationSerif"
FONT_BOLD = f"{FONT}-Bold"
FONT_ITALIC = f"{FONT}-Italic"
FONT_BOLD_ITALIC = f"{FONT}-BoldItalic"

_fonts_lock = threading.Lock()
_fonts_ready = False


def register_fonts() -> None:
    """Register the bundled Liberation Serif 2.x faces once; reportlab embeds a subset of each used face."""
    global _fonts_ready
    with _fonts_lock:
        if _fonts_ready:
            return
        for name, file_stem in (
            (FONT, "Regular"),
            (FONT_BOLD, "Bold"),
            (FONT_ITALIC, "Italic"),
            (FONT_BOLD_ITALIC, "BoldItalic"),
        ):
            pdfmetrics.registerFont(TTFont(name, str(font_path(f"LiberationSerif-{file_stem}.ttf"))))
        pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC, boldItalic=FONT_BOLD_ITALIC)
        _fonts_ready = True


def string_width(text: str, font: str, size: float) -> float:
    """Width in points of one line of text in a bundled face (Word's Times New Roman has the same metrics)."""
    register_fonts()
    return pdfmetrics.stringWidth(clean(text), font, size)


_CELL_PADDING = 3.0
_CAPTION_ROOM_MM = 45.0  # a caption, a two-line header row and three rows
MIN_CELL_SIZE = 8.0


def cell_font_size(text: str, width: float, size: float, *, bold: bool = False) -> float:
    """The table font size at which the cell's longest word fits its column (`width` in points, padding
    included), so "1.900.500.000" or "2.1.a" is never broken inside; down to 8 pt, then as is."""
    words = clean(text).split()
    if not words:
        return size
    font = FONT_BOLD if bold else FONT
    room = width - 2 * _CELL_PADDING - 0.5
    register_fonts()
    longest = max(pdfmetrics.stringWidth(w, font, size) for w in words)
    if longest <= room:
        return size
    return max(MIN_CELL_SIZE, int(size * room / longest * 2) / 2)
_STRING_ALIGN = {Align.LEFT: "LEFT", Align.CENTER: "CENTER", Align.RIGHT: "RIGHT", Align.JUSTIFY: "LEFT"}
_ALIGN = {Align.LEFT: TA_LEFT, Align.CENTER: TA_CENTER, Align.RIGHT: TA_RIGHT, Align.JUSTIFY: TA_JUSTIFY}
_INDENT = L.FIRST_LINE_INDENT_MM * L.MM


def _style(name: str, size: float, *, font: str = FONT, align: int = TA_CENTER, leading: float | None = None,
           indent: float = 0.0, after: float = 0.0, before: float = 0.0, keep: bool = False) -> ParagraphStyle:
    return ParagraphStyle(
        name, fontName=font, fontSize=size, leading=leading or size * 1.2, alignment=align,
        firstLineIndent=indent, spaceAfter=after, spaceBefore=before, textColor=colors.black, keepWithNext=keep,
    )


class _Styles:
    """Every paragraph style of the layout, built once per process."""

    def __init__(self) -> None:
        body = {"leading": L.LEADING, "after": L.PARAGRAPH_GAP}
        self.para = {
            ParaStyle.BODY: _style("body", L.BODY_SIZE, align=TA_JUSTIFY, indent=_INDENT, **body),
            ParaStyle.BASIS: _style("basis", L.BODY_SIZE, font=FONT_ITALIC, align=TA_JUSTIFY, indent=_INDENT, **body),
            ParaStyle.CENTER: _style("center", L.BODY_SIZE, **body),
            ParaStyle.PLAIN: _style("plain", L.BODY_SIZE, align=TA_LEFT, **body),
            ParaStyle.NOTE: _style("note", L.BODY_SIZE - 1, font=FONT_ITALIC, after=L.PARAGRAPH_GAP),
        }
        self.heading = {
            1: _style("h1", L.BODY_SIZE, font=FONT_BOLD, align=TA_JUSTIFY, indent=_INDENT, before=4, keep=True, **body),
            2: _style("h2", L.BODY_SIZE, font=FONT_BOLD, align=TA_JUSTIFY, indent=_INDENT, keep=True, **body),
        }
        self.header_caps = _style("header-caps", L.HEADER_CAPS_SIZE, leading=L.HEADER_CAPS_SIZE * 1.15)
        self.header_agency = _style("header-agency", L.HEADER_CAPS_SIZE, font=FONT_BOLD, leading=L.HEADER_CAPS_SIZE * 1.15)
        self.motto = _style("motto", L.MOTTO_SIZE, font=FONT_BOLD, leading=L.MOTTO_SIZE * 1.15)
        self.number = _style("number", L.NUMBER_SIZE, before=3)
        self.place_date = _style("place-date", L.BODY_SIZE, font=FONT_ITALIC, before=3)
        self.title = _style("title", L.TITLE_SIZE, font=FONT_BOLD, before=18)
        self.summary = _style("summary", L.TITLE_SIZE, font=FONT_BOLD, leading=L.TITLE_SIZE * 1.2)
        self.recipients_heading = _style("recipients-h", L.RECIPIENTS_HEADING_SIZE, font=FONT_BOLD_ITALIC, align=TA_LEFT)
        self.recipient = _style("recipient", L.RECIPIENTS_SIZE, align=TA_LEFT, leading=L.RECIPIENTS_SIZE * 1.2)
        self.sign_line = _style("sign", L.SIGNATURE_SIZE, font=FONT_BOLD, leading=L.SIGNATURE_SIZE * 1.2)
        self.sign_note = _style("sign-note", L.SIGNATURE_SIZE, font=FONT_ITALIC, leading=L.SIGNATURE_SIZE * 1.2)
        self.cells: dict[tuple[float, Align, bool], ParagraphStyle] = {}

    def cell(self, size: float, align: Align, bold: bool) -> ParagraphStyle:
        key = (size, align, bold)
        if key not in self.cells:
            self.cells[key] = _style(f"cell-{size}-{align}-{bold}", size, font=FONT_BOLD if bold else FONT,
                                     align=_ALIGN[align], leading=size * 1.2)
        return self.cells[key]


_styles: _Styles | None = None


def _get_styles() -> _Styles:
    global _styles
    register_fonts()
    if _styles is None:
        _styles = _Styles()
    return _styles


def markup(text: str) -> str:
    """Literal text as reportlab paragraph markup: escaped, so `<b>&` prints as typed."""
    return escape(clean(text)).replace("\n", "<br/>")


def _runs_markup(runs: Sequence[Run]) -> str:
    parts = []
    for run in runs:
        text = markup(run.text)
        if run.bold:
            text = f"<b>{text}</b>"
        if run.italic:
            text = f"<i>{text}</i>"
        parts.append(text)
    return "".join(parts)


def _p(text: str, style: ParagraphStyle) -> RLParagraph:
    return RLParagraph(markup(text), style)


class _Rule(Flowable):
    """A short solid rule centred in the space it is given (HRFlowable misplaces itself in table cells)."""

    THICKNESS = 0.6

    def __init__(self, width: float, *, before: float = 4.0, after: float = 3.0) -> None:
        super().__init__()
        self.rule_width = width
        self.before = before
        self.after = after
        self.available = width

    def wrap(self, available_width: float, _available_height: float) -> tuple[float, float]:
        self.available = available_width
        return available_width, self.before + self.THICKNESS + self.after

    def draw(self) -> None:
        width = min(self.rule_width, self.available)
        x = (self.available - width) / 2
        y = self.after + self.THICKNESS / 2
        self.canv.setLineWidth(self.THICKNESS)
        self.canv.setStrokeColor(colors.black)
        self.canv.line(x, y, x + width, y)


def _rule(width: float, *, before: float = 4.0, after: float = 3.0) -> _Rule:
    return _Rule(width, before=before, after=after)


class _DocumentStart(Flowable):
    """Zero-size marker at the top of each document's first page: restarts its page numbering."""

    def __init__(self, orientation: Orientation) -> None:
        super().__init__()
        self.orientation = orientation

    def wrap(self, _aw: float, _ah: float) -> tuple[float, float]:
        return 0.0, 0.0

    def draw(self) -> None:
        self.canv._thidua_doc_start = self.canv.getPageNumber()  # noqa: SLF001 - read back in _after_page


def _after_page(canvas, _doc) -> None:  # noqa: ANN001 - reportlab callback
    start = getattr(canvas, "_thidua_doc_start", 1)
    number = canvas.getPageNumber() - start + 1
    if number < 2:
        return
    width, height = canvas._pagesize  # noqa: SLF001
    canvas.saveState()
    canvas.setFont(FONT, L.PAGE_NUMBER_SIZE)
    x = L.MARGINS.left * L.MM + (width - (L.MARGINS.left + L.MARGINS.right) * L.MM) / 2
    canvas.drawCentredString(x, height - L.MARGINS.top * L.MM / 2 - L.PAGE_NUMBER_SIZE / 3, str(number))
    canvas.restoreState()


def _page_size(orientation: Orientation) -> tuple[float, float]:
    return landscape(A4) if orientation is Orientation.LANDSCAPE else A4


def _layout_table(cells: list[list], widths: list[float]) -> RLTable:
    """An invisible grid that places blocks side by side (letterhead, closing)."""
    grid = RLTable(cells, colWidths=widths)
    grid.setStyle([("FONTNAME", (0, 0), (-1, -1), FONT),  # empty cells would otherwise use Helvetica
                   ("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                   ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 0),
                   ("BOTTOMPADDING", (0, 0), (-1, -1), 0)])
    return grid


def _shift_rows(commands: list[tuple], start: int, stop: int) -> list[tuple]:
    """Table style commands of rows [start, stop) renumbered from 0 (negative indices kept as they are)."""
    shifted = []
    for command in commands:
        name, (c0, r0), (c1, r1), *rest = command
        if r0 >= 0 and r1 >= 0 and (r1 < start or r0 >= stop):
            continue
        r0 = max(r0 - start, 0) if r0 >= 0 else r0
        r1 = min(r1, stop - 1) - start if r1 >= 0 else r1
        shifted.append((name, (c0, r0), (c1, r1), *rest))
    return shifted


class _DataTable(RLTable):
    """A data table that can hand its last rows to the closing, so the signer never stands alone.

    Built through `data_table` (reportlab re-creates split tables through the base constructor).
    """

    source: tuple[list[list], list[float], list[tuple]]

    def split_last(self, count: int) -> tuple[RLTable | None, RLTable]:
        """(the table without its last `count` rows, those rows with the same columns and grid)."""
        data, widths, commands = self.source
        if len(data) - 1 <= count:
            return None, self  # a short table goes with the closing whole
        cut = len(data) - count
        return (data_table(data[:cut], widths, _shift_rows(commands, 0, cut)),
                data_table(data[cut:], widths, _shift_rows(commands, cut, len(data)), header=False))


def data_table(data: list[list], widths: list[float], commands: list[tuple], *, header: bool = True) -> _DataTable:
    table = _DataTable(data, colWidths=widths, repeatRows=1 if header else 0)
    table.setStyle(commands)
    table.source = (data, widths, commands)
    return table


@dataclass(frozen=True)
class LetterheadColumns:
    """Both renderers' letterhead geometry: column widths (pt), the left lines as broken, title size."""

    left: float
    right: float
    parent_lines: tuple[str, ...]
    agency_lines: tuple[str, ...]
    national_size: float


def letterhead_columns(head: Letterhead, width: float) -> LetterheadColumns:
    """Size the left column so the agency names break only between words chosen by the data (explicit
    line breaks, place names bound) and balanced, never mid-name, with a gutter before the right one."""
    register_fonts()
    parent = L.bind_place_names(clean(head.parent_agency))
    agency = L.bind_place_names(clean(head.agency))

    def regular(text: str) -> float:
        return pdfmetrics.stringWidth(text, FONT, L.HEADER_CAPS_SIZE)

    def bold(text: str) -> float:
        return pdfmetrics.stringWidth(text, FONT_BOLD, L.HEADER_CAPS_SIZE)

    def lines(room: float) -> list[str]:
        return L.header_lines(parent, regular, room) + L.header_lines(agency, bold, room)

    def widest(text: str) -> float:
        return max(regular(text), bold(text))

    title_min = pdfmetrics.stringWidth(L.NATIONAL_TITLE, FONT_BOLD, 12.0)
    left = L.header_left_width(lines, widest, width, title_min)
    right = width - left
    national = L.HEADER_CAPS_SIZE if pdfmetrics.stringWidth(L.NATIONAL_TITLE, FONT_BOLD, L.HEADER_CAPS_SIZE) <= right \
        else 12.0
    room = left - L.HEADER_GUTTER_MM * L.MM
    return LetterheadColumns(left, right, tuple(L.header_lines(parent, regular, room)),
                             tuple(L.header_lines(agency, bold, room)), national)


class _Builder:
    """Turns one `Document` into flowables for a frame of the given width."""

    def __init__(self, styles: _Styles, width: float) -> None:
        self.s = styles
        self.width = width

    def letterhead(self, head: Letterhead) -> RLTable:
        s = self.s
        columns = letterhead_columns(head, self.width)
        left_w, right_w = columns.left, columns.right
        agency_w = max(pdfmetrics.stringWidth(line, FONT_BOLD, L.HEADER_CAPS_SIZE) for line in columns.agency_lines)
        motto_w = pdfmetrics.stringWidth(L.MOTTO, FONT_BOLD, L.MOTTO_SIZE)
        title_style = s.header_agency
        if columns.national_size < L.HEADER_CAPS_SIZE:
            title_style = ParagraphStyle("national-small", parent=s.header_agency, fontSize=12, leading=14)
        left = [_p("\n".join(columns.parent_lines), s.header_caps), _p("\n".join(columns.agency_lines), s.header_agency),
                _rule(max(agency_w * L.AGENCY_RULE_SHARE, 10 * L.MM))]
        right = [_p(L.NATIONAL_TITLE, title_style), _p(L.MOTTO, s.motto), _rule(min(motto_w, right_w))]
        number = _p(head.number_line, s.number) if head.number_line else ""
        return _layout_table([[left, right], [number, _p(head.place_date, s.place_date)]], [left_w, right_w])

    def title(self, title: Title) -> list[Flowable]:
        s = self.s
        items: list[Flowable] = [_p(title.kind, s.title)]
        items += [_p(line, s.summary) for line in title.summary]
        if title.summary:
            longest = max(pdfmetrics.stringWidth(clean(line), FONT_BOLD, L.TITLE_SIZE) for line in title.summary)
            items.append(_rule(max(min(longest, self.width) * L.SUMMARY_RULE_SHARE, 25 * L.MM)))
        items.append(Spacer(0, 8))
        return [KeepTogether(items)]

    def table(self, tbl: Table) -> RLTable:
        s = self.s
        size = tbl.font_size
        total = sum(c.width for c in tbl.columns)
        widths = [self.width * c.width / total for c in tbl.columns]
        header = [RLParagraph(markup(c.title), s.cell(cell_font_size(c.title, w, size, bold=True), Align.CENTER, True))
                  for c, w in zip(tbl.columns, widths, strict=True)]
        data: list[list] = [header]
        commands: list[tuple] = [
            ("FONTNAME", (0, 0), (-1, -1), FONT), ("FONTSIZE", (0, 0), (-1, -1), size),
            ("LEADING", (0, 0), (-1, -1), size * 1.2), ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "TOP"), ("VALIGN", (0, 0), (-1, 0), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), _CELL_PADDING), ("RIGHTPADDING", (0, 0), (-1, -1), _CELL_PADDING),
        ]
        commands += [("ALIGN", (i, 1), (i, -1), _STRING_ALIGN[c.align]) for i, c in enumerate(tbl.columns)]
        empty = [""] * (len(tbl.columns) - 1)
        for index, row in enumerate(tbl.rows, start=1):
            if row.section:
                data.append([RLParagraph(markup(row.cells[0]), s.cell(size, Align.LEFT, True)), *empty])
                commands.append(("SPAN", (0, index), (-1, index)))
                commands.append(("NOSPLIT", (0, index), (-1, min(index + 1, len(tbl.rows)))))  # no orphan section row
            else:
                data.append([self._cell(text, col, width, size)
                             for text, col, width in zip(row.cells, tbl.columns, widths, strict=True)])
        return data_table(data, widths, commands)

    def _cell(self, text: str, column: Column, width: float, size: float) -> str | RLParagraph:
        """A plain string when it fits on one line (drawn literally, no markup parsing: fast), else a Paragraph
        wrapping at spaces only, in a smaller size when one word would not fit the column."""
        if "\n" not in text and pdfmetrics.stringWidth(text, FONT, size) <= width - 2 * _CELL_PADDING:
            return text
        return RLParagraph(markup(text), self.s.cell(cell_font_size(text, width, size), column.align, False))

    def signature(self, sig: Signature) -> list[Flowable]:
        s = self.s
        items: list[Flowable] = [_p(line, s.sign_line) for line in sig.lines]
        if sig.note:
            items.append(_p(sig.note, s.sign_note))
        items.append(Spacer(0, L.SIGNATURE_SPACE_MM * L.MM))
        if sig.name:
            items.append(_p(sig.name, s.sign_line))
        return items

    def closing(self, closing: Closing) -> Flowable:
        s = self.s
        cells: list[list[Flowable] | str] = []
        if closing.recipients:
            cells.append([_p(L.RECIPIENTS_HEADING, s.recipients_heading),
                          *(_p(item, s.recipient) for item in closing.recipients)])
        cells += [self.signature(sig) for sig in closing.signatures]
        if len(cells) == 1:  # a lone signer stands on the right; lone recipients on the left
            cells.insert(0 if closing.signatures else 1, "")
        shares = [0.45, 0.55] if len(cells) == 2 else [1 / len(cells)] * len(cells)
        return _layout_table([cells], [self.width * share for share in shares])

    def document(self, doc: Document) -> list[Flowable]:
        s = self.s
        story: list[Flowable] = [_DocumentStart(doc.orientation)]
        if doc.letterhead:
            story.append(self.letterhead(doc.letterhead))
        story += self.title(doc.title)
        for index, block in enumerate(doc.blocks):
            if isinstance(block, Paragraph):
                if index + 1 < len(doc.blocks) and isinstance(doc.blocks[index + 1], Table):
                    # a table's caption never stays behind at a page foot: it starts a page unless there is
                    # room for it, the header row and a few rows (keeping it with the whole table would
                    # leave most of a page blank before a long table)
                    story.append(CondPageBreak(_CAPTION_ROOM_MM * L.MM))
                story.append(RLParagraph(_runs_markup(block.runs), s.para[block.style]))
            elif isinstance(block, Heading):
                story.append(RLParagraph(markup(block.text), s.heading[min(block.level, 2)]))
            elif isinstance(block, Table):
                story += [self.table(block), Spacer(0, L.PARAGRAPH_GAP)]
            elif isinstance(block, PageBreak):
                story.append(RLPageBreak())
        if doc.closing:
            story = _keep_closing_with_text(story, [Spacer(0, 10), self.closing(doc.closing)])
        return story


# A lone last line is not enough company for a signer: keep at least this much text with the closing.
_MIN_CHARS_WITH_CLOSING = 160  # about two lines of 14 pt body text on A4


def _keep_closing_with_text(story: list[Flowable], tail: list[Flowable]) -> list[Flowable]:
    """Never leave the signer block alone on a page: it moves with at least two lines of the text above.

    Trailing paragraphs are kept with it until they hold two lines' worth of text; a trailing table
    gives its last two rows (split off as a table of the same columns, so the grid continues).
    """
    kept: list[Flowable] = []
    chars = 0
    while story and chars < _MIN_CHARS_WITH_CLOSING:
        last = story[-1]
        if isinstance(last, RLParagraph):
            kept.insert(0, story.pop())
            chars += len(last.getPlainText())
        elif isinstance(last, Spacer) and story[:-1] and isinstance(story[-2], _DataTable):
            story.pop()
        elif isinstance(last, _DataTable):
            head, tail_rows = last.split_last(2)
            story.pop()
            if head is not None:
                story.append(head)
            kept.insert(0, tail_rows)
            break
        else:
            break
    while kept and story and isinstance(story[-1], RLParagraph) and story[-1].style.keepWithNext:
        kept.insert(0, story.pop())  # a heading goes with what it heads, never alone at a page foot
    return [*story, KeepTogether([*kept, *tail])] if kept else [*story, *tail]


def _frame_width(orientation: Orientation) -> float:
    return _page_size(orientation)[0] - (L.MARGINS.left + L.MARGINS.right) * L.MM


def render_pdf(documents: Document | Sequence[Document], *, title: str | None = None) -> bytes:
    """One PDF holding the given documents in order; each starts a new page with its own numbering."""
    docs = [documents] if isinstance(documents, Document) else list(documents)
    if not docs:
        raise ValueError("no documents to render")
    styles = _get_styles()
    buffer = io.BytesIO()
    templates = []
    for orientation in Orientation:
        size = _page_size(orientation)
        frame = Frame(L.MARGINS.left * L.MM, L.MARGINS.bottom * L.MM, _frame_width(orientation),
                      size[1] - (L.MARGINS.top + L.MARGINS.bottom) * L.MM,
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id=str(orientation))
        templates.append(PageTemplate(id=str(orientation), frames=[frame], pagesize=size, onPageEnd=_after_page))
    first = docs[0]
    if first.orientation is Orientation.LANDSCAPE:
        templates.reverse()  # the first template is the one the first page uses
    heading = title or " – ".join(filter(None, [first.title.kind, *first.title.summary]))
    template = BaseDocTemplate(
        buffer, pagesize=_page_size(first.orientation), pageTemplates=templates, title=clean(heading),
        author=clean(first.author), subject=clean(heading), creator="ThiĐua Desktop",
        keywords=[clean(k) for k in first.keywords], invariant=True,
        initialFontName=FONT,  # else the canvas preamble pulls in an unembedded Helvetica
        leftMargin=L.MARGINS.left * L.MM, rightMargin=L.MARGINS.right * L.MM,
        topMargin=L.MARGINS.top * L.MM, bottomMargin=L.MARGINS.bottom * L.MM,
    )
    story: list[Flowable] = []
    for index, doc in enumerate(docs):
        if index:
            story += [NextPageTemplate(str(doc.orientation)), RLPageBreak()]
        story += _Builder(styles, _frame_width(doc.orientation)).document(doc)
    template.build(story)
    return buffer.getvalue()
