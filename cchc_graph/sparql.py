"""Ad hoc SPARQL (`cchc-graph sparql`): telling a query from an update, one-line syntax errors, and output
formats by answer kind (SELECT and ASK: a table; CONSTRUCT and DESCRIBE: a graph)."""

from __future__ import annotations

import re

from .errors import CchcError
from .render import FORMATS as TABLE_FORMATS  # of SELECT and ASK answers

GRAPH_FORMATS = ("turtle", "nt", "json-ld")  # of CONSTRUCT and DESCRIBE answers
READ_ONLY = ("`sparql` runs read-only queries (SELECT, ASK, CONSTRUCT, DESCRIBE); this is a SPARQL Update "
             "request ({operations}), which it never sends or runs. To change a store, use `cchc-graph build` "
             "and `publish`, or the store's own update endpoint.")


def update_operations(text: str) -> list[str]:
    """The operations of `text` when it parses as a SPARQL Update request (INSERT DATA, DROP, LOAD…), else [].
    Parsed, not executed (rdflib's parser alone): a LOAD is never fetched, and a query with the word INSERT
    in a string or an IRI is still a query."""
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        parsed = parseUpdate(text)
    except Exception:  # pyparsing's ParseException and rdflib's own: not an update
        return []
    requests = parsed["request"] if "request" in parsed else []
    return [re.sub(r"(?<=[a-z])(?=[A-Z])", " ", request.name).upper() for request in requests]


def query_form(text: str) -> str | None:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the form of a query as rdflib's parser reads it (a keyword in a
    comment, a string or an IRI such as `PREFIX : <http://example.org/describe/>` does not count, as it does
    for SPARQLWrapper's guess); None when rdflib cannot parse it (a store's own extension, say)."""
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        name = parseQuery(text)[1].name
    except Exception:  # pyparsing's ParseException and rdflib's own
        return None
    return {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT",
            "DescribeQuery": "DESCRIBE"}.get(name)


def refuse_updates(text: str) -> None:
    operations = update_operations(text)
    if operations:
        raise CchcError(READ_ONLY.format(operations=", ".join(dict.fromkeys(operations))))


_POSITION = re.compile(r"^error at (\d+):(\d+): ?(.*)$", re.DOTALL)
_PREFIXED_END = re.compile(r"([A-Za-z\u00C0-\uFFFD][\w.\-\u00B7\u00C0-\uFFFD]*)?:[\w.\-%\\\u00B7\u00C0-\uFFFD]*$")


def syntax_error(text: str, exc: SyntaxError) -> CchcError:
    """One line for Oxigraph's syntax error ("error at 3:17: expected one of …", the expectations on several
    lines): the line and column, an undeclared prefix by name, and otherwise what was expected, shortened."""
    message = str(exc)
    if not re.sub(r"#[^\n]*", "", text).strip():
        return CchcError("the query is empty: give a SELECT, ASK, CONSTRUCT or DESCRIBE query")
    operations = update_operations(text)
    if operations:
        return CchcError(READ_ONLY.format(operations=", ".join(dict.fromkeys(operations))))
    match = _POSITION.match(message)
    if not match:
        return CchcError(f"SPARQL syntax error: {' '.join(message.split())[:200]}")
    line, column, expected = int(match.group(1)), int(match.group(2)), " ".join(match.group(3).split())
    where = f"SPARQL syntax error at line {line}, column {column}"
    lines = text.splitlines() or [""]
    source = lines[line - 1] if 0 < line <= len(lines) else ""
    prefix = None
    if "Prefix not found" in expected:  # Oxigraph stops right after the prefixed name
        prefixed = _PREFIXED_END.search(source[: column - 1])
        prefix = (prefixed.group(1) or "") if prefixed else None
    else:  # Oxigraph may stop further on (`:p` with no default prefix): rdflib's parser names the prefix
        prefix = _undeclared_prefix(text)
        if prefix is not None:
            line, column = _first_use(text, prefix) or (line, column)
            where = f"SPARQL syntax error at line {line}, column {column}"
    if prefix is not None:
        return CchcError(f"{where}: the prefix {prefix}: is not declared; add `PREFIX {prefix}: <IRI>` at the top "
                         f"of the query")
    if len(expected) > 120:
        expected = expected[:119].rsplit(",", 1)[0] + ", …"
    near = source[max(0, column - 21): column - 1].lstrip()
    return CchcError(f"{where}{f' (after {near!r})' if near else ''}: {expected or 'unexpected text'}")


def _undeclared_prefix(text: str) -> str | None:
    """The prefix rdflib's SPARQL parser finds undeclared ("" for the default prefix), else None."""
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        translateQuery(parseQuery(text))
    except Exception as exc:  # pyparsing's and rdflib's own
        match = re.fullmatch(r"Unknown namespace prefix : (.*)", str(exc))
        if match:
            return "" if match.group(1) == "None" else match.group(1)
    return None


def _first_use(text: str, prefix: str) -> tuple[int, int] | None:
    """(line, column) of the first prefixed name with this prefix, outside strings, IRIs and comments."""
    from .query import _NOT_CODE

    code = _NOT_CODE.sub(lambda m: " " * len(m.group()), text)
    for match in re.finditer(rf"(?<![\w.\-:?$]){re.escape(prefix)}:", code):
        if re.search(r"PREFIX\s+$", code[: match.start()], flags=re.IGNORECASE):
            continue  # the declaration of another name, e.g. `PREFIX a:` when looking for ""
        before = text[: match.start()]
        return before.count("\n") + 1, match.start() - (before.rfind("\n") + 1) + 1
    return None


def check_format(fmt: str | None, is_graph: bool, form: str) -> str:
    """The output format of an answer: the one asked for, if it fits the answer, else a clear error."""
    if fmt is None:
        return "turtle" if is_graph else "table"
    if is_graph and fmt not in GRAPH_FORMATS:
        raise CchcError(f"--format {fmt} is for SELECT and ASK answers; the answer to {form} is a graph: "
                        f"choose --format {', '.join(GRAPH_FORMATS)}")
    ask = "ASK" in form
    tables = [f for f in TABLE_FORMATS if not (ask and f == "xlsx")]  # true or false makes no spreadsheet
    if not is_graph and fmt not in tables:
        what = ("is for SELECT answers" if fmt in TABLE_FORMATS else "is for CONSTRUCT and DESCRIBE answers (graphs)")
        kind = "is true or false" if ask else "is a table"
        raise CchcError(f"--format {fmt} {what}; the answer to {form} {kind}: choose --format {', '.join(tables)}")
    return fmt

