"""Load and normalise the sources: a plan folder (plan.toml + table.csv) and the shared registries.

Every text is NFC-normalised and whitespace-cleaned here, once, so that later steps see one form.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .errors import SourceError
from .csvfile import read_rows
from .text import clean_cell, nfc

TABLE_COLUMNS = ("row_id", "area", "objective_no", "objective", "task", "activity", "product", "lead",
                 "coordinators", "timeframe")
REQUIRED_CELLS = ("row_id", "area", "objective_no", "objective", "task", "lead", "timeframe")
ROMAN_AREAS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")
ROW_ID = re.compile(r"(?P<area>[IVX]+)-(?P<seq>\d{2,3})")
OBJECTIVE_NO = re.compile(r"[1-9][0-9]{0,2}")
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# Plan years a plan can have: the bounds keep dates computable and catch a mistyped year early.
MIN_YEAR, MAX_YEAR = 1945, 2100
SEPARATORS_ONLY = re.compile(r"[\s,;.:+\-–•]+")


@dataclass(frozen=True)
class Area:
    number: str
    title: str
    reform_area: str


@dataclass(frozen=True)
class PlanMeta:
    plan_id: str
    title_vi: str
    title_en: str
    appendix_title: str
    issued_with_as_printed: str
    province: str
    province_slug: str
    year: int
    issuer_as_printed: str
    issuer: str
    number_as_printed: str
    number: str
    date_as_printed: str
    issue_date: dt.date | None
    source_document: str
    areas: dict[str, Area]


@dataclass(frozen=True)
class TableRow:
    line: int  # line of the CSV file where the row starts (header = 1)
    cells: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return self.cells[column]

    @property
    def row_id(self) -> str:
        return self.cells["row_id"]


@dataclass(frozen=True)
class PlanSource:
    folder: Path
    meta: PlanMeta
    rows: list[TableRow]

    @property
    def table_path(self) -> Path:
        return self.folder / "table.csv"


def load_plan(folder: Path) -> PlanSource:
    plan = load_plan_meta(folder)
    return PlanSource(plan.folder, plan.meta, load_table(plan.table_path, plan.meta))


def load_plan_meta(folder: Path) -> PlanSource:
    """A plan folder's plan.toml, checked as `load_plan` checks it; its table not read yet (`rows` empty)."""
    folder = Path(folder)
    if not SLUG.fullmatch(folder.name):
        raise SourceError(folder, f"the plan folder's name {folder.name!r} is the plan id, which goes into IRIs: use "
                                  "lowercase ASCII letters, digits and '-' (e.g. 'ninh-binh-2023')")
    if not folder.is_dir():
        raise SourceError(folder, "no such plan folder (a folder holding plan.toml and table.csv)")
    return PlanSource(folder, load_meta(folder / "plan.toml", folder.name), [])


def load_meta(path: Path, plan_id: str) -> PlanMeta:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(path, f"cannot read as UTF-8 text: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SourceError(path, f"malformed TOML: {exc}") from exc
    except ValueError:  # Python refuses integers of more than 4,300 digits
        raise SourceError(path, "malformed TOML: a number of thousands of digits; correct it") from None
    plan = data.get("plan", {})
    if not isinstance(plan, dict):
        raise SourceError(path, "[plan] must be a table of keys (a `[plan]` section)")
    text_keys = ("title_vi", "title_en", "appendix_title", "issued_with_as_printed", "province", "province_slug",
                 "issuer_as_printed", "issuer", "number_as_printed", "number", "date_as_printed", "issue_date",
                 "source_document")
    missing = [k for k in (*text_keys, "year") if k not in plan]
    if missing:
        raise SourceError(path, f"[plan] lacks {', '.join(missing)}")
    not_text = [k for k in text_keys if not isinstance(plan[k], str)]
    if not_text:
        raise SourceError(path, f"[plan] {', '.join(not_text)} must be text (in quotes)")
    # Printed values keep their blanks (NFC only); the others are cleaned.
    values = {k: (clean_cell(plan[k]) if not k.endswith("as_printed") else nfc(plan[k])) for k in text_keys}
    if not isinstance(plan["year"], int) or isinstance(plan["year"], bool):
        raise SourceError(path, "[plan] year must be a whole number")
    if not MIN_YEAR <= plan["year"] <= MAX_YEAR:
        # Not str() of a huge number: Python refuses to print integers of more than 4,300 digits.
        shown = str(plan["year"]) if abs(plan["year"]) < 10 ** 12 else "of more than 12 digits"
        raise SourceError(path, f"[plan] year {shown} is not a plan year ({MIN_YEAR}–{MAX_YEAR})")
    if not SLUG.fullmatch(values["province_slug"]):
        raise SourceError(path, f"[plan] province_slug {values['province_slug']!r} must be lowercase ASCII letters, "
                                "digits and '-' (it goes into IRIs), e.g. 'ninh-binh'")
    try:
        issue_date = dt.date.fromisoformat(values["issue_date"]) if values["issue_date"] else None
    except ValueError:
        raise SourceError(path, f"[plan] issue_date {values['issue_date']!r} is not YYYY-MM-DD") from None
    areas = {}
    if not isinstance(data.get("areas", {}), dict):
        raise SourceError(path, "areas must be sections `[areas.I]`, `[areas.II]` … with a title and a reform_area")
    for number, area in data.get("areas", {}).items():
        if (number not in ROMAN_AREAS or not isinstance(area, dict) or not {"title", "reform_area"} <= set(area)
                or not all(isinstance(area[k], str) for k in ("title", "reform_area"))):
            raise SourceError(path, f"[areas.{number}] needs a Roman numeral, a title and a reform_area (text)")
        areas[number] = Area(number, clean_cell(area["title"]), clean_cell(area["reform_area"]))
    if not areas:
        raise SourceError(path, "no [areas.*] sections")
    del values["issue_date"]
    return PlanMeta(plan_id=plan_id, year=plan["year"], issue_date=issue_date, areas=areas, **values)


def load_table(path: Path, meta: PlanMeta) -> list[TableRow]:
    rows: list[TableRow] = []
    seen: set[str] = set()
    for line, cells in read_rows(path, TABLE_COLUMNS):
        row_id = cells["row_id"] or f"(line {line})"
        for column in REQUIRED_CELLS:
            if not cells[column]:
                raise SourceError(path, f"empty required cell '{column}'", row=row_id, column=column)
        match = ROW_ID.fullmatch(cells["row_id"])
        if not match or match.group("area") != cells["area"]:
            raise SourceError(path, f"row id {cells['row_id']!r} must be '<area>-NN' with area {cells['area']!r}",
                              row=row_id, column="row_id")
        if cells["row_id"] in seen:
            raise SourceError(path, "duplicate row id", row=row_id, column="row_id")
        if cells["area"] not in meta.areas:
            raise SourceError(path, f"area {cells['area']!r} is not in plan.toml", row=row_id, column="area")
        # ASCII digits only ('²'.isdigit() is true), and a number a plan could print.
        if not OBJECTIVE_NO.fullmatch(cells["objective_no"]):
            raise SourceError(path, f"objective_no {cells['objective_no'][:20]!r} is not a number from 1 to 999",
                              row=row_id, column="objective_no")
        for column in ("lead", "coordinators"):
            if cells[column] and not SEPARATORS_ONLY.sub("", cells[column]):
                raise SourceError(path, f"{column} {cells[column]!r} holds only separators; write the agency "
                                        "names or leave the cell empty", row=row_id, column=column)
        seen.add(cells["row_id"])
        rows.append(TableRow(line, cells))
    if not rows:
        raise SourceError(path, "no rows")
    return rows
