"""The shapes graph: files and folders of shapes, read with relative IRIs against each file's location."""

from __future__ import annotations

from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import SH

from ..errors import CchcError
from ..resources import SHAPES as SHAPES_DIR
from ..store import read_graph
from .outcome import SHAPES_NS

@contextmanager
def literals_as_written():
    """rdflib parses literals without normalising them: SHACL sees "1"^^xsd:boolean (not "true") and
    "01"^^xsd:integer as written, as the spec asks (the W3C suite's uniqueLang-002)."""
    import rdflib

    saved, rdflib.NORMALIZE_LITERALS = rdflib.NORMALIZE_LITERALS, False
    try:
        yield
    finally:
        rdflib.NORMALIZE_LITERALS = saved


def shape_files(shapes_dir) -> list[Path]:
    """The shapes files of `shapes_dir`: a file, a folder (its *.ttl files) or a list of them."""
    items = [shapes_dir] if isinstance(shapes_dir, (str, Path)) else list(shapes_dir)
    files: list[Path] = []
    for item in map(Path, items):
        if item.is_dir():
            found = sorted(item.glob("*.ttl"))
            if not found:
                raise CchcError(f"{item}: no *.ttl shapes files")
            files += found
        elif item.is_file():
            files.append(item)
        else:
            raise CchcError(f"{item}: no such shapes folder or file")
    if not files:
        raise CchcError("no shapes files given")
    return files


def shapes_name(shapes_dir) -> str:
    """How errors name the shapes: the folder or file, or the list of them."""
    items = [shapes_dir] if isinstance(shapes_dir, (str, Path)) else list(shapes_dir)
    return ", ".join(str(item) for item in items)


def load_shapes(shapes_dir=SHAPES_DIR) -> Graph:
    """The shapes files (a folder's *.ttl files, a file, or a list of them) as one graph; relative IRIs
    resolve against each file's own location. Bad Turtle names the file (SourceError)."""
    files = shape_files(shapes_dir)
    stamp = tuple((str(f.resolve()), f.stat().st_mtime_ns, f.stat().st_size) for f in files)
    shapes = Graph()  # a copy: pySHACL adds its system triples to the shapes graph it is given
    shapes += _parsed_shapes(stamp)
    for prefix, namespace in _parsed_shapes(stamp).namespaces():
        shapes.bind(prefix, namespace, override=True)
    _import_prefix_declarations(shapes)
    return shapes


def _import_prefix_declarations(shapes: Graph) -> None:
    """Give each sh:prefixes holder the sh:declare of the ontologies it owl:imports, transitively (SHACL
    5.2.1: the prefixes of a SPARQL query include those of imported ontologies; pySHACL does not follow
    owl:imports there). Only within the shapes graph: validation never fetches anything."""
    from rdflib.namespace import OWL

    for holder in set(shapes.objects(None, SH.prefixes)):
        for imported in set(shapes.transitive_objects(holder, OWL.imports)) - {holder}:
            for declaration in list(shapes.objects(imported, SH.declare)):
                shapes.add((holder, SH.declare, declaration))


@lru_cache(maxsize=8)
def _parsed_shapes(stamp: tuple) -> Graph:
    """The shapes files, parsed once per version of the files (path, mtime, size). A shape need not be typed
    (sh:NodeShape): any triple in the SHACL namespace counts (SHACL 2.1: shapes are found by their use)."""
    with literals_as_written():
        shapes = read_graph(*(Path(path) for path, _, _ in stamp), ill_typed_ok=True)
    if not any(str(p).startswith(str(SH)) or (isinstance(o, URIRef) and str(o).startswith(str(SH)))
               for _, p, o in shapes):
        raise CchcError(f"{shapes_name([Path(p) for p, _, _ in stamp])}: the files hold no SHACL shapes")
    shapes.bind("cchcsh", SHAPES_NS)
    shapes.bind("sh", SH)
    return shapes
