"""Streamed answers (issue #17): `cchc-graph query` writes csv, json and markdown answers as the store gives
the rows — the header before the first solution is read — with the bytes of the whole-answer rendering;
`-o FILE` stays all or nothing when the answer fails midway; the on-disk store streams as the graph files do,
and `export` reads it too."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cchc_graph.cli import main
from cchc_graph.errors import CchcError
from cchc_graph.query import bound_query, get_query, run_local, run_saved, saved_queries
from cchc_graph.remote.client import parse_results
from cchc_graph.render import STREAMED, RenderError, Table, render_bytes, stream
from cchc_graph.store import OxigraphDataset
from tests.golden_cases import GOLDEN_CASES

# The parameters each saved query runs with on the 2023 plan: its first golden case, else these. The eli-*
# queries are asked of a law database by `link` (their terms are not in our graph) and are left out.
EXTRA_PARAMS = {"node-description": {"node": "https://w3id.org/cchc-graph/id/plan/ninh-binh-2023/row/VII-07"}}
PARAMS = {**EXTRA_PARAMS, **{name: params for _, name, params in reversed(GOLDEN_CASES)}}
QUERIES = [name for name in saved_queries() if not name.startswith("eli-")]
TIES = {"search-index"}  # its ORDER BY leaves ties, which come in any order


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_every_saved_query_but_the_link_ones_has_parameters_here():
    needing = {name for name, q in saved_queries().items() if any(p.required for p in q.params)}
    assert needing - set(PARAMS) == {"eli-changes", "eli-details", "eli-lookup"}


@pytest.mark.parametrize("fmt,options", [("csv", {}), ("csv", {"lang": "vi"}), ("csv", {"excel": True}),
                                         ("json", {}), ("markdown", {}), ("markdown", {"truncate": 20})])
def test_every_saved_query_streams_the_bytes_of_the_whole_answer(dataset, fmt, options):
    for name in QUERIES:
        text = bound_query(get_query(name), PARAMS.get(name, {}), lambda t: run_local(dataset, t))
        columns, rows = dataset.rows(text)
        rows = list(rows)  # one answer for both (a query's ORDER BY may leave ties, in any order)
        assert rows == run_local(dataset, text).rows or name in TIES, name
        whole = render_bytes(Table(columns, rows), fmt, **options)
        assert b"".join(stream(columns, iter(rows), fmt, **options)) == whole, name


def test_an_empty_answer_streams_as_it_renders(dataset):
    text = bound_query(get_query("lead-and-coordinator-violation"), {}, lambda t: run_local(dataset, t))
    assert run_local(dataset, text).rows == []
    for fmt in STREAMED:
        assert b"".join(stream(*dataset.rows(text), fmt)) == render_bytes(run_local(dataset, text), fmt)
    assert b"".join(stream(*dataset.rows(text), "json")) == (
        b'{\n  "head": {\n    "vars": [\n      "row_id",\n      "agency",\n      "lead",\n      "coordinators"\n'
        b'    ]\n  },\n'
        b'  "results": {\n    "bindings": []\n  }\n}\n')


def test_the_header_comes_before_the_first_solution_is_read(dataset):
    text = bound_query(get_query("plan-summary"), {}, lambda t: run_local(dataset, t))
    columns, rows = dataset.rows(text)
    read = []

    def solutions():
        for row in rows:
            read.append(row)
            yield row
    pieces = stream(columns, solutions(), "csv")
    assert next(pieces) == b"plan_id,position,area,title,reform_area,objectives,tasks,activities,rows,products\n"
    assert read == []
    assert next(pieces) == b"ninh-binh-2023,1,I,C\xe1\xba\xa2I C\xc3\x81CH TH\xe1\xbb\x82 CH\xe1\xba\xbe,Institutional reform,3,4,4,6,7\n"
    assert len(read) == 1
    assert len(list(pieces)) == 6 and len(read) == 7  # the rest, one piece per row


def test_a_table_and_a_spreadsheet_are_not_streamed(dataset):
    with pytest.raises(RenderError, match="--format table is not written row by row; choose csv, json, markdown"):
        next(stream(["a"], iter([]), "table"))


def watched_rows(monkeypatch, seen: list, fail_after: int | None = None):
    """OxigraphDataset.rows, noting what the command had written to standard output when the last solution
    (or, with `fail_after`, the one after that many) is read."""
    original = OxigraphDataset.rows

    def rows(self, text):
        columns, lines = original(self, text)
        lines = list(lines)

        def watched():
            for index, line in enumerate(lines):
                if index == fail_after:
                    raise CchcError("SPARQL error: the store stopped answering")
                if index == len(lines) - 1:
                    seen.append(sys.stdout.buffer.getvalue())
                yield line
        return columns, watched()
    monkeypatch.setattr(OxigraphDataset, "rows", rows)


def test_the_cli_writes_the_first_lines_before_the_last_solution_is_read(monkeypatch, built_graph_file):
    seen: list[bytes] = []
    watched_rows(monkeypatch, seen)
    result = invoke("query", "plan-summary", "--format", "csv", "--graph", built_graph_file)
    assert result.exit_code == 0, result.output
    lines = result.stdout_bytes.splitlines(keepends=True)
    assert len(lines) == 8
    assert seen == [b"".join(lines[:2])]  # the header and the first row, flushed; the rest still to come


def test_a_failure_midway_leaves_no_file_and_exits_2(monkeypatch, built_graph_file, tmp_path):
    watched_rows(monkeypatch, [], fail_after=3)
    target = tmp_path / "summary.csv"
    result = invoke("query", "plan-summary", "--format", "csv", "-o", target, "--graph", built_graph_file)
    assert result.exit_code == 2
    assert result.stderr == "error: SPARQL error: the store stopped answering\n"
    assert list(tmp_path.iterdir()) == []  # neither the file nor its temporary
    target.write_bytes(b"the previous answer\n")
    result = invoke("query", "plan-summary", "--format", "json", "-o", target, "--graph", built_graph_file)
    assert result.exit_code == 2 and target.read_bytes() == b"the previous answer\n"
    assert list(tmp_path.iterdir()) == [target]


def test_the_cli_streams_the_whole_answer_of_every_saved_query(built_graph_file, tmp_path):
    from cchc_graph.query import open_local

    dataset = open_local(built_graph_file)
    for name in QUERIES:
        params = [arg for key, value in PARAMS.get(name, {}).items() for arg in ("-p", f"{key}={value}")]
        result = invoke("query", name, *params, "--format", "json", "--graph", built_graph_file)
        assert result.exit_code == 0, (name, result.output)
        printed = parse_results(result.stdout_bytes, name)
        assert result.stdout_bytes == render_bytes(printed, "json"), name  # streamed = rendered whole
        answer = run_saved(get_query(name), PARAMS.get(name, {}), lambda t: run_local(dataset, t))
        assert (printed.columns, printed.rows) == (answer.columns, answer.rows) or name in TIES, name
        assert sorted(map(sorted, (r.items() for r in printed.rows))) == sorted(map(sorted, (r.items() for r in answer.rows)))
    # -o: the same bytes, in a file
    result = invoke("query", "plan-table", "--format", "csv", "-o", tmp_path / "t.csv", "--graph", built_graph_file)
    assert result.exit_code == 0 and result.stdout_bytes == b""
    expected = render_bytes(run_saved(get_query("plan-table"), {}, lambda t: run_local(dataset, t)), "csv")
    assert (tmp_path / "t.csv").read_bytes() == expected


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("streaming")
    result = invoke("build", "-o", folder / "graph.ttl", "--store", folder / "store", "--quiet")
    assert result.exit_code == 0, result.output
    return folder / "graph.ttl", folder / "store"


@pytest.mark.parametrize("args", [("query", "plan-table", "--format", "csv"),
                                  ("query", "products-by-type", "--format", "json"),
                                  ("query", "agency-workload", "--format", "markdown", "--limit", "3", "--offset", "2"),
                                  ("export", "--format", "csv"), ("export", "--format", "nt"),
                                  ("export", "--format", "turtle"), ("export", "--plan", "ninh-binh-2023")])
def test_the_store_gives_the_bytes_of_the_graph_files(store, args):
    graph_file, store_dir = store
    from_files = invoke(*args, "--graph", graph_file)
    from_store = invoke(*args, "--graph", store_dir)
    assert from_files.exit_code == 0, from_files.output
    assert from_store.exit_code == 0, from_store.output
    assert from_store.stdout_bytes == from_files.stdout_bytes and len(from_files.stdout_bytes) > 200


def test_export_of_an_unknown_plan_from_the_store(store):
    result = invoke("export", "--plan", "ha-noi-2099", "--graph", store[1])
    assert result.exit_code == 2
    assert result.stderr == "error: --plan 'ha-noi-2099': no such plan in the graph; its plans: ninh-binh-2023\n"


# ------------------------------------------------------------------------------------------------ in parts

@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The 2023 plan and four synthetic plans (benchmarks/synthetic.py) in one graph file."""
    from benchmarks.synthetic import generate
    from cchc_graph.build import DEFAULT_PLAN, build_graph
    from cchc_graph.store import write_graph

    path = tmp_path_factory.mktemp("corpus") / "graph.ttl"
    write_graph(build_graph([DEFAULT_PLAN, *generate(4, tmp_path_factory.mktemp("plans"))]), path)
    return path


@pytest.mark.parametrize("name,parts", [("plan-table", 3), ("products-by-type", 4)])
def test_parts_laid_end_to_end_are_the_whole_answer(corpus, name, parts):
    from cchc_graph.query import bound_parts, open_local

    dataset = open_local(corpus)
    query = get_query(name)
    texts = bound_parts(query, {}, lambda t: run_local(dataset, t))
    assert len(texts) == parts  # 5 plans in runs of 1, 2, 2; 10 product kinds in runs of 1, 2, 4, 3
    whole = bound_parts(query, {}, lambda t: run_local(dataset, t), parts=False)
    assert len(whole) == 1
    rows = [row for text in texts for row in run_local(dataset, text).rows]
    assert rows == run_local(dataset, whole[0]).rows and len(rows) > 400
    # a page, or a value given, is one query
    assert len(bound_parts(query, {}, lambda t: run_local(dataset, t), limit=10)) == 1
    given = {"plan-table": {"plan": "ninh-binh-2023"}, "products-by-type": {"kind": "report"}}[name]
    assert len(bound_parts(query, given, lambda t: run_local(dataset, t))) == 1


def test_the_first_part_is_written_before_the_next_is_run(monkeypatch, corpus):
    from cchc_graph.query import open_local

    original = OxigraphDataset.rows
    written_at_each_run: list[bytes] = []

    def rows(self, text):
        written_at_each_run.append(sys.stdout.buffer.getvalue())
        return original(self, text)
    monkeypatch.setattr(OxigraphDataset, "rows", rows)
    result = invoke("query", "plan-table", "--format", "csv", "--graph", corpus)
    assert result.exit_code == 0, result.output
    assert len(written_at_each_run) == 3
    assert written_at_each_run[0] == b""
    header, first = result.stdout_bytes.split(b"\n", 2)[:2]
    assert written_at_each_run[1].startswith(header + b"\n" + first + b"\n")
    monkeypatch.setattr(OxigraphDataset, "rows", original)
    dataset = open_local(corpus)
    whole = render_bytes(run_saved(get_query("plan-table"), {}, lambda t: run_local(dataset, t)), "csv")
    assert result.stdout_bytes == whole


def test_export_of_a_corpus_streams_the_table_plan_after_plan(corpus):
    from cchc_graph.export import table_rows
    from cchc_graph.query import open_local

    dataset = open_local(corpus, reasoning=False)
    plans = sorted(str(r["plan_id"]) for r in run_local(dataset, get_query("plans").text).rows)
    assert len(plans) == 5
    assert list(table_rows(dataset)) == [row for plan in plans for row in table_rows(dataset, plan)]


@pytest.mark.parametrize("header,message", [
    ("#+ stream-by: colour", "#+ stream-by names an optional parameter of type plan or product-kind of the query, not 'colour'"),
    ("#+ stream-by: year", "#+ stream-by names an optional parameter of type plan or product-kind of the query, not 'year'"),
])
def test_bad_stream_by_headers(tmp_path, header, message):
    from cchc_graph.query import load_query

    path = tmp_path / "q.rq"
    path.write_text(f"#+ summary: x\n#+ params:\n#+   - name: year\n#+     type: year\n{header}\n"
                    "SELECT ?x WHERE { ?x ?p ?year } ORDER BY ?x\n", encoding="utf-8")
    with pytest.raises(CchcError) as caught:
        load_query(path)
    assert str(caught.value) == f"{path}: {message}"


@pytest.mark.parametrize("args", [("query", "plan-table", "--format", "csv"), ("export",)])
def test_a_reader_that_stops_early_ends_the_command_quietly(corpus, args):
    """`… | head -1`: the answer (five plans, more than a pipe holds) blocks until the reader closes the
    pipe; the command then stops with exit 0 and says nothing."""
    import subprocess

    # `with`: both pipes closed at the end (an unclosed one is a ResourceWarning, an error in the tests)
    with subprocess.Popen([sys.executable, "-m", "cchc_graph.cli", *args, "--graph", str(corpus)],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        header = process.stdout.readline()
        process.stdout.close()
        assert process.wait(timeout=120) == 0
        assert process.stderr.read() == b""
    assert header.startswith(b"plan_id,row_id," if args[0] == "query" else b"row_id,area,")


def test_the_lines_before_a_failure_are_written_to_standard_output(monkeypatch, built_graph_file):
    watched_rows(monkeypatch, [], fail_after=3)
    result = invoke("query", "plan-summary", "--format", "csv", "--graph", built_graph_file)
    assert result.exit_code == 2
    assert result.stdout_bytes.count(b"\n") == 4  # the header and the three rows read
    assert result.stderr == "error: SPARQL error: the store stopped answering\n"


# ------------------------------------------------------------------------------------------------ N-Quads for a bulk loader

def graphs_of(data: bytes) -> dict:
    """Each named graph of an N-Quads text, in a form that compares blank nodes by structure."""
    from rdflib import Dataset
    from rdflib.compare import to_isomorphic

    dataset = Dataset()
    dataset.parse(data=data, format="nquads")
    return {str(graph.identifier): to_isomorphic(graph) for graph in dataset.graphs() if len(graph)}


def test_nquads_of_the_store_are_those_of_the_graph_files_each_in_its_roles_graph(store):
    from cchc_graph.remote.client import graph_names

    graph_file, store_dir = store
    from_files, from_store = invoke("export", "--format", "nq", "--graph", graph_file), \
        invoke("export", "--format", "nq", "--graph", store_dir)
    assert from_files.exit_code == 0 and from_store.exit_code == 0, from_files.output + from_store.output
    files_graphs, store_graphs = graphs_of(from_files.stdout_bytes), graphs_of(from_store.stdout_bytes)
    assert files_graphs == store_graphs
    # The 2023 plan has no link graph: the three others, under the names `query --endpoint` asks for.
    names = graph_names()
    assert set(store_graphs) == {str(names[role]) for role in ("asserted", "ontology", "inferred")}
    # Nothing lost against the store itself: as many quads as it holds (each triple is in one graph only).
    from cchc_graph.query import open_local
    assert sum(len(graph) for graph in store_graphs.values()) == len(open_local(store_dir).store) > 5000


def test_nquads_bulk_loaded_into_an_oxigraph_server_answer_as_the_embedded_store(store, tmp_path):
    import subprocess

    from cchc_graph import remote
    from tests.test_remote import OxigraphServer

    dump = tmp_path / "graphs.nq"
    assert invoke("export", "--format", "nq", "--graph", store[1], "-o", dump).exit_code == 0
    loaded = subprocess.run([remote.oxigraph_binary(), "load", "--location", str(tmp_path / "db"), "--file", str(dump)],
                            capture_output=True, text=True)
    assert loaded.returncode == 0, loaded.stderr
    server = OxigraphServer(["serve-read-only", "--location", str(tmp_path / "db")], tmp_path / "server.log")
    try:
        for args in (("due-in-quarter", "-p", "year=2023", "-p", "quarter=3"), ("agency-involvement", "-p", "agency=so-noi-vu")):
            remote_answer = invoke("query", *args, "--format", "csv", "--endpoint", server.query)
            local_answer = invoke("query", *args, "--format", "csv", "--graph", store[1])
            assert remote_answer.exit_code == 0, remote_answer.output
            assert remote_answer.stdout_bytes == local_answer.stdout_bytes and local_answer.stdout_bytes.count(b"\n") > 5
    finally:
        server.stop()


@pytest.mark.parametrize("fmt", ["nq", "turtle"])
def test_plan_with_a_graph_format_is_refused(store, fmt):
    result = invoke("export", "--format", fmt, "--plan", "ninh-binh-2023", "--graph", store[1])
    assert result.exit_code == 2
    assert result.stderr == (f"error: --plan chooses rows of the CSV table; --format {fmt} writes whole graphs: leave "
                             "--plan out, or choose --format csv\n")
