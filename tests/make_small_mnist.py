#!/usr/bin/env python3
"""make_small_mnist.py DIR [TRAIN SEED] - a small learnable data set in MNIST's
file layout.

TRAIN training images (default 300) and 100 test images of 7x7 pixels,
labels 0-9, written as raw IDX files under the standard names in DIR
(created). A pixel carries ink when its index is congruent to the label
mod 10, with noise; the rest are exactly zero, as in MNIST. Deterministic
for a SEED (default 5): the CLI tests rely on it.
"""
import os
import random
import struct
import sys

d = sys.argv[1]
train = int(sys.argv[2]) if len(sys.argv) > 2 else 300
rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 5)
os.makedirs(d)


def write(name, n):
    labels = [rng.randrange(10) for _ in range(n)]
    pix = bytearray()
    for label in labels:
        pix += bytes(rng.randrange(1, 256) if (j % 10 == label and rng.random() < .7) else 0
                     for j in range(49))
    with open(f"{d}/{name}-images-idx3-ubyte", "wb") as f:
        f.write(struct.pack(">IIII", 0x803, n, 7, 7) + pix)
    with open(f"{d}/{name}-labels-idx1-ubyte", "wb") as f:
        f.write(struct.pack(">II", 0x801, n) + bytes(labels))


write("train", train)
write("t10k", 100)
