#!/usr/bin/python3
"""reference.py - an independent numpy implementation of the tutorial's network.

This is the algorithm simdnet reproduces, that of the tutorial "How to
program a neural network" (Callum Bruce, 2023), written as plainly as numpy
allows and with none of simdnet's code: sigmoid on every layer, the summed L2
cost C = sum (a - y)^2, backpropagation with delta = dC/da * a * (1 - a), batches
of consecutive samples in file order whose gradient is the sum over the batch
divided by its size (a smaller last batch by its own size), and AdaGrad
(G += g*g; p -= lr * g / sqrt(G + eps), eps inside the root) or plain SGD.

It shares with simdnet only what must be shared to compare the two:
  - the initialisation of sn_net_init_uniform: PCG32 seeded through
    splitmix64, weights uniform in [-1, 1) as (u32 >> 8) * 2^-23 - 1, drawn
    layer by layer, each W row-major [out][in], biases 0 and never drawn;
    and those of sn_net_init for the other schemes (init_he, init_xavier,
    Pcg32.normal), which tools/torch_reference.py and
    tests/torch_golden_test.sh use to check simdnet's initial weights;
  - the model file of docs/model-format.md, read and written with the two
    functions that document gives;
  - IDX data files, raw or gzip compressed.

It is batch-vectorised (one matrix product per layer and batch instead of a
loop over samples); the sums it computes are the tutorial's.

Usage:
  reference.py train --data DIR [--layers 784,32,32,10] [--epochs 5]
                     [--batch 100] [--lr 0.1] [--optimizer adagrad|sgd]
                     [--seed N | --init MODEL] [--save MODEL]
                     [--dtype float64|float32]
  reference.py golden --out tests/golden

`golden` writes the small problem that tests/test_golden.c checks simdnet
against; see tests/golden/README.md.

Needs only python3 and numpy.
"""

import argparse
import gzip
import math
import os
import struct
import sys
import time
import zlib

import numpy as np

MASK64 = (1 << 64) - 1
MASK32 = (1 << 32) - 1


# --------------------------------------------------------------------- PRNG

class Pcg32:
    """PCG32 (XSH RR 64/32) seeded by one step of splitmix64, bit for bit the
    generator of src/core/rng.c. Plain Python integers, masked to 64 bits."""

    MULT = 6364136223846793005
    INC = 1442695040888963407

    def __init__(self, seed):
        x = (seed + 0x9E3779B97F4A7C15) & MASK64
        x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK64
        self.state = x ^ (x >> 31)

    def u32(self):
        old = self.state
        self.state = (old * self.MULT + self.INC) & MASK64
        xorshifted = (((old >> 18) ^ old) >> 27) & MASK32
        rot = old >> 59
        return ((xorshifted >> rot) | (xorshifted << ((32 - rot) & 31))) & MASK32

    def uniform_pm1(self):
        # k * 2^-23 - 1 for k in [0, 2^24): exact in float32 and float64.
        return (self.u32() >> 8) * 2.0 ** -23 - 1.0

    def normal(self):
        """A standard normal from two draws (Box-Muller, the cosine half), as
        sn_net_init draws them: u1 = ((u32 >> 8) + 1) * 2^-24 in (0, 1],
        u2 = (u32 >> 8) * 2^-24 in [0, 1), z = sqrt(-2 ln u1) cos(2 pi u2),
        in double. math's functions are the C library's, so z is bit for
        bit what C computes with log, cos and sqrt (numpy's may not be)."""
        u1 = ((self.u32() >> 8) + 1) * 2.0 ** -24
        u2 = (self.u32() >> 8) * 2.0 ** -24
        return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)

    def below(self, n):
        """Uniform integer in [0, n), rejecting the short last interval
        (Lemire's threshold), as sn_rng_below."""
        threshold = (-n & MASK32) % n
        while True:
            r = self.u32()
            if r >= threshold:
                return r % n


def init_uniform(sizes, seed, dtype=np.float64):
    """The tutorial's initialisation as sn_net_init_uniform draws it: every
    weight uniform in [-1, 1), layer by layer, W row-major; biases 0."""
    rng = Pcg32(seed)
    layers = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        w = [rng.uniform_pm1() for _ in range(n_out * n_in)]
        layers.append((np.array(w, dtype=dtype).reshape(n_out, n_in),
                       np.zeros(n_out, dtype=dtype)))
    return layers


def _init_layers(sizes, seed, draw, dtype):
    """Weights drawn layer by layer, each W row-major [out][in], from one
    generator seeded once; draw(rng, n_in, n_out) gives one weight as a
    double, rounded once to float32; biases 0, never drawn."""
    rng = Pcg32(seed)
    layers = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        w = np.array([draw(rng, n_in, n_out) for _ in range(n_out * n_in)],
                     dtype=np.float64).astype(np.float32)
        layers.append((w.astype(dtype).reshape(n_out, n_in),
                       np.zeros(n_out, dtype=dtype)))
    return layers


def init_he(sizes, seed, dtype=np.float64):
    """He: w = (float)(z * std), z a normal of Pcg32.normal and
    std = sqrt(2 / fan_in), both in double (sn_net_init, SN_INIT_HE)."""
    return _init_layers(sizes, seed, lambda rng, n_in, n_out:
                        rng.normal() * math.sqrt(2.0 / n_in), dtype)


def init_xavier(sizes, seed, dtype=np.float64):
    """Xavier (Glorot) uniform: w = (float)(a * u), u = uniform_pm1 (exact)
    and a = sqrt(6 / (fan_in + fan_out)), the product in double and rounded
    once (sn_net_init, SN_INIT_XAVIER)."""
    return _init_layers(sizes, seed, lambda rng, n_in, n_out:
                        math.sqrt(6.0 / (n_in + n_out)) * rng.uniform_pm1(),
                        dtype)


# --------------------------------------------------------------------- files

def _open_maybe_gzip(path):
    """Opens path for reading, gunzipping it if its content is gzip (the
    name does not matter, as in simdnet)."""
    with open(path, "rb") as f:
        magic = f.read(2)
    return gzip.open(path, "rb") if magic == b"\x1f\x8b" else open(path, "rb")


def read_idx(path):
    """An IDX file of unsigned bytes (images or labels) as a uint8 array."""
    with _open_maybe_gzip(path) as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise ValueError(f"{path}: not an IDX file of unsigned bytes")
    ndim = data[3]
    if ndim < 1 or len(data) < 4 + 4 * ndim:
        raise ValueError(f"{path}: truncated IDX header")
    dims = struct.unpack_from(f">{ndim}I", data, 4)
    count = int(np.prod(dims))
    body = data[4 + 4 * ndim:]
    if len(body) != count:
        raise ValueError(f"{path}: {len(body)} data bytes, header says {count}")
    return np.frombuffer(body, np.uint8).reshape(dims)


def write_idx(path, array):
    """Writes a uint8 array as a raw (uncompressed) IDX file."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    header = struct.pack(f">BBBB{array.ndim}I", 0, 0, 0x08, array.ndim,
                         *array.shape)
    with open(path, "wb") as f:
        f.write(header + array.tobytes())


def find_mnist(directory, name):
    """The path of an MNIST file in directory, .gz preferred, as
    sn_dataset_load looks for it."""
    for candidate in (name + ".gz", name):
        path = os.path.join(directory, candidate)
        if os.path.exists(path):
            return path
    raise FileNotFoundError(f"{directory}: neither {name}.gz nor {name}")


def load_split(directory, prefix):
    images = read_idx(find_mnist(directory, f"{prefix}-images-idx3-ubyte"))
    labels = read_idx(find_mnist(directory, f"{prefix}-labels-idx1-ubyte"))
    if images.shape[0] != labels.shape[0]:
        raise ValueError(f"{directory}: {images.shape[0]} {prefix} images "
                         f"but {labels.shape[0]} labels")
    return images.reshape(images.shape[0], -1), labels


# The two functions of docs/model-format.md, verbatim.

def load_model(path):
    data = open(path, "rb").read()
    assert data[:8] == b"SIMDNETM", "not a simdnet model"
    body, (crc,) = data[:-4], struct.unpack("<I", data[-4:])
    assert zlib.crc32(body) == crc, "checksum mismatch"
    version, nsizes = struct.unpack_from("<II", data, 8)
    assert version == 1
    sizes = struct.unpack_from(f"<{nsizes}I", data, 16)
    (nparams,) = struct.unpack_from("<Q", data, 16 + 4 * nsizes)
    params = np.frombuffer(body, "<f4", nparams, 24 + 4 * nsizes)
    layers, off = [], 0
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        W = params[off:off + n_out * n_in].reshape(n_out, n_in); off += n_out * n_in
        b = params[off:off + n_out]; off += n_out
        layers.append((W, b))
    return list(sizes), layers


def save_model(path, sizes, layers):
    params = np.concatenate([np.concatenate([W.ravel(), b]) for W, b in layers])
    body = b"SIMDNETM" + struct.pack(f"<II{len(sizes)}IQ", 1, len(sizes), *sizes, params.size)
    body += params.astype("<f4").tobytes()
    open(path, "wb").write(body + struct.pack("<I", zlib.crc32(body)))


# --------------------------------------------------------------------- network

def sigmoid(z):
    # exp(-z) overflows to inf for z < -709 (float64) and 1 / (1 + inf) is
    # exactly 0, the right limit; the warning says nothing useful.
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-z))


def forward(layers, x):
    """Activations of every layer for a batch x [samples][inputs], input
    first."""
    acts = [x]
    for W, b in layers:
        acts.append(sigmoid(acts[-1] @ W.T + b))
    return acts


class Optimizer:
    """AdaGrad (G += g*g; p -= lr g / sqrt(G + eps)) or plain SGD
    (p -= lr g), over every weight and bias, with G kept for the whole run."""

    def __init__(self, kind, layers, lr, eps=1e-8):
        dtype = layers[0][0].dtype.type
        self.kind, self.lr, self.eps = kind, dtype(lr), dtype(eps)
        self.G = [(np.zeros_like(W), np.zeros_like(b)) for W, b in layers]

    def step(self, layers, grads):
        for (W, b), (gW, gb), (GW, Gb) in zip(layers, grads, self.G):
            for p, g, G in ((W, gW, GW), (b, gb, Gb)):
                if self.kind == "adagrad":
                    G += g * g
                    p -= self.lr * g / np.sqrt(G + self.eps)
                else:
                    p -= self.lr * g


def train_batch(layers, opt, x, y):
    """One batch: forward, backpropagation summed over its samples, gradient
    = sum / batch size, one optimizer step. Returns the batch's mean cost."""
    acts = forward(layers, x)
    err = acts[-1] - y
    costs = np.sum(err * err, axis=1)           # C per sample
    dcda = 2 * err                              # dC/da_out
    grads = [None] * len(layers)
    for l in range(len(layers) - 1, -1, -1):
        a, a_prev = acts[l + 1], acts[l]
        delta = dcda * a * (1 - a)
        grads[l] = (delta.T @ a_prev / len(x), delta.sum(axis=0) / len(x))
        if l > 0:
            dcda = delta @ layers[l][0]         # W^T delta, per sample
    opt.step(layers, grads)
    return costs.sum() / len(x)


def train_epoch(layers, opt, x, y, batch):
    """One epoch over consecutive batches in file order; the per-batch mean
    costs."""
    return [train_batch(layers, opt, x[i:i + batch], y[i:i + batch])
            for i in range(0, len(x), batch)]


def accuracy(layers, x, labels):
    """Fraction of samples whose output argmax (first index on ties) is the
    label."""
    return float(np.mean(np.argmax(forward(layers, x)[-1], axis=1) == labels))


def to_inputs(pixels, dtype):
    return pixels.astype(dtype) / dtype(255)


def one_hot(labels, classes, dtype):
    y = np.zeros((len(labels), classes), dtype=dtype)
    y[np.arange(len(labels)), labels] = 1
    return y


# --------------------------------------------------------------------- train

def parse_layers(text):
    try:
        sizes = [int(s) for s in text.split(",")]
    except ValueError:
        raise SystemExit(f"--layers: '{text}' is not a comma-separated list of integers")
    if len(sizes) < 2 or min(sizes) < 1:
        raise SystemExit(f"--layers: need at least two sizes, each >= 1, got '{text}'")
    return sizes


def cmd_train(args):
    dtype = np.dtype(args.dtype).type
    if args.init:
        sizes, layers = load_model(args.init)
        layers = [(W.astype(dtype), b.astype(dtype)) for W, b in layers]
    else:
        sizes = parse_layers(args.layers or "784,32,32,10")
        layers = init_uniform(sizes, args.seed, dtype)

    train_pixels, train_labels = load_split(args.data, "train")
    test_pixels, test_labels = load_split(args.data, "t10k")
    if train_pixels.shape[1] != sizes[0]:
        raise SystemExit(f"{args.data}: images have {train_pixels.shape[1]} "
                         f"pixels, the first layer {sizes[0]}")
    if max(train_labels.max(), test_labels.max()) >= sizes[-1]:
        raise SystemExit(f"{args.data}: a label is >= the output size {sizes[-1]}")
    x_train = to_inputs(train_pixels, dtype)
    y_train = one_hot(train_labels, sizes[-1], dtype)
    x_test = to_inputs(test_pixels, dtype)

    print(f"reference.py: {'-'.join(map(str, sizes))}, {args.optimizer} "
          f"lr {args.lr}, batch {args.batch}, {args.dtype}, "
          f"{'init ' + args.init if args.init else f'seed {args.seed}'}, "
          f"numpy {np.__version__}")
    opt = Optimizer(args.optimizer, layers, args.lr)
    for epoch in range(args.epochs):
        start = time.perf_counter()
        costs = train_epoch(layers, opt, x_train, y_train, args.batch)
        seconds = time.perf_counter() - start
        # Mean of C over the epoch's samples, from the per-batch means.
        sizes_of_batches = np.diff(np.r_[0:len(x_train):args.batch, len(x_train)])
        cost = float(np.dot(costs, sizes_of_batches) / len(x_train))
        acc = accuracy(layers, x_test, test_labels)
        print(f"epoch {epoch + 1}/{args.epochs}  cost {cost:.6f}  "
              f"test accuracy {100 * acc:.2f}%  {seconds:.3f} s  "
              f"{len(x_train) / seconds / 1000:.1f}k samples/s", flush=True)
    print(f"final test accuracy {100 * accuracy(layers, x_test, test_labels):.2f}%")
    if args.save:
        save_model(args.save, sizes, layers)
        print(f"saved {args.save}")


# --------------------------------------------------------------------- golden

GOLDEN_SIZES = [49, 8, 6, 4]
GOLDEN_INIT_SEED = 1
GOLDEN_DATA_SEED = 2023
GOLDEN_COUNT = 250
GOLDEN_BATCH = 100
GOLDEN_RUNS = (("adagrad", 0.1), ("sgd", 0.5))


def golden_dataset(count=GOLDEN_COUNT, seed=GOLDEN_DATA_SEED):
    """A small 7x7, 4-class problem with MNIST's character: most pixels
    exactly zero, some exactly 255. Class c inks (each pixel with
    probability 3/4, values 64..255) the 3x3 block in quadrant c; the other
    quadrants get sparse noise (probability 1/8, values 1..255); the middle
    row and column are always zero, so their weights get an exactly zero
    gradient (AdaGrad then divides 0 by sqrt(eps))."""
    rng = Pcg32(seed)
    pixels = np.zeros((count, 7, 7), np.uint8)
    labels = np.zeros(count, np.uint8)
    corners = [(0, 0), (0, 4), (4, 0), (4, 4)]
    for i in range(count):
        label = rng.below(4)
        labels[i] = label
        for q, (r0, c0) in enumerate(corners):
            for r in range(r0, r0 + 3):
                for c in range(c0, c0 + 3):
                    if q == label:
                        if rng.below(4) != 0:
                            pixels[i, r, c] = 64 + rng.below(192)
                    elif rng.below(8) == 0:
                        pixels[i, r, c] = 1 + rng.below(255)
    return pixels, labels


def flat_params(layers):
    return np.concatenate([np.concatenate([W.ravel(), b]) for W, b in layers])


def golden_run(kind, lr, init, x, y, dtype):
    layers = [(W.astype(dtype), b.astype(dtype)) for W, b in init]
    costs = train_epoch(layers, Optimizer(kind, layers, lr), x, y, GOLDEN_BATCH)
    return layers, costs


def cmd_golden(args):
    os.makedirs(args.out, exist_ok=True)

    def out(name):
        return os.path.join(args.out, name)

    pixels, labels = golden_dataset()
    write_idx(out("golden-images-idx3-ubyte"), pixels)
    write_idx(out("golden-labels-idx1-ubyte"), labels)

    init = init_uniform(GOLDEN_SIZES, GOLDEN_INIT_SEED)
    save_model(out("golden-init.model"), GOLDEN_SIZES, init)

    flat_pixels = pixels.reshape(len(pixels), -1)
    cost_lines = []
    for kind, lr in GOLDEN_RUNS:
        results = {}
        for dtype in (np.float64, np.float32):
            x = to_inputs(flat_pixels, dtype)
            y = one_hot(labels, GOLDEN_SIZES[-1], dtype)
            results[dtype] = golden_run(kind, lr, init, x, y, dtype)
        layers, costs = results[np.float64]
        save_model(out(f"golden-{kind}.model"), GOLDEN_SIZES, layers)
        cost_lines += [f"{kind} {i} {c:.17g}" for i, c in enumerate(costs)]

        # How far plain float32 arithmetic lands from the float64 golden:
        # the yardstick for the tolerance of tests/test_golden.c.
        layers32, costs32 = results[np.float32]
        p64, p32 = flat_params(layers), flat_params(layers32).astype(np.float64)
        moved = np.abs(p64 - flat_params(init))
        print(f"{kind}: {len(costs)} batches, costs "
              f"{' '.join(f'{c:.6f}' for c in costs)}; parameters moved by up "
              f"to {moved.max():.3g}; numpy float32 differs from float64 by "
              f"{np.abs(p32 - p64).max():.3g} (parameters), "
              f"{max(abs(a - b) / b for a, b in zip(costs32, costs)):.3g} "
              f"(relative, costs)")

    with open(out("golden-costs.txt"), "w") as f:
        f.write("# optimizer batch mean-cost: the mean over a batch's samples "
                "of C = sum (a - y)^2,\n"
                "# before that batch's update; float64, written by "
                "tools/reference.py golden\n")
        f.write("\n".join(cost_lines) + "\n")
    print(f"wrote the golden files to {args.out}")


# --------------------------------------------------------------------- command line
# (shared with torch_reference.py)

def check_seed(parser, seed):
    """simdnet's seeds are 64-bit: anything else is a usage error."""
    if not 0 <= seed <= MASK64:
        parser.error("--seed must be in [0, 2^64)")


def run_command(args, tool, errors=(OSError, ValueError)):
    """Runs the subcommand args chose (its set_defaults(run=...)) and
    returns its exit status; a bad file ends in one line naming the tool,
    not a traceback."""
    try:
        return args.run(args)
    except errors as e:
        sys.exit(f"{tool}: {e}")


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Independent numpy implementation of the tutorial's "
                    "network (see the module docstring).")
    sub = parser.add_subparsers(dest="command", required=True)

    train = sub.add_parser("train", help="train on MNIST-style IDX files")
    train.add_argument("--data", required=True,
                       help="folder with the four MNIST IDX files (raw or .gz)")
    train.add_argument("--layers",
                       help="layer sizes, default 784,32,32,10 (with --init: "
                            "the model's)")
    train.add_argument("--epochs", type=int, default=5)
    train.add_argument("--batch", type=int, default=100)
    train.add_argument("--lr", type=float, default=0.1)
    train.add_argument("--optimizer", choices=("adagrad", "sgd"),
                       default="adagrad")
    start = train.add_mutually_exclusive_group()
    start.add_argument("--seed", type=int, default=0,
                       help="seed of the uniform initialisation (default 0)")
    start.add_argument("--init", metavar="MODEL",
                       help="start from a simdnet model file instead")
    train.add_argument("--save", metavar="MODEL",
                       help="write the trained network as a simdnet model")
    train.add_argument("--dtype", choices=("float64", "float32"),
                       default="float64")
    train.set_defaults(run=cmd_train)

    golden = sub.add_parser("golden", help="write the golden test files")
    golden.add_argument("--out", required=True, help="e.g. tests/golden")
    golden.set_defaults(run=cmd_golden)

    args = parser.parse_args(argv)
    if args.command == "train":
        if args.epochs < 1 or args.batch < 1:
            parser.error("--epochs and --batch must be at least 1")
        check_seed(parser, args.seed)
        if args.init and args.layers:
            parser.error("--layers and --init: the model file sets the sizes")
    # The model reader asserts what it checks.
    return run_command(args, "reference.py",
                       (OSError, ValueError, AssertionError))


if __name__ == "__main__":
    sys.exit(main())
