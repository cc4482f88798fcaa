"""`cchc-graph web` over HTTP (Starlette's test client, in process): the pages' content, the IRIs with
content negotiation, the API's answers and errors against the CLI's, the SPARQL page's limits."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from cchc_graph.cli import main
from cchc_graph.namespaces import SKOS
from cchc_graph.query import saved_queries
from cchc_graph.reason import load_ontology

pytest.importorskip("starlette")
from starlette.testclient import TestClient  # noqa: E402

from cchc_graph.web.app import create_app  # noqa: E402
from cchc_graph.web.search import SearchIndex  # noqa: E402

GOLDEN = Path(__file__).parent / "golden"
TABLE = Path(__file__).parent.parent / "data" / "ninh-binh-2023" / "table.csv"
BASE = "https://w3id.org/cchc-graph"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture(scope="module")
def client(built_graph_file):
    return TestClient(create_app(built_graph_file))


def text_of(response) -> str:
    """The page's text as a person reads it: tags dropped, entities decoded, spaces folded."""
    inline = re.sub(r"</?(?:a|strong|span|small|code)\b[^>]*>", "", response.text)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", inline)).split())


def golden(case: str) -> list[dict[str, str]]:
    with (GOLDEN / f"{case}.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def row_links(response) -> list[str]:
    return re.findall(r'href="/id/plan/ninh-binh-2023/row/([IVX]+-\d+)"', response.text)


def cli(*args: str):
    return CliRunner().invoke(main, list(args))


# ------------------------------------------------------------------------------------------------ pages

def test_home_lists_the_plan_the_areas_and_the_findings(client):
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    text = text_of(page)
    assert "Kế hoạch cải cách hành chính tỉnh Ninh Bình năm 2023" in text
    assert "24 phát hiện: 3 lỗi, 6 cảnh báo, 15 thông tin" in text
    rows_per_area = re.findall(r'\?area=([IVX]+)">\1</a></td><td>[^<]*</td>(?:<td class="n">(\d+)</td>){4}',
                               page.text)
    assert rows_per_area == [("I", "6"), ("II", "8"), ("III", "6"), ("IV", "5"), ("V", "10"), ("VI", "10"),
                             ("VII", "19")]


def test_the_plan_table_has_every_row_and_filters_them(client):
    every = row_links(client.get("/id/plan/ninh-binh-2023"))
    with TABLE.open(encoding="utf-8") as handle:
        assert every == [row["row_id"] for row in csv.DictReader(handle)]
    assert row_links(client.get("/id/plan/ninh-binh-2023?area=III")) == ["III-01", "III-02", "III-03", "III-04",
                                                                         "III-05", "III-06"]
    # An agency: the rows naming it or a group it belongs to, as agency-involvement answers.
    involved = {r["row_id"] for r in golden("agency-involvement_so-noi-vu")
                if r["involvement"] in ("direct", "through group")}
    chosen = row_links(client.get("/id/plan/ninh-binh-2023", params={"agency": BASE + "/id/agency/ninh-binh/so-noi-vu"}))
    assert set(chosen) == involved and len(chosen) == len(involved)
    # A quarter: the scheduled rows of due-in-quarter.
    scheduled = {r["row_id"] for r in golden("due-in-quarter_2023-3") if r["kind"] == "scheduled"}
    assert set(row_links(client.get("/id/plan/ninh-binh-2023?quarter=2023-Q3"))) == scheduled
    decisions = {r["row_id"] for r in golden("products-by-type_decision")}
    assert set(row_links(client.get("/id/plan/ninh-binh-2023?kind=decision"))) == decisions
    both = row_links(client.get("/id/plan/ninh-binh-2023?area=VII&kind=decision"))
    assert set(both) == {r for r in decisions if r.startswith("VII-")}


def test_a_row_page_shows_every_cell_verbatim_its_agencies_citations_and_source_line(client):
    page = client.get("/id/plan/ninh-binh-2023/row/VII-03")
    assert page.status_code == 200
    text = html.unescape(page.text)
    with TABLE.open(encoding="utf-8") as handle:
        row = next(r for r in csv.DictReader(handle) if r["row_id"] == "VII-03")
    for column in ("objective", "task", "activity", "product", "lead", "coordinators", "timeframe"):
        for line in row[column].split("\n"):
            assert line in text, (column, line)
    lead, coordinators = page.text.split("<dt>Cơ quan phối hợp</dt>")
    assert re.findall(r'<dd><a href="/id/agency/ninh-binh/([\w-]+)">', lead) == [
        "bao-ninh-binh", "cac-so-ban-nganh", "dai-phat-thanh-va-truyen-hinh-tinh", "ubnd-cap-huyen", "ubnd-cap-xa"]
    assert re.findall(r'<dd><a href="/id/agency/ninh-binh/([\w-]+)">([^<]+)</a>', coordinators)[:1] == [
        ("so-thong-tin-va-truyen-thong", "Sở Thông tin và Truyền thông")]
    # Its one citation (in its activity), unresolved: no document to link.
    citations = page.text.split("<h2>Văn bản viện dẫn</h2>")[1].split("</table>")[0]
    assert re.findall(r"<tr><td>(\w+)</td><td>([^<]*)</td><td>([^<]*)</td>", citations) == [
        ("activity", "kế hoạch của Bộ Nội vụ", "")]
    # A row citing 90/2020 (in its task), with its amendment by 48/2023, both linked to their pages.
    amended = client.get("/id/plan/ninh-binh-2023/row/IV-02").text
    assert re.search(r'<tr><td>task</td><td>Nghị định số 90/2020/NĐ-CP ngày 13/8/2020</td><td>'
                     r'<a href="/eli/vn/nd-cp/2020/90">90/2020/NĐ-CP</a></td><td>amended by '
                     r'<a href="/eli/vn/nd-cp/2023/48">48/2023/NĐ-CP</a>', amended)
    assert re.search(r"<th scope=\"row\">Dòng nguồn</th><td class=\"verbatim\">\d+</td>", page.text)


def test_a_row_page_lists_the_findings_about_it(client, built_graph_file):
    from cchc_graph.validate import grouped_findings, validate_files

    groups = [g for g in grouped_findings(validate_files([built_graph_file]), "vi") if g.kind == "row"]
    group = groups[0]
    path = str(group.node)[len(BASE):]
    text = text_of(client.get(path))
    for severity, message, value, _ in group.findings:
        assert message in text and value in text


def test_an_agency_page_lists_what_it_leads_and_coordinates(client):
    page = client.get("/id/agency/ninh-binh/so-noi-vu")
    assert page.status_code == 200
    assert "<h1>Sở Nội vụ</h1>" in page.text
    expected = [r["row_id"] for r in golden("agency-involvement_so-noi-vu")]
    assert row_links(page) == expected
    assert 'href="/id/agency/ninh-binh/cac-so-ban-nganh"' in page.text  # the group it belongs to


def test_a_document_page_lists_the_rows_citing_it_and_says_it_is_not_linked(client):
    page = client.get("/eli/vn/nd-cp/2020/62")
    assert page.status_code == 200
    assert row_links(page) == [r["row_id"] for r in golden("tasks-citing-document_62-2020")]
    assert "Chưa liên kết với cơ sở dữ liệu pháp luật" in text_of(page)


def test_the_validation_report_is_grouped_by_row_in_both_languages(client, built_graph_file):
    from cchc_graph.validate import grouped_findings, validate_files

    outcome = validate_files([built_graph_file])
    for lang, total in (("vi", "Tổng cộng: 3 lỗi, 6 cảnh báo, 15 thông tin"),
                        ("en", "Total: 3 violation, 6 warning, 15 info")):
        text = text_of(client.get(f"/validation?lang={lang}"))
        assert total in text
        headings = [g.heading[0] for g in grouped_findings(outcome, lang)]
        positions = [text.index(" ".join(h.split())) for h in headings]
        assert positions == sorted(positions)


def test_the_language_switch_sets_a_cookie_and_goes_back_to_the_same_page(client):
    client = TestClient(client.app)  # its own cookies
    switched = client.get("/lang/en?next=/queries", follow_redirects=False)
    assert switched.status_code == 303 and switched.headers["location"] == "/queries"
    assert "lang=en" in switched.headers["set-cookie"]
    assert client.get("/lang/en?next=https://elsewhere.example/", follow_redirects=False).headers["location"] == "/"
    english = TestClient(client.app, cookies={"lang": "en"}).get("/")
    assert "Summary by area" in english.text and '<html lang="en">' in english.text


# ------------------------------------------------------------------------------------------------ search

@pytest.mark.parametrize("typed,first", [
    ("so noi vu", ("agency", "/id/agency/ninh-binh/so-noi-vu")),
    ("Sở Nội vụ", ("agency", "/id/agency/ninh-binh/so-noi-vu")),
    ("SO NOI VU", ("agency", "/id/agency/ninh-binh/so-noi-vu")),
    ("nghi dinh 62", ("document", "/eli/vn/nd-cp/2020/62")),
    ("ND-CP 62/2020", ("document", "/eli/vn/nd-cp/2020/62")),
])
def test_search_without_diacritics_ranks_the_named_thing_first(client, typed, first):
    page = client.get("/search", params={"q": typed})
    hits = re.findall(r'<li class="hit (\w+)">\s*<a href="([^"]+)"', page.text)
    assert hits[0] == first
    if first[0] == "agency":  # its 2025 namesake of the merged province, equally named, named by no row: second
        assert hits[1] == ("agency", first[1].replace("/ninh-binh/", "/ninh-binh-2025/"))


def test_search_finds_row_text_without_diacritics(client):
    page = client.get("/search", params={"q": "chuyen doi so"})
    with TABLE.open(encoding="utf-8") as handle:
        expected = {r["row_id"] for r in csv.DictReader(handle)
                    if any("chuyển đổi số" in r[c].casefold() for c in ("task", "activity", "product", "lead",
                                                                         "coordinators"))}
    found = re.findall(r'<li class="hit (?:row|product)">\s*<a href="/id/plan/ninh-binh-2023/row/([IVX]+-\d+)"',
                       page.text)
    assert set(found) == expected and len(found) == len(expected)


def test_search_ranks_a_whole_phrase_and_the_typed_spelling_first():
    index = SearchIndex([
        {"node": URIRef("urn:a"), "kind": "row", "text": Literal("nội dung vụ việc sở"), "label": Literal("A")},
        {"node": URIRef("urn:b"), "kind": "row", "text": Literal("Sở Nội vụ chủ trì"), "label": Literal("B")},
        {"node": URIRef("urn:c"), "kind": "agency", "text": Literal("Sở Nội vụ"), "label": Literal("C")},
        {"node": URIRef("urn:d"), "kind": "row", "text": Literal("sơ nói vữ"), "label": Literal("D")},
    ])
    assert [h.label for h in index.search("so noi vu")] == ["C", "D", "B", "A"]
    assert [h.label for h in index.search("Sở Nội vụ")] == ["C", "B", "D", "A"]
    assert [h.label for h in index.search("sơ nói vữ")] == ["D", "C", "B", "A"]
    assert index.search("   ") == [] and index.search("không có") == []


def test_search_ranks_the_agency_the_plans_name_before_its_namesake():
    """Two bodies of one name (a province's Sở Nội vụ before and after the 2025 merger): the one named in more
    rows first, whatever the order of their IRIs."""
    rows = [{"node": URIRef(f"urn:{name}"), "kind": "agency", "text": Literal("Sở Nội vụ"), "label": Literal(name),
             "uses": uses} for name, uses in (("a-2025", None), ("b-2023", Literal(12)), ("c-other", Literal(3)))]
    assert [h.label for h in SearchIndex(rows).search("so noi vu")] == ["b-2023", "c-other", "a-2025"]


def test_every_value_is_escaped(client):
    page = client.get("/search", params={"q": '<script>alert("x")</script>'})
    assert "<script>alert" not in page.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page.text


# ------------------------------------------------------------------------------------------------ query forms

def test_every_saved_query_has_a_form_from_its_header(client):
    listing = client.get("/queries")
    for name, query in saved_queries().items():
        assert f'href="/queries/{name}"' in listing.text
        form = client.get(f"/queries/{name}")
        assert form.status_code == 200
        for param in query.params:
            assert f'name="{param.name}"' in form.text
            assert form.text.count(f'name="{param.name}"') == (3 if param.multiple else 1)


def test_a_query_form_answers_as_a_table_with_downloads(client):
    page = client.get("/queries/due-in-quarter", params={"run": "1", "year": "2023", "quarter": "III"})
    assert page.status_code == 200
    rows = re.findall(r"<tr><td>([IVX]+-\d+)</td>", page.text)
    assert rows == [r["row_id"] for r in golden("due-in-quarter_2023-3")]
    assert 'href="/api/queries/due-in-quarter?year=2023&amp;quarter=III&amp;format=csv"' in page.text
    assert "<th scope=\"col\">Mã dòng</th>" in page.text or "<th scope=\"col\">row_id</th>" in page.text


def test_a_bad_value_in_a_form_says_what_the_cli_says(client, built_graph_file):
    page = client.get("/queries/due-in-quarter", params={"run": "1", "year": "2023", "quarter": "5"})
    said = cli("query", "due-in-quarter", "-p", "year=2023", "-p", "quarter=5", "--graph", str(built_graph_file))
    assert said.exit_code == 2
    message = said.stderr.strip().removeprefix("error: ")
    assert page.status_code == 400 and html.escape(message, quote=True).replace("&#x27;", "&#39;") in page.text


def test_long_answers_are_paged(client):
    first = client.get("/queries/agency-names?run=1")
    assert first.status_code == 200
    total = len(golden("agency-names"))
    assert f"{total} dòng · Trang 1/{-(-total // 100)}" in text_of(first)
    assert len(re.findall(r"<tr><td>", first.text)) == 100
    last = client.get(f"/queries/agency-names?run=1&page={-(-total // 100)}")
    assert len(re.findall(r"<tr><td>", last.text)) == total - 100 * (-(-total // 100) - 1)


# ------------------------------------------------------------------------------------------------ API

def test_the_api_lists_the_queries_with_their_parameters(client):
    listed = client.get("/api/queries").json()
    assert [q["name"] for q in listed] == list(saved_queries())
    due = next(q for q in listed if q["name"] == "due-in-quarter")
    assert [(p["name"], p["type"], p["required"], p["multiple"]) for p in due["params"]] == [
        ("year", "year", True, False), ("quarter", "quarter", True, True), ("include_ongoing", "boolean", False, False)]


@pytest.mark.parametrize("fmt,accept", [("json", "application/sparql-results+json"), ("csv", "text/csv")])
def test_an_api_answer_is_what_the_cli_prints(client, built_graph_file, fmt, accept):
    said = cli("query", "tasks-citing-document", "-p", "document=62/2020", "--format", fmt, "--graph",
               str(built_graph_file))
    assert said.exit_code == 0, said.output
    by_param = client.get("/api/queries/tasks-citing-document", params={"document": "62/2020", "format": fmt})
    by_accept = client.get("/api/queries/tasks-citing-document", params={"document": "62/2020"},
                           headers={"accept": accept})
    for answer in (by_param, by_accept):
        assert answer.status_code == 200 and answer.headers["content-type"].startswith(accept)
        assert answer.content == said.stdout_bytes


def test_an_api_answer_as_xlsx(client):
    from openpyxl import load_workbook

    answer = client.get("/api/queries/due-in-quarter?year=2023&quarter=3&format=xlsx")
    assert answer.status_code == 200
    assert answer.headers["content-disposition"] == 'attachment; filename="due-in-quarter.xlsx"'
    sheet = load_workbook(io.BytesIO(answer.content)).active
    ids = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert ids == [r["row_id"] for r in golden("due-in-quarter_2023-3")]


def test_repeated_parameters_bind_as_in_the_cli(client):
    both = client.get("/api/queries/due-in-quarter?year=2023&quarter=1&quarter=3&format=csv").text
    rows = {line.split(",")[0] for line in both.splitlines()[1:]}
    q1 = client.get("/api/queries/due-in-quarter?year=2023&quarter=1&format=csv").text.splitlines()[1:]
    q3 = client.get("/api/queries/due-in-quarter?year=2023&quarter=3&format=csv").text.splitlines()[1:]
    assert rows == {line.split(",")[0] for line in q1 + q3}


@pytest.mark.parametrize("url,args", [
    ("/api/queries/tasks-citing-document?document=99/2099", ["tasks-citing-document", "-p", "document=99/2099"]),
    ("/api/queries/due-in-quarter?year=2023", ["due-in-quarter", "-p", "year=2023"]),
    ("/api/queries/plans?colour=red", ["plans", "-p", "colour=red"]),
    ("/api/queries/row-detail?row_id=I-01&plan=a&plan=b", ["row-detail", "-p", "row_id=I-01", "-p", "plan=a", "-p", "plan=b"]),
    ("/api/queries/agency-involvement?agency=So%20Noi%20Vuu", ["agency-involvement", "-p", "agency=So Noi Vuu"]),
])
def test_a_bad_parameter_is_http_400_with_the_cli_message(client, built_graph_file, url, args):
    said = cli("query", *args, "--graph", str(built_graph_file))
    assert said.exit_code == 2
    answer = client.get(url)
    assert answer.status_code == 400
    assert answer.json() == {"error": said.stderr.strip().removeprefix("error: ")}


def test_the_api_pages_as_the_cli_does(client, built_graph_file):
    said = cli("query", "plan-table", "--limit", "2", "--offset", "3", "--format", "csv", "--graph", str(built_graph_file))
    assert said.exit_code == 0 and len(said.stdout_bytes.splitlines()) == 3
    answer = client.get("/api/queries/plan-table?limit=2&offset=3&format=csv")
    assert answer.status_code == 200 and answer.content == said.stdout_bytes
    whole = client.get("/api/queries/products-by-type?format=json").json()["results"]["bindings"]
    page = client.get("/api/queries/products-by-type?offset=2&format=json").json()["results"]["bindings"]
    assert page == whole[2:]  # an offset alone: a page of the query's pagination size (1000 lines)
    form = client.get("/queries/plan-table?plan=ninh-binh-2023&limit=5")
    assert form.status_code == 200 and len(re.findall(r"<tr>", form.text)) == 6  # the header and five lines
    for bad, message in (("limit=0", "limit='0': limit is a whole number of 1 or more"),
                         ("offset=-1", "offset='-1': offset is a whole number of 0 or more"),
                         ("limit=ten", "limit='ten': limit is a whole number of 1 or more")):
        answer = client.get(f"/api/queries/plan-table?{bad}")
        assert answer.status_code == 400 and answer.json() == {"error": message}


def test_api_refusals(client):
    assert client.get("/api/queries/nothing").status_code == 404
    assert client.get("/api/queries/plans", headers={"accept": "image/png"}).status_code == 406
    answer = client.get("/api/queries/plans?format=pdf")
    assert answer.status_code == 400 and answer.json() == {"error": "unknown format 'pdf'; choose json, csv or xlsx"}


def test_the_openapi_description_follows_the_headers(client):
    spec = client.get("/api/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    queries = saved_queries()
    assert set(spec["paths"]) == {"/api/queries"} | {f"/api/queries/{name}" for name in queries}
    due = spec["paths"]["/api/queries/due-in-quarter"]["get"]
    assert due["operationId"] == "due-in-quarter" and due["summary"] == queries["due-in-quarter"].summary
    params = {p["name"]: p for p in due["parameters"]}
    assert params["year"]["required"] is True and params["year"]["schema"] == {"type": "integer"}
    assert params["quarter"]["schema"] == {"type": "array", "items": {"type": "string"}}
    assert params["include_ongoing"]["schema"] == {"type": "boolean", "default": False}
    assert params["format"]["schema"]["enum"] == ["json", "csv", "xlsx"]
    assert params["limit"]["schema"] == {"type": "integer", "minimum": 1}
    assert params["offset"]["schema"] == {"type": "integer", "minimum": 0}
    assert set(due["responses"]) == {"200", "400"}


# ------------------------------------------------------------------------------------------------ IRIs

def test_an_iri_dereferences_to_html_for_a_browser(client):
    page = client.get("/id/agency/ninh-binh/so-noi-vu", headers={"accept": BROWSER})
    assert page.status_code == 200 and page.headers["content-type"] == "text/html; charset=utf-8"


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")  # rdflib's JSON-LD parser
@pytest.mark.parametrize("accept,fmt,media", [
    ("text/turtle", "turtle", "text/turtle"),
    ("application/n-triples", "nt", "application/n-triples"),
    ("application/ld+json", "json-ld", "application/ld+json"),
])
def test_an_iri_dereferences_to_its_description_in_rdf(client, built_graph_file, accept, fmt, media):
    node = URIRef(BASE + "/id/agency/ninh-binh/so-noi-vu")
    answer = client.get("/id/agency/ninh-binh/so-noi-vu", headers={"accept": accept})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith(media)
    assert answer.headers["vary"] == "Accept"
    graph = Graph().parse(data=answer.content, format=fmt)
    assert (node, SKOS.prefLabel, Literal("Sở Nội vụ", lang="vi")) in graph
    # Exactly the node's own triples (of the data, ontology and closure) and the labels of what they link to.
    lines = json.loads(cli("query", "node-description", "-p", f"node={node}", "--format", "json", "--graph",
                           str(built_graph_file)).stdout)["results"]["bindings"]
    assert {(str(p), str(o)) for _, p, o in graph.triples((node, None, None))} == {
        (b["predicate"]["value"], b["object"]["value"]) for b in lines}
    group = URIRef(BASE + "/id/agency/ninh-binh/cac-so-ban-nganh")
    assert (group, SKOS.prefLabel, Literal("Các sở, ban, ngành", lang="vi")) in graph
    if fmt == "json-ld":
        assert json.loads(answer.content)["@context"]["skos"] == str(SKOS)
    same = client.get("/id/agency/ninh-binh/so-noi-vu", params={"format": fmt})
    assert isomorphic(Graph().parse(data=same.content, format=fmt), graph)


def test_documents_and_the_ontology_dereference(client):
    document = Graph().parse(data=client.get("/eli/vn/nd-cp/2020/90", headers={"accept": "text/turtle"}).text,
                             format="turtle")
    assert (URIRef(BASE + "/eli/vn/nd-cp/2020/90"), URIRef("http://data.europa.eu/eli/ontology#amended_by"),
            URIRef(BASE + "/eli/vn/nd-cp/2023/48")) in document
    ontology = client.get("/ontology", headers={"accept": "text/turtle"})
    assert isomorphic(Graph().parse(data=ontology.text, format="turtle"), load_ontology())
    assert client.get("/id/plan/ninh-binh-2023/row/NOPE").status_code == 404
    assert client.get('/id/agency/a%20"b').status_code == 404
    assert client.get("/id/agency/ninh-binh/so-noi-vu", headers={"accept": "image/png"}).status_code == 406


def test_the_ontology_page_documents_every_class_and_property(client):
    page = client.get("/ontology")
    text = text_of(page)
    ontology = load_ontology()
    from rdflib import OWL, RDF, RDFS
    terms = {s for cls in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty) for s in ontology.subjects(RDF.type, cls)
             if str(s).startswith(BASE + "/ontology#")}
    assert len(terms) > 60
    for term in terms:
        local = str(term).split("#")[1]
        assert f'id="{local}"' in page.text
        for label in ontology.objects(term, RDFS.label):
            assert str(label) in text


# ------------------------------------------------------------------------------------------------ SPARQL page

def test_the_sparql_page_runs_a_select_and_pages_it(client):
    query = "PREFIX cchc: <https://w3id.org/cchc-graph/ontology#> SELECT ?id WHERE { ?r cchc:rowId ?id } ORDER BY ?id"
    page = client.get("/sparql", params={"query": query})
    assert page.status_code == 200 and "64 dòng" in text_of(page) and "Trang" not in text_of(page)
    with TABLE.open(encoding="utf-8") as handle:
        ids = sorted(r["row_id"] for r in csv.DictReader(handle))
    assert re.findall(r"<tr><td>([IVX]+-\d+)</td></tr>", page.text) == ids
    agencies = "SELECT ?a ?n WHERE { ?a <http://www.w3.org/2004/02/skos/core#prefLabel> ?n } ORDER BY ?a ?n"
    second = client.get("/sparql", params={"query": agencies, "page": "2"})
    assert "Trang 2/" in text_of(second) and len(re.findall(r"<tr><td>", second.text)) <= 100


@pytest.mark.parametrize("query,message", [
    ("DELETE WHERE { ?s ?p ?o }", "not a SPARQL query this page runs (SELECT or ASK; updates are refused)"),
    ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "not a SPARQL query this page runs (SELECT or ASK; updates are refused)"),
    ("CONSTRUCT WHERE { ?s ?p ?o }", "only SELECT and ASK queries are run here, not CONSTRUCT"),
    ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
     "SERVICE is refused: this server never queries other endpoints"),
    ("PREFIX cchc: <https://w3id.org/cchc-graph/ontology#> SELECT * WHERE { ?a cchc:rowId ?i . ?b cchc:rowId ?j . "
     "?c cchc:rowId ?k }", "the answer has 262144 lines, more than 10000; add a LIMIT (and OFFSET to page through it)"),
])
def test_the_sparql_page_refuses_updates_service_and_huge_answers(client, query, message):
    page = client.get("/sparql", params={"query": query})
    assert page.status_code == 400
    assert html.escape(message, quote=False) in page.text


def test_the_sparql_page_has_a_time_limit(client):
    import asyncio

    from cchc_graph.web.adhoc import AdHocError, run_adhoc

    class Slow:
        def execute(self, text):
            import time
            time.sleep(0.5)

    with pytest.raises(AdHocError, match=r"^the query took longer than 0.1 s and was abandoned; narrow it down$"):
        asyncio.run(run_adhoc(Slow(), "SELECT * WHERE { ?s ?p ?o }", time_limit=0.1))


def test_the_web_command_binds_this_machine_only_by_default():
    said = cli("web", "--help")
    assert said.exit_code == 0
    assert re.search(r"--host TEXT\s+Address to listen on \(only this machine by\s+default; 0\.0\.0\.0 for every "
                     r"interface\)\.\s+\[default: 127\.0\.0\.1\]", said.output)
    assert re.search(r"--port INTEGER RANGE\s+\[default: 8000; 1<=x<=65535\]", said.output)


def test_the_web_command_refuses_a_missing_graph_before_listening(tmp_path):
    said = cli("web", "--graph", str(tmp_path / "nothing.ttl"), "--port", "1")
    assert said.exit_code == 2
    assert said.stderr == f"error: {tmp_path / 'nothing.ttl'}: no such file (run `cchc-graph build` first?)\n"
