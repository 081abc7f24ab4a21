"""`make grade JOBS=N`: students graded concurrently get exactly the sequential results (issue 8)."""

from __future__ import annotations

import shutil

import pytest

from instructor import grade
from tests.course import ROOT, make_course_copy

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("parallel_grading")]
ASSIGNMENTS = ["01_neurons_perceptron", "02_activations"]


def graded_class(root, jobs: int):
    course = make_course_copy(root)
    for other in (course / "solutions").iterdir():
        if other.name not in ASSIGNMENTS:
            shutil.rmtree(other)
    for student in (ROOT / "examples" / "submissions").iterdir():
        for name in ASSIGNMENTS:
            shutil.copytree(student / name, course / "submitted" / student.name / name)
    # three more honest copies so that more students than jobs are graded
    for extra in ("ada2", "ada3", "grace2"):
        source = "ada" if extra.startswith("ada") else "grace"
        for name in ASSIGNMENTS:
            shutil.copytree(ROOT / "examples" / "submissions" / source / name, course / "submitted" / extra / name)
    options = grade.Options(jobs=jobs)
    results = [r for name in ASSIGNMENTS for r in grade.grade_assignment(course, name, lambda *_: None, options)]
    cells = {(r.student, r.assignment): grade.read_scores(course, r.assignment, r.student) for r in results}
    return results, cells


def test_parallel_grading_gives_the_sequential_results(tmp_path):
    sequential, seq_cells = graded_class(tmp_path / "sequential", jobs=1)
    parallel, par_cells = graded_class(tmp_path / "parallel", jobs=2)
    assert [(r.student, r.assignment, r.status, r.score, r.manual_pending, r.flags) for r in sequential] == \
           [(r.student, r.assignment, r.status, r.score, r.manual_pending, r.flags) for r in parallel]
    assert seq_cells == par_cells                      # every cell's score, not only the totals
    graded = [r for r in sequential if r.status == "graded"]
    # 8 students x 2 notebooks, minus dan's missing and eve's corrupt notebook 01
    assert len(graded) == 14 and {r.score for r in graded if r.student.startswith("ada")} == {14, 17}
    assert not any(r.flags for r in graded)            # honest work is never flagged
