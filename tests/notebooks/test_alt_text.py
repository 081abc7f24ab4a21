"""Every figure a notebook stores carries alternative text (screen readers, JupyterLab, the site)."""

import re

import pytest

from tests.course import assignments, read, source_path

IMAGE_TYPES = ("image/png", "image/jpeg", "image/svg+xml")
MIN_WORDS = 8

pytestmark = pytest.mark.parametrize("name", assignments())


def figures_without_alt_text(nb) -> list[str]:
    """'cell N' for every stored image output whose metadata has no real description."""
    missing = []
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            for mime in IMAGE_TYPES:
                if mime in output.get("data", {}):
                    alt = output.get("metadata", {}).get(mime, {}).get("alt", "")
                    if len(alt.split()) < MIN_WORDS:
                        missing.append(f"cell {index} ({mime}, alt={alt!r})")
    return missing


def test_every_stored_figure_has_alt_text(name):
    missing = figures_without_alt_text(read(source_path(name)))
    assert not missing, (f"{name}: figures without alt text (show them with helpers.plotting.show(alt, fig)): "
                         f"{missing}")


def test_figures_are_shown_with_alt_text_not_plt_show(name):
    """plt.show() would store a figure without a description; plotting.show(alt, fig) stores one."""
    cells = [i for i, c in enumerate(read(source_path(name)).cells)
             if c.cell_type == "code" and re.search(r"\bplt\.show\(", c.source)]
    assert not cells, f"{name}: cells {cells} call plt.show(); use plotting.show(alt, fig)"
