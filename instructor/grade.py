"""Grade submissions with nbgrader (``make grade``).

Layout (nbgrader's): ``submitted/<student>/<assignment>/<assignment>.ipynb``. With nothing under
``submitted/``, the shipped fake class in ``examples/submissions/`` is graded in a scratch course
(``.nbgrader/examples/``) so the real gradebook is never touched.

For every assignment that has submissions:
1. ``nbgrader generate_assignment --force`` (puts the assignment and its cells in the gradebook);
2. each submission is inspected: a missing, wrongly named, empty, oversized or corrupt notebook is
   reported by name and scores 0; the others are compared with the released notebook
   (:mod:`instructor.integrity`: deleted, reordered or edited cells, changed metadata,
   code that reaches into the test machinery) and a repaired copy is staged in
   ``.nbgrader/intake/`` (``submitted/`` itself is never modified);
3. ``nbgrader autograde`` grades the staged copies: one batch, or ``--jobs N`` students at a time.
   Kernels run in a sandbox (:mod:`instructor.sandbox`) with the grading guard
   (:mod:`instructor.guard`) and nbgrader's Execute step is replaced by
   :class:`~instructor.grading_execute.GradingExecute` (dead or stuck kernels);
4. scores are read back from the gradebook (a deleted test cell scores 0), feedback HTML without
   hidden tests is written to ``feedback/<student>/<assignment>/<assignment>.html``;
then ``grades.csv`` and a student x assignment summary (with what needs a human) are written.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from instructor import integrity
from instructor.feedback import CellScore, write_feedback
from instructor.grading_execute import KERNEL_DIED, STUCK
from instructor.guard import MARK
from instructor.sandbox import bwrap_path
from instructor.submissions import inspect_submission

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "submissions"
BIN = Path(sys.executable).parent
INTAKE = ".nbgrader/intake"           # staged, repaired copies (relative to the course root)
KERNEL = "nnf-grading"
GUARD = "--IPKernelApp.exec_lines=[\"__import__('instructor.guard').guard.install()\"]"


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


@dataclass(frozen=True)
class Options:
    isolate: bool = True   # run kernels under bubblewrap
    jobs: int = 1          # students graded at the same time


def install_kernelspec(course: Path, options: Options) -> Path:
    """The grading kernelspec (sandbox wrapper + guard) in the course's scratch JUPYTER_PATH."""
    spec_dir = course / ".nbgrader" / "grading" / "kernels" / KERNEL
    spec_dir.mkdir(parents=True, exist_ok=True)
    wrapper = [sys.executable, "-m", "instructor.sandbox"]
    wrapper += [] if options.isolate else ["--no-isolation"]
    argv = [*wrapper, "--", sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}", GUARD]
    # interrupts as a message: a SIGINT to the process group would also stop bwrap itself
    spec = {"argv": argv, "display_name": "NN Foundations (grading)", "language": "python",
            "interrupt_mode": "message"}
    (spec_dir / "kernel.json").write_text(json.dumps(spec, indent=1))
    return spec_dir.parents[1]


def grading_environment(jupyter_path: Path, runtime: Path) -> dict[str, str]:
    """Environment of one nbgrader process: our kernelspec, our Execute step, its own runtime dir."""
    return {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            "JUPYTER_PATH": str(jupyter_path), "JUPYTER_RUNTIME_DIR": str(runtime),
            "NNF_GRADING_KERNEL": KERNEL}


def run_nbgrader(course: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """``nbgrader ARGS`` from the course root (the only place it reads its config from)."""
    env = env or {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    return subprocess.run([str(BIN / "nbgrader"), *args, "--log-level=WARN"], cwd=course,
                          capture_output=True, text=True, env=env)


def autograde(course: Path, assignment: str, students: list[str], options: Options, log=print) -> None:
    """Autograde the staged copies: one nbgrader batch, or one process per student, N at a time.

    nbgrader's own messages go to ``.nbgrader/logs/autograde-<assignment>[-<student>].log``.
    """
    base = ["autograde", assignment, "--force", f"--CourseDirectory.submitted_directory={INTAKE}"]
    jupyter_path = install_kernelspec(course, options)
    logs = course / ".nbgrader" / "logs"
    logs.mkdir(parents=True, exist_ok=True)

    def run(student: str | None) -> None:
        with tempfile.TemporaryDirectory(prefix="nnf-kernels-") as runtime:
            args = base + ([f"--student={student}"] if student else [])
            done = run_nbgrader(course, *args, env=grading_environment(jupyter_path, Path(runtime)))
        name = f"autograde-{assignment}" + (f"-{student}" if student else "")
        (logs / f"{name}.log").write_text(done.stdout + done.stderr)
        if done.returncode != 0:
            log(f"  nbgrader reported errors: see {(logs / name).relative_to(course)}.log")

    log(f"autograding {assignment}: {len(students)} submission(s), {options.jobs} at a time, "
        f"{'sandboxed' if options.isolate else 'NOT sandboxed'}")
    if options.jobs <= 1:
        run(None)
    else:
        with ThreadPoolExecutor(options.jobs) as pool:
            list(pool.map(run, students))


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


def stage(course: Path, student: str, assignment: str, release, source) -> list[integrity.Finding]:
    """Copy the submission to the intake folder, repaired; return what was found."""
    folder = course / "submitted" / student / assignment
    target = course / INTAKE / student / assignment
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(folder, target, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "*.ipynb"))
    submission = nbformat.read(folder / f"{assignment}.ipynb", as_version=4)
    repaired, findings = integrity.check_structure(submission, release)
    findings += integrity.scan_code(repaired, release, integrity.protected_names(source))
    nbformat.write(repaired, target / f"{assignment}.ipynb")
    return findings


def runtime_findings(graded_nb) -> list[str]:
    """What the guard and the Execute step wrote into the graded notebook's outputs."""
    notes = []
    for index, cell in enumerate(graded_nb.cells):
        where = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") or f"cell {index}"
        for out in cell.get("outputs", []):
            text = out.get("text", "") if out.get("output_type") == "stream" else out.get("evalue", "")
            for line in str(text).splitlines():
                if line.startswith(MARK):
                    notes.append(f"{where}: guard {line[len(MARK):].strip()}")
                elif line.startswith((KERNEL_DIED, STUCK)) or "truncated by the grader" in line:
                    notes.append(f"{where}: {line.strip('[] ')}")
            if out.get("ename") == "MemoryError":
                notes.append(f"{where}: MemoryError (the kernel's memory limit)")
            elif out.get("ename") == "CellTimeoutError" and not str(out.get("evalue", "")).startswith(STUCK):
                notes.append(f"{where}: timed out and was interrupted")
    return notes


def grade_assignment(course: Path, assignment: str, log=print, options: Options = Options()) -> list[Result]:
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
    release = nbformat.read(course / "notebooks" / assignment / f"{assignment}.ipynb", as_version=4)
    shutil.rmtree(course / INTAKE, ignore_errors=True)

    results, good, found = {}, [], {}
    for student in students:
        problem = inspect_submission(course / "submitted" / student / assignment, assignment)
        if problem:
            results[student] = Result(student, assignment, problem.status, max_score=maximum,
                                      detail=problem.detail)
        else:
            found[student] = stage(course, student, assignment, release, source)
            good.append(student)
    if good:
        autograde(course, assignment, good, options, log)

    hidden = hidden_test_ids(source)
    for student in good:
        results[student] = collect(course, student, assignment, maximum, found[student], hidden)
    return [results[s] for s in students]


def collect(course: Path, student: str, assignment: str, maximum: float,
            findings: list[integrity.Finding], hidden: set[str]) -> Result:
    """The Result of one autograded submission (scores, flags) and its feedback file."""
    scores = read_scores(course, assignment, student)
    graded = course / "autograded" / student / assignment / f"{assignment}.ipynb"
    flags = [str(f) for f in findings]
    if scores is None or not graded.is_file():
        return Result(student, assignment, "autograde failed", max_score=maximum, flags=flags,
                      detail="nbgrader could not grade this notebook")
    graded_nb = nbformat.read(graded, as_version=4)
    present = {integrity.grade_id(c) for c in graded_nb.cells}
    # A deleted cell scores 0 and waits for nobody (nbgrader leaves it ungraded).
    scores = [s if s.grade_id in present else CellScore(s.grade_id, 0.0, s.max_score, False) for s in scores]
    flags += runtime_findings(graded_nb)
    auto = sum(s.score for s in scores if not s.needs_manual_grade)
    pending = sum(s.max_score for s in scores if s.needs_manual_grade)
    deleted = [f.cell for f in findings if f.kind == "deleted"]
    detail = f"deleted: {', '.join(deleted)}" if deleted else ""
    write_feedback(graded, course / "feedback" / student / assignment / f"{assignment}.html",
                   hidden, student, assignment, scores)
    return Result(student, assignment, "graded", auto, maximum, pending, detail, flags)


def write_csv(results: list[Result], path: Path) -> None:
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student_id", "assignment", "status", "score", "max_score",
                         "manual_points_pending", "detail", "flags"])
        for r in results:
            writer.writerow([r.student, r.assignment, r.status, f"{r.score:g}", f"{r.max_score:g}",
                             f"{r.manual_pending:g}", r.detail, "; ".join(r.flags)])


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
            text += "!" if r is not None and r.flags else ""
            row += text.ljust(col + 2)
        lines.append(row)
    problems = [r for r in results if r.status != "graded"]
    if any(r.manual_pending for r in results):
        lines.append("* written answers still to be graded by hand (formgrader)")
    if any(r.flags for r in results):
        lines.append("! flagged for manual review (see below)")
    if problems:
        lines.append("\nNot graded (scored 0):")
        lines += [f"  {r.student} / {r.assignment}: {r.status} - {r.detail}" for r in problems]
    partial = [r for r in results if r.status == "graded" and r.detail]
    if partial:
        lines.append("\nGraded, with cells missing (no points for them):")
        lines += [f"  {r.student} / {r.assignment}: {r.detail}" for r in partial]
    flagged = [r for r in results if r.flags]
    if flagged:
        lines.append("\nFlagged for manual review:")
        for r in flagged:
            lines.append(f"  {r.student} / {r.assignment}:")
            lines += [f"    - {flag}" for flag in r.flags]
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
    parser.add_argument("--jobs", type=int, default=1, help="students graded at the same time (default 1)")
    parser.add_argument("--no-isolation", action="store_true",
                        help="run student code without the bubblewrap sandbox (only where bwrap cannot "
                             "run; see docs/grading-security.md)")
    args = parser.parse_args(argv)
    options = Options(isolate=not args.no_isolation, jobs=max(1, args.jobs))
    if options.isolate and bwrap_path() is None:
        print("error: bubblewrap (bwrap) is not installed, so student code cannot be sandboxed.\n"
              "Install it with `make sandbox` (apt-get install bubblewrap), or accept the risk with "
              "`make grade ISOLATE=0` (see docs/grading-security.md).", file=sys.stderr)
        return 2
    course = args.course.resolve()
    if args.examples or not assignments_in(course):
        if not args.examples:
            print("Nothing under submitted/: grading the shipped example class (examples/submissions).")
        course = prepare_examples(course / ".nbgrader" / "examples")
    results = []
    for assignment in assignments_in(course):
        results += grade_assignment(course, assignment, options=options)
    write_csv(results, course / "grades.csv")
    print()
    print(summary_table(results))
    print(f"\ngrades:   {course / 'grades.csv'}\nfeedback: {course / 'feedback'}/<student>/<assignment>/"
          f"\ngraded notebooks: {course / 'autograded'}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
