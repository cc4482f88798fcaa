"""The one place where graphs are read, written and assembled for querying.

Writes go to a temporary file beside the target and are renamed into place, so a failed command never
leaves a partial or corrupt output behind.
"""

from __future__ import annotations

import json
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from rdflib import BNode, Dataset, Graph, Literal, URIRef

from .errors import CchcError, SourceError
from .namespaces import GRAPH, bind_prefixes

FORMATS = {"turtle": "turtle", "ttl": "turtle", "nt": "nt", "ntriples": "nt", "n-triples": "nt",
           "json-ld": "json-ld", "jsonld": "json-ld"}
SUFFIX_FORMATS = {".ttl": "turtle", ".nt": "nt", ".jsonld": "json-ld", ".json": "json-ld"}

ASSERTED = GRAPH.asserted
ONTOLOGY_GRAPH = GRAPH.ontology
INFERRED = GRAPH.inferred
LINKS = GRAPH.links  # what `cchc-graph link` found in a law database (build/graph.links.ttl)


def check_graph_file(path: Path) -> Path:
    """A graph file a command can read: it exists, is a file, and is not empty."""
    path = Path(path)
    if not path.exists():
        raise SourceError(path, "no such file (run `cchc-graph build` first?)")
    if not path.is_file():
        raise SourceError(path, "is not a file; give the graph file `cchc-graph build` wrote (e.g. build/graph.ttl)")
    if path.stat().st_size == 0:
        raise SourceError(path, "is empty (0 bytes): not a built graph; run `cchc-graph build` again")
    return path


def read_graph(*paths: Path, graph: Graph | None = None, ill_typed_ok: bool = False) -> Graph:
    """Parse RDF files into one graph; bad RDF names the file and the parser's reason. A literal whose
    lexical form does not fit its datatype ("2023-02-30"^^xsd:date) is an error too (reasoning and export
    would each read it differently), unless `ill_typed_ok`: validation takes it, since SHACL reports an
    ill-typed literal as a finding (sh:datatype)."""
    graph = graph if graph is not None else Graph()
    for path in paths:
        path = check_graph_file(path)
        fmt = SUFFIX_FORMATS.get(path.suffix, "turtle")
        try:
            graph.parse(path, format=fmt)
        except Exception as exc:  # rdflib raises many parser-specific types
            reason = (" ".join(str(exc).split()) if not isinstance(exc, IndexError)
                      else "the file ends in the middle of a statement (cut short?)")
            if len(reason) > 240:  # rdflib quotes the file from its start: keep the line and the reason
                reason = reason[:240] + "…"
            raise SourceError(path, f"not valid {fmt}: {reason}") from None
        if not ill_typed_ok:
            ill_typed = [o for o in set(graph.objects()) if isinstance(o, Literal) and o.ill_typed]
            if ill_typed:
                first = min(ill_typed, key=str)
                raise SourceError(path, f"{len(ill_typed)} literal(s) do not fit their datatype, e.g. {str(first)!r} "
                                        f"(Datatype={first.datatype}); correct the value")
    bind_prefixes(graph)
    return graph


def serialize(graph: Graph, fmt: str) -> bytes:
    fmt = FORMATS.get(fmt, fmt)
    if fmt not in FORMATS.values():
        raise CchcError(f"unknown RDF format {fmt!r}; choose turtle, nt or json-ld")
    if fmt == "nt":
        # rdflib writes N-Triples in hash order; sort the lines so the output is deterministic.
        lines = sorted(set(graph.serialize(format="nt", encoding="utf-8").decode("utf-8").splitlines()))
        return ("\n".join(line for line in lines if line) + "\n").encode("utf-8")
    if fmt == "json-ld":
        # rdflib orders nodes by hash; sort them (and their keys) so the output is deterministic.
        document = json.loads(graph.serialize(format="json-ld", encoding="utf-8"))
        nodes = document if isinstance(document, list) else document.get("@graph", [document])
        for node in nodes:
            for key, value in node.items():
                if isinstance(value, list):
                    node[key] = sorted(value, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
        nodes.sort(key=lambda node: node.get("@id", ""))
        return (json.dumps(nodes, sort_keys=True, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    return graph.serialize(format=fmt, encoding="utf-8")


@contextmanager
def atomic_write(path: Path) -> Iterator[Path]:
    """Yield a temporary path; on success it replaces `path`, on failure it is removed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_bytes(path: Path, data: bytes) -> None:
    with atomic_write(path) as tmp:
        tmp.write_bytes(data)


def write_graph(graph: Graph, path: Path, fmt: str = "turtle") -> None:
    write_bytes(path, serialize(graph, fmt))


class OxigraphDataset:
    """The embedded query store (Oxigraph, in memory, or on disk in `path`: ondisk.py): each graph in a
    named graph of its own, and the default graph the union of them all (or of `default_graphs` when set).
    Chosen over rdflib's memory store for its query speed (see benchmarks/README.md); rdflib stays the API
    for building, reasoning and validation."""

    def __init__(self, path: Path | None = None, read_only: bool = False) -> None:
        import pyoxigraph

        self._ox = pyoxigraph
        if path is None:
            self.store = pyoxigraph.Store()
        else:
            try:
                self.store = pyoxigraph.Store.read_only(str(path)) if read_only else pyoxigraph.Store(str(path))
            except OSError as exc:
                raise SourceError(Path(path), f"cannot open the store: {exc}") from None
        self.default_graphs: list[str] | None = None

    def add_graph(self, name: str, graph: Graph) -> None:
        data = graph.serialize(format="nt", encoding="utf-8")
        self.store.load(data, format=self._ox.RdfFormat.N_TRIPLES, to_graph=self._ox.NamedNode(str(name)))

    def add_file(self, name: str, path: Path, checked: bool = False) -> None:
        """Load an RDF file straight into a named graph (no rdflib on the way: fast at corpus size).
        `checked`: the file's exact bytes were read strictly before, so Oxigraph may skip re-validating
        its IRIs and literals (its lenient mode; syntax errors are still errors). A third faster at size."""
        path = check_graph_file(path)
        fmt = {"turtle": self._ox.RdfFormat.TURTLE, "nt": self._ox.RdfFormat.N_TRIPLES,
               "json-ld": self._ox.RdfFormat.JSON_LD}[SUFFIX_FORMATS.get(path.suffix, "turtle")]
        try:
            self.store.bulk_load(path=str(path), format=fmt, to_graph=self._ox.NamedNode(str(name)), lenient=checked)
        except (SyntaxError, ValueError, OSError) as exc:
            raise SourceError(path, f"not valid RDF: {exc}") from None

    def dump_graph(self, name: str, path: Path) -> None:
        """Write one named graph as Turtle, atomically."""
        with atomic_write(path) as tmp:
            self.store.dump(str(tmp), format=self._ox.RdfFormat.TURTLE, from_graph=self._ox.NamedNode(str(name)))

    def graph_size(self, name: str) -> int:
        return sum(1 for _ in self.store.quads_for_pattern(None, None, None, self._ox.NamedNode(str(name))))

    def __len__(self) -> int:
        return len(self.store)

    def select(self, text: str) -> tuple[list[str], list[dict]]:
        """Run a SELECT or ASK query; rows hold rdflib terms, so callers see one kind of term."""
        if self.default_graphs is None:
            options = {"use_default_graph_as_union": True}
        else:
            options = {"default_graph": [self._ox.NamedNode(name) for name in self.default_graphs]}
        try:
            result = self.store.query(text, **options)
        except (SyntaxError, ValueError, OSError) as exc:
            raise CchcError(f"SPARQL error: {exc}") from None
        if isinstance(result, self._ox.QueryBoolean):
            return ["ask"], [{"ask": Literal(bool(result))}]
        if not isinstance(result, self._ox.QuerySolutions):
            raise CchcError("only SELECT and ASK queries can be run")
        columns = [v.value for v in result.variables]
        rows = []
        converted: dict = {}  # answers repeat terms (roles, texts, agencies): convert each once
        for solution in result:
            row = {}
            for index, column in enumerate(columns):
                term = solution[index]
                if term is not None:
                    value = converted.get(term)
                    if value is None:
                        value = converted[term] = to_rdflib(term)
                    row[column] = value
            rows.append(row)
        return columns, rows


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def to_rdflib(term):
    """A pyoxigraph term as the equal rdflib term."""
    import pyoxigraph

    if isinstance(term, pyoxigraph.NamedNode):
        return URIRef(term.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    return Literal(term.value, datatype=None if datatype == _XSD_STRING else URIRef(datatype))


def links_path_for(graph_path: Path) -> Path:
    """Where `cchc-graph link` keeps the link graph of a built graph: build/graph.ttl -> build/graph.links.ttl."""
    graph_path = Path(graph_path)
    return graph_path.with_name(graph_path.stem + ".links.ttl")


def assemble(asserted: Graph, ontology: Graph, inferred: Graph | None = None, engine: str = "oxigraph",
             links: Graph | None = None):
    """A dataset for querying: asserted data, ontology, inferred triples and (when there is one) the link
    graph in named graphs of their own, queried as one (default union), so a user can still ask which graph
    a triple came from. engine "oxigraph" (the default store) or "rdflib" (rdflib's memory store, kept as a
    cross-check)."""
    graphs = ((ASSERTED, asserted), (ONTOLOGY_GRAPH, ontology), (INFERRED, inferred), (LINKS, links))
    if engine == "oxigraph":
        dataset = OxigraphDataset()
        for name, graph in graphs:
            if graph is not None:
                dataset.add_graph(name, graph)
        return dataset
    dataset = Dataset(default_union=True)
    bind_prefixes(dataset)
    for name, graph in graphs:
        if graph is None:
            continue
        target = dataset.graph(URIRef(name))
        for triple in graph:
            target.add(triple)
    return dataset
