"""A measuring session: many figures from one store state, for claims, briefs and the API.

A claim check asks dozens of questions of the store (each definition × period × country);
opening the store and resolving every actor name against the registry once per question would
cost seconds. A :class:`Measurer` opens the store once, at one ``as_of``, resolves the
perpetrator map once, and answers with the same filter, measures, grid and map as the panels.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from types import TracebackType
from typing import Any

import pandas as pd

from sahel.panels import grid, measures, perpetrators
from sahel.provenance import Provenance
from sahel.registry.checked import load_registry
from sahel.registry.load import Registry
from sahel.store.db import check_as_of, connect
from sahel.store.filters import Filters, visible
from sahel.store.query import _provenance


@dataclass
class Total:
    """One measure over a filter: low/best/high, the events behind it, and where they come
    from (snapshots and versions)."""

    low: float | None
    best: float | None
    high: float | None
    events: int
    snapshots: list[int] = field(default_factory=list)
    versions: list[str] = field(default_factory=list)


def _num(v: Any) -> float | None:
    return None if v is None else float(v)


class Measurer:
    """Read-only measurements over the store as it was at ``as_of`` (None: now)."""

    def __init__(self, db_path: Path | None = None, registry_root: Path | None = None,
                 as_of: int | None = None) -> None:
        self.db_path, self.as_of = db_path, as_of
        self.registry_root = registry_root
        self.con = connect(db_path, read_only=True)
        try:
            check_as_of(self.con, as_of)
            where, params = visible(None, as_of)
            self.registry: Registry = load_registry(registry_root)
            mapping, self.registry_note = perpetrators.perpetrator_map(
                perpetrators.names_in(self.con, where, params), registry_root)
            perpetrators.attach(self.con, mapping)
            self.coverage = grid.Coverage(self.con, as_of)
        except BaseException:
            self.con.close()
            raise

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Measurer:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def _body(self, f: Filters, perpetrator: list[str], side: str) -> tuple[str, list[Any]]:
        f = replace(f, as_of=self.as_of).normalised()
        where, params = f.sql("e", self.con)
        if perpetrator:
            cond, extra = perpetrators.in_groups_sql(perpetrator, side)
            where, params = f"{where} AND {cond}", [*params, *extra]
        return f"FROM events e {perpetrators.joins('e.')} WHERE {where}", params

    def total(self, f: Filters, measure: str, *, perpetrator: list[str] | None = None,
              side: str = "any") -> Total:
        """``measure`` (events, fatalities, civilian_deaths, admin1_areas) over ``f``;
        ``perpetrator`` keeps events whose ``side`` (actor1, actor2, any) is in those groups."""
        if measure == "admin1_areas":
            f = replace(f, precision="admin1")
        body, params = self._body(f, perpetrator or [], side)
        row = self.con.execute(f"""
            SELECT count(*), {measures.triple(measure, 'e.')},
                   list(DISTINCT e.snapshot_id ORDER BY e.snapshot_id),
                   list(DISTINCT e.source_version ORDER BY e.source_version)
            {body}
        """, params).fetchone()
        assert row is not None
        n, lo, be, hi, snaps, versions = row
        return Total(_num(lo), _num(be), _num(hi), int(n), list(snaps or []),
                     [str(v) for v in versions or []])

    def split(self, f: Filters, measure: str, by: str, *,
              perpetrator: list[str] | None = None, side: str = "any") -> pd.DataFrame:
        """``measure`` per value of ``by``: ``perpetrator`` (actor1's group), ``country_iso3``,
        ``admin1``, ``year`` or ``month``; columns ``key, events, low, best, high``."""
        keys = {"perpetrator": perpetrators.group_sql("e.", "m1"),
                "country_iso3": "e.country_iso3", "admin1": "e.admin1",
                "year": "CAST(year(e.date_start) AS VARCHAR)",
                "month": "strftime(e.date_start, '%Y-%m')"}
        if by not in keys:
            raise ValueError(f"cannot split by {by!r}")
        if measure == "admin1_areas" or by == "admin1":
            f = replace(f, precision="admin1")
        body, params = self._body(f, perpetrator or [], side)
        return self.con.execute(f"""
            SELECT {keys[by]} AS key, count(*) AS events,
                   {', '.join(f'{measures.aggregate(measure, b, "e.")} AS {b}'
                              for b in measures.BOUNDS)}
            {body} GROUP BY ALL ORDER BY key
        """, params).df()

    def monthly(self, f: Filters, measure: str, *, perpetrator: list[str] | None = None,
                side: str = "any") -> tuple[pd.DataFrame, list[int], list[str]]:
        """Monthly ``country_iso3, month`` (Period), ``low, best, high`` for every month the
        (single) source covers — zeros inside coverage, no row outside — with snapshots and
        versions."""
        assert f.start is not None and f.end is not None and len(f.sources) == 1
        cells = self.coverage.months(f.sources[0], list(f.countries), f.start, f.end)
        body, params = self._body(f, perpetrator or [], side)
        got = self.con.execute(f"""
            SELECT e.country_iso3, strftime(e.date_start, '%Y-%m') AS ym,
                   {measures.triple(measure, 'e.')}
            {body} GROUP BY ALL
        """, params).fetchall()
        found = {(c, ym): (lo, be, hi) for c, ym, lo, be, hi in got}
        rows = [(c, p, *(float(x or 0) for x in found.get((c, str(p)), (0, 0, 0))))
                for c, p in cells]
        meta = self.con.execute(f"""
            SELECT list(DISTINCT e.snapshot_id ORDER BY e.snapshot_id),
                   list(DISTINCT e.source_version ORDER BY e.source_version) {body}
        """, params).fetchone()
        assert meta is not None
        return (pd.DataFrame(rows, columns=["country_iso3", "month", "low", "best", "high"]),
                list(meta[0] or []), [str(v) for v in meta[1] or []])

    def grouped(self, f: Filters, keys: dict[str, str], *,
                perpetrator: list[str] | None = None, side: str = "any") -> pd.DataFrame:
        """Events, fatalities and civilian deaths (low/best/high) per group: ``keys`` maps
        output column names to SQL expressions over ``e`` (the events), ``m1``/``m2`` (the
        perpetrator groups of actor1/actor2). Also ``events_without_fatalities`` (a NULL is
        never read as zero), ``snapshots`` and ``versions``."""
        body, params = self._body(f, perpetrator or [], side)
        cols = [f"{expr} AS {name}" for name, expr in keys.items()]
        cols += ["count(*) AS events",
                 "count(*) FILTER (WHERE e.fatalities_best IS NULL) AS events_without_fatalities"]
        cols += [f"{measures.aggregate(measure, b, 'e.')} AS {measure}_{b}"
                 for measure in ("fatalities", "civilian_deaths") for b in measures.BOUNDS]
        cols += ["list(DISTINCT e.snapshot_id ORDER BY e.snapshot_id) AS snapshots",
                 "list(DISTINCT e.source_version ORDER BY e.source_version) AS versions"]
        order = ", ".join(str(i + 1) for i in range(len(keys)))
        group = f"GROUP BY ALL ORDER BY {order}" if keys else ""
        return self.con.execute(f"SELECT {', '.join(cols)} {body} {group}", params).df()

    def provenance(self, f: Filters) -> Provenance:
        """Snapshots, filters and citations of the events ``f`` selects."""
        f = replace(f, as_of=self.as_of).normalised()
        where, params = f.sql(None, self.con)
        return _provenance(self.con, f, where, params)

    def rows(self, f: Filters, columns: list[str], *, limit: int | None = None,
             offset: int = 0, perpetrator: list[str] | None = None,
             side: str = "any") -> pd.DataFrame:
        """Event rows (local use: rows, not aggregates) with ``perpetrator_1``/``_2``, the
        registry groups of actor1 and actor2, in a stable order (day, then id) so that pages
        (``limit``/``offset``) neither skip nor repeat a row."""
        body, params = self._body(f, perpetrator or [], side)
        cols = ", ".join(f"e.{c}" for c in columns)
        page = ""
        if limit is not None:
            page, params = "LIMIT ? OFFSET ?", [*params, int(limit), int(offset)]
        return self.con.execute(f"""
            SELECT {cols}, {perpetrators.group_sql('e.', 'm1')} AS perpetrator_1,
                   {perpetrators.group_sql('e.', 'm2')} AS perpetrator_2
            {body} ORDER BY e.date_start, e.event_uid {page}
        """, params).df()

    def count(self, f: Filters, *, perpetrator: list[str] | None = None,
              side: str = "any") -> int:
        """How many events ``f`` selects (the total behind a page of :meth:`rows`)."""
        body, params = self._body(f, perpetrator or [], side)
        row = self.con.execute(f"SELECT count(*) {body}", params).fetchone()
        return int(row[0]) if row else 0

    def side_deaths(self, f: Filters, groups: list[str], *,
                    against: list[str] | None = None) -> SideTotal:
        """Deaths of the side(s) in ``groups`` (registry perpetrator groups) over the events of
        ``f`` (:func:`~sahel.panels.measures.side_deaths`): side_a's deaths when actor1 is in
        ``groups``, side_b's when actor2 is — and, with ``against``, only when the other side
        is in ``against``. ``events`` counts the events the side takes part in, ``known`` those
        whose source gives deaths per side (0 for ACLED: then low/best/high are None)."""
        in_a, pa = perpetrators.in_groups_sql(groups, "actor1")
        in_b, pb = perpetrators.in_groups_sql(groups, "actor2")
        params: list[Any] = [*pa, *pb]
        if against:
            vs_b, qb = perpetrators.in_groups_sql(against, "actor2")
            vs_a, qa = perpetrators.in_groups_sql(against, "actor1")
            in_a, in_b = f"({in_a} AND {vs_b})", f"({in_b} AND {vs_a})"
            params = [*pa, *qb, *pb, *qa]
        body, where_params = self._body(f, [], "any")
        cols = ", ".join(f"e.{c}" for c in (
            "fatalities_side_a", "fatalities_side_b", "fatalities_low", "fatalities_best",
            "fatalities_high", "snapshot_id", "source_version"))
        sums = ", ".join(f"sum({measures.side_deaths(b, 'x.', 'x.in_a', 'x.in_b')})"
                         for b in measures.BOUNDS)
        row = self.con.execute(f"""
            WITH x AS (SELECT {cols}, coalesce({in_a}, false) AS in_a,
                              coalesce({in_b}, false) AS in_b {body})
            SELECT count(*),
                   count(*) FILTER (WHERE (x.in_a AND x.fatalities_side_a IS NOT NULL)
                                       OR (x.in_b AND x.fatalities_side_b IS NOT NULL)),
                   {sums},
                   list(DISTINCT x.snapshot_id ORDER BY x.snapshot_id),
                   list(DISTINCT x.source_version ORDER BY x.source_version)
            FROM x WHERE x.in_a OR x.in_b
        """, [*params, *where_params]).fetchone()
        assert row is not None
        n, known, lo, be, hi, snaps, versions = row
        return SideTotal(_num(lo), _num(be), _num(hi), int(n), list(snaps or []),
                         [str(v) for v in versions or []], int(known))


@dataclass
class SideTotal(Total):
    """A :class:`Total` of one side's deaths; ``known``: events whose source gives deaths per
    side (UCDP; ACLED gives none)."""

    known: int = 0
