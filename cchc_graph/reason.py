"""OWL RL reasoning: make implied facts explicit so the saved queries stay simple.

Two engines compute the same closure: owlrl (pure Python, the reference) and reasonable (a Rust OWL 2 RL
engine, about 100 times faster). reasonable does not apply property chain axioms (rule prp-spo2), so the
chains of our ontology are applied here between its runs until nothing new follows; a test checks that
both engines give the same inferred graph on the 2023 plan.

The closure of ontology + asserted data is computed, and only what it adds is kept, as a graph of its own
(written to build/inferred.ttl and queried as the named graph <…/graph/inferred>), so users can tell what
the plan says from what follows from it. Trivial entailments that carry no information (every resource
owl:sameAs itself, typed owl:Thing or rdfs:Resource, literals' datatypes, facts about the vocabularies'
own terms) are dropped.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import owlrl
from rdflib import Graph, Literal
from rdflib.collection import Collection

from .errors import CchcError
from .namespaces import OWL, RDF, RDFS, XSD, bind_prefixes
from .store import read_graph, serialize, write_bytes

ONTOLOGY_DIR = Path(__file__).resolve().parent.parent / "ontology"
_VOCABULARY_PREDICATES = {RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range, OWL.equivalentClass,
                          OWL.equivalentProperty, OWL.inverseOf, RDFS.label, RDFS.comment}
_TRIVIAL_TYPES = {OWL.Thing, RDFS.Resource, OWL.Class, RDFS.Class, OWL.ObjectProperty, OWL.DatatypeProperty,
                  RDF.Property, OWL.AnnotationProperty, RDFS.Datatype, OWL.NamedIndividual}


def load_ontology(folder: Path = ONTOLOGY_DIR) -> Graph:
    return read_graph(*sorted(folder.glob("*.ttl")))


ENGINES = ("reasonable", "owlrl")
DEFAULT_ENGINE = "reasonable"


def _owlrl_closure(asserted: Graph, ontology: Graph) -> Graph:
    work = Graph()
    for triple in asserted:
        work.add(triple)
    for triple in ontology:
        work.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(work)
    return work


def _canonical(term):
    # reasonable gives plain literals an explicit xsd:string datatype; RDF 1.1 says they are the same.
    if isinstance(term, Literal) and term.datatype == XSD.string:
        return Literal(str(term))
    return term


def property_chains(ontology: Graph) -> list[tuple]:
    """(property, [p1, p2, …]) for each owl:propertyChainAxiom of the ontology."""
    return [(prop, list(Collection(ontology, head))) for prop, head in ontology.subject_objects(OWL.propertyChainAxiom)]


def _apply_chains(graph: Graph, chains: list[tuple]) -> set[tuple]:
    new = set()
    for prop, steps in chains:
        frontier = {(s, o) for s, o in graph.subject_objects(steps[0])}
        for step in steps[1:]:
            frontier = {(s, z) for s, o in frontier for z in graph.objects(o, step)}
        new |= {(s, prop, o) for s, o in frontier if (s, prop, o) not in graph}
    return new


def _reasonable_closure(asserted: Graph, ontology: Graph) -> Graph:
    import reasonable

    chains = property_chains(ontology)
    base = Graph()
    for triple in asserted:
        base.add(triple)
    for triple in ontology:
        base.add(triple)
    while True:
        reasoner = reasonable.PyReasoner()
        reasoner.from_graph(base)
        work = Graph()
        for s, p, o in reasoner.reason():
            work.add((_canonical(s), p, _canonical(o)))
        new = _apply_chains(work, chains)
        if not new:
            return work
        for triple in new:
            work.add(triple)
        base = work


def closure(asserted: Graph, ontology: Graph, engine: str = DEFAULT_ENGINE) -> Graph:
    """The triples OWL RL adds to ontology + asserted data, without the trivial ones."""
    if engine not in ENGINES:
        raise CchcError(f"unknown reasoning engine {engine!r}; choose {' or '.join(ENGINES)}")
    work = _reasonable_closure(asserted, ontology) if engine == "reasonable" else _owlrl_closure(asserted, ontology)
    vocabulary_terms = {term for cls in _TRIVIAL_TYPES | {OWL.TransitiveProperty, OWL.FunctionalProperty, OWL.Ontology}
                        for term in ontology.subjects(RDF.type, cls)}
    inferred = Graph()
    bind_prefixes(inferred)
    for s, p, o in work:
        if (s, p, o) in asserted or (s, p, o) in ontology:
            continue
        if isinstance(s, Literal) or p in _VOCABULARY_PREDICATES:
            continue
        if p == OWL.sameAs and s == o:
            continue
        if p == RDF.type and (o in _TRIVIAL_TYPES or isinstance(o, Literal)):
            continue
        if s in vocabulary_terms:
            continue  # a statement about a class or property, not about the plans

        inferred.add((s, p, o))
    return inferred


def inputs_digest(graph_path: Path, ontology_dir: Path = ONTOLOGY_DIR) -> str:
    digest = hashlib.sha256()
    for path in [graph_path, *sorted(ontology_dir.glob("*.ttl"))]:
        digest.update(path.name.encode())
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()


def inferred_path_for(graph_path: Path) -> Path:
    return graph_path.with_name(graph_path.stem + ".inferred.ttl")


def reason_to_file(graph_path: Path, output: Path | None = None, asserted: Graph | None = None,
                   ontology: Graph | None = None, engine: str = DEFAULT_ENGINE) -> Graph:
    """Compute the closure of a built graph and write it, with a digest of its inputs beside it."""
    output = output or inferred_path_for(graph_path)
    asserted = asserted if asserted is not None else read_graph(graph_path)
    ontology = ontology if ontology is not None else load_ontology()
    inferred = closure(asserted, ontology, engine)
    write_bytes(output, serialize(inferred, "turtle"))
    write_bytes(output.with_name(output.name + ".sha256"), (inputs_digest(graph_path) + "\n").encode())
    return inferred


def cached_inferred(graph_path: Path, asserted: Graph, ontology: Graph) -> Graph:
    """The inferred graph of `graph_path`: read from its file when that is up to date, else recomputed
    and saved (so only the first query after a build pays for reasoning)."""
    output = inferred_path_for(graph_path)
    stamp = output.with_name(output.name + ".sha256")
    if output.exists() and stamp.exists() and stamp.read_text().strip() == inputs_digest(graph_path):
        return read_graph(output)
    return reason_to_file(graph_path, output, asserted, ontology)

