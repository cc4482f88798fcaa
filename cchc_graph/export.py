"""Export: the plan table regenerated from the graph by SPARQL, and RDF dumps.

The table comes from the saved query `plan-table` on the embedded Oxigraph store, opened as `cchc-graph query`
opens it, so `export` and `query plan-table` give the same lines. The query gives one line per product in
document order, and the products of a table row are consecutive: each row is written as soon as its last
product has been read, so the whole corpus streams out instead of being built up in memory.
"""

from __future__ import annotations

import csv
from typing import BinaryIO, Iterator

from rdflib import Graph

from .errors import CchcError
from .query import Lookups, bound_parts, get_query, lookups_from, run_local
from .sources import TABLE_COLUMNS
from .store import OxigraphDataset

_WANTED = TABLE_COLUMNS + ("plan_id",)


def table_rows(dataset: OxigraphDataset, plan: str | None = None) -> Iterator[list[str]]:
    """The source table's rows (cells in TABLE_COLUMNS order, the products of a row joined by newlines), in
    document order. `plan`: one plan id; an unknown one is an error listing the plan ids."""
    query = get_query("plan-table")
    cache: list[Lookups] = []

    def lookups() -> Lookups:
        if not cache:
            cache.append(lookups_from(lambda text: run_local(dataset, text).rows))
        return cache[0]

    if plan is not None and plan not in lookups().plans:
        known = ", ".join(sorted(lookups().plans)) or "none"
        raise CchcError(f"--plan {plan!r}: no such plan in the graph; its plans: {known}")
    # One plan after another (`#+ stream-by: plan`): the first rows are written once the first plan is read.
    texts = bound_parts(query, {"plan": plan} if plan else {}, lambda text: run_local(dataset, text))
    product_at = TABLE_COLUMNS.index("product")
    key, row = None, None
    for solution, index in _solutions(dataset, texts):
        cells = [term.value if term is not None else "" for term in solution]
        this = (cells[index["plan_id"]], cells[index["row_id"]])
        if this != key:
            if row is not None:
                yield row
            key, row = this, [cells[index[c]] for c in TABLE_COLUMNS]
        elif cells[index["product"]]:
            row[product_at] = f"{row[product_at]}\n{cells[index['product']]}" if row[product_at] \
                else cells[index["product"]]
    if row is not None:
        yield row


def _solutions(dataset: OxigraphDataset, texts: list[str]):
    """(solution, column index by name) of each text's answer in turn, each run when the last is read."""
    for text in texts:
        columns, solutions = dataset.solutions(text)
        index = {name: columns.index(name) for name in _WANTED}
        for solution in solutions:
            yield solution, index


class _Utf8:
    """A text sink over a binary stream, for the csv module."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw

    def write(self, text: str) -> int:
        return self.raw.write(text.encode("utf-8"))


def write_table(dataset: OxigraphDataset, out: BinaryIO, plan: str | None = None) -> int:
    """Write the table as CSV (UTF-8, "\\n" line ends, the source table's bytes) row by row; the row count."""
    rows = table_rows(dataset, plan)
    first = next(rows, None)  # an unknown plan fails here, before the header is written
    writer = csv.writer(_Utf8(out), lineterminator="\n")
    writer.writerow(TABLE_COLUMNS)
    count = 0
    if first is not None:
        writer.writerow(first)
        count = 1
    for row in rows:
        writer.writerow(row)
        count += 1
    return count


def export_table(graph: Graph, plan: str | None = None) -> str:
    """The table of an rdflib graph as one CSV string (for tests and library use)."""
    import io

    from .store import ASSERTED

    dataset = OxigraphDataset()
    dataset.add_graph(ASSERTED, graph)
    out = io.BytesIO()
    write_table(dataset, out, plan)
    return out.getvalue().decode("utf-8")
