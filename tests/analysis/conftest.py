"""Shared fixtures for the analysis tests: one DuckDB store built from the real files, once.

``analysis_store`` is session-scoped (building it takes a few seconds) and read-only for tests:
open it with ``db_path=analysis_store``; never ingest into it. The files are ingested in the order
they were published, so the newer ACLED HDX files revise the 2018 export (as in real use), and
events only the older export holds stay current.
"""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from sahel.store.ingest import ingest_file

#: UCDP explorer exports in the store (Niger's is broken upstream: no UCDP Niger events)
UCDP_EXPLORER = ("Mali", "Burkina", "Benin", "Togo", "Cote_ivoire", "Senegal", "Guinne_Bissau")
ACLED_2018 = "acled_export_1900-01-01-2018-11-05-Burkina_Faso-Chad-Mali-Mauritania-Niger.csv"
ACLED_HDX = tuple(f"acled_hdx_conflict_data_{c}_2020-08-26.csv" for c in ("bfa", "mli", "ner"))


def store_files(shared: Path) -> list[Path]:
    """The real files of the analysis store, in ingestion order."""
    files = [shared / "ucdp_ged" / "explorer_export_2025" / f"{n}.csv" for n in UCDP_EXPLORER]
    files.append(shared / "ucdp_ged" / "candidate" / "GEDEvent_v23_0_10.csv")
    files.append(shared / "acled" / ACLED_2018)
    files += [shared / "acled" / name for name in ACLED_HDX]
    return files


@pytest.fixture(scope="session")
def analysis_store(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Path of a DuckDB store holding the real UCDP explorer, candidate and ACLED files."""
    db = tmp_path_factory.mktemp("analysis-store") / "store.duckdb"
    for path in store_files(shared_data):
        ingest_file(path, db_path=db, partial=True)
    return db


def _acled_day(text: str) -> date:
    for fmt in ("%Y-%m-%d", "%d %B %Y"):
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


@pytest.fixture(scope="session")
def acled_current(shared_data: Path) -> list[dict[str, Any]]:
    """ACLED events as the store should hold them, computed with the csv module alone: the
    2018 export, overridden event by event (``event_id_cnty``) by the 2020 HDX files.

    For independent checks only — these rows never leave the test.
    """
    events: dict[str, dict[str, Any]] = {}
    for name in (ACLED_2018, *ACLED_HDX):
        with (shared_data / "acled" / name).open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            for i, row in enumerate(reader):
                if name in ACLED_HDX and i == 0:
                    continue  # the HXL hashtag row
                events[row["event_id_cnty"]] = {
                    "day": _acled_day(row["event_date"]), "country": row["country"],
                    "event_type": row["event_type"], "actor2": row["actor2"],
                    "fatalities": int(row["fatalities"] or 0),
                }
    return list(events.values())
