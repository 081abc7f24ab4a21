"""Self-check: run your own notebooks the way Validate does and print one table (``make check``).

For every notebook it runs a copy of the saved file from a fresh kernel, every cell in order,
going on past errors (as nbgrader's Validate does), in a temporary folder - your notebook file
is only read, never written, and files a notebook writes land in the temporary folder. Then it
reads the output of each exercise's check cell:

* ``passed``   - the public checks of the exercise passed (their points are counted);
* ``FAILED``   - a check failed: the table shows the hint the check gave;
* ``not done`` - the exercise still raises ``NotImplementedError`` (or a written answer still
  says ``YOUR ANSWER HERE``).

Only the checks in your notebook run. The hidden checks (the locked cells saying "more checks
run when your work is graded") run at grading time with other inputs: passing every public
check is not a promise of full marks, and written answers are graded by the instructor.

Usage: ``python -m helpers.selfcheck [PATH ...]`` where PATH is a notebook or a folder searched
for ``*/*.ipynb`` (default: ``notebooks``).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path

from helpers.checks import parse_failure

__all__ = ["Row", "Report", "check_notebook", "format_table", "main"]

#: Per-cell time limit in seconds (the grader's own default; NNF_CELL_TIMEOUT overrides both).
CELL_TIMEOUT = int(os.environ.get("NNF_CELL_TIMEOUT", "60"))
TITLE_RE = re.compile(r"""checks\.exercise\(\s*["']([^"']+)["']""")
QUESTION_RE = re.compile(r"\*\*(Question \d+)")
HEADING_RE = re.compile(r"^#+\s*(Exercise\s+\d+\.\d+.*?)\s*(\(\d+\s*points?\))?\s*$", re.M)


@dataclass
class Row:
    """One exercise (or written question) of one notebook."""

    exercise: str
    status: str                 # "passed", "FAILED", "not done", "answered" (written), "error"
    points: float = 0.0         # points of its public checks that passed
    public_points: float = 0.0  # points of its public checks
    hidden_points: float = 0.0  # points of the checks that only run at grading
    written_points: float = 0.0
    hint: str = ""


@dataclass
class Report:
    notebook: str
    rows: list[Row] = field(default_factory=list)
    seconds: float = 0.0
    problem: str = ""           # the notebook could not be read or run at all


def _meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def _is_placeholder(source: str) -> bool:
    """A locked cell that only says that hidden checks run at grading (comments, no code)."""
    lines = [line.strip() for line in source.splitlines() if line.strip()]
    return all(line.startswith("#") for line in lines)


def _error(cell) -> dict | None:
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            return output
    return None


def _summary(error: dict) -> tuple[str, str]:
    """(status, hint) for a failed check cell, from the error it raised."""
    name, value = error.get("ename", ""), str(error.get("evalue", ""))
    failure = parse_failure(value)
    if name == "NotImplementedError" or failure.not_done:
        return "not done", ""
    if name == "CheckFailed":
        return "FAILED", " ".join(failure.check_and_hint()) or failure.detail
    lines = [line.strip() for line in value.splitlines() if line.strip()]
    first = lines[0] if lines else ""
    if name == "NameError":
        return "FAILED", (f"{name}: {first} - a cell above it failed or was not run "
                          "(the table lists the exercise that failed first)")
    return "FAILED", f"your code raised {name}: {first}".strip()


def _exercise_title(cells, index: int) -> str:
    match = TITLE_RE.search(cells[index].source)
    if match:
        return match.group(1)
    for cell in reversed(cells[:index]):  # the nearest "### Exercise N.k - name (P points)" heading
        if cell.cell_type == "markdown":
            heading = HEADING_RE.search(cell.source)
            if heading:
                return heading.group(1)
    return _meta(cells[index]).get("grade_id", f"cell {index}")


def rows_from_executed(nb) -> list[Row]:
    """The table rows of an executed notebook (its check cells' outputs)."""
    cells = nb.cells
    rows: list[Row] = []
    current: Row | None = None
    stub_not_done = False
    for index, cell in enumerate(cells):
        meta = _meta(cell)
        if meta.get("solution") and cell.cell_type == "code":
            error = _error(cell)
            stub_not_done = bool(error and error.get("ename") == "NotImplementedError")
            current = None
            continue
        if not meta.get("grade"):
            continue
        points = float(meta.get("points", 0) or 0)
        if cell.cell_type == "markdown":  # a written answer, graded by the instructor
            answered = cell.source.strip() not in ("", "YOUR ANSWER HERE")
            question = QUESTION_RE.findall(cells[index - 1].source) if index else []
            title = (f"Written {question[-1]}" if question
                     else f"Written answer {meta.get('grade_id', index)}")
            rows.append(Row(title, "answered" if answered else "not done",
                            written_points=points,
                            hint="written answer: graded by the instructor" if answered else ""))
            current = None
            continue
        if _is_placeholder(cell.source):  # hidden checks: they run at grading only
            if current is not None:
                current.hidden_points += points
            continue
        error = _error(cell)
        if error is None:
            status, hint = ("passed", "")
        else:
            status, hint = _summary(error)
        if stub_not_done and status == "FAILED" and error and error.get("ename") == "NameError":
            status, hint = "not done", ""
        current = Row(_exercise_title(cells, index), status,
                      points=points if status == "passed" else 0.0, public_points=points, hint=hint)
        rows.append(current)
    return rows


def check_notebook(path: Path, timeout: int = CELL_TIMEOUT, kernel_name: str = "python3") -> Report:
    """Run a copy of the notebook at ``path`` from a fresh kernel; the file itself is only read."""
    import nbformat
    from nbclient import NotebookClient

    report = Report(path.stem)
    started = time.monotonic()
    try:
        nb = nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)
    except Exception as err:  # a corrupt file is reported, the other notebooks are still checked
        report.problem = f"could not read {path.name}: {type(err).__name__}: {err}"
        return report
    with tempfile.TemporaryDirectory(prefix="nnf-selfcheck-") as work:
        # Files next to the notebook (data it reads) are visible; what it writes stays here.
        workdir = Path(work) / path.parent.name
        shutil.copytree(path.parent, workdir,
                        ignore=shutil.ignore_patterns("*.ipynb", ".ipynb_checkpoints", "__pycache__"))
        client = NotebookClient(nb, timeout=timeout, interrupt_on_timeout=True, allow_errors=True,
                                kernel_name=kernel_name, resources={"metadata": {"path": str(workdir)}})
        try:
            client.execute()
        except Exception as err:  # the kernel died: report what ran until then
            report.problem = f"the kernel stopped: {type(err).__name__}: {str(err)[:300]}"
    report.rows = rows_from_executed(nb)
    report.seconds = time.monotonic() - started
    return report


def _wrapped(text: str, width: int, indent: str) -> list[str]:
    return textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=indent + "  ",
                         break_long_words=False, break_on_hyphens=False)


def format_table(reports: list[Report], width: int = 100) -> str:
    """One table: notebook x exercise -> result, points of the passed public checks, hints."""
    name_w = max([len("notebook")] + [len(r.notebook) for r in reports])
    ex_w = max([len("exercise")] + [len(row.exercise) for r in reports for row in r.rows])
    ex_w = min(ex_w, 48)
    header = f"{'notebook':<{name_w}}  {'exercise':<{ex_w}}  {'result':<8}  {'points':>7}"
    lines = [header, "-" * len(header)]
    total = public = hidden = written = 0.0
    for report in reports:
        if report.problem:
            lines.append(f"{report.notebook:<{name_w}}  {'(whole notebook)':<{ex_w}}  {'ERROR':<8}")
            lines += _wrapped(report.problem, width, " " * (name_w + 2))
        for row in report.rows:
            if row.written_points:
                points = f"({row.written_points:g})"
            else:
                points = f"{row.points:g}/{row.public_points:g}"
            lines.append(f"{report.notebook:<{name_w}}  {row.exercise[:ex_w]:<{ex_w}}  "
                         f"{row.status:<8}  {points:>7}")
            if row.hint:
                lines += _wrapped(row.hint, width, " " * (name_w + 4))
            total += row.points
            public += row.public_points
            hidden += row.hidden_points
            written += row.written_points
    lines.append("-" * len(header))
    lines.append(f"Public checks passed: {total:g} of {public:g} points. At grading, hidden checks "
                 f"add up to {hidden:g} more points and the instructor grades the written answers "
                 f"(points in parentheses, {written:g} in all).")
    seconds = sum(r.seconds for r in reports)
    lines.append(f"Checked {len(reports)} notebook(s) in {seconds:.0f} s; your notebook files were "
                 "only read. Before handing in: Restart Kernel and Run All, then Validate.")
    return "\n".join(lines)


def find_notebooks(paths: list[str]) -> list[Path]:
    found: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            found += sorted(p for p in path.glob("*/*.ipynb") if ".ipynb_checkpoints" not in p.parts)
            found += sorted(path.glob("*.ipynb"))
        else:
            raise SystemExit(f"make check: {name} is neither a notebook nor a folder of notebooks "
                             "(expected e.g. notebooks/ or notebooks/03_backprop/03_backprop.ipynb)")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.selfcheck", description=__doc__.split("\n")[0])
    parser.add_argument("paths", nargs="*", default=["notebooks"],
                        help="notebooks, or folders holding NN_topic/NN_topic.ipynb (default: notebooks)")
    parser.add_argument("--timeout", type=int, default=CELL_TIMEOUT, help="seconds per cell")
    args = parser.parse_args(argv)
    notebooks = find_notebooks(args.paths)
    if not notebooks:
        print(f"make check: no notebooks found in {', '.join(args.paths)}", file=sys.stderr)
        return 2
    reports = []
    for path in notebooks:
        print(f"checking {path} ...", file=sys.stderr, flush=True)
        reports.append(check_notebook(path, timeout=args.timeout))
    print(format_table(reports))
    return 0


if __name__ == "__main__":
    sys.exit(main())
