"""Agencies scoped by province and through time (#14): two provinces' plans keep their own departments, the
2025 changes of data/agency-changes.csv become ORG change events, and `responsible-today` follows them.

Every kind of change is tested on a date before it and on its date: merge, abolish and reorganise from the
bundled data; absorb and rename from a data folder with two more (fictitious, test-only) changes.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from cchc_graph.build import DEFAULT_PLAN, Sources, build_graph
from cchc_graph.cli import main
from cchc_graph.errors import SourceError
from cchc_graph.namespaces import CCHC, ID, ORG, SKOS
from cchc_graph.reason import closure
from cchc_graph.resources import DATA
from cchc_graph.store import assemble
from cchc_graph.validate import validate_graph
from tests.golden_cases import answer_rows

NB, HN = "https://w3id.org/cchc-graph/id/plan/ninh-binh-2023", "https://w3id.org/cchc-graph/id/plan/ha-nam-2023"
ROW_IDS = [row["row_id"] for row in csv.DictReader((DEFAULT_PLAN / "table.csv").read_text(encoding="utf-8").splitlines(True))]


def plan_of(folder: Path, province: str, slug: str, table_as) -> Path:
    """The 2023 plan as if `province` had issued it: its province, slug and issuer, and its table as
    `table_as` rewrites it."""
    target = folder / f"{slug}-2023"
    target.mkdir(parents=True)
    toml = (DEFAULT_PLAN / "plan.toml").read_text(encoding="utf-8")
    toml = toml.replace('province = "Ninh Bình"', f'province = "{province}"').replace(
        'province_slug = "ninh-binh"', f'province_slug = "{slug}"').replace(
        'issuer = "ubnd-tinh-ninh-binh"', f'issuer = "ubnd-tinh-{slug}"')
    (target / "plan.toml").write_text(toml, encoding="utf-8")
    (target / "table.csv").write_text(table_as((DEFAULT_PLAN / "table.csv").read_text(encoding="utf-8")),
                                      encoding="utf-8")
    return target


def ha_nam_plan(folder: Path) -> Path:
    """The 2023 plan as if Hà Nam had issued it, with its own bodies' names."""
    return plan_of(folder, "Hà Nam", "ha-nam", as_ha_nam)


def as_ha_nam(text: str) -> str:
    # Tam Điệp is a city of Ninh Bình: Hà Nam's plan names its district level instead.
    return text.replace("UBND thành phố Tam Điệp", "UBND cấp huyện").replace("Ninh Bình", "Hà Nam")


def plan_of_2026(folder: Path) -> Path:
    """The 2023 table in a plan of 2026: written after the reorganisation, it names bodies that ended."""
    target = folder / "ninh-binh-2026"
    target.mkdir(parents=True)
    toml = (DEFAULT_PLAN / "plan.toml").read_text(encoding="utf-8").replace("year = 2023", "year = 2026")
    (target / "plan.toml").write_text(toml, encoding="utf-8")
    shutil.copy(DEFAULT_PLAN / "table.csv", target / "table.csv")
    return target


@pytest.fixture(scope="module")
def plans(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("plans")
    ha_nam_plan(folder)
    plan_of_2026(folder)
    return folder


@pytest.fixture(scope="module")
def two_provinces(plans, ontology):
    graph = build_graph([DEFAULT_PLAN, plans / "ha-nam-2023"])
    return graph, assemble(graph, ontology, closure(graph, ontology))


def answers(dataset, name: str, **params) -> list[dict[str, str]]:
    columns, rows = answer_rows(dataset, name, params)
    return [dict(zip(columns, row)) for row in rows]


# ------------------------------------------------------------------------------------------------ provinces

def test_two_provinces_keep_distinct_departments(two_provinces):
    graph, _ = two_provinces
    row = lambda plan, row_id: URIRef(f"{plan}/row/{row_id}")  # noqa: E731
    # III-03's lead is Sở Nội vụ: each plan's own.
    assert set(graph.objects(row(NB, "III-03"), CCHC.leadAgency)) == {ID["agency/ninh-binh/so-noi-vu"]}
    assert set(graph.objects(row(HN, "III-03"), CCHC.leadAgency)) == {ID["agency/ha-nam/so-noi-vu"]}
    assert (ID["agency/ha-nam/so-noi-vu"], CCHC.province, ID["province/ha-nam"]) in graph
    assert (ID["agency/ha-nam/so-noi-vu"], ORG.memberOf, ID["agency/ha-nam/cac-so-ban-nganh"]) in graph
    # The issuer and the province-named bodies are filled in from the registry's patterns.
    assert (URIRef(HN), URIRef("http://data.europa.eu/eli/ontology#passed_by"), ID["agency/ha-nam/ubnd-tinh-ha-nam"]) in graph
    assert set(graph.objects(row(HN, "VII-02"), CCHC.leadAgency)) >= {ID["agency/ha-nam/bao-ha-nam"]}
    # National bodies are shared.
    assert (ID["agency/bo-noi-vu"], CCHC.province, None) not in graph


def test_agency_involvement_answers_for_one_province(two_provinces, dataset):
    _, both = two_provinces
    alone = [{**a, "cell": as_ha_nam(a["cell"])} for a in answers(dataset, "agency-involvement", agency="Sở Nội vụ")]
    ha_nam = answers(both, "agency-involvement", agency="Sở Nội vụ", province="ha-nam")
    assert ha_nam == alone  # the same table: the same rows, now Hà Nam's
    assert answers(both, "agency-involvement", agency="Sở Nội vụ", province="ha-nam", plan="ninh-binh-2023") == []
    assert answers(both, "agency-involvement", agency="Sở Nội vụ", province="Hà Nam", plan="ha-nam-2023") == alone


def test_cli_agency_involvement_with_province(runner, plans, tmp_path):
    graph = tmp_path / "graph.ttl"
    built = runner.invoke(main, ["build", str(DEFAULT_PLAN), str(plans / "ha-nam-2023"), "-o", str(graph), "--quiet"])
    assert built.exit_code == 0, built.output
    args = ["query", "agency-involvement", "-p", "agency=Sở Nội vụ", "--graph", str(graph), "--format", "csv"]
    ha_nam = runner.invoke(main, args + ["-p", "province=ha-nam", "-p", "plan=ha-nam-2023"])
    ninh_binh = runner.invoke(main, args + ["-p", "province=ninh-binh", "-p", "plan=ha-nam-2023"])
    assert ha_nam.exit_code == 0 and ninh_binh.exit_code == 0, ha_nam.output + ninh_binh.output
    golden = (Path(__file__).parent / "golden" / "agency-involvement_so-noi-vu.csv").read_text(encoding="utf-8")
    assert sorted(ha_nam.stdout.splitlines()[1:]) == sorted(as_ha_nam(golden).splitlines()[1:])
    assert ninh_binh.stdout.splitlines() == ["row_id,role,involvement,through,cell,timeframe,position"]
    unknown = runner.invoke(main, args + ["-p", "province=Hà Tây"])
    assert unknown.exit_code == 2
    assert "parameter province='Hà Tây': no province has this name or id" in unknown.stderr


def test_agency_workload_per_province(two_provinces):
    _, both = two_provinces
    for province in ("ninh-binh", "ha-nam"):
        lines = {line["id"]: line for line in answers(both, "agency-workload", province=province)}
        assert (lines["so-noi-vu"]["lead"], lines["so-noi-vu"]["lead_through_group"]) == ("13", "16")
    assert "bao-ha-nam" in {line["id"] for line in answers(both, "agency-workload", province="ha-nam")}
    assert "bao-ha-nam" not in {line["id"] for line in answers(both, "agency-workload", province="ninh-binh")}


def test_succession_joins_the_two_provinces_departments(two_provinces):
    """Sở Tài chính of the new tỉnh Ninh Bình (2025) has the rows of the Sở Tài chính and Sở Kế hoạch và Đầu tư
    of both 2023 plans (Ninh Bình: 12 + 2 led, Hà Nam the same)."""
    _, both = two_provinces
    lines = {line["id"]: line for line in
             answers(both, "agency-workload", province="ninh-binh-2025", through_succession="true")}
    assert (lines["so-tai-chinh"]["lead"], lines["so-tai-chinh"]["coordinator"]) == ("28", "2")
    assert answers(both, "agency-workload", province="ninh-binh-2025") == []  # no plan of 2025 names it


# ------------------------------------------------------------------------------------------------ responsible-today

def holders(dataset, row_id: str, date: str) -> dict[tuple[str, str, str], dict[str, str]]:
    return {(a["role"], a["named"], a["through"]): a for a in
            answers(dataset, "responsible-today", row_id=row_id, date=date, plan="ninh-binh-2023")}


@pytest.mark.parametrize("date", ["2024-12-31", "2025-03-01", "2025-07-01", "2026-01-01"])
def test_every_row_of_the_2023_plan_has_its_holders(dataset, date):
    for row_id in ROW_IDS:
        lines = holders(dataset, row_id, date)
        assert lines, row_id
        for line in lines.values():
            # A holder, or an abolition with its date and where the duties went; never a guessed successor.
            assert line["holder"] or (line["change"] == "abolish" and line["since"] == "2025-07-01"
                                      and "no single successor" in line["note"]), (row_id, line)
            if date < "2025-01-01":
                assert (line["holder"], line["since"], line["change"]) == (line["named"], "", ""), (row_id, line)


def test_vi_08_lead_on_2026_01_01(dataset):
    """The README's worked example: Sở Thông tin và Truyền thông → Sở Khoa học và Công nghệ (45/2025/NĐ-CP,
    01/03/2025) → Sở Khoa học và Công nghệ of the new tỉnh Ninh Bình (202/2025/QH15, 01/07/2025)."""
    lead = holders(dataset, "VI-08", "2026-01-01")[("lead", "Sở Thông tin và Truyền thông", "")]
    assert {k: lead[k] for k in ("holder", "since", "change", "legal_basis", "confidence")} == {
        "holder": "Sở Khoa học và Công nghệ", "since": "2025-07-01", "change": "merge",
        "legal_basis": "202/2025/QH15", "confidence": "H"}


# (named, date before, date of the change, holder from then, change, legal basis, confidence)
CHANGES = [
    ("Sở Kế hoạch và Đầu tư", "2025-02-28", "2025-03-01", "Sở Tài chính", "merge", "45/2025/NĐ-CP", "H"),
    ("Sở Lao động - Thương binh và Xã hội", "2025-02-28", "2025-03-01", "Sở Nội vụ", "merge", "45/2025/NĐ-CP", "H"),
    ("Sở Tài nguyên và Môi trường", "2025-02-28", "2025-03-01", "Sở Nông nghiệp và Môi trường", "merge",
     "45/2025/NĐ-CP", "H"),
    ("Sở Giao thông vận tải", "2025-02-28", "2025-03-01", "Sở Xây dựng", "merge", "45/2025/NĐ-CP", "H"),
    ("UBND thành phố Ninh Bình", "2024-12-31", "2025-01-01", "UBND thành phố Hoa Lư", "merge", "1318/NQ-UBTVQH15", "M"),
    ("UBND huyện Yên Mô", "2025-06-30", "2025-07-01", "", "abolish", "72/2025/QH15", "H"),
    ("UBND cấp huyện", "2025-06-30", "2025-07-01", "", "abolish", "72/2025/QH15", "H"),
    ("Sở Nội vụ", "2025-06-30", "2025-07-01", "Sở Nội vụ", "merge", "202/2025/QH15", "H"),
]


@pytest.mark.parametrize("named,before,on,holder,change,basis,confidence", CHANGES, ids=[c[0] for c in CHANGES])
def test_holder_before_and_after_a_change(dataset, named, before, on, holder, change, basis, confidence):
    # VI-08's coordinators name "Các sở, ban, ngành" and "UBND cấp huyện": every department and district.
    line = lambda date: next(a for (role, n, _), a in holders(dataset, "VI-08", date).items()  # noqa: E731
                             if role == "coordinator" and n == named)
    assert line(before)["holder"] == named and line(before)["change"] in ("", "merge")
    after = line(on)
    assert (after["holder"], after["since"], after["change"], after["legal_basis"], after["confidence"]) == (
        holder, on, change, basis, confidence)


def test_reorganised_commune_level(dataset):
    """UBND cấp xã of the old tỉnh Ninh Bình becomes that of the new one (reorganise, 1674/NQ-UBTVQH15)."""
    before = holders(dataset, "II-03", "2025-06-30")[("coordinator", "UBND cấp xã", "")]
    after = holders(dataset, "II-03", "2025-07-01")[("coordinator", "UBND cấp xã", "")]
    assert (before["holder"], before["change"]) == ("UBND cấp xã", "")
    assert (after["holder"], after["since"], after["change"], after["legal_basis"]) == (
        "UBND cấp xã", "2025-07-01", "reorganise", "1674/NQ-UBTVQH15")
    assert "129 commune-level units" in after["note"]


def test_a_province_without_a_change_of_its_own_keeps_its_bodies(dataset, ontology):
    """The newspaper merged only in Ninh Bình (02/05/2025, no number known: no legal basis)."""
    lead = holders(dataset, "VII-03", "2025-05-02")[("lead", "Báo Ninh Bình", "")]
    assert (lead["holder"], lead["since"], lead["change"], lead["legal_basis"]) == (
        "Báo và Phát thanh, Truyền hình Ninh Bình", "2025-05-02", "merge", "")
    assert holders(dataset, "VII-03", "2025-05-01")[("lead", "Báo Ninh Bình", "")]["holder"] == "Báo Ninh Bình"


@pytest.fixture(scope="module")
def more_changes(tmp_path_factory, ontology):
    """The bundled data with an absorption and a renaming (test-only facts) on 2025-04-01."""
    data = tmp_path_factory.mktemp("data") / "data"
    shutil.copytree(DATA, data, ignore=shutil.ignore_patterns("ninh-binh-2023"))
    with (data / "agencies.csv").open("a", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerow(
            ["so-dan-toc-va-ton-giao", "agency", "Sở Dân tộc và Tôn giáo", "Department of Ethnic and Religious Affairs",
             "", "cac-so-ban-nganh", "provincial", "", "yes", "2025-04-01", "test"])
    with (data / "agency-changes.csv").open("a", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["t-absorb", "2025-04-01", "absorb", "every province", "Sở Du lịch", "Sở Văn hóa và Thể thao",
                         "", "", "", "L", "test"])
        writer.writerow(["t-rename", "2025-04-01", "rename", "every province", "Ban Dân tộc tỉnh",
                         "Sở Dân tộc và Tôn giáo", "", "", "", "M", "test"])
    graph = build_graph([DEFAULT_PLAN], Sources.load(data))
    return assemble(graph, ontology, closure(graph, ontology))


@pytest.mark.parametrize("named,holder,change,confidence", [
    ("Sở Du lịch", "Sở Văn hóa và Thể thao", "absorb", "L"),
    ("Ban Dân tộc tỉnh", "Sở Dân tộc và Tôn giáo", "rename", "M"),
])
def test_absorb_and_rename(more_changes, named, holder, change, confidence):
    def line(date):
        return holders(more_changes, "VI-08", date)[("coordinator", named, "Các sở, ban, ngành")]
    assert (line("2025-03-31")["holder"], line("2025-03-31")["change"]) == (named, "")
    assert {k: line("2025-04-01")[k] for k in ("holder", "since", "change", "legal_basis", "confidence")} == {
        "holder": holder, "since": "2025-04-01", "change": change, "legal_basis": "", "confidence": confidence}
    # On 2026-01-01 the body of the new province, and the lowest confidence on the way.
    later = line("2026-01-01")
    assert (later["holder"], later["since"], later["confidence"]) == (holder, "2025-07-01", confidence)
    history = answers(more_changes, "agency-history", agency=named)
    assert [(h["direction"], h["other"], h["other_province"], h["effective_date"], h["change"]) for h in history] == [
        ("successor", holder, "ninh-binh", "2025-04-01", change),
        ("successor", holder, "ninh-binh-2025", "2025-07-01", "merge")]


# ------------------------------------------------------------------------------------------------ checks

@pytest.fixture(scope="module")
def with_2026(plans, ontology):
    graph = build_graph([DEFAULT_PLAN, plans / "ninh-binh-2026"])
    return graph, assemble(graph, ontology, closure(graph, ontology))


def test_plan_of_2026_naming_defunct_agencies(with_2026):
    _, dataset = with_2026
    found = answers(dataset, "plans-naming-defunct-agencies")
    assert {a["plan_id"] for a in found} == {"ninh-binh-2026"}
    vi_01 = [a for a in found if a["row_id"] == "VI-01"]
    assert vi_01 == [
        {"plan_id": "ninh-binh-2026", "row_id": "VI-01", "role": "coordinator", "agency_name": "UBND cấp huyện",
         "ended": "2025-07-01", "change": "abolish", "became": "", "legal_basis": "72/2025/QH15"},
        {"plan_id": "ninh-binh-2026", "row_id": "VI-01", "role": "lead", "agency_name": "Sở Thông tin và Truyền thông",
         "ended": "2025-03-01", "change": "merge", "became": "Sở Khoa học và Công nghệ", "legal_basis": "45/2025/NĐ-CP"}]
    # The 2026 plan's Sở Nội vụ is the new province's, which exists: not reported.
    assert "Sở Nội vụ" not in {a["agency_name"] for a in found}


@pytest.mark.parametrize("engine", ["pyshacl", "oxigraph"])
def test_shacl_warns_of_a_defunct_agency(with_2026, ontology, engine):
    graph, _ = with_2026
    outcome = validate_graph(graph, ontology=ontology, engine=engine)
    shape = URIRef("https://w3id.org/cchc-graph/shapes#PlanRow-agencyInPeriod")
    warned = {(str(f.focus).rsplit("/", 1)[1], tuple(str(f.value).rsplit("/", 2)[1:])) for f in outcome.findings if f.shape == shape}
    assert all(str(f.focus).startswith("https://w3id.org/cchc-graph/id/plan/ninh-binh-2026/")
               for f in outcome.findings if f.shape == shape)
    assert ("VI-01", ("ninh-binh", "so-thong-tin-va-truyen-thong")) in warned
    assert ("VI-01", ("ninh-binh", "ubnd-cap-huyen")) in warned
    assert {f.severity for f in outcome.findings if f.shape == shape} == {"warning"}


def test_the_2023_plan_names_no_defunct_agency(dataset):
    assert answers(dataset, "plans-naming-defunct-agencies") == []


# ------------------------------------------------------------------------------------------------ the data files

def test_change_naming_an_unknown_agency_is_an_error(data_copy):
    with (data_copy / "agency-changes.csv").open("a", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerow(
            ["bad", "2025-03-01", "merge", "every province", "Sở Không Có", "Sở Nội vụ", "", "", "", "H", "test"])
    with pytest.raises(SourceError) as error:
        build_graph([DEFAULT_PLAN], Sources.load(data_copy))
    assert str(error.value) == (f"{data_copy / 'agency-changes.csv'}: row 15: column predecessors: 'Sở Không Có' is "
                                "not one agency of the registry (data/agencies.csv) of Ninh Bình")


def test_change_with_an_unknown_kind_is_an_error(data_copy):
    with (data_copy / "agency-changes.csv").open("a", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerow(
            ["bad", "2025-03-01", "split", "national", "Bộ Nội vụ", "Bộ Nội vụ", "", "", "", "H", "test"])
    with pytest.raises(SourceError) as error:
        Sources.load(data_copy)
    assert str(error.value) == (f"{data_copy / 'agency-changes.csv'}: row 15: column kind: kind must be one of "
                                "merge, absorb, abolish, rename, reorganise, not 'split'")


def test_provinces_before_and_after_the_merger():
    provinces = Sources.load().provinces.by_slug
    before = [p for p in provinces.values() if p.valid_on(dt.date(2025, 6, 30))]
    after = [p for p in provinces.values() if p.valid_on(dt.date(2025, 7, 1))]
    assert (len(before), len(after)) == (63, 34)
    assert provinces["ninh-binh-2025"].formed_from == ("ninh-binh", "ha-nam", "nam-dinh")
    assert str(provinces["ha-nam"].valid_until) == "2025-06-30" and str(provinces["ninh-binh-2025"].valid_from) == "2025-07-01"


# ------------------------------------------------------------------------------------------------ cities
def city_plan(folder: Path) -> Path:
    """The 2023 table as Đà Nẵng, a centrally-run city (thành phố), writes it: 'UBND thành phố', 'Thành ủy'."""
    def as_da_nang(table: str) -> str:
        table = table.replace("UBND thành phố Tam Điệp", "UBND cấp huyện").replace("Ninh Bình", "Đà Nẵng")
        return table.replace("Tỉnh ủy", "Thành ủy").replace("tỉnh", "thành phố")
    return plan_of(folder, "Đà Nẵng", "da-nang", as_da_nang)


def test_a_city_names_its_bodies_as_a_city(tmp_path):
    """A centrally-run city's committee is 'UBND thành phố Đà Nẵng' (not 'UBND tỉnh'), its party committee
    'Thành ủy'; the ids, and so the IRIs, are those of every province."""
    graph = build_graph([city_plan(tmp_path)])
    committee = ID["agency/da-nang/ubnd-tinh-da-nang"]
    labels = {(str(o), o.language) for o in graph.objects(committee, SKOS.prefLabel)}
    assert labels == {("UBND thành phố Đà Nẵng", "vi"), ("People's Committee of Đà Nẵng city", "en")}
    assert {str(o) for o in graph.objects(ID["agency/da-nang/ban-to-chuc-tinh-uy"], SKOS.prefLabel)} == {
        "Ban Tổ chức Thành ủy", "Organisation Commission of the City Party Committee"}
    # the cells say 'UBND thành phố', 'Văn phòng UBND thành phố': resolved to the city's bodies
    office = ID["agency/da-nang/van-phong-ubnd-tinh"]
    assert (office, SKOS.prefLabel, Literal("Văn phòng UBND thành phố", lang="vi")) in graph
    assert any(graph.subjects(CCHC.leadAgency, office))


def test_registry_fills_the_unit_words_of_the_kind():
    registry = Sources.load().registry
    city, province = registry.for_province("Huế", "hue", "thành phố"), registry.for_province("Hà Nam", "ha-nam")
    assert city.agencies["ubnd-tinh-hue"].name_vi == "UBND thành phố Huế"
    assert province.agencies["ubnd-tinh-ha-nam"].name_vi == "UBND tỉnh Hà Nam"
    assert city.agencies["thanh-tra-tinh"].name_en == "City Inspectorate"
    assert province.agencies["thanh-tra-tinh"].name_en == "Provincial Inspectorate"
    # A city's plan that keeps the provincial spelling still names its committee (the spelling is an alias).
    assert [m.agency_ids for m in city.resolve("UBND tỉnh")] == [("ubnd-tinh-hue",)]
    assert [m.agency_ids for m in city.resolve("UBND Thành phố")] == [("ubnd-tinh-hue",)]
    with pytest.raises(ValueError, match="kind must be one of"):
        registry.for_province("Huế", "hue", "huyện")
