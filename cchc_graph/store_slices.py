"""What the shapes whose focus nodes span plans read of each plan (store_validation.py).

A node of a plan (its IRI under `…/id/plan/<id>/`, `…/id/source/<id>/` or `…/id/build/<id>`) is that plan's
own; every other node (an agency, a legal document, a quarter, a province) is shared, and its own triples are
in the shared graph. The shapes that can have a shared focus node ("spanning" shapes) read, besides the
shared graph and the ontology, only the plan triples their paths and SPARQL queries walk from a shared node:
the citations of a document (`^cchc:citedDocument / cchc:citedDate`), a plan's issuer. A plan's "slice" is
every triple of the plan whose predicate one of those shapes names and that links to a shared node or to a
node so linked, with the types of the nodes reached: a superset of what the shapes can read of it, so those
shapes give on shared ∪ slices the findings on shared nodes that they give on the whole store.

What would break that is refused ("foreign"), and then the whole store is validated as before: a plan triple
about a node not the plan's own or pointing to another plan's node, a blank node in a plan graph, a shared
triple about a plan's node, a SPARQL query of those shapes with a variable (or negated) predicate, rdf:type
on a shape's path.
"""

from __future__ import annotations

import re

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH

from .namespaces import CCHC, ID

OWNED = ("plan/", "source/", "build/")  # the IRIs of a plan's own nodes: …/id/<kind>/<plan-id>…
_TARGETS = (SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
_TYPE = f"<{RDF.type}>".encode()
# The links the report follows from a node up to the row it is shown under (report._Navigator.owner): a
# plan node linking a shared one so would put a shared finding under a plan's row.
NAVIGATION = tuple(f"<{p}>".encode() for p in (CCHC.hasProduct, CCHC.timeframe, CCHC.hasCitation))


def owner_id(text: str) -> str | None:
    """The plan id in the IRI of a plan's own node, whether or not the store has that plan."""
    for kind in OWNED:
        prefix = str(ID) + kind
        if text.startswith(prefix):
            return text[len(prefix):].split("/", 1)[0].split("#", 1)[0]
    return None


def owner(focus, plans: set[str]) -> str | None:
    """The plan of the store whose own node `focus` is, or None (a node that several plans may speak of)."""
    plan_id = owner_id(str(focus))
    return plan_id if plan_id in plans else None


def spanning_shapes(shapes: Graph, store) -> Graph:
    """The shapes that can have a focus node of no single plan in `store` (its graphs' union: the shared part
    and the ontology suffice when no plan is foreign): node shapes whose target class has such an instance,
    and every shape targeted otherwise; with all they refer to."""
    chosen = set()
    for shape in set(shapes.subjects(SH.targetClass, None)):
        for cls in shapes.objects(shape, SH.targetClass):
            if isinstance(cls, URIRef) and _has_shared_instance(store, cls):
                chosen.add(shape)
    for target in _TARGETS:
        chosen.update(shapes.subjects(target, None))
    chosen.update(s for s in shapes.subjects(RDF.type, RDFS.Class) if (s, RDF.type, SH.NodeShape) in shapes)
    subset = Graph()
    for prefix, namespace in shapes.namespaces():
        subset.bind(prefix, namespace, override=True)
    todo, seen = list(chosen), set(chosen)
    while todo:
        node = todo.pop()
        for p, o in shapes.predicate_objects(node):
            subset.add((node, p, o))
            if o not in seen and (o, None, None) in shapes:
                seen.add(o)
                todo.append(o)
    return subset


def _has_shared_instance(store, cls: URIRef) -> bool:
    owned = "|".join(OWNED)
    return bool(store.query(f"ASK {{ ?x a ?t . ?t <{RDFS.subClassOf}>* <{cls}> "
                            f"FILTER(!REGEX(STR(?x), \"^{ID}({owned})\")) }}",
                            use_default_graph_as_union=True))


def read_predicates(subset: Graph) -> set[bytes] | None:
    """The predicates (as N-Triples IRIs) the shapes of `subset` may read: every IRI of the shapes and of
    their SPARQL queries, but rdf:type (read of the nodes reached only). None when that cannot be known."""
    found = {str(t) for triple in subset for t in triple if isinstance(t, URIRef)}
    for path in subset.objects(None, SH.path):
        if RDF.type in _path_iris(subset, path):
            return None  # rdf:type walked along a path would reach every node of a class
    for holder, prop, text in subset.triples((None, None, None)):
        if prop in (SH.select, SH.ask) and isinstance(text, Literal):
            iris = _query_iris(subset, holder, str(text))
            if iris is None:
                return None
            found |= iris
    found.discard(str(RDF.type))
    return {f"<{iri}>".encode() for iri in found}


def _path_iris(graph: Graph, path) -> set:
    seen, todo, iris = set(), [path], set()
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        if isinstance(node, URIRef):
            iris.add(node)
        todo.extend(o for p, o in graph.predicate_objects(node) if p != RDF.type)
    return iris


def _query_iris(shapes: Graph, holder, text: str) -> set[str] | None:
    """The IRIs of a SHACL-SPARQL query (parsed by rdflib), or None for a variable or negated predicate."""
    from rdflib.paths import NegatedPath, Path
    from rdflib.plugins.sparql import prepareQuery
    from rdflib.term import Variable

    declared = "".join(f"PREFIX {shapes.value(d, SH.prefix)}: <{shapes.value(d, SH.namespace)}>\n"
                       for owner_node in shapes.objects(holder, SH.prefixes)
                       for d in shapes.objects(owner_node, SH.declare))
    text = re.sub(r"([\s{}()])[\$\?]PATH\b", r"\1<urn:x-cchc:path>", text)
    try:
        algebra = prepareQuery(declared + text).algebra
    except Exception:  # the engine reports a broken query; here it only cannot be read
        return None
    iris: set[str] = set()
    unknown = False

    def walk(node) -> None:
        nonlocal unknown
        if isinstance(node, URIRef):
            iris.add(str(node))
        elif isinstance(node, NegatedPath):
            unknown = True
        elif isinstance(node, Path):
            for value in vars(node).values():
                walk(value)
        elif isinstance(node, dict):  # rdflib CompValue
            if "triples" in node and any(isinstance(t[1], Variable) for t in node["triples"] or ()):
                unknown = True
            for key, value in node.items():
                if key != "_vars":
                    walk(value)
        elif isinstance(node, (list, tuple, set)):
            for value in node:
                walk(value)

    walk(algebra)
    return None if unknown else iris


def plan_slice(plan_id: str, nt: bytes, predicates: set[bytes]) -> tuple[bytes, bool]:
    """(the slice of one plan's graph, given as N-Triples; whether the plan is foreign: see the module)."""
    base = f"<{ID}".encode()
    mine = tuple(base + f"{kind}{plan_id}".encode() + end for kind in OWNED for end in (b"/", b"#", b">"))
    anyones = tuple(base + kind.encode() for kind in OWNED)

    def own(term: bytes) -> bool:  # as owner_id(...) == plan_id, on the bytes (a plan has thousands of triples)
        return term.startswith(mine)

    foreign = False
    candidates, types, kept = [], {}, []
    for line in nt.splitlines():
        if not line:
            continue
        s, p, rest = line.split(b" ", 2)
        o = rest[:-2] if rest.endswith(b" .") else rest
        if s.startswith(b"_:") or o.startswith(b"_:") or not own(s):
            foreign = True
            continue
        if o.startswith(anyones) and not own(o):  # another plan's node
            foreign = True
        if p == _TYPE:
            types.setdefault(s, []).append(line)
        elif p in predicates:
            candidates.append((s, o, line))
        elif p in NAVIGATION and o.startswith(b"<") and not own(o):
            kept.append(line)
    reached: set[bytes] = set()
    while candidates:
        rest = []
        for s, o, line in candidates:
            if s in reached or (o.startswith(b"<") and (o in reached or not own(o))):
                kept.append(line)
                reached.add(s)
                if own(o):
                    reached.add(o)
            else:
                rest.append((s, o, line))
        if len(rest) == len(candidates):
            break
        candidates = rest
    for node in reached:
        kept.extend(types.get(node, ()))
    return b"".join(line + b"\n" for line in sorted(set(kept))), foreign


def shared_is_foreign(nt: bytes) -> bool:
    """Whether the shared graph names a plan's own node (a finding on it would depend on the shared part)."""
    return re.search(b"<" + re.escape(str(ID).encode()) + b"(" + b"|".join(k.encode() for k in OWNED) + b")", nt) is not None
