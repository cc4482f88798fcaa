"""The on-disk store: `cchc-graph build … --store DIR` writes what `query` runs on (asserted, ontology,
inferred and link graphs, each in its named graph) into an Oxigraph RocksDB store in DIR, which `query`,
`publish` and `serve` then open in milliseconds (`--graph DIR`) instead of reading the graph files and
their closure into memory on every run.

DIR holds the RocksDB files and `cchc-store.json`: what the store was made from (the graph file and the
digest of its inputs, as `reason` stamps it) and the size of each graph. The store is written into a new
folder beside DIR and renamed into place, so a failed build leaves the previous store as it was.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterator

from .errors import CchcError, SourceError

MANIFEST = "cchc-store.json"
FORMAT = 1  # one asserted graph (write_store); 2: a graph per plan (incremental.py)
FORMATS = (1, 2)


def is_store(path: Path) -> bool:
    return Path(path).is_dir() and (Path(path) / MANIFEST).is_file()


def write_store(graph_path: Path, store_dir: Path) -> dict[str, int]:
    """Write the store of a built graph (reasoning first, when its cached closure is stale); the size of
    each named graph, by IRI."""
    from .query import open_local
    from .reason import inputs_digest
    from .store import ASSERTED, INFERRED, LINKS, ONTOLOGY_GRAPH, OxigraphDataset

    graph_path, store_dir = Path(graph_path), Path(store_dir)
    if store_dir.exists() and not is_store(store_dir) and any(store_dir.iterdir()):
        raise CchcError(f"{store_dir}: not empty and not a store written by `cchc-graph build --store`; "
                        "give a new or empty folder")
    memory = open_local(graph_path)
    store_dir.parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=f".{store_dir.name}.", dir=store_dir.parent))
    try:
        disk = OxigraphDataset(folder)
        disk.store.bulk_extend(memory.store)
        disk.store.optimize()
        sizes = {str(name): disk.graph_size(name) for name in (ASSERTED, ONTOLOGY_GRAPH, INFERRED, LINKS)}
        sizes = {name: size for name, size in sizes.items() if size}
        manifest = {"format": FORMAT, "graph": str(graph_path.resolve()), "inputs": inputs_digest(graph_path),
                    "graphs": sizes}
        disk.store.flush()
        del disk  # closes RocksDB before the folder moves
        (folder / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
        replace_folder(folder, store_dir)
    finally:
        if folder.exists():
            shutil.rmtree(folder, ignore_errors=True)
    return sizes


def replace_folder(folder: Path, store_dir: Path) -> None:
    """Put a store written in `folder` (beside `store_dir`) in the place of `store_dir`: the previous one is
    moved aside first and deleted only once the new one is in place."""
    old = None
    if store_dir.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{store_dir.name}.old.", dir=store_dir.parent))
        os.replace(store_dir, old / "store")
    os.replace(folder, store_dir)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def open_store(store_dir: Path, reasoning: bool = True):
    """The store in DIR, read-only (several `query` processes may read it at once). Without reasoning,
    queries see every graph but the inferred one."""
    from .store import INFERRED, OxigraphDataset

    store_dir = Path(store_dir)
    if not is_store(store_dir):
        raise SourceError(store_dir, "is a folder but not a store written by `cchc-graph build --store`")
    manifest = json.loads((store_dir / MANIFEST).read_text(encoding="utf-8"))
    if manifest.get("format") not in FORMATS:
        raise SourceError(store_dir, f"store format {manifest.get('format')!r} is not one of {FORMATS}; build it again")
    dataset = OxigraphDataset(store_dir, read_only=True)
    if not reasoning:  # every graph but the inferred ones (the plans' and the shared part's closures)
        dataset.default_graphs = [name for name in manifest["graphs"]
                                  if name != str(INFERRED) and not name.endswith("/inferred")]
    return dataset


def store_manifest(store_dir: Path) -> dict:
    return json.loads((Path(store_dir) / MANIFEST).read_text(encoding="utf-8"))


def role_lines(store_dir: Path, reasoning: bool = True) -> Iterator[bytes]:
    """The quads of a store of plan graphs (incremental.py), each in its role's graph instead of its own:
    asserted (the shared part and every plan), ontology, inferred (every closure part; left out without
    reasoning) and links. One N-Quads line each, without its line end, in the store's order."""
    import pyoxigraph

    from .store import ASSERTED, INFERRED, LINKS, ONTOLOGY_GRAPH

    disk = open_store(store_dir)
    roles = {f"<{ONTOLOGY_GRAPH}>".encode(): ONTOLOGY_GRAPH, f"<{LINKS}>".encode(): LINKS}
    for name in store_manifest(store_dir)["graphs"]:
        key = f"<{name}>".encode()
        if key not in roles:
            roles[key] = INFERRED if name.endswith("/inferred") else ASSERTED
    if not reasoning:
        roles = {key: role for key, role in roles.items() if role != INFERRED}
    renamed = {key: str(role).encode() for key, role in roles.items()}
    for line in disk.store.dump(format=pyoxigraph.RdfFormat.N_QUADS).splitlines():
        triple, _, graph = line[:-2].rpartition(b" ")
        role = renamed.get(graph)
        if role is not None:
            yield b"%s <%s> ." % (triple, role)


def role_view(store_dir: Path, reasoning: bool = True):
    """A store of plan graphs as one graph per role (`role_lines`), in memory: the layout of a graph file
    opened by `query`, which `publish` sends to a SPARQL store. No triple is in two graphs of the store, so
    each role is the plain sum of its graphs."""
    import pyoxigraph

    from .store import OxigraphDataset

    lines = list(role_lines(store_dir, reasoning))
    memory = OxigraphDataset()
    memory.store.bulk_load(input=b"\n".join(lines) + b"\n", format=pyoxigraph.RdfFormat.N_QUADS, lenient=True)
    return memory


def write_nquads(graph_path: Path, out) -> None:
    """Every graph `query` runs on, as N-Quads, each triple in its role's named graph (asserted, ontology,
    inferred, links): what a SPARQL store's bulk loader takes (`oxigraph load`, Virtuoso's `ld_dir`, Jena's
    `tdb2.tdbloader`), and the names `query --endpoint` asks for. A store of plan graphs is written from its own
    N-Quads dump, each line's graph renamed, without building a second store in memory as `role_view` does."""
    import pyoxigraph

    from .query import open_local

    graph_path = Path(graph_path)
    if is_store(graph_path) and store_manifest(graph_path).get("format") == 2:
        for line in role_lines(graph_path):
            out.write(line + b"\n")
        return
    open_local(graph_path, reasoning=True).store.dump(out, format=pyoxigraph.RdfFormat.N_QUADS)


def asserted_graph(store_dir: Path):
    """The asserted graph of a store as an rdflib Graph, as `read_graph` gives the graph file it was made
    from (for `export` of an RDF dump, which rdflib serialises in its sorted, deterministic form)."""
    from rdflib import Graph

    from .namespaces import bind_prefixes
    from .store import ASSERTED, to_rdflib

    dataset = role_view(store_dir, reasoning=False)  # a store of plan graphs: the shared part and every plan
    graph = Graph()
    for quad in dataset.store.quads_for_pattern(None, None, None, dataset._ox.NamedNode(str(ASSERTED))):
        graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    bind_prefixes(graph)
    return graph
