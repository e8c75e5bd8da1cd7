#!/usr/bin/env bash
# tandem-proxy over TCP: SIPp's built-in UAC (TCP) -> tandem-proxy (TCP listener) -> SIPp's
# built-in UAS (TCP next hop), media control through tandemd. Asserts every call completed and
# that tandemd saw (and deleted) each one. Stops only the processes it started.
set -euo pipefail
cd "$(dirname "$0")/../.."
TANDEMD=${TANDEMD:-.build/debug/tandemd}
TANDEM_PROXY=${TANDEM_PROXY:-.build/debug/tandem-proxy}
NG=15240; PROXY=5270; UAS=5280; UAC=5290; CALLS=${CALLS:-5}
work=$(mktemp -d /tmp/tandem-proxy-tcp.XXXXXX)
pids=()
cleanup() {
  local rc=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$rc" -ne 0 ]; then
    echo "proxy-tcp: FAILED, logs in $work" >&2
    tail -20 "$work"/*.log >&2 || true
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

"$TANDEMD" --config-file=none --foreground --listen-ng=127.0.0.1:$NG --port-min=18500 --port-max=18999 \
  --interface=127.0.0.1 --delete-delay=0 2>"$work/tandemd.log" </dev/null &
pids+=($!)
"$TANDEM_PROXY" --listen=tcp:127.0.0.1:$PROXY --next-hop=tcp:127.0.0.1:$UAS \
  --media-daemon=udp:127.0.0.1:$NG 2>"$work/proxy.log" </dev/null &
pids+=($!)
timeout 60 sipp -sn uas -t t1 -i 127.0.0.1 -p $UAS -nostdin -m "$CALLS" >"$work/uas.log" 2>&1 </dev/null &
pids+=($!)
sleep 1
timeout 60 sipp -sn uac -t t1 127.0.0.1:$PROXY -i 127.0.0.1 -p $UAC -m "$CALLS" -r 5 -d 300 \
  -nostdin -timeout 30 >"$work/uac.log" 2>&1 </dev/null

ok=$(grep -E "Successful call" "$work/uac.log" | tail -1 | awk -F'|' '{print $3}' | tr -d ' ')
stats=$(python3 tools/ng.py -s 127.0.0.1:$NG statistics)
managed=$(echo "$stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["statistics"]["totalstatistics"]["managedsessions"])')
ended=$(echo "$stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["statistics"]["totalstatistics"]["regularterminatedsessions"])')
echo "proxy-tcp: $ok/$CALLS calls successful over TCP; tandemd managed $managed, deleted $ended"
[ "$ok" = "$CALLS" ] && [ "$managed" = "$CALLS" ] && [ "$ended" = "$CALLS" ]
echo "proxy-tcp: PASS"
