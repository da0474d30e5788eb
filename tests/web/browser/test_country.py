"""The country page: changing country, source or split re-fetches the timeline; a permalink
reproduces the view (preliminary months marked); the CSVs under the charts hold exactly the
figures the API gives for the same query, and the charts show them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.web.browser.conftest import download_csv, get_json, read_csv, render_id, wait_render
from tests.web.browser_harness import LiveServer, WatchedPage


def get_json_error(server: LiveServer, url: str) -> Any:
    response = httpx.get(server.url + url, timeout=30)
    assert response.status_code == 400
    return response.json()["error"]


def chart(watched: WatchedPage, name: str) -> Any:
    return watched.page.evaluate("(name) => window.sahel.charts[name]", name)


def params(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def change(watched: WatchedPage, select: str, value: str) -> None:
    render = render_id(watched)
    watched.page.locator(select).select_option(value)
    wait_render(watched, render)


@pytest.mark.browser
def test_filters_refetch_the_charts(live: LiveServer, open_page: Callable[..., WatchedPage]) -> None:
    watched = open_page("/country")
    assert params(chart(watched, "timeline")["url"]) == {"country": "MLI", "source": "ucdp",
                                                         "period": "month"}

    change(watched, "#country", "BFA")
    timeline = chart(watched, "timeline")
    assert params(timeline["url"])["country"] == "BFA"
    assert any("/api/v1/aggregates" in u and "country=BFA" in u and "period=month" in u
               for u in watched.requests)
    assert params(watched.page.url)["country"] == "BFA"
    assert watched.page.locator("h1").inner_text() == "Burkina Faso over time"
    assert params(chart(watched, "civilians")["url"])["country"] == "BFA"
    assert params(chart(watched, "compare")["url"])["country"] == "BFA"

    change(watched, "#source", "acled")
    assert params(chart(watched, "timeline")["url"])["source"] == "acled"
    api = get_json(live, chart(watched, "timeline")["url"])
    assert chart(watched, "timeline")["rows"] == api["total"] > 0

    change(watched, "#split", "perpetrator")
    timeline = chart(watched, "timeline")
    assert params(timeline["url"])["split"] == "perpetrator"
    api = get_json(live, timeline["url"])
    groups = {row["perpetrator"] for row in api["data"]}
    assert timeline["series"] == len(groups) > 1
    assert params(watched.page.url)["split"] == "perpetrator"
    # one legend entry per group, and uPlot's own series
    assert watched.page.locator("#timeline .u-legend .u-series").count() == len(groups) + 1


@pytest.mark.browser
def test_permalink_reproduces_the_view(live: LiveServer, open_page: Callable[..., WatchedPage]) -> None:
    watched = open_page("/country?country=NER&source=ucdp&measure=events&split=category&civ=year"
                        "&from=2023&to=2023")
    p = watched.page
    for select, value in (("#country", "NER"), ("#source", "ucdp"), ("#measure", "events"),
                          ("#split", "category"), ("#civ", "year"), ("#from", "2023"), ("#to", "2023")):
        assert p.locator(select).input_value() == value, select
    timeline = chart(watched, "timeline")
    assert params(timeline["url"]) == {"country": "NER", "source": "ucdp", "period": "month",
                                       "split": "category", "start": "2023", "end": "2023"}
    api = get_json(live, timeline["url"])["data"]
    assert timeline["rows"] == len(api)
    # Niger's only UCDP month in this store is candidate data: marked preliminary
    assert timeline["preliminary"] == len({r["month"] for r in api if r["preliminary"]}) == 1
    assert "Preliminary months" in p.locator("#timeline-legend").inner_text()
    # UCDP and ACLED do not both cover Niger in 2023: said, not drawn
    assert "do not both cover" in p.locator("#compare").inner_text() or \
        "outside the years both sources cover" in p.locator("#compare").inner_text()
    assert p.locator("#civilians .uplot").count() == 1


@pytest.mark.browser
def test_csvs_hold_the_charts_figures(live: LiveServer, open_page: Callable[..., WatchedPage]) -> None:
    watched = open_page("/country?country=MLI&source=ucdp&measure=fatalities&split=none")
    # the timeline
    href, text = download_csv(watched, "#timeline-source a.csv-link")
    assert "# sources: ucdp" in text and "# cite:" in text
    rows = read_csv(text)
    api = get_json(live, href.replace("f=csv", "f=json"))["data"]
    assert len(rows) == len(api) == chart(watched, "timeline")["rows"] == chart(watched, "timeline")["months"]
    for got, want in zip(rows, api, strict=True):
        assert got["month"] == want["month"]
        for key in ("events", "fatalities_low", "fatalities_best", "fatalities_high"):
            assert int(got[key]) == want[key]
    # UCDP vs ACLED: only years both cover, and exactly the rows drawn as bars
    href, text = download_csv(watched, "#compare-source a.csv-link")
    rows = read_csv(text)
    assert {r["source"] for r in rows} == {"ucdp", "acled"}
    bars = watched.page.evaluate("""() => [...document.querySelectorAll('#compare svg rect')]
        .map((r) => [r.dataset.series, Number(r.dataset.category), Number(r.dataset.value)])""")
    assert sorted(map(tuple, bars)) == sorted((r["source"], int(r["year"]), int(r["fatalities_best"]))
                                              for r in rows)
    ucdp_years = {int(r["year"]) for r in rows if r["source"] == "ucdp"}
    acled_years = {int(r["year"]) for r in rows if r["source"] == "acled"}
    assert ucdp_years == acled_years and min(acled_years) == 1997 and max(acled_years) == 2020
    partial = [r for r in rows if int(r["months_covered"]) < 12]
    assert partial and watched.page.locator("#compare svg rect.partial").count() == len(partial)
    # who kills civilians: the bars' values are the CSV's
    href, text = download_csv(watched, "#civilians-source a.csv-link")
    rows = read_csv(text)
    assert "split=perpetrator" in href and "period=total" in href
    shown = watched.page.evaluate("""() => Object.fromEntries([...document.querySelectorAll(
        '#civilians .bar-value')].map((n) => [n.dataset.key, Number(n.dataset.value)]))""")
    assert shown == {r["perpetrator"]: int(r["civilian_deaths_best"]) for r in rows}


@pytest.mark.browser
def test_an_api_error_is_shown_with_its_hint(live: LiveServer, open_page: Callable[..., WatchedPage]) -> None:
    error = get_json_error(live, "/api/v1/aggregates?country=XYZ&source=ucdp&period=month")
    watched = open_page("/country?country=XYZ")
    # the browser logs the 400 answers themselves: expected here, and nothing else
    logged = watched.take_console_errors()
    assert logged and all("status of 400" in line for line in logged), logged
    box = watched.page.locator("#timeline .status-error")
    assert box.locator(".status-message").inner_text() == error["message"]
    assert box.locator(".status-hint").inner_text() == error["hint"]
    assert "Traceback" not in watched.page.content()
