#!/usr/bin/env bash
# Runs README.md's tour as written, so it cannot rot: every command of the
# ```sh block after the "<!-- tour: offline" marker (or "<!-- tour: gpu", on a
# GPU machine), from a temporary copy laid out like the repository
# (build/tkbench, tests/fixtures/, bench/gate/), with a fresh kernel cache.
# Bare output names (-o report.html) land in that folder, and each must exist
# afterwards. A command is expected to exit 0, or N where its comment says
# "# exit N".
#
#   tests/readme_tour.sh [--tour offline|gpu] [TKBENCH_BINARY]     (default: offline, build/tkbench)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tour=offline
if [ "${1:-}" = --tour ]; then tour=$2; shift 2; fi
binary=$(realpath "${1:-$root/build/tkbench}")

work=$(mktemp -d "${TMPDIR:-/tmp}/tkbench-readme-tour.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/build" "$work/tests"
ln -s "$binary" "$work/build/tkbench"
cp -r "$root/tests/fixtures" "$work/tests/fixtures"
mkdir -p "$work/bench" && cp -r "$root/bench/gate" "$work/bench/gate"
export XDG_CACHE_HOME="$work/cache" NO_COLOR=1

commands=$(awk -v marker_text="<!-- tour: $tour" 'index($0, marker_text) == 1 { marker = 1; next }
                marker && /^```sh/ { inside = 1; next }
                inside && /^```/ { exit }
                inside && /^build\/tkbench / { print }' "$root/README.md")
if [ -z "$commands" ]; then
  echo "readme_tour: no $tour tour found in README.md (a \`\`\`sh block after '<!-- tour: $tour')" >&2
  exit 2
fi

failed=0 count=0
while IFS= read -r line; do
  count=$((count + 1))
  expected=0
  if [[ $line =~ \#[[:space:]]*exit[[:space:]]+([0-9]+) ]]; then expected=${BASH_REMATCH[1]}; fi
  status=0
  (cd "$work" && bash -c "$line") > "$work/output.log" 2>&1 < /dev/null || status=$?
  problem=""
  if [ "$status" != "$expected" ]; then problem="exit $status, expected $expected"; fi
  # Every file the command was asked to write is there and not empty.
  command_part=${line%%#*}
  read -r -a words <<< "$command_part"
  for ((i = 0; i + 1 < ${#words[@]}; i++)); do
    case "${words[i]}" in
      -o|--output|--junit|--markdown)
        [ -s "$work/${words[i + 1]}" ] || problem+="${problem:+; }${words[i + 1]} was not written" ;;
    esac
  done
  if [ -n "$problem" ]; then
    failed=$((failed + 1))
    echo "FAIL: $line"
    echo "      $problem; its output:"
    sed 's/^/      | /' "$work/output.log"
  else
    echo "ok:   ${command_part%"${command_part##*[![:space:]]}"}"
    [ "$tour" = offline ] || sed 's/^/      | /' "$work/output.log" | tail -n 12
  fi
done <<< "$commands"

echo "readme_tour: $((count - failed)) of $count $tour tour commands ran as the README says"
[ "$failed" = 0 ]
