"""The constraint components of the compiled engine, one class each, grouped by the section of the SHACL
Recommendation that defines them (as pySHACL's constraints/core is):

- value_type.py: 4.1 sh:class, sh:datatype, sh:nodeKind;
- cardinality.py: 4.2 sh:minCount, sh:maxCount;
- value_range.py: 4.3 sh:minExclusive, sh:minInclusive, sh:maxExclusive, sh:maxInclusive;
- string_based.py: 4.4 sh:minLength, sh:maxLength, sh:pattern, sh:languageIn, sh:uniqueLang;
- property_pair.py: 4.5 sh:equals, sh:disjoint, sh:lessThan, sh:lessThanOrEquals;
- logical.py: 4.6 sh:not, sh:and, sh:or, sh:xone;
- shape_based.py: 4.7 sh:node, sh:property, sh:qualifiedValueShape (min and max);
- other.py: 4.8 sh:closed, sh:hasValue, sh:in;
- sparql.py: 5 sh:sparql, and 6 the components a shapes graph declares (not in the registry: their
  parameters are the shapes graph's).

`REGISTRY` maps each constraint parameter to the components that take it (sh:qualifiedValueShape is a
parameter of two); a parameter of SHACL that is not in it is refused as "not supported", never skipped.
"""

from __future__ import annotations

from rdflib import URIRef

from . import cardinality, logical, other, property_pair, shape_based, sparql, string_based, value_range, value_type
from .base import Component, ValueCheck, check_values

# In the order a shape's components run (the value checks of a shape run together: check_values).
COMPONENTS: tuple[type[Component], ...] = (
    value_type.Class, value_type.Datatype, value_type.NodeKind,
    cardinality.MinCount, cardinality.MaxCount,
    value_range.MinExclusive, value_range.MinInclusive, value_range.MaxExclusive, value_range.MaxInclusive,
    string_based.MinLength, string_based.MaxLength, string_based.Pattern, string_based.LanguageIn,
    string_based.UniqueLang,
    property_pair.Equals, property_pair.Disjoint, property_pair.LessThan, property_pair.LessThanOrEquals,
    logical.Not, logical.And, logical.Or, logical.Xone,
    shape_based.Node, shape_based.Property, shape_based.QualifiedMinCount, shape_based.QualifiedMaxCount,
    other.Closed, other.HasValue, other.In,
    sparql.SPARQLConstraint,
)

REGISTRY: dict[URIRef, tuple[type[Component], ...]] = {}
for _component in COMPONENTS:
    for _parameter in _component.parameters + _component.optional:
        REGISTRY[_parameter] = REGISTRY.get(_parameter, ()) + (_component,)

SUPPORTED = frozenset(REGISTRY)
_INSTANCES = {component: component() for component in COMPONENTS}


def components_for(parameters) -> list[Component]:
    """The components a shape with these parameters uses, in `COMPONENTS` order."""
    used = {component for parameter in parameters for component in REGISTRY.get(parameter, ())}
    return [_INSTANCES[component] for component in COMPONENTS if component in used]


__all__ = ["COMPONENTS", "REGISTRY", "SUPPORTED", "Component", "ValueCheck", "check_values", "components_for"]
