"""The compiled engine's constraint components (one class each, citing the SHACL section that defines it) and
`validate_dataset` (the engine on an Oxigraph dataset, in place)."""

from __future__ import annotations

import importlib
import inspect
import re

import pytest
from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS
from rdflib import Graph, Literal, URIRef

from cchc_graph.errors import CchcError
from cchc_graph.store import ASSERTED, ONTOLOGY_GRAPH, OxigraphDataset
from cchc_graph.validate import render_report, validate_dataset, validate_graph
from cchc_graph.validation.engines.compiled import components as registry
from cchc_graph.validation.engines.compiled.components.base import Component
from tests.plain_namespaces import CCHC, CCHCSH, RDF, SH

# The SHACL Core and SHACL-SPARQL constraint parameters the compiled engine refuses on purpose, with why.
# None: it implements all of them (issue #16).
REFUSED: dict[URIRef, str] = {}

# The module of each section, as pySHACL's constraints/core groups them.
MODULE_OF_SECTION = {"4.1": "value_type", "4.2": "cardinality", "4.3": "value_range", "4.4": "string_based",
                     "4.5": "property_pair", "4.6": "logical", "4.7": "shape_based", "4.8": "other", "5": "sparql"}


def keys(outcome) -> set[tuple]:
    return {(f.focus, f.path_text, f.value, f.component, f.shape, f.severity, f.messages) for f in outcome.findings}


def test_every_component_cites_its_section_of_the_spec():
    for component in registry.COMPONENTS:
        doc = " ".join(component.__doc__.split())
        assert doc.startswith(f"SHACL {component.section} "), component.__name__
        assert component.url() in doc, component.__name__
        assert re.fullmatch(r"https://www\.w3\.org/TR/shacl/#[A-Za-z-]+", component.url())
        for parameter in component.parameters:
            assert f"sh:{str(parameter)[len(str(SH)):]}" in doc, (component.__name__, parameter)
        chapter = component.section if component.section == "5" else component.section.rsplit(".", 1)[0]
        module = component.__module__.rsplit(".", 1)[-1]
        assert module == MODULE_OF_SECTION[chapter], component.__name__


def test_citations_are_the_spec_sections_of_the_components():
    cited = {c.__name__: (c.section, c.url().rsplit("#", 1)[1], c.iri) for c in registry.COMPONENTS}
    assert cited["MinCount"] == ("4.2.1", "MinCountConstraintComponent", SH.MinCountConstraintComponent)
    assert cited["Or"] == ("4.6.3", "OrConstraintComponent", SH.OrConstraintComponent)
    assert cited["QualifiedMaxCount"] == ("4.7.3", "QualifiedValueShapeConstraintComponent",
                                          SH.QualifiedMaxCountConstraintComponent)
    assert cited["In"] == ("4.8.3", "InConstraintComponent", SH.InConstraintComponent)
    assert cited["SPARQLConstraint"] == ("5", "sparql-constraints", SH.SPARQLConstraintComponent)
    # each component names its own IRI, the one its results report
    assert len({iri for _, _, iri in cited.values()}) == len(cited) == 30


def test_every_component_class_is_in_the_registry():
    written = set()
    for module in set(MODULE_OF_SECTION.values()):
        loaded = importlib.import_module(f"{registry.__name__}.{module}")
        written |= {cls for name, cls in inspect.getmembers(loaded, inspect.isclass)
                    if issubclass(cls, Component) and cls.__module__ == loaded.__name__ and not name.startswith("_")}
    assert written == set(registry.COMPONENTS)


def test_the_registry_covers_shacl_core_and_sparql_but_what_is_refused():
    parameters = set(ALL_CONSTRAINT_PARAMETERS)
    assert parameters - set(registry.REGISTRY) == set(REFUSED)
    assert set(registry.REGISTRY) - parameters == {SH.flags}  # sh:pattern's optional parameter
    assert registry.SUPPORTED == frozenset(registry.REGISTRY)
    shape_based = importlib.import_module(f"{registry.__name__}.shape_based")
    assert registry.REGISTRY[SH.qualifiedValueShape] == (shape_based.QualifiedMinCount, shape_based.QualifiedMaxCount)
    assert [type(c).__name__ for c in registry.components_for({SH.maxCount, SH.minCount, SH.path, SH.name})] == [
        "MinCount", "MaxCount"]


def test_a_parameter_missing_from_the_registry_is_refused(monkeypatch, ontology):
    from cchc_graph.validation.engines.compiled import engine

    monkeypatch.setattr(engine, "SUPPORTED", registry.SUPPORTED - {SH.hasValue})
    shapes = Graph()
    shape = URIRef("urn:x-test:shape")
    shapes.add((shape, RDF.type, SH.NodeShape))
    shapes.add((shape, SH.targetNode, URIRef("urn:x-test:a")))
    shapes.add((shape, SH.hasValue, Literal(1)))
    data = Graph()
    data.add((URIRef("urn:x-test:a"), URIRef("urn:x-test:p"), Literal(1)))
    from cchc_graph.validation.engines.compiled.data import _OxData
    with pytest.raises(CchcError, match=r"^shapes in here: sh:hasValue in urn:x-test:shape is not supported by "
                                        r"the oxigraph engine; use --engine pyshacl$"):
        engine._OxigraphValidator(shapes, "here", _OxData.from_graphs(data)).run()


# ---------------------------------------------------------------------------------------------- validate_dataset
@pytest.fixture(scope="module")
def plan_dataset(plan_graph, ontology):
    dataset = OxigraphDataset()
    dataset.add_graph(ASSERTED, plan_graph)
    dataset.add_graph(ONTOLOGY_GRAPH, ontology)
    return dataset


def test_validate_dataset_gives_validate_graphs_findings(plan_dataset, plan_graph, ontology):
    size = len(plan_dataset)
    outcome = validate_dataset(plan_dataset)
    reference = validate_graph(plan_graph, ontology=ontology)  # pySHACL, the golden 24 findings
    assert keys(outcome) == keys(reference)
    assert len(outcome.findings) == 24 and not outcome.conforms
    assert [f.severity for f in outcome.findings].count("violation") == 3
    for lang in ("vi", "en"):  # the report navigator reads the dataset in place
        assert render_report(outcome, lang=lang) == render_report(reference, lang=lang)
    assert len(plan_dataset) == size  # nothing written into the dataset


def test_validate_dataset_sees_the_default_graphs_it_names(plan_graph, ontology):
    """A graph the dataset's default graph leaves out is not validated; in the union it is."""
    plan = "https://w3id.org/cchc-graph/id/plan/ninh-binh-2023"
    dataset = OxigraphDataset()
    dataset.add_graph(ASSERTED, plan_graph)
    dataset.add_graph(ONTOLOGY_GRAPH, ontology)
    extra = Graph()  # a second timeframe for row V-09: V-08's
    extra.add((URIRef(f"{plan}/row/V-09"), CCHC.timeframe, URIRef(f"{plan}/row/V-08/timeframe")))
    dataset.add_graph("urn:x-test:extra", extra)
    union = validate_dataset(dataset)
    dataset.default_graphs = [str(ASSERTED), str(ONTOLOGY_GRAPH)]
    named = validate_dataset(dataset)
    assert keys(named) == keys(validate_graph(plan_graph, ontology=ontology, engine="oxigraph"))
    added = {(str(f.focus), f.path_text, f.value, f.component, f.shape) for f in union.findings} - {
        (str(f.focus), f.path_text, f.value, f.component, f.shape) for f in named.findings}
    assert added == {
        (f"{plan}/row/V-09", f"<{CCHC.timeframe}>", None, SH.MaxCountConstraintComponent, CCHCSH["PlanRow-timeframe"]),
        (f"{plan}/row/V-08/timeframe", f"^<{CCHC.timeframe}>", None, SH.MaxCountConstraintComponent,
         CCHCSH["Timeframe-row"])}
    assert len(union.findings) == 26


def test_validate_dataset_refuses_what_it_cannot_do(plan_dataset, tmp_path):
    with pytest.raises(CchcError, match="^cannot validate 'Graph': not an Oxigraph dataset$"):
        validate_dataset(Graph())
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text("""@prefix sh: <http://www.w3.org/ns/shacl#> .
<urn:x-test:shape> a sh:NodeShape ; sh:targetNode <urn:x-test:a> ;
    sh:sparql [ sh:select "SELECT $this WHERE { GRAPH $shapesGraph { $this ?p ?o } }" ] .
""", encoding="utf-8")
    with pytest.raises(CchcError, match=rf"^shapes in {re.escape(str(shapes))}: \$shapesGraph is not supported when "
                                        "validating a store in place; validate its graph file instead$"):
        validate_dataset(plan_dataset, shapes)


def test_validate_dataset_on_a_read_only_store_on_disk(tmp_path, built_graph_file, plan_graph, ontology):
    from cchc_graph.ondisk import open_store, write_store

    write_store(built_graph_file, tmp_path / "store")
    store = open_store(tmp_path / "store", reasoning=False)  # read-only RocksDB: validation writes nothing
    outcome = validate_dataset(store)
    assert keys(outcome) == keys(validate_graph(plan_graph, ontology=ontology, engine="oxigraph"))
    assert render_report(outcome, lang="en").splitlines()[-1] == "Total: 3 violation(s), 6 warning(s), 15 info(s)."
