"""The student copy in a real browser: `git clone` it, `make install`, `make lab` (the copy's own
Makefile and config), then the student path of test_student_path.py on notebook 01: Run All stops
at the first exercise, Validate lists the failures, the typed answer passes and leaves Validate's
list, the instructor tools are absent. One notebook: the other test covers all six in this
repository, this one covers what is different in the copy (its Makefile, config, helpers).
"""

from __future__ import annotations

import shutil

import pytest

from tests.browser.lab import LabServer, alive, describe
from tests.browser.test_student_path import (ARTIFACTS, browser,  # noqa: F401 - a fixture
                                             drive_the_student_path)
from tests.student_copy import build_copy, clone_and_install

pytest.importorskip("playwright.sync_api")
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(600)]


@pytest.fixture
def name():
    return "01_neurons_perceptron"


@pytest.fixture
def artifacts(name):
    """artifacts/browser/student-copy/<notebook>/: screenshots and the server log."""
    path = ARTIFACTS / "student-copy" / name
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


@pytest.fixture
def lab(tmp_path, artifacts):
    clone, _ = clone_and_install(build_copy(tmp_path / "dist"), tmp_path / "clone")
    server = LabServer(course=tmp_path / "server", log=artifacts / "jupyter-lab.log", student_copy=clone)
    try:
        yield server.start()
    finally:
        forced = server.stop()
        print(f"server up in {server.started_in:.1f} s; stopped" + (f", had to signal {forced}" if forced else ""))
        left = alive(server.procs.values())
        assert not left, f"processes of the Jupyter server still running: {describe(left)}"


def test_student_copy_in_jupyterlab(name, lab, browser, artifacts, record_property):  # noqa: F811
    drive_the_student_path(name, lab, browser, artifacts, record_property)
