#!/usr/bin/env bash
# profile.sh - record a simdnet training run with perf and print the top
# symbols: where the time goes, per kernel and ISA (sn_gemv_u8_avx512, ...).
#
# Build for it first: meson setup build-prof -Dprofiling=true && ninja -C build-prof
# (frame pointers, debug info, kernels kept out of line).
set -euo pipefail

# The default run (see usage).
default_run=(--layers "784,128,128,10" --epochs 10)

usage() {
    cat <<EOF
Usage: $(basename "$0") [-b BUILD_DIR] [-o OUT_DIR] [-n TOP] [-- TRAIN_OPTIONS...]

Records \`simdnet train ${default_run[*]} TRAIN_OPTIONS...\`
with perf (call stacks through frame pointers) and prints the TOP symbols by
self time, with the program or library each is in. Hidden layers of 128 (4.5
times the default network's work per sample) for 10 epochs, so that the
kernels outweigh what does not grow with the run: loading and inflating the
data and the kernel clearing fresh pages, which top the profile of the
tutorial's 784-32-32-10 on a fast CPU. TRAIN_OPTIONS come after and win
(e.g. --layers 784,32,32,10 --epochs 5 for the tutorial's own run); with
--preset NAME among them the default run's flags are left out, and the
preset's recipe is profiled as it is.

  -b BUILD_DIR  meson build folder holding src/simdnet (default: build-prof)
  -o OUT_DIR    where perf.data and report.txt go (default: a new temporary
                folder, printed at the end)
  -n TOP        symbols to show (default 15)

Hardware counters (cycles) are used when the machine exposes them; many
virtual machines do not, and then the cpu-clock software timer is sampled
instead (this script says which).

Examples:
  $(basename "$0") -- --data ./data/mnist --threads 1
  $(basename "$0") -b build-prof -- --isa avx2 --engine per-sample
EOF
}

build="build-prof"
out=
top=15
while getopts "b:o:n:h" opt; do
    case "$opt" in
        b) build=$OPTARG ;;
        o) out=$OPTARG ;;
        n) top=$OPTARG ;;
        h) usage; exit 0 ;;
        *) usage >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
if [[ "${1:-}" == "--" ]]; then
    shift
fi

say() { printf 'profile.sh: %s\n' "$*" >&2; }

if ! command -v perf >/dev/null 2>&1; then
    say "perf is not installed; on Debian: apt-get install linux-perf"
    exit 1
fi
exe=$build/src/simdnet
if [[ ! -x "$exe" ]]; then
    say "$exe not found; build it with:"
    say "  meson setup $build -Dprofiling=true && ninja -C $build"
    exit 1
fi
if ! [[ "$top" =~ ^[1-9][0-9]*$ ]]; then
    say "-n: expected a positive number, got '$top'"
    exit 2
fi

# A build without -Dprofiling=true still profiles, but stacks may be cut
# short and small kernels may be inlined into their callers.
profiling=$(meson introspect --buildoptions "$build" 2>/dev/null |
    python3 -c 'import json, sys
print(next((str(o["value"]).lower() for o in json.load(sys.stdin)
            if o["name"] == "profiling"), "unknown"))' 2>/dev/null || echo unknown)
if [[ "$profiling" != "true" ]]; then
    say "warning: $build is not a -Dprofiling=true build (profiling=$profiling):"
    say "  call stacks may be incomplete; see the comment at the top of this script"
fi

# Hardware counters, or the software timer. perf prints "<not supported>"
# for an event the (virtual) machine does not expose.
if perf stat -x, -e cycles true 2>&1 | grep -q '<not supported>'; then
    event=cpu-clock
    say "this machine exposes no hardware performance counters"
    say "  (perf stat -e cycles: <not supported>), as in many virtual machines:"
    say "  sampling the cpu-clock software timer instead (time, not cycles)"
else
    event=cycles
    say "sampling hardware cycles"
fi

if [[ -z "$out" ]]; then
    out=$(mktemp -d "${TMPDIR:-/tmp}/simdnet-profile.XXXXXX")
else
    mkdir -p "$out"
fi

# A preset is a whole recipe: the default run's flags would win over it
# (given flags win wherever they are), so with --preset they are left out.
run=("${default_run[@]}")
for arg in "$@"; do
    if [[ "$arg" == --preset || "$arg" == --preset=* ]]; then
        run=()
    fi
done
cmd=("$exe" train "${run[@]}" "$@")
say "recording: ${cmd[*]}"
status=0
perf record -e "$event" -F 4999 --call-graph fp -o "$out/perf.data" \
    -- "${cmd[@]}" >"$out/train.log" 2>"$out/perf-record.log" || status=$?
if [[ $status -ne 0 ]]; then
    cat "$out/train.log" "$out/perf-record.log" >&2
    if grep -qiE 'permission|paranoid|not permitted' "$out/perf-record.log"; then
        say "perf may not sample here; allow it with"
        say "  sysctl kernel.perf_event_paranoid=1 (or run as root)"
    else
        say "the training run failed (exit status $status); see above"
    fi
    exit 1
fi
{ grep -E '^compute' "$out/train.log"; grep -E '^epoch' "$out/train.log" |
    tail -n 1; } >&2 || true

# Self time per symbol, no call-graph expansion: the kernels' own share.
# (perf adds empty IPC columns where there are no hardware counters: cut.)
perf report -i "$out/perf.data" --stdio --no-children -g none \
    --sort dso,symbol --percent-limit 0.1 2>/dev/null |
    sed -E 's/[[:space:]]+-[[:space:]]+-[[:space:]]*$//' >"$out/report.txt"
samples=$(grep -m1 -E '^# Samples' "$out/report.txt" || true)
echo "top $top symbols by self time ($event; ${samples#\# })"
grep -vE '^(#|$)' "$out/report.txt" | head -n "$top" || true
echo
echo "full report: $out/report.txt"
echo "explore:     perf report -i $out/perf.data"
