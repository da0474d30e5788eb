"""Incident: one event as a text reports it ("an attack on X on date D killed N").

Candidates are the events of each definition within ``km`` of the place and ``window_days`` of
the day (``Measurer.rows`` with a radius and a period). The toll is compared with the sum of
the matched events (a source may split one attack into several events, e.g. one per dyad) and
with each of them, at low/best/high, allowing the claim's ``tolerance`` (relative).

When nothing matches, events up to ``search_days`` away at the same place are shown: a match
there is a misdated report (partly supported: place and toll right, day wrong); nothing at all,
where the source covers the place and time, contradicts the report as stated; without coverage
the claim is not testable.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any

import pandas as pd

from sahel.claims.evidence import Store
from sahel.claims.result import (
    CONTRADICTED,
    PARTLY,
    SUPPORTED,
    UNTESTABLE,
    ClaimResult,
    Evidence,
    basis,
    filters_text,
    result,
)
from sahel.claims.shapes import Incident, Place
from sahel.claims.spec import Claim
from sahel.errors import RegistryError
from sahel.events.places import EARTH_RADIUS_KM

COLUMNS = ["event_uid", "date_start", "date_end", "location", "admin1", "latitude",
           "longitude", "category", "actor1_raw", "actor2_raw", "fatalities_low",
           "fatalities_best", "fatalities_high", "snapshot_id", "source_version"]
#: candidate events shown per definition
SHOWN = 5


def km_between(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine), the formula of ``places.haversine_sql``."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def _days_off(day: date, start: date, end: date) -> int:
    """Signed days from the claimed day to the event's span (0 inside it)."""
    if start <= day <= end:
        return 0
    return (start - day).days if start > day else (end - day).days


def where(incident: Incident, store: Store) -> tuple[float, float, str, str | None]:
    """Latitude, longitude, a label, and the country of the incident's place."""
    if incident.place is not None:
        named = store.places.get(incident.place, field="incident.place")
        return named.lat, named.lon, named.name, named.country
    assert incident.lat is not None and incident.lon is not None
    return incident.lat, incident.lon, f"{incident.lat:g},{incident.lon:g}", None


def toll_agrees(toll: int, low: float, high: float, tolerance: float) -> bool:
    return low * (1 - tolerance) <= toll <= high * (1 + tolerance)


def _candidates(frame: pd.DataFrame, lat: float, lon: float, day: date) -> pd.DataFrame:
    if frame.empty:
        return frame.assign(km=[], days=[])
    km = [km_between(lat, lon, a, b) for a, b in zip(frame["latitude"], frame["longitude"],
                                                     strict=True)]
    days = [_days_off(day, pd.Timestamp(s).date(), pd.Timestamp(e).date())
            for s, e in zip(frame["date_start"], frame["date_end"], strict=True)]
    out = frame.assign(km=km, days=days)
    out = out.assign(order=out["days"].abs() * 1000 + out["km"])
    return out.sort_values(["order", "event_uid"]).reset_index(drop=True)


def _bounds(frame: pd.DataFrame) -> dict[str, float]:
    return {b: float(frame[f"fatalities_{b}"].fillna(0).sum()) for b in ("low", "best", "high")}


def _judge(claim: Claim, matched: pd.DataFrame) -> tuple[bool, str]:
    """Does the toll agree with the matched events, summed or one by one?"""
    inc = claim.incident
    assert inc is not None
    if inc.toll is None:
        return True, "no toll claimed"
    total = _bounds(matched)
    if toll_agrees(inc.toll, total["low"], total["high"], claim.tolerance):
        return True, f"toll {inc.toll} within the matched events' sum {total['best']:g} " \
                     f"[{total['low']:g}–{total['high']:g}]"
    for rec in matched.to_dict("records"):
        lo, hi = float(rec["fatalities_low"] or 0), float(rec["fatalities_high"] or 0)
        if toll_agrees(inc.toll, lo, hi, claim.tolerance):
            return True, f"toll {inc.toll} within event {rec['event_uid']} " \
                         f"({rec['fatalities_best']} [{lo:g}–{hi:g}])"
    return False, f"toll {inc.toll} outside the matched events' sum {total['best']:g} " \
                  f"[{total['low']:g}–{total['high']:g}] and each of them"


def _misdated(claim: Claim, found: pd.DataFrame) -> tuple[int, pd.DataFrame, bool, str]:
    """Outside the window: the nearest day whose events agree with the toll (a misdated
    report), else the nearest day at all. (days off, that day's events, agrees, why)"""
    fallback: tuple[int, pd.DataFrame, bool, str] | None = None
    for days in dict.fromkeys(found["days"].tolist()):
        same_day = found[found["days"] == days]
        agrees, why = _judge(claim, same_day)
        if agrees:
            return int(days), same_day, True, why
        if fallback is None:
            fallback = (int(days), same_day, False, why)
    assert fallback is not None
    return fallback


def incident(claim: Claim, store: Store) -> ClaimResult:
    inc = claim.incident
    assert inc is not None
    lat, lon, label, country = where(inc, store)
    countries = claim.countries or ([country] if country else [])
    if not countries:
        raise RegistryError("an incident at coordinates needs countries (for coverage)",
                            file=claim.file, field="countries", hint="add countries: [ISO3]")
    place = Place(near=[lat, lon, inc.km])
    lo_day, hi_day = inc.day - timedelta(days=inc.search_days), \
        inc.day + timedelta(days=inc.search_days)
    rows: list[Evidence] = []
    for d in claim.definitions:
        assert d.source is not None
        covered, note = store.coverage(d.source, countries,
                                       inc.day - timedelta(days=inc.window_days),
                                       inc.day + timedelta(days=inc.window_days))
        frame = store.rows(store.filters(d, countries, lo_day, hi_day, place), COLUMNS)
        found = _candidates(frame, lat, lon, inc.day)
        matched = found[found["days"].abs() <= inc.window_days]
        stat: dict[str, Any] = {"claimed_day": inc.day.isoformat(), "claimed_toll": inc.toll,
                                "matched": matched["event_uid"].tolist()}
        if not matched.empty:
            agrees, why = _judge(claim, matched)
            verdict = SUPPORTED if agrees else PARTLY
            conclusion = ("the event is in the source; " + why)
        elif not found.empty and (covered or _misdated(claim, found)[2]):
            day_off, same_day, agrees, why = _misdated(claim, found)
            verdict = PARTLY if agrees else CONTRADICTED
            stat["nearest"] = same_day["event_uid"].tolist()
            stat["days_off"] = day_off
            first = same_day.iloc[0]
            conclusion = (f"no event within ±{inc.window_days} days; "
                          + ("the nearest with a matching toll" if agrees else "the nearest")
                          + f" at this place is {abs(day_off)} days "
                          f"{'later' if day_off > 0 else 'earlier'} "
                          f"({pd.Timestamp(first['date_start']).date()}): "
                          + ("the report may be misdated; " if agrees else "")
                          + why)
        elif covered:
            verdict = CONTRADICTED
            conclusion = (f"the source covers {', '.join(countries)} then and records no event "
                          f"within {inc.km:g} km and ±{inc.search_days} days: the report, as "
                          "stated, is not corroborated")
        else:
            verdict = UNTESTABLE
            conclusion = "the source does not cover the place and day"
            if not found.empty:
                stat["nearest"] = found.head(1)["event_uid"].tolist()
        values: dict[str, dict[str, float | None]] = {}
        if inc.toll is not None:
            values["claimed"] = {"low": inc.toll, "best": inc.toll, "high": inc.toll}
        for rec in found.head(SHOWN).to_dict("records"):
            key = (f"{pd.Timestamp(rec['date_start']).date()} {rec['location'] or ''} "
                   f"({rec['event_uid']}; {rec['km']:.1f} km, {int(rec['days']):+d} d)")
            values[key] = {b: None if pd.isna(rec[f"fatalities_{b}"])
                           else float(rec[f"fatalities_{b}"]) for b in ("low", "best", "high")}
        rows.append(Evidence(
            definition=d.label, basis=basis(d),
            versions=sorted({str(v) for v in found["source_version"]}),
            snapshots=sorted({int(s) for s in found["snapshot_id"]}),
            filters=filters_text(d, countries, f"{lo_day}..{hi_day}",
                                 f"within {inc.km:g} km of {label}"),
            values=values, stat=stat, covered=verdict != UNTESTABLE,
            note=note if verdict == UNTESTABLE else conclusion, verdict=verdict))
    return result(claim, rows)
