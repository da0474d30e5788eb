"""Named places for claims: a small table of points (towns, a tripoint) kept as data.

A claim says "near Kidal" or "in Djibo"; the spec names the place (``near_place: {place:
kidal, km: 50}``) and this table, ``registry/claims/places/*.yaml``, gives its coordinates and
the basis for them. A claims folder of one's own may carry its own ``places/`` folder, whose
places are added to (and may replace) the registry's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sahel.errors import NotFoundError, RegistryError
from sahel.registry.load import locate, read_yaml_file, registry_path


class NamedPlace(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    name: str
    country: str | None = None
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    basis: str


@dataclass
class Places:
    """The places table: id -> place, and the file each came from."""

    places: dict[str, NamedPlace]
    files: dict[str, Path]

    def get(self, place_id: str, *, field: str = "near_place.place") -> NamedPlace:
        if place_id in self.places:
            return self.places[place_id]
        raise NotFoundError(f"no named place {place_id!r}", field=field,
                            hint="use one of " + ", ".join(sorted(self.places))
                            + " or add it to registry/claims/places/")


def _folders(claims_dir: Path | None) -> list[Path]:
    default = registry_path(None) / "claims" / "places"
    out = [default]
    if claims_dir is not None and (claims_dir / "places").resolve() != default.resolve():
        out.append(claims_dir / "places")
    return out


def load_places(claims_dir: Path | None = None) -> Places:
    """Every named place: the registry's, then those of ``claims_dir/places`` (which win)."""
    places: dict[str, NamedPlace] = {}
    files: dict[str, Path] = {}
    for folder in _folders(claims_dir):
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.yaml")):
            raw = read_yaml_file(path)
            items = raw.get("places") if isinstance(raw, dict) else None
            if not isinstance(items, list):
                raise RegistryError("a places file holds a list under `places:`", file=path,
                                    field="places", hint="see registry/claims/places/sahel.yaml")
            for index, item in enumerate(items):
                try:
                    place = NamedPlace.model_validate(item)
                except ValidationError as exc:
                    first = exc.errors()[0]
                    loc = ["places", index, *[p for p in first["loc"]
                                             if isinstance(p, int | str)]]
                    raise RegistryError(first["msg"], file=path, line=locate(raw, loc),
                                        field=".".join(map(str, loc)),
                                        hint="a place has id, name, lat, lon and basis") from exc
                places[place.id] = place
                files[place.id] = path
    return Places(places, files)
