"""One long-lived grading process (``make grade`` starts ``--jobs`` of them).

:class:`instructor.grade.Worker` starts :func:`run` in a process forked from a server process that
has already loaded nbgrader, nbconvert and this module (multiprocessing's "forkserver"; a fresh
interpreter would spend ~1 CPU-s on those imports per grading process). The grading process takes
its environment (sandboxed kernelspec, guard, :class:`~instructor.grading_execute.GradingExecute`,
its own runtime directory) and the course root as working directory, loads nbgrader's
configuration and the gradebook connection once, and then reads student ids from its pipe; for
each it runs nbgrader's Autograde converter in-process on the staged copy in ``.nbgrader/intake/``
and writes the student's feedback HTML, then answers with one JSON line
``{"student": ..., "ok": ..., "error": ...}``. Compared with one ``nbgrader autograde`` process per
student this saves the start of nbgrader (imports, config, database) for every student after the
first, and the feedback is written in parallel by the workers.

The answers travel on the pipe only. File descriptors 1 and 2 point at the worker's log before any
kernel starts, because kernels inherit them: a student's ``os.write(1, ...)`` lands in the log and
can never forge an answer (the pipe is not inherited).
"""

from __future__ import annotations

import json
import os
import sys
import traceback
import warnings

import nbformat
from nbgrader.apps import AutogradeApp
from nbgrader.auth import Authenticator
from nbgrader.converters import Autograde
from nbgrader.converters.base import NbGraderException

from instructor.grade import INTAKE, hidden_test_ids, write_student_feedback
from instructor.gradebook import assignment_lock
from instructor.sandbox import ALIVE_ENV

# A grading process forked from the forkserver first runs ``python -m instructor.grade`` again as
# ``__mp_main__`` (multiprocessing's spawn.prepare), and runpy warns that the module is already
# loaded (this module imported it): harmless, but every `make grade` printed the RuntimeWarning.
# The forkserver imports this module, so the filter is in place in every process forked from it.
warnings.filterwarnings("ignore", message=r"'instructor\.grade' found in sys\.modules", category=RuntimeWarning)



def serve(assignment: str, answers, commands) -> None:
    """Grade each student id of ``commands``; one JSON line per student to ``answers.write``."""
    app = AutogradeApp()
    app.initialize([assignment, "--force", f"--CourseDirectory.submitted_directory={INTAKE}",
                    "--log-level=WARN"])
    app.authenticator = Authenticator(parent=app)
    course = app.coursedir.root
    source = nbformat.read(os.path.join(course, "solutions", assignment, f"{assignment}.ipynb"), as_version=4)
    hidden = hidden_test_ids(source)
    for line in commands:
        student = line.strip()
        if not student:
            continue
        answer = {"student": student, "ok": True, "error": ""}
        try:
            app.coursedir.assignment_id, app.coursedir.student_id = assignment, student
            try:
                # shared: no machine's generate_assignment rewrites this assignment's cells meanwhile
                with assignment_lock(app.coursedir.db_url, assignment, shared=True):
                    Autograde(coursedir=app.coursedir, parent=app).start()
            except NbGraderException as err:   # nbgrader logged why; collect() reports the student
                answer.update(ok=False, error=f"nbgrader: {err}"[:300])
            write_student_feedback(course, student, assignment, hidden, app.coursedir.db_url)
        except Exception:   # one student's failure never stops the worker
            answer.update(ok=False, error=traceback.format_exc(limit=3)[-600:])
            print(answer["error"], file=sys.stderr, flush=True)
        answers.write(json.dumps(answer) + "\n")
        answers.flush()


class Pipe:
    """The grading process's end of its pipe: student ids in (None: stop), answer lines out."""

    def __init__(self, connection):
        self.connection = connection

    def __iter__(self):
        while True:
            try:
                student = self.connection.recv()
            except EOFError:   # the grader is gone
                return
            if student is None:
                return
            yield student

    def write(self, line: str) -> None:
        self.connection.send(line)

    def flush(self) -> None:
        pass


def run(assignment: str, course: str, env: dict[str, str], log_path: str, connection) -> None:
    """The grading process: ``env`` as its whole environment, ``course`` as working directory,
    stdout and stderr into ``log_path`` (nbgrader's messages, the kernels' output)."""
    os.environ.clear()
    os.environ.update(env)
    # a pipe this process never writes: its kernels exit at its end of file when it dies
    # (instructor.sandbox.exit_with_the_grader); the write end stays open as long as we live
    alive, _ = os.pipe()
    os.environ[ALIVE_ENV] = f"{os.getpid()}:{alive}"
    os.chdir(course)
    log = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    sys.stdout.flush()
    sys.stderr.flush()
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(log)
    serve(assignment, Pipe(connection), Pipe(connection))
