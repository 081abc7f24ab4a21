"""A real nbgrader cycle per notebook, in a temp copy of the course: release, submit, autograde.

Three students: the instructor's solution (full marks on every autograded cell), the blank
release (0) and a half-solved notebook (exactly the points of the exercises it solved).
"""

import shutil

import nbformat
import pytest
from nbgrader.api import Gradebook

from tests.course import (assignments, auto_points, make_course_copy, nbgrader, nbgrader_meta,
                          release_path,
                          read, source_path, strip_solution_markers)

pytestmark = pytest.mark.slow


def _half_solved(release_nb, source_nb):
    """The release with the first half of its code exercises solved; returns (nb, points)."""
    source_cells = {nbgrader_meta(c).get("grade_id"): c for c in source_nb.cells}
    exercises = [c for c in release_nb.cells
                 if c.cell_type == "code" and nbgrader_meta(c).get("solution")]
    solved = exercises[: len(exercises) // 2]
    assert solved, "need at least two exercises for a partial submission"
    points = 0
    for cell in solved:
        gid = nbgrader_meta(cell)["grade_id"]
        cell.source = strip_solution_markers(source_cells[gid].source)
        for test_id in (f"{gid}_tests", f"{gid}_hidden"):
            points += nbgrader_meta(source_cells[test_id])["points"]
    return release_nb, points


@pytest.mark.parametrize("name", assignments())
def test_solution_full_blank_zero_partial_between(name, tmp_path):
    course = make_course_copy(tmp_path / "course")
    nbgrader(course, "generate_assignment", name, "--force", "--log-level=WARN")
    released = course / "notebooks" / name / f"{name}.ipynb"
    source = read(source_path(name))
    partial, partial_points = _half_solved(read(released), source)

    for student in ("solution", "blank", "partial"):
        (course / "submitted" / student / name).mkdir(parents=True)
    target = f"{name}.ipynb"
    shutil.copy2(source_path(name), course / "submitted" / "solution" / name / target)
    shutil.copy2(released, course / "submitted" / "blank" / name / target)
    nbformat.write(partial, course / "submitted" / "partial" / name / target)

    nbgrader(course, "autograde", name, "--force", "--log-level=WARN")

    maximum = auto_points(source)
    with Gradebook(f"sqlite:///{course / '.nbgrader' / 'gradebook.db'}") as gb:
        scores = {s: gb.find_submission(name, s).score for s in ("solution", "blank", "partial")}
    print(f"{name}: scores {scores} of {maximum} autograded points")
    assert scores["solution"] == pytest.approx(maximum), scores
    assert scores["blank"] == 0, scores
    assert 0 < scores["partial"] < maximum, scores
    assert scores["partial"] == pytest.approx(partial_points), scores


@pytest.mark.parametrize("name", assignments())
def test_validate_passes_the_solution_and_reports_the_blank_release(name, tmp_path):
    """What the student's Validate button runs (`nbgrader validate`, which always exits 0)."""
    shutil.copy2(source_path(name), tmp_path / "solved.ipynb")
    shutil.copy2(release_path(name), tmp_path / "blank.ipynb")
    solved = nbgrader(tmp_path, "validate", "solved.ipynb")
    assert "Success! Your notebook passes all the tests." in solved.stdout, solved.stdout[-2000:]
    blank = nbgrader(tmp_path, "validate", "blank.ipynb")
    assert "VALIDATION FAILED" in blank.stdout and "NOT DONE YET" in blank.stdout, blank.stdout[-2000:]
