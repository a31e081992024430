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

# progress MESSAGE: ">> [N s] MESSAGE", N the seconds since the script set $begin.
progress() { echo ">> [$(( $(date +%s) - ${begin:-$(date +%s)} )) s] $*"; }

# skinny_shapes: issue 17's 27 skinny GEMM shapes, M in {16, 64, 128} and N, K
# in {4096, 7168, 14336}, comma-separated.
skinny_shapes() {
  for m in 16 64 128; do for n in 4096 7168 14336; do for k in 4096 7168 14336; do echo "${m}x${n}x$k"; done; done; done | paste -sd,
}

# tune_into_run NAME TEMPLATE SHAPES DTYPE STRATEGY [tune options]: a tune from
# scratch (--force) into $RUN/tune-NAME.json and .txt, cut after TUNE_TIMEOUT
# seconds (default 150; a cut tune still writes what it measured); its last
# lines printed, and with --counters among the options its report kept beside
# it and the counters' lines printed.
tune_into_run() {
  local name=$1 template=$2 shapes=$3 dtype=$4 strategy=$5; shift 5
  progress "tune $template $shapes $dtype ($strategy $*)"
  timeout "${TUNE_TIMEOUT:-150}" "$TK" tune "$template" --shape "$shapes" --dtype "$dtype" --strategy "$strategy" --force \
    -o "$RUN/tune-$name.json" "$@" > "$RUN/tune-$name.txt" 2>&1
  echo "   exit $?"; tail -n 8 "$RUN/tune-$name.txt"
  if [[ " $* " == *" --counters "* ]]; then
    "$TK" report "$RUN/tune-$name.json" > "$RUN/report-$name.txt" 2>&1
    grep -iE "tensor|L2|DRAM|occup" "$RUN/report-$name.txt" | head -8
  fi
}

# profile_misses FILE DEADLINE: `tkbench profile --json` of each line of FILE (`template
# shape dtype config`: a summary's --misses-out) into $RUN/counters/, each cut after 60 s,
# none started within 20 s of DEADLINE (epoch seconds); the summaries set these counters
# beside each shortfall. Exit codes and seconds go to $RUN/steps.tsv.
profile_misses() {
  local file=$1 deadline=$2 t s d c left start rc
  [ -s "$file" ] || return 0
  mkdir -p "$RUN/counters"
  while read -r -u 4 t s d c; do
    left=$(( deadline - $(date +%s) ))
    if [ "$left" -lt 20 ]; then
      progress "counters at $t $s: skipped, $left s left"; printf 'profile %s %s\tskipped\t0\n' "$t" "$s" >> "$RUN/steps.tsv"
      continue
    fi
    start=$(date +%s)
    timeout -k 5 $(( left < 60 ? left : 60 )) "$TK" profile "$t" --shape "$s" --dtype "$d" --config "$c" \
      --max-time 0.5 --json > "$RUN/counters/$t-$s.json" 2> "$RUN/counters/$t-$s.err"
    rc=$?
    printf 'profile %s %s\t%s\t%s\n' "$t" "$s" "$rc" "$(( $(date +%s) - start ))" >> "$RUN/steps.tsv"
    progress "counters at $t $s: exit $rc after $(( $(date +%s) - start )) s"
  done 4< "$file"
}
