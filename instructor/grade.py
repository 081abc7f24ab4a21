"""Grade submissions with nbgrader (``make grade``).

Layout (nbgrader's): ``submitted/<student>/<assignment>/<assignment>.ipynb``. With nothing under
``submitted/``, the shipped fake class in ``examples/submissions/`` is graded in a scratch course
(``.nbgrader/examples/``) so the real gradebook is never touched.

For every assignment that has submissions:
1. ``nbgrader generate_assignment --force``, in-process (puts the assignment and its cells in the
   gradebook);
2. each submission is inspected: a missing, wrongly named, empty, oversized or corrupt notebook is
   reported by name and scores 0; the others are compared with the released notebook
   (:mod:`instructor.integrity`: deleted, reordered or edited cells, changed metadata,
   code that reaches into the test machinery) and a repaired copy is staged in
   ``.nbgrader/intake/`` (``submitted/`` itself is never modified);
3. ``--jobs N`` long-lived grading processes (:mod:`instructor.grading_worker`, forked from
   multiprocessing's forkserver: a Python script that calls :func:`grade_assignment` needs the
   usual ``if __name__ == "__main__":`` guard) take the staged copies one student at a time: nbgrader's Autograde converter, in-process, then the feedback
   HTML without hidden tests (``feedback/<student>/<assignment>/<assignment>.html``).
   Kernels run in a sandbox (:mod:`instructor.sandbox`) with the grading guard
   (:mod:`instructor.guard`) and nbgrader's Execute step is replaced by
   :class:`~instructor.grading_execute.GradingExecute` (dead or stuck kernels);
4. scores are read back from the gradebook (a deleted test cell scores 0);
then ``grades.csv`` and a student x assignment summary (with what needs a human) are written.

The gradebook is the course's SQLite file unless ``--db URL`` (or ``NNF_GRADEBOOK_URL``) names
another SQLAlchemy URL, e.g. ``postgresql+psycopg2://grader@dbhost/nnf``: several grading
machines, each with a clone of the course and a share of the students, then grade into one
gradebook (``nbgrader_config.py`` reads the same variable, so the formgrader and
``nbgrader export`` see it too).
"""

from __future__ import annotations

import argparse
import functools
import json
import multiprocessing
import os
import shutil
import queue
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from instructor import gradebook, integrity
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
DB_ENV = "NNF_GRADEBOOK_URL"          # read by nbgrader_config.py too
GUARD = ("--IPKernelApp.exec_lines=[\"__import__('instructor.sandbox').sandbox.exit_with_the_grader()\", "
         "\"__import__('instructor.guard').guard.install()\"]")


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
    cells: dict[str, list[float]] = field(default_factory=dict)   # grade_id: [score, max_score]
    failures: list[dict[str, str]] = field(default_factory=list)  # failed test cells: check, hint

    def record(self) -> gradebook.Record:
        return gradebook.Record(self.student, self.assignment, self.status, self.score, self.max_score,
                                self.manual_pending, self.detail, list(self.flags), dict(self.cells),
                                list(self.failures))


@dataclass(frozen=True)
class Options:
    isolate: bool = True   # run kernels under bubblewrap
    jobs: int = 1          # students graded at the same time
    db_url: str = ""       # gradebook (SQLAlchemy URL); "" = the course's .nbgrader/gradebook.db


def normalize_db_url(url: str) -> str:
    """The gradebook URL nbgrader gets: ``postgresql://`` names the installed driver (psycopg2).

    Raises ValueError with what was expected for anything that is not sqlite or postgresql.
    """
    url = url.strip()
    if url.startswith(("postgresql://", "postgres://")):
        url = "postgresql+psycopg2://" + url.split("://", 1)[1]
    if not url.startswith(("sqlite:///", "postgresql+psycopg2://")):
        raise ValueError(f"gradebook URL {url!r} not understood: expected postgresql+psycopg2://USER@HOST"
                         "[:PORT]/DATABASE (or ...@/DATABASE?host=/socket/dir) or sqlite:////path/gradebook.db")
    return url


def gradebook_url(course: Path, db_url: str = "") -> str:
    """The SQLAlchemy URL of the gradebook ``make grade`` writes (see ``nbgrader_config.py``)."""
    return db_url or f"sqlite:///{course / '.nbgrader' / 'gradebook.db'}?timeout=120"


def check_gradebook(url: str) -> str | None:
    """None when the gradebook database answers, else a message saying what to fix."""
    import sqlalchemy

    try:
        engine = sqlalchemy.create_engine(url)
        with engine.connect() as connection:
            connection.execute(sqlalchemy.text("SELECT 1"))
        engine.dispose()
    except Exception as err:  # any failure is reported, with the URL minus its password
        shown = sqlalchemy.engine.make_url(url).render_as_string(hide_password=True)
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        return (f"cannot open the gradebook {shown}: {first}\nexpected a running database the grader "
                "may create tables in (PostgreSQL: createdb, and a role with access to it)")
    return None


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


def base_environment(db_url: str = "") -> dict[str, str]:
    """Environment of an nbgrader command: the venv's bin on PATH (alembic), the gradebook URL."""
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop(DB_ENV, None)
    return {**env, DB_ENV: db_url} if db_url else env


def grading_environment(jupyter_path: Path, runtime: Path, db_url: str = "") -> dict[str, str]:
    """Environment of one grading process: our kernelspec, our Execute step, its own runtime dir."""
    return {**base_environment(db_url), "JUPYTER_PATH": str(jupyter_path),
            "JUPYTER_RUNTIME_DIR": str(runtime), "NNF_GRADING_KERNEL": KERNEL}


class Worker:
    """One grading process (:func:`instructor.grading_worker.run`): send a student id, wait for its
    answer. Forked from multiprocessing's forkserver, which has loaded nbgrader once for all of them."""

    def __init__(self, course: Path, assignment: str, env: dict[str, str], log_path: Path):
        from instructor import grading_worker

        context = _forkserver()
        self.connection, theirs = context.Pipe()
        self.process = context.Process(target=grading_worker.run, name=f"grading {assignment}",
                                       args=(assignment, str(course), env, str(log_path), theirs))
        self.process.start()
        theirs.close()

    def grade(self, student: str) -> dict | None:
        """The worker's answer for ``student``, or None when the worker died meanwhile."""
        try:
            self.connection.send(student)
            return json.loads(self.connection.recv())
        except (OSError, EOFError, ValueError):
            return None

    def close(self) -> None:
        try:
            self.connection.send(None)
        except OSError:
            pass
        self.process.join(timeout=60)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.connection.close()


@functools.cache
def _forkserver():
    """multiprocessing's forkserver context, its server preloading the grading process's modules."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["instructor.grading_worker"])
    return context


class Autograder:
    """``workers`` long-lived grading processes for one assignment, started at once (their start
    overlaps ``generate_assignment`` and the staging); :meth:`run` hands them the students, each
    worker taking the next one when it finishes one (a slow notebook holds back no fixed share).

    A worker that dies costs only the student it was grading: a new one takes the rest.
    nbgrader's own messages go to ``.nbgrader/logs/autograde-<assignment>-<worker>.log``.
    """

    def __init__(self, course: Path, assignment: str, options: Options, workers: int, log=print):
        self.course, self.assignment, self.options, self.log = course, assignment, options, log
        self.jupyter_path = install_kernelspec(course, options)
        self.logs = course / ".nbgrader" / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.todo: queue.Queue[str] = queue.Queue()
        self.problems: dict[str, str] = {}
        self.go = threading.Event()
        self.threads = [threading.Thread(target=self._work, args=(i,)) for i in range(max(1, workers))]
        for thread in self.threads:
            thread.start()

    def _work(self, index: int) -> None:
        log_path = self.logs / f"autograde-{self.assignment}-{index}.log"
        log_path.write_text("")
        with tempfile.TemporaryDirectory(prefix="nnf-kernels-") as runtime:
            env = grading_environment(self.jupyter_path, Path(runtime), self.options.db_url)
            worker = Worker(self.course, self.assignment, env, log_path)
            self.go.wait()
            failed = False
            try:
                while True:
                    try:
                        student = self.todo.get_nowait()
                    except queue.Empty:
                        break
                    worker = worker or Worker(self.course, self.assignment, env, log_path)
                    answer = worker.grade(student)
                    if answer is None:
                        self.problems[student] = "the grading process died while grading this notebook"
                        worker.close()
                        worker, failed = None, True
                    elif not answer.get("ok"):
                        self.problems[student], failed = answer.get("error", ""), True
            finally:
                if worker is not None:
                    worker.close()
        if failed:
            self.log(f"  nbgrader reported errors: see {log_path.relative_to(self.course)}")

    def run(self, students: list[str]) -> dict[str, str]:
        """Grade ``students``; {student: problem} for those whose grading went wrong."""
        self.log(f"autograding {self.assignment}: {len(students)} submission(s), {len(self.threads)} at a "
                 f"time, {'sandboxed' if self.options.isolate else 'NOT sandboxed'}")
        for student in students:
            self.todo.put(student)
        self.go.set()
        for thread in self.threads:
            thread.join()
        return self.problems

    def cancel(self) -> None:
        """Stop the workers without grading anyone."""
        self.go.set()
        for thread in self.threads:
            thread.join()


def autograde(course: Path, assignment: str, students: list[str], options: Options, log=print) -> dict[str, str]:
    """Autograde the staged copies of ``students`` with ``options.jobs`` workers (see Autograder)."""
    return Autograder(course, assignment, options, min(options.jobs, len(students)), log).run(students)


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


def read_scores(course: Path, assignment: str, student: str, db_url: str = "") -> list[CellScore] | None:
    """Cell scores of a submission, in the order of the source notebook's cells (a database
    returns them in no particular order: PostgreSQL and SQLite differ)."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(gradebook_url(course, db_url)) as gb:
        try:
            notebook = gb.find_submission_notebook(assignment, assignment, student)
        except MissingEntry:
            return None
        scores = [CellScore(g.name, float(g.score or 0.0), float(g.max_score), bool(g.needs_manual_grade))
                  for g in notebook.grades]
    source = course / "solutions" / assignment / f"{assignment}.ipynb"
    order = {integrity.grade_id(c): i for i, c in enumerate(nbformat.read(source, as_version=4).cells)} \
        if source.is_file() else {}
    return sorted(scores, key=lambda s: (order.get(s.grade_id, len(order)), s.grade_id))


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


def release_failure(log: str) -> str:
    """Why ``nbgrader generate_assignment`` failed, from its log: the ERROR lines minus nbgrader's
    generic ones ("Traceback", "There was an error processing", "Please see the above")."""
    generic = ("Traceback", "There was an error processing", "Please see the")
    reasons = [line.split("ERROR]", 1)[1].strip() for line in log.splitlines() if line.startswith("[ERROR]")]
    reasons = [r for r in reasons if r and not r.startswith(generic)]
    return ("nbgrader generate_assignment: " + "; ".join(reasons))[:300] if reasons else log[-300:]


def _ask_alembic_once() -> None:
    """nbgrader runs the ``alembic`` command (0.8 s) for the head revision of its schema - a constant
    of the installed nbgrader - every time it creates a gradebook: ask it once per process."""
    from nbgrader import api

    if hasattr(api.get_alembic_version, "cache_info"):
        return
    ask = api.get_alembic_version

    @functools.cache
    def head() -> str:
        if str(BIN) not in os.environ.get("PATH", "").split(os.pathsep):   # `alembic` is in the venv
            os.environ["PATH"] = f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"
        return ask()

    api.get_alembic_version = head


def generate_release(course: Path, assignment: str, db_url: str = "") -> str | None:
    """``nbgrader generate_assignment --force`` in this process, as nbgrader's own Python API
    (``NbGraderAPI.generate_assignment``, the formgrader's) runs it: the release in ``notebooks/``
    and the assignment's cells in the gradebook. The course's ``nbgrader_config.py`` is read as the
    command would; the gradebook is ``db_url`` (default the course's SQLite file). None when it
    worked, else nbgrader's reason. (A separate ``nbgrader`` process cost ~1.5 CPU-s per assignment.)"""
    import logging

    from nbgrader.converters import GenerateAssignment
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.utils import capture_log
    from traitlets.config.loader import PyFileConfigLoader

    _ask_alembic_once()
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    config.CourseDirectory.root = str(course)
    config.CourseDirectory.db_url = gradebook_url(course, db_url)
    log = logging.getLogger("instructor.grade.generate_assignment")
    if not log.handlers:           # nbgrader's messages are returned (on failure), never printed
        log.addHandler(logging.NullHandler())
        log.propagate = False
        log.setLevel(logging.INFO)
    coursedir = CourseDirectory(config=config, assignment_id=assignment)
    release = GenerateAssignment(coursedir=coursedir, config=config, log=log)
    release.force = True
    result = capture_log(release)
    return None if result["success"] else release_failure(result.get("log", "") + result.get("error", ""))


def grade_assignment(course: Path, assignment: str, log=print, options: Options = Options()) -> list[Result]:
    source_path = course / "solutions" / assignment / f"{assignment}.ipynb"
    students = students_in(course, assignment)
    if not source_path.is_file():
        return [Result(s, assignment, "unknown assignment", detail=f"no {source_path.relative_to(course)}")
                for s in students]
    source = nbformat.read(source_path, as_version=4)
    maximum = sum(c.metadata["nbgrader"]["points"] for c in source.cells
                  if c.get("metadata", {}).get("nbgrader", {}).get("grade"))
    results, good, found = {}, [], {}
    for student in students:
        problem = inspect_submission(course / "submitted" / student / assignment, assignment)
        if problem:
            results[student] = Result(student, assignment, problem.status, max_score=maximum,
                                      detail=problem.detail)
        else:
            good.append(student)
    # the workers load nbgrader while the assignment is generated and the submissions staged
    grader = Autograder(course, assignment, options, min(options.jobs, len(good)), log) if good else None
    try:
        with gradebook.assignment_lock(gradebook_url(course, options.db_url), assignment):
            failure = generate_release(course, assignment, options.db_url)
        if failure is not None:
            if grader:
                grader.cancel()
            return [Result(s, assignment, "release failed", max_score=maximum, detail=failure) for s in students]
        release = nbformat.read(course / "notebooks" / assignment / f"{assignment}.ipynb", as_version=4)
        shutil.rmtree(course / INTAKE, ignore_errors=True)
        for student in good:
            found[student] = stage(course, student, assignment, release, source)
    except BaseException:
        if grader:
            grader.cancel()   # never leave workers waiting
        raise
    died = grader.run(good) if grader else {}

    for student in good:
        results[student] = collect(course, student, assignment, maximum, found[student], options.db_url,
                                   died.get(student, "") if "process died" in died.get(student, "") else "")
    ordered = [results[s] for s in students]
    gradebook.record(gradebook_url(course, options.db_url), [r.record() for r in ordered])
    return ordered


def graded_scores(course: Path, student: str, assignment: str, db_url: str = ""):
    """(cell scores, autograded notebook) of a graded submission, or None when there is none.

    A test cell the student deleted scores 0 and waits for nobody (nbgrader leaves it ungraded).
    """
    scores = read_scores(course, assignment, student, db_url)
    graded = course / "autograded" / student / assignment / f"{assignment}.ipynb"
    if scores is None or not graded.is_file():
        return None
    graded_nb = nbformat.read(graded, as_version=4)
    present = {integrity.grade_id(c) for c in graded_nb.cells}
    scores = [s if s.grade_id in present else CellScore(s.grade_id, 0.0, s.max_score, False) for s in scores]
    return scores, graded_nb


def write_student_feedback(course: Path, student: str, assignment: str, hidden: set[str],
                           db_url: str = "") -> Path | None:
    """``feedback/<student>/<assignment>/<assignment>.html`` (no hidden tests); None if ungraded."""
    got = graded_scores(Path(course), student, assignment, db_url)
    if got is None:
        return None
    graded = Path(course) / "autograded" / student / assignment / f"{assignment}.ipynb"
    return write_feedback(graded, Path(course) / "feedback" / student / assignment / f"{assignment}.html",
                          hidden, student, assignment, got[0])


def collect(course: Path, student: str, assignment: str, maximum: float,
            findings: list[integrity.Finding], db_url: str = "", died: str = "") -> Result:
    """The Result of one autograded submission (scores, flags); its feedback is the worker's."""
    got = None if died else graded_scores(course, student, assignment, db_url)
    flags = [str(f) for f in findings]
    if got is None:
        return Result(student, assignment, "autograde failed", max_score=maximum, flags=flags,
                      detail=died or "nbgrader could not grade this notebook")
    scores, graded_nb = got
    flags += runtime_findings(graded_nb)
    auto = sum(s.score for s in scores if not s.needs_manual_grade)
    pending = sum(s.max_score for s in scores if s.needs_manual_grade)
    deleted = [f.cell for f in findings if f.kind == "deleted"]
    detail = f"deleted: {', '.join(deleted)}" if deleted else ""
    cells = {s.grade_id: [s.score, s.max_score] for s in scores}
    tests = {s.grade_id for s in scores if not s.needs_manual_grade}
    return Result(student, assignment, "graded", auto, maximum, pending, detail, flags, cells,
                  gradebook.failed_checks(graded_nb, tests))


def write_csv(results: list[Result], path: Path) -> None:
    gradebook.write_grades_csv([r.record() for r in results], path)


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
    parser.add_argument("--db", default=os.environ.get(DB_ENV, ""), metavar="URL",
                        help=f"gradebook SQLAlchemy URL, e.g. postgresql+psycopg2://grader@dbhost/nnf "
                             f"(default: ${DB_ENV}, else the course's .nbgrader/gradebook.db)")
    args = parser.parse_args(argv)
    try:
        db_url = normalize_db_url(args.db) if args.db.strip() else ""
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if db_url and (problem := check_gradebook(db_url)):
        print(f"error: {problem}", file=sys.stderr)
        return 2
    options = Options(isolate=not args.no_isolation, jobs=max(1, args.jobs), db_url=db_url)
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
