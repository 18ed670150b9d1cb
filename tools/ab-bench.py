#!/usr/bin/env python3
"""ab-bench.py - two builds of simdnet timed in turn, round after round.

On a shared, noisy machine the load changes from minute to minute, so two
binaries timed one after the other in separate runs can differ by more
than any change between them. This runs the same benchmark with each in
turn, ROUNDS times (the order swapped every other round), and gives for
every case the ratio NEW/BASE within each round: the median of those
ratios, with the lowest and highest.

  ab-bench.py [--rounds N] BASE NEW -- SIMDNET_BENCH_OPTIONS...
      BASE and NEW are simdnet binaries; the ratio is of samples/s (above
      1: NEW is faster). E.g.
      ab-bench.py base/build/src/simdnet build/src/simdnet -- \\
          --layers 784,100,100,10 --isa avx512 --threads 1,2 --repeats 3

  ab-bench.py --kernels REGEX [--rounds N] BASE NEW
      BASE and NEW are bench_kernels binaries, run with
      --benchmark_filter=REGEX --benchmark_repetitions=3; the ratio is of
      time per call (above 1: NEW is slower).

simdnet bench reads MNIST from --data or $SIMDNET_DATA as it always does.
"""
import argparse
import json
import statistics
import subprocess
import sys


def run_json(cmd):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True)
    except OSError as e:
        sys.exit(f"ab-bench.py: cannot run {cmd[0]}: {e.strerror}")
    if out.returncode != 0:
        sys.exit(f"ab-bench.py: {' '.join(cmd)} failed "
                 f"(exit {out.returncode}): {out.stderr.strip()[-400:]}")
    try:
        return json.loads(out.stdout)
    except json.JSONDecodeError as e:
        sys.exit(f"ab-bench.py: {cmd[0]} did not print JSON: {e}")


def simdnet_cases(binary, options):
    """(engine, isa, threads) -> median samples/s of one simdnet bench."""
    d = run_json([binary, "bench", "--json", "-"] + options)
    return {(r["engine"], r["isa"], r["threads"]): r["samples_per_s"]["median"]
            for r in d["results"]}


def kernel_cases(binary, regex):
    """benchmark name -> median time per call (ns) of one bench_kernels."""
    d = run_json([binary, "--benchmark_filter=" + regex,
                  "--benchmark_repetitions=3",
                  "--benchmark_report_aggregates_only=true",
                  "--benchmark_format=json"])
    return {b["run_name"]: b["real_time"] for b in d["benchmarks"]
            if b.get("aggregate_name") == "median"}


def amount(x):
    """1234567 -> 1.23M, 45678 -> 45.7k, 950 -> 950."""
    for div, suffix in ((1e6, "M"), (1e3, "k")):
        if x >= div:
            return f"{x / div:.3g}{suffix}"
    return f"{x:.3g}"


def case_name(case):
    """A bench_kernels name as it is; (engine, isa, threads) in words."""
    if isinstance(case, str):
        return case
    return f"{case[0]} {case[1]} {case[2]} thread{'s' if case[2] > 1 else ''}"


def main():
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=6, help="rounds (default 6)")
    ap.add_argument("--kernels", metavar="REGEX",
                    help="compare bench_kernels binaries on these benchmarks")
    ap.add_argument("base")
    ap.add_argument("new")
    ap.add_argument("options", nargs="*", help="after --: simdnet bench options")
    a = ap.parse_args()
    if a.rounds < 1:
        ap.error("--rounds must be at least 1")
    if a.kernels is not None and a.options:
        ap.error("--kernels takes no simdnet bench options")

    def measure(binary):
        if a.kernels is not None:
            return kernel_cases(binary, a.kernels)
        return simdnet_cases(binary, a.options)

    # By side, not by path: BASE and NEW may be one binary (the noise
    # alone, which is worth knowing).
    sides = (a.base, a.new)
    seen = ([], [])
    for r in range(a.rounds):
        for side in ((0, 1) if r % 2 == 0 else (1, 0)):
            seen[side].append(measure(sides[side]))
        print(f"round {r + 1}/{a.rounds} done", file=sys.stderr)

    unit = "ns/call (NEW/BASE above 1: slower)" if a.kernels is not None \
        else "samples/s (NEW/BASE above 1: faster)"
    print(f"{a.rounds} rounds, medians in {unit}")
    runs = seen[0] + seen[1]
    every = set.intersection(*(set(run) for run in runs))
    for case in sorted(set.union(*(set(run) for run in runs)) - every,
                       key=str):
        print(f"{case_name(case)}: not in every run, left out", file=sys.stderr)
    for case in seen[0][0]:
        if case not in every:
            continue
        base = [run[case] for run in seen[0]]
        new = [run[case] for run in seen[1]]
        ratios = sorted(n / b for b, n in zip(base, new))
        print(f"{case_name(case)}: base {amount(statistics.median(base))} new "
              f"{amount(statistics.median(new))}  NEW/BASE "
              f"{statistics.median(ratios):.3f} "
              f"({ratios[0]:.3f}..{ratios[-1]:.3f})")


if __name__ == "__main__":
    main()
