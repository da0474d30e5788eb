"""Every dashboard page opens on the real store without a console error or a request to
another host, with the shared header and footer, no error box, a source line and CSV link
under every chart, and a screenshot at a desktop and a phone width."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.web.browser.conftest import DESKTOP, MOBILE, get_json
from tests.web.browser_harness import LiveServer, WatchedPage

PAGES = {
    "map": "/map?country=MLI,BFA,NER&source=ucdp&span=year&t=2022",
    "country": "/country?country=MLI",
    "network": "/network?date=2023-09-16",
    "claims": "/claims?id=mali-vac-2023",
    "data": "/data",
}
#: what each page must have drawn (CSS selector -> at least this many)
DRAWN = {
    "map": {"#map canvas.maplibregl-canvas": 1, "#legend-classes li": 3, "#region-rows tr": 5},
    "country": {"#timeline .uplot": 1, "#compare svg rect": 10, "#civilians .bar": 3},
    "network": {"#graph canvas": 1, "#alignment .uplot": 1, "#marks .mark": 10, "#ties-rows tr": 10},
    "claims": {".claim": 5, ".claim[data-loaded='true'] table.evidence tbody tr": 3},
    "data": {"#citations li": 3, "#coverage tr": 3, "#snapshots tr": 10, "#series tr": 3},
}


@pytest.mark.browser
@pytest.mark.parametrize("page", list(PAGES))
def test_page_opens_clean(page: str, live: LiveServer, open_page: Callable[..., WatchedPage]) -> None:
    state = get_json(live, "/api/v1")["store_state"]
    for viewport, suffix in ((DESKTOP, "desktop"), (MOBILE, "mobile")):
        watched = open_page(PAGES[page], viewport=viewport)
        p = watched.page
        assert p.locator("#site-header nav a").count() == 5
        assert p.locator("#site-header nav a[aria-current='page']").inner_text() == page.capitalize()
        footer = p.locator("#site-footer").inner_text()
        assert "UCDP (CC BY 4.0), ACLED (aggregates only)" in footer and "/data" in footer
        assert state in footer
        for selector, least in DRAWN[page].items():
            assert p.locator(selector).count() >= least, (selector, suffix)
        assert p.locator(".status-error").count() == 0, p.locator(".status-error").all_inner_texts()
        assert p.locator(".status-loading").count() == 0
        # every chart says where its figures come from and offers them as CSV
        for figure in p.locator("figure.chart").all():
            assert "Source:" in figure.locator(".source-line").first.inner_text()
            assert figure.locator("a.csv-link").count() >= 1
        # nothing wider than the screen (a phone must not scroll sideways)
        overflow = p.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{page} {suffix}: {overflow}px wider than the screen"
        watched.shot(f"{page}-{suffix}")
