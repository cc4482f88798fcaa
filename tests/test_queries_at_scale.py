"""Queries rewritten for corpora of many plans: parameters bound inside subqueries, agency-workload counted
per group, and the optional plan parameter, each checked against the plain formulation it replaced."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef

from cchc_graph.namespaces import ID, ORG
from cchc_graph.query import get_query, run_local, run_saved, with_values
from cchc_graph.store import assemble
from tests.golden_cases import answer_rows

# What agency-workload was before it was rewritten for size: one line per member and row, then counted.
# It stays here as the reference the rewritten query must equal.
PLAIN_AGENCY_WORKLOAD = """
PREFIX cchc: <https://w3id.org/cchc-graph/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?id ?name (COUNT(DISTINCT ?l) AS ?lead) (COUNT(DISTINCT ?c) AS ?coordinator)
       (COUNT(DISTINCT ?lg) AS ?lead_through_group) (COUNT(DISTINCT ?cg) AS ?coordinator_through_group)
       (COUNT(DISTINCT ?l) + COUNT(DISTINCT ?c) AS ?direct_total)
WHERE {
  ?plan a cchc:ReformPlan .
  ?row cchc:partOf ?plan .
  { ?agency cchc:leads ?row . BIND(?row AS ?l) }
  UNION { ?agency cchc:coordinates ?row . BIND(?row AS ?c) }
  UNION { ?agency org:memberOf ?group . ?group cchc:leads ?row . BIND(?row AS ?lg) }
  UNION { ?agency org:memberOf ?group . ?group cchc:coordinates ?row . BIND(?row AS ?cg) }
  ?agency dcterms:identifier ?id ;
          skos:prefLabel ?name .
  FILTER(LANG(?name) = "vi")
}
GROUP BY ?id ?name
ORDER BY DESC(?direct_total) DESC(?lead) ?id
"""
PLAN = ID["plan/ninh-binh-2023"]


def rows(table) -> list[tuple]:
    return [tuple(str(row.get(c)) for c in table.columns) for row in table.rows]


# ------------------------------------------------------------------------------ binding in subqueries

def test_values_go_to_the_outer_where_and_to_subqueries_that_use_the_variable():
    text = ('SELECT ?a WHERE { ?a <http://x/p> "WHERE { }" .\n'
            '  { SELECT ?plan (COUNT(*) AS ?n) WHERE { ?s <http://x/q#r> ?plan FILTER(?plan != "}") } GROUP BY ?plan }\n'
            '  { SELECT ?z WHERE { ?z ?y ?w } }  # a comment: WHERE { ?plan\n}')
    bound = with_values(text, {"plan": [URIRef("http://p/1")]})
    assert bound.count("VALUES ?plan { <http://p/1> }") == 2
    assert bound.startswith('SELECT ?a WHERE {\n  VALUES ?plan { <http://p/1> }\n ?a <http://x/p> "WHERE { }"')
    assert 'WHERE {\n  VALUES ?plan { <http://p/1> }\n ?s <http://x/q#r> ?plan FILTER(?plan != "}") }' in bound
    assert "{ SELECT ?z WHERE { ?z ?y ?w } }" in bound  # names no ?plan: left alone
    assert with_values(text, {}) == text


def test_a_bound_value_is_never_spliced_as_syntax_in_a_subquery():
    value = Literal('x" } } UNION { ?s ?p ?o } #')
    bound = with_values("SELECT * WHERE { { SELECT ?v WHERE { ?s ?p ?v } } }", {"v": [value]})
    assert bound.count(f"VALUES ?v {{ {value.n3()} }}") == 2
    assert len(Graph().query(bound)) == 0  # parses, and matches nothing in an empty graph


# ----------------------------------------------------------------------------------- agency-workload

@pytest.fixture(scope="module")
def two_groups_dataset(plan_graph, ontology):
    """The 2023 plan with Sở Nội vụ also in the district committees' group (which leads and coordinates rows
    that "Các sở, ban, ngành" also does): rows both groups name must count once."""
    from cchc_graph.reason import closure

    graph = Graph()
    for triple in plan_graph:
        graph.add(triple)
    graph.add((ID["agency/ninh-binh/so-noi-vu"], ORG.memberOf, ID["agency/ninh-binh/ubnd-cap-huyen"]))
    return assemble(graph, ontology, closure(graph, ontology))


# rdflib answers the rewritten query too (test_queries.py checks it against Oxigraph), but takes about 30 s
# for it (it evaluates the zero-or-one path over every node), so it is not run once more here.
@pytest.mark.parametrize("params", [{}, {"plan": "ninh-binh-2023"}])
@pytest.mark.parametrize("store", ["dataset", "two_groups_dataset"])
def test_agency_workload_equals_the_plain_count(request, store, params):
    dataset = request.getfixturevalue(store)
    saved = run_saved(get_query("agency-workload"), params, lambda text: run_local(dataset, text))
    plain = run_local(dataset, with_values(PLAIN_AGENCY_WORKLOAD, {"plan": [PLAN]} if params else {}))
    assert saved.columns == plain.columns
    assert rows(saved) == rows(plain)
    assert len(saved.rows) > 20


def test_an_agency_in_two_groups_counts_a_shared_row_once(two_groups_dataset, dataset):
    def line(ds):
        columns, answer = answer_rows(ds, "agency-workload", {})
        return dict(zip(columns, next(r for r in answer if r[0] == "so-noi-vu")))

    alone, both = line(dataset), line(two_groups_dataset)
    assert (alone["lead"], alone["coordinator"]) == (both["lead"], both["coordinator"])
    # More rows through groups than with one group, fewer than the two groups' rows added up.
    columns, answer = answer_rows(dataset, "agency-workload", {})
    group = {r[0]: r for r in answer}
    led = lambda agency: int(group[agency][columns.index("lead")])  # noqa: E731
    assert int(alone["lead_through_group"]) == led("cac-so-ban-nganh")
    assert led("cac-so-ban-nganh") < int(both["lead_through_group"]) < led("cac-so-ban-nganh") + led("ubnd-cap-huyen")


# ------------------------------------------------------------------------------ the plan parameter

@pytest.fixture(scope="module")
def corpus_dataset(tmp_path_factory, ontology):
    """The 2023 plan with two synthetic plans of other provinces (benchmarks/synthetic.py)."""
    from benchmarks.synthetic import generate
    from cchc_graph.build import DEFAULT_PLAN, build_graph
    from cchc_graph.reason import closure

    folders = [DEFAULT_PLAN, *generate(2, tmp_path_factory.mktemp("plans"))]
    graph = build_graph(folders)
    return assemble(graph, ontology, closure(graph, ontology))


@pytest.mark.parametrize("name,params", [("agency-involvement", {"agency": "Sở Nội vụ"}), ("agency-workload", {})])
def test_plan_parameter_keeps_one_plans_rows(dataset, corpus_dataset, name, params):
    one_plan = answer_rows(dataset, name, params)
    in_corpus = answer_rows(corpus_dataset, name, {**params, "plan": "ninh-binh-2023"})
    whole_corpus = answer_rows(corpus_dataset, name, params)
    assert in_corpus == one_plan
    assert whole_corpus[0] == one_plan[0] and len(one_plan[1]) > 0
    assert whole_corpus[1] != one_plan[1]


def test_unknown_plan_is_an_error(dataset):
    from cchc_graph.query import QueryError

    with pytest.raises(QueryError, match="no-such-plan"):
        answer_rows(dataset, "agency-involvement", {"agency": "Sở Nội vụ", "plan": "no-such-plan"})
