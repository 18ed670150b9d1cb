#!/bin/sh
# ci-install.sh - libsimdnet as its users get it. Installs build/ into a
# staging folder (meson install --destdir), then:
#  - only simdnet.h is installed among the headers, and the installed
#    libsimdnet.so exports exactly the SN_API functions of simdnet.h
#    (tests/install/exports_test.sh);
#  - tests/install/consumer.c builds with nothing but
#    `pkg-config --cflags --libs simdnet`, links libsimdnet.so, trains an
#    epoch and evaluates, and prints the accuracy the installed simdnet
#    command prints for the same run;
#  - the same with `pkg-config --static` against libsimdnet.a alone;
#  - README's program under "Use the library" is consumer.c;
#  - tests/install/subproject builds simdnet as a meson subproject, shared
#    and static, and gets the library alone (no test, benchmark or program
#    of simdnet's joins its build).
#
#   tools/ci/ci-install.sh [BUILD]     BUILD defaults to build (built first)
#
# Data: MNIST from SIMDNET_DATA if set, else tests/make_small_mnist.py's set.
# Prints one TAP line per check; exits non-zero if any fails.
set -eu
cd "$(dirname "$0")/../.."
root=$PWD
build=${1:-build}
[ -f "$build/build.ninja" ] || { echo "ci-install.sh: no meson build in '$build' (meson setup $build)" >&2; exit 2; }
cc=${CC:-cc}
python=/usr/bin/python3
[ -x "$python" ] || python=python3

# shellcheck source=tests/install/tap.sh
. tests/install/tap.sh
check() { # DESCRIPTION COMMAND...: the command succeeds (its output is shown if not)
    desc=$1
    shift
    if "$@" >"$tmp/out" 2>&1; then ok "$desc"; else not_ok "$desc"; sed 's/^/#   /' "$tmp/out" | tail -40; fi
}
# The accuracy a consumer line ("... test accuracy 23.00% after 1 epoch")
# or the CLI's last line ("final test accuracy: 23.00%") reports.
accuracy() { sed -n 's/.*test accuracy:\{0,1\} \([0-9.]*%\).*/\1/p' "$1" | tail -1; }

if [ -n "${SIMDNET_DATA:-}" ]; then
    data=$SIMDNET_DATA
else
    data=$tmp/data
    "$python" tests/make_small_mnist.py "$data"
fi

# ---- install into the staging folder
stage=$tmp/stage
if ! meson install -C "$build" --destdir "$stage" >"$tmp/install.log" 2>&1; then
    cat "$tmp/install.log" >&2
    echo "ci-install.sh: meson install failed" >&2
    exit 1
fi
pc=$(find "$stage" -name simdnet.pc)
so=$(find "$stage" -name libsimdnet.so)
exe=$(find "$stage" -path '*/bin/simdnet')
if [ -z "$pc" ] || [ -z "$so" ] || [ -z "$exe" ]; then
    echo "ci-install.sh: simdnet.pc, libsimdnet.so or bin/simdnet not installed:" >&2
    find "$stage" >&2
    exit 1
fi
libdir=$(dirname "$so")
header=$(find "$stage" -name simdnet.h)
headers=$(find "$stage" -name '*.h' | sed "s|^$stage||")
case $headers in
*/include/simdnet.h) ok "only simdnet.h installed among the headers" ;;
*) not_ok "only simdnet.h installed among the headers"; echo "$headers" | sed 's/^/#   /' ;;
esac
check "the installed simdnet.h compiles alone, warning-free (C11, -pedantic)" \
    "$cc" -std=c11 -Wall -Wextra -pedantic -Werror -fsyntax-only -x c "$header"
sh tests/install/exports_test.sh "$so" "$header" >"$tmp/exports" || true
while read -r line; do
    case $line in
    "ok "*) ok "installed libsimdnet.so: ${line#ok * - }" ;;
    "not ok "*) not_ok "installed libsimdnet.so: ${line#not ok * - }" ;;
    "#"*) echo "$line" ;;
    esac
done <"$tmp/exports"

# ---- the run both consumers must reproduce, by the installed command
# MNIST's images are 28x28, make_small_mnist.py's 7x7.
if [ -n "${SIMDNET_DATA:-}" ]; then inputs=784; else inputs=49; fi
"$exe" train --data "$data" --layers "$inputs,32,32,10" --epochs 1 --threads 1 >"$tmp/cli.out" 2>&1 || { cat "$tmp/cli.out" >&2; exit 1; }
want=$(accuracy "$tmp/cli.out")
[ -n "$want" ] || { echo "ci-install.sh: no accuracy in the CLI's output:" >&2; cat "$tmp/cli.out" >&2; exit 1; }
echo "# installed simdnet train, 1 epoch of $inputs,32,32,10 on $data, 1 thread: $want"

needs() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\].*/\1/p'; }
runs_like_the_cli() { # NAME PROGRAM [ENV...]: prints the CLI's accuracy
    name=$1
    prog=$2
    shift 2
    if env OMP_NUM_THREADS=1 "$@" "$prog" "$data" >"$tmp/$name.out" 2>&1; then
        got=$(accuracy "$tmp/$name.out")
        if [ "$got" = "$want" ]; then
            ok "$name: trains an epoch and evaluates: $(cat "$tmp/$name.out")"
        else
            not_ok "$name: accuracy $got, the CLI's $want"
        fi
    else
        not_ok "$name: runs"
        sed 's/^/#   /' "$tmp/$name.out"
    fi
}

# ---- an external program, shared library: pkg-config's flags alone
export PKG_CONFIG_PATH
PKG_CONFIG_PATH=$(dirname "$pc")
export PKG_CONFIG_SYSROOT_DIR="$stage"
flags=$(pkg-config --cflags --libs simdnet)
echo "# pkg-config --cflags --libs simdnet: $flags"
# $flags is a flag list, split into words on purpose.
# shellcheck disable=SC2086
check "consumer.c builds with pkg-config's flags" \
    "$cc" -Wall -Wextra -Werror tests/install/consumer.c $flags -o "$tmp/consumer"
if needs "$tmp/consumer" | grep -qx 'libsimdnet.so.0'; then
    ok "the consumer needs libsimdnet.so.0"
else
    not_ok "the consumer needs libsimdnet.so.0 (NEEDED: $(needs "$tmp/consumer" | tr '\n' ' '))"
fi
if LD_LIBRARY_PATH=$libdir ldd "$tmp/consumer" | grep -q "libsimdnet.so.0 => $libdir/"; then
    ok "the loader takes the staged libsimdnet.so.0"
else
    not_ok "the loader takes the staged libsimdnet.so.0"
    LD_LIBRARY_PATH=$libdir ldd "$tmp/consumer" | sed 's/^/#   /'
fi
runs_like_the_cli "consumer (shared)" "$tmp/consumer" LD_LIBRARY_PATH="$libdir"

# ---- the same, static: a copy of the staging folder without the .so, so
# that -lsimdnet can only mean libsimdnet.a and every library it needs must
# come from pkg-config --static.
cp -a "$stage" "$tmp/stage-static"
rm -f "$tmp/stage-static${libdir#"$stage"}"/libsimdnet.so*
export PKG_CONFIG_SYSROOT_DIR="$tmp/stage-static"
flags=$(pkg-config --static --cflags --libs simdnet)
echo "# pkg-config --static --cflags --libs simdnet: $flags"
# shellcheck disable=SC2086
check "consumer.c builds with pkg-config --static's flags, against libsimdnet.a" \
    "$cc" -Wall -Wextra -Werror tests/install/consumer.c $flags -o "$tmp/consumer-static"
if [ -x "$tmp/consumer-static" ] && ! needs "$tmp/consumer-static" | grep -q libsimdnet; then
    ok "the static consumer needs no libsimdnet.so"
else
    not_ok "the static consumer needs no libsimdnet.so"
fi
runs_like_the_cli "consumer (static)" "$tmp/consumer-static"
unset PKG_CONFIG_SYSROOT_DIR PKG_CONFIG_PATH

# ---- README shows consumer.c, word for word
awk '/^## Use the library/ { s = 1 } s && /^```c$/ { p = 1; next } p && /^```$/ { exit } p' README.md >"$tmp/readme.c"
if [ -s "$tmp/readme.c" ] && cmp -s "$tmp/readme.c" tests/install/consumer.c; then
    ok "README's program is tests/install/consumer.c"
else
    not_ok "README's program is tests/install/consumer.c"
    diff "$tmp/readme.c" tests/install/consumer.c | sed 's/^/#   /' | head -20
fi

# ---- a project with simdnet as its subproject, shared then static
proj=$tmp/project
mkdir -p "$proj/subprojects"
cp tests/install/subproject/meson.build tests/install/consumer.c "$proj/"
ln -s "$root" "$proj/subprojects/simdnet"
for kind in shared static; do
    b=$proj/build-$kind
    if ! meson setup "$b" "$proj" --force-fallback-for=simdnet -Dsimdnet:default_library=$kind >"$tmp/setup.log" 2>&1 ||
        ! ninja -C "$b" >"$tmp/ninja.log" 2>&1; then
        not_ok "subproject ($kind): configures and builds"
        cat "$tmp/setup.log" "$tmp/ninja.log" 2>/dev/null | tail -40 | sed 's/^/#   /'
        continue
    fi
    ok "subproject ($kind): configures and builds"
    # Only libraries of simdnet's in the build: no program, test or benchmark.
    meson introspect --targets --tests --benchmarks "$b" >"$tmp/intro.json"
    extra=$("$python" - "$tmp/intro.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
bad = [t["name"] + " (" + t["type"] + ")" for t in d["targets"]
       if t.get("subproject") == "simdnet" and t["type"] not in ("static library", "shared library")]
bad += ["test " + t["name"] for t in d["tests"]] + ["benchmark " + t["name"] for t in d["benchmarks"]]
print(" ".join(bad))
PY
)
    if [ -z "$extra" ]; then
        ok "subproject ($kind): simdnet adds its library alone"
    else
        not_ok "subproject ($kind): simdnet adds its library alone (also: $extra)"
    fi
    if needs "$b/consumer" | grep -qx 'libsimdnet.so.0'; then linked=shared; else linked=static; fi
    if [ $linked = $kind ]; then
        ok "subproject ($kind): links libsimdnet $kind"
    else
        not_ok "subproject ($kind): links libsimdnet $kind (it is $linked)"
    fi
    runs_like_the_cli "subproject ($kind)" "$b/consumer"
done

tap_end
