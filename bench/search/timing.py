"""The time of a search, as bench/search/*.sh measure it: the whole
git-patterns process run five times; the median wall time and the median
CPU time (user + system of the child, from getrusage), in seconds."""
import resource
import statistics
import subprocess
import time


def median_times(cmd, runs=5):
    walls, cpus = [], []
    for _ in range(runs):
        c = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True)
        walls.append(time.perf_counter() - t)
        c2 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(c2.ru_utime - c.ru_utime + c2.ru_stime - c.ru_stime)
    return statistics.median(walls), statistics.median(cpus)
