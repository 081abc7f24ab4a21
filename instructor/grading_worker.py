"""One long-lived grading process (``make grade`` starts ``--jobs`` of them).

Started by :func:`instructor.grade.autograde` from the course root with the grading environment
(sandboxed kernelspec, guard, :class:`~instructor.grading_execute.GradingExecute`)::

    python -m instructor.grading_worker ASSIGNMENT

It loads nbgrader once (its configuration, the gradebook connection) and then reads student ids,
one per line, on stdin; for each it runs nbgrader's Autograde converter in-process on the staged
copy in ``.nbgrader/intake/`` and writes the student's feedback HTML, then answers with one JSON
line ``{"student": ..., "ok": ..., "error": ...}``. Compared with one ``nbgrader autograde``
process per student this saves the start of nbgrader (imports, config, database) for every
student after the first, and the feedback is written in parallel by the workers.

The answers go to a private copy of the original stdout; file descriptor 1 itself is pointed at
stderr (the worker's log) before any kernel starts, because kernels inherit it: a student's
``os.write(1, ...)`` lands in the log and can never forge an answer.
"""

from __future__ import annotations

import json
import os
import sys
import traceback

INTAKE = ".nbgrader/intake"


def serve(assignment: str, answers, commands) -> None:
    from nbgrader.apps import AutogradeApp
    from nbgrader.auth import Authenticator
    from nbgrader.converters import Autograde
    from nbgrader.converters.base import NbGraderException

    from instructor.grade import hidden_test_ids, write_student_feedback

    import nbformat

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
                Autograde(coursedir=app.coursedir, parent=app).start()
            except NbGraderException as err:   # nbgrader logged why; collect() reports the student
                answer.update(ok=False, error=f"nbgrader: {err}"[:300])
            write_student_feedback(course, student, assignment, hidden, app.coursedir.db_url)
        except Exception:   # one student's failure never stops the worker
            answer.update(ok=False, error=traceback.format_exc(limit=3)[-600:])
            print(answer["error"], file=sys.stderr, flush=True)
        answers.write(json.dumps(answer) + "\n")
        answers.flush()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m instructor.grading_worker ASSIGNMENT (student ids on stdin)", file=sys.stderr)
        return 2
    sys.stdout.flush()
    answers = os.fdopen(os.dup(1), "w", buffering=1)   # os.dup: not inherited by kernels
    os.dup2(2, 1)
    commands = os.fdopen(os.dup(0), "r")
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    serve(argv[0], answers, commands)
    return 0


if __name__ == "__main__":
    sys.exit(main())
