"""Components on a focus node's value nodes together, or on other properties of the focus node: sh:equals,
sh:disjoint, sh:lessThan, sh:lessThanOrEquals (SHACL 4.5), sh:not, sh:and, sh:xone (4.6),
sh:qualifiedValueShape (4.7.3), sh:closed, sh:hasValue (4.8.1, 4.8.2)."""

from __future__ import annotations

from rdflib import Literal
from rdflib.collection import Collection
from rdflib.namespace import SH

from .data import _PREFIXES
from .values import _ordered


class ValueSetComponents:
    """Mixed into the compiled engine (self.sg, self.d: the data in Oxigraph)."""

    # ------------------------------------------------------------------ components on each focus node's values
    def value_set_components(self, shape, path, severity, focus, values, value_focus, failing_values) -> list[tuple]:
        """The Core components that look at a focus node's value nodes together, or at other properties of
        the focus node, or at the conformance of the value nodes to other shapes. They are rare in our
        shapes, so they run in Python on each focus node's values (exact, not set-wide)."""
        from pyshacl.rdfutil.compare import compare_literal

        sg, d = self.sg, self.d
        wanted = {SH.hasValue, SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals, SH.closed, SH["not"],
                  SH["and"], SH.xone, SH.qualifiedValueShape}
        if not wanted & set(sg.predicates(shape)):
            return []
        results: list[tuple] = []

        def add(focus_node, value, component, result_path=path):
            results.append((focus_node, result_path, value, component, shape, severity, None))

        foci = [row["this"] for row in d.select(_PREFIXES + f"SELECT DISTINCT ?this WHERE {{ {focus('?this')} }}")]
        by_focus: dict = {node: [] for node in foci}
        for row in d.store.query(_PREFIXES + f"SELECT DISTINCT ?this ?value WHERE {{ {values('?this', '?value')} }}"):
            by_focus.setdefault(d.term(row["this"]), []).append(row["value"])
        all_values = {v for vs in by_focus.values() for v in vs}

        def objects(node, prop) -> list:
            return [q.object for q in d.store.quads_for_pattern(d.to_ox(node), d.to_ox(prop), None, d.ox.DefaultGraph())]

        # 4.8.2 sh:hasValue: one result per focus node none of whose value nodes is the value
        for wanted_value in sg.objects(shape, SH.hasValue):
            for node, vs in by_focus.items():
                if wanted_value not in {d.term(v) for v in vs}:
                    add(node, None, SH.HasValueConstraintComponent)
        # 4.5.1 sh:equals, 4.5.2 sh:disjoint, 4.5.3 sh:lessThan, 4.5.4 sh:lessThanOrEquals (pair constraints)
        for prop in sg.objects(shape, SH.equals):
            for node, vs in by_focus.items():
                mine, others = set(vs), set(objects(node, prop))
                for value in sorted(mine ^ others, key=str):
                    add(node, d.term(value), SH.EqualsConstraintComponent)
        for prop in sg.objects(shape, SH.disjoint):
            for node, vs in by_focus.items():
                for value in sorted(set(vs) & set(objects(node, prop)), key=str):
                    add(node, d.term(value), SH.DisjointConstraintComponent)
        for param, component, ok in ((SH.lessThan, SH.LessThanConstraintComponent, lambda c: c < 0),
                                     (SH.lessThanOrEquals, SH.LessThanOrEqualsConstraintComponent, lambda c: c <= 0)):
            for prop in sg.objects(shape, param):
                for node, vs in by_focus.items():
                    others = [d.term(o) for o in objects(node, prop)]
                    for value in map(d.term, vs):
                        if any(not _ordered(value, other, ok, compare_literal) for other in others):
                            add(node, value, component)
        # 4.8.1 sh:closed: every property of a value node is a sh:path of a property shape, or ignored
        closed = sg.value(shape, SH.closed)
        if isinstance(closed, Literal) and closed.toPython() is True:
            allowed = {sg.value(p, SH.path) for p in sg.objects(shape, SH.property)}
            for ignored in sg.objects(shape, SH.ignoredProperties):
                allowed |= set(Collection(sg, ignored))
            for node, vs in by_focus.items():
                for value in vs:
                    for quad in d.store.quads_for_pattern(value, None, None, d.ox.DefaultGraph()):
                        predicate = d.term(quad.predicate)
                        if predicate not in allowed:
                            add(node, d.term(quad.object), SH.ClosedConstraintComponent, predicate)
        # 4.6.1 sh:not, 4.6.2 sh:and, 4.6.4 sh:xone: the conformance of each value node to the members
        def conforming(member) -> set:
            return all_values - set(failing_values([member]))

        for member in sg.objects(shape, SH["not"]):
            passing = conforming(member)
            for node, vs in by_focus.items():
                for value in vs:
                    if value in passing:
                        add(node, d.term(value), SH.NotConstraintComponent)
        for members in sg.objects(shape, SH["and"]):
            passing = [conforming(m) for m in Collection(sg, members)]
            for node, vs in by_focus.items():
                for value in vs:
                    if not all(value in p for p in passing):
                        add(node, d.term(value), SH.AndConstraintComponent)
        for members in sg.objects(shape, SH.xone):
            passing = [conforming(m) for m in Collection(sg, members)]
            for node, vs in by_focus.items():
                for value in vs:
                    if sum(value in p for p in passing) != 1:
                        add(node, d.term(value), SH.XoneConstraintComponent)
        # 4.7.3 sh:qualifiedValueShape with sh:qualifiedMinCount / sh:qualifiedMaxCount
        for qualified in sg.objects(shape, SH.qualifiedValueShape):
            passing = conforming(qualified)
            disjoint = sg.value(shape, SH.qualifiedValueShapesDisjoint)
            if isinstance(disjoint, Literal) and disjoint.toPython() is True:
                siblings = {q for parent in sg.subjects(SH.property, shape) for sibling in sg.objects(parent, SH.property)
                            for q in sg.objects(sibling, SH.qualifiedValueShape)} - {qualified}
                for sibling in siblings:
                    passing -= conforming(sibling)
            low, high = sg.value(shape, SH.qualifiedMinCount), sg.value(shape, SH.qualifiedMaxCount)
            for node, vs in by_focus.items():
                count = sum(v in passing for v in set(vs))
                if low is not None and count < int(low):
                    add(node, None, SH.QualifiedMinCountConstraintComponent)
                if high is not None and count > int(high):
                    add(node, None, SH.QualifiedMaxCountConstraintComponent)
        return results
