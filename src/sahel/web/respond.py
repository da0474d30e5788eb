"""Answers: a table or document with its provenance, in JSON, CSV, Parquet or GeoJSON.

Why every answer goes through here: provenance must never be lost on the way out. It is in the
body (JSON ``provenance``; CSV ``#`` lines above the header; Parquet schema metadata) and in
headers (``X-Sahel-*``), so a figure copied from any of them can be traced to its source,
version, snapshots, filters and citation. Paging links, ETags keyed on the store state, and the
response cache are written once here as well.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from fastapi import Request
from fastapi.responses import Response

from sahel.errors import ConfigError
from sahel.events.places import MAP_POINT_OK
from sahel.provenance import SHORT_CITATIONS, Provenance
from sahel.web.params import FORMATS, MEDIA
from sahel.web.state import Observatory


@dataclass
class Reply:
    """What a route found: a table (or a document), where it comes from, what to know."""

    table: pd.DataFrame | None = None
    provenance: Provenance | None = None
    notes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    versions: list[str] = field(default_factory=list)
    document: dict[str, Any] | None = None
    total: int | None = None
    offset: int = 0
    name: str = "table"
    extra: dict[str, Any] = field(default_factory=dict)
    formats: tuple[str, ...] = FORMATS
    paged: bool = True  # whole table sliced here (False: the route read one page already)


def ascii_header(text: str, limit: int = 1500) -> str:
    """A header value: ASCII (accents folded, others dropped), one line, bounded."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(folded.split())[:limit]


def choose_format(request: Request, asked: str | None, allowed: tuple[str, ...]) -> str:
    """``f=`` wins; else the Accept header (CSV/Parquet/GeoJSON media types); else JSON."""
    if asked is not None:
        if asked not in allowed:
            raise ConfigError(f"unknown format {asked!r}", field="f",
                              hint="use one of " + ", ".join(allowed))
        return asked
    accept = request.headers.get("accept", "")
    for fmt in allowed:
        if fmt != "json" and MEDIA[fmt].split(";")[0] in accept:
            return fmt
    return "json"


def _page_links(request: Request, offset: int, count: int, total: int | None,
                limit: int) -> list[dict[str, str]]:
    base = str(request.url.path)
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "offset"]

    def href(off: int | None, **override: str) -> str:
        items = [(k, v) for k, v in query if k not in override]
        items += list(override.items())
        if off:
            items.append(("offset", str(off)))
        return base + ("?" + urlencode(items) if items else "")

    links = [{"rel": "self", "href": href(offset), "type": "application/json"}]
    if total is not None and offset + count < total:
        links.append({"rel": "next", "href": href(offset + limit), "type": "application/json"})
    if offset > 0:
        links.append({"rel": "prev", "href": href(max(0, offset - limit)),
                      "type": "application/json"})
    for fmt in ("csv", "parquet"):
        links.append({"rel": "alternate", "type": MEDIA[fmt].split(";")[0],
                      "href": href(offset, f=fmt)})
    return links


def provenance_doc(obs: Observatory, reply: Reply) -> dict[str, Any]:
    prov = reply.provenance
    doc: dict[str, Any] = prov.to_dict() if prov is not None else {
        "filters": "", "snapshots": [], "citations": []}
    sources = reply.sources or sorted({str(s["source"]) for s in doc["snapshots"]})
    versions = reply.versions or sorted({str(s["source_version"]) for s in doc["snapshots"]})
    doc.update(sources=sources, versions=versions, store_state=obs.state,
               audience="public" if obs.config.public else "local")
    return doc


def _headers(doc: dict[str, Any], links: list[dict[str, str]],
             total: int | None) -> dict[str, str]:
    short = [SHORT_CITATIONS.get(s, "") for s in doc["sources"]]
    snaps = ",".join(str(s["snapshot_id"]) for s in doc["snapshots"])
    headers = {
        "X-Sahel-State": doc["store_state"],
        "X-Sahel-Sources": ascii_header(",".join(doc["sources"])),
        "X-Sahel-Versions": ascii_header(",".join(doc["versions"])),
        "X-Sahel-Snapshots": ascii_header(snaps),
        "X-Sahel-Filters": ascii_header(str(doc["filters"])),
        "X-Sahel-Citation": ascii_header("; ".join(c for c in short if c)
                                         or "; ".join(doc["citations"])),
    }
    link = ", ".join(f'<{x["href"]}>; rel="{x["rel"]}"' for x in links
                     if x["rel"] in ("next", "prev"))
    if link:
        headers["Link"] = ascii_header(link, 4000)
    if total is not None:
        headers["X-Total-Count"] = str(total)
    return {k: v for k, v in headers.items() if v}


def _days(df: pd.DataFrame) -> pd.DataFrame:
    """Datetime columns that hold whole days (event dates) and columns of Python ``date``
    objects (coverage bounds) written as ``YYYY-MM-DD``, never as epoch milliseconds."""
    out = df
    for col in df.columns:
        values = df[col]
        if pd.api.types.is_datetime64_any_dtype(values):
            if (values.dropna() == values.dropna().dt.normalize()).all():
                out = out.assign(**{str(col): values.dt.strftime("%Y-%m-%d")})
        elif values.dtype == object:
            present = values.dropna()
            if len(present) and all(type(v) is date for v in present):
                out = out.assign(**{str(col): values.map(
                    lambda v: v.isoformat() if isinstance(v, date) else None)})
    return out


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = json.loads(_days(df).to_json(orient="records",
                                                             date_format="iso", date_unit="s"))
    return out


def _csv(df: pd.DataFrame, doc: dict[str, Any], notes: list[str]) -> bytes:
    lines = []
    if doc["sources"]:
        versions = f" (versions {', '.join(doc['versions'])})" if doc["versions"] else ""
        lines.append(f"# sources: {', '.join(doc['sources'])}{versions}")
    if doc["snapshots"]:
        lines.append(f"# snapshots: {', '.join(str(s['snapshot_id']) for s in doc['snapshots'])}")
    lines += [f"# filters: {doc['filters']}", f"# store state: {doc['store_state']}"]
    lines += [f"# cite: {c}" for c in doc["citations"]]
    lines += [f"# note: {n}" for n in notes]
    head = "\n".join(" ".join(line.split()) for line in lines) + "\n"
    return (head + df.to_csv(index=False, date_format="%Y-%m-%d")).encode("utf-8")


def _parquet(df: pd.DataFrame, doc: dict[str, Any], notes: list[str]) -> bytes:
    table = pa.Table.from_pandas(df, preserve_index=False)
    meta = dict(table.schema.metadata or {})
    meta[b"sahel.provenance"] = json.dumps({**doc, "notes": notes}, default=str).encode()
    buf = io.BytesIO()
    pq.write_table(table.replace_schema_metadata(meta), buf)
    return buf.getvalue()


def _geojson(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Features of event rows; only events placed at a point (exact, near, or an admin-2
    centre) carry a geometry — an event known only at admin-1 or country level never becomes
    a dot on a map (its geometry is null)."""
    feats = []
    for rec in _records(df):
        lat, lon = rec.get("latitude"), rec.get("longitude")
        point = (rec.get("geo_precision") in MAP_POINT_OK and lat is not None
                 and lon is not None and math.isfinite(lat) and math.isfinite(lon))
        geometry = {"type": "Point", "coordinates": [lon, lat]} if point else None
        feats.append({"type": "Feature", "id": rec.get("event_uid"), "geometry": geometry,
                      "properties": rec})
    return feats


def render(request: Request, obs: Observatory, reply: Reply, fmt: str,
           limit: int | None) -> tuple[bytes, dict[str, str], str]:
    """The body, headers and media type of ``reply`` in ``fmt``."""
    doc = provenance_doc(obs, reply)
    if reply.table is None:
        whole = {**(reply.document or {}), "provenance": doc, "notes": reply.notes,
                 "links": [{"rel": "self", "href": str(request.url.path) + (
                     "?" + request.url.query if request.url.query else "")}]}
        return (json.dumps(whole, ensure_ascii=False, default=str).encode(),
                _headers(doc, [], None), MEDIA["json"])
    table, total = reply.table, reply.total
    page = limit or obs.config.max_page
    if reply.paged:
        total = len(table)
        table = table.iloc[reply.offset:reply.offset + page]
    links = _page_links(request, reply.offset, len(table), total, page)
    headers = _headers(doc, links, total)
    if fmt == "csv":
        headers["Content-Disposition"] = f'attachment; filename="{reply.name}.csv"'
        return _csv(table, doc, reply.notes), headers, MEDIA["csv"]
    if fmt == "parquet":
        headers["Content-Disposition"] = f'attachment; filename="{reply.name}.parquet"'
        return _parquet(table, doc, reply.notes), headers, MEDIA["parquet"]
    body: dict[str, Any] = {"count": len(table), "total": total, "offset": reply.offset,
                            **reply.extra}
    if fmt == "geojson":
        body.update(type="FeatureCollection", features=_geojson(table))
        media = MEDIA["geojson"]
    else:
        body["data"] = _records(table)
        media = MEDIA["json"]
    body.update(links=links, provenance=doc, notes=reply.notes)
    return json.dumps(body, ensure_ascii=False, default=str).encode(), headers, media


#: headers a reverse proxy adds: a request that came through one is from the public, even on
#: a server bound to loopback (fails closed: ACLED rows stay with the local user)
PROXY_HEADERS = ("forwarded", "x-forwarded-for", "x-forwarded-host", "x-real-ip")


def audience_of(request: Request, obs: Observatory) -> str:
    """``public`` on a public server or for a request relayed by a proxy; else ``local``."""
    if obs.config.public or any(h in request.headers for h in PROXY_HEADERS):
        return "public"
    return "local"


def etag_of(obs: Observatory, request: Request) -> str:
    """The ETag of a GET (and the key of its cached answer): the store state, the audience
    and the request (path, parameters, Accept)."""
    query = sorted(request.query_params.multi_items())
    key = json.dumps([obs.state, audience_of(request, obs), request.url.path, query,
                      request.headers.get("accept", "")])
    return 'W/"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'


def answer(request: Request, obs: Observatory, make: Callable[[], Reply], *,
           fmt: str | None = None, limit: int | None = None,
           formats: tuple[str, ...] = FORMATS) -> Response:
    """Answer a GET: 304 when the client holds this state's copy, a cached body when the
    server made it before, else ``make()`` rendered in the format asked."""
    limit = min(limit or obs.config.max_page, obs.config.max_page)
    chosen = choose_format(request, fmt, formats)
    etag = etag_of(obs, request)
    if etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers={"ETag": etag, "X-Sahel-State": obs.state})
    cached = obs.cache.get(etag)
    if cached is None:
        body, headers, media = render(request, obs, make(), chosen, limit)
        obs.cache.put(etag, body, headers, media)
    else:
        body, headers, media = cached
    headers = {**headers, "ETag": etag, "Cache-Control": "no-cache"}
    return Response(content=body, media_type=media, headers=headers)
