"""The map page: the slider changes the view, a permalink reproduces it, its CSV holds the API's
figures, an event known only to a region or the country is never a dot, and the notices of a
public server and of a server without boundaries."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.web.browser.conftest import download_csv, get_json, read_csv, render_id, wait_render
from tests.web.browser_harness import LiveServer, WatchedPage

CENTRAL = "country=MLI,BFA,NER&source=ucdp"


def query(watched: WatchedPage) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(watched.page.url).query).items()}


def sahel(watched: WatchedPage, key: str) -> Any:
    return watched.page.evaluate("(key) => window.sahel[key]", key)


def placed(server: LiveServer, where: str) -> tuple[set[str], set[str]]:
    """Event ids the API gives a point, and those it gives a null geometry."""
    body = get_json(server, f"/api/v1/events?f=geojson&limit=5000&{where}")
    assert body["total"] == body["count"], "the test's period must fit one page"
    points = {f["id"] for f in body["features"] if f["geometry"] is not None}
    nulls = {f["id"] for f in body["features"] if f["geometry"] is None}
    return points, nulls


RENDERED = """() => {
  const map = window.sahel.map;
  const drawn = map.queryRenderedFeatures({layers: ['events-points']}).map((f) => f.properties.event_uid);
  const loaded = map.querySourceFeatures('events').map((f) => f.properties.event_uid);
  return {drawn: [...new Set(drawn)], loaded: [...new Set(loaded)]};
}"""


@pytest.mark.browser
def test_slider_changes_the_view(live: LiveServer, open_page: Callable[..., WatchedPage]) -> None:
    watched = open_page(f"/map?{CENTRAL}&span=year&t=2022")
    before = sahel(watched, "points")
    assert before["drawn"] == len(placed(live, f"{CENTRAL}&start=2022&end=2022")[0])
    regions_before = sahel(watched, "regions")

    render = render_id(watched)
    watched.page.locator("#time").focus()
    watched.page.keyboard.press("ArrowLeft")
    wait_render(watched, render)

    assert query(watched)["t"] == "2021"
    assert watched.page.locator("#time-value").inner_text() == "2021"
    after = sahel(watched, "points")
    points, _ = placed(live, f"{CENTRAL}&start=2021&end=2021")
    assert after["drawn"] == len(points) != before["drawn"]
    assert "start=2021" in after["url"] and "end=2021" in after["url"]
    regions = get_json(live, f"/api/v1/aggregates?unit=admin1&period=total&{CENTRAL}&start=2021&end=2021")
    assert sahel(watched, "regions")["rows"] == regions["total"] != regions_before["rows"]

    # the step buttons move it too, and "One month" turns the slider into months
    render = render_id(watched)
    watched.page.locator("#time-next").click()
    wait_render(watched, render)
    assert query(watched)["t"] == "2022"
    render = render_id(watched)
    watched.page.locator("#span").select_option("month")
    wait_render(watched, render)
    assert query(watched)["span"] == "month" and query(watched)["t"] == "2022-12"


@pytest.mark.browser
def test_no_dot_for_an_event_located_only_to_a_region(live: LiveServer,
                                                      open_page: Callable[..., WatchedPage]) -> None:
    watched = open_page(f"/map?{CENTRAL}&span=year&t=2022")
    points, nulls = placed(live, f"{CENTRAL}&start=2022&end=2022")
    assert nulls, "the period must hold events known only to a region or the country"
    seen = watched.page.evaluate(RENDERED)
    assert seen["drawn"], "no dot rendered"
    assert not set(seen["drawn"]) & nulls
    assert not set(seen["loaded"]) & nulls
    assert set(seen["loaded"]) <= points and set(seen["drawn"]) <= points
    assert sahel(watched, "points")["unplaced"] == len(nulls)
    counts = watched.page.locator("#counts").inner_text()
    assert f"(not drawn): {len(nulls)}" in counts
    legend = watched.page.locator("#legend-points").inner_text()
    assert "counted in the region's colour, not drawn as dots" in legend


@pytest.mark.browser
def test_permalink_reproduces_the_view(live: LiveServer, open_page: Callable[..., WatchedPage]) -> None:
    watched = open_page("/map?country=MLI&source=acled&measure=fatalities_best&span=month"
                        "&t=2019-03&points=off&c=-2.000,16.000&z=5.00")
    p = watched.page
    assert p.locator("#countries").input_value() == "MLI"
    assert p.locator("#source").input_value() == "acled"
    assert p.locator("#measure").input_value() == "fatalities_best"
    assert p.locator("#span").input_value() == "month"
    assert p.locator("#points").input_value() == "off"
    assert p.locator("#time-value").inner_text() == "Mar 2019"
    view = p.evaluate("() => ({c: window.sahel.map.getCenter(), z: window.sahel.map.getZoom()})")
    assert abs(view["c"]["lng"] + 2) < 0.01 and abs(view["c"]["lat"] - 16) < 0.01
    assert abs(view["z"] - 5) < 0.01
    rows = get_json(live, "/api/v1/aggregates?unit=admin1&period=total&country=MLI&source=acled"
                          "&start=2019-03&end=2019-03")["data"]
    assert sahel(watched, "regions")["rows"] == len(rows) > 0
    assert "Deaths (best estimate), Mar 2019" in p.locator("#legend-classes").inner_text()
    assert not any("/api/v1/events" in url for url in watched.requests), "dots are off"


@pytest.mark.browser
def test_region_csv_is_the_api_figures(live: LiveServer, open_page: Callable[..., WatchedPage]) -> None:
    watched = open_page(f"/map?{CENTRAL}&span=year&t=2020&measure=civilian_deaths_best")
    href, text = download_csv(watched, "#source-regions a.csv-link")
    assert text.startswith("# sources: ucdp")
    rows = read_csv(text)
    api = get_json(live, href.replace("f=csv", "f=json"))["data"]
    assert len(rows) == len(api) == watched.page.locator("#region-rows tr").count() > 5
    for got, want in zip(rows, api, strict=True):
        assert got["admin1_key"] == want["admin1_key"]
        for key in ("events", "fatalities_best", "civilian_deaths_low", "civilian_deaths_best",
                    "civilian_deaths_high"):
            assert int(got[key]) == want[key], (key, got, want)
    # the colours: every matched region's value is the row's civilian deaths
    drawn = watched.page.evaluate("""() => window.sahel.map.querySourceFeatures('regions')
        .filter((f) => f.properties.value !== null && f.properties.value !== undefined)
        .map((f) => [f.properties.country_iso3 + '|' + f.properties.admin1_key, f.properties.value])""")
    by_key = {f"{r['country_iso3']}|{r['admin1_key']}": r["civilian_deaths_best"] for r in api}
    matched = [(key, value) for key, value in drawn if key in by_key]
    assert matched and all(by_key[key] == value for key, value in matched)
    # Burkina Faso's provinces are drawn as the regions the data name; only Mali's regions
    # newer than the boundary file (Ménaka, Taoudénit) may be listed as having no outline
    assert "BFA|sahel" in dict(drawn)
    unmatched = watched.page.locator("#unmatched li").all_inner_texts()
    assert all("(Mali)" in item for item in unmatched), unmatched


@pytest.mark.browser
def test_public_server_says_why_acled_dots_are_missing(
        public_live: LiveServer, open_page: Callable[..., WatchedPage]) -> None:
    watched = open_page("/map?country=MLI,BFA,NER&source=acled&span=year&t=2019", server=public_live)
    notice = watched.page.locator("#public-notice")
    assert notice.is_visible()
    assert ("ACLED's terms allow aggregates only; run the observatory locally to see ACLED events"
            in notice.inner_text())
    assert not any("/api/v1/events" in url for url in watched.requests)
    assert sahel(watched, "regions")["rows"] > 10  # ACLED aggregates are still shown
    assert "public server" in watched.page.locator("#site-footer").inner_text()
    watched.shot("map-public-desktop")
    render = render_id(watched)
    watched.page.locator("#source").select_option("ucdp")
    wait_render(watched, render)
    assert not notice.is_visible()
    assert any("/api/v1/events" in url and "source=ucdp" in url for url in watched.requests)
    assert sahel(watched, "points")["drawn"] > 0


@pytest.mark.browser
def test_without_boundaries_the_hint_is_shown_and_dots_still_drawn(
        bare_live: LiveServer, open_page: Callable[..., WatchedPage]) -> None:
    error = httpx.get(bare_live.url + "/api/v1/boundaries/admin1?country=MLI", timeout=30).json()
    watched = open_page(f"/map?{CENTRAL}&span=year&t=2022", server=bare_live)
    # the failed boundary request is a 4xx/5xx the browser logs: expected here
    logged = watched.take_console_errors()
    assert all("Failed to load resource" in line for line in logged), logged
    notice = watched.page.locator("#boundary-notice")
    assert notice.is_visible()
    assert error["error"]["hint"] in notice.inner_text()
    assert sahel(watched, "points")["drawn"] > 100
    assert watched.page.evaluate(
        "() => window.sahel.map.querySourceFeatures('world').length") > 10
    watched.shot("map-no-boundaries-desktop")
