"""The read-only API under ``/api/v1``: each route parses its parameters, calls one library
function, and hands the result to :func:`sahel.web.respond.answer`.

No route writes SQL or computes a figure: aggregates come from
:func:`sahel.panels.aggregates.aggregates`, event pages from
:func:`sahel.panels.listing.event_page`, series from :func:`sahel.series.query.get_series`,
the registry from :mod:`sahel.registry.api`, claims from :mod:`sahel.claims.api`.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from sahel.errors import ConfigError, NotFoundError
from sahel.panels.aggregates import PERIODS, SPLITS, UNITS, aggregates, stored_sources
from sahel.panels.listing import event_page
from sahel.provenance import FAMILIES, Provenance, cite
from sahel.store.filters import parse_day
from sahel.web.params import (
    AsOf,
    Countries,
    Fmt,
    Limit,
    Offset,
    Selection,
    selection,
    split_values,
)
from sahel.web.respond import Reply, answer, audience_of
from sahel.web.state import Observatory


def refuse_unknown(request: Request) -> None:
    """A parameter the route does not know is refused, never ignored (a typo such as
    ``contry=MLI`` must not silently answer for every country)."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    allowed: set[str] = set()
    todo = [dependant]
    while todo:
        dep = todo.pop()
        allowed |= {p.alias for p in dep.query_params}
        todo.extend(dep.dependencies)
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        raise ConfigError(f"unknown parameter {unknown[0]!r}", field=unknown[0],
                          hint="this endpoint takes: " + ", ".join(sorted(allowed)))


router = APIRouter(prefix="/api/v1", dependencies=[Depends(refuse_unknown)])


def observatory(request: Request) -> Observatory:
    obs: Observatory = request.app.state.observatory
    return obs


Obs = Annotated[Observatory, Depends(observatory)]
Sel = Annotated[Selection, Depends(selection)]


def _limit(obs: Observatory, limit: int | None) -> int | None:
    """A page size within the server's bound (a larger one is refused, not cut silently)."""
    if limit is not None and limit > obs.config.max_page:
        raise ConfigError(f"limit {limit:,} is above the page limit {obs.config.max_page:,}",
                          field="limit", hint="ask for fewer rows and follow the next links")
    return limit


def _catalog_provenance(what: str, citations: list[str] | None = None) -> Provenance:
    return Provenance(what, [], citations or [])


@router.get("", summary="What this API serves")
def index(request: Request, obs: Obs) -> Response:
    """Links to every resource, the store state and the audience."""
    from sahel.registry.api import current_to

    def make() -> Reply:
        m = obs.measurer(None)
        current = current_to(root=obs.config.registry_root)
        doc = {"title": "Sahel Security Observatory API", "version": "v1",
               "store_state": obs.state, "snapshots": obs.snapshots,
               "public": obs.config.public, "sources": stored_sources(m),
               "sources_stored": stored_sources(m, combine=False),
               "registry_current_to": str(current) if current else None,
               "resources": {name: f"/api/v1/{name}" for name in (
                   "aggregates", "events", "series", "registry/actors", "registry/ties",
                   "registry/events", "registry/network", "registry/alignment", "claims",
                   "snapshots", "citations", "coverage", "boundaries/admin1")},
               "openapi": "/api/v1/openapi.json"}
        if obs.config.public:
            doc["acled_rows"] = ("not served: this server is public (bound to a non-loopback "
                                 "address); ACLED's terms allow aggregates only")
        return Reply(document=doc, provenance=_catalog_provenance("index"))
    return answer(request, obs, make, formats=("json",))


@router.get("/aggregates", summary="Events, fatalities and civilian deaths per place and period")
def get_aggregates(
    request: Request, obs: Obs, sel: Sel,
    unit: Annotated[str, Query(description="country or admin1")] = "country",
    period: Annotated[str, Query(description="month, year or total")] = "year",
    split: Annotated[str, Query(
        description="none, category, perpetrator or civilian_targeting")] = "none",
    limit: Limit = None, offset: Offset = 0, f: Fmt = None,
) -> Response:
    """Per source × country (or admin-1) × month/year/total: events, fatalities low/best/high,
    civilian deaths low/best/high (each source's own definition), optionally split by
    category, perpetrator group (registry) or civilian targeting. Sources are never summed
    together; country rows are zero inside coverage and absent outside it."""
    _limit(obs, limit)
    for value, allowed, name in ((unit, UNITS, "unit"), (period, PERIODS, "period"),
                                 (split, SPLITS, "split")):
        if value not in allowed:
            raise ConfigError(f"unknown {name} {value!r}", field=name,
                              hint="use one of " + ", ".join(allowed))

    def make() -> Reply:
        got = aggregates(obs.measurer(sel.filters.as_of), sel.filters, unit=unit,
                         period=period, split=split, perpetrator=sel.perpetrator,
                         side=sel.side)
        return Reply(got.table, got.provenance, got.notes, got.sources, got.versions,
                     offset=offset, name=f"aggregates-{unit}-{period}")
    return answer(request, obs, make, fmt=f, limit=_limit(obs, limit))


@router.get("/events", summary="Event rows (ACLED rows only on a local server)")
def get_events(request: Request, obs: Obs, sel: Sel, limit: Limit = None,
               offset: Offset = 0, f: Fmt = None) -> Response:
    """Events in day order, one page at a time (``limit``, ``next`` link), with the
    registry perpetrator groups of both sides. ``f=geojson`` gives map features: only events
    placed at a point or an admin-2 centre carry a geometry. On a public server ACLED rows are
    never listed (ACLED's terms); asking for them is refused with the reason."""
    _limit(obs, limit)
    page = min(limit or 1000, obs.config.max_page)

    public = audience_of(request, obs) == "public"

    def make() -> Reply:
        got = event_page(obs.measurer(sel.filters.as_of), sel.filters,
                         audience="public" if public else "local", limit=page,
                         offset=offset, perpetrator=sel.perpetrator, side=sel.side)
        notes = ["ACLED rows are not listed: this server is public (ACLED's terms allow "
                 "aggregates only)"] if public else []
        return Reply(got.table, got.provenance, notes, total=got.total, offset=offset,
                     name="events", paged=False)
    return answer(request, obs, make, fmt=f, limit=page,
                  formats=("json", "csv", "parquet", "geojson"))


@router.get("/series", summary="The aggregate series in the store")
def list_series_route(request: Request, obs: Obs, limit: Limit = None, offset: Offset = 0,
                      f: Fmt = None) -> Response:
    """Every imported series: definition, unit, coverage, licence."""
    from sahel.series.query import list_series

    def make() -> Reply:
        table = list_series(obs.config.db_path)
        citations = [FAMILIES[fam][0] for fam in sorted(set(table["family"])) if fam in FAMILIES]
        return Reply(table, _catalog_provenance("all series", citations), name="series",
                     offset=offset)
    return answer(request, obs, make, fmt=f, limit=_limit(obs, limit))


@router.get("/series/{name}", summary="Values of one series")
def get_series_route(
    request: Request, obs: Obs, name: Annotated[str, Path(max_length=100)],
    country: Countries = None,
    start: Annotated[str | None, Query(description="YYYY, YYYY-MM or YYYY-MM-DD")] = None,
    end: Annotated[str | None, Query(description="YYYY, YYYY-MM or YYYY-MM-DD")] = None,
    by: Annotated[str | None, Query(description="month or year (a monthly series summed)")] = None,
    as_of: AsOf = None, limit: Limit = None, offset: Offset = 0, f: Fmt = None,
) -> Response:
    """One figure per country (or admin-2) and period, with the series' provenance."""
    from sahel.series.query import get_series
    from sahel.store.filters import parse_day
    _limit(obs, limit)
    if by not in (None, "month", "year"):
        raise ConfigError(f"unknown by {by!r}", field="by", hint="use month or year")
    obs.check_as_of(as_of)

    def make() -> Reply:
        table, prov = get_series(name, countries=split_values(country),
                                 start=parse_day(start, False, "start"),
                                 end=parse_day(end, True, "end"), as_of=as_of,
                                 db_path=obs.config.db_path,
                                 by=by)  # type: ignore[arg-type]
        return Reply(table, prov, offset=offset, name=f"series-{name}")
    return answer(request, obs, make, fmt=f, limit=_limit(obs, limit))


def _registry_reply(obs: Observatory, table: pd.DataFrame, what: str, name: str,
                    offset: int = 0) -> Reply:
    from sahel.registry.load import registry_path

    root = registry_path(obs.config.registry_root)
    return Reply(table, _catalog_provenance(f"{what} (registry {root.name}/)"), name=name,
                 offset=offset, notes=["curated registry: every tie and event carries its sources "
                        "(docs/registry.md)"])


@router.get("/registry/actors", summary="Actors of the registry")
def registry_actors(request: Request, obs: Obs, limit: Limit = None, offset: Offset = 0,
                    f: Fmt = None) -> Response:
    """States, forces, missions, partners and armed groups with their North/South position,
    bloc and perpetrator group."""
    from sahel.registry.api import actor_table

    return answer(request, obs, lambda: _registry_reply(
        obs, actor_table(root=obs.config.registry_root), "actors", "actors", offset),
        fmt=f, limit=_limit(obs, limit))


@router.get("/registry/ties", summary="Security-cooperation ties")
def registry_ties(
    request: Request, obs: Obs,
    at: Annotated[str | None, Query(description="only ties active on this day")] = None,
    actor: Annotated[str | None, Query(max_length=100, description="an actor and its units")] = None,
    limit: Limit = None, offset: Offset = 0, f: Fmt = None,
) -> Response:
    """Every curated tie (or those active ``at`` a day): type, parties, dates,
    North–South/South–South/triangular class, horizontality, sources."""
    from sahel.registry.api import tie_table
    parse_day(at, False, "at")

    return answer(request, obs, lambda: _registry_reply(
        obs, tie_table(root=obs.config.registry_root, actor=actor, at=at, sources=True),
        "ties" + (f" active on {at}" if at else ""), "ties", offset), fmt=f, limit=_limit(obs, limit))


@router.get("/registry/events", summary="Dated system events (coups, treaties, withdrawals)")
def registry_events(
    request: Request, obs: Obs,
    country: Annotated[str | None, Query(max_length=3, description="ISO3: events placed there"
                                         )] = None,
    state: Annotated[str | None, Query(max_length=3, description="ISO3: events placed there or "
                                       "naming one of its actors (AES charter, sanctions)")] = None,
    start: Annotated[str | None, Query(description="YYYY, YYYY-MM or YYYY-MM-DD")] = None,
    end: Annotated[str | None, Query(description="YYYY, YYYY-MM or YYYY-MM-DD")] = None,
    limit: Limit = None, offset: Offset = 0, f: Fmt = None,
) -> Response:
    """Coups, sanctions, withdrawals, new alliances… with their dates and sources."""
    from sahel.registry.api import system_event_table
    first, last = parse_day(start, False, "start"), parse_day(end, True, "end")

    return answer(request, obs, lambda: _registry_reply(
        obs, system_event_table(root=obs.config.registry_root, country=country, state=state,
                                start=first, end=last),
        "system events", "system-events", offset), fmt=f, limit=_limit(obs, limit))


@router.get("/registry/network", summary="The network of ties on a day")
def registry_network(
    request: Request, obs: Obs,
    at: Annotated[str, Query(description="YYYY, YYYY-MM or YYYY-MM-DD")],
    actor: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    """Nodes (actors, position, bloc) and edges (ties active that day, type, class)."""
    from sahel.registry.api import network_export
    parse_day(at, False, "at")

    def make() -> Reply:
        doc = json.loads(network_export(at, "json", root=obs.config.registry_root,
                                        actor=actor, sources=True))
        return Reply(document=doc, provenance=_catalog_provenance(f"network on {at}"))
    return answer(request, obs, make, formats=("json",))


@router.get("/registry/alignment", summary="Monthly partner portfolios (alignment timelines)")
def registry_alignment(
    request: Request, obs: Obs,
    state: Annotated[list[str] | None, Query(description="ISO3 (default MLI, BFA, NER)")] = None,
    start: Annotated[str, Query(pattern=r"^\d{4}-\d{2}$", description="YYYY-MM")] = "2010-01",
    end: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}$", description="YYYY-MM")] = None,
    limit: Limit = None, offset: Offset = 0, f: Fmt = None,
) -> Response:
    """Per state and month: partner weights per bloc, the alignment index (+1 western …
    −1 Russia/Turkey/Gulf), the leading bloc and the ties behind it."""
    from sahel.registry.api import alignment
    states = [s.upper() for s in split_values(state)] or ["MLI", "BFA", "NER"]

    def make() -> Reply:
        report = alignment(states, root=obs.config.registry_root, start=start, end=end)
        frames = [frame.assign(state=code.upper()) for code, frame in report.portfolios.items()]
        table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        table = table[["state", *[c for c in table.columns if c != "state"]]]
        reply = _registry_reply(obs, table, "alignment portfolios", "alignment", offset)
        reply.extra = {"realignment": {k.upper(): v for k, v in report.realignment.items()}}
        return reply
    return answer(request, obs, make, fmt=f, limit=_limit(obs, limit))


def warm(obs: Observatory) -> None:
    """Compute the answers that take seconds (every claim's verdict; the admin-1 polygons) so
    the first visitor of the claims page or the map does not wait for them. Failures are left
    for the request that needs the answer to report."""
    from sahel.analysis.geo import admin1_geojson
    from sahel.errors import SahelError

    for step in (lambda: _claim_docs(obs, None),
                 lambda: admin1_geojson([], shared=obs.config.shared_data)):
        try:
            step()
        except SahelError:
            continue


def _claim_docs(obs: Observatory, as_of: int | None) -> list[dict[str, Any]]:
    from sahel.claims.api import check_documents

    return obs.memo(f"claims:{as_of}", lambda: check_documents(
        claims_dir=obs.config.claims_dir, db_path=obs.config.db_path,
        registry_root=obs.config.registry_root, as_of=as_of))


def _claims_reply(obs: Observatory, docs: list[dict[str, Any]]) -> Reply:
    """Provenance of claim checks: the snapshots their evidence read."""
    from sahel.store.query import snapshot_provenance

    snaps = sorted({int(s) for d in docs for e in d["evidence"] for s in e.get("snapshots") or []})
    return Reply(provenance=snapshot_provenance(
        snaps, "each claim's own definitions (see evidence[].filters)",
        db_path=obs.config.db_path))


@router.get("/claims", summary="Published claims and their verdicts")
def list_claims(request: Request, obs: Obs, as_of: AsOf = None, limit: Limit = None,
                offset: Offset = 0, f: Fmt = None) -> Response:
    """Each claim: its text, source document, verdict and one-line summary."""
    obs.check_as_of(as_of)

    def make() -> Reply:
        docs = _claim_docs(obs, as_of)
        table = pd.DataFrame([{k: d[k] for k in ("id", "document", "kind", "verdict",
                                                  "summary", "text")} for d in docs])
        reply = _claims_reply(obs, docs)
        reply.table, reply.name, reply.offset = table, "claims", offset
        return reply
    return answer(request, obs, make, fmt=f, limit=_limit(obs, limit))


@router.get("/claims/{claim_id}", summary="One claim: verdict, evidence, sources")
def get_claim(request: Request, obs: Obs, claim_id: Annotated[str, Path(max_length=100)],
              as_of: AsOf = None) -> Response:
    """The verdict with every definition's evidence (values, statistics, filters, snapshots,
    versions) and the claim's quote and source document."""
    obs.check_as_of(as_of)

    def make() -> Reply:
        docs = {d["id"]: d for d in _claim_docs(obs, as_of)}
        if claim_id not in docs:
            raise NotFoundError(f"no claim {claim_id!r}", field="claim_id",
                                hint="known claims: " + ", ".join(docs))
        reply = _claims_reply(obs, [docs[claim_id]])
        reply.document = docs[claim_id]
        return reply
    return answer(request, obs, make, formats=("json",))


@router.get("/snapshots", summary="Every ingest: source, version, file, rows, changes")
def snapshots(request: Request, obs: Obs, limit: Limit = None, offset: Offset = 0,
              f: Fmt = None) -> Response:
    """The store's history; any figure can be asked ``as_of`` one of these snapshots."""
    from sahel.store.query import list_snapshots

    def make() -> Reply:
        table = list_snapshots(db_path=obs.config.db_path)
        events = table[table["source"].isin(("ucdp_ged", "ucdp_candidate", "acled"))]
        return Reply(table, _catalog_provenance("all snapshots"),
                     sources=sorted(set(events["source"])), name="snapshots", offset=offset)
    return answer(request, obs, make, fmt=f, limit=_limit(obs, limit))


@router.get("/coverage", summary="Which days each source covers, per country")
def coverage_route(request: Request, obs: Obs, as_of: AsOf = None, limit: Limit = None,
                   offset: Offset = 0, f: Fmt = None) -> Response:
    """Per source and country, the spans inside which no event means zero events."""
    from sahel.store.query import coverage

    obs.check_as_of(as_of)

    def make() -> Reply:
        table = coverage(obs.measurer(as_of).con, as_of)
        return Reply(table, _catalog_provenance("coverage of every stored snapshot"),
                     name="coverage", offset=offset)
    return answer(request, obs, make, fmt=f, limit=_limit(obs, limit))


@router.get("/citations", summary="What to cite")
def citations(request: Request, obs: Obs, limit: Limit = None, offset: Offset = 0,
              f: Fmt = None) -> Response:
    """The citation and licence of every event source and series."""
    def make() -> Reply:
        table = pd.DataFrame(cite(), columns=["name", "cite"])
        return Reply(table, _catalog_provenance("all sources"), name="citations",
                     offset=offset)
    return answer(request, obs, make, fmt=f, limit=_limit(obs, limit))


@router.get("/boundaries/admin1", summary="Admin-1 polygons (GeoJSON) for the choropleth")
def boundaries_admin1(request: Request, obs: Obs, country: Countries = None) -> Response:
    """Natural Earth admin-1 polygons of the countries asked (default: every country with
    events), read from the boundary file the server was given — never bundled (see
    docs/adr/004). Each feature carries ``admin1_key``, the key of the aggregates' rows."""
    from sahel.analysis.geo import admin1_geojson
    def make() -> Reply:
        wanted = [c.upper() for c in split_values(country)]
        if not wanted:
            wanted = obs.measurer(None).coverage.countries()
        doc = admin1_geojson(wanted, shared=obs.config.shared_data)
        return Reply(document=doc, provenance=_catalog_provenance(
            "admin-1 boundaries", ["Natural Earth 1:10m admin-1 states and provinces (public "
                                   "domain), naturalearthdata.com; simplified TopoJSON"]))
    return answer(request, obs, make, formats=("json",))
