# tap.sh - sourced by exports_test.sh and tools/ci/ci-install.sh: a
# temporary folder $tmp (removed at exit) and TAP lines.
#   ok DESCRIPTION, not_ok DESCRIPTION, then tap_end (the plan; status 1
#   if any check failed).
tmp=$(mktemp -d "${TMPDIR:-/tmp}/simdnet-tap.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; }
tap_end() { echo "1..$n"; [ $fails -eq 0 ]; }
