#!/usr/bin/env python3
"""Writes tone-8k.ulaw: 1 s of raw G.711 mu-law audio at 8 kHz (8000 bytes, no header) for
SIPp's `rtp_stream` action (160 bytes = one 20 ms PCMU packet, 50 packets per loop).
Deterministic: a 440 Hz tone for 0.5 s, then 0.5 s of a 660 Hz tone, at -12 dBFS.

    python3 tools/sipp/gen-tone.py [OUT]      # default: tone-8k.ulaw next to this script
"""
import math
import os
import sys

RATE = 8000
BIAS = 0x84
CLIP = 32635


def linear_to_ulaw(sample: int) -> int:
    """ITU-T G.711 mu-law encoding of a 16-bit linear sample (the classic Sun/CCITT routine)."""
    sign = 0x80 if sample < 0 else 0
    if sample < 0:
        sample = -sample
    sample = min(sample, CLIP) + BIAS
    exponent = 7
    mask = 0x4000
    while exponent > 0 and not (sample & mask):
        exponent -= 1
        mask >>= 1
    mantissa = (sample >> (exponent + 3)) & 0x0F
    return ~(sign | (exponent << 4) | mantissa) & 0xFF


def main() -> None:
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "tone-8k.ulaw")
    amp = 32767 * 10 ** (-12 / 20)
    data = bytearray()
    for n in range(RATE):
        freq = 440.0 if n < RATE // 2 else 660.0
        data.append(linear_to_ulaw(int(round(amp * math.sin(2 * math.pi * freq * n / RATE)))))
    with open(out, "wb") as f:
        f.write(data)
    print(f"{out}: {len(data)} bytes ({len(data) // 160} packets of 20 ms)")


if __name__ == "__main__":
    main()
