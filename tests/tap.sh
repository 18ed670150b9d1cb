# shellcheck shell=sh disable=SC2154  # $exe and $tap_name: set by the test that sources this
# tap.sh - the TAP preamble of the end-to-end tests, sourced by
# cli_test.sh, report_test.sh, robust_test.sh, tools_test.sh and
# tools/ci/ci-tsan.sh after they set tap_name: a temporary folder $tmp
# (/tmp/simdnet-$tap_name.*, removed at exit) and the TAP lines.
#   ok DESCRIPTION; not_ok DESCRIPTION (then the first lines of $tmp/err
#   and $tmp/out, where the last command left them); skip DESCRIPTION
#   REASON; check DESCRIPTION EXPRESSION (ok if the eval'd expression
#   holds); expect_fail DESCRIPTION NEEDLE ARGS...: "$exe" ARGS exits
#   from 1 to $fail_max (127: no crash, a signal gives a status above 128)
#   with NEEDLE on stderr; where $fail_log is 1, the message's first line
#   goes to the log ($fail_want says what was expected); find_mnist sets
#   $mnist to the first folder holding MNIST's test images of
#   $SIMDNET_DATA, ../shared/data/mnist beside the source tree and
#   ./data/mnist, or to "" (the MNIST checks are then skipped).
# The script prints the plan ("1..$n") and fails if $fails is not 0.
tmp=$(mktemp -d "/tmp/simdnet-${tap_name:?set tap_name before sourcing tap.sh}.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fails=0
n=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
    n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"
    sed 's/^/#   /' "$tmp/err" "$tmp/out" 2>/dev/null | head -20
}
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
check() { if eval "$2"; then ok "$1"; else not_ok "$1"; fi; }

fail_max=127 fail_want="non-zero" fail_log=0
expect_fail() {
    desc=$1 needle=$2
    shift 2
    "$exe" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ $rc -ge 1 ] && [ $rc -le $fail_max ] && grep -qF -- "$needle" "$tmp/err"; then
        ok "$desc (exit $rc)"
        if [ "$fail_log" = 1 ]; then
            head -1 "$tmp/err" | sed "s|$tmp|\$tmp|g; s/^/#   /"
        fi
    else
        not_ok "$desc: exit $rc, expected $fail_want and '$needle' on stderr"
    fi
}

find_mnist() {
    mnist=""
    for d in "${SIMDNET_DATA:-}" "${SIMDNET_TEST_SRCDIR:-.}/../shared/data/mnist" data/mnist; do
        if [ -n "$d" ] && { [ -r "$d/t10k-images-idx3-ubyte.gz" ] || [ -r "$d/t10k-images-idx3-ubyte" ]; }; then
            mnist=$d
            return
        fi
    done
}
