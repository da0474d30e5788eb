"""One perpetrator map: raw actor names -> registry perpetrator groups, resolved at query time.

Panels split by it, claims filter by it, the spatial analyses mark jihadist events with it.
Names the registry does not know are ``unmapped``, never dropped; an event's perpetrator is the
group of its *acting* side, ``actor1_raw`` (ACLED actor1, UCDP side_a — the government in
state-based conflict, the perpetrator in one-sided violence).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

#: the temp table an attached map is registered under
TABLE = "_perpetrator_map"


def names_in(con: duckdb.DuckDBPyConnection, where: str = "true",
             params: list[object] | None = None) -> list[str]:
    """Every actor1/actor2 name of the events matching ``where`` (over ``events``)."""
    params = params or []
    return [r[0] for r in con.execute(
        f"SELECT DISTINCT actor1_raw FROM events WHERE {where} AND actor1_raw IS NOT NULL "
        f"UNION SELECT DISTINCT actor2_raw FROM events WHERE {where} AND actor2_raw IS NOT NULL "
        "ORDER BY 1", params + params).fetchall()]


def perpetrator_map(names: list[str], registry_root: Path | None = None,
                    ) -> tuple[pd.DataFrame, str]:
    """``raw_name, actor_id, perpetrator_group`` for ``names``, and a note saying where the
    groups came from (the registry is read at query time, never stored with the events)."""
    from sahel.registry.checked import load_registry
    from sahel.registry.link import ActorMatcher

    registry = load_registry(registry_root)
    mapping = ActorMatcher.from_registry(registry).mapping(names, registry)
    note = (f"perpetrator groups from the registry ({len(registry.actors)} actors, "
            f"{len(registry.ties)} ties) resolved at query time")
    return mapping[["raw_name", "actor_id", "perpetrator_group"]], note


def attach(con: duckdb.DuckDBPyConnection, mapping: pd.DataFrame) -> None:
    """Register ``mapping`` on ``con`` as :data:`TABLE` for :func:`joins`."""
    con.register(TABLE, mapping)


def joins(p: str = "e.") -> str:
    """Join clauses giving ``m1.perpetrator_group`` (actor1) and ``m2`` (actor2)."""
    return (f"LEFT JOIN {TABLE} m1 ON m1.raw_name = {p}actor1_raw "
            f"LEFT JOIN {TABLE} m2 ON m2.raw_name = {p}actor2_raw")


def group_sql(p: str = "e.", side: str = "m1") -> str:
    """The perpetrator group of an event's side, ``unmapped`` when unknown or absent."""
    actor = "actor1_raw" if side == "m1" else "actor2_raw"
    return (f"CASE WHEN {p}{actor} IS NULL THEN 'unmapped' "
            f"ELSE coalesce({side}.perpetrator_group, 'unmapped') END")


def in_groups_sql(groups: list[str], side: str = "any") -> tuple[str, list[object]]:
    """Condition: the perpetrator of ``side`` (actor1, actor2 or any) is in ``groups``."""
    one = "list_contains(?, m1.perpetrator_group)"
    if side == "actor1":
        return one, [groups]
    if side == "actor2":
        return "list_contains(?, m2.perpetrator_group)", [groups]
    return f"({one} OR list_contains(?, m2.perpetrator_group))", [groups, groups]
