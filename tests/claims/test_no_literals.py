"""The engine knows no claim: no claim id, country code, place or date appears in the code of
``src/sahel/claims`` (docstrings and comments aside) — they live in the specs and the places
table. A kind tuned to one claim would show here."""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import pycountry
import yaml

ROOT = Path(__file__).resolve().parents[2]
CODE = sorted((ROOT / "src" / "sahel" / "claims").rglob("*.py"))
SPECS = sorted((ROOT / "registry" / "claims").glob("*.yaml"))
PLACES = sorted((ROOT / "registry" / "claims" / "places").glob("*.yaml"))
ISO3 = {c.alpha_3 for c in pycountry.countries}
#: a module constant naming a year bound of validation (e.g. ``LAST_YEAR = 2100``) is allowed
BOUND = re.compile(r"^[A-Z_]*YEAR[A-Z_]* = \d+\s*(#.*)?$")
DATE = re.compile(r"\b(19|20)\d\d-(0[1-9]|1[0-2])(-\d\d)?\b")


def _literals(path: Path) -> list[tuple[int, str, str]]:
    """(line, kind, text) of every string and number literal that is not a docstring."""
    out = []
    tokens = list(tokenize.generate_tokens(io.StringIO(path.read_text("utf-8")).readline))
    for i, tok in enumerate(tokens):
        if tok.type == tokenize.STRING:
            prev = next((t for t in reversed(tokens[:i]) if t.type not in (
                tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
                tokenize.COMMENT)), None)
            nxt = tokens[i + 1] if i + 1 < len(tokens) else None
            docstring = (prev is None or prev.string == ":" or prev.type in (
                tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT)) and nxt is not None and \
                nxt.type in (tokenize.NEWLINE, tokenize.NL)
            if not docstring:
                out.append((tok.start[0], "string", tok.string))
        elif tok.type == tokenize.NUMBER and not BOUND.match(tok.line):
            out.append((tok.start[0], "number", tok.string))
    return out


def _spec_words() -> tuple[set[str], set[str]]:
    ids, places = set(), set()
    for path in SPECS:
        ids.add(str(yaml.safe_load(path.read_text("utf-8"))["id"]))
    for path in PLACES:
        places |= {str(p["id"]) for p in yaml.safe_load(path.read_text("utf-8"))["places"]}
    return ids, places


def test_the_scan_sees_the_engine() -> None:
    assert len(CODE) >= 15 and len(SPECS) >= 13
    assert any(p.name == "share.py" for p in CODE)


def test_no_claim_id_country_place_or_date_in_the_engine() -> None:
    ids, places = _spec_words()
    found = []
    for path in CODE:
        for line, kind, text in _literals(path):
            where = f"{path.relative_to(ROOT)}:{line}: {text[:60]}"
            if kind == "number":
                value = float(text.replace("_", "")) if text.replace("_", "").replace(
                    ".", "", 1).isdigit() else None
                if value is not None and 1900 <= value <= 2100 and value.is_integer():
                    found.append(f"year {where}")
                continue
            body = text.strip("rbfuRBFU\"'")
            words = set(re.findall(r"[A-Za-z0-9][A-Za-z0-9_.-]*", body))
            if hit := words & ids:
                found.append(f"claim id {sorted(hit)} {where}")
            if hit := {w for w in words if w in ISO3 and w.isupper()}:
                found.append(f"country {sorted(hit)} {where}")
            if hit := words & places:
                found.append(f"place {sorted(hit)} {where}")
            if DATE.search(body):
                found.append(f"date {where}")
    assert not found, "\n".join(found)


def test_the_scan_would_catch_a_literal(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text('"""doc 2023-01-01 MLI"""\nX = "MLI"\nY = date(2023, 1, 1)\n'
                   'Z = "mali-vac-2023"\n', "utf-8")
    got = _literals(bad)
    assert ("string", '"MLI"') in [(k, t) for _, k, t in got]
    assert ("number", "2023") in [(k, t) for _, k, t in got]
    assert all("doc 2023" not in t for _, _, t in got)
