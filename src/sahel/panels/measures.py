"""What each measure means, written once as SQL over canonical event columns.

Why one module: "civilian deaths" means something different in UCDP (the ``deaths_civilians``
of every event) and ACLED (the fatalities of civilian-targeting events); panels, claims, the
API and the briefs must all use the same definition, so it exists here only. ``p`` is a column
prefix (``"e."`` for an aliased table, ``""`` for a bare one).
"""

from __future__ import annotations

from typing import Literal

Measure = Literal["events", "fatalities", "civilian_deaths", "admin1_areas"]
BOUNDS: tuple[str, ...] = ("low", "best", "high")

#: per-source meaning of each measure, printed with the figures that use it
DEFINITIONS: dict[str, str] = {
    "events": "events (rows of the source after deduplication)",
    "fatalities": "fatalities low/best/high (ACLED gives one count: low = best = high); events "
                  "that report none add nothing",
    "civilian_deaths": (
        "Civilian deaths, low/best/high, with each source's own definition:\n\n"
        "* UCDP: ``deaths_civilians`` of every event (all violence types). UCDP gives civilian "
        "deaths\n  as a best estimate only; low/high scale it by the event's low/best and "
        "high/best ratios.\n* ACLED: fatalities of civilian-targeting events (ACLED does not "
        "split deaths by status)."),
    "admin1_areas": "distinct admin-1 units (country/admin1 as the source spells them) with at "
                    "least one event located at admin-1 precision or better",
}


def fatalities(bound: str, p: str = "") -> str:
    """The fatality bound of one event (NULL when the source reports none)."""
    return f"{p}fatalities_{bound}"


def civilian_deaths(bound: str, p: str = "") -> str:
    """Civilian deaths of one event at ``bound`` — THE definition per source (see above)."""
    ucdp = f"{p}source LIKE 'ucdp%'"
    if bound == "best":
        value = f"{p}fatalities_civilians"
    else:
        value = (f"round({p}fatalities_civilians * coalesce({p}fatalities_{bound} / "
                 f"nullif({p}fatalities_best, 0), 1))")
    return (f"CASE WHEN {ucdp} THEN {value} WHEN {p}civilian_targeting THEN "
            f"{p}fatalities_{bound} ELSE 0 END")


def aggregate(measure: str, bound: str, p: str = "") -> str:
    """The aggregate expression of ``measure`` at ``bound`` over a group of events."""
    if measure == "events":
        return "count(*)"
    if measure == "fatalities":
        return f"sum({fatalities(bound, p)})"
    if measure == "civilian_deaths":
        return f"sum({civilian_deaths(bound, p)})"
    if measure == "admin1_areas":
        return f"count(DISTINCT {p}country_iso3 || '/' || {p}admin1)"
    raise ValueError(f"unknown measure {measure!r}")


def triple(measure: str, p: str = "") -> str:
    """``low, best, high`` aggregate expressions of ``measure``, comma-separated."""
    return ", ".join(aggregate(measure, b, p) for b in BOUNDS)


#: deaths of one side (UCDP only), scaled to low/high like civilian deaths
SIDE_DEATHS = (
    "Deaths of one side (UCDP ``deaths_a``/``deaths_b``): an event adds the deaths of side_a "
    "(actor1) when actor1's registry group is one of the groups asked, and those of side_b "
    "(actor2) when actor2's is (optionally only in events against given groups). UCDP gives "
    "them as best estimates only; low/high scale them by the event's low/best and high/best "
    "ratios. ACLED does not split deaths by side (NULL: not measured, never zero).")
DEFINITIONS["side_deaths"] = SIDE_DEATHS


def side_deaths(bound: str, p: str, side_a: str, side_b: str) -> str:
    """Deaths of the asked side in one event at ``bound``: ``side_a``/``side_b`` are SQL
    conditions saying whether actor1/actor2 is on that side (no parameters inside). NULL when
    the source gives no deaths per side."""
    value = (f"(CASE WHEN {side_a} THEN {p}fatalities_side_a ELSE 0 END + "
             f"CASE WHEN {side_b} THEN {p}fatalities_side_b ELSE 0 END)")
    if bound == "best":
        return value
    return f"round({value} * coalesce({p}fatalities_{bound} / nullif({p}fatalities_best, 0), 1))"
