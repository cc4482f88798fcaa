"""Value range constraint components (SHACL 4.3, https://www.w3.org/TR/shacl/#core-components-range),
compared as pySHACL compares literals."""

from __future__ import annotations

from rdflib import Literal
from rdflib.namespace import SH

from .base import ValueCheck


def ordered(value, other, ok) -> bool:
    """Whether `ok(comparison of value with other)` holds: both literals of comparable kinds, as pySHACL
    compares them; anything else fails (also used by sh:lessThan, property_pair.py)."""
    from pyshacl.rdfutil.compare import compare_literal

    if not isinstance(value, Literal) or not isinstance(other, Literal):
        return False
    if isinstance(value.value, str) != isinstance(other.value, str):
        return False
    try:
        return ok(compare_literal(value, other))
    except (TypeError, NotImplementedError):
        return False


class _Range(ValueCheck):
    def checks(self, ctx):
        return [(lambda v, b=bound: ordered(v, b, self.ok), None) for bound in ctx.objects(self.parameters[0])]

    @staticmethod
    def ok(comparison: int) -> bool:
        raise NotImplementedError


class MinExclusive(_Range):
    """SHACL 4.3.1 sh:minExclusive, https://www.w3.org/TR/shacl/#MinExclusiveConstraintComponent: each value
    node is greater than the bound."""

    iri, parameters, section = SH.MinExclusiveConstraintComponent, (SH.minExclusive,), "4.3.1"
    ok = staticmethod(lambda c: c > 0)


class MinInclusive(_Range):
    """SHACL 4.3.2 sh:minInclusive, https://www.w3.org/TR/shacl/#MinInclusiveConstraintComponent: each value
    node is greater than or equal to the bound."""

    iri, parameters, section = SH.MinInclusiveConstraintComponent, (SH.minInclusive,), "4.3.2"
    ok = staticmethod(lambda c: c >= 0)


class MaxExclusive(_Range):
    """SHACL 4.3.3 sh:maxExclusive, https://www.w3.org/TR/shacl/#MaxExclusiveConstraintComponent: each value
    node is less than the bound."""

    iri, parameters, section = SH.MaxExclusiveConstraintComponent, (SH.maxExclusive,), "4.3.3"
    ok = staticmethod(lambda c: c < 0)


class MaxInclusive(_Range):
    """SHACL 4.3.4 sh:maxInclusive, https://www.w3.org/TR/shacl/#MaxInclusiveConstraintComponent: each value
    node is less than or equal to the bound."""

    iri, parameters, section = SH.MaxInclusiveConstraintComponent, (SH.maxInclusive,), "4.3.4"
    ok = staticmethod(lambda c: c <= 0)
