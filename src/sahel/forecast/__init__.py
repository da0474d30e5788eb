"""Probabilistic violence forecasts (issue 12): sample-based predictive distributions per
country-month, scored as the ViEWS 2023/24 prediction challenge scores them, beside its
benchmarks. See docs/adr/005-forecasts.md."""
