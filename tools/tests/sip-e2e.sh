#!/usr/bin/env bash
# End-to-end: a SIP proxy — REAL Kamailio (Debian kamailio 5.6, its rtpengine module) or our
# tandem-proxy — drives a media daemon over ng while SIPp places real calls with real RTP:
#
#   SIPp UAC (uac.xml) --SIP--> PROXY (kamailio.cfg | tandem-proxy) --SIP--> SIPp UAS (uas.xml)
#        \______________ RTP ______ media daemon (tandemd | rtpengine) ______ RTP _____/
#
#   tools/tests/sip-e2e.sh [kamailio|tandem-proxy] [tandemd|rtpengine]   (default kamailio tandemd)
#
# FAILOVER=1 (tandem-proxy only): the proxy is also given a second media daemon that is stopped
# (nothing listens on its port); every call must still complete, the dead one marked down.
#
# Asserts (through tools/sipp/load.sh): every call completes (0 failed), RTP reached the daemon
# from both sides of every call (>= MIN_PPS packets/s of call duration each way), the daemon
# delivered them to the other side, and no call is left in the daemon after the BYEs.
# Environment: CALLS (10), RATE (5), DURATION (3), MIN_PPS (25), E2E_MEDIA_MIN/E2E_MEDIA_MAX (the
# daemon's port range; 4 ports per call), TANDEMD (binary; default: build
# .build/debug/tandemd with `swift build --product tandemd`), KEEP_LOGS=1.
# Only the PIDs started here are stopped (trap on exit). Runtime ~15 s once tandemd is built.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
PROXY=${1:-kamailio}
DAEMON=${2:-tandemd}
CALLS=${CALLS:-10}; RATE=${RATE:-5}; DURATION=${DURATION:-3}; MIN_PPS=${MIN_PPS:-25}
# hard limit for the load: setup time + call duration + 30 s (the UAS lives 15 s longer)
HARD_TIMEOUT=$(python3 -c "print(int($CALLS / $RATE + $DURATION + 30))")

# Port plan (loopback; outside 20000-31999 and the ephemeral range): the two daemons get
# disjoint sets so both variants can run at the same time.
# SIPp 3.6.1's rtp_stream uses one RTP socket per process for all calls (-mp, and -mp+2 for
# video), so the SIPp RTP "ranges" are 3 ports each. SIPp control sockets: SIP port + 1000.
case "$PROXY/$DAEMON" in
  kamailio/tandemd)      NG=15223; MEDIA_MIN=16000; MEDIA_MAX=16999; KAM=5060; UAS=5090; UAC=5080; UAC_RTP=7000; UAS_RTP=7010 ;;
  kamailio/rtpengine)    NG=15224; MEDIA_MIN=17000; MEDIA_MAX=17999; KAM=5062; UAS=5092; UAC=5082; UAC_RTP=7020; UAS_RTP=7030 ;;
  tandem-proxy/tandemd)  NG=15225; MEDIA_MIN=18000; MEDIA_MAX=18999; KAM=5064; UAS=5094; UAC=5084; UAC_RTP=7040; UAS_RTP=7050 ;;
  tandem-proxy/rtpengine) NG=15226; MEDIA_MIN=19000; MEDIA_MAX=19999; KAM=5066; UAS=5096; UAC=5086; UAC_RTP=7060; UAS_RTP=7070 ;;
  *) echo "usage: $0 [kamailio|tandem-proxy] [tandemd|rtpengine]" >&2; exit 2 ;;
esac
DEAD_NG=$((NG + 10))   # FAILOVER: a media daemon address nobody listens on
# a call takes 4 media ports (RTP + RTCP per side): 1000 ports = 250 calls; widen for more
MEDIA_MIN=${E2E_MEDIA_MIN:-$MEDIA_MIN}; MEDIA_MAX=${E2E_MEDIA_MAX:-$MEDIA_MAX}

tools/setup.sh
for bin in sipp kamailio; do command -v "$bin" >/dev/null || { echo "e2e: $bin missing" >&2; exit 2; }; done

WORK=$(mktemp -d /tmp/tandem-sip-e2e.XXXXXX)
daemon_pid=""; uas_pid=""; kam_started=""; ref_started=""; proxy_pid=""
KAM_RUNDIR=$WORK/kamailio
REF_RUNDIR=$WORK/rtpengine

cleanup() {
  local rc=$?
  set +e
  if [ -n "$uas_pid" ] && [ -d "/proc/$uas_pid" ]; then kill -TERM "$uas_pid"; wait "$uas_pid" 2>/dev/null; fi
  [ -n "$kam_started" ] && RUNDIR=$KAM_RUNDIR tools/kamailio/kamailio.sh stop "$KAM" >/dev/null
  if [ -n "$proxy_pid" ] && [ -d "/proc/$proxy_pid" ]; then kill -TERM "$proxy_pid"; wait "$proxy_pid" 2>/dev/null; fi
  if [ -n "$daemon_pid" ] && [ -d "/proc/$daemon_pid" ]; then
    kill -TERM "$daemon_pid"
    for _ in $(seq 50); do [ -d "/proc/$daemon_pid" ] || break; sleep 0.1; done
    [ -d "/proc/$daemon_pid" ] && kill -KILL "$daemon_pid"
    wait "$daemon_pid" 2>/dev/null
  fi
  [ -n "$ref_started" ] && RUNDIR=$REF_RUNDIR tools/ref/rtpengine.sh stop "$NG" >/dev/null
  if [ "$rc" -ne 0 ]; then
    echo "e2e: FAILED ($PROXY/$DAEMON); logs kept in $WORK" >&2
    for f in "$WORK"/daemon.log "$REF_RUNDIR"/rtpengine.log "$KAM_RUNDIR"/kamailio.log "$WORK"/proxy.log; do
      [ -f "$f" ] && { echo "---- tail $f" >&2; tail -15 "$f" >&2; }
    done
  elif [ -z "${KEEP_LOGS:-}" ]; then
    rm -rf "$WORK"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# every UDP port we bind must be free (other tests share this machine)
busy=$(ss -uanH | awk '{print $4}' | awk -F: '{print $NF}' | sort -u | grep -xE "$(printf '%s|' $NG $KAM $UAS $UAC $((UAS + 1000)) $((UAC + 1000)) $UAC_RTP $((UAC_RTP + 2)) $UAS_RTP $((UAS_RTP + 2)) | sed 's/|$//')" || true)
if [ -n "$busy" ]; then echo "e2e: UDP port(s) already in use: $busy; refusing to start" >&2; exit 2; fi

ng_ping() { python3 tools/ng.py -s "127.0.0.1:$NG" --timeout 0.2 --retries 0 ping >/dev/null 2>&1; }
if ng_ping; then echo "e2e: something already answers ng on 127.0.0.1:$NG; refusing to start" >&2; exit 2; fi

# 1. the media daemon
if [ "$DAEMON" = tandemd ]; then
  if [ -z "${TANDEMD:-}" ]; then
    echo "e2e: swift build --product tandemd" >&2
    swift build --product tandemd >"$WORK/build.log" 2>&1 || { tail -20 "$WORK/build.log" >&2; exit 1; }
    TANDEMD=$ROOT/.build/debug/tandemd
  fi
  # a plain background command: $! is tandemd itself (no setsid, which forks when it happens
  # to be a process-group leader, and then $! would not be the daemon)
  "$TANDEMD" --config-file=none --foreground --log-level=5 --listen-ng=127.0.0.1:$NG \
    --port-min=$MEDIA_MIN --port-max=$MEDIA_MAX --interface=127.0.0.1 --delete-delay=0 --num-threads=2 \
    >"$WORK/daemon.log" 2>&1 </dev/null &
  daemon_pid=$!
  # $! is the forked child; it becomes tandemd once it has exec'd (bounded wait: 2 s)
  for _ in $(seq 20); do
    case "$(readlink "/proc/$daemon_pid/exe" 2>/dev/null)" in */tandemd) break ;; esac
    sleep 0.1
  done
  case "$(readlink "/proc/$daemon_pid/exe" 2>/dev/null)" in */tandemd) ;; *) echo "e2e: pid $daemon_pid is not tandemd" >&2; exit 1 ;; esac
  for _ in $(seq 50); do ng_ping && break; sleep 0.1; done   # bounded: 5 s
  ng_ping || { echo "e2e: tandemd did not answer ping" >&2; exit 1; }
  echo "e2e: tandemd pid $daemon_pid, ng 127.0.0.1:$NG, media $MEDIA_MIN-$MEDIA_MAX"
else
  RUNDIR=$REF_RUNDIR tools/ref/rtpengine.sh start "$NG" "$MEDIA_MIN" "$MEDIA_MAX"
  ref_started=1
fi

# 2. the proxy, pointed at the daemon, forwarding every INVITE to the UAS
if [ "$PROXY" = kamailio ]; then
  RUNDIR=$KAM_RUNDIR KAM_CHILDREN=4 tools/kamailio/kamailio.sh start "$KAM" "127.0.0.1:$NG" "127.0.0.1:$UAS"
  kam_started=1
else
  PROXY_BIN=${TANDEM_PROXY:-}
  if [ -z "$PROXY_BIN" ]; then
    swift build --product tandem-proxy >"$WORK/build-proxy.log" 2>&1 || { tail -20 "$WORK/build-proxy.log" >&2; exit 1; }
    PROXY_BIN=$ROOT/.build/debug/tandem-proxy
  fi
  daemons=(--media-daemon=udp:127.0.0.1:$NG)
  [ -n "${FAILOVER:-}" ] && daemons=(--media-daemon=udp:127.0.0.1:$DEAD_NG "${daemons[@]}")
  "$PROXY_BIN" --listen=udp:127.0.0.1:$KAM --next-hop=127.0.0.1:$UAS "${daemons[@]}" \
    --ng-timeout=0.3 --ng-retries=1 --log-level=6 >"$WORK/proxy.log" 2>&1 </dev/null &
  proxy_pid=$!
  sleep 0.5
  [ -d "/proc/$proxy_pid" ] || { echo "e2e: tandem-proxy exited at once" >&2; cat "$WORK/proxy.log" >&2; exit 1; }
  echo "e2e: tandem-proxy pid $proxy_pid on 127.0.0.1:$KAM${FAILOVER:+ (failover: dead daemon 127.0.0.1:$DEAD_NG listed first)}"
fi

# 3. the SIPp UAS (lives at most HARD_TIMEOUT + 15 s)
(cd tools/sipp && exec sipp -sf uas.xml -i 127.0.0.1 -p "$UAS" -cp $((UAS + 1000)) -mi 127.0.0.1 -mp "$UAS_RTP" \
   -nostdin -trace_err -error_file "$WORK/uas-errors.log" -timeout $((HARD_TIMEOUT + 15))s >"$WORK/uas-screen.log" 2>&1 </dev/null) &
uas_pid=$!
sleep 0.5
[ -d "/proc/$uas_pid" ] || { echo "e2e: SIPp UAS exited at once" >&2; cat "$WORK/uas-screen.log" >&2; exit 1; }

# 4. the load, with its own assertions
echo "e2e: $CALLS calls, rate $RATE/s, $DURATION s each: UAC 127.0.0.1:$UAC -> $PROXY 127.0.0.1:$KAM -> UAS 127.0.0.1:$UAS, media via $DAEMON"
set +e
tools/sipp/load.sh --proxy "127.0.0.1:$KAM" --ng "127.0.0.1:$NG" --calls "$CALLS" --rate "$RATE" \
  --duration "$DURATION" --max-concurrent "$CALLS" --timeout "$HARD_TIMEOUT" --uac "127.0.0.1:$UAC" \
  --uac-media-port "$UAC_RTP" --uas-rtp-port "$UAS_RTP" --min-pps "$MIN_PPS" --outdir "$WORK/load" \
  >"$WORK/load.json"
load_rc=$?
set -e
cat "$WORK/load.json"

# 5. the assertions, spelled out (load.sh checks the same and more)
python3 - "$WORK/load.json" "$CALLS" "$DURATION" "$MIN_PPS" "$load_rc" <<'PY'
import json, sys
r = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
calls, duration, min_pps, rc = int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
d, s, e = r["daemon"], r["sipp"], r["egress"]
checks = [
    (s["successful"] == calls, f"{s['successful']}/{calls} calls successful"),
    (s["failed"] == 0, f"{s['failed']} calls failed"),
    (d["calls_seen"] == calls, f"{d['calls_seen']}/{calls} calls seen answered in the daemon"),
    (d["packets_uac_to_daemon"]["min"] >= min_pps * duration, f"min UAC->daemon packets per call {d['packets_uac_to_daemon']['min']} (>= {min_pps * duration:g})"),
    (d["packets_uas_to_daemon"]["min"] >= min_pps * duration, f"min UAS->daemon packets per call {d['packets_uas_to_daemon']['min']} (>= {min_pps * duration:g})"),
    (e["to_uac"] is not None and e["to_uac"] >= 0.95 * e["received_from_uas"], f"delivered to UAC {e['to_uac']} (received from UAS {e['received_from_uas']})"),
    (e["to_uas"] is not None and e["to_uas"] >= 0.95 * e["received_from_uac"], f"delivered to UAS {e['to_uas']} (received from UAC {e['received_from_uac']})"),
    (not d["calls_left"], f"{len(d['calls_left'])} calls left in the daemon"),
    (rc == 0, f"load.sh exit status {rc}"),
]
for ok, what in checks:
    print(f"e2e: {'ok  ' if ok else 'FAIL'} {what}")
sys.exit(0 if all(ok for ok, _ in checks) else 1)
PY
echo "e2e: PASS ($DAEMON)"
