#!/usr/bin/env python3
"""compare-bench.py - speed-ups between two benchmark runs, or two ISAs of one.

Reads the JSON of the kernel benchmarks (Google Benchmark's format, from
bench_kernels --benchmark_out=FILE --benchmark_out_format=json) or of the
training benchmark (simdnet bench --json FILE), and prints a table of
speed-ups per kernel and shape (or per engine and thread count).

  compare-bench.py BASE.json NEW.json      NEW's speed-up over BASE, for every
                                           benchmark in both runs
  compare-bench.py RUN.json ISA_A ISA_B    ISA_B's speed-up over ISA_A in one
                                           run; a peer (openblas, libm) works
                                           as an ISA too

A speed-up above 1 means the second is faster. Kernel times are CPU time per
call, the median of --benchmark_repetitions where there are several.
"""
import argparse
import json
import math
import os
import re
import statistics
import sys

TIME_UNITS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except OSError as e:
        sys.exit(f"compare-bench: {path}: {e.strerror}")
    except json.JSONDecodeError as e:
        sys.exit(f"compare-bench: {path}: not valid JSON ({e})")


def kind(doc, path):
    if "benchmarks" in doc:
        return "kernels"
    if "results" in doc and "network" in doc:
        return "training"
    sys.exit(f"compare-bench: {path}: neither Google Benchmark JSON nor "
             "`simdnet bench --json` output")


def kernel_runs(doc, clock):
    """name -> {"ns": time per call, "gflops": ..., "peak": ...}, in file order.

    Uses the "median" aggregate where repetitions produced one, else the
    median of the iteration entries of that name. Failed runs are left out.
    """
    runs, medians = {}, {}
    for b in doc["benchmarks"]:
        if b.get("error_occurred"):
            continue
        name = b.get("run_name", b["name"])
        ns = b[clock + "_time"] * TIME_UNITS.get(b.get("time_unit", "ns"), 1.0)
        entry = {"ns": ns, "gflops": b.get("GFLOP/s"), "peak": b.get("%peak")}
        if b.get("run_type") == "aggregate":
            if b.get("aggregate_name") == "median":
                medians[name] = entry
            continue
        runs.setdefault(name, []).append(entry)
    out = {}
    for name, entries in runs.items():
        if name in medians:
            out[name] = medians[name]
        else:
            mid = statistics.median_low([e["ns"] for e in entries])
            out[name] = next(e for e in entries if e["ns"] == mid)
    return out


def training_runs(doc):
    """(engine, isa, threads) -> result, in file order."""
    return {(r.get("engine", "-"), r["isa"], r["threads"]): r
            for r in doc["results"]}


def fmt_ns(ns):
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.2f} us"
    return f"{ns:.1f} ns"


def fmt_opt(v, spec):
    return format(v, spec) if isinstance(v, (int, float)) else "-"


def fmt_rate(v):
    for div, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if v >= div:
            return f"{v / div:.2f}{suffix}"
    return f"{v:.0f}"


def print_table(header, rows, right):
    """rows of strings; columns in `right` (indices) are right-aligned."""
    widths = [max(len(r[i]) for r in [header] + rows) for i in range(len(header))]

    def line(r):
        cells = [c.rjust(w) if i in right else c.ljust(w)
                 for i, (c, w) in enumerate(zip(r, widths))]
        return "  ".join(cells).rstrip()

    print(line(header))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print(line(r))


def geomean(xs):
    xs = [x for x in xs if x > 0]
    return math.exp(sum(map(math.log, xs)) / len(xs)) if xs else float("nan")


def summary(speedups_by_group):
    parts = [f"{g} {geomean(v):.2f}x" for g, v in speedups_by_group.items()]
    every = [x for v in speedups_by_group.values() for x in v]
    print(f"\ngeometric mean speed-up: {geomean(every):.2f}x over "
          f"{len(every)} pairs" + (f" ({', '.join(parts)})" if parts else ""))


def compare_kernels(a, b, label_a, label_b, key_header, pairs):
    """pairs: [(key columns, name in a, name in b)]; grouped by key[0]."""
    header = key_header + [label_a, label_b, "speed-up",
                           f"{label_b} GFLOP/s", f"{label_b} %peak"]
    rows, groups = [], {}
    for key, na, nb in pairs:
        ra, rb = a[na], b[nb]
        s = ra["ns"] / rb["ns"] if rb["ns"] > 0 else float("nan")
        groups.setdefault(key[0], []).append(s)
        rows.append(list(key) + [fmt_ns(ra["ns"]), fmt_ns(rb["ns"]),
                                 f"{s:.2f}x", fmt_opt(rb["gflops"], ".1f"),
                                 fmt_opt(rb["peak"], ".1f")])
    if not rows:
        sys.exit("compare-bench: no benchmark appears in both")
    n = len(key_header)
    print_table(header, rows, right=set(range(n, n + 5)))
    summary(groups)


def split_name(name):
    parts = name.split("/")
    if len(parts) >= 3:
        return parts[0], parts[1], "/".join(parts[2:])
    return name, "", ""


def compare_training(a, b, label_a, label_b, key_header, pairs):
    """pairs: [(key columns, key in a, key in b)]; grouped by key[0]."""
    header = key_header + [f"{label_a} samples/s", f"{label_b} samples/s",
                           "speed-up", f"{label_b} %peak"]
    rows, groups = [], {}
    for key, ka, kb in pairs:
        ra, rb = a[ka], b[kb]
        va = ra["samples_per_s"]["median"]
        vb = rb["samples_per_s"]["median"]
        s = vb / va if va > 0 else float("nan")
        groups.setdefault(key[0], []).append(s)
        rows.append(list(key) + [fmt_rate(va), fmt_rate(vb), f"{s:.2f}x",
                                 fmt_opt(rb.get("pct_peak", {}).get("median"),
                                         ".1f")])
    if not rows:
        sys.exit("compare-bench: no configuration appears in both")
    n = len(key_header)
    print_table(header, rows, right=set(range(n - 1, n + 4)))
    summary(groups)


def main():
    p = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="BASE.json NEW.json compares two runs; RUN.json ISA_A ISA_B "
               "compares two ISAs (or peers) of one run.")
    p.add_argument("json", help="a JSON file")
    p.add_argument("other", help="a second JSON file, or the first ISA")
    p.add_argument("isa_b", nargs="?", help="the second ISA")
    p.add_argument("--filter", metavar="REGEX",
                   help="only benchmarks whose name matches")
    p.add_argument("--real-time", action="store_true",
                   help="compare wall time instead of CPU time (kernels)")
    args = p.parse_args()
    clock = "real" if args.real_time else "cpu"
    keep = re.compile(args.filter).search if args.filter else (lambda s: True)

    doc = load(args.json)
    k = kind(doc, args.json)
    if args.isa_b is None:
        if not os.path.exists(args.other):
            sys.exit(f"compare-bench: {args.other}: no such file (to compare "
                     "two ISAs of one run, name both: RUN.json ISA_A ISA_B)")
        doc_b = load(args.other)
        if kind(doc_b, args.other) != k:
            sys.exit("compare-bench: the two files are not the same kind of "
                     "benchmark")
        la, lb = os.path.basename(args.json), os.path.basename(args.other)
        if k == "kernels":
            a, b = kernel_runs(doc, clock), kernel_runs(doc_b, clock)
            pairs = [(split_name(n), n, n) for n in a if n in b and keep(n)]
            compare_kernels(a, b, la, lb, ["op", "isa", "shape"], pairs)
        else:
            a, b = training_runs(doc), training_runs(doc_b)
            pairs = [((e, isa, str(t)), (e, isa, t), (e, isa, t))
                     for (e, isa, t) in a
                     if (e, isa, t) in b and keep(f"{e}/{isa}/{t}")]
            compare_training(a, b, la, lb, ["engine", "isa", "threads"], pairs)
        return

    isa_a, isa_b = args.other, args.isa_b
    if k == "kernels":
        runs = kernel_runs(doc, clock)
        by_key = {}
        for n in runs:
            op, isa, shape = split_name(n)
            by_key.setdefault((op, shape), {})[isa] = n
        isas = sorted({split_name(n)[1] for n in runs})
        for isa in (isa_a, isa_b):
            if isa not in isas:
                sys.exit(f"compare-bench: no '{isa}' benchmarks in "
                         f"{args.json} (it has: {', '.join(isas)})")
        pairs = [((op, shape), d[isa_a], d[isa_b])
                 for (op, shape), d in by_key.items()
                 if isa_a in d and isa_b in d and keep(d[isa_b])]
        compare_kernels(runs, runs, isa_a, isa_b, ["op", "shape"], pairs)
    else:
        runs = training_runs(doc)
        isas = sorted({key[1] for key in runs})
        for isa in (isa_a, isa_b):
            if isa not in isas:
                sys.exit(f"compare-bench: no '{isa}' results in {args.json} "
                         f"(it has: {', '.join(isas)})")
        pairs = [((e, str(t)), (e, isa_a, t), (e, isa_b, t))
                 for (e, isa, t) in runs
                 if isa == isa_a and (e, isa_b, t) in runs
                 and keep(f"{e}/{isa_b}/{t}")]
        compare_training(runs, runs, isa_a, isa_b, ["engine", "threads"],
                         pairs)


if __name__ == "__main__":
    try:
        main()
    except BrokenPipeError:
        sys.exit(0)
