"""The routes: pages for people (Jinja2, server-rendered, no JavaScript), the nodes' IRIs with content
negotiation, and the HTTP API over the saved queries. `create_app(graph)` opens the store once."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from jinja2 import Environment, PackageLoader, select_autoescape
from rdflib import URIRef
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..errors import CchcError
from ..namespaces import CCHC, ID, RDF, bind_prefixes
from ..query import QueryError
from ..render import Table, headers, render_bytes
from ..text import fold, nfc
from .adhoc import AdHocError, run_adhoc
from .i18n import FIELDS, LANGS, WORDS
from .negotiation import ANSWER_FORMATS, ANSWER_TYPES, RDF_FORMATS, RDF_TYPES, choose
from .openapi import openapi
from .site import BASE, Site, local_path

PAGE_SIZE = 100  # lines of an answer per HTML page; downloads and the API give every line
RESERVED = {"format", "page", "lang", "limit", "offset"}  # never query parameters: how the answer is shown
STATIC = Path(__file__).parent / "static"


def create_app(graph_path: Path, reasoning: bool = True) -> Starlette:
    site = Site(Path(graph_path), reasoning)
    site.findings("vi"), site.search_index  # computed at start, not on the first visitor's page
    env = Environment(loader=PackageLoader("cchc_graph.web", "templates"), autoescape=select_autoescape(default=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["href"] = href
    # str(), not the `string` filter: a Literal is a str that compares unequal to plain text (rdflib)
    env.filters["cell"] = lambda term: "" if term is None else str(term)
    env.globals["is_iri"] = lambda term: isinstance(term, URIRef)

    def lang_of(request: Request) -> str:
        lang = request.query_params.get("lang") or request.cookies.get("lang") or "vi"
        return lang if lang in LANGS else "vi"

    def page(request: Request, template: str, status: int = 200, **context) -> HTMLResponse:
        lang = lang_of(request)
        html = env.get_template(template).render(request=request, lang=lang, w=WORDS[lang], fields=FIELDS[lang], site=site,
                                                 path=request.url.path, query_string=request.url.query,
                                                 findings_count=len(site.validation.findings), **context)
        return HTMLResponse(html, status_code=status)

    # ------------------------------------------------------------------ pages
    async def home(request: Request):
        summary = site.run("plan-summary").rows
        return page(request, "home.html", plans=site.plans, summary=summary,
                    counts=site.validation.counts())

    async def switch_language(request: Request):
        lang = request.path_params["lang"]
        target = request.query_params.get("next", "/")
        if not target.startswith("/") or target.startswith("//"):  # only our own pages
            target = "/"
        response = RedirectResponse(target, status_code=303)
        if lang in LANGS:
            response.set_cookie("lang", lang, samesite="lax")
        return response

    async def search(request: Request):
        query = nfc(request.query_params.get("q", ""))
        hits = site.search_index.search(query) if query.strip() else []
        return page(request, "search.html", q=query, hits=hits, row_href=row_href)

    async def validation(request: Request):
        lang = lang_of(request)
        return page(request, "validation.html", groups=site.findings(lang), counts=site.validation.counts())

    async def queries(request: Request):
        return page(request, "queries.html", queries=list(site.queries.values()))

    async def saved_query_page(request: Request):
        saved = site.queries.get(request.path_params["name"])
        if saved is None:
            return page(request, "error.html", status=404, message=f"unknown query {request.path_params['name']!r}")
        params = query_params(request)
        table, error = None, None
        if params or "run" in request.query_params:
            try:
                table = site.run(saved.name, params, *page_cut(request))
            except CchcError as exc:
                error = str(exc)
        download = urlencode([(k, v) for k, values in params.items() for v in values])
        return page(request, "query.html", status=400 if error else 200, saved=saved, params=params, error=error,
                    answer=paged(table, request) if table else None, download=download,
                    labels=dict(zip(table.columns, headers(table.columns, lang_of(request)))) if table else {})

    async def sparql_page(request: Request):
        text = nfc(request.query_params.get("query", ""))
        table, error = None, None
        if text.strip():
            try:
                table = await run_adhoc(site, text)
            except AdHocError as exc:
                error = str(exc)
        return page(request, "sparql.html", status=400 if error else 200, text=text, error=error,
                    answer=paged(table, request) if table else None)

    async def ontology_page(request: Request):
        fmt = request.query_params.get("format") or choose(request.headers.get("accept"), RDF_TYPES, "html")
        if fmt in ("turtle", "nt", "json-ld"):
            from rdflib import Graph

            from ..reason import load_ontology
            graph = Graph(bind_namespaces="none")  # our prefixes only, for the JSON-LD @context
            bind_prefixes(graph)
            graph += load_ontology()
            return rdf_response(graph, fmt)
        if fmt != "html":
            return not_acceptable()
        terms = site.ontology_terms
        return page(request, "ontology.html", terms=terms)

    async def node_page(request: Request):
        iri = BASE + request.url.path
        fmt = request.query_params.get("format") or choose(request.headers.get("accept"), RDF_TYPES, "html")
        if fmt not in RDF_FORMATS:
            return not_acceptable()
        try:
            description = site.description(iri)
        except QueryError:  # a path that makes no IRI (a space, a quote): nothing of ours is there
            description = Table([], [])
        if not description.rows:
            return page(request, "error.html", status=404, message=f"{iri}: {WORDS[lang_of(request)]['not_found']}")
        if fmt != "html":
            return rdf_response(site.describe(iri), fmt)
        node = URIRef(iri)
        types = {line["object"] for line in description.rows if line["predicate"] == RDF.type}
        lines = description.rows
        context = dict(iri=iri, lines=lines, values=values_of(lines), labels=labels_of(lines),
                       findings=site.findings_about(node, lang_of(request)), row_href=row_href)
        if CCHC.PlanRow in types:
            plan_id = iri.split("/plan/", 1)[1].split("/", 1)[0]
            row_id = str(values_of(lines)[str(CCHC.rowId)][0])
            context.update(plan_id=plan_id, row_id=row_id,
                           detail=site.run("row-detail", {"row_id": row_id, "plan": plan_id}).rows,
                           citations=site.run("row-citations", {"row": iri}).rows)
            return page(request, "row.html", **context)
        if CCHC.ReformPlan in types:
            return plan_table(request, iri.rsplit("/", 1)[1], context)
        if CCHC.Agency in types or CCHC.AgencyGroup in types:
            agency_id = str(values_of(lines)["http://purl.org/dc/terms/identifier"][0])
            # One plan at a time (the newest by default, others a link away): a page of 63 plans' rows is
            # megabytes, and each plan is one run of agency-involvement.
            plans = {str(plan["plan_id"]): plan for plan in site.plans}
            default = max(plans.values(), key=lambda plan: (int(plan["year"]), str(plan["plan_id"])))
            chosen = plans.get(request.query_params.get("plan", ""), default)
            rows = site.run("agency-involvement", {"agency": agency_id, "plan": str(chosen["plan_id"])}).rows
            return page(request, "agency.html", involvement=[(chosen, rows)], plans=list(plans.values()),
                        chosen_plan=str(chosen["plan_id"]), **context)
        if any(str(t).startswith(str(CCHC)) and t in DOCUMENT_TYPES for t in types) or "/eli/" in iri:
            number = values_of(lines).get("http://data.europa.eu/eli/ontology#id_local")
            rows = site.run("tasks-citing-document", {"document": str(number[0])}).rows if number else []
            same_as = values_of(lines).get("http://www.w3.org/2002/07/owl#sameAs", [])
            return page(request, "document.html", rows=rows, same_as=same_as, **context)
        return page(request, "node.html", **context)

    def plan_table(request: Request, plan_id: str, context: dict):
        facets = site.facets(plan_id)
        chosen = {name: request.query_params.get(name, "") for name in ("area", "agency", "quarter", "kind")}
        keep = {row_id for row_id, values in facets.items()
                if all(not wanted or wanted in values.get(name, set()) for name, wanted in chosen.items())}
        lines = site.run("plan-table", {"plan": plan_id}).rows
        rows: dict[str, dict] = {}
        for line in lines:
            row_id = str(line["row_id"])
            if row_id in keep:
                row = rows.setdefault(row_id, {"line": line, "products": []})
                if line.get("product") is not None:
                    row["products"].append(str(line["product"]))
        choices = {name: sorted({v for values in facets.values() for v in values.get(name, ())}, key=choice_key)
                   for name in chosen}
        agency_names = site.agency_names()
        choices["agency"].sort(key=lambda iri: fold(agency_names.get(iri, iri)))
        return page(request, "plan.html", plan_id=plan_id, rows=list(rows.values()), chosen=chosen,
                    choices=choices, agency_names=agency_names, **context)

    # ------------------------------------------------------------------ API
    async def api_queries(request: Request):
        return JSONResponse([{"name": q.name, "summary": q.summary, "description": q.description,
                              "tags": list(q.tags), "params": [p.__dict__ for p in q.params]}
                             for q in site.queries.values()])

    async def api_query(request: Request):
        saved = site.queries.get(request.path_params["name"])
        if saved is None:
            return JSONResponse({"error": f"unknown query {request.path_params['name']!r}; GET /api/queries lists them"},
                                status_code=404)
        fmt = request.query_params.get("format") or choose(request.headers.get("accept"), ANSWER_TYPES, "json")
        if fmt not in ANSWER_FORMATS:
            return JSONResponse({"error": f"unknown format {fmt!r}; choose json, csv or xlsx"
                                 if fmt else "none of the Accept header's types is served: "
                                 + ", ".join(ANSWER_FORMATS.values())}, status_code=406 if not fmt else 400)
        try:
            table = site.run(saved.name, query_params(request), *page_cut(request))
        except QueryError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return answer_response(table, fmt, saved.name)

    async def api_openapi(request: Request):
        return JSONResponse(openapi(site.queries.values()))

    routes = [
        Route("/", home), Route("/lang/{lang}", switch_language), Route("/search", search),
        Route("/validation", validation), Route("/queries", queries), Route("/queries/{name}", saved_query_page),
        Route("/sparql", sparql_page), Route("/ontology", ontology_page),
        Route("/id/{rest:path}", node_page), Route("/eli/{rest:path}", node_page),
        Route("/api/queries", api_queries), Route("/api/queries/{name}", api_query),
        Route("/api/openapi.json", api_openapi),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(routes=routes)
    app.state.site = site
    return app


DOCUMENT_TYPES = {CCHC.LegalDocument, CCHC.Law, CCHC.Decree, CCHC.Resolution, CCHC.Decision, CCHC.PlanDocument}


def href(term) -> str | None:
    """Where a term links to on this site: our own nodes at their path, nothing for other IRIs."""
    return local_path(str(term)) if isinstance(term, URIRef) else None


def row_href(row_id: str, plan_id: str | None) -> str:
    return str(ID[f"plan/{plan_id}/row/{row_id}"])[len(BASE):] if plan_id else \
        "/queries/row-detail?" + urlencode({"row_id": row_id})


def choice_key(value: str):
    """Area numbers in Roman order, quarters and ids as text."""
    roman = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9, "X": 10}
    return (roman.get(value, 99), value)


def values_of(lines: list[dict]) -> dict[str, list]:
    """predicate IRI -> its objects, from the node-description lines."""
    out: dict[str, list] = {}
    for line in lines:
        objects = out.setdefault(str(line["predicate"]), [])
        if line["object"] not in objects:
            objects.append(line["object"])
    return out


def labels_of(lines: list[dict]) -> dict:
    """object -> a label (Vietnamese preferred label first), from the node-description lines."""
    order = ["http://www.w3.org/2004/02/skos/core#prefLabel", "http://www.w3.org/2000/01/rdf-schema#label",
             "http://data.europa.eu/eli/ontology#id_local", str(CCHC.rowId), str(CCHC.verbatimText)]
    found: dict = {}
    for line in sorted((ln for ln in lines if ln.get("object_label") is not None),
                       key=lambda ln: order.index(str(ln["label_predicate"]))
                       if str(ln["label_predicate"]) in order else 99):
        found.setdefault(line["object"], str(line["object_label"]))
    return found


def query_params(request: Request) -> dict[str, list[str]]:
    """Every value given for each parameter, in order, empty form fields left out."""
    params: dict[str, list[str]] = {}
    for name, value in request.query_params.multi_items():
        if name in RESERVED or name == "run" or not value.strip():
            continue
        params.setdefault(nfc(name), []).append(nfc(value))
    return params


def page_cut(request: Request) -> tuple[int | None, int | None]:
    """`limit` and `offset` of the URL, as `cchc-graph query --limit N --offset M`: one page of the answer,
    cut by the store (an offset alone: a page of the query's `#+ pagination` size)."""
    cut: list[int | None] = []
    for name, least in (("limit", 1), ("offset", 0)):
        value = request.query_params.get(name, "").strip()
        if not value:
            cut.append(None)
        elif not value.isdigit() or int(value) < least:
            raise QueryError(f"{name}={value!r}: {name} is a whole number of {least} or more")
        else:
            cut.append(int(value))
    return cut[0], cut[1]


def paged(table: Table, request: Request) -> dict:
    try:
        number = max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        number = 1
    pages = max(1, -(-len(table.rows) // PAGE_SIZE))
    number = min(number, pages)
    start = (number - 1) * PAGE_SIZE
    others = [(k, v) for k, v in request.query_params.multi_items() if k != "page"]
    return {"columns": table.columns, "rows": table.rows[start:start + PAGE_SIZE], "total": len(table.rows),
            "page": number, "pages": pages, "first": start + 1,
            "link": lambda n: "?" + urlencode(others + [("page", str(n))])}


def answer_response(table: Table, fmt: str, name: str) -> Response:
    data = render_bytes(table, fmt, title=name)
    response = Response(data, media_type=ANSWER_FORMATS[fmt])
    if fmt in ("csv", "xlsx"):
        response.headers["content-disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def rdf_response(graph, fmt: str) -> Response:
    if fmt == "json-ld":
        context = {prefix: str(namespace) for prefix, namespace in graph.namespaces() if prefix}
        data = graph.serialize(format="json-ld", context=context, auto_compact=True, encoding="utf-8")
    else:
        data = graph.serialize(format=fmt, encoding="utf-8")
    return Response(data, media_type=RDF_FORMATS[fmt], headers={"vary": "Accept"})


def not_acceptable() -> Response:
    return Response("none of the Accept header's types is served: " + ", ".join(RDF_FORMATS.values()) + "\n",
                    status_code=406, media_type="text/plain")


def serve(graph_path: Path, host: str, port: int, reasoning: bool = True, echo=print) -> None:
    """Open the store (an unreadable graph fails here, before anything listens), then serve until Ctrl-C."""
    import uvicorn

    app = create_app(graph_path, reasoning)
    echo(f"cchc-graph web: http://{host}:{port}/ (Ctrl-C to stop)")
    uvicorn.run(app, host=host, port=port, log_level="warning")

