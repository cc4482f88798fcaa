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
    def from_files(cls, paths: list[Path], ontology: Graph) -> "_OxData":
        """The files parsed by Oxigraph (relative IRIs against each file's location). Oxigraph's store keeps
        a number or date in canonical form ("1"^^xsd:int becomes "1"^^xsd:integer), so the literals as
        written are kept beside their canonical form, for sh:datatype and for the report (`_as_written`)."""
        from ....errors import SourceError
        from ....store import SUFFIX_FORMATS, check_graph_file

        data, ox = cls(), cls().ox
        formats = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "json-ld": ox.RdfFormat.JSON_LD}
        canonical: dict = {}  # typed literal as written -> as Oxigraph stores it
        rewritten: list = []  # the quads whose literal Oxigraph stores in another form (rare)
        sources = []
        for path in paths:
            path = check_graph_file(path)
            fmt = SUFFIX_FORMATS.get(path.suffix, "turtle")
            sources.append((path, formats[fmt]))

            def quads(path=path, fmt=fmt):
                """The file's triples, streamed into the store (a list of 1.4 M quads doubled the peak
                memory), noting on the way the typed literals Oxigraph stores in another form."""
                for quad in ox.parse(path=str(path), format=formats[fmt], base_iri=path.resolve().as_uri()):
                    value = quad.object
                    if type(value) is ox.Literal and value.datatype.value not in (_XSD_STRING, _LANG_STRING):
                        stored = canonical.get(value)
                        if stored is None:
                            stored = canonical[value] = _canonical_forms(ox, [value])[value]
                        if stored != value:
                            rewritten.append(quad)
                    yield quad

            try:
                data.store.bulk_extend(quads())
            except (SyntaxError, ValueError, OSError) as exc:
                raise SourceError(path, f"not valid {fmt}: {exc}") from None
        if rewritten:
            data._as_written(canonical, rewritten, sources)
        data._add_graphs([ontology])
        return data

    def _as_written(self, canonical: dict, rewritten: list, sources: list) -> None:
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
        for path, fmt in sources if wanted else ():
            for quad in ox.parse(path=str(path), format=fmt, base_iri=path.resolve().as_uri()):
                if quad.object in wanted and type(quad.subject) is ox.NamedNode:
                    explicit.add((quad.subject, quad.predicate, quad.object))
        for quad in fixes:
            surrogate = _surrogate(ox, quad.object)
            original = Literal(quad.object.value, datatype=URIRef(quad.object.datatype.value), normalize=False)
            self.originals[surrogate], self.canonical[original] = original, surrogate
            self.store.add(ox.Quad(quad.subject, quad.predicate, surrogate))
            if (quad.subject, quad.predicate, canonical[quad.object]) not in explicit:
                self.store.remove(ox.Quad(quad.subject, quad.predicate, canonical[quad.object]))

    def _add_graphs(self, graphs) -> None:
        """The triples of rdflib graphs, each typed literal mapped to what Oxigraph stores for it, and back
        (literals Oxigraph would merge get surrogates, as in `_as_written`)."""
        ox, cache = self.ox, {}
        objects = {o for graph in graphs for o in graph.objects() if isinstance(o, Literal)}
        self.explicit_strings.update(str(o) for o in objects if str(o.datatype) == _XSD_STRING)
        as_given = {t: ox.Literal(str(t), datatype=ox.NamedNode(str(t.datatype))) for t in objects
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

        def term(node):
            converted = cache.get(node)
            if converted is None:
                converted = cache[node] = self.to_ox(node)
            return converted

        try:
            self.store.bulk_extend(ox.Quad(term(s), term(p), term(o)) for graph in graphs for s, p, o in graph)
        except ValueError as exc:  # an IRI Oxigraph refuses
            raise CchcError(f"cannot validate with the oxigraph engine: {exc}") from None

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
            if written is not None:
                back = Literal(written.value, datatype=URIRef(written.datatype.value), normalize=False)
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
