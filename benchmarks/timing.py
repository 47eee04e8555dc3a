"""Timing helpers shared by the benchmarks: run a function N times, print the median."""

import statistics
import time


def timed(function, runs):
    """The wall-clock time of each of `runs` calls of `function`, in seconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


def report(label, times, extra="", width=50):
    ms = [t * 1000 for t in times]
    print(f"{label:<{width}} median {statistics.median(ms):8.1f} ms  (min {min(ms):.1f}, max {max(ms):.1f}){extra}")
