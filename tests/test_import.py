"""`cchc-graph import`: a plan laid out as a province issues it (DOCX, XLSX, PDF printed by LibreOffice) goes
in by one command and comes back cell for cell; bad documents exit 2 and write nothing."""

from __future__ import annotations

import copy
import re
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from cchc_graph.cli import main
from plan_documents import PLAN, docx_to_pdf, make_docx, make_xlsx, read_plan

ORIGINAL = (PLAN / "table.csv").read_bytes()
REPORT = "import-report.md"


@pytest.fixture(scope="module")
def plan():
    return read_plan()


@pytest.fixture(scope="module")
def documents(tmp_path_factory, plan):
    folder = tmp_path_factory.mktemp("documents")
    return {"docx": make_docx(folder / "plan.docx", plan), "xlsx": make_xlsx(folder / "plan.xlsx", plan)}


@pytest.fixture(scope="module")
def pdf(tmp_path_factory, documents):
    return docx_to_pdf(documents["docx"], tmp_path_factory.mktemp("pdf"))


def run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


def imported(document: Path, out: Path, *extra: str) -> Path:
    result = run("import", document, "-o", out, *extra)
    assert result.exit_code == 0, result.output
    return out


def report_lines(folder: Path) -> list[str]:
    return (folder / REPORT).read_text(encoding="utf-8").splitlines()


def section(folder: Path, heading: str) -> list[str]:
    lines = report_lines(folder)
    start = next(i for i, line in enumerate(lines) if line.startswith(f"## {heading}"))
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    return [line for line in lines[start + 1:end] if line]


def build_and_export(folder: Path, tmp_path: Path) -> bytes:
    graph = tmp_path / "graph.ttl"
    built = run("build", folder, "-o", graph, "--quiet")
    assert built.exit_code == 0, built.output
    exported = CliRunner().invoke(main, ["export", "--graph", str(graph), "--format", "csv"])
    assert exported.exit_code == 0, exported.output
    return exported.stdout_bytes


def original_meta() -> dict:
    return tomllib.loads((PLAN / "plan.toml").read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------------------- round trips
@pytest.mark.parametrize("kind", ["docx", "xlsx"])
def test_round_trip_gives_back_the_table_byte_for_byte(kind, documents, tmp_path):
    folder = imported(documents[kind], tmp_path / "ninh-binh-2023")
    assert (folder / "table.csv").read_bytes() == ORIGINAL
    assert build_and_export(folder, tmp_path) == ORIGINAL
    meta, expected = tomllib.loads((folder / "plan.toml").read_text(encoding="utf-8")), original_meta()
    assert meta["plan"].pop("source_document") == f"plan.{kind} ({kind.upper()}), read by cchc-graph import"
    del expected["plan"]["source_document"]
    assert meta == expected  # title, province, year, issuer; number and date as printed, blanks kept; areas


def test_docx_report_lists_each_decision(documents, tmp_path):
    folder = tmp_path / "ninh-binh-2023"
    result = run("import", documents["docx"], "-o", folder)
    assert result.exit_code == 0
    assert result.output == (
        f"Đã ghi {folder}: 64 dòng sản phẩm, 7 lĩnh vực; 2 mục cần kiểm tra trong {folder / REPORT}\n"
        f"wrote {folder}: 64 product rows, 7 areas; 2 entries to check in {folder / REPORT}\n")
    lines = report_lines(folder)
    assert lines[:6] == [
        "# Báo cáo nhập kế hoạch / Import report", "",
        "- Tệp / File: `plan.docx` (DOCX)",
        "- Kế hoạch / Plan: `ninh-binh-2023` — MỤC TIÊU, NHIỆM VỤ, HOẠT ĐỘNG, SẢN PHẨM CỦA KẾ HOẠCH CẢI CÁCH HÀNH "
        "CHÍNH TỈNH NINH BÌNH NĂM 2023",
        "- Dòng sản phẩm / Product rows: 64 (I: 6, II: 8, III: 6, IV: 5, V: 10, VI: 10, VII: 19)",
        "- Cần kiểm tra / To check: 2"]
    assert section(folder, "Dòng bỏ qua") == ["- Dòng tiêu đề cột / header row: bảng 1, dòng 1",
                                              "- Dòng số thứ tự cột / column-number row: bảng 1, dòng 2"]
    merged = section(folder, "Ô gộp")
    assert merged[:6] == [  # objective 2 of area I: Stt and objective over four rows, a merged lead cell
        "- Stt (`objective_no`): I-02 → I-03, I-04, I-05",
        "- Mục tiêu (`objective`): I-02 → I-03, I-04, I-05",
        "- Nhiệm vụ (`task`): I-02 → I-03",
        "- Hoạt động (`activity`): I-02 → I-03",
        "- Cơ quan chủ trì (`lead`): I-02 → I-03",
        "- Cơ quan phối hợp (`coordinators`): I-02 → I-03"]
    assert "- Thời gian thực hiện (`timeframe`): V-06 → V-07, V-08" in merged
    assert section(folder, "Thông tin kế hoạch") == [
        "- Số kế hoạch để trống như bản in (“          /KH-UBND”) / the number is blank as printed",
        "- Ngày ban hành không đầy đủ như bản in (“ngày       tháng 12 năm 2022”) / the date is incomplete as printed"]
    for heading in ("Ô nối qua ngắt trang", "Bảng bỏ qua", "Cơ quan chưa có"):
        assert section(folder, heading) == ["- (không có / none)"]


def test_empty_activity_stays_empty_and_is_not_carried_down(documents, tmp_path):
    folder = imported(documents["xlsx"], tmp_path / "ninh-binh-2023")
    table = (folder / "table.csv").read_text(encoding="utf-8")
    assert "\nII-06,II,5,\"Thực hiện nghiêm túc" in table
    row = next(line for line in table.splitlines() if line.startswith("II-06,"))
    assert "hiệu quả.\",,Báo cáo kết quả thực hiện Kế hoạch số 132/KH-UBND" in row
    assert not any("II-05 → II-06" in line for line in section(folder, "Ô gộp"))


@pytest.mark.parametrize("maker", [make_docx, make_xlsx])
def test_table_without_the_column_number_row(maker, plan, tmp_path):
    document = maker(tmp_path / f"plan.{maker.__name__[5:]}", plan, column_numbers=False)
    folder = imported(document, tmp_path / "ninh-binh-2023")
    assert (folder / "table.csv").read_bytes() == ORIGINAL
    assert len(section(folder, "Dòng bỏ qua")) == 1
    assert section(folder, "Dòng bỏ qua")[0].startswith("- Dòng tiêu đề cột / header row: ")


def test_second_table_is_ignored_with_a_note(plan, tmp_path):
    docx = imported(make_docx(tmp_path / "plan.docx", plan, second_table=True), tmp_path / "a" / "ninh-binh-2023")
    assert (docx / "table.csv").read_bytes() == ORIGINAL
    assert section(docx, "Bảng bỏ qua") == [
        "- Bỏ qua bảng 2 (2 dòng): không phải bảng kế hoạch / table 2 (2 rows) ignored: not the plan table"]
    xlsx = imported(make_xlsx(tmp_path / "plan.xlsx", plan, second_table=True), tmp_path / "b" / "ninh-binh-2023")
    assert (xlsx / "table.csv").read_bytes() == ORIGINAL
    assert section(xlsx, "Bảng bỏ qua") == [
        "- Bỏ qua sheet “Nơi nhận”: không phải bảng kế hoạch / sheet “Nơi nhận” ignored: not the plan table"]


def test_plan_id_other_than_the_folder_is_reported(documents, tmp_path):
    folder = imported(documents["docx"], tmp_path / "ninh-binh", "--plan-id", "nb-2023")
    assert report_lines(folder)[3].startswith("- Kế hoạch / Plan: `nb-2023` — ")
    assert section(folder, "Thông tin kế hoạch")[-1] == (
        "- `cchc-graph build` gọi kế hoạch theo tên thư mục `ninh-binh`, không phải `nb-2023`: đổi tên thư mục nếu "
        "cần / build names the plan after its folder `ninh-binh`, not `nb-2023`: rename the folder if needed")


# ---------------------------------------------------------------------------------------------- unknown agencies
def test_unknown_agency_is_written_reported_and_stops_the_build(plan, tmp_path):
    changed = copy.deepcopy(plan)
    changed.rows[2]["lead"] = "Sở Ngoại vụ"  # I-03
    folder = imported(make_docx(tmp_path / "plan.docx", changed), tmp_path / "ninh-binh-2023")
    assert "\nI-03,I,2," in (folder / "table.csv").read_text(encoding="utf-8")
    assert section(folder, "Cơ quan chưa có") == [
        "- I-03, `lead`: “Sở Ngoại vụ” — gần nhất / closest: Sở Nội vụ; Bộ Nội vụ"]
    built = run("build", folder, "-o", tmp_path / "graph.ttl")
    assert built.exit_code == 2
    assert built.output == (f"error: {folder / 'table.csv'}: row I-03: column lead: unknown agency 'Sở Ngoại vụ' "
                            "(not in data/agencies.csv or data/agency-aliases.csv); did you mean 'Sở Nội vụ' or "
                            "'Bộ Nội vụ'?\n")


# ---------------------------------------------------------------------------------------------- refusals
def test_document_without_a_plan_table_exits_2_and_writes_nothing(plan, tmp_path):
    document = make_docx(tmp_path / "letter.docx", plan, table=False)
    result = run("import", document, "-o", tmp_path / "out" / "plan")
    assert result.exit_code == 2
    assert result.output == (
        f"error: {document}: no plan table found (0 table(s) in the document, none with the plan's header row): the "
        "appendix table must have the 8 columns Stt | Mục tiêu | Nhiệm vụ | Hoạt động | Sản phẩm | Cơ quan chủ trì | "
        "Cơ quan phối hợp | Thời gian thực hiện with that header row; check the file is the plan's appendix\n")
    assert not (tmp_path / "out").exists()


def test_workbook_or_pdf_without_a_plan_table_exits_2_and_writes_nothing(plan, tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["Nơi nhận", "Ghi chú"])
    workbook.save(tmp_path / "letter.xlsx")
    pdf = docx_to_pdf(make_docx(tmp_path / "letter.docx", plan, table=False), tmp_path)
    for document, found in ((tmp_path / "letter.xlsx", "1 sheet(s), none with the plan's header row"),
                            (pdf, "1 page(s), no ruled table with the plan's header row")):
        result = run("import", document, "-o", tmp_path / "out")
        assert result.exit_code == 2
        assert result.output.startswith(f"error: {document}: no plan table found ({found}): the appendix table ")
        assert not (tmp_path / "out").exists()


def test_existing_folder_is_untouched_without_force_and_replaced_with_it(documents, tmp_path):
    folder = tmp_path / "ninh-binh-2023"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    result = run("import", documents["docx"], "-o", folder)
    assert result.exit_code == 2
    assert result.output == (f"error: {folder}: already exists and was left untouched; use --force to replace it, "
                             "or give another folder with -o\n")
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]
    imported(documents["docx"], folder, "--force")
    assert sorted(p.name for p in folder.iterdir()) == [REPORT, "plan.toml", "table.csv"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ninh-binh-2023"]  # no temp folder left beside it


def test_unsupported_file_type_exits_2(tmp_path):
    document = tmp_path / "plan.odt"
    document.write_bytes(b"x")
    result = run("import", document, "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert result.output == (f"error: {document}: cannot import a .odt: give a .docx, .xlsx or .pdf of the plan "
                             "(save a .doc or .xls again in the newer format)\n")
    assert not (tmp_path / "out").exists()


def test_scanned_pdf_is_refused(tmp_path):
    from PIL import Image, ImageDraw

    page = Image.new("RGB", (1190, 842), "white")
    draw = ImageDraw.Draw(page)
    for x in range(60, 1130, 134):  # a ruled table, as a scanner sees it: pixels, no text
        draw.line([(x, 80), (x, 780)], fill="black", width=2)
    scan = tmp_path / "scan.pdf"
    page.save(scan, "PDF")
    result = run("import", scan, "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert result.output == (f"error: {scan}: has no text layer (a scanned image?): it cannot be read reliably; "
                             "import the DOCX or XLSX the PDF was printed from, or run OCR on it first\n")
    assert not (tmp_path / "out").exists()


# ---------------------------------------------------------------------------------------------- PDF
def test_pdf_round_trip_gives_back_every_row(pdf, tmp_path):
    folder = imported(pdf, tmp_path / "ninh-binh-2023")
    assert (folder / "table.csv").read_bytes() == ORIGINAL
    assert build_and_export(folder, tmp_path) == ORIGINAL
    joins = section(folder, "Ô nối qua ngắt trang")
    assert joins and all(re.fullmatch(r"- trang \d+, dòng \d+(:| nối vào trang \d+, dòng \d+) .+", j) for j in joins)
    meta, expected = tomllib.loads((folder / "plan.toml").read_text(encoding="utf-8")), original_meta()
    spaced = {k: re.sub(" +", " ", v) for k, v in expected["plan"].items() if isinstance(v, str)}
    assert {k: meta["plan"][k] for k in spaced if k != "source_document"} == {
        k: v for k, v in spaced.items() if k != "source_document"}  # the PDF text keeps no runs of spaces
    assert meta["areas"] == expected["areas"]
    assert section(folder, "Thông tin kế hoạch")[-1] == (
        "- PDF: khoảng trắng liên tiếp trong dòng “(Ban hành kèm theo …)” không giữ được, kiểm tra `*_as_printed` "
        "trong plan.toml / runs of spaces in that line are lost in the PDF text: check the `*_as_printed` values")


def test_pdf_cell_split_across_two_pages_is_joined_and_a_second_table_ignored(plan, tmp_path):
    long = copy.deepcopy(plan)
    long.rows = [row for row in long.rows if row["area"] == "I"][:2]
    long.rows[1]["product"] = "\n".join(f"- Báo cáo kết quả kiểm tra số {n} về VBQPPL do HĐND, UBND các cấp ban "
                                        "hành trên địa bàn tỉnh." for n in range(1, 13))
    document = docx_to_pdf(make_docx(tmp_path / "long.docx", long, second_table=True), tmp_path)
    folder = imported(document, tmp_path / "ninh-binh-2023")
    rows = (folder / "table.csv").read_text(encoding="utf-8")
    assert long.rows[1]["product"] in rows
    assert rows.count("\nI-0") == 2
    assert section(folder, "Ô nối qua ngắt trang") == [
        "- trang 2, dòng 3 nối vào trang 1, dòng 5 (hàng bị ngắt trang) / joined to the row it continues: Sản phẩm"]
    assert section(folder, "Bảng bỏ qua") == [
        "- Bỏ qua bảng ở trang 2 (2 dòng): không phải bảng kế hoạch / table on page 2 (2 rows) ignored: not the plan "
        "table"]


@pytest.mark.parametrize("lines, cell", [
    (["- Danh mục nghị quyết", "của HĐND.", "- Các VBQPPL."], "- Danh mục nghị quyết của HĐND.\n- Các VBQPPL."),
    (["-Tổ chức thực hiện", "đánh giá."], "-Tổ chức thực hiện đánh giá."),
    (["Nghị quyết về dự toán thu", "- chi ngân sách."], "Nghị quyết về dự toán thu - chi ngân sách."),
    (["Các văn bản sau:", "- Kế hoạch;", "- Báo cáo."], "Các văn bản sau:\n- Kế hoạch;\n- Báo cáo."),
    (["Kế hoạch số 132/KH-", "UBND ngày 23/12/2020"], "Kế hoạch số 132/KH-UBND ngày 23/12/2020"),
    (["Nghị định số 62/2020/", "NĐ-CP của Chính phủ"], "Nghị định số 62/2020/NĐ-CP của Chính phủ"),
    (["giai đoạn 2021 -", "2025"], "giai đoạn 2021 - 2025"),
])
def test_pdf_wrapped_lines_are_joined_and_bullets_kept(lines, cell):
    from cchc_graph.importers.pdf import unwrap

    assert unwrap(lines) == cell


def test_product_row_before_any_area_row_exits_2(plan, tmp_path):
    from docx import Document

    document = make_docx(tmp_path / "plan.docx", plan)
    doc = Document(str(document))
    area_row = doc.tables[0].rows[2]._tr  # "I | CẢI CÁCH THỂ CHẾ"
    area_row.getparent().remove(area_row)
    doc.save(str(document))
    result = run("import", document, "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert result.output == (f"error: {document}: row bảng 1, dòng 3: a product row comes before any area row (“I” "
                             "and the area's title across the other columns); add the area row\n")
    assert not (tmp_path / "out").exists()


def page_row(cells, page, number, above=(), spans_down=()):
    from cchc_graph.importers.pdf import PageRow

    return PageRow([c.split("\n") if c else [] for c in cells], page, number, set(above),
                   raw=list(cells), spans_down=set(spans_down))


def test_pdf_page_top_row_cut_by_the_break_is_joined_to_the_cells_it_continues():
    from cchc_graph.importers.pdf import page_top

    root = page_row(["2", "Tăng cường kiểm tra,", "Kiểm tra hệ thống", "Kiểm tra.", "Kế hoạch", "Sở Tư pháp",
                     "Các sở", "Quý I năm 2023"], 1, 8)
    last = page_row([None, None, "", "", "Báo cáo kết quả", "Sở Tư", "Các sở", "Theo Kế"], 1, 9, above=(0, 1))
    rest = page_row(["", "tự kiểm tra.", "", "", "kiểm tra.", "pháp", "", "hoạch kiểm tra"], 2, 3)
    assert page_top(rest, [root, last]) == (
        "trang 2, dòng 3 nối vào trang 1, dòng 9 (hàng bị ngắt trang) / joined to the row it continues: Mục tiêu, "
        "Sản phẩm, Cơ quan chủ trì, Thời gian thực hiện", False)
    assert root.lines[1] == ["Tăng cường kiểm tra,", "tự kiểm tra."]  # into the merged cell, where it starts
    assert last.lines[4:] == [["Báo cáo kết quả", "kiểm tra."], ["Sở Tư", "pháp"], ["Các sở"],
                              ["Theo Kế", "hoạch kiểm tra"]]


def test_pdf_page_top_new_row_carries_merged_cells_down_and_keeps_a_new_task():
    from cchc_graph.importers.pdf import page_top

    last = page_row([None, None, None, "Bố trí kinh phí.", "Dự toán", "Sở Tài chính", "Các sở", "Quý IV"], 10, 9,
                    above=(0, 1, 2))
    new = page_row(["", "", "Bố trí đủ nguồn tài chính.", "Xây dựng kế hoạch.", "Kế hoạch", "Sở Nội vụ", "",
                    "Thường xuyên"], 11, 3)
    assert page_top(new, [last]) == (
        "trang 11, dòng 3: ô gộp tiếp tục từ trang trước, chép xuống / merged cells going on from the previous page, "
        "carried down: Stt, Mục tiêu", True)
    assert new.above == {0, 1} and new.lines[2] == ["Bố trí đủ nguồn tài chính."]


def test_pdf_page_top_new_row_takes_the_text_a_merged_task_left_over():
    from cchc_graph.importers.pdf import page_top

    root = page_row(["3", "Tiếp tục đẩy mạnh phân cấp.", "Triển khai Nghị quyết số 04/NQ-CP; đẩy mạnh", "Thực hiện.",
                     "Kế hoạch", "Các sở", "Các cơ quan", "Thường xuyên"], 4, 7)
    last = page_row([None, None, None, "Kiểm tra.", "Báo cáo", "Các sở", "Các cơ quan", "Thường xuyên"], 4, 8,
                    above=(0, 1, 2))
    new = page_row(["", "", "phân cấp, ủy quyền.", "Đánh giá.", "Kết luận", "Sở Nội vụ", "", "Thường xuyên"], 5, 3)
    note, keep = page_top(new, [root, last])
    assert keep and note.endswith("carried down: Stt, Mục tiêu, Nhiệm vụ")
    assert root.lines[2] == ["Triển khai Nghị quyết số 04/NQ-CP; đẩy mạnh", "phân cấp, ủy quyền."]
    assert new.above == {0, 1, 2}


def test_word_bullets_and_a_dotted_stt_come_back_as_table_csv_writes_them(plan, tmp_path):
    from docx import Document

    document = make_docx(tmp_path / "plan.docx", plan)
    doc = Document(str(document))
    row = doc.tables[0].rows[3]  # I-01, under the header, column-number and area rows
    for paragraph in row.cells[4].paragraphs:  # "- Danh mục …", "- Các VBQPPL." as a Word bullet list
        text = paragraph.text.removeprefix("- ")
        for run in paragraph.runs[1:]:
            run._r.getparent().remove(run._r)
        paragraph.runs[0].text = text
        paragraph.style = doc.styles["List Bullet"]
    row.cells[0].paragraphs[0].runs[0].text = "1."
    doc.save(str(document))
    folder = imported(document, tmp_path / "ninh-binh-2023")
    assert (folder / "table.csv").read_bytes() == ORIGINAL
    assert section(folder, "Chữ trong ô") == [
        "- bảng 1, dòng 4: dấu đầu dòng tự động của Word ghi thành “- ” / Word's own bullets written as “- ”",
        "- bảng 1, dòng 4 (I-01): Stt “1.” ghi thành “1” / written as “1”"]


def test_plan_metadata_of_a_city_with_its_number_and_date_printed(tmp_path):
    from cchc_graph.agencies import load_registry
    from cchc_graph.build import DATA
    from cchc_graph.importers.grid import DocumentGrid
    from cchc_graph.importers.plan import plan_meta

    grid = DocumentGrid(tmp_path / "hn.docx", "DOCX", [
        "PHỤ LỤC", "MỤC TIÊU, NHIỆM VỤ, HOẠT ĐỘNG, SẢN PHẨM CỦA KẾ HOẠCH",
        "CẢI CÁCH HÀNH CHÍNH THÀNH PHỐ HÀ NỘI NĂM 2024",
        "(Ban hành kèm theo Kế hoạch số 345/KH-UBND ngày 28 tháng 12 năm 2023",
        "của Ủy ban nhân dân thành phố Hà Nội)"], [])
    decisions = []
    _, meta = plan_meta(grid, load_registry(DATA / "agencies.csv", DATA / "agency-aliases.csv"), decisions)
    assert meta == {
        "title_vi": "Kế hoạch cải cách hành chính thành phố Hà Nội năm 2024",
        "title_en": "Administrative reform plan of Hà Nội city for 2024",
        "appendix_title": "MỤC TIÊU, NHIỆM VỤ, HOẠT ĐỘNG, SẢN PHẨM CỦA KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH THÀNH PHỐ HÀ NỘI "
                          "NĂM 2024",
        "issued_with_as_printed": "(Ban hành kèm theo Kế hoạch số 345/KH-UBND ngày 28 tháng 12 năm 2023 của Ủy ban "
                                  "nhân dân thành phố Hà Nội)",
        "province": "Hà Nội", "province_slug": "ha-noi", "year": 2024,
        "issuer_as_printed": "Ủy ban nhân dân thành phố Hà Nội", "issuer": "ubnd-tinh-ha-noi",
        "number_as_printed": "345/KH-UBND", "number": "345/KH-UBND",
        "date_as_printed": "ngày 28 tháng 12 năm 2023", "issue_date": "2023-12-28",
        "source_document": "hn.docx (DOCX), read by cchc-graph import"}
    # A city's committee is "UBND thành phố …" in the registry (ids stay those of every province)
    assert decisions == []


def test_two_row_header_is_recognised_and_skipped(plan, tmp_path):
    document = make_docx(tmp_path / "plan.docx", plan, two_row_header=True)
    folder = imported(document, tmp_path / "ninh-binh-2023")
    assert (folder / "table.csv").read_bytes() == ORIGINAL
    assert section(folder, "Dòng bỏ qua") == ["- Dòng tiêu đề cột / header row: bảng 1, dòng 1",
                                              "- Dòng tiêu đề cột / header row: bảng 1, dòng 2",
                                              "- Dòng số thứ tự cột / column-number row: bảng 1, dòng 3"]
    pdf = imported(docx_to_pdf(document, tmp_path), tmp_path / "pdf" / "ninh-binh-2023")
    assert (pdf / "table.csv").read_bytes() == ORIGINAL
    assert section(pdf, "Dòng bỏ qua")[:3] == ["- Dòng tiêu đề cột / header row: trang 1, dòng 1",
                                               "- Dòng tiêu đề cột / header row: trang 1, dòng 2",
                                               "- Dòng số thứ tự cột / column-number row: trang 1, dòng 3"]
