"""String-based constraint components (SHACL 4.4, https://www.w3.org/TR/shacl/#core-components-string), by the
rules pySHACL applies (Python regular expressions, the string of a literal or IRI)."""

from __future__ import annotations

import re

from rdflib import BNode, Literal
from rdflib.namespace import SH

from .....namespaces import RDF
from ..data import _XSD_STRING, SH_XSD_STRING
from .base import Component, ValueCheck

_LITERAL_STRING = f"isLiteral(?value) && (DATATYPE(?value) = <{_XSD_STRING}> || LANG(?value) != \"\")"


def _string(v) -> str:
    """The string pySHACL matches a pattern or a length against (value_node_to_string)."""
    if isinstance(v, Literal) and v.value is not None and v.datatype in (None, RDF.langString, SH_XSD_STRING):
        return str(v.value)
    return str(v)


class MinLength(ValueCheck):
    """SHACL 4.4.1 sh:minLength, https://www.w3.org/TR/shacl/#MinLengthConstraintComponent: the string of each
    value node has at least n characters (a blank node has none)."""

    iri, parameters, section = SH.MinLengthConstraintComponent, (SH.minLength,), "4.4.1"

    def checks(self, ctx):
        found = []
        for minimum in ctx.objects(SH.minLength)[:1]:
            n = int(minimum)
            found.append((lambda v, n=n: n == 0 or (not isinstance(v, BNode) and len(_string(v)) >= n),
                          "true" if n == 0 else f"({_LITERAL_STRING} && STRLEN(?value) >= {n})"))
        return found


class MaxLength(ValueCheck):
    """SHACL 4.4.2 sh:maxLength, https://www.w3.org/TR/shacl/#MaxLengthConstraintComponent: the string of each
    value node has at most n characters (a blank node fails)."""

    iri, parameters, section = SH.MaxLengthConstraintComponent, (SH.maxLength,), "4.4.2"

    def checks(self, ctx):
        return [(lambda v, n=int(maximum): not isinstance(v, BNode) and len(_string(v)) <= n, None)
                for maximum in ctx.objects(SH.maxLength)]


class Pattern(ValueCheck):
    """SHACL 4.4.3 sh:pattern (with sh:flags), https://www.w3.org/TR/shacl/#PatternConstraintComponent: the
    string of each value node matches the regular expression (a blank node fails)."""

    iri, parameters, optional, section = SH.PatternConstraintComponent, (SH.pattern,), (SH.flags,), "4.4.3"

    def checks(self, ctx):
        flags, re_flags = ctx.value(SH.flags), 0
        if flags is not None:
            re_flags |= (re.I if "i" in str(flags).lower() else 0) | (re.M if "m" in str(flags).lower() else 0)
        found = []
        for pattern in ctx.objects(SH.pattern):
            text = str(pattern.value) if pattern.value is not None and len(pattern.value) > 1 else str(pattern)
            matcher = re.compile(text, re_flags)
            found.append((lambda v, m=matcher: not isinstance(v, BNode) and m.search(_string(v)) is not None, None))
        return found


class LanguageIn(ValueCheck):
    """SHACL 4.4.4 sh:languageIn, https://www.w3.org/TR/shacl/#LanguageInConstraintComponent: each value node
    is a literal whose language tag matches one of the list (by language range, case-insensitively)."""

    iri, parameters, section = SH.LanguageInConstraintComponent, (SH.languageIn,), "4.4.4"

    def checks(self, ctx):
        found = []
        for languages in ctx.objects(SH.languageIn)[:1]:
            wanted = {str(lang).lower() for lang in ctx.members(languages)}
            found.append((lambda v, w=wanted: isinstance(v, Literal) and bool(v.language) and (
                "*" in w or v.language.lower() in w or v.language.split("-")[0].lower() in w), None))
        return found


class UniqueLang(Component):
    """SHACL 4.4.5 sh:uniqueLang, https://www.w3.org/TR/shacl/#UniqueLangConstraintComponent: no two value
    nodes share a language tag (pySHACL: one result per language, in lower case, that two value nodes share).
    One GROUP BY query on the lower-case language."""

    iri, parameters, section = SH.UniqueLangConstraintComponent, (SH.uniqueLang,), "4.4.5"

    def evaluate(self, ctx) -> None:
        if ctx.path is None or ctx.value(SH.uniqueLang) != Literal(True):
            return
        query = (f"SELECT ?this WHERE {{ {ctx.values('?this', '?value')} FILTER(LANG(?value) != \"\") }} "
                 f"GROUP BY ?this (LCASE(LANG(?value))) HAVING (COUNT(DISTINCT ?value) > 1)")
        for row in ctx.select(query):
            ctx.add(self.iri, row["this"], None)
