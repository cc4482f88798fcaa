"""Issue #17: streamed answers. Each command runs as a fresh `cchc-graph` process writing CSV to a pipe; the
pipe is read record by record (csv.reader: a quoted cell may hold a line break) and timed from the start of
the process: the header, the first row, the last row, and the rows per second.

    python benchmarks/bench_streaming.py --graph benchmarks/.work/store-63 --runs 3
    python benchmarks/bench_streaming.py --graph benchmarks/.work/graph-63.ttl --runs 3   # the graph files

Prints one Markdown line per command (medians of --runs) and the load average before and after. The
commands run as `python -m cchc_graph.cli`, so PYTHONPATH=DIR times another copy of the code (a commit
before a change).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

COMMANDS = {
    "query plan-table --format csv": ["query", "plan-table", "--format", "csv"],
    "query products-by-type --format csv": ["query", "products-by-type", "--format", "csv"],
    "export --format csv": ["export", "--format", "csv"],
}


def timed(args: list[str]) -> dict:
    """One fresh process: seconds from its start to the header, the first row and the last row; rows."""
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "cchc_graph.cli", *args], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    reader = csv.reader(io.TextIOWrapper(process.stdout, encoding="utf-8", newline=""))
    marks, rows = [], 0
    for _ in reader:
        if len(marks) < 2:
            marks.append(time.perf_counter() - start)
        rows += 1
    end = time.perf_counter() - start
    if process.wait() != 0:
        raise SystemExit(f"{' '.join(args)}: exit {process.returncode}: {process.stderr.read().decode()[-400:]}")
    rows -= 1  # the header
    first_row = marks[1] if len(marks) > 1 else end
    return {"header": marks[0], "first_row": first_row, "end": end, "rows": rows,
            "rate": rows / end, "rate_streaming": rows / max(end - first_row, 1e-9)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graph", required=True, help="a graph file or an on-disk store (build --store)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    load_before = os.getloadavg()
    print("| command | rows | header | first row | whole answer | rows/s end to end | rows/s once streaming |")
    print("|---|---|---|---|---|---|---|")
    for label, command in COMMANDS.items():
        runs = [timed([*command, "--graph", args.graph]) for _ in range(args.runs)]
        med = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
        print(f"| `{label}` | {runs[0]['rows']:,} | {med['header']:.2f} s | {med['first_row']:.2f} s | "
              f"{med['end']:.2f} s | {med['rate']:,.0f} | {med['rate_streaming']:,.0f} |", flush=True)
    print(f"\nload average (1, 5, 15 min): before {', '.join(f'{v:.2f}' for v in load_before)}, "
          f"after {', '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
