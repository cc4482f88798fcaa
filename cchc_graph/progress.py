"""Progress on long work (builds of many plans, reasoning, validation, publish, imports): a bar on standard
error, drawn by rich, only when standard error is a terminal. Piped or redirected, and in tests, nothing is
printed, so stdout answers and stderr error lines stay exactly as they are.

    with progress(len(folders), "build") as bar:
        for folder in folders:
            ...
            bar.advance()

`total=None` shows a spinner for work that reports no steps (owlrl's closure, one SPARQL update).
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import IO, Iterator


class Bar:
    """What a step calls while it works; does nothing when there is no terminal to draw on."""

    def __init__(self, progress=None, task=None) -> None:
        self._progress, self._task = progress, task

    def advance(self, steps: int = 1) -> None:
        if self._progress is not None:
            self._progress.advance(self._task, steps)

    def describe(self, text: str) -> None:
        """Name the phase now running (validation: reading, checking…)."""
        if self._progress is not None:
            self._progress.update(self._task, description=text)


@contextmanager
def progress(total: int | None, description: str, stream: IO[str] | None = None) -> Iterator[Bar]:
    stream = stream if stream is not None else sys.stderr
    isatty = getattr(stream, "isatty", None)
    if not (isatty and isatty()):
        yield Bar()
        return
    from rich.console import Console
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn,
                               TimeElapsedColumn)

    columns = ([TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
               if total is not None else [SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn()])
    with Progress(*columns, console=Console(file=stream, force_terminal=True)) as bar:
        yield Bar(bar, bar.add_task(description, total=total))
