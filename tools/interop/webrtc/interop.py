"""Shared parts of the WebRTC/SRTP interop tests (issue 5): the media daemon under test
(Debian's rtpengine or tandemd, started on loopback with our own ports), an ng client, a plain
RTP endpoint (UDP socket sending G.711 with a known tone), G.711 codecs and a tone detector.

Everything stays on 127.0.0.1. Every wait is bounded. Only processes started here are stopped,
by their PID."""
from __future__ import annotations

import math
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools"))
from g711 import g711_decode, g711_encode  # noqa: E402
from ng import NGClient, parse_hostport  # noqa: E402

LOOPBACK = "127.0.0.1"

# `timeout` and the wrapper stop us with SIGTERM: turn it into SystemExit so that every `with
# daemon:` / `finally:` runs and the daemons and browsers we started are stopped too.
signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


# ---------------------------------------------------------------- results

class Check:
    """Collects named assertions; prints one PASS/FAIL line each."""

    def __init__(self, prefix: str):
        self.prefix = prefix
        self.failed: list[str] = []
        self.passed = 0

    def __call__(self, name: str, ok: bool, detail: str = "") -> bool:
        if len(detail) > 240:
            detail = detail[:237] + "..."
        line = f"{'PASS' if ok else 'FAIL'}: {self.prefix}: {name}" + (f" ({detail})" if detail else "")
        print(line, flush=True)
        if ok:
            self.passed += 1
        else:
            self.failed.append(name)
        return ok

    def known(self, name: str, ok: bool, detail: str, reason: str) -> bool:
        """A check the daemon is known to fail for `reason` (a documented behaviour of the
        reference): printed as XFAIL and not counted as a failure; PASS if it passes."""
        if ok:
            return self(name, ok, detail)
        print(f"XFAIL: {self.prefix}: {name} ({detail}; known: {reason})", flush=True)
        return False

    def exit_code(self) -> int:
        print(f"{self.prefix}: {self.passed} passed, {len(self.failed)} failed", flush=True)
        return 1 if self.failed else 0


# ---------------------------------------------------------------- daemons

@dataclass
class Daemon:
    """rtpengine or tandemd on loopback, ng on 127.0.0.1:ng_port, media ports port_min..port_max.
    ``external=True``: already running at that address, never started or stopped here."""
    kind: str
    ng_port: int
    port_min: int
    port_max: int
    external: bool = False
    log_level: int = 6
    proc: subprocess.Popen | None = None
    logfile: str = ""
    pidfile: str = ""
    extra: list[str] = field(default_factory=list)

    def binary(self) -> str:
        if self.kind == "rtpengine":
            return os.environ.get("RTPENGINE", "/usr/bin/rtpengine")
        if self.kind == "tandemd":
            return os.environ.get("TANDEMD", os.path.join(ROOT, ".build", "debug", "tandemd"))
        raise ValueError(f"unknown daemon {self.kind!r} (rtpengine|tandemd)")

    def args(self) -> list[str]:
        # The reference configuration of tools/ref/rtpengine.sh, with one interface (127.0.0.1)
        # so that both daemons advertise the same single ICE candidate address.
        a = [self.binary(), "--config-file=none", "--table=-1", "--no-fallback", "--foreground",
             "--log-stderr", f"--log-level={self.log_level}",
             f"--listen-ng={LOOPBACK}:{self.ng_port}", f"--port-min={self.port_min}",
             f"--port-max={self.port_max}", f"--interface={LOOPBACK}", "--timeout=60",
             "--silent-timeout=3600", "--final-timeout=0", "--delete-delay=0", "--num-threads=2"]
        if self.kind == "tandemd":
            a.remove("--log-stderr")  # tandemd logs to stderr always
        return a + self.extra

    def client(self, timeout: float = 2.0) -> NGClient:
        return NGClient(LOOPBACK, self.ng_port, timeout=timeout, retries=2)

    def ping(self) -> bool:
        try:
            with NGClient(LOOPBACK, self.ng_port, timeout=0.3, retries=0) as c:
                return c.request({"command": "ping"}).get("result") == "pong"
        except Exception:
            return False

    def start(self) -> "Daemon":
        if self.external:
            if not self.ping():
                raise RuntimeError(f"no daemon answers ng ping on {LOOPBACK}:{self.ng_port}")
            return self
        if not os.access(self.binary(), os.X_OK):
            raise RuntimeError(f"{self.kind}: {self.binary()} is not executable (build it or set "
                               f"{'TANDEMD' if self.kind == 'tandemd' else 'RTPENGINE'})")
        rundir = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"tandem-webrtc-{self.kind}-{self.ng_port}")
        os.makedirs(rundir, exist_ok=True)
        self.pidfile = os.path.join(rundir, "daemon.pid")
        self._stop_stale()
        if self.ping():
            raise RuntimeError(f"something already answers ng on {LOOPBACK}:{self.ng_port}")
        self.logfile = os.path.join(rundir, "daemon.log")
        log = open(self.logfile, "wb")
        self.proc = subprocess.Popen(self.args(), stdout=log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        log.close()
        with open(self.pidfile, "w") as f:
            f.write(str(self.proc.pid))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            if self.ping():
                return self
            time.sleep(0.1)
        tail = self.log_tail()
        self.stop()
        raise RuntimeError(f"{self.kind} did not start on ng {self.ng_port}:\n{tail}")

    def _stop_stale(self) -> None:
        """A daemon an earlier run of ours started and could not stop (killed with SIGKILL):
        its PID is in our pidfile; stop it only if that PID still runs this daemon on our ng port."""
        try:
            pid = int(open(self.pidfile).read().strip())
            cmdline = open(f"/proc/{pid}/cmdline", "rb").read().split(b"\0")
        except (OSError, ValueError):
            return
        if f"--listen-ng={LOOPBACK}:{self.ng_port}".encode() in cmdline:
            os.kill(pid, signal.SIGTERM)
            for _ in range(50):
                if not os.path.exists(f"/proc/{pid}"):
                    break
                time.sleep(0.1)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)

    def log_tail(self, n: int = 25) -> str:
        try:
            with open(self.logfile, "rb") as f:
                return b"\n".join(f.read().splitlines()[-n:]).decode("utf-8", "replace")
        except OSError:
            return ""

    def __enter__(self):
        return self.start()

    def __exit__(self, *a):
        self.stop()


DEFAULT_PORTS = {  # per brief: rtpengine 22261 / 30000-30499 (second instance 22263 / 30500-30999),
    "rtpengine": (22261, 30000, 30499),  # tandemd 22262 / 30500-30999
    "tandemd": (22262, 30500, 30999),
}


def add_daemon_args(parser, prefix: str = "", kinds_default: str = "rtpengine",
                    ng_default: str | None = None, ports_default: str | None = None) -> None:
    p = prefix
    parser.add_argument(f"--{p}daemon", default=kinds_default, choices=["rtpengine", "tandemd"],
                        help="which daemon to start (or which one is running with --external)")
    parser.add_argument(f"--{p}ng", default=ng_default,
                        help="its ng address 127.0.0.1:PORT (default per daemon: rtpengine 22261, tandemd 22262)")
    parser.add_argument(f"--{p}ports", default=ports_default,
                        help="media port range MIN-MAX (default: rtpengine 30000-30499, tandemd 30500-30999)")
    parser.add_argument(f"--{p}external", action="store_true",
                        help="the daemon is already running at --ng: neither start nor stop it")


def daemon_from_args(args, prefix: str = "") -> Daemon:
    p = prefix.replace("-", "_")
    kind = getattr(args, f"{p}daemon")
    ng, lo, hi = DEFAULT_PORTS[kind]
    if getattr(args, f"{p}ng"):
        ng = parse_hostport(getattr(args, f"{p}ng"))[1]
    if getattr(args, f"{p}ports"):
        lo, hi = (int(x) for x in getattr(args, f"{p}ports").split("-"))
    return Daemon(kind, ng, lo, hi, external=getattr(args, f"{p}external"))


def ng(daemon: Daemon, msg: dict, what: str) -> dict:
    """One ng request; raises with the daemon's error reason if the result is not ok."""
    with daemon.client() as c:
        reply = c.request(msg)
    if reply.get("result") != "ok":
        raise RuntimeError(f"{daemon.kind} {what}: {reply.get('result')} {reply.get('error-reason', '')}")
    return reply


# ---------------------------------------------------------------- G.711 and tones

def sine(freq: float, rate: int, n: int, start: int = 0, amplitude: int = 8000) -> list[int]:
    w = 2 * math.pi * freq / rate
    return [int(amplitude * math.sin(w * (start + i))) for i in range(n)]


def goertzel_power(samples: list[float], rate: int, freq: float) -> float:
    w = 2 * math.pi * freq / rate
    coeff = 2 * math.cos(w)
    s1 = s2 = 0.0
    for x in samples:
        s0 = x + coeff * s1 - s2
        s2, s1 = s1, s0
    return s1 * s1 + s2 * s2 - coeff * s1 * s2


def dominant_frequency(samples: list[int], rate: int, lo: float = 100, hi: float = 3500,
                       step: float = 10) -> tuple[float, float]:
    """(frequency with the most energy between lo and hi, purity): purity is that bin's share of
    the signal's total energy (about 1 for a clean tone, near 0 for noise or garbage)."""
    n = len(samples)
    if n < 160:
        return 0.0, 0.0
    mean = sum(samples) / n
    x = [s - mean for s in samples]
    total = sum(v * v for v in x) or 1.0
    best_f, best_p = 0.0, -1.0
    f = lo
    while f <= hi:
        p = goertzel_power(x, rate, f)
        if p > best_p:
            best_f, best_p = f, p
        f += step
    # refine around the coarse peak
    for d in range(-int(step), int(step) + 1):
        p = goertzel_power(x, rate, best_f + d)
        if p > best_p:
            best_f, best_p = best_f + d, p
    purity = 2 * best_p / n / total
    return best_f, min(purity, 1.0)


# ---------------------------------------------------------------- RTP

def rtp_packet(pt: int, seq: int, ts: int, ssrc: int, payload: bytes, marker: bool = False) -> bytes:
    return struct.pack("!BBHII", 0x80, (0x80 if marker else 0) | pt, seq & 0xFFFF, ts & 0xFFFFFFFF, ssrc) + payload


def rtp_parse(pkt: bytes) -> tuple[int, int, int, int, bytes] | None:
    """(pt, seq, ts, ssrc, payload) of a plain RTP packet, None if it is not one."""
    if len(pkt) < 12 or pkt[0] >> 6 != 2 or 192 <= (pkt[1] & 0x7F) <= 223:
        return None
    cc = pkt[0] & 0x0F
    off = 12 + 4 * cc
    if pkt[0] & 0x10:
        if len(pkt) < off + 4:
            return None
        off += 4 + 4 * struct.unpack("!H", pkt[off + 2:off + 4])[0]
    end = len(pkt)
    if pkt[0] & 0x20:
        end -= pkt[-1]
    if off > end:
        return None
    pt, seq, ts, ssrc = pkt[1] & 0x7F, *struct.unpack("!HII", pkt[2:12])
    return pt, seq, ts, ssrc, pkt[off:end]


def rtcp_sender_report(ssrc: int, rtp_ts: int, packets: int, octets: int) -> bytes:
    now = time.time() + 2208988800
    return struct.pack("!BBHIIIIII", 0x80, 200, 6, ssrc, int(now), int((now % 1) * 2**32),
                       rtp_ts & 0xFFFFFFFF, packets, octets)


def rtcp_walk(data: bytes) -> list[int] | None:
    """Packet types of a compound RTCP packet whose lengths add up exactly, else None."""
    types, off = [], 0
    while off < len(data):
        if len(data) - off < 4 or data[off] >> 6 != 2 or not 192 <= data[off + 1] <= 223:
            return None
        types.append(data[off + 1])
        off += 4 + 4 * struct.unpack("!H", data[off + 2:off + 4])[0]
    return types if off == len(data) else None


class PlainRTPEndpoint:
    """A SIP phone's media in its simplest form: RTP on 127.0.0.1:port and RTCP on port+1,
    sending a G.711 tone every 20 ms (and an RTCP sender report every 0.5 s) to the address the
    daemon's SDP gave it, and keeping everything it receives on both sockets."""

    def __init__(self, port: int, tone_hz: float = 1000.0, pt: int = 0):
        self.port, self.tone_hz, self.pt = port, tone_hz, pt
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((LOOPBACK, port))
        self.rtcp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.rtcp.bind((LOOPBACK, port + 1))
        self.sock.settimeout(0.05)
        self.rtcp.settimeout(0.05)
        self.received: list[tuple[bytes, tuple]] = []
        self.rtcp_received: list[bytes] = []
        self.sent = 0
        self.rtcp_sent = 0
        self.peer: tuple[str, int] | None = None
        self.rtcp_peer: tuple[str, int] | None = None
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.ssrc = int.from_bytes(os.urandom(4), "big")

    def sdp(self, session: str = "plain", pts: tuple[int, ...] | None = None, proto: str = "RTP/AVP",
            extra: str = "") -> str:
        pts = pts or (self.pt,)
        names = {0: "PCMU/8000", 8: "PCMA/8000"}
        lines = ["v=0", f"o=- {self.port} 1 IN IP4 {LOOPBACK}", f"s={session}",
                 f"c=IN IP4 {LOOPBACK}", "t=0 0", f"m=audio {self.port} {proto} {' '.join(map(str, pts))}"]
        lines += [f"a=rtpmap:{p} {names[p]}" for p in pts]
        lines += ["a=ptime:20", "a=sendrecv"]
        return "\r\n".join(lines) + "\r\n" + extra

    def start(self, peer: tuple[str, int], send: bool = True, rtcp_peer: tuple[str, int] | None = None) -> None:
        self.peer = peer
        self.rtcp_peer = rtcp_peer or (peer[0], peer[1] + 1)
        self._threads = [threading.Thread(target=self._recv_loop, args=(self.sock, None), daemon=True),
                         threading.Thread(target=self._recv_loop, args=(self.rtcp, self.rtcp_received), daemon=True)]
        if send:
            self._threads.append(threading.Thread(target=self._send_loop, daemon=True))
        for t in self._threads:
            t.start()

    def _send_loop(self) -> None:
        seq, ts, n = int.from_bytes(os.urandom(2), "big"), int.from_bytes(os.urandom(4), "big"), 0
        t0 = time.monotonic()
        while not self._stop.is_set():
            payload = g711_encode(sine(self.tone_hz, 8000, 160, start=n * 160), self.pt)
            try:
                self.sock.sendto(rtp_packet(self.pt, seq, ts, self.ssrc, payload, marker=(n == 0)), self.peer)
                self.sent += 1
            except OSError:
                pass
            seq, ts, n = seq + 1, ts + 160, n + 1
            if n % 25 == 0:
                try:
                    self.rtcp.sendto(rtcp_sender_report(self.ssrc, ts, n, n * 160), self.rtcp_peer)
                    self.rtcp_sent += 1
                except OSError:
                    pass
            delay = t0 + n * 0.02 - time.monotonic()
            if delay > 0:
                self._stop.wait(delay)

    def _recv_loop(self, sock: socket.socket, into: list | None) -> None:
        while not self._stop.is_set():
            try:
                data, addr = sock.recvfrom(4096)
            except socket.timeout:
                continue
            except OSError:
                return
            if into is None:
                self.received.append((data, addr))
            else:
                into.append(data)

    def rtcp_reports(self) -> list[int]:
        """Packet types of the valid plain RTCP packets received on the RTCP port (compound
        packets walked; anything that is not well-formed RTCP, e.g. still encrypted, is skipped)."""
        types = []
        for data in self.rtcp_received:
            parsed = rtcp_walk(data)
            if parsed:
                types += parsed
        return types

    def stop(self) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(2)
        self.sock.close()
        self.rtcp.close()

    def decoded_audio(self) -> tuple[list[int], int, set[int]]:
        """(samples decoded from every received G.711 RTP packet in sequence order, packet
        count, payload types seen)."""
        pkts = [p for p in (rtp_parse(d) for d, _ in self.received) if p and p[0] in (0, 8)]
        pkts.sort(key=lambda p: p[1])
        samples: list[int] = []
        for pt, _, _, _, payload in pkts:
            samples += g711_decode(payload, pt)
        return samples, len(pkts), {p[0] for p in pkts}


# ---------------------------------------------------------------- SDP

def sdp_media_address(sdp: str) -> tuple[str, int]:
    """(connection address, port) of the first m= line."""
    addr = None
    port = None
    for line in sdp.splitlines():
        if line.startswith("c=") and addr is None:
            addr = line.split()[-1]
        if line.startswith("m=") and port is None:
            port = int(line.split()[1])
            break
    m = re.search(r"^m=.*?(?=^m=|\Z)", sdp, re.S | re.M)
    if m:
        for line in m.group(0).splitlines():
            if line.startswith("c="):
                addr = line.split()[-1]
    if addr is None or port is None:
        raise ValueError("SDP without c= or m=")
    return addr, port


def sdp_rtcp_address(sdp: str) -> tuple[str, int]:
    """Where RTCP goes: a=rtcp:PORT [IN IP4 ADDR] of the first m= section, else port + 1."""
    addr, port = sdp_media_address(sdp)
    rtcp = sdp_attr(sdp, "rtcp")
    if rtcp:
        parts = rtcp[0].split()
        return (parts[3] if len(parts) >= 4 else addr), int(parts[0])
    return addr, port + 1


def sdp_attr(sdp: str, name: str) -> list[str]:
    return [line[len(name) + 3:].strip() for line in sdp.splitlines() if line.startswith(f"a={name}:")]


def summarize_sdp(sdp: str) -> str:
    keep = ("m=", "c=", "a=setup", "a=fingerprint", "a=ice-", "a=rtcp-mux", "a=candidate", "a=rtpmap")
    lines = [line for line in sdp.splitlines() if line.startswith(keep)]
    suites = [c.split()[1] for c in sdp_attr(sdp, "crypto") if len(c.split()) > 1]
    if suites:
        lines.append(f"a=crypto x{len(suites)} ({suites[0]}{', ...' if len(suites) > 1 else ''})")
    return " | ".join(lines)
