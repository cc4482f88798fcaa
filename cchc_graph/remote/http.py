"""HTTP for the remote step: every request bounded as a whole in time (one deadline across the connection,
the upload, every read and the retries) and its answer in size, with one-line errors naming the endpoint.

Connection errors and HTTP 5xx / 429 answers are tried again a few times with exponential backoff, within
the deadline; other 4xx answers, a deadline passed and an answer too large are not."""

from __future__ import annotations

import http.client
import re
import socket
import time
import urllib.parse
from dataclasses import dataclass
from typing import Iterable

from rdflib import URIRef

from .. import __version__
from ..errors import RemoteError

DEFAULT_TIMEOUT = 30  # seconds, per request (its whole deadline)
DEFAULT_RETRIES = 3  # further attempts after a transient failure
BACKOFF = 0.5  # seconds before the first retry; doubled before each next one
USER_AGENT = f"cchc-graph/{__version__} (+https://w3id.org/cchc-graph)"

_IRI = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:[^\s<>\"{}|\\^`\x00-\x20]*")


# ---------------------------------------------------------------------------------------- requests

def check_url(url: str, role: str = "endpoint") -> str:
    parts = urllib.parse.urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname or not _IRI.fullmatch(url):
        raise RemoteError(f"{role} {url!r} is not an http(s) URL")
    return url


def _check_iri(value: str, what: str) -> URIRef:
    if not _IRI.fullmatch(value or ""):
        raise RemoteError(f"{what} {value!r} is not an IRI")
    return URIRef(value)


def _one_line(data: bytes | str, limit: int = 300) -> str:
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else str(data)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _http_status(code: int, reason: str, body: bytes | str = b"") -> tuple[bool, str]:
    message = f"HTTP {code}" + (f" {reason}" if reason else "")
    detail = _one_line(body)
    if detail:
        message += f": {detail}"
    return code >= 500 or code == 429, message


# A remote request is bounded in time as a whole (connection, upload, every read of the answer, and the
# retries), not per socket read: a server trickling one byte a second never lets a per-read timeout fire.
# Python's HTTP clients (urllib, and SPARQLWrapper over it) only have the per-read one, so each request runs
# on an http.client connection that a timer shuts down when the deadline passes. The answer is read in
# pieces and refused once it is larger than MAX_ANSWER_BYTES, before it fills the memory.
MAX_ANSWER_BYTES = 128 * 2**20
ERROR_BODY_BYTES = 64 * 2**10  # of an HTTP error answer, only the start is shown


@dataclass
class Answer:
    status: int
    reason: str
    content_type: str
    body: bytes


class HttpStatusError(Exception):
    def __init__(self, answer: Answer):
        super().__init__(f"HTTP {answer.status}")
        self.answer = answer


class DeadlinePassed(Exception):
    """The request's --timeout deadline passed before its answer was complete."""


class AnswerTooLarge(Exception):
    """The answer is larger than MAX_ANSWER_BYTES."""


def proxy_for(url: str) -> urllib.parse.SplitResult | None:
    """The proxy the environment names for `url` (http_proxy / https_proxy / no_proxy, read as urllib reads
    them), or None. This machine's own loopback addresses are never proxied: a proxy cannot reach them."""
    import ipaddress
    import urllib.request

    parts = urllib.parse.urlsplit(url)
    proxy = urllib.request.getproxies_environment().get(parts.scheme)
    host = parts.hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not proxy or loopback or urllib.request.proxy_bypass_environment(parts.netloc):
        return None
    found = urllib.parse.urlsplit(proxy if "://" in proxy else "http://" + proxy)
    if found.scheme != "http" or not found.hostname:
        raise RemoteError(f"{parts.scheme}_proxy {proxy!r}: only an http:// proxy is supported; set it to "
                          "http://HOST:PORT, or name this host in no_proxy")
    return found


def _exchange(method: str, url: str, headers: dict[str, str], data: bytes | None, seconds: float,
              limit: int) -> Answer:
    """One HTTP exchange that ends within `seconds`, whatever the server does, with an answer of at most
    `limit` bytes (an error answer is cut instead). Through the environment's proxy when it names one:
    an http URL is asked of the proxy whole, an https one through a CONNECT tunnel."""
    import threading

    if seconds <= 0:
        raise DeadlinePassed()
    end = time.monotonic() + seconds
    parts = urllib.parse.urlsplit(url)
    proxy = proxy_for(url)
    proxy_auth = {}
    if proxy is not None and proxy.username:
        import base64
        secret = f"{urllib.parse.unquote(proxy.username)}:{urllib.parse.unquote(proxy.password or '')}"
        proxy_auth = {"Proxy-Authorization": "Basic " + base64.b64encode(secret.encode()).decode("ascii")}
    host, port = (proxy.hostname, proxy.port or 80) if proxy is not None else (parts.hostname, parts.port)
    target = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
    if parts.scheme == "https":
        import ssl
        connection: http.client.HTTPConnection = http.client.HTTPSConnection(
            host, port, timeout=seconds, context=ssl.create_default_context())
        if proxy is not None:
            connection.set_tunnel(parts.hostname, parts.port, headers=proxy_auth)
    else:
        connection = http.client.HTTPConnection(host, port, timeout=seconds)
        if proxy is not None:  # a proxy is asked for the whole URL
            target = urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))
            headers = {**headers, **proxy_auth}
    expired = threading.Event()

    def expire() -> None:
        expired.set()
        sock = connection.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)  # wakes the reading (or sending) thread at once
            except OSError:
                pass

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()
    response = None
    try:
        connection.request(method, target, body=data, headers=headers)
        response = connection.getresponse()
        failed = response.status >= 400
        cap = ERROR_BODY_BYTES if failed else limit
        declared = response.getheader("Content-Length")
        if not failed and declared and declared.strip().isdigit() and int(declared) > limit:
            raise AnswerTooLarge(f"the answer announces {int(declared):,} bytes")
        body = bytearray()
        while len(body) <= cap:
            piece = response.read1(65536)
            if not piece:
                break
            body += piece
        if expired.is_set():
            raise DeadlinePassed()
        if len(body) > cap:
            if not failed:
                raise AnswerTooLarge(f"more than {limit:,} bytes came")
            del body[cap:]
        elif response.length:  # the connection closed before the announced length came
            raise http.client.IncompleteRead(bytes(body), response.length)
        return Answer(response.status, response.reason or "", response.getheader("Content-Type") or "", bytes(body))
    except (OSError, http.client.HTTPException):
        if expired.is_set() or time.monotonic() >= end - 0.05:  # the socket's own timeout may fire first
            raise DeadlinePassed() from None
        raise
    finally:
        timer.cancel()
        if response is not None:
            response.close()  # its file holds the socket open past connection.close()
        connection.close()


def _explain(exc: BaseException, timeout: float) -> tuple[bool, str]:
    """(transient?, what went wrong) for an exception raised while talking to an endpoint."""
    if isinstance(exc, HttpStatusError):
        return _http_status(exc.answer.status, exc.answer.reason, exc.answer.body)
    if isinstance(exc, DeadlinePassed):
        return False, f"no complete answer within {timeout:g} s (timeout; --timeout bounds the whole request)"
    if isinstance(exc, AnswerTooLarge):
        return False, (f"the answer is too large: {exc}, over the limit of {MAX_ANSWER_BYTES // 2**20} MB "
                       "(ask for less: a narrower query, or a LIMIT)")
    if isinstance(exc, http.client.IncompleteRead):
        return True, (f"connection closed in the middle of the answer ({len(exc.partial):,} bytes came, "
                      f"{exc.expected:,} more announced)")
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return True, f"no answer within {timeout:g} s (timeout)"
    if isinstance(exc, ConnectionRefusedError):
        return True, "connection refused (is the server running, on this port?)"
    if isinstance(exc, socket.gaierror):
        return False, f"cannot send the request: {exc}"
    if isinstance(exc, (ConnectionError, http.client.HTTPException)):
        return True, f"connection broken ({type(exc).__name__}: {exc})"
    if isinstance(exc, OSError):
        return True, f"cannot connect ({exc})"
    return False, f"{type(exc).__name__}: {exc}"


_FAILURES = (OSError, http.client.HTTPException, HttpStatusError, DeadlinePassed, AnswerTooLarge)


def _send(method: str, url: str, *, what: str, endpoint: str | None = None, data: bytes | None = None,
          headers: dict[str, str] | None = None, timeout: float = DEFAULT_TIMEOUT, retries: int = DEFAULT_RETRIES,
          accept: Iterable[int] = ()) -> Answer:
    """An HTTP request, again after a transient failure (connection error, HTTP 5xx or 429) with exponential
    backoff, at most retries + 1 times, all within one deadline of `timeout` seconds. Statuses in `accept`
    are returned, other statuses of 400 and over raised; any failure is a RemoteError naming `endpoint`."""
    headers = {"User-Agent": USER_AGENT, **(headers or {})}
    accepted = set(accept)
    deadline = time.monotonic() + timeout
    attempts = max(0, retries) + 1
    for number in range(1, attempts + 1):
        try:
            answer = _exchange(method, url, headers, data, deadline - time.monotonic(), MAX_ANSWER_BYTES)
            if answer.status >= 400 and answer.status not in accepted:
                raise HttpStatusError(answer)
            return answer
        except _FAILURES as exc:
            transient, reason = _explain(exc, timeout)
            pause = BACKOFF * 2 ** (number - 1)
            late = transient and number < attempts and time.monotonic() + pause >= deadline
            if not transient or number == attempts or late:
                tried = f" (tried {number} times)" if number > 1 else ""
                if late:
                    tried += f"; no time left within --timeout {timeout:g} s to try again"
                proxy = proxy_for(url)
                through = (f" (through the proxy {proxy.hostname}:{proxy.port or 80} of {urllib.parse.urlsplit(url).scheme}"
                           "_proxy; name the host in no_proxy to go direct)") if proxy is not None else ""
                raise RemoteError(f"{endpoint or url}: {what}: {reason}{through}{tried}") from None
            time.sleep(pause)
    raise AssertionError("unreachable")


def _request(method: str, url: str, *, what: str, data: bytes | None = None, content_type: str | None = None,
             timeout: float = DEFAULT_TIMEOUT, retries: int = DEFAULT_RETRIES, accept: Iterable[int] = ()) -> int:
    """An HTTP request (GSP, SPARQL Update); the status code. Statuses in `accept` are returned, not raised."""
    headers = {"Content-Type": content_type} if content_type else {}
    return _send(method, url, what=what, data=data, headers=headers, timeout=timeout, retries=retries,
                 accept=accept).status
