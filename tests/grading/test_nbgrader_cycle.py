"""A real nbgrader cycle per notebook, in a temp copy of the course, through `make grade`'s engine
(instructor.grade: nbgrader's generate_assignment and autograde, sandboxed grading kernel with the
guard, feedback, gradebook).

Three students: the instructor's solution (full marks on every autograded cell), the blank
release (0) and a half-solved notebook (exactly the points of the exercises it solved). The
solution's graded notebook also shows that every solution runs in the grading kernel (sandbox +
guard) without an error or a guard report: no false alarm.

The course copy's notebooks say ``SEED = CYCLE_SEED`` (its release is generated from that source),
so the solution student's graded notebook - every cell run, no error anywhere - is also
test_seeds' run of the notebook for that seed. The Validate check runs the solution for
``VALIDATE_SEED`` with ``validate_all`` (an error or stderr output in any cell fails it): that
seed's run.
"""

from types import SimpleNamespace

import nbformat
import pytest
from nbgrader.api import Gradebook

from instructor import grade
from instructor.guard import MARK
from tests.course import (assignments, auto_points, make_course_copy, nbgrader, nbgrader_meta,
                          release_path, read, set_seed, source_path, strip_solution_markers)

pytestmark = pytest.mark.slow
STUDENTS = ("solution", "blank", "partial")
CYCLE_SEED = 3   # test_seeds runs the seeds that no other test runs
VALIDATE_SEED = 2


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


@pytest.fixture(scope="module")
def cycle(request, tmp_path_factory):
    """The three students of notebook ``request.param`` graded once, shared by the tests below."""
    name = request.param
    course = make_course_copy(tmp_path_factory.mktemp(f"cycle-{name}") / "course")
    source = set_seed(read(source_path(name)), CYCLE_SEED)
    nbformat.write(source, course / "solutions" / name / f"{name}.ipynb")
    # the release students start from: notebooks/ is a fresh release byte for byte (test_release_sync)
    release = set_seed(read(release_path(name)), CYCLE_SEED)
    partial, partial_points = _half_solved(read(release_path(name)), source)
    submissions = {"solution": source, "blank": release, "partial": set_seed(partial, CYCLE_SEED)}
    for student, nb in submissions.items():
        (course / "submitted" / student / name).mkdir(parents=True)
        nbformat.write(nb, course / "submitted" / student / name / f"{name}.ipynb")
    results = {r.student: r for r in grade.grade_assignment(course, name, lambda *_: None)}
    return SimpleNamespace(name=name, course=course, results=results, partial_points=partial_points)


def _per_notebook():
    """One parameter per notebook; both tests of a notebook share its worker and its graded course."""
    return [pytest.param(n, marks=pytest.mark.xdist_group(f"cycle-{n}")) for n in NAMES]


NAMES = assignments()


@pytest.mark.parametrize("cycle", _per_notebook(), indirect=True)
def test_solution_full_blank_zero_partial_between(cycle):
    name = cycle.name
    maximum = auto_points(read(source_path(name)))
    assert {s: r.status for s, r in cycle.results.items()} == {s: "graded" for s in STUDENTS}
    with Gradebook(grade.gradebook_url(cycle.course)) as gb:
        scores = {s: gb.find_submission(name, s).score for s in STUDENTS}
    print(f"{name}: scores {scores} of {maximum} autograded points")
    assert scores["solution"] == pytest.approx(maximum), scores
    assert scores["blank"] == 0, scores
    assert 0 < scores["partial"] < maximum, scores
    assert scores["partial"] == pytest.approx(cycle.partial_points), scores
    assert {s: r.score for s, r in cycle.results.items()} == pytest.approx(scores)


@pytest.mark.parametrize("cycle", _per_notebook(), indirect=True)
def test_a_solution_runs_in_the_grading_kernel_without_errors_or_guard_reports(cycle):
    name = cycle.name
    graded = read(cycle.course / "autograded" / "solution" / name / f"{name}.ipynb")
    [parameters] = [c for c in graded.cells if nbgrader_meta(c).get("grade_id") == "parameters"]
    assert f"SEED = {CYCLE_SEED}" in parameters.source   # this run is test_seeds' run of that seed
    errors = [(i, o.ename, o.evalue[:200]) for i, c in enumerate(graded.cells) if c.cell_type == "code"
              for o in c.outputs if o.output_type == "error"]
    reports = [o.get("text", "") for c in graded.cells if c.cell_type == "code" for o in c.outputs
               if MARK in o.get("text", "")]
    assert errors == [] and reports == []
    # the instructor's source carries the hidden tests, so the integrity scan notes each hidden
    # test cell as edited (and grades the release's); anything else would be a false alarm
    alarms = [f for f in cycle.results["solution"].flags if "was edited (restored from the release" not in f]
    assert alarms == [], alarms


def validate_all(notebook) -> str:
    """``nbgrader validate`` (what the Validate button runs; it always exits 0) with every code
    cell checked: any error or stderr output fails, not only a failing test cell. Its report."""
    return nbgrader(notebook.parent, "validate", "--Validator.validate_all=True", notebook.name).stdout


@pytest.mark.parametrize("name", NAMES)
def test_validate_passes_the_solution(name, tmp_path):
    """What the student's Validate button runs on a finished notebook, for SEED = VALIDATE_SEED and
    with every cell checked: test_seeds' run of that seed. On the blank release, through the button
    itself: tests/browser/test_student_path.py."""
    solved = tmp_path / f"{name}.ipynb"
    nbformat.write(set_seed(read(source_path(name)), VALIDATE_SEED), solved)
    report = validate_all(solved)
    assert "Success! Your notebook passes all the tests." in report, report[-2000:]


def test_validate_all_fails_on_an_error_outside_the_test_cells(tmp_path):
    """The seed run above can fail: an assertion in an ordinary cell (an experiment's claim) is
    reported although every test cell passes."""
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                            "language": "python"}})
    test = nbformat.v4.new_code_cell("assert True")
    test.metadata["nbgrader"] = {"grade": True, "grade_id": "t", "points": 1, "solution": False,
                                 "locked": True, "schema_version": 3}
    nb.cells = [nbformat.v4.new_code_cell("claim = 0.5\nassert claim > 0.9, 'the experiment disagrees'"), test]
    nbformat.write(nb, tmp_path / "claim.ipynb")
    report = validate_all(tmp_path / "claim.ipynb")
    assert "VALIDATION FAILED ON 1 CELL(S)!" in report and "the experiment disagrees" in report, report
