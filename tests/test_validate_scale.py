"""The oxigraph validation engine (issue #6) gives exactly pySHACL's findings.

The test corpus is the real 2023 plan and three synthetic plans (benchmarks/synthetic.py), built together, with
rows broken on purpose so that every constraint component of shapes/ fires at least once, one of them across
plans (a national decree cited with two dates by two provinces). Both engines must give the same set of
(focus node, result path, value, constraint component, source shape, severity, messages), and the command must
print the same reports.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from cchc_graph.build import DEFAULT_PLAN, build_graph
from cchc_graph.cli import main
from cchc_graph.errors import CchcError
from cchc_graph.store import write_graph
from cchc_graph.validate import _join_is_prebinding, load_shapes, render_report, validate_files, validate_graph

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from synthetic import generate  # noqa: E402

from tests.plain_namespaces import CCHC, DCTERMS, ELI, ID, RDF, SH, XSD  # noqa: E402
UNKNOWN_DECREE = URIRef("https://w3id.org/cchc-graph/eli/vn/nd-cp/2020/99")
REAL_PLAN = ID["plan/ninh-binh-2023"]


def keys(outcome) -> set[tuple]:
    return {(f.focus, f.path_text, f.value, f.component, f.shape, f.severity, f.messages) for f in outcome.findings}


def components_of_shapes() -> set[URIRef]:
    """The constraint components the shapes use (by their parameters)."""
    shapes = load_shapes()
    names = {"minCount": "MinCount", "maxCount": "MaxCount", "datatype": "Datatype", "class": "Class",
             "pattern": "Pattern", "minLength": "MinLength", "minInclusive": "MinInclusive",
             "maxInclusive": "MaxInclusive", "languageIn": "LanguageIn", "uniqueLang": "UniqueLang", "or": "Or",
             "node": "Node", "sparql": "SPARQL"}
    used = {str(p)[len(str(SH)):] for p in shapes.predicates() if str(p).startswith(str(SH))}
    assert used - set(names) <= {"path", "property", "targetClass", "severity", "name", "description", "message",
                                 "flags", "prefixes", "declare", "prefix", "namespace", "select", "inversePath",
                                 "alternativePath"}, "a new kind of constraint: teach the oxigraph engine and this test"
    return {SH[names[u] + "ConstraintComponent"] for u in used & set(names)}


def rows_of(graph: Graph, plan: URIRef) -> list[URIRef]:
    return sorted(r for r in graph.subjects(RDF.type, CCHC.PlanRow) if str(r).startswith(f"{plan}/"))


def break_plans(graph: Graph, plans: list[URIRef]) -> URIRef:
    """Break rows of the synthetic plans so that every constraint component of the shapes fires; return the
    document now cited with two dates by two plans."""
    first, second, _ = (rows_of(graph, plan) for plan in plans)
    row = first[0]
    graph.add((row, CCHC.timeframe, graph.value(first[1], CCHC.timeframe)))  # MaxCount (and the timeframe's row count)
    graph.set((first[2], CCHC.position, Literal("abc", datatype=XSD.integer)))  # Datatype: ill-typed
    graph.set((first[3], CCHC.position, Literal(0)))  # MinInclusive
    graph.add((first[4], CCHC.hasProduct, next(graph.subjects(RDF.type, CCHC.Agency))))  # Class
    graph.set((first[5], CCHC.rowId, Literal("I-1")))  # Pattern
    graph.set((first[6], CCHC.leadText, Literal("")))  # MinLength
    graph.remove((first[7], CCHC.leadText, None))  # MinCount
    graph.add((first[8], CCHC.leadAgency, UNKNOWN_DECREE))  # Or: a lead that is neither an agency nor a group
    lead = graph.value(first[9], CCHC.leadAgency)
    graph.add((first[9], CCHC.coordinatingAgency, lead))  # SPARQL: the lead also coordinates
    graph.add((plans[0], DCTERMS.title, Literal("Kế hoạch khác", lang="vi")))  # UniqueLang
    graph.add((plans[1], DCTERMS.title, Literal("Plan de réforme", lang="fr")))  # LanguageIn
    quarter = next(q for r in second for q in graph.objects(graph.value(r, CCHC.timeframe), CCHC.includesQuarter))
    graph.set((quarter, CCHC.quarterNumber, Literal(5)))  # MaxInclusive
    # Node: a citation of a decree the catalogue does not have (no issuer, no date)
    citation = next(c for c in sorted(graph.subjects(CCHC.citedDocument, None)) if str(c).startswith(f"{plans[1]}/"))
    graph.set((citation, CCHC.citedDocument, UNKNOWN_DECREE))
    graph.add((UNKNOWN_DECREE, RDF.type, CCHC.Decree))
    # SPARQL across plans: the third plan cites a document of the real plan with another date than the real plan
    for citation in sorted(graph.subjects(CCHC.citedDocument, None)):
        document = graph.value(citation, CCHC.citedDocument)
        if str(citation).startswith(f"{plans[2]}/") and any(
                str(c).startswith(f"{REAL_PLAN}/") and graph.value(c, CCHC.citedDate) is not None
                for c in graph.subjects(CCHC.citedDocument, document)):
            graph.set((citation, CCHC.citedDate, Literal("1999-01-06", datatype=XSD.date)))
            return document
    raise AssertionError("no document cited by both the real plan and a synthetic plan")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Graph:
    folders = generate(3, tmp_path_factory.mktemp("plans"))
    graph = build_graph([DEFAULT_PLAN, *folders])
    plans = sorted(p for p in graph.subjects(RDF.type, CCHC.ReformPlan) if p != REAL_PLAN)
    assert len(plans) == 3
    graph.twice_cited = break_plans(graph, plans)
    return graph


@pytest.fixture(scope="module")
def corpus_file(corpus, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("graph") / "corpus.nt"
    write_graph(corpus, path, "nt")
    return path


@pytest.fixture(scope="module")
def reference(corpus, ontology):
    return validate_graph(corpus, ontology=ontology)


def test_every_component_fires_and_both_engines_agree(corpus, ontology, reference):
    fast = validate_graph(corpus, ontology=ontology, engine="oxigraph")
    assert {f.component for f in reference.findings} == components_of_shapes()
    assert len(reference.findings) > 100
    assert keys(fast) == keys(reference)
    assert fast.conforms == reference.conforms and fast.counts() == reference.counts()
    # the cross-plan rule: a document cited with its date by the real plan and with 1999-01-06 by a synthetic one
    dates = {f.value for f in fast.findings
             if f.focus == corpus.twice_cited and str(f.shape).endswith("LegalDocument-citedDates")}
    assert len(dates) == 2 and Literal("1999-01-06", datatype=XSD.date) in dates


def test_reports_are_the_same(corpus, ontology, reference):
    fast = validate_graph(corpus, ontology=ontology, engine="oxigraph")
    for lang in ("vi", "en"):
        assert render_report(fast, lang, "text") == render_report(reference, lang, "text")
        assert render_report(fast, lang, "json") == render_report(reference, lang, "json")
    results = list(fast.report.objects(None, SH.result))
    assert len(results) == len(reference.findings)
    report = Graph().parse(data=render_report(fast, fmt="turtle"), format="turtle")
    assert len(list(report.objects(None, SH.result))) == len(results)


def test_files_read_by_oxigraph_give_the_same_findings(corpus_file, ontology, reference):
    fast = validate_files([corpus_file], ontology=ontology, engine="oxigraph")
    assert keys(fast) == keys(reference)
    assert render_report(fast, "vi") == render_report(reference, "vi")


def test_command_engine_option(corpus_file, runner, reference):
    outputs = {}
    for engine in ("pyshacl", "oxigraph"):
        result = runner.invoke(main, ["validate", "--graph", str(corpus_file), "--engine", engine, "--format", "json",
                                      "--lang", "en"])
        assert result.exit_code == 1, result.output
        outputs[engine] = json.loads(result.output)
    assert outputs["oxigraph"] == outputs["pyshacl"]
    assert outputs["oxigraph"]["counts"] == reference.counts()
    assert runner.invoke(main, ["validate", "--graph", str(corpus_file), "--engine", "jena"]).exit_code == 2


def test_literals_keep_the_form_they_were_given_in(ontology):
    """Oxigraph stores "2023.0"^^xsd:decimal as "2023" and "x"^^xsd:string as "x"; findings from an rdflib graph
    still show the terms as given. (Oxigraph cannot keep "x" and "x"^^xsd:string apart, RDF 1.1 says they are
    one term, rdflib two: a node with both would count one value here, two in pySHACL.)"""
    base = Graph().parse(ROOT / "tests" / "shapes" / "base.ttl")
    plan = URIRef("https://example.org/t/plan")
    base.set((plan, CCHC.planYear, Literal("2023.0", datatype=XSD.decimal)))
    base.remove((plan, ELI.id_local, None))
    base.set((plan, CCHC.numberAsPrinted, Literal("   /KH-UBND", datatype=XSD.string)))
    found = validate_graph(base, ontology=ontology, engine="oxigraph")
    assert keys(found) == keys(validate_graph(base, ontology=ontology))
    assert {f.value for f in found.findings} == {Literal("2023.0", datatype=XSD.decimal),
                                                 Literal("   /KH-UBND", datatype=XSD.string)}


def test_sparql_constraints_that_need_prebinding(tmp_path, corpus, ontology):
    """A SPARQL constraint where $this is bound by no triple pattern runs once per focus node, as pySHACL runs it."""
    prefixes = "PREFIX cchc: <https://w3id.org/cchc-graph/ontology#>\n"
    assert _join_is_prebinding(prefixes + "SELECT $this ?value WHERE { $this cchc:leadAgency ?value }")
    assert not _join_is_prebinding(prefixes + "SELECT $this WHERE { FILTER NOT EXISTS { $this cchc:leadText ?t } }")
    assert not _join_is_prebinding(prefixes + "SELECT $this ?value WHERE { $this cchc:rowId ?id . "
                                              "OPTIONAL { ?value cchc:rowId ?other FILTER(?value != $this) } }")
    (tmp_path / "rules.ttl").write_text("""
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix cchc: <https://w3id.org/cchc-graph/ontology#> .
<urn:x:RowShape> a sh:NodeShape ; sh:targetClass cchc:PlanRow ; sh:severity sh:Warning ;
    sh:sparql [ a sh:SPARQLConstraint ; sh:message "no lead text"@en ; sh:select \"\"\"
        PREFIX cchc: <https://w3id.org/cchc-graph/ontology#>
        SELECT $this WHERE { FILTER NOT EXISTS { $this cchc:leadText ?text } }\"\"\" ] .
""", encoding="utf-8")
    fast = validate_graph(corpus, shapes_dir=tmp_path, ontology=ontology, engine="oxigraph")
    assert keys(fast) == keys(validate_graph(corpus, shapes_dir=tmp_path, ontology=ontology))
    assert len(fast.findings) == 1


def test_unsupported_shapes_stop_the_oxigraph_engine(tmp_path, ontology):
    (tmp_path / "x.ttl").write_text("""
@prefix sh: <http://www.w3.org/ns/shacl#> .
<urn:x:S> a sh:NodeShape ; sh:targetNode <urn:x:a> ; sh:sparql [ sh:select '''
    SELECT $this WHERE { $this ?p ?o . SERVICE <http://example.org/sparql> { ?o ?q ?r } }''' ] .
""", encoding="utf-8")
    with pytest.raises(CchcError, match="SERVICE \\(a federated query\\) is not supported in a pre-bound SHACL query"):
        validate_graph(Graph(), shapes_dir=tmp_path, ontology=ontology, engine="oxigraph")
    with pytest.raises(CchcError, match="unknown validation engine"):
        validate_graph(Graph(), ontology=ontology, engine="jena")
    with pytest.raises(CchcError, match="no such file"):
        validate_files([tmp_path / "missing.nt"], ontology=ontology, engine="oxigraph")



def test_files_keep_literals_as_written(tmp_path, plan_graph, ontology):
    """Oxigraph stores "1"^^xsd:int as "1"^^xsd:integer; sh:datatype still sees the xsd:int of the file, as
    pySHACL does (issue #16: 24 findings against 25 before)."""
    graph = Graph()
    graph += plan_graph
    row = min(graph.subjects(RDF.type, CCHC.PlanRow), key=str)
    graph.set((row, CCHC.position, Literal("1", datatype=XSD.int)))
    path = tmp_path / "graph.ttl"
    write_graph(graph, path)
    fast, reference = (validate_files([path], ontology=ontology, engine=e) for e in ("oxigraph", "pyshacl"))
    assert keys(fast) == keys(reference)
    [finding] = [f for f in fast.findings if f.focus == row and f.path_text == f"<{CCHC.position}>"]
    assert (finding.value, finding.component) == (Literal("1", datatype=XSD.int), SH.DatatypeConstraintComponent)
