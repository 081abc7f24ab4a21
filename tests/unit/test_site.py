"""The course website's builder (instructor/site.py) without a browser: what goes on a page.

The browser checks of the built site are in tests/browser/test_site.py.
"""

import copy
import re
from html.parser import HTMLParser

import pytest

from instructor import site
from tests.browser.site import page_text
from tests.course import (ROOT, assignments, leaked_lines, nbgrader_meta, read,
                          release_path, source_path)

FIRST = assignments()[0]


@pytest.mark.parametrize("name", assignments())
def test_student_view_is_the_release_with_stored_outputs(name):
    source = read(source_path(name))
    untouched = copy.deepcopy(source)
    view, release = site.student_view(source), read(release_path(name))
    assert source == untouched, "student_view changed the notebook it was given"
    assert [c.source for c in view.cells] == [c.source for c in release.cells]
    hidden = {i for i, c in enumerate(source.cells) if "BEGIN HIDDEN TESTS" in c.source}
    answers = site.answer_names(source)
    assert answers, "every notebook has exercises whose answers define names"
    for i, (cell, before) in enumerate(zip(view.cells, source.cells)):
        if cell.cell_type != "code":
            continue
        if i in hidden or nbgrader_meta(cell).get("solution"):
            assert cell.outputs == [], f"cell {i}: output of a solution or hidden test kept"
        elif not nbgrader_meta(cell).get("grade") and before.outputs and site._names(cell.source) & answers:
            (note,) = cell.outputs
            assert "runs your answer to an exercise" in note.data["text/markdown"], f"cell {i}"
        else:
            assert cell.outputs == before.outputs, f"cell {i}: stored output lost"


def test_outputs_made_by_an_answer_are_replaced_by_a_note():
    """Notebook 01's XOR figure draws the hidden units of the student's hand-wired network."""
    nb = read(source_path(FIRST))
    assert {"predict", "two_layer_step_network"} <= site.answer_names(nb)
    view = site.student_view(nb)
    figures = [c for c in view.cells if c.cell_type == "code"
               and any("image/png" in o.get("data", {}) for o in c.outputs)]
    assert not any("two_layer_step_network" in site._names(c.source) for c in figures)
    notes = [c for c in view.cells if c.cell_type == "code" and c.outputs
             and "runs your answer" in c.outputs[0].get("data", {}).get("text/markdown", "")]
    assert any("two_layer_step_network" in c.source for c in notes)


@pytest.fixture(scope="module")
def rendered():
    """Notebook 01 as a page: cleared (as the site has it) and not cleared (a broken builder)."""
    source = read(source_path(FIRST))
    pages = [site.Page(FIRST, site.notebook_title(source, FIRST), f"{FIRST}.html")]
    exporter = site.exporter()
    return {"cleared": site.render_notebook(site.student_view(source), FIRST, pages, exporter),
            "raw": site.render_notebook(source, FIRST, pages, exporter)}


class _Images(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.found.append(dict(attrs))


def _images(html: str) -> list[dict]:
    """The attributes of every <img> of ``html`` (entities decoded), in order."""
    parser = _Images()
    parser.feed(html)
    return parser.found


def _text(html: str, tmp_path) -> str:
    path = tmp_path / "page.html"
    path.write_text(html)
    return page_text(path)


@pytest.mark.slow  # renders notebook 01 twice (seconds)
def test_leak_scan_finds_solutions_only_on_a_page_built_without_clearing(rendered, tmp_path):
    source = read(source_path(FIRST))
    leaked = leaked_lines(_text(rendered["raw"], tmp_path), source)
    assert len(leaked) >= 5 and "BEGIN SOLUTION" in leaked and "Model answer" in leaked
    assert leaked_lines(_text(rendered["cleared"], tmp_path), source) == []


@pytest.mark.slow
def test_page_loads_nothing_from_outside_and_has_the_howto_box(rendered):
    page = rendered["cleared"]
    assert not re.search(r'(src|href)="(https?:)?//', page), "a page loads something from outside"
    assert 'src="assets/mathjax/tex-chtml-full.js"' in page
    assert page.count("How to run this notebook") == 1
    assert f"notebooks/{FIRST}/{FIRST}.ipynb" in page
    assert "task-list-item-checkbox" not in page  # unlabelled form fields (axe: critical)


@pytest.mark.slow
def test_figures_carry_the_alt_text_of_their_output(tmp_path):
    nb = site.student_view(read(source_path(FIRST)))
    pngs = [o for c in nb.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert pngs, "notebook 01 has no figure to check"
    page = [site.Page(FIRST, "t", f"{FIRST}.html")]
    with_alt = copy.deepcopy(nb)
    alts = []
    for k, output in enumerate(o for c in with_alt.cells for o in c.get("outputs", [])
                               if "image/png" in o.get("data", {})):
        alts.append(f'Figure {k}: the "boundary" moves & x < 2 while the errors fall to 0.')
        output.setdefault("metadata", {})["image/png"] = {"alt": alts[-1]}
    html = site.render_notebook(with_alt, FIRST, page, site.exporter())
    images = _images(html)
    assert [i["alt"] for i in images] == alts and all(i["src"].startswith("data:image/png")
                                                      for i in images)
    assert not any("data-alt-missing" in i for i in images)
    without_alt = copy.deepcopy(nb)
    for output in (o for c in without_alt.cells for o in c.get("outputs", [])):
        output.get("metadata", {}).pop("image/png", None)
    images = _images(site.render_notebook(without_alt, FIRST, page, site.exporter()))
    assert [(i["alt"], i.get("data-alt-missing")) for i in images] == \
        [(site.MISSING_ALT, "true")] * len(pngs)


def test_home_page_is_the_readme_table_with_links_to_the_pages():
    pages = [site.Page(n, site.notebook_title(read(source_path(n)), n), f"{n}.html")
             for n in assignments()]
    html = site.home_page((ROOT / "README.md").read_text(), pages)
    for name in assignments():
        assert f'href="{name}.html"' in html
    assert ".ipynb" not in html and 'href="docs/' not in html and "<table>" in html


def test_readme_without_the_course_table_is_a_clear_error():
    with pytest.raises(ValueError, match=r"no course table found.*\| # \| Notebook \|"):
        site.readme_sections("# Title\n\nSome text.\n\n## Section\n\nNo table.\n")


@pytest.mark.slow
def test_a_widget_says_it_needs_jupyterlab_instead_of_its_repr():
    from nbformat.v4 import new_code_cell, new_notebook, new_output
    widget = new_output("display_data", data={
        site.WIDGET_VIEW: {"model_id": "abc", "version_major": 2, "version_minor": 0},
        "text/plain": "interactive(children=(Dropdown(description='name'"})
    nb = new_notebook(cells=[new_code_cell("widgets.interact(f, x=(0, 1))", outputs=[widget])])
    html = site.render_notebook(nb, "99_x", [site.Page("99_x", "t", "99_x.html")], site.exporter())
    assert site.WIDGET_NOTE in html and "interactive(children" not in html
    assert nb.cells[0].outputs[0] == widget  # the notebook given is not changed
