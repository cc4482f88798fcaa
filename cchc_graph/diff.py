"""Compare two plans (a plan and its revision, or this year's and next year's): rows added, removed, changed.

Rows are matched by content, never by position or row id, so one inserted row does not shift the rest:

1. rows equal in every compared cell are paired, in document order (the k-th copy with the k-th copy);
2. then rows with the same identity (area, objective, task, activity, product), whose lead, coordinators or
   timeframe changed;
3. then, within one area, "the same row, edited": each identity field that differs on both sides must be
   a rewording of the old text, not a new one — word similarity (difflib's ratio over the folded words)
   at least SIMILAR — and the best-scoring pairs are taken first (greedy), ties broken by the similarity
   of the whole identity, then by how many of lead, coordinators and timeframe agree, then document order.
   A field that is empty on one side (an activity added) counts neither for nor against.

What is left is added (new plan) or removed (old plan). Row ids may differ between the two plans: an
inserted row renumbers the rest, and that alone is no change.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict, deque
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path
from typing import Callable

from .errors import CchcError
from .text import clean_cell, fold

FIELDS = ("objective", "task", "activity", "product", "lead", "coordinators", "timeframe")
IDENTITY = ("area", "objective", "task", "activity", "product")
ROW_FIELDS = ("area", *FIELDS)
FORMATS = ("table", "json", "markdown")
LANGS = ("vi", "en")
# Word similarity from which a reworded identity field still names the same row. In the 2023 plan, of
# the pairs of distinct rows of one area, only two score above 0.6 (VII-10/VII-11, V-05/V-07: sibling
# rows of one activity pattern whose products share most words), and a reworded product or task keeps most of its
# words (adding ", rà soát" and "năm 2023" to an 8-word product still scores 0.8). Two distinct rows can
# only be taken for one edited row when one of them is removed and the other added in the same revision.
SIMILAR = 0.6

Row = dict[str, str]

WORDS = {
    "vi": {
        "objective": "Mục tiêu", "task": "Nhiệm vụ", "activity": "Hoạt động", "product": "Sản phẩm",
        "lead": "Cơ quan chủ trì", "coordinators": "Cơ quan phối hợp", "timeframe": "Thời gian thực hiện",
        "added": "thêm", "removed": "bỏ", "changed": "sửa",
        "columns": ("Thay đổi", "Dòng", "Trường", "Nội dung"),
        "old": "Kế hoạch cũ", "new": "Kế hoạch mới",
        "summary": "Thêm {added}, bỏ {removed}, sửa {changed}, giữ nguyên {unchanged} dòng.",
        "same": "Hai kế hoạch giống nhau.",
    },
    "en": {
        "objective": "Objective", "task": "Task", "activity": "Activity", "product": "Product",
        "lead": "Lead agency", "coordinators": "Coordinating agencies", "timeframe": "Timeframe",
        "added": "added", "removed": "removed", "changed": "changed",
        "columns": ("Change", "Row", "Field", "Text"),
        "old": "Old plan", "new": "New plan",
        "summary": "Added {added}, removed {removed}, changed {changed}, unchanged {unchanged} rows.",
        "same": "The two plans are the same.",
    },
}


@dataclass(frozen=True)
class Change:
    old: Row
    new: Row
    fields: tuple[str, ...]  # the FIELDS whose cells differ, in FIELDS order


@dataclass(frozen=True)
class PlanDiff:
    old_label: str
    new_label: str
    added: list[Row]  # document order of the new plan
    removed: list[Row]  # document order of the old plan
    changed: list[Change]  # document order of the new plan
    unchanged: int

    @property
    def identical(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def to_json(self) -> dict:
        return {
            "added": [_row_json(row) for row in self.added],
            "removed": [_row_json(row) for row in self.removed],
            "changed": [{"old_row_id": c.old["row_id"], "new_row_id": c.new["row_id"],
                         "fields": {f: {"old": c.old[f], "new": c.new[f]} for f in c.fields}} for c in self.changed],
            "unchanged": self.unchanged,
        }


def _row_json(row: Row) -> dict[str, str]:
    return {"row_id": row["row_id"], **{f: row[f] for f in ROW_FIELDS}}


# ---------------------------------------------------------------------------------------------- input

def rows_of_folder(folder: Path) -> list[Row]:
    """The table rows of a plan folder, read (and checked) as the build reads them."""
    from .sources import TABLE_COLUMNS, load_plan

    folder = Path(folder)
    if not folder.is_dir():
        raise CchcError(f"{folder}: no such plan folder (give two plan folders, each holding plan.toml and "
                        f"table.csv, or two plan ids of a built graph with --graph)")
    return [{c: row[c] for c in TABLE_COLUMNS} for row in load_plan(folder).rows]


def rows_in_graph(graph_path: Path, plan_ids: list[str]) -> list[list[Row]]:
    """The table rows of each plan id in a built graph, as `export` reads them (the saved query `plan-table`,
    the plan bound as its IRI, never pasted into the query)."""
    from .export import table_rows
    from .query import lookups_from, open_local, run_local
    from .sources import TABLE_COLUMNS

    dataset = open_local(graph_path, reasoning=False)  # the table is all asserted: no closure needed
    plans = lookups_from(lambda text: run_local(dataset, text).rows).plans
    unknown = [plan_id for plan_id in plan_ids if plan_id not in plans]
    if unknown:
        raise CchcError(f"{graph_path}: no plan {', '.join(map(repr, unknown))} in the graph; it holds: "
                        f"{', '.join(sorted(plans)) or 'no plan'} (build both plan folders into one graph to compare them)")
    return [[dict(zip(TABLE_COLUMNS, row)) for row in table_rows(dataset, plan_id)] for plan_id in plan_ids]


def diff_folders(old: Path, new: Path) -> PlanDiff:
    return diff_rows(rows_of_folder(old), rows_of_folder(new), str(old), str(new))


def diff_in_graph(graph_path: Path, old: str, new: str) -> PlanDiff:
    old, new = clean_cell(old), clean_cell(new)  # as the plan parameter of a saved query is cleaned
    old_rows, new_rows = rows_in_graph(graph_path, [old, new])
    return diff_rows(old_rows, new_rows, old, new)


# ---------------------------------------------------------------------------------------------- matching

def diff_rows(old: list[Row], new: list[Row], old_label: str = "old", new_label: str = "new") -> PlanDiff:
    pairs = match_rows(old, new)
    paired_old = set(pairs.values())
    changed = []
    unchanged = 0
    for j, i in sorted(pairs.items()):
        fields = tuple(f for f in FIELDS if old[i][f] != new[j][f])
        if fields:
            changed.append(Change(old[i], new[j], fields))
        else:
            unchanged += 1
    return PlanDiff(old_label, new_label, added=[row for j, row in enumerate(new) if j not in pairs],
                    removed=[row for i, row in enumerate(old) if i not in paired_old], changed=changed,
                    unchanged=unchanged)


def match_rows(old: list[Row], new: list[Row]) -> dict[int, int]:
    """Index in `new` -> index in `old` of each pair (see the module docstring for the three steps)."""
    pairs: dict[int, int] = {}
    _pair_equal(old, new, lambda row: tuple(row[f] for f in ROW_FIELDS), pairs)
    _pair_equal(old, new, lambda row: tuple(row[f] for f in IDENTITY), pairs)
    _pair_edited(old, new, pairs)
    return pairs


def _pair_equal(old: list[Row], new: list[Row], key: Callable[[Row], tuple], pairs: dict[int, int]) -> None:
    taken = set(pairs.values())
    waiting: dict[tuple, deque[int]] = defaultdict(deque)
    for i, row in enumerate(old):
        if i not in taken:
            waiting[key(row)].append(i)
    for j, row in enumerate(new):
        if j not in pairs and waiting[key(row)]:
            pairs[j] = waiting[key(row)].popleft()


def _pair_edited(old: list[Row], new: list[Row], pairs: dict[int, int]) -> None:
    """Step 3: pair what is left, best first, where each identity field that differs is a rewording."""
    taken = set(pairs.values())
    free_old = {i: _words_of(old[i]) for i in range(len(old)) if i not in taken}
    free_new = {j: _words_of(new[j]) for j in range(len(new)) if j not in pairs}
    candidates = []
    for i, old_words in free_old.items():
        for j, new_words in free_new.items():
            a, b = old[i], new[j]
            if a["area"] != b["area"]:
                continue
            least = min((_similarity(old_words[f], new_words[f]) for f in IDENTITY[1:] if a[f] != b[f] and a[f] and b[f]),
                        default=1.0)
            if least >= SIMILAR:
                agree = sum(a[f] == b[f] for f in ("lead", "coordinators", "timeframe"))
                candidates.append((-least, -_similarity(old_words["*"], new_words["*"]), -agree, j, i))
    for *_, j, i in sorted(candidates):
        if j not in pairs and i not in taken:
            pairs[j] = i
            taken.add(i)


def _words_of(row: Row) -> dict[str, list[str]]:
    """The folded words of each identity field, and of them all ("*")."""
    words = {f: re.findall(r"\w+", fold(row[f])) for f in IDENTITY[1:]}
    words["*"] = [w for f in IDENTITY[1:] for w in words[f]]
    return words


def _similarity(a: list[str], b: list[str]) -> float:
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


# ---------------------------------------------------------------------------------------------- output

@dataclass(frozen=True)
class Marks:
    """How a form for people shows removed and added text, a line break inside a cell, and plain text."""
    removed: Callable[[str], str]
    added: Callable[[str], str]
    newline: str
    escape: Callable[[str], str]


# The table form marks as `git diff --word-diff=plain` does. Markdown uses <del> and <ins> rather than ~~ and
# **: a mark may begin or end beside punctuation ("tra{+, rà soát+}"), where CommonMark's flanking rules
# would leave ~~ and ** as literal characters; the tags render everywhere GitHub-flavoured Markdown does.
TABLE_MARKS = Marks(lambda t: f"[-{t}-]", lambda t: f"{{+{t}+}}", " ⏎ ", lambda t: t)
MARKDOWN_MARKS = Marks(lambda t: f"<del>{t}</del>", lambda t: f"<ins>{t}</ins>", "<br>",
                       lambda t: re.sub(r"([\\`*_~|\[\]])", r"\\\1", t).replace("<", "&lt;").replace(">", "&gt;"))


def marked_words(old: str, new: str, marks: Marks) -> str:
    """The new text with the old text's removed words and the new words marked. Words, punctuation and
    spaces are separate tokens, so a comma added after a word marks the comma only; spaces (and line
    breaks) never anchor a match by themselves (difflib's isjunk), so "Sở Tư pháp" -> "Sở Nội vụ" marks
    "Tư pháp" and "Nội vụ" whole rather than word by word around the kept space."""
    a, b = _tokens(old), _tokens(new)
    out = []
    for op, i1, i2, j1, j2 in SequenceMatcher(str.isspace, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(_text(b[j1:j2], marks))
            continue
        gone, came = a[i1:i2], b[j1:j2]
        outside = came if came else gone  # the spacing around a mark is the new text's, when there is one
        lead = len(outside) - len(_lstrip(outside))
        trail = len(outside) - len(_rstrip(outside))
        core_gone, core_came = _rstrip(_lstrip(gone)), _rstrip(_lstrip(came))
        if not core_gone and not core_came:  # only the spacing changed, e.g. a line break became a space
            core_gone, core_came, lead, trail = gone, came, 0, 0
        out.append(_text(outside[:lead], marks))
        if core_gone:
            out.append(marks.removed(_text(core_gone, marks)))
        if core_came:
            out.append(marks.added(_text(core_came, marks)))
        out.append(_text(outside[len(outside) - trail:] if trail else [], marks))
    return "".join(out)


def _tokens(text: str) -> list[str]:
    return re.findall(r"\w+|\s+|[^\w\s]", text)


def _lstrip(tokens: list[str]) -> list[str]:
    while tokens and tokens[0].isspace():
        tokens = tokens[1:]
    return tokens


def _rstrip(tokens: list[str]) -> list[str]:
    while tokens and tokens[-1].isspace():
        tokens = tokens[:-1]
    return tokens


def _text(tokens: list[str], marks: Marks) -> str:
    return "".join(marks.newline if "\n" in t else t if t.isspace() else marks.escape(t) for t in tokens)


def render(result: PlanDiff, fmt: str = "table", lang: str = "vi") -> str:
    if fmt not in FORMATS:
        raise CchcError(f"unknown diff format {fmt!r}; choose {', '.join(FORMATS)}")
    if lang not in LANGS:
        raise CchcError(f"unknown language {lang!r}; choose vi or en")
    if fmt == "json":
        return json.dumps(result.to_json(), ensure_ascii=False, indent=2) + "\n"
    w = WORDS[lang]
    marks = MARKDOWN_MARKS if fmt == "markdown" else TABLE_MARKS
    lines = []
    for kind, rows in (("added", result.added), ("removed", result.removed)):
        for row in rows:
            lines += _block(w[kind], row["row_id"], [(w[f], _text(_tokens(row[f]), marks)) for f in FIELDS if row[f]])
    for change in result.changed:
        old_id, new_id = change.old["row_id"], change.new["row_id"]
        lines += _block(w["changed"], old_id if old_id == new_id else f"{old_id} → {new_id}",
                        [(w[f], marked_words(change.old[f], change.new[f], marks)) for f in change.fields])
    summary = w["summary"].format(added=len(result.added), removed=len(result.removed), changed=len(result.changed),
                                  unchanged=result.unchanged)
    if fmt == "markdown":
        head = [f"- {w['old']}: {_code(result.old_label)}", f"- {w['new']}: {_code(result.new_label)}", "", summary, ""]
        if not lines:
            return "\n".join(head + [w["same"]]) + "\n"
        rows = ["| " + " | ".join(cells) + " |" for cells in lines]
        return "\n".join(head + ["| " + " | ".join(w["columns"]) + " |", "|---|---|---|---|", *rows]) + "\n"
    head = [f"{w['old']}: {result.old_label}", f"{w['new']}: {result.new_label}", summary]
    if not lines:
        return "\n".join(head + [w["same"]]) + "\n"
    widths = [max(len(cells[k]) for cells in [w["columns"], *lines]) for k in range(3)]
    rule = (*("-" * width for width in widths), "-" * len(w["columns"][3]))

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join([*(cell.ljust(width) for cell, width in zip(cells, widths)), cells[3]]).rstrip()
    return "\n".join(head + ["", line(w["columns"]), line(rule), *map(line, lines)]) + "\n"


def _code(text: str) -> str:
    """A Markdown code span (a path or a plan id shown as is), fenced by more backticks than it holds."""
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _block(kind: str, row_id: str, fields: list[tuple[str, str]]) -> list[tuple[str, str, str, str]]:
    """One line per field; the change and the row id only on the first line of a row."""
    return [(kind if k == 0 else "", row_id if k == 0 else "", name, text) for k, (name, text) in enumerate(fields)]
