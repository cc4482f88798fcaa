"""A throwaway Virtuoso open source server on 127.0.0.1 (Debian package virtuoso-opensource): its own database
folder and ini, its own ports, started in the foreground as a child process and stopped by its process id.
Used by tests/test_virtuoso.py and benchmarks/run.py; the README's "Moving to Virtuoso" runs the same steps.

    server = VirtuosoServer(folder)   # starts it, grants SPARQL_UPDATE to the SPARQL user
    server.sparql                     # http://127.0.0.1:PORT/sparql (queries and SPARQL Update)
    server.crud                       # http://127.0.0.1:PORT/sparql-graph-crud (Graph Store Protocol)
    server.stop()
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from tests.processes import stop_process

HOST = "127.0.0.1"
SERVER = "virtuoso-t"
ISQL = "isql-vt"
PACKAGE = "virtuoso-opensource"


def installed() -> bool:
    return shutil.which(SERVER) is not None and shutil.which(ISQL) is not None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


# Bytes one transaction may log. The stock 50 MB stops publish's final switch of a 630-plan corpus (1.45 M
# triples copied into place in one transaction: Virtuoso's error SR325).
TRANSACTION_LIMIT = 2_000_000_000


def ini_text(folder: Path, sql_port: int, http_port: int, transaction_limit: int = TRANSACTION_LIMIT) -> str:
    """The smallest ini that runs: files in `folder`, SQL and HTTP on 127.0.0.1 only, no plugins,
    SPARQL answers not cut at the stock 10,000 rows (a corpus export is longer), and a transaction as large
    as a corpus's publish. Threads per query as in the stock ini."""
    db = folder / "virtuoso"
    return f"""[Database]
DatabaseFile = {db}.db
ErrorLogFile = {db}.log
LockFile = {db}.lck
TransactionFile = {db}.trx
xa_persistent_file = {db}.pxa
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {db}-temp.db
TransactionFile = {db}-temp.trx

[Parameters]
ServerPort = {HOST}:{sql_port}
DisableUnixSocket = 1
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
DirsAllowed = ., {folder}
CheckpointInterval = 0
ThreadsPerQuery = 4
TransactionAfterImageLimit = {transaction_limit}

[HTTPServer]
ServerPort = {HOST}:{http_port}
ServerThreads = 4
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = 10000000
MaxQueryExecutionTime = 600
MaxQueryCostEstimationTime = 0
"""


class VirtuosoServer:
    """Virtuoso on free ports of 127.0.0.1 with a new database in `folder`."""

    def __init__(self, folder: Path, timeout: float = 120, transaction_limit: int = TRANSACTION_LIMIT):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.sql_port, self.http_port = free_port(), free_port()
        ini = self.folder / "virtuoso.ini"
        ini.write_text(ini_text(self.folder, self.sql_port, self.http_port, transaction_limit), encoding="utf-8")
        self.log = (self.folder / "server.out").open("wb")
        self.process = subprocess.Popen([SERVER, "+configfile", str(ini), "+foreground"], cwd=self.folder,
                                        stdout=self.log, stderr=subprocess.STDOUT)
        self.base = f"http://{HOST}:{self.http_port}"
        self.sparql = self.base + "/sparql"
        self.crud = self.base + "/sparql-graph-crud"
        try:
            self._wait(timeout)
            # The SPARQL user may read but not write until granted; the Graph Store Protocol and SPARQL
            # Update on /sparql both run as that user.
            self.isql('grant SPARQL_UPDATE to "SPARQL";')
        except BaseException:
            self.stop()
            raise

    def _wait(self, timeout: float) -> None:
        """Until the SPARQL endpoint answers (a new database takes a few seconds to initialise)."""
        deadline = time.monotonic() + timeout
        probe = self.sparql + "?" + urllib.parse.urlencode({"query": "ASK {}"})
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"virtuoso-t stopped (exit code {self.process.returncode}): {self.log_tail()}")
            try:
                with urllib.request.urlopen(probe, timeout=2) as response:
                    if response.status == 200:
                        return
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(0.2)
        raise RuntimeError(f"virtuoso-t did not answer on {self.sparql} within {timeout:g} s: {self.log_tail()}")

    def isql(self, statement: str) -> str:
        done = subprocess.run([ISQL, f"{HOST}:{self.sql_port}", "dba", "dba", f"exec={statement}"],
                              capture_output=True, text=True, timeout=60)
        if done.returncode != 0 or "Error" in done.stdout:
            raise RuntimeError(f"isql-vt {statement!r} failed: {done.stdout}{done.stderr}")
        return done.stdout

    def log_tail(self, lines: int = 15) -> str:
        texts = []
        for path in (self.folder / "virtuoso.log", self.folder / "server.out"):
            if path.exists():
                texts += path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
        return "\n".join(texts)

    def stop(self) -> None:
        stop_process(self.process, timeout=30)
        self.log.close()
