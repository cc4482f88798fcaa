"""Issue #12, items 2 and 3: names and numbers as people type them (no diacritics, old tone placement, 'Ð',
abbreviations) give the same answer as the canonical spelling, or a helpful error (ambiguous: the candidates;
nothing: did you mean); enumerated parameters are checked against what the graph holds; a repeated
parameter means "any of these" where the query says so and is refused elsewhere; dates as Vietnamese write
them."""

from __future__ import annotations

import pytest

from cchc_graph.agencies import load_registry
from cchc_graph.build import DATA
from cchc_graph.cli import main
from cchc_graph.names import (ABBREVIATIONS, TONE_PAIRS, MatchError, bare_key, loose_key, resolve, spelling_key)
from cchc_graph.query import (DOCUMENT_LEVELS, QueryError, get_query, normal_row_id, parse_date, run_local, run_saved)
from cchc_graph.text import fold
from tests.golden_cases import answer_rows

AGENCY_NAMES = "`cchc-graph query agency-names` lists them"


def rows_of(dataset, name, **params):
    return answer_rows(dataset, name, params)


def error_of(dataset, name, **params) -> str:
    with pytest.raises(QueryError) as caught:
        run_saved(get_query(name), params, lambda text: run_local(dataset, text))
    return str(caught.value)


# ------------------------------------------------------------------------------------------------ the keys

@pytest.mark.parametrize("old,new", sorted(TONE_PAIRS.items()))
def test_every_tone_placement_pair_is_one_spelling(old, new):
    assert spelling_key(old) == spelling_key(new) == new
    assert loose_key(old.upper()) == loose_key(new.upper()) == new


def test_the_tone_pairs_are_the_fifteen_of_oa_oe_uy():
    assert len(TONE_PAIRS) == 15
    assert {"oà": "òa", "oá": "óa", "oả": "ỏa", "oã": "õa", "oạ": "ọa", "oè": "òe", "uỳ": "ùy", "uý": "úy",
            "uỷ": "ủy", "uỹ": "ũy", "uỵ": "ụy"}.items() <= TONE_PAIRS.items()


def test_keys_by_level():
    assert [key("Uỷ ban nhân dân cấp huyện") for key in (fold, loose_key, bare_key)] == [
        "uỷ ban nhân dân cấp huyện", "ủy ban nhân dân cấp huyện", "uy ban nhan dan cap huyen"]
    assert loose_key("Hoà Bình, Thuý") == loose_key("Hòa Bình, Thúy") == "hòa bình, thúy"
    assert bare_key("SỞ NỘI VỤ") == bare_key("So Noi vu") == "so noi vu"
    assert spelling_key(fold("NÐ-CP")) == "nđ-cp"  # U+00D0, the eth that looks like Đ
    assert spelling_key(fold("NÐ-CP")) == spelling_key(fold("NĐ-CP")) == "nđ-cp"
    assert len(spelling_key(fold("Uỷ ban ÐỒNG"))) == len(fold("Uỷ ban ÐỒNG"))  # the registry cuts cells by it


@pytest.mark.parametrize("short,words", [("UBND tỉnh", "Ủy ban nhân dân tỉnh"), ("HĐND tỉnh", "Hội đồng nhân dân tỉnh"),
                                         ("HDND tỉnh", "Hội đồng nhân dân tỉnh"), ("KH", "Kế hoạch"),
                                         ("QĐ", "Quyết định"), ("QD", "Quyết định"), ("NQ", "Nghị quyết"),
                                         ("NĐ", "Nghị định"), ("TTg", "Thủ tướng Chính phủ")])
def test_abbreviations_are_expanded_on_word_boundaries(short, words):
    assert loose_key(short) == loose_key(words)
    assert bare_key(short.replace("Đ", "D").replace("ỉ", "i")) == bare_key(words)
    assert set(ABBREVIATIONS) == {"ubnd", "hđnd", "kh", "qđ", "nq", "nđ", "ttg"}


def test_abbreviations_only_as_whole_words():
    assert loose_key("Khánh") == "khánh" and loose_key("UBNDX") == "ubndx"


@pytest.mark.parametrize("spelling", ["62/2020/NĐ-CP", "62/2020/ND-CP", "62/2020/NÐ-CP", "62/2020/nd-cp",
                                      "62 / 2020 / ND - CP", "Nghi dinh so 62/2020/ND-CP"])
def test_document_keys(spelling):
    assert DOCUMENT_LEVELS[-1](spelling) == "62/2020/nd-cp"


# ------------------------------------------------------------------------------------------------ the resolver

CANDIDATES = [("Sở Nội vụ", "a"), ("Sở Nói vụ", "b"), ("so-noi-vu", "a"), ("UBND cấp huyện, cấp xã", "h"),
              ("UBND cấp huyện, cấp xã", "x")]


def test_resolver_exact_then_fallbacks():
    assert resolve("SỞ NỘI VỤ", CANDIDATES, not_found="none", lister="L") == ["a"]
    assert resolve("Sở Nói vụ", CANDIDATES, not_found="none", lister="L") == ["b"]
    # An exact spelling that names two things names both (an alias for two groups).
    assert resolve("ubnd cấp huyện, cấp xã", CANDIDATES, not_found="none", lister="L") == ["h", "x"]
    assert resolve("Uy ban nhan dan cap huyen, cap xa", CANDIDATES, not_found="none", lister="L") == ["h", "x"]


def test_resolver_never_picks_one_of_several_by_a_fallback():
    with pytest.raises(MatchError) as caught:
        resolve("So Noi vu", CANDIDATES, not_found="none", lister="L")
    assert str(caught.value) == "ambiguous: it could be 'Sở Nói vụ' or 'Sở Nội vụ'; give one of them as written"


def test_resolver_did_you_mean_and_valid_values():
    with pytest.raises(MatchError) as caught:
        resolve("Sở Nộ", CANDIDATES, not_found="no such name", lister="`x`")
    assert str(caught.value) == "no such name; did you mean 'Sở Nội vụ' or 'Sở Nói vụ'? `x` lists them"
    with pytest.raises(MatchError) as caught:
        resolve("zzz", [("p", "p"), ("q", "q")], not_found="no such thing", lister="`x`", valid=["p", "q"])
    assert str(caught.value) == "no such thing; valid: p, q"
    # Nothing to choose from (a graph with no plans): a plain "not found", not a crash
    with pytest.raises(MatchError) as caught:
        resolve("ninh-binh-2023", [], not_found="no such plan", lister="`x`")
    assert str(caught.value) == "no such plan; `x` lists them"


# ------------------------------------------------------------------------------------------------ agencies

@pytest.mark.parametrize("spelling,canonical", [
    ("So Noi vu", "Sở Nội vụ"), ("sở nội vụ", "Sở Nội vụ"), ("SO NOI VU", "Sở Nội vụ"),
    ("Uỷ ban nhân dân cấp huyện", "Ủy ban nhân dân cấp huyện"), ("UBND cấp huyện", "Ủy ban nhân dân cấp huyện"),
    ("Ủy ban nhân dân cấp huyện", "UBND cấp huyện"), ("ubnd cap huyen", "UBND cấp huyện"),
    ("Uy ban nhan dan cap huyen", "UBND cấp huyện"), ("Van phong UBND tinh", "Văn phòng UBND tỉnh"),
])
def test_agency_spellings_give_the_canonical_rows(dataset, spelling, canonical):
    expected = rows_of(dataset, "agency-involvement", agency=canonical)
    assert expected[1]
    assert rows_of(dataset, "agency-involvement", agency=spelling) == expected


# Each name is the body of the 2023 tỉnh Ninh Bình and that of the new one (01/07/2025): both nodes.
@pytest.mark.parametrize("spelling,agency_id", [("Hội đồng nhân dân tỉnh", "hdnd-tinh-ninh-binh"),
                                               ("HDND tinh Ninh Binh", "hdnd-tinh-ninh-binh"),
                                               ("Uỷ ban nhân dân tỉnh", "ubnd-tinh-ninh-binh"),
                                               ("UBND cấp xã", "ubnd-cap-xa")])
def test_agency_abbreviation_resolves_to_the_registry_node(dataset, spelling, agency_id):
    from cchc_graph.query import bindings_for, lookups_from
    lookups = lookups_from(lambda text: run_local(dataset, text).rows)
    agency = bindings_for(get_query("agency-involvement"), {"agency": spelling}, lambda: lookups)["agency"]
    assert [str(a).split("/agency/")[1] for a in agency] == [f"ninh-binh-2025/{agency_id}", f"ninh-binh/{agency_id}"]


def test_agency_close_name_says_did_you_mean(dataset):
    assert error_of(dataset, "agency-involvement", agency="So Noi") == (
        "parameter agency='So Noi': no agency or group of the registry has this name, alias or id; "
        f"did you mean 'Sở Nội vụ'? {AGENCY_NAMES}")


def test_agency_far_name_names_the_lookup(dataset):
    assert error_of(dataset, "agency-involvement", agency="Công an tỉnh") == (
        f"parameter agency='Công an tỉnh': no agency or group of the registry has this name, alias or id; {AGENCY_NAMES}")


def test_ambiguous_agency_exits_2_listing_both(runner, built_graph_file, tmp_path):
    """A graph whose registry has two names that differ only in diacritics: the bare spelling matches both."""
    graph = tmp_path / "graph.ttl"
    graph.write_text(built_graph_file.read_text(encoding="utf-8") + """
<https://w3id.org/cchc-graph/id/agency/so-noi-vu-2> a <https://w3id.org/cchc-graph/ontology#Agency> ;
  <http://purl.org/dc/terms/identifier> "so-noi-vu-2" ;
  <http://www.w3.org/2004/02/skos/core#prefLabel> "Sở Nói vụ"@vi .
""", encoding="utf-8")
    result = runner.invoke(main, ["query", "agency-involvement", "-p", "agency=So Noi vu", "--graph", str(graph),
                                  "--no-reasoning"])
    assert result.exit_code == 2
    assert result.stderr == ("error: parameter agency='So Noi vu': ambiguous: it could be 'Sở Nói vụ' or 'Sở Nội vụ'; "
                             "give one of them as written\n")
    exact = runner.invoke(main, ["query", "agency-involvement", "-p", "agency=Sở Nói vụ", "--graph", str(graph),
                                 "--no-reasoning", "--format", "csv"])
    assert exact.exit_code == 0 and exact.output == "row_id,role,involvement,through,cell,timeframe,position\n"


def test_several_agencies_mean_any_of_them(dataset):
    columns, one = rows_of(dataset, "agency-involvement", agency="Sở Nội vụ")
    _, other = rows_of(dataset, "agency-involvement", agency="Sở Tư pháp")
    _, both = rows_of(dataset, "agency-involvement", agency=["So Noi vu", "Sở Tư pháp"])
    assert len(both) == len(set(both)) and set(both) == set(one) | set(other)


# ------------------------------------------------------------------------------------------------ the registry (build)

@pytest.fixture(scope="module")
def registry():
    return load_registry(DATA / "agencies.csv", DATA / "agency-aliases.csv")


def test_build_accepts_the_old_tone_placement_and_keeps_the_cell(registry):
    mentions = registry.resolve("Uỷ ban nhân dân cấp huyện; Sở Nội vụ")
    assert [(m.text, m.agency_ids) for m in mentions] == [("Uỷ ban nhân dân cấp huyện", ("ubnd-cap-huyen",)),
                                                         ("Sở Nội vụ", ("so-noi-vu",))]


def test_build_refuses_looser_names_and_suggests(registry):
    with pytest.raises(LookupError) as caught:
        registry.resolve("UBND cấp huyện, So Noi vu")
    assert (str(caught.value), caught.value.hint) == ("unknown agency 'So Noi vu'", "did you mean 'Sở Nội vụ' or 'Bộ Nội vụ'?")


def test_build_error_names_the_closest_registry_names(runner, plan_copy, tmp_path):
    table = plan_copy / "table.csv"
    text = table.read_text(encoding="utf-8")
    assert text.count(",Sở Tư pháp,") >= 1
    table.write_text(text.replace(",Sở Tư pháp,", ",Sở Tư phap,", 1), encoding="utf-8")
    result = runner.invoke(main, ["build", str(plan_copy), "-o", str(tmp_path / "out.ttl")])
    assert result.exit_code == 2
    assert result.stderr.endswith(": column lead: unknown agency 'Sở Tư phap' (not in data/agencies.csv or "
                                  "data/agency-aliases.csv); did you mean 'Sở Tư pháp'?\n")


def test_registry_lookup_is_the_forgiving_resolver(registry):
    assert registry.lookup("So Noi vu") == ["so-noi-vu"]
    assert registry.lookup("Uỷ ban nhân dân cấp xã") == ["ubnd-cap-xa"]
    with pytest.raises(MatchError, match="did you mean 'Sở Nội vụ'"):
        registry.lookup("So Noi")


# ------------------------------------------------------------------------------------------------ documents

@pytest.mark.parametrize("spelling", ["62/2020/ND-CP", "62/2020/NÐ-CP", "62/2020/nd-cp", "62 / 2020 / NĐ-CP",
                                      "Nghi dinh so 62/2020/ND-CP"])
def test_document_spellings_give_the_canonical_rows(dataset, spelling):
    expected = rows_of(dataset, "tasks-citing-document", document="62/2020/NĐ-CP")
    assert len(expected[1]) == 3
    assert rows_of(dataset, "tasks-citing-document", document=spelling) == expected


def test_unknown_document_says_the_closest_numbers(dataset):
    assert error_of(dataset, "tasks-citing-document", document="62/2021/ND-CP") == (
        "parameter document='62/2021/ND-CP': no legal document in the graph has this number; did you mean "
        "'62/2020/NĐ-CP', '60/2021/NĐ-CP', '42/2022/NĐ-CP', '106/2020/NĐ-CP' or '90/2020/NĐ-CP'? "
        "`cchc-graph query document-numbers` lists them")


# ------------------------------------------------------------------------------------------------ query names

def test_unknown_query_says_did_you_mean(runner, built_graph_file):
    result = runner.invoke(main, ["query", "plan-sumary", "--graph", str(built_graph_file)])
    assert result.exit_code == 2
    assert result.stderr == ("error: unknown query 'plan-sumary'; did you mean 'plan-summary'? "
                             "`cchc-graph queries` lists them\n")
    with pytest.raises(QueryError) as caught:
        get_query("zzzz")
    assert str(caught.value) == "unknown query 'zzzz'; `cchc-graph queries` lists them"


# ------------------------------------------------------------------------------------------------ enumerated parameters

KINDS = "decision, document, event, legal-normative-document, list, other, plan, report, resolution, system"


def test_unknown_kind_lists_the_kinds(runner, built_graph_file):
    result = runner.invoke(main, ["query", "products-by-type", "-p", "kind=foo", "--graph", str(built_graph_file)])
    assert result.exit_code == 2
    assert result.stderr == f"error: parameter kind='foo': no such product kind; valid: {KINDS}\n"


@pytest.mark.parametrize("spelling", ["decision", "Quyết định", "quyet dinh", "QĐ", "Decision"])
def test_kind_spellings(dataset, spelling):
    assert rows_of(dataset, "products-by-type", kind=spelling) == rows_of(dataset, "products-by-type", kind="decision")


def test_several_kinds_mean_any_of_them(dataset):
    columns, decisions = rows_of(dataset, "products-by-type", kind="decision")
    _, reports = rows_of(dataset, "products-by-type", kind="report")
    _, both = rows_of(dataset, "products-by-type", kind=["report", "Quyết định"])
    assert decisions and reports
    assert sorted(both) == sorted(decisions + reports)
    # Two names of one kind are that kind once.
    assert rows_of(dataset, "products-by-type", kind=["decision", "Quyết định"]) == (columns, decisions)


@pytest.mark.parametrize("spelling", ["vii-07", "VII-7", "vii-7", "VII 07", "VII-007"])
def test_row_id_forms(dataset, spelling):
    expected = rows_of(dataset, "row-detail", row_id="VII-07")
    assert len(expected[1]) == 14
    assert rows_of(dataset, "row-detail", row_id=spelling) == expected


def test_row_id_normal_form():
    assert [normal_row_id(v) for v in ("vii-07", "VII-7", "iv.3", "II-07", "x y")] == [
        "VII-07", "VII-07", "IV-03", "II-07", "x y"]


def test_unknown_row_id(runner, built_graph_file, dataset):
    result = runner.invoke(main, ["query", "row-detail", "-p", "row_id=VII-99", "--graph", str(built_graph_file)])
    assert result.exit_code == 2
    assert result.stderr == ("error: parameter row_id='VII-99': no such row; did you mean 'VII-19', 'VII-09' or "
                             "'VI-09'? `cchc-graph query row-ids` lists them\n")
    assert error_of(dataset, "row-detail", row_id="VIII-01", plan="ninh-binh-2023") == (
        "parameter row_id='VIII-01': no such row in this plan; did you mean 'VII-01', 'III-01', 'VI-01', 'II-01' or "
        "'VII-19'? "
        "`cchc-graph query row-ids` lists them")


def test_unknown_plan_lists_the_plans(dataset):
    assert error_of(dataset, "agency-involvement", agency="Sở Nội vụ", plan="ninh-binh-2024") == (
        "parameter plan='ninh-binh-2024': no such plan; did you mean 'ninh-binh-2023'? valid: ninh-binh-2023")


# ------------------------------------------------------------------------------------------------ repeated parameters

def test_two_quarters_are_the_union_of_each(runner, built_graph_file):
    def rows(*quarters):
        args = ["query", "due-in-quarter", "-p", "year=2023", "--format", "csv", "--graph", str(built_graph_file)]
        for quarter in quarters:
            args += ["-p", f"quarter={quarter}"]
        result = runner.invoke(main, args)
        assert result.exit_code == 0, result.output
        return result.output.splitlines()[1:]

    third, fourth, both = rows("III"), rows("IV"), rows("III", "IV")
    assert third and fourth and set(third) & set(fourth)  # a row due in both is listed once
    assert len(both) == len(set(both)) and set(both) == set(third) | set(fourth)
    assert both == sorted(both, key=lambda line: int(line.rsplit(",", 1)[1]))  # still in table order


def test_a_repeated_single_parameter_is_refused(runner, built_graph_file):
    result = runner.invoke(main, ["query", "due-in-quarter", "-p", "year=2023", "-p", "year=2024", "-p", "quarter=1",
                                  "--graph", str(built_graph_file)])
    assert result.exit_code == 2
    assert result.stderr == ("error: parameter year is given twice ('2023', '2024'); query 'due-in-quarter' takes "
                             "one year\n")


def test_queries_lists_repeatable_parameters(runner):
    output = runner.invoke(main, ["queries"]).output
    assert "    --param quarter=<quarter>  (required, repeatable) " in output
    assert "    --param year=<year>  (required) " in output


# ------------------------------------------------------------------------------------------------ dates

@pytest.mark.parametrize("spelling", ["01/07/2023", "1/7/2023"])
def test_vietnamese_dates(dataset, spelling):
    assert rows_of(dataset, "overdue-rows", date=spelling) == rows_of(dataset, "overdue-rows", date="2023-07-01")


@pytest.mark.parametrize("spelling", ["2023-W01-1", "20230701", "2023-02-30", "31/02/2023", "07/01/23", "2023-7-1"])
def test_bad_dates(dataset, spelling):
    assert error_of(dataset, "overdue-rows", date=spelling) == (
        f"parameter date={spelling!r}: not a date; write YYYY-MM-DD or DD/MM/YYYY (2023-07-01 or 01/07/2023)")


def test_parse_date_day_first():
    import datetime as dt
    assert parse_date("02/03/2023") == dt.date(2023, 3, 2) == parse_date("2023-03-02")


def test_row_ids_lookup_lists_the_table_in_order(dataset):
    import csv

    with (DATA / "ninh-binh-2023" / "table.csv").open(encoding="utf-8", newline="") as handle:
        table_ids = [row["row_id"] for row in csv.DictReader(handle)]
    columns, rows = rows_of(dataset, "row-ids")
    assert len(table_ids) == 64 and [r[0] for r in rows] == table_ids
    assert rows_of(dataset, "row-ids", plan="ninh-binh-2023") == (columns, rows)
    assert rows_of(dataset, "row-ids", row_id="VII-07")[1] == [("VII-07", rows[table_ids.index("VII-07")][1])]
