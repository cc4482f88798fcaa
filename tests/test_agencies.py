"""Agency names resolve to registry nodes whatever their Unicode form, case and spacing; cells naming several
agencies give their mentions in order; an unknown name is an error that names it."""

from __future__ import annotations

import csv
import unicodedata
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from cchc_graph.agencies import UNIT_WORDS, load_registry
from cchc_graph.build import DATA, build_graph
from cchc_graph.namespaces import CCHC, ID
from cchc_graph.text import fold

PLAN = "https://w3id.org/cchc-graph/id/plan/ninh-binh-2023"


@pytest.fixture(scope="module")
def registry():
    """Ninh Bình's registry: the kinds every province has, its own names filled in, its district committees."""
    return load_registry(DATA / "agencies.csv", DATA / "agency-aliases.csv").for_province("Ninh Bình", "ninh-binh")


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def ids(mentions) -> list[tuple[str, ...]]:
    return [m.agency_ids for m in mentions]


# ------------------------------------------------------------------------------------------------ one name, many forms

NAMES = [
    ("Sở Tư pháp", ("so-tu-phap",)),
    ("Sở Thông tin và Truyền thông", ("so-thong-tin-va-truyen-thong",)),
    ("Đài Phát thanh và Truyền hình tỉnh", ("dai-phat-thanh-va-truyen-hinh-tinh",)),
    ("Trung tâm Phục vụ Hành chính công", ("trung-tam-phuc-vu-hanh-chinh-cong",)),
    ("Văn phòng Ủy ban nhân dân tỉnh", ("van-phong-ubnd-tinh",)),  # an alias
    ("Ủy ban nhân dân cấp xã", ("ubnd-cap-xa",)),
    ("Các sở, ban, ngành", ("cac-so-ban-nganh",)),
    ("UBND thành phố Tam Điệp", ("ubnd-thanh-pho-tam-diep",)),
    ("Bộ phận một cửa cấp huyện, cấp xã", ("bo-phan-mot-cua-cap-huyen", "bo-phan-mot-cua-cap-xa")),  # alias file
]


def variants(name: str) -> dict[str, str]:
    spaced = "  " + name.replace(" ", " \t\u00a0 ") + "  "
    return {
        "nfc": unicodedata.normalize("NFC", name),
        "nfd": nfd(name),
        "upper": name.upper(),
        "lower": name.lower(),
        "nfd-upper": nfd(name.upper()),
        "extra-spaces": spaced,
        "nfd-lower-extra-spaces": nfd(spaced.lower()),
        "line-break": name.replace(" ", "\n", 1),
    }


@pytest.mark.parametrize("name, expected", NAMES, ids=[n for n, _ in NAMES])
def test_every_form_of_a_name_resolves_to_the_same_node(registry, name, expected):
    assert unicodedata.is_normalized("NFC", name)
    if any(ord(c) > 127 for c in name):
        assert nfd(name) != name  # the test really tries a second form
    for form, text in variants(name).items():
        mentions = registry.resolve(text)
        assert ids(mentions) == [expected], form


@pytest.mark.parametrize("text", ["Các sở , ban , ngành", "Các sở ,ban ,ngành", "UBND cấp huyện , cấp xã"],
                         ids=["spaces-both-sides", "space-before-only", "alias-of-two-groups"])
def test_spaces_before_commas_inside_a_name(registry, text):
    """Regression: registry spellings are keyed with text.fold(),
    which removes spaces before ',' and ';' ("no spaces around punctuation"), but the cell is matched with
    fold_keep_length(), which does not; so a name with an extra space before a comma is 'unknown'."""
    expected = [("cac-so-ban-nganh",)] if text.startswith("Các") else [("ubnd-cap-huyen", "ubnd-cap-xa")]
    assert ids(registry.resolve(text)) == expected


def test_every_spelling_of_the_registry_resolves_to_its_agency(registry):
    with (DATA / "agencies.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 56
    words = {"{province}": "Ninh Bình", "{slug}": "ninh-binh", **UNIT_WORDS["tỉnh"]}

    def fill(text: str) -> str:
        for placeholder, word in words.items():
            text = text.replace(placeholder, word)
        return text

    for row in rows:
        for spelling in [row["name_vi"], *[a for a in row["aliases"].split("|") if a]]:
            for text in (fill(spelling), nfd(fill(spelling).upper())):
                assert ids(registry.resolve(text)) == [(fill(row["id"]),)], text


def test_agencies_sourced_from_the_seed_are_named_in_the_plan(registry):
    """An agency whose `source` says 'seed' is named (by its name or an alias) in the table or plan.toml."""
    plan_text = fold((DATA / "ninh-binh-2023" / "table.csv").read_text(encoding="utf-8")
                     + (DATA / "ninh-binh-2023" / "plan.toml").read_text(encoding="utf-8"))
    unnamed = [a.id for a in registry.agencies.values() if a.source.startswith("seed")
               and not any(fold(n) in plan_text for n in (a.name_vi, *a.aliases))]
    assert unnamed == []
    assert sum(a.source.startswith("seed") for a in registry.agencies.values()) == 28


def test_group_members(registry):
    members = registry.members("cac-so-ban-nganh")
    assert {"so-noi-vu", "so-tu-phap", "so-tai-chinh", "van-phong-ubnd-tinh", "thanh-tra-tinh"} <= set(members)
    assert "ubnd-cap-huyen" not in members
    assert registry.members("ubnd-cap-huyen") == sorted([
        "ubnd-thanh-pho-ninh-binh", "ubnd-thanh-pho-tam-diep", "ubnd-huyen-hoa-lu", "ubnd-huyen-gia-vien",
        "ubnd-huyen-kim-son", "ubnd-huyen-nho-quan", "ubnd-huyen-yen-khanh", "ubnd-huyen-yen-mo",
        "ubnd-thanh-pho-hoa-lu"])  # the registry's kinds; Hoa Lư city exists from 2025 (its node is not in 2023 groups)


# ------------------------------------------------------------------------------------------------ through the build

def _rewrite_cell(table: Path, row_id: str, column: str, value: str) -> str:
    with table.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    [row] = [r for r in rows[1:] if r[0] == row_id]
    old = row[header.index(column)]
    row[header.index(column)] = value
    with table.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    return old


def _linked(graph, row_id: str, link) -> set[str]:
    return {str(a).rsplit("/", 1)[1] for a in graph.objects(URIRef(f"{PLAN}/row/{row_id}"), link)}


@pytest.mark.parametrize("form", ["nfd", "upper", "nfd-upper", "extra-spaces"])
@pytest.mark.parametrize("row_id, expected", [
    ("VI-03", {"trung-tam-phuc-vu-hanh-chinh-cong", "bo-phan-mot-cua-cap-huyen", "bo-phan-mot-cua-cap-xa"}),
    ("VII-01", {"so-noi-vu", "so-tu-phap", "so-tai-chinh", "so-thong-tin-va-truyen-thong", "so-khoa-hoc-va-cong-nghe",
                "van-phong-ubnd-tinh"}),
    ("VII-02", {"dai-phat-thanh-va-truyen-hinh-tinh", "bao-ninh-binh"}),
])
def test_changed_form_of_a_lead_cell_links_the_same_nodes(plan_copy, plan_graph, form, row_id, expected):
    table = plan_copy / "table.csv"
    with table.open(encoding="utf-8", newline="") as handle:
        original = next(r for r in csv.DictReader(handle) if r["row_id"] == row_id)["lead"]
    changed = {"nfd": nfd(original), "upper": original.upper(), "nfd-upper": nfd(original.upper()),
               "extra-spaces": "  " + original.replace(" ", "   ") + " "}[form]
    assert changed != original
    _rewrite_cell(table, row_id, "lead", changed)
    assert changed in table.read_text(encoding="utf-8")  # the file really holds the other form
    assert _linked(plan_graph, row_id, CCHC.leadAgency) == expected
    graph = build_graph([plan_copy])
    assert _linked(graph, row_id, CCHC.leadAgency) == expected
    # The cell is kept verbatim after NFC and spacing normalisation: NFD and extra spaces vanish, case stays.
    lead_text = str(graph.value(URIRef(f"{PLAN}/row/{row_id}"), CCHC.leadText))
    assert lead_text == (original.upper() if "upper" in form else original)


def test_nfd_coordinator_cell_through_the_build(plan_copy):
    table = plan_copy / "table.csv"
    original = _rewrite_cell(table, "VI-09", "coordinators", nfd("Sở Nội vụ, Sở Công thương, UBND thành phố Tam Điệp"))
    assert original == "Sở Nội vụ, Sở Công thương, UBND thành phố Tam Điệp"
    graph = build_graph([plan_copy])
    assert _linked(graph, "VI-09", CCHC.coordinatingAgency) == {"so-noi-vu", "so-cong-thuong", "ubnd-thanh-pho-tam-diep"}
    assert graph.value(URIRef(f"{PLAN}/row/VI-09"), CCHC.coordinatorsText) == Literal(original)


# ------------------------------------------------------------------------------------------------ several names in a cell

MULTI = [
    ("Các sở, ban, ngành, UBND cấp huyện UBND cấp xã",
     [("Các sở, ban, ngành", ("cac-so-ban-nganh",)), ("UBND cấp huyện", ("ubnd-cap-huyen",)),
      ("UBND cấp xã", ("ubnd-cap-xa",))]),
    ("Các sở, ban, ngành và UBND các huyện, thành phố",
     [("Các sở, ban, ngành", ("cac-so-ban-nganh",)), ("UBND các huyện, thành phố", ("ubnd-cap-huyen",))]),
    ("Sở Tư pháp và các cơ quan, đơn vị có liên quan",
     [("Sở Tư pháp", ("so-tu-phap",)), ("các cơ quan, đơn vị có liên quan", ("co-quan-don-vi-lien-quan",))]),
    ("Các sở, ban, ngành tỉnh; UBND cấp huyện, cấp xã",
     [("Các sở, ban, ngành tỉnh", ("cac-so-ban-nganh",)), ("UBND cấp huyện, cấp xã", ("ubnd-cap-huyen", "ubnd-cap-xa"))]),
    ("Các sở, ban, ngành tỉnh đầu mối tham mưu nhiệm vụ phân cấp; UBND cấp huyện",
     [("Các sở, ban, ngành tỉnh đầu mối tham mưu nhiệm vụ phân cấp", ("cac-so-dau-moi-phan-cap",)),
      ("UBND cấp huyện", ("ubnd-cap-huyen",))]),
    ("Bưu điện tỉnh; các sở, ban ngành, UBND cấp huyện",
     [("Bưu điện tỉnh", ("buu-dien-tinh",)), ("các sở, ban ngành", ("cac-so-ban-nganh",)),
      ("UBND cấp huyện", ("ubnd-cap-huyen",))]),
    ("Trung tâm Phục vụ Hành chính công; Bộ phận một cửa cấp huyện, cấp xã.",
     [("Trung tâm Phục vụ Hành chính công", ("trung-tam-phuc-vu-hanh-chinh-cong",)),
      ("Bộ phận một cửa cấp huyện, cấp xã", ("bo-phan-mot-cua-cap-huyen", "bo-phan-mot-cua-cap-xa"))]),
    ("Các sở: Nội vụ, Tư pháp, Tài chính, Thông tin và Truyền thông, Khoa học và Công nghệ; Văn phòng UBND tỉnh",
     [("Các sở: Nội vụ, Tư pháp, Tài chính, Thông tin và Truyền thông, Khoa học và Công nghệ",
       ("so-noi-vu", "so-tu-phap", "so-tai-chinh", "so-thong-tin-va-truyen-thong", "so-khoa-hoc-va-cong-nghe")),
      ("Văn phòng UBND tỉnh", ("van-phong-ubnd-tinh",))]),
    ("- Báo Ninh Bình; Đài Phát thanh và Truyền hình tỉnh;\n- Các sở, ban, ngành UBND cấp huyện, UBND cấp xã",
     [("Báo Ninh Bình", ("bao-ninh-binh",)), ("Đài Phát thanh và Truyền hình tỉnh", ("dai-phat-thanh-va-truyen-hinh-tinh",)),
      ("Các sở, ban, ngành", ("cac-so-ban-nganh",)), ("UBND cấp huyện", ("ubnd-cap-huyen",)),
      ("UBND cấp xã", ("ubnd-cap-xa",))]),
    ("Sở Nội vụ; Sở Tài chính; UBND cấp huyện",
     [("Sở Nội vụ", ("so-noi-vu",)), ("Sở Tài chính", ("so-tai-chinh",)), ("UBND cấp huyện", ("ubnd-cap-huyen",))]),
    ("Sở Nội vụ, Sở Công thương, UBND thành phố Tam Điệp",
     [("Sở Nội vụ", ("so-noi-vu",)), ("Sở Công thương", ("so-cong-thuong",)),
      ("UBND thành phố Tam Điệp", ("ubnd-thanh-pho-tam-diep",))]),
    ("Các Sở, Ban, ngành", [("Các Sở, Ban, ngành", ("cac-so-ban-nganh",))]),
]


@pytest.mark.parametrize("cell, expected", MULTI, ids=[c[:40] for c, _ in MULTI])
def test_multi_name_cells_give_mentions_in_order(registry, cell, expected):
    mentions = registry.resolve(cell)
    assert [(m.text, m.agency_ids) for m in mentions] == expected


def test_multi_name_cell_in_nfd_upper_case_gives_the_same_mentions(registry):
    cell = "Các sở, ban, ngành, UBND cấp huyện UBND cấp xã"
    assert ids(registry.resolve(nfd(cell.upper()))) == [("cac-so-ban-nganh",), ("ubnd-cap-huyen",), ("ubnd-cap-xa",)]
    assert [m.text for m in registry.resolve(cell.upper())] == ["CÁC SỞ, BAN, NGÀNH", "UBND CẤP HUYỆN", "UBND CẤP XÃ"]


def test_every_lead_and_coordinator_cell_of_the_table_resolves(registry):
    with (DATA / "ninh-binh-2023" / "table.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        for column in ("lead", "coordinators"):
            if row[column]:
                assert registry.resolve(row[column]), (row["row_id"], column)


# ------------------------------------------------------------------------------------------------ unknown names

@pytest.mark.parametrize("cell, unknown", [
    ("Sở Ngoại vụ", "Sở Ngoại vụ"),
    ("Sở Tư pháp, Sở Ngoại vụ", "Sở Ngoại vụ"),
    ("Sở Ngoại vụ; Sở Tư pháp", "Sở Ngoại vụ"),
    ("Sở Tư pháp và Công an tỉnh", "Công an tỉnh"),
    ("Sở Tư pháp tỉnh Hà Nam", "tỉnh Hà Nam"),
])
def test_unknown_name_raises_lookup_error_naming_it(registry, cell, unknown):
    with pytest.raises(LookupError) as caught:
        registry.resolve(cell)
    message = str(caught.value)
    assert unknown in message
    if unknown != cell:
        assert "Sở Tư pháp" not in message  # only the unknown part is named


def test_a_known_name_glued_to_other_letters_is_unknown(registry):
    with pytest.raises(LookupError, match="Sở Tư phápx"):
        registry.resolve("Sở Tư phápx")
