"""Checking a built course website in headless Chromium: a local server, and one page's checks.

:func:`serve` serves a folder on 127.0.0.1 (a thread of this process, stopped on exit).
:func:`check_page` loads one page with every request that would leave the machine aborted and
recorded, and returns what is wrong with it: console errors, failed or outside requests, broken
images, broken internal links (file or #fragment), MathJax errors, and axe-core's violations.
"""

from __future__ import annotations

import functools
import html.parser
import http.server
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator
from urllib.parse import unquote, urldefrag, urlsplit

from tests.course import ROOT

AXE = ROOT / "build" / "site-npm" / "node_modules" / "axe-core" / "axe.min.js"  # make site-deps
BLOCKING = ("serious", "critical")  # axe impacts that fail the test


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """``http://127.0.0.1:PORT`` serving ``folder`` until the block ends."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


class _Text(html.parser.HTMLParser):
    """The text of an HTML document (entities decoded), and the ids it defines."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.ids: set[str] = set()
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        for key, value in attrs:
            if key in ("id", "name") and value:
                self.ids.add(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def parse_html(path: Path) -> _Text:
    parser = _Text()
    parser.feed(path.read_text())
    parser.close()
    return parser


def page_text(path: Path) -> str:
    """Everything a reader of the page can read (scripts and styles left out)."""
    return "".join(parse_html(path).parts)


@dataclass
class PageReport:
    url: str
    console_errors: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    broken_images: list[str] = field(default_factory=list)
    broken_links: list[str] = field(default_factory=list)
    external_links: list[str] = field(default_factory=list)
    math_errors: list[str] = field(default_factory=list)
    math_count: int = 0
    image_alts: list[str] = field(default_factory=list)
    violations: list[dict] = field(default_factory=list)  # axe, every impact

    @property
    def blocking_violations(self) -> list[str]:
        return [f"{v['impact']}: {v['id']} ({v['help']}) x{len(v['nodes'])}: "
                f"{v['nodes'][0]['target']}" for v in self.violations if v["impact"] in BLOCKING]

    def problems(self) -> dict[str, list[str]]:
        found = {"console errors": self.console_errors,
                 "requests that would leave the machine": self.outside_requests,
                 "failed requests": self.failed_requests,
                 "broken images": self.broken_images,
                 "broken internal links": self.broken_links,
                 "math that MathJax could not typeset": self.math_errors,
                 "serious or critical axe violations": self.blocking_violations}
        return {what: items for what, items in found.items() if items}


def _link_target_ok(href: str, base: str, site: Path, ids: dict[str, set[str]]) -> bool:
    """Does internal link ``href`` (absolute URL on ``base``) name a file of the site, and
    an element of that page when it has a #fragment?"""
    url, fragment = urldefrag(href)
    path = unquote(urlsplit(url).path).lstrip("/") or "index.html"
    target = (site / path).resolve()
    if target.is_dir():
        target = target / "index.html"
    if not target.is_file() or site.resolve() not in target.parents:
        return False
    if fragment and target.suffix == ".html":
        if target not in ids:
            ids[target] = parse_html(target).ids
        return unquote(fragment) in ids[target]
    return True


def check_page(browser, base: str, site: Path, filename: str,
               screenshot: Path | None = None) -> PageReport:
    """Load ``base/filename`` in a fresh context and check it (see the module docstring)."""
    report = PageReport(f"{base}/{filename}")
    context = browser.new_context(viewport={"width": 1280, "height": 900})

    def route(request_route):
        url = request_route.request.url
        if url.startswith(base + "/") or url == base:
            request_route.continue_()
        else:
            report.outside_requests.append(url)
            request_route.abort("blockedbyclient")

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda msg: report.console_errors.append(msg.text)
            if msg.type == "error" else None)
    page.on("pageerror", lambda err: report.console_errors.append(f"uncaught: {err}"))
    page.on("requestfailed", lambda req: report.failed_requests.append(
        f"{req.url}: {req.failure}") if req.url.startswith(base) else None)
    page.on("response", lambda res: report.failed_requests.append(f"{res.url}: HTTP {res.status}")
            if res.status >= 400 else None)
    try:
        page.goto(report.url, wait_until="load", timeout=60_000)
        # MathJax typesets after load; its startup promise settles when the page is done.
        page.wait_for_function("() => !window.MathJax || (MathJax.startup && MathJax.startup.promise)",
                               timeout=60_000)
        page.evaluate("() => window.MathJax ? MathJax.startup.promise.then(() => true) : true")
        page.wait_for_function("() => document.fonts.status === 'loaded'", timeout=60_000)
        report.math_count = page.locator("mjx-container").count()
        report.math_errors = page.eval_on_selector_all(
            "mjx-merror", "els => els.map(e => e.getAttribute('data-mjx-error') || e.textContent)")
        images = page.eval_on_selector_all("img", """els => els.map(i => ({
            ok: i.complete && i.naturalWidth > 0, alt: i.getAttribute('alt'),
            src: i.getAttribute('src').slice(0, 80)}))""")
        report.broken_images = [i["src"] for i in images if not i["ok"]]
        report.image_alts = [i["alt"] for i in images]
        hrefs = page.eval_on_selector_all("a[href]", "els => els.map(a => a.href)")
        ids: dict[Path, set[str]] = {}
        for href in hrefs:
            if href.startswith(base + "/") or href == base:
                if not _link_target_ok(href, base, site, ids):
                    report.broken_links.append(href)
            elif href.startswith(("http://", "https://")):
                report.external_links.append(href)
            else:
                report.broken_links.append(href)  # file:, javascript:, relative to nowhere
        page.add_script_tag(content=AXE.read_text())
        result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
        report.violations = [{"id": v["id"], "impact": v["impact"], "help": v["help"],
                              "nodes": [{"target": n["target"], "html": n["html"][:200]}
                                        for n in v["nodes"]]}
                             for v in result["violations"]]
        if screenshot is not None:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(screenshot))   # the first screen: a full page costs ~2 s of CPU
    finally:
        context.close()
    return report
