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
import urllib.parse
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
from .store import links_path_for, output_target, serialize, write_bytes
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


# A remote request is bounded in time as a whole (connection, upload, every read of the answer, and the
# retries), not per socket read: a server trickling one byte a second never lets a per-read timeout fire.
# Python's HTTP clients (urllib, and SPARQLWrapper over it) only have the per-read one, so each request runs
# on an http.client connection that a timer shuts down when the deadline passes. The answer is read in
# pieces and refused once it is larger than MAX_ANSWER_BYTES, before it fills the memory.
MAX_ANSWER_BYTES = 128 * 2**20
ERROR_BODY_BYTES = 64 * 2**10  # of an HTTP error answer, only the start is shown


@dataclass
class Answer:
    status: int
    reason: str
    content_type: str
    body: bytes


class HttpStatusError(Exception):
    def __init__(self, answer: Answer):
        super().__init__(f"HTTP {answer.status}")
        self.answer = answer


class DeadlinePassed(Exception):
    """The request's --timeout deadline passed before its answer was complete."""


class AnswerTooLarge(Exception):
    """The answer is larger than MAX_ANSWER_BYTES."""


def _exchange(method: str, url: str, headers: dict[str, str], data: bytes | None, seconds: float,
              limit: int) -> Answer:
    """One HTTP exchange that ends within `seconds`, whatever the server does, with an answer of at most
    `limit` bytes (an error answer is cut instead)."""
    import threading

    if seconds <= 0:
        raise DeadlinePassed()
    end = time.monotonic() + seconds
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "https":
        import ssl
        connection: http.client.HTTPConnection = http.client.HTTPSConnection(
            parts.hostname, parts.port, timeout=seconds, context=ssl.create_default_context())
    else:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=seconds)
    expired = threading.Event()

    def expire() -> None:
        expired.set()
        sock = connection.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)  # wakes the reading (or sending) thread at once
            except OSError:
                pass

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()
    response = None
    try:
        target = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
        connection.request(method, target, body=data, headers=headers)
        response = connection.getresponse()
        failed = response.status >= 400
        cap = ERROR_BODY_BYTES if failed else limit
        declared = response.getheader("Content-Length")
        if not failed and declared and declared.strip().isdigit() and int(declared) > limit:
            raise AnswerTooLarge(f"the answer announces {int(declared):,} bytes")
        body = bytearray()
        while len(body) <= cap:
            piece = response.read1(65536)
            if not piece:
                break
            body += piece
        if expired.is_set():
            raise DeadlinePassed()
        if len(body) > cap:
            if not failed:
                raise AnswerTooLarge(f"more than {limit:,} bytes came")
            del body[cap:]
        elif response.length:  # the connection closed before the announced length came
            raise http.client.IncompleteRead(bytes(body), response.length)
        return Answer(response.status, response.reason or "", response.getheader("Content-Type") or "", bytes(body))
    except (OSError, http.client.HTTPException):
        if expired.is_set() or time.monotonic() >= end - 0.05:  # the socket's own timeout may fire first
            raise DeadlinePassed() from None
        raise
    finally:
        timer.cancel()
        if response is not None:
            response.close()  # its file holds the socket open past connection.close()
        connection.close()


def _explain(exc: BaseException, timeout: float) -> tuple[bool, str]:
    """(transient?, what went wrong) for an exception raised while talking to an endpoint."""
    if isinstance(exc, HttpStatusError):
        return _http_status(exc.answer.status, exc.answer.reason, exc.answer.body)
    if isinstance(exc, DeadlinePassed):
        return False, f"no complete answer within {timeout:g} s (timeout; --timeout bounds the whole request)"
    if isinstance(exc, AnswerTooLarge):
        return False, (f"the answer is too large: {exc}, over the limit of {MAX_ANSWER_BYTES // 2**20} MB "
                       "(ask for less: a narrower query, or a LIMIT)")
    if isinstance(exc, http.client.IncompleteRead):
        return True, (f"connection closed in the middle of the answer ({len(exc.partial):,} bytes came, "
                      f"{exc.expected:,} more announced)")
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return True, f"no answer within {timeout:g} s (timeout)"
    if isinstance(exc, ConnectionRefusedError):
        return True, "connection refused (is the server running, on this port?)"
    if isinstance(exc, socket.gaierror):
        return False, f"cannot send the request: {exc}"
    if isinstance(exc, (ConnectionError, http.client.HTTPException)):
        return True, f"connection broken ({type(exc).__name__}: {exc})"
    if isinstance(exc, OSError):
        return True, f"cannot connect ({exc})"
    return False, f"{type(exc).__name__}: {exc}"


_FAILURES = (OSError, http.client.HTTPException, HttpStatusError, DeadlinePassed, AnswerTooLarge)


def _send(method: str, url: str, *, what: str, endpoint: str | None = None, data: bytes | None = None,
          headers: dict[str, str] | None = None, timeout: float = DEFAULT_TIMEOUT, retries: int = DEFAULT_RETRIES,
          accept: Iterable[int] = ()) -> Answer:
    """An HTTP request, again after a transient failure (connection error, HTTP 5xx or 429) with exponential
    backoff, at most retries + 1 times, all within one deadline of `timeout` seconds. Statuses in `accept`
    are returned, other statuses of 400 and over raised; any failure is a RemoteError naming `endpoint`."""
    headers = {"User-Agent": USER_AGENT, **(headers or {})}
    accepted = set(accept)
    deadline = time.monotonic() + timeout
    attempts = max(0, retries) + 1
    for number in range(1, attempts + 1):
        try:
            answer = _exchange(method, url, headers, data, deadline - time.monotonic(), MAX_ANSWER_BYTES)
            if answer.status >= 400 and answer.status not in accepted:
                raise HttpStatusError(answer)
            return answer
        except _FAILURES as exc:
            transient, reason = _explain(exc, timeout)
            pause = BACKOFF * 2 ** (number - 1)
            late = transient and number < attempts and time.monotonic() + pause >= deadline
            if not transient or number == attempts or late:
                tried = f" (tried {number} times)" if number > 1 else ""
                if late:
                    tried += f"; no time left within --timeout {timeout:g} s to try again"
                raise RemoteError(f"{endpoint or url}: {what}: {reason}{tried}") from None
            time.sleep(pause)
    raise AssertionError("unreachable")


def _request(method: str, url: str, *, what: str, data: bytes | None = None, content_type: str | None = None,
             timeout: float = DEFAULT_TIMEOUT, retries: int = DEFAULT_RETRIES, accept: Iterable[int] = ()) -> int:
    """An HTTP request (GSP, SPARQL Update); the status code. Statuses in `accept` are returned, not raised."""
    headers = {"Content-Type": content_type} if content_type else {}
    return _send(method, url, what=what, data=data, headers=headers, timeout=timeout, retries=retries,
                 accept=accept).status


# ---------------------------------------------------------------------------------------- queries

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
    kept: int | None = None  # set when the file was kept: the documents it links, more than this run found


def linked_in(path: Path) -> int:
    """How many of our documents the link graph file links (subjects of owl:sameAs); 0 when there is no
    file, or one that is not Turtle (nothing worth keeping)."""
    if not Path(path).exists():
        return 0
    try:
        graph = Graph().parse(path, format="turtle")
    except Exception:  # rdflib raises parser-specific types
        return 0
    return len(set(graph.subjects(OWL.sameAs, None)))


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
         now: Callable[[], dt.datetime] | None = None, replace: bool = False) -> LinkReport:
    """Look every legal document of the built graph up in an ELI law database and write the link graph.

    The file (default: beside the graph, NAME.links.ttl) is written only after every request succeeded;
    on any failure it stays as it was and RemoteError is raised. When this run links fewer documents than
    the file already does (a wrong endpoint or default graph finds nothing), the file is kept too, and the
    report says so (`kept`), unless `replace`."""
    from .store import read_graph

    check_url(endpoint, "SPARQL endpoint")
    if batch_size < 1:
        raise CchcError("--batch-size must be at least 1")
    output = Path(output) if output else links_path_for(Path(graph_path))
    output_target(output)  # refuse a directory, pipe or device before asking the endpoint anything
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
    report = LinkReport(endpoint, output, len(documents), linked, not_found, sorted(changes), len(graph))
    if not replace:
        before = linked_in(output)
        if len(linked) < before:
            report.kept = before
            return report
    write_bytes(output, serialize(graph, "turtle"))
    return report


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


@dataclass(frozen=True)
class PublishTargets:
    gsp: str  # Graph Store Protocol URL
    update: str  # SPARQL Update endpoint
    query: str  # SPARQL query endpoint (the probe, the lock, the triple counts)


def publish_targets(endpoint: str, update_endpoint: str | None = None,
                    query_endpoint: str | None = None) -> PublishTargets:
    """The store's endpoints. A server base (no path: Oxigraph) means BASE/store, BASE/update and BASE/query;
    any other URL is the GSP endpoint itself (Fuseki /ds/data or /ds, Virtuoso /sparql-graph-crud), with the
    Update endpoint given by --update-endpoint or else the same URL, and the query endpoint by
    --query-endpoint, or else the Update endpoint with a last segment `update` made `query` (Oxigraph,
    Fuseki), or else the Update endpoint itself (Virtuoso's /sparql takes both)."""
    check_url(endpoint, "publish endpoint")
    for url, role in ((update_endpoint, "update endpoint"), (query_endpoint, "query endpoint")):
        if url:
            check_url(url, role)
    parts = urllib.parse.urlsplit(endpoint)
    if parts.path in ("", "/") and not parts.query:
        base = endpoint.rstrip("/")
        return PublishTargets(base + "/store", update_endpoint or base + "/update", query_endpoint or base + "/query")
    update = update_endpoint or endpoint
    if not query_endpoint:
        update_parts = urllib.parse.urlsplit(update)
        head, _, last = update_parts.path.rpartition("/")
        query_endpoint = (urllib.parse.urlunsplit(update_parts._replace(path=head + "/query"))
                          if last == "update" else update)
    return PublishTargets(endpoint, update, query_endpoint)


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
    """SPARQL Update requests that replace a named graph: DROP SILENT GRAPH, then INSERT DATA in chunks. Triples with blank nodes all go in the first request (a blank node
    label means one node only within one request), which also drops the graph first, so that any request
    can be retried safely."""
    name = graph_iri.n3()
    if graph is None:
        return [f"DROP SILENT GRAPH {name}"]
    lines_with_bnodes, lines = [], []
    for line, has_blank_node in graph.lines():
        (lines_with_bnodes if has_blank_node else lines).append(line)
    lines.sort()
    room = max(0, chunk - len(lines_with_bnodes))
    first, rest = lines_with_bnodes + lines[:room], lines[room:]
    requests = [f"DROP SILENT GRAPH {name} ;\nINSERT DATA {{ GRAPH {name} {{\n" + "\n".join(first) + "\n} }"]
    for part in _batches(rest, chunk):
        requests.append(f"INSERT DATA {{ GRAPH {name} {{\n" + "\n".join(part) + "\n} }")
    return requests


def local_store_graphs(graph_path: Path, reasoning: bool = True):
    """The embedded store `query` runs on (files loaded straight into Oxigraph, the inferred graph from its
    cache) and, by role, the StoreGraph to publish, or None for a role with nothing to publish (no link
    file; the inferred graph with --no-reasoning)."""
    from .query import open_local
    from .store import ASSERTED, INFERRED, LINKS, ONTOLOGY_GRAPH, links_path_for

    dataset = open_local(Path(graph_path), reasoning)
    present = {"asserted": ASSERTED, "ontology": ONTOLOGY_GRAPH, "inferred": INFERRED if reasoning else None,
               "links": LINKS if links_path_for(Path(graph_path)).exists() else None}
    return dataset, {role: StoreGraph(dataset, name) if name else None for role, name in present.items()}


LOCK_LEASE = 600  # seconds a publish holds the store's lock at least (longer with a larger --timeout)


def probe_store(query_endpoint: str, timeout: float, retries: int) -> None:
    """Ask the store a question only a SPARQL engine answers right (a random value bound in a VALUES block
    comes back), before anything is written: a web page answering 200 to everything is not a store."""
    import secrets

    token = Literal(f"cchc-graph probe {secrets.token_hex(8)}")
    text = with_values("SELECT ?probe WHERE { }", {"probe": [token]})
    try:
        answer = run_remote(query_endpoint, text, timeout=timeout, retries=retries, what="probe query")
    except RemoteError as exc:
        if "malformed response" not in str(exc) and "HTTP 4" not in str(exc):
            raise
        answer = None
        why = str(exc).partition(": probe query: ")[2] or str(exc)
    else:
        why = f"it answered {[{k: str(v) for k, v in row.items()} for row in answer.rows][:3]!r}"
    if answer is None or [row.get("probe") for row in answer.rows] != [token]:
        raise RemoteError(f"{query_endpoint}: not a SPARQL store: a probe query with a known answer got the wrong "
                          f"one ({why}); nothing was written. Check --endpoint (and --update-endpoint, "
                          "--query-endpoint)")


class _Publication:
    """One publish: its token, the temporary graph names it uploads into, and the lock it holds."""

    def __init__(self, targets: PublishTargets, names: dict[str, URIRef], timeout: float, retries: int):
        import secrets

        self.targets, self.names, self.timeout, self.retries = targets, names, timeout, retries
        self.token = secrets.token_hex(8)
        base = str(names["asserted"])[: -len("asserted")]
        self.lock = URIRef(base + "publish-lock")
        self.temporary = {role: URIRef(f"{iri}.publishing-{self.token}") for role, iri in names.items()}
        self.holder = URIRef(f"urn:cchc-graph:publish:{self.token}")

    def update(self, text: str, what: str, retries: int | None = None) -> None:
        _request("POST", self.targets.update, what=what, data=text.encode("utf-8"),
                 content_type="application/sparql-update; charset=utf-8", timeout=self.timeout,
                 retries=self.retries if retries is None else retries)

    def select(self, text: str, what: str) -> Table:
        return run_remote(self.targets.query, text, timeout=self.timeout, retries=self.retries, what=what)

    def acquire(self) -> None:
        """Take the store's publish lock for these graphs, a lease until a time: one update request inserts
        our holder only where no unexpired lease is (a compare-and-set the store runs as one request; an
        expired lease, left by a publish that died, is replaced), then we read the lock back and go on only
        when ours is its only holder. Two publishers that insert at once both see two holders and both give
        up: never both go on. Why in the store and not a file lock: publishers on other machines see it too."""
        self.lease = max(LOCK_LEASE, self.timeout * 8)
        self.until = time.monotonic() + self.lease
        now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
        expiry = Literal((now + dt.timedelta(seconds=self.lease)).isoformat(), datatype=XSD.dateTime)
        current = Literal(now.isoformat(), datatype=XSD.dateTime)
        lock, by, until = self.lock.n3(), PROV.wasAttributedTo.n3(), PROV.invalidatedAtTime.n3()
        self.update(f"DELETE {{ GRAPH {lock} {{ ?s ?p ?o }} }}\n"
                    f"INSERT {{ GRAPH {lock} {{ {lock} {by} {self.holder.n3()} ; {until} {expiry.n3()} }} }}\n"
                    f"WHERE {{ OPTIONAL {{ GRAPH {lock} {{ ?s ?p ?o }} }}\n"
                    f"  FILTER NOT EXISTS {{ GRAPH {lock} {{ ?held {until} ?end FILTER(?end > {current.n3()}) }} }} }}",
                    f"taking the publish lock <{self.lock}>")
        rows = self.select(f"SELECT ?holder ?end WHERE {{ GRAPH {lock} {{ ?held {by} ?holder "
                           f"OPTIONAL {{ ?held {until} ?end }} }} }}", "reading the publish lock").rows
        holders = {row.get("holder") for row in rows}
        if holders == {self.holder}:
            return
        if self.holder in holders:  # two took it at once: both give up
            self.update(f"DELETE WHERE {{ GRAPH {lock} {{ {lock} {by} {self.holder.n3()} }} }}", "giving the lock back")
        if not holders:
            raise RemoteError(f"{self.targets.update}: the store did not apply a SPARQL Update (the publish lock "
                              f"<{self.lock}> is not there after it was inserted): not a SPARQL Update endpoint? "
                              "Check --update-endpoint")
        ends = sorted(str(row["end"]) for row in rows if row.get("end") is not None and row.get("holder") != self.holder)
        raise RemoteError(f"{self.targets.update}: another publish to these graphs is running (it holds the lock "
                          f"<{self.lock}> until {ends[-1] if ends else '?'}). Run publish again when it has finished; "
                          f"if none is running (one died), the lock expires then, or drop it: DROP GRAPH <{self.lock}>")

    def check_lease(self) -> None:
        if time.monotonic() > self.until:
            raise RemoteError(f"{self.targets.update}: the upload took longer than the publish lock's lease "
                              f"({self.lease:g} s), so another publish may have started: run publish again (a "
                              "larger --timeout gives a longer lease)")

    def counts(self, graphs: Iterable[URIRef]) -> dict[URIRef, int]:
        graphs = list(graphs)
        table = self.select(with_values("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
                                        {"g": graphs}), "counting the triples uploaded")
        found = {row.get("g"): int(row["n"]) for row in table.rows if row.get("n") is not None}
        return {graph: found.get(graph, 0) for graph in graphs}

    def leftovers(self) -> list[URIRef]:
        """Temporary graphs an earlier publish of these graphs left (it died, and so did its clean-up)."""
        marks = [Literal(f"{iri}.publishing-") for iri in self.names.values()]
        table = self.select(with_values("SELECT DISTINCT ?g WHERE { GRAPH ?g { } FILTER(STRSTARTS(STR(?g), ?mark)) }",
                                        {"mark": marks}), "looking for temporary graphs left by earlier runs")
        ours = set(self.temporary.values())
        return sorted(row["g"] for row in table.rows if isinstance(row.get("g"), URIRef) and row["g"] not in ours)

    def switch_request(self, present: Iterable[str], leftovers: Iterable[URIRef] = ()) -> str:
        """One update request that puts every uploaded graph in place of the published one (or drops a
        published one with nothing to publish) and frees the lock: readers see the old graphs or the new."""
        operations = []
        for role, final in self.names.items():
            operations.append(f"DROP SILENT GRAPH {final.n3()}")
            if role in present:
                operations.append(f"ADD SILENT GRAPH {self.temporary[role].n3()} TO GRAPH {final.n3()}")
                operations.append(f"DROP SILENT GRAPH {self.temporary[role].n3()}")
        operations += [f"DROP SILENT GRAPH {iri.n3()}" for iri in leftovers]
        operations.append(f"DROP SILENT GRAPH {self.lock.n3()}")
        return " ;\n".join(operations)

    def clean_up(self) -> str:
        """Drop the temporary graphs and the lock (best effort); what is left and what to do, for the error."""
        drops = [f"DROP SILENT GRAPH {iri.n3()}" for iri in self.temporary.values()]
        drops.append(f"DELETE WHERE {{ GRAPH {self.lock.n3()} {{ {self.lock.n3()} "
                     f"{PROV.wasAttributedTo.n3()} {self.holder.n3()} ; ?p ?o }} }}")
        try:
            _request("POST", self.targets.update, what="removing the temporary graphs",
                     data=" ;\n".join(drops).encode("utf-8"),
                     content_type="application/sparql-update; charset=utf-8", timeout=min(self.timeout, 10), retries=0)
        except RemoteError:
            left = ", ".join(f"<{iri}>" for iri in self.temporary.values())
            return (f"these temporary graphs may be left in the store: {left}, and the lock <{self.lock}> (until "
                    f"{self.lease:g} s after the start); when the store is back, drop them (DROP SILENT GRAPH <…> "
                    "for each) or run publish again: it removes the temporary graphs of earlier runs, and replaces an expired lock")
        return "its temporary graphs were removed"


def publish(graph_path: Path, endpoint: str, *, graph_iri: str | None = None, update_endpoint: str | None = None,
            query_endpoint: str | None = None, protocol: str = "auto", reasoning: bool = True,
            timeout: float = DEFAULT_TIMEOUT, retries: int = DEFAULT_RETRIES) -> PublishReport:
    """Replace our named graphs in a SPARQL store with the built graph, the ontology, the inferred triples
    and the link graph (those `query` runs on), all at once as a reader sees it:

    1. a probe query with a known answer (a web page answering 200 is not a store);
    2. the store's publish lock for these graphs (`_Publication.acquire`: two publishers never interleave);
    3. each graph uploaded into a fresh temporary graph (GSP PUT, or SPARQL Update INSERT DATA);
    4. the triple counts the store reports for them checked against ours;
    5. one update request that drops the published graphs, adds the new ones in their place and frees the
       lock. A graph with nothing to publish (no link graph; the inferred one with --no-reasoning) is dropped.

    On any failure before 5 the published graphs are untouched and the temporary ones are removed (the error
    says what may be left when even that fails). protocol: "gsp", "update" or "auto" (GSP, and SPARQL Update
    when the store has no GSP: 404, 405 or 501 on the first PUT)."""
    if protocol not in ("auto", "gsp", "update"):
        raise CchcError(f"unknown protocol {protocol!r}; choose auto, gsp or update")
    targets = publish_targets(endpoint, update_endpoint, query_endpoint)
    names = graph_names(graph_iri)
    _, local = local_store_graphs(Path(graph_path), reasoning)
    probe_store(targets.query, timeout, retries)
    run = _Publication(targets, names, timeout, retries)
    mode = "update" if protocol == "update" else "gsp"
    present = [role for role in GRAPH_ROLES if local[role] is not None]
    try:
        run.acquire()
        with progress(len(present) + 1, "publish: graphs") as bar:
            for role in present:
                temporary, graph = run.temporary[role], local[role]
                if mode == "gsp":
                    first = protocol == "auto" and role == present[0]
                    status = _request("PUT", _with_graph(targets.gsp, temporary),
                                      what=f"GSP PUT of graph <{temporary}>", data=graph.ntriples(),
                                      content_type="application/n-triples", timeout=timeout, retries=retries,
                                      accept=(404, 405, 501) if first else ())
                    if status in (404, 405, 501):
                        mode = "update"  # no Graph Store Protocol here: SPARQL Update from now on
                if mode == "update":
                    requests = _update_requests(temporary, graph)
                    for index, text in enumerate(requests, 1):
                        run.update(text, f"SPARQL Update of graph <{temporary}> ({index} of {len(requests)})")
                bar.advance()
            expected = {run.temporary[role]: len(local[role]) for role in present}
            stored = run.counts(expected)
            wrong = [f"<{iri}>: {stored[iri]} stored of {count}" for iri, count in expected.items() if stored[iri] != count]
            if wrong:
                raise RemoteError(f"{targets.query}: the store does not hold what was uploaded ({'; '.join(wrong)})")
            leftovers = run.leftovers()
            run.check_lease()
            bar.advance()
    except RemoteError as exc:
        left = run.clean_up()
        raise RemoteError(f"{exc}; nothing local was changed; the published graphs were not changed (a reader still "
                          f"sees the previous ones); {left}. Run publish again") from None
    try:
        # Never retried: applied once, a second run would drop the graphs it has just put in place.
        run.update(run.switch_request(present, leftovers), "switching to the new graphs", retries=0)
    except RemoteError as exc:
        raise RemoteError(f"{exc}; the store applies this one request whole or not at all: run publish again "
                          "(then it replaces the graphs whichever way it went)") from None
    return PublishReport(targets.update if mode == "update" else targets.gsp, mode,
                         [(names[role], len(local[role])) for role in present],
                         [names[role] for role in GRAPH_ROLES if local[role] is None])


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


def service_clauses(text: str) -> bool:
    """Whether a query would call another endpoint (a SERVICE clause). Parsed with rdflib's parser, so the
    word in a string or an IRI is not one; a query rdflib cannot parse is taken to have one if the word
    SERVICE appears in it at all (refusing a rare valid query is safer than fetching for a stranger)."""
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        tree = parseQuery(text)
    except Exception:  # pyparsing's and rdflib's own parse errors
        return re.search(r"(?i)\bservice\b", text) is not None
    todo = [tree]
    while todo:
        node = todo.pop()
        if getattr(node, "name", None) == "ServiceGraphPattern":
            return True
        if isinstance(node, dict):
            todo.extend(node.values())
        elif isinstance(node, (list, tuple)) or type(node).__name__ == "ParseResults":
            todo.extend(node)
    return False


SERVICE_REFUSED = ("cchc-graph serve refuses SERVICE clauses: a federated query would make this server fetch from "
                   "other addresses for whoever can reach it. Query the other endpoint yourself.\n")
_HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
               "transfer-encoding", "upgrade", "content-length", "host"}


def _query_of(method: str, target: str, content_type: str, body: bytes) -> str | None:
    """The query text a SPARQL Protocol request carries (GET ?query=, POST form or POST sparql-query)."""
    texts = urllib.parse.parse_qs(urllib.parse.urlsplit(target).query).get("query", [])
    kind = content_type.split(";")[0].strip().lower()
    if method == "POST" and kind == "application/x-www-form-urlencoded":
        texts += urllib.parse.parse_qs(body.decode("utf-8", "replace")).get("query", [])
    elif method == "POST" and kind == "application/sparql-query":
        texts.append(body.decode("utf-8", "replace"))
    return "\n".join(texts) if texts else None


def guard_server(host: str, port: int, upstream_address: tuple[str, int]):
    """The HTTP server `serve` puts in front of Oxigraph (which has no option to turn federation off): it
    refuses a query with a SERVICE clause (403) and passes everything else to the Oxigraph server listening
    on 127.0.0.1 only. Raises OSError when host:port cannot be bound."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Guard(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length > 0 else b""
            query = _query_of(self.command, self.path, self.headers.get("Content-Type", ""), body)
            if query is not None and service_clauses(query):
                self.answer(403, "Forbidden", {"Content-Type": "text/plain; charset=utf-8"}, SERVICE_REFUSED.encode())
                return
            headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
            connection = http.client.HTTPConnection(*self.server.upstream, timeout=300)
            try:
                connection.request(self.command, self.path, body=body or None, headers=headers)
                response = connection.getresponse()
                data = response.read()
                kept = {k: v for k, v in response.getheaders() if k.lower() not in _HOP_BY_HOP}
                self.answer(response.status, response.reason, kept, data)
            except (OSError, http.client.HTTPException) as exc:
                self.answer(502, "Bad Gateway", {"Content-Type": "text/plain"}, f"Oxigraph: {exc}\n".encode())
            finally:
                connection.close()

        def answer(self, status: int, reason: str, headers: dict, data: bytes) -> None:
            self.send_response(status, reason)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_OPTIONS = do_PATCH = forward

        def log_message(self, *args) -> None:  # quiet, as the Oxigraph server is
            pass

    family = socket.AF_INET6 if ":" in host else socket.AF_INET

    class Server(ThreadingHTTPServer):
        address_family = family
        daemon_threads = True
        upstream = upstream_address

    return Server((host, port), Guard)


def _die_with_parent() -> None:
    """In the Oxigraph child, before exec: the kernel kills it when `serve` dies, even by kill -9 (Linux)."""
    import ctypes

    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


SERVE_PREFIX = "cchc-graph-serve-"


def clean_stale_serve_folders(folder: Path | None = None) -> list[Path]:
    """Remove the temporary stores of `serve` runs that died without cleaning up (kill -9): each folder is
    named after its serve's process id, removed when no such process is alive. The folders removed."""
    removed = []
    for path in Path(folder or tempfile.gettempdir()).glob(SERVE_PREFIX + "*"):
        match = re.fullmatch(re.escape(SERVE_PREFIX) + r"(\d+)-.*", path.name)
        if not match or not path.is_dir() or path.stat().st_uid != os.getuid():
            continue
        try:
            os.kill(int(match.group(1)), 0)
            continue  # its serve is still running
        except ProcessLookupError:
            pass
        except PermissionError:
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


def _free_local_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _bind_error(host: str, port: int, exc: OSError) -> CchcError:
    import errno

    where = _host_port(host, port)
    if exc.errno == errno.EADDRINUSE:
        return CchcError(f"cannot listen on {where}: is the port taken? (choose another with --port)")
    if exc.errno == errno.EADDRNOTAVAIL:
        return CchcError(f"cannot listen on {where}: {host} is not an address of this machine (use 127.0.0.1, "
                         "0.0.0.0 for every address, or one of this machine's addresses)")
    if exc.errno == errno.EACCES:
        return CchcError(f"cannot listen on {where}: permission denied (ports below 1024 need privileges; "
                         "choose another with --port)")
    return CchcError(f"cannot listen on {where}: {exc.strerror or exc}")


def serve(graph_path: Path, *, host: str = "127.0.0.1", port: int = 7878, reasoning: bool = True,
          cors: bool = False, echo: Callable[[str], None] = print) -> int:
    """Load the graphs `query` runs on (each in its named graph, the default graph their union) into a
    temporary Oxigraph store and serve it read-only, in the foreground, until interrupted (Ctrl-C or
    SIGTERM). The Oxigraph server listens on 127.0.0.1 only, behind `guard_server` (no SERVICE), and dies
    with this process; its store is removed on exit, or by the next `serve` after a kill -9. Returns the
    server's exit code (0 after an interruption)."""
    import threading

    binary = oxigraph_binary()
    clean_stale_serve_folders()
    try:
        guard = guard_server(host, port, ("127.0.0.1", 0))
    except OSError as exc:
        raise _bind_error(host, port, exc) from None
    except socket.gaierror as exc:
        raise CchcError(f"cannot listen on {_host_port(host, port)}: {exc.strerror or exc}") from None
    import pyoxigraph

    try:
        dataset, local = local_store_graphs(Path(graph_path), reasoning)
        with tempfile.TemporaryDirectory(prefix=f"{SERVE_PREFIX}{os.getpid()}-") as folder:
            data, store = Path(folder) / "graphs.nq", Path(folder) / "store"
            dataset.store.dump(str(data), format=pyoxigraph.RdfFormat.N_QUADS)
            loaded = subprocess.run([binary, "load", "--location", str(store), "--file", str(data)],
                                    capture_output=True, text=True)
            if loaded.returncode != 0:
                raise CchcError(f"oxigraph load failed: {_one_line(loaded.stderr or loaded.stdout, 500)}")
            data.unlink()
            inner = _free_local_port()
            command = [binary, "serve-read-only", "--location", str(store), "--bind", f"127.0.0.1:{inner}",
                       "--union-default-graph"] + (["--cors"] if cors else [])
            previous = signal.getsignal(signal.SIGTERM)

            def interrupted(signum, frame):  # noqa: ARG001 - signal handler signature
                raise KeyboardInterrupt

            process = subprocess.Popen(command, preexec_fn=_die_with_parent if sys.platform == "linux" else None)
            thread = None
            try:
                signal.signal(signal.SIGTERM, interrupted)
                wait_for_port("127.0.0.1", inner, process)
                guard.upstream = ("127.0.0.1", inner)
                thread = threading.Thread(target=guard.serve_forever, daemon=True)
                thread.start()
                url = f"http://{_host_port(host, port)}"
                echo(f"SPARQL endpoint: {url}/query (read-only, no SERVICE; default graph = union of "
                     f"{', '.join(r for r in GRAPH_ROLES if local[r] is not None)})")
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
                if thread is not None:
                    guard.shutdown()
                if process.poll() is None:
                    process.terminate()
                    try:
                        process.wait(timeout=10)
                    except subprocess.TimeoutExpired:
                        process.kill()
                        process.wait()
    finally:
        guard.server_close()
