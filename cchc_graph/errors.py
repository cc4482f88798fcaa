"""Errors users see. Every input error names the file, the row (when there is one) and the reason."""

from __future__ import annotations

from pathlib import Path


class CchcError(Exception):
    """Any error that ends a command with exit code 2."""


class SourceError(CchcError):
    """Bad input in a source file: says which file, which row and why."""

    def __init__(self, file: Path | str, reason: str, row: str | int | None = None, column: str | None = None):
        self.file, self.reason, self.row, self.column = str(file), reason, row, column
        where = self.file
        if row is not None:
            where += f": row {row}"
        if column:
            where += f": column {column}"
        super().__init__(f"{where}: {reason}")

    def __reduce__(self):  # raised in a build worker process, re-raised in the parent
        return (SourceError, (self.file, self.reason, self.row, self.column))


class RemoteError(CchcError):
    """A remote SPARQL endpoint failed; nothing local was changed."""
