"""OWL RL reasoning: make implied facts explicit so the saved queries stay simple.

Two engines compute the same closure: owlrl (pure Python, the reference, ~17 s for one plan) and "rules"
(the default, under 1 s): the OWL RL rules our ontology uses, compiled from its axioms to SPARQL updates
and run to a fixpoint inside Oxigraph. A test checks both give the same inferred graph on the 2023 plan.
(The Rust engine `reasonable` was tried too: it skips property chains and was slower at 63 plans.)

Two profiles say how much of the closure is kept. "queries" (the default) materialises only the entailed
triples whose property or class the saved queries (queries/*.rq) mention: what they rely on, and nothing else
(no DCTERMS alignment triples, no second direction of the partonomy, and of the partonomy only the pairs with a
row at one end: PROFILE_ANCHORS); it is what lets 630 plans be reasoned
in seconds rather than minutes (benchmarks/README.md). "full" keeps every OWL RL entailment. Both equal
owlrl's closure, the first restricted to the same terms (tests/test_reasoning.py).

The closure of ontology + asserted data is computed, and only what it adds is kept, as a graph of its own
(written to build/inferred.ttl and queried as the named graph <…/graph/inferred>), so users can tell what
the plan says from what follows from it. Trivial entailments that carry no information (every resource
owl:sameAs itself, typed owl:Thing or rdfs:Resource, literals' datatypes, facts about the vocabularies'
own terms) are dropped.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

import owlrl
from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection

from .errors import CchcError
from .namespaces import CCHC, OWL, RDF, RDFS, XSD, bind_prefixes
from .resources import ONTOLOGY as ONTOLOGY_DIR
from .resources import QUERIES as QUERIES_DIR
from .store import read_graph, serialize, write_bytes

_VOCABULARY_PREDICATES = {RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range, OWL.equivalentClass,
                          OWL.equivalentProperty, OWL.inverseOf, RDFS.label, RDFS.comment}
_TRIVIAL_TYPES = {OWL.Thing, RDFS.Resource, OWL.Class, RDFS.Class, OWL.ObjectProperty, OWL.DatatypeProperty,
                  RDF.Property, OWL.AnnotationProperty, RDFS.Datatype, OWL.NamedIndividual}


def ontology_files(folder: Path = ONTOLOGY_DIR) -> list[Path]:
    return sorted(folder.glob("*.ttl"))


def load_ontology(folder: Path = ONTOLOGY_DIR) -> Graph:
    return read_graph(*ontology_files(folder))


ENGINES = ("rules", "owlrl")
DEFAULT_ENGINE = "rules"
PROFILES = ("queries", "full")
DEFAULT_PROFILE = "queries"
INFERRED_GRAPH = "https://w3id.org/cchc-graph/graph/inferred"

# Of the transitive partonomy, the saved queries read only the pairs with a row at one end: a row up to its
# activity, task, objective, area and plan, and down to its products and timeframe. The "queries" profile
# keeps those (0.28 M of the 0.91 M cchc:partOf pairs at 630 plans, which every `query` has to load); a
# product's task or an objective's plan are in the full profile. tests/test_reasoning.py checks that every
# saved query gives the same answers on both profiles, so a query that reads other pairs fails there.
PROFILE_ANCHORS = {CCHC.partOf: CCHC.PlanRow}


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


# ------------------------------------------------------------------------------- the "queries" profile
# Forward chaining to a fixpoint derives every entailment, most of which no query reads: at 630 plans, 4.7 M
# of 5.9 M inferred triples. The "queries" profile instead rewrites each property and class the saved
# queries mention into the SPARQL property path (or union of patterns) that matches every pair OWL RL entails
# for it (prp-spo1, prp-inv, prp-trp, prp-spo2, prp-dom, prp-rng, cax-sco), over the asserted data only, and
# inserts the matches once: no fixpoint, nothing materialised that a query does not read.

def _walk_iris(node, found: set) -> None:
    from rdflib.paths import Path as RdflibPath

    if isinstance(node, URIRef):
        found.add(node)
    elif isinstance(node, dict):  # rdflib's algebra nodes (CompValue) and VALUES rows are dicts
        for value in node.values():
            _walk_iris(value, found)
    elif isinstance(node, (list, tuple, set, frozenset)):
        for value in node:
            _walk_iris(value, found)
    elif isinstance(node, RdflibPath):
        for value in vars(node).values():
            _walk_iris(value, found)


def digest_files(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()


_digest_files = digest_files  # the name the tests of queries/terms.txt import


TERMS_FILE = "terms.txt"  # beside the queries: their terms, derived once per change of the queries


def terms_used_by_queries(folder: Path | None = None) -> frozenset[URIRef]:
    """Every IRI the saved queries mention (in triple patterns, property paths or VALUES): the terms whose
    entailments the "queries" profile keeps. Parsing every query takes rdflib about a second, so the terms
    are kept in queries/terms.txt under the digest of the queries they come from, and derived again only
    when the queries changed (written back where the folder can be written)."""
    folder = Path(folder or QUERIES_DIR)
    digest = digest_files(sorted(folder.glob("*.rq")))
    kept = folder / TERMS_FILE
    try:
        lines = kept.read_text(encoding="utf-8").splitlines()
    except OSError:
        lines = []
    if lines and lines[0] == f"# sha256 {digest}":
        return frozenset(URIRef(line) for line in lines[1:] if line)
    terms = _terms_used(folder, digest)
    try:
        write_bytes(kept, terms_file_text(terms, digest).encode("utf-8"))
    except OSError:
        pass  # an installed package's folder may be read-only: derived again next time
    return terms


def terms_file_text(terms: frozenset[URIRef], digest: str) -> str:
    return f"# sha256 {digest}\n" + "".join(f"{term}\n" for term in sorted(terms))


@lru_cache(maxsize=4)
def _terms_used(folder: Path, _digest: str) -> frozenset[URIRef]:
    from rdflib.plugins.sparql import prepareQuery

    found: set = set()
    for path in sorted(Path(folder).glob("*.rq")):
        try:
            _walk_iris(prepareQuery(path.read_text(encoding="utf-8")).algebra, found)
        except Exception as exc:  # the parser raises many types; name the file
            raise CchcError(f"{path}: not valid SPARQL: {exc}") from None
    return frozenset(found)


class _Rewriter:
    """The ontology's property and class axioms, as SPARQL that matches every entailed pair directly."""

    def __init__(self, ontology: Graph) -> None:
        named = lambda *terms: all(isinstance(t, URIRef) for t in terms)  # noqa: E731
        self.sub_properties = defaultdict(set)
        for sub, sup in ontology.subject_objects(RDFS.subPropertyOf):
            if named(sub, sup) and sub != sup:
                self.sub_properties[sup].add(sub)
        self.inverses = defaultdict(set)
        for a, b in ontology.subject_objects(OWL.inverseOf):
            if named(a, b):
                self.inverses[a].add(b)
                self.inverses[b].add(a)
        self.transitive = set(ontology.subjects(RDF.type, OWL.TransitiveProperty))
        self.chains = defaultdict(list)
        for prop, steps in property_chains(ontology):
            self.chains[prop].append(steps)
        self.sub_classes = defaultdict(set)
        for sub, sup in ontology.subject_objects(RDFS.subClassOf):
            if named(sub, sup) and sub != sup:
                self.sub_classes[sup].add(sub)
        self.domains, self.ranges = defaultdict(set), defaultdict(set)
        for prop, cls in ontology.subject_objects(RDFS.domain):
            if named(cls):
                self.domains[cls].add(prop)
        for prop, cls in ontology.subject_objects(RDFS.range):
            if named(cls) and not str(cls).startswith(str(XSD)):
                self.ranges[cls].add(prop)

    def path(self, prop: URIRef, within: frozenset = frozenset(), closed: bool = False) -> str:
        """A property path matching every (s, o) for which OWL RL entails `s prop o` from asserted triples.
        `within`: the properties being expanded (an axiom cycle, e.g. an inverse pair, adds nothing new).
        `closed`: an enclosing `+` already closes the path, so a transitive property needs no `+` of its own."""
        within = within | {prop}
        closes = prop in self.transitive and not closed
        inner_closed = closed or prop in self.transitive
        alternatives = [prop.n3()]
        for sub in sorted(self.sub_properties[prop] - within):
            alternatives.append(self.path(sub, within, inner_closed))
        for inverse in sorted(self.inverses[prop] - within):
            alternatives.append(f"^{self._group(self.path(inverse, within, inner_closed))}")
        for steps in self.chains[prop]:
            if within & set(steps):
                raise CchcError(f"the property chain of {prop} is recursive; use the full profile")
            alternatives.append("/".join(self._group(self.path(step, within)) for step in steps))
        body = "|".join(alternatives)
        if closes:
            return f"({body})+"
        return body if len(alternatives) == 1 else f"({body})"

    @staticmethod
    def _group(path: str) -> str:
        """The path as one operand (of ^ or /): a single IRI as it is, anything else in parentheses."""
        return path if path.startswith("<") and path.endswith(">") and path.count("<") == 1 else f"({path})"

    def instances(self, cls: URIRef) -> list[str]:
        """Graph patterns binding ?s to every entailed instance of `cls`: asserted as it or a sub-class, or
        subject (object) of a property whose domain (range) is one of them. Only the first step of a
        transitive property matters for that, hence `closed`."""
        classes, todo = {cls}, [cls]
        while todo:
            for sub in self.sub_classes[todo.pop()] - classes:
                classes.add(sub)
                todo.append(sub)
        patterns = [f"VALUES ?class {{ {' '.join(sorted(c.n3() for c in classes))} }} ?s a ?class"]
        for c in sorted(classes):
            patterns += [f"?s {self.path(p, closed=True)} ?any" for p in sorted(self.domains[c])]
            patterns += [f"?any {self.path(p, closed=True)} ?s FILTER(!isLiteral(?s))" for p in sorted(self.ranges[c])]
        return patterns

    def instances_union(self, cls: URIRef) -> str:
        """`instances` as one group: a UNION binding ?s to every entailed instance of `cls`."""
        return " UNION ".join(f"{{ {pattern} }}" for pattern in self.instances(cls))


def profile_terms(ontology: Graph, folder: Path | None = None) -> tuple[set[URIRef], set[URIRef]]:
    """(properties, classes) of the "queries" profile: the terms the saved queries mention about which the
    ontology entails something."""
    rewriter = _Rewriter(ontology)
    used = terms_used_by_queries(folder)
    properties = {t for t in used if t != RDF.type and rewriter.path(t) != t.n3()}
    classes = {t for t in used if len(rewriter.instances(t)) > 1 or rewriter.sub_classes[t]}
    return properties, classes


def compile_profile(ontology: Graph, folder: Path | None = None) -> list[str]:
    """SPARQL updates inserting into the inferred graph what OWL RL entails for the profile's terms."""
    rewriter = _Rewriter(ontology)
    properties, classes = profile_terms(ontology, folder)
    updates = []
    for prop in sorted(properties):
        # MINUS: what is already stated would only be inserted to be deleted again.
        insert = f"INSERT {{ GRAPH <{INFERRED_GRAPH}> {{ ?s {prop.n3()} ?o }} }} WHERE {{ "
        match = f"?s {rewriter.path(prop)} ?o MINUS {{ ?s {prop.n3()} ?o }} }}"
        anchor = PROFILE_ANCHORS.get(prop)
        if anchor is None:
            updates.append(insert + match)
            continue
        # One update per end: the anchor's instances bind that end first, so the path is walked from them.
        members = rewriter.instances_union(anchor)
        for end in ("?s", "(?s AS ?o)"):
            updates.append(f"{insert}{{ SELECT DISTINCT {end} WHERE {{ {members} }} }} {match}")
    for cls in sorted(classes):
        union = rewriter.instances_union(cls)
        updates.append(f"INSERT {{ GRAPH <{INFERRED_GRAPH}> {{ ?s a {cls.n3()} }} }} "
                       f"WHERE {{ {union} MINUS {{ ?s a {cls.n3()} }} }}")
    return updates


def anchor_members(closure_triples) -> dict[URIRef, set]:
    """The instances of each anchor class in a closure (where every entailed type is stated)."""
    anchors = set(PROFILE_ANCHORS.values())
    members: dict[URIRef, set] = {cls: set() for cls in anchors}
    for s, p, o in closure_triples:
        if p == RDF.type and o in anchors:
            members[o].add(s)
    return members


def in_profile(triple: tuple, properties: set, classes: set, members: dict[URIRef, set]) -> bool:
    """Whether the queries profile keeps an entailed triple; `members` as given by anchor_members."""
    subject, predicate, obj = triple
    if predicate == RDF.type:
        return obj in classes
    if predicate not in properties:
        return False
    anchor = PROFILE_ANCHORS.get(predicate)
    return anchor is None or subject in members[anchor] or obj in members[anchor]


def _vocabulary_terms(ontology: Graph) -> set:
    return {term for cls in _TRIVIAL_TYPES | {OWL.TransitiveProperty, OWL.FunctionalProperty, OWL.Ontology}
            for term in ontology.subjects(RDF.type, cls)}


def reason_in_store(store, ontology: Graph, asserted_graph: str, ontology_graph: str,
                    profile: str = DEFAULT_PROFILE, more_graphs: tuple[str, ...] = (),
                    inferred_graph: str = INFERRED_GRAPH, known_graphs: tuple[str, ...] = ()) -> None:
    """Fill the inferred graph of a pyoxigraph store (asserted and ontology graphs loaded) with the closure
    of the profile, less what is already stated and the trivial entailments (the same filter as `closure`).
    For a part of an on-disk store (one plan): `more_graphs` are read as asserted too (the shared part),
    `inferred_graph` is where the closure goes, and what `known_graphs` hold already (the shared part's own
    closure) is left out of it ("queries" profile only)."""
    _check_profile(profile)
    inferred = f"<{inferred_graph}>"
    if profile == "full":
        if more_graphs or known_graphs or inferred_graph != INFERRED_GRAPH:
            raise CchcError("the full profile is computed over one asserted graph only")
        run_rules(store, ontology, [asserted_graph, ontology_graph])
        for source in (asserted_graph, ontology_graph):
            store.update(f"DELETE {{ GRAPH {inferred} {{ ?s ?p ?o }} }} WHERE {{ GRAPH {inferred} {{ ?s ?p ?o }} "
                         f"GRAPH <{source}> {{ ?s ?p ?o }} }}")
    else:  # the compiled profile leaves out what is stated already (MINUS)
        using = "".join(f" USING <{g}>" for g in (asserted_graph, *more_graphs, ontology_graph)) + " WHERE {"
        for update in _compiled_profile(ontology):
            store.update(update.replace(f"<{INFERRED_GRAPH}>", inferred).replace(" WHERE {", using, 1))
        for known in known_graphs:
            store.update(f"DELETE {{ GRAPH {inferred} {{ ?s ?p ?o }} }} WHERE {{ GRAPH {inferred} {{ ?s ?p ?o }} "
                         f"GRAPH <{known}> {{ ?s ?p ?o }} }}")
    for variable, terms in (("?p", _VOCABULARY_PREDICATES), ("?s", _vocabulary_terms(ontology))):
        listed = " ".join(sorted(t.n3() for t in terms))
        store.update(f"DELETE {{ GRAPH {inferred} {{ ?s ?p ?o }} }} WHERE {{ VALUES {variable} {{ {listed} }} "
                     f"GRAPH {inferred} {{ ?s ?p ?o }} }}")
    listed = " ".join(sorted(t.n3() for t in _TRIVIAL_TYPES))
    store.update(f"DELETE {{ GRAPH {inferred} {{ ?s a ?t }} }} WHERE {{ VALUES ?t {{ {listed} }} GRAPH {inferred} {{ ?s a ?t }} }}")
    store.update(f"DELETE {{ GRAPH {inferred} {{ ?s <{OWL.sameAs}> ?s }} }} WHERE {{ GRAPH {inferred} {{ ?s <{OWL.sameAs}> ?s }} }}")


_COMPILED: dict[int, tuple[Graph, list[str]]] = {}


def _compiled_profile(ontology: Graph) -> list[str]:
    """compile_profile, once per ontology graph object (a store build reasons hundreds of plans with one)."""
    kept = _COMPILED.get(id(ontology))
    if kept is None or kept[0] is not ontology:
        kept = _COMPILED[id(ontology)] = (ontology, compile_profile(ontology))
    return kept[1]


def _check_profile(profile: str) -> None:
    if profile not in PROFILES:
        raise CchcError(f"unknown reasoning profile {profile!r}; choose {' or '.join(PROFILES)}")


def _rules_closure(asserted: Graph, ontology: Graph, profile: str) -> set[tuple]:
    from .store import ASSERTED, ONTOLOGY_GRAPH, OxigraphDataset, to_rdflib

    dataset = OxigraphDataset()
    dataset.add_graph(ASSERTED, asserted)
    dataset.add_graph(ONTOLOGY_GRAPH, ontology)
    reason_in_store(dataset.store, ontology, str(ASSERTED), str(ONTOLOGY_GRAPH), profile)
    import pyoxigraph
    quads = dataset.store.quads_for_pattern(None, None, None, pyoxigraph.NamedNode(INFERRED_GRAPH))
    return {(to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)) for q in quads}


def closure(asserted: Graph, ontology: Graph, engine: str = DEFAULT_ENGINE, profile: str = DEFAULT_PROFILE) -> Graph:
    """The triples OWL RL adds to ontology + asserted data, without the trivial ones; with the "queries"
    profile, only those about the terms the saved queries mention."""
    if engine not in ENGINES:
        raise CchcError(f"unknown reasoning engine {engine!r}; choose {' or '.join(ENGINES)}")
    _check_profile(profile)
    inferred = Graph()
    bind_prefixes(inferred)
    if engine == "rules":
        # Already filtered inside the store (reason_in_store), the path `reason` and `query` take: the test
        # comparing the engines therefore checks that filter against the one below.
        for triple in _rules_closure(asserted, ontology, profile):
            inferred.add(triple)
        return inferred
    work = _owlrl_closure(asserted, ontology)
    if profile == "queries":
        properties, classes = profile_terms(ontology)
        members = anchor_members(work)
        work = {triple for triple in work if in_profile(triple, properties, classes, members)}
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


def inputs_digest(graph_path: Path, ontology_dir: Path = ONTOLOGY_DIR, graph_bytes: bytes | None = None) -> str:
    """A digest of what the inferred graph follows from: the built graph (`graph_bytes`, the very bytes
    reasoned over, when given), the ontology, and the saved queries (they decide what the "queries" profile
    keeps)."""
    digest = hashlib.sha256()
    digest.update(Path(graph_path).name.encode())
    digest.update(Path(graph_path).read_bytes() if graph_bytes is None else graph_bytes)
    digest.update(digest_files([*sorted(ontology_dir.glob("*.ttl")), *sorted(QUERIES_DIR.glob("*.rq"))]).encode())
    return digest.hexdigest()


def inferred_path_for(graph_path: Path) -> Path:
    return graph_path.with_name(graph_path.stem + ".inferred.ttl")


def _stamp_path(output: Path) -> Path:
    return output.with_name(output.name + ".sha256")


def reason_to_file(graph_path: Path, output: Path | None = None, engine: str = DEFAULT_ENGINE,
                   profile: str = DEFAULT_PROFILE) -> int:
    """Compute the closure of a built graph and write it, with a digest of its inputs (and the profile)
    beside it; returns the number of inferred triples. The graph file is read once: the bytes reasoned over
    are the bytes stamped, so a graph replaced meanwhile leaves a stale cache, never a wrong fresh one. The
    rules engine works inside Oxigraph (no rdflib graph)."""
    from .store import check_graph_file

    _check_profile(profile)
    output = output or inferred_path_for(graph_path)
    data = check_graph_file(graph_path).read_bytes()
    if engine == "rules":
        from .store import ASSERTED, INFERRED, ONTOLOGY_GRAPH, OxigraphDataset
        dataset = OxigraphDataset()
        dataset.add_file(ASSERTED, graph_path, data=data)
        ontology = load_ontology()
        dataset.add_graph(ONTOLOGY_GRAPH, ontology)
        reason_in_store(dataset.store, ontology, str(ASSERTED), str(ONTOLOGY_GRAPH), profile)
        inferred_bytes = dataset.dump_graph(INFERRED, output)
        count = dataset.graph_size(INFERRED)
    else:
        inferred = closure(read_graph(graph_path, data=data), load_ontology(), engine, profile)
        inferred_bytes = serialize(inferred, "turtle")
        write_bytes(output, inferred_bytes)
        count = len(inferred)
    write_stamp(graph_path, output, profile, data, inferred_bytes)
    return count


def write_stamp(graph_path: Path, output: Path, profile: str, graph_bytes: bytes, inferred_bytes: bytes) -> None:
    """The cache's stamp: the digest of the inputs as read (`graph_bytes`), the profile, and the digest of
    the inferred file as written, so that a cache file replaced by anything else is stale too."""
    stamp = f"{inputs_digest(graph_path, graph_bytes=graph_bytes)} {profile} {hashlib.sha256(inferred_bytes).hexdigest()}\n"
    write_bytes(_stamp_path(output), stamp.encode())


def read_fresh_inferred(graph_path: Path, graph_bytes: bytes) -> bytes | None:
    """The bytes of the inferred file beside the graph when they follow from `graph_bytes` (the graph as
    the caller read it) and the current ontology and queries, and are the bytes the stamp names; else None.
    Either profile will do for querying: the full closure contains the "queries" one."""
    output = inferred_path_for(Path(graph_path))
    try:
        stamp = _stamp_path(output).read_text(encoding="ascii").split()
        if len(stamp) != 3 or stamp[1] not in PROFILES or stamp[0] != inputs_digest(graph_path, graph_bytes=graph_bytes):
            return None
        inferred = output.read_bytes()
    except (OSError, UnicodeDecodeError):
        return None
    return inferred if hashlib.sha256(inferred).hexdigest() == stamp[2] else None


def inferred_is_fresh(graph_path: Path) -> bool:
    """Whether the inferred file beside the graph follows from the graph file as it is now."""
    try:
        data = Path(graph_path).read_bytes()
    except OSError:
        return False
    return read_fresh_inferred(graph_path, data) is not None
