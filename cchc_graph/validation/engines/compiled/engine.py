"""The compiled engine: targets, the set-wide queries of the components our shapes use, and the report."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node

from ....errors import CchcError
from ....namespaces import RDF, RDFS, bind_prefixes
from ...outcome import SEVERITIES, SHAPES_NS, Finding, ValidationOutcome, finding_order, path_to_sparql
from .data import _COMPONENT, _OX_SUPPORTED, _PREFIXES, _OxData, _StoreView
from .sparql import SparqlComponents
from .value_sets import ValueSetComponents
from .values import ValueChecks


class _OxigraphValidator(ValueChecks, ValueSetComponents, SparqlComponents):
    """The shapes compiled to SPARQL and run on Oxigraph, with pySHACL's semantics (inference none).

    - Focus nodes: sh:targetClass as `?this rdf:type/rdfs:subClassOf* C` (pySHACL follows rdfs:subClassOf in
      the data graph the same way); the value nodes of a property shape: `?this PATH ?value`.
    - sh:minCount / sh:maxCount: one GROUP BY query per shape counting distinct value nodes; sh:uniqueLang:
      one GROUP BY on the lower-case language; sh:class: a FILTER NOT EXISTS query. sh:datatype, sh:pattern,
      sh:minLength, sh:min/maxInclusive, sh:languageIn: checked in Python by the rules pySHACL applies (rdflib
      literals, Python regular expressions), on the distinct value nodes SPARQL cannot already clear. sh:or,
      sh:node: the nested shapes are run on the value nodes; a value fails when it does not conform. The other
      Core components: values.py and value_sets.py.
    - SHACL-SPARQL: the SELECT runs once as a subquery joined with the focus nodes ($this and ?this are the
      same variable). That equals pySHACL's pre-binding when $this is bound by a triple pattern of the query
      and used in no expression of a nested group (checked on the parsed query); other queries run once per
      focus node with $this replaced by the focus node (SHACL's pre-binding, ../../prebinding.py), exact but
      slower; custom constraint components run that way too (sparql.py).
    The findings are made as `findings_of_report` makes them from pySHACL's report; the report graph only when asked."""

    def __init__(self, shapes: Graph, shapes_dir: Path, data: _OxData):
        from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS

        self.sg, self.dir, self.d = shapes, shapes_dir, data
        self.known_parameters = set(ALL_CONSTRAINT_PARAMETERS)
        # (focus, path, value, component, shape) -> (focus, path, value, component, shape, severity, constraint)
        self.results: dict[tuple, tuple] = {}
        self._names = iter(range(10 ** 9))
        self.components = self.custom_components()
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
        unsupported = (parameters & self.known_parameters) - _OX_SUPPORTED - set(self.components)
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
                # a node shape binds ?value with BIND, which a VALUES before it in the same group must not
                group = values('?this', '?value') if path is not None else f"{{ {values('?this', '?value')} }}"
                query = f"SELECT DISTINCT ?this ?value WHERE {{ VALUES ?value {{ {chunk} }} {group} }}"
                found += [(self.d.term(r["this"]), r["value"]) for r in self.d.store.query(_PREFIXES + query)]
            return found

        def failing_values(nested: list[Node]) -> dict:
            """The value nodes (Oxigraph terms) that do not conform to any of the nested shapes."""
            failing = None
            for member in nested:
                bad = {self.d.to_ox(r[0]) for r in self.evaluate(member, value_focus)}
                failing = bad if failing is None else failing & bad
            return dict.fromkeys(failing or ())

        # 4.2.1 sh:minCount, 4.2.2 sh:maxCount
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
        # 4.1.1 sh:class
        for cls in sg.objects(shape, SH["class"]):
            query = (f"SELECT DISTINCT ?this ?value WHERE {{ {values('?this', '?value')} "
                     f"FILTER NOT EXISTS {{ ?value rdf:type/rdfs:subClassOf* {self.d.to_ox(cls)} }} }}")
            for row in self.d.select(_PREFIXES + query):
                add(row["this"], row["value"], SH["class"])
        # value checks in Python (values.py), on the distinct value nodes that SPARQL cannot already tell are fine
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
            # 4.4.5 sh:uniqueLang (pySHACL: one result per language (lower case) that two value nodes share)
            query = (f"SELECT ?this WHERE {{ {values('?this', '?value')} FILTER(LANG(?value) != \"\") }} "
                     f"GROUP BY ?this (LCASE(LANG(?value))) HAVING (COUNT(DISTINCT ?value) > 1)")
            for row in self.d.select(_PREFIXES + query):
                add(row["this"], None, SH.uniqueLang)
        # 4.6.3 sh:or, 4.7.1 sh:node: the values that do not conform to the nested shapes
        for alternatives in sg.objects(shape, SH["or"]):
            failing = failing_values(list(Collection(sg, alternatives)))
            for this, value in pairs_with(failing):
                add(this, self.d.term(value), SH["or"])
        for node_shape in sg.objects(shape, SH.node):
            for this, value in pairs_with(failing_values([node_shape])):
                add(this, self.d.term(value), SH.node)
        results.extend(self.value_set_components(shape, path, severity, focus, values, value_focus, failing_values))
        # 4.7.2 sh:property: nested property shapes: their focus nodes are this shape's value nodes
        for prop in sg.objects(shape, SH.property):
            results.extend(self.evaluate(prop, value_focus))
        # SHACL-SPARQL (5, 6; sparql.py)
        for constraint in sg.objects(shape, SH.sparql):
            results.extend(self.sparql(shape, constraint, path, severity, focus))
        for component in sorted({c for p in parameters for c in self.components.get(p, ())}, key=str):
            results.extend(self.custom(shape, component, path, severity, focus, values))
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
