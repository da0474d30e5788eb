"""Read the registry YAML into models, keeping the YAML line of every key.

Why our own loader: a curator who mistypes a role in ``ties/sahel.yaml`` must be told the file
*and line* (the issue asks for it), but pydantic only knows the path inside the record
(``parties.1.role``). The loader therefore builds dicts and lists that remember the line of each
key and item (from the yaml node marks), and :func:`locate` turns a pydantic location back into a
line. Duplicate keys inside one YAML mapping, which PyYAML would silently overwrite, are reported.

Records that fail their schema are skipped and reported as :class:`Problem`; cross-record checks
are in ``validate.py``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from sahel.errors import ConfigError, NotFoundError, RegistryError
from sahel.registry.models import Actor, Document, SystemEvent, Tie

#: Sub-folders of the registry and the top-level key each of their files must carry.
SECTIONS: dict[str, str] = {"actors": "actors", "ties": "ties", "events": "events"}
_REPO_REGISTRY = Path(__file__).resolve().parents[3] / "registry"
_M = TypeVar("_M", bound=BaseModel)


class LineDict(dict[Any, Any]):
    """A dict that remembers its own YAML line and the line of each key."""

    line: int
    key_lines: dict[Any, int]
    duplicates: list[tuple[Any, int]]


class LineList(list[Any]):
    """A list that remembers its own YAML line and the line of each item."""

    line: int
    item_lines: list[int]


#: libyaml's C parser when PyYAML was built with it (about 5x faster on the registry)
_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_BaseLoader):  # type: ignore[valid-type,misc]
    """SafeLoader whose mappings and sequences are :class:`LineDict` / :class:`LineList`."""


def _construct_map(loader: _LineLoader, node: yaml.MappingNode) -> Iterator[LineDict]:
    loader.flatten_mapping(node)
    data = LineDict()
    data.line = node.start_mark.line + 1
    data.key_lines = {}
    data.duplicates = []
    yield data
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if key in data:
            data.duplicates.append((key, line))
        data.key_lines[key] = line
        data[key] = loader.construct_object(value_node, deep=True)


def _construct_seq(loader: _LineLoader, node: yaml.SequenceNode) -> Iterator[LineList]:
    data = LineList()
    data.line = node.start_mark.line + 1
    data.item_lines = []
    yield data
    for item in node.value:
        data.item_lines.append(item.start_mark.line + 1)
        data.append(loader.construct_object(item, deep=True))


def _construct_timestamp(loader: _LineLoader, node: yaml.ScalarNode) -> Any:
    """YAML reads ``2023-02-30`` as a date and Python refuses it with a bare ValueError:
    say which value, on which line."""
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError as exc:
        raise yaml.constructor.ConstructorError(
            None, None, f"{node.value!r} is not a real calendar date ({exc})",
            node.start_mark) from exc


_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)
_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)

#: a curated file is flat and small: deeper nesting, or aliases that expand a few lines into
#: millions of values ("billion laughs"), mean a broken or hostile file
MAX_DEPTH, MAX_VALUES, MAX_BYTES = 64, 1_000_000, 20 * 2**20


def _check_shape(node: yaml.Node) -> str | None:
    """Why ``node`` is too deep or expands too far, or None. Iterative (no recursion), and
    memoised per node, so a shared alias is measured once."""
    size: dict[int, int] = {}
    stack: list[tuple[yaml.Node, int, bool]] = [(node, 1, False)]
    while stack:
        current, depth, done = stack.pop()
        if depth > MAX_DEPTH:
            return f"nested more than {MAX_DEPTH} levels deep (line {current.start_mark.line + 1})"
        children: list[yaml.Node] = []
        if isinstance(current, yaml.MappingNode):
            children = [n for pair in current.value for n in pair]
        elif isinstance(current, yaml.SequenceNode):
            children = list(current.value)
        if done:
            size[id(current)] = 1 + sum(size.get(id(c), 1) for c in children)
            if size[id(current)] > MAX_VALUES:
                return f"expands to more than {MAX_VALUES:,} values (aliases repeated)"
            continue
        if id(current) in size:
            continue
        stack.append((current, depth, True))
        stack.extend((c, depth + 1, False) for c in children if id(c) not in size)
    return None


def parse_yaml(text: str, path: Path) -> Any:
    """Safe YAML with line-aware containers; every failure is a RegistryError with its line."""
    if len(text) > MAX_BYTES:
        raise RegistryError(f"the file is larger than {MAX_BYTES // 2**20} MiB", file=path,
                            hint="a curated registry file is a few hundred lines: split it")
    loader = _LineLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        why = _check_shape(node)
        if why:
            raise RegistryError(f"the YAML is {why}", file=path, hint="flatten the file; do "
                                "not use YAML aliases in curated files")
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise RegistryError(f"YAML error: {problem}", file=path, line=line,
                            hint="fix the YAML syntax or value") from exc
    except RecursionError:
        raise RegistryError(f"the YAML is nested more than {MAX_DEPTH} levels deep", file=path,
                            hint="flatten the file") from None
    finally:
        loader.dispose()


def read_yaml_file(path: Path) -> Any:
    """:func:`parse_yaml` of a UTF-8 file (a BOM is allowed; another encoding is refused)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RegistryError(f"cannot read the file ({exc.strerror})", file=path,
                            hint="check the path and its permissions") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise RegistryError(f"not UTF-8 text (byte {raw[exc.start]:#x})", file=path, line=line,
                            hint="save the file as UTF-8") from exc
    if "\x00" in text:
        raise RegistryError("the file holds NUL bytes: it is not a text file", file=path,
                            line=text[: text.index(chr(0))].count("\n") + 1,
                            hint="check that it is the YAML file you meant")
    return parse_yaml(text, path)


def locate(raw: Any, loc: Sequence[int | str]) -> int | None:
    """YAML line of the deepest element of ``raw`` reachable along the pydantic location."""
    line = getattr(raw, "line", None)
    node = raw
    for part in loc:
        if isinstance(node, LineDict) and part in node:
            line = node.key_lines.get(part, line)
            node = node[part]
        elif isinstance(node, LineList) and isinstance(part, int) and 0 <= part < len(node):
            line = node.item_lines[part]
            node = node[part]
        elif isinstance(node, LineList | LineDict):
            continue  # pydantic adds parts such as union tags; skip them
        else:
            break
    return line


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the registry, located as precisely as we can."""

    code: str
    message: str
    file: Path | None = None
    line: int | None = None
    field: str | None = None
    hint: str | None = None

    def to_error(self) -> RegistryError:
        return RegistryError(
            self.message, hint=self.hint, file=self.file, line=self.line, field=self.field
        )


@dataclass(frozen=True)
class Origin:
    file: Path
    line: int | None


@dataclass
class Registry:
    """The curated registry, indexed by id. ``origins`` maps ``(section, id)`` to file and line."""

    root: Path
    actors: dict[str, Actor] = field(default_factory=dict)
    ties: dict[str, Tie] = field(default_factory=dict)
    events: dict[str, SystemEvent] = field(default_factory=dict)
    documents: dict[str, Document] = field(default_factory=dict)
    origins: dict[tuple[str, str], Origin] = field(default_factory=dict)
    raw: dict[tuple[str, str], Any] = field(default_factory=dict, repr=False)

    def actor(self, actor_id: str) -> Actor:
        try:
            return self.actors[actor_id]
        except KeyError:
            raise NotFoundError(
                f"no actor with id {actor_id!r} in the registry",
                hint="run `sahel registry timeline --list` or grep registry/actors for the id",
            ) from None

    def with_ties(self, extra: Sequence[Tie], actors: Sequence[Actor] = ()) -> Registry:
        """A copy that also holds generated ties (and stub actors) from an importer."""
        copy = Registry(
            root=self.root,
            actors=dict(self.actors),
            ties=dict(self.ties),
            events=dict(self.events),
            documents=dict(self.documents),
            origins=dict(self.origins),
            raw=dict(self.raw),
        )
        for actor in actors:
            copy.actors.setdefault(actor.id, actor)
        for tie in extra:
            copy.ties[tie.id] = tie
        return copy


def registry_path(explicit: str | Path | None = None) -> Path:
    """The registry folder: ``--registry``, else ``$SAHEL_REGISTRY``, else ``<repo>/registry``."""
    chosen = explicit or os.environ.get("SAHEL_REGISTRY") or None
    if chosen is not None:
        path = Path(chosen).expanduser()
    elif _REPO_REGISTRY.is_dir():
        path = _REPO_REGISTRY
    else:
        path = Path.cwd() / "registry"
    if not path.is_dir():
        raise ConfigError(
            f"registry folder not found: {path}",
            hint="pass --registry PATH or set SAHEL_REGISTRY to the folder holding actors/, ties/",
            field="SAHEL_REGISTRY",
        )
    return path


def _yaml_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.suffix in {".yaml", ".yml"} and p.is_file())


def _read_yaml(path: Path, problems: list[Problem]) -> Any:
    try:
        return read_yaml_file(path)
    except RegistryError as exc:
        problems.append(Problem("yaml", exc.message, path, exc.line, hint=exc.hint))
        return None


def _duplicate_keys(raw: Any, path: Path, problems: list[Problem]) -> None:
    if isinstance(raw, LineDict):
        for key, line in raw.duplicates:
            problems.append(
                Problem(
                    "duplicate_key",
                    f"key {key!r} appears twice in one mapping; the first value would be lost",
                    path,
                    line,
                    str(key),
                    hint="remove or merge the repeated key",
                )
            )
        for value in raw.values():
            _duplicate_keys(value, path, problems)
    elif isinstance(raw, list):
        for value in raw:
            _duplicate_keys(value, path, problems)


def _validate_record(
    model: type[_M], raw: Any, path: Path, problems: list[Problem]
) -> _M | None:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        record_id = raw.get("id") if isinstance(raw, dict) else None
        for err in exc.errors():
            loc = [p for p in err["loc"] if isinstance(p, int | str)]
            fields = ".".join(str(p) for p in loc) or None
            problems.append(
                Problem(
                    "schema",
                    f"{model.__name__} {record_id or '?'}: {err['msg']}",
                    path,
                    locate(raw, loc),
                    fields,
                    hint=_schema_hint(err["type"], fields),
                )
            )
        return None


def _schema_hint(kind: str, fields: str | None) -> str:
    if kind == "extra_forbidden":
        return f"remove `{fields}` or correct its spelling (see docs/registry.md for the fields)"
    if kind == "missing":
        return f"add `{fields}`"
    if kind in {"literal_error", "enum"}:
        return "use one of the allowed values listed above"
    return "correct the value (see docs/registry.md)"


def _load_section(
    root: Path, section: str, model: type[BaseModel], problems: list[Problem]
) -> Iterator[tuple[BaseModel, Origin, Any]]:
    key = SECTIONS[section]
    for path in _yaml_files(root / section):
        raw = _read_yaml(path, problems)
        if raw is None:
            continue
        _duplicate_keys(raw, path, problems)
        if not isinstance(raw, dict) or key not in raw or not isinstance(raw[key], list):
            problems.append(
                Problem(
                    "layout",
                    f"a file in {section}/ must be a mapping with a list under `{key}:`",
                    path,
                    getattr(raw, "line", 1),
                    hint=f"start the file with `{key}:` followed by `- id: ...` items",
                )
            )
            continue
        items: LineList = raw[key]
        for index, item in enumerate(items):
            record = _validate_record(model, item, path, problems)
            if record is not None:
                yield record, Origin(path, items.item_lines[index]), item


def read_registry(root: str | Path | None = None) -> tuple[Registry, list[Problem]]:
    """Read every YAML file; return the valid records and the schema/layout problems found.

    Duplicate ids are *not* resolved here (the first record wins); ``validate.check`` reports them.
    """
    base = registry_path(root)
    problems: list[Problem] = []
    reg = Registry(root=base)
    seen: dict[str, list[tuple[str, Origin]]] = {}
    doc_path = base / "documents.yaml"
    if doc_path.is_file():
        raw = _read_yaml(doc_path, problems)
        docs = raw.get("documents") if isinstance(raw, dict) else None
        if not isinstance(docs, LineList):
            docs = LineList()
            docs.item_lines = []
        for index, item in enumerate(docs):
            doc = _validate_record(Document, item, doc_path, problems)
            if doc is not None:
                reg.documents[doc.id] = doc
                reg.origins[("documents", doc.id)] = Origin(doc_path, docs.item_lines[index])
    targets: dict[str, dict[str, Any]] = {
        "actors": reg.actors,
        "ties": reg.ties,
        "events": reg.events,
    }
    models: dict[str, type[BaseModel]] = {"actors": Actor, "ties": Tie, "events": SystemEvent}
    for section, model in models.items():
        for record, origin, raw_item in _load_section(base, section, model, problems):
            record_id: str = record.id  # type: ignore[attr-defined]
            seen.setdefault(record_id, []).append((section, origin))
            if record_id not in targets[section]:
                targets[section][record_id] = record
                reg.origins[(section, record_id)] = origin
                reg.raw[(section, record_id)] = raw_item
    for record_id, places in seen.items():
        for section, origin in places[1:]:
            first = places[0][1]
            problems.append(
                Problem(
                    "duplicate_id",
                    f"id {record_id!r} ({section}) is already used at {first.file}:{first.line}",
                    origin.file,
                    origin.line,
                    "id",
                    hint="give each actor, tie and event its own id",
                )
            )
    return reg, problems
