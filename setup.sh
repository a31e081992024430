#!/usr/bin/env bash
# One command from a fresh clone: install what tkbench needs (Debian packages),
# build it, then run the main job -- or, with --test, the test suite.
#
#   bash setup.sh            install, build, compile rmsnorm's whole space for sm_90; on a machine
#                            with a GPU, then tune rmsnorm at a prefill and a decode shape and
#                            print the roofline report
#   bash setup.sh --test     install, build, run the fast tests (what CI runs)
#   bash setup.sh --test-all install, build, run every test, slow ones included
#   bash setup.sh --main-job the main job alone, with build/tkbench as it is (a build copied to a
#                            GPU machine that cannot install or build)
set -euo pipefail
cd "$(dirname "$0")"

mode=${1:-run}
case "$mode" in run|--test|--test-all|--main-job) ;; *) echo "usage: bash setup.sh [--test|--test-all|--main-job]" >&2; exit 2 ;; esac

# The main job: compile the space (no GPU needed), then, where there is a
# GPU, tune a prefill and a decode shape and report where they stand.
main_job() {
  echo "==> tkbench compile rmsnorm --shape 4096x8192 --arch sm_90   (a row per config; the last ones:)"
  build/tkbench compile rmsnorm --shape 4096x8192 --arch sm_90 | tail -n 4
  echo "==> again: served from the compiled-kernel cache"
  build/tkbench compile rmsnorm --shape 4096x8192 --arch sm_90 | tail -n 1
  if ! build/tkbench devices; then  # exit 3 with one sentence where there is no GPU
    echo "==> no GPU here: the tune and report steps need one (everything above runs anywhere)"
    return 0
  fi
  local doc=tkbench-results/setup-rmsnorm.json
  echo "==> tkbench tune rmsnorm --shape 4096x8192,1x8192 --force -o $doc"
  build/tkbench tune rmsnorm --shape 4096x8192,1x8192 --force -o "$doc"
  echo "==> tkbench report $doc"
  build/tkbench report "$doc"
}
if [ "$mode" = --main-job ]; then
  [ -x build/tkbench ] || { echo "error: build/tkbench is missing: run bash setup.sh first" >&2; exit 2; }
  main_job
  exit 0
fi

packages=(cmake ninja-build g++ libcli11-dev libfmt-dev libtomlplusplus-dev catch2 nlohmann-json3-dev libmuparser-dev)
# The tests open the HTML report in headless Chromium (and must, not skip); the QuACK
# staging check packs with xz.
if [ "$mode" != run ]; then packages+=(chromium python3 xz-utils); export TKBENCH_REQUIRE_CHROMIUM=1; fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "==> installing ${missing[*]}"
  if [ "$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null; then sudo="sudo"; else
    echo "error: need root (or sudo) to install: ${missing[*]}" >&2; exit 2; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

cuda=${CUDA_HOME:-/usr/local/cuda}
if [ ! -x "$cuda/bin/nvcc" ] && [ ! -f "$cuda/include/nvrtc.h" ]; then
  echo "error: the CUDA Toolkit 13.0 was not found at $cuda (set CUDA_HOME). It provides NVRTC and the CUDA runtime." >&2
  exit 3
fi

echo "==> building (build/)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DCUDAToolkit_ROOT="$cuda" >/dev/null
cmake --build build -j "$(nproc)"

# Runs ctest, then prints one plain line CI's log reader counts from:
# "N passed, N failed, N skipped", from the totals of ctest's JUnit file
# (ctest's own "100% tests passed" counts skipped tests among the passed).
# Returns ctest's status.
run_tests() {
  local junit="$PWD/build/ctest-junit.xml" status=0
  rm -f "$junit"
  ctest --test-dir build "$@" --output-on-failure -j "$(nproc)" --output-junit "$junit" || status=$?
  total() { local n; n=$(sed '/<testcase/q' "$junit" 2>/dev/null | grep -oE "\b$1=\"[0-9]+\"" | grep -oE '[0-9]+' | head -n 1) || true; echo "${n:-0}"; }
  local tests failed skipped
  tests=$(total tests) failed=$(total failures) skipped=$(($(total skipped) + $(total disabled)))
  echo "$((tests - failed - skipped)) passed, $failed failed, $skipped skipped"
  return "$status"
}

case "$mode" in
  run) main_job ;;
  --test)     run_tests -L fast ;;
  --test-all) run_tests ;;
esac
