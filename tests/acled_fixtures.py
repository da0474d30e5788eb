"""Hand-written ACLED-shaped rows (invented events; never rows from real ACLED files)."""

from __future__ import annotations

import csv
from pathlib import Path

HEADER = [
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
    "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2",
    "admin3", "location", "latitude", "longitude", "geo_precision", "source", "source_scale",
    "notes", "fatalities", "tags", "timestamp",
]


def row(eid: str, day: str, fatalities: int, *, event_type: str = "Battles",
        actor1: str = "Military Forces of Mali (2021-)", actor2: str = "JNIM",
        country: str = "Mali", iso: str = "466", civ: str = "", ts: int = 1700000000,
        admin1: str = "Mopti") -> dict[str, str]:
    return {
        "event_id_cnty": eid, "event_date": day, "year": day[:4], "time_precision": "1",
        "disorder_type": "Political violence", "event_type": event_type,
        "sub_event_type": "Armed clash", "actor1": actor1, "assoc_actor_1": "", "inter1": "1",
        "actor2": actor2, "assoc_actor_2": "", "inter2": "2", "interaction": "12",
        "civilian_targeting": civ, "iso": iso, "region": "Western Africa", "country": country,
        "admin1": admin1, "admin2": "Douentza", "admin3": "", "location": "Boni",
        "latitude": "15.05", "longitude": "-1.93", "geo_precision": "1", "source": "Invented",
        "source_scale": "Local", "notes": "invented fixture event", "fatalities": str(fatalities),
        "tags": "", "timestamp": str(ts),
    }


def write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=HEADER)
        w.writeheader()
        w.writerows(rows)
    return path
