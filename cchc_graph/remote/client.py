"""The SPARQL client: a query on an endpoint (SPARQL 1.1 Protocol), answered as the same `Table` of rdflib
terms as the embedded store gives (or an rdflib Graph), every literal NFC-normalised; the names of the graphs
`publish` writes and remote queries read."""

from __future__ import annotations

import json
from typing import Callable, Iterable

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from ..errors import CchcError, RemoteError
from ..namespaces import GRAPH, XSD, bind_prefixes
from ..query import Table
from ..text import nfc
from .http import _IRI, DEFAULT_RETRIES, DEFAULT_TIMEOUT, USER_AGENT, _check_iri, _send, check_url, _one_line

GRAPH_ROLES = ("asserted", "ontology", "inferred", "links")
DEFAULT_GRAPH_BASE = str(GRAPH)


def run_remote(endpoint: str, text: str, *, default_graphs: Iterable[str] = (), timeout: float = DEFAULT_TIMEOUT,
               retries: int = DEFAULT_RETRIES, what: str = "query", graphs: bool = False):
    """Run a SELECT or ASK query on a SPARQL endpoint (SPARQL 1.1 Protocol, JSON results) as a Table; with
    `graphs`, a CONSTRUCT or DESCRIBE query too (Turtle), as an rdflib Graph. `default_graphs` are sent as
    default-graph-uri parameters: the query then sees their merge as its default graph, on any SPARQL 1.1
    store, whatever the store's own default graph is. SPARQLWrapper writes the protocol request; `_send`
    sends it, within the deadline and the answer size limit."""
    from SPARQLWrapper import GET, JSON, POST, TURTLE, SPARQLWrapper

    check_url(endpoint, "SPARQL endpoint")
    graph_iris = [str(_check_iri(str(g), "default graph")) for g in default_graphs]
    forms = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE") if graphs else ("SELECT", "ASK")
    sparql = SPARQLWrapper(endpoint, agent=USER_AGENT)
    sparql.setQuery(text)
    from ..sparql import query_form
    sparql.queryType = query_form(text) or sparql.queryType  # SPARQLWrapper guesses from any keyword-like text
    if sparql.queryType not in forms:
        raise CchcError(f"only {', '.join(forms[:-1])} and {forms[-1]} queries can be run")
    kind = sparql.queryType
    sparql.setReturnFormat(TURTLE if kind in ("CONSTRUCT", "DESCRIBE") else JSON)
    sparql.setOnlyConneg(True)
    sparql.setMethod(GET if len(text) < 1500 and not graph_iris else POST)
    for graph in graph_iris:
        sparql.addDefaultGraph(graph)
    request = sparql._createRequest()  # the protocol request (parameters, Accept), sent by us below
    answer = _send(request.get_method(), request.full_url, what=what, endpoint=endpoint, data=request.data,
                   headers=dict(request.header_items()), timeout=timeout, retries=retries)
    where = f"{endpoint}: {what}"
    if kind in ("CONSTRUCT", "DESCRIBE"):
        return parse_graph(answer.body, where)
    return parse_results(answer.body, where)


def parse_graph(body: bytes, where: str) -> Graph:
    """A CONSTRUCT or DESCRIBE answer (Turtle) as an rdflib Graph, its literals in NFC; RemoteError when it
    is not Turtle."""
    parsed = Graph()
    try:
        parsed.parse(data=body.decode("utf-8"), format="turtle")
    except Exception as exc:  # rdflib raises parser-specific types
        raise RemoteError(f"{where}: malformed response: not Turtle ({_one_line(str(exc), 120)})") from None
    graph = Graph()
    bind_prefixes(graph)
    for s, p, o in parsed:
        if isinstance(o, Literal):
            o = Literal(nfc(str(o)), lang=o.language, datatype=o.datatype)
        graph.add((s, p, o))
    return graph


def parse_results(body: bytes, where: str) -> Table:
    """SPARQL 1.1 Query Results JSON as a Table of rdflib terms (literals in NFC); RemoteError when malformed."""
    def bad(why: str) -> RemoteError:
        return RemoteError(f"{where}: malformed response: {why}")

    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise bad(f"not SPARQL JSON results ({exc}); it begins {_one_line(body[:80], 80)!r}") from None
    if not isinstance(document, dict):
        raise bad("not a JSON object")
    if "boolean" in document:
        if not isinstance(document["boolean"], bool):
            raise bad("'boolean' is not true or false")
        return Table([], [], document["boolean"])
    head, results = document.get("head"), document.get("results")
    columns = head.get("vars") if isinstance(head, dict) else None
    bindings = results.get("bindings") if isinstance(results, dict) else None
    if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns):
        raise bad("no head.vars list")
    if not isinstance(bindings, list) or not all(isinstance(b, dict) for b in bindings):
        raise bad("no results.bindings list")
    rows = []
    for binding in bindings:
        row = {}
        for column, value in binding.items():
            if column not in columns:
                raise bad(f"variable {column!r} is not in head.vars")
            row[column] = _term(value, bad)
        rows.append(row)
    return Table(list(columns), rows)


def _term(value: object, bad: Callable[[str], RemoteError]) -> Node:
    if not isinstance(value, dict) or not isinstance(value.get("value"), str):
        raise bad(f"a binding is not a term: {value!r}")
    kind, text = value.get("type"), value["value"]
    if kind == "uri":
        if not _IRI.fullmatch(text):
            raise bad(f"{text!r} is not an IRI")
        return URIRef(text)
    if kind in ("literal", "typed-literal"):
        language, datatype = value.get("xml:lang"), value.get("datatype")
        if language:
            return Literal(nfc(text), lang=str(language))
        if datatype:
            if not isinstance(datatype, str) or not _IRI.fullmatch(datatype):
                raise bad(f"datatype {datatype!r} is not an IRI")
            if datatype == str(XSD.boolean) and text in ("1", "0"):
                text = "true" if text == "1" else "false"  # the same value; Virtuoso writes booleans as 1 and 0
            return Literal(nfc(text), datatype=None if datatype == str(XSD.string) else URIRef(datatype))
        return Literal(nfc(text))
    if kind == "bnode":
        return BNode(text)
    raise bad(f"unknown term type {kind!r}")


def graph_names(base: str | None = None) -> dict[str, URIRef]:
    """The named graphs `publish` writes (and `query --endpoint` reads), by role, under a base IRI:
    BASE + asserted / ontology / inferred / links. The default base gives the names the embedded store uses."""
    base = base or DEFAULT_GRAPH_BASE
    _check_iri(base, "graph IRI base")
    if not base.endswith(("/", "#")):
        base += "/"
    return {role: URIRef(base + role) for role in GRAPH_ROLES}


def published_graphs(base: str | None = None, reasoning: bool = True) -> list[str]:
    """The default-graph-uri parameters that make a store answer as the embedded one: our published graphs
    (without the inferred one when reasoning is off)."""
    return [str(iri) for role, iri in graph_names(base).items() if reasoning or role != "inferred"]
