#!/bin/sh
# ci-sanitize.sh - the whole meson test suite under AddressSanitizer and
# UndefinedBehaviorSanitizer (gcc), in build-sanitize. valgrind cannot run
# the AVX-512 kernels; the sanitizers instrument them like any other code.
#
#   tools/ci/ci-sanitize.sh [extra meson test arguments, e.g. a test name]
#
# The first report of either sanitizer aborts the test program, so the test
# fails with the report in its log (meson test --print-errorlogs shows it).
# See docs/robustness.md for what runs, the leak policy and ThreadSanitizer.
set -eu
cd "$(dirname "$0")/../.."
build="build-sanitize"

# -fno-sanitize-recover: UBSan's reports abort instead of printing and
# going on. debugoptimized: -O2 -g, so the kernels still vectorise as in a
# release build and reports carry line numbers.
setup() {
    meson setup "$@" "$build" -Db_sanitize=address,undefined -Db_lundef=false -Dmpi=disabled \
        -Dbuildtype=debugoptimized -Dbench=disabled \
        -Dc_args="-fno-sanitize-recover=all -fno-omit-frame-pointer" >/dev/null
}
if [ -d "$build" ]; then setup --reconfigure; else setup; fi
ninja -C "$build" >"$build/ninja.log" 2>&1 || { tail -50 "$build/ninja.log"; exit 1; }

# detect_leaks=1: every test program is checked for leaks at exit, except
# for a small leak of Criterion's own runner (tools/ci/lsan.supp).
# MALLOC_PERTURB_ (set by meson test) is ASan-compatible.
export ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1"
export LSAN_OPTIONS="suppressions=$PWD/tools/ci/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
# The sanitizers make everything 2-4 times slower; the suite's timeouts are
# sized for a normal build.
meson test -C "$build" --print-errorlogs --timeout-multiplier 4 "$@"
