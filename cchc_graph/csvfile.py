"""The one reader of the CSV sources (plan table, agency registry and aliases, legal catalogue, unnumbered
references): every file gets the same checks and the same errors, naming the file, the line and the column."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Iterator

from .errors import SourceError
from .text import MAX_CELL, clean_cell


def read_rows(path: Path, columns: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line where the record starts, {column: cleaned cell}) for each non-blank record of `path`.

    Checks: UTF-8 (a byte-order mark is tolerated, as spreadsheets add one), RFC 4180 quoting, every
    `columns` present in the header, as many cells in each record as in the header, no cell over MAX_CELL
    characters. Columns beyond `columns` are kept."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle, strict=True)
            try:
                header = [clean_cell(h) for h in next(reader, [])]
                missing = [c for c in columns if c not in header]
                if missing:
                    raise SourceError(path, f"missing required column(s) {', '.join(missing)}; the header must name "
                                            f"{', '.join(columns)}", row=1)
                start = 2
                for values in reader:
                    line, start = start, reader.line_num + 1
                    if not any(v.strip() for v in values):
                        continue
                    if len(values) != len(header):
                        raise SourceError(path, f"has {len(values)} cells, the header has {len(header)} "
                                                "(a missing or extra comma, or an unclosed quote?)", row=line)
                    for name, value in zip(header, values):
                        if len(value) > MAX_CELL:
                            raise SourceError(path, f"cell of {len(value)} characters, more than the "
                                                    f"{MAX_CELL} a cell may hold", row=line, column=name or None)
                    yield line, {h: clean_cell(v) for h, v in zip(header, values) if h}
            except csv.Error as exc:
                raise SourceError(path, f"malformed CSV: {exc} (quote a cell that holds a comma, a quote or "
                                        "a line break, and double the quotes inside it)", row=reader.line_num) from None
    except UnicodeDecodeError as exc:
        raise SourceError(path, f"not UTF-8 text ({exc.reason} at byte {exc.start}); save the file as UTF-8") from None
    except OSError as exc:
        raise SourceError(path, f"cannot read: {exc.strerror or exc}") from None


def optional_date(value: str, path: Path, line: int, column: str) -> dt.date | None:
    """A YYYY-MM-DD cell, or None when it is empty (unknown stays unknown)."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise SourceError(path, f"{column} must be a date YYYY-MM-DD (or empty when unknown), not {value!r}",
                          row=line, column=column) from None
