#!/usr/bin/env bash
# Fails when a stage includes a header of a later stage. The stages, lowest
# first (docs/ARCHITECTURE.md): tuner/ < profiler/ < reports/ < cli/. A type
# that several stages share, and its JSON form, lives in the lowest of them.
#
#   tests/layering_check.sh [REPOSITORY_ROOT]     (default: this script's repository)
set -uo pipefail
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
stages=(tuner profiler reports cli)

status=0
for ((i = 0; i < ${#stages[@]}; ++i)); do
  stage=${stages[i]}
  if [ ! -d "$root/$stage" ]; then
    echo "layering: no $stage/ in $root: update the stage list in $0" >&2
    exit 2
  fi
  later=$(IFS='|'; echo "${stages[*]:i+1}")
  [ -n "$later" ] || continue
  hits=$(cd "$root" && grep -rnE --include='*.hpp' --include='*.cpp' --include='*.h' --include='*.cuh' \
           "^[[:space:]]*#[[:space:]]*include[[:space:]]*[\"<]($later)/" "$stage")
  rc=$?
  if [ $rc -gt 1 ]; then exit 2; fi  # grep itself failed
  if [ -n "$hits" ]; then
    echo "layering: $stage/ includes a later stage (lowest first: ${stages[*]}):" >&2
    echo "$hits" >&2
    status=1
  fi
done
[ $status -eq 0 ] && echo "layering: no stage includes a later one (${stages[*]})"
exit $status
