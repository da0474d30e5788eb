"""Claim results as Markdown (for people) and JSON (for machines), numbers on both sides."""

from __future__ import annotations

import json
from typing import Any

from sahel.claims.engine import ClaimResult
from sahel.provenance import CITATIONS


def _fmt(v: Any) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:,.0f}" if abs(v) >= 100 else f"{v:,.2f}".rstrip("0").rstrip(".")
    return str(v)


def _pct(v: Any) -> str:
    return "–" if v is None else f"{v:+.0%}"


def _values(values: dict[str, Any]) -> str:
    parts = []
    for label, v in values.items():
        if isinstance(v, dict) and "best" in v:
            lo, be, hi = v.get("low"), v.get("best"), v.get("high")
            rng = "" if lo == be == hi else f" [{_fmt(lo)}–{_fmt(hi)}]"
            flag = "" if v.get("covered", True) else " (not covered)"
            parts.append(f"{label}: {_fmt(be)}{rng}{flag}")
    return "; ".join(parts)


def _stat(stat: dict[str, Any]) -> str:
    out = []
    for k, v in stat.items():
        if isinstance(v, float) and ("change" in k or "_over_" in k):
            out.append(f"{k} {_pct(v)}")
        elif isinstance(v, list):
            out.append(f"{k}: {', '.join(map(str, v)) or 'none'}")
        else:
            out.append(f"{k} {_fmt(v)}")
    return "; ".join(out)


def to_markdown(results: list[ClaimResult]) -> str:
    lines = ["# Claim check", ""]
    sources: set[str] = set()
    for r in results:
        c = r.claim
        lines += [f"## {c.id} — **{r.verdict}**", "",
                  f"> {c.quote or c.text}", f"> — document {c.document}", "",
                  r.summary + ".", ""]
        if r.closest:
            lines += [f"Closest definition: {r.closest}.", ""]
        if r.needs:
            lines += [f"Data that would settle it: {r.needs}.", ""]
        lines += ["| definition | source | values | result | verdict | coverage |",
                  "|---|---|---|---|---|---|"]
        for e in r.evidence:
            src = f"{e.basis} {', '.join(e.versions)}".strip()
            snaps = f" (snapshots {', '.join(map(str, e.snapshots))})" if e.snapshots else ""
            lines.append(f"| {e.definition} | {src}{snaps} | {_values(e.values)} | "
                         f"{_stat(e.stat)} | {e.verdict} | {e.note} |")
            sources.add(e.basis.split(":")[1] if e.basis.startswith("events:") else e.basis)
        lines += ["", "Filters: " + " · ".join(sorted({e.filters for e in r.evidence})[:3]), ""]
    lines += ["## Sources", ""]
    for key, text in CITATIONS.items():
        if any(key in s for s in sources):
            lines.append(f"- {text}")
    from sahel.series.definitions import DEFINITIONS

    for s in sorted(sources):
        if s.startswith("series:") and s[7:] in DEFINITIONS:
            d = DEFINITIONS[s[7:]]
            lines.append(f"- {s[7:]}: {d.citation} ({d.licence})")
    return "\n".join(lines) + "\n"


def to_json(results: list[ClaimResult]) -> str:
    return json.dumps([r.to_dict() for r in results], indent=2, ensure_ascii=False,
                      default=str)
