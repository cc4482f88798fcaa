"""Paged answers: `query … --limit N --offset M`, `run_saved(…, limit=, offset=)`, and the `#+ pagination: N`
header of the queries that can return thousands of lines. Pages are cut by the store (LIMIT / OFFSET added to
the bound query), in the query's ORDER BY, so that pages laid end to end are the whole answer."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from cchc_graph.cli import main
from cchc_graph.errors import CchcError
from cchc_graph.query import QueryError, get_query, load_query, paged, run_local, run_saved


def rows_of(table) -> list[tuple]:
    return [tuple(str(row.get(c, "")) for c in table.columns) for row in table.rows]


def test_paged_adds_limit_and_offset_to_the_outer_query():
    text = 'SELECT ?s WHERE { { SELECT ?s WHERE { ?s ?p ?o } LIMIT 5 } } ORDER BY ?s # LIMIT in a comment\n'
    assert paged(text, 10, 20).endswith("ORDER BY ?s # LIMIT in a comment\nLIMIT 10\nOFFSET 20\n")
    assert paged(text, 10, 0).endswith("# LIMIT in a comment\nLIMIT 10\n")
    assert paged(text, None, 3).endswith("# LIMIT in a comment\nOFFSET 3\n")
    assert paged(text) == text


def test_a_query_that_slices_itself_is_not_paged():
    with pytest.raises(QueryError, match="already has a LIMIT or OFFSET of its own"):
        paged("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 3", 10)


def test_pages_end_to_end_are_the_whole_answer(dataset):
    query = get_query("plan-table")
    assert query.pagination == 1000
    execute = lambda text: run_local(dataset, text)  # noqa: E731
    whole = rows_of(run_saved(query, {}, execute))
    pages = [rows_of(run_saved(query, {}, execute, limit=30, offset=start)) for start in range(0, 90, 30)]
    assert [len(page) for page in pages] == [30, 30, 21] and len(whole) == 81
    assert [row for page in pages for row in page] == whole


def test_an_offset_alone_gives_a_page_of_the_declared_size(dataset):
    sent = []
    run_saved(get_query("products-by-type"), {}, lambda text: sent.append(text) or run_local(dataset, text), offset=5)
    assert sent[-1].endswith("ORDER BY ?kind_id ?position ?product_position ?row\nLIMIT 1000\nOFFSET 5\n")
    sent.clear()
    run_saved(get_query("plans"), {}, lambda text: sent.append(text) or run_local(dataset, text), offset=5)
    assert sent[-1].endswith("ORDER BY ?plan_id\nOFFSET 5\n")  # no pagination declared: no limit


def test_cli_limit_and_offset(runner, built_graph_file):
    def csv_rows(*args):
        result = runner.invoke(main, ["query", "plan-table", "--graph", str(built_graph_file), "--format", "csv", *args])
        assert result.exit_code == 0, result.output
        return list(csv.reader(io.StringIO(result.output)))

    whole = csv_rows()
    page = csv_rows("--limit", "2", "--offset", "3")
    assert page == [whole[0], whole[4], whole[5]]
    assert csv_rows("--offset", "80") == [whole[0], whole[81]]  # a page of 1000 from line 81: the last line
    assert csv_rows("--limit", "1") == whole[:2]


def test_cli_refuses_a_limit_of_zero(runner, built_graph_file):
    result = runner.invoke(main, ["query", "plans", "--graph", str(built_graph_file), "--limit", "0"])
    assert result.exit_code == 2
    assert "Invalid value for '--limit': 0 is not in the range x>=1." in result.output


def test_queries_lists_the_page_size(runner):
    result = runner.invoke(main, ["queries"])
    assert "plan-table\n    The plan table, one line per product of each row, in document order\n" \
           "    pages of 1000 lines: --offset M (and --limit N)\n" in result.output


@pytest.mark.parametrize("header,message", [
    ("#+ pagination: 0\n", "#+ pagination must be a whole number of lines per page, not 0"),
    ("#+ pagination: many\n", "#+ pagination must be a whole number of lines per page, not 'many'"),
    ("#+ pagination: 10\n", "#+ pagination needs an ORDER BY that orders every line, or pages would overlap"),
])
def test_bad_pagination_headers(tmp_path: Path, header, message):
    path = tmp_path / "q.rq"
    path.write_text(header + "SELECT ?s WHERE { ?s ?p ?o }\n", encoding="utf-8")
    with pytest.raises(CchcError) as caught:
        load_query(path)
    assert str(caught.value) == f"{path}: {message}"
