#!/usr/bin/env bash
# bench/rmsnorm/fetch_peers.sh: fetches, here (the GPU machine has no network), the
# wheel of the peer that peers.sh installs offline there: Liger-Kernel, pure Python +
# Triton, under 1 MB. It needs torch and triton, which the GPU machine's image holds,
# so nothing else is fetched (--no-deps). Run from the repo root; then carry .carry.
#
#   bash bench/rmsnorm/fetch_peers.sh          liger-kernel 0.8.5 (the anchors' version), sha256 checked
#   LIGER_VERSION=0.9.0 bash ...fetch_peers.sh another version (its hash printed, not checked)
# WHEELS (default .carry/wheels) is where it lands; older Liger wheels there are removed
# first, as two versions of one package stop the offline install.
set -euo pipefail
version=${LIGER_VERSION:-0.8.5}
wheels=${WHEELS:-.carry/wheels}
# The 0.8.5 wheel as PyPI served it on 2026-12-06: a different file is not the peer the anchors timed.
pinned_sha256=60789cd576af073ab9b192b570d2597fd0cdad489cd62fb44fb16256d43754c9

mkdir -p "$wheels"
rm -f "$wheels"/liger_kernel-*.whl
# Pure-Python wheel: the platform flags keep pip from choosing by this machine's Python (the GPU machine runs 3.12).
python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
  -d "$wheels" "liger-kernel==$version"
whl=$(ls "$wheels"/liger_kernel-"$version"-*.whl)
sum=$(sha256sum "$whl" | cut -d' ' -f1)
if [ "$version" = 0.8.5 ] && [ "$sum" != "$pinned_sha256" ]; then
  echo "fetch_peers: $whl has sha256 $sum, not the pinned $pinned_sha256" >&2
  exit 1
fi
echo "fetched $whl ($(stat -c %s "$whl") bytes, sha256 $sum)"
unzip -p "$whl" '*/METADATA' | grep -E '^(Name|Version|Requires-Dist): ' | grep -v 'extra ==' | sed 's/^/  /'
echo "carry: .carry (bench/rmsnorm/peers.sh installs $wheels/*.whl with pip --no-index --no-deps)"
