"""What the class got wrong (``make report``): one HTML page with figures, plus CSV, per assignment.

Reads the gradebook (``nnf_results``, written by ``make grade`` on every grading machine; see
:mod:`instructor.gradebook`) and the assignment's source notebook (which test cell belongs to
which exercise). For each graded assignment, in ``artifacts/report/<assignment>/``:

* ``scores.csv`` and the score distribution (share of the points, graded submissions);
* ``exercises.csv``: per exercise, the share of students passing its public checks and its hidden
  checks. A public share well above the hidden one means answers tailored to the visible
  examples (or a case the public checks do not show);
* ``failed_checks.csv``: the failed checks, most frequent first, with the hint students saw;
* ``flagged.csv``: submissions not graded (missing, corrupt ...) or flagged for manual review;
* ``report.html`` (figure embedded, alt text) and ``class_report.png``.

    python -m instructor.class_report [--db URL] [--course DIR] [--out DIR]
"""

from __future__ import annotations

import argparse
import base64
import csv
import html
import os
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import nbformat

from instructor.gradebook import Record, open_gradebook, read_records

ROOT = Path(__file__).resolve().parents[1]
GAP = 0.2   # public minus hidden pass share worth a look


@dataclass(frozen=True)
class Exercise:
    name: str
    public: str | None    # grade_id of the public test cell
    hidden: str | None    # grade_id of the hidden test cell


def exercises_of(source_nb) -> list[Exercise]:
    """Exercises in notebook order: ``<ex>_tests`` (public) and ``<ex>_hidden`` test cells."""
    order, cells = [], {}
    for cell in source_nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if not meta.get("grade") or cell.cell_type != "code":
            continue
        grade_id = meta["grade_id"]
        for suffix, kind in (("_tests", "public"), ("_hidden", "hidden")):
            if grade_id.endswith(suffix):
                name = grade_id[: -len(suffix)]
                break
        else:
            name, kind = grade_id, "public"
        if name not in cells:
            order.append(name)
            cells[name] = {}
        cells[name][kind] = grade_id
    return [Exercise(n, cells[n].get("public"), cells[n].get("hidden")) for n in order]


def _passed(record: Record, cell: str | None) -> bool | None:
    if cell is None or cell not in record.cells:
        return None
    score, maximum = record.cells[cell]
    return score >= maximum - 1e-9


def exercise_table(records: list[Record], exercises: list[Exercise]) -> list[dict]:
    graded = [r for r in records if r.status == "graded"]
    rows = []
    for ex in exercises:
        row = {"exercise": ex.name, "students": len(graded)}
        for kind, cell in (("public", ex.public), ("hidden", ex.hidden)):
            verdicts = [v for v in (_passed(r, cell) for r in graded) if v is not None]
            row[f"{kind}_passed"] = sum(verdicts) if verdicts else ""
            row[f"{kind}_share"] = round(sum(verdicts) / len(verdicts), 3) if verdicts else ""
        both = row["public_share"] != "" and row["hidden_share"] != ""
        row["gap"] = round(row["public_share"] - row["hidden_share"], 3) if both else ""
        rows.append(row)
    return rows


def failed_check_table(records: list[Record], exercises: list[Exercise]) -> list[dict]:
    """Failed checks, most students first (ties in notebook order), each counted once per student."""
    kind = {c: k for ex in exercises for c, k in ((ex.public, "public"), (ex.hidden, "hidden")) if c}
    order = {c: i for i, c in enumerate(c for ex in exercises for c in (ex.public, ex.hidden) if c)}
    graded = [r for r in records if r.status == "graded"]
    counts: Counter = Counter()
    for r in graded:
        counts.update({(f["cell"], f["check"], f["hint"]) for f in r.failures})
    ranked = sorted(counts.items(), key=lambda item: (-item[1], order.get(item[0][0], 10**6), item[0]))
    return [{"rank": i + 1, "cell": cell, "checks": kind.get(cell, "public"), "check": check, "hint": hint,
             "students": n, "share": round(n / len(graded), 3)}
            for i, ((cell, check, hint), n) in enumerate(ranked)]


def flagged_table(records: list[Record]) -> list[dict]:
    rows = [{"student": r.student, "status": r.status, "why": r.detail} for r in records if r.status != "graded"]
    rows += [{"student": r.student, "status": "flagged", "why": "; ".join(r.flags)} for r in records if r.flags]
    return rows


def _write_csv(path: Path, rows: list[dict], columns: list[str]) -> None:
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def figure(assignment: str, records: list[Record], exercise_rows: list[dict], path: Path) -> str:
    """Score distribution and per-exercise public/hidden pass shares; returns the alt text."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from helpers.plotting import PALETTE, use_course_style

    use_course_style()
    # autograded points out of the autogradable ones (written answers wait for the formgrader)
    graded = [r for r in records if r.status == "graded" and r.max_score - r.manual_pending > 0]
    percent = np.array([100 * r.score / (r.max_score - r.manual_pending) for r in graded])
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 0.5 * len(exercise_rows) + 3.5),
                                      gridspec_kw={"width_ratios": [1, 1.3]})
    left.hist(percent, bins=np.linspace(0, 100, 11), color=PALETTE[0], edgecolor="black")
    left.set_xlabel("autograded score (% of the autograded points)")
    left.set_ylabel("students")
    left.set_title(f"Score distribution ({len(graded)} graded)")
    left.set_xlim(0, 100)
    left.yaxis.get_major_locator().set_params(integer=True)
    y = np.arange(len(exercise_rows))
    height = 0.38
    for offset, kind, color, hatch in ((-height / 2, "public", PALETTE[0], ""),
                                       (height / 2, "hidden", PALETTE[1], "//")):
        shares = [100 * r[f"{kind}_share"] if r[f"{kind}_share"] != "" else 0 for r in exercise_rows]
        bars = right.barh(y + offset, shares, height, color=color, hatch=hatch, edgecolor="black",
                          label=f"{kind} checks passed")
        for bar, share in zip(bars, shares):
            right.text(min(share, 100) + 1, bar.get_y() + bar.get_height() / 2, f"{share:.0f}%",
                       va="center", fontsize=9)
    right.set_yticks(y, [r["exercise"] for r in exercise_rows])
    right.invert_yaxis()
    right.set_xlim(0, 112)
    right.set_xlabel("students passing (% of graded submissions)")
    right.set_title("Per exercise: public vs hidden checks")
    right.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, frameon=False)
    fig.suptitle(f"Class report: {assignment}")
    fig.savefig(path, dpi=100)
    plt.close(fig)
    worst = min(exercise_rows, key=lambda r: r["hidden_share"] if r["hidden_share"] != "" else 1,
                default=None)
    median = float(np.median(percent)) if len(percent) else 0.0
    return (f"Left: histogram of the {len(graded)} graded scores of {assignment} (median {median:.0f}% of "
            f"the autograded points). Right: per exercise, the share of students passing the public checks (blue) and "
            f"the hidden checks (orange, hatched)"
            + (f"; the lowest hidden share is {worst['exercise']}." if worst else "."))


def _html_table(rows: list[dict], columns: list[str], highlight=lambda row: False) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr" + (' class="gap"' if highlight(row) else "") + ">"
        + "".join(f"<td>{html.escape(str(row.get(c, '')))}</td>" for c in columns) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def write_report(assignment: str, records: list[Record], source_nb, out: Path) -> dict:
    """Every file of one assignment's report in ``out``; returns the tables."""
    out.mkdir(parents=True, exist_ok=True)
    exercises = exercises_of(source_nb)
    tables = {"exercises": exercise_table(records, exercises),
              "failed_checks": failed_check_table(records, exercises),
              "flagged": flagged_table(records)}
    score_rows = [{"student": r.student, "status": r.status, "score": f"{r.score:g}",
                   "max_score": f"{r.max_score:g}", "graded_by": r.graded_by} for r in records]
    columns = {"exercises": ["exercise", "students", "public_passed", "public_share", "hidden_passed",
                             "hidden_share", "gap"],
               "failed_checks": ["rank", "students", "share", "cell", "checks", "check", "hint"],
               "flagged": ["student", "status", "why"]}
    _write_csv(out / "scores.csv", score_rows, ["student", "status", "score", "max_score", "graded_by"])
    for name, rows in tables.items():
        _write_csv(out / f"{name}.csv", rows, columns[name])
    alt = figure(assignment, records, tables["exercises"], out / "class_report.png")
    png = base64.b64encode((out / "class_report.png").read_bytes()).decode()
    graded = sum(r.status == "graded" for r in records)
    gap = lambda row: row["gap"] != "" and row["gap"] >= GAP  # noqa: E731
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Class report: {html.escape(assignment)}</title>
<style>body{{font-family:sans-serif;max-width:72rem;margin:2rem auto;line-height:1.4}}
table{{border-collapse:collapse;margin:1rem 0}}td,th{{border:1px solid #999;padding:.25rem .5rem;text-align:left}}
tr.gap td{{font-weight:bold}}tr.gap td:first-child::before{{content:"\\26A0  gap: "}}</style></head><body>
<h1>Class report: {html.escape(assignment)}</h1>
<p>{len(records)} submissions, {graded} graded. Scores are autograded points; written answers are
graded by hand in the formgrader.</p>
<img src="data:image/png;base64,{png}" alt="{html.escape(alt)}" style="max-width:100%">
<h2>Per exercise: public and hidden checks</h2>
<p>Share of graded students passing each exercise's public checks (the test cell students ran) and
its hidden checks. Rows in bold (marked "gap") pass the public checks at least {GAP:.0%} more often
than the hidden ones: answers that fit the visible examples only.</p>
{_html_table(tables['exercises'], columns['exercises'], gap)}
<h2>Most frequent failed checks</h2>
<p>Each student counted once per check; the hint is what the student saw (public output, or the
verdict under a hidden cell in their feedback).</p>
{_html_table(tables['failed_checks'], columns['failed_checks'])}
<h2>Not graded or flagged for manual review</h2>
{_html_table(tables['flagged'], columns['flagged']) if tables['flagged'] else '<p>None.</p>'}
</body></html>
"""
    (out / "report.html").write_text(page, encoding="utf-8")
    return tables


def main(argv: list[str] | None = None) -> int:
    from instructor.grade import DB_ENV

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=os.environ.get(DB_ENV, ""), metavar="URL",
                        help=f"gradebook URL (default: ${DB_ENV}, else the course's SQLite gradebook)")
    parser.add_argument("--course", type=Path, default=ROOT, help="course root (its solutions/)")
    parser.add_argument("--out", type=Path, default=None, help="default: <course>/artifacts/report")
    args = parser.parse_args(argv)
    try:
        url, course = open_gradebook(args.db, args.course)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    records = read_records(url)
    if not records:
        print("error: the gradebook has no graded submissions yet: run `make grade` first", file=sys.stderr)
        return 1
    out = args.out or args.course.resolve() / "artifacts" / "report"
    for assignment in sorted({r.assignment for r in records}):
        source = course / "solutions" / assignment / f"{assignment}.ipynb"
        if not source.is_file():
            print(f"skipped {assignment}: no {source}", file=sys.stderr)
            continue
        mine = [r for r in records if r.assignment == assignment]
        tables = write_report(assignment, mine, nbformat.read(source, as_version=4), out / assignment)
        print(f"{assignment}: {len(mine)} submissions -> {out / assignment / 'report.html'}")
        for row in tables["failed_checks"][:3]:
            print(f"  {row['students']:>3} students  {row['cell']}: {row['check']}  (hint: {row['hint']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
