"""The combined UCDP record (issue 10, point 2): ``ucdp`` is GED where a GED release covers the
country and day, else the candidate releases; each row keeps its own source, version and
snapshot; months no source covers stay unknown (never zero); ``--as-of`` works on the view."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sahel.panels import add_events, add_fatalities, create_country_months
from sahel.panels.summary import summary
from sahel.store.filters import Filters
from sahel.store.ingest import ingest_file
from sahel.store.query import query_events
from tests.hardening.conftest import error_text, run_cli
from tests.test_ingest_errors import ged_row, ged_text


def _day(d: str) -> dict[str, str]:
    return {"date_start": f"{d} 00:00:00.000", "date_end": f"{d} 00:00:00.000",
            "year": d[:4]}


def _file(folder: Path, name: str, rows: list[dict[str, str]]) -> Path:
    path = folder / name
    path.write_text(ged_text(rows), encoding="utf-8")
    return path


@pytest.fixture()
def store(tmp_path: Path) -> dict[str, object]:
    """Candidate months Dec 2024, Jan 2025 and Mar 2025 (February never published), then GED
    25.1 (to the end of 2024), which supersedes the December candidate data."""
    db = tmp_path / "s.duckdb"
    snaps = {}
    snaps["dec"] = ingest_file(_file(tmp_path, "GEDEvent_v24_0_12.csv", [
        ged_row(1, **_day("2024-12-05"), best="7", low="7", high="7"),
        ged_row(2, **_day("2024-12-20"), best="3", low="3", high="3")]), db_path=db).snapshot_id
    snaps["jan"] = ingest_file(_file(tmp_path, "GEDEvent_v25_0_1.csv", [
        ged_row(3, **_day("2025-01-10"), best="5", low="4", high="6")]), db_path=db).snapshot_id
    snaps["mar"] = ingest_file(_file(tmp_path, "GEDEvent_v25_0_3.csv", [
        ged_row(4, **_day("2025-03-02"), best="2", low="2", high="2")]), db_path=db).snapshot_id
    snaps["ged"] = ingest_file(_file(tmp_path, "ged251.csv", [
        ged_row(10, **_day("2024-11-30"), best="1", low="1", high="1"),
        ged_row(11, **_day("2024-12-05"), best="8", low="8", high="9")]), db_path=db,
        source="ucdp_ged", source_version="25.1").snapshot_id
    return {"db": db, **snaps}


def test_the_view_takes_ged_where_it_covers_and_candidate_after(store: dict[str, object]) -> None:
    df, prov = query_events(Filters(sources=["ucdp"], start=pd.Timestamp("2024-11-01").date()),
                            db_path=store["db"])  # type: ignore[arg-type]
    got = list(zip(df["event_uid"], df["source"], df["snapshot_id"], strict=True))
    assert got == [("ucdp_ged:1010", "ucdp_ged", store["ged"]),
                   ("ucdp_ged:1011", "ucdp_ged", store["ged"]),
                   ("ucdp_candidate:1003", "ucdp_candidate", store["jan"]),
                   ("ucdp_candidate:1004", "ucdp_candidate", store["mar"])]
    # the superseded December candidate events left the view, not the store
    parts, _ = query_events(Filters(sources=["ucdp_candidate"]), db_path=store["db"])  # type: ignore[arg-type]
    assert {"ucdp_candidate:1001", "ucdp_candidate:1002"} <= set(parts["event_uid"])
    assert [s["snapshot_id"] for s in prov.snapshots] == sorted(
        [store["jan"], store["mar"], store["ged"]])


def test_as_of_before_the_ged_keeps_the_candidate_months(store: dict[str, object]) -> None:
    df, _ = query_events(Filters(sources=["ucdp"], as_of=store["mar"],  # type: ignore[arg-type]
                                 start=pd.Timestamp("2024-11-01").date()), db_path=store["db"])  # type: ignore[arg-type]
    assert list(df["event_uid"]) == ["ucdp_candidate:1001", "ucdp_candidate:1002",
                                     "ucdp_candidate:1003", "ucdp_candidate:1004"]


def test_a_combined_panel_leaves_the_missing_month_unknown(store: dict[str, object]) -> None:
    f = Filters(sources=["ucdp"], countries=["MLI"], start=pd.Timestamp("2024-11-01").date())
    panel = add_fatalities(add_events(create_country_months(f, db_path=store["db"],  # type: ignore[arg-type]
                                                            with_registry=False)))
    data = panel.data.assign(month=pd.to_datetime(panel.data["month"]).dt.strftime("%Y-%m"))
    rows = {m: (int(e), bool(p), int(b)) for m, e, p, b in zip(
        data["month"], data["events"], data["preliminary"], data["fatalities_best"],
        strict=True)}
    assert set(data["source"]) == {"ucdp"}
    assert rows["2024-11"] == (1, False, 1) and rows["2024-12"] == (1, False, 8)
    assert rows["2025-01"] == (1, True, 5) and rows["2025-03"] == (1, True, 2)
    assert "2025-02" not in rows  # never published: unknown, not zero


def test_summary_and_cli_accept_the_combined_source(store: dict[str, object]) -> None:
    df, _ = summary(Filters(sources=["ucdp"], countries=["MLI"]), db_path=store["db"],  # type: ignore[arg-type]
                    by="month")
    months = set(zip(df["source"], df["month"], strict=True))
    assert {("ucdp_candidate", "2025-01"), ("ucdp_candidate", "2025-03"),
            ("ucdp_ged", "2024-11"), ("ucdp_ged", "2024-12")} <= months
    assert set(df["source"]) == {"ucdp_ged", "ucdp_candidate"}
    assert "2024-12" in set(df[df["source"] == "ucdp_ged"]["month"])
    assert "2024-12" not in set(df[df["source"] == "ucdp_candidate"]["month"])
    out = error_text(run_cli(["events", "-s", "ucdp", "-c", "MLI", "--db", store["db"],
                              "-f", "csv"], ok=True))
    assert "ucdp_candidate:1003" in out and "ucdp_candidate:1001" not in out
    out = error_text(run_cli(["events", "-s", "ucdp", "-s", "ucdp_ged", "--db", store["db"]],
                             ok=False))
    assert "already holds ucdp_ged" in " ".join(out.split())
