"""Timeframe cells ('Thời gian thực hiện') parsed by cchc_graph.timeframes.parse_timeframe, table-driven on the
real cells of data/ninh-binh-2023/table.csv (copied here verbatim), then on other forms the parser accepts,
then on cells it must refuse."""

from __future__ import annotations

import csv
import unicodedata
from datetime import date

import pytest

from cchc_graph.build import DEFAULT_PLAN
from cchc_graph.timeframes import parse_timeframe, quarter_bounds

PLAN_YEAR = 2023
Q = {1: (date(2023, 1, 1), date(2023, 3, 31)), 2: (date(2023, 4, 1), date(2023, 6, 30)),
     3: (date(2023, 7, 1), date(2023, 9, 30)), 4: (date(2023, 10, 1), date(2023, 12, 31))}

# cell verbatim → (kind, quarters, begin, end, condition, schedule, reporting points)
REAL_CELLS = {
    "Theo Danh mục VBQPPL": ("following", (), None, None, None, "Danh mục VBQPPL", ()),
    "Theo Kế hoạch kiểm tra": ("following", (), None, None, None, "Kế hoạch kiểm tra", ()),
    "Thường xuyên": ("ongoing", (), None, None, None, None, ()),
    "Khi có văn bản quy định, hướng dẫn mới của Trung ương":
        ("conditional", (), None, None, "có văn bản quy định, hướng dẫn mới của Trung ương", None, ()),
    "Khi có văn bản hướng dẫn của bộ, ngành Trung ương":
        ("conditional", (), None, None, "có văn bản hướng dẫn của bộ, ngành Trung ương", None, ()),
    "Sau khi có Quyết định giao biên chế năm 2024 của Ban Tổ chức Trung ương":
        ("conditional", (), None, None, "có Quyết định giao biên chế năm 2024 của Ban Tổ chức Trung ương", None, ()),
    "Sau khi có kết quả triển khai thử nghiệm":
        ("conditional", (), None, None, "có kết quả triển khai thử nghiệm", None, ()),
    "Sau khi Bộ Nội vụ ban hành chương trình, tài liệu bồi dưỡng":
        ("conditional", (), None, None, "Bộ Nội vụ ban hành chương trình, tài liệu bồi dưỡng", None, ()),
    "Sau khi có kết quả công bố của Bộ Nội vụ.":
        ("conditional", (), None, None, "có kết quả công bố của Bộ Nội vụ.", None, ()),
    "Quý I năm 2023": ("scheduled", ((2023, 1),), date(2023, 1, 1), date(2023, 3, 31), None, None, ()),
    "Quý I, năm 2023": ("scheduled", ((2023, 1),), date(2023, 1, 1), date(2023, 3, 31), None, None, ()),
    "Quý II năm 2023": ("scheduled", ((2023, 2),), date(2023, 4, 1), date(2023, 6, 30), None, None, ()),
    "Quý IV năm 2023": ("scheduled", ((2023, 4),), date(2023, 10, 1), date(2023, 12, 31), None, None, ()),
    "Quý IV, năm 2023": ("scheduled", ((2023, 4),), date(2023, 10, 1), date(2023, 12, 31), None, None, ()),
    "Quý IV năm 2024": ("scheduled", ((2024, 4),), date(2024, 10, 1), date(2024, 12, 31), None, None, ()),
    "Quý II, III năm 2023": ("scheduled", ((2023, 2), (2023, 3)), date(2023, 4, 1), date(2023, 9, 30), None, None, ()),
    "Quý II, Quý III năm 2023": ("scheduled", ((2023, 2), (2023, 3)), date(2023, 4, 1), date(2023, 9, 30), None, None, ()),
    "Quý I, III năm 2023": ("scheduled", ((2023, 1), (2023, 3)), date(2023, 1, 1), date(2023, 9, 30), None, None, ()),
    "Quý III, Quý IV năm 2023": ("scheduled", ((2023, 3), (2023, 4)), date(2023, 7, 1), date(2023, 12, 31), None, None, ()),
    "Quý III, IV năm 2023": ("scheduled", ((2023, 3), (2023, 4)), date(2023, 7, 1), date(2023, 12, 31), None, None, ()),
    "Quý III, IV Năm 2023": ("scheduled", ((2023, 3), (2023, 4)), date(2023, 7, 1), date(2023, 12, 31), None, None, ()),
    "Quý I, 6 tháng, Quý III, cả năm": ("periodic", ((2023, 1), (2023, 2), (2023, 3), (2023, 4)),
                                        date(2023, 1, 1), date(2023, 12, 31), None, None,
                                        ("Quý I", "6 tháng", "Quý III", "cả năm")),
}


def table_timeframes() -> list[str]:
    with (DEFAULT_PLAN / "table.csv").open(encoding="utf-8", newline="") as handle:
        return [row["timeframe"] for row in csv.DictReader(handle)]


def test_the_cases_cover_every_timeframe_cell_of_the_table():
    cells = table_timeframes()
    assert len(cells) == 64
    assert set(cells) == set(REAL_CELLS)
    assert len(REAL_CELLS) == 22


def check(cell: str, expected: tuple, verbatim: str | None = None) -> None:
    kind, quarters, begin, end, condition, schedule, points = expected
    tf = parse_timeframe(cell, PLAN_YEAR)
    assert tf.verbatim == (verbatim or cell)
    assert (tf.kind, tf.quarters, tf.begin, tf.end, tf.condition, tf.schedule, tf.points) == (
        kind, quarters, begin, end, condition, schedule, points)


@pytest.mark.parametrize("cell, expected", list(REAL_CELLS.items()), ids=list(REAL_CELLS))
def test_real_timeframe_cell(cell, expected):
    check(cell, expected)


@pytest.mark.parametrize("cell", ["Quý II, III năm 2023", "Thường xuyên", "Quý I, 6 tháng, Quý III, cả năm",
                                  "Sau khi có kết quả triển khai thử nghiệm"])
def test_nfd_and_extra_spaces_give_the_same_timeframe(cell):
    messy = "  " + unicodedata.normalize("NFD", cell).replace(" ", "  ") + " \n"
    check(messy, REAL_CELLS[cell], verbatim=cell)


def test_a_year_written_in_the_cell_wins_over_the_plan_year():
    assert parse_timeframe("Quý IV năm 2024", 2023).quarters == ((2024, 4),)
    assert parse_timeframe("Quý II, III năm 2023", 2030).quarters == ((2023, 2), (2023, 3))


# Other forms the parser documents (not in the 2023 table).
OTHER_CELLS = {
    "Quý II": ("scheduled", ((2023, 2),), date(2023, 4, 1), date(2023, 6, 30), None, None, ()),
    "Quý 3 năm 2023": ("scheduled", ((2023, 3),), date(2023, 7, 1), date(2023, 9, 30), None, None, ()),
    "Tháng 6/2023": ("scheduled", ((2023, 2),), date(2023, 6, 1), date(2023, 6, 30), None, None, ()),
    "Tháng 6 năm 2023": ("scheduled", ((2023, 2),), date(2023, 6, 1), date(2023, 6, 30), None, None, ()),
    "Tháng 12/2023": ("scheduled", ((2023, 4),), date(2023, 12, 1), date(2023, 12, 31), None, None, ()),
    "Tháng 2/2024": ("scheduled", ((2024, 1),), date(2024, 2, 1), date(2024, 2, 29), None, None, ()),
    "Năm 2023": ("scheduled", ((2023, 1), (2023, 2), (2023, 3), (2023, 4)), date(2023, 1, 1), date(2023, 12, 31),
                 None, None, ()),
    "Thường xuyên.": ("ongoing", (), None, None, None, None, ()),
}


@pytest.mark.parametrize("cell, expected", list(OTHER_CELLS.items()), ids=list(OTHER_CELLS))
def test_other_timeframe_forms(cell, expected):
    check(cell, expected)


@pytest.mark.parametrize("cell, reason", [
    ("", "empty"),
    ("   ", "empty"),
    ("Quý V năm 2023", "quý v"),
    ("Quý II, Quý năm 2023", "quý"),
    ("Tháng 13/2023", "no month 13"),
    ("Tháng 0 năm 2023", "no month 0"),
    ("Cuối năm 2023", "cuối"),
    ("Đầu quý III", "đầu quý iii"),
    ("Quý 5/2023", "quý 5/2023"),
    ("2023", "2023"),
], ids=["empty", "blank", "quarter-V", "quarter-without-number", "month-13", "month-0", "end-of-year",
        "start-of-quarter", "quarter-5-slash", "bare-year"])
def test_unreadable_timeframe_raises_value_error(cell, reason):
    with pytest.raises(ValueError) as caught:
        parse_timeframe(cell, PLAN_YEAR)
    assert reason in str(caught.value).casefold()


@pytest.mark.parametrize("quarter", [1, 2, 3, 4])
def test_quarter_bounds(quarter):
    assert quarter_bounds(2023, quarter) == Q[quarter]
    assert quarter_bounds(2024, 1) == (date(2024, 1, 1), date(2024, 3, 31))
