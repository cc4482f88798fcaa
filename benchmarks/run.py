"""Benchmark runner for issue #6: build, load, reasoning and every saved query, on rdflib's memory store and
on Oxigraph (pyoxigraph), at 1, 63 and 630 plans, with medians, peak memory and ratios from the same run.

    python benchmarks/run.py                 # 1, 63 and 630 plans (about 15 minutes on 2 cores)
    python benchmarks/run.py --sizes 1 63    # a quicker run

Figures are printed as a Markdown table and saved to benchmarks/.work/results-<sizes>.json. Timings are
wall-clock medians; peak memory is the maximum resident set of a fresh process doing only the load.
rdflib is skipped where a step would take minutes and gigabytes (noted in the table); nothing here passes or
fails — see benchmarks/README.md for the figures and the conclusions drawn from them.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / ".work"
sys.path.insert(0, str(ROOT))

from benchmarks.synthetic import generate  # noqa: E402
from cchc_graph.build import DEFAULT_PLAN, build_graph  # noqa: E402
from cchc_graph.query import run_local, run_saved, saved_queries  # noqa: E402
from cchc_graph.reason import (DEFAULT_PROFILE, INFERRED_GRAPH, inferred_path_for, load_ontology,  # noqa: E402
                               reason_in_store, write_stamp)
from cchc_graph.store import ASSERTED, INFERRED, ONTOLOGY_GRAPH, write_graph  # noqa: E402

# Parameters for the saved queries that need them; chosen to exist in every corpus.
PARAMS = {
    "tasks-citing-document": {"document": "62/2020/NĐ-CP"},
    "agency-involvement": {"agency": "Sở Nội vụ"},
    "due-in-quarter": {"year": "2023", "quarter": "3"},
    "row-detail": {"row_id": "VII-07"},
    "overdue-rows": {"date": "2023-07-01"},
    "agency-history": {"agency": "Sở Nội vụ"},
    "responsible-today": {"row_id": "VI-08", "date": "2025-03-01"},
}


def plan_id(n: int) -> str:
    """A plan in the corpus of n plans: the real one alone, else Hà Nội's first (every corpus has it)."""
    return "ninh-binh-2023" if n == 1 else "ha-noi-2021"


def province_id(n: int) -> str:
    """The province of plan_id(n): agencies are nodes of their province (agency/PROVINCE/so-noi-vu)."""
    return "ninh-binh" if n == 1 else "ha-noi"


def query_cases(n: int) -> list[tuple[str, str, dict]]:
    """(label, saved query, parameters): every saved query that runs on our own graphs, over the whole
    corpus, and once more restricted to one plan where the query takes a `plan` parameter."""
    cases = []
    for name, query in saved_queries().items():
        if "remote" in (query.tags or []):
            continue
        params = dict(PARAMS.get(name, {}))
        if any(p.name == "plan" and p.required for p in query.params):
            params["plan"] = plan_id(n)
        if name == "row-citations":  # the web pages' lookups of one row, one node
            params["row"] = f"https://w3id.org/cchc-graph/id/plan/{plan_id(n)}/row/IV-02"
        if name == "node-description":
            params["node"] = f"https://w3id.org/cchc-graph/id/agency/{province_id(n)}/so-noi-vu"
        cases.append((name, name, params))
        if n > 1 and any(p.name == "plan" and not p.required for p in query.params):
            cases.append((f"{name} (plan={plan_id(n)})", name, {**params, "plan": plan_id(n)}))
    return cases


RDFLIB_QUERY_MAX_PLANS = 1  # rdflib's engine needs seconds per query at one plan, minutes at 63
RDFLIB_LOAD_MAX_PLANS = 630


def median_time(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def timed_in_fresh_process(setup: str, body: str) -> tuple[float, float, int]:
    """(seconds, peak MB, size) of `body` run in a new Python process after `setup` (not timed); `body`
    leaves the loaded store or graph in `loaded`, still alive when the time is taken (freeing 2 M quads
    takes 2 s)."""
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across fork and exec, so a child of
    # this process (which holds the built corpus) would report the parent's peak.
    code = (f"import re, sys, time\nsys.path.insert(0, {str(ROOT)!r})\n{setup}\nt = time.perf_counter()\n"
            f"{body}\nseconds = time.perf_counter() - t\n"
            "hwm = int(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1))\n"
            "print(seconds, hwm / 1024, len(loaded))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    return float(out[0]), float(out[1]), int(out[2])


def load_in_fresh_process(engine: str, files: list[Path]) -> tuple[float, float]:
    """(seconds, peak MB) to load N-Triples files into a new store in a new process."""
    names = ", ".join(repr(str(f)) for f in files)
    if engine == "rdflib":
        setup = "from rdflib import Graph"
        body = f"loaded = Graph()\nfor f in [{names}]: loaded.parse(f, format='nt')"
    else:
        setup = "import pyoxigraph as ox"
        body = f"loaded = ox.Store()\nfor f in [{names}]: loaded.bulk_load(path=f, format=ox.RdfFormat.N_TRIPLES)"
    seconds, peak_mb, _ = timed_in_fresh_process(setup, body)
    return seconds, peak_mb


def open_in_fresh_process(graph_file: Path) -> tuple[float, float, int]:
    """(seconds, peak MB, quads) for what `cchc-graph query` does before it runs a query: `open_local` on
    the graph file with its fresh cached closure beside it, in a new process (imports not timed)."""
    return timed_in_fresh_process("from pathlib import Path\nfrom cchc_graph.query import open_local",
                                  f"loaded = open_local(Path({str(graph_file)!r}))")


def corpus(n: int) -> tuple[list[Path], Path]:
    """Plan folders and their built N-Triples graph (cached under benchmarks/.work)."""
    if n == 1:
        folders = [DEFAULT_PLAN]
    else:
        target = WORK / f"plans-{n}"
        folders = sorted(p for p in target.glob("*") if p.is_dir()) if target.exists() else []
        if len(folders) != n:
            folders = generate(n, target)
    return folders, WORK / f"graph-{n}.nt"


def oxigraph_dataset(graph_nt: Path, inferred_nt: Path | None, ontology_nt: Path):
    import pyoxigraph as ox

    from cchc_graph.store import OxigraphDataset
    dataset = OxigraphDataset()
    dataset.store.bulk_load(path=str(graph_nt), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(str(ASSERTED)))
    dataset.store.bulk_load(path=str(ontology_nt), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(str(ONTOLOGY_GRAPH)))
    if inferred_nt:
        dataset.store.bulk_load(path=str(inferred_nt), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(INFERRED_GRAPH))
    return dataset


def measure(n: int, runs: int) -> dict:
    import pyoxigraph as ox

    result: dict = {"plans": n}
    folders, graph_nt = corpus(n)
    WORK.mkdir(exist_ok=True)
    start = time.perf_counter()
    graph = build_graph(folders)
    result["build_s"] = time.perf_counter() - start
    start = time.perf_counter()
    write_graph(graph, graph_nt, "nt")
    result["serialize_nt_s"] = time.perf_counter() - start
    result["triples"] = len(graph)
    ontology = load_ontology()
    ontology_nt = WORK / "ontology.nt"
    write_graph(ontology, ontology_nt, "nt")
    del graph

    load_runs = runs if n <= 63 else 1
    for engine in ("oxigraph", "rdflib"):
        if engine == "rdflib" and n > RDFLIB_LOAD_MAX_PLANS:
            continue
        loads = [load_in_fresh_process(engine, [graph_nt]) for _ in range(load_runs)]
        result[f"load_{engine}_s"] = statistics.median(t for t, _ in loads)
        result[f"load_{engine}_peak_mb"] = max(m for _, m in loads)

    # Reasoning: the compiled rules inside Oxigraph (what `cchc-graph reason` does).
    dataset = oxigraph_dataset(graph_nt, None, ontology_nt)
    start = time.perf_counter()
    reason_in_store(dataset.store, ontology, str(ASSERTED), str(ONTOLOGY_GRAPH))
    result["reason_rules_s"] = time.perf_counter() - start
    inferred = list(dataset.store.quads_for_pattern(None, None, None, ox.NamedNode(INFERRED_GRAPH)))
    result["inferred_triples"] = len(inferred)
    if n <= 63:  # the whole OWL RL closure, for comparison (minutes at 630 plans)
        full = oxigraph_dataset(graph_nt, None, ontology_nt)
        start = time.perf_counter()
        reason_in_store(full.store, ontology, str(ASSERTED), str(ONTOLOGY_GRAPH), profile="full")
        result["reason_rules_full_s"] = time.perf_counter() - start
        result["inferred_triples_full"] = sum(1 for _ in full.store.quads_for_pattern(None, None, None, ox.NamedNode(INFERRED_GRAPH)))
        del full
    # The cache `reason` leaves beside the graph, so that `open_for_query` below takes the path `query` takes.
    inferred_bytes = dataset.dump_graph(INFERRED, inferred_path_for(graph_nt))
    write_stamp(graph_nt, inferred_path_for(graph_nt), DEFAULT_PROFILE, graph_nt.read_bytes(), inferred_bytes)
    inferred_nt = WORK / f"inferred-{n}.nt"
    ox.serialize([ox.Triple(q.subject, q.predicate, q.object) for q in inferred], str(inferred_nt), ox.RdfFormat.N_TRIPLES)
    del inferred
    if n == 1:
        from cchc_graph.reason import closure
        from cchc_graph.store import read_graph
        asserted = read_graph(graph_nt)
        result["reason_owlrl_s"] = median_time(lambda: closure(asserted, ontology, engine="owlrl", profile="full"), 1)

    opens = [open_in_fresh_process(graph_nt) for _ in range(load_runs)]
    result["open_for_query_s"] = statistics.median(t for t, _, _ in opens)
    result["open_for_query_peak_mb"] = max(m for _, m, _ in opens)
    result["open_for_query_quads"] = opens[0][2]
    start = time.perf_counter()
    dataset = oxigraph_dataset(graph_nt, inferred_nt, ontology_nt)
    result["load_for_query_oxigraph_s"] = time.perf_counter() - start
    engines = {"oxigraph": dataset}
    if n <= RDFLIB_QUERY_MAX_PLANS:
        from rdflib import Graph

        from cchc_graph.store import assemble
        start = time.perf_counter()
        asserted, inferred_graph = Graph().parse(graph_nt, format="nt"), Graph().parse(inferred_nt, format="nt")
        engines["rdflib"] = assemble(asserted, ontology, inferred_graph, engine="rdflib")
        result["load_for_query_rdflib_s"] = time.perf_counter() - start
    queries: dict = {}
    for label, name, params in query_cases(n):
        query = saved_queries()[name]
        for engine, store in engines.items():
            try:
                seconds = median_time(lambda: run_saved(query, params, lambda text: run_local(store, text)),
                                      runs if engine == "oxigraph" else 1)
            except Exception as exc:  # noqa: BLE001 — a benchmark records failures, it does not stop
                seconds = f"error: {exc}"
            queries.setdefault(label, {})[engine] = seconds
    result["queries_s"] = queries
    return result


def fmt(value, digits=2) -> str:
    if isinstance(value, (int, float)):
        return f"{value:.{digits}f}" if isinstance(value, float) else f"{value:,}"
    return "—" if value is None else str(value)


def ratio(a, b) -> str:
    return f"{a / b:.0f}×" if isinstance(a, float) and isinstance(b, float) and b > 0 else "—"


def markdown(results: list[dict]) -> str:
    lines = ["| step | " + " | ".join(f"{r['plans']} plan{'s' if r['plans'] > 1 else ''}" for r in results) + " |",
             "|---|" + "---|" * len(results)]

    def row(label, fn):
        lines.append(f"| {label} | " + " | ".join(fn(r) for r in results) + " |")

    row("triples (asserted)", lambda r: fmt(r["triples"]))
    row("triples (inferred)", lambda r: fmt(r["inferred_triples"]))
    row("build, s", lambda r: fmt(r["build_s"], 1))
    row("load N-Triples, Oxigraph, s", lambda r: fmt(r.get("load_oxigraph_s")))
    row("load N-Triples, rdflib, s", lambda r: fmt(r.get("load_rdflib_s")))
    row("load ratio rdflib / Oxigraph", lambda r: ratio(r.get("load_rdflib_s"), r.get("load_oxigraph_s")))
    row("peak memory of load, Oxigraph, MB", lambda r: fmt(r.get("load_oxigraph_peak_mb"), 0))
    row("peak memory of load, rdflib, MB", lambda r: fmt(r.get("load_rdflib_peak_mb"), 0))
    row("triples (inferred, full profile)", lambda r: fmt(r.get("inferred_triples_full")))
    row("reasoning, queries profile, compiled to SPARQL in Oxigraph, s", lambda r: fmt(r["reason_rules_s"], 1))
    row("reasoning, full profile, rules to a fixpoint in Oxigraph, s", lambda r: fmt(r.get("reason_rules_full_s"), 1))
    row("reasoning, owlrl (full closure), s", lambda r: fmt(r.get("reason_owlrl_s"), 1))
    row("load for querying (asserted + ontology + inferred N-Triples, strict), Oxigraph, s",
        lambda r: fmt(r["load_for_query_oxigraph_s"]))
    row("open for querying: `query`'s own path (graph file + fresh cache, digest checked), s",
        lambda r: fmt(r.get("open_for_query_s")))
    row("peak memory of opening for querying, MB", lambda r: fmt(r.get("open_for_query_peak_mb"), 0))
    row("load for querying, rdflib, s", lambda r: fmt(r.get("load_for_query_rdflib_s")))
    names = sorted({label for r in results for label in r["queries_s"]})
    for name in names:
        row(f"`{name}`, Oxigraph, ms", lambda r: fmt(_ms(r["queries_s"].get(name, {}).get("oxigraph")), 0))
        if any("rdflib" in r["queries_s"].get(name, {}) for r in results):
            row(f"`{name}`, rdflib, ms", lambda r: fmt(_ms(r["queries_s"].get(name, {}).get("rdflib")), 0))
            row(f"`{name}`, ratio rdflib / Oxigraph", lambda r: ratio(r["queries_s"].get(name, {}).get("rdflib"),
                                                                     r["queries_s"].get(name, {}).get("oxigraph")))
    return "\n".join(lines)


def _ms(value):
    return value * 1000 if isinstance(value, float) else value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 63, 630])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    results = []
    for n in args.sizes:
        print(f"measuring {n} plan(s)…", file=sys.stderr, flush=True)
        results.append(measure(n, args.runs))
    machine = {"python": platform.python_version(), "machine": platform.machine(),
               "cpus": len(__import__("os").sched_getaffinity(0))}
    try:
        import pyoxigraph
        import rdflib
        machine.update(rdflib=rdflib.__version__, pyoxigraph=pyoxigraph.__version__)
    except AttributeError:
        pass
    WORK.mkdir(exist_ok=True)
    (WORK / f"results-{'-'.join(map(str, args.sizes))}.json").write_text(
        json.dumps({"machine": machine, "results": results}, indent=1, default=str))
    print(json.dumps(machine))
    print(markdown(results))


if __name__ == "__main__":
    main()
