#!/usr/bin/python3
"""torch_reference.py - simdnet's training, step for step, in PyTorch.

An independent implementation of everything `simdnet train` computes, built
from torch's own pieces wherever torch has them (autograd for every
gradient, torch.optim for the optimizers), so that simdnet's hand-written
kernels can be checked against it. docs/training.md gives every formula;
this script is those formulas in torch:

  - layers: z = W a + b per sample; hidden activation sigmoid, relu or tanh
    (one per hidden layer); output sigmoid or softmax;
  - cost per sample, summed over the outputs: l2 = sum (a - y)^2;
    ce = -log p[label] for softmax (log_softmax), the binary cross-entropy
    per output for sigmoid (binary_cross_entropy_with_logits); the batch's
    cost is the mean over its samples, and autograd's gradient of that mean
    is simdnet's "sum of per-sample gradients / batch size";
  - optimizers: torch.optim.SGD (sgd, momentum, nesterov; coupled weight
    decay), RMSprop (alpha = --beta2), Adam (coupled weight decay), AdamW
    (decoupled); adagrad is the tutorial's, written out because torch puts
    eps outside the square root: G += g*g; p -= lr * g / sqrt(G + eps);
  - learning-rate schedules per batch, in closed form: constant; cosine
    lr * (1 + cos(pi s / S)) / 2; step lr * gamma^floor(epoch / step_epochs);
  - batches of consecutive samples in file order, the last one smaller;
    pixels / 255; float32 (or --dtype float64, to measure float32's noise).

It shares with simdnet only the files (docs/model-format.md, version 1 and
2; IDX, raw or gzip) and, for --init uniform|he|xavier, the initialisation
of tools/reference.py (simdnet's PCG32 and drawing order).

Usage:
  torch_reference.py train (--data DIR | --images F --labels F)
        (--init MODEL | --init uniform|he|xavier --layers LIST [--seed N])
        [--hidden sigmoid|relu|tanh[,..]] [--output sigmoid|softmax]
        [--loss l2|ce] [--optimizer NAME] [--lr X] [--momentum X]
        [--beta1 X] [--beta2 X] [--eps X] [--weight-decay X]
        [--schedule constant|cosine|step] [--step-epochs N] [--gamma X]
        [--batch N] [--epochs E | --batches N] [--save MODEL]
        [--costs CSV] [--dtype float32|float64]
  torch_reference.py compare A.model B.model [--atol X] [--rtol X]
  torch_reference.py compare-costs A.csv B.csv [--rtol X]

`train --epochs 0` writes the starting model unchanged (an initial model
for simdnet's --init). The settings not given default to simdnet's (the
network's kinds to those of the --init model, else the tutorial's; the
optimizer's hyperparameters to torch's, as docs/training.md lists).
`compare` exits 1 when some parameter differs by more than
atol + rtol * |B|, and prints the largest differences either way.
"""

import argparse
import csv
import math
import os
import struct
import sys
import zlib

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference  # noqa: E402  (PCG32, initialisations, IDX reader)

ACTIVATIONS = ("sigmoid", "relu", "tanh", "softmax")   # sn_activation codes
LOSSES = ("l2", "ce")                                  # sn_loss codes
OPTIMIZERS = ("adagrad", "sgd", "momentum", "nesterov", "rmsprop", "adam",
              "adamw")
SCHEDULES = ("constant", "cosine", "step")
INITS = ("uniform", "he", "xavier")

# torch.optim's defaults (adagrad: the tutorial's), as docs/training.md and
# sn_train_config_optimizer give them.
DEFAULTS = {
    "adagrad":  dict(lr=0.1, eps=1e-8),
    "sgd":      dict(lr=0.1, momentum=0.0),
    "momentum": dict(lr=0.1, momentum=0.9),
    "nesterov": dict(lr=0.1, momentum=0.9),
    "rmsprop":  dict(lr=0.01, beta2=0.99, eps=1e-8),
    "adam":     dict(lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8),
    "adamw":    dict(lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8,
                     weight_decay=0.01),
}


def f32(x):
    """x rounded to float32, as simdnet holds every hyperparameter."""
    return float(np.float32(x))


# --------------------------------------------------------------------- model

class Model:
    """A simdnet network: sizes, per-layer activation, loss, and the
    parameters as (W [out][in], b [out]) float32 arrays per layer."""

    def __init__(self, sizes, act, loss, layers):
        self.sizes, self.act, self.loss, self.layers = sizes, act, loss, layers

    def is_tutorial(self):
        return all(a == "sigmoid" for a in self.act) and self.loss == "l2"

    def flat(self):
        return np.concatenate([np.concatenate([W.ravel(), b])
                               for W, b in self.layers]).astype(np.float32)


def read_model(path):
    """A model file of version 1 (the tutorial's network) or 2 (act[] and
    loss after sizes[]), docs/model-format.md."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 28 or data[:8] != b"SIMDNETM":
        raise ValueError(f"{path}: not a simdnet model")
    body, (crc,) = data[:-4], struct.unpack("<I", data[-4:])
    if zlib.crc32(body) != crc:
        raise ValueError(f"{path}: checksum mismatch")
    version, nsizes = struct.unpack_from("<II", body, 8)
    if version not in (1, 2):
        raise ValueError(f"{path}: model version {version}, expected 1 or 2")
    if not 2 <= nsizes <= 16:
        raise ValueError(f"{path}: {nsizes} layer sizes")
    pos = 16
    header = pos + 4 * nsizes * (2 if version == 2 else 1) + 8
    if len(body) < header:
        raise ValueError(f"{path}: truncated header ({len(data)} bytes)")
    sizes = list(struct.unpack_from(f"<{nsizes}I", body, pos))
    pos += 4 * nsizes
    if version == 2:
        codes = struct.unpack_from(f"<{nsizes}I", body, pos)  # act[], loss
        pos += 4 * nsizes
        if max(codes[:-1]) >= len(ACTIVATIONS) or codes[-1] >= len(LOSSES):
            raise ValueError(f"{path}: unknown activation or loss code {codes}")
        act = [ACTIVATIONS[c] for c in codes[:-1]]
        loss = LOSSES[codes[-1]]
    else:
        act, loss = ["sigmoid"] * (nsizes - 1), "l2"
    (nparams,) = struct.unpack_from("<Q", body, pos)
    pos += 8
    expected = sum(o * i + o for i, o in zip(sizes[:-1], sizes[1:]))
    if nparams != expected or len(body) != pos + 4 * nparams:
        raise ValueError(f"{path}: {nparams} parameters in a file of "
                         f"{len(data)} bytes, the sizes need {expected}")
    params = np.frombuffer(body, "<f4", nparams, pos).astype(np.float32)
    layers, off = [], 0
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        W = params[off:off + n_out * n_in].reshape(n_out, n_in)
        off += n_out * n_in
        layers.append((W, params[off:off + n_out]))
        off += n_out
    return Model(sizes, act, loss, layers)


def write_model(path, model):
    """Version 1 for the tutorial's network (byte for byte what simdnet
    writes), version 2 otherwise."""
    n = len(model.sizes)
    if model.is_tutorial():
        head = struct.pack(f"<II{n}I", 1, n, *model.sizes)
    else:
        codes = [ACTIVATIONS.index(a) for a in model.act]
        head = struct.pack(f"<II{n}I{n}I", 2, n, *model.sizes, *codes,
                           LOSSES.index(model.loss))
    params = model.flat()
    body = b"SIMDNETM" + head + struct.pack("<Q", params.size)
    body += params.astype("<f4").tobytes()
    with open(path, "wb") as f:
        f.write(body + struct.pack("<I", zlib.crc32(body)))


# --------------------------------------------------------------------- data

def load_data(args):
    """Training pixels [n][inputs] and labels [n], from --data DIR (the MNIST
    names, .gz preferred) or --images/--labels."""
    if args.data:
        images = reference.find_mnist(args.data, "train-images-idx3-ubyte")
        labels = reference.find_mnist(args.data, "train-labels-idx1-ubyte")
    else:
        images, labels = args.images, args.labels
    pixels, classes = reference.read_idx(images), reference.read_idx(labels)
    if classes.ndim != 1 or pixels.shape[0] != classes.shape[0]:
        raise ValueError(f"{images}: {pixels.shape[0]} images but "
                         f"{labels} has shape {classes.shape}")
    return pixels.reshape(pixels.shape[0], -1), classes


# --------------------------------------------------------------------- network

def batch_cost(torch, F, model, params, x, labels, y):
    """The batch's mean cost: forward through every layer, the head's cost
    per sample summed over the outputs, then the mean over the samples."""
    a = x
    last = len(params) - 1
    for l, (W, b) in enumerate(params):
        z = a @ W.t() + b
        if l == last:
            break
        act = model.act[l]
        a = torch.sigmoid(z) if act == "sigmoid" else \
            torch.relu(z) if act == "relu" else torch.tanh(z)
    out, loss = model.act[last], model.loss
    if out == "sigmoid" and loss == "l2":
        per_sample = ((torch.sigmoid(z) - y) ** 2).sum(dim=1)
    elif out == "sigmoid":
        per_sample = F.binary_cross_entropy_with_logits(
            z, y, reduction="none").sum(dim=1)
    elif loss == "l2":
        per_sample = ((torch.softmax(z, dim=1) - y) ** 2).sum(dim=1)
    else:
        per_sample = F.cross_entropy(z, labels, reduction="none")
    return per_sample.mean()


class TutorialAdagrad:
    """The tutorial's AdaGrad, eps inside the square root (torch.optim's
    Adagrad puts it outside): G += g*g; p -= lr * g / sqrt(G + eps)."""

    def __init__(self, torch, params, lr, eps):
        self.torch, self.params, self.eps = torch, params, eps
        self.param_groups = [{"lr": lr}]
        self.G = [torch.zeros_like(p) for p in params]

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    def step(self):
        lr = self.param_groups[0]["lr"]
        with self.torch.no_grad():
            for p, G in zip(self.params, self.G):
                G.addcmul_(p.grad, p.grad)
                p.sub_(lr * p.grad / self.torch.sqrt(G + self.eps))


def make_optimizer(torch, name, params, h):
    o = torch.optim
    if name == "adagrad":
        return TutorialAdagrad(torch, params, h["lr"], h["eps"])
    if name in ("sgd", "momentum", "nesterov"):
        return o.SGD(params, lr=h["lr"], momentum=h["momentum"], dampening=0,
                     nesterov=name == "nesterov",
                     weight_decay=h["weight_decay"])
    if name == "rmsprop":
        return o.RMSprop(params, lr=h["lr"], alpha=h["beta2"], eps=h["eps"],
                         weight_decay=h["weight_decay"], momentum=0,
                         centered=False)
    cls = o.Adam if name == "adam" else o.AdamW
    return cls(params, lr=h["lr"], betas=(h["beta1"], h["beta2"]),
               eps=h["eps"], weight_decay=h["weight_decay"], amsgrad=False)


def scheduled_lr(h, schedule, s, total, epoch):
    """The learning rate of the batch after s applied ones (total planned)
    in the given epoch (from 0): closed forms in double, cast to float."""
    if schedule == "cosine":
        return f32(h["lr"] * 0.5 * (1.0 + math.cos(math.pi * s / total)))
    if schedule == "step":
        return f32(h["lr"] * h["gamma"] ** (epoch // h["step_epochs"]))
    return h["lr"]


# --------------------------------------------------------------------- train

def starting_model(args):
    """From --init MODEL, or drawn with --init uniform|he|xavier, --layers and
    --seed by tools/reference.py; then --hidden/--output/--loss applied."""
    if args.init in INITS:
        sizes = reference.parse_layers(args.layers or "784,32,32,10")
        draw = {"uniform": reference.init_uniform, "he": reference.init_he,
                "xavier": reference.init_xavier}[args.init]
        layers = [(W.astype(np.float32), b.astype(np.float32))
                  for W, b in draw(sizes, args.seed)]
        model = Model(sizes, ["sigmoid"] * (len(sizes) - 1), "l2", layers)
    else:
        model = read_model(args.init)
        if args.layers and reference.parse_layers(args.layers) != model.sizes:
            raise SystemExit(f"--init {args.init} has layers {model.sizes}, "
                             f"--layers asks for {args.layers}")
    nhidden = len(model.sizes) - 2
    if args.hidden:
        hidden = args.hidden.split(",")
        if len(hidden) == 1:
            hidden *= nhidden
        if len(hidden) != nhidden or \
                any(a not in ("sigmoid", "relu", "tanh") for a in hidden):
            raise SystemExit(f"--hidden {args.hidden}: need one of sigmoid, "
                             f"relu, tanh, or {nhidden} of them")
        model.act[:nhidden] = hidden
    if args.output:
        model.act[-1] = args.output
    if args.loss:
        model.loss = args.loss
    if any(a == "softmax" for a in model.act[:-1]):
        raise SystemExit("softmax is an output activation only")
    return model


def hyperparameters(args):
    """The optimizer's settings: torch's defaults, then the flags."""
    h = dict(lr=0.1, eps=1e-8, momentum=0.0, beta1=0.9, beta2=0.999,
             weight_decay=0.0)
    h.update(DEFAULTS[args.optimizer])
    for key in ("lr", "eps", "momentum", "beta1", "beta2", "weight_decay"):
        if getattr(args, key) is not None:
            h[key] = getattr(args, key)
    # simdnet keeps each setting as a float; so does this run.
    h = {k: f32(v) for k, v in h.items()}
    h["step_epochs"], h["gamma"] = args.step_epochs, f32(args.gamma)
    if args.optimizer == "adagrad" and h["weight_decay"] != 0:
        raise SystemExit("--weight-decay: adagrad takes none")
    return h


def cmd_train(args):
    model = starting_model(args)
    h = hyperparameters(args)
    if args.epochs == 0:
        if args.save:
            write_model(args.save, model)
        return 0
    import torch  # only here: --epochs 0 and compare run without it
    import torch.nn.functional as F
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    dtype = torch.float64 if args.dtype == "float64" else torch.float32
    pixels, labels = load_data(args)
    if pixels.shape[1] != model.sizes[0]:
        raise SystemExit(f"the images have {pixels.shape[1]} pixels, the "
                         f"first layer {model.sizes[0]}")
    if labels.max() >= model.sizes[-1]:
        raise SystemExit(f"a label is >= the output size {model.sizes[-1]}")

    # Pixels / 255 in float32, as simdnet's loader, then widened if asked.
    x_all = torch.from_numpy(pixels.astype(np.float32) / np.float32(255))
    x_all = x_all.to(dtype)
    labels_all = torch.from_numpy(labels.astype(np.int64))
    y_all = F.one_hot(labels_all, model.sizes[-1]).to(dtype)

    params = []
    for W, b in model.layers:
        params += [torch.tensor(W, dtype=dtype, requires_grad=True),
                   torch.tensor(b, dtype=dtype, requires_grad=True)]
    pairs = list(zip(params[0::2], params[1::2]))
    opt = make_optimizer(torch, args.optimizer, params, h)

    count = len(labels)
    per_epoch = (count + args.batch - 1) // args.batch
    epochs = args.epochs if args.batches is None else \
        (args.batches + per_epoch - 1) // per_epoch
    planned = epochs * per_epoch
    stop = planned if args.batches is None else args.batches
    costs, s = [], 0
    for epoch in range(epochs):
        for k, start in enumerate(range(0, count, args.batch)):
            if s == stop:
                break
            lr = scheduled_lr(h, args.schedule, s, planned, epoch)
            for group in opt.param_groups:
                group["lr"] = lr
            sl = slice(start, start + args.batch)
            opt.zero_grad()
            cost = batch_cost(torch, F, model, pairs, x_all[sl],
                              labels_all[sl], y_all[sl])
            if not torch.isfinite(cost):
                raise SystemExit(f"epoch {epoch + 1} batch {k + 1}: cost "
                                 f"{cost.item()}")
            cost.backward()
            opt.step()
            costs.append((epoch + 1, k + 1, cost.item()))
            s += 1

    model.layers = [(W.detach().numpy().astype(np.float32),
                     b.detach().numpy().astype(np.float32)) for W, b in pairs]
    if args.save:
        write_model(args.save, model)
    if args.costs:
        with open(args.costs, "w") as f:
            f.write("epoch,batch,cost\n")
            f.writelines(f"{e},{b},{c:.9g}\n" for e, b, c in costs)
    print(f"torch_reference.py: {'-'.join(map(str, model.sizes))} "
          f"{','.join(model.act)} {model.loss}, {args.optimizer} "
          f"{' '.join(f'{k} {v:g}' for k, v in h.items())}, {args.schedule}, "
          f"batch {args.batch}, {s} batches, {args.dtype}, torch "
          f"{torch.__version__}; last cost {costs[-1][2]:.6g}" if costs else "")
    return 0


# --------------------------------------------------------------------- compare

def cmd_compare(args):
    """Every parameter of A against B: fails when |A - B| > atol + rtol |B|
    anywhere (or the networks differ in shape or kind)."""
    a, b = read_model(args.a), read_model(args.b)
    if (a.sizes, a.act, a.loss) != (b.sizes, b.act, b.loss):
        print(f"compare: {args.a} is {a.sizes} {a.act} {a.loss}, "
              f"{args.b} is {b.sizes} {b.act} {b.loss}")
        return 1
    pa, pb = a.flat().astype(np.float64), b.flat().astype(np.float64)
    diff = np.abs(pa - pb)
    diff[np.isnan(diff)] = np.inf
    rel = diff / np.maximum(np.abs(pb), 1e-30)
    worst = int(np.argmax(diff - (args.atol + args.rtol * np.abs(pb))))
    bad = int(np.sum(diff > args.atol + args.rtol * np.abs(pb)))
    print(f"max |A-B| {diff.max():.3g} (parameter {int(np.argmax(diff))}), "
          f"max |A-B|/|B| {rel.max():.3g}, over {pa.size} parameters; "
          f"worst against atol {args.atol:g} + rtol {args.rtol:g}: parameter "
          f"{worst}, {pa[worst]:.9g} vs {pb[worst]:.9g}; {bad} outside")
    return 1 if bad else 0


def read_costs(path):
    with open(path) as f:
        return [(int(r["epoch"]), int(r["batch"]), float(r["cost"]))
                for r in csv.DictReader(f)]


def cmd_compare_costs(args):
    """Every batch's cost of A against B, relatively."""
    a, b = read_costs(args.a), read_costs(args.b)
    if [r[:2] for r in a] != [r[:2] for r in b]:
        print(f"compare-costs: {args.a} has {len(a)} batches, {args.b} "
              f"{len(b)}, or they are numbered differently")
        return 1
    rel = [abs(x[2] - y[2]) / max(abs(y[2]), 1e-30) for x, y in zip(a, b)]
    worst = max(range(len(rel)), key=lambda i: rel[i])
    print(f"max relative cost difference {rel[worst]:.3g} (epoch "
          f"{a[worst][0]} batch {a[worst][1]}: {a[worst][2]:.9g} vs "
          f"{b[worst][2]:.9g}), over {len(a)} batches")
    return 0 if rel[worst] <= args.rtol else 1


# --------------------------------------------------------------------- main

def number(text):
    v = float(text)
    if not math.isfinite(v) or v < 0:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {text}")
    return v


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     epilog="Formulas: docs/training.md.")
    sub = parser.add_subparsers(dest="command", required=True)

    t = sub.add_parser("train", help="train as simdnet train does")
    data = t.add_mutually_exclusive_group(required=True)
    data.add_argument("--data", help="folder with the MNIST training files "
                                     "(raw or .gz)")
    data.add_argument("--images", help="an IDX images file (with --labels)")
    t.add_argument("--labels", help="its IDX labels file")
    t.add_argument("--init", required=True,
                   help="a model file, or uniform|he|xavier (with --layers, "
                        "--seed)")
    t.add_argument("--layers", help="layer sizes for a drawn --init")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--hidden", help="sigmoid|relu|tanh, or one per hidden "
                                    "layer, comma-separated")
    t.add_argument("--output", choices=("sigmoid", "softmax"))
    t.add_argument("--loss", choices=LOSSES)
    t.add_argument("--optimizer", choices=OPTIMIZERS, default="adagrad")
    for flag in ("lr", "momentum", "beta1", "beta2", "eps", "weight-decay"):
        t.add_argument("--" + flag, type=number)
    t.add_argument("--schedule", choices=SCHEDULES, default="constant")
    t.add_argument("--step-epochs", type=int, default=1)
    t.add_argument("--gamma", type=number, default=0.1)
    t.add_argument("--batch", type=int, default=100)
    length = t.add_mutually_exclusive_group()
    length.add_argument("--epochs", type=int, default=5)
    length.add_argument("--batches", type=int,
                        help="stop after N batches (the schedule plans for "
                             "the whole epochs they start)")
    t.add_argument("--save", metavar="MODEL")
    t.add_argument("--costs", metavar="CSV",
                   help="every batch's mean cost, as simdnet's --costs")
    t.add_argument("--dtype", choices=("float32", "float64"),
                   default="float32")
    t.set_defaults(run=cmd_train)

    c = sub.add_parser("compare", help="compare two models' parameters")
    c.add_argument("a")
    c.add_argument("b")
    c.add_argument("--atol", type=number, default=1e-5)
    c.add_argument("--rtol", type=number, default=1e-5)
    c.set_defaults(run=cmd_compare)

    cc = sub.add_parser("compare-costs", help="compare two --costs files")
    cc.add_argument("a")
    cc.add_argument("b")
    cc.add_argument("--rtol", type=number, default=1e-5)
    cc.set_defaults(run=cmd_compare_costs)

    args = parser.parse_args(argv)
    if args.command == "train":
        if args.images and not args.labels:
            parser.error("--images needs --labels")
        if args.batch < 1 or args.step_epochs < 1 or args.epochs < 0 or \
                (args.batches is not None and args.batches < 1):
            parser.error("--batch, --step-epochs and --batches must be at "
                         "least 1, --epochs at least 0")
        if args.init in INITS:
            reference.check_seed(parser, args.seed)
    return reference.run_command(args, "torch_reference.py")


if __name__ == "__main__":
    sys.exit(main())
