"""The figures of bench_scale.py as the Markdown tables of benchmarks/README.md, and issue #17's targets checked
from them (target, figure, met or not)."""

from __future__ import annotations

import re

STORES = ("memory", "disk", "server", "virtuoso")
STORE_NAMES = {"memory": "in memory", "disk": "on disk", "server": "Oxigraph server", "virtuoso": "Virtuoso"}
QUESTION_FRESH_S, QUESTION_WARM_S = 1.5, 0.3
EXPORT_LINES_PER_S, EXPORT_FIRST_LINE_S = 40_000, 0.5
REBUILD_S, BUILD_S, PEAK_MB, ONE_PLAN_S = 10, 60, 1024, 2


def secs(value, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f} s"


def step_cell(figures: dict | None) -> str:
    """wall (CPU, peak) of a fresh process."""
    if not figures:
        return "—"
    if "error" in figures:
        return "error: " + figures["error"][:80]
    extra = [f"CPU {figures['cpu_s']:.1f} s" if figures.get("cpu_s") is not None else None,
             f"{figures['peak_mb']:,.0f} MB" if figures.get("peak_mb") is not None else None]
    extra = [e for e in extra if e]
    return f"{figures['wall_s']:.2f} s" + (f" ({', '.join(extra)})" if extra else "")


def plans_label(n: int) -> str:
    return f"{n} plan" + ("s" if n > 1 else "")


def questions(size: dict) -> list[tuple[str, dict]]:
    return [(label, entry) for label, entry in size["queries"].items() if not entry["export"]]


def exports(size: dict) -> list[tuple[str, dict]]:
    return [(label, entry) for label, entry in size["queries"].items() if entry["export"]]


def stores_of(result: dict) -> list[str]:
    return [s for s in STORES if s in result["stores"] and any(s in e for z in result["sizes"] for e in z["queries"].values())]


# ------------------------------------------------------------------------------------------------ targets

def _worst(size: dict, store: str, key: str) -> tuple[float, str, int] | None:
    """(worst figure, its query, how many questions measured) on a store."""
    figures = [(entry[store][key], label) for label, entry in questions(size)
               if isinstance(entry.get(store, {}).get(key), float)]
    if not figures:
        return None
    value, label = max(figures)
    return value, label, len(figures)


def _failed_keys(key: str) -> tuple[str, ...]:
    return ("error", "fresh_error") if key == "fresh_s" else ("error",)


def _tried(size: dict, store: str, key: str) -> int:
    """How many questions were run on a store for this figure (measured or failed)."""
    return sum(1 for _, entry in questions(size) if store in entry
               and (key in entry[store] or any(f in entry[store] for f in _failed_keys(key))))


def _over(size: dict, store: str, key: str, limit: float) -> list[str]:
    """The questions at or over the limit on a store, and those that failed there (a miss too)."""
    failed = _failed_keys(key)
    found = sorted(((entry[store].get(key, float("inf")), label) for label, entry in questions(size) if store in entry
                    and (any(f in entry[store] for f in failed)
                         or isinstance(entry[store].get(key), float) and entry[store][key] >= limit)), reverse=True)
    return [f"{label} {value:.2f} s" if value != float("inf") else f"{label} failed" for value, label in found]


def _per_store(result, size, key: str, limit: float) -> tuple[list[str], list[str]]:
    """(figure per store, stores where every question is under the limit)."""
    parts, meeting = [], []
    for store in stores_of(result):
        worst = _worst(size, store, key)
        if worst is None:
            continue
        over = _over(size, store, key, limit)
        text = f"{STORE_NAMES[store]}: worst {worst[0]:.2f} s ({worst[1]})"
        if over:
            more = f" and {len(over) - 5} more" if len(over) > 5 else ""
            text += f", {len(over)} of {_tried(size, store, key)} at or over {limit:g} s or failed: {', '.join(over[:5])}{more}"
        parts.append(text)
        if not over:
            meeting.append(STORE_NAMES[store])
    return parts, meeting


def _verdict(meeting: list[str], measured: bool) -> bool | None:
    return None if not measured else bool(meeting)


def targets(result: dict) -> list[dict]:
    """Issue #17's targets at the largest size measured (the issue sets them at 630 plans), and the one-plan one."""
    rows = []
    size = max(result["sizes"], key=lambda s: s["plans"]) if result["sizes"] else None
    at = f" ({plans_label(size['plans'])})" if size else ""
    if size:
        parts, meeting = _per_store(result, size, "fresh_s", QUESTION_FRESH_S)
        rows.append({"target": f"a question from a fresh `cchc-graph query` process, end to end, < {QUESTION_FRESH_S:g} s{at}",
                     "figure": "; ".join(parts) + (f" — met on {', '.join(meeting)}" if meeting else ""),
                     "met": _verdict(meeting, bool(parts))})
        parts, meeting = _per_store(result, size, "warm_s", QUESTION_WARM_S)
        rows.append({"target": f"warm, every question < {QUESTION_WARM_S:g} s{at}",
                     "figure": "; ".join(parts) + (f" — met on {', '.join(meeting)}" if meeting else ""),
                     "met": _verdict(meeting, bool(parts))})
        parts, meeting = [], []
        for store in stores_of(result):
            cells, good = [], True
            for label, entry in exports(size):
                figure = entry.get(store, {})
                if figure.get("stream_lines_per_s") is None or figure.get("first_line_s") is None:
                    good = False
                    continue
                cells.append(f"{label} first line {figure['first_line_s']:.2f} s, then "
                             f"{figure['stream_lines_per_s']:,.0f} lines/s")
                good = (good and figure["stream_lines_per_s"] >= EXPORT_LINES_PER_S
                        and figure["first_line_s"] < EXPORT_FIRST_LINE_S)
            if cells:
                parts.append(f"{STORE_NAMES[store]}: " + ", ".join(cells))
                if good:
                    meeting.append(STORE_NAMES[store])
        rows.append({"target": f"exports from a fresh process: first line < {EXPORT_FIRST_LINE_S:g} s, then ≥ "
                               f"{EXPORT_LINES_PER_S:,} lines/s{at}",
                     "figure": "; ".join(parts) + (f" — met on {', '.join(meeting)}" if meeting else ""),
                     "met": _verdict(meeting, bool(parts))})
        inc = size.get("incremental", {})
        if inc.get("status") == "available":
            figure = (f"{inc['total_s']:.1f} s: build --store {inc['steps']['build_store']['wall_s']:.1f} + reason "
                      f"{inc['steps']['reason']['wall_s']:.1f} + validate {inc['steps']['validate']['wall_s']:.1f} s")
            met = inc["total_s"] < REBUILD_S
        elif inc.get("status") == "not available":
            figure = f"not available: without an incremental build the same steps take {inc['total_s']:.1f} s"
            met = False
        else:
            figure, met = f"failed: {inc.get('error', 'not run')}", False
        rows.append({"target": f"rebuild + reason + validate after one plan changed < {REBUILD_S} s{at}",
                     "figure": figure, "met": met})
        figures = []
        for step, label in (("build", "`build`"), ("build_store", "`build --store` into a new store")):
            run = size["steps"][step]
            cores = f", CPU {run['cpu_s']:.1f} s ({run['cpu_s'] / run['wall_s']:.1f} cores busy)" if run.get("cpu_s") else ""
            figures.append(f"{label} {run['wall_s']:.1f} s{cores}")
        fastest = min(size["steps"][step]["wall_s"] for step in ("build", "build_store"))
        rows.append({"target": f"build from scratch (both cores) < {BUILD_S} s{at}",
                     "figure": "; ".join(figures), "met": fastest < BUILD_S})
        peak = peak_memory(size)
        rows.append({"target": f"peak memory < 1 GB{at}",
                     "figure": f"{peak[0]:,.0f} MB ({peak[1]})" if peak else "not measured (no GNU time)",
                     "met": None if not peak else peak[0] < PEAK_MB})
    one = result.get("one_plan")
    if one:
        steps = one["steps"]
        figure = " + ".join(f"{steps[s]['wall_s']:.2f}" for s in ("build", "reason", "validate", "query plan-summary"))
        rows.append({"target": f"one plan: build + reason + validate + one query, each a fresh process, < {ONE_PLAN_S} s",
                     "figure": f"{figure} = {one['total_s']:.2f} s (with `validate --engine oxigraph`: "
                               f"{one['total_oxigraph_s']:.2f} s)",
                     "met": one["total_s"] < ONE_PLAN_S})
    return rows


STEP_NAMES = {"build_store": "build --store", "validate_store": "validate --graph STORE"}


def peak_memory(size: dict) -> tuple[float, str] | None:
    """The largest peak of any `cchc-graph` process (or fresh open) at this size, and which."""
    found = []
    for step, figures in size["steps"].items():
        found.append((figures.get("peak_mb"), f"`{STEP_NAMES.get(step, step)}`"))
    for store, figures in size["publish"].items():
        found.append((figures.get("peak_mb"), f"{'bulk load' if store == 'server' else '`publish`'} to {STORE_NAMES[store]}"))
    for store, figures in size["open"].items():
        found.append((figures.get("peak_mb"), f"open {STORE_NAMES[store]}"))
    for label, entry in size["queries"].items():
        for store in STORES:
            found.append((entry.get(store, {}).get("fresh_peak_mb"), f"`query {label}` {STORE_NAMES[store]}"))
    for store, figures in size["exports"].items():
        found.append((figures.get("peak_mb"), f"`export` {STORE_NAMES[store]}"))
    for step, figures in size.get("incremental", {}).get("steps", {}).items():
        found.append((figures.get("peak_mb"), f"after one plan changed, `{step.replace('_', ' --')}`"))
    found = [f for f in found if f[0] is not None]
    return max(found) if found else None


# ------------------------------------------------------------------------------------------------ Markdown

def markdown(result: dict) -> str:
    sizes = result["sizes"]
    stores = stores_of(result)
    m = result["machine"]
    lines = [f"Run on {result['date']}: `{result['command']}`, {result['elapsed_s'] / 60:.1f} min in all.",
             f"Machine: {m['cpus']} CPUs ({m.get('cpu')}), {m['machine']}, Linux {m['kernel']}; Python {m['python']}, "
             f"rdflib {m['rdflib']}, pyoxigraph {m['pyoxigraph']}, Oxigraph server {m.get('oxigraph_server')}, "
             f"Virtuoso {m.get('virtuoso')}.",
             f"Load at the start: `{result['load_start']}`; at the end: `{result['load_end']}`.", ""]
    if sizes:
        lines += _steps_table(sizes, stores)
        for size in sizes:
            lines += ["", *_queries_table(size, stores), "", *_exports_table(size, stores)]
    if result.get("one_plan"):
        lines += ["", *_one_plan_table(result["one_plan"])]
    lines += ["", "| target | figure | |", "|---|---|---|"]
    for row in result["targets"]:
        verdict = {True: "met", False: "not met", None: "not measured"}[row["met"]]
        lines.append(f"| {row['target']} | {row['figure']} | {verdict} |")
    return "\n".join(lines)


def _steps_table(sizes: list[dict], stores: list[str]) -> list[str]:
    lines = ["| step (fresh process: wall, CPU, peak memory) | " + " | ".join(plans_label(s["plans"]) for s in sizes) + " |",
             "|---|" + "---|" * len(sizes)]

    def row(label, fn):
        lines.append(f"| {label} | " + " | ".join(fn(s) for s in sizes) + " |")

    row("triples: asserted / inferred / what a query sees", lambda s: " / ".join(
        f"{v:,}" if v is not None else "—" for v in (s.get("triples_asserted"), s.get("triples_inferred"),
                                                     s.get("triples_for_querying"))))
    row("`build`", lambda s: step_cell(s["steps"]["build"]))
    row("`reason`", lambda s: step_cell(s["steps"]["reason"]))
    row("`validate --engine oxigraph`", lambda s: step_cell(s["steps"]["validate"]))
    row("`build --store` (the build again, the store written)", lambda s: step_cell(s["steps"]["build_store"]))
    row("`validate --graph STORE --engine oxigraph`, the first (every plan; findings cached per plan)",
        lambda s: step_cell(s["steps"].get("validate_store")))
    for store in stores:
        what = ("fresh process, imports not counted" if store in ("memory", "disk")
                else "the server (re)started on its loaded database, until it answers")
        row(f"open, {STORE_NAMES[store]} ({what})", lambda s, store=store: _open_cell(s["open"].get(store)))
    for store in stores:
        if store in ("server", "virtuoso"):
            what = ("bulk load into {} (`export --format nq` + `oxigraph load`)" if store == "server"
                    else "`publish` into {} (from the store)").format(STORE_NAMES[store])
            row(what, lambda s, store=store: step_cell(s["publish"].get(store)))
    for store in ("memory", "disk"):
        row(f"`export --format csv`, {STORE_NAMES[store]}", lambda s, store=store: _export_cell(s["exports"].get(store)))
    row("one plan changed: status", lambda s: s["incremental"].get("status", "—"))
    for step, label in (("build_store", "`build --store`"), ("reason", "`reason`"), ("validate", "`validate --engine oxigraph`")):
        row(f"one plan changed: {label}", lambda s, step=step: step_cell(s["incremental"].get("steps", {}).get(step)))
    row("one plan changed: in all", lambda s: secs(s["incremental"].get("total_s"), 1))
    return lines


def _open_cell(figures: dict | None) -> str:
    if not figures:
        return "—"
    if "error" in figures:
        return "error: " + figures["error"][:80]
    return f"{figures['s']:.2f} s" + (f", {figures['peak_mb']:,.0f} MB" if figures.get("peak_mb") else "")


def _export_cell(figures: dict | None) -> str:
    if not figures:
        return "—"
    if "error" in figures:
        return "error: " + figures["error"][-120:]
    return (f"{figures['wall_s']:.2f} s, {figures['lines']:,} lines, first line {secs(figures['first_line_s'])}, "
            f"{figures['peak_mb'] or 0:,.0f} MB")


def _queries_table(size: dict, stores: list[str]) -> list[str]:
    lines = [f"{plans_label(size['plans'])}: every saved query, warm (median of the runs in one process) / fresh "
             "(`cchc-graph query … --format csv` as a new process, end to end)", "",
             "| query | lines | " + " | ".join(STORE_NAMES[s] for s in stores) + " | same answer |",
             "|---|---:|" + "---|" * len(stores) + "---|"]
    for label, entry in size["queries"].items():
        cells, same, rows = [], True, None
        for store in stores:
            figure = entry.get(store)
            if figure is None:
                cells.append("—")
                continue
            if "error" in figure:
                stopped = re.search(r"no answer within (\S+) s", figure["error"])
                cells.append(f"stopped after {stopped.group(1)} s" if stopped else "error")
                same = False
                continue
            rows = figure["rows"] if rows is None else rows
            same = same and figure["same"]
            text = f"{figure['warm_s']:.3f}"
            if figure.get("fresh_s") is not None:
                text += f" / {figure['fresh_s']:.2f}"
            elif "fresh_error" in figure:
                text += " / error"
            cells.append(text + " s" + ("" if figure["same"] else " **different**"))
        name = f"{label} (export)" if entry["export"] else label
        lines.append(f"| {name} | {'—' if rows is None else f'{rows:,}'} | " + " | ".join(cells) +
                     f" | {'yes' if same else '**no**'} |")
    return lines


def _exports_table(size: dict, stores: list[str]) -> list[str]:
    lines = [f"{plans_label(size['plans'])}: the whole-corpus exports streamed from a fresh `cchc-graph query` process", "",
             "| export | store | lines | first line | whole answer | lines/s from the first line | lines/s overall |",
             "|---|---|---:|---:|---:|---:|---:|"]
    for label, entry in exports(size):
        for store in stores:
            figure = entry.get(store, {})
            if figure.get("fresh_s") is None:
                continue
            rates = [f"{figure[k]:,.0f}" if figure.get(k) else "—" for k in ("stream_lines_per_s", "lines_per_s")]
            lines.append(f"| {label} | {STORE_NAMES[store]} | {figure['fresh_lines']:,} | "
                         f"{secs(figure.get('first_line_s'))} | {secs(figure['fresh_s'])} | {' | '.join(rates)} |")
    return lines


def _one_plan_table(one: dict) -> list[str]:
    lines = ["One plan (the bundled 2023 plan), each step a fresh process with its default options", "",
             "| step | wall (median) | CPU | peak memory |", "|---|---:|---:|---:|"]
    for step, figures in one["steps"].items():
        lines.append(f"| `{step}` | {figures['wall_s']:.2f} s | {secs(figures.get('cpu_s'))} | "
                     f"{figures['peak_mb'] or 0:,.0f} MB |")
    lines.append(f"| build + reason + validate + query | **{one['total_s']:.2f} s** | | |")
    return lines
