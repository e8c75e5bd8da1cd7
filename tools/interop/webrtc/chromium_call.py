"""Headless Chromium places a WebRTC audio call through the media daemon to a plain RTP
endpoint, end to end (issue 5's stretch goal).

Chromium (Debian's `chromium`, headless, fake audio capture from a WAV holding a --tone sine)
opens a tiny page served here; the page makes an RTCPeerConnection offer (DTLS-SRTP, ICE,
rtcp-mux, BUNDLE: all of a real browser's SDP) and POSTs it; this script does what a SIP proxy
does for WebRTC -> SIP (ng offer with ICE=remove, transport-protocol=RTP/AVP, rtcp-mux-demux),
lets the plain endpoint answer PCMU, does the ng answer and returns the daemon's answer SDP to
the page. Then:
  - the plain side must receive RTP whose decoded audio is the WAV's tone (the check);
  - the page reports what it received from the plain side's tone (getStats inbound-rtp and a
    WebAudio analyser's peak frequency), checked too.

  chromium_call.py [--daemon rtpengine|tandemd] [--ng ...] [--ports ...] [--external]
Needs python3 and chromium only. Loopback only for everything this script binds; Chromium is
told to gather loopback candidates (--allow-loopback-in-peer-connection)."""
from __future__ import annotations

import argparse
import http.server
import json
import math
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
import wave

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from interop import (LOOPBACK, Check, PlainRTPEndpoint, add_daemon_args, daemon_from_args,  # noqa: E402
                     dominant_frequency, ng, sdp_media_address, summarize_sdp)

PAGE = r"""<!doctype html><html><body><script>
const post = (path, body) => fetch(path, {method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body)});
const log = m => post('/log', String(m));
(async () => {
  try {
    const stream = await navigator.mediaDevices.getUserMedia({audio: true, video: false});
    const pc = new RTCPeerConnection({iceServers: []});
    stream.getTracks().forEach(t => pc.addTrack(t, stream));
    let analyser = null, ctx = null;
    pc.ontrack = e => {
      const el = new Audio(); el.muted = true; el.srcObject = e.streams[0] || new MediaStream([e.track]);
      el.play().catch(x => log('play: ' + x));
      ctx = new AudioContext();
      const src = ctx.createMediaStreamSource(el.srcObject);
      analyser = ctx.createAnalyser(); analyser.fftSize = 8192;
      src.connect(analyser);
    };
    pc.oniceconnectionstatechange = () => log('ice ' + pc.iceConnectionState);
    pc.onconnectionstatechange = () => log('connection ' + pc.connectionState);
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise(r => { if (pc.iceGatheringState === 'complete') r();
      pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && r(); setTimeout(r, 3000); });
    const resp = await fetch('/offer', {method: 'POST', body: pc.localDescription.sdp});
    if (!resp.ok) { await post('/result', {error: 'offer: ' + await resp.text()}); return; }
    await pc.setRemoteDescription({type: 'answer', sdp: await resp.text()});
    await new Promise(r => setTimeout(r, SECONDS * 1000));
    const result = {ice: pc.iceConnectionState, connection: pc.connectionState};
    (await pc.getStats()).forEach(s => {
      if (s.type === 'inbound-rtp' && s.kind === 'audio') Object.assign(result, {inPackets: s.packetsReceived, inEnergy: s.totalAudioEnergy, inCodec: s.codecId});
      if (s.type === 'outbound-rtp' && s.kind === 'audio') result.outPackets = s.packetsSent;
      if (s.type === 'codec' && s.mimeType) (result.codecs = result.codecs || []).push(s.mimeType);
    });
    if (analyser) {
      const bins = new Float32Array(analyser.frequencyBinCount);
      analyser.getFloatFrequencyData(bins);
      let best = 0; for (let i = 1; i < bins.length; i++) if (bins[i] > bins[best]) best = i;
      result.peakHz = best * ctx.sampleRate / analyser.fftSize; result.peakDb = bins[best];
    }
    await post('/result', result);
  } catch (e) { await post('/result', {error: String(e)}); }
})();
</script></body></html>"""


def write_wav(path: str, freq: float, seconds: float = 20, rate: int = 48000) -> None:
    n = int(seconds * rate)
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"".join(struct.pack("<h", int(12000 * math.sin(2 * math.pi * freq * i / rate)))
                               for i in range(n)))


class Signalling(http.server.BaseHTTPRequestHandler):
    """GET / -> the page; POST /offer -> ng offer, plain answer, ng answer -> answer SDP;
    POST /log, /result -> recorded."""
    ctx: dict = {}

    def log_message(self, *a):  # quiet
        pass

    def _reply(self, code: int, body: str, ctype: str = "text/plain") -> None:
        data = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self._reply(200, PAGE.replace("SECONDS", str(self.ctx["seconds"])), "text/html")

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode("utf-8", "replace")
        c = self.ctx
        if self.path == "/log":
            c["log"].append(body)
            self._reply(200, "")
        elif self.path == "/result":
            c["result"] = json.loads(body)
            c["done"].set()
            self._reply(200, "")
        elif self.path == "/offer":
            try:
                c["browser_offer"] = body
                d, plain, call = c["daemon"], c["plain"], c["call_id"]
                to_plain = ng(d, {"command": "offer", "call-id": call, "from-tag": "browser", "sdp": body,
                                  "flags": ["trust-address"], "replace": ["origin", "session-connection"],
                                  "ICE": "remove", "transport-protocol": "RTP/AVP", "rtcp-mux": ["demux"]},
                              "offer")["sdp"]
                to_browser = ng(d, {"command": "answer", "call-id": call, "from-tag": "browser", "to-tag": "plain",
                                    "sdp": plain.sdp(), "flags": ["trust-address"],
                                    "replace": ["origin", "session-connection"]}, "answer")["sdp"]
                c["to_plain"], c["to_browser"] = to_plain, to_browser
                plain.start(sdp_media_address(to_plain))
                self._reply(200, to_browser, "application/sdp")
            except Exception as e:
                c["log"].append(f"signalling error: {e}")
                self._reply(500, str(e))
        else:
            self._reply(404, "")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_daemon_args(ap)
    ap.add_argument("--chromium", default=os.environ.get("CHROMIUM", "chromium"))
    ap.add_argument("--http-port", type=int, default=22390)
    ap.add_argument("--plain-port", type=int, default=22380)
    ap.add_argument("--tone", type=float, default=440.0, help="the WAV's tone (browser -> plain)")
    ap.add_argument("--plain-tone", type=float, default=1000.0)
    ap.add_argument("--seconds", type=int, default=4)
    args = ap.parse_args()
    check = Check(f"chromium[{args.daemon}]")
    browser = shutil.which(args.chromium)
    if not browser:
        check("chromium installed", False, f"{args.chromium} not found (tools/interop/webrtc/setup.sh installs it)")
        return check.exit_code()
    daemon = daemon_from_args(args)
    tmp = tempfile.mkdtemp(prefix="tandem-chromium-")
    wav = os.path.join(tmp, "tone.wav")
    write_wav(wav, args.tone)
    plain = PlainRTPEndpoint(args.plain_port, tone_hz=args.plain_tone)
    ctx = {"daemon": daemon, "plain": plain, "call_id": f"chromium-{os.getpid()}-{time.monotonic_ns()}",
           "log": [], "done": threading.Event(), "seconds": args.seconds}
    Signalling.ctx = ctx
    server = http.server.ThreadingHTTPServer((LOOPBACK, args.http_port), Signalling)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    proc = None
    try:
        daemon.start()
        cmd = [browser, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
               f"--user-data-dir={tmp}/profile", "--use-fake-ui-for-media-stream",
               "--use-fake-device-for-media-stream", f"--use-file-for-fake-audio-capture={wav}",
               "--autoplay-policy=no-user-gesture-required", "--allow-loopback-in-peer-connection",
               "--disable-features=WebRtcHideLocalIpsWithMdns", "--remote-debugging-port=0",
               f"http://{LOOPBACK}:{args.http_port}/"]
        with open(os.path.join(tmp, "chromium.log"), "wb") as log:
            proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    start_new_session=True)
        finished = ctx["done"].wait(args.seconds + 25)
        result = ctx.get("result", {})
        print(f"  browser log: {'; '.join(ctx['log'])}", flush=True)
        if "to_plain" in ctx:
            print(f"  offer to plain side: {summarize_sdp(ctx['to_plain'])}", flush=True)
            print(f"  answer to browser: {summarize_sdp(ctx['to_browser'])}", flush=True)
        check("the page ran the call and reported", finished and "error" not in result,
              json.dumps(result) if finished else f"no report within {args.seconds + 25} s; chromium "
              f"{'exited ' + str(proc.poll()) if proc.poll() is not None else 'running'}")
        plain.stop()
        samples, packets, pts = plain.decoded_audio()
        f, purity = dominant_frequency(samples[1600:17600], 8000)
        check(f"plain side decodes the WAV's {args.tone:g} Hz tone sent by Chromium",
              packets > 0 and abs(f - args.tone) <= 15 and purity >= 0.5,
              f"{packets} G.711 packets (PT {sorted(pts)}), dominant {f:g} Hz, purity {purity:.2f}")
        if finished and "error" not in result:
            peak = result.get("peakHz") or 0
            check(f"Chromium receives and plays the plain side's {args.plain_tone:g} Hz tone",
                  (result.get("inPackets") or 0) > 0 and abs(peak - args.plain_tone) <= 25,
                  f"inbound packets {result.get('inPackets')}, energy {result.get('inEnergy')}, "
                  f"analyser peak {peak:.0f} Hz")
    except Exception as e:
        check("chromium call", False, f"{type(e).__name__}: {e}")
    finally:
        if proc and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)  # the group we created for this Chromium only
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5)
        try:
            ng(daemon, {"command": "delete", "call-id": ctx["call_id"]}, "delete")
        except Exception:
            pass
        plain.stop()
        server.shutdown()
        server.server_close()
        daemon.stop()
        if check.failed:
            try:
                with open(os.path.join(tmp, "chromium.log"), "rb") as f:
                    lines = [l for l in f.read().decode("utf-8", "replace").splitlines() if "dbus" not in l]
                print("--- chromium log tail ---\n" + "\n".join(lines[-15:]), flush=True)
            except OSError:
                pass
            if not daemon.external:
                print(f"--- {daemon.kind} log tail ---\n{daemon.log_tail(10)}", flush=True)
        shutil.rmtree(tmp, ignore_errors=True)
    return check.exit_code()


if __name__ == "__main__":
    sys.exit(main())
