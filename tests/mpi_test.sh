#!/bin/sh
# mpi_test.sh - `mpirun -np N simdnet train` (docs/mpi.md): N ranks of T
# threads save the bytes of one process of N*T threads, resume from their
# checkpoints, stop together on a signal, and end the job (never hang) when
# a rank dies or one rank's data is bad. Registered only when the build has
# MPI; skipped visibly when mpirun is missing. Every mpirun runs under a
# timeout, so CI cannot hang here.
# Needs $SIMDNET_EXE (set by meson) and python3 (tests/make_small_mnist.py).
set -u
exe=${SIMDNET_EXE:?set SIMDNET_EXE to the simdnet binary}
here=$(dirname "$0")
if ! command -v mpirun >/dev/null 2>&1; then
    echo "1..0 # SKIP mpirun not found (apt-get install openmpi-bin)"
    exit 0
fi
py=/usr/bin/python3
[ -x "$py" ] || py=python3
tmp=$(mktemp -d /tmp/simdnet-mpi.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
# Open MPI refuses root without these; this machine may have fewer cores
# than ranks x threads (oversubscribed: slower, same bits).
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1
unset SIMDNET_ISA
n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
not_ok() {
    n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"
    sed 's/^/#   /' "$tmp/err" 2>/dev/null | tail -15
}
# mpi NP ARGS...: simdnet under mpirun, killed if it runs past 60 s.
mpi() {
    np=$1
    shift
    timeout -k 5 60 mpirun -np "$np" "$exe" "$@"
}

"$py" "$here/make_small_mnist.py" "$tmp/data" || { echo "Bail out! no data"; exit 1; }
small="--data $tmp/data --layers 49,24,16,10 --batch 10 --epochs 3"

# same DESC FILE_A FILE_B: byte-identical models.
same() {
    if cmp -s "$2" "$3"; then ok "$1"; else not_ok "$1: $2 and $3 differ"; fi
}

# identity DESC NP T T_ALL ARGS...: NP ranks x T threads against one
# process of T_ALL threads.
identity() {
    desc=$1 np=$2 t=$3 tall=$4
    shift 4
    rm -f "$tmp/a.bin" "$tmp/b.bin"
    if ! mpi "$np" train $small "$@" --threads "$t" --save "$tmp/a.bin" \
            >"$tmp/out" 2>"$tmp/err"; then
        not_ok "$desc: mpirun failed"
        return
    fi
    timeout -k 5 60 "$exe" train $small "$@" --threads "$tall" \
        --save "$tmp/b.bin" >"$tmp/out1" 2>"$tmp/err"
    same "$desc" "$tmp/a.bin" "$tmp/b.bin"
    # Each rank evaluates its share of the test set; the counts summed
    # give the single process's accuracy after every epoch.
    acc_a=$(grep -o 'test [0-9.]*%' "$tmp/out" | tr '\n' ' ')
    acc_b=$(grep -o 'test [0-9.]*%' "$tmp/out1" | tr '\n' ' ')
    if [ -n "$acc_a" ] && [ "$acc_a" = "$acc_b" ]; then
        ok "$desc: the same test accuracies ($acc_a)"
    else
        not_ok "$desc: test accuracies '$acc_a', one process '$acc_b'"
    fi
}

identity "2 ranks x 1 thread = 2 threads (AdaGrad, sparse)" 2 1 2
identity "2 ranks x 2 threads = 4 threads (AdaGrad, sparse, shuffled)" 2 2 4 --shuffle
identity "2 ranks x 1 thread = 2 threads (per-sample engine)" 2 1 2 --engine per-sample
identity "3 ranks x 1 thread = 3 threads (uneven slices)" 3 1 3
if "$exe" train $small --epochs 1 --optimizer adam --lr 0.01 >/dev/null 2>&1; then
    identity "2 ranks x 1 thread = 2 threads (Adam)" 2 1 2 --optimizer adam --lr 0.01
    identity "2 ranks x 2 threads = 4 threads (Adam)" 2 2 4 --optimizer adam --lr 0.01
else
    skip "2 ranks x 1 thread = 2 threads (Adam)" "--optimizer adam not in this build"
    skip "2 ranks x 2 threads = 4 threads (Adam)" "--optimizer adam not in this build"
fi

# Only rank 0 speaks: one config block, not two.
mpi 2 train $small --threads 1 >"$tmp/out" 2>"$tmp/err"
if [ "$(grep -c '^network' "$tmp/out")" = 1 ] && grep -q '^ranks  *2 (MPI)' "$tmp/out"; then
    ok "only rank 0 prints, and says 2 ranks"
else
    not_ok "only rank 0 prints: $(grep -c '^network' "$tmp/out") config blocks"
fi

# Resume: a 2-rank checkpoint after epoch 1 records its 2 workers (ranks x
# threads); under 2 ranks (1 thread each, the default) and under one
# process of 2 threads (the default) it goes on to the bytes of the
# uninterrupted run, with no note; under 1 thread it runs, to float
# rounding, with a note that says so.
rm -f "$tmp/ck.bin" "$tmp/r.bin" "$tmp/r2.bin" "$tmp/r1.bin"
mpi 2 train $small --threads 1 --epochs 1 --checkpoint "$tmp/ck.bin" \
    >/dev/null 2>"$tmp/err"
mpi 2 train --data "$tmp/data" --resume "$tmp/ck.bin" --epochs 3 \
    --save "$tmp/r.bin" >"$tmp/out" 2>"$tmp/err"
mpi 2 train $small --threads 1 --save "$tmp/u.bin" >/dev/null 2>"$tmp/err"
if grep -q '^compute .* 1 thread,' "$tmp/out" && ! grep -q '^note' "$tmp/out"; then
    ok "2-rank checkpoint under 2 ranks: 1 thread each, no note"
else
    not_ok "2-rank checkpoint under 2 ranks: $(grep -E '^(compute|note)' "$tmp/out")"
fi
same "2-rank checkpoint resumed under 2 ranks = uninterrupted" "$tmp/r.bin" "$tmp/u.bin"
timeout -k 5 60 "$exe" train --data "$tmp/data" --resume "$tmp/ck.bin" \
    --epochs 3 --save "$tmp/r2.bin" >"$tmp/out" 2>"$tmp/err"
if grep -q '^compute .* 2 threads,' "$tmp/out" && ! grep -q '^note' "$tmp/out"; then
    ok "2-rank checkpoint in one process: 2 threads, no note"
else
    not_ok "2-rank checkpoint in one process: $(grep -E '^(compute|note)' "$tmp/out")"
fi
same "2-rank checkpoint resumed by one process of 2 threads = uninterrupted" \
    "$tmp/r2.bin" "$tmp/u.bin"
if timeout -k 5 60 "$exe" train --data "$tmp/data" --resume "$tmp/ck.bin" \
        --epochs 3 --threads 1 --save "$tmp/r1.bin" >"$tmp/out" 2>"$tmp/err" &&
        grep -q '^note .* 2 threads.*float rounding' "$tmp/out"; then
    ok "2-rank checkpoint resumed by 1 thread, with the rounding note"
else
    not_ok "2-rank checkpoint resumed by 1 thread: $(grep '^note' "$tmp/out")"
fi

# ranks_of PID: the simdnet processes under the timeout started as PID.
ranks_of() {
    for m in $(pgrep -P "$1" -x mpirun); do pgrep -P "$m" -x simdnet; done
}

# A long run, to be signalled once both ranks train (the progress bar
# redraws "epoch 2/..." after a carriage return: no ^ in the pattern).
net="--data $tmp/data --layers 49,64,10 --batch 10"
start_long() {
    rm -f "$tmp/out"
    timeout -k 5 60 mpirun -np 2 "$exe" train $net --epochs 100000 \
        --threads 1 "$@" >"$tmp/out" 2>"$tmp/err" &
    job=$!
    i=0
    while [ $i -lt 100 ] && ! grep -q 'epoch 2/' "$tmp/out" 2>/dev/null; do
        sleep 0.1
        i=$((i + 1))
    done
}

# Ctrl-C to mpirun: Open MPI's mpirun sends the ranks SIGCONT at once,
# SIGTERM odls_base_sigkill_timeout seconds later and SIGKILL as long
# again after that (docs/mpi.md); 3 s leaves a loaded machine time to
# save. Every rank stops after the same batch, rank 0 saves the checkpoint
# and the weights so far, the ranks exit without waiting for the SIGKILL
# and mpirun exits non-zero (1 with Open MPI 4.1; 124 or 137 here would be
# the timeout). Resumed under 2 ranks through the next epoch, the
# checkpoint gives the bytes of one uninterrupted process of 2 threads.
rm -f "$tmp/ck.bin" "$tmp/m.bin"
OMPI_MCA_odls_base_sigkill_timeout=3 \
    start_long --checkpoint "$tmp/ck.bin" --save "$tmp/m.bin"
t0=$(date +%s)
kill -INT "$(pgrep -P "$job" -x mpirun)"
wait $job
rc=$?
secs=$(($(date +%s) - t0))
at=$(sed -n 's/.*interrupted by SIGTERM at epoch \([0-9]*\) after.*/\1/p' "$tmp/err")
if [ $rc -ne 0 ] && [ $rc -ne 124 ] && [ $rc -ne 137 ] && [ $secs -lt 20 ] &&
        [ -n "$at" ] && grep -q 'checkpoint written' "$tmp/err" &&
        grep -q 'weights so far' "$tmp/err"; then
    ok "Ctrl-C to mpirun: every rank stops, rank 0 saves (exit $rc in ${secs} s, epoch $at)"
else
    not_ok "Ctrl-C to mpirun: exit $rc after ${secs} s, epoch '${at}'"
fi
if "$exe" eval --model "$tmp/m.bin" --data "$tmp/data" >/dev/null 2>"$tmp/err"; then
    ok "the weights saved on Ctrl-C are a valid model"
else
    not_ok "the weights saved on Ctrl-C are a valid model"
fi
# Through the epoch after the one stopped in (a stop after its last batch
# leaves a checkpoint at the next epoch's start).
upto=$((${at:-0} + 1))
rm -f "$tmp/r.bin" "$tmp/u.bin"
mpi 2 train --data "$tmp/data" --resume "$tmp/ck.bin" --epochs $upto \
    --save "$tmp/r.bin" >/dev/null 2>"$tmp/err"
# Ranks split the batch by samples; one process of 2 threads would split
# this 64-wide first layer by columns unless told (docs/engines.md).
timeout -k 5 60 "$exe" train $net --epochs $upto --threads 2 \
    --thread-split samples --save "$tmp/u.bin" >/dev/null 2>&1
same "the interrupted 2-rank run, resumed, = one uninterrupted run" \
    "$tmp/r.bin" "$tmp/u.bin"

# A rank killed with SIGKILL ends mpirun non-zero within 10 s.
start_long
victim=$(ranks_of "$job" | tail -1)
t0=$(date +%s)
if [ -n "$victim" ]; then
    kill -KILL "$victim"
    wait $job
    rc=$?
    secs=$(($(date +%s) - t0))
    if [ $rc -ne 0 ] && [ $rc -ne 124 ] && [ $secs -le 10 ]; then
        ok "SIGKILL of a rank ends mpirun with exit $rc in ${secs} s"
    else
        not_ok "SIGKILL of a rank: exit $rc after ${secs} s"
    fi
else
    wait $job
    not_ok "SIGKILL of a rank: no rank found to kill"
fi

# Bad data on one rank stops all, with that rank's message, printed once.
cp -r "$tmp/data" "$tmp/bad"
head -c 100 "$tmp/data/train-images-idx3-ubyte" >"$tmp/bad/train-images-idx3-ubyte"
timeout -k 5 60 mpirun -np 1 "$exe" train $small --data "$tmp/data" : \
    -np 1 "$exe" train $small --data "$tmp/bad" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -ne 0 ] && [ $rc -ne 124 ] && grep -q 'rank 1 of 2 failed' "$tmp/err" &&
        [ "$(grep -c 'truncated' "$tmp/err")" = 1 ]; then
    ok "bad data on rank 1 stops both, its message once (exit $rc)"
else
    not_ok "bad data on rank 1: exit $rc"
fi

# Other data on one rank (same shape, one pixel changed): the fingerprints
# disagree and nothing trains.
cp -r "$tmp/data" "$tmp/other"
"$py" - "$tmp/other/train-images-idx3-ubyte" <<'EOF'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
b[16] ^= 1
open(p, "wb").write(b)
EOF
timeout -k 5 60 mpirun -np 1 "$exe" train $small --data "$tmp/data" : \
    -np 1 "$exe" train $small --data "$tmp/other" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -ne 0 ] && [ $rc -ne 124 ] && grep -q "training set's fingerprint" "$tmp/err" &&
        ! grep -q '^epoch 1/' "$tmp/out"; then
    ok "other data on rank 1: fingerprints disagree, nothing trains (exit $rc)"
else
    not_ok "other data on rank 1: exit $rc"
fi

echo "1..$n"
[ $fails -eq 0 ]
