"""Page times of `cchc-graph web` (issue #15): each page fetched over HTTP from the server started as
`cchc-graph web` in its own process, on the 2023 plan and on 63 synthetic plans.

    python benchmarks/bench_web.py              # 1 and 63 plans
    python benchmarks/bench_web.py --sizes 1    # the 2023 plan only

Each figure is the median of 5 fetches after one warm-up fetch (the first visit of a page parses its queries);
start-up (store, closure cache, validation, search index) is timed apart. Nothing passes or fails here: the
figures are in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from benchmarks.run import WORK, corpus, plan_id  # noqa: E402

RUNS = 5


def pages(n: int) -> list[tuple[str, str, str]]:
    """(label, path, Accept) of every kind of page, for the corpus of n plans."""
    plan = plan_id(n)
    return [
        ("home", "/", "text/html"),
        ("plan table (whole plan)", f"/id/plan/{plan}", "text/html"),
        ("plan table filtered (area III, Sở Nội vụ)", f"/id/plan/{plan}?area=III&agency="
         "https://w3id.org/cchc-graph/id/agency/so-noi-vu", "text/html"),
        ("row IV-02", f"/id/plan/{plan}/row/IV-02", "text/html"),
        ("agency Sở Nội vụ", "/id/agency/so-noi-vu", "text/html"),
        ("agency group Các sở, ban, ngành", "/id/agency/cac-so-ban-nganh", "text/html"),
        ("legal document 62/2020/NĐ-CP", "/eli/vn/nd-cp/2020/62", "text/html"),
        ("search 'so noi vu'", "/search?q=so+noi+vu", "text/html"),
        ("search 'chuyen doi so'", "/search?q=chuyen+doi+so", "text/html"),
        ("validation report", "/validation", "text/html"),
        ("queries list", "/queries", "text/html"),
        ("query form answered: due-in-quarter 2023 Q3", "/queries/due-in-quarter?year=2023&quarter=3", "text/html"),
        ("query form answered: overdue-rows 2023-07-01", "/queries/overdue-rows?date=2023-07-01", "text/html"),
        ("SPARQL page (10 rows)", "/sparql?query=SELECT+%3Fs+WHERE+%7B+%3Fs+a+%3Fc+%7D+LIMIT+10", "text/html"),
        ("ontology page", "/ontology", "text/html"),
        ("API: tasks-citing-document, JSON", "/api/queries/tasks-citing-document?document=62/2020", "*/*"),
        ("API: plan-table of one plan, CSV", f"/api/queries/plan-table?plan={plan}&format=csv", "*/*"),
        ("API: OpenAPI description", "/api/openapi.json", "*/*"),
        ("IRI as Turtle: Sở Nội vụ", "/id/agency/so-noi-vu", "text/turtle"),
    ]


def fetch(url: str, accept: str) -> int:
    request = urllib.request.Request(url, headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=120) as response:
        return len(response.read())


def serve(graph: Path) -> tuple[subprocess.Popen, str, float]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "cchc_graph.cli", "web", "--graph", str(graph), "--port",
                                str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process, f"http://127.0.0.1:{port}", time.perf_counter() - start
        except OSError:
            if process.poll() is not None:
                raise SystemExit("the server stopped")
            time.sleep(0.1)


def graph_for(n: int) -> Path:
    from cchc_graph.build import build_graph
    from cchc_graph.store import write_graph

    target = WORK / f"web-graph-{n}.ttl"
    if not target.exists():
        folders, _ = corpus(n)
        WORK.mkdir(parents=True, exist_ok=True)
        write_graph(build_graph(folders), target)
    return target


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 63])
    sizes = parser.parse_args().sizes
    results: dict[int, dict] = {}
    for n in sizes:
        graph = graph_for(n)
        serve(graph)[0].terminate()  # a first start computes the closure cache beside the graph: not timed
        process, base, started = serve(graph)
        try:
            results[n] = {"start": started}
            for label, path, accept in pages(n):
                size = fetch(base + path, accept)
                times = []
                for _ in range(RUNS):
                    begin = time.perf_counter()
                    fetch(base + path, accept)
                    times.append(time.perf_counter() - begin)
                results[n][label] = (statistics.median(times), size)
        finally:
            process.terminate()
            process.wait()
    print("| page | " + " | ".join(f"{n} plan{'s' if n > 1 else ''}" for n in sizes) + " |")
    print("|---|" + "---:|" * len(sizes))
    print("| start-up until the port answers (s) | " + " | ".join(f"{results[n]['start']:.1f}" for n in sizes) + " |")
    for label, _, _ in pages(sizes[0]):
        print(f"| {label} | " + " | ".join(f"{results[n][label][0] * 1000:.0f} ms ({results[n][label][1] // 1024} KB)"
                                           for n in sizes) + " |")


if __name__ == "__main__":
    main()
