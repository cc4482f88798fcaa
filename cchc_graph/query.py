"""Saved SPARQL queries (queries/*.rq): their `#+` YAML headers, parameter binding and running (output: render.py).

Parameters are never pasted into query text: each value is converted to an RDF term (a literal with its
datatype, or the IRI of the agency, document or plan it names) and bound in a VALUES block written with
the term's N3 serialisation, which escapes it. The same bound text runs on the embedded store and on a
remote endpoint.
"""

from __future__ import annotations

import datetime as dt
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable

import yaml
from rdflib import Literal, URIRef
from rdflib.term import Node

from .errors import CchcError
from .legal import TYPE_WORDS, parse_number
from .names import MatchError, did_you_mean, resolve, spelling_key, strip_marks
from .namespaces import XSD
from .resources import QUERIES
# Rendering lives in render.py; re-exported here, where callers have always imported it from.
from .render import Table, cell, render, render_bytes, term_json  # noqa: F401
from .text import clean_cell, fold, nfc

PARAM_TYPES = ("string", "integer", "boolean", "date", "year", "quarter", "agency", "document", "plan", "iri",
               "product-kind", "row", "province")
ROMAN_QUARTERS = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "q1": 1, "q2": 2, "q3": 3, "q4": 4, "1": 1, "2": 2, "3": 3, "4": 4}


# The parameter types a query can be streamed by (`#+ stream-by`).
STREAM_BY_TYPES = ("plan", "product-kind")


def _stream_values(kind: str, lookups: "Lookups") -> list[Node]:
    """Every value of a `stream-by` parameter, as the terms it binds, in the order of the key its queries sort
    on first: plan ids (`?plan_id`), product kind ids (`?kind_id`)."""
    if kind == "plan":
        return [iri for _, iri in sorted(lookups.plans.items())]
    return [Literal(kind_id) for kind_id in sorted({kind_id for _, kind_id in lookups.product_kinds})]


class QueryError(CchcError):
    """An unknown query, a missing or unknown parameter, a value of the wrong type."""


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    required: bool = False
    default: Any = None
    description: str = ""
    multiple: bool = False  # `multiple: true` in the header: given several times, it means any of the values


@dataclass(frozen=True)
class SavedQuery:
    name: str
    path: Path
    summary: str
    description: str
    params: tuple[Param, ...]
    tags: tuple[str, ...]
    text: str
    pagination: int | None = None  # `#+ pagination: N`: answered a page of N lines at a time when paged
    stream_by: str | None = None  # `#+ stream-by: PARAM`: streamed one value of PARAM after another (bound_parts)

    @property
    def is_check(self) -> bool:
        return self.name.endswith("-violation")


_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's: the same objects, ten times faster


def parse_header(text: str) -> dict:
    """The YAML held in the leading `#+ ` comment lines (grlc's decorator syntax; not its parameters, which
    grlc takes from `?_name_type` variables: see the README)."""
    lines = []
    for line in text.splitlines():
        if line.startswith("#+"):
            lines.append(line[3:] if line.startswith("#+ ") else line[2:])
        elif line.strip() and not line.startswith("#"):
            break
    return yaml.load("\n".join(lines), Loader=_YAML_LOADER) or {}


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
                            str(p.get("description", "")).strip(), bool(p.get("multiple", False))))
    pagination = header.get("pagination")
    if pagination is not None:
        if isinstance(pagination, bool) or not isinstance(pagination, int) or pagination < 1:
            raise CchcError(f"{path}: #+ pagination must be a whole number of lines per page, not {pagination!r}")
        if not _ORDER_BY.search(_code_only(text)):
            raise CchcError(f"{path}: #+ pagination needs an ORDER BY that orders every line, or pages would "
                            "overlap")
    stream_by = header.get("stream-by")
    if stream_by is not None:
        param = next((p for p in params if p.name == stream_by), None)
        if param is None or param.required or param.type not in STREAM_BY_TYPES:
            raise CchcError(f"{path}: #+ stream-by names an optional parameter of type "
                            f"{' or '.join(STREAM_BY_TYPES)} of the query, not {stream_by!r}")
    return SavedQuery(path.stem, path, str(header.get("summary", "")).strip(), str(header.get("description", "")).strip(),
                      tuple(params), tuple(header.get("tags") or ()), text, pagination, stream_by)


def saved_queries(folder: Path = QUERIES) -> dict[str, SavedQuery]:
    paths = sorted(folder.glob("*.rq"), key=lambda path: path.stem)  # by name: `plans` before `plans-…`
    # Parsed once per version of the files: a query binding names looks up other saved queries (a web page
    # several times), and reading every YAML header each time would cost more than the query.
    stamp = tuple((path, path.stat().st_mtime_ns, path.stat().st_size) for path in paths)
    return dict(_parsed_queries(stamp))


@lru_cache(maxsize=4)
def _parsed_queries(stamp: tuple) -> tuple[tuple[str, SavedQuery], ...]:
    return tuple((q.name, q) for q in (_parsed_query(*entry) for entry in stamp))


@lru_cache(maxsize=256)
def _parsed_query(path: Path, mtime_ns: int, size: int) -> SavedQuery:
    return load_query(path)


def get_query(name: str, folder: Path = QUERIES) -> SavedQuery:
    path = folder / f"{name}.rq"
    if re.fullmatch(r"[\w][\w.-]*", name) and path.is_file():  # only its own header read: a fresh `query` needs one
        stat = path.stat()
        return _parsed_query(path, stat.st_mtime_ns, stat.st_size)
    queries = saved_queries(folder)
    if name not in queries:
        raise QueryError(f"unknown query {name!r}; {did_you_mean(name, [(q, q) for q in queries])}"
                         "`cchc-graph queries` lists them")
    return queries[name]


# ---------------------------------------------------------------------------------------- binding

class Lookups:
    """What the store holds, for turning a parameter (an agency name, document number, plan id, product kind,
    row id) into IRIs or values, and for saying what exists when it names nothing. Each kind is fetched
    through its saved lookup query on first use only (works for the embedded store and a remote one)."""

    def __init__(self, run: Callable[[str], list[dict[str, Node]]]):
        self._run = run
        self._cache: dict[str, Any] = {}

    def _once(self, key: str, make: Callable[[], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    @property
    def agencies(self) -> list[tuple[str, URIRef]]:
        """(name, alias or id, IRI) of every agency and group."""
        def make():
            found = set()
            for row in self._run(get_query("agency-names").text):
                for key in ("name", "id"):
                    if row.get(key) is not None:
                        found.add((str(row[key]), row["agency"]))
            # The order of sorted(found), without comparing rdflib terms (IRIs compare as their strings),
            # which took a tenth of a second for 6,000 names.
            return sorted(found, key=lambda pair: (pair[0], str(pair[1])))
        return self._once("agencies", make)

    @property
    def documents(self) -> list[tuple[str, URIRef]]:
        """(canonical number, IRI) of every legal document."""
        return self._once("documents", lambda: [(str(r["number"]), r["document"]) for r in
                                                self._run(get_query("document-numbers").text)])

    @property
    def plans(self) -> dict[str, URIRef]:
        return self._once("plans", lambda: {str(r["plan_id"]): r["plan"] for r in self._run(get_query("plans").text)})

    @property
    def provinces(self) -> list[tuple[str, URIRef]]:
        """(name, 'tỉnh' + name, or id, IRI) of every province."""
        return self._once("provinces", lambda: sorted(
            {(str(r[column]), r["province"]) for r in self._run(get_query("provinces").text)
             for column in ("id", "name", "label")}))

    @property
    def product_kinds(self) -> list[tuple[str, str]]:
        """(id, Vietnamese or English name, kind id) of every product kind."""
        return self._once("product_kinds", lambda: sorted(
            (str(r[column]), str(r["kind_id"])) for r in self._run(get_query("product-kinds").text)
            for column in ("kind_id", "kind_vi", "kind_en")))

    def row_ids(self, row_id: str | None = None, plans: list[Node] | None = None) -> list[str]:
        """The row ids (of the given plans), in table order; with `row_id`, that id if it exists. Both are
        bound, so asking whether an id exists does not read every row of the corpus."""
        values: dict[str, list[Node]] = {"plan": list(plans)} if plans else {}
        if row_id is not None:
            values["row_id"] = [Literal(row_id)]
        return [str(r["row_id"]) for r in self._run(with_values(get_query("row-ids").text, values))]


def lookups_from(run: Callable[[str], list[dict[str, Node]]]) -> Lookups:
    return Lookups(run)


def convert(param: Param, raw: str, lookups: Callable[[], Lookups], plans: list[Node] | None = None) -> list[Node]:
    """The RDF terms a parameter value stands for. `plans`: the plans the query's `plan` parameter names,
    within which a row id must exist."""
    value = clean_cell(raw).replace("\n", " ")
    try:
        return _convert(param, value, lookups, plans or [])
    except MatchError as exc:
        raise QueryError(f"parameter {param.name}={raw!r}: {exc}") from None


def _convert(param: Param, value: str, lookups: Callable[[], Lookups], plans: list[Node]) -> list[Node]:
    kind = param.type
    if kind == "string":
        return [Literal(value)]
    if kind in ("integer", "year"):
        if not re.fullmatch(r"-?\d+", value):
            raise MatchError("not a whole number")
        return [Literal(int(value), datatype=XSD.integer)]
    if kind == "boolean":
        if value.casefold() not in ("true", "false", "yes", "no", "1", "0"):
            raise MatchError("not true or false")
        return [Literal(value.casefold() in ("true", "yes", "1"), datatype=XSD.boolean)]
    if kind == "date":
        date = dt.date.today() if value.casefold() in ("today", "hôm nay") else parse_date(value)
        if date is None:
            raise MatchError("not a date; write YYYY-MM-DD or DD/MM/YYYY (2023-07-01 or 01/07/2023)")
        return [Literal(date, datatype=XSD.date)]
    if kind == "quarter":
        key = re.sub(r"^(quý|quarter)\s*", "", value.casefold()).strip()
        if key not in ROMAN_QUARTERS:
            raise MatchError("not a quarter (1-4, I-IV or Q1-Q4)")
        return [Literal(ROMAN_QUARTERS[key], datatype=XSD.integer)]
    if kind == "iri":
        if not re.fullmatch(r"[a-zA-Z][a-zA-Z0-9+.-]*:[^\s<>\"{}|\\^`]*", value):
            raise MatchError("not an IRI")
        return [URIRef(value)]
    if kind == "agency":
        return resolve(value, lookups().agencies, not_found="no agency or group of the registry has this name, alias or id",
                       lister="`cchc-graph query agency-names`")
    if kind == "province":
        return resolve(value, lookups().provinces, not_found="no province has this name or id",
                       lister="`cchc-graph query provinces`")
    if kind == "plan":
        known = lookups().plans
        return resolve(value, known.items(), not_found="no such plan", lister="`cchc-graph query plans`",
                       valid=sorted(known))
    if kind == "product-kind":
        kinds = lookups().product_kinds
        return [Literal(kind_id) for kind_id in
                resolve(value, kinds, not_found="no such product kind", lister="`cchc-graph query product-kinds`",
                        valid=sorted({kind_id for _, kind_id in kinds}))]
    if kind == "row":
        row_id = normal_row_id(value)
        if lookups().row_ids(row_id, plans):
            return [Literal(row_id)]
        known = lookups().row_ids(None, plans)
        return [Literal(found) for found in
                resolve(row_id, [(r, r) for r in known], not_found="no such row" + (" in this plan" if plans else ""),
                        lister="`cchc-graph query row-ids`", valid=known)]
    if kind == "document":
        return match_documents(value, lookups().documents)
    raise MatchError(f"unsupported type {kind}")


_ISO_DATE = re.compile(r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})")
_VIETNAMESE_DATE = re.compile(r"(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})")


def parse_date(value: str) -> dt.date | None:
    """'2023-07-01', or '01/07/2023' and '1/7/2023' as Vietnamese write dates (day first). Not the other
    forms `date.fromisoformat` takes ('20230701', '2023-W26-6'): people mean something else by them."""
    match = _ISO_DATE.fullmatch(value) or _VIETNAMESE_DATE.fullmatch(value)
    if not match:
        return None
    try:
        return dt.date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        return None


def normal_row_id(value: str) -> str:
    """'vii-07', 'VII-7', 'vii 7' -> 'VII-07' (the table's `<area>-NN`); anything else is left as it is."""
    match = re.fullmatch(r"([ivxlc]+)\s*[-–.]?\s*(\d{1,3})", value, flags=re.IGNORECASE)
    return f"{match.group(1).upper()}-{int(match.group(2)):02d}" if match else value


# The type word before a number ('Nghị định số 62/2020/NĐ-CP'), with or without its diacritics.
_DOCUMENT_PREFIX = re.compile(r"^(?:" + "|".join(sorted({w for t in TYPE_WORDS for w in (fold(t), strip_marks(fold(t)))},
                                                         key=len, reverse=True)) + r")\s+(?:số\s+|so\s+)?")


def document_key(text: str) -> str:
    """A number as people write it, folded: type word and 'số' dropped, no spaces around '/' and '-'."""
    return re.sub(r"\s*([/-])\s*", r"\1", _DOCUMENT_PREFIX.sub("", fold(text))).strip(" .,;")


# Document numbers are matched exactly, then with 'Ð' (U+00D0) read as 'Đ', then without diacritics
# ('ND-CP'); abbreviations are not expanded: in a number they are the issuer code itself.
DOCUMENT_LEVELS = (document_key, lambda text: spelling_key(document_key(text)),
                   lambda text: strip_marks(spelling_key(document_key(text))))


def match_documents(value: str, documents: Iterable[tuple[str, URIRef]]) -> list[URIRef]:
    """'62/2020/NĐ-CP', '62/2020', 'Nghị định số 62/2020/NĐ-CP', '62/2020/nđ-cp', '62/2020/ND-CP' all name the
    same decree; '62/2020' names every document numbered 62 of 2020."""
    if not re.fullmatch(r"\d{1,5}/[\w/-]+", document_key(value)):
        raise QueryError(f"{value!r} is not a document number such as 62/2020/NĐ-CP or 62/2020")
    candidates, labels = [], {}
    for number, iri in documents:
        labels[iri] = number
        candidates.append((number, iri))
        ref = parse_number(number)
        if ref and ref.year:
            candidates.append((f"{ref.num}/{ref.year}", iri))
        if ref:
            candidates.append((f"{ref.num}/{ref.code}", iri))
    return resolve(value, candidates, not_found="no legal document in the graph has this number",
                   lister="`cchc-graph query document-numbers`", levels=DOCUMENT_LEVELS, labels=labels)


def bindings_for(query: SavedQuery, raw: dict[str, str | list[str]], lookups: Callable[[], Lookups]) -> dict[str, list[Node]]:
    """The terms each parameter binds. A value may be a list of the values given: more than one is refused
    unless the query declares the parameter `multiple`, where it means any of them."""
    known = {p.name: p for p in query.params}
    unknown = sorted(set(raw) - set(known))
    if unknown:
        raise QueryError(f"query {query.name!r} has no parameter {', '.join(unknown)}; it takes: "
                         f"{', '.join(known) or 'none'}")
    values: dict[str, list[Node]] = {}
    # Plans first: a row id is checked within the plans asked for.
    for param in sorted(query.params, key=lambda p: p.type != "plan"):
        given = raw.get(param.name)
        texts = [given] if isinstance(given, str) else list(given or ())
        if len(texts) > 1 and not param.multiple:
            times = "twice" if len(texts) == 2 else f"{len(texts)} times"
            raise QueryError(f"parameter {param.name} is given {times} ({', '.join(map(repr, texts))}); query "
                             f"{query.name!r} takes one {param.name}")
        plans = [term for p in query.params if p.type == "plan" for term in values.get(p.name, ())]
        if texts:
            terms: list[Node] = []
            for text in texts:
                terms += [term for term in convert(param, text, lookups, plans) if term not in terms]
            values[param.name] = terms
        elif param.required:
            raise QueryError(f"query {query.name!r} needs --param {param.name}=… ({param.type}: {param.description})")
        elif param.default is not None:
            values[param.name] = convert(param, str(param.default).lower() if isinstance(param.default, bool)
                                         else str(param.default), lookups, plans)
    return {p.name: values[p.name] for p in query.params if p.name in values}


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


def _code_only(text: str) -> str:
    """The text with strings, IRIs and comments blanked: same offsets, only syntax left."""
    return _NOT_CODE.sub(lambda m: " " * len(m.group()), text)


_ORDER_BY = re.compile(r"\}\s*ORDER\s+BY\b[^{}]*$", re.IGNORECASE)
_SLICE = re.compile(r"\b(LIMIT|OFFSET)\b", re.IGNORECASE)


def paged(text: str, limit: int | None = None, offset: int | None = None) -> str:
    """The query with LIMIT / OFFSET added to its outermost solution modifiers, so that the store itself
    skips and stops (on a remote endpoint too). A query that already slices its answer is refused."""
    if limit is None and not offset:
        return text
    if limit is not None and limit < 1 or offset is not None and offset < 0:
        raise QueryError("--limit must be 1 or more and --offset 0 or more")
    code = _code_only(text)
    tail = code[code.rfind("}") + 1:]
    if _SLICE.search(tail):
        raise QueryError("this query already has a LIMIT or OFFSET of its own; it cannot be paged")
    return (text.rstrip() + "\n" + (f"LIMIT {int(limit)}\n" if limit is not None else "")
            + (f"OFFSET {int(offset)}\n" if offset else ""))


def _where_groups(text: str) -> list[tuple[int, int]]:
    """(start, end) of the body of each `WHERE { … }` group, outermost query first, then each sub-SELECT's."""
    code = _code_only(text)
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
    a text substitution would), so a subquery that aggregates can be restricted too."""
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


# ---------------------------------------------------------------------------------------- running

def open_local(graph_path: Path, reasoning: bool = True):
    """The dataset `query` runs on: the asserted graph, the ontology, the OWL RL inferences (cached beside
    the graph, computed inside the store when stale) and the link graph when there is one, each in its named
    graph. Files go straight into Oxigraph, so this stays fast at corpus size. `graph_path` may also be an
    on-disk store (`build --store DIR`), which is opened as it is."""
    from .ondisk import is_store, open_store
    from .reason import inferred_path_for, load_ontology, ontology_files, read_fresh_inferred, reason_in_store
    from .store import ASSERTED, INFERRED, LINKS, ONTOLOGY_GRAPH, OxigraphDataset, check_graph_file, links_path_for

    graph_path = Path(graph_path)
    if is_store(graph_path):  # `build --store DIR`: opened, not loaded
        return open_store(graph_path, reasoning)
    # The graph file is read once: the bytes loaded are the bytes whose digest is compared with the cache's
    # stamp (and stamped after reasoning), so a file replaced meanwhile can never pass for the cached one.
    data = check_graph_file(graph_path).read_bytes()
    dataset = OxigraphDataset()
    cached = None
    if reasoning or inferred_path_for(graph_path).exists():
        # A fresh cache means these are the very bytes the closure was computed from, which `reason` (or an
        # earlier `query`) parsed strictly: neither they nor the cache we wrote need checking again.
        # The digest (a second of hashing at 630 plans) runs beside the load, which bets on a fresh cache;
        # when it is stale the bytes are loaded again, strictly. Lenient parsing accepts all that strict does.
        # Without reasoning (`export`), a cache that exists is checked the same way, for the same speed-up.
        with ThreadPoolExecutor(max_workers=1) as pool:
            freshness = pool.submit(read_fresh_inferred, graph_path, data)
            dataset.add_file(ASSERTED, graph_path, checked=True, data=data)
            cached = freshness.result()
    if cached is None:
        dataset = OxigraphDataset()
        dataset.add_file(ASSERTED, graph_path, data=data)
    stale = reasoning and cached is None
    if stale:  # the rules are compiled from the ontology read by rdflib
        ontology = load_ontology()
        dataset.add_graph(ONTOLOGY_GRAPH, ontology)
    else:  # the project's own files, straight into Oxigraph: no rdflib parse on every query (a test: same graph)
        for path in ontology_files():
            dataset.add_file(ONTOLOGY_GRAPH, path, checked=True)
    if reasoning:
        inferred_file = inferred_path_for(graph_path)
        if not stale:
            dataset.add_file(INFERRED, inferred_file, checked=True, data=cached)
        else:
            from .progress import progress
            from .reason import DEFAULT_PROFILE, write_stamp
            with progress(None, "reason: OWL RL closure, cached for the next query"):
                reason_in_store(dataset.store, ontology, str(ASSERTED), str(ONTOLOGY_GRAPH))
            inferred_bytes = dataset.dump_graph(INFERRED, inferred_file)
            write_stamp(graph_path, inferred_file, DEFAULT_PROFILE, data, inferred_bytes)
    links = links_path_for(graph_path)
    if links.exists():
        dataset.add_file(LINKS, links)
    return dataset


def run_saved(query: SavedQuery, raw_params: dict[str, str | list[str]], execute: Callable[[str], Table],
              limit: int | None = None, offset: int | None = None) -> Table:
    """Bind the parameters (resolving names through the same store) and run the query. A parameter's value
    is a string, or the list of the values given for it. `limit` / `offset`: one page of the answer (in the
    query's ORDER BY), cut by the store; an `offset` alone with a query declaring `#+ pagination: N` gives a
    page of N lines."""
    return execute(bound_query(query, raw_params, execute, limit, offset))


def bound_query(query: SavedQuery, raw_params: dict[str, str | list[str]], execute: Callable[[str], Table],
                limit: int | None = None, offset: int | None = None) -> str:
    """The text `run_saved` runs: the parameters bound (names resolved through `execute`) and the page cut.
    For callers that run it themselves, e.g. to stream the answer (`OxigraphDataset.rows`)."""
    return bound_parts(query, raw_params, execute, limit, offset, parts=False)[0]


def rows_of_parts(rows: Callable[[str], tuple[list[str], Iterable[dict]]], texts: list[str]):
    """(columns, an iterator of rows) of the answers of `texts` (`bound_parts`) laid end to end, each part run
    when the rows before it have been read. `rows`: e.g. `OxigraphDataset.rows`."""
    columns, first = rows(texts[0])

    def lines():
        yield from first
        for text in texts[1:]:
            yield from rows(text)[1]
    return columns, lines()


def bound_parts(query: SavedQuery, raw_params: dict[str, str | list[str]], execute: Callable[[str], Table],
                limit: int | None = None, offset: int | None = None, parts: bool = True) -> list[str]:
    """The texts whose answers, laid end to end, are the answer: one (`bound_query`), or, for a query that
    declares `#+ stream-by: PARAM` and is asked without PARAM and without a page, parts that each bind PARAM
    to a run of its values (plans, product kinds) in the order the query sorts on first. A store sorts an
    answer whole before giving its first line: by parts, the first lines wait for the first part only (one
    plan of a corpus), not for the whole corpus to be read and sorted. The parts double in size (1, 2, 4…
    values), since each query has a cost of its own: 630 plans are 10 queries, not 630."""
    if offset is not None and limit is None:
        limit = query.pagination
    cache: list[Lookups] = []

    def lookups() -> Lookups:
        if not cache:
            cache.append(lookups_from(lambda text: execute(text).rows))
        return cache[0]

    values = bindings_for(query, {nfc(k): v for k, v in raw_params.items()}, lookups)
    split = parts and query.stream_by and query.stream_by not in values and limit is None and not offset
    if split:
        kind = next(p.type for p in query.params if p.name == query.stream_by)
        terms = _stream_values(kind, lookups())
        runs, size = [], 1
        while terms:
            runs.append(terms[:size])
            terms, size = terms[size:], size * 2
        if runs:
            return [with_values(query.text, {**values, query.stream_by: run}) for run in runs]
    return [paged(with_values(query.text, values), limit, offset)]
