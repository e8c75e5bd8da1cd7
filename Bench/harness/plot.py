#!/usr/bin/env python3
"""Plots for a Bench/harness/bench.py result file (needs matplotlib: Bench/run.sh puts it in Bench/.venv).

    plot.py Bench/results/latest.json --out Bench/results [--prefix latest]

Writes PREFIX-relay-cpu.png, PREFIX-relay-loss.png, PREFIX-latency.png, PREFIX-flood-ng.png and
PREFIX-media.png (transcoding and SRTP phases).
"""
from __future__ import annotations

import argparse
import json
import os

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

COLORS = {"tandemd": "tab:blue", "rtpengine": "tab:orange", "reflector": "tab:gray"}
LABELS = {"tandemd": "tandemd (1 loop)", "rtpengine": "rtpengine 10.5 userspace (1 thread)", "reflector": "C reflector (loopback limit)"}
STYLE = {"tandemd": "-o", "rtpengine": "-s", "reflector": "--^"}


def title(res, what):
    m = res["meta"]
    busy = "" if m.get("all_quiet") and not m.get("any_contaminated") else "  [BUSY MACHINE: indicative only]"
    return f"{what}\n{m['run_id']} · tandem {m['git']} · daemon CPU {m['daemon_cpu']}, generator CPU {m['gen_cpu']}{busy}"


def ok_steps(steps):
    return [s for s in steps if "error" not in s]


def relay_cpu(res, path):
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(12, 4.8))
    for n, steps in res["relay"].items():
        st = ok_steps(steps)
        xs = [s["calls"] for s in st]
        a1.plot(xs, [s["daemon_cpu_pct"] for s in st], STYLE[n], color=COLORS[n], label=LABELS[n])
        a2.plot(xs, [s["daemon_us_per_pkt"] for s in st], STYLE[n], color=COLORS[n], label=LABELS[n])
        for s in st:
            if s.get("contaminated"):
                a1.plot([s["calls"]], [s["daemon_cpu_pct"]], "x", color="red", ms=9)
    a1.axhline(100, color="k", lw=0.5, ls=":")
    a1.set_xlabel("calls (2 x 50 pps each)"); a1.set_ylabel("daemon CPU, % of one core (utime+stime)")
    a1.set_title("CPU vs calls (x: others took CPU during the step)", fontsize=9)
    a2.set_xlabel("calls"); a2.set_ylabel("daemon CPU per relayed packet (us)")
    a2.set_ylim(bottom=0); a2.set_title("CPU per relayed packet", fontsize=9)
    for a in (a1, a2):
        a.grid(alpha=0.3); a.legend(fontsize=8)
    fig.suptitle(title(res, "Plain relay: daemon CPU"), fontsize=10)
    fig.tight_layout(); fig.savefig(path, dpi=110); plt.close(fig)


def relay_loss(res, path):
    fig, a = plt.subplots(figsize=(7.5, 4.8))
    for n, steps in res["relay"].items():
        st = ok_steps(steps)
        a.plot([s["calls"] for s in st], [max(s["loss_pct"], 1e-4) for s in st], STYLE[n], color=COLORS[n], label=LABELS[n])
    a.axhline(res["config"]["held_loss_pct"], color="red", lw=0.8, ls="--", label=f"{res['config']['held_loss_pct']}% (held)")
    a.set_yscale("log"); a.set_ylim(5e-5, 100)
    a.set_xlabel("calls (2 x 50 pps each)"); a.set_ylabel("loss % (0 plotted as 1e-4)")
    a.grid(alpha=0.3, which="both"); a.legend(fontsize=8)
    a.set_title(title(res, "Plain relay: loss vs calls"), fontsize=9)
    fig.tight_layout(); fig.savefig(path, dpi=110); plt.close(fig)


def cdf(hist):
    tot = sum(c for _, c in hist)
    xs, ys, acc = [], [], 0
    for up, c in hist:
        acc += c; xs.append(up); ys.append(acc / tot)
    return xs, ys


def latency(res, path):
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(12, 4.8))
    for n, steps in res["relay"].items():
        st = ok_steps(steps)
        xs = [s["calls"] for s in st]
        a1.plot(xs, [s["latency"]["p50_us"] for s in st], STYLE[n], color=COLORS[n], label=f"{n} p50")
        a1.plot(xs, [s["latency"]["p99_us"] for s in st], STYLE[n], color=COLORS[n], alpha=0.5, label=f"{n} p99")
    a1.set_yscale("log"); a1.set_xlabel("calls"); a1.set_ylabel("one-way latency through the relay (us)")
    a1.grid(alpha=0.3, which="both"); a1.legend(fontsize=7, ncol=2); a1.set_title("p50 / p99 vs calls", fontsize=9)
    ref = res["summary"].get("ref_calls")
    if ref is not None:
        for n, steps in res["relay"].items():
            s = next((s for s in ok_steps(steps) if s["calls"] == ref), None)
            if s and s["latency"]["hist"]:
                xs, ys = cdf(s["latency"]["hist"])
                a2.step(xs, [1 - y + 1e-6 for y in ys], where="post", color=COLORS[n], label=LABELS[n])
        a2.set_xscale("log"); a2.set_yscale("log")
        a2.set_xlabel("one-way latency (us)"); a2.set_ylabel("fraction of packets slower (CCDF)")
        a2.set_title(f"distribution at {ref} calls", fontsize=9)
        a2.grid(alpha=0.3, which="both"); a2.legend(fontsize=8)
    fig.suptitle(title(res, "Plain relay: latency (payload send timestamp -> kernel receive timestamp)"), fontsize=10)
    fig.tight_layout(); fig.savefig(path, dpi=110); plt.close(fig)


def flood_ng(res, path):
    fig, (a1, a2, a3) = plt.subplots(1, 3, figsize=(14, 4.8))
    fl = res.get("flood", {})
    names = [n for n in ("tandemd", "rtpengine", "reflector") if n in fl and "error" not in fl[n]]
    vals = [fl[n]["relayed_per_cpu_s"] / 1000 for n in names]
    bars = a1.bar(names, vals, color=[COLORS[n] for n in names])
    a1.bar_label(bars, fmt="%.0fk", fontsize=8)
    a1.set_ylabel("relayed packets per daemon CPU-second (thousands)")
    a1.set_title(f"flood: {res['config']['flood_calls']} calls, {res['config']['flood_batch']}-packet batches", fontsize=9)
    ng = res.get("ng", {})
    ws = res["config"]["ng_windows"]
    names = [n for n in ("tandemd", "rtpengine") if n in ng and isinstance(ng[n], dict) and "skipped" not in ng[n]]
    width = 0.8 / max(1, len(names))
    for i, n in enumerate(names):
        cps = [ng[n].get(f"window{w}", {}).get("commands_per_s", 0) for w in ws]
        p99 = [ng[n].get(f"window{w}", {}).get("latency_all", {}).get("p99_us", 0) for w in ws]
        p50 = [ng[n].get(f"window{w}", {}).get("latency_all", {}).get("p50_us", 0) for w in ws]
        xs = [j + i * width for j in range(len(ws))]
        b = a2.bar(xs, cps, width, color=COLORS[n], label=n); a2.bar_label(b, fmt="%.0f", fontsize=8)
        a3.bar(xs, p99, width, color=COLORS[n], label=f"{n} p99", alpha=0.6)
        a3.bar(xs, p50, width, color=COLORS[n], label=f"{n} p50")
    for a in (a2, a3):
        a.set_xticks([j + width * (len(names) - 1) / 2 for j in range(len(ws))])
        a.set_xticklabels([f"{w} in flight" for w in ws]); a.legend(fontsize=8)
    a2.set_ylabel("ng commands/s (offer+answer+delete)"); a2.set_title("ng command rate", fontsize=9)
    a3.axhline(1000, color="red", lw=0.8, ls="--"); a3.set_yscale("log")
    a3.set_ylabel("latency per command (us)"); a3.set_title("ng latency p50 (solid) / p99 (light); red: 1 ms", fontsize=9)
    fig.suptitle(title(res, "Flood and ng control plane"), fontsize=10)
    fig.tight_layout(); fig.savefig(path, dpi=110); plt.close(fig)


MEDIA = (("pcma", "PCMA -> PCMU"), ("opus", "opus -> PCMU"), ("srtp", "SRTP <-> RTP"))


def media(res, path):
    """Per media phase: daemon CPU vs calls (top; text where a daemon does not support it) and
    loss vs calls (bottom), both daemons on the same axes."""
    keys = [(k, t) for k, t in MEDIA if res.get(k)]
    fig, axes = plt.subplots(2, len(keys), figsize=(5.2 * len(keys), 8), squeeze=False)
    for j, (k, t) in enumerate(keys):
        a1, a2 = axes[0][j], axes[1][j]
        notes = []
        for n, steps in res[k].items():
            uns = next((s["unsupported"] for s in steps if "unsupported" in s), None)
            if uns:
                notes.append(f"{n}: not supported")
                continue
            st = [s for s in ok_steps(steps) if "unsupported" not in s]
            xs = [s["calls"] for s in st]
            a1.plot(xs, [s["daemon_cpu_pct"] for s in st], STYLE[n], color=COLORS[n], label=LABELS[n])
            a2.plot(xs, [max(s["loss_pct"], 1e-4) for s in st], STYLE[n], color=COLORS[n], label=LABELS[n])
            for s in st:   # the generator fell behind its 50 pps schedule: not the daemon's alone
                if s.get("gen_limited"):
                    a2.plot([s["calls"]], [max(s["loss_pct"], 1e-4)], "x", color="red", ms=9)
        a1.axhline(100, color="k", lw=0.5, ls=":")
        a1.set_ylim(bottom=0)
        a1.set_title(t + ("\n" + "; ".join(notes) if notes else ""), fontsize=9)
        a1.set_xlabel("calls (2 x 50 pps each)"); a1.set_ylabel("daemon CPU, % of one core")
        a2.axhline(res["config"]["held_loss_pct"], color="red", lw=0.8, ls="--")
        a2.set_yscale("log"); a2.set_ylim(5e-5, 100)
        a2.set_xlabel("calls (red x: generator late)"); a2.set_ylabel("loss % (0 plotted as 1e-4)")
        for a in (a1, a2):
            a.grid(alpha=0.3, which="both")
            if a.get_legend_handles_labels()[0]:
                a.legend(fontsize=7)
    fig.suptitle(title(res, "Transcoding and SRTP bridging: CPU and loss vs calls"), fontsize=10)
    fig.tight_layout(); fig.savefig(path, dpi=110); plt.close(fig)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("result")
    ap.add_argument("--out", default=".")
    ap.add_argument("--prefix", default="latest")
    a = ap.parse_args()
    with open(a.result) as f:
        res = json.load(f)
    os.makedirs(a.out, exist_ok=True)
    made = []
    if res.get("relay"):
        for fn, name in ((relay_cpu, "relay-cpu"), (relay_loss, "relay-loss"), (latency, "latency")):
            p = os.path.join(a.out, f"{a.prefix}-{name}.png"); fn(res, p); made.append(p)
    if res.get("flood") or res.get("ng"):
        p = os.path.join(a.out, f"{a.prefix}-flood-ng.png"); flood_ng(res, p); made.append(p)
    if any(res.get(k) for k, _ in MEDIA):
        p = os.path.join(a.out, f"{a.prefix}-media.png"); media(res, p); made.append(p)
    print("plots:", " ".join(made))


if __name__ == "__main__":
    main()
