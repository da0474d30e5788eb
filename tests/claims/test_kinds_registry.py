"""registry_fact claims against the curated YAML (read with yaml alone), the SIPRI register and
Powell & Thyne (read with the csv module), and ATOP (pandas)."""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from sahel.claims.engine import check_claims
from sahel.errors import RegistryError

pytestmark = [pytest.mark.shared_data]
ROOT = Path(__file__).resolve().parents[2]


def _ties() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for path in sorted((ROOT / "registry" / "ties").glob("*.yaml")):
        out += yaml.safe_load(path.read_text("utf-8"))["ties"]
    return out


def _day(value: Any, last: bool = False) -> date:
    raw = value["value"] if isinstance(value, dict) else value
    text = raw.isoformat() if isinstance(raw, date) else str(raw)
    parts = [int(p) for p in text.split("-")]
    if len(parts) == 3:
        return date(*parts)
    if len(parts) == 2:
        return date(parts[0], parts[1], 28 if last else 1)
    return date(parts[0], 12, 31) if last else date(parts[0], 1, 1)


def test_real_drone_base_spec_matches_the_yaml(real_store: Path) -> None:
    on = date(2023, 12, 1)
    want = sorted(t["id"] for t in _ties() if t["type"] in ("drones", "basing")
                  and {"actor": "usa", "role": "provider"} in t["parties"]
                  and {"actor": "ner", "role": "recipient"} in t["parties"]
                  and _day(t["start"]) <= on and (t.get("end") is None
                                                  or on <= _day(t["end"], True))
                  and any("MQ-9" in s for s in t.get("attributes", {}).get("systems", [])))
    (r,) = check_claims(["us-drone-base-niger-2023"], db_path=real_store)
    assert r.evidence[0].stat["matching_ties"] == want == ["usa-ner-drone-base"]
    assert r.verdict == "supported"
    assert "doc 003" in str(r.evidence[0].values)  # the tie's sources are the evidence


FACT = """id: f
document: "t"
text: a fact
kind: registry_fact
fact:
  {what}
  sources: [{sources}]
expect: holds
tolerance: 0.0
needs: n/a
"""


def _fact(spec_dir: Callable[..., Path], store: Path, what: str,
          sources: str = "registry") -> Any:
    (r,) = check_claims(["f"], claims_dir=spec_dir(f=FACT.format(what=what, sources=sources)),
                        db_path=store)
    return r


def test_a_tie_at_the_wrong_date_or_amount(real_store: Path,
                                          spec_dir: Callable[..., Path]) -> None:
    late = _fact(spec_dir, real_store, "tie: {types: [drones], provider: [usa], recipient: "
                 "[ner], active_on: 2025-01-01}")
    assert late.verdict == "contradicted"
    assert "none at the dates claimed" in late.evidence[0].note
    amount = _fact(spec_dir, real_store, "tie: {types: [funding], provider: [European Peace "
                   "Facility], recipient: [Niger], start_from: 2023-01-01, amount: 50000000, "
                   "currency: EUR}")
    assert amount.verdict == "partly supported"
    assert "amount 50,000,000 EUR (registry: 40,000,000 EUR)" in amount.evidence[0].note
    nothing = _fact(spec_dir, real_store, "tie: {types: [basing], provider: [chn], "
                    "recipient: [ner]}")
    assert nothing.verdict == "not testable"  # absence from a curated registry proves nothing


def test_only_recipient(real_store: Path, spec_dir: Callable[..., Path]) -> None:
    eu_funded = sorted({p["actor"] for t in _ties() if t["type"] == "funding"
                        and {"actor": "epf", "role": "provider"} in t["parties"]
                        for p in t["parties"] if p["role"] == "recipient"})
    (r,) = check_claims(["epf-niger-2023"], db_path=real_store)
    assert r.verdict == ("supported" if eu_funded == ["ner"] else "partly supported")
    parents = {}
    for path in sorted((ROOT / "registry" / "actors").glob("*.yaml")):
        for a in yaml.safe_load(path.read_text("utf-8"))["actors"]:
            if a.get("parent"):
                parents[a["id"]] = a["parent"]["actor"]

    def family(root: str) -> set[str]:
        out = {root}
        while grown := {a for a, p in parents.items() if p in out} - out:
            out |= grown
        return out

    eu, ner = family("eu"), family("ner")
    rivals = sorted(t["id"] for t in _ties() if t["type"] == "funding"
                    and any(p["actor"] in eu and p["role"] in ("provider", "funder")
                            for p in t["parties"])
                    and _day(t["start"], True) >= date(2014, 1, 1)
                    and not any(p["actor"] in ner and p["role"] in ("recipient", "target")
                                for p in t["parties"]))
    other = _fact(spec_dir, real_store, "tie: {types: [funding], provider: [eu], recipient: "
                  "[ner], start_from: 2014-01-01, only: true}")
    assert other.verdict == ("partly supported" if rivals else "supported")
    for rival in rivals[:5]:
        assert rival in other.evidence[0].note


def test_unknown_actor_names_the_spec_field(real_store: Path,
                                           spec_dir: Callable[..., Path]) -> None:
    with pytest.raises(RegistryError) as err:
        _fact(spec_dir, real_store, "tie: {types: [drones], provider: [atlantis], "
              "recipient: [ner]}")
    assert err.value.field == "fact.tie.provider"
    assert err.value.file is not None and err.value.file.endswith("f.yaml")


def _sipri_rows(shared: Path) -> list[dict[str, str]]:
    with gzip.open(shared / "sipri" / "sipri_trade_register_all_generated_2026-05-18.csv.gz",
                   "rt", encoding="latin-1") as fh:
        lines = fh.read().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Recipient,Supplier"))
    reader = csv.reader(io.StringIO("\n".join(lines[start + 1:])))
    return [{"recipient": r[0], "supplier": r[1], "year": r[2], "designation": r[6]}
            for r in reader if len(r) > 6]


def test_real_turkish_drones_spec_matches_sipri(real_store: Path, shared_data: Path) -> None:
    rows = _sipri_rows(shared_data)
    names = {"mli": "Mali", "bfa": "Burkina Faso", "ner": "Niger"}
    want = {code: sorted({f"sipri-tur-{code}-{r['year']}" for r in rows
                          if r["supplier"] == "Turkiye" and r["recipient"] == name
                          and 2021 <= int(r["year"]) <= 2023 and "Bayraktar" in r["designation"]})
            for code, name in names.items()}
    (r,) = check_claims(["turkish-drones-2021"], db_path=real_store)
    sipri = {e.definition.split(":")[0]: e.stat["matching_ties"] for e in r.evidence
             if e.basis == "registry:sipri"}
    assert sipri == want and all(want.values())
    assert r.verdict == "supported"
    assert "parts: mli supported, bfa supported, ner supported" in r.summary


def test_a_coup_date_the_sources_disagree_on(real_store: Path, shared_data: Path,
                                             spec_dir: Callable[..., Path]) -> None:
    with (shared_data / "coups" / "powell_thyne_coups_final_V2023.09.08.tsv").open(
            encoding="utf-8") as fh:
        pt = [r for r in csv.DictReader(fh, delimiter="\t")
              if r["country"] == "Niger" and r["year"] == "2023"]
    assert [(r["month"], r["day"]) for r in pt] == [("6", "26")]  # upstream error, README flag 5
    r = _fact(spec_dir, real_store, "event: {types: [coup], country: NER, start: 2023-07-01, "
              "end: 2023-07-31}", "registry, powell_thyne")
    registry, powell = r.evidence
    assert registry.verdict == "supported" and "coup-ner-2023" in registry.note
    assert powell.verdict == "contradicted"
    assert r.verdict == "partly supported"
    june = _fact(spec_dir, real_store, "event: {types: [coup], country: NER, start: "
                 "2023-06-01, end: 2023-06-30}", "powell_thyne")
    assert june.verdict == "supported"


def test_alliances_from_atop_match_pandas(real_store: Path, shared_data: Path,
                                          spec_dir: Callable[..., Path]) -> None:
    atop = pd.read_csv(shared_data / "peacesciencer" / "peacesciencer_atop_alliance.csv.gz")
    flags = [c for c in atop.columns if c.startswith("atop_")]
    pair = atop[(((atop.ccode1 == 432) & (atop.ccode2 == 436))
                 | ((atop.ccode1 == 436) & (atop.ccode2 == 432))) & (atop.year == 2010)]
    allied = bool(pair[flags].to_numpy().any())
    r = _fact(spec_dir, real_store, "tie: {types: [alliance, defence_pact], provider: [mli], "
              "recipient: [ner], active_on: 2010-06-01}", "atop")
    assert r.verdict == ("supported" if allied else "contradicted")
    late = _fact(spec_dir, real_store, "tie: {types: [alliance, defence_pact], provider: "
                 "[mli], recipient: [ner], active_on: 2023-06-01}", "atop")
    assert late.verdict == "not testable"
    assert f"ends in {int(atop.year.max())}" in late.evidence[0].note
