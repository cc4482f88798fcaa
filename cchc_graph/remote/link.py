"""`link`: look the plan's legal documents up in a law database modelled in ELI and write what is found to
the link graph (build/graph.links.ttl, the named graph <https://w3id.org/cchc-graph/graph/links>).

The queries sent are saved queries (queries/eli-*.rq) with values bound as RDF terms (query.with_rows /
with_values); the answers are parsed into RDF terms, never pasted into query text. Nothing local is written
until every remote request has succeeded."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from .. import __version__
from ..errors import CchcError, RemoteError
from ..legal import LOCAL_ISSUERS, parse_number
from ..namespaces import CCHC, ELI, GRAPH, OWL, PROV, RDF, RDFS, XSD, bind_prefixes
from ..query import Table, get_query, run_local, with_rows, with_values
from ..store import links_path_for, output_target, serialize, write_bytes
from ..text import fold
from .client import run_remote
from .http import DEFAULT_RETRIES, DEFAULT_TIMEOUT, check_url

DEFAULT_BATCH = 20  # documents (or records) per lookup request
LINKS_GRAPH = GRAPH.links


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
    from ..store import read_graph

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
