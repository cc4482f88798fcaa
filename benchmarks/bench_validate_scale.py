"""Validation at size (issue #6): pySHACL against the oxigraph engine on 1, 63 and 630 plans.

    python benchmarks/bench_validate_scale.py                      # 1, 63 and 630 plans
    python benchmarks/bench_validate_scale.py --sizes 1 63 --runs 5

Corpora: 1 = data/ninh-binh-2023; N > 1 = N synthetic plans (benchmarks/synthetic.py), generated and built once
into benchmarks/.work/validate/ (git-ignored) and reused while their plan folders are there.
Each run is a fresh process that does what `cchc-graph validate --graph G --engine E` does: read the graph
(rdflib for pyshacl, Oxigraph for oxigraph), validate, and render the Vietnamese text report. The figure is the
wall time of that process (Python start-up and imports included), the median of --runs runs; CPU time and peak
memory (ru_maxrss) come from the process itself. pySHACL runs once, and only up to --pyshacl-max plans: on
63 plans it takes minutes, on 630 it would take over half an hour. Where both engines ran, their findings
(focus, path, value, component, shape, severity, messages) are compared.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "benchmarks" / ".work" / "validate"
sys.path.insert(0, str(ROOT))

RUNNER = r"""
import json, pickle, resource, sys, time
start = time.perf_counter()
from pathlib import Path
from cchc_graph.validate import render_report, validate_files
graph, engine, keys_out = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
loaded = time.perf_counter()
outcome = validate_files([graph], engine=engine)
validated = time.perf_counter()
text = render_report(outcome, "vi")
rendered = time.perf_counter()
keys = {(str(f.focus), f.path_text, None if f.value is None else f.value.n3(), str(f.component), str(f.shape),
         f.severity, f.messages) for f in outcome.findings}
pickle.dump(keys, open(keys_out, "wb"))
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"validate": validated - loaded, "render": rendered - validated, "findings": len(outcome.findings),
                  "counts": outcome.counts(), "cpu": usage.ru_utime + usage.ru_stime, "maxrss_mb": usage.ru_maxrss / 1024}))
"""


def corpus(size: int) -> tuple[Path, int, float | None]:
    """(graph file, triples, build seconds or None when reused)."""
    from cchc_graph.build import DEFAULT_PLAN

    WORK.mkdir(parents=True, exist_ok=True)
    graph = WORK / f"graph-{size}.nt"
    plans = WORK / f"plans-{size}"
    if size == 1:
        folders = [DEFAULT_PLAN]
    else:
        if not plans.is_dir() or len(list(plans.iterdir())) != size:
            from synthetic import generate
            generate(size, plans)
            graph.unlink(missing_ok=True)
        folders = sorted(plans.iterdir())
    seconds = None
    if not graph.exists():
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "cchc_graph.cli", "build", *map(str, folders), "-o", str(graph),
                        "--format", "nt", "--quiet"], cwd=ROOT, check=True)
        seconds = time.perf_counter() - start
    with graph.open("rb") as handle:
        triples = sum(1 for _ in handle)
    return graph, triples, seconds


def run(graph: Path, engine: str, keys_out: Path) -> dict:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", RUNNER, str(graph), engine, str(keys_out)], cwd=ROOT, check=True,
                          capture_output=True, text=True)
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    figures["wall"] = time.perf_counter() - start
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 63, 630])
    parser.add_argument("--runs", type=int, default=3, help="runs of the oxigraph engine (median)")
    parser.add_argument("--pyshacl-max", type=int, default=63, help="largest corpus pySHACL is run on (once)")
    args = parser.parse_args()

    import pyoxigraph
    import pyshacl
    import rdflib

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    print(f"machine: {os.cpu_count()} CPU(s) (nproc), {cpu}, {platform.system()} {platform.release()}; "
          f"load average at start {os.getloadavg()[0]:.2f}")
    print(f"python {platform.python_version()}, pyshacl {pyshacl.__version__}, rdflib {rdflib.__version__}, "
          f"pyoxigraph {pyoxigraph.__version__}")
    print()
    print("| Plans | Triples | Engine | Runs | Wall (median) | of which validate / render | CPU | Peak memory | Findings | Same findings |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            graph, triples, built = corpus(size)
            if built is not None:
                print(f"(built {size} plan(s) in {built:.1f} s)", file=sys.stderr)
            keys = {}
            for engine in ("pyshacl", "oxigraph"):
                if engine == "pyshacl" and size > args.pyshacl_max:
                    print(f"| {size} | {triples:,} | pyshacl | – | not run (over --pyshacl-max {args.pyshacl_max}) "
                          f"| | | | | |")
                    continue
                runs = 1 if engine == "pyshacl" and size > 1 else args.runs
                out = Path(tmp) / f"{engine}-{size}.pkl"
                results = [run(graph, engine, out) for _ in range(runs)]
                keys[engine] = pickle.loads(out.read_bytes())
                wall = statistics.median(r["wall"] for r in results)
                pick = min(results, key=lambda r: abs(r["wall"] - wall))
                same = ""
                if len(keys) == 2:
                    same = "yes" if keys["pyshacl"] == keys["oxigraph"] else \
                        f"NO ({len(keys['pyshacl'] - keys['oxigraph'])} / {len(keys['oxigraph'] - keys['pyshacl'])} differ)"
                walls = ", ".join(f"{r['wall']:.1f}" for r in results)
                print(f"| {size} | {triples:,} | {engine} | {runs} | **{wall:.1f} s** ({walls}) "
                      f"| {pick['validate']:.1f} / {pick['render']:.1f} s | {pick['cpu']:.1f} s | {pick['maxrss_mb']:.0f} MB "
                      f"| {pick['findings']} | {same} |", flush=True)
    print(f"\nload average at end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
