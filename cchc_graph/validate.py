"""SHACL validation of a built graph, and the report people read: the public names of `cchc_graph.validation`
(api, shapes, outcome, report, engines), kept here so that `from cchc_graph.validate import …` keeps working.
"""

from .validation import (DEFAULT_ENGINE, ENGINES, FORMATS, LANGS, RANK, SEVERITIES, SHAPES_DIR, SHAPES_NS, Finding,
                         FindingGroup, ValidationOutcome, grouped_findings, literals_as_written, load_shapes, path_to_sparql, render_report,
                         shape_files, validate_dataset, validate_files, validate_graph)
from .validation.engines.compiled.components.sparql import _join_is_prebinding
from .validation.engines.pyshacl import _CachedQueryGraph

__all__ = ["DEFAULT_ENGINE", "ENGINES", "FORMATS", "LANGS", "RANK", "SEVERITIES", "SHAPES_DIR", "SHAPES_NS",
           "Finding", "FindingGroup", "ValidationOutcome", "grouped_findings", "_CachedQueryGraph", "_join_is_prebinding", "literals_as_written",
           "load_shapes", "path_to_sparql", "render_report", "shape_files", "validate_dataset", "validate_files", "validate_graph"]
