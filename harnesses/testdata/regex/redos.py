#!/usr/bin/env python3
"""Measure the growth class Python's `re` shows on each case of redos.toml.

For every case the attack string is ``prefix + pump * n + suffix``. A worker
subprocess times ``re.compile(pattern).search(attack)`` over increasing n,
in CPU time of its thread (so other jobs on a busy machine do not read as
growth), and prints one ``n seconds`` line per size. This process reads the
lines and kills the worker once it has spent ``TIMEOUT`` seconds of CPU time
on one size without answering (or ``WALL_TIMEOUT`` seconds of wall-clock
time), so nothing hangs.

n starts at 1 and doubles while a search is cheap, then grows by the factor
the last two points predict will double the time, until one search takes
``STOP_AT`` seconds or the attack string would pass ``MAX_LEN`` characters.
A doubling that costs more than ``STEEP`` times is walked again one pump at
a time, and so is the gap before a size that had to be killed. So an
exponential case is measured at every n from about 8 to about 25, and a
linear one up to 150,000 characters.

Classification, on the points slower than ``FLOOR``:

- "linear": the log-log slope over the largest ``FIT_POINTS`` points is
  under 1.5 (constant time counts as linear), or fewer than 4 points were
  ever slower than ``FLOOR``;
- "exponential": the log-log slope over all those points is at least
  ``EXP_MIN_SLOPE`` and keeps rising (upper half ``EXP_RISE`` times steeper
  than the lower half), as b^n does; ``base`` is fitted on log t against n;
- "polynomial": otherwise, with ``degree`` the log-log slope over the
  largest points, rounded;
- "refused": ``re.compile`` raises ``re.error``.

Usage (Python 3.11+, for tomllib):

    python3 redos.py                 # measure every case, print a table
    python3 redos.py --check         # re-measure; exit 1 on a class that
                                     # disagrees with the table's `python`
                                     # (or a polynomial slope more than
                                     # DEGREE_SLACK from its `degree`)
    python3 redos.py --case NAME ... # only these cases
    python3 redos.py --json OUT      # also write the measurements as JSON

Whole run: about 1 to 2 minutes; one case at a time, one worker process.
"""

import argparse
import json
import math
import os
import queue
import re
import subprocess
import sys
import threading
import time
import tomllib
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
TABLE = os.path.join(HERE, "redos.toml")

# A worker that spends this much CPU time (read from /proc; wall-clock time
# where there is no /proc) on one size without answering is killed; the n it
# was on counts as "timed out". Searches stop at STOP_AT, so only a jump far
# past it hits this.
TIMEOUT = 1.5
# ...and one silent for this long in wall-clock time, however busy the machine.
WALL_TIMEOUT = 20.0
# Stop growing n once a search takes this much CPU time (enough to fit).
STOP_AT = 0.2
# Crossing a gap of more than one pump with a time ratio above this (a
# doubling of n that costs more than degree 4) sends the walk back into it.
STEEP = 20.0
# Never build an attack string longer than this (characters). Past a few
# hundred thousand characters CPU caches and the allocator add steps to the
# time of linear searches (sre's backtracking stack for (a|aa)+ jumps 12x
# between 200,000 and 400,000 iterations), which a fit would read as growth.
MAX_LEN = 150_000
# Points faster than this are dropped: timer noise and the cost of the call.
FLOOR = 2e-5
# Fit on at most this many of the largest sizes.
FIT_POINTS = 12
# Exponential growth b^n has a log-log slope n ln b that keeps rising with n;
# a polynomial's settles at its degree. Exponential when the slope over all
# points above the floor is at least EXP_MIN_SLOPE and the upper half of
# those points is EXP_RISE times steeper than the lower half. (Measured here:
# the 2^n and 1.6^n cases have slopes 8.6 to 10.5 and rises 1.3 to 1.7; the
# polynomial ones, slopes up to 3.8 and rises up to 1.18.)
EXP_MIN_SLOPE = 6.0
EXP_RISE = 1.2
# --check accepts a polynomial whose fitted slope is within this of the
# table's degree (timing noise moves a cubic's slope between 2.8 and 3.5).
DEGREE_SLACK = 0.75
# Wall-clock budget for one case, all workers included.
CASE_BUDGET = 30.0


# --------------------------------------------------------------------------
# Worker: runs in a subprocess, prints "n seconds" lines.


def _time_search(rx, s):
    """CPU seconds for one rx.search(s); best of 3 batches when it is fast.

    CPU time of this thread, not wall time, so the other jobs on a busy
    machine do not show up as growth.
    """
    clock = time.thread_time
    t0 = clock()
    rx.search(s)
    first = clock() - t0
    if first > 0.02:
        return first
    reps = max(1, min(1000, int(0.003 / max(first, 1e-7))))
    best = first
    for _ in range(3):
        t0 = clock()
        for _ in range(reps):
            rx.search(s)
        best = min(best, (clock() - t0) / reps)
    return best


def worker(spec):
    warnings.simplefilter("ignore")
    rx = re.compile(spec["pattern"])
    prefix, pump, suffix = spec["prefix"], spec["pump"], spec["suffix"]
    step = spec.get("step")  # None: adaptive; an int: fixed increment
    seen = {}
    n = spec["n0"]
    while True:
        s = prefix + pump * n + suffix
        if len(s) > MAX_LEN:
            break
        print(f"? {n}", flush=True)
        t = _time_search(rx, s)
        print(f"{n} {t:.9g}", flush=True)
        if t >= STOP_AT:
            break
        below = [m for m in seen if m < n]
        seen[n] = t
        if step:
            nxt = n + step
        elif not below:
            nxt = n * 2
        else:
            pn = max(below)
            pt = max(seen[pn], 1e-7)
            if n - pn > 1 and t > STEEP * pt:
                # Too steep for the gap just crossed: walk it from below.
                nxt = pn + 1
            elif t < 1e-5:
                nxt = n * 2  # constant time or timer noise: get big fast
            elif t <= pt:
                nxt = n + max(1, n // 4)  # noise: step on, carefully
            else:
                k = math.log(t / pt) / math.log(n / pn)
                nxt = int(n * min(2.0 ** (1.0 / max(k, 0.5)), 2.0))
        n = max(nxt, 1)
        while n in seen:
            n += 1


# --------------------------------------------------------------------------
# Parent: runs workers with a deadline.


def _run_worker(spec, budget):
    """Points [(n, t)], the n that timed out (or None), and seconds used."""
    start = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, os.path.abspath(__file__), "--worker"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    proc.stdin.write(json.dumps(spec))
    proc.stdin.close()
    lines = queue.Queue()

    def pump_lines():
        for line in proc.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump_lines, daemon=True).start()
    points, timed_out, running = [], None, None
    silent_since, cpu_at_line = time.monotonic(), _cpu_seconds(proc.pid)
    while True:
        now = time.monotonic()
        try:
            line = lines.get(timeout=0.25)
        except queue.Empty:
            cpu = _cpu_seconds(proc.pid)
            if cpu is not None and cpu_at_line is not None:
                stuck = cpu - cpu_at_line > TIMEOUT
            else:
                stuck = now - silent_since > TIMEOUT
            if stuck or now - silent_since > WALL_TIMEOUT or now - start > budget:
                proc.kill()
                proc.wait()
                timed_out = running
                break
            continue
        silent_since, cpu_at_line = time.monotonic(), _cpu_seconds(proc.pid)
        if line is None:
            proc.wait()
            if proc.returncode not in (0, None):
                err = proc.stderr.read().strip().splitlines()
                raise RuntimeError(err[-1] if err else f"worker exited {proc.returncode}")
            break
        n, t = line.split()
        if n == "?":
            running = int(t)
            continue
        points.append((int(n), float(t)))
    return sorted(points), timed_out, time.monotonic() - start


def _cpu_seconds(pid):
    """User + system CPU seconds of a process (Linux /proc), or None."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def measure(case):
    """Dict with the class and the fit for one case."""
    pattern = case["pattern"]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            re.compile(pattern)
    except re.error as e:
        return {"name": case["name"], "python": "refused", "error": str(e), "points": []}
    spec = {k: case[k] for k in ("pattern", "prefix", "pump", "suffix")}
    spec["n0"] = 1
    t0 = time.monotonic()
    points, timed_out, _ = _run_worker(spec, CASE_BUDGET)
    # An exponential case can jump from cheap to hopeless in one step: walk
    # it again one pump at a time from the largest size measured, unless that
    # one was already close to STOP_AT.
    last = max(points) if points else (1, 0.0)
    if timed_out is not None and timed_out > last[0] + 1 and last[1] < STOP_AT / 2:
        start = last[0]
        spec2 = dict(spec, n0=max(1, start), step=1)
        more, timed_out, _ = _run_worker(spec2, CASE_BUDGET - (time.monotonic() - t0))
        points = sorted(set(points) | set(more))
    result = classify(points)
    result.update(
        name=case["name"],
        points=points,
        timed_out_at=timed_out,
        seconds=round(time.monotonic() - t0, 2),
    )
    return result


def _above_floor(points):
    return [(n, t) for n, t in points if t >= FLOOR]


def _linfit(xs, ys):
    m = len(xs)
    mx, my = sum(xs) / m, sum(ys) / m
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx == 0:
        return 0.0, my, 0.0
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
    icpt = my - slope * mx
    rms = math.sqrt(sum((y - (icpt + slope * x)) ** 2 for x, y in zip(xs, ys)) / m)
    return slope, icpt, rms


def _slope(pts):
    return _linfit([math.log(n) for n, _ in pts], [math.log(t) for _, t in pts])[0]


def classify(points):
    above = _above_floor(points)
    if len(above) < 4 or above[-1][0] == above[0][0]:
        # Never got measurably slow: constant or linear time.
        return {"python": "linear", "slope": None}
    fit = above[-FIT_POINTS:]
    k = _slope(fit)
    half = len(above) // 2
    k_all, lo, hi = _slope(above), _slope(above[: half + 1]), _slope(above[half:])
    out = {"slope": round(k, 3), "slope_all": round(k_all, 2),
           "slope_low": round(lo, 2), "slope_high": round(hi, 2)}
    if k < 1.5:
        out["python"] = "linear"
    elif k_all >= EXP_MIN_SLOPE and hi >= EXP_RISE * lo:
        b = _linfit([n for n, _ in fit], [math.log(t) for _, t in fit])[0]
        out["python"] = "exponential"
        out["base"] = round(math.exp(b), 2)
    else:
        out["python"] = "polynomial"
        out["degree"] = int(round(k))
    return out


def describe(r):
    cls = r["python"]
    if cls == "polynomial":
        cls += f" (degree {r['degree']})"
    elif cls == "exponential":
        cls += f" (x{r['base']} per pump)"
    return cls


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--check", action="store_true",
                    help="re-measure and report cases whose class disagrees with the table")
    ap.add_argument("--case", nargs="+", metavar="NAME", help="only these cases")
    ap.add_argument("--json", metavar="OUT", help="write the measurements to OUT")
    ap.add_argument("--table", default=TABLE, help="the TOML table (default: redos.toml here)")
    args = ap.parse_args()
    if args.worker:
        worker(json.loads(sys.stdin.read()))
        return 0

    with open(args.table, "rb") as f:
        cases = tomllib.load(f)["case"]
    if args.case:
        wanted = set(args.case)
        unknown = wanted - {c["name"] for c in cases}
        if unknown:
            ap.error(f"unknown case(s): {', '.join(sorted(unknown))}")
        cases = [c for c in cases if c["name"] in wanted]

    print(f"Python {sys.version.split()[0]}, {len(cases)} cases", flush=True)
    results, disagree = [], []
    started = time.monotonic()
    for case in cases:
        r = measure(case)
        results.append(r)
        pts = r["points"]
        last = f"n={pts[-1][0]} {pts[-1][1]:.3f}s" if pts else "-"
        if r.get("timed_out_at") is not None:
            last += f", n={r['timed_out_at']} killed"
        slope = "" if r.get("slope") is None else (
            f"slope {r['slope']:5.2f} ({r['slope_low']:.1f} -> {r['slope_high']:.1f})")
        mark = ""
        if args.check:
            want = case.get("python")
            bad = want != r["python"]
            if not bad and want == "polynomial":
                bad = abs(r["slope"] - case.get("degree", 0)) > DEGREE_SLACK
            if bad:
                expected = want + (f" (degree {case.get('degree')})" if want == "polynomial" else "")
                disagree.append((case["name"], expected, describe(r)))
                mark = f"  <-- table says {expected}"
        print(f"{case['name']:40} {describe(r):30} {slope:22} {last}{mark}", flush=True)

    counts = {}
    for r in results:
        counts[r["python"]] = counts.get(r["python"], 0) + 1
    print("classes: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    print(f"took {time.monotonic() - started:.0f} s")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"python": sys.version.split()[0], "results": results}, f, indent=1)
    if args.check:
        if disagree:
            print(f"{len(disagree)} case(s) disagree with the table:")
            for name, want, got in disagree:
                print(f"  {name}: table {want}, measured {got}")
            return 1
        print("every case agrees with the table")
    return 0


if __name__ == "__main__":
    sys.exit(main())
