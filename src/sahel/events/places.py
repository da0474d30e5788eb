"""Place names and location precision: what every room needs to put an event somewhere.

Why here, in the events room: the one filter (``sahel.store.filters``), the measurement layer
and the spatial analyses must agree on which admin-1 spellings are one unit and which events
may be placed where. Written once, below all of them.
"""

from __future__ import annotations

import math
import re

from sahel.events.countries import normalise

#: geo precisions whose admin-1 name is trusted (coarser events are kept out of admin-1 figures)
ADMIN1_OK: tuple[str, ...] = ("exact", "near", "admin2", "admin1", "region")
#: geo precisions whose coordinates may be drawn or measured as a point (never country level)
POINT_OK: tuple[str, ...] = ("exact", "near", "admin2", "admin1")
#: geo precisions an event may be drawn at as a dot on a map: a point or an admin-2 centre;
#: events known only at admin-1 or country level are shown in their area, never as a dot
MAP_POINT_OK: tuple[str, ...] = ("exact", "near", "admin2")
#: mean Earth radius (IUGG), km
EARTH_RADIUS_KM = 6371.0088

#: words that name the *kind* of unit, not the unit ("Alibori department" is Alibori)
_KIND_WORDS = ("autonomous district", "region", "department", "departement", "province",
               "district", "prefecture", "state", "governorate", "county")
_KIND = re.compile(r"^(?:(?:" + "|".join(_KIND_WORDS) + r")\s+(?:de la|de l|des|du|de|d)\s+)|"
                   r"\s+(?:" + "|".join(_KIND_WORDS) + r")$")
#: spellings that differ between UCDP, ACLED and Natural Earth -> one key (per country)
ALIASES: dict[tuple[str, str], str] = {
    ("BEN", "atakora"): "atacora",
    ("MLI", "tombouctou"): "timbuktu",
    ("NER", "tillabery"): "tillaberi",
    ("TGO", "centre"): "centrale",
    ("BFA", "mou houn"): "mouhoun",
    ("MLI", "koulikouro"): "koulikoro",  # ACLED's spelling in the 2020 exports
}


def admin1_key(name: str | None, country_iso3: str | None = None) -> str:
    """A spelling-independent key for an admin-1 name: lower case, no accents, no kind word.

    ``"Alibori department"``, ``"Alibori"`` and ``"ALIBORI"`` share the key ``"alibori"``;
    hyphens and apostrophes become spaces (``"N'zi-Comoé"`` -> ``"n zi comoe"``).
    """
    if name is None or (isinstance(name, float) and math.isnan(name)):
        return ""
    text = normalise(str(name))
    text = re.sub(r"[-'’_./]", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    text = _KIND.sub("", text).strip()
    return ALIASES.get((country_iso3 or "", text), text)


def haversine_sql(lat: str, lon: str) -> str:
    """Great-circle km from ``(?, ?)`` (two parameters: latitude, longitude) to the columns
    ``lat``/``lon``, as a DuckDB expression."""
    return (f"(2 * {EARTH_RADIUS_KM} * asin(sqrt(pow(sin(radians({lat} - ?) / 2), 2) + "
            f"cos(radians(?)) * cos(radians({lat})) * pow(sin(radians({lon} - ?) / 2), 2))))")
