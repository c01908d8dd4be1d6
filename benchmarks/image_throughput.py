"""Photo analysis throughput for ``pii.student``: images per second on one core, peak RSS.

Runs :func:`detectors.images.analyse_image` over a mix of the test photos (one face, a group
of three, no face, GPS), plus a decompression bomb and a garbage file, pinned to one CPU
with OpenCV's own threads off. Prints the rate per kind and overall, and the peak RSS.

    .venv/bin/python benchmarks/image_throughput.py [--iterations 200]
"""

from __future__ import annotations

import argparse
import os
import resource
import struct
import sys
import time
import zlib
from pathlib import Path

import cv2

from detectors.images import analyse_image

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
PHOTOS = ("face.jpg", "group.jpg", "noface.jpg", "gps.jpg")


def bomb_png(side: int = 100_000) -> bytes:
    """A PNG declaring ``side`` x ``side`` pixels with a tiny body."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    idat = zlib.compress(bytes(1 << 20), 9)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def workload() -> dict[str, bytes]:
    files = {name: (DATA / name).read_bytes() for name in PHOTOS}
    files["bomb.png"] = bomb_png()
    files["garbage"] = b"not an image " * 100
    return files


def one_core() -> None:
    cv2.setNumThreads(1)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=200, help="images analysed in all")
    args = parser.parse_args()
    one_core()
    files = workload()
    names = list(files)
    for name in names:  # warm up: plugin imports, the cascade load
        analyse_image(files[name])
    spent = dict.fromkeys(names, 0.0)
    counts = dict.fromkeys(names, 0)
    for i in range(args.iterations):
        name = names[i % len(names)]
        start = time.perf_counter()
        analyse_image(files[name])
        spent[name] += time.perf_counter() - start
        counts[name] += 1
    for name in names:
        if counts[name]:
            print(f"{name:12s} {1000 * spent[name] / counts[name]:8.1f} ms/image")
    total = sum(spent.values())
    photos = sum(counts[n] for n in PHOTOS)
    photo_time = sum(spent[n] for n in PHOTOS)
    print(f"mixed        {args.iterations / total:8.1f} images/s on one core")
    print(f"photos only  {photos / photo_time:8.1f} images/s on one core")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    scale = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB on Linux
    print(f"peak RSS     {peak * scale / 2**20:8.1f} MiB")


if __name__ == "__main__":
    main()
