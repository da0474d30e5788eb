"""Sahel Security Observatory: a sourced registry of security cooperation and a versioned,
harmonised store of conflict events (UCDP, ACLED), joined to measure outcomes."""

__version__ = "0.1.0"
