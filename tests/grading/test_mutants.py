"""Every graded exercise has >= 3 mutants; each loses points and shows the student its hint."""

import importlib

import pytest

from tests.course import assignments, nbgrader_meta, read, source_path
from tests.grading.harness import ExerciseRunner

pytestmark = pytest.mark.slow


def _catalogue(name):
    return importlib.import_module(f"tests.grading.mutants.m{name}").MUTANTS


@pytest.mark.parametrize("name", assignments())
def test_mutants_lose_points_and_get_their_hint(name):
    mutants = _catalogue(name)
    exercises = [nbgrader_meta(c)["grade_id"] for c in read(source_path(name)).cells
                 if c.cell_type == "code" and nbgrader_meta(c).get("solution")]
    for exercise in exercises:
        count = sum(m.exercise == exercise for m in mutants)
        assert count >= 3, f"{exercise}: only {count} mutants (need >= 3)"

    problems = []
    with ExerciseRunner(source_path(name)) as runner:
        for exercise in exercises:
            baseline = runner.run_tests(exercise)
            assert not baseline.failed_cells, f"the solution fails {baseline.failed_cells}"
        for mutant in mutants:
            outcome = runner.try_mutant(mutant)
            if outcome.points_lost == 0:
                problems.append(f"{mutant.name}: not caught (lost no points)")
            elif " ".join(mutant.hint.split()) not in " ".join(outcome.public_output.split()):
                problems.append(f"{mutant.name}: caught, but the public output lacks the hint "
                                f"{mutant.hint!r}:\n{outcome.public_output}")
    print(f"{name}: {len(mutants) - len(problems)} of {len(mutants)} mutants caught with their hint")
    assert not problems, "\n".join(problems)
