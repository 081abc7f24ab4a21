"""`make grade`: one bad submission never stops the batch; feedback never shows hidden tests;
JOBS=2 gives exactly the one-at-a-time results (the class graded once each way)."""

import csv
import html
import re
import shutil

import nbformat
import psutil
import pytest

from instructor import examples, grade
from tests.course import ROOT, make_course_copy, read, source_path

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("grade_workflow")]
NAME = "01_neurons_perceptron"


def _hidden_only_lines(source_nb) -> set[str]:
    hidden, public = set(), set()
    for cell in source_nb.cells:
        inside, lines = False, set()
        for line in cell.source.splitlines():
            if "BEGIN HIDDEN TESTS" in line:
                inside = True
            elif "END HIDDEN TESTS" in line:
                inside = False
            elif inside:
                lines.add(line.strip())
        hidden |= lines
        public |= {line.strip() for line in cell.source.splitlines()} - lines
    return {line for line in hidden - public if len(line) >= 12}


def _text(path) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", path.read_text()))


def _class(course):
    """notebook 01 of every example student, and sam's (see below), submitted in ``course``."""
    for other in (course / "solutions").iterdir():
        if other.name != NAME:
            shutil.rmtree(other)
    for student_dir in (ROOT / "examples" / "submissions").iterdir():
        src = student_dir / NAME
        shutil.copytree(src, course / "submitted" / student_dir.name / NAME)
    # a student who passes the public checks of 1.1 with code that only works for <= 3 features
    sneaky = read(ROOT / "examples" / "submissions" / "ada" / NAME / f"{NAME}.ipynb")
    for cell in sneaky.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "ex1_1_predict":
            cell.source = cell.source.replace(
                "return (z >= 0).astype(int)",
                "return (z >= 0).astype(int) if X.shape[1] <= 3 else np.zeros(len(X), int)")
    (course / "submitted" / "sam" / NAME).mkdir(parents=True)
    nbformat.write(sneaky, course / "submitted" / "sam" / NAME / f"{NAME}.ipynb")
    return course


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The class graded one student at a time (JOBS=1)."""
    course = _class(make_course_copy(tmp_path_factory.mktemp("course")))
    results = {r.student: r for r in grade.grade_assignment(course, NAME, log=lambda *_: None)}
    grade.write_csv(list(results.values()), course / "grades.csv")
    return course, results


def test_jobs2_gives_the_one_at_a_time_results(graded, tmp_path):
    """`make grade JOBS=2`: the same class graded two students at a time; a missing and a corrupt
    notebook among them. (Two notebooks and two grading machines at JOBS=2: test_large_class.)"""
    course, sequential = graded
    parallel_course = _class(make_course_copy(tmp_path / "course"))
    parallel = {r.student: r for r in grade.grade_assignment(parallel_course, NAME, lambda *_: None,
                                                             grade.Options(jobs=2))}
    assert len(parallel) > 2, "more students than jobs"

    def key(r):
        return (r.student, r.assignment, r.status, r.score, r.manual_pending, r.flags)
    assert sorted(map(key, parallel.values())) == sorted(map(key, sequential.values()))
    graded_students = [s for s, r in sequential.items() if r.status == "graded"]
    assert len(graded_students) == 4 and {sequential[s].status for s in ("dan", "eve")} == {"missing", "corrupt"}
    for student in graded_students:              # every cell's score, not only the totals
        assert grade.read_scores(parallel_course, NAME, student) == grade.read_scores(course, NAME, student)
    assert not any(r.flags for s, r in sequential.items() if s != "sam")   # honest work is never flagged


def test_every_student_gets_a_result_and_bad_ones_score_zero(graded):
    course, results = graded
    status = {s: r.status for s, r in results.items()}
    assert status == {"ada": "graded", "bob": "graded", "grace": "graded", "sam": "graded",
                      "dan": "missing", "eve": "corrupt"}
    assert results["ada"].score == 14 and results["ada"].manual_pending == 6
    assert results["bob"].score == 0 and results["grace"].score == 6
    assert results["sam"].score == 13, "sam loses exactly the hidden point of exercise 1.1"
    assert results["sam"].manual_pending == 6
    with open(course / "grades.csv") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert rows["eve"]["score"] == "0" and "not a valid notebook" in rows["eve"]["detail"]
    table = grade.summary_table(list(results.values()))
    assert "CORRUPT" in table and "MISSING" in table and "eve / 01_neurons_perceptron: corrupt" in table


def test_feedback_names_the_failed_hidden_check_but_never_shows_hidden_tests(graded):
    course, results = graded
    hidden_lines = _hidden_only_lines(read(source_path(NAME)))
    assert hidden_lines, "the notebook has hidden tests to protect"
    for student in ("ada", "bob", "grace", "sam"):
        text = _text(course / "feedback" / student / NAME / f"{NAME}.html")
        leaked = [line for line in hidden_lines if line in text]
        assert not leaked, f"{student}'s feedback shows hidden test lines: {leaked[:3]}"
        assert "BEGIN HIDDEN TESTS" not in text and "_reference_predict" not in text
    sam = _text(course / "feedback" / "sam" / NAME / f"{NAME}.html")
    assert "Hidden checks: FAILED" in sam and "check: predict on random X" in sam
    assert "expected:" not in sam.split("Hidden checks: FAILED")[1].split("Hidden checks")[0]
    assert "Autograded score: 13 of 20 (6 points still to be graded by your instructor)" in sam


def test_shipped_examples_are_in_sync_with_the_course(tmp_path):
    examples.build(tmp_path / "submissions")
    shipped = sorted(p.relative_to(ROOT / "examples" / "submissions")
                     for p in (ROOT / "examples" / "submissions").rglob("*") if p.is_file())
    fresh = sorted(p.relative_to(tmp_path / "submissions") for p in (tmp_path / "submissions").rglob("*")
                   if p.is_file())
    assert shipped == fresh, "run `make examples` and commit examples/submissions"
    for rel in fresh:
        assert (tmp_path / "submissions" / rel).read_bytes() == \
            (ROOT / "examples" / "submissions" / rel).read_bytes(), f"stale example: {rel} (make examples)"


def test_an_assignment_nbgrader_cannot_release_fails_each_student_with_the_reason(tmp_path):
    """A solution nbgrader cannot release: every student is reported with nbgrader's reason (the grading
    workers, already started meanwhile, are stopped)."""
    course = make_course_copy(tmp_path / "course")
    for other in (course / "solutions").iterdir():
        if other.name != NAME:
            shutil.rmtree(other)
    source = course / "solutions" / NAME / f"{NAME}.ipynb"
    broken = read(source)
    answer = next(c for c in broken.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "ex1_2_update")
    answer.metadata.nbgrader["grade_id"] = "ex1_1_predict"   # two cells with one grade_id
    nbformat.write(broken, source)
    for student in ("ada", "bob"):
        shutil.copytree(ROOT / "examples" / "submissions" / student / NAME, course / "submitted" / student / NAME)
    results = grade.grade_assignment(course, NAME, log=lambda *_: None, options=grade.Options(jobs=2))
    assert [(r.student, r.status) for r in results] == [("ada", "release failed"), ("bob", "release failed")]
    for result in results:
        assert result.detail == ("nbgrader generate_assignment: Notebook failed to validate; the nbgrader "
                                 "metadata may be corrupted."), result.detail
    assert not (course / "autograded").exists()


def test_a_grading_process_that_dies_costs_only_its_student(tmp_path, monkeypatch):
    """A grading process killed while it grades (the OOM killer, a crash in nbgrader): that student is
    reported, a new process grades the rest of the batch, and no process is left behind."""
    from instructor import bench

    source, submission = bench.tiny_assignment(tmp_path)
    course = bench.scratch_course(tmp_path / "course", source, submission, 3)
    started, real_grade = [], grade.Worker.grade

    def killed_while_grading_s2(worker, student):
        started.append(worker.process)
        if student == "s2":
            worker.process.kill()
        return real_grade(worker, student)

    monkeypatch.setattr(grade.Worker, "grade", killed_while_grading_s2)
    results = {r.student: r for r in grade.grade_assignment(course, source.stem, lambda *_: None)}
    assert {s: r.status for s, r in results.items()} == {"s1": "graded", "s2": "autograde failed",
                                                         "s3": "graded"}
    assert results["s2"].detail == "the grading process died while grading this notebook"
    assert results["s1"].score == results["s3"].score == results["s1"].max_score > 0
    assert len({id(p) for p in started}) == 2, "s3 is graded by a new process"
    assert not any(psutil.pid_exists(p.pid) for p in started), "a grading process outlived the batch"
