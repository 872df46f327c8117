"""Subject order for canonical Turtle: each dependent right after the subject that owns it.

rdflib's ``longturtle`` sorts subjects by how often they are referenced, then by IRI, so a
participation lands hundreds of lines away from its event. Here a subject referenced by
exactly one other subject of the same file (its *parent*), through a part-of link
(``PART_LINKS``), is written right after that parent, after the parent's earlier dependents;
every other subject keeps ``longturtle``'s order.

Within a subject, the blocks that state its claims (``nio:fromLine [ nio:sourceLine 26 ; … ]``)
are written in the order of their lines, each starting with its ``nio:sourceLine`` (and the
passage it narrows to), so the data reads line by line against the source text; ``longturtle``
would order blank nodes by their generated identifiers.
"""

from __future__ import annotations

import io

from rdflib import PROV, RDF, RDFS, SKOS, BNode, Graph, Literal, URIRef
from rdflib.graph import _SubjectType
from rdflib.plugins.serializers.longturtle import LongTurtleSerializer
from rdflib.term import Node

from kg.namespaces import ONTOLOGY

# Links from a whole to a part that is written with it: an event's participations, a
# concept scheme's top concepts.
PART_LINKS = frozenset({URIRef(ONTOLOGY + "hasParticipation"), SKOS.hasTopConcept})
SOURCE_LINE = URIRef(ONTOLOGY + "sourceLine")
FROM_LINE = URIRef(ONTOLOGY + "fromLine")


def parents(graph: Graph, subjects: list[_SubjectType]) -> dict[_SubjectType, _SubjectType]:
    """Each IRI subject that exactly one other IRI subject of ``graph`` refers to, by a part link.

    A statement inside a line block (``S nio:fromLine [ … ]``) counts as a statement of ``S``.
    """
    present = set(subjects)
    owner: dict[_SubjectType, _SubjectType] = {b: s for s, b in graph.subject_objects(FROM_LINE)}  # type: ignore[misc]
    referrers: dict[_SubjectType, set[_SubjectType]] = {}
    linked: set[tuple[_SubjectType, _SubjectType]] = set()
    for s, p, o in graph:
        whole = owner.get(s, s)
        if isinstance(o, URIRef) and o in present and o != whole:
            referrers.setdefault(o, set()).add(whole)
            if p in PART_LINKS:
                linked.add((whole, o))
    found: dict[_SubjectType, _SubjectType] = {}
    for part, refs in referrers.items():
        only = next(iter(refs)) if len(refs) == 1 else None
        if isinstance(only, URIRef) and (only, part) in linked:
            found[part] = only
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


def block_key(graph: Graph, node: Node) -> tuple[int, str]:
    """A blank node's place among its siblings: its first source line, then what it says."""
    lines = [int(o) for o in graph.objects(node, SOURCE_LINE) if isinstance(o, Literal)]  # type: ignore[arg-type]
    body = sorted(f"{p.n3()} {o.n3()}" for p, o in graph.predicate_objects(node))  # type: ignore[arg-type]
    return (min(lines) if lines else 0, "\n".join(body))


class GroupedTurtleSerializer(LongTurtleSerializer):
    """``longturtle`` with dependents written right after their parent, and line blocks in line order."""

    predicateOrder = [RDF.type, RDFS.label, SOURCE_LINE, PROV.wasDerivedFrom]  # noqa: RUF012 (rdflib's name)

    def orderSubjects(self) -> list[_SubjectType]:
        order: list[_SubjectType] = super().orderSubjects()
        return dependents_after_parents(order, parents(self.store, order))

    def sortProperties(self, properties):  # type: ignore[no-untyped-def]
        ordered = super().sortProperties(properties)
        for objects in properties.values():
            if objects and all(isinstance(o, BNode) for o in objects):
                objects.sort(key=lambda o: block_key(self.store, o))
        return ordered


def serialize(graph: Graph) -> str:
    """``graph`` as long-form Turtle with each dependent grouped after its parent."""
    stream = io.BytesIO()
    serializer = GroupedTurtleSerializer(graph)  # type: ignore[no-untyped-call]
    serializer.serialize(stream, encoding="utf-8")
    return stream.getvalue().decode("utf-8")
