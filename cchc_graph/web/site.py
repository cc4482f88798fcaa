"""What the web pages read: the store opened once, saved queries run as the CLI runs them, the validation
findings and the search index computed once at start."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.term import Node

from ..namespaces import bind_prefixes
from ..query import SavedQuery, get_query, open_local, run_local, run_saved, saved_queries
from ..render import Table
from .search import SearchIndex

BASE = "https://w3id.org/cchc-graph"


@dataclass
class Site:
    graph_path: Path
    reasoning: bool = True
    dataset: object = field(init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        self.dataset = open_local(self.graph_path, self.reasoning)
        self.queries: dict[str, SavedQuery] = saved_queries()

    def execute(self, text: str) -> Table:
        return run_local(self.dataset, text)

    def run(self, name: str, params: dict[str, str | list[str]] | None = None, limit: int | None = None,
            offset: int | None = None) -> Table:
        """A saved query with parameters as people type them: bound and checked as `cchc-graph query` does
        (a QueryError says what is wrong with a value); `limit` / `offset` as its --limit / --offset."""
        return run_saved(get_query(name), params or {}, self.execute, limit=limit, offset=offset)

    # ------------------------------------------------------------------ computed once
    @cached_property
    def validation(self):
        from ..validate import validate_files
        return validate_files([self.graph_path], engine="oxigraph")

    def findings(self, lang: str):
        from ..validate import grouped_findings
        return self._once(f"findings-{lang}", lambda: grouped_findings(self.validation, lang))

    def findings_about(self, node: URIRef, lang: str):
        return [group for group in self.findings(lang) if group.node == node]

    @cached_property
    def search_index(self) -> SearchIndex:
        return SearchIndex(self.run("search-index").rows)

    @cached_property
    def ontology_terms(self) -> list[dict]:
        """The ontology page's terms, each with its parents, domains and ranges as lists; run on the ontology
        files alone (see queries/ontology-terms.rq)."""
        from ..reason import load_ontology
        from ..store import ONTOLOGY_GRAPH, OxigraphDataset
        ontology = OxigraphDataset()
        ontology.add_graph(ONTOLOGY_GRAPH, load_ontology())
        terms: dict = {}
        for line in run_saved(get_query("ontology-terms"), {}, lambda text: run_local(ontology, text)).rows:
            term = terms.setdefault(line["term"], {**{k: v for k, v in line.items() if k not in ("relation", "related")},
                                                   "parent": [], "domain": [], "range": []})
            if line.get("relation") is not None:
                term[str(line["relation"])].append(str(line["related"]))
        return list(terms.values())

    @cached_property
    def plans(self) -> list[dict[str, Node]]:
        return self.run("plans").rows

    def _once(self, key: str, make):
        with self._lock:
            cache = self.__dict__.setdefault("_cache", {})
            if key not in cache:
                cache[key] = make()
            return cache[key]

    def facets(self, plan_id: str) -> dict[str, dict[str, set[str]]]:
        """row id -> facet -> values, for one plan (see queries/plan-row-facets.rq)."""
        def make():
            rows: dict[str, dict[str, set[str]]] = {}
            for line in self.run("plan-row-facets", {"plan": plan_id}).rows:
                rows.setdefault(str(line["row_id"]), {}).setdefault(str(line["facet"]), set()).add(str(line["value"]))
            return rows
        return self._once(f"facets-{plan_id}", make)

    def agency_names(self) -> dict[str, str]:
        """IRI -> the Vietnamese name of every agency and group (for the filter's choices)."""
        def make():
            names: dict[str, str] = {}
            for line in self.search_index.entries:
                if line.kind == "agency":
                    names[line.node] = line.label
            return names
        return self._once("agency-labels", make)

    # ------------------------------------------------------------------ one node
    def description(self, iri: str) -> Table:
        return self.run("node-description", {"node": iri})

    def describe(self, iri: str) -> Graph:
        """The node's own triples and the labels of what they link to, as a graph to serialise."""
        graph = Graph(bind_namespaces="none")  # only our prefixes, so that the JSON-LD @context is ours
        bind_prefixes(graph)
        node = URIRef(iri)
        for line in self.description(iri).rows:
            graph.add((node, line["predicate"], line["object"]))
            if line.get("object_label") is not None:
                graph.add((line["object"], line["label_predicate"], line["object_label"]))
        return graph


def local_path(iri: str) -> str | None:
    """The path a node of ours is served at (its IRI without the w3id host), else None."""
    if iri.startswith(BASE + "/"):
        return iri[len(BASE):]
    return None
