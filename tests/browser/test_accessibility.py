"""axe-core on every page a user reaches, as each role, on a phone and on a desktop.

Each role starts at the week and follows every link the pages show (same site, pages only: no
downloads, feeds or language switches), one page per URL shape; axe-core (vendored in
tests/browser/vendor, see its README) runs on each at 390 px and 1280 px wide. A serious or
critical violation fails the test, naming the page, the rule and the elements.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from planner.extensions import db
from planner.timezones import today_local
from tests import factories
from tests.browser.conftest import log_in
from tests.pages_story import PRINT_JOB_ID, seed

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
WIDTHS = {"phone": (390, 844), "desktop": (1280, 900)}
# Not pages: files, feeds, JSON, the language switch (it only redirects back).
SKIP = re.compile(
    r"\.(pdf|ics|csv|xlsx|json|png|jpg|svg)$|/download|/export|/files/|/language/|/feed/|/logout"
)
MAX_PAGES = 80


# Pages drawn by one template for each of their last segment (a figure, a comparison).
SAME_TEMPLATE = re.compile(r"^/results/(records|compare)/[^/]+")


def shape(url: str) -> str:
    """One URL per shape: /people/12 and /people/13, or a page and its filtered self, are the
    same page."""
    path = re.sub(r"/\d+", "/N", urlsplit(url).path)
    return SAME_TEMPLATE.sub(r"/results/\1/X", path)


def crawl(page, live_server: str, extra: list[str], visit=lambda url: None) -> list[str]:
    """Every page reachable by links from the week, one per shape, in the order found;
    `visit(url)` runs on each page once it is loaded."""
    queue = [f"{live_server}/", *(f"{live_server}{u}" for u in extra)]
    seen: set[str] = set()
    pages: list[str] = []
    while queue and len(pages) < MAX_PAGES:
        url = queue.pop(0).split("#")[0]
        if shape(url) in seen:
            continue
        seen.add(shape(url))
        response = page.goto(url)
        assert response is not None and response.status < 400, (url, response and response.status)
        pages.append(page.url)
        visit(page.url)
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            target = urljoin(page.url, href)
            wanted = target.startswith(live_server) and not SKIP.search(urlsplit(target).path)
            if wanted and shape(target) not in seen:
                queue.append(target)
    return pages


def serious_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ["violations"]});
            return r.violations.filter(v => v.impact === "serious" || v.impact === "critical")
              .map(v => v.id + ": " + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", "));
        }"""
    )
    return list(result)


@pytest.fixture
def axe_page(browser):
    # axe is injected as an inline script, which the app's CSP rightly refuses.
    context = browser.new_context(bypass_csp=True, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_no_serious_or_critical_violation_on_any_page_a_role_reaches(
    axe_page, live_server, office, officer, supervisor, admin, places
):
    """Each role in turn: its week (its own navigation), then every page shape no earlier role
    reached (a supervisor's pages are an officer's plus their own), at both widths."""
    seed(office, officer, supervisor, places)
    held_id = db.session.execute(db.text("select min(id) from outreach_session")).scalar()
    checked: set[str] = set()
    found: list[str] = []
    for role, user in (("officer", officer), ("supervisor", supervisor), ("admin", admin)):
        axe_page.context.clear_cookies()
        log_in(axe_page, live_server, user.username, factories.PASSWORD)
        extra = [f"/printing/jobs/{PRINT_JOB_ID}", f"/sessions/{held_id}/check-in"]
        new: list[str] = []

        def on_phone(
            url: str, role: str = role, new: list[str] = new, seen=frozenset(checked)
        ) -> None:
            # Checked on a phone while crawling, on a desktop below.
            if shape(url) not in seen or shape(url) == "/":
                new.append(url)
                found.extend(f"{role} phone {url} {v}" for v in serious_violations(axe_page))

        axe_page.set_viewport_size({"width": 390, "height": 844})
        pages = crawl(axe_page, live_server, extra, on_phone)
        assert len(pages) >= 15, (role, pages)
        checked |= {shape(p) for p in pages}
        axe_page.set_viewport_size({"width": 1280, "height": 900})
        for url in new:
            axe_page.goto(url)
            found.extend(f"{role} desktop {url} {v}" for v in serious_violations(axe_page))
    assert len(checked) >= 40, sorted(checked)
    assert not found, "\n".join(found)


def test_public_pages_have_no_serious_or_critical_violation(axe_page, live_server, officer, places):
    factories.session(officer, places.commune, day=today_local(), venue=places.house)
    db.session.commit()
    for width, height in WIDTHS.values():
        axe_page.set_viewport_size({"width": width, "height": height})
        axe_page.goto(f"{live_server}/login")
        assert serious_violations(axe_page) == []
