# Sourced by the device scripts: the carried build, its libraries, a fresh
# tkbench cache, and $OUT for what comes back.
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:$PWD/.carry/lib:${LD_LIBRARY_PATH:-}
export TKBENCH_BINARY=$PWD/.carry/tkbench TKBENCH_TEST_FIXTURES=$PWD/tests/fixtures
TK=$PWD/.carry/tkbench
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
export XDG_CACHE_HOME=$(mktemp -d)
