"""``sahel claims new``: state a claim from flags, without reading the engine.

The flags become a spec (the same pydantic :class:`~sahel.claims.spec.Claim` every spec is read
with), which is validated, written to ``<claims folder>/<id>.yaml`` (never over an existing
file or id), and checked against the store: for each definition and period, can the store (or
the series) measure it now, and if not, what is missing.

Compound flags take ``key=value`` pairs separated by ``;`` (lists comma-separated)::

    --definition "label=UCDP one-sided deaths; source=ucdp_ged; categories=one_sided;
                  measure=fatalities"
    --place "Alibori: admin1=Alibori"            --place "Kidal area: near_place=kidal:50"
    --incident "day=2023-12-17; place=djibo; toll=40; km=25"
    --tie "types=drones,basing; provider=usa; recipient=ner; active_on=2024-01-01"
    --event "types=coup; country=NER; start=2023-07-01; end=2023-07-31"
    --rank "by=country_iso3; subject=BFA; among=MLI,BFA,NER"
"""

from __future__ import annotations

import re
import types
import typing
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from pydantic import BaseModel, ValidationError

from sahel.claims.shapes import EventFact, Incident, Place, Rank, TieFact
from sahel.claims.spec import EXPECTS, Claim, Definition, load_claims
from sahel.errors import ConfigError, RegistryError, SahelError
from sahel.outputs import write_text

_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
#: the flag each spec field comes from, to name it in an error
FLAGS = {"definitions": "--definition", "places": "--place", "incident": "--incident",
         "fact": "--tie/--event", "rank": "--rank", "periods": "--period",
         "countries": "--country", "expected": "--expected", "expect": "--expect",
         "attributed_to": "--attributed-to", "side": "--side", "against": "--against"}


@dataclass
class NewClaim:
    """The spec written, where, and what the store can measure of it now."""

    claim: Claim
    path: Path
    coverage: pd.DataFrame


def _is_list(model: type[BaseModel], key: str) -> bool:
    info = model.model_fields.get(key)
    if info is None:
        return False
    ann = info.annotation
    options = typing.get_args(ann) if isinstance(ann, types.UnionType) else (ann,)
    return any(typing.get_origin(o) is list for o in options)


def parse_pairs(text: str, model: type[BaseModel], flag: str) -> dict[str, Any]:
    """``"a=1; b=x,y"`` -> ``{"a": "1", "b": ["x", "y"]}`` (lists where ``model`` has them)."""
    out: dict[str, Any] = {}
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        if "=" not in part:
            raise ConfigError(f"{part!r} is not key=value", field=flag,
                              hint="write key=value pairs separated by ';'")
        key, value = (x.strip() for x in part.split("=", 1))
        if key == "near_place" and ":" in value:
            place, km = value.rsplit(":", 1)
            out[key] = {"place": place.strip(), "km": km.strip()}
        elif _is_list(model, key):
            out[key] = [v.strip() for v in value.split(",") if v.strip()]
        else:
            out[key] = value
    return out


def parse_period(text: str) -> dict[str, str]:
    """``2023`` | ``START..END`` | ``LABEL=START..END`` (days YYYY-MM-DD, or years)."""
    label, _, span = text.rpartition("=")
    start, _, end = span.partition("..")
    end = end or start

    def day(value: str, last: bool) -> str:
        value = value.strip()
        if re.fullmatch(r"\d{4}", value):
            return f"{value}-12-31" if last else f"{value}-01-01"
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            raise ConfigError(f"{value!r} is not a year or a YYYY-MM-DD day", field="--period",
                              hint="write YYYY, START..END with YYYY-MM-DD days, or "
                              "LABEL=START..END") from None

    first, last = day(start, False), day(end, True)
    return {"label": label.strip() or (start.strip() if start == end else span.strip()),
            "start": first, "end": last}


def _place(text: str) -> tuple[str, dict[str, Any]]:
    label, sep, rest = text.partition(":")
    if not sep or not label.strip():
        raise ConfigError(f"{text!r} has no place name", field="--place",
                          hint="write NAME: key=value, e.g. 'Alibori: admin1=Alibori'")
    return label.strip(), parse_pairs(rest, Place, "--place")


def draft(claim_id: str, *, kind: str, text: str, document: str, needs: str,
          quote: str | None = None, countries: list[str] | None = None,
          periods: list[str] | None = None, expect: str | None = None,
          expected: float | None = None, tolerance: float | None = None,
          definitions: list[str] | None = None, attributed_to: list[str] | None = None,
          side: list[str] | None = None, against: list[str] | None = None,
          places: list[str] | None = None, incident: str | None = None,
          tie: str | None = None, event: str | None = None,
          fact_sources: list[str] | None = None, rank: str | None = None) -> dict[str, Any]:
    """The spec as a plain mapping, in the order a curator reads it (validated later)."""
    if not _ID.match(claim_id):
        raise ConfigError(f"claim id {claim_id!r} is not lower-case letters, digits and -",
                          field="ID", hint="e.g. country-group-share-year")
    if kind not in EXPECTS:
        raise ConfigError(f"unknown kind {kind!r}", field="--kind",
                          hint="use one of " + ", ".join(EXPECTS))
    spec: dict[str, Any] = {"id": claim_id, "document": document, "text": text}
    if quote:
        spec["quote"] = quote
    spec["kind"] = kind
    if countries:
        spec["countries"] = countries
    if periods:
        spec["periods"] = [parse_period(p) for p in periods]
    spec["expect"] = expect or EXPECTS[kind][0]
    for key, value in (("expected", expected), ("tolerance", tolerance)):
        if value is not None:
            spec[key] = value
    for key, values in (("attributed_to", attributed_to), ("side", side),
                        ("against", against)):
        if values:
            spec[key] = values
    if places:
        spec["places"] = dict(_place(p) for p in places)
    if incident:
        spec["incident"] = parse_pairs(incident, Incident, "--incident")
    if tie or event:
        fact: dict[str, Any] = {"tie": parse_pairs(tie, TieFact, "--tie")} if tie else {
            "event": parse_pairs(event or "", EventFact, "--event")}
        if fact_sources:
            fact["sources"] = fact_sources
        spec["fact"] = fact
    if rank:
        spec["rank"] = parse_pairs(rank, Rank, "--rank")
    if definitions:
        spec["definitions"] = [parse_pairs(d, Definition, "--definition") for d in definitions]
    spec["needs"] = needs
    return spec


def validate(spec: dict[str, Any]) -> Claim:
    """The draft through the one spec model; an error names the flag and the fix."""
    try:
        return Claim.model_validate(spec)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = [str(p) for p in first["loc"]]
        message = str(first["msg"]).removeprefix("Value error, ")
        if not loc:  # a rule across fields: name the first field the message names
            words = set(re.findall(r"[a-z_]+", message))
            named = [k for k in FLAGS if k in words]
            raise ConfigError(message, field=FLAGS[named[0]] if named else None,
                              hint="see docs/claims.md for the fields of each kind") from exc
        flag = FLAGS.get(loc[0], f"--{loc[0].replace('_', '-')}") if loc else None
        where = ".".join(loc)
        if loc and loc[0] == "definitions" and len(loc) > 1:
            where = f"definition {int(loc[1]) + 1}" + (f": {'.'.join(loc[2:])}"
                                                       if len(loc) > 2 else "")
        raise ConfigError(f"{where}: {message}" if where else message, field=flag,
                          hint="see docs/claims.md for the fields of each kind") from exc


def _spans(claim: Claim) -> list[tuple[str, date, date]]:
    if claim.periods:
        return [(p.label, p.start, p.end) for p in claim.periods]
    if claim.years:
        return [(f"{claim.years[0]}..{claim.years[-1]}", date(claim.years[0], 1, 1),
                 date(claim.years[-1], 12, 31))]
    if claim.incident is not None:
        from datetime import timedelta

        pad = timedelta(days=claim.incident.window_days)
        return [(str(claim.incident.day), claim.incident.day - pad, claim.incident.day + pad)]
    return []


def coverage(claim: Claim, db_path: Path | None = None,
             claims_dir: Path | None = None) -> pd.DataFrame:
    """Per definition and period: can the store (or the series) measure it now?"""
    from sahel.claims.evidence import Store
    from sahel.claims.places import load_places

    cols = ["definition", "source", "period", "countries", "measurable", "why"]
    countries = sorted({*claim.countries, *(c for g in claim.groups.values() for c in g),
                        *claim.treated, *claim.controls, *claim.outlook,
                        *(c for r in claim.regions.values() for c in r)})
    if claim.incident is not None and claim.incident.place and not countries:
        place = load_places(claims_dir).get(claim.incident.place, field="incident.place")
        countries = [place.country] if place.country else []
    spans = _spans(claim)
    if not claim.definitions or not spans:
        why = ("checked against the registry at `claims check`" if claim.fact else
               "the event's dates are resolved at `claims check`")
        return pd.DataFrame([{"definition": d.label, "source": d.source or d.series,
                              "period": "", "countries": ",".join(countries),
                              "measurable": None, "why": why}
                             for d in claim.definitions] or
                            [{"definition": "-", "source": "registry", "period": "",
                              "countries": "", "measurable": None, "why": why}], columns=cols)
    try:
        store = Store(db_path, places=load_places(claims_dir))
    except SahelError as exc:
        return pd.DataFrame([{"definition": d.label, "source": d.source or d.series,
                              "period": "", "countries": ",".join(countries),
                              "measurable": False, "why": f"no store: {exc.message}"}
                             for d in claim.definitions], columns=cols)
    rows = []
    try:
        for d in claim.definitions:
            for label, start, end in spans:
                if d.series is not None:
                    v = store.measure(d, countries, start, end)
                    ok, why = v.covered, v.coverage_note
                else:
                    assert d.source is not None
                    ok, why = store.coverage(d.source, countries, start, end)
                    problem = store.place_problem(d, countries, start, end)
                    if problem:
                        ok, why = False, problem
                rows.append({"definition": d.label, "source": d.source or d.series,
                             "period": f"{label} ({start}..{end})",
                             "countries": ",".join(countries), "measurable": ok, "why": why})
    finally:
        store.close()
    return pd.DataFrame(rows, columns=cols)


def new_claim(claim_id: str, *, kind: str, text: str, document: str, needs: str,
              claims_dir: Path | None = None, db_path: Path | None = None,
              **fields: Any) -> NewClaim:
    """Scaffold, validate and write a claim spec, then say which of its definitions the store
    can measure now (``sahel claims new``). Refuses to overwrite a file or reuse an id."""
    from sahel.claims.places import load_places
    from sahel.registry.load import registry_path

    folder = claims_dir or registry_path(None) / "claims"
    spec = draft(claim_id, kind=kind, text=text, document=document, needs=needs, **fields)
    claim = validate(spec)
    known = load_places(folder).places
    named = [d.near_place.place for d in claim.definitions if d.near_place] + [
        p.near_place.place for p in claim.places.values() if p.near_place] + (
        [claim.incident.place] if claim.incident and claim.incident.place else [])
    if bad := [n for n in named if n not in known]:
        raise ConfigError(f"no named place {bad[0]!r}", field="--place/--incident",
                          hint="use one of " + ", ".join(sorted(known))
                          + ", or add it to registry/claims/places/")
    path = folder / f"{claim_id}.yaml"
    if path.exists():
        raise ConfigError(f"{path} already exists", field="ID", file=path,
                          hint="choose another id, or edit the file by hand")
    if folder.is_dir():
        try:
            taken = load_claims(folder)
        except RegistryError:
            taken = {}
        if claim_id in taken:
            raise ConfigError(f"claim id {claim_id!r} is already used", field="ID",
                              file=taken[claim_id].file,
                              hint="choose another id")
    body = yaml.safe_dump(claim.model_dump(mode="json", exclude_defaults=True,
                                           exclude_none=True),
                          sort_keys=False, allow_unicode=True, width=100)
    folder.mkdir(parents=True, exist_ok=True)
    write_text(path, "# written by `sahel claims new`; see docs/claims.md\n" + body)
    return NewClaim(claim, path, coverage(claim, db_path, folder))
