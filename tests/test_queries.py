"""Saved queries: headers, syntax, golden answers on the 2023 plan, parameter binding and the CLI."""

from __future__ import annotations

import csv
import json
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
from rdflib import Literal
from rdflib.plugins.sparql import prepareQuery

from cchc_graph.cli import main
from cchc_graph.query import (QueryError, get_query, parse_header, render, run_local, run_saved, saved_queries,
                              with_values)
from tests.golden_cases import GOLDEN_CASES, answer_rows

GOLDEN = Path(__file__).parent / "golden"
REQUIRED_QUERIES = {"tasks-citing-document", "agency-involvement", "due-in-quarter", "products-by-type",
                    "agency-workload", "rows-without-activity", "legal-documents", "plan-summary"}


def rows_of(dataset, name, **params):
    return answer_rows(dataset, name, params)


def column(dataset, name, col, **params):
    columns, rows = rows_of(dataset, name, **params)
    return [r[columns.index(col)] for r in rows]


# ------------------------------------------------------------------------------------------ the files

def test_the_named_queries_exist():
    assert REQUIRED_QUERIES <= set(saved_queries())


@pytest.mark.parametrize("name", sorted(saved_queries()))
def test_every_saved_query_parses_and_documents_itself(name):
    query = saved_queries()[name]
    prepareQuery(query.text)
    header = parse_header(query.text)
    assert query.summary and query.description, "grlc #+ summary and #+ description"
    assert header.get("tags"), "grlc #+ tags"
    for param in query.params:
        assert param.description, f"parameter {param.name} is documented"
        assert f"?{param.name}" in query.text, f"parameter {param.name} is used in the query"


# ------------------------------------------------------------------------------------------ golden answers

@pytest.mark.parametrize("case,name,params", GOLDEN_CASES, ids=[c[0] for c in GOLDEN_CASES])
def test_golden_answer(dataset, case, name, params):
    with (GOLDEN / f"{case}.csv").open(encoding="utf-8", newline="") as handle:
        expected_columns, *expected = list(csv.reader(handle))
    columns, rows = answer_rows(dataset, name, params)
    assert columns == expected_columns
    assert Counter(rows) == Counter(tuple(r) for r in expected)


@pytest.mark.parametrize("case,name,params", GOLDEN_CASES, ids=[c[0] for c in GOLDEN_CASES])
def test_oxigraph_and_rdflib_agree(dataset, rdflib_dataset, case, name, params):
    """Two SPARQL engines give the same answers: the saved queries use standard SPARQL semantics only."""
    columns, rows = answer_rows(dataset, name, params)
    other_columns, other_rows = answer_rows(rdflib_dataset, name, params)
    assert columns == other_columns and Counter(rows) == Counter(other_rows)


def test_tasks_citing_62_2020(dataset):
    columns, rows = rows_of(dataset, "tasks-citing-document", document="62/2020/NĐ-CP")
    found = {(r[columns.index("row_id")], r[columns.index("level")]) for r in rows}
    # III-03's task cites it; IV-01's objective and first product cite it.
    assert found == {("III-03", "task"), ("IV-01", "objective"), ("IV-01", "product")}


@pytest.mark.parametrize("spelling", ["62/2020/NĐ-CP", "62/2020", "Nghị định số 62/2020/NĐ-CP", "nghị định 62/2020/nđ-cp",
                                      unicodedata.normalize("NFD", "62/2020/NĐ-CP"), "  62/2020/NĐ-CP  "])
def test_document_parameter_accepts_what_people_write(dataset, spelling):
    assert set(column(dataset, "tasks-citing-document", "row_id", document=spelling)) == {"III-03", "IV-01"}


def test_amendment_chain_both_ways(dataset):
    # 48/2023/NĐ-CP amends 90/2020/NĐ-CP, which IV-02's task cites.
    columns, rows = rows_of(dataset, "tasks-citing-document", document="48/2023")
    assert [(r[columns.index("row_id")], r[columns.index("relation")]) for r in rows] == [("IV-02", "amended by it")]
    columns, rows = rows_of(dataset, "tasks-citing-document", document="130/2005/NĐ-CP")
    assert {(r[columns.index("row_id")], r[columns.index("relation")]) for r in rows} == {("V-01", "same document")}
    columns, rows = rows_of(dataset, "tasks-citing-document", document="117/2013/NĐ-CP")
    assert {(r[columns.index("row_id")], r[columns.index("relation")]) for r in rows} == {("V-01", "amended by it")}


def test_objective_level_citation_reaches_every_row_below(dataset):
    # VI objective 1 cites 942/QĐ-TTg: all eight rows under it.
    assert set(column(dataset, "tasks-citing-document", "row_id", document="942/QĐ-TTg")) == {f"VI-0{i}" for i in range(1, 9)}


@pytest.mark.parametrize("spelling", ["Sở Nội vụ", "SỞ NỘI VỤ", "sở  nội vụ", unicodedata.normalize("NFD", "Sở Nội vụ"), "so-noi-vu"])
def test_agency_parameter_any_form(dataset, spelling):
    columns, rows = rows_of(dataset, "agency-involvement", agency=spelling)
    kinds = Counter((r[columns.index("role")], r[columns.index("involvement")]) for r in rows)
    assert kinds == {("lead", "direct"): 13, ("coordinator", "direct"): 8,
                     ("lead", "through group"): 16, ("coordinator", "through group"): 42}


def test_agency_involvement_direct_and_through_group(dataset):
    columns, rows = rows_of(dataset, "agency-involvement", agency="Sở Nội vụ")
    index = {(r[columns.index("row_id")], r[columns.index("role")], r[columns.index("involvement")]): r for r in rows}
    assert ("III-06", "lead", "direct") in index
    assert ("VII-01", "lead", "direct") in index  # "Các sở: Nội vụ, Tư pháp, …"
    through = index[("I-01", "lead", "through group")]
    assert through[columns.index("through")] == "Các sở, ban, ngành"
    assert ("I-01", "lead", "direct") not in index


def test_group_parameter_lists_rows_of_its_members(dataset):
    columns, rows = rows_of(dataset, "agency-involvement", agency="ubnd cấp huyện")
    member_rows = [r for r in rows if r[columns.index("involvement")] == "through member"]
    assert [(r[columns.index("row_id")], r[columns.index("through")]) for r in member_rows] == [("VI-09", "UBND thành phố Tam Điệp")]


def test_due_in_quarter(dataset):
    assert set(column(dataset, "due-in-quarter", "row_id", year="2023", quarter="III")) == {
        "III-06", "V-02", "V-03", "VI-08", "VI-09", "VII-13", "VII-14", "VII-16", "VII-17", "VII-19"}
    assert column(dataset, "due-in-quarter", "row_id", year="2024", quarter="4") == ["V-09"]
    same = [set(column(dataset, "due-in-quarter", "row_id", year="2023", quarter=q)) for q in ("2", "II", "Q2", "q2", "Quý II")]
    assert all(s == same[0] for s in same)


def test_due_in_quarter_ongoing_only_on_request(dataset):
    plain = column(dataset, "due-in-quarter", "kind", year="2023", quarter="1")
    with_ongoing = Counter(column(dataset, "due-in-quarter", "kind", year="2023", quarter="1", include_ongoing="true"))
    assert set(plain) == {"scheduled"}
    assert with_ongoing == {"scheduled": 9, "ongoing": 25, "conditional": 7, "following schedule": 2}
    # ongoing rows belong to the plan year only
    assert column(dataset, "due-in-quarter", "kind", year="2024", quarter="1", include_ongoing="true") == []


def test_products_by_type(dataset):
    kinds = Counter(column(dataset, "products-by-type", "kind_id"))
    assert kinds["report"] == 28 and kinds["decision"] == 16
    assert sum(kinds.values()) == 80
    assert set(column(dataset, "products-by-type", "kind_id", kind="Báo cáo")) == {"report"}
    assert len(column(dataset, "products-by-type", "row_id", kind="REPORT")) == 28


def test_rows_without_activity(dataset):
    assert set(column(dataset, "rows-without-activity", "row_id")) == {
        "II-06", "II-07", "III-03", "V-01", "V-02", "V-03", "V-10", "VI-05", "VI-07", "VI-08", "VI-09", "VI-10",
        "VII-14", "VII-15"}


def test_plan_summary_counts(dataset):
    columns, rows = rows_of(dataset, "plan-summary")
    counts = {r[columns.index("area")]: int(r[columns.index("rows")]) for r in rows}
    assert counts == {"I": 6, "II": 8, "III": 6, "IV": 5, "V": 10, "VI": 10, "VII": 19}
    assert sum(int(r[columns.index("objectives")]) for r in rows) == 25


# ------------------------------------------------------------------------------------------ binding

INJECTIONS = ['II-07" } UNION { ?row ?p ?o } #', "II-07' . } ", 'x"""} UNION {', "II-07\\\" }", "} UNION {", "{ ?s ?p ?o }"]


@pytest.mark.parametrize("value", INJECTIONS)
def test_string_parameter_is_bound_not_pasted(dataset, value):
    _, rows = rows_of(dataset, "row-ids", row_id=value)
    assert rows == []
    text = with_values(get_query("row-detail").text, {"row_id": [Literal(value)]})
    prepareQuery(text)  # the escaped value leaves the query well-formed


@pytest.mark.parametrize("value", INJECTIONS)
def test_row_id_injection_is_only_an_unknown_row(dataset, value):
    """The row id is looked up bound (row-ids) before row-detail runs: a crafted value is a row that is not there."""
    with pytest.raises(QueryError) as caught:
        rows_of(dataset, "row-detail", row_id=value)
    assert str(caught.value).startswith(f"parameter row_id={value!r}: no such row; ")


@pytest.mark.parametrize("value", INJECTIONS)
def test_kind_parameter_injection_changes_only_the_value(dataset, value):
    with pytest.raises(QueryError) as caught:
        rows_of(dataset, "products-by-type", kind=value)
    assert str(caught.value).startswith(f"parameter kind={value!r}: no such product kind; ")


def test_bound_value_round_trips_exactly(dataset):
    value = 'quote " brace } backslash \\ newline'
    text = with_values("SELECT ?v WHERE { }", {"v": [Literal(value)]})
    assert [str(r["v"]) for r in run_local(dataset, text).rows] == [value]


@pytest.mark.parametrize("name,params,message", [
    ("tasks-citing-document", {}, "needs --param document"),
    ("tasks-citing-document", {"document": '62/2020"} UNION {'}, "not a document number"),
    ("tasks-citing-document", {"document": "999/2099/NĐ-CP"}, "no legal document"),
    ("agency-involvement", {"agency": "Sở Không Có"}, "no agency"),
    ("due-in-quarter", {"year": "năm nay", "quarter": "1"}, "not a whole number"),
    ("due-in-quarter", {"year": "2023", "quarter": "V"}, "not a quarter"),
    ("due-in-quarter", {"year": "2023", "quarter": "1", "include_ongoing": "maybe"}, "not true or false"),
    ("overdue-rows", {"date": "2023-13-01"}, "not a date"),
    ("plans", {"plan": "x"}, "has no parameter plan"),
])
def test_bad_parameters(dataset, name, params, message):
    with pytest.raises(QueryError, match=message):
        run_saved(get_query(name), params, lambda text: run_local(dataset, text))


def test_row_detail_plan_parameter(dataset):
    """Row ids repeat from plan to plan: `plan` keeps one plan's row; on the one-plan graph it changes nothing."""
    columns, rows = rows_of(dataset, "row-detail", row_id="VII-07")
    assert rows
    assert rows_of(dataset, "row-detail", row_id="VII-07", plan="ninh-binh-2023") == (columns, rows)
    with pytest.raises(QueryError, match="plan='ha-noi-2021': no such plan; valid: ninh-binh-2023"):
        run_saved(get_query("row-detail"), {"row_id": "VII-07", "plan": "ha-noi-2021"},
                  lambda text: run_local(dataset, text))


def test_unknown_query():
    with pytest.raises(QueryError, match="unknown query"):
        get_query("no-such-query")


# ------------------------------------------------------------------------------------------ CLI

def test_cli_queries_lists_names_summaries_parameters(runner):
    result = runner.invoke(main, ["queries"])
    assert result.exit_code == 0
    for name in REQUIRED_QUERIES:
        assert name in result.output
    assert "--param document=<document>  (required)" in result.output
    listed = json.loads(runner.invoke(main, ["queries", "--format", "json"]).output)
    assert {q["name"] for q in listed} == set(saved_queries())


@pytest.mark.parametrize("fmt", ["table", "csv", "json", "markdown"])
def test_cli_query_formats(runner, built_graph_file, fmt):
    result = runner.invoke(main, ["query", "tasks-citing-document", "--param", "document=62/2020", "--format", fmt,
                                  "--graph", str(built_graph_file)])
    assert result.exit_code == 0, result.output
    out = result.output
    if fmt == "json":
        bindings = json.loads(out)["results"]["bindings"]
        assert {b["row_id"]["value"] for b in bindings} == {"III-03", "IV-01"}
    elif fmt == "csv":
        rows = list(csv.DictReader(out.splitlines()))
        assert {r["row_id"] for r in rows} == {"III-03", "IV-01"} and len(rows) == 3
    elif fmt == "markdown":
        assert out.startswith("| row_id | level |") and out.count("\n") == 5
    else:
        assert "III-03" in out and "(3 rows)" in out


@pytest.mark.parametrize("args", [
    ["query", "nope"],
    ["query", "tasks-citing-document"],
    ["query", "tasks-citing-document", "-p", "doc=62/2020"],
    ["query", "due-in-quarter", "-p", "year=abc", "-p", "quarter=1"],
    ["query", "due-in-quarter", "-p", "year"],
])
def test_cli_query_errors_exit_2(runner, built_graph_file, args):
    result = runner.invoke(main, [*args, "--graph", str(built_graph_file)])
    assert result.exit_code == 2
    assert "rror" in result.output


def test_cli_missing_graph_exits_2(runner, tmp_path):
    result = runner.invoke(main, ["query", "plans", "--graph", str(tmp_path / "none.ttl")])
    assert result.exit_code == 2 and "no such file" in result.output


def test_cli_check_query_exit_code(runner, built_graph_file, tmp_path):
    assert runner.invoke(main, ["query", "lead-and-coordinator-violation", "--graph", str(built_graph_file),
                                "--no-reasoning"]).exit_code == 0
    # A row whose lead and coordinators name the same department makes the check fail.
    broken = tmp_path / "broken.ttl"
    text = built_graph_file.read_text(encoding="utf-8")
    broken.write_text(text + "\n<https://w3id.org/cchc-graph/id/plan/ninh-binh-2023/row/I-02> "
                      "<https://w3id.org/cchc-graph/ontology#coordinatingAgency> "
                      "<https://w3id.org/cchc-graph/id/agency/ninh-binh/so-tu-phap> .\n", encoding="utf-8")
    result = runner.invoke(main, ["query", "lead-and-coordinator-violation", "--graph", str(broken), "--format", "csv",
                                  "--no-reasoning"])
    assert result.exit_code == 1
    assert "I-02,Sở Tư pháp" in result.output


def test_cli_sparql_file_and_stdin(runner, built_graph_file, tmp_path):
    query = tmp_path / "q.rq"
    query.write_text("PREFIX cchc: <https://w3id.org/cchc-graph/ontology#>\n"
                     "SELECT (COUNT(?r) AS ?n) WHERE { ?r a cchc:PlanRow }", encoding="utf-8")
    result = runner.invoke(main, ["sparql", str(query), "--graph", str(built_graph_file), "--format", "csv"])
    assert result.exit_code == 0 and result.output.splitlines() == ["n", "64"]
    result = runner.invoke(main, ["sparql", "-", "--graph", str(built_graph_file), "--format", "csv"],
                           input=query.read_text(encoding="utf-8"))
    assert result.output.splitlines() == ["n", "64"]
    bad = runner.invoke(main, ["sparql", "-", "--graph", str(built_graph_file)], input="SELECT WHERE {")
    assert bad.exit_code == 2


def test_render_markdown_escapes_cells():
    from cchc_graph.query import Table
    out = render(Table(["a"], [{"a": Literal("x | y\nz")}]), "markdown")
    assert out.splitlines()[2] == "| x \\| y<br>z |"
