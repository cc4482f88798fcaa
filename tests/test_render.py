"""Answers for people (issue #12, item 4): wrapped and cut tables, xlsx, CSV for Excel, Vietnamese headers."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from rdflib import Literal, URIRef
from rdflib.plugins.sparql import prepareQuery

from cchc_graph.cli import main
from cchc_graph.query import saved_queries
from cchc_graph.render import BOM, Table, column_labels, render, share_width

SMALL = Table(["row_id", "product", "lead"], [
    {"row_id": Literal("I-01"), "product": Literal("- Danh mục nghị quyết của HĐND năm 2023\n- Báo cáo [bold]kết quả[/bold]"),
     "lead": Literal("Sở Tư pháp")},
    {"row_id": Literal("II-02"), "product": URIRef("https://w3id.org/cchc-graph/id/plan/ninh-binh-2023/row/II-02"),
     "lead": Literal("Các sở, ban, ngành")},
])

# One long cell, bound in the query itself: the CLI path of `sparql`, whatever the graph holds.
LONG_CELL_QUERY = """SELECT ?row_id ?timeframe WHERE {
  VALUES (?row_id ?timeframe) { ("III-03" "Sau khi có Quyết định giao biên chế năm 2024 của Ban Tổ chức Trung ương") }
}"""


def test_table_wraps_cells_to_the_width_keeping_their_lines_and_brackets():
    assert render(SMALL, "table", width=50) == """\
┌────────┬───────────────────┬───────────────────┐
│ row_id │ product           │ lead              │
├────────┼───────────────────┼───────────────────┤
│ I-01   │ - Danh mục nghị   │ Sở Tư pháp        │
│        │ quyết của HĐND    │                   │
│        │ năm 2023          │                   │
│        │ - Báo cáo         │                   │
│        │ [bold]kết         │                   │
│        │ quả[/bold]        │                   │
├────────┼───────────────────┼───────────────────┤
│ II-02  │ https://w3id.org/ │ Các sở, ban,      │
│        │ cchc-graph/id/pla │ ngành             │
│        │ n/ninh-binh-2023/ │                   │
│        │ row/II-02         │                   │
└────────┴───────────────────┴───────────────────┘
(2 rows)
"""


def test_table_truncate_cuts_cells_on_one_line():
    assert render(SMALL, "table", width=50, truncate=20) == """\
┌────────┬──────────────────────┬────────────────────┐
│ row_id │ product              │ lead               │
├────────┼──────────────────────┼────────────────────┤
│ I-01   │ - Danh mục nghị quy… │ Sở Tư pháp         │
│ II-02  │ https://w3id.org/cc… │ Các sở, ban, ngành │
└────────┴──────────────────────┴────────────────────┘
(2 rows)
"""


def test_share_width_keeps_short_columns_and_levels_the_long_ones():
    assert share_width([6, 40, 30], [4, 8, 8], 50) == [6, 22, 22]
    assert share_width([6, 10, 12], [4, 8, 8], 50) == [6, 10, 12]  # fits: as they are
    assert share_width([6, 40, 40], [6, 16, 16], 20) == [6, 7, 7]  # words cannot stay whole: fold them


def test_cli_table_width_from_columns(runner, built_graph_file, monkeypatch):
    monkeypatch.setenv("COLUMNS", "44")
    result = runner.invoke(main, ["sparql", "-", "--graph", str(built_graph_file), "--no-reasoning"],
                           input=LONG_CELL_QUERY)
    assert result.exit_code == 0, result.output
    assert result.stdout == """\
┌────────┬─────────────────────────────────┐
│ row_id │ timeframe                       │
├────────┼─────────────────────────────────┤
│ III-03 │ Sau khi có Quyết định giao biên │
│        │ chế năm 2024 của Ban Tổ chức    │
│        │ Trung ương                      │
└────────┴─────────────────────────────────┘
(1 rows)
"""
    monkeypatch.delenv("COLUMNS")  # not a terminal, no COLUMNS: 120 columns, the cell stays on one line
    result = runner.invoke(main, ["sparql", "-", "--graph", str(built_graph_file), "--no-reasoning"],
                           input=LONG_CELL_QUERY)
    assert result.stdout.splitlines()[3] == ("│ III-03 │ Sau khi có Quyết định giao biên chế năm 2024 của Ban Tổ chức "
                                             "Trung ương │")
    result = runner.invoke(main, ["sparql", "-", "--graph", str(built_graph_file), "--no-reasoning", "--truncate", "20"],
                           input=LONG_CELL_QUERY)
    assert result.stdout.splitlines()[3] == "│ III-03 │ Sau khi có Quyết đị… │"


def csv_answer(runner, graph, *args):
    result = runner.invoke(main, ["query", *args, "--graph", str(graph), "--format", "csv"])
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


@pytest.mark.parametrize("args", [["plan-summary"], ["overdue-rows", "-p", "date=2023-07-01"], ["legal-documents"]])
def test_xlsx_vietnamese_headers_frozen_wrapped_and_the_csv_values(runner, built_graph_file, tmp_path, args):
    out = tmp_path / "answer.xlsx"
    result = runner.invoke(main, ["query", *args, "--graph", str(built_graph_file), "--format", "xlsx", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    columns, *rows = list(csv.reader(io.StringIO(csv_answer(runner, built_graph_file, *args).decode("utf-8"))))
    sheet = load_workbook(out).active
    assert sheet.title == args[0]
    assert sheet.freeze_panes == "A2"
    values = list(sheet.iter_rows(values_only=True))
    labels = column_labels("vi")
    assert list(values[0]) == [labels[c] for c in columns]
    assert all(cell.font.bold for cell in sheet[1])
    assert all(cell.alignment.wrap_text for row in sheet.iter_rows() for cell in row)

    def as_csv(value):
        if value is None:
            return ""
        if isinstance(value, dt.datetime):
            return value.date().isoformat()
        return str(value)
    assert [[as_csv(v) for v in row] for row in values[1:]] == rows


def test_xlsx_types_numbers_and_dates(runner, built_graph_file, tmp_path):
    out = tmp_path / "overdue.xlsx"
    runner.invoke(main, ["query", "overdue-rows", "-p", "date=2023-07-01", "--graph", str(built_graph_file),
                         "--format", "xlsx", "-o", str(out), "--lang", "en"])
    sheet = load_workbook(out).active
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["row_id", "timeframe", "ends", "lead"]  # --lang en: the variable names
    first = {name: cell for name, cell in zip(header, sheet[2])}
    assert (first["row_id"].value, first["ends"].value) == ("I-02", dt.datetime(2023, 3, 31))
    assert first["ends"].number_format == "yyyy-mm-dd"
    summary = tmp_path / "summary.xlsx"
    runner.invoke(main, ["query", "plan-summary", "--graph", str(built_graph_file), "--format", "xlsx", "-o", str(summary)])
    row = [c.value for c in load_workbook(summary).active[2]]
    assert row == ["ninh-binh-2023", 1, "I", "CẢI CÁCH THỂ CHẾ", "Institutional reform", 3, 4, 4, 6, 7]


def test_csv_for_excel_is_the_csv_after_a_byte_order_mark(runner, built_graph_file, tmp_path):
    plain = csv_answer(runner, built_graph_file, "agency-workload")
    result = runner.invoke(main, ["query", "agency-workload", "--graph", str(built_graph_file), "--format", "csv",
                                  "--excel"])
    assert result.stdout_bytes[:3] == b"\xef\xbb\xbf" == BOM
    assert result.stdout_bytes == BOM + plain
    out = tmp_path / "workload.csv"
    runner.invoke(main, ["query", "agency-workload", "--graph", str(built_graph_file), "--format", "csv", "--excel",
                         "-o", str(out)])
    assert out.read_bytes() == BOM + plain


def test_lang_vi_headers(runner, built_graph_file):
    result = runner.invoke(main, ["query", "due-in-quarter", "-p", "year=2023", "-p", "quarter=3", "--graph",
                                  str(built_graph_file), "--format", "csv", "--lang", "vi"])
    assert result.stdout.splitlines()[0] == "Mã dòng,Thời gian hoàn thành,Loại,Chủ trì,Vị trí"
    english = runner.invoke(main, ["query", "due-in-quarter", "-p", "year=2023", "-p", "quarter=3", "--graph",
                                   str(built_graph_file), "--format", "csv"])
    assert english.stdout.splitlines()[0] == "row_id,timeframe,kind,lead,position"  # the default: an interface
    assert english.stdout.splitlines()[1:] == result.stdout.splitlines()[1:]
    markdown = runner.invoke(main, ["query", "plans", "--graph", str(built_graph_file), "--format", "markdown",
                                    "--lang", "vi"])
    assert markdown.stdout.splitlines()[0] == ("| Kế hoạch | Mã kế hoạch | Năm | Tiêu đề | Số (như bản in) "
                                               "| Ngày (như bản in) |")


@pytest.mark.parametrize("args,message", [
    (["--format", "xlsx"], "error: --format xlsx writes a spreadsheet, not text for a terminal: add -o FILE.xlsx"),
    (["--format", "json", "--lang", "vi"], "error: json output is the SPARQL 1.1 results format, whose variable "
                                           "names stay as they are; use --format csv, table, markdown or xlsx for "
                                           "Vietnamese headers"),
    (["--format", "csv", "--truncate", "20"], "error: --truncate applies to --format table or markdown; csv answers "
                                              "keep every cell whole"),
    (["--excel"], "error: --excel applies to --format csv (an xlsx file opens in Excel as it is)"),
])
def test_output_options_that_do_not_fit_exit_2(runner, built_graph_file, tmp_path, args, message):
    result = runner.invoke(main, ["query", "plans", "--graph", str(built_graph_file), *args])
    assert result.exit_code == 2
    assert result.stderr.strip() == message
    assert result.stdout == ""


def test_every_column_of_every_saved_query_has_a_vietnamese_header():
    labels = column_labels("vi")
    missing = {f"{name}: {var}" for name, q in saved_queries().items()
               for var in map(str, prepareQuery(q.text).algebra.get("PV", [])) if var not in labels}
    assert not missing, "add them to queries/columns.yaml"


def test_table_width_terminal_columns_or_120(monkeypatch):
    import shutil
    import sys

    from cchc_graph.render import terminal_width

    class Tty:
        def isatty(self):
            return True
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.setattr(sys, "stdout", Tty())
    monkeypatch.setattr(shutil, "get_terminal_size", lambda fallback=(80, 24): __import__("os").terminal_size((57, 20)))
    assert terminal_width() == 57  # printed to a terminal: its width
    assert terminal_width(to_file=True) == 120  # -o FILE: the same lines wherever the command runs
    monkeypatch.setenv("COLUMNS", "70")
    assert terminal_width() == terminal_width(to_file=True) == 70
