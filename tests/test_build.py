"""The build of the 2023 Ninh Bình plan: round trip to the source table, determinism, the summary, and SPARQL
answers for every cell of every row (agencies, provenance, citations, timeframes).

Expected values are computed here from data/ninh-binh-2023/table.csv with the csv module and plain string
handling, or written out by hand, never with the code under test.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.sparql import prepareQuery

from cchc_graph.agencies import load_registry
from cchc_graph.build import DATA, DEFAULT_PLAN
from cchc_graph.cli import main
from cchc_graph.export import export_table
from cchc_graph.namespaces import CCHC, DCTERMS, ELI, ID, PROV, RDF, bind_prefixes
from cchc_graph.store import serialize
from tests.plain_namespaces import TIME

ROOT = Path(__file__).resolve().parent.parent
TABLE = DEFAULT_PLAN / "table.csv"
PLAN = ID["plan/ninh-binh-2023"]
SOURCE_FILE = ID["source/ninh-binh-2023/table.csv"]
INIT_NS = {"cchc": CCHC._NS, "dcterms": DCTERMS, "prov": PROV, "eli": ELI._NS, "time": TIME, "rdf": RDF}


def read_rows() -> list[dict[str, str]]:
    with TABLE.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


ROWS = read_rows()
ROW_IDS = [r["row_id"] for r in ROWS]
BY_ID = {r["row_id"]: r for r in ROWS}


def source_lines() -> dict[str, int]:
    """Line of table.csv where each row starts, found by scanning the raw text for '<row id>,' at a line start."""
    found = {}
    for number, line in enumerate(TABLE.read_text(encoding="utf-8").split("\n"), start=1):
        match = re.match(r"([IVX]+-\d{2}),", line)
        if match:
            found[match.group(1)] = number
    return found


# ------------------------------------------------------------------------------------------------ the table itself

def test_table_has_64_rows_in_document_order():
    assert len(ROWS) == 64
    assert Counter(r["area"] for r in ROWS) == {"I": 6, "II": 8, "III": 6, "IV": 5, "V": 10, "VI": 10, "VII": 19}
    for area in ("I", "II", "III", "IV", "V", "VI", "VII"):
        ids = [r["row_id"] for r in ROWS if r["area"] == area]
        assert ids == [f"{area}-{n:02d}" for n in range(1, len(ids) + 1)]


# ------------------------------------------------------------------------------------------------ round trip

def test_export_table_equals_source_byte_for_byte(plan_graph):
    assert export_table(plan_graph).encode("utf-8") == TABLE.read_bytes()


def test_export_table_for_the_plan_id(plan_graph):
    assert export_table(plan_graph, "ninh-binh-2023").encode("utf-8") == TABLE.read_bytes()


def test_cli_build_then_export_equals_source(runner, tmp_path):
    graph_file = tmp_path / "graph.ttl"
    built = runner.invoke(main, ["build", "-o", str(graph_file)])
    assert built.exit_code == 0, built.output
    exported = runner.invoke(main, ["export", "--graph", str(graph_file)])
    assert exported.exit_code == 0, exported.stderr
    assert exported.stdout_bytes == TABLE.read_bytes()


# ------------------------------------------------------------------------------------------------ determinism

def _build_in_subprocess(output: Path, fmt: str, hash_seed: str) -> bytes:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    done = subprocess.run([sys.executable, "-m", "cchc_graph.cli", "build", "--quiet", "--format", fmt, "-o", str(output)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return output.read_bytes()


@pytest.mark.parametrize("fmt", ["turtle", "nt", "json-ld"])
def test_build_is_byte_identical_in_two_processes(tmp_path, fmt):
    """Two separate processes (each with its own hash seed, as any two runs have) write the same bytes.
    Regression: for json-ld: cchc_graph.store.serialize sorts the keys inside each JSON-LD node but not
    the list of nodes, which comes out in hash order, so the JSON-LD differs from run to run."""
    first = _build_in_subprocess(tmp_path / "first", fmt, "1")
    second = _build_in_subprocess(tmp_path / "second", fmt, "2")
    assert len(first) > 100_000
    assert first == second, f"{fmt} output differs between two builds"


@pytest.mark.parametrize("fmt", ["turtle", "nt", "json-ld"])
def test_serialization_does_not_depend_on_triple_order(plan_graph, fmt):
    """The in-process cause of the determinism bug: the same triples added in another order must serialise
    to the same bytes. Regression: for json-ld (see above). The graphs get the project's prefixes, as every
    graph the project writes does (without them rdflib numbers the prefixes ns1, ns2… in encounter order)."""
    triples = sorted(plan_graph)
    forward, backward = Graph(), Graph()
    bind_prefixes(forward)
    bind_prefixes(backward)
    for triple in triples:
        forward.add(triple)
    for triple in reversed(triples):
        backward.add(triple)
    assert serialize(forward, fmt) == serialize(backward, fmt)


# ------------------------------------------------------------------------------------------------ summary

def expected_counts() -> dict[str, int]:
    """Counts per class, from table.csv and agencies.csv with the table's rules: merged cells are carried
    down, so a new task / activity starts where its cell changes; products are one per line of the cell."""
    tasks = activities = 0
    previous = None
    for r in ROWS:
        task_key = (r["area"], r["objective_no"], r["task"])
        new_task = previous is None or task_key != (previous["area"], previous["objective_no"], previous["task"])
        tasks += new_task
        if r["activity"] and (new_task or r["activity"] != previous["activity"]):
            activities += 1
        previous = r
    timeframes = Counter()
    for r in ROWS:
        t = r["timeframe"]
        kind = ("OngoingTimeframe" if t == "Thường xuyên" else
                "ConditionalTimeframe" if t.startswith(("Khi ", "Sau khi ")) else
                "FollowingScheduleTimeframe" if t.startswith("Theo ") else
                "PeriodicTimeframe" if "6 tháng" in t else "ScheduledTimeframe")
        timeframes[kind] += 1
    with (DATA / "agencies.csv").open(encoding="utf-8", newline="") as handle:
        # Bodies of 2023: every registry entry but those created by a 2025 change (`since`); the build adds
        # the nodes the changes create (CREATED_BY_CHANGES).
        kinds = Counter(a["kind"] for a in csv.DictReader(handle) if not a["since"])
    return {
        "cchc:ReformPlan": 1,
        "cchc:PlanArea": len({r["area"] for r in ROWS}),
        "cchc:Objective": len({(r["area"], r["objective_no"]) for r in ROWS}),
        "cchc:Task": tasks,
        "cchc:Activity": activities,
        "cchc:PlanRow": len(ROWS),
        "cchc:Product": sum(len(r["product"].split("\n")) for r in ROWS if r["product"]),
        "cchc:Agency": kinds["agency"] + CREATED_BY_CHANGES["agency"],
        "cchc:AgencyGroup": kinds["group"] + CREATED_BY_CHANGES["group"],
        **{f"cchc:{k}": v for k, v in timeframes.items()},
    }


# Created by data/agency-changes.csv: in the old tỉnh Ninh Bình, Sở Nông nghiệp và Môi trường, UBND thành phố Hoa
# Lư and Báo và Phát thanh, Truyền hình Ninh Bình; in the new tỉnh Ninh Bình (01/07/2025), the 17 bodies of its
# government that the merged provinces' bodies became, and the groups Các sở, ban, ngành and UBND cấp xã.
CREATED_BY_CHANGES = {"agency": 20, "group": 2}


def test_expected_counts_are_the_real_ones():
    counts = expected_counts()
    assert counts["cchc:PlanRow"] == 64
    assert counts["cchc:Objective"] == 25
    assert counts["cchc:PlanArea"] == 7
    assert counts["cchc:Task"] == 40
    assert counts["cchc:Activity"] == 41
    assert counts["cchc:Product"] == 80
    assert counts["cchc:OngoingTimeframe"] == 25
    assert counts["cchc:ConditionalTimeframe"] == 7
    assert counts["cchc:FollowingScheduleTimeframe"] == 2
    assert counts["cchc:PeriodicTimeframe"] == 1
    assert counts["cchc:ScheduledTimeframe"] == 29
    assert counts["cchc:Agency"] == 46 + 20 and counts["cchc:AgencyGroup"] == 7 + 2


def test_build_summary_lists_counts_per_class(runner, tmp_path):
    out = tmp_path / "graph.ttl"
    result = runner.invoke(main, ["build", "-o", str(out)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    wrote = re.fullmatch(r"wrote (.+) \((\d+) triples\)", lines[0])
    assert wrote and wrote.group(1) == str(out)
    assert int(wrote.group(2)) == len(Graph().parse(out))
    printed = {}
    for line in lines[1:]:
        match = re.fullmatch(r"\s*(\d+)\s+(\S+)", line)
        assert match, f"unexpected summary line {line!r}"
        printed[match.group(2)] = int(match.group(1))
    for cls, count in expected_counts().items():
        assert printed.get(cls) == count, cls
    assert printed["cchc:PlanRow"] == 64
    assert printed["cchc:Objective"] == 25
    # 2023 Q1–Q4, and 2024 Q4 (V-09).
    assert printed["cchc:Quarter"] == 5


def test_quiet_build_prints_nothing(runner, tmp_path):
    result = runner.invoke(main, ["build", "--quiet", "-o", str(tmp_path / "g.ttl")])
    assert result.exit_code == 0 and result.stdout == ""
    assert (tmp_path / "g.ttl").stat().st_size > 0


# ------------------------------------------------------------------------------------------------ every cell by SPARQL

ROW_QUERY = prepareQuery("""
SELECT ?row ?plan ?area ?objective_no ?objective ?task ?activity ?lead ?coordinators ?timeframe WHERE {
  ?row a cchc:PlanRow ; cchc:rowId ?row_id ; cchc:leadText ?lead ; cchc:timeframe ?tf .
  ?tf cchc:verbatimText ?timeframe .
  OPTIONAL { ?row cchc:coordinatorsText ?coordinators }
  { ?task_node cchc:hasRow ?row }
  UNION
  { ?activity_node a cchc:Activity ; cchc:hasRow ?row ; cchc:verbatimText ?activity .
    ?task_node cchc:hasActivity ?activity_node }
  ?task_node a cchc:Task ; cchc:verbatimText ?task .
  ?objective_node a cchc:Objective ; cchc:hasTask ?task_node ; cchc:verbatimText ?objective ;
                  cchc:objectiveNumber ?objective_no .
  ?area_node a cchc:PlanArea ; cchc:hasObjective ?objective_node ; cchc:areaNumber ?area .
  ?plan cchc:hasArea ?area_node .
}""", initNs=INIT_NS)

PRODUCTS_QUERY = prepareQuery("""
SELECT ?text ?position WHERE {
  ?row cchc:rowId ?row_id ; cchc:hasProduct ?product .
  ?product a cchc:Product ; cchc:verbatimText ?text ; cchc:position ?position .
} ORDER BY ?position""", initNs=INIT_NS)

AGENCIES_QUERY = prepareQuery("""
SELECT ?role ?id WHERE {
  VALUES (?link ?role) { (cchc:leadAgency "lead") (cchc:coordinatingAgency "coordinators") }
  ?row cchc:rowId ?row_id ; ?link ?agency .
  ?agency dcterms:identifier ?id .
}""", initNs=INIT_NS)


def row_cells(graph: Graph, row_id: str) -> dict[str, str]:
    bindings = {"row_id": Literal(row_id)}
    answers = list(graph.query(ROW_QUERY, initBindings=bindings))
    assert len(answers) == 1, f"{row_id}: {len(answers)} answers"
    answer = answers[0]
    assert answer.plan == PLAN
    cells = {name: str(answer[name]) if answer[name] is not None else ""
             for name in ("area", "objective_no", "objective", "task", "activity", "lead", "coordinators", "timeframe")}
    products = [(int(p.position), str(p.text)) for p in graph.query(PRODUCTS_QUERY, initBindings=bindings)]
    assert [n for n, _ in products] == list(range(1, len(products) + 1))
    cells["product"] = "\n".join(text for _, text in products)
    cells["row_id"] = row_id
    return cells


def row_agencies(graph: Graph, row_id: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {"lead": set(), "coordinators": set()}
    for answer in graph.query(AGENCIES_QUERY, initBindings={"row_id": Literal(row_id)}):
        found[str(answer.role)].add(str(answer.id))
    return found


@pytest.mark.parametrize("row_id", ROW_IDS)
def test_sparql_answers_every_cell_of_the_row(plan_graph, row_id):
    assert row_cells(plan_graph, row_id) == BY_ID[row_id]


def test_sparql_binding_selects_only_the_bound_row(plan_graph):
    """The initBindings really bind: an unknown id gives nothing, and all rows are PlanRows of the plan."""
    assert list(plan_graph.query(ROW_QUERY, initBindings={"row_id": Literal("VIII-01")})) == []
    all_ids = {str(r) for r in plan_graph.objects(None, CCHC.rowId)}
    assert all_ids == set(ROW_IDS)


# Lead and coordinator agencies, worked out by hand from the cells.
EXPECTED_AGENCIES = {
    "VII-01": {"lead": {"so-noi-vu", "so-tu-phap", "so-tai-chinh", "so-thong-tin-va-truyen-thong",
                        "so-khoa-hoc-va-cong-nghe", "van-phong-ubnd-tinh"},
               "coordinators": {"cac-so-ban-nganh", "ubnd-cap-huyen"}},
    "II-07": {"lead": {"van-phong-ubnd-tinh"}, "coordinators": {"ubnd-cap-huyen", "ubnd-cap-xa"}},
    "VI-03": {"lead": {"trung-tam-phuc-vu-hanh-chinh-cong", "bo-phan-mot-cua-cap-huyen", "bo-phan-mot-cua-cap-xa"},
              "coordinators": {"cac-so-ban-nganh", "ubnd-cap-huyen", "ubnd-cap-xa"}},
    "I-01": {"lead": {"cac-so-ban-nganh", "ubnd-cap-huyen"},
             "coordinators": {"so-tu-phap", "co-quan-don-vi-lien-quan"}},
    "III-04": {"lead": {"cac-so-ban-nganh", "ubnd-cap-huyen", "ubnd-cap-xa"},
               "coordinators": {"co-quan-don-vi-lien-quan"}},
    "III-05": {"lead": {"cac-so-dau-moi-phan-cap", "ubnd-cap-huyen"}, "coordinators": {"co-quan-don-vi-lien-quan"}},
    "III-06": {"lead": {"so-noi-vu"}, "coordinators": {"buu-dien-tinh", "cac-so-ban-nganh", "ubnd-cap-huyen"}},
    "V-10": {"lead": {"so-noi-vu", "so-tai-chinh", "ubnd-cap-huyen"}, "coordinators": {"cac-so-ban-nganh"}},
    "VI-09": {"lead": {"so-thong-tin-va-truyen-thong"},
              "coordinators": {"so-noi-vu", "so-cong-thuong", "ubnd-thanh-pho-tam-diep"}},
    "VII-03": {"lead": {"bao-ninh-binh", "dai-phat-thanh-va-truyen-hinh-tinh", "cac-so-ban-nganh", "ubnd-cap-huyen",
                        "ubnd-cap-xa"},
               "coordinators": {"so-thong-tin-va-truyen-thong"}},
    "VII-10": {"lead": {"ubnd-cap-huyen"}, "coordinators": {"ubnd-cap-xa"}},
    "VII-17": {"lead": {"so-noi-vu"}, "coordinators": set()},
}


@pytest.mark.parametrize("row_id", sorted(EXPECTED_AGENCIES))
def test_lead_and_coordinator_nodes_of_chosen_rows(plan_graph, row_id):
    assert row_agencies(plan_graph, row_id) == EXPECTED_AGENCIES[row_id]


def test_row_without_coordinators_has_no_coordinator_text(plan_graph):
    row = PLAN + "/row/VII-17"
    assert BY_ID["VII-17"]["coordinators"] == ""
    assert list(plan_graph.objects(URIRef(row), CCHC.coordinatorsText)) == []


def test_agency_nodes_of_every_row_match_the_registry(plan_graph):
    registry = load_registry(DATA / "agencies.csv", DATA / "agency-aliases.csv").for_province("Ninh Bình", "ninh-binh")
    mismatches = []
    for r in ROWS:
        expected = {column: {i for m in (registry.resolve(r[column]) if r[column] else []) for i in m.agency_ids}
                    for column in ("lead", "coordinators")}
        found = row_agencies(plan_graph, r["row_id"])
        if found != expected:
            mismatches.append((r["row_id"], found, expected))
        assert found["lead"], f"{r['row_id']} has no lead agency node"
    assert mismatches == []


def test_agency_nodes_are_registry_nodes(plan_graph):
    for link in (CCHC.leadAgency, CCHC.coordinatingAgency):
        for agency in set(plan_graph.objects(None, link)):
            types = set(plan_graph.objects(agency, RDF.type))
            assert types & {CCHC.Agency, CCHC.AgencyGroup}, agency


# ------------------------------------------------------------------------------------------------ provenance

PROVENANCE_QUERY = prepareQuery("""
SELECT ?source ?line ?file WHERE {
  ?row cchc:rowId ?row_id ; prov:wasDerivedFrom ?source .
  ?source a prov:Entity ; cchc:sourceRowNumber ?line ; dcterms:isPartOf ?file .
}""", initNs=INIT_NS)


def test_every_row_is_derived_from_its_source_line(plan_graph):
    lines = source_lines()
    assert len(lines) == 64 and lines["I-01"] == 2 and lines["I-02"] == 4  # I-01's product spans two lines
    raw = TABLE.read_text(encoding="utf-8").split("\n")
    wrong = []
    for row_id in ROW_IDS:
        answers = list(plan_graph.query(PROVENANCE_QUERY, initBindings={"row_id": Literal(row_id)}))
        assert len(answers) == 1, row_id
        source, line, file = answers[0]
        if (int(line), str(source), file) != (lines[row_id], f"{SOURCE_FILE}#row={row_id}", SOURCE_FILE):
            wrong.append((row_id, int(line), lines[row_id]))
        assert raw[int(line) - 1].startswith(row_id + ",")
    assert wrong == []


def test_plan_provenance(plan_graph):
    assert (PLAN, PROV.wasDerivedFrom, SOURCE_FILE) in plan_graph
    assert plan_graph.value(SOURCE_FILE, DCTERMS.title) == Literal("ninh-binh-2023/table.csv")
    activity = plan_graph.value(PLAN, PROV.wasGeneratedBy)
    assert (activity, PROV.used, SOURCE_FILE) in plan_graph


# ------------------------------------------------------------------------------------------------ citations

def element_of(graph: Graph, row_id: str, column: str) -> URIRef:
    """The objective / task / activity node above a row, or the row's timeframe node."""
    row = URIRef(f"{PLAN}/row/{row_id}")
    if column == "timeframe":
        return URIRef(f"{row}/timeframe")
    parent = graph.value(predicate=CCHC.hasRow, object=row)
    activity = parent if (parent, RDF.type, CCHC.Activity) in graph else None
    task = graph.value(predicate=CCHC.hasActivity, object=activity) if activity else parent
    objective = graph.value(predicate=CCHC.hasTask, object=task)
    element = {"activity": activity, "task": task, "objective": objective}[column]
    assert element is not None, (row_id, column)
    assert str(graph.value(element, CCHC.verbatimText)) == BY_ID[row_id][column]
    return element


def element_citations(graph: Graph, row_id: str, column: str) -> list[tuple]:
    """(verbatim, number, cited date, citation types, document types, document date) in citation order."""
    out = []
    element = element_of(graph, row_id, column)
    citations = sorted(graph.objects(element, CCHC.hasCitation), key=lambda c: int(str(c).rsplit("/", 1)[1]))
    for citation in citations:
        document = graph.value(citation, CCHC.citedDocument)
        cited = graph.value(citation, CCHC.citedDate)
        issued = graph.value(document, ELI.date_document) if document else None
        out.append((
            str(graph.value(citation, CCHC.verbatimText)),
            str(graph.value(document, ELI.id_local)) if document else None,
            cited.toPython() if cited else None,
            set(graph.objects(citation, RDF.type)),
            set(graph.objects(document, RDF.type)) if document else set(),
            issued.toPython() if issued else None,
        ))
    return out


def test_iii_03_task_cites_decrees_62_and_106_with_dates(plan_graph):
    citations = element_citations(plan_graph, "III-03", "task")
    assert [(c[0], c[1], c[2]) for c in citations] == [
        ("Nghị định số 62/2020/NĐ-CP ngày 01/6/2020", "62/2020/NĐ-CP", dt.date(2020, 6, 1)),
        ("Nghị định số 106/2020/NĐ-CP ngày 10/9/2020", "106/2020/NĐ-CP", dt.date(2020, 9, 10)),
    ]
    for verbatim, _, cited, types, doc_types, doc_date in citations:
        assert types == {CCHC.Citation}
        assert doc_types == {CCHC.Decree}
        assert doc_date == cited  # the catalogue agrees with the plan
    assert all(c[0] in BY_ID["III-03"]["task"] for c in citations)


def test_vii_04_activity_cites_the_law_by_name(plan_graph):
    citations = element_citations(plan_graph, "VII-04", "activity")
    assert len(citations) == 1
    verbatim, number, cited_date, types, doc_types, doc_date = citations[0]
    assert verbatim == "Luật Phổ biến, giáo dục pháp luật"
    assert number == "14/2012/QH13"
    assert "14/2012" not in BY_ID["VII-04"]["activity"]  # the number comes from the catalogue's cited_as
    assert cited_date is None
    assert types == {CCHC.Citation} and doc_types == {CCHC.Law}
    assert doc_date == dt.date(2012, 6, 20)


def test_vii_07_activity_has_an_unresolved_citation_and_no_invented_number(plan_graph):
    citations = element_citations(plan_graph, "VII-07", "activity")
    assert len(citations) == 1
    verbatim, number, cited_date, types, doc_types, _ = citations[0]
    assert verbatim == ('Đề án "Tăng cường năng lực đội ngũ cán bộ, công chức thực hiện công tác CCHC '
                        'giai đoạn 2022-2030"')
    assert types == {CCHC.UnresolvedCitation}
    assert number is None and doc_types == set() and cited_date is None
    [citation] = plan_graph.objects(element_of(plan_graph, "VII-07", "activity"), CCHC.hasCitation)
    assert plan_graph.value(citation, CCHC.documentType) == Literal("Đề án")
    assert list(plan_graph.objects(citation, ELI.id_local)) == []
    # VII-07's timeframe waits for a programme that has no number either.
    timeframe_citations = element_citations(plan_graph, "VII-07", "timeframe")
    assert [(c[0], c[1], c[3]) for c in timeframe_citations] == [
        ("chương trình, tài liệu bồi dưỡng", None, {CCHC.UnresolvedCitation})]


def test_cited_dates_agree_with_the_catalogue(plan_graph):
    """Every date a citation gives is the date the catalogue holds for the document it resolves to."""
    pairs = [(str(plan_graph.value(c, CCHC.verbatimText)), d.toPython(),
              plan_graph.value(plan_graph.value(c, CCHC.citedDocument), ELI.date_document))
             for c, d in plan_graph.subject_objects(CCHC.citedDate)]
    assert len(pairs) >= 15
    assert [(text, cited, issued) for text, cited, issued in pairs if issued is None or issued.toPython() != cited] == []


def test_every_document_number_comes_from_the_table_or_the_catalogue(plan_graph):
    with (DATA / "legal-documents.csv").open(encoding="utf-8", newline="") as handle:
        catalogue = {r["number"] for r in csv.DictReader(handle)}
    table_text = TABLE.read_text(encoding="utf-8")
    numbers = {str(n) for d in plan_graph.subjects(CCHC.issuerCode, None) for n in plan_graph.objects(d, ELI.id_local)}
    assert numbers >= catalogue
    assert sorted(n for n in numbers if n not in catalogue and n not in table_text) == []
    unresolved = set(plan_graph.subjects(RDF.type, CCHC.UnresolvedCitation))
    assert len(unresolved) == 6
    assert all(plan_graph.value(c, CCHC.citedDocument) is None for c in unresolved)


# ------------------------------------------------------------------------------------------------ timeframes

def timeframe(graph: Graph, row_id: str) -> URIRef:
    node = graph.value(URIRef(f"{PLAN}/row/{row_id}"), CCHC.timeframe)
    assert node is not None, row_id
    assert str(graph.value(node, CCHC.verbatimText)) == BY_ID[row_id]["timeframe"]
    return node


def quarters(graph: Graph, node: URIRef) -> set[tuple[int, int]]:
    return {(int(graph.value(q, CCHC.year)), int(graph.value(q, CCHC.quarterNumber)))
            for q in graph.objects(node, CCHC.includesQuarter)}


def bounds(graph: Graph, node: URIRef) -> tuple:
    def day(instant):
        return graph.value(instant, TIME.inXSDDate).toPython() if instant is not None else None
    return day(graph.value(node, TIME.hasBeginning)), day(graph.value(node, TIME.hasEnd))


def test_v_09_falls_in_the_fourth_quarter_of_2024(plan_graph):
    node = timeframe(plan_graph, "V-09")
    assert BY_ID["V-09"]["timeframe"] == "Quý IV năm 2024"
    assert set(plan_graph.objects(node, RDF.type)) == {CCHC.ScheduledTimeframe}
    assert set(plan_graph.objects(node, CCHC.includesQuarter)) == {ID["quarter/2024-Q4"]}
    assert quarters(plan_graph, node) == {(2024, 4)}
    assert bounds(plan_graph, node) == (dt.date(2024, 10, 1), dt.date(2024, 12, 31))


def test_vii_16_is_periodic(plan_graph):
    node = timeframe(plan_graph, "VII-16")
    assert set(plan_graph.objects(node, RDF.type)) == {CCHC.PeriodicTimeframe}
    assert {str(p) for p in plan_graph.objects(node, CCHC.reportingPoint)} == {"Quý I", "6 tháng", "Quý III", "cả năm"}
    assert quarters(plan_graph, node) == {(2023, 1), (2023, 2), (2023, 3), (2023, 4)}


def test_i_01_follows_the_list_of_legal_documents(plan_graph):
    node = timeframe(plan_graph, "I-01")
    assert set(plan_graph.objects(node, RDF.type)) == {CCHC.FollowingScheduleTimeframe}
    assert plan_graph.value(node, CCHC.followsSchedule) == Literal("Danh mục VBQPPL")
    assert quarters(plan_graph, node) == set() and bounds(plan_graph, node) == (None, None)


def test_thuong_xuyen_rows_are_ongoing(plan_graph):
    rows = [r["row_id"] for r in ROWS if r["timeframe"] == "Thường xuyên"]
    assert len(rows) == 25
    for row_id in rows:
        node = timeframe(plan_graph, row_id)
        assert set(plan_graph.objects(node, RDF.type)) == {CCHC.OngoingTimeframe}, row_id
        assert quarters(plan_graph, node) == set() and bounds(plan_graph, node) == (None, None)


def test_conditional_rows_keep_their_condition(plan_graph):
    node = timeframe(plan_graph, "III-03")
    assert set(plan_graph.objects(node, RDF.type)) == {CCHC.ConditionalTimeframe}
    assert plan_graph.value(node, CCHC.condition) == Literal(
        "có Quyết định giao biên chế năm 2024 của Ban Tổ chức Trung ương")


def test_quy_ii_iii_2023_begins_in_april_and_ends_in_september(plan_graph):
    rows = [r["row_id"] for r in ROWS if r["timeframe"] == "Quý II, III năm 2023"]
    assert rows == ["V-02", "VI-08", "VI-09"]
    for row_id in rows:
        node = timeframe(plan_graph, row_id)
        assert bounds(plan_graph, node) == (dt.date(2023, 4, 1), dt.date(2023, 9, 30))
        assert quarters(plan_graph, node) == {(2023, 2), (2023, 3)}


# ------------------------------------------------------------------------------------------------ verbatim

def test_every_cell_appears_verbatim_as_a_literal(plan_graph):
    """Every non-empty cell is the lexical form of some literal; a product cell is stored one product (line)
    per node, so each of its lines is."""
    literals = {str(o) for o in plan_graph.objects() if isinstance(o, Literal)}
    missing = []
    for r in ROWS:
        for column, value in r.items():
            if not value:
                continue
            pieces = value.split("\n") if column == "product" else [value]
            missing += [(r["row_id"], column, p) for p in pieces if p not in literals]
    assert missing == []
