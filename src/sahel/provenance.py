"""Provenance and citations: the vocabulary every room uses to say where a figure comes from.

Why at the bottom of the house (DESIGN "Layout"): renderers, analyses, claims, the API and the
briefs all print provenance and citations; if these lived beside the warehouse, every one of them
would depend on the store just to name a source. This module imports nothing of the project but
the error tree.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sahel.errors import NotFoundError

#: What to cite for each event source (``events.source``).
CITATIONS: dict[str, str] = {
    "ucdp_ged": "UCDP Georeferenced Event Dataset (GED), CC BY 4.0. Sundberg, Ralph and Erik "
    "Melander (2013) Introducing the UCDP Georeferenced Event Dataset. JPR 50(4); Davies, "
    "Shawn, Therése Pettersson & Magnus Öberg (2024) Organized violence 1989–2023. JPR.",
    "ucdp_candidate": "UCDP Candidate Events Dataset, CC BY 4.0. Hegre, Håvard, Mihai Croicu, "
    "Kristine Eck & Stina Högbladh (2020) Introducing the UCDP Candidate Events Dataset. "
    "Research & Politics 7(3); Sundberg & Melander (2013) JPR 50(4).",
    "acled": "Armed Conflict Location & Event Data (ACLED), acleddata.com; Raleigh, Clionadh, "
    "Andrew Linke, Håvard Hegre & Joakim Karlsen (2010) Introducing ACLED. JPR 47(5). Used under "
    "ACLED's terms of use: derived figures only, no redistribution of event rows.",
}

#: Short forms for chart footers and captions (the full ones above go under every table).
SHORT_CITATIONS: dict[str, str] = {
    "ucdp_ged": "UCDP GED (Sundberg & Melander 2013; Davies et al. 2024), CC BY 4.0",
    "ucdp_candidate": "UCDP Candidate Events (Hegre et al. 2020), CC BY 4.0",
    "acled": "ACLED (Raleigh et al. 2010), acleddata.com — aggregates only",
    "ucdp": "UCDP GED (Sundberg & Melander 2013; Davies et al. 2024) and Candidate Events "
            "(Hegre et al. 2020), CC BY 4.0",
}

_UCDP_SERIES = (
    "UCDP Georeferenced Event Dataset (GED) 25.1 and UCDP Candidate Events Dataset, CC BY 4.0: "
    "Sundberg, Ralph & Erik Melander (2013) Introducing the UCDP Georeferenced Event Dataset. "
    "JPR 50(4); Hegre, Håvard, Mihai Croicu, Kristine Eck & Stina Högbladh (2020) Introducing "
    "the UCDP Candidate Events Dataset. Research & Politics 7(3)."
)
_UCDP_LICENCE = "CC BY 4.0 (UCDP); attribution required"

#: What to cite, and under which licence, for each family of aggregate series (``series_…``).
FAMILIES: dict[str, tuple[str, str]] = {
    "ucdp_pace": (_UCDP_SERIES + " Country-month table derived by PaCE "
                  "(conflictlab/Pace-map-risk, Hist.csv, 2026-06-24).", _UCDP_LICENCE),
    "views": ("ViEWS Prediction Challenge 2023/24 evaluation actuals (cm_actuals, "
              "PRIO/Uppsala): Hegre, Håvard et al. (2019) ViEWS: a political violence "
              "early-warning system. JPR 56(2); underlying data UCDP GED/Candidate, CC BY 4.0 "
              "(Sundberg & Melander 2013, JPR 50(4)).", _UCDP_LICENCE + "; cite ViEWS"),
    "acled_aggregate": ("Armed Conflict Location & Event Data (ACLED), curated aggregate data "
                        "(acleddata.com / HDX); Raleigh, Clionadh, Andrew Linke, Håvard Hegre & "
                        "Joakim Karlsen (2010) Introducing ACLED. JPR 47(5).",
                        "ACLED Terms of Use: aggregated figures may be shown with attribution to "
                        "ACLED; the source files and any event rows stay private"),
}

#: Each aggregate series and its family (``sahel.series.definitions`` defines the series; a
#: test keeps the two lists equal).
SERIES_FAMILIES: dict[str, str] = {
    "ucdp_pace_deaths_best": "ucdp_pace",
    "views_ged_sb": "views",
    **{name: "acled_aggregate" for name in (
        "acled_pv_events", "acled_pv_events_country_year", "acled_fatalities_country_year",
        "acled_bfa_pv_events_admin2", "acled_bfa_pv_fatalities_admin2",
        "acled_bfa_civ_events_admin2", "acled_bfa_civ_fatalities_admin2")},
}


def cite(name: str | None = None) -> list[tuple[str, str]]:
    """``(name, what to cite)`` for an event source, a series, or (None) all of them, in a
    fixed order. Unknown names are refused with the list of known ones."""
    rows = [(key, text) for key, text in CITATIONS.items()]
    rows += [(series, f"{FAMILIES[family][0]} Licence: {FAMILIES[family][1]}")
             for series, family in SERIES_FAMILIES.items()]
    if name is None:
        return rows
    chosen = [row for row in rows if row[0] == name]
    if not chosen:
        raise NotFoundError(f"no source or series named {name!r}",
                            hint="use one of " + ", ".join(key for key, _ in rows))
    return chosen


def citations_for(sources: list[str]) -> list[str]:
    """The citations of the event sources named (unknown names are skipped), in order."""
    return [CITATIONS[s] for s in sorted(set(sources)) if s in CITATIONS]


@dataclass
class Provenance:
    """Where a table's figures come from: the filters, the snapshots read, what to cite."""

    filters: str
    snapshots: list[dict[str, Any]]
    citations: list[str]

    def lines(self) -> list[str]:
        out = []
        for s in self.snapshots:
            out.append(
                f"{s['source']} {s['source_version']} — snapshot {s['snapshot_id']} "
                f"({s['file_name']}, sha256 {s['file_sha256'][:12]}…, ingested "
                f"{str(s['ingested_at'])[:19]})"
            )
        out.append(f"filters: {self.filters}")
        out.extend(f"cite: {c}" for c in self.citations)
        return out

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
