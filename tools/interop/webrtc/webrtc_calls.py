"""A real WebRTC peer (aiortc: ICE + DTLS-SRTP + rtcp-mux) calling, and called by, a plain RTP
endpoint through the media daemon, the way a SIP proxy drives rtpengine for WebRTC <-> SIP.

  Call A (WebRTC caller): aiortc offers; ng offer with ICE=remove, transport-protocol=RTP/AVP,
    rtcp-mux-demux (Kamailio's rtpengine_offer for WebRTC -> SIP); the plain endpoint answers
    RTP/AVP PCMU; ng answer; aiortc gets UDP/TLS/RTP/SAVPF back.
  Call B (WebRTC callee): the plain endpoint offers RTP/AVP; ng offer with ICE=force,
    transport-protocol=UDP/TLS/RTP/SAVPF, rtcp-mux-require, once with DTLS=passive and once
    without a DTLS key (--dtls); aiortc answers; ng answer; the plain side gets RTP/AVP back.

Both ways audio must flow and be decodable: aiortc sends a sine (--webrtc-tone) that the plain
side decodes from the G.711 it receives; the plain side sends another (--plain-tone) whose
frequency must dominate the frames aiortc decodes.

  webrtc_calls.py [--daemon rtpengine|tandemd] [--ng 127.0.0.1:PORT] [--ports MIN-MAX]
                  [--external] [--call a|b|both]

Exit status 0 when every check passes. Loopback only: aiortc's ICE gathers 127.0.0.1 only,
on ports from --ice-ports, and uses no STUN server."""
from __future__ import annotations

import argparse
import asyncio
import fractions
import logging
import os
import re
import struct
import sys
import time

import aioice.ice
from aiortc import MediaStreamTrack, RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from av import AudioFrame

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from interop import (LOOPBACK, Check, PlainRTPEndpoint, add_daemon_args, daemon_from_args,  # noqa: E402
                     dominant_frequency, ng, sdp_attr, sdp_media_address, sdp_rtcp_address, sine,
                     summarize_sdp)

TONE_TOLERANCE_HZ = 15
MIN_PURITY = 0.5


# ---------------------------------------------------------------- aiortc on loopback

def loopback_ice(ports: range) -> None:
    """aioice gathers every non-loopback address and binds ephemeral ports; we want 127.0.0.1
    only and ports from our range, so the test never leaves loopback."""
    aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: [LOOPBACK]
    loop = asyncio.get_running_loop()
    original = loop.create_datagram_endpoint

    async def pinned(factory, local_addr=None, **kw):
        if local_addr and local_addr[0] == LOOPBACK and local_addr[1] == 0:
            for port in ports:
                try:
                    return await original(factory, local_addr=(LOOPBACK, port), **kw)
                except OSError:
                    continue
            raise OSError(f"no free port in {ports.start}-{ports.stop - 1}")
        return await original(factory, local_addr=local_addr, **kw)

    loop.create_datagram_endpoint = pinned


class SineTrack(MediaStreamTrack):
    """Microphone stand-in: a 8 kHz mono sine in 20 ms frames, paced in real time."""
    kind = "audio"

    def __init__(self, freq: float, rate: int = 8000):
        super().__init__()
        self.freq, self.rate, self.n, self.t0 = freq, rate, 0, None

    async def recv(self) -> AudioFrame:
        if self.t0 is None:
            self.t0 = time.monotonic()
        delay = self.t0 + self.n / self.rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        count = self.rate // 50
        frame = AudioFrame(format="s16", layout="mono", samples=count)
        frame.planes[0].update(struct.pack(f"<{count}h", *sine(self.freq, self.rate, count, start=self.n)))
        frame.pts, frame.sample_rate, frame.time_base = self.n, self.rate, fractions.Fraction(1, self.rate)
        self.n += count
        return frame


class TrackSink:
    """Decoded audio aiortc receives (mono s16 at the decoder's rate)."""

    def __init__(self):
        self.samples: list[int] = []
        self.rate = 8000
        self.frames = 0
        self.task: asyncio.Task | None = None

    def attach(self, track) -> None:
        self.task = asyncio.ensure_future(self._run(track))

    async def _run(self, track) -> None:
        try:
            while True:
                frame = await track.recv()
                self.frames += 1
                self.rate = frame.sample_rate
                channels = len(frame.layout.channels)
                raw = bytes(frame.planes[0])[: frame.samples * 2 * channels]
                values = struct.unpack(f"<{len(raw) // 2}h", raw)
                self.samples += list(values[::channels])
        except Exception:
            return


def tamper_fingerprint(sdp: str) -> str:
    """Flip the last hex byte of every a=fingerprint (still well-formed, no longer ours)."""
    def flip(m):
        last = int(m.group(2), 16) ^ 0xFF
        return f"{m.group(1)}{last:02X}"
    return re.sub(r"(a=fingerprint:\S+ (?:[0-9A-Fa-f]{2}:)+)([0-9A-Fa-f]{2})", flip, sdp)


def require_dtls(sdp: str, what: str) -> None:
    """aiortc fails obscurely (AttributeError on None) on an SDP without DTLS; say what is missing."""
    missing = [a for a in ("fingerprint", "ice-ufrag", "ice-pwd") if not sdp_attr(sdp, a)]
    if " UDP/TLS/RTP/SAVPF " not in sdp:
        missing.append("UDP/TLS/RTP/SAVPF")
    if missing:
        raise RuntimeError(f"the daemon's {what} to the WebRTC side lacks {', '.join(missing)}: "
                           f"{summarize_sdp(sdp)}")


# ---------------------------------------------------------------- the two calls

async def call_a(daemon, plain: PlainRTPEndpoint, ice_ports: range, webrtc_tone: float,
                 seconds: float, tamper: bool = False, log=print) -> dict:
    """aiortc offers, plain answers. Returns what each side got."""
    loopback_ice(ice_ports)
    call_id = f"webrtc-a-{os.getpid()}-{time.monotonic_ns()}"
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    sink = TrackSink()
    pc.on("track", lambda track: sink.attach(track) if track.kind == "audio" else None)
    pc.addTrack(SineTrack(webrtc_tone))
    await pc.setLocalDescription(await pc.createOffer())
    offer_sdp = pc.localDescription.sdp
    if tamper:
        offer_sdp = tamper_fingerprint(offer_sdp)
    r = ng(daemon, {"command": "offer", "call-id": call_id, "from-tag": "webrtc", "sdp": offer_sdp,
                    "flags": ["trust-address"], "replace": ["origin", "session-connection"],
                    "ICE": "remove", "transport-protocol": "RTP/AVP", "rtcp-mux": ["demux"]}, "offer")
    to_plain = r["sdp"]
    log(f"  offer to plain side: {summarize_sdp(to_plain)}")
    r = ng(daemon, {"command": "answer", "call-id": call_id, "from-tag": "webrtc", "to-tag": "plain",
                    "sdp": plain.sdp(), "flags": ["trust-address"],
                    "replace": ["origin", "session-connection"]}, "answer")
    to_webrtc = r["sdp"]
    log(f"  answer to WebRTC side: {summarize_sdp(to_webrtc)}")
    require_dtls(to_webrtc, "answer")
    await pc.setRemoteDescription(RTCSessionDescription(to_webrtc, "answer"))
    plain.start(sdp_media_address(to_plain), rtcp_peer=sdp_rtcp_address(to_plain))
    return await _run_media(daemon, pc, sink, plain, call_id, to_plain, to_webrtc, seconds)


async def call_b(daemon, plain: PlainRTPEndpoint, ice_ports: range, webrtc_tone: float,
                 seconds: float, dtls: str = "passive", tamper: bool = False, log=print) -> dict:
    """plain offers, aiortc answers."""
    loopback_ice(ice_ports)
    call_id = f"webrtc-b-{os.getpid()}-{time.monotonic_ns()}"
    offer = {"command": "offer", "call-id": call_id, "from-tag": "plain", "sdp": plain.sdp(),
             "flags": ["trust-address"], "replace": ["origin", "session-connection"],
             "ICE": "force", "transport-protocol": "UDP/TLS/RTP/SAVPF", "rtcp-mux": ["require"]}
    if dtls != "default":
        offer["DTLS"] = dtls
    r = ng(daemon, offer, "offer")
    to_webrtc = r["sdp"]
    log(f"  offer to WebRTC side: {summarize_sdp(to_webrtc)}")
    require_dtls(to_webrtc, "offer")
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    sink = TrackSink()
    pc.on("track", lambda track: sink.attach(track) if track.kind == "audio" else None)
    await pc.setRemoteDescription(RTCSessionDescription(to_webrtc, "offer"))
    pc.getTransceivers()[0].sender.replaceTrack(SineTrack(webrtc_tone))
    pc.getTransceivers()[0].direction = "sendrecv"
    await pc.setLocalDescription(await pc.createAnswer())
    answer_sdp = pc.localDescription.sdp
    if tamper:
        answer_sdp = tamper_fingerprint(answer_sdp)
    r = ng(daemon, {"command": "answer", "call-id": call_id, "from-tag": "plain", "to-tag": "webrtc",
                    "sdp": answer_sdp, "flags": ["trust-address"],
                    "replace": ["origin", "session-connection"]}, "answer")
    to_plain = r["sdp"]
    log(f"  answer to plain side: {summarize_sdp(to_plain)}")
    plain.start(sdp_media_address(to_plain), rtcp_peer=sdp_rtcp_address(to_plain))
    return await _run_media(daemon, pc, sink, plain, call_id, to_plain, to_webrtc, seconds)


async def _run_media(daemon, pc, sink, plain, call_id, to_plain, to_webrtc, seconds) -> dict:
    """Let media flow until both sides have `seconds` of audio (bounded), then collect."""
    deadline = time.monotonic() + seconds + 6
    need = int(seconds * 50)
    sr_sent = None
    while time.monotonic() < deadline:
        stats = await pc.getStats()
        sr_sent = next((s.packetsSent for s in stats.values() if s.type == "remote-outbound-rtp"), None)
        # aiortc sends its first RTCP report after 0.5-1.5 s; wait for one if media is there
        if sink.frames >= need and len(plain.received) >= need and (plain.rtcp_reports() or sink.frames >= 3 * need):
            break
        await asyncio.sleep(0.1)
    result = {"call_id": call_id, "to_plain": to_plain, "to_webrtc": to_webrtc,
              "ice_state": pc.iceConnectionState, "pc_state": pc.connectionState,
              "webrtc_frames": sink.frames, "webrtc_rate": sink.rate, "webrtc_sr_packets": sr_sent,
              # skip the first 0.2 s: jitter buffer start-up and comfort silence
              "webrtc_samples": sink.samples[sink.rate // 5:]}
    try:
        with daemon.client() as c:
            result["query"] = c.request({"command": "query", "call-id": call_id})
    except Exception as e:  # the daemon may not implement query details
        result["query"] = {"result": "error", "error-reason": str(e)}
    await pc.close()
    if sink.task:
        sink.task.cancel()
    plain.stop()
    samples, packets, pts = plain.decoded_audio()
    result.update(plain_rtcp=plain.rtcp_reports(), plain_rtcp_sent=plain.rtcp_sent,
                  plain_rtcp_raw=len(plain.rtcp_received), plain_packets=packets, plain_pts=pts, plain_samples=samples[1600:], plain_sent=plain.sent,
                  plain_received_any=len(plain.received))
    return result


def check_audio(check: Check, label: str, r: dict, webrtc_tone: float, plain_tone: float) -> None:
    f, purity = dominant_frequency(r["webrtc_samples"][:16000], r["webrtc_rate"])
    check(f"{label}: WebRTC side decodes the plain side's {plain_tone:g} Hz tone",
          r["webrtc_frames"] > 0 and abs(f - plain_tone) <= TONE_TOLERANCE_HZ and purity >= MIN_PURITY,
          f"{r['webrtc_frames']} frames at {r['webrtc_rate']} Hz, dominant {f:g} Hz, purity {purity:.2f}, "
          f"ICE {r['ice_state']}, connection {r['pc_state']}")
    f, purity = dominant_frequency(r["plain_samples"][:16000], 8000)
    check(f"{label}: plain side decodes the WebRTC side's {webrtc_tone:g} Hz tone",
          r["plain_packets"] > 0 and abs(f - webrtc_tone) <= TONE_TOLERANCE_HZ and purity >= MIN_PURITY,
          f"{r['plain_packets']} G.711 RTP packets (PT {sorted(r['plain_pts'])}), dominant {f:g} Hz, "
          f"purity {purity:.2f}")


def check_rtcp(check: Check, label: str, r: dict) -> None:
    """RTCP crosses the SRTCP <-> RTCP and rtcp-mux <-> separate-port boundary both ways."""
    check(f"{label}: plain side gets aiortc's RTCP as plain RTCP on its RTCP port",
          any(t in (200, 201) for t in r["plain_rtcp"]),
          f"{r['plain_rtcp_raw']} datagrams on the RTCP port, valid RTCP types {r['plain_rtcp'][:8]}")
    check(f"{label}: aiortc gets the plain side's RTCP sender reports (remote-outbound-rtp stats)",
          r["webrtc_sr_packets"] is not None,
          f"{r['plain_rtcp_sent']} SRs sent, aiortc's last SR packet count: {r['webrtc_sr_packets']}")


def check_sdp(check: Check, label: str, r: dict) -> None:
    w, p = r["to_webrtc"], r["to_plain"]
    check(f"{label}: SDP towards WebRTC is UDP/TLS/RTP/SAVPF with ICE, fingerprint, rtcp-mux",
          "UDP/TLS/RTP/SAVPF" in w and sdp_attr(w, "fingerprint") != [] and sdp_attr(w, "ice-ufrag") != []
          and "a=rtcp-mux" in w, summarize_sdp(w))
    check(f"{label}: SDP towards the plain side is RTP/AVP without ICE or DTLS",
          re.search(r"^m=audio \d+ RTP/AVP ", p, re.M) is not None and "a=fingerprint" not in p
          and "a=ice-ufrag" not in p and "a=candidate" not in p, summarize_sdp(p))


async def main_async(args) -> int:
    check = Check(f"webrtc[{args.daemon}]")
    daemon = daemon_from_args(args)
    lo, hi = (int(x) for x in args.ice_ports.split("-"))
    with daemon:
        calls = (["a"] if args.call in ("a", "both") else []) + \
                ([f"b:{d}" for d in args.dtls.split(",")] if args.call in ("b", "both") else [])
        for name in calls:
            dtls = name.partition(":")[2]
            label = ("call A (aiortc offers, plain answers)" if name == "a" else
                     f"call B (plain offers with DTLS={dtls}, aiortc answers)")
            print(f"{label} through {daemon.kind} ng {daemon.ng_port}", flush=True)
            plain = PlainRTPEndpoint(args.plain_port, tone_hz=args.plain_tone)
            try:
                if name == "a":
                    r = await asyncio.wait_for(call_a(daemon, plain, range(lo, hi + 1), args.webrtc_tone,
                                                      args.seconds), args.seconds + 20)
                else:
                    r = await asyncio.wait_for(call_b(daemon, plain, range(lo, hi + 1), args.webrtc_tone,
                                                      args.seconds, dtls=dtls), args.seconds + 20)
            except Exception as e:
                plain.stop()
                check(f"{label}: signalling and media", False, f"{type(e).__name__}: {e}")
                continue
            check_sdp(check, label, r)
            check_audio(check, label, r, args.webrtc_tone, args.plain_tone)
            check_rtcp(check, label, r)
            try:
                ng(daemon, {"command": "delete", "call-id": r["call_id"]}, "delete")
            except Exception as e:
                check(f"{label}: delete", False, str(e))
        if check.failed and not daemon.external:
            print(f"--- {daemon.kind} log tail ---\n{daemon.log_tail()}", flush=True)
    return check.exit_code()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_daemon_args(ap)
    ap.add_argument("--call", default="both", choices=["a", "b", "both"])
    ap.add_argument("--plain-port", type=int, default=22300)
    ap.add_argument("--ice-ports", default="22310-22319")
    ap.add_argument("--webrtc-tone", type=float, default=440.0)
    ap.add_argument("--plain-tone", type=float, default=1000.0)
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("--dtls", default="passive,default",
                    help="call B once per value: DTLS key of its ng offer (passive, active; default: none)")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    if args.verbose:
        logging.basicConfig(level=logging.DEBUG)
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
