"""XLSX reader (openpyxl): the plan table is the first sheet with a plan header row.

openpyxl keeps the text of a merged range in its top-left cell and lists the ranges in
`ws.merged_cells.ranges`; the other cells of a range are marked as continuations (from above, or from the
left), not copied. The rows above the header (title, "(Ban hành kèm theo …)") are the preamble.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

from .grid import WIDTH, DocumentError, DocumentGrid, GridRow, header_rows, no_plan_table


def read_xlsx(path: Path) -> DocumentGrid:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise DocumentError(path, f"cannot read as an Excel workbook (.xlsx): {exc}; save it again as .xlsx") from exc
    found = None
    for sheet in workbook.worksheets:
        values = [[text(v) for v in row] for row in sheet.iter_rows(max_col=WIDTH, values_only=True)]
        headers = header_rows([row + [""] * (WIDTH - len(row)) for row in values])
        header = headers[0] if headers else None
        if header is not None and found is None:
            found = (sheet, values, header)
    if found is None:
        raise no_plan_table(path, f"{len(workbook.worksheets)} sheet(s), none with the plan's header row")
    sheet, values, header = found
    above: dict[tuple[int, int], str] = {}  # (row, column) 0-based -> "above" | "left"
    for merged in sheet.merged_cells.ranges:
        for r in range(merged.min_row, merged.max_row + 1):
            for c in range(merged.min_col, min(merged.max_col, WIDTH) + 1):
                if (r, c) != (merged.min_row, merged.min_col):
                    above[(r - 1, c - 1)] = "above" if c == merged.min_col or r > merged.min_row else "left"
    preamble = []
    for r, row in enumerate(values[:header]):
        preamble.extend(v for c, v in enumerate(row) if v.strip() and (r, c) not in above)
    rows = []
    for r in range(header, len(values)):
        cells = values[r] + [""] * (WIDTH - len(values[r]))
        if not any(c.strip() for c in cells) and not any((r, c) in above for c in range(WIDTH)):
            continue  # a blank line below or inside the table
        rows.append(GridRow([cells[c] if (r, c) not in above else "" for c in range(WIDTH)],
                            f"sheet “{sheet.title}”, dòng {r + 1}",
                            frozenset(c for c in range(WIDTH) if above.get((r, c)) == "above"),
                            frozenset(c for c in range(WIDTH) if above.get((r, c)) == "left")))
    notes = [("ignored", f"Bỏ qua sheet “{ws.title}”: không phải bảng kế hoạch / sheet “{ws.title}” ignored: not the plan table")
             for ws in workbook.worksheets if ws is not sheet and ws.max_row and any(
                 v is not None for row in ws.iter_rows(values_only=True) for v in row)]
    return DocumentGrid(path, "XLSX", preamble, rows, notes)


def text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    return str(value).replace("_x000D_", "")
