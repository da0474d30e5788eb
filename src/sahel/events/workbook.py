"""An .xlsx workbook as the CSV the readers expect: one sheet, one record per line.

Only the repaired UCDP explorer exports come as workbooks (``Base_Niger_Nettoyee.xlsx`` and
the team's merged ``UEMOA_GED_…xlsx`` in ``shared/data``; issue 10 point 4), and only the
spreadsheet layouts read them (:func:`sahel.events.layouts.detect_layout`). The workbook's
only worksheet is written to a UTF-8 CSV beside the ingest's other work files, cell by cell:

* text as it is; whole numbers as digits (a numeric cell ``16.0`` is the number 16); other
  numbers in Python's shortest exact form with a decimal point (``14.33333``), never with an
  exponent; True/False as such; formulas as their last computed value;
* a typed date cell as ISO text, which the spreadsheet layouts then refuse: the spreadsheet has
  already parsed it from text, in a day/month order nothing can check;
* an empty cell as an empty field; empty rows after the last row are dropped.

A line of the CSV is the row of the sheet (header = row 1), so every error names the row a
user sees in the spreadsheet; a cell holding a line break would break that, and is refused.
The archive keeps the workbook itself (the sha256 is over its bytes).
"""

from __future__ import annotations

import csv
import datetime as dt
import warnings
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from sahel.errors import ArchiveError, InputError


def is_workbook(path: Path) -> bool:
    """A zip holding ``xl/workbook.xml`` (what every .xlsx is)."""
    try:
        with zipfile.ZipFile(path) as zf:
            return "xl/workbook.xml" in zf.namelist()
    except (zipfile.BadZipFile, OSError, EOFError):
        return False


def cell_text(value: Any) -> str:
    """One cell as the CSV holds it (see the module's list)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 2**53:
            return str(int(value))
        return format(Decimal(repr(value)), "f")  # 1e-05 -> 0.00001
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _rows(path: Path, shown: Path,
          max_row: int | None = None) -> tuple[str, list[tuple[Any, ...]]]:
    """(sheet title, rows as tuples) of the only worksheet; a workbook that cannot be opened
    is an ArchiveError (whatever the library raised), never a traceback."""
    import openpyxl

    try:
        with warnings.catch_warnings():  # e.g. "no default style": not the user's concern
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
            try:
                sheets = book.worksheets
                if len(sheets) != 1:
                    raise InputError(
                        f"the workbook has {len(sheets)} sheets "
                        f"({', '.join(s.title for s in sheets[:5])}); which one is the data?",
                        file=shown, hint="save the sheet you mean as a workbook of its own, or "
                        "as CSV")
                return sheets[0].title, list(sheets[0].iter_rows(max_row=max_row,
                                                                 values_only=True))
            finally:
                book.close()
    except InputError:
        raise
    except Exception as exc:  # a damaged workbook: openpyxl raises many kinds
        raise ArchiveError(f"the workbook cannot be read ({type(exc).__name__}: "
                           f"{str(exc)[:120]})", file=shown,
                           hint="open it in a spreadsheet and save it again as .xlsx, or as "
                           "CSV") from exc


def to_csv(path: Path, target: Path, *, shown: Path) -> tuple[str, int]:
    """Write the only sheet of the workbook ``path`` to ``target`` (UTF-8 CSV, ``,``).

    Returns (sheet title, NUL characters in the cells). ``shown`` is the name messages give.
    """
    title, rows = _rows(path, shown)
    if not rows or all(v is None for v in rows[0]):
        raise InputError("the sheet's first row (header) is empty", file=shown, line=1,
                         hint="the sheet must start with a row of column names")
    header = [cell_text(v) for v in rows[0]]
    width = max((i + 1 for i, v in enumerate(rows[0]) if v is not None), default=0)
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    nuls = 0
    with target.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, lineterminator="\n")
        for number, row in enumerate(rows, start=1):
            cells = [cell_text(v) for v in row]
            n = max(width, max((i + 1 for i, c in enumerate(cells) if c), default=0))
            cells = (cells + [""] * n)[:n]
            for i, text in enumerate(cells):
                if "\n" in text or "\r" in text:
                    raise InputError(
                        "a cell holds a line break, which the CSV made from the sheet could "
                        "not keep on one line", file=shown, line=number,
                        field=header[i] if i < len(header) else f"column {i + 1}",
                        hint="remove the line break in that cell (or save the sheet as CSV)")
                nuls += text.count("\x00")
            out.writerow(cells)
    return title, nuls


def header(path: Path, shown: Path) -> list[str]:
    """The names in the sheet's first row (for discovering files)."""
    _, rows = _rows(path, shown, max_row=1)
    return [cell_text(v).strip() for v in (rows[0] if rows else ())]
