#!/usr/bin/env python3
"""make_seeds.py - writes the seed corpora of the fuzz harnesses into
tests/fuzz/corpus/<harness>/: small valid files, in the framing each harness
reads (fuzz_idx.c, fuzz_model.c, fuzz_checkpoint.c), plus a few near misses.
Valid seeds let the fuzzer start deep inside the formats instead of
rediscovering the magic numbers.

    tests/fuzz/make_seeds.py build/src/simdnet

The model and checkpoint seeds are written by simdnet itself, from a tiny
run on a 2x2-pixel data set; the IDX seeds are written here.
"""
import gzip
import os
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def idx_images(count, rows, cols, seed):
    pixels = bytes((i * 37 + seed) % 7 * 40 if (i + seed) % 3 else 0
                   for i in range(count * rows * cols))
    return struct.pack(">IIII", 0x803, count, rows, cols) + pixels


def idx_labels(count, classes, seed):
    return struct.pack(">II", 0x801, count) + bytes(
        (i + seed) % classes for i in range(count))


def framed_idx(flags, images, labels):
    """fuzz_idx.c: flags byte, images length (LE u16), images, labels."""
    return bytes([flags]) + struct.pack("<H", len(images)) + images + labels


def write(harness, name, data):
    d = os.path.join(HERE, "corpus", harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    exe = sys.argv[1]

    img, lab = idx_images(6, 2, 2, 1), idx_labels(6, 2, 1)
    write("idx", "raw", framed_idx(0, img, lab))
    write("idx", "raw-checked-labels", framed_idx(16, img, idx_labels(6, 10, 3)))
    write("idx", "raw-pipes", framed_idx(1 | 2, img, lab))
    write("idx", "gzip-by-harness", framed_idx(4 | 8, img, lab))
    write("idx", "gzip-in-input", framed_idx(0, gzip.compress(img, mtime=0),
                                             gzip.compress(lab, mtime=0)))
    write("idx", "gzip-pipe", framed_idx(1 | 4, img, lab))
    write("idx", "count-mismatch", framed_idx(0, img, idx_labels(5, 2, 1)))
    write("idx", "trailing-byte", framed_idx(0, img + b"\0", lab))
    write("idx", "swapped", framed_idx(0, lab, img))

    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "data")
        os.makedirs(data)
        for split, n in (("train", 6), ("t10k", 4)):
            with open(os.path.join(data, split + "-images-idx3-ubyte"), "wb") as f:
                f.write(idx_images(n, 2, 2, 2))
            with open(os.path.join(data, split + "-labels-idx1-ubyte"), "wb") as f:
                f.write(idx_labels(n, 2, 2))
        model = os.path.join(tmp, "m.model")
        ck = os.path.join(tmp, "c.ck")
        ck_costs = os.path.join(tmp, "costs.ck")
        common = [exe, "train", "--data", data, "--layers", "4,3,2",
                  "--batch", "4", "--epochs", "2", "--threads", "1"]
        subprocess.run(common + ["--save", model, "--checkpoint", ck],
                       check=True, stdout=subprocess.DEVNULL)
        subprocess.run(common + ["--shuffle", "--optimizer", "sgd",
                                 "--costs", os.path.join(tmp, "c.csv"),
                                 "--checkpoint", ck_costs],
                       check=True, stdout=subprocess.DEVNULL)
        m = open(model, "rb").read()
        c = open(ck, "rb").read()
        cc = open(ck_costs, "rb").read()
    write("model", "file", b"\0" + m)
    write("model", "pipe", b"\1" + m)
    write("model", "truncated", b"\0" + m[:-9])
    # Regression: a 70-byte stream whose header claims 1 GiB of parameters
    # made sn_model_load allocate (and zero) the gigabyte before reading.
    sizes = (16000, 16000, 2)
    nparams = 16000 * 16000 + 16000 + 16000 * 2 + 2
    claim = (b"SIMDNETM" + struct.pack("<II3IQ", 1, 3, *sizes, nparams))
    write("model", "pipe-claims-1gib", b"\1" + claim + bytes(40))
    write("checkpoint", "file", b"\0" + c)
    write("checkpoint", "pipe", b"\1" + c)
    write("checkpoint", "with-costs", b"\0" + cc)
    write("checkpoint", "truncated", b"\0" + cc[:-9])


if __name__ == "__main__":
    main()
