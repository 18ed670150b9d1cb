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

It also reads the JSON of tools/peers.py (--json FILE), with the peer as
the ISA: `compare-bench.py peers.json numpy torch`.

A speed-up above 1 means the second is faster. Kernel times are CPU time per
call, the median of --benchmark_repetitions where there are several.

Where both sides of a row have several measurements (bench_kernels
--benchmark_repetitions=N, simdnet bench --repeats N, peers.py --repeats N;
N >= 5, since with fewer the test cannot reach p < 0.05), the table adds
the two-sided p-value of a Mann-Whitney U test (scipy.stats.mannwhitneyu,
python3-scipy) on the repetitions and a verdict: "no difference" when
p >= --alpha (0.05) or the two interquartile ranges overlap, else "faster"
or "slower" (the second against the first).
"""
import argparse
import json
import math
import os
import re
import statistics
import sys

try:
    from scipy.stats import mannwhitneyu
except ImportError:  # the table without p-values; significance() says so
    mannwhitneyu = None

TIME_UNITS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}
ALPHA = 0.05


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
    if "results" in doc and doc.get("tool") == "tools/peers.py":
        return "peers"
    sys.exit(f"compare-bench: {path}: neither Google Benchmark JSON, "
             "`simdnet bench --json` nor `tools/peers.py --json` output")


# What the JSON says of the build and machine of a run (bench_kernels'
# context, or tools/peers.py's record), shown for both files of a
# comparison so that it is clear what changed between them.
RUN_FIELDS = (("simdnet_commit", "commit"), ("simdnet_compiler", "compiler"),
              ("simdnet_flags", "flags"), ("simdnet_cpu", "cpu"),
              ("openblas_core", "OpenBLAS core"), ("date", "date"))


def describe_runs(docs):
    for label, doc in docs:
        ctx = dict(doc.get("context", {}))
        if "machine" in doc:
            ctx.setdefault("simdnet_cpu", doc["machine"].get("cpu"))
        ctx.setdefault("date", doc.get("date"))
        parts = [f"{name} {ctx[key]}" for key, name in RUN_FIELDS
                 if ctx.get(key)]
        if parts:
            print(f"{label}: " + "; ".join(parts))
    print()


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
        entry = {"ns": ns, "gflops": b.get("GFLOP/s"), "peak": b.get("%peak"),
                 "samples": [ns]}
        if b.get("run_type") == "aggregate":
            if b.get("aggregate_name") == "median":
                medians[name] = entry
            continue
        runs.setdefault(name, []).append(entry)
    out = {}
    for name, entries in runs.items():
        if name in medians:
            out[name] = dict(medians[name])
        else:
            mid = statistics.median_low([e["ns"] for e in entries])
            out[name] = dict(next(e for e in entries if e["ns"] == mid))
        out[name]["samples"] = [e["ns"] for e in entries]
    return out


def training_runs(doc):
    """(engine, isa, threads) -> result, in file order; for peers.py,
    (network/batch, peer, threads). "samples" holds what the U test
    compares: each run's seconds (simdnet bench: every run has as many
    batches) or samples/s (peers.py)."""
    out = {}
    for r in doc["results"]:
        r = dict(r)
        if "peer" in r:
            net = "-".join(map(str, r["layers"])) + f"/b{r['batch']}"
            r["samples"] = r.get("runs_samples_per_s", [])
            out[(net, r["peer"], r["threads"])] = r
        else:
            r["samples"] = r.get("run_seconds", [])
            out[(r.get("engine", "-"), r["isa"], r["threads"])] = r
    return out


def u_test(xs, ys):
    """The two-sided p-value of a Mann-Whitney U test, or None where a side
    has fewer than 2 values or scipy is missing."""
    if len(xs) < 2 or len(ys) < 2 or mannwhitneyu is None:
        return None
    if len(set(xs) | set(ys)) == 1:
        return 1.0
    return float(mannwhitneyu(xs, ys, alternative="two-sided").pvalue)


def iqr(xs):
    q = statistics.quantiles(xs, n=4, method="inclusive")
    return q[0], q[2]


def verdict(p, xs, ys, speedup, alpha):
    if p is None:
        return "-"
    (lo_a, hi_a), (lo_b, hi_b) = iqr(xs), iqr(ys)
    if p >= alpha or (lo_a <= hi_b and lo_b <= hi_a):
        return "no difference"
    return "faster" if speedup > 1 else "slower"


def significance(rows_p, alpha, what):
    """Whether to show the p and verdict columns; prints why not."""
    if any(p is not None for p in rows_p):
        return True
    if mannwhitneyu is None:
        print("(no U test: scipy is not installed; Debian: python3-scipy)\n")
    else:
        print(f"(no U test: each side needs several measurements; {what})\n")
    return False


KERNEL_REPS = ("run bench_kernels with --benchmark_repetitions=5 or more "
               "(and --benchmark_out_format=json)")
TRAINING_REPS = ("run simdnet bench or tools/peers.py with --repeats 5 "
                 "or more")


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


def add_significance(header, rows, tests, alpha, what):
    """Appends the p and verdict columns where any row has a U test."""
    if not significance([t[0] for t in tests], alpha, what):
        return 0
    header += ["p", "verdict"]
    for row, (p, xs, ys, s) in zip(rows, tests):
        row += [fmt_opt(p, ".3f"), verdict(p, xs, ys, s, alpha)]
    # Two-sided and exact, the smallest p of n against m values is
    # 2 / C(n + m, n): 0.1 at 3 against 3, 0.008 at 5 against 5.
    floors = [2.0 / math.comb(len(xs) + len(ys), len(xs))
              for p, xs, ys, _ in tests if p is not None]
    if floors and min(floors) >= alpha:
        print(f"(too few repetitions: the smallest p-value they allow is "
              f"{min(floors):.3f}, not under {alpha:g}; {what})\n")
    return 1


def compare_pairs(a, b, pairs, key_header, header, measure, what, reps,
                  alpha, right_from=0):
    """The table of pairs [(key columns, name in a, name in b)]:
    measure(ra, rb) gives the speed-up and the pair's cells; speed-ups are
    grouped by key[0] and each tested on the pair's samples. Columns from
    right_from past the keys on are right-aligned."""
    rows, groups, tests = [], {}, []
    for key, ka, kb in pairs:
        ra, rb = a[ka], b[kb]
        s, cells = measure(ra, rb)
        groups.setdefault(key[0], []).append(s)
        rows.append(list(key) + cells)
        tests.append((u_test(ra["samples"], rb["samples"]), ra["samples"],
                      rb["samples"], s))
    if not rows:
        sys.exit(f"compare-bench: no {what} appears in both")
    n = len(key_header)
    extra = add_significance(header, rows, tests, alpha, reps)
    print_table(header, rows,
                right=set(range(n + right_from, n + len(cells) + extra)))
    summary(groups)


def compare_kernels(a, b, label_a, label_b, key_header, pairs, alpha):
    """Kernels: time per call, the speed-up, and b's rate."""
    header = key_header + [label_a, label_b, "speed-up",
                           f"{label_b} GFLOP/s", f"{label_b} %peak"]

    def measure(ra, rb):
        s = ra["ns"] / rb["ns"] if rb["ns"] > 0 else float("nan")
        return s, [fmt_ns(ra["ns"]), fmt_ns(rb["ns"]), f"{s:.2f}x",
                   fmt_opt(rb["gflops"], ".1f"), fmt_opt(rb["peak"], ".1f")]
    compare_pairs(a, b, pairs, key_header, header, measure, "benchmark",
                  KERNEL_REPS, alpha)


def split_name(name):
    parts = name.split("/")
    if len(parts) >= 3:
        return parts[0], parts[1], "/".join(parts[2:])
    return name, "", ""


def compare_training(a, b, label_a, label_b, key_header, pairs, alpha):
    """Training: samples/s (medians), the speed-up, and b's share of peak;
    the last key column is right-aligned too."""
    header = key_header + [f"{label_a} samples/s", f"{label_b} samples/s",
                           "speed-up", f"{label_b} %peak"]

    def measure(ra, rb):
        va = ra["samples_per_s"]["median"]
        vb = rb["samples_per_s"]["median"]
        s = vb / va if va > 0 else float("nan")
        return s, [fmt_rate(va), fmt_rate(vb), f"{s:.2f}x",
                   fmt_opt(rb.get("pct_peak", {}).get("median"), ".1f")]
    compare_pairs(a, b, pairs, key_header, header, measure, "configuration",
                  TRAINING_REPS, alpha, right_from=-1)


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
    p.add_argument("--alpha", type=float, default=ALPHA, metavar="P",
                   help="p-value under which a difference counts, where "
                        "there are repetitions (default 0.05)")
    args = p.parse_args()
    clock = "real" if args.real_time else "cpu"
    keep = re.compile(args.filter).search if args.filter else (lambda s: True)

    doc = load(args.json)
    k = kind(doc, args.json)
    # The key columns of a training table: simdnet bench's, or peers.py's.
    names = ("network", "peer") if k == "peers" else ("engine", "isa")
    if args.isa_b is None:
        if not os.path.exists(args.other):
            sys.exit(f"compare-bench: {args.other}: no such file (to compare "
                     "two ISAs of one run, name both: RUN.json ISA_A ISA_B)")
        doc_b = load(args.other)
        if kind(doc_b, args.other) != k:
            sys.exit("compare-bench: the two files are not the same kind of "
                     "benchmark")
        la, lb = os.path.basename(args.json), os.path.basename(args.other)
        describe_runs([(la, doc), (lb, doc_b)])
        if k == "kernels":
            a, b = kernel_runs(doc, clock), kernel_runs(doc_b, clock)
            pairs = [(split_name(n), n, n) for n in a if n in b and keep(n)]
            compare_kernels(a, b, la, lb, ["op", "isa", "shape"], pairs,
                            args.alpha)
        else:
            a, b = training_runs(doc), training_runs(doc_b)
            pairs = [((e, isa, str(t)), (e, isa, t), (e, isa, t))
                     for (e, isa, t) in a
                     if (e, isa, t) in b and keep(f"{e}/{isa}/{t}")]
            compare_training(a, b, la, lb, [names[0], names[1], "threads"],
                             pairs, args.alpha)
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
        compare_kernels(runs, runs, isa_a, isa_b, ["op", "shape"], pairs,
                        args.alpha)
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
        compare_training(runs, runs, isa_a, isa_b, [names[0], "threads"],
                         pairs, args.alpha)


if __name__ == "__main__":
    try:
        main()
    except BrokenPipeError:
        sys.exit(0)
