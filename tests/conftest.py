"""Suite-wide hooks. `make test` runs nbval on solutions/ in the same session as tests/ (one pass
over two workers, no second start-up): nbval's cells of one notebook share one kernel, so each
notebook's cells are one xdist group and stay on one worker, in order."""

import pytest


@pytest.hookimpl(tryfirst=True)   # before pytest-xdist reads the groups
def pytest_collection_modifyitems(items):
    for item in items:
        path = str(item.path)
        if path.endswith(".ipynb"):
            item.add_marker(pytest.mark.xdist_group(f"nbval-{item.path.stem}"))
            item.add_marker(pytest.mark.slow)
