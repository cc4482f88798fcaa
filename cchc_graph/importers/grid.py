"""The neutral grid every format reader yields: the text before the plan table and the table's rows.

A reader only says what the document holds: the text of each of the 8 cells of a row, which cells are the
continuation of a merged cell (vertically, from the row above; horizontally, from the cell to the left),
and where the row came from. Deciding what the rows mean (header, area, product row) is plan.py's job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import SourceError
from ..text import fold

WIDTH = 8
COLUMNS = ("objective_no", "objective", "task", "activity", "product", "lead", "coordinators", "timeframe")
HEADINGS_VI = ("Stt", "Mục tiêu", "Nhiệm vụ", "Hoạt động", "Sản phẩm", "Cơ quan chủ trì", "Cơ quan phối hợp",
               "Thời gian thực hiện")
# What each printed heading must contain (folded), so "TT", "Thời gian hoàn thành" or "Cơ quan chủ trì thực
# hiện" are recognised too.
_HEADING_KEYS = (("stt", "tt", "số tt"), ("mục tiêu",), ("nhiệm vụ",), ("hoạt động",), ("sản phẩm",),
                 ("chủ trì",), ("phối hợp",), ("thời gian",))
_COLUMN_NUMBER = re.compile(r"\(?(\d+)\)?")


class DocumentError(SourceError):
    """A document that cannot be imported; nothing was written."""


@dataclass
class GridRow:
    cells: list[str]  # 8 texts; paragraphs / lines of a cell joined by "\n"
    where: str  # where the row is in the document, for people: "bảng 1, dòng 5" / "trang 3, dòng 2"
    above: frozenset[int] = frozenset()  # columns continuing a vertically merged cell of the row above
    left: frozenset[int] = frozenset()  # columns covered by a horizontally merged cell to their left


@dataclass
class DocumentGrid:
    path: Path
    kind: str  # DOCX, XLSX, PDF
    preamble: list[str]  # paragraphs before the table: "Phụ lục", the title, "(Ban hành kèm theo …)"
    rows: list[GridRow]
    notes: list[tuple[str, str]] = field(default_factory=list)  # the reader's decisions: (kind, text)


def is_header(cells: list[str]) -> bool:
    """The 8 headings: each cell short (a heading, not a sentence that happens to say "mục tiêu") and holding
    its column's key words."""
    folded = [fold(c) for c in cells]
    return len(folded) == WIDTH and all(len(f) <= 40 and any(k == f or (len(k) > 3 and k in f) for k in keys)
                                        for keys, f in zip(_HEADING_KEYS, folded))


def is_column_numbers(cells: list[str]) -> bool:
    numbers = [_COLUMN_NUMBER.fullmatch(c.strip()) for c in cells]
    return all(numbers) and [int(m.group(1)) for m in numbers] == list(range(1, WIDTH + 1))


def header_rows(rows: list[list[str]]) -> list[int]:
    """Indices of the header rows: a row with the 8 headings, or two rows that hold them together (e.g. "Cơ
    quan thực hiện" over "Chủ trì" | "Phối hợp")."""
    found: list[int] = []
    for i, row in enumerate(rows):
        if i in found:
            continue
        if is_header(row):
            found.append(i)
        elif i + 1 < len(rows) and is_header([f"{a} {b}" for a, b in zip(row, rows[i + 1])]):
            found += [i, i + 1]
    return found


def find_header(tables: list[list[list[str]]]) -> int | None:
    """Index of the first table with a plan header among its first rows."""
    for index, rows in enumerate(tables):
        if header_rows(rows[:4]):
            return index
    return None


def no_plan_table(path: Path, found: str) -> DocumentError:
    return DocumentError(path, f"no plan table found ({found}): the appendix table must have the 8 columns "
                              f"{' | '.join(HEADINGS_VI)} with that header row; check the file is the plan's "
                              "appendix")
