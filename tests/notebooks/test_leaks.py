"""The student release must not leak solutions, hidden tests, rubrics or outputs (fast)."""

import pytest

from tests.course import (LEAK_MARKERS, assignments, nbgrader_meta, read, release_path,
                          secret_lines, source_path)

pytestmark = pytest.mark.parametrize("name", assignments())

def test_release_exists(name):
    assert release_path(name).is_file(), "run `make release`"


def test_no_markers_and_no_outputs(name):
    nb = read(release_path(name))
    for cell in nb.cells:
        for marker in LEAK_MARKERS:
            assert marker not in cell.source, f"{marker!r} leaked into the release"
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, "the release stores outputs"


def test_no_solution_or_hidden_test_lines(name):
    source, release = read(source_path(name)), read(release_path(name))
    released = {line.strip() for c in release.cells for line in c.source.splitlines()}
    for line in sorted(secret_lines(source)):
        assert line not in released, f"solution/hidden line leaked: {line!r}"


def test_stubs_raise_and_tests_are_locked(name):
    release = read(release_path(name))
    solutions = [c for c in release.cells if nbgrader_meta(c).get("solution")]
    for cell in solutions:
        if cell.cell_type == "code":
            assert "raise NotImplementedError()" in cell.source
        else:
            assert cell.source.strip() == "YOUR ANSWER HERE"
    for cell in release.cells:
        if nbgrader_meta(cell).get("grade") and cell.cell_type == "code":
            assert nbgrader_meta(cell)["locked"] and cell.metadata.get("editable") is False
