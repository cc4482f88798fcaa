"""Corpora of plan folders side by side, as `build PLAN_DIR…` and `build --store` take them."""

from __future__ import annotations

import shutil
from pathlib import Path

from benchmarks.synthetic import generate
from cchc_graph.build import DEFAULT_PLAN


def plans_folder(folder: Path, copies: tuple[str, ...], synthetic: int) -> Path:
    """`folder` holding the 2023 plan under each name of `copies` and `synthetic` plans of
    benchmarks/synthetic.py of other provinces (made beside and moved in: `generate` replaces the folder it
    writes into)."""
    for name in copies:
        shutil.copytree(DEFAULT_PLAN, folder / name)
    for plan in generate(synthetic, folder / ".synthetic"):
        shutil.move(plan, folder / plan.name)
    (folder / ".synthetic").rmdir()
    return folder
