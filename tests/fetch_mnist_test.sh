#!/bin/sh
# fetch_mnist_test.sh - tools/fetch-mnist.sh against a local mirror
# (MNIST_MIRROR=file://...): it fetches and verifies all four files, skips
# them when present, and refuses and deletes a file whose sum is wrong.
# Exits 77 (skipped, for meson) when no copy of MNIST is at hand.
set -eu

src=${SIMDNET_TEST_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
script=$src/tools/fetch-mnist.sh
data=${SIMDNET_DATA:-$src/../shared/data/mnist}
names="train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz
t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz"

for n in $names; do
    if [ ! -f "$data/$n" ]; then
        echo "SKIP: no MNIST at $data (set SIMDNET_DATA); missing $n"
        exit 77
    fi
done

work=$(mktemp -d "${TMPDIR:-/tmp}/simdnet-fetch-XXXXXX")
trap 'rm -rf "$work"' EXIT

# The names in a directory, hidden ones included, sorted, one a line.
entries() {
    (cd "$1" && find . -mindepth 1 -maxdepth 1 | sed 's|^\./||' | sort)
}

fail() {
    echo "FAIL: $*" >&2
    if [ -f "$work/log" ]; then
        echo "--- fetch-mnist.sh output:" >&2
        cat "$work/log" >&2
    fi
    exit 1
}

# 1. A good mirror: all four files arrive, verified, byte for byte.
MNIST_MIRROR="file://$data" bash "$script" "$work/good" >"$work/log" 2>&1 ||
    fail "fetching from a good mirror failed"
for n in $names; do
    cmp -s "$data/$n" "$work/good/$n" || fail "$n differs from the mirror's"
    grep -q "good/$n: sha256 ok" "$work/log" || fail "$n: no 'sha256 ok' line"
done
# shellcheck disable=SC2086 # $names is a list
[ "$(entries "$work/good")" = "$(printf '%s\n' $names | sort)" ] ||
    fail "expected exactly the four files, found: $(entries "$work/good")"

# 2. Run again: nothing to download.
MNIST_MIRROR="file://$data" bash "$script" "$work/good" >"$work/log" 2>&1 ||
    fail "second run failed"
[ "$(grep -c 'present, sha256 ok' "$work/log")" -eq 4 ] ||
    fail "second run did not find all four files present"
! grep -q downloading "$work/log" || fail "second run downloaded again"

# 3. A mirror with one corrupted file: refused, deleted, non-zero exit.
mkdir "$work/bad-mirror"
for n in $names; do
    cp "$data/$n" "$work/bad-mirror/$n"
done
chmod u+w "$work/bad-mirror/t10k-labels-idx1-ubyte.gz"
printf 'X' | dd of="$work/bad-mirror/t10k-labels-idx1-ubyte.gz" bs=1 seek=100 \
    conv=notrunc 2>/dev/null
if MNIST_MIRROR="file://$work/bad-mirror" bash "$script" "$work/bad" \
    >"$work/log" 2>&1; then
    fail "a corrupted file was accepted"
fi
grep -q "sha256 mismatch" "$work/log" || fail "no 'sha256 mismatch' message"
[ ! -e "$work/bad/t10k-labels-idx1-ubyte.gz" ] ||
    fail "the corrupted file was left in place"
[ "$(entries "$work/bad")" = "$(printf '%s\n' t10k-images-idx3-ubyte.gz \
    train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz | sort)" ] ||
    fail "expected the three good files only, found: $(entries "$work/bad")"

# 4. A wrong file already in place is replaced by a verified one.
cp "$work/bad-mirror/t10k-labels-idx1-ubyte.gz" "$work/good/"
MNIST_MIRROR="file://$data" bash "$script" "$work/good" >"$work/log" 2>&1 ||
    fail "replacing a wrong file failed"
cmp -s "$data/t10k-labels-idx1-ubyte.gz" "$work/good/t10k-labels-idx1-ubyte.gz" ||
    fail "the wrong file was not replaced"

# 5. --help works; an unknown option fails.
bash "$script" --help >"$work/log" 2>&1 || fail "--help failed"
grep -q MNIST_MIRROR "$work/log" || fail "--help does not mention MNIST_MIRROR"
if bash "$script" --frobnicate >"$work/log" 2>&1; then
    fail "an unknown option was accepted"
fi

echo "ok: fetch-mnist.sh fetched, verified, skipped and refused as it should"
