"""Issue #17: the same corpus in four stores — embedded in memory (the graph files read on every run),
embedded on disk (`build --store`), an Oxigraph server (serving that store) and Virtuoso (published into with
`cchc-graph publish`) — with the time to open, every saved query (warm, median of --runs), a question from a
fresh `cchc-graph query` process, the store written and the publish, and every answer compared with the
in-memory one.

    python benchmarks/bench_stores.py GRAPH_FILE [--runs 3]      # GRAPH_FILE built and reasoned already

Prints Markdown and saves benchmarks/.work/stores-<triples>.json. Virtuoso is skipped when not installed.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from benchmarks.run import PARAMS, WORK  # noqa: E402
from cchc_graph.ondisk import write_store  # noqa: E402
from cchc_graph.query import cell, open_local, run_local, run_saved, saved_queries  # noqa: E402
from cchc_graph.remote import (oxigraph_binary, publish, published_graphs, run_remote,  # noqa: E402
                               wait_for_port)
from tests import virtuoso as vt  # noqa: E402
from tests.test_remote import free_port  # noqa: E402

QUESTION = ("agency-involvement", ["-p", "agency=Sở Nội vụ", "-p", "plan=PLAN"])  # PLAN: see plan_of


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def median(fn, runs: int):
    times, value = [], None
    for _ in range(runs):
        seconds, value = timed(fn)
        times.append(seconds)
    return statistics.median(times), value


def fresh(code: str) -> tuple[float, float]:
    """(seconds of `code` after its imports, peak MB) in a new Python process."""
    script = (f"import sys, time, re\nsys.path.insert(0, {str(ROOT)!r})\nfrom pathlib import Path\n"
              "from cchc_graph.query import open_local\nt = time.perf_counter()\n" + code +
              "\nprint(time.perf_counter() - t, int(re.search(r'VmHWM:\\s+(\\d+)', "
              "open('/proc/self/status').read()).group(1)) / 1024)")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.split()
    return float(out[0]), float(out[1])


def cli_seconds(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run([str(Path(sys.executable).parent / "cchc-graph"), *args], check=True, capture_output=True)
    return time.perf_counter() - start


def plan_of(graph: Path) -> str:
    """Hà Nội's first plan in a synthetic corpus (every corpus has it), else the real one."""
    text = graph.read_text(encoding="utf-8", errors="replace") if graph.stat().st_size < 50_000_000 else ""
    return "ha-noi-2021" if "/plan/ha-noi-2021" in text or not text else "ninh-binh-2023"


def answer(table) -> Counter:
    return Counter(tuple(cell(row.get(c)) for c in table.columns) for row in table.rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("graph", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-virtuoso", action="store_true")
    parser.add_argument("--store", type=Path, help="an existing store of GRAPH (build --store): not written again")
    args = parser.parse_args()
    graph = args.graph.resolve()
    folder = Path(tempfile.mkdtemp(prefix="bench-stores-", dir=WORK if WORK.exists() else None))
    result: dict = {"graph": str(graph)}
    servers = []
    try:
        store = args.store or folder / "store"
        if args.store:
            sizes = json.loads((store / "cchc-store.json").read_text(encoding="utf-8"))["graphs"]
            result["write_store_s"] = None
        else:
            result["write_store_s"], sizes = timed(lambda: write_store(graph, store))
        result["triples"] = sum(sizes.values())
        result["open_memory_s"], result["open_memory_peak_mb"] = fresh(f"d = open_local(Path({str(graph)!r}))")
        result["open_disk_s"], result["open_disk_peak_mb"] = fresh(
            f"d = open_local(Path({str(store)!r})); next(iter(d.store.quads_for_pattern(None, None, None)))")
        name, extra = QUESTION[0], [a.replace("PLAN", plan_of(graph)) for a in QUESTION[1]]
        result["question"] = f"{name} {' '.join(extra)}"
        result["question_fresh_memory_s"] = cli_seconds(["query", name, *extra, "--graph", str(graph), "--format", "csv"])
        result["question_fresh_disk_s"] = cli_seconds(["query", name, *extra, "--graph", str(store), "--format", "csv"])

        executors = {"memory": (lambda d: lambda text: run_local(d, text))(open_local(graph)),
                     "disk": (lambda d: lambda text: run_local(d, text))(open_local(store))}
        port = free_port()
        log = (folder / "oxigraph.log").open("wb")
        server = subprocess.Popen([oxigraph_binary(), "serve-read-only", "--location", str(store), "--bind",
                                   f"127.0.0.1:{port}"], stdout=log, stderr=subprocess.STDOUT)
        servers.append(server)
        wait_for_port("127.0.0.1", port, server)
        ox_url = f"http://127.0.0.1:{port}/query"
        executors["oxigraph server"] = lambda text: run_remote(ox_url, text, default_graphs=published_graphs(),
                                                               timeout=900, retries=0)
        if not args.no_virtuoso and vt.installed():
            virtuoso = vt.VirtuosoServer(folder / "virtuoso")
            servers.append(virtuoso)
            result["publish_virtuoso_s"], _ = timed(lambda: publish(store, virtuoso.crud, update_endpoint=virtuoso.sparql,
                                                                     timeout=3600))
            executors["virtuoso"] = lambda text: run_remote(virtuoso.sparql, text, default_graphs=published_graphs(),
                                                            timeout=900, retries=0)
        queries: dict = {}
        for name, query in saved_queries().items():
            if "remote" in query.tags:
                continue
            params = PARAMS.get(name, {})
            reference = None
            for engine, execute in executors.items():
                try:
                    seconds, table = median(lambda: run_saved(query, params, execute), args.runs)
                    same = reference is None or answer(table) == reference
                    reference = reference if reference is not None else answer(table)
                    queries.setdefault(name, {})[engine] = {"s": seconds, "rows": len(table.rows), "same": same}
                except Exception as exc:  # noqa: BLE001 - a benchmark records failures, it does not stop
                    queries.setdefault(name, {})[engine] = {"error": re.sub(r"\s+", " ", str(exc))[:200]}
                print(name, engine, queries[name][engine], flush=True)
        result["queries"] = queries
    finally:
        for server in servers:
            if isinstance(server, subprocess.Popen):
                server.terminate()
                server.wait()
            else:
                server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    WORK.mkdir(exist_ok=True)
    out = WORK / f"stores-{result.get('triples', 0)}.json"
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
    print(markdown(result))


def markdown(result: dict) -> str:
    lines = [f"{result['triples']:,} triples (asserted + ontology + inferred)", "",
             "| step | in memory (graph files) | on disk (`build --store`) |", "|---|---|---|",
             f"| open, fresh process | {result['open_memory_s']:.2f} s, {result['open_memory_peak_mb']:.0f} MB peak | "
             f"{result['open_disk_s']:.3f} s, {result['open_disk_peak_mb']:.0f} MB peak |",
             f"| `cchc-graph query {result['question']}`, fresh process | "
             f"{result['question_fresh_memory_s']:.2f} s | {result['question_fresh_disk_s']:.2f} s |",
             f"| write the store | — | {result['write_store_s'] or 0:.1f} s |"]
    if "publish_virtuoso_s" in result:
        lines.append(f"| publish into Virtuoso (GSP) | {result['publish_virtuoso_s']:.1f} s | |")
    engines = list(next(iter(result["queries"].values())).keys())
    lines += ["", "| query (warm, median) | " + " | ".join(engines) + " |", "|---|" + "---|" * len(engines)]
    for name, by_engine in result["queries"].items():
        cells = []
        for engine in engines:
            figure = by_engine.get(engine, {})
            if "error" in figure:
                cells.append("error")
            else:
                cells.append(f"{figure['s']:.3f} s ({figure['rows']:,})" + ("" if figure["same"] else " DIFFERENT"))
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
