"""OWL RL reasoning: make implied facts explicit so the saved queries stay simple.

Two engines compute the same closure: owlrl (pure Python, the reference, ~17 s for one plan) and "rules"
(the default, under 1 s): the OWL RL rules our ontology uses, compiled from its axioms to SPARQL updates
and run to a fixpoint inside Oxigraph. A test checks both give the same inferred graph on the 2023 plan.
(The Rust engine `reasonable` was tried too: it skips property chains and was slower at 63 plans.)

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
from rdflib import Graph, Literal, URIRef
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


ENGINES = ("rules", "owlrl")
DEFAULT_ENGINE = "rules"
INFERRED_GRAPH = "https://w3id.org/cchc-graph/graph/inferred"


def _owlrl_closure(asserted: Graph, ontology: Graph) -> set[tuple]:
    work = Graph()
    for triple in asserted:
        work.add(triple)
    for triple in ontology:
        work.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(work)
    return set(work)


def property_chains(ontology: Graph) -> list[tuple]:
    """(property, [p1, p2, …]) for each owl:propertyChainAxiom of the ontology."""
    return [(prop, list(Collection(ontology, head))) for prop, head in ontology.subject_objects(OWL.propertyChainAxiom)]


# ------------------------------------------------------------------------------------ compiled rules
# The OWL RL rules our ontology actually uses (cax-sco, prp-spo1, prp-inv, prp-trp, prp-spo2, prp-dom,
# prp-rng), compiled from the ontology's axioms into SPARQL updates and run to a fixpoint inside Oxigraph:
# no triple passes through Python, so this scales to hundreds of plans. tests/test_reasoning.py checks it
# gives exactly owlrl's closure on the 2023 plan.

def _closure_pairs(pairs: set[tuple]) -> set[tuple]:
    """Reflexive-free transitive closure of a relation given as pairs."""
    result = set(pairs)
    while True:
        extra = {(a, d) for a, b in result for c, d in result if b == c and a != d} - result
        if not extra:
            return result
        result |= extra


def compile_rules(ontology: Graph) -> list[str]:
    """SPARQL updates that insert, into the inferred graph, what the ontology's axioms entail."""
    named = lambda term: isinstance(term, URIRef)  # noqa: E731 (axioms on blank nodes are not rules we use)
    sub_class = _closure_pairs({(a, b) for a, b in ontology.subject_objects(RDFS.subClassOf) if named(a) and named(b)})
    sub_prop = _closure_pairs({(a, b) for a, b in ontology.subject_objects(RDFS.subPropertyOf) if named(a) and named(b)})
    inverse = {(a, b) for a, b in ontology.subject_objects(OWL.inverseOf)}
    inverse |= {(b, a) for a, b in inverse}
    transitive = set(ontology.subjects(RDF.type, OWL.TransitiveProperty))
    # The inverse of a transitive closure is the closure of the inverse: close one of each such pair only.
    transitive = sorted(p for p in transitive if not any((p, q) in inverse and q in transitive and str(q) < str(p)
                                                         for q in transitive))
    domains = {(p, c) for p, c in ontology.subject_objects(RDFS.domain) if named(c)}
    ranges = {(p, c) for p, c in ontology.subject_objects(RDFS.range) if named(c) and not str(c).startswith(str(XSD))}
    into = f"INSERT {{ GRAPH <{INFERRED_GRAPH}> {{ ?s ?q ?o }} }}"

    def values(pairs: set[tuple], a: str, b: str) -> str:
        rows = " ".join(f"({x.n3()} {y.n3()})" for x, y in sorted(pairs))
        return f"VALUES ({a} {b}) {{ {rows} }}"

    sub_prop_rule = f"{into} WHERE {{ {values(sub_prop, '?p', '?q')} ?s ?p ?o }}" if sub_prop else None
    inverse_rule = (f"INSERT {{ GRAPH <{INFERRED_GRAPH}> {{ ?o ?q ?s }} }} WHERE {{ {values(inverse, '?p', '?q')} ?s ?p ?o "
                    "FILTER(!isLiteral(?o)) }") if inverse else None
    # Ordered so that one pass usually reaches the fixpoint; run_rules repeats the pass until nothing is new.
    updates = [sub_prop_rule, inverse_rule]
    for prop in transitive:
        updates.append(f"INSERT {{ GRAPH <{INFERRED_GRAPH}> {{ ?s {prop.n3()} ?o }} }} WHERE {{ ?s {prop.n3()}+ ?o }}")
    updates += [inverse_rule, sub_prop_rule]
    for prop, steps in property_chains(ontology):
        path = "/".join(step.n3() for step in steps)
        updates.append(f"INSERT {{ GRAPH <{INFERRED_GRAPH}> {{ ?s {prop.n3()} ?o }} }} WHERE {{ ?s {path} ?o }}")
    updates += [sub_prop_rule, inverse_rule]
    if domains:
        updates.append(f"INSERT {{ GRAPH <{INFERRED_GRAPH}> {{ ?s a ?c }} }} WHERE {{ {values(domains, '?p', '?c')} ?s ?p ?o }}")
    if ranges:
        updates.append(f"INSERT {{ GRAPH <{INFERRED_GRAPH}> {{ ?o a ?c }} }} WHERE {{ {values(ranges, '?p', '?c')} ?s ?p ?o FILTER(!isLiteral(?o)) }}")
    if sub_class:
        updates.append(f"INSERT {{ GRAPH <{INFERRED_GRAPH}> {{ ?s a ?c }} }} WHERE {{ {values(sub_class, '?b', '?c')} ?s a ?b }}")
    return [u for u in updates if u]


def run_rules(store, ontology: Graph, union_graphs: list[str]) -> None:
    """Apply the compiled rules to a pyoxigraph store until nothing new follows. `union_graphs` are the
    named graphs the rules read (asserted, ontology); they write to the inferred graph, which they read too."""
    from_clauses = " ".join(f"USING <{g}>" for g in [*union_graphs, INFERRED_GRAPH])
    updates = [u.replace(" WHERE {", f" {from_clauses} WHERE {{", 1) for u in compile_rules(ontology)]
    size = -1
    while size != len(store):
        size = len(store)
        for update in updates:
            store.update(update)


def _vocabulary_terms(ontology: Graph) -> set:
    return {term for cls in _TRIVIAL_TYPES | {OWL.TransitiveProperty, OWL.FunctionalProperty, OWL.Ontology}
            for term in ontology.subjects(RDF.type, cls)}


def reason_in_store(store, ontology: Graph, asserted_graph: str, ontology_graph: str) -> None:
    """Fill the inferred graph of a pyoxigraph store (asserted and ontology graphs loaded) with the closure,
    less what is already stated and the trivial entailments (the same filter as `closure`)."""
    run_rules(store, ontology, [asserted_graph, ontology_graph])
    inferred = f"<{INFERRED_GRAPH}>"
    for source in (asserted_graph, ontology_graph):
        store.update(f"DELETE {{ GRAPH {inferred} {{ ?s ?p ?o }} }} WHERE {{ GRAPH {inferred} {{ ?s ?p ?o }} "
                     f"GRAPH <{source}> {{ ?s ?p ?o }} }}")
    for variable, terms in (("?p", _VOCABULARY_PREDICATES), ("?s", _vocabulary_terms(ontology))):
        listed = " ".join(sorted(t.n3() for t in terms))
        store.update(f"DELETE {{ GRAPH {inferred} {{ ?s ?p ?o }} }} WHERE {{ VALUES {variable} {{ {listed} }} "
                     f"GRAPH {inferred} {{ ?s ?p ?o }} }}")
    listed = " ".join(sorted(t.n3() for t in _TRIVIAL_TYPES))
    store.update(f"DELETE {{ GRAPH {inferred} {{ ?s a ?t }} }} WHERE {{ VALUES ?t {{ {listed} }} GRAPH {inferred} {{ ?s a ?t }} }}")
    store.update(f"DELETE {{ GRAPH {inferred} {{ ?s <{OWL.sameAs}> ?s }} }} WHERE {{ GRAPH {inferred} {{ ?s <{OWL.sameAs}> ?s }} }}")


def _rules_closure(asserted: Graph, ontology: Graph) -> set[tuple]:
    from .store import ASSERTED, ONTOLOGY_GRAPH, OxigraphDataset, to_rdflib

    dataset = OxigraphDataset()
    dataset.add_graph(ASSERTED, asserted)
    dataset.add_graph(ONTOLOGY_GRAPH, ontology)
    reason_in_store(dataset.store, ontology, str(ASSERTED), str(ONTOLOGY_GRAPH))
    import pyoxigraph
    quads = dataset.store.quads_for_pattern(None, None, None, pyoxigraph.NamedNode(INFERRED_GRAPH))
    return {(to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)) for q in quads}


def closure(asserted: Graph, ontology: Graph, engine: str = DEFAULT_ENGINE) -> Graph:
    """The triples OWL RL adds to ontology + asserted data, without the trivial ones."""
    if engine not in ENGINES:
        raise CchcError(f"unknown reasoning engine {engine!r}; choose {' or '.join(ENGINES)}")
    inferred = Graph()
    bind_prefixes(inferred)
    if engine == "rules":
        # Already filtered inside the store (reason_in_store), the path `reason` and `query` take: the test
        # comparing the engines therefore checks that filter against the one below.
        for triple in _rules_closure(asserted, ontology):
            inferred.add(triple)
        return inferred
    work = _owlrl_closure(asserted, ontology)
    vocabulary_terms = _vocabulary_terms(ontology)
    known = set(asserted) | set(ontology)
    for s, p, o in work:
        if (s, p, o) in known:
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


def reason_to_file(graph_path: Path, output: Path | None = None, engine: str = DEFAULT_ENGINE) -> int:
    """Compute the closure of a built graph and write it, with a digest of its inputs beside it; returns the
    number of inferred triples. The rules engine works on the files inside Oxigraph (no rdflib graph)."""
    output = output or inferred_path_for(graph_path)
    if engine == "rules":
        from .store import ASSERTED, INFERRED, ONTOLOGY_GRAPH, OxigraphDataset
        dataset = OxigraphDataset()
        dataset.add_file(ASSERTED, graph_path)
        ontology = load_ontology()
        dataset.add_graph(ONTOLOGY_GRAPH, ontology)
        reason_in_store(dataset.store, ontology, str(ASSERTED), str(ONTOLOGY_GRAPH))
        dataset.dump_graph(INFERRED, output)
        count = dataset.graph_size(INFERRED)
    else:
        inferred = closure(read_graph(graph_path), load_ontology(), engine)
        write_bytes(output, serialize(inferred, "turtle"))
        count = len(inferred)
    write_bytes(output.with_name(output.name + ".sha256"), (inputs_digest(graph_path) + "\n").encode())
    return count


def inferred_is_fresh(graph_path: Path) -> bool:
    output = inferred_path_for(graph_path)
    stamp = output.with_name(output.name + ".sha256")
    return output.exists() and stamp.exists() and stamp.read_text().strip() == inputs_digest(graph_path)


def cached_inferred(graph_path: Path, asserted: Graph | None = None, ontology: Graph | None = None) -> Graph:
    """The inferred graph of `graph_path` as an rdflib graph: read from its file when that is up to date,
    else recomputed and saved (so only the first use after a build pays for reasoning)."""
    if not inferred_is_fresh(graph_path):
        reason_to_file(graph_path)
    return read_graph(inferred_path_for(graph_path))
