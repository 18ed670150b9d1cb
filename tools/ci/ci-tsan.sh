#!/bin/sh
# ci-tsan.sh - ThreadSanitizer on simdnet's threads, in build-tsan.
#
# gcc's TSan with libgomp cannot do this: libgomp is not instrumented, so
# TSan does not see its barriers and reports every write before a
# `#pragma omp barrier` and read after it as a race (55 reports in one
# epoch of a small run; docs/robustness.md). LLVM's OpenMP runtime ships
# Archer, an OMPT tool that tells TSan what OpenMP's barriers, tasks and
# locks order, so with clang + libomp + Archer a report is a real race.
# Criterion's test runner cannot start under TSan (its fixed-address arena
# collides with TSan's memory layout), so this drives the simdnet command
# instead: every thread count from 1 to 4, both engines, shuffled, with
# checkpoints every 2 batches, a resume and an evaluation; and it checks
# that each run is bit-reproducible (same seed and threads, same bytes) and
# that a resumed run ends with the uninterrupted run's bytes.
set -eu
cd "$(dirname "$0")/../.."
build="build-tsan"

if ! command -v clang >/dev/null 2>&1 || ! ls /usr/lib/llvm-*/lib/libarcher.so >/dev/null 2>&1; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "ci-tsan.sh: installing clang and libomp-14-dev (Archer)"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends \
        clang libomp-14-dev >/dev/null
fi
archer=$(ls /usr/lib/llvm-*/lib/libarcher.so | tail -1)

setup() {
    CC=clang meson setup "$@" "$build" -Db_sanitize=thread -Db_lundef=false -Dmpi=disabled \
        -Dbuildtype=debugoptimized -Dtests=disabled -Dbench=disabled >/dev/null
}
if [ -d "$build" ]; then setup --reconfigure; else setup; fi
ninja -C "$build" src/simdnet >"$build/ninja.log" 2>&1 || { tail -50 "$build/ninja.log"; exit 1; }
exe=$build/src/simdnet

export OMP_TOOL_LIBRARIES="$archer"
export ARCHER_OPTIONS="verbose=1"
# exitcode 66: a report fails the run even if the program would succeed.
export TSAN_OPTIONS="halt_on_error=1:exitcode=66:ignore_noninstrumented_modules=1"

tap_name=tsan
# shellcheck source=tests/tap.sh
. tests/tap.sh
# 600 + 100 images of 7x7, labels 0-9, learnable.
python3 tests/make_small_mnist.py "$tmp/data" 600 3

check() { # DESCRIPTION COMMAND...: the command succeeds with no TSan report
    desc=$1
    shift
    n=$((n + 1))
    if "$@" >"$tmp/out" 2>"$tmp/err" && ! grep -q "ThreadSanitizer" "$tmp/err"; then
        echo "ok $n - $desc"
    else
        fails=$((fails + 1))
        echo "not ok $n - $desc"
        grep -v "^Archer" "$tmp/err" | head -40 | sed 's/^/#   /'
    fi
}
same() { # DESCRIPTION FILE1 FILE2
    n=$((n + 1))
    if cmp -s "$2" "$3"; then echo "ok $n - $1"; else fails=$((fails + 1)); echo "not ok $n - $1"; fi
}

# Archer must be loaded, or libomp's barriers would be invisible to TSan.
"$exe" info >"$tmp/out" 2>"$tmp/err" || true
"$exe" train --data "$tmp/data" --layers 49,16,10 --epochs 1 --threads 2 >"$tmp/out" 2>"$tmp/err" || true
if ! cat "$tmp/out" "$tmp/err" | grep -q "Archer detected OpenMP application with TSan"; then
    echo "ci-tsan.sh: Archer ($archer) did not load: results would be meaningless" >&2
    cat "$tmp/err" >&2
    exit 1
fi

# $run is a flag list, split into words on purpose.
# shellcheck disable=SC2086
for engine in sparse per-sample; do
    for threads in 1 2 3 4; do
        run="--data $tmp/data --layers 49,16,10 --epochs 2 --batch 50 --shuffle --seed 5 --threads $threads --engine $engine"
        what="$engine, $threads threads"
        check "$what: train with checkpoints every 2 batches" \
            "$exe" train $run --checkpoint "$tmp/ck" --checkpoint-every 2 --save "$tmp/a.model"
        check "$what: train again" "$exe" train $run --save "$tmp/b.model"
        same "$what: same seed and threads, same bytes" "$tmp/a.model" "$tmp/b.model"
        check "$what: 1 epoch with a checkpoint" \
            "$exe" train $run --epochs 1 --checkpoint "$tmp/half.ck"
        check "$what: resumed to 2 epochs" \
            "$exe" train --data "$tmp/data" --resume "$tmp/half.ck" --epochs 2 --save "$tmp/c.model"
        same "$what: resumed run, same bytes" "$tmp/a.model" "$tmp/c.model"
        check "$what: eval" "$exe" eval --model "$tmp/a.model" --data "$tmp/data" --threads "$threads"
    done
done
# The grouped first layer and its columns split (128 wide: 32 columns a
# thread or more at 1 to 4 threads; docs/engines.md), against the samples
# split, Adam so that every row is stepped.
for split in columns samples; do
    for threads in 2 3 4; do
        run="--data $tmp/data --layers 49,128,10 --epochs 2 --batch 50 --shuffle --seed 5 --threads $threads --thread-split $split --optimizer adam"
        what="sparse, $split split, $threads threads"
        check "$what: train" "$exe" train $run --save "$tmp/a.model"
        check "$what: train again" "$exe" train $run --save "$tmp/b.model"
        same "$what: same seed and threads, same bytes" "$tmp/a.model" "$tmp/b.model"
    done
done
echo "1..$n"
[ $fails -eq 0 ]
