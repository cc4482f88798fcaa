"""Content negotiation: which representation an Accept header (or ?format=) asks for."""

from __future__ import annotations

# media type -> our format name
RDF_TYPES = {"text/turtle": "turtle", "application/x-turtle": "turtle", "application/n-triples": "nt",
             "text/plain": "nt", "application/ld+json": "json-ld", "application/json": "json-ld",
             "text/html": "html", "application/xhtml+xml": "html"}
RDF_FORMATS = {"html": "text/html; charset=utf-8", "turtle": "text/turtle; charset=utf-8",
               "nt": "application/n-triples; charset=utf-8", "json-ld": "application/ld+json"}
ANSWER_TYPES = {"application/sparql-results+json": "json", "application/json": "json", "text/csv": "csv",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx"}
ANSWER_FORMATS = {"json": "application/sparql-results+json", "csv": "text/csv; charset=utf-8",
                  "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def parse_accept(header: str) -> list[tuple[str, float]]:
    """Media ranges with their q-values, best first (ties keep the header's order)."""
    ranges = []
    for index, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0]:
            continue
        q = 1.0
        for param in fields[1:]:
            if param.startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        ranges.append((fields[0].lower(), q, index))
    return [(media, q) for media, q, _ in sorted(ranges, key=lambda r: (-r[1], r[2])) if q > 0]


def choose(accept: str | None, known: dict[str, str], default: str) -> str | None:
    """The format of the first acceptable media type we serve; `default` for */* or no header; None when
    nothing asked for is served (HTTP 406)."""
    if not accept:
        return default
    for media, _ in parse_accept(accept):
        if media in known:
            return known[media]
        if media in ("*/*", "text/*", "application/*"):
            return default
    return None
