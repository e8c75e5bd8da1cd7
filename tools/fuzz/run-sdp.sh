#!/usr/bin/env bash
# Builds and runs the SDP libFuzzer harness for a bounded time.
#   tools/fuzz/run-sdp.sh [seconds=30] [extra libFuzzer flags...]
# The working corpus is tools/fuzz/corpus-sdp/ (git-ignored), seeded from tools/fuzz/seeds/sdp/;
# crashes land in tools/fuzz/out/sdp/. Exits non-zero if the fuzzer finds a crash.
set -euo pipefail
cd "$(dirname "$0")/../.."

SECONDS_TO_RUN="${1:-30}"
shift || true
OUT=tools/fuzz/out/sdp
CORPUS=tools/fuzz/corpus-sdp
BIN="$OUT/fuzz_sdp"
mkdir -p "$OUT" "$CORPUS"

mapfile -t SOURCES < <(find Sources/SDP -name '*.swift' | sort)
echo "run-sdp: compiling ${#SOURCES[@]} SDP sources + harness" >&2
swiftc -sanitize=fuzzer,address -parse-as-library -O -g -module-name SDPFuzz \
  -o "$BIN" "${SOURCES[@]}" tools/fuzz/fuzz_sdp.swift

# The Swift runtime's backtracer is slow and can wait on a crash; libFuzzer reports enough.
export SWIFT_BACKTRACE=enable=no
cp -n tools/fuzz/seeds/sdp/* "$CORPUS"/ 2>/dev/null || true
echo "run-sdp: fuzzing for ${SECONDS_TO_RUN}s" >&2
"$BIN" "$CORPUS" -max_total_time="$SECONDS_TO_RUN" -max_len=4096 -timeout=10 \
  -dict=tools/fuzz/sdp.dict -artifact_prefix="$OUT/" -print_final_stats=1 "$@"
