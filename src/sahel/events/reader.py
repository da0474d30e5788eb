"""Open a source file the way it really is: zip or gzip, encoding, delimiter, HXL row, header.

Nothing is guessed silently: the delimiter comes from the header line, the layout from the
header names (:func:`sahel.events.layouts.detect_layout`), and DuckDB then reads with those
settings fixed (no sniffing), so a malformed row is an error and not a shifted column.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import gzip
import hashlib
import io
import threading
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sahel.errors import ArchiveError, EncodingError, InputError
from sahel.events import workbook

DELIMITERS = (",", ";", "\t", "|")
SUPPORTED_ENCODINGS = ("utf-8", "latin-1", "utf-16", "utf-16-le", "utf-16-be")
#: the longest line (record) DuckDB reads (its ``max_line_size``)
MAX_LINE_BYTES = 10_000_000
#: the csv module's field limit on the error path, which must still scan past a longer line
CSV_FIELD_LIMIT = 2**31 - 1
UTF16_HINT = "this file is UTF-16: pass --encoding utf-16"


def csv_reader(stream: Iterable[str], delimiter: str) -> Any:
    """``csv.reader`` with our line limit instead of the module's 131,072-byte default (UCDP
    article fields can be longer); the limit is process-wide in Python, so it is set here, at
    the one place we read CSV with the csv module."""
    if csv.field_size_limit() < CSV_FIELD_LIMIT:
        csv.field_size_limit(CSV_FIELD_LIMIT)
    return csv.reader(stream, delimiter=delimiter)


@dataclass
class SourceFile:
    """A file ready for DuckDB: where to read, and how."""

    path: Path  # what the user gave (named in every message)
    read_path: Path  # what DuckDB reads (the extracted member of a zip, or a UTF-8 transcode)
    member: str | None
    compression: str  # "none" | "gzip"
    encoding: str
    delimiter: str
    header: list[str]
    columns: list[str]  # names given to DuckDB (blank/duplicate names made unique, trailing col)
    hxl: bool  # an HXL hashtag row follows the header (HDX files)
    size: int
    #: the sha256 (and gzip check) running in the background; None when opened only to read
    sha256_future: _Hasher | None = field(repr=False)
    #: the bytes behind ``path`` that are read and hashed (an ingest's private copy)
    data_path: Path | None = None
    #: how a UTF-16 file was detected and transcoded to UTF-8 for DuckDB, or None
    transcoded: str | None = None
    #: NUL bytes of a zip member (counted while it was extracted)
    member_nul_bytes: int | None = None
    #: (name, first column, second column) of header names given twice (see check_header)
    duplicates: list[tuple[str, int, int]] = field(default_factory=list)
    #: the cells of the HXL hashtag row (empty when ``hxl`` is False)
    hxl_row: list[str] = field(default_factory=list)
    #: the title of the sheet read, when the file is an .xlsx workbook (``read_path`` is then
    #: its CSV, one record per line: see :mod:`sahel.events.workbook`)
    workbook: str | None = None

    @property
    def written_by(self) -> str:
        """Who wrote the file, as :func:`sahel.events.layouts.detect_layout` asks."""
        return _written_by(self.delimiter, self.workbook is not None)

    def hxl_filter(self) -> tuple[str, str] | None:
        """(column, its hashtag): a condition that tells the HXL row from the data rows,
        whatever the layout (the first column that carries a tag), or None."""
        for column, tag in zip(self.columns, self.hxl_row, strict=False):
            if tag.strip().startswith("#"):
                return column, tag.strip()
        return None

    def check_header(self) -> None:
        """Refuse a header that names a column twice: which of the two would a layout mean?
        (Called once the layout is known, so a damaged file gets the layout's own advice.)"""
        if self.duplicates:
            name, first, second = self.duplicates[0]
            shown = name if len(name) <= 80 else name[:79] + "…"  # a damaged header: megabytes
            raise InputError(f"the header names column '{shown}' twice (columns {first} and "
                             f"{second})", file=self.path, line=1, field=shown,
                             hint="rename or remove one of them, or export the file again")

    @property
    def text_encoding(self) -> str:
        """The encoding of ``read_path`` (UTF-8 once transcoded)."""
        return "utf-8" if self.transcoded else self.encoding

    @property
    def bytes_path(self) -> Path:
        return self.data_path or self.path

    @property
    def nul_bytes(self) -> int:
        """NUL bytes in the file (0 for UTF-16, where they are part of the text); known once
        the background hash has finished."""
        if self.transcoded:
            return 0
        if self.member_nul_bytes is not None:
            return self.member_nul_bytes
        if self.sha256_future is None:
            return 0
        self.sha256_future.result()
        return self.sha256_future.nul_bytes or 0

    @property
    def sha256(self) -> str:
        if self.sha256_future is None:
            self.sha256_future = _Hasher(self.bytes_path, gzip_check=self.compression == "gzip")
        self.verify()
        return self.sha256_future.result()

    def verify(self) -> None:
        """Raise ArchiveError if a gzip file turned out truncated or damaged (checked by the
        background hash; a file opened without checksum is not checked)."""
        if self.compression != "gzip" or self.sha256_future is None:
            return
        with contextlib.suppress(zlib.error):  # the problem is recorded below
            self.sha256_future.result()
        problem = self.sha256_future.gzip_problem
        if problem:
            raise ArchiveError(problem, file=self.path, hint="download or copy the file again")

    def read_csv_sql(self, *, store_rejects: bool = False, ignore_errors: bool = False) -> str:
        cols = ", ".join(f"'{c.replace(chr(39), chr(39) * 2)}': 'VARCHAR'" for c in self.columns)
        enc = self.text_encoding
        delim = self.delimiter.replace("'", "''")
        path = str(self.read_path).replace("'", "''")
        opts = [
            f"'{path}'",
            "header = true",
            "auto_detect = false",
            f"delim = '{delim}'",
            "quote = '\"'",
            "escape = '\"'",
            f"columns = {{{cols}}}",
            f"encoding = '{enc}'",
            f"compression = '{self.compression}'",
            # rows up to 10 MB (DuckDB's default stops at 2 MB), but buffers of DuckDB's
            # default 32 MiB: the buffer otherwise grows to 16 x max_line_size, and fewer,
            # larger buffers parallelise worse (the 400,000-row parse: 0.70 -> 0.60 s)
            f"max_line_size = {MAX_LINE_BYTES}",
            "buffer_size = 33554432",
        ]
        if store_rejects:
            opts.append("store_rejects = true")
        elif ignore_errors:
            opts.append("ignore_errors = true")
        return f"read_csv({', '.join(opts)})"


class _Hasher:
    """sha256 of a file, computed in a thread while DuckDB parses it (hashlib frees the GIL).

    For gzip files the same pass also inflates the stream to its end, so a truncated file is
    caught (DuckDB would otherwise stop quietly at the cut and load a partial file). The same
    pass counts the NUL bytes of the text (plain or inflated; ``nul_bytes`` None for a zip,
    whose member is counted while it is extracted): a clean file pays one memchr per chunk.
    """

    def __init__(self, path: Path, *, gzip_check: bool = False, zipped: bool = False) -> None:
        self._digest: str | None = None
        self._error: BaseException | None = None
        self.gzip_problem: str | None = None
        self.nul_bytes: int | None = None if zipped else 0
        self._thread = threading.Thread(target=self._run, args=(path, gzip_check), daemon=True)
        self._thread.start()

    def _run(self, path: Path, gzip_check: bool) -> None:
        try:
            h = hashlib.sha256()
            inflate = zlib.decompressobj(wbits=47) if gzip_check else None
            count = self.nul_bytes is not None and inflate is None
            nuls = 0
            with path.open("rb") as fh:
                while chunk := fh.read(1 << 22):
                    h.update(chunk)
                    if count:
                        nuls += chunk.count(0)
                    if inflate is not None and not inflate.eof:
                        nuls += inflate.decompress(chunk, 1 << 16).count(0)
                        while inflate.unconsumed_tail and not inflate.eof:
                            nuls += inflate.decompress(inflate.unconsumed_tail, 1 << 16).count(0)
            if self.nul_bytes is not None:
                self.nul_bytes = nuls
            if inflate is not None and not inflate.eof:
                self.gzip_problem = "the gzip stream ends before its end marker (truncated)"
            self._digest = h.hexdigest()
        except zlib.error as exc:
            self.gzip_problem = f"the gzip stream is damaged ({exc})"
            self._digest = None
            self._error = exc
        except BaseException as exc:  # re-raised in result()
            self._error = exc

    def result(self) -> str:
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._digest is not None
        return self._digest


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in 4 MiB chunks (the one the clients and series use too)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()


def _zip_member(zf: zipfile.ZipFile, path: Path) -> str:
    members = [m for m in zf.namelist() if m.lower().endswith((".csv", ".txt"))]
    if len(members) != 1:
        raise InputError(
            f"expected one CSV inside the zip, found {len(members)}: "
            + ", ".join(zf.namelist()[:5]),
            file=path,
            hint="unzip it and ingest the CSV you want",
        )
    return members[0]


def _zip_error(path: Path, exc: Exception) -> ArchiveError:
    return ArchiveError(
        f"the zip file is truncated or damaged ({exc})",
        file=path,
        hint="download it again (`sahel ingest ucdp --download VERSION` resumes and checks "
        "its size)",
    )


def _extract_zip(path: Path, workdir: Path,
                 shown: Path | None = None) -> tuple[Path, str, int]:
    """(extracted file, member name, NUL bytes in it)."""
    shown = shown or path
    try:
        with zipfile.ZipFile(path) as zf:
            member = _zip_member(zf, shown)
            target = workdir / Path(member).name
            nuls = 0
            with zf.open(member) as src, target.open("wb") as dst:
                while chunk := src.read(1 << 22):
                    nuls += chunk.count(0)
                    dst.write(chunk)
            return target, member, nuls
    except (zipfile.BadZipFile, EOFError, zlib.error, OSError) as exc:
        raise _zip_error(shown, exc) from exc


def _head_bytes(path: Path, compression: str, member: str | None) -> bytes:
    """The first MiB of the (decompressed) text, to read the header from."""
    if member is not None:  # read the head of a zip member without extracting it
        try:
            with zipfile.ZipFile(path) as zf, zf.open(member) as fh:
                return fh.read(1 << 20)
        except (zipfile.BadZipFile, EOFError, zlib.error, OSError) as exc:
            raise _zip_error(path, exc) from exc
    opener = gzip.open if compression == "gzip" else open
    try:
        with opener(path, "rb") as fh:
            data: bytes = fh.read(1 << 20)
            return data
    except (EOFError, OSError, zlib.error) as exc:
        raise ArchiveError(
            f"the gzip file is truncated or damaged ({exc})", file=path,
            hint="download or copy the file again",
        ) from exc


def detect_utf16(raw: bytes, encoding: str) -> tuple[str, str] | None:
    """(codec, how it was known) when ``raw`` is UTF-16, else None.

    A byte-order mark settles it; without one, CSV text is mostly ASCII, which UTF-16 writes
    with a NUL byte beside every character — a pattern no UTF-8 or Latin-1 CSV has.
    """
    if raw.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le", "UTF-16 LE (byte-order mark)"
    if raw.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be", "UTF-16 BE (byte-order mark)"
    sample = raw[:4096]
    half = len(sample) // 2
    if half >= 8:
        odd, even = sample[1::2].count(0), sample[0::2].count(0)
        if odd > 0.6 * half and even < 0.05 * half:
            return "utf-16-le", "UTF-16 LE (no byte-order mark; recognised by its NUL bytes)"
        if even > 0.6 * half and odd < 0.05 * half:
            return "utf-16-be", "UTF-16 BE (no byte-order mark; recognised by its NUL bytes)"
    if encoding.startswith("utf-16"):
        codec = encoding if encoding != "utf-16" else "utf-16-le"
        return codec, f"{codec.upper()} (as given by --encoding)"
    return None


def _transcode(src: Path, compression: str, codec: str, workdir: Path, shown: Path) -> Path:
    """UTF-16 -> UTF-8 in ``workdir``: DuckDB reads UTF-8 fastest and reads UTF-16 BE not at
    all. The BOM is dropped; undecodable bytes are an EncodingError with their line."""
    target = workdir / (src.name + ".utf8.csv")
    decoder = codecs.getincrementaldecoder(codec)()
    opener = gzip.open if compression == "gzip" else open
    line, first = 1, True
    try:
        with opener(src, "rb") as fh, target.open("w", encoding="utf-8", newline="") as out:
            while chunk := fh.read(1 << 22):
                try:
                    text = decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    at = line + decoder.decode(chunk[: exc.start], final=False).count("\n")
                    raise EncodingError(f"bytes that are not valid {codec.upper()}", file=shown,
                                        line=at, hint="export the file again (as UTF-8 if "
                                        "you can)") from exc
                if first:
                    text, first = text.lstrip("\ufeff"), False
                line += text.count("\n")
                out.write(text)
            try:
                out.write(decoder.decode(b"", final=True))
            except UnicodeDecodeError as exc:
                raise EncodingError(f"the file ends in the middle of a {codec.upper()} "
                                    "character (truncated?)", file=shown, line=line,
                                    hint="copy or export the file again") from exc
    except (EOFError, zlib.error) as exc:
        raise ArchiveError(f"the gzip file is truncated or damaged ({exc})", file=shown,
                           hint="download or copy the file again") from exc
    return target


def _decode_head(raw: bytes, path: Path, encoding: str, n: int) -> list[str]:
    utf16 = detect_utf16(raw, encoding)
    if utf16 is not None:
        text = raw.decode(utf16[0], errors="replace")
    else:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as exc:
            if exc.start > len(raw) - 4:  # a multi-byte character cut by our 1 MiB window
                text = raw[: exc.start].decode(encoding)
            else:
                line = raw[: exc.start].count(b"\n") + 1
                raise EncodingError(
                    f"byte {raw[exc.start]:#x} is not valid {encoding}",
                    file=path,
                    line=line,
                    hint="pass --encoding latin-1 (or utf-16) if the file was saved that way",
                ) from exc
    lines = text.lstrip("\ufeff").splitlines()[:n]
    if lines and "\x00" in lines[0]:
        raise InputError(
            f"the header holds a NUL byte (column {lines[0].index(chr(0)) + 1}): this is not a "
            "text CSV file, or it is damaged", file=path, line=1,
            hint="check that it is the CSV you meant, or export it again",
        )
    return lines


def _check_file(path: Path, encoding: str, shown: Path | None = None) -> tuple[int, bytes]:
    shown = shown or path
    if not path.is_file():
        raise InputError("no such file" if not path.exists() else "not a regular file",
                         file=shown, hint="check the path")
    if encoding not in SUPPORTED_ENCODINGS:
        raise InputError(
            f"unsupported encoding {encoding!r}", field="--encoding",
            hint=f"use one of {', '.join(SUPPORTED_ENCODINGS)}",
        )
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            magic = fh.read(4)
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror})", file=shown,
                         hint="check its permissions") from exc
    if size == 0:
        raise InputError("the file is empty", file=shown, hint="download or export it again")
    return size, magic


def _split_header(lines: list[str], path: Path) -> tuple[str, list[str]]:
    if not lines or not lines[0].strip():
        raise InputError("the first line (header) is empty", file=path, line=1,
                         hint="the file must start with a header line of column names")
    delimiter = max(DELIMITERS, key=lines[0].count)
    return delimiter, parse_line(lines[0], delimiter, path, 1)


def parse_line(text: str, delimiter: str, path: Path, line: int) -> list[str]:
    """One CSV record from ``text``; a csv error becomes an InputError at ``line``."""
    try:
        return next(csv_reader(io.StringIO(text), delimiter), [])
    except csv.Error as exc:
        raise InputError(f"malformed CSV line ({exc})", file=path, line=line,
                         hint="fix that line, or export the file again") from exc


def _container(path: Path, magic: bytes, shown: Path) -> tuple[str | None, str]:
    """(zip member, compression) of the file at ``path``."""
    if magic.startswith(b"PK"):
        try:
            with zipfile.ZipFile(path) as zf:
                return _zip_member(zf, shown), "none"
        except (zipfile.BadZipFile, EOFError, zlib.error, OSError) as exc:
            raise _zip_error(shown, exc) from exc
    if magic.startswith(b"\x1f\x8b"):
        return None, "gzip"
    if shown.suffix.lower() == ".zip":
        raise ArchiveError("not a zip file", file=shown, hint="download it again")
    return None, "none"


def _written_by(delimiter: str, is_workbook: bool) -> str:
    return "workbook" if is_workbook else "spreadsheet" if delimiter == ";" else "csv"


def peek(path: Path, *, encoding: str = "utf-8") -> tuple[list[str], str]:
    """The header names and who wrote the file (see :attr:`SourceFile.written_by`), without
    hashing or extracting anything (for discovering files)."""
    _, magic = _check_file(path, encoding)
    if magic.startswith(b"PK") and workbook.is_workbook(path):
        return workbook.header(path, path), "workbook"
    member, compression = _container(path, magic, path)
    raw = _head_bytes(path, compression, member)
    delimiter, header = _split_header(_decode_head(raw, path, encoding, 3), path)
    return [h.strip() for h in header], _written_by(delimiter, False)


def peek_header(path: Path, *, encoding: str = "utf-8") -> list[str]:
    """The header names only: no hashing, no extraction of a zip (for discovering files)."""
    return peek(path, encoding=encoding)[0]


def _column_names(header: list[str]) -> tuple[list[str], list[tuple[str, int, int]]]:
    """Names DuckDB reads the columns under (a blank name becomes ``_col<i>``, a repeated one
    gets a ``_`` suffix), and the repeated names (refused by :meth:`SourceFile.check_header`)."""
    columns: list[str] = []
    duplicates: list[tuple[str, int, int]] = []
    for i, name in enumerate(header):
        clean = name.strip() or f"_col{i}"
        if clean in columns and name.strip():
            duplicates.append((clean, columns.index(clean) + 1, i + 1))
        while clean in columns:
            clean += "_"
        columns.append(clean)
    return columns, duplicates


def open_source(path: Path, workdir: Path, *, encoding: str = "utf-8",
                checksum: bool = True, data_path: Path | None = None) -> SourceFile:
    """Inspect ``path`` and return how to read it. Raises InputError subclasses with the fix.

    ``checksum``: start the sha256 (and the gzip integrity check) in the background, as an
    ingest needs; readers that only look at the file pass False. ``data_path``: read these
    bytes instead (an ingest's private copy of ``path``); messages still name ``path``.
    """
    src = data_path or path
    size, magic = _check_file(src, encoding, shown=path)
    if magic.startswith(b"PK") and workbook.is_workbook(src):
        return _open_workbook(path, src, workdir, size=size, checksum=checksum,
                              data_path=data_path)
    member, compression = _container(src, magic, path)
    raw = _head_bytes(src, compression, member)
    read_path, member_nuls = src, None
    if member is not None:
        read_path, _, member_nuls = _extract_zip(src, workdir, shown=path)
    hasher = (_Hasher(src, gzip_check=compression == "gzip", zipped=member is not None)
              if checksum else None)
    utf16 = detect_utf16(raw, encoding)
    transcoded = None
    if utf16 is not None:
        read_path = _transcode(read_path, compression, utf16[0], workdir, path)
        compression, encoding, transcoded = "none", utf16[0], f"read as {utf16[1]}"
    lines = _decode_head(raw, path, encoding, 3)
    delimiter, header = _split_header(lines, path)
    columns, duplicates = _column_names(header)
    hxl = len(lines) > 1 and lines[1].lstrip(delimiter).startswith("#")
    hxl_row = parse_line(lines[1], delimiter, path, 2) if hxl else []
    first_data = lines[2] if hxl and len(lines) > 2 else (lines[1] if len(lines) > 1 else "")
    if first_data:
        fields = parse_line(first_data, delimiter, path, 3 if hxl else 2)
        if len(fields) == len(header) + 1 and fields[-1] == "":
            columns.append("_trailing")  # UCDP explorer exports end every row with a comma
    return SourceFile(
        path=path, read_path=read_path, member=member, compression=compression,
        encoding=encoding, delimiter=delimiter, header=[h.strip() for h in header],
        columns=columns, hxl=hxl, size=size, sha256_future=hasher, data_path=data_path,
        transcoded=transcoded, member_nul_bytes=member_nuls, duplicates=duplicates,
        hxl_row=hxl_row,
    )


def _open_workbook(path: Path, src: Path, workdir: Path, *, size: int, checksum: bool,
                   data_path: Path | None) -> SourceFile:
    """A workbook's only sheet as a UTF-8 CSV (``--encoding`` does not apply: .xlsx is Unicode)."""
    target = workdir / (path.name + ".csv")
    title, nuls = workbook.to_csv(src, target, shown=path)
    with target.open("rb") as fh:
        lines = _decode_head(fh.read(1 << 20), path, "utf-8", 2)
    header = parse_line(lines[0], ",", path, 1)
    columns, duplicates = _column_names(header)
    return SourceFile(
        path=path, read_path=target, member=None, compression="none", encoding="utf-8",
        delimiter=",", header=[h.strip() for h in header], columns=columns, hxl=False,
        size=size, sha256_future=_Hasher(src, zipped=True) if checksum else None,
        data_path=data_path, member_nul_bytes=nuls, duplicates=duplicates, workbook=title,
    )


def locate_lines(sf: SourceFile, column: str | None, values: list[str]) -> dict[str, list[int]]:
    """File line numbers of the rows whose ``column`` equals each of ``values`` (in file order).

    Only used on the error path (a few rows), so a plain csv scan is fine; it counts physical
    lines, so multi-line quoted fields are located correctly.
    """
    if column is None or column not in sf.columns:
        return {}
    idx = sf.columns.index(column)
    wanted = set(values)
    found: dict[str, list[int]] = {}
    with _text_stream(sf) as fh:
        reader = csv_reader(fh, sf.delimiter)
        start_line = 1
        for n, row in enumerate(reader):
            if n == 0 or (sf.hxl and n == 1):
                start_line = reader.line_num + 1
                continue
            value = row[idx].strip() if idx < len(row) else ""
            if value in wanted:
                found.setdefault(value, []).append(start_line)
            start_line = reader.line_num + 1
    return found


def _text_stream(sf: SourceFile) -> io.TextIOWrapper:
    if sf.compression == "gzip":
        return io.TextIOWrapper(gzip.open(sf.read_path, "rb"), encoding=sf.text_encoding,
                                newline="", errors="replace")
    return open(sf.read_path, encoding=sf.text_encoding, newline="", errors="replace")


def record_line(sf: SourceFile, record: int) -> int | None:
    """Physical line where CSV record ``record`` (1 = header) starts.

    DuckDB numbers malformed rows by record; quoted fields spanning lines (UCDP articles) make
    that differ from the line a user sees in an editor.
    """
    try:
        with _text_stream(sf) as fh:
            reader = csv_reader(fh, sf.delimiter)
            start, n = 1, 0
            for n, _row in enumerate(reader, start=1):
                if n == record:
                    return start
                start = reader.line_num + 1
            return start if n + 1 == record else None
    except (csv.Error, OSError, EOFError):
        return None


def find_encoding_error(sf: SourceFile) -> tuple[int, int] | None:
    """(line, byte) of the first byte that is not valid in ``sf.encoding``, or None.

    Error path only: DuckDB reports bad bytes inconsistently (sometimes an internal error), so
    we locate them ourselves to name the line.
    """
    decoder = codecs.getincrementaldecoder(sf.text_encoding)()
    line = 1
    opener = gzip.open if sf.compression == "gzip" else open
    with opener(sf.read_path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                return line + chunk[: exc.start].count(b"\n"), chunk[exc.start]
            line += chunk.count(b"\n")
    return None
