"""Map the sources to RDF: one small function per level (plan, area, objective, task, activity, row).

The build reads only local files (never the network) and is deterministic: every node has an IRI (no blank
nodes) and the serialisation is sorted, so the same input gives byte-identical output.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import re
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.plugins.serializers.nt import _nt_row

from . import __version__
from .agencies import Registry, load_registry
from .errors import SourceError
from .legal import (CatalogueEntry, Citation, DocumentRef, UnnumberedReference, eli_path, find_citations,
                    load_catalogue, load_unnumbered)
from .orgtime import Change, Timeline, load_changes, write_provinces
from .provinces import Province, Provinces, load_provinces
from .namespaces import CCHC, DCTERMS, ELI, ELI_BASE, ID, PK, PROV, RA, RDF, RDFS, SKOS, TIME, XSD, bind_prefixes
from .resources import DATA, DATA_FILES, DEFAULT_PLAN, ONTOLOGY
from .progress import progress
from .sources import PlanSource, TableRow, load_plan_meta, load_table
from .store import serialize
from .text import fold
from .timeframes import CONDITIONAL, FOLLOWING, ONGOING, PERIODIC, Timeframe, parse_timeframe

TIMEFRAME_CLASSES = {ONGOING: CCHC.OngoingTimeframe, CONDITIONAL: CCHC.ConditionalTimeframe,
                     FOLLOWING: CCHC.FollowingScheduleTimeframe, PERIODIC: CCHC.PeriodicTimeframe}


@dataclass
class Sources:
    """Everything shared by all plans: registry, legal catalogue, unnumbered references, product kinds."""
    registry: Registry
    catalogue: dict[str, CatalogueEntry]
    unnumbered: dict[str, UnnumberedReference]
    product_kinds: list[tuple[str, URIRef]]  # (folded leading words, concept), longest first
    reform_areas: set[str]
    provinces: Provinces
    changes: list[Change]
    data: Path = DATA  # the folder they were read from, for error messages

    @classmethod
    def load(cls, data: Path = DATA, ontology: Path = ONTOLOGY) -> "Sources":
        """Read the shared sources from DATA (the bundled data folder, or the one `build --data` names)."""
        missing = [name for name in DATA_FILES if not (data / name).is_file()]
        if missing:
            raise SourceError(data / missing[0], f"not found: a data folder holds {', '.join(DATA_FILES)}; start "
                                                 f"from a copy of the bundled ones in {DATA}")
        schemes = Graph().parse(ontology / "schemes.ttl")
        kinds = sorted(((fold(str(label)), concept) for concept, label in schemes.subject_objects(CCHC.matchLabel)
                        if str(concept).startswith(str(PK))), key=lambda pair: (-len(pair[0]), pair[0]))
        areas = {str(c)[len(str(RA)):] for c in schemes.subjects(SKOS.inScheme, RA.scheme)}
        provinces = load_provinces(data / "provinces.csv")
        return cls(load_registry(data / "agencies.csv", data / "agency-aliases.csv"),
                   load_catalogue(data / "legal-documents.csv"), load_unnumbered(data / "unnumbered-references.csv"),
                   kinds, areas, provinces, load_changes(data / "agency-changes.csv", provinces), data)

    @property
    def cited_as(self) -> dict[str, str]:
        names = {fold(name): entry.ref.number for entry in self.catalogue.values() for name in entry.cited_as}
        names.update({key: "" for key in self.unnumbered})
        return names


class Triples(set):
    """A plan's triples (rdflib terms) in a plain set: what `PlanMapper` adds to and tests membership in,
    without the indexes and events of an rdflib store, which took a third of a plan's mapping time."""

    def add(self, triple) -> None:  # noqa: D102 (Graph.add's signature: one (s, p, o) tuple)
        set.add(self, triple)

    def ntriples(self) -> bytes:
        """The triples as `serialize(graph, "nt")` writes a graph of them: rdflib's own N-Triples line of
        each triple (its serialiser's `_nt_row`), sorted, each once; the same bytes."""
        lines = sorted(set("".join(map(_nt_row, self)).splitlines()))
        return ("\n".join(line for line in lines if line) + "\n").encode("utf-8")


class PlanMapper:
    """Adds one plan to a graph (an rdflib Graph, or `Triples`)."""

    def __init__(self, graph: Graph | Triples, sources: Sources, plan: PlanSource, timeline: Timeline,
                 province: Province):
        self.g, self.sources, self.plan, self.meta = graph, sources, plan, plan.meta
        self.timeline, self.province = timeline, province
        self.registry = timeline.registry_of(province)  # the plan's own province first, then national bodies
        self.base = ID[f"plan/{plan.meta.plan_id}"]
        self.source_file = ID[f"source/{plan.meta.plan_id}/table.csv"]
        self.cited_as = sources.cited_as
        self.documents: dict[str, URIRef] = {}
        self.named: dict[str, None] = {}  # the agency ids the plan names, in order (BuildParts replays them)
        self.citations: Counter = Counter()  # citations made so far per element node (their IRIs count on)

    # ------------------------------------------------------------------ helpers
    def iri(self, *parts: str) -> URIRef:
        return URIRef(str(self.base) + "/" + "/".join(parts))

    def add(self, s, p, o) -> None:
        self.g.add((s, p, o))

    def text(self, s, p, value: str, lang: str | None = None) -> None:
        if value:
            self.add(s, p, Literal(value, lang=lang) if lang else Literal(value))

    def fail(self, row: TableRow, column: str, reason: str) -> SourceError:
        return SourceError(self.plan.table_path, reason, row=row.row_id, column=column)

    # ------------------------------------------------------------------ levels
    def map(self) -> None:
        self.map_plan()
        objective = task = activity = None
        keys: dict[str, object] = {}
        seen_objectives: set[tuple[str, str]] = set()
        counters: Counter = Counter()
        for position, row in enumerate(self.plan.rows, start=1):
            area = self.map_area(row["area"])
            # Merged cells are carried down in the table: a new node starts where the value changes.
            key = (row["area"], row["objective_no"])
            if keys.get("objective") != key:
                if key in seen_objectives:
                    raise self.fail(row, "objective_no", f"objective {key[1]} of area {key[0]} appears again "
                                                         "after another objective")
                seen_objectives.add(key)
                objective = self.map_objective(area, row)
                keys = {"objective": key, "objective_text": row["objective"]}
            elif keys.get("objective_text") != row["objective"]:
                raise self.fail(row, "objective", f"objective {key[1]} of area {key[0]} has a different text than "
                                                  "in the rows above it")
            if keys.get("task") != row["task"]:
                counters[("task", objective)] += 1
                task = self.map_task(objective, row, counters[("task", objective)])
                keys.update(task=row["task"], activity=None)
            if row["activity"] and keys.get("activity") != row["activity"]:
                counters[("activity", task)] += 1
                activity = self.map_activity(task, row, counters[("activity", task)])
                keys["activity"] = row["activity"]
            elif not row["activity"]:
                activity, keys["activity"] = None, None
            self.map_row(activity or task, row, position)

    def map_plan(self) -> None:
        m, plan = self.meta, self.base
        self.add(plan, RDF.type, CCHC.ReformPlan)
        self.text(plan, DCTERMS.title, m.title_vi, "vi")
        self.text(plan, DCTERMS.title, m.title_en, "en")
        self.text(plan, DCTERMS.alternative, m.appendix_title, "vi")
        self.add(plan, CCHC.planYear, Literal(m.year, datatype=XSD.integer))
        self.add(plan, DCTERMS.spatial, Literal(m.province, lang="vi"))
        self.add(plan, CCHC.province, ID[f"province/{self.province.slug}"])
        if m.issuer not in self.registry.agencies:
            raise SourceError(self.plan.folder / "plan.toml", f"issuer {m.issuer!r} is not in the agency registry "
                                                              f"of {self.province.label}")
        self.add(plan, ELI.passed_by, self.agency(m.issuer))
        self.add(plan, CCHC.numberAsPrinted, Literal(m.number_as_printed))
        self.add(plan, CCHC.dateAsPrinted, Literal(m.date_as_printed))
        self.text(plan, RDFS.comment, m.issued_with_as_printed, "vi")
        if m.number:
            self.add(plan, ELI.id_local, Literal(m.number))
        if m.issue_date:
            self.add(plan, ELI.date_document, Literal(m.issue_date, datatype=XSD.date))
        self.add(plan, PROV.wasDerivedFrom, self.source_file)
        self.add(self.source_file, RDF.type, PROV.Entity)
        self.text(self.source_file, DCTERMS.title, f"{m.plan_id}/table.csv")
        self.text(self.source_file, DCTERMS.source, m.source_document)
        activity = ID[f"build/{m.plan_id}"]
        self.add(plan, PROV.wasGeneratedBy, activity)
        self.add(activity, RDF.type, PROV.Activity)
        self.add(activity, PROV.used, self.source_file)
        self.text(activity, RDFS.label, f"cchc-graph {__version__} build")

    def map_area(self, number: str) -> URIRef:
        node = self.iri("area", number)
        if (self.base, CCHC.hasArea, node) not in self.g:
            area = self.meta.areas[number]
            if area.reform_area not in self.sources.reform_areas:
                raise SourceError(self.plan.folder / "plan.toml", f"[areas.{number}] reform_area {area.reform_area!r} "
                                  "is not a concept of ontology/schemes.ttl")
            self.add(self.base, CCHC.hasArea, node)
            self.add(node, RDF.type, CCHC.PlanArea)
            self.add(node, CCHC.areaNumber, Literal(number))
            self.add(node, CCHC.position, Literal(list(self.meta.areas).index(number) + 1, datatype=XSD.integer))
            self.add(node, CCHC.verbatimText, Literal(area.title))
            self.add(node, CCHC.reformArea, RA[area.reform_area])
        return node

    def map_element(self, parent: URIRef, link: URIRef, cls: URIRef, node: URIRef, row: TableRow, column: str,
                    position: int) -> URIRef:
        self.add(parent, link, node)
        self.add(node, RDF.type, cls)
        self.add(node, CCHC.verbatimText, Literal(row[column]))
        self.add(node, CCHC.position, Literal(position, datatype=XSD.integer))
        self.map_citations(node, row, column)
        return node

    def map_objective(self, area: URIRef, row: TableRow) -> URIRef:
        node = self.iri("objective", f"{row['area']}-{row['objective_no']}")
        self.add(node, CCHC.objectiveNumber, Literal(row["objective_no"]))
        return self.map_element(area, CCHC.hasObjective, CCHC.Objective, node, row, "objective", int(row["objective_no"]))

    def map_task(self, objective: URIRef, row: TableRow, n: int) -> URIRef:
        node = URIRef(str(objective).replace("/objective/", "/task/") + f"-{n}")
        return self.map_element(objective, CCHC.hasTask, CCHC.Task, node, row, "task", n)

    def map_activity(self, task: URIRef, row: TableRow, n: int) -> URIRef:
        node = URIRef(str(task).replace("/task/", "/activity/") + f"-{n}")
        return self.map_element(task, CCHC.hasActivity, CCHC.Activity, node, row, "activity", n)

    def map_row(self, parent: URIRef, row: TableRow, position: int) -> None:
        node = self.iri("row", row.row_id)
        self.add(parent, CCHC.hasRow, node)
        self.add(node, RDF.type, CCHC.PlanRow)
        self.add(node, CCHC.rowId, Literal(row.row_id))
        self.add(node, CCHC.position, Literal(position, datatype=XSD.integer))
        source_row = URIRef(f"{self.source_file}#row={row.row_id}")
        self.add(node, PROV.wasDerivedFrom, source_row)
        self.add(source_row, RDF.type, PROV.Entity)
        self.add(source_row, DCTERMS.isPartOf, self.source_file)
        self.add(source_row, CCHC.sourceRowNumber, Literal(row.line, datatype=XSD.integer))
        for n, line in enumerate(row["product"].split("\n") if row["product"] else [], start=1):
            self.map_product(node, row, line, n)
        self.map_agencies(node, row, "lead", CCHC.leadText, CCHC.leadAgency)
        self.map_agencies(node, row, "coordinators", CCHC.coordinatorsText, CCHC.coordinatingAgency)
        self.map_timeframe(node, row)

    def map_product(self, row_node: URIRef, row: TableRow, line: str, n: int) -> None:
        node = URIRef(f"{row_node}/product/{n}")
        self.add(row_node, CCHC.hasProduct, node)
        self.add(node, RDF.type, CCHC.Product)
        self.add(node, CCHC.verbatimText, Literal(line))
        self.add(node, CCHC.position, Literal(n, datatype=XSD.integer))
        label = re.sub(r"^[-+•]\s*", "", line).rstrip(" ;.")
        self.add(node, RDFS.label, Literal(label, lang="vi"))
        self.add(node, CCHC.productKind, self.product_kind(label))
        self.map_citations(node, row, "product", line)

    def product_kind(self, label: str) -> URIRef:
        folded = fold(label)
        for words, concept in self.sources.product_kinds:
            if folded == words or folded.startswith(words + " ") or folded.startswith(words + ","):
                return concept
        return PK.other

    def map_agencies(self, node: URIRef, row: TableRow, column: str, text_prop: URIRef, link: URIRef) -> None:
        cell = row[column]
        if not cell:
            return
        self.add(node, text_prop, Literal(cell))
        try:
            mentions = self.registry.resolve(cell)
        except LookupError as exc:
            hint = f"; {exc.hint}" if getattr(exc, "hint", "") else ""
            raise self.fail(row, column, f"{exc} (not in data/agencies.csv or data/agency-aliases.csv){hint}") from None
        for mention in mentions:
            for agency_id in mention.agency_ids:
                self.add(node, link, self.agency(agency_id))

    def agency(self, agency_id: str) -> URIRef:
        """The node of an agency of the plan's registry (a body created by a 2025 change is added when named)."""
        self.named.setdefault(agency_id, None)
        return self.timeline.named(self.registry, agency_id, self.province)

    def map_timeframe(self, row_node: URIRef, row: TableRow) -> None:
        try:
            tf: Timeframe = parse_timeframe(row["timeframe"], self.meta.year)
        except ValueError as exc:
            raise self.fail(row, "timeframe", f"unreadable timeframe {row['timeframe']!r}: {exc}") from None
        node = URIRef(f"{row_node}/timeframe")
        self.add(row_node, CCHC.timeframe, node)
        self.add(node, RDF.type, TIMEFRAME_CLASSES.get(tf.kind, CCHC.ScheduledTimeframe))
        self.add(node, CCHC.verbatimText, Literal(tf.verbatim))
        if tf.begin and tf.end:
            self.add(node, TIME.hasBeginning, instant(self.g, tf.begin))
            self.add(node, TIME.hasEnd, instant(self.g, tf.end))
        for year, quarter in tf.quarters:
            self.add(node, CCHC.includesQuarter, quarter_node(self.g, year, quarter))
        self.text(node, CCHC.condition, tf.condition or "")
        self.text(node, CCHC.followsSchedule, tf.schedule or "")
        for point in tf.points:
            self.add(node, CCHC.reportingPoint, Literal(point))
        self.map_citations(node, row, "timeframe")

    # ------------------------------------------------------------------ citations
    def map_citations(self, node: URIRef, row: TableRow, column: str, text: str | None = None) -> None:
        try:
            citations = find_citations(row[column] if text is None else text, self.cited_as)
        except ValueError as exc:
            raise self.fail(row, column, str(exc)) from None
        existing = self.citations[node]
        self.citations[node] += len(citations)
        for n, citation in enumerate(citations, start=existing + 1):
            self.map_citation(node, URIRef(f"{node}/citation/{n}"), citation)

    def map_citation(self, element: URIRef, node: URIRef, citation: Citation) -> None:
        self.add(element, CCHC.hasCitation, node)
        self.add(node, CCHC.verbatimText, Literal(citation.text))
        if citation.ref is None:
            self.add(node, RDF.type, CCHC.UnresolvedCitation)
            ref = self.sources.unnumbered[citation.unresolved_key]
            self.add(node, CCHC.documentType, Literal(ref.type_vi))
            self.text(node, DCTERMS.description, ref.description_en, "en")
            return
        self.add(node, RDF.type, CCHC.Citation)
        self.add(node, CCHC.citedDocument, self.document(citation.ref, citation.cited_date))
        if citation.cited_date:
            self.add(node, CCHC.citedDate, Literal(citation.cited_date, datatype=XSD.date))

    def document(self, ref: DocumentRef, cited_date: dt.date | None) -> URIRef:
        entry = self.sources.catalogue.get(ref.key)
        if entry is not None:
            return document_iri(entry.ref, self.meta.province_slug)
        # Not in the catalogue: the node says only what the citation says (validate reports it).
        if ref.year is None and cited_date is not None:
            ref = DocumentRef(ref.number, ref.num, cited_date.year, ref.code, ref.type_vi, ref.class_name)
        node = document_iri(ref, self.meta.province_slug)
        add_document(self.g, node, ref)
        return node


def document_iri(ref: DocumentRef, province_slug: str) -> URIRef:
    return ELI_BASE[eli_path(ref, province_slug)]


def add_document(g: Graph, node: URIRef, ref: DocumentRef) -> None:
    g.add((node, RDF.type, getattr(CCHC, ref.class_name)))
    g.add((node, ELI.id_local, Literal(ref.number)))
    g.add((node, CCHC.documentType, Literal(ref.type_vi)))
    g.add((node, CCHC.issuerCode, Literal(ref.code)))


def instant(g: Graph, day: dt.date) -> URIRef:
    node = ID[f"date/{day.isoformat()}"]
    g.add((node, RDF.type, TIME.Instant))
    g.add((node, TIME.inXSDDate, Literal(day, datatype=XSD.date)))
    return node


def quarter_node(g: Graph, year: int, quarter: int) -> URIRef:
    from .timeframes import quarter_bounds
    node = ID[f"quarter/{year}-Q{quarter}"]
    begin, end = quarter_bounds(year, quarter)
    g.add((node, RDF.type, CCHC.Quarter))
    g.add((node, CCHC.year, Literal(year, datatype=XSD.integer)))
    g.add((node, CCHC.quarterNumber, Literal(quarter, datatype=XSD.integer)))
    g.add((node, TIME.hasBeginning, instant(g, begin)))
    g.add((node, TIME.hasEnd, instant(g, end)))
    g.add((node, RDFS.label, Literal(f"Quý {['I', 'II', 'III', 'IV'][quarter - 1]} năm {year}", lang="vi")))
    g.add((node, RDFS.label, Literal(f"Q{quarter} {year}", lang="en")))
    return node


def map_catalogue(g: Graph, sources: Sources, province_slug: str, timeline: Timeline, province: Province) -> None:
    """The legal catalogue, as seen from one province (its own documents' ELI paths and issuers)."""
    for entry in sources.catalogue.values():
        node = document_iri(entry.ref, province_slug)
        add_document(g, node, entry.ref)
        if entry.date:
            g.add((node, ELI.date_document, Literal(entry.date, datatype=XSD.date)))
        if entry.title_vi:
            g.add((node, ELI.title, Literal(entry.title_vi, lang="vi")))
        try:
            issuer = timeline.issuer(entry.issuer, province, entry.date)
        except LookupError:
            raise SourceError(sources.data / "legal-documents.csv", f"{entry.ref.number}: issuer {entry.issuer!r} is "
                                                                    "not one agency of the registry") from None
        g.add((node, ELI.passed_by, issuer))
        g.add((node, DCTERMS.source, Literal(entry.source)))
        for other in entry.amended_by:
            amending = document_iri(sources.catalogue[fold(other)].ref, province_slug)
            g.add((node, ELI.amended_by, amending))
            g.add((amending, ELI.amends, node))


@dataclass
class PlanPart:
    """One plan mapped on its own: its own triples (those about its own nodes, whose IRIs carry its id), the
    other triples it makes (`common`: the quarters, dates and uncatalogued documents it names, which other
    plans may make too), each as sorted N-Triples lines as `serialize(…, "nt")` writes them, and the agency
    ids it names, which decide the agency nodes of the shared part (a body created by a 2025 change is in
    the graph only when a plan names it)."""
    plan_id: str
    folder: Path
    ntriples: bytes
    common: bytes
    named: tuple[str, ...]


def owned_prefixes(plan_id: str) -> tuple[bytes, ...]:
    """How the IRIs of a plan's own nodes begin, in N-Triples: the plan, its parts, its source file, its build."""
    return tuple(f"<{ID}{kind}".encode() for kind in (f"plan/{plan_id}/", f"plan/{plan_id}>", f"source/{plan_id}/",
                                                      f"build/{plan_id}>"))


def split_owned(nt: bytes, plan_id: str, by_object: bool = False) -> tuple[bytes, bytes]:
    """(lines about the plan's own nodes, the other lines) of sorted N-Triples; `by_object`: a line whose
    object is one of the plan's nodes is the plan's too (inferred inverses: an agency leads a row)."""
    prefixes = owned_prefixes(plan_id)
    own, other = [], []
    for line in nt.splitlines():
        if not line:
            continue
        subject, _, rest = line.partition(b" ")
        mine = subject.startswith(prefixes)
        if not mine and by_object:
            mine = rest.partition(b" ")[2].startswith(prefixes)
        (own if mine else other).append(line)
    join = lambda lines: b"\n".join(lines) + b"\n" if lines else b""  # noqa: E731
    return join(own), join(other)


@dataclass
class BuildParts:
    """A build as parts: what spans plans (provinces, agencies, the changes, the legal catalogue of each
    province) and each plan mapped alone. Their union is the graph `build_graph` returns."""
    shared: Graph
    plans: dict[str, PlanPart]  # by plan id, in the order given
    sources: dict[str, tuple[PlanSource, Province]]  # every plan of the build

    def ntriples(self) -> bytes:
        """The union as `serialize(graph, "nt")` writes it: sorted, each line once (plans share quarters,
        dates and the documents they cite)."""
        lines = set(serialize(self.shared, "nt").splitlines())
        for part in self.plans.values():
            lines.update(part.ntriples.splitlines())
            lines.update(part.common.splitlines())
        lines.discard(b"")
        return b"\n".join(sorted(lines)) + b"\n"

    def graph(self) -> Graph:
        graph = Graph()
        bind_prefixes(graph)
        for triple in self.shared:
            graph.add(triple)
        for part in self.plans.values():
            graph.parse(data=part.ntriples + part.common, format="nt")
        return graph


# What a forked build worker maps from: set in the parent just before the pool forks, so that the sources,
# the timeline and the plans read are inherited, never pickled.
_WORK: dict = {}


def _map_plan(index: int) -> PlanPart:
    plan, province = _WORK["plans"][index]
    if not plan.rows:  # its table is read here, in the pool (the parent read plan.toml only)
        plan = PlanSource(plan.folder, plan.meta, load_table(plan.table_path, plan.meta))
    triples = Triples()
    mapper = PlanMapper(triples, _WORK["sources"], plan, _WORK["timeline"], province)
    mapper.map()
    own, common = split_owned(triples.ntriples(), plan.meta.plan_id)
    return PlanPart(plan.meta.plan_id, plan.folder, own, common, tuple(mapper.named))


def workers_for(jobs: int) -> int:
    """Processes for `jobs` independent pieces of work: one per core, none for a single piece."""
    return max(1, min(os.cpu_count() or 1, jobs))


def map_in_pool(function, jobs: int, description: str, context: dict, meanwhile=None) -> list:
    """function(0..jobs-1), in a pool of forked processes (one per core) when that helps, in order. `context`
    is what the workers read (module-level `_WORK`), inherited through fork. `meanwhile()`: work of the
    parent's own, run once the workers are forked (it may open what must not be forked: a RocksDB store)
    while they work, or after the work when there is no pool."""
    results: list = []
    _WORK.update(context)
    try:
        with progress(jobs, description) as bar:
            processes = workers_for(jobs)
            if processes == 1 or jobs < 3 or "fork" not in multiprocessing.get_all_start_methods():
                for index in range(jobs):
                    results.append(function(index))
                    bar.advance()
                if meanwhile is not None:
                    meanwhile()
                return results
            with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork")) as pool:
                # With fork, the executor starts every worker at the first submit, which map does at once.
                answers = pool.map(function, range(jobs), chunksize=max(1, jobs // (processes * 8)))
                if meanwhile is not None:
                    meanwhile()
                for result in answers:
                    results.append(result)
                    bar.advance()
            return results
    finally:
        _WORK.clear()


def build_parts(plan_folders: list[Path] | None = None, sources: Sources | None = None) -> BuildParts:
    """Map the plans (in a pool of processes, one per core) and what spans them."""
    sources = sources or Sources.load()
    folders: dict[str, Path] = {}
    plans: list[tuple[PlanSource, Province]] = []
    # First every plan's province and its agencies, then the changes, then the plans: a plan written after a
    # change names the bodies that existed then (or the ended ones it still names).
    shared, timeline = new_timeline(sources)
    for folder in plan_folders or [DEFAULT_PLAN]:
        plan = load_plan_meta(folder)  # the table is read by the worker that maps the plan
        check_plan_id(folders, plan.meta.plan_id, Path(folder))
        province = sources.provinces.of_plan(plan.meta.province, plan.meta.province_slug, plan.meta.year)
        timeline.add_province(province, plan.meta.year)
        plans.append((plan, province))
    settle_timeline(shared, timeline, sources, [(plan.meta.province_slug, province) for plan, province in plans])
    mapped = map_plans(plans, sources, timeline)
    finish_shared(shared, timeline, sources, [(plan.meta.plan_id, province) for plan, province in plans],
                  {plan_id: part.named for plan_id, part in mapped.items()})
    return BuildParts(shared, mapped, {plan.meta.plan_id: (plan, province) for plan, province in plans})


# The steps of `build_parts`, which an incremental build (incremental.py) also takes one by one.

def new_timeline(sources: Sources) -> tuple[Graph, Timeline]:
    """The shared graph, empty, and the timeline of agencies that writes into it."""
    shared = Graph()
    bind_prefixes(shared)
    return shared, Timeline(shared, sources.registry, sources.provinces, sources.data / "agency-changes.csv")


def check_plan_id(folders: dict[str, Path], plan_id: str, folder: Path) -> None:
    other = folders.setdefault(plan_id, folder)
    if other != folder:
        # The folder name is the plan id: two folders of one name would merge into one plan node.
        raise SourceError(folder, f"plan id {plan_id!r} is also the name of {other}; rename one "
                                  "of the two folders (the folder name is the plan id)")


def settle_timeline(shared: Graph, timeline: Timeline, sources: Sources,
                    provinces: list[tuple[str, Province]]) -> None:
    """Once every plan's province is in the timeline: the changes, then the legal catalogue of each province
    (slug, province), in the order of the plans. The timeline is then what each plan maps from."""
    timeline.apply(sources.changes)
    for slug in dict.fromkeys(slug for slug, _ in provinces):
        province = next(p for s, p in provinces if s == slug)
        map_catalogue(shared, sources, slug, timeline, province)


def map_plans(todo: list[tuple[PlanSource, Province]], sources: Sources, timeline: Timeline) -> dict[str, PlanPart]:
    """Each plan mapped alone, by plan id (in a pool of processes when there are several)."""
    parts = map_in_pool(_map_plan, len(todo), "build: plans", {"plans": todo, "sources": sources, "timeline": timeline})
    return {part.plan_id: part for part in parts}


def finish_shared(shared: Graph, timeline: Timeline, sources: Sources, plans: list[tuple[str, Province]],
                  named: dict[str, tuple[str, ...]]) -> None:
    """The agencies the plans name (plan id -> agency ids, replayed in the order of the plans, as a
    one-process build meets them), every agency node and the provinces, into the shared graph."""
    for plan_id, province in plans:
        registry = timeline.registry_of(province)
        for agency_id in named.get(plan_id, ()):
            timeline.named(registry, agency_id, province)
    timeline.write()
    write_provinces(shared, sources.provinces, timeline.covered)


def build_graph(plan_folders: list[Path] | None = None, sources: Sources | None = None) -> Graph:
    return build_parts(plan_folders, sources).graph()


def class_counts(graph: Graph) -> dict[str, int]:
    counts = Counter(graph.qname(cls) for cls in graph.objects(None, RDF.type))
    return dict(sorted(counts.items()))
