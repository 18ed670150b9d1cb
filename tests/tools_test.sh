#!/bin/sh
# tools_test.sh - the measuring tools of tools/ do what their documentation
# says: sweep.py and compare-bench.py on hand-made documents; ab-bench.py on
# stand-in binaries whose numbers are known, and once on simdnet itself;
# and, where MNIST is at hand, fast98_search.py (a bounded search, resumed
# from its file), time98.py (fast98 reaches 98.0%) and peers.py --check
# (numpy and PyTorch train the tutorial's algorithm); their bad input
# (a damaged or foreign search file, --repeats 0, a --json folder that is
# not there) is refused before any run.
# Needs $SIMDNET_EXE (set by meson) and python3.
set -u
exe=${SIMDNET_EXE:?set SIMDNET_EXE to the simdnet binary}
tap_name=tools
# shellcheck source=tests/tap.sh
. "$(dirname "$0")/tap.sh"
tools="$(cd "$(dirname "$0")/../tools" && pwd)"
py=/usr/bin/python3
[ -x $py ] || py=python3

# --- tools/sweep.py --combine: runs' tables in one, each ratio the median
# of the runs' ratios with their range, the threads' scaling of each run's
# own numbers; a missing file is named.
for r in 1 2 3; do
    $py - "$tmp/sweep$r.json" $r <<'PY'
import json, sys
r = int(sys.argv[2])
row = lambda t, s, torch: {"layers": [784, 32, 10], "batch": 100, "threads": t,
                           "simdnet": s, "pct_peak_effective": 20.0 + r,
                           "torch": torch, "ratio_torch": s / torch}
json.dump({"table": [row(1, 1000.0 * r, 500.0), row(2, 1500.0 * r, 250.0)]},
          open(sys.argv[1], "w"))
PY
done
$py "$tools/sweep.py" --combine "$tmp/sweep1.json" "$tmp/sweep2.json" "$tmp/sweep3.json" >"$tmp/out" 2>"$tmp/err"
rc=$?
check "sweep.py --combine: medians of 3 runs, their ranges, the scaling" "[ $rc -eq 0 ] && grep -qF '| 784-32-10 | 100 | 1 | 2.0k | 22 | 4.00x (2.00-6.00) | - |' '$tmp/out' && grep -qF '| 784-32-10 | 100 | 2 | 3.0k | 22 | 12.00x (6.00-18.00) | 1.50x (1.50-1.50) |' '$tmp/out'"
$py "$tools/sweep.py" --combine "$tmp/none.json" >"$tmp/out" 2>"$tmp/err"
check "sweep.py --combine of a missing file: named, exit 1" "[ $? -eq 1 ] && grep -q 'none.json' '$tmp/err'"

# --- tools/compare-bench.py on two simdnet bench documents of 5 repeats
# each: twice as fast with no overlap is "faster" at the U test's smallest
# p (2/252 = 0.008); the same times in another order are "no difference".
$py - "$tmp/cmp" <<'PY'
import json, sys
def doc(rate, secs):
    return {"network": {"layers": [784, 32, 32, 10]}, "results": [
        {"engine": "sparse", "isa": "avx512", "threads": 1,
         "samples_per_s": {"median": rate}, "pct_peak": {"median": 30.0},
         "run_seconds": secs}]}
base = [1.0, 1.01, 0.99, 1.02, 0.98]
for name, d in (("a", doc(1000.0, base)), ("b", doc(2000.0, [x / 2 for x in base])),
                ("c", doc(1000.0, base[::-1]))):
    json.dump(d, open(f"{sys.argv[1]}-{name}.json", "w"))
PY
$py "$tools/compare-bench.py" "$tmp/cmp-a.json" "$tmp/cmp-b.json" >"$tmp/out" 2>"$tmp/err"
rc=$?
check "compare-bench.py: twice as fast, no overlap: 2.00x, p 0.008, faster" "[ $rc -eq 0 ] && grep -E 'sparse +avx512 +1 .*2\.00x .*0\.008 +faster' '$tmp/out' >/dev/null"
$py "$tools/compare-bench.py" "$tmp/cmp-a.json" "$tmp/cmp-c.json" >"$tmp/out" 2>"$tmp/err"
rc=$?
check "compare-bench.py: the same times reordered: no difference" "[ $rc -eq 0 ] && grep -E '1\.00x .*no difference' '$tmp/out' >/dev/null"

# --- tools/ab-bench.py. Stand-ins for two simdnet builds: each logs its
# side and prints a `simdnet bench --json -` document. BASE runs at 1000
# samples/s; NEW at 1500, 2000 and 3000 in its 1st, 2nd and 3rd run, so
# the per-round ratios are 1.5, 2 and 3 (median 2). NEW alone has a
# 2-thread case, which is left out of the comparison and named.
cat >"$tmp/fake-simdnet" <<'SH'
#!/bin/sh
side=$(basename "$0")
echo "$side $*" >>"$AB_LOG"
runs=$(grep -c "^$side " "$AB_LOG")
if [ "$side" = base ]; then rate=1000; two=""; else
    case $runs in 1) rate=1500 ;; 2) rate=2000 ;; *) rate=3000 ;; esac
    two=', {"engine": "sparse", "isa": "avx512", "threads": 2, "samples_per_s": {"median": 5000}}'
fi
printf '{"results": [{"engine": "sparse", "isa": "avx512", "threads": 1, "samples_per_s": {"median": %s}}%s]}\n' "$rate" "$two"
SH
cp "$tmp/fake-simdnet" "$tmp/base"
cp "$tmp/fake-simdnet" "$tmp/new"
chmod +x "$tmp/base" "$tmp/new"
AB_LOG="$tmp/ab.log" $py "$tools/ab-bench.py" --rounds 3 "$tmp/base" "$tmp/new" -- --threads 1 >"$tmp/out" 2>"$tmp/err"
rc=$?
check "ab-bench.py: the median of the rounds' ratios, with their range" "[ $rc -eq 0 ] && grep -qF 'sparse avx512 1 thread: base 1k new 2k  NEW/BASE 2.000 (1.500..3.000)' '$tmp/out'"
check "ab-bench.py: the order swapped every other round, options passed on" "[ \"\$(cut -d' ' -f1 '$tmp/ab.log' | tr '\n' ' ')\" = 'base new new base base new ' ] && grep -qxF 'base bench --json - --threads 1' '$tmp/ab.log'"
check "ab-bench.py: a case missing from some run is named, not compared" "! grep -q '2 threads' '$tmp/out' && grep -qF 'sparse avx512 2 threads' '$tmp/err'"

# Stand-ins for bench_kernels: Google Benchmark's JSON, medians only.
cat >"$tmp/base-kernels" <<'SH'
#!/bin/sh
echo "$*" >>"$AB_LOG"
printf '{"benchmarks": [{"run_name": "gemm/avx512/64", "aggregate_name": "mean", "real_time": 1}, {"run_name": "gemm/avx512/64", "aggregate_name": "median", "real_time": %s}]}\n' "${NS:-100}"
SH
sed 's/NS:-100/NS:-125/' "$tmp/base-kernels" >"$tmp/new-kernels"
chmod +x "$tmp/base-kernels" "$tmp/new-kernels"
AB_LOG="$tmp/abk.log" $py "$tools/ab-bench.py" --kernels '^gemm/' --rounds 2 "$tmp/base-kernels" "$tmp/new-kernels" >"$tmp/out" 2>"$tmp/err"
rc=$?
check "ab-bench.py --kernels: time per call, NEW/BASE 1.25 (slower)" "[ $rc -eq 0 ] && grep -qF 'gemm/avx512/64: base 100 new 125  NEW/BASE 1.250 (1.250..1.250)' '$tmp/out' && grep -qF 'above 1: slower' '$tmp/out' && grep -qF -- '--benchmark_filter=^gemm/' '$tmp/abk.log'"

printf '#!/bin/sh\necho "no such layer" >&2\nexit 3\n' >"$tmp/broken"
printf '#!/bin/sh\necho "samples/s: many"\n' >"$tmp/chatty"
chmod +x "$tmp/broken" "$tmp/chatty"
$py "$tools/ab-bench.py" --rounds 1 "$tmp/base" "$tmp/broken" >"$tmp/out" 2>"$tmp/err"
check "ab-bench.py: a failing binary: its exit and message, exit 1" "[ $? -eq 1 ] && grep -qF 'failed (exit 3): no such layer' '$tmp/err'"
AB_LOG="$tmp/ab2.log" $py "$tools/ab-bench.py" --rounds 1 "$tmp/base" "$tmp/chatty" >"$tmp/out" 2>"$tmp/err"
check "ab-bench.py: a binary that prints no JSON: named, exit 1" "[ $? -eq 1 ] && grep -qF 'chatty did not print JSON' '$tmp/err'"
$py "$tools/ab-bench.py" --rounds 0 "$tmp/base" "$tmp/new" >"$tmp/out" 2>"$tmp/err"
check "ab-bench.py --rounds 0: refused" "[ $? -eq 2 ] && grep -qF -- '--rounds must be at least 1' '$tmp/err'"

# The real binary, twice on a small data set: the JSON it reads is simdnet's.
$py "$(dirname "$0")/make_small_mnist.py" "$tmp/data"
$py "$tools/ab-bench.py" --rounds 2 "$exe" "$exe" -- --data "$tmp/data" --layers 49,16,10 --isa scalar --threads 1 --warmup 0 --batches 2 --repeats 1 >"$tmp/out" 2>"$tmp/err"
rc=$?
check "ab-bench.py on simdnet itself: one comparison line" "[ $rc -eq 0 ] && grep -qE '^sparse scalar 1 thread: base .* NEW/BASE [0-9.]+ \([0-9.]+\.\.[0-9.]+\)$' '$tmp/out'"

# --- Bad input of fast98_search.py and time98.py, refused before any run.
printf '{"runs": [{"mode": "scr' >"$tmp/cut.json"
$py "$tools/fast98_search.py" --simdnet "$exe" --table-only --json "$tmp/cut.json" >"$tmp/out" 2>"$tmp/err"
check "fast98_search.py on a cut-off file: not JSON, named, exit 1" "[ $? -eq 1 ] && grep -qF 'cut.json: not JSON' '$tmp/err'"
echo '{"runs": [{"mode": "screen", "recipe": {}, "stage": "two"}]}' >"$tmp/other.json"
$py "$tools/fast98_search.py" --simdnet "$exe" --space tiny --json "$tmp/other.json" >"$tmp/out" 2>"$tmp/err"
check "fast98_search.py on another file's JSON: refused, the file kept" "[ $? -eq 1 ] && grep -qF 'other.json: not a fast98_search.py file' '$tmp/err' && grep -qF '\"two\"' '$tmp/other.json'"
$py "$tools/time98.py" --simdnet "$exe" --data "$tmp/data" --no-torch --repeats 0 >"$tmp/out" 2>"$tmp/err"
check "time98.py --repeats 0: refused" "[ $? -eq 2 ] && grep -qF -- '--repeats must be at least 1' '$tmp/err'"
$py "$tools/time98.py" --simdnet "$exe" --data "$tmp/data" --no-torch --json "$tmp/none/t98.json" >"$tmp/out" 2>"$tmp/err"
check "time98.py --json in a missing folder: refused before the runs" "[ $? -eq 1 ] && grep -qF 'none/t98.json: no such folder' '$tmp/err' && [ ! -s '$tmp/out' ]"

# --- With MNIST: fast98_search.py, time98.py and peers.py --check.
find_mnist
if [ -z "$mnist" ]; then
    for t in "fast98_search.py" "time98.py" "peers.py --check"; do
        skip "$t on MNIST" "MNIST not found (set SIMDNET_DATA, or run tools/fetch-mnist.sh data/mnist)"
    done
else
    # A bounded search for 90% (the tiny space, one shape and recipe kept,
    # two candidates confirmed twice): about 12 runs of 1-2 epochs.
    s98="$py $tools/fast98_search.py --simdnet $exe --data $mnist --space tiny --target 0.9 --keep 1 --confirm 2 --repeats 2 --json $tmp/search.json"
    $s98 >"$tmp/out" 2>"$tmp/err"
    rc=$?
    check "fast98_search.py: a search ends in a winner that reached the target in every confirmation" "[ $rc -eq 0 ] && grep -q '^winner: ' '$tmp/out' && $py - '$tmp/search.json' <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
w = d['winner']
conf = [r for r in d['runs'] if r['mode'] == 'confirm' and r['recipe'] == w['recipe']]
screens = [r for r in d['runs'] if r['mode'] == 'screen' and r['stopped'] == 'reached']
# A screen stops at its first epoch at the target: the earlier ones are below.
first = all(s['epochs'][-1]['test_accuracy'] >= 0.9 and
            all(e['test_accuracy'] < 0.9 for e in s['epochs'][:-1]) for s in screens)
sys.exit(0 if len(conf) == 2 and all(c['final_accuracy'] >= 0.9 for c in conf)
         and screens and first else 1)
PY"
    runs_before=$($py -c "import json, sys; print(len(json.load(open(sys.argv[1]))['runs']))" "$tmp/search.json")
    $s98 >"$tmp/out" 2>"$tmp/err"
    rc=$?
    runs_after=$($py -c "import json, sys; print(len(json.load(open(sys.argv[1]))['runs']))" "$tmp/search.json")
    check "fast98_search.py: a second search on the same file reruns nothing ($runs_before runs)" "[ $rc -eq 0 ] && [ '$runs_before' -eq '$runs_after' ] && grep -q '^winner: ' '$tmp/out'"
    # The winner's command, run again, ends where its confirmations did.
    winner="import json, sys; w = json.load(open(sys.argv[1]))['winner']; print"
    argv=$($py -c "$winner(' '.join(w['argv']))" "$tmp/search.json")
    want=$($py -c "$winner(w['final_accuracy'])" "$tmp/search.json")
    # shellcheck disable=SC2086  # the winner's flags, one word each
    "$exe" train --data "$mnist" $argv --json - >"$tmp/out" 2>"$tmp/err"
    rc=$?
    got=$($py -c "import json, sys; print([json.loads(l) for l in open(sys.argv[1])][-1]['test_accuracy'])" "$tmp/out" 2>/dev/null)
    check "fast98_search.py: the winner's command ends at its recorded accuracy ($want)" "[ $rc -eq 0 ] && [ '$got' = '$want' ]"
    $py "$tools/fast98_search.py" --table-only --json "$tmp/none.json" >"$tmp/out" 2>"$tmp/err"
    check "fast98_search.py --table-only of a missing file: named, exit 1" "[ $? -eq 1 ] && grep -qF 'none.json: no such file' '$tmp/err'"

    $py "$tools/time98.py" --simdnet "$exe" --data "$mnist" --no-torch --repeats 1 --json "$tmp/t98.json" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    check "time98.py --no-torch: simdnet train --preset fast98 ends at 98.0% or more" "[ $rc -eq 0 ] && $py -c \"import json, sys; s = json.load(open(sys.argv[1]))['simdnet']; sys.exit(0 if s['all_reach_target'] and min(s['final_accuracy']) >= 0.98 and s['command'][-2:] == ['--preset', 'fast98'] else 1)\" '$tmp/t98.json'"

    if $py -c "import numpy, torch" 2>/dev/null; then
        $py "$tools/peers.py" --check --data "$mnist" >"$tmp/out" 2>"$tmp/err"
        rc=$?
        check "peers.py --check: numpy in the tutorial's band, PyTorch equal to numpy" "[ $rc -eq 0 ] && grep -q 'in the band' '$tmp/out' && grep -q '(same within' '$tmp/out'"
    else
        skip "peers.py --check on MNIST" "numpy or python3-torch is not installed"
    fi
fi

echo "1..$n"
[ $fails -eq 0 ]
