"""What every bench measures with: the median of repeated runs, in milliseconds."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence


def median_ms(fn: Callable[[], object], runs: int, warm: bool = False) -> float:
    """Run `fn` `runs` times (once more first when `warm`, as a running app would be)."""
    if warm:
        fn()
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def medians_in_turns_ms(
    fns: Sequence[Callable[[], object]],
    runs: int,
    clock: Callable[[], float] = time.perf_counter,
) -> list[float]:
    """Run each of `fns` in turn, `runs` rounds (one warm round first), and give each one's
    median: a ratio of two of them is steady on a busy machine, since both meet the same noise.
    `clock` is in seconds: wall time by default, `time.process_time` for processor time only."""
    return [statistics.median(samples) for samples in samples_in_turns_ms(fns, runs, clock)]


def samples_in_turns_ms(
    fns: Sequence[Callable[[], object]],
    runs: int,
    clock: Callable[[], float] = time.perf_counter,
) -> list[list[float]]:
    """Each of `fns`' timings, run in turns as `medians_in_turns_ms` does (for percentiles)."""
    for fn in fns:
        fn()
    timings: list[list[float]] = [[] for _ in fns]
    for _ in range(runs):
        for fn, samples in zip(fns, timings, strict=True):
            start = clock()
            fn()
            samples.append((clock() - start) * 1000)
    return timings
