"""Output files (issue #12 item 5, issue #13 item 1) and `export` on the embedded store (issue #12 item 6).

Every file a command writes is created with the permissions of the umask and renamed into place whole; a
symbolic link is written through to its target; a directory, named pipe or device is refused before
anything is done."""

from __future__ import annotations

import csv
import io
import os
import stat
from pathlib import Path

import pytest

from cchc_graph.build import DEFAULT_PLAN, build_graph
from cchc_graph.cli import main
from cchc_graph.errors import CchcError
from cchc_graph.export import write_table
from cchc_graph.query import open_local
from cchc_graph.store import OxigraphDataset, atomic_write, write_bytes, write_graph

TABLE = DEFAULT_PLAN / "table.csv"


@pytest.fixture
def umask():
    """Set the process umask for one test, and restore it afterwards."""
    saved = os.umask(0o022)
    os.umask(saved)
    yield lambda mask: os.umask(mask)
    os.umask(saved)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# ------------------------------------------------------------------------------------------------ permissions

@pytest.mark.parametrize("mask, expected", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_new_files_get_the_umask_permissions(tmp_path, umask, mask, expected):
    umask(mask)
    write_bytes(tmp_path / "out.csv", b"a\n")
    assert mode(tmp_path / "out.csv") == expected


def test_a_replaced_file_gets_the_umask_permissions_too(tmp_path, umask):
    """Outputs are regenerated, not edited: a file left 0600 by an earlier version becomes 0644 again."""
    target = tmp_path / "graph.ttl"
    target.write_bytes(b"old\n")
    target.chmod(0o600)
    umask(0o022)
    write_bytes(target, b"new\n")
    assert mode(target) == 0o644 and target.read_bytes() == b"new\n"


def test_cli_output_file_is_readable_by_others_under_umask_022(runner, tmp_path, built_graph_file, umask):
    umask(0o022)
    result = runner.invoke(main, ["export", "--graph", str(built_graph_file), "-o", str(tmp_path / "table.csv")])
    assert result.exit_code == 0, result.output
    assert mode(tmp_path / "table.csv") == 0o644
    assert (tmp_path / "table.csv").read_bytes() == TABLE.read_bytes()


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "out.csv"
    target.write_bytes(b"old\n")
    with pytest.raises(RuntimeError):
        with atomic_write(target) as tmp:
            tmp.write_bytes(b"half")
            raise RuntimeError("failed halfway")
    assert target.read_bytes() == b"old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


# ------------------------------------------------------------------------------------------------ what -o may be

def test_a_symbolic_link_is_written_through_to_its_target(runner, tmp_path, built_graph_file):
    target = tmp_path / "shared" / "table.csv"
    target.parent.mkdir()
    target.write_bytes(b"old\n")
    link = tmp_path / "table.csv"
    link.symlink_to(target)
    result = runner.invoke(main, ["export", "--graph", str(built_graph_file), "-o", str(link)])
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_bytes() == TABLE.read_bytes()
    assert sorted(p.name for p in target.parent.iterdir()) == ["table.csv"]  # no temporary left beside it


def test_a_dangling_symbolic_link_creates_its_target(tmp_path):
    link = tmp_path / "out.ttl"
    link.symlink_to(tmp_path / "real.ttl")
    write_bytes(link, b"x\n")
    assert link.is_symlink() and (tmp_path / "real.ttl").read_bytes() == b"x\n"


def test_a_named_pipe_is_refused_and_stays_a_pipe(runner, tmp_path, built_graph_file):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    result = runner.invoke(main, ["export", "--graph", str(built_graph_file), "-o", str(fifo)])
    assert result.exit_code == 2
    assert result.output == f"error: cannot write {fifo}: it is a named pipe, not a regular file; choose a file path\n"
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]


def test_a_directory_is_refused(runner, tmp_path, built_graph_file):
    result = runner.invoke(main, ["query", "plans", "--graph", str(built_graph_file), "-o", str(tmp_path)])
    assert result.exit_code == 2
    assert result.output == (f"error: cannot write {tmp_path}: it is a directory, not a regular file; "
                             f"choose a file path\n")
    assert tmp_path.is_dir()


def test_a_device_is_refused_before_any_work(runner, tmp_path):
    """`build` refuses /dev/null before building (no build output, no traceback), and the device stays one."""
    result = runner.invoke(main, ["build", "-o", "/dev/null"])
    assert result.exit_code == 2
    assert result.output == ("error: cannot write /dev/null: it is a character device, not a regular file; "
                             "choose a file path\n")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_a_link_to_a_device_is_refused(tmp_path):
    link = tmp_path / "out.csv"
    link.symlink_to("/dev/null")
    with pytest.raises(CchcError) as raised:
        write_bytes(link, b"x\n")
    assert str(raised.value) == (f"cannot write {link} (a link to /dev/null): it is a character device, not a regular "
                                 f"file; choose a file path")
    assert link.is_symlink() and stat.S_ISCHR(os.stat("/dev/null").st_mode)


@pytest.mark.parametrize("command", [["build"], ["reason", "--graph", "G"], ["validate", "--graph", "G"],
                                     ["query", "plans", "--graph", "G"], ["export", "--graph", "G"]])
def test_every_output_option_refuses_a_pipe(runner, tmp_path, built_graph_file, command):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    args = [str(built_graph_file) if a == "G" else a for a in command]
    result = runner.invoke(main, [*args, "-o", str(fifo)])
    assert result.exit_code == 2
    assert result.output == f"error: cannot write {fifo}: it is a named pipe, not a regular file; choose a file path\n"
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


# ------------------------------------------------------------------------------------------------ export

@pytest.fixture(scope="module")
def corpus_file(tmp_path_factory):
    """The 2023 plan and two synthetic plans (benchmarks/synthetic.py) built into one graph file, with their
    folders by plan id."""
    from benchmarks.synthetic import generate

    folders = [DEFAULT_PLAN, *generate(2, tmp_path_factory.mktemp("plans"))]
    path = tmp_path_factory.mktemp("corpus") / "graph.ttl"
    write_graph(build_graph(folders), path)
    return path, folders


def plan_ids(runner, graph: Path) -> list[str]:
    result = runner.invoke(main, ["query", "plans", "--graph", str(graph), "--format", "csv", "--no-reasoning"])
    rows = list(csv.DictReader(io.StringIO(result.output)))
    return sorted(row["plan_id"] for row in rows)


def test_export_of_each_plan_equals_its_source_table(runner, corpus_file):
    graph, folders = corpus_file
    ids = plan_ids(runner, graph)
    assert len(ids) == 3 and "ninh-binh-2023" in ids
    tables = {}
    for plan in ids:
        result = runner.invoke(main, ["export", "--graph", str(graph), "--plan", plan])
        assert result.exit_code == 0, result.output
        tables[plan] = result.stdout_bytes
    assert tables["ninh-binh-2023"] == TABLE.read_bytes()
    assert sorted(tables.values()) == sorted((folder / "table.csv").read_bytes() for folder in folders)
    # The whole corpus: one header, then every plan's rows, plans in id order.
    whole = runner.invoke(main, ["export", "--graph", str(graph)])
    header, *_ = TABLE.read_bytes().partition(b"\n")
    assert whole.stdout_bytes == header + b"\n" + b"".join(tables[p].partition(b"\n")[2] for p in ids)


def test_export_equals_query_plan_table(runner, corpus_file):
    """Both run `plan-table` on the same store: the table's products are the query's lines, row by row."""
    graph, _ = corpus_file
    exported = list(csv.DictReader(io.StringIO(runner.invoke(main, ["export", "--graph", str(graph)]).output)))
    queried = list(csv.DictReader(io.StringIO(runner.invoke(
        main, ["query", "plan-table", "--graph", str(graph), "--format", "csv"]).output)))
    lines = [(r["plan_id"], r["row_id"], r["product"]) for r in queried]
    rows: dict[tuple[str, str], list[str]] = {}
    for plan, row, product in lines:
        rows.setdefault((plan, row), [])
        if product:
            rows[(plan, row)].append(product)
    assert [r["row_id"] for r in exported] == [row for _, row in rows]
    assert [r["product"] for r in exported] == ["\n".join(products) for products in rows.values()]


def test_export_unknown_plan_lists_the_plans(runner, corpus_file, tmp_path):
    graph, _ = corpus_file
    ids = plan_ids(runner, graph)
    result = runner.invoke(main, ["export", "--graph", str(graph), "--plan", "ha-noi-1999", "-o",
                                  str(tmp_path / "t.csv")])
    assert result.exit_code == 2
    assert result.output == f"error: --plan 'ha-noi-1999': no such plan in the graph; its plans: {', '.join(ids)}\n"
    assert not list(tmp_path.iterdir())  # nothing written, no temporary left


def test_export_does_not_use_rdflibs_sparql_engine(runner, built_graph_file, monkeypatch):
    from rdflib import Graph
    from rdflib.plugins.sparql import processor

    def refuse(*args, **kwargs):
        raise AssertionError("rdflib's SPARQL engine was used")

    monkeypatch.setattr(Graph, "query", refuse)
    monkeypatch.setattr(processor, "prepareQuery", refuse)
    result = runner.invoke(main, ["export", "--graph", str(built_graph_file)])
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == TABLE.read_bytes()


def test_export_streams_rows_as_they_are_complete(built_graph_file, monkeypatch):
    """The first row is written when its products have been read, long before the answer's last line."""
    read = []
    solutions = OxigraphDataset.solutions

    def counted(self, text):
        columns, lines = solutions(self, text)

        def each():
            for line in lines:
                read.append(line)
                yield line
        return columns, each()

    monkeypatch.setattr(OxigraphDataset, "solutions", counted)

    class Sink(io.BytesIO):
        def __init__(self):
            super().__init__()
            self.read_at_write: list[int] = []

        def write(self, data):
            self.read_at_write.append(len(read))
            return super().write(data)

    out = Sink()
    rows = write_table(open_local(built_graph_file, reasoning=False), out)
    assert rows == 64 and out.getvalue() == TABLE.read_bytes()
    total = len(read)
    assert total > 64  # one line per product
    assert len(out.read_at_write) == 65  # the header, then one write per row
    assert out.read_at_write[1] < total // 10 and out.read_at_write[-1] == total
