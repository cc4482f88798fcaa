"""The one search box: agencies, legal documents, row cells and products, matched with or without
diacritics, through the keys of `names` (case, tone placement, abbreviations, then the marks dropped)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..names import loose_key, strip_marks
from ..text import fold, nfc

KIND_RANK = {"agency": 0, "document": 1, "row": 2, "product": 3}
LIMIT = 100


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


def bare_words(text: str) -> list[str]:
    """The words of a text without case, tone-placement, abbreviation or diacritic differences."""
    return words(strip_marks(loose_key(text)))


@dataclass(frozen=True)
class Entry:
    node: str
    kind: str  # agency, document, row, product
    text: str
    label: str
    plan_id: str
    bare: str  # " word word … " — the bare words, spaced, for phrase matching
    marked: str  # the folded text with its diacritics, for ranking exact spellings first
    uses: int = 0  # rows naming this agency: of two bodies of one name, the one the plans name first


@dataclass(frozen=True)
class Hit:
    node: str
    kind: str
    label: str
    text: str
    plan_id: str
    score: float
    uses: int = 0


class SearchIndex:
    def __init__(self, rows: list[dict]):
        self.entries = [Entry(str(r["node"]), str(r["kind"]), str(r["text"]), str(r["label"]),
                              str(r.get("plan_id") or ""), " " + " ".join(bare_words(str(r["text"]))) + " ",
                              fold(str(r["text"])), int(r.get("uses") or 0))
                        for r in rows]

    def search(self, query: str, limit: int = LIMIT) -> list[Hit]:
        """Ranked hits, one per node: the whole phrase before all of its words, a name equal to the query
        first, the spelling as typed (with its diacritics) before a match without them, agencies before
        documents before rows; of equally good hits, the agency named in more rows first."""
        query = nfc(query).strip()
        tokens = bare_words(query)
        if not tokens:
            return []
        phrase, marked = " " + " ".join(tokens) + " ", fold(query)
        best: dict[str, Hit] = {}
        for entry in self.entries:
            if phrase in entry.bare:
                score = 3.0 + (2.0 if entry.bare == phrase else 0.0)
            elif all(f" {token} " in entry.bare for token in tokens):
                score = 2.0
            else:
                continue
            score += 2.5 if marked in entry.marked else 0.0  # typed with its diacritics: those spellings first
            score -= KIND_RANK[entry.kind] * 0.1
            current = best.get(entry.node)
            if current is None or score > current.score:
                best[entry.node] = Hit(entry.node, entry.kind, entry.label, entry.text, entry.plan_id, score,
                                       entry.uses)
        hits = sorted(best.values(), key=lambda h: (-h.score, KIND_RANK[h.kind], -h.uses, h.plan_id, h.label))
        return hits[:limit]
