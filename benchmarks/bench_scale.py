"""Issue #17, item 5: one run at 1, 63 and 630 plans of everything a user feels, each `cchc-graph` command a fresh
process (wall time, CPU time, peak memory), in four stores — embedded in memory (the graph files), embedded on
disk (`build --store`), an Oxigraph server (filled by its bulk loader from `export --format nq`) and Virtuoso
(filled with `cchc-graph publish`) — with the
issue's targets checked from the figures.

    python benchmarks/bench_scale.py --sizes 1 63 630 --runs 3 [--skip virtuoso,server] \
        [--out benchmarks/results-DATE.json] [--markdown FILE]

For each size: the corpus (1 = a copy of data/ninh-binh-2023; N > 1 = N synthetic plans of synthetic.py, cached
in benchmarks/.work/plans-N), then `build`, `reason`, `validate --engine oxigraph` and `build --store`; per store
the open (a fresh process; for a server, its (re)start on the loaded database until it answers), the load of
the servers, every saved query warm (median of --runs, answers compared with the in-memory store's), every
question from a fresh `cchc-graph query` process end to end, the two whole-corpus exports streamed from a
fresh process (time to the first line, lines per second); then one plan changed and `build --store`, `reason`
and `validate` run again (incremental where the build says it is). Last, the one-plan sequence a newcomer
runs: build, reason, validate, one query, each a fresh process. Prints the figures as Markdown (the tables
of benchmarks/README.md) and writes them all as JSON.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_stores import fresh  # noqa: E402
from benchmarks.run import WORK, corpus, query_cases  # noqa: E402
from benchmarks.scale_report import STORES, markdown, targets  # noqa: E402
from benchmarks.timed_cli import CommandFailed, gnu_time, read_some, read_usage, run_cli, uptime  # noqa: E402
from cchc_graph.build import DEFAULT_PLAN  # noqa: E402
from cchc_graph.query import saved_queries  # noqa: E402
from cchc_graph.remote import oxigraph_binary, wait_for_port  # noqa: E402
from tests import virtuoso as vt  # noqa: E402
from tests.processes import stop_process  # noqa: E402

EXPORTS = ("plan-table", "products-by-type")  # whole-corpus exports when run without a parameter (issue #17)
SKIPPABLE = ("virtuoso", "server")
PUBLISH_TIMEOUT_S = 3600
PUBLISH_TIMEOUT = ["--timeout", str(PUBLISH_TIMEOUT_S), "--retries", "0"]
OPEN_TIMEOUT = 1800  # seconds for a warm worker to open its store (the in-memory one reads the whole corpus)


def log(message: str) -> None:
    print(f"[{dt.datetime.now(dt.timezone.utc):%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def is_export(name: str, params: dict) -> bool:
    return name in EXPORTS and not params


def param_args(params: dict) -> list[str]:
    return [arg for key, value in params.items() for arg in ("-p", f"{key}={value}")]


def plan_folders(n: int, work: Path) -> list[Path]:
    """The plan folders of the corpus of n plans. The one plan is a copy (the incremental step edits a plan, and
    must not touch the bundled one); synthetic corpora are made once and cached."""
    if n == 1:
        target = work / "plans-1" / DEFAULT_PLAN.name
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(DEFAULT_PLAN, target)
        return [target]
    return corpus(n)[0]


def count_from(pattern: str, text: str) -> int | None:
    found = re.search(pattern, text)
    return int(found.group(1).replace(",", "")) if found else None


def fresh_open(code: str) -> dict:
    """Seconds and peak memory of opening a store in a fresh process (bench_stores.fresh), or what failed."""
    try:
        seconds, peak = fresh(code)
        return {"s": seconds, "peak_mb": peak}
    except subprocess.CalledProcessError as exc:
        lines = (exc.stderr or "").strip().splitlines()
        return {"error": (lines[-1] if lines else str(exc))[:300]}


def median_run(make, runs: int):
    """The run of median wall time among `runs` fresh runs."""
    done = sorted((make() for _ in range(runs)), key=lambda run: run.wall_s)
    return done[(len(done) - 1) // 2], [run.wall_s for run in done]


def rates(run) -> dict:
    """A streamed CSV answer: when its first line came, and lines per second over the whole process and from
    the first line on (the stream itself; an answer collected whole and then written would show a late first
    line)."""
    streamed = run.wall_s - run.first_line_s if run.first_line_s is not None else 0
    return {"first_line_s": run.first_line_s, "lines_per_s": run.lines / run.wall_s if run.lines else None,
            "stream_lines_per_s": (run.lines - 1) / streamed if run.lines and run.lines > 1 and streamed > 0 else None}


# ------------------------------------------------------------------------------------------------ servers

class OxigraphServer:
    """`oxigraph serve` on a database folder of its own, on a free port of 127.0.0.1. `timeout`: the server ends
    a query itself after that long (a query the client gave up on would otherwise go on taking the CPU)."""

    def __init__(self, location: Path, port: int, timeout: int):
        self.location, self.port = location, port
        self.base = f"http://127.0.0.1:{port}"
        self.log = (location.parent / f"{location.name}.log").open("ab")
        self.process = subprocess.Popen([oxigraph_binary(), "serve", "--location", str(location), "--bind",
                                         f"127.0.0.1:{port}", "--timeout-s", str(timeout)],
                                        stdout=self.log, stderr=subprocess.STDOUT)
        wait_for_port("127.0.0.1", port, self.process, timeout=600)

    def stop(self) -> None:
        stop_process(self.process, timeout=60)
        self.log.close()


class WarmWorker:
    """warm_worker.py on one store, started when first asked; a query that gets no answer in time ends it (the
    next question starts another)."""

    def __init__(self, args: list, log_path: Path):
        self.args, self.log_path = [str(a) for a in args], log_path
        self.process: subprocess.Popen | None = None
        self.pending = b""

    def _line(self, deadline: float) -> str | None:
        while b"\n" not in self.pending:
            chunk = read_some(self.process.stdout.fileno(), deadline)
            if not chunk:  # None: out of time; b"": the worker ended
                return None
            self.pending += chunk
        line, self.pending = self.pending.split(b"\n", 1)
        return line.decode()

    def ask(self, job: dict, timeout: float) -> dict:
        if self.process is None:
            with self.log_path.open("ab") as log:
                self.process = subprocess.Popen([sys.executable, str(HERE / "warm_worker.py"), *self.args],
                                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log)
            if self._line(time.perf_counter() + OPEN_TIMEOUT) != "ready":
                self.stop()
                tail = self.log_path.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-1:]
                return {"error": f"the store did not open: {' '.join(tail)}"[:300]}
        self.process.stdin.write((json.dumps(job, ensure_ascii=False) + "\n").encode())
        self.process.stdin.flush()
        line = self._line(time.perf_counter() + timeout)
        if line is None:
            self.stop()
            return {"error": f"no answer within {timeout:g} s (stopped)"}
        return json.loads(line)

    def stop(self) -> None:
        if self.process is not None:
            self.process.stdin.close()
            stop_process(self.process, timeout=10)
            self.process.stdout.close()
            self.process, self.pending = None, b""


def timed_command(command: list) -> dict:
    """Another program than cchc-graph, in a fresh process under GNU time: wall, CPU and peak memory."""
    command = [str(part) for part in command]
    timer = gnu_time()
    with tempfile.TemporaryDirectory(prefix="bench-cmd-") as folder:
        usage = Path(folder) / "usage"
        began = time.perf_counter()
        done = subprocess.run([timer, "-f", "%e %U %S %M", "-o", str(usage), *command] if timer else command,
                              capture_output=True, text=True)
        wall = time.perf_counter() - began
        if done.returncode != 0:
            raise CommandFailed(f"{' '.join(command)}: exit {done.returncode}: {done.stderr.strip()[-300:]}")
        figures = read_usage(usage) if timer else None
    if figures:
        return {"wall_s": figures[0], "cpu_s": figures[1], "peak_mb": figures[2], "code": 0}
    return {"wall_s": wall, "cpu_s": None, "peak_mb": None, "code": 0}


def start_timed(start):
    began = time.perf_counter()
    server = start()
    return server, time.perf_counter() - began


# ------------------------------------------------------------------------------------------------ one size

def measure_size(n: int, args, help_text: str) -> dict:
    work = args.work / f"scale-{n}"
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    folders = plan_folders(n, args.work)
    graph, store = work / "graph.nt", work / "store"
    incremental_flag = ["--incremental"] if "--incremental" in help_text else []
    result: dict = {"plans": n, "steps": {}, "open": {}, "publish": {}, "queries": {}, "exports": {}}
    steps = result["steps"]

    log(f"{n} plan(s): build")
    run = run_cli(["build", *folders, "-o", graph, "--format", "nt"])
    steps["build"] = run.figures()
    result["triples_asserted"] = count_from(r"\((\d[\d,]*) triples\)", run.out.decode())
    log(f"{n} plan(s): reason")
    run = run_cli(["reason", "--graph", graph])
    steps["reason"] = run.figures()
    result["triples_inferred"] = count_from(r"\((\d[\d,]*) inferred triples\)", run.out.decode())
    log(f"{n} plan(s): validate --engine oxigraph")
    steps["validate"] = run_cli(["validate", "--graph", graph, "--engine", "oxigraph", "-o", work / "report.txt"],
                                ok=(0, 1)).figures()
    log(f"{n} plan(s): build --store")
    steps["build_store"] = run_cli(["build", *folders, "-o", graph, "--format", "nt", "--store", store,
                                    *incremental_flag]).figures()
    log(f"{n} plan(s): validate --graph STORE (the first: every plan, its findings cached per plan)")
    steps["validate_store"] = run_cli(["validate", "--graph", store, "--engine", "oxigraph",
                                       "-o", work / "report-store.txt"], ok=(0, 1)).figures()
    sizes = json.loads((store / "cchc-store.json").read_text(encoding="utf-8")).get("graphs", {})
    result["graph_sizes"] = sizes
    result["triples_for_querying"] = sum(sizes.values())

    targets_of = {"memory": ["--graph", graph], "disk": ["--graph", store]}
    remote_timeout = ["--timeout", str(args.query_timeout), "--retries", "0"]
    servers: list = []
    workers = {"memory": WarmWorker(["local", graph], work / "warm-memory.log"),
               "disk": WarmWorker(["local", store], work / "warm-disk.log")}
    try:
        log(f"{n} plan(s): open in memory and on disk (fresh processes)")
        result["open"]["memory"] = fresh_open(f"d = open_local(Path({str(graph)!r}))")
        result["open"]["disk"] = fresh_open(f"d = open_local(Path({str(store)!r})); "
                                            "next(iter(d.store.quads_for_pattern(None, None, None)))")

        def remote(url, where):
            return WarmWorker(["remote", url, args.query_timeout], work / f"warm-{where}.log")

        if "server" not in args.skip:
            # Filled by its bulk loader, as `serve` fills it and the README says for a corpus: `publish` (Graph
            # Store Protocol) into an Oxigraph server on RocksDB spent 79 s at 63 plans and over 11 min at 630,
            # most of it in the final switch, where the server copies each uploaded graph into place.
            log(f"{n} plan(s): Oxigraph server: bulk load (export --format nq, oxigraph load), start")
            from tests.test_remote import free_port
            location, dump = work / "oxigraph-server", work / "graphs.nq"
            exported = run_cli(["export", "--format", "nq", "--graph", store, "-o", dump]).figures()
            loaded = timed_command([oxigraph_binary(), "load", "--location", location, "--file", dump])
            dump.unlink()
            result["publish"]["server"] = {
                "wall_s": exported["wall_s"] + loaded["wall_s"],
                "cpu_s": (exported["cpu_s"] or 0) + (loaded["cpu_s"] or 0),
                "peak_mb": max(exported["peak_mb"] or 0, loaded["peak_mb"] or 0) or None,
                "export_nq": exported, "oxigraph_load": loaded, "code": loaded["code"]}
            server, seconds = start_timed(lambda: OxigraphServer(location, free_port(), args.query_timeout))
            servers.append(server)
            result["open"]["server"] = {"s": seconds, "what": "start on the loaded database until the port answers"}
            targets_of["server"] = ["--endpoint", server.base + "/query", *remote_timeout]
            workers["server"] = remote(server.base + "/query", "server")
        if "virtuoso" not in args.skip:
            if not vt.installed():
                result["publish"]["virtuoso"] = {"error": f"not installed ({vt.SERVER}, {vt.ISQL})"}
            else:
                log(f"{n} plan(s): Virtuoso: start, publish, restart")
                folder = work / "virtuoso"
                virtuoso = vt.VirtuosoServer(folder)
                servers.append(virtuoso)
                try:
                    result["publish"]["virtuoso"] = run_cli(["publish", "--graph", store, "--endpoint", virtuoso.crud,
                                                             "--update-endpoint", virtuoso.sparql,
                                                             *PUBLISH_TIMEOUT]).figures()
                except CommandFailed as exc:  # recorded, and the other stores measured all the same
                    result["publish"]["virtuoso"] = {"error": str(exc)[:600]}
                    virtuoso.stop()
                    servers.remove(virtuoso)
                    virtuoso = None
                if virtuoso is not None:
                    virtuoso.isql("checkpoint;")  # so that the restart reads its database, not the transaction log
                    virtuoso.stop()
                    servers.remove(virtuoso)
                    virtuoso, seconds = start_timed(lambda: vt.VirtuosoServer(folder, timeout=600))
                    servers.append(virtuoso)
                    result["open"]["virtuoso"] = {"s": seconds,
                                                  "what": "restart on the loaded database until SPARQL answers"}
                    targets_of["virtuoso"] = ["--endpoint", virtuoso.sparql, *remote_timeout]
                    workers["virtuoso"] = remote(virtuoso.sparql, "virtuoso")

        cases = query_cases(n)
        log(f"{n} plan(s): {len(cases)} queries warm, {args.runs} run(s) each, in {', '.join(workers)}")
        for label, name, params in cases:
            entry = result["queries"][label] = {"query": name, "params": params, "export": is_export(name, params)}
            reference = None
            for where, worker in workers.items():
                got = worker.ask({"query": name, "params": params, "runs": args.runs}, args.query_timeout * args.runs)
                if "error" in got:
                    entry[where] = {"error": got["error"]}
                    continue
                if reference is None:  # the in-memory answer, unless that one failed
                    reference = got["digest"]
                    entry["reference"] = where
                entry[where] = {"warm_s": got["s"], "rows": got["rows"], "same": got["digest"] == reference}
        for worker in workers.values():
            worker.stop()

        log(f"{n} plan(s): questions and exports from fresh processes ({args.fresh_runs} run(s) each)")
        for label, entry in result["queries"].items():
            name, params = entry["query"], entry["params"]
            if args.fresh_queries and name not in args.fresh_queries and not entry["export"]:
                continue
            for where in workers:
                if "error" in entry.get(where, {}):
                    continue  # failed warm already (a remote timeout, say): not waited for again
                command = ["query", name, *param_args(params), *targets_of[where], "--format", "csv"]
                try:
                    run, walls = median_run(lambda: run_cli(command, csv_out=True, ok=(0, 1), keep_out=False,
                                                            timeout=args.query_timeout + 600), args.fresh_runs)
                    figures = {"fresh_s": run.wall_s, "fresh_runs_s": walls, "fresh_cpu_s": run.cpu_s,
                               "fresh_peak_mb": run.peak_mb, "fresh_lines": run.lines}
                    if entry["export"]:
                        figures.update(rates(run))
                    entry.setdefault(where, {}).update(figures)
                except CommandFailed as exc:
                    entry.setdefault(where, {})["fresh_error"] = str(exc)[:300]
        for where in ("memory", "disk"):  # `export --format csv`, the command made for the table
            try:
                run, walls = median_run(lambda: run_cli(["export", "--format", "csv", *targets_of[where]], csv_out=True,
                                                        keep_out=False, timeout=args.query_timeout + 600),
                                        args.fresh_runs)
                result["exports"][where] = {**run.figures(), "runs_s": walls, **rates(run)}
            except CommandFailed as exc:
                result["exports"][where] = {"error": str(exc)[:300]}
    finally:
        for worker in workers.values():
            worker.stop()
        for server in servers:
            server.stop()

    log(f"{n} plan(s): one plan changed, build --store again")
    result["incremental"] = incremental(folders, graph, store, work, help_text, incremental_flag)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return result


# ------------------------------------------------------------------------------------------------ incremental

def change_one_row(table: Path) -> str:
    """Edit the product cell of the plan's first row that has one (what a user correcting a plan does); the
    row id edited."""
    with table.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        columns, rows = reader.fieldnames, list(reader)
    row = next(r for r in rows if r.get("product", "").strip())
    row["product"] = row["product"].rstrip() + " (đã sửa)"
    out = io.StringIO()
    writer = csv.DictWriter(out, columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    table.write_text(out.getvalue(), encoding="utf-8")
    return row["row_id"]


def on_store_or_graph(command: list, store: Path, graph: Path, **options):
    """Run a command on the store (`--graph DIR`); where it takes only the graph file, on the file."""
    try:
        return run_cli([*command, "--graph", store], **options), "store"
    except CommandFailed as first:
        try:
            return run_cli([*command, "--graph", graph], **options), "graph file"
        except CommandFailed:
            raise first from None


def incremental(folders: list[Path], graph: Path, store: Path, work: Path, help_text: str, flag: list[str]) -> dict:
    """One plan's table changed, then `build --store`, `reason` and `validate` again. "available" when the
    build says it rebuilt incrementally (its --help or its output says so); the times are reported either way."""
    table = folders[-1] / "table.csv"
    original = table.read_bytes()
    try:
        row = change_one_row(table)
        # The store alone, as a user who works on the store rebuilds it: -o would write the whole graph file
        # out again (benchmarks/README.md, "Incremental builds").
        build = run_cli(["build", *folders, "--store", store, *flag])
        reason, reason_on = on_store_or_graph(["reason"], store, graph)
        validate, validate_on = on_store_or_graph(["validate", "--engine", "oxigraph", "-o", work / "report-after.txt"],
                                                  store, graph, ok=(0, 1))
    except CommandFailed as exc:
        return {"status": "failed", "error": str(exc)[:300]}
    finally:
        table.write_bytes(original)
    said = build.out.decode(errors="replace") + build.err
    # Said in its help ("only the plans whose files changed are built again") or in what it printed
    # ("rebuilt 1 plan(s); kept 62").
    available = bool(re.search(r"incremental|only the plans whose files changed", help_text, re.I) or
                     re.search(r"incremental|unchanged|reused|\bkept \d", said, re.I))
    steps = {"build_store": build.figures(), "reason": reason.figures(), "validate": validate.figures()}
    return {"status": "available" if available else "not available", "changed": f"{folders[-1].name} row {row}",
            "reason_on": reason_on, "validate_on": validate_on, "steps": steps,
            "total_s": sum(step["wall_s"] for step in steps.values()),
            "build_said": said.strip().splitlines()[-3:]}


# ------------------------------------------------------------------------------------------------ one plan

ONE_PLAN_STEPS = ("build", "reason", "validate", "query plan-summary")


def one_plan(runs: int, work: Path) -> dict:
    """What someone starting with the bundled plan runs, each a fresh process with the default options:
    build, reason, validate (pySHACL), one query; and validate with --engine oxigraph beside it."""
    folder = work / "one-plan"
    graph = folder / "graph.ttl"
    walls: dict[str, list[float]] = {}
    last: dict[str, dict] = {}
    commands = {"build": (["build", "-o", graph], (0,)),
                "reason": (["reason", "--graph", graph], (0,)),
                "validate": (["validate", "--graph", graph], (0, 1)),
                "query plan-summary": (["query", "plan-summary", "--graph", graph, "--format", "csv"], (0,)),
                "validate --engine oxigraph": (["validate", "--graph", graph, "--engine", "oxigraph"], (0, 1))}
    for _ in range(runs):
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        for step, (command, ok) in commands.items():
            run = run_cli(command, ok=ok)
            walls.setdefault(step, []).append(run.wall_s)
            last[step] = run.figures()
    shutil.rmtree(folder, ignore_errors=True)
    steps = {step: {**last[step], "wall_s": statistics.median(walls[step]), "runs_s": walls[step]} for step in commands}
    return {"steps": steps, "total_s": sum(steps[s]["wall_s"] for s in ONE_PLAN_STEPS),
            "total_oxigraph_s": sum(steps[s if s != "validate" else "validate --engine oxigraph"]["wall_s"]
                                    for s in ONE_PLAN_STEPS)}


# ------------------------------------------------------------------------------------------------ machine

def machine() -> dict:
    import pyoxigraph
    import rdflib

    info = {"python": platform.python_version(), "machine": platform.machine(), "kernel": platform.release(),
            "cpus": len(os.sched_getaffinity(0)), "rdflib": rdflib.__version__, "pyoxigraph": pyoxigraph.__version__}
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        model = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        info["cpu"] = model.group(1).strip() if model else None
    for key, command in (("oxigraph_server", [oxigraph_binary(), "--version"]), ("virtuoso", [vt.SERVER, "-?"])):
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=30)
            text = (done.stdout + done.stderr).strip()
            version = re.search(r"(?:Version |oxigraph )(\S+)", text)
            info[key] = version.group(1) if version else text.splitlines()[0]
        except (OSError, subprocess.SubprocessError):
            info[key] = None
    return info


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 63, 630])
    parser.add_argument("--runs", type=int, default=3, help="runs of each warm query (the median is kept)")
    parser.add_argument("--fresh-runs", type=int, default=1,
                        help="runs of each fresh `cchc-graph query` process (the median is kept)")
    parser.add_argument("--skip", default="", help=f"comma-separated stores left out: {', '.join(SKIPPABLE)}")
    parser.add_argument("--fresh-queries", default="",
                        help="comma-separated saved queries run from fresh processes (default: every question; "
                             "the exports always)")
    parser.add_argument("--query-timeout", type=int, default=300,
                        help="seconds one run of a query may take on any store before it is stopped and recorded as "
                             "failed (default 300)")
    parser.add_argument("--out", type=Path, help="the JSON of all figures (default: benchmarks/.work/scale-SIZES.json)")
    parser.add_argument("--markdown", type=Path, help="also write the Markdown tables to this file")
    parser.add_argument("--work", type=Path, default=WORK, help="working folder (default: benchmarks/.work)")
    parser.add_argument("--keep", action="store_true", help="keep each size's graph, store and servers' folders")
    args = parser.parse_args(argv)
    args.skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    unknown = args.skip - set(SKIPPABLE)
    if unknown:
        parser.error(f"--skip {','.join(sorted(unknown))}: unknown; the stores that can be skipped are "
                     f"{', '.join(SKIPPABLE)}")
    args.fresh_queries = {s.strip() for s in args.fresh_queries.split(",") if s.strip()}
    unknown = args.fresh_queries - set(saved_queries())
    if unknown:
        parser.error(f"--fresh-queries {','.join(sorted(unknown))}: no such saved query (cchc-graph queries lists them)")
    args.work = args.work.resolve()
    # Ended by a signal, the servers and workers are stopped all the same (the finally blocks run).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    args.work.mkdir(parents=True, exist_ok=True)

    started = time.perf_counter()
    help_text = subprocess.run([str(Path(sys.executable).parent / "cchc-graph"), "build", "--help"],
                               capture_output=True, text=True).stdout
    result: dict = {"command": "python benchmarks/bench_scale.py " + " ".join(argv if argv is not None else sys.argv[1:]),
                    "date": f"{dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC", "load_start": uptime(),
                    "machine": machine(), "stores": [s for s in STORES if s not in args.skip], "sizes": []}
    out = args.out or args.work / f"scale-{'-'.join(map(str, args.sizes))}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    for n in args.sizes:
        result["sizes"].append(measure_size(n, args, help_text))
        # Each size's figures kept as soon as they are there: a run that breaks later loses only what is left.
        partial.write_text(json.dumps(result, indent=1, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    log("one plan: build, reason, validate, query, each a fresh process")
    result["one_plan"] = one_plan(args.runs, args.work)
    result["load_end"] = uptime()
    result["elapsed_s"] = time.perf_counter() - started
    result["targets"] = targets(result)
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    partial.unlink(missing_ok=True)
    text = markdown(result)
    if args.markdown:
        args.markdown.write_text(text + "\n", encoding="utf-8")
    print(text)
    log(f"done in {result['elapsed_s']:.0f} s; figures in {out}")
    return result


if __name__ == "__main__":
    main()
