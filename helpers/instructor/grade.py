"""Grade submissions with nbgrader (``make grade``).

Layout (nbgrader's): ``submitted/<student>/<assignment>/<assignment>.ipynb``. With nothing under
``submitted/``, the shipped fake class in ``examples/submissions/`` is graded in a scratch course
(``.nbgrader/examples/``) so the real gradebook is never touched.

For every assignment that has submissions:
1. ``nbgrader generate_assignment --force`` (puts the assignment and its cells in the gradebook);
2. each submission is inspected first: a missing, wrongly named, empty or corrupt notebook is
   reported by name and scores 0, and is excluded from nbgrader's batch;
3. ``nbgrader autograde --force`` grades the rest in one batch;
4. scores are read back from the gradebook, feedback HTML without hidden tests is written to
   ``feedback/<student>/<assignment>/<assignment>.html``;
then ``grades.csv`` and a student x assignment summary are written.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from helpers.instructor.feedback import CellScore, write_feedback
from helpers.instructor.submissions import inspect_submission

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "submissions"
BIN = Path(sys.executable).parent


@dataclass
class Result:
    student: str
    assignment: str
    status: str                  # "graded", or why not: "missing", "corrupt", "autograde failed", ...
    score: float = 0.0           # autograded points
    max_score: float = 0.0       # all points of the assignment (manual ones included)
    manual_pending: float = 0.0  # points that wait for the instructor
    detail: str = ""
    flags: list[str] = field(default_factory=list)


def run_nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    """``nbgrader ARGS`` from the course root (the only place it reads its config from)."""
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    return subprocess.run([str(BIN / "nbgrader"), *args, "--log-level=WARN"], cwd=course,
                          capture_output=True, text=True, env=env)


def assignments_in(course: Path) -> list[str]:
    base = course / "submitted"
    names = {p.name for p in base.glob("*/*") if p.is_dir()} if base.is_dir() else set()
    return sorted(names)


def students_in(course: Path, assignment: str) -> list[str]:
    return sorted(p.parent.name for p in (course / "submitted").glob(f"*/{assignment}") if p.is_dir())


def hidden_test_ids(source_nb) -> set[str]:
    return {c.metadata["nbgrader"]["grade_id"] for c in source_nb.cells
            if c.get("metadata", {}).get("nbgrader", {}).get("grade")
            and "### BEGIN HIDDEN TESTS" in c.source}


def read_scores(course: Path, assignment: str, student: str) -> list[CellScore] | None:
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(f"sqlite:///{course / '.nbgrader' / 'gradebook.db'}") as gb:
        try:
            notebook = gb.find_submission_notebook(assignment, assignment, student)
        except MissingEntry:
            return None
        return [CellScore(g.name, float(g.score or 0.0), float(g.max_score), bool(g.needs_manual_grade))
                for g in notebook.grades]


def grade_assignment(course: Path, assignment: str, log=print) -> list[Result]:
    source_path = course / "solutions" / assignment / f"{assignment}.ipynb"
    students = students_in(course, assignment)
    if not source_path.is_file():
        return [Result(s, assignment, "unknown assignment", detail=f"no {source_path.relative_to(course)}")
                for s in students]
    source = nbformat.read(source_path, as_version=4)
    maximum = sum(c.metadata["nbgrader"]["points"] for c in source.cells
                  if c.get("metadata", {}).get("nbgrader", {}).get("grade"))
    made = run_nbgrader(course, "generate_assignment", assignment, "--force")
    if made.returncode != 0:
        return [Result(s, assignment, "release failed", max_score=maximum, detail=made.stderr[-300:])
                for s in students]

    results, good = {}, []
    for student in students:
        problem = inspect_submission(course / "submitted" / student / assignment, assignment)
        if problem:
            results[student] = Result(student, assignment, problem.status, max_score=maximum,
                                      detail=problem.detail)
        else:
            good.append(student)
    if good:
        excluded = sorted(set(students) - set(good))
        args = ["autograde", assignment, "--force"]
        if excluded:
            args.append(f"--CourseDirectory.student_id_exclude={','.join(excluded)}")
        log(f"autograding {assignment}: {len(good)} submission(s)")
        run_nbgrader(course, *args)   # nbgrader goes on past a failing student; checked below

    hidden = hidden_test_ids(source)
    for student in good:
        scores = read_scores(course, assignment, student)
        graded = course / "autograded" / student / assignment / f"{assignment}.ipynb"
        if scores is None or not graded.is_file():
            results[student] = Result(student, assignment, "autograde failed", max_score=maximum,
                                      detail="nbgrader could not grade this notebook")
            continue
        auto = sum(s.score for s in scores if not s.needs_manual_grade)
        pending = sum(s.max_score for s in scores if s.needs_manual_grade)
        results[student] = Result(student, assignment, "graded", auto, maximum, pending)
        write_feedback(graded, course / "feedback" / student / assignment / f"{assignment}.html",
                       hidden, student, assignment, scores)
    return [results[s] for s in students]


def write_csv(results: list[Result], path: Path) -> None:
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student_id", "assignment", "status", "score", "max_score",
                         "manual_points_pending", "detail"])
        for r in results:
            writer.writerow([r.student, r.assignment, r.status, f"{r.score:g}", f"{r.max_score:g}",
                             f"{r.manual_pending:g}", r.detail])


def summary_table(results: list[Result]) -> str:
    assignments = sorted({r.assignment for r in results})
    students = sorted({r.student for r in results})
    cell = {(r.student, r.assignment): r for r in results}
    width = max([len("student")] + [len(s) for s in students]) + 2
    col = max([len(a[:2]) for a in assignments] + [16])
    lines = ["student".ljust(width) + "".join(a[:col].ljust(col + 2) for a in assignments)]
    for s in students:
        row = s.ljust(width)
        for a in assignments:
            r = cell.get((s, a))
            text = "-" if r is None else (f"{r.score:g}/{r.max_score:g}" + ("*" if r.manual_pending else "")
                                          if r.status == "graded" else r.status.upper())
            row += text.ljust(col + 2)
        lines.append(row)
    problems = [r for r in results if r.status != "graded"]
    if any(r.manual_pending for r in results):
        lines.append("* written answers still to be graded by hand (formgrader)")
    if problems:
        lines.append("\nNot graded (scored 0):")
        lines += [f"  {r.student} / {r.assignment}: {r.status} - {r.detail}" for r in problems]
    flagged = [r for r in results if r.flags]
    if flagged:
        lines.append("\nFlagged for manual review:")
        lines += [f"  {r.student} / {r.assignment}: {'; '.join(r.flags)}" for r in flagged]
    return "\n".join(lines)


def prepare_examples(scratch: Path) -> Path:
    """A scratch course whose submitted/ is a copy of the shipped fake class."""
    if scratch.exists():
        shutil.rmtree(scratch)
    scratch.mkdir(parents=True)
    shutil.copy2(ROOT / "nbgrader_config.py", scratch / "nbgrader_config.py")
    shutil.copytree(ROOT / "solutions", scratch / "solutions")
    shutil.copytree(EXAMPLES, scratch / "submitted")
    return scratch


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--course", type=Path, default=ROOT, help="course root (default: this repo)")
    parser.add_argument("--examples", action="store_true",
                        help="grade the shipped examples/submissions in a scratch course")
    args = parser.parse_args(argv)
    course = args.course.resolve()
    if args.examples or not assignments_in(course):
        if not args.examples:
            print("Nothing under submitted/: grading the shipped example class (examples/submissions).")
        course = prepare_examples(course / ".nbgrader" / "examples")
    results = []
    for assignment in assignments_in(course):
        results += grade_assignment(course, assignment)
    write_csv(results, course / "grades.csv")
    print()
    print(summary_table(results))
    print(f"\ngrades:   {course / 'grades.csv'}\nfeedback: {course / 'feedback'}/<student>/<assignment>/"
          f"\ngraded notebooks: {course / 'autograded'}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
