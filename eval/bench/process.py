"""Phase isolation: each phase may run in a fresh spawned process.

A fresh process per phase keeps peak memory per pipeline and stops one phase's
warm caches (models, indexes, OS page cache of imports) from helping another.
"""

from __future__ import annotations

import resource
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any


def rss_mb(field_name: str = "VmRSS", pid: int | None = None) -> float | None:
    """Current (``VmRSS``) or peak (``VmHWM``) resident memory in MB of this process (Linux), or
    of process ``pid`` (a server the bench started; ``None`` when it cannot be read)."""
    try:
        for line in Path(f"/proc/{pid or 'self'}/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    if field_name == "VmHWM" and pid is None:  # elsewhere: ru_maxrss (KB on Linux, bytes on macOS)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)
    return None


def call(fn: Callable[..., Any], *args: Any, isolate: bool = True, **kwargs: Any) -> Any:
    """``fn(*args, **kwargs)``, in a fresh spawned process when ``isolate`` (its result comes back pickled)."""
    if not isolate:
        return fn(*args, **kwargs)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(fn, *args, **kwargs).result()
