"""Pass figures on the W3C SHACL test suite: our two engines, and pySHACL alone (the README's table).

    python benchmarks/w3c_shacl_figures.py [--suite ../shared/w3c-shacl-tests]

"pyshacl alone" is `pyshacl.validate(data, shacl_graph=shapes)` with its defaults on the files as rdflib
parses them (no adapter of ours); "pyshacl" and "oxigraph" are `validate_files(..., with_ontology=False)`,
what `cchc-graph validate --shapes S --no-ontology` runs. Each outcome is compared as tests/test_w3c_shacl.py
compares it (conforms and the set of results; an expected failure must be refused).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--suite", type=Path, default=ROOT.parent / "shared" / "w3c-shacl-tests")
    args = parser.parse_args()
    os.environ["W3C_SHACL_TESTS"] = str(args.suite.resolve())
    import logging

    import pyshacl
    from rdflib import Graph
    from rdflib.namespace import SH

    from cchc_graph.errors import CchcError
    from cchc_graph.validate import validate_files
    from tests import test_w3c_shacl as suite

    logging.disable(logging.CRITICAL)  # rdflib logs every ill-typed literal of the datatype tests

    def outcome(engine: str, data: Path, shapes: Path):
        """(conforms, set of result keys), or None when the engine refused."""
        if engine == "pyshacl alone":
            try:
                conforms, report, _ = pyshacl.validate(Graph().parse(data), shacl_graph=Graph().parse(shapes))
            except Exception:  # noqa: BLE001 — pySHACL's refusals come in many types
                return None
            if not isinstance(report, Graph):
                return None
        else:
            try:
                found = validate_files([data], shapes_dir=[shapes], engine=engine, with_ontology=False)
            except CchcError:
                return None
            conforms, report = found.conforms, found.report
        return bool(conforms), {suite._key(report, r) for r in report.objects(None, SH.result)}

    print("| Engine | Core (98) | SPARQL (23) | All (121) | Failed |")
    print("|---|---|---|---|---|")
    for engine in ("pyshacl alone", "pyshacl", "oxigraph"):
        passed = {"core": 0, "sparql": 0}
        failed = []
        for name, graph, entry in suite.CASES:
            action = graph.value(entry, suite.MF.action)
            data = Path(graph.value(action, suite.SHT.dataGraph).removeprefix("file://"))
            shapes = Path(graph.value(action, suite.SHT.shapesGraph).removeprefix("file://"))
            expected = graph.value(entry, suite.MF.result)
            got = outcome(engine, data, shapes)
            if expected == suite.SHT.Failure:
                ok = got is None
            else:
                conforms, results = suite._expected(graph, expected)
                ok = got == (conforms, set(results))
            if ok:
                passed[name.split("/", 1)[0]] += 1
            else:
                failed.append(name)
        print(f"| {engine} | {passed['core']} | {passed['sparql']} | {sum(passed.values())} | "
              f"{', '.join(f'`{n}`' for n in failed) or '—'} |")


if __name__ == "__main__":
    main()
