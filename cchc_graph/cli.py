"""`cchc-graph`: a thin command-line face over build, export, reason, validate, query and remote.

Exit codes: 0 ok; 1 findings (validation violations, or a *-violation check that returned rows);
2 error (bad input, unknown query or parameter, unreachable endpoint).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__
from .errors import CchcError

DEFAULT_GRAPH = Path("build/graph.ttl")
graph_option = click.option("--graph", "graph_path", type=click.Path(path_type=Path), default=DEFAULT_GRAPH,
                            show_default=True, help="The built graph (from `cchc-graph build`).")


class CchcGroup(click.Group):
    """Turns our errors into a message on stderr and exit code 2, without a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except CchcError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)


@click.group(cls=CchcGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cchc-graph")
def main() -> None:
    """Vietnamese provincial administrative-reform (CCHC) plans as a knowledge graph."""


def nfc_arg(value: str) -> str:
    from .text import nfc
    return nfc(value)


@main.command()
@click.argument("plans", nargs=-1, type=click.Path(path_type=Path, file_okay=False))
@click.option("-o", "--output", type=click.Path(path_type=Path), default=DEFAULT_GRAPH, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["turtle", "nt", "json-ld"]), default="turtle", show_default=True)
@click.option("--quiet", is_flag=True, help="Print nothing on success.")
def build(plans: tuple[Path, ...], output: Path, fmt: str, quiet: bool) -> None:
    """Build the graph of one or more plan folders (default: data/ninh-binh-2023)."""
    from .build import build_graph, class_counts
    from .store import write_graph

    graph = build_graph(list(plans) or None)
    write_graph(graph, output, fmt)
    if not quiet:
        click.echo(f"wrote {output} ({len(graph)} triples)")
        for cls, count in class_counts(graph).items():
            click.echo(f"  {count:5d}  {cls}")


@main.command()
@graph_option
@click.option("--format", "fmt", type=click.Choice(["csv", "turtle", "nt", "json-ld"]), default="csv", show_default=True)
@click.option("--plan", help="Plan id (e.g. ninh-binh-2023); default: every plan in the graph.")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="File to write (default: standard output).")
def export(graph_path: Path, fmt: str, plan: str | None, output: Path | None) -> None:
    """Export the plan table (CSV, regenerated from the graph by SPARQL) or an RDF dump."""
    from .export import export_table
    from .store import read_graph, serialize, write_bytes

    graph = read_graph(graph_path)
    data = export_table(graph, nfc_arg(plan) if plan else None).encode("utf-8") if fmt == "csv" else serialize(graph, fmt)
    if output:
        write_bytes(output, data)
    else:
        sys.stdout.buffer.write(data)


@main.command()
@graph_option
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Where to write the inferred triples (default: beside the graph, NAME.inferred.ttl).")
def reason(graph_path: Path, output: Path | None) -> None:
    """Compute the OWL RL closure (owlrl) and write the inferred triples apart from the asserted ones."""
    from .reason import inferred_path_for, reason_to_file

    inferred = reason_to_file(graph_path, output)
    click.echo(f"wrote {output or inferred_path_for(graph_path)} ({len(inferred)} inferred triples)")


if __name__ == "__main__":  # pragma: no cover
    main()
