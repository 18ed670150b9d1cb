#!/usr/bin/python3
"""sweep.py - simdnet and its peers over the same networks, batches and
thread counts, in one run and one table.

Runs `simdnet bench --sweep SET --json` and then tools/peers.py (numpy and
PyTorch on simdnet's algorithm, OpenBLAS forced to its best core type by
peers.py's default `--openblas best`: OPENBLAS_CORETYPE=SkylakeX with
AVX-512, Haswell with AVX2 and FMA; the table says which) over the networks
and batches that sweep measured, then prints one table: simdnet's samples/s
(the fastest kernel set's median), the peers', and simdnet's ratio to each.

  sweep.py --set readme --threads 1,2 --json sweep.json
  sweep.py --set quick --synthetic --repeats 1        # a minute or so
  sweep.py --combine run1.json run2.json run3.json    # README's table

--combine reads the JSON of several runs (the machine is noisy: measure
more than once) and prints one Markdown table: for each network, batch and
thread count, simdnet's median samples/s over the runs and, for each ratio
(x numpy, x torch, and 2 threads or more over 1 thread), the median of the
runs' ratios with their range; every ratio is of numbers from one run.

Options after `--` go to simdnet bench as they are (e.g. `-- --isa avx2`).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def run(cmd):
    print("sweep.py: " + " ".join(cmd), file=sys.stderr, flush=True)
    subprocess.run(cmd, check=True, stdout=sys.stderr)


def best_simdnet(doc):
    """(layers, batch, threads) -> the row of the fastest ISA/engine."""
    best = {}
    for r in doc["results"]:
        k = (tuple(r["layers"]), r["batch"], r["threads"])
        if k not in best or (r["samples_per_s"]["median"] >
                             best[k]["samples_per_s"]["median"]):
            best[k] = r
    return best


def median(xs):
    xs = sorted(xs)
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def spread(xs, unit="x"):
    """median (min-max) of the runs' values, '-' if there are none."""
    xs = [x for x in xs if x]
    if not xs:
        return "-"
    if len(xs) == 1:
        return f"{xs[0]:.2f}{unit}"
    return f"{median(xs):.2f}{unit} ({min(xs):.2f}-{max(xs):.2f})"


def combine(paths):
    """One Markdown table of several sweep.py --json files."""
    runs = []
    for path in paths:
        with open(path) as f:
            doc = json.load(f)
        runs.append({(tuple(r["layers"]), r["batch"], r["threads"]): r
                     for r in doc["table"]})
    names = [n for n in ("numpy", "torch")
             if any(n in r for run in runs for r in run.values())]
    keys = sorted({k for run in runs for k in run},
                  key=lambda k: (k[2], len(k[0]), k[0], k[1]))
    head = "| network | batch | threads | simdnet samples/s | %peak (effective) |"
    head += "".join(f" x {n} |" for n in names) + " x 1 thread |"
    print(head)
    print("|---|--:|--:|--:|--:|" + "--:|" * (len(names) + 1))
    for k in keys:
        rows = [run[k] for run in runs if k in run]
        one = [run.get((k[0], k[1], 1)) for run in runs if k in run]
        scale = [r["simdnet"] / o["simdnet"] for r, o in zip(rows, one)
                 if o and k[2] > 1]
        line = (f"| {'-'.join(map(str, k[0]))} | {k[1]} | {k[2]} | "
                f"{fmt(median([r['simdnet'] for r in rows]))} | "
                f"{median([r['pct_peak_effective'] for r in rows]):.0f} |")
        for n in names:
            line += f" {spread([r.get('ratio_' + n) for r in rows])} |"
        line += f" {spread(scale) if k[2] > 1 else '-'} |"
        print(line)
    print(f"\n{len(runs)} runs: {', '.join(paths)}; a ratio is the median "
          "of the runs' ratios (min-max)")


def fmt(v):
    if v is None:
        return "-"
    return f"{v / 1e6:.2f}M" if v >= 1e6 else f"{v / 1e3:.1f}k"


def main():
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--simdnet", default="build/src/simdnet",
                   help="the simdnet binary (default build/src/simdnet)")
    p.add_argument("--set", default="readme",
                   help="simdnet bench --sweep SET: full, readme or quick")
    p.add_argument("--threads", default="1",
                   help="thread counts, e.g. 1,2 (default 1)")
    p.add_argument("--data", help="MNIST folder (default: $SIMDNET_DATA)")
    p.add_argument("--synthetic", action="store_true",
                   help="synthetic data for both (simdnet's --synthetic)")
    p.add_argument("--repeats", type=int, default=3,
                   help="timed runs per configuration, both (default 3)")
    p.add_argument("--samples", type=int, default=5000,
                   help="samples per timed run, both (default 5000)")
    p.add_argument("--peers", default="numpy,torch")
    p.add_argument("--json", metavar="FILE", help="also write the table")
    p.add_argument("--combine", nargs="+", metavar="JSON",
                   help="print one table of these runs' --json files "
                        "(nothing is measured)")
    p.add_argument("bench_args", nargs="*",
                   help="after --: more simdnet bench options")
    a = p.parse_args()
    if a.combine:
        try:
            combine(a.combine)
        except (OSError, ValueError, KeyError) as e:
            sys.exit(f"sweep.py: --combine: {e}")
        return

    tmp = tempfile.mkdtemp(prefix="sweep.")
    sj, pj = os.path.join(tmp, "simdnet.json"), os.path.join(tmp, "peers.json")
    data = a.data or os.environ.get("SIMDNET_DATA")
    bench = [a.simdnet, "bench", "--sweep", a.set, "--threads", a.threads,
             "--repeats", str(a.repeats), "--json", sj]
    bench += ["--synthetic"] if a.synthetic else (["--data", data] if data else [])
    run(bench + a.bench_args)
    with open(sj) as f:
        sdoc = json.load(f)
    simd = best_simdnet(sdoc)
    layers = sorted({k[0] for k in simd}, key=lambda s: (len(s), s))
    batches = sorted({k[1] for k in simd})
    batch_runs = max(1, a.samples // min(batches))
    peers = [sys.executable, os.path.join(HERE, "peers.py"),
             "--layers", ",".join("-".join(map(str, s)) for s in layers),
             "--batch", ",".join(map(str, batches)), "--threads", a.threads,
             "--peers", a.peers, "--repeats", str(a.repeats),
             "--warmup", "5", "--batches", str(batch_runs), "--json", pj]
    if data and not a.synthetic:
        peers += ["--data", data]
    env_data = dict(os.environ)
    if a.synthetic:
        env_data.pop("SIMDNET_DATA", None)
    print("sweep.py: " + " ".join(peers), file=sys.stderr, flush=True)
    subprocess.run(peers, check=True, stdout=sys.stderr, env=env_data)
    with open(pj) as f:
        pdoc = json.load(f)
    peer = {(tuple(r["layers"]), r["batch"], r["threads"], r["peer"]):
            r["samples_per_s"]["median"] for r in pdoc["results"]}
    names = [n for n in a.peers.split(",")
             if any(k[3] == n for k in peer)]
    forcing = sorted({r["openblas"]["how"] for r in pdoc["results"]})

    rows = []
    for k in sorted(simd, key=lambda k: (k[2], len(k[0]), k[0], k[1])):
        r = simd[k]
        row = {"layers": list(k[0]), "batch": k[1], "threads": k[2],
               "simdnet": r["samples_per_s"]["median"],
               "simdnet_isa": r["isa"], "simdnet_engine": r["engine"],
               "pct_peak_effective": r["pct_peak_effective"]["median"]}
        for n in names:
            v = peer.get(k + (n,))
            row[n] = v
            row["ratio_" + n] = row["simdnet"] / v if v else None
        rows.append(row)

    print(f"cpu      {sdoc['machine'].get('cpu', '?')}")
    print(f"data     {sdoc['data']['source']}")
    print(f"OpenBLAS (peers) {'; '.join(forcing)}")
    subn = sorted({f"{r['peer']} {r.get('subnormals', 'kept')}"
                   for r in pdoc["results"]})
    print(f"subnormals simdnet {sdoc['method'].get('subnormals', '?')}; "
          f"{'; '.join(subn)}")
    head = f"{'network':<18} {'batch':>5} {'thr':>3} {'simdnet':>9} {'isa':<6} {'%peak':>5}"
    for n in names:
        head += f" {n:>9} {'x ' + n:>8}"
    print(head)
    for row in rows:
        line = (f"{'-'.join(map(str, row['layers'])):<18} {row['batch']:>5} "
                f"{row['threads']:>3} {fmt(row['simdnet']):>9} "
                f"{row['simdnet_isa']:<6} {row['pct_peak_effective']:>5.1f}")
        for n in names:
            ratio = row["ratio_" + n]
            line += f" {fmt(row[n]):>9} " + (f"{ratio:>7.2f}x" if ratio else f"{'-':>8}")
        print(line)
    if a.json:
        doc = {"simdnet": sdoc, "peers": pdoc, "openblas": forcing,
               "table": rows}
        with open(a.json + ".tmp", "w") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")
        os.replace(a.json + ".tmp", a.json)
        print(f"\nwrote {a.json}")


if __name__ == "__main__":
    main()
