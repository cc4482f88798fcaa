"""From the neutral grid to a plan folder: table.csv, plan.toml and import-report.md.

Format-independent: recognises the header row, the column-number row and the area rows, carries merged
cells down, numbers the product rows `<area>-NN`, cleans every cell as the build does (clean_cell), reads
the plan's metadata from the title and the "(Ban hành kèm theo …)" line, and records every decision a
person should check.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import re
from dataclasses import dataclass, field

from .. import names
from ..agencies import Registry
from ..sources import ROMAN_AREAS, TABLE_COLUMNS
from ..text import ascii_slug, clean_cell, fold, nfc
from .grid import COLUMNS, HEADINGS_VI, DocumentError, DocumentGrid, GridRow, header_rows, is_column_numbers

_ROMAN = re.compile(r"(?P<numeral>[IVX]+)\.?")
_OBJECTIVE_NO = re.compile(r"(\d+)\s*[.)]?")
_ROMAN_TITLE = re.compile(r"(?P<numeral>[IVX]+)[.\s]+(?P<title>.+)", re.S)
_TITLE = re.compile(r"(?P<kind>TỈNH|THÀNH PHỐ)\s+(?P<province>.+?)\s+NĂM\s+(?P<year>\d{4})", re.I)
_ISSUED = re.compile(r"ban hành kèm theo", re.I)
_NUMBER = re.compile(r"\bsố\s*:?(?P<number>.*?)\s+(?=ngày)", re.I)
_DATE = re.compile(r"(?P<date>ngày.*?năm\s+\d{4})", re.I)
_DAY = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.I)
_ISSUER = re.compile(r"\bcủa\s+(?P<issuer>.+?)\s*\)?\s*$", re.I)
_PARENTHESIS = re.compile(r"\s*\([^)]*\)")
AGENCY_COLUMNS = ("lead", "coordinators")


@dataclass
class Decision:
    kind: str  # one of KINDS
    text: str  # one line for people, Vietnamese first


KINDS = {
    "page-break": "Ô nối qua ngắt trang / Cells joined across a page break",
    "text": "Chữ trong ô / Cell text",
    "merged": "Ô gộp được chép xuống / Merged cells carried down",
    "skipped": "Dòng bỏ qua / Rows skipped",
    "ignored": "Bảng bỏ qua / Tables ignored",
    "agency": "Cơ quan chưa có trong danh mục / Agencies not in the registry",
    "metadata": "Thông tin kế hoạch / Plan metadata",
}
TO_CHECK = ("page-break", "text", "agency", "metadata")


@dataclass
class ImportedPlan:
    plan_id: str
    rows: list[dict[str, str]]
    meta: dict[str, object]
    areas: dict[str, tuple[str, str]]  # numeral -> (title as printed, reform-area concept or "")
    decisions: list[Decision] = field(default_factory=list)


def column_label(col: int) -> str:
    return f"{HEADINGS_VI[col]} (`{COLUMNS[col]}`)"


def grid_to_plan(grid: DocumentGrid, registry: Registry, area_labels: dict[str, str],
                 plan_id: str | None = None) -> ImportedPlan:
    decisions = [Decision(kind, note) for kind, note in grid.notes]
    rows, areas = table_rows(grid, decisions)
    # The plan's own province's registry comes back: its departments, its UBND tỉnh …
    registry, meta = plan_meta(grid, registry, decisions)
    plan_id = nfc(plan_id) if plan_id else f"{meta['province_slug']}-{meta['year']}"
    mapped = {}
    for numeral, title in areas.items():
        concept, how = reform_area(title, area_labels)
        mapped[numeral] = (title, concept)
        if how != "exact":
            decisions.append(Decision("metadata", f"Lĩnh vực {numeral} “{title}”: " + (
                f"gán `{concept}` theo nhãn gần nhất / mapped to `{concept}` by the closest label" if concept else
                "không khớp lĩnh vực nào trong ontology/schemes.ttl, điền `reform_area` trong plan.toml / matches "
                "no reform area of ontology/schemes.ttl: fill in `reform_area` in plan.toml")))
    for row in rows:
        for column in AGENCY_COLUMNS:
            for name in registry.scan(row[column])[1]:
                decisions.append(Decision("agency", f"{row['row_id']}, `{column}`: “{name}” — gần nhất / closest: "
                                                    f"{closest(registry, name)}"))
    if grid.kind == "PDF":
        decisions.append(Decision("metadata", "PDF: khoảng trắng liên tiếp trong dòng “(Ban hành kèm theo …)” không "
                                              "giữ được, kiểm tra `*_as_printed` trong plan.toml / runs of spaces in "
                                              "that line are lost in the PDF text: check the `*_as_printed` values"))
    return ImportedPlan(plan_id, rows, meta, mapped, decisions)


# ---------------------------------------------------------------------------------------------- table
def table_rows(grid: DocumentGrid, decisions: list[Decision]) -> tuple[list[dict[str, str]], dict[str, str]]:
    rows: list[dict[str, str]] = []
    areas: dict[str, str] = {}
    area = None
    counters: dict[str, int] = {}
    previous: list[str] | None = None
    merges: dict[int, list[str]] = {}  # column -> row ids of the merge being carried down (root first)
    closed: list[tuple[list[str], int]] = []
    headers = set(header_rows([[clean_cell(c) for c in row.cells] for row in grid.rows]))
    for index, grid_row in enumerate(grid.rows):
        cells = [clean_cell(c) for c in grid_row.cells]
        if index in headers:
            decisions.append(Decision("skipped", f"Dòng tiêu đề cột / header row: {grid_row.where}"))
            continue
        if is_column_numbers(cells):
            decisions.append(Decision("skipped", f"Dòng số thứ tự cột / column-number row: {grid_row.where}"))
            continue
        heading = area_heading(cells, grid_row)
        if heading:
            area, areas[heading[0]] = heading
            counters.setdefault(area, 0)
            previous = None
            flush_merges(merges, closed)
            continue
        if not any(cells) and not grid_row.above:
            continue
        if area is None:
            raise DocumentError(grid.path, "a product row comes before any area row (“I” and the area's title "
                                           "across the other columns); add the area row", row=grid_row.where)
        counters[area] += 1
        row_id = f"{area}-{counters[area]:02d}"
        number = _OBJECTIVE_NO.fullmatch(cells[0])
        if number and number.group(0) != number.group(1):
            decisions.append(Decision("text", f"{grid_row.where} ({row_id}): Stt “{cells[0]}” ghi thành "
                                              f"“{number.group(1)}” / written as “{number.group(1)}”"))
            cells[0] = number.group(1)
        for col in range(len(COLUMNS)):
            if col in grid_row.above and previous is not None:
                cells[col] = previous[col]
                merges.setdefault(col, [rows[-1]["row_id"]]).append(row_id)
            elif col in merges:
                flush_merges(merges, closed, col)
        previous = cells
        rows.append({"row_id": row_id, "area": area, **dict(zip(COLUMNS, cells))})
    flush_merges(merges, closed)
    order = {row["row_id"]: n for n, row in enumerate(rows)}
    for ids, col in sorted(closed, key=lambda merge: (order[merge[0][0]], merge[1])):
        decisions.append(Decision("merged", f"{column_label(col)}: {ids[0]} → {', '.join(ids[1:])}"))
    if not rows:
        raise DocumentError(grid.path, "the plan table has no product rows under its header; check the file is the "
                                       "plan's appendix")
    return rows, areas


def flush_merges(merges: dict[int, list[str]], closed: list[tuple[list[str], int]], only: int | None = None) -> None:
    """Record the merges that end here as (root row id, column) — reported in table order."""
    for col in sorted(merges) if only is None else [only]:
        ids = merges.pop(col)
        closed.append((ids, col))


def area_heading(cells: list[str], row: GridRow) -> tuple[str, str] | None:
    """An area row: the numeral in Stt and the title across the other columns (or "I. TITLE" in one cell)."""
    rest_empty = all(not cells[c] or c in row.left for c in range(2, len(cells)))
    numeral = _ROMAN.fullmatch(cells[0])
    if numeral and cells[1] and rest_empty and numeral.group("numeral") in ROMAN_AREAS:
        return numeral.group("numeral"), cells[1]
    joined = _ROMAN_TITLE.fullmatch(cells[0])
    if (joined and joined.group("numeral") in ROMAN_AREAS and all(not cells[c] for c in range(1, len(cells)))
            and joined.group("title").upper() == joined.group("title")):
        return joined.group("numeral"), clean_cell(joined.group("title"))
    return None


# ---------------------------------------------------------------------------------------------- metadata
def plan_meta(grid: DocumentGrid, registry: Registry, decisions: list[Decision]) -> tuple[Registry, dict[str, object]]:
    lines = [nfc(p) for p in grid.preamble]
    issued_at = next((i for i, line in enumerate(lines) if _ISSUED.search(line)), None)
    heading = lines[:issued_at] if issued_at is not None else lines
    # The title is the run of upper-case lines just above the "(Ban hành kèm theo …)" line ("Phụ lục" aside).
    title_lines: list[str] = []
    for line in reversed([clean_cell(h).replace("\n", " ") for h in heading if not fold(h).startswith("phụ lục")]):
        if line != line.upper() and title_lines:
            break
        title_lines.insert(0, line)
    title = " ".join(title_lines)
    match = _TITLE.search(title)
    if not match:
        raise DocumentError(grid.path, "no appendix title naming the province and the year above the table (“… KẾ "
                                       "HOẠCH CẢI CÁCH HÀNH CHÍNH TỈNH NINH BÌNH NĂM 2023”, or “… THÀNH "
                                       "PHỐ …”); add it above the table")
    province = clean_cell(match.group("province")).title()
    year = int(match.group("year"))
    kind_vi, kind_en = ("thành phố", "city") if fold(match.group("kind")) == "thành phố" else ("tỉnh", "province")
    issued = ""
    if issued_at is not None:
        issued = lines[issued_at]
        for line in lines[issued_at + 1:]:
            if ")" in issued:
                break
            issued += " " + line
        issued = issued.strip().replace("\n", " ")
    number = _NUMBER.search(issued)
    date = _DATE.search(issued)
    issuer = _ISSUER.search(issued)
    number_as_printed = number.group("number") if number else ""
    date_as_printed = date.group("date") if date else ""
    issuer_as_printed = issuer.group("issuer").rstrip(")").rstrip() if issuer else ""
    spelled = re.search(rf"{kind_vi}\s+(.+?)\s*\)?\s*$", issuer_as_printed, re.I)
    if spelled and fold(spelled.group(1)) == fold(province):
        province = clean_cell(spelled.group(1))  # the issuer line prints the name in its own case
    day = _DAY.search(date_as_printed)
    issue_date = f"{int(day.group(3)):04d}-{int(day.group(2)):02d}-{int(day.group(1)):02d}" if day else ""
    # Names resolve against the plan's province first, as the build resolves them.
    registry = registry.for_province(province, ascii_slug(province), kind_vi) if registry.templates else registry
    mentions, unknown = registry.scan(issuer_as_printed) if issuer_as_printed else ([], ["(trống / blank)"])
    ids = [i for m in mentions for i in m.agency_ids]
    issuer_id = ids[0] if len(ids) == 1 and not unknown else ""
    if not issued:
        decisions.append(Decision("metadata", "Không thấy dòng “(Ban hành kèm theo Kế hoạch số … ngày … của …)”: số, "
                                              "ngày, cơ quan ban hành để trống / no “(Ban hành kèm theo …)” line: "
                                              "number, date and issuer left blank"))
    if not issuer_id:
        decisions.append(Decision("metadata", f"Cơ quan ban hành “{issuer_as_printed}” không có trong danh mục: thêm "
                                              "vào data/agencies.csv và điền `issuer` trong plan.toml / issuer not "
                                              "in the registry: add it to data/agencies.csv and set `issuer` in "
                                              f"plan.toml — gần nhất / closest: {closest(registry, issuer_as_printed)}"))
    clean_number = clean_cell(number_as_printed)
    if not clean_number[:1].isdigit():
        decisions.append(Decision("metadata", f"Số kế hoạch để trống như bản in (“{number_as_printed}”) / the "
                                              "number is blank as printed"))
    if not issue_date:
        decisions.append(Decision("metadata", f"Ngày ban hành không đầy đủ như bản in (“{date_as_printed}”) / the "
                                              "date is incomplete as printed"))
    return registry, {
        "title_vi": f"Kế hoạch cải cách hành chính {kind_vi} {province} năm {year}",
        "title_en": f"Administrative reform plan of {province} {kind_en} for {year}",
        "appendix_title": title,
        "issued_with_as_printed": issued,
        "province": province,
        "province_slug": ascii_slug(province),
        "year": year,
        "issuer_as_printed": issuer_as_printed,
        "issuer": issuer_id,
        "number_as_printed": number_as_printed,
        "number": clean_number if clean_number[:1].isdigit() else "",
        "date_as_printed": date_as_printed,
        "issue_date": issue_date,
        "source_document": f"{grid.path.name} ({grid.kind}), read by cchc-graph import",
    }


def reform_area(title: str, labels: dict[str, str]) -> tuple[str, str]:
    """The reform-area concept of an area title: by its folded label (parenthesised abbreviations dropped),
    else the closest label."""
    key = fold(_PARENTHESIS.sub("", title))
    if key in labels:
        return labels[key], "exact"
    close = difflib.get_close_matches(key, list(labels), n=1, cutoff=0.75)
    return (labels[close[0]], "closest") if close else ("", "none")


def closest(registry: Registry, name: str) -> str:
    """The registry names nearest a name it does not know, matched as every name is (cchc_graph.names)."""
    spellings = [(spelling, agency_id) for spelling, agency_id in registry.candidates() if spelling != agency_id]
    return "; ".join(names.closest(name, spellings, count=3)) or "(không có / none)"


# ---------------------------------------------------------------------------------------------- output
def table_csv(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(TABLE_COLUMNS)
    writer.writerows([row[c] for c in TABLE_COLUMNS] for row in rows)
    return out.getvalue()


def toml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string


def plan_toml(plan: ImportedPlan, source: str) -> str:
    lines = [f"# Written by `cchc-graph import` from {source}; check import-report.md.", "", "[plan]"]
    for key, value in plan.meta.items():
        lines.append(f"{key} = {value if isinstance(value, int) else toml_string(value)}")
    for numeral, (title, concept) in plan.areas.items():
        lines += ["", f"[areas.{numeral}]", f"title = {toml_string(title)}", f"reform_area = {toml_string(concept)}"]
    return "\n".join(lines) + "\n"


def report_md(plan: ImportedPlan, grid: DocumentGrid) -> str:
    per_area = ", ".join(f"{area}: {sum(row['area'] == area for row in plan.rows)}" for area in plan.areas)
    lines = ["# Báo cáo nhập kế hoạch / Import report", "",
             f"- Tệp / File: `{grid.path.name}` ({grid.kind})",
             f"- Kế hoạch / Plan: `{plan.plan_id}` — {plan.meta['appendix_title']}",
             f"- Dòng sản phẩm / Product rows: {len(plan.rows)} ({per_area})",
             f"- Cần kiểm tra / To check: {sum(d.kind in TO_CHECK for d in plan.decisions)}",
             ""]
    for kind, heading in KINDS.items():
        entries = [d.text for d in plan.decisions if d.kind == kind]
        lines += [f"## {heading}", ""]
        lines += [f"- {entry}" for entry in entries] or ["- (không có / none)"]
        lines.append("")
    return "\n".join(lines)
