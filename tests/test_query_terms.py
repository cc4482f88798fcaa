"""The terms the saved queries use (what the "queries" reasoning profile keeps) are kept in queries/terms.txt
under the digest of the queries, so that `reason` does not parse every query on every run; a change of the
queries derives them again."""

from __future__ import annotations

import shutil

from cchc_graph.reason import _digest_files, _terms_used, terms_file_text, terms_used_by_queries
from cchc_graph.resources import QUERIES


def test_the_kept_terms_are_those_of_the_queries_as_they_are():
    digest = _digest_files(sorted(QUERIES.glob("*.rq")))
    assert (QUERIES / "terms.txt").read_text(encoding="utf-8") == terms_file_text(_terms_used(QUERIES, digest), digest)


def test_a_changed_query_derives_the_terms_again(tmp_path):
    folder = tmp_path / "queries"
    shutil.copytree(QUERIES, folder)
    before = terms_used_by_queries(folder)
    (folder / "plans.rq").write_text("SELECT ?x WHERE { ?x <urn:test:new-term> ?y }\n", encoding="utf-8")
    after = terms_used_by_queries(folder)
    assert "urn:test:new-term" in {str(t) for t in after} and "urn:test:new-term" not in {str(t) for t in before}
    lines = (folder / "terms.txt").read_text(encoding="utf-8").splitlines()
    assert lines[0] == f"# sha256 {_digest_files(sorted(folder.glob('*.rq')))}" and "urn:test:new-term" in lines


def test_a_stale_file_is_not_trusted(tmp_path):
    folder = tmp_path / "queries"
    shutil.copytree(QUERIES, folder)
    (folder / "terms.txt").write_text("# sha256 0000\nurn:test:stale\n", encoding="utf-8")
    assert "urn:test:stale" not in {str(t) for t in terms_used_by_queries(folder)}
