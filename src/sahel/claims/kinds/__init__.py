"""One module per shape of claim; each turns a :class:`~sahel.claims.spec.Claim` and the
:class:`~sahel.claims.evidence.Store` into a :class:`~sahel.claims.result.ClaimResult`.
``KINDS`` is what the engine dispatches on; a new kind is a new module and one line here."""

from __future__ import annotations

from collections.abc import Callable

from sahel.claims.evidence import Store
from sahel.claims.kinds.before_after import before_after
from sahel.claims.kinds.classic import compare, growth, outlook, trend
from sahel.claims.kinds.incident import incident
from sahel.claims.kinds.presence import presence
from sahel.claims.kinds.rank import rank
from sahel.claims.kinds.registry_fact import registry_fact
from sahel.claims.kinds.share import share
from sahel.claims.kinds.side_losses import side_losses
from sahel.claims.result import ClaimResult
from sahel.claims.spec import Claim

KINDS: dict[str, Callable[[Claim, Store], ClaimResult]] = {
    "growth": growth, "compare": compare, "trend": trend, "outlook": outlook,
    "before_after": before_after, "share": share, "presence": presence,
    "incident": incident, "side_losses": side_losses, "registry_fact": registry_fact,
    "rank": rank,
}
