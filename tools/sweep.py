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
    p.add_argument("bench_args", nargs="*",
                   help="after --: more simdnet bench options")
    a = p.parse_args()

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
