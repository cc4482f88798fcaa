"""Matching names and numbers as people type them: one resolver for every place a name comes in (query
parameters, the agency registry's suggestions, later the web search and import).

Keys, from strict to loose; the first level that matches anything decides:
1. `fold`: NFC, case and spacing folded (text.fold) — the exact match;
2. `loose_key`: also the old and new tone placement made one ("Uỷ"/"Ủy", "hoà"/"hòa", "thuý"/"thúy"), "Ð"
   (U+00D0, the Icelandic eth that looks like "Đ") read as "Đ", and the abbreviations people write
   ("UBND", "HĐND", "KH", "QĐ", "NQ", "NĐ", "TTg") expanded, on both sides, so "UBND cấp huyện" meets
   "Ủy ban nhân dân cấp huyện";
3. `bare_key`: the loose key without diacritics ("So Noi vu" meets "Sở Nội vụ", "ND-CP" meets "NĐ-CP").
A fallback match (level 2 or 3) that names several things is refused with the candidates, never picked
from; no match at all is refused with the closest names ("did you mean").
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from functools import lru_cache
from typing import Callable, Hashable, Iterable, Mapping, Sequence, TypeVar

from .errors import CchcError
from .text import fold

T = TypeVar("T", bound=Hashable)

_TONES = ("\u0300", "\u0301", "\u0309", "\u0303", "\u0323")  # huyền, sắc, hỏi, ngã, nặng


def _tone_pairs() -> dict[str, str]:
    """For the vowel pairs whose tone mark sits on either vowel depending on the spelling style ("oà"/"òa",
    "uỷ"/"ủy"): the mark on the second vowel -> the mark on the first. Both sides of a comparison go through
    the same map, so which form is canonical does not matter; the first-vowel form is the registry's ("Ủy ban")."""
    pairs = {}
    for first, second in (("o", "a"), ("o", "e"), ("u", "y")):
        for tone in _TONES:
            on_second = first + unicodedata.normalize("NFC", second + tone)
            on_first = unicodedata.normalize("NFC", first + tone) + second
            pairs[on_second] = on_first
    return pairs


TONE_PAIRS = _tone_pairs()
_TONE_RE = re.compile("|".join(map(re.escape, TONE_PAIRS)))
# "Ð" (U+00D0) casefolds to "ð" (U+00F0): both stand for "đ" in text typed on a non-Vietnamese layout.
_ETH = str.maketrans({"ð": "đ", "Ð": "đ", "Đ": "đ"})

# Abbreviations people write for the words of a name, by folded form; a `d` may stand for `đ`.
ABBREVIATIONS = {
    "ubnd": "ủy ban nhân dân",
    "hđnd": "hội đồng nhân dân",
    "kh": "kế hoạch",
    "qđ": "quyết định",
    "nq": "nghị quyết",
    "nđ": "nghị định",
    "ttg": "thủ tướng chính phủ",
}
_ABBREVIATION_RE = re.compile(r"(?<!\w)(" + "|".join(re.escape(a).replace("đ", "[đd]") for a in ABBREVIATIONS)
                              + r")(?!\w)")
_EXPANSIONS = {abbreviation.replace("đ", "d"): words for abbreviation, words in ABBREVIATIONS.items()}


def spelling_key(text: str) -> str:
    """A folded text (`fold`) with the tone placement made one and "Ð" read as "đ". It keeps the length
    character for character, so a match in it can be cut out of the original (agencies.Registry does)."""
    return _TONE_RE.sub(lambda m: TONE_PAIRS[m.group()], text.translate(_ETH))


def loose_key(text: str) -> str:
    """Level 2: the spelling key with the abbreviations expanded."""
    expanded = _ABBREVIATION_RE.sub(lambda m: _EXPANSIONS[m.group().replace("đ", "d")], fold(text).translate(_ETH))
    return spelling_key(expanded)  # after expanding: "kế hoạch" has a tone pair too


def strip_marks(text: str) -> str:
    """Without diacritics: 'đ' -> 'd', every combining mark dropped."""
    text = unicodedata.normalize("NFKD", text.translate(_ETH).replace("đ", "d"))
    return unicodedata.normalize("NFC", "".join(c for c in text if not unicodedata.combining(c)))


def bare_key(text: str) -> str:
    """Level 3: the loose key without diacritics or case."""
    return strip_marks(loose_key(text))


LEVELS = (fold, loose_key, bare_key)


class MatchError(CchcError):
    """A name that matches nothing, or, by a fallback, several things. The message does not repeat the
    value: the caller says where it came from ("parameter agency='…': …")."""


@lru_cache(maxsize=1 << 16)
def _key_of(key: Callable[[str], str], spelling: str) -> str:
    """`key(spelling)`, remembered: every agency parameter is matched against the same 6,000 names and
    aliases, whose folding took a sixth of a second per query."""
    return key(spelling)


def resolve(value: str, candidates: Iterable[tuple[str, T]], *, not_found: str, lister: str,
            levels: Sequence[Callable[[str], str]] = LEVELS, valid: Sequence[str] | None = None,
            labels: Mapping[T, str] | None = None) -> list[T]:
    """The targets named by `value` among `candidates` (spelling, target) pairs.

    At the exact level every target of the matching spellings is returned (a spelling may name several:
    an alias for two groups, "62/2020" for every 62/2020 document). At a fallback level the matching
    spellings must all name the same targets, or the match is ambiguous: a MatchError listing them. With no
    match, a MatchError "`not_found`; did you mean '…' or '…'? " followed by the `valid` values when there are
    a few, else "`lister` lists them". `labels` names a target in suggestions (else its closest spelling)."""
    candidates = list(candidates)
    for index, key in enumerate(levels):
        wanted = key(value)
        matched: dict[str, set[T]] = {}
        for spelling, target in candidates:
            if _key_of(key, spelling) == wanted:
                matched.setdefault(spelling, set()).add(target)
        if not matched:
            continue
        if index and len({frozenset(targets) for targets in matched.values()}) > 1:
            raise MatchError(f"ambiguous: it could be {_quoted(sorted(matched))}; give one of them as written")
        return sorted({t for targets in matched.values() for t in targets}, key=str)
    hint = did_you_mean(value, candidates, key=levels[-1], labels=labels)
    if valid is not None and len(valid) <= MAX_LISTED:
        raise MatchError(f"{not_found}; {hint}valid: {', '.join(valid)}")
    raise MatchError(f"{not_found}; {hint}{lister} lists them")


MAX_LISTED = 12  # valid values listed in an error, beyond which it names the query that lists them
CUTOFF = 0.7  # difflib ratio for "did you mean": 0.6 offered "HĐND tỉnh" for "Công an tỉnh"


def closest(value: str, candidates: Iterable[tuple[str, T]], count: int = 5,
            key: Callable[[str], str] = bare_key, labels: Mapping[T, str] | None = None) -> list[str]:
    """The names closest to `value` by `key` (difflib's ratio, at least CUTOFF), one per target: its label, or
    its spelling closest to `value`."""
    by_key: dict[str, list[tuple[str, T]]] = {}
    for spelling, target in candidates:
        by_key.setdefault(key(spelling), []).append((spelling, target))
    if not by_key:  # nothing to suggest from (an empty graph, a store without plans)
        return []
    found: list[str] = []
    seen: set = set()
    for near in difflib.get_close_matches(key(value), list(by_key), n=len(by_key), cutoff=CUTOFF):
        for spelling, target in by_key[near]:
            name = labels[target] if labels and target in labels else spelling
            # One suggestion per name: bodies of several provinces share it ("Sở Nội vụ").
            if target not in seen and name not in found and len(found) < count:
                seen.add(target)
                found.append(name)
    return found


def did_you_mean(value: str, candidates: Iterable[tuple[str, T]], count: int = 5,
                 key: Callable[[str], str] = bare_key, labels: Mapping[T, str] | None = None) -> str:
    """"did you mean 'A' or 'B'? " (with its trailing space), or nothing when no name is close."""
    names = closest(value, candidates, count, key, labels)
    return f"did you mean {_quoted(names)}? " if names else ""


def _quoted(names: Sequence[str]) -> str:
    quoted = [f"'{n}'" for n in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]
