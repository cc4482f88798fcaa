"""Pre-binding for SHACL-SPARQL on query text (cchc_graph/validation/prebinding.py): replacement and refusals."""

from __future__ import annotations

import pytest

from cchc_graph.errors import CchcError
from cchc_graph.validation.prebinding import check_prebinding, prebind

A = "<http://x/a>"


def test_prebind_replaces_every_occurrence_but_strings_iris_and_names():
    query = ('PREFIX ex: <http://e/$this>\nSELECT $this ?v WHERE { $this ex:select ?v . '
             '{ SELECT $this WHERE { $this ex:p ?o } } FILTER(bound($this) && ?v != "$this") FILTER bound($this) }')
    assert prebind(query, {"this": A}) == (
        'PREFIX ex: <http://e/$this>\nSELECT (<http://x/a> AS ?this) ?v WHERE { <http://x/a> ex:select ?v . '
        '{ SELECT (<http://x/a> AS ?prebound_this_2) WHERE { <http://x/a> ex:p ?o } } '
        'FILTER((true) && ?v != "$this") FILTER (true) }')


def test_prebind_inside_projection_expressions_and_ask():
    assert prebind("SELECT (STR($this) AS ?s) WHERE {}", {"this": A}) == "SELECT (STR(<http://x/a>) AS ?s) WHERE {}"
    assert prebind('ASK { FILTER ($value != $p) }', {"value": '"1"', "p": '"2"@en'}) == 'ASK { FILTER ("1" != "2"@en) }'


@pytest.mark.parametrize(("query", "feature"), [
    ("SELECT $this WHERE { $this ?p ?o MINUS { $this ?p 1 } }", "MINUS"),
    ("SELECT $this WHERE { VALUES ?o { 1 } }", "VALUES"),
    ("SELECT $this WHERE { $this ?p ?o } VALUES ?o { 1 }", "VALUES"),
    ("SELECT $this WHERE { $this ?p ?o SERVICE <http://example.org/sparql> { ?o ?q ?r } }", "SERVICE"),
    ("SELECT $this WHERE { BIND(1 AS $this) }", "BIND"),
    ("SELECT $this WHERE { $this ?p ?o { SELECT ?o WHERE { ?o ?q ?r } } }", "does not project \\$this"),
    ("SELECT $this WHERE { { SELECT * WHERE { FILTER ($this = 1) } } }", "SELECT \\*"),
])
def test_queries_spec_forbids_to_prebind_are_refused(query, feature):
    with pytest.raises(CchcError, match=f"^the shape: .*{feature}.* is not supported in a pre-bound SHACL query"):
        check_prebinding(query, {"this"}, "the shape")


def test_allowed_queries_pass():
    check_prebinding("SELECT $this ?v WHERE { $this ?p ?v { SELECT $this WHERE { $this ?q ?r } } FILTER NOT EXISTS "
                     "{ $this ?s ?v } }", {"this", "shapesGraph", "currentShape"}, "the shape")
