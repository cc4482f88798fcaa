"""The remote step, and the only place that talks to the network, one module per part:

- `http`: requests bounded in time as a whole (one deadline across reads and retries) and in answer size;
- `client`: queries on a SPARQL endpoint, answered as the embedded store's tables of rdflib terms;
- `link`: the plan's legal documents looked up in an ELI law database, written to the link graph;
- `publish`: the built graph into a SPARQL store, all or nothing as a reader sees it;
- `serve`: a local read-only Oxigraph SPARQL server over the built graph.

Every failure raises RemoteError naming the endpoint and what failed. The names other code imports from
`cchc_graph.remote` are exported here. Settings (BACKOFF, MAX_ANSWER_BYTES) live in `remote.http`.
"""

from __future__ import annotations

from . import http
from .http import (  # noqa: F401
    AnswerTooLarge, BACKOFF, DEFAULT_RETRIES, DEFAULT_TIMEOUT, DeadlinePassed, MAX_ANSWER_BYTES, USER_AGENT, _request, _send, check_url,
)
from .client import (  # noqa: F401
    DEFAULT_GRAPH_BASE, GRAPH_ROLES, graph_names, parse_graph, parse_results, published_graphs, run_remote,
)
from .link import (  # noqa: F401
    DEFAULT_BATCH, ELI_RELATIONS, LINKS_GRAPH, Candidate, LinkReport, LocalDocument, decide, link, link_graph, linked_in, local_documents,
)
from .publish import (  # noqa: F401
    LOCK_LEASE, UPDATE_CHUNK, PublishReport, PublishTargets, StoreGraph, _update_requests, local_store_graphs, probe_store, publish, publish_targets,
)
from .serve import (  # noqa: F401
    clean_stale_serve_folders, guard_server, oxigraph_binary, serve, service_clauses, wait_for_port,
)
