#!/bin/sh
# robust_test.sh - simdnet under bad input and faults, end to end (TAP):
# flags with absurd values, broken data and model files, a NaN cost, SIGINT
# and SIGTERM sent to real runs, checkpoints that resume to the same bytes,
# and writes that fail (file size limit, read-only folder, full disk).
# docs/robustness.md tabulates what each case gets.
# Needs $SIMDNET_EXE (set by meson) and python3. Cases that need root
# powers (mount, chattr) are skipped, visibly, where they are refused.
# Flag lists ($small, $slow, $bg) are split into words on purpose.
# shellcheck disable=SC2086
set -u
exe=${SIMDNET_EXE:?set SIMDNET_EXE to the simdnet binary}
tap_name=robust
# shellcheck source=tests/tap.sh
. "$(dirname "$0")/tap.sh"
mounted=""
immutable=""
cleanup() {
    [ -n "$immutable" ] && chattr -i "$immutable" 2>/dev/null
    [ -n "$mounted" ] && umount "$mounted" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
# A skip here is one line, the case and why together.
skip() { n=$((n + 1)); echo "ok $n # SKIP $1"; }

# expect_fail here is stricter: exit 1 or 2, and the message in the log.
fail_max=2 fail_want="1 or 2" fail_log=1

# same FILE1 FILE2 DESCRIPTION: byte-identical files.
same() {
    if cmp -s "$1" "$2"; then ok "$3"; else not_ok "$3: $1 and $2 differ"; fi
}

# no_temporaries DIR DESCRIPTION: an atomic writer left nothing behind.
no_temporaries() {
    for f in "$1"/*.tmp.*; do
        if [ -e "$f" ]; then
            not_ok "$2: temporary file left: $f"
            return
        fi
    done
    ok "$2"
}

# Data sets in MNIST's file layout. small: make_small_mnist.py's 300 + 100
# images of 7x7, learnable (ink at pixels congruent to the label). slow:
# 3000 + 100 images of 28x28, for runs long enough to be sent signals while
# they train.
python3 "$(dirname "$0")/make_small_mnist.py" "$tmp/small"
python3 - "$tmp/slow" <<'PY'
import os, random, struct, sys
d = sys.argv[1]
os.makedirs(d)
rng = random.Random(7)
for name, n in (("train", 3000), ("t10k", 100)):
    labels = [rng.randrange(10) for _ in range(n)]
    pix = bytearray(n * 784)
    for i, l in enumerate(labels):
        for j in range(l * 70, l * 70 + 140):
            if rng.random() < .6:
                pix[i * 784 + j] = rng.randrange(1, 256)
    open(f"{d}/{name}-images-idx3-ubyte", "wb").write(
        struct.pack(">IIII", 0x803, n, 28, 28) + bytes(pix))
    open(f"{d}/{name}-labels-idx1-ubyte", "wb").write(
        struct.pack(">II", 0x801, n) + bytes(labels))
PY
small="--data $tmp/small --layers 49,16,10"

# ------------------------------------------------------------------ flags
# (cli_test.sh has the common ones; these are the rest.)
expect_fail "--lr inf" "--lr: expected a number" train $small --lr inf
expect_fail "--lr 1e999 (overflows a double)" "--lr: expected a number" train $small --lr 1e999
expect_fail "--lr 0" "--lr: expected a number" train $small --lr 0
expect_fail "--lr with an empty value" "--lr: expected a number" train $small --lr ""
expect_fail "--lr 0.1x" "got '0.1x'" train $small --lr 0.1x
expect_fail "--batch beyond long" "--batch: expected an integer" train $small --batch 99999999999999999999
expect_fail "--batch 1000001" "--batch: expected an integer from 1 to 1000000" train $small --batch 1000001
expect_fail "--epochs 0" "--epochs: expected an integer from 1" train $small --epochs 0
expect_fail "--epochs 1000001" "--epochs: expected an integer from 1 to 1000000" train $small --epochs 1000001
expect_fail "--threads 0" "--threads: expected an integer from 1" train $small --threads 0
expect_fail "--threads -2" "--threads: expected an integer from 1" train $small --threads -2
expect_fail "--seed 2^64" "--seed: expected a non-negative integer below 2^64" train $small --seed 18446744073709551616
expect_fail "--seed 1e3" "--seed" train $small --seed 1e3
expect_fail "--seed ' 1'" "--seed" train $small --seed " 1"
expect_fail "--layers ''" "item 1 is not a positive integer" train --data "$tmp/small" --layers ""
expect_fail "--layers 49 (one size)" "need at least 2 sizes" train --data "$tmp/small" --layers 49
expect_fail "--layers 49,,10" "item 2 is not a positive integer" train --data "$tmp/small" --layers 49,,10
expect_fail "--layers 49,16,10, (trailing comma)" "item 4 is not a positive integer" train --data "$tmp/small" --layers 49,16,10,
expect_fail "--layers with 17 sizes" "more than 16 sizes" train --data "$tmp/small" --layers 49,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,10
expect_fail "--layers 49,1048577,10 (too wide)" "must be 1 to 1048576" train --data "$tmp/small" --layers 49,1048577,10
expect_fail "--layers 49,-16,10" "item 2 is not a positive integer" train --data "$tmp/small" --layers 49,-16,10
expect_fail "--layers '49, 16,10' (space)" "item 2 is not a positive integer" train --data "$tmp/small" --layers "49, 16,10"
expect_fail "--layers 99999999999999999999,10" "item 1 must be 1 to" train --data "$tmp/small" --layers 99999999999999999999,10
expect_fail "--engine bogus" "--engine: unknown engine 'bogus' (expected per-sample or sparse)" train $small --engine bogus
expect_fail "--isa ''" "--isa: empty kernel set name" train $small --isa ""
expect_fail "--data ''" "not found" train --data "" --layers 49,16,10
expect_fail "--data naming a file" "Not a directory" train --data "$tmp/small/train-images-idx3-ubyte"
expect_fail "--init missing" "--init: $tmp/none.model: cannot open the model" train $small --init "$tmp/none.model"
expect_fail "--init a folder" "--init" train $small --init "$tmp"
expect_fail "--init /dev/zero" "not a simdnet model (bad magic)" train $small --init /dev/zero
expect_fail "--init an IDX file" "not a simdnet model" train $small --init "$tmp/small/train-labels-idx1-ubyte"
expect_fail "--checkpoint without a value" "--checkpoint needs a value" train $small --checkpoint
expect_fail "--checkpoint-every 0" "--checkpoint-every: expected an integer from 1" train $small --checkpoint "$tmp/x.ck" --checkpoint-every 0
expect_fail "--checkpoint-every abc" "got 'abc'" train $small --checkpoint "$tmp/x.ck" --checkpoint-every abc
expect_fail "--checkpoint-every without --checkpoint" "--checkpoint-every needs --checkpoint FILE" train $small --checkpoint-every 5
expect_fail "--resume missing" "--resume: $tmp/none.ck: cannot open the checkpoint" train --data "$tmp/small" --resume "$tmp/none.ck"
expect_fail "--resume /dev/zero" "not a simdnet checkpoint (bad magic)" train --data "$tmp/small" --resume /dev/zero
expect_fail "--resume with --init" "--resume and --init exclude each other" train --data "$tmp/small" --resume "$tmp/x.ck" --init "$tmp/x.model"
expect_fail "--trap-fp with a value" "--trap-fp takes no value" train $small --trap-fp=1
expect_fail "bench --isa bogus" "--isa: unknown ISA 'bogus'" bench --synthetic --isa bogus
expect_fail "bench --isa scalar,neon,avx512 (one unknown here)" "--isa: this" bench --synthetic --isa scalar,neon,avx512
expect_fail "bench --threads 1-" "--threads: expected a list like 1,2 or 1-4" bench --synthetic --threads 1-
expect_fail "bench --engine sparse,sparse" "--engine: expected a list of per-sample, sparse, sparse-dense, sparse-skip, sparse-noskip, sparse-samples and sparse-columns, each once" bench --synthetic --engine sparse,sparse
expect_fail "eval --threads 0" "--threads: expected an integer from 1" eval --model "$tmp/x.model" --threads 0
expect_fail "eval --model missing" "cannot open the model" eval --model "$tmp/none.model" --data "$tmp/small"
expect_fail "eval --model /dev/zero" "not a simdnet model" eval --model /dev/zero --data "$tmp/small"

# ------------------------------------------------------------------ bad data files
# Each case copies the small set and breaks one file.
broken() { rm -rf "$tmp/bad" && cp -r "$tmp/small" "$tmp/bad"; }
img="$tmp/bad/train-images-idx3-ubyte"
lab="$tmp/bad/train-labels-idx1-ubyte"
broken; : >"$img"
expect_fail "empty images file" "file is empty" train --data "$tmp/bad" --layers 49,16,10
broken; head -c 10 "$tmp/small/train-images-idx3-ubyte" >"$img"
expect_fail "images header cut short" "truncated header" train --data "$tmp/bad" --layers 49,16,10
broken; printf '\000\000\010\003\377\377\377\377\000\000\000\007\000\000\000\007' >"$img"
printf '\000\000\010\001\377\377\377\377' >"$lab"
expect_fail "header claims 2^32-1 images in a 16-byte file" "truncated" train --data "$tmp/bad" --layers 49,16,10
broken; printf '\000\000\010\003\000\000\001\054\000\001\000\000\000\001\000\000' >"$img"
expect_fail "header claims 65536x65536 images" "more than the largest input layer" train --data "$tmp/bad" --layers 49,16,10
broken; cp "$tmp/small/train-labels-idx1-ubyte" "$img"; cp "$tmp/small/train-images-idx3-ubyte" "$lab"
expect_fail "images and labels swapped" "swapped" train --data "$tmp/bad" --layers 49,16,10
broken; printf 'x' >>"$img"
expect_fail "one trailing byte" "trailing bytes" train --data "$tmp/bad" --layers 49,16,10
broken; head -c 108 "$tmp/small/train-labels-idx1-ubyte" >"$lab"
expect_fail "labels file cut short" "truncated" train --data "$tmp/bad" --layers 49,16,10
broken; gzip -c "$tmp/small/train-images-idx3-ubyte" >"$img.gz"; rm "$img"
head -c 200 "$img.gz" >"$tmp/cut.gz" && mv "$tmp/cut.gz" "$img.gz"
expect_fail "gzip stream cut short" "cut short" train --data "$tmp/bad" --layers 49,16,10
broken; gzip -c "$tmp/small/train-images-idx3-ubyte" >"$img.gz"; rm "$img"
python3 -c "import sys; p=sys.argv[1]; b=bytearray(open(p,'rb').read()); b[len(b)//2]^=0x55; open(p,'wb').write(b)" "$img.gz"
expect_fail "gzip data corrupted in the middle" "$img.gz" train --data "$tmp/bad" --layers 49,16,10
broken; gzip -c "$tmp/small/train-images-idx3-ubyte" >"$img.gz"; rm "$img"
python3 -c "import sys; p=sys.argv[1]; b=bytearray(open(p,'rb').read()); b[-6]^=1; open(p,'wb').write(b)" "$img.gz"
expect_fail "gzip trailer CRC wrong" "$img.gz" train --data "$tmp/bad" --layers 49,16,10
broken; rm "$img"; mkdir "$img"
expect_fail "a folder in place of the images file" "is a directory" train --data "$tmp/bad" --layers 49,16,10
broken; rm "$img"; ln -s /dev/zero "$img"
expect_fail "images file is /dev/zero (endless zeros)" "wrong magic number 0x00000000" train --data "$tmp/bad" --layers 49,16,10
broken; rm "$img"; mkfifo "$img"; (cat "$tmp/small/train-images-idx3-ubyte" >"$img" &)
"$exe" train --data "$tmp/bad" --layers 49,16,10 --epochs 1 >"$tmp/out" 2>"$tmp/err"
[ $? -eq 0 ] && ok "images through a named pipe (size unknown) load" || not_ok "images through a named pipe"
# A header that promises 4 GiB (4M images of 32x32) in 16 bytes must fail as truncated without
# trying to allocate it: under a 1 GiB address-space limit it still says
# "truncated", not "cannot allocate".
# (AddressSanitizer reserves terabytes of address space for its shadow
# memory, so an address-space limit cannot work under tools/ci/ci-sanitize.sh.)
broken; printf '\000\000\010\003\000\100\000\000\000\000\000\040\000\000\000\040' >"$img"
printf '\000\000\010\001\000\100\000\000' >"$lab"
if [ -z "${ASAN_OPTIONS:-}" ]; then
    (ulimit -v 1048576; "$exe" train --data "$tmp/bad" --layers 1024,10 >"$tmp/out" 2>"$tmp/err")
    rc=$?
    if [ $rc -ge 1 ] && [ $rc -le 2 ] && grep -q "truncated" "$tmp/err"; then ok "4 GiB promised in 16 bytes: truncated, nothing allocated (exit $rc)"; else not_ok "4 GiB header under ulimit -v: exit $rc"; fi
else
    skip "address-space limit under AddressSanitizer"
fi

# Allocation failures are reported, not dereferenced: a 49-1048576-10
# network (63M parameters, 252 MB) under address-space limits that refuse
# the network itself, then the trainer's buffers.
if [ -z "${ASAN_OPTIONS:-}" ]; then
    # (Which allocation fails first depends on the process's other
    # mappings; here 200 MB refuses the network, 400 MB the trainer.)
    for lim in 200000 400000; do
        (ulimit -v $lim; "$exe" train --data "$tmp/small" --layers 49,1048576,10 --epochs 1 --threads 2 >"$tmp/out" 2>"$tmp/err")
        rc=$?
        if [ $rc -ge 1 ] && [ $rc -le 2 ] && grep -q "out of memory" "$tmp/err"; then
            ok "ulimit -v $lim KiB: $(sed 's/^simdnet train: //' "$tmp/err" | head -1) (exit $rc)"
        else
            not_ok "ulimit -v $lim KiB: exit $rc, expected 'out of memory'"
        fi
    done
else
    skip "address-space limits under AddressSanitizer"
fi

# ------------------------------------------------------------------ a model to break
"$exe" train $small --epochs 1 --seed 3 --threads 2 --save "$tmp/good.model" >"$tmp/out" 2>"$tmp/err" || not_ok "training the model to break"
# patch FILE OFFSET VALUE: writes float32 VALUE at OFFSET from the start of
# the parameters of a 49-16-10 model and fixes the CRC.
patch_model() {
    python3 - "$@" <<'PY'
import struct, sys, zlib
path, out, index, value = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
b = bytearray(open(path, "rb").read()[:-4])
nsizes = struct.unpack_from("<I", b, 12)[0]
struct.pack_into("<f", b, 24 + 4 * nsizes + 4 * index, value)
open(out, "wb").write(bytes(b) + struct.pack("<I", zlib.crc32(b)))
PY
}
# A 70-byte stream whose header claims 1 GiB of parameters: refused as
# truncated, under a 512 MiB address-space limit (it used to allocate the
# gigabyte before reading: found by tests/fuzz/fuzz_model).
if [ -z "${ASAN_OPTIONS:-}" ]; then
    python3 -c "import struct,sys; sys.stdout.buffer.write(b'SIMDNETM' + struct.pack('<II3IQ', 1, 3, 16000, 16000, 2, 16000*16000+16000+16000*2+2) + bytes(40))" >"$tmp/claim.model"
    # (cat: stdin must be a pipe, not the file)
    (ulimit -v 524288; cat "$tmp/claim.model" | "$exe" train $small --init /dev/stdin >"$tmp/out" 2>"$tmp/err")
    rc=$?
    if [ $rc -eq 1 ] && grep -q "truncated model" "$tmp/err"; then ok "--init from a pipe claiming 1 GiB: truncated, nothing allocated (exit $rc)"; else not_ok "--init pipe claiming 1 GiB: exit $rc"; fi
else
    skip "address-space limit under AddressSanitizer"
fi
head -c 100 "$tmp/good.model" >"$tmp/cut.model"
expect_fail "--init a truncated model" "truncated" train $small --init "$tmp/cut.model"
python3 -c "import sys; p=sys.argv[1]; b=bytearray(open(p,'rb').read()); b[500]^=4; open(sys.argv[2],'wb').write(b)" "$tmp/good.model" "$tmp/flip.model"
expect_fail "--init a model with a flipped bit" "checksum mismatch" train $small --init "$tmp/flip.model"
cp "$tmp/good.model" "$tmp/long.model" && printf 'x' >>"$tmp/long.model"
expect_fail "--init a model with a byte appended" "corrupt model" train $small --init "$tmp/long.model"

# ------------------------------------------------------------------ numerical guard
# Weight 0 of neuron 0 is NaN: the cost is NaN on the first batch. Training
# stops before updating, names the batch, saves the weights it has (here,
# still the initial ones) and exits 1.
patch_model "$tmp/good.model" "$tmp/nan.model" 0 nan
"$exe" train --data "$tmp/small" --init "$tmp/nan.model" --engine per-sample --threads 2 --save "$tmp/after-nan.model" --checkpoint "$tmp/nan.ck" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -eq 1 ] && grep -q "the cost became NaN at epoch 1, batch 1 of 3" "$tmp/err"; then ok "a NaN cost stops at its batch, named (exit 1)"; else not_ok "NaN cost: exit $rc"; fi
grep -q "parameter 0 was already NaN before it" "$tmp/err" && ! grep -q "learning rate too large" "$tmp/err" && ok "a NaN weight in the --init model is named as the cause, not the learning rate" || not_ok "NaN init: cause not named: $(cat "$tmp/err")"
grep -q "not a finished training" "$tmp/err" && ok "the stop says the saved weights are not a finished training" || not_ok "NaN: no word about the saved weights"
same "$tmp/nan.model" "$tmp/after-nan.model" "the saved weights are those before the bad batch (here the initial ones)"
grep -q "checkpoint written to $tmp/nan.ck" "$tmp/err" && ok "a NaN stop writes the checkpoint" || not_ok "NaN stop: no checkpoint"
# --lr 1e6 (the largest allowed) saturates every sigmoid; the cost stays
# finite (saturated units have zero gradient), so training completes.
"$exe" train $small --lr 1e6 --epochs 2 >"$tmp/out" 2>"$tmp/err"
[ $? -eq 0 ] && ok "--lr 1e6: saturates, cost stays finite, run completes" || not_ok "--lr 1e6"

# --trap-fp: no exception in a normal run with the SIMD kernels; SIGFPE at
# the first NaN made, with a report, for the NaN model.
"$exe" train $small --epochs 2 --trap-fp >"$tmp/out" 2>"$tmp/err"
[ $? -eq 0 ] && ok "--trap-fp: a normal run raises no exception" || not_ok "--trap-fp normal run: exit $?"
patch_model "$tmp/good.model" "$tmp/inf.model" 0 inf
"$exe" train --data "$tmp/small" --init "$tmp/inf.model" --engine per-sample --threads 2 --trap-fp >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -eq $((128 + 8)) ] && grep -q -- "--trap-fp: invalid operation" "$tmp/err"; then ok "--trap-fp: inf * 0 traps with SIGFPE and says what (exit $rc)"; else not_ok "--trap-fp on an inf weight: exit $rc"; fi

# ------------------------------------------------------------------ checkpoints
# Idle OpenMP threads sleep instead of spinning: on a loaded machine (a
# parallel meson test) spinning threads steal the cores the others need.
# Results do not depend on it.
export OMP_WAIT_POLICY=PASSIVE
# An uninterrupted reference and a run cut into pieces by --checkpoint-every
# give the same model and costs.
slow="--data $tmp/slow --layers 784,48,10 --epochs 12 --batch 50 --seed 9 --shuffle --threads 2 --isa scalar --engine per-sample"
"$exe" train $slow --save "$tmp/ref.model" --costs "$tmp/ref.csv" >"$tmp/out" 2>"$tmp/err" || not_ok "reference run failed"
"$exe" train $slow --save "$tmp/every.model" --costs "$tmp/every.csv" --checkpoint "$tmp/every.ck" --checkpoint-every 7 >"$tmp/out" 2>"$tmp/err"
same "$tmp/ref.model" "$tmp/every.model" "--checkpoint-every 7: same model as without checkpoints"
same "$tmp/ref.csv" "$tmp/every.csv" "--checkpoint-every 7: same costs"
# Resuming the end-of-run checkpoint with more epochs equals a longer run.
"$exe" train --data "$tmp/small" --layers 49,16,10 --epochs 2 --seed 4 --threads 2 --shuffle --checkpoint "$tmp/two.ck" >"$tmp/out" 2>"$tmp/err"
"$exe" train --data "$tmp/small" --resume "$tmp/two.ck" --epochs 4 --save "$tmp/four-resumed.model" >"$tmp/out" 2>"$tmp/err"
"$exe" train --data "$tmp/small" --layers 49,16,10 --epochs 4 --seed 4 --threads 2 --shuffle --save "$tmp/four.model" >"$tmp/out" 2>"$tmp/err"
same "$tmp/four.model" "$tmp/four-resumed.model" "2 epochs + resumed to 4 = 4 epochs"
expect_fail "--resume with another --lr" "learning rate 0.1, this one asks for 0.2" train --data "$tmp/small" --resume "$tmp/two.ck" --lr 0.2
expect_fail "--resume with another --batch" "batch 100, this one asks for 50" train --data "$tmp/small" --resume "$tmp/two.ck" --batch 50
expect_fail "--resume with another --optimizer" "used adagrad, this one asks for sgd" train --data "$tmp/small" --resume "$tmp/two.ck" --optimizer sgd
expect_fail "--resume with another --seed" "used seed 4" train --data "$tmp/small" --resume "$tmp/two.ck" --seed 5
expect_fail "--resume with other --layers" "has layers 49-16-10" train --data "$tmp/small" --resume "$tmp/two.ck" --layers 49,8,10
expect_fail "--resume with fewer --epochs than done" "has done 2 epochs already" train --data "$tmp/small" --resume "$tmp/two.ck" --epochs 1
expect_fail "--resume with --costs when the run kept none" "holds no batch costs" train --data "$tmp/small" --resume "$tmp/two.ck" --costs "$tmp/x.csv"
broken; python3 -c "import sys; p=sys.argv[1]; b=bytearray(open(p,'rb').read()); b[500]^=1; open(p,'wb').write(b)" "$img"
expect_fail "--resume on other training data" "training data differs" train --data "$tmp/bad" --resume "$tmp/two.ck"
head -c 300 "$tmp/two.ck" >"$tmp/cut.ck"
expect_fail "--resume a truncated checkpoint" "truncated checkpoint" train --data "$tmp/small" --resume "$tmp/cut.ck"
python3 -c "import sys; p=sys.argv[1]; b=bytearray(open(p,'rb').read()); b[400]^=8; open(sys.argv[2],'wb').write(b)" "$tmp/two.ck" "$tmp/flip.ck"
expect_fail "--resume a checkpoint with a flipped bit" "checksum mismatch" train --data "$tmp/small" --resume "$tmp/flip.ck"
expect_fail "--resume a model file" "not a simdnet checkpoint" train --data "$tmp/small" --resume "$tmp/good.model"
"$exe" train --data "$tmp/small" --resume "$tmp/two.ck" --threads 1 --epochs 3 >"$tmp/out" 2>"$tmp/err"
[ $? -eq 0 ] && grep -q "will differ from an uninterrupted run in float rounding" "$tmp/out" && ok "--resume with other threads: allowed, with a note" || not_ok "--resume --threads 1"
# A split forced where AUTO would choose the other (128 first-layer
# columns on 2 threads: by columns) is recorded and taken again on resume:
# the same bytes as the uninterrupted run, no note; another split asked for
# on resume is allowed, with a note naming the checkpoint's.
wide="--data $tmp/small --layers 49,128,10 --seed 4 --threads 2 --shuffle --optimizer adam --thread-split samples"
"$exe" train $wide --epochs 2 --save "$tmp/split-ref.model" >"$tmp/out" 2>"$tmp/err"
"$exe" train $wide --epochs 1 --checkpoint "$tmp/split.ck" >"$tmp/out" 2>"$tmp/err"
"$exe" train --data "$tmp/small" --resume "$tmp/split.ck" --epochs 2 --save "$tmp/split-res.model" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 0 ] && ! grep -q "^note" "$tmp/out" && ok "--resume of a forced samples split: no note" || not_ok "--resume of a forced samples split"
same "$tmp/split-ref.model" "$tmp/split-res.model" "a forced samples split resumed without the flag: same model as uninterrupted"
"$exe" train --data "$tmp/small" --resume "$tmp/split.ck" --epochs 2 --thread-split columns >"$tmp/out" 2>"$tmp/err"
[ $? -eq 0 ] && grep -q "sparse engine (grouped first layer, split by samples), subnormals flushed: the result will differ" "$tmp/out" && ok "--resume with another --thread-split: allowed, with a note" || not_ok "--resume --thread-split columns"
# A run that kept subnormals is resumed keeping them (the flag not given
# again): its compute line says so (this small set makes no subnormals, so
# the bytes below would match either way); one that flushed them and is
# resumed with --keep-subnormals says that the result will differ.
"$exe" train $small --epochs 2 --seed 4 --keep-subnormals --save "$tmp/keep-ref.model" >"$tmp/out" 2>"$tmp/err"
"$exe" train $small --epochs 1 --seed 4 --keep-subnormals --checkpoint "$tmp/keep.ck" >"$tmp/out" 2>"$tmp/err"
"$exe" train --data "$tmp/small" --resume "$tmp/keep.ck" --epochs 2 --save "$tmp/keep-res.model" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 0 ] && grep -q "^compute .*, subnormals kept$" "$tmp/out" && ! grep -q "^note" "$tmp/out" && ok "--resume of a run that kept subnormals keeps them, no note" || not_ok "--resume of a --keep-subnormals run"
same "$tmp/keep-ref.model" "$tmp/keep-res.model" "a --keep-subnormals run resumed without the flag: same model as uninterrupted"
"$exe" train --data "$tmp/small" --resume "$tmp/two.ck" --epochs 3 --keep-subnormals >"$tmp/out" 2>"$tmp/err"
[ $? -eq 0 ] && grep -q "subnormals flushed: the result will differ" "$tmp/out" && ok "--resume --keep-subnormals of a run that flushed: allowed, with a note" || not_ok "--resume --keep-subnormals"
# The reader in docs/checkpoint-format.md, as it is written there.
sed -n '/^```python$/,/^```$/p' "$(dirname "$0")/../docs/checkpoint-format.md" | sed '1d;$d' >"$tmp/read_ck.py"
/usr/bin/python3 - "$tmp/read_ck.py" "$tmp/split.ck" >"$tmp/out" 2>"$tmp/err" <<'PY'
import sys
exec(open(sys.argv[1]).read())
f = load_checkpoint(sys.argv[2])
assert f["sizes"] == [49, 128, 10], f["sizes"]
assert (f["first_layer"], f["thread_split"], f["threads"]) == (2, 1, 2), f
assert f["subnormals"] == 0, f
assert f["nstates"] == 2 and len(f["state"][1]) == f["nparams"]
PY
[ $? -eq 0 ] && ok "docs/checkpoint-format.md's Python reader reads the checkpoint" || not_ok "the docs' Python checkpoint reader"

# ------------------------------------------------------------------ signals
# A shell starts background jobs with SIGINT ignored, and simdnet keeps a
# signal ignored on entry ignored (so a Ctrl-C meant for a script does not
# reach its background jobs): these runs get the default back through env.
if env --default-signal=INT true 2>/dev/null; then
    bg="env --default-signal=INT"
else
    bg=""
fi

# wait_for FILE PATTERN: until PATTERN shows in FILE (at most 60 s).
wait_for() {
    i=0
    while ! grep -q "$2" "$1" 2>/dev/null; do
        i=$((i + 1))
        [ $i -gt 6000 ] && return 1
        sleep 0.01
    done
}

# start_run PATTERN COMMAND...: COMMAND in the background (its id in pid),
# stdout to $tmp/out (removed first: no stale line may match) and stderr
# to $tmp/err; returns once stdout shows PATTERN, non-zero if it never does.
start_run() {
    pattern=$1
    shift
    rm -f "$tmp/out"
    "$@" >"$tmp/out" 2>"$tmp/err" &
    pid=$!
    wait_for "$tmp/out" "$pattern"
}

# signal_run SIGNAL...: sends each SIGNAL to the run $pid, 0.2 s apart,
# then waits for it; rc is its exit status.
signal_run() {
    kill -s "$1" $pid
    shift
    for s in "$@"; do
        sleep 0.2
        kill -s "$s" $pid
    done
    wait $pid
    rc=$?
}

# interrupt SIGNAL STATUS: starts the slow run with --checkpoint, sends
# SIGNAL once its first epoch is done, resumes it from its checkpoint and
# compares the final model and costs with the uninterrupted reference. A
# signal that lands between epochs (evaluation, checkpoint) is retried with
# another delay, so that the cut is mid-epoch.
interrupt() {
    sig=$1 status=$2
    for delay in 0 0.03 0.01 0.06 0.02; do
        rm -f "$tmp/int.ck" "$tmp/int.model" "$tmp/int.csv"
        start_run "^epoch 1/" $bg "$exe" train $slow --checkpoint "$tmp/int.ck" --costs "$tmp/int.csv" ||
            { not_ok "$sig: the run never started"; kill -9 $pid; return; }
        sleep $delay
        signal_run "$sig"
        where=$(sed -n 's/.*interrupted by SIG[A-Z]* at epoch \([0-9]*\) after batch \([0-9]*\) of \([0-9]*\).*/\1 \2 \3/p' "$tmp/err")
        set -- $where
        [ $# -eq 3 ] && [ "$2" -gt 0 ] && [ "$2" -lt "$3" ] && break
    done
    if [ $rc -eq $status ] && [ $# -eq 3 ]; then
        ok "$sig during epoch $1 stops after batch $2 of $3 with exit $rc"
    else
        not_ok "$sig: exit $rc (expected $status), stderr: $(cat "$tmp/err")"
        return
    fi
    grep -q "checkpoint written to $tmp/int.ck" "$tmp/err" && ok "$sig: the checkpoint is written and named" || not_ok "$sig: no checkpoint message"
    no_temporaries "$tmp" "$sig: no temporary files left"
    "$exe" train --data "$tmp/slow" --resume "$tmp/int.ck" --save "$tmp/int.model" --costs "$tmp/int.csv" >"$tmp/out" 2>"$tmp/err"
    [ $? -eq 0 ] && ok "$sig: the run resumes from its checkpoint" || not_ok "$sig: resume failed"
    same "$tmp/ref.model" "$tmp/int.model" "$sig mid-epoch + resume: model byte-identical to the uninterrupted run"
    same "$tmp/ref.csv" "$tmp/int.csv" "$sig mid-epoch + resume: same batch costs"
}
interrupt INT 130
interrupt TERM 143

# Without --checkpoint or --save, an interrupted run says nothing was saved.
start_run "^epoch 1/" $bg "$exe" train $slow
signal_run INT
check "SIGINT without --checkpoint: says nothing was saved (exit $rc)" \
    "[ $rc -eq 130 ] && grep -q 'nothing was saved' '$tmp/err'"

# SIGINT ignored on entry (a background job of a script) stays ignored;
# SIGTERM still stops the run.
if [ -n "$bg" ]; then
    start_run "^epoch 1/" "$exe" train $slow --checkpoint "$tmp/ign.ck"
    signal_run INT TERM
    check "SIGINT ignored on entry stays ignored; SIGTERM then stops the run (exit $rc)" \
        "[ $rc -eq 143 ] && grep -q 'interrupted by SIGTERM' '$tmp/err' && ! grep -q SIGINT '$tmp/err'"
else
    skip "env --default-signal is missing: cannot tell ignored SIGINT from handled"
fi

# A second SIGINT quits at once. One batch of all 3000 samples through a
# wide layer takes seconds, so the first signal is still waiting for it.
start_run "^checkpoint" $bg "$exe" train --data "$tmp/slow" --layers 784,1024,10 --batch 3000 --threads 2 --isa scalar --engine per-sample --checkpoint "$tmp/twice.ck" &&
    sleep 0.3
cp "$tmp/twice.ck" "$tmp/twice-before.ck"
signal_run INT INT
check "a second SIGINT quits at once (exit $rc)" \
    "[ $rc -eq 130 ] && grep -q 'quitting at once' '$tmp/err' && ! grep -q 'checkpoint written' '$tmp/err'"
same "$tmp/twice-before.ck" "$tmp/twice.ck" "after a second SIGINT the last checkpoint is intact"

# ------------------------------------------------------------------ failed writes
# write_fails DESCRIPTION NEEDLE FLAG TARGET [PREPARE]: the run's write of
# TARGET through FLAG fails with NEEDLE; a previous TARGET is unchanged.
previous() { printf 'previous contents\n' >"$1"; cp "$1" "$tmp/prev.copy"; }
intact() { same "$tmp/prev.copy" "$1" "$2: the previous file is intact"; }

# A file size limit (ulimit -f, in 512-byte blocks in sh) makes every write
# past 4 KiB fail with EFBIG, as a full disk would with ENOSPC. The model
# of 49,64,10 is 16 KiB; the costs of 300 batches of 1 are 4.5 KiB.
mkdir "$tmp/lim"
for what in save costs checkpoint; do
    previous "$tmp/lim/$what.out"
    (trap '' XFSZ; ulimit -f 8; "$exe" train --data "$tmp/small" --layers 49,64,10 --batch 1 --epochs 1 --$what "$tmp/lim/$what.out" >"$tmp/out" 2>"$tmp/err")
    rc=$?
    if [ $rc -eq 1 ] && grep -q "File too large" "$tmp/err"; then ok "--$what past the file size limit: reported (exit 1)"; else not_ok "--$what past the file size limit: exit $rc"; fi
    intact "$tmp/lim/$what.out" "--$what past the file size limit"
done
no_temporaries "$tmp/lim" "failed writes leave no temporary files"

# Read-only places. Root ignores permissions, so: /proc (no new files), and
# an immutable folder (chattr +i) where the file system allows it.
for what in save costs checkpoint; do
    expect_fail "--$what into /proc" "/proc/simdnet-test.out" train $small --epochs 1 --$what /proc/simdnet-test.out
done
mkdir "$tmp/ro"
previous "$tmp/ro/m.out"
if chattr +i "$tmp/ro" 2>/dev/null; then
    immutable="$tmp/ro"
    for what in save costs checkpoint; do
        expect_fail "--$what into an immutable folder" "$tmp/ro/m.out" train $small --epochs 1 --$what "$tmp/ro/m.out"
        intact "$tmp/ro/m.out" "--$what into an immutable folder"
    done
    chattr -i "$tmp/ro"
    immutable=""
else
    skip "chattr +i refused here: immutable-folder cases not run"
fi

# A full disk: a 256 KiB tmpfs, filled up, where mount is allowed.
mkdir "$tmp/full"
if mount -t tmpfs -o size=256k simdnet-test "$tmp/full" 2>/dev/null; then
    mounted="$tmp/full"
    for what in save costs checkpoint; do previous "$tmp/full/$what.out"; done
    cp "$tmp/full/save.out" "$tmp/prev.copy"
    dd if=/dev/zero of="$tmp/full/filler" bs=4k 2>/dev/null
    for what in save costs checkpoint; do
        expect_fail "--$what on a full disk" "No space left on device" train --data "$tmp/small" --layers 49,64,10 --batch 1 --epochs 1 --$what "$tmp/full/$what.out"
        intact "$tmp/full/$what.out" "--$what on a full disk"
    done
    no_temporaries "$tmp/full" "a full disk: no temporary files left"
    umount "$tmp/full"
    mounted=""
else
    skip "mount refused here: full-disk (tmpfs) cases not run"
fi

# Destinations that are not regular files are never replaced (rename would
# swap a device or a pipe for our file; as root that includes /dev/null).
# A FIFO of our own stands in for /dev/null, so a regression breaks nothing.
mkfifo "$tmp/fifo"
for what in save costs checkpoint; do
    expect_fail "--$what onto a FIFO" "not a regular file" train $small --epochs 1 --$what "$tmp/fifo"
done
[ -p "$tmp/fifo" ] && ok "the FIFO is still a FIFO" || not_ok "the FIFO was replaced"


# ------------------------------------------------------------------ outputs
# Every output is checked before the work starts: a folder, a missing
# folder, a place where no file can be made. Nothing is trained first.
# refused_up_front DESCRIPTION NEEDLE ARGS...: exit 1, NEEDLE on stderr,
# no epoch run.
refused_up_front() {
    desc=$1 needle=$2
    shift 2
    "$exe" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ $rc -eq 1 ] && grep -qF -- "$needle" "$tmp/err" && ! grep -q "^epoch\|samples/s" "$tmp/out"; then
        ok "$desc: refused before the work (exit 1)"
    else
        not_ok "$desc: exit $rc, expected 1, '$needle' and no work done"
    fi
}
mkdir "$tmp/adir"
for what in save costs checkpoint json; do
    refused_up_front "train --$what onto a folder" "--$what $tmp/adir: is a folder" train $small --$what "$tmp/adir"
    refused_up_front "train --$what in a missing folder" "--$what $tmp/none/x: its folder does not exist" train $small --$what "$tmp/none/x"
    refused_up_front "train --$what in /proc" "--$what /proc/simdnet-test.out: cannot create a file in its folder" train $small --$what /proc/simdnet-test.out
done
: >"$tmp/afile"
refused_up_front "train --report onto a file" "--report" train $small --report "$tmp/afile"
refused_up_front "bench --json in a missing folder" "--json $tmp/none/b.json: its folder does not exist" bench --synthetic --layers 49,16,10 --threads 1 --warmup 0 --batches 1 --repeats 1 --json "$tmp/none/b.json"
refused_up_front "eval --json onto a folder" "--json $tmp/adir: is a folder" eval --model "$tmp/good.model" --data "$tmp/small" --json "$tmp/adir"
no_temporaries "$tmp" "the up-front checks leave no temporary files"

# One output that fails at the end does not lose the others: under a file
# size limit of 4 KiB the costs (4.5 KiB) fail, the model (3.9 KiB) and
# the JSON records are written, and the message names the one that failed.
"$exe" train --data "$tmp/small" --layers 49,16,10 --batch 1 --epochs 1 --save "$tmp/ref1.model" >/dev/null 2>&1
rm -f "$tmp/lim/one.model" "$tmp/lim/one.jsonl"
(trap '' XFSZ; ulimit -f 8; "$exe" train --data "$tmp/small" --layers 49,16,10 --batch 1 --epochs 1 --costs "$tmp/lim/one.csv" --save "$tmp/lim/one.model" --json "$tmp/lim/one.jsonl" >"$tmp/out" 2>"$tmp/err")
rc=$?
if [ $rc -eq 1 ] && grep -q "not written: --costs" "$tmp/err" && grep -q "saved     $tmp/lim/one.model" "$tmp/out"; then ok "--costs fails at the end: exit 1, named, --save still written"; else not_ok "a failed --costs with --save: exit $rc"; fi
same "$tmp/ref1.model" "$tmp/lim/one.model" "the model written beside a failed --costs is the whole model"
python3 -c "import json, sys; r = [json.loads(l) for l in open(sys.argv[1])][-1]; sys.exit(0 if r['failed'] == ['--costs'] and r['status'] == 'finished' else 1)" "$tmp/lim/one.jsonl" 2>/dev/null && ok "the final JSON record lists the failed output" || not_ok "the final JSON record of a failed --costs"

# Two outputs naming one file are refused up front (exit 2), also through
# a symbolic link.
expect_fail "--save F --checkpoint F" "--save and --checkpoint name the same file" train $small --save "$tmp/both" --checkpoint "$tmp/both"
[ $rc -eq 2 ] && ok "two outputs naming one file: a usage error (exit 2)" || not_ok "--save F --checkpoint F: exit $rc"
ln -s both.model "$tmp/both.link"
expect_fail "--save T --costs L (L -> T)" "--save and --costs name the same file" train $small --save "$tmp/both.model" --costs "$tmp/both.link"

mkdir "$tmp/rep"
expect_fail "--report DIR --save DIR/trained.model" "--save and --report name the same file" train $small --report "$tmp/rep" --save "$tmp/rep/trained.model"

# --save onto a symbolic link writes the file it points to (as cp and the
# shell's > do); the link stays a link. A link to a missing file makes it.
"$exe" train $small --epochs 1 --save "$tmp/direct.model" >/dev/null 2>&1
printf 'old\n' >"$tmp/target.model"
ln -s target.model "$tmp/link.model"
"$exe" train $small --epochs 1 --save "$tmp/link.model" >"$tmp/out" 2>"$tmp/err"
if [ $? -eq 0 ] && [ -L "$tmp/link.model" ]; then ok "--save onto a symbolic link: the link stays a link"; else not_ok "--save onto a link replaced the link"; fi
same "$tmp/direct.model" "$tmp/target.model" "--save onto a symbolic link writes the model to its target"
ln -s made.model "$tmp/dangling.model"
"$exe" train $small --epochs 1 --save "$tmp/dangling.model" >/dev/null 2>&1
same "$tmp/direct.model" "$tmp/made.model" "--save onto a link to a missing file creates that file"

# ------------------------------------------------------------------ data and messages
# A test set of another input size is refused before training, named.
mkdir "$tmp/mixed" && cp "$tmp/small"/train-* "$tmp/mixed/"
python3 - "$tmp/mixed" <<'PY'
import struct, sys
d = sys.argv[1]
open(f"{d}/t10k-images-idx3-ubyte", "wb").write(struct.pack(">IIII", 0x803, 10, 8, 8) + bytes(640))
open(f"{d}/t10k-labels-idx1-ubyte", "wb").write(struct.pack(">II", 0x801, 10) + bytes(10))
PY
expect_fail "a test set of 8x8 for a 49-input network" "the test set in $tmp/mixed has 64 inputs per sample (8x8), but the network's first layer has 49" train --data "$tmp/mixed" --layers 49,16,10
[ $rc -eq 2 ] && ! grep -q "^epoch" "$tmp/out" && ok "the test set's size is refused before training (exit 2)" || not_ok "test set size: exit $rc"
"$exe" train $small --epochs 1 --threads 1 >"$tmp/out" 2>"$tmp/err"
grep -q "^data      $tmp/small: 300 training samples of 7x7 and 100 test samples of 7x7$" "$tmp/out" && ok "the data line describes both sets by their shape" || not_ok "data line: $(grep ^data "$tmp/out")"
grep -q "1 epoch, " "$tmp/out" && grep -q "1 thread, " "$tmp/out" && ok "singular: 1 epoch, 1 thread" || not_ok "plurals: $(grep -E '^(training|compute)' "$tmp/out")"

# An output layer smaller than the labels is the command line's fault.
expect_fail "--layers 49,16,5 for labels 0-9" "--layers: the output layer has 5 neurons, but the training set in $tmp/small has labels up to 9" train --data "$tmp/small" --layers 49,16,5
[ $rc -eq 2 ] && ok "an output layer too small: a usage error (exit 2)" || not_ok "--layers 49,16,5: exit $rc"

# OMP_THREAD_LIMIT=1 with --threads 2: one thread runs, and that is what is
# printed and checkpointed.
OMP_THREAD_LIMIT=1 "$exe" train $small --epochs 1 --threads 2 --checkpoint "$tmp/lim1.ck" >"$tmp/out" 2>"$tmp/err"
if [ $? -eq 0 ] && grep -q "kernels, 1 thread," "$tmp/out" && grep -q "OMP_THREAD_LIMIT" "$tmp/err"; then ok "OMP_THREAD_LIMIT=1 --threads 2: says so, prints 1 thread"; else not_ok "OMP_THREAD_LIMIT=1: $(grep compute "$tmp/out")"; fi
"$exe" train --data "$tmp/small" --resume "$tmp/lim1.ck" --epochs 2 --threads 1 >"$tmp/out" 2>"$tmp/err"
[ $? -eq 0 ] && ! grep -q "^note" "$tmp/out" && ok "the checkpoint records the 1 thread that ran" || not_ok "OMP_THREAD_LIMIT checkpoint: $(grep note "$tmp/out")"

# A path of 600 characters is shortened in the middle; the reason stays.
long="$tmp/$(printf 'a%.0s' $(seq 200))/$(printf 'b%.0s' $(seq 200))/$(printf 'c%.0s' $(seq 200))"
expect_fail "--save with a 600-character path" "its folder does not exist" train $small --save "$long/m.model"
[ "$(head -1 "$tmp/err" | wc -c)" -lt 300 ] && grep -q "\.\.\." "$tmp/err" && ok "the long path is shortened in the middle" || not_ok "long path message: $(head -c 300 "$tmp/err")"
expect_fail "--init with a 600-character path" "cannot open: No such file or directory" train $small --init "$long/m.model"

# Checkpoint settings beyond the flags' ranges (valid checksum): refused,
# printed unsigned, never a crash.
patch_ck() {
    python3 - "$@" <<'PY'
import struct, sys, zlib
path, out, field, value = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
b = bytearray(open(path, "rb").read()[:-4])
h = 16 + 4 * struct.unpack_from("<I", b, 12)[0]
struct.pack_into("<Q", b, h + {"batch": 8, "epochs": 64}[field], value)
open(out, "wb").write(bytes(b) + struct.pack("<I", zlib.crc32(b)))
PY
}
for field in batch epochs; do
    for v in 0 2147483648 4294967296 9223372036854775808 18446744073709551615; do
        patch_ck "$tmp/two.ck" "$tmp/odd.ck" $field $v
        "$exe" train --data "$tmp/small" --resume "$tmp/odd.ck" --epochs 3 >"$tmp/out" 2>"$tmp/err"
        rc=$?
        if [ $rc -ge 1 ] && [ $rc -le 2 ] && ! grep -q -- "-[0-9]" "$tmp/err"; then ok "checkpoint $field $v: refused (exit $rc), nothing negative printed"; else not_ok "checkpoint $field $v: exit $rc"; fi
    done
done

# --help on a full stdout fails (exit 1) for every command.
if [ -w /dev/full ]; then
    for c in train eval info bench report predict; do
        "$exe" $c --help >/dev/full 2>"$tmp/err"
        rc=$?
        [ $rc -eq 1 ] && ok "$c --help >/dev/full: exit 1" || not_ok "$c --help >/dev/full: exit $rc"
    done
else
    skip "/dev/full is missing: --help on a full stdout not tried"
fi

# Ctrl-C while the outputs are being written at the end: they are finished
# (each atomically) and the run exits 130. The outputs of a 49-65536-10
# network (a 15 MB model and a 30 MB checkpoint) take long enough to be
# caught; a signal that lands after the process is gone is tried again.
big="--data $tmp/small --layers 49,65536,10 --epochs 1 --batch 300 --threads 2 --engine per-sample"
caught=""
for try in 1 2 3 4 5; do
    rm -f "$tmp/big.model"
    start_run "^final test accuracy" $bg "$exe" train $big --save "$tmp/big.model" --checkpoint "$tmp/big.ck" --costs "$tmp/big.csv" ||
        { kill -9 $pid; break; }
    kill -INT $pid 2>/dev/null
    wait $pid
    rc=$?
    if grep -q "finishing the files being written" "$tmp/err"; then caught=$rc; break; fi
done
if [ -z "$caught" ]; then
    skip "SIGINT never landed while the outputs were written (5 tries)"
elif [ "$caught" -eq 130 ] && grep -q "interrupted by SIGINT after the training" "$tmp/err"; then
    ok "SIGINT while the outputs are written: they are finished, exit 130"
    "$exe" eval --model "$tmp/big.model" --data "$tmp/small" >/dev/null 2>&1 && ok "the model written during the SIGINT is whole" || not_ok "the model written during SIGINT does not load"
else
    not_ok "SIGINT while the outputs are written: exit $caught"
fi
no_temporaries "$tmp" "SIGINT during the outputs: no temporary files left"

echo "1..$n"
[ $fails -eq 0 ]
