"""Source layouts: how the columns of one file vintage map to the canonical event.

A layout is data, not code: each canonical column is a :class:`Field` (source column + kind).
:func:`select_sql` turns a layout into ONE DuckDB select that types every value and collects every
row problem in the same pass over the file — that single pass is what keeps a 400,000-event
ingest close to the cost of a bare ``read_csv`` (see ``benchmarks/``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sahel.errors import LayoutError
from sahel.events import sheet

#: earliest plausible event date: UCDP starts in 1946 (ACD), ACLED in 1997
MIN_YEAR = 1946
#: how close a layout's file is to what the source published (:attr:`Layout.fidelity`)
AS_PUBLISHED, RESAVED, REPAIRED = 2, 1, 0


@dataclass(frozen=True)
class Field:
    """How one canonical column is read from a source column.

    kinds: ``text``; ``int``/``float`` (typed, unreadable values are row errors);
    ``date`` (tries ``formats``); ``map`` (lower-cased lookup in ``mapping``; unknown values are
    row errors); ``sql`` (a raw SQL expression, trusted, no check); ``const`` (a literal).
    """

    column: str | None
    kind: str = "text"
    mapping: dict[str, str] | None = None
    sql: str | None = None
    required: bool = False
    nonnegative: bool = False
    bounds: tuple[float, float] | None = None
    allow_unmapped: bool = False
    #: the value is an id that must be a positive whole number written plainly (UCDP ids):
    #: ``12.0``, ``-3`` or ``1e5`` would make an event uid that matches no other release
    positive_id: bool = False
    #: a date whose year must be this column's (UCDP ``year``): spreadsheet layouts only
    year_column: str | None = None
    #: every row must hold the value most rows hold (the country of a per-country export);
    #: another value means the row's fields are not where its header puts them
    one_per_file: bool = False


@dataclass(frozen=True)
class Layout:
    name: str
    family: str  # "ucdp" | "acled"
    description: str
    #: columns whose presence identifies the layout (all must be in the header)
    signature: frozenset[str]
    fields: dict[str, Field]
    date_formats: tuple[str, ...]
    id_column: str | None
    country_name: str | None
    country_code: str | None = None  # ISO numeric (ACLED ``iso``) or alpha-3
    #: ACLED "actor-based" exports: one row per actor, rebuilt into one row per event
    one_row_per_actor: bool = False
    #: columns we deliberately read but do not map (documented; kept in the raw archive)
    notes: str = ""
    extra_required: frozenset[str] = field(default_factory=frozenset)
    #: AS_PUBLISHED: the source's own file. RESAVED: the same columns written back by a
    #: spreadsheet; REPAIRED: a partial repair (fewer columns). Below AS_PUBLISHED, values are
    #: read in the forms of :mod:`sahel.events.sheet`, and a file never revises an event stored
    #: from a file of higher fidelity, nor marks any event deleted (it is never complete).
    fidelity: int = AS_PUBLISHED
    #: what the file settles about itself (spreadsheet layouts; see harmonise.settle_layout)
    evidence: sheet.Evidence | None = None

    @property
    def spreadsheet(self) -> bool:
        return self.fidelity < AS_PUBLISHED

    @property
    def required_columns(self) -> frozenset[str]:
        used = {c for f in self.fields.values() for c in (f.column, f.year_column) if c}
        return frozenset(used) | self.signature | self.extra_required


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def trimmed(text: str) -> str:
    """``NULLIF(trim(text), '')``, paying for ``trim`` only where an edge may be a space.

    ``trim`` copies every string it returns, and most values have nothing to trim: copying them
    cost ~0.25 s of a ~1.5 s staging select at 400,000 rows (``benchmarks/README.md``).
    ``trim`` removes Unicode space separators (not tabs), so a value goes through it when it
    starts or ends with ' ' or holds any non-ASCII character (``strlen <> length``); the result
    is the same as trimming every value.
    """
    return (f"CASE WHEN starts_with({text}, ' ') OR ends_with({text}, ' ') "
            f"OR strlen({text}) <> length({text}) THEN NULLIF(trim({text}), '') "
            f"ELSE NULLIF({text}, '') END")


def _text(col: str) -> str:
    """A source column's text; :func:`select_sql` has already trimmed it and made '' NULL."""
    return quote(col)


def _date_expr(col: str, formats: tuple[str, ...]) -> str:
    fmts = ", ".join("'" + f + "'" for f in formats)
    return f"CAST(try_strptime({_text(col)}, [{fmts}]) AS DATE)"


def _map_expr(text: str, mapping: dict[str, str]) -> str:
    whens = " ".join(
        f"WHEN '{k.replace(chr(39), chr(39) * 2)}' THEN '{v}'" for k, v in mapping.items()
    )
    return f"CASE lower({text}) {whens} END"


def value_sql(name: str, f: Field, layout: Layout) -> str:
    """Typed SQL expression for canonical column ``name``."""
    if f.kind == "const":
        return f"'{f.sql}'"
    if f.kind == "sql":
        assert f.sql is not None
        return f.sql
    assert f.column is not None, name
    text = _text(f.column)
    if f.kind == "text":
        return text
    if layout.spreadsheet and f.kind in ("int", "float", "date"):
        if f.kind == "int":
            return sheet.int_value(text)
        if f.kind == "float":
            return sheet.float_value(text)
        return sheet.date_value(text, layout.evidence.order(f.column) if layout.evidence else None)
    if f.kind == "int":
        # "12.0" appears in re-saved files: accept integral decimals, refuse "12.5"
        return f"CAST(try_cast({text} AS DECIMAL(18,3)) AS BIGINT)"
    if f.kind == "float":
        return f"try_cast({text} AS DOUBLE)"
    if f.kind == "date":
        return _date_expr(f.column, layout.date_formats)
    if f.kind == "map":
        assert f.mapping is not None
        return _map_expr(sheet.code_text(text) if layout.spreadsheet else text, f.mapping)
    raise ValueError(f"unknown field kind {f.kind!r}")


def _sq(text: str) -> str:
    return text.replace("'", "''")


Check = tuple[str, str]  # (SQL condition true when the row is bad, SQL message expression)
#: the longest value a row problem quotes (longer ones are cut, with an ellipsis)
SHOWN_CHARS = 80


def checks_sql(name: str, f: Field, layout: Layout, today: date) -> list[Check]:
    """(condition, ``'column<TAB>problem'`` message) pairs for one canonical field."""
    if f.kind in ("const", "sql") or f.column is None:
        return []
    col, text, value = f.column, _text(f.column), value_sql(name, f, layout)
    out: list[Check] = []

    def add(cond: str, problem: str) -> None:
        out.append((cond, f"'{_sq(col)}\t' || {problem}"))

    # the value as a message quotes it: a damaged file can hold megabytes in one field
    shown = (f"CASE WHEN length({text}) > {SHOWN_CHARS} THEN left({text}, {SHOWN_CHARS - 1}) "
             f"|| '…' ELSE coalesce({text}, '') END")
    country = layout.evidence.country if layout.evidence and f.one_per_file else None
    if country is not None:  # first: it says why the rest of the row is wrong too
        add(f"{text} IS DISTINCT FROM '{_sq(country)}'",
            f"'the row is column-shifted or cut short: ' || CASE WHEN {text} IS NULL THEN 'it is "
            f"empty' ELSE 'it holds ''' || {shown} || '''' END || ' where the rows of this "
            f"per-country export say ''{_sq(country)}''; its fields are not where the "
            "header puts them, so none of them is read'")
    elif f.required:
        add(f"{text} IS NULL", "'is empty; every row needs it'")
    if layout.spreadsheet and f.kind in ("int", "float", "date"):
        out.extend((cond, f"'{_sq(col)}\t' || {msg}")
                   for cond, msg in _sheet_checks(f, layout, text, value, shown))
    elif f.kind == "int":
        add(
            f"{text} IS NOT NULL AND (try_cast({text} AS DECIMAL(18,3)) IS NULL "
            f"OR try_cast({text} AS DECIMAL(18,3)) <> floor(try_cast({text} AS DECIMAL(18,3))))",
            f"'''' || {shown} || ''' is not a whole number'",
        )
    elif f.kind == "float":
        add(f"{text} IS NOT NULL AND {value} IS NULL", f"'''' || {shown} || ''' is not a number'")
    elif f.kind == "date":
        fmts = " or ".join(layout.date_formats)
        add(
            f"{text} IS NOT NULL AND {value} IS NULL",
            f"'''' || {shown} || ''' is not a date in the layout''s format ({_sq(fmts)})'",
        )
    if f.kind == "date":
        add(
            f"{value} IS NOT NULL AND ({value} < DATE '{MIN_YEAR}-01-01' "
            f"OR {value} > DATE '{today.isoformat()}')",
            f"'impossible date ''' || {shown} || ''' (before {MIN_YEAR} or in the future)'",
        )
    if f.nonnegative:
        add(f"{value} < 0", f"'negative value ''' || {shown} || ''''")
    if f.positive_id:
        add(f"{text} IS NOT NULL AND NOT regexp_full_match({text}, '[1-9][0-9]{{0,17}}')",
            f"'id ''' || {shown} || ''' is not a positive whole number'")
    if f.bounds is not None:
        lo, hi = f.bounds
        add(
            f"{value} IS NOT NULL AND ({value} < {lo} OR {value} > {hi})",
            f"'''' || {shown} || ''' is out of range [{lo:g}, {hi:g}]'",
        )
    if f.kind == "map" and not f.allow_unmapped:
        assert f.mapping is not None
        known = ", ".join(sorted(f.mapping))
        unknown = f"'unknown value ''' || {shown} || ''' (known: {_sq(known)})'"
        if layout.spreadsheet:
            unknown = (f"CASE WHEN {sheet.is_serial_date(text)} THEN {sheet.serial_problem(shown)} "
                       f"ELSE {unknown} END")
        add(f"{text} IS NOT NULL AND {value} IS NULL", unknown)
    return out


def _sheet_checks(f: Field, layout: Layout, text: str, value: str, shown: str) -> list[Check]:
    """The checks of a number or date read in the forms of :mod:`sahel.events.sheet`."""
    if f.kind == "int":
        return [(f"{text} IS NOT NULL AND {value} IS NULL", sheet.int_problem(text, shown))]
    if f.kind == "float":
        return [(f"{text} IS NOT NULL AND {value} IS NULL",
                 f"'''' || {shown} || ''' is not a number (a decimal point or comma, not both)'")]
    assert f.column is not None
    order = layout.evidence.order(f.column) if layout.evidence else None
    year = sheet.int_value(quote(f.year_column)) if f.year_column else None
    return sheet.date_checks(text, value, shown, order, year)


def select_sql(layout: Layout, relation: str, today: date, extra: list[str] | None = None,
               columns: list[str] | None = None, available: list[str] | None = None,
               *, flag_only: bool = False) -> str:
    """One select over ``relation`` (alias ``src``): canonical values and row checks.

    The checks come out as ``_errors`` (a list of ``'column<TAB>problem'`` messages, empty for a
    good row), or with ``flag_only`` as one ``_bad`` boolean: the single-pass ingest only needs
    to know that a row is bad, since the staged path then finds and words every problem.

    No hash of the raw row here: hashing all source columns (long article texts) would double
    the cost of the pass; revisions are detected on the canonical values at insert time.
    """
    parts: list[str] = list(extra or [])
    checks: list[Check] = []
    for name, f in layout.fields.items():
        parts.append(f"{value_sql(name, f, layout)} AS {quote(name)}")
        checks.extend(checks_sql(name, f, layout, today))
    # date_end before date_start is a cross-field check
    if "date_end" in layout.fields and layout.fields["date_end"].kind == "date":
        ds = value_sql("date_start", layout.fields["date_start"], layout)
        de = value_sql("date_end", layout.fields["date_end"], layout)
        col = layout.fields["date_end"].column
        checks.append((f"{de} < {ds}", f"'{col}\tends before the event starts'"))
    name_col = layout.country_name
    code_col = layout.country_code
    if available is not None and code_col not in available:
        code_col = None  # the code is optional: resolve by name alone
    parts.append(f"{_text(name_col) if name_col else 'NULL'} AS country_key_name")
    parts.append(f"{_text(code_col) if code_col else 'NULL'} AS country_key_code")
    # The message list is built only for rows that fail a check: good rows pay for one OR.
    any_bad = " OR ".join(f"({cond})" for cond, _ in checks) if checks else "false"
    if flag_only:
        parts.append(f"({any_bad}) AS _bad")
    elif checks:
        listed = ", ".join(f"CASE WHEN {cond} THEN {msg} END" for cond, msg in checks)
        parts.append(f"CASE WHEN {any_bad} THEN list_filter([{listed}]::VARCHAR[], "
                     "x -> x IS NOT NULL) ELSE []::VARCHAR[] END AS _errors")
    else:
        parts.append("[]::VARCHAR[] AS _errors")
    # Trim each column once, keep only the columns used (plus ``columns``): the wide free-text
    # columns of a GED file (articles, WKT) are never materialised.
    country_cols = {c for c in (name_col, code_col) if c}
    keep = sorted(layout.required_columns | country_cols | set(columns or []))
    inner = ", ".join(f"{trimmed(quote(c))} AS {quote(c)}" for c in keep)
    return f"SELECT {', '.join(parts)} FROM (SELECT {inner} FROM {relation}) AS src"


def _short(name: str, width: int = 40) -> str:
    """A header name as a message shows it: a damaged header can hold megabytes in one cell."""
    return name if len(name) <= width else name[: width - 1] + "…"


def detect_layout(header: list[str], layouts: list[Layout], *, file: str,
                  written_by: str = "csv") -> Layout:
    """Pick the layout whose signature matches ``header`` best; explain when none does.

    ``written_by`` says who wrote the file, which the header alone cannot: ``"csv"`` (the
    spreadsheet layouts only if no other one matches), ``"spreadsheet"`` (a ``;``-separated
    CSV, what a spreadsheet writes where the decimal mark is a comma: a spreadsheet layout
    first — the re-saved UCDP explorer export has the same header as the published one) or
    ``"workbook"`` (an .xlsx: the spreadsheet layouts only; a typed date cell has been parsed
    by the spreadsheet in an order nothing can check).
    """
    cols = {h.strip() for h in header}
    pool = [lay for lay in layouts if lay.spreadsheet] if written_by == "workbook" else layouts
    matches = [lay for lay in pool if lay.signature <= cols]
    preferred = [lay for lay in matches if lay.spreadsheet == (written_by != "csv")]
    matches = preferred or matches
    if not matches and written_by == "workbook":
        raise LayoutError(
            f"a workbook is read only as a repaired UCDP explorer export; this one's columns "
            f"({len(header)}, first: {', '.join(_short(h) for h in header[:4])}) are not one",
            file=file, line=1,
            hint="save the sheet as CSV and ingest that, or export the data again from the "
            "source (see docs/data-sources.md)")
    if matches:
        best = max(matches, key=lambda lay: (len(lay.required_columns & cols), len(lay.signature)))
        missing = sorted(best.required_columns - cols)
        if missing:
            raise LayoutError(
                f"looks like {best.description} but lacks column(s) {', '.join(missing)}",
                file=file,
                line=1,
                field=missing[0],
                hint="export the file again with all columns, or fix the header line",
            )
        return best
    closest = max(layouts, key=lambda lay: len(lay.signature & cols))
    missing = sorted(closest.signature - cols)
    if any(";" in h for h in header):
        hint = (
            "header cells hold ';': the file was re-saved by a spreadsheet with another "
            "delimiter; export it again from the source (UCDP/ACLED) as CSV"
        )
    else:
        hint = (
            f"closest known layout: {closest.description}, missing {', '.join(missing[:6])}"
            + ("…" if len(missing) > 6 else "")
            + "; check that this is a UCDP or ACLED event file (see docs/data-sources.md)"
        )
    raise LayoutError(
        f"unrecognised layout ({len(header)} columns, first: "
        f"{', '.join(_short(h) for h in header[:4])})",
        file=file,
        line=1,
        hint=hint,
    )
