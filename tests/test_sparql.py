"""`cchc-graph sparql` on the embedded store (issue #12 item 7): ASK answers in the SPARQL 1.1 results formats,
CONSTRUCT and DESCRIBE answers as graphs, one-line syntax errors, update requests refused. The remote side
(`--endpoint`) is in tests/test_remote.py."""

from __future__ import annotations

import json

import pytest
from rdflib import Graph, Literal, URIRef

from cchc_graph.cli import main
from cchc_graph.namespaces import CCHC, RDF

PLAN = URIRef("https://w3id.org/cchc-graph/id/plan/ninh-binh-2023")
PREFIX = "PREFIX cchc: <https://w3id.org/cchc-graph/ontology#>\n"


def sparql(runner, graph, text: str, *args: str):
    return runner.invoke(main, ["sparql", "-", "--graph", str(graph), "--no-reasoning", *args], input=text)


# ------------------------------------------------------------------------------------------------ ASK

@pytest.mark.parametrize("fmt, true, false", [
    ("json", '{"head": {}, "boolean": true}\n', '{"head": {}, "boolean": false}\n'),
    ("csv", "true\n", "false\n"),
    ("table", "true\n", "false\n"),
    ("markdown", "true\n", "false\n"),
])
def test_ask_answers(runner, built_graph_file, fmt, true, false):
    yes = sparql(runner, built_graph_file, PREFIX + "ASK { ?plan cchc:hasArea ?area }", "--format", fmt)
    no = sparql(runner, built_graph_file, PREFIX + "ASK { ?plan cchc:hasArea ?plan }", "--format", fmt)
    assert (yes.exit_code, yes.output) == (0, true)
    assert (no.exit_code, no.output) == (0, false)


def test_ask_json_is_sparql_results_json(runner, built_graph_file):
    answer = json.loads(sparql(runner, built_graph_file, "ASK {}", "--format", "json").output)
    assert answer == {"head": {}, "boolean": True}


# ------------------------------------------------------------------------------------------------ CONSTRUCT / DESCRIBE

CONSTRUCT = PREFIX + "CONSTRUCT { ?plan a cchc:ReformPlan ; <urn:test:areaCount> ?n } WHERE { " \
                     "{ SELECT ?plan (COUNT(?area) AS ?n) WHERE { ?plan cchc:hasArea ?area } GROUP BY ?plan } }"
AREA_COUNT = URIRef("urn:test:areaCount")
EXPECTED = {(PLAN, RDF.type, CCHC.ReformPlan), (PLAN, AREA_COUNT, Literal(7))}


def test_construct_prints_turtle_by_default(runner, built_graph_file):
    result = sparql(runner, built_graph_file, CONSTRUCT)
    assert result.exit_code == 0, result.output
    assert set(Graph().parse(data=result.output, format="turtle")) == EXPECTED
    assert "a cchc:ReformPlan" in result.output  # the project's prefixes


def test_construct_as_n_triples(runner, built_graph_file):
    result = sparql(runner, built_graph_file, CONSTRUCT, "--format", "nt")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"<{PLAN}> <{RDF.type}> <{CCHC.ReformPlan}> .",
        f"<{PLAN}> <{AREA_COUNT}> \"7\"^^<http://www.w3.org/2001/XMLSchema#integer> .",
    ]


def test_construct_as_json_ld(runner, built_graph_file):
    result = sparql(runner, built_graph_file, CONSTRUCT, "--format", "json-ld")
    assert result.exit_code == 0, result.output
    assert set(Graph().parse(data=result.output, format="json-ld")) == EXPECTED


def test_describe(runner, built_graph_file, plan_graph):
    result = sparql(runner, built_graph_file, f"DESCRIBE <{PLAN}>", "--format", "nt")
    assert result.exit_code == 0, result.output
    described = Graph().parse(data=result.output, format="nt")
    assert set(described) == set(plan_graph.triples((PLAN, None, None)))


@pytest.mark.parametrize("text, fmt, message", [
    (CONSTRUCT, "csv", "error: --format csv is for SELECT and ASK answers; the answer to a CONSTRUCT or DESCRIBE "
                       "query is a graph: choose --format turtle, nt, json-ld\n"),
    ("SELECT * WHERE { ?s ?p ?o } LIMIT 1", "turtle",
     "error: --format turtle is for CONSTRUCT and DESCRIBE answers (graphs); the answer to a SELECT query is a "
     "table: choose --format table, csv, json, markdown, xlsx\n"),
    ("ASK {}", "json-ld", "error: --format json-ld is for CONSTRUCT and DESCRIBE answers (graphs); the answer to an "
                          "ASK query is true or false: choose --format table, csv, json, markdown\n"),
    ("ASK {}", "xlsx", "error: --format xlsx is for SELECT answers; the answer to an ASK query is true or false: "
                       "choose --format table, csv, json, markdown\n"),
])
def test_a_format_for_the_other_kind_of_answer_is_refused(runner, built_graph_file, text, fmt, message):
    result = sparql(runner, built_graph_file, text, "--format", fmt)
    assert (result.exit_code, result.output) == (2, message)


# ------------------------------------------------------------------------------------------------ errors

@pytest.mark.parametrize("text, message", [
    ("SELECT * WHERE { ?s foo:bar ?o }",
     "error: SPARQL syntax error at line 1, column 28: the prefix foo: is not declared; add `PREFIX foo: <IRI>` at "
     "the top of the query\n"),
    ("PREFIX x: <urn:x:>\nSELECT * WHERE {\n  ?s x:y ?o .\n  ?o cchc:hasArea ?a }",
     "error: SPARQL syntax error at line 4, column 18: the prefix cchc: is not declared; add `PREFIX cchc: <IRI>` "
     "at the top of the query\n"),
    ("SELECT * WHERE { ?s :p ?o }",
     "error: SPARQL syntax error at line 1, column 21: the prefix : is not declared; add `PREFIX : <IRI>` at the top "
     "of the query\n"),
    ("# only a comment\n", "error: the query is empty: give a SELECT, ASK, CONSTRUCT or DESCRIBE query\n"),
])
def test_syntax_errors_name_the_prefix(runner, built_graph_file, text, message):
    result = sparql(runner, built_graph_file, text)
    assert (result.exit_code, result.output) == (2, message)


def test_a_syntax_error_is_one_line_with_its_position(runner, built_graph_file):
    result = sparql(runner, built_graph_file, "SELECT * WHERE {\n  ?s ?p ?o\n  FILTER(?o = ) }")
    assert result.exit_code == 2
    assert result.output.count("\n") == 1
    # Oxigraph's parser gives the position where it gave up: here the end of the line.
    assert result.output.startswith("error: SPARQL syntax error at line 3, column 18 (after 'FILTER(?o = ) }'): "
                                    "expected one of ABS, AVG, ")
    assert result.output.endswith(", …\n")
    assert len(result.output) < 250


@pytest.mark.parametrize("text, operations", [
    (PREFIX + "INSERT DATA { <urn:a> cchc:hasArea <urn:b> }", "INSERT DATA"),
    ("DELETE WHERE { ?s ?p ?o }", "DELETE WHERE"),
    ("DROP ALL ; CLEAR DEFAULT", "DROP, CLEAR"),
    ("LOAD <http://127.0.0.1:9/nothing.ttl>", "LOAD"),
    ("CREATE GRAPH <urn:g>", "CREATE"),
])
def test_update_requests_are_refused(runner, built_graph_file, text, operations):
    before = built_graph_file.read_bytes()
    result = sparql(runner, built_graph_file, text)
    assert result.exit_code == 2
    assert result.output == (
        f"error: `sparql` runs read-only queries (SELECT, ASK, CONSTRUCT, DESCRIBE); this is a SPARQL Update request "
        f"({operations}), which it never sends or runs. To change a store, use `cchc-graph build` and `publish`, or "
        f"the store's own update endpoint.\n")
    assert built_graph_file.read_bytes() == before


def test_a_query_mentioning_insert_in_a_string_is_a_query(runner, built_graph_file):
    result = sparql(runner, built_graph_file, 'SELECT ("INSERT DATA { }" AS ?x) WHERE {}', "--format", "csv")
    assert (result.exit_code, result.output) == (0, "x\nINSERT DATA { }\n")
