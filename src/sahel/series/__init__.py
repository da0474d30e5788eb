"""Aggregate series where the events run out: UCDP-derived, ViEWS and ACLED country (and
Burkina Faso province) series, stored beside the events as snapshots with their definitions.

Why: event-level data on hand stops in 2023 while questions reach into 2024-2026. These series
answer there, each under its own definition, and say so in the provenance of every figure.
"""

from __future__ import annotations

from sahel.series.definitions import DEFINITIONS, SeriesDefinition
from sahel.series.query import coverage_end, coverage_note, get_series, list_series
from sahel.series.store import SeriesImportResult, import_series, import_shared_series

__all__ = [
    "DEFINITIONS",
    "SeriesDefinition",
    "SeriesImportResult",
    "coverage_end",
    "coverage_note",
    "get_series",
    "import_series",
    "import_shared_series",
    "list_series",
]
