"""Public entry points of the claims room: one function per CLI command (and, later, per API
route). Each returns data or the text that is the product, never prints."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import pandas as pd

from sahel.claims.scaffold import NewClaim, new_claim
from sahel.registry.api import CheckReport
from sahel.registry.load import Problem

__all__ = ["NewClaim", "check_documents", "check_registry", "check_report", "claim_table", "new_claim"]


def claim_table(claims_dir: Path | None = None) -> pd.DataFrame:
    """The claim specs: id, document, kind and text (``sahel claims list``)."""
    from sahel.claims.spec import load_claims

    return pd.DataFrame([{"id": c.id, "document": c.document, "kind": c.kind, "text": c.text}
                         for c in load_claims(claims_dir).values()],
                        columns=["id", "document", "kind", "text"])


def check_report(ids: list[str] | None = None, *, fmt: Literal["md", "json"] = "md",
                 claims_dir: Path | None = None, db_path: Path | None = None,
                 as_of: int | None = None) -> str:
    """The evidence and verdicts of the named claims (default: all) as Markdown or JSON, from
    the store as it was at snapshot ``as_of`` (None: now) (``sahel claims check``)."""
    from sahel.claims.engine import check_claims
    from sahel.claims.report import to_json, to_markdown

    results = check_claims(ids, claims_dir=claims_dir, db_path=db_path, as_of=as_of)
    return to_markdown(results) if fmt == "md" else to_json(results)


def check_registry(root: Path | None = None, seeds: Path | None = None) -> CheckReport:
    """``sahel registry check``: the registry's own checks, plus every problem of the claim
    specs kept in its ``claims/`` folder (schema, countries, periods, places, quotes)."""
    from sahel.claims.spec import claim_problems
    from sahel.registry import api as registry_api

    report = registry_api.check_registry(root, seeds)
    report.problems.extend(Problem("claim_spec", e.message, Path(e.file) if e.file else None,
                                   e.line, e.field, e.hint)
                           for e in claim_problems(report.root / "claims", seeds))
    return report


def check_documents(ids: list[str] | None = None, *, claims_dir: Path | None = None,
                    db_path: Path | None = None, registry_root: Path | None = None,
                    as_of: int | None = None) -> list[dict[str, Any]]:
    """The verdicts and evidence of the named claims (default: all) as plain dicts, each with
    the claim's quote and the document it comes from (title, author, date) — what the API and
    the dashboard's claims page show."""
    from sahel.claims.engine import check_claims
    from sahel.claims.spec import load_claims
    from sahel.registry.checked import load_registry

    specs = load_claims(claims_dir)
    documents = load_registry(registry_root).documents
    out = []
    for result in check_claims(ids, claims_dir=claims_dir, db_path=db_path,
                               registry_root=registry_root, as_of=as_of):
        record = result.to_dict()
        spec = specs[result.claim.id]
        doc = documents.get(spec.document)
        record.update(quote=spec.quote, written=spec.written.isoformat() if spec.written else None,
                      source_document=doc.model_dump(mode="json") if doc else None)
        out.append(record)
    return out
