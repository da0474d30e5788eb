"""The canonical event: one table for UCDP and ACLED events, without merging their definitions.

The decision and its reasons are recorded in ``docs/adr/001-canonical-event.md``. In short:

* every source keeps its own meaning: ``category`` is one vocabulary whose values are *distinct per
  source definition* (UCDP ``one_sided`` is not ACLED ``violence_against_civilians``), and the
  source's own label is kept beside it in ``category_raw``/``sub_category_raw``;
* ``civilian_targeting`` is the one deliberately cross-source flag, with a per-source definition
  (UCDP: one-sided violence; ACLED: its ``civilian_targeting`` field, else event type
  "Violence against civilians");
* fatalities are low/best/high everywhere; ACLED gives one count, so low = best = high there;
* the source row is kept losslessly in the archived source file (content-addressed by sha256) and
  every event points to it with ``snapshot_id`` + ``source_id``; ``sahel events --raw`` reads it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

SOURCES: tuple[str, ...] = ("ucdp_ged", "ucdp_candidate", "acled")

#: the first day each source records anything (UCDP GED from 1989, ACLED's African data from
#: 1997): a file that claims to cover earlier days (an ACLED export asked "from 1900") speaks
#: for no day before this one
FIRST_DAY: dict[str, date] = {"ucdp_ged": date(1989, 1, 1), "acled": date(1997, 1, 1)}

#: canonical category -> (source family, definition). Values never shared across sources.
CATEGORIES: dict[str, tuple[str, str]] = {
    "state_based": ("ucdp", "UCDP type_of_violence 1: armed force between two parties, one a state"),
    "non_state": ("ucdp", "UCDP type_of_violence 2: armed force between two organised non-state groups"),
    "one_sided": ("ucdp", "UCDP type_of_violence 3: organised force against civilians"),
    "battle": ("acled", "ACLED Battles (and pre-2019 'Battle-…' types)"),
    "remote_violence": ("acled", "ACLED Explosions/Remote violence (pre-2019 'Remote violence')"),
    "violence_against_civilians": ("acled", "ACLED Violence against civilians"),
    "protest": ("acled", "ACLED Protests"),
    "riot": ("acled", "ACLED Riots (pre-2019 'Riots/Protests' when violent or unknown)"),
    "strategic_development": ("acled", "ACLED Strategic developments and pre-2019 territory/base types"),
}

#: UCDP type_of_violence code -> canonical category
UCDP_CATEGORY: dict[str, str] = {"1": "state_based", "2": "non_state", "3": "one_sided"}

#: ACLED event_type (all vintages, lower-cased) -> canonical category
ACLED_CATEGORY: dict[str, str] = {
    "battles": "battle",
    "battle-no change of territory": "battle",
    "battle-government regains territory": "battle",
    "battle-non-state actor overtakes territory": "battle",
    "explosions/remote violence": "remote_violence",
    "remote violence": "remote_violence",
    "violence against civilians": "violence_against_civilians",
    "protests": "protest",
    "riots": "riot",
    "riots/protests": "riot",
    "strategic developments": "strategic_development",
    "strategic development": "strategic_development",
    "non-violent transfer of territory": "strategic_development",
    "headquarters or base established": "strategic_development",
}

#: ordered from most to least precise; analyses filter with ``geo_rank <= …``
GEO_PRECISION: tuple[str, ...] = (
    "exact", "near", "admin2", "admin1", "region", "country", "international",
)
#: UCDP where_prec 1..7 (codebook) -> canonical
UCDP_GEO: dict[str, str] = {
    "1": "exact", "2": "near", "3": "admin2", "4": "admin1", "5": "region", "6": "country",
    "7": "international",
}
#: ACLED geo_precision 1..3 (codebook: 1 the town, 2 near / part of a region, 3 a larger region,
#: coded at its provincial capital) -> canonical
ACLED_GEO: dict[str, str] = {"1": "exact", "2": "near", "3": "admin1"}

DATE_PRECISION: tuple[str, ...] = ("day", "days", "week", "month", "longer")
#: UCDP date_prec 1..5 -> canonical
UCDP_DATE: dict[str, str] = {"1": "day", "2": "days", "3": "week", "4": "month", "5": "longer"}
#: ACLED time_precision 1..3 -> canonical
ACLED_DATE: dict[str, str] = {"1": "day", "2": "week", "3": "month"}


@dataclass(frozen=True)
class Column:
    name: str
    sql_type: str
    doc: str

    @property
    def display_type(self) -> str:
        """The type as docs show it: generated columns say "(virtual)" instead of their SQL."""
        base = self.sql_type.split(" GENERATED")[0]
        return base + (" (virtual)" if "GENERATED" in self.sql_type else "")


#: The canonical event columns, in table order. ``docs/events-schema.md`` is generated from this.
EVENT_COLUMNS: tuple[Column, ...] = (
    Column("event_uid", "VARCHAR GENERATED ALWAYS AS (source || ':' || source_id) VIRTUAL",
           "source:source_id; stable across snapshots (computed, not stored)"),
    Column("source", "VARCHAR NOT NULL", "ucdp_ged | ucdp_candidate | acled"),
    Column("source_id", "VARCHAR NOT NULL", "the source's event id (`~` prefix: synthetic)"),
    Column("source_version", "VARCHAR NOT NULL", "dataset version, e.g. 24.1, 23.0.10, export date"),
    Column("snapshot_id", "INTEGER NOT NULL", "snapshot that recorded this version of the event"),
    Column("retired_by", "INTEGER", "snapshot that revised or deleted this version (NULL: current)"),
    Column("date_start", "DATE NOT NULL", "first day of the event"),
    Column("date_end", "DATE NOT NULL", "last day (= date_start for ACLED)"),
    Column("year", "INTEGER NOT NULL", "year of date_start"),
    Column("date_precision", "VARCHAR", "day | days | week | month | longer"),
    Column("country_iso3", "VARCHAR NOT NULL", "ISO 3166 alpha-3 of the country of the event"),
    Column("country_raw", "VARCHAR", "the source's country name"),
    Column("admin1", "VARCHAR", "first-order administrative unit, source spelling"),
    Column("admin2", "VARCHAR", "second-order administrative unit, source spelling"),
    Column("location", "VARCHAR", "place name"),
    Column("latitude", "DOUBLE", "WGS84; do not map events whose geo_precision is country"),
    Column("longitude", "DOUBLE", "WGS84"),
    Column("geo_precision", "VARCHAR", "exact | near | admin2 | admin1 | region | country | international"),
    Column("geo_precision_raw", "VARCHAR", "UCDP where_prec / ACLED geo_precision as given"),
    Column("category", "VARCHAR", "canonical category (source-specific values, see CATEGORIES)"),
    Column("category_raw", "VARCHAR", "UCDP type_of_violence / ACLED event_type as given"),
    Column("sub_category_raw", "VARCHAR", "ACLED sub_event_type; UCDP conflict name"),
    Column("civilian_targeting", "BOOLEAN", "UCDP one-sided; ACLED civilian_targeting or VAC"),
    Column("actor1_raw", "VARCHAR", "UCDP side_a / ACLED actor1"),
    Column("actor2_raw", "VARCHAR", "UCDP side_b / ACLED actor2"),
    Column("assoc_actor1_raw", "VARCHAR", "ACLED assoc_actor_1 ('; '-separated)"),
    Column("assoc_actor2_raw", "VARCHAR", "ACLED assoc_actor_2 ('; '-separated)"),
    Column("fatalities_best", "INTEGER", "UCDP best / ACLED fatalities; NULL when not reported"),
    Column("fatalities_low", "INTEGER", "UCDP low / ACLED fatalities"),
    Column("fatalities_high", "INTEGER", "UCDP high / ACLED fatalities"),
    Column("fatalities_civilians", "INTEGER", "UCDP deaths_civilians; NULL for ACLED"),
    Column("row_hash", "UBIGINT GENERATED ALWAYS AS (ROW_HASH) VIRTUAL",
           "hash of the canonical values: a revision is a change of any of them (computed)"),
)

#: the canonical content of an event version; a change in any of these is a revision
HASHED_COLUMNS: tuple[str, ...] = tuple(
    c.name for c in EVENT_COLUMNS
    if c.name not in ("event_uid", "source", "source_version", "snapshot_id", "retired_by",
                      "row_hash"))
ROW_HASH_SQL = "hash(struct_pack(" + ", ".join(f"{c} := {c}" for c in HASHED_COLUMNS) + "))"
#: the table of the first migration (never edited: later columns are added by later migrations)
BASE_EVENT_COLUMNS: tuple[Column, ...] = tuple(
    Column(c.name, c.sql_type.replace("(ROW_HASH)", f"({ROW_HASH_SQL})"), c.doc)
    for c in EVENT_COLUMNS)
#: columns added by migration 4: the deaths of each side (UCDP ``deaths_a``/``deaths_b``), for
#: claims about one side's losses. Outside the row hash: an older store holds NULL in them, and
#: a newer release must not look "revised" for that alone.
ADDED_COLUMNS: tuple[Column, ...] = (
    Column("fatalities_side_a", "INTEGER", "UCDP deaths_a (deaths of side_a, actor1); NULL for "
           "ACLED"),
    Column("fatalities_side_b", "INTEGER", "UCDP deaths_b (deaths of side_b, actor2); NULL for "
           "ACLED"),
)
EVENT_COLUMNS = BASE_EVENT_COLUMNS + ADDED_COLUMNS

EVENT_COLUMN_NAMES: tuple[str, ...] = tuple(c.name for c in EVENT_COLUMNS)
#: the columns an INSERT writes (generated columns are computed by the store)
STORED_COLUMN_NAMES: tuple[str, ...] = tuple(
    c.name for c in EVENT_COLUMNS if "GENERATED" not in c.sql_type)
#: stored column -> its SQL type (without constraints), to give staged rows the stored types
STORED_TYPES: dict[str, str] = {
    c.name: c.sql_type.replace(" NOT NULL", "") for c in EVENT_COLUMNS
    if "GENERATED" not in c.sql_type}
