"""Correct answers written differently from the solution (ACCEPTED in a mutant catalogue) lose no points."""

import importlib

import pytest

from tests.course import assignments, source_path
from tests.grading.harness import ExerciseRunner

pytestmark = pytest.mark.slow


def _accepted(name):
    return getattr(importlib.import_module(f"tests.grading.mutants.m{name}"), "ACCEPTED", [])


@pytest.mark.parametrize("name", [n for n in assignments() if _accepted(n)])
def test_accepted_answers_get_full_marks(name):
    problems = []
    with ExerciseRunner(source_path(name)) as runner:
        for answer in _accepted(name):
            outcome = runner.try_mutant(answer)
            if outcome.failed_cells:
                problems.append(f"{answer.name}: a correct answer fails {outcome.failed_cells}:\n{outcome.public_output}")
    assert not problems, "\n".join(problems)
