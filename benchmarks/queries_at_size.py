"""Every saved query on a large corpus already built by benchmarks/run.py (graph-N.nt, inferred-N.nt in
benchmarks/.work), once each, printing each time as it completes, so a slow query shows as the last line.

    python benchmarks/queries_at_size.py 630
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.run import PARAMS, WORK, oxigraph_dataset  # noqa: E402
from cchc_graph.query import run_local, run_saved, saved_queries  # noqa: E402

if __name__ == "__main__":
    n = int(sys.argv[1])
    start = time.perf_counter()
    dataset = oxigraph_dataset(WORK / f"graph-{n}.nt", WORK / f"inferred-{n}.nt", WORK / "ontology.nt")
    print(f"load asserted + inferred + ontology ({len(dataset):,} triples): {time.perf_counter() - start:.1f} s", flush=True)
    start = time.perf_counter()
    dataset = oxigraph_dataset(WORK / f"graph-{n}.nt", None, WORK / "ontology.nt")
    print(f"load asserted + ontology ({len(dataset):,} triples): {time.perf_counter() - start:.1f} s", flush=True)
    dataset = oxigraph_dataset(WORK / f"graph-{n}.nt", WORK / f"inferred-{n}.nt", WORK / "ontology.nt")
    for name, query in saved_queries().items():
        if "remote" in query.tags:
            continue
        start = time.perf_counter()
        table = run_saved(query, PARAMS.get(name, {}), lambda text: run_local(dataset, text))
        print(f"{name}: {time.perf_counter() - start:.2f} s, {len(table.rows)} rows", flush=True)
