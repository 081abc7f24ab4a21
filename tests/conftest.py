"""Suite-wide hooks for `make test` (two xdist workers, `--dist loadgroup --no-loadscope-reorder`).

- nbval runs on solutions/ in the same session as tests/ (one pass, no second start-up): the cells
  of one notebook share one kernel, so each notebook's cells are one xdist group (one worker, in order).
- Longest first: xdist hands each worker one unit of work (a group or a single test) at a time, in
  collection order, so the longest groups are put first and the quick unit tests last, where they
  fill the gaps. The order is measured wall time on 2 cores (see the README's test budget); a wrong
  order costs minutes, never a check.
- Kernels started by the tests (nbval's among them) get the CPU-independent float kernels that
  `make execute` stored the outputs with (`instructor.execute.pin_numerics`).
"""

import pytest

from instructor.execute import pin_numerics

pin_numerics()

# xdist groups, longest first (seconds on 2 idle cores, make test of 2026-12-04)
LONGEST_FIRST = ["large_class", "adversarial", "exchange", "grade_workflow", "site", "student_copy",
                 "lab_student_mode"]


def _group(item):
    mark = item.get_closest_marker("xdist_group")
    return (mark.args[0] if mark.args else mark.kwargs.get("name", "default")) if mark else None


def _rank(item):
    group = _group(item)
    if group in LONGEST_FIRST:
        return (0, LONGEST_FIRST.index(group))
    if item.get_closest_marker("slow"):
        return (1, 0)
    return (2, 0)


@pytest.hookimpl(tryfirst=True)   # before pytest-xdist reads the groups
def pytest_collection_modifyitems(items):
    for item in items:
        if str(item.path).endswith(".ipynb"):
            item.add_marker(pytest.mark.xdist_group(f"nbval-{item.path.stem}"))
            item.add_marker(pytest.mark.slow)
    items.sort(key=_rank)   # stable: collection order within a rank
