#!/usr/bin/env bash
# Differential test: the same golden ng requests sent to Debian's rtpengine-daemon and to tandemd,
# both started here with the reference configuration (Tests/CallModelTests/Golden/README.md);
# SDPs compared after normalising ports. Differences must be listed in known-differences.txt
# (and explained in README.md). Stops only the processes it started.
set -euo pipefail
cd "$(dirname "$0")/../.."
TANDEMD=${TANDEMD:-.build/debug/tandemd}
REF_NG=${REF_NG:-22222}
TANDEM_NG=${TANDEM_NG:-22223}

tools/ref/rtpengine.sh start "$REF_NG" 20000 20999 >/dev/null
log=$(mktemp)
"$TANDEMD" --config-file=none --foreground --log-level=4 --listen-ng=127.0.0.1:$TANDEM_NG \
  --port-min=21000 --port-max=21999 --interface=internal/127.0.0.1 --interface=internal/::1 \
  --interface=external/127.0.0.2 '--interface=pub/127.0.0.3!203.0.113.3' \
  --timeout=60 --delete-delay=0 --num-threads=2 2>"$log" &
tandem_pid=$!
cleanup() {
  kill "$tandem_pid" 2>/dev/null || true
  wait "$tandem_pid" 2>/dev/null || true
  tools/ref/rtpengine.sh stop "$REF_NG" >/dev/null 2>&1 || true
  rm -f "$log"
}
trap cleanup EXIT

for _ in $(seq 50); do
  python3 tools/ng.py -s 127.0.0.1:$TANDEM_NG --timeout 0.2 --retries 0 ping >/dev/null 2>&1 && break
  sleep 0.1
done

python3 tools/tests/differential.py --compare 127.0.0.1:$REF_NG 127.0.0.1:$TANDEM_NG \
  --port-range 20000-21999 --known-differences tools/tests/known-differences.txt
python3 tools/tests/differential.py --compare 127.0.0.1:$REF_NG 127.0.0.1:$TANDEM_NG \
  --port-range 20000-21999 --known-differences tools/tests/known-differences.txt --json | tail -1
