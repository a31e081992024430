#!/usr/bin/env bash
# bench/rmsnorm/peers.sh: issue 18's "tkbench vs best peer" in one device call
# (< 9 min), from the repo root with a stripped build and Liger's wheel in .carry/
# (bench/README.md; the wheel: bash bench/rmsnorm/fetch_peers.sh):
#   1. calibrate; tune rmsnorm and add_rmsnorm at every shape of
#      bench/rmsnorm/shapes.toml plus 16384x5125, 4096x5125, 65536x1001 (bayes
#      at M >= 256 with `tune`'s default budget of 150, decode shapes searched
#      whole, capped per shape). At 60 a shape (the default before 2026-12-07)
#      8 of 52 pairs came out 0.0-0.6% behind Liger at the copy limit; at 150,
#      51 of 52 were ahead (results/2026-12-07f-h100)
#   2. peers.py on the same shapes: PyTorch eager, torch.compile, Liger (and
#      QuACK where importable), timed as torch_baseline.py times PyTorch
#   3. one table (peers_summary.py): tkbench, each peer, the best peer, "tkbench
#      vs best peer", QuACK's anchor figures where it was not carried
#   4. where tkbench is slower, `tkbench profile` of its best config there, and the
#      table again with those counters (DRAM efficiency and %, occupancy)
#
#   bash bench/rmsnorm/peers.sh            all of it (budgets cut to fit one call)
#   bash bench/rmsnorm/peers.sh tkbench    calibrate and tune only; the documents also go to $STATE
#   bash bench/rmsnorm/peers.sh peers [DIR]  peers and the table, with the documents of an earlier
#                                          `tkbench` phase in DIR (default $STATE: the same held machine)
# run.sh's budgets (120 configs and 8 s a shape, decode 30 s) need three calls to the same held
# machine, about 8 minutes each (tkbench calls split by TEMPLATES add up in $STATE):
#   TEMPLATES=rmsnorm BUDGET=120 TUNE_TIME=8s DECODE_TIME=30s bash bench/rmsnorm/peers.sh tkbench
#   TEMPLATES=add_rmsnorm BUDGET=120 TUNE_TIME=8s DECODE_TIME=30s bash bench/rmsnorm/peers.sh tkbench
#   bash bench/rmsnorm/peers.sh peers
# Knobs: SHAPES (MxN,... replaces the shape set; a `peers` call defaults to its `tkbench` call's),
# EXTRA_SHAPES (added to shapes.toml's; default the three odd-N ones, empty for none),
# TEMPLATES (default rmsnorm add_rmsnorm), BUDGET (configs a shape at M >= 256; default 150),
# TUNE_TIME (per shape, default 10s), DECODE_TIME (per decode shape, default 10s),
# TOTAL_CAP (seconds for the whole script, default 530), PEERS_RESERVE (seconds kept for
# peers and the table in `all`, default 200: about 170 s for peers.py at all 26 shapes), PEERS (eager,compiled,liger,quack),
# WHEELS (default .carry/wheels), QUACK_SITE (PYTHONPATH entries where QuACK and its needs are
# installed; optional; default what rmsnorm/quack_stage.sh unpacked on this held machine, if it
# did: /var/tmp/quack/pythonpath), STATE (default /var/tmp/tkbench-peers).
# Every step's exit code and seconds land in steps.tsv; everything in $RUN is packed into
# $OUT/rmsnorm_peers.tgz, and the table is printed last.
set -u
phase=${1:-all}
case $phase in all|tkbench|peers) ;; *) echo "usage: $0 [all|tkbench|peers [DIR]]" >&2; exit 2 ;; esac
source bench/device_env.sh
trap 'pack_run rmsnorm_peers' EXIT
begin=$(date +%s)
elapsed() { echo $(( $(date +%s) - begin )); }
total_cap=${TOTAL_CAP:-530}
STATE=${STATE:-/var/tmp/tkbench-peers}
# step NAME CMD...: runs CMD, records its exit code and seconds in steps.tsv (a failed step never
# stops the script); its line goes to fd 3, the log, whatever the caller redirected CMD's output to.
exec 3>&1
step() {
  local name=$1 start rc; start=$(date +%s); shift
  "$@"; rc=$?
  printf '%s\t%s\t%s\n' "$name" "$rc" "$(( $(date +%s) - start ))" >> "$RUN/steps.tsv"
  echo ">> [$(elapsed) s] $name: exit $rc after $(( $(date +%s) - start )) s" >&3
  return $rc
}

# A `peers` call tunes nothing: it takes the shapes its `tkbench` call recorded, unless SHAPES says otherwise.
if [ -z "${SHAPES:-}" ] && [ "$phase" = peers ] && [ -s "${2:-$STATE}/shapes.txt" ]; then
  SHAPES=$(cat "${2:-$STATE}/shapes.txt")
fi
shapes=${SHAPES:-$(python3 - <<'PY'
import tomllib
t = tomllib.load(open("bench/rmsnorm/shapes.toml", "rb"))
print(",".join(f"{m}x{n}" for c in t.values() for m in c["M"] for n in c["N"]))
PY
),${EXTRA_SHAPES-16384x5125,4096x5125,65536x1001}}
shapes=${shapes%,}
echo ">> shapes: $shapes"
decode=$(echo "${shapes//,/ }" | tr ' ' '\n' | awk -Fx '$1 < 256' | paste -sd,)
large=$(echo "${shapes//,/ }" | tr ' ' '\n' | awk -Fx '$1 >= 256' | paste -sd,)
gpu=$(nvidia-smi --query-gpu=name --format=csv,noheader | head -1 | awk '{print tolower($2)}')
templates=${TEMPLATES:-rmsnorm add_rmsnorm}

if [ "$phase" != peers ]; then
  step calibrate "$TK" calibrate -q > /dev/null; "$TK" devices | tee "$RUN/devices.txt"
  # The tune calls share what is left before the peers' reserve, each its fair share of what
  # remains (a cut tune still writes what it measured: tkbench finishes the config in hand on SIGTERM).
  reserve=$([ "$phase" = all ] && echo "${PEERS_RESERVE:-200}" || echo 0)
  calls=()
  for t in $templates; do
    "$TK" show "$t" > /dev/null 2>&1 || { echo ">> $t: not a built-in template in this build"; printf '%s\t%s\t0\n' "show $t" 1 >> "$RUN/steps.tsv"; continue; }
    [ -n "$large" ] && calls+=("$t:large")
    [ -n "$decode" ] && calls+=("$t:decode")
  done
  left_calls=${#calls[@]}
  for call in "${calls[@]}"; do
    t=${call%:*} kind=${call#*:}
    cap=$(( (total_cap - reserve - $(elapsed)) / left_calls )); left_calls=$(( left_calls - 1 ))
    if [ "$cap" -lt 10 ]; then
      echo ">> tune $t $kind: skipped, no time left"; printf '%s\t%s\t0\n' "tune $t $kind" skipped >> "$RUN/steps.tsv"; continue
    fi
    if [ "$kind" = large ]; then
      step "tune $t large" timeout -k 20 "$cap" "$TK" tune "$t" --shape "$large" --dtype bf16 --max-time 0.25 \
        --time "${TUNE_TIME:-10s}" --strategy bayes --budget "${BUDGET:-150}" \
        -o "$RUN/$t-$gpu.json" -q > "$RUN/$t-tune.txt" 2>&1
    else  # no --strategy: spaces of <= 256 configs are searched whole, as run.sh does
      step "tune $t decode" timeout -k 20 "$cap" "$TK" tune "$t" --shape "$decode" --dtype bf16 --max-time 0.25 \
        --time "${DECODE_TIME:-10s}" -o "$RUN/$t-decode-$gpu.json" -q > "$RUN/$t-decode-tune.txt" 2>&1
    fi
    grep -v "configs, .* failed$" "$RUN/$t$([ "$kind" = decode ] && echo -decode)-tune.txt" | tail -n 8
  done
  # Only this call's templates are replaced: tkbench calls split by TEMPLATES add up in $STATE.
  mkdir -p "$STATE"
  for t in $templates; do rm -f "$STATE/$t-$gpu.json" "$STATE/$t-decode-$gpu.json"; done
  cp "$RUN"/*-"$gpu".json "$STATE"/ 2>/dev/null
  echo "$shapes" > "$STATE/shapes.txt"
  echo ">> tkbench documents kept in $STATE for a later \`peers\` call on this machine"
fi
[ "$phase" = tkbench ] && exit 0

if [ "$phase" = peers ]; then
  docs_dir=${2:-$STATE}
  ls "$docs_dir"/*.json > /dev/null 2>&1 || echo ">> no tkbench documents in $docs_dir: the table will say so"
  cp "$docs_dir"/*.json "$RUN"/ 2>/dev/null
fi

# Liger travels as a wheel (no network there), installed offline as the device README prescribes.
wheels=${WHEELS:-.carry/wheels}
site=$(mktemp -d)
if ls "$wheels"/*.whl > /dev/null 2>&1; then
  step "install wheels" python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
    --target "$site" "$wheels"/*.whl > "$RUN/pip.txt" 2>&1 || tail -n 5 "$RUN/pip.txt"
else
  echo ">> no wheels in $wheels: Liger will be recorded as missing (bash bench/rmsnorm/fetch_peers.sh, carry .carry)"
fi
# QuACK travels in parts over several calls (rmsnorm/quack_stage.sh), unpacked into /var/tmp.
QUACK_SITE=${QUACK_SITE:-$(cat "${QUACK_STAGE:-/var/tmp/quack}/pythonpath" 2>/dev/null || true)}
[ -n "$QUACK_SITE" ] || echo ">> QuACK not staged on this machine (bench/rmsnorm/quack_stage.sh): the anchors stand in for it"
pypath=$site${QUACK_SITE:+:$QUACK_SITE}${PYTHONPATH:+:$PYTHONPATH}

left=$(( total_cap - $(elapsed) - 10 ))
if [ "$left" -ge 30 ]; then
  # shellcheck disable=SC2086  # one argument per shape
  step peers env PYTHONPATH="$pypath" PYTHONUNBUFFERED=1 timeout -k 10 "$left" \
    python3 bench/rmsnorm/peers.py "$RUN/peers.jsonl" ${shapes//,/ } > "$RUN/peers.txt" 2>&1
  grep "^peer" "$RUN/peers.txt" | grep -v ": ok " | head -n 20; grep -i "Traceback" -A 3 "$RUN/peers.txt" | head -n 12
else
  echo ">> peers: skipped, $left s left"; printf 'peers\tskipped\t0\n' >> "$RUN/steps.tsv"
fi

echo ">> [$(elapsed) s] summary"
python3 bench/rmsnorm/peers_summary.py "$RUN" --shapes "$shapes" --misses-out "$RUN/misses.txt" > "$RUN/summary.md"
# Where tkbench is slower, the counters of its best config there (the goal asks what they show),
# while time is left; then the table again, with them.
if [ -s "$RUN/misses.txt" ]; then
  profile_misses "$RUN/misses.txt" $(( begin + total_cap ))
  python3 bench/rmsnorm/peers_summary.py "$RUN" --shapes "$shapes" > "$RUN/summary.md"
fi
cat "$RUN/summary.md"
