"""The claims page: every claim with its verdict badge; a permalink opens one claim with its
quote, source document and evidence table; opening another claim changes the URL."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.web.browser.conftest import download_csv, get_json, read_csv
from tests.web.browser_harness import LiveServer, WatchedPage


@pytest.mark.browser
def test_claims_list_and_permalink(live: LiveServer, open_page: Callable[..., WatchedPage]) -> None:
    claims = get_json(live, "/api/v1/claims")["data"]
    doc = get_json(live, "/api/v1/claims/kidal-advance-2023")
    watched = open_page("/claims?id=kidal-advance-2023")
    p = watched.page
    items = p.locator(".claim")
    assert items.count() == len(claims)
    badges = p.locator(".claim summary .badge").all_inner_texts()
    assert [b.lower() for b in badges] == [c["verdict"] for c in claims]

    target = p.locator("#claim-kidal-advance-2023")
    assert target.locator("details").get_attribute("open") is not None
    body = target.locator(".claim-body").inner_text()
    assert doc["quote"] in body and doc["source_document"]["citation"] in body
    assert target.locator("table.evidence tbody tr").count() == len(doc["evidence"])
    assert target.locator("table.evidence tbody .badge").all_inner_texts() == [
        e["verdict"].capitalize() for e in doc["evidence"]]
    assert p.locator(".claim[data-loaded='true']").count() == 1  # only the linked one was fetched

    other = p.locator("#claim-mali-vac-2023 summary")
    other.click()
    p.locator("#claim-mali-vac-2023[data-loaded='true']").wait_for()
    assert parse_qs(urlsplit(p.url).query)["id"] == ["mali-vac-2023"]
    assert "38%" in p.locator("#claim-mali-vac-2023 .claim-body blockquote").inner_text()

    # filtering by verdict hides the others and is kept in the URL
    p.locator("#verdict").select_option("contradicted")
    shown = [c for c in claims if c["verdict"] == "contradicted"]
    assert p.locator(".claim:not([hidden])").count() == len(shown) >= 1
    assert parse_qs(urlsplit(p.url).query)["verdict"] == ["contradicted"]

    # the list's CSV is the API's list
    _, text = download_csv(watched, "#claims-source a.csv-link")
    assert [r["id"] for r in read_csv(text)] == [c["id"] for c in claims]


@pytest.mark.browser
def test_unknown_claim_is_said(open_page: Callable[..., WatchedPage]) -> None:
    watched = open_page("/claims?id=no-such-claim")
    assert "There is no claim “no-such-claim”" in watched.page.locator("#page-status").inner_text()
    assert watched.page.locator(".claim").count() > 5
