"""Word (.docx) rendering of the document model with python-docx, under the same layout rules as the PDF.

Staff still adjust wording in Word, so the file uses real Word features: heading styles (the
navigation pane shows the structure), a repeated table header row, a PAGE field in a header that
is blank on the first page. The font is Times New Roman, the face the decree names; Liberation
Serif, used in the PDF, has identical metrics, so lines break the same way.
"""

from __future__ import annotations

import io

from docx import Document as new_word_document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from thidua_desktop.core.documents import layout as L
from thidua_desktop.core.documents.model import (
    Align,
    Closing,
    Document,
    Heading,
    Letterhead,
    Orientation,
    PageBreak,
    Paragraph,
    ParaStyle,
    Signature,
    Table,
    Title,
    clean,
)
from thidua_desktop.core.documents.pdf import (
    FONT_BOLD,
    cell_font_size,
    letterhead_columns,
    register_fonts,
    string_width,
)

WORD_FONT = "Times New Roman"
CELL_PADDING_PT = 3.0  # same as the PDF tables
TITLE_STYLE = "Heading 1"  # the document type ("TỜ TRÌNH")
HEADING_STYLES = {1: "Heading 2", 2: "Heading 3"}  # section headings

_ALIGN = {
    Align.LEFT: WD_ALIGN_PARAGRAPH.LEFT,
    Align.CENTER: WD_ALIGN_PARAGRAPH.CENTER,
    Align.RIGHT: WD_ALIGN_PARAGRAPH.RIGHT,
    Align.JUSTIFY: WD_ALIGN_PARAGRAPH.JUSTIFY,
}
_PARA_FORMAT = {  # style → (alignment, first-line indent, italic, size)
    ParaStyle.BODY: (Align.JUSTIFY, True, False, L.BODY_SIZE),
    ParaStyle.BASIS: (Align.JUSTIFY, True, True, L.BODY_SIZE),
    ParaStyle.CENTER: (Align.CENTER, False, False, L.BODY_SIZE),
    ParaStyle.PLAIN: (Align.LEFT, False, False, L.BODY_SIZE),
    ParaStyle.NOTE: (Align.CENTER, False, True, L.BODY_SIZE - 1),
}


def _set_font(element_with_rpr, name: str) -> None:  # noqa: ANN001 - a style or run element
    """Set every script's font and drop theme fonts, which Word would otherwise prefer."""
    rpr = element_with_rpr.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attribute in list(fonts.attrib):
        if attribute.endswith("Theme"):
            del fonts.attrib[attribute]
    for script in ("ascii", "hAnsi", "cs", "eastAsia"):
        fonts.set(qn(f"w:{script}"), name)


def _setup_styles(word) -> None:  # noqa: ANN001 - python-docx Document
    normal = word.styles["Normal"]
    _set_font(normal.element, WORD_FONT)
    normal.font.size = Pt(L.BODY_SIZE)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.0
    for name in (TITLE_STYLE, *HEADING_STYLES.values()):
        style = word.styles[name]
        _set_font(style.element, WORD_FONT)
        style.font.size = Pt(L.TITLE_SIZE)
        style.font.bold = True
        style.font.italic = False
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.paragraph_format.space_before = Pt(0)
        style.paragraph_format.space_after = Pt(L.PARAGRAPH_GAP)
        style.paragraph_format.keep_with_next = True
    for name in HEADING_STYLES.values():
        word.styles[name].paragraph_format.first_line_indent = Mm(L.FIRST_LINE_INDENT_MM)
        word.styles[name].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    header = word.styles["Header"]
    _set_font(header.element, WORD_FONT)
    header.font.size = Pt(L.PAGE_NUMBER_SIZE)


def _setup_page(word, orientation: Orientation) -> None:  # noqa: ANN001
    section = word.sections[0]
    width, height = L.page_size_mm(orientation)
    section.orientation = WD_ORIENT.LANDSCAPE if orientation is Orientation.LANDSCAPE else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(width), Mm(height)
    section.top_margin, section.bottom_margin = Mm(L.MARGINS.top), Mm(L.MARGINS.bottom)
    section.left_margin, section.right_margin = Mm(L.MARGINS.left), Mm(L.MARGINS.right)
    section.header_distance = Mm(L.MARGINS.top / 2 - 2)
    section.footer_distance = Mm(L.MARGINS.bottom / 2)
    section.different_first_page_header_footer = True  # no page number on page 1
    number = section.header.paragraphs[0]
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "2"
    run.append(text)
    field.append(run)
    number._p.append(field)  # noqa: SLF001 - python-docx has no field API


def _paragraph(container, text: str = "", *, align: Align = Align.CENTER, bold: bool = False,  # noqa: ANN001
               italic: bool = False, size: float = L.BODY_SIZE, style: str | None = None, after: float = 0.0):
    """A paragraph in a document or table cell; a cell's first (empty) paragraph is reused."""
    reuse = getattr(container, "paragraphs", None)
    if style is None and reuse and len(reuse) == 1 and not reuse[0].text and hasattr(container, "width"):
        paragraph = reuse[0]
    else:
        paragraph = container.add_paragraph(style=style)
    paragraph.alignment = _ALIGN[align]
    paragraph.paragraph_format.space_after = Pt(after)
    if text:
        run = paragraph.add_run(clean(text))
        run.bold, run.italic, run.font.size = bold or None, italic or None, Pt(size)
    return paragraph


def _rule(container, width_mm: float, room_mm: float, *, after: float = 2.0) -> None:  # noqa: ANN001
    """A centred horizontal rule of the given width: an empty paragraph with a bottom border."""
    paragraph = container.add_paragraph()
    fmt = paragraph.paragraph_format
    side = max((room_mm - width_mm) / 2, 0.0)
    fmt.left_indent, fmt.right_indent = Mm(side), Mm(side)
    fmt.space_before, fmt.space_after, fmt.line_spacing = Pt(0), Pt(after), Pt(2)
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", "6"), ("space", "1"), ("color", "000000")):
        bottom.set(qn(f"w:{key}"), value)
    border.append(bottom)
    paragraph._p.get_or_add_pPr().append(border)  # noqa: SLF001


def _fixed_widths(grid, widths_mm: list[float]) -> None:  # noqa: ANN001
    """Column widths Word and LibreOffice both honour: the grid columns and every cell."""
    grid.autofit = False
    for column, width in zip(grid.columns, widths_mm, strict=True):
        column.width = Mm(width)
    for row in grid.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(width)


def _keep_rows_whole(grid) -> None:  # noqa: ANN001
    """A row never breaks across pages (the signer block stays in one piece)."""
    for row in grid.rows:
        props = row._tr.get_or_add_trPr()  # noqa: SLF001
        props.append(OxmlElement("w:cantSplit"))


def _cell_margins(grid, points: float, vertical: float = 0.0) -> None:  # noqa: ANN001
    """Cell padding as in the PDF (none in layout grids, 3 pt beside and 1 pt above and below text in data
    tables), not Word's 1,9 mm."""
    margins = OxmlElement("w:tblCellMar")
    for side in ("top", "left", "bottom", "right"):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:w"), str(round((points if side in ("left", "right") else vertical) * 20)))
        edge.set(qn("w:type"), "dxa")
        margins.append(edge)
    grid._tbl.tblPr.append(margins)  # noqa: SLF001


def _borderless(word, rows: int, widths_mm: list[float]):  # noqa: ANN001
    grid = word.add_table(rows=rows, cols=len(widths_mm))
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    _cell_margins(grid, 0)
    _fixed_widths(grid, widths_mm)
    _keep_rows_whole(grid)
    return grid


class _Writer:
    def __init__(self, word, orientation: Orientation) -> None:  # noqa: ANN001
        self.word = word
        self.width = L.text_width_mm(orientation)

    def letterhead(self, head: Letterhead) -> None:
        columns = letterhead_columns(head, self.width * L.MM)  # the PDF's geometry: both break alike
        left_w = columns.left / L.MM
        widths = [left_w, self.width - left_w]
        grid = _borderless(self.word, 2, widths)
        left, right = grid.rows[0].cells
        _paragraph(left, "\n".join(columns.parent_lines), size=L.HEADER_CAPS_SIZE)
        _paragraph(left, "\n".join(columns.agency_lines), bold=True, size=L.HEADER_CAPS_SIZE)
        agency_w = max(string_width(line, FONT_BOLD, L.HEADER_CAPS_SIZE) for line in columns.agency_lines) / L.MM
        _rule(left, max(agency_w * L.AGENCY_RULE_SHARE, 10.0), left_w)
        national_size = columns.national_size
        _paragraph(right, L.NATIONAL_TITLE, bold=True, size=national_size)
        _paragraph(right, L.MOTTO, bold=True, size=L.MOTTO_SIZE)
        _rule(right, string_width(L.MOTTO, FONT_BOLD, L.MOTTO_SIZE) / L.MM, widths[1])
        number_cell, date_cell = grid.rows[1].cells
        if head.number_line:
            _paragraph(number_cell, head.number_line, size=L.NUMBER_SIZE)
        _paragraph(date_cell, head.place_date, italic=True)

    def title(self, title: Title) -> None:
        heading = _paragraph(self.word, style=TITLE_STYLE, align=Align.CENTER, after=0)
        heading.paragraph_format.space_before = Pt(18)
        heading.paragraph_format.first_line_indent = Mm(0)
        heading.add_run(clean(title.kind))
        for line in title.summary:
            _paragraph(self.word, line, bold=True, size=L.TITLE_SIZE).paragraph_format.keep_with_next = True
        if title.summary:
            longest = max(string_width(line, FONT_BOLD, L.TITLE_SIZE) for line in title.summary) / L.MM
            _rule(self.word, max(min(longest, self.width) * L.SUMMARY_RULE_SHARE, 25.0), self.width, after=8)

    def paragraph(self, block: Paragraph) -> None:
        align, indent, italic, size = _PARA_FORMAT[block.style]
        paragraph = _paragraph(self.word, align=align, after=L.PARAGRAPH_GAP)
        if indent:
            paragraph.paragraph_format.first_line_indent = Mm(L.FIRST_LINE_INDENT_MM)
        for run in block.runs:
            added = paragraph.add_run(run.text)
            added.bold = run.bold or None
            added.italic = (run.italic or italic) or None
            added.font.size = Pt(size)

    def table(self, block: Table, *, keep_end_with_next: bool = False) -> None:
        """A data table; with `keep_end_with_next` its last two rows are a table of their own that keeps
        with what follows (the signer): LibreOffice keeps a table with the next paragraph only when every
        row asks it, and a whole long table cannot (tested with the .docx converted to PDF)."""
        rows = list(block.rows)
        tail = rows[-2:] if keep_end_with_next and len(rows) > 2 else []
        head = rows[: len(rows) - len(tail)]
        grid = self._grid(block, head, header=True)
        if tail:
            joint = _paragraph(self.word, after=0)  # 1 pt: two tables are never merged on import
            joint.paragraph_format.line_spacing = Pt(1)
            joint.paragraph_format.space_before = Pt(0)
            grid = self._grid(block, tail, header=False)
        if keep_end_with_next:
            for row in grid.rows:
                for cell in row.cells:
                    for paragraph in cell.paragraphs:
                        paragraph.paragraph_format.keep_with_next = True
        _paragraph(self.word, after=0).paragraph_format.keep_with_next = keep_end_with_next

    def _grid(self, block: Table, rows: list, *, header: bool):  # noqa: ANN202 - a python-docx table
        total = sum(c.width for c in block.columns)
        widths = [self.width * c.width / total for c in block.columns]
        grid = self.word.add_table(rows=len(rows) + (1 if header else 0), cols=len(block.columns))
        grid.style = self.word.styles["Table Grid"]
        _cell_margins(grid, CELL_PADDING_PT, vertical=1.0)
        _fixed_widths(grid, widths)
        _keep_rows_whole(grid)  # a row never breaks across a page; the header row repeats instead
        body = grid.rows
        if header:
            header_props = body[0]._tr.get_or_add_trPr()  # noqa: SLF001 - repeat the header on every page
            repeat = OxmlElement("w:tblHeader")
            repeat.set(qn("w:val"), "true")
            header_props.append(repeat)
            for cell, column, width in zip(body[0].cells, block.columns, widths, strict=True):
                _paragraph(cell, column.title, bold=True,
                           size=cell_font_size(column.title, width * L.MM, block.font_size, bold=True))
            body = body[1:]
        for row, source in zip(body, rows, strict=True):
            cells = row.cells
            if source.section:
                merged = cells[0].merge(cells[-1])
                _paragraph(merged, source.cells[0], align=Align.LEFT, bold=True, size=block.font_size)
                continue
            for cell, text, column, width in zip(cells, source.cells, block.columns, widths, strict=True):
                _paragraph(cell, text, align=column.align, size=cell_font_size(text, width * L.MM, block.font_size))
        return grid

    def _signature(self, cell, sig: Signature) -> None:  # noqa: ANN001
        for line in sig.lines:
            _paragraph(cell, line, bold=True, size=L.SIGNATURE_SIZE)
        if sig.note:
            _paragraph(cell, sig.note, italic=True, size=L.SIGNATURE_SIZE)
        _paragraph(cell).paragraph_format.space_after = Mm(L.SIGNATURE_SPACE_MM - 6)
        if sig.name:
            _paragraph(cell, sig.name, bold=True, size=L.SIGNATURE_SIZE)

    def closing(self, closing: Closing) -> None:
        count = max(len(closing.signatures) + (1 if closing.recipients else 0), 2)
        shares = [0.45, 0.55] if count == 2 else [1 / count] * count
        grid = _borderless(self.word, 1, [self.width * s for s in shares])
        cells = list(grid.rows[0].cells)
        if closing.recipients:
            recipients = cells.pop(0)
            _paragraph(recipients, L.RECIPIENTS_HEADING, align=Align.LEFT, bold=True, italic=True,
                       size=L.RECIPIENTS_HEADING_SIZE)
            for item in closing.recipients:
                _paragraph(recipients, item, align=Align.LEFT, size=L.RECIPIENTS_SIZE)
        elif len(closing.signatures) == 1:
            cells.pop(0)
        for cell, sig in zip(cells, closing.signatures, strict=False):
            self._signature(cell, sig)

    def document(self, doc: Document) -> None:
        if doc.letterhead:
            self.letterhead(doc.letterhead)
        self.title(doc.title)
        body = [b for b in doc.blocks if not isinstance(b, PageBreak)]
        closing_table = body[-1] if doc.closing and body and isinstance(body[-1], Table) else None
        for index, block in enumerate(doc.blocks):
            if isinstance(block, Paragraph):
                self.paragraph(block)
                if index + 1 < len(doc.blocks) and isinstance(doc.blocks[index + 1], Table):
                    self.word.paragraphs[-1].paragraph_format.keep_with_next = True  # a caption goes with its table
            elif isinstance(block, Heading):
                _paragraph(self.word, block.text, style=HEADING_STYLES[min(block.level, 2)], align=Align.JUSTIFY,
                           after=L.PARAGRAPH_GAP)
            elif isinstance(block, Table):
                self.table(block, keep_end_with_next=block is closing_table)
            elif isinstance(block, PageBreak):
                self.word.add_page_break()
        if doc.closing:
            if closing_table is None:
                self.keep_text_with_closing()
            _paragraph(self.word, after=6).paragraph_format.keep_with_next = True
            self.closing(doc.closing)

    def keep_text_with_closing(self) -> None:
        """The signer block moves with at least two lines of the text above it: the last paragraphs, up
        to two lines' worth, keep with the next (a closing table keeps its last rows: see `table`)."""
        chars = 0
        for paragraph in reversed(self.word.paragraphs):
            paragraph.paragraph_format.keep_with_next = True
            chars += len(paragraph.text)
            if chars >= 160:
                break


def render_docx(document: Document) -> bytes:
    """The document as a .docx file's bytes."""
    register_fonts()  # the metrics that size the cells and rules
    word = new_word_document()
    _setup_styles(word)
    _setup_page(word, document.orientation)
    word.core_properties.title = clean(" – ".join([document.title.kind, *document.title.summary]))
    word.core_properties.author = clean(document.author) or "ThiĐua Desktop"
    word.core_properties.keywords = ", ".join(clean(k) for k in document.keywords)
    _Writer(word, document.orientation).document(document)
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()
