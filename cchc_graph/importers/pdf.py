"""PDF reader (pdfplumber): the ruled plan table page by page, rows continued over a page joined.

pdfplumber finds each page's ruled table from its lines and gives None for a grid position covered by a
merged cell; the cell bounding boxes tell a vertical merge from a horizontal one. A word processor wraps the
text of a cell into lines: the lines of one paragraph are joined with a space, and a bullet item ("- …",
"+ …") starts a new line, as in table.csv.

A page break may fall inside a row: its cells continue at the top of the next page, under the repeated
header. The first row of a page is taken as such a continuation when its Stt cell is empty and its
timeframe cell is empty or goes on in lower case (a new product row always has a timeframe, printed with a
capital); every join is listed in the report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .grid import WIDTH, DocumentError, DocumentGrid, GridRow, header_rows, is_column_numbers, no_plan_table

_BULLET = re.compile(r"[-+•–]\s?\S")
_TIMEFRAME, _STT = WIDTH - 1, 0


@dataclass
class PageRow:
    lines: list[list[str]]  # per column, the printed lines (empty for a covered cell)
    page: int
    number: int  # row of the page's table, from 1
    above: set[int] = field(default_factory=set)
    left: set[int] = field(default_factory=set)
    raw: list[str | None] = field(default_factory=list)
    spans_down: set[int] = field(default_factory=set)  # columns whose cell goes on over the rows below
    header: bool = False  # one of the (repeated) header rows

    @property
    def where(self) -> str:
        return f"trang {self.page}, dòng {self.number}"


def read_pdf(path: Path) -> DocumentGrid:
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError

    try:
        pdf = pdfplumber.open(path)
    except (PDFSyntaxError, OSError, ValueError) as exc:
        raise DocumentError(path, f"cannot read as a PDF: {exc}") from exc
    with pdf:
        if not any(page.chars for page in pdf.pages):
            raise DocumentError(path, "has no text layer (a scanned image?): it cannot be read reliably; import "
                                      "the DOCX or XLSX the PDF was printed from, or run OCR on it first")
        return read_pages(path, pdf.pages)


def read_pages(path: Path, pages) -> DocumentGrid:
    preamble: list[str] = []
    rows: list[PageRow] = []
    notes: list[tuple[str, str]] = []
    started = ended = False
    for page_no, page in enumerate(pages, start=1):
        tables = sorted(page.find_tables(), key=lambda t: t.bbox[1])
        for table in tables:
            extracted = table.extract()
            if ended or not extracted or len(extracted[0]) != WIDTH or (
                    not started and not header_rows([[c or "" for c in row] for row in extracted[:4]])):
                if started:
                    ended = True
                notes.append(("ignored", f"Bỏ qua bảng ở trang {page_no} ({len(extracted)} dòng): không phải bảng kế hoạch / "
                             f"table on page {page_no} ({len(extracted)} rows) ignored: not the plan table"))
                continue
            if not started:
                above_table = page.crop((0, 0, page.width, table.bbox[1])).extract_text()
                preamble = [line for line in above_table.split("\n") if line.strip()]
                started = True
            page_rows = table_rows(table, extracted, page_no)
            headers = header_rows([joined(r) for r in page_rows])
            for index in headers:
                page_rows[index].header = True
            body = [r for r in rows if not skipped(r)]
            data = [r for r in page_rows if not skipped(r)]
            if body and data and data[0] is page_rows[len(page_rows) - len(data)] and page_no > body[-1].page:
                note, keep = page_top(data[0], body)
                if note:
                    notes.append(("page-break", note))
                if not keep:
                    page_rows.remove(data[0])
            rows.extend(page_rows)
        if ended:
            break
    if not started:
        raise no_plan_table(path, f"{len(pages)} page(s), no ruled table with the plan's header row")
    grid_rows = [GridRow([unwrap(lines) for lines in row.lines], row.where, frozenset(row.above),
                         frozenset(row.left)) for row in rows]
    return DocumentGrid(path, "PDF", preamble, grid_rows, notes)


def skipped(row: PageRow) -> bool:
    return row.header or is_column_numbers(joined(row))


def page_top(first: PageRow, body: list[PageRow]) -> tuple[str | None, bool]:
    """The first row under a page's header: the rest of the row cut by the page break (joined to it), or a new
    row whose merged cells go on from the page before (carried down; text a merged cell had left over joined
    to it). Returns the note for the report (None when there is nothing to note) and whether the row stays."""
    last = body[-1]
    if not any(first.lines):  # the empty rest of a row (an area title) cut by the page break
        return None, False
    if continues(first):
        columns = [c for c in range(WIDTH) if first.lines[c]]
        join(body, first, columns)
        return (f"{first.where} nối vào {last.where} (hàng bị ngắt trang) / joined to the row it continues: "
                f"{', '.join(COLUMN_NAMES[c] for c in columns)}"), False
    # A merged cell reaching the page bottom goes on here: empty, or with the text it had left over, which goes
    # on in lower case (Stt empty means the same objective; a covered cell above, a merge down to the page
    # bottom — a new task or activity starting here is printed with a capital).
    carried = [c for c in range(WIDTH) if first.raw[c] == "" and (c in (0, 1, 2) or c in first.spans_down)]
    overflow = [c for c in (1, 2, 3) if first.lines[c] and not first.lines[c][0][:1].isupper()
                and first.raw[_STT] == "" and (c == 1 or c in last.above)]
    join(body, first, overflow)
    first.above.update(carried + overflow)
    if not carried and not overflow:
        return None, True
    return (f"{first.where}: ô gộp tiếp tục từ trang trước, chép xuống / merged cells going on from the previous "
            f"page, carried down: {', '.join(COLUMN_NAMES[c] for c in sorted(carried + overflow))}"), True


COLUMN_NAMES = ("Stt", "Mục tiêu", "Nhiệm vụ", "Hoạt động", "Sản phẩm", "Cơ quan chủ trì", "Cơ quan phối hợp",
                "Thời gian thực hiện")


def joined(row: PageRow) -> list[str]:
    return [" ".join(lines) for lines in row.lines]


def table_rows(table, extracted: list[list[str | None]], page_no: int) -> list[PageRow]:
    # Column bounds from a row with all 8 cells (a merged area title would widen pdfplumber's column 2).
    full = next((row.cells for row in table.rows if all(row.cells)), None)
    columns = full or [column.bbox for column in table.columns]
    out = []
    for r, (row, texts) in enumerate(zip(table.rows, extracted)):
        page_row = PageRow([(t or "").split("\n") if t else [] for t in texts], page_no, r + 1, raw=list(texts))
        for c, text in enumerate(texts):
            if text is not None:
                continue
            x = (columns[c][0] + columns[c][2]) / 2
            y = (row.bbox[1] + row.bbox[3]) / 2
            owner = next((cell for cell in table.cells if cell[0] < x < cell[2] and cell[1] < y < cell[3]), None)
            if owner is not None and owner[1] < row.bbox[1] - 1:
                page_row.above.add(c)
                if out:
                    out[-1].spans_down.add(c)
            else:
                page_row.left.add(c)
        out.append(page_row)
    return out


def continues(first: PageRow) -> bool:
    """Is the first row of a page the rest of the last row of the page before?"""
    stt, timeframe = first.raw[_STT], first.raw[_TIMEFRAME]
    timeframe_goes_on = timeframe == "" or (timeframe is not None and not timeframe[:1].isupper())
    return stt == "" and timeframe_goes_on and any(first.lines)


def join(rows: list[PageRow], rest: PageRow, columns: list[int]) -> None:
    """Append the rest of each cell to the cell it continues: the last row's, or, where that row is covered
    by a merged cell, the merged cell's (the row it starts in)."""
    for c in columns:
        if rest.lines[c]:
            owner = next((row for row in reversed(rows) if c not in row.above), rows[-1])
            owner.lines[c] = owner.lines[c] + rest.lines[c]


def unwrap(lines: list[str]) -> str:
    """The printed lines of a cell back to its paragraphs: a wrapped line joins the one before with a space (or
    with nothing after a hyphen or slash ending a word, where the word processor broke it); a bullet item starts
    a new line — in a cell that is a list (its first line is a bullet) or after a line ending a sentence, so that
    "thu" / "- chi" wrapped inside a sentence stays "thu - chi"."""
    out: list[str] = []
    lines = [line.strip() for line in lines if line.strip()]
    is_list = bool(lines) and bool(_BULLET.match(lines[0]))
    for line in lines:
        if not out or (_BULLET.match(line) and (is_list or out[-1].endswith((".", ";", ":", "!", "?")))):
            out.append(line)
        elif out[-1].endswith(("-", "/")) and not out[-1].endswith((" -", " /")):
            out[-1] += line
        else:
            out[-1] += " " + line
    return "\n".join(out)
