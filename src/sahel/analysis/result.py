"""What every analysis returns: the numbers, how they were made, their limits, their sources.

Keeping method and limits *in* the result (not only in docs) means every table, chart, JSON
file and report that shows the numbers can also show how far to trust them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sahel.outputs import write_text
from sahel.provenance import Provenance


@dataclass
class AnalysisResult:
    name: str
    title: str
    table: pd.DataFrame
    provenance: Provenance
    method: str
    limits: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: headline numbers (e.g. {"effect_best": -12.3, "p_value": 0.04}); JSON-serialisable
    stats: dict[str, Any] = field(default_factory=dict)
    #: how to draw it: kind ("line"|"bar"|"stacked"), x, y columns, series column, y label
    chart: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        rows = json.loads(self.table.to_json(orient="records", date_format="iso"))
        return {"name": self.name, "title": self.title, "method": self.method,
                "limits": self.limits, "notes": self.notes, "stats": self.stats,
                "provenance": self.provenance.to_dict(), "rows": rows}

    def to_markdown(self, max_rows: int = 60) -> str:
        lines = [f"## {self.title}", "", f"**Method.** {self.method}", ""]
        if self.stats:
            lines += ["| statistic | value |", "|---|---|"]
            lines += [f"| {k} | {_fmt(v)} |" for k, v in self.stats.items()]
            lines.append("")
        shown = self.table.head(max_rows)
        lines += [shown.to_markdown(index=False), ""]
        if self.limits:
            lines += ["**Limits.**", *[f"- {x}" for x in self.limits], ""]
        if self.notes:
            lines += ["**Notes.**", *[f"- {x}" for x in self.notes], ""]
        lines += ["**Sources.**", *[f"- {x}" for x in self.provenance.lines()], ""]
        return "\n".join(lines)

    def write(self, path: Path) -> Path:
        """Write JSON or Markdown by suffix (.json/.md)."""
        text = (json.dumps(self.to_dict(), indent=2, ensure_ascii=False, default=str)
                if path.suffix == ".json" else self.to_markdown())
        return write_text(path, text + "\n")


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:,.3g}" if abs(v) < 1000 else f"{v:,.0f}"
    return str(v)
