"""Fixtures for the series tests: one store with every shared series file, and independent
readers of the source files (plain openpyxl / csv / pandas, not the importers' code paths).

Why session scope: parsing the ACLED workbooks with openpyxl is most of the suite's time; the
shared store is built once and only read by the tests that use it.
"""

from __future__ import annotations

import csv
import functools
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from sahel.series import SeriesImportResult, import_shared_series

ACLED_CM_FEB = ("acled/country_aggregates/number_of_political_violence_events_by_country-month-"
                "year_as-of-27Feb2026.xlsx")
ACLED_CM_MAR = ("acled/country_aggregates/number_of_political_violence_events_by_country-month-"
                "year_as-of-Mar2026_coupcats-acled.xlsx")
ACLED_CY_EVENTS = ("acled/country_aggregates/number_of_political_violence_events_by_country-year_"
                   "as-of-06Mar2026.xlsx")
ACLED_CY_FAT = ("acled/country_aggregates/number_of_reported_fatalities_by_country-year_"
                "as-of-06Mar2026.xlsx")
BFA_PV = ("acled/hdx_aggregates/burkina-faso_hrp_political_violence_events_and_fatalities_by_"
          "month-year_as-of-03apr2025.xlsx")
BFA_CIV = ("acled/hdx_aggregates/burkina-faso_hrp_civilian_targeting_events_and_fatalities_by_"
           "month-year_as-of-03apr2025.xlsx")
PACE = "ucdp_ged/derived/pace_Hist_country_month_best_1989-01_2026-05.csv"
VIEWS_DIR = "views/prediction_challenge_actuals"
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]


@functools.lru_cache(maxsize=8)
def xlsx_records(path: Path) -> list[dict[str, Any]]:
    """Rows of the data sheet as dicts, read with openpyxl alone (cached for the session)."""
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    ws = book["Data"] if "Data" in book.sheetnames else book.worksheets[0]
    ws.reset_dimensions()
    rows = list(ws.iter_rows(values_only=True))
    book.close()
    header = [str(h) for h in rows[0]]
    return [dict(zip(header, r, strict=True)) for r in rows[1:]]


@functools.lru_cache(maxsize=2)
def pace_columns(path: Path) -> dict[str, list[tuple[str, int]]]:
    """{column name: [(month-end date, deaths)]} read with the csv module."""
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        out: dict[str, list[tuple[str, int]]] = {h: [] for h in header[1:]}
        for row in reader:
            for name, cell in zip(header[1:], row[1:], strict=True):
                out[name].append((row[0], int(cell)))
    return out


@pytest.fixture(scope="session")
def series_store(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[
        Path, list[SeriesImportResult]]:
    """A store holding every shared series file (read-only for the tests that use it)."""
    db = tmp_path_factory.mktemp("series") / "s.duckdb"
    return db, import_shared_series(shared_data, db)


@pytest.fixture(scope="session")
def results(series_store: tuple[Path, list[SeriesImportResult]]) -> dict[str, SeriesImportResult]:
    """Import results by file name."""
    return {Path(r.file).name: r for r in series_store[1]}


@pytest.fixture(scope="session")
def db(series_store: tuple[Path, list[SeriesImportResult]]) -> Path:
    return series_store[0]
