"""Legal references in cell text (cchc_graph.legal), table-driven on real cells of data/ninh-binh-2023/table.csv
(copied here verbatim), and the legal catalogue data/legal-documents.csv."""

from __future__ import annotations

import csv
import unicodedata
from datetime import date

import pytest

from cchc_graph.build import DATA, DEFAULT_PLAN
from cchc_graph.errors import SourceError
from cchc_graph.legal import eli_path, find_citations, load_catalogue, parse_number
from cchc_graph.text import fold


def read_cited_as() -> dict[str, str]:
    """Names cited without a number, read from the two data files: catalogue name → number, or '' when the
    document has no number."""
    names = {}
    with (DATA / "legal-documents.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            for name in filter(None, row["cited_as"].split("|")):
                names[fold(name)] = row["number"]
    with (DATA / "unnumbered-references.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            names[fold(row["cited_as"])] = ""
    return names


CITED_AS = read_cited_as()


def table_cells() -> set[str]:
    with (DEFAULT_PLAN / "table.csv").open(encoding="utf-8", newline="") as handle:
        return {value for row in csv.DictReader(handle) for value in row.values()}


# (row, column) → (cell verbatim, [(citation verbatim, number, cited date, type as written, class name)])
# number None = an unresolved citation (a document named without a number; never given one).
REAL = {
    ("III-03", "task"): (
        "Thực hiện việc giao biên chế năm 2024 phù hợp với vị trí việc làm của từng cơ quan, đơn vị theo Nghị định số "
        "62/2020/NĐ-CP ngày 01/6/2020 của Chính phủ về vị trí việc làm và biên chế công chức; Nghị định số "
        "106/2020/NĐ-CP ngày 10/9/2020 của Chính phủ về vị trí việc làm và số lượng người làm việc trong đơn vị sự "
        "nghiệp công lập.",
        [("Nghị định số 62/2020/NĐ-CP ngày 01/6/2020", "62/2020/NĐ-CP", date(2020, 6, 1), "Nghị định", "Decree"),
         ("Nghị định số 106/2020/NĐ-CP ngày 10/9/2020", "106/2020/NĐ-CP", date(2020, 9, 10), "Nghị định", "Decree")]),
    ("IV-01", "objective"): (
        "Tổ chức sắp xếp, bố trí công chức theo vị trí việc làm và cơ cấu ngạch công chức đúng quy định tại Nghị định "
        "62/2020/NĐ-CP ngày 01/6/2020 của Chính phủ. Tiếp tục rà soát, phê duyệt đề án vị trí việc làm và thực hiện bố "
        "trí viên chức theo vị trí việc làm theo Nghị định số 106/2020/NĐ-CP ngày 10/9/2020 của Chính phủ.",
        [("Nghị định 62/2020/NĐ-CP ngày 01/6/2020", "62/2020/NĐ-CP", date(2020, 6, 1), "Nghị định", "Decree"),
         ("Nghị định số 106/2020/NĐ-CP ngày 10/9/2020", "106/2020/NĐ-CP", date(2020, 9, 10), "Nghị định", "Decree")]),
    ("IV-01", "product"): (
        "- Quyết định của UBND tỉnh vị trí việc làm của cơ quan hành chính nhà nước theo Nghị định số 62/2020/NĐ-CP.\n"
        "- Quyết định của UBND tỉnh phê duyệt vị trí việc làm và cơ cấu viên chức theo chức danh nghề nghiệp của các "
        "đơn vị sự nghiệp công lập tự đảm bảo một phần chi thường xuyên và đơn vị sự nghiệp công lập do ngân sách nhàn "
        "ước bảo đảm toàn bộ theo Nghị định số 106/2020/NĐ-CP.",
        [("Nghị định số 62/2020/NĐ-CP", "62/2020/NĐ-CP", None, "Nghị định", "Decree"),
         ("Nghị định số 106/2020/NĐ-CP", "106/2020/NĐ-CP", None, "Nghị định", "Decree")]),
    ("V-01", "product"): (
        "- Báo cáo tình hình triển khai thực hiện.\n- Thông báo thẩm định dự toán ngân sách cho các cơ quan, đơn vị "
        "thực hiện tự chủ về tài chính theo Nghị định số 130/2005/NĐ-CP và Nghị định số 60/2021/NĐ-CP của Chính phủ.",
        [("Nghị định số 130/2005/NĐ-CP", "130/2005/NĐ-CP", None, "Nghị định", "Decree"),
         ("Nghị định số 60/2021/NĐ-CP", "60/2021/NĐ-CP", None, "Nghị định", "Decree")]),
    ("V-10", "task"): (
        "Rà soát, đánh giá tình hình tài chính của đơn vị sự nghiệp công để tăng loại hình tự chủ về tài chính theo "
        "Nghị định số 60/2021/NĐ-CP ngày 21/6/2021 của Chính phủ và Quyết định số 1584/QĐ-UBND ngày 29/11/2018 của "
        "UBND tỉnh Ninh Bình về việc phê duyệt Đề án tổng thể kiện toàn các đơn vị sự nghiệp công lập thuộc khối nhà "
        "nước trên địa bàn tỉnh Ninh Bình.",
        [("Nghị định số 60/2021/NĐ-CP ngày 21/6/2021", "60/2021/NĐ-CP", date(2021, 6, 21), "Nghị định", "Decree"),
         ("Quyết định số 1584/QĐ-UBND ngày 29/11/2018", "1584/QĐ-UBND", date(2018, 11, 29), "Quyết định", "Decision")]),
    ("VI-01", "objective"): (
        "Tiếp tục triển khai thực hiện các mục tiêu, nội dung, nhiệm vụ đã đề ra tại Quyết định số 942/QĐ-TTg ngày "
        "15/6/2021 của Thủ tướng Chính phủ; Kế hoạch số 106/KH-UBND ngày 12/7/2021 của UBND tỉnh; Kế hoạch số "
        "138/KH-UBND ngày 27/8/2021 của UBND tỉnh.",
        [("Quyết định số 942/QĐ-TTg ngày 15/6/2021", "942/QĐ-TTg", date(2021, 6, 15), "Quyết định", "Decision"),
         ("Kế hoạch số 106/KH-UBND ngày 12/7/2021", "106/KH-UBND", date(2021, 7, 12), "Kế hoạch", "PlanDocument"),
         ("Kế hoạch số 138/KH-UBND ngày 27/8/2021", "138/KH-UBND", date(2021, 8, 27), "Kế hoạch", "PlanDocument")]),
    ("II-06", "objective"): (
        "Thực hiện nghiêm túc, hiệu quả, đúng tiến độ các mục tiêu, yêu cầu, nhiệm vụ tại Kế hoạch số 132/KH-UBND ngày "
        "23/12/2020 và Kế hoạch số 138/KH-UBND ngày 27/8/2021 của UBND tỉnh.",
        [("Kế hoạch số 132/KH-UBND ngày 23/12/2020", "132/KH-UBND", date(2020, 12, 23), "Kế hoạch", "PlanDocument"),
         ("Kế hoạch số 138/KH-UBND ngày 27/8/2021", "138/KH-UBND", date(2021, 8, 27), "Kế hoạch", "PlanDocument")]),
    ("III-04", "task"): (
        "Triển khai thực hiện Nghị quyết số 04/NQ-CP ngày 10/01/2022 của Chính phủ; đẩy mạnh phân cấp, ủy quyền cho các "
        "cơ quan, đơn vị thực hiện một số nhiệm vụ, quyền hạn của UBND tỉnh, Chủ tịch UBND tỉnh.",
        [("Nghị quyết số 04/NQ-CP ngày 10/01/2022", "04/NQ-CP", date(2022, 1, 10), "Nghị quyết", "Resolution")]),
    ("IV-02", "task"): (
        "Triển khai đánh giá, phân loại cán bộ, công chức, viên chức theo đúng quy định tại Nghị định số 90/2020/NĐ-CP "
        "ngày 13/8/2020 của Chính phủ về đánh giá và phân loại cán bộ, công chức, viên chức.",
        [("Nghị định số 90/2020/NĐ-CP ngày 13/8/2020", "90/2020/NĐ-CP", date(2020, 8, 13), "Nghị định", "Decree")]),
    ("VI-05", "task"): (
        "Rà soát, chuẩn hoá TTHC đáp ứng yêu cầu cung cấp dịch vụ công trực tuyến theo Nghị định số 42/2022/NĐ-CP ngày "
        "24/6/2022 của Chính phủ.",
        [("Nghị định số 42/2022/NĐ-CP ngày 24/6/2022", "42/2022/NĐ-CP", date(2022, 6, 24), "Nghị định", "Decree")]),
    ("VII-18", "task"): (
        "Thực hiện các giải pháp nâng cao năng lực cạnh tranh cấp tỉnh (PCI) theo Kế hoạch số 80/KH-UBND ngày 08/6/2021 "
        "của UBND tỉnh.",
        [("Kế hoạch số 80/KH-UBND ngày 08/6/2021", "80/KH-UBND", date(2021, 6, 8), "Kế hoạch", "PlanDocument")]),
    ("VII-04", "activity"): (
        "Lồng ghép công tác tuyên tuyền CCHC vào công tác tuyên truyền, phổ biến, giáo dục pháp luật theo quy định của "
        "Luật Phổ biến, giáo dục pháp luật.",
        [("Luật Phổ biến, giáo dục pháp luật", "14/2012/QH13", None, "Luật", "Law")]),
    ("VII-07", "activity"): (
        "Xây dựng và tổ chức thực hiện kế hoạch tập huấn, bồi dưỡng cho đội ngũ cán bộ, công chức, viên chức thực hiện "
        "công tác CCHC theo Đề án \"Tăng cường năng lực đội ngũ cán bộ, công chức thực hiện công tác CCHC giai đoạn "
        "2022-2030\" của Bộ Nội vụ.",
        [("Đề án \"Tăng cường năng lực đội ngũ cán bộ, công chức thực hiện công tác CCHC giai đoạn 2022-2030\"",
          None, None, None, None)]),
    ("VII-07", "timeframe"): (
        "Sau khi Bộ Nội vụ ban hành chương trình, tài liệu bồi dưỡng",
        [("chương trình, tài liệu bồi dưỡng", None, None, None, None)]),
    ("VI-09", "objective"): (
        "Hoàn thành các mục tiêu, nhiệm vụ Kế hoạch triển khai thí điểm mô hình chính quyền số tại cấp huyện, cấp sở "
        "theo kế hoạch.",
        [("Kế hoạch triển khai thí điểm mô hình chính quyền số tại cấp huyện, cấp sở", None, None, None, None)]),
    ("III-03", "timeframe"): (
        "Sau khi có Quyết định giao biên chế năm 2024 của Ban Tổ chức Trung ương",
        [("Quyết định giao biên chế năm 2024 của Ban Tổ chức Trung ương", None, None, None, None)]),
    ("VII-03", "activity"): (
        "Thông tin, tuyên truyền đầy đủ, kịp thời các nội dung trọng tâm theo kế hoạch của Bộ Nội vụ trên Cổng thông "
        "tin điện tử hoặc Trang thông tin điện tử của các cơ quan, đơn vị, địa phương và qua các hình thức tuyên truyền "
        "khác.",
        [("kế hoạch của Bộ Nội vụ", None, None, None, None)]),
    # Cells with type words but no citation.
    ("I-01", "task"): (
        "Nâng cao chất lượng công tác xây dựng pháp luật theo hướng chặt chẽ, khoa học, hiện đại, chuyên nghiệp, áp "
        "dụng các quy định của pháp luật vào công tác soạn thảo VBQPPL, tăng cường tham gia lấy ý kiến của các chuyên "
        "gia, các cơ quan, tổ chức cá nhân trong xây dựng và ban hành VBQPPL.", []),
    ("III-04", "product"): ("Kế hoạch", []),
    ("II-01", "product"): ("Quyết định của UBND tỉnh ban hành Kế hoạch rà soát, đơn giản hóa TTHC năm 2023.", []),
    ("V-08", "product"): (
        "Nghị quyết của HĐND tỉnh về xây dựng dự toán thu ngân sách nhà nước, thu - chi ngân sách địa phương năm 2024; "
        "phân bổ ngân sách địa phương năm 2024.", []),
    ("V-07", "product"): ("Báo cáo tình hình thực hiện dự toán NSNN năm 2023, xây dựng dự toán NSNN năm 2024.", []),
}


def summary(citations) -> list[tuple]:
    return [(c.text, c.ref.number if c.ref else None, c.cited_date, c.ref.type_vi if c.ref else None,
             c.ref.class_name if c.ref else None) for c in citations]


def test_the_cells_are_copied_verbatim_from_the_table():
    cells = table_cells()
    assert [key for key, (cell, _) in REAL.items() if cell not in cells] == []


@pytest.mark.parametrize("key", list(REAL), ids=["/".join(k) for k in REAL])
def test_citations_in_real_cells(key):
    cell, expected = REAL[key]
    found = find_citations(cell, CITED_AS)
    assert summary(found) == expected
    for citation in found:
        assert citation.text in cell.replace("\n", " ")
        assert (citation.unresolved_key is not None) == (citation.ref is None)


@pytest.mark.parametrize("key", [("III-03", "task"), ("VI-01", "objective"), ("VII-04", "activity")],
                         ids=lambda k: "/".join(k))
def test_nfd_and_broken_lines_give_the_same_citations(key):
    cell, expected = REAL[key]
    messy = unicodedata.normalize("NFD", cell).replace(" ", "  \n ", 3)
    assert [c[1:] for c in summary(find_citations(messy, CITED_AS))] == [e[1:] for e in expected]


def test_a_document_number_broken_at_its_hyphen_is_rejoined():
    found = find_citations("theo Kế hoạch số 132/KH- UBND ngày 23/12/2020 và Nghị định số 62/2020/ NĐ-CP", CITED_AS)
    assert [c.ref.number for c in found] == ["132/KH-UBND", "62/2020/NĐ-CP"]


def test_citation_by_name_in_another_case():
    [citation] = find_citations("theo quy định của LUẬT PHỔ BIẾN, GIÁO DỤC PHÁP LUẬT.", CITED_AS)
    assert (citation.text, citation.ref.number) == ("LUẬT PHỔ BIẾN, GIÁO DỤC PHÁP LUẬT", "14/2012/QH13")


def test_citation_by_name_with_a_space_before_a_comma():
    """Regression: 
    the cited_as names are keyed with text.fold(), which drops spaces before commas, but find_citations matches
    them against fold_keep(), which keeps them; so the law is not found."""
    found = find_citations("theo quy định của Luật Phổ biến , giáo dục pháp luật.", CITED_AS)
    assert [c.ref.number for c in found if c.ref] == ["14/2012/QH13"]


def test_without_the_catalogue_names_no_citation_by_name_is_found():
    cell, _ = REAL[("VII-04", "activity")]
    assert find_citations(cell) == []
    cell, _ = REAL[("VII-07", "activity")]
    assert find_citations(cell) == []


# ------------------------------------------------------------------------------------------------ numbers

@pytest.mark.parametrize("number, expected", [
    ("62/2020/NĐ-CP", ("62/2020/NĐ-CP", "62", 2020, "NĐ-CP", "Nghị định", "Decree")),
    ("132/KH-UBND", ("132/KH-UBND", "132", None, "KH-UBND", "Kế hoạch", "PlanDocument")),
    ("942/QĐ-TTg", ("942/QĐ-TTg", "942", None, "QĐ-TTg", "Quyết định", "Decision")),
    ("04/NQ-CP", ("04/NQ-CP", "04", None, "NQ-CP", "Nghị quyết", "Resolution")),
    ("14/2012/QH13", ("14/2012/QH13", "14", 2012, "QH13", "Luật", "Law")),
    ("1584/QĐ-UBND", ("1584/QĐ-UBND", "1584", None, "QĐ-UBND", "Quyết định", "Decision")),
])
def test_parse_number(number, expected):
    ref = parse_number(number)
    assert (ref.number, ref.num, ref.year, ref.code, ref.type_vi, ref.class_name) == expected


@pytest.mark.parametrize("number", ["62/20/NĐ-CP", "942/QĐ TTg", "942/QĐ", "/KH-UBND", "62/2020", "abc/2020/NĐ-CP"])
def test_parse_number_refuses_malformed_numbers(number):
    assert parse_number(number) is None


@pytest.mark.parametrize("number, path", [
    ("62/2020/NĐ-CP", "vn/nd-cp/2020/62"),
    ("14/2012/QH13", "vn/qh13/2012/14"),
    ("942/QĐ-TTg", "vn/qd-ttg/942"),
    ("132/KH-UBND", "vn-ninh-binh/kh-ubnd/132"),
    ("1584/QĐ-UBND", "vn-ninh-binh/qd-ubnd/1584"),
])
def test_eli_path(number, path):
    assert eli_path(parse_number(number), "ninh-binh") == path


# ------------------------------------------------------------------------------------------------ malformed

@pytest.mark.parametrize("text, token", [
    ("Nghị định số 62/20/NĐ-CP", "62/20/NĐ-CP"),
    ("Quyết định số 942/QĐ TTg", "942/QĐ"),
    ("theo Nghị định số 62/20/NĐ-CP ngày 01/6/2020 của Chính phủ về vị trí việc làm", "62/20/NĐ-CP"),
    ("tại Quyết định số 942/QĐ TTg ngày 15/6/2021 của Thủ tướng Chính phủ", "942/QĐ"),
    ("Kế hoạch số 132/KH UBND ngày 23/12/2020", "132/KH"),
    ("Nghị định 62/2020/NĐCP", "62/2020/NĐCP"),
    ("Kế hoạch số /KH-UBND", "/KH-UBND"),
])
def test_malformed_number_raises_value_error(text, token):
    with pytest.raises(ValueError) as caught:
        find_citations(text, CITED_AS)
    assert token in str(caught.value)
    assert "malformed document number" in str(caught.value)


@pytest.mark.parametrize("text, shown", [
    ("Nghị định số 62/2020/NĐ-CP ngày 31/6/2020", "31/6/2020"),
    ("Nghị định số 106/2020/NĐ-CP ngày 30/2/2020", "30/2/2020"),
    ("Kế hoạch số 138/KH-UBND ngày 29/2/2021", "29/2/2021"),
    ("Kế hoạch số 132/KH-UBND ngày 23/13/2020", "23/13/2020"),
    ("Nghị quyết số 04/NQ-CP ngày 0/01/2022", "0/01/2022"),
    ("Quyết định số 942/QĐ-TTg ngày 32 tháng 1 năm 2021", "32/1/2021"),
])
def test_impossible_date_raises(text, shown):
    with pytest.raises(ValueError, match="impossible date") as caught:
        find_citations(text, CITED_AS)
    assert shown in str(caught.value)


def test_a_leap_day_is_possible():
    [citation] = find_citations("Kế hoạch số 1/KH-UBND ngày 29/2/2024", CITED_AS)
    assert citation.cited_date == date(2024, 2, 29)


# ------------------------------------------------------------------------------------------------ catalogue

def test_catalogue():
    catalogue = load_catalogue(DATA / "legal-documents.csv")
    assert len(catalogue) == 17
    decree = catalogue[fold("62/2020/NĐ-CP")]
    assert (decree.ref.class_name, decree.date, decree.issuer) == ("Decree", date(2020, 6, 1), "Chính phủ")
    # A number without a year takes the year of its date.
    assert catalogue[fold("04/NQ-CP")].ref.year == 2022
    assert catalogue[fold("132/KH-UBND")].ref.year == 2020
    assert catalogue[fold("90/2020/NĐ-CP")].amended_by == ("48/2023/NĐ-CP",)
    assert catalogue[fold("14/2012/QH13")].cited_as == ("Luật Phổ biến, giáo dục pháp luật",)
    # Every number the table cites with a number is in the catalogue.
    cited = {n for _, expected in REAL.values() for _, n, *_ in expected if n}
    assert sorted(fold(n) for n in cited if fold(n) not in catalogue) == []


@pytest.mark.parametrize("change, reason", [
    (("62/2020/NĐ-CP,Nghị định", "62/20/NĐ-CP,Nghị định"), "malformed document number '62/20/NĐ-CP'"),
    (("2020-06-01", "2020-06-31"), "bad date '2020-06-31'"),
    (("48/2023/NĐ-CP,seed", "49/2023/NĐ-CP,seed"), "amended_by '49/2023/NĐ-CP' is not in the catalogue"),
])
def test_bad_catalogue_row_names_file_and_reason(data_copy, change, reason):
    path = data_copy / "legal-documents.csv"
    text = path.read_text(encoding="utf-8")
    assert change[0] in text
    path.write_text(text.replace(change[0], change[1], 1), encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        load_catalogue(path)
    assert str(path) in str(caught.value)
    assert reason in str(caught.value)
