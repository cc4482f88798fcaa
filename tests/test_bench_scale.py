"""benchmarks/bench_scale.py end to end at its smallest: the bundled plan, in memory and on disk (the servers left
out), one run of each step. What is checked is what the benchmark reports, never how fast anything was: every
saved query answered the same in both stores, the answers' sizes are the golden ones, the streamed exports
were counted line by line as the warm answers, the targets table has its rows, and the bundled plan, which
the incremental step edits a copy of, is untouched."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.timed_cli import CsvRecords, gnu_time
from cchc_graph.build import DEFAULT_PLAN
from cchc_graph.query import saved_queries

pytestmark = pytest.mark.bench  # `-m "not bench"` leaves it out
ROOT = Path(__file__).resolve().parent.parent
TARGETS = [
    "a question from a fresh `cchc-graph query` process, end to end, < 1.5 s (1 plan)",
    "warm, every question < 0.3 s (1 plan)",
    "exports from a fresh process: first line < 0.5 s, then ≥ 40,000 lines/s (1 plan)",
    "rebuild + reason + validate after one plan changed < 10 s (1 plan)",
    "build from scratch (both cores) < 60 s (1 plan)",
    "peak memory < 1 GB (1 plan)",
    "one plan: build + reason + validate + one query, each a fresh process, < 2 s",
]


def golden_lines(case: str) -> int:
    with (ROOT / "tests" / "golden" / f"{case}.csv").open(encoding="utf-8", newline="") as handle:
        return len(list(csv.reader(handle))) - 1


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bench-scale")
    table_before = (DEFAULT_PLAN / "table.csv").read_bytes()
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_scale.py"), "--sizes", "1", "--runs", "1",
                           "--skip", "virtuoso,server", "--fresh-queries", "plan-summary", "--work", str(folder / "work"),
                           "--out", str(folder / "out.json"), "--markdown", str(folder / "out.md")],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert (DEFAULT_PLAN / "table.csv").read_bytes() == table_before
    return json.loads((folder / "out.json").read_text(encoding="utf-8")), (folder / "out.md").read_text(encoding="utf-8"), done


def test_every_saved_query_same_answer_in_memory_and_on_disk(report):
    result, _, _ = report
    size = result["sizes"][0]
    assert size["plans"] == 1 and result["stores"] == ["memory", "disk"]
    expected = {name for name, query in saved_queries().items() if "remote" not in query.tags}
    assert {entry["query"] for entry in size["queries"].values()} == expected
    for label, entry in size["queries"].items():
        assert entry["memory"]["same"] is True and entry["disk"]["same"] is True, label
        assert entry["memory"]["rows"] == entry["disk"]["rows"], label
    assert size["queries"]["plan-summary"]["memory"]["rows"] == golden_lines("plan-summary") == 7
    assert size["queries"]["plan-table"]["memory"]["rows"] == golden_lines("plan-table")
    assert size["queries"]["products-by-type"]["disk"]["rows"] == golden_lines("products-by-type_all")
    assert {label for label, entry in size["queries"].items() if entry["export"]} == {"plan-table", "products-by-type"}


def test_fresh_processes_and_streamed_exports_are_counted(report):
    result, _, _ = report
    size = result["sizes"][0]
    queries = size["queries"]
    # --fresh-queries plan-summary: the one question run from a fresh process; the exports always are.
    assert {label for label, entry in queries.items() if "fresh_s" in entry["memory"]} == {
        "plan-summary", "plan-table", "products-by-type"}
    for label in ("plan-table", "products-by-type"):
        for store in ("memory", "disk"):
            figures = queries[label][store]
            assert figures["fresh_lines"] == figures["rows"], (label, store)
            assert figures["first_line_s"] is not None and figures["first_line_s"] <= figures["fresh_s"]
    assert queries["plan-summary"]["disk"]["fresh_lines"] == 7
    # `export --format csv` writes one line per table row (64 rows in the 2023 plan), from either store.
    assert {store: size["exports"][store].get("lines") for store in ("memory", "disk")} == {"memory": 64, "disk": 64}
    assert size["triples_asserted"] > 0 and size["triples_inferred"] > 0


def test_incremental_step_and_one_plan_sequence(report):
    result, _, _ = report
    incremental = result["sizes"][0]["incremental"]
    assert incremental["status"] in ("available", "not available")
    assert incremental["changed"] == "ninh-binh-2023 row I-01"
    assert set(incremental["steps"]) == {"build_store", "reason", "validate"}
    assert set(result["one_plan"]["steps"]) == {"build", "reason", "validate", "query plan-summary",
                                                "validate --engine oxigraph"}


def test_targets_table(report):
    result, text, done = report
    assert [row["target"] for row in result["targets"]] == TARGETS
    for row in result["targets"]:
        measured = gnu_time() is not None or not row["target"].startswith("peak memory")
        assert (row["met"] in (True, False)) if measured else row["met"] is None, row
    assert "| target | figure | |\n|---|---|---|\n" in text
    for row in result["targets"]:
        verdict = {True: "met", False: "not met", None: "not measured"}[row["met"]]
        assert f"| {row['target']} | {row['figure']} | {verdict} |" in text
    assert text in done.stdout
    assert result["load_start"] and result["load_end"]


def test_csv_records_counts_line_breaks_inside_quoted_cells():
    counter = CsvRecords()
    for chunk in (b'a,b\n"x\n', b'y","q ""z', b'"""\n1,2\n3,4'):
        counter.feed(chunk)
    assert counter.ends == 3 and counter.records() == 4
