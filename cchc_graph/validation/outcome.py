"""The outcome of a validation: its findings (one per SHACL validation result) and the report graph."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node

from ..errors import CchcError
from ..namespaces import RDF

SHAPES_NS = "https://w3id.org/cchc-graph/shapes#"

SEVERITIES = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}
RANK = {"violation": 3, "warning": 2, "info": 1}


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
    # lang -> each finding's placement in the reports (report.Placement), when known without the data (a store's
    # findings cache); None: read from `data`
    placed: Callable[[str], list] | None = field(default=None, repr=False)

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


def findings_of_report(report: Graph) -> list[Finding]:
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
    return sorted(found.values(), key=finding_order)


def finding_order(f: Finding) -> tuple:
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
