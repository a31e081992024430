#!/usr/bin/env bash
# bench/rmsnorm/quack_stage.sh: QuACK for peers.sh, in parts small enough to travel.
#
# QuACK 0.6.5 and what it needs beyond the GPU machine's image come to 272 MB
# installed, 67 MB xz-compressed; a device call carries 64 MiB in all, the
# tracked tree included (39 MB on 2026-12-08). So the install is compressed and cut
# into parts that each fit one call beside the tree, sent by as many calls to the
# same held machine and put together in /var/tmp there (it lasts while the machine
# is held).
#
#   bash bench/rmsnorm/quack_stage.sh prepare   here (needs PyPI): fetch the wheels of
#        quack_requirements.txt (hashes checked), install them for CPython 3.12 x86-64 into
#        one folder, xz it and cut it into .quack/1, .quack/2, ...; prints the calls to make
#   bash bench/rmsnorm/quack_stage.sh receive   there, in each of those calls, carry
#        [".quack/K"]: checks the part that came (sha256) and keeps it in $QUACK_STAGE; once all
#        have come, unpacks the install, checks it whole and tries `import quack.rmsnorm`
#   bash bench/rmsnorm/quack_stage.sh status    there: the parts kept so far, and whether
#        the install is unpacked
#   bash bench/rmsnorm/quack_stage.sh pack DIR  prepare's last step alone: any installed folder
#        (tests/quack_stage_check.sh packs a stand-in)
# peers.sh then takes QuACK from $QUACK_STAGE/pythonpath on the same held machine.
#
# Knobs: QUACK_STAGE (there; default /var/tmp/quack), QUACK_PARTS (both: where the parts
# are; default .quack), QUACK_WHEELS (here: where the wheels are fetched; default
# .quack/wheels), ROOM (here: bytes a part may take; default what a call has beside the
# tree as it stands, less 1 MiB), PYTHON (there; default python3).
# Not carried: cuda-bindings, cuda-pathfinder, einops, protobuf, typing-extensions (the
# image holds versions that meet QuACK's needs; device KINDS.md), and
# nvidia-cutlass-dsl-libs-cu12, which nvidia-cutlass-dsl asks for: libs-cu13 stands in
# for it on a CUDA 13 machine.
set -euo pipefail
export PIP_ROOT_USER_ACTION=ignore
phase=${1:-}
stage=${QUACK_STAGE:-/var/tmp/quack}
parts_dir=${QUACK_PARTS:-.quack}
python=${PYTHON:-python3}
call_limit=$((64 * 1024 * 1024))  # what one device call carries, the tree included

# Bytes of the tree that travels with every call: tracked files and untracked ones git
# does not ignore (device README).
tree_bytes() {
  git ls-files -z --cached --others --exclude-standard |
    xargs -0 stat -c %s 2>/dev/null | awk '{ s += $1 } END { print s + 0 }'
}

prepare() {
  local wheels=${QUACK_WHEELS:-$parts_dir/wheels} files=() name
  mkdir -p "$wheels"
  python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
    --platform manylinux_2_28_x86_64 --require-hashes -r bench/rmsnorm/quack_requirements.txt -d "$wheels"
  build=$(mktemp -d)
  trap 'rm -rf "$build"' EXIT
  # Installed here for the GPU machine's Python: pip unpacks the wheels and merges the
  # packages that share nvidia_cutlass_dsl/ (one pip call: separate ones would replace it).
  while read -r name _; do
    [ -n "$name" ] || continue
    files+=("$(ls "$wheels"/"$(echo "${name%%==*}" | tr - _)"-"${name##*==}"-*.whl)")
  done < <(grep -v '^#' bench/rmsnorm/quack_requirements.txt)
  python3 -m pip install -q --no-deps --no-compile --only-binary=:all: --python-version 3.12 \
    --implementation cp --platform manylinux_2_28_x86_64 --target "$build/site" "${files[@]}"
  echo "installed for CPython 3.12: $(du -sb "$build/site" | cut -f1) bytes"
  pack "$build/site"
}

# SITE xz-compressed and cut into $parts_dir/1, 2, ..., each part with the manifest: the
# archive's sha256 and size, the number of parts, each part's sha256.
pack() {
  local site=$1 work archive room count k
  work=$(mktemp -d)
  archive=$work/quack.tar.xz
  # Names sorted, owners and times fixed: the same wheels give the same archive.
  tar --sort=name --mtime=2026-01-01 --owner=0 --group=0 --numeric-owner -C "$site" -cf - . |
    xz -9 -T0 > "$archive"
  room=${ROOM:-$((call_limit - $(tree_bytes) - 1024 * 1024))}
  if [ "$room" -lt $((4 * 1024 * 1024)) ] && [ -z "${ROOM:-}" ]; then
    echo "quack_stage: a call has only $room bytes beside the tree: too little for a part" >&2
    exit 1
  fi
  rm -rf "${parts_dir:?}"/[0-9]*
  split -b "$room" -d -a 2 "$archive" "$work/part-"
  count=$(ls "$work"/part-* | wc -l)
  {
    echo "archive $(sha256sum "$archive" | cut -d' ' -f1) $(stat -c %s "$archive")"
    echo "parts $count"
    (cd "$work" && sha256sum part-*)
  } > "$work/MANIFEST"
  k=0
  for part in "$work"/part-*; do
    k=$((k + 1))
    mkdir -p "$parts_dir/$k"
    mv "$part" "$parts_dir/$k/"
    cp "$work/MANIFEST" "$parts_dir/$k/"
  done
  echo "$(stat -c %s "$archive") bytes xz-compressed, in $count parts of at most $room bytes:"
  rm -rf "$work"
  for k in $(seq 1 "$count"); do
    echo "  call $k: carry [\"$parts_dir/$k\"] ($(stat -c %s "$parts_dir/$k"/part-*) bytes), command: bash bench/rmsnorm/quack_stage.sh receive"
  done
  echo "(a part smaller than the room may ride with the peers call itself, beside what it carries:"
  echo " begin that call's command with: bash bench/rmsnorm/quack_stage.sh receive && ...)"
  echo "then, on the same held machine: bash bench/rmsnorm/peers.sh (QuACK from $stage/pythonpath)"
}

# The parts kept in $stage/parts that the manifest names with their sha256; prints how many.
parts_kept() {
  local manifest=$1 n=0
  while read -r sum name; do
    [ -e "$stage/parts/$name" ] && [ "$(sha256sum "$stage/parts/$name" | cut -d' ' -f1)" = "$sum" ] && n=$((n + 1))
  done < <(tail -n +3 "$manifest")
  echo "$n"
}

receive() {
  local came=0 manifest="" sum name expected count kept
  mkdir -p "$stage/parts"
  for dir in "$parts_dir"/[0-9]*; do
    [ -e "$dir/MANIFEST" ] || continue
    manifest=$dir/MANIFEST
    cp "$manifest" "$stage/MANIFEST"
    for part in "$dir"/part-*; do
      name=$(basename "$part")
      expected=$(awk -v n="$name" '$2 == n { print $1 }' "$manifest")
      sum=$(sha256sum "$part" | cut -d' ' -f1)
      if [ "$sum" != "$expected" ]; then
        echo "quack_stage: $part has sha256 $sum, the manifest says $expected: run prepare again" >&2
        exit 1
      fi
      cp "$part" "$stage/parts/"
      came=$((came + 1))
    done
  done
  if [ ! -e "$stage/MANIFEST" ]; then
    echo "quack_stage: no part here and none kept: carry .quack/K (made by prepare)" >&2
    exit 2
  fi
  count=$(awk '$1 == "parts" { print $2 }' "$stage/MANIFEST")
  kept=$(parts_kept "$stage/MANIFEST")
  echo "quack_stage: $came part(s) came with this call; $kept of $count kept in $stage/parts"
  [ "$kept" -eq "$count" ] || exit 0
  unpack
}

unpack() {
  local expected sum
  expected=$(awk '$1 == "archive" { print $2 }' "$stage/MANIFEST")
  sum=$(cat "$stage"/parts/part-* | sha256sum | cut -d' ' -f1)
  if [ "$sum" != "$expected" ]; then
    echo "quack_stage: the parts put together have sha256 $sum, not the archive's $expected" >&2
    exit 1
  fi
  rm -rf "$stage/site" && mkdir -p "$stage/site"
  cat "$stage"/parts/part-* | xz -d | tar -xf - -C "$stage/site"
  # nvidia_cutlass_dsl finds its packages through a .pth file, which PYTHONPATH does not
  # read: its folder goes on the path as well.
  echo "$stage/site:$stage/site/nvidia_cutlass_dsl/dsl_packages" > "$stage/pythonpath"
  echo "quack_stage: unpacked into $stage/site ($(du -sb "$stage/site" | cut -f1) bytes)"
  PYTHONPATH="$(cat "$stage/pythonpath")${PYTHONPATH:+:$PYTHONPATH}" "$python" -c \
    'import importlib.metadata as m, quack.rmsnorm; print("import quack.rmsnorm: ok, quack-kernels", m.version("quack-kernels"))' ||
    echo "quack_stage: the import failed (above); peers.py will record QuACK as missing with its error"
}

status() {
  if [ ! -e "$stage/MANIFEST" ]; then echo "quack_stage: nothing kept in $stage"; return; fi
  echo "quack_stage: $(parts_kept "$stage/MANIFEST") of $(awk '$1 == "parts" { print $2 }' "$stage/MANIFEST") parts kept in $stage/parts"
  [ -e "$stage/pythonpath" ] && echo "unpacked; PYTHONPATH fragment: $(cat "$stage/pythonpath")"
  return 0
}

case $phase in
  prepare) prepare ;;
  receive) receive ;;
  status) status ;;
  pack) [ -d "${2:-}" ] || { echo "usage: $0 pack SITE_DIR" >&2; exit 2; }; pack "$2" ;;
  *) echo "usage: $0 prepare|receive|status|pack SITE_DIR   (bench/rmsnorm/quack_stage.sh's header says which runs where)" >&2; exit 2 ;;
esac
