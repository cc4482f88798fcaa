"""Organisations through time (issue #14): agencies of each province, the provinces, and the change events of
data/agency-changes.csv in W3C ORG terms.

Each plan's province instantiates the registry (agencies.Registry.for_province). The changes are then
applied in date order: a change names its predecessors and successors by registry name; its `scope` says
where: `national` (national bodies), `every province` (once in each province that has agencies in the graph
and exists the day before) or one province's name (that province on the day; its predecessors may be in the
provinces it was formed from). A successor that is also a predecessor continues (the same node); any other
successor is a new node from the change's date; a predecessor that does not continue ends the day before.
A change whose predecessors are provinces ("tỉnh Hà Nam|tỉnh Nam Định|tỉnh Ninh Bình") merges them, and
each body of their governments (registry column `follows_province`) into the same body of the new province,
one change event per body, part of the province's event. An abolished group ends with its members. Nothing
is guessed: a duty's successor is never chosen, the `duties_note` is kept as text, an unknown date or number
stays unknown.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef

from .agencies import Agency, Registry
from .csvfile import optional_date, read_rows
from .errors import SourceError
from .legal import CODE_TYPES, DocumentRef, eli_path
from .legal import parse_number as parse_citation_number
from .namespaces import CCHC, CK, DCTERMS, ELI, ELI_BASE, ID, ORG, RDF, SKOS, XSD
from .names import spelling_key
from .provinces import CONFIDENCES, Province, Provinces
from .text import fold

CHANGE_COLUMNS = ("change_id", "effective_date", "kind", "scope", "predecessors", "successors", "duties_note",
                  "legal_basis", "legal_basis_date", "confidence", "source")
CHANGE_KINDS = ("merge", "absorb", "abolish", "rename", "reorganise")
NATIONAL, EVERY_PROVINCE = "national", "every province"
_PROVINCE_WORDS = ("tỉnh ", "thành phố ")
ONE_DAY = dt.timedelta(days=1)
# A basis number may have a standing committee's code with its term ("1318/NQ-UBTVQH15"), which plans do
# not cite and the citation pattern does not take.
_BASIS_NUMBER = re.compile(r"(?P<num>\d{1,5})/(?:(?P<year>\d{4})/)?(?P<code>[A-ZĐ]{2,4}-[A-ZĐa-z]{2,8}\d{0,2}|QH\d{1,2})")


def parse_number(text: str) -> DocumentRef | None:
    """A legal basis number as a document reference (the citation parser's, or a committee's code)."""
    ref = parse_citation_number(text)
    match = None if ref else _BASIS_NUMBER.fullmatch(text.strip())
    if match is None:
        return ref
    num, year, code = match.group("num"), match.group("year"), match.group("code")
    type_vi, class_name = CODE_TYPES.get(code.split("-")[0], ("Văn bản", "LegalDocument"))
    return DocumentRef(f"{num}/{year}/{code}" if year else f"{num}/{code}", num, int(year) if year else None, code,
                       type_vi, class_name)


@dataclass(frozen=True)
class Change:
    id: str
    date: dt.date | None
    kind: str
    scope: str
    predecessors: tuple[str, ...]
    successors: tuple[str, ...]
    duties_note: str
    legal_basis: str
    legal_basis_date: dt.date | None
    confidence: str
    source: str
    line: int


def load_changes(path: Path, provinces: Provinces) -> list[Change]:
    changes: list[Change] = []
    seen: set[str] = set()
    for line, row in read_rows(path, CHANGE_COLUMNS):
        def fail(message: str, column: str) -> SourceError:
            return SourceError(path, message, row=line, column=column)
        if not row["change_id"] or row["change_id"] in seen:
            raise fail(f"change_id {row['change_id']!r} is empty or used twice", "change_id")
        seen.add(row["change_id"])
        if row["kind"] not in CHANGE_KINDS:
            raise fail(f"kind must be one of {', '.join(CHANGE_KINDS)}, not {row['kind']!r}", "kind")
        if row["scope"] not in (NATIONAL, EVERY_PROVINCE) and not provinces.named(row["scope"]):
            raise fail(f"scope must be 'national', 'every province' or a province of data/provinces.csv, not "
                       f"{row['scope']!r}", "scope")
        if row["confidence"] not in CONFIDENCES:
            raise fail(f"confidence must be one of {', '.join(CONFIDENCES)}, not {row['confidence']!r}", "confidence")
        if row["legal_basis"] and parse_number(row["legal_basis"]) is None:
            raise fail(f"legal_basis {row['legal_basis']!r} is not a document number such as 45/2025/NĐ-CP (leave "
                       "it empty when the number is unknown)", "legal_basis")
        split = lambda value: tuple(v.strip() for v in value.split("|") if v.strip())  # noqa: E731
        if not split(row["predecessors"]):
            raise fail("predecessors is empty: name the organisations the change applies to", "predecessors")
        changes.append(Change(row["change_id"], optional_date(row["effective_date"], path, line, "effective_date"), row["kind"],
                              row["scope"], split(row["predecessors"]), split(row["successors"]), row["duties_note"],
                              row["legal_basis"], optional_date(row["legal_basis_date"], path, line, "legal_basis_date"),
                              row["confidence"], row["source"], line))
    return changes


@dataclass
class OrgNode:
    iri: URIRef
    agency: Agency
    registry: Registry
    province: Province | None  # None: a national body
    valid_from: dt.date | None
    valid_until: dt.date | None = None


@dataclass
class Timeline:
    """The agencies of the provinces in the graph, and what the changes did to them."""
    g: Graph
    registry: Registry  # the file's registry (its templates); national names resolve in it
    provinces: Provinces
    changes_path: Path
    nodes: dict[URIRef, OrgNode] = field(default_factory=dict)
    registries: dict[str, Registry] = field(default_factory=dict)  # province slug -> its registry
    covered: set[str] = field(default_factory=set)  # provinces whose merger a change of the file states

    def registry_of(self, province: Province) -> Registry:
        if province.slug not in self.registries:
            self.registries[province.slug] = self.registry.for_province(province.name, province.slug, province.kind)
        return self.registries[province.slug]

    # ------------------------------------------------------------------ nodes
    def add_province(self, province: Province, year: int) -> Registry:
        """Every body of the registry that exists in the plan's year (not those created by a later change). A
        province formed by a merger brings the provinces it was formed from: its bodies are what the changes
        made of theirs."""
        registry = self.registry_of(province)
        if province.formed_from:
            for former in province.formed_from:
                self.add_province(self.provinces.by_slug[former], province.valid_from.year - 1)
            return registry
        start = dt.date(year, 1, 1)
        for agency in registry.agencies.values():
            if agency.since is None or agency.since <= start:
                self.node(registry, agency.id, province, None)
        return registry

    def node(self, registry: Registry, agency_id: str, province: Province | None, since: dt.date | None) -> URIRef:
        iri = registry.iri(agency_id)
        if iri not in self.nodes:
            agency = registry.agencies[agency_id]
            national = agency.scope == "national"
            begins = since or agency.since or (None if national or province is None else province.valid_from)
            self.nodes[iri] = OrgNode(iri, agency, registry, None if national else province, begins)
        return iri

    def named(self, registry: Registry, agency_id: str, province: Province) -> URIRef:
        """The node a plan of `province` means by a registry name: the body of the province; for a province
        formed by a merger and a body the changes ended, the ended body of a province it was formed from (the
        plan then names a body that no longer exists); else a new node of the province."""
        iri = registry.iri(agency_id)
        if iri in self.nodes:
            return iri
        for former in sorted(province.formed_from, key=lambda slug: (fold(self.provinces.by_slug[slug].name) !=
                                                                     fold(province.name), slug)):
            old = self.registry_of(self.provinces.by_slug[former])
            if agency_id in old.agencies and old.iri(agency_id) in self.nodes:
                return old.iri(agency_id)
        return self.node(registry, agency_id, province, None)

    def issuer(self, name: str, province: Province, day: dt.date | None) -> URIRef:
        """The node of a document's issuer: a body of `province` or a national body, else the body of the
        province the name contains (a provincial document in the shared catalogue), on the document's date."""
        registry = self.registry_of(province)
        ids = registry.spellings.get(spelling_key(fold(name)))
        if not ids:
            for other in sorted(self.provinces.by_slug.values(), key=lambda p: (-len(p.name), p.slug)):
                if fold(other.name) in fold(name) and (day is None or other.valid_on(day)):
                    province, registry = other, self.registry_of(other)
                    ids = registry.spellings.get(spelling_key(fold(name)))
                    break
        if not ids or len(ids) != 1:
            raise LookupError(name)
        return self.node(registry, ids[0], province, None)

    def alive(self, iri: URIRef, day: dt.date) -> bool:
        node = self.nodes.get(iri)
        return node is not None and (node.valid_from is None or node.valid_from <= day) and \
            (node.valid_until is None or day <= node.valid_until)

    # ------------------------------------------------------------------ changes
    def apply(self, changes: list[Change]) -> None:
        dated = sorted((c for c in changes if c.date is not None), key=lambda c: (c.date, c.id))
        for change in dated + [c for c in changes if c.date is None]:
            if change.scope == NATIONAL:
                self.apply_in(change, ID[f"change/{change.id}"], [None], None)
            elif change.scope == EVERY_PROVINCE:
                for province in self.provinces_alive(change.date):
                    self.apply_in(change, ID[f"change/{change.id}/{province.slug}"], [province], province)
            else:
                target = self.provinces.on(change.scope, change.date or dt.date.max)
                sources = [p for p in self.provinces_alive(change.date)
                           if p.slug == target.slug or p.slug in target.formed_from]
                if all(name.startswith(_PROVINCE_WORDS) for name in change.predecessors):
                    self.merge_provinces(change, target, sources)
                elif sources or target.slug in self.registries:
                    self.apply_in(change, ID[f"change/{change.id}"], sources or [target], target)

    def provinces_alive(self, day: dt.date | None) -> list[Province]:
        """Provinces with agencies in the graph that exist the day before `day`."""
        before = day - ONE_DAY if day else None
        found = [self.provinces.by_slug.get(slug) for slug in self.registries]
        return sorted((p for p in found if p is not None and (before is None or p.valid_on(before))),
                      key=lambda p: p.slug)

    def ids(self, registry: Registry, name: str, change: Change, column: str) -> tuple[str, ...]:
        ids = registry.spellings.get(spelling_key(fold(name)))
        if not ids or len(ids) != 1:
            raise SourceError(self.changes_path, f"{name!r} is not one agency of the registry (data/agencies.csv)"
                                                 f"{' of ' + registry.province if registry.province else ''}",
                              row=change.line, column=column)
        return ids

    def apply_in(self, change: Change, event: URIRef, sources: list[Province | None], target: Province | None) -> None:
        originals: list[URIRef] = []
        before = change.date - ONE_DAY if change.date else None
        for province in sources:
            registry = self.registry if province is None else self.registry_of(province)
            for name in change.predecessors:
                for agency_id in self.ids(registry, name, change, "predecessors"):
                    iri = registry.iri(agency_id)
                    if iri in self.nodes and (before is None or self.alive(iri, before)):
                        originals.append(iri)
                        if registry.agencies[agency_id].kind == "group" and change.kind == "abolish":
                            # An abolished group takes its members with it (the district committees).
                            originals += [n.iri for n in self.nodes.values() if n.province == province
                                          and agency_id in n.agency.member_of and n.iri not in originals
                                          and (before is None or self.alive(n.iri, before))]
        if not originals:
            return
        registry = self.registry if target is None else self.registry_of(target)
        results = [self.node(registry, agency_id, target, change.date) for name in change.successors
                   for agency_id in self.ids(registry, name, change, "successors")]
        self.event(event, change, originals, results, target)

    def merge_provinces(self, change: Change, target: Province, sources: list[Province]) -> None:
        """Provinces merged into `target`: one event for the provinces, one per body of their governments."""
        if not sources:
            return
        self.covered.add(target.slug)
        named = []
        for name in change.predecessors:
            bare = next(name[len(w):] for w in _PROVINCE_WORDS if name.startswith(w))
            found = self.provinces.on(bare, (change.date or dt.date.max) - ONE_DAY)
            if found is None:
                raise SourceError(self.changes_path, f"{name!r} is not a province of data/provinces.csv",
                                  row=change.line, column="predecessors")
            named.append(ID[f"province/{found.slug}"])
        parent = ID[f"change/{change.id}"]
        self.event(parent, change, named, [ID[f"province/{target.slug}"]], target, bodies=False)
        registry = self.registry_of(target)
        kinds = {agency.template: agency.id for agency in registry.agencies.values()}
        by_kind: dict[str, list[URIRef]] = {}
        for node in sorted(self.nodes.values(), key=lambda n: str(n.iri)):
            if node.province in sources and node.agency.follows_province and \
                    (change.date is None or self.alive(node.iri, change.date - ONE_DAY)):
                by_kind.setdefault(node.agency.template, []).append(node.iri)
        for template, originals in sorted(by_kind.items()):
            if template not in kinds:
                continue
            result = self.node(registry, kinds[template], target, change.date)
            event = ID[f"change/{change.id}/{kinds[template]}"]
            self.event(event, change, originals, [result], target)
            self.g.add((event, DCTERMS.isPartOf, parent))

    def event(self, event: URIRef, change: Change, originals: list[URIRef], results: list[URIRef],
              province: Province | None, bodies: bool = True) -> None:
        g = self.g
        g.add((event, RDF.type, ORG.ChangeEvent))
        g.add((event, DCTERMS.identifier, Literal(change.id)))
        g.add((event, CCHC.changeKind, CK[change.kind]))
        if change.date:
            g.add((event, DCTERMS.date, Literal(change.date, datatype=XSD.date)))
        for original in originals:
            g.add((event, ORG.originalOrganization, original))
            g.add((original, ORG.changedBy, event))
        for result in results:
            g.add((event, ORG.resultingOrganization, result))
            g.add((result, ORG.resultedFrom, event))
        if change.duties_note:
            g.add((event, CCHC.dutiesNote, Literal(change.duties_note)))
        if change.confidence:
            g.add((event, CCHC.confidence, Literal(change.confidence)))
        g.add((event, DCTERMS.source, Literal(change.source)))
        if change.legal_basis:
            g.add((event, CCHC.legalBasis, self.basis(change, province)))
        if bodies and change.date:
            for original in originals:
                if original not in results:
                    self.nodes[original].valid_until = change.date - ONE_DAY

    def basis(self, change: Change, province: Province | None) -> URIRef:
        """The legal basis as an ELI node: its number and, when known, its date (nothing else is known)."""
        ref = parse_number(change.legal_basis)
        node = ELI_BASE[eli_path(ref, province.slug if province else "")]
        self.g.add((node, RDF.type, ELI.LegalResource))
        self.g.add((node, ELI.id_local, Literal(ref.number)))
        if change.legal_basis_date:
            self.g.add((node, ELI.date_document, Literal(change.legal_basis_date, datatype=XSD.date)))
        return node

    # ------------------------------------------------------------------ state
    # An incremental build (incremental.py) keeps the timeline plans map from, so that one changed plan maps
    # without the changes and catalogues of every province worked out again. Kept as plain data (JSON): the
    # registries are made again from the registry file's, each node from its registry's agency.
    def state(self) -> dict:
        """Everything the timeline knows, as plain data (the graph it writes into left out)."""
        slug_of = {id(registry): slug for slug, registry in self.registries.items()}
        slug_of[id(self.registry)] = ""

        def day(value: dt.date | None) -> str | None:
            return value.isoformat() if value else None

        return {"registries": list(self.registries), "covered": sorted(self.covered),
                "nodes": [[str(n.iri), n.agency.id, slug_of[id(n.registry)], n.province.slug if n.province else None,
                           day(n.valid_from), day(n.valid_until)] for n in self.nodes.values()]}

    @classmethod
    def from_state(cls, state: dict, g: Graph | None, registry: Registry, provinces: Provinces,
                   changes_path: Path) -> "Timeline":
        """The timeline `state()` described (its provinces being in `provinces`), writing into `g`."""
        timeline = cls(g, registry, provinces, changes_path, covered=set(state["covered"]))
        for slug in state["registries"]:
            timeline.registry_of(provinces.by_slug[slug])

        def day(value: str | None) -> dt.date | None:
            return dt.date.fromisoformat(value) if value else None

        for iri, agency_id, registry_slug, province, valid_from, valid_until in state["nodes"]:
            owner = timeline.registries[registry_slug] if registry_slug else registry
            timeline.nodes[URIRef(iri)] = OrgNode(URIRef(iri), owner.agencies[agency_id], owner,
                                                  provinces.by_slug[province] if province else None,
                                                  day(valid_from), day(valid_until))
        return timeline

    # ------------------------------------------------------------------ output
    def write(self) -> None:
        """Every agency node with its names, province, groups and period."""
        g = self.g
        for node in self.nodes.values():
            agency, iri = node.agency, node.iri
            g.add((iri, RDF.type, CCHC.AgencyGroup if agency.kind == "group" else CCHC.Agency))
            g.add((iri, DCTERMS.identifier, Literal(agency.id)))
            g.add((iri, SKOS.prefLabel, Literal(agency.name_vi, lang="vi")))
            g.add((iri, SKOS.prefLabel, Literal(agency.name_en, lang="en")))
            for alias in agency.aliases:
                g.add((iri, SKOS.altLabel, Literal(alias, lang="vi")))
            g.add((iri, DCTERMS.source, Literal(agency.source)))
            if node.province is not None:
                g.add((iri, CCHC.province, ID[f"province/{node.province.slug}"]))
            for group in agency.member_of:
                # org:memberOf has no date: a body is recorded as a member of the groups it began with, so
                # that a group named in an older plan does not gain bodies created after it.
                group_iri = node.registry.iri(group)
                other = self.nodes.get(group_iri)
                if other is not None and other.valid_from == node.valid_from:
                    g.add((iri, ORG.memberOf, group_iri))
            write_period(g, iri, node.valid_from, node.valid_until)


def write_period(g: Graph, node: URIRef, start: dt.date | None, end: dt.date | None) -> None:
    """cchc:validFrom / cchc:validUntil (first and last day, for queries) and dcterms:valid (a DCMI period)."""
    if start:
        g.add((node, CCHC.validFrom, Literal(start, datatype=XSD.date)))
    if end:
        g.add((node, CCHC.validUntil, Literal(end, datatype=XSD.date)))
    if start or end:
        parts = ([f"start={start.isoformat()};"] if start else []) + ([f"end={end.isoformat()};"] if end else [])
        g.add((node, DCTERMS.valid, Literal(" ".join(parts + ["scheme=W3C-DTF;"]), datatype=DCTERMS.Period)))


def write_provinces(g: Graph, provinces: Provinces, covered: set[str]) -> None:
    """Every province, with its period; one change event for each merger no agency change already states."""
    for province in provinces.by_slug.values():
        node = ID[f"province/{province.slug}"]
        g.add((node, RDF.type, CCHC.Province))
        g.add((node, DCTERMS.identifier, Literal(province.slug)))
        g.add((node, SKOS.prefLabel, Literal(province.name, lang="vi")))
        g.add((node, SKOS.altLabel, Literal(province.label, lang="vi")))
        g.add((node, DCTERMS.source, Literal(province.source)))
        if province.confidence:
            g.add((node, CCHC.confidence, Literal(province.confidence)))
        write_period(g, node, province.valid_from, province.valid_until)
        if province.formed_from and province.slug not in covered:
            event = ID[f"change/provinces-{province.valid_from.year}/{province.slug}"]
            g.add((event, RDF.type, ORG.ChangeEvent))
            g.add((event, DCTERMS.identifier, Literal(f"provinces-{province.valid_from.year}-{province.slug}")))
            g.add((event, CCHC.changeKind, CK.merge))
            g.add((event, DCTERMS.date, Literal(province.valid_from, datatype=XSD.date)))
            g.add((event, CCHC.confidence, Literal(province.confidence)))
            g.add((event, DCTERMS.source, Literal(province.source)))
            g.add((event, ORG.resultingOrganization, node))
            g.add((node, ORG.resultedFrom, event))
            for former in province.formed_from:
                g.add((event, ORG.originalOrganization, ID[f"province/{former}"]))
                g.add((ID[f"province/{former}"], ORG.changedBy, event))
            if province.legal_basis and parse_number(province.legal_basis):
                ref = parse_number(province.legal_basis)
                basis = ELI_BASE[eli_path(ref, "")]
                g.add((basis, RDF.type, ELI.LegalResource))
                g.add((basis, ELI.id_local, Literal(ref.number)))
                g.add((event, CCHC.legalBasis, basis))
