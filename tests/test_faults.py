"""The fault suite of issue #13 that needs no server: the reasoning cache stamps the bytes it reasoned over.
(Remote faults — dead, silent, slow, lying servers, publishes at once, a store killed mid-publish, `serve`
killed — are in tests/test_remote.py, beside the real Oxigraph servers they use.)"""

from __future__ import annotations

import csv
import io

from cchc_graph import reason
from cchc_graph.build import build_graph
from cchc_graph.cli import main
from cchc_graph.store import write_graph


def lead_of_i02_changed(plan_copy, agency: str):
    """The 2023 plan with row I-02's lead changed to `agency`, as a built graph."""
    table = plan_copy / "table.csv"
    rows = list(csv.DictReader(io.StringIO(table.read_text(encoding="utf-8"))))
    for row in rows:
        if row["row_id"] == "I-02":
            row["lead"] = agency
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    table.write_text(out.getvalue(), encoding="utf-8")
    return build_graph([plan_copy])


def leads_of_i02(runner, graph) -> list[str]:
    result = runner.invoke(main, ["query", "agency-involvement", "--graph", str(graph), "-p", "agency=Sở Nội vụ",
                                  "-p", "agency=Sở Tư pháp", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    return sorted(r["cell"] for r in rows if r["row_id"] == "I-02" and r["role"] == "lead")


def test_a_graph_replaced_while_reasoning_leaves_a_stale_cache(runner, tmp_path, plan_graph, plan_copy, monkeypatch):
    """The graph file is replaced after `reason` read it and before it wrote its stamp: the closure is of the
    old graph, so the next query must not take it for the new one's (it printed the old lead, exit 0)."""
    graph = tmp_path / "graph.ttl"
    write_graph(plan_graph, graph)
    new_graph = tmp_path / "new.ttl"
    write_graph(lead_of_i02_changed(plan_copy, "Sở Nội vụ"), new_graph)
    reason_in_store = reason.reason_in_store

    def reason_and_replace(*args, **kwargs):
        reason_in_store(*args, **kwargs)
        graph.write_bytes(new_graph.read_bytes())  # another `build` finished meanwhile

    monkeypatch.setattr(reason, "reason_in_store", reason_and_replace)
    result = runner.invoke(main, ["reason", "--graph", str(graph)])
    assert result.exit_code == 0, result.output
    monkeypatch.undo()
    assert not reason.inferred_is_fresh(graph)
    assert leads_of_i02(runner, graph) == ["Sở Nội vụ"]
    assert reason.inferred_is_fresh(graph)  # the query reasoned again, over the new bytes, and stamped them


def test_a_cache_file_replaced_by_another_is_stale(runner, tmp_path, plan_graph, plan_copy):
    """The stamp names the inferred file's bytes too: the cache of another graph put in its place is not used."""
    graph, other = tmp_path / "a" / "graph.ttl", tmp_path / "b" / "graph.ttl"
    write_graph(plan_graph, graph)
    write_graph(lead_of_i02_changed(plan_copy, "Sở Nội vụ"), other)
    reason.reason_to_file(graph)
    reason.reason_to_file(other)
    inferred = reason.inferred_path_for(graph)
    inferred.write_bytes(reason.inferred_path_for(other).read_bytes())
    assert not reason.inferred_is_fresh(graph)
    assert leads_of_i02(runner, graph) == ["Sở Tư pháp"]


def test_truncated_turtle_is_named_not_an_index_error(runner, tmp_path, built_graph_file):
    """A graph file cut short (a copy interrupted) gave "string index out of range" (item 13)."""
    import pytest

    data = built_graph_file.read_bytes()
    for size in (57, 3001, 7777):
        cut = tmp_path / f"cut-{size}.ttl"
        cut.write_bytes(data[:size])
        for args in (["validate"], ["query", "plans"], ["reason"]):
            result = runner.invoke(main, [*args, "--graph", str(cut)])
            assert result.exit_code == 2, (args, result.output)
            assert result.output.startswith(f"error: {cut}: not valid "), result.output
            assert "index out of range" not in result.output
    with pytest.raises(Exception, match="the file ends in the middle of a statement"):
        from cchc_graph.store import read_graph
        cut = tmp_path / "cut-57.ttl"
        read_graph(cut)
