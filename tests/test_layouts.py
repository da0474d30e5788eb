"""Layout detection and optional columns, on hand-written headers."""

from __future__ import annotations

from pathlib import Path

import pytest

from sahel.errors import LayoutError
from sahel.events.harmonise import ALL_LAYOUTS
from sahel.events.layouts import detect_layout
from sahel.events.ucdp import GED_COLUMNS
from sahel.store.ingest import ingest_file
from tests.acled_fixtures import HEADER, row, write

GED = list(GED_COLUMNS)


@pytest.mark.parametrize(("header", "layout"), [
    (GED, "ucdp_ged_csv"),
    ([c.replace("best", "best_est").replace("high", "high_est").replace("low", "low_est")
      for c in GED if c not in ("gwnoa", "gwnob")], "ucdp_explorer_csv"),
    (HEADER, "acled_2023"),
    (["data_id", "iso", *[c for c in HEADER if c not in ("disorder_type", "civilian_targeting",
                                                         "tags")], "iso3"], "acled_2020"),
    (["data_id", "iso", *[c for c in HEADER if c not in ("disorder_type", "civilian_targeting",
                                                         "tags", "sub_event_type")]],
     "acled_pre2019"),
    (["id", "date", "annee", "type", "pays", "latitude", "longitude"], "acled_7col"),
])
def test_detects_each_layout(header: list[str], layout: str) -> None:
    assert detect_layout(header, ALL_LAYOUTS, file="f.csv").name == layout


def test_unknown_layout_names_the_closest() -> None:
    with pytest.raises(LayoutError) as err:
        detect_layout(["Recipient", "Supplier", "Year of order"], ALL_LAYOUTS, file="f.csv")
    assert err.value.line == 1 and "closest known layout" in (err.value.hint or "")


def test_country_code_column_is_optional(tmp_path: Path) -> None:
    rows = [row("MLI1", "2023-01-01", 2)]
    for r in rows:
        del r["iso"]
    header = [c for c in HEADER if c != "iso"]
    path = tmp_path / "noiso.csv"
    import csv

    with path.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=header)
        w.writeheader()
        w.writerows(rows)
    res = ingest_file(path, db_path=tmp_path / "s.duckdb")
    assert (res.layout, res.rows_loaded) == ("acled_2023", 1)


def test_padded_values_are_trimmed(tmp_path: Path) -> None:
    r = row("MLI1", "2023-01-01", 2)
    r = {k: f"  {v} " if v else v for k, v in r.items()}
    res = ingest_file(write(tmp_path / "pad.csv", [r]), db_path=tmp_path / "s.duckdb")
    assert res.rows_loaded == 1 and res.source_version == "as-of 2023-11-14"
