"""What a constraint component is to the compiled engine, and how the rules on single value nodes run together."""

from __future__ import annotations

from typing import Callable

from rdflib import URIRef
from rdflib.namespace import SH

SPEC = "https://www.w3.org/TR/shacl/"


class Component:
    """A SHACL constraint component: the parameters that make a shape use it (`parameters` all present, or
    with `optional` ones), the IRI its results name (sh:sourceConstraintComponent), and the section of the
    SHACL Recommendation that defines it (`section`, `anchor`: the docstring cites both). `evaluate` adds its
    results on the shape's focus nodes to the shape's context (context.py)."""

    iri: URIRef
    parameters: tuple[URIRef, ...] = ()
    optional: tuple[URIRef, ...] = ()
    section: str = ""
    anchor: str = ""  # the fragment of the spec's section, by default the component's local name

    @classmethod
    def url(cls) -> str:
        return SPEC + "#" + (cls.anchor or str(cls.iri)[len(str(SH)):])

    @classmethod
    def citation(cls) -> str:
        names = ", ".join("sh:" + str(p)[len(str(SH)):] for p in cls.parameters)
        return f"SHACL {cls.section} {names}, {cls.url()}"

    def evaluate(self, ctx) -> None:
        raise NotImplementedError


class ValueCheck(Component):
    """A component that is a rule on each value node alone (value type, range, string, sh:in). The rules of a
    shape run together (`check_values`): one query for the distinct value nodes SPARQL cannot already tell
    are fine, the rules pySHACL applies in Python on those, one query for their focus nodes."""

    def checks(self, ctx) -> list[tuple[Callable, str | None]]:
        """(rule, condition) pairs: `rule` takes an rdflib value node and says if it passes; `condition` is a
        SPARQL expression on ?value true only for values the rule passes (None when there is none)."""
        raise NotImplementedError

    def evaluate(self, ctx) -> None:
        check_values(ctx, [self])


def check_values(ctx, components: list[ValueCheck]) -> None:
    checks = [(component.iri, rule, condition) for component in components for rule, condition in component.checks(ctx)]
    if not checks:
        return
    conditions = [condition for _, _, condition in checks]
    prefilter = f"FILTER(!({' && '.join(conditions)}))" if all(conditions) else ""
    failing: dict = {}
    for row in ctx.solutions(f"SELECT DISTINCT ?value WHERE {{ {ctx.values('?this', '?value')} {prefilter} }}"):
        value = ctx.d.term(row["value"])
        components = [iri for iri, rule, _ in checks if not rule(value)]
        if components:
            failing[row["value"]] = components
    for this, value in ctx.pairs_with(failing):
        for iri in failing[value]:
            ctx.add(iri, this, ctx.d.term(value))
