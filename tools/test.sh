#!/usr/bin/env bash
# Runs every test of Tandem on a fresh Debian machine: installs what is missing, builds, then
#   1. swift test            unit tests of every target + loopback integration tests (tandemd processes)
#   2. differential test     the golden ng requests against Debian's rtpengine-daemon and tandemd
#   3. ng client interop     Debian's rtpengine-ng-client drives tandemd (offer/answer/query/delete)
#   4. SIP end to end        SIPp calls with RTP through a proxy (Kamailio or tandem-proxy) and a
#                            media daemon (tandemd or rtpengine); failover; 200 concurrent calls
#   5. WebRTC/SRTP interop  aiortc and headless Chromium calls through tandemd to plain RTP; SDES
#                            chains rtpengine <-> tandemd; attacks (fingerprint, auth tag, replay, STUN)
#   6. relay malloc bench    the packet path relays with 0 heap allocations per packet (release build)
#   7. fuzz smoke            each parser fuzzer runs for a few seconds (longer runs: tools/fuzz/run.sh)
# Every network test uses loopback only, and stops only the processes it started.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n=== %s\n' "$*"; }

step "setup (Debian packages)"
tools/setup.sh

step "build"
swift build --build-tests
swift build -c release --product tandem-bench

step "unit and integration tests"
swift test --skip-build

step "differential test against rtpengine-daemon"
tools/tests/differential-vs-rtpengine.sh

step "rtpengine-ng-client drives tandemd"
tools/tests/ng-client-vs-tandemd.sh

step "SIP end to end: SIPp -> proxy -> SIPp, media through the daemon"
export TANDEMD=$PWD/.build/debug/tandemd TANDEM_PROXY=$PWD/.build/debug/tandem-proxy
for proxy in kamailio tandem-proxy; do
  for daemon in tandemd rtpengine; do
    tools/tests/sip-e2e.sh "$proxy" "$daemon" | tail -1
  done
done
FAILOVER=1 tools/tests/sip-e2e.sh tandem-proxy tandemd | tail -1
tools/tests/proxy-tcp.sh
CALLS=200 RATE=50 DURATION=10 tools/tests/sip-e2e.sh tandem-proxy tandemd | tail -12

step "WebRTC and SRTP with real peers: aiortc, headless Chromium, SDES across rtpengine <-> tandemd, attacks"
tools/tests/webrtc-interop.sh tandemd

step "relay: heap allocations per relayed packet; control-path allocations vs Bench/thresholds.json"
"$(swift build -c release --show-bin-path)/tandem-bench" relay-mallocs --packets 100000 --calls 100 --transcode all
"$(swift build -c release --show-bin-path)/tandem-bench" micro --iterations 2000 --mallocs-only

step "fuzz smoke runs"
for target in bencode sdp ng sip stun rtp codecs sdes; do
  tools/fuzz/run.sh "$target" 10
done

step "all tests passed"
