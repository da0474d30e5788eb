"""Turn claim specs into evidence rows and one verdict each: load, open the store once (at
``as_of``), dispatch each claim to its kind (``sahel.claims.kinds``).

The verdict rule is the same for every kind (``sahel.claims.result``): each reasonable
definition that the data can measure gives its own verdict; the claim is *supported* only when
all of them support it, *contradicted* only when all of them contradict it, *partly supported*
otherwise, and *not testable* when none can be measured — then the result names the data that
would settle it.
"""

from __future__ import annotations

from pathlib import Path

from sahel.claims.evidence import Store
from sahel.claims.kinds import KINDS
from sahel.claims.places import load_places
from sahel.claims.result import (
    CONTRADICTED,
    PARTLY,
    SUPPORTED,
    UNTESTABLE,
    ClaimResult,
    Evidence,
)
from sahel.claims.spec import load_claims
from sahel.errors import NotFoundError

__all__ = ["CONTRADICTED", "PARTLY", "SUPPORTED", "UNTESTABLE", "ClaimResult", "Evidence",
           "check_claims"]


def check_claims(ids: list[str] | None = None, *, claims_dir: Path | None = None,
                 db_path: Path | None = None, registry_root: Path | None = None,
                 as_of: int | None = None) -> list[ClaimResult]:
    """Check the named claims (default: all) against the store — as it was at snapshot
    ``as_of`` (None: now) — the series, and the registry."""
    claims = load_claims(claims_dir)
    chosen = ids or list(claims)
    unknown = [i for i in chosen if i not in claims]
    if unknown:
        raise NotFoundError(f"no claim {unknown[0]!r}", field="ID",
                            hint=f"known claims: {', '.join(claims)}")
    store = Store(db_path, registry_root, as_of, places=load_places(claims_dir))
    try:
        results = [KINDS[claims[i].kind](claims[i], store) for i in chosen]
    finally:
        store.close()
    for r in results:
        r.as_of = as_of
    return results
