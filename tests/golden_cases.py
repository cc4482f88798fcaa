"""The golden query cases: (case id, saved query, parameters). Their expected answers on the 2023 plan are
tests/golden/<case id>.csv, compared as unordered rows. `python -m tests.golden_cases` rewrites them —
only after checking by hand that the new answers are right."""

from __future__ import annotations

GOLDEN_CASES = [
    ("tasks-citing-document_62-2020", "tasks-citing-document", {"document": "62/2020/NĐ-CP"}),
    ("tasks-citing-document_48-2023", "tasks-citing-document", {"document": "48/2023/NĐ-CP"}),
    ("tasks-citing-document_942", "tasks-citing-document", {"document": "Quyết định số 942/QĐ-TTg"}),
    ("tasks-affected-by-changes", "tasks-affected-by-changes", {}),
    ("agency-involvement_so-noi-vu", "agency-involvement", {"agency": "Sở Nội vụ"}),
    ("agency-involvement_ubnd-cap-huyen", "agency-involvement", {"agency": "UBND cấp huyện"}),
    ("due-in-quarter_2023-3", "due-in-quarter", {"year": "2023", "quarter": "3"}),
    ("due-in-quarter_2023-1-ongoing", "due-in-quarter", {"year": "2023", "quarter": "I", "include_ongoing": "true"}),
    ("due-in-quarter_2024-4", "due-in-quarter", {"year": "2024", "quarter": "Q4"}),
    ("products-by-type_all", "products-by-type", {}),
    ("products-by-type_decision", "products-by-type", {"kind": "Quyết định"}),
    ("agency-workload", "agency-workload", {}),
    ("rows-without-activity", "rows-without-activity", {}),
    ("legal-documents", "legal-documents", {}),
    ("plan-summary", "plan-summary", {}),
    ("plans", "plans", {}),
    ("row-detail_VII-07", "row-detail", {"row_id": "VII-07"}),
    ("waiting-rows", "waiting-rows", {}),
    ("overdue-rows_2023-07-01", "overdue-rows", {"date": "2023-07-01"}),
    ("unresolved-citations", "unresolved-citations", {}),
    ("reform-area-coverage", "reform-area-coverage", {}),
    ("lead-and-coordinator-violation", "lead-and-coordinator-violation", {}),
    ("agency-names", "agency-names", {}),
    ("document-numbers", "document-numbers", {}),
    ("plan-table", "plan-table", {}),
    ("row-citations_IV-02", "row-citations", {"row": "https://w3id.org/cchc-graph/id/plan/ninh-binh-2023/row/IV-02"}),
    ("plan-row-facets", "plan-row-facets", {"plan": "ninh-binh-2023"}),
    # Agencies through time (#14): VI-08's lead and coordinators before and after each 2025 change.
    ("responsible-today_VI-08_2024-12-31", "responsible-today", {"row_id": "VI-08", "date": "2024-12-31"}),
    ("responsible-today_VI-08_2025-01-01", "responsible-today", {"row_id": "VI-08", "date": "2025-01-01"}),
    ("responsible-today_VI-08_2025-03-01", "responsible-today", {"row_id": "VI-08", "date": "2025-03-01"}),
    ("responsible-today_VI-08_2025-06-30", "responsible-today", {"row_id": "VI-08", "date": "2025-06-30"}),
    ("responsible-today_VI-08_2026-01-01", "responsible-today", {"row_id": "VI-08", "date": "2026-01-01"}),
    ("responsible-today_VII-03_2025-05-02", "responsible-today", {"row_id": "VII-03", "date": "2025-05-02"}),
    ("agency-history_so-thong-tin-va-truyen-thong", "agency-history", {"agency": "Sở Thông tin và Truyền thông"}),
    ("agency-history_ubnd-cap-huyen", "agency-history", {"agency": "UBND cấp huyện"}),
    ("agency-history_so-noi-vu_2025", "agency-history", {"agency": "Sở Nội vụ", "province": "ninh-binh-2025"}),
    ("plans-naming-defunct-agencies", "plans-naming-defunct-agencies", {}),
    ("agency-workload_through-succession", "agency-workload", {"through_succession": "true"}),
    ("agency-involvement_so-tai-chinh_2025_through-succession", "agency-involvement",
     {"agency": "Sở Tài chính", "province": "ninh-binh-2025", "through_succession": "true"}),
    ("provinces", "provinces", {}),
]


def answer_rows(dataset, query_name: str, params: dict[str, str]) -> tuple[list[str], list[tuple[str, ...]]]:
    from cchc_graph.query import cell, get_query, run_local, run_saved

    table = run_saved(get_query(query_name), params, lambda text: run_local(dataset, text))
    return table.columns, [tuple(cell(row.get(c)) for c in table.columns) for row in table.rows]


if __name__ == "__main__":
    import csv
    from pathlib import Path

    from cchc_graph.build import build_graph
    from cchc_graph.reason import closure, load_ontology
    from cchc_graph.store import assemble

    graph, ontology = build_graph(), load_ontology()
    dataset = assemble(graph, ontology, closure(graph, ontology))
    for case, name, params in GOLDEN_CASES:
        columns, rows = answer_rows(dataset, name, params)
        with (Path(__file__).parent / "golden" / f"{case}.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(columns)
            writer.writerows(sorted(rows))
        print(f"{case}: {len(rows)} rows")
