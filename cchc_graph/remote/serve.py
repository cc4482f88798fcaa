"""`serve`: a local, read-only Oxigraph SPARQL server over the built graph, behind a guard that refuses
SERVICE; the server dies with `serve`, and its temporary store does not outlive the next `serve`."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path
from typing import Callable

from ..errors import CchcError
from .client import GRAPH_ROLES
from .http import _one_line
from .publish import local_store_graphs


def oxigraph_binary() -> str:
    """The `oxigraph` server command (PyPI package `oxigraph`): beside this Python first, then on PATH."""
    beside = Path(sys.executable).parent / ("oxigraph.exe" if os.name == "nt" else "oxigraph")
    if beside.exists():
        return str(beside)
    found = shutil.which("oxigraph")
    if not found:
        raise CchcError("the Oxigraph server is not installed: pip install oxigraph")
    return found


def _host_port(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def wait_for_port(host: str, port: int, process: subprocess.Popen | None = None, timeout: float = 60) -> None:
    """Until something accepts connections on host:port (or the process ends, or time runs out)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise CchcError(f"the Oxigraph server stopped (exit code {process.returncode}) before it listened on "
                            f"{_host_port(host, port)}: is the port taken? (see its message above)")
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise CchcError(f"the Oxigraph server did not listen on {_host_port(host, port)} within {timeout:g} s")


def service_clauses(text: str) -> bool:
    """Whether a query would call another endpoint (a SERVICE clause). Parsed with rdflib's parser, so the
    word in a string or an IRI is not one; a query rdflib cannot parse is taken to have one if the word
    SERVICE appears in it at all (refusing a rare valid query is safer than fetching for a stranger)."""
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        tree = parseQuery(text)
    except Exception:  # pyparsing's and rdflib's own parse errors
        return re.search(r"(?i)\bservice\b", text) is not None
    todo = [tree]
    while todo:
        node = todo.pop()
        if getattr(node, "name", None) == "ServiceGraphPattern":
            return True
        if isinstance(node, dict):
            todo.extend(node.values())
        elif isinstance(node, (list, tuple)) or type(node).__name__ == "ParseResults":
            todo.extend(node)
    return False


SERVICE_REFUSED = ("cchc-graph serve refuses SERVICE clauses: a federated query would make this server fetch from "
                   "other addresses for whoever can reach it. Query the other endpoint yourself.\n")
_HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
               "transfer-encoding", "upgrade", "content-length", "host"}


def _query_of(method: str, target: str, content_type: str, body: bytes) -> str | None:
    """The query text a SPARQL Protocol request carries (GET ?query=, POST form or POST sparql-query)."""
    texts = urllib.parse.parse_qs(urllib.parse.urlsplit(target).query).get("query", [])
    kind = content_type.split(";")[0].strip().lower()
    if method == "POST" and kind == "application/x-www-form-urlencoded":
        texts += urllib.parse.parse_qs(body.decode("utf-8", "replace")).get("query", [])
    elif method == "POST" and kind == "application/sparql-query":
        texts.append(body.decode("utf-8", "replace"))
    return "\n".join(texts) if texts else None


def guard_server(host: str, port: int, upstream_address: tuple[str, int]):
    """The HTTP server `serve` puts in front of Oxigraph (which has no option to turn federation off): it
    refuses a query with a SERVICE clause (403) and passes everything else to the Oxigraph server listening
    on 127.0.0.1 only. Raises OSError when host:port cannot be bound."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Guard(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length > 0 else b""
            query = _query_of(self.command, self.path, self.headers.get("Content-Type", ""), body)
            if query is not None and service_clauses(query):
                self.answer(403, "Forbidden", {"Content-Type": "text/plain; charset=utf-8"}, SERVICE_REFUSED.encode())
                return
            headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
            connection = http.client.HTTPConnection(*self.server.upstream, timeout=300)
            try:
                connection.request(self.command, self.path, body=body or None, headers=headers)
                response = connection.getresponse()
                data = response.read()
                kept = {k: v for k, v in response.getheaders() if k.lower() not in _HOP_BY_HOP}
                self.answer(response.status, response.reason, kept, data)
            except (OSError, http.client.HTTPException) as exc:
                self.answer(502, "Bad Gateway", {"Content-Type": "text/plain"}, f"Oxigraph: {exc}\n".encode())
            finally:
                connection.close()

        def answer(self, status: int, reason: str, headers: dict, data: bytes) -> None:
            self.send_response(status, reason)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_OPTIONS = do_PATCH = forward

        def log_message(self, *args) -> None:  # quiet, as the Oxigraph server is
            pass

    family = socket.AF_INET6 if ":" in host else socket.AF_INET

    class Server(ThreadingHTTPServer):
        address_family = family
        daemon_threads = True
        upstream = upstream_address

    return Server((host, port), Guard)


def _die_with_parent() -> None:
    """In the Oxigraph child, before exec: the kernel kills it when `serve` dies, even by kill -9 (Linux)."""
    import ctypes

    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


SERVE_PREFIX = "cchc-graph-serve-"


def clean_stale_serve_folders(folder: Path | None = None) -> list[Path]:
    """Remove the temporary stores of `serve` runs that died without cleaning up (kill -9): each folder is
    named after its serve's process id, removed when no such process is alive. The folders removed."""
    removed = []
    for path in Path(folder or tempfile.gettempdir()).glob(SERVE_PREFIX + "*"):
        match = re.fullmatch(re.escape(SERVE_PREFIX) + r"(\d+)-.*", path.name)
        if not match or not path.is_dir() or path.stat().st_uid != os.getuid():
            continue
        try:
            os.kill(int(match.group(1)), 0)
            continue  # its serve is still running
        except ProcessLookupError:
            pass
        except PermissionError:
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


def _free_local_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _bind_error(host: str, port: int, exc: OSError) -> CchcError:
    import errno

    where = _host_port(host, port)
    if exc.errno == errno.EADDRINUSE:
        return CchcError(f"cannot listen on {where}: is the port taken? (choose another with --port)")
    if exc.errno == errno.EADDRNOTAVAIL:
        return CchcError(f"cannot listen on {where}: {host} is not an address of this machine (use 127.0.0.1, "
                         "0.0.0.0 for every address, or one of this machine's addresses)")
    if exc.errno == errno.EACCES:
        return CchcError(f"cannot listen on {where}: permission denied (ports below 1024 need privileges; "
                         "choose another with --port)")
    return CchcError(f"cannot listen on {where}: {exc.strerror or exc}")


def serve(graph_path: Path, *, host: str = "127.0.0.1", port: int = 7878, reasoning: bool = True,
          cors: bool = False, echo: Callable[[str], None] = print) -> int:
    """Load the graphs `query` runs on (each in its named graph, the default graph their union) into a
    temporary Oxigraph store and serve it read-only, in the foreground, until interrupted (Ctrl-C or
    SIGTERM). The Oxigraph server listens on 127.0.0.1 only, behind `guard_server` (no SERVICE), and dies
    with this process; its store is removed on exit, or by the next `serve` after a kill -9. Returns the
    server's exit code (0 after an interruption)."""
    import threading

    binary = oxigraph_binary()
    clean_stale_serve_folders()
    try:
        guard = guard_server(host, port, ("127.0.0.1", 0))
    except OSError as exc:
        raise _bind_error(host, port, exc) from None
    except socket.gaierror as exc:
        raise CchcError(f"cannot listen on {_host_port(host, port)}: {exc.strerror or exc}") from None
    import pyoxigraph

    try:
        from ..ondisk import is_store, store_manifest

        dataset, local = local_store_graphs(Path(graph_path), reasoning)
        roles = [role for role in GRAPH_ROLES if local[role] is not None]
        # An on-disk store with one asserted graph is served where it is, not copied. A store of plan graphs is
        # served by role (asserted, ontology, inferred, links), the graphs `query --endpoint` asks for.
        served_as_is = is_store(graph_path) and reasoning and store_manifest(graph_path).get("format") == 1
        with tempfile.TemporaryDirectory(prefix=f"{SERVE_PREFIX}{os.getpid()}-") as folder:
            data, store = Path(folder) / "graphs.nq", Path(folder) / "store"
            if served_as_is:
                store = Path(graph_path)
                del dataset, local  # the server opens the store itself
            else:
                dataset.store.dump(str(data), format=pyoxigraph.RdfFormat.N_QUADS)
                loaded = subprocess.run([binary, "load", "--location", str(store), "--file", str(data)],
                                        capture_output=True, text=True)
                if loaded.returncode != 0:
                    raise CchcError(f"oxigraph load failed: {_one_line(loaded.stderr or loaded.stdout, 500)}")
                data.unlink()
            inner = _free_local_port()
            command = [binary, "serve-read-only", "--location", str(store), "--bind", f"127.0.0.1:{inner}",
                       "--union-default-graph"] + (["--cors"] if cors else [])
            previous = signal.getsignal(signal.SIGTERM)

            def interrupted(signum, frame):  # noqa: ARG001 - signal handler signature
                raise KeyboardInterrupt

            process = subprocess.Popen(command, preexec_fn=_die_with_parent if sys.platform == "linux" else None)
            thread = None
            try:
                signal.signal(signal.SIGTERM, interrupted)
                wait_for_port("127.0.0.1", inner, process)
                guard.upstream = ("127.0.0.1", inner)
                thread = threading.Thread(target=guard.serve_forever, daemon=True)
                thread.start()
                url = f"http://{_host_port(host, port)}"
                echo(f"SPARQL endpoint: {url}/query (read-only, no SERVICE; default graph = union of "
                     f"{', '.join(roles)})")
                echo(f"query editor:    {url}/")
                echo("stop with Ctrl-C")
                code = process.wait()
                if code != 0:
                    raise CchcError(f"the Oxigraph server stopped with exit code {code} (see its message above)")
                return code
            except KeyboardInterrupt:
                return 0
            finally:
                signal.signal(signal.SIGTERM, previous)
                if thread is not None:
                    guard.shutdown()
                if process.poll() is None:
                    process.terminate()
                    try:
                        process.wait(timeout=10)
                    except subprocess.TimeoutExpired:
                        process.kill()
                        process.wait()
    finally:
        guard.server_close()
