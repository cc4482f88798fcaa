"""Logical constraint components (SHACL 4.6, https://www.w3.org/TR/shacl/#core-components-logical): the
conformance of each value node to other shapes, each nested shape run once on all the value nodes."""

from __future__ import annotations

from rdflib.namespace import SH

from .base import Component


class Not(Component):
    """SHACL 4.6.1 sh:not, https://www.w3.org/TR/shacl/#NotConstraintComponent: no value node conforms to the
    shape."""

    iri, parameters, section = SH.NotConstraintComponent, (SH["not"],), "4.6.1"

    def evaluate(self, ctx) -> None:
        for member in ctx.objects(SH["not"]):
            passing = ctx.conforming(member)
            for node, vs in ctx.by_focus.items():
                for value in vs:
                    if value in passing:
                        ctx.add(self.iri, node, ctx.d.term(value))


class And(Component):
    """SHACL 4.6.2 sh:and, https://www.w3.org/TR/shacl/#AndConstraintComponent: each value node conforms to
    every shape of the list."""

    iri, parameters, section = SH.AndConstraintComponent, (SH["and"],), "4.6.2"

    def evaluate(self, ctx) -> None:
        for members in ctx.objects(SH["and"]):
            passing = [ctx.conforming(m) for m in ctx.members(members)]
            for node, vs in ctx.by_focus.items():
                for value in vs:
                    if not all(value in p for p in passing):
                        ctx.add(self.iri, node, ctx.d.term(value))


class Or(Component):
    """SHACL 4.6.3 sh:or, https://www.w3.org/TR/shacl/#OrConstraintComponent: each value node conforms to at
    least one shape of the list. Set-wide: the value nodes that fail every alternative, then their focus nodes."""

    iri, parameters, section = SH.OrConstraintComponent, (SH["or"],), "4.6.3"

    def evaluate(self, ctx) -> None:
        for alternatives in ctx.objects(SH["or"]):
            for this, value in ctx.pairs_with(ctx.failing_values(ctx.members(alternatives))):
                ctx.add(self.iri, this, ctx.d.term(value))


class Xone(Component):
    """SHACL 4.6.4 sh:xone, https://www.w3.org/TR/shacl/#XoneConstraintComponent: each value node conforms to
    exactly one shape of the list."""

    iri, parameters, section = SH.XoneConstraintComponent, (SH.xone,), "4.6.4"

    def evaluate(self, ctx) -> None:
        for members in ctx.objects(SH.xone):
            passing = [ctx.conforming(m) for m in ctx.members(members)]
            for node, vs in ctx.by_focus.items():
                for value in vs:
                    if sum(value in p for p in passing) != 1:
                        ctx.add(self.iri, node, ctx.d.term(value))
