"""Issue #6, part 5: the path past one machine. Reason over a corpus as `cchc-graph reason` does, open it as
`cchc-graph query` does, `publish` it into a real Oxigraph server on 127.0.0.1, and run every saved query
against the server (as `cchc-graph query --endpoint` does) and in the embedded store, checking both give
the same answers.

    python benchmarks/bench_remote.py                  # 630 plans, 3 runs per query
    python benchmarks/bench_remote.py --plans 63 --runs 5

The corpus is the one benchmarks/run.py builds (benchmarks/.work/graph-N.nt; built here when missing).
Figures are printed as Markdown and saved to benchmarks/.work/remote-N.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.run import WORK, corpus, query_cases  # noqa: E402
from cchc_graph.build import build_graph  # noqa: E402
from cchc_graph.query import cell, open_local, run_local, run_saved, saved_queries  # noqa: E402
from cchc_graph.reason import inferred_path_for, reason_to_file  # noqa: E402
from cchc_graph.remote import oxigraph_binary, publish, published_graphs, run_remote, wait_for_port  # noqa: E402
from cchc_graph.store import write_graph  # noqa: E402


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def answer(table) -> list[tuple[str, ...]]:
    return [tuple(cell(row.get(c)) for c in table.columns) for row in table.rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plans", type=int, default=630)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--port", type=int, default=7979)
    parser.add_argument("--on-disk", action="store_true",
                        help="run the server on its RocksDB storage (persistent) instead of in memory")
    args = parser.parse_args()
    n = args.plans
    folders, graph_nt = corpus(n)
    if not graph_nt.exists():
        write_graph(build_graph(folders), graph_nt, "nt")
    folder = WORK / f"remote-{n}"
    folder.mkdir(parents=True, exist_ok=True)
    graph = folder / "graph.nt"  # the built graph under the name the commands expect, inferred cache beside it
    if graph.exists():
        graph.unlink()
    os.link(graph_nt, graph)
    result: dict = {"plans": n, "server_storage": "on disk (RocksDB)" if args.on_disk else "in memory"}

    result["reason_s"], result["inferred_triples"] = timed(lambda: reason_to_file(graph))
    result["inferred_file_mb"] = inferred_path_for(graph).stat().st_size / 1e6
    result["open_local_s"], dataset = timed(lambda: open_local(graph))
    result["triples_for_querying"] = len(dataset)

    with tempfile.TemporaryDirectory(prefix="cchc-bench-server-") as location:
        storage = ["--location", location] if args.on_disk else []  # no location: Oxigraph keeps it in memory
        server = subprocess.Popen([oxigraph_binary(), "serve", *storage, "--bind", f"127.0.0.1:{args.port}"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            wait_for_port("127.0.0.1", args.port, server)
            base = f"http://127.0.0.1:{args.port}"
            result["publish_s"], report = timed(lambda: publish(graph, base, timeout=900, retries=0))
            result["published"] = {str(iri): count for iri, count in report.graphs}
            graphs = published_graphs()
            queries: dict = {}
            for label, name, params in query_cases(n):
                query = saved_queries()[name]
                entry: dict = {}
                for where, execute in (("embedded", lambda text: run_local(dataset, text)),
                                       ("server", lambda text: run_remote(base + "/query", text, default_graphs=graphs,
                                                                         timeout=900, retries=0))):
                    times, table = [], None
                    for _ in range(args.runs):
                        seconds, table = timed(lambda: run_saved(query, params, execute))
                        times.append(seconds)
                    entry[where] = statistics.median(times)
                    entry[f"{where}_answer"] = answer(table)
                entry["rows"] = len(entry["embedded_answer"])
                # As multisets: rows that tie on the ORDER BY keys (same position in many plans) may come
                # in either order from two engines.
                entry["same_answer"] = sorted(entry.pop("embedded_answer")) == sorted(entry.pop("server_answer"))
                queries[label] = entry
                print(f"{label}: embedded {entry['embedded']:.3f} s, server {entry['server']:.3f} s, "
                      f"{entry['rows']} rows, same answer: {entry['same_answer']}", file=sys.stderr, flush=True)
            result["queries"] = queries
        finally:
            server.terminate()
            server.wait(timeout=60)
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    shutil.rmtree(folder)
    (WORK / f"remote-{n}{'-disk' if args.on_disk else ''}.json").write_text(json.dumps(result, indent=1, ensure_ascii=False))
    print(f"| {n} plans | |\n|---|---|")
    print(f"| `reason` (queries profile, from the N-Triples file, inferred Turtle written) | {result['reason_s']:.1f} s, "
          f"{result['inferred_triples']:,} triples, {result['inferred_file_mb']:.0f} MB |")
    print(f"| open for querying (asserted + ontology + cached inferred) | {result['open_local_s']:.1f} s, "
          f"{result['triples_for_querying']:,} triples |")
    print(f"| `publish` to the Oxigraph server (GSP, {result['server_storage']}) | {result['publish_s']:.1f} s |")
    print(f"| peak memory of this process | {result['peak_mb']:,.0f} MB |\n")
    print("| query | rows | embedded, ms | server, ms | same answer |\n|---|---|---|---|---|")
    for label, entry in result["queries"].items():
        print(f"| `{label}` | {entry['rows']:,} | {entry['embedded'] * 1000:,.0f} | {entry['server'] * 1000:,.0f} | "
              f"{'yes' if entry['same_answer'] else '**no**'} |")


if __name__ == "__main__":
    main()
