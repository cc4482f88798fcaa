"""The agency registry and the resolution of lead / coordinator cells to registry nodes.

A cell names one or more agencies or groups, separated by commas, semicolons, 'và' or bullets, and a
name may itself contain commas ('Các sở, ban, ngành'). So a cell is not split first: the longest known
spelling is matched at each place, and whatever lies between matches must be a separator. Anything else is
an unknown agency and fails the build, naming the row and the closest registry names.

Agencies are scoped (issue #14): a national body (Chính phủ, Bộ Nội vụ…) is one node for every plan; a
provincial, district or commune body is a node of its province. The registry file names each standard kind
of provincial body once; `Registry.for_province` instantiates them for one province, filling the `{province}`
(name) and `{slug}` placeholders of province-named entries ("UBND {unit} {province}"), the unit words of the
province's kind (`UNIT_WORDS`: "tỉnh" / "thành phố" — a centrally-run city's committee is "UBND thành phố Hà
Nội", its party committee "Thành ủy"), and keeps the entries of the `province` column only for that province
(the district committees of Ninh Bình). Ids never change with the kind: an IRI is a name, not a description. `iri` gives the node:
`…/id/agency/<id>` for a national body, `…/id/agency/<province node>/<id>` for any other.

Spellings are compared by `names.spelling_key`: besides Unicode form, case and spacing, the old and new tone
placement ("Uỷ ban" / "Ủy ban") and "Ð" (U+00D0) for "Đ" are the same spelling — the plan itself prints both
placements. Nothing looser is accepted in a build (no diacritic-free or abbreviated names): the build must
not start taking a name it does not know. `Registry.lookup` is the forgiving resolver for one name typed by
a person (query parameters, import), with the same levels as every other parameter.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from rdflib import URIRef

from .csvfile import read_rows
from .errors import SourceError
from .names import did_you_mean, resolve, spelling_key
from .namespaces import ID
from .text import ascii_slug, clean_cell, fold, fold_with_positions

AGENCY_COLUMNS = ("id", "kind", "name_vi", "name_en", "aliases", "member_of", "scope", "province", "follows_province",
                  "since", "source")
ALIAS_COLUMNS = ("alias", "agencies", "note")
KINDS = ("agency", "group")
SCOPES = ("national", "provincial", "district", "commune")
_PLACEHOLDERS = ("{province}", "{slug}")
# The words that differ between a province (tỉnh) and a centrally-run city (thành phố), by placeholder.
UNIT_WORDS = {
    "tỉnh": {"{unit}": "tỉnh", "{party}": "Tỉnh ủy", "{unit_en}": "province", "{Unit_en}": "Provincial"},
    "thành phố": {"{unit}": "thành phố", "{party}": "Thành ủy", "{unit_en}": "city", "{Unit_en}": "City"},
}

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
    scope: str = "provincial"  # national | provincial | district | commune
    province: str = ""  # the one province (its name) whose body this is; empty: a kind every province has
    follows_province: bool = False  # a body of the province's government: it becomes the same body of a merged province
    since: dt.date | None = None  # a kind of body that exists only from this date (created by a change)
    template: str = ""  # the id as the registry file writes it ("ubnd-tinh-{slug}"): the kind across provinces

    @property
    def is_template(self) -> bool:
        return any(p in text for p in _PLACEHOLDERS for text in (self.id, self.name_vi, self.name_en, *self.aliases))

    def instantiate(self, province: str | None, slug: str | None, kind: str = "tỉnh") -> "Agency":
        words = {**UNIT_WORDS[kind], **({"{province}": province, "{slug}": slug} if province is not None else {})}

        def fill(text: str) -> str:
            for placeholder, word in words.items():
                text = text.replace(placeholder, word)
            return text
        name_vi = fill(self.name_vi)
        # a province's spellings and a city's may fill to the same text: each alias once, none equal to the name
        aliases = tuple(dict.fromkeys(a for a in map(fill, self.aliases) if a != name_vi))
        return replace(self, id=fill(self.id), name_vi=name_vi, name_en=fill(self.name_en), aliases=aliases,
                       member_of=tuple(fill(m) for m in self.member_of))


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
    templates: tuple[Agency, ...] = ()  # the registry file's entries, placeholders unfilled
    aliases: tuple[tuple[int, dict[str, str]], ...] = ()  # (line, row) of agency-aliases.csv
    files: tuple[Path | None, Path | None] = (None, None)  # (agencies.csv, agency-aliases.csv), for errors
    province: str | None = None  # the province (name) it was instantiated for; None: every non-templated entry
    node_slug: str | None = None  # the slug of that province's node (`…/id/province/<slug>`)

    def for_province(self, province: str, node_slug: str, kind: str = "tỉnh") -> "Registry":
        """The registry of one province: national bodies, every standard kind of provincial body with its
        placeholders filled (`kind`: "tỉnh", or "thành phố" for a centrally-run city), and the bodies the
        `province` column gives to this province only."""
        if kind not in UNIT_WORDS:
            raise ValueError(f"kind must be one of {sorted(UNIT_WORDS)}, not {kind!r}")
        return _instantiate(self.templates, self.aliases, self.files, province, node_slug, kind)

    def iri(self, agency_id: str) -> URIRef:
        """The node of an agency of this registry: shared for a national body, in the province otherwise."""
        agency = self.agencies[agency_id]
        if agency.scope == "national":
            return ID[f"agency/{agency_id}"]
        if self.node_slug is None:
            raise ValueError(f"{agency_id} is a body of a province: use Registry.for_province first")
        return ID[f"agency/{self.node_slug}/{agency_id}"]

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


def _date(value: str, path: Path, line: int) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise SourceError(path, f"since must be a date YYYY-MM-DD, not {value!r}", row=line, column="since") from None


def load_registry(agencies_csv: Path, aliases_csv: Path | None = None) -> Registry:
    """The registry file's entries; the returned registry resolves every entry that needs no province (use
    `for_province` for a plan's own registry)."""
    templates: list[Agency] = []
    seen: set[str] = set()
    for line, row in read_rows(agencies_csv, AGENCY_COLUMNS):
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", row["id"].replace("{slug}", "x")):
            raise SourceError(agencies_csv, f"bad agency id {row['id']!r}", row=line, column="id")
        if row["kind"] not in KINDS:
            raise SourceError(agencies_csv, f"kind must be one of {KINDS}, not {row['kind']!r}", row=line, column="kind")
        if row["scope"] not in SCOPES:
            raise SourceError(agencies_csv, f"scope must be one of {', '.join(SCOPES)}, not {row['scope']!r}",
                              row=line, column="scope")
        if row["follows_province"] not in ("", "yes"):
            raise SourceError(agencies_csv, f"follows_province must be 'yes' or empty, not {row['follows_province']!r}",
                              row=line, column="follows_province")
        if row["id"] in seen:
            raise SourceError(agencies_csv, f"duplicate agency id {row['id']!r}", row=line, column="id")
        seen.add(row["id"])
        agency = Agency(row["id"], row["kind"], row["name_vi"], row["name_en"], _split(row["aliases"]),
                        _split(row["member_of"]), row["source"], row["scope"], row["province"],
                        row["follows_province"] == "yes", _date(row["since"], agencies_csv, line), row["id"])
        if agency.is_template and (agency.scope == "national" or agency.province):
            raise SourceError(agencies_csv, f"{agency.id}: a name with {{province}} is a kind every province has: its "
                                            "scope cannot be national nor its province column filled", row=line)
        templates.append(agency)
    aliases = tuple(read_rows(aliases_csv, ALIAS_COLUMNS)) if aliases_csv is not None else ()
    return _instantiate(tuple(templates), aliases, (agencies_csv, aliases_csv), None, None)


def _instantiate(templates: tuple[Agency, ...], alias_rows, files, province: str | None,
                 node_slug: str | None, kind: str = "tỉnh") -> Registry:
    agencies_csv, aliases_csv = files
    agencies: dict[str, Agency] = {}
    spellings: dict[str, tuple[str, ...]] = {}
    written: dict[str, str] = {}
    for template in templates:
        if province is None:
            if any(p in text for p in _PLACEHOLDERS for text in (template.id, template.name_vi)):
                continue  # "UBND tỉnh {province}" names nothing until a province is given
            # unit words as a province has them; the aliases that need a province's name dropped
            agency = replace(template.instantiate(None, None),
                             aliases=tuple(a for a in template.aliases if not any(p in a for p in _PLACEHOLDERS)))
        else:
            if template.province and fold(template.province) != fold(province):
                continue
            agency = template.instantiate(province, ascii_slug(province), kind)
        if agency.id in agencies:
            raise SourceError(agencies_csv, f"duplicate agency id {agency.id!r} for {province}")
        agencies[agency.id] = agency
        for spelling in (agency.name_vi, *agency.aliases):
            key = spelling_key(fold(spelling))
            if spellings.get(key, (agency.id,)) != (agency.id,):
                raise SourceError(agencies_csv, f"spelling {spelling!r} already names {spellings[key]}")
            spellings[key] = (agency.id,)
            written.setdefault(key, spelling)
    for agency in agencies.values():
        for group in agency.member_of:
            if agencies.get(group) is None or agencies[group].kind != "group":
                raise SourceError(agencies_csv, f"{agency.id}: member_of {group!r} is not a group of the registry")
    for line, row in alias_rows:
        ids = _split(row["agencies"])
        unknown = [i for i in ids if i not in agencies]
        if unknown or not ids:
            raise SourceError(aliases_csv, f"alias {row['alias']!r} names unknown agencies {unknown}", row=line)
        key = spelling_key(fold(row["alias"]))
        spellings[key] = ids
        written.setdefault(key, row["alias"])
    return Registry(agencies, spellings, written=written, templates=templates, aliases=tuple(alias_rows),
                    files=files, province=province, node_slug=node_slug)
