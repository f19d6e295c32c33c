"""QR decode time per 1280x720 frame and success rate on perturbed frames, per decoder.

python -m benchmarks.qr_decode            # 20 frames per kind (a few seconds)
python -m benchmarks.qr_decode --frames 100
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from benchmarks.frames import KINDS, make_frame
from kiosk.scanning.decode import DECODERS

CODE = "K1-ABCDEFGHIJKLMNOP-QRSTUVWXYZ234567"


def main(argv=None) -> None:
    """Print a table: decoder, kind, success rate, median and max ms per frame."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=20, help="frames per kind")
    parser.add_argument("--decoders", default=",".join(DECODERS))
    args = parser.parse_args(argv)
    rng = np.random.default_rng(2026)
    sets = {kind: [make_frame(CODE, kind, rng) for _ in range(args.frames)] for kind in KINDS}
    sets["empty"] = [make_frame(None, "noise", rng) for _ in range(args.frames)]
    print(f"{'decoder':8} {'frames':14} {'read':>7} {'median ms':>10} {'max ms':>8}")
    for name in args.decoders.split(","):
        decode = DECODERS[name]
        decode(sets["clean"][0])  # warm-up
        all_times, all_ok, all_n = [], 0, 0
        for kind, frames in sets.items():
            times, ok = [], 0
            for frame in frames:
                t0 = time.perf_counter()
                texts = decode(frame)
                times.append((time.perf_counter() - t0) * 1000)
                ok += CODE in texts
            all_times += times
            if kind != "empty":
                all_ok, all_n = all_ok + ok, all_n + len(frames)
            rate = "-" if kind == "empty" else f"{100 * ok / len(frames):.0f}%"
            print(
                f"{name:8} {kind:14} {rate:>7} {statistics.median(times):10.1f} {max(times):8.1f}"
            )
        print(
            f"{name:8} {'all with code':14} {100 * all_ok / all_n:6.1f}% {statistics.median(all_times):10.1f}"
        )


if __name__ == "__main__":
    main()
