"""Query and export through the CLI: filters, formats, provenance, ACLED stays local."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from sahel.cli import app
from sahel.errors import AccessError, ConfigError
from sahel.store.filters import Filters
from sahel.store.ingest import ingest_file
from sahel.store.query import query_events, raw_rows
from tests.acled_fixtures import row, write

runner = CliRunner()


@pytest.fixture()
def store(tmp_path: Path) -> Path:
    db = tmp_path / "s.duckdb"
    write(tmp_path / "acled.csv", [
        row("MLI1", "2022-05-01", 4, actor2="Civilians (Mali)",
            event_type="Violence against civilians", civ="Civilian targeting"),
        row("MLI2", "2023-06-01", 10, actor1="Wagner Group", admin1="Segou"),
        row("NER1", "2023-07-30", 2, country="Niger", iso="562", actor1="Islamic State (Sahel)"),
    ])
    ingest_file(tmp_path / "acled.csv", db_path=db)
    return db


def test_filters_combine(store: Path) -> None:
    df, prov = query_events(Filters(countries=["Mali"], start=None, actor="wagner"), db_path=store)
    assert list(df["event_uid"]) == ["acled:MLI2"]
    assert "country=MLI" in prov.filters and "actor~'wagner'" in prov.filters
    from datetime import date

    df, _ = query_events(Filters(start=date(2023, 1, 1), end=date(2023, 12, 31)), db_path=store)
    assert sorted(df["event_uid"]) == ["acled:MLI2", "acled:NER1"]


def test_unknown_country_is_a_clear_error(store: Path) -> None:
    with pytest.raises(ConfigError) as err:
        query_events(Filters(countries=["Atlantis"]), db_path=store)
    assert err.value.field == "--country"


def test_public_audience_never_returns_acled_rows(store: Path) -> None:
    df, _ = query_events(Filters(), db_path=store, audience="public")
    assert df.empty
    with pytest.raises(AccessError):
        query_events(Filters(sources=["acled"]), db_path=store, audience="public")
    with pytest.raises(AccessError):
        raw_rows("acled:MLI1", db_path=store, audience="public")


def test_raw_rows_are_lossless(store: Path) -> None:
    rows = raw_rows("acled:MLI2", db_path=store)
    assert len(rows) == 1
    assert rows[0]["row"]["actor1"] == "Wagner Group"
    assert rows[0]["row"]["notes"] == "invented fixture event"
    assert rows[0]["current"] is True


def test_cli_events_table_names_source_snapshot_filters(store: Path) -> None:
    res = runner.invoke(app, ["events", "--db", str(store), "--country", "MLI"])
    assert res.exit_code == 0, res.output
    assert "acled:MLI1" in res.output and "acled:NER1" not in res.output
    assert "snapshot 1" in res.output and "filters: country=MLI" in res.output
    assert "cite: Armed Conflict Location" in res.output


def test_cli_events_csv_json_parquet(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "e.csv"
    res = runner.invoke(app, ["events", "--db", str(store), "-f", "csv", "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert len(pd.read_csv(out)) == 3
    side = json.loads((tmp_path / "e.csv.provenance.json").read_text())
    assert side["snapshots"][0]["source"] == "acled"

    res = runner.invoke(app, ["events", "--db", str(store), "-f", "json", "--civilian"])
    doc = json.loads(res.stdout)
    assert [r["event_uid"] for r in doc["rows"]] == ["acled:MLI1"]
    assert "civilian_targeting=True" in doc["provenance"]["filters"]

    pq = tmp_path / "e.parquet"
    res = runner.invoke(app, ["events", "--db", str(store), "-f", "parquet", "-o", str(pq)])
    assert res.exit_code == 0, res.output
    assert len(pd.read_parquet(pq)) == 3


def test_cli_summary_and_snapshots(store: Path) -> None:
    res = runner.invoke(app, ["summary", "--db", str(store), "-f", "json"])
    doc = json.loads(res.stdout)
    by = {(r["country_iso3"], r["year"]): r for r in doc["rows"]}
    assert by[("MLI", 2023)]["fatalities_best"] == 10
    assert by[("MLI", 2022)]["civilian_targeting_events"] == 1
    res = runner.invoke(app, ["snapshots", "--db", str(store), "-f", "json"])
    snap = json.loads(res.stdout)["rows"][0]
    assert (snap["file_name"], snap["source"], snap["events_new"]) == ("acled.csv", "acled", 3)
    res = runner.invoke(app, ["snapshots", "--db", str(store)])
    assert res.exit_code == 0 and "snapshot_id" in res.output


def test_cli_missing_store_says_what_to_run(tmp_path: Path) -> None:
    res = runner.invoke(app, ["summary", "--db", str(tmp_path / "none.duckdb")])
    assert res.exit_code == 4
    assert "sahel build" in res.output
    assert "Traceback" not in res.output


def test_cli_build_from_folder(shared_data: Path, tmp_path: Path) -> None:
    folder = shared_data / "ucdp_ged" / "explorer_export_2025"
    db = tmp_path / "s.duckdb"
    res = runner.invoke(app, ["build", "--from", str(folder), "--db", str(db)])
    assert res.exit_code == 0, res.output
    assert "offline build" in res.output
    assert "skipped" in res.output and "Niger.csv" in res.output  # the damaged export
    assert "MLI" in res.output and "cite: UCDP Georeferenced Event Dataset" in res.output


def test_cli_build_without_network_names_the_option(sahel_home: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAHEL_UCDP_DOWNLOAD_URL", "http://127.0.0.1:9")  # closed port
    res = runner.invoke(app, ["build", "--db", str(sahel_home / "s.duckdb")])
    assert res.exit_code != 0
    assert "--from" in res.output


def test_no_duckdb_progress_bar_on_stdout(store: Path) -> None:
    """DuckDB prints a progress bar to stdout for queries over 2 s, which would land inside CSV
    written to stdout: every connection the package opens turns it off."""
    import duckdb
    import pyarrow as pa

    from sahel.panels.build import _memory
    from sahel.store.db import connect

    def bar(con: duckdb.DuckDBPyConnection) -> bool:
        got = con.execute("SELECT current_setting('enable_progress_bar')").fetchone()
        assert got is not None
        return bool(got[0])

    for read_only in (False, True):
        con = connect(store, read_only=read_only)
        try:
            assert not bar(con)
        finally:
            con.close()
    assert not bar(_memory(pa.table({"x": [1]})))
