"""The OpenAPI 3 description of the HTTP API, generated from the saved queries' `#+` headers."""

from __future__ import annotations

from .. import __version__
from ..query import SavedQuery

ANSWERS = {
    "application/sparql-results+json": {"schema": {"type": "object"}},
    "text/csv": {"schema": {"type": "string"}},
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"schema": {"type": "string",
                                                                                    "format": "binary"}},
}
ERROR = {"application/json": {"schema": {"type": "object", "properties": {"error": {"type": "string"}}}}}
TYPE_FORMATS = {"integer": {"type": "integer"}, "year": {"type": "integer"}, "boolean": {"type": "boolean"},
                "date": {"type": "string", "description": "YYYY-MM-DD or DD/MM/YYYY"}}


def parameter(param) -> dict:
    schema = dict(TYPE_FORMATS.get(param.type, {"type": "string"}))
    schema.pop("description", None)
    if param.default is not None:
        schema["default"] = param.default
    if param.multiple:
        schema = {"type": "array", "items": schema}
    return {"name": param.name, "in": "query", "required": param.required, "schema": schema,
            "description": f"({param.type}) {param.description}", **({"style": "form", "explode": True}
                                                                      if param.multiple else {})}


def openapi(queries) -> dict:
    paths = {"/api/queries": {"get": {
        "operationId": "listQueries", "summary": "The saved queries: names, summaries and parameters",
        "responses": {"200": {"description": "the list", "content": {"application/json": {"schema": {"type": "array"}}}}}}}}
    for query in queries:
        query: SavedQuery
        paths[f"/api/queries/{query.name}"] = {"get": {
            "operationId": query.name, "summary": query.summary, "description": query.description,
            "tags": list(query.tags),
            "parameters": [parameter(p) for p in query.params] + [{
                "name": "format", "in": "query", "required": False,
                "schema": {"type": "string", "enum": ["json", "csv", "xlsx"]},
                "description": "the answer's format; else chosen by the Accept header (default SPARQL JSON)"},
                {"name": "limit", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1},
                 "description": "at most this many lines, in the query's order (as `cchc-graph query --limit`)"},
                {"name": "offset", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 0},
                 "description": "skip this many lines; alone, a page of the query's pagination size"
                                + (f" ({query.pagination} lines)" if query.pagination else "")}],
            "responses": {
                "200": {"description": "the answer", "content": ANSWERS},
                "400": {"description": "a parameter missing, unknown or of the wrong value (the message says which)",
                        "content": ERROR}}}}
    return {"openapi": "3.0.3",
            "info": {"title": "cchc-graph saved queries", "version": __version__,
                     "description": "The saved SPARQL queries of cchc-graph over HTTP; parameters are checked and "
                                    "bound as by `cchc-graph query`."},
            "paths": paths}
