"""The store of plan graphs at size (issue #17, items 2 and 5): a build from scratch on both cores, then one
plan changed: rebuild (which reasons the plan again; the store only, without -o) and validate, each a fresh
`cchc-graph` process; then another plan changed and the rebuild with `-o` (the graph file written too).

    python benchmarks/bench_incremental.py 63
    python benchmarks/bench_incremental.py 630

The synthetic corpus (benchmarks/synthetic.py) is copied, so its cached folders are not changed.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.run import corpus  # noqa: E402

CLI = [sys.executable, "-m", "cchc_graph.cli"]


def timed(args: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(CLI + args, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(args[:2])} failed: {done.stderr}")
    return seconds, done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


def change_one_cell(folder: Path) -> None:
    path = folder / "table.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    rows[2]["product"] += " (bản sửa)"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 63
    source, _ = corpus(n)
    with tempfile.TemporaryDirectory(prefix="cchc-bench-incremental-") as work:
        plans = Path(work) / "plans"
        shutil.copytree(source[0].parent, plans)
        folders = [str(p) for p in sorted(plans.iterdir()) if p.is_dir()]
        build = ["build", *folders, "-o", f"{work}/graph.nt", "--format", "nt", "--store", f"{work}/store", "--quiet"]
        validate = ["validate", "--graph", f"{work}/store", "--engine", "oxigraph", "--format", "json", "-o",
                    f"{work}/findings.json"]
        store_only = [arg for arg in build if arg != "--quiet"]
        store_only[store_only.index("-o"):store_only.index("--store")] = []  # the store only: no graph file
        load = os.getloadavg()
        scratch, _ = timed(build)
        first_validation, _ = timed(validate)
        change_one_cell(plans / Path(folders[len(folders) // 2]).name)
        rebuild, _ = timed(store_only)
        again, _ = timed(validate)
        change_one_cell(plans / Path(folders[len(folders) // 3]).name)
        with_file, _ = timed(build[:-1])
        said = subprocess.run(CLI + store_only, capture_output=True, text=True).stdout.strip().splitlines()[-1]
        print(f"plans: {n}; load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; after: "
              f"{' '.join(f'{v:.2f}' for v in os.getloadavg())}")
        print(f"build from scratch (--store and -o, {os.cpu_count()} cores): {scratch:.1f} s")
        print(f"validate, first (full, fills the cache): {first_validation:.1f} s")
        print(f"one plan changed: rebuild + reason (the store only) {rebuild:.1f} s, validate {again:.1f} s, "
              f"in all {rebuild + again:.1f} s")
        print(f"another plan changed: rebuild + reason with -o (the graph file written too) {with_file:.1f} s")
        print(f"(an unchanged rebuild says: {said})")


if __name__ == "__main__":
    main()
