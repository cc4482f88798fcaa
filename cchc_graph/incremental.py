"""The on-disk store built plan by plan (`cchc-graph build PLANS… --store DIR`), and rebuilt incrementally.

Layout (named graphs of the Oxigraph RocksDB store in DIR; queries read their union as the default graph):
- `…/graph/plan/<plan-id>`: the triples about the plan's own nodes (IRIs under …/id/plan/<plan-id>/, its
  source file, its build); `…/graph/plan/<plan-id>/inferred`: what the reasoning adds with one of those nodes
  in it (the closure of plan ∪ shared ∪ ontology, less what they state and less the shared part's closure);
- `…/graph/shared`: what spans plans (provinces, agencies, the 2025 changes, the legal catalogue of each
  province, and the quarters, dates and uncatalogued documents the plans make); `…/graph/shared/inferred`:
  its closure and the rest of the plans' closures;
- `…/graph/ontology`, and `…/graph/links` when `cchc-graph link` wrote a link graph beside the graph file.

No triple is in two graphs: Oxigraph's union default graph repeats a triple once per graph that holds it.

`cchc-store.json` records, for each plan, a digest of its inputs (the plan folder's files and the shared
inputs: the data folder's files, the ontology, the saved queries, the package version) and the agency ids it
names, province and year. A new build over an existing store reads and maps again only the plans whose digest
changed (all of them when the shared inputs changed), drops the plans no longer given, works the shared part
out again only when what it follows from changed (see PARTS below), reasons again the plans mapped plus, when
the shared part came out different, every plan (their closure reads it), and writes only the graphs that
changed.

No rule of the ontology derives a triple from two plans: the joins of the rules (the transitive partonomy,
the citation chain, amendment chains) go through nodes of one plan (its rows, citations) or through the
shared part (documents of the catalogue, agencies), never from one plan's node to another's; a test checks
that the per-part closures add up to the closure of the whole graph.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .build import _WORK, Sources, map_in_pool, split_owned
from .errors import CchcError
from .namespaces import GRAPH
from .ondisk import MANIFEST, is_store, replace_folder
from .resources import DATA, DATA_FILES, ONTOLOGY, QUERIES

FORMAT = 2  # the store of plan graphs (format 1: one asserted graph, `ondisk.write_store`)
SHARED = str(GRAPH.shared)
SHARED_INFERRED = str(GRAPH["shared/inferred"])
ONTOLOGY_GRAPH = str(GRAPH.ontology)
LINKS = str(GRAPH.links)
INFERRED_SUFFIX = "/inferred"


def plan_graph(plan_id: str) -> str:
    return str(GRAPH[f"plan/{plan_id}"])


def inferred_of(graph: str) -> str:
    return graph + INFERRED_SUFFIX


def shared_inputs_digest(data_dir: Path = DATA) -> str:
    """What every plan's graph and closure also follow from: the data folder's files, the ontology, the
    saved queries (they decide what the reasoning keeps) and the version of cchc-graph."""
    from .reason import digest_files

    files = [Path(data_dir) / name for name in DATA_FILES]
    files += sorted(ONTOLOGY.glob("*.ttl")) + sorted(QUERIES.glob("*.rq"))
    return hashlib.sha256(f"{FORMAT} {__version__} {digest_files(files)}".encode()).hexdigest()


def plan_digest(folder: Path, shared: str) -> str:
    """A digest of a plan folder's files (plan.toml, table.csv, …) and of the shared inputs."""
    from .reason import digest_files

    files = sorted(p for p in Path(folder).iterdir() if p.is_file())
    return hashlib.sha256(f"{shared} {digest_files(files)}".encode()).hexdigest()


@dataclass
class StoreBuild:
    """What a store build did: plan ids mapped again, kept as they were, dropped, and reasoned again."""
    rebuilt: list[str]
    kept: list[str]
    removed: list[str]
    reasoned: list[str]
    sizes: dict[str, int] = field(default_factory=dict)
    full: bool = False  # everything was rebuilt (a new store, or the shared inputs changed)
    shared_reasoned: bool = True  # the shared part came out different, so it and every plan were reasoned again
    # (asserted, inferred) union as the store's graphs give it (`union_ntriples`), when the build had every
    # part in hand (a full build): `write_graph_file` then need not read the store back.
    union: tuple[bytes, bytes] | None = field(default=None, repr=False)
    # Worked out again rather than kept from the previous build: the timeline of agencies the plans map from
    # (a plan's province or year changed, a plan added or dropped) and the part of the shared graph the
    # registry, the changes and the catalogues make (also when a plan names other agencies).
    timeline_rebuilt: bool = True
    shared_rebuilt: bool = True

    def summary(self) -> str:
        def ids(names: list[str]) -> str:
            return ", ".join(names[:8]) + (f", … ({len(names)})" if len(names) > 8 else "")
        parts = [f"rebuilt {len(self.rebuilt)} plan(s)" + (f" ({ids(self.rebuilt)})" if self.rebuilt else "")]
        parts.append(f"kept {len(self.kept)}")
        if self.removed:
            parts.append(f"dropped {len(self.removed)} ({ids(self.removed)})")
        parts.append(f"reasoned {len(self.reasoned)} plan(s)" + (" and the shared part" if self.shared_reasoned else ""))
        return "; ".join(parts)


def read_manifest(store_dir: Path) -> dict:
    try:
        return json.loads((Path(store_dir) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


# ------------------------------------------------------------------------------------------- reasoning

def _worker_store():
    """In a worker: its store holding the shared part, its closure and the ontology, loaded once."""
    import pyoxigraph

    store = _WORK.get("store")
    if store is None:
        store = _WORK["store"] = pyoxigraph.Store()
        for name, data in ((SHARED, _WORK["shared"]), (SHARED_INFERRED, _WORK["shared_closure"]),
                           (ONTOLOGY_GRAPH, _WORK["ontology_nt"])):
            store.bulk_load(input=data, format=pyoxigraph.RdfFormat.N_TRIPLES, to_graph=pyoxigraph.NamedNode(name),
                            lenient=True)
    return store


def _closure_part(data: bytes) -> bytes:
    """In a worker: the closure of plan(s) ∪ shared ∪ ontology (plans given as N-Triples), less what they
    state and the shared part's closure, as sorted N-Triples."""
    import pyoxigraph

    from .reason import reason_in_store

    store = _worker_store()
    plan, target = pyoxigraph.NamedNode("urn:x-cchc:plan"), pyoxigraph.NamedNode("urn:x-cchc:plan-inferred")
    store.bulk_load(input=data, format=pyoxigraph.RdfFormat.N_TRIPLES, to_graph=plan, lenient=True)
    reason_in_store(store, _WORK["ontology"], plan.value, ONTOLOGY_GRAPH, more_graphs=(SHARED,),
                    inferred_graph=target.value, known_graphs=(SHARED_INFERRED,))
    inferred = store.dump(format=pyoxigraph.RdfFormat.N_TRIPLES, from_graph=target)
    store.remove_graph(plan)
    store.remove_graph(target)
    return sorted_lines(inferred)


def _reason_plan(index: int) -> tuple[bytes, bytes]:
    """In a worker: one plan's part of the closure, as (triples with one of its own nodes, the others), over
    the shared part loaded once per process."""
    plan_id, data = _WORK["plans"][index]
    return split_owned(_closure_part(data), plan_id, by_object=True)


# How the IRIs of a plan's own nodes go on after …/id/ (build.owned_prefixes): the kind, and the characters
# that may end the plan id there.
_OWN_KINDS = ((b"plan/", (b"/", b">")), (b"source/", (b"/",)), (b"build/", (b">",)))


def _owner(term: bytes, base: bytes) -> bytes | None:
    """The plan id of which `term` (the start of an N-Triples term) is an own node, as `owned_prefixes` says;
    None when it is no plan's own node."""
    if not term.startswith(base):
        return None
    for kind, ends in _OWN_KINDS:
        if term.startswith(kind, len(base)):
            rest = term[len(base) + len(kind):]
            cuts = [i for i in (rest.find(b"/"), rest.find(b">")) if i > 0]
            if cuts and rest[min(cuts):min(cuts) + 1] in ends:
                return rest[:min(cuts)]
            return None
    return None


def _reason_batch(index: int) -> list[tuple[bytes, bytes]]:
    """In a worker: the closure parts of a batch of plans (`_reason_plan` of each), from one reasoning pass
    over them all. No rule joins two plans' nodes, so each inferred triple has the nodes of one plan of the
    batch, and is that plan's: a pass costs about as much for 20 plans as for one (the rules' fixed cost
    over the shared part). A triple with no plan's node, or two plans' nodes, cannot be given to one plan:
    then the batch is reasoned plan by plan, as before (the parts are the same either way)."""
    from .namespaces import ID

    batch = _WORK["batches"][index]
    if len(batch) == 1:
        return [_reason_plan(batch[0])]
    plans = [_WORK["plans"][i] for i in batch]
    own: dict[bytes, list[bytes]] = {plan_id.encode(): [] for plan_id, _ in plans}
    base = f"<{ID}".encode()
    for line in _closure_part(b"".join(data for _, data in plans)).splitlines():
        subject, _, rest = line.partition(b" ")
        by_subject, by_object = _owner(subject, base), _owner(rest.partition(b" ")[2], base)
        owner = by_subject or by_object
        if owner not in own or (by_object and by_object != owner):
            return [_reason_plan(i) for i in batch]
        own[owner].append(line)
    return [(b"\n".join(lines) + b"\n" if lines else b"", b"") for lines in own.values()]


def shared_closure(shared_nt: bytes, ontology) -> bytes:
    """The closure of the shared part alone (with the ontology), as sorted N-Triples."""
    import pyoxigraph

    from .reason import reason_in_store
    from .store import serialize

    store = pyoxigraph.Store()
    store.bulk_load(input=shared_nt, format=pyoxigraph.RdfFormat.N_TRIPLES, to_graph=pyoxigraph.NamedNode(SHARED),
                    lenient=True)
    store.bulk_load(input=serialize(ontology, "nt"), format=pyoxigraph.RdfFormat.N_TRIPLES,
                    to_graph=pyoxigraph.NamedNode(ONTOLOGY_GRAPH), lenient=True)
    reason_in_store(store, ontology, SHARED, ONTOLOGY_GRAPH, inferred_graph=SHARED_INFERRED)
    return sorted_lines(store.dump(format=pyoxigraph.RdfFormat.N_TRIPLES,
                                   from_graph=pyoxigraph.NamedNode(SHARED_INFERRED)))


def reason_plans(shared_nt: bytes, closure: bytes, plans: list[tuple[str, bytes]], ontology,
                 meanwhile=None) -> list[tuple[bytes, bytes]]:
    """Each plan's part of the closure of plan ∪ shared ∪ ontology, less what they state and what the shared
    part's closure holds: (triples with one of the plan's own nodes, the others). In a pool of processes,
    one per core; `meanwhile()` runs in this process while they work (`map_in_pool`)."""
    from .store import serialize

    batches = reasoning_batches(len(plans))
    done = map_in_pool(_reason_batch, len(batches), "reason: plans",
                       {"plans": plans, "batches": batches, "shared": shared_nt, "shared_closure": closure,
                        "ontology_nt": serialize(ontology, "nt"), "ontology": ontology}, meanwhile)
    return [part for batch in done for part in batch]


BATCH = 20  # plans reasoned in one pass: past about 20 a pass costs in proportion to the plans it holds


def reasoning_batches(jobs: int) -> list[list[int]]:
    """0..jobs-1 in consecutive batches of up to BATCH, at least two per process of the pool (one core
    would wait for the other at the end)."""
    from .build import workers_for

    size = max(1, min(BATCH, -(-jobs // (2 * workers_for(jobs)))))
    return [list(range(start, min(start + size, jobs))) for start in range(0, jobs, size)]


def as_nquads(graphs: list[tuple[str, bytes]]) -> bytes:
    """N-Triples of named graphs as one N-Quads document."""
    # A line of N-Triples ends with " .\n" and holds no other line break (a literal's are escaped): one
    # replace per graph, not a Python step per line.
    out = []
    for name, data in graphs:
        data = data if data.endswith(b"\n") or not data else data + b"\n"
        out.append(data.replace(b" .\n", f" <{name}> .\n".encode()))
    return b"".join(out)


# Bytes that rdflib's N-Triples writes as they are inside a literal and Oxigraph's escapes (\t, \u0001…):
# where one occurs, the store's dump is not the same bytes as the lines it was loaded from.
_NOT_AS_STORED = re.compile(rb"[\x00-\x09\x0b-\x1f\x7f]")


def sorted_lines(*blobs: bytes) -> bytes:
    """The union of N-Triples blobs, sorted, each line once."""
    lines = set()
    for blob in blobs:
        lines.update(blob.splitlines())
    lines.discard(b"")
    return b"\n".join(sorted(lines)) + b"\n" if lines else b""


# ------------------------------------------------------------------------------------------- the build
# Beside the RocksDB files, DIR/parts/ keeps what the shared part is made of, per plan: the triples a plan
# makes about nodes that are not its own (PLAN.common.nt: quarters, dates, uncatalogued documents) and the
# part of its closure without any node of its own (PLAN.inferred.nt), and the shared part's own closure
# (shared.closure.nt). They go into the shared graphs (once each), so that no triple is in two graphs of
# the store: Oxigraph's union default graph repeats a triple once per graph that holds it (a query would
# answer twice), where SPARQL's default graph is a set.
# It also keeps what the shared part follows from, so that a rebuild after one plan changed does not work
# it out again: the timeline of agencies the plans map from (timeline.json; it follows from the shared
# inputs and every plan's province and year) and the shared part the registry, the changes and the
# catalogues make (shared.base.nt; it follows from the timeline and the agencies every plan names). Each is
# used only when the digest of its inputs, in the manifest, is the one of this build.
PARTS = "parts"
SHARED_CLOSURE = "shared.closure.nt"
TIMELINE = "timeline.json"
SHARED_BASE = "shared.base.nt"


def _digest(value) -> str:
    return hashlib.sha256(json.dumps(value, ensure_ascii=False).encode("utf-8")).hexdigest()


def line_count(nt: bytes) -> int:
    """Triples in N-Triples written one per line, each once (as `serialize` and `sorted_lines` write them)."""
    return nt.count(b"\n")


def build_store(plan_folders: list[Path], store_dir: Path, sources: Sources | None = None,
                data_dir: Path = DATA, links: Path | None = None,
                graph_file: Path | None = None) -> StoreBuild:
    """Build (or rebuild incrementally) the store of plan graphs in `store_dir`. Everything is computed
    before the store is touched, then written into a copy (hard links: cheap) renamed into place, so a failed
    build leaves the previous store as it was. What did not change is neither read nor worked out again: an
    unchanged plan folder is only digested, an unchanged shared part taken from DIR/parts/."""
    import pyoxigraph

    from .build import check_plan_id, finish_shared, map_plans, new_timeline, settle_timeline
    from .orgtime import Timeline
    from .reason import digest_files, load_ontology
    from .sources import load_meta, load_plan, load_plan_meta
    from .store import serialize

    store_dir = Path(store_dir)
    if store_dir.exists() and not is_store(store_dir) and any(store_dir.iterdir()):
        raise CchcError(f"{store_dir}: not empty and not a store written by `cchc-graph build --store`; "
                        "give a new or empty folder")
    sources = sources or Sources.load(data_dir)
    previous = read_manifest(store_dir) if is_store(store_dir) else {}
    shared_inputs = shared_inputs_digest(data_dir)
    full = previous.get("format") != FORMAT or previous.get("shared_inputs") != shared_inputs
    known = {} if full else previous.get("plans", {})
    old_parts = store_dir / PARTS

    def kept_part(name: str) -> bytes:
        return (old_parts / name).read_bytes()

    digests = {Path(f).name: plan_digest(f, shared_inputs) for f in plan_folders}
    changed = {plan_id for plan_id, digest in digests.items() if known.get(plan_id, {}).get("digest") != digest}
    # The plans changed are read whole; of the others, what the shared part follows from is in the manifest.
    folders: dict[str, Path] = {}
    plans, keys = {}, {}
    for folder in map(Path, plan_folders):
        plan_id = folder.name
        if plan_id in changed:
            # A new store's tables are read by the pool's workers that map them; a rebuild's few, here.
            plans[plan_id] = plan = load_plan_meta(folder) if full else load_plan(folder)
            meta = plan.meta
        elif "province" in known[plan_id]:
            keys[plan_id] = known[plan_id]["province"]
        else:  # a store from before the manifest recorded it
            meta = load_meta(folder / "plan.toml", plan_id)
        check_plan_id(folders, plan_id, folder)
        if plan_id not in keys:
            keys[plan_id] = [meta.province, meta.province_slug, meta.year]
    plan_ids = list(folders)
    removed = sorted(set(known) - set(plan_ids))
    provinces = ProvincesOfPlans(sources, keys)

    def settled_timeline():
        shared, timeline = new_timeline(sources)
        for plan_id in plan_ids:
            timeline.add_province(provinces[plan_id], keys[plan_id][2])
        settle_timeline(shared, timeline, sources, [(keys[p][1], provinces[p]) for p in plan_ids])
        return shared, timeline

    # The timeline each plan maps from: kept when the shared inputs and every plan's province and year are.
    timeline_key = _digest([shared_inputs, [[plan_id, *keys[plan_id]] for plan_id in plan_ids]])
    shared_graph = settled = state = None
    timeline_rebuilt = shared_rebuilt = True
    if not full and previous.get("timeline") == timeline_key and (old_parts / TIMELINE).is_file():
        state = json.loads(kept_part(TIMELINE))
        timeline_rebuilt = False
    else:
        shared_graph, settled = settled_timeline()
        state = settled.state()
    # A timeline of its own for the mapping, which adds to it what the plans name (`settled` stays as the
    # shared part needs it: the names are replayed there in the order of the plans).
    timeline = Timeline.from_state(state, None, sources.registry, sources.provinces,
                                   sources.data / "agency-changes.csv")
    mapped = map_plans([(plans[p], provinces[p]) for p in plan_ids if p in changed], sources, timeline)
    named = {p: list(mapped[p].named) if p in mapped else list(known[p]["named"]) for p in plan_ids}

    # The shared part made from the registry, the changes and the catalogues: kept when the timeline and the
    # agencies each plan names are.
    shared_key = _digest([timeline_key, [[plan_id, named[plan_id]] for plan_id in plan_ids]])
    if not full and previous.get("shared_key") == shared_key and (old_parts / SHARED_BASE).is_file():
        shared_base = kept_part(SHARED_BASE)
        shared_rebuilt = False
    else:
        if shared_graph is None:
            shared_graph, settled = settled_timeline()
        finish_shared(shared_graph, settled, sources, [(p, provinces[p]) for p in plan_ids],
                      {p: tuple(names) for p, names in named.items()})
        shared_base = serialize(shared_graph, "nt")
    del shared_graph, settled

    common = {p: mapped[p].common if p in mapped else kept_part(f"{p}.common.nt") for p in plan_ids}
    shared_nt = sorted_lines(shared_base, *common.values())
    shared_digest = hashlib.sha256(shared_nt).hexdigest()
    reason_all = full or previous.get("shared_graph") != shared_digest
    to_reason = [plan_id for plan_id in plan_ids if reason_all or plan_id in changed]
    ontology = load_ontology()

    plans_nt = {plan_id: part.ntriples for plan_id, part in mapped.items()}
    again = [plan_id for plan_id in to_reason if plan_id not in plans_nt]
    if again:  # reasoned again without being mapped again (the shared part changed): read from the store
        old_store = pyoxigraph.Store.read_only(str(store_dir))
        for plan_id in again:
            plans_nt[plan_id] = old_store.dump(format=pyoxigraph.RdfFormat.N_TRIPLES,
                                               from_graph=pyoxigraph.NamedNode(plan_graph(plan_id)))
        del old_store
    closure = shared_closure(shared_nt, ontology) if reason_all else kept_part(SHARED_CLOSURE)
    store_dir.parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=f".{store_dir.name}.", dir=store_dir.parent))
    # A new store (a full build) gets its asserted graphs while the plans are reasoned: the parent only waits
    # for the pool then, and RocksDB's bulk load is a good part of a build from scratch.
    preloaded: dict[str, bytes] = {}
    if full:
        preloaded = dict([(plan_graph(p), mapped[p].ntriples) for p in plan_ids]
                         + [(SHARED, shared_nt), (ONTOLOGY_GRAPH, serialize(ontology, "nt"))])
    opened: list = []

    def load_asserted() -> None:
        opened.append(pyoxigraph.Store(str(folder)))
        opened[0].bulk_load(input=as_nquads(list(preloaded.items())), format=pyoxigraph.RdfFormat.N_QUADS,
                            lenient=True)
    try:
        # The store is opened only once the pool's workers are forked (`meanwhile`), never before.
        reasoned = dict(zip(to_reason, reason_plans(shared_nt, closure, [(p, plans_nt[p]) for p in to_reason],
                                                    ontology, meanwhile=load_asserted if full else None)))
    except BaseException:
        opened.clear()  # closes RocksDB before its folder goes
        shutil.rmtree(folder, ignore_errors=True)
        raise
    inferred_common = {p: reasoned[p][1] if p in reasoned else kept_part(f"{p}.inferred.nt") for p in plan_ids}
    shared_inferred = sorted_lines(closure, *inferred_common.values())
    shared_inferred_digest = hashlib.sha256(shared_inferred).hexdigest()

    try:
        if previous and not full:
            folder.rmdir()  # a checkpoint is made into a new folder: its files are hard links of the store's
            old_store = pyoxigraph.Store.read_only(str(store_dir))
            old_store.backup(str(folder))
            del old_store
        store = opened.pop() if full else pyoxigraph.Store(str(folder))
        loads = [(plan_graph(p), mapped[p].ntriples) for p in plan_ids if p in changed]
        loads += [(inferred_of(plan_graph(p)), reasoned[p][0]) for p in to_reason]
        # The shared graphs (the largest) are written again only when they came out different.
        if full or previous.get("shared_graph") != shared_digest:
            loads.append((SHARED, shared_nt))
        if full or previous.get("shared_inferred") != shared_inferred_digest:
            loads.append((SHARED_INFERRED, shared_inferred))
        if full:
            loads.append((ONTOLOGY_GRAPH, serialize(ontology, "nt")))
        if not full:
            for name in dict.fromkeys([*(n for p in removed for n in (plan_graph(p), inferred_of(plan_graph(p)))),
                                       *(name for name, _ in loads)]):
                store.remove_graph(pyoxigraph.NamedNode(name))
        links_node = pyoxigraph.NamedNode(LINKS)
        links_digest = digest_files([Path(links)]) if links is not None and Path(links).exists() else None
        links_changed = full or "links" not in previous or links_digest != previous["links"]
        if links_changed:
            store.remove_graph(links_node)
            if links_digest:  # what `cchc-graph link` found, beside the graph file
                store.bulk_load(path=str(links), format=pyoxigraph.RdfFormat.TURTLE, to_graph=links_node)
        for name, _ in loads:
            store.add_graph(pyoxigraph.NamedNode(name))  # an empty closure part is a graph of the store still
        # One load of them all: RocksDB writes files per bulk load, which costs minutes for 1,260 small graphs.
        # A few graphs (one plan changed) go in one transaction instead: a bulk load writes its own files for
        # every index, which costs more than the few thousand triples. A new store has its asserted graphs
        # already (loaded while the plans were reasoned).
        quads = as_nquads([(name, data) for name, data in loads if name not in preloaded])
        if full or reason_all:
            store.bulk_load(input=quads, format=pyoxigraph.RdfFormat.N_QUADS, lenient=True)
        else:
            store.load(input=quads, format=pyoxigraph.RdfFormat.N_QUADS, lenient=True)
        if full:
            store.optimize()
            sizes = graph_sizes(store)
        else:  # counted from what was written (a count of the whole store takes seconds)
            dropped = {name for p in removed for name in (plan_graph(p), inferred_of(plan_graph(p)))}
            sizes = {name: size for name, size in previous.get("graphs", {}).items() if name not in dropped}
            sizes.update((name, line_count(data)) for name, data in loads)
            if links_changed:
                sizes[LINKS] = sum(1 for _ in store.quads_for_pattern(None, None, None, links_node))
            sizes = dict(sorted((name, size) for name, size in sizes.items() if size or name != LINKS))
        store.flush()
        del store  # closes RocksDB before the folder moves
        parts = folder / PARTS
        parts.mkdir()
        for plan_id in plan_ids:
            keep_or_write(old_parts, parts, f"{plan_id}.common.nt",
                          mapped[plan_id].common if plan_id in mapped else None)
            keep_or_write(old_parts, parts, f"{plan_id}.inferred.nt",
                          reasoned[plan_id][1] if plan_id in reasoned else None)
        keep_or_write(old_parts, parts, SHARED_CLOSURE, closure if reason_all else None)
        (parts / TIMELINE).write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
        (parts / SHARED_BASE).write_bytes(shared_base)
        manifest = {"format": FORMAT, "shared_inputs": shared_inputs, "timeline": timeline_key,
                    "shared_key": shared_key, "shared_graph": shared_digest, "shared_inferred": shared_inferred_digest,
                    "links": links_digest,
                    "plans": {plan_id: {"folder": str(folders[plan_id].resolve()), "digest": digests[plan_id],
                                        "province": keys[plan_id], "named": named[plan_id]}
                              for plan_id in plan_ids},
                    "graphs": sizes,
                    "graph": str(Path(graph_file).resolve()) if graph_file else None}
        union = None
        if full:  # after the store is written: the N-Quads loaded into it are freed by then
            union = (sorted_lines(shared_nt, *(mapped[p].ntriples for p in plan_ids)),
                     sorted_lines(shared_inferred, *(reasoned[p][0] for p in plan_ids)))
            if _NOT_AS_STORED.search(union[0]):
                union = None  # a control character: written by rdflib as it is, escaped by Oxigraph's dump
        result = StoreBuild(rebuilt=[p for p in plan_ids if p in changed], kept=[p for p in plan_ids if p not in changed],
                            removed=removed, reasoned=to_reason, sizes=sizes, full=full,
                            shared_reasoned=reason_all, union=union, timeline_rebuilt=timeline_rebuilt,
                            shared_rebuilt=shared_rebuilt)
        manifest["last_build"] = {"rebuilt": result.rebuilt, "kept": result.kept, "removed": result.removed,
                                  "reasoned": result.reasoned, "shared_reasoned": reason_all, "full": full,
                                  "timeline_rebuilt": timeline_rebuilt, "shared_rebuilt": shared_rebuilt}
        (folder / MANIFEST).write_text(manifest_text(manifest), encoding="utf-8")
        _carry_validation_cache(store_dir, folder, set(plan_ids))
        replace_folder(folder, store_dir)
    finally:
        if folder.exists():
            shutil.rmtree(folder, ignore_errors=True)
    return result


class ProvincesOfPlans(dict):
    """plan id -> its province (`Provinces.of_plan` of its [name, slug, year]), looked up when first asked
    for: a rebuild after one plan changed asks only for that plan's (a look-up folds every province's name)."""

    def __init__(self, sources: Sources, keys: dict[str, list]):
        super().__init__()
        self.sources, self.keys = sources, keys
        # A name provinces.csv does not know gets a province of its own (of_plan adds it), which the timeline
        # may hold nodes of: added before anything reads the provinces.
        for plan_id, (name, slug, year) in keys.items():
            if slug not in sources.provinces.by_slug:
                self[plan_id] = sources.provinces.of_plan(name, slug, year)

    def __missing__(self, plan_id: str):
        province = self[plan_id] = self.sources.provinces.of_plan(*self.keys[plan_id])
        return province


def manifest_text(manifest: dict) -> str:
    """The manifest as JSON, one key a line: indenting every entry (json's pure-Python encoder) costs a
    tenth of a second at 630 plans, which a rebuild after one change should not."""
    lines = [f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}" for key, value in manifest.items()]
    return "{\n" + ",\n".join(lines) + "\n}\n"


def keep_or_write(old: Path, new: Path, name: str, data: bytes | None) -> None:
    """A file of DIR/parts/ in the new store: `data`, or (None) the previous store's file, hard-linked."""
    if data is None:
        link_or_copy(old / name, new / name)
    else:
        (new / name).write_bytes(data)


def link_or_copy(source: Path, target: Path) -> None:
    """A file of the previous store in the new one, as a hard link (its files are only ever replaced by a
    rename, never written in place), or a copy where the file system has no hard links."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _carry_validation_cache(old: Path, new: Path, plan_ids: set[str]) -> None:
    """The cached findings of `validate --graph DIR` (store_validation.py), for the plans still in the store:
    each is keyed by the digest of its inputs, so a changed plan's entry is simply stale."""
    from .store_validation import CACHE_DIR

    source = old / CACHE_DIR
    if not source.is_dir():
        return
    (new / CACHE_DIR).mkdir(exist_ok=True)
    for entry in source.glob("*.json"):
        if entry.stem in plan_ids:
            link_or_copy(entry, new / CACHE_DIR / entry.name)


def graph_sizes(store) -> dict[str, int]:
    """Triples per named graph (sorted by name), in one query."""
    sizes = {solution["g"].value: int(solution["n"].value) for solution in
             store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")}
    for graph in store.named_graphs():
        sizes.setdefault(graph.value, 0)
    return dict(sorted(sizes.items()))


# ------------------------------------------------------------------------------------------- reading

def data_graphs(manifest: dict) -> list[str]:
    """The asserted graphs of a store of plan graphs: the shared part and each plan."""
    return [SHARED] + [plan_graph(plan_id) for plan_id in manifest.get("plans", {})]


def inferred_graphs(manifest: dict) -> list[str]:
    return [inferred_of(name) for name in data_graphs(manifest)]


def union_ntriples(store, groups: list[list[str]]) -> list[bytes]:
    """For each group of named graphs, their union as sorted N-Triples, each triple once (as
    `serialize(…, "nt")` writes). The store is read in one pass (N-Quads): much faster than a dump per graph."""
    import pyoxigraph

    groups_of: dict[bytes, list[int]] = {}
    for index, names in enumerate(groups):
        for name in names:
            groups_of.setdefault(f"<{name}>".encode(), []).append(index)
    lines: list[set[bytes]] = [set() for _ in groups]
    for line in store.dump(format=pyoxigraph.RdfFormat.N_QUADS).splitlines():
        triple, _, graph = line[:-2].rpartition(b" ")  # "<s> <p> <o> <g> ." (graph names hold no space)
        for index in groups_of.get(graph, ()):
            lines[index].add(triple + b" .")
    return [b"\n".join(sorted(found)) + b"\n" if found else b"" for found in lines]


def write_graph_file(store_dir: Path, output: Path, fmt: str, union: tuple[bytes, bytes] | None = None) -> bytes:
    """Write the union of a store's asserted graphs to `output` (what `build -o` writes: the same triples
    as a build without a store), and beside it the reasoning cache `query` and `reason` read (the union of
    the closures, stamped as `reason` stamps it). Returns the graph as N-Triples. `union`: those two unions,
    when the build has them (`StoreBuild.union`), instead of reading the store."""
    import pyoxigraph

    from .reason import DEFAULT_PROFILE, inferred_path_for, write_stamp
    from .store import read_graph, serialize, write_bytes

    if union is not None:
        nt, inferred_nt = union
    else:
        manifest = read_manifest(store_dir)
        store = pyoxigraph.Store.read_only(str(store_dir))
        nt, inferred_nt = union_ntriples(store, [data_graphs(manifest), inferred_graphs(manifest)])
        del store
    data = nt if fmt == "nt" else serialize(read_graph(output.with_suffix(".nt"), data=nt), fmt)
    write_bytes(output, data)
    inferred_file = inferred_path_for(Path(output))  # N-Triples is Turtle: written as it is
    write_bytes(inferred_file, inferred_nt)
    write_stamp(Path(output), inferred_file, DEFAULT_PROFILE, data, inferred_nt)
    return nt


def class_counts_nt(nt: bytes) -> dict[str, int]:
    """`build.class_counts` of a graph given as N-Triples lines (no rdflib graph at corpus size)."""
    from collections import Counter

    from rdflib import Graph, URIRef

    from .namespaces import bind_prefixes

    names = Graph()
    bind_prefixes(names)
    marker = b" <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <"
    counts = Counter(line.rsplit(b"<", 1)[1].split(b">", 1)[0] for line in nt.splitlines() if marker in line)
    return dict(sorted((names.qname(URIRef(cls.decode("utf-8"))), n) for cls, n in counts.items()))
