"""Claim specs (YAML in ``registry/claims/``), validated by pydantic.

A spec says WHAT is claimed (kind, subject, periods or groups, expected value and tolerance)
and HOW it may be measured: a list of alternative ``definitions`` (source, categories,
perpetrator groups, precision, measure). The engine tries each, so a verdict never hangs on
one arbitrary definition, and it says which definition comes closest to the claim.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    model_validator,
)

from sahel.claims.shapes import Fact, Incident, NearPlace, Place, Rank
from sahel.errors import NotFoundError, RegistryError
from sahel.events.countries import to_iso3
from sahel.events.layouts import MIN_YEAR
from sahel.events.schema import CATEGORIES
from sahel.registry.load import locate, read_yaml_file
from sahel.registry.models import PerpetratorGroup
from sahel.series.definitions import DEFINITIONS

Kind = Literal["growth", "compare", "trend", "before_after", "outlook", "share", "presence",
               "incident", "side_losses", "registry_fact", "rank"]
KINDS: tuple[str, ...] = Kind.__args__  # type: ignore[attr-defined]
Measure = Literal["events", "fatalities", "civilian_deaths", "admin1_areas"]
Expect = Literal["increase", "decrease", "lower", "higher", "continuous_increase",
                 "no_significant_decrease", "significant_decrease", "outlook",
                 "more_than", "less_than", "about", "present", "absent", "match", "holds",
                 "highest", "lowest"]
#: what each kind may expect (the first is the default ``sahel claims new`` writes)
EXPECTS: dict[str, tuple[str, ...]] = {
    "growth": ("increase", "decrease"), "compare": ("lower", "higher"),
    "trend": ("continuous_increase",),
    "before_after": ("no_significant_decrease", "significant_decrease"),
    "outlook": ("outlook",), "share": ("more_than", "less_than", "about"),
    "presence": ("present", "absent"), "incident": ("match",),
    "side_losses": ("increase", "decrease", "higher", "lower"),
    "registry_fact": ("holds",), "rank": ("highest", "lowest"),
}
#: the last year a spec may name (the first is the events' own, ``MIN_YEAR``)
LAST_YEAR = 2100
#: kinds whose definitions must read events (they split, place or list events)
EVENT_KINDS = ("share", "presence", "incident", "side_losses")


class Definition(BaseModel):
    """One way to measure the claim's quantity."""

    model_config = ConfigDict(extra="forbid")
    label: str
    source: Literal["ucdp_ged", "ucdp_candidate", "ucdp", "acled"] | None = None
    series: str | None = None  # an aggregate series (sahel.series) instead of events
    categories: list[str] = Field(default_factory=list)
    civilian_targeting: bool | None = None
    perpetrator: list[str] = Field(default_factory=list)  # registry perpetrator groups
    perpetrator_side: Literal["actor1", "any"] = "any"
    precision: Literal["any", "admin1"] = "any"
    measure: Measure = "events"
    #: places: admin-1/admin-2 names (any spelling of the unit), a box west,south,east,north,
    #: or a radius lat,lon,km — events known only at country level are never placed
    admin1: list[str] = Field(default_factory=list)
    admin2: list[str] = Field(default_factory=list)
    bbox: list[float] | None = None
    near: list[float] | None = None
    near_place: NearPlace | None = None  # within km of a named place (registry/claims/places)

    def place(self) -> Place:
        return Place(admin1=self.admin1, admin2=self.admin2, bbox=self.bbox, near=self.near,
                     near_place=self.near_place)

    def place_text(self) -> str:
        return self.place().text()

    @model_validator(mode="after")
    def _one_source(self) -> Definition:
        if (self.source is None) == (self.series is None):
            raise ValueError("give exactly one of source (events) or series (aggregates)")
        unknown = [c for c in self.categories if c not in CATEGORIES]
        if unknown:
            raise ValueError(f"unknown categor{'y' if len(unknown) == 1 else 'ies'} "
                             f"{', '.join(unknown)} (known: {', '.join(CATEGORIES)})")
        groups = {g.value for g in PerpetratorGroup}
        if bad := [g for g in self.perpetrator if g not in groups]:
            raise ValueError(f"unknown perpetrator group(s) {', '.join(bad)} (known: "
                             f"{', '.join(sorted(groups))})")
        if self.bbox is not None and len(self.bbox) != 4:
            raise ValueError("bbox is [west, south, east, north] in degrees")
        if self.near is not None and len(self.near) != 3:
            raise ValueError("near is [lat, lon, km]")
        if self.near is not None and self.near_place is not None:
            raise ValueError("give near (coordinates) or near_place (a named place), not both")
        if self.series is not None and not self.place().empty():
            raise ValueError("places filter events; a series definition has none")
        if self.series is not None and self.series not in DEFINITIONS:
            raise ValueError(f"unknown series {self.series!r} (known: "
                             f"{', '.join(DEFINITIONS)})")
        return self


class Period(BaseModel):
    model_config = ConfigDict(extra="forbid")
    label: str
    start: date
    end: date

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end < self.start:
            raise ValueError(f"period {self.label!r} ends ({self.end}) before it starts "
                             f"({self.start})")
        return self


def _country_codes(values: list[str], where: str) -> list[str]:
    """Each country as ISO3; an unknown name or code is an error, never an empty result."""
    out = []
    for value in values:
        code = to_iso3(value, value if len(value) == 3 else None)
        if code is None:
            raise ValueError(f"unknown country {value!r} in {where} (use ISO 3166 alpha-3 codes)")
        out.append(code)
    return out


def _groups(values: list[str], where: str) -> None:
    known = {g.value for g in PerpetratorGroup}
    if bad := [g for g in values if g not in known]:
        raise ValueError(f"unknown perpetrator group(s) {', '.join(bad)} in {where} (known: "
                         f"{', '.join(sorted(known))})")


class Claim(BaseModel):
    model_config = ConfigDict(extra="forbid")
    _file: Path | None = PrivateAttr(default=None)
    id: str
    document: str
    text: str
    quote: str | None = None
    written: date | None = None
    kind: Kind
    countries: list[str] = Field(default_factory=list)
    #: compare: the subject group first, then the groups it is compared with
    groups: dict[str, list[str]] = Field(default_factory=dict)
    #: growth: exactly two periods, before then after; outlook: baseline then later periods
    periods: list[Period] = Field(default_factory=list)
    #: trend: the years of the series; ``regions`` name subsets (e.g. coastal north)
    years: list[int] = Field(default_factory=list)
    expect: Expect
    #: growth/side_losses: the claimed relative change (0.38 = +38%); share: the claimed share
    #: (0.5 = half); presence: the fewest events (or deaths) that count as "present" (default 1)
    expected: float | None = None
    tolerance: float = 0.10
    #: outlook: per-country expectation: continue (>= 75% of baseline) or increase (> baseline)
    outlook: dict[str, Literal["continue", "increase"]] = Field(default_factory=dict)
    #: before_after: a registry event/tie id or a date; treated and control countries
    event: str | None = None
    treated: list[str] = Field(default_factory=list)
    controls: list[str] = Field(default_factory=list)
    window_months: int = 24
    #: months to shift period edges by, as alternative definitions (0 = as written)
    edge_shifts: list[int] = Field(default_factory=lambda: [0])
    #: share: the perpetrator groups the share is attributed to (actor1, the acting side)
    attributed_to: list[str] = Field(default_factory=list)
    #: presence: the places the claim names, each a part of the claim
    places: dict[str, Place] = Field(default_factory=dict)
    #: incident: the event as the text reports it
    incident: Incident | None = None
    #: side_losses: whose deaths (perpetrator groups), and optionally against whom
    side: list[str] = Field(default_factory=list)
    against: list[str] = Field(default_factory=list)
    #: registry_fact: the tie or system event asserted, and the sources to check
    fact: Fact | None = None
    #: rank: the unit claimed to be highest (lowest), and among which units
    rank: Rank | None = None
    definitions: list[Definition] = Field(default_factory=list)
    needs: str  # the data that would settle the claim if the store cannot
    regions: dict[str, list[str]] = Field(default_factory=dict)

    @property
    def file(self) -> Path | None:
        """The spec file this claim was read from (None when built in code)."""
        return self._file

    @model_validator(mode="after")
    def _shape(self) -> Claim:
        _country_codes(self.countries, "countries")
        _country_codes(self.treated, "treated")
        _country_codes(self.controls, "controls")
        _country_codes(list(self.outlook), "outlook")
        for name, members in {**self.groups, **self.regions}.items():
            _country_codes(members, f"group/region {name!r}")
        if bad := [y for y in self.years if not MIN_YEAR <= y <= LAST_YEAR]:
            raise ValueError(f"year(s) {bad} outside {MIN_YEAR}–{LAST_YEAR}")
        if not 1 <= self.window_months <= 240:
            raise ValueError("window_months must be between 1 and 240")
        if self.tolerance < 0:
            raise ValueError("tolerance cannot be negative")
        if self.kind == "growth" and len(self.periods) != 2:
            raise ValueError("a growth claim needs exactly two periods (before, after)")
        if self.kind == "compare" and len(self.groups) < 2:
            raise ValueError("a compare claim needs at least two groups")
        if self.kind == "trend" and len(self.years) < 3:
            raise ValueError("a trend claim needs at least three years")
        if self.kind == "before_after" and (not self.event or not self.treated):
            raise ValueError("a before_after claim needs event and treated")
        if self.kind == "outlook" and (len(self.periods) < 2 or not self.outlook):
            raise ValueError("an outlook claim needs a baseline and later periods, and outlook")
        _groups(self.attributed_to, "attributed_to")
        _groups(self.side, "side")
        _groups(self.against, "against")
        self._shape_new_kinds()
        return self

    def _shape_new_kinds(self) -> None:
        kind = self.kind
        if self.expect not in EXPECTS[kind]:
            raise ValueError(f"a {kind} claim expects {' or '.join(EXPECTS[kind])}, "
                             f"not {self.expect}")
        if kind != "registry_fact" and not self.definitions:
            raise ValueError(f"a {kind} claim needs at least one definition")
        if kind in EVENT_KINDS and (bad := [d.label for d in self.definitions if d.series]):
            raise ValueError(f"a {kind} claim measures events; definition(s) {', '.join(bad)} "
                             "read a series")
        one_period = kind in ("share", "presence", "rank") or (
            kind == "side_losses" and self.expect in ("higher", "lower"))
        if one_period and len(self.periods) != 1:
            raise ValueError(f"a {kind} claim needs exactly one period")
        if kind in ("share", "presence", "side_losses", "rank") and not self.countries:
            raise ValueError(f"a {kind} claim needs countries")
        if kind == "share":
            if not self.attributed_to:
                raise ValueError("a share claim needs attributed_to (perpetrator groups)")
            if self.expected is None or not 0 <= self.expected <= 1:
                raise ValueError("a share claim needs expected, a share between 0 and 1")
        if kind == "incident" and self.incident is None:
            raise ValueError("an incident claim needs incident (day, place, toll)")
        if kind == "incident" and self.incident is not None and self.incident.place is None \
                and not self.countries:
            raise ValueError("an incident at coordinates needs countries (for coverage)")
        if kind == "side_losses":
            if not self.side:
                raise ValueError("a side_losses claim needs side (perpetrator groups)")
            if self.expect in ("increase", "decrease") and len(self.periods) != 2:
                raise ValueError("a side_losses claim of increase/decrease needs two periods")
            if self.expect in ("higher", "lower") and not self.against:
                raise ValueError("a side_losses claim of higher/lower losses than the other "
                                 "side needs against (the other side's groups)")
        if kind == "registry_fact" and self.fact is None:
            raise ValueError("a registry_fact claim needs fact (a tie or an event)")
        if kind == "rank":
            if self.rank is None:
                raise ValueError("a rank claim needs rank (by, subject)")
            if self.rank.by in ("admin1", "perpetrator") and any(d.series
                                                                 for d in self.definitions):
                raise ValueError(f"ranking by {self.rank.by} splits events; a series cannot")
        for name, place in self.places.items():
            if place.empty():
                raise ValueError(f"place {name!r} names no admin1, admin2, bbox or near")


def load_claims(folder: Path | None = None) -> dict[str, Claim]:
    """All claim specs in ``folder`` (default: the registry's ``claims/``); errors name the
    file, line or field, and the fix."""
    from sahel.registry.load import registry_path

    folder = folder or registry_path(None) / "claims"
    if not folder.is_dir():
        raise NotFoundError("no claims folder", file=folder,
                            hint="create registry/claims/ with one YAML spec per claim")
    claims, problems = _read_all(folder)
    if problems:
        raise problems[0]
    return claims


def claim_problems(folder: Path, seeds: Path | None = None) -> list[RegistryError]:
    """Every problem of every claim spec in ``folder`` (``sahel registry check`` lists them
    all, where loading stops at the first), quotes included: a spec's ``quote`` must occur
    verbatim in its document (``seeds``, default ``../shared/seeds`` when present)."""
    if not folder.is_dir():
        return []
    claims, problems = _read_all(folder)
    from sahel.claims.quotes import quote_problems

    return problems + quote_problems(claims, folder, seeds)


def _read_all(folder: Path) -> tuple[dict[str, Claim], list[RegistryError]]:
    from sahel.claims.places import load_places

    claims: dict[str, Claim] = {}
    problems: list[RegistryError] = []
    try:
        places = load_places(folder)
    except RegistryError as exc:
        return {}, [exc]
    for path in sorted(folder.glob("*.yaml")):
        try:
            claim = _read_one(path)
            _check_places(claim, path, set(places.places))
        except RegistryError as exc:
            problems.append(exc)
            continue
        if claim.id in claims:
            problems.append(RegistryError(f"duplicate claim id {claim.id!r}", file=path,
                                          field="id", hint="give each claim its own id"))
        claims[claim.id] = claim
    return claims, problems


def _check_places(claim: Claim, path: Path, known: set[str]) -> None:
    """Every named place a spec uses must be in the places table."""
    raw = None
    named: list[tuple[str, list[int | str]]] = []
    for i, d in enumerate(claim.definitions):
        if d.near_place is not None:
            named.append((d.near_place.place, ["definitions", i, "near_place", "place"]))
    for name, place in claim.places.items():
        if place.near_place is not None:
            named.append((place.near_place.place, ["places", name, "near_place", "place"]))
    if claim.incident is not None and claim.incident.place is not None:
        named.append((claim.incident.place, ["incident", "place"]))
    for place_id, loc in named:
        if place_id not in known:
            raw = raw if raw is not None else read_yaml_file(path)
            raise RegistryError(f"no named place {place_id!r}", file=path,
                                line=locate(raw, loc), field=".".join(map(str, loc)),
                                hint="use one of " + ", ".join(sorted(known))
                                + ", or add the place to registry/claims/places/")


def _read_one(path: Path) -> Claim:
    raw = read_yaml_file(path)
    try:
        claim = Claim.model_validate(raw)
        claim._file = path
        return claim
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = [p for p in first["loc"] if isinstance(p, int | str)]
        raise RegistryError(first["msg"], file=path, line=locate(raw, loc),
                            field=".".join(str(p) for p in first["loc"]),
                            hint="see docs/claims.md for the spec fields") from exc
