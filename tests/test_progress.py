"""Progress bars on standard error (issue #12, item 9): drawn only when standard error is a terminal."""

from __future__ import annotations

import io
import sys

from cchc_graph.build import build_graph
from cchc_graph.cli import main
from cchc_graph.progress import progress


class Terminal(io.StringIO):
    """An in-memory standard error that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_no_terminal_no_output():
    stream = io.StringIO()
    with progress(3, "build: plans", stream=stream) as bar:
        for _ in range(3):
            bar.advance()
    assert stream.getvalue() == ""


def test_a_terminal_gets_the_bar_with_its_total():
    stream = Terminal()
    with progress(3, "build: plans", stream=stream) as bar:
        for _ in range(3):
            bar.advance()
    shown = stream.getvalue()
    assert "build: plans" in shown
    assert "3/3" in shown and "0/3" in shown


def test_a_spinner_names_its_phases():
    stream = Terminal()
    with progress(None, "validate: reading 1 file(s)", stream=stream) as bar:
        bar.describe("validate: checking the shapes (pySHACL)")
    assert "validate: checking the shapes (pySHACL)" in stream.getvalue()


def test_build_of_several_plans_shows_one_step_per_plan(monkeypatch, plan_copy):
    stream = Terminal()
    monkeypatch.setattr(sys, "stderr", stream)
    build_graph([plan_copy, plan_copy])
    assert "2/2" in stream.getvalue() and "build: plans" in stream.getvalue()


def test_cli_output_untouched_when_stderr_is_not_a_terminal(runner, tmp_path):
    result = runner.invoke(main, ["build", "-o", str(tmp_path / "g.ttl"), "--quiet"])
    assert result.exit_code == 0, result.output
    assert result.stderr == "" and result.stdout == ""


def test_validation_names_its_phases(monkeypatch, built_graph_file):
    from cchc_graph.validate import validate_files

    stream = Terminal()
    monkeypatch.setattr(sys, "stderr", stream)
    validate_files([built_graph_file], engine="oxigraph")
    shown = stream.getvalue()
    assert "validate: reading 1 file(s)" in shown
    assert "validate: checking the shapes (Oxigraph)" in shown


def test_import_names_its_phases(monkeypatch, tmp_path):
    from cchc_graph.importers.run import import_document
    from tests.plan_documents import make_xlsx, read_plan

    workbook = make_xlsx(tmp_path / "plan.xlsx", read_plan())
    stream = Terminal()
    monkeypatch.setattr(sys, "stderr", stream)
    import_document(workbook, tmp_path / "ninh-binh-2023")
    shown = stream.getvalue()
    assert "import: reading plan.xlsx" in shown and "import: building the table" in shown
