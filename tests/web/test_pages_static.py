"""Static checks of the dashboard's files (no browser): no inline script or style (the CSP
refuses them), every word the pages use is in the English message catalogue, every page loads
only files that exist under /static."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from sahel.web.app import PAGES

STATIC = Path(__file__).resolve().parents[2] / "src" / "sahel" / "web" / "static"
HTML = {name: (STATIC / "pages" / f"{name}.html").read_text(encoding="utf-8") for name in PAGES}
JS = {path.name: path.read_text(encoding="utf-8") for path in sorted((STATIC / "js").glob("*.js"))}
CATALOGUE: dict[str, str] = json.loads((STATIC / "i18n" / "en.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", PAGES)
def test_page_has_no_inline_script_or_style(name: str) -> None:
    html = HTML[name]
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script>"
    assert "<style" not in html
    assert not re.search(r"\sstyle\s*=", html), "style= attribute"
    assert not re.search(r"\son[a-z]+\s*=", html), "inline event handler"


@pytest.mark.parametrize("name", PAGES)
def test_page_loads_only_local_files_that_exist(name: str) -> None:
    refs = re.findall(r'(?:src|href)="([^"]+)"', HTML[name])
    for ref in refs:
        if ref.startswith("data:") or ref.startswith("#"):
            continue
        assert ref.startswith("/"), f"{name}: {ref} is not on this server"
        if ref.startswith("/static/"):
            assert (STATIC / ref.removeprefix("/static/")).is_file(), ref
    for module, text in JS.items():
        for ref in re.findall(r"from '(\./[^']+|/static/[^']+)'", text):
            target = (STATIC / "js" / ref[2:] if ref.startswith("./")
                      else STATIC / ref.removeprefix("/static/"))
            assert target.is_file(), f"{module}: {ref}"


def test_every_word_is_in_the_catalogue() -> None:
    used: set[str] = set()
    for text in HTML.values():
        used |= set(re.findall(r'data-i18n(?:-label)?="([^"]+)"', text))
    for text in JS.values():
        used |= set(re.findall(r"\bt\('([a-z0-9_.]+)'", text))
    missing = sorted(key for key in used if key not in CATALOGUE)
    assert not missing, f"not in static/i18n/en.json: {missing}"
    # the HTML's own words are the catalogue's (so a page reads the same before and after JS)
    for name, text in HTML.items():
        for key, words in re.findall(r'data-i18n="([^"]+)"[^>]*>([^<]+)<', text):
            assert CATALOGUE[key] == words.strip(), (name, key)
