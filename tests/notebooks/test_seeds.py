"""Every solution notebook runs top to bottom, with all its assertions, for SEED = 0..4.

SEED = 0 is the parameters cell's value (test_structure checks it), so `make test`'s nbval pass
over solutions/ already runs every notebook with all its assertions for SEED = 0 (and compares
the outputs); here the other four seeds run, with papermill, to a temp dir."""

import papermill
import pytest

from tests.course import assignments, source_path

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("seed", range(1, 5))
@pytest.mark.parametrize("name", assignments())
def test_notebook_runs_for_seed(name, seed, tmp_path):
    src = source_path(name)
    # Output goes to a temp dir: papermill's injected cell must never reach solutions/.
    papermill.execute_notebook(str(src), str(tmp_path / src.name), parameters={"SEED": seed},
                               kernel_name="python3", cwd=str(src.parent), progress_bar=False,
                               execution_timeout=300)
