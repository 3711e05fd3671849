#!/bin/sh
# A long wait shows no leak: runs the built jobctl under valgrind against the bundled simulator,
# short and long, and fails when what valgrind finds lost grows with the number of polls.
#
# usage: Tests/Sanitizers/leak-check.sh BIN_DIR [SHORT LONG]
#   BIN_DIR  the folder holding jobctl and jobsim (`swift build --show-bin-path`)
#   SHORT    polls per job of the short runs (default 100)
#   LONG     polls per job of the long runs (default 2000)
#
# Each run is one `jobctl wait` (or `status`) on jobs that stay pending (jobsim --speed 0.0001
# keeps a simple-* job pending for more than eleven hours), polled every millisecond until
# --max-attempts gives up with exit 124. The table shows valgrind's "definitely lost" and
# "possibly lost" bytes and the heap still in use at exit. One-time allocations (libcurl's and
# OpenSSL's globals, the Swift runtime's metadata caches) are the same whatever the number of
# polls; anything allocated per poll and never freed would make the long run's numbers larger.
set -eu

bin=${1:?usage: leak-check.sh BIN_DIR [SHORT LONG]}
short=${2:-100}
long=${3:-2000}
command -v valgrind >/dev/null 2>&1 || { echo "leak-check: valgrind is not installed" >&2; exit 2; }

dir=$(mktemp -d)
"$bin/jobsim" --port 0 --port-file "$dir/port" --speed 0.0001 --quiet >/dev/null &
sim=$!
trap 'kill $sim 2>/dev/null || true; wait $sim 2>/dev/null || true; rm -rf "$dir"' EXIT INT TERM
for _ in $(seq 100); do [ -s "$dir/port" ] && break; sleep 0.1; done
[ -s "$dir/port" ] || { echo "leak-check: jobsim did not start" >&2; exit 1; }
base="http://127.0.0.1:$(cat "$dir/port")"

# Bytes valgrind put under `kind` ("definitely lost", ...) in log $1; 0 when it found no leak.
lost() {
  awk -v kind="$2:" '
    index($0, kind) { v = substr($0, index($0, kind) + length(kind)); sub(/ bytes.*/, "", v); gsub(/[ ,]/, "", v); n = v }
    END { print n + 0 }' "$1"
}
in_use() {
  awk '/in use at exit:/ { v = $0; sub(/.*in use at exit: /, "", v); sub(/ bytes.*/, "", v); gsub(/,/, "", v); n = v }
    END { print n + 0 }' "$1"
}

failed=0
printf '%-34s %6s %5s %10s %10s %10s\n' "run" "polls" "exit" "definite" "possible" "in use"
# run NAME POLLS EXPECTED-EXIT ARGS...: one jobctl under valgrind; prints its row.
run() {
  name=$1 polls=$2 expected=$3
  shift 3
  log="$dir/$name-$polls.log"
  rc=0
  valgrind --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite --error-exitcode=99 \
    --num-callers=30 --log-file="$log" \
    "$bin/jobctl" "$@" --base-url "$base" --progress none >/dev/null 2>"$dir/stderr" || rc=$?
  definite=$(lost "$log" "definitely lost")
  possible=$(lost "$log" "possibly lost")
  used=$(in_use "$log")
  printf '%-34s %6s %5s %10s %10s %10s\n' "$name" "$polls" "$rc" "$definite" "$possible" "$used"
  if [ "$rc" != "$expected" ]; then
    echo "leak-check: $name: exit $rc, expected $expected (99: valgrind found an error); see below" >&2
    sed -n '/HEAP SUMMARY/,$p' "$log" | head -80 >&2
    cat "$dir/stderr" >&2
    failed=1
  fi
  eval "${name}_${polls}=\"$definite $possible $used\""
}

jobs=""
for i in $(seq 10); do jobs="$jobs simple-leak-many-$i"; done
for polls in "$short" "$long"; do
  fast="--max-attempts $polls --interval 1ms --max-interval 1ms"
  # shellcheck disable=SC2086 # word splitting of $fast and $jobs is intended
  run wait_one "$polls" 124 wait simple-leak-one $fast
  # shellcheck disable=SC2086
  run wait_ten_jobs "$polls" 124 wait $jobs $fast
done
run status 1 9 status simple-leak-status

# Lost bytes must not grow at all; the heap in use at exit may differ by allocator noise (it has
# been byte-for-byte equal so far), while a leak of one byte per poll would add 1,900 bytes.
for name in wait_one wait_ten_jobs; do
  eval "a=\$${name}_${short}; b=\$${name}_${long}"
  # shellcheck disable=SC2154 # a and b are set by eval
  set -- $a $b
  if [ "$4" -gt "$1" ] || [ "$6" -gt $(($3 + 1024)) ]; then
    echo "leak-check: $name: lost or in-use bytes grew from $short to $long polls ($a -> $b)" >&2
    failed=1
  fi
done
[ "$failed" -eq 0 ] && echo "leak-check: no leak, and nothing grows with the number of polls"
exit "$failed"
