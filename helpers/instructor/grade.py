"""Autograde whatever is under ``submitted/<student>/<assignment>/`` (``make grade``).

Runs real nbgrader from the repository root (it only reads ``nbgrader_config.py`` from the cwd):
``autograde --force`` per assignment, then ``export`` to ``grades.csv``, and prints a
student x assignment table. One failing assignment never stops the others.
The full instructor workflow (feedback without hidden tests, shipped example submissions,
flagged submissions) builds on this.
"""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def submitted_assignments(root: Path = ROOT) -> list[str]:
    """Names of assignments that at least one student has submitted."""
    base = root / "submitted"
    if not base.is_dir():
        return []
    return sorted({p.name for p in base.glob("*/*") if p.is_dir()})


def run_nbgrader(*args: str, root: Path = ROOT) -> subprocess.CompletedProcess:
    """Run ``nbgrader ARGS`` from the course root, capturing output."""
    return subprocess.run(["nbgrader", *args], cwd=root, capture_output=True, text=True)


def main() -> int:
    assignments = submitted_assignments()
    if not assignments:
        print("Nothing to grade: put submissions under submitted/<student_id>/<assignment>/"
              "<notebook>.ipynb (nbgrader's layout) and run `make grade` again.")
        return 0
    (ROOT / ".nbgrader").mkdir(exist_ok=True)
    failed = []
    for assignment in assignments:
        if not (ROOT / "solutions" / assignment).is_dir():
            print(f"skipping {assignment}: no such assignment in solutions/")
            failed.append(assignment)
            continue
        for step in (("generate_assignment", assignment, "--force"),
                     ("autograde", assignment, "--force")):
            result = run_nbgrader(*step, "--log-level=WARN")
            if result.returncode != 0:
                print(f"nbgrader {step[0]} {assignment} failed:\n{result.stderr[-2000:]}")
                failed.append(assignment)
                break
    result = run_nbgrader("export", "--log-level=WARN")
    if result.returncode != 0:
        print(f"nbgrader export failed:\n{result.stderr[-2000:]}")
        return 1
    with open(ROOT / "grades.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    print(f"\n{'student':<20} {'assignment':<32} {'score':>7} {'max':>5}")
    for row in rows:
        if row["timestamp"] or float(row["score"] or 0) > 0:
            print(f"{row['student_id']:<20} {row['assignment']:<32} "
                  f"{float(row['score']):>7.1f} {float(row['max_score']):>5.0f}")
    print("\nautograded/ holds the graded notebooks; grades.csv the exported grades.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
