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

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sahel.errors import NotFoundError, RegistryError
from sahel.events.countries import to_iso3
from sahel.events.schema import CATEGORIES
from sahel.registry.load import locate, read_yaml_file
from sahel.registry.models import PerpetratorGroup
from sahel.series.definitions import DEFINITIONS

Kind = Literal["growth", "compare", "trend", "before_after", "outlook"]
Measure = Literal["events", "fatalities", "civilian_deaths", "admin1_areas"]


class Definition(BaseModel):
    """One way to measure the claim's quantity."""

    model_config = ConfigDict(extra="forbid")
    label: str
    source: Literal["ucdp_ged", "ucdp_candidate", "acled"] | None = None
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
        if self.series is not None and (self.admin1 or self.admin2 or self.bbox or self.near):
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
            raise ValueError(f"unknown country {value!r} in {where} (use ISO3 codes, e.g. MLI)")
        out.append(code)
    return out


class Claim(BaseModel):
    model_config = ConfigDict(extra="forbid")
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
    expect: Literal["increase", "decrease", "lower", "higher", "continuous_increase",
                    "no_significant_decrease", "significant_decrease", "outlook"]
    expected: float | None = None  # growth: the claimed relative change (0.38 = +38%)
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
    definitions: list[Definition]
    needs: str  # the data that would settle the claim if the store cannot
    regions: dict[str, list[str]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _shape(self) -> Claim:
        _country_codes(self.countries, "countries")
        _country_codes(self.treated, "treated")
        _country_codes(self.controls, "controls")
        _country_codes(list(self.outlook), "outlook")
        for name, members in {**self.groups, **self.regions}.items():
            _country_codes(members, f"group/region {name!r}")
        if bad := [y for y in self.years if not 1946 <= y <= 2100]:
            raise ValueError(f"year(s) {bad} outside 1946–2100")
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
        return self


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


def claim_problems(folder: Path) -> list[RegistryError]:
    """Every problem of every claim spec in ``folder`` (``sahel registry check`` lists them
    all, where loading stops at the first)."""
    return _read_all(folder)[1] if folder.is_dir() else []


def _read_all(folder: Path) -> tuple[dict[str, Claim], list[RegistryError]]:
    claims: dict[str, Claim] = {}
    problems: list[RegistryError] = []
    for path in sorted(folder.glob("*.yaml")):
        try:
            claim = _read_one(path)
        except RegistryError as exc:
            problems.append(exc)
            continue
        if claim.id in claims:
            problems.append(RegistryError(f"duplicate claim id {claim.id!r}", file=path,
                                          field="id", hint="give each claim its own id"))
        claims[claim.id] = claim
    return claims, problems


def _read_one(path: Path) -> Claim:
    raw = read_yaml_file(path)
    try:
        return Claim.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = [p for p in first["loc"] if isinstance(p, int | str)]
        raise RegistryError(first["msg"], file=path, line=locate(raw, loc),
                            field=".".join(str(p) for p in first["loc"]),
                            hint="see docs/claims.md for the spec fields") from exc
