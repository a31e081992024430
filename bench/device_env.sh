# Sourced by the device scripts: the carried build, its libraries, a fresh
# tkbench cache, and $OUT for what comes back.
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:$PWD/.carry/lib:${LD_LIBRARY_PATH:-}
export TKBENCH_BINARY=$PWD/.carry/tkbench TKBENCH_TEST_FIXTURES=$PWD/tests/fixtures
TK=$PWD/.carry/tkbench
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
# The device tool returns at most 8 files from $OUT: scripts write into $RUN
# and pack it into one archive at exit (pack_run NAME), beside their log.
RUN=$(mktemp -d)
pack_run() { tar czf "$OUT/$1.tgz" -C "$RUN" . && echo ">> files: $1.tgz ($(ls "$RUN" | wc -l) files)"; }
export XDG_CACHE_HOME=$(mktemp -d)
