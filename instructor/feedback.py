"""Per-student feedback HTML that never shows hidden tests.

nbgrader's own ``generate_feedback`` renders the autograded notebook, whose test cells have been
restored from the gradebook: the hidden tests' source and their tracebacks reach the student
(upstream issue #917). Here every hidden-test cell is replaced by its public stub, and its output
by a short verdict: which check failed (its description) and the hint — never expected values,
source lines or tracebacks. Public test cells keep their output (the student saw it anyway).
A student's markup (Markdown answers, HTML outputs, code) is shown as text, never as live HTML.
"""

from __future__ import annotations

import functools
import html
import shutil
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter
from nbformat.v4 import new_markdown_cell, new_output

from helpers.checks import parse_failure

__all__ = ["CellScore", "sanitize_for_feedback", "write_feedback"]

HIDDEN_BEGIN = "### BEGIN HIDDEN TESTS"
HIDDEN_END = "### END HIDDEN TESTS"
#: nbconvert's "lab" template minus a redundant pass over highlighted code (see its index.html.j2).
TEMPLATES = Path(__file__).resolve().parent / "feedback_template"
#: Files of the submission that `nbgrader release_feedback` needs next to the feedback HTML.
FEEDBACK_COMPANIONS = ("timestamp.txt", "submission_secret.txt")


@dataclass(frozen=True)
class CellScore:
    grade_id: str
    score: float
    max_score: float
    needs_manual_grade: bool


def _public_part(source: str) -> str:
    """The source of a hidden-test cell without the hidden region."""
    keep, inside = [], False
    for line in source.splitlines():
        if HIDDEN_BEGIN in line:
            inside = True
        elif HIDDEN_END in line:
            inside = False
        elif not inside:
            keep.append(line)
    return "\n".join(keep)


def _verdict(outputs) -> str:
    """What a student may learn from a failed hidden check: the check's name and its hint."""
    for out in outputs:
        if out.get("output_type") != "error":
            continue
        failure = parse_failure(out.get("evalue", ""))
        if failure.title:
            return "\n".join([failure.title, *failure.check_and_hint()])
        return f"{out.get('ename', 'Error')} raised while running the hidden checks"
    return "the hidden checks did not pass"


def sanitize_for_feedback(autograded, hidden_ids: set[str]):
    """Copy of an autograded notebook with hidden tests reduced to a verdict (see module doc)."""
    nb = nbformat.from_dict(autograded)  # a deep copy
    for cell in nb.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id not in hidden_ids:
            continue
        cell.source = _public_part(cell.source)
        failed = any(o.get("output_type") == "error" for o in cell.get("outputs", []))
        text = ("Hidden checks: FAILED\n" + _verdict(cell.outputs) + "\n") if failed else \
            "Hidden checks: passed\n"
        cell.outputs = [new_output("stream", name="stdout", text=text)]
    return nb


def _summary_cell(student: str, assignment: str, scores: list[CellScore]):
    auto = [s for s in scores if not s.needs_manual_grade]
    total = sum(s.score for s in auto)
    maximum = sum(s.max_score for s in scores)
    rows = "\n".join(
        f"| `{s.grade_id}` | {'(graded by your instructor)' if s.needs_manual_grade else f'{s.score:g}'}"
        f" | {s.max_score:g} |" for s in scores)
    pending = sum(s.max_score for s in scores if s.needs_manual_grade)
    note = f" ({pending:g} points still to be graded by your instructor)" if pending else ""
    return new_markdown_cell(
        f"# Feedback: {html.escape(assignment)}\n\n**Student:** {html.escape(student)}  \n"
        f"**Autograded score:** {total:g} of {maximum:g}{note}\n\n"
        f"| test | score | max |\n|---|---|---|\n{rows}\n\n"
        "Hidden checks are summarised below their exercise: which check failed and its hint.")


@functools.cache
def _exporter() -> HTMLExporter:
    """One exporter per process: a new one loads and compiles the templates again (~0.06 s).
    sanitize_html: a student's written answers and outputs are shown as text, never as live markup."""
    return HTMLExporter(template_name="nnf_feedback", extra_template_basedirs=[str(TEMPLATES)], sanitize_html=True)


def write_feedback(autograded_path: Path, out_html: Path, hidden_ids: set[str], student: str,
                   assignment: str, scores: list[CellScore]) -> Path:
    """Render the sanitized notebook, headed by a score table, to ``out_html``."""
    nb = sanitize_for_feedback(nbformat.read(autograded_path, as_version=4), hidden_ids)
    nb.cells.insert(0, _summary_cell(student, assignment, scores))
    body, _ = _exporter().from_notebook_node(nb)
    out_html.parent.mkdir(parents=True, exist_ok=True)
    out_html.write_text(body, encoding="utf-8")
    # `nbgrader release_feedback` reads these two next to the HTML (nbgrader's own feedback step
    # copies them): the submission's time, and the secret that names the file in the exchange.
    for name in FEEDBACK_COMPANIONS:
        if (autograded_path.parent / name).is_file():
            shutil.copyfile(autograded_path.parent / name, out_html.parent / name)
    return out_html
