"""Saved SPARQL queries (queries/*.rq): their grlc-style headers, parameter binding and result output.

Parameters are never pasted into query text: each value is converted to an RDF term (a literal with its
datatype, or the IRI of the agency, document or plan it names) and bound in a VALUES block written with
the term's N3 serialisation, which escapes it. The same bound text runs on the embedded store and on a
remote endpoint.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

import yaml
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from .errors import CchcError
from .legal import parse_number
from .namespaces import XSD
from .text import clean_cell, fold, nfc

QUERIES = Path(__file__).resolve().parent.parent / "queries"
PARAM_TYPES = ("string", "integer", "boolean", "date", "year", "quarter", "agency", "document", "plan", "iri")
TABLE_FORMATS = ("table", "csv", "json", "markdown")  # of SELECT and ASK answers
ROMAN_QUARTERS = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "q1": 1, "q2": 2, "q3": 3, "q4": 4, "1": 1, "2": 2, "3": 3, "4": 4}


class QueryError(CchcError):
    """An unknown query, a missing or unknown parameter, a value of the wrong type."""


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    required: bool = False
    default: Any = None
    description: str = ""


@dataclass(frozen=True)
class SavedQuery:
    name: str
    path: Path
    summary: str
    description: str
    params: tuple[Param, ...]
    tags: tuple[str, ...]
    text: str

    @property
    def is_check(self) -> bool:
        return self.name.endswith("-violation")


def parse_header(text: str) -> dict:
    """The YAML held in the leading `#+ ` comment lines (grlc decorators)."""
    lines = []
    for line in text.splitlines():
        if line.startswith("#+"):
            lines.append(line[3:] if line.startswith("#+ ") else line[2:])
        elif line.strip() and not line.startswith("#"):
            break
    return yaml.safe_load("\n".join(lines)) or {}


def load_query(path: Path) -> SavedQuery:
    text = nfc(path.read_text(encoding="utf-8"))
    try:
        header = parse_header(text)
    except yaml.YAMLError as exc:
        raise CchcError(f"{path}: bad #+ header: {exc}") from None
    params = []
    for p in header.get("params") or []:
        if p.get("type") not in PARAM_TYPES:
            raise CchcError(f"{path}: parameter {p.get('name')!r} has unknown type {p.get('type')!r}")
        params.append(Param(p["name"], p["type"], bool(p.get("required", False)), p.get("default"),
                            str(p.get("description", "")).strip()))
    return SavedQuery(path.stem, path, str(header.get("summary", "")).strip(), str(header.get("description", "")).strip(),
                      tuple(params), tuple(header.get("tags") or ()), text)


def saved_queries(folder: Path = QUERIES) -> dict[str, SavedQuery]:
    return {q.name: q for q in (load_query(p) for p in sorted(folder.glob("*.rq")))}


def get_query(name: str, folder: Path = QUERIES) -> SavedQuery:
    queries = saved_queries(folder)
    if name not in queries:
        raise QueryError(f"unknown query {name!r}; `cchc-graph queries` lists them")
    return queries[name]


# ---------------------------------------------------------------------------------------- binding

class Lookups:
    """Names the store knows, for turning an agency name, document number or plan id into IRIs. Each kind
    is fetched through its saved lookup query on first use only (works for the embedded store and a remote
    one)."""

    def __init__(self, run: Callable[[str], list[dict[str, Node]]]):
        self._run = run
        self._cache: dict[str, Any] = {}

    def _once(self, key: str, make: Callable[[], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    @property
    def agencies(self) -> dict[str, URIRef]:
        """Folded name, alias or id -> IRI."""
        def make():
            found = {}
            for row in self._run(get_query("agency-names").text):
                for key in ("name", "id"):
                    if row.get(key) is not None:
                        found[fold(str(row[key]))] = row["agency"]
            return found
        return self._once("agencies", make)

    @property
    def documents(self) -> list[tuple[str, URIRef]]:
        """(canonical number, IRI) of every legal document."""
        return self._once("documents", lambda: [(str(r["number"]), r["document"]) for r in
                                                self._run(get_query("document-numbers").text)])

    @property
    def plans(self) -> dict[str, URIRef]:
        return self._once("plans", lambda: {str(r["plan_id"]): r["plan"] for r in self._run(get_query("plans").text)})


def lookups_from(run: Callable[[str], list[dict[str, Node]]]) -> Lookups:
    return Lookups(run)


def convert(param: Param, raw: str, lookups: Callable[[], Lookups]) -> list[Node]:
    value = clean_cell(raw).replace("\n", " ")
    kind = param.type

    def bad(why: str) -> QueryError:
        return QueryError(f"parameter {param.name}={raw!r}: {why}")

    if kind == "string":
        return [Literal(value)]
    if kind in ("integer", "year"):
        if not re.fullmatch(r"-?\d+", value):
            raise bad("not a whole number")
        return [Literal(int(value), datatype=XSD.integer)]
    if kind == "boolean":
        if value.casefold() not in ("true", "false", "yes", "no", "1", "0"):
            raise bad("not true or false")
        return [Literal(value.casefold() in ("true", "yes", "1"), datatype=XSD.boolean)]
    if kind == "date":
        try:
            return [Literal(dt.date.fromisoformat(value), datatype=XSD.date)]
        except ValueError:
            raise bad("not a date YYYY-MM-DD") from None
    if kind == "quarter":
        key = re.sub(r"^(quý|quarter)\s*", "", value.casefold()).strip()
        if key not in ROMAN_QUARTERS:
            raise bad("not a quarter (1-4, I-IV or Q1-Q4)")
        return [Literal(ROMAN_QUARTERS[key], datatype=XSD.integer)]
    if kind == "iri":
        if not re.fullmatch(r"[a-zA-Z][a-zA-Z0-9+.-]*:[^\s<>\"{}|\\^`]*", value):
            raise bad("not an IRI")
        return [URIRef(value)]
    if kind == "agency":
        iri = lookups().agencies.get(fold(value))
        if iri is None:
            raise bad("no agency or group of the registry has this name, alias or id")
        return [iri]
    if kind == "plan":
        iri = lookups().plans.get(value)
        if iri is None:
            raise bad(f"no such plan; known: {', '.join(sorted(lookups().plans))}")
        return [iri]
    if kind == "document":
        return match_documents(value, lookups().documents) or _raise(bad("no legal document in the graph has this number"))
    raise bad(f"unsupported type {kind}")


def _raise(exc: Exception):
    raise exc


def match_documents(value: str, documents: Iterable[tuple[str, URIRef]]) -> list[URIRef]:
    """'62/2020/NĐ-CP', '62/2020', 'Nghị định số 62/2020/NĐ-CP', '62/2020/nđ-cp' all name the same decree."""
    text = re.sub(r"^(?:bộ luật|luật|nghị định|nghị quyết|quyết định|kế hoạch|thông tư|chỉ thị)\s+(?:số\s+)?", "",
                  fold(value)).strip(" .,;")
    if not re.fullmatch(r"\d{1,5}/[\w/-]+", text):
        raise QueryError(f"{value!r} is not a document number such as 62/2020/NĐ-CP or 62/2020")
    matches = []
    for number, iri in documents:
        key = fold(number)
        ref = parse_number(number)
        year_form = f"{ref.num}/{ref.year}" if ref and ref.year else None
        if text in (key, year_form) or (ref and text == f"{ref.num}/{fold(ref.code)}"):
            matches.append(iri)
    return sorted(set(matches))


def bindings_for(query: SavedQuery, raw: dict[str, str], lookups: Callable[[], Lookups]) -> dict[str, list[Node]]:
    known = {p.name: p for p in query.params}
    unknown = sorted(set(raw) - set(known))
    if unknown:
        raise QueryError(f"query {query.name!r} has no parameter {', '.join(unknown)}; it takes: "
                         f"{', '.join(known) or 'none'}")
    values: dict[str, list[Node]] = {}
    for param in query.params:
        if param.name in raw:
            values[param.name] = convert(param, raw[param.name], lookups)
        elif param.required:
            raise QueryError(f"query {query.name!r} needs --param {param.name}=… ({param.type}: {param.description})")
        elif param.default is not None:
            values[param.name] = convert(param, str(param.default).lower() if isinstance(param.default, bool)
                                         else str(param.default), lookups)
    return values


def with_values(text: str, values: dict[str, list[Node]]) -> str:
    """Bind variables with inline VALUES blocks (see `_insert_values` for where). Each value is an RDF term
    written by rdflib (quotes and backslashes escaped), never raw user text."""
    if not values:
        return text
    blocks = []
    for name in sorted(values):
        terms = " ".join(term.n3() for term in values[name])
        blocks.append(([name], f"VALUES ?{name} {{ {terms} }}"))
    return _insert_values(text, blocks)


def with_rows(text: str, names: list[str], rows: list[list[Node | None]]) -> str:
    """Bind several variables together, one solution per row: `VALUES (?a ?b) { (x y) (z UNDEF) }` (None is
    UNDEF). Used where values belong together, e.g. one legal document's number and year per row; each value
    is an RDF term written by rdflib, as in `with_values`."""
    for name in names:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise CchcError(f"not a variable name: {name!r}")
    if any(len(row) != len(names) for row in rows):
        raise CchcError("every row must give one value (or None) per variable")
    lines = " ".join("(" + " ".join("UNDEF" if term is None else term.n3() for term in row) + ")" for row in rows)
    return _insert_values(text, [(names, f"VALUES ({' '.join('?' + n for n in names)}) {{ {lines} }}")])


# A string, an IRI or a comment: where a brace or the word WHERE is not SPARQL syntax.
_NOT_CODE = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\'|"(?:[^"\\\n]|\\.)*"'
                       r"|'(?:[^'\\\n]|\\.)*'|<[^<>\"{}|^`\\\s]*>|#[^\n]*")


def _where_groups(text: str) -> list[tuple[int, int]]:
    """(start, end) of the body of each `WHERE { … }` group, outermost query first, then each sub-SELECT's."""
    code = _NOT_CODE.sub(lambda m: " " * len(m.group()), text)  # same offsets, only syntax left
    groups = []
    for match in re.finditer(r"\bWHERE\s*\{", code, flags=re.IGNORECASE):
        depth, position = 1, match.end()
        while depth and position < len(code):
            depth += {"{": 1, "}": -1}.get(code[position], 0)
            position += 1
        groups.append((match.end(), position - 1))
    return groups


def _insert_values(text: str, blocks: list[tuple[list[str], str]]) -> str:
    """Insert each VALUES block at the start of the outermost WHERE group, and of every sub-SELECT's WHERE
    group that uses one of its variables: a parameter binds its variable wherever the query names it (as
    grlc substitutes `?_name` throughout), so a subquery that aggregates can be restricted too."""
    groups = _where_groups(text)
    if not groups:
        raise CchcError("query has no WHERE clause to bind parameters in")
    insertions = []
    for index, (start, end) in enumerate(groups):
        body = text[start:end]
        chosen = [block for names, block in blocks
                  if index == 0 or any(re.search(rf"[?$]{re.escape(n)}\b", body) for n in names)]
        if chosen:
            insertions.append((start, "\n  " + "\n  ".join(chosen) + "\n"))
    for position, inserted in sorted(insertions, reverse=True):
        text = text[:position] + inserted + text[position:]
    return text


# ---------------------------------------------------------------------------------------- results

@dataclass
class Table:
    """A SELECT answer (columns, rows), or an ASK answer (`boolean` set, no columns or rows)."""
    columns: list[str]
    rows: list[dict[str, Node]]
    boolean: bool | None = None


def run_local(dataset, text: str, graphs: bool = False):
    """Run on the embedded store (store.assemble): Oxigraph by default, or an rdflib graph or dataset. A Table
    for SELECT and ASK; for CONSTRUCT and DESCRIBE an rdflib Graph when `graphs`, else an error."""
    from .store import OxigraphDataset

    if isinstance(dataset, OxigraphDataset):
        answer = dataset.answer(text)
        if isinstance(answer, tuple):
            return Table(*answer)
    else:
        try:
            result = dataset.query(text)
        except Exception as exc:  # rdflib raises pyparsing and its own errors
            raise CchcError(f"SPARQL error: {exc}") from None
        if result.type == "ASK":
            return Table([], [], bool(result.askAnswer))
        if result.type == "SELECT":
            columns = [str(v) for v in result.vars]
            return Table(columns, [{c: row[c] for c in columns if row[c] is not None} for row in result])
        answer = result.graph
    if not graphs:
        raise CchcError("only SELECT and ASK queries can be run here")
    return answer


def cell(term: Node | None) -> str:
    if term is None:
        return ""
    if isinstance(term, Literal):
        return str(term)
    return str(term)


def render(table: Table, fmt: str) -> str:
    """A SELECT answer as table, csv, json (SPARQL 1.1 Query Results JSON) or markdown. An ASK answer in json is
    the results format's `{"head": {}, "boolean": …}`; the others print `true` or `false` on one line (the
    SPARQL CSV format has no form for booleans)."""
    if fmt not in TABLE_FORMATS:
        raise QueryError(f"unknown output format {fmt!r}; choose {', '.join(TABLE_FORMATS)}")
    if table.boolean is not None:
        if fmt == "json":
            return json.dumps({"head": {}, "boolean": table.boolean}) + "\n"
        return ("true" if table.boolean else "false") + "\n"
    if fmt == "json":
        bindings = [{c: term_json(t) for c, t in row.items()} for row in table.rows]
        return json.dumps({"head": {"vars": table.columns}, "results": {"bindings": bindings}},
                          ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(table.columns)
        writer.writerows([cell(row.get(c)) for c in table.columns] for row in table.rows)
        return out.getvalue()
    if fmt == "markdown":
        def esc(value: str) -> str:
            return value.replace("|", "\\|").replace("\n", "<br>")
        lines = ["| " + " | ".join(table.columns) + " |", "|" + "---|" * len(table.columns)]
        lines += ["| " + " | ".join(esc(cell(row.get(c))) for c in table.columns) + " |" for row in table.rows]
        return "\n".join(lines) + "\n"
    if fmt == "table":
        shown = [[cell(row.get(c)).replace("\n", " ⏎ ") for c in table.columns] for row in table.rows]
        widths = [min(60, max([len(c)] + [len(r[i]) for r in shown])) for i, c in enumerate(table.columns)]

        def line(values: list[str]) -> str:
            return "  ".join((v if len(v) <= w else v[: w - 1] + "…").ljust(w) for v, w in zip(values, widths)).rstrip()
        return "\n".join([line(table.columns), line(["-" * w for w in widths])] + [line(r) for r in shown]
                         + [f"({len(shown)} rows)"]) + "\n"


def term_json(term: Node) -> dict:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    out = {"type": "literal", "value": str(term)}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype:
        out["datatype"] = str(term.datatype)
    return out


# ---------------------------------------------------------------------------------------- running

def open_local(graph_path: Path, reasoning: bool = True):
    """The dataset `query` runs on: the asserted graph, the ontology, the OWL RL inferences (cached beside
    the graph, computed inside the store when stale) and the link graph when there is one, each in its named
    graph. Files go straight into Oxigraph, so this stays fast at corpus size."""
    from .reason import inferred_is_fresh, inferred_path_for, load_ontology, reason_in_store
    from .store import ASSERTED, INFERRED, LINKS, ONTOLOGY_GRAPH, OxigraphDataset, links_path_for

    graph_path = Path(graph_path)
    dataset = OxigraphDataset()
    fresh = False
    if reasoning or inferred_path_for(graph_path).exists():
        # A fresh cache means the graph file has the very bytes the closure was computed from, which `reason`
        # (or an earlier `query`) parsed strictly: neither it nor the cache we wrote needs checking again.
        # The digest (a second of hashing at 630 plans) runs beside the load, which bets on a fresh cache;
        # when it is stale the graph is read again, strictly. Lenient parsing accepts all that strict does.
        # Without reasoning (`export`), a cache that exists is checked the same way, for the same speed-up.
        with ThreadPoolExecutor(max_workers=1) as pool:
            freshness = pool.submit(inferred_is_fresh, graph_path)
            dataset.add_file(ASSERTED, graph_path, checked=True)
            fresh = freshness.result()
    if not fresh:
        dataset = OxigraphDataset()
        dataset.add_file(ASSERTED, graph_path)
    ontology = load_ontology()
    dataset.add_graph(ONTOLOGY_GRAPH, ontology)
    if reasoning:
        inferred_file = inferred_path_for(graph_path)
        if fresh:
            dataset.add_file(INFERRED, inferred_file, checked=True)
        else:
            from .reason import DEFAULT_PROFILE, write_stamp
            reason_in_store(dataset.store, ontology, str(ASSERTED), str(ONTOLOGY_GRAPH))
            dataset.dump_graph(INFERRED, inferred_file)
            write_stamp(graph_path, inferred_file, DEFAULT_PROFILE)
    links = links_path_for(graph_path)
    if links.exists():
        dataset.add_file(LINKS, links)
    return dataset


def run_saved(query: SavedQuery, raw_params: dict[str, str], execute: Callable[[str], Table]) -> Table:
    """Bind the parameters (resolving names through the same store) and run the query."""
    cache: list[Lookups] = []

    def lookups() -> Lookups:
        if not cache:
            cache.append(lookups_from(lambda text: execute(text).rows))
        return cache[0]

    values = bindings_for(query, {nfc(k): v for k, v in raw_params.items()}, lookups)
    return execute(with_values(query.text, values))
