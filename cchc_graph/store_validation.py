"""`cchc-graph validate --graph DIR` on a store of plan graphs: the findings of a full validation, with only
the changed plans validated again.

A finding is about one focus node. A node of a plan (its IRI under `…/id/plan/<id>/`, `…/id/source/<id>/`
or `…/id/build/<id>`) is stated by that plan only, and the shapes read from it only what that plan states and
what the shared part holds (agencies, catalogue documents), so its findings are those of validating
plan ∪ shared ∪ ontology; they are cached in DIR/validation/ under a digest of the plan's inputs, the shared
part and the shapes. Every other focus node (an agency, a legal document, a quarter, a province, a change)
may gather statements of several plans — the dates different plans cite for one document are compared — so
the shapes that can reach such a node are run over the union of the whole store, for those nodes only.
Validation reads the asserted graphs and the ontology, as `validate` on a graph file does (no inference).

When most plans have no cached findings (a new store), one full validation runs and its findings fill the
cache. `--format turtle` (the SHACL report graph) always runs the full validation.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from pathlib import Path

from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDF, RDFS, SH
from rdflib.util import from_n3

from .errors import CchcError
from .incremental import SHARED, data_graphs, plan_graph, read_manifest, union_ntriples
from .namespaces import ID
from .store import write_bytes

CACHE_DIR = "validation"
OWNED = ("plan/", "source/", "build/")  # the IRIs of a plan's own nodes: …/id/<kind>/<plan-id>…
_TARGETS = (SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)


def owner(focus, plans: set[str]) -> str | None:
    """The plan whose own node `focus` is, or None (a node that several plans may speak of)."""
    text = str(focus)
    for kind in OWNED:
        prefix = str(ID) + kind
        if text.startswith(prefix):
            plan_id = text[len(prefix):].split("/", 1)[0].split("#", 1)[0]
            return plan_id if plan_id in plans else None
    return None


def _finding_json(finding) -> dict:
    n3 = lambda term: None if term is None else term.n3()  # noqa: E731
    return {"focus": n3(finding.focus), "path_text": finding.path_text, "value": n3(finding.value),
            "component": n3(finding.component), "shape": n3(finding.shape), "severity": finding.severity,
            "messages": [list(m) for m in finding.messages]}


def _finding_of(entry: dict):
    from .validation.outcome import Finding

    term = lambda text: None if text is None else from_n3(text)  # noqa: E731
    path_text = entry["path_text"]
    # A complex path is a blank node of the shapes graph: the reports read its text (path_text) instead.
    single = path_text is not None and path_text.startswith("<") and path_text.count("<") == 1
    path = URIRef(path_text[1:-1]) if single else (BNode() if path_text is not None else None)
    return Finding(term(entry["focus"]), path, path_text, term(entry["value"]), term(entry["component"]),
                   term(entry["shape"]), entry["severity"], tuple(tuple(m) for m in entry["messages"]))


def spanning_shapes(shapes: Graph, store) -> Graph:
    """The shapes that can have a focus node of no single plan in this store: node shapes whose target
    class has such an instance, and every shape targeted otherwise; with all they refer to."""
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


def validate_store(store_dir: Path, shapes_dir=None, engine: str = "oxigraph", with_ontology: bool = True,
                   full_report: bool = False):
    """The findings of validating the store's graph (as `validate` on the graph file), validating again only
    the plans whose inputs changed since their findings were cached. `full_report`: the SHACL report graph
    is wanted (one full validation)."""
    import pyoxigraph

    from .reason import digest_files
    from .validation.api import validate_files
    from .validation.outcome import ValidationOutcome, finding_order
    from .validation.shapes import SHAPES_DIR, load_shapes, shape_files

    shapes_dir = shapes_dir or SHAPES_DIR
    store_dir = Path(store_dir)
    manifest = read_manifest(store_dir)
    if manifest.get("format") != 2:
        raise CchcError(f"{store_dir}: validating a store needs one built plan by plan (store format 2); "
                        "build it again with `cchc-graph build PLANS… --store DIR`")
    plans = set(manifest["plans"])
    setting = f"{engine} {with_ontology} {digest_files(shape_files(shapes_dir))} {manifest['shared_graph']}"
    keys = {plan_id: hashlib.sha256(f"{entry['digest']} {setting}".encode()).hexdigest()
            for plan_id, entry in manifest["plans"].items()}
    cache = store_dir / CACHE_DIR
    cached: dict[str, list] = {}
    for plan_id, key in keys.items():
        try:
            entry = json.loads((cache / f"{plan_id}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if entry.get("key") == key:
            cached[plan_id] = [_finding_of(f) for f in entry["findings"]]
    missing = sorted(plans - set(cached))

    def keep(plan_id: str, findings: list) -> None:
        cached[plan_id] = findings
        data = {"key": keys[plan_id], "findings": [_finding_json(f) for f in findings]}
        try:
            write_bytes(cache / f"{plan_id}.json", (json.dumps(data, ensure_ascii=False) + "\n").encode("utf-8"))
        except OSError:
            pass  # a store one may read but not write: validated again next time

    store = pyoxigraph.Store.read_only(str(store_dir))
    with tempfile.TemporaryDirectory(prefix="cchc-validate-") as folder:
        union = Path(folder) / "graph.nt"
        (union_nt, shared_nt) = union_ntriples(store, [data_graphs(manifest), [SHARED]])
        union.write_bytes(union_nt)
        run = lambda paths, shapes=shapes_dir: validate_files(paths, shapes, engine=engine,  # noqa: E731
                                                               with_ontology=with_ontology)
        if full_report or len(missing) > max(2, len(plans) // 4):
            outcome = run([union])
            by_plan: dict[str, list] = {plan_id: [] for plan_id in missing}
            for finding in outcome.findings:
                plan_id = owner(finding.focus, plans)
                if plan_id in by_plan:
                    by_plan[plan_id].append(finding)
            for plan_id, findings in by_plan.items():
                keep(plan_id, findings)
            return outcome
        shared = Path(folder) / "shared.nt"
        shared.write_bytes(shared_nt)
        for plan_id in missing:
            part = Path(folder) / f"{plan_id}.nt"
            part.write_bytes(store.dump(format=pyoxigraph.RdfFormat.N_TRIPLES,
                                        from_graph=pyoxigraph.NamedNode(plan_graph(plan_id))))
            found = run([part, shared]).findings
            keep(plan_id, [f for f in found if owner(f.focus, plans) == plan_id])
        subset = spanning_shapes(load_shapes(shapes_dir), store)
        if not len(subset):
            return run([union])
        subset_file = Path(folder) / "spanning-shapes.ttl"
        subset_file.write_bytes(subset.serialize(format="turtle", encoding="utf-8"))
        spanning = run([union], [subset_file])
    findings = {(f.focus, f.path_text, f.value, f.component, f.shape): f
                for f in spanning.findings if owner(f.focus, plans) is None}
    for plan_findings in cached.values():
        for f in plan_findings:
            findings.setdefault((f.focus, f.path_text, f.value, f.component, f.shape), f)
    ordered = sorted(findings.values(), key=finding_order)

    def report() -> Graph:  # the SHACL report graph: asked for by --format turtle only
        return validate_store(store_dir, shapes_dir, engine, with_ontology, full_report=True).report

    return ValidationOutcome(not ordered, ordered, report, spanning.data, load_shapes(shapes_dir))
