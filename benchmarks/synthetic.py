"""Synthetic corpora of plans shaped like the real one, for benchmarks.

Each synthetic plan is a plan folder (plan.toml + table.csv) derived from Ninh Bình's 2023 plan: another
province and year, the same areas, objectives sampled with their rows (some rows dropped, some repeated),
the same agency, legal-reference and timeframe distributions, years in timeframes moved to the plan's year.
The folders go through the real build pipeline, so the corpus is what `cchc-graph build` would make of N
real plans, and passes the same shapes.

    python benchmarks/synthetic.py 63 benchmarks/.work/plans-63
"""

from __future__ import annotations

import csv
import random
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cchc_graph.build import DEFAULT_PLAN  # noqa: E402
from cchc_graph.sources import TABLE_COLUMNS  # noqa: E402
from cchc_graph.text import ascii_slug  # noqa: E402

# The 63 provinces and cities before the 2025 merger.
PROVINCES = """An Giang|Bà Rịa - Vũng Tàu|Bắc Giang|Bắc Kạn|Bạc Liêu|Bắc Ninh|Bến Tre|Bình Định|Bình Dương|Bình Phước|
Bình Thuận|Cà Mau|Cần Thơ|Cao Bằng|Đà Nẵng|Đắk Lắk|Đắk Nông|Điện Biên|Đồng Nai|Đồng Tháp|Gia Lai|Hà Giang|Hà Nam|
Hà Nội|Hà Tĩnh|Hải Dương|Hải Phòng|Hậu Giang|Hòa Bình|Hưng Yên|Khánh Hòa|Kiên Giang|Kon Tum|Lai Châu|Lâm Đồng|
Lạng Sơn|Lào Cai|Long An|Nam Định|Nghệ An|Ninh Bình|Ninh Thuận|Phú Thọ|Phú Yên|Quảng Bình|Quảng Nam|Quảng Ngãi|
Quảng Ninh|Quảng Trị|Sóc Trăng|Sơn La|Tây Ninh|Thái Bình|Thái Nguyên|Thanh Hóa|Thừa Thiên Huế|Tiền Giang|
TP. Hồ Chí Minh|Trà Vinh|Tuyên Quang|Vĩnh Long|Vĩnh Phúc|Yên Bái""".replace("\n", "").split("|")
assert len(PROVINCES) == 63
YEARS = list(range(2021, 2031))


def read_table(folder: Path) -> list[dict[str, str]]:
    with (folder / "table.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def synthetic_table(rows: list[dict[str, str]], year: int, rng: random.Random, province: str) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    counters: dict[str, int] = {}
    for row in rows:
        copies = 0 if rng.random() < 0.1 else 2 if rng.random() < 0.1 else 1
        for _ in range(copies):
            new = dict(row)
            if province != "Ninh Bình":
                # Agencies are bodies of the plan's province ("Báo Ninh Bình" becomes "Báo An Giang"); a district
                # of Ninh Bình is not one of another province: those rows name the district level.
                for column in ("lead", "coordinators"):
                    new[column] = new[column].replace("UBND thành phố Tam Điệp", "UBND cấp huyện").replace(
                        "Ninh Bình", province)
            # Keep each timeframe's year offset to the plan year ("năm 2024" in a 2023 plan stays one ahead).
            new["timeframe"] = re.sub(r"(năm|Năm) (\d{4})", lambda m: f"{m.group(1)} {int(m.group(2)) - 2023 + year}",
                                      row["timeframe"])
            counters[row["area"]] = counters.get(row["area"], 0) + 1
            new["row_id"] = f"{row['area']}-{counters[row['area']]:02d}"
            out.append(new)
    return out


def synthetic_meta(template: str, province: str, year: int) -> str:
    slug = ascii_slug(province)
    text = template.replace("Ninh Bình", province).replace('province_slug = "ninh-binh"', f'province_slug = "{slug}"')
    # The issuer is the province's own People's Committee (agencies are nodes of their province).
    text = text.replace('"ubnd-tinh-ninh-binh"', f'"ubnd-tinh-{slug}"')
    text = text.replace("year = 2023", f"year = {year}").replace("năm 2023", f"năm {year}").replace("for 2023", f"for {year}")
    return text.replace("năm 2022", f"năm {year - 1}").replace("12/2022", f"12/{year - 1}")


def generate(n_plans: int, out_dir: Path, seed: int = 2023) -> list[Path]:
    """Write n_plans plan folders into out_dir (replacing it) and return them."""
    rng = random.Random(seed)
    rows = read_table(DEFAULT_PLAN)
    template = (DEFAULT_PLAN / "plan.toml").read_text(encoding="utf-8")
    if out_dir.exists():
        shutil.rmtree(out_dir)
    folders = []
    for i in range(n_plans):
        province = PROVINCES[i % len(PROVINCES)]
        year = YEARS[(i // len(PROVINCES)) % len(YEARS)] if n_plans > 1 else 2023
        folder = out_dir / f"{ascii_slug(province)}-{year}"
        folder.mkdir(parents=True)
        (folder / "plan.toml").write_text(synthetic_meta(template, province, year), encoding="utf-8")
        with (folder / "table.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, TABLE_COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(synthetic_table(rows, year, rng, province) if n_plans > 1 else rows)
        folders.append(folder)
    return folders


if __name__ == "__main__":
    count, target = int(sys.argv[1]), Path(sys.argv[2])
    made = generate(count, target)
    print(f"{len(made)} plans in {target}")
