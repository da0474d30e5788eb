"""SIPRI Arms Transfers Database → arms-transfer ties, aggregated per supplier–recipient–year.

The trade register (``sipri/sipri_trade_register_all_generated_2026-05-18.csv.gz``) lists one
row per deal: recipient, supplier, year of order, numbers ordered/delivered, weapon designation,
years of delivery and TIV (trend-indicator values, millions). It is ISO-8859-1 text with 11
preamble lines, and three unnamed columns hold the '?' uncertainty markers (data README flag 6).

One tie per (supplier, recipient, year of order): it starts in the order year and ends with the
last delivery year of its deals (or the order year when nothing was delivered yet); attributes
carry the number of deals, the systems and the TIV totals. The source is the register itself.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from sahel.errors import InputError, LayoutError
from sahel.registry.importers.common import ActorResolver, ImportResult
from sahel.registry.load import Registry
from sahel.registry.models import FuzzyDate, Party, Source, Tie, TieAttributes, TieType
from sahel.settings import get_settings

SIPRI_FILE = Path("sipri") / "sipri_trade_register_all_generated_2026-05-18.csv.gz"
SIPRI_CITATION = "SIPRI Arms Transfers Database, trade register (data generated 18 May 2026)"
SIPRI_URL = "https://www.sipri.org/databases/armstransfers"
_COLUMNS = [
    "recipient", "supplier", "order_year", "order_year_uncertain", "number_ordered",
    "number_ordered_uncertain", "designation", "description", "number_delivered",
    "number_delivered_uncertain", "delivery_years", "status", "comments", "tiv_unit",
    "tiv_order", "tiv_delivered",
]
_HEADER_START = "Recipient,Supplier,Year of order"


def read_sipri(path: str | Path | None = None) -> pd.DataFrame:
    """The SIPRI trade register as one row per deal, with our column names."""
    file = Path(path) if path else get_settings().shared_data / SIPRI_FILE
    if not file.is_file():
        raise InputError(
            f"SIPRI trade register not found: {file}",
            file=file,
            hint="pass --file PATH or set SAHEL_SHARED_DATA to the shared data folder",
        )
    opener = gzip.open if file.suffix == ".gz" else open
    with opener(file, "rt", encoding="latin-1") as handle:
        lines = [handle.readline() for _ in range(40)]
    header_at = next((i for i, line in enumerate(lines) if line.startswith(_HEADER_START)),
                     None)
    if header_at is None:
        raise LayoutError(
            f"{file.name}: no SIPRI header line ('{_HEADER_START}...') in the first 40 lines",
            file=file,
            hint="export the trade register from SIPRI as CSV without changing it",
        )
    frame = pd.read_csv(file, encoding="latin-1", skiprows=header_at + 1, header=None,
                        names=_COLUMNS, dtype=str, keep_default_na=False)
    frame["order_year"] = pd.to_numeric(frame["order_year"], errors="coerce").astype("Int64")
    for column in ("number_ordered", "number_delivered", "tiv_unit", "tiv_order",
                   "tiv_delivered"):
        frame[column] = pd.to_numeric(frame[column].replace("", None), errors="coerce")
    bad = frame["order_year"].isna().sum()
    if bad:
        raise LayoutError(f"{file.name}: {bad} deals without a year of order", file=file,
                          hint="check that the file is an unmodified SIPRI trade register")
    return frame


def _last_delivery(text: str) -> int | None:
    years = [int(y) for y in re.findall(r"\b(\d{4})\b", text or "")]
    return max(years) if years else None


def aggregate(deals: pd.DataFrame, recipients: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per supplier, recipient and year of order, with deal counts and TIV totals.

    ``recipients`` filters by SIPRI recipient name (e.g. "Mali", "Cote d'Ivoire").
    """
    frame = deals if recipients is None else deals[deals["recipient"].isin(list(recipients))]
    keys = ["supplier", "recipient", "order_year"]
    frame = frame.assign(
        last_delivery=frame["delivery_years"].map(_last_delivery),
        uncertain=frame["order_year_uncertain"].eq("?"),
    )
    grouped = frame.groupby(keys, as_index=False).agg(
        n_deals=("designation", "size"),
        tiv_order=("tiv_order", "sum"),
        tiv_delivered=("tiv_delivered", "sum"),
        last_delivery=("last_delivery", "max"),
        uncertain=("uncertain", "any"),
    )
    systems = (
        frame[[*keys, "designation"]]
        .drop_duplicates()
        .sort_values("designation")
        .groupby(keys)["designation"]
        .agg("; ".join)
        .reset_index(name="systems")
    )
    grouped = grouped.merge(systems, on=keys, how="left")
    return grouped.sort_values(["recipient", "supplier", "order_year"]).reset_index(drop=True)


def sipri_ties(registry: Registry, table: pd.DataFrame) -> ImportResult:
    """Generated arms-transfer ties (and stub actors) from an aggregated table."""
    resolver = ActorResolver(registry, "sipri")
    ties: list[Tie] = []
    ids: list[str] = []
    for row in table.to_dict("records"):
        supplier = resolver.by_name(str(row["supplier"]))
        recipient = resolver.by_name(str(row["recipient"]))
        year = int(row["order_year"])
        last = None if pd.isna(row["last_delivery"]) else int(row["last_delivery"])
        tie_id = f"sipri-{supplier}-{recipient}-{year}".replace(":", "_")
        ids.append(tie_id)
        ties.append(
            Tie(
                id=tie_id,
                type=TieType.ARMS_TRANSFER,
                label=f"Arms transfers {row['supplier']} → {row['recipient']} ordered in {year}",
                parties=[Party(actor=supplier, role="provider"),
                         Party(actor=recipient, role="recipient")],
                start=FuzzyDate(value=str(year), precision="year",
                                basis="SIPRI year of order", approx=bool(row["uncertain"])),
                end=FuzzyDate(value=str(last), precision="year", basis="last SIPRI delivery year")
                if last is not None and last > year else None,
                attributes=TieAttributes(
                    systems=str(row["systems"]).split("; "),
                    other={
                        "n_deals": int(row["n_deals"]),
                        "tiv_order_m": round(float(row["tiv_order"]), 3),
                        "tiv_delivered_m": round(float(row["tiv_delivered"]), 3),
                    },
                ),
                sources=[Source(citation=SIPRI_CITATION, url=SIPRI_URL,
                                page=f"{row['recipient']}, supplier {row['supplier']}, "
                                     f"order year {year}")],
                origin="sipri",
            )
        )
    out = table.copy()
    out["tie_id"] = ids
    return ImportResult("sipri", ties, list(resolver.stubs.values()), out)


def import_sipri(
    registry: Registry,
    path: str | Path | None = None,
    recipients: Sequence[str] | None = None,
) -> ImportResult:
    """Read, aggregate and convert the SIPRI register (what ``sahel registry import-sipri`` runs)."""
    return sipri_ties(registry, aggregate(read_sipri(path), recipients))
