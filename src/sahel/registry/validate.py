"""Cross-record validation of the registry (what ``sahel registry check`` runs, and CI).

A record can be schema-valid and still wrong in context: a tie naming an actor that does not
exist, an end date before its start, a tie without a source, two actors claiming the same alias
(the event matcher would then pick one at random). Each check yields a :class:`Problem` with the
file, the YAML line, the field and the fix.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sahel.registry.freshness import DEFAULT_THRESHOLD_MONTHS, stale_ties
from sahel.registry.load import Problem, Registry, locate, read_registry
from sahel.registry.models import ActorKind, FuzzyDate, Source
from sahel.registry.names import normalise_name

_WS = re.compile(r"\s+")


@dataclass
class CheckReport:
    """Result of a registry check: the problems, the warnings, and counts of what was read.

    ``warnings`` never fail the check: they flag what a curator should look at (ongoing ties
    with no recent source), not what is wrong.
    """

    root: Path
    problems: list[Problem] = field(default_factory=list)
    registry: Registry | None = None
    warnings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def counts(self) -> dict[str, int]:
        reg = self.registry
        if reg is None:
            return {}
        return {
            "actors": len(reg.actors),
            "ties": len(reg.ties),
            "events": len(reg.events),
            "documents": len(reg.documents),
            "aliases": sum(len(a.aliases) for a in reg.actors.values()),
        }

    def raise_if_failed(self) -> None:
        """Raise the first problem as a RegistryError, saying how many there are in all."""
        if self.problems:
            first = self.problems[0]
            err = first.to_error()
            if len(self.problems) > 1:
                err.message += f" (and {len(self.problems) - 1} more problems)"
                err.args = (err.render(),)
            raise err


def _where(reg: Registry, section: str, record_id: str, loc: list[int | str]) -> tuple[Any, Any]:
    origin = reg.origins.get((section, record_id))
    raw = reg.raw.get((section, record_id))
    line = locate(raw, loc) if raw is not None else None
    return (origin.file if origin else None), (line or (origin.line if origin else None))


def _problem(
    reg: Registry,
    section: str,
    record_id: str,
    loc: list[int | str],
    code: str,
    message: str,
    hint: str,
) -> Problem:
    file, line = _where(reg, section, record_id, loc)
    return Problem(code, message, file, line, ".".join(map(str, loc)) or None, hint)


def _check_sources(
    reg: Registry, section: str, record_id: str, sources: list[Source], required: bool
) -> Iterator[Problem]:
    if required and not sources:
        yield _problem(
            reg,
            section,
            record_id,
            [],
            "no_source",
            f"{section[:-1]} {record_id!r} has no source",
            "add `sources:` with a `doc:` (and `quote:`) or a `citation:` and `url:`",
        )
    for index, source in enumerate(sources):
        if source.doc is not None and source.doc not in reg.documents:
            yield _problem(
                reg,
                section,
                record_id,
                ["sources", index, "doc"],
                "dangling_doc",
                f"source document {source.doc!r} is not in documents.yaml",
                "add the document to registry/documents.yaml or correct the id",
            )


def _check_interval(
    reg: Registry,
    section: str,
    record_id: str,
    start: FuzzyDate | None,
    end: FuzzyDate | None,
    end_field: str,
) -> Iterator[Problem]:
    if start is not None and end is not None and end.last < start.first:
        yield _problem(
            reg,
            section,
            record_id,
            [end_field],
            "end_before_start",
            f"{record_id!r} ends ({end}) before it starts ({start})",
            "swap or correct the dates; if unsure, widen the precision and state the basis",
        )


def _check_actors(reg: Registry) -> Iterator[Problem]:
    for actor in reg.actors.values():
        if actor.parent is not None:
            if actor.parent.actor not in reg.actors:
                yield _problem(
                    reg,
                    "actors",
                    actor.id,
                    ["parent", "actor"],
                    "dangling_ref",
                    f"actor {actor.id!r} names unknown parent {actor.parent.actor!r}",
                    "add that actor or correct the id",
                )
            else:
                seen = {actor.id}
                node = reg.actors.get(actor.parent.actor)
                while node is not None and node.parent is not None:
                    if node.id in seen:
                        yield _problem(
                            reg,
                            "actors",
                            actor.id,
                            ["parent"],
                            "parent_cycle",
                            f"actor {actor.id!r} is its own ancestor",
                            "break the cycle of `parent:` links",
                        )
                        break
                    seen.add(node.id)
                    node = reg.actors.get(node.parent.actor)
        if actor.kind == ActorKind.ARMED_GROUP and actor.perpetrator_group is None:
            yield _problem(
                reg,
                "actors",
                actor.id,
                ["kind"],
                "no_group",
                f"armed group {actor.id!r} needs a `perpetrator_group`",
                "set perpetrator_group: jihadist | separatist | militia | other",
            )
        if actor.position.value != "not_applicable" and not actor.position.basis.strip():
            yield _problem(
                reg,
                "actors",
                actor.id,
                ["position", "basis"],
                "no_basis",
                f"actor {actor.id!r} has a North/South position without a basis",
                "say why (e.g. 'G77 member; DAC aid recipient')",
            )
        yield from _check_interval(reg, "actors", actor.id, actor.founded, actor.dissolved,
                                   "dissolved")
        yield from _check_sources(reg, "actors", actor.id, actor.sources, required=False)


def _check_aliases(reg: Registry) -> Iterator[Problem]:
    owners: dict[str, tuple[str, str]] = {}
    for actor in reg.actors.values():
        names: list[tuple[str, list[int | str]]] = [(actor.name, ["name"])]
        names += [(alias.name, ["aliases", i]) for i, alias in enumerate(actor.aliases)]
        for name, loc in names:
            key = normalise_name(name)
            owner = owners.get(key)
            if owner is None:
                owners[key] = (actor.id, name)
            elif owner[0] != actor.id:
                yield _problem(
                    reg,
                    "actors",
                    actor.id,
                    list(loc),
                    "alias_conflict",
                    f"name {name!r} of {actor.id!r} also names {owner[0]!r} (as {owner[1]!r})",
                    "keep the name on one actor only; use a more specific alias on the other",
                )


def _check_ties(reg: Registry) -> Iterator[Problem]:
    for tie in reg.ties.values():
        for index, party in enumerate(tie.parties):
            if party.actor not in reg.actors:
                yield _problem(
                    reg,
                    "ties",
                    tie.id,
                    ["parties", index, "actor"],
                    "dangling_ref",
                    f"tie {tie.id!r} names unknown actor {party.actor!r}",
                    "add the actor under registry/actors/ or correct the id",
                )
        yield from _check_interval(reg, "ties", tie.id, tie.start, tie.end, "end")
        yield from _check_sources(reg, "ties", tie.id, tie.sources, required=True)


def _check_events(reg: Registry) -> Iterator[Problem]:
    for event in reg.events.values():
        for index, ref in enumerate(event.actors):
            if ref.actor not in reg.actors:
                yield _problem(
                    reg,
                    "events",
                    event.id,
                    ["actors", index, "actor"],
                    "dangling_ref",
                    f"event {event.id!r} names unknown actor {ref.actor!r}",
                    "add the actor under registry/actors/ or correct the id",
                )
        for index, tie_id in enumerate(event.ties):
            if tie_id not in reg.ties:
                yield _problem(
                    reg,
                    "events",
                    event.id,
                    ["ties", index],
                    "dangling_ref",
                    f"event {event.id!r} names unknown tie {tie_id!r}",
                    "correct the tie id or remove it",
                )
        if event.type in {"coup", "coup_attempt"} and event.country is None:
            yield _problem(
                reg,
                "events",
                event.id,
                ["country"],
                "no_country",
                f"coup event {event.id!r} needs `country:`",
                "add the ISO3 code of the country",
            )
        yield from _check_sources(reg, "events", event.id, event.sources, required=True)


def _flat(text: str) -> str:
    return _WS.sub(" ", normalise_name(text)).strip()


def check_quotes(reg: Registry, seeds: Path) -> Iterator[Problem]:
    """Every ``quote`` attributed to a document must occur verbatim in that document's text.

    Comparison ignores case, accents, quote styles and line breaks (the seed texts are PDF
    extractions), nothing else. Documents without a ``file`` are skipped.
    """
    texts: dict[str, str] = {}
    for doc in reg.documents.values():
        if doc.file is None:
            continue
        path = seeds / doc.file
        if not path.is_file():
            yield Problem("missing_document", f"document {doc.id} file not found: {path}",
                          reg.origins[("documents", doc.id)].file, None, "file",
                          hint="pass --seeds PATH to the folder holding the seed texts")
            continue
        texts[doc.id] = _flat(path.read_text(encoding="utf-8"))
    for section in ("actors", "ties", "events"):
        records: dict[str, Any] = getattr(reg, section)
        for record_id, record in records.items():
            for index, source in enumerate(record.sources):
                text = texts.get(source.doc or "")
                if text is None or source.quote is None:
                    continue
                if _flat(source.quote) not in text:
                    yield _problem(
                        reg, section, record_id, ["sources", index, "quote"], "quote_not_found",
                        f"quote not found verbatim in doc {source.doc}: {source.quote[:60]!r}",
                        "copy the quote exactly from the document (line breaks may differ)",
                    )


def check_freshness(
    reg: Registry, at: dt.date | None = None, threshold_months: int = DEFAULT_THRESHOLD_MONTHS
) -> Iterator[Problem]:
    """A warning for every ongoing tie with no source newer than the threshold (freshness.py).

    Why a warning and not an error: an old source does not make a tie wrong, only unchecked;
    the curator decides whether it still holds, has ended, or needs a newer source.
    """
    for tie in stale_ties(reg, at, threshold_months):
        newest = f"newest source {tie.newest}" if tie.newest else "no dated source"
        yield _problem(
            reg, "ties", tie.tie_id, [], "stale_tie",
            f"ongoing tie {tie.tie_id!r} has no source from the last {threshold_months} months "
            f"({newest})",
            "add a recent source with `published:`, or an `end:` if the tie has ended "
            "(see `sahel registry freshness`)",
        )


def check(
    root: str | Path | None = None, seeds: str | Path | None = None, at: dt.date | None = None
) -> CheckReport:
    """Run every registry check; never raises for content problems (see ``raise_if_failed``).

    With ``seeds`` (the folder of the seed texts) quotes are also checked against the documents.
    Stale ongoing ties on ``at`` (default today) are reported as ``warnings``, not problems.
    """
    reg, problems = read_registry(root)
    report = CheckReport(root=reg.root, problems=list(problems), registry=reg)
    for checker in (_check_actors, _check_aliases, _check_ties, _check_events):
        report.problems.extend(checker(reg))
    if seeds is not None:
        report.problems.extend(check_quotes(reg, Path(seeds)))
    report.warnings.extend(check_freshness(reg, at))
    return report


def check_registry(
    root: str | Path | None = None, seeds: str | Path | None = None, at: dt.date | None = None
) -> CheckReport:
    """Public name of :func:`check` (what ``sahel registry check`` calls)."""
    return check(root, seeds, at)
