#!/usr/bin/env python3
"""Side-by-side load benchmark: tandemd vs rtpengine (userspace) vs a C reflector (the loopback limit).

Driven by Bench/run.sh (which builds everything first); standard library only, so it runs without
the plotting venv. Methodology (shared/notes/lab-facts.md): the daemon under test is pinned to
CPU 1 (all of its threads, control plane included), the generator (Bench/loadgen) to CPU 0; the
daemon's CPU is its own utime+stime over the measurement window (plus the precise
/proc/PID/task/*/schedstat sum); CPU-1/CPU-0 busy time from /proc/stat shows what other processes
took ("other"), and every step is preceded by a quiet check (both CPUs idle). Daemons are
interleaved per step (tandemd, rtpengine, reflector at N calls, then N+1) so that background load
drifting over the run hits all three alike.

Kills only the processes it started (by PID), on exit and on SIGINT/SIGTERM.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import signal
import socket
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.dirname(HERE)
ROOT = os.path.dirname(BENCH)

DAEMON_CPU, GEN_CPU = 1, 0
PHONE_IP = "127.0.0.3"
MEDIA_PORTS = (10000, 15999)          # media ports of every daemon and of the phones (each on its own IP)
ADDR = {"tandemd": "127.0.0.2", "rtpengine": "127.0.0.4", "reflector": "127.0.0.5"}
NGPORT = {"tandemd": 12001, "rtpengine": 12002}
LOG_LEVEL = 4                         # warnings: no per-call logging in either daemon

# Step counts are trimmed so that the whole full run (every phase, three daemons) stays under
# 15 minutes on the 2-core VM; `budget_s` stops re-runs of contaminated steps (and then phases)
# when the run would exceed it.
PROFILES = {
    "quick": dict(ramp=[50, 200, 400, 800], warmup=1.0, duration=3.0, flood=3.0, ng=2.0,
                  quiet_retries=1, settle=0.3, budget_s=420,
                  media_warmup=1.0, media_duration=2.0,
                  ramps={"pcma": [50, 200], "opus": [10, 40], "srtp": [50, 200]}),
    "full": dict(ramp=[50, 100, 200, 400, 600, 800, 1000, 1200, 1400], warmup=2.0, duration=5.0,
                 flood=6.0, ng=4.0, quiet_retries=4, settle=0.5, budget_s=840,
                 media_warmup=1.5, media_duration=4.0,
                 # srtp stops at 300: from ~400 calls the generator's own libsrtp2 (NSS, ~5 us per
                 # protect and per unprotect) makes it late (gen_limited), at 800 both daemons
                 # "lose" two thirds of the packets because the generator cannot read them
                 ramps={"pcma": [50, 100, 200, 400, 800], "opus": [10, 20, 40, 80, 160],
                        "srtp": [50, 100, 150, 200, 300]}),
}
# The media phases: loadgen mode and arguments, the daemons they run on (the reflector neither
# transcodes nor decrypts; the SRTP row's "limit" is its plain relay at the same call count).
MEDIA_PHASES = {
    "pcma": dict(mode="transcode", extra=["--codec", "pcma"], title="PCMA -> PCMU transcoding"),
    "opus": dict(mode="transcode", extra=["--codec", "opus"], title="opus -> PCMU transcoding"),
    "srtp": dict(mode="srtp", extra=[], title="SRTP <-> RTP (SDES)"),
}
FLOOD_CALLS, FLOOD_BATCH = 8, 32
NG_WINDOWS = [1, 16]
STOP_LOSS_PCT = 2.0                   # a daemon losing more than this at N calls is not run at larger N
HELD_LOSS_PCT = 0.1                   # "held" = loss below this
QUIET_MAX_BUSY = 0.10                 # quiet = both CPUs together less than 10% of one core busy
OTHER_MAX_FRAC = 0.05                 # a step is "contaminated" if others took > 5% of a core on either CPU
GEN_LATE_P99_US = 5000                # relay step: generator sends late by > 5 ms at p99 = bursts, the generator was the limit

_children: list[subprocess.Popen] = []


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------ processes (ours only)

def _raise_nofile() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def start(cmd: list[str], logpath: str) -> subprocess.Popen:
    f = open(logpath, "wb")
    p = subprocess.Popen(cmd, stdout=f, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                         start_new_session=True, preexec_fn=_raise_nofile)
    _children.append(p)
    return p


def stop(p: subprocess.Popen, timeout: float = 5.0) -> None:
    if p.poll() is None:
        try:
            p.send_signal(signal.SIGTERM)
            p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(timeout=5)
        except ProcessLookupError:
            pass
    if p in _children:
        _children.remove(p)


def cleanup(*_a) -> None:
    for p in list(_children):
        try:
            stop(p, timeout=3)
        except Exception:
            pass


def on_signal(signum, _frame):
    log(f"signal {signum}: stopping our processes")
    cleanup()
    sys.exit(130)


# ------------------------------------------------------------------ machine state

def cpu_ticks() -> dict[int, tuple[int, int]]:
    out = {}
    with open("/proc/stat") as f:
        for line in f:
            if line.startswith("cpu") and line[3].isdigit():
                name, *vals = line.split()
                v = [int(x) for x in vals[:8]]
                busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7]
                out[int(name[3:])] = (busy, busy + v[3] + v[4])
    return out


def busy_cores(interval: float = 1.0) -> tuple[float, dict[int, float]]:
    """Cores' worth of busy time over the interval, all CPUs together and per CPU."""
    hz = os.sysconf("SC_CLK_TCK")
    a = cpu_ticks(); t0 = time.monotonic()
    time.sleep(interval)
    b = cpu_ticks(); wall = time.monotonic() - t0
    per = {c: (b[c][0] - a[c][0]) / hz / wall for c in a if c in b}
    return sum(per.values()), per


def quiet_check(retries: int, wait: float = 2.0) -> dict:
    tries = []
    for i in range(retries + 1):
        total, per = busy_cores(1.0)
        tries.append(round(total, 3))
        if total < QUIET_MAX_BUSY:
            return {"quiet": True, "busy_cores": round(total, 3), "tries": tries}
        if i < retries:
            log(f"machine busy ({total:.2f} cores: {', '.join(f'cpu{c} {v:.2f}' for c, v in per.items())}); waiting {wait:.0f} s")
            time.sleep(wait)
    log(f"machine still busy ({tries[-1]:.2f} cores) — measuring anyway, step marked quiet=false")
    return {"quiet": False, "busy_cores": tries[-1], "tries": tries}


def ng_ping(port: int, timeout: float = 0.3) -> bool:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(timeout)
    try:
        s.sendto(b"bp1 d7:command4:pinge", ("127.0.0.1", port))
        data, _ = s.recvfrom(4096)
        return data.startswith(b"bp1 ") and b"pong" in data
    except OSError:
        return False
    finally:
        s.close()


def port_free(ip: str, port: int) -> bool:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.bind((ip, port)); return True
    except OSError:
        return False
    finally:
        s.close()


def git_rev() -> str:
    try:
        rev = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True).stdout.strip()
        return rev + ("+dirty" if dirty else "")
    except OSError:
        return "unknown"


# ------------------------------------------------------------------ daemons

class Daemon:
    def __init__(self, name: str, cmd: list[str], ng_port: int | None, logdir: str):
        self.name, self.cmd, self.ng_port, self.logdir = name, cmd, ng_port, logdir
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        if self.ng_port and not port_free("127.0.0.1", self.ng_port):
            raise RuntimeError(f"ng port 127.0.0.1:{self.ng_port} is in use by someone else")
        self.proc = start(self.cmd, os.path.join(self.logdir, f"{self.name}.log"))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}; see {self.logdir}/{self.name}.log")
            if self.ng_port is None:
                if os.path.exists(os.path.join(self.logdir, f"{self.name}.ready")):
                    return
            elif ng_ping(self.ng_port):
                return
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not become ready in 10 s")

    @property
    def pid(self) -> int:
        assert self.proc
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        if self.proc:
            stop(self.proc)


def make_daemons(args, logdir: str, max_calls: int) -> dict[str, Daemon]:
    pin = ["taskset", "-c", str(DAEMON_CPU)]
    pmin, pmax = MEDIA_PORTS
    ds = {}
    if "tandemd" in args.daemons:
        ds["tandemd"] = Daemon("tandemd", pin + [
            args.tandemd, "--config-file=none", "--foreground", f"--listen-ng=127.0.0.1:{NGPORT['tandemd']}",
            f"--port-min={pmin}", f"--port-max={pmax}", f"--interface={ADDR['tandemd']}", "--num-threads=1",
            "--delete-delay=0", "--timeout=300", f"--log-level={LOG_LEVEL}"], NGPORT["tandemd"], logdir)
    if "rtpengine" in args.daemons:
        ds["rtpengine"] = Daemon("rtpengine", pin + [
            args.rtpengine, "--config-file=none", "--table=-1", "--foreground", "--log-stderr", f"--log-level={LOG_LEVEL}",
            "--num-threads=1", f"--listen-ng=127.0.0.1:{NGPORT['rtpengine']}", f"--interface={ADDR['rtpengine']}",
            f"--port-min={pmin}", f"--port-max={pmax}", "--delete-delay=0", "--timeout=300"], NGPORT["rtpengine"], logdir)
    if "reflector" in args.daemons:
        ds["reflector"] = Daemon("reflector", pin + [
            args.reflector, "--addr", ADDR["reflector"], "--base", str(pmin), "--pairs", str(max(max_calls, FLOOD_CALLS)),
            "--max-wall", "3600", "--ready-file", os.path.join(logdir, "reflector.ready")], None, logdir)
    return ds


def target_args(d: Daemon) -> list[str]:
    if d.ng_port:
        return ["--ng", f"127.0.0.1:{d.ng_port}"]
    return ["--static", f"{ADDR[d.name]}:{MEDIA_PORTS[0]}"]


def loadgen(args, d: Daemon, mode: str, extra: list[str], budget: float) -> dict:
    cmd = ["taskset", "-c", str(GEN_CPU), args.loadgen, mode] + target_args(d) + [
        "--daemon-pid", str(d.pid), "--daemon-cpu", str(DAEMON_CPU), "--gen-cpu", str(GEN_CPU),
        "--phone-ip", PHONE_IP, "--phone-ports", f"{MEDIA_PORTS[0]}-{MEDIA_PORTS[1]}",
        "--max-wall", str(int(budget)), "--label", d.name] + extra
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         start_new_session=True, preexec_fn=_raise_nofile)
    _children.append(p)
    try:
        out, err = p.communicate(timeout=budget + 30)
    except subprocess.TimeoutExpired:
        stop(p)
        return {"error": f"loadgen timed out after {budget + 30:.0f} s"}
    finally:
        if p in _children:
            _children.remove(p)
    if p.returncode != 0:
        return {"error": f"loadgen exit {p.returncode}: {err.strip()[-400:]}"}
    try:
        r = json.loads(out)
    except json.JSONDecodeError:
        return {"error": f"bad loadgen output: {out[:200]!r}"}
    r["loadgen_log"] = [l for l in err.strip().splitlines() if l][-6:]
    return r


def annotate(r: dict, q: dict | None) -> dict:
    """Quiet-check result and how much CPU other processes took during the window."""
    if "error" in r:
        return r
    cpu = r.get("cpu", {})
    wall = cpu.get("wall_s") or 1.0
    od = max(0.0, cpu.get("daemon_core_other_s", 0.0)) / wall
    og = max(0.0, cpu.get("gen_core_other_s", 0.0)) / wall
    r["other_frac_daemon_core"] = round(od, 4)
    r["other_frac_gen_core"] = round(og, 4)
    r["contaminated"] = od > OTHER_MAX_FRAC or og > 2 * OTHER_MAX_FRAC
    if "gen_send_lateness" in r and r.get("mode") in ("relay", "transcode", "srtp"):
        r["gen_limited"] = r["gen_send_lateness"]["p99_us"] > GEN_LATE_P99_US
    if q is not None:
        r["quiet_check"] = q
    return r


def strip_hist(r: dict) -> dict:
    return {k: ({kk: vv for kk, vv in v.items() if kk != "hist"} if isinstance(v, dict) else v) for k, v in r.items()}


# ------------------------------------------------------------------ phases

def over_budget(args, prof, frac: float = 1.0) -> bool:
    """The run has used more than `frac` of its time budget (Bench/run.sh must stay < 15 min)."""
    return time.monotonic() - args.t_start > frac * prof["budget_s"]


def quiet_retries(args, prof) -> int:
    """Waiting for a quiet machine is dropped once half the budget is gone."""
    return 0 if over_budget(args, prof, 0.5) else prof["quiet_retries"]


def run_ramp(args, prof, ds: dict[str, Daemon], mode: str = "relay", extra: list[str] | None = None,
             ramp: list[int] | None = None, warmup: float | None = None, duration: float | None = None) -> dict[str, list[dict]]:
    """Steps of N calls at 50 pps per direction, daemons interleaved per step. A daemon that does
    not support the mode (loadgen says `unsupported`) gets that one entry and no further steps."""
    extra = extra or []
    ramp = ramp or prof["ramp"]
    warmup = prof["warmup"] if warmup is None else warmup
    duration = prof["duration"] if duration is None else duration
    res: dict[str, list[dict]] = {n: [] for n in ds}
    saturated: set[str] = set()
    for calls in ramp:
        if over_budget(args, prof):
            log(f"  {mode} {calls} calls and up: skipped, the run is over its {prof['budget_s']} s budget")
            args.skipped_steps.append(f"{mode}@{calls}+")
            break
        for name, d in ds.items():
            if name in saturated:
                continue
            if not d.alive():
                res[name].append({"calls": calls, "error": f"{name} is not running"}); saturated.add(name); continue
            best = None
            for attempt in range(1 + args.rerun_contaminated):
                q = quiet_check(quiet_retries(args, prof))
                budget = warmup + duration + 60 + calls * 0.02
                r = annotate(loadgen(args, d, mode, extra + ["--calls", str(calls), "--pps", "50", "--warmup", str(warmup),
                                                             "--duration", str(duration), "--drain", "0.5"], budget), q)
                r["attempt"] = attempt
                if best is None or ("error" not in r and (best.get("error") or best.get("contaminated"))):
                    best = r
                if "error" in r or "unsupported" in r or not r.get("contaminated") or attempt == args.rerun_contaminated \
                        or over_budget(args, prof, 0.7):
                    break
                log(f"  {name} {calls} calls: contaminated (others took {r['other_frac_daemon_core']:.0%} of cpu{DAEMON_CPU}, "
                    f"{r['other_frac_gen_core']:.0%} of cpu{GEN_CPU}); rerun")
            r = best
            r["calls"] = calls
            res[name].append(r)
            time.sleep(prof["settle"])
            if "error" in r:
                log(f"  {name} {calls} calls: ERROR {r['error']}"); saturated.add(name); continue
            if "unsupported" in r:
                log(f"  {name} {mode}: not supported: {r['unsupported']}"); saturated.add(name); continue
            log(f"  {name:9s} {calls:5d} calls: loss {r['loss_pct']:.3f}%  cpu {r['daemon_cpu_pct']:.1f}%  "
                f"{r['daemon_us_per_pkt']:.2f} us/pkt  lat p50 {r['latency']['p50_us']:.0f} p99 {r['latency']['p99_us']:.0f} us"
                f"{'  [contaminated]' if r['contaminated'] else ''}{'' if r.get('quiet_check', {}).get('quiet', True) else '  [busy]'}"
                f"{'  [generator late: p99 %.1f ms]' % (r['gen_send_lateness']['p99_us'] / 1000) if r.get('gen_limited') else ''}")
            if r["loss_pct"] > STOP_LOSS_PCT or r["calls_up"] < calls:
                saturated.add(name)
                log(f"  {name}: saturated at {calls} calls (loss {r['loss_pct']:.2f}%, up {r['calls_up']}); no larger counts")
    return res


def run_media(args, prof, ds: dict[str, Daemon], key: str) -> dict[str, list[dict]]:
    spec = MEDIA_PHASES[key]
    media_ds = {n: d for n, d in ds.items() if d.ng_port}
    return run_ramp(args, prof, media_ds, mode=spec["mode"], extra=spec["extra"], ramp=prof["ramps"][key],
                    warmup=prof["media_warmup"], duration=prof["media_duration"])


def run_flood(args, prof, ds: dict[str, Daemon]) -> dict[str, dict]:
    out = {}
    for name, d in ds.items():
        if not d.alive():
            out[name] = {"error": f"{name} is not running"}; continue
        q = quiet_check(quiet_retries(args, prof))
        r = annotate(loadgen(args, d, "flood", ["--calls", str(FLOOD_CALLS), "--batch", str(FLOOD_BATCH), "--warmup", "1",
                                                "--duration", str(prof["flood"]), "--drain", "0.3"], prof["flood"] + 60), q)
        out[name] = r
        if "error" in r:
            log(f"  flood {name}: ERROR {r['error']}")
        else:
            log(f"  flood {name:9s}: {r['relayed_pps']:.0f} pps relayed, {r['relayed_per_cpu_s']:.0f} pkts per daemon CPU-s "
                f"({r['daemon_us_per_pkt']:.2f} us/pkt), daemon cpu {r['daemon_cpu_pct']:.0f}%, loss {r['loss_pct']:.3f}%")
        time.sleep(prof["settle"])
    return out


def run_ng(args, prof, ds: dict[str, Daemon]) -> dict[str, dict]:
    out = {}
    for name, d in ds.items():
        if not d.ng_port:
            out[name] = {"skipped": "no ng control plane"}; continue
        out[name] = {}
        for w in NG_WINDOWS:
            if not d.alive():
                out[name][f"window{w}"] = {"error": f"{name} is not running"}; continue
            q = quiet_check(quiet_retries(args, prof))
            r = annotate(loadgen(args, d, "ng", ["--window", str(w), "--warmup", "0.5", "--duration", str(prof["ng"])],
                                 prof["ng"] + 60), q)
            out[name][f"window{w}"] = r
            if "error" in r:
                log(f"  ng {name} window {w}: ERROR {r['error']}")
            else:
                la = r["latency_all"]
                log(f"  ng {name:9s} window {w:2d}: {r['commands_per_s']:.0f} commands/s, p50 {la['p50_us']:.0f} us, "
                    f"p99 {la['p99_us']:.0f} us, errors {sum(r['errors'].values())}, timeouts {r['timeouts']}, "
                    f"daemon {r['daemon_us_per_cmd']:.0f} us CPU/cmd")
            time.sleep(prof["settle"])
    return out


def run_mallocs(args) -> dict:
    if not args.tandem_bench or not os.path.exists(args.tandem_bench):
        return {"skipped": "tandem-bench not built"}
    cmd = ["taskset", "-c", str(DAEMON_CPU), args.tandem_bench, "relay-mallocs", "--packets", "100000", "--calls", "100",
           "--port-min", "13000", "--port-max", "13999"]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=120, preexec_fn=_raise_nofile)
    except subprocess.TimeoutExpired:
        return {"error": "relay-mallocs timed out"}
    for line in p.stdout.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                r = json.loads(line); r["exit"] = p.returncode; r["command"] = " ".join(cmd[3:]); return r
            except json.JSONDecodeError:
                pass
    return {"error": f"exit {p.returncode}: {(p.stdout + p.stderr)[-300:]}"}


# ------------------------------------------------------------------ analysis

def held(steps: list[dict], below: float = HELD_LOSS_PCT, zero: bool = False) -> int:
    """Largest call count held at < `below` loss (or exactly 0 with zero=True) with every smaller count held too."""
    best = 0
    for s in steps:
        if "error" in s or "unsupported" in s or s.get("calls_up", 0) < s["calls"]:
            break
        if (s["loss_pct"] > 0) if zero else (s["loss_pct"] >= below):
            break
        best = s["calls"]
    return best


def ratio(a, b):
    return round(a / b, 3) if a is not None and b not in (None, 0) else None


def analyse(res: dict) -> dict:
    relay = res.get("relay", {})
    names = list(relay)
    summ: dict = {"held_calls": {n: held(relay[n]) for n in names}}
    # the ramp's comparison point: the largest call count every daemon held
    by_calls = {n: {s["calls"]: s for s in relay[n] if "error" not in s} for n in names}
    common = [c for c in (res["config"]["ramp"]) if names and all(c in by_calls[n] and by_calls[n][c]["loss_pct"] < HELD_LOSS_PCT for n in names)]
    # prefer a count where the generator kept its schedule for every daemon (no bursts)
    steady = [c for c in common if not any(by_calls[n][c].get("gen_limited") for n in names)]
    ref = steady[-1] if steady else (common[-1] if common else None)
    summ["gen_limited_steps"] = [f"{n}@{s['calls']}" for n in names for s in relay[n] if s.get("gen_limited")]
    summ["ref_calls"] = ref
    per_call = {}
    for c in res["config"]["ramp"]:
        row = {n: by_calls[n][c]["relayed_per_cpu_s"] for n in names if c in by_calls[n] and by_calls[n][c]["loss_pct"] < HELD_LOSS_PCT}
        if row:
            per_call[c] = row
    summ["relayed_per_cpu_s_by_calls"] = per_call
    ratios: dict = {}
    t, r, l = "tandemd", "rtpengine", "reflector"

    def pick(n, c, key):
        s = by_calls.get(n, {}).get(c)
        return s.get(key) if s else None

    if ref is not None:
        summ["at_ref"] = {n: {k: pick(n, ref, k) for k in ("relayed_per_cpu_s", "daemon_us_per_pkt", "daemon_cpu_pct", "loss_pct")}
                          | {"p50_us": by_calls[n][ref]["latency"]["p50_us"], "p99_us": by_calls[n][ref]["latency"]["p99_us"]}
                          for n in names}
        ratios["relay_pkts_per_cpu_s_tandemd_vs_rtpengine"] = ratio(pick(t, ref, "relayed_per_cpu_s"), pick(r, ref, "relayed_per_cpu_s"))
        ratios["relay_pkts_per_cpu_s_tandemd_vs_limit"] = ratio(pick(t, ref, "relayed_per_cpu_s"), pick(l, ref, "relayed_per_cpu_s"))
        ratios["relay_pkts_per_cpu_s_rtpengine_vs_limit"] = ratio(pick(r, ref, "relayed_per_cpu_s"), pick(l, ref, "relayed_per_cpu_s"))
    # median over every call count where all three held
    for a, b, key in ((t, r, "relay_pkts_per_cpu_s_tandemd_vs_rtpengine_median"), (t, l, "relay_pkts_per_cpu_s_tandemd_vs_limit_median")):
        xs = [per_call[c][a] / per_call[c][b] for c in per_call if a in per_call[c] and b in per_call[c] and per_call[c][b]]
        ratios[key] = round(statistics.median(xs), 3) if xs else None
    hc = summ["held_calls"]
    ratios["held_calls_tandemd_vs_rtpengine"] = ratio(hc.get(t), hc.get(r))
    ratios["held_calls_tandemd_vs_limit"] = ratio(hc.get(t), hc.get(l))
    fl = res.get("flood", {})
    fv = {n: fl[n].get("relayed_per_cpu_s") for n in fl if "error" not in fl[n]}
    ratios["flood_pkts_per_cpu_s_tandemd_vs_rtpengine"] = ratio(fv.get(t), fv.get(r))
    ratios["flood_pkts_per_cpu_s_tandemd_vs_limit"] = ratio(fv.get(t), fv.get(l))
    ng = res.get("ng", {})

    def ngv(n, w, key):
        x = ng.get(n, {}).get(f"window{w}", {})
        if "error" in x or not x:
            return None
        return x["latency_all"][key] if key.startswith("p") else x.get(key)

    for w in NG_WINDOWS:
        ratios[f"ng_commands_per_s_window{w}_tandemd_vs_rtpengine"] = ratio(ngv(t, w, "commands_per_s"), ngv(r, w, "commands_per_s"))
        ratios[f"ng_cpu_per_cmd_rtpengine_vs_tandemd_window{w}"] = ratio(ngv(r, w, "daemon_us_per_cmd"), ngv(t, w, "daemon_us_per_cmd"))
    summ["ratios"] = ratios
    # targets (see Bench/README.md)
    m = res.get("mallocs", {})
    tg = []

    def target(name, value, goal, ok):
        tg.append({"target": name, "value": value, "goal": goal, "met": ok})

    v = ratios.get("relay_pkts_per_cpu_s_tandemd_vs_rtpengine")
    target(f"plain relay, 50 pps streams at {ref} calls: relayed pkts per CPU-s vs rtpengine", v, ">= 2.5", None if v is None else v >= 2.5)
    v = ratios.get("relay_pkts_per_cpu_s_tandemd_vs_limit")
    target(f"plain relay, 50 pps streams at {ref} calls: relayed pkts per CPU-s vs C limit", v, ">= 0.85", None if v is None else v >= 0.85)
    v = ratios.get("flood_pkts_per_cpu_s_tandemd_vs_rtpengine")
    target("plain relay, flood: relayed pkts per CPU-s vs rtpengine", v, ">= 2.5", None if v is None else v >= 2.5)
    v = ratios.get("flood_pkts_per_cpu_s_tandemd_vs_limit")
    target("plain relay, flood: relayed pkts per CPU-s vs C limit", v, ">= 0.85", None if v is None else v >= 0.85)
    v = ratios.get("ng_commands_per_s_window16_tandemd_vs_rtpengine")
    target("ng commands/s (16 in flight) vs rtpengine", v, ">= 3", None if v is None else v >= 3)
    v = ratios.get("ng_commands_per_s_window1_tandemd_vs_rtpengine")
    target("ng commands/s (1 in flight) vs rtpengine", v, ">= 3", None if v is None else v >= 3)
    p99 = ngv(t, 1, "p99_us")
    target("ng p99 latency, 1 in flight (us)", p99, "< 1000", None if p99 is None else p99 < 1000)
    mp = m.get("mallocs_per_packet")
    target("mallocs per relayed packet (tandem-bench relay-mallocs)", mp, "== 0", None if mp is None else mp == 0)
    for key, goal, what in (("pcma", 3.0, "sessions per core"), ("opus", 1.5, "sessions per core"), ("srtp", 2.0, "relayed pkts per CPU-s")):
        m = summ.setdefault("media", {}).get(key)
        if m is None and key in res:
            m = summ["media"][key] = analyse_media(res, key)
        if m is None:
            continue
        v = m["ratios"].get("sessions_per_core" if key != "srtp" else "relayed_per_cpu_s")
        why = m["daemons"].get(t, {}).get("unsupported")
        target(f"{MEDIA_PHASES[key]['title']}: {what} vs rtpengine" + (f" (tandemd: not supported: {why.split(': ')[0]})" if why else ""),
               v, f">= {goal}", None if v is None else v >= goal)
    summ["targets"] = tg
    return summ


def analyse_media(res: dict, key: str) -> dict:
    """Per daemon: supported or why not, calls held at 0% and < 0.1% loss, and at the comparison
    point (the largest count every supporting daemon held at < 0.1%): CPU per call, the sessions one
    core would carry at that cost (100% / CPU per call), relayed packets per CPU-second, latency."""
    steps = res.get(key, {})
    out: dict = {"daemons": {}, "ratios": {}}
    ok_names = []
    for n, st in steps.items():
        uns = next((s["unsupported"] for s in st if "unsupported" in s), None)
        d = {"held_calls": held(st), "held_calls_zero_loss": held(st, zero=True)}
        if uns:
            d = {"unsupported": uns}
        elif not any("error" not in s for s in st):
            d = {"error": next((s["error"] for s in st if "error" in s), "no steps")}
        else:
            ok_names.append(n)
        out["daemons"][n] = d
    by_calls = {n: {s["calls"]: s for s in steps[n] if "error" not in s and "unsupported" not in s} for n in ok_names}
    ramp = res["config"]["ramps"][key]
    common = [c for c in ramp if ok_names and all(c in by_calls[n] and by_calls[n][c]["loss_pct"] < HELD_LOSS_PCT for n in ok_names)]
    # prefer a count where the generator kept its 50 pps schedule for every daemon
    steady = [c for c in common if not any(by_calls[n][c].get("gen_limited") for n in ok_names)]
    ref = steady[-1] if steady else (common[-1] if common else None)
    out["gen_limited_steps"] = [f"{n}@{c}" for n in ok_names for c, s in by_calls[n].items() if s.get("gen_limited")]
    out["ref_calls"] = ref
    for n in ok_names:
        s = by_calls[n].get(ref) if ref else None
        if not s:
            continue
        cpc = s.get("daemon_cpu_pct_per_call")
        out["daemons"][n].update({
            "cpu_pct_per_call": cpc, "daemon_cpu_pct": s.get("daemon_cpu_pct"),
            "sessions_per_core": round(100.0 / cpc, 1) if cpc and cpc > 0 else None,
            "relayed_per_cpu_s": s.get("relayed_per_cpu_s"), "daemon_us_per_pkt": s.get("daemon_us_per_pkt"),
            "p50_us": s["latency"]["p50_us"], "p99_us": s["latency"]["p99_us"],
            "latency_estimated": s.get("latency_estimated"), "loss_pct": s.get("loss_pct")})
    t, r = out["daemons"].get("tandemd", {}), out["daemons"].get("rtpengine", {})
    out["ratios"]["sessions_per_core"] = ratio(t.get("sessions_per_core"), r.get("sessions_per_core"))
    out["ratios"]["held_calls"] = ratio(t.get("held_calls"), r.get("held_calls"))
    out["ratios"]["relayed_per_cpu_s"] = ratio(t.get("relayed_per_cpu_s"), r.get("relayed_per_cpu_s"))
    if key == "srtp" and ref:
        # the loopback limit: the C reflector's plain relay at the same call count (it cannot decrypt)
        lim = next((s for s in res.get("relay", {}).get("reflector", []) if s.get("calls") == ref and "error" not in s), None)
        if lim:
            out["limit_plain_relay_per_cpu_s"] = lim.get("relayed_per_cpu_s")
            out["ratios"]["relayed_per_cpu_s_vs_limit"] = ratio(t.get("relayed_per_cpu_s"), lim.get("relayed_per_cpu_s"))
    return out


def fmt(v, spec=".0f", none="–"):
    return none if v is None else format(v, spec)


def markdown(res: dict) -> str:
    s = res["summary"]; meta = res["meta"]
    names = [n for n in ("tandemd", "rtpengine", "reflector") if n in res.get("relay", {}) or n in res.get("flood", {})]
    ref = s.get("ref_calls")
    at = s.get("at_ref", {})
    R = s["ratios"]
    fl = res.get("flood", {}); ng = res.get("ng", {})
    lines = []
    cav = "" if meta.get("all_quiet") and not meta.get("any_contaminated") else \
        " **Taken on a busy machine: other processes shared the CPUs (see `quiet_check`/`contaminated` per step); treat the numbers as indicative only.**"
    lines.append(f"Run `{meta['run_id']}` ({meta['profile']}), tandem {meta['git']}, {meta['when']}, {meta['cpus']} CPUs, "
                 f"daemon on CPU {DAEMON_CPU}, generator on CPU {GEN_CPU}.{cav}")
    lines.append("")
    lines.append("| benchmark | tandemd | rtpengine 10.5 userspace | C limit (reflector) | tandemd / rtpengine | tandemd / limit | target |")
    lines.append("|---|---|---|---|---|---|---|")

    def g(n, k):
        return at.get(n, {}).get(k)
    lines.append(f"| plain relay, {ref} calls x 2 x 50 pps: relayed packets per CPU-second | {fmt(g('tandemd','relayed_per_cpu_s'))} | "
                 f"{fmt(g('rtpengine','relayed_per_cpu_s'))} | {fmt(g('reflector','relayed_per_cpu_s'))} | "
                 f"{fmt(R.get('relay_pkts_per_cpu_s_tandemd_vs_rtpengine'), '.2f')}x | {fmt(R.get('relay_pkts_per_cpu_s_tandemd_vs_limit'), '.0%')} | >= 2.5x, >= 85% |")
    lines.append(f"| plain relay, {ref} calls: daemon CPU (% of a core) | {fmt(g('tandemd','daemon_cpu_pct'), '.1f')} | "
                 f"{fmt(g('rtpengine','daemon_cpu_pct'), '.1f')} | {fmt(g('reflector','daemon_cpu_pct'), '.1f')} | | | |")
    lines.append(f"| plain relay, {ref} calls: one-way latency p50 / p99 (us) | {fmt(g('tandemd','p50_us'))} / {fmt(g('tandemd','p99_us'))} | "
                 f"{fmt(g('rtpengine','p50_us'))} / {fmt(g('rtpengine','p99_us'))} | {fmt(g('reflector','p50_us'))} / {fmt(g('reflector','p99_us'))} | | | |")
    hc = s["held_calls"]
    lines.append(f"| plain relay: most calls held at < {HELD_LOSS_PCT}% loss (of {res['config']['ramp']}) | {fmt(hc.get('tandemd'))} | {fmt(hc.get('rtpengine'))} | "
                 f"{fmt(hc.get('reflector'))} | {fmt(R.get('held_calls_tandemd_vs_rtpengine'), '.2f')}x | {fmt(R.get('held_calls_tandemd_vs_limit'), '.0%')} | |")

    def fv(n, k):
        x = fl.get(n, {})
        return None if "error" in x else x.get(k)
    lines.append(f"| plain relay, flood ({FLOOD_CALLS} calls, batches of {FLOOD_BATCH}): relayed packets per CPU-second | {fmt(fv('tandemd','relayed_per_cpu_s'))} | "
                 f"{fmt(fv('rtpengine','relayed_per_cpu_s'))} | {fmt(fv('reflector','relayed_per_cpu_s'))} | "
                 f"{fmt(R.get('flood_pkts_per_cpu_s_tandemd_vs_rtpengine'), '.2f')}x | {fmt(R.get('flood_pkts_per_cpu_s_tandemd_vs_limit'), '.0%')} | >= 2.5x, >= 85% |")

    def nv(n, w, k):
        x = ng.get(n, {}).get(f"window{w}", {})
        if not x or "error" in x:
            return None
        return x["latency_all"][k] if k.startswith("p") else x.get(k)
    for w in NG_WINDOWS:
        lines.append(f"| ng offer+answer+delete, {w} in flight: commands/s (p50 / p99 us) | {fmt(nv('tandemd',w,'commands_per_s'))} "
                     f"({fmt(nv('tandemd',w,'p50_us'))} / {fmt(nv('tandemd',w,'p99_us'))}) | {fmt(nv('rtpengine',w,'commands_per_s'))} "
                     f"({fmt(nv('rtpengine',w,'p50_us'))} / {fmt(nv('rtpengine',w,'p99_us'))}) | no ng | "
                     f"{fmt(R.get(f'ng_commands_per_s_window{w}_tandemd_vs_rtpengine'), '.2f')}x | | >= 3x, p99 < 1 ms |")
    m = res.get("mallocs", {})
    lines.append(f"| mallocs per relayed packet (`tandem-bench relay-mallocs`, {m.get('packets_relayed', '–')} packets, {m.get('calls', '–')} calls) | "
                 f"{fmt(m.get('mallocs_per_packet'), '.3f')} | | | | | 0 |")
    for key, goal in (("pcma", ">= 3x"), ("opus", ">= 1.5x"), ("srtp", ">= 2x")):
        lines.extend(media_rows(res, key, goal))
    late = list(s.get("gen_limited_steps", [])) + [f"{k} {x}" for k, m in s.get("media", {}).items() for x in m.get("gen_limited_steps", [])]
    if late:
        lines.append("")
        lines.append(f"Generator late (p99 > {GEN_LATE_P99_US / 1000:.0f} ms, bursts instead of 50 pps pacing; latency and loss there are not the daemon's alone): "
                     + ", ".join(late) + ".")
    skipped = meta.get("skipped_steps", []) + [f"{k} phase" for k in res.get("skipped_phases", [])]
    if skipped:
        lines.append("")
        lines.append(f"Skipped to keep the run within its time budget ({res['config'].get('budget_s')} s): {', '.join(skipped)}.")
    notes = media_notes(res)
    if notes:
        lines.append("")
        lines.append("Not supported (the daemon rejected the request or did not do the operation; no number is reported):")
        lines.extend(notes)
    lines.append("")
    lines.append("Targets:")
    for t in s["targets"]:
        ok = {True: "met", False: "**not met**", None: "not measured"}[t["met"]]
        v = t["value"]
        lines.append(f"- {t['target']}: {fmt(v, '.3f') if isinstance(v, float) else fmt(v, 'd') if isinstance(v, int) else '–'} (goal {t['goal']}): {ok}")
    return "\n".join(lines) + "\n"


def media_rows(res: dict, key: str, goal: str) -> list[str]:
    title = MEDIA_PHASES[key]["title"]
    m = res.get("summary", {}).get("media", {}).get(key)
    if m is None:
        return [f"| {title} | not run | | | | | {goal} |"]
    D = m["daemons"]; ref = m.get("ref_calls"); R = m["ratios"]

    def cell(n, k, spec=".0f"):
        d = D.get(n)
        if d is None:
            return "–"
        if "unsupported" in d:
            return "not supported"
        if "error" in d:
            return "error"
        return fmt(d.get(k), spec)

    def lat(n):
        d = D.get(n, {})
        if "p50_us" not in d:
            return cell(n, "p50_us")
        return f"{fmt(d['p50_us'])} / {fmt(d['p99_us'])}" + (" (est.)" if d.get("latency_estimated") else "")
    rows = []
    if key == "srtp":
        lim = m.get("limit_plain_relay_per_cpu_s")
        rows.append(f"| {title}, {ref} calls x 2 x 50 pps: relayed packets per CPU-second | {cell('tandemd', 'relayed_per_cpu_s')} | "
                    f"{cell('rtpengine', 'relayed_per_cpu_s')} | {fmt(lim)} (plain relay) | {fmt(R.get('relayed_per_cpu_s'), '.2f')}x | "
                    f"{fmt(R.get('relayed_per_cpu_s_vs_limit'), '.0%')} | {goal} |")
    else:
        rows.append(f"| {title}, {ref} calls: sessions per core (100% / CPU per call) | {cell('tandemd', 'sessions_per_core')} | "
                    f"{cell('rtpengine', 'sessions_per_core')} | does not transcode | {fmt(R.get('sessions_per_core'), '.2f')}x | | {goal} |")
        rows.append(f"| {title}, {ref} calls: daemon CPU per call (% of a core) | {cell('tandemd', 'cpu_pct_per_call', '.3f')} | "
                    f"{cell('rtpengine', 'cpu_pct_per_call', '.3f')} | | | | |")
    rows.append(f"| {title}: most calls held at 0% / < {HELD_LOSS_PCT}% loss (of {res['config']['ramps'][key]}) | "
                f"{cell('tandemd', 'held_calls_zero_loss')} / {cell('tandemd', 'held_calls')} | "
                f"{cell('rtpengine', 'held_calls_zero_loss')} / {cell('rtpengine', 'held_calls')} | | {fmt(R.get('held_calls'), '.2f')}x | | |")
    rows.append(f"| {title}, {ref} calls: one-way latency p50 / p99 (us) | {lat('tandemd')} | {lat('rtpengine')} | | | | |")
    return rows


def media_notes(res: dict) -> list[str]:
    out = []
    for key in MEDIA_PHASES:
        m = res.get("summary", {}).get("media", {}).get(key)
        for n, d in (m or {}).get("daemons", {}).items():
            if "unsupported" in d:
                out.append(f"- {MEDIA_PHASES[key]['title']}: {n} not supported: {d['unsupported'][:240]}")
    return out


# ------------------------------------------------------------------ main

def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="short run to validate the harness (numbers indicative only)")
    ap.add_argument("--daemons", default="tandemd,rtpengine,reflector")
    ap.add_argument("--phases", default="relay,flood,ng,pcma,opus,srtp,mallocs",
                    help="relay, flood, ng, pcma (PCMA->PCMU), opus (opus->PCMU), srtp (SDES-SRTP<->RTP), mallocs")
    ap.add_argument("--ramp", help="comma-separated call counts (overrides the profile)")
    ap.add_argument("--duration", type=float, help="relay measurement window per step, s (overrides the profile)")
    ap.add_argument("--budget", type=float, help="time budget of the whole run, s (overrides the profile: full 840, quick 420)")
    ap.add_argument("--rerun-contaminated", type=int, default=None, help="re-run a step up to N times when others took CPU (full: 1, quick: 0)")
    ap.add_argument("--tandemd", default=os.path.join(ROOT, ".build/release/tandemd"))
    ap.add_argument("--tandem-bench", default=os.path.join(ROOT, ".build/release/tandem-bench"))
    ap.add_argument("--rtpengine", default="/usr/bin/rtpengine")
    ap.add_argument("--loadgen", default=os.path.join(BENCH, ".build/loadgen"))
    ap.add_argument("--reflector", default=os.path.join(BENCH, ".build/reflector"))
    ap.add_argument("--out", default=os.path.join(BENCH, "results"))
    ap.add_argument("--note", default="", help="free text stored in the results")
    args = ap.parse_args()
    args.daemons = [d for d in args.daemons.split(",") if d]
    phases = set(args.phases.split(","))
    profile = "quick" if args.quick else "full"
    prof = dict(PROFILES[profile])
    if args.ramp:
        prof["ramp"] = [int(x) for x in args.ramp.split(",")]
    if args.duration:
        prof["duration"] = args.duration
    if args.budget:
        prof["budget_s"] = args.budget
    if args.rerun_contaminated is None:
        args.rerun_contaminated = 0 if args.quick else 1
    if os.cpu_count() is None or os.cpu_count() < 2:
        log("needs at least 2 CPUs"); return 2
    for exe in [args.loadgen] + ([args.reflector] if "reflector" in args.daemons else []) + \
               ([args.tandemd] if "tandemd" in args.daemons else []) + ([args.rtpengine] if "rtpengine" in args.daemons else []):
        if not os.access(exe, os.X_OK):
            log(f"missing executable {exe} (Bench/run.sh builds them)"); return 2

    signal.signal(signal.SIGINT, on_signal); signal.signal(signal.SIGTERM, on_signal)
    now = dt.datetime.now(dt.timezone.utc)
    run_id = now.strftime("%Y%m%dT%H%M%SZ") + ("-quick" if args.quick else "")
    logdir = os.path.join(BENCH, ".run", run_id)
    os.makedirs(logdir, exist_ok=True)
    os.makedirs(args.out, exist_ok=True)
    t_start = time.monotonic()
    args.t_start = t_start
    args.skipped_steps = []
    res: dict = {
        "meta": {"run_id": run_id, "profile": profile, "when": now.isoformat(timespec="seconds"), "git": git_rev(),
                 "note": args.note, "cpus": os.cpu_count(), "kernel": platform.release(),
                 "daemon_cpu": DAEMON_CPU, "gen_cpu": GEN_CPU, "logs": logdir,
                 "rtpengine_version": subprocess.run([args.rtpengine, "--version"], capture_output=True, text=True).stdout.strip()
                 if "rtpengine" in args.daemons else None},
        "config": {**prof, "flood_calls": FLOOD_CALLS, "flood_batch": FLOOD_BATCH, "ng_windows": NG_WINDOWS,
                   "stop_loss_pct": STOP_LOSS_PCT, "held_loss_pct": HELD_LOSS_PCT, "quiet_max_busy_cores": QUIET_MAX_BUSY,
                   "other_max_frac": OTHER_MAX_FRAC, "addresses": ADDR, "ng_ports": NGPORT, "media_ports": MEDIA_PORTS,
                   "phone_ip": PHONE_IP, "log_level": LOG_LEVEL},
    }
    log(f"run {run_id}: daemons {args.daemons}, phases {sorted(phases)}, ramp {prof['ramp']}; logs in {logdir}")
    q0 = quiet_check(prof["quiet_retries"])
    res["meta"]["initial_quiet_check"] = q0
    ds = make_daemons(args, logdir, max(prof["ramp"]))
    try:
        res["daemons"] = {}
        for name, d in ds.items():
            d.start()
            res["daemons"][name] = {"command": " ".join(d.cmd), "pid": d.pid}
            log(f"started {name} pid {d.pid}")
        time.sleep(0.5)
        if "relay" in phases:
            log("phase relay: plain relay at increasing call counts (50 pps per direction per call)")
            res["relay"] = run_ramp(args, prof, ds)
        if "flood" in phases:
            log(f"phase flood: {FLOOD_CALLS} calls, rounds of {FLOOD_BATCH}-packet sendmmsg batches")
            res["flood"] = run_flood(args, prof, ds)
        if "ng" in phases:
            log("phase ng: command rate (offer+answer+delete)")
            res["ng"] = run_ng(args, prof, ds)
        for key in MEDIA_PHASES:
            if key not in phases:
                continue
            if over_budget(args, prof):
                log(f"phase {key}: skipped, the run is over its {prof['budget_s']} s budget")
                res.setdefault("skipped_phases", []).append(key); continue
            log(f"phase {key}: {MEDIA_PHASES[key]['title']} at {prof['ramps'][key]} calls")
            res[key] = run_media(args, prof, ds, key)
    finally:
        for d in ds.values():
            d.stop()
    if "mallocs" in phases and "tandemd" in args.daemons:
        log("tandem-bench relay-mallocs")
        res["mallocs"] = run_mallocs(args)
        log(f"  mallocs per packet: {res['mallocs'].get('mallocs_per_packet', res['mallocs'])}")
    steps = [s for k in ("relay", *MEDIA_PHASES) for v in res.get(k, {}).values() for s in v] + list(res.get("flood", {}).values()) + \
            [x for v in res.get("ng", {}).values() for x in v.values() if isinstance(x, dict)]
    steps = [s for s in steps if isinstance(s, dict) and "cpu" in s]
    res["meta"]["all_quiet"] = q0["quiet"] and all(s.get("quiet_check", {}).get("quiet", True) for s in steps)
    res["meta"]["any_contaminated"] = any(s.get("contaminated") for s in steps)
    res["meta"]["contaminated_steps"] = sum(1 for s in steps if s.get("contaminated"))
    res["meta"]["steps"] = len(steps)
    res["meta"]["elapsed_s"] = round(time.monotonic() - t_start, 1)
    res["meta"]["skipped_steps"] = args.skipped_steps
    res["summary"] = analyse(res)
    res["summary_markdown"] = markdown(res)
    path = os.path.join(args.out, f"{run_id}.json")
    with open(path, "w") as f:
        json.dump(res, f, indent=1)
    with open(os.path.join(args.out, "latest.json"), "w") as f:
        json.dump(res, f, indent=1)
    with open(os.path.join(args.out, "latest.md"), "w") as f:
        f.write(res["summary_markdown"])
    log(f"results: {path} (+ latest.json, latest.md); {res['meta']['elapsed_s']:.0f} s")
    print(res["summary_markdown"])
    print("ratios:", json.dumps(res["summary"]["ratios"], indent=1))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    finally:
        cleanup()
