"""Subject order for canonical Turtle: each dependent right after the subject that owns it.

rdflib's ``longturtle`` sorts subjects by how often they are referenced, then by IRI, so a
participation lands hundreds of lines away from its event. Here a subject referenced by
exactly one other subject of the same file (its *parent*), through a part-of link
(``PART_LINKS``), is written right after that parent, after the parent's earlier dependents;
every other subject keeps ``longturtle``'s order.
"""

from __future__ import annotations

import io

from rdflib import SKOS, Graph, URIRef
from rdflib.graph import _SubjectType
from rdflib.plugins.serializers.longturtle import LongTurtleSerializer

from kg.namespaces import ONTOLOGY

# Links from a whole to a part that is written with it: an event's participations, a
# concept scheme's top concepts.
PART_LINKS = frozenset({URIRef(ONTOLOGY + "hasParticipation"), SKOS.hasTopConcept})


def parents(graph: Graph, subjects: list[_SubjectType]) -> dict[_SubjectType, _SubjectType]:
    """Each IRI subject that exactly one other IRI subject of ``graph`` refers to, by a part link."""
    present = set(subjects)
    referrers: dict[_SubjectType, set[_SubjectType]] = {}
    for s, _, o in graph:
        if isinstance(o, URIRef) and o in present and o != s:
            referrers.setdefault(o, set()).add(s)
    found: dict[_SubjectType, _SubjectType] = {}
    for part, refs in referrers.items():
        (whole,) = refs if len(refs) == 1 else (None,)
        if isinstance(whole, URIRef) and any((whole, p, part) in graph for p in PART_LINKS):
            found[part] = whole
    return found


def dependents_after_parents(
    order: list[_SubjectType], parent: dict[_SubjectType, _SubjectType]
) -> list[_SubjectType]:
    """``order`` rearranged so each subject follows its parent (depth first, children in ``order``).

    A subject without a parent starts a group where it stands. In a cycle of parents, the
    cycle's first subject in ``order`` starts the group.
    """
    rank = {s: i for i, s in enumerate(order)}
    parent = {c: p for c, p in parent.items() if c in rank and p in rank}
    roots: set[_SubjectType] = {s for s in order if s not in parent}
    for s in order:  # a cycle has no parentless member: its earliest member is the root
        chain: list[_SubjectType] = []
        node = s
        while node in parent and node not in chain:
            chain.append(node)
            node = parent[node]
        if node in chain:
            cycle = chain[chain.index(node) :]
            roots.add(min(cycle, key=rank.__getitem__))
    children: dict[_SubjectType, list[_SubjectType]] = {}
    for s in order:
        if s not in roots:
            children.setdefault(parent[s], []).append(s)
    result: list[_SubjectType] = []
    seen: set[_SubjectType] = set()

    def visit(node: _SubjectType) -> None:
        stack = [node]
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            result.append(current)
            stack.extend(reversed(children.get(current, [])))

    for s in order:
        if s in roots:
            visit(s)
    return result


class GroupedTurtleSerializer(LongTurtleSerializer):
    """``longturtle`` with dependents written right after their parent."""

    def orderSubjects(self) -> list[_SubjectType]:
        order: list[_SubjectType] = super().orderSubjects()
        return dependents_after_parents(order, parents(self.store, order))


def serialize(graph: Graph) -> str:
    """``graph`` as long-form Turtle with each dependent grouped after its parent."""
    stream = io.BytesIO()
    serializer = GroupedTurtleSerializer(graph)  # type: ignore[no-untyped-call]
    serializer.serialize(stream, encoding="utf-8")
    return stream.getvalue().decode("utf-8")
