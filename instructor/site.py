"""Build the course website: a static HTML copy of the course, readable without installing it.

``make site`` writes::

    build/site/index.html          home page: the README's introduction and notebook table
    build/site/NN_topic.html       one page per notebook of solutions/, as a student receives it,
                                   with the stored outputs of the instructor's run
    build/site/assets/             lab.css (JupyterLab's look), site.css, MathJax 3

A page is the solution notebook after nbgrader's own ClearSolutions and ClearHiddenTests, run
with the course's ``nbgrader_config.py`` (the stubs ``make release`` writes): every solution
region is the student's stub, every written answer reads "YOUR ANSWER HERE", hidden-test cells
show only their public first line, and the outputs of solution and hidden-test cells are dropped.
The stored output of any other cell that runs an exercise's answer (a name a solution cell defines)
is replaced by a note: a figure drawn by a student's answer can give that answer away.
The figures keep the alternative text ``helpers.plotting.show`` stores in their output metadata.

Everything the pages load is in the folder (MathJax comes from the npm package that ``make
site-deps`` installs into build/site-npm/): the site works offline and on any static host.
"""

from __future__ import annotations

import argparse
import ast
import copy
import html
import re
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter
from nbconvert.filters.markdown_mistune import markdown2html_mistune
from nbgrader.preprocessors import ClearHiddenTests, ClearSolutions
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"
README = ROOT / "README.md"
OUT = ROOT / "build" / "site"
VENDOR = ROOT / "build" / "site-npm" / "node_modules"  # `make site-deps`
TEMPLATES = Path(__file__).resolve().parent / "site_template"
SITE_TITLE = "Neural Network Foundations"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_NOTE = ('<p class="nnf-widget-note">An interactive widget (sliders and menus) appears here '
               "when you run this notebook in JupyterLab.</p>")
# An <img> whose notebook output has no alt text in its metadata gets this (and data-alt-missing).
MISSING_ALT = "Figure without a description: its notebook has no alternative text for it yet."
NOTEBOOK_LINK = re.compile(r"\]\((?:\.\./)*notebooks/([0-9]{2}_[A-Za-z0-9_]+)/\1\.ipynb\)")
TASK_CHECKBOX = re.compile(r'<input class="task-list-item-checkbox"[^>]*>')
# Links to files of the repository and to the README's own #sections (not on the site).
MARKDOWN_LINK = re.compile(r"\[([^\]]+)\]\((?!https?://)[^)]*\)")


@dataclass
class Page:
    name: str      # e.g. 01_neurons_perceptron
    title: str     # the notebook's first heading
    filename: str  # e.g. 01_neurons_perceptron.html
    figures: int = 0
    missing_alt: int = 0


@dataclass
class Site:
    out: Path
    pages: list[Page] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def missing_alt(self) -> int:
        return sum(p.missing_alt for p in self.pages)


def nbgrader_config(root: Path = ROOT) -> Config:
    """The course's nbgrader configuration (code and text stubs), as ``make release`` uses it."""
    return PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()


def _nbgrader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def student_view(nb, config: Config | None = None):
    """A copy of solution notebook ``nb`` with no solution, hidden test or model answer in it.

    nbgrader's ClearSolutions and ClearHiddenTests rewrite the sources exactly as the release
    has them; the stored outputs of solution cells and of cells that held hidden tests are
    dropped (they were made by the code that is now gone). Every other output is kept.
    """
    config = nbgrader_config() if config is None else config
    nb = copy.deepcopy(nb)
    hidden = {i for i, c in enumerate(nb.cells) if "BEGIN HIDDEN TESTS" in c.source}
    answers = answer_names(nb)
    nb, resources = ClearSolutions(config=config).preprocess(nb, {})
    nb, resources = ClearHiddenTests(config=config).preprocess(nb, resources)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if i in hidden or _nbgrader(cell).get("solution"):
            cell.outputs = []
        elif not _nbgrader(cell).get("grade") and cell.outputs and (used := _names(cell.source) & answers):
            # A figure or number made by an exercise's answer can give the answer away (e.g. the
            # lines of a hand-wired network show its weights): the page shows a note instead.
            cell.outputs = [nbformat.v4.new_output("display_data", data={"text/markdown": (
                "*Output not shown on the website: this cell runs your answer to an exercise ("
                + ", ".join(f"`{n}`" for n in sorted(used)) + "). Run the notebook to see it.*")})]
    nb.metadata.pop("widgets", None)  # widget state: the page has no widget renderer
    return nb


def _names(source: str) -> set[str]:
    """Every plain name a code cell's source reads or writes (empty if it does not parse)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}


def answer_names(nb) -> set[str]:
    """Names that the solution cells of ``nb`` define at top level (functions, classes, variables)."""
    names = set()
    for cell in nb.cells:
        if cell.cell_type != "code" or not _nbgrader(cell).get("solution"):
            continue
        try:
            body = ast.parse(cell.source).body
        except SyntaxError:
            continue
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names |= {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    return names


def notebook_title(nb, fallback: str) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return fallback


def _figures(nb) -> tuple[int, int]:
    """(PNG outputs, PNG outputs without alt text in their metadata)."""
    figures = missing = 0
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if "image/png" in output.get("data", {}):
                figures += 1
                alt = output.get("metadata", {}).get("image/png", {}).get("alt")
                missing += not (isinstance(alt, str) and alt.strip())
    return figures, missing


# ---------------------------------------------------------------------------------------------
# The parts every page shares


# No favicon request (a 404 in the console) and MathJax 3 from the site itself.
MATHJAX_HEAD = """<link rel="icon" href="data:,">
<script>
window.MathJax = {
  tex: {inlineMath: [['$', '$'], ['\\\\(', '\\\\)']], displayMath: [['$$', '$$'], ['\\\\[', '\\\\]']],
        processEscapes: true, processEnvironments: true, tags: 'ams',
        packages: {'[-]': ['noerrors', 'noundefined']}},  // a TeX error shows as an error
  options: {menuOptions: {settings: {assistiveMml: true}}}
};
</script>
<script defer src="assets/mathjax/tex-chtml-full.js"></script>"""


def static_checkboxes(page: str) -> str:
    """Markdown task lists (the self-check) as a box glyph: a disabled checkbox with no label
    is an unnamed form field to a screen reader, and there is nothing to tick on a web page."""
    return TASK_CHECKBOX.sub(
        lambda m: f'<span class="nnf-checkbox" aria-hidden="true">{"☑" if "checked" in m.group(0) else "☐"}</span>',
        page)


def _nav(pages: list[Page], current: str | None) -> str:
    items = []
    for page in pages:
        label = html.escape(page.title)
        if page.name == current:
            items.append(f'<li><a href="{page.filename}" aria-current="page">{label}</a></li>')
        else:
            items.append(f'<li><a href="{page.filename}">{label}</a></li>')
    return "\n".join(items)


def header(pages: list[Page], current: str | None) -> str:
    home = ' aria-current="page"' if current is None else ""
    return f"""<a class="nnf-skip" href="#content">Skip to the content</a>
<header class="nnf-header">
<p class="nnf-brand"><a href="index.html"{home}>{SITE_TITLE}</a></p>
<nav aria-label="Notebooks">
<ol class="nnf-nav">
{_nav(pages, current)}
</ol>
</nav>
</header>"""


def footer(pages: list[Page], current: str | None) -> str:
    links = []
    if current is not None:
        index = [p.name for p in pages].index(current)
        if index > 0:
            prev = pages[index - 1]
            links.append(f'<a rel="prev" href="{prev.filename}">Previous: '
                         f'{html.escape(prev.title)}</a>')
        links.append('<a href="index.html">All notebooks</a>')
        if index + 1 < len(pages):
            nxt = pages[index + 1]
            links.append(f'<a rel="next" href="{nxt.filename}">Next: '
                         f'{html.escape(nxt.title)}</a>')
    pager = ('<nav aria-label="Previous and next notebook" class="nnf-pager">'
             + " ".join(links) + "</nav>") if links else ""
    return f"""<footer class="nnf-footer">
{pager}
<p>Built by <code>make site</code> from the course's notebooks. Code: MIT. Text: CC BY 4.0.</p>
</footer>"""


def howto(name: str) -> str:
    return f"""<aside class="nnf-howto" aria-labelledby="howto-title">
<h2 id="howto-title">How to run this notebook</h2>
<ol>
<li>Get the course: the student copy your instructor gives you (a git repository or a zip), or
a clone of the course repository. Run <code>make lab</code> in its folder: it installs everything
into <code>.venv/</code> (Python 3.10 or newer) and opens JupyterLab on the student notebooks,
offline. <code>make check</code> prints which exercises pass.</li>
<li>Open <code>notebooks/{name}/{name}.ipynb</code> and run the cells in order.</li>
<li>In each exercise, replace <code>raise NotImplementedError()</code> with your code and run the
check cell under it: it prints <code>PASSED</code> or <code>FAILED</code>, with a hint about the
likely mistake.</li>
<li>Before handing in: <em>Kernel → Restart Kernel and Run All Cells</em>, then
<strong>Validate</strong>.</li>
</ol>
<p>This page shows the notebook as you receive it: each exercise is the stub you start from.
The outputs are those of the instructor's run with <code>SEED = 0</code>, so a check cell shows
what it prints for a correct answer. Hidden checks and model answers are not on this site.</p>
</aside>"""


# ---------------------------------------------------------------------------------------------
# Pages


def exporter() -> HTMLExporter:
    return HTMLExporter(template_name="lab", template_file="page.html.j2",
                        extra_template_basedirs=[str(TEMPLATES)],
                        extra_template_paths=[str(TEMPLATES)], exclude_anchor_links=True)


def render_notebook(nb, name: str, pages: list[Page], html_exporter: HTMLExporter) -> str:
    """HTML of the (already cleared) notebook ``nb`` as a page of the site."""
    nb = copy.deepcopy(nb)
    title = notebook_title(nb, name)
    nb.metadata["title"] = f"{title} — {SITE_TITLE}"
    for cell in nb.cells:  # a widget needs a kernel: say so instead of its Python repr
        for output in cell.get("outputs", []):
            if WIDGET_VIEW in output.get("data", {}):
                output.data = {"text/html": WIDGET_NOTE}
                output.metadata = {}
    first_markdown = next((c for c in nb.cells if c.cell_type == "markdown"), None)
    if first_markdown is not None:
        first_markdown.metadata["nnf_site_howto"] = True
    resources = {"site": {"mathjax_head": MATHJAX_HEAD, "header": header(pages, name),
                          "footer": footer(pages, name), "howto": howto(name),
                          "missing_alt": MISSING_ALT}}
    body, _ = html_exporter.from_notebook_node(nb, resources=resources)
    return static_checkboxes(body)


def readme_sections(text: str) -> tuple[str, str, str]:
    """(title, introduction, the notebook-table section) of the README's markdown."""
    lines = text.splitlines()
    title = next((l[2:].strip() for l in lines if l.startswith("# ")), SITE_TITLE)
    start = next(i for i, l in enumerate(lines) if l.startswith("# ")) + 1
    intro_end = next((i for i in range(start, len(lines)) if lines[i].startswith("## ")), len(lines))
    intro = "\n".join(lines[start:intro_end]).strip()
    table = next((i for i, l in enumerate(lines) if l.replace(" ", "").startswith("|#|Notebook|")),
                 None)
    if table is None:
        raise ValueError(f"{README}: no course table found (a markdown table whose header starts "
                         "with '| # | Notebook |'): the home page is built from it")
    # The section that holds the table: from its heading (any level) to the next heading of the
    # same or a higher level.
    section_start = max(i for i in range(table) if re.match(r"#{2,6} ", lines[i]))
    level = len(lines[section_start]) - len(lines[section_start].lstrip("#"))
    section_end = next((i for i in range(table, len(lines))
                        if re.match(r"#{2,%d} " % level, lines[i])), len(lines))
    return title, intro, "\n".join(lines[section_start:section_end]).strip()


def site_markdown(markdown: str) -> str:
    """README markdown with links to the notebooks pointing at their pages; other links to
    files of the repository or to the README's own sections (not on the site) become plain text."""
    markdown = NOTEBOOK_LINK.sub(lambda m: f"]({m.group(1)}.html)", markdown)
    return MARKDOWN_LINK.sub(lambda m: m.group(0) if re.search(r"\]\([0-9]{2}_[^)]*\.html\)",
                                                                m.group(0)) else m.group(1),
                             markdown)


def home_page(readme: str, pages: list[Page]) -> str:
    title, intro, table = readme_sections(readme)
    body = static_checkboxes(markdown2html_mistune(site_markdown(intro + "\n\n" + table)))
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{html.escape(title)}</title>
<link rel="stylesheet" href="assets/lab.css">
<link rel="stylesheet" href="assets/site.css">
{MATHJAX_HEAD}
</head>
<body class="nnf-page nnf-home" data-jp-theme-light="true">
{header(pages, None)}
<main id="content" class="jp-RenderedHTMLCommon jp-RenderedMarkdown nnf-home-main">
<h1>{html.escape(title)}</h1>
{body}
<aside class="nnf-howto" aria-labelledby="howto-title">
<h2 id="howto-title">How to run the course</h2>
<p>Clone or download the course's repository and run <code>make lab</code> in its folder: it
installs everything into <code>.venv/</code> (Python 3.10 or newer) and opens JupyterLab on the
student notebooks. Everything runs offline on a laptop CPU. Each page of this site shows a
notebook as a student receives it, with the outputs of the instructor's run.</p>
</aside>
</main>
{footer(pages, None)}
</body>
</html>
"""


def copy_assets(out: Path, vendor: Path = VENDOR) -> None:
    mathjax = vendor / "mathjax" / "es5"
    if not (mathjax / "tex-chtml-full.js").is_file():
        raise FileNotFoundError(f"MathJax is missing ({mathjax}/tex-chtml-full.js): run "
                                "`make site-deps` (or `make site`), which installs it with npm")
    assets = out / "assets"
    assets.mkdir(parents=True)
    # MathJax loads its fonts and the a11y and menu components from its own folder at run time.
    shutil.copytree(mathjax, assets / "mathjax",
                    ignore=shutil.ignore_patterns("*svg*", "node-main.js", "tex-mml-*"))
    # JupyterLab's look, linked once instead of inlined in every page as nbconvert does.
    lab_static = next(Path(p) / "static" for p in exporter().template_paths
                      if (Path(p) / "static" / "index.css").is_file())
    (assets / "lab.css").write_text((lab_static / "index.css").read_text()
                                    + "\n" + (lab_static / "theme-light.css").read_text())
    shutil.copy2(TEMPLATES / "site.css", assets / "site.css")


def build(out: Path = OUT, solutions: Path = SOLUTIONS, readme: Path = README,
          vendor: Path = VENDOR) -> Site:
    """Build the whole site into ``out`` (replaced). Returns what was built."""
    started = time.perf_counter()
    sources = sorted(p for p in solutions.glob("[0-9][0-9]_*/[0-9][0-9]_*.ipynb")
                     if p.stem == p.parent.name)
    if not sources:
        raise FileNotFoundError(f"no notebooks in {solutions} (expected NN_topic/NN_topic.ipynb)")
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    copy_assets(out, vendor)
    (out / ".nojekyll").write_text("")  # GitHub Pages: serve assets/ as it is
    config = nbgrader_config(solutions.parent if (solutions.parent / "nbgrader_config.py").is_file()
                             else ROOT)
    site = Site(out)
    views = []
    for path in sources:
        view = student_view(nbformat.read(path, as_version=4), config)
        figures, missing = _figures(view)
        site.pages.append(Page(path.stem, notebook_title(view, path.stem), f"{path.stem}.html",
                               figures, missing))
        views.append(view)
    html_exporter = exporter()
    for page, view in zip(site.pages, views):
        (out / page.filename).write_text(render_notebook(view, page.name, site.pages,
                                                         html_exporter))
    (out / "index.html").write_text(home_page(readme.read_text(), site.pages))
    site.seconds = time.perf_counter() - started
    return site


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"output folder (default {OUT})")
    parser.add_argument("--solutions", type=Path, default=SOLUTIONS,
                        help="folder of NN_topic/NN_topic.ipynb solution notebooks")
    args = parser.parse_args(argv)
    site = build(args.out.resolve(), args.solutions.resolve())
    figures = sum(p.figures for p in site.pages)
    print(f"Built {len(site.pages) + 1} pages ({len(site.pages)} notebooks + home, {figures} "
          f"figures) in {site.seconds:.1f} s -> {site.out}/index.html")
    if site.missing_alt:
        print(f"warning: {site.missing_alt} of {figures} figures have no alternative text in "
              "their notebook (display them with helpers.plotting.show(alt, fig)): "
              + ", ".join(f"{p.name} {p.missing_alt}" for p in site.pages if p.missing_alt),
              file=sys.stderr)
    print(f"Open it: python3 -m http.server -d {site.out} 8000, then http://localhost:8000/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
