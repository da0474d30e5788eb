"""Name normalisation shared by alias validation and the event-actor matcher.

Why one function: "two aliases that map one name to two actors" must be judged with the same
notion of "the same name" that the matcher uses, or validation would pass a registry in which the
matcher silently picks one of two actors.
"""

from __future__ import annotations

import re
import unicodedata

_QUOTES = str.maketrans({"’": "'", "‘": "'", "`": "'", "“": '"', "”": '"', "–": "-", "—": "-"})
_SPACE = re.compile(r"\s+")
_SPACE_PUNCT = re.compile(r"\s*([(),;:/])\s*")


def normalise_name(name: str) -> str:
    """Casefold, drop accents, unify quotes and dashes, and collapse whitespace.

    ``"Dan na Ambassagou"`` and ``"Dan Na  Ambassagou"`` normalise alike, as do
    ``"Côte d’Ivoire"`` and ``"Cote d'Ivoire"``.
    """
    text = unicodedata.normalize("NFKD", name.translate(_QUOTES))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _SPACE.sub(" ", text.casefold()).strip()
    return _SPACE_PUNCT.sub(lambda m: m.group(1) + (" " if m.group(1) in ",;:" else ""), text)
