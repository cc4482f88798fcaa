"""`cchc-graph import`: read a document, turn its grid into a plan folder, write it atomically."""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph

from ..agencies import load_registry
from ..errors import CchcError
from ..namespaces import CCHC, RA, SKOS
from ..progress import progress
from ..text import fold
from .grid import DocumentError, DocumentGrid
from .plan import TO_CHECK, Decision, ImportedPlan, grid_to_plan, plan_toml, report_md, table_csv

READERS = {".docx": "docx", ".xlsx": "xlsx", ".pdf": "pdf"}
REPORT = "import-report.md"


@dataclass
class ImportResult:
    plan: ImportedPlan
    folder: Path

    @property
    def to_check(self) -> int:
        return sum(d.kind in TO_CHECK for d in self.plan.decisions)


def read_document(path: Path) -> DocumentGrid:
    kind = READERS.get(path.suffix.lower())
    if kind is None:
        raise DocumentError(path, f"cannot import a {path.suffix or 'file without extension'}: give a .docx, .xlsx "
                                  "or .pdf of the plan (save a .doc or .xls again in the newer format)")
    if not path.is_file():
        raise DocumentError(path, "no such file")
    if kind == "docx":
        from .docx import read_docx
        return read_docx(path)
    if kind == "xlsx":
        from .xlsx import read_xlsx
        return read_xlsx(path)
    from .pdf import read_pdf
    return read_pdf(path)


def area_labels(ontology: Path) -> dict[str, str]:
    """Folded Vietnamese labels (and printed match labels) of the reform areas -> concept name."""
    schemes = Graph().parse(ontology / "schemes.ttl")
    labels = {}
    for concept in schemes.subjects(SKOS.inScheme, RA.scheme):
        name = str(concept)[len(str(RA)):]
        for label in [*schemes.objects(concept, SKOS.prefLabel), *schemes.objects(concept, CCHC.matchLabel)]:
            if getattr(label, "language", None) in (None, "vi"):
                labels[fold(str(label))] = name
    return labels


def import_document(path: Path, output: Path, plan_id: str | None = None, force: bool = False,
                    data: Path | None = None, ontology: Path | None = None) -> ImportResult:
    from ..build import DATA, ONTOLOGY

    data, ontology = data or DATA, ontology or ONTOLOGY
    if output.exists() and not force:
        raise CchcError(f"{output}: already exists and was left untouched; use --force to replace it, or give "
                        "another folder with -o")
    with progress(None, f"import: reading {path.name}") as bar:  # a spinner: the readers report no steps
        grid = read_document(path)
        bar.describe("import: building the table")
        registry = load_registry(data / "agencies.csv", data / "agency-aliases.csv")
        plan = grid_to_plan(grid, registry, area_labels(ontology), plan_id)
    if plan.plan_id != output.name:
        plan.decisions.append(Decision("metadata", f"`cchc-graph build` gọi kế hoạch theo tên thư mục `{output.name}`, "
                                                   f"không phải `{plan.plan_id}`: đổi tên thư mục nếu cần / build names "
                                                   f"the plan after its folder `{output.name}`, not `{plan.plan_id}`: "
                                                   "rename the folder if needed"))
    files = {"table.csv": table_csv(plan.rows), "plan.toml": plan_toml(plan, path.name), REPORT: report_md(plan, grid)}
    write_folder(output, files, force)
    return ImportResult(plan, output)


def write_folder(output: Path, files: dict[str, str], force: bool) -> None:
    """Build the folder beside OUTPUT and rename it into place: a failure leaves nothing half written."""
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{output.name}.", suffix=".tmp", dir=output.parent))
    try:
        for name, text in files.items():
            (tmp / name).write_text(text, encoding="utf-8", newline="\n")
        if output.exists():
            if not force:
                raise CchcError(f"{output}: already exists and was left untouched; use --force to replace it")
            old = Path(tempfile.mkdtemp(prefix=f".{output.name}.", suffix=".old", dir=output.parent))
            os.replace(output, old / output.name)
            os.replace(tmp, output)
            shutil.rmtree(old)
        else:
            os.replace(tmp, output)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
