"""The remote step, and the only module that talks to the network.

- `run_remote`: a query on a SPARQL endpoint (SPARQL 1.1 Protocol, through SPARQLWrapper), answered as the
  same `Table` of rdflib terms as the embedded store gives, every literal NFC-normalised.
- `link`: look the plan's legal documents up in a law database modelled in ELI and write what is found to
  the link graph (build/graph.links.ttl, the named graph <https://w3id.org/cchc-graph/graph/links>).
- `publish`: load the built graph into a SPARQL store (Graph Store Protocol, or SPARQL Update where the
  store has no GSP), replacing our named graphs so that a re-run never duplicates triples.
- `serve`: a local Oxigraph SPARQL server over the built graph.

Every failure raises RemoteError naming the endpoint and what failed. Connection errors, timeouts and
HTTP 5xx / 429 answers are tried again a few times with exponential backoff first; other 4xx answers and
malformed responses are not. Nothing local is written until every remote request has succeeded.

The queries sent are saved queries (queries/eli-*.rq) with values bound as RDF terms (query.with_rows /
with_values); the answers are parsed into RDF terms, never pasted into query text.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from . import __version__
from .errors import CchcError, RemoteError
from .legal import LOCAL_ISSUERS, parse_number
from .namespaces import CCHC, ELI, GRAPH, OWL, PROV, RDF, RDFS, XSD, bind_prefixes
from .progress import progress
from .query import Table, get_query, run_local, with_rows, with_values
from .store import links_path_for, serialize, write_bytes
from .text import fold, nfc

DEFAULT_TIMEOUT = 30  # seconds, per request
DEFAULT_RETRIES = 3  # further attempts after a transient failure
DEFAULT_BATCH = 20  # documents (or records) per lookup request
BACKOFF = 0.5  # seconds before the first retry; doubled before each next one
UPDATE_CHUNK = 5000  # triples per SPARQL Update request when publishing without GSP
USER_AGENT = f"cchc-graph/{__version__} (+https://w3id.org/cchc-graph)"
GRAPH_ROLES = ("asserted", "ontology", "inferred", "links")
DEFAULT_GRAPH_BASE = str(GRAPH)
LINKS_GRAPH = GRAPH.links

_IRI = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:[^\s<>\"{}|\\^`\x00-\x20]*")


# ---------------------------------------------------------------------------------------- requests

def check_url(url: str, role: str = "endpoint") -> str:
    parts = urllib.parse.urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname or not _IRI.fullmatch(url):
        raise RemoteError(f"{role} {url!r} is not an http(s) URL")
    return url


def _check_iri(value: str, what: str) -> URIRef:
    if not _IRI.fullmatch(value or ""):
        raise RemoteError(f"{what} {value!r} is not an IRI")
    return URIRef(value)


def _one_line(data: bytes | str, limit: int = 300) -> str:
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else str(data)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _http_status(code: int, reason: str, body: bytes | str = b"") -> tuple[bool, str]:
    message = f"HTTP {code}" + (f" {reason}" if reason else "")
    detail = _one_line(body)
    if detail:
        message += f": {detail}"
    return code >= 500 or code == 429, message


def _explain(exc: BaseException, timeout: float) -> tuple[bool, str]:
    """(transient?, what went wrong) for an exception raised while talking to an endpoint."""
    from SPARQLWrapper.SPARQLExceptions import (EndPointInternalError, EndPointNotFound, QueryBadFormed,
                                                SPARQLWrapperException, Unauthorized, URITooLong)

    if isinstance(exc, urllib.error.HTTPError):
        try:
            body = exc.read()
        except Exception:  # noqa: BLE001 - the body is only a detail of the message
            body = b""
        return _http_status(exc.code, str(exc.reason or ""), body)
    if isinstance(exc, SPARQLWrapperException):
        codes = {QueryBadFormed: (400, "Bad Request (the endpoint rejected the query)"),
                 Unauthorized: (401, "Unauthorized"), EndPointNotFound: (404, "Not Found"),
                 URITooLong: (414, "URI Too Long"), EndPointInternalError: (500, "Internal Server Error")}
        code, reason = next((v for k, v in codes.items() if isinstance(exc, k)), (0, type(exc).__name__))
        return _http_status(code, reason, str(exc).partition("Response:")[2].strip().removeprefix("b'").rstrip("'"))
    if isinstance(exc, urllib.error.URLError) and isinstance(exc.reason, BaseException):
        exc = exc.reason
    elif isinstance(exc, urllib.error.URLError):
        return False, f"cannot send the request: {exc.reason}"
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return True, f"no answer within {timeout:g} s (timeout)"
    if isinstance(exc, ConnectionRefusedError):
        return True, "connection refused (is the server running, on this port?)"
    if isinstance(exc, (ConnectionError, http.client.HTTPException)):
        return True, f"connection broken ({type(exc).__name__}: {exc})"
    if isinstance(exc, OSError):
        return True, f"cannot connect ({exc})"
    return False, f"{type(exc).__name__}: {exc}"


def _network_errors() -> tuple[type[BaseException], ...]:
    from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

    return (OSError, http.client.HTTPException, SPARQLWrapperException)  # URLError, timeouts: OSError


def _retrying(endpoint: str, what: str, attempt: Callable[[], object], retries: int, timeout: float):
    """Run `attempt`, again after a transient failure (with exponential backoff), at most retries + 1 times."""
    attempts = max(0, retries) + 1
    for number in range(1, attempts + 1):
        try:
            return attempt()
        except _network_errors() as exc:
            transient, reason = _explain(exc, timeout)
            if not transient or number == attempts:
                tried = f" (tried {number} times)" if number > 1 else ""
                raise RemoteError(f"{endpoint}: {what}: {reason}{tried}") from None
            time.sleep(BACKOFF * 2 ** (number - 1))
    raise AssertionError("unreachable")


def _request(method: str, url: str, *, what: str, data: bytes | None = None, content_type: str | None = None,
             timeout: float = DEFAULT_TIMEOUT, retries: int = DEFAULT_RETRIES, accept: Iterable[int] = ()) -> int:
    """An HTTP request (GSP, SPARQL Update); the status code. Statuses in `accept` are returned, not raised."""
    headers = {"User-Agent": USER_AGENT}
    if content_type:
        headers["Content-Type"] = content_type
    accepted = set(accept)

    def attempt() -> int:
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                response.read()
                return response.status
        except urllib.error.HTTPError as exc:
            if exc.code in accepted:
                exc.read()
                return exc.code
            raise

    return _retrying(url, what, attempt, retries, timeout)


# ---------------------------------------------------------------------------------------- queries

def run_remote(endpoint: str, text: str, *, default_graphs: Iterable[str] = (), timeout: float = DEFAULT_TIMEOUT,
               retries: int = DEFAULT_RETRIES, what: str = "query") -> Table:
    """Run a SELECT or ASK query on a SPARQL endpoint (SPARQL 1.1 Protocol, JSON results). `default_graphs`
    are sent as default-graph-uri parameters: the query then sees their merge as its default graph, on any
    SPARQL 1.1 store, whatever the store's own default graph is."""
    from SPARQLWrapper import GET, JSON, POST, SPARQLWrapper

    check_url(endpoint, "SPARQL endpoint")
    graphs = [str(_check_iri(str(g), "default graph")) for g in default_graphs]
    seconds = max(1, int(round(timeout)))  # SPARQLWrapper takes whole seconds

    def attempt() -> bytes:
        sparql = SPARQLWrapper(endpoint, agent=USER_AGENT)
        sparql.setQuery(text)
        if sparql.queryType not in ("SELECT", "ASK"):
            raise CchcError("only SELECT and ASK queries can be run")
        sparql.setReturnFormat(JSON)
        sparql.setOnlyConneg(True)
        sparql.setTimeout(seconds)
        sparql.setMethod(GET if len(text) < 1500 and not graphs else POST)
        for graph in graphs:
            sparql.addDefaultGraph(graph)
        response = sparql.query().response
        try:
            return response.read()
        finally:
            response.close()

    body = _retrying(endpoint, what, attempt, retries, seconds)
    return parse_results(body, f"{endpoint}: {what}")


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
        return Table(["ask"], [{"ask": Literal(document["boolean"])}])
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


# ---------------------------------------------------------------------------------------- link

@dataclass
class LocalDocument:
    iri: URIRef
    number: str
    type_vi: str
    num: str
    year: int | None
    number_has_year: bool
    provincial: bool
    issuer_names: set[str] = field(default_factory=set)  # folded


@dataclass
class Candidate:
    remote: URIRef
    matches: set[str] = field(default_factory=set)
    years: set[int] = field(default_factory=set)
    issuer_names: set[str] = field(default_factory=set)  # folded


@dataclass
class LinkReport:
    endpoint: str
    path: Path
    documents: int
    linked: list[tuple[str, URIRef, URIRef, str]]  # number, our IRI, remote IRI, how it matched
    not_found: list[tuple[str, URIRef, str]]  # number, our IRI, why
    changes: list[tuple[URIRef, str, URIRef]]  # remote target, ELI relation, remote changer
    triples: int


def local_documents(graph: Graph) -> list[LocalDocument]:
    """The documents to look up, from the saved query `documents-to-link` run on the built graph."""
    found: dict[URIRef, LocalDocument] = {}
    for row in run_local(graph, get_query("documents-to-link").text).rows:
        iri, number = row["document"], str(row["number"])
        if iri not in found:
            ref = parse_number(number)
            if ref is None:
                continue  # not a number we can look up (the validator reports it)
            date = row.get("date")
            year = ref.year or (int(str(date)[:4]) if date is not None and re.match(r"\d{4}", str(date)) else None)
            found[iri] = LocalDocument(iri, number, str(row["type"]), ref.num, year, ref.year is not None,
                                       ref.code.split("-")[-1] in LOCAL_ISSUERS)
        if row.get("issuer_name") is not None:
            found[iri].issuer_names.add(fold(str(row["issuer_name"])))
    return sorted(found.values(), key=lambda d: (d.number, str(d.iri)))


def decide(document: LocalDocument, candidates: Iterable[Candidate]) -> tuple[Candidate | None, str]:
    """The one record that is certainly this document, or None and why. Never a guess: the year must agree
    (a record without a date is accepted only when the number itself carries the year), a province's
    document must also have the same issuer, and two records left is ambiguous."""
    kept, rejected = [], defaultdict(int)
    for candidate in candidates:
        if document.year is None:
            rejected["the plan gives no year to compare"] += 1
        elif candidate.years and document.year not in candidate.years:
            rejected["another year"] += 1
        elif not candidate.years and not document.number_has_year:
            rejected["no date to compare the year with"] += 1
        elif document.provincial and not document.issuer_names:
            rejected["the plan names no issuer to compare"] += 1
        elif document.provincial and not (candidate.issuer_names & document.issuer_names):
            rejected["another issuer" if candidate.issuer_names else "no issuer to compare"] += 1
        else:
            kept.append(candidate)
    if len(kept) == 1:
        return kept[0], ""
    if len(kept) > 1:
        return None, f"ambiguous: {len(kept)} records match ({', '.join(sorted(str(c.remote) for c in kept))})"
    if rejected:
        return None, "not found (look-alike records rejected: " + ", ".join(
            f"{count} × {why}" for why, count in sorted(rejected.items())) + ")"
    return None, "not found"


def _batches(items: list, size: int) -> list[list]:
    return [items[i:i + size] for i in range(0, len(items), size)]


ELI_RELATIONS = {"amends": ELI.amends, "repeals": ELI.repeals, "changes": ELI.changes, "consolidates": ELI.consolidates}
DETAIL_PROPERTIES = {ELI.id_local, ELI.number, ELI.title, ELI.type_document, ELI.date_document,
                     ELI.first_date_entry_in_force, ELI.in_force, ELI.date_no_longer_in_force}


def link(graph_path: Path, endpoint: str, *, output: Path | None = None, batch_size: int = DEFAULT_BATCH,
         default_graphs: Iterable[str] = (), timeout: float = DEFAULT_TIMEOUT, retries: int = DEFAULT_RETRIES,
         now: Callable[[], dt.datetime] | None = None) -> LinkReport:
    """Look every legal document of the built graph up in an ELI law database and write the link graph.

    The file (default: beside the graph, NAME.links.ttl) is written only after every request succeeded;
    on any failure it stays as it was and RemoteError is raised."""
    from .store import read_graph

    check_url(endpoint, "SPARQL endpoint")
    if batch_size < 1:
        raise CchcError("--batch-size must be at least 1")
    output = Path(output) if output else links_path_for(Path(graph_path))
    clock = now or (lambda: dt.datetime.now(dt.timezone.utc).replace(microsecond=0))
    documents = local_documents(read_graph(graph_path))
    started = clock()
    graphs = list(default_graphs)

    def remote(text: str, what: str) -> Table:
        try:
            return run_remote(endpoint, text, default_graphs=graphs, timeout=timeout, retries=retries, what=what)
        except RemoteError as exc:
            raise RemoteError(f"{exc}; {output} was not changed") from None

    lookup, changes_query, details_query = get_query("eli-lookup"), get_query("eli-changes"), get_query("eli-details")

    # 1. Candidates for every document, a batch of documents per request.
    candidates: dict[URIRef, dict[URIRef, Candidate]] = defaultdict(dict)
    batches = _batches(documents, batch_size)
    for index, batch in enumerate(batches, 1):
        rows = [[d.iri, Literal(d.number), Literal(d.num),
                 Literal(d.year, datatype=XSD.integer) if d.year is not None else None, Literal(d.type_vi.lower())]
                for d in batch]
        table = remote(with_rows(lookup.text, ["document", "id_local", "number", "year", "type"], rows),
                       f"{lookup.name} (batch {index} of {len(batches)})")
        asked = {d.iri for d in batch}
        for row in table.rows:
            document, record = row.get("document"), row.get("remote")
            if document not in asked or not isinstance(record, URIRef):
                continue
            candidate = candidates[document].setdefault(record, Candidate(record))
            if row.get("match") is not None:
                candidate.matches.add(str(row["match"]))
            date = row.get("date")
            if date is not None and re.match(r"\d{4}", str(date)):
                candidate.years.add(int(str(date)[:4]))
            if row.get("issuer_name") is not None:
                candidate.issuer_names.add(fold(str(row["issuer_name"])))

    linked, not_found = [], []
    for document in documents:
        chosen, why = decide(document, candidates.get(document.iri, {}).values())
        if chosen is None:
            not_found.append((document.number, document.iri, why))
        else:
            linked.append((document.number, document.iri, chosen.remote, ", ".join(sorted(chosen.matches))))

    # 2. What changes the records found, transitively.
    changes: set[tuple[URIRef, str, URIRef]] = set()
    starts = sorted({remote_iri for _, _, remote_iri, _ in linked})
    batches = _batches(starts, batch_size)
    for index, batch in enumerate(batches, 1):
        table = remote(with_values(changes_query.text, {"resource": batch}),
                       f"{changes_query.name} (batch {index} of {len(batches)})")
        for row in table.rows:
            target, relation, changer = row.get("target"), str(row.get("relation", "")), row.get("changer")
            if isinstance(target, URIRef) and isinstance(changer, URIRef) and relation in ELI_RELATIONS:
                changes.add((target, relation, changer))

    # 3. Number, title, dates and in-force status of every record met.
    records = sorted(set(starts) | {t for t, _, _ in changes} | {c for _, _, c in changes})
    facts: set[tuple[URIRef, URIRef, Node]] = set()
    batches = _batches(records, batch_size)
    for index, batch in enumerate(batches, 1):
        table = remote(with_values(details_query.text, {"resource": batch}),
                       f"{details_query.name} (batch {index} of {len(batches)})")
        for row in table.rows:
            subject, prop, value = row.get("resource"), row.get("property"), row.get("value")
            if subject in batch and prop in DETAIL_PROPERTIES and isinstance(value, (URIRef, Literal)):
                facts.add((subject, prop, value))

    ended = clock()
    graph = link_graph(endpoint, documents, linked, not_found, changes, records, facts, started, ended,
                       [lookup, changes_query, details_query], batch_size)
    write_bytes(output, serialize(graph, "turtle"))
    return LinkReport(endpoint, output, len(documents), linked, not_found, sorted(changes), len(graph))


def link_graph(endpoint, documents, linked, not_found, changes, records, facts, started, ended, queries,
               batch_size) -> Graph:
    """The content of the named graph <…/graph/links>: owl:sameAs links, the records' facts, the change
    relations between records, cchc:notFoundIn for documents not found, and the provenance of the run."""
    graph = Graph()
    bind_prefixes(graph)
    service = URIRef(endpoint)
    for _, ours, theirs, _ in linked:
        graph.add((ours, OWL.sameAs, theirs))
    for record in records:
        graph.add((record, RDF.type, ELI.LegalResource))
    for fact in facts:
        graph.add(fact)
    for target, relation, changer in changes:
        graph.add((changer, ELI_RELATIONS[relation], target))
    for _, ours, _ in not_found:
        graph.add((ours, CCHC.notFoundIn, service))

    activity = URIRef(f"{LINKS_GRAPH}#activity")
    stamp = lambda moment: Literal(moment.isoformat(), datatype=XSD.dateTime)  # noqa: E731
    graph.add((LINKS_GRAPH, RDF.type, PROV.Entity))
    graph.add((LINKS_GRAPH, PROV.wasGeneratedBy, activity))
    graph.add((LINKS_GRAPH, PROV.generatedAtTime, stamp(ended)))
    graph.add((activity, RDF.type, PROV.Activity))
    graph.add((activity, RDFS.label, Literal("cchc-graph link", lang="en")))
    graph.add((activity, RDFS.comment, Literal(
        f"cchc-graph {__version__} looked up {len(documents)} legal documents in {endpoint}, {batch_size} per "
        f"request: {len(linked)} found, {len(not_found)} not found; {len(changes)} change relations.", lang="en")))
    graph.add((activity, PROV.startedAtTime, stamp(started)))
    graph.add((activity, PROV.endedAtTime, stamp(ended)))
    graph.add((activity, PROV.used, service))
    graph.add((service, RDF.type, PROV.Entity))
    graph.add((service, RDFS.label, Literal("SPARQL endpoint of the law database", lang="en")))
    for saved in queries:
        node = URIRef(f"{LINKS_GRAPH}#query-{saved.name}")
        graph.add((activity, PROV.used, node))
        graph.add((node, RDF.type, PROV.Plan))
        graph.add((node, RDFS.label, Literal(f"queries/{saved.name}.rq")))
        graph.add((node, RDFS.comment, Literal("The saved query sent, with the values of each batch bound in a "
                                               "VALUES block at the start of its WHERE clause.", lang="en")))
        graph.add((node, PROV.value, Literal(saved.text)))
    return graph


# ---------------------------------------------------------------------------------------- publish

@dataclass
class PublishReport:
    endpoint: str
    protocol: str  # "gsp" or "update"
    graphs: list[tuple[URIRef, int]]  # graph written, triples
    removed: list[URIRef]  # graphs with nothing to publish, dropped from the store


def publish_targets(endpoint: str, update_endpoint: str | None = None) -> tuple[str, str]:
    """(Graph Store Protocol URL, SPARQL Update URL). A server base (no path: Oxigraph) means BASE/store and
    BASE/update; any other URL is the GSP endpoint itself (Fuseki /ds/data or /ds, Virtuoso
    /sparql-graph-crud), with the Update endpoint given by --update-endpoint or else the same URL."""
    check_url(endpoint, "publish endpoint")
    if update_endpoint:
        check_url(update_endpoint, "update endpoint")
    parts = urllib.parse.urlsplit(endpoint)
    if parts.path in ("", "/") and not parts.query:
        base = endpoint.rstrip("/")
        return base + "/store", update_endpoint or base + "/update"
    return endpoint, update_endpoint or endpoint


def _with_graph(url: str, graph: URIRef) -> str:
    parts = urllib.parse.urlsplit(url)
    query = (parts.query + "&" if parts.query else "") + urllib.parse.urlencode({"graph": str(graph)})
    return urllib.parse.urlunsplit(parts._replace(query=query))


class StoreGraph:
    """One named graph of the embedded Oxigraph store, as publish sends it: its size, its N-Triples, and its
    triples one N-Triples line at a time, without an rdflib copy (at corpus size that copy took minutes)."""

    def __init__(self, dataset, name: str) -> None:
        import pyoxigraph

        self._dataset, self._name = dataset, name
        self._graph = pyoxigraph.NamedNode(str(name))
        self._blank = pyoxigraph.BlankNode

    def __len__(self) -> int:
        return self._dataset.graph_size(self._name)

    def ntriples(self) -> bytes:
        import pyoxigraph
        return self._dataset.store.dump(format=pyoxigraph.RdfFormat.N_TRIPLES, from_graph=self._graph)

    def lines(self) -> Iterator[tuple[str, bool]]:
        """(N-Triples line, whether it has a blank node); pyoxigraph writes terms in N-Triples syntax, which
        SPARQL's INSERT DATA also reads."""
        for quad in self._dataset.store.quads_for_pattern(None, None, None, self._graph):
            yield (f"{quad.subject} {quad.predicate} {quad.object} .",
                   isinstance(quad.subject, self._blank) or isinstance(quad.object, self._blank))


def _update_requests(graph_iri: URIRef, graph: StoreGraph | None, chunk: int = UPDATE_CHUNK) -> list[str]:
    """SPARQL Update requests that replace a named graph: DROP SILENT GRAPH, then INSERT DATA in chunks.
    Triples with blank nodes all go in the first request (a blank node label means one node only within one
    request), which also drops the graph first, so that any request can be retried safely."""
    name = graph_iri.n3()
    if graph is None:
        return [f"DROP SILENT GRAPH {name}"]
    lines_with_bnodes, lines = [], []
    for line, has_blank_node in graph.lines():
        (lines_with_bnodes if has_blank_node else lines).append(line)
    lines.sort()
    room = max(0, chunk - len(lines_with_bnodes))
    first, rest = lines_with_bnodes + lines[:room], lines[room:]
    # Blank nodes go in an INSERT template (WHERE {} has one solution, so each label is one new node): SPARQL
    # allows them in INSERT DATA too, but Virtuoso 7.2 refuses that ("not allowed in a constant clause").
    insert = (f"INSERT {{ GRAPH {name} {{\n" + "\n".join(first) + "\n} } WHERE {}" if lines_with_bnodes
              else f"INSERT DATA {{ GRAPH {name} {{\n" + "\n".join(first) + "\n} }")
    requests = [f"DROP SILENT GRAPH {name} ;\n" + insert]
    for part in _batches(rest, chunk):
        requests.append(f"INSERT DATA {{ GRAPH {name} {{\n" + "\n".join(part) + "\n} }")
    return requests


def local_store_graphs(graph_path: Path, reasoning: bool = True):
    """The embedded store `query` runs on (files loaded straight into Oxigraph, the inferred graph from its
    cache) and, by role, the StoreGraph to publish, or None for a role with nothing to publish (no link
    file; the inferred graph with --no-reasoning)."""
    from .ondisk import is_store
    from .query import open_local
    from .store import ASSERTED, INFERRED, LINKS, ONTOLOGY_GRAPH, links_path_for

    dataset = open_local(Path(graph_path), reasoning)
    has_links = dataset.graph_size(LINKS) > 0 if is_store(graph_path) else links_path_for(Path(graph_path)).exists()
    present = {"asserted": ASSERTED, "ontology": ONTOLOGY_GRAPH, "inferred": INFERRED if reasoning else None,
               "links": LINKS if has_links else None}
    return dataset, {role: StoreGraph(dataset, name) if name else None for role, name in present.items()}


def publish(graph_path: Path, endpoint: str, *, graph_iri: str | None = None, update_endpoint: str | None = None,
            protocol: str = "auto", reasoning: bool = True, timeout: float = DEFAULT_TIMEOUT,
            retries: int = DEFAULT_RETRIES) -> PublishReport:
    """Replace our named graphs in a SPARQL store with the built graph, the ontology, the inferred triples
    and the link graph (those `query` runs on). A graph with nothing to publish (no link graph; the inferred
    one with --no-reasoning) is dropped from the store, so the store answers as the embedded store does.
    protocol: "gsp" (HTTP PUT per graph), "update" (SPARQL Update) or "auto" (GSP, and SPARQL Update when
    the store has no GSP: 404, 405 or 501 on the first PUT)."""
    if protocol not in ("auto", "gsp", "update"):
        raise CchcError(f"unknown protocol {protocol!r}; choose auto, gsp or update")
    gsp, update = publish_targets(endpoint, update_endpoint)
    names = graph_names(graph_iri)
    _, local = local_store_graphs(Path(graph_path), reasoning)
    mode = "update" if protocol == "update" else "gsp"
    written: list[tuple[URIRef, int]] = []
    removed: list[URIRef] = []
    try:
        with progress(len(GRAPH_ROLES), "publish: graphs") as bar:
            for role in GRAPH_ROLES:
                iri, graph = names[role], local[role]
                if mode == "gsp":
                    url = _with_graph(gsp, iri)
                    if graph is None:
                        _request("DELETE", url, what=f"GSP DELETE of graph <{iri}>", timeout=timeout,
                                 retries=retries, accept=(404,))  # 404: it was not there
                    else:
                        first = protocol == "auto" and not written
                        status = _request("PUT", url, what=f"GSP PUT of graph <{iri}>", data=graph.ntriples(),
                                          content_type="application/n-triples", timeout=timeout, retries=retries,
                                          accept=(404, 405, 501) if first else ())
                        if status in (404, 405, 501):
                            mode = "update"  # no Graph Store Protocol here: SPARQL Update from now on
                if mode == "update":
                    requests = _update_requests(iri, graph)
                    for index, text in enumerate(requests, 1):
                        _request("POST", update,
                                 what=f"SPARQL Update of graph <{iri}> ({index} of {len(requests)})",
                                 data=text.encode("utf-8"), content_type="application/sparql-update; charset=utf-8",
                                 timeout=timeout, retries=retries)
                if graph is None:
                    removed.append(iri)
                else:
                    written.append((iri, len(graph)))
                bar.advance()
    except RemoteError as exc:
        done = ", ".join(f"<{iri}>" for iri in [iri for iri, _ in written] + removed) or "none"
        raise RemoteError(f"{exc}; nothing local was changed; graphs already replaced in the store: {done} "
                          "(run publish again to replace them all)") from None
    return PublishReport(update if mode == "update" else gsp, mode, written, removed)


# ---------------------------------------------------------------------------------------- serve

def oxigraph_binary() -> str:
    """The `oxigraph` server command (PyPI package `oxigraph`): beside this Python first, then on PATH."""
    beside = Path(sys.executable).parent / ("oxigraph.exe" if os.name == "nt" else "oxigraph")
    if beside.exists():
        return str(beside)
    found = shutil.which("oxigraph")
    if not found:
        raise CchcError("the Oxigraph server is not installed: pip install oxigraph")
    return found


def _host_port(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def port_is_free(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def wait_for_port(host: str, port: int, process: subprocess.Popen | None = None, timeout: float = 60) -> None:
    """Until something accepts connections on host:port (or the process ends, or time runs out)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise CchcError(f"the Oxigraph server stopped (exit code {process.returncode}) before it listened on "
                            f"{_host_port(host, port)}: is the port taken? (see its message above)")
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise CchcError(f"the Oxigraph server did not listen on {_host_port(host, port)} within {timeout:g} s")


def serve(graph_path: Path, *, host: str = "127.0.0.1", port: int = 7878, reasoning: bool = True,
          cors: bool = False, echo: Callable[[str], None] = print) -> int:
    """Load the graphs `query` runs on (each in its named graph, the default graph their union) into a
    temporary Oxigraph store and serve it read-only, in the foreground, until interrupted (Ctrl-C or
    SIGTERM); an on-disk store (`build --store`) is served where it is. Returns the server's exit code (0
    after an interruption)."""
    binary = oxigraph_binary()
    if not port_is_free(host, port):
        raise CchcError(f"cannot listen on {_host_port(host, port)}: is the port taken? (choose another with --port)")
    import pyoxigraph

    from .ondisk import is_store

    dataset, local = local_store_graphs(Path(graph_path), reasoning)
    served_as_is = is_store(graph_path) and reasoning  # an on-disk store is served where it is, not copied
    with tempfile.TemporaryDirectory(prefix="cchc-graph-serve-") as folder:
        data, store = Path(folder) / "graphs.nq", Path(folder) / "store"
        roles = [role for role in GRAPH_ROLES if local[role] is not None]
        if served_as_is:
            store = Path(graph_path)
            del dataset, local  # the server opens the store itself
        else:
            dataset.store.dump(str(data), format=pyoxigraph.RdfFormat.N_QUADS)
            loaded = subprocess.run([binary, "load", "--location", str(store), "--file", str(data)],
                                    capture_output=True, text=True)
            if loaded.returncode != 0:
                raise CchcError(f"oxigraph load failed: {_one_line(loaded.stderr or loaded.stdout, 500)}")
        command = [binary, "serve-read-only", "--location", str(store), "--bind", _host_port(host, port),
                   "--union-default-graph"] + (["--cors"] if cors else [])
        previous = signal.getsignal(signal.SIGTERM)

        def interrupted(signum, frame):  # noqa: ARG001 - signal handler signature
            raise KeyboardInterrupt

        process = subprocess.Popen(command)
        try:
            signal.signal(signal.SIGTERM, interrupted)
            wait_for_port(host, port, process)
            url = f"http://{_host_port(host, port)}"
            echo(f"SPARQL endpoint: {url}/query (read-only; default graph = union of {', '.join(roles)})")
            echo(f"query editor:    {url}/")
            echo("stop with Ctrl-C")
            code = process.wait()
            if code != 0:
                raise CchcError(f"the Oxigraph server stopped with exit code {code} (see its message above)")
            return code
        except KeyboardInterrupt:
            return 0
        finally:
            signal.signal(signal.SIGTERM, previous)
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
