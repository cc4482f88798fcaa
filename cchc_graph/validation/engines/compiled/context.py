"""What every constraint component of one shape reads and writes: the shape's parameters, its focus and value
nodes as SPARQL groups (set-wide, never one query per node unless a component needs it), and its results."""

from __future__ import annotations

from rdflib import Literal
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node

from ....namespaces import RDF
from ...outcome import path_to_sparql
from .data import _PREFIXES

_SHAPE_PATH = object()  # `add`: the result path is the shape's own


class ShapeContext:
    """One shape being evaluated on the focus nodes `focus(var)` (a SPARQL group binding var). The components
    share what it computes once (`cache`, the value nodes by focus node, the nested shapes' failing values)."""

    def __init__(self, engine, shape: Node, focus):
        sg = engine.sg
        self.engine, self.sg, self.d, self.shape, self.focus = engine, sg, engine.d, shape, focus
        self.path = sg.value(shape, SH.path)
        if self.path is None and (shape, RDF.type, SH.PropertyShape) in sg:
            raise engine.fail(f"property shape {shape} has no sh:path")
        self.severity = sg.value(shape, SH.severity) or SH.Violation
        self.sparql_path = path_to_sparql(sg, self.path) if self.path is not None else None
        self.results: list[tuple] = []
        self.cache: dict = {}  # what two components of the shape both need (counts, qualified conformance)
        self._failing: dict = {}
        self._by_focus: dict | None = None

    # ------------------------------------------------------------------ the shape's parameters
    def objects(self, parameter) -> list:
        return list(self.sg.objects(self.shape, parameter))

    def value(self, parameter):
        return self.sg.value(self.shape, parameter)

    def is_true(self, parameter) -> bool:
        value = self.value(parameter)
        return isinstance(value, Literal) and value.toPython() is True

    def members(self, rdf_list) -> list:
        return list(Collection(self.sg, rdf_list))

    def var(self) -> str:
        return self.engine.var()

    def fail(self, reason: str):
        return self.engine.fail(reason)

    # ------------------------------------------------------------------ focus and value nodes in SPARQL
    def values(self, this: str, value: str) -> str:
        """A group binding each focus node (this) to each of its value nodes (value)."""
        if self.path is None:
            return f"{self.focus(this)} BIND({this} AS {value})"
        return f"{self.focus(this)} {this} {self.sparql_path} {value} ."

    def value_focus(self, var: str) -> str:
        """A group binding var to each value node once: the focus nodes of nested shapes."""
        if self.path is None:
            return self.focus(var)
        inner = self.var()
        return f"{{ SELECT DISTINCT {var} WHERE {{ {self.focus(inner)} {inner} {self.sparql_path} {var} . }} }}"

    def select(self, query: str):
        """Rows (rdflib terms) of a query of ours (rdf: and rdfs: declared)."""
        return self.d.select(_PREFIXES + query)

    def solutions(self, query: str):
        """Solutions (Oxigraph terms) of a query of ours."""
        return self.d.query(_PREFIXES + query)

    # ------------------------------------------------------------------ results
    def add(self, component, focus_node, value, path=_SHAPE_PATH, constraint=None) -> None:
        """One validation result of `component` (its IRI) on this shape."""
        path = self.path if path is _SHAPE_PATH else path
        self.results.append((focus_node, path, value, component, self.shape, self.severity, constraint))

    def pairs_with(self, bad: dict) -> list[tuple]:
        """(focus, value) of the value nodes in `bad` (Oxigraph terms)."""
        if not bad:
            return []
        d, select = self.d, f"SELECT DISTINCT ?this ?value WHERE {{ {self.values('?this', '?value')} }}"
        if len(bad) > 2000 or any(isinstance(v, d.ox.BlankNode) for v in bad):  # VALUES cannot hold blank nodes
            return [(d.term(r["this"]), r["value"]) for r in self.solutions(select) if r["value"] in bad]
        found, terms = [], list(bad)
        # a node shape binds ?value with BIND, which a VALUES before it in the same group must not
        group = self.values("?this", "?value") if self.path is not None else f"{{ {self.values('?this', '?value')} }}"
        for start in range(0, len(terms), 500):
            chunk = " ".join(str(v) for v in terms[start:start + 500])
            query = f"SELECT DISTINCT ?this ?value WHERE {{ VALUES ?value {{ {chunk} }} {group} }}"
            found += [(d.term(r["this"]), r["value"]) for r in self.solutions(query)]
        return found

    def failing_values(self, nested: list[Node]) -> dict:
        """The value nodes (Oxigraph terms) that conform to none of the nested shapes (each shape run once)."""
        key = tuple(nested)
        if key not in self._failing:
            failing = None
            for member in nested:
                bad = {self.d.to_ox(r[0]) for r in self.engine.evaluate(member, self.value_focus)}
                failing = bad if failing is None else failing & bad
            self._failing[key] = dict.fromkeys(failing or ())
        return self._failing[key]

    def conforming(self, member: Node) -> set:
        """The value nodes (Oxigraph terms) that conform to the shape `member`."""
        return self.all_values - set(self.failing_values([member]))

    # ------------------------------------------------------------------ value nodes by focus node (per-node components)
    @property
    def by_focus(self) -> dict:
        """focus node (rdflib) -> its value nodes (Oxigraph terms), every focus node present."""
        if self._by_focus is None:
            d = self.d
            by_focus: dict = {row["this"]: [] for row in self.select(
                f"SELECT DISTINCT ?this WHERE {{ {self.focus('?this')} }}")}
            for row in self.solutions(f"SELECT DISTINCT ?this ?value WHERE {{ {self.values('?this', '?value')} }}"):
                by_focus.setdefault(d.term(row["this"]), []).append(row["value"])
            self._by_focus = by_focus
        return self._by_focus

    @property
    def all_values(self) -> set:
        return {v for vs in self.by_focus.values() for v in vs}

    def data_objects(self, node, prop) -> list:
        """The objects (Oxigraph terms) of `node`'s `prop` in the data graph."""
        return [t.object for t in self.d.triples(self.d.to_ox(node), self.d.to_ox(prop), None)]
