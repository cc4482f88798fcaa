"""Incremental builds of a store of plan graphs (issue #17, item 2): rebuilding after one plan changed gives
the very store a build from scratch gives — graph by graph — and the same answers and findings, while the
manifest says that only that plan was built again."""

from __future__ import annotations

import csv
import json
import shutil
from collections import Counter
from pathlib import Path

import pyoxigraph
import pytest
from click.testing import CliRunner
from rdflib import Graph
from rdflib.compare import to_isomorphic

from cchc_graph.build import DATA
from cchc_graph import sources
from cchc_graph.build import Sources, new_timeline, settle_timeline
from cchc_graph.cli import main
from cchc_graph.incremental import SHARED, SHARED_INFERRED, graph_sizes, plan_graph
from cchc_graph.orgtime import Timeline
from cchc_graph.sources import load_meta, load_plan
from cchc_graph.ondisk import MANIFEST
from cchc_graph.query import cell, get_query, open_local, run_local, run_saved, saved_queries
from tests.corpora import plans_folder
from tests.golden_cases import GOLDEN_CASES

GRAPH_BASE = "https://w3id.org/cchc-graph/graph/"


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """The 2023 plan, a second plan of the same province and year (it shares quarters, dates and cited
    documents with the first) and three synthetic plans of other provinces."""
    return plans_folder(tmp_path_factory.mktemp("corpus"), ("ninh-binh-2023", "ninh-binh-2023-b"), 3)


@pytest.fixture
def plans(corpus, tmp_path) -> Path:
    """A writable copy of the corpus."""
    shutil.copytree(corpus, tmp_path / "plans")
    return tmp_path / "plans"


def folders(plans: Path) -> list[Path]:
    return sorted(p for p in plans.iterdir() if p.is_dir())


def build(plan_folders, out: Path, *extra):
    result = invoke("build", *plan_folders, "-o", out / "graph.nt", "--format", "nt", "--store", out / "store",
                    "--quiet", *extra)
    return result


def manifest(out: Path) -> dict:
    return json.loads((out / "store" / MANIFEST).read_text(encoding="utf-8"))


def quads_by_graph(store_dir: Path) -> dict[str, object]:
    """Each named graph of a store: a set of N-Triples lines, or, for a graph with blank nodes (the
    ontology's axioms), an rdflib graph compared up to isomorphism."""
    store = pyoxigraph.Store.read_only(str(store_dir))
    graphs: dict[str, object] = {}
    for name in store.named_graphs():
        quads = list(store.quads_for_pattern(None, None, None, name))
        if any(isinstance(t, pyoxigraph.BlankNode) for q in quads for t in (q.subject, q.object)):
            graph = Graph()
            graph.parse(data=store.dump(format=pyoxigraph.RdfFormat.N_TRIPLES, from_graph=name), format="nt")
            graphs[name.value] = to_isomorphic(graph)
        else:
            graphs[name.value] = {f"{q.subject} {q.predicate} {q.object}" for q in quads}
    return graphs


def edit_table(folder: Path, change) -> None:
    path = folder / "table.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
        fields = list(rows[0])
    rows = change(rows)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def change_one_plan(rows: list[dict]) -> list[dict]:
    """A cell changed, a row removed, and an agency the plan did not name before named."""
    rows[0]["product"] = "Báo cáo kết quả rà soát (sửa đổi)."
    rows[2]["lead"] = "Sở Nông nghiệp và Môi trường"
    del rows[5]
    return rows


DECREE = "https://w3id.org/cchc-graph/eli/vn/nd-cp/2020/62"
# The saved queries the golden cases leave out, with parameters that reach nodes of several plans.
MORE_CASES = [
    ("node-description_quarter", "node-description", {"node": "https://w3id.org/cchc-graph/id/quarter/2023-Q3"}),
    ("node-description_decree", "node-description", {"node": DECREE}),
    ("node-description_row", "node-description",
     {"node": "https://w3id.org/cchc-graph/id/plan/an-giang-2021/row/I-02"}),
    ("product-kinds", "product-kinds", {}),
    ("ontology-terms", "ontology-terms", {}),
    ("row-ids", "row-ids", {}),
    ("search-index", "search-index", {}),
    ("documents-to-link", "documents-to-link", {}),
    ("eli-lookup", "eli-lookup", {"document": DECREE, "id_local": "62/2020/NĐ-CP", "number": "62", "year": "2020",
                                  "type": "nghị định"}),
    ("eli-details", "eli-details", {"resource": DECREE}),
    ("eli-changes", "eli-changes", {"resource": DECREE}),
]


def answers(graph: Path) -> dict[str, tuple]:
    dataset = open_local(graph)
    found = {}
    for case, name, params in GOLDEN_CASES + MORE_CASES:
        table = run_saved(get_query(name), params, lambda text: run_local(dataset, text))
        found[case] = (table.columns, Counter(tuple(cell(row.get(c)) for c in table.columns) for row in table.rows))
    return found


def validation(graph: Path) -> tuple[int, str, str]:
    as_json = invoke("validate", "--graph", graph, "--engine", "oxigraph", "--format", "json")
    as_text = invoke("validate", "--graph", graph, "--engine", "oxigraph", "--lang", "en")
    assert as_json.exit_code == as_text.exit_code
    return as_json.exit_code, as_json.output, as_text.output


def assert_same_stores(a: Path, b: Path) -> None:
    graphs_a, graphs_b = quads_by_graph(a / "store"), quads_by_graph(b / "store")
    assert sorted(graphs_a) == sorted(graphs_b)
    for name in graphs_a:
        assert graphs_a[name] == graphs_b[name], name
    assert (a / "graph.nt").read_bytes() == (b / "graph.nt").read_bytes()


def test_one_plan_changed_rebuilds_that_plan_only_with_the_store_a_full_build_gives(plans, tmp_path):
    given = folders(plans)
    incremental, scratch = tmp_path / "incremental", tmp_path / "scratch"
    assert build(given, incremental).exit_code == 0
    first = manifest(incremental)
    assert first["last_build"]["rebuilt"] == [p.name for p in given] and first["last_build"]["full"] is True
    assert validation(incremental / "store")[0] == 1  # fills the findings cache of every plan

    edit_table(plans / "an-giang-2021", change_one_plan)
    result = invoke("build", *given, "-o", incremental / "graph.nt", "--format", "nt", "--store",
                    incremental / "store")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1].startswith(
        f"wrote store {incremental / 'store'} (")
    assert "rebuilt 1 plan(s) (an-giang-2021); kept 4; reasoned 1 plan(s))" in result.output
    last = manifest(incremental)["last_build"]
    # The plan names an agency it did not name before: the shared part is worked out again (it came out the
    # same: the body was in the graph already), from the timeline kept.
    assert last == {"rebuilt": ["an-giang-2021"], "kept": [p.name for p in given if p.name != "an-giang-2021"],
                    "removed": [], "reasoned": ["an-giang-2021"], "shared_reasoned": False, "full": False,
                    "timeline_rebuilt": False, "shared_rebuilt": True}

    assert build(given, scratch).exit_code == 0
    assert_same_stores(incremental, scratch)
    assert answers(incremental / "store") == answers(scratch / "store") == answers(scratch / "graph.nt")
    from_store = validation(incremental / "store")
    assert from_store == validation(scratch / "store") == validation(scratch / "graph.nt")
    assert sorted(p.name for p in (incremental / "store" / "validation").iterdir()) == \
        sorted(f"{p.name}.json" for p in given)


def test_a_cell_changed_reasons_that_plan_only(plans, tmp_path, monkeypatch):
    given = folders(plans)
    out = tmp_path / "out"
    assert build(given, out).exit_code == 0
    edit_table(plans / "bac-giang-2021", lambda rows: [{**r, "product": r["product"] + " (bản sửa)"} if i == 3 else r
                                                       for i, r in enumerate(rows)])
    read = []
    monkeypatch.setattr(sources, "load_plan",
                        lambda folder: read.append(("plan", Path(folder).name)) or load_plan(folder))
    monkeypatch.setattr(sources, "load_meta",
                        lambda path, plan_id: read.append(("meta", plan_id)) or load_meta(path, plan_id))
    assert build(given, out).exit_code == 0
    assert manifest(out)["last_build"] == {"rebuilt": ["bac-giang-2021"],
                                           "kept": [p.name for p in given if p.name != "bac-giang-2021"],
                                           "removed": [], "reasoned": ["bac-giang-2021"], "shared_reasoned": False,
                                           "full": False, "timeline_rebuilt": False, "shared_rebuilt": False}
    # Only the changed plan's folder was read (load_plan reads its plan.toml); the others were only digested.
    assert read == [("plan", "bac-giang-2021"), ("meta", "bac-giang-2021")]
    monkeypatch.undo()
    assert_sizes_counted(out / "store")
    assert build(given, tmp_path / "scratch").exit_code == 0
    assert_same_stores(out, tmp_path / "scratch")
    assert validation(out / "store") == validation(tmp_path / "scratch" / "graph.nt")
    # The -o file written from the store is the file a build without a store writes, byte for byte.
    assert invoke("build", *given, "-o", tmp_path / "plain.nt", "--format", "nt", "--quiet").exit_code == 0
    assert (tmp_path / "plain.nt").read_bytes() == (out / "graph.nt").read_bytes()


def assert_sizes_counted(store_dir: Path) -> None:
    """The graph sizes of the manifest, counted from what a rebuild wrote, are those the store holds."""
    store = pyoxigraph.Store.read_only(str(store_dir))
    assert json.loads((store_dir / MANIFEST).read_text(encoding="utf-8"))["graphs"] == graph_sizes(store)


def test_a_plan_of_another_year_works_the_timeline_out_again(plans, tmp_path):
    """A plan's province or year decides the agencies of the timeline every plan maps from: changed, the
    timeline and the shared part are worked out again."""
    given = folders(plans)
    out = tmp_path / "out"
    assert build(given, out).exit_code == 0
    toml = plans / "bac-giang-2021" / "plan.toml"
    text = toml.read_text(encoding="utf-8")
    assert "year = 2021" in text
    toml.write_text(text.replace("year = 2021", "year = 2022"), encoding="utf-8")
    assert build(given, out).exit_code == 0
    last = manifest(out)["last_build"]
    assert (last["rebuilt"], last["timeline_rebuilt"], last["shared_rebuilt"]) == (["bac-giang-2021"], True, True)
    assert manifest(out)["plans"]["bac-giang-2021"]["province"] == ["Bắc Giang", "bac-giang", 2022]
    assert_sizes_counted(out / "store")
    assert build(given, tmp_path / "scratch").exit_code == 0
    assert_same_stores(out, tmp_path / "scratch")


def test_the_timeline_kept_is_the_one_worked_out(corpus):
    """What a rebuild keeps of the timeline (plain data) gives back the timeline the plans mapped from."""
    data = Sources.load(DATA)
    plans = [load_meta(folder / "plan.toml", folder.name) for folder in folders(corpus)]
    shared, timeline = new_timeline(data)
    provinces = []
    for meta in plans:
        province = data.provinces.of_plan(meta.province, meta.province_slug, meta.year)
        timeline.add_province(province, meta.year)
        provinces.append((meta.province_slug, province))
    settle_timeline(shared, timeline, data, provinces)
    state = json.loads(json.dumps(timeline.state()))
    again = Timeline.from_state(state, None, data.registry, data.provinces, timeline.changes_path)
    assert again.nodes == timeline.nodes and list(again.nodes) == list(timeline.nodes)
    assert again.registries == timeline.registries and again.covered == timeline.covered
    assert again.state() == state
    # The changes were applied (61 bodies ended, the 2025 Ninh Bình formed by a merger): all of it came back.
    assert (len(state["nodes"]), sum(1 for node in state["nodes"] if node[5])) == (183, 61)
    assert state["covered"] == ["ninh-binh-2025"]
    assert state["registries"] == ["an-giang", "ba-ria-vung-tau", "bac-giang", "ninh-binh", "ninh-binh-2025"]


def test_without_o_the_store_only_is_written(plans, tmp_path, monkeypatch):
    """With --store, the graph file is written only when -o names it (it is the whole store written out)."""
    given = folders(plans)
    monkeypatch.chdir(tmp_path)
    result = invoke("build", *given, "--store", "store")
    assert result.exit_code == 0, result.output
    assert result.output == (f"wrote store store ({sum(manifest(tmp_path)['graphs'].values())} triples in "
                             f"{len(manifest(tmp_path)['graphs'])} named graphs; rebuilt 5 plan(s) ("
                             f"{', '.join(p.name for p in given)}); kept 0; reasoned 5 plan(s) and the shared part); "
                             "query it with --graph store\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plans", "store"]  # no build/graph.ttl
    assert manifest(tmp_path)["graph"] is None
    assert build(given, tmp_path / "with-o").exit_code == 0
    graphs = quads_by_graph(tmp_path / "store")
    assert graphs == quads_by_graph(tmp_path / "with-o" / "store")
    edit_table(plans / "an-giang-2021", lambda rows: rows[:-1])
    result = invoke("build", *given, "--store", "store", "--quiet")
    assert (result.exit_code, result.output) == (0, "")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plans", "store", "with-o"]
    assert manifest(tmp_path)["last_build"]["rebuilt"] == ["an-giang-2021"]


def test_every_saved_query_is_asked():
    assert set(saved_queries()) - {name for _, name, _ in GOLDEN_CASES + MORE_CASES} == set()


def test_no_triple_is_in_two_graphs_so_none_is_answered_twice(plans, tmp_path):
    """Oxigraph's union default graph repeats a triple once per named graph that holds it (SPARQL's default
    graph is a set): the store keeps each triple in one graph only. What two plans both make (a quarter, a
    date, a document they cite) is in the shared graph, once."""
    store = pyoxigraph.Store()
    triple = (pyoxigraph.NamedNode("urn:s"), pyoxigraph.NamedNode("urn:p"), pyoxigraph.Literal("o"))
    for graph in ("urn:g1", "urn:g2"):
        store.add(pyoxigraph.Quad(*triple, pyoxigraph.NamedNode(graph)))
    assert len(list(store.query("SELECT ?s WHERE { ?s ?p ?o }", use_default_graph_as_union=True))) == 2

    out = tmp_path / "out"
    assert build(folders(plans), out).exit_code == 0
    graphs = {name: quads for name, quads in quads_by_graph(out / "store").items() if isinstance(quads, set)}
    seen = Counter(line for quads in graphs.values() for line in quads)
    assert [line for line, n in seen.items() if n > 1] == []
    quarter = ("<https://w3id.org/cchc-graph/id/quarter/2023-Q3> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
               "<https://w3id.org/cchc-graph/ontology#Quarter>")
    assert [name for name, quads in graphs.items() if quarter in quads] == [SHARED]
    dataset = open_local(out / "store")
    _, rows, _ = dataset.answer("SELECT ?s ?p ?o WHERE { ?s ?p ?o }")
    assert len(rows) == len({(r["s"], r["p"], r["o"]) for r in rows})
    plan_table = run_saved(get_query("plan-table"), {}, lambda text: run_local(dataset, text))
    assert len(plan_table.rows) == len({tuple(sorted(r.items())) for r in plan_table.rows})


def test_the_closures_of_the_parts_add_up_to_the_closure_of_the_whole(plans, tmp_path):
    """No rule derives a triple from two plans: the plans' and the shared part's closures together are the
    closure `reason` computes over the whole graph."""
    out = tmp_path / "out"
    assert build(folders(plans), out).exit_code == 0
    graphs = quads_by_graph(out / "store")
    parts = set().union(*(quads for name, quads in graphs.items() if name.endswith("/inferred")))
    assert all(isinstance(graphs[name], set) for name in graphs if name.endswith("/inferred"))
    assert invoke("reason", "--graph", out / "graph.nt", "-o", tmp_path / "whole.ttl").exit_code == 0
    whole = pyoxigraph.Store()
    whole.load(path=str(tmp_path / "whole.ttl"), format=pyoxigraph.RdfFormat.TURTLE)
    assert parts == {f"{q.subject} {q.predicate} {q.object}" for q in whole}
    assert graphs[SHARED_INFERRED] and graphs[SHARED]


def test_removing_and_adding_a_plan(plans, tmp_path):
    given = folders(plans)
    out = tmp_path / "out"
    assert build(given, out).exit_code == 0
    fewer = [p for p in given if p.name != "ba-ria-vung-tau-2021"]
    assert build(fewer, out).exit_code == 0
    last = manifest(out)["last_build"]
    assert (last["rebuilt"], last["removed"]) == ([], ["ba-ria-vung-tau-2021"])
    assert plan_graph("ba-ria-vung-tau-2021") not in quads_by_graph(out / "store")
    assert build(fewer, tmp_path / "scratch-fewer").exit_code == 0
    assert_same_stores(out, tmp_path / "scratch-fewer")

    assert build(given, out).exit_code == 0
    last = manifest(out)["last_build"]
    assert (last["rebuilt"], last["removed"], last["full"]) == (["ba-ria-vung-tau-2021"], [], False)
    assert build(given, tmp_path / "scratch").exit_code == 0
    assert_same_stores(out, tmp_path / "scratch")


def test_a_changed_shared_input_rebuilds_everything(plans, tmp_path):
    given = folders(plans)
    data = tmp_path / "data"
    shutil.copytree(DATA, data, ignore=shutil.ignore_patterns("ninh-binh-*"))
    out = tmp_path / "out"
    assert build(given, out, "--data", data).exit_code == 0
    agencies = data / "agencies.csv"
    text = agencies.read_text(encoding="utf-8")
    assert ",Department of Justice," in text
    agencies.write_text(text.replace(",Department of Justice,", ",Justice Department,"), encoding="utf-8")
    assert build(given, out, "--data", data).exit_code == 0
    last = manifest(out)["last_build"]
    assert (last["rebuilt"], last["kept"], last["full"]) == ([p.name for p in given], [], True)
    assert build(given, tmp_path / "scratch", "--data", data).exit_code == 0
    assert_same_stores(out, tmp_path / "scratch")


def test_a_failed_rebuild_names_the_row_and_leaves_the_store_as_it_was(plans, tmp_path):
    given = folders(plans)
    out = tmp_path / "out"
    assert build(given, out).exit_code == 0
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    answers_before = answers(out / "store")

    def broken(rows):
        rows[1]["lead"] = "Sở Không Có Thật"
        return rows

    edit_table(plans / "an-giang-2021", broken)
    with (plans / "an-giang-2021" / "table.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    result = build(given, out)
    assert result.exit_code == 2
    error = result.output.splitlines()[-1]
    assert error.startswith(f"error: {plans / 'an-giang-2021' / 'table.csv'}: row {rows[1]['row_id']}: column lead: ")
    assert "'Sở Không Có Thật'" in error
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert sorted(p.name for p in out.iterdir()) == ["graph.inferred.ttl", "graph.inferred.ttl.sha256", "graph.nt",
                                                       "store"]
    assert answers(out / "store") == answers_before


def test_reason_on_a_store_says_build_store_reasoned_it(plans, tmp_path):
    """`build --store` reasons each plan it builds, so the build → reason → validate of the README needs no
    second pass over the store: `reason --graph DIR` says what is there, and refuses what only a file can give."""
    out = tmp_path / "out"
    assert build(folders(plans), out).exit_code == 0
    inferred = {name: count for name, count in manifest(out)["graphs"].items() if name.endswith("/inferred")}
    assert len(inferred) == len(folders(plans)) + 1  # each plan's closure and the shared part's
    result = invoke("reason", "--graph", out / "store")
    assert result.exit_code == 0, result.output
    assert result.output == (f"{out / 'store'}: reasoned by `build --store`, plan by plan ({sum(inferred.values())} "
                             f"inferred triples in {len(inferred)} graphs); after a change of the plans, the data, the "
                             "ontology or the saved queries, `build --store` again reasons what changed\n")
    for extra in (["--profile", "full"], ["--engine", "owlrl"], ["-o", tmp_path / "inferred.ttl"]):
        refused = invoke("reason", "--graph", out / "store", *extra)
        assert refused.exit_code == 2
        assert refused.stderr == (f"error: {out / 'store'}: a store holds the closure `build --store` computed (rules "
                                  "engine, queries profile); for another engine, profile or an inferred file, build a "
                                  "graph file (`build -o FILE`) and reason on it\n")
    assert not (tmp_path / "inferred.ttl").exists()
