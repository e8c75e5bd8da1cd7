#!/usr/bin/env python3
"""Bounded SIP + RTP load through a proxy and an rtpengine-compatible media daemon.

SIPp UAC (tools/sipp/uac.xml, real RTP both ways) -> PROXY (Kamailio, ...) -> SIPp UAS
(tools/sipp/uas.xml; started by us with --start-uas, or already running). While the calls run,
the media daemon is polled over ng (`list`, then `query` of every call) and, per call, the
RTP packets the daemon received from each side are kept (sum of `stats.packets` over the
non-RTCP streams of `tags -> medias -> streams`; caller = the tag with "-uac-", callee = "-uas-").
The last observation of a call is taken at most one poll cycle before its BYE.

At the end: SIPp's successful/failed call counts (from its -trace_stat CSV and exit code),
per-direction packet counts (min/avg/max over calls, expected ~50 pps x duration), and the
calls left in the daemon (`list` must be empty). A short human summary goes to stderr, one
JSON line to stdout. Exit status 0 = every call succeeded, every observed call carried RTP
both ways and no call was left; 1 = a check failed; 2 = usage or set-up error.

Everything is bounded: --calls <= 5000, --rate <= 500, --duration <= 600 s, a hard timeout
(default: calls/rate + duration + 30 s) after which SIPp is killed (its PID only).
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
from ng import NGClient, NGError, NGTimeout  # noqa: E402


def hostport(s: str) -> tuple[str, int]:
    host, _, port = s.rpartition(":")
    if not host or not port.isdigit():
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, got {s!r}")
    return host, int(port)


def log(msg: str) -> None:
    print(f"load: {msg}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------ ng monitoring

def text(v) -> str:
    return v.decode("utf-8", "replace") if isinstance(v, (bytes, bytearray)) else str(v)


def tag_rtp_packets(tag: dict) -> int:
    """RTP packets the daemon received from this tag's endpoint (RTCP streams excluded)."""
    total = 0
    for media in tag.get("medias", []) or []:
        for stream in media.get("streams", []) or []:
            flags = [text(f) for f in stream.get("flags", []) or []]
            if "RTCP" in flags and "RTP" not in flags:
                continue
            total += int((stream.get("stats") or {}).get("packets", 0))
    return total


def directions(query: dict) -> tuple[int, int] | None:
    """(caller->daemon, callee->daemon) RTP packets, or None when the call has < 2 tags."""
    tags = query.get("tags") or {}
    caller = callee = None
    rest = []
    for name, tag in tags.items():
        name = text(name)
        if "-uac-" in name:
            caller = tag
        elif "-uas-" in name:
            callee = tag
        else:
            rest.append((name, tag))
    # not our SIPp tags: fall back to creation order (the offerer's monologue comes first)
    rest.sort(key=lambda nt: (int(nt[1].get("created", 0) or 0), nt[0]))
    for _, tag in rest:
        if caller is None:
            caller = tag
        elif callee is None:
            callee = tag
    if caller is None or callee is None:
        return None
    return tag_rtp_packets(caller), tag_rtp_packets(callee)


def udp_truesize(payload: int = 172) -> int:
    """Kernel memory charged per queued datagram of this size (skb truesize), measured."""
    import socket
    r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        r.bind(("127.0.0.1", 0))
        s.sendto(b"\x80" * payload, r.getsockname())
        time.sleep(0.05)
        got = ss_counters([r.getsockname()[1]]).get(r.getsockname()[1])
        return got[0] if got and got[0] > 0 else 0
    finally:
        r.close()
        s.close()


def ss_counters(ports: list[int]) -> dict[int, tuple[int, int]]:
    """local UDP port -> (bytes queued (skmem r), datagrams dropped (skmem d)) on 127.0.0.1."""
    if not ports:
        return {}
    flt = " or ".join(f"sport = :{p}" for p in ports)
    try:
        out = subprocess.run(["ss", "-uanmH", f"( {flt} )"], capture_output=True, text=True, timeout=5).stdout
    except (OSError, subprocess.TimeoutExpired):
        return {}
    res: dict[int, tuple[int, int]] = {}
    port = None
    for tok in out.split():
        if ":" in tok and tok.rsplit(":", 1)[1].isdigit() and port is None:
            port = int(tok.rsplit(":", 1)[1])
        elif tok.startswith("skmem:(") and port is not None:
            f = {}
            for x in tok[7:].rstrip(")").split(","):      # r0,rb212992,t0,...,d0
                key = x.rstrip("0123456789")
                if key and x[len(key):].isdigit():
                    f[key] = int(x[len(key):])
            res[port] = (f.get("r", 0), f.get("d", 0))
            port = None
        elif tok in ("UNCONN", "ESTAB"):
            port = None
    return res


class Egress:
    """What the daemon delivered to SIPp's RTP sockets. SIPp 3.6.1's rtp_stream sends every
    call from ONE socket per process (the -mp port) and never reads it, so every datagram the
    daemon sends there stays queued (skmem r) or is dropped once the buffer is full (skmem d):
    delivered = r / truesize + d, per SIPp process, i.e. summed over all calls."""

    def __init__(self, ports: dict[str, int]):
        self.ports = ports                   # "uac"/"uas" -> RTP port
        self.truesize = udp_truesize()
        self.base = self._now()
        self.last = dict(self.base)

    def _now(self) -> dict[str, int | None]:
        c = ss_counters(list(self.ports.values()))
        out: dict[str, int | None] = {}
        for side, port in self.ports.items():
            if port in c and self.truesize:
                r, d = c[port]
                out[side] = r // self.truesize + d
            else:
                out[side] = None
        return out

    def sample(self) -> None:
        for side, v in self._now().items():
            if v is not None:
                self.last[side] = v

    def delivered(self, side: str) -> int | None:
        v, b = self.last.get(side), self.base.get(side)
        if v is None:
            return None
        return v - (b or 0)


class Monitor:
    def __init__(self, ng: tuple[str, int], ignore: set[str]):
        self.client = NGClient(ng[0], ng[1], timeout=1.0, retries=2)
        self.ignore = ignore             # calls that were in the daemon before we started
        self.calls: dict[str, dict] = {}  # call-id -> {"a": n, "b": n, "polls": k, "first": t, "last": t}
        self.max_active = 0
        self.polls = 0
        self.errors = 0

    def list_calls(self) -> list[str]:
        r = self.client.request({"command": "list", "limit": 100000})
        return [text(c) for c in r.get("calls", []) or []]

    def poll(self) -> None:
        try:
            ids = [c for c in self.list_calls() if c not in self.ignore]
        except (NGError, NGTimeout, OSError) as e:
            self.errors += 1
            log(f"ng list failed: {e}")
            return
        self.polls += 1
        self.max_active = max(self.max_active, len(ids))
        now = time.monotonic()
        for cid in ids:
            try:
                q = self.client.request({"command": "query", "call-id": cid})
            except (NGError, NGTimeout, OSError):
                self.errors += 1
                continue
            if text(q.get("result", "")) != "ok":
                continue                   # deleted between list and query
            d = directions(q)
            if d is None:
                continue                   # offer seen, answer not yet
            rec = self.calls.setdefault(cid, {"a": 0, "b": 0, "polls": 0, "first": now, "last": now})
            # counters only grow; keep the largest value seen (the last poll before the BYE)
            rec["a"] = max(rec["a"], d[0])
            rec["b"] = max(rec["b"], d[1])
            rec["polls"] += 1
            rec["last"] = now


# ------------------------------------------------------------------ SIPp

def parse_stat_csv(path: str) -> dict:
    """Last row of SIPp's -trace_stat CSV (';'-separated)."""
    try:
        with open(path, newline="") as f:
            rows = list(csv.reader(f, delimiter=";"))
    except OSError:
        return {}
    if len(rows) < 2:
        return {}
    head, last = rows[0], rows[-1]
    return {h: v for h, v in zip(head, last) if h}


def stat_int(stats: dict, key: str) -> int | None:
    try:
        return int(stats[key])
    except (KeyError, ValueError):
        return None


def start_uas(args, outdir: str) -> subprocess.Popen:
    host, port = args.start_uas
    cmd = ["sipp", "-sf", "uas.xml", "-i", host, "-p", str(port), "-mi", args.media_ip,
           "-mp", str(args.uas_media_port), "-cp", str(port + 1000), "-nostdin",
           "-trace_err", "-error_file", os.path.join(outdir, "uas-errors.log"),
           "-timeout", f"{int(args.hard_timeout) + 10}s"]
    log(f"starting UAS: {' '.join(cmd)}")
    p = subprocess.Popen(cmd, cwd=HERE, stdout=open(os.path.join(outdir, "uas-screen.log"), "w"),
                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    time.sleep(0.5)
    if p.poll() is not None:
        raise SystemExit(f"load: the UAS exited at once (status {p.returncode}); see {outdir}/uas-screen.log")
    return p


def stop(p: subprocess.Popen | None, name: str) -> None:
    if p is None or p.poll() is not None:
        return
    p.send_signal(signal.SIGTERM)        # our child's PID only
    try:
        p.wait(timeout=3)
    except subprocess.TimeoutExpired:
        log(f"{name} (pid {p.pid}) ignored SIGTERM; SIGKILL")
        p.kill()
        p.wait(timeout=3)


# ------------------------------------------------------------------ main

def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--proxy", type=hostport, default=("127.0.0.1", 5060), help="SIP proxy HOST:PORT (127.0.0.1:5060)")
    ap.add_argument("--ng", type=hostport, default=("127.0.0.1", 2223), help="media daemon ng HOST:PORT (127.0.0.1:2223)")
    ap.add_argument("--calls", type=int, default=10, help="calls to place (10)")
    ap.add_argument("--rate", type=float, default=5, help="new calls per second (5)")
    ap.add_argument("--duration", type=float, default=3, help="seconds of media per call (3)")
    ap.add_argument("--max-concurrent", type=int, default=0, help="SIPp -l (default: calls)")
    ap.add_argument("--timeout", type=float, default=0, help="hard limit in seconds (default calls/rate + duration + 30)")
    ap.add_argument("--uac", type=hostport, default=("127.0.0.1", 5080), help="UAC local SIP HOST:PORT (127.0.0.1:5080)")
    ap.add_argument("--uac-media-port", type=int, default=7000, help="UAC RTP port (-mp); SIPp 3.6.1 streams every call from this one socket, +2 is its video socket (7000)")
    ap.add_argument("--start-uas", type=hostport, metavar="HOST:PORT", help="also start a SIPp UAS there (the proxy must send INVITEs to it)")
    ap.add_argument("--uas-media-port", type=int, default=7010, help="RTP port (-mp) of a UAS started by --start-uas (7010)")
    ap.add_argument("--uas-rtp-port", type=int, default=0, help="RTP port of an already running SIPp UAS (its -mp), for the egress check")
    ap.add_argument("--media-ip", default="127.0.0.1", help="SIPp media address (127.0.0.1)")
    ap.add_argument("--poll", type=float, default=0.5, help="seconds between ng polls (0.5)")
    ap.add_argument("--min-pps", type=float, default=0, help="fail if a direction averages fewer packets/s of call duration (0 = only > 0)")
    ap.add_argument("--outdir", default="", help="SIPp logs and CSV (default: a new /tmp/tandem-load.XXXX)")
    args = ap.parse_args()

    if not (1 <= args.calls <= 5000) or not (0 < args.rate <= 500) or not (0 < args.duration <= 600):
        ap.error("bounds: 1 <= --calls <= 5000, 0 < --rate <= 500, 0 < --duration <= 600")
    if args.max_concurrent <= 0:
        args.max_concurrent = args.calls
    args.hard_timeout = args.timeout or (args.calls / args.rate + args.duration + 30)
    outdir = args.outdir or subprocess.check_output(["mktemp", "-d", "/tmp/tandem-load.XXXXXX"], text=True).strip()
    os.makedirs(outdir, exist_ok=True)

    mon = Monitor(args.ng, set())
    try:
        pong = mon.client.request({"command": "ping"})
        before = mon.list_calls()
    except (NGError, NGTimeout, OSError) as e:
        log(f"media daemon at {args.ng[0]}:{args.ng[1]} does not answer ng: {e}")
        return 2
    if text(pong.get("result", "")) != "pong":
        log(f"unexpected ping reply {pong}")
        return 2
    if before:
        log(f"warning: {len(before)} call(s) already in the daemon; ignored")
    mon.ignore = set(before)

    uas = None
    if args.start_uas:
        uas = start_uas(args, outdir)

    egress_ports = {"uac": args.uac_media_port}
    uas_rtp = args.uas_media_port if args.start_uas else args.uas_rtp_port
    if uas_rtp:
        egress_ports["uas"] = uas_rtp
    egress = Egress(egress_ports)

    stat_csv = os.path.join(outdir, "uac-stat.csv")
    cmd = ["sipp", f"{args.proxy[0]}:{args.proxy[1]}", "-sf", "uac.xml",
           "-i", args.uac[0], "-p", str(args.uac[1]), "-cp", str(args.uac[1] + 1000),
           "-mi", args.media_ip, "-mp", str(args.uac_media_port),
           "-m", str(args.calls), "-r", f"{args.rate:g}", "-l", str(args.max_concurrent),
           "-d", str(int(args.duration * 1000)), "-nostdin",
           "-trace_stat", "-stf", stat_csv, "-fd", "1",
           "-trace_err", "-error_file", os.path.join(outdir, "uac-errors.log"),
           "-trace_screen", "-screen_file", os.path.join(outdir, "uac-final-screen.log"),
           "-timeout", f"{int(args.hard_timeout)}s", "-timeout_error"]
    log(f"{args.calls} calls, {args.rate:g}/s, {args.duration:g} s each, max {args.max_concurrent} concurrent, "
        f"hard timeout {args.hard_timeout:.0f} s; logs in {outdir}")
    log(" ".join(cmd))
    t0 = time.monotonic()
    uac = subprocess.Popen(cmd, cwd=HERE, stdout=open(os.path.join(outdir, "uac-screen.log"), "w"),
                           stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    killed = False
    try:
        while uac.poll() is None:
            if time.monotonic() - t0 > args.hard_timeout + 5:
                log(f"hard timeout: killing SIPp UAC (pid {uac.pid})")
                stop(uac, "SIPp UAC")
                killed = True
                break
            t = time.monotonic()
            mon.poll()
            egress.sample()
            time.sleep(max(0.0, args.poll - (time.monotonic() - t)))
    finally:
        stop(uac, "SIPp UAC")
    elapsed = time.monotonic() - t0
    rc = uac.returncode
    egress.sample()

    # the BYEs went through the proxy before their 200s came back: the daemon should be empty now
    left: list[str] = []
    for _ in range(30):                  # bounded: ~3 s
        try:
            left = [c for c in mon.list_calls() if c not in mon.ignore]
        except (NGError, NGTimeout, OSError) as e:
            log(f"ng list failed: {e}")
            left = ["?"]
        if not left:
            break
        time.sleep(0.1)
    egress.sample()
    stop(uas, "SIPp UAS")
    try:                                 # the daemon's own counters (tandemd: drops per reason)
        daemon_stats = mon.client.request({"command": "statistics"})
    except (NGError, NGTimeout, OSError):
        daemon_stats = {}
    tandem_section = ((daemon_stats or {}).get("statistics") or {}).get("tandem")

    stats = parse_stat_csv(stat_csv)
    ok = stat_int(stats, "SuccessfulCall(C)")
    failed = stat_int(stats, "FailedCall(C)")
    created = stat_int(stats, "TotalCallCreated")

    a = [r["a"] for r in mon.calls.values()]
    b = [r["b"] for r in mon.calls.values()]

    def summary(xs: list[int]) -> dict:
        if not xs:
            return {"min": 0, "avg": 0, "max": 0}
        return {"min": min(xs), "avg": round(sum(xs) / len(xs), 1), "max": max(xs)}

    no_media = sorted(cid for cid, r in mon.calls.items() if r["a"] == 0 or r["b"] == 0)
    expected = 50 * args.duration
    low = []
    if args.min_pps > 0:
        floor = args.min_pps * args.duration
        low = sorted(cid for cid, r in mon.calls.items() if min(r["a"], r["b"]) < floor)

    # the daemon must have delivered at least what it was seen receiving from the other side
    to_uac, to_uas = egress.delivered("uac"), egress.delivered("uas")
    egress_report = {"to_uac": to_uac, "to_uas": to_uas, "truesize": egress.truesize,
                     "received_from_uas": sum(b), "received_from_uac": sum(a)}

    problems = []
    if to_uac is not None and to_uac < 0.95 * sum(b):
        problems.append(f"daemon delivered {to_uac} RTP packets to the UAC, but received {sum(b)} from the UAS")
    if to_uas is not None and to_uas < 0.95 * sum(a):
        problems.append(f"daemon delivered {to_uas} RTP packets to the UAS, but received {sum(a)} from the UAC")
    if killed:
        problems.append("hard timeout: SIPp killed")
    if ok is None:
        problems.append("no SIPp statistics")
    elif ok != args.calls:
        problems.append(f"{ok}/{args.calls} calls successful")
    if failed:
        problems.append(f"{failed} calls failed")
    if rc != 0:
        problems.append(f"SIPp exit status {rc}")
    if len(mon.calls) < (ok or 0):
        problems.append(f"only {len(mon.calls)} of {ok} successful calls seen in the daemon (answered)")
    if no_media:
        problems.append(f"{len(no_media)} calls without RTP in one direction")
    if low:
        problems.append(f"{len(low)} calls below {args.min_pps:g} pps in one direction")
    if left:
        problems.append(f"{len(left)} calls left in the daemon")

    result = {
        "ok": not problems,
        "calls": args.calls, "rate": args.rate, "duration": args.duration,
        "max_concurrent": args.max_concurrent,
        "sipp": {"created": created, "successful": ok, "failed": failed, "exit_status": rc},
        "daemon": {
            "ng": f"{args.ng[0]}:{args.ng[1]}",
            "calls_seen": len(mon.calls), "max_active": mon.max_active, "polls": mon.polls,
            "ng_errors": mon.errors,
            "packets_uac_to_daemon": summary(a), "packets_uas_to_daemon": summary(b),
            "expected_per_direction": expected,
            "calls_without_media": no_media[:20], "calls_left": left[:20],
        },
        "egress": egress_report,
        "daemon_statistics_tandem": tandem_section,
        "elapsed_s": round(elapsed, 1),
        "problems": problems,
        "logs": outdir,
    }

    sa, sb = summary(a), summary(b)

    def fmt(v):
        return "n/a" if v is None else str(v)

    tandem_line = ""
    if isinstance(tandem_section, dict):
        tandem_line = "\nload: tandemd statistics.tandem: " + ", ".join(f"{k} {v}" for k, v in tandem_section.items())
    print(f"""load: ---- summary ----------------------------------------------------------
load: SIPp:    {ok} successful, {failed} failed of {args.calls} calls (created {created}, exit {rc}), {elapsed:.1f} s
load: daemon:  {len(mon.calls)} calls seen answered, max {mon.max_active} active at once, {mon.polls} polls
load: RTP packets per call (expected ~{expected:g} per direction = 50 pps x {args.duration:g} s, observed up to one poll before BYE):
load:   UAC -> daemon: min {sa['min']}  avg {sa['avg']}  max {sa['max']}
load:   UAS -> daemon: min {sb['min']}  avg {sb['avg']}  max {sb['max']}
load: delivered by the daemon to SIPp's RTP sockets (all calls): to UAC {fmt(to_uac)} (received from UAS {sum(b)}), to UAS {fmt(to_uas)} (received from UAC {sum(a)})
load: calls left in the daemon after the BYEs: {len(left)}{tandem_line}
load: {'PASS' if not problems else 'FAIL: ' + '; '.join(problems)}""", file=sys.stderr, flush=True)
    print(json.dumps(result, sort_keys=True))
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
