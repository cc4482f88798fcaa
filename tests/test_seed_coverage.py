"""Nothing of the source is lost: every word of the plan's PDF text is in the source table exactly as often
as the table prints it, and the table adds nothing (the seed is shared beside the checkout, ../shared)."""

from __future__ import annotations

import csv
import re
import tomllib
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from cchc_graph.build import DEFAULT_PLAN

SEED = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds" / "000_96c07fc184e27ad2.txt"
HEADER = "Stt Mục tiêu Nhiệm vụ Hoạt động Sản phẩm"
HEADER_CELLS = 6  # "Cơ quan / chủ trì / Cơ quan / phối hợp / Thời gian / thực hiện" after the header line
# Lone numbers of the PDF text that are page numbers, not objective numbers (see data/README.md).
PAGE_NUMBERS = Counter({"4": 1, "19": 1, "27": 1})


def tokens(text: str) -> list[str]:
    # The one repair the table makes: a document number broken at its hyphen is rejoined.
    text = re.sub(r"(\d+/(?:\d+/)?[A-ZĐa-z]+)-\s+([A-ZĐ])", r"\1-\2", unicodedata.normalize("NFC", text))
    return text.split()


@pytest.mark.skipif(not SEED.exists(), reason="the shared seed is not beside the checkout")
def test_every_word_of_the_seed_is_in_the_table_once():
    meta = tomllib.loads((DEFAULT_PLAN / "plan.toml").read_text(encoding="utf-8"))
    not_table = {meta["plan"]["appendix_title"], meta["plan"]["issued_with_as_printed"].strip(), "Phụ lục",
                 "1 2 3 4 5 6 7"}
    for number, area in meta["areas"].items():
        not_table |= {number, area["title"], f"{number} {area['title']}"}
    kept: list[str] = []
    skip = 0
    for line in SEED.read_text(encoding="utf-8").split("\n"):
        line = unicodedata.normalize("NFC", line).strip()
        if not line:
            continue
        if line.startswith(HEADER):
            skip = HEADER_CELLS
            continue
        if skip:
            skip -= 1
            continue
        if line in not_table:
            continue
        kept.append(line)
    seed = Counter(tokens("\n".join(kept)))

    table: Counter = Counter()
    carried: Counter = Counter()  # a cell equal to the one above it may be one merged cell carried down
    with (DEFAULT_PLAN / "table.csv").open(encoding="utf-8", newline="") as handle:
        previous: dict[str, str] = {}
        for row in csv.DictReader(handle):
            # A merged cell prints once for the rows it spans.
            span_key = {"objective_no": (row["area"], row["objective_no"])}
            for column in ("objective_no", "objective", "task", "activity"):
                key = str(span_key.get(column, (row["area"], row["objective_no"], row[column])))
                if previous.get(column) != key:
                    table.update(tokens(row[column]))
                previous[column] = key
            for column in ("product", "lead", "coordinators", "timeframe"):
                table.update(tokens(row[column]))
                if row[column] == previous.get(f"cell:{column}"):
                    carried.update(tokens(row[column]))
                previous[f"cell:{column}"] = row[column]
    assert seed - table == PAGE_NUMBERS, "words of the seed missing from the table"
    extra = table - seed
    assert extra, "the table carries some merged lead/coordinator cells down (VI-01/VI-02)"
    assert extra - carried == Counter(), "words in the table that the seed does not have"
