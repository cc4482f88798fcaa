"""Bad input in a plan folder: `cchc-graph build <plan folder> -o <out>` must exit with code 2, print on stderr
one message naming the file, the row (id, or line where there is no id) and the reason, and leave nothing in
the output folder: no output file, no temporary file, and an existing output file unchanged.

The registries (agencies, catalogue) are read from the repository's data/ folder; only the plan folder is
a broken copy (fixture `plan_copy`)."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

import pytest

from cchc_graph.cli import main

ROOT = Path(__file__).resolve().parent.parent


# ------------------------------------------------------------------------------------------------ helpers

def read_table(plan: Path) -> list[list[str]]:
    with (plan / "table.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def write_table(plan: Path, rows: list[list[str]]) -> None:
    with (plan / "table.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def edit_cell(plan: Path, row_id: str, column: str, value: str) -> str:
    rows = read_table(plan)
    index = rows[0].index(column)
    [row] = [r for r in rows[1:] if r[0] == row_id]
    old, row[index] = row[index], value
    write_table(plan, rows)
    return old


def replace_text(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(plan: Path, row_id: str) -> int:
    for number, line in enumerate((plan / "table.csv").read_text(encoding="utf-8").split("\n"), start=1):
        if line.startswith(row_id + ","):
            return number
    raise AssertionError(row_id)


@pytest.fixture
def out_dir(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def build(runner, plan: Path, out_dir: Path):
    return runner.invoke(main, ["build", str(plan), "-o", str(out_dir / "out.ttl")])


def assert_fails(result, out_dir: Path, *needles: str, leftover: list[str] | None = None) -> str:
    """Exit 2, every needle in stderr, no traceback, nothing new in the output folder."""
    assert result.exit_code == 2, (result.exit_code, result.stderr, result.exception)
    message = result.stderr
    assert message.startswith("error: ")
    assert len(message.strip().splitlines()) == 1, message
    assert "Traceback" not in message
    for needle in needles:
        assert needle in message, f"{needle!r} not in {message!r}"
    assert result.stdout == ""
    assert sorted(p.name for p in out_dir.iterdir()) == (leftover or [])
    return message


# ------------------------------------------------------------------------------------------------ the copy is good

def test_the_unchanged_copy_builds(runner, plan_copy, out_dir):
    result = build(runner, plan_copy, out_dir)
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in out_dir.iterdir()) == ["out.ttl"]


# ------------------------------------------------------------------------------------------------ agencies

def test_unknown_agency_in_a_lead_cell(runner, plan_copy, out_dir):
    edit_cell(plan_copy, "I-02", "lead", "Sở Ngoại vụ")
    assert_fails(build(runner, plan_copy, out_dir), out_dir,
                 str(plan_copy / "table.csv"), "row I-02", "column lead", "unknown agency 'Sở Ngoại vụ'")


def test_unknown_agency_among_known_ones_in_a_coordinators_cell(runner, plan_copy, out_dir):
    old = edit_cell(plan_copy, "II-07", "coordinators", "UBND cấp huyện, Công an tỉnh, UBND cấp xã")
    assert old == "UBND cấp huyện, UBND cấp xã"
    message = assert_fails(build(runner, plan_copy, out_dir), out_dir,
                           str(plan_copy / "table.csv"), "row II-07", "column coordinators", "'Công an tỉnh'")
    assert "UBND cấp huyện'" not in message


# ------------------------------------------------------------------------------------------------ legal references

def test_unparseable_document_number_in_a_task(runner, plan_copy, out_dir):
    old = edit_cell(plan_copy, "III-03", "task", "")
    edit_cell(plan_copy, "III-03", "task", old.replace("Nghị định số 62/2020/NĐ-CP", "Nghị định số 62/20/NĐ-CP"))
    assert_fails(build(runner, plan_copy, out_dir), out_dir,
                 str(plan_copy / "table.csv"), "row III-03", "column task", "62/20/NĐ-CP", "malformed document number")


def test_unparseable_document_number_in_a_product(runner, plan_copy, out_dir):
    edit_cell(plan_copy, "VI-08", "product", "Quyết định số 942/QĐ TTg của UBND tỉnh.")
    assert_fails(build(runner, plan_copy, out_dir), out_dir,
                 str(plan_copy / "table.csv"), "row VI-08", "column product", "942/QĐ", "malformed document number")


def test_impossible_date_of_a_cited_document(runner, plan_copy, out_dir):
    old = edit_cell(plan_copy, "III-03", "task", "")
    edit_cell(plan_copy, "III-03", "task", old.replace("ngày 01/6/2020", "ngày 31/6/2020"))
    assert_fails(build(runner, plan_copy, out_dir), out_dir,
                 str(plan_copy / "table.csv"), "row III-03", "column task", "impossible date 31/6/2020")


# ------------------------------------------------------------------------------------------------ table structure

@pytest.mark.parametrize("column", ["row_id", "objective", "activity", "lead", "coordinators", "timeframe"])
def test_missing_required_column(runner, plan_copy, out_dir, column):
    rows = read_table(plan_copy)
    index = rows[0].index(column)
    write_table(plan_copy, [r[:index] + r[index + 1:] for r in rows])
    assert_fails(build(runner, plan_copy, out_dir), out_dir,
                 str(plan_copy / "table.csv"), "missing required column", column)


def test_malformed_csv_unclosed_quote_at_the_end(runner, plan_copy, out_dir):
    table = plan_copy / "table.csv"
    with table.open("a", encoding="utf-8") as handle:
        handle.write('VII-20,VII,2,"Phấn đấu nâng chỉ số,Nhiệm vụ,,,Sở Nội vụ,,Thường xuyên\n')
    assert_fails(build(runner, plan_copy, out_dir), out_dir, str(table), "malformed CSV", "unexpected end of data")


def test_malformed_csv_stray_quote_inside_a_row(runner, plan_copy, out_dir):
    table = plan_copy / "table.csv"
    replace_text(table, 'Kế hoạch kiểm tra VBQPPL trên địa bàn tỉnh.,Sở Tư pháp,',
                 'Kế hoạch kiểm tra VBQPPL trên địa bàn tỉnh.,"Sở Tư" pháp,')
    message = assert_fails(build(runner, plan_copy, out_dir), out_dir, str(table), "malformed CSV")
    assert f"row {line_of(plan_copy, 'I-02')}:" in message


def test_row_with_too_many_cells(runner, plan_copy, out_dir):
    table = plan_copy / "table.csv"
    replace_text(table, "Theo Kế hoạch kiểm tra\n", "Theo Kế hoạch kiểm tra,Quý I năm 2023\n")
    line = line_of(plan_copy, "I-03")
    assert line == 5
    assert_fails(build(runner, plan_copy, out_dir), out_dir, str(table), f"row {line}:", "has 11 cells", "header has 10")


def test_row_with_too_few_cells(runner, plan_copy, out_dir):
    table = plan_copy / "table.csv"
    replace_text(table, ",Theo Kế hoạch kiểm tra\n", "\n")
    assert_fails(build(runner, plan_copy, out_dir), out_dir,
                 str(table), f"row {line_of(plan_copy, 'I-03')}:", "has 9 cells", "header has 10")


@pytest.mark.parametrize("column", ["area", "objective_no", "objective", "task", "lead", "timeframe"])
def test_empty_required_cell(runner, plan_copy, out_dir, column):
    edit_cell(plan_copy, "I-03", column, "   ")
    assert_fails(build(runner, plan_copy, out_dir), out_dir,
                 str(plan_copy / "table.csv"), "row I-03", f"column {column}", f"empty required cell '{column}'")


def test_empty_row_id_names_the_line(runner, plan_copy, out_dir):
    line = line_of(plan_copy, "I-03")
    edit_cell(plan_copy, "I-03", "row_id", "")
    assert_fails(build(runner, plan_copy, out_dir), out_dir,
                 str(plan_copy / "table.csv"), f"line {line}", "empty required cell 'row_id'")


def test_duplicate_row_id(runner, plan_copy, out_dir):
    edit_cell(plan_copy, "I-03", "row_id", "I-02")
    assert_fails(build(runner, plan_copy, out_dir), out_dir,
                 str(plan_copy / "table.csv"), "row I-02", "duplicate row id")


@pytest.mark.parametrize("row_id", ["I-3", "II-99", "I_03", "i-03"])
def test_malformed_row_id(runner, plan_copy, out_dir, row_id):
    """A row id is '<area>-NN' and its area is the row's area column (here I)."""
    edit_cell(plan_copy, "I-03", "row_id", row_id)
    assert_fails(build(runner, plan_copy, out_dir), out_dir,
                 str(plan_copy / "table.csv"), f"row {row_id}", "must be '<area>-NN'")


def test_area_missing_from_plan_toml(runner, plan_copy, out_dir):
    replace_text(plan_copy / "plan.toml", '[areas.VII]\ntitle = "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CẢI CÁCH HÀNH CHÍNH (CCHC)"\n'
                 'reform_area = "direction"\n', "")
    assert_fails(build(runner, plan_copy, out_dir), out_dir,
                 str(plan_copy / "table.csv"), "row VII-01", "area 'VII' is not in plan.toml")


def test_objective_text_changing_inside_an_objective(runner, plan_copy, out_dir):
    old = edit_cell(plan_copy, "I-03", "objective", "")
    edit_cell(plan_copy, "I-03", "objective", old + " Thêm.")
    assert_fails(build(runner, plan_copy, out_dir), out_dir,
                 str(plan_copy / "table.csv"), "row I-03", "column objective", "different text")


def test_table_not_utf8(runner, plan_copy, out_dir):
    table = plan_copy / "table.csv"
    table.write_bytes(table.read_text(encoding="utf-8").encode("utf-16"))
    assert_fails(build(runner, plan_copy, out_dir), out_dir, str(table), "not UTF-8")


def test_missing_table_file(runner, plan_copy, out_dir):
    (plan_copy / "table.csv").unlink()
    assert_fails(build(runner, plan_copy, out_dir), out_dir, str(plan_copy / "table.csv"), "cannot read")


# ------------------------------------------------------------------------------------------------ timeframes

@pytest.mark.parametrize("row_id, value, reason", [
    ("V-09", "Quý V năm 2024", "cannot read 'quý v'"),
    ("I-02", "Tháng 13/2023", "no month 13"),
    ("VII-17", "Cuối năm 2023", "cannot read 'cuối'"),
])
def test_unreadable_timeframe(runner, plan_copy, out_dir, row_id, value, reason):
    edit_cell(plan_copy, row_id, "timeframe", value)
    assert_fails(build(runner, plan_copy, out_dir), out_dir,
                 str(plan_copy / "table.csv"), f"row {row_id}", "column timeframe", f"unreadable timeframe '{value}'",
                 reason)


# ------------------------------------------------------------------------------------------------ plan.toml

@pytest.mark.parametrize("old, new, reason", [
    ("year = 2023", "year = = 2023", "malformed TOML"),
    ('province = "Ninh Bình"', 'province = "Ninh Bình', "malformed TOML"),
    ("[areas.II]", "[areas.I]", "malformed TOML"),
    ("year = 2023\n", "", "[plan] lacks year"),
    ("year = 2023", 'year = "2023"', "year must be a whole number"),
    ('issue_date = ""', 'issue_date = "12/2022"', "issue_date '12/2022' is not YYYY-MM-DD"),
    ('reform_area = "direction"', 'reform_area = "leadership"', "reform_area 'leadership' is not a concept"),
    ('issuer = "ubnd-tinh-ninh-binh"', 'issuer = "ubnd-tinh-ha-nam"', "issuer 'ubnd-tinh-ha-nam' is not in the agency"),
    ("[areas.VII]", "[areas.VIIa]", "[areas.VIIa] needs a Roman numeral"),
], ids=["bad-assignment", "unclosed-string", "duplicate-table", "missing-year", "year-as-text", "bad-date",
        "unknown-reform-area", "unknown-issuer", "bad-area-key"])
def test_bad_plan_toml(runner, plan_copy, out_dir, old, new, reason):
    replace_text(plan_copy / "plan.toml", old, new)
    assert_fails(build(runner, plan_copy, out_dir), out_dir, str(plan_copy / "plan.toml"), reason)


def test_plan_toml_not_utf8(runner, plan_copy, out_dir):
    """Regression: a plan.toml that is not UTF-8 raises UnicodeDecodeError,
    which load_meta does not catch (it catches OSError and TOMLDecodeError only): the command dies with a
    traceback and exit code 1 instead of exit 2 and a message naming plan.toml."""
    meta = plan_copy / "plan.toml"
    meta.write_bytes(meta.read_text(encoding="utf-8").encode("utf-16"))
    assert_fails(build(runner, plan_copy, out_dir), out_dir, str(meta))


@pytest.mark.parametrize("old, new, reason", [
    ('title = "CẢI CÁCH THỂ CHẾ"', "title = 5", "areas.I"),
    ("year = 2023", "year = true", "year must be a whole number"),
    ('title_en = "Administrative reform plan of Ninh Bình province for 2023"', 'title_en = ["Administrative"]',
     "title_en"),
], ids=["area-title-integer", "year-boolean", "title-list"])
def test_wrongly_typed_plan_toml_value(runner, plan_copy, out_dir, old, new, reason):
    """Regression: values of the wrong TOML type are not checked.
    An area title that is a number crashes clean_cell with a TypeError (traceback, exit 1); `year = true`
    passes the isinstance(…, int) check because bool is an int (the plan year becomes True); a list is
    turned into its Python repr "['Administrative']" and used as the title. Each should be exit 2 naming
    plan.toml and the key."""
    replace_text(plan_copy / "plan.toml", old, new)
    assert_fails(build(runner, plan_copy, out_dir), out_dir, str(plan_copy / "plan.toml"), reason)


def test_missing_plan_folder(runner, tmp_path, out_dir):
    missing = tmp_path / "no-such-plan"
    assert_fails(build(runner, missing, out_dir), out_dir, f"{missing}: no such plan folder")


# ------------------------------------------------------------------------------------------------ existing output

def test_failed_rebuild_leaves_the_existing_output_unchanged(runner, plan_copy, out_dir):
    first = build(runner, plan_copy, out_dir)
    assert first.exit_code == 0, first.stderr
    output = out_dir / "out.ttl"
    before = output.read_bytes()
    mtime = output.stat().st_mtime_ns
    edit_cell(plan_copy, "V-09", "timeframe", "Quý V năm 2024")
    assert_fails(build(runner, plan_copy, out_dir), out_dir, "row V-09", leftover=["out.ttl"])
    assert output.read_bytes() == before
    assert output.stat().st_mtime_ns == mtime


def test_failed_rebuild_keeps_an_unrelated_existing_file(runner, plan_copy, out_dir):
    output = out_dir / "out.ttl"
    output.write_bytes(b"# previous build\n")
    edit_cell(plan_copy, "I-02", "lead", "Sở Ngoại vụ")
    assert_fails(build(runner, plan_copy, out_dir), out_dir, "row I-02", leftover=["out.ttl"])
    assert output.read_bytes() == b"# previous build\n"


# ------------------------------------------------------------------------------------------------ the real command

def test_real_command_exit_code_and_stderr(plan_copy, out_dir):
    """The installed entry point in a process of its own, not only click's test runner."""
    edit_cell(plan_copy, "II-07", "coordinators", "UBND cấp huyện, Công an tỉnh")
    done = subprocess.run([sys.executable, "-m", "cchc_graph.cli", "build", str(plan_copy), "-o", str(out_dir / "out.ttl")],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 2
    assert done.stdout == ""
    assert re.fullmatch(r"error: .*table\.csv: row II-07: column coordinators: unknown agency 'Công an tỉnh'.*\n",
                        done.stderr)
    assert list(out_dir.iterdir()) == []
