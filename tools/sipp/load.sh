#!/usr/bin/env bash
# Bounded SIP + RTP load: SIPp UAC -> PROXY -> SIPp UAS, media anchored in an rtpengine-compatible
# daemon (tandemd or rtpengine) that is polled over ng for per-call packet counts.
#
#   tools/sipp/load.sh --proxy 127.0.0.1:5060 --ng 127.0.0.1:2223 \
#       --calls 10 --rate 5 --duration 3 [--max-concurrent C] [--timeout S] \
#       [--start-uas 127.0.0.1:5090] [--uac 127.0.0.1:5080] [--uac-media-port 7000] ...
#
# Prints a human summary on stderr and one JSON line on stdout; exit 0 = all calls succeeded,
# RTP flowed both ways in every call, no call left in the daemon. See load.py --help and
# tools/sipp/README.md.
set -euo pipefail
command -v sipp >/dev/null || { echo "load.sh: sipp not found (tools/setup.sh installs sip-tester)" >&2; exit 2; }
exec python3 "$(cd "$(dirname "$0")" && pwd)/load.py" "$@"
