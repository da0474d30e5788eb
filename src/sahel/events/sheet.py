"""Values as a spreadsheet writes them back: the mangled forms we read, and those we refuse.

A UCDP explorer export opened in a spreadsheet and saved again (the repaired Niger files in
``shared/data/ucdp_ged/explorer_export_2025/_repaired/``, issue 10 point 4) keeps the explorer's
columns but not its values: dates lose their seconds or are rewritten in the spreadsheet's own
order, whole numbers gain a decimal comma, small codes become dates. This module holds, as SQL,
the ONE list of forms the spreadsheet layouts (:mod:`sahel.events.ucdp`) accept; anything else
is a row error naming the value. ``docs/data-sources.md`` ("Spreadsheet re-saves") lists the
same forms and refusals.

Accepted:

* dates ``MM/DD/YYYY HH:MM:SS``, ``MM/DD/YYYY HH:MM`` and ``MM/DD/YYYY`` (month and day with one
  or two digits, as spreadsheets drop leading zeros); the time must be midnight (UCDP dates have
  no time of day); the year must be the row's ``year``;
* whole numbers with a decimal comma and a zero fraction: ``14668,0`` is 14668;
* decimals with a point (``14.33333``, the explorer's own form) or a comma (``14,33333``).

Refused: a date whose day and month are both 12 or less (``03/04/2023``: 4 March or 3 April?)
unless the file settles its column's order (:class:`DateOrder`); a date with a time of day; ISO
or other date forms (a spreadsheet that rewrote a date in another form has already parsed it,
in an order we cannot check); ``14668,5`` (not whole); ``14.668`` in a whole-number field (a
thousands separator or a decimal point?); a small code turned into a date (``01/01/1900`` is day
1 of the spreadsheet calendar: probably the number 1, never read back as one).

The day/month rule (decided from the real files, see the docs): a date with a part above 12
settles the order of the value itself, and of its column when every such date of the column
agrees — a column of month-first dates (``08/22/2023``) and no day-first one is month-first, so
its ``03/04/2023`` is 4 March. A column with no such date, or with both kinds, settles nothing:
its ambiguous dates are refused, never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: a date as the spreadsheets write it (any time of day: a wrong time is its own error)
DATE_FORM = "[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}( [0-9]{1,2}:[0-9]{2}(:[0-9]{2})?)?"
#: the same, at midnight or without a time
MIDNIGHT_FORM = "[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}( 0?0:00(:00)?)?"
DATE_FORMS = ("MM/DD/YYYY HH:MM:SS", "MM/DD/YYYY HH:MM", "MM/DD/YYYY")
#: a whole number, possibly with a decimal comma and a zero fraction
INT_FORM = "-?[0-9]{1,18}(,0+)?"
#: a decimal with a point or a comma (not both: one of them would be a thousands separator)
FLOAT_FORM = "-?[0-9]{1,18}([.,][0-9]{1,18})?"
#: a small number a spreadsheet turned into a date of its calendar's first days (1900)
SERIAL_DATE = "[0-9]{1,2}/[0-9]{1,2}/1900( [0-9]{1,2}:[0-9]{2}(:[0-9]{2})?)?"

MONTH_FIRST, DAY_FIRST = "month-first", "day-first"


@dataclass(frozen=True)
class DateOrder:
    """What a file says about the day/month order of one date column."""

    column: str
    order: str | None  # MONTH_FIRST | DAY_FIRST | None: not settled
    why: str  # the evidence, in words (quoted by refusals and the ingest note)


@dataclass(frozen=True)
class Evidence:
    """What a spreadsheet-written file settles about itself (read before its rows are typed)."""

    dates: tuple[DateOrder, ...] = ()
    #: the country most rows name (a per-country explorer export names one), or None
    country: str | None = None

    def order(self, column: str) -> DateOrder | None:
        return next((d for d in self.dates if d.column == column), None)

    def describe(self) -> str:
        parts = [f"{d.column} {d.order or 'not settled'} ({d.why})" for d in self.dates]
        return "day/month: " + "; ".join(parts)


def _sq(text: str) -> str:
    return text.replace("'", "''")


def _part(text: str, n: int) -> str:
    return f"try_cast(split_part({text}, '/', {n}) AS INTEGER)"


def _year(text: str) -> str:
    return f"try_cast(left(split_part({text}, '/', 3), 4) AS INTEGER)"


def _make(text: str, month: str, day: str) -> str:
    return (f"CAST(try_strptime(printf('%04d-%02d-%02d', {_year(text)}, {month}, {day}), "
            "'%Y-%m-%d') AS DATE)")


def _ambiguous(text: str) -> str:
    """Both parts could be the month: 1..12 and different (``05/05`` reads the same both ways)."""
    p1, p2 = _part(text, 1), _part(text, 2)
    return f"({p1} BETWEEN 1 AND 12 AND {p2} BETWEEN 1 AND 12 AND {p1} <> {p2})"


def date_value(text: str, order: DateOrder | None) -> str:
    """The date of ``text``: NULL when it is not an accepted form, not at midnight, not a real
    day, or ambiguous in a column whose order the file does not settle."""
    p1, p2 = _part(text, 1), _part(text, 2)
    first, second = _make(text, p1, p2), _make(text, p2, p1)  # month-first, day-first
    settled = order.order if order else None
    ambiguous = first if settled == MONTH_FIRST else second if settled == DAY_FIRST else "NULL"
    return (f"CASE WHEN NOT regexp_full_match({text}, '{MIDNIGHT_FORM}') THEN NULL "
            f"WHEN {p1} > 12 THEN {second} WHEN NOT {_ambiguous(text)} THEN {first} "
            f"ELSE {ambiguous} END")


def date_checks(text: str, value: str, shown: str, order: DateOrder | None,
                year: str | None) -> list[tuple[str, str]]:
    """(condition, message SQL) pairs for one spreadsheet date column; ``year`` is the SQL of
    the row's year (a whole number), or None."""
    column = order.column if order else "this column"
    forms = ", ".join(DATE_FORMS)
    out = [
        (f"{text} IS NOT NULL AND NOT regexp_full_match({text}, '{DATE_FORM}')",
         f"'''' || {shown} || ''' is not a date in an accepted form ({forms}; see "
         "docs/data-sources.md, \"Spreadsheet re-saves\")'"),
        (f"regexp_full_match({text}, '{DATE_FORM}') "
         f"AND NOT regexp_full_match({text}, '{MIDNIGHT_FORM}')",
         f"'''' || {shown} || ''' has a time of day; UCDP dates have none (00:00), so this "
         "is not a date as UCDP wrote it'"),
    ]
    midnight = f"regexp_full_match({text}, '{MIDNIGHT_FORM}')"
    refused = "false"  # ambiguous dates are refused as such, not as impossible days
    if order is None or order.order is None:
        why = _sq(order.why) if order else "no evidence"
        refused = _ambiguous(text)
        out.append((
            f"{midnight} AND {refused}",
            f"'ambiguous date ''' || {shown} || ''': day and month are both 12 or less, and the "
            f"file does not settle the order of {_sq(column)} ({why}); not guessed'"))
    out.append((f"{midnight} AND {value} IS NULL AND NOT {refused}",
                f"'''' || {shown} || ''' is not a day of the calendar'"))
    if year is not None:
        out.append((
            f"{value} IS NOT NULL AND year({value}) IS DISTINCT FROM {year}",
            f"'''' || {shown} || ''' falls in ' || year({value}) || ' but the row''s year is ' "
            f"|| coalesce(CAST({year} AS VARCHAR), 'not a year') || ': the day and month may "
            "be swapped, or the row shifted'"))
    return out


def int_value(text: str) -> str:
    return (f"CASE WHEN regexp_full_match({text}, '{INT_FORM}') "
            f"THEN try_cast(split_part({text}, ',', 1) AS BIGINT) END")


def int_problem(text: str, shown: str) -> str:
    """Message SQL for a value :func:`int_value` does not read."""
    return (f"CASE WHEN regexp_full_match({text}, '{SERIAL_DATE}') THEN {serial_problem(shown)} "
            f"WHEN regexp_full_match({text}, '-?[0-9]+,[0-9]+') THEN '''' || {shown} || ''' is "
            "not a whole number (only a zero fraction after the decimal comma, as in ''14668,0'', "
            f"is read)' WHEN contains({text}, '.') THEN '''' || {shown} || ''' is not a whole "
            "number (a ''.'' in a file with decimal commas: a decimal point or a thousands "
            f"separator? not read)' ELSE '''' || {shown} || ''' is not a whole number' END")


def float_value(text: str) -> str:
    return (f"CASE WHEN regexp_full_match({text}, '{FLOAT_FORM}') "
            f"THEN try_cast(replace({text}, ',', '.') AS DOUBLE) END")


def code_text(text: str) -> str:
    """A code (``type_of_violence``, ``where_prec``) with a decimal comma's zero fraction
    dropped: ``1,0`` is code 1."""
    return f"regexp_replace({text}, '^([0-9]{{1,18}}),0+$', '\\1')"


def is_serial_date(text: str) -> str:
    return f"regexp_full_match({text}, '{SERIAL_DATE}')"


def serial_problem(shown: str) -> str:
    return (f"'''' || {shown} || ''' is a number a spreadsheet turned into a date (the first "
            "days of its 1900 calendar); it is not read back as a number: write the value itself'")


def evidence_sql(column: str, relation: str, where: str) -> str:
    """One row: month-first dates (second part above 12) and day-first dates (first part above
    12) of ``column`` (already quoted), with the first example of each."""
    text = f"NULLIF(trim({column}), '')"
    ok = f"regexp_full_match({text}, '{MIDNIGHT_FORM}')"
    p1, p2 = _part(text, 1), _part(text, 2)
    month = f"{ok} AND {p2} > 12 AND {_make(text, p1, p2)} IS NOT NULL"
    day = f"{ok} AND {p1} > 12 AND {_make(text, p2, p1)} IS NOT NULL"
    return (f"SELECT count(*) FILTER (WHERE {month}), min({text}) FILTER (WHERE {month}), "
            f"count(*) FILTER (WHERE {day}), min({text}) FILTER (WHERE {day}) "
            f"FROM {relation} {where}")


def settle(column: str, got: tuple[Any, ...]) -> DateOrder:
    """The order of ``column`` from :func:`evidence_sql`'s row."""
    months, month_ex, days, day_ex = int(got[0]), got[1], int(got[2]), got[3]
    if months and not days:
        return DateOrder(column, MONTH_FIRST,
                         f"{months} dates such as '{month_ex}', none day-first")
    if days and not months:
        return DateOrder(column, DAY_FIRST, f"{days} dates such as '{day_ex}', none month-first")
    if months and days:
        return DateOrder(column, None, f"it holds month-first dates such as '{month_ex}' and "
                         f"day-first dates such as '{day_ex}'")
    return DateOrder(column, None, "none of its dates has a part above 12")
