"""SHACL-SPARQL on the compiled engine: SPARQL-based constraints (SHACL 5) and custom constraint components
with SELECT and ASK validators (SHACL 6), pre-bound as the spec defines it (../../prebinding.py)."""

from __future__ import annotations

import re
from functools import lru_cache

from rdflib import Literal
from rdflib.namespace import SH
from rdflib.term import Node

from ...outcome import path_to_sparql
from ...prebinding import check_prebinding, prebind, sparql_term
from .data import _PREFIXES


class SparqlComponents:
    """Mixed into the compiled engine (self.sg, self.d, self.dir, self.fail)."""

    # ------------------------------------------------------------------ SPARQL-based constraint components
    def custom_components(self) -> dict:
        """parameter -> the SPARQL-based constraint components (SHACL 6) declared with it in the shapes graph."""
        found: dict = {}
        for component in set(self.sg.subjects(SH.parameter, None)):
            for parameter in self.sg.objects(component, SH.parameter):
                found.setdefault(self.sg.value(parameter, SH.path), set()).add(component)
        return found

    def custom(self, shape, component, path, severity, focus, values) -> list[tuple]:
        """One custom constraint component on a shape (SHACL 6.2, 6.3): its validator run with $this, the
        parameters (and $value for an ASK validator) pre-bound, once per focus node (or value node)."""
        import itertools

        sg = self.sg
        bindings: list[list[tuple[str, Node]]] = []
        for parameter in sg.objects(component, SH.parameter):
            name = str(sg.value(parameter, SH.path)).rsplit("#", 1)[-1].rsplit("/", 1)[-1]
            given = sorted(sg.objects(shape, sg.value(parameter, SH.path)), key=str)
            optional = sg.value(parameter, SH.optional)
            if not given:
                if isinstance(optional, Literal) and optional.toPython() is True:
                    continue
                return []  # a mandatory parameter is missing: the component does not apply (SHACL 6.1)
            bindings.append([(name, value) for value in given])
        kind = SH.propertyValidator if path is not None else SH.nodeValidator
        validator = sg.value(component, kind) or sg.value(component, SH.validator)
        if validator is None:
            return []  # no validator for this kind of shape: the component is ignored (SHACL 6.2)
        ask, select = sg.value(validator, SH.ask), sg.value(validator, SH.select)
        if (ask is None) == (select is None) or (ask is not None and sg.value(component, SH.validator) != validator):
            raise self.fail(f"the validator of {component} is not supported: it needs one sh:select (or sh:ask "
                            "for sh:validator)")
        prefixes = self.prefixes(validator)
        text = str(select if select is not None else ask)
        what = f"shapes in {self.dir}: the validator of {component}"
        names = {name for options in bindings for name, _ in options}
        check_prebinding(prefixes + text, {"this", "value", "shapesGraph", "currentShape"} | names, what)
        if re.search(r"[$?]failure\b", text):
            raise self.fail(f"$failure in {component} is not supported by the oxigraph engine; use --engine pyshacl")
        if re.search(r"[$?]shapesGraph\b", text):
            text = prebind(text, {"shapesGraph": self.shapes_graph()})
        if path is not None:
            text = re.sub(r"([\s{}()])[\$\?]PATH\b", lambda m: m.group(1) + path_to_sparql(sg, path), text)
        results = []
        for combination in itertools.product(*bindings):
            given = {name: sparql_term(value) for name, value in combination}
            if re.search(r"[$?]currentShape\b", text):
                given["currentShape"] = sparql_term(shape)
            if select is not None:
                for row in self.d.select(_PREFIXES + "SELECT ?this WHERE { " + focus("?this") + " }"):
                    node = row["this"]
                    query = prebind(text, given | {"this": sparql_term(node)})
                    for found in self.d.select(prefixes + query):
                        value = found.get("value", None if path is not None else node)
                        results.append((node, found.get("path", path), value, component, shape, severity, validator))
            else:
                for row in self.d.select(_PREFIXES + f"SELECT DISTINCT ?this ?value WHERE {{ {values('?this', '?value')} }}"):
                    node, value = row["this"], row["value"]
                    query = prebind(text, given | {"this": sparql_term(node), "value": sparql_term(value)})
                    if not bool(self.d.store.query(prefixes + query)):
                        results.append((node, path, value, component, shape, severity, validator))
        return results


    # ------------------------------------------------------------------ SHACL-SPARQL
    def sparql(self, shape, constraint, path, severity, focus) -> list[tuple]:

        sg = self.sg
        deactivated = sg.value(constraint, SH.deactivated)
        if isinstance(deactivated, Literal) and deactivated.toPython() is True:
            return []
        select = sg.value(constraint, SH.select)
        if select is None:
            raise self.fail(f"the SPARQL constraint of {shape} has no sh:select")
        text = str(select)
        what = f"shapes in {self.dir}: the SPARQL constraint of {shape}"
        if re.search(r"[\$\?]failure\b", text):
            raise self.fail(f"?failure in {shape} is not supported by the oxigraph engine; use --engine pyshacl")
        prefixes = self.prefixes(constraint)
        check_prebinding(prefixes + text, {"this", "shapesGraph", "currentShape"}, what)
        if re.search(r"[\$\?]currentShape\b", text):
            text = prebind(text, {"currentShape": sparql_term(shape)})
        if re.search(r"[\$\?]shapesGraph\b", text):
            text = prebind(text, {"shapesGraph": self.shapes_graph()})
        if path is not None:
            text = re.sub(r"([\s{}()])[\$\?]PATH\b", lambda m: m.group(1) + path_to_sparql(sg, path), text)
        try:
            join = _join_is_prebinding(prefixes + text)
        except Exception as exc:
            raise self.fail(f"cannot validate: {type(exc).__name__}: {exc}") from None
        rows: list[dict] = []
        if join:
            query = f"SELECT ?this ?value ?path WHERE {{ {focus('?this')} {{ {text} }} }}"
            rows = list(self.d.select(_PREFIXES + prefixes + query))
        else:  # pre-binding as SHACL defines it: $this replaced by the focus node, one query per focus node
            for row in self.d.select(_PREFIXES + f"SELECT ?this WHERE {{ {focus('?this')} }}"):
                node = row["this"]
                for found in self.d.select(prefixes + prebind(text, {"this": sparql_term(node)})):
                    rows.append(found | {"this": node})
        results = []
        for row in rows:
            this = row["this"]
            value = row.get("value", None if path is not None else this)
            result_path = row.get("path", path)
            results.append((this, result_path, value, SH.SPARQLConstraintComponent, shape, severity, constraint))
        return results

    def shapes_graph(self) -> str:
        """The IRI of the shapes graph in the store (SHACL 5.3.1, $shapesGraph), loaded on first use."""
        name = "urn:x-cchc:shapes-graph"
        if not self._shapes_loaded:
            ox, graph = self.d.ox, self.d.ox.NamedNode(name)
            self.d.store.extend(ox.Quad(self.d.to_ox(s), self.d.to_ox(p), self.d.to_ox(o), graph) for s, p, o in self.sg)
            self._shapes_loaded = True
        return f"<{name}>"

    def prefixes(self, holder) -> str:
        """PREFIX lines of the sh:prefixes declarations of a SPARQL constraint or validator (SHACL 5.2.1),
        wherever the shapes graph holds them (also in files brought by owl:imports)."""
        sg, lines = self.sg, {}
        for owner in sg.objects(holder, SH.prefixes):
            for declaration in sg.objects(owner, SH.declare):
                prefix, namespace = sg.value(declaration, SH.prefix), sg.value(declaration, SH.namespace)
                if prefix is None or namespace is None:
                    raise self.fail(f"a sh:declare of {owner} lacks sh:prefix or sh:namespace")
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
