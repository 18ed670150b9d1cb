#!/usr/bin/env python3
"""make_seeds.py - writes the seed corpora of the fuzz harnesses into
tests/fuzz/corpus/<harness>/: small valid files, in the framing each harness
reads (fuzz_idx.c, fuzz_model.c, fuzz_checkpoint.c, fuzz_image.c,
fuzz_bench_json.c), plus a few near misses.
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
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))


def model_v2(v1, act, loss):
    """A version-1 model rewritten as version 2 with the given activation
    codes (one per weight layer) and loss code, its checksum recomputed."""
    nsizes = struct.unpack_from("<I", v1, 12)[0]
    cut = 16 + 4 * nsizes
    body = (v1[:8] + struct.pack("<I", 2) + v1[12:cut] +
            struct.pack(f"<{nsizes}I", *act, loss) + v1[cut:-4])
    return body + struct.pack("<I", zlib.crc32(body))


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


def png_chunk(kind, body):
    return (struct.pack(">I", len(body)) + kind + body +
            struct.pack(">I", zlib.crc32(kind + body)))


def png(w, h, depth, colour, rows, interlace=0, extra=b""):
    """A PNG of already filtered rows (each with its filter byte)."""
    ihdr = struct.pack(">IIBBBBB", w, h, depth, colour, 0, 0, interlace)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + extra +
            png_chunk(b"IDAT", zlib.compress(rows)) + png_chunk(b"IEND", b""))


def image_seeds():
    """fuzz_image.c: flags byte (pipe, fit, inversion), then the file."""
    px = [[(x * 29 + y * 13) % 256 for x in range(9)] for y in range(7)]
    gray = b"".join(bytes([y % 5]) + bytes(r) for y, r in enumerate(px))
    write("image", "gray8", b"\0" + png(9, 7, 8, 0, gray))
    write("image", "gray8-pipe-fit", b"\3" + png(9, 7, 8, 0, gray))
    plte = png_chunk(b"PLTE", bytes(range(48)))
    trns = png_chunk(b"tRNS", bytes([255, 0, 128]))
    pal = b"".join(b"\0" + bytes([(x + y) % 16 * 17]) for y in range(4) for x in range(1))
    write("image", "palette4-trns", b"\4" + png(2, 4, 4, 3, pal, extra=plte + trns))
    rgba16 = b"".join(b"\0" + bytes(range(16)) for _ in range(3))
    write("image", "rgba16", b"\x08" + png(2, 3, 16, 6, rgba16))
    passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4),
              (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
    adam7 = b"".join(b"\0" + bytes(px[y][x] for x in range(x0, 9, dx))
                     for x0, y0, dx, dy in passes if x0 < 9
                     for y in range(y0, 7, dy))
    write("image", "interlaced", b"\0" + png(9, 7, 8, 0, adam7, interlace=1))
    write("image", "truncated", b"\0" + png(9, 7, 8, 0, gray)[:-20])
    write("image", "pgm-p5", b"\0P5\n# c\n3 2\n255\n" + bytes([0, 9, 99, 199, 255, 1]))
    write("image", "pgm-p5-16bit", b"\2P5 2 1 65535\n\x80\x00\xff\xff")
    write("image", "pgm-p2-pipe", b"\1P2 2 2 15 # max\n0 15\n 7 8\n")


def bench_json_seeds():
    """fuzz_bench_json.c: flags byte (pipe), then the JSON file."""
    gb = ('{"context": {"date": "2026-01-01", "host_name": "h\u00e9", '
          '"simdnet_cpu": "CPU"}, "benchmarks": ['
          '{"name": "gemv/avx2/32x784_median", "run_name": "gemv/avx2/32x784",'
          ' "run_type": "aggregate", "aggregate_name": "median", "GFLOP/s": 40},'
          ' {"name": "gemv_t/scalar/32", "run_type": "iteration",'
          ' "real_time": 10, "time_unit": "us", "items_per_second": NaN},'
          ' {"name": "sigmoid/avx2/32", "run_type": "iteration",'
          ' "bytes_per_second": 3e9, "error_occurred": false}]}')
    tr = ('{"machine": {"cpu": "CPU"}, "data": {"source": "MNIST"},'
          ' "network": {"layers": [784, 32, 10]}, "results": ['
          '{"engine": "sparse", "isa": "avx2", "threads": 2,'
          ' "samples_per_s": {"median": 2e6, "min": 1.5e6, "max": 2.2e6}},'
          ' {"engine": "per-sample", "isa": "scalar", "threads": 1,'
          ' "samples_per_s": 3e5}]}')
    write("bench_json", "google-benchmark", b"\0" + gb.encode())
    write("bench_json", "google-benchmark-pipe", b"\1" + gb.encode())
    write("bench_json", "training", b"\0" + tr.encode())
    write("bench_json", "truncated", b"\0" + tr.encode()[:-30])
    roof = ('{"context": {"simdnet_peak_avx2_1core": "100 GFLOP/s"},'
            ' "benchmarks": ['
            '{"name": "bandwidth/avx2/L1", "bytes_per_second": 1e11},'
            ' {"name": "bandwidth/avx2/DRAM", "GB/s": 10},'
            ' {"name": "gemv/avx2/32x784", "GFLOP/s": 5,'
            ' "bytes_per_second": 1e10},'
            ' {"name": "gemm/scalar/100x32x784", "GFLOP/s": 9,'
            ' "bytes_per_second": 1e9},'
            ' {"name": "relu/avx2/32", "bytes_per_second": 4e10}]}')
    write("bench_json", "roofline", b"\0" + roof.encode())


def write(harness, name, data):
    d = os.path.join(HERE, "corpus", harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    exe = sys.argv[1]
    image_seeds()
    bench_json_seeds()

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
    # Version 2 (relu hidden layer, softmax output, cross-entropy): the
    # same network with the kind fields after sizes[] (docs/model-format.md),
    # until `simdnet train` can be asked for one.
    write("model", "version2", b"\0" + model_v2(m, [1, 3], 1))
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
