"""Value-type, string and range components, checked on each distinct value node by the rules pySHACL applies:
sh:datatype, sh:nodeKind (SHACL 4.1.2, 4.1.3), sh:minExclusive, sh:minInclusive, sh:maxExclusive,
sh:maxInclusive (4.3), sh:minLength, sh:maxLength, sh:pattern, sh:languageIn (4.4), sh:in (4.8.3)."""

from __future__ import annotations

import re

from rdflib import BNode, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node

from ....namespaces import RDF, RDFS
from .data import _LANG_STRING, _XSD, _XSD_STRING, SH_XSD_STRING


class ValueChecks:
    """Mixed into the compiled engine (self.sg: the shapes graph, self.fail: an error about the shapes)."""

    def value_checks(self, shape: Node) -> list[tuple]:
        """(parameter, check, condition) for the value-type constraints of a shape: `check` is the rule pySHACL
        applies to an rdflib value node (pyshacl/constraints/core/*.py); `condition` a SPARQL expression on
        ?value that is true only for values the check accepts (None when there is none), so those values
        need not be brought into Python."""

        from pyshacl.rdfutil.compare import compare_literal

        sg, checks = self.sg, []
        literal_string = f"isLiteral(?value) && (DATATYPE(?value) = <{_XSD_STRING}> || LANG(?value) != \"\")"
        for datatype in sg.objects(shape, SH.datatype):
            condition = {_XSD_STRING: f"(isLiteral(?value) && DATATYPE(?value) = <{_XSD_STRING}>)",
                         _LANG_STRING: "(isLiteral(?value) && LANG(?value) != \"\")"}.get(str(datatype))
            checks.append((SH.datatype, lambda v, d=datatype: _datatype_ok(v, d), condition))
        flags = sg.value(shape, SH.flags)
        re_flags = 0
        if flags is not None:
            re_flags |= (re.I if "i" in str(flags).lower() else 0) | (re.M if "m" in str(flags).lower() else 0)
        for pattern in sg.objects(shape, SH.pattern):
            text = str(pattern.value) if pattern.value is not None and len(pattern.value) > 1 else str(pattern)
            matcher = re.compile(text, re_flags)
            checks.append((SH.pattern, lambda v, m=matcher: not isinstance(v, BNode) and m.search(_string(v)) is not None,
                           None))
        for minimum in list(sg.objects(shape, SH.minLength))[:1]:
            n = int(minimum)
            checks.append((SH.minLength, lambda v, n=n: n == 0 or (not isinstance(v, BNode) and len(_string(v)) >= n),
                           "true" if n == 0 else f"({literal_string} && STRLEN(?value) >= {n})"))
        for param, ok in ((SH.minInclusive, lambda c: c >= 0), (SH.maxInclusive, lambda c: c <= 0)):
            for bound in sg.objects(shape, param):
                def check(v, b=bound, ok=ok):
                    if not isinstance(v, Literal) or isinstance(v.value, str) != isinstance(b.value, str):
                        return False
                    try:
                        return ok(compare_literal(v, b))
                    except (TypeError, NotImplementedError):
                        return False
                checks.append((param, check, None))
        kinds = {SH.IRI: (URIRef,), SH.BlankNode: (BNode,), SH.Literal: (Literal,), SH.BlankNodeOrIRI: (BNode, URIRef),
                 SH.BlankNodeOrLiteral: (BNode, Literal), SH.IRIOrLiteral: (URIRef, Literal)}
        for kind in sg.objects(shape, SH.nodeKind):  # 4.1.3
            if kind not in kinds:
                raise self.fail(f"sh:nodeKind {kind} in {shape} is not a node kind SHACL defines")
            checks.append((SH.nodeKind, lambda v, k=kinds[kind]: isinstance(v, k), None))
        for maximum in sg.objects(shape, SH.maxLength):  # 4.4.2
            n = int(maximum)
            checks.append((SH.maxLength, lambda v, n=n: not isinstance(v, BNode) and len(_string(v)) <= n, None))
        for param, ok in ((SH.minExclusive, lambda c: c > 0), (SH.maxExclusive, lambda c: c < 0)):  # 4.3.1, 4.3.3
            for bound in sg.objects(shape, param):
                checks.append((param, lambda v, b=bound, ok=ok: _ordered(v, b, ok, compare_literal), None))
        for members in sg.objects(shape, SH["in"]):  # 4.8.3
            allowed = set(Collection(sg, members))
            checks.append((SH["in"], lambda v, a=allowed: v in a, None))
        for languages in list(sg.objects(shape, SH.languageIn))[:1]:
            wanted = {str(lang).lower() for lang in Collection(sg, languages)}
            checks.append((SH.languageIn, lambda v, w=wanted: isinstance(v, Literal) and bool(v.language) and (
                "*" in w or v.language.lower() in w or v.language.split("-")[0].lower() in w), None))
        return checks


def _ordered(value, other, ok, compare_literal) -> bool:
    """Whether value < other (or <=, by `ok`) holds for sh:lessThan(OrEquals): both literals of comparable
    kinds, as pySHACL compares them; anything else fails."""
    if not isinstance(value, Literal) or not isinstance(other, Literal):
        return False
    if isinstance(value.value, str) != isinstance(other.value, str):
        return False
    try:
        return ok(compare_literal(value, other))
    except (TypeError, NotImplementedError):
        return False


def _string(v) -> str:
    """The string pySHACL matches a pattern or a length against (value_node_to_string)."""
    if isinstance(v, Literal) and v.value is not None and v.datatype in (None, RDF.langString, SH_XSD_STRING):
        return str(v.value)
    return str(v)


def _datatype_ok(v, datatype) -> bool:
    """pySHACL's sh:datatype rule (DatatypeConstraintComponent.evaluate)."""
    import datetime
    from decimal import Decimal

    if not isinstance(v, Literal):
        return False
    if v.datatype == datatype:
        if getattr(v, "ill_typed", None) is True:
            return False
    elif datatype == RDFS.Literal:
        return True
    elif datatype == RDFS.Datatype and v.datatype:
        return True
    elif not (v.datatype is None and v.language is None and datatype == SH_XSD_STRING) and not (
            datatype == RDF.langString and v.language):
        return False
    kinds = {_XSD_STRING: (str, bytes), _LANG_STRING: (str, bytes), _XSD + "integer": int, _XSD + "float": float,
             _XSD + "decimal": Decimal, _XSD + "boolean": bool, _XSD + "date": datetime.date,
             _XSD + "time": datetime.time, _XSD + "dateTime": datetime.datetime}
    kind = kinds.get(str(datatype))
    return kind is None or isinstance(v.value, kind)
