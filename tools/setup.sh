#!/bin/sh
# setup.sh - install what simdnet needs on Debian 12 / Ubuntu 22.04+ and build
# it into ./build. Run from the repository root, as root or with sudo.
#
#   tools/setup.sh            packages for building, testing and benchmarking
#   tools/setup.sh --cross    also the aarch64 cross compiler and qemu (NEON)
set -eu

cross=0
for arg in "$@"; do
    case $arg in
    --cross) cross=1 ;;
    -h | --help)
        sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    *)
        echo "setup.sh: unknown option '$arg' (try --help)" >&2
        exit 2
        ;;
    esac
done

[ -f meson.build ] && grep -q "project('simdnet'" meson.build || {
    echo "setup.sh: run me from the simdnet repository root" >&2
    exit 2
}

# Build: compilers, meson, zlib (.gz data), hwloc (topology), libdeflate
# (fast loading), libspng (PNG for predict), cJSON (the bench JSON), Open
# MPI (distributed training); libudev-dev because hwloc's pkg-config file
# asks for -ludev in a static link (pkg-config --static simdnet,
# tools/ci/ci-install.sh). Tests: Criterion, python3 (small IDX files),
# python3-torch and python3-scipy (the tests' reference computations), libxml2-utils
# (xmllint checks the report's SVG), chromium (renders the report
# headless), jq (checks the --json output). Benchmarks: Google Benchmark
# and its compare tools, OpenBLAS as a peer. python3-numpy runs
# tools/reference.py. curl and ca-certificates: tools/fetch-mnist.sh.
packages="curl ca-certificates build-essential g++ meson ninja-build pkg-config zlib1g-dev
  libhwloc-dev hwloc-nox libudev-dev libdeflate-dev libspng-dev libcjson-dev
  libopenmpi-dev openmpi-bin libcriterion-dev libbenchmark-dev libbenchmark-tools
  libopenblas-dev python3 python3-numpy python3-scipy python3-torch libxml2-utils
  chromium jq"
if [ $cross -eq 1 ]; then
    packages="$packages gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user"
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
$sudo apt-get -o DPkg::Lock::Timeout=900 update -qq
# shellcheck disable=SC2086
$sudo apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends $packages

if [ -d build ]; then
    meson setup --reconfigure build
else
    meson setup build
fi
ninja -C build
echo
echo "Built build/src/simdnet. Next: tools/fetch-mnist.sh data/mnist, then"
echo "  build/src/simdnet train"
