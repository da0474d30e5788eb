"""The observatory on the web: a read-only API (``/api/v1``) and the dashboard pages.

The edge for people who will not use a terminal. Like the CLI it is thin: routes parse their
parameters and call one library function each; every figure comes from the measurement layer
(:mod:`sahel.panels`), every answer carries its provenance, every error its hint.
"""
