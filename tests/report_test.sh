#!/bin/sh
# report_test.sh - simdnet report, train --report and predict, end to end:
# every SVG and index.html well-formed (xmllint), each picture holding what
# it must (points, neurons, cells, tiles, bars, the weights' colours), the
# page rendered by headless Chromium into a screenshot that is not blank,
# predict on MNIST test digits saved as PGM and PNG giving eval's class, and
# bad input ending in a clear message, a non-zero exit and no report file.
#
#   report_test.sh PNG_STATS    (meson passes tests/png_stats; needs
#                                $SIMDNET_EXE and python3)
#
# Without xmllint (libxml2-utils), chromium or MNIST the checks that need
# them are reported as skipped, one by one.
set -u
exe=${SIMDNET_EXE:?set SIMDNET_EXE to the simdnet binary}
png_stats=${1:?usage: report_test.sh PNG_STATS}
tap_name=report
# shellcheck source=tests/tap.sh
. "$(dirname "$0")/tap.sh"

# Peak memory (/usr/bin/time), but not under AddressSanitizer, whose shadow
# memory and quarantine are no measure of simdnet's.
measure=0
[ -x /usr/bin/time ] && [ -z "${ASAN_OPTIONS:-}" ] && measure=1
no_measure="no /usr/bin/time, or under AddressSanitizer"

have_xmllint=0
command -v xmllint >/dev/null 2>&1 && have_xmllint=1
# xpath FILE EXPR: the value of an XPath expression over an SVG (elements
# are in the SVG namespace: match them by local-name()).
xpath() { xmllint --xpath "$2" "$1" 2>/dev/null; }
el() { echo "//*[local-name()='$1']"; }
# xpath_is FILE EXPR WANT DESCRIPTION: the expression's value is WANT.
xpath_is() {
    got=$(xpath "$1" "$2")
    check "$4 ($3, got $got)" "[ '$got' = '$3' ]"
}

# A learnable 7x7 data set in MNIST's file layout, as cli_test.sh makes.
python3 "$(dirname "$0")/make_small_mnist.py" "$tmp/data"
data="$tmp/data"

# --- train --report on the small set: 2 epochs of 3 batches
rep="$tmp/rep"
"$exe" train --data "$data" --layers 49,16,10 --epochs 2 --threads 1 --report "$rep" >"$tmp/out" 2>"$tmp/err"
check "train --report writes the report" "[ \$? -eq 0 ] && grep -q '^report    $rep/index.html' '$tmp/out'"
missing=""
for f in index.html cost.svg network.svg samples.svg weights.svg confusion.svg mistakes.svg costs.csv accuracy.csv trained.model; do
    [ -s "$rep/$f" ] || missing="$missing $f"
done
check "the report has every picture, its data and the model${missing:+ (missing:$missing)}" "[ -z '$missing' ]"
check "no temporary file is left in the report folder" "[ -z \"\$(ls -A '$rep' | grep '^\\.')\" ]"
check "costs.csv has a line per batch" "[ \$(wc -l <'$rep/costs.csv') -eq 7 ]"

if [ $have_xmllint -eq 1 ]; then
    bad=""
    for f in "$rep"/*.svg "$rep/index.html"; do
        xmllint --noout "$f" 2>>"$tmp/err" || bad="$bad $(basename "$f")"
    done
    check "every SVG and index.html is well-formed XML${bad:+ (not:$bad)}" "[ -z '$bad' ]"
    points=$(xpath "$rep/cost.svg" "string($(el polyline)[@class='cost']/@points)" | wc -w)
    check "cost curve: one point per batch (6, got $points)" "[ $points -eq 6 ]"
    xpath_is "$rep/cost.svg" "count($(el circle)[@class='acc'])" 2 \
        "cost curve: a test accuracy marker per epoch"
    # 49 and 16 wide: 10 neurons, an ellipsis, the last one; 10: all.
    xpath_is "$rep/network.svg" "count($(el circle)[@class='neuron'])" 32 \
        "network: 11 + 11 + 10 neurons"
    xpath_is "$rep/network.svg" "count($(el line)[starts-with(@class,'conn')])" $((11 * 11 + 11 * 10)) \
        "network: a line between every two visible neurons"
    wrong=$(xpath "$rep/network.svg" "count($(el line)[@class='conn pos'][@stroke!='#d62728']) + count($(el line)[@class='conn neg'][@stroke!='#1f77b4'])")
    pos=$(xpath "$rep/network.svg" "count($(el line)[@class='conn pos'])")
    neg=$(xpath "$rep/network.svg" "count($(el line)[@class='conn neg'])")
    check "network: positive weights red, negative blue ($pos, $neg; $wrong wrong)" "[ '$wrong' = 0 ] && [ '$pos' -gt 0 ] && [ '$neg' -gt 0 ]"
    cells=$(xpath "$rep/confusion.svg" "count($(el rect)[@class='cell'])")
    total=$(xpath "$rep/confusion.svg" "sum($(el text)[@class='count'])")
    check "confusion matrix: 10x10 cells counting the 100 test samples ($cells, $total)" "[ '$cells' = 100 ] && [ '$total' = 100 ]"
    xpath_is "$rep/samples.svg" "count($(el image)[@class='tile'])" 90 \
        "sample grid: 6 x 15 training images"
    xpath_is "$rep/weights.svg" "count($(el image)[@class='tile'])" 16 \
        "first-layer weights: one image per hidden neuron"
    "$exe" eval --model "$rep/trained.model" --data "$data" >"$tmp/eval" 2>&1
    correct=$(sed -n 's/^accuracy .*(\([0-9]*\) of 100)$/\1/p' "$tmp/eval")
    wrong=$((100 - ${correct:-100}))
    want=$((wrong < 60 ? wrong : 60))
    tiles=$(xpath "$rep/mistakes.svg" "count($(el image)[@class='tile'])")
    check "mistakes: the first $want of the $wrong eval gets wrong (got $tiles)" "[ -n '$correct' ] && [ '$tiles' = $want ]"
    linked=""
    for f in cost network samples weights confusion mistakes; do
        [ "$(xpath "$rep/index.html" "count(//img[@src='$f.svg'])")" = 1 ] || linked="$linked $f"
    done
    check "index.html shows every picture${linked:+ (not:$linked)}" "[ -z '$linked' ]"
else
    skip "well-formedness and contents of the SVGs" "no xmllint (apt install libxml2-utils)"
fi

# --- report from files: the same pictures again, plus benchmark charts
cat >"$tmp/kernels.json" <<'EOF'
{"context": {"date": "2026-01-01T00:00:00", "simdnet_cpu": "Test CPU"},
 "benchmarks": [
  {"name": "gemv/scalar/32x784", "run_type": "iteration", "GFLOP/s": 3.1, "items_per_second": 1.5e9},
  {"name": "gemv/avx2/32x784", "run_type": "iteration", "GFLOP/s": 60.2, "items_per_second": 3e10},
  {"name": "gemv/avx2/32x32", "run_type": "iteration", "GFLOP/s": 40.5},
  {"name": "sigmoid/avx2/32", "run_type": "iteration", "items_per_second": 2.5e9}]}
EOF
cat >"$tmp/training.json" <<'EOF'
{"machine": {"cpu": "Test CPU"}, "network": {"layers": [49, 16, 10]}, "results": [
  {"engine": "sparse", "isa": "scalar", "threads": 1, "samples_per_s": {"median": 2e5, "min": 1.9e5, "max": 2.1e5}},
  {"engine": "sparse", "isa": "avx2", "threads": 1, "samples_per_s": {"median": 9e5, "min": 8e5, "max": 9.5e5}},
  {"engine": "sparse", "isa": "avx2", "threads": 2, "samples_per_s": {"median": 1.6e6, "min": 1.5e6, "max": 1.7e6}}]}
EOF
args="--model $rep/trained.model --data $data --costs $rep/costs.csv --accuracy $rep/accuracy.csv --bench $tmp/kernels.json --bench $tmp/training.json --threads 1"
"$exe" report $args --out "$tmp/r1" >"$tmp/out" 2>"$tmp/err"
check "report --costs --accuracy --bench writes the report" "[ \$? -eq 0 ] && [ -s '$tmp/r1/index.html' ] && [ -s '$tmp/r1/bench1-gemv.svg' ] && [ -s '$tmp/r1/bench1-sigmoid.svg' ] && [ -s '$tmp/r1/bench2-training.svg' ]"
check "report draws the same cost curve and network as train --report" "cmp -s '$rep/cost.svg' '$tmp/r1/cost.svg' && cmp -s '$rep/network.svg' '$tmp/r1/network.svg'"
"$exe" report $args --out "$tmp/r2" >"$tmp/out" 2>"$tmp/err"
same=1
for f in "$tmp"/r1/*; do cmp -s "$f" "$tmp/r2/$(basename "$f")" || same=0; done
check "the same inputs give byte-identical report files" "[ $same -eq 1 ]"
if [ $have_xmllint -eq 1 ]; then
    xpath_is "$tmp/r1/bench1-gemv.svg" "count($(el rect)[@class='bar'])" 3 \
        "kernel chart: a bar per kernel set and shape that ran"
    bars=$(xpath "$tmp/r1/bench2-training.svg" "count($(el rect)[@class='bar'])")
    errs=$(xpath "$tmp/r1/bench2-training.svg" "count($(el path)[@class='err'])")
    check "training chart: a bar and a spread per run (3 and 3, got $bars and $errs)" "[ '$bars' = 3 ] && [ '$errs' = 3 ]"
    bad=""
    for f in "$tmp"/r1/bench*.svg; do xmllint --noout "$f" 2>/dev/null || bad="$bad $f"; done
    check "benchmark charts are well-formed XML" "[ -z '$bad' ]"
fi
# --- a roofline from bench_kernels' JSON: known numbers (a peak of 100
# GFLOP/s, L1 at 100 GB/s, DRAM at 10 GB/s; gemv on the DRAM roof, gemm on
# the peak, sigmoid with bytes and no FLOPs), and a kernel set with neither
# roof
cat >"$tmp/roof.json" <<'JSON'
{"context": {"simdnet_cpu": "Test CPU", "simdnet_peak_avx2_1core": "100 GFLOP/s"},
 "benchmarks": [
  {"name": "bandwidth/avx2/L1", "bytes_per_second": 1e11, "GB/s": 100},
  {"name": "bandwidth/avx2/DRAM", "bytes_per_second": 1e10, "GB/s": 10},
  {"name": "gemv/avx2/32x784", "GFLOP/s": 5, "bytes_per_second": 1e10},
  {"name": "gemm/avx2/100x32x784", "GFLOP/s": 100, "bytes_per_second": 1e9},
  {"name": "sigmoid/avx2/32", "bytes_per_second": 5e9},
  {"name": "gemv/scalar/32x784", "GFLOP/s": 2, "bytes_per_second": 4e9}]}
JSON
"$exe" report --model "$rep/trained.model" --data "$data" --bench "$tmp/roof.json" --out "$tmp/rroof" >"$tmp/out" 2>"$tmp/err"
check "report draws a roofline per kernel set with points" "[ \$? -eq 0 ] && [ -s '$tmp/rroof/bench1-roofline-avx2.svg' ] && [ -s '$tmp/rroof/bench1-roofline-scalar.svg' ]"
if [ $have_xmllint -eq 1 ]; then
    f=$tmp/rroof/bench1-roofline-avx2.svg
    xmllint --noout "$f" 2>/dev/null
    check "the roofline is well-formed XML" "[ \$? -eq 0 ]"
    xpath_is "$f" "count($(el circle)[@class='point'])" 2 "roofline: a point per kernel with FLOPs and bytes"
    xpath_is "$f" "count($(el line)[@class='roof mem'])" 2 "roofline: a diagonal per memory level"
    xpath_is "$f" "count($(el line)[@class='roof peak'])" 1 "roofline: the compute roof"
    xpath_is "$f" "count($(el text)[contains(@class,'roof-label')])" 3 "roofline: each roof labelled"
    xpath_is "$f" "count($(el text)[contains(@class,'roof-label')][.='DRAM 10 GB/s'])" 1 "roofline: the DRAM roof labelled with its GB/s"
    xpath_is "$f" "count($(el text)[contains(@class,'key')])" 2 "roofline: a key line per point"
    # gemv (0.5 FLOP/byte, 5 GFLOP/s) on the DRAM line from (0.1, 1) to
    # (10, 100): log10(5)/2 of the way along it, in x and in y.
    on=$(xpath "$f" "concat($(el circle)[@class='point'][1]/@cx, ' ', $(el circle)[@class='point'][1]/@cy, ' ', $(el line)[@class='roof mem'][2]/@x1, ' ', $(el line)[@class='roof mem'][2]/@y1, ' ', $(el line)[@class='roof mem'][2]/@x2, ' ', $(el line)[@class='roof mem'][2]/@y2)" |
        awk '{ t = log(5) / log(10) / 2; dx = $1 - ($3 + t * ($5 - $3)); dy = $2 - ($4 + t * ($6 - $4));
               print (dx * dx + dy * dy < 0.25) ? "yes" : "no" }')
    check "roofline: gemv drawn on the DRAM roof at 0.5 FLOP/byte ($on)" "[ '$on' = yes ]"
    xpath_is "$tmp/rroof/bench1-roofline-scalar.svg" "count($(el line)[starts-with(@class,'roof')])" 0 "roofline without roofs: none drawn"
    grep -q 'no compute roof (no simdnet_peak_scalar_1core in the context); no memory roofs' "$tmp/rroof/bench1-roofline-scalar.svg"
    check "roofline without roofs: the caption says so" "[ \$? -eq 0 ]"
    grep -q '1 run with bytes/s but no FLOP count not placed' "$f"
    check "roofline: runs without a FLOP count counted in the caption" "[ \$? -eq 0 ]"
    xpath_is "$tmp/rroof/index.html" "count(//img[@src='bench1-roofline-avx2.svg'])" 1 "roofline linked from index.html"
fi
echo '{"benchmarks": [{"name": "gemv/avx2/1", "GFLOP/s": 1, "bytes_per_second": -5}]}' >"$tmp/roofbad.json"
expect_fail "report refuses a negative bytes_per_second, naming the run and field" "run 'gemv/avx2/1': bytes_per_second -5 is outside" report --model "$rep/trained.model" --data "$data" --bench "$tmp/roofbad.json" --out "$tmp/rroofbad"
check "no report from a refused bench file" "[ ! -e '$tmp/rroofbad/index.html' ]"

# Memory in proportion: a 15 MB bench JSON (within the limits) peaks at
# about ten times its size; a 46 MB one is refused at the 16 MiB limit
# without reading it whole. The test set alone (31 MB of floats) sets the
# floor, so the refusal is measured against a report without --bench.
python3 - "$tmp" <<'PY'
import sys
d = sys.argv[1]
for name, size in (("big.json", 15 << 20), ("huge.json", 46 << 20)):
    with open(f"{d}/{name}", "w") as out:
        out.write('{"results": [')
        i = 0
        while out.tell() < size:
            out.write(("" if i == 0 else ",\n") + '{"engine": "sparse", "isa": "avx2", "threads": %d, "samples_per_s": {"median": %d, "min": 1, "max": 2}}' % (i % 8 + 1, 1000 + i))
            i += 1
        out.write("]}\n")
PY
if [ $measure -eq 1 ]; then
    /usr/bin/time -f '%M' -o "$tmp/rss" "$exe" report --model "$rep/trained.model" --data "$data" --bench "$tmp/big.json" --out "$tmp/rbig" >"$tmp/out" 2>"$tmp/err"
    rc=$? rss=$(tail -1 "$tmp/rss") kb=$(($(wc -c <"$tmp/big.json") / 1024))
    check "report reads a ${kb} KB bench JSON in ${rss} KB at its peak (under 12 times the file)" "[ $rc -eq 0 ] && [ -s '$tmp/rbig/bench1-training.svg' ] && [ '$rss' -lt $((kb * 12)) ]"
    /usr/bin/time -f '%M' -o "$tmp/rss" "$exe" report --model "$rep/trained.model" --data "$data" --out "$tmp/rfloor" >"$tmp/out" 2>"$tmp/err"
    floor=$(tail -1 "$tmp/rss")
    /usr/bin/time -f '%M' -o "$tmp/rss" "$exe" report --model "$rep/trained.model" --data "$data" --bench "$tmp/huge.json" --out "$tmp/rhuge" >"$tmp/out" 2>"$tmp/err"
    rc=$? rss=$(tail -1 "$tmp/rss")
    check "report refuses a 46 MB bench JSON at its 16 MiB limit (exit $rc, ${rss} KB peak, ${floor} KB without it)" "[ $rc -eq 1 ] && grep -q 'larger than the 16777216 bytes' '$tmp/err' && [ '$rss' -lt $((floor + 8192)) ]"
else
    skip "memory of report on big bench JSON" "$no_measure"
fi
rm -f "$tmp/big.json" "$tmp/huge.json"
# Well-formed for any valid UTF-8: long non-ASCII op, kernel set, shape,
# host and CPU names (issue 11, defect 5: cut inside a character before).
python3 - "$tmp" <<'PY'
import json, sys
d = sys.argv[1]
op, isa, host, cpu = "\u00e9" * 150, "\u00df" * 70, "\u30db\u30b9\u30c8" * 80, "\U0001f600" * 100
gb = {"context": {"host_name": host, "simdnet_cpu": cpu, "date": "\u65e5" * 90},
      "benchmarks": [{"name": op + "/" + isa + "/%d\u2192x" % s, "GFLOP/s": 1.0 + s} for s in range(3)]}
tr = {"machine": {"cpu": cpu}, "data": {"source": "\u0436" * 300},
      "results": [{"engine": "\u00e6" * 90, "isa": "\u00f8" * 90, "threads": t, "samples_per_s": 1e5 * t} for t in (1, 2)]}
json.dump(gb, open(f"{d}/utf8-kernels.json", "w", encoding="utf-8"), ensure_ascii=False)
json.dump(tr, open(f"{d}/utf8-training.json", "w", encoding="utf-8"), ensure_ascii=False)
open(f"{d}/latin1.json", "wb").write(b'{"benchmarks": [{"name": "g\xe9mv/avx2/1", "GFLOP/s": 1}]}')
PY
"$exe" report --model "$rep/trained.model" --data "$data" --bench "$tmp/utf8-kernels.json" --bench "$tmp/utf8-training.json" --title "$(printf 'caf\303\251 \377 report')" --out "$tmp/rutf8" >"$tmp/out" 2>"$tmp/err"
check "report with long non-ASCII names in its bench JSON, a chart file each" "[ \$? -eq 0 ] && [ \$(ls '$tmp/rutf8'/bench*.svg | wc -l) -eq 2 ]"
if [ $have_xmllint -eq 1 ]; then
    bad=""
    for f in "$tmp"/rutf8/*.svg "$tmp/rutf8/index.html"; do xmllint --noout "$f" 2>>"$tmp/err" || bad="$bad $(basename "$f")"; done
    check "... every SVG and index.html well-formed (xmllint), a title of invalid UTF-8 included${bad:+ (not:$bad)}" "[ -z '$bad' ]"
fi
expect_fail "report refuses a bench JSON that is not UTF-8" "latin1.json: JSON line 1, column 28: not UTF-8 text" report --model "$rep/trained.model" --data "$data" --bench "$tmp/latin1.json" --out "$tmp/rlatin1"
"$exe" report --model "$rep/trained.model" --data "$tmp/nonexistent" --out "$tmp/r3" >"$tmp/out" 2>"$tmp/err"
check "report --data naming a missing folder fails" "[ \$? -ne 0 ] && grep -q nonexistent '$tmp/err' && [ ! -e '$tmp/r3/index.html' ]"
SIMDNET_DATA="$tmp/nonexistent" "$exe" report --model "$rep/trained.model" --out "$tmp/r4" >"$tmp/out" 2>"$tmp/err"
check "report without data draws what needs none and says so" "[ \$? -eq 0 ] && [ -s '$tmp/r4/network.svg' ] && [ ! -e '$tmp/r4/confusion.svg' ] && grep -q 'no data set' '$tmp/err'"

# --- bad input: a clear message, a non-zero exit, no report file
expect_fail "report without --out" "--out DIR is required" report --model "$rep/trained.model"
expect_fail "report with a missing model" "$tmp/none.model" report --model "$tmp/none.model" --out "$tmp/r5"
head -c 60 "$rep/trained.model" >"$tmp/cut.model"
expect_fail "report with a truncated model" "truncated" report --model "$tmp/cut.model" --out "$tmp/r5"
: >"$tmp/file"
expect_fail "report into a folder under a regular file" "cannot create the report folder" report --model "$rep/trained.model" --data "$data" --out "$tmp/file/sub"
echo '{"benchmarks": [' >"$tmp/broken.json"
expect_fail "report with a broken benchmark file" "broken.json: JSON line 2" report --model "$rep/trained.model" --data "$data" --bench "$tmp/broken.json" --out "$tmp/r6"
check "... and no file of the report written" "[ -z \"\$(ls -A '$tmp/r6' 2>/dev/null)\" ]"
printf 'epoch,batch,cost\n1,1,0.5\n1,3,0.4\n' >"$tmp/bad.csv"
expect_fail "report with costs out of order" "bad.csv: line 3" report --model "$rep/trained.model" --data "$data" --costs "$tmp/bad.csv" --out "$tmp/r7"
expect_fail "report --costs /dev/zero stops at the first byte" "/dev/zero: line 1 holds a NUL byte" report --model "$rep/trained.model" --data "$data" --costs /dev/zero --out "$tmp/r7"
printf 'epoch,test_accuracy_percent\n1,50\n' >"$tmp/acc1.csv"
expect_fail "report with accuracies for fewer epochs than the costs" "has 1 epochs" report --model "$rep/trained.model" --data "$data" --costs "$rep/costs.csv" --accuracy "$tmp/acc1.csv" --out "$tmp/r7"
expect_fail "report --sample past the test set" "--sample 100" report --model "$rep/trained.model" --data "$data" --sample 100 --out "$tmp/r7"
expect_fail "train --report into an unwritable place fails before training" "cannot create the report folder" train --data "$data" --layers 49,16,10 --epochs 1 --report "$tmp/file/sub"
check "... without training first" "! grep -q '^epoch 1/1' '$tmp/out'"

# --- predict: bad input
python3 - "$tmp" <<'PY'
import struct, sys, zlib
d = sys.argv[1]
def chunk(t, b): return struct.pack(">I", len(b)) + t + b + struct.pack(">I", zlib.crc32(t + b))
def png(w, h, colour, rows, interlace=0, depth=8):
    ihdr = struct.pack(">IIBBBBB", w, h, depth, colour, 0, 0, interlace)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
good = png(7, 7, 0, b"".join(b"\0" + bytes(7) for _ in range(7)))
open(f"{d}/good.png", "wb").write(good)
open(f"{d}/cut.png", "wb").write(good[:-20])
# The same 7x7 picture interlaced (Adam7: 7 passes of filtered sub-rows).
px = [[(x * 37 + y * 11) % 256 for x in range(7)] for y in range(7)]
plain = b"".join(b"\0" + bytes(r) for r in px)
passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
adam7 = b"".join(b"\0" + bytes(px[y][x] for x in range(x0, 7, dx))
                 for x0, y0, dx, dy in passes if x0 < 7 for y in range(y0, 7, dy))
open(f"{d}/plain7.png", "wb").write(png(7, 7, 0, plain))
open(f"{d}/interlaced.png", "wb").write(png(7, 7, 0, adam7, interlace=1))
# 8192x8192 of zeros compresses to 65 KB: the header alone must refuse it.
open(f"{d}/huge.png", "wb").write(png(8192, 8192, 0, bytes(8193 * 8192)))
# Ancillary chunks: a 2 MiB text chunk is kept; five of 900 KiB, or a zTXt
# inflating to 3 MiB, pass libspng's limits.
ihdr = chunk(b"IHDR", struct.pack(">IIBBBBB", 7, 7, 8, 0, 0, 0, 0))
def with_chunks(extra):
    return b"\x89PNG\r\n\x1a\n" + ihdr + extra + chunk(b"IDAT", zlib.compress(plain)) + chunk(b"IEND", b"")
open(f"{d}/text2m.png", "wb").write(with_chunks(chunk(b"tEXt", b"Comment\0" + b"x" * (2 << 20))))
open(f"{d}/text5x.png", "wb").write(with_chunks(b"".join(chunk(b"tEXt", b"Comment\0" + b"x" * (900 << 10)) for _ in range(5))))
open(f"{d}/ztxt.png", "wb").write(with_chunks(chunk(b"zTXt", b"Comment\0\0" + zlib.compress(b"x" * (3 << 20)))))
# 4096x4096, the limit: read, and prepared a row at a time.
open(f"{d}/max.png", "wb").write(png(4096, 4096, 0, bytes(4097 * 4096)))
open(f"{d}/text.png", "w").write("not an image\n")
PY
expect_fail "predict without --model" "--model FILE is required" predict "$tmp/good.png"
expect_fail "predict without images" "no images" predict --model "$rep/trained.model"
expect_fail "predict with a missing model" "$tmp/none.model" predict --model "$tmp/none.model" "$tmp/good.png"
expect_fail "predict on a truncated PNG" "cut.png: truncated" predict --model "$rep/trained.model" "$tmp/cut.png" "$tmp/good.png"
check "... still classifies the good image after it" "grep -q '^$tmp/good.png	[0-9]	' '$tmp/out'"
"$exe" predict --model "$rep/trained.model" "$tmp/plain7.png" "$tmp/interlaced.png" >"$tmp/out" 2>"$tmp/err"
check "predict reads an interlaced PNG as the same picture stored plainly" "[ \$? -eq 0 ] && [ \"\$(cut -f2- '$tmp/out' | sort -u | wc -l)\" -eq 1 ]"
check "... a 65 KB PNG of 8192x8192 pixels is a hostile input of $(($(wc -c <"$tmp/huge.png") / 1024)) KB" "[ $(wc -c <"$tmp/huge.png") -lt 100000 ]"
if [ $measure -eq 1 ]; then
    /usr/bin/time -f '%M' -o "$tmp/rss" "$exe" predict --model "$rep/trained.model" "$tmp/huge.png" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    rss=$(tail -1 "$tmp/rss")
    check "predict refuses it from its header, in little memory (exit $rc, ${rss} KB peak)" "[ $rc -eq 1 ] && grep -q '8192x8192 pixels, larger than the 16777216' '$tmp/err' && [ '$rss' -lt 65536 ]"
else
    expect_fail "predict refuses it from its header" "8192x8192 pixels, larger than the 16777216" predict --model "$rep/trained.model" "$tmp/huge.png"
fi
if [ $measure -eq 1 ]; then
    /usr/bin/time -f '%M' -o "$tmp/rss" "$exe" predict --model "$rep/trained.model" --fit "$tmp/max.png" >"$tmp/out" 2>"$tmp/err"
    rc=$? rss=$(tail -1 "$tmp/rss")
    check "predict --fit on a 4096x4096 PNG, the limit, in ${rss} KB at its peak (RGBA and gray: about 5 bytes a pixel)" "[ $rc -eq 0 ] && [ '$rss' -lt 110000 ]"
else
    skip "memory of predict on a 4096x4096 PNG" "$no_measure"
fi
"$exe" predict --model "$rep/trained.model" "$tmp/text2m.png" >"$tmp/out" 2>"$tmp/err"
check "predict reads a PNG with a 2 MiB text chunk" "[ \$? -eq 0 ]"
expect_fail "... refuses five text chunks of 900 KiB (4 MiB in all)" "exceed this reader's limits" predict --model "$rep/trained.model" "$tmp/text5x.png"
expect_fail "... and a zTXt chunk inflating to 3 MiB (1 MiB from one)" "1048576 bytes inflated from one" predict --model "$rep/trained.model" "$tmp/ztxt.png"
expect_fail "predict on /dev/zero stops at its first byte" "/dev/zero: not a PNG or PGM" predict --model "$rep/trained.model" /dev/zero
expect_fail "predict on a text file" "not a PNG or PGM" predict --model "$rep/trained.model" "$tmp/text.png"
expect_fail "predict on a missing file" "$tmp/none.png" predict --model "$rep/trained.model" "$tmp/none.png"
expect_fail "predict --invert sometimes" "--invert: expected auto, yes or no" predict --model "$rep/trained.model" --invert sometimes "$tmp/good.png"

# --- MNIST: a real report, and predict against eval on test digits
find_mnist
if [ -n "$mnist" ]; then
    mrep="$tmp/mnist"
    "$exe" train --data "$mnist" --epochs 1 --report "$mrep" >"$tmp/out" 2>"$tmp/err"
    check "train --report on MNIST" "[ \$? -eq 0 ] && [ -s '$mrep/index.html' ]"
    if [ $have_xmllint -eq 1 ]; then
        total=$(xpath "$mrep/confusion.svg" "sum($(el text)[@class='count'])")
        tiles=$(xpath "$mrep/mistakes.svg" "count($(el image)[@class='tile'])")
        check "MNIST report: confusion counts the 10000 test images, 60 mistakes shown ($total, $tiles)" "[ '$total' = 10000 ] && [ '$tiles' = 60 ]"
    fi
    # Twelve test digits as PGM (P5, P2) and PNG (gray; RGB 3x dark on
    # light; 8-bit palette 2x dark on light; 16-bit gray+alpha ink) and each
    # alone in an IDX test set for eval.
    python3 - "$mnist" "$tmp/digits" <<'PY'
import gzip, os, struct, sys, zlib
src, d = sys.argv[1], sys.argv[2]; os.makedirs(d)
def read(name):
    p = os.path.join(src, name)
    return gzip.open(p + ".gz").read() if os.path.exists(p + ".gz") else open(p, "rb").read()
img, lab = read("t10k-images-idx3-ubyte"), read("t10k-labels-idx1-ubyte")
def chunk(t, b): return struct.pack(">I", len(b)) + t + b + struct.pack(">I", zlib.crc32(t + b))
def png(w, h, colour, depth, rows, extra=b""):
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, colour, 0, 0, 0))
            + extra + chunk(b"IDAT", zlib.compress(b"".join(b"\0" + r for r in rows))) + chunk(b"IEND", b""))
for s in range(12):
    px = img[16 + 784 * s: 16 + 784 * (s + 1)]
    rows = [px[28 * y: 28 * y + 28] for y in range(28)]
    open(f"{d}/{s}.pgm", "wb").write(b"P5\n# test digit\n28 28\n255\n" + px)
    open(f"{d}/{s}.p2.pgm", "w").write("P2 28 28 255\n" + "\n".join(" ".join(map(str, r)) for r in rows) + "\n")
    open(f"{d}/{s}.gray.png", "wb").write(png(28, 28, 0, 8, rows))
    big = [bytes(c for v in r for c in (255 - v,) * 9) for r in rows for _ in range(3)]
    open(f"{d}/{s}.rgb.png", "wb").write(png(84, 84, 2, 8, big))
    plte = chunk(b"PLTE", bytes(c for v in range(256) for c in (255 - v,) * 3))
    pal = [bytes(v for v in r for _ in range(2)) for r in rows for _ in range(2)]
    open(f"{d}/{s}.palette.png", "wb").write(png(56, 56, 3, 8, pal, plte))
    ga = [b"".join(struct.pack(">HH", 0, v * 257) for v in r) for r in rows]
    open(f"{d}/{s}.alpha.png", "wb").write(png(28, 28, 4, 16, ga))
    os.makedirs(f"{d}/idx{s}")
    open(f"{d}/idx{s}/t10k-images-idx3-ubyte", "wb").write(struct.pack(">IIII", 0x803, 1, 28, 28) + px)
    open(f"{d}/idx{s}/t10k-labels-idx1-ubyte", "wb").write(struct.pack(">II", 0x801, 1) + lab[8 + s: 9 + s])
PY
    agree=1 right=0
    for s in 0 1 2 3 4 5 6 7 8 9 10 11; do
        "$exe" eval --model "$mrep/trained.model" --data "$tmp/digits/idx$s" >"$tmp/eval" 2>&1
        # The confusion row with the one sample: its column is eval's class.
        want=$(awk '/^confusion/ {on = 1; next} on && NF == 11 { for (i = 2; i <= 11; i++) if ($i == 1) print i - 2 }' "$tmp/eval")
        label=$(awk '/^confusion/ {on = 1; next} on && NF == 11 { for (i = 2; i <= 11; i++) if ($i == 1) print $1 }' "$tmp/eval")
        [ "$want" = "$label" ] && right=$((right + 1))
        "$exe" predict --model "$mrep/trained.model" "$tmp/digits/$s.pgm" "$tmp/digits/$s.p2.pgm" "$tmp/digits/$s.gray.png" "$tmp/digits/$s.rgb.png" "$tmp/digits/$s.palette.png" "$tmp/digits/$s.alpha.png" >"$tmp/pred" 2>>"$tmp/err" || agree=0
        classes=$(cut -f2 "$tmp/pred" | sort -u)
        acts=$(cut -f3- "$tmp/pred" | sort -u | wc -l)
        if [ -z "$want" ] || [ "$classes" != "$want" ] || [ "$acts" -ne 1 ] || [ "$(wc -l <"$tmp/pred")" -ne 6 ]; then
            agree=0
            echo "# sample $s: eval says '$want', predict:"
            sed 's/^/#   /' "$tmp/pred"
        fi
    done
    check "predict on 12 test digits as PGM, PNG gray, RGB, palette and alpha: eval's class and the same activations" "[ $agree -eq 1 ]"
    check "... and the model gets most of them right ($right of 12)" "[ $right -ge 10 ]"
    fields=$(head -1 "$tmp/pred" | awk -F'\t' '{print NF}')
    check "predict prints the file, the class and 10 activations, tab-separated" "[ '$fields' = 12 ]"
else
    skip "the MNIST report and predict against eval on test digits" "MNIST not found (set SIMDNET_DATA, or run tools/fetch-mnist.sh data/mnist)"
fi

# --- the page in a real browser
browser=""
for b in chromium chromium-browser google-chrome; do
    command -v $b >/dev/null 2>&1 && browser=$b && break
done
shot() { # shot URL PNG: a headless screenshot, 1280 pixels wide
    timeout 120 $browser --headless --no-sandbox --disable-gpu \
        --disable-background-networking --disable-component-update \
        --disable-sync --no-first-run --hide-scrollbars \
        --user-data-dir="$(mktemp -d "$tmp/chromium.XXXXXX")" \
        --screenshot="$2" --window-size=1280,2000 "$1" >/dev/null 2>&1
}
if [ -n "$browser" ]; then
    page="$tmp/r1/index.html"
    [ -n "$mnist" ] && page="$tmp/mnist/index.html"
    shot "file://$page" "$tmp/shot.png"
    # png_stats: width height colours ink%; a page with pictures has many
    # colours and a good share of pixels off the background.
    read -r width height colours ink <<EOF
$("$png_stats" "$tmp/shot.png" 2>"$tmp/err")
EOF
    check "Chromium renders index.html, not blank (${width:-?}x${height:-?}, ${colours:-?} colours, ${ink:-?}% ink)" "[ '${width:-}' = 1280 ] && [ '${colours:-0}' -ge 100 ] && [ '${ink%.*}' -ge 10 ]"
    # The same check on an empty page must fail, or it proves nothing.
    echo '<!DOCTYPE html><html><body></body></html>' >"$tmp/blank.html"
    shot "file://$tmp/blank.html" "$tmp/blank.png"
    read -r width height colours ink <<EOF
$("$png_stats" "$tmp/blank.png" 2>"$tmp/err")
EOF
    check "... while an empty page's screenshot is blank (${colours:-?} colour, ${ink:-?}% ink)" "[ '${colours:-}' = 1 ]"
else
    skip "the report in headless Chromium" "no chromium (apt install chromium)"
fi

# --- predict on a ReLU + softmax model (issue 12): the class eval gives
# each small-set test image, saved alone as PGM and PNG
"$exe" train --data "$data" --layers 49,16,10 --epochs 2 --threads 1 --hidden relu --output softmax --loss ce --optimizer adam --init he --save "$tmp/relu.model" >"$tmp/out" 2>"$tmp/err"
check "train a ReLU + softmax + cross-entropy model with Adam and He init on the small set" "[ \$? -eq 0 ] && [ -s '$tmp/relu.model' ]"
python3 - "$data" "$tmp/relu-digits" <<'PY'
import os, struct, sys, zlib
src, d = sys.argv[1], sys.argv[2]; os.makedirs(d)
img = open(f"{src}/t10k-images-idx3-ubyte", "rb").read()
lab = open(f"{src}/t10k-labels-idx1-ubyte", "rb").read()
def chunk(t, b): return struct.pack(">I", len(b)) + t + b + struct.pack(">I", zlib.crc32(t + b))
for s in range(8):
    px = img[16 + 49 * s: 16 + 49 * (s + 1)]
    open(f"{d}/{s}.pgm", "wb").write(b"P5 7 7 255\n" + px)
    open(f"{d}/{s}.png", "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 7, 7, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"".join(b"\0" + px[7 * y: 7 * y + 7] for y in range(7)))) + chunk(b"IEND", b""))
    os.makedirs(f"{d}/idx{s}")
    open(f"{d}/idx{s}/t10k-images-idx3-ubyte", "wb").write(struct.pack(">IIII", 0x803, 1, 7, 7) + px)
    open(f"{d}/idx{s}/t10k-labels-idx1-ubyte", "wb").write(struct.pack(">II", 0x801, 1) + lab[8 + s: 9 + s])
PY
agree=1 classes_seen=""
for s in 0 1 2 3 4 5 6 7; do
    "$exe" eval --model "$tmp/relu.model" --data "$tmp/relu-digits/idx$s" >"$tmp/eval" 2>&1
    want=$(awk '/^confusion/ {on = 1; next} on && NF == 11 { for (i = 2; i <= 11; i++) if ($i == 1) print i - 2 }' "$tmp/eval")
    "$exe" predict --model "$tmp/relu.model" --invert no "$tmp/relu-digits/$s.pgm" "$tmp/relu-digits/$s.png" >"$tmp/pred" 2>>"$tmp/err" || agree=0
    classes=$(cut -f2 "$tmp/pred" | sort -u)
    sums=$(cut -f3- "$tmp/pred" | tr '\t' '\n' | awk '{t += $1} END {printf "%.2f", t / 2}')
    if [ -z "$want" ] || [ "$classes" != "$want" ] || [ "$(cut -f3- "$tmp/pred" | sort -u | wc -l)" -ne 1 ] || [ "$sums" != 1.00 ]; then
        agree=0
        echo "# sample $s: eval says '$want', predict (outputs summing to $sums):"
        sed 's/^/#   /' "$tmp/pred"
    fi
    classes_seen="$classes_seen $want"
done
check "predict on a ReLU + softmax model, 8 small-set test images as PGM and PNG: eval's class (${classes_seen# }), the same outputs, summing to 1" "[ $agree -eq 1 ]"

echo "1..$n"
[ $fails -eq 0 ]
