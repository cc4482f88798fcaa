"""`publish`: the built graph into a SPARQL store, all or nothing as a reader sees it (probe, lock, upload
into temporary graphs, counts checked, one switching update request)."""

from __future__ import annotations

import datetime as dt
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from rdflib import Literal, URIRef

from ..errors import CchcError, RemoteError
from ..namespaces import PROV, XSD
from ..progress import progress
from ..query import Table, with_values
from .client import GRAPH_ROLES, graph_names, run_remote
from .http import DEFAULT_RETRIES, DEFAULT_TIMEOUT, _request, check_url
from .link import _batches

UPDATE_CHUNK = 5000  # triples per SPARQL Update request when publishing without GSP
# Triples per Graph Store Protocol request: a graph is sent as a PUT and then POSTs of this many triples, so no
# request is one transaction of a corpus (a 1.45 M-triple PUT held Virtuoso 7.2's locks for good).
GSP_CHUNK = 100_000


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


def _gsp_parts(data: bytes, chunk: int = GSP_CHUNK) -> list[bytes]:
    """N-Triples in parts of at most `chunk` triples, for a PUT and then POSTs. The triples with a blank node
    all go in the first part (a blank node label names one node only within one document)."""
    lines = data.splitlines(keepends=True)
    blank = [line for line in lines if b"_:" in line]  # a literal holding "_:" only moves to the first part
    plain = [line for line in lines if b"_:" not in line]
    first = max(0, chunk - len(blank))
    parts = [b"".join(blank + plain[:first])]
    parts += [b"".join(plain[start:start + chunk]) for start in range(first, len(plain), chunk)]
    return parts


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
    from ..ondisk import is_store, role_view, store_manifest
    from ..query import open_local
    from ..store import ASSERTED, INFERRED, LINKS, ONTOLOGY_GRAPH, links_path_for

    if is_store(graph_path) and store_manifest(graph_path).get("format") == 2:  # a graph per plan: by role
        dataset = role_view(Path(graph_path), reasoning)
    else:
        dataset = open_local(Path(graph_path), reasoning)
    has_links = dataset.graph_size(LINKS) > 0 if is_store(graph_path) else links_path_for(Path(graph_path)).exists()
    present = {"asserted": ASSERTED, "ontology": ONTOLOGY_GRAPH, "inferred": INFERRED if reasoning else None,
               "links": LINKS if has_links else None}
    return dataset, {role: StoreGraph(dataset, name) if name else None for role, name in present.items()}


def _too_large(exc: RemoteError) -> bool:
    """Virtuoso's SR325: a transaction that logs more than its TransactionAfterImageLimit is refused whole."""
    return "SR325" in str(exc)


def _what_next(exc: RemoteError) -> str:
    if _too_large(exc):  # running publish again would fail the same way
        return ("Virtuoso refuses a transaction that logs more than TransactionAfterImageLimit bytes (50 MB unless "
                "set): raise it in the [Parameters] section of virtuoso.ini (e.g. TransactionAfterImageLimit = "
                "2000000000), restart Virtuoso and run publish again")
    return "Run publish again"


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


def _ended(end, now: dt.datetime) -> bool:
    """Whether a lease's end (an xsd:dateTime literal) is past; an unreadable one counts as running."""
    try:
        value = dt.datetime.fromisoformat(str(end).replace("Z", "+00:00"))
    except ValueError:
        return False
    return (value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)) <= now


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
        """Take the store's publish lock for these graphs, a lease until a time: each publisher's lease is a node of
        its own in the lock graph (holder and end). It reads the lock graph back, removes leases that have
        expired (left by a publish that died), and goes on only when no other unexpired lease is there. Two
        publishers that insert at once both see two leases and both give up: never both go on.
        The lease goes in by a compare-and-set request (in where no unexpired lease is); a store that skips
        that request (Virtuoso 7.2) gets a plain insert, and the read-back keeps the guarantee. Why in the
        store and not a file lock: publishers on other machines see it too."""
        self.lease = max(LOCK_LEASE, self.timeout * 8)
        self.until = time.monotonic() + self.lease
        now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
        expiry = Literal((now + dt.timedelta(seconds=self.lease)).isoformat(), datatype=XSD.dateTime)
        lock, by, until = self.lock.n3(), PROV.wasAttributedTo.n3(), PROV.invalidatedAtTime.n3()
        lease = f"{self.lease_node.n3()} {by} {self.holder.n3()} ; {until} {expiry.n3()}"
        read = (f"SELECT ?held ?holder ?end WHERE {{ GRAPH {lock} {{ ?held {by} ?holder "
                f"OPTIONAL {{ ?held {until} ?end }} }} }}")
        # A compare-and-set in one request: our lease goes in only where no unexpired lease is.
        self.update(f"DELETE {{ GRAPH {lock} {{ ?s ?p ?o }} }}\n"
                    f"INSERT {{ GRAPH {lock} {{ {lease} }} }}\n"
                    f"WHERE {{ OPTIONAL {{ GRAPH {lock} {{ ?s ?p ?o }} }}\n"
                    f"  FILTER NOT EXISTS {{ GRAPH {lock} {{ ?held {until} ?end FILTER(?end > {Literal(now.isoformat(), datatype=XSD.dateTime).n3()}) }} }} }}",
                    f"taking the publish lock <{self.lock}>")
        rows = self.select(read, "reading the publish lock").rows
        if not any(row.get("holder") == self.holder for row in rows) and not any(
                row.get("end") is None or not _ended(row["end"], now) for row in rows):
            # No lease of ours and none running: the store skipped the conditional request (Virtuoso 7.2 does).
            # Then insert ours plainly; the read-back below still lets no two publishers go on together.
            self.update(f"INSERT DATA {{ GRAPH {lock} {{ {lease} }} }}", f"taking the publish lock <{self.lock}>")
            rows = self.select(read, "reading the publish lock").rows
        ours = any(row.get("holder") == self.holder for row in rows)
        others = [row for row in rows if row.get("holder") != self.holder]
        expired = [row for row in others if row.get("end") is not None and _ended(row["end"], now)]
        running = [row for row in others if row not in expired]
        if ours and expired:  # leases of publishes that died
            self.update("DELETE DATA { GRAPH " + lock + " { " + " ".join(
                f"{row['held'].n3()} {by} {row['holder'].n3()} . {row['held'].n3()} {until} {row['end'].n3()} ."
                for row in expired) + " } }", "removing expired publish leases")
        if ours and not running:
            return
        if ours:
            self.give_back()
        if not running:
            raise RemoteError(f"{self.targets.update}: the store did not apply a SPARQL Update (the publish lock "
                              f"<{self.lock}> is not there after it was inserted): not a SPARQL Update endpoint? "
                              "Check --update-endpoint")
        ends = sorted(str(row["end"]) for row in running if row.get("end") is not None)
        raise RemoteError(f"{self.targets.update}: another publish to these graphs is running (it holds the lock "
                          f"<{self.lock}> until {ends[-1] if ends else '?'}). Run publish again when it has finished; "
                          f"if none is running (one died), the lock expires then, or drop it: DROP GRAPH <{self.lock}>")

    @property
    def lease_node(self) -> URIRef:
        return URIRef(f"{self.lock}#{self.token}")

    def give_back(self) -> None:
        self.update(f"DELETE WHERE {{ GRAPH {self.lock.n3()} {{ {self.lease_node.n3()} ?p ?o }} }}",
                    "giving the lock back")

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
        drops.append(f"DELETE WHERE {{ GRAPH {self.lock.n3()} {{ {self.lease_node.n3()} ?p ?o }} }}")
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
            timeout: float = DEFAULT_TIMEOUT, retries: int = DEFAULT_RETRIES,
            gsp_chunk: int = GSP_CHUNK) -> PublishReport:
    """Replace our named graphs in a SPARQL store with the built graph, the ontology, the inferred triples
    and the link graph (those `query` runs on), all at once as a reader sees it:

    1. a probe query with a known answer (a web page answering 200 is not a store);
    2. the store's publish lock for these graphs (`_Publication.acquire`: two publishers never interleave);
    3. each graph uploaded into a fresh temporary graph (a GSP PUT and then POSTs of at most `gsp_chunk`
       triples, or SPARQL Update INSERT DATA);
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
                    parts = _gsp_parts(graph.ntriples(), gsp_chunk)
                    for index, part in enumerate(parts):
                        method = "PUT" if index == 0 else "POST"  # POST adds to the graph the PUT made
                        status = _request(method, _with_graph(targets.gsp, temporary),
                                          what=f"GSP {method} of graph <{temporary}>"
                                               + (f" (part {index + 1} of {len(parts)})" if len(parts) > 1 else ""),
                                          data=part, content_type="application/n-triples", timeout=timeout,
                                          retries=retries, accept=(404, 405, 501) if first and index == 0 else ())
                        if status in (404, 405, 501):
                            mode = "update"  # no Graph Store Protocol here: SPARQL Update from now on
                            break
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
                          f"sees the previous ones); {left}. {_what_next(exc)}") from None
    try:
        # Never retried: applied once, a second run would drop the graphs it has just put in place.
        run.update(run.switch_request(present, leftovers), "switching to the new graphs", retries=0)
    except RemoteError as exc:
        if _too_large(exc):  # Virtuoso refused the transaction whole: nothing was switched
            left = run.clean_up()
            raise RemoteError(f"{exc}; the published graphs were not changed; {left}. {_what_next(exc)}") from None
        raise RemoteError(f"{exc}; the store applies this one request whole or not at all: run publish again "
                          "(then it replaces the graphs whichever way it went)") from None
    return PublishReport(targets.update if mode == "update" else targets.gsp, mode,
                         [(names[role], len(local[role])) for role in present],
                         [names[role] for role in GRAPH_ROLES if local[role] is None])
