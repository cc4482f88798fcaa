"""The one place where graphs are read, written and assembled for querying.

Writes go to a temporary file beside the target and are renamed into place, so a failed command never
leaves a partial or corrupt output behind.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import stat
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
    with path.open("rb") as handle:
        if handle.read(3) == BOM:
            # rdflib would skip it and Oxigraph refuse it: one answer for both engines, and a clear one.
            raise SourceError(path, "starts with a byte-order mark (U+FEFF); RDF files are UTF-8 without one: "
                                    "save the file again without it (\"UTF-8\", not \"UTF-8 with BOM\")")
    return path


# Characters an IRI may not hold (RFC 3987): rdflib keeps such an IRI with a warning, Oxigraph refuses it.
_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')
BOM = b"\xef\xbb\xbf"


def read_graph(*paths: Path, graph: Graph | None = None, ill_typed_ok: bool = False, data: bytes | None = None) -> Graph:
    """Parse RDF files into one graph; bad RDF names the file and the parser's reason. A literal whose
    lexical form does not fit its datatype ("2023-02-30"^^xsd:date) is an error too (reasoning and export
    would each read it differently), unless `ill_typed_ok`: validation takes it, since SHACL reports an
    ill-typed literal as a finding (sh:datatype). `data`: the bytes of the one file given, already read."""
    graph = graph if graph is not None else Graph()
    for path in paths:
        path = check_graph_file(path) if data is None else Path(path)
        fmt = SUFFIX_FORMATS.get(path.suffix, "turtle")
        try:
            if data is None:
                graph.parse(path, format=fmt)
            else:
                graph.parse(data=data, format=fmt, publicID=path.resolve().as_uri())
        except Exception as exc:  # rdflib raises many parser-specific types
            reason = (" ".join(str(exc).split()) if not isinstance(exc, IndexError)
                      else "the file ends in the middle of a statement (cut short?)")
            if len(reason) > 240:  # rdflib quotes the file from its start: keep the line and the reason
                reason = reason[:240] + "…"
            raise SourceError(path, f"not valid {fmt}: {reason}") from None
        bad_iri = next((term for term in set(graph.all_nodes()) if isinstance(term, URIRef)
                        and _NOT_IN_IRI.search(term)), None)
        if bad_iri is not None:
            raise SourceError(path, f"not valid {fmt}: the IRI <{bad_iri}> holds a character IRIs may not hold "
                                    f"({_NOT_IN_IRI.search(bad_iri).group()!r}); correct it")
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


_NOT_REGULAR = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a named pipe"), (stat.S_ISCHR, "a character device"),
                (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def output_target(path: Path) -> Path:
    """The file an output to `path` replaces: `path` itself, or the file a symbolic link points to (written
    through, as editors do, so the link stays a link). Anything that is not a regular file (a directory, a
    named pipe, a device, a socket) is refused before anything is computed or written: renaming a file over
    it would silently turn `/dev/null` or a pipe into a plain file."""
    path = Path(path)
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    try:
        mode = target.stat().st_mode
    except (FileNotFoundError, NotADirectoryError):  # a missing folder is made; a file in its place is named then
        return target
    except OSError as exc:
        raise CchcError(f"cannot write {path}: {exc.strerror}") from None
    for test, kind in _NOT_REGULAR:
        if test(mode):
            shown = f"{path} (a link to {target})" if target != path else str(path)
            raise CchcError(f"cannot write {shown}: it is {kind}, not a regular file; choose a file path")
    return target


def _create_temporary(folder: Path, name: str) -> tuple[int, Path]:
    """A new empty file beside the target, created with mode 0666 so that the process umask (and any default
    ACL of the folder) decides its permissions, as for any file a command creates (0644 under umask 0022).
    tempfile.mkstemp would make it 0600, unreadable by anyone else once renamed into place."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        tmp = folder / f".{name}.{secrets.token_hex(4)}.tmp"
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
    raise CchcError(f"cannot create a temporary file in {folder}")


@contextmanager
def atomic_write(path: Path) -> Iterator[Path]:
    """Yield a temporary path; on success it replaces `path`, on failure it is removed.

    The new file gets the permissions of the umask, also when it replaces an existing file (outputs are
    regenerated, not edited). A symbolic link is written through: its target is replaced atomically and the
    link kept. Other non-regular files are refused (`output_target`)."""
    target = output_target(Path(path))
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _create_temporary(target.parent, target.name)
    os.close(fd)
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        if os.path.lexists(tmp):
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

    def add_file(self, name: str, path: Path, checked: bool = False, data: bytes | None = None) -> None:
        """Load an RDF file straight into a named graph (no rdflib on the way: fast at corpus size).
        `checked`: the file's exact bytes were read strictly before, so Oxigraph may skip re-validating
        its IRIs and literals (its lenient mode; syntax errors are still errors). A third faster at size.
        `data`: the file's bytes, already read (the reasoning cache hashes and loads the same bytes).
        Relative IRIs resolve against the file's own location."""
        path = check_graph_file(path) if data is None else Path(path)
        if data is not None and not data:
            raise SourceError(path, "is empty (0 bytes): not a built graph; run `cchc-graph build` again")
        source = {"path": str(path)} if data is None else {"input": data}
        try:
            self.store.bulk_load(**source, format=oxigraph_format(path), base_iri=path.resolve().as_uri(),
                                 to_graph=self._ox.NamedNode(str(name)), lenient=checked)
        except (SyntaxError, ValueError, OSError) as exc:
            raise SourceError(path, f"not valid RDF: {exc}") from None

    def load_quads(self, path: Path, seen=None) -> None:
        """Load an RDF file into the default graph, streamed (a list of 1.4 M quads doubled the peak memory),
        relative IRIs against the file's location; `seen(quad)` is called on each quad on the way in."""
        path = check_graph_file(path)
        quads = read_quads(path)
        try:
            self.store.bulk_extend(quads if seen is None else _watched(quads, seen))
        except (SyntaxError, ValueError, OSError) as exc:
            raise SourceError(path, f"not valid {SUFFIX_FORMATS.get(path.suffix, 'turtle')}: {exc}") from None

    def add_triples(self, triples, blank=None) -> None:
        """rdflib triples into the default graph, each term converted once (`to_oxigraph`)."""
        cache: dict = {}

        def term(node):
            converted = cache.get(node)
            if converted is None:
                converted = cache[node] = to_oxigraph(node, blank)
            return converted

        self.store.bulk_extend(self._ox.Quad(term(s), term(p), term(o)) for s, p, o in triples)

    def dump_graph(self, name: str, path: Path) -> bytes:
        """Write one named graph as Turtle, atomically; the bytes written."""
        data = self.store.dump(format=self._ox.RdfFormat.TURTLE, from_graph=self._ox.NamedNode(str(name)))
        write_bytes(path, data)
        return data

    def graph_size(self, name: str) -> int:
        return sum(1 for _ in self.store.quads_for_pattern(None, None, None, self._ox.NamedNode(str(name))))

    def __len__(self) -> int:
        return len(self.store)

    def query_options(self) -> dict:
        """How `Store.query` sees this dataset's default graph: the union of the named graphs, or the graphs
        `default_graphs` names."""
        if self.default_graphs is None:
            return {"use_default_graph_as_union": True}
        return {"default_graph": [self._ox.NamedNode(name) for name in self.default_graphs]}

    def _run(self, text: str):
        """The store's answer to a query (never an update: `Store.query` cannot change the store). The default
        graph is the union of the named graphs, or the graphs `default_graphs` names (an on-disk store without
        its inferred graph)."""
        try:
            return self.store.query(text, **self.query_options())
        except SyntaxError as exc:
            from .sparql import syntax_error
            raise syntax_error(text, exc) from None
        except (ValueError, OSError) as exc:
            raise CchcError(f"SPARQL error: {exc}") from None

    def solutions(self, text: str):
        """(variable names, an iterator of solutions: tuples of pyoxigraph terms or None) of a SELECT query,
        for callers that stream a large answer instead of converting it whole."""
        result = self._run(text)
        if not isinstance(result, self._ox.QuerySolutions):
            raise CchcError("expected a SELECT query")
        return [v.value for v in result.variables], (tuple(solution) for solution in result)

    def rows(self, text: str):
        """(variable names, an iterator of rows: dicts of rdflib terms, unbound variables left out) of a SELECT
        query, converted as the store gives them, so that an answer can be written as it arrives."""
        result = self._run(text)
        if not isinstance(result, self._ox.QuerySolutions):
            raise CchcError("expected a SELECT query")
        columns = [v.value for v in result.variables]
        return columns, self._converted(result, columns)

    @staticmethod
    def _converted(result, columns: list[str]):
        converted: dict = {}  # answers repeat terms (roles, texts, agencies): convert each once
        solutions = iter(result)
        while True:
            try:
                solution = next(solutions)
            except StopIteration:
                return
            except (ValueError, OSError) as exc:  # the store evaluates lazily: an error may come mid-answer
                raise CchcError(f"SPARQL error: {exc}") from None
            row = {}
            for index, column in enumerate(columns):
                term = solution[index]
                if term is not None:
                    value = converted.get(term)
                    if value is None:
                        value = converted[term] = to_rdflib(term)
                    row[column] = value
            yield row

    def answer(self, text: str):
        """A SELECT or ASK answer as (columns, rows of rdflib terms, None) or ([], [], boolean); a CONSTRUCT or
        DESCRIBE answer as an rdflib Graph. Callers see one kind of term."""
        result = self._run(text)
        if isinstance(result, self._ox.QueryBoolean):
            return [], [], bool(result)
        if isinstance(result, self._ox.QueryTriples):
            graph = Graph()
            bind_prefixes(graph)
            for triple in result:
                graph.add((to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object)))
            return graph
        columns = [v.value for v in result.variables]
        return columns, list(self._converted(result, columns)), None


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def to_rdflib(term, as_stored: bool = False):
    """A pyoxigraph term as the equal rdflib term. `as_stored`: a typed literal keeps the lexical form the
    store holds (rdflib would rewrite an ill-typed "2011-01-01"^^xsd:dateTime)."""
    import pyoxigraph

    if isinstance(term, pyoxigraph.NamedNode):
        return URIRef(term.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return BNode(term.value)
    if not isinstance(term, pyoxigraph.Literal):
        raise CchcError(f"cannot read {term!r}: RDF-star terms are not supported")
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    if datatype == _XSD_STRING:
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(datatype), normalize=False if as_stored else None)


def to_oxigraph(term, blank=None):
    """An rdflib term as the pyoxigraph term (a typed literal as written: Oxigraph's store may keep it in
    canonical form). `blank`: the Oxigraph blank node for an rdflib one (default: the same identifier)."""
    import pyoxigraph

    if isinstance(term, URIRef):
        return pyoxigraph.NamedNode(str(term))
    if isinstance(term, BNode):
        return blank(term) if blank is not None else pyoxigraph.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return pyoxigraph.Literal(str(term), language=term.language)
        if term.datatype is None:
            return pyoxigraph.Literal(str(term))
        return pyoxigraph.Literal(str(term), datatype=pyoxigraph.NamedNode(str(term.datatype)))
    raise CchcError(f"cannot store {term!r}: not an RDF term")


def oxigraph_format(path: Path):
    """The pyoxigraph format of an RDF file, by its suffix (Turtle when the suffix says nothing)."""
    import pyoxigraph

    return {"turtle": pyoxigraph.RdfFormat.TURTLE, "nt": pyoxigraph.RdfFormat.N_TRIPLES,
            "json-ld": pyoxigraph.RdfFormat.JSON_LD}[SUFFIX_FORMATS.get(Path(path).suffix, "turtle")]


def read_quads(path: Path):
    """The quads of an RDF file parsed by Oxigraph, streamed; relative IRIs resolve against the file's own
    location (a W3C test's `<>` is the test file). Syntax errors surface while iterating."""
    import pyoxigraph

    path = Path(path)
    return pyoxigraph.parse(path=str(path), format=oxigraph_format(path), base_iri=path.resolve().as_uri())


def _watched(quads, seen):
    for quad in quads:
        seen(quad)
        yield quad


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
