"""validate_graph / validate_files / validate_dataset: which shapes, which data, which engine.

How the graph is validated:
- The data graph is the built graph plus the ontology (ontology/*.ttl), unless `with_ontology=False` (a user's
  own data and shapes). The ontology is passed to pySHACL as `ont_graph` too, but pySHACL only copies its class
  and property axioms, while the shapes also need the concept schemes (which reform areas the national
  programme has; which product kinds exist), so the whole ontology is added to the data graph.
- No inference (`inference="none"`): the shapes use concrete properties only, and sh:targetClass / sh:class
  follow rdfs:subClassOf in the data graph as the SHACL spec says, which the ontology provides. RDFS or
  OWL RL inference would add nothing the shapes look at, only time (benchmarks/README.md), and would type
  nodes by rdfs:domain, hiding a node whose class is missing.

Two engines give the same findings (tests/test_validate_scale.py, tests/test_w3c_shacl.py):
- "pyshacl" (the default, the reference, engines/pyshacl.py): fine for one plan (1–2 s), but it evaluates every
  shape node by node in Python: 63 plans take 72 s, 630 plans (1.4 M triples) 19 min (benchmarks/README.md).
- "oxigraph" (engines/compiled/): the data goes into an Oxigraph store (store.py's OxigraphDataset) and each
  shape's constraint components (one class each, engines/compiled/components/) run as set-wide SPARQL queries;
  630 plans in under a minute. What it cannot run it refuses ("not supported"). `validate_files` loads files
  straight into Oxigraph (no rdflib parse), and the report navigator then reads the store; `validate_dataset`
  validates a dataset already in Oxigraph (e.g. the on-disk store of `build --store`) in place, without a copy.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from rdflib import Graph

from ..errors import CchcError
from ..reason import load_ontology
from ..store import OxigraphDataset, read_graph
from .engines.compiled.data import _OxData
from .engines.compiled.engine import _OxigraphValidator
from .engines.pyshacl import _validate_pyshacl
from .outcome import ValidationOutcome
from .shapes import SHAPES_DIR, literals_as_written, load_shapes, shapes_name

ENGINES = ("pyshacl", "oxigraph")
DEFAULT_ENGINE = "pyshacl"


def _check_engine(engine: str) -> None:
    if engine not in ENGINES:
        raise CchcError(f"unknown validation engine {engine!r}; choose {' or '.join(ENGINES)}")


def validate_graph(graph: Graph, shapes_dir=SHAPES_DIR, ontology: Graph | None = None,
                   engine: str = DEFAULT_ENGINE, with_ontology: bool = True) -> ValidationOutcome:
    """Validate `graph` (a built graph) against the shapes of `shapes_dir` (a folder, a file, or a list of
    them), with the ontology added to the data graph unless `with_ontology` is False (users' own shapes on
    their own data).

    engine: "pyshacl" (the reference) or "oxigraph" (the shapes compiled to SPARQL and run on Oxigraph, for
    many plans; same findings, see `_OxigraphValidator`).
    Raises CchcError for bad shapes (unreadable Turtle, a shape pySHACL cannot load, broken SPARQL), shapes
    an engine refuses ("… not supported …") or bad input (not an rdflib graph)."""
    _check_engine(engine)
    if not isinstance(graph, Graph):
        raise CchcError(f"cannot validate {type(graph).__name__!r}: not an RDF graph")
    shapes = load_shapes(shapes_dir)
    ontology = (ontology if ontology is not None else load_ontology()) if with_ontology else Graph()
    if engine == "oxigraph":
        return _OxigraphValidator(shapes, shapes_name(shapes_dir), _OxData.from_graphs(graph, ontology)).run()
    return _validate_pyshacl(graph, shapes, shapes_name(shapes_dir), ontology)


def validate_files(paths: Iterable[Path], shapes_dir=SHAPES_DIR, ontology: Graph | None = None,
                   engine: str = DEFAULT_ENGINE, with_ontology: bool = True) -> ValidationOutcome:
    """Validate RDF files (e.g. build/graph.ttl); relative IRIs resolve against each file's location. With
    engine="oxigraph" the files are read by Oxigraph straight into its store, never into rdflib (rdflib took
    29 s to parse the 146 k triples of 63 plans)."""
    from ..progress import progress

    _check_engine(engine)
    paths = [Path(p) for p in paths]
    with progress(None, f"validate: reading {len(paths)} file(s)") as bar:
        if engine != "oxigraph":
            with literals_as_written():
                graph = read_graph(*paths, ill_typed_ok=True)
            bar.describe("validate: checking the shapes (pySHACL)")
            return validate_graph(graph, shapes_dir, ontology, engine, with_ontology)
        shapes = load_shapes(shapes_dir)
        ontology = (ontology if ontology is not None else load_ontology()) if with_ontology else Graph()
        data = _OxData.from_files(paths, ontology)
        bar.describe("validate: checking the shapes (Oxigraph)")
        return _OxigraphValidator(shapes, shapes_name(shapes_dir), data).run()


def validate_dataset(dataset: OxigraphDataset, shapes_dir=SHAPES_DIR) -> ValidationOutcome:
    """Validate the default graph of an Oxigraph dataset as its queries see it (the union of its named graphs,
    or the graphs `default_graphs` names), with the compiled engine, in place: nothing is copied and nothing
    written (a read-only on-disk store is fine). The data graph is what the dataset holds: a store of
    `cchc-graph build --store` has the ontology in a graph of its own; no ontology is added. Values are
    reported as the store holds them (canonical literals). `$shapesGraph` is refused ("not supported")."""
    if not isinstance(dataset, OxigraphDataset):
        raise CchcError(f"cannot validate {type(dataset).__name__!r}: not an Oxigraph dataset")
    shapes = load_shapes(shapes_dir)
    return _OxigraphValidator(shapes, shapes_name(shapes_dir), _OxData.from_dataset(dataset)).run()
