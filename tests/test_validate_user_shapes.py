"""`cchc-graph validate --shapes … --no-ontology`: users' own shapes on their own data, on both engines."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from cchc_graph.cli import main

ENGINES = ("pyshacl", "oxigraph")
PREFIXES = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


def run(*args):
    return CliRunner().invoke(main, ["validate", "--no-ontology", "--format", "json", "--lang", "en", *args])


@pytest.fixture
def files(tmp_path):
    """Data and shapes written with relative IRIs (`<#…>`), which resolve against each file's location."""
    (tmp_path / "data.ttl").write_text(PREFIXES + """
<#row1> <#position> "1"^^xsd:int ; <#label> "Dòng 1"@vi .
<#row2> <#position> "2"^^xsd:int .
""", encoding="utf-8")
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "position.ttl").write_text(PREFIXES + """
<#RowShape> a sh:NodeShape ; sh:targetSubjectsOf <../data.ttl#position> ;
    sh:property [ sh:path <../data.ttl#position> ; sh:datatype xsd:int ; sh:maxInclusive 1 ] .
""", encoding="utf-8")
    (tmp_path / "label.ttl").write_text(PREFIXES + """
<#LabelShape> sh:targetSubjectsOf <data.ttl#position> ;
    sh:property [ sh:path <data.ttl#label> ; sh:minCount 1 ; sh:severity sh:Warning ] .
""", encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("engine", ENGINES)
def test_own_shapes_with_relative_iris(files, engine):
    base = files.as_uri()
    result = run("--graph", str(files / "data.ttl"), "--shapes", str(files / "rules"), "--shapes",
                 str(files / "label.ttl"), "--engine", engine)
    assert result.exit_code == 1, result.output
    found = {(r["focus_node"], r["constraint_component"].rsplit("#", 1)[1], r["severity"], r["value"])
             for r in json.loads(result.output)["results"]}
    # "1"^^xsd:int is an xsd:int as written on both engines (Oxigraph stores it as xsd:integer)
    assert found == {(f"{base}/data.ttl#row2", "MaxInclusiveConstraintComponent", "violation", "2"),
                     (f"{base}/data.ttl#row2", "MinCountConstraintComponent", "warning", None)}
    # warnings alone do not fail unless asked
    result = run("--graph", str(files / "data.ttl"), "--shapes", str(files / "label.ttl"), "--engine", engine)
    assert result.exit_code == 0, result.output
    result = run("--graph", str(files / "data.ttl"), "--shapes", str(files / "label.ttl"), "--engine", engine,
                 "--fail-on", "warning")
    assert result.exit_code == 1, result.output


@pytest.mark.parametrize("engine", ENGINES)
def test_datatype_sees_the_literal_as_written(tmp_path, engine):
    (tmp_path / "data.ttl").write_text(PREFIXES + '<urn:x:r> <urn:x:position> "1"^^xsd:int .\n', encoding="utf-8")
    (tmp_path / "s.ttl").write_text(PREFIXES + """
<urn:x:S> sh:targetNode <urn:x:r> ; sh:property [ sh:path <urn:x:position> ; sh:datatype xsd:integer ] .
""", encoding="utf-8")
    result = run("--graph", str(tmp_path / "data.ttl"), "--shapes", str(tmp_path / "s.ttl"), "--engine", engine)
    assert result.exit_code == 1, result.output
    [found] = json.loads(result.output)["results"]
    assert (found["focus_node"], found["value"], found["constraint_component"]) == (
        "urn:x:r", "1", "http://www.w3.org/ns/shacl#DatatypeConstraintComponent")


@pytest.mark.parametrize("engine", ENGINES)
def test_queries_that_reach_the_network_are_refused(tmp_path, engine):
    (tmp_path / "data.ttl").write_text("<urn:x:a> <urn:x:p> <urn:x:b> .\n", encoding="utf-8")
    (tmp_path / "s.ttl").write_text(PREFIXES + """
<urn:x:S> sh:targetNode <urn:x:a> ; sh:sparql [ sh:select '''
    SELECT $this WHERE { $this ?p ?o . SERVICE <http://example.org/sparql> { ?o ?q ?r } }''' ] .
""", encoding="utf-8")
    result = run("--graph", str(tmp_path / "data.ttl"), "--shapes", str(tmp_path / "s.ttl"), "--engine", engine)
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"error: shapes in {tmp_path / 's.ttl'}: ")
    assert "not supported" in result.output and "SERVICE" in result.output


def test_missing_shapes_are_bad_input(tmp_path):
    (tmp_path / "data.ttl").write_text("<urn:x:a> <urn:x:p> <urn:x:b> .\n", encoding="utf-8")
    result = run("--graph", str(tmp_path / "data.ttl"), "--shapes", str(tmp_path / "nope.ttl"))
    assert result.exit_code == 2
    assert result.output == f"error: {tmp_path / 'nope.ttl'}: no such shapes folder or file\n"


@pytest.mark.parametrize("engine", ENGINES)
def test_literals_oxigraph_would_merge_stay_apart(tmp_path, engine):
    """"1"^^xsd:int, "1"^^xsd:integer and "01"^^xsd:integer are three RDF terms (Oxigraph stores one)."""
    (tmp_path / "data.ttl").write_text(PREFIXES + """
<urn:x:a> <urn:x:p> "1"^^xsd:int , "1"^^xsd:integer .
<urn:x:b> <urn:x:p> "01"^^xsd:integer .
<urn:x:c> <urn:x:p> "1"^^xsd:integer .
""", encoding="utf-8")
    (tmp_path / "s.ttl").write_text(PREFIXES + """
<urn:x:S> sh:targetSubjectsOf <urn:x:p> ;
    sh:property [ sh:path <urn:x:p> ; sh:datatype xsd:integer ; sh:maxCount 1 ; sh:in ( "01"^^xsd:integer "1"^^xsd:int ) ] .
""", encoding="utf-8")
    result = run("--graph", str(tmp_path / "data.ttl"), "--shapes", str(tmp_path / "s.ttl"), "--engine", engine)
    assert result.exit_code == 1, result.output
    found = {(r["focus_node"], r["value"], r["constraint_component"].rsplit("#", 1)[1])
             for r in json.loads(result.output)["results"]}
    assert found == {("urn:x:a", "1", "DatatypeConstraintComponent"), ("urn:x:a", None, "MaxCountConstraintComponent"),
                     ("urn:x:a", "1", "InConstraintComponent"), ("urn:x:c", "1", "InConstraintComponent")}


@pytest.mark.parametrize("engine", ENGINES)
def test_recursive_shapes_are_refused(tmp_path, engine):
    """SHACL leaves recursive shapes undefined: both engines refuse them (pySHACL alone reports conforms)."""
    (tmp_path / "data.ttl").write_text("<urn:x:a> <urn:x:knows> <urn:x:b> . <urn:x:b> <urn:x:knows> <urn:x:a> .\n",
                                       encoding="utf-8")
    (tmp_path / "s.ttl").write_text(PREFIXES + """
<urn:x:Person> sh:targetNode <urn:x:a> ; sh:property [ sh:path <urn:x:knows> ; sh:node <urn:x:Person> ] .
""", encoding="utf-8")
    result = run("--graph", str(tmp_path / "data.ttl"), "--shapes", str(tmp_path / "s.ttl"), "--engine", engine)
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"error: shapes in {tmp_path / 's.ttl'}: ")
    assert "recursive shape" in result.output and result.output.rstrip().endswith("is not supported")
