"""What a fresh `cchc-graph query` process no longer does, with the same results: parse the ontology with
rdflib (its files go straight into Oxigraph), read every saved query's header to run one, parse YAML in
Python (libyaml)."""

from __future__ import annotations

import pytest
import yaml
from rdflib import Graph
from rdflib.compare import isomorphic

from cchc_graph.query import QueryError, get_query, open_local, parse_header, saved_queries
from cchc_graph.reason import load_ontology
from cchc_graph.store import ONTOLOGY_GRAPH


def test_the_ontology_loaded_straight_is_the_one_rdflib_reads(built_graph_file):
    from cchc_graph.reason import reason_to_file

    reason_to_file(built_graph_file)  # a fresh cache: the path every query takes
    dataset = open_local(built_graph_file)
    data = dataset.store.dump(format=dataset._ox.RdfFormat.N_TRIPLES, from_graph=dataset._ox.NamedNode(str(ONTOLOGY_GRAPH)))
    loaded = Graph().parse(data=data, format="nt")
    ontology = load_ontology()
    assert len(loaded) == len(ontology) > 500
    assert isomorphic(loaded, ontology)


def test_one_query_read_alone_is_the_query_of_the_list():
    queries = saved_queries()
    for name, query in queries.items():
        assert get_query(name) == query


@pytest.mark.parametrize("name,message", [
    ("plan-sumary", "unknown query 'plan-sumary'; did you mean 'plan-summary'? `cchc-graph queries` lists them"),
    ("../queries/plans", "unknown query '../queries/plans'; "),
])
def test_a_name_that_is_no_saved_query_is_refused(name, message):
    with pytest.raises(QueryError) as caught:
        get_query(name)
    assert str(caught.value).startswith(message)


def test_libyaml_reads_the_headers_as_python_yaml_does():
    for query in saved_queries().values():
        lines = [line[3:] if line.startswith("#+ ") else line[2:] for line in query.text.splitlines()
                 if line.startswith("#+")]
        assert parse_header(query.text) == yaml.safe_load("\n".join(lines)), query.name
