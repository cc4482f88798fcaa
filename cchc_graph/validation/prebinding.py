"""Pre-binding for SHACL-SPARQL (SHACL 5.2.1 and 6.3.1) on engines that take query text (Oxigraph).

SHACL defines pre-binding as replacing every occurrence of a pre-bound variable ($this, $value, a
component's parameters) in the query by its value, and it restricts the queries that may be pre-bound:
no MINUS, no federated query (SERVICE), no VALUES, no `AS ?var` for a pre-bound variable, and every
subquery must project the pre-bound variables. A query outside these rules must be refused (the W3C
suite's pre-binding-006 and unsupported-sparql-001…006 expect a failure), and SERVICE would reach the
network during validation.

`prebind` does the replacement on the query text: a pre-bound variable becomes the value written as a
SPARQL term, and in a SELECT's projection `(value AS ?var)`, so the variable is still in the results.
"""

from __future__ import annotations

import re
from ..errors import CchcError

# comments, strings, IRIs, variables: the lexical units pre-binding must tell apart
_TOKEN = re.compile(r"""
    (?P<comment>\#[^\n]*)
  | (?P<string>\"\"\"(?:[^\\]|\\.)*?\"\"\"|'''(?:[^\\]|\\.)*?'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\s]*>)
  | (?P<var>[?$](?P<name>[A-Za-z_0-9\u00B7\u00C0-\uFFFF]+))
  | (?P<pname>[A-Za-z][\w.-]*:[\w.:%-]*|:[\w.:%-]*)
  | (?P<word>[A-Za-z]+)
  | (?P<open>[({])
  | (?P<close>[)}])
""", re.VERBOSE)
_PROJECTION_END = {"WHERE", "FROM"}


def check_prebinding(query: str, prebound: set[str], what: str) -> None:
    """Refuse (CchcError, "not supported") a query SHACL says must not be pre-bound, or that reaches the
    network. `query` is the whole text with its PREFIX lines; `prebound` the variable names."""
    from rdflib.plugins.sparql import prepareQuery

    try:
        algebra = prepareQuery(query).algebra
    except Exception as exc:  # noqa: BLE001 — rdflib's parser raises pyparsing and its own types
        raise CchcError(f"{what}: cannot validate: the SPARQL query does not parse: {' '.join(str(exc).split())}") from None
    reason = _forbidden(algebra, prebound) or _star_subquery(query)
    if reason:
        raise CchcError(f"{what}: {reason} is not supported in a pre-bound SHACL query (SHACL 5.2.1)")


def _star_subquery(query: str) -> str | None:
    """`SELECT *` in a subquery: whether it returns $this depends on where $this occurs, so it is refused."""
    selects = [m for m in _TOKEN.finditer(query) if m.lastgroup == "word" and m.group().upper() == "SELECT"]
    for select in selects[1:]:
        if re.match(r"\s*(?:(?:DISTINCT|REDUCED)\s+)?\*", query[select.end():], re.IGNORECASE):
            return "a subquery with SELECT * (it must project the pre-bound variables)"
    return None


def _forbidden(algebra, prebound: set[str]) -> str | None:
    """What in the algebra breaks SHACL's pre-binding rules, or None."""
    from rdflib.plugins.sparql.parserutils import CompValue

    top = algebra.p if getattr(algebra, "name", None) in ("SelectQuery", "AskQuery") else algebra
    # the outer projection itself is not a subquery
    while getattr(top, "name", None) in ("Distinct", "Reduced", "Slice", "OrderBy"):
        top = top.p
    outer = top

    def walk(node) -> str | None:
        if isinstance(node, CompValue):
            name = node.name
            if name == "Minus":
                return "MINUS"
            if name == "ServiceGraphPattern":
                return "SERVICE (a federated query)"
            if name == "values":
                return "VALUES"
            if name == "Extend" and str(node.var) in prebound:
                return f"BIND(… AS ?{node.var}) of a pre-bound variable"
            if name == "Project" and node is not outer:
                missing = sorted(v for v in prebound - {"shapesGraph", "currentShape"}
                                 if v not in {str(x) for x in node.PV})
                if missing:
                    return "a subquery that does not project " + ", ".join(f"${v}" for v in missing)
            for key, value in node.items():
                if key != "_vars":
                    found = walk(value)
                    if found:
                        return found
        elif isinstance(node, (list, tuple)):
            for value in node:
                found = walk(value)
                if found:
                    return found
        return None

    if getattr(algebra, "name", None) == "SelectQuery" or getattr(algebra, "name", None) == "AskQuery":
        found = walk(algebra.p)
        if found is None and "valuesClause" in algebra and algebra["valuesClause"] is not None:
            return "VALUES"
        return found
    return walk(algebra)


def prebind(query: str, values: dict[str, str]) -> str:
    """The query with each variable of `values` (name -> SPARQL term text) replaced by its value. In the
    outer SELECT's projection the variable stays, as `(value AS ?var)`; in a subquery's projection it becomes
    a fresh variable (the outer query sees the value itself); `bound($var)` is true."""
    out: list[str] = []
    last = 0
    selects = 0  # SELECT keywords seen: the first is the outer query
    projection = False  # inside SELECT … WHERE
    depth = 0  # parentheses inside the projection
    for match in _TOKEN.finditer(query):
        kind = match.lastgroup
        if kind == "word":
            word = match.group("word").upper()
            if word == "SELECT":
                projection, depth, selects = True, 0, selects + 1
            elif word in _PROJECTION_END:
                projection = False
            elif word == "BOUND":
                bound = re.match(r"\s*\(\s*[?$]([A-Za-z_0-9]+)\s*\)", query[match.end():])
                if bound and bound.group(1) in values:
                    out.append(query[last:match.start()] + "(true)")
                    last = match.end() + bound.end()
            continue
        if kind == "open":
            if projection and match.group() == "{":
                projection = False
            elif projection:
                depth += 1
            continue
        if kind == "close":
            if projection and match.group() == ")":
                depth -= 1
            continue
        if kind != "var" or match.start() < last:
            continue
        name = match.group("name")
        if name not in values:
            continue
        out.append(query[last:match.start()])
        if projection and depth == 0:
            alias = name if selects == 1 else f"prebound_{name}_{selects}"
            out.append(f"({values[name]} AS ?{alias})")
        else:
            out.append(values[name])
        last = match.end()
    out.append(query[last:])
    return "".join(out)


def sparql_term(node) -> str:
    """An rdflib IRI or literal as SPARQL text; a blank node cannot be written into a query."""
    from rdflib import BNode

    if isinstance(node, BNode):
        raise CchcError("pre-binding a blank node into a SPARQL query is not supported by the oxigraph engine; "
                        "use --engine pyshacl")
    return node.n3()
