"""The read-only API on the real analysis store: figures (checked against pandas on the raw
export and against the CLI), filters, paging, formats, provenance, ETags and errors."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

pytestmark = pytest.mark.shared_data

ROUTES = ["/api/v1", "/api/v1/aggregates", "/api/v1/events", "/api/v1/series",
          "/api/v1/series/ucdp_pace_deaths_best", "/api/v1/registry/actors",
          "/api/v1/registry/ties", "/api/v1/registry/events",
          "/api/v1/registry/network?at=2023-09-16", "/api/v1/registry/alignment",
          "/api/v1/claims", "/api/v1/claims/mali-vac-2023", "/api/v1/snapshots",
          "/api/v1/coverage", "/api/v1/citations", "/api/v1/boundaries/admin1?country=MLI"]


@pytest.fixture(scope="module")
def mali(shared_data: Path) -> pd.DataFrame:
    """The UCDP explorer export of Mali read by pandas alone (the independent side)."""
    df = pd.read_csv(shared_data / "ucdp_ged" / "explorer_export_2025" / "Mali.csv",
                     index_col=False)
    day = pd.to_datetime(df["date_start"], format="%m/%d/%Y %H:%M:%S")
    return df.assign(year=day.dt.year, month=day.dt.strftime("%Y-%m"))


def rows(client: TestClient, url: str) -> pd.DataFrame:
    r = client.get(url)
    assert r.status_code == 200, r.text
    return pd.DataFrame(r.json()["data"])


@pytest.mark.parametrize("url", ROUTES)
def test_every_resource_answers_with_its_provenance(api: TestClient, url: str) -> None:
    r = api.get(url)
    assert r.status_code == 200, r.text
    body = r.json()
    prov = body["provenance"]
    assert {"filters", "snapshots", "citations", "sources", "versions",
            "store_state"} <= set(prov)
    assert r.headers["x-sahel-state"] == prov["store_state"]
    assert r.headers["etag"].startswith('W/"')
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "script-src 'self';" in r.headers["content-security-policy"]


def test_country_years_match_pandas_on_the_raw_export(api: TestClient,
                                                      mali: pd.DataFrame) -> None:
    got = rows(api, "/api/v1/aggregates?country=MLI&source=ucdp_ged&period=year")
    assert set(got["source"]) == {"ucdp_ged"}
    got = got.set_index("year")
    want = mali.groupby("year").agg(events=("id", "size"), low=("low_est", "sum"),
                                    best=("best_est", "sum"), high=("high_est", "sum"))
    # coverage: GED >= 24.1 speaks for 1989..2023; a year without events is a row of zeros
    assert list(got.index) == list(range(1989, 2024))
    assert (got["months_covered"] == 12).all()
    aligned = want.reindex(got.index, fill_value=0)
    assert got["events"].tolist() == aligned["events"].tolist()
    assert got["fatalities_low"].tolist() == aligned["low"].tolist()
    assert got["fatalities_best"].tolist() == aligned["best"].tolist()
    assert got["fatalities_high"].tolist() == aligned["high"].tolist()
    assert got["civilian_deaths_best"].sum() == mali["deaths_civilians"].sum()


def test_country_months_are_zero_inside_coverage_only(api: TestClient,
                                                     mali: pd.DataFrame) -> None:
    got = rows(api, "/api/v1/aggregates?country=MLI&source=ucdp_ged&period=month"
                    "&start=2012-01&end=2012-12")
    want = mali[mali["year"] == 2012].groupby("month").size()
    assert got["month"].tolist() == [f"2012-{m:02d}" for m in range(1, 13)]
    assert got.set_index("month")["events"].to_dict() == want.reindex(
        got["month"], fill_value=0).to_dict()
    outside = rows(api, "/api/v1/aggregates?country=MLI&source=ucdp_ged&period=month"
                        "&start=2024-01&end=2024-12")
    assert outside.empty  # GED >= 24.1 says nothing about 2024: no row, not zeros


def test_splits_add_up_to_the_totals(api: TestClient) -> None:
    base = "/api/v1/aggregates?country=BFA&source=acled&period=total"
    total = rows(api, base).iloc[0]
    for split in ("category", "perpetrator", "civilian_targeting"):
        parts = rows(api, f"{base}&split={split}")
        assert parts["events"].sum() == total["events"], split
        assert parts["fatalities_best"].sum() == total["fatalities_best"], split


def test_admin1_rows_join_spellings_and_leave_country_level_events_out(
        api: TestClient, mali: pd.DataFrame) -> None:
    got = rows(api, "/api/v1/aggregates?country=MLI&source=ucdp_ged&unit=admin1"
                    "&period=total")
    assert got["admin1_key"].is_unique
    tomb = got.set_index("admin1_key").loc["timbuktu"]
    # UCDP where_prec 1-5 with an adm_1 name: placed in a region (6: country level only)
    placed = mali[mali["where_prec"] <= 5]
    want = placed[placed["adm_1"].fillna("").str.startswith("Tombouctou")]
    assert tomb["events"] == len(want)
    total = rows(api, "/api/v1/aggregates?country=MLI&source=ucdp_ged&period=total")
    assert got["events"].sum() < total["events"].iloc[0]  # country-level events left out
    assert any("left out" in n for n in api.get(
        "/api/v1/aggregates?country=MLI&unit=admin1&period=total").json()["notes"])


@pytest.mark.parametrize(("country", "regions", "newer"), [
    ("MLI", 9, {"menaka", "timetrine", "taoudenit"}), ("BFA", 13, set()), ("NER", 8, set())])
def test_every_region_the_events_name_is_drawn_on_the_map(api: TestClient, country: str,
                                                          regions: int, newer: set[str]) -> None:
    """Burkina Faso's 45 Natural Earth provinces are gathered into its 13 regions, the unit UCDP
    and ACLED name, so the choropleth joins every region-placed event; only Mali's regions
    created after Natural Earth's division (Ménaka, Taoudénit, Timetrine) have no outline, and
    the map says so."""
    shapes = api.get(f"/api/v1/boundaries/admin1?country={country}").json()
    keys = {f["properties"]["admin1_key"] for f in shapes["features"]}
    assert len(keys) == len(shapes["features"]) >= regions
    named: set[str] = set()
    for source in ("ucdp_ged", "acled"):  # the test store holds ACLED for some states only
        got = rows(api, f"/api/v1/aggregates?country={country}&source={source}&unit=admin1"
                        "&period=total")
        if len(got):
            named |= set(got.loc[got["events"] > 0, "admin1_key"])
    assert len(named) >= regions - 2 and named - keys <= newer, named - keys


def test_the_api_and_the_cli_give_the_same_figures(api: TestClient, web_store: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from sahel.cli import app

    monkeypatch.setenv("SAHEL_DB", str(web_store))
    result = CliRunner().invoke(app, ["summary", "-c", "BFA", "-s", "acled", "--by", "year",
                                      "-f", "json"])
    assert result.exit_code == 0, result.output
    cli = pd.DataFrame(json.loads(result.stdout)["rows"]).set_index("year")
    web = rows(api, "/api/v1/aggregates?country=BFA&source=acled&period=year")
    web = web[web["events"] > 0].set_index("year")
    assert list(web.index) == list(cli.index)
    for col in ("events", "fatalities_low", "fatalities_best", "fatalities_high"):
        assert web[col].tolist() == cli[col].tolist(), col


def test_filters_narrow_the_rows(api: TestClient) -> None:
    everything = rows(api, "/api/v1/aggregates?source=acled&period=total")
    assert {"BFA", "MLI", "NER"} <= set(everything["country_iso3"])
    box = rows(api, "/api/v1/aggregates?source=acled&period=total&country=BFA"
                    "&bbox=-2,12,0,14")
    whole = rows(api, "/api/v1/aggregates?source=acled&period=total&country=BFA")
    assert 0 < box["events"].iloc[0] < whole["events"].iloc[0]
    interval = rows(api, "/api/v1/aggregates?source=acled&period=year&country=BFA"
                         "&datetime=2018-01-01/2018-12-31")
    same = rows(api, "/api/v1/aggregates?source=acled&period=year&country=BFA"
                     "&start=2018&end=2018")
    assert interval.to_dict("records") == same.to_dict("records")
    assert interval["year"].tolist() == [2018]
    sahel = rows(api, "/api/v1/aggregates?source=acled&period=total&admin1=Sahel&country=BFA")
    assert 0 < sahel["events"].iloc[0] < whole["events"].iloc[0]
    jihadist = rows(api, "/api/v1/aggregates?source=acled&period=total&country=BFA"
                         "&perpetrator=jihadist&side=actor1")
    split = rows(api, "/api/v1/aggregates?source=acled&period=total&country=BFA"
                      "&split=perpetrator").set_index("perpetrator")
    assert jihadist["events"].iloc[0] == split.loc["jihadist", "events"]


def test_the_combined_ucdp_record_and_as_of(api: TestClient) -> None:
    combined = rows(api, "/api/v1/aggregates?source=ucdp&country=MLI&period=month"
                         "&start=2023-10&end=2023-10")
    ged = rows(api, "/api/v1/aggregates?source=ucdp_ged&country=MLI&period=month"
                    "&start=2023-10&end=2023-10")
    assert combined["events"].tolist() == ged["events"].tolist()  # GED covers 2023
    assert combined["preliminary"].tolist() == [False]
    early = api.get("/api/v1/aggregates?country=MLI&period=total&as_of=1").json()
    assert [s["snapshot_id"] for s in early["provenance"]["snapshots"]] == [1]
    assert early["provenance"]["sources"] == ["ucdp_ged"]


def test_event_pages_follow_next_links_without_gaps(api: TestClient) -> None:
    url: str | None = "/api/v1/events?country=NER&source=acled&limit=400"
    seen: list[str] = []
    total = None
    while url:
        body = api.get(url).json()
        total = body["total"]
        seen += [e["event_uid"] for e in body["data"]]
        url = next((x["href"] for x in body["links"] if x["rel"] == "next"), None)
    assert total is not None and len(seen) == total == len(set(seen)) > 400
    r = api.get("/api/v1/events?country=NER&source=acled&limit=400")
    assert 'rel="next"' in r.headers["link"] and r.headers["x-total-count"] == str(total)


def test_geojson_never_places_coarse_events_as_points(api: TestClient) -> None:
    body = api.get("/api/v1/events?country=MLI&source=ucdp_ged&limit=5000&f=geojson").json()
    assert body["type"] == "FeatureCollection"
    kinds = {(f["properties"]["geo_precision"], f["geometry"] is None) for f in body["features"]}
    assert ("country", True) in kinds and ("region", True) in kinds
    assert ("admin1", True) in kinds and ("exact", False) in kinds
    assert not any(p in ("admin1", "country", "region") and not null for p, null in kinds)


def test_csv_and_parquet_hold_the_json_figures_and_their_provenance(api: TestClient) -> None:
    url = "/api/v1/aggregates?country=NER&period=year&split=category"
    js = rows(api, url)
    r = api.get(url + "&f=csv")
    assert r.headers["content-type"].startswith("text/csv")
    head = [line for line in r.text.splitlines() if line.startswith("#")]
    assert any(line.startswith("# cite: UCDP") for line in head)
    assert any(line.startswith("# snapshots:") for line in head)
    csv = pd.read_csv(io.StringIO(r.text), comment="#")
    assert csv["events"].tolist() == js["events"].tolist()
    assert csv["fatalities_best"].fillna(-1).tolist() == js["fatalities_best"].fillna(-1).tolist()
    r = api.get(url, headers={"Accept": "application/vnd.apache.parquet"})
    table = pq.read_table(io.BytesIO(r.content))
    assert table.column("events").to_pylist() == js["events"].tolist()
    meta = json.loads(table.schema.metadata[b"sahel.provenance"])
    assert meta["store_state"] == r.headers["x-sahel-state"] and meta["citations"]


def test_etags_revalidate_and_differ_per_query(api: TestClient) -> None:
    a = api.get("/api/v1/aggregates?country=MLI")
    b = api.get("/api/v1/aggregates?country=BFA")
    assert a.headers["etag"] != b.headers["etag"]
    again = api.get("/api/v1/aggregates?country=MLI",
                    headers={"If-None-Match": a.headers["etag"]})
    assert again.status_code == 304 and not again.content
    stale = api.get("/api/v1/aggregates?country=MLI", headers={"If-None-Match": 'W/"old"'})
    assert stale.status_code == 200


def test_another_store_state_is_another_etag(web_store: Path, shared_data: Path,
                                             tmp_path: Path) -> None:
    from tests.web.api.conftest import client_for

    with client_for(web_store, shared_data) as one, client_for(
            web_store, shared_data, public=True) as other:
        assert one.get("/api/v1/citations").headers["etag"] != other.get(
            "/api/v1/citations").headers["etag"]


def test_the_index_names_stored_sources_and_registry_date(api: TestClient) -> None:
    doc = api.get("/api/v1").json()
    assert set(doc["sources_stored"]) >= {"ucdp_ged", "acled"}
    assert "ucdp_ged" not in doc["sources"] or "ucdp_candidate" not in doc["sources_stored"]
    assert doc["registry_current_to"] >= "2025"


def test_coverage_days_are_calendar_days_and_csv_has_no_empty_provenance(api: TestClient) -> None:
    cov = rows(api, "/api/v1/coverage")
    assert cov["first_day"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    assert (cov["first_day"] >= "1989-01-01").all()
    head = [line for line in api.get("/api/v1/registry/actors?f=csv").text.splitlines()
            if line.startswith("#")]
    assert not any(line.startswith(("# sources", "# snapshots")) for line in head), head
    assert any(line.startswith("# store state:") for line in head)


def test_system_events_of_a_state_include_its_alliances(api: TestClient) -> None:
    placed = rows(api, "/api/v1/registry/events?country=NER")
    involved = rows(api, "/api/v1/registry/events?state=NER")
    assert set(placed["id"]) < set(involved["id"])
    assert "aes-charter-signed" in set(involved["id"]) - set(placed["id"])
    late = rows(api, "/api/v1/registry/events?state=NER&start=2023-07&end=2024")
    assert late["day"].between("2023-07-01", "2024-12-31").all()
    assert set(late["id"]) < set(involved["id"])


BAD = [
    ("/api/v1/aggregates?contry=MLI", 400, "contry", "this endpoint takes"),
    ("/api/v1/events?country=MLI&limitt=5", 400, "limitt", "this endpoint takes"),
    ("/api/v1/aggregates?country=Atlantis", 400, "country", "ISO3"),
    ("/api/v1/aggregates?start=2020-13", 400, "start", "YYYY"),
    ("/api/v1/aggregates?start=2021&end=2020", 400, "end", "swap"),
    ("/api/v1/aggregates?datetime=2020/2021&start=2020", 400, "datetime", "not both"),
    ("/api/v1/aggregates?bbox=1,2,3", 400, "bbox", "west,south,east,north"),
    ("/api/v1/aggregates?unit=district", 400, "unit", "country, admin1"),
    ("/api/v1/aggregates?source=gdelt", 400, "source", "ucdp_ged"),
    ("/api/v1/aggregates?admin1=Atlantida&country=MLI", 404, "admin1", "spellings"),
    ("/api/v1/aggregates?as_of=999", 404, "as_of", "snapshots"),
    ("/api/v1/aggregates?limit=abc", 400, "limit", "openapi"),
    ("/api/v1/events?limit=100000", 400, "limit", "next links"),
    ("/api/v1/events?f=xml", 400, "f", "json, csv"),
    ("/api/v1/series/nope", 404, None, "ucdp_pace_deaths_best"),
    ("/api/v1/claims/nope", 404, "claim_id", "known claims"),
    ("/api/v1/registry/network?at=yesterday", 400, "at", "YYYY"),
    ("/api/v1/registry/network?at=2009-13", 400, "at", "YYYY"),
    ("/api/v1/registry/ties?at=2023-02-30", 400, "at", "calendar"),
    ("/api/v1/registry/events?start=2024-00", 400, "start", "YYYY"),
    ("/api/v1/registry/ties?actor=nobody", 404, None, None),
    ("/api/v1/nothing", 404, None, "/api/v1"),
]


@pytest.mark.parametrize(("url", "status", "field", "hint"), BAD)
def test_errors_are_json_with_where_and_the_fix(api: TestClient, url: str, status: int,
                                                 field: str | None, hint: str | None) -> None:
    r = api.get(url)
    assert r.status_code == status, r.text
    error = r.json()["error"]
    assert error["status"] == status and error["message"]
    if field:
        assert error["field"] == field
    if hint:
        assert hint in error["hint"]
    assert "Traceback" not in r.text and 'File "' not in r.text


def test_large_answers_are_compressed_when_the_client_accepts(api: TestClient) -> None:
    url = "/api/v1/boundaries/admin1?country=MLI,BFA,NER"
    packed = api.get(url, headers={"Accept-Encoding": "gzip"})
    plain = api.get(url, headers={"Accept-Encoding": "identity"})
    assert packed.headers["content-encoding"] == "gzip"
    assert "content-encoding" not in plain.headers
    assert packed.json() == plain.json()  # httpx decodes; the figures are the same
    assert int(packed.headers["content-length"]) * 3 < len(plain.content)
    assert packed.headers["x-content-type-options"] == "nosniff"


def test_only_reads_are_allowed_and_sizes_are_bounded(api: TestClient) -> None:
    r = api.post("/api/v1/aggregates", content=b"x")
    assert r.status_code == 405 and r.headers["allow"] == "GET, HEAD"
    assert "read-only" in r.json()["error"]["hint"]
    r = api.request("GET", "/api/v1/citations", content=b"x" * 20000)
    assert r.status_code == 413
    r = api.get("/api/v1/aggregates?actor=" + "a" * 9000)
    assert r.status_code == 414
    r = api.get("/api/v1/aggregates?actor=" + "a" * 300)
    assert r.status_code == 400 and r.json()["error"]["field"] == "actor"


def test_a_bug_is_reported_without_its_traceback(api: TestClient, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import sahel.web.api as routes

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret-internal-detail in /srv/path")

    monkeypatch.setenv("SAHEL_HOME", str(tmp_path))
    monkeypatch.setattr(routes, "cite", broken)
    r = api.get("/api/v1/citations?f=csv")  # the test client re-raises nothing: handled
    assert r.status_code == 500
    error = r.json()["error"]
    assert error["type"] == "InternalError" and "bug in sahel" in error["message"]
    assert "Traceback" not in r.text
    crash = list((tmp_path / "logs").glob("crash-*.txt"))
    assert crash and "RuntimeError" in crash[0].read_text()


def test_security_headers_everywhere_and_cors_off(api: TestClient) -> None:
    for url in ("/api/v1", "/api/v1/nothing", "/static/vendor/MANIFEST.json"):
        r = api.get(url, headers={"Origin": "https://elsewhere.example"})
        assert r.headers["x-content-type-options"] == "nosniff", url
        assert "unsafe-inline" not in r.headers["content-security-policy"]
        assert "access-control-allow-origin" not in r.headers, url
        assert "server" not in r.headers


def test_cors_only_for_the_origins_named(web_store: Path, shared_data: Path) -> None:
    from tests.web.api.conftest import client_for

    with client_for(web_store, shared_data,
                    cors_origins=("https://partner.example",)) as client:
        ok = client.get("/api/v1/citations", headers={"Origin": "https://partner.example"})
        assert ok.headers["access-control-allow-origin"] == "https://partner.example"
        other = client.get("/api/v1/citations", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers


def test_the_store_is_opened_read_only_and_left_unchanged(api: TestClient,
                                                          web_store: Path) -> None:
    import duckdb

    obs = api.app.state.observatory  # type: ignore[attr-defined]
    before = web_store.read_bytes()
    for url in ROUTES:
        api.get(url)
    with pytest.raises(duckdb.Error):
        obs.anchor.execute("CREATE TABLE intruder (i INTEGER)")
    assert web_store.read_bytes() == before


def test_openapi_document_lists_every_route(api: TestClient) -> None:
    doc = api.get("/api/v1/openapi.json").json()
    paths = set(doc["paths"])
    for url in ROUTES:
        path = url.split("?")[0].replace("ucdp_pace_deaths_best", "{name}").replace(
            "mali-vac-2023", "{claim_id}")
        assert path in paths, path
    params = {p["name"] for p in doc["paths"]["/api/v1/aggregates"]["get"]["parameters"]}
    assert {"country", "admin1", "bbox", "datetime", "source", "category", "perpetrator",
            "as_of", "limit", "offset", "f"} <= params
