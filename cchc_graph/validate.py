"""SHACL validation of a built graph (pySHACL, or the same shapes compiled to SPARQL on Oxigraph) and the
report people read.

`validate_graph` validates a graph with the shapes of shapes/ (violation.ttl, warning.ttl, info.ttl) and
the ontology; `render_report` turns the outcome into text grouped by table row (Vietnamese or English), or
into the machine-readable SHACL report (Turtle, or a JSON list of results).

How the graph is validated:
- The data graph is the built graph plus the ontology (ontology/*.ttl). The ontology is passed to pySHACL
  as `ont_graph` too, but pySHACL only copies its class and property axioms, while the shapes also need the
  concept schemes (which reform areas the national programme has; which product kinds exist), so the
  whole ontology is added to the data graph.
- No inference (`inference="none"`): the shapes use concrete properties only, and sh:targetClass / sh:class
  follow rdfs:subClassOf in the data graph as the SHACL spec says, which the ontology provides. RDFS or
  OWL RL inference would add nothing the shapes look at, only time (benchmarks/README.md), and would type
  nodes by rdfs:domain, hiding a node whose class is missing.
- pySHACL parses the SPARQL of a SHACL-SPARQL constraint again for every focus node (10–30 ms each); the
  data graph here caches prepared queries by their text, which makes those constraints ~20x faster.
- pySHACL drops the language tag of the messages of SPARQL-based results; they are restored from the
  shapes, so every sh:resultMessage of the report carries its @vi / @en tag.

Two engines give the same findings (tests/test_validate_scale.py):
- "pyshacl" (the default, the reference): fine for one plan (1–2 s), but it evaluates every shape node by node
  in Python: 63 plans take 72 s, 630 plans (1.4 M triples) 19 min (benchmarks/README.md).
- "oxigraph": the data goes into an in-memory Oxigraph store and each shape becomes a few set-wide SPARQL
  queries (`_OxigraphValidator`); 630 plans in under a minute. Only the constraint parameters our shapes use
  are implemented; any other stops it with an error rather than being skipped. `validate_files` loads files
  straight into Oxigraph (no rdflib parse), and the report navigator then reads the store (`_StoreView`).

Findings are grouped by table row: a product, a timeframe or a citation belongs to the row it is part of;
objectives, tasks, activities, area sections, the plan, legal documents and agencies get groups of their
own. The graph is navigated with rdflib, never by pasting text into SPARQL.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node

from .errors import CchcError
from .namespaces import CCHC, DCTERMS, ELI, RDF, RDFS, SKOS, bind_prefixes
from .reason import load_ontology
from .resources import SHAPES as SHAPES_DIR
from .store import read_graph

SHAPES_NS = "https://w3id.org/cchc-graph/shapes#"

SEVERITIES = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}
RANK = {"violation": 3, "warning": 2, "info": 1}
LANGS = ("vi", "en")
FORMATS = ("text", "turtle", "json")

WORDS = {
    "vi": {
        "violation": "Lỗi", "warning": "Cảnh báo", "info": "Thông tin",
        "row": "Dòng", "area": "lĩnh vực", "objective": "Mục tiêu", "task": "Nhiệm vụ", "activity": "Hoạt động",
        "product": "Sản phẩm", "plan": "Kế hoạch", "document": "Văn bản", "agency": "Cơ quan",
        "group": "Nhóm cơ quan", "concept": "Lĩnh vực cải cách", "node": "Nút", "rows": "dòng",
        "of_area": "lĩnh vực", "objective_no": "mục tiêu", "value": "giá trị", "empty": "(trống)",
        "no_product": "(không có)", "dated": "ngày",
        "title": "Kết quả kiểm tra SHACL",
        "total": "Tổng cộng: {violation} lỗi, {warning} cảnh báo, {info} thông tin.",
        "clean": "Không có phát hiện nào: đồ thị đáp ứng mọi ràng buộc.",
        "findings": "{n} phát hiện trong {g} nhóm.",
    },
    "en": {
        "violation": "Violation", "warning": "Warning", "info": "Info",
        "row": "Row", "area": "area", "objective": "Objective", "task": "Task", "activity": "Activity",
        "product": "Product", "plan": "Plan", "document": "Legal document", "agency": "Agency",
        "group": "Agency group", "concept": "Reform area", "node": "Node", "rows": "row",
        "of_area": "area", "objective_no": "objective", "value": "value", "empty": "(empty)",
        "no_product": "(none)", "dated": "dated",
        "title": "SHACL validation report",
        "total": "Total: {violation} violation(s), {warning} warning(s), {info} info(s).",
        "clean": "No findings: the graph meets every shape.",
        "findings": "{n} finding(s) in {g} group(s).",
    },
}
SHORTEN = 110  # characters of an activity / product / objective text in a heading


# ---------------------------------------------------------------------------------------------- outcome

@dataclass(frozen=True)
class Finding:
    """One SHACL validation result."""
    focus: Node
    path: Node | None  # as in the report graph (a blank node for a complex path)
    path_text: str | None  # the path as a SPARQL property path, full IRIs
    value: Node | None
    component: URIRef
    shape: Node
    severity: str  # violation | warning | info
    messages: tuple[tuple[str, str], ...]  # (language, message)

    def message(self, lang: str) -> str:
        by_lang = dict(self.messages)
        return by_lang.get(lang) or by_lang.get("") or next(iter(by_lang.values()), "")


@dataclass
class ValidationOutcome:
    conforms: bool  # SHACL conformance: no result at all, of any severity
    findings: list[Finding]
    report_source: Graph | Callable[[], Graph] = field(repr=False)  # the report, or how to make it when asked
    data: Graph = field(repr=False)  # what was validated (graph + ontology, or a view of the Oxigraph store)
    shapes: Graph = field(repr=False)

    @property
    def report(self) -> Graph:
        """The sh:ValidationReport graph (the oxigraph engine builds it only when asked: 12 k results take
        seconds in rdflib)."""
        if callable(self.report_source):
            self.report_source = self.report_source()
        return self.report_source

    def counts(self) -> dict[str, int]:
        counts = {name: 0 for name in RANK}
        for finding in self.findings:
            counts[finding.severity] += 1
        return counts

    def exit_code(self, fail_on: str = "violation") -> int:
        """1 when there is a finding at or above `fail_on` (violation | warning | info), else 0."""
        if fail_on not in RANK:
            raise CchcError(f"unknown severity {fail_on!r}; choose violation, warning or info")
        return 1 if any(RANK[f.severity] >= RANK[fail_on] for f in self.findings) else 0


# ---------------------------------------------------------------------------------------------- validation

class _CachedQueryGraph(Graph):
    """A graph whose SPARQL queries given as text are parsed once (pySHACL re-sends the same text for every
    focus node of a SHACL-SPARQL constraint, with $this bound through initBindings)."""

    def query(self, query_object, *args, **kwargs):
        if isinstance(query_object, str):
            query_object = _prepared(_canonical(query_object))
        return super().query(query_object, *args, **kwargs)


def _canonical(text: str) -> str:
    """The query with its leading PREFIX lines sorted: pySHACL writes them in set order, which changes from
    one load of the shapes to the next, and the order of PREFIX declarations does not matter."""
    lines = text.split("\n")
    head = 0
    while head < len(lines) and (lines[head].startswith("PREFIX ") or not lines[head].strip()):
        head += 1
    return "\n".join(sorted(line for line in lines[:head] if line.strip()) + lines[head:])


@lru_cache(maxsize=256)
def _prepared(text: str):
    from rdflib.plugins.sparql import prepareQuery
    return prepareQuery(text)


def load_shapes(shapes_dir: Path = SHAPES_DIR) -> Graph:
    """Every *.ttl file of the shapes folder, as one graph. Bad Turtle names the file (SourceError)."""
    shapes_dir = Path(shapes_dir)
    if not shapes_dir.is_dir():
        raise CchcError(f"{shapes_dir}: no such shapes folder")
    files = sorted(shapes_dir.glob("*.ttl"))
    if not files:
        raise CchcError(f"{shapes_dir}: no *.ttl shapes files")
    stamp = tuple((str(f.resolve()), f.stat().st_mtime_ns, f.stat().st_size) for f in files)
    shapes = Graph()  # a copy: pySHACL adds its system triples to the shapes graph it is given
    shapes += _parsed_shapes(stamp)
    for prefix, namespace in _parsed_shapes(stamp).namespaces():
        shapes.bind(prefix, namespace, override=True)
    return shapes


@lru_cache(maxsize=8)
def _parsed_shapes(stamp: tuple) -> Graph:
    """The shapes files, parsed once per version of the files (path, mtime, size)."""
    shapes = read_graph(*(Path(path) for path, _, _ in stamp))
    if not any(shapes.subjects(RDF.type, SH.NodeShape)) and not any(shapes.subjects(RDF.type, SH.PropertyShape)):
        raise CchcError(f"{Path(stamp[0][0]).parent}: the files hold no SHACL shapes")
    shapes.bind("cchcsh", SHAPES_NS)
    shapes.bind("sh", SH)
    return shapes


ENGINES = ("pyshacl", "oxigraph")
DEFAULT_ENGINE = "pyshacl"


def _check_engine(engine: str) -> None:
    if engine not in ENGINES:
        raise CchcError(f"unknown validation engine {engine!r}; choose {' or '.join(ENGINES)}")


def validate_graph(graph: Graph, shapes_dir: Path = SHAPES_DIR, ontology: Graph | None = None,
                   engine: str = DEFAULT_ENGINE) -> ValidationOutcome:
    """Validate `graph` (a built graph) against the shapes of `shapes_dir`, with the ontology.

    engine: "pyshacl" (the reference) or "oxigraph" (the shapes compiled to SPARQL and run on Oxigraph, for
    many plans; same findings, see `_OxigraphValidator`).
    Raises CchcError for bad shapes (unreadable Turtle, a shape pySHACL cannot load, broken SPARQL) or
    bad input (not an rdflib graph)."""
    _check_engine(engine)
    if not isinstance(graph, Graph):
        raise CchcError(f"cannot validate {type(graph).__name__!r}: not an RDF graph")
    shapes = load_shapes(shapes_dir)
    ontology = ontology if ontology is not None else load_ontology()
    if engine == "oxigraph":
        return _OxigraphValidator(shapes, shapes_dir, _OxData.from_graphs(graph, ontology)).run()
    return _validate_pyshacl(graph, shapes, shapes_dir, ontology)


def validate_files(paths: Iterable[Path], shapes_dir: Path = SHAPES_DIR, ontology: Graph | None = None,
                   engine: str = DEFAULT_ENGINE) -> ValidationOutcome:
    """Validate RDF files (e.g. build/graph.ttl). With engine="oxigraph" the files are read by Oxigraph
    straight into its store, never into rdflib (rdflib took 29 s to parse the 146 k triples of 63 plans)."""
    from .progress import progress

    _check_engine(engine)
    paths = [Path(p) for p in paths]
    with progress(None, f"validate: reading {len(paths)} file(s)") as bar:
        if engine != "oxigraph":
            graph = read_graph(*paths, ill_typed_ok=True)
            bar.describe("validate: checking the shapes (pySHACL)")
            return validate_graph(graph, shapes_dir, ontology, engine)
        shapes = load_shapes(shapes_dir)
        ontology = ontology if ontology is not None else load_ontology()
        data = _OxData.from_files(paths, ontology)
        bar.describe("validate: checking the shapes (Oxigraph)")
        return _OxigraphValidator(shapes, shapes_dir, data).run()


def _validate_pyshacl(graph: Graph, shapes: Graph, shapes_dir: Path, ontology: Graph) -> ValidationOutcome:
    import pyshacl
    from pyshacl.errors import ReportableRuntimeError

    data = _CachedQueryGraph()
    bind_prefixes(data)
    data.bind("cchcsh", SHAPES_NS)
    data += graph
    data += ontology
    try:
        conforms, report, _ = pyshacl.validate(
            data, shacl_graph=shapes, ont_graph=ontology, inference="none", inplace=True,
            abort_on_first=False, allow_infos=False, allow_warnings=False, advanced=False, meta_shacl=False)
    except ReportableRuntimeError as exc:
        raise CchcError(f"shapes in {shapes_dir}: {exc.message if hasattr(exc, 'message') else exc}") from None
    except Exception as exc:  # a SPARQL syntax error in a shape surfaces from rdflib's parser
        raise CchcError(f"shapes in {shapes_dir}: cannot validate: {type(exc).__name__}: {exc}") from None
    _restore_messages(report, shapes)
    bind_prefixes(report)
    report.bind("sh", SH)
    report.bind("cchcsh", SHAPES_NS)
    findings = _findings(report)
    return ValidationOutcome(bool(conforms), findings, report, data, shapes)


def _restore_messages(report: Graph, shapes: Graph) -> None:
    """Give every result the language-tagged sh:message of its source shape (pySHACL keeps the tags of
    core results but drops them for SPARQL-based ones)."""
    for result in list(report.subjects(RDF.type, SH.ValidationResult)):
        shape = report.value(result, SH.sourceShape)
        messages = [m for m in shapes.objects(shape, SH.message) if isinstance(m, Literal)]
        if not messages:
            continue
        report.remove((result, SH.resultMessage, None))
        for message in messages:
            report.add((result, SH.resultMessage, message))


def _findings(report: Graph) -> list[Finding]:
    found: dict[tuple, Finding] = {}
    # Only the report's own results: those nested under sh:detail (why a sh:node value failed) are not findings.
    for result in report.objects(None, SH.result):
        severity = SEVERITIES.get(report.value(result, SH.resultSeverity), "violation")
        path = report.value(result, SH.resultPath)
        messages = tuple(sorted((m.language or "", str(m)) for m in report.objects(result, SH.resultMessage)
                                if isinstance(m, Literal)))
        finding = Finding(report.value(result, SH.focusNode), path, path_to_sparql(report, path) if path is not None else None,
                          report.value(result, SH.value), report.value(result, SH.sourceConstraintComponent),
                          report.value(result, SH.sourceShape), severity, messages)
        # A shape reached through two node shapes (or a node with two classes) reports twice: keep one.
        found.setdefault((finding.focus, finding.path_text, finding.value, finding.component, finding.shape), finding)
    return sorted(found.values(), key=_finding_order)


def _finding_order(f: Finding) -> tuple:
    """A total order, so that both engines list the findings alike."""
    return (-RANK[f.severity], str(f.focus), f.path_text or "", str(f.shape), str(f.value), str(f.component), f.messages)


def path_to_sparql(graph: Graph, path: Node) -> str:
    """A SHACL property path as a SPARQL 1.1 property path with full IRIs."""
    if isinstance(path, URIRef):
        return f"<{path}>"
    if (path, RDF.first, None) in graph:
        return "(" + "/".join(path_to_sparql(graph, p) for p in Collection(graph, path)) + ")"
    for prop, template in ((SH.inversePath, "^{}"), (SH.zeroOrMorePath, "{}*"), (SH.oneOrMorePath, "{}+"),
                           (SH.zeroOrOnePath, "{}?")):
        inner = graph.value(path, prop)
        if inner is not None:
            return template.format(path_to_sparql(graph, inner))
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(path_to_sparql(graph, p) for p in Collection(graph, alternatives)) + ")"
    raise CchcError(f"unreadable SHACL path {path!r} in the validation report")


# ---------------------------------------------------------------------------------------------- the oxigraph engine

# What the oxigraph engine implements: the SHACL Core parameters our shapes use, and SHACL-SPARQL constraints.
# Any other constraint parameter (sh:hasValue, sh:closed, sh:equals, …) in a shape stops it with an error
# that says to use pySHACL, so a new kind of shape can never be skipped silently.
_OX_SUPPORTED = {SH.minCount, SH.maxCount, SH.datatype, SH["class"], SH.pattern, SH.flags, SH.minLength,
                 SH.minInclusive, SH.maxInclusive, SH.languageIn, SH.uniqueLang, SH["or"], SH.node, SH.property,
                 SH.sparql}
_XSD = "http://www.w3.org/2001/XMLSchema#"
_XSD_STRING = _XSD + "string"
_LANG_STRING = str(RDF.langString)
SH_XSD_STRING = URIRef(_XSD_STRING)
_PREFIXES = ("PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\n"
             "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n")
_COMPONENT = {param: SH[name + "ConstraintComponent"] for param, name in (
    (SH.minCount, "MinCount"), (SH.maxCount, "MaxCount"), (SH.datatype, "Datatype"), (SH["class"], "Class"),
    (SH.pattern, "Pattern"), (SH.minLength, "MinLength"), (SH.minInclusive, "MinInclusive"),
    (SH.maxInclusive, "MaxInclusive"), (SH.languageIn, "LanguageIn"), (SH.uniqueLang, "UniqueLang"),
    (SH["or"], "Or"), (SH.node, "Node"), (SH.sparql, "SPARQL"))}


class _OxData:
    """The data graph (built graph + ontology) in an in-memory Oxigraph store, and the way back to the rdflib
    terms the report is made of.

    Oxigraph stores valid numbers, booleans and dates in canonical form ("2023.0"^^xsd:decimal becomes
    "2023"). When the data comes from rdflib graphs, every such literal is mapped back to the term it was
    given as, so the findings are the very terms pySHACL reports. When it comes from files (the command),
    the files are never parsed by rdflib and values are reported in Oxigraph's canonical form: the same for
    what `cchc-graph build` writes (only canonical integers and dates)."""

    def __init__(self):
        import pyoxigraph

        self.ox = pyoxigraph
        self.store = pyoxigraph.Store()
        self.originals: dict = {}  # canonical Oxigraph literal -> rdflib literal as given
        self.canonical: dict = {}  # rdflib literal as given -> canonical Oxigraph literal
        self.explicit_strings: set[str] = set()  # lexical forms given as "…"^^xsd:string (Oxigraph merges them)
        self.bnodes: dict[str, BNode] = {}  # Oxigraph blank node id -> rdflib blank node
        self.bnode_ids: dict[BNode, str] = {}
        self._back: dict = {}

    @classmethod
    def from_graphs(cls, *graphs: Graph) -> "_OxData":
        data = cls()
        data._add_graphs(graphs)
        return data

    @classmethod
    def from_files(cls, paths: list[Path], ontology: Graph) -> "_OxData":
        from .store import SUFFIX_FORMATS

        data = cls()
        formats = {"turtle": data.ox.RdfFormat.TURTLE, "nt": data.ox.RdfFormat.N_TRIPLES,
                   "json-ld": data.ox.RdfFormat.JSON_LD}
        for path in paths:
            if not path.exists():
                from .errors import SourceError
                raise SourceError(path, "no such file (run `cchc-graph build` first?)")
            fmt = SUFFIX_FORMATS.get(path.suffix, "turtle")
            try:
                data.store.load(path=str(path), format=formats[fmt])
            except (SyntaxError, ValueError, OSError) as exc:
                from .errors import SourceError
                raise SourceError(path, f"not valid {fmt}: {exc}") from None
        data._add_graphs([ontology])
        return data

    def _add_graphs(self, graphs) -> None:
        ox, cache = self.ox, {}

        def term(node):
            converted = cache.get(node)
            if converted is None:
                converted = cache[node] = self.to_ox(node)
            return converted

        try:
            self.store.bulk_extend(ox.Quad(term(s), term(p), term(o)) for graph in graphs for s, p, o in graph)
        except ValueError as exc:  # an IRI Oxigraph refuses
            raise CchcError(f"cannot validate with the oxigraph engine: {exc}") from None
        typed = [t for t in cache if isinstance(t, Literal) and t.datatype is not None
                 and str(t.datatype) not in (_XSD_STRING, _LANG_STRING)]
        self.explicit_strings.update(str(t) for t in cache if isinstance(t, Literal) and str(t.datatype) == _XSD_STRING)
        # What Oxigraph makes of each typed literal: write them to a scratch store and read them back.
        scratch, marker = ox.Store(), ox.NamedNode("urn:x-cchc:value")
        scratch.extend(ox.Quad(ox.NamedNode(f"urn:x-cchc:{i}"), marker, cache[t]) for i, t in enumerate(typed))
        for quad in scratch:
            given = typed[int(quad.subject.value.rsplit(":", 1)[1])]
            self.canonical[given] = quad.object
            self.originals.setdefault(quad.object, given)

    def to_ox(self, node):
        """The Oxigraph term of an rdflib term (a typed literal as Oxigraph stores it)."""
        ox = self.ox
        if isinstance(node, URIRef):
            return ox.NamedNode(str(node))
        if isinstance(node, BNode):
            if node not in self.bnode_ids:
                self.bnode_ids[node] = f"b{len(self.bnode_ids)}"
                self.bnodes[self.bnode_ids[node]] = node
            return ox.BlankNode(self.bnode_ids[node])
        if isinstance(node, Literal):
            if node in self.canonical:
                return self.canonical[node]
            if node.language:
                return ox.Literal(str(node), language=node.language)
            if node.datatype is None:
                return ox.Literal(str(node))
            return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype)))
        raise CchcError(f"cannot validate {node!r}: not an RDF term")

    def term(self, node):
        """The rdflib term of an Oxigraph term."""
        if node is None:
            return None
        back = self._back.get(node)
        if back is not None:
            return back
        ox = self.ox
        if isinstance(node, ox.NamedNode):
            back = URIRef(node.value)
        elif isinstance(node, ox.BlankNode):
            back = self.bnodes.get(node.value) or BNode(node.value)
        elif isinstance(node, ox.Literal):
            back = self.originals.get(node)
            if back is None:
                if node.language:
                    back = Literal(node.value, lang=node.language)
                elif node.datatype.value == _XSD_STRING:
                    back = Literal(node.value, datatype=SH_XSD_STRING if node.value in self.explicit_strings else None)
                else:
                    back = Literal(node.value, datatype=URIRef(node.datatype.value))
        else:
            raise CchcError(f"cannot report {node!r}: RDF-star terms are not supported")
        self._back[node] = back
        return back

    def select(self, query: str, **kwargs):
        """Rows of a SELECT query as dicts of rdflib terms (unbound variables left out)."""
        solutions = self.store.query(query, **kwargs)
        names = [v.value for v in solutions.variables]
        for solution in solutions:
            yield {name: self.term(solution[name]) for name in names if solution[name] is not None}



class _StoreView:
    """The read-only part of rdflib's Graph API that the report navigator uses, over an Oxigraph store: the
    text report of a large graph needs no rdflib copy of it."""

    def __init__(self, data: _OxData):
        self.d = data
        self._graph = Graph()
        bind_prefixes(self._graph)
        self._graph.bind("cchcsh", SHAPES_NS)
        self.namespace_manager = self._graph.namespace_manager
        self._cache: dict[tuple, list] = {}

    def _quads(self, s, p, o):
        to = self.d.to_ox
        return self.d.store.quads_for_pattern(None if s is None else to(s), None if p is None else to(p),
                                              None if o is None else to(o), self.d.ox.DefaultGraph())

    def objects(self, subject=None, predicate=None):
        key = (subject, predicate, None)
        if key not in self._cache:  # the navigator asks the same questions about a row again and again
            self._cache[key] = [self.d.term(quad.object) for quad in self._quads(subject, predicate, None)]
        return iter(self._cache[key])

    def subjects(self, predicate=None, object=None):
        key = (None, predicate, object)
        if key not in self._cache:
            self._cache[key] = [self.d.term(quad.subject) for quad in self._quads(None, predicate, object)]
        return iter(self._cache[key])

    def value(self, subject=None, predicate=None, object=None):
        found = self.objects(subject, predicate) if object is None else self.subjects(predicate, object)
        return next(iter(found), None)

    def transitive_subjects(self, predicate, object):
        seen, todo = [], [object]
        while todo:
            node = todo.pop()
            if node in seen:
                continue
            seen.append(node)
            todo.extend(self.subjects(predicate, node))
        return iter(seen)

    def __len__(self) -> int:
        return len(self.d.store)


class _OxigraphValidator:
    """The shapes compiled to SPARQL and run on Oxigraph, with pySHACL's semantics (inference none).

    - Focus nodes: sh:targetClass as `?this rdf:type/rdfs:subClassOf* C` (pySHACL follows rdfs:subClassOf in
      the data graph the same way); the value nodes of a property shape: `?this PATH ?value`.
    - sh:minCount / sh:maxCount: one GROUP BY query per shape counting distinct value nodes; sh:uniqueLang:
      one GROUP BY on the lower-case language; sh:class: a FILTER NOT EXISTS query. sh:datatype, sh:pattern,
      sh:minLength, sh:min/maxInclusive, sh:languageIn: checked in Python by the rules pySHACL applies (rdflib
      literals, Python regular expressions), on the distinct value nodes SPARQL cannot already clear. sh:or,
      sh:node: the nested shapes are run on the value nodes; a value fails when it does not conform.
    - SHACL-SPARQL: the SELECT runs once as a subquery joined with the focus nodes ($this and ?this are the
      same variable). That equals pySHACL's pre-binding when $this is bound by a triple pattern of the query
      and used in no expression of a nested group (checked on the parsed query); other queries run once per
      focus node with $this substituted (SEP-0007 pre-binding), which is exact but slower.
    The findings are made as `_findings` makes them from pySHACL's report; the report graph only when asked."""

    def __init__(self, shapes: Graph, shapes_dir: Path, data: _OxData):
        from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS

        self.sg, self.dir, self.d = shapes, shapes_dir, data
        self.known_parameters = set(ALL_CONSTRAINT_PARAMETERS)
        # (focus, path, value, component, shape) -> (focus, path, value, component, shape, severity, constraint)
        self.results: dict[tuple, tuple] = {}
        self._names = iter(range(10 ** 9))

    def fail(self, reason: str) -> CchcError:
        return CchcError(f"shapes in {self.dir}: {reason}")

    def var(self) -> str:
        return f"?v{next(self._names)}"

    # ------------------------------------------------------------------ running
    def run(self) -> ValidationOutcome:
        try:
            targeted = self.targeted_shapes()
            for shape, focus in targeted:
                for result in self.evaluate(shape, focus):
                    self.record(*result)
        except SyntaxError as exc:  # Oxigraph refuses a query (a broken sh:select)
            raise self.fail(f"cannot validate: SyntaxError: {exc}") from None
        return ValidationOutcome(not self.results, self.findings(), self.report, _StoreView(self.d), self.sg)

    def findings(self) -> list[Finding]:
        """As `_findings` makes them from pySHACL's report: one per (focus, path, value, component, shape)."""
        found: dict[tuple, Finding] = {}
        texts: dict = {}
        for focus, path, value, component, shape, severity, constraint in self.results.values():
            if path is not None and path not in texts:
                texts[path] = path_to_sparql(self.sg, path)
            finding = Finding(focus, path, texts.get(path), value, component, shape,
                              SEVERITIES.get(severity, "violation"),
                              tuple(sorted((m.language or "", str(m)) for m in self.messages(shape, constraint))))
            found.setdefault((focus, finding.path_text, value, component, shape), finding)
        return sorted(found.values(), key=_finding_order)

    def messages(self, shape, constraint) -> list[Literal]:
        messages = [m for m in self.sg.objects(shape, SH.message) if isinstance(m, Literal)]
        if not messages and constraint is not None:  # pySHACL drops their language tags (see _restore_messages)
            messages = [Literal(str(m)) for m in self.sg.objects(constraint, SH.message) if isinstance(m, Literal)]
        return messages

    def record(self, focus, path, value, component, shape, severity, constraint=None) -> None:
        key = (focus, path, value, component, shape)
        self.results.setdefault(key, (focus, path, value, component, shape, severity, constraint))

    def targeted_shapes(self) -> list[tuple[Node, Callable[[str], str]]]:
        sg, targets = self.sg, {}
        for prop in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf):
            for shape, target in sg.subject_objects(prop):
                targets.setdefault(shape, []).append((prop, target))
        for cls in (RDFS.Class, URIRef("http://www.w3.org/2002/07/owl#Class")):  # implicit class targets
            for shape in sg.subjects(RDF.type, cls):
                if (shape, RDF.type, SH.NodeShape) in sg or (shape, RDF.type, SH.PropertyShape) in sg:
                    targets.setdefault(shape, []).append((SH.targetClass, shape))
        return [(shape, self.target_focus(found)) for shape, found in sorted(targets.items(), key=lambda i: str(i[0]))]

    def target_focus(self, targets: list[tuple]):
        def focus(var: str) -> str:
            parts = []
            for prop, target in targets:
                node = str(self.d.to_ox(target))
                if prop == SH.targetClass:
                    parts.append(f"{var} rdf:type/rdfs:subClassOf* {node} .")
                elif prop == SH.targetNode:
                    parts.append(f"VALUES {var} {{ {node} }}")
                elif prop == SH.targetSubjectsOf:
                    parts.append(f"{var} {node} {self.var()} .")
                else:
                    parts.append(f"{self.var()} {node} {var} .")
            body = parts[0] if len(parts) == 1 else "{ " + " } UNION { ".join(parts) + " }"
            return f"{{ SELECT DISTINCT {var} WHERE {{ {body} }} }}"
        return focus

    # ------------------------------------------------------------------ one shape
    def evaluate(self, shape: Node, focus) -> list[tuple]:
        """The results of `shape` on the focus nodes `focus(var)` (a SPARQL group binding var)."""
        sg = self.sg
        deactivated = sg.value(shape, SH.deactivated)
        if isinstance(deactivated, Literal) and deactivated.toPython() is True:
            return []
        parameters = set(sg.predicates(shape))
        unsupported = (parameters & self.known_parameters) - _OX_SUPPORTED
        if unsupported:
            names = ", ".join(sorted(f"sh:{str(p)[len(str(SH)):]}" for p in unsupported))
            raise self.fail(f"{names} in {shape} is not supported by the oxigraph engine; use --engine pyshacl")
        path = sg.value(shape, SH.path)
        if path is None and (shape, RDF.type, SH.PropertyShape) in sg:
            raise self.fail(f"property shape {shape} has no sh:path")
        severity = sg.value(shape, SH.severity) or SH.Violation
        sparql_path = path_to_sparql(sg, path) if path is not None else None
        results: list[tuple] = []

        def add(focus_node, value, param, constraint=None):
            results.append((focus_node, path, value, _COMPONENT[param], shape, severity, constraint))

        if path is not None:
            def values(this: str, value: str) -> str:
                return f"{focus(this)} {this} {sparql_path} {value} ."

            def value_focus(var: str) -> str:
                inner = self.var()
                return f"{{ SELECT DISTINCT {var} WHERE {{ {focus(inner)} {inner} {sparql_path} {var} . }} }}"
        else:
            def values(this: str, value: str) -> str:
                return f"{focus(this)} BIND({this} AS {value})"
            value_focus = focus

        def pairs_with(bad: dict) -> list[tuple]:
            """(focus, value) of the value nodes in `bad` (Oxigraph terms)."""
            if not bad:
                return []
            ox, select = self.d.ox, f"SELECT DISTINCT ?this ?value WHERE {{ {values('?this', '?value')} }}"
            if len(bad) > 2000 or any(isinstance(v, ox.BlankNode) for v in bad):  # VALUES cannot hold blank nodes
                rows = self.d.store.query(_PREFIXES + select)
                return [(self.d.term(r["this"]), r["value"]) for r in rows if r["value"] in bad]
            found, terms = [], list(bad)
            for start in range(0, len(terms), 500):
                chunk = " ".join(str(v) for v in terms[start:start + 500])
                query = f"SELECT DISTINCT ?this ?value WHERE {{ VALUES ?value {{ {chunk} }} {values('?this', '?value')} }}"
                found += [(self.d.term(r["this"]), r["value"]) for r in self.d.store.query(_PREFIXES + query)]
            return found

        def failing_values(nested: list[Node]) -> dict:
            """The value nodes (Oxigraph terms) that do not conform to any of the nested shapes."""
            failing = None
            for member in nested:
                bad = {self.d.to_ox(r[0]) for r in self.evaluate(member, value_focus)}
                failing = bad if failing is None else failing & bad
            return dict.fromkeys(failing or ())

        # cardinality
        low, high = sg.value(shape, SH.minCount), sg.value(shape, SH.maxCount)
        if path is not None and (low is not None or high is not None):
            low_n, high_n = (int(low) if low is not None else None), (int(high) if high is not None else None)
            count = "COUNT(DISTINCT ?value)"  # HAVING cannot use the alias ?n
            having = " || ".join(x for x in (f"{count} < {low_n}" if low_n else "",
                                             f"{count} > {high_n}" if high_n is not None else "") if x)
            if having:
                query = (f"SELECT ?this (COUNT(DISTINCT ?value) AS ?n) WHERE {{ {focus('?this')} "
                         f"OPTIONAL {{ ?this {sparql_path} ?value }} }} GROUP BY ?this HAVING ({having})")
                for row in self.d.select(_PREFIXES + query):
                    n = int(row["n"])
                    if low_n and n < low_n:
                        add(row["this"], None, SH.minCount)
                    if high_n is not None and n > high_n:
                        add(row["this"], None, SH.maxCount)
        # sh:class
        for cls in sg.objects(shape, SH["class"]):
            query = (f"SELECT DISTINCT ?this ?value WHERE {{ {values('?this', '?value')} "
                     f"FILTER NOT EXISTS {{ ?value rdf:type/rdfs:subClassOf* {self.d.to_ox(cls)} }} }}")
            for row in self.d.select(_PREFIXES + query):
                add(row["this"], row["value"], SH["class"])
        # value checks in Python, on the distinct value nodes that SPARQL cannot already tell are fine
        checks = self.value_checks(shape)
        if checks:
            conditions = [condition for _, _, condition in checks]
            prefilter = f"FILTER(!({' && '.join(conditions)}))" if all(conditions) else ""
            query = f"SELECT DISTINCT ?value WHERE {{ {values('?this', '?value')} {prefilter} }}"
            failing = {}
            for row in self.d.store.query(_PREFIXES + query):
                value = self.d.term(row["value"])
                params = [param for param, check, _ in checks if not check(value)]
                if params:
                    failing[row["value"]] = params
            for this, value in pairs_with(failing):
                for param in failing[value]:
                    add(this, self.d.term(value), param)
        if path is not None and sg.value(shape, SH.uniqueLang) == Literal(True):
            # pySHACL: one result per language (lower case) that two value nodes share
            query = (f"SELECT ?this WHERE {{ {values('?this', '?value')} FILTER(LANG(?value) != \"\") }} "
                     f"GROUP BY ?this (LCASE(LANG(?value))) HAVING (COUNT(DISTINCT ?value) > 1)")
            for row in self.d.select(_PREFIXES + query):
                add(row["this"], None, SH.uniqueLang)
        # sh:or, sh:node: the values that do not conform to the nested shapes
        for alternatives in sg.objects(shape, SH["or"]):
            failing = failing_values(list(Collection(sg, alternatives)))
            for this, value in pairs_with(failing):
                add(this, self.d.term(value), SH["or"])
        for node_shape in sg.objects(shape, SH.node):
            for this, value in pairs_with(failing_values([node_shape])):
                add(this, self.d.term(value), SH.node)
        # nested property shapes: their focus nodes are this shape's value nodes
        for prop in sg.objects(shape, SH.property):
            results.extend(self.evaluate(prop, value_focus))
        # SHACL-SPARQL
        for constraint in sg.objects(shape, SH.sparql):
            results.extend(self.sparql(shape, constraint, path, severity, focus))
        return results

    def value_checks(self, shape: Node) -> list[tuple]:
        """(parameter, check, condition) for the value-type constraints of a shape: `check` is the rule pySHACL
        applies to an rdflib value node (pyshacl/constraints/core/*.py); `condition` a SPARQL expression on
        ?value that is true only for values the check accepts (None when there is none), so those values
        need not be brought into Python."""
        import re

        from pyshacl.rdfutil.compare import compare_literal

        sg, checks = self.sg, []
        literal_string = f"isLiteral(?value) && (DATATYPE(?value) = <{_XSD_STRING}> || LANG(?value) != \"\")"
        for datatype in sg.objects(shape, SH.datatype):
            condition = {_XSD_STRING: f"(isLiteral(?value) && DATATYPE(?value) = <{_XSD_STRING}>)",
                         _LANG_STRING: "(isLiteral(?value) && LANG(?value) != \"\")"}.get(str(datatype))
            checks.append((SH.datatype, lambda v, d=datatype: _datatype_ok(v, d), condition))
        flags = sg.value(shape, SH.flags)
        re_flags = 0
        if flags is not None:
            re_flags |= (re.I if "i" in str(flags).lower() else 0) | (re.M if "m" in str(flags).lower() else 0)
        for pattern in sg.objects(shape, SH.pattern):
            text = str(pattern.value) if pattern.value is not None and len(pattern.value) > 1 else str(pattern)
            matcher = re.compile(text, re_flags)
            checks.append((SH.pattern, lambda v, m=matcher: not isinstance(v, BNode) and m.search(_string(v)) is not None,
                           None))
        for minimum in list(sg.objects(shape, SH.minLength))[:1]:
            n = int(minimum)
            checks.append((SH.minLength, lambda v, n=n: n == 0 or (not isinstance(v, BNode) and len(_string(v)) >= n),
                           "true" if n == 0 else f"({literal_string} && STRLEN(?value) >= {n})"))
        for param, ok in ((SH.minInclusive, lambda c: c >= 0), (SH.maxInclusive, lambda c: c <= 0)):
            for bound in sg.objects(shape, param):
                def check(v, b=bound, ok=ok):
                    if not isinstance(v, Literal) or isinstance(v.value, str) != isinstance(b.value, str):
                        return False
                    try:
                        return ok(compare_literal(v, b))
                    except (TypeError, NotImplementedError):
                        return False
                checks.append((param, check, None))
        for languages in list(sg.objects(shape, SH.languageIn))[:1]:
            wanted = {str(lang).lower() for lang in Collection(sg, languages)}
            checks.append((SH.languageIn, lambda v, w=wanted: isinstance(v, Literal) and bool(v.language) and (
                "*" in w or v.language.lower() in w or v.language.split("-")[0].lower() in w), None))
        return checks

    # ------------------------------------------------------------------ SHACL-SPARQL
    def sparql(self, shape, constraint, path, severity, focus) -> list[tuple]:
        import re

        sg = self.sg
        deactivated = sg.value(constraint, SH.deactivated)
        if isinstance(deactivated, Literal) and deactivated.toPython() is True:
            return []
        select = sg.value(constraint, SH.select)
        if select is None:
            raise self.fail(f"the SPARQL constraint of {shape} has no sh:select")
        text = str(select)
        if re.search(r"[\$\?]shapesGraph\b", text):
            raise self.fail(f"$shapesGraph in {shape} is not supported")
        if re.search(r"[\$\?]failure\b", text):
            raise self.fail(f"?failure in {shape} is not supported by the oxigraph engine; use --engine pyshacl")
        if re.search(r"[\$\?]currentShape\b", text):
            if not isinstance(shape, URIRef):
                raise self.fail(f"$currentShape in the blank-node shape {shape} is not supported")
            text = re.sub(r"([\s{}()])[\$\?]currentShape\b", lambda m: f"{m.group(1)}<{shape}>", text)
        if path is not None:
            text = re.sub(r"([\s{}()])[\$\?]PATH\b", lambda m: m.group(1) + path_to_sparql(sg, path), text)
        prefixes = "".join(f"PREFIX {sg.value(d, SH.prefix)}: <{sg.value(d, SH.namespace)}>\n"
                           for holder in sg.objects(constraint, SH.prefixes) for d in sg.objects(holder, SH.declare))
        try:
            join = _join_is_prebinding(prefixes + text)
        except Exception as exc:
            raise self.fail(f"cannot validate: {type(exc).__name__}: {exc}") from None
        rows: list[dict] = []
        if join:
            query = f"SELECT ?this ?value ?path WHERE {{ {focus('?this')} {{ {text} }} }}"
            rows = list(self.d.select(_PREFIXES + prefixes + query))
        else:
            from pyoxigraph import Variable
            this_var = Variable("this")
            for row in self.d.select(_PREFIXES + f"SELECT ?this WHERE {{ {focus('?this')} }}"):
                node = row["this"]
                for found in self.d.select(prefixes + text, substitutions={this_var: self.d.to_ox(node)}):
                    rows.append({"this": node} | found)
        results = []
        for row in rows:
            this = row["this"]
            value = row.get("value", None if path is not None else this)
            result_path = row.get("path", path)
            results.append((this, result_path, value, SH.SPARQLConstraintComponent, shape, severity, constraint))
        return results

    # ------------------------------------------------------------------ the report
    def report(self) -> Graph:
        sg, report = self.sg, Graph()
        bind_prefixes(report)
        report.bind("sh", SH)
        report.bind("cchcsh", SHAPES_NS)
        root = BNode()
        report.add((root, RDF.type, SH.ValidationReport))
        report.add((root, SH.conforms, Literal(not self.results)))
        copied: set = set()

        def copy(node):  # a complex path of the shapes graph into the report, with the same blank nodes
            if isinstance(node, BNode) and node not in copied:
                copied.add(node)
                for p, o in sg.predicate_objects(node):
                    report.add((node, p, copy(o)))
            return node

        for focus, path, value, component, shape, severity, constraint in self.results.values():
            result = BNode()
            report.add((root, SH.result, result))
            report.add((result, RDF.type, SH.ValidationResult))
            report.add((result, SH.focusNode, focus))
            if path is not None:
                report.add((result, SH.resultPath, copy(path)))
            if value is not None:
                report.add((result, SH.value, value))
            report.add((result, SH.sourceConstraintComponent, component))
            report.add((result, SH.sourceShape, shape))
            report.add((result, SH.resultSeverity, severity))
            if constraint is not None:
                report.add((result, SH.sourceConstraint, constraint))
            for message in self.messages(shape, constraint) or [Literal(f"{str(component)[len(str(SH)):]} not met")]:
                report.add((result, SH.resultMessage, message))
        return report


def _string(v) -> str:
    """The string pySHACL matches a pattern or a length against (value_node_to_string)."""
    if isinstance(v, Literal) and v.value is not None and v.datatype in (None, RDF.langString, SH_XSD_STRING):
        return str(v.value)
    return str(v)


def _datatype_ok(v, datatype) -> bool:
    """pySHACL's sh:datatype rule (DatatypeConstraintComponent.evaluate)."""
    import datetime
    from decimal import Decimal

    if not isinstance(v, Literal):
        return False
    if v.datatype == datatype:
        if getattr(v, "ill_typed", None) is True:
            return False
    elif datatype == RDFS.Literal:
        return True
    elif datatype == RDFS.Datatype and v.datatype:
        return True
    elif not (v.datatype is None and v.language is None and datatype == SH_XSD_STRING) and not (
            datatype == RDF.langString and v.language):
        return False
    kinds = {_XSD_STRING: (str, bytes), _LANG_STRING: (str, bytes), _XSD + "integer": int, _XSD + "float": float,
             _XSD + "decimal": Decimal, _XSD + "boolean": bool, _XSD + "date": datetime.date,
             _XSD + "time": datetime.time, _XSD + "dateTime": datetime.datetime}
    kind = kinds.get(str(datatype))
    return kind is None or isinstance(v.value, kind)


@lru_cache(maxsize=256)
def _join_is_prebinding(query: str) -> bool:
    """Whether joining the query's solutions with the focus nodes gives what pre-binding $this gives: the
    query projects ?this, binds it by a triple pattern of its top-level group, and uses it in no expression
    of a nested group (where a join would see it unbound). Conservative: anything else is run per focus node.
    The query is parsed by rdflib, as pySHACL parses it."""
    from rdflib.plugins.sparql import prepareQuery
    from rdflib.term import Variable

    algebra = prepareQuery(query).algebra

    this = Variable("this")

    def mentions(obj) -> bool:
        if obj is this:
            return True
        if isinstance(obj, Variable):
            return obj == this
        if isinstance(obj, dict):  # rdflib CompValue
            return any(mentions(v) for k, v in obj.items() if k != "_vars")
        if isinstance(obj, (list, tuple, set)):
            return any(mentions(v) for v in obj)
        return False

    def bound(node) -> bool:  # ?this bound in every solution by a required triple pattern
        name = getattr(node, "name", None)
        if name == "BGP":
            return any(this in triple for triple in node.triples)
        if name == "Join":
            return bound(node.p1) or bound(node.p2)
        if name in ("LeftJoin",):
            return bound(node.p1)
        if name in ("Filter", "Extend", "Distinct", "Reduced", "Slice", "OrderBy", "ToMultiSet"):
            return bound(node.p) and not (name == "Extend" and node.var == this)
        if name == "Project":
            return this in node.PV and bound(node.p)
        return False

    def nested_ok(node) -> bool:  # ?this in triple patterns only, below the top-level group
        name = getattr(node, "name", None)
        if name == "BGP":
            return True
        if name == "Join":
            return nested_ok(node.p1) and nested_ok(node.p2)
        if name == "LeftJoin":
            return nested_ok(node.p1) and nested_ok(node.p2) and not mentions(node.get("expr"))
        if name == "Union":
            return nested_ok(node.p1) and nested_ok(node.p2)
        if name in ("Filter", "Extend"):
            return nested_ok(node.p) and not mentions(node.expr) and node.get("var") != this
        if name in ("ToMultiSet", "Distinct", "Reduced"):
            return nested_ok(node.p)
        if name == "Project":  # a subquery
            return (this in node.PV and nested_ok(node.p)) or not mentions(node.p)
        return not mentions(node)

    node = algebra.p
    while getattr(node, "name", None) in ("Distinct", "Reduced", "Slice", "OrderBy", "Project"):
        if node.name == "Project" and this not in node.PV:
            return False
        node = node.p
    while getattr(node, "name", None) in ("Filter", "Extend"):  # the top-level group's FILTERs and BINDs
        if node.name == "Extend" and node.var == this:
            return False
        node = node.p
    return bound(node) and nested_ok(node)



# ---------------------------------------------------------------------------------------------- rendering

def render_report(outcome: ValidationOutcome, lang: str = "vi", fmt: str = "text") -> str:
    """text: findings grouped by table row, in `lang`; turtle: the SHACL validation report;
    json: {"conforms", "counts", "results": [...]} with one object per result (see README)."""
    if lang not in LANGS:
        raise CchcError(f"unknown report language {lang!r}; choose vi or en")
    if fmt == "turtle":
        return outcome.report.serialize(format="turtle")
    if fmt == "json":
        return _render_json(outcome, lang)
    if fmt == "text":
        return _render_text(outcome, lang)
    raise CchcError(f"unknown report format {fmt!r}; choose text, turtle or json")


@dataclass(frozen=True)
class _Group:
    node: Node
    kind: str  # plan, area, objective, task, activity, row, document, agency, group, concept, node
    sort_key: tuple


class _Navigator:
    """Finds the table row (or other owner) of a node and describes it, by walking the graph."""

    STRUCTURE = {CCHC.PlanRow: "row", CCHC.Activity: "activity", CCHC.Task: "task", CCHC.Objective: "objective",
                 CCHC.PlanArea: "area", CCHC.ReformPlan: "plan", CCHC.AgencyGroup: "group", CCHC.Agency: "agency"}
    LEVEL = {"objective": 0, "task": 1, "activity": 2, "row": 3}

    def __init__(self, data: Graph, lang: str):
        self.g, self.lang, self.w = data, lang, WORDS[lang]
        self.documents = set(self._instances(CCHC.LegalDocument))
        self.concepts = set(self._instances(SKOS.Concept)) | set(self._instances(CCHC.ReformArea))

    def value(self, subject: Node | None, prop: URIRef, obj: Node | None = None) -> Node | None:
        """Like Graph.value, but the same choice whatever the store's order when there are several (a
        timeframe shared by two rows, a row with two ids): the least by text."""
        found = self.g.subjects(prop, obj) if subject is None else self.g.objects(subject, prop)
        return min(found, key=str, default=None)

    def _instances(self, cls: URIRef) -> Iterable[Node]:
        classes = set(self.g.transitive_subjects(RDFS.subClassOf, cls))
        for c in classes:
            yield from self.g.subjects(RDF.type, c)

    def kind(self, node: Node) -> str | None:
        types = set(self.g.objects(node, RDF.type))
        for cls, kind in self.STRUCTURE.items():
            if cls in types:
                return kind
        if node in self.documents:
            return "document"
        if node in self.concepts:
            return "concept"
        return None

    def owner(self, node: Node) -> Node:
        """The row, objective, task, activity, area, plan, document or agency a node belongs to: a product
        to its row, a timeframe to its row, a citation to the element whose cell it is in."""
        seen = set()
        while self.kind(node) is None and node not in seen:
            seen.add(node)
            parent = (self.value(None, CCHC.hasProduct, node) or self.value(None, CCHC.timeframe, node)
                      or self.value(None, CCHC.hasCitation, node))
            if parent is None:
                break
            node = parent
        return node

    def group(self, node: Node) -> _Group:
        owner = self.owner(node)
        kind = self.kind(owner) or "node"
        if kind in self.LEVEL:
            positions = [self.int(r, CCHC.position) for r in self.rows_under(owner)] or [10 ** 6]
            key = (2, min(positions), self.LEVEL[kind], str(owner))
        elif kind == "plan":
            key = (0, str(owner))
        elif kind == "area":
            key = (1, self.int(owner, CCHC.position), str(owner))
        else:
            key = ({"document": 3, "agency": 4, "group": 4, "concept": 5}.get(kind, 6), self.name(owner))
        return _Group(owner, kind, key)

    # ------------------------------------------------------------------ structure
    def int(self, node: Node, prop: URIRef) -> int:
        value = self.value(node, prop)
        try:
            return int(value)
        except (TypeError, ValueError):
            return 10 ** 6

    def rows_under(self, node: Node) -> list[Node]:
        if self.kind(node) == "row":
            return [node]
        rows: list[Node] = []
        for prop in (CCHC.hasTask, CCHC.hasActivity, CCHC.hasRow):
            for child in self.g.objects(node, prop):
                rows.extend(self.rows_under(child))
        return sorted(set(rows), key=lambda r: self.int(r, CCHC.position))

    def parent(self, node: Node, *props: URIRef) -> Node | None:
        for prop in props:
            parent = self.value(None, prop, node)
            if parent is not None:
                return parent
        return None

    def area_of(self, node: Node) -> Node | None:
        while node is not None and self.kind(node) != "area":
            node = self.parent(node, CCHC.hasRow, CCHC.hasActivity, CCHC.hasTask, CCHC.hasObjective)
        return node

    def objective_of(self, node: Node) -> Node | None:
        while node is not None and self.kind(node) != "objective":
            node = self.parent(node, CCHC.hasRow, CCHC.hasActivity, CCHC.hasTask)
        return node

    # ------------------------------------------------------------------ text
    def label(self, node: Node, *props: URIRef) -> str | None:
        """The first value of props in the report language, else in any language."""
        for prop in props:
            values = sorted((v for v in self.g.objects(node, prop) if isinstance(v, Literal)), key=str)
            for wanted in (self.lang, "vi", None):
                for value in values:
                    if wanted is None or value.language == wanted:
                        return str(value)
        return None

    def name(self, node: Node) -> str:
        return (self.label(node, CCHC.verbatimText, ELI.id_local, SKOS.prefLabel, RDFS.label, DCTERMS.title)
                or self.compact(node))

    def compact(self, node: Node) -> str:
        if isinstance(node, URIRef):
            try:
                return self.g.namespace_manager.normalizeUri(node)
            except Exception:  # pragma: no cover - rdflib refuses some IRIs
                return f"<{node}>"
        return str(node)

    def area_heading(self, area: Node | None) -> str:
        if area is None:
            return "?"
        number = self.label(area, CCHC.areaNumber) or "?"
        # Vietnamese: the title as the plan prints it; English: the reform area's English label.
        concept = self.value(area, CCHC.reformArea)
        title = self.label(area, CCHC.verbatimText) if self.lang == "vi" else None
        title = title or (self.label(concept, SKOS.prefLabel) if concept is not None else None)
        return f"{number} ({title})" if title else number

    def date(self, value: Literal) -> str:
        day = value.toPython() if isinstance(value, Literal) else None
        if not hasattr(day, "strftime"):
            return str(value)
        return f"{day.day:02d}/{day.month:02d}/{day.year}" if self.lang == "vi" else day.isoformat()

    def row_range(self, node: Node) -> str:
        ids = [self.label(r, CCHC.rowId) or "?" for r in self.rows_under(node)]
        if not ids:
            return ""
        span = ids[0] if len(ids) == 1 else f"{ids[0]}…{ids[-1]}"
        return f" ({self.w['rows']} {span})"

    def heading(self, group: _Group) -> list[str]:
        w, node = self.w, group.node
        if group.kind == "row":
            row_id = self.label(node, CCHC.rowId) or self.compact(node)
            lines = [f"{w['row']} {row_id} — {w['area']} {self.area_heading(self.area_of(node))}"]
            parent = self.parent(node, CCHC.hasRow)
            parent_kind = "activity" if self.kind(parent) == "activity" else "task"
            if parent is not None:
                lines.append(f"  {w[parent_kind]}: {shorten(self.label(parent, CCHC.verbatimText) or '')}")
            products = sorted(self.g.objects(node, CCHC.hasProduct), key=lambda p: (self.int(p, CCHC.position), str(p)))
            text = " ".join(self.label(p, CCHC.verbatimText) or "" for p in products) or w["no_product"]
            lines.append(f"  {w['product']}: {shorten(text)}")
            return lines
        if group.kind in ("objective", "task", "activity"):
            area = self.label(self.area_of(node), CCHC.areaNumber) or "?"
            if group.kind == "objective":
                title = f"{w['objective']} {self.label(node, CCHC.objectiveNumber) or '?'} — {w['of_area']} {area}"
            else:
                objective = self.objective_of(node)
                number = self.label(objective, CCHC.objectiveNumber) if objective is not None else "?"
                title = f"{w[group.kind]} — {w['of_area']} {area}, {w['objective_no']} {number}"
            return [title + self.row_range(node), f"  {shorten(self.label(node, CCHC.verbatimText) or '')}"]
        if group.kind == "area":
            return [f"{w['area'].capitalize()} {self.area_heading(node)}"]
        if group.kind == "plan":
            plan_id = str(node).rsplit("/", 1)[-1]
            return [f"{w['plan']} {plan_id}: {self.label(node, DCTERMS.title) or ''}".rstrip(": ")]
        if group.kind == "document":
            number = self.label(node, ELI.id_local) or self.compact(node)
            kind = self.label(node, CCHC.documentType)
            date = self.value(node, ELI.date_document)
            details = ", ".join(x for x in (kind, f"{w['dated']} {self.date(date)}" if date is not None else None) if x)
            return [f"{w['document']} {number}" + (f" ({details})" if details else "")]
        if group.kind in ("agency", "group"):
            return [f"{w[group.kind]}: {self.label(node, SKOS.prefLabel) or self.compact(node)}"]
        if group.kind == "concept":
            return [f"{w['concept']}: {self.label(node, SKOS.prefLabel) or self.compact(node)}"]
        return [f"{w['node']} {self.compact(node)}"]

    def value_text(self, finding: Finding, group: _Group) -> str:
        """The value at fault, verbatim: the result's sh:value (a node is shown by its verbatim text or
        label); with no sh:value, the verbatim text of the focus node when it is a part of the group's node
        (a timeframe, citation, product), else '(empty)': the required value is missing."""
        value = finding.value
        if value is None:
            if finding.focus != group.node:
                text = self.label(finding.focus, CCHC.verbatimText)
                if text is not None:
                    return f"«{text}»"
            return self.w["empty"]
        if isinstance(value, Literal):
            return f"«{value}»"
        return f"«{self.name(value)}»"


def shorten(text: str, limit: int = SHORTEN) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _grouped(outcome: ValidationOutcome, nav: _Navigator) -> list[tuple[_Group, list[Finding]]]:
    groups: dict[Node, tuple[_Group, list[Finding]]] = {}
    for finding in outcome.findings:
        group = nav.group(finding.focus)
        groups.setdefault(group.node, (group, []))[1].append(finding)
    return sorted(groups.values(), key=lambda pair: pair[0].sort_key)


@dataclass(frozen=True)
class FindingGroup:
    """The findings about one table row (or other owner), as the text report and the web page show them."""
    node: Node
    kind: str  # row, objective, task, activity, area, plan, document, agency, group, concept, node
    heading: tuple[str, ...]  # the lines that say which row it is
    findings: tuple[tuple[str, str, str, str], ...]  # (severity, message, value at fault, shape), worst first


def grouped_findings(outcome: ValidationOutcome, lang: str) -> list[FindingGroup]:
    """The findings grouped by table row (or other owner), in table order, in `lang`."""
    nav = _Navigator(outcome.data, lang)
    groups = []
    for group, findings in _grouped(outcome, nav):
        lines = []
        for finding in sorted(findings, key=lambda f: (-RANK[f.severity], str(f.shape), str(f.focus), str(f.value),
                                                          str(f.component), f.messages)):
            shape = nav.compact(finding.shape) if isinstance(finding.shape, URIRef) else ""
            lines.append((finding.severity, finding.message(lang), nav.value_text(finding, group), shape))
        groups.append(FindingGroup(group.node, group.kind, tuple(nav.heading(group)), tuple(lines)))
    return groups


def _render_text(outcome: ValidationOutcome, lang: str) -> str:
    w = WORDS[lang]
    counts = outcome.counts()
    grouped = grouped_findings(outcome, lang)
    lines = [w["title"], ""]
    if not outcome.findings:
        lines += [w["clean"], ""]
    else:
        lines += [w["findings"].format(n=len(outcome.findings), g=len(grouped)), ""]
    for group in grouped:
        lines += group.heading
        for severity, message, value, shape in group.findings:
            lines.append(f"  [{w[severity]}] {message}")
            lines.append(f"      {w['value']}: {value}" + (f"  ({shape})" if shape else ""))
        lines.append("")
    lines.append(w["total"].format(**counts))
    return "\n".join(lines) + "\n"


def _render_json(outcome: ValidationOutcome, lang: str) -> str:
    nav = _Navigator(outcome.data, lang)
    results = []
    for finding in outcome.findings:
        group = nav.group(finding.focus)
        value = finding.value
        results.append({
            "focus_node": str(finding.focus),
            # a predicate path as its IRI; a complex path as a SPARQL property path with <full IRIs>
            "result_path": str(finding.path) if isinstance(finding.path, URIRef) else finding.path_text,
            "value": None if value is None else str(value),
            "value_kind": None if value is None else ("literal" if isinstance(value, Literal) else "iri"
                                                      if isinstance(value, URIRef) else "blank"),
            "constraint_component": str(finding.component),
            "source_shape": str(finding.shape) if not isinstance(finding.shape, BNode) else None,
            "severity": finding.severity,
            "message": finding.message(lang),
            "row_id": nav.label(group.node, CCHC.rowId) if group.kind == "row" else None,
        })
    document = {"conforms": outcome.conforms, "counts": outcome.counts(), "results": results}
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"
