"""Time `cchc-graph validate` on the 2023 Ninh Bình plan (issue #3: it must take under 5 s).

    python benchmarks/bench_validate.py               # validate_graph() and the whole command
    python benchmarks/bench_validate.py --inference   # also RDFS / OWL RL inference and no query cache, to compare

Each figure is the median of 5 runs after one warm-up run. The graph is built once and not timed.
- validate_graph(): what `cchc-graph validate` does after reading the graph: load the ontology, the shapes
  (parsed once per process, so after the warm-up they come from memory) and run pySHACL.
- command: `cchc-graph validate --graph <built graph>` in a fresh process each time: Python start-up,
  imports, reading the graph, parsing the shapes, validating and writing the report.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 5


def median_time(action, runs: int = RUNS) -> tuple[float, list[float]]:
    action()  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def pyshacl_with_inference(graph, inference: str, query_cache: bool = True) -> int:
    """pySHACL on the same data and shapes as validate_graph, with pre-inference `inference` and with or
    without validate's prepared-query cache; returns the number of results."""
    import pyshacl
    from rdflib import Graph
    from rdflib.namespace import SH

    from cchc_graph.reason import load_ontology
    from cchc_graph.validate import _CachedQueryGraph, load_shapes

    ontology = load_ontology()
    data = _CachedQueryGraph() if query_cache else Graph()
    data += graph
    data += ontology
    _, report, _ = pyshacl.validate(data, shacl_graph=load_shapes(), ont_graph=ontology, inference=inference, inplace=True)
    return len(list(report.objects(None, SH.result)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--inference", action="store_true", help="also time rdfs and owlrl inference, and no query cache")
    args = parser.parse_args()

    import pyshacl
    import rdflib

    from cchc_graph.build import build_graph
    from cchc_graph.store import write_graph
    from cchc_graph.validate import validate_graph

    graph = build_graph()
    print(f"machine: {os.cpu_count()} CPU(s) (nproc), {platform.machine()}, {platform.system()} {platform.release()}")
    print(f"python {platform.python_version()}, pyshacl {pyshacl.__version__}, rdflib {rdflib.__version__}")
    print(f"graph: data/ninh-binh-2023, {len(graph)} triples; median of {RUNS} runs after 1 warm-up")

    outcome = validate_graph(graph)
    figure, times = median_time(lambda: validate_graph(graph))
    print(f"validate_graph(), inference none: {figure:.2f} s  (runs: {', '.join(f'{t:.2f}' for t in times)}; "
          f"{len(outcome.findings)} findings {outcome.counts()})")

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "graph.ttl"
        write_graph(graph, path)
        command = [sys.executable, "-m", "cchc_graph.cli", "validate", "--graph", str(path)]
        run = lambda: subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, check=False)  # noqa: E731
        figure, times = median_time(run)
        print(f"cchc-graph validate (whole command, fresh process): {figure:.2f} s  "
              f"(runs: {', '.join(f'{t:.2f}' for t in times)})")

    if args.inference:
        for inference, cache in (("none", True), ("rdfs", True), ("owlrl", True), ("none", False)):
            count = pyshacl_with_inference(graph, inference, cache)
            figure, times = median_time(lambda: pyshacl_with_inference(graph, inference, cache), runs=3)
            print(f"pySHACL, inference={inference}, {'with' if cache else 'WITHOUT'} the prepared-query cache: "
                  f"{figure:.2f} s (median of 3 after 1 warm-up; {count} results)")


if __name__ == "__main__":
    main()
