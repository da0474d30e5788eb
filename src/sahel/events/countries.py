"""Country names and codes of UCDP and ACLED -> ISO 3166 alpha-3.

Sources name countries their own way ("Ivory Coast", "DR Congo (Zaire)", "Russia (Soviet
Union)", "eSwatini"); ACLED also gives the ISO numeric code. Resolution order: alpha-3 code, ISO
numeric code, our alias table, pycountry's names. Unknown names are row errors at ingest (never
silently dropped), with the fix: add the alias here.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import pycountry

#: names used by UCDP/ACLED/ViEWS/PaCE that pycountry does not resolve (normalised keys)
ALIASES: dict[str, str] = {
    "ivory coast": "CIV", "cote d'ivoire": "CIV",
    "dr congo (zaire)": "COD", "dr congo": "COD", "democratic republic of congo": "COD",
    "democratic republic of the congo": "COD", "dem. rep. congo": "COD", "congo": "COG",
    "republic of congo": "COG", "russia (soviet union)": "RUS", "russia": "RUS",
    "yemen (north yemen)": "YEM", "yemen": "YEM", "cambodia (kampuchea)": "KHM",
    "myanmar (burma)": "MMR", "myanmar": "MMR", "burma": "MMR", "zimbabwe (rhodesia)": "ZWE",
    "serbia (yugoslavia)": "SRB", "yugoslavia": "SRB", "madagascar (malagasy)": "MDG",
    "bosnia-herzegovina": "BIH", "bosnia and herzegovina": "BIH",
    "kingdom of eswatini (swaziland)": "SWZ", "eswatini": "SWZ", "swaziland": "SWZ",
    "macedonia, fyr": "MKD", "macedonia": "MKD", "north macedonia": "MKD",
    "vietnam (north vietnam)": "VNM", "vietnam": "VNM", "iran": "IRN", "syria": "SYR",
    "laos": "LAO", "bolivia": "BOL", "venezuela": "VEN", "tanzania": "TZA",
    "south korea": "KOR", "north korea": "PRK", "moldova": "MDA", "czech republic": "CZE",
    "turkey": "TUR", "turkiye": "TUR", "central african republic": "CAF",
    "central african rep.": "CAF", "cape verde": "CPV", "gambia": "GMB", "the gambia": "GMB",
    "guinea-bissau": "GNB", "guinea bissau": "GNB", "east timor": "TLS", "timor-leste": "TLS",
    "palestine": "PSE", "kosovo": "XKX", "taiwan": "TWN", "micronesia": "FSM",
    "brunei": "BRN", "united states": "USA", "united states of america": "USA",
    "united kingdom": "GBR", "bahamas": "BHS", "vatican city": "VAT",
    "saint vincent and the grenadines": "VCT", "south sudan": "SSD", "sudan": "SDN",
    "libya": "LBY", "egypt": "EGY", "niger": "NER", "nigeria": "NGA", "guinea": "GIN",
    "equatorial guinea": "GNQ", "mali": "MLI", "burkina faso": "BFA", "chad": "TCD",
    "mauritania": "MRT", "benin": "BEN", "togo": "TGO", "ghana": "GHA", "senegal": "SEN",
    "cameroon": "CMR", "sierra leone": "SLE", "liberia": "LBR", "western sahara": "ESH",
    "somaliland": "SOM", "hyderabad": "IND", "south vietnam": "VNM",
    "yemen (south yemen)": "YEM", "german democratic republic": "DEU",
    "germany (prussia)": "DEU", "germany": "DEU",
}


def normalise(name: str) -> str:
    """Lower-case, accents removed, single spaces: 'Curaçao ' -> 'curacao'."""
    text = unicodedata.normalize("NFKD", name.strip().lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", text)


@lru_cache(maxsize=1)
def _pycountry_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for c in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            value = getattr(c, attr, None)
            if value:
                names.setdefault(normalise(value), str(c.alpha_3))
    return names


def known_names() -> dict[str, str]:
    """Every name :func:`to_iso3` resolves without a code, as normalised key -> alpha-3.

    The single-pass ingest joins it on ``lower(name)``: a name found this way resolves as
    ``to_iso3`` would (the keys are already lower-case, accent-free, single-spaced); any other
    name sends the file down the staged path, where ``to_iso3`` decides or reports it.
    """
    return {**_pycountry_names(), **ALIASES}  # aliases first in to_iso3, so they win here


@lru_cache(maxsize=4096)
def to_iso3(name: str | None, code: str | None = None) -> str | None:
    """Resolve a source's country to ISO alpha-3, or ``None`` when unknown."""
    if code:
        code = code.strip()
        if re.fullmatch(r"[A-Za-z]{3}", code):
            hit = pycountry.countries.get(alpha_3=code.upper())
            if hit is not None:
                return str(hit.alpha_3)
        if code.isdigit():
            if code == "0":
                code = ""
            else:
                hit = pycountry.countries.get(numeric=code.zfill(3))
                if hit is not None:
                    return str(hit.alpha_3)
    if not name:
        return None
    key = normalise(name)
    if key in ALIASES:
        return ALIASES[key]
    return _pycountry_names().get(key)


def country_name(iso3: str) -> str:
    """A readable English name for an ISO alpha-3 code (for tables and reports)."""
    hit = pycountry.countries.get(alpha_3=iso3)
    if hit is None:
        return iso3
    return str(getattr(hit, "common_name", None) or hit.name)
