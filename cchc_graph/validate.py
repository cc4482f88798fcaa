"""SHACL validation of a built graph (pySHACL) and the report people read.

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

Findings are grouped by table row: a product, a timeframe or a citation belongs to the row it is part of;
objectives, tasks, activities, area sections, the plan, legal documents and agencies get groups of their
own. The graph is navigated with rdflib, never by pasting text into SPARQL.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node

from .errors import CchcError
from .namespaces import CCHC, DCTERMS, ELI, RDF, RDFS, SKOS, bind_prefixes
from .reason import load_ontology
from .store import read_graph

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHAPES_DIR = PROJECT_ROOT / "shapes"
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
    report: Graph  # the sh:ValidationReport graph
    data: Graph = field(repr=False)  # what was validated (graph + ontology), for rendering
    shapes: Graph = field(repr=False)

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


def validate_graph(graph: Graph, shapes_dir: Path = SHAPES_DIR, ontology: Graph | None = None) -> ValidationOutcome:
    """Validate `graph` (a built graph) against the shapes of `shapes_dir`, with the ontology.

    Raises CchcError for bad shapes (unreadable Turtle, a shape pySHACL cannot load, broken SPARQL) or
    bad input (not an rdflib graph)."""
    import pyshacl
    from pyshacl.errors import ReportableRuntimeError

    if not isinstance(graph, Graph):
        raise CchcError(f"cannot validate {type(graph).__name__!r}: not an RDF graph")
    shapes = load_shapes(shapes_dir)
    ontology = ontology if ontology is not None else load_ontology()
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
    return sorted(found.values(), key=lambda f: (-RANK[f.severity], str(f.focus), f.path_text or "", str(f.shape),
                                                  str(f.value)))


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
            parent = (self.g.value(None, CCHC.hasProduct, node) or self.g.value(None, CCHC.timeframe, node)
                      or self.g.value(None, CCHC.hasCitation, node))
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
        value = self.g.value(node, prop)
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
            parent = self.g.value(None, prop, node)
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
            values = [v for v in self.g.objects(node, prop) if isinstance(v, Literal)]
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
        concept = self.g.value(area, CCHC.reformArea)
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
            products = sorted(self.g.objects(node, CCHC.hasProduct), key=lambda p: self.int(p, CCHC.position))
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
            date = self.g.value(node, ELI.date_document)
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


def _render_text(outcome: ValidationOutcome, lang: str) -> str:
    w = WORDS[lang]
    nav = _Navigator(outcome.data, lang)
    counts = outcome.counts()
    grouped = _grouped(outcome, nav)
    lines = [w["title"], ""]
    if not outcome.findings:
        lines += [w["clean"], ""]
    else:
        lines += [w["findings"].format(n=len(outcome.findings), g=len(grouped)), ""]
    for group, findings in grouped:
        lines += nav.heading(group)
        for finding in sorted(findings, key=lambda f: (-RANK[f.severity], str(f.shape), str(f.focus), str(f.value))):
            shape = nav.compact(finding.shape) if isinstance(finding.shape, URIRef) else ""
            lines.append(f"  [{w[finding.severity]}] {finding.message(lang)}")
            lines.append(f"      {w['value']}: {nav.value_text(finding, group)}" + (f"  ({shape})" if shape else ""))
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
