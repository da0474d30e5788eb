"""Analyses: each a library function returning an :class:`AnalysisResult` (table, method,
limits, provenance) that the CLI renders as a table plus a chart (PNG/SVG)."""

from sahel.analysis.result import AnalysisResult

__all__ = ["AnalysisResult"]
