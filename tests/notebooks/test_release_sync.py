"""notebooks/ must be exactly what `make release` produces from solutions/ (byte for byte)."""

import pytest

from tests.course import assignments, make_course_copy, nbgrader, release_path

pytestmark = pytest.mark.slow


def test_release_is_in_sync(tmp_path):
    course = make_course_copy(tmp_path / "course")
    stale = []
    for name in assignments():
        nbgrader(course, "generate_assignment", name, "--force", "--log-level=WARN")
        fresh = course / "notebooks" / name / f"{name}.ipynb"
        if fresh.read_bytes() != release_path(name).read_bytes():
            stale.append(name)
        committed = sorted(p.name for p in release_path(name).parent.iterdir())
        generated = sorted(p.name for p in fresh.parent.iterdir())
        assert committed == generated, f"{name}: release folder files differ: {committed} vs {generated}"
    assert not stale, f"notebooks/ is stale for {stale}: run `make release` and commit the result"
