"""The sample answers in README.md, generated from the real output of each command on the 2023 plan.

Each sample sits between markers that name the command:

    <!-- sample: query due-in-quarter -p "year=2023" -p "quarter=III" -->
    …generated…
    <!-- /sample -->

and is regenerated as the command run with `--format markdown --truncate 48` (the command shown is the one
run), its first rows and how many there are. tests/test_readme_samples.py fails when README.md differs;
`python -m tests.readme_samples --write` rewrites it.

An excerpt of a longer output (a code block after `<!-- excerpt: validate -->`) is not rewritten, but the
test checks that its lines appear, in one piece, in the real output.
"""

from __future__ import annotations

import re
import shlex
import sys
import tempfile
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"
SHOWN_ROWS = 4
OPTIONS = ["--format", "markdown", "--truncate", "48"]
MARKER = re.compile(r"(<!-- sample: (?P<args>.+?) -->\n)(?P<body>.*?)(<!-- /sample -->)", re.DOTALL)
EXCERPT = re.compile(r"<!-- excerpt: (?P<args>.+?) -->\n```\n(?P<body>.*?)```\n", re.DOTALL)


def sample(args: str, graph: Path) -> str:
    """The README text of one sample: heading, the command, the first rows of its answer, the count."""
    from click.testing import CliRunner

    from cchc_graph.cli import main
    from cchc_graph.query import get_query

    argv = shlex.split(args)
    result = CliRunner().invoke(main, [*argv, *OPTIONS, "--graph", str(graph)])
    if result.exit_code not in (0, 1):  # 1: a check query that found rows is still an answer
        raise RuntimeError(f"cchc-graph {args}: exit {result.exit_code}: {result.output}")
    header, rule, *rows = result.output.splitlines()
    count = f"{len(rows)} row{'' if len(rows) == 1 else 's'}"
    if len(rows) > SHOWN_ROWS:
        count += f" ({len(rows) - SHOWN_ROWS} more not shown)"
    saved = get_query(argv[1])
    return "\n".join([f"#### `{saved.name}` — {saved.summary}", "", "```", f"cchc-graph {args} {shlex.join(OPTIONS)}",
                      "```", "", header, rule, *rows[:SHOWN_ROWS], "", f"{count}.", ""])


def output(args: str, graph: Path) -> str:
    from click.testing import CliRunner

    from cchc_graph.cli import main

    return CliRunner().invoke(main, [*shlex.split(args), "--graph", str(graph)]).stdout


def stale_excerpts(text: str, graph: Path) -> list[str]:
    """The excerpts whose lines are not, in one piece, in their command's real output."""
    return [f"cchc-graph {m.group('args')}:\n{m.group('body')}" for m in EXCERPT.finditer(text)
            if m.group("body") not in output(m.group("args"), graph)]


def regenerate(text: str, graph: Path) -> str:
    """README text with every sample replaced by the real answer."""
    return MARKER.sub(lambda m: m.group(1) + sample(m.group("args"), graph) + m.group(4), text)


def build_plan(folder: Path) -> Path:
    from cchc_graph.build import build_graph
    from cchc_graph.store import write_graph

    graph = folder / "graph.ttl"
    write_graph(build_graph(), graph)
    return graph


def main(argv: list[str]) -> int:
    with tempfile.TemporaryDirectory() as folder:
        fresh = regenerate(README.read_text(encoding="utf-8"), build_plan(Path(folder)))
    if "--write" in argv:
        from cchc_graph.store import write_bytes
        write_bytes(README, fresh.encode("utf-8"))
        print(f"wrote {README}")
        return 0
    sys.stdout.write(fresh)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
