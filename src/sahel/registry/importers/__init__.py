"""Importers that turn structured datasets (SIPRI, ATOP, Powell & Thyne) into registry ties.

Imported ties are *generated* data: they are produced on demand from ``../shared/data`` (or
written to a user folder under ``$SAHEL_HOME``), never into the curated ``registry/`` folder.
Each carries its dataset as source and ``origin`` (``sipri``, ``atop``).
"""
