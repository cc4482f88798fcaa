"""OWL RL reasoning: what the queries rely on is inferred, and inferred triples stay apart."""

from __future__ import annotations

from rdflib import URIRef

from cchc_graph.cli import main
from cchc_graph.namespaces import CCHC, DCTERMS, ID, ORG, RDF
from cchc_graph.query import run_local
from cchc_graph.store import ASSERTED, INFERRED

ROW = lambda rid: URIRef(f"{ID}plan/ninh-binh-2023/row/{rid}")  # noqa: E731
AGENCY = lambda aid: ID[f"agency/{aid}"]  # noqa: E731
PLAN = ID["plan/ninh-binh-2023"]
DECREE_90 = URIRef("https://w3id.org/cchc-graph/eli/vn/nd-cp/2020/90")
DECREE_48 = URIRef("https://w3id.org/cchc-graph/eli/vn/nd-cp/2023/48")


def test_inferred_triples_are_new(plan_graph, inferred):
    assert len(inferred) > 1000
    assert not any(t in plan_graph for t in inferred)


def test_inverse_roles(inferred, plan_graph):
    assert (ROW("I-02"), CCHC.leadAgency, AGENCY("so-tu-phap")) in plan_graph
    assert (AGENCY("so-tu-phap"), CCHC.leads, ROW("I-02")) in inferred
    assert (AGENCY("so-tu-phap"), CCHC.involvedIn, ROW("I-02")) in inferred  # sub-property of involvedIn
    assert (ROW("I-02"), CCHC.involvedAgency, AGENCY("so-tu-phap")) in inferred


def test_group_membership_and_roles_through_groups(inferred):
    assert (AGENCY("cac-so-ban-nganh"), ORG.hasMember, AGENCY("so-noi-vu")) in inferred
    # I-01's lead cell names "Các sở, ban, ngành", of which Sở Nội vụ is a member.
    assert (AGENCY("so-noi-vu"), CCHC.leadsThroughGroup, ROW("I-01")) in inferred
    assert (AGENCY("so-noi-vu"), CCHC.coordinatesThroughGroup, ROW("I-02")) in inferred
    assert (AGENCY("so-noi-vu"), CCHC.leads, ROW("I-01")) not in inferred


def test_partonomy_and_citations(inferred):
    assert (ROW("VI-05"), CCHC.partOf, PLAN) in inferred  # transitive
    assert (PLAN, DCTERMS.hasPart, ROW("VI-05")) in inferred  # aligned to DCTERMS
    task = URIRef(f"{ID}plan/ninh-binh-2023/task/IV-2-1")
    assert (task, CCHC.cites, DECREE_90) in inferred  # property chain hasCitation/citedDocument
    assert (DECREE_90, CCHC.citedBy, task) in inferred
    assert (DECREE_90, CCHC.affectedBy, DECREE_48) in inferred
    assert (ROW("I-01"), RDF.type, CCHC.PlanElement) in inferred  # sub-class


def test_no_trivial_entailments(inferred):
    from cchc_graph.namespaces import OWL, RDFS
    assert not any(s == o for s, _, o in inferred.triples((None, OWL.sameAs, None)))
    assert (None, RDF.type, OWL.Thing) not in inferred
    assert (None, RDF.type, RDFS.Resource) not in inferred


def test_dataset_keeps_graphs_apart(dataset, rdflib_dataset):
    query = ("SELECT ?g WHERE { GRAPH ?g { <%s> <https://w3id.org/cchc-graph/ontology#leads> <%s> } }"
             % (AGENCY("so-tu-phap"), ROW("I-02")))
    assert [str(r["g"]) for r in run_local(dataset, query).rows] == [str(INFERRED)]
    asserted = rdflib_dataset.graph(ASSERTED)
    inferred = rdflib_dataset.graph(INFERRED)
    assert (AGENCY("so-tu-phap"), CCHC.leads, ROW("I-02")) in inferred
    assert (AGENCY("so-tu-phap"), CCHC.leads, ROW("I-02")) not in asserted
    answer = rdflib_dataset.query("SELECT ?g WHERE { GRAPH ?g { ?a <https://w3id.org/cchc-graph/ontology#leads> ?r } } LIMIT 1")
    assert [str(r[0]) for r in answer] == [str(INFERRED)]


def test_reason_cli_and_query_without_reasoning(runner, built_graph_file, tmp_path):
    out = tmp_path / "inferred.ttl"
    result = runner.invoke(main, ["reason", "--graph", str(built_graph_file), "-o", str(out)])
    assert result.exit_code == 0 and out.exists()
    assert "inferred triples" in result.output
    with_reasoning = runner.invoke(main, ["query", "agency-involvement", "-p", "agency=Sở Tư pháp", "--format", "csv",
                                          "--graph", str(built_graph_file)])
    without = runner.invoke(main, ["query", "agency-involvement", "-p", "agency=Sở Tư pháp", "--format", "csv",
                                   "--graph", str(built_graph_file), "--no-reasoning"])
    assert len(with_reasoning.output.splitlines()) > 1
    assert without.output.splitlines() == ["row_id,role,involvement,through,cell,timeframe,position"]


def test_rules_and_owlrl_give_the_same_closure(plan_graph, ontology, inferred):
    """The fast engine (the default) is only used because it equals the reference on the real plan."""
    from cchc_graph.reason import closure

    reference = closure(plan_graph, ontology, engine="owlrl")
    assert set(inferred) == set(reference)
    assert len(reference) > 9000


def test_property_chains_are_compiled_to_rules(plan_graph, ontology):
    from cchc_graph.reason import property_chains

    chains = {str(p).rsplit("#", 1)[1]: [str(s).rsplit("#", 1)[1] for s in steps] for p, steps in property_chains(ontology)}
    assert chains == {"leadsThroughGroup": ["memberOf", "leads"], "coordinatesThroughGroup": ["memberOf", "coordinates"],
                      "cites": ["hasCitation", "citedDocument"]}
    from cchc_graph.reason import compile_rules
    assert any("?s <http://www.w3.org/ns/org#memberOf>/<https://w3id.org/cchc-graph/ontology#leads> ?o" in rule
               for rule in compile_rules(ontology))
