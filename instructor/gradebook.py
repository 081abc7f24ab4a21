"""What ``make grade`` found per submission, kept in the gradebook database itself.

nbgrader's tables hold the cell scores; they do not hold why a submission was not graded
(missing, corrupt ...), the integrity/guard flags, or which check failed with which hint. Those
go into one more table, ``nnf_results``, in the same database (SQLite or the PostgreSQL gradebook
that several grading machines share), one row per (student, assignment), replaced when the
submission is graded again. So one export gives the whole class's ``grades.csv`` whichever
machine graded whom, and the class report (:mod:`instructor.class_report`) reads it too::

    python -m instructor.gradebook [--db URL] [--out grades.csv]      # make export
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import socket
import sys
import zlib
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa

from helpers.checks import parse_failure

__all__ = ["Record", "record", "read_records", "write_grades_csv", "failed_checks", "assignment_lock"]

ROOT = Path(__file__).resolve().parents[1]
CSV_COLUMNS = ["student_id", "assignment", "status", "score", "max_score", "manual_points_pending",
               "detail", "flags"]

METADATA = sa.MetaData()
RESULTS = sa.Table(
    "nnf_results", METADATA,
    sa.Column("student", sa.String(128), primary_key=True),
    sa.Column("assignment", sa.String(128), primary_key=True),
    sa.Column("status", sa.String(64), nullable=False),
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("max_score", sa.Float, nullable=False),
    sa.Column("manual_pending", sa.Float, nullable=False),
    sa.Column("detail", sa.Text, nullable=False),
    sa.Column("flags", sa.Text, nullable=False),      # JSON list of strings
    sa.Column("cells", sa.Text, nullable=False),      # JSON {grade_id: [score, max_score]}
    sa.Column("failures", sa.Text, nullable=False),   # JSON [{cell, check, hint}]
    sa.Column("graded_by", sa.String(256), nullable=False),
    sa.Column("graded_at", sa.String(32), nullable=False),
)


@dataclass
class Record:
    """One submission as the class report and the export see it."""
    student: str
    assignment: str
    status: str
    score: float = 0.0
    max_score: float = 0.0
    manual_pending: float = 0.0
    detail: str = ""
    flags: list[str] = field(default_factory=list)
    cells: dict[str, list[float]] = field(default_factory=dict)
    failures: list[dict[str, str]] = field(default_factory=list)
    graded_by: str = ""
    graded_at: str = ""


def _engine(url: str) -> sa.Engine:
    engine = sa.create_engine(url)
    METADATA.create_all(engine)   # CREATE TABLE IF NOT EXISTS: safe from several machines
    return engine


class assignment_lock:
    """A PostgreSQL advisory lock on one assignment of a shared gradebook (SQLite: one grading
    machine, nothing to lock).

    Exclusive around ``make grade``'s ``generate_assignment``: nbgrader rewrites the assignment's
    cells, and while the notebook has no submission yet it deletes the notebook (with every row
    that hangs on it) and creates it again. Shared around one student's autograde in a grading
    process: nbgrader creates the submission's rows, one per cell, and fills them. So one machine's
    ``generate_assignment`` never runs while another machine's autograde of the same assignment
    creates or fills a submission: that race left a submission without its rows for the cells
    (nbgrader: "No such taskcomment"), ungradable on every later run. Two machines still generate
    one at a time (never inserting the cells twice), and assignments do not wait for each other.
    PostgreSQL queues a request behind the waiting ones it conflicts with, so a waiting
    ``generate_assignment`` is not overtaken by the next students' autogrades. A killed process's
    locks go with its connection.
    """

    KEY = 0x4E4E46   # "NNF"

    def __init__(self, url: str, assignment: str, shared: bool = False):
        self.url, self.shared, self.connection = url, shared, None
        crc = zlib.crc32(assignment.encode())
        self.item = crc - (1 << 32) if crc >= 1 << 31 else crc   # PostgreSQL's int4

    def _call(self, action: str) -> None:
        name = f"pg_advisory_{action}{'_shared' if self.shared else ''}"
        self.connection.execute(sa.text(f"SELECT {name}(:key, :item)"), {"key": self.KEY, "item": self.item})

    def __enter__(self) -> "assignment_lock":
        if self.url.startswith("postgresql"):
            engine = sa.create_engine(self.url, poolclass=sa.pool.NullPool)
            self.connection = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            self._call("lock")
        return self

    def __exit__(self, *exc) -> None:
        if self.connection is not None:
            try:
                self._call("unlock")
            finally:
                self.connection.close()
                self.connection = None


def failed_checks(graded_nb, test_cells: set[str]) -> list[dict[str, str]]:
    """[{cell, check, hint}] for every test cell of ``test_cells`` that failed in ``graded_nb``.

    ``check`` is the first failed check's description (``FAILED - title`` / ``check: ...``),
    ``hint`` the hint the student saw (public output, or the verdict under a hidden cell in the
    feedback); an error that is not a course check (e.g. a NameError) is named by its type.
    """
    found = []
    for cell in graded_nb.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id not in test_cells:
            continue
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if not errors:
            continue
        failure = parse_failure(errors[0].get("evalue", ""))
        if not failure.title:
            check = f"{errors[0].get('ename', 'Error')} raised"
        elif failure.not_done:
            check = "not done (the stub still raises NotImplementedError)"
        else:
            check = failure.check or failure.title
        found.append({"cell": grade_id, "check": check, "hint": failure.hint})
    return found


def record(url: str, records: list[Record]) -> None:
    """Insert or replace the rows of ``records`` (one transaction)."""
    if not records:
        return
    engine = _engine(url)
    stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
    machine = f"{socket.gethostname()}:{ROOT}"
    with engine.begin() as connection:
        for r in records:
            connection.execute(RESULTS.delete().where(
                (RESULTS.c.student == r.student) & (RESULTS.c.assignment == r.assignment)))
            row = asdict(r)
            row.update(flags=json.dumps(r.flags), cells=json.dumps(r.cells), failures=json.dumps(r.failures),
                       graded_by=r.graded_by or machine, graded_at=r.graded_at or stamp)
            connection.execute(RESULTS.insert().values(**row))
    engine.dispose()


def read_records(url: str, assignment: str | None = None) -> list[Record]:
    """Every recorded submission (of ``assignment``), sorted by assignment then student."""
    engine = _engine(url)
    query = sa.select(RESULTS).order_by(RESULTS.c.assignment, RESULTS.c.student)
    if assignment:
        query = query.where(RESULTS.c.assignment == assignment)
    with engine.connect() as connection:
        rows = [dict(row._mapping) for row in connection.execute(query)]
    engine.dispose()
    for row in rows:
        for key in ("flags", "cells", "failures"):
            row[key] = json.loads(row[key])
    return [Record(**row) for row in rows]


def write_grades_csv(records: list[Record], path: Path) -> Path:
    """``grades.csv`` (the columns ``make grade`` writes) for ``records``."""
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        for r in records:
            writer.writerow([r.student, r.assignment, r.status, f"{r.score:g}", f"{r.max_score:g}",
                             f"{r.manual_pending:g}", r.detail, "; ".join(r.flags)])
    return path


def default_course(course: Path) -> Path:
    """``course``, or the scratch course ``make grade`` graded the example class in when
    ``course`` has no submissions of its own (so export/report work right after a first try)."""
    from instructor.grade import assignments_in

    examples = course / ".nbgrader" / "examples"
    if not assignments_in(course) and (examples / ".nbgrader" / "gradebook.db").is_file():
        print(f"Nothing under submitted/: using the example class graded in {examples}", file=sys.stderr)
        return examples
    return course


def open_gradebook(db: str, course: Path) -> tuple[str, Path]:
    """(gradebook URL, course) for a command's ``--db``/``--course``; ValueError saying what to fix."""
    from instructor.grade import check_gradebook, gradebook_url, normalize_db_url

    course = course.resolve() if db.strip() else default_course(course.resolve())
    url = normalize_db_url(db) if db.strip() else gradebook_url(course)
    if problem := check_gradebook(url):
        raise ValueError(problem)
    return url, course


def main(argv: list[str] | None = None) -> int:
    from instructor.grade import DB_ENV

    parser = argparse.ArgumentParser(description="Export the whole class's grades.csv from the gradebook")
    parser.add_argument("--db", default=os.environ.get(DB_ENV, ""), metavar="URL",
                        help=f"gradebook URL (default: ${DB_ENV}, else this course's SQLite gradebook)")
    parser.add_argument("--course", type=Path, default=ROOT)
    parser.add_argument("--out", type=Path, default=None, help="default: <course>/grades.csv")
    args = parser.parse_args(argv)
    try:
        url, _ = open_gradebook(args.db, args.course)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    records = read_records(url)
    out = write_grades_csv(records, args.out or args.course.resolve() / "grades.csv")
    students = len({r.student for r in records})
    print(f"{len(records)} submissions of {students} students -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
