"""`make test` relies on `--dist loadgroup`: every test of an xdist_group runs on one worker, so a
module fixture (a graded class, a PostgreSQL run) is built once. pytest 9 with pytest-xdist 3.8
silently ignored the marks (both workers built the large class: ~5 minutes wasted per run)."""

import subprocess
import sys
import textwrap

GROUPED = textwrap.dedent('''
    import os, pytest
    pytestmark = pytest.mark.xdist_group("shared")

    @pytest.mark.parametrize("i", range(6))
    def test_grouped(i):
        print("WORKER", os.environ["PYTEST_XDIST_WORKER"])
''')
OTHER = textwrap.dedent('''
    import pytest

    @pytest.mark.parametrize("i", range(6))
    def test_other(i):
        pass
''')


def test_an_xdist_group_runs_on_one_worker(tmp_path):
    (tmp_path / "test_grouped.py").write_text(GROUPED)
    (tmp_path / "test_other.py").write_text(OTHER)
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    run = subprocess.run([sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-p", "no:cacheprovider",
                          "-rA", "-q", str(tmp_path)], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    workers = {line.split()[-1] for line in run.stdout.splitlines() if line.startswith("WORKER")}
    assert len(workers) == 1, f"the group ran on {sorted(workers)}:\n{run.stdout[-2000:]}"
    assert run.stdout.count("@shared") >= 6, "pytest-xdist did not tag the grouped tests (@shared)"
