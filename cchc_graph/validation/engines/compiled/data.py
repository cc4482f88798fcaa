"""The data graph the compiled engine validates (an OxigraphDataset of store.py: its own in-memory store, or a
dataset read in place), what only validation needs of it (literals as written beside Oxigraph's canonical form,
surrogates for literals Oxigraph would merge, the way back to the rdflib terms given), and the read-only graph
view the report navigator reads."""

from __future__ import annotations

from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef

from ....errors import CchcError
from ....namespaces import RDF, bind_prefixes
from ....store import OxigraphDataset, check_graph_file, read_quads, to_oxigraph, to_rdflib
from ...outcome import SHAPES_NS

_XSD = "http://www.w3.org/2001/XMLSchema#"
_XSD_STRING = _XSD + "string"
_LANG_STRING = str(RDF.langString)
SH_XSD_STRING = URIRef(_XSD_STRING)
_PREFIXES = ("PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\n"
             "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n")


class _OxData:
    """The data graph the compiled engine validates: an `OxigraphDataset` (store.py) and the way back to the
    rdflib terms the report is made of.

    Its own store (`from_graphs`, `from_files`) holds the data graph in the default graph, queried alone; a
    dataset given as it is (`from_dataset`) is queried as its default graph is (the union of its named graphs,
    or `default_graphs`), never copied or written to.

    Oxigraph stores valid numbers, booleans and dates in canonical form ("2023.0"^^xsd:decimal becomes
    "2023"). When the data comes from rdflib graphs, every such literal is mapped back to the term it was
    given as, so the findings are the very terms pySHACL reports. When it comes from files (the command),
    the files are never parsed by rdflib; the literals as written are kept beside their canonical form
    (`_as_written`)."""

    def __init__(self, dataset: OxigraphDataset | None = None):
        import pyoxigraph

        self.ox = pyoxigraph
        self.own = dataset is None  # a store of our own: the data in its default graph, which we may write to
        self.dataset = OxigraphDataset() if dataset is None else dataset
        self.store = self.dataset.store
        self.options = {} if self.own else self.dataset.query_options()
        self.originals: dict = {}  # canonical Oxigraph literal -> rdflib literal as given
        self.canonical: dict = {}  # rdflib literal as given -> canonical Oxigraph literal
        self.explicit_strings: set[str] = set()  # lexical forms given as "…"^^xsd:string (Oxigraph merges them)
        self.written: dict = {}  # canonical Oxigraph literal -> the literal of the files it stands for
        self.bnodes: dict[str, BNode] = {}  # Oxigraph blank node id -> rdflib blank node
        self.bnode_ids: dict[BNode, str] = {}
        self._back: dict = {}

    @classmethod
    def from_graphs(cls, *graphs: Graph) -> "_OxData":
        data = cls()
        data._add_graphs(graphs)
        return data

    @classmethod
    def from_dataset(cls, dataset: OxigraphDataset) -> "_OxData":
        """The default graph of `dataset` as its queries see it, read in place: values are reported as the store
        holds them (canonical literals, the store's blank node identifiers)."""
        return cls(dataset)

    @classmethod
    def from_files(cls, paths: list[Path], ontology: Graph) -> "_OxData":
        """The files parsed by Oxigraph (store.py: relative IRIs against each file's location). Oxigraph's
        store keeps a number or date in canonical form ("1"^^xsd:int becomes "1"^^xsd:integer), so the
        literals as written are kept beside their canonical form, for sh:datatype and for the report
        (`_as_written`)."""
        data = cls()
        ox = data.ox
        canonical: dict = {}  # typed literal as written -> as Oxigraph stores it
        rewritten: list = []  # the quads whose literal Oxigraph stores in another form (rare)

        def seen(quad):  # note the typed literals Oxigraph stores in another form
            value = quad.object
            if type(value) is ox.Literal and value.datatype.value not in (_XSD_STRING, _LANG_STRING):
                stored = canonical.get(value)
                if stored is None:
                    stored = canonical[value] = _canonical_forms(ox, [value])[value]
                if stored != value:
                    rewritten.append(quad)

        paths = [check_graph_file(path) for path in paths]
        for path in paths:
            data.dataset.load_quads(path, seen)
        if rewritten:
            data._as_written(canonical, rewritten, paths)
        data._add_graphs([ontology])
        return data

    # ------------------------------------------------------------------ reading the store
    def query(self, text: str):
        """The store's answer (pyoxigraph terms) to a query on the data graph."""
        return self.store.query(text, **self.options)

    def select(self, query: str):
        """Rows of a SELECT query as dicts of rdflib terms (unbound variables left out)."""
        solutions = self.query(query)
        names = [v.value for v in solutions.variables]
        for solution in solutions:
            yield {name: self.term(solution[name]) for name in names if solution[name] is not None}

    def triples(self, s=None, p=None, o=None) -> list:
        """The (subject, predicate, object) Oxigraph triples of the data graph that match the pattern."""
        if self.own:
            return [quad.triple for quad in self.store.quads_for_pattern(s, p, o, self.ox.DefaultGraph())]
        wanted = self.dataset.default_graphs
        found = dict.fromkeys(quad.triple for quad in self.store.quads_for_pattern(s, p, o, None)
                              if wanted is None or (type(quad.graph_name) is self.ox.NamedNode
                                                    and quad.graph_name.value in wanted))
        return list(found)

    def __len__(self) -> int:
        if self.own:
            return len(self.store)
        (row,) = self.query("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }")
        return int(row["n"].value)

    # ------------------------------------------------------------------ literals as written
    def _as_written(self, canonical: dict, rewritten: list, paths: list) -> None:
        """Keep the literals of the files as written. A canonical form that stands for one written literal
        is mapped back to it; written literals that Oxigraph would merge ("1"^^xsd:int and "1"^^xsd:integer,
        different RDF terms) get a surrogate term of their own in the store instead (`_surrogate`)."""
        ox = self.ox
        groups: dict = {}
        for written, stored in canonical.items():
            groups.setdefault(stored, set()).add(written)
        merged = {stored for stored, forms in groups.items() if len(forms) > 1}
        for stored, forms in groups.items():
            if stored not in merged:
                (written,) = forms
                if written != stored:
                    self.written[stored] = written
        fixes = [quad for quad in rewritten if canonical[quad.object] in merged]
        if not fixes:
            return
        # the (subject, predicate) that also hold the canonical form as written keep that triple
        explicit = set()
        wanted = {canonical[q.object] for q in fixes if canonical.get(canonical[q.object]) == canonical[q.object]}
        for quad in fixes:  # a blank node has another identifier in each parse: it cannot be matched again
            if canonical[quad.object] in wanted and type(quad.subject) is not ox.NamedNode:
                raise CchcError(f"{quad.object} and {canonical[quad.object]} are one value in Oxigraph's store; "
                                "telling them apart on a blank node is not supported by the oxigraph engine; use "
                                "--engine pyshacl")
        for path in paths if wanted else ():
            for quad in read_quads(path):
                if quad.object in wanted and type(quad.subject) is ox.NamedNode:
                    explicit.add((quad.subject, quad.predicate, quad.object))
        for quad in fixes:
            surrogate = _surrogate(ox, quad.object)
            original = to_rdflib(quad.object, as_stored=True)
            self.originals[surrogate], self.canonical[original] = original, surrogate
            self.store.add(ox.Quad(quad.subject, quad.predicate, surrogate))
            if (quad.subject, quad.predicate, canonical[quad.object]) not in explicit:
                self.store.remove(ox.Quad(quad.subject, quad.predicate, canonical[quad.object]))

    def _add_graphs(self, graphs) -> None:
        """The triples of rdflib graphs, each typed literal mapped to what Oxigraph stores for it, and back
        (literals Oxigraph would merge get surrogates, as in `_as_written`)."""
        ox = self.ox
        objects = {o for graph in graphs for o in graph.objects() if isinstance(o, Literal)}
        self.explicit_strings.update(str(o) for o in objects if str(o.datatype) == _XSD_STRING)
        as_given = {t: to_oxigraph(t) for t in objects
                    if t.datatype is not None and str(t.datatype) not in (_XSD_STRING, _LANG_STRING)}
        stored = _canonical_forms(ox, list(as_given.values())) if as_given else {}
        groups: dict = {}
        for t, literal in as_given.items():
            groups.setdefault(stored[literal], []).append(t)
        for canonical_form, terms in groups.items():
            for t in sorted(terms, key=lambda t: (as_given[t] != canonical_form, str(t.datatype))):
                if canonical_form not in self.originals:  # the canonical one first, if written so
                    self.canonical[t], self.originals[canonical_form] = canonical_form, t
                else:  # another term Oxigraph would merge with the first
                    surrogate = _surrogate(ox, as_given[t])
                    self.canonical[t], self.originals[surrogate] = surrogate, t
        try:
            self.dataset.add_triples((t for graph in graphs for t in graph), blank=self._blank)
        except ValueError as exc:  # an IRI Oxigraph refuses
            raise CchcError(f"cannot validate with the oxigraph engine: {exc}") from None

    # ------------------------------------------------------------------ terms both ways
    def _blank(self, node: BNode):
        """An rdflib blank node's Oxigraph node: an identifier of ours (rdflib's may not be valid in Oxigraph)."""
        if node not in self.bnode_ids:
            self.bnode_ids[node] = f"b{len(self.bnode_ids)}"
            self.bnodes[self.bnode_ids[node]] = node
        return self.ox.BlankNode(self.bnode_ids[node])

    def to_ox(self, node):
        """The Oxigraph term of an rdflib term (a typed literal as Oxigraph stores it)."""
        if isinstance(node, Literal) and node in self.canonical:
            return self.canonical[node]
        return to_oxigraph(node, self._blank)

    def term(self, node):
        """The rdflib term of an Oxigraph term: the literal as given or written, where the store holds another."""
        if node is None:
            return None
        back = self._back.get(node)
        if back is not None:
            return back
        ox = self.ox
        if isinstance(node, ox.BlankNode):
            back = self.bnodes.get(node.value)
            if back is None:  # a blank node of a file: the same identifier both ways
                back = self.bnodes[node.value] = to_rdflib(node)
                self.bnode_ids[back] = node.value
        elif isinstance(node, ox.Literal):
            back = self.originals.get(node)
            written = self.written.get(node)
            if written is not None:
                back = to_rdflib(written, as_stored=True)
            elif back is None and node.datatype.value == _XSD_STRING and node.value in self.explicit_strings:
                back = Literal(node.value, datatype=SH_XSD_STRING)
            elif back is None:
                back = to_rdflib(node, as_stored=True)
        else:
            back = to_rdflib(node)
        self._back[node] = back
        return back



class _StoreView:
    """The read-only part of rdflib's Graph API that the report navigator uses, over an Oxigraph store: the
    text report of a large graph needs no rdflib copy of it."""

    def __init__(self, data: _OxData):
        self.d = data
        self._graph = Graph()
        bind_prefixes(self._graph)
        self._graph.bind("cchcsh", SHAPES_NS)
        self.namespace_manager = self._graph.namespace_manager
        self._cache: dict[tuple, list] = {}

    def _quads(self, s, p, o):
        if isinstance(s, Literal) or isinstance(p, (Literal, BNode)):  # a literal focus node has no triples
            return iter(())
        to = self.d.to_ox
        return self.d.triples(None if s is None else to(s), None if p is None else to(p), None if o is None else to(o))

    def objects(self, subject=None, predicate=None):
        key = (subject, predicate, None)
        if key not in self._cache:  # the navigator asks the same questions about a row again and again
            self._cache[key] = [self.d.term(quad.object) for quad in self._quads(subject, predicate, None)]
        return iter(self._cache[key])

    def subjects(self, predicate=None, object=None):
        key = (None, predicate, object)
        if key not in self._cache:
            self._cache[key] = [self.d.term(quad.subject) for quad in self._quads(None, predicate, object)]
        return iter(self._cache[key])

    def value(self, subject=None, predicate=None, object=None):
        found = self.objects(subject, predicate) if object is None else self.subjects(predicate, object)
        return next(iter(found), None)

    def transitive_subjects(self, predicate, object):
        seen, todo = [], [object]
        while todo:
            node = todo.pop()
            if node in seen:
                continue
            seen.append(node)
            todo.extend(self.subjects(predicate, node))
        return iter(seen)

    def __len__(self) -> int:
        return len(self.d)


AS_WRITTEN = "urn:x-cchc:as-written:"


def _canonical_forms(ox, literals: list) -> dict:
    """What Oxigraph stores for each literal: written to a scratch store and read back."""
    scratch, marker = ox.Store(), ox.NamedNode("urn:x-cchc:value")
    scratch.extend(ox.Quad(ox.NamedNode(f"urn:x-cchc:{i}"), marker, lit) for i, lit in enumerate(literals))
    return {literals[int(quad.subject.value.rsplit(":", 1)[1])]: quad.object for quad in scratch}


def _surrogate(ox, literal):
    """A term Oxigraph keeps apart for a typed literal it would merge with another ("1"^^xsd:int beside
    "1"^^xsd:integer): the lexical form under a datatype of ours. The report shows the literal as written;
    a SPARQL constraint sees the surrogate (not a number), a limit README states."""
    return ox.Literal(literal.value, datatype=ox.NamedNode(AS_WRITTEN + literal.datatype.value))
