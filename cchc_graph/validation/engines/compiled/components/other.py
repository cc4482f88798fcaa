"""Other constraint components (SHACL 4.8, https://www.w3.org/TR/shacl/#core-components-others)."""

from __future__ import annotations

from rdflib.namespace import SH

from .base import Component, ValueCheck


class Closed(Component):
    """SHACL 4.8.1 sh:closed (with sh:ignoredProperties), https://www.w3.org/TR/shacl/#ClosedConstraintComponent:
    every property of a value node is the sh:path of one of the shape's property shapes, or ignored; each
    other triple is a result whose path is its predicate."""

    iri, parameters, optional, section = SH.ClosedConstraintComponent, (SH.closed,), (SH.ignoredProperties,), "4.8.1"

    def evaluate(self, ctx) -> None:
        if not ctx.is_true(SH.closed):
            return
        allowed = {ctx.sg.value(p, SH.path) for p in ctx.objects(SH.property)}
        for ignored in ctx.objects(SH.ignoredProperties):
            allowed |= set(ctx.members(ignored))
        d = ctx.d
        for node, vs in ctx.by_focus.items():
            for value in vs:
                for triple in d.triples(value, None, None):
                    predicate = d.term(triple.predicate)
                    if predicate not in allowed:
                        ctx.add(self.iri, node, d.term(triple.object), path=predicate)


class HasValue(Component):
    """SHACL 4.8.2 sh:hasValue, https://www.w3.org/TR/shacl/#HasValueConstraintComponent: one of the value
    nodes is the given node; one result per focus node without it."""

    iri, parameters, section = SH.HasValueConstraintComponent, (SH.hasValue,), "4.8.2"

    def evaluate(self, ctx) -> None:
        for wanted in ctx.objects(SH.hasValue):
            for node, vs in ctx.by_focus.items():
                if wanted not in {ctx.d.term(v) for v in vs}:
                    ctx.add(self.iri, node, None)


class In(ValueCheck):
    """SHACL 4.8.3 sh:in, https://www.w3.org/TR/shacl/#InConstraintComponent: each value node is a member of
    the list."""

    iri, parameters, section = SH.InConstraintComponent, (SH["in"],), "4.8.3"

    def checks(self, ctx):
        return [(lambda v, allowed=set(ctx.members(members)): v in allowed, None) for members in ctx.objects(SH["in"])]
