"""`cchc-graph web`: server-rendered pages and an HTTP API over the embedded store (Starlette + Jinja2).

The pages and the API call what the command line calls: saved queries through `query.run_saved` (the same
parameter checking and binding), answers through `render`, names through `names`, findings through
`validate`. No SPARQL text lives here; what the pages need is in queries/*.rq.
"""
