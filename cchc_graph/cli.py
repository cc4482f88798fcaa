"""`cchc-graph`: a thin command-line face over import, build, export, diff, reason, validate, query and remote.

Exit codes: 0 ok; 1 findings (validation violations, a *-violation check that returned rows, two plans that
`diff` found different, or a `link` that kept the better link graph); 2 error (bad input, unknown query or
parameter, unreachable endpoint, a path that cannot be read or written, an output path that is not a regular
file); 3 internal error (a bug: please report it with the trace printed).
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path

import click

from . import __version__
from .errors import CchcError

DEFAULT_GRAPH = Path("build/graph.ttl")
graph_option = click.option("--graph", "graph_path", type=click.Path(path_type=Path), default=DEFAULT_GRAPH,
                            show_default=True, help="The built graph (from `cchc-graph build`).")


class CchcGroup(click.Group):
    """Maps every failure to its exit code, as pySHACL's CLI maps each exception family: our input errors
    and operating-system errors (a path that cannot be read or written) are exit 2 with one `error:` line;
    anything else is a bug of ours, exit 3 with a short trace to report. click's own exceptions (usage
    errors, --help, sys.exit) pass through unchanged."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort, SystemExit):
            raise
        except CchcError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)
        except OSError as exc:
            click.echo(f"error: {os_error_message(exc)}", err=True)
            sys.exit(2)
        except KeyboardInterrupt:
            click.echo("error: interrupted (Ctrl-C); outputs are left as they were", err=True)
            sys.exit(2)
        except Exception as exc:  # noqa: BLE001 — the last resort: never a bare traceback, never exit 1
            import traceback

            trace = "".join(traceback.format_exception(exc, limit=-4)).rstrip()
            click.echo(f"internal error (lỗi nội bộ), please report it with this trace: {type(exc).__name__}: "
                       f"{exc}\n{trace}", err=True)
            sys.exit(3)


def os_error_message(exc: OSError) -> str:
    """An OSError as one line naming the path and what to do."""
    # A rename names its source and its target: the target is the path the user gave.
    path = exc.filename2 if exc.filename2 is not None else exc.filename if exc.filename is not None else ""
    reason = exc.strerror or str(exc)
    if isinstance(exc, FileExistsError) or isinstance(exc, NotADirectoryError):
        reason += ": a file stands where a folder is needed"
    if path:
        return f"{path}: {reason} (check the path and its permissions)"
    return f"{reason} (check the paths given and their permissions)"


@click.group(cls=CchcGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cchc-graph")
def main() -> None:
    """Vietnamese provincial administrative-reform (CCHC) plans as a knowledge graph."""
    import logging

    # rdflib logs a traceback for each literal that does not fit its datatype and goes on. We deal with
    # such literals ourselves (an error on reading a graph, a finding in validation), so its log is noise.
    logging.getLogger("rdflib.term").setLevel(logging.CRITICAL)


def output_path(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    """Refuse an -o that is not a regular file (a directory, pipe or device) before any work is done."""
    if value is not None:
        from .store import output_target
        output_target(value)
    return value


def nfc_arg(value: str) -> str:
    from .text import nfc
    if any("\udc80" <= char <= "\udcff" for char in value):
        # Python keeps bytes that are not UTF-8 in arguments as lone surrogates: say so here, not as a
        # SPARQL encoding error later.
        shown = value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        raise CchcError(f"{shown!r} is not UTF-8 text; type the value again, or set the terminal to UTF-8")
    return nfc(value)


@main.command()
@click.argument("plans", nargs=-1, type=click.Path(path_type=Path, file_okay=False))
@click.option("-o", "--output", type=click.Path(path_type=Path), default=DEFAULT_GRAPH, show_default=True,
              callback=output_path, help="The graph file to write (with --store: only when given).")
@click.option("--format", "fmt", type=click.Choice(["turtle", "nt", "json-ld"]), default="turtle", show_default=True)
@click.option("--data", "data_dir", type=click.Path(path_type=Path, exists=True, file_okay=False), metavar="DIR",
              help="Read agencies.csv, agency-aliases.csv, legal-documents.csv and unnumbered-references.csv from "
                   "DIR (default: the bundled data).")
@click.option("--store", "store_dir", type=click.Path(path_type=Path, dir_okay=True), metavar="DIR",
              help="Write an on-disk store in DIR (a graph per plan, with their inferred graphs), which query, "
                   "validate, export, publish and serve open at once with --graph DIR; built again, only the "
                   "plans whose files changed. The graph file is then written only when -o is given.")
@click.option("--quiet", is_flag=True, help="Print nothing on success.")
def build(plans: tuple[Path, ...], output: Path, data_dir: Path | None, fmt: str, store_dir: Path | None,
          quiet: bool) -> None:
    """Build the graph of one or more plan folders (default: the bundled data/ninh-binh-2023). With --store
    on a store built before, only the plans whose files changed are built and reasoned again."""
    from .build import Sources, build_graph, build_parts, class_counts
    from .store import links_path_for, write_graph

    sources = Sources.load(data_dir) if data_dir else None
    if store_dir:
        from .incremental import build_store, class_counts_nt, write_graph_file
        from .resources import DATA, DEFAULT_PLAN

        # With --store, the graph file is written only when -o names it: it is the whole store written out
        # again (a pass over every plan), which a rebuild after one plan changed should not cost.
        given = click.get_current_context().get_parameter_source("output") != click.core.ParameterSource.DEFAULT
        result = build_store(list(plans) or [DEFAULT_PLAN], store_dir, sources, data_dir or DATA,
                             links=links_path_for(output), graph_file=output if given else None)
        nt = write_graph_file(store_dir, output, fmt, result.union) if given else None
        if not quiet:
            if nt is not None:
                counts, triples = class_counts_nt(nt), nt.count(b"\n")
                click.echo(f"wrote {output} ({triples} triples)")
                for cls, count in counts.items():
                    click.echo(f"  {count:5d}  {cls}")
            click.echo(f"wrote store {store_dir} ({sum(result.sizes.values())} triples in {len(result.sizes)} named "
                       f"graphs; {result.summary()}); query it with --graph {store_dir}")
        return
    if fmt == "nt":  # the plans' N-Triples as they come from the pool: no rdflib graph of the corpus
        from .incremental import class_counts_nt
        from .store import write_bytes

        nt = build_parts(list(plans) or None, sources).ntriples()
        write_bytes(output, nt)
        counts, triples = class_counts_nt(nt), nt.count(b"\n")
    else:
        graph = build_graph(list(plans) or None, sources)
        write_graph(graph, output, fmt)
        counts, triples = class_counts(graph), len(graph)
    if not quiet:
        click.echo(f"wrote {output} ({triples} triples)")
        for cls, count in counts.items():
            click.echo(f"  {count:5d}  {cls}")


@main.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("-o", "--output", type=click.Path(path_type=Path, file_okay=False), required=True,
              help="The plan folder to write (table.csv, plan.toml, import-report.md).")
@click.option("--plan-id", help="Plan id (default: <province>-<year> from the title); the folder name is what build uses.")
@click.option("--force", is_flag=True, help="Replace OUTPUT if it exists (without it an existing folder is never touched).")
def import_(file: Path, output: Path, plan_id: str | None, force: bool) -> None:
    """Import a plan's appendix table from a DOCX, XLSX or PDF into a plan folder, with a report to check."""
    from .importers.run import REPORT, import_document

    result = import_document(file, output, nfc_arg(plan_id) if plan_id else None, force)
    click.echo(f"Đã ghi {output}: {len(result.plan.rows)} dòng sản phẩm, {len(result.plan.areas)} lĩnh vực; "
               f"{result.to_check} mục cần kiểm tra trong {output / REPORT}")
    click.echo(f"wrote {output}: {len(result.plan.rows)} product rows, {len(result.plan.areas)} areas; "
               f"{result.to_check} entries to check in {output / REPORT}")


@main.command()
@graph_option
@click.option("--format", "fmt", type=click.Choice(["csv", "turtle", "nt", "json-ld", "nq"]), default="csv",
              show_default=True,
              help="csv: the plan table; turtle / nt / json-ld: the asserted graph; nq: every graph `query` runs on "
                   "(asserted, ontology, inferred, links), each in its named graph, for a SPARQL store's bulk loader.")
@click.option("--plan", help="Plan id (e.g. ninh-binh-2023); default: every plan in the graph.")
@click.option("-o", "--output", type=click.Path(path_type=Path), callback=output_path,
              help="File to write (default: standard output).")
def export(graph_path: Path, fmt: str, plan: str | None, output: Path | None) -> None:
    """Export the plan table (CSV, regenerated from the graph by SPARQL) or an RDF dump."""
    from .ondisk import asserted_graph, is_store
    from .store import read_graph, serialize, write_bytes

    if plan and fmt != "csv":
        raise CchcError(f"--plan chooses rows of the CSV table; --format {fmt} writes whole graphs: leave --plan out, "
                        "or choose --format csv")
    if fmt == "nq":
        from .ondisk import write_nquads

        with streamed_output(output) as out:
            write_nquads(graph_path, out)
        return
    if fmt != "csv":
        data = serialize(asserted_graph(graph_path) if is_store(graph_path) else read_graph(graph_path), fmt)
        if output:
            write_bytes(output, data)
        else:
            sys.stdout.buffer.write(data)
        return
    from .export import write_table
    from .query import open_local

    # The store `query plan-table` runs on. From graph files the inferred graph is left out (the table reads
    # asserted triples only: less to load). A store of plan graphs is read with its inferred graphs, as `query`
    # reads it: leaving 630 of them out means a default graph of 1,260 graphs listed one by one, which
    # Oxigraph looks each pattern up in, one graph at a time (minutes instead of seconds at 630 plans).
    dataset = open_local(graph_path, reasoning=is_store(graph_path))
    with streamed_output(output) as out:
        write_table(dataset, out, nfc_arg(plan) if plan else None)


@main.command()
@graph_option
@click.option("-o", "--output", type=click.Path(path_type=Path), callback=output_path,
              help="Where to write the inferred triples (default: beside the graph, NAME.inferred.ttl).")
@click.option("--engine", type=click.Choice(["rules", "owlrl"]), default="rules", show_default=True,
              help="OWL RL engine: rules (compiled to SPARQL, fast) or owlrl (the reference); same closure.")
@click.option("--profile", type=click.Choice(["queries", "full"]), default="queries", show_default=True,
              help="queries: only the entailments about terms the saved queries use; full: every OWL RL entailment.")
def reason(graph_path: Path, output: Path | None, engine: str, profile: str) -> None:
    """Compute the OWL RL closure and write the inferred triples apart from the asserted ones."""
    from .ondisk import is_store, store_manifest
    from .progress import progress
    from .reason import inferred_path_for, reason_to_file

    if is_store(graph_path):  # `build --store` reasons each plan it builds: nothing is left to do here
        if engine != "rules" or profile != "queries" or output:
            raise CchcError(f"{graph_path}: a store holds the closure `build --store` computed (rules engine, queries "
                            "profile); for another engine, profile or an inferred file, build a graph file "
                            "(`build -o FILE`) and reason on it")
        graphs = store_manifest(graph_path).get("graphs", {})
        inferred = {name: count for name, count in graphs.items() if name.endswith("/inferred")}
        click.echo(f"{graph_path}: reasoned by `build --store`, plan by plan ({sum(inferred.values())} inferred triples "
                   f"in {len(inferred)} graphs); after a change of the plans, the data, the ontology or the saved "
                   "queries, `build --store` again reasons what changed")
        return

    with progress(None, f"reason: OWL RL closure ({engine}, {profile} profile)"):
        count = reason_to_file(graph_path, output, engine=engine, profile=profile)
    click.echo(f"wrote {output or inferred_path_for(graph_path)} ({count} inferred triples)")


@main.command()
@graph_option
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True, help="Language of the report.")
@click.option("--format", "fmt", type=click.Choice(["text", "turtle", "json"]), default="text", show_default=True,
              help="text: the report for people; turtle / json: the SHACL validation report for machines.")
@click.option("--fail-on", type=click.Choice(["violation", "warning", "info"]), default="violation", show_default=True,
              help="Lowest severity that makes the exit code 1.")
@click.option("-o", "--output", type=click.Path(path_type=Path), callback=output_path,
              help="File to write (default: standard output).")
@click.option("--engine", type=click.Choice(["auto", "pyshacl", "oxigraph"]), default="auto", show_default=True,
              help="pyshacl: the reference; oxigraph: the shapes compiled to SPARQL on Oxigraph, same findings, "
                   "for graphs of many plans (630 plans in under a minute); auto: oxigraph for the project's shapes "
                   "in a text or json report (the same bytes as pyshacl's, in half the time), else pyshacl.")
@click.option("--shapes", "shapes", multiple=True, type=click.Path(path_type=Path),
              help="A SHACL shapes file or folder (its *.ttl files); repeatable. Default: the project's shapes/.")
@click.option("--no-ontology", is_flag=True,
              help="Validate the graph alone, without adding the project's ontology to it (your own data and shapes).")
def validate(graph_path: Path, lang: str, fmt: str, fail_on: str, output: Path | None, engine: str,
             shapes: tuple[Path, ...], no_ontology: bool) -> None:
    """Validate the built graph against shapes/ (or --shapes) and report the findings by table row. Exit 0
    when it conforms, 1 with findings at or above --fail-on, 2 when the shapes cannot be run ("not supported")
    or the input is bad."""
    from .ondisk import is_store
    from .validate import SHAPES_DIR, render_report, validate_files

    if engine == "auto":
        # The text and json reports of the project's shapes are byte for byte the same on both engines (a
        # test); pySHACL's Turtle report also describes each SPARQL constraint (sh:sourceConstraint), and
        # users' own shapes may use what the compiled engine refuses: those stay on the reference.
        engine = "oxigraph" if not shapes and not no_ontology and fmt != "turtle" else "pyshacl"
    if is_store(graph_path):  # a store built plan by plan: only the plans changed since are validated again
        from .store_validation import validate_store
        outcome = validate_store(graph_path, list(shapes) or SHAPES_DIR, engine, not no_ontology,
                                 full_report=fmt == "turtle")
    else:
        outcome = validate_files([graph_path], shapes_dir=list(shapes) or SHAPES_DIR, engine=engine,
                                 with_ontology=not no_ontology)
    write_out(render_report(outcome, lang=lang, fmt=fmt).encode("utf-8"), output)
    sys.exit(outcome.exit_code(fail_on))


@main.command("diff")
@click.argument("old")
@click.argument("new")
@click.option("--graph", "graph_path", type=click.Path(path_type=Path),
              help="OLD and NEW are plan ids in this built graph instead of plan folders.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown"]), default="table", show_default=True)
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True,
              help="Language of the table and Markdown forms.")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="File to write (default: standard output).")
def diff_command(old: str, new: str, graph_path: Path | None, fmt: str, lang: str, output: Path | None) -> None:
    """Compare two plans, OLD and NEW: the rows added, removed and changed, matched by content (not by
    position or row id). Exit 0 when they are the same, 1 when they differ."""
    from .diff import diff_folders, diff_in_graph, render

    if graph_path:
        result = diff_in_graph(graph_path, nfc_arg(old), nfc_arg(new))
    else:
        result = diff_folders(Path(old), Path(new))
    write_out(render(result, fmt, lang).encode("utf-8"), output)
    sys.exit(0 if result.identical else 1)


MAX_PARAM = 1000


def parse_params(pairs: tuple[str, ...]) -> dict[str, list[str]]:
    """NAME=VALUE pairs -> every value given for each name, in order: a repeated parameter is kept, for the
    query to read as "any of these" or to refuse, never silently dropped."""
    params: dict[str, list[str]] = {}
    for pair in pairs:
        if "=" not in pair:
            raise click.BadParameter(f"{pair!r} is not NAME=VALUE", param_hint="--param")
        name, value = pair.split("=", 1)
        if len(value) > MAX_PARAM:  # no name, number or date is this long: refuse before matching or echoing it
            raise click.BadParameter(f"the value of {name.strip()[:40]!r} has {len(value)} characters; a value has at "
                                     f"most {MAX_PARAM}", param_hint="--param")
        params.setdefault(nfc_arg(name.strip()), []).append(nfc_arg(value))
    return params


def answer_options(graph_formats: bool = False):
    """--format and how the answer reads: wrapped or cut cells, Excel-ready CSV, Vietnamese headers, -o. With
    `graph_formats` (ad hoc `sparql`), also the RDF formats of CONSTRUCT and DESCRIBE answers, and no default
    format: each kind of answer has its own."""
    formats = ["table", "csv", "json", "markdown", "xlsx", *(["turtle", "nt", "json-ld"] if graph_formats else [])]
    format_help = ("table: wrapped to the terminal (COLUMNS, else 120 columns when not a terminal); json: SPARQL 1.1 "
                   "results; xlsx: a spreadsheet, needs -o.")
    if graph_formats:
        format_help = ("SELECT and ASK answers: table (default), csv, json, markdown or xlsx; CONSTRUCT and DESCRIBE "
                       "answers (graphs): turtle (default), nt or json-ld. " + format_help)

    def decorate(command):
        for option in reversed([
            click.option("--format", "fmt", type=click.Choice(formats), default=None if graph_formats else "table",
                         show_default=not graph_formats, help=format_help),
            click.option("--truncate", type=click.IntRange(min=2), metavar="N",
                         help="table / markdown: cut each cell at N characters (…) instead of wrapping it."),
            click.option("--excel", is_flag=True, help="csv: start with a UTF-8 byte order mark, so that Excel reads "
                                                       "Vietnamese correctly."),
            click.option("--lang", type=click.Choice(["vi", "en"]), default=None,
                         help="Column headers: en, the SPARQL variable names (default, except xlsx), or vi, "
                              "Vietnamese (default of xlsx)."),
            click.option("-o", "--output", type=click.Path(path_type=Path), callback=output_path,
                         help="File to write (default: standard output)."),
        ]):
            command = option(command)
        return command
    return decorate


output_options = answer_options()
reasoning_option = click.option("--reasoning/--no-reasoning", default=True, show_default=True,
                                help="Query the OWL RL closure too (cached beside the graph as NAME.inferred.ttl).")


remote_options = [
    click.option("--timeout", type=click.IntRange(min=1), default=30, show_default=True, metavar="SECONDS",
                 help="Give up a remote request after this long: the whole request, its answer and its retries."),
    click.option("--retries", type=click.IntRange(min=0), default=3, show_default=True,
                 help="Further attempts after a connection error or an HTTP 5xx / 429 answer "
                      "(with exponential backoff, within --timeout)."),
]


def endpoint_option(command):
    """--endpoint and the options of a remote query: which graphs of the store to query, timeout, retries."""
    for option in reversed([
        click.option("--endpoint", metavar="URL",
                     help="Run on a remote SPARQL endpoint (e.g. http://127.0.0.1:7878/query) instead of the "
                          "local graph."),
        click.option("--graph-iri", metavar="IRI",
                     help="With --endpoint: base IRI of the graphs `publish` wrote (default "
                          "https://w3id.org/cchc-graph/graph/); they are queried as the default graph."),
        click.option("--remote-default-graph", is_flag=True,
                     help="With --endpoint: query the store's own default graph instead of the published graphs "
                          "(a store whose default graph is the union of its graphs, or holds the whole graph)."),
        *remote_options,
    ]):
        command = option(command)
    return command


def with_remote_options(command):
    for option in reversed(remote_options):
        command = option(command)
    return command


def answer_sources(graph_path: Path, reasoning: bool, endpoint: str | None, graph_iri: str | None = None,
                   remote_default_graph: bool = False, timeout: int = 30, retries: int = 3):
    """(execute, rows): `execute(text)` gives the whole answer (a Table); `rows(text)` gives (columns, an
    iterator of rows), read from the embedded store as it answers. A remote answer is one JSON document,
    parsed whole: its rows are then iterated."""
    from .query import open_local, run_local

    if endpoint:
        from .remote import published_graphs, run_remote
        graphs = [] if remote_default_graph else published_graphs(graph_iri, reasoning)

        def execute(text):
            return run_remote(endpoint, text, default_graphs=graphs, timeout=timeout, retries=retries)

        def rows(text):
            table = execute(text)
            return table.columns, iter(table.rows)
        return execute, rows
    dataset = open_local(graph_path, reasoning)
    return (lambda text: run_local(dataset, text)), dataset.rows


STREAM_BUFFER = 1 << 16  # bytes gathered before a write: a write per row costs more than the row itself


class _ReaderGone(Exception):
    """Standard output was closed by its reader (`| head`): the answer is not wanted any more."""


class _StreamedStdout:
    """Standard output for an answer written as it is computed: the first two writes (the header and the
    first row) go out at once, the rest in blocks of STREAM_BUFFER bytes, whether or not Python buffers
    standard output itself (PYTHONUNBUFFERED)."""

    def __init__(self) -> None:
        self.pending = bytearray()
        self.writes = 0

    def write(self, data: bytes) -> int:
        self.pending += data
        self.writes += 1
        if self.writes <= 2 or len(self.pending) >= STREAM_BUFFER:
            self.flush()
        return len(data)

    def flush(self) -> None:
        try:
            sys.stdout.buffer.write(bytes(self.pending))
            sys.stdout.buffer.flush()
        except BrokenPipeError:
            import os
            # Nothing more to say, and nothing left for Python to flush at exit either.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise _ReaderGone from None
        self.pending.clear()


@contextmanager
def streamed_output(output: Path | None):
    """Where an answer is written as it is computed. -o FILE: a temporary file renamed into place at the
    end, so a failure midway leaves no file (nor a partial one). Standard output: `_StreamedStdout`; a
    reader that stops early ends the command quietly (exit 0)."""
    from .store import atomic_write

    if output:
        with atomic_write(output) as tmp, open(tmp, "wb") as out:
            yield out
        return
    out = _StreamedStdout()
    try:
        try:
            yield out
        finally:
            out.flush()  # after a failure too: the lines computed before it are written
    except _ReaderGone:
        pass


def write_stream(pieces, output: Path | None) -> None:
    """Write an answer piece by piece as it is computed (see `streamed_output`)."""
    with streamed_output(output) as out:
        for piece in pieces:
            out.write(piece)


def emit(table, fmt: str, output: Path | None, title: str, **options) -> None:
    """Write the answer whole (to a temporary file renamed into place) or print it."""
    from .render import render_bytes, terminal_width

    write_out(render_bytes(table, fmt, title=title, width=terminal_width(to_file=output is not None), **options),
              output)


def write_out(data: bytes, output: Path | None) -> None:
    """Write a command's answer to the file given with -o (whole or not at all) or to standard output."""
    from .store import write_bytes

    if output:
        write_bytes(output, data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()


@main.command("queries")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def list_queries(fmt: str) -> None:
    """List the saved queries with their summaries and parameters."""
    import json

    from .query import saved_queries

    queries = saved_queries()
    if fmt == "json":
        click.echo(json.dumps([{"name": q.name, "summary": q.summary, "tags": list(q.tags),
                                "params": [p.__dict__ for p in q.params], "pagination": q.pagination}
                               for q in queries.values()],
                              ensure_ascii=False, indent=2))
        return
    for q in queries.values():
        click.echo(f"{q.name}\n    {q.summary}")
        if q.pagination:
            click.echo(f"    pages of {q.pagination} lines: --offset M (and --limit N)")
        for p in q.params:
            need = "required" if p.required else f"default {p.default}" if p.default is not None else "optional"
            need += ", repeatable" if p.multiple else ""
            click.echo(f"    --param {p.name}=<{p.type}>  ({need}) {p.description}")


@main.command()
@click.argument("name")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE", help="A parameter; repeat for several.")
@click.option("--limit", type=click.IntRange(min=1), metavar="N",
              help="At most N lines (in the query's order), cut by the store.")
@click.option("--offset", type=click.IntRange(min=0), metavar="M",
              help="Skip the first M lines; without --limit, a page of the query's #+ pagination size when it has one.")
@output_options
@graph_option
@reasoning_option
@endpoint_option
def query(name: str, params: tuple[str, ...], limit: int | None, offset: int | None, fmt: str, truncate: int | None,
          excel: bool, lang: str | None, output: Path | None, graph_path: Path, reasoning: bool, endpoint: str | None,
          graph_iri: str | None, remote_default_graph: bool, timeout: int, retries: int) -> None:
    """Run the saved query NAME (see `cchc-graph queries`). A *-violation check exits 1 when it finds rows."""
    from .query import bound_parts, get_query, rows_of_parts
    from .render import STREAMED, check_options, stream

    check_options(fmt, lang=lang, truncate=truncate, excel=excel, to_file=output is not None)
    saved = get_query(nfc_arg(name))
    raw = parse_params(params)
    execute, rows = answer_sources(graph_path, reasoning, endpoint, graph_iri, remote_default_graph, timeout, retries)
    # In parts (`#+ stream-by`) on the embedded store only: on an endpoint each part would be a request.
    texts = bound_parts(saved, raw, execute, limit=limit, offset=offset, parts=fmt in STREAMED and not endpoint)
    if fmt in STREAMED:  # written as the store answers: the first lines come out before the last is computed
        columns, lines = rows_of_parts(rows, texts)
        seen = []

        def counted():
            for line in lines:
                seen[:1] = [True]
                yield line
        write_stream(stream(columns, counted(), fmt, lang=lang, truncate=truncate, excel=excel), output)
        found = bool(seen)
    else:  # a table sizes its columns from every row; a spreadsheet is one file
        table = execute(texts[0])
        emit(table, fmt, output, saved.name, lang=lang, truncate=truncate, excel=excel)
        found = bool(table.rows)
    if saved.is_check and found:
        sys.exit(1)


@main.command()
@click.argument("file", type=click.File("r", encoding="utf-8"))
@answer_options(graph_formats=True)
@graph_option
@reasoning_option
@endpoint_option
def sparql(file, fmt: str | None, truncate: int | None, excel: bool, lang: str | None, output: Path | None,
           graph_path: Path, reasoning: bool, endpoint: str | None, graph_iri: str | None, remote_default_graph: bool,
           timeout: int, retries: int) -> None:
    """Run an ad hoc read-only SPARQL query from FILE (or - for standard input): SELECT, ASK, CONSTRUCT or
    DESCRIBE. Update requests are refused."""
    from .query import Table, open_local, run_local
    from .render import check_options
    from .sparql import check_format, refuse_updates
    from .store import serialize

    text = nfc_arg(file.read())
    if endpoint:
        from .remote import published_graphs, run_remote
        refuse_updates(text)  # never sent: the endpoint might accept it
        graphs = [] if remote_default_graph else published_graphs(graph_iri, reasoning)
        answer = run_remote(endpoint, text, default_graphs=graphs, timeout=timeout, retries=retries, graphs=True)
    else:
        answer = run_local(open_local(graph_path, reasoning), text, graphs=True)
    if isinstance(answer, Table):
        fmt = check_format(fmt, False, "a SELECT query" if answer.boolean is None else "an ASK query")
        check_options(fmt, lang=lang, truncate=truncate, excel=excel, to_file=output is not None)
        emit(answer, fmt, output, "sparql", lang=lang, truncate=truncate, excel=excel)
    else:
        write_out(serialize(answer, check_format(fmt, True, "a CONSTRUCT or DESCRIBE query")), output)


@main.command()
@graph_option
@click.option("--endpoint", required=True, metavar="URL",
              help="SPARQL endpoint of a law database modelled in ELI (e.g. http://127.0.0.1:7879/query).")
@click.option("--default-graph", "default_graphs", multiple=True, metavar="IRI",
              help="Query these named graphs of the endpoint as its default graph (repeat for several); "
                   "default: the endpoint's own default graph.")
@click.option("--batch-size", type=click.IntRange(min=1), default=20, show_default=True,
              help="Documents (or records) per request.")
@with_remote_options
@click.option("-o", "--output", type=click.Path(path_type=Path), callback=output_path,
              help="The link graph file (default: beside the graph, NAME.links.ttl).")
@click.option("--replace", is_flag=True,
              help="Write the new link graph even when it links fewer documents than the current one.")
def link(graph_path: Path, endpoint: str, default_graphs: tuple[str, ...], batch_size: int, timeout: int,
         retries: int, output: Path | None, replace: bool) -> None:
    """Link the plan's legal documents to a law database (ELI over SPARQL) and write the link graph.

    Each document is looked up by number (eli:id_local, or number + type + year); what is found (the
    record's IRI as owl:sameAs, title, dates, in-force status, what amends, repeals, changes or consolidates
    it, transitively) goes to the link graph with its provenance. Documents not found are listed, never
    guessed. On any failure the link graph stays as it was (exit 2). When this run finds fewer documents than
    the current link graph links, that one is kept and the exit code is 1 (--replace writes the new one)."""
    from .remote import link as run_link

    report = run_link(graph_path, endpoint, output=output, batch_size=batch_size, default_graphs=default_graphs,
                      timeout=timeout, retries=retries, replace=replace)
    click.echo(f"{report.endpoint}: {len(report.linked)} of {report.documents} documents found, "
               f"{len(report.not_found)} not found; {len(report.changes)} change relations")
    for number, _, remote, how in report.linked:
        click.echo(f"  found      {number:<16} {remote}  (by {how})")
    for number, _, why in report.not_found:
        click.echo(f"  not found  {number:<16} {why}")
    if report.kept is not None:
        click.echo(f"warning: {report.endpoint} found {len(report.linked)} of {report.documents} documents, fewer "
                   f"than the {report.kept} that {report.path} links: kept it unchanged (check the endpoint and "
                   f"--default-graph, or run again with --replace to write the new link graph)", err=True)
        sys.exit(1)
    click.echo(f"wrote {report.path} ({report.triples} triples)")


@main.command()
@graph_option
@click.option("--endpoint", required=True, metavar="URL",
              help="The store: a server base (Oxigraph: http://127.0.0.1:7878) or its Graph Store Protocol URL "
                   "(Fuseki: …/ds/data, Virtuoso: …/sparql-graph-crud).")
@click.option("--graph-iri", metavar="IRI",
              help="Base IRI of the named graphs to replace: BASE asserted, ontology, inferred, links "
                   "(default https://w3id.org/cchc-graph/graph/).")
@click.option("--update-endpoint", metavar="URL",
              help="SPARQL Update endpoint, used when the store has no Graph Store Protocol (default: BASE/update "
                   "for a server base, else the --endpoint URL).")
@click.option("--query-endpoint", metavar="URL",
              help="SPARQL query endpoint of the store, for the probe, the lock and the triple counts (default: "
                   "BASE/query for a server base, else the update endpoint with a last segment `update` made "
                   "`query`, else the update endpoint).")
@click.option("--protocol", type=click.Choice(["auto", "gsp", "update"]), default="auto", show_default=True,
              help="gsp: HTTP PUT per graph; update: DROP + INSERT DATA; auto: GSP, or Update where GSP is missing.")
@reasoning_option
@with_remote_options
def publish(graph_path: Path, endpoint: str, graph_iri: str | None, update_endpoint: str | None,
            query_endpoint: str | None, protocol: str, reasoning: bool, timeout: int, retries: int) -> None:
    """Load the built graph, ontology, inferred triples and link graph into a SPARQL store, replacing our
    named graphs there all at once (a re-run never duplicates triples; a failure leaves the old graphs)."""
    from .remote import publish as run_publish

    report = run_publish(graph_path, endpoint, graph_iri=graph_iri, update_endpoint=update_endpoint,
                         query_endpoint=query_endpoint, protocol=protocol, reasoning=reasoning, timeout=timeout, retries=retries)
    how = "Graph Store Protocol" if report.protocol == "gsp" else "SPARQL Update"
    click.echo(f"published to {report.endpoint} ({how}):")
    for iri, count in report.graphs:
        click.echo(f"  {count:7d} triples  <{iri}>")
    for iri in report.removed:
        click.echo(f"  dropped          <{iri}> (nothing to publish)")


@main.command()
@graph_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=7878, show_default=True)
@reasoning_option
@click.option("--cors", is_flag=True, help="Allow cross-origin requests (for SPARQL editors served from other sites).")
def serve(graph_path: Path, host: str, port: int, reasoning: bool, cors: bool) -> None:
    """Serve the built graph (with ontology, inferred triples and link graph) as a read-only SPARQL endpoint
    (the Oxigraph server), in the foreground until Ctrl-C."""
    from .remote import serve as run_serve

    sys.exit(run_serve(graph_path, host=host, port=port, reasoning=reasoning, cors=cors, echo=click.echo))


@main.command()
@graph_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (only this machine by default; 0.0.0.0 for every interface).")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@reasoning_option
def web(graph_path: Path, host: str, port: int, reasoning: bool) -> None:
    """Serve the web pages for people, the nodes' IRIs (HTML, Turtle, N-Triples, JSON-LD) and the HTTP API
    over the saved queries, read-only, in the foreground until Ctrl-C."""
    from .web.app import serve as run_web

    run_web(graph_path, host=host, port=port, reasoning=reasoning, echo=lambda line: click.echo(line, err=True))


if __name__ == "__main__":  # pragma: no cover
    main()
