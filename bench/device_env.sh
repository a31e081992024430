# Sourced by the device scripts: the carried build, its libraries, a fresh
# tkbench cache, and $OUT for what comes back.
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:$PWD/.carry/lib:${LD_LIBRARY_PATH:-}
export TKBENCH_BINARY=$PWD/.carry/tkbench TKBENCH_TEST_FIXTURES=$PWD/tests/fixtures
TK=$PWD/.carry/tkbench
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
# The device tool returns at most 8 files from $OUT: scripts write into $RUN
# and pack it into one archive at exit (pack_run NAME), beside their log.
RUN=$(mktemp -d)
pack_run() { keep_calibration; tar czf "$OUT/$1.tgz" -C "$RUN" . && echo ">> files: $1.tgz ($(ls "$RUN" | wc -l) files)"; }
# Each call compiles into a fresh cache (compile times stay cold), but a warm
# machine keeps its calibration between calls: calibrating takes 1-2 minutes
# and is per GPU, so a later call on the same machine reuses it.
export XDG_CACHE_HOME=$(mktemp -d)
kept_calibration=/var/tmp/tkbench-calibration
if [ -d "$kept_calibration" ]; then
  mkdir -p "$XDG_CACHE_HOME/tkbench" && cp -r "$kept_calibration" "$XDG_CACHE_HOME/tkbench/calibration"
  echo ">> calibration kept from an earlier call on this machine"
fi
keep_calibration() {
  [ -d "$XDG_CACHE_HOME/tkbench/calibration" ] && rm -rf "$kept_calibration" &&
    cp -r "$XDG_CACHE_HOME/tkbench/calibration" "$kept_calibration"
}
