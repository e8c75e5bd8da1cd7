#!/usr/bin/env bash
# Start/stop the test Kamailio (tools/kamailio/kamailio.cfg) on loopback, as the current user,
# in the foreground of its own session, with its own run dir. Only the PID recorded in our own
# pidfile (and checked against its command line) is ever signalled.
#
#   tools/kamailio/kamailio.sh start [SIP_PORT [NG_HOSTPORT [UAS_HOSTPORT]]]
#   tools/kamailio/kamailio.sh stop|status|log [SIP_PORT]
#
# Defaults: SIP_PORT 5060, NG_HOSTPORT 127.0.0.1:2223 (the media daemon), UAS_HOSTPORT
# 127.0.0.1:5090 (every new INVITE goes there). Environment: RUNDIR
# (/tmp/tandem-kamailio-$SIP_PORT), KAM_CHILDREN (4), KAM_LOGLEVEL (2 = info; 3 = debug),
# KAM_SHM_MB (128), RTPE_FLAGS (see kamailio.cfg), KAMAILIO (/usr/sbin/kamailio).
set -euo pipefail

cmd=${1:-}
SIP_PORT=${2:-5060}
NG=${3:-127.0.0.1:2223}
UAS=${4:-127.0.0.1:5090}
RUNDIR=${RUNDIR:-/tmp/tandem-kamailio-$SIP_PORT}
KAMAILIO=${KAMAILIO:-/usr/sbin/kamailio}
HERE=$(cd "$(dirname "$0")" && pwd)
CFG=$HERE/kamailio.cfg
PIDFILE=$RUNDIR/kamailio.pid
LOGFILE=$RUNDIR/kamailio.log

running_pid() {
  [ -f "$PIDFILE" ] || return 1
  local pid; pid=$(cat "$PIDFILE")
  [ -n "$pid" ] && [ -d "/proc/$pid" ] || return 1
  # still *our* kamailio (not a recycled PID)?
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "LISTEN=udp:127.0.0.1:$SIP_PORT" || return 1
  echo "$pid"
}

# an OPTIONS request answered 200 = Kamailio is up
sip_ping() {
  python3 - "$SIP_PORT" <<'PY'
import socket, sys, os
port = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); s.settimeout(0.3)
lp = s.getsockname()[1]; tag = os.urandom(4).hex()
msg = (f"OPTIONS sip:ping@127.0.0.1:{port} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:{lp};branch=z9hG4bK{tag}\r\n"
       f"From: <sip:ping@127.0.0.1>;tag={tag}\r\nTo: <sip:ping@127.0.0.1>\r\nCall-ID: ping-{tag}\r\n"
       f"CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n")
s.sendto(msg.encode(), ("127.0.0.1", port))
try:
    sys.exit(0 if s.recv(4096).startswith(b"SIP/2.0 200") else 1)
except OSError:
    sys.exit(1)
PY
}

case "$cmd" in
  start)
    if pid=$(running_pid); then echo "kamailio already running, pid $pid, sip 127.0.0.1:$SIP_PORT"; exit 0; fi
    mkdir -p "$RUNDIR"
    args=(-f "$CFG" -DD -E -Y "$RUNDIR" -P "$PIDFILE.kam" -w "$RUNDIR" -m "${KAM_SHM_MB:-128}" -M 8
          -A "LISTEN=udp:127.0.0.1:$SIP_PORT"
          -A "RTPENGINE_SOCK=\"udp:$NG\""
          -A "UAS_URI=\"sip:$UAS\""
          -A "CHILDREN=${KAM_CHILDREN:-4}"
          -A "LOGLEVEL=${KAM_LOGLEVEL:-2}")
    [ -n "${RTPE_FLAGS:-}" ] && args+=(-A "RTPE_FLAGS=\"$RTPE_FLAGS\"")
    # -DD: the creator process stays in the foreground (no daemonizing), so $! is the main PID
    setsid "$KAMAILIO" "${args[@]}" >"$LOGFILE" 2>&1 </dev/null &
    echo $! >"$PIDFILE"
    for _ in $(seq 1 50); do            # bounded: ~15 s
      if sip_ping; then echo "kamailio started, pid $(cat "$PIDFILE"), sip 127.0.0.1:$SIP_PORT -> uas $UAS, ng $NG, log $LOGFILE"; exit 0; fi
      running_pid >/dev/null || break
    done
    echo "kamailio failed to start; log:" >&2; tail -20 "$LOGFILE" >&2
    if pid=$(running_pid); then kill -TERM "$pid" 2>/dev/null || true; fi
    rm -f "$PIDFILE"; exit 1
    ;;
  stop)
    if ! pid=$(running_pid); then echo "kamailio (sip $SIP_PORT) not running"; rm -f "$PIDFILE"; exit 0; fi
    kill -TERM "$pid"                   # the main process takes its children down with it
    for _ in $(seq 1 50); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
    if [ -d "/proc/$pid" ]; then kill -KILL "$pid" 2>/dev/null || true; fi
    rm -f "$PIDFILE"; echo "kamailio (pid $pid) stopped"
    ;;
  status)
    if pid=$(running_pid); then echo "running pid $pid sip 127.0.0.1:$SIP_PORT"; sip_ping && echo "OPTIONS ok"; else echo "not running"; exit 1; fi
    ;;
  log) cat "$LOGFILE" ;;
  *) echo "usage: $0 start [SIP_PORT [NG_HOSTPORT [UAS_HOSTPORT]]] | stop|status|log [SIP_PORT]" >&2; exit 2 ;;
esac
