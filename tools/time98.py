#!/usr/bin/python3
"""time98.py - time to 98.0% on MNIST: `simdnet train --preset fast98`
against PyTorch's best recipe, measured in one run.

simdnet: the whole process of `simdnet train --preset fast98` (start,
loading, training, every evaluation), timed from just before it starts to
its exit, --repeats times; its final epoch's test accuracy must be at least
98.0% (the final one, not the best).

PyTorch: REFERENCE.md's best recipe, 784-512-10, ReLU, softmax + cross-
entropy (the batch's mean of -log softmax(z)[label]), torch.optim.Adam 1e-3,
batch 100, shuffled every epoch (numpy's default_rng(seed).permutation),
He init (normal(0, sqrt(2/fan_in)) from numpy's default_rng(seed), biases
0), float32, at most --torch-epochs epochs. Two times:
  - training loop: from the first batch to the end of the first epoch whose
    test accuracy is at least 98.0%, without the evaluations themselves
    (the clock stops while the test set is evaluated), as REFERENCE.md's
    3.42 s is;
  - whole process: the worker's wall time from its start (Python, importing
    torch, reading the .gz files) to its exit, evaluations included.
Each PyTorch run is a fresh process with OpenBLAS forced to its best kernels
and the thread count set, as tools/peers.py does (--openblas best: the same
rule, OPENBLAS_CORETYPE=SkylakeX with AVX-512, Haswell with AVX2+FMA), on
--torch-threads threads (default 1, PyTorch 1.13's fastest on these VMs).

The runs are interleaved (simdnet, torch, simdnet, ...). Printed: each
side's median and range, and the ratios PyTorch training loop / simdnet
process and PyTorch process / simdnet process; --json FILE keeps it all.

  time98.py --simdnet build/src/simdnet --data /work/shared/data/mnist
  time98.py --simdnet-args "--layers 784,256,10 --epochs 3 ..."  (a recipe
                                         in place of the preset)
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peers  # noqa: E402  (OpenBLAS forcing, the CPU, the IDX reader)

TARGET = 0.98


def fail(msg):
    sys.exit(f"time98.py: {msg}")


# ------------------------------------------------------------------ simdnet

def simdnet_run(exe, data, extra):
    cmd = [exe, "train", "--data", data, *extra, "--json", "-"]
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    final, epochs = None, []
    for line in p.stdout.splitlines():
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        if rec.get("record") == "final":
            final = rec
        elif rec.get("record") == "epoch":
            epochs.append(rec["test_accuracy"])
    load_ms = None
    for line in p.stderr.splitlines():
        if line.startswith("data") and "loaded in" in line:
            load_ms = float(line.split("loaded in")[1].split()[0])
    if p.returncode != 0 or final is None:
        fail(f"{' '.join(cmd)}: exit {p.returncode}: "
             f"{p.stderr.strip().splitlines()[-1:] or ''}")
    return {"wall_s": wall, "final_accuracy": final.get("test_accuracy"),
            "epoch_accuracies": epochs, "load_ms": load_ms,
            "threads": final.get("threads"), "isa": final.get("isa")}


def simdnet_args(exe, given):
    if given is not None:
        return given.split()
    h = subprocess.run([exe, "train", "--help"], capture_output=True,
                       text=True)
    if "--preset" not in h.stdout + h.stderr:
        fail(f"{exe} has no --preset (fast98 needs it); name a recipe with "
             "--simdnet-args")
    return ["--preset", "fast98"]


# ------------------------------------------------------------------ torch

def torch_worker(spec):
    """One PyTorch run; a JSON line on stdout."""
    t_start = time.perf_counter()
    import numpy as np
    import torch
    import torch.nn.functional as F
    torch.set_num_threads(spec["threads"])
    x, y = peers.load_split(spec["data"], peers.TRAIN_IMAGES,
                            peers.TRAIN_LABELS, np)
    tx, ty = peers.load_split(spec["data"], peers.TEST_IMAGES,
                              peers.TEST_LABELS, np)
    xs = torch.from_numpy(x.astype(np.float32) / np.float32(255.0))
    ys = torch.from_numpy(y.astype(np.int64))
    txs = torch.from_numpy(tx.astype(np.float32) / np.float32(255.0))
    tys = torch.from_numpy(ty.astype(np.int64))
    sizes, batch, seed = spec["layers"], spec["batch"], spec["seed"]
    rng = np.random.default_rng(seed)
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        w = rng.normal(0.0, np.sqrt(2.0 / fan_in), (fan_out, fan_in))
        params.append(torch.tensor(w, dtype=torch.float32,
                                   requires_grad=True))
        params.append(torch.zeros(fan_out, dtype=torch.float32,
                                  requires_grad=True))
    opt = torch.optim.Adam(params, lr=spec["lr"])

    def logits(a):
        for i in range(0, len(params), 2):
            a = F.linear(a, params[i], params[i + 1])
            if i + 2 < len(params):
                a = torch.relu(a)
        return a

    n = xs.shape[0]
    train_s, eval_s, accs, reached = 0.0, 0.0, [], None
    blas = peers.openblas_in_use()
    for epoch in range(1, spec["epochs"] + 1):
        order = torch.from_numpy(rng.permutation(n))
        t0 = time.perf_counter()
        for i in range(0, n, batch):
            idx = order[i:i + batch]
            loss = F.cross_entropy(logits(xs[idx]), ys[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        train_s += time.perf_counter() - t0
        t1 = time.perf_counter()
        with torch.no_grad():
            acc = (logits(txs).argmax(1) == tys).double().mean().item()
        eval_s += time.perf_counter() - t1
        accs.append(acc)
        if acc >= TARGET:
            reached = epoch
            break
    print(json.dumps({"train_loop_s": train_s, "eval_s": eval_s,
                      "epoch_accuracies": accs, "reached_epoch": reached,
                      "inside_process_s": time.perf_counter() - t_start,
                      "torch": torch.__version__,
                      "torch_threads": torch.get_num_threads(),
                      "openblas_in_use": blas}), flush=True)


def torch_run(spec, env):
    t0 = time.perf_counter()
    p = subprocess.run([sys.executable, os.path.abspath(__file__),
                        "--torch-worker", json.dumps(spec)],
                       capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        fail(f"the PyTorch worker failed: {p.stderr.strip()[-800:]}")
    res = json.loads(p.stdout.strip().splitlines()[-1])
    res["process_s"] = wall
    return res


# ------------------------------------------------------------------ main

def summary(values):
    return {"median": statistics.median(values), "min": min(values),
            "max": max(values), "runs": values}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--simdnet", default=os.environ.get("SIMDNET_EXE",
                                                        "build/src/simdnet"))
    ap.add_argument("--data", default=os.environ.get("SIMDNET_DATA",
                                                     "data/mnist"))
    ap.add_argument("--simdnet-args", default=None,
                    help="train flags in place of --preset fast98")
    ap.add_argument("--repeats", type=int, default=5,
                    help="simdnet runs (default 5)")
    ap.add_argument("--torch-repeats", type=int, default=3)
    ap.add_argument("--torch-threads", type=int, default=1)
    ap.add_argument("--torch-epochs", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0, help="PyTorch's seed")
    ap.add_argument("--openblas", choices=("best", "env"), default="best")
    ap.add_argument("--no-torch", action="store_true")
    ap.add_argument("--json", default=None, help="write the results here")
    ap.add_argument("--torch-worker", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.torch_worker:
        torch_worker(json.loads(args.torch_worker))
        return
    if args.repeats < 1:
        ap.error("--repeats must be at least 1")
    if args.torch_repeats < 1 and not args.no_torch:
        ap.error("--torch-repeats must be at least 1 (or --no-torch)")
    if not os.path.isdir(args.data):
        fail(f"--data {args.data}: no such folder")
    # Checked before the minutes of runs, not after them.
    if args.json and not os.path.isdir(os.path.dirname(args.json) or "."):
        fail(f"--json {args.json}: no such folder")
    model, flags = peers.cpu_info()
    extra = simdnet_args(args.simdnet, args.simdnet_args)
    env, core, how = peers.worker_env(args.torch_threads, args.openblas,
                                      flags)
    spec = {"data": args.data, "layers": [784, 512, 10], "batch": 100,
            "lr": 1e-3, "seed": args.seed, "epochs": args.torch_epochs,
            "threads": args.torch_threads}
    sim, tor = [], []
    for i in range(max(args.repeats, 0 if args.no_torch
                       else args.torch_repeats)):
        if i < args.repeats:
            sim.append(simdnet_run(args.simdnet, args.data, extra))
            s = sim[-1]
            print(f"simdnet  {s['wall_s']:.3f} s  final {s['final_accuracy']:.2%}",
                  file=sys.stderr, flush=True)
        if not args.no_torch and i < args.torch_repeats:
            tor.append(torch_run(spec, env))
            t = tor[-1]
            print(f"pytorch  loop {t['train_loop_s']:.3f} s to epoch "
                  f"{t['reached_epoch']}, process {t['process_s']:.3f} s",
                  file=sys.stderr, flush=True)

    doc = {"cpu": model, "target": TARGET,
           "simdnet": {"command": [args.simdnet, "train", *extra],
                       "wall_s": summary([s["wall_s"] for s in sim]),
                       "final_accuracy": [s["final_accuracy"] for s in sim],
                       "all_reach_target": all(
                           s["final_accuracy"] >= TARGET for s in sim),
                       "load_ms": [s["load_ms"] for s in sim],
                       "threads": sim[0]["threads"], "isa": sim[0]["isa"]}}
    print(f"CPU: {model}")
    print("| | time to 98.0% (median, min-max) | runs |")
    print("|---|--:|--:|")
    sw = doc["simdnet"]["wall_s"]
    print(f"| simdnet {' '.join(extra)}, whole process "
          f"({doc['simdnet']['threads']} threads, {doc['simdnet']['isa']}) "
          f"| {sw['median']:.3f} s ({sw['min']:.3f}-{sw['max']:.3f}) "
          f"| {len(sim)} |")
    if not doc["simdnet"]["all_reach_target"]:
        print("  simdnet's final accuracy is below 98.0% in some run: "
              f"{doc['simdnet']['final_accuracy']}")
    if tor:
        reached = [t["reached_epoch"] for t in tor]
        loop = summary([t["train_loop_s"] for t in tor])
        proc = summary([t["process_s"] for t in tor])
        doc["pytorch"] = {"recipe": dict(spec, hidden="relu",
                                         output="softmax", loss="ce",
                                         optimizer="adam", init="he",
                                         shuffle=True),
                          "train_loop_s": loop, "process_s": proc,
                          "reached_epoch": reached,
                          "epoch_accuracies": [t["epoch_accuracies"]
                                               for t in tor],
                          "torch": tor[0]["torch"],
                          "torch_threads": tor[0]["torch_threads"],
                          "openblas": {"forcing": how,
                                       "in_use": tor[0]["openblas_in_use"]}}
        ok = all(r is not None for r in reached)
        print(f"| PyTorch {tor[0]['torch']} 784-512-10 Adam, training loop "
              f"only ({args.torch_threads} thread, epoch {reached[0]}) "
              f"| {loop['median']:.3f} s ({loop['min']:.3f}-{loop['max']:.3f})"
              f" | {len(tor)} |")
        print(f"| PyTorch, whole process | {proc['median']:.3f} s "
              f"({proc['min']:.3f}-{proc['max']:.3f}) | {len(tor)} |")
        if not ok:
            print(f"  PyTorch did not reach 98.0% in {args.torch_epochs} "
                  "epochs in some run: its times are to the last epoch")
        doc["ratio_torch_loop_over_simdnet"] = loop["median"] / sw["median"]
        doc["ratio_torch_process_over_simdnet"] = proc["median"] / sw["median"]
        print(f"ratio: PyTorch's training loop / simdnet's whole process = "
              f"{doc['ratio_torch_loop_over_simdnet']:.2f}x; process / "
              f"process = {doc['ratio_torch_process_over_simdnet']:.2f}x")
        print(f"OpenBLAS: {how}")
    if args.json:
        # Whole or not at all: a run interrupted while writing leaves the
        # previous file, not half of this one.
        tmp = args.json + ".tmp"
        try:
            with open(tmp, "w") as f:
                json.dump(doc, f, indent=1)
            os.replace(tmp, args.json)
        except OSError as e:
            if os.path.exists(tmp):
                os.remove(tmp)
            fail(f"--json {args.json}: {e.strerror}")
    print(json.dumps({k: doc[k] for k in doc if k.startswith("ratio")}))


if __name__ == "__main__":
    main()
