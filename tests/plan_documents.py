"""Plan documents laid out from our own table.csv + plan.toml as a province issues them, for the import tests.

A landscape page, the appendix title, the "(Ban hành kèm theo …)" line, then one ruled 8-column table: a
header row, a column-number row, an area row per reform area (numeral, then the title across the other
columns), and product rows where Stt + objective, task and activity — and lead, coordinators and timeframe
where consecutive rows of one activity share them — are merged vertically. Bulleted cells hold one
paragraph per item.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PLAN = ROOT / "data" / "ninh-binh-2023"
HEADINGS = ("Stt", "Mục tiêu", "Nhiệm vụ", "Hoạt động", "Sản phẩm", "Cơ quan chủ trì", "Cơ quan phối hợp",
            "Thời gian thực hiện")
COLUMNS = ("objective_no", "objective", "task", "activity", "product", "lead", "coordinators", "timeframe")
WIDTHS_CM = (1.1, 4.4, 4.4, 3.8, 4.4, 3.0, 3.0, 2.6)  # 26.7 cm: landscape A4 less 1.5 cm margins
FONT = "DejaVu Sans"  # has every Vietnamese glyph, installed with LibreOffice


@dataclass
class Plan:
    meta: dict
    areas: dict[str, str]  # numeral -> title
    rows: list[dict[str, str]]


def read_plan(folder: Path = PLAN) -> Plan:
    data = tomllib.loads((folder / "plan.toml").read_text(encoding="utf-8"))
    with (folder / "table.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return Plan(data["plan"], {k: v["title"] for k, v in data["areas"].items()}, rows)


@dataclass
class Block:
    """One printed row of the table: an area row or a product row with, per column, how many rows its
    cell spans (0: covered by the cell above)."""
    area: str | None = None
    title: str = ""
    cells: dict[str, str] = field(default_factory=dict)
    spans: dict[str, int] = field(default_factory=dict)


def layout(plan: Plan) -> list[Block]:
    blocks: list[Block] = []
    area = None
    for row in plan.rows:
        if row["area"] != area:
            area = row["area"]
            blocks.append(Block(area=area, title=plan.areas[area]))
        blocks.append(Block(cells={c: row[c] for c in COLUMNS}, spans={c: 1 for c in COLUMNS}))
    # Merge what a province merges: each column while the columns to its left (its parents) stay merged.
    keys = {"objective_no": ("area", "objective_no", "objective"), "objective": ("area", "objective_no", "objective")}
    keys["task"] = keys["objective"] + ("task",)
    keys["activity"] = keys["task"] + ("activity",)
    for column in ("lead", "coordinators", "timeframe"):
        keys[column] = keys["activity"] + (column,)
    product_blocks = [b for b in blocks if b.area is None]
    rows = plan.rows
    for column, key in keys.items():
        top = 0
        for i in range(1, len(rows) + 1):
            same = (i < len(rows) and all(rows[i][k] == rows[top][k] for k in key) and rows[top][column]
                    and (column not in ("lead", "coordinators", "timeframe") or rows[top]["activity"]))
            if not same:
                product_blocks[top].spans[column] = i - top
                for j in range(top + 1, i):
                    product_blocks[j].spans[column] = 0
                top = i
    return blocks


def paragraphs_of(text: str) -> list[str]:
    return text.split("\n") if text else [""]


# ---------------------------------------------------------------------------------------------- DOCX
def make_docx(path: Path, plan: Plan, *, column_numbers: bool = True, second_table: bool = False,
              table: bool = True, two_row_header: bool = False) -> Path:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.5))
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(9)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    normal.paragraph_format.space_after = Pt(0)

    def centred(text: str, bold=False, italic=False):
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = p.add_run(text)
        run.bold, run.italic = bold, italic

    centred("Phụ lục", bold=True)
    centred(plan.meta["appendix_title"], bold=True)
    centred(plan.meta["issued_with_as_printed"], italic=True)
    doc.add_paragraph()
    if not table:
        doc.add_paragraph("Các mục tiêu, nhiệm vụ được giao tại văn bản riêng.")
        doc.save(path)
        return path

    grid = doc.add_table(rows=0, cols=8)
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    for column, width in zip(grid.columns, WIDTHS_CM):
        column.width = Cm(width)

    def add_row(texts: list[str], header: bool = False, bold: bool = False):
        row = grid.add_row()
        if header:  # repeated at the top of every page, as provinces print it
            row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
        for cell, text, width in zip(row.cells, texts, WIDTHS_CM):
            cell.width = Cm(width)
            write(cell, text, bold)
        return row

    def write(cell, text: str, bold: bool = False):
        for extra in cell.paragraphs[1:]:  # a merge leaves the empty paragraphs of the merged cells
            extra._p.getparent().remove(extra._p)
        first = True
        for line in paragraphs_of(text):
            p = cell.paragraphs[0] if first else cell.add_paragraph()
            first = False
            if line:
                p.add_run(line).bold = bold

    if two_row_header:  # "Cơ quan thực hiện" over "Chủ trì" | "Phối hợp", the other headings merged down
        top = add_row([""] * 8, header=True)
        bottom = add_row([""] * 5 + ["Chủ trì", "Phối hợp", ""], header=True, bold=True)
        write(top.cells[5].merge(top.cells[6]), "Cơ quan thực hiện", True)
        for col in (0, 1, 2, 3, 4, 7):
            write(top.cells[col].merge(bottom.cells[col]), HEADINGS[col], True)
    else:
        add_row(list(HEADINGS), header=True, bold=True)
    if column_numbers:
        add_row([f"({n})" for n in range(1, 9)], header=True)
    blocks = layout(plan)
    rows = []
    for block in blocks:
        if block.area:
            row = add_row([block.area, block.title] + [""] * 6, bold=True)
            row.cells[1].merge(row.cells[7])
            rows.append(None)
        else:
            rows.append(add_row([""] * 8))
    for index, block in enumerate(blocks):
        if block.area:
            continue
        for col, column in enumerate(COLUMNS):
            span = block.spans[column]
            if span == 0:
                continue
            cell = rows[index].cells[col]
            if span > 1:
                cell = cell.merge(rows[index + span - 1].cells[col])
            write(cell, block.cells[column])
    if second_table:
        doc.add_paragraph()
        doc.add_paragraph("Nơi nhận:")
        other = doc.add_table(rows=2, cols=2)
        other.style = "Table Grid"
        other.rows[0].cells[0].text, other.rows[0].cells[1].text = "Nơi nhận", "TM. ỦY BAN NHÂN DÂN"
        other.rows[1].cells[0].text, other.rows[1].cells[1].text = "- Như trên;", "CHỦ TỊCH"
    doc.save(path)
    return path


# ---------------------------------------------------------------------------------------------- XLSX
def make_xlsx(path: Path, plan: Plan, *, column_numbers: bool = True, second_table: bool = False) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    wb = Workbook()
    ws = wb.active
    ws.title = "Phụ lục"
    thin = Side(style="thin")
    ruled = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCDEFGH", WIDTHS_CM):
        ws.column_dimensions[letter].width = width * 5
    ws.append(["Phụ lục"])
    ws.append([plan.meta["appendix_title"]])
    ws.append([plan.meta["issued_with_as_printed"]])
    for r in (1, 2, 3):
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=8)
        ws.cell(r, 1).alignment = Alignment(horizontal="center", wrap_text=True)
        ws.cell(r, 1).font = Font(bold=r < 3, italic=r == 3)
    ws.append([])
    ws.append(list(HEADINGS))
    if column_numbers:
        ws.append([f"({n})" for n in range(1, 9)])
    blocks = layout(plan)
    first = ws.max_row + 1
    for block in blocks:
        if block.area:
            ws.append([block.area, block.title])
            ws.merge_cells(start_row=ws.max_row, start_column=2, end_row=ws.max_row, end_column=8)
        else:
            ws.append([block.cells[c] if block.spans[c] else None for c in COLUMNS])
    for offset, block in enumerate(blocks):
        if block.area:
            continue
        for col, column in enumerate(COLUMNS, start=1):
            if block.spans[column] > 1:
                ws.merge_cells(start_row=first + offset, start_column=col,
                               end_row=first + offset + block.spans[column] - 1, end_column=col)
    for row in ws.iter_rows(min_row=5, max_row=ws.max_row, max_col=8):
        for cell in row:
            if type(cell).__name__ == "Cell":
                cell.border, cell.alignment = ruled, wrap
    if second_table:
        other = wb.create_sheet("Nơi nhận")
        other.append(["Nơi nhận", "Ghi chú"])
        other.append(["- Như trên;", ""])
    wb.save(path)
    return path


# ---------------------------------------------------------------------------------------------- PDF
def soffice() -> str:
    """The LibreOffice binary; in CI its absence is a failure, locally a skip."""
    found = shutil.which("soffice")
    if not found:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("soffice (LibreOffice) is not installed: .ci/run installs libreoffice-writer-nogui")
        pytest.skip("soffice (LibreOffice) is not installed")
    return found


def docx_to_pdf(docx: Path, outdir: Path) -> Path:
    """Print a DOCX to PDF as a province does, with LibreOffice headless (a fresh profile per run)."""
    binary = soffice()
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        subprocess.run([binary, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                        "--outdir", str(outdir), str(docx)], check=True, capture_output=True, timeout=240)
    pdf = outdir / (docx.stem + ".pdf")
    assert pdf.exists(), f"LibreOffice wrote no {pdf}"
    return pdf
