"""The spec of the new kinds: what each needs, named places, quotes checked against their
documents, and the places table checked against Natural Earth (read in place)."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from sahel.claims.kinds.incident import km_between
from sahel.claims.places import load_places
from sahel.claims.spec import claim_problems, load_claims
from sahel.errors import RegistryError

BASE = """id: x
document: "003"
text: t
kind: {kind}
countries: [MLI]
periods: [{{label: "2023", start: 2023-01-01, end: 2023-12-31}}]
expect: {expect}
{extra}
definitions:
  - {{label: d, source: ucdp_ged{defn}}}
needs: n
"""


def _load(spec_dir: Callable[..., Path], **kw: str) -> RegistryError | None:
    kw.setdefault("extra", "")
    kw.setdefault("defn", "")
    try:
        load_claims(spec_dir(x=BASE.format(**kw)))
    except RegistryError as exc:
        return exc
    return None


@pytest.mark.parametrize(("kw", "message"), [
    ({"kind": "share", "expect": "more_than"}, "needs attributed_to"),
    ({"kind": "share", "expect": "more_than", "extra": "attributed_to: [jihadist]"},
     "needs expected, a share between 0 and 1"),
    ({"kind": "share", "expect": "increase", "extra": "attributed_to: [jihadist]"},
     "a share claim expects more_than or less_than or about"),
    ({"kind": "share", "expect": "more_than", "extra": "attributed_to: [pirates]\nexpected: 1"},
     "unknown perpetrator group(s) pirates"),
    ({"kind": "incident", "expect": "match"}, "needs incident"),
    ({"kind": "incident", "expect": "match", "extra": "incident: {day: 2023-01-01, toll: 3}"},
     "needs place (a named place) or lat and lon"),
    ({"kind": "side_losses", "expect": "increase", "extra": "side: [state_forces]"},
     "needs two periods"),
    ({"kind": "side_losses", "expect": "higher", "extra": "side: [state_forces]"},
     "needs against"),
    ({"kind": "rank", "expect": "highest"}, "needs rank"),
    ({"kind": "registry_fact", "expect": "holds"}, "needs fact"),
    ({"kind": "registry_fact", "expect": "holds",
      "extra": "fact: {tie: {types: [drones]}}"}, "names a provider or a recipient"),
    ({"kind": "registry_fact", "expect": "holds",
      "extra": "fact: {event: {types: [coup], start: 2023-01-01, end: 2023-12-31}, "
               "sources: [sipri]}"}, "checked against registry and powell_thyne"),
    ({"kind": "presence", "expect": "present", "extra": "places: {nowhere: {}}"},
     "names no admin1, admin2, bbox or near"),
    ({"kind": "presence", "expect": "present", "defn": ", near: [1, 2, 3], "
      "near_place: {place: kidal, km: 5}"}, "not both"),
])
def test_each_kind_says_what_it_needs(spec_dir: Callable[..., Path], kw: dict[str, str],
                                      message: str) -> None:
    err = _load(spec_dir, **kw)
    assert err is not None and message in err.message, err
    assert err.file is not None and err.file.endswith("x.yaml")


def test_a_share_spec_with_a_series_is_refused(spec_dir: Callable[..., Path]) -> None:
    body = BASE.format(kind="share", expect="more_than", defn="",
                       extra="attributed_to: [jihadist]\nexpected: 0.5").replace(
        "source: ucdp_ged", "series: ucdp_pace_deaths_best")
    with pytest.raises(RegistryError, match="measures events"):
        load_claims(spec_dir(x=body))


def test_an_unknown_named_place_names_file_line_and_field(
        spec_dir: Callable[..., Path]) -> None:
    err = _load(spec_dir, kind="presence", expect="present",
                defn=", near_place: {place: atlantis, km: 10}")
    assert err is not None
    assert err.message == "no named place 'atlantis'"
    assert err.field == "definitions.0.near_place.place" and err.line == 10
    assert "kidal" in (err.hint or "")


def test_a_claims_folder_may_add_places(spec_dir: Callable[..., Path]) -> None:
    folder = spec_dir(x=BASE.format(kind="presence", expect="present", extra="",
                                    defn=", near_place: {place: here, km: 10}"))
    (folder / "places").mkdir()
    (folder / "places" / "mine.yaml").write_text(
        "places:\n  - {id: here, name: Here, lat: 15, lon: 0, basis: test}\n", "utf-8")
    assert load_claims(folder)["x"].definitions[0].near_place is not None
    assert load_places(folder).get("here").lat == 15
    (folder / "places" / "mine.yaml").write_text(
        "places:\n  - {id: here, name: Here, lat: 95, lon: 0, basis: test}\n", "utf-8")
    with pytest.raises(RegistryError) as err:
        load_claims(folder)
    assert err.value.field == "places.0.lat" and err.value.line == 2


def test_claim_quotes_are_checked_against_their_documents(
        spec_dir: Callable[..., Path], tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "003_2bb7879cc81fd913.txt").write_text("Mali’s army “fought” near Kidal.\n",
                                                    "utf-8")
    good = BASE.format(kind="presence", expect="present", extra="quote: \"Mali's army "
                       "\\\"fought\\\"\\n near Kidal\"", defn="")
    assert claim_problems(spec_dir(x=good), seeds) == []
    bad = good.replace("near Kidal", "near Gao")
    (problem,) = claim_problems(spec_dir(x=bad), seeds)
    assert problem.field == "quote" and "not found verbatim in doc 003" in problem.message
    assert problem.line == 8  # the quote's own line


def test_the_real_claim_quotes_are_in_their_documents(shared_data: Path) -> None:
    folder = Path(__file__).resolve().parents[2] / "registry" / "claims"
    assert claim_problems(folder, shared_data.parent / "seeds") == []


def test_named_places_agree_with_natural_earth(shared_data: Path) -> None:
    """Town coordinates within 5 km of Natural Earth's populated place of that name (read in
    place); the tripoint within 1 km of the Burkina Faso–Niger boundary line's end."""
    ne = shared_data / "boundaries" / "natural_earth"
    with gzip.open(ne / "ne_10m_populated_places.geojson.gz", "rt", encoding="utf-8") as fh:
        towns = {}
        for f in json.load(fh)["features"]:
            p = f["properties"]
            towns.setdefault((p.get("NAME") or p.get("name"), p.get("ADM0_A3")),
                             f["geometry"]["coordinates"])
    places = load_places().places
    checked = 0
    for place in places.values():
        short = place.name.split(" (")[0].split(",")[0]
        if (short, place.country) in towns:
            lon, lat = towns[(short, place.country)]
            assert km_between(place.lat, place.lon, lat, lon) < 5, place.id
            checked += 1
    assert checked >= 5
    with gzip.open(ne / "ne_10m_admin_0_boundary_lines_land.geojson.gz", "rt",
                   encoding="utf-8") as fh:
        ends = []
        for f in json.load(fh)["features"]:
            p = {k.lower(): v for k, v in f["properties"].items()}
            if {p.get("adm0_left"), p.get("adm0_right")} == {"Niger", "Burkina Faso"}:
                g = f["geometry"]
                lines = [g["coordinates"]] if g["type"] == "LineString" else g["coordinates"]
                ends += [pt for line in lines for pt in (line[0], line[-1])]
    tri = places["liptako-gourma-tripoint"]
    assert min(km_between(tri.lat, tri.lon, la, lo) for lo, la in ends) < 1
