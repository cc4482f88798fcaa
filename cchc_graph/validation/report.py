"""The report people read: findings grouped by table row (Vietnamese or English), or the machine-readable SHACL
report (Turtle, or a JSON list of results).

Findings are grouped by table row: a product, a timeframe or a citation belongs to the row it is part of;
objectives, tasks, activities, area sections, the plan, legal documents and agencies get groups of their
own. The graph is navigated with rdflib, never by pasting text into SPARQL.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Iterable

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from ..errors import CchcError
from ..namespaces import CCHC, DCTERMS, ELI, RDF, RDFS, SKOS
from .outcome import RANK, Finding, ValidationOutcome

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


@dataclass(frozen=True)
class Placement:
    """Where one finding goes in the reports, in one language: the row (or other owner) it is shown under and
    the texts read from the data graph for it. Made from the data (`placements`), or kept from an earlier run
    (the findings cache of a store: store_validation.py), which gives the same report without the data."""
    group: Node
    kind: str
    sort_key: tuple
    heading: tuple[str, ...]  # empty when not asked for (the JSON report needs none)
    value_text: str
    shape_text: str
    row_id: str | None


def placements(data: Graph, findings: list[Finding], lang: str, headings: bool = True) -> list[Placement]:
    """The placement of each finding, in order, read from `data` (the graph that was validated)."""
    nav = _Navigator(data, lang)
    groups: dict[Node, tuple] = {}
    placed = []
    for finding in findings:
        group = nav.group(finding.focus)
        if group.node not in groups:
            groups[group.node] = (group, tuple(nav.heading(group)) if headings else (),
                                  nav.label(group.node, CCHC.rowId) if group.kind == "row" else None)
        group, heading, row_id = groups[group.node]
        shape = nav.compact(finding.shape) if isinstance(finding.shape, URIRef) else ""
        placed.append(Placement(group.node, group.kind, group.sort_key, heading, nav.value_text(finding, group),
                                shape, row_id))
    return placed


def _placements(outcome: ValidationOutcome, lang: str, headings: bool = True) -> list[Placement]:
    if outcome.placed is not None:
        return outcome.placed(lang)
    return placements(outcome.data, outcome.findings, lang, headings)


@dataclass(frozen=True)
class FindingGroup:
    """The findings about one table row (or other owner), as the text report and the web page show them."""
    node: Node
    kind: str  # row, objective, task, activity, area, plan, document, agency, group, concept, node
    heading: tuple[str, ...]  # the lines that say which row it is
    findings: tuple[tuple[str, str, str, str], ...]  # (severity, message, value at fault, shape), worst first


def grouped_findings(outcome: ValidationOutcome, lang: str) -> list[FindingGroup]:
    """The findings grouped by table row (or other owner), in table order, in `lang`."""
    groups: dict[Node, tuple[Placement, list]] = {}
    for finding, place in zip(outcome.findings, _placements(outcome, lang)):
        groups.setdefault(place.group, (place, []))[1].append((finding, place))
    found = []
    for first, members in sorted(groups.values(), key=lambda pair: pair[0].sort_key):
        members.sort(key=lambda pair: (-RANK[pair[0].severity], str(pair[0].shape), str(pair[0].focus),
                                       str(pair[0].value), str(pair[0].component), pair[0].messages))
        lines = tuple((f.severity, f.message(lang), place.value_text, place.shape_text) for f, place in members)
        found.append(FindingGroup(first.group, first.kind, first.heading, lines))
    return found


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
    results = []
    for finding, place in zip(outcome.findings, _placements(outcome, lang, headings=False)):
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
            "row_id": place.row_id,
        })
    document = {"conforms": outcome.conforms, "counts": outcome.counts(), "results": results}
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"
