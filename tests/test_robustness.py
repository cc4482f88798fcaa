"""Issue #13: bad input never ends in a traceback, wrong answers or a hang.

- The exit-code contract: our input errors and OS errors are exit 2 with one `error:` line; a bug is exit 3.
- A plan's own checks (slugs, years, objective numbers, separator-only agency cells, duplicate plan ids,
  duplicate or self-amending catalogue entries), and the data files read by one CSV reader.
- Every parser is linear in its input: 1 MB adversarial inputs finish (checked in a subprocess with a
  generous limit, so a regression fails instead of hanging; nothing is timed), and hypothesis fuzzes each
  parser with a fixed seed and a bounded number of examples.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import textwrap
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


from cchc_graph.build import DATA, Sources, build_graph
from cchc_graph.cli import main
from cchc_graph.errors import SourceError
from cchc_graph.legal import find_citations, parse_number
from cchc_graph.text import MAX_CELL, clean_cell, fold, fold_with_positions, nfc
from cchc_graph.timeframes import parse_timeframe

from tests.test_bad_input import assert_fails, build, edit_cell, out_dir, replace_text  # noqa: F401 (fixture)

ROOT = Path(__file__).resolve().parent.parent
FUZZ = settings(max_examples=150, derandomize=True, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


# --------------------------------------------------------------------------------------------- exit codes

def test_an_unexpected_exception_is_exit_3_with_a_short_trace(runner, monkeypatch, tmp_path):
    """A bug (here injected into the build) must not exit 1, which means "findings"."""
    def broken(*args, **kwargs):
        raise RuntimeError("injected bug")

    monkeypatch.setattr("cchc_graph.build.build_graph", broken)
    result = runner.invoke(main, ["build", "-o", str(tmp_path / "g.ttl")])
    assert result.exit_code == 3
    assert result.stderr.startswith("internal error (lỗi nội bộ), please report it with this trace: "
                                    "RuntimeError: injected bug\n")
    assert "in broken" in result.stderr  # the trace names where it happened
    assert not (tmp_path / "g.ttl").exists()


def test_an_unwritable_output_path_is_exit_2_naming_it(runner, built_graph_file):
    result = runner.invoke(main, ["validate", "--graph", str(built_graph_file), "-o", "/proc/nope/r.txt"])
    assert result.exit_code == 2
    assert result.stderr == "error: /proc/nope: No such file or directory (check the path and its permissions)\n"


def test_output_into_a_folder_is_exit_2_naming_the_folder(runner, tmp_path):
    folder = tmp_path / "build"
    folder.mkdir()
    result = runner.invoke(main, ["build", "-o", str(folder)])
    assert result.exit_code == 2
    assert result.stderr == f"error: cannot write {folder}: it is a directory, not a regular file; choose a file path\n"
    assert "Traceback" not in result.stderr and folder.is_dir() and list(folder.iterdir()) == []


def test_an_output_folder_that_is_a_file_is_exit_2(runner, tmp_path):
    blocker = tmp_path / "afile"
    blocker.write_text("keep me", encoding="utf-8")
    result = runner.invoke(main, ["build", "-o", str(blocker / "graph.ttl")])
    assert result.exit_code == 2
    assert result.stderr == (f"error: {blocker}: File exists: a file stands where a folder is needed "
                             "(check the path and its permissions)\n")
    assert blocker.read_text(encoding="utf-8") == "keep me"


def test_a_parameter_that_is_not_utf8_is_named(runner, built_graph_file):
    # How Python hands a command-line byte that is not UTF-8 to the program (surrogateescape).
    value = b"S\xf4 N\xf4i vu".decode("utf-8", "surrogateescape")
    result = runner.invoke(main, ["query", "agency-involvement", "--graph", str(built_graph_file), "--no-reasoning",
                                  "-p", f"agency={value}"])
    assert result.exit_code == 2
    assert result.stderr == ("error: 'S\ufffd N\ufffdi vu' is not UTF-8 text; type the value again, or set the "
                             "terminal to UTF-8\n")


# --------------------------------------------------------------------------------------------- graph files

def test_an_empty_graph_file_does_not_validate_clean(runner, tmp_path):
    empty = tmp_path / "graph.ttl"
    empty.write_bytes(b"")
    result = runner.invoke(main, ["validate", "--graph", str(empty)])
    assert result.exit_code == 2
    assert result.stderr == f"error: {empty}: is empty (0 bytes): not a built graph; run `cchc-graph build` again\n"


def _with_bad_cited_date(tmp_path: Path, built_graph_file: Path) -> Path:
    graph = tmp_path / "graph.ttl"
    text = built_graph_file.read_text(encoding="utf-8")
    assert 'cchc:citedDate "2020-06-01"^^xsd:date' in text
    graph.write_text(text.replace('cchc:citedDate "2020-06-01"^^xsd:date', 'cchc:citedDate "2020-06-31"^^xsd:date', 1),
                     encoding="utf-8")
    return graph


def test_an_ill_typed_date_is_an_error_when_exported(runner, tmp_path, built_graph_file):
    graph = _with_bad_cited_date(tmp_path, built_graph_file)
    result = runner.invoke(main, ["export", "--graph", str(graph), "--format", "nt", "-o", str(tmp_path / "out.nt")])
    assert result.exit_code == 2
    assert result.stderr == (f"error: {graph}: 1 literal(s) do not fit their datatype, e.g. '2020-06-31' "
                             "(Datatype=http://www.w3.org/2001/XMLSchema#date); correct the value\n")
    assert not (tmp_path / "out.nt").exists()


@pytest.mark.parametrize("engine", ["pyshacl", "oxigraph"])
def test_an_ill_typed_date_is_a_validation_finding_without_a_traceback(runner, tmp_path, built_graph_file, engine):
    """SHACL reports an ill-typed literal through sh:datatype; rdflib's logged traceback stays quiet."""
    graph = _with_bad_cited_date(tmp_path, built_graph_file)
    result = runner.invoke(main, ["validate", "--graph", str(graph), "--engine", engine, "--lang", "en"])
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr and result.stderr == ""
    assert ("  [Violation] The cited date is invalid or differs from the issue date in the legal catalogue.\n"
            "      value: «2020-06-31»  (cchcsh:Citation-citedDate)\n") in result.stdout


def test_truncated_turtle_is_one_line_naming_the_file(runner, tmp_path, built_graph_file):
    graph = tmp_path / "graph.ttl"
    graph.write_bytes(built_graph_file.read_bytes()[:20000])
    result = runner.invoke(main, ["validate", "--graph", str(graph)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {graph}: not valid turtle: ")
    assert len(result.stderr.splitlines()) == 1 and len(result.stderr) < 400


# --------------------------------------------------------------------------------------------- plan checks

@pytest.mark.parametrize("old, new, reason", [
    ('[areas.I]\ntitle = "CẢI CÁCH THỂ CHẾ"\nreform_area = "institutions"\n\n', "", None),
    ("year = 2023", "year = 999999999999999", "[plan] year of more than 12 digits is not a plan year (1945–2100)"),
    ("year = 2023", "year = 99999", "[plan] year 99999 is not a plan year (1945–2100)"),
    ("year = 2023", "year = -5", "[plan] year -5 is not a plan year (1945–2100)"),
    ("year = 2023", "year = 0", "[plan] year 0 is not a plan year (1945–2100)"),
    ("year = 2023", "year = " + "9" * 5000, "malformed TOML: a number of thousands of digits; correct it"),
    ('province_slug = "ninh-binh"', 'province_slug = "ninh binh"',
     "[plan] province_slug 'ninh binh' must be lowercase ASCII letters, digits and '-'"),
], ids=["area-I-missing", "year-15-digits", "year-99999", "year-negative", "year-0", "year-5000-digits", "slug-with-space"])
def test_plan_toml_values_out_of_range(runner, plan_copy, out_dir, old, new, reason):
    replace_text(plan_copy / "plan.toml", old, new)
    if reason is None:  # area I gone: the table's rows of area I are blamed, with the row
        assert_fails(build(runner, plan_copy, out_dir), out_dir, "row I-01", "column area", "is not in plan.toml")
        return
    assert_fails(build(runner, plan_copy, out_dir), out_dir, f"{plan_copy / 'plan.toml'}: {reason}")


def test_areas_that_are_not_sections(runner, plan_copy, out_dir):
    meta = plan_copy / "plan.toml"
    text = meta.read_text(encoding="utf-8")
    meta.write_text('areas = "x"\n' + text[:text.index("[areas.I]")], encoding="utf-8")
    assert_fails(build(runner, plan_copy, out_dir), out_dir,
                 f"{meta}: areas must be sections `[areas.I]`, `[areas.II]` … with a title and a reform_area")


def test_a_plan_folder_name_with_a_space(runner, plan_copy, out_dir):
    spaced = plan_copy.rename(plan_copy.with_name("ninh binh 2023"))
    assert_fails(build(runner, spaced, out_dir), out_dir,
                 f"{spaced}: the plan folder's name 'ninh binh 2023' is the plan id, which goes into IRIs")


def test_two_plan_folders_of_one_name_do_not_merge(runner, plan_copy, tmp_path, out_dir):
    other = tmp_path / "b" / plan_copy.name
    other.parent.mkdir()
    import shutil
    shutil.copytree(plan_copy, other)
    assert_fails(runner.invoke(main, ["build", str(plan_copy), str(other), "-o", str(out_dir / "out.ttl")]), out_dir,
                 f"{other}: plan id 'ninh-binh-2023' is also the name of {plan_copy}; rename one of the two folders")


@pytest.mark.parametrize("value, shown", [("²", "'²'"), ("٣", "'٣'"), ("0", "'0'"), ("9" * 5000, "'" + "9" * 20 + "'")],
                         ids=["superscript", "arabic-indic", "zero", "5000-digits"])
def test_objective_numbers_are_ascii_numbers(runner, plan_copy, out_dir, value, shown):
    for row_id in ("I-01",):
        edit_cell(plan_copy, row_id, "objective_no", value)
    assert_fails(build(runner, plan_copy, out_dir), out_dir, "row I-01", "column objective_no",
                 f"objective_no {shown} is not a number from 1 to 999")


@pytest.mark.parametrize("column", ["lead", "coordinators"])
def test_an_agency_cell_of_separators_only(runner, plan_copy, out_dir, column):
    edit_cell(plan_copy, "I-02", column, " ; , - ")
    assert_fails(build(runner, plan_copy, out_dir), out_dir, "row I-02", f"column {column}",
                 f"{column} '; , -' holds only separators; write the agency names or leave the cell empty")


def test_a_cell_longer_than_the_bound(runner, plan_copy, out_dir):
    edit_cell(plan_copy, "I-02", "product", "x" * (MAX_CELL + 1))
    assert_fails(build(runner, plan_copy, out_dir), out_dir, "column product",
                 f"cell of {MAX_CELL + 1} characters, more than the {MAX_CELL} a cell may hold")


# --------------------------------------------------------------------------------------------- data files

def _rewrite_csv(path: Path, edit) -> None:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    edit(rows)
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def _load_error(data: Path) -> str:
    with pytest.raises(SourceError) as caught:
        Sources.load(data)
    return str(caught.value)


@pytest.mark.parametrize("name", ["legal-documents.csv", "unnumbered-references.csv", "agencies.csv",
                                  "agency-aliases.csv"])
def test_a_data_file_that_is_not_utf8(data_copy, name):
    path = data_copy / name
    path.write_bytes(path.read_text(encoding="utf-8").encode("cp1258", "replace"))
    assert _load_error(data_copy).startswith(f"{path}: not UTF-8 text (invalid continuation byte at byte ")


@pytest.mark.parametrize("name, column", [("legal-documents.csv", "amended_by"),
                                          ("unnumbered-references.csv", "description_en"),
                                          ("agencies.csv", "member_of"), ("agency-aliases.csv", "agencies")])
def test_a_data_file_missing_a_column(data_copy, name, column):
    path = data_copy / name

    def drop(rows):
        index = rows[0].index(column)
        for row in rows:
            del row[index]
    _rewrite_csv(path, drop)
    assert _load_error(data_copy) == f"{path}: row 1: missing required column(s) {column}; the header must name " + \
        {"legal-documents.csv": "number, type, issuer, date, title_vi, amended_by, source, cited_as",
         "unnumbered-references.csv": "cited_as, type, issuer, description_en, source",
         "agencies.csv": "id, kind, name_vi, name_en, aliases, member_of, scope, province, follows_province, since, "
                         "source",
         "agency-aliases.csv": "alias, agencies, note"}[name]


def test_a_data_file_with_bad_quoting(data_copy):
    path = data_copy / "unnumbered-references.csv"
    path.write_text(path.read_text(encoding="utf-8") + '"unclosed,Đề án,UBND tỉnh,x,y\n', encoding="utf-8")
    message = _load_error(data_copy)
    assert message.startswith(f"{path}: row ") and "malformed CSV: unexpected end of data" in message


def test_a_duplicate_catalogue_number(data_copy):
    path = data_copy / "legal-documents.csv"
    _rewrite_csv(path, lambda rows: rows.append(list(rows[1])))
    lines = path.read_text(encoding="utf-8").count("\n")
    first = read_csv_rows(path)[1][0]
    assert _load_error(data_copy) == (f"{path}: row {lines}: column number: {first} is listed twice (also on line 2);"
                                      " keep one line")


def test_a_document_amending_itself(data_copy):
    path = data_copy / "legal-documents.csv"

    def self_amend(rows):
        rows[1][rows[0].index("amended_by")] = rows[1][0]
    _rewrite_csv(path, self_amend)
    number = read_csv_rows(path)[1][0]
    assert _load_error(data_copy) == f"{path}: row 2: column amended_by: {number} is listed in its own amended_by"


def read_csv_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


# --------------------------------------------------------------------------------------------- linear parsers

LINEAR_CHECK = textwrap.dedent("""
    import sys
    from cchc_graph.agencies import load_registry
    from cchc_graph.build import DATA
    from cchc_graph.legal import find_citations, parse_number
    from cchc_graph.text import clean_cell, fold, fold_with_positions
    from cchc_graph.timeframes import parse_timeframe

    registry = load_registry(DATA / "agencies.csv", DATA / "agency-aliases.csv")
    MB = 1_000_000
    inputs = {
        "digits": "1" * MB, "digit-slashes": "1/" * (MB // 2), "broken-number": "12/KH- " * (MB // 7),
        "spaces": " \\f\\v\\u00a0" * (MB // 4), "commas": " , ;" * (MB // 4), "years": "năm 2023 " * (MB // 9),
        "numbers": "Nghị định số 62/2020/NĐ-CP ngày 01/6/2020, " * (MB // 44), "type-words": "Luật " * (MB // 5),
        "quarters": "Quý I, " * (MB // 7), "agencies": "Sở Nội vụ; " * (MB // 11), "lines": "- a\\n" * (MB // 4),
    }
    calls = {
        "clean_cell": clean_cell, "fold": fold, "fold_with_positions": fold_with_positions,
        "parse_timeframe": lambda t: parse_timeframe(t, 2023), "find_citations": find_citations,
        "parse_number": parse_number, "resolve": registry.resolve,
    }
    for name, text in inputs.items():
        for call_name, call in calls.items():
            try:
                call(text)
            except (ValueError, LookupError):
                pass
            print(call_name, name, flush=True)
    print("done")
""")


def test_every_parser_finishes_on_megabyte_inputs():
    """Quadratic patterns took minutes on 100 k characters (#13); linear ones take about a second on 1 MB. The
    limit is far above that and only turns a hang into a failure naming the parser and input."""
    try:
        done = subprocess.run([sys.executable, "-c", LINEAR_CHECK], capture_output=True, text=True, timeout=300,
                              cwd=ROOT)
    except subprocess.TimeoutExpired as exc:
        last = (exc.stdout or b"").decode().strip().splitlines()[-1:] if exc.stdout else []
        pytest.fail(f"a parser did not finish on 1 MB; last finished: {last}")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "done"
    assert len(done.stdout.strip().splitlines()) == 11 * 7 + 1


# --------------------------------------------------------------------------------------------- fuzzing

VIETNAMESE = st.text(alphabet=st.sampled_from(list("aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂĐÊÔƠƯ0123456789/-.,;:()"
                                                   " \t\n\u00a0\f\u0300\u0301\u0303\u0309\u0323")) |
                     st.characters(), max_size=80)
TIMEFRAME_WORDS = st.lists(st.sampled_from(["Quý", "I", "II", "III", "IV", "V", "1", "4", "5", ",", "năm", "2023",
                                            "Tháng", "6/2023", "13", "6 tháng", "cả năm", "Thường xuyên", "Khi",
                                            "Sau khi", "Theo", "kế hoạch", ".", " "]), max_size=8).map(" ".join)
CITATION_WORDS = st.lists(st.sampled_from(["Nghị định", "số", "62/2020/NĐ-CP", "ngày", "01/6/2020", "31/6/2020",
                                           "Luật", "14/2012/QH13", "132/KH-UBND", "62/20/NĐ-CP", "Kế hoạch", "và",
                                           "62/2020/NĐ-", "CP", ",", "năm", "1", "/"]), max_size=8).map(" ".join)


@FUZZ
@given(VIETNAMESE)
def test_fuzz_clean_cell(text):
    cell = clean_cell(text)
    assert clean_cell(cell) == cell
    assert unicodedata.is_normalized("NFC", cell)
    assert "\r" not in cell and "  " not in cell and "\n\n" not in cell
    assert all(line == line.strip() and line for line in cell.split("\n")) or cell == ""


@FUZZ
@given(VIETNAMESE)
def test_fuzz_fold(text):
    key = fold(text)
    assert fold(key) == key
    assert fold(text.upper()) == fold(text.lower()) or not text.isascii()
    line = nfc(text.replace("\n", " "))
    folded, positions = fold_with_positions(line)
    assert len(folded) == len(positions)
    assert positions == sorted(positions) and all(0 <= p < len(line) for p in positions)


@FUZZ
@given(TIMEFRAME_WORDS)
def test_fuzz_timeframes(cell):
    try:
        timeframe = parse_timeframe(cell, 2023)
    except ValueError as exc:
        assert str(exc)
        return
    assert timeframe.verbatim == clean_cell(cell).replace("\n", " ")
    if timeframe.begin or timeframe.end:
        assert timeframe.begin <= timeframe.end
    assert all(1 <= q <= 4 for _, q in timeframe.quarters)


@FUZZ
@given(CITATION_WORDS)
def test_fuzz_citations(cell):
    try:
        citations = find_citations(cell)
    except ValueError as exc:
        assert "malformed document number" in str(exc) or "impossible date" in str(exc)
        return
    text = clean_cell(cell).replace("\n", " ")
    for citation in citations:
        assert citation.text in text
        assert parse_number(citation.ref.number).number == citation.ref.number


@FUZZ
@given(st.text(alphabet="0123456789/-ĐNQHKCPUBDTtđ ", max_size=30))
def test_fuzz_document_numbers(text):
    ref = parse_number(text)
    if ref is not None:
        again = parse_number(ref.number)
        assert again is not None and again.number == ref.number and again.code == ref.code


@pytest.fixture(scope="module")
def registry():
    return Sources.load().registry


@FUZZ
@given(st.data())
def test_fuzz_agency_cells(registry, data):
    """Known names joined by any separators resolve to exactly those agencies; anything else is a
    LookupError naming what is unknown, never a wrong agency."""
    spellings = sorted(registry.spellings)
    names = data.draw(st.lists(st.sampled_from(spellings), min_size=1, max_size=4))
    separators = data.draw(st.lists(st.sampled_from(["; ", ", ", " và ", "\n- ", "\n+ ", "; và "]),
                                    min_size=len(names) - 1, max_size=len(names) - 1))
    cell = names[0] + "".join(sep + name for sep, name in zip(separators, names[1:]))
    mentions = registry.resolve(cell)
    assert [fold(m.text) for m in mentions] == [fold(n) for n in names] or \
        sum(len(m.agency_ids) for m in mentions) >= 1  # a longer spelling may span a separator ('…, cấp xã')
    noise = data.draw(VIETNAMESE)
    try:
        for mention in registry.resolve(noise):
            assert fold(mention.text) in registry.spellings
    except LookupError as exc:
        assert str(exc).startswith("unknown agency ")


def test_the_repository_sources_still_build():
    """The checks above accept everything the real plan holds."""
    graph = build_graph()
    assert len(graph) > 2000
    assert Sources.load(DATA).catalogue


# --------------------------------------------------------------------------------------------- both engines agree

@pytest.mark.parametrize("engine", ["pyshacl", "oxigraph"])
def test_a_byte_order_mark_is_refused_by_both_engines(runner, tmp_path, built_graph_file, engine):
    graph = tmp_path / "graph.ttl"
    graph.write_bytes(b"\xef\xbb\xbf" + built_graph_file.read_bytes())
    result = runner.invoke(main, ["validate", "--graph", str(graph), "--engine", engine])
    assert result.exit_code == 2
    assert result.stderr == (f"error: {graph}: starts with a byte-order mark (U+FEFF); RDF files are UTF-8 without one: "
                             "save the file again without it (\"UTF-8\", not \"UTF-8 with BOM\")\n")


@pytest.mark.parametrize("engine, reason", [
    ("pyshacl", "the IRI <https://w3id.org/cchc-graph/id/agency/ninh-binh/so noi-vu> holds a character IRIs may not hold (' ')"),
    ("oxigraph", "Invalid IRI code point ' '"),
])
def test_a_space_inside_an_iri_is_refused_by_both_engines(runner, tmp_path, built_graph_file, engine, reason):
    graph = tmp_path / "graph.ttl"
    iri = "<https://w3id.org/cchc-graph/id/agency/ninh-binh/so-noi-vu>"
    graph.write_text(built_graph_file.read_text(encoding="utf-8").replace(iri, iri.replace("so-noi", "so noi"), 1),
                     encoding="utf-8")
    result = runner.invoke(main, ["validate", "--graph", str(graph), "--engine", engine])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {graph}: not valid turtle: ") and reason in result.stderr


# --------------------------------------------------------------------------------------------- query parameters

def test_a_parameter_value_has_a_bounded_length(runner, built_graph_file):
    result = runner.invoke(main, ["query", "row-detail", "--graph", str(built_graph_file), "--no-reasoning",
                                  "-p", "row_id=" + "1" * 100_000])
    assert result.exit_code == 2
    assert "the value of 'row_id' has 100000 characters; a value has at most 1000" in result.stderr


@pytest.fixture(scope="module")
def lookups(dataset):
    from cchc_graph.query import lookups_from, run_local

    return lookups_from(lambda text: run_local(dataset, text).rows)


PARAM_TEXT = st.one_of(VIETNAMESE, st.sampled_from(["VII-07", "vii-7", "so noi vu", "Sở Nội vụ", "62/2020/ND-CP",
                                                    "01/07/2023", "2023-07-01", "III", "q4", "5", "bao-cao",
                                                    "ninh-binh-2023", "2023-02-30", "20230701"]))


@FUZZ
@given(st.sampled_from(["row-detail", "agency-involvement", "tasks-citing-document", "due-in-quarter", "overdue-rows",
                        "products-by-type", "plan-summary"]), st.data())
def test_fuzz_query_parameters(lookups, name, data):
    """Any text for any parameter binds to RDF terms or is refused with a QueryError (exit 2), never
    another exception; and what binds is written as terms in a VALUES block, never pasted text."""
    from cchc_graph.query import QueryError, bindings_for, get_query, with_values

    query = get_query(name)
    raw = {p.name: data.draw(PARAM_TEXT) for p in query.params}
    try:
        values = bindings_for(query, raw, lambda: lookups)
    except QueryError as exc:
        assert str(exc)
        return
    text = with_values(query.text, values)
    for value in raw.values():
        if len(value) > 3 and value not in query.text:
            assert value not in text or any(str(term) == value for terms in values.values() for term in terms)


def _as_normal_user(call):
    """Run `call()` as a user without root's right to write anywhere: as it is when the tests run as a normal
    user, else in a forked child that drops root (to nobody), whose answer comes back through a pipe."""
    import json
    import pwd

    if os.geteuid() != 0:
        return call()
    nobody = pwd.getpwnam("nobody")
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child's answer is checked in the parent
        try:
            os.close(read)
            os.setgroups([])
            os.setgid(nobody.pw_gid)
            os.setuid(nobody.pw_uid)
            answer = call()
            os.write(write, json.dumps(answer).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        data = pipe.read()
    os.waitpid(child, 0)
    return json.loads(data)


def test_a_read_only_output_folder_is_exit_2_naming_it(tmp_path, plan_graph):
    """As a normal user (root writes anywhere): exit 2 and the folder named, not a traceback with exit 1."""
    from click.testing import CliRunner

    import cchc_graph.build  # noqa: F401 - imported before dropping root: the interpreter's files stay readable
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    tmp_path.chmod(0o755)

    def build_into_it():
        result = CliRunner().invoke(main, ["build", "-o", str(folder / "graph.ttl")])
        return [result.exit_code, result.stderr]

    code, stderr = _as_normal_user(build_into_it)
    assert code == 2
    assert stderr == f"error: {folder / 'graph.ttl'}: Permission denied (check the path and its permissions)\n"
    assert list(folder.iterdir()) == []
