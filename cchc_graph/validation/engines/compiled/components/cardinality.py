"""Cardinality constraint components (SHACL 4.2, https://www.w3.org/TR/shacl/#core-components-count)."""

from __future__ import annotations

from rdflib.namespace import SH

from .base import Component


def _counts(ctx) -> tuple:
    """(min, max, [(focus, number of distinct value nodes)] outside them): one GROUP BY query for both bounds."""
    if "counts" not in ctx.cache:
        low, high = ctx.value(SH.minCount), ctx.value(SH.maxCount)
        low_n, high_n = (int(low) if low is not None else None), (int(high) if high is not None else None)
        count = "COUNT(DISTINCT ?value)"  # HAVING cannot use the alias ?n
        having = " || ".join(x for x in (f"{count} < {low_n}" if low_n else "",
                                         f"{count} > {high_n}" if high_n is not None else "") if x)
        rows = []
        if having:
            query = (f"SELECT ?this (COUNT(DISTINCT ?value) AS ?n) WHERE {{ {ctx.focus('?this')} "
                     f"OPTIONAL {{ ?this {ctx.sparql_path} ?value }} }} GROUP BY ?this HAVING ({having})")
            rows = [(row["this"], int(row["n"])) for row in ctx.select(query)]
        ctx.cache["counts"] = (low_n, high_n, rows)
    return ctx.cache["counts"]


class _Cardinality(Component):
    def evaluate(self, ctx) -> None:
        if ctx.path is None:  # node shapes must not have them (SHACL 4.2): nothing to count
            return
        low, high, rows = _counts(ctx)
        for this, n in rows:
            if self.fails(n, low, high):
                ctx.add(self.iri, this, None)

    @staticmethod
    def fails(n: int, low: int | None, high: int | None) -> bool:
        raise NotImplementedError


class MinCount(_Cardinality):
    """SHACL 4.2.1 sh:minCount, https://www.w3.org/TR/shacl/#MinCountConstraintComponent: at least n value
    nodes (property shapes only)."""

    iri, parameters, section = SH.MinCountConstraintComponent, (SH.minCount,), "4.2.1"
    fails = staticmethod(lambda n, low, high: bool(low) and n < low)


class MaxCount(_Cardinality):
    """SHACL 4.2.2 sh:maxCount, https://www.w3.org/TR/shacl/#MaxCountConstraintComponent: at most n value
    nodes (property shapes only)."""

    iri, parameters, section = SH.MaxCountConstraintComponent, (SH.maxCount,), "4.2.2"
    fails = staticmethod(lambda n, low, high: high is not None and n > high)
