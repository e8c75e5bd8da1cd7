#!/usr/bin/env bash
# Side-by-side load benchmark: tandemd vs rtpengine (userspace, --table=-1) vs a C reflector (the
# loopback limit), each pinned to CPU 1 with the generator on CPU 0. One command:
#
#   Bench/run.sh            full run (~12-15 min on the 2-core VM; take it on a QUIET machine)
#   Bench/run.sh --quick    short validation run (~3-4 min; numbers indicative only)
#
# Other options go to Bench/harness/bench.py (--daemons, --phases, --ramp, --duration, --note ...).
# Builds what it needs first (release): tandemd and tandem-bench with SwiftPM, Bench/loadgen and
# Bench/reflector with gcc; installs matplotlib into Bench/.venv for the plots (skipped, with a
# warning, if that fails: the JSON results do not need it). Writes Bench/results/<run>.json,
# latest.json, latest.md and latest-*.png. Not part of the test command (CI never runs it).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
cd "$ROOT"
OUT=$HERE/.build
mkdir -p "$OUT" "$HERE/results"

log() { printf '[run.sh %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# Children we start; only these are ever signalled.
BENCH_PID=""
cleanup() {
  if [ -n "$BENCH_PID" ] && kill -0 "$BENCH_PID" 2>/dev/null; then
    kill -TERM "$BENCH_PID" 2>/dev/null || true
    wait "$BENCH_PID" 2>/dev/null || true
  fi
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

t0=$(date +%s)

# 1. prerequisites (Debian packages: rtpengine-daemon, gcc)
if ! command -v gcc >/dev/null || [ ! -x /usr/bin/rtpengine ]; then
  log "installing missing Debian packages through tools/setup.sh"
  tools/setup.sh
fi

# 2. C tools (seconds)
log "building Bench/loadgen and Bench/reflector (gcc -O2)"
gcc -O2 -Wall -Wextra -o "$OUT/loadgen" "$HERE/loadgen/loadgen.c" -lsrtp2 -lopus -lm
gcc -O2 -Wall -Wextra -o "$OUT/reflector" "$HERE/reflector/reflector.c"

# 3. tandemd + tandem-bench, release (one build at a time: the machine has 2 cores)
log "building tandemd and tandem-bench (swift build -c release)"
swift build -c release --product tandemd 2>&1 | tail -n 2
swift build -c release --product tandem-bench 2>&1 | tail -n 2

# 4. plotting venv (optional)
PY_PLOT=""
if [ -x "$HERE/.venv/bin/python" ] && "$HERE/.venv/bin/python" -c 'import matplotlib' 2>/dev/null; then
  PY_PLOT="$HERE/.venv/bin/python"
else
  log "creating Bench/.venv with matplotlib (for the plots)"
  if python3 -m venv "$HERE/.venv" >/dev/null 2>&1 \
     && "$HERE/.venv/bin/pip" install -q --disable-pip-version-check matplotlib >/dev/null 2>&1; then
    PY_PLOT="$HERE/.venv/bin/python"
  else
    log "WARNING: could not install matplotlib; results will have no plots (render later with Bench/harness/plot.py)"
  fi
fi
log "build/setup took $(( $(date +%s) - t0 )) s"

# 5. the benchmark
python3 "$HERE/harness/bench.py" "$@" &
BENCH_PID=$!
set +e
wait "$BENCH_PID"; rc=$?
set -e
BENCH_PID=""
if [ "$rc" -ne 0 ]; then log "bench.py failed with exit $rc"; exit "$rc"; fi

# 6. micro-benchmarks against the checked-in thresholds (time and allocations; pinned to the
#    daemon core). A regression is reported and fails the run after the plots are written.
micro_rc=0
taskset -c 1 "$ROOT/.build/release/tandem-bench" micro --check --thresholds "$HERE/thresholds.json" \
  | tee "$HERE/results/latest-micro.txt" || micro_rc=$?
# 6b. the same workloads (and the relay pipeline) on ordo-one `benchmark`, against the static
#     thresholds in Bench/micro/Thresholds (a separate package: builds on first use, ~2-3 min).
log "micro-benchmarks on ordo-one benchmark (Bench/micro/run.sh)"
#     Not pinned: the relay pipeline's generator and packet loop run on threads of their own.
set +e
"$HERE/micro/run.sh" 2>&1 | grep -v '^\[[0-9]*/[0-9]*\]' | tee "$HERE/results/latest-micro-ordo.txt"
ordo_rc=${PIPESTATUS[0]}
set -e
[ "$ordo_rc" -eq 0 ] || micro_rc=$ordo_rc

# 7. plots
if [ -n "$PY_PLOT" ]; then
  "$PY_PLOT" "$HERE/harness/plot.py" "$HERE/results/latest.json" --out "$HERE/results"
fi
log "done in $(( $(date +%s) - t0 )) s"
exit "$micro_rc"
