"""Typed namespaces: a misspelt term raises AttributeError instead of minting a wrong IRI."""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, ORG, OWL, PROV, RDF, RDFS, SKOS, TIME, XSD, DefinedNamespace

__all__ = ["CCHC", "ELI", "ID", "RA", "PK", "CK", "GRAPH", "DCTERMS", "ORG", "OWL", "PROV", "RDF", "RDFS", "SKOS", "TIME", "XSD",
           "bind_prefixes"]


class CCHC(DefinedNamespace):
    """Our ontology (ontology/cchc.ttl). tests/test_ontology.py checks this list against the file."""

    _fail = True
    _NS = Namespace("https://w3id.org/cchc-graph/ontology#")

    # classes
    ReformPlan: URIRef
    PlanElement: URIRef
    PlanArea: URIRef
    Objective: URIRef
    Task: URIRef
    Activity: URIRef
    PlanRow: URIRef
    Product: URIRef
    ReformArea: URIRef
    NationalProgrammeArea: URIRef
    Agency: URIRef
    AgencyGroup: URIRef
    Timeframe: URIRef
    ScheduledTimeframe: URIRef
    PeriodicTimeframe: URIRef
    OngoingTimeframe: URIRef
    ConditionalTimeframe: URIRef
    FollowingScheduleTimeframe: URIRef
    Quarter: URIRef
    LegalDocument: URIRef
    Law: URIRef
    Decree: URIRef
    Resolution: URIRef
    Decision: URIRef
    PlanDocument: URIRef
    Citation: URIRef
    UnresolvedCitation: URIRef
    Province: URIRef
    # properties
    hasPart: URIRef
    partOf: URIRef
    hasArea: URIRef
    hasObjective: URIRef
    hasTask: URIRef
    hasActivity: URIRef
    hasRow: URIRef
    hasProduct: URIRef
    reformArea: URIRef
    areaNumber: URIRef
    objectiveNumber: URIRef
    rowId: URIRef
    position: URIRef
    verbatimText: URIRef
    leadText: URIRef
    coordinatorsText: URIRef
    productKind: URIRef
    involvedAgency: URIRef
    leadAgency: URIRef
    coordinatingAgency: URIRef
    involvedIn: URIRef
    leads: URIRef
    coordinates: URIRef
    leadsThroughGroup: URIRef
    coordinatesThroughGroup: URIRef
    timeframe: URIRef
    includesQuarter: URIRef
    year: URIRef
    quarterNumber: URIRef
    condition: URIRef
    followsSchedule: URIRef
    reportingPoint: URIRef
    hasCitation: URIRef
    citedDocument: URIRef
    cites: URIRef
    citedBy: URIRef
    citedDate: URIRef
    documentType: URIRef
    issuerCode: URIRef
    affectedBy: URIRef
    notFoundIn: URIRef
    numberAsPrinted: URIRef
    dateAsPrinted: URIRef
    planYear: URIRef
    sourceRowNumber: URIRef
    matchLabel: URIRef
    province: URIRef
    validFrom: URIRef
    validUntil: URIRef
    changeKind: URIRef
    legalBasis: URIRef
    dutiesNote: URIRef
    confidence: URIRef
    became: URIRef
    eventuallyChangedBy: URIRef


class ELI(DefinedNamespace):
    """The ELI ontology terms we use (http://data.europa.eu/eli/ontology#)."""

    _fail = True
    _NS = Namespace("http://data.europa.eu/eli/ontology#")

    LegalResource: URIRef
    id_local: URIRef
    number: URIRef
    date_document: URIRef
    passed_by: URIRef
    title: URIRef
    type_document: URIRef
    amends: URIRef
    amended_by: URIRef
    repeals: URIRef
    repealed_by: URIRef
    changes: URIRef
    changed_by: URIRef
    consolidates: URIRef
    consolidated_by: URIRef
    in_force: URIRef
    date_no_longer_in_force: URIRef
    first_date_entry_in_force: URIRef
    is_realized_by: URIRef


BASE = "https://w3id.org/cchc-graph/"
ID = Namespace(BASE + "id/")
RA = Namespace(BASE + "id/reform-area/")
PK = Namespace(BASE + "id/product-kind/")
CK = Namespace(BASE + "id/change-kind/")
GRAPH = Namespace(BASE + "graph/")
ELI_BASE = Namespace(BASE + "eli/")


def bind_prefixes(graph) -> None:
    """Readable prefixes in every serialisation we write."""
    for prefix, ns in {
        "cchc": CCHC._NS, "eli": ELI._NS, "id": ID, "ra": RA, "pk": PK, "ck": CK, "org": ORG, "time": TIME,
        "prov": PROV, "skos": SKOS, "dcterms": DCTERMS, "owl": OWL, "rdfs": RDFS, "xsd": XSD,
    }.items():
        graph.bind(prefix, ns, override=True)
