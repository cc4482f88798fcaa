"""The on-disk store: `cchc-graph build --store DIR` writes the graphs `query` runs on into an Oxigraph
RocksDB store, which `query` (and publish, serve) open with `--graph DIR` and answer from exactly as from the
graph files."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from cchc_graph import remote
from cchc_graph.cli import main
from cchc_graph.ondisk import MANIFEST
from cchc_graph.query import get_query, open_local, run_local, run_saved
from cchc_graph.namespaces import GRAPH
from cchc_graph.store import ONTOLOGY_GRAPH
from tests.golden_cases import GOLDEN_CASES
from tests.test_remote import rendered


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ondisk")
    result = invoke("build", "-o", folder / "graph.ttl", "--store", folder / "store")
    assert result.exit_code == 0, result.output
    return folder / "graph.ttl", folder / "store", result.output


def test_build_writes_the_store_and_says_so(built):
    graph, store, output = built
    assert output.endswith(f"wrote store {store} (6311 triples in 5 named graphs; rebuilt 1 plan(s) (ninh-binh-2023); "
                           f"kept 0; reasoned 1 plan(s) and the shared part); query it with --graph {store}\n")
    manifest = json.loads((store / MANIFEST).read_text(encoding="utf-8"))
    # The plan and what spans plans (agencies, catalogue, quarters…), each with its part of the closure: the
    # 4549 asserted and 965 inferred triples of the graph file, split.
    assert manifest["graphs"] == {str(GRAPH["plan/ninh-binh-2023"]): 2324, str(GRAPH["plan/ninh-binh-2023/inferred"]): 833,
                                  str(GRAPH.shared): 2225, str(GRAPH["shared/inferred"]): 132, str(ONTOLOGY_GRAPH): 797}
    assert manifest["graph"] == str(graph.resolve())
    assert [p.name for p in store.parent.iterdir() if p.name.startswith(".")] == []  # no temporary folder left


@pytest.mark.parametrize("case,name,params", GOLDEN_CASES, ids=[c[0] for c in GOLDEN_CASES])
def test_the_store_answers_as_the_graph_files(built, case, name, params):
    graph, store, _ = built
    from_files = run_saved(get_query(name), params, lambda text: run_local(open_local(graph), text))
    from_store = run_saved(get_query(name), params, lambda text: run_local(open_local(store), text))
    assert rendered(from_store) == rendered(from_files)


def test_no_reasoning_leaves_the_inferred_graph_out(built):
    graph, store, _ = built
    args = ["query", "agency-workload", "--format", "csv", "--no-reasoning"]
    assert invoke(*args, "--graph", store).output == invoke(*args, "--graph", graph).output
    assert invoke(*args, "--graph", store).output != invoke("query", "agency-workload", "--format", "csv",
                                                            "--graph", store).output


def test_publish_reads_the_store(built):
    _, store, _ = built
    _, graphs = remote.local_store_graphs(store)
    assert {role: len(g) for role, g in graphs.items() if g is not None} == \
        {"asserted": 4549, "ontology": 797, "inferred": 965}
    assert graphs["links"] is None


def test_building_again_replaces_the_store(built, tmp_path):
    graph, _, _ = built
    store = tmp_path / "store"
    for _ in range(2):
        assert invoke("build", "-o", tmp_path / "graph.ttl", "--store", store, "--quiet").exit_code == 0
    assert json.loads((store / MANIFEST).read_text(encoding="utf-8"))["graphs"][str(GRAPH.shared)] == 2225
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.inferred.ttl", "graph.inferred.ttl.sha256",
                                                           "graph.ttl", "store"]


def test_a_folder_that_is_not_a_store_is_left_alone(tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "mine.txt").write_text("keep me", encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "-o", str(tmp_path / "graph.ttl"), "--store", str(folder)])
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == (f"error: {folder}: not empty and not a store written by "
                                              "`cchc-graph build --store`; give a new or empty folder")
    assert [p.name for p in folder.iterdir()] == ["mine.txt"]
    query = CliRunner().invoke(main, ["query", "plans", "--graph", str(folder)])
    assert query.exit_code == 2
    assert "is not a file" in query.output


def test_serve_serves_the_store_by_role(built):
    import subprocess
    import sys

    from tests.test_remote import free_port

    graph, store, _ = built
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "cchc_graph.cli", "serve", "--graph", str(store),
                                "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        first = process.stdout.readline()
        assert first == (f"SPARQL endpoint: http://127.0.0.1:{port}/query (read-only, no SERVICE; default graph = union of "
                         "asserted, ontology, inferred)\n")
        args = ["query", "agency-involvement", "-p", "agency=so-noi-vu", "--format", "csv"]
        far = invoke(*args, "--endpoint", f"http://127.0.0.1:{port}/query")
        assert far.exit_code == 0, far.output
        assert far.output == invoke(*args, "--graph", graph).output
    finally:
        process.terminate()
        assert process.wait(timeout=20) == 0
        process.stdout.close()
