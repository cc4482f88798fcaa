"""`validate --graph STORE` after one plan changed (issue #17): only that plan is validated again, the shapes
whose focus nodes span plans run on the shared part and the plans' slices (store_slices.py), and the report is
rendered from the findings cache — with the very bytes and exit code of validating the graph file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph

from cchc_graph.build import DEFAULT_PLAN
from cchc_graph.cli import main
from cchc_graph.store_slices import plan_slice, read_predicates
from cchc_graph.store_validation import CACHE_DIR, validate_store
from cchc_graph.validation.shapes import SHAPES_DIR

DECREE = "https://w3id.org/cchc-graph/eli/vn/nd-cp/2020/62"
CITED_DATES = "https://w3id.org/cchc-graph/shapes#LegalDocument-citedDates"
AS_PRINTED = "số 62/2020/NĐ-CP ngày 01/6/2020"


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def reports(graph: Path) -> tuple[int, str, str, str]:
    """Exit code, JSON report, English and Vietnamese text reports."""
    as_json = invoke("validate", "--graph", graph, "--engine", "oxigraph", "--format", "json")
    as_en = invoke("validate", "--graph", graph, "--engine", "oxigraph", "--lang", "en")
    as_vi = invoke("validate", "--graph", graph, "--engine", "oxigraph")
    assert as_json.exit_code == as_en.exit_code == as_vi.exit_code
    return as_json.exit_code, as_json.output, as_en.output, as_vi.output


def cited_dates(report_json: str) -> list[tuple[str, str, str]]:
    return sorted((r["focus_node"], r["value"], r["message"]) for r in json.loads(report_json)["results"]
                  if r["source_shape"] == CITED_DATES)


@pytest.fixture
def plans(tmp_path) -> Path:
    """The 2023 plan twice (two plans citing the same documents with the same dates)."""
    folder = tmp_path / "plans"
    for name in ("ninh-binh-2023", "ninh-binh-2023-b"):
        shutil.copytree(DEFAULT_PLAN, folder / name)
    return folder


def build(plans: Path, out: Path):
    result = invoke("build", *sorted(plans.iterdir()), "-o", out / "graph.nt", "--format", "nt", "--store",
                    out / "store", "--quiet")
    assert result.exit_code == 0, result.output


def test_a_changed_date_in_one_plan_adds_and_removes_a_finding_on_the_document_both_cite(plans, tmp_path):
    out = tmp_path / "out"
    build(plans, out)
    first = reports(out / "store")  # a new store: one full validation, which fills the cache
    assert first == reports(out / "graph.nt")
    assert cited_dates(first[1]) == []
    cache = out / "store" / CACHE_DIR
    kept = (cache / "ninh-binh-2023.json").read_bytes()

    table = plans / "ninh-binh-2023-b" / "table.csv"
    text = table.read_text(encoding="utf-8")
    assert text.count(AS_PRINTED) == 1
    table.write_text(text.replace(AS_PRINTED, "số 62/2020/NĐ-CP ngày 02/6/2020"), encoding="utf-8")
    build(plans, out)
    outcome = validate_store(out / "store", engine="oxigraph")
    assert outcome.placed is not None  # the report comes from the cache and the slices, not the whole store
    changed = reports(out / "store")
    assert changed == reports(out / "graph.nt")
    message = "Cùng một văn bản được trích dẫn với những ngày ban hành khác nhau."
    assert cited_dates(changed[1]) == [(DECREE, "2020-06-01", message), (DECREE, "2020-06-02", message)]
    assert "The same document is cited with different issue dates." in changed[2]
    assert (cache / "ninh-binh-2023.json").read_bytes() == kept  # the unchanged plan was not validated again

    # Shapes whose predicates cannot be known (a variable predicate): the spanning shapes read the whole store.
    extra = tmp_path / "cited-on-the-second.ttl"
    extra.write_text(EXTRA_SHAPE, encoding="utf-8")
    assert validate_store(out / "store", [SHAPES_DIR, extra], engine="oxigraph").placed is None
    with_extra = [invoke("validate", "--graph", graph, "--engine", "oxigraph", "--format", "json", "--shapes",
                         SHAPES_DIR, "--shapes", extra) for graph in (out / "store", out / "graph.nt")]
    assert with_extra[0].exit_code == with_extra[1].exit_code == 1
    assert with_extra[0].output == with_extra[1].output
    assert [(r["focus_node"], r["severity"], r["message"]) for r in json.loads(with_extra[0].output)["results"]
            if r["source_shape"] == "http://example.org/CitedOnTheSecond"] == [(DECREE, "info", "cited on 2 June")]

    table.write_text(text, encoding="utf-8")
    build(plans, out)
    again = reports(out / "store")
    assert again == reports(out / "graph.nt")
    assert cited_dates(again[1]) == []
    assert again == first

    # Both plans changed (validated together): another citation of the decree in each still gives 1 June.
    for name in ("ninh-binh-2023", "ninh-binh-2023-b"):
        table = plans / name / "table.csv"
        table.write_text(text.replace(AS_PRINTED, "số 62/2020/NĐ-CP ngày 02/6/2020"), encoding="utf-8")
    build(plans, out)
    both = reports(out / "store")
    assert both == reports(out / "graph.nt")
    assert cited_dates(both[1]) == cited_dates(changed[1]) and both != changed


EXTRA_SHAPE = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
<http://example.org/CitedOnTheSecond> a sh:NodeShape ;
    sh:targetClass <https://w3id.org/cchc-graph/ontology#LegalDocument> ;
    sh:severity sh:Info ;
    sh:message "cited on 2 June" ;
    sh:sparql [ sh:select \"\"\"SELECT $this WHERE {
        ?citation ?cites $this ; <https://w3id.org/cchc-graph/ontology#citedDate> ?date .
        FILTER(?cites = <https://w3id.org/cchc-graph/ontology#citedDocument>
               && ?date = "2020-06-02"^^<http://www.w3.org/2001/XMLSchema#date>) }\"\"\" ] .
"""

PLAN = "https://w3id.org/cchc-graph/id/plan/p1"
CITED = "<https://w3id.org/cchc-graph/ontology#citedDocument>"
DATE = "<https://w3id.org/cchc-graph/ontology#citedDate>"
TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
TEXT = "<https://w3id.org/cchc-graph/ontology#verbatimText>"


def test_a_plans_slice_is_what_the_spanning_shapes_can_reach_from_a_shared_node():
    nt = "\n".join([
        f"<{PLAN}/row/I-01/citation/1> {TYPE} <https://w3id.org/cchc-graph/ontology#Citation> .",
        f"<{PLAN}/row/I-01/citation/1> {CITED} <{DECREE}> .",
        f"<{PLAN}/row/I-01/citation/1> {DATE} \"2020-06-01\"^^<http://www.w3.org/2001/XMLSchema#date> .",
        f"<{PLAN}/row/I-01/citation/1> {TEXT} \"Nghị định số 62/2020/NĐ-CP\" .",
        f"<{PLAN}/row/I-01> {TYPE} <https://w3id.org/cchc-graph/ontology#PlanRow> .",
        f"<{PLAN}/row/I-02/citation/1> {DATE} \"2021-01-01\"^^<http://www.w3.org/2001/XMLSchema#date> .",
    ]).encode() + b"\n"
    predicates = {CITED.encode(), DATE.encode()}
    slice_nt, foreign = plan_slice("p1", nt, predicates)
    assert not foreign
    # the citation of the decree with its date and type; not its text, not the row, not a citation of nothing shared
    assert slice_nt.decode().splitlines() == [
        f"<{PLAN}/row/I-01/citation/1> {TYPE} <https://w3id.org/cchc-graph/ontology#Citation> .",
        f"<{PLAN}/row/I-01/citation/1> {DATE} \"2020-06-01\"^^<http://www.w3.org/2001/XMLSchema#date> .",
        f"<{PLAN}/row/I-01/citation/1> {CITED} <{DECREE}> .",
    ]


@pytest.mark.parametrize("line", [
    f"<{DECREE}> {DATE} \"2020-06-01\"^^<http://www.w3.org/2001/XMLSchema#date> .",  # about a shared node
    f"<{PLAN}/row/I-01> {CITED} <https://w3id.org/cchc-graph/id/plan/p2/row/I-01> .",  # to another plan's node
    f"<{PLAN}/row/I-01> {CITED} _:b0 .",  # a blank node
])
def test_a_plan_the_slices_cannot_stand_for_is_foreign(line):
    assert plan_slice("p1", line.encode() + b"\n", {CITED.encode(), DATE.encode()})[1] is True


def test_the_predicates_of_a_query_with_a_variable_predicate_are_unknown():
    shapes = Graph().parse(format="turtle", data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix ex: <http://example.org/> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ] ;
            sh:sparql [ sh:select "SELECT $this WHERE { $this <http://example.org/q> ?x . ?x ?any ?y }" ] .
    """)
    assert read_predicates(shapes) is None
    fixed = Graph().parse(format="turtle", data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix ex: <http://example.org/> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ( [ sh:inversePath ex:p ] ex:r ) ] ;
            sh:sparql [ sh:select "SELECT $this WHERE { $this <http://example.org/q> ?x . ?x a <http://example.org/D> }" ] .
    """)
    found = read_predicates(fixed)
    assert {b"<http://example.org/p>", b"<http://example.org/q>", b"<http://example.org/r>"} <= found
    assert b"<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>" not in found
