"""Shape-based constraint components (SHACL 4.7, https://www.w3.org/TR/shacl/#core-components-shape): the value
nodes against nested shapes."""

from __future__ import annotations

from rdflib.namespace import SH

from .base import Component


class Node(Component):
    """SHACL 4.7.1 sh:node, https://www.w3.org/TR/shacl/#NodeConstraintComponent: each value node conforms to
    the node shape. Set-wide: the nested shape runs once on all the value nodes."""

    iri, parameters, section = SH.NodeConstraintComponent, (SH.node,), "4.7.1"

    def evaluate(self, ctx) -> None:
        for node_shape in ctx.objects(SH.node):
            for this, value in ctx.pairs_with(ctx.failing_values([node_shape])):
                ctx.add(self.iri, this, ctx.d.term(value))


class Property(Component):
    """SHACL 4.7.2 sh:property, https://www.w3.org/TR/shacl/#PropertyConstraintComponent: each value node
    conforms to the property shape; its results are the nested shape's own (their focus nodes are this
    shape's value nodes)."""

    iri, parameters, section = SH.PropertyConstraintComponent, (SH.property,), "4.7.2"

    def evaluate(self, ctx) -> None:
        for prop in ctx.objects(SH.property):
            ctx.results.extend(ctx.engine.evaluate(prop, ctx.value_focus))


def _qualified_conforming(ctx, qualified) -> set:
    """The value nodes that conform to the qualified value shape, and, with sh:qualifiedValueShapesDisjoint,
    to none of the sibling shapes' qualified value shapes."""
    key = ("qualified", qualified)
    if key not in ctx.cache:
        passing = set(ctx.conforming(qualified))
        if ctx.is_true(SH.qualifiedValueShapesDisjoint):
            sg = ctx.sg
            siblings = {q for parent in sg.subjects(SH.property, ctx.shape) for sibling in sg.objects(parent, SH.property)
                        for q in sg.objects(sibling, SH.qualifiedValueShape)} - {qualified}
            for sibling in siblings:
                passing -= ctx.conforming(sibling)
        ctx.cache[key] = passing
    return ctx.cache[key]


class _Qualified(Component):
    optional = (SH.qualifiedValueShapesDisjoint,)
    anchor = "QualifiedValueShapeConstraintComponent"

    def evaluate(self, ctx) -> None:
        bound = ctx.value(self.parameters[1])
        if bound is None:
            return
        for qualified in ctx.objects(SH.qualifiedValueShape):
            passing = _qualified_conforming(ctx, qualified)
            for node, vs in ctx.by_focus.items():
                if self.fails(sum(v in passing for v in set(vs)), int(bound)):
                    ctx.add(self.iri, node, None)

    @staticmethod
    def fails(count: int, bound: int) -> bool:
        raise NotImplementedError


class QualifiedMinCount(_Qualified):
    """SHACL 4.7.3 sh:qualifiedValueShape, sh:qualifiedMinCount,
    https://www.w3.org/TR/shacl/#QualifiedValueShapeConstraintComponent: at least n value nodes conform to the
    qualified value shape (with sh:qualifiedValueShapesDisjoint: and to no sibling's)."""

    iri, section = SH.QualifiedMinCountConstraintComponent, "4.7.3"
    parameters = (SH.qualifiedValueShape, SH.qualifiedMinCount)
    fails = staticmethod(lambda count, bound: count < bound)


class QualifiedMaxCount(_Qualified):
    """SHACL 4.7.3 sh:qualifiedValueShape, sh:qualifiedMaxCount,
    https://www.w3.org/TR/shacl/#QualifiedValueShapeConstraintComponent: at most n value nodes conform to the
    qualified value shape (with sh:qualifiedValueShapesDisjoint: and to no sibling's)."""

    iri, section = SH.QualifiedMaxCountConstraintComponent, "4.7.3"
    parameters = (SH.qualifiedValueShape, SH.qualifiedMaxCount)
    fails = staticmethod(lambda count, bound: count > bound)
