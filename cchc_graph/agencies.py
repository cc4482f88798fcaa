"""The agency registry and the resolution of lead / coordinator cells to registry nodes.

A cell names one or more agencies or groups, separated by commas, semicolons, 'và' or bullets, and a
name may itself contain commas ('Các sở, ban, ngành'). So a cell is not split first: the longest known
spelling is matched at each place, and whatever lies between matches must be a separator. Anything else is
an unknown agency and fails the build, naming the row and the closest registry names.

Spellings are compared by `names.spelling_key`: besides Unicode form, case and spacing, the old and new tone
placement ("Uỷ ban" / "Ủy ban") and "Ð" (U+00D0) for "Đ" are the same spelling — the plan itself prints both
placements. Nothing looser is accepted in a build (no diacritic-free or abbreviated names): the build must
not start taking a name it does not know. `Registry.lookup` is the forgiving resolver for one name typed by
a person (query parameters, import), with the same levels as every other parameter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .csvfile import read_rows
from .errors import SourceError
from .names import did_you_mean, resolve, spelling_key
from .text import clean_cell, fold, fold_with_positions

AGENCY_COLUMNS = ("id", "kind", "name_vi", "name_en", "aliases", "member_of", "source")
ALIAS_COLUMNS = ("alias", "agencies", "note")
KINDS = ("agency", "group")

# What may stand between two names in a cell: punctuation, bullets, 'và' (and).
_SEPARATOR = re.compile(r"^(?:[\s,;.:+\-–]|\bvà\b)*$")


@dataclass(frozen=True)
class Agency:
    id: str
    kind: str  # "agency" or "group"
    name_vi: str
    name_en: str
    aliases: tuple[str, ...]
    member_of: tuple[str, ...]  # ids of the groups this agency (or group) belongs to
    source: str


class UnknownAgency(LookupError):
    """A part of a cell that names no agency; `hint` is "did you mean '…'?" (or empty)."""

    def __init__(self, name: str, hint: str):
        self.name, self.hint = name, hint
        super().__init__(f"unknown agency {name!r}")


@dataclass(frozen=True)
class Mention:
    text: str  # verbatim, as written in the cell
    agency_ids: tuple[str, ...]


@dataclass
class Registry:
    agencies: dict[str, Agency]
    spellings: dict[str, tuple[str, ...]] = field(default_factory=dict)  # spelling key -> agency ids
    _pattern: re.Pattern | None = None
    written: dict[str, str] = field(default_factory=dict)  # spelling key -> the spelling as the registry writes it

    def resolve(self, cell: str) -> list[Mention]:
        """Mentions of a cell in order; raises LookupError naming the part that matches nothing."""
        mentions, unknown = self.scan(cell)
        if unknown:
            names = [(spelling, agency_id) for spelling, agency_id in self.candidates() if spelling != agency_id]
            raise UnknownAgency(unknown[0], did_you_mean(unknown[0], names).strip())
        return mentions

    def scan(self, cell: str) -> tuple[list[Mention], list[str]]:
        """The mentions of a cell in order, and every part between them that is no separator (unknown names)."""
        text = clean_cell(cell).replace("\n", " ")
        folded, positions = fold_with_positions(text)
        folded = spelling_key(folded)  # the same length: `positions` still holds
        mentions: list[Mention] = []
        unknown: list[str] = []
        pos = 0
        for match in self.pattern.finditer(folded):
            start, end = positions[match.start()], positions[match.end() - 1] + 1
            unknown += self._unknown(text[pos:start])
            mentions.append(Mention(text[start:end], self.spellings[match.group(0)]))
            pos = end
        unknown += self._unknown(text[pos:])
        return mentions, unknown

    @staticmethod
    def _unknown(gap: str) -> list[str]:
        return [] if _SEPARATOR.match(fold(gap)) else [gap.strip(" ,;.-+")]

    def candidates(self) -> list[tuple[str, str]]:
        """(spelling, agency id) of every name, alias and id, for the forgiving resolver."""
        pairs = [(self.written.get(key, key), agency_id) for key, ids in self.spellings.items() for agency_id in ids]
        return sorted(set(pairs + [(a.id, a.id) for a in self.agencies.values()]))

    def lookup(self, name: str) -> list[str]:
        """The agency ids one name typed by a person stands for: exact, then with the tone placement made one,
        then without diacritics, abbreviations expanded (names.resolve); a names.MatchError when it is
        ambiguous or names nothing (with the closest names)."""
        return resolve(name, self.candidates(), not_found="no agency or group of the registry has this name, alias or id",
                       lister="data/agencies.csv")

    @property
    def pattern(self) -> re.Pattern:
        if self._pattern is None:
            # Longest spelling first, so 'ubnd cấp huyện, cấp xã' wins over 'ubnd cấp huyện'.
            names = sorted(self.spellings, key=len, reverse=True)
            self._pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in names) + r")(?!\w)")
        return self._pattern

    def members(self, group_id: str) -> list[str]:
        return sorted(a.id for a in self.agencies.values() if group_id in a.member_of)


def _split(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split("|") if v.strip())


def load_registry(agencies_csv: Path, aliases_csv: Path | None = None) -> Registry:
    agencies: dict[str, Agency] = {}
    spellings: dict[str, tuple[str, ...]] = {}
    written: dict[str, str] = {}
    for line, row in read_rows(agencies_csv, AGENCY_COLUMNS):
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", row["id"]):
            raise SourceError(agencies_csv, f"bad agency id {row['id']!r}", row=line, column="id")
        if row["kind"] not in KINDS:
            raise SourceError(agencies_csv, f"kind must be one of {KINDS}, not {row['kind']!r}", row=line, column="kind")
        if row["id"] in agencies:
            raise SourceError(agencies_csv, f"duplicate agency id {row['id']!r}", row=line, column="id")
        agency = Agency(row["id"], row["kind"], row["name_vi"], row["name_en"], _split(row["aliases"]),
                        _split(row["member_of"]), row["source"])
        agencies[agency.id] = agency
        for spelling in (agency.name_vi, *agency.aliases):
            key = spelling_key(fold(spelling))
            if spellings.get(key, (agency.id,)) != (agency.id,):
                raise SourceError(agencies_csv, f"spelling {spelling!r} already names {spellings[key]}", row=line)
            spellings[key] = (agency.id,)
            written.setdefault(key, spelling)
    for agency in agencies.values():
        for group in agency.member_of:
            if agencies.get(group) is None or agencies[group].kind != "group":
                raise SourceError(agencies_csv, f"{agency.id}: member_of {group!r} is not a group of the registry")
    if aliases_csv is not None:
        for line, row in read_rows(aliases_csv, ALIAS_COLUMNS):
            ids = _split(row["agencies"])
            unknown = [i for i in ids if i not in agencies]
            if unknown or not ids:
                raise SourceError(aliases_csv, f"alias {row['alias']!r} names unknown agencies {unknown}", row=line)
            key = spelling_key(fold(row["alias"]))
            spellings[key] = ids
            written.setdefault(key, row["alias"])
    return Registry(agencies, spellings, written=written)
