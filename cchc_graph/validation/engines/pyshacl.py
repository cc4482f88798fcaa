"""The pySHACL engine (the reference).

- pySHACL parses the SPARQL of a SHACL-SPARQL constraint again for every focus node (10–30 ms each); the
  data graph here caches prepared queries by their text, which makes those constraints ~20x faster.
- pySHACL drops the language tag of the messages of SPARQL-based results; they are restored from the
  shapes, so every sh:resultMessage of the report carries its @vi / @en tag.
- A shape pySHACL cannot run is an error (CchcError, "not supported by pySHACL" or "cannot validate"),
  never a traceback.
"""

from __future__ import annotations

import warnings
from functools import lru_cache

from rdflib import Graph, Literal
from rdflib.namespace import SH, XSD

from ...errors import CchcError
from ...namespaces import RDF, bind_prefixes
from ..outcome import SHAPES_NS, ValidationOutcome, findings_of_report

XSD_BOOLEAN = XSD.boolean

class _CachedQueryGraph(Graph):
    """A graph whose SPARQL queries given as text are parsed once (pySHACL re-sends the same text for every
    focus node of a SHACL-SPARQL constraint, with $this bound through initBindings)."""

    def query(self, query_object, *args, **kwargs):
        if isinstance(query_object, str):
            query_object = _prepared(_canonical(query_object))
        return super().query(query_object, *args, **kwargs)


def _canonical(text: str) -> str:
    """The query with its leading PREFIX lines sorted: pySHACL writes them in set order, which changes from
    one load of the shapes to the next, and the order of PREFIX declarations does not matter."""
    lines = text.split("\n")
    head = 0
    while head < len(lines) and (lines[head].startswith("PREFIX ") or not lines[head].strip()):
        head += 1
    return "\n".join(sorted(line for line in lines[:head] if line.strip()) + lines[head:])


@lru_cache(maxsize=256)
def _prepared(text: str):
    from rdflib.plugins.sparql import prepareQuery
    return prepareQuery(text)


def _validate_pyshacl(graph: Graph, shapes: Graph, shapes_dir: str, ontology: Graph) -> ValidationOutcome:
    import pyshacl
    from pyshacl.errors import ReportableRuntimeError, ShapeRecursionWarning

    data = _CachedQueryGraph()
    bind_prefixes(data)
    data.bind("cchcsh", SHAPES_NS)
    data += graph
    data += ontology
    # sh:uniqueLang applies only when it is true as written: pySHACL also takes "1"^^xsd:boolean (W3C
    # suite, uniqueLang-002: such a constraint is ignored)
    for shape, flag in list(shapes.subject_objects(SH.uniqueLang)):
        if not (isinstance(flag, Literal) and str(flag) == "true" and flag.datatype == XSD_BOOLEAN):
            shapes.remove((shape, SH.uniqueLang, flag))
    try:
        with warnings.catch_warnings():
            # pySHACL backs out of a recursive shape and reports it as conforming: refuse it, as the oxigraph
            # engine does (SHACL leaves recursive shapes undefined)
            warnings.simplefilter("error", ShapeRecursionWarning)
            conforms, report, _ = pyshacl.validate(
                data, shacl_graph=shapes, ont_graph=ontology if len(ontology) else None, inference="none",
                inplace=True, abort_on_first=False, allow_infos=False, allow_warnings=False, advanced=False,
                meta_shacl=False, do_owl_imports=False)
    except ShapeRecursionWarning:
        raise CchcError(f"shapes in {shapes_dir}: a recursive shape (one that reaches itself through sh:node, "
                        "sh:property or a logical constraint) is not supported") from None
    except ReportableRuntimeError as exc:
        raise CchcError(f"shapes in {shapes_dir}: {_pyshacl_reason(exc)}") from None
    except NotImplementedError as exc:  # a feature pySHACL does not have ($shapesGraph)
        raise CchcError(f"shapes in {shapes_dir}: not supported by pySHACL: {' '.join(str(exc).split())}") from None
    except Exception as exc:  # a SPARQL syntax error in a shape surfaces from rdflib's parser
        raise CchcError(f"shapes in {shapes_dir}: cannot validate: {type(exc).__name__}: {exc}") from None
    if not isinstance(report, Graph):  # pySHACL met a shape it cannot run (a ValidationFailure, not a report)
        reason = getattr(report, "message", None) or str(report)
        raise CchcError(f"shapes in {shapes_dir}: not supported by pySHACL: {' '.join(str(reason).split())}")
    _restore_messages(report, shapes)
    bind_prefixes(report)
    report.bind("sh", SH)
    report.bind("cchcsh", SHAPES_NS)
    findings = findings_of_report(report)
    return ValidationOutcome(bool(conforms), findings, report, data, shapes)


def _pyshacl_reason(exc) -> str:
    """pySHACL's message for a shape it refuses; a refusal the SHACL spec asks for says "not supported"."""
    message = " ".join(str(exc.message if hasattr(exc, "message") else exc).split())
    return message if "not supported" in message.lower() else f"cannot validate: {message}"


def _restore_messages(report: Graph, shapes: Graph) -> None:
    """Give every result the language-tagged sh:message of its source shape (pySHACL keeps the tags of
    core results but drops them for SPARQL-based ones)."""
    for result in list(report.subjects(RDF.type, SH.ValidationResult)):
        shape = report.value(result, SH.sourceShape)
        messages = [m for m in shapes.objects(shape, SH.message) if isinstance(m, Literal)]
        if not messages:
            continue
        report.remove((result, SH.resultMessage, None))
        for message in messages:
            report.add((result, SH.resultMessage, message))
