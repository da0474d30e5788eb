"""The network page: the date slider redraws the graph with the API's network of that day,
the URL keeps the date (a permalink), and the alignment timelines carry the dated events."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.web.browser.conftest import download_csv, get_json, read_csv, render_id, wait_render
from tests.web.browser_harness import LiveServer, WatchedPage

GRAPH = """() => ({nodes: window.sahel.cy.nodes().length, edges: window.sahel.cy.edges().length,
  ids: window.sahel.cy.nodes().map((n) => n.id()).sort()})"""


def date_of(watched: WatchedPage) -> str:
    return parse_qs(urlsplit(watched.page.url).query)["date"][0]


@pytest.mark.browser
def test_slider_redraws_the_network(live: LiveServer, open_page: Callable[..., WatchedPage]) -> None:
    watched = open_page("/network?date=2023-09-16")
    p = watched.page
    api = get_json(live, "/api/v1/registry/network?at=2023-09-16")
    graph = p.evaluate(GRAPH)
    assert (graph["nodes"], graph["edges"]) == (len(api["nodes"]), len(api["edges"]))
    assert graph["ids"] == sorted(n["id"] for n in api["nodes"])
    assert "aes" in graph["ids"]
    assert p.locator("#date-value").inner_text() == "16 Sept 2023"

    render = render_id(watched)
    p.locator("#date").focus()
    p.keyboard.press("Home")  # the slider's first month, 2010-01
    wait_render(watched, render)
    assert date_of(watched) == "2010-01-01"
    early = get_json(live, "/api/v1/registry/network?at=2010-01-01")
    graph = p.evaluate(GRAPH)
    assert (graph["nodes"], graph["edges"]) == (len(early["nodes"]), len(early["edges"]))
    assert graph["edges"] < len(api["edges"]) and "aes" not in graph["ids"]

    render = render_id(watched)
    p.keyboard.press("End")
    wait_render(watched, render)
    last = get_json(live, "/api/v1/registry/alignment")["data"]
    assert date_of(watched) == max(r["month"] for r in last) + "-01"

    # the ties' CSV is the ties active that day, one row per tie of the graph
    href, text = download_csv(watched, "#network-source a.csv-link")
    assert f"at={date_of(watched)}" in href
    ties = {r["id"] for r in read_csv(text)}
    assert ties == set(p.evaluate("() => window.sahel.cy.edges().map((e) => e.data('tie'))"))


@pytest.mark.browser
def test_alignment_marks_and_permalink(live: LiveServer, open_page: Callable[..., WatchedPage]) -> None:
    watched = open_page("/network?date=2021-05-24")
    p = watched.page
    assert p.locator("#date-value").inner_text() == "24 May 2021"
    assert p.evaluate("() => window.sahel.network.at") == "2021-05-24"
    rows = get_json(live, "/api/v1/registry/alignment")["data"]
    assert p.locator("#alignment .u-legend .u-series").count() == 4  # month + three states
    assert len({r["state"] for r in rows}) == 3
    marks = p.locator("#marks .mark")
    assert marks.count() >= 20
    # every mark sits on the chart (inside the plot's width) and is a button with its title
    lefts = p.evaluate("""() => [...document.querySelectorAll('#marks .mark')]
        .map((m) => parseFloat(m.style.left))""")
    width = p.evaluate("() => document.querySelector('#marks').getBoundingClientRect().width")
    assert all(0 <= x <= width for x in lefts) and len(set(lefts)) > 10
    aes = p.locator("#marks .mark[data-id='aes-charter-signed']")
    assert "Liptako-Gourma Charter" in (aes.get_attribute("title") or "")
    render = render_id(watched)
    aes.click()
    wait_render(watched, render)
    assert date_of(watched) == "2023-09-16"
    assert "Liptako-Gourma Charter" in p.locator("#mark-info").inner_text()
    assert "aes" in p.evaluate(GRAPH)["ids"]
    # a tie's details (sources included) when its row of the table is clicked
    p.locator("#ties-table summary").click()
    p.locator("#ties-rows button", has_text="Liptako-Gourma").first.click()
    details = p.locator("#details").inner_text()
    assert "South–South" in details and "Sources" in details
