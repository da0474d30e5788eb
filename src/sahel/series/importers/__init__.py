"""Series importers, one small module per file kind, and the detection that picks one.

Why detection reads only the header (and the sheet names): the kind must be known before the
slow part (parsing an xlsx), and a file that fits no kind is refused with the list of kinds.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd

from sahel.errors import ConfigError, InputError, LayoutError
from sahel.series.importers import acled_country, acled_hdx, pace, views
from sahel.series.importers.common import Parsed, csv_header

#: kind -> what it reads (``sahel series import --kind``)
KINDS: dict[str, str] = {
    pace.KIND: pace.DESCRIPTION,
    views.KIND: views.DESCRIPTION,
    **acled_country.DESCRIPTIONS,
    **acled_hdx.DESCRIPTIONS,
}


def _kinds_hint() -> str:
    return "pass --kind, one of: " + "; ".join(f"{k} ({v})" for k, v in KINDS.items())


def _xlsx_header(path: Path) -> tuple[list[str], list[str]]:
    """(sheet names, header of the data sheet) without parsing the whole workbook."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise InputError(f"cannot read the workbook ({type(exc).__name__}: {exc})", file=path,
                         hint="the file is damaged or not an .xlsx: download it again") from exc
    try:
        sheets = [str(s) for s in book.sheetnames]
        data = [s for s in sheets if s.upper() != "TOU"]
        name = "Data" if "Data" in sheets else (data[0] if data else sheets[0])
        ws = book[name]
        ws.reset_dimensions()  # some writers record a wrong sheet size (A1:A1)
        first = next(ws.iter_rows(min_row=1, max_row=1, values_only=True), ())
        return sheets, [str(v).strip() for v in first if v is not None]
    finally:
        book.close()


def probe(path: Path) -> list[str]:
    """The header names of ``path`` (CSV first line, parquet schema, xlsx data sheet)."""
    if not path.is_file():
        raise InputError("no such file", file=path, hint="check the path")
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return _xlsx_header(path)[1]
    if suffix == ".parquet":
        try:
            frame = pd.read_parquet(path)  # small files; index names count as columns
            return [str(n) for n in (*frame.index.names, *frame.columns) if n is not None]
        except (ValueError, OSError) as exc:  # pyarrow's errors subclass these
            raise InputError(f"cannot read the parquet file ({exc})", file=path,
                             hint="the file is damaged: get a fresh copy") from exc
    if suffix == ".csv":
        return csv_header(path)
    raise InputError(f"cannot import a {suffix or 'suffix-less'} file as a series", file=path,
                     hint="series files are .csv, .parquet or .xlsx; " + _kinds_hint())


def detect(path: Path) -> str:
    """The kind of ``path`` from its header and name, or a LayoutError listing the kinds."""
    header = probe(path)
    if pace.sniff(header):
        return pace.KIND
    if views.sniff(header):
        return views.KIND
    kind = acled_country.sniff(header)
    if kind:
        return kind
    hdx = acled_hdx.sniff(header, path.name)
    if hdx:
        return hdx
    if hdx == "":
        raise LayoutError("an HDX admin-2 table, but the file name does not say political "
                          "violence or civilian targeting", file=path,
                          hint=f"pass --kind {acled_hdx.PV_KIND} or --kind {acled_hdx.CIV_KIND}")
    raise LayoutError(f"not a known series file (header: {', '.join(header[:8]) or 'empty'})",
                      file=path, line=1, hint=_kinds_hint())


def parse(path: Path, kind: str | None = None) -> Parsed:
    """Read ``path`` as ``kind`` (detected when None). Nothing is stored here."""
    if kind is not None and kind not in KINDS:
        raise ConfigError(f"unknown kind {kind!r}", field="--kind", hint=_kinds_hint())
    kind = kind or detect(path)
    if not path.is_file():
        raise InputError("no such file", file=path, hint="check the path")
    if kind == pace.KIND:
        return pace.read(path)
    if kind == views.KIND:
        return views.read(path)
    if kind in acled_country.DESCRIPTIONS:
        return acled_country.read(path, kind)
    return acled_hdx.read(path, kind)
