"""README.md's sample answers are the real output of their commands (issue #12)."""

from __future__ import annotations

import difflib

from tests.readme_samples import EXCERPT, MARKER, README, regenerate, stale_excerpts


def test_readme_samples_match_the_real_output(built_graph_file, tmp_path):
    graph = tmp_path / "graph.ttl"  # its own folder: no cache or link graph other tests leave beside the graph
    graph.write_bytes(built_graph_file.read_bytes())
    text = README.read_text(encoding="utf-8")
    assert len(MARKER.findall(text)) >= 18, "the samples are marked in README.md"
    fresh = regenerate(text, graph)
    diff = "".join(difflib.unified_diff(text.splitlines(True), fresh.splitlines(True), "README.md", "real output"))
    assert not diff, f"README samples drifted; run `python -m tests.readme_samples --write` to update:\n{diff}"


def test_readme_excerpts_are_in_the_real_output(built_graph_file, tmp_path):
    graph = tmp_path / "graph.ttl"
    graph.write_bytes(built_graph_file.read_bytes())
    text = README.read_text(encoding="utf-8")
    assert EXCERPT.search(text), "the validation report excerpt is marked in README.md"
    assert stale_excerpts(text, graph) == []
