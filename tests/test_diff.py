"""`cchc-graph diff OLD NEW` (issue #11, part 4): the rows added, removed and changed between a plan and its
revision, matched by content, never by position or row id.

Each revision is a copy of data/ninh-binh-2023 whose table.csv is edited with the csv module and whose row
ids are then renumbered per area in table order, as a province renumbers its appendix: an inserted row
shifts the ids of every later row of its area."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path
from typing import Callable

import pytest

from cchc_graph.build import DEFAULT_PLAN, build_graph
from cchc_graph.cli import main
from cchc_graph.diff import diff_rows, render
from cchc_graph.store import write_graph

ROW_FIELDS = ("area", "objective", "task", "activity", "product", "lead", "coordinators", "timeframe")


def read_rows(plan: Path) -> list[dict[str, str]]:
    with (plan / "table.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


ORIGINAL = {row["row_id"]: row for row in read_rows(DEFAULT_PLAN)}


def revise(tmp_path: Path, edit: Callable[[list[dict[str, str]]], None], name: str = "ninh-binh-2023-dieu-chinh",
           renumber: bool = True) -> Path:
    """A copy of the 2023 plan named `name`, its rows edited in place by `edit`, row ids renumbered per area."""
    folder = tmp_path / name
    shutil.copytree(DEFAULT_PLAN, folder)
    rows = read_rows(folder)
    edit(rows)
    if renumber:
        seen: dict[str, int] = {}
        for row in rows:
            seen[row["area"]] = seen.get(row["area"], 0) + 1
            row["row_id"] = f"{row['area']}-{seen[row['area']]:02d}"
    with (folder / "table.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return folder


def at(rows: list[dict[str, str]], row_id: str) -> int:
    [index] = [i for i, row in enumerate(rows) if row["row_id"] == row_id]
    return index


def as_json(row: dict[str, str], row_id: str) -> dict[str, str]:
    return {"row_id": row_id, **{f: row[f] for f in ROW_FIELDS}}


def run_diff(runner, old, new, *options: str):
    result = runner.invoke(main, ["diff", str(old), str(new), *options])
    assert "Traceback" not in result.stderr
    return result


def json_diff(runner, old, new, *options: str, exit_code: int = 1) -> dict:
    result = run_diff(runner, old, new, "--format", "json", *options)
    assert result.exit_code == exit_code, (result.exit_code, result.stderr, result.exception)
    assert result.stderr == ""
    return json.loads(result.stdout)


# --------------------------------------------------------------------------------------------- the edits

NEW_ROW = {**ORIGINAL["II-04"], "activity": "Rà soát, cập nhật dữ liệu TTHC trên Cổng dịch vụ công của tỉnh.",
           "product": "Báo cáo kết quả rà soát, cập nhật dữ liệu TTHC.", "timeframe": "Quý III năm 2023"}
REWORDED_PRODUCT = "Kế hoạch kiểm tra, rà soát VBQPPL trên địa bàn tỉnh năm 2023."


def insert_row(rows):  # a new row after II-04, in the middle of area II: II-05 … II-08 become II-06 … II-09
    rows.insert(at(rows, "II-04") + 1, dict(NEW_ROW))


def edit_three_rows(rows):
    rows[at(rows, "I-02")]["product"] = REWORDED_PRODUCT
    rows[at(rows, "I-03")]["lead"] = "Sở Nội vụ"
    rows[at(rows, "VI-05")]["timeframe"] = "Quý II năm 2023"


THREE_CHANGES = [  # what edit_three_rows changed, in document order
        {"old_row_id": "I-02", "new_row_id": "I-02",
         "fields": {"product": {"old": "Kế hoạch kiểm tra VBQPPL trên địa bàn tỉnh.", "new": REWORDED_PRODUCT}}},
        {"old_row_id": "I-03", "new_row_id": "I-03", "fields": {"lead": {"old": "Sở Tư pháp", "new": "Sở Nội vụ"}}},
        {"old_row_id": "VI-05", "new_row_id": "VI-05",
         "fields": {"timeframe": {"old": "Thường xuyên", "new": "Quý II năm 2023"}}},
]


# --------------------------------------------------------------------------------------------- folders

def test_identical_plans_exit_0_with_every_row_unchanged(runner, tmp_path):
    copy = revise(tmp_path, lambda rows: None)
    assert json_diff(runner, DEFAULT_PLAN, copy, exit_code=0) == {"added": [], "removed": [], "changed": [],
                                                                  "unchanged": 64}


def test_a_row_inserted_mid_area_is_the_only_difference_though_later_ids_shift(runner, tmp_path):
    revised = revise(tmp_path, insert_row)
    assert [r["row_id"] for r in read_rows(revised) if r["area"] == "II"][4:] == ["II-05", "II-06", "II-07", "II-08",
                                                                                  "II-09"]
    assert json_diff(runner, DEFAULT_PLAN, revised) == {"added": [as_json(NEW_ROW, "II-05")], "removed": [],
                                                        "changed": [], "unchanged": 64}


def test_a_removed_row(runner, tmp_path):
    revised = revise(tmp_path, lambda rows: rows.pop(at(rows, "V-03")))
    assert json_diff(runner, DEFAULT_PLAN, revised) == {"added": [], "removed": [as_json(ORIGINAL["V-03"], "V-03")],
                                                        "changed": [], "unchanged": 63}


def test_a_reworded_product_a_new_lead_and_a_new_timeframe_are_changes_of_exactly_those_fields(runner, tmp_path):
    revised = revise(tmp_path, edit_three_rows)
    assert json_diff(runner, DEFAULT_PLAN, revised) == {"added": [], "removed": [], "changed": THREE_CHANGES,
                                                        "unchanged": 61}


def test_a_moved_row_is_unchanged(runner, tmp_path):
    def move(rows):
        rows.insert(at(rows, "VII-01"), rows.pop(at(rows, "VII-19")))

    revised = revise(tmp_path, move)
    assert read_rows(revised)[at(read_rows(revised), "VII-01")]["task"] == ORIGINAL["VII-19"]["task"]
    result = run_diff(runner, DEFAULT_PLAN, revised)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (f"Kế hoạch cũ: {DEFAULT_PLAN}\nKế hoạch mới: {revised}\n"
                             "Thêm 0, bỏ 0, sửa 0, giữ nguyên 64 dòng.\nHai kế hoạch giống nhau.\n")


def test_a_changed_row_after_an_insertion_pairs_across_ids(runner, tmp_path):
    def edit(rows):
        rows[at(rows, "I-05")]["product"] = "Báo cáo rà soát, hệ thống hóa các VBQPPL do HĐND, UBND tỉnh ban hành."
        rows.insert(at(rows, "I-01"), {**ORIGINAL["I-01"], "product": "Danh mục VBQPPL năm 2023."})

    assert json_diff(runner, DEFAULT_PLAN, revise(tmp_path, edit)) == {
        "added": [as_json({**ORIGINAL["I-01"], "product": "Danh mục VBQPPL năm 2023."}, "I-01")],
        "removed": [],
        "changed": [{"old_row_id": "I-05", "new_row_id": "I-06", "fields": {"product": {
            "old": "Báo cáo rà soát, hệ thống hóa các VBQPPL do HĐND, UBND các cấp ban hành.",
            "new": "Báo cáo rà soát, hệ thống hóa các VBQPPL do HĐND, UBND tỉnh ban hành."}}}],
        "unchanged": 63,
    }


def test_an_objective_reworded_for_all_its_rows_pairs_each_row_with_itself(runner, tmp_path):
    old = ORIGINAL["I-02"]["objective"]
    new = "Tăng cường kiểm tra, rà soát, hệ thống hoá các văn bản quy phạm pháp luật do tỉnh ban hành."

    def edit(rows):
        for row in rows:
            if row["objective"] == old:
                row["objective"] = new

    assert json_diff(runner, DEFAULT_PLAN, revise(tmp_path, edit)) == {
        "added": [], "removed": [],
        "changed": [{"old_row_id": row_id, "new_row_id": row_id, "fields": {"objective": {"old": old, "new": new}}}
                    for row_id in ("I-02", "I-03", "I-04", "I-05")],
        "unchanged": 60,
    }


def test_a_replaced_product_is_a_removed_and_an_added_row_not_a_change(runner, tmp_path):
    revised = revise(tmp_path, lambda rows: rows[at(rows, "I-04")].update(
        product="Bộ tiêu chí đánh giá công tác pháp chế."))
    assert json_diff(runner, DEFAULT_PLAN, revised) == {
        "added": [as_json({**ORIGINAL["I-04"], "product": "Bộ tiêu chí đánh giá công tác pháp chế."}, "I-04")],
        "removed": [as_json(ORIGINAL["I-04"], "I-04")],
        "changed": [], "unchanged": 63,
    }


def test_a_duplicated_row_is_one_added_row(runner, tmp_path):
    revised = revise(tmp_path, lambda rows: rows.insert(at(rows, "I-02") + 1, dict(ORIGINAL["I-02"])))
    assert json_diff(runner, DEFAULT_PLAN, revised) == {"added": [as_json(ORIGINAL["I-02"], "I-03")], "removed": [],
                                                        "changed": [], "unchanged": 64}


def test_the_reverse_diff_swaps_added_and_removed(runner, tmp_path):
    revised = revise(tmp_path, insert_row)
    assert json_diff(runner, revised, DEFAULT_PLAN) == {"added": [], "removed": [as_json(NEW_ROW, "II-05")],
                                                        "changed": [], "unchanged": 64}


# --------------------------------------------------------------------------------------------- --graph

@pytest.fixture
def two_plan_graph(tmp_path):
    """One graph holding the 2023 plan and a revision (insert, removal, three edits) built from their folders."""
    def edit(rows):
        insert_row(rows)
        rows.pop(at(rows, "V-03"))
        edit_three_rows(rows)

    revised = revise(tmp_path, edit)
    path = tmp_path / "build" / "graph.ttl"
    write_graph(build_graph([DEFAULT_PLAN, revised]), path)
    return path, revised


EXPECTED_REVISION = {
    "added": [as_json(NEW_ROW, "II-05")],
    "removed": [as_json(ORIGINAL["V-03"], "V-03")],
    "changed": THREE_CHANGES,
    "unchanged": 60,
}


def test_two_plan_ids_of_one_graph(runner, two_plan_graph):
    graph, revised = two_plan_graph
    assert json_diff(runner, "ninh-binh-2023", "ninh-binh-2023-dieu-chinh", "--graph", graph) == EXPECTED_REVISION
    assert json_diff(runner, DEFAULT_PLAN, revised) == EXPECTED_REVISION
    assert json_diff(runner, "ninh-binh-2023", "ninh-binh-2023", "--graph", graph, exit_code=0) == {
        "added": [], "removed": [], "changed": [], "unchanged": 64}
    assert sorted(p.name for p in graph.parent.iterdir()) == ["graph.ttl"]  # no reasoning cache written


# --------------------------------------------------------------------------------------------- bad input

def assert_error(result, message: str) -> None:
    assert result.exit_code == 2, (result.exit_code, result.stderr, result.exception)
    assert result.stderr == f"error: {message}\n"
    assert result.stdout == ""


def test_a_missing_folder(runner, tmp_path):
    missing = tmp_path / "ninh-binh-2024"
    assert_error(run_diff(runner, DEFAULT_PLAN, missing, "-o", tmp_path / "diff.json"),
                 f"{missing}: no such plan folder (give two plan folders, each holding plan.toml and table.csv, "
                 "or two plan ids of a built graph with --graph)")
    assert not (tmp_path / "diff.json").exists()


def test_a_bad_table_names_the_file_and_the_row(runner, tmp_path):
    revised = revise(tmp_path, lambda rows: rows.insert(1, dict(rows[0])), renumber=False)
    assert_error(run_diff(runner, DEFAULT_PLAN, revised), f"{revised / 'table.csv'}: row I-01: column row_id: "
                                                          "duplicate row id")


def test_an_unknown_plan_id_lists_the_plans_of_the_graph(runner, two_plan_graph):
    graph, _ = two_plan_graph
    assert_error(run_diff(runner, "ninh-binh-2023", "ninh-binh-2024", "--graph", graph),
                 f"{graph}: no plan 'ninh-binh-2024' in the graph; it holds: ninh-binh-2023, ninh-binh-2023-dieu-chinh "
                 "(build both plan folders into one graph to compare them)")


def test_a_missing_graph(runner, tmp_path):
    graph = tmp_path / "build" / "graph.ttl"
    assert_error(run_diff(runner, "ninh-binh-2023", "ninh-binh-2024", "--graph", graph),
                 f"{graph}: no such file (run `cchc-graph build` first?)")


# --------------------------------------------------------------------------------------------- forms for people

def test_the_table_form_marks_the_changed_words_under_vietnamese_field_names(runner, tmp_path):
    revised = revise(tmp_path, edit_three_rows)
    result = run_diff(runner, DEFAULT_PLAN, revised)
    assert result.exit_code == 1, result.stderr
    assert result.stdout == f"""Kế hoạch cũ: {DEFAULT_PLAN}
Kế hoạch mới: {revised}
Thêm 0, bỏ 0, sửa 3, giữ nguyên 61 dòng.

Thay đổi  Dòng   Trường               Nội dung
--------  -----  -------------------  --------
sửa       I-02   Sản phẩm             Kế hoạch kiểm tra{{+, rà soát+}} VBQPPL trên địa bàn tỉnh {{+năm 2023+}}.
sửa       I-03   Cơ quan chủ trì      Sở [-Tư pháp-]{{+Nội vụ+}}
sửa       VI-05  Thời gian thực hiện  [-Thường xuyên-]{{+Quý II năm 2023+}}
"""


def test_the_markdown_form_in_english_written_to_a_file(runner, tmp_path):
    revised = revise(tmp_path, edit_three_rows)
    out = tmp_path / "out" / "diff.md"
    result = run_diff(runner, DEFAULT_PLAN, revised, "--format", "markdown", "--lang", "en", "-o", out)
    assert result.exit_code == 1, result.stderr
    assert result.stdout == ""
    assert out.read_text(encoding="utf-8") == f"""- Old plan: `{DEFAULT_PLAN}`
- New plan: `{revised}`

Added 0, removed 0, changed 3, unchanged 61 rows.

| Change | Row | Field | Text |
|---|---|---|---|
| changed | I-02 | Product | Kế hoạch kiểm tra<ins>, rà soát</ins> VBQPPL trên địa bàn tỉnh <ins>năm 2023</ins>. |
| changed | I-03 | Lead agency | Sở <del>Tư pháp</del><ins>Nội vụ</ins> |
| changed | VI-05 | Timeframe | <del>Thường xuyên</del><ins>Quý II năm 2023</ins> |
"""
    assert sorted(p.name for p in out.parent.iterdir()) == ["diff.md"]


def row(row_id: str, **cells: str) -> dict[str, str]:
    base = {"row_id": row_id, "area": row_id.split("-")[0], "objective_no": "1", "objective": "Mục tiêu A",
            "task": "Nhiệm vụ B", "activity": "", "product": "", "lead": "Sở Tư pháp", "coordinators": "",
            "timeframe": "Quý I năm 2023"}
    return {**base, **cells}


SMALL_OLD = [row("I-01", product="- Danh mục\n- Các VBQPPL"), row("II-01", product="Báo cáo | quý")]
SMALL_NEW = [row("I-01", activity="Rà soát", product="Quyết định", coordinators="UBND cấp huyện"),
             row("I-02", product="- Danh mục *mới*\n- Các VBQPPL")]


def test_added_and_removed_rows_show_every_filled_field_line_breaks_and_escapes():
    result = diff_rows(SMALL_OLD, SMALL_NEW, "cũ", "mới")
    assert render(result, "table") == """Kế hoạch cũ: cũ
Kế hoạch mới: mới
Thêm 1, bỏ 1, sửa 1, giữ nguyên 0 dòng.

Thay đổi  Dòng         Trường               Nội dung
--------  -----------  -------------------  --------
thêm      I-01         Mục tiêu             Mục tiêu A
                       Nhiệm vụ             Nhiệm vụ B
                       Hoạt động            Rà soát
                       Sản phẩm             Quyết định
                       Cơ quan chủ trì      Sở Tư pháp
                       Cơ quan phối hợp     UBND cấp huyện
                       Thời gian thực hiện  Quý I năm 2023
bỏ        II-01        Mục tiêu             Mục tiêu A
                       Nhiệm vụ             Nhiệm vụ B
                       Sản phẩm             Báo cáo | quý
                       Cơ quan chủ trì      Sở Tư pháp
                       Thời gian thực hiện  Quý I năm 2023
sửa       I-01 → I-02  Sản phẩm             - Danh mục {+*mới*+} ⏎ - Các VBQPPL
"""
    assert render(result, "markdown") == """- Kế hoạch cũ: `cũ`
- Kế hoạch mới: `mới`

Thêm 1, bỏ 1, sửa 1, giữ nguyên 0 dòng.

| Thay đổi | Dòng | Trường | Nội dung |
|---|---|---|---|
| thêm | I-01 | Mục tiêu | Mục tiêu A |
|  |  | Nhiệm vụ | Nhiệm vụ B |
|  |  | Hoạt động | Rà soát |
|  |  | Sản phẩm | Quyết định |
|  |  | Cơ quan chủ trì | Sở Tư pháp |
|  |  | Cơ quan phối hợp | UBND cấp huyện |
|  |  | Thời gian thực hiện | Quý I năm 2023 |
| bỏ | II-01 | Mục tiêu | Mục tiêu A |
|  |  | Nhiệm vụ | Nhiệm vụ B |
|  |  | Sản phẩm | Báo cáo \\| quý |
|  |  | Cơ quan chủ trì | Sở Tư pháp |
|  |  | Thời gian thực hiện | Quý I năm 2023 |
| sửa | I-01 → I-02 | Sản phẩm | - Danh mục <ins>\\*mới\\*</ins><br>- Các VBQPPL |
"""


def test_identical_plans_in_markdown():
    result = diff_rows(SMALL_OLD, list(reversed(SMALL_OLD)), "a", "b")
    assert result.identical
    assert render(result, "markdown", "en") == ("- Old plan: `a`\n- New plan: `b`\n\n"
                                                "Added 0, removed 0, changed 0, unchanged 2 rows.\n\n"
                                                "The two plans are the same.\n")


def test_a_plan_id_with_backticks_stays_one_code_span():
    result = diff_rows(SMALL_OLD, SMALL_OLD, "`x`", "a``b")
    assert render(result, "markdown").splitlines()[:2] == ["- Kế hoạch cũ: `` `x` ``", "- Kế hoạch mới: ```a``b```"]
