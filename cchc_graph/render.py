"""Query answers for people and for machines: a text table wrapped to the terminal, CSV (also for Excel),
SPARQL 1.1 JSON results, Markdown, and an xlsx spreadsheet.

Column headers are the SPARQL variable names (`row_id`, `lead`…), which scripts rely on, unless Vietnamese
headers are asked for (`lang="vi"`, the default of xlsx only); the Vietnamese names of every column of every
saved query are in one table, queries/columns.yaml, since columns repeat across queries.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import shutil
import sys
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator

import yaml
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from .errors import CchcError
from .namespaces import XSD
from .resources import QUERIES
from .text import nfc

COLUMN_LABELS = QUERIES / "columns.yaml"
TEXT_FORMATS = ("table", "csv", "json", "markdown")
FORMATS = (*TEXT_FORMATS, "xlsx")
LANGS = ("en", "vi")
DEFAULT_WIDTH = 120  # the table's width when standard output is no terminal and COLUMNS is not set
BOM = "\ufeff".encode("utf-8")
NUMERIC = {XSD.integer, XSD.int, XSD.long, XSD.short, XSD.decimal, XSD.double, XSD.float,
           XSD.nonNegativeInteger, XSD.positiveInteger, XSD.negativeInteger, XSD.nonPositiveInteger}


class RenderError(CchcError):
    """An output option that does not fit the format (xlsx without a file, Vietnamese JSON headers)."""


@dataclass
class Table:
    """A SELECT answer (columns, rows), or an ASK answer (`boolean` set, no columns or rows)."""
    columns: list[str]
    rows: list[dict[str, Node]]
    boolean: bool | None = None


def cell(term: Node | None) -> str:
    return "" if term is None else str(term)


# ---------------------------------------------------------------------------------------- headers

@lru_cache(maxsize=2)
def _labels(path: Path) -> dict[str, str]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise CchcError(f"{path}: cannot read the column labels: {exc}") from None
    return {str(k): nfc(str(v)) for k, v in data.items()}


def column_labels(lang: str = "vi", path: Path = COLUMN_LABELS) -> dict[str, str]:
    """Variable name -> header in `lang`; English headers are the variable names themselves."""
    return dict(_labels(path)) if lang == "vi" else {}


def headers(columns: list[str], lang: str) -> list[str]:
    if lang not in LANGS:
        raise RenderError(f"unknown language {lang!r}; choose vi or en")
    labels = column_labels(lang)
    return [labels.get(c, c) for c in columns]


def default_lang(fmt: str) -> str:
    """xlsx is for people: Vietnamese headers; every other format keeps the variable names."""
    return "vi" if fmt == "xlsx" else "en"


# ---------------------------------------------------------------------------------------- text formats

def terminal_width(to_file: bool = False) -> int:
    """COLUMNS when set, else the terminal's width when the table goes to standard output and that is a
    terminal, else DEFAULT_WIDTH (a file or a pipe gets the same lines wherever it is written)."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    if not to_file and sys.stdout.isatty():
        return shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns
    return DEFAULT_WIDTH


def cut(value: str, limit: int | None) -> str:
    """One line of at most `limit` characters, ending in … when cut (bullets joined with ⏎)."""
    value = value.replace("\n", " ⏎ ")
    if limit is None or len(value) <= limit:
        return value
    return value[: max(limit - 1, 0)] + "…"


def render(table: Table, fmt: str, *, lang: str | None = None, width: int | None = None,
           truncate: int | None = None) -> str:
    """The answer as text. `width`: of the table (default `terminal_width()`); `truncate`: cut the cells of a
    table or Markdown answer at that many characters instead of wrapping them."""
    lang = lang or default_lang(fmt)
    check_options(fmt, lang=lang, truncate=truncate)
    if table.boolean is not None:
        # SPARQL 1.1 Query Results JSON has a boolean form; CSV has none: `true` or `false` on one line.
        if fmt == "json":
            return json.dumps({"head": {}, "boolean": table.boolean}) + "\n"
        return ("true" if table.boolean else "false") + "\n"
    if fmt == "json":
        bindings = [{c: term_json(t) for c, t in row.items()} for row in table.rows]
        return json.dumps({"head": {"vars": table.columns}, "results": {"bindings": bindings}},
                          ensure_ascii=False, indent=2) + "\n"
    names = headers(table.columns, lang)
    if fmt in ("csv", "markdown"):
        return "".join(_lines(table.columns, names, table.rows, fmt, truncate))
    if fmt == "table":
        return text_table(names, [[cell(row.get(c)) for c in table.columns] for row in table.rows],
                          width or terminal_width(), truncate)
    raise RenderError(f"--format {fmt} is written by render_bytes")


class _Sink:
    """What csv.writer writes to: each line handed to a function."""

    def __init__(self, write) -> None:
        self.write = write


def _lines(columns: list[str], names: list[str], rows: Iterable[dict[str, Node]], fmt: str,
           truncate: int | None) -> Iterator[str]:
    """A CSV or Markdown answer line by line (a CSV line may hold a quoted line break): the header first,
    before any row is read."""
    if fmt == "csv":
        written: list[str] = []
        writer = csv.writer(_Sink(written.append), lineterminator="\n")  # one write call per line

        def line(values: list[str]) -> str:
            writer.writerow(values)
            return written.pop()
    else:
        def esc(value: str) -> str:
            value = cut(value, truncate) if truncate else value
            return value.replace("|", "\\|").replace("\n", "<br>")

        def line(values: list[str]) -> str:
            return "| " + " | ".join(esc(value) for value in values) + " |\n"
    yield line(names) if fmt == "csv" else "| " + " | ".join(names) + " |\n" + "|" + "---|" * len(names) + "\n"
    for row in rows:
        yield line([cell(row.get(c)) for c in columns])


def _json_lines(columns: list[str], rows: Iterable[dict[str, Node]]) -> Iterator[str]:
    """The SPARQL 1.1 JSON results of `render` (json.dumps, indent 2) in pieces: the head first, then each
    binding as it is read, indented to its depth in the whole document. The same bytes (a test)."""
    skeleton = json.dumps({"head": {"vars": columns}, "results": {"bindings": [0]}}, ensure_ascii=False, indent=2)
    before, after = skeleton.split("\n      0\n")  # 0: a placeholder no variable name (a JSON string) can be
    yield before
    first = True
    for row in rows:
        binding = json.dumps({c: term_json(t) for c, t in row.items()}, ensure_ascii=False, indent=2)
        yield ("\n" if first else ",\n") + "      " + binding.replace("\n", "\n      ")
        first = False
    # json.dumps writes an empty list as `[]`, on the line it opens
    yield ("]" + after.removeprefix("    ]") if first else "\n" + after) + "\n"


STREAMED = ("csv", "json", "markdown")  # written line by line; a table needs every row for its column widths


def stream(columns: list[str], rows: Iterable[dict[str, Node]], fmt: str, *, lang: str | None = None,
           truncate: int | None = None, excel: bool = False) -> Iterator[bytes]:
    """The bytes `render_bytes` gives for a SELECT answer, in pieces written as the rows are read: the
    header (or JSON head) before the first row is asked for, then a piece per row. For the formats of
    STREAMED only: a table sizes its columns from every row, and a spreadsheet is one zip file."""
    if fmt not in STREAMED:
        raise RenderError(f"--format {fmt} is not written row by row; choose {', '.join(STREAMED)}")
    lang = lang or default_lang(fmt)
    check_options(fmt, lang=lang, truncate=truncate, excel=excel, to_file=True)
    pieces = _json_lines(columns, rows) if fmt == "json" else _lines(columns, headers(columns, lang), rows, fmt, truncate)
    first = True
    for piece in pieces:
        data = piece.encode("utf-8")
        yield BOM + data if excel and first else data
        first = False


def share_width(natural: list[int], floors: list[int], available: int) -> list[int]:
    """Column widths that fit `available` characters (water-filling): every column gets at least its floor
    (its longest word, within limits, so words are not folded), a column narrower than the level keeps its
    natural width, and the wider ones are cut to one common level, so one long column cannot squeeze the short
    ones. When the floors do not fit, the longest are lowered to one level (words fold), down to 4 characters."""
    if sum(natural) <= available:
        return list(natural)
    floors = [min(f, n) for f, n in zip(floors, natural)]
    # Too narrow to keep every word whole: lower the longest floors first, rather than pass the edge.
    cap = max(floors)
    while cap > 4 and sum(min(f, cap) for f in floors) > available:
        cap -= 1
    floors = [min(f, cap) for f in floors]

    def fit(level: int) -> list[int]:
        return [max(f, min(n, level)) for f, n in zip(floors, natural)]
    level = max(natural)
    while level > 1 and sum(fit(level)) > available:
        level -= 1
    return fit(level)


def text_table(names: list[str], rows: list[list[str]], width: int, truncate: int | None = None) -> str:
    """A plain-text table drawn by rich. The widths come from `share_width` (rich's own shrinking cuts every
    column in proportion, folding short headers first); rich wraps each cell at word boundaries within its
    column, folds a word longer than the column (nothing is dropped) and keeps a cell's own lines as lines.
    Rows are ruled apart once any cell takes several lines. With `truncate`, every cell is one line cut at
    that length and the table is as wide as it needs. No colour, no trailing spaces: the same text in a
    terminal, a pipe and a test."""
    from rich import box
    from rich.console import Console
    from rich.table import Table as RichTable
    from rich.text import Text

    if truncate:
        rows = [[cut(value, truncate) for value in row] for row in rows]
    natural = [max(len(line) for value in [name, *(row[i] for row in rows)] for line in value.split("\n"))
               for i, name in enumerate(names)]
    # A column may shrink to its header (up to 26 characters) and its cells' longest word (up to 16), no less.
    floors = [max(4, min(len(name), 26), min(max((len(word) for row in rows for word in row[i].split()), default=0), 16))
              for i, name in enumerate(names)]
    widths = natural if truncate else share_width(natural, floors, width - 3 * len(names) - 1)
    multiline = any(len(value) > w or "\n" in value for row in rows for value, w in zip(row, widths))
    grid = RichTable(box=box.SQUARE, show_lines=multiline, header_style="none")
    for name, column_width in zip(names, widths):
        grid.add_column(Text(name), width=column_width, overflow="fold", no_wrap=bool(truncate))
    for row in rows:
        grid.add_row(*(Text(value) for value in row))  # Text: brackets in the data are not rich markup
    out = io.StringIO()
    Console(file=out, width=sum(widths) + 3 * len(names) + 1, color_system=None, force_terminal=False,
            no_color=True, highlight=False, emoji=False, markup=False, legacy_windows=False).print(grid)
    lines = [line.rstrip() for line in out.getvalue().splitlines()]
    return "\n".join(lines + [f"({len(rows)} rows)"]) + "\n"


def term_json(term: Node) -> dict:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    out = {"type": "literal", "value": str(term)}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype:
        out["datatype"] = str(term.datatype)
    return out


# ---------------------------------------------------------------------------------------- files

def render_bytes(table: Table, fmt: str, *, lang: str | None = None, width: int | None = None,
                 truncate: int | None = None, excel: bool = False, title: str = "answer") -> bytes:
    """What `query -o FILE` writes (and prints, for the text formats). `excel`: CSV with a UTF-8 byte order
    mark, without which Excel reads UTF-8 as the local code page and garbles Vietnamese."""
    check_options(fmt, lang=lang, truncate=truncate, excel=excel, to_file=True)
    if fmt == "xlsx":
        if table.boolean is not None:
            raise RenderError("the answer to an ASK query is true or false: choose --format table, csv, json or "
                              "markdown")
        return xlsx(table, lang or default_lang(fmt), title)
    data = render(table, fmt, lang=lang, width=width, truncate=truncate).encode("utf-8")
    return BOM + data if excel else data


def check_options(fmt: str, *, lang: str | None = None, truncate: int | None = None, excel: bool = False,
                  to_file: bool = False) -> None:
    """Refuse output options that do not fit the format, before any query runs."""
    if fmt not in FORMATS:
        raise RenderError(f"unknown output format {fmt!r}; choose {', '.join(FORMATS)}")
    if fmt == "xlsx" and not to_file:
        raise RenderError("--format xlsx writes a spreadsheet, not text for a terminal: add -o FILE.xlsx")
    if excel and fmt != "csv":
        raise RenderError("--excel applies to --format csv (an xlsx file opens in Excel as it is)")
    if truncate and fmt not in ("table", "markdown"):
        raise RenderError(f"--truncate applies to --format table or markdown; {fmt} answers keep every cell whole")
    if lang not in (None, *LANGS):
        raise RenderError(f"unknown language {lang!r}; choose vi or en")
    if lang == "vi" and fmt == "json":
        raise RenderError("json output is the SPARQL 1.1 results format, whose variable names stay as they "
                          "are; use --format csv, table, markdown or xlsx for Vietnamese headers")


def _value(term: Node | None, numeric: bool):
    """A cell of the spreadsheet: numbers as numbers (where the whole column is numeric), dates as dates,
    everything else (IRIs too) as the text the CSV answer holds."""
    if term is None:
        return None
    if isinstance(term, Literal):
        if numeric:
            value = term.toPython()
            return int(value) if isinstance(value, int) else float(value) if isinstance(value, Decimal) else value
        if term.datatype == XSD.date and isinstance(term.toPython(), dt.date):
            return term.toPython()
    return str(term)


def xlsx(table: Table, lang: str, title: str = "answer") -> bytes:
    """One sheet: bold header row (frozen), every cell top-aligned and wrapped, columns as wide as their
    longest line up to 60 characters. Written in openpyxl's write-only mode, which streams the rows (several
    times faster than styling a loaded sheet cell by cell: 50,000 lines of plan-table are a corpus answer)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    names = headers(table.columns, lang)
    numeric = {c: all(isinstance(r[c], Literal) and r[c].datatype in NUMERIC and not isinstance(r[c].toPython(), str)
                      for r in table.rows if r.get(c) is not None) for c in table.columns}
    rows = [[_value(row.get(c), numeric[c]) for c in table.columns] for row in table.rows]
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])  # Excel's limit on sheet names
    for index, name in enumerate(names):
        longest = max(len(line) for value in [name, *(row[index] for row in rows)]
                      for line in ("" if value is None else str(value)).split("\n"))
        sheet.column_dimensions[get_column_letter(index + 1)].width = min(max(longest, 8), 60) + 2
    sheet.freeze_panes = "A2"
    wrap, bold = Alignment(wrap_text=True, vertical="top"), Font(bold=True)

    def styled(value, header: bool = False) -> WriteOnlyCell:
        item = WriteOnlyCell(sheet, value=value)
        item.alignment = wrap
        if header:
            item.font = bold
        elif isinstance(value, dt.date):
            item.number_format = "yyyy-mm-dd"
        return item
    sheet.append([styled(name, header=True) for name in names])
    for row in rows:
        sheet.append([styled(value) for value in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
