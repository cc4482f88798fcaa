"""Legal references in cell text, and the catalogue of legal documents they resolve to.

Three kinds of mention are found:
- a numbered document ('Nghị định số 62/2020/NĐ-CP ngày 01/6/2020', 'Kế hoạch số 132/KH-UBND', a bare
  '60/2021/NĐ-CP'), with the date when the text gives one;
- a document cited by name that the catalogue lists under `cited_as` ('Luật Phổ biến, giáo dục pháp luật');
- a document named without a number (data/unnumbered-references.csv): kept as an unresolved citation,
  never given a guessed number.
A type word followed by 'số' or a digit must be followed by a well-formed number, else the build fails.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from .csvfile import read_rows
from .errors import SourceError
from .text import ascii_slug, clean_cell, fold, fold_with_positions

TYPE_WORDS = ("Bộ luật", "Luật", "Nghị định", "Nghị quyết", "Quyết định", "Kế hoạch", "Thông tư", "Chỉ thị", "Công văn")
# Issuer-code head -> (type as written, ontology class name).
CODE_TYPES = {
    "NĐ": ("Nghị định", "Decree"), "NQ": ("Nghị quyết", "Resolution"), "QĐ": ("Quyết định", "Decision"),
    "KH": ("Kế hoạch", "PlanDocument"), "QH": ("Luật", "Law"), "TT": ("Thông tư", "LegalDocument"),
    "CT": ("Chỉ thị", "LegalDocument"), "CV": ("Công văn", "LegalDocument"),
}
TYPE_CLASSES = {"Luật": "Law", "Bộ luật": "Law", "Nghị định": "Decree", "Nghị quyết": "Resolution",
                "Quyết định": "Decision", "Kế hoạch": "PlanDocument"}
# Codes of documents issued by a province's own bodies: their ELI jurisdiction is the province.
LOCAL_ISSUERS = ("UBND", "HĐND")

NUMBER = r"(?P<num>\d{1,5})/(?:(?P<year>\d{4})/)?(?P<code>(?:[A-ZĐ]{2,4}-[A-ZĐa-z]{2,8}|QH\d{1,2}))"
_NUMBER_RE = re.compile(NUMBER)
_DATE = r"(?:\s+ngày\s+(?P<d>\d{1,2})\s*/\s*(?P<m>\d{1,2})\s*/\s*(?P<y>\d{4})|\s+ngày\s+(?P<d2>\d{1,2})\s+tháng\s+(?P<m2>\d{1,2})\s+năm\s+(?P<y2>\d{4}))?"
_TYPED = re.compile(r"(?<!\w)(?P<type>" + "|".join(TYPE_WORDS) + r")\s+(?:số\s+(?P<after_so>\S+)|(?P<after>\d\S*))")
_TYPE_BEFORE = re.compile(r"(?<!\w)(" + "|".join(TYPE_WORDS) + r") (?:số )?$")
_TYPE_WINDOW = max(map(len, TYPE_WORDS)) + len(" số ")
_BARE = re.compile(r"(?<![\w/])" + NUMBER + r"(?![\w/])" + _DATE)


@dataclass(frozen=True)
class DocumentRef:
    """What a citation says of the document."""
    number: str  # canonical: '62/2020/NĐ-CP', '132/KH-UBND'
    num: str
    year: int | None
    code: str
    type_vi: str
    class_name: str

    @property
    def key(self) -> str:
        return fold(self.number)


@dataclass(frozen=True)
class Citation:
    text: str  # verbatim, as in the cell
    ref: DocumentRef | None  # None: unresolved (named without a number)
    cited_date: dt.date | None = None
    unresolved_key: str | None = None  # folded cited_as of an unnumbered reference


@dataclass(frozen=True)
class CatalogueEntry:
    ref: DocumentRef
    issuer: str
    date: dt.date | None
    title_vi: str
    amended_by: tuple[str, ...]
    source: str
    cited_as: tuple[str, ...]


@dataclass(frozen=True)
class UnnumberedReference:
    cited_as: str
    type_vi: str
    issuer: str
    description_en: str
    source: str


def parse_number(text: str, type_vi: str | None = None) -> DocumentRef | None:
    match = _NUMBER_RE.fullmatch(text.strip())
    if not match:
        return None
    num, year, code = match.group("num"), match.group("year"), match.group("code")
    head = code.split("-")[0]
    head = "QH" if head.startswith("QH") else head
    code_type, class_name = CODE_TYPES.get(head, (type_vi or "Văn bản", "LegalDocument"))
    type_vi = type_vi or code_type
    class_name = TYPE_CLASSES.get(type_vi, class_name)
    number = f"{num}/{year}/{code}" if year else f"{num}/{code}"
    return DocumentRef(number, num, int(year) if year else None, code, type_vi, class_name)


def _date(match: re.Match) -> dt.date | None:
    d, m, y = (match.group("d") or match.group("d2"), match.group("m") or match.group("m2"),
               match.group("y") or match.group("y2"))
    if not d:
        return None
    try:
        return dt.date(int(y), int(m), int(d))
    except ValueError as exc:
        raise ValueError(f"impossible date {d}/{m}/{y}") from exc


def find_citations(text: str, cited_as: dict[str, str] | None = None) -> list[Citation]:
    """Citations in a cell, in text order. `cited_as` maps a folded name to a catalogue number, or to ''
    for a document known to have no number. Raises ValueError on a malformed number or date."""
    text = clean_cell(text).replace("\n", " ")
    found: list[tuple[int, Citation]] = []
    taken: list[tuple[int, int]] = []
    for match in _TYPED.finditer(text):
        token = (match.group("after_so") or match.group("after")).rstrip(",.;:)")
        if not _NUMBER_RE.fullmatch(token):
            raise ValueError(f"malformed document number {token!r} after {match.group('type')!r}")
    for match in _BARE.finditer(text):
        start = match.start()
        # The type word just before the number: looked for in a short window (text has single spaces),
        # not in the whole prefix, which made many numbers in one cell quadratic.
        typed = _TYPE_BEFORE.search(text, max(0, start - _TYPE_WINDOW), start)
        type_vi = typed.group(1) if typed else None
        if typed:
            start = typed.start()
        ref = parse_number(f"{match.group('num')}/{match.group('year') + '/' if match.group('year') else ''}{match.group('code')}", type_vi)
        found.append((start, Citation(text[start:match.end()], ref, _date(match))))
        taken.append((start, match.end()))
    folded, positions = fold_with_positions(text)
    for name, number in (cited_as or {}).items():
        if name not in folded:  # the pattern below matches the name itself: no need to compile it
            continue
        for match in re.finditer(r"(?<!\w)" + re.escape(name) + r"(?!\w)", folded):
            start, end = positions[match.start()], positions[match.end() - 1] + 1
            if any(s <= start < e for s, e in taken):
                continue
            ref = parse_number(number) if number else None
            found.append((start, Citation(text[start:end], ref, None, None if number else name)))
            taken.append((start, end))
    return [c for _, c in sorted(found, key=lambda pair: pair[0])]


def jurisdiction(ref: DocumentRef, province_slug: str) -> str:
    return f"vn-{province_slug}" if ref.code.split("-")[-1] in LOCAL_ISSUERS else "vn"


def eli_path(ref: DocumentRef, province_slug: str) -> str:
    """ELI-style path: {jurisdiction}/{issuer code}/{year}/{number}; the year is left out when unknown."""
    parts = [jurisdiction(ref, province_slug), ascii_slug(ref.code)]
    if ref.year:
        parts.append(str(ref.year))
    parts.append(ref.num)
    return "/".join(parts)


CATALOGUE_COLUMNS = ("number", "type", "issuer", "date", "title_vi", "amended_by", "source", "cited_as")
UNNUMBERED_COLUMNS = ("cited_as", "type", "issuer", "description_en", "source")


def _list(value: str) -> tuple[str, ...]:
    return tuple(a.strip() for a in value.split("|") if a.strip())


def load_catalogue(path: Path) -> dict[str, CatalogueEntry]:
    """The legal catalogue, keyed by folded number. A missing year in the number is taken from the date."""
    catalogue: dict[str, CatalogueEntry] = {}
    lines: dict[str, int] = {}
    for line, row in read_rows(path, CATALOGUE_COLUMNS):
        ref = parse_number(row["number"], row["type"])
        if ref is None:
            raise SourceError(path, f"malformed document number {row['number']!r}", row=line, column="number")
        try:
            date = dt.date.fromisoformat(row["date"]) if row["date"] else None
        except ValueError:
            raise SourceError(path, f"bad date {row['date']!r} (want YYYY-MM-DD)", row=line, column="date") from None
        if ref.year is None and date is not None:
            ref = DocumentRef(ref.number, ref.num, date.year, ref.code, ref.type_vi, ref.class_name)
        if ref.key in catalogue:
            raise SourceError(path, f"{ref.number} is listed twice (also on line {lines[ref.key]}); keep one line",
                              row=line, column="number")
        amended_by = _list(row["amended_by"])
        if any(fold(other) == ref.key for other in amended_by):
            raise SourceError(path, f"{ref.number} is listed in its own amended_by", row=line, column="amended_by")
        catalogue[ref.key] = CatalogueEntry(ref, row["issuer"], date, row["title_vi"], amended_by, row["source"],
                                            _list(row["cited_as"]))
        lines[ref.key] = line
    for entry in catalogue.values():
        for other in entry.amended_by:
            if fold(other) not in catalogue:
                raise SourceError(path, f"{entry.ref.number}: amended_by {other!r} is not in the catalogue",
                                  row=lines[entry.ref.key], column="amended_by")
    return catalogue


def load_unnumbered(path: Path) -> dict[str, UnnumberedReference]:
    found: dict[str, UnnumberedReference] = {}
    for line, r in read_rows(path, UNNUMBERED_COLUMNS):
        if not r["cited_as"]:
            raise SourceError(path, "empty cited_as", row=line, column="cited_as")
        key = fold(r["cited_as"])
        if key in found:
            raise SourceError(path, f"{r['cited_as']!r} is listed twice; keep one line", row=line, column="cited_as")
        found[key] = UnnumberedReference(r["cited_as"], r["type"], r["issuer"], r["description_en"], r["source"])
    return found
