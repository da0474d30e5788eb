"""Claim results as Markdown (for people) and JSON (for machines), numbers on both sides."""

from __future__ import annotations

import json
from typing import Any

from sahel.claims.kinds.registry_fact import PT_CITATION
from sahel.claims.result import ClaimResult
from sahel.provenance import CITATIONS


def _registry_citations() -> dict[str, str]:
    from sahel.registry.importers.atop import ATOP_CITATION, ATOP_URL
    from sahel.registry.importers.sipri import SIPRI_CITATION, SIPRI_URL

    return {"registry": "Sahel Security Observatory registry (registry/ ties and events, each "
                        "with its own dated sources, listed above)",
            "sipri": f"{SIPRI_CITATION}, {SIPRI_URL}", "atop": f"{ATOP_CITATION}, {ATOP_URL}",
            "powell_thyne": PT_CITATION}


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
        elif isinstance(v, dict) and "summary" in v:  # a registry tie or event
            cited = v.get("sources") or []
            parts.append(f"{label}: {v['summary']}"
                         + (f" (sources: {' / '.join(cited[:2])})" if cited else ""))
    return "; ".join(parts)


def _stat(stat: dict[str, Any]) -> str:
    out = []
    for k, v in stat.items():
        if isinstance(v, float) and ("change" in k or "_over_" in k):
            out.append(f"{k} {_pct(v)}")
        elif isinstance(v, float) and "share" in k:
            out.append(f"{k} {v:.0%}")
        elif isinstance(v, list):
            out.append(f"{k}: {', '.join(map(str, v)) or 'none'}")
        else:
            out.append(f"{k} {_fmt(v)}")
    return "; ".join(out)


def to_markdown(results: list[ClaimResult]) -> str:
    lines = ["# Claim check", ""]
    as_of = {r.as_of for r in results if r.as_of is not None}
    if as_of:
        lines += [f"The event store and series as they were at snapshot "
                  f"{', '.join(map(str, sorted(as_of)))} (`--as-of`); the registry as it is "
                  "now.", ""]
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
        elif s.startswith("registry:") and s[9:] in (cites := _registry_citations()):
            lines.append(f"- {cites[s[9:]]}")
    return "\n".join(lines) + "\n"


def to_json(results: list[ClaimResult]) -> str:
    return json.dumps([r.to_dict() for r in results], indent=2, ensure_ascii=False,
                      default=str)
