"""Peak resident memory of the current process, measured so that a parent cannot inflate it.

``resource.getrusage(RUSAGE_SELF).ru_maxrss`` is NOT per program on Linux: a child started by
``subprocess`` (fork/vfork + exec) inherits the parent's high-water mark, so a benchmark whose
parent once held 1.3 GiB (e.g. while generating the input file) would report 1.3 GiB for every
child. ``VmHWM`` in ``/proc/self/status`` is the peak of the current address space only, so it
is used where it exists (Linux); ``ru_maxrss`` is the fallback elsewhere.
"""

from __future__ import annotations

import resource
import sys
from pathlib import Path


def peak_rss_mib() -> float:
    """Peak RSS of this process (this program, since its exec) in MiB."""
    status = Path("/proc/self/status")
    try:
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024


def peak_source() -> str:
    return "VmHWM" if Path("/proc/self/status").is_file() else "ru_maxrss"
