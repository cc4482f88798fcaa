"""Saved queries run warm on one store, in a process of their own, for bench_scale.py: a query that runs away
(an embedded Oxigraph query cannot be interrupted) is stopped by ending this process, and the benchmark goes on.

    python benchmarks/warm_worker.py local GRAPH_OR_STORE
    python benchmarks/warm_worker.py remote SPARQL_URL TIMEOUT

Prints "ready" once the store is open, then answers each line of standard input, a JSON object
{"query": NAME, "params": {...}, "runs": N}, with one JSON line: {"s": median seconds, "rows": N, "digest": …}
(the digest of the answer as a multiset of rendered rows, to compare stores) or {"error": "…"}.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_stores import median  # noqa: E402
from cchc_graph.query import cell, open_local, run_local, run_saved, saved_queries  # noqa: E402
from cchc_graph.remote import published_graphs, run_remote  # noqa: E402


def digest(table) -> str:
    """The same for two answers with the same rows in any order (SPARQL leaves the order free without ORDER BY,
    and between rows that tie on it)."""
    rows = sorted(json.dumps([cell(row.get(c)) for c in table.columns], ensure_ascii=False) for row in table.rows)
    return hashlib.sha256("\n".join([json.dumps(table.columns), *rows]).encode()).hexdigest()


def main() -> None:
    kind, where = sys.argv[1], sys.argv[2]
    if kind == "local":
        dataset = open_local(Path(where))

        def execute(text):
            return run_local(dataset, text)
    else:
        timeout = float(sys.argv[3])

        def execute(text):
            return run_remote(where, text, default_graphs=published_graphs(), timeout=timeout, retries=0)
    queries = saved_queries()
    print("ready", flush=True)
    for line in sys.stdin:
        job = json.loads(line)
        try:
            seconds, table = median(lambda: run_saved(queries[job["query"]], job["params"], execute), job["runs"])
            answer = {"s": seconds, "rows": len(table.rows), "digest": digest(table)}
        except Exception as exc:  # noqa: BLE001 - reported to the benchmark, which records it and goes on
            answer = {"error": re.sub(r"\s+", " ", str(exc))[:300]}
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
