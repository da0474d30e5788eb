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
