"""The W3C SHACL test suite (core and SPARQL), read from its manifests, on both engines.

Each `sht:Validate` entry runs `validate_files([data], shapes_dir=[shapes], with_ontology=False)` and
`cchc-graph validate --graph DATA --shapes SHAPES --no-ontology --format turtle`, and is compared with the entry's
expected outcome as the suite says: the conforms flag and the set of results, each as its focus node,
result path, value, severity, source shape and source constraint component (blank nodes as such, never by
identity; messages and sh:sourceConstraint ignored). `sht:Failure` entries must be refused (CchcError).

Where an engine cannot pass a test yet the test is an `xfail(strict=True)` naming why (the xfail tables
below), so a fix shows up as an XPASS failure and the table is updated with it.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH, Namespace

from cchc_graph.cli import main
from cchc_graph.errors import CchcError
from cchc_graph.validate import literals_as_written, path_to_sparql, render_report, validate_files

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")
SUITE = Path(os.environ.get("W3C_SHACL_TESTS") or Path(__file__).resolve().parents[1].parent / "shared" / "w3c-shacl-tests")


def _manifest_entries(manifest: Path):
    """(name, entry graph, entry node) of every test of a manifest and the manifests it includes."""
    with literals_as_written():  # the expected values as written ("2011-01-01"^^xsd:dateTime stays so)
        graph = Graph().parse(manifest, format="turtle", publicID=manifest.resolve().as_uri())
    root = URIRef(manifest.resolve().as_uri())
    for included in sorted(graph.objects(root, MF.include)):
        yield from _manifest_entries(Path(included.removeprefix("file://")))
    for entries in graph.objects(root, MF.entries):
        for entry in Collection(graph, entries):
            name = str(entry).removeprefix(SUITE.resolve().as_uri() + "/")
            yield name, graph, entry


def _cases():
    if not (SUITE / "manifest.ttl").exists():
        return []
    return [(name, graph, entry) for name, graph, entry in _manifest_entries(SUITE / "manifest.ttl")
            if (entry, RDF.type, SHT.Validate) in graph]


CASES = _cases()

# Tests an engine cannot pass yet, and why (the engine refuses with "not supported", never a wrong result).
PYSHACL_XFAIL: dict[str, str] = {
    "sparql/pre-binding/shapesGraph-001": "pySHACL 0.40.1 does not implement $shapesGraph (NotImplementedError): "
                                          "refused with 'not supported by pySHACL'",
}
OXIGRAPH_XFAIL: dict[str, str] = {}


def _key(graph: Graph, result) -> tuple:
    """A result as the suite compares it: blank nodes stand for "some blank node"; a path as SPARQL text."""
    def term(node):
        return "_:b" if isinstance(node, BNode) else node

    path = graph.value(result, SH.resultPath)
    return (term(graph.value(result, SH.focusNode)), None if path is None else path_to_sparql(graph, path),
            term(graph.value(result, SH.value)), graph.value(result, SH.resultSeverity),
            term(graph.value(result, SH.sourceShape)), graph.value(result, SH.sourceConstraintComponent))


def _expected(graph: Graph, report) -> tuple[bool, Counter]:
    conforms = graph.value(report, SH.conforms)
    return bool(conforms.toPython()), Counter(_key(graph, r) for r in graph.objects(report, SH.result))


def _params():
    for engine, xfails in (("pyshacl", PYSHACL_XFAIL), ("oxigraph", OXIGRAPH_XFAIL)):
        for name, graph, entry in CASES:
            marks = [pytest.mark.xfail(strict=True, reason=xfails[name])] if name in xfails else []
            yield pytest.param(engine, name, graph, entry, id=f"{engine}:{name}", marks=marks)


def test_suite_is_read_from_its_manifests():
    if not CASES:
        message = f"the W3C SHACL test suite is not at {SUITE} (set W3C_SHACL_TESTS)"
        if os.environ.get("CI") == "true":  # CI has ../shared: a missing suite is a failure there, never a skip
            pytest.fail(message)
        pytest.skip(message)
    names = [name for name, _, _ in CASES]
    assert len(names) == len(set(names)) == 121
    assert sum(name.startswith("core/") for name in names) == 98
    assert "sparql/pre-binding/pre-binding-006" in names and "core/node/datatype-002" in names


@pytest.mark.parametrize(("engine", "name", "graph", "entry"), list(_params()))
def test_w3c(engine: str, name: str, graph: Graph, entry) -> None:
    action = graph.value(entry, MF.action)
    data = Path(graph.value(action, SHT.dataGraph).removeprefix("file://"))
    shapes = Path(graph.value(action, SHT.shapesGraph).removeprefix("file://"))
    expected = graph.value(entry, MF.result)
    command = CliRunner().invoke(main, ["validate", "--graph", str(data), "--shapes", str(shapes), "--no-ontology",
                                        "--engine", engine, "--fail-on", "info", "--format", "turtle"])
    if expected == SHT.Failure:
        with pytest.raises(CchcError, match="not supported"):
            validate_files([data], shapes_dir=[shapes], engine=engine, with_ontology=False)
        assert command.exit_code == 2 and command.output.startswith(f"error: shapes in {shapes}: ")
        assert "not supported" in command.output
        return
    outcome = validate_files([data], shapes_dir=[shapes], engine=engine, with_ontology=False)
    report = outcome.report
    found = Counter(_key(report, r) for r in report.objects(None, SH.result))
    conforms, results = _expected(graph, expected)
    # a result reached twice (through two targets) is one finding: the results compare as sets
    assert (outcome.conforms, set(found)) == (conforms, set(results))
    # the command: exit 1 on any result (--fail-on info), and the same results in its Turtle report
    assert command.exit_code == (0 if conforms else 1), command.output
    with literals_as_written():
        written = Graph().parse(data=command.output, format="turtle")
    assert {_key(written, r) for r in written.objects(None, SH.result)} == set(results)
    # the reports people and programs read work on any data, not only ours
    document = json.loads(render_report(outcome, lang="en", fmt="json"))
    assert (document["conforms"], len(document["results"])) == (conforms, len(outcome.findings))
    assert render_report(outcome, lang="vi").count("\n  [") == len(outcome.findings)
