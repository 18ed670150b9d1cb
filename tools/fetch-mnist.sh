#!/usr/bin/env bash
# fetch-mnist.sh - download the four MNIST .gz files and verify their sha256.
#
# Each file is downloaded into a temporary file beside its destination,
# checked against the sum below, and only then renamed into place, so the
# directory never holds a partial or wrong file under a real name. Files
# already present with the right sum are left alone.
set -euo pipefail

readonly PRIMARY_MIRROR="https://ossci-datasets.s3.amazonaws.com/mnist/"
readonly FALLBACK_MIRROR="https://storage.googleapis.com/cvdf-datasets/mnist/"

# The sha256 sums of the official files.
readonly FILES=(
    "train-images-idx3-ubyte.gz 440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"
    "train-labels-idx1-ubyte.gz 3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"
    "t10k-images-idx3-ubyte.gz 8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"
    "t10k-labels-idx1-ubyte.gz f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"
)

usage() {
    cat <<EOF
Usage: $(basename "$0") [DIR]

Downloads the four MNIST files (train/t10k images and labels, .gz) into DIR
(default: ./data/mnist), verifies each one's sha256, and keeps only files
that match. Files already in DIR with the right sum are not downloaded again.

Mirrors, tried in order:
  $PRIMARY_MIRROR
  $FALLBACK_MIRROR
Set MNIST_MIRROR to a base URL (https://..., or file:///some/dir/) to use
that one instead.

Exit status: 0 when all four files are present and verified, 1 otherwise.
EOF
}

die() {
    echo "fetch-mnist: error: $*" >&2
    exit 1
}

sha256_of() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$1" | cut -d' ' -f1
    elif command -v shasum >/dev/null 2>&1; then
        shasum -a 256 "$1" | cut -d' ' -f1
    else
        die "neither sha256sum nor shasum is installed"
    fi
}

# download URL FILE: copies file:// URLs, fetches others with curl or wget.
download() {
    local url=$1 out=$2
    case $url in
    file://*)
        cp -- "${url#file://}" "$out"
        ;;
    *)
        if command -v curl >/dev/null 2>&1; then
            curl --fail --silent --show-error --location --retry 2 \
                --connect-timeout 20 --output "$out" -- "$url"
        elif command -v wget >/dev/null 2>&1; then
            wget --quiet --tries=3 --timeout=20 --output-document="$out" -- "$url"
        else
            echo "fetch-mnist: neither curl nor wget is installed" >&2
            return 1
        fi
        ;;
    esac
}

case ${1:-} in
-h | --help)
    usage
    exit 0
    ;;
-*)
    usage >&2
    die "unknown option: $1"
    ;;
esac
[ $# -le 1 ] || { usage >&2; die "expected at most one argument, the directory"; }

dir=${1:-./data/mnist}
if [ -n "${MNIST_MIRROR:-}" ]; then
    mirrors=("${MNIST_MIRROR%/}/")
else
    mirrors=("$PRIMARY_MIRROR" "$FALLBACK_MIRROR")
fi

mkdir -p -- "$dir" || die "cannot create directory $dir"

tmp=""
cleanup() { [ -z "$tmp" ] || rm -f -- "$tmp"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

for entry in "${FILES[@]}"; do
    name=${entry%% *}
    want=${entry##* }
    dest=$dir/$name

    if [ -f "$dest" ]; then
        if [ "$(sha256_of "$dest")" = "$want" ]; then
            echo "$dest: present, sha256 ok"
            continue
        fi
        echo "$dest: present but its sha256 is wrong; downloading it again" >&2
    fi

    ok=0
    for mirror in "${mirrors[@]}"; do
        url=$mirror$name
        tmp=$(mktemp "$dir/.$name.XXXXXX")
        echo "$dest: downloading $url"
        if ! download "$url" "$tmp"; then
            echo "fetch-mnist: $url: download failed" >&2
        else
            got=$(sha256_of "$tmp")
            if [ "$got" = "$want" ]; then
                chmod 644 -- "$tmp"
                mv -f -- "$tmp" "$dest"
                tmp=""
                echo "$dest: sha256 ok"
                ok=1
                break
            fi
            echo "fetch-mnist: $url: sha256 mismatch, file refused and deleted" >&2
            echo "    expected $want" >&2
            echo "    got      $got" >&2
        fi
        rm -f -- "$tmp"
        tmp=""
    done
    [ "$ok" = 1 ] || die "$name: no verified copy from any mirror (tried: ${mirrors[*]})"
done

echo "MNIST is ready in $dir"
