"""Before/after evidence for claims (filled in once the event-study analysis lands)."""

from __future__ import annotations

from sahel.claims.engine import UNTESTABLE, Evidence
from sahel.claims.evidence import Store
from sahel.claims.spec import Claim


def before_after_evidence(claim: Claim, store: Store) -> list[Evidence]:
    return [Evidence(d.label, "", [], [], "", {}, {}, False, "pending", UNTESTABLE)
            for d in claim.definitions]
