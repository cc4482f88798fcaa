"""Text normalisation at every boundary where text comes in (files, CLI parameters, remote answers)."""

from __future__ import annotations

import functools
import re
import unicodedata

# The longest cell any source may hold: a real cell is under 2,000 characters; the bound keeps every
# parser's time and memory small whatever a file holds.
MAX_CELL = 20_000

# Any whitespace but a line break (tabs, no-break and other Unicode spaces, form feeds of a page break),
# and the zero-width space: one space in a cell.
_SPACES = re.compile(r"(?:[^\S\n]|\u200b)+")
# A document number broken at a hyphen or slash by the PDF's line wrap: "132/KH- UBND", "62/2020/ NĐ-CP".
# Bounded and anchored at the start of a digit run, so a long run of digits is scanned once, not once per
# digit (the unbounded form was quadratic).
_BROKEN_NUMBER = re.compile(r"(?<![\d/])(\d{1,5}/(?:\d{4}/)?[A-ZĐa-zđ0-9]{0,12}[-/]) (?=[A-ZĐ])")


_PUNCT_SPACING = re.compile(r" ?([,;]) ?")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


# Cells repeat across plans (agency names, timeframes, standard tasks) and a cell is cleaned and folded again
# where it is read (citations, agencies): short texts' results are kept, a bounded number per process.
_CACHED_LENGTH = 512


def clean_cell(text: str) -> str:
    """A cell as the table prints it: NFC, each line's spacing collapsed and trimmed, blank lines dropped,
    hyphen-broken document numbers rejoined. Lines are kept: they separate the items of a bulleted cell."""
    return _clean_cell_cached(text) if len(text) <= _CACHED_LENGTH else _clean_cell(text)


def _clean_cell(text: str) -> str:
    lines = (_SPACES.sub(" ", line).strip() for line in nfc(text).replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    return "\n".join(_BROKEN_NUMBER.sub(r"\1", line) for line in lines if line)


def fold(text: str) -> str:
    """Key for matching names: NFC, case-folded, one space between words, no spaces around punctuation."""
    return _fold_cached(text) if len(text) <= _CACHED_LENGTH else _fold(text)


def _fold(text: str) -> str:
    # str.split() drops every kind of whitespace, so the pattern below meets single spaces only: linear.
    text = " ".join(nfc(text).split()).casefold()
    return _PUNCT_SPACING.sub(r"\1 ", text).strip()


_clean_cell_cached = functools.lru_cache(maxsize=1 << 14)(_clean_cell)
_fold_cached = functools.lru_cache(maxsize=1 << 14)(_fold)


def ascii_slug(text: str) -> str:
    """An IRI-safe slug: 'NĐ-CP' -> 'nd-cp', 'Sở Tư pháp' -> 'so-tu-phap'."""
    text = nfc(text).replace("Đ", "D").replace("đ", "d")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


# A comma or semicolon that is not written "word, word": preceded by a space, or not followed by one space
# and a word (fold_with_positions then moves or adds spaces).
_PUNCT_NOT_PLAIN = re.compile(r" [,;]|[,;](?! [^\s,;])")
_PUNCT = re.compile(r"[,;]")


def fold_with_positions(text: str) -> tuple[str, list[int]]:
    """`fold(text)` for a single-line text, with, for each character of the result, its index in `text`,
    so that a match found in the folded form can be cut verbatim out of the original."""
    # Most cells are already spaced as folding spaces them (a cleaned cell): then only the case changes, and
    # the space after a comma stands for the comma, as below. Checked with C-level string operations, which
    # is several times quicker than the loop (a test compares both on random text).
    if not _PUNCT_NOT_PLAIN.search(text) and " ".join(text.split()) == text:
        folded = text.casefold()
        if len(folded) == len(text):  # every character folds to one character
            positions = list(range(len(text)))
            for match in _PUNCT.finditer(text):
                positions[match.start() + 1] = match.start()
            return folded, positions
    return _fold_with_positions(text)


def _fold_with_positions(text: str) -> tuple[str, list[int]]:
    """`fold_with_positions`, character by character: for any text."""
    out: list[str] = []
    positions: list[int] = []
    for index, char in enumerate(text):
        if char.isspace():
            if not out or out[-1] == " ":
                continue
            out.append(" ")
            positions.append(index)
            continue
        if char in ",;" and out and out[-1] == " ":
            out.pop()
            positions.pop()
        out.append(char.casefold() if len(char.casefold()) == 1 else char)
        positions.append(index)
        if char in ",;":
            out.append(" ")
            positions.append(index)
    while out and out[-1] == " ":
        out.pop()
        positions.pop()
    return "".join(out), positions
