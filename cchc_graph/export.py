"""Export: the plan table regenerated from the graph by SPARQL, and RDF dumps."""

from __future__ import annotations

import csv
import io
from typing import Iterable, Mapping

from rdflib import Graph
from rdflib.term import Node

from .query import Lookups, bindings_for, get_query, lookups_from, run_local, with_values
from .sources import TABLE_COLUMNS


def export_table(graph: Graph, plan: str | None = None) -> str:
    """The source table (TABLE_COLUMNS, document order, products of a row joined by newlines) as CSV."""
    query = get_query("plan-table")

    def lookups() -> Lookups:
        return lookups_from(lambda text: run_local(graph, text).rows)

    values = bindings_for(query, {"plan": plan} if plan else {}, lookups)
    rows = table_rows(run_local(graph, with_values(query.text, values)).rows)
    out = io.StringIO()
    writer = csv.DictWriter(out, TABLE_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(row for plan_rows in rows.values() for row in plan_rows)
    return out.getvalue()


def table_rows(lines: Iterable[Mapping[str, Node]]) -> dict[str, list[dict[str, str]]]:
    """The answer lines of `plan-table` grouped back into table rows (TABLE_COLUMNS, products of a row
    joined by newlines), per plan id, in the query's (document) order."""
    rows: dict[tuple[str, str], dict[str, str]] = {}
    for binding in lines:
        key = (str(binding["plan_id"]), str(binding["row_id"]))
        if key not in rows:
            rows[key] = {c: str(binding.get(c, "")) for c in TABLE_COLUMNS}
            rows[key]["product"] = ""
        if "product" in binding:
            product = rows[key]["product"]
            rows[key]["product"] = f"{product}\n{binding['product']}" if product else str(binding["product"])
    plans: dict[str, list[dict[str, str]]] = {}
    for (plan_id, _), row in rows.items():
        plans.setdefault(plan_id, []).append(row)
    return plans
