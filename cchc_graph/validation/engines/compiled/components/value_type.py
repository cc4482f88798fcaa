"""Value type constraint components (SHACL 4.1, https://www.w3.org/TR/shacl/#core-components-value-type)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import SH

from .....namespaces import RDF, RDFS
from ..data import _LANG_STRING, _XSD, _XSD_STRING, SH_XSD_STRING
from .base import Component, ValueCheck


class Class(Component):
    """SHACL 4.1.1 sh:class, https://www.w3.org/TR/shacl/#ClassConstraintComponent: each value node is a
    SHACL instance of the class (rdf:type/rdfs:subClassOf* in the data graph). One set-wide query per class."""

    iri, parameters, section = SH.ClassConstraintComponent, (SH["class"],), "4.1.1"

    def evaluate(self, ctx) -> None:
        for cls in ctx.objects(SH["class"]):
            query = (f"SELECT DISTINCT ?this ?value WHERE {{ {ctx.values('?this', '?value')} "
                     f"FILTER NOT EXISTS {{ ?value rdf:type/rdfs:subClassOf* {ctx.d.to_ox(cls)} }} }}")
            for row in ctx.select(query):
                ctx.add(self.iri, row["this"], row["value"])


class Datatype(ValueCheck):
    """SHACL 4.1.2 sh:datatype, https://www.w3.org/TR/shacl/#DatatypeConstraintComponent: each value node is a
    well-formed literal of the datatype, seen as written (the engine keeps "1"^^xsd:int beside Oxigraph's
    canonical "1"^^xsd:integer)."""

    iri, parameters, section = SH.DatatypeConstraintComponent, (SH.datatype,), "4.1.2"

    def checks(self, ctx):
        conditions = {_XSD_STRING: f"(isLiteral(?value) && DATATYPE(?value) = <{_XSD_STRING}>)",
                      _LANG_STRING: "(isLiteral(?value) && LANG(?value) != \"\")"}
        return [(lambda v, d=datatype: _datatype_ok(v, d), conditions.get(str(datatype)))
                for datatype in ctx.objects(SH.datatype)]


_KINDS = {SH.IRI: (URIRef,), SH.BlankNode: (BNode,), SH.Literal: (Literal,), SH.BlankNodeOrIRI: (BNode, URIRef),
          SH.BlankNodeOrLiteral: (BNode, Literal), SH.IRIOrLiteral: (URIRef, Literal)}


class NodeKind(ValueCheck):
    """SHACL 4.1.3 sh:nodeKind, https://www.w3.org/TR/shacl/#NodeKindConstraintComponent: each value node is of
    the node kind (IRI, blank node, literal, or one of their pairs)."""

    iri, parameters, section = SH.NodeKindConstraintComponent, (SH.nodeKind,), "4.1.3"

    def checks(self, ctx):
        found = []
        for kind in ctx.objects(SH.nodeKind):
            if kind not in _KINDS:
                raise ctx.fail(f"sh:nodeKind {kind} in {ctx.shape} is not a node kind SHACL defines")
            found.append((lambda v, k=_KINDS[kind]: isinstance(v, k), None))
        return found


_PYTHON_TYPES = {_XSD_STRING: (str, bytes), _LANG_STRING: (str, bytes), _XSD + "integer": int, _XSD + "float": float,
                 _XSD + "decimal": Decimal, _XSD + "boolean": bool, _XSD + "date": datetime.date,
                 _XSD + "time": datetime.time, _XSD + "dateTime": datetime.datetime}


def _datatype_ok(v, datatype) -> bool:
    """pySHACL's sh:datatype rule (DatatypeConstraintComponent.evaluate)."""
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
    kind = _PYTHON_TYPES.get(str(datatype))
    return kind is None or isinstance(v.value, kind)
