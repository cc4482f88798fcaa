"""SHACL-SPARQL on the compiled engine: SPARQL-based constraints (SHACL 5,
https://www.w3.org/TR/shacl/#sparql-constraints) and SPARQL-based constraint components declared in the shapes
graph (SHACL 6, https://www.w3.org/TR/shacl/#sparql-constraint-components), pre-bound as the spec defines it
(../../../prebinding.py)."""

from __future__ import annotations

import itertools
import re
from functools import lru_cache

from rdflib import Literal
from rdflib.namespace import SH
from rdflib.term import Node

from ....outcome import path_to_sparql
from ....prebinding import check_prebinding, prebind, sparql_term
from .base import Component


class SPARQLConstraint(Component):
    """SHACL 5 sh:sparql, https://www.w3.org/TR/shacl/#sparql-constraints: the SELECT query of each SPARQL-based
    constraint; each solution is a result (?this, ?value, ?path).

    The query runs once as a subquery joined with the focus nodes ($this and ?this are the same variable). That
    equals pre-binding $this when $this is bound by a triple pattern of the query and used in no expression of
    a nested group (`_join_is_prebinding`, on the parsed query); other queries run once per focus node with
    $this replaced by the focus node (SHACL's pre-binding), exact but slower."""

    iri, parameters, section, anchor = SH.SPARQLConstraintComponent, (SH.sparql,), "5", "sparql-constraints"

    def evaluate(self, ctx) -> None:
        for constraint in ctx.objects(SH.sparql):
            self.constraint(ctx, constraint)

    def constraint(self, ctx, constraint) -> None:
        sg, shape, path = ctx.sg, ctx.shape, ctx.path
        deactivated = sg.value(constraint, SH.deactivated)
        if isinstance(deactivated, Literal) and deactivated.toPython() is True:
            return
        select = sg.value(constraint, SH.select)
        if select is None:
            raise ctx.fail(f"the SPARQL constraint of {shape} has no sh:select")
        text = str(select)
        what = f"shapes in {ctx.engine.dir}: the SPARQL constraint of {shape}"
        if re.search(r"[\$\?]failure\b", text):
            raise ctx.fail(f"?failure in {shape} is not supported by the oxigraph engine; use --engine pyshacl")
        declared = prefixes(ctx, constraint)
        check_prebinding(declared + text, {"this", "shapesGraph", "currentShape"}, what)
        if re.search(r"[\$\?]currentShape\b", text):
            text = prebind(text, {"currentShape": sparql_term(shape)})
        if re.search(r"[\$\?]shapesGraph\b", text):
            text = prebind(text, {"shapesGraph": ctx.engine.shapes_graph()})
        if path is not None:
            text = re.sub(r"([\s{}()])[\$\?]PATH\b", lambda m: m.group(1) + path_to_sparql(sg, path), text)
        try:
            join = _join_is_prebinding(declared + text)
        except Exception as exc:
            raise ctx.fail(f"cannot validate: {type(exc).__name__}: {exc}") from None
        rows: list[dict] = []
        if join:
            rows = list(ctx.select(declared + f"SELECT ?this ?value ?path WHERE {{ {ctx.focus('?this')} {{ {text} }} }}"))
        else:  # pre-binding as SHACL defines it: $this replaced by the focus node, one query per focus node
            for row in ctx.select(f"SELECT ?this WHERE {{ {ctx.focus('?this')} }}"):
                node = row["this"]
                for found in ctx.d.select(declared + prebind(text, {"this": sparql_term(node)})):
                    rows.append(found | {"this": node})
        for row in rows:
            this = row["this"]
            ctx.add(self.iri, this, row.get("value", None if path is not None else this),
                    path=row.get("path", path), constraint=constraint)


class CustomComponent:
    """SHACL 6 https://www.w3.org/TR/shacl/#sparql-constraint-components: a constraint component the shapes graph
    declares (sh:parameter, a SELECT or ASK validator). Not in the registry: its parameters are the shapes
    graph's. Its validator runs with $this, the parameters (and $value for an ASK validator) pre-bound, once
    per focus node (or value node) (SHACL 6.2, 6.3)."""

    def __init__(self, node: Node):
        self.node = node

    def evaluate(self, ctx) -> None:
        sg, shape, path, component = ctx.sg, ctx.shape, ctx.path, self.node
        bindings: list[list[tuple[str, Node]]] = []
        for parameter in sg.objects(component, SH.parameter):
            name = str(sg.value(parameter, SH.path)).rsplit("#", 1)[-1].rsplit("/", 1)[-1]
            given = sorted(sg.objects(shape, sg.value(parameter, SH.path)), key=str)
            optional = sg.value(parameter, SH.optional)
            if not given:
                if isinstance(optional, Literal) and optional.toPython() is True:
                    continue
                return  # a mandatory parameter is missing: the component does not apply (SHACL 6.1)
            bindings.append([(name, value) for value in given])
        kind = SH.propertyValidator if path is not None else SH.nodeValidator
        validator = sg.value(component, kind) or sg.value(component, SH.validator)
        if validator is None:
            return  # no validator for this kind of shape: the component is ignored (SHACL 6.2)
        ask, select = sg.value(validator, SH.ask), sg.value(validator, SH.select)
        if (ask is None) == (select is None) or (ask is not None and sg.value(component, SH.validator) != validator):
            raise ctx.fail(f"the validator of {component} is not supported: it needs one sh:select (or sh:ask "
                           "for sh:validator)")
        declared = prefixes(ctx, validator)
        text = str(select if select is not None else ask)
        what = f"shapes in {ctx.engine.dir}: the validator of {component}"
        names = {name for options in bindings for name, _ in options}
        check_prebinding(declared + text, {"this", "value", "shapesGraph", "currentShape"} | names, what)
        if re.search(r"[$?]failure\b", text):
            raise ctx.fail(f"$failure in {component} is not supported by the oxigraph engine; use --engine pyshacl")
        if re.search(r"[$?]shapesGraph\b", text):
            text = prebind(text, {"shapesGraph": ctx.engine.shapes_graph()})
        if path is not None:
            text = re.sub(r"([\s{}()])[\$\?]PATH\b", lambda m: m.group(1) + path_to_sparql(sg, path), text)
        for combination in itertools.product(*bindings):
            given = {name: sparql_term(value) for name, value in combination}
            if re.search(r"[$?]currentShape\b", text):
                given["currentShape"] = sparql_term(shape)
            if select is not None:
                for row in ctx.select(f"SELECT ?this WHERE {{ {ctx.focus('?this')} }}"):
                    node = row["this"]
                    for found in ctx.d.select(declared + prebind(text, given | {"this": sparql_term(node)})):
                        ctx.add(component, node, found.get("value", None if path is not None else node),
                                path=found.get("path", path), constraint=validator)
            else:
                for row in ctx.select(f"SELECT DISTINCT ?this ?value WHERE {{ {ctx.values('?this', '?value')} }}"):
                    node, value = row["this"], row["value"]
                    query = prebind(text, given | {"this": sparql_term(node), "value": sparql_term(value)})
                    if not bool(ctx.d.query(declared + query)):
                        ctx.add(component, node, value, constraint=validator)


def declared_components(sg) -> dict:
    """parameter -> the SPARQL-based constraint components (SHACL 6) declared with it in the shapes graph."""
    found: dict = {}
    for component in set(sg.subjects(SH.parameter, None)):
        for parameter in sg.objects(component, SH.parameter):
            found.setdefault(sg.value(parameter, SH.path), set()).add(component)
    return found


def prefixes(ctx, holder) -> str:
    """PREFIX lines of the sh:prefixes declarations of a SPARQL constraint or validator (SHACL 5.2.1),
    wherever the shapes graph holds them (also in files brought by owl:imports)."""
    sg, lines = ctx.sg, {}
    for owner in sg.objects(holder, SH.prefixes):
        for declaration in sg.objects(owner, SH.declare):
            prefix, namespace = sg.value(declaration, SH.prefix), sg.value(declaration, SH.namespace)
            if prefix is None or namespace is None:
                raise ctx.fail(f"a sh:declare of {owner} lacks sh:prefix or sh:namespace")
            lines[str(prefix)] = f"PREFIX {prefix}: <{namespace}>\n"
    return "".join(lines[p] for p in sorted(lines))


@lru_cache(maxsize=256)
def _join_is_prebinding(query: str) -> bool:
    """Whether joining the query's solutions with the focus nodes gives what pre-binding $this gives: the
    query projects ?this, binds it by a triple pattern of its top-level group, and uses it in no expression
    of a nested group (where a join would see it unbound). Conservative: anything else is run per focus node.
    The query is parsed by rdflib, as pySHACL parses it."""
    from rdflib.plugins.sparql import prepareQuery
    from rdflib.term import Variable

    algebra = prepareQuery(query).algebra

    this = Variable("this")

    def mentions(obj) -> bool:
        if obj is this:
            return True
        if isinstance(obj, Variable):
            return obj == this
        if isinstance(obj, dict):  # rdflib CompValue
            return any(mentions(v) for k, v in obj.items() if k != "_vars")
        if isinstance(obj, (list, tuple, set)):
            return any(mentions(v) for v in obj)
        return False

    def bound(node) -> bool:  # ?this bound in every solution by a required triple pattern
        name = getattr(node, "name", None)
        if name == "BGP":
            return any(this in triple for triple in node.triples)
        if name == "Join":
            return bound(node.p1) or bound(node.p2)
        if name in ("LeftJoin",):
            return bound(node.p1)
        if name in ("Filter", "Extend", "Distinct", "Reduced", "Slice", "OrderBy", "ToMultiSet"):
            return bound(node.p) and not (name == "Extend" and node.var == this)
        if name == "Project":
            return this in node.PV and bound(node.p)
        return False

    def nested_ok(node) -> bool:  # ?this in triple patterns only, below the top-level group
        name = getattr(node, "name", None)
        if name == "BGP":
            return True
        if name == "Join":
            return nested_ok(node.p1) and nested_ok(node.p2)
        if name == "LeftJoin":
            return nested_ok(node.p1) and nested_ok(node.p2) and not mentions(node.get("expr"))
        if name == "Union":
            return nested_ok(node.p1) and nested_ok(node.p2)
        if name in ("Filter", "Extend"):
            return nested_ok(node.p) and not mentions(node.expr) and node.get("var") != this
        if name in ("ToMultiSet", "Distinct", "Reduced"):
            return nested_ok(node.p)
        if name == "Project":  # a subquery
            return (this in node.PV and nested_ok(node.p)) or not mentions(node.p)
        return not mentions(node)

    node = algebra.p
    while getattr(node, "name", None) in ("Distinct", "Reduced", "Slice", "OrderBy", "Project"):
        if node.name == "Project" and this not in node.PV:
            return False
        node = node.p
    while getattr(node, "name", None) in ("Filter", "Extend"):  # the top-level group's FILTERs and BINDs
        if node.name == "Extend" and node.var == this:
            return False
        node = node.p
    return bound(node) and nested_ok(node)
