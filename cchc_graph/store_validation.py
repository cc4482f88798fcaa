"""`cchc-graph validate --graph DIR` on a store of plan graphs: the findings and report of a full validation,
with the work of only the plans changed since the last time.

A finding is about one focus node. A node of a plan (store_slices.py) is stated by that plan only, and the
shapes read from it only what that plan states and what the shared part holds (agencies, catalogue
documents), so its findings are those of validating plan ∪ shared ∪ ontology (the changed plans are validated
together: a run is mostly the shared part). Each plan's findings are cached
in DIR/validation/<plan-id>.json under a digest of the plan's inputs, the shared part and the shapes, with
what the reports need of the data for each (the row it is shown under, the heading and value texts, in
both languages: `report.Placement`) and the plan's slice: the few triples of the plan that the shapes whose
focus nodes span plans read (store_slices.py). Every other focus node (an agency, a legal document — the
dates different plans cite for one document are compared —, a quarter, a province) may gather statements of
several plans: the shapes that can reach such a node run over the shared part, the ontology and every plan's
slice, for those nodes only. So validating again after one plan changed validates that plan and the shared
nodes, and renders the report from the cache, without reading the other plans.

When most plans have no cached findings (a new store), one full validation runs and fills the cache; so does
a store whose data the slices cannot stand for (store_slices.py: then the spanning shapes run over the
whole store, as the report). `--format turtle` (the SHACL report graph) always runs the full validation.
Validation reads the asserted graphs and the ontology, as `validate` on a graph file does (no inference).
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from functools import lru_cache
from pathlib import Path

from rdflib import BNode, Graph, URIRef
from rdflib.util import from_n3

from .errors import CchcError
from .incremental import ONTOLOGY_GRAPH, SHARED, plan_graph, read_manifest
from .store import write_bytes
from .store_slices import OWNED, owner, plan_slice, read_predicates, shared_is_foreign, spanning_shapes  # noqa: F401

CACHE_DIR = "validation"
CACHE_FORMAT = 2  # findings, their placements in both languages, the plan's slice
LANGS = ("vi", "en")


def _finding_json(finding) -> dict:
    n3 = lambda term: None if term is None else term.n3()  # noqa: E731
    return {"focus": n3(finding.focus), "path_text": finding.path_text, "value": n3(finding.value),
            "component": n3(finding.component), "shape": n3(finding.shape), "severity": finding.severity,
            "messages": [list(m) for m in finding.messages]}


@lru_cache(maxsize=None)
def _term(text: str | None):
    """An rdflib term from its N3 text (the same shapes, components and groups come back many times)."""
    return None if text is None else from_n3(text)


def _finding_of(entry: dict):
    from .validation.outcome import Finding

    term = _term
    path_text = entry["path_text"]
    # A complex path is a blank node of the shapes graph: the reports read its text (path_text) instead.
    single = path_text is not None and path_text.startswith("<") and path_text.count("<") == 1
    path = URIRef(path_text[1:-1]) if single else (BNode() if path_text is not None else None)
    return Finding(term(entry["focus"]), path, path_text, term(entry["value"]), term(entry["component"]),
                   term(entry["shape"]), entry["severity"], tuple(tuple(m) for m in entry["messages"]))


def _placements_json(by_lang: dict[str, list]) -> list[dict]:
    """One finding's placements (report.Placement) in both languages, as one JSON object each."""
    entries = []
    for places in zip(*(by_lang[lang] for lang in LANGS)):
        first = places[0]
        entries.append({"group": first.group.n3(), "kind": first.kind, "sort_key": list(first.sort_key),
                        "row_id": first.row_id, "shape_text": first.shape_text,
                        "heading": {lang: list(place.heading) for lang, place in zip(LANGS, places)},
                        "value_text": {lang: place.value_text for lang, place in zip(LANGS, places)}})
    return entries


def _placement_of(entry: dict, lang: str):
    from .validation.report import Placement

    return Placement(_term(entry["group"]), entry["kind"], tuple(entry["sort_key"]), tuple(entry["heading"][lang]),
                     entry["value_text"][lang], entry["shape_text"], entry["row_id"])


def _by_graph(store, names: list[str]) -> dict[str, bytes]:
    """The N-Triples of each named graph, from one pass over the store (N-Quads: much faster than a dump per
    graph)."""
    import pyoxigraph

    wanted = {f"<{name}>".encode(): name for name in names}
    lines: dict[str, list[bytes]] = {name: [] for name in names}
    for line in store.dump(format=pyoxigraph.RdfFormat.N_QUADS).splitlines():
        triple, _, graph = line[:-2].rpartition(b" ")  # "<s> <p> <o> <g> ." (graph names hold no space)
        name = wanted.get(graph)
        if name is not None:
            lines[name].append(triple + b" .\n")
    return {name: b"".join(found) for name, found in lines.items()}


def _union_file(graphs: dict[str, bytes], path: Path) -> Path:
    """The store's asserted graphs (the shared part and the plans) as one file, sorted, each triple once (what
    `build -o … --format nt` writes)."""
    lines = {line for name, nt in graphs.items() if name != ONTOLOGY_GRAPH for line in nt.splitlines()}
    path.write_bytes(b"".join(line + b"\n" for line in sorted(lines)))
    return path


def validate_store(store_dir: Path, shapes_dir=None, engine: str = "oxigraph", with_ontology: bool = True,
                   full_report: bool = False):
    """The findings of validating the store's graph (as `validate` on the graph file), validating again only
    the plans whose inputs changed since their findings were cached, and the shared nodes. `full_report`:
    the SHACL report graph is wanted (one full validation)."""
    import pyoxigraph

    from .reason import digest_files, load_ontology
    from .validation.api import validate_files
    from .validation.engines.compiled.data import _OxData
    from .validation.engines.compiled.engine import _OxigraphValidator
    from .validation.outcome import ValidationOutcome, finding_order
    from .validation.report import placements
    from .validation.shapes import SHAPES_DIR, load_shapes, shape_files, shapes_name

    shapes_dir = shapes_dir or SHAPES_DIR
    store_dir = Path(store_dir)
    manifest = read_manifest(store_dir)
    if manifest.get("format") != 2:
        raise CchcError(f"{store_dir}: validating a store needs one built plan by plan (store format 2); "
                        "build it again with `cchc-graph build PLANS… --store DIR`")
    plans = set(manifest["plans"])
    plan_ids = list(manifest["plans"])
    setting = (f"{CACHE_FORMAT} {engine} {with_ontology} {digest_files(shape_files(shapes_dir))} "
               f"{manifest['shared_graph']}")
    keys = {plan_id: hashlib.sha256(f"{entry['digest']} {setting}".encode()).hexdigest()
            for plan_id, entry in manifest["plans"].items()}
    cache = store_dir / CACHE_DIR
    cached: dict[str, dict] = {}
    for plan_id, key in keys.items():
        try:
            entry = json.loads((cache / f"{plan_id}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if entry.get("key") == key:
            cached[plan_id] = entry
    missing = [plan_id for plan_id in plan_ids if plan_id not in cached]
    shapes = load_shapes(shapes_dir)

    def keep(plan_id: str, findings: list, placed: dict[str, list], slice_nt: bytes, foreign: bool,
             predicates: set[bytes] | None) -> None:
        entry = cached[plan_id] = {"key": keys[plan_id], "findings": [_finding_json(f) for f in findings],
                                   "placements": _placements_json(placed), "slice": slice_nt.decode("utf-8"),
                                   "foreign": foreign,
                                   "predicates": None if predicates is None else sorted(t.decode() for t in predicates)}
        try:
            write_bytes(cache / f"{plan_id}.json", (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8"))
        except OSError:
            pass  # a store one may read but not write: validated again next time

    def placed_in(data, findings: list) -> dict[str, list]:
        return {lang: placements(data, findings, lang) for lang in LANGS}

    store = pyoxigraph.Store.read_only(str(store_dir))
    with tempfile.TemporaryDirectory(prefix="cchc-validate-") as folder:
        ontology = load_ontology() if with_ontology else Graph()
        name = shapes_name(shapes_dir)

        def run(paths: list[Path], shapes_graph: Graph = shapes):
            """validate_files on these files, with the shapes and the ontology read once for every run."""
            if engine != "oxigraph":
                file = Path(folder) / f"shapes-{len(shapes_graph)}.ttl"
                file.write_bytes(shapes_graph.serialize(format="turtle", encoding="utf-8"))
                return validate_files(paths, [file], ontology, engine=engine, with_ontology=with_ontology)
            return _OxigraphValidator(shapes_graph, name, _OxData.from_files(paths, ontology)).run()
        names = [SHARED, ONTOLOGY_GRAPH] + [plan_graph(p) for p in plan_ids]
        if full_report or len(missing) > max(2, len(plans) // 4):
            graphs = _by_graph(store, names)
            union = _union_file(graphs, Path(folder) / "graph.nt")
            outcome = run([union])
            if not missing:  # the SHACL report graph of a validated store: nothing to cache
                return outcome
            predicates = _spanning_predicates(shapes, graphs[SHARED], graphs[ONTOLOGY_GRAPH])
            by_lang = {lang: placements(outcome.data, outcome.findings, lang) for lang in LANGS}
            by_plan: dict[str, list[int]] = {plan_id: [] for plan_id in missing}
            for index, finding in enumerate(outcome.findings):
                plan_id = owner(finding.focus, plans)
                if plan_id in by_plan:
                    by_plan[plan_id].append(index)
            for plan_id, indexes in by_plan.items():
                slice_nt, foreign = plan_slice(plan_id, graphs[plan_graph(plan_id)], predicates or set())
                keep(plan_id, [outcome.findings[i] for i in indexes],
                     {lang: [by_lang[lang][i] for i in indexes] for lang in LANGS}, slice_nt, foreign, predicates)
            outcome.placed = lambda lang: by_lang[lang]
            return outcome

        graph = lambda name: store.dump(format=pyoxigraph.RdfFormat.N_TRIPLES,  # noqa: E731
                                        from_graph=pyoxigraph.NamedNode(name))
        shared_nt, ontology_nt = graph(SHARED), graph(ONTOLOGY_GRAPH)
        shared = Path(folder) / "shared.nt"
        shared.write_bytes(shared_nt)
        known = next((entry for entry in cached.values() if "predicates" in entry), None)
        if known is not None:  # the same shapes and shared part (the key): the same predicates
            subset = _spanning(shapes, shared_nt, ontology_nt, predicates=False)[0]
            predicates = None if known["predicates"] is None else {t.encode() for t in known["predicates"]}
        else:
            subset, predicates = _spanning(shapes, shared_nt, ontology_nt)
        if missing:  # the changed plans together, on the shared part: each plan's findings are on its own nodes
            parts = []
            for plan_id in missing:
                parts.append(Path(folder) / f"{plan_id}.nt")
                plan_nt = graph(plan_graph(plan_id))
                parts[-1].write_bytes(plan_nt)
                cached[plan_id] = {"slice": plan_slice(plan_id, plan_nt, predicates or set())}
            found = run([*parts, shared])
            owned = [(owner(f.focus, plans), f) for f in found.findings]
            owned = [(plan_id, f) for plan_id, f in owned if plan_id in cached and plan_id in missing]
            placed_all = placed_in(found.data, [f for _, f in owned])
            for plan_id in missing:
                indexes = [i for i, (owner_id, _) in enumerate(owned) if owner_id == plan_id]
                keep(plan_id, [owned[i][1] for i in indexes],
                     {lang: [placed_all[lang][i] for i in indexes] for lang in LANGS},
                     *cached[plan_id]["slice"], predicates)
        sliced = predicates is not None and not shared_is_foreign(shared_nt) and not any(
            entry["foreign"] for entry in cached.values())
        if sliced and len(subset):
            slices = Path(folder) / "slices.nt"
            slices.write_bytes("".join(cached[p]["slice"] for p in plan_ids).encode("utf-8"))
            spanning = run([shared, slices], subset)
        else:  # the slices cannot stand for the plans: the spanning shapes on the whole store, as before
            union = _union_file(_by_graph(store, [SHARED] + [plan_graph(p) for p in plan_ids]),
                                Path(folder) / "graph.nt")
            if not len(subset):
                return run([union])
            spanning = run([union], subset)

    # finding key -> (finding, the placement entry of a plan's cache or None: placed from the spanning data)
    chosen: dict[tuple, tuple] = {}
    shared_findings = [f for f in spanning.findings if owner(f.focus, plans) is None]
    for f in shared_findings:
        chosen[(f.focus, f.path_text, f.value, f.component, f.shape)] = (f, None)
    for plan_id in plan_ids:
        entry = cached[plan_id]
        for data, place in zip(entry["findings"], entry["placements"]):
            f = _finding_of(data)
            chosen.setdefault((f.focus, f.path_text, f.value, f.component, f.shape), (f, place))
    ordered = sorted(chosen.values(), key=lambda pair: finding_order(pair[0]))
    findings = [f for f, _ in ordered]
    spanning_placed: dict[str, dict] = {}

    def placed(lang: str) -> list:
        if lang not in spanning_placed:
            spanning_placed[lang] = dict(zip(shared_findings, placements(spanning.data, shared_findings, lang)))
        return [spanning_placed[lang][f] if place is None else _placement_of(place, lang) for f, place in ordered]

    # A shared finding shown under a plan's row would need that plan's data: the whole store is read then.
    if sliced and any(owner(place.group, plans) is not None
                      for place in placements(spanning.data, shared_findings, LANGS[0], headings=False)):
        return validate_store(store_dir, shapes_dir, engine, with_ontology, full_report=True)

    def report() -> Graph:  # the SHACL report graph: asked for by --format turtle only
        return validate_store(store_dir, shapes_dir, engine, with_ontology, full_report=True).report

    return ValidationOutcome(not findings, findings, report, spanning.data, shapes,
                             placed if sliced else None)


def _spanning(shapes: Graph, shared_nt: bytes, ontology_nt: bytes,
              predicates: bool = True) -> tuple[Graph, set[bytes] | None]:
    """The spanning shapes (store_slices.spanning_shapes, found on the shared part and the ontology) and, if
    asked, the predicates they read (None: unknown; rdflib parses their SPARQL queries, about a second)."""
    import pyoxigraph

    store = pyoxigraph.Store()
    for name, nt in (("urn:x-cchc:shared", shared_nt), ("urn:x-cchc:ontology", ontology_nt)):
        if nt:
            store.load(nt, format=pyoxigraph.RdfFormat.N_TRIPLES, to_graph=pyoxigraph.NamedNode(name))
    subset = spanning_shapes(shapes, store)
    return subset, read_predicates(subset) if predicates else None


def _spanning_predicates(shapes: Graph, shared_nt: bytes, ontology_nt: bytes) -> set[bytes] | None:
    return _spanning(shapes, shared_nt, ontology_nt)[1]
