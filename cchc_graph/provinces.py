"""The provinces through time (data/provinces.csv): the 63 before 01/07/2025 and the 34 after.

The file lists the 34 provinces of 2025 with the provinces each was formed from. A province whose
`formed_from` is itself alone is unchanged: one node, valid throughout. Otherwise each province it was formed
from ends the day before `effective_date`, and the new province is a new node from that date, its slug the
name's with the year of the change (`ninh-binh-2025`), since the old tỉnh Ninh Bình keeps `ninh-binh`.
Nothing is invented: an unknown date stays unknown (no period end), and the kind (tỉnh / thành phố) of a
former province is the kind of the 2025 province of the same name, else tỉnh (every former province not
continued under its own name was a tỉnh).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from .csvfile import optional_date, read_rows
from .errors import SourceError
from .text import ascii_slug, fold

PROVINCE_COLUMNS = ("province_2025", "kind", "formed_from", "effective_date", "legal_basis", "confidence", "source")
CONFIDENCES = ("H", "M", "L")


@dataclass(frozen=True)
class Province:
    slug: str  # the node: …/id/province/<slug>
    name: str  # "Ninh Bình"
    kind: str  # "tỉnh" or "thành phố"
    valid_from: dt.date | None = None  # first day; None: before the period the data covers
    valid_until: dt.date | None = None  # last day; None: still exists
    formed_from: tuple[str, ...] = ()  # slugs of the provinces it was formed from
    legal_basis: str = ""
    confidence: str = ""
    source: str = ""

    @property
    def label(self) -> str:
        return f"{self.kind} {self.name}"

    def valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_until is None or day <= self.valid_until)


@dataclass
class Provinces:
    by_slug: dict[str, Province] = field(default_factory=dict)
    path: Path | None = None

    def named(self, name: str) -> list[Province]:
        return [p for p in self.by_slug.values() if fold(p.name) == fold(name)]

    def on(self, name: str, day: dt.date) -> Province | None:
        """The province of this name on `day`; else the last one of this name that ended before it."""
        candidates = self.named(name)
        for province in candidates:
            if province.valid_on(day):
                return province
        before = [p for p in candidates if p.valid_until is not None and p.valid_until < day]
        return max(before, key=lambda p: p.valid_until) if before else None

    def of_plan(self, name: str, slug: str, year: int) -> Province:
        """A plan's province: the one of its name on 1 January of its year. A name the file does not know
        (a test or synthetic plan) gets a province of its own, with no period."""
        found = self.on(name, dt.date(year, 1, 1))
        return found or self.by_slug.setdefault(slug, Province(slug, name, "tỉnh", source="plan.toml only"))


def load_provinces(path: Path) -> Provinces:
    provinces = Provinces(path=path)
    for line, row in read_rows(path, PROVINCE_COLUMNS):
        name, kind = row["province_2025"], row["kind"]
        if kind not in ("tỉnh", "thành phố"):
            raise SourceError(path, f"kind must be 'tỉnh' or 'thành phố', not {kind!r}", row=line, column="kind")
        if row["confidence"] not in CONFIDENCES:
            raise SourceError(path, f"confidence must be one of {', '.join(CONFIDENCES)}", row=line, column="confidence")
        formed_from = [f.strip() for f in row["formed_from"].split("|") if f.strip()]
        if not formed_from:
            raise SourceError(path, "formed_from is empty (write the province itself when it is unchanged)",
                              row=line, column="formed_from")
        start = optional_date(row["effective_date"], path, line, "effective_date")
        common = dict(legal_basis=row["legal_basis"], confidence=row["confidence"], source=row["source"])
        if [fold(f) for f in formed_from] == [fold(name)] and start is None:
            provinces.by_slug[ascii_slug(name)] = Province(ascii_slug(name), name, kind, **common)
            continue
        if start is None:
            raise SourceError(path, f"{name} is formed from {', '.join(formed_from)}: effective_date is needed to "
                                    "end them (write the date it took effect)", row=line, column="effective_date")
        old = []
        for former in formed_from:
            slug = ascii_slug(former)
            if slug in provinces.by_slug:
                raise SourceError(path, f"{former} is also formed into another province", row=line, column="formed_from")
            former_kind = kind if fold(former) == fold(name) else "tỉnh"
            provinces.by_slug[slug] = Province(slug, former, former_kind, None, start - dt.timedelta(days=1), **common)
            old.append(slug)
        new_slug = f"{ascii_slug(name)}-{start.year}"
        provinces.by_slug[new_slug] = Province(new_slug, name, kind, start, None, tuple(old), **common)
    return provinces
