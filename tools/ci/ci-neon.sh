#!/bin/sh
# ci-neon.sh - test the NEON kernels on an x86-64 machine: cross-compile
# simdnet's kernel check for aarch64 and run it under qemu-aarch64.
#
#   tools/ci/ci-neon.sh        from the repository root (.ci/run calls it)
#
# Sets up build-neon with cross/aarch64-linux-gnu.ini (or reuses it), builds
# only tests/kernel_check, runs it through `meson test` (the cross file's
# exe_wrapper is qemu) and prints its PASS lines. Exits non-zero if the build
# or any kernel fails, and also unless every op of SN_KERNEL_OPS has a
# "PASS neon/<op>" line: a check that ran only scalar code, or skipped the
# NEON set, must not pass.
set -eu

build="build-neon"
cross="cross/aarch64-linux-gnu.ini"

say() { printf 'ci-neon: %s\n' "$*"; }
die() {
    printf 'ci-neon: FAILED: %s\n' "$*" >&2
    exit 1
}

if ! grep -qs "project('simdnet'" meson.build; then
    die "run me from the simdnet repository root"
fi

missing=""
for tool in aarch64-linux-gnu-gcc qemu-aarch64 meson ninja; do
    command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
[ -z "$missing" ] || die "not installed:$missing (tools/setup.sh --cross \
installs gcc-aarch64-linux-gnu, libc6-dev-arm64-cross and qemu-user)"

# The ops the NEON set must pass, from the registry itself.
ops=$(sed -n 's/^[[:space:]]*X(\([a-z0-9_]*\), isa).*/\1/p' kernels/kernels.h)
[ -n "$ops" ] || die "found no ops in SN_KERNEL_OPS of kernels/kernels.h"

# Criterion and Google Benchmark exist only for the build machine; the
# kernel check needs neither. -Dneon=enabled: a configuration without the
# NEON set is an error, not a silent scalar-only build.
options="-Dneon=enabled -Dtests=disabled -Dbench=disabled"
if [ -f "$build/meson-private/coredata.dat" ]; then
    say "reusing $build"
    # shellcheck disable=SC2086
    meson setup --reconfigure "$build" $options >"$build/ci-neon-setup.log" 2>&1 ||
        setup_failed=1
else
    say "setting up $build for aarch64 ($cross)"
    mkdir -p "$build"
    # shellcheck disable=SC2086
    meson setup "$build" --cross-file "$cross" $options \
        >"$build/ci-neon-setup.log" 2>&1 || setup_failed=1
fi
if [ "${setup_failed:-0}" -eq 1 ]; then
    tail -n 20 "$build/ci-neon-setup.log" >&2
    if grep -q 'Dependency ".*" not found' "$build/ci-neon-setup.log"; then
        say "a library is missing for aarch64; Debian has it as <name>-dev:arm64" \
            "(dpkg --add-architecture arm64, apt-get update, apt-get install)"
    fi
    die "meson could not configure the aarch64 build (log: $build/ci-neon-setup.log)"
fi

say "building kernel_check for aarch64"
meson compile -C "$build" kernel_check || die "the aarch64 build of kernel_check failed"

say "running kernel_check under qemu-aarch64 (NEON set only)"
log="$build/ci-neon-check.log"
status=0
meson test -C "$build" --no-rebuild --print-errorlogs -v \
    --test-args=neon kernel-check >"$log" 2>&1 || status=$?

# The check's own lines: results, the sigmoid accuracy, its summary.
grep -E '^(kernel_check:|PASS |FAIL |SKIP |[[:space:]]+neon/)' "$log" || true

absent=""
for op in $ops; do
    grep -q "^PASS neon/$op " "$log" || absent="$absent $op"
done
if [ $status -ne 0 ] || [ -n "$absent" ]; then
    # No summary line: the check did not get to the end (it crashed, or
    # qemu could not start it); show what meson saw.
    grep -q '^kernel_check: .* passed' "$log" || tail -n 30 "$log" >&2
    [ -z "$absent" ] || say "no PASS line for neon/:$absent"
    die "NEON kernel check (meson test exit $status; full log: $log)"
fi
say "every NEON kernel passed ($(echo "$ops" | wc -w) ops)"
