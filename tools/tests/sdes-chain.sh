#!/usr/bin/env bash
# SDES-SRTP interop across two media daemons (issue 5), both directions of media:
#   caller -RTP-> FIRST (RTP->SRTP, SDES offer) -SRTP-> SECOND (SRTP->RTP) -RTP-> callee
#
#   tools/tests/sdes-chain.sh [FIRST [SECOND]]     FIRST, SECOND: rtpengine | tandemd
#     rtpengine -> tandemd (default), its mirror: tandemd rtpengine; rtpengine rtpengine
#     validates the chain with the reference alone. Extra options after -- go to sdes_chain.py.
# Ports: rtpengine ng 22261 (first) / 22263 (second), tandemd ng 22262; media 30000-30499 for
# the first hop, 30500-30999 for the second; phones and tap 22320-22327.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
first=${1:-rtpengine}; second=${2:-tandemd}
shift $(( $# > 2 ? 2 : $# )); [ "${1:-}" = "--" ] && shift
exec timeout 120 python3 "$root/tools/interop/webrtc/sdes_chain.py" --first-daemon "$first" --second-daemon "$second" "$@"
