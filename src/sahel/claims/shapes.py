"""The parts of a claim spec that only some kinds use: places, an incident, a registry fact and
a ranking. Pydantic models, like :mod:`sahel.claims.spec`, so a typo in YAML is an error that
names its field."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from sahel.registry.models import EventType, TieType

#: the sources a registry fact can be checked against
FactSource = Literal["registry", "sipri", "atop", "powell_thyne"]
RankBy = Literal["country_iso3", "admin1", "year", "perpetrator"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NearPlace(_Strict):
    """Within ``km`` of a named place of the places table (``registry/claims/places/``)."""

    place: str
    km: float = Field(gt=0, le=5000)


class Place(_Strict):
    """Where: admin-1/admin-2 names (any spelling of the unit), a box west,south,east,north, a
    radius lat,lon,km, or a radius around a named place. Events known only at country level
    are never placed."""

    admin1: list[str] = Field(default_factory=list)
    admin2: list[str] = Field(default_factory=list)
    bbox: list[float] | None = None
    near: list[float] | None = None
    near_place: NearPlace | None = None

    @model_validator(mode="after")
    def _shape(self) -> Place:
        if self.bbox is not None and len(self.bbox) != 4:
            raise ValueError("bbox is [west, south, east, north] in degrees")
        if self.near is not None and len(self.near) != 3:
            raise ValueError("near is [lat, lon, km]")
        if self.near is not None and self.near_place is not None:
            raise ValueError("give near (coordinates) or near_place (a named place), not both")
        return self

    def empty(self) -> bool:
        return not (self.admin1 or self.admin2 or self.bbox or self.near or self.near_place)

    def text(self) -> str:
        """The place as printed in the filters of an evidence row."""
        parts = []
        if self.admin1:
            parts.append("admin1=" + ",".join(self.admin1))
        if self.admin2:
            parts.append("admin2=" + ",".join(self.admin2))
        if self.bbox:
            parts.append("bbox=" + ",".join(f"{v:g}" for v in self.bbox))
        if self.near:
            parts.append(f"within {self.near[2]:g} km of {self.near[0]:g},{self.near[1]:g}")
        if self.near_place:
            parts.append(f"within {self.near_place.km:g} km of {self.near_place.place}")
        return "; ".join(parts)


class Incident(_Strict):
    """One event as a text reports it: a day, a place (a named place, or lat/lon) and a toll.

    Candidates are the events within ``km`` of the place and ``window_days`` of the day; when
    none is found, events up to ``search_days`` away are shown (a misdated report)."""

    day: date
    place: str | None = None
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    km: float = Field(default=25.0, gt=0, le=500)
    window_days: int = Field(default=3, ge=0, le=60)
    search_days: int = Field(default=60, ge=0, le=366)
    toll: int | None = Field(default=None, ge=0)  # the deaths the text reports
    measure: Literal["fatalities", "civilian_deaths"] = "fatalities"

    @model_validator(mode="after")
    def _where(self) -> Incident:
        if (self.place is None) == (self.lat is None or self.lon is None):
            raise ValueError("an incident needs place (a named place) or lat and lon")
        if self.search_days < self.window_days:
            raise ValueError("search_days cannot be shorter than window_days")
        return self


class TieFact(_Strict):
    """A tie the registry (or a SIPRI/ATOP import) should hold: any of ``types``, from each
    ``provider`` to each ``recipient`` (actor ids or names), active on ``active_on`` and/or
    starting between ``start_from`` and ``start_to``, with the ``systems`` named and the
    ``budget`` given; ``only``: no other recipient got such a tie from the provider then."""

    types: list[TieType] = Field(min_length=1)
    provider: list[str] = Field(default_factory=list)
    recipient: list[str] = Field(default_factory=list)
    active_on: date | None = None
    start_from: date | None = None
    start_to: date | None = None
    systems: list[str] = Field(default_factory=list)
    amount: float | None = Field(default=None, gt=0)
    currency: str | None = None
    only: bool = False

    @model_validator(mode="after")
    def _shape(self) -> TieFact:
        if not (self.provider or self.recipient):
            raise ValueError("a tie fact names a provider or a recipient (or both)")
        if (self.amount is None) != (self.currency is None):
            raise ValueError("give amount and currency together")
        if self.only and (len(self.provider) != 1 or not self.recipient):
            raise ValueError("only: true needs one provider and the recipient(s)")
        if self.start_from and self.start_to and self.start_to < self.start_from:
            raise ValueError("start_to is before start_from")
        return self


class EventFact(_Strict):
    """A dated system event (coup, treaty, withdrawal…) in ``country`` between two days."""

    types: list[EventType] = Field(min_length=1)
    country: str | None = None
    start: date
    end: date

    @model_validator(mode="after")
    def _ordered(self) -> EventFact:
        if self.end < self.start:
            raise ValueError("the event window ends before it starts")
        return self


class Fact(_Strict):
    """What a registry-fact claim asserts, and where to check it."""

    tie: TieFact | None = None
    event: EventFact | None = None
    sources: list[FactSource] = Field(default_factory=lambda: list[FactSource](["registry"]))

    @model_validator(mode="after")
    def _one(self) -> Fact:
        if (self.tie is None) == (self.event is None):
            raise ValueError("a fact is either a tie or an event")
        if self.event is not None and not set(self.sources) <= {"registry", "powell_thyne"}:
            raise ValueError("system events are checked against registry and powell_thyne")
        if self.tie is not None and "powell_thyne" in self.sources:
            raise ValueError("powell_thyne holds coups, not ties")
        return self


class Rank(_Strict):
    """``subject`` is the ``position``-th ``highest`` (or lowest) unit ``by`` country, admin-1,
    year or perpetrator group, among ``among`` (default: every unit with data; the claim's
    countries when ranking countries)."""

    by: RankBy
    subject: str
    among: list[str] = Field(default_factory=list)
    position: int = Field(default=1, ge=1)
