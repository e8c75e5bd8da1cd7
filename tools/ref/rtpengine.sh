#!/usr/bin/env bash
# Start/stop the reference rtpengine (Debian rtpengine-daemon 10.5) on loopback with the FIXED
# reference configuration that the golden SDP cases were recorded with (see
# Tests/CallModelTests/Golden/README.md). Only the PID recorded in our own pidfile is ever killed.
#
#   tools/ref/rtpengine.sh start [NGPORT [PORT_MIN [PORT_MAX]]]
#   tools/ref/rtpengine.sh stop|status|restart|log [NGPORT]
#
# Environment: NGPORT (22222), PORT_MIN (20000), PORT_MAX (20999), RUNDIR
# (/tmp/tandem-ref-rtpengine-$NGPORT), LOG_LEVEL (6), RTPENGINE (/usr/bin/rtpengine).
set -euo pipefail

cmd=${1:-}
NGPORT=${2:-${NGPORT:-22222}}
PORT_MIN=${3:-${PORT_MIN:-20000}}
PORT_MAX=${4:-${PORT_MAX:-20999}}
RUNDIR=${RUNDIR:-/tmp/tandem-ref-rtpengine-$NGPORT}
LOG_LEVEL=${LOG_LEVEL:-6}
RTPENGINE=${RTPENGINE:-/usr/bin/rtpengine}
PIDFILE=$RUNDIR/rtpengine.pid
LOGFILE=$RUNDIR/rtpengine.log
HERE=$(cd "$(dirname "$0")" && pwd)

# The reference configuration. Keep in sync with Tests/CallModelTests/Golden/README.md.
ref_args() {
  printf '%s\n' \
    --config-file=none \
    --table=-1 \
    --no-fallback \
    --foreground \
    --log-stderr \
    --log-level="$LOG_LEVEL" \
    --listen-ng=127.0.0.1:"$NGPORT" \
    --port-min="$PORT_MIN" \
    --port-max="$PORT_MAX" \
    --interface=internal/127.0.0.1 \
    --interface=internal/::1 \
    --interface=external/127.0.0.2 \
    '--interface=pub/127.0.0.3!203.0.113.3' \
    --timeout=60 \
    --silent-timeout=3600 \
    --final-timeout=0 \
    --delete-delay=0 \
    --num-threads=2
}

running_pid() {
  [ -f "$PIDFILE" ] || return 1
  local pid; pid=$(cat "$PIDFILE")
  [ -n "$pid" ] && [ -d "/proc/$pid" ] || return 1
  # make sure the PID is still *our* rtpengine (not a recycled PID)
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "--listen-ng=127.0.0.1:$NGPORT" || return 1
  echo "$pid"
}

ping_ok() {
  python3 "$HERE/../ng.py" -s "127.0.0.1:$NGPORT" --timeout 0.3 --retries 0 ping >/dev/null 2>&1
}

case "$cmd" in
  start)
    if pid=$(running_pid); then echo "rtpengine already running, pid $pid, ng 127.0.0.1:$NGPORT"; exit 0; fi
    mkdir -p "$RUNDIR"
    mapfile -t args < <(ref_args)
    # foreground process, backgrounded by us, in its own session so it never gets our signals
    setsid "$RTPENGINE" "${args[@]}" >"$LOGFILE" 2>&1 </dev/null &
    echo $! >"$PIDFILE"
    for _ in $(seq 1 50); do            # bounded: 5 s
      if ping_ok; then echo "rtpengine started, pid $(cat "$PIDFILE"), ng 127.0.0.1:$NGPORT, ports $PORT_MIN-$PORT_MAX, log $LOGFILE"; exit 0; fi
      if ! running_pid >/dev/null; then break; fi
      sleep 0.1
    done
    echo "rtpengine failed to start; log:" >&2; tail -20 "$LOGFILE" >&2
    if pid=$(running_pid); then kill "$pid" 2>/dev/null || true; fi
    rm -f "$PIDFILE"; exit 1
    ;;
  stop)
    if ! pid=$(running_pid); then echo "rtpengine (ng $NGPORT) not running"; rm -f "$PIDFILE"; exit 0; fi
    kill -TERM "$pid"
    for _ in $(seq 1 50); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
    if [ -d "/proc/$pid" ]; then kill -KILL "$pid" 2>/dev/null || true; fi
    rm -f "$PIDFILE"; echo "rtpengine (pid $pid) stopped"
    ;;
  restart) "$0" stop "$NGPORT"; "$0" start "$NGPORT" "$PORT_MIN" "$PORT_MAX" ;;
  status)
    if pid=$(running_pid); then echo "running pid $pid ng 127.0.0.1:$NGPORT"; ping_ok && echo "ping ok"; else echo "not running"; exit 1; fi
    ;;
  args) ref_args ;;
  log) cat "$LOGFILE" ;;
  *) echo "usage: $0 start|stop|restart|status|args|log [NGPORT [PORT_MIN [PORT_MAX]]]" >&2; exit 2 ;;
esac
