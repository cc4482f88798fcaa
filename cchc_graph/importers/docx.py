"""DOCX reader (python-docx): the paragraphs before the plan table, then the table's cell grid.

python-docx gives each row one cell per grid column; a horizontally merged cell (w:gridSpan) appears
once per column it spans, and a vertically merged continuation (w:vMerge) gives the cell it continues, whose
<w:tc> lives in an earlier row. Both are marked, not copied: plan.py carries merged cells down.
"""

from __future__ import annotations

from pathlib import Path

from .grid import WIDTH, DocumentError, DocumentGrid, GridRow, find_header, no_plan_table


def read_docx(path: Path) -> DocumentGrid:
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError, OSError) as exc:
        raise DocumentError(path, f"cannot read as a Word document (.docx): {exc}; save it again as .docx") from exc
    blocks = list(document.iter_inner_content())
    tables = [block for block in blocks if isinstance(block, Table)]
    grids = [table_rows(table) for table in tables]
    found = find_header([[cells for cells, _, _ in grid] for grid in grids])
    if found is None:
        raise no_plan_table(path, f"{len(tables)} table(s) in the document, none with the plan's header row")
    preamble = []
    for block in blocks:
        if block is tables[found]:
            break
        if not isinstance(block, Table) and block.text.strip():
            preamble.append(block.text)
    rows = [GridRow(cells, f"bảng {found + 1}, dòng {n}", above, left)
            for n, (cells, above, left) in enumerate(grids[found], start=1)]
    bulleted = [n for n, row in enumerate(tables[found].rows, start=1)
                if any(bullet(p) for cell in row.cells for p in cell.paragraphs)]
    notes = [("text", f"bảng {found + 1}, dòng {n}: dấu đầu dòng tự động của Word ghi thành “- ” / Word's own "
                      "bullets written as “- ”") for n in bulleted]
    notes += [("ignored", f"Bỏ qua bảng {i + 1} ({len(grid)} dòng): không phải bảng kế hoạch / "
             f"table {i + 1} ({len(grid)} rows) ignored: not the plan table")
             for i, grid in enumerate(grids) if i != found]
    return DocumentGrid(path, "DOCX", preamble, rows, notes)


def table_rows(table) -> list[tuple[list[str], frozenset[int], frozenset[int]]]:
    rows = []
    for row in table.rows:
        cells = [None] * row.grid_cols_before + list(row.cells) + [None] * row.grid_cols_after
        if len(cells) != WIDTH:
            # Not an 8-column table: keep its text so the header test fails on it, and nothing else.
            rows.append(([c.text if c is not None else "" for c in cells], frozenset(), frozenset()))
            continue
        texts, above, left = [], set(), set()
        for col, cell in enumerate(cells):
            if cell is None:
                texts.append("")
            elif cell._tc.getparent() is not row._tr:  # a w:vMerge continuation: the cell lives above
                texts.append("")
                above.add(col)
            elif col and cells[col - 1] is not None and cells[col - 1]._tc is cell._tc:
                texts.append("")
                left.add(col)
            else:
                texts.append("\n".join(bullet(p) + p.text for p in cell.paragraphs))
        rows.append((texts, frozenset(above), frozenset(left)))
    return rows


def bullet(paragraph) -> str:
    """"- " for a paragraph Word bullets by itself (a list style or list formatting): the text holds no bullet,
    table.csv writes it as printed. Numbered lists are left alone (their number is not text either)."""
    num_pr = paragraph._p.pPr.numPr if paragraph._p.pPr is not None else None
    style = paragraph.style
    while num_pr is None and style is not None:
        ppr = style.element.pPr
        num_pr = ppr.numPr if ppr is not None else None
        style = style.base_style
    if num_pr is None or num_pr.numId is None:
        return ""
    try:
        numbering = paragraph.part.numbering_part.element
    except (NotImplementedError, KeyError):
        return ""
    num = numbering.num_having_numId(num_pr.numId.val) if num_pr.numId.val else None
    if num is None:
        return ""
    level = num_pr.ilvl.val if num_pr.ilvl is not None else 0
    formats = numbering.xpath(f'./w:abstractNum[@w:abstractNumId="{num.abstractNumId.val}"]'
                              f'/w:lvl[@w:ilvl="{level}"]/w:numFmt/@w:val')
    return "- " if formats and formats[0] == "bullet" else ""
