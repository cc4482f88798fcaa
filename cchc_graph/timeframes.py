"""Timeframe cells ('Thời gian thực hiện') parsed into structured values; the verbatim text always stays.

Kinds:
- scheduled: quarters ('Quý II, III năm 2023', 'Quý II, Quý III năm 2023'), months ('Tháng 6/2023',
  'Tháng 6 năm 2023'), a whole year ('Năm 2023'); a year left out means the plan year;
- periodic: reporting points ('Quý I, 6 tháng, Quý III, cả năm'): each point falls due at the end of a quarter;
- ongoing: 'Thường xuyên';
- conditional: 'Khi …' / 'Sau khi …', the condition kept;
- following a schedule: 'Theo …', the schedule kept.
Anything else is an error: a timeframe nobody can place in time must be fixed in the source.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from .text import clean_cell

ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
# Reporting points and the quarter at whose end each falls due.
REPORTING_POINTS = {"quý i": 1, "quý 1": 1, "3 tháng": 1, "6 tháng": 2, "quý ii": 2, "quý 2": 2, "quý iii": 3,
                    "quý 3": 3, "9 tháng": 3, "quý iv": 4, "quý 4": 4, "cả năm": 4, "năm": 4}

# ', năm 2023' at the end of the cell; searched only in the cell's last characters.
_YEAR_AT_END = re.compile(r",? ?năm (\d{4})$")

ONGOING = "ongoing"
CONDITIONAL = "conditional"
FOLLOWING = "following"
SCHEDULED = "scheduled"
PERIODIC = "periodic"


@dataclass(frozen=True)
class Timeframe:
    verbatim: str
    kind: str
    quarters: tuple[tuple[int, int], ...] = ()  # (year, quarter)
    begin: dt.date | None = None
    end: dt.date | None = None
    condition: str | None = None
    schedule: str | None = None
    points: tuple[str, ...] = field(default=())


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    first_month = 3 * (quarter - 1) + 1
    begin = dt.date(year, first_month, 1)
    end = dt.date(year + (quarter == 4), (first_month + 3 - 1) % 12 + 1, 1) - dt.timedelta(days=1)
    return begin, end


def _scheduled(verbatim: str, quarters: list[tuple[int, int]], begin: dt.date | None = None,
               end: dt.date | None = None, kind: str = SCHEDULED, points: tuple[str, ...] = ()) -> Timeframe:
    quarters = sorted(set(quarters))
    begin = begin or quarter_bounds(*quarters[0])[0]
    end = end or quarter_bounds(*quarters[-1])[1]
    return Timeframe(verbatim, kind, tuple(quarters), begin, end, points=points)


def parse_timeframe(cell: str, plan_year: int) -> Timeframe:
    """Raises ValueError with the reason when the cell cannot be read."""
    verbatim = clean_cell(cell).replace("\n", " ")
    # One space between words (clean_cell leaves none doubled), so the patterns below meet no run of
    # whitespace and stay linear in the cell's length.
    text = verbatim.casefold().rstrip(" .;")
    if not text:
        raise ValueError("empty timeframe")
    if text == "thường xuyên" or text.startswith("thường xuyên"):
        return Timeframe(verbatim, ONGOING)
    for prefix in ("sau khi ", "khi "):
        if text.startswith(prefix):
            return Timeframe(verbatim, CONDITIONAL, condition=verbatim[len(prefix):].strip())
    if text.startswith("theo "):
        return Timeframe(verbatim, FOLLOWING, schedule=verbatim[len("theo "):].strip())

    year_match = _YEAR_AT_END.search(text, max(0, len(text) - 16))
    year = int(year_match.group(1)) if year_match else plan_year
    body = text[:year_match.start()].strip(" ,") if year_match else text

    if not body and year_match:  # 'Năm 2023'
        return _scheduled(verbatim, [(year, q) for q in (1, 2, 3, 4)])
    month = re.fullmatch(r"tháng\s+(\d{1,2})(?:\s*/\s*(\d{4}))?", body)
    if month:
        m, y = int(month.group(1)), int(month.group(2) or year)
        if not 1 <= m <= 12:
            raise ValueError(f"no month {m}")
        begin = dt.date(y, m, 1)
        end = dt.date(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1)
        return _scheduled(verbatim, [(y, (m - 1) // 3 + 1)], begin, end)

    items = [item.strip() for item in body.split(",") if item.strip()]
    quarters: list[tuple[int, int]] = []
    in_quarter_list = False
    for item in items:
        q = re.fullmatch(r"(?:quý\s+)?(iv|iii|ii|i|[1-4])", item)
        if q and (item.startswith("quý") or in_quarter_list):
            number = ROMAN.get(q.group(1)) or int(q.group(1))
            quarters.append((year, number))
            in_quarter_list = True
            continue
        in_quarter_list = False
        if item in REPORTING_POINTS:
            quarters.append((year, REPORTING_POINTS[item]))
            continue
        raise ValueError(f"cannot read {item!r} as a quarter, month, year or reporting point")
    if not quarters:
        raise ValueError("no quarter, month or year found")
    is_periodic = any(i in REPORTING_POINTS and not i.startswith("quý") for i in items)
    if is_periodic:
        points = tuple(p.strip() for p in verbatim.split(",") if p.strip())
        return _scheduled(verbatim, quarters, kind=PERIODIC, points=points)
    return _scheduled(verbatim, quarters)
