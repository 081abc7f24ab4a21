"""Wrong answers (mutants) lose points and show their hint; correct answers written differently
(ACCEPTED) lose none. Both run in one kernel per notebook that has run the solution once, for
SEED = RUNNER_SEED with every assertion: that run is test_seeds' run of this seed."""

import importlib

import pytest

from tests.course import assignments, nbgrader_meta, read, source_path
from tests.grading.harness import ExerciseRunner

pytestmark = pytest.mark.slow
NAMES = assignments()
RUNNER_SEED = 4   # test_seeds runs the seeds that no other test runs


def _catalogue(name):
    return importlib.import_module(f"tests.grading.mutants.m{name}")


def _per_notebook(names):
    """One parameter per notebook, grouped so that every test of a notebook shares its worker
    (and so its module-scoped runner: the solution runs once for both tests). The names must be
    the same str objects in both parametrizations: pytest reuses a cached fixture by identity."""
    return [pytest.param(n, marks=pytest.mark.xdist_group(f"runner-{n}")) for n in names]


@pytest.fixture(scope="module")
def runner(request):
    with ExerciseRunner(source_path(request.param), seed=RUNNER_SEED) as solved:
        yield solved


@pytest.mark.parametrize("runner", _per_notebook(NAMES), indirect=True)
def test_mutants_lose_points_and_get_their_hint(runner):
    name = runner.name
    mutants = _catalogue(name).MUTANTS
    exercises = [nbgrader_meta(c)["grade_id"] for c in read(source_path(name)).cells
                 if c.cell_type == "code" and nbgrader_meta(c).get("solution")]
    for exercise in exercises:
        count = sum(m.exercise == exercise for m in mutants)
        assert count >= 3, f"{exercise}: only {count} mutants (need >= 3)"

    _, seeded = runner._run(f"assert SEED == {RUNNER_SEED}, SEED")
    assert seeded, f"the solution did not run for SEED = {RUNNER_SEED}"
    problems = []
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


@pytest.mark.parametrize("runner", _per_notebook([n for n in NAMES if getattr(_catalogue(n), "ACCEPTED", [])]),
                         indirect=True)
def test_accepted_answers_get_full_marks(runner):
    problems = []
    for answer in _catalogue(runner.name).ACCEPTED:
        outcome = runner.try_mutant(answer)
        if outcome.failed_cells:
            problems.append(f"{answer.name}: a correct answer fails {outcome.failed_cells}:\n{outcome.public_output}")
    assert not problems, "\n".join(problems)
