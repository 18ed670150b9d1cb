#!/bin/sh
# ci-fuzz.sh - builds the libFuzzer harnesses of tests/fuzz (clang, with
# AddressSanitizer, UndefinedBehaviorSanitizer and coverage for the whole
# library) into build-fuzz, and runs each one for a bounded time from its
# committed seed corpus. Any crash, sanitizer report, leak, timeout or
# allocation the input cannot justify fails the script.
#
#   tools/ci/ci-fuzz.sh            60 s per harness
#   tools/ci/ci-fuzz.sh 300        300 s per harness (or FUZZ_SECONDS=300)
#
# New inputs found go to build-fuzz/corpus/<name> (not the tree); a crash
# leaves build-fuzz/crash-<name>-* to reproduce with
#   build-fuzz/tests/fuzz/fuzz_<name> build-fuzz/crash-<name>-...
# Prints, per harness, the executions reached; see docs/robustness.md.
set -eu
cd "$(dirname "$0")/../.."
seconds=${1:-${FUZZ_SECONDS:-60}}
case $seconds in
'' | *[!0-9]*) echo "ci-fuzz.sh: expected a number of seconds, got '$seconds'" >&2; exit 2 ;;
esac
build="build-fuzz"
harnesses="idx model checkpoint checkpoint_fields image bench_json"

# clang, its libFuzzer and sanitizer runtimes, and LLVM's OpenMP.
have_tools() {
    command -v clang >/dev/null 2>&1 &&
        ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1 &&
        ls /usr/lib/llvm-*/lib/libomp.so >/dev/null 2>&1
}
if ! have_tools; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "ci-fuzz.sh: installing clang, libclang-rt-14-dev, libomp-14-dev"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends \
        clang libclang-rt-14-dev libomp-14-dev >/dev/null
fi

# The library is compiled with coverage for libFuzzer (-fsanitize=
# fuzzer-no-link); the harnesses link libFuzzer's main. UBSan aborts on
# its first report, so that libFuzzer sees it as a crash.
flags="-fsanitize=fuzzer-no-link -fno-sanitize-recover=all -fno-omit-frame-pointer -g"
setup() {
    CC=clang meson setup "$@" "$build" -Dfuzz=true -Db_sanitize=address,undefined \
        -Db_lundef=false -Dbuildtype=debugoptimized -Dtests=disabled -Dbench=disabled \
        -Dc_args="$flags" >/dev/null
}
if [ -d "$build" ]; then setup --reconfigure; else setup; fi
targets=""
for h in $harnesses; do targets="$targets tests/fuzz/fuzz_$h"; done
# shellcheck disable=SC2086
ninja -C "$build" $targets >"$build/ninja.log" 2>&1 || { tail -50 "$build/ninja.log"; exit 1; }

# halt_on_error: the first report ends the run. detect_leaks: libFuzzer
# checks for leaks after each input that allocated. The malloc limit is far
# above anything a seed-sized input justifies (the readers allocate what
# the file holds, or grow with the data of a pipe) and far below what a
# believed header could ask for (a model header can claim 1 GiB).
export ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:detect_leaks=1:allocator_may_return_null=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
status=0
printf '%-24s %10s %8s %s\n' harness executions exec/s result
for h in $harnesses; do
    corpus="$build/corpus/$h"
    mkdir -p "$corpus"
    log="$build/fuzz-$h.log"
    set +e
    "$build/tests/fuzz/fuzz_$h" "$corpus" "tests/fuzz/corpus/$h" \
        -max_total_time="$seconds" -max_len=65536 -timeout=10 \
        -rss_limit_mb=2048 -malloc_limit_mb=256 \
        -artifact_prefix="$build/crash-$h-" -print_final_stats=1 >"$log" 2>&1
    rc=$?
    set -e
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    if [ $rc -eq 0 ]; then
        result=ok
    else
        result="FAILED (exit $rc, log $log)"
        status=1
    fi
    printf '%-24s %10s %8s %s\n' "fuzz_$h" "${runs:-?}" "${rate:-?}" "$result"
    if [ $rc -ne 0 ]; then
        grep -E "ERROR|SUMMARY|runtime error|Test unit written" "$log" | head -20 | sed 's/^/    /'
    fi
done
exit $status
