"""Every solution notebook runs top to bottom, with all its assertions, for SEED = 0..4.

SEED = 0 is the parameters cell's value (test_structure checks it), so `make test`'s nbval pass
over solutions/ already runs every notebook with all its assertions for SEED = 0 (and compares
the outputs); test_mutants' runner runs every solution notebook for SEED = 4 (every assertion, then
the wrong answers in the same kernel); test_nbgrader_cycle grades every solution for SEED = 3 (every
cell, no error allowed) and validates it for SEED = 2 (nbgrader validate with validate_all: an error
or stderr output in any cell fails); here the other seeds run, with papermill, to a temp dir.
"""

import papermill
import pytest

from tests.course import assignments, source_path
from tests.grading.test_mutants import RUNNER_SEED
from tests.grading.test_nbgrader_cycle import CYCLE_SEED, VALIDATE_SEED

pytestmark = pytest.mark.slow
PAPERMILL_SEEDS = [s for s in range(1, 5) if s not in (RUNNER_SEED, CYCLE_SEED, VALIDATE_SEED)]


@pytest.mark.parametrize("seed", PAPERMILL_SEEDS)
@pytest.mark.parametrize("name", assignments())
def test_notebook_runs_for_seed(name, seed, tmp_path):
    src = source_path(name)
    # Output goes to a temp dir: papermill's injected cell must never reach solutions/.
    papermill.execute_notebook(str(src), str(tmp_path / src.name), parameters={"SEED": seed},
                               kernel_name="python3", cwd=str(src.parent), progress_bar=False,
                               execution_timeout=300, shutdown_kernel="immediate")


def test_every_seed_from_0_to_4_runs():
    """0: nbval (test_structure: the stored SEED is 0); RUNNER_SEED: test_mutants; CYCLE_SEED and
    VALIDATE_SEED: test_nbgrader_cycle (the graded solution, the validated solution); the rest: above."""
    assert sorted([0, RUNNER_SEED, CYCLE_SEED, VALIDATE_SEED, *PAPERMILL_SEEDS]) == list(range(5))
