"""Draw an :class:`AnalysisResult` as a PNG or SVG with matplotlib (Agg; offline, no plotly).

The chart is driven by ``result.chart``, a dict of hints:

``kind``      ``"line"`` | ``"bar"`` | ``"stacked"``
``x``, ``y``  column names (``y`` is the central value, e.g. the best estimate)
``low``, ``high``  columns of the uncertainty bounds: a shaded band on lines, error bars on bars,
              and error bars on the *total* of a stacked bar
``series``    column whose values become the lines / bar colours (optional)
``facet``     column (or list of columns) whose values become one panel each (optional)
``data``      a DataFrame to draw instead of ``result.table`` (e.g. a monthly series)
``xlabel``, ``ylabel``, ``title``; ``vlines`` [{"x", "label"}]; ``shade`` {"from", "to", "label"}

Why the rules: every figure that shows fatalities shows its uncertainty (a y column about
fatalities or deaths without bounds is refused), and every figure carries a footer with the
source versions, snapshots and the short citation, so a PNG cut out of a report still says
where its numbers come from. Output is deterministic (fixed SVG hash salt, no dates in the
metadata) so golden-file tests stay stable; SVG text stays text (searchable, smaller).
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path
from typing import Any

import matplotlib as mpl
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from sahel.analysis.result import AnalysisResult
from sahel.errors import ConfigError
from sahel.outputs import write_file
from sahel.provenance import SHORT_CITATIONS, Provenance

_RC: dict[Any, Any] = {"svg.hashsalt": "sahel-observatory", "svg.fonttype": "none", "font.size": 9,
       "axes.titlesize": 10, "axes.spines.top": False, "axes.spines.right": False}
MAX_FACETS = 12


def draw(result: AnalysisResult, path: Path) -> Path:
    """Write the result's chart to ``path`` (``.png`` or ``.svg``) and return the path."""
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg"):
        raise ConfigError(f"cannot draw a chart as {path.suffix or 'no suffix'}",
                          field="--chart", hint="end the chart file name in .png or .svg")
    hints = dict(result.chart)
    if not hints:
        raise ConfigError(f"the {result.name} result has no chart hints")
    data = hints.get("data")
    df = data if isinstance(data, pd.DataFrame) else result.table
    if df.empty:
        raise ConfigError("nothing to draw: the result's table is empty",
                          hint="widen the filters (countries, period, source); `sahel summary` "
                          "shows what the store holds")
    hints = _with_bounds(hints, df)
    facet = hints.get("facet")
    if isinstance(facet, list | tuple):  # several columns: one panel per combination
        df = df.assign(_facet=df[list(facet)].astype(str).agg(" · ".join, axis=1))
        hints["facet"] = "_facet"
    if hints.get("kind") == "stacked" and not hints.get("series"):
        hints["kind"] = "bar"
    # bars sit at category positions: every panel must use the same categories to share x
    hints["_xs"] = sorted(_x_values(df[hints["x"]]).unique())
    with mpl.rc_context(_RC):
        fig = _figure(result, df, hints)
        meta: dict[str, Any] = ({"Date": None, "Creator": "sahel"} if fmt == "svg"
                                else {"Software": "sahel"})
        FigureCanvasAgg(fig)
        write_file(path, lambda p: fig.savefig(p, format=fmt, metadata=meta, dpi=120),
                   what="chart")
    return path


def _with_bounds(hints: dict[str, Any], df: pd.DataFrame) -> dict[str, Any]:
    """Fatalities are never drawn without their low/high bounds."""
    y = str(hints["y"])
    if hints.get("low") and hints.get("high"):
        missing = [c for c in (hints["low"], hints["high"]) if c not in df.columns]
        if missing:
            raise ConfigError(f"chart bound column(s) {', '.join(missing)} are not in the table")
        return hints
    if any(w in y for w in ("fatal", "death")):
        low, high = y.replace("best", "low"), y.replace("best", "high")
        if low == y or low not in df.columns or high not in df.columns:
            raise ConfigError(f"{y!r} is a fatality figure but the chart has no low/high bounds",
                              hint="give the chart hints low= and high= columns")
        return {**hints, "low": low, "high": high}
    return hints


def _x_values(s: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(s) or pd.api.types.is_numeric_dtype(s):
        return s
    text = s.astype(str)
    if text.str.fullmatch(r"\d{4}-\d{2}(-\d{2})?").all():
        return pd.to_datetime(text)
    if text.str.fullmatch(r"\d{4}").all():
        return text.astype(int)
    return s


def _figure(result: AnalysisResult, df: pd.DataFrame, h: dict[str, Any]) -> Figure:
    facet = h.get("facet")
    facets: list[Any] = sorted(df[facet].unique()) if facet else [None]
    note = ""
    if len(facets) > MAX_FACETS:
        note = f"first {MAX_FACETS} of {len(facets)} panels shown"
        facets = facets[:MAX_FACETS]
    series = h.get("series")
    labels = sorted(str(v) for v in df[series].unique()) if series else [str(h["y"])]
    colours = {lab: f"C{i % 10}" for i, lab in enumerate(labels)}
    ncols = 1 if len(facets) == 1 else 2
    nrows = math.ceil(len(facets) / ncols)
    width = 7.5 if ncols == 1 else 11.0
    footer = _footer(result.provenance, note, int(width * 19))
    height = 3.0 * nrows + 1.2 + 0.13 * (footer.count("\n") + 1)
    fig = Figure(figsize=(width, height), layout="constrained")
    # a row of its own for the legend: outside legends collide with the title and footer
    legend_rows = math.ceil((len(labels) + 1) / 5)
    gs = fig.add_gridspec(nrows + 1, ncols, height_ratios=[0.09 * legend_rows] + [1.0] * nrows)
    axes: list[Any] = []
    for i in range(nrows * ncols):
        share = axes[0] if axes else None
        axes.append(fig.add_subplot(gs[1 + i // ncols, i % ncols], sharex=share))
    for i, value in enumerate(facets):
        ax = axes[i]
        part = df[df[facet] == value] if facet else df
        _panel(ax, part, h, colours)
        if facet:
            ax.set_title(str(value))
        ax.set_ylabel(str(h.get("ylabel", h["y"])) if i % ncols == 0 else "")
        if i + ncols >= len(facets):
            ax.set_xlabel(str(h.get("xlabel", h["x"])))
    for ax in axes[len(facets):]:
        ax.set_visible(False)
    legend: dict[str, Any] = {}
    for ax in axes:
        for handle, name in zip(*ax.get_legend_handles_labels(), strict=True):
            legend.setdefault(name, handle)
    lax = fig.add_subplot(gs[0, :])
    lax.axis("off")
    if legend:
        names = sorted(legend, key=lambda n: (n not in colours, n))
        lax.legend([legend[n] for n in names], names, loc="center", fontsize=7,
                   frameon=False, ncols=min(len(names), 5))
    fig.suptitle("\n".join(textwrap.wrap(str(h.get("title", result.title)), int(width * 11))),
                 fontsize=11)
    # the footer as supxlabel: the layout engine then keeps room for it under the axes
    fig.supxlabel(footer, x=0.01, ha="left", fontsize=6.5, color="0.3")
    return fig


def _panel(ax: Any, df: pd.DataFrame, h: dict[str, Any], colours: dict[str, str]) -> None:
    kind, x, y = h.get("kind", "line"), h["x"], h["y"]
    low, high, series = h.get("low"), h.get("high"), h.get("series")
    df = df.assign(_x=_x_values(df[x])).sort_values("_x")
    groups = ([(str(k), g) for k, g in df.groupby(series, sort=True)] if series
              else [(str(y), df)])
    if kind == "stacked":
        _stacked(ax, df, h, colours)
    elif kind == "bar":
        xs = h["_xs"]
        width = 0.8 / max(len(groups), 1)
        for i, (lab, g) in enumerate(groups):
            pos = [xs.index(v) + (i - (len(groups) - 1) / 2) * width for v in g["_x"]]
            err = None
            if low and high:
                err = [(g[y] - g[low]).clip(lower=0), (g[high] - g[y]).clip(lower=0)]
            ax.bar(pos, g[y], width, yerr=err, color=colours.get(lab), label=lab,
                   error_kw={"elinewidth": 0.8, "capsize": 2})
        ax.set_xticks(range(len(xs)), [str(v) for v in xs], rotation=45, ha="right")
    else:
        for lab, g in groups:
            ax.plot(g["_x"], g[y], color=colours.get(lab), label=lab, linewidth=1.4,
                    marker="o" if len(g) <= 24 else None, markersize=3)
            if low and high:
                ax.fill_between(g["_x"], g[low].astype(float), g[high].astype(float),
                                color=colours.get(lab), alpha=0.2, linewidth=0)
        if pd.api.types.is_integer_dtype(df["_x"]):
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    for line in h.get("vlines", []):
        ax.axvline(line["x"], color="0.2", linestyle="--", linewidth=0.9)
        ax.annotate(str(line.get("label", "")), (line["x"], 1.0), xycoords=("data", "axes fraction"),
                    fontsize=7, ha="left", va="top", xytext=(3, -2), textcoords="offset points")
    shade = h.get("shade")
    if shade:
        ax.axvspan(shade["from"], shade["to"], color="0.85", alpha=0.5, linewidth=0,
                   label=shade.get("label"))
    ax.set_ylim(bottom=min(0.0, float(df[low if low else y].min())))
    ax.grid(axis="y", color="0.92", linewidth=0.6)


def _stacked(ax: Any, df: pd.DataFrame, h: dict[str, Any], colours: dict[str, str]) -> None:
    y, low, high, series = h["y"], h.get("low"), h.get("high"), h.get("series")
    xs = h["_xs"]
    wide = df.pivot_table(index="_x", columns=series, values=y, aggfunc="sum").reindex(xs)
    wide = wide.fillna(0.0)
    bottom = pd.Series(0.0, index=wide.index)
    pos = list(range(len(xs)))
    for lab in sorted(wide.columns, key=str):
        ax.bar(pos, wide[lab].to_numpy(), 0.7, bottom=bottom.to_numpy(),
               color=colours.get(str(lab)), label=str(lab))
        bottom = bottom + wide[lab]
    if low and high:  # error bars on the totals, only where this panel has data
        lo = df.groupby("_x")[low].sum()
        hi = df.groupby("_x")[high].sum()
        tot = bottom.reindex(lo.index)
        ax.errorbar([xs.index(v) for v in lo.index], tot.to_numpy(),
                    yerr=[(tot - lo).clip(lower=0).to_numpy(), (hi - tot).clip(lower=0).to_numpy()],
                    fmt="none", ecolor="0.15", elinewidth=0.9, capsize=3)
    step = max(1, len(xs) // 12)
    ax.set_xticks(pos[::step], [str(v)[:7] for v in xs][::step], rotation=45, ha="right")


def _footer(prov: Provenance, note: str = "", width: int = 150) -> str:
    """Sources (version, snapshots, files) and the short citations, wrapped."""
    by_source: dict[tuple[str, str], list[str]] = {}
    for s in prov.snapshots:
        by_source.setdefault((s["source"], s["source_version"]), []).append(
            f"#{s['snapshot_id']} {s['file_name']}")
    parts = [f"{src} {ver} (snapshot {', '.join(files)})"
             for (src, ver), files in sorted(by_source.items())]
    cites = [SHORT_CITATIONS[src] for src in sorted({s for s, _ in by_source})
             if src in SHORT_CITATIONS]
    text = ("Data: " + "; ".join(parts) if parts else "Data: (no snapshot)") + ". "
    text += ("Cite: " + "; ".join(cites) + ". " if cites else "")
    text += f"Filters: {prov.filters}."
    if note:
        text += f" {note}."
    return "\n".join(textwrap.wrap(text, width))
