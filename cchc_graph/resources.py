"""Where the bundled ontology, shapes, saved queries and data are: the one place that answers it.

The top-level folders ontology/ shapes/ queries/ data/ of the source tree are the source of truth. A wheel
(`pip install .`) carries copies of them inside the package, as cchc_graph/_bundled/<folder> (the
package-dir mapping in pyproject.toml), and they are read from there. A source checkout or an editable
install (`pip install -e .`) has no such copies and reads the top-level folders beside the package.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

# pyoxigraph, glob and the cache digest need real files, so the package must be installed as files (never
# zipped): then importlib.resources gives a pathlib.Path.
_PACKAGE = Path(str(files(__package__)))


def resource_dir(name: str) -> Path:
    """The bundled folder NAME (ontology, shapes, queries or data)."""
    bundled = _PACKAGE / "_bundled" / name
    return bundled if bundled.is_dir() else _PACKAGE.parent / name


ONTOLOGY = resource_dir("ontology")
SHAPES = resource_dir("shapes")
QUERIES = resource_dir("queries")
DATA = resource_dir("data")
DEFAULT_PLAN = DATA / "ninh-binh-2023"
# The shared sources a build reads from its data folder (the bundled one, or `cchc-graph build --data DIR`).
DATA_FILES = ("agencies.csv", "agency-aliases.csv", "legal-documents.csv", "unnumbered-references.csv", "provinces.csv",
              "agency-changes.csv")
