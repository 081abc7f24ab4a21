"""The course website (`make site`) in a real browser: built from solutions/, served on localhost.

The site is built once into a temp folder from the real solutions/ (instructor.site.build) and
every page is loaded in headless Chromium with any request that would leave the machine blocked
and recorded. Each page must load with no console error and no outside or failed request, no
broken image or internal link, MathJax typesetting without error, and no serious or critical
axe-core violation; its figures carry the alternative text of their notebook outputs; and its
text holds no solution line, hidden-test line or model answer of solutions/. A page made to
break every one of these rules proves the checks catch them. Screenshots and axe's full reports
go to artifacts/site/.
"""

from __future__ import annotations

import json
import shutil

import pytest

from instructor import site as site_builder
from tests.browser.lab import launched_chromium
from tests.browser.site import AXE, check_page, page_text, serve
from tests.course import ROOT, assignments, leaked_lines, read, source_path

pytest.importorskip("playwright.sync_api")

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(600),
              pytest.mark.xdist_group("site")]

ARTIFACTS = ROOT / "artifacts" / "site"
PAGES = ["index", *assignments()]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: `make site-deps` installs axe-core and MathJax with npm")
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)   # the other worker may create artifacts/ meanwhile
    site = site_builder.build(tmp_path_factory.mktemp("site") / "site")
    (ARTIFACTS / "build.json").write_text(json.dumps({
        "seconds": round(site.seconds, 2), "pages": len(site.pages) + 1,
        "figures": sum(p.figures for p in site.pages),
        "figures_without_alt": site.missing_alt}, indent=1))
    print(f"site built in {site.seconds:.1f} s: {len(site.pages) + 1} pages")
    return site


@pytest.fixture(scope="module")
def base(built):
    with serve(built.out) as url:
        yield url


@pytest.fixture(scope="module")
def chromium():
    with launched_chromium() as browser:
        yield browser


def expected_alts(name: str) -> list[str]:
    """The alt text of every figure of the notebook's page, in order (the placeholder where the
    notebook output has none)."""
    view = site_builder.student_view(read(source_path(name)))
    alts = []
    for cell in view.cells:
        for output in cell.get("outputs", []):
            if "image/png" in output.get("data", {}):
                alt = output.get("metadata", {}).get("image/png", {}).get("alt")
                alts.append(" ".join(alt.split()) if alt else site_builder.MISSING_ALT)
    return alts


def test_every_notebook_has_a_page(built):
    assert [p.name for p in built.pages] == assignments()
    assert sorted(p.name for p in built.out.glob("*.html")) == sorted(f"{p}.html" for p in PAGES)


@pytest.mark.parametrize("name", PAGES)
def test_page_in_the_browser(name, built, base, chromium):
    report = check_page(chromium, base, built.out, f"{name}.html",
                        screenshot=ARTIFACTS / f"{name}.png")
    (ARTIFACTS / f"axe-{name}.json").write_text(json.dumps(report.violations, indent=1))
    print(f"{name}: {report.math_count} formulas, {len(report.image_alts)} images, axe "
          f"violations {[(v['id'], v['impact']) for v in report.violations] or 'none'}")
    assert not report.problems(), f"{report.url}:\n" + "\n".join(
        f"{what}: {items}" for what, items in report.problems().items())
    if name == "index":  # links out of the site (nbgrader's docs) are allowed: never loaded
        return
    assert report.math_count > 0, "MathJax typeset nothing: is assets/mathjax served?"
    assert [" ".join(a.split()) for a in report.image_alts] == expected_alts(name)


@pytest.mark.parametrize("name", assignments())
def test_page_shows_no_solution_hidden_test_or_model_answer(name, built):
    text = page_text(built.out / f"{name}.html")
    assert not leaked_lines(text, read(source_path(name)))
    assert "raise NotImplementedError()" in text and "How to run this notebook" in text


def test_home_page_has_the_course_table(built):
    text = page_text(built.out / "index.html")
    for page in built.pages:
        assert page.title in text and f'href="{page.filename}"' in \
            (built.out / "index.html").read_text()


def test_the_checks_catch_a_broken_page(built, chromium, tmp_path):
    """A page that breaks every rule: each check must report it (the checks can fail)."""
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "assets").symlink_to(built.out / "assets")
    (bad / "index.html").write_text('<!DOCTYPE html><html lang="en"><title>ok</title>'
                                    '<main><p id="here">ok</p></main></html>')
    (bad / "bad.html").write_text(
        site_builder.MATHJAX_HEAD + """<!DOCTYPE html><html lang="en"><head><title>bad</title>
        </head><body><main>
        <p>$$\\frac{1}$$</p>
        <img src="https://example.org/outside.png" alt="an image from outside">
        <img src="missing.png" alt="an image that is not there">
        <img src="data:image/gif;base64,R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==">
        <p style="color:#c8c8c8;background:#ffffff">text too pale to read</p>
        <a href="nowhere.html">a page that is not there</a>
        <a href="index.html#no-such-id">an anchor that is not there</a>
        <a href="index.html#here">a good link</a>
        <script>console.error("an error in the console")</script>
        </main></body></html>""")
    with serve(bad) as url:
        report = check_page(chromium, url, bad, "bad.html")
    problems = report.problems()
    assert report.outside_requests == ["https://example.org/outside.png"]
    assert any("missing.png: HTTP 404" in r for r in report.failed_requests)
    assert len(report.broken_images) == 2
    assert sorted(report.broken_links) == [f"{url}/index.html#no-such-id", f"{url}/nowhere.html"]
    assert "an error in the console" in report.console_errors
    assert report.math_errors, "a TeX error was not reported"
    violations = {v["id"] for v in report.violations if v["impact"] in ("serious", "critical")}
    assert {"image-alt", "color-contrast"} <= violations
    assert len(problems) == 7
