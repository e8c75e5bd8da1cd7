#!/usr/bin/env python3
"""Writes tone-8k.ulaw: 1 s of raw G.711 mu-law audio at 8 kHz (8000 bytes, no header) for
SIPp's `rtp_stream` action (160 bytes = one 20 ms PCMU packet, 50 packets per loop).
Deterministic: a 440 Hz tone for 0.5 s, then 0.5 s of a 660 Hz tone, at -12 dBFS.

    python3 tools/sipp/gen-tone.py [OUT]      # default: tone-8k.ulaw next to this script
"""
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from g711 import ulaw_encode  # noqa: E402

RATE = 8000


def main() -> None:
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "tone-8k.ulaw")
    amp = 32767 * 10 ** (-12 / 20)
    data = bytearray()
    for n in range(RATE):
        freq = 440.0 if n < RATE // 2 else 660.0
        data.append(ulaw_encode(int(round(amp * math.sin(2 * math.pi * freq * n / RATE)))))
    with open(out, "wb") as f:
        f.write(data)
    print(f"{out}: {len(data)} bytes ({len(data) // 160} packets of 20 ms)")


if __name__ == "__main__":
    main()
