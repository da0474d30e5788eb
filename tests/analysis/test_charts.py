"""charts.draw: PNG and SVG are written, the SVG is byte-stable (golden), fatalities always
carry their band, and the footer names the source and the citation."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sahel.analysis.charts import draw
from sahel.analysis.result import AnalysisResult
from sahel.analysis.sources import compare_sources
from sahel.errors import ConfigError
from sahel.provenance import CITATIONS, Provenance
from sahel.store.filters import Filters

SNAPSHOT = {"snapshot_id": 3, "source": "ucdp_ged", "source_version": "24.1",
            "version_basis": "test", "file_name": "invented.csv", "file_sha256": "0" * 64,
            "ingested_at": "2026-01-01 00:00:00", "mode": "partial"}


def _result(kind: str = "line", **chart: object) -> AnalysisResult:
    """A hand-made result (invented figures) so the golden test needs no store."""
    rows = []
    for year in range(2018, 2024):
        for i, group in enumerate(("jihadist", "state_forces")):
            best = 100 + 40 * (year - 2018) * (i + 1)
            rows.append({"country_iso3": "MLI", "period": year, "group": group,
                         "fatalities_low": best - 20, "fatalities_best": best,
                         "fatalities_high": best + 35})
    hints: dict[str, object] = {"kind": kind, "x": "period", "y": "fatalities_best",
                                "low": "fatalities_low", "high": "fatalities_high",
                                "series": "group", "ylabel": "fatalities"}
    hints.update(chart)
    return AnalysisResult("test_chart", "Invented fatalities by group", pd.DataFrame(rows),
                          Provenance("country=MLI", [SNAPSHOT], [CITATIONS["ucdp_ged"]]),
                          "invented", chart=hints)


def test_png_and_svg_are_written(tmp_path: Path) -> None:
    png = draw(_result(), tmp_path / "chart.png")
    svg = draw(_result(), tmp_path / "sub" / "chart.svg")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
    text = svg.read_text(encoding="utf-8")
    assert text.startswith("<?xml") and "</svg>" in text
    assert "Sundberg &amp; Melander 2013" in text  # the footer's short citation
    assert "snapshot #3 invented.csv" in text and "Invented fatalities by group" in text


def test_svg_golden_text_is_stable_across_runs(tmp_path: Path) -> None:
    first = draw(_result(), tmp_path / "a.svg").read_text(encoding="utf-8")
    second = draw(_result(), tmp_path / "b.svg").read_text(encoding="utf-8")
    assert first == second
    # a fresh interpreter (new hash seed, fresh font cache state) draws the same bytes
    code = ("import sys; sys.path.insert(0, sys.argv[2]); from pathlib import Path; "
            "from test_charts import _result; from sahel.analysis.charts import draw; "
            "draw(_result(), Path(sys.argv[1]))")
    third = tmp_path / "c.svg"
    subprocess.run([sys.executable, "-c", code, str(third), str(Path(__file__).parent)],
                   check=True)
    assert third.read_text(encoding="utf-8") == first
    assert "<dc:date>" not in first


@pytest.mark.parametrize("kind", ["bar", "stacked"])
def test_bar_kinds_draw_with_error_bars(tmp_path: Path, kind: str) -> None:
    out = draw(_result(kind, facet="country_iso3"), tmp_path / f"{kind}.svg")
    assert out.stat().st_size > 5_000


def test_fatalities_without_bounds_are_refused(tmp_path: Path) -> None:
    r = _result()
    r.chart = {"kind": "line", "x": "period", "y": "fatalities_best"}
    inferred = draw(r, tmp_path / "inferred.png")  # bounds found beside the best column
    assert inferred.exists()
    r.table = r.table.drop(columns=["fatalities_low"])
    with pytest.raises(ConfigError, match="low/high"):
        draw(r, tmp_path / "refused.png")


def test_wrong_suffix_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"\.png or \.svg"):
        draw(_result(), tmp_path / "chart.pdf")


@pytest.mark.shared_data
def test_a_real_result_draws_with_its_sources(analysis_store: Path, tmp_path: Path) -> None:
    from datetime import date

    r = compare_sources(Filters(countries=["BFA"], start=date(2018, 1, 1),
                                end=date(2019, 12, 31)), db_path=analysis_store)
    text = draw(r, tmp_path / "sources.svg").read_text(encoding="utf-8")
    assert "Raleigh et al." in text and "Burkina.csv" in text and "snapshot #2" in text
