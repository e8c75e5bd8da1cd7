#!/usr/bin/env bash
# Debian's rtpengine-ng-client (rtpengine-utils) drives a tandemd started here, through
# ng_client_interop.sh (offer, answer, query, delete, query -> Unknown call-id; bencode and JSON).
set -euo pipefail
cd "$(dirname "$0")/../.."
TANDEMD=${TANDEMD:-.build/debug/tandemd}
NG=${NG:-22224}
"$TANDEMD" --config-file=none --foreground --log-level=4 --listen-ng=127.0.0.1:$NG \
  --port-min=21000 --port-max=21999 --interface=127.0.0.1 --delete-delay=0 --num-threads=2 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  python3 tools/ng.py -s 127.0.0.1:$NG --timeout 0.2 --retries 0 ping >/dev/null 2>&1 && break
  sleep 0.1
done
tools/tests/ng_client_interop.sh "$NG" 127.0.0.1
