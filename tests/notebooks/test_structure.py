"""Static checks of every solution notebook: anatomy, nbgrader metadata, points (fast)."""

import re

import pytest

from tests.course import assignments, graded_cells, nbgrader_meta, read, source_path, total_points

GRADE_ID = re.compile(r"^[a-zA-Z0-9_-]+$")
NBGRADER_KEYS = {"grade", "grade_id", "locked", "schema_version", "solution", "task"}

pytestmark = pytest.mark.parametrize("name", assignments())


def test_there_is_at_least_one_notebook(name):
    assert source_path(name).is_file(), f"expected {source_path(name)} (folder name = notebook name)"


def test_intro_follows_the_anatomy(name):
    nb = read(source_path(name))
    intro = nb.cells[0].source
    assert nb.cells[0].cell_type == "markdown" and intro.startswith(f"# {name[:2]} · ")
    for part in ("Learning objectives", "Prerequisites", "Estimated time", "How to work", "Validate"):
        assert part in intro, f"{name}: the first cell must mention {part!r}"
    ending = "\n".join(c.source for c in nb.cells[-3:])
    for part in ("Takeaways", "Self-check", "What comes next"):
        assert part in ending, f"{name}: the last cells must contain {part!r}"


def test_parameters_cell_is_tagged_locked_and_sets_seed(name):
    nb = read(source_path(name))
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1, "exactly one cell tagged 'parameters' (papermill)"
    cell = params[0]
    assert nbgrader_meta(cell).get("locked") is True, "the parameters cell must be read-only"
    # SEED = 0: nbval's run of the stored notebook is the SEED 0 run of test_seeds
    assert re.search(r"^SEED = 0$", cell.source, re.M)


def test_nbgrader_metadata_is_schema_3_with_unique_valid_ids(name):
    nb = read(source_path(name))
    ids = []
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        if not meta:
            continue
        assert NBGRADER_KEYS <= set(meta), f"cell {meta.get('grade_id')} lacks keys"
        assert meta["schema_version"] == 3
        assert GRADE_ID.match(meta["grade_id"]), meta["grade_id"]
        if meta["grade"]:
            assert meta["points"] > 0
        ids.append(meta["grade_id"])
    assert len(ids) == len(set(ids)), "grade_ids must be unique"


def test_every_exercise_has_public_then_hidden_tests_with_stated_points(name):
    nb = read(source_path(name))
    cells = nb.cells
    exercises = [i for i, c in enumerate(cells)
                 if c.cell_type == "code" and nbgrader_meta(c).get("solution")]
    assert exercises, "a notebook without exercises"
    for i in exercises:
        public, hidden = cells[i + 1], cells[i + 2]
        gid = nbgrader_meta(cells[i])["grade_id"]
        assert nbgrader_meta(public).get("grade") and "BEGIN HIDDEN TESTS" not in public.source, gid
        assert nbgrader_meta(hidden).get("grade") and "### BEGIN HIDDEN TESTS" in hidden.source, gid
        heading = next(c.source for c in reversed(cells[:i]) if c.cell_type == "markdown"
                       and "### Exercise" in c.source)
        stated = int(re.findall(r"### Exercise [\d.]+ .*\((\d+) points?\)", heading)[-1])
        points = nbgrader_meta(public)["points"] + nbgrader_meta(hidden)["points"]
        assert stated == points, f"{gid}: heading says {stated} points, test cells give {points}"


def test_manual_question_and_round_total(name):
    nb = read(source_path(name))
    manual = [c for c in graded_cells(nb) if c.cell_type == "markdown"]
    assert manual, "at least one manually graded conceptual question"
    for cell in manual:
        assert "### BEGIN SOLUTION" in cell.source and "Rubric" in cell.source
    total = total_points(nb)
    assert total % 10 == 0, f"total points {total} should be a round number"
    assert f"**Total** | **{total:g}**" in nb.cells[0].source, "the points table states the total"


def test_kernel_and_clean_outputs(name):
    nb = read(source_path(name))
    assert nb.metadata["kernelspec"]["name"] == "python3"
    counts = [c.execution_count for c in nb.cells if c.cell_type == "code"]
    assert counts == list(range(1, len(counts) + 1)), \
        "stored outputs are stale or partial: run `make execute`"
    for cell in nb.cells:
        if cell.cell_type == "code":
            errors = [o for o in cell.outputs if o.output_type == "error"]
            assert not errors, "a solution notebook must not store an error"
