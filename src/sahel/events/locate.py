"""Where a file goes wrong, when DuckDB does not say: error path only.

DuckDB names the line of most CSV problems; for two it does not, and the error must still
name it: a line ending that differs from the file's first one (it stops with "state machine
reached an invalid state"), and a malformed row so long that DuckDB cuts its echo of the row
inside a UTF-8 character (its Python binding then raises a bare UnicodeDecodeError). Found by
fuzzing real files (``tests/hardening/test_fuzz.py``).
"""

from __future__ import annotations

import csv
import re

from sahel.events.reader import SourceFile, _text_stream, csv_reader

_LINE_END_NAMES = {"\n": "LF (\\n)", "\r\n": "CRLF (\\r\\n)", "\r": "CR (\\r)"}
_CSV_TOKENS = re.compile(r'"|\r\n|\r|\n')


def find_line_end_problem(sf: SourceFile) -> tuple[int, str] | None:
    """(line, what) of the first line ending, outside quotes, that differs from the file's
    first one — a CRLF line in an LF file, a stray carriage return — or None.

    Error path only: DuckDB reads one line-ending style per file and stops at another one
    with "state machine reached an invalid state" and no line number. Lines are counted as an
    editor counts them: at every line ending of the file's own style, and at every LF.
    """
    style: str | None = None
    line, quoted, pending_cr = 1, False, False
    with _text_stream(sf) as fh:  # newline="": the \r are kept
        while chunk := fh.read(1 << 22):
            if pending_cr:  # a \r that ended the previous chunk
                chunk = "\r" + chunk
                pending_cr = False
            for m in _CSV_TOKENS.finditer(chunk):
                token = m.group(0)
                if token == '"':
                    quoted = not quoted  # an escaped "" toggles twice
                    continue
                if token == "\r" and m.end() == len(chunk):
                    pending_cr = True  # maybe the first half of a \r\n cut by the chunk
                    break
                if quoted:
                    line += token.count("\n")
                    continue
                if style is None:
                    style = token
                elif token != style:
                    what = ("holds a stray CR (\\r)" if token == "\r"
                            else f"ends with {_LINE_END_NAMES[token]}")
                    return line, (f"this line {what} while the file's lines end with "
                                  f"{_LINE_END_NAMES[style]}")
                line += 1
        if pending_cr and style is not None and style != "\r" and not quoted:
            return line, (f"the file ends with a stray CR (\\r) while its lines end with "
                          f"{_LINE_END_NAMES[style]}")
    return None


def find_bad_record(sf: SourceFile) -> tuple[int, str] | None:
    """(line, what) of the first record that the csv module cannot split into the header's
    number of fields, or None. Error path only: for the DuckDB errors that name no line (or
    whose message DuckDB itself cannot decode, having cut it inside a UTF-8 character)."""
    start = 1
    try:
        with _text_stream(sf) as fh:
            reader = csv_reader(fh, sf.delimiter)
            for n, row in enumerate(reader):
                if n > 0 and len(row) != len(sf.columns) and not (sf.hxl and n == 1):
                    return start, f"expected {len(sf.columns)} fields, found {len(row)}"
                start = reader.line_num + 1
    except csv.Error as exc:
        return start, f"the row cannot be split into fields ({exc})"
    except (OSError, EOFError):
        return None
    return None
