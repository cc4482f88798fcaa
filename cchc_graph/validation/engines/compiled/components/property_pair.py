"""Property pair constraint components (SHACL 4.5, https://www.w3.org/TR/shacl/#core-components-property-pairs):
a focus node's value nodes against the values of another of its properties, focus node by focus node."""

from __future__ import annotations

from rdflib.namespace import SH

from .base import Component
from .value_range import ordered


class Equals(Component):
    """SHACL 4.5.1 sh:equals, https://www.w3.org/TR/shacl/#EqualsConstraintComponent: the value nodes are the
    values of the property; each node in one set and not the other is a result."""

    iri, parameters, section = SH.EqualsConstraintComponent, (SH.equals,), "4.5.1"

    def evaluate(self, ctx) -> None:
        for prop in ctx.objects(SH.equals):
            for node, vs in ctx.by_focus.items():
                for value in sorted(set(vs) ^ set(ctx.data_objects(node, prop)), key=str):
                    ctx.add(self.iri, node, ctx.d.term(value))


class Disjoint(Component):
    """SHACL 4.5.2 sh:disjoint, https://www.w3.org/TR/shacl/#DisjointConstraintComponent: no value node is a
    value of the property."""

    iri, parameters, section = SH.DisjointConstraintComponent, (SH.disjoint,), "4.5.2"

    def evaluate(self, ctx) -> None:
        for prop in ctx.objects(SH.disjoint):
            for node, vs in ctx.by_focus.items():
                for value in sorted(set(vs) & set(ctx.data_objects(node, prop)), key=str):
                    ctx.add(self.iri, node, ctx.d.term(value))


class _Ordered(Component):
    def evaluate(self, ctx) -> None:
        for prop in ctx.objects(self.parameters[0]):
            for node, vs in ctx.by_focus.items():
                others = [ctx.d.term(o) for o in ctx.data_objects(node, prop)]
                for value in map(ctx.d.term, vs):
                    if any(not ordered(value, other, self.ok) for other in others):
                        ctx.add(self.iri, node, value)

    @staticmethod
    def ok(comparison: int) -> bool:
        raise NotImplementedError


class LessThan(_Ordered):
    """SHACL 4.5.3 sh:lessThan, https://www.w3.org/TR/shacl/#LessThanConstraintComponent: each value node is
    less than every value of the property (literals of comparable kinds)."""

    iri, parameters, section = SH.LessThanConstraintComponent, (SH.lessThan,), "4.5.3"
    ok = staticmethod(lambda c: c < 0)


class LessThanOrEquals(_Ordered):
    """SHACL 4.5.4 sh:lessThanOrEquals, https://www.w3.org/TR/shacl/#LessThanOrEqualsConstraintComponent: each
    value node is less than or equal to every value of the property."""

    iri, parameters, section = SH.LessThanOrEqualsConstraintComponent, (SH.lessThanOrEquals,), "4.5.4"
    ok = staticmethod(lambda c: c <= 0)
