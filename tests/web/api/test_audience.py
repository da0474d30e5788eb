"""ACLED's terms on the web: event rows for the local user only; a public server serves
aggregates and says why it lists no ACLED rows."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from sahel.web.serve import is_loopback, serve_config

pytestmark = pytest.mark.shared_data


def test_the_local_user_may_list_acled_rows(api: TestClient) -> None:
    body = api.get("/api/v1/events?source=acled&country=BFA&limit=5").json()
    assert body["total"] > 1000 and {e["source"] for e in body["data"]} == {"acled"}
    assert body["provenance"]["audience"] == "local"
    mixed = api.get("/api/v1/events?country=BFA&start=2018&end=2018&limit=10000").json()
    assert "acled" in {e["source"] for e in mixed["data"]}


@pytest.mark.parametrize("url", [
    "/api/v1/events?source=acled",
    "/api/v1/events?source=acled&country=MLI&f=csv",
    "/api/v1/events?source=acled&f=geojson",
    "/api/v1/events?source=acled&f=parquet",
])
def test_a_public_server_refuses_acled_rows_and_says_why(public_api: TestClient,
                                                         url: str) -> None:
    r = public_api.get(url)
    assert r.status_code == 403
    error = r.json()["error"]
    assert error["type"] == "AccessError" and "ACLED" in error["message"]
    assert "aggregates" in error["hint"] and "127.0.0.1" in error["hint"]


def test_a_public_server_lists_other_rows_and_every_aggregate(public_api: TestClient,
                                                              api: TestClient) -> None:
    body = public_api.get("/api/v1/events?country=BFA&start=2018&end=2018&limit=10000").json()
    assert body["data"] and "acled" not in {e["source"] for e in body["data"]}
    assert any("ACLED rows are not listed" in n for n in body["notes"])
    assert body["provenance"]["audience"] == "public"
    index = public_api.get("/api/v1").json()
    assert index["public"] is True and "aggregates only" in index["acled_rows"]
    url = "/api/v1/aggregates?source=acled&country=BFA&period=year"
    assert public_api.get(url).json()["data"] == api.get(url).json()["data"]


def test_only_loopback_is_local() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert is_loopback("127.3.2.1") and is_loopback("[::1]")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")
    assert not is_loopback("example.org") and not is_loopback("::")


def test_binding_a_public_address_needs_public(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from sahel.errors import ConfigError

    db = tmp_path / "s.duckdb"
    db.write_bytes(b"")
    with pytest.raises(ConfigError) as err:
        serve_config(db, host="0.0.0.0")
    assert err.value.field == "--host" and "--public" in (err.value.hint or "")
    assert serve_config(db, host="0.0.0.0", public=True).public
    assert serve_config(db, public=True).public  # a loopback preview of the public view
    assert not serve_config(db).public


@pytest.mark.parametrize("header", ["X-Forwarded-For", "Forwarded", "X-Real-IP"])
def test_a_request_relayed_by_a_proxy_is_public_even_on_loopback(api: TestClient,
                                                                 header: str) -> None:
    url = "/api/v1/events?source=acled&country=BFA&limit=5"
    assert api.get(url).status_code == 200  # cached for the local user...
    relayed = api.get(url, headers={header: "203.0.113.7"})
    assert relayed.status_code == 403  # ...never served from that cache to the public
    mixed = api.get("/api/v1/events?country=BFA&start=2018&end=2018&limit=10000",
                    headers={header: "203.0.113.7"}).json()
    assert "acled" not in {e["source"] for e in mixed["data"]}
