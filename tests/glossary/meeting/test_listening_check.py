"""The listening check gives every definition to someone whenever the room makes that possible."""

from __future__ import annotations

import itertools
import random

import pytest

from glossary.meeting import discussion


def _everything_restated_possible(definitions, people):
    """Hall's condition for this bipartite graph: a set of definitions from two or more partners can
    be restated by anyone, so only the count overall and the count per partner can fall short."""
    if len(definitions) > len(people):
        return False
    for partner in {p for _d, p in definitions}:
        own = sum(1 for _d, p in definitions if p == partner)
        others = sum(1 for _q, p in people if p != partner)
        if own > others:
            return False
    return True


def _check(definitions, people):
    assignment = discussion.assign_restatements(definitions, people)
    partner_of_definition = dict(definitions)
    partner_of_person = dict(people)
    # Nobody restates their own partner's definition.
    assert all(partner_of_definition[d] != partner_of_person[p] for p, d in assignment.items())
    # Everyone who can restate something gets something.
    for person, partner in people:
        if any(p != partner for _d, p in definitions):
            assert person in assignment
    if _everything_restated_possible(definitions, people):
        assert set(assignment.values()) == {d for d, _p in definitions}
    return assignment


def test_three_partners_submitting_out_of_joining_order_each_definition_is_restated():
    # A, B, C join (ids 101, 102, 103) for three partners and submit B, A, C.
    people = [(101, 1), (102, 2), (103, 3)]
    definitions = [(1, 2), (2, 1), (3, 3)]
    assignment = _check(definitions, people)
    assert sorted(assignment.values()) == [1, 2, 3]


ROOMS = [
    [1, 2, 3],  # three partners, one person each
    [1, 1, 2, 3],
    [1, 1, 2, 2],
    [1, 1, 1, 2, 3],
    [1, 2, 2, 3, 3],
    [1, 1, 2, 2, 3],
]


@pytest.mark.parametrize("partners", ROOMS)
def test_every_submission_order_of_a_small_room(partners):
    people = [(100 + i, partner) for i, partner in enumerate(partners)]
    for submitters in range(1, len(people) + 1):
        for order in itertools.permutations(people, submitters):
            # Definition ids follow the submission order.
            definitions = [(n + 1, partner) for n, (_person, partner) in enumerate(order)]
            _check(definitions, people)


@pytest.mark.parametrize("seed", range(20))
def test_random_rooms_of_four_partners_with_five_people(seed):
    rng = random.Random(seed)
    people = [(100 + i, i // 5 + 1) for i in range(20)]
    rng.shuffle(people)  # joining order
    people = [(100 + n, partner) for n, (_id, partner) in enumerate(people)]
    submitters = rng.sample(people, rng.randint(10, 20))  # submission order
    definitions = [(n + 1, partner) for n, (_person, partner) in enumerate(submitters)]
    assignment = _check(definitions, people)
    assert set(assignment.values()) == {d for d, _p in definitions}
    assert len(assignment) == 20
    loads = [list(assignment.values()).count(d) for d, _p in definitions]
    assert max(loads) - min(loads) <= 1
