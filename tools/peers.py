#!/usr/bin/python3
"""peers.py - the training throughput of simdnet's peers on simdnet's algorithm.

Measures numpy (float32) and PyTorch on the algorithm simdnet trains by
default, so that `simdnet bench` can be read against them: sigmoid on every
layer, the summed L2 cost, backpropagation, batches of B consecutive samples
in file order whose gradient is the batch's sum divided by B, and AdaGrad
(G += g*g; p -= 0.1 * g / sqrt(G + 1e-8), epsilon inside the root) after
every batch, for any layer list. Both peers are vectorised over the batch
(one matrix product per layer and batch) and run in float32; PyTorch's
AdaGrad is written by hand with in-place tensor operations, no autograd.

Method: for each peer, thread count, network and batch size, `--warmup`
batches untimed, then `--repeats` timed runs of `--batches` batches each,
walking on through the training set in file order; the result is the median
run's samples/s with the slowest and fastest run (and every run in the JSON).
Each (peer, threads) runs in a fresh subprocess, because OpenBLAS reads its
settings when it is loaded:
  - OPENBLAS_NUM_THREADS and OMP_NUM_THREADS are the thread count, and the
    PyTorch peer also calls torch.set_num_threads;
  - `--openblas best` (the default) runs the peers at their best: it unsets
    OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE and sets OPENBLAS_CORETYPE to
    SkylakeX where /proc/cpuinfo has avx512f, avx512bw and avx512vl, else
    Haswell where it has avx2 and fma (Debian's OpenBLAS 0.3.21 does not
    recognise recent CPUs and would otherwise fall back to SSE3 kernels);
    `--openblas env` leaves the environment as it is. The JSON records what
    was set and the core OpenBLAS reports it runs (openblas_get_corename).

Data: MNIST's training set from an IDX folder (--data, else SIMDNET_DATA;
the standard file names, raw or .gz), converted to float32 / 255 once before
timing; without one, a synthetic set of the same shape with MNIST's 81%
exact-zero pixels (labelled synthetic in the output).

  peers.py                                  784-32-32-10, batch 100, 1 thread
  peers.py --sweep --threads 1,2 --json peers.json
  peers.py --layers 784-512-10,784-256-256-10 --batch 100,1000 --repeats 7
  peers.py --check                          numpy's accuracy in the tutorial's
                                            band, PyTorch equal to numpy

--sweep: 784-W-W-10 and 784-W-10 for W = 32, 64, 128, 256, 512, 1024, at
batches 10, 100 and 1000. Needs /usr/bin/python3 with numpy; the torch peer
needs python3-torch (it is skipped, with a message, where it is missing).
"""

import argparse
import ctypes
import gzip
import json
import os
import platform
import statistics
import subprocess
import sys
import time

TRAIN_IMAGES = "train-images-idx3-ubyte"
TRAIN_LABELS = "train-labels-idx1-ubyte"
TEST_IMAGES = "t10k-images-idx3-ubyte"
TEST_LABELS = "t10k-labels-idx1-ubyte"

LR, EPS = 0.1, 1e-8
SWEEP_WIDTHS = (32, 64, 128, 256, 512, 1024)
SWEEP_BATCHES = (10, 100, 1000)
PEERS = ("numpy", "torch")

# --check: the tutorial reports 94.2% after its run; five seeds of an
# independent implementation gave 94.45-94.98% (REFERENCE.md). numpy's
# generator draws other initial weights than simdnet's, and training is
# chaotic, so the band is a little wider than those seeds.
CHECK_BAND = (94.0, 95.5)
CHECK_LAYERS = [784, 32, 32, 10]
# PyTorch against numpy, same initial weights, after CHECK_BATCHES batches:
# float32 rounding differs between their BLAS calls, nothing else.
CHECK_BATCHES = 20
CHECK_TOLERANCE = 1e-3


def fail(msg):
    sys.exit(f"peers.py: {msg}")


# ------------------------------------------------------------------ machine

def cpu_info():
    """(model name, set of flags) from /proc/cpuinfo; ('', set()) if absent."""
    model, flags = "", set()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, value = line.partition(":")
                key = key.strip()
                if key == "model name" and not model:
                    model = value.strip()
                elif key == "flags" and not flags:
                    flags = set(value.split())
    except OSError:
        pass
    return model or platform.processor() or platform.machine(), flags


def best_coretype(flags):
    """The OpenBLAS core type with the widest kernels this CPU runs, and why:
    the same rule as bench/meson.build."""
    if {"avx512f", "avx512bw", "avx512vl"} <= flags:
        return "SkylakeX", "avx512f, avx512bw and avx512vl in /proc/cpuinfo"
    if {"avx2", "fma"} <= flags:
        return "Haswell", "avx2 and fma in /proc/cpuinfo, no AVX-512"
    return None, "neither AVX-512 nor AVX2 in /proc/cpuinfo: OpenBLAS chooses"


def worker_env(threads, mode, flags):
    """The environment of a worker, and how OpenBLAS was forced (for the
    record)."""
    env = dict(os.environ)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(threads)
    if mode == "env":
        how = ("environment left as it was: OPENBLAS_CORETYPE=%s, "
               "OPENBLAS_L2_SIZE=%s" % (env.get("OPENBLAS_CORETYPE", "(unset)"),
                                        env.get("OPENBLAS_L2_SIZE", "(unset)")))
        return env, env.get("OPENBLAS_CORETYPE"), how
    env.pop("OPENBLAS_CORETYPE", None)
    env.pop("OPENBLAS_L2_SIZE", None)
    core, why = best_coretype(flags)
    if core:
        env["OPENBLAS_CORETYPE"] = core
        how = (f"OPENBLAS_CORETYPE={core} set by peers.py ({why}); "
               "OPENBLAS_L2_SIZE unset")
    else:
        how = f"OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset ({why})"
    return env, core, how


def openblas_in_use():
    """The core type and build configuration of the OpenBLAS loaded in this
    process, as it reports them; None where no OpenBLAS is loaded."""
    paths = []
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                path = line.split()[-1] if len(line.split()) >= 6 else ""
                if "openblas" in path and path not in paths:
                    paths.append(path)
    except OSError:
        return None
    # libopenblas*.so itself first; Debian's libblas.so.3 in the openblas
    # folder exports the same functions.
    paths.sort(key=lambda q: "openblas" not in os.path.basename(q))
    for path in paths:
        try:
            lib = ctypes.CDLL(path)
            lib.openblas_get_corename.restype = ctypes.c_char_p
            lib.openblas_get_config.restype = ctypes.c_char_p
            return {"library": path,
                    "core": lib.openblas_get_corename().decode(),
                    "config": lib.openblas_get_config().decode().strip()}
        except (OSError, AttributeError):
            continue
    return None


# ------------------------------------------------------------------ data

def read_idx(path, np):
    """An IDX file (raw, or gzip where the name ends in .gz) as a numpy array."""
    opener = gzip.open if path.endswith(".gz") else open
    try:
        with opener(path, "rb") as f:
            data = f.read()
    except (OSError, EOFError) as e:
        fail(f"{path}: {e}")
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 8:
        fail(f"{path}: not an IDX file of unsigned bytes")
    ndim = data[3]
    if len(data) < 4 + 4 * ndim:
        fail(f"{path}: truncated header")
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big")
            for i in range(ndim)]
    count = 1
    for d in dims:
        count *= d
    body = 4 + 4 * ndim
    if len(data) - body < count:
        fail(f"{path}: {len(data) - body} bytes of data, the header says "
             f"{count}")
    return np.frombuffer(data, np.uint8, count, body).reshape(dims)


def find_idx(folder, name):
    for candidate in (name, name + ".gz"):
        path = os.path.join(folder, candidate)
        if os.path.exists(path):
            return path
    return None


def mnist_folder(given):
    """The folder to read MNIST from, or None for synthetic data. A folder
    named by --data that lacks the training files is an error."""
    folder = given or os.environ.get("SIMDNET_DATA")
    if not folder:
        return None
    if find_idx(folder, TRAIN_IMAGES) and find_idx(folder, TRAIN_LABELS):
        return folder
    if given:
        fail(f"--data {given}: no {TRAIN_IMAGES}[.gz] and {TRAIN_LABELS}[.gz]")
    return None


def load_split(folder, images, labels, np):
    pi, pl = find_idx(folder, images), find_idx(folder, labels)
    if not pi or not pl:
        fail(f"{folder}: no {images}[.gz] and {labels}[.gz]")
    x, y = read_idx(pi, np), read_idx(pl, np)
    if x.ndim != 3 or y.ndim != 1 or x.shape[0] != y.shape[0]:
        fail(f"{pi}, {pl}: shapes {x.shape} and {y.shape} do not pair up")
    return x.reshape(x.shape[0], -1), y


def synthetic(count, inputs, seed, np):
    """Pixels like MNIST's: 81% exact zeros, the rest uniform 1..255."""
    rng = np.random.default_rng(seed)
    x = rng.integers(1, 256, size=(count, inputs), dtype=np.uint8)
    x[rng.random((count, inputs)) < 0.81] = 0
    return x, rng.integers(0, 10, size=count, dtype=np.uint8)


def prepare(x, y, classes, np):
    """float32 inputs / 255 and one-hot float32 targets."""
    xf = x.astype(np.float32) / np.float32(255.0)
    yf = np.zeros((y.shape[0], classes), np.float32)
    yf[np.arange(y.shape[0]), np.minimum(y, classes - 1)] = 1.0
    return xf, yf


# ------------------------------------------------------------------ network

def parse_layers(text):
    try:
        sizes = [int(s) for s in text.split("-")]
    except ValueError:
        sizes = []
    if len(sizes) < 2 or min(sizes) < 1:
        fail(f"--layers: '{text}' is not a list of sizes such as 784-32-32-10")
    return sizes


def flop_per_sample(sizes):
    """The dense algorithm's FLOPs per sample, counted as `simdnet bench`
    counts them: forward and weight gradients one multiply-add per weight
    each, the errors passed back through layers 2..L one per weight."""
    macs = [sizes[i] * sizes[i + 1] for i in range(len(sizes) - 1)]
    return 2.0 * (2 * sum(macs) + sum(macs[1:]))


def init_params(sizes, seed, np):
    """Weights uniform in [-1, 1), biases 0, float32 (numpy's generator: the
    distribution of simdnet's initialisation, not its numbers)."""
    rng = np.random.default_rng(seed)
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        w = rng.uniform(-1.0, 1.0, size=(fan_out, fan_in)).astype(np.float32)
        params.append((w, np.zeros(fan_out, np.float32)))
    return params


def allocate(peer, sizes, batch, params, tensor, zeros):
    """A peer's parameters (copies of params, as tensor() makes them) and
    every buffer a step needs, float32 zeros of zeros(shape): gradients (g),
    AdaGrad's sums (G) and a scratch array (t) per parameter array, and per
    layer its activations (a), errors (d) and scratch (t)."""
    peer.w = [tensor(w.copy()) for w, _ in params]
    peer.b = [tensor(b.copy()) for _, b in params]
    peer.gw, peer.Gw, peer.tw = ([zeros(tuple(w.shape)) for w in peer.w]
                                 for _ in range(3))
    peer.gb, peer.Gb, peer.tb = ([zeros(tuple(b.shape)) for b in peer.b]
                                 for _ in range(3))
    peer.a, peer.d, peer.t = ([zeros((batch, n)) for n in sizes[1:]]
                              for _ in range(3))


class NumpyPeer:
    """The algorithm in numpy float32, vectorised over the batch, with
    preallocated buffers and in-place operations."""

    name = "numpy"

    def __init__(self, sizes, batch, params, np):
        self.np = np
        allocate(self, sizes, batch, params, lambda a: a,
                 lambda shape: np.zeros(shape, np.float32))

    def forward(self, x, acts):
        np = self.np
        prev = x
        for w, b, a in zip(self.w, self.b, acts):
            np.matmul(prev, w.T, out=a)
            a += b
            np.negative(a, out=a)
            np.exp(a, out=a)  # overflows to inf for z < -88: sigmoid 0
            a += 1.0
            np.reciprocal(a, out=a)
            prev = a
        return prev

    def step(self, x, y):
        """One batch: forward, backward, AdaGrad. Returns the batch's mean
        cost."""
        np = self.np
        out = self.forward(x, self.a)
        d = self.d[-1]
        np.subtract(out, y, out=d)
        cost = float(np.einsum("ij,ij->", d, d)) / x.shape[0]
        # dC/da_out = 2 (a - y), divided by B once here: the rest of the
        # backward pass is linear in it, so every gradient is the batch's
        # sum over B.
        d *= np.float32(2.0 / x.shape[0])
        for l in range(len(self.w) - 1, -1, -1):
            a, d, t = self.a[l], self.d[l], self.t[l]
            # delta = dC/da * a * (1 - a)
            np.subtract(np.float32(1.0), a, out=t)
            d *= a
            d *= t
            prev = x if l == 0 else self.a[l - 1]
            np.matmul(d.T, prev, out=self.gw[l])
            np.sum(d, axis=0, out=self.gb[l])
            if l > 0:
                np.matmul(d, self.w[l], out=self.d[l - 1])
        for p, g, G, t in zip(self.w + self.b, self.gw + self.gb,
                              self.Gw + self.Gb, self.tw + self.tb):
            np.multiply(g, g, out=t)
            G += t
            np.add(G, np.float32(EPS), out=t)
            np.sqrt(t, out=t)
            np.divide(g, t, out=t)
            t *= np.float32(LR)
            p -= t
        return cost

    def predict(self, x):
        acts = [self.np.zeros((x.shape[0], w.shape[0]), self.np.float32)
                for w in self.w]
        return self.np.argmax(self.forward(x, acts), axis=1)

    def params(self):
        return self.w + self.b


class TorchPeer:
    """The algorithm in PyTorch float32, vectorised over the batch; AdaGrad
    by hand with in-place tensor operations (no autograd, no torch.optim)."""

    name = "torch"

    def __init__(self, sizes, batch, params, torch):
        self.torch = torch
        allocate(self, sizes, batch, params, torch.from_numpy,
                 lambda shape: torch.zeros(shape, dtype=torch.float32))

    def forward(self, x, acts):
        torch = self.torch
        prev = x
        for w, b, a in zip(self.w, self.b, acts):
            torch.addmm(b, prev, w.t(), out=a)
            a.sigmoid_()
            prev = a
        return prev

    def step(self, x, y):
        torch = self.torch
        with torch.no_grad():
            out = self.forward(x, self.a)
            d = self.d[-1]
            torch.sub(out, y, out=d)
            cost = float(torch.dot(d.view(-1), d.view(-1))) / x.shape[0]
            d.mul_(2.0 / x.shape[0])  # as NumpyPeer: once, linear after
            for l in range(len(self.w) - 1, -1, -1):
                a, d, t = self.a[l], self.d[l], self.t[l]
                torch.neg(a, out=t).add_(1.0)
                d.mul_(a).mul_(t)
                prev = x if l == 0 else self.a[l - 1]
                torch.mm(d.t(), prev, out=self.gw[l])
                torch.sum(d, 0, out=self.gb[l])
                if l > 0:
                    torch.mm(d, self.w[l], out=self.d[l - 1])
            for p, g, G, t in zip(self.w + self.b, self.gw + self.gb,
                                  self.Gw + self.Gb, self.tw + self.tb):
                G.addcmul_(g, g)
                torch.add(G, EPS, out=t)
                t.sqrt_()
                p.addcdiv_(g, t, value=-LR)
        return cost

    def predict(self, x):
        with self.torch.no_grad():
            acts = [self.torch.zeros(x.shape[0], w.shape[0]) for w in self.w]
            return self.forward(x, acts).argmax(dim=1).numpy()

    def params(self):
        return [p.numpy() for p in self.w + self.b]


# ------------------------------------------------------------------ worker

def import_peer(name):
    """(numpy module, torch module or None, versions) for a worker."""
    import numpy as np
    versions = {"numpy": np.__version__}
    torch = None
    if name == "torch":
        import torch  # noqa: F811 (the worker's own import)
        versions["torch"] = torch.__version__
    return np, torch, versions


def make_peer(name, sizes, batch, params, np, torch):
    if name == "numpy":
        return NumpyPeer(sizes, batch, params, np)
    return TorchPeer(sizes, batch, params, torch)


def load_train(spec, np):
    if spec["data"]:
        x, y = load_split(spec["data"], TRAIN_IMAGES, TRAIN_LABELS, np)
    else:
        x, y = synthetic(60000, 784, 1, np)
    return x, y


def run_config(peer_name, sizes, batch, spec, xf, yf, np, torch):
    """Warm-up, then `repeats` timed runs; samples/s of each run."""
    if sizes[0] != xf.shape[1] or sizes[-1] != yf.shape[1]:
        fail(f"--layers {'-'.join(map(str, sizes))}: the data has "
             f"{xf.shape[1]} inputs and {yf.shape[1]} classes")
    nbatches = xf.shape[0] // batch
    if nbatches == 0:
        fail(f"--batch {batch}: larger than the data set's {xf.shape[0]}")
    if peer_name == "torch":
        xs, ys = torch.from_numpy(xf), torch.from_numpy(yf)
    else:
        xs, ys = xf, yf
    peer = make_peer(peer_name, sizes, batch, init_params(sizes, 0, np),
                     np, torch)
    k = 0

    def run(count):
        nonlocal k
        for _ in range(count):
            i = (k % nbatches) * batch
            peer.step(xs[i:i + batch], ys[i:i + batch])
            k += 1

    run(spec["warmup"])
    timed = spec["batches"] or max(1, spec["samples"] // batch)
    rates = []
    for _ in range(spec["repeats"]):
        t0 = time.perf_counter()
        run(timed)
        secs = time.perf_counter() - t0
        rates.append(timed * batch / secs if secs > 0 else float("inf"))
    return timed, rates


def worker(spec):
    """One (peer, threads): every network and batch; JSON on stdout."""
    peer_name, threads = spec["peer"], spec["threads"]
    try:
        np, torch, versions = import_peer(peer_name)
    except ImportError as e:
        print(json.dumps({"skipped": f"{peer_name}: {e}"}))
        return
    if torch is not None:
        torch.set_num_threads(threads)
    # The arithmetic simdnet trains in by default: subnormal floats flushed
    # to zero (docs/engines.md, "Subnormals"). PyTorch can be told so;
    # numpy has no such switch and keeps IEEE gradual underflow.
    if torch is not None:
        subnormals = ("flushed (torch.set_flush_denormal)"
                      if torch.set_flush_denormal(True) else "kept")
    else:
        subnormals = "kept"
    x, y = load_train(spec, np)
    xf, yf = prepare(x, y, 10, np)
    del x
    blas = openblas_in_use()
    records = []
    with np.errstate(over="ignore"):
        for sizes in spec["layers"]:
            for batch in spec["batches_list"]:
                print(f"peers.py: {peer_name} {threads} thread(s) "
                      f"{'-'.join(map(str, sizes))} batch {batch}",
                      file=sys.stderr, flush=True)
                timed, rates = run_config(peer_name, sizes, batch, spec, xf,
                                          yf, np, torch)
                records.append({
                    "peer": peer_name, "layers": sizes, "batch": batch,
                    "threads": threads,
                    "samples_per_s": {"median": statistics.median(rates),
                                      "min": min(rates), "max": max(rates)},
                    "runs_samples_per_s": rates,
                    "repeats": len(rates), "warmup_batches": spec["warmup"],
                    "timed_batches": timed,
                    "flop_per_sample": flop_per_sample(sizes),
                    "dtype": "float32", "versions": versions,
                    "torch_threads": (torch.get_num_threads()
                                      if torch is not None else None),
                    "openblas": dict(spec["openblas"],
                                     in_use=blas),
                    "subnormals": subnormals,
                })
    print(json.dumps({"results": records}))


# ------------------------------------------------------------------ check

def check(spec):
    """numpy: 5 epochs of 784-32-32-10 at batch 100 in the tutorial's band;
    PyTorch: the same weights as numpy after a few batches."""
    np, _, _ = import_peer("numpy")
    folder = spec["data"]
    x, y = load_split(folder, TRAIN_IMAGES, TRAIN_LABELS, np)
    tx, ty = load_split(folder, TEST_IMAGES, TEST_LABELS, np)
    xf, yf = prepare(x, y, 10, np)
    txf, _ = prepare(tx, ty, 10, np)
    ok = True
    params = init_params(CHECK_LAYERS, 0, np)
    with np.errstate(over="ignore"):
        peer = NumpyPeer(CHECK_LAYERS, 100, params, np)
        t0 = time.perf_counter()
        for _ in range(5):
            for i in range(0, xf.shape[0] - 99, 100):
                peer.step(xf[i:i + 100], yf[i:i + 100])
        secs = time.perf_counter() - t0
        acc = 100.0 * float(np.mean(peer.predict(txf) == ty))
    lo, hi = CHECK_BAND
    good = lo <= acc <= hi
    ok &= good
    print(f"numpy 784-32-32-10, batch 100, 5 epochs, seed 0: test accuracy "
          f"{acc:.2f}% ({'in' if good else 'OUTSIDE'} the band {lo}-{hi}%), "
          f"{secs:.2f} s of training")
    try:
        import torch
    except ImportError as e:
        print(f"torch: skipped ({e})")
        return 0 if ok else 1
    torch.set_num_threads(1)
    with np.errstate(over="ignore"):
        a = NumpyPeer(CHECK_LAYERS, 100, params, np)
        b = TorchPeer(CHECK_LAYERS, 100, params, torch)
        xs, ys = torch.from_numpy(xf), torch.from_numpy(yf)
        for i in range(0, CHECK_BATCHES * 100, 100):
            ca = a.step(xf[i:i + 100], yf[i:i + 100])
            cb = b.step(xs[i:i + 100], ys[i:i + 100])
    diff = max(float(np.max(np.abs(p - q)))
               for p, q in zip(a.params(), b.params()))
    good = diff <= CHECK_TOLERANCE and abs(ca - cb) <= CHECK_TOLERANCE * 10
    ok &= good
    print(f"torch against numpy after {CHECK_BATCHES} batches from the same "
          f"weights: largest parameter difference {diff:.2e}, last cost "
          f"{cb:.5f} against {ca:.5f} ({'same' if good else 'DIFFERENT'} "
          f"within {CHECK_TOLERANCE:g})")
    return 0 if ok else 1


# ------------------------------------------------------------------ parent

def spawn(spec, env):
    """Runs a worker; its parsed JSON, or an error."""
    cmd = [sys.executable, os.path.abspath(__file__), "--worker",
           json.dumps(spec)]
    p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, text=True)
    if p.returncode != 0:
        fail(f"the {spec['peer']} worker failed (exit {p.returncode})")
    try:
        return json.loads(p.stdout.strip().splitlines()[-1])
    except (json.JSONDecodeError, IndexError):
        fail(f"the {spec['peer']} worker printed no result")


def fmt_rate(v):
    for div, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if v >= div:
            return f"{v / div:.1f}{suffix}"
    return f"{v:.0f}"


def print_table(doc):
    rows = []
    for r in doc["results"]:
        s = r["samples_per_s"]
        rows.append([r["peer"], str(r["threads"]),
                     "-".join(map(str, r["layers"])), str(r["batch"]),
                     fmt_rate(s["median"]),
                     f"({fmt_rate(s['min'])}..{fmt_rate(s['max'])})",
                     f"{doc['data']['samples'] / s['median']:.3f}",
                     f"{s['median'] * r['flop_per_sample'] * 1e-9:.1f}"])
    header = ["peer", "threads", "layers", "batch", "samples/s",
              "(slowest..fastest)", "s/epoch", "GFLOP/s"]
    widths = [max(len(x[i]) for x in rows + [header])
              for i in range(len(header))]
    right = {1, 3, 4, 5, 6, 7}
    for r in [header] + rows:
        print("  ".join(c.rjust(w) if i in right else c.ljust(w)
                        for i, (c, w) in enumerate(zip(r, widths))).rstrip())


def csv_ints(text, what):
    try:
        vals = [int(v) for v in text.split(",")]
    except ValueError:
        vals = []
    if not vals or min(vals) < 1:
        fail(f"--{what}: '{text}' is not a list of positive integers")
    return vals


def main():
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", metavar="DIR",
                   help="MNIST IDX folder (default: $SIMDNET_DATA, else "
                        "synthetic data)")
    p.add_argument("--layers", default="784-32-32-10", metavar="LIST",
                   help="networks, comma-separated lists of sizes joined by "
                        "'-' (default 784-32-32-10)")
    p.add_argument("--batch", default="100", metavar="LIST",
                   help="batch sizes, e.g. 10,100,1000 (default 100)")
    p.add_argument("--threads", default="1", metavar="LIST",
                   help="thread counts, e.g. 1,2 (default 1)")
    p.add_argument("--peers", default=",".join(PEERS), metavar="LIST",
                   help="numpy, torch or both (default both)")
    p.add_argument("--sweep", action="store_true",
                   help="784-W-W-10 and 784-W-10 for W in 32..1024, batches "
                        "10, 100, 1000 (overrides --layers and --batch)")
    p.add_argument("--warmup", type=int, default=30, metavar="N",
                   help="untimed batches first (default 30)")
    p.add_argument("--batches", type=int, default=0, metavar="N",
                   help="batches per timed run (default: 30000 samples' worth)")
    p.add_argument("--samples", type=int, default=30000, help=argparse.SUPPRESS)
    p.add_argument("--repeats", type=int, default=5, metavar="R",
                   help="timed runs per configuration (default 5)")
    p.add_argument("--openblas", choices=("best", "env"), default="best",
                   help="best: force OpenBLAS's widest core type this CPU "
                        "runs (default); env: leave the environment alone")
    p.add_argument("--json", metavar="FILE", help="also write the results")
    p.add_argument("--check", action="store_true",
                   help="numpy's 5-epoch accuracy in the tutorial's band and "
                        "PyTorch equal to numpy (needs MNIST; exit 77 if absent)")
    p.add_argument("--worker", help=argparse.SUPPRESS)
    args = p.parse_args()

    if args.worker:
        spec = json.loads(args.worker)
        sys.exit(check(spec) if spec.get("check") else worker(spec))

    model, flags = cpu_info()
    folder = mnist_folder(args.data)
    if args.check:
        if not folder:
            print("peers.py --check: skipped, no MNIST (--data DIR or "
                  "SIMDNET_DATA)")
            sys.exit(77)
        env, _, how = worker_env(1, args.openblas, flags)
        print(f"cpu {model}; OpenBLAS: {how}")
        p = subprocess.run([sys.executable, os.path.abspath(__file__),
                            "--worker", json.dumps({"check": True,
                                                    "data": folder})], env=env)
        sys.exit(p.returncode)

    if args.sweep:
        layers = ([[784, w, w, 10] for w in SWEEP_WIDTHS] +
                  [[784, w, 10] for w in SWEEP_WIDTHS])
        batches = list(SWEEP_BATCHES)
    else:
        layers = [parse_layers(t) for t in args.layers.split(",") if t]
        batches = csv_ints(args.batch, "batch")
    for sizes in layers:
        if sizes[0] != 784 or sizes[-1] != 10:
            fail(f"--layers {'-'.join(map(str, sizes))}: MNIST needs 784 "
                 "inputs and 10 outputs")
    if max(batches) > 60000:
        fail(f"--batch {max(batches)}: larger than the 60000 training samples")
    threads = csv_ints(args.threads, "threads")
    peers = [s for s in args.peers.split(",") if s]
    for s in peers:
        if s not in PEERS:
            fail(f"--peers: unknown peer '{s}' (known: {', '.join(PEERS)})")
    if args.repeats < 1 or args.warmup < 0 or args.batches < 0:
        fail("--repeats must be at least 1, --warmup and --batches not "
             "negative")

    doc = {
        "tool": "tools/peers.py",
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"cpu": model, "python": platform.python_version(),
                    "avx512": "avx512f" in flags, "avx2": "avx2" in flags,
                    "cpus": os.cpu_count()},
        "data": {"synthetic": folder is None, "source": folder or
                 "synthetic: 60000 x 784, 81% zero pixels", "samples": 60000},
        "method": {"algorithm": "sigmoid, summed L2, AdaGrad lr 0.1 eps 1e-8 "
                                "inside the sqrt, file order",
                   "warmup_batches": args.warmup,
                   "timed_batches": args.batches or f"{args.samples} samples",
                   "repeats": args.repeats, "openblas_mode": args.openblas},
        "results": [],
    }
    print(f"cpu      {model}")
    print(f"data     {doc['data']['source']}"
          + ("  (SYNTHETIC)" if folder is None else ""))
    for peer in peers:
        for t in threads:
            env, core, how = worker_env(t, args.openblas, flags)
            spec = {"peer": peer, "threads": t, "layers": layers,
                    "batches_list": batches, "data": folder,
                    "warmup": args.warmup, "batches": args.batches,
                    "samples": args.samples, "repeats": args.repeats,
                    "openblas": {"coretype_set": core, "how": how}}
            out = spawn(spec, env)
            if "skipped" in out:
                print(f"skipped  {out['skipped']}", file=sys.stderr)
                continue
            doc["results"] += out["results"]
            if out["results"]:
                blas = out["results"][0]["openblas"]
                used = (blas["in_use"] or {}).get("core", "no OpenBLAS found")
                print(f"{peer:<8} {t} thread(s): OpenBLAS {how}; core in "
                      f"use: {used}")
    print()
    if doc["results"]:
        print_table(doc)
    if args.json:
        tmp = args.json + ".tmp"
        with open(tmp, "w") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")
        os.replace(tmp, args.json)
        print(f"\nwrote {args.json}")


if __name__ == "__main__":
    try:
        main()
    except BrokenPipeError:
        sys.exit(0)
    except KeyboardInterrupt:
        sys.exit(130)
