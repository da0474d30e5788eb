"""Open a source file the way it really is: zip or gzip, encoding, delimiter, HXL row, header.

Nothing is guessed silently: the delimiter comes from the header line, the layout from the
header names (:func:`sahel.events.layouts.detect_layout`), and DuckDB then reads with those
settings fixed (no sniffing), so a malformed row is an error and not a shifted column.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import hashlib
import io
import shutil
import threading
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from sahel.errors import ArchiveError, EncodingError, InputError

DELIMITERS = (",", ";", "\t", "|")
SUPPORTED_ENCODINGS = ("utf-8", "latin-1", "utf-16")


@dataclass
class SourceFile:
    """A file ready for DuckDB: where to read, and how."""

    path: Path  # what the user gave
    read_path: Path  # what DuckDB reads (the extracted member for a zip)
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

    @property
    def sha256(self) -> str:
        if self.sha256_future is None:
            self.sha256_future = _Hasher(self.path, gzip_check=self.compression == "gzip")
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
        enc = {"utf-8": "utf-8", "latin-1": "latin-1", "utf-16": "utf-16"}[self.encoding]
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
            "max_line_size = 10000000",
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
    caught (DuckDB would otherwise stop quietly at the cut and load a partial file).
    """

    def __init__(self, path: Path, *, gzip_check: bool = False) -> None:
        self._digest: str | None = None
        self._error: BaseException | None = None
        self.gzip_problem: str | None = None
        self._thread = threading.Thread(target=self._run, args=(path, gzip_check), daemon=True)
        self._thread.start()

    def _run(self, path: Path, gzip_check: bool) -> None:
        try:
            h = hashlib.sha256()
            inflate = zlib.decompressobj(wbits=47) if gzip_check else None
            with path.open("rb") as fh:
                while chunk := fh.read(1 << 22):
                    h.update(chunk)
                    if inflate is not None and not inflate.eof:
                        inflate.decompress(chunk, 1 << 16)
                        while inflate.unconsumed_tail and not inflate.eof:
                            inflate.decompress(inflate.unconsumed_tail, 1 << 16)
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


def _extract_zip(path: Path, workdir: Path) -> tuple[Path, str]:
    try:
        with zipfile.ZipFile(path) as zf:
            member = _zip_member(zf, path)
            target = workdir / Path(member).name
            with zf.open(member) as src, target.open("wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 22)
            return target, member
    except (zipfile.BadZipFile, EOFError, zlib.error, OSError) as exc:
        raise _zip_error(path, exc) from exc


def _first_lines(path: Path, compression: str, encoding: str, n: int = 3,
                 member: str | None = None) -> list[str]:
    if member is not None:  # read the head of a zip member without extracting it
        try:
            with zipfile.ZipFile(path) as zf, zf.open(member) as fh:
                raw = fh.read(1 << 20)
        except (zipfile.BadZipFile, EOFError, zlib.error, OSError) as exc:
            raise _zip_error(path, exc) from exc
        return _decode_head(raw, path, encoding, n)
    opener = gzip.open if compression == "gzip" else open
    try:
        with opener(path, "rb") as fh:
            raw = fh.read(1 << 20)
    except (EOFError, OSError, zlib.error) as exc:
        raise ArchiveError(
            f"the gzip file is truncated or damaged ({exc})", file=path,
            hint="download or copy the file again",
        ) from exc
    return _decode_head(raw, path, encoding, n)


def _decode_head(raw: bytes, path: Path, encoding: str, n: int) -> list[str]:
    if encoding == "utf-16" or raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        text = raw.decode("utf-16", errors="replace")
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
    return text.lstrip("\ufeff").splitlines()[:n]


def _check_file(path: Path, encoding: str) -> tuple[int, bytes]:
    if not path.is_file():
        raise InputError("no such file", file=path, hint="check the path")
    if encoding not in SUPPORTED_ENCODINGS:
        raise InputError(
            f"unsupported encoding {encoding!r}", field="--encoding",
            hint=f"use one of {', '.join(SUPPORTED_ENCODINGS)}",
        )
    size = path.stat().st_size
    if size == 0:
        raise InputError("the file is empty", file=path, hint="download or export it again")
    with path.open("rb") as fh:
        return size, fh.read(4)


def _split_header(lines: list[str], path: Path) -> tuple[str, list[str]]:
    if not lines or not lines[0].strip():
        raise InputError("the first line (header) is empty", file=path, line=1,
                         hint="the file must start with a header line of column names")
    delimiter = max(DELIMITERS, key=lines[0].count)
    return delimiter, next(csv.reader(io.StringIO(lines[0]), delimiter=delimiter))


def peek_header(path: Path, *, encoding: str = "utf-8") -> list[str]:
    """The header names only: no hashing, no extraction of a zip (for discovering files)."""
    _, magic = _check_file(path, encoding)
    member, compression = None, "none"
    if magic.startswith(b"PK"):
        try:
            with zipfile.ZipFile(path) as zf:
                member = _zip_member(zf, path)
        except (zipfile.BadZipFile, EOFError, zlib.error, OSError) as exc:
            raise _zip_error(path, exc) from exc
    elif magic.startswith(b"\x1f\x8b"):
        compression = "gzip"
    elif path.suffix.lower() == ".zip":
        raise ArchiveError("not a zip file", file=path, hint="download it again")
    _, header = _split_header(_first_lines(path, compression, encoding, member=member), path)
    return [h.strip() for h in header]


def open_source(path: Path, workdir: Path, *, encoding: str = "utf-8",
                checksum: bool = True) -> SourceFile:
    """Inspect ``path`` and return how to read it. Raises InputError subclasses with the fix.

    ``checksum``: start the sha256 (and the gzip integrity check) in the background, as an
    ingest needs; readers that only look at the file pass False.
    """
    size, magic = _check_file(path, encoding)
    read_path, member, compression = path, None, "none"
    if magic.startswith(b"PK"):
        read_path, member = _extract_zip(path, workdir)
    elif magic.startswith(b"\x1f\x8b"):
        compression = "gzip"
    elif path.suffix.lower() == ".zip":
        raise ArchiveError("not a zip file", file=path, hint="download it again")
    hasher = _Hasher(path, gzip_check=compression == "gzip") if checksum else None
    lines = _first_lines(read_path, compression, encoding)
    delimiter, header = _split_header(lines, path)
    columns: list[str] = []
    for i, name in enumerate(header):
        clean = name.strip() or f"_col{i}"
        while clean in columns:
            clean += "_"
        columns.append(clean)
    hxl = len(lines) > 1 and lines[1].lstrip(delimiter).startswith("#")
    first_data = lines[2] if hxl and len(lines) > 2 else (lines[1] if len(lines) > 1 else "")
    if first_data:
        fields = next(csv.reader(io.StringIO(first_data), delimiter=delimiter), [])
        if len(fields) == len(header) + 1 and fields[-1] == "":
            columns.append("_trailing")  # UCDP explorer exports end every row with a comma
    return SourceFile(
        path=path, read_path=read_path, member=member, compression=compression,
        encoding=encoding, delimiter=delimiter, header=[h.strip() for h in header],
        columns=columns, hxl=hxl, size=size, sha256_future=hasher,
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
        reader = csv.reader(fh, delimiter=sf.delimiter)
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
        return io.TextIOWrapper(gzip.open(sf.read_path, "rb"), encoding=sf.encoding,
                                newline="", errors="replace")
    return open(sf.read_path, encoding=sf.encoding, newline="", errors="replace")


def record_line(sf: SourceFile, record: int) -> int | None:
    """Physical line where CSV record ``record`` (1 = header) starts.

    DuckDB numbers malformed rows by record; quoted fields spanning lines (UCDP articles) make
    that differ from the line a user sees in an editor.
    """
    try:
        with _text_stream(sf) as fh:
            reader = csv.reader(fh, delimiter=sf.delimiter)
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
    import codecs

    decoder = codecs.getincrementaldecoder(sf.encoding)()
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
