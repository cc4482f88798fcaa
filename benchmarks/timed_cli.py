"""`cchc-graph` commands run as fresh processes and measured: wall time, CPU time and peak memory, and for a CSV
answer the moment its first data line arrived and how many lines came.

Peak memory comes from GNU time (`/usr/bin/time -f … -o FILE`), which forks the command from its own small
process. The resource usage of a direct child is no good here: Linux carries the parent's peak over into a child
that is forked (or vforked, as `subprocess` does) and then execs, so a child of this benchmark, which holds stores
in memory, would report the benchmark's own peak. Without GNU time, peak memory is left out (None).
"""

from __future__ import annotations

import os
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

GNU_TIME = "/usr/bin/time"
CCHC_GRAPH = str(Path(sys.executable).parent / "cchc-graph")


def gnu_time() -> str | None:
    """/usr/bin/time when it is GNU time (the only one with -f and -o), else None."""
    if not os.access(GNU_TIME, os.X_OK):
        return None
    probe = subprocess.run([GNU_TIME, "--version"], capture_output=True, text=True)
    return GNU_TIME if "GNU" in probe.stdout + probe.stderr else None


class CsvRecords:
    """Counts the records of a CSV stream as its bytes arrive: line ends outside quoted cells (a cell may hold a
    line break; a doubled quote inside a cell toggles twice, so it changes nothing)."""

    def __init__(self) -> None:
        self.in_quotes = False
        self.ends = 0
        self.last = b""

    def feed(self, chunk: bytes) -> int:
        for i, part in enumerate(chunk.split(b'"')):
            if i:
                self.in_quotes = not self.in_quotes
            if not self.in_quotes:
                self.ends += part.count(b"\n")
        if chunk:
            self.last = chunk[-1:]
        return self.ends

    def records(self) -> int:
        """Records seen, a last one without a line end included."""
        return self.ends + (1 if self.last not in (b"", b"\n") else 0)


@dataclass
class Run:
    args: list[str]
    code: int
    wall_s: float
    cpu_s: float | None = None
    peak_mb: float | None = None
    out: bytes = b""
    err: str = ""
    first_line_s: float | None = None  # CSV: when the first line after the header arrived
    lines: int | None = None  # CSV: lines after the header
    extra: dict = field(default_factory=dict)

    def figures(self) -> dict:
        keep = {"wall_s": self.wall_s, "cpu_s": self.cpu_s, "peak_mb": self.peak_mb, "code": self.code}
        if self.lines is not None:
            keep.update(lines=self.lines, first_line_s=self.first_line_s)
        return keep


class CommandFailed(RuntimeError):
    pass


def read_some(fd: int, deadline: float) -> bytes | None:
    """What the pipe holds (b"" at its end), waiting until `deadline` (time.perf_counter) at most: None then."""
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        if not selector.select(max(0.0, deadline - time.perf_counter())):
            return None
    return os.read(fd, 1 << 16)


def run_cli(args: list, *, csv_out: bool = False, ok: tuple[int, ...] = (0,), timeout: float = 7200,
            keep_out: bool = True) -> Run:
    """Run `cchc-graph ARGS` in a fresh process; stdout is read as it comes (for a CSV answer, noting when its
    first data line arrives). An exit code not in `ok`, or no end within `timeout` seconds (the process is
    then killed), raises CommandFailed with the command's message."""
    args = [str(a) for a in args]
    timer = gnu_time()
    with tempfile.TemporaryDirectory(prefix="bench-cli-") as folder:
        usage = Path(folder) / "usage"
        err_path = Path(folder) / "stderr"
        command = [CCHC_GRAPH, *args]
        if timer:
            command = [timer, "-f", "%e %U %S %M", "-o", str(usage), *command]
        counter = CsvRecords() if csv_out else None
        chunks: list[bytes] = []
        first_line = None
        with err_path.open("wb") as err:
            start = time.perf_counter()
            # A session of its own: on a timeout, GNU time and the command under it are ended together.
            process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=err, start_new_session=True)
            try:
                fd = process.stdout.fileno()
                while True:
                    chunk = read_some(fd, start + timeout)
                    if chunk is None:
                        raise CommandFailed(f"cchc-graph {' '.join(args)}: no end within {timeout:g} s (stopped)")
                    if not chunk:
                        break
                    if counter is not None and counter.feed(chunk) >= 2 and first_line is None:
                        first_line = time.perf_counter() - start
                    if keep_out:
                        chunks.append(chunk)
                try:
                    code = process.wait(timeout=max(1.0, start + timeout - time.perf_counter()))
                except subprocess.TimeoutExpired:
                    raise CommandFailed(f"cchc-graph {' '.join(args)}: no end within {timeout:g} s (stopped)") from None
            finally:
                if process.poll() is None:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
                process.stdout.close()
            wall = time.perf_counter() - start
        run = Run(args, code, wall, out=b"".join(chunks), err=err_path.read_text(encoding="utf-8", errors="replace"))
        figures = read_usage(usage) if timer else None
        if figures:
            _, run.cpu_s, run.peak_mb = figures
    if counter is not None:
        records = counter.records()
        run.lines = max(records - 1, 0)  # the header is not a line of the answer
        run.first_line_s = first_line if run.lines else None
    if code not in ok:
        message = run.err.strip().splitlines()[-3:] if run.err.strip() else [run.out[-300:].decode(errors="replace")]
        raise CommandFailed(f"cchc-graph {' '.join(args)} exited with {code}: {' | '.join(message)}")
    return run


def read_usage(usage: Path) -> tuple[float, float, float] | None:
    """(wall s, CPU s, peak MB) from what `GNU time -f "%e %U %S %M" -o USAGE` wrote; None when it wrote
    nothing (GNU time itself killed). It writes "Command exited with non-zero status N" first when the code
    is not 0."""
    lines = usage.read_text().split("\n") if usage.exists() else []
    if len(lines) < 2 or len(lines[-2].split()) != 4:
        return None
    fields = lines[-2].split()
    return float(fields[0]), float(fields[1]) + float(fields[2]), int(fields[3]) / 1024


def uptime() -> str:
    """`uptime`'s line (load averages over 1, 5 and 15 minutes), or the load averages alone."""
    if shutil.which("uptime"):
        return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    return "load average: " + ", ".join(f"{x:.2f}" for x in os.getloadavg())
