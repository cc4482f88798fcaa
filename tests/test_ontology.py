"""The ontology (ontology/cchc.ttl, ontology/schemes.ttl): it loads, it is consistent with the plan under OWL RL,
its header and every term are documented in Vietnamese and English, and the typed namespace CCHC matches it."""

from __future__ import annotations

from pathlib import Path

import owlrl
import pytest
from rdflib import Graph, Literal, Namespace, URIRef

import cchc_graph
from cchc_graph.namespaces import CCHC, DCTERMS, OWL, RDF, RDFS, SKOS
from cchc_graph.reason import closure

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY_DIR = ROOT / "ontology"
CCHC_TTL = ONTOLOGY_DIR / "cchc.ttl"
SCHEMES_TTL = ONTOLOGY_DIR / "schemes.ttl"
ONTOLOGY_IRI = URIRef("https://w3id.org/cchc-graph/ontology")
NS = str(CCHC._NS)
XSD_INTEGER = URIRef("http://www.w3.org/2001/XMLSchema#integer")

# owlrl (Closure.py, `closure` → "Add possible error messages") reports every clash it finds (cls-nothing2,
# eq-diff*, prp-irp, prp-asyp, dt-not-type, cax-dw …) as a blank node typed err:ErrorMessage with an err:error
# literal, in this namespace. It never raises.
ERR = Namespace("http://www.daml.org/2002/03/agents/agent-ont#")

TERM_TYPES = {OWL.Class, RDFS.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property,
              OWL.TransitiveProperty, OWL.FunctionalProperty, OWL.SymmetricProperty, OWL.InverseFunctionalProperty}


def owlrl_errors(graph: Graph) -> list[str]:
    """Clashes owlrl recorded in a graph: its error messages, and anything typed owl:Nothing."""
    messages = sorted(str(m) for m in graph.objects(None, ERR.error))
    messages += sorted(f"{s} is of type owl:Nothing" for s in graph.subjects(RDF.type, OWL.Nothing))
    return messages


@pytest.fixture(scope="module")
def cchc_graph_file() -> Graph:
    return Graph().parse(CCHC_TTL, format="turtle")


@pytest.fixture(scope="module")
def schemes_graph() -> Graph:
    return Graph().parse(SCHEMES_TTL, format="turtle")


def declared_terms(graph: Graph) -> set[URIRef]:
    return {s for s, o in graph.subject_objects(RDF.type) if o in TERM_TYPES and isinstance(s, URIRef)}


# ------------------------------------------------------------------------------------------------ loading

@pytest.mark.parametrize("path", [CCHC_TTL, SCHEMES_TTL], ids=lambda p: p.name)
def test_ontology_file_parses(path):
    graph = Graph().parse(path, format="turtle")
    assert len(graph) > 50


def test_ontology_fixture_is_both_files(ontology, cchc_graph_file, schemes_graph):
    assert len(ontology) == len(cchc_graph_file + schemes_graph)
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ontology


# ------------------------------------------------------------------------------------------------ consistency

@pytest.fixture(scope="module")
def owlrl_inferred(plan_graph, ontology):
    """The closure by owlrl, the reference engine, which reports inconsistencies as error triples."""
    return closure(plan_graph, ontology, engine="owlrl", profile="full")


def test_owl_rl_closure_of_ontology_and_plan_is_consistent(owlrl_inferred, plan_graph):
    """The inferred graph (cchc_graph.reason.closure of ontology + plan graph, owlrl) carries owlrl's error
    messages through; there must be none."""
    assert len(owlrl_inferred) > 1000  # the closure really ran
    assert owlrl_errors(owlrl_inferred) == []
    assert owlrl_errors(plan_graph) == []


@pytest.mark.parametrize("triples, expected", [
    ([(URIRef("urn:test:x"), RDF.type, OWL.Nothing)], "defined of type 'Nothing'"),
    ([(URIRef("urn:test:x"), OWL.sameAs, URIRef("urn:test:y")),
      (URIRef("urn:test:x"), OWL.differentFrom, URIRef("urn:test:y"))], "'sameAs' and 'differentFrom'"),
    ([(URIRef("urn:test:row"), CCHC.position, Literal("first", datatype=XSD_INTEGER))], "does not match its datatype"),
], ids=["nothing", "same-and-different", "bad-integer"])
def test_consistency_check_detects_a_clash(ontology, triples, expected):
    """Control: the check above can fail. owlrl run directly, and through cchc_graph.reason.closure, reports a
    clash added to the ontology."""
    data = Graph()
    for triple in triples:
        data.add(triple)
    direct = Graph()
    for triple in data + ontology:
        direct.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(direct)
    assert any(expected in message for message in owlrl_errors(direct))
    assert any(expected in message for message in owlrl_errors(closure(data, ontology, engine="owlrl", profile="full")))


# ------------------------------------------------------------------------------------------------ header

def test_ontology_header(cchc_graph_file):
    g = cchc_graph_file
    assert list(g.subjects(RDF.type, OWL.Ontology)) == [ONTOLOGY_IRI]
    assert g.value(ONTOLOGY_IRI, OWL.versionInfo) == Literal(cchc_graph.__version__)
    assert g.value(ONTOLOGY_IRI, OWL.versionIRI) == URIRef(f"{ONTOLOGY_IRI}/{cchc_graph.__version__}")
    assert g.value(ONTOLOGY_IRI, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    creator = g.value(ONTOLOGY_IRI, DCTERMS.creator)
    assert creator is not None and str(creator).strip()
    titles = {t.language for t in g.objects(ONTOLOGY_IRI, DCTERMS.title)}
    assert titles == {"vi", "en"}


# ------------------------------------------------------------------------------------------------ terms

def _texts(graph: Graph, subject, predicate) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for value in graph.objects(subject, predicate):
        assert isinstance(value, Literal), f"{subject} {predicate}: {value!r} is not a literal"
        out.setdefault(value.language, []).append(str(value))
    return out


def test_declared_terms_are_many(cchc_graph_file):
    terms = declared_terms(cchc_graph_file)
    assert len(terms) == len(CCHC.__annotations__) >= 72
    assert CCHC.PlanRow in terms and CCHC.leadAgency in terms and CCHC.sourceRowNumber in terms


def test_every_term_has_one_label_and_definition_in_vi_and_en(cchc_graph_file):
    problems = []
    for term in sorted(declared_terms(cchc_graph_file)):
        for predicate in (RDFS.label, SKOS.definition):
            texts = _texts(cchc_graph_file, term, predicate)
            for lang in ("vi", "en"):
                values = texts.get(lang, [])
                if len(values) != 1 or not values[0].strip():
                    problems.append(f"{term} {predicate} @{lang}: {values}")
            extra = set(texts) - {"vi", "en"}
            if extra:
                problems.append(f"{term} {predicate}: unexpected languages {extra}")
    assert problems == []


def test_every_cchc_term_of_the_namespace_is_in_the_ontology(cchc_graph_file):
    declared = {str(t) for t in declared_terms(cchc_graph_file) if str(t).startswith(NS)}
    in_code = {NS + name for name in CCHC.__annotations__}
    assert sorted(in_code - declared) == []
    assert sorted(declared - in_code) == []


def test_every_cchc_iri_used_in_the_ontology_files_is_declared(ontology, cchc_graph_file):
    declared = declared_terms(cchc_graph_file)
    used = {term for triple in ontology for term in triple if isinstance(term, URIRef) and str(term).startswith(NS)}
    assert sorted(used - declared) == []


def test_misspelt_cchc_term_raises_attribute_error():
    with pytest.raises(AttributeError, match="PlanRows"):
        CCHC.PlanRows  # noqa: B018
    with pytest.raises(AttributeError):
        CCHC.leadagency  # noqa: B018 (case matters)
    assert CCHC.PlanRow == URIRef(NS + "PlanRow")


# ------------------------------------------------------------------------------------------------ schemes

def test_every_concept_and_scheme_has_one_pref_label_in_vi_and_en(schemes_graph):
    g = schemes_graph
    concepts = set(g.subjects(SKOS.inScheme, None)) | set(g.subjects(RDF.type, SKOS.ConceptScheme))
    assert len(concepts) == 25  # 3 schemes, 7 reform areas, 10 product kinds, 5 kinds of change
    problems = []
    for concept in sorted(concepts):
        labels = _texts(g, concept, SKOS.prefLabel)
        if sorted(labels) != ["en", "vi"] or any(len(v) != 1 or not v[0].strip() for v in labels.values()):
            problems.append(f"{concept}: {labels}")
    assert problems == []


def test_concepts_are_typed_and_in_a_scheme(schemes_graph):
    g = schemes_graph
    for concept in g.subjects(SKOS.inScheme, None):
        types = set(g.objects(concept, RDF.type))
        assert types & {SKOS.Concept, CCHC.ReformArea, CCHC.NationalProgrammeArea}, concept
    # The six areas of the national programme, plus the direction of the reform.
    national = set(g.subjects(RDF.type, CCHC.NationalProgrammeArea))
    assert len(national) == 6
    assert len(set(g.subjects(RDF.type, CCHC.ReformArea))) == 1
