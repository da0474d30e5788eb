"""ACLED layouts, every vintage found in the wild (see shared/data README, flag 4).

* ``acled_2023``: 31 columns with ``disorder_type``, ``civilian_targeting``, ``tags`` (acledR, API);
* ``acled_2020``: 31 columns ``data_id … iso3`` (export tool 2019–2022, HDX with its HXL row,
  the semicolon-separated Ghana file, the "9-May-20" global sample);
* ``acled_pre2019``: 30 columns, no ``sub_event_type``, legacy event types;
* ``acled_actor_based``: one row per actor (no ``actor2``), rebuilt into one row per event;
* ``acled_reduced``: 14 columns without ids, actors or coordinates (ids are synthetic);
* ``acled_7col``: id, date, year, type, country, lat, lon (French headers), no fatalities.

ACLED gives a single fatality count, so low = best = high. ``civilian_targeting`` is ACLED's own
field where the vintage has it; older vintages use its documented equivalent: event type
"Violence against civilians", or explosions/remote violence whose target (actor2) is civilians.
"""

from __future__ import annotations

from sahel.events.layouts import Field, Layout
from sahel.events.schema import ACLED_CATEGORY, ACLED_DATE, ACLED_GEO

ACLED_DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d-%b-%y", "%d/%m/%Y", "%d-%B-%Y")

_CIV_FROM_TYPES = (
    "(lower(trim(event_type)) = 'violence against civilians' OR "
    "(lower(trim(event_type)) IN ('explosions/remote violence', 'remote violence') "
    "AND coalesce(actor2, '') LIKE 'Civilians%'))"
)


def _common(*, sub_event: bool = True, actors: bool = True) -> dict[str, Field]:
    fields: dict[str, Field] = {
        "source_id": Field("event_id_cnty", required=True),
        "date_start": Field("event_date", "date", required=True),
        "date_end": Field("event_date", "date"),
        "date_precision": Field("time_precision", "map", ACLED_DATE),
        "country_raw": Field("country", required=True),
        "admin1": Field("admin1"),
        "admin2": Field("admin2"),
        "location": Field("location"),
        "latitude": Field("latitude", "float", bounds=(-90, 90)),
        "longitude": Field("longitude", "float", bounds=(-180, 180)),
        "geo_precision": Field("geo_precision", "map", ACLED_GEO),
        "geo_precision_raw": Field("geo_precision"),
        "category": Field("event_type", "map", ACLED_CATEGORY, required=True),
        "category_raw": Field("event_type"),
        "sub_category_raw": Field("sub_event_type") if sub_event else Field(
            None, "sql", sql="CAST(NULL AS VARCHAR)"
        ),
        "civilian_targeting": Field(None, "sql", sql=_CIV_FROM_TYPES),
        "fatalities_best": Field("fatalities", "int", nonnegative=True),
        "fatalities_low": Field("fatalities", "int", nonnegative=True),
        "fatalities_high": Field("fatalities", "int", nonnegative=True),
    }
    if actors:
        fields |= {
            "actor1_raw": Field("actor1"),
            "actor2_raw": Field("actor2"),
            "assoc_actor1_raw": Field("assoc_actor_1"),
            "assoc_actor2_raw": Field("assoc_actor_2"),
        }
    return fields


ACLED_2023 = Layout(
    name="acled_2023",
    family="acled",
    description="ACLED export/API (2023+ layout with civilian_targeting)",
    signature=frozenset(
        {"event_id_cnty", "event_date", "event_type", "actor1", "civilian_targeting",
         "disorder_type"}
    ),
    fields=_common() | {
        "civilian_targeting": Field(
            None,
            "sql",
            sql="(NULLIF(trim(civilian_targeting), '') IS NOT NULL OR " + _CIV_FROM_TYPES + ")",
        ),
    },
    date_formats=ACLED_DATE_FORMATS,
    id_column="event_id_cnty",
    country_name="country",
    country_code="iso",
)

ACLED_2020 = Layout(
    name="acled_2020",
    family="acled",
    description="ACLED export (2019–2022 layout, data_id … iso3; also HDX files)",
    signature=frozenset(
        {"data_id", "event_id_cnty", "event_date", "event_type", "sub_event_type", "actor1",
         "actor2"}
    ),
    fields=_common(),
    date_formats=ACLED_DATE_FORMATS,
    id_column="event_id_cnty",
    country_name="country",
    country_code="iso",
)

ACLED_PRE2019 = Layout(
    name="acled_pre2019",
    family="acled",
    description="ACLED export (pre-2019 layout, no sub_event_type, legacy event types)",
    signature=frozenset({"data_id", "event_id_cnty", "event_date", "event_type", "actor1", "actor2"}),
    fields=_common(sub_event=False),
    date_formats=ACLED_DATE_FORMATS,
    id_column="event_id_cnty",
    country_name="country",
    country_code="iso",
)

ACLED_ACTOR_BASED = Layout(
    name="acled_actor_based",
    family="acled",
    description="ACLED actor-based export (one row per actor, no actor2 columns)",
    signature=frozenset({"event_id_cnty", "event_date", "event_type", "actor1", "inter1",
                         "interaction"}),
    fields=_common(actors=False) | {
        "actor1_raw": Field("actor1"),
        "assoc_actor1_raw": Field("assoc_actor_1"),
        "_inter": Field("inter1"),
        "_interaction": Field("interaction"),
        "civilian_targeting": Field(
            None, "sql", sql="(lower(trim(event_type)) = 'violence against civilians')"
        ),
    },
    date_formats=ACLED_DATE_FORMATS,
    id_column="event_id_cnty",
    country_name="country",
    country_code="iso",
    one_row_per_actor=True,
)

ACLED_REDUCED = Layout(
    name="acled_reduced",
    family="acled",
    description="ACLED reduced export (14 columns, no event ids, actors or coordinates)",
    signature=frozenset({"event_date", "event_type", "sub_event_type", "interaction",
                         "fatalities", "country", "admin1"}),
    fields={
        k: v
        for k, v in (_common(actors=False) | {
            "source_id": Field(None, "sql", sql="'~' || lower(hex(hash(src)))"),
            "civilian_targeting": Field(
                None, "sql", sql="(lower(trim(event_type)) = 'violence against civilians')"
            ),
        }).items()
        if k not in ("latitude", "longitude", "geo_precision", "geo_precision_raw",
                     "date_precision")
    },
    date_formats=ACLED_DATE_FORMATS,
    id_column=None,
    country_name="country",
    notes="no event ids: synthetic ids cannot be matched with other ACLED files",
)

ACLED_7COL = Layout(
    name="acled_7col",
    family="acled",
    description="ACLED 7-column extract (id, date, annee, type, pays, latitude, longitude)",
    signature=frozenset({"id", "date", "annee", "type", "pays", "latitude", "longitude"}),
    fields={
        "source_id": Field("id", required=True),
        "date_start": Field("date", "date", required=True),
        "date_end": Field("date", "date"),
        "country_raw": Field("pays", required=True),
        "latitude": Field("latitude", "float", bounds=(-90, 90)),
        "longitude": Field("longitude", "float", bounds=(-180, 180)),
        "category": Field("type", "map", ACLED_CATEGORY, required=True),
        "category_raw": Field("type"),
        "civilian_targeting": Field(
            None, "sql", sql="(lower(trim(type)) = 'violence against civilians')"
        ),
    },
    date_formats=ACLED_DATE_FORMATS,
    id_column="id",
    country_name="pays",
    notes="no fatalities, actors or admin units in this extract (NULL, not zero)",
)

LAYOUTS: list[Layout] = [
    ACLED_2023, ACLED_2020, ACLED_PRE2019, ACLED_ACTOR_BASED, ACLED_REDUCED, ACLED_7COL,
]
