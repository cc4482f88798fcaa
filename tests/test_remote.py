"""The remote step against real servers on 127.0.0.1: `link` against an Oxigraph server holding a national
law database in ELI (tests/fixtures/law-db.ttl), `publish` and `query --endpoint` against another Oxigraph
server, `serve`, and every way an endpoint can fail (down, too slow, HTTP 500, malformed answer), which must
end with exit 2, a clear message, and nothing changed locally. Only ever talks to 127.0.0.1."""

from __future__ import annotations

import importlib

import shutil
import socket
import subprocess
import sys
import threading
import urllib.parse
import urllib.request
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef

from cchc_graph import remote
from cchc_graph.cli import main
from tests.processes import stop_process
from cchc_graph.errors import RemoteError
from cchc_graph.namespaces import CCHC, ELI, OWL, PROV, RDF, XSD
from cchc_graph.query import cell, get_query, open_local, run_local, run_saved, saved_queries, with_rows
from cchc_graph.reason import reason_to_file
from cchc_graph.store import links_path_for, write_graph
from tests.golden_cases import GOLDEN_CASES

FIXTURE = Path(__file__).parent / "fixtures" / "law-db.ttl"
LAW = "http://law.example.vn/eli/"
OURS = "https://w3id.org/cchc-graph/eli/"
HOST = "127.0.0.1"



def test_sparql_endpoint_ask_answers_in_sparql_results_json(store, published):
    args = ["sparql", "-", "--endpoint", store.query, "--graph-iri", published["plain"], "--format", "json"]
    yes = CliRunner().invoke(main, args, input="PREFIX cchc: <https://w3id.org/cchc-graph/ontology#>\n"
                                               "ASK { ?plan cchc:hasArea ?area }")
    no = CliRunner().invoke(main, args, input="ASK { <urn:test:nothing> ?p ?o }")
    assert (yes.exit_code, yes.output) == (0, '{"head": {}, "boolean": true}\n')
    assert (no.exit_code, no.output) == (0, '{"head": {}, "boolean": false}\n')


@pytest.mark.parametrize("text", [
    "PREFIX cchc: <https://w3id.org/cchc-graph/ontology#>\n"
    "CONSTRUCT { ?row cchc:leadText ?lead } WHERE { ?row cchc:rowId ?id ; cchc:leadText ?lead FILTER(?id = \"I-02\") }",
    "DESCRIBE <https://w3id.org/cchc-graph/id/plan/ninh-binh-2023>",
])
def test_sparql_endpoint_graph_answers_equal_the_embedded_stores(store, published, build_dir, text):
    local = CliRunner().invoke(main, ["sparql", "-", "--graph", str(build_dir), "--format", "nt"], input=text)
    far = CliRunner().invoke(main, ["sparql", "-", "--endpoint", store.query, "--graph-iri", published["plain"],
                                    "--format", "nt"], input=text)
    assert far.exit_code == 0, far.output
    assert local.exit_code == 0 and local.output.count("\n") >= 1, local.output
    assert far.output == local.output


def test_sparql_endpoint_never_sends_an_update(tiny):
    server = tiny(answer_500)
    result = CliRunner().invoke(main, ["sparql", "-", "--endpoint", server.query], input="DROP ALL")
    assert result.exit_code == 2
    assert result.output.startswith("error: `sparql` runs read-only queries (SELECT, ASK, CONSTRUCT, DESCRIBE); this "
                                    "is a SPARQL Update request (DROP), which it never sends or runs.")
    assert server.requests == 0


# ------------------------------------------------------------------------------------------------ servers

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class OxigraphServer:
    """A real `oxigraph` server process on 127.0.0.1, stopped by its process id."""

    def __init__(self, args: list[str], log: Path):
        self.port = free_port()
        self.log = log.open("wb")
        self.process = subprocess.Popen([remote.oxigraph_binary(), *args, "--bind", f"{HOST}:{self.port}"],
                                        stdout=self.log, stderr=subprocess.STDOUT)
        remote.wait_for_port(HOST, self.port, self.process, timeout=30)
        self.base = f"http://{HOST}:{self.port}"
        self.query = self.base + "/query"

    def stop(self) -> None:
        stop_process(self.process, timeout=10)
        self.log.close()


@pytest.fixture(scope="session")
def law_db(tmp_path_factory):
    """The national law database: the ELI fixture, served read-only from its own store."""
    folder = tmp_path_factory.mktemp("law-db")
    loaded = subprocess.run([remote.oxigraph_binary(), "load", "--location", str(folder / "store"), "--file", str(FIXTURE)],
                            capture_output=True, text=True)
    assert loaded.returncode == 0, loaded.stderr
    server = OxigraphServer(["serve-read-only", "--location", str(folder / "store")], folder / "server.log")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def store(tmp_path_factory):
    """The publish target: an empty in-memory Oxigraph, whose default graph is NOT the union of its graphs
    (queries choose the published graphs with default-graph-uri)."""
    server = OxigraphServer(["serve"], tmp_path_factory.mktemp("store") / "server.log")
    yield server
    server.stop()


class TinyServer:
    """A misbehaving endpoint: an http.server thread on 127.0.0.1 answering every request with `respond`."""

    def __init__(self, respond):
        self.requests = 0
        self.stopping = threading.Event()
        lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def handle_any(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with lock:
                    outer.requests += 1
                    number = outer.requests
                try:
                    respond(self, number, body, outer)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_GET = do_POST = do_PUT = do_DELETE = do_CONNECT = handle_any

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer((HOST, 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.base = f"http://{HOST}:{self.server.server_address[1]}"
        self.query = self.base + "/query"

    def close(self) -> None:
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def send(handler, status: int, body: bytes, content_type: str = "text/plain") -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def answer_slowly(handler, number, body, server):
    server.stopping.wait(5)  # longer than --timeout 1
    send(handler, 200, b'{"head": {"vars": []}, "results": {"bindings": []}}', "application/sparql-results+json")


def answer_500(handler, number, body, server):
    send(handler, 500, b"internal failure of the test server")


def answer_malformed(handler, number, body, server):
    send(handler, 200, b'{"head": {"vars": ["remote"]}, "results": {"bindings": [', "application/sparql-results+json")


def answer_400(handler, number, body, server):
    send(handler, 400, b"Parse error: the test server refuses every query")


def proxy_to(target: str, fail_first: int = 0, fail_after: int | None = None, status: int = 503):
    """Forward requests to `target` (a real server), failing the first `fail_first` ones and every one
    after the first `fail_after` with `status`."""
    def respond(handler, number, body, server):
        if number <= fail_first or (fail_after is not None and number > fail_first + fail_after):
            send(handler, status, b"temporarily failing (test server)")
            return
        headers = {k: v for k, v in handler.headers.items() if k.lower() in ("content-type", "accept")}
        request = urllib.request.Request(target + handler.path, data=body or None, method=handler.command,
                                         headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                send(handler, response.status, response.read(), response.headers.get("Content-Type", "text/plain"))
        except urllib.error.HTTPError as exc:
            send(handler, exc.code, exc.read())
    return respond


@pytest.fixture
def tiny():
    servers = []

    def start(respond) -> TinyServer:
        servers.append(TinyServer(respond))
        return servers[-1]
    yield start
    for server in servers:
        server.close()


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch):
    monkeypatch.setattr(remote.http, "BACKOFF", 0.01)


# ------------------------------------------------------------------------------------------------ local graphs

@pytest.fixture(scope="session")
def build_dir(tmp_path_factory, plan_graph):
    """build/graph.ttl of the 2023 plan with its inferred triples cached beside it, and no link graph."""
    path = tmp_path_factory.mktemp("build-remote") / "graph.ttl"
    write_graph(plan_graph, path)
    reason_to_file(path)
    return path


def copy_build(source: Path, target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for file in source.parent.iterdir():
        shutil.copy2(file, target / file.name)
    return target / source.name


def invoke(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="session")
def linked(tmp_path_factory, build_dir, law_db):
    """A copy of the build folder after a successful `cchc-graph link` (batches of 5: several requests)."""
    path = copy_build(build_dir, tmp_path_factory.mktemp("linked"))
    result = invoke("link", "--graph", path, "--endpoint", law_db.query, "--batch-size", "5")
    assert result.exit_code == 0, result.output
    return path, result.output


@pytest.fixture(scope="session")
def links(linked) -> Graph:
    return Graph().parse(links_path_for(linked[0]), format="turtle")


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


# ------------------------------------------------------------------------------------------------ link

EXPECTED_LINKS = {
    "vn/nd-cp/2020/62": "nd-cp/2020/62", "vn/nd-cp/2020/106": "nd-cp/2020/106", "vn/nd-cp/2020/90": "nd-cp/2020/90",
    "vn/nd-cp/2023/48": "nd-cp/2023/48", "vn/nd-cp/2021/60": "nd-cp/2021/60", "vn/nd-cp/2005/130": "nd-cp/2005/130",
    "vn/nd-cp/2013/117": "nd-cp/2013/117", "vn/nd-cp/2022/42": "nd-cp/2022/42", "vn/nq-cp/2022/04": "nq-cp/2022/04",
    "vn/qd-ttg/2021/942": "qd-ttg/2021/942", "vn/nq-cp/2021/76": "nq-cp/2021/76", "vn/qh13/2012/14": "qh13/2012/14",
    "vn-ninh-binh/kh-ubnd/2020/132": "ninh-binh/kh-ubnd/2020/132",
    "vn-ninh-binh/kh-ubnd/2021/138": "ninh-binh/kh-ubnd/2021/138",
    "vn-ninh-binh/kh-ubnd/2021/106": "ninh-binh/kh-ubnd/2021/106",
}


def test_link_finds_each_cited_document_and_no_look_alike(links, linked):
    same = {(str(s), str(o)) for s, o in links.subject_objects(OWL.sameAs)}
    assert same == {(OURS + ours, LAW + theirs) for ours, theirs in EXPECTED_LINKS.items()}
    output = linked[1]
    assert "15 of 17 documents found, 2 not found" in output
    assert "(by number, type and year)" in output and "(by number)" in output  # records without eli:id_local


def test_link_lists_documents_not_found_without_guessing(links, linked, law_db):
    not_found = {str(s) for s in links.subjects(CCHC.notFoundIn, URIRef(law_db.query))}
    assert not_found == {OURS + "vn-ninh-binh/kh-ubnd/2021/80", OURS + "vn-ninh-binh/qd-ubnd/2018/1584"}
    lines = [line for line in linked[1].splitlines() if "not found " in line]
    assert any("80/KH-UBND" in line and line.rstrip().endswith("not found") for line in lines)
    assert any("1584/QĐ-UBND" in line and "ambiguous: 2 records" in line for line in lines)
    assert not list(links.objects(URIRef(OURS + "vn-ninh-binh/qd-ubnd/2018/1584"), OWL.sameAs))


def test_link_records_titles_dates_and_in_force_status_in_nfc(links, plan_graph):
    record = URIRef(LAW + "nd-cp/2020/62")
    # The database sends this title in NFD; the link graph holds it in NFC, equal to the catalogue's.
    assert links.value(record, ELI.title) == plan_graph.value(URIRef(OURS + "vn/nd-cp/2020/62"), ELI.title)
    assert links.value(record, ELI.date_document) == Literal("2020-06-01", datatype=XSD.date)
    assert links.value(record, ELI.id_local) == Literal("62/2020/NĐ-CP")
    repealed = URIRef(LAW + "nd-cp/2022/42")
    assert links.value(repealed, ELI.in_force) == URIRef(str(ELI._NS) + "InForce-notInForce")
    assert links.value(repealed, ELI.date_no_longer_in_force) == Literal("2024-07-01", datatype=XSD.date)
    assert (URIRef(LAW + "nd-cp/2020/62"), RDF.type, ELI.LegalResource) in links


def test_link_follows_amendments_repeals_and_consolidations_transitively(links):
    law = lambda path: URIRef(LAW + path)  # noqa: E731
    relations = {(str(p).split("#")[1], str(s)[len(LAW):], str(o)[len(LAW):])
                 for s, p, o in links if p in (ELI.amends, ELI.repeals, ELI.changes, ELI.consolidates)}
    assert relations == {
        ("amends", "nd-cp/2023/48", "nd-cp/2020/90"), ("changes", "nd-cp/2023/48", "nd-cp/2020/90"),
        ("amends", "nd-cp/2024/901", "nd-cp/2023/48"),  # the second step of the chain
        ("amends", "nd-cp/2013/117", "nd-cp/2005/130"),  # stated as eli:amended_by in the database
        ("repeals", "nd-cp/2024/902", "nd-cp/2022/42"),  # stated as eli:repealed_by
        ("consolidates", "vbhn-bnv/2024/05", "nd-cp/2005/130"),
    }
    # The changing records are described too.
    assert links.value(law("nd-cp/2024/901"), ELI.id_local) == Literal("901/2024/NĐ-CP")
    assert links.value(law("nd-cp/2024/902"), ELI.date_document) == Literal("2024-05-15", datatype=XSD.date)


def test_link_provenance(links, law_db):
    graph_iri = URIRef("https://w3id.org/cchc-graph/graph/links")
    activity = links.value(graph_iri, PROV.wasGeneratedBy)
    assert (activity, RDF.type, PROV.Activity) in links
    assert URIRef(law_db.query) in set(links.objects(activity, PROV.used))
    ended = links.value(activity, PROV.endedAtTime)
    assert ended is not None and ended.datatype == XSD.dateTime
    texts = {str(links.value(q, PROV.value)) for q in links.objects(activity, PROV.used) if links.value(q, PROV.value)}
    assert get_query("eli-lookup").text in texts and get_query("eli-changes").text in texts


def test_link_file_written_whole_and_alone(linked):
    folder = linked[0].parent
    assert not [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]
    assert Graph().parse(links_path_for(linked[0]), format="turtle")


def test_batch_size_does_not_change_what_is_found(tmp_path, build_dir, law_db, links):
    path = copy_build(build_dir, tmp_path)
    assert invoke("link", "--graph", path, "--endpoint", law_db.query, "--batch-size", "100").exit_code == 0
    one_batch = Graph().parse(links_path_for(path), format="turtle")

    def facts(graph):
        return {t for t in graph if t[1] not in (PROV.startedAtTime, PROV.endedAtTime, PROV.generatedAtTime)
                and "batch" not in str(t[2]) and "per request" not in str(t[2])}
    assert facts(one_batch) == facts(links)


def test_query_loads_the_link_graph(tmp_path, build_dir, linked):
    text = ("PREFIX owl: <http://www.w3.org/2002/07/owl#> SELECT (COUNT(*) AS ?n) "
            "WHERE { GRAPH <https://w3id.org/cchc-graph/graph/links> { ?a owl:sameAs ?b } }")
    with_links = CliRunner().invoke(main, ["sparql", "-", "--graph", str(linked[0]), "--format", "csv"], input=text)
    without = CliRunner().invoke(main, ["sparql", "-", "--graph", str(build_dir), "--format", "csv"], input=text)
    assert with_links.output.splitlines() == ["n", "15"] and without.output.splitlines() == ["n", "0"]



def test_link_keeps_a_link_graph_that_finds_more(tmp_path, linked, law_db):
    """An endpoint (here the right one with a wrong default graph) finding fewer documents than the current
    link graph links: the file stays byte for byte, a warning names both counts, exit 1."""
    path = copy_build(linked[0], tmp_path)
    before = snapshot(path.parent)
    result = CliRunner().invoke(main, ["link", "--graph", str(path), "--endpoint", law_db.query,
                                       "--default-graph", "urn:test:no-such-graph"])
    assert result.exit_code == 1, result.output
    assert f"{law_db.query}: 0 of 17 documents found, 17 not found; 0 change relations" in result.stdout
    assert result.stderr == (
        f"warning: {law_db.query} found 0 of 17 documents, fewer than the 15 that {links_path_for(path)} links: kept "
        f"it unchanged (check the endpoint and --default-graph, or run again with --replace to write the new link "
        f"graph)\n")
    assert "wrote " not in result.stdout
    assert snapshot(path.parent) == before


def test_link_replace_accepts_the_worse_link_graph(tmp_path, linked, law_db):
    path = copy_build(linked[0], tmp_path)
    result = CliRunner().invoke(main, ["link", "--graph", str(path), "--endpoint", law_db.query,
                                       "--default-graph", "urn:test:no-such-graph", "--replace"])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    written = Graph().parse(links_path_for(path), format="turtle")
    assert not list(written.subject_objects(OWL.sameAs))
    assert len(set(written.subjects(CCHC.notFoundIn, URIRef(law_db.query)))) == 17
    # Finding as many or more documents than the file links replaces it without --replace.
    again = CliRunner().invoke(main, ["link", "--graph", str(path), "--endpoint", law_db.query])
    assert again.exit_code == 0 and again.stderr == "", again.output
    assert len(set(Graph().parse(links_path_for(path)).subjects(OWL.sameAs, None))) == 15


@pytest.mark.parametrize("years, issuers, document, expected", [
    ({2021}, {"ủy ban nhân dân tỉnh ninh bình"}, "province", "linked"),
    ({2022}, {"ủy ban nhân dân tỉnh ninh bình"}, "province", "another year"),
    ({2021}, {"ủy ban nhân dân tỉnh thanh hóa"}, "province", "another issuer"),
    ({2021}, set(), "province", "no issuer to compare"),
    (set(), {"ủy ban nhân dân tỉnh ninh bình"}, "province", "no date to compare"),
    (set(), set(), "national", "linked"),  # 62/2020/NĐ-CP: the number carries the year
    ({2021}, set(), "no year", "no year to compare"),
])
def test_decide(years, issuers, document, expected):
    docs = {
        "province": remote.LocalDocument(URIRef("urn:d"), "106/KH-UBND", "Kế hoạch", "106", 2021, False, True,
                                         {"ủy ban nhân dân tỉnh ninh bình", "ubnd tỉnh ninh bình"}),
        "national": remote.LocalDocument(URIRef("urn:d"), "62/2020/NĐ-CP", "Nghị định", "62", 2020, True, False),
        "no year": remote.LocalDocument(URIRef("urn:d"), "5/NQ-CP", "Nghị quyết", "5", None, False, False),
    }
    chosen, why = remote.decide(docs[document], [remote.Candidate(URIRef("urn:r"), {"id_local"}, years, issuers)])
    assert (chosen is not None) == (expected == "linked")
    if expected != "linked":
        assert expected in why


def test_decide_two_records_left_is_ambiguous():
    doc = remote.LocalDocument(URIRef("urn:d"), "62/2020/NĐ-CP", "Nghị định", "62", 2020, True, False)
    chosen, why = remote.decide(doc, [remote.Candidate(URIRef("urn:a"), years={2020}),
                                      remote.Candidate(URIRef("urn:b"), years={2020})])
    assert chosen is None and why.startswith("ambiguous: 2 records")


def test_lookup_values_are_bound_as_terms():
    hostile = '62/2020" } } ; DROP ALL ; #'
    text = with_rows(get_query("eli-lookup").text, ["document", "id_local", "number", "year", "type"],
                     [[URIRef("urn:x"), Literal(hostile), Literal("62"), None, Literal("nghị định")]])
    assert 'VALUES (?document ?id_local ?number ?year ?type) { (<urn:x> "62/2020\\" } } ; DROP ALL ; #" "62" UNDEF' in text
    from rdflib.plugins.sparql import prepareQuery
    prepareQuery(text)


# ------------------------------------------------------------------------------------------------ tasks-affected-by-changes

def affected(path: Path, *extra: str) -> set[tuple[str, ...]]:
    result = invoke("query", "tasks-affected-by-changes", "--graph", path, "--format", "csv", *extra)
    assert result.exit_code == 0, result.output
    header, *rows = [line.split(",") for line in result.output.splitlines()]
    assert header == ["row_id", "level", "cited_number", "change", "changing_number", "changing_date", "via", "position"]
    return {tuple(r[:7]) for r in rows}


def test_tasks_affected_by_changes_from_the_catalogue(build_dir):
    assert affected(build_dir) == {
        ("IV-02", "task", "90/2020/NĐ-CP", "amended", "48/2023/NĐ-CP", "2023-07-17", ""),
        ("V-01", "product", "130/2005/NĐ-CP", "amended", "117/2013/NĐ-CP", "2013-10-07", ""),
    }


def test_tasks_affected_by_changes_with_the_law_database(linked):
    assert affected(linked[0]) == {
        ("IV-02", "task", "90/2020/NĐ-CP", "amended", "48/2023/NĐ-CP", "2023-07-17", ""),
        ("IV-02", "task", "90/2020/NĐ-CP", "amended", "901/2024/NĐ-CP", "2024-03-01", "48/2023/NĐ-CP"),
        ("V-01", "product", "130/2005/NĐ-CP", "amended", "117/2013/NĐ-CP", "2013-10-07", ""),
        ("VI-05", "task", "42/2022/NĐ-CP", "repealed", "902/2024/NĐ-CP", "2024-05-15", ""),
        ("VI-10", "objective", "42/2022/NĐ-CP", "repealed", "902/2024/NĐ-CP", "2024-05-15", ""),
        ("VI-10", "task", "42/2022/NĐ-CP", "repealed", "902/2024/NĐ-CP", "2024-05-15", ""),
    }  # the consolidated text of 130/2005 is not a change; eli:changes beside eli:amends is not a second row


# ------------------------------------------------------------------------------------------------ publish

def count_triples(store, base: str) -> int:
    text = ("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), "
            + Literal(base).n3() + ")) }")
    return int(remote.run_remote(store.query, text).rows[0]["n"])


def local_total(path: Path) -> int:
    _, graphs = remote.local_store_graphs(path)
    return sum(len(g) for g in graphs.values() if g is not None)


@pytest.fixture(scope="session")
def published(store, build_dir, linked):
    """The graph published twice under one base (no links) and once under another (with links)."""
    plain, with_links = "urn:test:plain/", "urn:test:linked/"
    counts = []
    for _ in range(2):
        result = invoke("publish", "--graph", build_dir, "--endpoint", store.base, "--graph-iri", plain)
        assert result.exit_code == 0, result.output
        counts.append(count_triples(store, plain))
    result = invoke("publish", "--graph", linked[0], "--endpoint", store.base, "--graph-iri", with_links)
    assert result.exit_code == 0, result.output
    return {"plain": plain, "linked": with_links, "counts": counts}


def test_publishing_twice_gives_the_same_triple_count(published, build_dir):
    first, second = published["counts"]
    assert first == second == local_total(build_dir)


def test_publish_reports_graphs_and_drops_the_absent_link_graph(store, build_dir):
    result = invoke("publish", "--graph", build_dir, "--endpoint", store.base, "--graph-iri", "urn:test:report")
    assert result.exit_code == 0, result.output
    assert "Graph Store Protocol" in result.output and "<urn:test:report/asserted>" in result.output
    assert "dropped          <urn:test:report/links>" in result.output


def test_publish_with_sparql_update_gives_the_same_graphs(store, build_dir, published):
    base = "urn:test:update/"
    for _ in range(2):
        result = invoke("publish", "--graph", build_dir, "--endpoint", store.base + "/update", "--protocol", "update",
                        "--graph-iri", base)
        assert result.exit_code == 0, result.output
        assert "SPARQL Update" in result.output
        assert count_triples(store, base) == published["counts"][0]


def test_publish_falls_back_to_sparql_update_where_gsp_is_missing(store, build_dir, published):
    base = "urn:test:fallback/"
    result = invoke("publish", "--graph", build_dir, "--endpoint", store.base + "/no-gsp-here",
                    "--update-endpoint", store.base + "/update", "--graph-iri", base)
    assert result.exit_code == 0, result.output
    assert "published to " + store.base + "/update (SPARQL Update)" in result.output
    assert count_triples(store, base) == published["counts"][0]


def test_update_requests_keep_blank_nodes_in_one_request():
    """publish reads each graph straight from Oxigraph (no rdflib copy at corpus size) and sends it in
    chunks; the requests, applied in order, rebuild the graph, and its blank nodes travel in one request."""
    from rdflib import BNode, Dataset

    from cchc_graph.store import OxigraphDataset
    graph = Graph()
    node = BNode()
    for i in range(7):
        graph.add((URIRef(f"urn:s{i}"), URIRef("urn:p"), Literal(f'v"{i}\n', lang="vi")))
    graph.add((URIRef("urn:s"), URIRef("urn:chain"), node))
    graph.add((node, URIRef("urn:first"), Literal(1)))
    dataset = OxigraphDataset()
    dataset.add_graph("urn:g", graph)
    stored = remote.StoreGraph(dataset, "urn:g")
    assert len(stored) == len(graph) == 9
    requests = remote._update_requests(URIRef("urn:g"), stored, chunk=3)
    assert len(requests) == 3 and requests[0].startswith("DROP SILENT GRAPH <urn:g> ;")
    assert all("_:" not in r for r in requests[1:]) and requests[0].count("_:") == 2
    lines = [line for r in requests for line in r.splitlines() if line.endswith(" .")]
    assert len(lines) == len(set(lines)) == len(graph)
    applied = Dataset()
    for request in requests:
        applied.update(request)
    assert applied.graph(URIRef("urn:g")).isomorphic(graph)
    assert Graph().parse(data=stored.ntriples(), format="nt").isomorphic(graph)


# ------------------------------------------------------------------------------------------------ same answers

EXTRA_PARAMS = {
    "eli-lookup": {"id_local": "62/2020/NĐ-CP", "number": "62", "year": "2020", "type": "nghị định"},
    "eli-changes": {"resource": OURS + "vn/nd-cp/2020/90"},
    "eli-details": {"resource": OURS + "vn/nd-cp/2020/90"},
    "node-description": {"node": OURS + "vn/nd-cp/2020/90"},
}
CASES = [(case, name, params) for case, name, params in GOLDEN_CASES] + [
    (name, name, params) for name, params in EXTRA_PARAMS.items()] + [
    (name, name, {}) for name in sorted(saved_queries())
    if name not in {n for _, n, _ in GOLDEN_CASES} and name not in EXTRA_PARAMS]


def test_every_saved_query_is_compared():
    assert {name for _, name, _ in CASES} == set(saved_queries())


def rendered(table) -> tuple[list[str], Counter]:
    return table.columns, Counter(tuple(cell(row.get(c)) for c in table.columns) for row in table.rows)


@pytest.fixture(scope="session")
def embedded(build_dir, linked):
    return {"plain": open_local(build_dir), "linked": open_local(linked[0])}


@pytest.mark.parametrize("which", ["plain", "linked"])
@pytest.mark.parametrize("case,name,params", CASES, ids=[c[0] for c in CASES])
def test_remote_and_embedded_answers_are_equal(store, published, embedded, which, case, name, params):
    graphs = remote.published_graphs(published[which])
    remote_table = run_saved(get_query(name), params,
                             lambda text: remote.run_remote(store.query, text, default_graphs=graphs))
    local_table = run_saved(get_query(name), params, lambda text: run_local(embedded[which], text))
    assert rendered(remote_table) == rendered(local_table)
    if name in ("tasks-affected-by-changes", "legal-documents", "plan-table"):
        assert local_table.rows  # the comparison is not between two empty answers


def test_cli_query_endpoint_equals_local(store, published, linked):
    for args in (["tasks-affected-by-changes"], ["tasks-citing-document", "-p", "document=48/2023"]):
        local = invoke("query", *args, "--graph", linked[0], "--format", "csv")
        far = invoke("query", *args, "--endpoint", store.query, "--graph-iri", published["linked"], "--format", "csv")
        assert far.exit_code == 0, far.output
        assert sorted(far.output.splitlines()) == sorted(local.output.splitlines())


def test_remote_without_reasoning_leaves_out_the_inferred_graph(store, published, build_dir):
    args = ["query", "agency-workload", "--format", "csv", "--no-reasoning"]
    local = invoke(*args, "--graph", build_dir)
    far = invoke(*args, "--endpoint", store.query, "--graph-iri", published["plain"])
    assert sorted(far.output.splitlines()) == sorted(local.output.splitlines())
    assert far.output != invoke("query", "agency-workload", "--format", "csv", "--graph", build_dir).output


# ------------------------------------------------------------------------------------------------ serve

def test_serve_answers_as_the_embedded_store(linked):
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "cchc_graph.cli", "serve", "--graph", str(linked[0]),
                                "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        first = process.stdout.readline()
        assert first.startswith(f"SPARQL endpoint: http://127.0.0.1:{port}/query"), first
        url = f"http://127.0.0.1:{port}/query"
        local = invoke("query", "tasks-affected-by-changes", "--graph", linked[0], "--format", "csv")
        for extra in ([], ["--remote-default-graph"]):  # published graphs, or the server's union default graph
            far = invoke("query", "tasks-affected-by-changes", "--endpoint", url, "--format", "csv", *extra)
            assert far.exit_code == 0, far.output
            assert sorted(far.output.splitlines()) == sorted(local.output.splitlines())
        update = urllib.request.Request(url.replace("/query", "/update"), data=b"update=CLEAR+ALL", method="POST")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(update, timeout=5)  # read-only
        refused.value.close()
    finally:
        process.terminate()
        assert process.wait(timeout=20) == 0
        process.stdout.close()
    with pytest.raises(OSError):
        socket.create_connection((HOST, port), timeout=1).close()


def test_serve_reports_a_taken_port(linked, law_db):
    result = CliRunner().invoke(main, ["serve", "--graph", str(linked[0]), "--port", str(law_db.port)])
    assert result.exit_code == 2
    assert result.output == (f"error: cannot listen on 127.0.0.1:{law_db.port}: is the port taken? (choose another "
                             "with --port)\n")


def test_serve_names_an_address_that_is_not_this_machines(linked):
    result = CliRunner().invoke(main, ["serve", "--graph", str(linked[0]), "--host", "203.0.113.5",
                                       "--port", str(free_port())])
    assert result.exit_code == 2
    assert "203.0.113.5 is not an address of this machine" in result.output and "port taken" not in result.output


def start_serve(graph: Path, port: int, tmp: Path) -> subprocess.Popen:
    env = {**__import__("os").environ, "TMPDIR": str(tmp)}
    process = subprocess.Popen([sys.executable, "-m", "cchc_graph.cli", "serve", "--graph", str(graph),
                                "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                               env=env)
    first = process.stdout.readline()
    assert first.startswith(f"SPARQL endpoint: http://127.0.0.1:{port}/query"), first
    return process


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def test_serve_refuses_service_clauses(tmp_path, linked, tiny):
    """Anyone who reaches `serve` must not make it fetch from other addresses (SERVICE)."""
    elsewhere = tiny(answer_500)
    port = free_port()
    process = start_serve(linked[0], port, tmp_path)
    try:
        url = f"http://127.0.0.1:{port}/query"
        federated = "SELECT * WHERE { SERVICE <" + elsewhere.query + "> { ?s ?p ?o } }"
        for request in (urllib.request.Request(url + "?" + urllib.parse.urlencode({"query": federated})),
                        urllib.request.Request(url, data=federated.encode(), method="POST",
                                               headers={"Content-Type": "application/sparql-query"}),
                        urllib.request.Request(url, data=urllib.parse.urlencode({"query": federated}).encode(),
                                               method="POST")):
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(request, timeout=10)
            assert refused.value.code == 403
            assert refused.value.read().decode().startswith("cchc-graph serve refuses SERVICE clauses")
            refused.value.close()
        assert elsewhere.requests == 0
        worded = remote.run_remote(url, 'SELECT ?x WHERE { BIND("public service" AS ?x) }')
        assert [str(r["x"]) for r in worded.rows] == ["public service"]
    finally:
        process.terminate()
        assert process.wait(timeout=20) == 0
        process.stdout.close()


def test_serve_killed_leaves_no_server_and_its_store_is_removed(tmp_path, linked, law_db):
    import os
    import signal
    import time

    process = start_serve(linked[0], free_port(), tmp_path)
    [child] = children(process.pid)
    [folder] = tmp_path.glob("cchc-graph-serve-*")
    assert folder.name.startswith(f"cchc-graph-serve-{process.pid}-")
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    process.stdout.close()
    for _ in range(100):  # the kernel sends the Oxigraph server SIGKILL as its parent dies
        if not Path(f"/proc/{child}").exists() or "Z" in Path(f"/proc/{child}/stat").read_text().split()[2]:
            break
        time.sleep(0.1)
    assert not Path(f"/proc/{child}").exists() or Path(f"/proc/{child}/stat").read_text().split()[2] == "Z"
    assert folder.exists()  # nothing could remove it at kill -9 ...
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    again = subprocess.run([sys.executable, "-m", "cchc_graph.cli", "serve", "--graph", str(linked[0]),
                            "--port", str(law_db.port)], capture_output=True, text=True, env=env, timeout=60)
    assert again.returncode == 2 and "is the port taken?" in again.stderr + again.stdout
    assert not folder.exists()  # ... the next serve removes it


# ------------------------------------------------------------------------------------------------ failures

FAILURES = {
    "down": (None, "connection refused"),
    "timeout": (answer_slowly, "no complete answer within 1 s (timeout; --timeout bounds the whole request)"),
    "http-500": (answer_500, "HTTP 500"),
    "malformed": (answer_malformed, "malformed response"),
}


@pytest.fixture
def failing(tiny):
    def start(kind: str) -> tuple[str, str]:
        respond, message = FAILURES[kind]
        if respond is None:
            return f"http://{HOST}:{free_port()}", message  # nothing listens there
        return tiny(respond).base, message
    return start


# publish reads no answer body of an upload, so a malformed answer is no case for it.
@pytest.mark.parametrize("command, kind", [(command, kind) for command in ("link", "query", "sparql", "publish")
                                           for kind in sorted(FAILURES)
                                           if not (command == "publish" and kind == "malformed")])
def test_failing_endpoint_exits_2_and_changes_nothing(tmp_path, linked, failing, kind, command):
    path = copy_build(linked[0], tmp_path / "build")  # with a link graph from an earlier run
    before = snapshot(path.parent)
    base, message = failing(kind)
    common = ["--graph", path, "--timeout", "1", "--retries", "1"]
    args = {"link": ["link", "--endpoint", base + "/query", "--batch-size", "5"],
            "query": ["query", "tasks-citing-document", "-p", "document=62/2020", "--endpoint", base + "/query"],
            "sparql": ["sparql", "-", "--endpoint", base + "/query"],
            "publish": ["publish", "--endpoint", base]}[command]
    result = CliRunner().invoke(main, [str(a) for a in args + common], input="SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    assert result.exit_code == 2, result.output
    assert "error: " in result.output and base in result.output and message in result.output
    if kind in ("down", "http-500"):
        assert "(tried 2 times)" in result.output  # transient: retried once (--retries 1)
    if kind == "timeout":
        assert "tried" not in result.output  # the deadline covers the retries: no time was left for one
    if command == "link":
        assert "was not changed" in result.output
    assert snapshot(path.parent) == before  # byte for byte, and no temporary file left


def test_transient_failures_are_retried_until_they_pass(tmp_path, build_dir, law_db, tiny, links):
    flaky = tiny(proxy_to(law_db.base, fail_first=2, status=503))
    path = copy_build(build_dir, tmp_path)
    result = invoke("link", "--graph", path, "--endpoint", flaky.query, "--batch-size", "5", "--retries", "3")
    assert result.exit_code == 0, result.output
    assert "15 of 17 documents found" in result.output
    assert set(Graph().parse(links_path_for(path)).subject_objects(OWL.sameAs)) == set(links.subject_objects(OWL.sameAs))


def test_a_failure_after_some_batches_leaves_the_link_graph_as_it_was(tmp_path, linked, law_db, tiny):
    path = copy_build(linked[0], tmp_path)
    before = snapshot(path.parent)
    broken = tiny(proxy_to(law_db.base, fail_after=3, status=500))  # 3 batches pass, then every request fails
    result = CliRunner().invoke(main, ["link", "--graph", str(path), "--endpoint", broken.query, "--batch-size", "5",
                                       "--retries", "2"])
    assert result.exit_code == 2 and "HTTP 500" in result.output and "(tried 3 times)" in result.output
    assert "batch 4 of 4" in result.output
    assert broken.requests == 3 + 3
    assert snapshot(path.parent) == before


def graph_counts(query_url: str, base: str) -> dict[str, int]:
    """Triples per named graph under `base` in a store, by the graph's name after the base."""
    text = ("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), "
            + Literal(base).n3() + ")) } GROUP BY ?g")
    return {str(row["g"])[len(base):]: int(row["n"]) for row in remote.run_remote(query_url, text).rows}


def local_counts(path: Path) -> dict[str, int]:
    _, graphs = remote.local_store_graphs(path)
    return {role: len(graph) for role, graph in graphs.items() if graph is not None}


def update(url: str, text: str) -> None:
    remote._request("POST", url, what="test update", data=text.encode(), content_type="application/sparql-update")


def test_a_publish_failing_midway_leaves_the_published_graphs(build_dir, store, tiny):
    base = "urn:test:midway/"
    assert invoke("publish", "--graph", build_dir, "--endpoint", store.base, "--graph-iri", base).exit_code == 0
    before = graph_counts(store.query, base)
    assert before == local_counts(build_dir)
    # probe, lock, lock read, first PUT pass; the second PUT and the clean-up fail
    broken = tiny(proxy_to(store.base, fail_after=4, status=500))
    result = CliRunner().invoke(main, ["publish", "--graph", str(build_dir), "--endpoint", broken.base,
                                       "--graph-iri", base, "--retries", "0"])
    assert result.exit_code == 2 and "HTTP 500" in result.output
    token = result.output.partition("ontology.publishing-")[2][:16]
    assert f"GSP PUT of graph <urn:test:midway/ontology.publishing-{token}>: HTTP 500" in result.output
    assert ("nothing local was changed; the published graphs were not changed (a reader still sees the previous "
            "ones); these temporary graphs may be left in the store: "
            f"<urn:test:midway/asserted.publishing-{token}>, <urn:test:midway/ontology.publishing-{token}>, "
            f"<urn:test:midway/inferred.publishing-{token}>, <urn:test:midway/links.publishing-{token}>, "
            "and the lock <urn:test:midway/publish-lock>") in result.output
    after = graph_counts(store.query, base)
    assert {k: v for k, v in after.items() if "." not in k and k != "publish-lock"} == before
    assert after[f"asserted.publishing-{token}"] == before["asserted"]  # the upload that passed, left
    refused = invoke("publish", "--graph", build_dir, "--endpoint", store.base, "--graph-iri", base)
    assert refused.exit_code == 2
    assert ("another publish to these graphs is running (it holds the lock <urn:test:midway/publish-lock> until "
            in refused.output) and "or drop it: DROP GRAPH <urn:test:midway/publish-lock>" in refused.output
    update(store.base + "/update", f"DROP GRAPH <{base}publish-lock>")
    again = invoke("publish", "--graph", build_dir, "--endpoint", store.base, "--graph-iri", base)
    assert again.exit_code == 0, again.output
    assert graph_counts(store.query, base) == before  # the leftovers removed with the switch


def test_publish_refuses_a_server_that_is_not_a_sparql_store(build_dir, tiny):
    portal = tiny(lambda handler, number, body, server: send(handler, 200, b"<html>Welcome</html>", "text/html"))
    result = CliRunner().invoke(main, ["publish", "--graph", str(build_dir), "--endpoint", portal.base])
    assert result.exit_code == 2
    assert result.output.startswith(f"error: {portal.base}/query: not a SPARQL store: a probe query with a known "
                                    "answer got the wrong one (malformed response: not SPARQL JSON results")
    assert "nothing was written. Check --endpoint" in result.output
    assert portal.requests == 1  # the probe only


def test_two_publishes_at_once_leave_one_source_whole(tmp_path, build_dir, linked, plan_copy, store):
    """Two publishers of different sources into the same graphs, started together: the store ends with one
    source's graphs, each whole (no mix, no blank-node triple twice), and a publisher that lost says so."""
    from tests.test_faults import lead_of_i02_changed

    base = "urn:test:race/"
    first = copy_build(build_dir, tmp_path / "a")
    second = copy_build(linked[0], tmp_path / "b")
    write_graph(lead_of_i02_changed(plan_copy, "Sở Nội vụ"), second)
    sources = {"Sở Tư pháp": local_counts(first), "Sở Nội vụ": local_counts(second)}
    assert set(sources["Sở Tư pháp"]) != set(sources["Sở Nội vụ"])  # one has a link graph
    for _ in range(3):
        start, outcomes = threading.Barrier(2), []

        def run(path):
            start.wait()
            try:
                remote.publish(path, store.base, graph_iri=base, protocol="update")
                outcomes.append("published")
            except RemoteError as exc:
                outcomes.append(str(exc))

        threads = [threading.Thread(target=run, args=(path,)) for path in (first, second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert "published" in outcomes, outcomes
        assert all(o == "published" or "another publish to these graphs is running" in o for o in outcomes), outcomes
        lead = remote.run_remote(store.query, "PREFIX cchc: <https://w3id.org/cchc-graph/ontology#> "
                                 "SELECT ?lead WHERE { ?row cchc:rowId \"I-02\" ; cchc:leadText ?lead }",
                                 default_graphs=[base + "asserted"]).rows
        assert len(lead) == 1
        assert graph_counts(store.query, base) == sources[str(lead[0]["lead"])]


def test_a_store_killed_mid_publish_keeps_the_published_graphs(tmp_path, build_dir, tiny):
    base = "urn:test:killed/"
    location = tmp_path / "store"
    store = OxigraphServer(["serve", "--location", str(location)], tmp_path / "server.log")
    try:
        assert invoke("publish", "--graph", build_dir, "--endpoint", store.base, "--graph-iri", base).exit_code == 0
        before = graph_counts(store.query, base)
        forward = proxy_to(store.base)

        def kill_after_the_first_upload(handler, number, body, server):
            if store.process.poll() is not None:
                handler.close_connection = True  # the store is gone: no answer at all
                return
            forward(handler, number, body, server)
            if handler.command == "PUT":
                store.process.kill()
                store.process.wait()

        proxy = tiny(kill_after_the_first_upload)
        result = CliRunner().invoke(main, ["publish", "--graph", str(build_dir), "--endpoint", proxy.base,
                                           "--graph-iri", base, "--retries", "0"])
    finally:
        store.stop()
    assert result.exit_code == 2
    assert "the published graphs were not changed" in result.output
    assert "these temporary graphs may be left in the store: <urn:test:killed/asserted.publishing-" in result.output
    restarted = OxigraphServer(["serve", "--location", str(location)], tmp_path / "server2.log")
    try:
        after = graph_counts(restarted.query, base)
        assert {k: v for k, v in after.items() if "." not in k and k != "publish-lock"} == before
    finally:
        restarted.stop()


def test_client_errors_are_not_retried(tmp_path, build_dir, tiny):
    refusing = tiny(answer_400)
    path = copy_build(build_dir, tmp_path)
    result = CliRunner().invoke(main, ["link", "--graph", str(path), "--endpoint", refusing.query, "--retries", "3"])
    assert result.exit_code == 2 and "HTTP 400" in result.output and "refuses every query" in result.output
    assert refusing.requests == 1
    assert not links_path_for(path).exists()


@pytest.mark.parametrize("body, message", [
    (b"<html>Service Unavailable</html>", "not SPARQL JSON results"),
    (b"[1, 2]", "not a JSON object"),
    (b'{"head": {}, "results": {"bindings": []}}', "no head.vars"),
    (b'{"head": {"vars": ["x"]}, "results": {}}', "no results.bindings"),
    (b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"y": {"type": "uri", "value": "urn:a"}}]}}', "not in head.vars"),
    (b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "uri", "value": "urn:a> } DROP ALL"}}]}}', "not an IRI"),
    (b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "triple", "value": "?"}}]}}', "unknown term type"),
    (b'{"boolean": "yes"}', "not true or false"),
])
def test_malformed_results_are_rejected(body, message):
    with pytest.raises(RemoteError, match=message):
        remote.parse_results(body, "http://127.0.0.1:1/query")


def test_results_are_rdf_terms_in_nfc():
    import unicodedata
    nfd = unicodedata.normalize("NFD", "Nghị định")
    body = ('{"head": {"vars": ["a", "b", "c", "d"]}, "results": {"bindings": [{'
            '"a": {"type": "uri", "value": "http://law.example.vn/eli/nd-cp/2020/62"}, '
            f'"b": {{"type": "literal", "value": "{nfd}", "xml:lang": "vi"}}, '
            '"c": {"type": "literal", "value": "2020-06-01", "datatype": "http://www.w3.org/2001/XMLSchema#date"}, '
            '"d": {"type": "literal", "value": "62", "datatype": "http://www.w3.org/2001/XMLSchema#string"}}]}}')
    row = remote.parse_results(body.encode(), "here").rows[0]
    assert row == {"a": URIRef("http://law.example.vn/eli/nd-cp/2020/62"), "b": Literal("Nghị định", lang="vi"),
                   "c": Literal("2020-06-01", datatype=XSD.date), "d": Literal("62")}
    assert str(row["b"]) == unicodedata.normalize("NFC", nfd)


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/x", "127.0.0.1:7878", "http://", "http://127.0.0.1/a b"])
def test_not_an_http_url(runner, build_dir, url):
    result = runner.invoke(main, ["link", "--graph", str(build_dir), "--endpoint", url])
    assert result.exit_code == 2 and "is not an http(s) URL" in result.output


# ------------------------------------------------------------------------------------------------ faults (#13)
# A fault-injecting server for each way an answer can go wrong; every command ends within its --timeout with
# exit 2 and a message that says what happened.

RESULTS = b'{"head": {"vars": ["s"]}, "results": {"bindings": []}}'


def answer_silently(handler, number, body, server):
    server.stopping.wait(30)  # accepts the request, never answers


def answer_a_byte_at_a_time(handler, number, body, server):
    """The status line, headers and body a byte every 0.2 s: no single read ever waits 1 s."""
    raw = (b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\nContent-Length: "
           + str(len(RESULTS)).encode() + b"\r\n\r\n" + RESULTS)
    for byte in raw:
        if server.stopping.wait(0.2):
            return
        handler.wfile.write(bytes([byte]))
        handler.wfile.flush()


def answer_without_end(handler, number, body, server):
    """An answer larger than the limit (set to 1 MB by the test), with no Content-Length to refuse early."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/sparql-results+json")
    handler.end_headers()
    for _ in range(64):
        handler.wfile.write(b" " * 65536)


def answer_html_as_json(handler, number, body, server):
    send(handler, 200, b"<html><body>Welcome to our portal</body></html>", "application/sparql-results+json")


def answer_then_close(handler, number, body, server):
    handler.send_response(200)
    handler.send_header("Content-Type", "application/sparql-results+json")
    handler.send_header("Content-Length", "5000")
    handler.end_headers()
    handler.wfile.write(RESULTS[:20])
    handler.wfile.flush()
    handler.close_connection = True


FAULTS = {
    "silent": (answer_silently, "no complete answer within 1 s (timeout; --timeout bounds the whole request)"),
    "a-byte-at-a-time": (answer_a_byte_at_a_time,
                         "no complete answer within 1 s (timeout; --timeout bounds the whole request)"),
    "endless": (answer_without_end, "the answer is too large: more than 1,048,576 bytes came, over the limit of 1 MB "
                                    "(ask for less: a narrower query, or a LIMIT)"),
    "lying-content-type": (answer_html_as_json, "malformed response: not SPARQL JSON results"),
    "closing-mid-answer": (answer_then_close, "connection closed in the middle of the answer (20 bytes came, "
                                              "4,980 more announced)"),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
@pytest.mark.parametrize("command", ["link", "query", "sparql", "publish"])
def test_a_faulty_server_ends_every_command_within_its_deadline(tmp_path, linked, tiny, monkeypatch, fault, command):
    monkeypatch.setattr(remote.http, "MAX_ANSWER_BYTES", 2**20)
    respond, message = FAULTS[fault]
    server = tiny(respond)
    path = copy_build(linked[0], tmp_path / "build")
    before = snapshot(path.parent)
    args = {"link": ["link", "--endpoint", server.query],
            "query": ["query", "tasks-citing-document", "-p", "document=62/2020", "--endpoint", server.query],
            "sparql": ["sparql", "-", "--endpoint", server.query],
            "publish": ["publish", "--endpoint", server.base]}[command]
    result = CliRunner().invoke(main, [str(a) for a in args + ["--graph", path, "--timeout", "1", "--retries", "0"]],
                                input="SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"error: {server.base}"), result.output
    assert message in result.output
    assert snapshot(path.parent) == before


# ------------------------------------------------------------------------------------------------ proxies

def forward_proxy(names: dict[str, str], seen: list):
    """A forward proxy: a request for an absolute URL whose host is in `names` goes to that (real) server.
    The names exist only here, so an answer proves the request went through the proxy."""
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # the proxy itself goes direct

    def respond(handler, number, body, server):
        url = urllib.parse.urlsplit(handler.path)
        seen.append((handler.command, handler.path, handler.headers.get("Proxy-Authorization")))
        if url.hostname not in names:
            send(handler, 502, b"unknown host (test proxy)")
            return
        headers = {k: v for k, v in handler.headers.items() if k.lower() in ("content-type", "accept")}
        request = urllib.request.Request(names[url.hostname] + url.path + (f"?{url.query}" if url.query else ""),
                                         data=body or None, method=handler.command, headers=headers)
        try:
            with direct.open(request, timeout=10) as response:
                send(handler, response.status, response.read(), response.headers.get("Content-Type", "text/plain"))
        except urllib.error.HTTPError as exc:
            send(handler, exc.code, exc.read())
    return respond


def test_remote_requests_go_through_the_http_proxy_of_the_environment(tiny, law_db, monkeypatch):
    seen: list = []
    proxy = tiny(forward_proxy({"law-db.invalid": law_db.base}, seen))
    port = proxy.base.rsplit(":", 1)[1]
    monkeypatch.setenv("http_proxy", f"http://officer:m%E1%BA%ADt@127.0.0.1:{port}")
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    count, options = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", ["--remote-default-graph", "--format", "csv"]
    result = CliRunner().invoke(main, ["sparql", "-", "--endpoint", "http://law-db.invalid/query", *options],
                                input=count)
    assert result.exit_code == 0, result.output
    monkeypatch.delenv("http_proxy")
    direct = CliRunner().invoke(main, ["sparql", "-", "--endpoint", law_db.query, *options], input=count)
    assert result.stdout == direct.stdout and int(direct.stdout.splitlines()[-1]) > 100
    assert len(seen) == 1
    method, target, authorization = seen[0]
    assert target.startswith("http://law-db.invalid/query")  # the proxy is asked for the whole URL
    import base64
    assert base64.b64decode(authorization.split()[1]).decode() == "officer:mật"


def test_no_proxy_and_loopback_go_direct(tiny, law_db, monkeypatch):
    seen: list = []
    proxy = tiny(forward_proxy({}, seen))
    monkeypatch.setenv("http_proxy", proxy.base)
    monkeypatch.setenv("no_proxy", "law-db.invalid,.example.org")
    assert remote.http.proxy_for("http://law-db.invalid/query") is None
    assert remote.http.proxy_for("http://data.example.org/sparql") is None
    assert remote.http.proxy_for("http://localhost:8890/sparql") is None
    assert remote.http.proxy_for("http://[::1]:8890/sparql") is None
    assert remote.http.proxy_for("http://vbpl.invalid/sparql").port == proxy.server.server_address[1]
    # this machine's own servers are never asked of the proxy (it could not reach them)
    result = CliRunner().invoke(main, ["sparql", "-", "--endpoint", law_db.query, "--format", "csv"],
                                input="ASK { ?s ?p ?o }")
    assert result.exit_code == 0 and seen == []


def test_a_proxy_that_fails_is_named_in_the_error(tiny, monkeypatch):
    seen: list = []
    proxy = tiny(forward_proxy({}, seen))
    monkeypatch.setenv("http_proxy", proxy.base)
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    result = CliRunner().invoke(main, ["sparql", "-", "--endpoint", "http://nowhere.invalid/sparql", "--retries", "0"],
                                input="ASK { ?s ?p ?o }")
    port = proxy.server.server_address[1]
    assert result.exit_code == 2
    assert (f"through the proxy 127.0.0.1:{port} of http_proxy; name the host in no_proxy to go direct"
            in result.stderr), result.stderr
    monkeypatch.setenv("https_proxy", "socks5://127.0.0.1:1080")
    refused = CliRunner().invoke(main, ["sparql", "-", "--endpoint", "https://nowhere.invalid/sparql"],
                                 input="ASK { ?s ?p ?o }")
    assert refused.exit_code == 2
    assert "https_proxy 'socks5://127.0.0.1:1080': only an http:// proxy is supported" in refused.stderr


def test_https_goes_through_a_connect_tunnel_of_the_proxy(tiny, monkeypatch):
    """An https URL is not shown to the proxy: it is asked for a tunnel (CONNECT host:port), with the
    credentials of https_proxy. This proxy refuses the tunnel, and the error names it."""
    seen: list = []
    proxy = tiny(forward_proxy({}, seen))
    port = proxy.server.server_address[1]
    monkeypatch.setenv("https_proxy", f"http://officer:secret@127.0.0.1:{port}")
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    result = CliRunner().invoke(main, ["sparql", "-", "--endpoint", "https://vbpl.invalid/sparql", "--retries", "0"],
                                input="ASK { ?s ?p ?o }")
    assert result.exit_code == 2
    assert seen[0][:2] == ("CONNECT", "vbpl.invalid:443")
    import base64
    assert base64.b64decode(seen[0][2].split()[1]).decode() == "officer:secret"
    assert f"through the proxy 127.0.0.1:{port} of https_proxy" in result.stderr


def test_the_query_form_is_read_by_a_parser_not_guessed_from_keywords(law_db):
    """SPARQLWrapper takes `PREFIX : <http://example.org/describe/>` for a DESCRIBE query, and would ask for
    Turtle; the form is the parser's."""
    from cchc_graph.sparql import query_form

    text = "PREFIX : <http://example.org/describe/>\n# construct nothing, ask nothing\nSELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert query_form(text) == "SELECT"
    assert query_form("DESCRIBE <http://example.org/ask>") == "DESCRIBE" and query_form("SELEC nothing") is None
    answer = remote.run_remote(law_db.query, text, graphs=True)
    assert answer.columns == ["n"] and int(answer.rows[0]["n"]) > 100


# The module (`remote.publish` is the function).
PUBLISH = importlib.import_module("cchc_graph.remote.publish")


def test_gsp_parts_keep_blank_nodes_in_the_first_part():
    plain = [f"<urn:s{i}> <urn:p> <urn:o> .\n".encode() for i in range(5)]
    blank = [b"_:b1 <urn:p> <urn:o> .\n", b"<urn:s> <urn:p> _:b1 .\n"]
    data = b"".join([plain[0], blank[0], *plain[1:4], blank[1], plain[4]])
    assert PUBLISH._gsp_parts(data, chunk=3) == [
        blank[0] + blank[1] + plain[0], plain[1] + plain[2] + plain[3], plain[4]]
    assert PUBLISH._gsp_parts(data, chunk=100) == [blank[0] + blank[1] + b"".join(plain)]


def test_a_graph_larger_than_a_part_goes_as_a_put_then_posts(store, build_dir, published, monkeypatch):
    """No request is one transaction of a whole corpus: a graph goes as a PUT, then POSTs that add to it."""
    sent = []
    real = PUBLISH._request
    monkeypatch.setattr(PUBLISH, "_request",
                        lambda method, url, **kw: sent.append((method, kw["what"])) or real(method, url, **kw))
    base = "urn:test:parts/"
    PUBLISH.publish(build_dir, store.base, graph_iri=base, gsp_chunk=1000)
    assert count_triples(store, base) == published["counts"][0]
    asserted = [what for method, what in sent if f"<{base}asserted.publishing-" in what]
    assert [method for method, what in sent if f"<{base}asserted.publishing-" in what] == ["PUT"] + ["POST"] * (len(asserted) - 1)
    triples = len(remote.local_store_graphs(build_dir)[1]["asserted"])
    assert len(asserted) == -(-triples // 1000) and len(asserted) > 3
    assert asserted[0].endswith(f"(part 1 of {len(asserted)})")
