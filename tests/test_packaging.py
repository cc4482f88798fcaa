"""A real package: the wheel carries the ontology, shapes, saved queries and data, and the installed command works
from any folder; `build --data DIR` reads the shared sources from elsewhere.

The slow tests build the wheel from a clean copy of the sources, install it into a fresh venv and run the
installed `cchc-graph` from a temporary folder, comparing every answer with the in-repo one."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from rdflib import Graph, Literal

from cchc_graph import resources
from cchc_graph.build import class_counts
from cchc_graph.cli import main
from cchc_graph.namespaces import ID, SKOS

ROOT = Path(__file__).resolve().parent.parent
RESOURCE_FOLDERS = ("ontology", "shapes", "queries", "data")
# What a build of the wheel needs from the source tree (nothing else: no build/, .venv/, caches).
SOURCE_ITEMS = ("pyproject.toml", "README.md", "LICENSE", "LICENSES", "cchc_graph", *RESOURCE_FOLDERS)
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc")


def files_under(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts}


def run(command: list, cwd: Path, timeout: int = 600) -> subprocess.CompletedProcess:
    # No PYTHONPATH: the installed package, not the repo's, must answer.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    return subprocess.run([str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)


def rewrite_csv(path: Path, change) -> None:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields, rows = reader.fieldnames, [change(row) for row in reader]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def renamed_so_noi_vu(row: dict) -> dict:
    if row["id"] == "so-noi-vu":
        row["name_en"] = "Home Affairs (edited copy)"
    return row


# ------------------------------------------------------------------------------------------------ resolution

def test_resources_resolve_to_the_source_tree_here():
    """From a source checkout or an editable install the top-level folders are read, not copies."""
    assert (resources.ONTOLOGY, resources.SHAPES, resources.QUERIES, resources.DATA) == \
        tuple(ROOT / name for name in RESOURCE_FOLDERS)
    assert resources.DEFAULT_PLAN == ROOT / "data" / "ninh-binh-2023"


def test_build_reads_the_shared_sources_from_data_dir(runner, data_copy, tmp_path, plan_graph):
    rewrite_csv(data_copy / "agencies.csv", renamed_so_noi_vu)
    output = tmp_path / "out.nt"
    result = runner.invoke(main, ["build", "--data", str(data_copy), "-o", str(output), "--format", "nt", "--quiet"])
    assert result.exit_code == 0, result.output
    graph = Graph().parse(output, format="nt")
    node = ID["agency/ninh-binh/so-noi-vu"]
    assert set(graph.objects(node, SKOS.prefLabel)) == {Literal("Sở Nội vụ", lang="vi"),
                                                       Literal("Home Affairs (edited copy)", lang="en")}
    assert Literal("Department of Home Affairs", lang="en") in set(plan_graph.objects(node, SKOS.prefLabel))
    assert len(graph) == len(plan_graph)


def test_build_data_dir_missing_a_file_names_it(runner, data_copy, tmp_path):
    (data_copy / "legal-documents.csv").unlink()
    output = tmp_path / "out.ttl"
    result = runner.invoke(main, ["build", "--data", str(data_copy), "-o", str(output)])
    assert result.exit_code == 2
    assert result.stderr == (f"error: {data_copy / 'legal-documents.csv'}: not found: a data folder holds "
                             "agencies.csv, agency-aliases.csv, legal-documents.csv, unnumbered-references.csv, "
                             "provinces.csv, agency-changes.csv; "
                             f"start from a copy of the bundled ones in {resources.DATA}\n")
    assert not output.exists()


def test_build_errors_name_the_catalogue_of_data_dir(runner, data_copy, tmp_path):
    """A catalogue error found while mapping names the file of the --data folder, not the bundled one."""
    rewrite_csv(data_copy / "legal-documents.csv",
                lambda row: {**row, "issuer": "Bộ Không Có"} if row["number"] == "62/2020/NĐ-CP" else row)
    result = runner.invoke(main, ["build", "--data", str(data_copy), "-o", str(tmp_path / "out.ttl")])
    assert result.exit_code == 2
    assert result.stderr == (f"error: {data_copy / 'legal-documents.csv'}: 62/2020/NĐ-CP: issuer 'Bộ Không Có' "
                             "is not one agency of the registry\n")


# ------------------------------------------------------------------------------------------------ the wheel

@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel, built by pip from a clean copy of the sources (no stale build/ folder can leak into it)."""
    source = tmp_path_factory.mktemp("source")
    for item in SOURCE_ITEMS:
        path = ROOT / item
        if path.is_dir():
            shutil.copytree(path, source / item, ignore=IGNORE)
        else:
            shutil.copy2(path, source / item)
    out = tmp_path_factory.mktemp("wheel")
    done = run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", out, source], cwd=out)
    assert done.returncode == 0, done.stderr
    (wheel,) = out.glob("cchc_graph-*.whl")
    return wheel


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A fresh venv with the wheel installed (its dependencies from the package index or pip's cache); its bin/."""
    venv = tmp_path_factory.mktemp("venv")
    done = run([sys.executable, "-m", "venv", venv], cwd=venv)
    assert done.returncode == 0, done.stderr
    done = run([venv / "bin" / "python", "-m", "pip", "install", "-q", wheel], cwd=venv)
    assert done.returncode == 0, done.stderr
    return venv / "bin"


@pytest.fixture
def elsewhere(tmp_path) -> Path:
    """A working folder with nothing of the project in it."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    return folder


@pytest.mark.slow
def test_wheel_holds_every_resource_file_and_the_metadata(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata = archive.read("cchc_graph-" + wheel.name.split("-")[1] + ".dist-info/METADATA").decode("utf-8")
    for folder in RESOURCE_FOLDERS:
        prefix = f"cchc_graph/_bundled/{folder}/"
        assert {n[len(prefix):] for n in names if n.startswith(prefix)} == files_under(ROOT / folder), folder
    assert {n for n in names if n.startswith("cchc_graph/") and n.endswith(".py")} == \
        {p.relative_to(ROOT).as_posix() for p in (ROOT / "cchc_graph").rglob("*.py") if "_bundled" not in p.parts}
    for folder in ("templates", "static"):  # what `cchc-graph web` serves
        prefix = f"cchc_graph/web/{folder}/"
        assert {n[len(prefix):] for n in names if n.startswith(prefix)} == \
            files_under(ROOT / "cchc_graph" / "web" / folder), folder
    with zipfile.ZipFile(wheel) as archive:
        for path in ("LICENSE", "LICENSES/CC-BY-4.0.txt"):  # the code's licence and the ontology's
            license_file = next(n for n in names if n.endswith(f".dist-info/licenses/{path}"))
            assert archive.read(license_file) == (ROOT / path).read_bytes()
    headers = [line for line in metadata.split("\n\n", 1)[0].splitlines()]
    assert "License-Expression: Apache-2.0 AND CC-BY-4.0" in headers
    assert {line for line in headers if line.startswith("Project-URL: ")} == {
        f"Project-URL: {label}, https://w3id.org/cchc-graph"
        for label in ("Homepage", "Documentation", "Issues", "Repository")}
    assert {"Classifier: Natural Language :: Vietnamese", "Classifier: Operating System :: OS Independent",
            "Classifier: Environment :: Console", "Classifier: Programming Language :: Python :: 3.11",
            "Classifier: Topic :: Scientific/Engineering :: Information Analysis"} <= set(headers)


@pytest.mark.slow
def test_installed_package_reads_its_bundled_copies(installed, elsewhere):
    done = run([installed / "python", "-c",
                "from cchc_graph import resources as r; print(r.ONTOLOGY, r.SHAPES, r.QUERIES, r.DATA, sep='\\n')"],
               cwd=elsewhere)
    assert done.returncode == 0, done.stderr
    site = run([installed / "python", "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], cwd=elsewhere)
    bundled = Path(site.stdout.strip()) / "cchc_graph" / "_bundled"
    assert done.stdout.splitlines() == [str(bundled / name) for name in RESOURCE_FOLDERS]


@pytest.mark.slow
def test_installed_build_query_validate_from_another_folder(installed, elsewhere, runner, plan_graph,
                                                           built_graph_file):
    cli = installed / "cchc-graph"

    built = run([cli, "build"], cwd=elsewhere)
    assert built.returncode == 0, built.stderr
    counts = "".join(f"  {count:5d}  {cls}\n" for cls, count in class_counts(plan_graph).items())
    assert built.stdout == f"wrote build/graph.ttl ({len(plan_graph)} triples)\n{counts}"
    assert (elsewhere / "build" / "graph.ttl").read_bytes() == built_graph_file.read_bytes()

    listed = run([cli, "queries"], cwd=elsewhere)
    assert listed.returncode == 0, listed.stderr
    assert [line for line in listed.stdout.splitlines() if not line.startswith(" ")] == \
        sorted(p.stem for p in (ROOT / "queries").glob("*.rq"))

    summary = run([cli, "query", "plan-summary"], cwd=elsewhere)
    assert summary.returncode == 0, summary.stderr
    expected = runner.invoke(main, ["query", "plan-summary", "--graph", str(built_graph_file)])
    assert expected.exit_code == 0, expected.output
    assert summary.stdout == expected.stdout

    validated = run([cli, "validate"], cwd=elsewhere)
    expected = runner.invoke(main, ["validate", "--graph", str(built_graph_file)])
    assert (validated.returncode, expected.exit_code) == (1, 1), validated.stderr
    assert validated.stdout == expected.stdout


@pytest.mark.slow
def test_installed_build_of_plan_and_data_folders_given_from_elsewhere(installed, elsewhere):
    shutil.copytree(ROOT / "data" / "ninh-binh-2023", elsewhere / "plans" / "ninh-binh-2023")
    shutil.copytree(ROOT / "data", elsewhere / "my-data", ignore=shutil.ignore_patterns("ninh-binh-2023"))
    rewrite_csv(elsewhere / "my-data" / "agencies.csv", renamed_so_noi_vu)
    done = run([installed / "cchc-graph", "build", "plans/ninh-binh-2023", "--data", "my-data", "-o", "out.nt",
                "--format", "nt", "--quiet"], cwd=elsewhere)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    graph = Graph().parse(elsewhere / "out.nt", format="nt")
    assert Literal("Home Affairs (edited copy)", lang="en") in set(graph.objects(ID["agency/ninh-binh/so-noi-vu"], SKOS.prefLabel))
