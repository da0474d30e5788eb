"""UCDP GED layouts: the yearly/candidate 49-column CSV and the web explorer's 47-column export,
and two spreadsheet layouts for the explorer export re-saved (``;``, 47 columns) or partly
repaired (30 columns, e.g. an .xlsx): the repaired Niger files (``sahel.events.sheet``).

Differences handled here (see shared/data README, flags 1–3):
* explorer exports name fatalities ``best_est/high_est/low_est``, lack ``gwnoa/gwnob``, end every
  row with a trailing comma (DuckDB drops the empty 48th field) and write dates ``MM/DD/YYYY``;
* the official CSVs write ``YYYY-MM-DD 00:00:00.000`` and ``active_year`` as true/false or 1/0.
Version numbers follow UCDP: GED ``25.1`` (yearly), candidate ``25.0.3`` (monthly).
"""

from __future__ import annotations

import re
from pathlib import Path

from sahel.errors import ConfigError
from sahel.events import sheet
from sahel.events.layouts import REPAIRED, RESAVED, Field, Layout
from sahel.events.schema import UCDP_CATEGORY, UCDP_DATE, UCDP_GEO

# official CSV, explorer export, and the API's ISO datetimes
UCDP_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S.%g", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%m/%d/%Y %H:%M:%S",
                     "%m/%d/%Y", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S.%g")

GED_COLUMNS: tuple[str, ...] = (
    "id", "relid", "year", "active_year", "code_status", "type_of_violence", "conflict_dset_id",
    "conflict_new_id", "conflict_name", "dyad_dset_id", "dyad_new_id", "dyad_name",
    "side_a_dset_id", "side_a_new_id", "side_a", "side_b_dset_id", "side_b_new_id", "side_b",
    "number_of_sources", "source_article", "source_office", "source_date", "source_headline",
    "source_original", "where_prec", "where_coordinates", "where_description", "adm_1", "adm_2",
    "latitude", "longitude", "geom_wkt", "priogrid_gid", "country", "country_id", "region",
    "event_clarity", "date_prec", "date_start", "date_end", "deaths_a", "deaths_b",
    "deaths_civilians", "deaths_unknown", "best", "high", "low", "gwnoa", "gwnob",
)


def _ucdp_fields(best: str, low: str, high: str) -> dict[str, Field]:
    return {
        "source_id": Field("id", required=True, positive_id=True),
        "date_start": Field("date_start", "date", required=True),
        "date_end": Field("date_end", "date"),
        "date_precision": Field("date_prec", "map", UCDP_DATE),
        "country_raw": Field("country", required=True),
        "admin1": Field("adm_1"),
        "admin2": Field("adm_2"),
        "location": Field("where_coordinates"),
        "latitude": Field("latitude", "float", bounds=(-90, 90)),
        "longitude": Field("longitude", "float", bounds=(-180, 180)),
        "geo_precision": Field("where_prec", "map", UCDP_GEO),
        "geo_precision_raw": Field("where_prec"),
        "category": Field("type_of_violence", "map", UCDP_CATEGORY, required=True),
        "category_raw": Field("type_of_violence"),
        "sub_category_raw": Field("conflict_name"),
        "civilian_targeting": Field(
            None, "sql", sql="(NULLIF(trim(type_of_violence), '') = '3')"
        ),
        "actor1_raw": Field("side_a"),
        "actor2_raw": Field("side_b"),
        "assoc_actor1_raw": Field(None, "sql", sql="CAST(NULL AS VARCHAR)"),
        "assoc_actor2_raw": Field(None, "sql", sql="CAST(NULL AS VARCHAR)"),
        "fatalities_best": Field(best, "int", required=True, nonnegative=True),
        "fatalities_low": Field(low, "int", nonnegative=True),
        "fatalities_high": Field(high, "int", nonnegative=True),
        "fatalities_civilians": Field("deaths_civilians", "int", nonnegative=True),
        "fatalities_side_a": Field("deaths_a", "int", nonnegative=True),
        "fatalities_side_b": Field("deaths_b", "int", nonnegative=True),
    }


GED_STANDARD = Layout(
    name="ucdp_ged_csv",
    family="ucdp",
    description="UCDP GED / candidate CSV (standard 49 columns)",
    signature=frozenset({"id", "type_of_violence", "side_a", "best", "low", "high", "date_start"}),
    fields=_ucdp_fields("best", "low", "high"),
    date_formats=UCDP_DATE_FORMATS,
    id_column="id",
    country_name="country",
)

GED_EXPLORER = Layout(
    name="ucdp_explorer_csv",
    family="ucdp",
    description="UCDP web explorer export (47 columns, best_est/low_est/high_est)",
    signature=frozenset({"id", "type_of_violence", "side_a", "best_est", "low_est", "high_est"}),
    fields=_ucdp_fields("best_est", "low_est", "high_est"),
    date_formats=UCDP_DATE_FORMATS,
    id_column="id",
    country_name="country",
)


def _sheet_fields(fields: dict[str, Field], *, one_country: bool) -> dict[str, Field]:
    """The explorer's fields as a spreadsheet wrote them back (:mod:`sahel.events.sheet`): each
    date's year must be the row's ``year``; with ``one_country``, a row naming another country
    than the file's is refused as shifted (checked first: it explains the row's other errors)."""
    out = dict(fields)
    for name in ("date_start", "date_end"):
        f = out[name]
        out[name] = Field(f.column, "date", required=f.required, year_column="year")
    out["civilian_targeting"] = Field(
        None, "sql", sql=f"({sheet.code_text('type_of_violence')} = '3')")
    if one_country:
        shifted = Field("country", required=True, one_per_file=True)
        out = {"country_raw": shifted, **{k: v for k, v in out.items() if k != "country_raw"}}
    return out


_NULL = Field(None, "sql", sql="CAST(NULL AS VARCHAR)")

GED_SHEET = Layout(
    name="ucdp_explorer_sheet",
    family="ucdp",
    description="UCDP web explorer export re-saved by a spreadsheet (';'-separated, 47 columns)",
    signature=GED_EXPLORER.signature,
    fields=_sheet_fields(GED_EXPLORER.fields, one_country=True),
    date_formats=(),
    id_column="id",
    country_name="country",
    fidelity=RESAVED,
    notes="spreadsheet re-save of a UCDP explorer export (forms read: docs/data-sources.md)",
)

GED_REPAIR = Layout(
    name="ucdp_explorer_repair",
    family="ucdp",
    description="repaired UCDP explorer export (30 of its 47 columns: no sides, sources, admin "
                "units or where_*), e.g. an .xlsx",
    signature=frozenset({"id", "relid", "year", "type_of_violence", "dyad_name", "date_start",
                         "best_est", "low_est", "high_est"}),
    fields=_sheet_fields({
        **GED_EXPLORER.fields,
        "admin1": _NULL, "admin2": _NULL, "location": _NULL, "geo_precision": _NULL,
        "geo_precision_raw": _NULL, "actor1_raw": _NULL, "actor2_raw": _NULL,
    }, one_country=False),
    date_formats=(),
    id_column="id",
    country_name="country",
    fidelity=REPAIRED,
    notes="partial repair of a UCDP explorer export: no actors, admin units or where_prec; "
          "adds only events the store lacks",
)

LAYOUTS: list[Layout] = [GED_STANDARD, GED_EXPLORER, GED_SHEET, GED_REPAIR]
#: layouts of explorer exports, which carry no version (dated by their last event's year)
UNVERSIONED: frozenset[str] = frozenset({GED_EXPLORER.name, GED_SHEET.name, GED_REPAIR.name})

_GED_VERSION = re.compile(r"^\d{2}\.\d$")
_CANDIDATE_VERSION = re.compile(r"^\d{2}\.0\.\d{1,2}$|^\d{2}\.01\.\d{2}\.\d{2}$")


def source_and_version_from_name(name: str) -> tuple[str | None, str | None]:
    """Infer (source, version) from an official UCDP file name, or (None, None).

    ``ged251-csv.zip`` -> ("ucdp_ged", "25.1"); ``GEDEvent_v23_0_10.csv`` ->
    ("ucdp_candidate", "23.0.10"); ``GEDEvent_v25_01_25_12.csv`` (quarterly) ->
    ("ucdp_candidate", "25.01.25.12"); ``..._ucdpged_v23_1_...`` -> ("ucdp_ged", "23.1").
    """
    base = Path(name).name
    m = re.search(r"GEDEvent_v(\d{2})_01_(\d{2})_(\d{2})", base)
    if m:
        return "ucdp_candidate", f"{m.group(1)}.01.{m.group(2)}.{m.group(3)}"
    m = re.search(r"GEDEvent_v(\d{2})_0_(\d{1,2})", base)
    if m:
        return "ucdp_candidate", f"{m.group(1)}.0.{int(m.group(2))}"
    m = re.search(r"(?i)ged(\d{2})(\d)(?:[-_.]|$)", base)
    if m:
        return "ucdp_ged", f"{m.group(1)}.{m.group(2)}"
    m = re.search(r"(?i)ged[a-z_]*v(\d{2})[._](\d)(?:[._-]|$)", base)
    if m:
        return "ucdp_ged", f"{m.group(1)}.{m.group(2)}"
    return None, None


def ged_version_covering(last_year: int) -> str:
    """GED release whose last year is ``last_year`` (GED yy.1 covers events to 20(yy-1))."""
    return f"{(last_year + 1) % 100:02d}.1"


def check_version(source: str, version: str) -> str:
    """Accept UCDP's forms, and ``>=NN.1`` (a lower bound, for exports that carry no version)."""
    pattern = _CANDIDATE_VERSION if source == "ucdp_candidate" else _GED_VERSION
    bare = version[2:] if version.startswith(">=") and source == "ucdp_ged" else version
    if not pattern.match(bare):
        example = "25.0.3" if source == "ucdp_candidate" else "25.1"
        raise ConfigError(
            f"'{version}' is not a {source} version",
            field="--source-version",
            hint=f"write it as UCDP does, e.g. {example}",
        )
    return version
