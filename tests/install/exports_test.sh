#!/bin/sh
# exports_test.sh LIBSIMDNET_SO SIMDNET_H - what the shared library exports
# is exactly the public API: every function simdnet.h declares SN_API, and
# nothing else (no internal helper, no symbol of the compiler's). Also its
# soname, and that it needs no text relocations (all its objects, the
# kernel and core static libraries included, were built position-independent).
# TAP output. Run by meson test (exports) and tools/ci/ci-install.sh.
set -u
lib=$1
header=$2
for tool in nm readelf; do
    command -v $tool >/dev/null 2>&1 || { echo "1..0 # SKIP no $tool"; exit 0; }
done
# shellcheck source=tests/install/tap.sh
. "$(dirname "$0")/tap.sh"

# Each public function is declared on a line of its own that starts with
# SN_API and names the function before its first '('.
grep '^SN_API' "$header" >"$tmp/lines"
sed -n 's/^SN_API[^(]*[^A-Za-z0-9_]\(sn_[A-Za-z0-9_]*\) *(.*/\1/p' "$tmp/lines" |
    sort -u >"$tmp/declared"
if [ "$(wc -l <"$tmp/lines")" -eq "$(wc -l <"$tmp/declared")" ] && [ -s "$tmp/declared" ]; then
    ok "simdnet.h declares $(wc -l <"$tmp/declared") SN_API functions, all named sn_*"
else
    not_ok "every SN_API line of simdnet.h declares one sn_ function"
    sed -n 's/^SN_API[^(]*[^A-Za-z0-9_]\(sn_[A-Za-z0-9_]*\) *(.*/\1/p;t;s/^/#   unreadable: /p' \
        "$tmp/lines" | grep '^#'
fi

nm -D --defined-only "$lib" | awk 'NF == 3 { print $3 }' | sort -u >"$tmp/exported"
comm -13 "$tmp/declared" "$tmp/exported" >"$tmp/extra"
comm -23 "$tmp/declared" "$tmp/exported" >"$tmp/missing"
if [ -s "$tmp/extra" ]; then
    not_ok "exports nothing but the public API"
    sed 's/^/#   exported, not in simdnet.h: /' "$tmp/extra"
else
    ok "exports nothing but the public API"
fi
if [ -s "$tmp/missing" ]; then
    not_ok "exports every function of simdnet.h"
    sed 's/^/#   in simdnet.h, not exported: /' "$tmp/missing"
else
    ok "exports every function of simdnet.h"
fi

soname=$(readelf -d "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\].*/\1/p')
if [ "$soname" = "libsimdnet.so.0" ]; then ok "soname $soname"; else not_ok "soname libsimdnet.so.0 (got '$soname')"; fi
if readelf -d "$lib" | grep -q TEXTREL; then
    not_ok "no text relocations (some object was not built with -fPIC)"
else
    ok "no text relocations"
fi
tap_end
