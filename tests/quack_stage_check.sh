#!/usr/bin/env bash
# bench/rmsnorm/quack_stage.sh's packing and receiving, on a stand-in for QuACK's
# install (a `quack` package and its metadata, plus 3 MB that xz cannot shrink, so
# it comes in several parts): packed into 1 MiB parts, each received by a call of
# its own, as the GPU machine receives them; the install comes back whole, the import
# check passes, a call with no part and a corrupted part are refused.
#   tests/quack_stage_check.sh [REPOSITORY_ROOT]
set -uo pipefail
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
script=$root/bench/rmsnorm/quack_stage.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
fail() { echo "quack_stage_check: $*" >&2; status=1; }

site=$work/site
mkdir -p "$site/quack" "$site/quack_kernels-0.6.5.dist-info"
echo 'def rmsnorm_fwd(): pass' > "$site/quack/rmsnorm.py"
touch "$site/quack/__init__.py"
printf 'Metadata-Version: 2.1\nName: quack-kernels\nVersion: 0.6.5\n' > "$site/quack_kernels-0.6.5.dist-info/METADATA"
head -c 3000000 /dev/urandom > "$site/quack/payload.bin"

export QUACK_STAGE=$work/stage QUACK_PARTS=.quack ROOM=1048576
mkdir -p "$work/here"
(cd "$work/here" && bash "$script" pack "$site") > "$work/pack.txt" 2>&1 || fail "pack failed: $(cat "$work/pack.txt")"
count=$(ls -d "$work/here/.quack"/[0-9]* 2>/dev/null | wc -l)
[ "$count" -ge 3 ] || fail "3 MB in 1 MiB parts came out as $count parts"

# A call that carries no part, before any came: refused (exit 2).
mkdir -p "$work/call0"
(cd "$work/call0" && bash "$script" receive) > /dev/null 2>&1
[ $? -eq 2 ] || fail "receive with no part and none kept did not exit 2"

# One call a part, each in a fresh copy of the tree holding only its part.
for k in $(seq 1 "$count"); do
  call=$work/call$k
  mkdir -p "$call/.quack" && cp -r "$work/here/.quack/$k" "$call/.quack/"
  out=$( (cd "$call" && bash "$script" receive) 2>&1) || fail "call $k: receive failed: $out"
  grep -q "$k of $count kept" <<< "$out" || fail "call $k: expected '$k of $count kept' in: $out"
done
grep -q "import quack.rmsnorm: ok, quack-kernels 0.6.5" <<< "$out" || fail "no passing import check after the last part: $out"
diff -r "$site" "$QUACK_STAGE/site" > /dev/null || fail "the unpacked install differs from the one packed"
[ "$(cut -d: -f1 "$QUACK_STAGE/pythonpath")" = "$QUACK_STAGE/site" ] || fail "pythonpath does not start with the site"
out=$( (cd "$work/call1" && bash "$script" status) 2>&1)
grep -q "$count of $count parts kept" <<< "$out" || fail "status does not count every part: $out"

# A part changed on the way: refused (exit 1), nothing unpacked from it.
bad=$work/bad
mkdir -p "$bad/.quack" && cp -r "$work/here/.quack/2" "$bad/.quack/"
printf 'x' | dd of="$(ls "$bad/.quack/2"/part-*)" bs=1 seek=100 conv=notrunc 2> /dev/null
(cd "$bad" && bash "$script" receive) > /dev/null 2>&1
[ $? -eq 1 ] || fail "a corrupted part was not refused with exit 1"

bash -n "$script" || fail "quack_stage.sh: bash -n"
[ "$status" -eq 0 ] && echo "quack_stage_check: $count parts packed, received one a call, unpacked whole; no part and a bad part refused"
exit "$status"
