"""SHACL validation: the API (`api`), the shapes (`shapes`), the outcome (`outcome`), the two engines
(`engines.pyshacl`, `engines.compiled`) and the report people read (`report`).

`validate_graph` / `validate_files` / `validate_dataset` validate a graph (rdflib, files, or an Oxigraph dataset
in place) with the shapes of shapes/ (or a user's own shapes) and the ontology; `render_report` turns the outcome into text grouped by table row (Vietnamese or English), or
into the machine-readable SHACL report (Turtle, or a JSON list of results). `cchc_graph.validate` re-exports
these names.
"""

from .api import DEFAULT_ENGINE, ENGINES, validate_dataset, validate_files, validate_graph
from .outcome import RANK, SEVERITIES, SHAPES_NS, Finding, ValidationOutcome, path_to_sparql
from .report import FORMATS, LANGS, FindingGroup, grouped_findings, render_report
from .shapes import SHAPES_DIR, literals_as_written, load_shapes, shape_files

__all__ = ["DEFAULT_ENGINE", "ENGINES", "FORMATS", "LANGS", "RANK", "SEVERITIES", "SHAPES_DIR", "SHAPES_NS",
           "Finding", "FindingGroup", "ValidationOutcome", "grouped_findings", "literals_as_written", "load_shapes", "path_to_sparql", "render_report",
           "shape_files", "validate_dataset", "validate_files", "validate_graph"]
