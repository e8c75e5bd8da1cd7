#!/usr/bin/env bash
# Installs what is missing, builds a release, and runs tandemd (config/tandem.conf: ng on
# 127.0.0.1:2223) and tandem-proxy (SIP on udp+tcp 127.0.0.1:5060, forwarding new calls to
# NEXT_HOP, default 127.0.0.1:5080) in the foreground on loopback. Extra arguments go to
# tandemd and override the file, e.g. `tools/run.sh --log-level=7`. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
for product in tandemd tandem-proxy tandem-ctl; do
  swift build -c release --product "$product"
done
bin=$(swift build -c release --show-bin-path)

"$bin/tandemd" --config-file=config/tandem.conf "$@" &
daemon=$!
"$bin/tandem-proxy" --listen=udp:127.0.0.1:5060 --listen=tcp:127.0.0.1:5060 \
  --next-hop="${NEXT_HOP:-127.0.0.1:5080}" --media-daemon=udp:127.0.0.1:2223 &
proxy=$!
stop() { kill "$proxy" "$daemon" 2>/dev/null || true; wait "$proxy" "$daemon" 2>/dev/null || true; }
trap stop EXIT INT TERM
echo "tandemd (pid $daemon): ng on 127.0.0.1:2223 — try: $bin/tandem-ctl ping" >&2
echo "tandem-proxy (pid $proxy): SIP on 127.0.0.1:5060 -> ${NEXT_HOP:-127.0.0.1:5080}" >&2
wait -n "$daemon" "$proxy"
