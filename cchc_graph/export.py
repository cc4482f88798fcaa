"""Export: the plan table regenerated from the graph by SPARQL, and RDF dumps."""

from __future__ import annotations

import csv
import io

from rdflib import Graph

from .query import Lookups, bindings_for, get_query, lookups_from, run_local, with_values
from .sources import TABLE_COLUMNS


def export_table(graph: Graph, plan: str | None = None) -> str:
    """The source table (TABLE_COLUMNS, document order, products of a row joined by newlines) as CSV."""
    query = get_query("plan-table")

    def lookups() -> Lookups:
        return lookups_from(lambda text: run_local(graph, text).rows)

    values = bindings_for(query, {"plan": plan} if plan else {}, lookups)
    table = run_local(graph, with_values(query.text, values))
    rows: dict[tuple[str, str], dict[str, str]] = {}
    for binding in table.rows:
        key = (str(binding["plan_id"]), str(binding["row_id"]))
        if key not in rows:
            rows[key] = {c: str(binding.get(c, "")) for c in TABLE_COLUMNS}
            rows[key]["product"] = ""
        if "product" in binding:
            product = rows[key]["product"]
            rows[key]["product"] = f"{product}\n{binding['product']}" if product else str(binding["product"])
    out = io.StringIO()
    writer = csv.DictWriter(out, TABLE_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows.values())
    return out.getvalue()
