"""The SPARQL page's ad hoc queries: read-only (SELECT or ASK, parsed before anything runs), no SERVICE (the
server never calls out), one at a time, within a time limit and an answer-size limit."""

from __future__ import annotations

import asyncio
import threading

from ..errors import CchcError
from ..render import Table

TIME_LIMIT = 10.0  # seconds
MAX_ROWS = 10_000
_running = threading.Semaphore(1)


class AdHocError(CchcError):
    """A query the SPARQL page does not run, or one that failed."""


def check(text: str) -> None:
    """Refuse anything but a SELECT or ASK query, and SERVICE anywhere in it."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        parsed = parseQuery(text)
    except ParseException as exc:
        raise AdHocError(f"not a SPARQL query this page runs (SELECT or ASK; updates are refused): {exc}") from None
    kind = parsed[1].name
    if kind not in ("SelectQuery", "AskQuery"):
        raise AdHocError(f"only SELECT and ASK queries are run here, not {kind.removesuffix('Query').upper()}")
    if _mentions(parsed, "ServiceGraphPattern"):
        raise AdHocError("SERVICE is refused: this server never queries other endpoints")


def _mentions(node, name: str) -> bool:
    """Whether the parse tree (rdflib's CompValue dicts in pyparsing's ParseResults) has a `name` node."""
    from pyparsing import ParseResults

    if getattr(node, "name", None) == name:
        return True
    if isinstance(node, dict):
        return any(_mentions(value, name) for value in node.values())
    if isinstance(node, (list, tuple, ParseResults)):
        return any(_mentions(value, name) for value in node)
    return False


async def run_adhoc(site, text: str, time_limit: float = TIME_LIMIT) -> Table:
    check(text)
    if not _running.acquire(blocking=False):
        raise AdHocError("another ad hoc query is running; try again in a few seconds")

    def work() -> Table:
        try:
            return site.execute(text)
        finally:
            _running.release()  # only when the query has really finished, even if its visitor has gone

    try:
        table = await asyncio.wait_for(asyncio.get_running_loop().run_in_executor(None, work), time_limit)
    except asyncio.TimeoutError:
        raise AdHocError(f"the query took longer than {time_limit:g} s and was abandoned; narrow it down") from None
    except CchcError as exc:
        raise AdHocError(str(exc)) from None
    if len(table.rows) > MAX_ROWS:
        raise AdHocError(f"the answer has {len(table.rows)} lines, more than {MAX_ROWS}; add a LIMIT (and OFFSET "
                         "to page through it)")
    return table
