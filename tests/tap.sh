# shellcheck shell=sh disable=SC2154  # $exe and $tap_name: set by the test that sources this
# tap.sh - the TAP preamble of the end-to-end tests, sourced by
# cli_test.sh, report_test.sh, robust_test.sh and tools/ci/ci-tsan.sh after
# they set tap_name: a temporary folder $tmp (/tmp/simdnet-$tap_name.*,
# removed at exit) and the TAP lines.
#   ok DESCRIPTION; not_ok DESCRIPTION (then the first lines of $tmp/err
#   and $tmp/out, where the last command left them); skip DESCRIPTION
#   REASON; check DESCRIPTION EXPRESSION (ok if the eval'd expression
#   holds); expect_fail DESCRIPTION NEEDLE ARGS...: "$exe" ARGS exits
#   non-zero below 128 (no crash: a signal gives a status above 128) with
#   NEEDLE on stderr.
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

expect_fail() {
    desc=$1 needle=$2
    shift 2
    "$exe" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ $rc -ne 0 ] && [ $rc -lt 128 ] && grep -qF -- "$needle" "$tmp/err"; then
        ok "$desc (exit $rc)"
    else
        not_ok "$desc: exit $rc, expected non-zero and '$needle' on stderr"
    fi
}
