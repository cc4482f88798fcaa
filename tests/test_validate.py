"""`cchc-graph validate` on the real 2023 plan: the golden findings, the report, the exit codes and formats."""

from __future__ import annotations

import json

import pytest
from rdflib import Graph, Literal, URIRef

from cchc_graph.cli import main
from cchc_graph.errors import CchcError
from cchc_graph.store import write_graph
from cchc_graph.validate import SHAPES_DIR, render_report, validate_graph
from tests.plain_namespaces import CCHC, CCHCSH, ELI, ID, RDF, SH, XSD

PLAN = ID["plan/ninh-binh-2023"]
DOCS = "https://w3id.org/cchc-graph/eli/vn-ninh-binh/kh-ubnd/"


def node(path: str) -> URIRef:
    return URIRef(DOCS + path[len("doc:"):]) if path.startswith("doc:") else URIRef(f"{PLAN}/{path}") if path else PLAN


# Every finding on the 2023 plan: (focus, path, constraint component, severity, source shape, value).
# Why each one is right is written in README.md ("What validation finds in the 2023 plan").
GOLDEN = [
    # the plan was issued with its number and day left blank
    ("", ELI.id_local, "SPARQL", "violation", "ReformPlan-number", Literal("          /KH-UBND")),
    ("", ELI.date_document, "SPARQL", "violation", "ReformPlan-issueDate", Literal("ngày       tháng 12 năm 2022")),
    # "Quý IV năm 2024" in the 2023 plan, where the rows around it say 2023
    ("row/V-09", CCHC.timeframe, "SPARQL", "violation", "PlanRow-timeframeInPlanYear", node("row/V-09/timeframe")),
    # empty cells
    ("row/IV-04", CCHC.hasProduct, "MinCount", "warning", "PlanRow-product-present", None),
    ("row/VII-17", CCHC.coordinatingAgency, "MinCount", "warning", "PlanRow-coordinatingAgency-present", None),
    # provincial plans of the catalogue whose title the seed does not give
    *[(f"doc:{d}", ELI.title, "MinCount", "warning", "LegalDocument-title", None)
      for d in ("2020/132", "2021/138", "2021/106", "2021/80")],
    # work that waits for a condition, or follows another schedule
    *[(f"row/{r}/timeframe", CCHC.includesQuarter, "MinCount", "info", "ConditionalTimeframe-quarter", None)
      for r in ("II-03", "III-01", "III-02", "III-03", "VI-07", "VII-07", "VII-09")],
    *[(f"row/{r}/timeframe", CCHC.includesQuarter, "MinCount", "info", "FollowingScheduleTimeframe-quarter", None)
      for r in ("I-01", "I-03")],
    # documents named without a number
    *[(f"{c}/citation/1", CCHC.citedDocument, "MinCount", "info", "UnresolvedCitation-citedDocument", None)
      for c in ("objective/VI-2", "task/VI-2-1", "activity/VII-1-2-2", "activity/VII-1-3-2", "row/III-03/timeframe",
                "row/VII-07/timeframe")],
]


def golden_keys() -> set[tuple]:
    return {(node(focus), f"<{path}>", SH[component + "ConstraintComponent"], severity, CCHCSH[shape], value)
            for focus, path, component, severity, shape, value in GOLDEN}


@pytest.fixture(scope="module")
def outcome(plan_graph, ontology):
    return validate_graph(plan_graph, ontology=ontology)


# ---------------------------------------------------------------------------------------------- golden findings

def test_golden_findings_on_the_2023_plan(outcome):
    found = {(f.focus, f.path_text, f.component, f.severity, f.shape, f.value) for f in outcome.findings}
    assert found == golden_keys()
    assert len(outcome.findings) == 24
    assert outcome.counts() == {"violation": 3, "warning": 6, "info": 15}
    assert outcome.conforms is False


def test_rules_that_hold_on_the_2023_plan_still_run(plan_graph, ontology):
    """The cross-node rules that find nothing on the real plan do fire when the plan breaks them."""
    broken = Graph()
    broken += plan_graph
    row = node("row/II-01")
    broken.add((row, CCHC.coordinatingAgency, ID["agency/ninh-binh/van-phong-ubnd-tinh"]))  # also its lead
    broken.remove((node("area/VI"), CCHC.reformArea, None))
    broken.add((node("area/VI"), CCHC.reformArea, ID["reform-area/direction"]))
    citation = node("task/III-2-1/citation/1")  # Nghị định số 62/2020/NĐ-CP ngày 01/6/2020
    broken.remove((citation, CCHC.citedDate, None))
    broken.add((citation, CCHC.citedDate, Literal("2020-01-06", datatype=XSD.date)))
    new = {(f.focus, f.shape, f.value) for f in validate_graph(broken, ontology=ontology).findings
           if f.severity == "violation"} - {(node(f), CCHCSH[s], v) for f, _, _, sev, s, v in GOLDEN if sev == "violation"}
    decree = URIRef("https://w3id.org/cchc-graph/eli/vn/nd-cp/2020/62")
    assert new == {
        (row, CCHCSH["PlanRow-leadAlsoCoordinator"], ID["agency/ninh-binh/van-phong-ubnd-tinh"]),
        (PLAN, CCHCSH["ReformPlan-nationalProgrammeAreas"], ID["reform-area/digital-government"]),
        (citation, CCHCSH["Citation-citedDate"], Literal("2020-01-06", datatype=XSD.date)),
        (decree, CCHCSH["LegalDocument-citedDates"], Literal("2020-01-06", datatype=XSD.date)),
        (decree, CCHCSH["LegalDocument-citedDates"], Literal("2020-06-01", datatype=XSD.date)),
    }


def test_report_messages_keep_both_languages(outcome):
    results = list(outcome.report.objects(None, SH.result))
    assert len(results) == 24
    for result in results:
        langs = sorted(m.language for m in outcome.report.objects(result, SH.resultMessage))
        assert langs == ["en", "vi"], result


def test_exit_codes_by_severity(outcome):
    assert outcome.exit_code("violation") == 1
    assert outcome.exit_code("warning") == 1
    assert outcome.exit_code("info") == 1
    with pytest.raises(CchcError):
        outcome.exit_code("error")


# ---------------------------------------------------------------------------------------------- the text report

def test_vietnamese_report_is_grouped_by_row(outcome):
    text = render_report(outcome)
    assert text == render_report(outcome, lang="vi", fmt="text")
    lines = text.splitlines()
    start = lines.index("Dòng V-09 — lĩnh vực V (CẢI CÁCH TÀI CHÍNH CÔNG)")
    assert lines[start + 1] == "  Hoạt động: Xây dựng dự toán kinh phí, quyết toán kinh phí."
    assert lines[start + 2].startswith("  Sản phẩm: Quyết định của UBND tỉnh giao chỉ tiêu phát triển kinh tế")
    assert lines[start + 3] == "  [Lỗi] Thời gian thực hiện nằm ngoài năm của kế hoạch."
    assert lines[start + 4] == "      giá trị: «Quý IV năm 2024»  (cchcsh:PlanRow-timeframeInPlanYear)"
    # a citation in a row's timeframe cell is listed under that row, after the row's other finding
    start = lines.index("Dòng III-03 — lĩnh vực III (CẢI CÁCH TỔ CHỨC BỘ MÁY HÀNH CHÍNH NHÀ NƯỚC)")
    assert lines[start + 3:start + 7] == [
        "  [Thông tin] Thời gian thực hiện phụ thuộc một điều kiện, không xếp được vào quý nào.",
        "      giá trị: «Sau khi có Quyết định giao biên chế năm 2024 của Ban Tổ chức Trung ương»  "
        "(cchcsh:ConditionalTimeframe-quarter)",
        "  [Thông tin] Văn bản được nhắc đến mà không có số hiệu, nên không xác định được.",
        "      giá trị: «Quyết định giao biên chế năm 2024 của Ban Tổ chức Trung ương»  "
        "(cchcsh:UnresolvedCitation-citedDocument)",
    ]
    assert "  Sản phẩm: (không có)" in lines  # IV-04
    assert "Mục tiêu 2 — lĩnh vực VI (dòng VI-09)" in lines
    assert "Văn bản 132/KH-UBND (Kế hoạch, ngày 23/12/2020)" in lines
    assert lines[lines.index("Kế hoạch ninh-binh-2023: Kế hoạch cải cách hành chính tỉnh Ninh Bình năm 2023") + 2] == \
        "      giá trị: «ngày       tháng 12 năm 2022»  (cchcsh:ReformPlan-issueDate)"
    assert lines[-1] == "Tổng cộng: 3 lỗi, 6 cảnh báo, 15 thông tin."
    # groups follow the table: the plan first, then rows in order, then the legal documents
    order = [text.index(h) for h in ("Kế hoạch ninh-binh-2023", "Dòng I-01", "Dòng II-03", "Dòng V-09", "Dòng VII-17",
                                     "Văn bản 106/KH-UBND")]
    assert order == sorted(order)


def test_english_report(outcome):
    text = render_report(outcome, lang="en")
    lines = text.splitlines()
    start = lines.index("Row V-09 — area V (Public finance reform)")
    assert lines[start + 1] == "  Activity: Xây dựng dự toán kinh phí, quyết toán kinh phí."  # cells stay verbatim
    assert lines[start + 3] == "  [Violation] The timeframe lies outside the plan year."
    assert lines[start + 4] == "      value: «Quý IV năm 2024»  (cchcsh:PlanRow-timeframeInPlanYear)"
    assert "  [Warning] The row has no product (the 'Sản phẩm' cell is empty)." in lines
    assert "      value: (empty)  (cchcsh:PlanRow-product-present)" in lines
    assert "Legal document 132/KH-UBND (Kế hoạch, dated 2020-12-23)" in lines
    assert lines[-1] == "Total: 3 violation(s), 6 warning(s), 15 info(s)."
    for vietnamese in ("[Lỗi]", "[Cảnh báo]", "[Thông tin]", "giá trị:", "nằm ngoài năm"):
        assert vietnamese not in text


def test_report_without_findings(ontology, tmp_path):
    from pathlib import Path
    base = Graph().parse(Path(__file__).parent / "shapes" / "base.ttl")
    clean = validate_graph(base, ontology=ontology)
    assert clean.findings == [] and clean.conforms and clean.exit_code("info") == 0
    assert "Không có phát hiện nào" in render_report(clean)
    assert render_report(clean, lang="en").splitlines()[-1] == "Total: 0 violation(s), 0 warning(s), 0 info(s)."


def test_bad_render_arguments(outcome):
    with pytest.raises(CchcError):
        render_report(outcome, lang="fr")
    with pytest.raises(CchcError):
        render_report(outcome, fmt="csv")


# ---------------------------------------------------------------------------------------------- bad shapes, bad input

def test_bad_shapes_raise_cchc_errors(tmp_path, plan_graph, ontology):
    with pytest.raises(CchcError, match="no such shapes folder"):
        validate_graph(plan_graph, shapes_dir=tmp_path / "missing", ontology=ontology)
    with pytest.raises(CchcError, match="no \\*.ttl"):
        validate_graph(plan_graph, shapes_dir=tmp_path, ontology=ontology)
    (tmp_path / "broken.ttl").write_text("@prefix sh: <http://www.w3.org/ns/shacl#> .\nthis is not turtle", encoding="utf-8")
    with pytest.raises(CchcError, match="broken.ttl"):
        validate_graph(plan_graph, shapes_dir=tmp_path, ontology=ontology)
    (tmp_path / "broken.ttl").write_text(
        (SHAPES_DIR / "violation.ttl").read_text(encoding="utf-8").replace("SELECT $this ?value WHERE {", "SELEKT {", 1),
        encoding="utf-8")
    with pytest.raises(CchcError, match="shapes in"):
        validate_graph(plan_graph, shapes_dir=tmp_path, ontology=ontology)
    (tmp_path / "broken.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n<urn:s> a sh:NodeShape ; sh:targetNode <urn:x> ; sh:minCount 1 .\n"
        "<urn:p> a sh:PropertyShape .\n", encoding="utf-8")  # a property shape without sh:path
    with pytest.raises(CchcError, match="shapes in"):
        validate_graph(plan_graph, shapes_dir=tmp_path, ontology=ontology)
    with pytest.raises(CchcError, match="not an RDF graph"):
        validate_graph("build/graph.ttl", ontology=ontology)


# ---------------------------------------------------------------------------------------------- the command

def run(runner, *args):
    return runner.invoke(main, ["validate", *args])


def repaired(plan_graph: Graph, *, violations: bool = False, warnings: bool = False) -> Graph:
    """A copy of the plan with its violations (and its warnings) fixed, as if the gaps were filled in."""
    graph = Graph()
    graph += plan_graph
    if violations:
        graph.add((PLAN, ELI.id_local, Literal("123/KH-UBND")))
        graph.add((PLAN, ELI.date_document, Literal("2022-12-30", datatype=XSD.date)))
        timeframe = node("row/V-09/timeframe")
        graph.remove((timeframe, CCHC.includesQuarter, None))
        graph.add((timeframe, CCHC.includesQuarter, ID["quarter/2023-Q4"]))
    if warnings:
        graph.add((node("row/IV-04"), CCHC.hasProduct, node("row/IV-04/product/1")))
        graph.add((node("row/IV-04/product/1"), RDF.type, CCHC.Product))
        graph.add((node("row/IV-04/product/1"), CCHC.position, Literal(1)))
        graph.add((node("row/IV-04/product/1"), CCHC.verbatimText, Literal("Kế hoạch đào tạo, bồi dưỡng viên chức.")))
        graph.add((node("row/IV-04/product/1"), CCHC.productKind, ID["product-kind/plan"]))
        graph.add((node("row/VII-17"), CCHC.coordinatingAgency, ID["agency/ninh-binh/cac-so-ban-nganh"]))
        for doc in ("2020/132", "2021/138", "2021/106", "2021/80"):
            graph.add((node(f"doc:{doc}"), ELI.title, Literal("Kế hoạch", lang="vi")))
    return graph


def test_cli_default_is_vietnamese_and_exits_1_on_violations(runner, built_graph_file):
    result = run(runner, "--graph", str(built_graph_file))
    assert result.exit_code == 1, result.output
    assert "Dòng V-09 — lĩnh vực V (CẢI CÁCH TÀI CHÍNH CÔNG)" in result.output
    assert "  [Lỗi] Thời gian thực hiện nằm ngoài năm của kế hoạch." in result.output
    assert result.output.rstrip().endswith("Tổng cộng: 3 lỗi, 6 cảnh báo, 15 thông tin.")


def test_cli_english(runner, built_graph_file):
    result = run(runner, "--graph", str(built_graph_file), "--lang", "en")
    assert result.exit_code == 1
    assert "Row VII-17 — area VII (Direction and management of administrative reform)" in result.output
    assert "  [Warning] The row has no coordinating agency (the 'Cơ quan phối hợp' cell is empty)." in result.output
    assert "[Lỗi]" not in result.output


def test_cli_fail_on(runner, plan_graph, tmp_path):
    no_violations = tmp_path / "no-violations.ttl"
    write_graph(repaired(plan_graph, violations=True), no_violations)
    assert run(runner, "--graph", str(no_violations)).exit_code == 0
    assert run(runner, "--graph", str(no_violations), "--fail-on", "violation").exit_code == 0
    assert run(runner, "--graph", str(no_violations), "--fail-on", "warning").exit_code == 1
    only_infos = tmp_path / "only-infos.ttl"
    write_graph(repaired(plan_graph, violations=True, warnings=True), only_infos)
    result = run(runner, "--graph", str(only_infos), "--fail-on", "warning")
    assert result.exit_code == 0, result.output
    assert result.output.rstrip().endswith("Tổng cộng: 0 lỗi, 0 cảnh báo, 15 thông tin.")
    assert run(runner, "--graph", str(only_infos), "--fail-on", "info").exit_code == 1


def test_cli_errors_exit_2(runner, tmp_path):
    result = run(runner, "--graph", str(tmp_path / "missing.ttl"))
    assert result.exit_code == 2
    bad = tmp_path / "bad.ttl"
    bad.write_text("<urn:a> <urn:b> .\n", encoding="utf-8")
    result = run(runner, "--graph", str(bad))
    assert result.exit_code == 2
    assert run(runner, "--graph", str(bad), "--lang", "fr").exit_code == 2  # click refuses the option


def test_cli_turtle_is_a_shacl_report(runner, built_graph_file):
    result = run(runner, "--graph", str(built_graph_file), "--format", "turtle")
    assert result.exit_code == 1
    report = Graph().parse(data=result.output, format="turtle")
    reports = list(report.subjects(RDF.type, SH.ValidationReport))
    assert len(reports) == 1
    assert report.value(reports[0], SH.conforms) == Literal(False)
    assert len(list(report.objects(reports[0], SH.result))) == 24
    severities = [report.value(r, SH.resultSeverity) for r in report.objects(reports[0], SH.result)]
    assert (severities.count(SH.Violation), severities.count(SH.Warning), severities.count(SH.Info)) == (3, 6, 15)


def test_cli_json(runner, built_graph_file, tmp_path):
    output = tmp_path / "report.json"
    result = run(runner, "--graph", str(built_graph_file), "--format", "json", "--lang", "en", "-o", str(output))
    assert result.exit_code == 1 and result.output == ""
    document = json.loads(output.read_text(encoding="utf-8"))
    assert document["conforms"] is False
    assert document["counts"] == {"violation": 3, "warning": 6, "info": 15}
    assert len(document["results"]) == 24
    v09 = [r for r in document["results"] if r["row_id"] == "V-09"]
    assert v09 == [{
        "focus_node": str(node("row/V-09")),
        "result_path": str(CCHC.timeframe),
        "value": str(node("row/V-09/timeframe")),
        "value_kind": "iri",
        "constraint_component": str(SH.SPARQLConstraintComponent),
        "source_shape": str(CCHCSH["PlanRow-timeframeInPlanYear"]),
        "severity": "violation",
        "message": "The timeframe lies outside the plan year.",
    } | {"row_id": "V-09"}]
    assert {tuple(sorted(r)) for r in document["results"]} == {tuple(sorted(v09[0]))}
