"""The quicker paths of a build from scratch (issue #17: 630 plans on both cores) give what the general ones
give, byte for byte: folding with positions, a plan mapped into a set of terms, `build --format nt` without
an rdflib graph of the corpus, plans reasoned in batches, and the `-o` file of a full store build written
from its parts."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Graph

from cchc_graph import incremental
from cchc_graph.build import DEFAULT_PLAN, PlanMapper, Sources, Triples, build_graph, build_parts
from cchc_graph.cli import main
from cchc_graph.namespaces import ID
from cchc_graph.orgtime import Timeline
from cchc_graph.provinces import Province
from cchc_graph.reason import load_ontology
from cchc_graph.sources import load_plan
from cchc_graph.store import serialize
from cchc_graph.text import _fold_with_positions, clean_cell, fold_with_positions
from tests.corpora import plans_folder


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


# Characters folding treats apart: spaces of several kinds, the punctuation it respaces, letters that
# fold to one letter or to two (ß, İ), Vietnamese letters in NFC.
TEXT = st.text(alphabet=list("aBđĐỞở ,;.-\t\u00a0\u2028ßİ1/"), max_size=16)


@settings(max_examples=3000, deadline=None)
@given(TEXT)
def test_fold_with_positions_gives_what_the_character_loop_gives(text):
    assert fold_with_positions(text) == _fold_with_positions(text)
    line = clean_cell(text).replace("\n", " ")  # what find_citations and the agency scan fold
    assert fold_with_positions(line) == _fold_with_positions(line)


def test_fold_with_positions_of_a_cell_maps_the_space_after_a_comma_to_the_comma():
    assert fold_with_positions("Sở Nội vụ, Sở Tư pháp") == (
        "sở nội vụ, sở tư pháp", [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20])
    assert fold_with_positions("A ,B") == ("a, b", [0, 2, 2, 3])  # the general loop


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """The 2023 plan and four synthetic plans of other provinces."""
    return plans_folder(tmp_path_factory.mktemp("corpus"), ("ninh-binh-2023",), 4)


def folders(corpus: Path) -> list[Path]:
    return sorted(p for p in corpus.iterdir() if p.is_dir())


def test_a_plan_mapped_into_triples_serialises_as_the_rdflib_graph_of_them():
    sources = Sources.load()
    plan = load_plan(DEFAULT_PLAN)
    written = []
    for sink in (Graph(), Triples()):
        timeline = Timeline(Graph(), sources.registry, sources.provinces, sources.data / "agency-changes.csv")
        province: Province = sources.provinces.of_plan(plan.meta.province, plan.meta.province_slug, plan.meta.year)
        timeline.add_province(province, plan.meta.year)
        timeline.apply(sources.changes)
        PlanMapper(sink, sources, plan, timeline, province).map()
        written.append(serialize(sink, "nt") if isinstance(sink, Graph) else sink.ntriples())
    assert written[0] == written[1]
    assert written[1].count(b"\n") == 2379  # every triple of the 2023 plan's own mapping, each once


def test_build_nt_writes_the_bytes_of_the_rdflib_graph(corpus, tmp_path):
    result = invoke("build", *folders(corpus), "-o", tmp_path / "graph.nt", "--format", "nt")
    assert result.exit_code == 0, result.output
    expected = serialize(build_graph(folders(corpus)), "nt")
    assert (tmp_path / "graph.nt").read_bytes() == expected
    triples = expected.count(b"\n")
    assert result.output.splitlines()[0] == f"wrote {tmp_path / 'graph.nt'} ({triples} triples)"
    # The per-class counts are those a Turtle build prints, counted on the rdflib graph.
    turtle = invoke("build", *folders(corpus), "-o", tmp_path / "graph.ttl")
    assert turtle.output.splitlines()[0] == f"wrote {tmp_path / 'graph.ttl'} ({triples} triples)"
    assert turtle.output.splitlines()[1:] == result.output.splitlines()[1:]


@pytest.fixture(scope="module")
def reasoning_inputs(corpus):
    parts = build_parts(folders(corpus))
    shared_nt = incremental.sorted_lines(serialize(parts.shared, "nt"), *(p.common for p in parts.plans.values()))
    ontology = load_ontology()
    closure = incremental.shared_closure(shared_nt, ontology)
    plans = [(plan_id, part.ntriples) for plan_id, part in parts.plans.items()]
    return shared_nt, closure, plans, ontology


def one_by_one(shared_nt, closure, plans, ontology) -> list[tuple[bytes, bytes]]:
    incremental._WORK.update({"plans": plans, "shared": shared_nt, "shared_closure": closure,
                              "ontology_nt": serialize(ontology, "nt"), "ontology": ontology})
    try:
        return [incremental._reason_plan(index) for index in range(len(plans))]
    finally:
        incremental._WORK.clear()


def test_plans_reasoned_in_batches_get_the_parts_they_get_one_by_one(reasoning_inputs, monkeypatch):
    expected = one_by_one(*reasoning_inputs)
    assert all(own and not other for own, other in expected)  # each plan adds inferred triples of its own
    monkeypatch.setattr("os.cpu_count", lambda: 2)  # a pool of 2, as on the benchmark machine
    assert incremental.reasoning_batches(5) == [[0, 1], [2, 3], [4]]  # at least two batches per process
    assert incremental.reasoning_batches(630)[:2] == [list(range(20)), list(range(20, 40))]  # up to BATCH
    assert incremental.reason_plans(*reasoning_inputs) == expected


def test_a_batch_with_a_triple_of_no_single_plan_is_reasoned_plan_by_plan(reasoning_inputs, monkeypatch):
    expected = one_by_one(*reasoning_inputs)
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    monkeypatch.setattr(incremental, "_owner", lambda term, base: None)  # no line can be given to a plan
    assert incremental.reason_plans(*reasoning_inputs) == expected


def test_the_owner_of_a_term_is_the_plan_of_its_own_node():
    base = f"<{ID}".encode()
    owner = lambda iri: incremental._owner(f"<{iri}> <x> .".encode(), base)  # noqa: E731
    assert owner(f"{ID}plan/ha-nam-2023/row/I-01") == b"ha-nam-2023"
    assert owner(f"{ID}plan/ha-nam-2023") == b"ha-nam-2023"
    assert owner(f"{ID}source/ha-nam-2023/table.csv#row=I-01") == b"ha-nam-2023"
    assert owner(f"{ID}build/ha-nam-2023") == b"ha-nam-2023"
    assert owner(f"{ID}build/ha-nam-2023/x") is None  # owned_prefixes: build/<id> itself only
    assert owner(f"{ID}source/ha-nam-2023") is None
    assert owner(f"{ID}quarter/2023-Q1") is None
    assert owner(f"{ID}agency/ha-nam/so-noi-vu") is None
    assert incremental._owner(b'"plan/x" .', base) is None


def test_a_full_store_build_writes_the_union_the_store_holds(corpus, tmp_path):
    result = incremental.build_store(folders(corpus), tmp_path / "store")
    assert result.full and result.union is not None
    store = pyoxigraph.Store.read_only(str(tmp_path / "store"))
    manifest = incremental.read_manifest(tmp_path / "store")
    from_store = incremental.union_ntriples(store, [incremental.data_graphs(manifest),
                                                    incremental.inferred_graphs(manifest)])
    del store
    assert list(result.union) == from_store
    assert result.union[0] == serialize(build_graph(folders(corpus)), "nt")
    again = incremental.build_store(folders(corpus), tmp_path / "store")  # nothing changed: not a full build
    assert not again.full and again.union is None


def failing_batch(index: int):
    raise RuntimeError("reasoning failed")


def test_a_full_build_failing_while_its_store_is_loaded_leaves_no_folder(corpus, tmp_path, monkeypatch):
    # The new store is opened and filled with the asserted graphs while the plans are reasoned: a failure
    # there must take that folder away, as a failure anywhere else does.
    monkeypatch.setattr(incremental, "_reason_batch", failing_batch)
    with pytest.raises(RuntimeError, match="reasoning failed"):
        incremental.build_store(folders(corpus), tmp_path / "out" / "store")
    assert list((tmp_path / "out").iterdir()) == []
