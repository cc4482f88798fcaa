"""Every shape of shapes/ on a valid and an invalid example, the W3C SHACL test-suite way.

Each case starts from tests/shapes/base.ttl (a small plan that meets every shape), adds and removes a few
triples, validates with the real shapes and ontology, and asserts the exact set of results:
(focus node, result path, sh:sourceConstraintComponent, sh:sourceShape, severity, sh:value). The invalid
example must give exactly `expect`; the valid example must give nothing but `valid_expect` (only the
informative results every conditional timeframe or unresolved citation carries by design).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef

from cchc_graph.validate import SHAPES_DIR, SHAPES_NS, validate_graph
from tests.plain_namespaces import CCHCSH, OWL, RDF, SH, XSD

HERE = Path(__file__).resolve().parent
BASE = HERE / "shapes" / "base.ttl"

EX = Namespace("https://example.org/t/")
PREFIXES = """
@prefix cchc:    <https://w3id.org/cchc-graph/ontology#> .
@prefix ex:      <https://example.org/t/> .
@prefix ra:      <https://w3id.org/cchc-graph/id/reform-area/> .
@prefix pk:      <https://w3id.org/cchc-graph/id/product-kind/> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .
@prefix skos:    <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix org:     <http://www.w3.org/ns/org#> .
@prefix time:    <http://www.w3.org/2006/time#> .
@prefix eli:     <http://data.europa.eu/eli/ontology#> .
"""
NS = {"cchc": "https://w3id.org/cchc-graph/ontology#", "eli": "http://data.europa.eu/eli/ontology#",
      "dcterms": "http://purl.org/dc/terms/", "skos": "http://www.w3.org/2004/02/skos/core#",
      "org": "http://www.w3.org/ns/org#", "time": "http://www.w3.org/2006/time#",
      "ra": "https://w3id.org/cchc-graph/id/reform-area/"}


def iri(curie: str) -> URIRef:
    prefix, local = curie.split(":", 1)
    return EX[local] if prefix == "ex" else URIRef(NS[prefix] + local)


def p(curie: str) -> str:
    """A predicate path as the report gives it (SPARQL syntax, full IRIs)."""
    return f"<{iri(curie)}>"


def inv(curie: str) -> str:
    return f"^{p(curie)}"


PARENT = "(" + "|".join(inv(f"cchc:{x}") for x in ("hasArea", "hasObjective", "hasTask", "hasActivity", "hasRow",
                                                    "hasProduct")) + ")"


@dataclass(frozen=True)
class R:
    """An expected result."""
    focus: str
    path: str | None
    component: str  # local name in sh:, e.g. "MinCount"
    shape: str  # local name in cchcsh:
    severity: str = "violation"
    value: object = None  # a CURIE of the ex: namespace / ra: / a Literal / None

    def key(self) -> tuple:
        value = self.value if isinstance(self.value, Literal) or self.value is None else iri(self.value)
        return (iri(self.focus), self.path, SH[self.component + "ConstraintComponent"], CCHCSH[self.shape],
                self.severity, value)


@dataclass
class Case:
    name: str
    shape: str  # the shape the case is about
    invalid_add: str = ""
    invalid_remove: str = ""
    expect: list[R] = field(default_factory=list)
    valid_add: str = ""
    valid_remove: str = ""
    valid_expect: list[R] = field(default_factory=list)


def lit(value, datatype=None, lang=None) -> Literal:
    return Literal(value, datatype=datatype, lang=lang)


V, W, I = "violation", "warning", "info"
ROW_AGENCY = "(" + p("cchc:leadAgency") + "|" + p("cchc:coordinatingAgency") + ")"

CASES = [
    # ------------------------------------------------------------------ provinces and changes of organisations
    Case("province-name", "Province-name",
         invalid_remove='ex:provinceX skos:prefLabel "Tỉnh X"@vi .',
         expect=[R("ex:provinceX", p("skos:prefLabel"), "MinCount", "Province-name")],
         valid_remove='ex:provinceX skos:prefLabel "Tỉnh X"@vi .', valid_add='ex:provinceX skos:prefLabel "Hà Nam"@vi .'),
    Case("change-date", "ChangeEvent-date",
         invalid_remove='ex:change dcterms:date "2025-03-01"^^xsd:date .',
         expect=[R("ex:change", p("dcterms:date"), "MinCount", "ChangeEvent-date")],
         valid_remove='ex:change dcterms:date "2025-03-01"^^xsd:date .',
         valid_add='ex:change dcterms:date "2025-07-01"^^xsd:date .'),
    Case("change-source", "ChangeEvent-source",
         invalid_remove='ex:change dcterms:source "Nghị định 45/2025/NĐ-CP" .',
         expect=[R("ex:change", p("dcterms:source"), "MinCount", "ChangeEvent-source")],
         valid_remove='ex:change dcterms:source "Nghị định 45/2025/NĐ-CP" .',
         valid_add='ex:change dcterms:source "provincial press" .'),
    Case("change-original", "ChangeEvent-original",
         invalid_remove="ex:change org:originalOrganization ex:agencyC , ex:agencyA .",
         expect=[R("ex:change", p("org:originalOrganization"), "MinCount", "ChangeEvent-original")],
         valid_remove="ex:change org:originalOrganization ex:agencyA ."),
    # A merge must result in something; an abolition may not (UBND cấp huyện, 01/07/2025).
    Case("change-result", "ChangeEvent-result",
         invalid_remove="ex:change org:resultingOrganization ex:agencyA .",
         expect=[R("ex:change", p("org:resultingOrganization"), "SPARQL", "ChangeEvent-result")],
         valid_remove="ex:change org:resultingOrganization ex:agencyA . "
                      "ex:change cchc:changeKind <https://w3id.org/cchc-graph/id/change-kind/merge> .",
         valid_add="ex:change cchc:changeKind <https://w3id.org/cchc-graph/id/change-kind/abolish> ."),
    # The plan is dated 2022-12-20: a body that ended before, or began after, does not act in it.
    Case("agency-ended-before-plan", "PlanRow-agencyInPeriod",
         invalid_add='ex:agencyB cchc:validUntil "2022-06-30"^^xsd:date .',
         expect=[R(row, ROW_AGENCY, "SPARQL", "PlanRow-agencyInPeriod", W, "ex:agencyB")
                 for row in ("ex:rowI01", "ex:rowII01", "ex:rowIV01", "ex:rowV01", "ex:rowVI01")],
         valid_add='ex:agencyB cchc:validUntil "2022-12-20"^^xsd:date .'),
    Case("agency-began-after-plan", "PlanRow-agencyInPeriod",
         invalid_add='ex:groupG cchc:validFrom "2025-07-01"^^xsd:date .',
         expect=[R(row, ROW_AGENCY, "SPARQL", "PlanRow-agencyInPeriod", W, "ex:groupG")
                 for row in ("ex:rowI01", "ex:rowIII01")],
         valid_add='ex:groupG cchc:validFrom "2022-12-20"^^xsd:date .'),
    # ------------------------------------------------------------------ plan elements
    Case("position", "PlanElement-position",
         invalid_remove="ex:actI1 cchc:position 1 .", invalid_add="ex:actI1 cchc:position 0 .",
         expect=[R("ex:actI1", p("cchc:position"), "MinInclusive", "PlanElement-position", V, lit(0))],
         valid_remove="ex:actI1 cchc:position 1 .", valid_add="ex:actI1 cchc:position 7 ."),
    Case("parent-missing", "PlanElement-parent",
         invalid_add='ex:orphan a cchc:Product ; cchc:position 1 ; cchc:verbatimText "Báo cáo." ; cchc:productKind pk:report .',
         expect=[R("ex:orphan", PARENT, "MinCount", "PlanElement-parent")],
         valid_add='ex:rowII01 cchc:hasProduct ex:p2 . ex:p2 a cchc:Product ; cchc:position 2 ; cchc:verbatimText "Báo cáo." ; '
                   'cchc:productKind pk:report .'),
    Case("parent-two", "PlanElement-parent",
         invalid_add="ex:rowII01 cchc:hasProduct ex:rowI01-p1 .",
         expect=[R("ex:rowI01-p1", PARENT, "MaxCount", "PlanElement-parent")]),
    # ------------------------------------------------------------------ plan
    Case("plan-year", "ReformPlan-planYear",
         invalid_remove="ex:plan cchc:planYear 2023 .", invalid_add='ex:plan cchc:planYear "2023.0"^^xsd:decimal .',
         expect=[R("ex:plan", p("cchc:planYear"), "Datatype", "ReformPlan-planYear", V, lit("2023.0", XSD.decimal))]),
    Case("plan-year-missing", "ReformPlan-planYear",
         invalid_remove="ex:plan cchc:planYear 2023 .",
         expect=[R("ex:plan", p("cchc:planYear"), "MinCount", "ReformPlan-planYear")]),
    Case("plan-title", "ReformPlan-title",
         invalid_add='ex:plan dcterms:title "Kế hoạch khác"@vi .',
         expect=[R("ex:plan", p("dcterms:title"), "UniqueLang", "ReformPlan-title")],
         valid_remove='ex:plan dcterms:title "Administrative reform plan for 2023"@en .'),
    Case("plan-issuer", "ReformPlan-issuer",
         invalid_remove="ex:plan eli:passed_by ex:province .", invalid_add="ex:plan eli:passed_by ex:groupG .",
         expect=[R("ex:plan", p("eli:passed_by"), "Class", "ReformPlan-issuer", V, "ex:groupG")]),
    Case("plan-area", "ReformPlan-area",
         invalid_add="ex:plan cchc:hasArea ex:agencyA .",
         expect=[R("ex:plan", p("cchc:hasArea"), "Class", "ReformPlan-area", V, "ex:agencyA")]),
    Case("plan-number-blank", "ReformPlan-number",
         invalid_remove='ex:plan eli:id_local "12/KH-UBND" ; cchc:numberAsPrinted "12/KH-UBND" .',
         invalid_add='ex:plan cchc:numberAsPrinted "   /KH-UBND" .',
         expect=[R("ex:plan", p("eli:id_local"), "SPARQL", "ReformPlan-number", V, lit("   /KH-UBND"))]),
    Case("plan-number-malformed", "ReformPlan-number",
         invalid_remove='ex:plan eli:id_local "12/KH-UBND" .', invalid_add='ex:plan eli:id_local "12-KH-UBND" .',
         expect=[R("ex:plan", p("eli:id_local"), "Pattern", "ReformPlan-number", V, lit("12-KH-UBND"))]),
    Case("plan-date-blank", "ReformPlan-issueDate",
         invalid_remove='ex:plan eli:date_document "2022-12-20"^^xsd:date ; cchc:dateAsPrinted "ngày 20 tháng 12 năm 2022" .',
         invalid_add='ex:plan cchc:dateAsPrinted "ngày    tháng 12 năm 2022" .',
         expect=[R("ex:plan", p("eli:date_document"), "SPARQL", "ReformPlan-issueDate", V,
                   lit("ngày    tháng 12 năm 2022"))]),
    Case("plan-date-month-only", "ReformPlan-issueDate",
         invalid_remove='ex:plan eli:date_document "2022-12-20"^^xsd:date .',
         invalid_add='ex:plan eli:date_document "2022-12"^^xsd:gYearMonth .',
         expect=[R("ex:plan", p("eli:date_document"), "Datatype", "ReformPlan-issueDate", V, lit("2022-12", XSD.gYearMonth))]),
    Case("plan-national-areas", "ReformPlan-nationalProgrammeAreas",
         invalid_remove="ex:areaVI cchc:reformArea ra:digital-government .",
         invalid_add="ex:areaVI cchc:reformArea ra:direction .",
         expect=[R("ex:plan", f"({p('cchc:hasArea')}/{p('cchc:reformArea')})", "SPARQL",
                   "ReformPlan-nationalProgrammeAreas", V, "ra:digital-government")],
         # the base covers the six national areas; a plan may map two sections onto one of them
         valid_add="ex:areaV cchc:reformArea ra:public-finance ."),
    # ------------------------------------------------------------------ area sections
    Case("area-number", "PlanArea-areaNumber",
         invalid_remove='ex:areaI cchc:areaNumber "I" .', invalid_add='ex:areaI cchc:areaNumber "1" .',
         # the row id I-01 no longer matches its area: both shapes fire
         expect=[R("ex:areaI", p("cchc:areaNumber"), "Pattern", "PlanArea-areaNumber", V, lit("1")),
                 R("ex:rowI01", p("cchc:rowId"), "SPARQL", "PlanRow-rowId", V, lit("I-01"))]),
    Case("area-title", "PlanArea-title",
         invalid_remove='ex:areaII cchc:verbatimText "CẢI CÁCH THỦ TỤC HÀNH CHÍNH" .',
         expect=[R("ex:areaII", p("cchc:verbatimText"), "MinCount", "PlanArea-title")]),
    Case("area-reform-area", "PlanArea-reformArea",
         invalid_add="ex:areaII cchc:reformArea ra:direction .",
         expect=[R("ex:areaII", p("cchc:reformArea"), "MaxCount", "PlanArea-reformArea")]),
    Case("area-reform-area-class", "PlanArea-reformArea",
         invalid_remove="ex:areaII cchc:reformArea ra:procedures .", invalid_add="ex:areaII cchc:reformArea ex:agencyA .",
         expect=[R("ex:areaII", p("cchc:reformArea"), "Class", "PlanArea-reformArea", V, "ex:agencyA"),
                 R("ex:plan", f"({p('cchc:hasArea')}/{p('cchc:reformArea')})", "SPARQL",
                   "ReformPlan-nationalProgrammeAreas", V, "ra:procedures")]),
    Case("area-objective", "PlanArea-objective",
         invalid_add='ex:plan cchc:hasArea ex:areaVII . ex:areaVII a cchc:PlanArea ; cchc:areaNumber "VII" ; '
                     'cchc:position 7 ; cchc:verbatimText "CHỈ ĐẠO, ĐIỀU HÀNH" ; cchc:reformArea ra:direction .',
         expect=[R("ex:areaVII", p("cchc:hasObjective"), "MinCount", "PlanArea-objective")]),
    # ------------------------------------------------------------------ objectives, tasks, activities
    Case("objective-number", "Objective-number",
         invalid_remove='ex:objII1 cchc:objectiveNumber "1" .', invalid_add='ex:objII1 cchc:objectiveNumber "01" .',
         expect=[R("ex:objII1", p("cchc:objectiveNumber"), "Pattern", "Objective-number", V, lit("01"))],
         valid_remove='ex:objII1 cchc:objectiveNumber "1" .', valid_add='ex:objII1 cchc:objectiveNumber "10" .'),
    Case("objective-text", "Objective-text",
         invalid_remove='ex:objII1 cchc:verbatimText "Mục tiêu hai." .',
         expect=[R("ex:objII1", p("cchc:verbatimText"), "MinCount", "Objective-text")]),
    Case("objective-task", "Objective-task",
         invalid_add='ex:areaII cchc:hasObjective ex:objII2 . ex:objII2 a cchc:Objective ; cchc:objectiveNumber "2" ; '
                     'cchc:position 2 ; cchc:verbatimText "Mục tiêu không có nhiệm vụ." .',
         expect=[R("ex:objII2", p("cchc:hasTask"), "MinCount", "Objective-task")]),
    Case("task-text", "Task-text",
         invalid_remove='ex:taskII1 cchc:verbatimText "Nhiệm vụ hai." .', invalid_add='ex:taskII1 cchc:verbatimText "" .',
         expect=[R("ex:taskII1", p("cchc:verbatimText"), "MinLength", "Task-text", V, lit(""))]),
    Case("task-content", "Task-content",
         invalid_add='ex:objII1 cchc:hasTask ex:taskII2 . ex:taskII2 a cchc:Task ; cchc:position 2 ; '
                     'cchc:verbatimText "Nhiệm vụ rỗng." .',
         expect=[R("ex:taskII2", f"({p('cchc:hasActivity')}|{p('cchc:hasRow')})", "MinCount", "Task-content")]),
    Case("activity-text", "Activity-text",
         invalid_remove='ex:actI1 cchc:verbatimText "Hoạt động một." .',
         expect=[R("ex:actI1", p("cchc:verbatimText"), "MinCount", "Activity-text")]),
    Case("activity-row", "Activity-row",
         invalid_add='ex:taskI1 cchc:hasActivity ex:actI2 . ex:actI2 a cchc:Activity ; cchc:position 2 ; '
                     'cchc:verbatimText "Hoạt động không có dòng." .',
         expect=[R("ex:actI2", p("cchc:hasRow"), "MinCount", "Activity-row")]),
    # ------------------------------------------------------------------ product rows
    Case("row-id-pattern", "PlanRow-rowId",
         invalid_remove='ex:rowI01 cchc:rowId "I-01" .', invalid_add='ex:rowI01 cchc:rowId "I-1" .',
         expect=[R("ex:rowI01", p("cchc:rowId"), "Pattern", "PlanRow-rowId", V, lit("I-1"))],
         valid_remove='ex:rowI01 cchc:rowId "I-01" .', valid_add='ex:rowI01 cchc:rowId "I-101" .'),
    Case("row-id-area", "PlanRow-rowId",
         invalid_remove='ex:rowI01 cchc:rowId "I-01" .', invalid_add='ex:rowI01 cchc:rowId "II-09" .',
         expect=[R("ex:rowI01", p("cchc:rowId"), "SPARQL", "PlanRow-rowId", V, lit("II-09"))]),
    Case("row-timeframe-two", "PlanRow-timeframe",
         invalid_add='ex:rowII01 cchc:timeframe ex:tf2 . ex:tf2 a cchc:OngoingTimeframe ; cchc:verbatimText "Thường xuyên" .',
         expect=[R("ex:rowII01", p("cchc:timeframe"), "MaxCount", "PlanRow-timeframe")]),
    Case("row-timeframe-missing", "PlanRow-timeframe",
         invalid_remove='ex:rowII01 cchc:timeframe ex:rowII01-tf . ex:rowII01-tf a cchc:OngoingTimeframe ; '
                        'cchc:verbatimText "Thường xuyên" .',
         expect=[R("ex:rowII01", p("cchc:timeframe"), "MinCount", "PlanRow-timeframe")]),
    Case("row-timeframe-year", "PlanRow-timeframeInPlanYear",
         invalid_remove="ex:rowI01-tf cchc:includesQuarter ex:q2023-1 .",
         invalid_add="ex:rowI01-tf cchc:includesQuarter ex:q2024-4 . "
                     "ex:q2024-4 a cchc:Quarter ; cchc:year 2024 ; cchc:quarterNumber 4 .",
         expect=[R("ex:rowI01", p("cchc:timeframe"), "SPARQL", "PlanRow-timeframeInPlanYear", V, "ex:rowI01-tf")],
         valid_add="ex:rowI01-tf cchc:includesQuarter ex:q2023-2 ."),
    Case("row-lead-missing", "PlanRow-leadAgency",
         invalid_remove="ex:rowII01 cchc:leadAgency ex:agencyA .",
         expect=[R("ex:rowII01", p("cchc:leadAgency"), "MinCount", "PlanRow-leadAgency")],
         valid_remove="ex:rowII01 cchc:leadAgency ex:agencyA .", valid_add="ex:rowII01 cchc:leadAgency ex:groupG ."),
    Case("row-lead-not-agency", "PlanRow-leadAgency",
         invalid_remove="ex:rowII01 cchc:leadAgency ex:agencyA .", invalid_add="ex:rowII01 cchc:leadAgency ex:decree .",
         expect=[R("ex:rowII01", p("cchc:leadAgency"), "Or", "PlanRow-leadAgency", V, "ex:decree")]),
    Case("row-lead-text", "PlanRow-leadText",
         invalid_remove='ex:rowII01 cchc:leadText "Sở A" .',
         expect=[R("ex:rowII01", p("cchc:leadText"), "MinCount", "PlanRow-leadText")]),
    Case("row-coordinator-class", "PlanRow-coordinatingAgency",
         invalid_remove="ex:rowII01 cchc:coordinatingAgency ex:agencyB .",
         invalid_add="ex:rowII01 cchc:coordinatingAgency ex:rowI01 .",
         expect=[R("ex:rowII01", p("cchc:coordinatingAgency"), "Or", "PlanRow-coordinatingAgency", V, "ex:rowI01")],
         valid_add="ex:rowII01 cchc:coordinatingAgency ex:groupG ."),
    Case("row-lead-also-coordinator", "PlanRow-leadAlsoCoordinator",
         invalid_add="ex:rowII01 cchc:coordinatingAgency ex:agencyA .",
         expect=[R("ex:rowII01", p("cchc:coordinatingAgency"), "SPARQL", "PlanRow-leadAlsoCoordinator", V, "ex:agencyA")],
         # a lead that belongs to the coordinating group is normal
         valid_add="ex:agencyA org:memberOf ex:groupG . ex:rowII01 cchc:coordinatingAgency ex:groupG ."),
    Case("row-product-class", "PlanRow-product",
         invalid_add="ex:rowII01 cchc:hasProduct ex:agencyA .",
         expect=[R("ex:rowII01", p("cchc:hasProduct"), "Class", "PlanRow-product", V, "ex:agencyA")]),
    Case("row-product-present", "PlanRow-product-present",
         invalid_remove='ex:rowII01 cchc:hasProduct ex:rowII01-p1 . ex:rowII01-p1 a cchc:Product ; cchc:position 1 ; '
                        'cchc:verbatimText "Quyết định." ; rdfs:label "Quyết định"@vi ; cchc:productKind pk:decision .',
         expect=[R("ex:rowII01", p("cchc:hasProduct"), "MinCount", "PlanRow-product-present", W)]),
    Case("row-coordinators-present", "PlanRow-coordinatingAgency-present",
         invalid_remove='ex:rowII01 cchc:coordinatingAgency ex:agencyB ; cchc:coordinatorsText "Sở B" .',
         expect=[R("ex:rowII01", p("cchc:coordinatingAgency"), "MinCount", "PlanRow-coordinatingAgency-present", W)]),
    # ------------------------------------------------------------------ products
    Case("product-text", "Product-text",
         invalid_remove='ex:rowII01-p1 cchc:verbatimText "Quyết định." .', invalid_add='ex:rowII01-p1 cchc:verbatimText "" .',
         expect=[R("ex:rowII01-p1", p("cchc:verbatimText"), "MinLength", "Product-text", V, lit(""))]),
    Case("product-kind", "Product-kind",
         invalid_remove="ex:rowII01-p1 cchc:productKind pk:decision .", invalid_add="ex:rowII01-p1 cchc:productKind ex:agencyA .",
         expect=[R("ex:rowII01-p1", p("cchc:productKind"), "Class", "Product-kind", V, "ex:agencyA")]),
    # ------------------------------------------------------------------ timeframes
    Case("timeframe-text", "Timeframe-text",
         invalid_remove='ex:rowII01-tf cchc:verbatimText "Thường xuyên" .',
         expect=[R("ex:rowII01-tf", p("cchc:verbatimText"), "MinCount", "Timeframe-text")]),
    Case("timeframe-row", "Timeframe-row",
         invalid_add='ex:tfX a cchc:OngoingTimeframe ; cchc:verbatimText "Thường xuyên" .',
         expect=[R("ex:tfX", inv("cchc:timeframe"), "MinCount", "Timeframe-row")]),
    Case("scheduled-quarter", "ScheduledTimeframe-quarter",
         invalid_remove="ex:rowI01-tf cchc:includesQuarter ex:q2023-1 .",
         expect=[R("ex:rowI01-tf", p("cchc:includesQuarter"), "MinCount", "ScheduledTimeframe-quarter")]),
    Case("scheduled-beginning", "ScheduledTimeframe-beginning",
         invalid_remove="ex:rowI01-tf time:hasBeginning ex:d2023-01-01 .",
         expect=[R("ex:rowI01-tf", p("time:hasBeginning"), "MinCount", "ScheduledTimeframe-beginning")]),
    Case("scheduled-end-order", "ScheduledTimeframe-end",
         invalid_remove="ex:rowI01-tf time:hasBeginning ex:d2023-01-01 .",
         invalid_add="ex:rowI01-tf time:hasBeginning ex:d2023-06-30 .",
         expect=[R("ex:rowI01-tf", p("time:hasEnd"), "SPARQL", "ScheduledTimeframe-end", V, "ex:d2023-03-31")]),
    Case("scheduled-end-missing", "ScheduledTimeframe-end",
         invalid_remove="ex:rowIII01-tf time:hasEnd ex:d2023-06-30 .",
         expect=[R("ex:rowIII01-tf", p("time:hasEnd"), "MinCount", "ScheduledTimeframe-end")]),
    Case("periodic-points", "PeriodicTimeframe-reportingPoint",
         invalid_remove='ex:rowIII01-tf cchc:reportingPoint "Quý I" , "6 tháng" .',
         expect=[R("ex:rowIII01-tf", p("cchc:reportingPoint"), "MinCount", "PeriodicTimeframe-reportingPoint")]),
    Case("ongoing-text", "OngoingTimeframe-text",
         invalid_remove='ex:rowII01-tf cchc:verbatimText "Thường xuyên" .',
         invalid_add='ex:rowII01-tf cchc:verbatimText "Quý I năm 2023" .',
         expect=[R("ex:rowII01-tf", p("cchc:verbatimText"), "Pattern", "OngoingTimeframe-text", V, lit("Quý I năm 2023"))],
         valid_remove='ex:rowII01-tf cchc:verbatimText "Thường xuyên" .',
         valid_add='ex:rowII01-tf cchc:verbatimText "thường xuyên trong năm" .'),
    Case("conditional-condition", "ConditionalTimeframe-condition",
         invalid_remove="ex:rowII01-tf a cchc:OngoingTimeframe .", invalid_add="ex:rowII01-tf a cchc:ConditionalTimeframe .",
         expect=[R("ex:rowII01-tf", p("cchc:condition"), "MinCount", "ConditionalTimeframe-condition"),
                 R("ex:rowII01-tf", p("cchc:includesQuarter"), "MinCount", "ConditionalTimeframe-quarter", I)],
         valid_remove='ex:rowII01-tf a cchc:OngoingTimeframe ; cchc:verbatimText "Thường xuyên" .',
         valid_add='ex:rowII01-tf a cchc:ConditionalTimeframe ; cchc:verbatimText "Khi có hướng dẫn" ; '
                   'cchc:condition "có hướng dẫn" .',
         valid_expect=[R("ex:rowII01-tf", p("cchc:includesQuarter"), "MinCount", "ConditionalTimeframe-quarter", I)]),
    Case("conditional-quarter", "ConditionalTimeframe-quarter",
         invalid_remove='ex:rowII01-tf a cchc:OngoingTimeframe ; cchc:verbatimText "Thường xuyên" .',
         invalid_add='ex:rowII01-tf a cchc:ConditionalTimeframe ; cchc:verbatimText "Sau khi có kết quả" ; '
                     'cchc:condition "có kết quả" .',
         expect=[R("ex:rowII01-tf", p("cchc:includesQuarter"), "MinCount", "ConditionalTimeframe-quarter", I)],
         # a condition that the plan nevertheless places in a quarter
         valid_remove='ex:rowII01-tf a cchc:OngoingTimeframe ; cchc:verbatimText "Thường xuyên" .',
         valid_add='ex:rowII01-tf a cchc:ConditionalTimeframe ; cchc:verbatimText "Khi có hướng dẫn, trong Quý I" ; '
                   'cchc:condition "có hướng dẫn, trong Quý I" ; cchc:includesQuarter ex:q2023-1 .'),
    Case("following-schedule", "FollowingScheduleTimeframe-schedule",
         invalid_remove='ex:rowII01-tf a cchc:OngoingTimeframe ; cchc:verbatimText "Thường xuyên" .',
         invalid_add='ex:rowII01-tf a cchc:FollowingScheduleTimeframe ; cchc:verbatimText "Theo" .',
         expect=[R("ex:rowII01-tf", p("cchc:followsSchedule"), "MinCount", "FollowingScheduleTimeframe-schedule"),
                 R("ex:rowII01-tf", p("cchc:includesQuarter"), "MinCount", "FollowingScheduleTimeframe-quarter", I)],
         valid_remove='ex:rowII01-tf a cchc:OngoingTimeframe ; cchc:verbatimText "Thường xuyên" .',
         valid_add='ex:rowII01-tf a cchc:FollowingScheduleTimeframe ; cchc:verbatimText "Theo Kế hoạch kiểm tra" ; '
                   'cchc:followsSchedule "Kế hoạch kiểm tra" .',
         valid_expect=[R("ex:rowII01-tf", p("cchc:includesQuarter"), "MinCount", "FollowingScheduleTimeframe-quarter", I)]),
    Case("following-quarter", "FollowingScheduleTimeframe-quarter",
         invalid_remove='ex:rowII01-tf a cchc:OngoingTimeframe ; cchc:verbatimText "Thường xuyên" .',
         invalid_add='ex:rowII01-tf a cchc:FollowingScheduleTimeframe ; cchc:verbatimText "Theo Danh mục VBQPPL" ; '
                     'cchc:followsSchedule "Danh mục VBQPPL" .',
         expect=[R("ex:rowII01-tf", p("cchc:includesQuarter"), "MinCount", "FollowingScheduleTimeframe-quarter", I)],
         valid_remove='ex:rowII01-tf a cchc:OngoingTimeframe ; cchc:verbatimText "Thường xuyên" .',
         valid_add='ex:rowII01-tf a cchc:FollowingScheduleTimeframe ; cchc:verbatimText "Theo lịch, Quý II" ; '
                   'cchc:followsSchedule "lịch, Quý II" ; cchc:includesQuarter ex:q2023-2 .'),
    Case("quarter-year", "Quarter-year",
         invalid_add="ex:q2025-1 a cchc:Quarter ; cchc:quarterNumber 1 .",
         expect=[R("ex:q2025-1", p("cchc:year"), "MinCount", "Quarter-year")]),
    Case("quarter-number", "Quarter-number",
         invalid_add="ex:q2023-5 a cchc:Quarter ; cchc:year 2023 ; cchc:quarterNumber 5 .",
         expect=[R("ex:q2023-5", p("cchc:quarterNumber"), "MaxInclusive", "Quarter-number", V, lit(5))],
         valid_add="ex:q2023-4 a cchc:Quarter ; cchc:year 2023 ; cchc:quarterNumber 4 ."),
    # ------------------------------------------------------------------ registry
    Case("agency-id", "Registry-identifier",
         invalid_remove='ex:agencyA dcterms:identifier "so-a" .', invalid_add='ex:agencyA dcterms:identifier "Sở A" .',
         expect=[R("ex:agencyA", p("dcterms:identifier"), "Pattern", "Registry-identifier", V, lit("Sở A"))]),
    Case("group-id", "Registry-identifier",
         invalid_remove='ex:groupG dcterms:identifier "nhom-g" .',
         expect=[R("ex:groupG", p("dcterms:identifier"), "MinCount", "Registry-identifier")]),
    Case("agency-name", "Registry-name",
         invalid_remove='ex:agencyA skos:prefLabel "Department A"@en .',
         expect=[R("ex:agencyA", p("skos:prefLabel"), "MinCount", "Registry-name")]),
    Case("agency-name-language", "Registry-name",
         invalid_add='ex:groupG skos:prefLabel "Groupe G"@fr .',
         expect=[R("ex:groupG", p("skos:prefLabel"), "LanguageIn", "Registry-name", V, lit("Groupe G", lang="fr"))]),
    Case("agency-member-of", "Registry-memberOf",
         invalid_remove="ex:agencyB org:memberOf ex:groupG .", invalid_add="ex:agencyB org:memberOf ex:agencyA .",
         expect=[R("ex:agencyB", p("org:memberOf"), "Class", "Registry-memberOf", V, "ex:agencyA")]),
    # ------------------------------------------------------------------ legal catalogue (ex:resolution is cited nowhere)
    Case("document-type", "LegalDocument-type",
         invalid_remove='ex:resolution cchc:documentType "Nghị quyết" .',
         expect=[R("ex:resolution", p("cchc:documentType"), "MinCount", "LegalDocument-type")]),
    Case("document-number", "LegalDocument-number",
         invalid_remove='ex:resolution eli:id_local "04/NQ-CP" .', invalid_add='ex:resolution eli:id_local "A4/NQ-CP" .',
         expect=[R("ex:resolution", p("eli:id_local"), "Pattern", "LegalDocument-number", V, lit("A4/NQ-CP"))]),
    Case("document-issuer-code", "LegalDocument-issuerCode",
         invalid_remove='ex:resolution cchc:issuerCode "NQ-CP" .', invalid_add='ex:resolution cchc:issuerCode "NQ-HĐND" .',
         expect=[R("ex:resolution", p("cchc:issuerCode"), "SPARQL", "LegalDocument-issuerCode", V, lit("NQ-HĐND"))]),
    Case("document-issuer-code-missing", "LegalDocument-issuerCode",
         invalid_remove='ex:resolution cchc:issuerCode "NQ-CP" .',
         expect=[R("ex:resolution", p("cchc:issuerCode"), "MinCount", "LegalDocument-issuerCode")]),
    Case("document-issuer", "LegalDocument-issuer",
         invalid_remove="ex:resolution eli:passed_by ex:government .", invalid_add="ex:resolution eli:passed_by ex:groupG .",
         expect=[R("ex:resolution", p("eli:passed_by"), "Class", "LegalDocument-issuer", V, "ex:groupG")]),
    Case("document-date", "LegalDocument-date",
         invalid_remove='ex:resolution eli:date_document "2022-01-10"^^xsd:date .',
         invalid_add='ex:resolution eli:date_document "10/01/2022" .',
         expect=[R("ex:resolution", p("eli:date_document"), "Datatype", "LegalDocument-date", V, lit("10/01/2022"))]),
    Case("document-cited-dates", "LegalDocument-citedDates",
         invalid_remove='ex:taskI1-c1 cchc:citedDate "2020-06-01"^^xsd:date .',
         invalid_add='ex:taskI1-c1 cchc:citedDate "2020-06-02"^^xsd:date .',
         expect=[R("ex:decree", f"({inv('cchc:citedDocument')}/{p('cchc:citedDate')})", "SPARQL", "LegalDocument-citedDates",
                   V, lit("2020-06-01", XSD.date)),
                 R("ex:decree", f"({inv('cchc:citedDocument')}/{p('cchc:citedDate')})", "SPARQL", "LegalDocument-citedDates",
                   V, lit("2020-06-02", XSD.date)),
                 # and the citation that disagrees with the catalogue
                 R("ex:taskI1-c1", p("cchc:citedDate"), "SPARQL", "Citation-citedDate", V, lit("2020-06-02", XSD.date))],
         # a citation without a date does not conflict with a dated one
         valid_remove='ex:taskI1-c1 cchc:citedDate "2020-06-01"^^xsd:date .'),
    Case("document-title", "LegalDocument-title",
         invalid_remove='ex:resolution eli:title "Về phân cấp"@vi .',
         expect=[R("ex:resolution", p("eli:title"), "MinCount", "LegalDocument-title", W)]),
    Case("law-code", "Law-issuerCode",
         invalid_remove='ex:law cchc:issuerCode "QH13" ; eli:id_local "14/2012/QH13" .',
         invalid_add='ex:law cchc:issuerCode "NĐ-CP" ; eli:id_local "14/2012/NĐ-CP" .',
         expect=[R("ex:law", p("cchc:issuerCode"), "Pattern", "Law-issuerCode", V, lit("NĐ-CP"))]),
    Case("decree-code", "Decree-issuerCode",
         invalid_remove='ex:decree cchc:issuerCode "NĐ-CP" ; eli:id_local "62/2020/NĐ-CP" .',
         invalid_add='ex:decree cchc:issuerCode "NQ-CP" ; eli:id_local "62/2020/NQ-CP" .',
         expect=[R("ex:decree", p("cchc:issuerCode"), "Pattern", "Decree-issuerCode", V, lit("NQ-CP"))]),
    Case("resolution-code", "Resolution-issuerCode",
         invalid_remove='ex:resolution cchc:issuerCode "NQ-CP" ; eli:id_local "04/NQ-CP" .',
         invalid_add='ex:resolution cchc:issuerCode "QĐ-CP" ; eli:id_local "04/QĐ-CP" .',
         expect=[R("ex:resolution", p("cchc:issuerCode"), "Pattern", "Resolution-issuerCode", V, lit("QĐ-CP"))]),
    Case("decision-code", "Decision-issuerCode",
         invalid_remove='ex:decision cchc:issuerCode "QĐ-TTg" ; eli:id_local "942/QĐ-TTg" .',
         invalid_add='ex:decision cchc:issuerCode "NQ-TTg" ; eli:id_local "942/NQ-TTg" .',
         expect=[R("ex:decision", p("cchc:issuerCode"), "Pattern", "Decision-issuerCode", V, lit("NQ-TTg"))]),
    Case("plan-document-code", "PlanDocument-issuerCode",
         invalid_remove='ex:planDocument cchc:issuerCode "KH-UBND" ; eli:id_local "132/KH-UBND" .',
         invalid_add='ex:planDocument cchc:issuerCode "QĐ-UBND" ; eli:id_local "132/QĐ-UBND" .',
         expect=[R("ex:planDocument", p("cchc:issuerCode"), "Pattern", "PlanDocument-issuerCode", V, lit("QĐ-UBND"))]),
    # ------------------------------------------------------------------ citations
    Case("citation-text", "Citation-text",
         invalid_remove='ex:objI1-c1 cchc:verbatimText "Nghị định số 62/2020/NĐ-CP ngày 01/6/2020" .',
         expect=[R("ex:objI1-c1", p("cchc:verbatimText"), "MinCount", "Citation-text")]),
    Case("citation-element", "Citation-element",
         invalid_add='ex:cX a cchc:Citation ; cchc:verbatimText "Luật" ; cchc:citedDocument ex:law .',
         expect=[R("ex:cX", inv("cchc:hasCitation"), "MinCount", "Citation-element")],
         valid_add='ex:rowII01-p1 cchc:hasCitation ex:cX . ex:cX a cchc:Citation ; cchc:verbatimText "Luật" ; '
                   'cchc:citedDocument ex:law .'),
    Case("citation-in-timeframe", "Citation-element",
         invalid_add='ex:agencyA cchc:hasCitation ex:cX . ex:cX a cchc:Citation ; cchc:verbatimText "Luật" ; '
                     'cchc:citedDocument ex:law .',
         expect=[R("ex:cX", inv("cchc:hasCitation"), "Or", "Citation-element", V, "ex:agencyA")],
         # a timeframe cell may cite a document too ("Sau khi có Quyết định …")
         valid_add='ex:rowII01-tf cchc:hasCitation ex:cX . ex:cX a cchc:Citation ; cchc:verbatimText "Luật" ; '
                   'cchc:citedDocument ex:law .'),
    Case("citation-unresolved-untyped", "Citation-citedDocument",
         invalid_remove="ex:objI1-c1 cchc:citedDocument ex:decree .",
         expect=[R("ex:objI1-c1", p("cchc:citedDocument"), "SPARQL", "Citation-citedDocument")]),
    Case("citation-not-catalogued", "Citation-citedDocument",
         invalid_remove="ex:objI1-c1 cchc:citedDocument ex:decree .",
         invalid_add='ex:objI1-c1 cchc:citedDocument ex:newDecree . ex:newDecree a cchc:Decree ; '
                     'eli:id_local "99/2020/NĐ-CP" ; cchc:documentType "Nghị định" ; cchc:issuerCode "NĐ-CP" .',
         # the citation is reported in its cell; the document, wherever documents are listed
         expect=[R("ex:objI1-c1", p("cchc:citedDocument"), "Node", "Citation-citedDocument", V, "ex:newDecree"),
                 R("ex:newDecree", p("eli:passed_by"), "MinCount", "LegalDocument-issuer"),
                 R("ex:newDecree", p("eli:date_document"), "MinCount", "LegalDocument-date"),
                 R("ex:newDecree", p("eli:title"), "MinCount", "LegalDocument-title", W)]),
    Case("citation-not-a-document", "Citation-citedDocument",
         invalid_remove="ex:objI1-c1 cchc:citedDocument ex:decree .", invalid_add="ex:objI1-c1 cchc:citedDocument ex:agencyA .",
         expect=[R("ex:objI1-c1", p("cchc:citedDocument"), "Class", "Citation-citedDocument", V, "ex:agencyA"),
                 R("ex:objI1-c1", p("cchc:citedDocument"), "Node", "Citation-citedDocument", V, "ex:agencyA")]),
    Case("citation-date-catalogue", "Citation-citedDate",
         invalid_remove='ex:objI1-c1 cchc:citedDate "2020-06-01"^^xsd:date . ex:taskI1-c1 cchc:citedDate "2020-06-01"^^xsd:date .',
         invalid_add='ex:objI1-c1 cchc:citedDate "2020-01-06"^^xsd:date .',
         expect=[R("ex:objI1-c1", p("cchc:citedDate"), "SPARQL", "Citation-citedDate", V, lit("2020-01-06", XSD.date))]),
    Case("citation-date-datatype", "Citation-citedDate",
         invalid_remove='ex:objI1-c1 cchc:citedDate "2020-06-01"^^xsd:date .',
         invalid_add='ex:objI1-c1 cchc:citedDate "2020-06-01"^^xsd:dateTime .',
         expect=[R("ex:objI1-c1", p("cchc:citedDate"), "Datatype", "Citation-citedDate", V,
                   lit("2020-06-01", XSD.dateTime))]),
    Case("unresolved-type", "UnresolvedCitation-type",
         invalid_add='ex:objII1 cchc:hasCitation ex:u1 . ex:u1 a cchc:UnresolvedCitation ; cchc:verbatimText "kế hoạch của Bộ Nội vụ" .',
         expect=[R("ex:u1", p("cchc:documentType"), "MinCount", "UnresolvedCitation-type"),
                 R("ex:u1", p("cchc:citedDocument"), "MinCount", "UnresolvedCitation-citedDocument", I)],
         valid_add='ex:objII1 cchc:hasCitation ex:u1 . ex:u1 a cchc:UnresolvedCitation ; '
                   'cchc:verbatimText "kế hoạch của Bộ Nội vụ" ; cchc:documentType "Kế hoạch" .',
         valid_expect=[R("ex:u1", p("cchc:citedDocument"), "MinCount", "UnresolvedCitation-citedDocument", I)]),
    Case("unresolved-document", "UnresolvedCitation-citedDocument",
         invalid_add='ex:objII1 cchc:hasCitation ex:u1 . ex:u1 a cchc:UnresolvedCitation ; '
                     'cchc:verbatimText "kế hoạch của Bộ Nội vụ" ; cchc:documentType "Kế hoạch" .',
         expect=[R("ex:u1", p("cchc:citedDocument"), "MinCount", "UnresolvedCitation-citedDocument", I)],
         # once the document is identified and catalogued, the information goes away
         valid_add='ex:objII1 cchc:hasCitation ex:u1 . ex:u1 a cchc:UnresolvedCitation ; cchc:verbatimText "Luật" ; '
                   'cchc:documentType "Luật" ; cchc:citedDocument ex:law .'),
    # ------------------------------------------------------------------ reform areas (the real ra: scheme is valid)
    Case("reform-area-label", "ReformArea-prefLabel",
         invalid_add='ex:newArea a cchc:ReformArea ; skos:prefLabel "Lĩnh vực mới"@vi ; skos:inScheme ra:scheme .',
         expect=[R("ex:newArea", p("skos:prefLabel"), "MinCount", "ReformArea-prefLabel")],
         valid_add='ex:newArea a cchc:ReformArea ; skos:prefLabel "Lĩnh vực mới"@vi , "New area"@en ; skos:inScheme ra:scheme .'),
    Case("reform-area-scheme", "ReformArea-scheme",
         invalid_add='ex:newArea a cchc:ReformArea ; skos:prefLabel "Lĩnh vực mới"@vi , "New area"@en .',
         expect=[R("ex:newArea", p("skos:inScheme"), "MinCount", "ReformArea-scheme")]),
    Case("national-area-notation", "NationalProgrammeArea-notation",
         invalid_add='ex:newArea a cchc:NationalProgrammeArea ; skos:prefLabel "Lĩnh vực mới"@vi , "New area"@en ; '
                     'skos:inScheme ra:scheme ; skos:notation "7" .',
         # a seventh national area is also one the plan does not cover
         expect=[R("ex:newArea", p("skos:notation"), "Pattern", "NationalProgrammeArea-notation", V, lit("7")),
                 R("ex:plan", f"({p('cchc:hasArea')}/{p('cchc:reformArea')})", "SPARQL",
                   "ReformPlan-nationalProgrammeAreas", V, "ex:newArea")]),
]


# ---------------------------------------------------------------------------------------------- helpers

@pytest.fixture(scope="module")
def base() -> Graph:
    return Graph().parse(BASE, format="turtle")


def example(base: Graph, add: str = "", remove: str = "") -> Graph:
    graph = Graph()
    graph += base
    if remove:
        removed = Graph().parse(data=PREFIXES + remove, format="turtle")
        missing = [t for t in removed if t not in graph]
        assert not missing, f"the example removes triples the base does not have: {missing}"
        graph -= removed
    if add:
        graph += Graph().parse(data=PREFIXES + add, format="turtle")
    return graph


def results(graph: Graph, ontology: Graph) -> set[tuple]:
    outcome = validate_graph(graph, ontology=ontology)
    return {(f.focus, f.path_text, f.component, f.shape, f.severity, f.value) for f in outcome.findings}


def show(found: set[tuple]) -> str:
    return "\n".join(sorted(" | ".join(str(x) for x in t) for t in found)) or "(none)"


@pytest.fixture(scope="module")
def shapes_graph() -> Graph:
    from cchc_graph.validate import load_shapes
    return load_shapes(SHAPES_DIR)


# ---------------------------------------------------------------------------------------------- tests

def test_base_example_meets_every_shape(base, ontology):
    assert results(base, ontology) == set()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_invalid_example(case, base, ontology):
    found = results(example(base, case.invalid_add, case.invalid_remove), ontology)
    expected = {r.key() for r in case.expect}
    assert found == expected, f"\nfound:\n{show(found)}\nexpected:\n{show(expected)}"
    assert CCHCSH[case.shape] in {r[3] for r in found}, "the case must make its own shape fire"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_valid_example(case, base, ontology):
    found = results(example(base, case.valid_add, case.valid_remove), ontology)
    expected = {r.key() for r in case.valid_expect}
    assert found == expected, f"\nfound:\n{show(found)}\nexpected:\n{show(expected)}"
    assert CCHCSH[case.shape] not in {r[3] for r in found}


def _named_shapes(shapes: Graph) -> set[URIRef]:
    found = set(shapes.subjects(RDF.type, SH.NodeShape)) | set(shapes.subjects(RDF.type, SH.PropertyShape))
    found |= set(shapes.objects(None, SH.property)) | set(shapes.objects(None, SH.node))
    return found


def test_every_shape_has_a_valid_and_an_invalid_case(shapes_graph):
    cased = {CCHCSH[c.shape] for c in CASES}
    property_shapes = set(shapes_graph.subjects(RDF.type, SH.PropertyShape))
    assert property_shapes - cased == set(), "property shapes without valid/invalid examples"
    assert cased - property_shapes == set(), "cases about shapes that do not exist"
    for node_shape in shapes_graph.subjects(RDF.type, SH.NodeShape):
        properties = set(shapes_graph.objects(node_shape, SH.property))
        assert properties & cased, f"{node_shape} has no property shape with examples"


def test_every_class_of_the_ontology_is_targeted(shapes_graph, ontology):
    classes = {c for c in ontology.subjects(RDF.type, OWL.Class) if str(c).startswith("https://w3id.org/cchc-graph/")}
    assert len(classes) == 28
    targeted = set(shapes_graph.objects(None, SH.targetClass))
    assert classes - targeted == set()
    for cls in classes:
        node_shapes = [s for s in shapes_graph.subjects(SH.targetClass, cls) if (s, RDF.type, SH.NodeShape) in shapes_graph]
        assert node_shapes, f"{cls} has no node shape"


def test_shapes_are_named_iris_with_texts_in_both_languages(shapes_graph):
    shapes = _named_shapes(shapes_graph)
    assert len(shapes) > 90
    for shape in shapes:
        assert isinstance(shape, URIRef) and str(shape).startswith(SHAPES_NS), f"unnamed or foreign shape {shape}"
        local = str(shape)[len(SHAPES_NS):]
        assert local[0].isupper() and all(ch.isalnum() or ch == "-" for ch in local), local
        severities = set(shapes_graph.objects(shape, SH.severity))
        assert len(severities) == 1 and severities <= {SH.Violation, SH.Warning, SH.Info}, f"{local}: severity"
        for prop in (SH.name, SH.description, SH.message):
            values = list(shapes_graph.objects(shape, prop))
            langs = sorted(v.language for v in values if isinstance(v, Literal))
            assert langs == ["en", "vi"], f"{local}: {prop} in {langs}, want one @vi and one @en"
            assert all(str(v).strip() for v in values)


@pytest.mark.parametrize("name,severity", [("violation", SH.Violation), ("warning", SH.Warning), ("info", SH.Info)])
def test_each_file_holds_one_severity_and_keeps_its_targets(name, severity):
    graph = Graph().parse(SHAPES_DIR / f"{name}.ttl", format="turtle")
    declared = {s for s in graph.subjects(SH.severity, None)}
    assert declared, f"{name}.ttl declares no shape"
    assert {o for o in graph.objects(None, SH.severity)} == {severity}
    # every property shape of the file is reachable from a target declared in the same file,
    # so the file can be used on its own (e.g. only the mandatory checks)
    for shape in set(graph.objects(None, SH.property)):
        owners = set(graph.subjects(SH.property, shape))
        assert any((o, SH.targetClass, None) in graph for o in owners), f"{shape} has no target in {name}.ttl"


def test_file_loaded_alone_reports_its_severity_only(tmp_path, base, ontology):
    import shutil
    shutil.copy(SHAPES_DIR / "warning.ttl", tmp_path / "warning.ttl")
    graph = example(base, remove='ex:resolution eli:title "Về phân cấp"@vi . '
                                 'ex:rowII01 cchc:leadAgency ex:agencyA .')
    outcome = validate_graph(graph, shapes_dir=tmp_path, ontology=ontology)
    assert {(f.focus, f.shape, f.severity) for f in outcome.findings} == {
        (EX.resolution, CCHCSH["LegalDocument-title"], "warning")}


def test_shapes_are_well_formed_shacl(shapes_graph):
    """The shapes themselves conform to the W3C SHACL-SHACL shapes (pySHACL's meta-validation)."""
    from pyshacl.entrypoints import meta_validate
    conforms, _, text = meta_validate(shapes_graph)
    assert conforms, text
