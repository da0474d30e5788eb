"""Link event actors (UCDP sides, ACLED actor strings) to registry actors.

Why: analyses group violence by *who* did it (state forces, foreign partners such as Wagner,
jihadist groups, militias, separatists) and by partner. Event datasets only carry names, and
each dataset spells them its own way ("Government of Mali", "Military Forces of Mali (2021-)",
"JNIM: Group for Support of Islam and Muslims"). The registry keeps those exact names as
aliases; :class:`ActorMatcher` resolves a raw name in stages, most certain first:

1. ``exact``: the name is an alias (or the name) of one actor;
2. ``normalised``: equal after casefold / accents / quotes / whitespace normalisation;
3. ``acled_form``: ACLED structure removed — a regime period and unit suffix
   (``"Police Forces of Mali (2021-) Customs"`` → ``"Police Forces of Mali"``) or the
   ``"ACRONYM: Long name"`` form — then stages 1–2 again;
4. ``pattern``: an actor's regular expression (families such as ``Civilians (<country>)``);
5. ``composite``: names joined by ``" and/or "`` (ACLED shared attribution), ``"; "`` or ``", "``
   (UCDP coalition sides) resolve when *every* part resolves; ``match`` then returns the
   first-named part and ``match_all`` all of them.

Coverage is measured per source as the share of events and of fatalities (best) whose primary
actors (actor1 and actor2 where present) all resolve; associated actors are reported apart.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pandas as pd

from sahel.errors import InputError, LayoutError
from sahel.registry.load import Registry
from sahel.registry.names import normalise_name

if TYPE_CHECKING:
    import duckdb

#: The Sahel states of the observatory (G5 Sahel members); the default scope of link reports.
SAHEL_ISO3: tuple[str, ...] = ("MLI", "BFA", "NER", "TCD", "MRT")
#: Coastal West African states the seeds name as exposed to spill-over.
COASTAL_ISO3: tuple[str, ...] = ("BEN", "TGO", "GHA", "CIV", "NGA")

Method = Literal["exact", "normalised", "acled_form", "pattern", "composite", "none"]
_PERIOD = re.compile(r"^(?P<base>.+?)\s*\((?P<period>\d{4}\s*-\s*(?:\d{4})?)\)(?:\s+(?P<unit>.+))?$")
_ACRONYM = re.compile(r"^(?P<short>[^:]{1,25}):\s+(?P<long>.+)$")
_SPLITTERS = (" and/or ", "; ", ", ")
EVENT_COLUMNS = (
    "source",
    "country_iso3",
    "actor1_raw",
    "actor2_raw",
    "assoc_actor1_raw",
    "assoc_actor2_raw",
    "fatalities_best",
)


@dataclass(frozen=True)
class Match:
    """How a raw name resolved: the actor(s) and the stage that found them."""

    name: str
    actor_ids: tuple[str, ...]
    method: Method

    @property
    def actor_id(self) -> str | None:
        return self.actor_ids[0] if self.actor_ids else None


class ActorMatcher:
    """Resolve raw event-actor names to registry actor ids (pure: no I/O, no state)."""

    def __init__(
        self,
        exact: dict[str, str],
        normalised: dict[str, str],
        patterns: Sequence[tuple[re.Pattern[str], str]],
    ) -> None:
        self._exact = exact
        self._normalised = normalised
        self._patterns = list(patterns)
        self._cache: dict[str, Match] = {}

    @classmethod
    def from_registry(cls, registry: Registry) -> ActorMatcher:
        exact: dict[str, str] = {}
        normalised: dict[str, str] = {}
        patterns: list[tuple[re.Pattern[str], str]] = []
        for actor in registry.actors.values():
            for name in [actor.name, *(a.name for a in actor.aliases)]:
                exact.setdefault(name, actor.id)
                normalised.setdefault(normalise_name(name), actor.id)
            patterns.extend((re.compile(p.regex), actor.id) for p in actor.patterns)
        return cls(exact, normalised, patterns)

    def _direct(self, name: str) -> tuple[str | None, Method]:
        if name in self._exact:
            return self._exact[name], "exact"
        found = self._normalised.get(normalise_name(name))
        return (found, "normalised") if found else (None, "none")

    def _acled_form(self, name: str) -> str | None:
        candidates: list[str] = []
        period = _PERIOD.match(name)
        if period:
            # a named unit wins over its parent force: "... (2000-) Wagner Group" is Wagner
            if period.group("unit"):
                candidates.append(period.group("unit"))
            candidates.append(period.group("base"))
        for text in [name, *candidates]:
            acronym = _ACRONYM.match(text)
            if acronym:
                candidates.extend([acronym.group("long"), acronym.group("short")])
        for candidate in candidates:
            found, _ = self._direct(candidate.strip())
            if found:
                return found
        return None

    def _single(self, name: str) -> tuple[str | None, Method]:
        found, method = self._direct(name)
        if found:
            return found, method
        found = self._acled_form(name)
        if found:
            return found, "acled_form"
        for pattern, actor_id in self._patterns:
            if pattern.search(name):
                return actor_id, "pattern"
        return None, "none"

    def explain(self, name: str) -> Match:
        """Resolve ``name`` and say how; unresolved names give ``method='none'``."""
        cached = self._cache.get(name)
        if cached is not None:
            return cached
        text = name.strip()
        found, method = self._single(text) if text else (None, "none")
        result = Match(name, (found,), method) if found else Match(name, (), "none")
        if found is None and text:
            for splitter in _SPLITTERS:
                if splitter in text:
                    parts = [p.strip() for p in text.split(splitter) if p.strip()]
                    ids = [self._single(p)[0] for p in parts]
                    if len(parts) > 1 and all(ids):
                        result = Match(name, tuple(i for i in ids if i), "composite")
                        break
        self._cache[name] = result
        return result

    def match(self, name: str) -> str | None:
        """The registry actor id for a raw name, or None."""
        return self.explain(name).actor_id

    def match_all(self, name: str) -> tuple[str, ...]:
        """Every actor a (possibly composite) raw name stands for."""
        return self.explain(name).actor_ids

    def mapping(self, names: Iterable[str], registry: Registry) -> pd.DataFrame:
        """One row per distinct raw name: actor id, method, kind and perpetrator group.

        Register the result in DuckDB to join event tables on ``actor1_raw``/``actor2_raw``.
        """
        rows = []
        for name in sorted(set(names)):
            found = self.explain(name)
            actor = registry.actors.get(found.actor_id) if found.actor_id else None
            group = actor.group if actor else None
            rows.append(
                {
                    "raw_name": name,
                    "actor_id": found.actor_id,
                    "all_actor_ids": ";".join(found.actor_ids) or None,
                    "method": found.method,
                    "kind": actor.kind.value if actor else None,
                    "perpetrator_group": group.value if group else None,
                }
            )
        return pd.DataFrame(
            rows,
            columns=[
                "raw_name",
                "actor_id",
                "all_actor_ids",
                "method",
                "kind",
                "perpetrator_group",
            ],
        )


def _split_assoc(value: object) -> list[str]:
    if not isinstance(value, str) or not value.strip():
        return []
    return [p.strip() for p in value.split(";") if p.strip()]


def _present(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def coverage(events: pd.DataFrame, matcher: ActorMatcher) -> pd.DataFrame:
    """Share of events and fatalities whose actors resolve, per source.

    ``events`` has the ``events_current`` columns (at least source, actor1_raw, actor2_raw,
    fatalities_best; assoc columns optional) and optionally ``n_events`` when rows are
    pre-aggregated groups. An event is *mapped* when actor1 and (if present) actor2 resolve;
    ``*_all`` shares also require every associated actor to resolve.
    """
    frame = events.copy()
    if "n_events" not in frame.columns:
        frame["n_events"] = 1
    for column in ("assoc_actor1_raw", "assoc_actor2_raw"):
        if column not in frame.columns:
            frame[column] = None

    def ok(name: object) -> bool:
        return not _present(name) or matcher.match(str(name)) is not None

    primary = [
        _present(a1) and ok(a1) and ok(a2)
        for a1, a2 in zip(frame["actor1_raw"], frame["actor2_raw"], strict=True)
    ]
    assoc = [
        all(matcher.match(n) is not None for n in _split_assoc(x1) + _split_assoc(x2))
        for x1, x2 in zip(frame["assoc_actor1_raw"], frame["assoc_actor2_raw"], strict=True)
    ]
    frame["mapped"] = primary
    frame["mapped_all"] = [p and a for p, a in zip(primary, assoc, strict=True)]
    fat = pd.to_numeric(frame["fatalities_best"], errors="coerce").fillna(0)
    frame["fat"] = fat
    out = []
    for source, part in frame.groupby("source", sort=True):
        events_n = int(part["n_events"].sum())
        fat_n = float(part["fat"].sum())
        mapped = part[part["mapped"]]
        mapped_all = part[part["mapped_all"]]
        out.append(
            {
                "source": source,
                "events": events_n,
                "events_mapped": int(mapped["n_events"].sum()),
                "share_events": int(mapped["n_events"].sum()) / events_n if events_n else 0.0,
                "fatalities": fat_n,
                "fatalities_mapped": float(mapped["fat"].sum()),
                "share_fatalities": float(mapped["fat"].sum()) / fat_n if fat_n else 1.0,
                "share_events_all": int(mapped_all["n_events"].sum()) / events_n
                if events_n
                else 0.0,
                "share_fatalities_all": float(mapped_all["fat"].sum()) / fat_n if fat_n else 1.0,
            }
        )
    return pd.DataFrame(out)


def unmapped_names(events: pd.DataFrame, matcher: ActorMatcher, top: int = 25) -> pd.DataFrame:
    """Unresolved primary actor names with event counts and fatalities (an aggregate).

    For curators: the names to add as aliases next. Only names and totals leave this function,
    never event rows (ACLED's terms forbid republishing rows).
    """
    frame = events.copy()
    if "n_events" not in frame.columns:
        frame["n_events"] = 1
    frame["fat"] = pd.to_numeric(frame["fatalities_best"], errors="coerce").fillna(0)
    long = pd.concat(
        [
            frame[["source", column, "n_events", "fat"]].rename(columns={column: "raw_name"})
            for column in ("actor1_raw", "actor2_raw")
        ]
    )
    long = long[long["raw_name"].map(_present)]
    long = long[long["raw_name"].map(lambda n: matcher.match(str(n)) is None)]
    grouped = long.groupby(["source", "raw_name"], as_index=False)[["n_events", "fat"]].sum()
    grouped = grouped.rename(columns={"n_events": "events", "fat": "fatalities"})
    return grouped.sort_values(["fatalities", "events"], ascending=False).head(top)


def link_report(
    con: duckdb.DuckDBPyConnection | pd.DataFrame,
    registry: Registry,
    countries: Sequence[str] | None = SAHEL_ISO3,
) -> pd.DataFrame:
    """Per source, the share of events and of fatalities (best) whose actors are mapped.

    ``con`` is a DuckDB connection holding the ``events_current`` view of the event store, or a
    DataFrame with the same columns (e.g. from :func:`read_event_file`). With DuckDB the events
    are first grouped by their actor columns in SQL, so only distinct name combinations reach
    Python. ``countries=None`` takes every country.
    """
    matcher = ActorMatcher.from_registry(registry)
    if isinstance(con, pd.DataFrame):
        frame = con
        if countries is not None:
            frame = frame[frame["country_iso3"].isin(list(countries))]
        return coverage(frame, matcher)
    where = ""
    params: list[object] = []
    if countries is not None:
        where = "WHERE country_iso3 IN (SELECT unnest(?))"
        params.append(list(countries))
    sql = f"""
        SELECT source, actor1_raw, actor2_raw, assoc_actor1_raw, assoc_actor2_raw,
               count(*) AS n_events, sum(coalesce(fatalities_best, 0)) AS fatalities_best
        FROM events_current {where}
        GROUP BY ALL
    """
    grouped = con.execute(sql, params).df()
    return coverage(grouped, matcher)


# --- reading event files directly (tests and offline reports; the store is the main path) ------

_UCDP_COUNTRY = {"Ivory Coast": "CIV"}


def _iso3(name: str) -> str | None:
    import pycountry

    if name in _UCDP_COUNTRY:
        return _UCDP_COUNTRY[name]
    try:
        return str(pycountry.countries.lookup(name).alpha_3)
    except LookupError:
        try:
            return str(pycountry.countries.search_fuzzy(name)[0].alpha_3)
        except LookupError:
            return None


def read_event_file(path: str | Path) -> pd.DataFrame:
    """Read a UCDP GED/explorer CSV or an ACLED CSV into the ``events_current`` actor columns.

    A minimal reader so that link coverage can be measured on files before (or without) the
    event store: it keeps only the columns :func:`coverage` needs. It recognises the UCDP
    explorer layout (trailing comma, ``best_est``), the standard GED layout (``best``), and ACLED
    exports (comma or semicolon separated, with or without the HDX hashtag row).
    """
    file = Path(path)
    try:
        with file.open(encoding="utf-8", errors="replace") as handle:
            head = handle.readline()
    except OSError as exc:
        raise InputError(f"cannot read {file}: {exc}", file=file) from exc
    sep = ";" if head.count(";") > head.count(",") else ","
    columns = [c.strip().strip('"') for c in head.strip().split(sep)]
    if "side_a" in columns:
        frame = pd.read_csv(file, index_col=False, low_memory=False)
        best = "best_est" if "best_est" in frame.columns else "best"
        iso = {name: _iso3(str(name)) for name in frame["country"].dropna().unique()}
        return pd.DataFrame(
            {
                "source": "ucdp_ged",
                "country_iso3": frame["country"].map(iso),
                "actor1_raw": frame["side_a"],
                "actor2_raw": frame["side_b"],
                "assoc_actor1_raw": None,
                "assoc_actor2_raw": None,
                "fatalities_best": frame[best],
            }
        )
    if "actor1" in columns:
        frame = pd.read_csv(file, sep=sep, low_memory=False, dtype=str)
        if len(frame) and str(frame.iloc[0].get("actor1", "")).startswith("#"):
            frame = frame.iloc[1:]
        if "country" in frame.columns:
            iso = {name: _iso3(str(name)) for name in frame["country"].dropna().unique()}
            countries: pd.Series | None = frame["country"].map(iso)
        else:
            countries = frame["iso3"] if "iso3" in frame.columns else None
        return pd.DataFrame(
            {
                "source": "acled",
                "country_iso3": countries,
                "actor1_raw": frame["actor1"],
                "actor2_raw": frame.get("actor2"),
                "assoc_actor1_raw": frame.get("assoc_actor_1"),
                "assoc_actor2_raw": frame.get("assoc_actor_2"),
                "fatalities_best": pd.to_numeric(frame["fatalities"], errors="coerce"),
            }
        )
    raise LayoutError(
        f"{file.name} is neither a UCDP GED nor an ACLED event file",
        file=file,
        line=1,
        hint="pass a UCDP GED/explorer CSV (side_a, side_b) or an ACLED export (actor1, actor2)",
    )


def link_report_from_files(
    paths: Sequence[str | Path],
    registry: Registry,
    countries: Sequence[str] | None = SAHEL_ISO3,
) -> pd.DataFrame:
    """:func:`link_report` on event files read with :func:`read_event_file` (one row per file)."""
    frames = []
    for path in paths:
        frame = read_event_file(path)
        frame["source"] = frame["source"] + ":" + Path(path).name
        frames.append(frame)
    if not frames:
        raise InputError("no event files given", hint="pass one or more CSV paths")
    return link_report(pd.concat(frames, ignore_index=True), registry, countries)
