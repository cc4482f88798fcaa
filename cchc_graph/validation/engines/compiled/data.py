"""The data graph in an in-memory Oxigraph store, and what the report navigator reads of it."""

from __future__ import annotations

from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import SH

from ....errors import CchcError
from ....namespaces import RDF, bind_prefixes
from ...outcome import SHAPES_NS

# What the oxigraph engine implements: the SHACL Core parameters our shapes use, and SHACL-SPARQL constraints.
# Any other constraint parameter (sh:hasValue, sh:closed, sh:equals, …) in a shape stops it with an error
# that says to use pySHACL, so a new kind of shape can never be skipped silently.
_OX_SUPPORTED = {SH.minCount, SH.maxCount, SH.datatype, SH["class"], SH.pattern, SH.flags, SH.minLength,
                 SH.minInclusive, SH.maxInclusive, SH.languageIn, SH.uniqueLang, SH["or"], SH.node, SH.property,
                 SH.sparql, SH.nodeKind, SH.maxLength, SH.minExclusive, SH.maxExclusive, SH["in"], SH.hasValue,
                 SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals, SH.closed, SH.ignoredProperties,
                 SH["not"], SH["and"], SH.xone, SH.qualifiedValueShape, SH.qualifiedMinCount, SH.qualifiedMaxCount,
                 SH.qualifiedValueShapesDisjoint}
_XSD = "http://www.w3.org/2001/XMLSchema#"
_XSD_STRING = _XSD + "string"
_LANG_STRING = str(RDF.langString)
SH_XSD_STRING = URIRef(_XSD_STRING)
XSD_BOOLEAN = URIRef(_XSD + "boolean")
_PREFIXES = ("PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\n"
             "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n")
_COMPONENT = {param: SH[name + "ConstraintComponent"] for param, name in (
    (SH.minCount, "MinCount"), (SH.maxCount, "MaxCount"), (SH.datatype, "Datatype"), (SH["class"], "Class"),
    (SH.pattern, "Pattern"), (SH.minLength, "MinLength"), (SH.minInclusive, "MinInclusive"),
    (SH.maxInclusive, "MaxInclusive"), (SH.languageIn, "LanguageIn"), (SH.uniqueLang, "UniqueLang"),
    (SH["or"], "Or"), (SH.node, "Node"), (SH.sparql, "SPARQL"), (SH.nodeKind, "NodeKind"),
    (SH.maxLength, "MaxLength"), (SH.minExclusive, "MinExclusive"), (SH.maxExclusive, "MaxExclusive"),
    (SH["in"], "In"))}


class _OxData:
    """The data graph (built graph + ontology) in an in-memory Oxigraph store, and the way back to the rdflib
    terms the report is made of.

    Oxigraph stores valid numbers, booleans and dates in canonical form ("2023.0"^^xsd:decimal becomes
    "2023"). When the data comes from rdflib graphs, every such literal is mapped back to the term it was
    given as, so the findings are the very terms pySHACL reports. When it comes from files (the command),
    the files are never parsed by rdflib and values are reported in Oxigraph's canonical form: the same for
    what `cchc-graph build` writes (only canonical integers and dates)."""

    def __init__(self):
        import pyoxigraph

        self.ox = pyoxigraph
        self.store = pyoxigraph.Store()
        self.originals: dict = {}  # canonical Oxigraph literal -> rdflib literal as given
        self.canonical: dict = {}  # rdflib literal as given -> canonical Oxigraph literal
        self.explicit_strings: set[str] = set()  # lexical forms given as "…"^^xsd:string (Oxigraph merges them)
        self.written: dict = {}  # canonical Oxigraph literal -> the literals of the files it stands for
        self.bnodes: dict[str, BNode] = {}  # Oxigraph blank node id -> rdflib blank node
        self.bnode_ids: dict[BNode, str] = {}
        self._back: dict = {}

    @classmethod
    def from_graphs(cls, *graphs: Graph) -> "_OxData":
        data = cls()
        data._add_graphs(graphs)
        return data

    @classmethod
    def from_files(cls, paths: list[Path], ontology: Graph) -> "_OxData":
        """The files parsed by Oxigraph (relative IRIs against each file's location). Oxigraph's store keeps
        a number or date in canonical form ("1"^^xsd:int becomes "1"^^xsd:integer), so the literals as
        written are kept beside their canonical form, for sh:datatype and for the report."""
        from ....store import SUFFIX_FORMATS, check_graph_file

        data, ox = cls(), cls().ox
        formats = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "json-ld": ox.RdfFormat.JSON_LD}
        for path in paths:
            path = check_graph_file(path)
            fmt = SUFFIX_FORMATS.get(path.suffix, "turtle")
            typed: set = set()

            def quads(path=path, typed=typed):
                """The file's triples, streamed into the store (a list of 1.4 M quads doubled the peak
                memory), noting on the way the typed literals, which Oxigraph may store in another form."""
                for quad in ox.parse(path=str(path), format=formats[fmt], base_iri=path.resolve().as_uri()):
                    value = quad.object
                    if type(value) is ox.Literal and value.datatype.value not in (_XSD_STRING, _LANG_STRING):
                        typed.add(value)
                    yield quad

            try:
                data.store.bulk_extend(quads())
            except (SyntaxError, ValueError, OSError) as exc:
                from ....errors import SourceError
                raise SourceError(path, f"not valid {fmt}: {exc}") from None
            data._keep_written(typed)
        data._add_graphs([ontology])
        return data

    def _keep_written(self, literals: set) -> None:
        """Remember the typed literals (not strings) Oxigraph stores in another form than written."""
        ox = self.ox
        typed = list(literals)
        if not typed:
            return
        scratch, marker = ox.Store(), ox.NamedNode("urn:x-cchc:value")
        scratch.extend(ox.Quad(ox.NamedNode(f"urn:x-cchc:{i}"), marker, lit) for i, lit in enumerate(typed))
        for quad in scratch:
            written = typed[int(quad.subject.value.rsplit(":", 1)[1])]
            if quad.object != written:
                self.written.setdefault(quad.object, set()).add(written)

    def _add_graphs(self, graphs) -> None:
        ox, cache = self.ox, {}

        def term(node):
            converted = cache.get(node)
            if converted is None:
                converted = cache[node] = self.to_ox(node)
            return converted

        try:
            self.store.bulk_extend(ox.Quad(term(s), term(p), term(o)) for graph in graphs for s, p, o in graph)
        except ValueError as exc:  # an IRI Oxigraph refuses
            raise CchcError(f"cannot validate with the oxigraph engine: {exc}") from None
        typed = [t for t in cache if isinstance(t, Literal) and t.datatype is not None
                 and str(t.datatype) not in (_XSD_STRING, _LANG_STRING)]
        self.explicit_strings.update(str(t) for t in cache if isinstance(t, Literal) and str(t.datatype) == _XSD_STRING)
        # What Oxigraph makes of each typed literal: write them to a scratch store and read them back.
        scratch, marker = ox.Store(), ox.NamedNode("urn:x-cchc:value")
        scratch.extend(ox.Quad(ox.NamedNode(f"urn:x-cchc:{i}"), marker, cache[t]) for i, t in enumerate(typed))
        for quad in scratch:
            given = typed[int(quad.subject.value.rsplit(":", 1)[1])]
            self.canonical[given] = quad.object
            self.originals.setdefault(quad.object, given)

    def to_ox(self, node):
        """The Oxigraph term of an rdflib term (a typed literal as Oxigraph stores it)."""
        ox = self.ox
        if isinstance(node, URIRef):
            return ox.NamedNode(str(node))
        if isinstance(node, BNode):
            if node not in self.bnode_ids:
                self.bnode_ids[node] = f"b{len(self.bnode_ids)}"
                self.bnodes[self.bnode_ids[node]] = node
            return ox.BlankNode(self.bnode_ids[node])
        if isinstance(node, Literal):
            if node in self.canonical:
                return self.canonical[node]
            if node.language:
                return ox.Literal(str(node), language=node.language)
            if node.datatype is None:
                return ox.Literal(str(node))
            return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype)))
        raise CchcError(f"cannot validate {node!r}: not an RDF term")

    def term(self, node):
        """The rdflib term of an Oxigraph term."""
        if node is None:
            return None
        back = self._back.get(node)
        if back is not None:
            return back
        ox = self.ox
        if isinstance(node, ox.NamedNode):
            back = URIRef(node.value)
        elif isinstance(node, ox.BlankNode):
            back = self.bnodes.get(node.value)
            if back is None:  # a blank node of a file: the same identifier both ways
                back = self.bnodes[node.value] = BNode(node.value)
                self.bnode_ids[back] = node.value
        elif isinstance(node, ox.Literal):
            back = self.originals.get(node)
            written = self.written.get(node)
            if written:
                if len(written) > 1:
                    shown = " and ".join(sorted(str(w) for w in written))
                    raise CchcError(f"the literals {shown} are one value in Oxigraph's store: telling them apart is "
                                    "not supported by the oxigraph engine; use --engine pyshacl")
                node = next(iter(written))
                back = Literal(node.value, datatype=URIRef(node.datatype.value), normalize=False)
            if back is None:
                if node.language:
                    back = Literal(node.value, lang=node.language)
                elif node.datatype.value == _XSD_STRING:
                    back = Literal(node.value, datatype=SH_XSD_STRING if node.value in self.explicit_strings else None)
                else:  # as Oxigraph holds it: rdflib would rewrite an ill-typed "2011-01-01"^^xsd:dateTime
                    back = Literal(node.value, datatype=URIRef(node.datatype.value), normalize=False)
        else:
            raise CchcError(f"cannot report {node!r}: RDF-star terms are not supported")
        self._back[node] = back
        return back

    def select(self, query: str, **kwargs):
        """Rows of a SELECT query as dicts of rdflib terms (unbound variables left out)."""
        solutions = self.store.query(query, **kwargs)
        names = [v.value for v in solutions.variables]
        for solution in solutions:
            yield {name: self.term(solution[name]) for name in names if solution[name] is not None}



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
        return self.d.store.quads_for_pattern(None if s is None else to(s), None if p is None else to(p),
                                              None if o is None else to(o), self.d.ox.DefaultGraph())

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
        return len(self.d.store)
