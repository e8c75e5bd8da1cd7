#!/usr/bin/env bash
# Tandem's micro-benchmarks (ordo-one `benchmark`): builds Bench/micro in release mode, runs every
# benchmark and checks it against the static thresholds checked in under Thresholds/:
# heap allocations per operation exactly (0 for transcode frames, SRTP packets and the relay
# pipeline), wall-clock p90 within 3.5x. Exits non-zero on a regression.
#   Bench/micro/run.sh            check (what Bench/run.sh runs)
#   Bench/micro/run.sh --update   rewrite Thresholds/ from this run (review the diff before committing)
# The relay-pipeline benchmark binds loopback ports TANDEM_MICRO_PORTS (default 27400-27499).
set -uo pipefail
cd "$(dirname "$0")"

if [[ "${1:-}" == "--update" ]]; then
    nice swift package --allow-writing-to-package-directory benchmark thresholds update --no-progress || exit 1
    # Keep only the metrics held to: allocations (exact) and wall clock (tolerance in code).
    python3 - <<'PY'
import glob, json
for f in sorted(glob.glob("Thresholds/*.p90.json")):
    d = json.load(open(f))
    open(f, "w").write(json.dumps({k: d[k] for k in ("mallocCountTotal", "wallClock")}, indent=2, sort_keys=True) + "\n")
PY
    exit 0
fi

nice swift package benchmark thresholds check --no-progress
status=$?
# package-benchmark: 0 = within thresholds, 2 = regression, 4 = only improvements.
case $status in
    0) echo "micro: all within thresholds (Bench/micro/Thresholds)" ;;
    4) echo "micro: improvements only: tighten the thresholds with Bench/micro/run.sh --update"; status=0 ;;
    *) echo "micro: REGRESSION or failure (exit $status)" ;;
esac
exit $status
