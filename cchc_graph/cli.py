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
@click.option("--engine", type=click.Choice(["reasonable", "owlrl"]), default="reasonable", show_default=True,
              help="OWL RL engine: reasonable (fast) or owlrl (the reference); both give the same closure.")
def reason(graph_path: Path, output: Path | None, engine: str) -> None:
    """Compute the OWL RL closure and write the inferred triples apart from the asserted ones."""
    from .reason import inferred_path_for, reason_to_file

    inferred = reason_to_file(graph_path, output, engine=engine)
    click.echo(f"wrote {output or inferred_path_for(graph_path)} ({len(inferred)} inferred triples)")


@main.command()
@graph_option
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True, help="Language of the report.")
@click.option("--format", "fmt", type=click.Choice(["text", "turtle", "json"]), default="text", show_default=True,
              help="text: the report for people; turtle / json: the SHACL validation report for machines.")
@click.option("--fail-on", type=click.Choice(["violation", "warning", "info"]), default="violation", show_default=True,
              help="Lowest severity that makes the exit code 1.")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="File to write (default: standard output).")
def validate(graph_path: Path, lang: str, fmt: str, fail_on: str, output: Path | None) -> None:
    """Validate the built graph against shapes/ (pySHACL) and report the findings by table row."""
    from .store import read_graph, write_bytes
    from .validate import render_report, validate_graph

    outcome = validate_graph(read_graph(graph_path))
    data = render_report(outcome, lang=lang, fmt=fmt).encode("utf-8")
    if output:
        write_bytes(output, data)
    else:
        sys.stdout.buffer.write(data)
    sys.exit(outcome.exit_code(fail_on))


def parse_params(pairs: tuple[str, ...]) -> dict[str, str]:
    params = {}
    for pair in pairs:
        if "=" not in pair:
            raise click.BadParameter(f"{pair!r} is not NAME=VALUE", param_hint="--param")
        name, value = pair.split("=", 1)
        params[nfc_arg(name.strip())] = nfc_arg(value)
    return params


output_format = click.option("--format", "fmt", type=click.Choice(["table", "csv", "json", "markdown"]), default="table",
                             show_default=True)
reasoning_option = click.option("--reasoning/--no-reasoning", default=True, show_default=True,
                                help="Query the OWL RL closure too (cached beside the graph as NAME.inferred.ttl).")
endpoint_option = click.option("--endpoint", metavar="URL", help="Run on a remote SPARQL endpoint instead of the local graph.")


def executor(graph_path: Path, reasoning: bool, endpoint: str | None):
    from .query import open_local, run_local

    if endpoint:
        from .remote import run_remote
        return lambda text: run_remote(endpoint, text)
    dataset = open_local(graph_path, reasoning)
    return lambda text: run_local(dataset, text)


def emit(text: str, output: Path | None) -> None:
    from .store import write_bytes

    if output:
        write_bytes(output, text.encode("utf-8"))
    else:
        click.echo(text, nl=False)


@main.command("queries")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def list_queries(fmt: str) -> None:
    """List the saved queries with their summaries and parameters."""
    import json

    from .query import saved_queries

    queries = saved_queries()
    if fmt == "json":
        click.echo(json.dumps([{"name": q.name, "summary": q.summary, "tags": list(q.tags),
                                "params": [p.__dict__ for p in q.params]} for q in queries.values()],
                              ensure_ascii=False, indent=2))
        return
    for q in queries.values():
        click.echo(f"{q.name}\n    {q.summary}")
        for p in q.params:
            need = "required" if p.required else f"default {p.default}" if p.default is not None else "optional"
            click.echo(f"    --param {p.name}=<{p.type}>  ({need}) {p.description}")


@main.command()
@click.argument("name")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE", help="A parameter; repeat for several.")
@output_format
@graph_option
@reasoning_option
@endpoint_option
@click.option("-o", "--output", type=click.Path(path_type=Path), help="File to write (default: standard output).")
def query(name: str, params: tuple[str, ...], fmt: str, graph_path: Path, reasoning: bool, endpoint: str | None,
          output: Path | None) -> None:
    """Run the saved query NAME (see `cchc-graph queries`). A *-violation check exits 1 when it finds rows."""
    from .query import get_query, render, run_saved

    saved = get_query(nfc_arg(name))
    raw = parse_params(params)
    table = run_saved(saved, raw, executor(graph_path, reasoning, endpoint))
    emit(render(table, fmt), output)
    if saved.is_check and table.rows:
        sys.exit(1)


@main.command()
@click.argument("file", type=click.File("r", encoding="utf-8"))
@output_format
@graph_option
@reasoning_option
@endpoint_option
def sparql(file, fmt: str, graph_path: Path, reasoning: bool, endpoint: str | None) -> None:
    """Run an ad hoc SPARQL query from FILE (or - for standard input)."""
    from .query import render

    table = executor(graph_path, reasoning, endpoint)(nfc_arg(file.read()))
    click.echo(render(table, fmt), nl=False)


if __name__ == "__main__":  # pragma: no cover
    main()
