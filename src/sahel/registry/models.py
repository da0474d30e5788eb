"""Pydantic models of the security-cooperation registry: actors, ties, dated system events.

Why pydantic: the registry is hand-curated YAML reviewed like code, so every field is checked the
moment a file is read, and a schema error points at the YAML line and field (see ``load.py``).
Cross-record rules (references, duplicate aliases, end before start, sources) live in
``validate.py`` because a single record cannot see the others.

Dates are *fuzzy*: a tie may be known to the day ("2023-09-16"), the month ("2021-12") or only the
year ("2014"). We never widen a date into more precision than the sources give; the precision is
part of the value and ``basis`` says which source or reasoning fixes it.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from enum import StrEnum
from typing import Annotated, Any, Literal

import pycountry
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Precision = Literal["day", "month", "year"]
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_.:-]*$")
_DATE_FORMS: dict[str, Precision] = {
    r"^\d{4}$": "year",
    r"^\d{4}-\d{2}$": "month",
    r"^\d{4}-\d{2}-\d{2}$": "day",
}


class _Strict(BaseModel):
    """Base: unknown keys are errors, so a typo in YAML (``sorces:``) cannot pass silently."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _infer_precision(text: str) -> Precision:
    for pattern, precision in _DATE_FORMS.items():
        if re.match(pattern, text):
            return precision
    raise ValueError(f"date {text!r} is not YYYY, YYYY-MM or YYYY-MM-DD")


class FuzzyDate(_Strict):
    """A date known to a stated precision.

    ``value`` is written in the form its precision allows: ``2014`` (year), ``2021-12`` (month),
    ``2023-09-16`` (day). For interval arithmetic a fuzzy date stands for the *first day* of its
    period (:attr:`first`); :attr:`last` is the last possible day. ``approx`` flags dates that the
    sources give only as "around"; ``basis`` says where the date comes from when it is not the
    record's own sources (e.g. "doc 000 note 9", "inferred from publication date").
    """

    value: str
    precision: Precision
    basis: str | None = None
    approx: bool = False

    @model_validator(mode="before")
    @classmethod
    def _from_scalar(cls, data: Any) -> Any:
        if isinstance(data, dt.datetime):
            data = data.date()
        if isinstance(data, dt.date | int | str):
            text = data.isoformat() if isinstance(data, dt.date) else str(data)
            return {"value": text, "precision": _infer_precision(text)}
        if isinstance(data, dict):
            data = dict(data)
            raw = data.get("value", data.get("date"))
            data.pop("date", None)
            if isinstance(raw, dt.datetime):
                raw = raw.date()
            if isinstance(raw, dt.date):
                raw = raw.isoformat()
            if raw is not None:
                data["value"] = str(raw)
                data.setdefault("precision", _infer_precision(str(raw)))
        return data

    @model_validator(mode="after")
    def _check(self) -> FuzzyDate:
        form = _infer_precision(self.value)
        if form != self.precision:
            raise ValueError(
                f"date {self.value!r} is written to {form} precision but says precision "
                f"{self.precision!r}; write it as {self._shape(self.precision)}"
            )
        self.first  # noqa: B018 - raises on impossible dates such as 2023-02-30
        return self

    @staticmethod
    def _shape(precision: Precision) -> str:
        return {"year": "YYYY", "month": "YYYY-MM", "day": "YYYY-MM-DD"}[precision]

    @property
    def first(self) -> dt.date:
        """First day of the period (used for 'active on' arithmetic)."""
        parts = [int(p) for p in self.value.split("-")]
        year, month, day = [*parts, 1, 1][:3]
        return dt.date(year, month, day)

    @property
    def last(self) -> dt.date:
        """Last possible day of the period (used to decide if 'end before start' is certain)."""
        start = self.first
        if self.precision == "day":
            return start
        if self.precision == "month":
            return start.replace(day=calendar.monthrange(start.year, start.month)[1])
        return dt.date(start.year, 12, 31)

    def __str__(self) -> str:
        return ("~" if self.approx else "") + self.value


class Document(_Strict):
    """A source document of the registry (the seed research texts and other cited works)."""

    id: str
    citation: str
    file: str | None = None
    url: str | None = None
    published: FuzzyDate | None = None


class Source(_Strict):
    """Where a statement comes from: a seed document or a citation, plus a locator.

    A source needs *what* (``doc`` id from ``registry/documents.yaml`` or a ``citation``) and
    *where in it* (``url``, ``page`` or a verbatim ``quote``), so that a reviewer can check it.

    ``published`` is the date the source itself carries (a news article's dateline, a
    resolution's adoption day), at the precision it gives. It is what makes the registry's age
    measurable: ``freshness.py`` dates a tie by its newest source, falling back to ``accessed``
    and, for ``doc:`` sources, to the document's own ``published`` date.
    """

    doc: str | None = None
    citation: str | None = None
    url: str | None = None
    page: str | None = None
    quote: str | None = None
    published: FuzzyDate | None = None
    accessed: FuzzyDate | None = None
    note: str | None = None

    @field_validator("doc", mode="before")
    @classmethod
    def _doc_text(cls, value: Any) -> Any:
        # YAML reads `doc: 002` as the integer 2; document ids are three-digit strings.
        return f"{value:03d}" if isinstance(value, int) else value

    @model_validator(mode="after")
    def _check(self) -> Source:
        if not (self.doc or self.citation):
            raise ValueError("a source needs `doc` (a document id) or `citation`")
        if not (self.url or self.page or self.quote):
            raise ValueError("a source needs a locator: `url`, `page` or `quote`")
        return self

    def label(self, documents: dict[str, Document] | None = None) -> str:
        """One line for humans: citation, locator and quote."""
        cite = self.citation
        if cite is None and self.doc is not None:
            doc = (documents or {}).get(self.doc)
            cite = f"doc {self.doc}" + (f" ({doc.citation})" if doc else "")
        parts = [cite or ""]
        if self.published is not None:
            parts.append(f"published {self.published}")
        if self.page:
            parts.append(f"p. {self.page}")
        if self.url:
            parts.append(self.url)
        if self.quote:
            parts.append(f"“{self.quote}”")
        return "; ".join(p for p in parts if p)


class ActorKind(StrEnum):
    STATE = "state"
    STATE_FORCES = "state_forces"
    IO = "io"
    MISSION = "mission"
    OPERATION = "operation"
    COALITION = "coalition"
    PMC = "pmc"
    ARMED_GROUP = "armed_group"
    MILITIA = "militia"
    UNIDENTIFIED = "unidentified"
    CIVILIANS = "civilians"
    OTHER = "other"


class PerpetratorGroup(StrEnum):
    """Groups that analyses use to split events by who did them (DESIGN 'link to events')."""

    STATE_FORCES = "state_forces"
    FOREIGN_PARTNER = "foreign_partner"
    JIHADIST = "jihadist"
    MILITIA = "militia"
    SEPARATIST = "separatist"
    UNIDENTIFIED = "unidentified"
    CIVILIANS = "civilians"
    OTHER = "other"


#: Default perpetrator group by actor kind; ``armed_group`` has none and must say (validate.py).
DEFAULT_GROUP: dict[ActorKind, PerpetratorGroup] = {
    ActorKind.STATE: PerpetratorGroup.STATE_FORCES,
    ActorKind.STATE_FORCES: PerpetratorGroup.STATE_FORCES,
    ActorKind.MISSION: PerpetratorGroup.FOREIGN_PARTNER,
    ActorKind.OPERATION: PerpetratorGroup.FOREIGN_PARTNER,
    ActorKind.PMC: PerpetratorGroup.FOREIGN_PARTNER,
    ActorKind.COALITION: PerpetratorGroup.STATE_FORCES,
    ActorKind.IO: PerpetratorGroup.OTHER,
    ActorKind.MILITIA: PerpetratorGroup.MILITIA,
    ActorKind.UNIDENTIFIED: PerpetratorGroup.UNIDENTIFIED,
    ActorKind.CIVILIANS: PerpetratorGroup.CIVILIANS,
    ActorKind.OTHER: PerpetratorGroup.OTHER,
}


class Bloc(StrEnum):
    """Partner blocs used by the alignment portfolio (issue 3, point 6)."""

    WESTERN = "western"  # EU, France, the US and their European allies
    RUSSIA_TURKEY_GULF = "russia_turkey_gulf"  # Russia and its PMCs, Turkey, the Gulf monarchies
    REGIONAL = "regional"  # ECOWAS, the AU, the G5 Sahel, the Accra Initiative
    AES = "aes"  # the Alliance / Confederation of Sahel States
    MULTILATERAL = "multilateral"  # the UN and its missions
    OTHER = "other"  # China, Morocco, and partners outside the four blocs


class Position(_Strict):
    """North/South position of an actor, with the reason we give it (docs/registry.md)."""

    value: Literal["north", "south", "ambiguous", "mixed", "not_applicable"]
    basis: str

    @model_validator(mode="before")
    @classmethod
    def _from_scalar(cls, data: Any) -> Any:
        if isinstance(data, str) and data == "not_applicable":
            return {"value": data, "basis": "not a state-like actor"}
        return data


AliasSource = Literal["ucdp", "acled", "sipri", "atop", "powell_thyne", "other"]


class Alias(_Strict):
    """Another name of an actor. UCDP side names and ACLED actor strings are kept verbatim."""

    name: Annotated[str, Field(min_length=1)]
    source: AliasSource = "other"
    note: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_scalar(cls, data: Any) -> Any:
        return {"name": data} if isinstance(data, str) else data


class Pattern(_Strict):
    """A regular expression matching a family of names (e.g. ``Civilians (<country>)``)."""

    regex: str
    source: AliasSource = "other"
    note: str | None = None

    @field_validator("regex")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"invalid regular expression: {exc}") from exc
        return value


class Parent(_Strict):
    """The actor this one belongs to or depends on, and how (e.g. Wagner → Russia)."""

    actor: str
    relation: str


class Codes(_Strict):
    iso3: str | None = None
    cow: int | None = None


def _check_iso3(value: str | None) -> str | None:
    if value is None:
        return None
    if value in {"XKX"} or pycountry.countries.get(alpha_3=value) is not None:
        return value
    raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-3 country code")


class Actor(_Strict):
    id: str
    name: str
    kind: ActorKind
    country: str | None = None
    position: Position
    bloc: Bloc | None = None
    parent: Parent | None = None
    perpetrator_group: PerpetratorGroup | None = None
    codes: Codes | None = None
    founded: FuzzyDate | None = None
    dissolved: FuzzyDate | None = None
    description: str | None = None
    aliases: list[Alias] = Field(default_factory=list)
    patterns: list[Pattern] = Field(default_factory=list)
    sources: list[Source] = Field(default_factory=list)

    @field_validator("id")
    @classmethod
    def _id_form(cls, value: str) -> str:
        if not _ID_RE.match(value):
            raise ValueError("ids are lower-case letters, digits and - _ . : (e.g. `eutm-mali`)")
        return value

    @field_validator("country")
    @classmethod
    def _iso3(cls, value: str | None) -> str | None:
        return _check_iso3(value)

    @property
    def group(self) -> PerpetratorGroup | None:
        """Explicit perpetrator group, else the default of the kind (None for armed groups)."""
        return self.perpetrator_group or DEFAULT_GROUP.get(self.kind)


class TieType(StrEnum):
    ALLIANCE = "alliance"
    DEFENCE_PACT = "defence_pact"
    DEFENCE_COOPERATION = "defence_cooperation"
    MISSION_DEPLOYMENT = "mission_deployment"
    OPERATION = "operation"
    TROOP_CONTRIBUTION = "troop_contribution"
    PMC_DEPLOYMENT = "pmc_deployment"
    TRAINING = "training"
    ARMS_TRANSFER = "arms_transfer"
    DRONES = "drones"
    BASING = "basing"
    FUNDING = "funding"
    SECURITY_ASSISTANCE = "security_assistance"
    SANCTIONS = "sanctions"
    SUSPENSION = "suspension"
    MEMBERSHIP = "membership"
    MEDIATION = "mediation"
    PEACE_AGREEMENT = "peace_agreement"
    INTELLIGENCE_SHARING = "intelligence_sharing"
    STATE_SPONSORSHIP = "state_sponsorship"
    COORDINATION = "coordination"


Role = Literal["provider", "recipient", "member", "funder", "triangulator", "venue", "target"]


class Party(_Strict):
    actor: str
    role: Role
    note: str | None = None


class Money(_Strict):
    amount: float
    currency: str
    note: str | None = None


class TieAttributes(_Strict):
    troops: int | None = None
    troops_note: str | None = None
    budget: Money | None = None
    systems: list[str] = Field(default_factory=list)
    other: dict[str, str | int | float] = Field(default_factory=dict)


class Tie(_Strict):
    """A security tie between typed parties over a (fuzzy) time interval, with its sources."""

    id: str
    type: TieType
    label: str
    parties: list[Party]
    start: FuzzyDate
    end: FuzzyDate | None = None
    status: Literal["actual", "planned"] = "actual"
    attributes: TieAttributes = Field(default_factory=TieAttributes)
    sources: list[Source] = Field(default_factory=list)
    notes: str | None = None
    origin: str = "curated"

    @field_validator("id")
    @classmethod
    def _id_form(cls, value: str) -> str:
        if not _ID_RE.match(value):
            raise ValueError("ids are lower-case letters, digits and - _ . : (e.g. `wagner-mali`)")
        return value

    @field_validator("parties")
    @classmethod
    def _two_parties(cls, value: list[Party]) -> list[Party]:
        if len(value) < 2:
            raise ValueError("a tie needs at least two parties")
        return value

    def actors(self, *roles: str) -> list[str]:
        """Actor ids of the parties, optionally only those with the given roles."""
        return [p.actor for p in self.parties if not roles or p.role in roles]

    def active_on(self, day: dt.date) -> bool:
        """True if the tie is actual and ``day`` lies in [start.first, end.first]."""
        if self.status != "actual" or day < self.start.first:
            return False
        return self.end is None or day <= self.end.first


class EventType(StrEnum):
    COUP = "coup"
    COUP_ATTEMPT = "coup_attempt"
    TREATY = "treaty"
    FOUNDING = "founding"
    WITHDRAWAL = "withdrawal"
    SANCTIONS = "sanctions"
    SANCTIONS_LIFTED = "sanctions_lifted"
    SUSPENSION = "suspension"
    MANDATE = "mandate"
    MANDATE_END = "mandate_end"
    DEPLOYMENT = "deployment"
    DECLARATION = "declaration"
    STRATEGY = "strategy"
    SUMMIT = "summit"
    ATTACK = "attack"
    MILITARY_OPERATION = "military_operation"
    AGREEMENT_TERMINATION = "agreement_termination"


class EventActor(_Strict):
    actor: str
    role: str


class SystemEvent(_Strict):
    """A dated event that changes the system (coup, treaty, withdrawal, sanction...)."""

    id: str
    type: EventType
    title: str
    date: FuzzyDate
    country: str | None = None
    actors: list[EventActor] = Field(default_factory=list)
    ties: list[str] = Field(default_factory=list)
    attributes: dict[str, str | int | float] = Field(default_factory=dict)
    sources: list[Source] = Field(default_factory=list)
    notes: str | None = None

    @field_validator("id")
    @classmethod
    def _id_form(cls, value: str) -> str:
        if not _ID_RE.match(value):
            raise ValueError("ids are lower-case letters, digits and - _ . : (e.g. `coup-ner-2023`)")
        return value

    @field_validator("country")
    @classmethod
    def _iso3(cls, value: str | None) -> str | None:
        return _check_iso3(value)
