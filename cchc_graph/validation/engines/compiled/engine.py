"""The compiled engine: targets, each shape's constraint components (components/) on its focus nodes, and the
report."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from ....errors import CchcError
from ....namespaces import RDF, RDFS, bind_prefixes
from ...outcome import SEVERITIES, SHAPES_NS, Finding, ValidationOutcome, finding_order, path_to_sparql
from .components import SUPPORTED, ValueCheck, check_values, components_for
from .components.sparql import CustomComponent, declared_components
from .context import ShapeContext
from .data import _OxData, _StoreView


class _OxigraphValidator:
    """The shapes compiled to SPARQL and run on Oxigraph, with pySHACL's semantics (inference none).

    - Focus nodes: sh:targetClass as `?this rdf:type/rdfs:subClassOf* C` (pySHACL follows rdfs:subClassOf in
      the data graph the same way), sh:targetNode, sh:targetSubjectsOf, sh:targetObjectsOf, implicit class
      targets; the value nodes of a property shape: `?this PATH ?value`.
    - Each shape's parameters name its constraint components (components.REGISTRY); each component adds its
      results to the shape's context (context.py), on all the focus nodes at once. The rules on single value
      nodes (datatype, ranges, lengths, pattern…) run together on the distinct value nodes SPARQL cannot
      already clear. A parameter of SHACL the registry lacks is refused ("not supported"), never skipped.
    - SHACL-SPARQL and the custom constraint components of the shapes graph: components/sparql.py.
    The findings are made as `findings_of_report` makes them from pySHACL's report; the report graph only when asked."""

    def __init__(self, shapes: Graph, shapes_dir: Path, data: _OxData):
        from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS

        self.sg, self.dir, self.d = shapes, shapes_dir, data
        self.known_parameters = set(ALL_CONSTRAINT_PARAMETERS)
        # (focus, path, value, component, shape) -> (focus, path, value, component, shape, severity, constraint)
        self.results: dict[tuple, tuple] = {}
        self._names = iter(range(10 ** 9))
        self.declared = declared_components(shapes)  # parameter -> custom components (SHACL 6)
        self._shapes_loaded = False
        self._evaluating: list = []  # the shapes being evaluated, nested

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
        """As `findings_of_report` makes them from pySHACL's report: one per (focus, path, value, component, shape)."""
        found: dict[tuple, Finding] = {}
        texts: dict = {}
        for focus, path, value, component, shape, severity, constraint in self.results.values():
            if path is not None and path not in texts:
                texts[path] = path_to_sparql(self.sg, path)
            finding = Finding(focus, path, texts.get(path), value, component, shape,
                              SEVERITIES.get(severity, "violation"),
                              tuple(sorted((m.language or "", str(m)) for m in self.messages(shape, constraint))))
            found.setdefault((focus, finding.path_text, value, component, shape), finding)
        return sorted(found.values(), key=finding_order)

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
        if shape in self._evaluating:  # SHACL leaves the validation of recursive shapes undefined (3.4.3)
            raise self.fail(f"the recursive shape {shape} (it reaches itself through sh:node, sh:property or a "
                            "logical constraint) is not supported")
        self._evaluating.append(shape)
        try:
            return self._evaluate(shape, focus)
        finally:
            self._evaluating.pop()

    def _evaluate(self, shape: Node, focus) -> list[tuple]:
        sg = self.sg
        deactivated = sg.value(shape, SH.deactivated)
        if isinstance(deactivated, Literal) and deactivated.toPython() is True:
            return []
        parameters = set(sg.predicates(shape))
        unsupported = (parameters & self.known_parameters) - SUPPORTED - set(self.declared)
        if unsupported:
            names = ", ".join(sorted(f"sh:{str(p)[len(str(SH)):]}" for p in unsupported))
            raise self.fail(f"{names} in {shape} is not supported by the oxigraph engine; use --engine pyshacl")
        ctx = ShapeContext(self, shape, focus)
        components = components_for(parameters)
        check_values(ctx, [c for c in components if isinstance(c, ValueCheck)])
        for component in components:
            if not isinstance(component, ValueCheck):
                component.evaluate(ctx)
        for custom in sorted({c for p in parameters for c in self.declared.get(p, ())}, key=str):
            CustomComponent(custom).evaluate(ctx)
        return ctx.results

    def shapes_graph(self) -> str:
        """The IRI of the shapes graph in the store (SHACL 5.3.1, $shapesGraph), loaded on first use."""
        name = "urn:x-cchc:shapes-graph"
        if not self.d.own:  # a dataset validated in place is never written to
            raise self.fail("$shapesGraph is not supported when validating a store in place; validate its graph "
                            "file instead")
        if not self._shapes_loaded:
            ox, graph = self.d.ox, self.d.ox.NamedNode(name)
            self.d.store.extend(ox.Quad(self.d.to_ox(s), self.d.to_ox(p), self.d.to_ox(o), graph) for s, p, o in self.sg)
            self._shapes_loaded = True
        return f"<{name}>"

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
