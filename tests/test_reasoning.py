"""OWL RL reasoning: what the queries rely on is inferred, and inferred triples stay apart."""

from __future__ import annotations

from collections import Counter

import pytest
from pathlib import Path

from rdflib import URIRef

from cchc_graph.cli import main
from cchc_graph.namespaces import CCHC, DCTERMS, ID, ORG, RDF
from cchc_graph.query import run_local
from cchc_graph.store import ASSERTED, INFERRED
from tests.golden_cases import GOLDEN_CASES, answer_rows

ROW = lambda rid: URIRef(f"{ID}plan/ninh-binh-2023/row/{rid}")  # noqa: E731
AGENCY = lambda aid: ID[f"agency/ninh-binh/{aid}"]  # noqa: E731
PLAN = ID["plan/ninh-binh-2023"]
DECREE_90 = URIRef("https://w3id.org/cchc-graph/eli/vn/nd-cp/2020/90")
DECREE_48 = URIRef("https://w3id.org/cchc-graph/eli/vn/nd-cp/2023/48")


@pytest.fixture(scope="module")
def full_inferred(plan_graph, ontology):
    """The whole OWL RL closure (`reason --profile full`), not only what the saved queries use."""
    from cchc_graph.reason import closure
    return closure(plan_graph, ontology, profile="full")


def test_inferred_triples_are_new(plan_graph, inferred, full_inferred):
    assert len(inferred) == 965 and len(full_inferred) == 9598
    assert not any(t in plan_graph for t in full_inferred)
    assert set(inferred) < set(full_inferred)


def test_inverse_roles(inferred, full_inferred, plan_graph):
    assert (ROW("I-02"), CCHC.leadAgency, AGENCY("so-tu-phap")) in plan_graph
    assert (AGENCY("so-tu-phap"), CCHC.leads, ROW("I-02")) in inferred
    # Sub-property of involvedIn: entailed, but no saved query reads involvedIn, so only the full profile has it.
    assert (AGENCY("so-tu-phap"), CCHC.involvedIn, ROW("I-02")) in full_inferred
    assert (ROW("I-02"), CCHC.involvedAgency, AGENCY("so-tu-phap")) in full_inferred
    assert (None, CCHC.involvedIn, None) not in inferred


def test_group_membership_and_roles_through_groups(inferred, full_inferred):
    assert (AGENCY("cac-so-ban-nganh"), ORG.hasMember, AGENCY("so-noi-vu")) in full_inferred
    # I-01's lead cell names "Các sở, ban, ngành", of which Sở Nội vụ is a member.
    assert (AGENCY("so-noi-vu"), CCHC.leadsThroughGroup, ROW("I-01")) in full_inferred
    assert (AGENCY("so-noi-vu"), CCHC.coordinatesThroughGroup, ROW("I-02")) in full_inferred
    assert (AGENCY("so-noi-vu"), CCHC.leads, ROW("I-01")) not in full_inferred
    # The saved queries join org:memberOf with cchc:leads instead: the chains are not materialised by default
    # (at 630 plans they were a million triples).
    assert (None, CCHC.leadsThroughGroup, None) not in inferred
    assert (AGENCY("cac-so-ban-nganh"), CCHC.leads, ROW("I-01")) in inferred


def test_partonomy_and_citations(inferred, full_inferred):
    task = URIRef(f"{ID}plan/ninh-binh-2023/task/IV-2-1")
    for closure in (inferred, full_inferred):
        assert (ROW("VI-05"), CCHC.partOf, PLAN) in closure  # transitive
        assert (task, CCHC.cites, DECREE_90) in closure  # property chain hasCitation/citedDocument
        assert (DECREE_90, CCHC.affectedBy, DECREE_48) in closure
    assert (PLAN, DCTERMS.hasPart, ROW("VI-05")) in full_inferred  # aligned to DCTERMS
    assert (PLAN, CCHC.hasPart, ROW("VI-05")) in full_inferred
    assert (DECREE_90, CCHC.citedBy, task) in full_inferred
    assert (ROW("I-01"), RDF.type, CCHC.PlanElement) in full_inferred  # sub-class
    # One direction of the partonomy is enough for the queries (they say ^cchc:partOf).
    for unused in (DCTERMS.hasPart, CCHC.hasPart, CCHC.citedBy):
        assert (None, unused, None) not in inferred
    assert (None, RDF.type, CCHC.PlanElement) not in inferred


def test_partonomy_is_kept_where_a_row_is_at_one_end(plan_graph, inferred, full_inferred):
    """PROFILE_ANCHORS: the queries read cchc:partOf from a row (up to its plan, down to its products and
    timeframe); the pairs between other elements are in the full profile only."""
    product = URIRef(f"{ID}plan/ninh-binh-2023/row/VI-05/product/1")
    task = URIRef(f"{ID}plan/ninh-binh-2023/task/IV-2-1")
    assert (product, CCHC.partOf, ROW("VI-05")) in inferred
    assert (ROW("VI-05"), CCHC.partOf, PLAN) in inferred
    for other in ((product, CCHC.partOf, PLAN), (task, CCHC.partOf, PLAN)):
        assert other in full_inferred and other not in inferred
    rows = set(plan_graph.subjects(RDF.type, CCHC.PlanRow))
    kept = set(inferred.subject_objects(CCHC.partOf))
    assert kept == {(s, o) for s, o in full_inferred.subject_objects(CCHC.partOf) if s in rows or o in rows}


@pytest.fixture(scope="module")
def full_dataset(plan_graph, ontology, full_inferred):
    from cchc_graph.store import assemble
    return assemble(plan_graph, ontology, full_inferred)


@pytest.mark.parametrize("case,name,params", GOLDEN_CASES, ids=[c[0] for c in GOLDEN_CASES])
def test_saved_queries_answer_the_same_on_both_profiles(dataset, full_dataset, case, name, params):
    """The queries profile (and PROFILE_ANCHORS) keeps all that the saved queries read: on the whole
    closure every golden case gives the same answer."""
    columns, rows = answer_rows(dataset, name, params)
    full_columns, full_rows = answer_rows(full_dataset, name, params)
    assert columns == full_columns and Counter(rows) == Counter(full_rows)


def test_no_trivial_entailments(inferred, full_inferred):
    from cchc_graph.namespaces import OWL, RDFS
    for closure in (inferred, full_inferred):
        assert not any(s == o for s, _, o in closure.triples((None, OWL.sameAs, None)))
        assert (None, RDF.type, OWL.Thing) not in closure
        assert (None, RDF.type, RDFS.Resource) not in closure


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


def test_query_reads_strictly_checked_files_fast_and_checks_edited_ones(runner, built_graph_file, tmp_path,
                                                                       monkeypatch):
    """With a fresh cache, `query` loads the graph and the cache in Oxigraph's lenient mode: their bytes were
    parsed strictly by `reason`. A graph edited since is read again strictly, so a bad IRI is still an error."""
    import shutil

    from cchc_graph.store import OxigraphDataset

    graph = tmp_path / "graph.ttl"
    shutil.copy(built_graph_file, graph)
    assert runner.invoke(main, ["reason", "--graph", str(graph)]).exit_code == 0
    loads = []
    add_file = OxigraphDataset.add_file

    def recording_add_file(self, name, path, checked=False, data=None):
        loads.append((Path(path).name, checked))
        return add_file(self, name, path, checked, data)

    monkeypatch.setattr(OxigraphDataset, "add_file", recording_add_file)
    fresh = runner.invoke(main, ["query", "plans", "--graph", str(graph), "--format", "csv"])
    assert fresh.exit_code == 0 and "ninh-binh-2023" in fresh.output
    from cchc_graph.reason import ontology_files
    # the ontology's own files too, straight into Oxigraph (tests/test_startup.py: the graph rdflib reads)
    assert loads == [("graph.ttl", True), *((path.name, True) for path in ontology_files()), ("graph.inferred.ttl", True)]

    loads.clear()
    with graph.open("a", encoding="utf-8") as handle:  # an IRI with a space: lenient parsing would take it
        handle.write('\n<https://w3id.org/cchc-graph/id/a b> <https://w3id.org/cchc-graph/ontology#note> "x" .\n')
    edited = runner.invoke(main, ["query", "plans", "--graph", str(graph)])
    assert loads == [("graph.ttl", True), ("graph.ttl", False)]  # the bet on a fresh cache, then strictly
    assert edited.exit_code == 2
    assert str(graph) in edited.output and "Invalid IRI code point" in edited.output


@pytest.fixture(scope="module")
def owlrl_closure(plan_graph, ontology):
    from cchc_graph.reason import _owlrl_closure
    return _owlrl_closure(plan_graph, ontology)


def test_succession_is_made_explicit(inferred, full_inferred):
    """cchc:became follows org:changedBy/org:resultingOrganization as far as it goes, and
    cchc:eventuallyChangedBy reaches every change event on an agency's way, so queries join on one triple."""
    old = AGENCY("so-thong-tin-va-truyen-thong")
    change = URIRef("https://w3id.org/cchc-graph/id/change/")
    assert set(full_inferred.objects(old, CCHC.became)) == {
        AGENCY("so-khoa-hoc-va-cong-nghe"), URIRef("https://w3id.org/cchc-graph/id/agency/ninh-binh-2025/so-khoa-hoc-va-cong-nghe")}
    events = {change + "so-2025-03-khcn/ninh-binh", change + "nb-2025-07-tinh/so-khoa-hoc-va-cong-nghe"}
    assert set(full_inferred.objects(old, CCHC.eventuallyChangedBy)) == events
    # The queries profile keeps the one the saved queries read (responsible-today).
    assert set(inferred.objects(old, CCHC.eventuallyChangedBy)) == events
    assert not set(inferred.objects(old, CCHC.became))


def test_rules_and_owlrl_give_the_same_closure(plan_graph, ontology, inferred, full_inferred, owlrl_closure,
                                               monkeypatch):
    """The fast engine (the default) is only used because it equals the reference on the real plan: the whole
    closure with the full profile, and the closure restricted to the saved queries' terms by default."""
    from cchc_graph import reason

    monkeypatch.setattr(reason, "_owlrl_closure", lambda *_: owlrl_closure)  # one owlrl run for both profiles
    reference_full = reason.closure(plan_graph, ontology, engine="owlrl", profile="full")
    reference = reason.closure(plan_graph, ontology, engine="owlrl")
    assert set(full_inferred) == set(reference_full) and len(reference_full) == 9598
    assert set(inferred) == set(reference) and len(reference) == 965
    properties, classes = reason.profile_terms(ontology)
    members = reason.anchor_members(set(plan_graph) | set(reference_full))
    assert set(reference) == {t for t in reference_full if reason.in_profile(t, properties, classes, members)}


def test_profile_keeps_what_the_saved_queries_mention(ontology):
    from cchc_graph.reason import profile_terms

    properties, classes = profile_terms(ontology)
    name = lambda term: ontology.qname(term)  # noqa: E731
    assert sorted(map(name, properties)) == [
        "cchc:affectedBy", "cchc:cites", "cchc:coordinates", "cchc:coordinatingAgency", "cchc:eventuallyChangedBy",
        "cchc:leadAgency", "cchc:leads", "cchc:partOf", "dcterms:identifier", "eli:amended_by", "eli:amends", "eli:repealed_by",
        "eli:repeals", "org:memberOf"]
    assert sorted(map(name, classes)) == [
        "cchc:Activity", "cchc:ConditionalTimeframe", "cchc:FollowingScheduleTimeframe", "cchc:LegalDocument",
        "cchc:Objective", "cchc:PlanArea", "cchc:PlanRow", "cchc:Product", "cchc:Province", "cchc:ReformArea",
        "cchc:ReformPlan", "cchc:Task", "cchc:Timeframe"]


def test_a_new_saved_query_widens_the_profile(ontology, tmp_path):
    """The profile follows the queries folder: a query that reads cchc:hasPart and cchc:PlanElement gets them."""
    from cchc_graph.reason import compile_profile, profile_terms

    (tmp_path / "parts.rq").write_text(
        "PREFIX cchc: <https://w3id.org/cchc-graph/ontology#>\n"
        "SELECT ?part WHERE { ?plan cchc:hasPart ?part . VALUES ?c { cchc:PlanElement } ?part a ?c }\n")
    properties, classes = profile_terms(ontology, tmp_path)
    assert properties == {CCHC.hasPart} and classes == {CCHC.PlanElement}
    [has_part, _] = compile_profile(ontology, tmp_path)
    # Transitive, with its sub-properties and its inverse folded into one path, closed once.
    assert "WHERE { ?s (<https://w3id.org/cchc-graph/ontology#hasPart>|<https://w3id.org/cchc-graph/ontology#hasActivity>|" in has_part
    assert "|^<https://w3id.org/cchc-graph/ontology#partOf>)+ ?o MINUS" in has_part
    (tmp_path / "broken.rq").write_text("SELECT ?x WHERE { ?x ")
    with pytest.raises(Exception, match="broken.rq: not valid SPARQL"):
        profile_terms(ontology, tmp_path)


def test_reason_profiles_on_the_command_line(runner, built_graph_file, tmp_path):
    from cchc_graph.reason import inferred_is_fresh, inferred_path_for

    graph = tmp_path / "graph.ttl"
    graph.write_bytes(built_graph_file.read_bytes())
    full = runner.invoke(main, ["reason", "--graph", str(graph), "--profile", "full"])
    assert full.exit_code == 0, full.output
    assert full.output.strip() == f"wrote {inferred_path_for(graph)} (9598 inferred triples)"
    assert inferred_is_fresh(graph)  # the full closure contains the queries profile: `query` uses it as is
    default = runner.invoke(main, ["reason", "--graph", str(graph)])
    assert default.output.strip() == f"wrote {inferred_path_for(graph)} (965 inferred triples)"
    unknown = runner.invoke(main, ["reason", "--graph", str(graph), "--profile", "everything"])
    assert unknown.exit_code == 2 and "everything" in unknown.output


def test_cached_closure_goes_stale_when_a_saved_query_changes(built_graph_file, tmp_path, monkeypatch):
    """What the profile keeps depends on the queries, so the cache digest covers them."""
    import shutil
    from cchc_graph import reason

    queries = tmp_path / "queries"
    shutil.copytree(reason.QUERIES_DIR, queries)
    monkeypatch.setattr(reason, "QUERIES_DIR", queries)
    graph = tmp_path / "graph.ttl"
    graph.write_bytes(built_graph_file.read_bytes())
    reason.reason_to_file(graph)
    assert reason.inferred_is_fresh(graph)
    (queries / "new.rq").write_text("SELECT * WHERE { ?s ?p ?o }\n")
    assert not reason.inferred_is_fresh(graph)


def test_property_chains_are_compiled_to_rules(plan_graph, ontology):
    from cchc_graph.reason import property_chains

    chains = {str(p).rsplit("#", 1)[1]: [str(s).rsplit("#", 1)[1] for s in steps] for p, steps in property_chains(ontology)}
    assert chains == {"leadsThroughGroup": ["memberOf", "leads"], "coordinatesThroughGroup": ["memberOf", "coordinates"],
                      "cites": ["hasCitation", "citedDocument"], "became": ["changedBy", "resultingOrganization"],
                      "eventuallyChangedBy": ["became", "changedBy"]}
    from cchc_graph.reason import compile_rules
    assert any("?s <http://www.w3.org/ns/org#memberOf>/<https://w3id.org/cchc-graph/ontology#leads> ?o" in rule
               for rule in compile_rules(ontology))
