"""Shared fixtures: the 2023 plan built once per test session, the ontology, and a CLI runner."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from cchc_graph.build import DATA, DEFAULT_PLAN, build_graph
from cchc_graph.reason import closure, load_ontology
from cchc_graph.store import assemble, write_graph

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def plan_graph():
    """The asserted graph of the 2023 Ninh Bình plan (do not modify: shared by the session)."""
    return build_graph()


@pytest.fixture(scope="session")
def ontology():
    return load_ontology()


@pytest.fixture(scope="session")
def inferred(plan_graph, ontology):
    return closure(plan_graph, ontology)


@pytest.fixture(scope="session")
def dataset(plan_graph, ontology, inferred):
    """Asserted + ontology + inferred in the default embedded store, as `cchc-graph query` sees them."""
    return assemble(plan_graph, ontology, inferred)


@pytest.fixture(scope="session")
def rdflib_dataset(plan_graph, ontology, inferred):
    """The same in rdflib's memory store: a second SPARQL engine to cross-check the queries with."""
    return assemble(plan_graph, ontology, inferred, engine="rdflib")


@pytest.fixture(scope="session")
def built_graph_file(tmp_path_factory, plan_graph):
    """build/graph.ttl of the 2023 plan in a session temp folder."""
    path = tmp_path_factory.mktemp("build") / "graph.ttl"
    write_graph(plan_graph, path)
    return path


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def plan_copy(tmp_path):
    """A writable copy of data/ninh-binh-2023 to break in bad-input tests."""
    target = tmp_path / "ninh-binh-2023"
    shutil.copytree(DEFAULT_PLAN, target)
    return target


@pytest.fixture
def data_copy(tmp_path):
    """A writable copy of the whole data/ folder."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target
